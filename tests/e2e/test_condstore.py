"""CONDSTORE (RFC 7162 3.1) as a whole: every CONDSTORE enabling command
turns MODSEQ reporting on, the first one with a mailbox selected reports
HIGHESTMODSEQ, SELECT/EXAMINE report it from then on; [CLOSED] on a
SELECT that replaces another (RFC 7162 3.2.11); MAILBOXID in SELECT
(RFC 8474 4.2); HIGHESTMODSEQ after EXPUNGE once CONDSTORE is on.
"""
import re

import pytest

import storeview as sv


@pytest.fixture(scope="module")
def srv(server):
    c = server.connect()
    c.login()
    sv.fill(c, "INBOX", 5)
    c.close()
    return server


def run(c, text):
    untagged, tagged = c.command(text)
    return untagged, tagged.split(" ", 1)[1]


def session(server):
    c = server.connect()
    c.login()
    return c


def highest(server, mailbox="INBOX"):
    return sv.mailbox(server, mailbox)["highestmodseq"]


def hms_lines(untagged):
    return [l for l in untagged if l.startswith("* OK [HIGHESTMODSEQ ")]


def test_plain_select_has_no_highestmodseq(srv):
    c = session(srv)
    untagged, tagged = run(c, "SELECT INBOX")
    assert hms_lines(untagged) == []
    assert tagged == "OK [READ-WRITE] SELECT completed"
    c.close()


def test_select_condstore(srv):
    c = session(srv)
    untagged, tagged = run(c, "SELECT INBOX (CONDSTORE)")
    assert hms_lines(untagged) == ["* OK [HIGHESTMODSEQ %d] Highest" % highest(srv)]
    # Another session's change reaches this one with its MODSEQ.
    o = session(srv)
    run(o, "SELECT INBOX")
    run(o, "STORE 1 +FLAGS ($Seen1)")
    untagged, tagged = run(c, "NOOP")
    fetch = [l for l in untagged if " FETCH " in l]
    m = sv.messages(srv, "INBOX")[0]
    assert fetch == ["* 1 FETCH (UID %d FLAGS ($Seen1) MODSEQ (%d))" % (m["uid"], m["modseq"])]
    # EXAMINE (CONDSTORE) and every later SELECT report HIGHESTMODSEQ.
    untagged, tagged = run(c, "EXAMINE INBOX (CONDSTORE)")
    assert untagged[0] == "* OK [CLOSED] Previous mailbox closed"
    assert hms_lines(untagged) == ["* OK [HIGHESTMODSEQ %d] Highest" % highest(srv)]
    untagged, tagged = run(c, "SELECT INBOX")
    assert hms_lines(untagged) == ["* OK [HIGHESTMODSEQ %d] Highest" % highest(srv)]
    run(o, "STORE 1 -FLAGS ($Seen1)")
    o.close()
    c.close()


def test_enable_condstore_then_select(srv):
    c = session(srv)
    assert run(c, "ENABLE CONDSTORE") == (["* ENABLED CONDSTORE"], "OK ENABLE completed")
    untagged, _ = run(c, "SELECT INBOX")
    assert hms_lines(untagged) == ["* OK [HIGHESTMODSEQ %d] Highest" % highest(srv)]
    untagged, _ = run(c, "STORE 2 +FLAGS (\\Flagged)")
    m = sv.messages(srv, "INBOX")[1]
    assert untagged == ["* 2 FETCH (FLAGS (\\Flagged) MODSEQ (%d))" % m["modseq"]]
    run(c, "STORE 2 -FLAGS (\\Flagged)")
    c.close()


@pytest.mark.parametrize("command", [
    "STATUS INBOX (HIGHESTMODSEQ)",
    "FETCH 1 (MODSEQ)",
    "FETCH 1 (FLAGS) (CHANGEDSINCE 0)",
    "SEARCH MODSEQ 1",
    "STORE 1 (UNCHANGEDSINCE 0) +FLAGS ()",
])
def test_enabling_commands_report_highestmodseq_once(srv, command):
    """RFC 7162 3.1: the first CONDSTORE enabling command with a mailbox
    selected reports HIGHESTMODSEQ; later ones do not."""
    c = session(srv)
    run(c, "SELECT INBOX")
    h = highest(srv)
    untagged, tagged = run(c, command)
    assert tagged.startswith("OK"), tagged
    assert hms_lines(untagged) == ["* OK [HIGHESTMODSEQ %d] Highest" % h]
    untagged, tagged = run(c, command)
    assert hms_lines(untagged) == []
    c.close()


