"""The process model end to end: SIGTERM says BYE and exits, SIGHUP keeps
connections and reloads the certificate, a killed worker is restarted,
and `hafend serve` fails with one clear line and a non-zero exit."""
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import types

import pytest

from conftest import hafend_binary, insecure_ssl, free_port
from test_idle import idle
from test_limits import read_until_closed, worker_pids
from lmtp_util import worker_of


def make_cert(directory, name):
    cert = os.path.join(directory, name + ".crt")
    key = os.path.join(directory, name + ".key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=" + name,
                    "-days", "2", "-keyout", key, "-out", cert],
                   check=True, capture_output=True, timeout=30)
    for p in (cert, key):
        os.chmod(p, 0o644)  # the server drops root; a test key may be world-readable
    return cert, key


def der_of(cert_path):
    with open(cert_path) as f:
        return ssl.PEM_cert_to_DER_cert(f.read())


def served_cert(server):
    with socket.create_connection((server.host, server.imaps_port), timeout=10) as raw:
        with insecure_ssl().wrap_socket(raw) as s:
            return s.getpeercert(binary_form=True)


def wait_for(predicate, deadline=10.0, what="condition"):
    end = time.monotonic() + deadline
    while True:
        try:
            if predicate():
                return
        except (OSError, EOFError, ssl.SSLError):
            pass
        assert time.monotonic() < end, "timed out waiting for " + what
        time.sleep(0.1)


def can_log_in(server):
    c = server.connect(timeout=5)
    try:
        c.login()
        return c.command("NOOP")[1].endswith("OK NOOP completed")
    finally:
        c.close()


@pytest.fixture
def certdir():
    d = tempfile.mkdtemp(prefix="hafen-e2e-certs-")
    os.chmod(d, 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def install(src, dst):
    """Replace dst atomically, as certbot and friends do."""
    tmp = dst + ".new"
    shutil.copyfile(src, tmp)
    os.chmod(tmp, 0o644)
    os.rename(tmp, dst)


# ---- signals ----

def test_sigterm_says_bye_and_exits(make_server):
    server = make_server()
    pre = server.connect()
    logged = server.connect()
    logged.login()
    idler = server.connect()
    idler.login()
    idler.command("SELECT INBOX")
    idle(idler)
    tls = server.connect(tls=True)
    tls.login()
    start = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)
    for c in (pre, logged, idler, tls):
        c.sock.settimeout(8)
        assert c.readline() == "* BYE Server shutting down"
        assert read_until_closed(c.sock, 8) == b""
        c.close()
    assert server.proc.wait(timeout=10) == 0
    assert time.monotonic() - start < 6
    with pytest.raises(OSError):
        socket.create_connection((server.host, server.imap_port), timeout=2)
    assert "stopped" in server.log_text()


def test_sigterm_during_a_login_delay(make_server):
    server = make_server("auth_exempt_loopback = no", "auth_delay_ms = 1500")
    c = server.connect()
    c.send('a LOGIN alice "wrong"\r\nb NOOP\r\n')
    time.sleep(0.3)
    server.proc.send_signal(signal.SIGTERM)
    c.sock.settimeout(10)
    assert c.readline() == "* BYE Server shutting down"
    assert read_until_closed(c.sock, 8) == b""
    c.close()
    assert server.proc.wait(timeout=10) == 0


def test_sigterm_with_a_client_that_does_not_read(make_server):
    """Shutdown does not wait forever for a client that never reads."""
    server = make_server()
    c = server.connect()
    c.login()
    c.sock.setblocking(False)
    try:
        for i in range(2000):
            c.sock.send(b"x CAPABILITY\r\n" * 200)
    except (BlockingIOError, ConnectionError):
        pass
    start = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(timeout=20) == 0
    assert time.monotonic() - start < 12
    c.close()


