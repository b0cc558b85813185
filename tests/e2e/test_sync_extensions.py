"""The smaller sync extensions, as announced: OBJECTID (RFC 8474: EMAILID
kept by COPY and MOVE), SAVEDATE (RFC 8514), PREVIEW (RFC 8970, LAZY
too), WITHIN (RFC 5032) and PARTIAL (RFC 9394) for SEARCH and UID FETCH.
"""
import re

import pytest

import storeview as sv


@pytest.fixture(scope="module")
def srv(server):
    c = server.connect()
    c.login("bob")
    c.command("CREATE Part")
    sv.fill(c, "Part", 20)
    c.command("CREATE Old")
    sv.append(c, "Old", sv.message(100), date="01-Jan-2001 10:00:00 +0000")
    sv.append(c, "Old", sv.message(101))
    c.close()
    return server


@pytest.fixture
def c(srv):
    cl = srv.connect()
    cl.login("bob")
    yield cl
    cl.close()


def run(c, text):
    untagged, tagged = c.command(text)
    return untagged, tagged.split(" ", 1)[1]


def test_capabilities(c):
    caps = set(run(c, "CAPABILITY")[0][0].split())
    assert {"OBJECTID", "SAVEDATE", "PREVIEW", "WITHIN", "PARTIAL", "CONDSTORE", "QRESYNC",
            "QUOTA", "ESEARCH"} <= caps


def emailid(c, uid):
    untagged, tagged = run(c, "UID FETCH %d (EMAILID THREADID SAVEDATE)" % uid)
    m = re.search(r"EMAILID \(([A-Za-z0-9_-]{1,255})\) THREADID (\(([A-Za-z0-9_-]+)\)|NIL) "
                  r'SAVEDATE "([^"]+)"', untagged[0])
    assert m, untagged
    return m.group(1), m.group(3)


def test_emailid_kept_by_copy_and_move(c):
    run(c, "CREATE Ids")
    sv.fill(c, "Ids", 2)
    run(c, "SELECT Ids")
    e1, t1 = emailid(c, 1)
    e2, _ = emailid(c, 2)
    assert e1 != e2
    run(c, "CREATE Ids2")
    untagged, tagged = run(c, "UID COPY 1 Ids2")
    assert tagged.startswith("OK [COPYUID ")
    run(c, "UID MOVE 2 Ids2")
    run(c, "SELECT Ids2")
    # RFC 8474 5.1: the same message keeps its EMAILID (and THREADID).
    assert emailid(c, 1) == (e1, t1)
    assert emailid(c, 2)[0] == e2
    untagged, _ = run(c, "UID SEARCH EMAILID %s" % e1)
    assert untagged == ["* SEARCH 1"]


def test_savedate_and_savedatesupported(c):
    run(c, "SELECT Old")
    untagged, _ = run(c, "UID FETCH 1:* (INTERNALDATE SAVEDATE)")
    assert len(untagged) == 2
    # The old INTERNALDATE was set by APPEND; the save date is now.
    assert 'INTERNALDATE "01-Jan-2001 10:00:00 +0000"' in untagged[0]
    assert "2001" not in untagged[0].split("SAVEDATE", 1)[1]
    # RFC 8514 4.3: every mailbox has save dates.
    assert run(c, "SEARCH SAVEDATESUPPORTED") == (["* SEARCH 1 2"], "OK SEARCH completed")


def test_within(c):
    run(c, "SELECT Old")
    assert run(c, "SEARCH OLDER 86400")[0] == ["* SEARCH 1"]
    assert run(c, "SEARCH YOUNGER 86400")[0] == ["* SEARCH 2"]
    assert run(c, "SEARCH OLDER 0")[1].startswith("BAD")


def test_preview_lazy(c):
    run(c, "SELECT Part")
    plain = run(c, "FETCH 1 (PREVIEW)")[0]
    lazy = run(c, "FETCH 1 (PREVIEW (LAZY))")[0]
    assert plain == lazy and plain[0].startswith('* 1 FETCH (PREVIEW "Body of message 0.')


