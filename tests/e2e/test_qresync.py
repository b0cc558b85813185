"""QRESYNC (RFC 7162 3.2): ENABLE QRESYNC, SELECT/EXAMINE (QRESYNC (...))
with VANISHED (EARLIER) and the changed messages, known UIDs and sequence
match data, VANISHED instead of EXPUNGE, HIGHESTMODSEQ after EXPUNGE and
MOVE and while expunges wait, errors; and the resync test: a client
records its state, other sessions append, flag and expunge, and the
client rebuilds exactly the server's state from the responses alone.
"""
import random
import re

import pytest

import storeview as sv
from qresync_model import Mailbox, parse_fetch, parse_uidset, server_state, uidset


@pytest.fixture
def srv(make_server):
    return make_server()


def run(c, text):
    untagged, tagged = c.command(text)
    return untagged, tagged.split(" ", 1)[1]


def session(server, qresync=True, user="alice"):
    c = server.connect(timeout=120)
    c.login(user)
    if qresync:
        assert run(c, "ENABLE QRESYNC") == (["* ENABLED QRESYNC"], "OK ENABLE completed")
    return c


def highest(server, mailbox="INBOX"):
    return sv.mailbox(server, mailbox)["highestmodseq"]


def uidvalidity(server, mailbox="INBOX"):
    return sv.mailbox(server, mailbox)["uidvalidity"]


def fill(server, mailbox, n, flags=None):
    c = session(server, qresync=False)
    if mailbox != "INBOX":
        c.command("CREATE %s" % mailbox)
    sv.fill(c, mailbox, n, flags=flags)
    c.close()


def other(server, *commands, mailbox="INBOX"):
    """Run commands in another session with mailbox selected."""
    c = session(server, qresync=False)
    assert run(c, "SELECT %s" % mailbox)[1].startswith("OK")
    for cmd in commands:
        untagged, tagged = run(c, cmd)
        assert tagged.startswith("OK"), (cmd, tagged)
    c.close()


# ---- ENABLE and errors ----

def test_capabilities_and_enable(srv):
    c = srv.connect()
    c.login()
    caps = run(c, "CAPABILITY")[0][0].split()
    assert "CONDSTORE" in caps and "QRESYNC" in caps and "ENABLE" in caps
    # RFC 7162 3.2.3: QRESYNC implies CONDSTORE; both names are reported
    # when both are asked for; a second ENABLE reports nothing new.
    assert run(c, "ENABLE QRESYNC CONDSTORE") == (["* ENABLED QRESYNC CONDSTORE"],
                                                  "OK ENABLE completed")
    assert run(c, "ENABLE QRESYNC CONDSTORE") == (["* ENABLED"], "OK ENABLE completed")
    c.close()
    c = srv.connect()
    c.login()
    assert run(c, "ENABLE CONDSTORE") == (["* ENABLED CONDSTORE"], "OK ENABLE completed")
    assert run(c, "ENABLE QRESYNC") == (["* ENABLED QRESYNC"], "OK ENABLE completed")
    c.close()


def test_qresync_needs_enable(srv):
    fill(srv, "INBOX", 2)
    c = session(srv, qresync=False)
    # RFC 7162 3.2.5, 3.2.6: BAD without ENABLE QRESYNC, and nothing is
    # selected or changed.
    untagged, tagged = run(c, "SELECT INBOX (QRESYNC (%d 1))" % uidvalidity(srv))
    assert tagged.startswith("BAD ") and untagged == []
    assert run(c, "FETCH 1 FLAGS")[1].startswith("BAD ")
    run(c, "SELECT INBOX")
    assert run(c, "UID FETCH 1:* FLAGS (CHANGEDSINCE 1 VANISHED)")[1].startswith("BAD ")
    # A BAD QRESYNC leaves the selected mailbox selected.
    assert run(c, "SELECT INBOX (QRESYNC (1 1))")[1].startswith("BAD ")
    assert run(c, "FETCH 1 FLAGS")[1] == "OK FETCH completed"
    c.close()


