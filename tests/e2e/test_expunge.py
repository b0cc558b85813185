"""EXPUNGE and UID EXPUNGE (RFC 9051 6.4.3, RFC 4315 2.1): the responses
in the right order and numbering, read-only refusal, and when other
sessions hear of an expunge (RFC 9051 7.5.1: never during FETCH, STORE or
SEARCH by sequence number; at NOOP, IDLE and commands with UIDs).
"""
import time

import pytest

import storeview as sv


@pytest.fixture
def srv(make_server):
    return make_server()


def run(c, text):
    untagged, tagged = c.command(text)
    return untagged, tagged.split(" ", 1)[1]


def session(server, count=0, mailbox="INBOX", rev2=True):
    c = server.connect()
    c.login()
    if rev2:
        assert run(c, "ENABLE IMAP4rev2")[1].startswith("OK")
    if count:
        sv.fill(c, mailbox, count)
    sv.select(c, mailbox)
    return c


def test_expunge_renumbers_in_order(srv):
    c = session(srv, count=8)
    run(c, "STORE 2:3,5,8 +FLAGS.SILENT (\\Deleted)")
    # Each response numbers the messages as they are after the earlier ones.
    assert run(c, "EXPUNGE") == (["* 2 EXPUNGE", "* 2 EXPUNGE", "* 3 EXPUNGE", "* 5 EXPUNGE"],
                                 "OK EXPUNGE completed")
    assert sv.uids(srv, "INBOX") == [1, 4, 6, 7]
    mb = sv.mailbox(srv, "INBOX")
    assert mb["messages"] == 4 and mb["deleted"] == 0
    # Nothing deleted: nothing to say.
    assert run(c, "EXPUNGE") == ([], "OK EXPUNGE completed")
    # The view follows: message 4 is now UID 7.
    assert run(c, "STORE 4 +FLAGS (\\Deleted)")[0] == ["* 4 FETCH (FLAGS (\\Deleted))"]
    assert run(c, "EXPUNGE")[0] == ["* 4 EXPUNGE"]
    assert run(c, "STORE 4 +FLAGS (\\Seen)")[1].startswith("BAD")
    c.close()


def test_uid_expunge_only_named_uids(srv):
    c = session(srv, count=6)
    run(c, "STORE 1:6 +FLAGS.SILENT (\\Deleted)")
    assert run(c, "UID EXPUNGE 2,4:5,99") == (["* 2 EXPUNGE", "* 3 EXPUNGE", "* 3 EXPUNGE"],
                                              "OK UID EXPUNGE completed")
    assert sv.uids(srv, "INBOX") == [1, 3, 6]
    # Named but not \Deleted: stays.
    run(c, "STORE 1 -FLAGS.SILENT (\\Deleted)")
    assert run(c, "UID EXPUNGE 1") == ([], "OK UID EXPUNGE completed")
    assert run(c, "UID EXPUNGE 50:60") == ([], "OK UID EXPUNGE completed")
    assert run(c, "UID EXPUNGE 6:*") == (["* 3 EXPUNGE"], "OK UID EXPUNGE completed")
    assert sv.uids(srv, "INBOX") == [1, 3]
    for bad in ("UID EXPUNGE", "UID EXPUNGE x", "UID EXPUNGE 0", "EXPUNGE 1"):
        assert run(c, bad)[1].startswith("BAD"), bad
    c.close()


def test_expunge_refused_read_only_and_unselected(srv):
    c = session(srv, count=2)
    run(c, "STORE 1 +FLAGS.SILENT (\\Deleted)")
    assert run(c, "EXAMINE INBOX")[1].startswith("OK [READ-ONLY]")
    assert run(c, "EXPUNGE")[1].startswith("NO [READ-ONLY]")
    assert run(c, "UID EXPUNGE 1")[1].startswith("NO [READ-ONLY]")
    assert sv.uids(srv, "INBOX") == [1, 2]
    run(c, "UNSELECT")
    assert run(c, "EXPUNGE")[1].startswith("BAD")
    c.close()


def test_rev1_expunge_and_recent(srv):
    c = session(srv, count=3, rev2=False)
    run(c, "STORE 2 +FLAGS.SILENT (\\Deleted)")
    assert run(c, "EXPUNGE") == (["* 2 EXPUNGE"], "OK EXPUNGE completed")
    # The remaining two are still \Recent for this session.
    assert run(c, "STORE 2 +FLAGS (\\Seen)")[0] == ["* 2 FETCH (FLAGS (\\Seen \\Recent))"]
    c.close()