@pytest.mark.parametrize("ret, expect", [
    ("PARTIAL 1:5", "PARTIAL (1:5 1:5)"),
    ("PARTIAL 5:1", "PARTIAL (5:1 1:5)"),
    ("PARTIAL -1:-3", "PARTIAL (-1:-3 18:20)"),
    ("PARTIAL 18:30", "PARTIAL (18:30 18:20)"),
    ("PARTIAL 21:30", "PARTIAL (21:30 NIL)"),
    ("PARTIAL -100:-30", "PARTIAL (-100:-30 NIL)"),
    ("PARTIAL -25:-19", "PARTIAL (-25:-19 1:2)"),
    ("MIN COUNT PARTIAL 2:3", "MIN 1 COUNT 20 PARTIAL (2:3 2:3)"),
])
def test_search_partial(c, ret, expect):
    run(c, "SELECT Part")
    assert run(c, "SEARCH RETURN (%s) ALL" % ret) == (
        ['* ESEARCH (TAG "a3") %s' % expect], "OK SEARCH completed")


def test_search_partial_uid_gaps_and_save(c):
    run(c, "SELECT Part")
    run(c, "UID STORE 2,4,6 +FLAGS (\\Flagged)")
    # Positions count results in mailbox order, not UIDs.
    assert run(c, "UID SEARCH RETURN (PARTIAL 2:3) FLAGGED")[0] == [
        '* ESEARCH (TAG "a4") UID PARTIAL (2:3 4,6)']
    # RFC 9394 3.2: SAVE keeps the PARTIAL results (with MIN/MAX) ...
    run(c, "UID SEARCH RETURN (SAVE PARTIAL -1:-1 MIN) FLAGGED")
    assert run(c, "UID SEARCH UID $")[0] == ["* SEARCH 2 6"]
    # ... or every result when COUNT is asked too.
    run(c, "UID SEARCH RETURN (SAVE PARTIAL 1:1 COUNT) FLAGGED")
    assert run(c, "UID SEARCH UID $")[0] == ["* SEARCH 2 4 6"]
    # With MODSEQ the highest MODSEQ of the partial results follows.
    untagged, _ = run(c, "UID SEARCH RETURN (PARTIAL 1:2) MODSEQ 1 FLAGGED")
    assert re.fullmatch(r'\* ESEARCH \(TAG "a\d+"\) UID PARTIAL \(1:2 2,4\) MODSEQ \d+',
                        untagged[-1]), untagged
    run(c, "UID STORE 2,4,6 -FLAGS (\\Flagged)")


@pytest.mark.parametrize("command", [
    "SEARCH RETURN (ALL PARTIAL 1:2) ALL",
    "SEARCH RETURN (PARTIAL 0:2) ALL",
    "SEARCH RETURN (PARTIAL 1:-2) ALL",
    "SEARCH RETURN (PARTIAL 1:*) ALL",
    "SEARCH RETURN (PARTIAL) ALL",
    "SORT RETURN (PARTIAL 1:2) (DATE) UTF-8 ALL",
    # RFC 9394 3.3: the FETCH modifier belongs to UID FETCH only.
    "FETCH 1:* (FLAGS) (PARTIAL 1:2)",
    "UID FETCH 1:* (FLAGS) (PARTIAL 0:2)",
    "UID FETCH 1:* (FLAGS) (PARTIAL -1:2)",
])
def test_partial_errors(c, command):
    run(c, "SELECT Part")
    untagged, tagged = run(c, command)
    assert tagged.startswith("BAD "), tagged
    assert untagged == []


def test_uid_fetch_partial_with_changedsince(c):
    run(c, "SELECT Part")
    run(c, "UID STORE 19 +FLAGS ($Late)")
    untagged, tagged = run(c, "UID FETCH 1:* (FLAGS) (PARTIAL -1:-3 CHANGEDSINCE 1)")
    # The last three messages, then only those changed since MODSEQ 1.
    assert [int(re.search(r"UID (\d+)", l).group(1)) for l in untagged if " FETCH " in l] == \
        [18, 19, 20]
    untagged, tagged = run(c, "UID FETCH 1:* (FLAGS) (PARTIAL 1:2)")
    assert [int(re.search(r"UID (\d+)", l).group(1)) for l in untagged] == [1, 2]


