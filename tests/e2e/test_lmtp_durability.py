"""Durability under kill -9: a client delivers over LMTP in a loop (one to
three recipients a message) while the test kills the whole server —
supervisor and workers — with SIGKILL at random moments, 36 times,
restarting it each time. Afterwards every copy that was answered 250 is
in its recipient's INBOX exactly once, no copy is there twice, and
`hafend check` finds every store consistent (no row without its file)."""
import os
import random
import re
import signal
import socket
import subprocess
import threading
import time

from conftest import Server, free_port, wait_port
from lmtp_util import Lmtp, children, dot_stuff

KILLS = 36
USERS = {"alice": "a", "bob": "b", "carol": "c"}


class Deliverer(threading.Thread):
    """Delivers until the connection breaks; records what was acknowledged."""

    def __init__(self, port, acked, serial):
        super().__init__(daemon=True)
        self.port, self.acked, self.serial = port, acked, serial
        self.rng = random.Random(serial[0])

    def one(self, c):
        self.serial[0] += 1
        mid = "dur%d@test" % self.serial[0]
        rcpts = self.rng.sample(sorted(USERS), self.rng.randint(1, 3))
        body = "Message-ID: <%s>\r\nSubject: %s\r\n\r\n%s\r\n" % (
            mid, mid, ("line %s\r\n" % mid) * self.rng.randint(1, 200))
        assert c.cmd("MAIL FROM:<s@example.org>").startswith("250")
        for r in rcpts:
            assert c.cmd("RCPT TO:<%s>" % r).startswith("250")
        assert c.cmd("DATA").startswith("354")
        c.send(dot_stuff(body) + ".\r\n")
        for r in rcpts:
            reply = c.reply()[-1]
            if reply.startswith("250 "):
                self.acked.append((r, mid))

    def run(self):
        try:
            c = Lmtp(port=self.port, timeout=10)
            c.lhlo()
            while True:
                self.one(c)
        except (OSError, EOFError, AssertionError):
            pass


def kill_server(proc):
    pids = children(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)  # first, so no worker is restarted
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait()
    for pid in pids:  # orphans are reaped by init; wait until they are gone
        for _ in range(1000):
            if gone(pid):
                break
            time.sleep(0.01)


def gone(pid):
    """Dead, or a zombie none of whose threads still runs. A worker writes
    a message's copies in several threads: when it is killed its main
    thread turns zombie at once, while a thread in fsync() lives on, and
    with it the worker's listening sockets, until that call returns; a
    server started meanwhile would find the old sockets taking its
    connections (and resetting them as they close)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            if not f.read().split(") ")[1].startswith("Z"):
                return False
        return os.listdir("/proc/%d/task" % pid) in ([], [str(pid)])
    except (FileNotFoundError, ProcessLookupError):
        return True


def start(s):
    s.proc = subprocess.Popen([s.binary, "serve", "-c", s.config], stdout=s.log,
                              stderr=subprocess.STDOUT)
    wait_port(s.lmtp_port)
    wait_port(s.imap_port)


def message_ids(s, user):
    m = s.imaplib(user)
    m.select("INBOX", readonly=True)
    typ, data = m.uid("FETCH", "1:*", "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
    m.logout()
    ids = []
    for part in data:
        if isinstance(part, tuple):
            found = re.search(rb"<(dur\d+@test)>", part[1])
            if found:
                ids.append(found.group(1).decode())
    return ids


def test_kill_9_during_delivery_loses_nothing_acknowledged():
    port = free_port()
    s = Server(extra_config=["listen = lmtp=127.0.0.1:%d" % port], users=USERS, workers=2)
    s.lmtp_port = port
    wait_port(port)
    rng = random.Random(5)
    acked, serial = [], [0]
    try:
        for i in range(KILLS):
            d = Deliverer(port, acked, serial)
            d.start()
            time.sleep(rng.uniform(0.05, 0.8))
            kill_server(s.proc)
            d.join(15)
            assert not d.is_alive()
            start(s)
        assert len(acked) > KILLS, "too few deliveries to mean anything"
        for user in USERS:
            ids = message_ids(s, user)
            dupes = {x for x in ids if ids.count(x) > 1}
            assert not dupes, "stored twice for %s: %s" % (user, sorted(dupes)[:5])
            want = {mid for r, mid in acked if r == user}
            missing = want - set(ids)
            assert not missing, "acknowledged but lost for %s: %s" % (user, sorted(missing))
        r = s.hafend("check", check=False)
        assert r.returncode == 0, r.stdout + r.stderr
        assert " 0 missing, 0 wrong size" in r.stdout, r.stdout
    finally:
        s.stop()
