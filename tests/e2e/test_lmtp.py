"""LMTP end to end (RFC 2033, RFC 3030, RFC 2920): Python's smtplib.LMTP
and raw sessions against a real hafend — multi-recipient delivery with
one reply per recipient, what the stored copies look like (trace
headers, Delivered-To per copy, dot-unstuffing, line ends), subaddress
mailboxes, pipelining, BDAT, unknown users, quota, size limits, limits on
recipients, lines and time, malformed commands, a unix socket, and a
storage failure that must never be answered 250."""
import os
import re
import smtplib
import socket
import subprocess
import shutil

import pytest

from conftest import Server, free_port, wait_port
from lmtp_util import Lmtp, deliver, dot_stuff, fetch_all, lmtp_server, message, transaction


@pytest.fixture(scope="module")
def srv():
    port = free_port()
    s = Server(extra_config=["listen = lmtp=127.0.0.1:%d" % port, "hostname = mx.test",
                             "local_domains = example.org localhost"],
               users={"alice": "a", "bob": "b", "carol@other.org": "c"})
    s.lmtp_port = port
    wait_port(port)
    yield s
    s.stop()


def test_greeting_and_capabilities(srv):
    c = Lmtp(srv)
    assert c.greeting == ["220 mx.test LMTP hafen ready"]
    caps = c.lhlo()
    assert caps[0] == "250-mx.test"
    names = {l[4:].split()[0] for l in caps[1:]}
    assert names == {"PIPELINING", "ENHANCEDSTATUSCODES", "8BITMIME", "SIZE", "CHUNKING"}
    assert "250-SIZE 67108864" in caps
    assert c.cmd("QUIT") == "221 2.0.0 mx.test Bye"
    assert c.closed()


def test_smtplib_multi_recipient(srv):
    before_a, before_b = len(fetch_all(srv, "alice")), len(fetch_all(srv, "bob"))
    s = smtplib.LMTP("127.0.0.1", srv.lmtp_port)
    text = message("multi", "line one\r\n.leading dot\r\n..two dots\r\nbare\nlf\r\n")
    refused = s.sendmail("sender@example.org",
                         ["alice@example.org", "nobody@example.org", "BOB@Example.Org",
                          "carol@other.org"], text.encode())
    # smtplib reads the first reply after DATA only; LMTP sends one per recipient
    more = [s.getreply() for _ in range(2)]
    s.quit()
    assert refused == {"nobody@example.org": (550, b"5.1.1 <nobody@example.org> User unknown")}
    assert [code for code, _ in more] == [250, 250]
    assert b"<BOB@Example.Org>" in more[0][1] and b"<carol@other.org>" in more[1][1]
    a = fetch_all(srv, "alice")
    b = fetch_all(srv, "bob")
    c = fetch_all(srv, "carol@other.org")
    assert len(a) == before_a + 1 and len(b) == before_b + 1 and len(c) >= 1
    got = a[-1]
    assert got.startswith(b"Delivered-To: alice@example.org\r\nReturn-Path: <sender@example.org>"
                          b"\r\nReceived: from ")
    assert b.pop().startswith(b"Delivered-To: BOB@Example.Org\r\n")
    assert c[-1].startswith(b"Delivered-To: carol@other.org\r\n")
    # no "for" with several recipients (RFC 5321 7.2)
    received = re.search(rb"Received: (.*?)\r\n(?! |\t)", got, re.S).group(1)
    assert b"for <" not in received and b"with LMTP id" in received
    assert got.endswith(b"\r\n\r\nline one\r\n.leading dot\r\n..two dots\r\nbare\r\nlf\r\n")
    assert b"\n" not in got.replace(b"\r\n", b"")


def test_single_recipient_received_for_and_header_fields(srv):
    replies = deliver(srv, ["alice@localhost"], message("single"))
    assert len(replies) == 1 and replies[0].startswith("250 2.0.0 <alice@localhost> ")
    got = fetch_all(srv, "alice")[-1]
    assert b"\r\n\tfor <alice@localhost>; " in got
    assert re.search(rb"; \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4}\r\n", got)


