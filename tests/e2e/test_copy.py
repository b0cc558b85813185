"""COPY, MOVE and their UID forms (RFC 9051 6.4.7, 6.4.8; RFC 6851):
COPYUID (RFC 4315) with sets paired by position, TRYCREATE, OVERQUOTA,
MOVE's untagged COPYUID then EXPUNGE responses, copies into the selected
mailbox, and what other sessions see.
"""
import pytest

import storeview as sv


@pytest.fixture
def srv(make_server):
    return make_server()


def run(c, text):
    untagged, tagged = c.command(text)
    return untagged, tagged.split(" ", 1)[1]


def session(server, count=0, mailbox="INBOX", rev2=True, user="alice"):
    c = server.connect()
    c.login(user)
    if rev2:
        assert run(c, "ENABLE IMAP4rev2")[1].startswith("OK")
    if count:
        sv.fill(c, mailbox, count)
    sv.select(c, mailbox)
    return c


def strip(m):
    return {k: m[k] for k in ("flags", "keywords", "internaldate", "tz", "data")}


def test_capabilities(srv):
    c = srv.connect()
    assert "UIDPLUS" not in c.greeting and " MOVE" not in c.greeting
    caps = c.login().split("[CAPABILITY ", 1)[1].split("]")[0].split()
    assert "UIDPLUS" in caps and "MOVE" in caps
    c.close()


def test_copy_keeps_everything(srv):
    c = session(srv, count=4)
    sv.append(c, "INBOX", sv.message(9), flags="\\Flagged $Work", date="02-Mar-2019 08:00:00 +0530")
    trash = sv.mailbox(srv, "Trash")
    untagged, tagged = run(c, "COPY 2,4:5 Trash")
    assert untagged == []
    assert tagged == "OK [COPYUID %d 2,4:5 1:3] COPY completed" % trash["uidvalidity"]
    src = sv.messages(srv, "INBOX")
    dst = sv.messages(srv, "Trash")
    assert [strip(m) for m in dst] == [strip(src[1]), strip(src[3]), strip(src[4])]
    assert dst[2]["flags"] == {"\\Flagged"} and dst[2]["keywords"] == ["$Work"]
    assert dst[2]["internaldate"] == 1551493800 and dst[2]["tz"] == 330
    assert sv.uids(srv, "INBOX") == [1, 2, 3, 4, 5]
    c.close()


def test_uid_copy_partial_and_empty(srv):
    c = session(srv, count=5)
    run(c, "STORE 2,4 +FLAGS.SILENT (\\Deleted)")
    run(c, "EXPUNGE")
    v = sv.mailbox(srv, "Junk")["uidvalidity"]
    # UIDs that do not exist are left out of both sets.
    assert run(c, "UID COPY 1:4 Junk") == ([], "OK [COPYUID %d 1,3 1:2] COPY completed" % v)
    assert run(c, "UID COPY 2,4,40:50 Junk") == ([], "OK No messages copied")
    assert run(c, "UID COPY 5:* Junk") == ([], "OK [COPYUID %d 5 3] COPY completed" % v)
    assert len(sv.uids(srv, "Junk")) == 3
    c.close()


def test_copy_errors(srv):
    c = session(srv, count=2)
    assert run(c, "COPY 1 NoSuchBox") == ([], "NO [TRYCREATE] Mailbox does not exist")
    assert run(c, "UID COPY 1 NoSuchBox") == ([], "NO [TRYCREATE] Mailbox does not exist")
    assert run(c, "MOVE 1 NoSuchBox") == ([], "NO [TRYCREATE] Mailbox does not exist")
    assert run(c, "COPY 3 Trash")[1].startswith("BAD")
    assert run(c, "MOVE 1:3 Trash")[1].startswith("BAD")
    assert run(c, "COPY 1")[1].startswith("BAD")
    # A name that can never exist: no TRYCREATE.
    assert run(c, 'COPY 1 "a//b"')[1].startswith("NO [CANNOT]")
    c2 = session(srv, rev2=False)
    assert run(c2, 'COPY 1 "bad&name"')[1].startswith("NO [CANNOT]")
    c2.close()
    assert sv.uids(srv, "Trash") == [] and sv.uids(srv, "INBOX") == [1, 2]
    run(c, "UNSELECT")
    assert run(c, "COPY 1 Trash")[1].startswith("BAD")
    assert run(c, "MOVE 1 Trash")[1].startswith("BAD")
    c.close()


