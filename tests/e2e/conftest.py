"""End-to-end test harness: start a real hafend on free loopback ports with
a temporary data directory, drive it over sockets, and stop it afterwards.

Fixtures:
  server        a running hafend (module scope) with users alice/bob
  make_server   start another one with extra config lines (function scope)

The binary comes from $HAFEN_BUILD (set by scripts/run-checks), else
build/check, else build. A sanitizer report in the server's log fails the
test that stopped it.
"""
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PASSWORDS = {"alice": "alice-secret", "bob": "bob-secret"}


def hafend_binary():
    for d in (os.environ.get("HAFEN_BUILD"), os.path.join(ROOT, "build/check"),
              os.path.join(ROOT, "build")):
        if d and os.path.exists(os.path.join(d, "hafend")):
            return os.path.join(d, "hafend")
    pytest.skip("hafend is not built")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, deadline=20.0):
    end = time.time() + deadline
    while time.time() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("hafend did not start listening on %d" % port)


class Server:
    """A hafend process and what a test needs to reach it."""

    def __init__(self, extra_config=(), users=PASSWORDS, workers=2):
        self.binary = hafend_binary()
        self.tmp = tempfile.mkdtemp(prefix="hafen-e2e-")
        # As root the server runs as the hafen user, which must reach the data.
        os.chmod(self.tmp, 0o755)
        self.data = os.path.join(self.tmp, "data")
        os.mkdir(self.data)
        self.host = "127.0.0.1"
        self.imap_port = free_port()
        self.imaps_port = free_port()
        self.passwords = dict(users)
        self.config = os.path.join(self.tmp, "hafend.conf")
        with open(self.config, "w") as f:
            f.write("data_dir = %s\n" % self.data)
            f.write("listen = imap=127.0.0.1:%d\n" % self.imap_port)
            f.write("listen = imaps=127.0.0.1:%d\n" % self.imaps_port)
            f.write("workers = %d\n" % workers)
            for line in extra_config:
                f.write(line + "\n")
        for name, password in self.passwords.items():
            self.hafend("user", "add", name, stdin=password + "\n")
        self.log_path = os.path.join(self.tmp, "hafend.log")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([self.binary, "serve", "-c", self.config],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        try:
            wait_port(self.imap_port)
            wait_port(self.imaps_port)
        except Exception:
            self.stop()
            raise

    def hafend(self, *args, stdin=None, check=True):
        """Run an admin subcommand against this server's data."""
        r = subprocess.run([self.binary, *args, "-c", self.config], input=stdin,
                           capture_output=True, text=True, timeout=60)
        if check and r.returncode != 0:
            raise RuntimeError("hafend %s failed: %s%s" % (" ".join(args), r.stdout, r.stderr))
        return r

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        with open(self.log_path, errors="replace") as f:
            text = f.read()
        shutil.rmtree(self.tmp, ignore_errors=True)
        for marker in ("AddressSanitizer", "LeakSanitizer", "runtime error:", "panic:"):
            if marker in text:
                raise AssertionError("hafend reported a problem:\n" + text[-8000:])
        return text

    def log_text(self):
        self.log.flush()
        with open(self.log_path, errors="replace") as f:
            return f.read()

    # ---- clients ----
    def connect(self, tls=False, timeout=10):
        """A raw client (see RawClient)."""
        return RawClient(self, tls=tls, timeout=timeout)

    def imaplib(self, user="alice", tls=False):
        import imaplib
        if tls:
            m = imaplib.IMAP4_SSL(self.host, self.imaps_port, ssl_context=insecure_ssl())
        else:
            m = imaplib.IMAP4(self.host, self.imap_port)
        if user is not None:
            m.login(user, self.passwords[user])
        return m


def insecure_ssl():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class RawClient:
    """Line-level IMAP client for protocol tests: send bytes, read lines,
    run a tagged command and get back every line up to its tagged reply."""

    def __init__(self, server, tls=False, timeout=10):
        self.server = server
        port = server.imaps_port if tls else server.imap_port
        sock = socket.create_connection((server.host, port), timeout=timeout)
        if tls:
            sock = insecure_ssl().wrap_socket(sock)
        self.sock = sock
        self.buf = b""
        self.ntag = 0
        self.greeting = self.readline()

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def readline(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed; had %r" % self.buf)
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("utf-8", "replace")

    def read_bytes(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def command(self, text, tag=None):
        """Send 'TAG text' and return (untagged lines, tagged line)."""
        if tag is None:
            self.ntag += 1
            tag = "a%d" % self.ntag
        self.send("%s %s\r\n" % (tag, text))
        return self.until_tagged(tag)

    def until_tagged(self, tag):
        lines = []
        while True:
            line = self.readline()
            if line.startswith(tag + " "):
                return lines, line
            lines.append(line)

    def login(self, user="alice"):
        untagged, tagged = self.command('LOGIN %s "%s"' % (user, self.server.passwords[user]))
        assert " OK " in tagged, tagged
        return tagged

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


@pytest.fixture(scope="module")
def server():
    s = Server()
    yield s
    s.stop()


@pytest.fixture
def make_server():
    started = []

    def make(*extra, **kwargs):
        s = Server(extra_config=extra, **kwargs)
        started.append(s)
        return s
    yield make
    for s in started:
        s.stop()