def test_subaddress_mailbox(srv):
    m = srv.imaplib("alice")
    m.create("Lists")
    m.logout()
    replies = deliver(srv, ["alice+Lists@example.org", "alice+nosuch@example.org"],
                      message("sub"))
    assert all(r.startswith("250 2.0.0") for r in replies), replies
    assert fetch_all(srv, "alice", "Lists")[-1].startswith(
        b"Delivered-To: alice+Lists@example.org\r\n")
    assert fetch_all(srv, "alice")[-1].startswith(b"Delivered-To: alice+nosuch@example.org\r\n")


def test_pipelining_in_one_write(srv):
    c = Lmtp(srv)
    text = message("piped")
    c.send("LHLO p\r\nMAIL FROM:<s@example.org>\r\nRCPT TO:<alice@example.org>\r\n"
           "RCPT TO:<ghost@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n")
    assert c.reply()[-1].startswith("250 CHUNKING")
    assert [c.reply()[-1][:3] for _ in range(4)] == ["250", "250", "550", "250"]
    assert c.reply()[-1].startswith("354")
    # the message, then a second transaction with BDAT, all in one write
    body = message("bdat piped").encode()
    c.send(dot_stuff(text).encode() + b".\r\nMAIL FROM:<>\r\nRCPT TO:<alice@example.org>\r\n"
           + b"BDAT %d LAST\r\n" % len(body) + body + b"NOOP\r\nQUIT\r\n")
    assert [c.reply()[-1][:9] for _ in range(2)] == ["250 2.0.0"] * 2
    assert c.reply()[-1].startswith("250 2.1.0")
    assert c.reply()[-1].startswith("250 2.1.5")
    assert c.reply()[-1].startswith("250 2.0.0 <alice@example.org>")
    assert c.reply() == ["250 2.0.0 OK"]
    assert c.reply()[-1].startswith("221")
    assert fetch_all(srv, "alice")[-1].endswith(body)
    assert b"Return-Path: <>\r\n" in fetch_all(srv, "alice")[-1]


def test_bdat_chunks(srv):
    c = Lmtp(srv)
    c.lhlo()
    assert c.cmd("MAIL FROM:<s@example.org> BODY=8BITMIME").startswith("250")
    assert c.cmd("RCPT TO:<alice@example.org>").startswith("250")
    assert c.cmd("RCPT TO:<bob@example.org>").startswith("250")
    part1 = b"Subject: chunked\r\n\r\n.not stuffed\r\n"
    part2 = "caf\u00e9 8bit\r\n".encode()
    c.send(b"BDAT %d\r\n" % len(part1) + part1)
    assert c.reply() == ["250 2.0.0 %d octets received" % len(part1)]
    assert c.cmd("DATA") == "503 5.5.1 Send MAIL FROM first"
    c.send(b"BDAT %d\r\n" % len(part2) + part2)
    assert c.reply()[-1].startswith("250 2.0.0")
    c.send(b"BDAT 0 LAST\r\n")
    assert [c.reply()[-1][:9] for _ in range(2)] == ["250 2.0.0"] * 2
    got = fetch_all(srv, "bob")[-1]
    assert got.endswith(b"\r\n\r\n.not stuffed\r\n" + part2)
    # BDAT without a transaction: the chunk is read and refused, then all is well
    c.send(b"BDAT 5 LAST\r\nHELLO")
    assert c.reply() == ["503 5.5.1 Send MAIL FROM first"]
    assert c.cmd("NOOP") == "250 2.0.0 OK"
    assert c.cmd("MAIL FROM:<s@example.org>").startswith("250")
    assert c.cmd("RCPT TO:<ghost@example.org>").startswith("550")
    c.send(b"BDAT 3 LAST\r\nabc")
    assert c.reply() == ["503 5.5.1 No valid recipients"]
    assert c.cmd("RSET") == "250 2.0.0 OK"
    c.close()


def test_unknown_user_and_no_recipients(srv):
    c = Lmtp(srv)
    c.lhlo()
    rr, data = transaction(c, "s@example.org", ["ghost@example.org", "alice@elsewhere.org"],
                           message())
    assert rr == ["550 5.1.1 <ghost@example.org> User unknown",
                  "550 5.1.1 <alice@elsewhere.org> User unknown"]
    assert data == ["503 5.5.1 No valid recipients"]
    assert c.cmd("RSET") == "250 2.0.0 OK"
    c.close()


