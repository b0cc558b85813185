"""STORE and UID STORE (RFC 9051 6.4.6): FLAGS, +FLAGS, -FLAGS, .SILENT,
keywords, errors; what this and other sessions are told; UNCHANGEDSINCE
and MODIFIED (RFC 7162 3.1.3); MODSEQ and UID in the FETCH responses once
CONDSTORE or QRESYNC is on; a STORE over thousands of messages.
"""
import socket
import time

import pytest

import storeview as sv


@pytest.fixture
def srv(make_server):
    return make_server()


def run(c, text):
    """A command's untagged lines and its tagged reply without the tag."""
    untagged, tagged = c.command(text)
    return untagged, tagged.split(" ", 1)[1]


def announced(untagged, keywords):
    """Strip the FLAGS and PERMANENTFLAGS lines that announce keywords new
    to the mailbox (RFC 9051 7.3.5), checking that they come first and
    name them."""
    assert untagged[0].startswith("* FLAGS (") and \
        untagged[1].startswith("* OK [PERMANENTFLAGS ("), untagged
    for k in keywords.split():
        assert k in untagged[0] and k in untagged[1], (k, untagged)
    return untagged[2:]


def session(server, mailbox="INBOX", count=0, rev2=False, user="alice"):
    c = server.connect()
    c.login(user)
    if rev2:
        assert run(c, "ENABLE IMAP4rev2")[1].startswith("OK")
    if count:
        sv.fill(c, mailbox, count)
    sv.select(c, mailbox)
    return c


def test_store_replace_add_remove(srv):
    c = session(srv, count=3, rev2=True)
    assert run(c, "STORE 1 FLAGS (\\Seen \\Flagged)") == (
        ["* 1 FETCH (FLAGS (\\Seen \\Flagged))"], "OK STORE completed")
    assert run(c, "STORE 1:2 +FLAGS (\\Answered)") == (
        ["* 1 FETCH (FLAGS (\\Seen \\Answered \\Flagged))",
         "* 2 FETCH (FLAGS (\\Answered))"], "OK STORE completed")
    assert run(c, "STORE 1 -FLAGS (\\Seen \\Draft)") == (
        ["* 1 FETCH (FLAGS (\\Answered \\Flagged))"], "OK STORE completed")
    # Flags are matched without regard to case; FLAGS () clears them all.
    assert run(c, "STORE 2 +FLAGS (\\DELETED \\draft)")[0] == [
        "* 2 FETCH (FLAGS (\\Answered \\Deleted \\Draft))"]
    assert run(c, "STORE 2 FLAGS ()")[0] == ["* 2 FETCH (FLAGS ())"]
    # Unparenthesised flags are allowed too.
    assert run(c, "STORE 3 +FLAGS \\Seen \\Flagged")[0] == [
        "* 3 FETCH (FLAGS (\\Seen \\Flagged))"]
    got = sv.messages(srv, "INBOX")
    assert [m["flags"] for m in got] == [{"\\Answered", "\\Flagged"}, set(),
                                         {"\\Seen", "\\Flagged"}]
    c.close()


def test_store_rev1_reports_recent(srv):
    c = session(srv, count=2)
    # This session selected first: the messages are \Recent to it alone.
    assert run(c, "STORE 2 +FLAGS (\\Seen)")[0] == ["* 2 FETCH (FLAGS (\\Seen \\Recent))"]
    other = session(srv)
    assert run(other, "STORE 2 +FLAGS (\\Flagged)")[0] == [
        "* 2 FETCH (FLAGS (\\Seen \\Flagged))"]
    c.close()
    other.close()


