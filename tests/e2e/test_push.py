"""Push across processes: a session in IDLE sees, without asking, mail
delivered over LMTP (by whichever worker took the connection), by
`hafend deliver` (a process of its own), and the appends, flag changes,
moves and expunges of sessions in the other worker. The server runs two
workers; the tests find which worker holds each connection through
/proc, so that "another worker" is checked, not assumed."""
import subprocess

import pytest

from lmtp_util import Lmtp, lmtp_server, message, transaction, worker_of


def idle(c, tag="i"):
    c.send("%s IDLE\r\n" % tag)
    assert c.readline() == "+ idling"


def wait_for(c, pred, timeout=5.0):
    c.sock.settimeout(timeout)
    lines = []
    try:
        while True:
            line = c.readline()
            lines.append(line)
            if pred(line):
                return lines
    finally:
        c.sock.settimeout(10)


def exists(n):
    return lambda line: line == "* %d EXISTS" % n


@pytest.fixture(scope="module")
def srv():
    from conftest import Server, free_port, wait_port
    port = free_port()
    s = Server(extra_config=["listen = lmtp=127.0.0.1:%d" % port], workers=2)
    s.lmtp_port = port
    wait_port(port)
    yield s
    s.stop()


def idlers_in_both_workers(srv, mailbox, want=2, limit=40):
    """IDLE sessions on mailbox until both workers hold at least `want`."""
    by_worker, conns = {}, []
    for _ in range(limit):
        c = srv.connect()
        c.login()
        untagged, tagged = c.command("SELECT %s" % mailbox)
        assert " OK " in tagged, tagged
        count = int(next(l.split()[1] for l in untagged if l.endswith(" EXISTS")))
        idle(c)
        pid = worker_of(srv, c.sock, srv.imap_port)
        by_worker.setdefault(pid, []).append(c)
        conns.append((c, count))
        if len(by_worker) == 2 and all(len(v) >= want for v in by_worker.values()):
            return by_worker, conns
    pytest.fail("connections all landed in one worker: %r" % {k: len(v) for k, v in
                                                              by_worker.items()})


def close_all(conns):
    for c, _ in conns:
        c.send("DONE\r\n")
        c.close()


def test_idle_sees_lmtp_delivery_from_any_worker(srv):
    by_worker, conns = idlers_in_both_workers(srv, "INBOX")
    n = conns[0][1]
    lm = Lmtp(srv)
    lm.lhlo()
    lmtp_worker = worker_of(srv, lm.sock, srv.lmtp_port)
    assert lmtp_worker in by_worker
    other = [pid for pid in by_worker if pid != lmtp_worker]
    assert other, "no IDLE session in a worker other than the LMTP one"
    _, replies = transaction(lm, "s@example.org", ["alice"], message("push lmtp"))
    assert replies[0].startswith("250")
    for c, _ in conns:
        assert wait_for(c, exists(n + 1))[-1] == "* %d EXISTS" % (n + 1)
    lm.close()
    close_all(conns)


def test_idle_sees_hafend_deliver(srv):
    c = srv.connect()
    c.login()
    untagged, _ = c.command("SELECT INBOX")
    n = int(next(l.split()[1] for l in untagged if l.endswith(" EXISTS")))
    idle(c)
    r = subprocess.run([srv.binary, "deliver", "-c", srv.config, "alice"],
                       input=message("push deliver").encode(), capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert wait_for(c, exists(n + 1))[-1] == "* %d EXISTS" % (n + 1)
    c.send("DONE\r\n")
    c.close()


def test_other_sessions_changes_reach_idle_in_the_other_worker(srv):
    setup = srv.connect()
    setup.login()
    setup.command("CREATE PushBox")
    setup.command("CREATE PushOther")
    setup.command("SELECT PushBox")
    for i in range(3):
        text = message("box %d" % i)
        setup.send("A%d APPEND PushBox {%d}\r\n" % (i, len(text)))
        assert setup.readline().startswith("+")
        setup.send(text + "\r\n")
        setup.until_tagged("A%d" % i)
    by_worker, conns = idlers_in_both_workers(srv, "PushBox", want=1)
    # the actor: a session in one worker; watchers in the other must see it
    actor_worker = worker_of(srv, setup.sock, srv.imap_port)
    watchers = [c for pid, cs in by_worker.items() if pid != actor_worker for c in cs]
    assert watchers
    setup.command("STORE 1 +FLAGS (\\Flagged)")
    for c in watchers:
        assert wait_for(c, lambda l: "FETCH" in l and "\\Flagged" in l)
    setup.command("MOVE 2 PushOther")
    for c in watchers:
        assert wait_for(c, lambda l: l == "* 2 EXPUNGE")
    setup.command("STORE 1 +FLAGS (\\Deleted)")
    setup.command("EXPUNGE")
    for c in watchers:
        assert wait_for(c, lambda l: l == "* 1 EXPUNGE")
    text = message("appended")
    setup.send("B APPEND PushBox {%d}\r\n" % len(text))
    assert setup.readline().startswith("+")
    setup.send(text + "\r\n")
    setup.until_tagged("B")
    for c in watchers:
        assert wait_for(c, exists(2))
    close_all(conns)
    setup.close()


def test_many_recipients_many_idlers(make_server):
    """A five-recipient delivery wakes every IDLE session of every recipient."""
    users = {"u%d" % i: "p%d" % i for i in range(5)}
    s = lmtp_server(make_server, users=users, workers=2)
    conns = []
    for name in users:
        for _ in range(2):
            c = s.connect()
            c.login(name)
            c.command("SELECT INBOX")
            idle(c)
            conns.append(c)
    lm = Lmtp(s)
    lm.lhlo()
    _, replies = transaction(lm, "s@x.org", list(users), message("five"))
    assert all(r.startswith("250") for r in replies)
    for c in conns:
        assert wait_for(c, exists(1))
        c.send("DONE\r\n")
        c.close()
    lm.close()