def test_sequence_errors(srv):
    c = Lmtp(srv)
    assert c.cmd("MAIL FROM:<a@b.org>") == "503 5.5.1 Send LHLO first"
    c.lhlo()
    assert c.cmd("RCPT TO:<alice@example.org>") == "503 5.5.1 Send MAIL FROM first"
    assert c.cmd("DATA") == "503 5.5.1 Send MAIL FROM first"
    assert c.cmd("MAIL FROM:<a@b.org>").startswith("250")
    assert c.cmd("MAIL FROM:<a@b.org>") == "503 5.5.1 Nested MAIL command"
    assert c.cmd("DATA") == "503 5.5.1 No valid recipients"
    c.lhlo()  # LHLO resets the transaction
    assert c.cmd("RCPT TO:<alice@example.org>") == "503 5.5.1 Send MAIL FROM first"
    c.close()


@pytest.mark.parametrize("line,reply", [
    ("HELO x", "500 5.5.1"),
    ("EHLO x", "500 5.5.1"),
    ("XYZZY", "500 5.5.1"),
    ("MAIL FROM:<a@b.org> SIZE=abc", "501 5.5.4"),
    ("MAIL FROM:<a b@c.org>", "501 5.1.7"),
    ("MAIL FROM:<a@b.org> FOO=BAR", "555 5.5.4"),
    ("MAIL FROM:<a@b.org> BODY=BINARYMIME", "555 5.5.4"),
    ("MAIL FROM:a@b.org", "501 5.1.7"),
    ("DATA now", "501 5.5.4"),
    ("LHLO", "501 5.5.4"),
    ("\x00\x01\x02", "500 5.5.2"),
])
def test_malformed_commands(srv, line, reply):
    c = Lmtp(srv)
    c.lhlo()
    assert c.cmd(line).startswith(reply + " ")
    assert c.cmd("NOOP") == "250 2.0.0 OK"
    c.close()


def test_bad_rcpt_syntax(srv):
    c = Lmtp(srv)
    c.lhlo()
    c.cmd("MAIL FROM:<>")
    assert c.cmd("RCPT TO:<>").startswith("501 5.1.3")
    assert c.cmd("RCPT TO:<alice@example.org> NOTIFY=NEVER").startswith("555 5.5.4")
    assert c.cmd("RCPT TO:<\"alice\"@example.org>").startswith("550 5.1.1")
    c.close()


def test_overlong_line_then_more(srv):
    c = Lmtp(srv)
    c.lhlo()
    assert c.cmd("NOOP " + "x" * 5000) == "500 5.5.2 Line too long"
    c.send("NOOP " + "y" * 100000 + "\r\n")
    assert c.reply() == ["500 5.5.2 Line too long"]
    assert c.cmd("NOOP") == "250 2.0.0 OK"
    c.close()


def test_too_many_errors_closes(srv):
    c = Lmtp(srv)
    c.send("BOGUS\r\n" * 25)
    replies = [c.reply()[-1] for _ in range(20)]
    assert all(r.startswith("500") for r in replies)
    assert c.reply()[-1].startswith("421 4.7.0")
    assert c.closed()


def test_bdat_syntax_error_closes(srv):
    c = Lmtp(srv)
    c.lhlo()
    assert c.cmd("BDAT lots").startswith("501 5.5.4")
    assert c.closed()


def test_client_that_does_not_read_is_paused(srv):
    c = Lmtp(srv)
    c.sock.settimeout(5)
    sent = 0
    try:
        while sent < 64 << 20:
            c.sock.send(b"NOOP\r\n" * 10000)
            sent += 60000
    except (socket.timeout, BlockingIOError):
        pass
    assert sent < 64 << 20  # the server stopped reading
    c.close()
    assert deliver(srv, ["alice@example.org"])[0].startswith("250")


def test_dot_stuffing_and_line_ends_stored_exactly(srv):
    body = "a\r\n.\r\n..\r\n.x\r\n \r\nend"
    deliver(srv, ["bob@example.org"], message("dots", body))
    got = fetch_all(srv, "bob")[-1]
    assert got.endswith(b"\r\n\r\na\r\n.\r\n..\r\n.x\r\n \r\nend\r\n")


def test_8bit_and_binary_bytes(srv):
    c = Lmtp(srv)
    c.lhlo()
    c.cmd("MAIL FROM:<s@example.org> BODY=8BITMIME")
    c.cmd("RCPT TO:<bob@example.org>")
    c.cmd("DATA")
    c.send(b"Subject: 8bit\r\n\r\n\xc3\xa9t\xc3\xa9 \x00\x01\xff\r\n.\r\n")
    assert c.reply()[-1].startswith("250")
    assert fetch_all(srv, "bob")[-1].endswith(b"\xc3\xa9t\xc3\xa9 \x00\x01\xff\r\n")
    c.close()