def test_store_silent_and_uid(srv):
    c = session(srv, count=4, rev2=True)
    assert run(c, "STORE 1:4 +FLAGS.SILENT (\\Seen)") == ([], "OK STORE completed")
    assert all(m["flags"] == {"\\Seen"} for m in sv.messages(srv, "INBOX"))
    # Own silent change is not echoed by the next NOOP either.
    assert run(c, "NOOP")[0] == []
    assert run(c, "UID STORE 2,4 -FLAGS (\\Seen)") == (
        ["* 2 FETCH (UID 2 FLAGS ())", "* 4 FETCH (UID 4 FLAGS ())"], "OK STORE completed")
    # UIDs that do not exist are ignored, "*" is the last one.
    assert run(c, "UID STORE 3:99 +FLAGS (\\Draft)")[0] == [
        "* 3 FETCH (UID 3 FLAGS (\\Seen \\Draft))", "* 4 FETCH (UID 4 FLAGS (\\Draft))"]
    assert run(c, "UID STORE 50:60 +FLAGS (\\Draft)") == ([], "OK STORE completed")
    assert run(c, "STORE * -FLAGS.SILENT (\\Draft)") == ([], "OK STORE completed")
    assert sv.messages(srv, "INBOX")[3]["flags"] == set()
    assert run(c, "NOOP")[0] == []
    c.close()


def test_store_keywords(srv):
    c = session(srv, count=2, rev2=True)
    assert announced(run(c, "STORE 1 +FLAGS ($Work Junk)")[0], "$Work Junk") == [
        "* 1 FETCH (FLAGS ($Work Junk))"]
    # Keywords compare without case: no duplicate, the first spelling stays.
    assert run(c, "STORE 1 +FLAGS (junk \\Seen)")[0] == [
        "* 1 FETCH (FLAGS (\\Seen $Work Junk))"]
    assert run(c, "STORE 1 -FLAGS ($WORK)")[0] == ["* 1 FETCH (FLAGS (\\Seen Junk))"]
    assert announced(run(c, "STORE 1:2 FLAGS (NonJunk)")[0], "NonJunk") == [
        "* 1 FETCH (FLAGS (NonJunk))", "* 2 FETCH (FLAGS (NonJunk))"]
    assert [m["keywords"] for m in sv.messages(srv, "INBOX")] == [["NonJunk"], ["NonJunk"]]
    # A new keyword is announced to sessions that select the mailbox.
    exists, untagged = sv.select(c, "INBOX")
    assert any(l.startswith("* FLAGS (") and "NonJunk" in l for l in untagged)
    c.close()


def test_store_errors(srv):
    c = session(srv, count=2)
    for cmd in ("STORE 1 +FLAGS (\\Recent)", "STORE 1 FLAGS (\\Seen \\Recent)",
                "STORE 1 +FLAGS (\\Bogus)", "STORE 1 +FLAGS (\\*)", "STORE 3 +FLAGS (\\Seen)",
                "STORE 1:5 +FLAGS (\\Seen)", "STORE 0 +FLAGS (\\Seen)", "STORE 1 FLAGZ (\\Seen)",
                "STORE 1 +FLAGS (a]b)", "STORE 1 (UNCHANGEDSINCE x) +FLAGS (a)"):
        untagged, tagged = run(c, cmd)
        assert tagged.split()[0] == "BAD", (cmd, tagged)
        assert untagged == []
    assert all(m["flags"] == set() for m in sv.messages(srv, "INBOX"))
    # Not in the authenticated state, not on a read-only mailbox.
    assert run(c, "UNSELECT")[1].split()[0] == "OK"
    assert run(c, "STORE 1 +FLAGS (\\Seen)")[1].split()[0] == "BAD"
    assert run(c, "EXAMINE INBOX")[1].startswith("OK [READ-ONLY]")
    assert run(c, "STORE 1 +FLAGS (\\Seen)")[1].startswith("NO [READ-ONLY]")
    assert run(c, "UID STORE 1 +FLAGS (\\Seen)")[1].startswith(
        "NO [READ-ONLY]")
    c.close()


def test_store_empty_mailbox(srv):
    c = session(srv, mailbox="Trash")
    assert run(c, "STORE 1 +FLAGS (\\Seen)")[1].split()[0] == "BAD"
    assert run(c, "UID STORE 1:* +FLAGS (\\Seen)") == ([], "OK STORE completed")
    c.close()


