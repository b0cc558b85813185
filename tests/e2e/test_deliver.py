"""`hafend deliver` end to end: a message piped in as an MTA would, its
exit codes from sysexits(3) (0 delivered, 65 malformed or too big, 67
unknown user, 73 or 75 over quota, 75 storage trouble, 64 usage), and
the stored copy: the same trace headers as LMTP, the sender from -f or a
leading From_ line, -m and subaddress mailboxes."""
import os
import subprocess

import pytest

from lmtp_util import fetch_all, message


def run(server, *args, data=b""):
    if isinstance(data, str):
        data = data.encode()
    return subprocess.run([server.binary, "deliver", "-c", server.config, *args], input=data,
                          capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def srv():
    from conftest import Server
    s = Server(extra_config=["hostname = mx.test", "lmtp_max_message_size = 100k"])
    yield s
    s.stop()


def test_delivered(srv):
    r = run(srv, "-f", "sender@example.org", "alice", data=message("piped", "a\n.b\n"))
    assert r.returncode == 0, r.stderr
    assert r.stderr == b""
    got = fetch_all(srv, "alice")[-1]
    assert got.startswith(b"Delivered-To: alice\r\nReturn-Path: <sender@example.org>\r\n"
                          b"Received: by mx.test (hafen) with local id ")
    assert b"\r\n\tfor <alice>; " in got
    assert got.endswith(b"\r\n\r\na\r\n.b\r\n")


def test_from_line_gives_the_sender(srv):
    text = "From bounce@lists.example Thu Nov 26 00:00:00 2026\n" + message("fromline")
    assert run(srv, "alice@localhost", data=text).returncode == 0
    got = fetch_all(srv, "alice")[-1]
    assert got.startswith(b"Delivered-To: alice@localhost\r\nReturn-Path: <bounce@lists.example>")
    assert b"From bounce@" not in got
    text = "From MAILER-DAEMON Thu Nov 26 00:00:00 2026\n" + message("bounce")
    assert run(srv, "-f", "x@y.org", "alice", data=text).returncode == 0
    assert b"Return-Path: <x@y.org>\r\n" in fetch_all(srv, "alice")[-1]
    assert run(srv, "alice", data=text).returncode == 0
    assert b"Return-Path: <>\r\n" in fetch_all(srv, "alice")[-1]


def test_mailbox_choice(srv):
    m = srv.imaplib("bob")
    m.create("Lists")
    m.logout()
    assert run(srv, "bob+Lists", data=message("detail")).returncode == 0
    assert fetch_all(srv, "bob", "Lists")[-1].startswith(b"Delivered-To: bob+Lists\r\n")
    assert run(srv, "-m", "Trash", "-a", "bob@example.org", "bob",
               data=message("minus m")).returncode == 0
    assert fetch_all(srv, "bob", "Trash")[-1].startswith(b"Delivered-To: bob@example.org\r\n")
    assert run(srv, "-m", "No/Such", "bob", data=message("fallback")).returncode == 0
    assert b"Subject: fallback" in fetch_all(srv, "bob")[-1]


@pytest.mark.parametrize("args,data,code,text", [
    (["nobody"], "Subject: x\n\nhi\n", 67, b"5.1.1 <nobody>: user unknown"),
    (["alice@elsewhere.example"], "Subject: x\n\nhi\n", 67, b"5.1.1"),
    (["alice"], "", 65, b"5.6.0 empty message"),
    (["alice"], "From a@b Thu Nov 26 00:00:00 2026\n", 65, b"5.6.0 empty message"),
    (["alice"], "BIG", 65, b"5.3.4 message too big"),
    ([], "Subject: x\n\nhi\n", 64, b"usage"),
    (["-f"], "Subject: x\n\nhi\n", 64, b"usage"),
    (["alice", "bob"], "Subject: x\n\nhi\n", 64, b"usage"),
    (["--bogus", "alice"], "Subject: x\n\nhi\n", 64, b"usage"),
])
def test_failures(srv, args, data, code, text):
    before = len(fetch_all(srv, "alice"))
    if data == "BIG":
        data = "x" * 200000  # past lmtp_max_message_size
    r = run(srv, *args, data=data)
    assert r.returncode == code, r.stderr
    assert text in r.stderr
    assert len(fetch_all(srv, "alice")) == before


@pytest.mark.parametrize("tempfail,code,status", [(False, 73, b"5.2.2"), (True, 75, b"4.2.2")])
def test_over_quota(make_server, tempfail, code, status):
    s = make_server("lmtp_quota_tempfail = %s" % ("yes" if tempfail else "no"))
    s.hafend("user", "quota", "alice", "--messages", "1")
    assert run(s, "alice", data=message("one")).returncode == 0
    r = run(s, "alice", data=message("two"))
    assert r.returncode == code
    assert status + b" <alice>: mailbox full" in r.stderr
    assert len(fetch_all(s, "alice")) == 1


def test_storage_failure_is_tempfail(srv):
    assert run(srv, "alice", data=message("exists")).returncode == 0
    msgdir = os.path.join(srv.data, "users", "alice", "msg")
    if os.stat(msgdir).st_uid == 0:
        pytest.skip("deliver runs as root here: permissions do not stop it")
    dirs = [msgdir] + [os.path.join(msgdir, d) for d in os.listdir(msgdir)]
    modes = [(d, os.stat(d).st_mode) for d in dirs if os.path.isdir(d)]
    for d, _ in modes:
        os.chmod(d, 0o500)
    try:
        r = run(srv, "alice", data=message("fails"))
    finally:
        for d, m in modes:
            os.chmod(d, m)
    assert r.returncode == 75
    assert b"4.3.0 temporary failure" in r.stderr


def test_user_without_store_yet(make_server):
    s = make_server()
    s.hafend("user", "add", "dave", stdin="pw\n")
    r = run(s, "dave", data=message("first ever"))
    assert r.returncode == 0, r.stderr
    s.passwords["dave"] = "pw"
    assert len(fetch_all(s, "dave")) == 1


def test_concurrent_first_deliveries(make_server):
    # Eight deliveries race to create a new user's store (an MTA with
    # parallel pipe processes): each must succeed, none may find the
    # directory made but the database not yet there.
    s = make_server()
    s.hafend("user", "add", "erin", stdin="pw\n")
    s.passwords["erin"] = "pw"
    text = message("race").encode()
    procs = [subprocess.Popen([s.binary, "deliver", "-c", s.config, "erin"],
                              stdin=subprocess.PIPE, stderr=subprocess.PIPE)
             for _ in range(8)]
    for p in procs:
        p.stdin.write(text)
        p.stdin.close()
    codes = [(p.wait(timeout=60), p.stderr.read()) for p in procs]
    assert all(c == 0 for c, _ in codes), codes
    assert len(fetch_all(s, "erin")) == 8