# ---- limits and failures on servers of their own ----

def test_size_limits(make_server):
    s = lmtp_server(make_server, "lmtp_max_message_size = 2k")
    c = Lmtp(s)
    caps = c.lhlo()
    assert "250-SIZE 2048" in caps
    assert c.cmd("MAIL FROM:<s@x.org> SIZE=4096") == "552 5.3.4 Message size exceeds fixed limit"
    rr, data = transaction(c, "s@x.org", ["alice", "bob"], message("big", "x" * 3000 + "\r\n"))
    assert data == ["552 5.3.4 <alice> Message too big", "552 5.3.4 <bob> Message too big"]
    assert c.cmd("MAIL FROM:<s@x.org>").startswith("250")
    assert c.cmd("RCPT TO:<alice>").startswith("250")
    c.send(b"BDAT 1500\r\n" + b"y" * 1500)
    assert c.reply()[-1].startswith("250 2.0.0")
    c.send(b"BDAT 1000 LAST\r\n" + b"z" * 1000)
    assert c.reply() == ["552 5.3.4 <alice> Message too big"]
    assert c.cmd("MAIL FROM:<s@x.org>").startswith("250")
    assert c.cmd("RCPT TO:<alice>").startswith("250")
    c.send(b"BDAT 3000\r\n" + b"y" * 3000)
    assert c.reply() == ["552 5.3.4 Message too big"]
    assert c.cmd("RCPT TO:<alice>") == "503 5.5.1 Send MAIL FROM first"
    assert fetch_all(s, "alice") == []
    assert transaction(c, "s@x.org", ["alice"], message("fits"))[1][0].startswith("250")


def test_recipient_limit(make_server):
    s = lmtp_server(make_server, "lmtp_max_recipients = 2")
    c = Lmtp(s)
    c.lhlo()
    rr, data = transaction(c, "s@x.org", ["alice", "bob", "alice"], message())
    assert rr[2] == "452 4.5.3 Too many recipients"
    assert len(data) == 2 and all(d.startswith("250") for d in data)


@pytest.mark.parametrize("tempfail", [False, True])
def test_over_quota(make_server, tempfail):
    s = lmtp_server(make_server, "lmtp_quota_tempfail = %s" % ("yes" if tempfail else "no"))
    code = "452 4.2.2" if tempfail else "552 5.2.2"
    s.hafend("user", "quota", "alice", "--storage", "2000")
    c = Lmtp(s)
    c.lhlo()
    # announced too big for what is left: refused at RCPT
    assert c.cmd("MAIL FROM:<s@x.org> SIZE=5000").startswith("250")
    assert c.cmd("RCPT TO:<alice>") == code + " <alice> Mailbox full"
    assert c.cmd("RCPT TO:<bob>").startswith("250")
    assert c.cmd("RSET").startswith("250")
    # not announced: accepted at RCPT, refused after the message
    rr, data = transaction(c, "s@x.org", ["alice", "bob"], message("q", "x" * 3000))
    assert data[0] == code + " <alice> Mailbox full"
    assert data[1].startswith("250 2.0.0 <bob>")
    assert fetch_all(s, "alice") == []
    assert len(fetch_all(s, "bob")) == 1
    # small messages fit until the quota is used up
    replies = [deliver(s, ["alice"], message("small%d" % i))[0] for i in range(8)]
    assert replies[0].startswith("250")
    assert replies[-1] == code + " <alice> Mailbox full"
    # a message-count quota that is used up: refused at RCPT
    stored = len(fetch_all(s, "alice"))
    s.hafend("user", "quota", "alice", "--storage", "0", "--messages", str(stored))
    assert c.cmd("MAIL FROM:<s@x.org>").startswith("250")
    assert c.cmd("RCPT TO:<alice>") == code + " <alice> Mailbox full"


def test_timeout(make_server):
    s = lmtp_server(make_server, "lmtp_timeout = 1")
    c = Lmtp(s)
    c.lhlo()
    c.sock.settimeout(5)
    assert c.reply()[-1].startswith("421 4.4.2")
    assert c.closed()