@pytest.mark.parametrize("params", [
    "(QRESYNC)", "(QRESYNC ())", "(QRESYNC (1))", "(QRESYNC (0 5))", "(QRESYNC (1 x))",
    "(QRESYNC (1 5 0:3))", "(QRESYNC (1 5 1:3 (1:2)))", "(QRESYNC (1 5) QRESYNC (1 5))",
    "(UNKNOWN)",
])
def test_qresync_syntax_errors(srv, params):
    c = session(srv)
    untagged, tagged = run(c, "SELECT INBOX %s" % params)
    assert tagged.startswith("BAD "), tagged
    c.close()


# ---- SELECT (QRESYNC ...) ----

def test_select_qresync_reports_changes(srv):
    fill(srv, "INBOX", 10)
    v, m0 = uidvalidity(srv), highest(srv)
    other(srv, "STORE 2 +FLAGS (\\Seen)", "STORE 5 +FLAGS ($Work)",
          "STORE 3,7 +FLAGS (\\Deleted)", "EXPUNGE")
    c = session(srv)
    untagged, tagged = run(c, "SELECT INBOX (QRESYNC (%d %d))" % (v, m0))
    assert tagged == "OK [READ-WRITE] SELECT completed"
    h = highest(srv)
    assert "* OK [HIGHESTMODSEQ %d] Highest" % h in untagged
    vanished = [l for l in untagged if l.startswith("* VANISHED")]
    assert vanished == ["* VANISHED (EARLIER) 3,7"]
    fetches = [l for l in untagged if " FETCH " in l]
    msgs = {m["uid"]: m for m in sv.messages(srv, "INBOX")}
    assert fetches == [
        "* 2 FETCH (UID 2 FLAGS (\\Seen) MODSEQ (%d))" % msgs[2]["modseq"],
        "* 4 FETCH (UID 5 FLAGS ($Work) MODSEQ (%d))" % msgs[5]["modseq"],
    ]
    # VANISHED (EARLIER) comes before any FETCH, after the SELECT state.
    order = [i for i, l in enumerate(untagged) if l.startswith("* VANISHED") or " FETCH " in l]
    assert untagged.index(vanished[0]) == order[0]
    assert untagged.index("* 8 EXISTS") < order[0]
    c.close()


def test_select_qresync_known_uids_restrict(srv):
    fill(srv, "INBOX", 10)
    v, m0 = uidvalidity(srv), highest(srv)
    other(srv, "STORE 1:10 +FLAGS (\\Flagged)", "STORE 2,4,9 +FLAGS (\\Deleted)", "EXPUNGE")
    c = session(srv)
    untagged, tagged = run(c, "SELECT INBOX (QRESYNC (%d %d 3:5,8:10))" % (v, m0))
    assert [l for l in untagged if l.startswith("* VANISHED")] == ["* VANISHED (EARLIER) 4,9"]
    uids = [parse_fetch(l)[1]["UID"] for l in untagged if " FETCH " in l]
    assert sorted(uids) == [3, 5, 8, 10]
    c.close()


def test_select_qresync_uidvalidity_mismatch(srv):
    fill(srv, "INBOX", 3)
    m0 = highest(srv)
    other(srv, "STORE 1 +FLAGS (\\Deleted)", "EXPUNGE")
    c = session(srv)
    untagged, tagged = run(c, "SELECT INBOX (QRESYNC (%d %d))" % (uidvalidity(srv) + 1, 1))
    # RFC 7162 3.2.5: the rest is ignored; the client sees the new value.
    assert tagged.startswith("OK [READ-WRITE]")
    assert not [l for l in untagged if l.startswith("* VANISHED") or " FETCH " in l]
    assert "* OK [UIDVALIDITY %d] UIDs valid" % uidvalidity(srv) in untagged
    assert "* OK [HIGHESTMODSEQ %d] Highest" % highest(srv) in untagged
    assert m0 < highest(srv)
    c.close()


