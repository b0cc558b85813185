# bench/imap/servers.sh — sourced by bench/imap/run: set up, start and stop
# hafend and Dovecot for the benchmark. Needs W (absolute work directory),
# HAFEND, TOP and the port variables from run.

log() { echo "bench: $*" >&2; }
die() { echo "bench: $*" >&2; exit 1; }

# A loopback port nobody listens on, at or above $1.
free_port() {
	local p=$1
	while ss -Htln "sport = :$p" | grep -q . || [[ " ${TAKEN_PORTS:-} " == *" $p "* ]]; do
		p=$((p + 1))
	done
	TAKEN_PORTS="${TAKEN_PORTS:-} $p"
	echo "$p"
}

wait_port() {
	local port=$1 pid=$2
	for _ in $(seq 1 200); do
		kill -0 "$pid" 2>/dev/null || return 1
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

system_user() {
	id "$1" >/dev/null 2>&1 ||
		useradd --system --user-group --no-create-home --home-dir /nonexistent \
			--shell /usr/sbin/nologin "$1"
}

# The same self-signed certificate for both servers (ECDSA P-256).
make_cert() {
	mkdir -p "$W/tls"
	[ -f "$W/tls/cert.pem" ] && return 0
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-days 30 -subj /CN=localhost -keyout "$W/tls/key.pem" -out "$W/tls/cert.pem" \
		2>/dev/null
	chmod 644 "$W/tls/key.pem"
}

# user<i> / pass<i> with SHA512-CRYPT hashes (5000 rounds, fixed salts so a
# run is reproducible), in Dovecot's passwd-file and in hafend's users.db.
make_users() {
	local i hash
	: >"$W/users.txt"
	: >"$W/dovecot/passwd"
	for i in $(seq 0 $((USERS - 1))); do
		hash=$(openssl passwd -6 -salt "benchsalt$i" "pass$i")
		echo "user$i {SHA512-CRYPT}$hash" >>"$W/users.txt"
		echo "user$i:{SHA512-CRYPT}$hash::::::" >>"$W/dovecot/passwd"
	done
	chmod 644 "$W/dovecot/passwd"
	mkdir -p "$W/hafen"
	chown hafen:hafen "$W/hafen"
	runuser -u hafen -- "$TOP/build/bench/bench-userdb" "$W/hafen" <"$W/users.txt"
}

# hafend's config for this run: $1 = auth cache ttl ("1h" or "0").
hafend_conf() {
	{
		cat "$TOP/bench/imap/hafend.conf"
		echo "data_dir = $W/hafen"
		echo "listen = imap=127.0.0.1:$HAFEN_PORT"
		echo "listen = imaps=127.0.0.1:$HAFEN_TLS_PORT"
		echo "tls_cert = $W/tls/cert.pem"
		echo "tls_key = $W/tls/key.pem"
		echo "auth_cache_ttl = $1"
	} >"$W/hafend.conf"
}

# Dovecot's: $1 = auth cache ("warm" or "off"), $2 = "load" to skip fsync.
dovecot_conf() {
	local d=$W/dovecot
	mkdir -p "$d/run" "$d/state" "$d/mail"
	chown dovebench:dovebench "$d/mail"
	{
		echo "!include $TOP/bench/dovecot/dovecot.conf"
		echo "base_dir = $d/run"
		echo "state_dir = $d/state"
		echo "log_path = $d/dovecot.log"
		echo "instance_name = hafen-bench"
		echo "ssl_cert = <$W/tls/cert.pem"
		echo "ssl_key = <$W/tls/key.pem"
		echo "first_valid_uid = $(id -u dovebench)"
		echo "passdb {"
		echo "  driver = passwd-file"
		echo "  args = scheme=SHA512-CRYPT $d/passwd"
		echo "}"
		echo "userdb {"
		echo "  driver = static"
		echo "  args = uid=dovebench gid=dovebench home=$d/mail/%u"
		echo "}"
		echo "service imap-login {"
		echo "  inet_listener imap {"
		echo "    address = 127.0.0.1"
		echo "    port = $DOVECOT_PORT"
		echo "  }"
		echo "  inet_listener imaps {"
		echo "    address = 127.0.0.1"
		echo "    port = $DOVECOT_TLS_PORT"
		echo "    ssl = yes"
		echo "  }"
		echo "}"
		if [ "$1" = warm ]; then
			echo "auth_cache_size = 10M"
			echo "auth_cache_ttl = 1 hour"
		else
			echo "auth_cache_size = 0"
		fi
		if [ "${2:-}" = load ]; then
			echo "mail_fsync = never"
		fi
	} >"$d/dovecot.conf"
}

# start_hafend CACHE_TTL [eatmydata]
start_hafend() {
	hafend_conf "$1"
	local pre=()
	if [ "${2:-}" = eatmydata ] && command -v eatmydata >/dev/null; then
		pre=(eatmydata)
	fi
	(ulimit -n "$(ulimit -Hn)" && exec "${pre[@]}" "$HAFEND" serve -c "$W/hafend.conf") \
		>>"$W/hafend.log" 2>&1 &
	HAFEN_PID=$!
	wait_port "$HAFEN_PORT" "$HAFEN_PID" || die "hafend did not start; see $W/hafend.log"
}

# start_dovecot warm|off [load]
start_dovecot() {
	dovecot_conf "$1" "${2:-}"
	(ulimit -n "$(ulimit -Hn)" && exec dovecot -F -c "$W/dovecot/dovecot.conf") \
		>>"$W/dovecot/stderr.log" 2>&1 &
	DOVECOT_PID=$!
	wait_port "$DOVECOT_PORT" "$DOVECOT_PID" ||
		die "dovecot did not start; see $W/dovecot/dovecot.log and stderr.log"
}

stop_pid() {
	local pid=$1
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for _ in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

stop_servers() {
	stop_pid "${HAFEN_PID:-}"
	HAFEN_PID=
	stop_pid "${DOVECOT_PID:-}"
	DOVECOT_PID=
}