def test_unix_socket(make_server):
    path = os.path.join(os.environ.get("TMPDIR", "/tmp"), "hafen-lmtp-%d.sock" % os.getpid())
    s = make_server("listen = lmtp=unix:%s" % path)
    lm = smtplib.LMTP(path)
    assert lm.sendmail("s@x.org", ["alice"], message("unix").encode()) == {}
    lm.quit()
    got = fetch_all(s, "alice")[-1]
    assert b"Received: from " in got and b"(unix)" in got


def test_storage_failure_is_451_never_250(make_server):
    s = lmtp_server(make_server)
    deliver(s, ["alice"], message("first"))  # the store exists now
    msgdir = os.path.join(s.data, "users", "alice", "msg")
    mode = os.stat(msgdir).st_mode
    saved = []
    for sub in os.listdir(msgdir):
        p = os.path.join(msgdir, sub)
        if os.path.isdir(p):
            saved.append((p, os.stat(p).st_mode))
            os.chmod(p, 0o500)
    os.chmod(msgdir, 0o500)
    try:
        replies = deliver(s, ["alice", "bob"], message("fail"))
    finally:
        os.chmod(msgdir, mode)
        for p, m in saved:
            os.chmod(p, m)
    if os.stat(msgdir).st_uid == 0:
        pytest.skip("the server runs as root here: permissions do not stop it")
    assert replies[0] == "451 4.3.0 <alice> Temporary failure, try again later"
    assert replies[1].startswith("250 2.0.0 <bob>")
    assert len(fetch_all(s, "alice")) == 1


def test_swaks(srv):
    if shutil.which("swaks") is None:
        pytest.skip("swaks is not installed")
    before = len(fetch_all(srv, "alice"))
    r = subprocess.run(["swaks", "--protocol", "LMTP", "--server", "127.0.0.1",
                        "--port", str(srv.lmtp_port), "--from", "sw@example.org",
                        "--to", "alice@example.org,ghost@example.org,bob@example.org",
                        "--header", "Subject: from swaks", "--body", ".dot line\nend",
                        "--pipeline"], capture_output=True, text=True, timeout=60)
    out = r.stdout
    assert "550 5.1.1 <ghost@example.org> User unknown" in out, out
    assert out.count("250 2.0.0 <") == 2, out
    got = fetch_all(srv, "alice")
    assert len(got) == before + 1
    assert b"Subject: from swaks" in got[-1] and b"\r\n.dot line\r\nend" in got[-1]


def test_swaks_rejected_by_size(make_server):
    if shutil.which("swaks") is None:
        pytest.skip("swaks is not installed")
    s = lmtp_server(make_server, "lmtp_max_message_size = 1k")
    r = subprocess.run(["swaks", "--protocol", "LMTP", "--server", "127.0.0.1",
                        "--port", str(s.lmtp_port), "--from", "sw@example.org",
                        "--to", "alice", "--body", "x" * 4000], capture_output=True,
                       text=True, timeout=60)
    assert "552 5.3.4" in r.stdout, r.stdout
    assert r.returncode != 0



def test_concurrent_first_deliveries(make_server):
    # A user who never logged in gets sixteen deliveries at once over sixteen
    # connections, which the kernel spreads over both workers: the store is
    # opened at RCPT, and a worker that finds the directory made but
    # store.db not there yet must wait for it, never answer 451.
    import threading
    s = lmtp_server(make_server, workers=2)
    s.hafend("user", "add", "frank", stdin="pw\n")
    s.passwords["frank"] = "pw"
    conns = [Lmtp(s) for _ in range(16)]
    for c in conns:
        c.lhlo()
    start = threading.Barrier(len(conns))
    replies = [None] * len(conns)

    def transact(i):
        c = conns[i]
        start.wait(10)
        c.send("MAIL FROM:<race@example.org>\r\nRCPT TO:<frank>\r\nDATA\r\n")
        got = [c.reply()[-1] for _ in range(3)]
        if got[2].startswith("354"):
            c.send(message("race %d" % i) + ".\r\n")
            got.append(c.reply()[-1])
        replies[i] = got

    threads = [threading.Thread(target=transact, args=(i,)) for i in range(len(conns))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    for c in conns:
        c.close()
    assert all(r is not None and len(r) == 4 and r[1].startswith("250") and
               r[3].startswith("250") for r in replies), replies
    assert len(fetch_all(s, "frank")) == len(conns)
