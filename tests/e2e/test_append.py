"""APPEND (RFC 9051 6.3.12): flags, internal date, APPENDUID (RFC 4315),
MULTIAPPEND (RFC 3502), TRYCREATE, OVERQUOTA, TOOBIG and APPENDLIMIT
(RFC 7889), literal8 (RFC 3516), UTF8 data (RFC 6855), visibility to this
and other sessions, a 30 MB message in bounded memory, and kill -9 during
APPEND losing nothing acknowledged.
"""
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import threading
import time

import pytest

import storeview as sv
from conftest import wait_port


def login(server, user="alice"):
    c = server.connect()
    c.login(user)
    return c


def test_capabilities_after_login_only(server):
    c = server.connect()
    assert "MULTIAPPEND" not in c.greeting
    assert "APPENDLIMIT" not in c.greeting
    tagged = c.login()
    caps = tagged.split("[CAPABILITY ", 1)[1].split("]")[0].split()
    assert "MULTIAPPEND" in caps
    assert "APPENDLIMIT=%d" % (64 << 20) in caps
    assert caps.count("MULTIAPPEND") == 1
    c.close()


def test_append_flags_date_appenduid(server):
    c = login(server)
    before = sv.mailbox(server, "Drafts")
    msg = sv.message(1)
    c.send(b'a1 APPEND Drafts (\\Seen \\draft $Label1 Work) "05-Jan-2024 10:00:00 +0100" {%d}\r\n'
           % len(msg))
    assert c.readline().startswith("+ ")
    c.send(msg + b"\r\n")
    untagged, tagged = c.until_tagged("a1")
    assert untagged == []
    assert tagged == "a1 OK [APPENDUID %d %d] APPEND completed" % (
        before["uidvalidity"], before["uidnext"])
    m = sv.messages(server, "Drafts")[-1]
    assert m["uid"] == before["uidnext"]
    assert m["flags"] == {"\\Seen", "\\Draft"}
    assert sorted(m["keywords"]) == ["$Label1", "Work"]
    assert m["internaldate"] == 1704445200 and m["tz"] == 60
    assert m["data"] == msg
    c.close()


def test_append_defaults_and_negative_zone(server):
    c = login(server)
    msg = sv.message(2)
    t0 = int(time.time())
    untagged, tagged = sv.append(c, "Drafts", msg)
    v, uid = sv.appenduid(tagged)
    m = sv.messages(server, "Drafts")[-1]
    assert m["uid"] == int(uid) and m["flags"] == set() and m["keywords"] == []
    assert t0 - 2 <= m["internaldate"] <= time.time() + 2
    # A space-padded day and a zone west of UTC.
    untagged, tagged = sv.append(c, "Drafts", msg, date=" 1-Feb-2020 23:30:00 -0800")
    sv.appenduid(tagged)
    m = sv.messages(server, "Drafts")[-1]
    assert m["internaldate"] == 1580628600 and m["tz"] == -480
    c.close()


def test_append_bad_flags_and_dates(server):
    c = login(server)
    before = sv.mailbox(server, "Drafts")["uidnext"]
    for flags, date in (("\\Recent", None), ("\\Seen \\Recent", None), ("\\Bogus", None),
                        (None, "31-Feb-2024 10:00:00 +0000"), (None, "05-Jan-2024 25:00:00 +0000"),
                        (None, "05-Foo-2024 10:00:00 +0000"), ("\\*", None)):
        untagged, tagged = sv.append(c, "Drafts", sv.message(3), flags=flags, date=date)
        assert tagged.split()[1] == "BAD", (flags, date, tagged)
    assert sv.mailbox(server, "Drafts")["uidnext"] == before
    # The session still works after each of them.
    untagged, tagged = c.command("NOOP")
    assert "OK" in tagged
    c.close()