def test_status_highestmodseq_without_selection(srv):
    c = session(srv)
    untagged, tagged = run(c, "STATUS INBOX (HIGHESTMODSEQ)")
    assert untagged == ["* STATUS INBOX (HIGHESTMODSEQ %d)" % highest(srv)]
    # It enabled CONDSTORE: the next SELECT says HIGHESTMODSEQ.
    untagged, _ = run(c, "SELECT INBOX")
    assert hms_lines(untagged) == ["* OK [HIGHESTMODSEQ %d] Highest" % highest(srv)]
    c.close()


def test_closed_for_rev1_too(srv):
    c = session(srv)
    run(c, "SELECT INBOX")
    untagged, tagged = run(c, "EXAMINE INBOX")
    assert untagged[0] == "* OK [CLOSED] Previous mailbox closed"
    # No CLOSED for the first SELECT, nor after UNSELECT or CLOSE.
    run(c, "UNSELECT")
    untagged, _ = run(c, "SELECT INBOX")
    assert "* OK [CLOSED] Previous mailbox closed" not in untagged
    assert run(c, "CLOSE") == ([], "OK CLOSE completed")
    c.close()


def test_mailboxid_in_select_and_create(srv):
    c = session(srv)
    untagged, tagged = run(c, "CREATE IdBox")
    m = re.fullmatch(r"OK \[MAILBOXID \(([A-Za-z0-9_-]{1,255})\)\] CREATE completed", tagged)
    assert m, tagged
    box_id = m.group(1)
    untagged, _ = run(c, "SELECT IdBox")
    assert "* OK [MAILBOXID (%s)] Ok" % box_id in untagged
    untagged, _ = run(c, "STATUS IdBox (MAILBOXID)")
    assert untagged == ["* STATUS IdBox (MAILBOXID (%s))" % box_id]
    # Another mailbox has another id; a rename keeps it (RFC 8474 4).
    untagged, tagged = run(c, "CREATE IdBox2")
    assert box_id not in tagged
    run(c, "UNSELECT")
    run(c, "RENAME IdBox IdBox3")
    untagged, _ = run(c, "EXAMINE IdBox3")
    assert "* OK [MAILBOXID (%s)] Ok" % box_id in untagged
    c.close()


def test_expunge_reports_highestmodseq_with_condstore(srv):
    c = session(srv)
    run(c, "CREATE Exp")
    sv.fill(c, "Exp", 3)
    run(c, "SELECT Exp (CONDSTORE)")
    run(c, "STORE 2 +FLAGS.SILENT (\\Deleted)")
    untagged, tagged = run(c, "EXPUNGE")
    assert untagged == ["* 2 EXPUNGE"]
    assert tagged == "OK [HIGHESTMODSEQ %d] EXPUNGE completed" % highest(srv, "Exp")
    # Nothing removed: no code. CLOSE never has one (RFC 7162 3.2.8).
    assert run(c, "EXPUNGE") == ([], "OK EXPUNGE completed")
    run(c, "STORE 1 +FLAGS.SILENT (\\Deleted)")
    assert run(c, "CLOSE") == ([], "OK CLOSE completed")
    c.close()


def test_changedsince_zero_and_silent_modseq(srv):
    """iOS sends CHANGEDSINCE 0 (INTEROP.md 5); STORE .SILENT still tells
    a CONDSTORE client the new MODSEQ."""
    c = session(srv)
    run(c, "SELECT INBOX (CONDSTORE)")
    untagged, tagged = run(c, "UID FETCH 1:* (FLAGS) (CHANGEDSINCE 0)")
    assert len([l for l in untagged if " FETCH " in l]) == len(sv.uids(srv, "INBOX"))
    assert all(" MODSEQ (" in l for l in untagged if " FETCH " in l)
    untagged, _ = run(c, "STORE 3 +FLAGS.SILENT ($Quiet)")
    m = sv.messages(srv, "INBOX")[2]
    assert untagged[-1] == "* 3 FETCH (MODSEQ (%d))" % m["modseq"]
    run(c, "STORE 3 -FLAGS.SILENT ($Quiet)")
    c.close()