def test_sighup_keeps_connections_and_reloads_the_certificate(make_server, certdir):
    one = make_cert(certdir, "one")
    two = make_cert(certdir, "two")
    cert, key = os.path.join(certdir, "live.crt"), os.path.join(certdir, "live.key")
    install(one[0], cert)
    install(one[1], key)
    server = make_server("tls_cert = " + cert, "tls_key = " + key)
    assert served_cert(server) == der_of(one[0])
    plain = server.connect()
    plain.login()
    plain.command("SELECT INBOX")
    secure = server.connect(tls=True)
    secure.login()

    install(two[0], cert)
    install(two[1], key)
    server.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: served_cert(server) == der_of(two[0]), what="the new certificate")
    # Every worker has it, not only the one that answered first.
    for i in range(8):
        assert served_cert(server) == der_of(two[0])
    # Connections made before the reload go on as they were.
    assert plain.command("NOOP")[1].endswith("OK NOOP completed")
    assert secure.command("NOOP")[1].endswith("OK NOOP completed")
    assert secure.sock.getpeercert(binary_form=True) == der_of(one[0])

    # A broken certificate is not taken: the last good one stays.
    with open(cert, "w") as f:
        f.write("not a certificate\n")
    server.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: "keeping the old certificate" in server.log_text(), what="the reload error")
    assert served_cert(server) == der_of(two[0])
    install(two[0], cert)

    # A worker started after the reload (here: after a crash) serves the
    # new certificate too, not the one the server started with.
    for pid in worker_pids(server):
        os.kill(pid, signal.SIGKILL)
    wait_for(lambda: can_log_in(server), what="restarted workers")
    for i in range(8):
        assert served_cert(server) == der_of(two[0])
    plain.close()
    secure.close()


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root: a key only root can read")
def test_sighup_reloads_a_key_only_root_can_read(make_server, certdir):
    """The server drops root after loading the key; a reload gets the new
    pair from the TLS keeper, which stayed root (tls-keeper.h). certbot
    leaves privkey.pem so: owner root, mode 0600."""
    one = make_cert(certdir, "one")
    two = make_cert(certdir, "two")
    cert, key = os.path.join(certdir, "live.crt"), os.path.join(certdir, "live.key")

    def install_root_only(pair):
        install(pair[0], cert)
        install(pair[1], key)
        os.chmod(key, 0o600)
    install_root_only(one)
    server = make_server("tls_cert = " + cert, "tls_key = " + key)
    assert served_cert(server) == der_of(one[0])
    # The keeper is there, named so that `pkill -x hafend` leaves it alone.
    keepers = [p for p in os.listdir("/proc") if p.isdigit() and
               open("/proc/%s/comm" % p).read().strip() == "hafend-tls" and
               int(open("/proc/%s/stat" % p).read().rsplit(")", 1)[1].split()[1])
               == server.proc.pid]
    assert len(keepers) == 1
    secure = server.connect(tls=True)
    secure.login()
    install_root_only(two)
    server.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: served_cert(server) == der_of(two[0]), what="the new certificate")
    for i in range(8):  # every worker has it
        assert served_cert(server) == der_of(two[0])
    assert secure.command("NOOP")[1].endswith("OK NOOP completed")
    # A broken pair is refused by the keeper: the last good one stays.
    with open(key, "w") as f:
        f.write("not a key\n")
    server.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: "keeping the old certificate" in server.log_text(), what="the reload error")
    assert served_cert(server) == der_of(two[0])
    secure.close()
    # It ends with the server.
    server.proc.send_signal(signal.SIGTERM)
    server.proc.wait(timeout=15)
    wait_for(lambda: not os.path.exists("/proc/" + keepers[0]), what="the keeper to end")


def make_chain(directory):
    """A leaf signed by a CA of its own: the file holds the leaf, then the
    CA, as Let's Encrypt's fullchain.pem holds leaf and intermediate."""
    def openssl(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=30,
                       cwd=directory)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *ec, "-subj", "/CN=hafen test CA", "-days", "2",
            "-keyout", "ca.key", "-out", "ca.crt")
    openssl("req", *ec, "-subj", "/CN=localhost", "-keyout", "leaf.key", "-out", "leaf.csr")
    openssl("x509", "-req", "-in", "leaf.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "2", "-out", "leaf.crt")
    chain = os.path.join(directory, "chain.crt")
    with open(chain, "w") as out:
        for name in ("leaf.crt", "ca.crt"):
            with open(os.path.join(directory, name)) as f:
                out.write(f.read())
    key = os.path.join(directory, "leaf.key")
    os.chmod(chain, 0o644)
    os.chmod(key, 0o600 if os.geteuid() == 0 else 0o644)
    return chain, key


def served_chain_length(server):
    r = subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % server.imaps_port,
                        "-showcerts"], input="", capture_output=True, text=True, timeout=30)
    return r.stdout.count("-----BEGIN CERTIFICATE-----")


def test_certificate_chain_is_served_whole_also_after_a_reload(make_server, certdir):
    chain, key = make_chain(certdir)
    server = make_server("tls_cert = " + chain, "tls_key = " + key)
    assert served_chain_length(server) == 2
    server.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: server.log_text().count("TLS certificate reloaded") >= 2,
             what="the reload")
    assert "TLS reload failed" not in server.log_text()
    for i in range(4):
        assert served_chain_length(server) == 2