def test_append_trycreate_and_invalid_names(server):
    c = login(server)
    untagged, tagged = sv.append(c, "NoSuchBox", sv.message(4))
    assert tagged.split(" ", 1)[1] == "NO [TRYCREATE] Mailbox does not exist"
    # A name that is not modified UTF-7 for an IMAP4rev1 client.
    untagged, tagged = sv.append(c, '"bad&name"', sv.message(4))
    assert tagged.split(" ", 1)[1].startswith("NO [CANNOT]")
    c.close()


def test_append_empty_message_refused(server):
    c = login(server)
    c.send(b"e1 APPEND Drafts {0+}\r\n\r\n")
    untagged, tagged = c.until_tagged("e1")
    assert tagged.startswith("e1 NO ")
    c.close()


def test_append_inbox_any_case(server):
    c = login(server)
    before = sv.mailbox(server, "INBOX")["uidnext"]
    untagged, tagged = sv.append(c, "inBox", sv.message(5))
    assert sv.appenduid(tagged)[1] == str(before)
    c.close()


def test_multiappend_all_or_none(server):
    c = login(server, "bob")
    mb = sv.mailbox(server, "Archive", "bob")
    m1, m2, m3 = sv.message(10), sv.message(11, size=4000), sv.message(12)
    wire = (b"m1 APPEND Archive (\\Flagged) {%d+}\r\n%s (\\Seen) \"01-Jan-2021 00:00:00 +0000\""
            b" {%d+}\r\n%s {%d+}\r\n%s\r\n" % (len(m1), m1, len(m2), m2, len(m3), m3))
    c.send(wire)
    untagged, tagged = c.until_tagged("m1")
    first = mb["uidnext"]
    assert tagged == "m1 OK [APPENDUID %d %d:%d] APPEND completed" % (
        mb["uidvalidity"], first, first + 2)
    got = sv.messages(server, "Archive", "bob")[-3:]
    assert [m["data"] for m in got] == [m1, m2, m3]
    assert [m["flags"] for m in got] == [{"\\Flagged"}, {"\\Seen"}, set()]
    assert got[1]["internaldate"] == 1609459200
    # RFC 3502 section 6: one bad message and none is appended.
    c.send(b"m2 APPEND Archive {%d+}\r\n%s (\\Recent) {%d+}\r\n%s\r\n"
           % (len(m1), m1, len(m2), m2))
    untagged, tagged = c.until_tagged("m2")
    assert tagged.startswith("m2 BAD")
    c.send(b"m3 APPEND Archive {%d+}\r\n%s {0+}\r\n\r\n" % (len(m1), m1))
    untagged, tagged = c.until_tagged("m3")
    assert tagged.startswith("m3 NO")
    assert sv.mailbox(server, "Archive", "bob")["messages"] == mb["messages"] + 3
    c.close()


def test_multiappend_streamed_and_in_memory(server):
    """Large literals go to the temporary-file sink, small ones stay in
    memory; both kinds in one command, each stored byte for byte."""
    c = login(server, "bob")
    big1, small, big2 = sv.message(20, size=700000), sv.message(21), sv.message(22, size=300000)
    c.send(b"s1 APPEND Sent {%d}\r\n" % len(big1))
    assert c.readline().startswith("+ ")
    c.send(big1 + b" {%d}\r\n" % len(small))
    assert c.readline().startswith("+ ")
    c.send(small + b" {%d+}\r\n" % len(big2) + big2 + b"\r\n")
    untagged, tagged = c.until_tagged("s1")
    assert " OK [APPENDUID " in tagged
    got = sv.messages(server, "Sent", "bob")[-3:]
    assert [m["data"] for m in got] == [big1, small, big2]
    c.close()