def test_select_qresync_up_to_date_and_empty(srv):
    c = session(srv)
    c.command("CREATE Empty")
    v = uidvalidity(srv, "Empty")
    # A mailbox that never had messages: no known UIDs, nothing to report.
    untagged, tagged = run(c, "SELECT Empty (QRESYNC (%d 1))" % v)
    assert tagged == "OK [READ-WRITE] SELECT completed"
    assert not [l for l in untagged if l.startswith("* VANISHED") or " FETCH " in l]
    fill(srv, "INBOX", 4)
    untagged, tagged = run(c, "EXAMINE INBOX (QRESYNC (%d %d 1:4))" % (uidvalidity(srv),
                                                                       highest(srv)))
    assert untagged[0] == "* OK [CLOSED] Previous mailbox closed"
    assert tagged == "OK [READ-ONLY] EXAMINE completed"
    assert not [l for l in untagged if l.startswith("* VANISHED") or " FETCH " in l]
    # MODSEQ 1 (older than everything): every known message is reported.
    untagged, tagged = run(c, "EXAMINE INBOX (QRESYNC (%d 1 2:3))" % uidvalidity(srv))
    assert [parse_fetch(l)[1]["UID"] for l in untagged if " FETCH " in l] == [2, 3]
    c.close()


def test_select_qresync_seq_match(srv):
    fill(srv, "INBOX", 12)
    v, m0 = uidvalidity(srv), highest(srv)
    other(srv, "STORE 2,3,10 +FLAGS (\\Deleted)", "EXPUNGE")
    # Now UIDs 1,4..9,11,12 at seqs 1..9. Pairs (1,1) and (3,5) match,
    # (8,11) matches too, but (5,99) does not, so the walk stops there:
    # UIDs up to 5 are known not to have vanished unseen.
    c = session(srv)
    untagged, _ = run(c, "SELECT INBOX (QRESYNC (%d %d 1:12 (1,3,5,8 1,5,99,11)))" % (v, m0))
    assert [l for l in untagged if l.startswith("* VANISHED")] == ["* VANISHED (EARLIER) 10"]
    # Sets of different sizes are only a hint: ignored.
    untagged, _ = run(c, "SELECT INBOX (QRESYNC (%d %d 1:12 (1:3 1)))" % (v, m0))
    assert [l for l in untagged if l.startswith("* VANISHED")] == [
        "* VANISHED (EARLIER) 2:3,10"]
    # All pairs match: nothing vanished at or below the last pair's UID.
    untagged, _ = run(c, "SELECT INBOX (QRESYNC (%d %d 1:12 (1:3 1,4,5)))" % (v, m0))
    assert [l for l in untagged if l.startswith("* VANISHED")] == ["* VANISHED (EARLIER) 10"]
    c.close()


def test_vanished_instead_of_expunge(srv):
    fill(srv, "INBOX", 6)
    c = session(srv)
    run(c, "SELECT INBOX")
    run(c, "STORE 2,4 +FLAGS.SILENT (\\Deleted)")
    untagged, tagged = run(c, "EXPUNGE")
    # RFC 7162 3.2.7: VANISHED, and the new HIGHESTMODSEQ in the tagged OK.
    assert untagged == ["* VANISHED 2,4"]
    assert tagged == "OK [HIGHESTMODSEQ %d] EXPUNGE completed" % highest(srv)
    other(srv, "STORE 1 +FLAGS (\\Deleted)", "EXPUNGE")
    untagged, tagged = run(c, "NOOP")
    assert untagged == ["* VANISHED 1"]
    run(c, "CREATE Dest")
    untagged, tagged = run(c, "UID MOVE 6 Dest")
    assert untagged[1:] == ["* VANISHED 6"]
    assert tagged == "OK [HIGHESTMODSEQ %d] MOVE completed" % highest(srv)
    # A UID EXPUNGE that removes nothing has no HIGHESTMODSEQ.
    assert run(c, "UID EXPUNGE 3") == ([], "OK UID EXPUNGE completed")
    c.close()