def test_other_session_sees_flags_once(srv):
    a = session(srv, count=3, rev2=True)
    b = session(srv, rev2=True)
    assert announced(run(a, "STORE 2 +FLAGS (\\Flagged $X)")[0], "$X") == [
        "* 2 FETCH (FLAGS (\\Flagged $X))"]
    # The other session learns at its next NOOP, with UID; this one does not hear it twice.
    assert announced(run(b, "NOOP")[0], "$X") == ["* 2 FETCH (UID 2 FLAGS (\\Flagged $X))"]
    assert run(a, "NOOP")[0] == []
    assert run(b, "NOOP")[0] == []
    # And while idling, at once.
    b.send("i IDLE\r\n")
    assert b.readline() == "+ idling"
    run(a, "STORE 3 +FLAGS.SILENT (\\Seen)")
    assert b.readline() == "* 3 FETCH (UID 3 FLAGS (\\Seen))"
    b.send("DONE\r\n")
    assert b.until_tagged("i")[1] == "i OK IDLE terminated"
    a.close()
    b.close()


def test_silent_after_foreign_change_still_reports(srv):
    """A .SILENT change on top of another session's change that this one
    was not told yet: the client learns the whole resulting state."""
    a = session(srv, count=2, rev2=True)
    b = session(srv, rev2=True)
    run(b, "STORE 1 +FLAGS.SILENT (\\Answered)")
    # First told of the other change, then the own one is not repeated.
    untagged, tagged = run(a, "STORE 1 +FLAGS.SILENT (\\Seen)")
    assert untagged == ["* 1 FETCH (UID 1 FLAGS (\\Answered))"]
    assert run(a, "NOOP")[0] == []
    assert sv.messages(srv, "INBOX")[0]["flags"] == {"\\Seen", "\\Answered"}
    a.close()
    b.close()


def test_unchangedsince(srv):
    c = session(srv, count=3, rev2=True)
    modseqs = [m["modseq"] for m in sv.messages(srv, "INBOX")]
    high = sv.mailbox(srv, "INBOX")["highestmodseq"]
    # The first CONDSTORE enabling command reports HIGHESTMODSEQ (RFC 7162 3.1).
    untagged, tagged = run(c, "STORE 1 (UNCHANGEDSINCE %d) +FLAGS (\\Seen)" % modseqs[0])
    assert untagged == ["* OK [HIGHESTMODSEQ %d] Highest" % high,
                        "* 1 FETCH (FLAGS (\\Seen) MODSEQ (%d))" % (high + 1)]
    assert tagged == "OK STORE completed"
    # Message 1 changed since: it fails, the others pass; MODIFIED has
    # sequence numbers for STORE ...
    untagged, tagged = run(c, "STORE 1:3 (UNCHANGEDSINCE %d) +FLAGS (\\Flagged)" % modseqs[2])
    assert untagged == ["* 2 FETCH (FLAGS (\\Flagged) MODSEQ (%d))" % (high + 2),
                        "* 3 FETCH (FLAGS (\\Flagged) MODSEQ (%d))" % (high + 2)]
    assert tagged == "OK [MODIFIED 1] Conditional STORE failed"
    assert sv.messages(srv, "INBOX")[0]["flags"] == {"\\Seen"}
    # ... and UIDs for UID STORE; .SILENT still reports the new MODSEQ.
    untagged, tagged = run(c, "UID STORE 1:3 (UNCHANGEDSINCE %d) -FLAGS.SILENT (\\Seen)"
                                 % (high + 1))
    assert untagged == ["* 1 FETCH (UID 1 MODSEQ (%d))" % (high + 3)]
    assert tagged == "OK [MODIFIED 2:3] Conditional STORE failed"
    # UNCHANGEDSINCE 0 always fails (RFC 7162 3.1.3 Example 8).
    assert run(c, "STORE 2 (UNCHANGEDSINCE 0) +FLAGS.SILENT ($MDNSent)") == (
        [], "OK [MODIFIED 2] Conditional STORE failed")
    assert run(c, "UID STORE 1:* (UNCHANGEDSINCE 0) FLAGS ()") == (
        [], "OK [MODIFIED 1:3] Conditional STORE failed")
    assert "$MDNSent" not in sv.messages(srv, "INBOX")[1]["keywords"]
    # A large enough UNCHANGEDSINCE passes for all.
    untagged, tagged = run(c, "STORE 1:* (UNCHANGEDSINCE 99999999) FLAGS (\\Draft)")
    assert len(untagged) == 3 and tagged == "OK STORE completed"
    c.close()


