"""hafen on a terminal: the password asked on /dev/tty without echo when
no password command is set, and progress lines while a sync downloads.
Both need a real terminal, so hafen runs on a pseudo-terminal that is its
controlling terminal."""
import fcntl
import os
import pty
import re
import select
import subprocess
import sys
import termios
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "client"))

from harness import Hafen, hafen_binary, make_message  # noqa: E402
from fixtures import backend, client, dovecot_server  # noqa: E402,F401

pytestmark = pytest.mark.skipif(hafen_binary() is None, reason="hafen is not built")


def fill(backend, n):
    m = backend.imaplib(backend.user)
    for i in range(n):
        m.append("INBOX", None, None, make_message(i))
    m.logout()


class Terminal:
    """hafen with a pty as its controlling terminal and its stderr;
    stdout stays a pipe."""

    def __init__(self, h, *args):
        self.master, slave = pty.openpty()

        def become_tty_owner():
            os.setsid()
            fcntl.ioctl(slave, termios.TIOCSCTTY, 0)

        self.proc = subprocess.Popen([h.binary, *args], stdin=slave, stdout=subprocess.PIPE,
                                     stderr=slave, env=h.env, preexec_fn=become_tty_owner)
        os.close(slave)
        self.seen = b""

    def read_until(self, pattern, timeout=60):
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.seen):
            left = deadline - time.monotonic()
            if left <= 0:
                self.fail("no %r on the terminal; saw %r" % (pattern, self.seen))
            r, _, _ = select.select([self.master], [], [], left)
            if r:
                try:
                    data = os.read(self.master, 4096)
                except OSError:  # EIO: the other side is closed
                    data = b""
                if not data:
                    self.fail("terminal closed before %r; saw %r" % (pattern, self.seen))
                self.seen += data

    def fail(self, message):
        """Stop hafen (tests stop every process they start), then fail."""
        self.proc.kill()
        self.proc.communicate()
        os.close(self.master)
        raise AssertionError(message)

    def write(self, text):
        os.write(self.master, text.encode())

    def finish(self, timeout=120):
        try:
            out, _ = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.fail("hafen did not finish; the terminal showed %r" % self.seen)
        while True:  # whatever is left on the terminal
            r, _, _ = select.select([self.master], [], [], 0.2)
            if not r:
                break
            try:
                data = os.read(self.master, 4096)
            except OSError:
                break
            if not data:
                break
            self.seen += data
        os.close(self.master)
        return self.proc.returncode, out


def test_password_asked_on_the_terminal_without_echo(backend):
    fill(backend, 3)
    password = backend.passwords[backend.user]
    h = Hafen()
    try:
        h.run("account", "add", "t", "--host", backend.host, "--port",
              str(backend.imaps_port), "--tls", "implicit", "--user", backend.user,
              "--ca-file", backend.cert)
        t = Terminal(h, "sync")
        t.read_until(re.escape(("Password for %s@%s: " % (backend.user, backend.host))
                               .encode()))
        t.write(password + "\n")
        rc, out = t.finish()
        assert rc == 0, t.seen
        assert password.encode() not in t.seen  # echo was off
        assert len(h.messages()) == 3
        # The password is not kept anywhere in the account's files.
        for root, _, files in os.walk(h.home):
            for name in files:
                with open(os.path.join(root, name), "rb") as f:
                    assert password.encode() not in f.read(), name
    finally:
        h.cleanup()


def test_no_terminal_and_no_password_command_says_how(backend):
    h = Hafen()
    try:
        h.run("account", "add", "t", "--host", backend.host, "--port",
              str(backend.imaps_port), "--tls", "implicit", "--user", backend.user,
              "--ca-file", backend.cert)
        r = subprocess.run([h.binary, "sync"], capture_output=True, text=True, env=h.env,
                           stdin=subprocess.DEVNULL, start_new_session=True, timeout=60)
        assert r.returncode != 0
        assert "password_command" in r.stderr
    finally:
        h.cleanup()


def test_sync_shows_progress_on_a_terminal(backend, client):
    fill(backend, 40)
    client.run("account", "add", "all", "--host", backend.host, "--port",
               str(backend.imaps_port), "--tls", "implicit", "--user", backend.user,
               "--password-command", "printf '%%s\\n' '%s'" % backend.passwords[backend.user],
               "--ca-file", backend.cert, "--bodies", "all")
    t = Terminal(client, "sync", "all")
    rc, out = t.finish()
    assert rc == 0, t.seen
    # Lines rewritten in place ("\r", erase to end of line) that count up
    # to everything there was to do.
    assert b"\r\x1b[K" in t.seen, t.seen
    assert re.search(rb": 40/40", t.seen), t.seen
    # Without a terminal there is none of it.
    fill(backend, 1)
    r = client.run("sync", "all")
    assert "\x1b[K" not in r.stderr