def test_other_session_learns_only_when_allowed(srv):
    a = session(srv, count=5)
    b = session(srv)
    run(a, "STORE 2,4 +FLAGS.SILENT (\\Deleted)")
    assert run(a, "EXPUNGE")[0] == ["* 2 EXPUNGE", "* 3 EXPUNGE"]
    # b keeps its numbers during commands by sequence number.
    for cmd in ("STORE 5 +FLAGS (\\Seen)", "SEARCH 1:5", "FETCH 1:5 (FLAGS)", "STORE 4 -FLAGS (x)",
                "SEARCH ALL"):
        untagged, tagged = run(b, cmd)
        assert not any(l.endswith(" EXPUNGE") for l in untagged), (cmd, untagged)
    assert sv.messages(srv, "INBOX")[-1]["flags"] == {"\\Seen"}
    # NOOP tells, in order, numbered as b knew them.
    assert run(b, "NOOP") == (["* 2 EXPUNGE", "* 3 EXPUNGE"], "OK NOOP completed")
    assert run(b, "STORE 3 +FLAGS (\\Flagged)")[0] == [
        "* 3 FETCH (FLAGS (\\Seen \\Flagged))"]
    a.close()
    b.close()


def test_uid_commands_and_idle_tell_at_once(srv):
    a = session(srv, count=4)
    b = session(srv)
    run(a, "STORE 1 +FLAGS.SILENT (\\Deleted)")
    run(a, "EXPUNGE")
    untagged, tagged = run(b, "UID STORE 4 +FLAGS (\\Seen)")
    assert untagged == ["* 1 EXPUNGE", "* 3 FETCH (UID 4 FLAGS (\\Seen))"]
    b.send("i IDLE\r\n")
    assert b.readline() == "+ idling"
    run(a, "STORE 2 +FLAGS.SILENT (\\Deleted)")
    assert b.readline() == "* 2 FETCH (UID 3 FLAGS (\\Deleted))"
    run(a, "EXPUNGE")
    assert b.readline() == "* 2 EXPUNGE"
    b.send("DONE\r\n")
    assert b.until_tagged("i")[1] == "i OK IDLE terminated"
    a.close()
    b.close()


def test_expunge_everything(srv):
    c = session(srv, count=600)
    run(c, "STORE 1:* +FLAGS.SILENT (\\Deleted)")
    untagged, tagged = run(c, "EXPUNGE")
    assert untagged == ["* 1 EXPUNGE"] * 600 and tagged == "OK EXPUNGE completed"
    assert sv.uids(srv, "INBOX") == []
    assert run(c, "NOOP") == ([], "OK NOOP completed")
    # The mailbox goes on: new messages get new UIDs.
    untagged, tagged = sv.append(c, "INBOX", sv.message(9))
    assert untagged == ["* 1 EXISTS"]
    assert sv.appenduid(tagged)[1] == "601"
    c.close()


def grow(c, count):
    """Double the selected INBOX by COPY (rows only, fast) to at least count."""
    total = len(sv.uids(c.server, "INBOX"))
    while total < count:
        assert run(c, "COPY 1:* INBOX")[1].startswith("OK [COPYUID ")
        total *= 2
    return total


def test_expunge_many_read_slowly(srv):
    """An EXPUNGE whose answer is far larger than the output buffer: it is
    written in steps as the client reads, in order, each number right."""
    c = sv.slow_client(srv)
    assert run(c, "ENABLE IMAP4rev2")[1].startswith("OK")
    sv.fill(c, "INBOX", 100)
    sv.select(c, "INBOX")
    total = grow(c, 12800)
    assert run(c, "STORE 1:* +FLAGS.SILENT (\\Deleted)")[1] == "OK STORE completed"
    # Keep every fourth of the first 4000, so the set has many ranges.
    keep = list(range(4, 4001, 4))
    for i in range(0, len(keep), 500):
        run(c, "STORE %s -FLAGS.SILENT (\\Deleted)" % ",".join(map(str, keep[i:i + 500])))
    c.send("x EXPUNGE\r\n")
    time.sleep(0.5)
    untagged, tagged = c.until_tagged("x")
    assert tagged == "x OK EXPUNGE completed"
    # 1, 2, 3 go (each as number 1), 4 stays, 5, 6, 7 go as number 2, ...
    expected = []
    for k in range(len(keep)):
        expected += ["* %d EXPUNGE" % (k + 1)] * 3
    expected += ["* %d EXPUNGE" % (len(keep) + 1)] * (total - 4 * len(keep))
    assert untagged == expected
    assert len(sv.uids(srv, "INBOX")) == len(keep)
    assert run(c, "NOOP") == ([], "OK NOOP completed")
    c.close()