def test_sighup_applies_what_it_can_and_names_the_rest(make_server):
    """A reload applies the per-session settings at once and names, in the
    log, each changed setting that only a restart applies (docs/admin.md)."""
    server = make_server("auth_delay_ms = 500")
    c = server.connect()
    assert "LOGINDISABLED" not in " ".join(c.command("CAPABILITY")[0])
    with open(server.config) as f:
        text = f.read()
    with open(server.config, "w") as f:
        f.write(text.replace("auth_delay_ms = 500", "auth_delay_ms = 900")
                + "loopback_is_secure = no\nmax_sessions_per_user = 7\n")
    server.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: "at the next restart" in server.log_text(), what="the reload note")
    note = [l for l in server.log_text().splitlines() if "at the next restart" in l][0]
    assert note.endswith("auth_delay_ms, max_sessions_per_user take effect at the next "
                         "restart"), note
    # Loopback is no longer secure: a new connection may not log in in
    # plaintext until STARTTLS.
    def fresh_caps():
        fresh = server.connect()
        try:
            return " ".join(fresh.command("CAPABILITY")[0])
        finally:
            fresh.close()
    wait_for(lambda: "LOGINDISABLED" in fresh_caps(), what="LOGINDISABLED on a new connection")
    c.close()


def test_sighup_right_after_start(make_server):
    """A SIGHUP that arrives while workers are still starting kills none."""
    server = make_server()
    for i in range(5):
        server.proc.send_signal(signal.SIGHUP)
        time.sleep(0.02)
    wait_for(lambda: can_log_in(server), what="the server")
    time.sleep(0.5)
    assert "died from signal" not in server.log_text()


def test_killed_worker_is_restarted(make_server):
    server = make_server()
    wait_for(lambda: len(worker_pids(server)) == 2, what="two workers")
    before = set(worker_pids(server))
    conns = []
    for i in range(6):
        c = server.connect()
        c.login()
        conns.append(c)
    # The kernel spreads connections over the workers' listening sockets
    # as it likes (all six may land in one), so the victim is the worker
    # that serves the first connection, found through /proc.
    owner = {c: worker_of(server, c.sock, server.imap_port) for c in conns}
    victim = owner[conns[0]]
    assert victim in before
    os.kill(victim, signal.SIGKILL)
    wait_for(lambda: len(set(worker_pids(server)) - before) == 1 and
             len(worker_pids(server)) == 2, what="a replacement worker")
    wait_for(lambda: can_log_in(server), what="new connections")
    assert "died from signal 9; restarting" in server.log_text()
    # The victim's connections are gone; the others still work.
    for c in conns:
        try:
            c.sock.settimeout(5)
            untagged, tagged = c.command("NOOP")
            ok = tagged.endswith("OK NOOP completed")
        except (OSError, EOFError):
            ok = False
        c.close()
        assert ok == (owner[c] != victim), (owner[c], victim)
    # Many logins in a row all land on a live worker.
    for i in range(10):
        assert can_log_in(server)


def test_all_workers_killed_repeatedly(make_server):
    server = make_server()
    for round in range(3):
        wait_for(lambda: len(worker_pids(server)) == 2, what="two workers")
        for pid in worker_pids(server):
            os.kill(pid, signal.SIGKILL)
        wait_for(lambda: can_log_in(server), what="restarted workers")
    assert server.proc.poll() is None


# ---- hafend serve errors ----

class Setup:
    """A config and data directory for a server that is expected to fail."""

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="hafen-e2e-serve-")
        os.chmod(self.tmp, 0o755)
        self.data = os.path.join(self.tmp, "data")
        os.mkdir(self.data)
        self.config = os.path.join(self.tmp, "hafend.conf")
        self.port = free_port()
        self.lines = ["data_dir = " + self.data, "listen = imap=127.0.0.1:%d" % self.port,
                      "workers = 1"]

    def serve(self, *extra):
        with open(self.config, "w") as f:
            f.write("\n".join(self.lines + list(extra)) + "\n")
        return subprocess.run([hafend_binary(), "serve", "-c", self.config],
                              capture_output=True, text=True, timeout=30)

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


@pytest.fixture
def setup():
    s = Setup()
    yield s
    s.close()