def test_pending_expunge_lowers_highestmodseq(srv):
    """RFC 7162 3.2 and section 6: while an expunge waits (a FETCH by
    sequence number is running), the tagged reply is preceded by a
    HIGHESTMODSEQ below the expunge's MODSEQ, so a client that loses the
    connection then resyncs from before it."""
    fill(srv, "INBOX", 4)
    c = session(srv)
    run(c, "SELECT INBOX")
    before = highest(srv)
    other(srv, "STORE 2 +FLAGS (\\Deleted)", "EXPUNGE", "STORE 3 +FLAGS (\\Seen)")
    untagged, tagged = run(c, "FETCH 1:4 (MODSEQ)")
    assert tagged == "OK [EXPUNGEISSUED] FETCH completed, some messages were expunged"
    assert untagged[-1] == "* OK [HIGHESTMODSEQ %d] Expunges not yet reported" % before
    seen = max(parse_fetch(l)[1]["MODSEQ"] for l in untagged if " FETCH " in l)
    assert seen > before
    # The next command that may report it does, and then no such notice.
    untagged, tagged = run(c, "NOOP")
    assert untagged == ["* VANISHED 2"]
    c.close()


def test_uid_fetch_vanished(srv):
    fill(srv, "INBOX", 8)
    m0 = highest(srv)
    other(srv, "STORE 3,6 +FLAGS (\\Deleted)", "EXPUNGE", "STORE 1 +FLAGS (\\Seen)")
    c = session(srv)
    run(c, "SELECT INBOX")
    untagged, tagged = run(c, "UID FETCH 1:5 (FLAGS) (CHANGEDSINCE %d VANISHED)" % m0)
    assert untagged[0] == "* VANISHED (EARLIER) 3"
    assert [parse_fetch(l)[1]["UID"] for l in untagged[1:]] == [1]
    # VANISHED needs CHANGEDSINCE, and only with UID FETCH (RFC 7162 3.2.6).
    assert run(c, "UID FETCH 1:5 (FLAGS) (VANISHED)")[1].startswith("BAD ")
    assert run(c, "FETCH 1:5 (FLAGS) (CHANGEDSINCE 1 VANISHED)")[1].startswith("BAD ")
    c.close()


def test_qresync_rev2_and_recent(srv):
    fill(srv, "INBOX", 3)
    v, m0 = uidvalidity(srv), highest(srv)
    other(srv, "STORE 2 +FLAGS (\\Answered)")
    c = session(srv)
    # IMAP4rev1: \Recent shows in the resync FETCH for this session's new ones.
    untagged, _ = run(c, "SELECT INBOX (QRESYNC (%d %d))" % (v, m0))
    line = [l for l in untagged if " FETCH " in l][0]
    assert re.fullmatch(r"\* 2 FETCH \(UID 2 FLAGS \(\\Answered( \\Recent)?\) MODSEQ \(\d+\)\)",
                        line), line
    c.close()


def test_qresync_large_resync_is_streamed(srv):
    """A resync that reports thousands of messages to a client that reads
    slowly is written as the client reads, and nothing is lost."""
    n = 3000
    fill(srv, "INBOX", n)
    v = uidvalidity(srv)
    other(srv, "STORE 1:* +FLAGS (\\Flagged)",
          "STORE %s +FLAGS (\\Deleted)" % ",".join(str(i) for i in range(1, n, 2)), "EXPUNGE")
    c = sv.slow_client(srv)
    assert run(c, "ENABLE QRESYNC")[1].startswith("OK")
    c.send("s1 SELECT INBOX (QRESYNC (%d 1))\r\n" % v)
    import time
    time.sleep(0.5)
    untagged, tagged = c.until_tagged("s1")
    assert tagged == "s1 OK [READ-WRITE] SELECT completed"
    gone = set()
    for l in untagged:
        if l.startswith("* VANISHED (EARLIER) "):
            gone |= parse_uidset(l.split(" ", 3)[3])
    assert gone == set(range(1, n, 2))
    fetched = [parse_fetch(l)[1] for l in untagged if " FETCH " in l]
    assert sorted(f["UID"] for f in fetched) == list(range(2, n + 1, 2))
    assert all(f["FLAGS"] == {"\\flagged"} for f in fetched)
    c.close()


# ---- the resync test ----