def test_append_to_selected_mailbox_reports_exists(server):
    c = login(server)
    untagged, tagged = c.command("SELECT Junk")
    exists = int([l for l in untagged if l.endswith(" EXISTS")][0].split()[1])
    untagged, tagged = sv.append(c, "Junk", sv.message(30))
    assert untagged == ["* %d EXISTS" % (exists + 1), "* 1 RECENT"]
    assert " OK [APPENDUID " in tagged
    c.close()
    c = login(server)
    c.command("ENABLE IMAP4rev2")
    untagged, tagged = c.command("SELECT Junk")
    untagged, tagged = sv.append(c, "Junk", sv.message(31))
    assert untagged == ["* %d EXISTS" % (exists + 2)]
    c.close()


def test_append_seen_by_other_session_noop_and_idle(server):
    a = login(server)
    b = login(server)
    untagged, tagged = b.command("SELECT Trash")
    exists = int([l for l in untagged if l.endswith(" EXISTS")][0].split()[1])
    sv.append(a, "Trash", sv.message(40))
    untagged, tagged = b.command("NOOP")
    assert "* %d EXISTS" % (exists + 1) in untagged
    # IDLE: pushed while idling.
    b.send("i1 IDLE\r\n")
    assert b.readline() == "+ idling"
    sv.append(a, "Trash", sv.message(41))
    assert b.readline() == "* %d EXISTS" % (exists + 2)
    b.send("DONE\r\n")
    untagged, tagged = b.until_tagged("i1")
    assert tagged == "i1 OK IDLE terminated"
    a.close()
    b.close()


def test_literal8_binary_message(server):
    c = login(server)
    msg = b"Subject: bin\r\nContent-Transfer-Encoding: binary\r\n\r\nA\x00B\x01\xff\r\n"
    c.send(b"b1 APPEND Drafts ~{%d+}\r\n%s\r\n" % (len(msg), msg))
    untagged, tagged = c.until_tagged("b1")
    assert " OK [APPENDUID " in tagged
    assert sv.messages(server, "Drafts")[-1]["data"] == msg
    c.close()


def test_utf8_append(server):
    msg = "Subject: Grüße\r\nFrom: jörg@example.com\r\n\r\nHallo\r\n".encode()
    c = login(server)
    # RFC 6855 section 4: UTF8 data needs UTF8=ACCEPT enabled ...
    c.send(b"u1 APPEND Drafts UTF8 (~{%d+}\r\n%s)\r\n" % (len(msg), msg))
    untagged, tagged = c.until_tagged("u1")
    assert tagged.startswith("u1 BAD")
    # ... and so do 8-bit header fields sent without it.
    untagged, tagged = sv.append(c, "Drafts", msg)
    assert tagged.split(" ", 1)[1].startswith("NO ")
    # 8-bit in the body alone is fine (RFC 9051 6.3.12).
    body8 = b"Subject: plain\r\n\r\nK\xc3\xa4se\r\n"
    untagged, tagged = sv.append(c, "Drafts", body8)
    assert " OK [APPENDUID " in tagged
    untagged, tagged = c.command("ENABLE UTF8=ACCEPT")
    assert "OK" in tagged
    c.send(b"u2 APPEND Drafts UTF8 (~{%d+}\r\n%s)\r\n" % (len(msg), msg))
    untagged, tagged = c.until_tagged("u2")
    assert " OK [APPENDUID " in tagged
    assert sv.messages(server, "Drafts")[-1]["data"] == msg
    untagged, tagged = sv.append(c, "Drafts", msg)
    assert " OK [APPENDUID " in tagged
    c.close()
    # IMAP4rev2 allows 8-bit header fields (RFC 6532) as well.
    c = login(server)
    c.command("ENABLE IMAP4rev2")
    untagged, tagged = sv.append(c, "Drafts", msg)
    assert " OK [APPENDUID " in tagged
    c.close()


def test_imaplib_append(server):
    m = server.imaplib("bob")
    typ, data = m.append("INBOX", "(\\Flagged)", None, sv.message(50))
    assert typ == "OK"
    assert data[0].startswith(b"[APPENDUID ")
    m.logout()