def test_savedate_search_keys(c):
    """RFC 8514 4.2: SAVEDBEFORE/SAVEDON/SAVEDSINCE compare the save date
    (today for both messages of Old), not the internal date (2001 for one)."""
    run(c, "SELECT Old")
    untagged, _ = run(c, "UID FETCH 1 (SAVEDATE)")
    day = re.search(r'SAVEDATE "(\d+-\w+-\d{4})', untagged[0]).group(1).lstrip("0")
    assert run(c, "SEARCH SAVEDON %s" % day)[0] == ["* SEARCH 1 2"]
    assert run(c, "SEARCH SAVEDSINCE %s" % day)[0] == ["* SEARCH 1 2"]
    assert run(c, "SEARCH SAVEDBEFORE %s" % day)[0] == ["* SEARCH"]
    assert run(c, "SEARCH SAVEDBEFORE 1-Jan-2002")[0] == ["* SEARCH"]
    assert run(c, "SEARCH BEFORE 1-Jan-2002")[0] == ["* SEARCH 1"]
    assert run(c, "SEARCH SAVEDSINCE 1-Jan-2100")[0] == ["* SEARCH"]
    assert run(c, "SEARCH NOT SAVEDATESUPPORTED")[0] == ["* SEARCH"]
    assert run(c, "SEARCH SAVEDON 31-Foo-2020")[1].startswith("BAD")


def test_threadid_and_emailid_search(c):
    """RFC 8474 6: EMAILID and THREADID search keys; an id of the wrong
    form is BAD, an unknown one matches nothing."""
    run(c, "SELECT Part")
    e1, t1 = emailid(c, 1)
    assert run(c, "UID SEARCH EMAILID %s" % e1)[0] == ["* SEARCH 1"]
    if t1 is not None:
        found = run(c, "UID SEARCH THREADID %s" % t1)[0][0].split()[2:]
        assert "1" in found
    assert run(c, "UID SEARCH EMAILID Unknown-Id_0")[0] == ["* SEARCH"]
    assert run(c, "UID SEARCH THREADID Unknown-Id_0")[0] == ["* SEARCH"]
    assert run(c, "UID SEARCH EMAILID a.b")[1].startswith("BAD")
    assert run(c, "UID SEARCH THREADID \"\"")[1].startswith("BAD")


def test_preview_forms(c):
    """RFC 8970 3.1: PREVIEW and PREVIEW (LAZY) in FETCH; an unknown
    modifier is BAD; at most 256 characters, no line ends."""
    run(c, "SELECT Part")
    untagged, tagged = run(c, "UID FETCH 1:3 (UID PREVIEW)")
    assert tagged.startswith("OK") and len(untagged) == 3
    for line in untagged:
        text = re.search(r'PREVIEW "([^"]*)"', line).group(1)
        assert 0 < len(text) <= 256 and "\r" not in text and "\n" not in text
    assert run(c, "FETCH 1 (PREVIEW (FUZZY))")[1].startswith("BAD")
    assert run(c, "FETCH 1 (PREVIEW ())")[1].startswith("BAD")


def test_uid_fetch_partial_with_vanished(c):
    """RFC 9394 3.4 with RFC 7162 3.2.6: PARTIAL picks among existing
    messages, then CHANGEDSINCE; VANISHED names the expunges of the set."""
    run(c, "ENABLE QRESYNC")
    run(c, "CREATE PV")
    sv.fill(c, "PV", 6)
    untagged, _ = run(c, "SELECT PV")
    modseq = int(re.search(r"HIGHESTMODSEQ (\d+)", " ".join(untagged)).group(1))
    run(c, "UID STORE 2 +FLAGS.SILENT (\\Deleted)")
    assert run(c, "UID EXPUNGE 2")[0] == ["* VANISHED 2"]
    run(c, "UID STORE 5 +FLAGS.SILENT ($X)")
    untagged, tagged = run(c, "UID FETCH 1:* (FLAGS) (PARTIAL -1:-2 CHANGEDSINCE %d VANISHED)"
                           % modseq)
    assert tagged.startswith("OK")
    assert untagged[0] == "* VANISHED (EARLIER) 2"
    assert [int(re.search(r"UID (\d+)", l).group(1)) for l in untagged[1:]] == [5]