def record_state(c, mbox):
    """A full first sync: SELECT (CONDSTORE), then all flags."""
    untagged, tagged = run(c, "SELECT INBOX (CONDSTORE)")
    mbox.apply(untagged, tagged)
    untagged, tagged = run(c, "UID FETCH 1:* (FLAGS)")
    mbox.apply(untagged, tagged)


def random_changes(server, rng, round_no):
    """Another session appends, flags (system flags and keywords, set and
    cleared) and expunges, in random order."""
    c = session(server, qresync=False)
    run(c, "SELECT INBOX")
    for step in range(rng.randint(3, 8)):
        uids = sv.uids(server, "INBOX")
        what = rng.choice(["append", "flag", "flag", "unflag", "expunge", "keyword"])
        pick = sorted(rng.sample(uids, min(len(uids), rng.randint(1, 6)))) if uids else []
        if what == "append":
            sv.fill(c, "INBOX", rng.randint(1, 4), start=1000 * round_no + 10 * step)
        elif what in ("flag", "unflag", "keyword") and pick:
            flag = rng.choice(["\\Seen", "\\Flagged", "\\Answered", "\\Draft", "$Label1",
                               "$Todo"]) if what != "keyword" else "$K%d" % rng.randint(1, 3)
            sign = "-" if what == "unflag" else "+"
            assert run(c, "UID STORE %s %sFLAGS (%s)" % (uidset(pick), sign, flag))[1] \
                .startswith("OK")
        elif what == "expunge" and pick:
            run(c, "UID STORE %s +FLAGS.SILENT (\\Deleted)" % uidset(pick))
            assert run(c, "UID EXPUNGE %s" % uidset(pick))[1].startswith("OK")
    c.close()


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_resync_rebuilds_server_state(srv, seed):
    """The issue's resync test: record (UIDVALIDITY, HIGHESTMODSEQ, UIDs,
    flags), let other sessions change the mailbox, reconnect with QRESYNC
    and rebuild exactly the server's state from the responses alone."""
    rng = random.Random(seed)
    fill(srv, "INBOX", 30)
    c = session(srv)
    mbox = Mailbox()
    record_state(c, mbox)
    c.close()
    assert mbox.state() == server_state(sv.messages(srv, "INBOX"))
    for round_no in range(1, 6):
        random_changes(srv, rng, round_no)
        c = session(srv)
        known = sorted(mbox.flags)
        params = "%d %d" % (mbox.uidvalidity, mbox.highestmodseq)
        if known and rng.random() < 0.7:
            params += " " + uidset(known)
            if rng.random() < 0.5:
                # Sequence match data for a sample of what the client knows.
                sample = sorted(rng.sample(range(len(known)), min(3, len(known))))
                params += " (%s %s)" % (uidset([i + 1 for i in sample]),
                                        uidset([known[i] for i in sample]))
        old_uidnext = mbox.uidnext
        untagged, tagged = run(c, "SELECT INBOX (QRESYNC (%s))" % params)
        assert tagged == "OK [READ-WRITE] SELECT completed"
        mbox.apply(untagged, tagged)
        # The new messages: the one thing QRESYNC leaves to the client.
        untagged, tagged = run(c, "UID FETCH %d:* (FLAGS)" % old_uidnext)
        mbox.apply([l for l in untagged if parse_fetch(l)[1]["UID"] >= old_uidnext], tagged)
        truth = server_state(sv.messages(srv, "INBOX"))
        assert mbox.state() == truth, (round_no, params)
        assert mbox.exists == len(truth)
        assert mbox.highestmodseq == highest(srv)
        # Changes while selected arrive as VANISHED and FETCH (UID, FLAGS,
        # MODSEQ); new messages as EXISTS, fetched at the next round.
        random_changes(srv, rng, round_no + 50)
        untagged, tagged = run(c, "NOOP")
        mbox.apply(untagged, tagged)
        truth = server_state(sv.messages(srv, "INBOX"))
        assert mbox.exists == len(truth)
        assert {u: f for u, f in mbox.state().items() if u < old_uidnext or u in truth} == \
            {u: truth[u] for u in mbox.flags if u in truth}
        c.close()