def test_copy_from_examine_but_no_move(srv):
    c = session(srv, count=2)
    assert run(c, "EXAMINE INBOX")[1].startswith("OK [READ-ONLY]")
    v = sv.mailbox(srv, "Archive")["uidvalidity"]
    assert run(c, "COPY 1:2 Archive") == ([], "OK [COPYUID %d 1:2 1:2] COPY completed" % v)
    assert run(c, "MOVE 1 Archive")[1].startswith("NO [READ-ONLY]")
    assert run(c, "UID MOVE 1 Archive")[1].startswith("NO [READ-ONLY]")
    assert sv.uids(srv, "INBOX") == [1, 2]
    c.close()


def test_copy_into_selected_mailbox(srv):
    c = session(srv, count=3)
    v = sv.mailbox(srv, "INBOX")["uidvalidity"]
    assert run(c, "COPY 1,3 INBOX") == (
        ["* 5 EXISTS"], "OK [COPYUID %d 1,3 4:5] COPY completed" % v)
    assert sv.uids(srv, "INBOX") == [1, 2, 3, 4, 5]
    c.close()


def test_move(srv):
    c = session(srv, count=6)
    run(c, "STORE 2 +FLAGS.SILENT (\\Seen $Keep)")
    v = sv.mailbox(srv, "Archive")["uidvalidity"]
    before = sv.messages(srv, "INBOX")
    # COPYUID first, then the expunges, numbered as they happen (RFC 6851 3.3, 4.3).
    assert run(c, "MOVE 2,4:5 Archive") == (
        ["* OK [COPYUID %d 2,4:5 1:3] Moved" % v, "* 2 EXPUNGE", "* 3 EXPUNGE",
         "* 3 EXPUNGE"], "OK MOVE completed")
    assert sv.uids(srv, "INBOX") == [1, 3, 6]
    moved = sv.messages(srv, "Archive")
    assert [strip(m) for m in moved] == [strip(before[1]), strip(before[3]), strip(before[4])]
    # The \Deleted flag is never set on the moved messages (RFC 6851 3.3).
    assert all("\\Deleted" not in m["flags"] for m in moved)
    assert moved[0]["flags"] == {"\\Seen"} and moved[0]["keywords"] == ["$Keep"]
    mb = sv.mailbox(srv, "INBOX")
    assert mb["messages"] == 3
    # UID MOVE: source UIDs; "*" is the last one.
    assert run(c, "UID MOVE 6:* Archive") == (
        ["* OK [COPYUID %d 6 4] Moved" % v, "* 3 EXPUNGE"], "OK MOVE completed")
    assert run(c, "UID MOVE 50:60 Archive") == ([], "OK No messages moved")
    c.close()


def test_move_within_selected_mailbox(srv):
    c = session(srv, count=3)
    v = sv.mailbox(srv, "INBOX")["uidvalidity"]
    assert run(c, "MOVE 1 INBOX") == (
        ["* OK [COPYUID %d 1 4] Moved" % v, "* 1 EXPUNGE", "* 3 EXISTS"], "OK MOVE completed")
    assert sv.uids(srv, "INBOX") == [2, 3, 4]
    c.close()


def test_move_rev1_and_recent(srv):
    c = session(srv, count=3, rev2=False)
    v = sv.mailbox(srv, "Sent")["uidvalidity"]
    assert run(c, "MOVE 3 Sent") == (
        ["* OK [COPYUID %d 3 1] Moved" % v, "* 3 EXPUNGE"], "OK MOVE completed")
    # The others are still \Recent here.
    assert run(c, "STORE 2 +FLAGS (\\Seen)")[0] == ["* 2 FETCH (FLAGS (\\Seen \\Recent))"]
    c.close()


