"""make demo (scripts/demo) end to end, on free ports in a scratch
directory: the demo account and its sample mail, the printed connection
lines (the curl line run as printed), and a second run that keeps the data
and adds nothing."""
import imaplib
import os
import re
import select
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

from conftest import ROOT, free_port, hafend_binary, insecure_ssl, wait_port


@pytest.fixture
def demo_env():
    d = tempfile.mkdtemp(prefix="hafen-e2e-demo-")
    os.chmod(d, 0o755)  # as root the server runs as hafen, which must get in
    env = dict(os.environ, HAFEN_DEMO_DIR=os.path.join(d, "demo"),
               HAFEN_DEMO_BINARY=hafend_binary(),
               HAFEN_DEMO_IMAP_PORT=str(free_port()), HAFEN_DEMO_IMAPS_PORT=str(free_port()))
    yield env
    shutil.rmtree(d, ignore_errors=True)


class Demo:
    """scripts/demo running in the foreground, as `make demo` runs it."""

    def __init__(self, env, deadline=180):
        self.proc = subprocess.Popen([os.path.join(ROOT, "scripts/demo")], env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.out = b""
        end = time.monotonic() + deadline
        while b"Stop with Ctrl-C." not in self.out:
            left = end - time.monotonic()
            r, _, _ = select.select([self.proc.stdout], [], [], max(left, 0))
            chunk = os.read(self.proc.stdout.fileno(), 65536) if r else b""
            if not chunk:
                self.stop()
                raise AssertionError("no banner from scripts/demo: %r" % self.out)
            self.out += chunk
        self.text = self.out.decode(errors="replace")
        # The banner comes just before the script execs the server: wait
        # until it listens, as a person reading the banner would.
        try:
            wait_port(int(env["HAFEN_DEMO_IMAPS_PORT"]), deadline=60)
        except RuntimeError:
            self.stop()
            raise

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # the script exec'd hafend serve
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()


def mailbox_counts(port):
    m = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=insecure_ssl())
    m.login("demo", "demo")
    typ, lines = m.list()
    counts = {}
    for line in lines:
        name = line.decode().rsplit(' "/" ', 1)[1].strip('"')
        typ, data = m.status(name, "(MESSAGES)")
        counts[name] = int(re.search(rb"MESSAGES (\d+)", data[0]).group(1))
    m.logout()
    return counts


def test_make_demo(demo_env):
    imaps = int(demo_env["HAFEN_DEMO_IMAPS_PORT"])
    demo = Demo(demo_env)
    try:
        # The banner names the ports, the account and a curl line that works.
        assert "port %s (STARTTLS)" % demo_env["HAFEN_DEMO_IMAP_PORT"] in demo.text
        assert "user: demo   password: demo" in demo.text
        curl = re.search(r"curl -k -u demo:demo imaps://127\.0\.0\.1:%d/INBOX\n" % imaps,
                         demo.text)
        assert curl, demo.text
        r = subprocess.run(curl.group(0).split(), capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        r = subprocess.run(["curl", "-k", "-u", "demo:demo",
                            "imaps://127.0.0.1:%d/INBOX;UID=1" % imaps],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0 and "Subject:" in r.stdout, r.stderr
        # About fifty messages in INBOX and a few folders.
        counts = mailbox_counts(imaps)
        assert 40 <= sum(counts.values()) <= 60, counts
        assert len([n for n, c in counts.items() if c > 0]) >= 3, counts
        assert counts["INBOX"] > 0
    finally:
        demo.stop()
    # Again: the same data, nothing added.
    demo = Demo(demo_env)
    try:
        assert mailbox_counts(imaps) == counts
    finally:
        demo.stop()