def test_curl_append(server, tmp_path):
    """curl -T uploads with APPEND (INTEROP.md)."""
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    msg = sv.message(51, subject="from curl")
    path = tmp_path / "m.eml"
    path.write_bytes(msg)
    r = subprocess.run(["curl", "-sS", "-u", "bob:%s" % server.passwords["bob"],
                        "imap://127.0.0.1:%d/Drafts" % server.imap_port, "-T", str(path)],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    got = sv.messages(server, "Drafts", "bob")[-1]
    assert got["data"] == msg and got["flags"] == {"\\Seen"}


def test_toobig_and_overquota(make_server):
    s = make_server("append_limit = 100000")
    c = login(s)
    assert "APPENDLIMIT=100000" in c.command("CAPABILITY")[0][0]
    # Announced above APPENDLIMIT: refused before the data is sent.
    c.send(b"t1 APPEND INBOX {100001}\r\n")
    assert c.readline().startswith("t1 NO [TOOBIG] ")
    # A non-synchronizing one is refused too, its bytes skipped.
    c.send(b"t2 APPEND INBOX {100001+}\r\n" + b"x" * 100001 + b"\r\nt3 NOOP\r\n")
    assert c.readline().startswith("t2 NO [TOOBIG]")
    assert c.until_tagged("t3")[1] == "t3 OK NOOP completed"
    # Exactly at the limit is fine.
    untagged, tagged = sv.append(c, "INBOX", sv.message(60, size=100000))
    assert " OK [APPENDUID " in tagged
    s.hafend("user", "quota", "alice", "--storage", "150000")
    untagged, tagged = sv.append(c, "INBOX", sv.message(61, size=60000))
    assert tagged.split(" ", 1)[1] == "NO [OVERQUOTA] Quota exceeded"
    # MULTIAPPEND over quota as a whole: none of them.
    m1, m2 = sv.message(62, size=30000), sv.message(63, size=30000)
    c.send(b"q1 APPEND INBOX {%d+}\r\n%s {%d+}\r\n%s\r\n" % (len(m1), m1, len(m2), m2))
    assert c.until_tagged("q1")[1] == "q1 NO [OVERQUOTA] Quota exceeded"
    assert sv.mailbox(s, "INBOX")["messages"] == 1
    untagged, tagged = sv.append(c, "INBOX", m1)
    assert " OK [APPENDUID " in tagged
    c.close()


def msg_files(path):
    return sorted(os.path.join(d, f) for d, _, files in os.walk(path) for f in files)


def test_interrupted_append_leaves_nothing(make_server):
    s = make_server(workers=1)
    worker = sv.worker_pids(s)[0]
    msg_dir = os.path.join(sv.user_dir(s), "msg")
    c = login(s)
    sv.append(c, "INBOX", sv.message(70))
    files_before = msg_files(msg_dir)
    c.send(b"x1 APPEND INBOX {2000000+}\r\n" + b"y" * 1000000)
    assert sv.wait_for(lambda: sv.unnamed_files(worker) == 1)
    c.sock.shutdown(socket.SHUT_RDWR)
    c.close()
    assert sv.wait_for(lambda: sv.unnamed_files(worker) == 0)
    assert msg_files(msg_dir) == files_before
    assert sv.mailbox(s, "INBOX")["messages"] == 1
    # A command that fails after its literal arrived releases it too.
    c = login(s)
    big = sv.message(71, size=400000)
    c.send(b"x2 APPEND INBOX (\\Recent) {%d+}\r\n%s\r\n" % (len(big), big))
    assert c.until_tagged("x2")[1].startswith("x2 BAD")
    assert sv.unnamed_files(worker) == 0
    untagged, tagged = sv.append(c, "NoSuchBox", big)
    assert "[TRYCREATE]" in tagged
    assert sv.unnamed_files(worker) == 0
    assert msg_files(msg_dir) == files_before
    c.close()


def test_30mb_append_bounded_memory(make_server, monkeypatch):
    # AddressSanitizer keeps freed memory in quarantine, which would count
    # every transient buffer; measure what the server really holds.
    asan = os.environ.get("ASAN_OPTIONS", "")
    monkeypatch.setenv("ASAN_OPTIONS", (asan + ":" if asan else "") + "quarantine_size_mb=0")
    s = make_server(workers=1)
    worker = sv.worker_pids(s)[0]
    size = 30 * 1024 * 1024
    msg = sv.message(80, size=size)
    c = login(s)
    sv.append(c, "INBOX", sv.message(81))  # warm up the store and the session
    rss_before = sv.proc_status(worker, "VmRSS")
    c.send(b"big APPEND INBOX {%d}\r\n" % len(msg))
    assert c.readline().startswith("+ ")
    c.sock.sendall(msg + b"\r\n")
    untagged, tagged = c.until_tagged("big")
    assert " OK [APPENDUID " in tagged
    hwm = sv.proc_status(worker, "VmHWM")
    growth_mb = (hwm - rss_before) / 1024
    # The message once (mapped while parsed and written) plus slack for
    # the parse results and the sanitizers' own bookkeeping.
    assert growth_mb < 30 * 1.5 + 16, "worker grew by %.1f MB" % growth_mb
    stored = sv.messages(s, "INBOX")[-1]
    assert stored["size"] == size
    assert hashlib.sha256(stored["data"]).digest() == hashlib.sha256(msg).digest()
    c.close()


def _kill_all(s):
    pids = sv.worker_pids(s)
    os.kill(s.proc.pid, signal.SIGKILL)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    s.proc.wait()
    for pid in pids:
        sv.wait_for(lambda: not os.path.exists("/proc/%d" % pid) or
                    open("/proc/%d/status" % pid).read().find("State:\tZ") >= 0)


def _restart(s):
    s.proc = subprocess.Popen([s.binary, "serve", "-c", s.config], stdout=s.log,
                              stderr=subprocess.STDOUT)
    wait_port(s.imap_port)


def test_kill9_during_append_loses_nothing_acknowledged(make_server):
    s = make_server(workers=1)
    acked = {}
    stop = threading.Event()

    def writer():
        c = login(s)
        n = 0
        try:
            while not stop.is_set():
                n += 1
                msg = sv.message(1000 + n, size=20000 + (n % 7) * 50000)
                untagged, tagged = sv.append(c, "INBOX", msg)
                v, uid = sv.appenduid(tagged)
                acked[int(uid)] = msg
        except (EOFError, OSError):
            pass

    t = threading.Thread(target=writer)
    t.start()
    assert sv.wait_for(lambda: len(acked) >= 15, timeout=30)
    # Leave one large APPEND half sent while the server dies.
    c = login(s)
    c.send(b"h1 APPEND INBOX {5000000+}\r\n" + b"z" * 2000000)
    _kill_all(s)
    stop.set()
    t.join(timeout=20)
    assert not t.is_alive()
    c.close()
    _restart(s)
    stored = {m["uid"]: m["data"] for m in sv.messages(s, "INBOX")}
    for uid, msg in acked.items():
        assert stored.get(uid) == msg, "acknowledged UID %d lost" % uid
    assert all(not d.startswith(b"z") for d in stored.values())
    # The store is consistent: every row has its complete file (a file
    # written before the crash but never committed is an allowed orphan).
    r = s.hafend("check", "alice")
    assert " 0 missing, 0 wrong size," in r.stdout, r.stdout
    c = login(s)
    untagged, tagged = c.command("SELECT INBOX")
    assert "* %d EXISTS" % len(stored) in untagged
    untagged, tagged = sv.append(c, "INBOX", sv.message(2000))
    assert int(sv.appenduid(tagged)[1]) > max(acked)
    c.close()