def test_other_sessions_see_move(srv):
    a = session(srv, count=4)
    src = session(srv)
    dst = session(srv, mailbox="Drafts")
    run(a, "MOVE 1:2 Drafts")
    # During a command by sequence number the source session keeps its numbers.
    untagged, tagged = run(src, "STORE 4 +FLAGS (\\Seen)")
    assert untagged == ["* 4 FETCH (FLAGS (\\Seen))"]
    assert run(src, "NOOP") == (["* 1 EXPUNGE", "* 1 EXPUNGE"], "OK NOOP completed")
    assert run(dst, "NOOP") == (["* 2 EXISTS"], "OK NOOP completed")
    # And a COPY shows as EXISTS to the destination's session while it idles.
    dst.send("i IDLE\r\n")
    assert dst.readline() == "+ idling"
    run(a, "COPY 1 Drafts")
    assert dst.readline() == "* 3 EXISTS"
    dst.send("DONE\r\n")
    assert dst.until_tagged("i")[1] == "i OK IDLE terminated"
    for c in (a, src, dst):
        c.close()


def test_quota_copy_refused_move_allowed(srv):
    c = session(srv)
    sv.append(c, "INBOX", sv.message(1, size=40000))
    sv.append(c, "INBOX", sv.message(2, size=40000))
    srv.hafend("user", "quota", "alice", "--storage", "100000")
    assert run(c, "NOOP")[1] == "OK NOOP completed"
    assert run(c, "COPY 1:2 Trash") == ([], "NO [OVERQUOTA] Quota exceeded")
    assert sv.uids(srv, "Trash") == []
    # A move does not add to the usage (RFC 6851 4.1).
    v = sv.mailbox(srv, "Trash")["uidvalidity"]
    assert run(c, "MOVE 1:2 Trash") == (
        ["* OK [COPYUID %d 1:2 1:2] Moved" % v, "* 1 EXPUNGE", "* 1 EXPUNGE"],
        "OK MOVE completed")
    assert sv.uids(srv, "Trash") == [1, 2]
    c.close()


def test_imaplib_copy_and_move(srv):
    m = srv.imaplib()
    for i in range(3):
        m.append("INBOX", None, None, sv.message(i))
    m.select("INBOX")
    typ, data = m.copy("1:2", "Junk")
    assert typ == "OK" and data[0].startswith(b"[COPYUID ")
    typ, data = m.uid("MOVE", "3", "Junk")
    assert typ == "OK"
    assert sv.uids(srv, "Junk") == [1, 2, 3]
    assert sv.uids(srv, "INBOX") == [1, 2]
    m.logout()


def test_move_many_read_slowly(srv):
    """A MOVE of thousands: COPYUID first, then every EXPUNGE, written in
    steps while the client reads slowly."""
    c = sv.slow_client(srv)
    assert run(c, "ENABLE IMAP4rev2")[1].startswith("OK")
    sv.fill(c, "INBOX", 100)
    sv.select(c, "INBOX")
    total = 100
    while total < 6400:
        assert run(c, "COPY 1:* INBOX")[1].startswith("OK [COPYUID ")
        total *= 2
    v = sv.mailbox(srv, "Archive")["uidvalidity"]
    c.send("m UID MOVE 2:* Archive\r\n")
    untagged, tagged = c.until_tagged("m")
    assert tagged == "m OK MOVE completed"
    assert untagged[0] == "* OK [COPYUID %d 2:%d 1:%d] Moved" % (v, total, total - 1)
    assert untagged[1:] == ["* 2 EXPUNGE"] * (total - 1)
    assert sv.uids(srv, "INBOX") == [1]
    assert len(sv.uids(srv, "Archive")) == total - 1
    c.close()