def one_clear_line(r):
    assert r.returncode != 0
    # Progress notes ("giving DIR to user hafen") may precede the error.
    lines = [l for l in (r.stdout + r.stderr).splitlines()
             if l.strip() and not l.startswith("hafend: info: ")]
    assert len(lines) == 1, lines
    assert lines[0].startswith("hafend: ")
    assert "AddressSanitizer" not in r.stderr
    return lines[0]


def test_serve_port_in_use(setup):
    with socket.socket() as s:
        s.bind(("127.0.0.1", setup.port))
        s.listen(1)
        line = one_clear_line(setup.serve())
    assert "127.0.0.1:%d" % setup.port in line
    assert "in use" in line


def test_serve_missing_certificate(setup):
    line = one_clear_line(setup.serve("tls_cert = /nonexistent/cert.pem",
                                      "tls_key = /nonexistent/key.pem"))
    assert "/nonexistent/cert.pem" in line


def test_serve_unreadable_certificate(setup):
    cert = os.path.join(setup.tmp, "cert.pem")
    with open(cert, "w") as f:
        f.write("-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n")
    line = one_clear_line(setup.serve("tls_cert = " + cert, "tls_key = " + cert))
    assert cert in line


def test_serve_certificate_and_key_do_not_match(setup, certdir):
    one = make_cert(certdir, "one")
    two = make_cert(certdir, "two")
    line = one_clear_line(setup.serve("tls_cert = " + one[0], "tls_key = " + two[1]))
    assert "match" in line or "key" in line, line


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to hand the directory to nobody")
def test_serve_data_directory_of_another_user(setup):
    import pwd
    nobody = pwd.getpwnam("nobody")
    os.chown(setup.data, nobody.pw_uid, nobody.pw_gid)
    line = one_clear_line(setup.serve())
    assert setup.data in line and "owned by" in line


def test_serve_unknown_setting(setup):
    r = setup.serve("no_such_setting = 1")
    line = one_clear_line(r)
    assert r.returncode == 78
    assert '%s:4: unknown setting "no_such_setting"' % setup.config in line


def test_serve_bad_values(setup):
    for bad in ("workers = 0", "preauth_timeout = soon", "append_limit = -1",
                "loopback_is_secure = perhaps", "listen = imap=nowhere",
                "listen = pop9=127.0.0.1:1"):
        line = one_clear_line(setup.serve(bad))
        # docs/config.md: the message names the file and the line.
        assert line.startswith("hafend: %s:4: " % setup.config), (bad, line)


def test_serve_command_line_options(certdir):
    """serve without a configuration file: --data, --listen (repeated, a
    unix socket too) and --workers, as docs/admin.md shows them."""
    # certdir: a fresh directory that the server's user may enter.
    data = os.path.join(certdir, "data")
    sock = os.path.join(certdir, "imap.sock")
    port = free_port()
    r = subprocess.run([hafend_binary(), "user", "add", "--data", data, "carol"],
                       input="carol-pw\n", capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    log_path = os.path.join(certdir, "log")
    log = open(log_path, "w")
    proc = subprocess.Popen([hafend_binary(), "serve", "--data", data,
                             "--listen", "imap=127.0.0.1:%d" % port,
                             "--listen", "imap=unix:" + sock, "--workers", "3"],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: os.path.exists(sock) and socket.create_connection(
            ("127.0.0.1", port), timeout=1).close() is None,
                 what="the listeners (see %s)" % log_path)
        for family, addr in ((socket.AF_INET, ("127.0.0.1", port)), (socket.AF_UNIX, sock)):
            with socket.socket(family) as s:
                s.settimeout(10)
                s.connect(addr)
                f = s.makefile("rwb")
                assert f.readline().startswith(b"* OK ")
                f.write(b'a LOGIN carol "carol-pw"\r\n')
                f.flush()
                assert f.readline().startswith(b"a OK ")
                f.close()
        server = types.SimpleNamespace(proc=proc)
        wait_for(lambda: len(worker_pids(server)) == 3, what="three workers")
        # A bad --listen is one clear line and exit code 64.
        r = subprocess.run([hafend_binary(), "serve", "--data", data, "--listen",
                            "imap=127.0.0.1"], capture_output=True, text=True, timeout=30)
        assert r.returncode == 64 and "127.0.0.1" in r.stderr, r.stderr
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)
        log.close()


def test_serve_unknown_option(setup):
    r = subprocess.run([hafend_binary(), "serve", "--frobnicate"], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 64
    assert "--frobnicate" in r.stderr