def test_condstore_forms_after_enabling(srv):
    """Once UNCHANGEDSINCE enabled CONDSTORE, every FETCH response carries
    MODSEQ: .SILENT ones too, and those of other sessions' changes."""
    c = session(srv, count=2, rev2=True)
    other = session(srv, rev2=True)
    high = sv.mailbox(srv, "INBOX")["highestmodseq"]
    untagged, tagged = run(c, "STORE 1 (UNCHANGEDSINCE %d) +FLAGS.SILENT (\\Seen)" % high)
    assert untagged == ["* OK [HIGHESTMODSEQ %d] Highest" % high,
                        "* 1 FETCH (MODSEQ (%d))" % (high + 1)]
    assert run(c, "STORE 2 +FLAGS.SILENT (\\Seen)") == (
        ["* 2 FETCH (MODSEQ (%d))" % (high + 2)], "OK STORE completed")
    # A silent STORE that changes nothing says nothing.
    assert run(c, "STORE 1 +FLAGS.SILENT (\\Seen)") == ([], "OK STORE completed")
    assert run(c, "STORE 1 -FLAGS (\\Seen)")[0] == [
        "* 1 FETCH (FLAGS () MODSEQ (%d))" % (high + 3)]
    # HIGHESTMODSEQ is reported once only.
    assert announced(run(c, "STORE 1 (UNCHANGEDSINCE %d) +FLAGS ($A)" % (high + 3))[0],
                     "$A") == [
        "* 1 FETCH (FLAGS ($A) MODSEQ (%d))" % (high + 4)]
    run(other, "STORE 2 +FLAGS.SILENT (\\Flagged)")
    assert run(c, "NOOP")[0] == [
        "* 2 FETCH (UID 2 FLAGS (\\Seen \\Flagged) MODSEQ (%d))" % (high + 5)]
    c.close()
    other.close()


def test_no_expunge_during_store_by_sequence_number(srv):
    a = session(srv, count=4, rev2=True)
    b = session(srv, rev2=True)
    run(a, "STORE 2 +FLAGS.SILENT (\\Deleted)")
    assert run(a, "EXPUNGE")[0] == ["* 2 EXPUNGE"]
    # b still numbers 4 messages: STORE 4 is valid and means UID 4; no EXPUNGE yet.
    untagged, tagged = run(b, "STORE 4 +FLAGS (\\Seen)")
    assert all("EXPUNGE" not in l for l in untagged), untagged
    assert "* 4 FETCH (FLAGS (\\Seen))" in untagged
    assert tagged == "OK STORE completed"
    # STORE on the expunged message: no error, nothing to report.
    untagged, tagged = run(b, "STORE 2 +FLAGS (\\Seen)")
    assert all("EXPUNGE" not in l for l in untagged) and tagged == "OK STORE completed"
    # UID STORE may tell, and does.
    untagged, tagged = run(b, "UID STORE 1 +FLAGS (\\Answered)")
    assert untagged == ["* 2 EXPUNGE", "* 1 FETCH (UID 1 FLAGS (\\Answered))"]
    assert sv.uids(srv, "INBOX") == [1, 3, 4]
    a.close()
    b.close()


def test_store_thousands_of_messages(srv):
    """A STORE whose answer is far larger than the output buffer: every
    FETCH arrives, in order, while the client reads slowly."""
    count = 1000
    keywords = " ".join("keyword%03d" % i for i in range(40))
    c = session(srv, count=count, rev2=True)
    c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    c.send("big STORE 1:* +FLAGS (\\Seen %s)\r\n" % keywords)
    time.sleep(0.5)
    untagged, tagged = c.until_tagged("big")
    assert tagged == "big OK STORE completed"
    assert announced(untagged, keywords) == ["* %d FETCH (FLAGS (\\Seen %s))" % (i, keywords)
                        for i in range(1, count + 1)]
    assert run(c, "NOOP")[0] == []
    c.close()
