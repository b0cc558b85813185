# bench/lmtp/servers-lmtp.sh — sourced by bench/lmtp/run and bench/push/run
# after bench/imap/servers.sh, whose functions set up, start and stop
# hafend and Dovecot; this adds what delivery and push need: an LMTP
# listener on both (Dovecot's lmtp service, from dovecot-lmtpd), room for
# thousands of IDLE connections, and the users. Needs W, TOP, HAFEND and
# the port variables of servers.sh plus HAFEN_LMTP_PORT and
# DOVECOT_LMTP_PORT.

# The IMAP benchmark's config writers, extended (they stay as they are).
eval "$(declare -f hafend_conf | sed '1s/^hafend_conf/imap_hafend_conf/')"
eval "$(declare -f dovecot_conf | sed '1s/^dovecot_conf/imap_dovecot_conf/')"

hafend_conf() {
	imap_hafend_conf "$@"
	{
		echo "listen = lmtp=127.0.0.1:$HAFEN_LMTP_PORT"
		# thousands of IDLE connections of a hundred users, all from loopback
		echo "max_sessions_per_user = 0"
		echo "max_connections_per_ip = 0"
	} >>"$W/hafend.conf"
}

dovecot_conf() {
	imap_dovecot_conf "$@"
	cat "$TOP/bench/lmtp/dovecot-lmtp.conf" >>"$W/dovecot/dovecot.conf"
	{
		echo "service lmtp {"
		echo "  inet_listener lmtp {"
		echo "    address = 127.0.0.1"
		echo "    port = $DOVECOT_LMTP_PORT"
		echo "  }"
		echo "}"
		[ -z "${DOVECOT_EXTRA:-}" ] || cat "$DOVECOT_EXTRA"
	} >>"$W/dovecot/dovecot.conf"
}

# Both servers' users and certificate, once (servers.sh's make_users).
prepare_users() {
	mkdir -p "$W/dovecot" "$W/results"
	system_user hafen
	system_user dovebench
	make_cert
	if [ "$(cat "$W/params" 2>/dev/null)" != "users=$USERS" ]; then
		rm -rf "$W/hafen" "$W/dovecot/mail" "$W/users.txt"
		make_users
		echo "users=$USERS" >"$W/params"
	fi
}

# The generators link the library built beside HAFEND: a normal `make`'s
# build/libhafen.a, or another build directory's (HAFEND=build/x/hafend).
build_tools() {
	local lib
	lib=$(dirname "$HAFEND")/libhafen.a
	if [ "$HAFEND" = "$TOP/build/hafend" ]; then
		make --no-print-directory programs build/libhafen.a >&2
	fi
	bench/imap/build "$lib" >&2
	bench/lmtp/build "$lib" >&2
}

# Raise the descriptor limit for this shell and what it starts (servers
# and generators): 10 000 connections need more than the usual 1024.
raise_fd_limit() {
	ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
	if [ "$(ulimit -n)" -lt "${1:-4096}" ]; then
		ulimit -Hn "${1:-4096}" 2>/dev/null && ulimit -n "${1:-4096}" ||
			log "warning: only $(ulimit -n) descriptors; fewer connections will fit"
	fi
}
