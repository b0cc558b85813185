"""SEARCHRES (RFC 5182, RFC 9051 6.4.4.1): RETURN (SAVE), the "$" marker
in later commands, which messages each combination of options saves,
and when the saved result changes, empties or stays."""
import pytest

from conftest import Server
from search_helpers import append, append_raw, crlf, esearch, numbers, only, run_search

# seq/UID: 1 \Seen, 2 \Seen, 3 \Flagged, 4 -, 5 \Flagged \Seen, 6 -
FLAGS = ["\\Seen", "\\Seen", "\\Flagged", "", "\\Flagged \\Seen", ""]
USERS = {"alice": "alice-secret", "bob": "bob-secret", "carol": "carol-secret"}


def corpus():
    return [(crlf("Subject: message %d\nFrom: x%d@example.com\n\nbody %d\n" % (i, i, i)),
             flags, None) for i, flags in enumerate(FLAGS, 1)]


@pytest.fixture(scope="module")
def srv():
    s = Server(users=USERS)
    for user in USERS:
        c = s.connect()
        c.login(user)
        append_raw(c, "INBOX", corpus())
        c.close()
    yield s
    s.stop()


@pytest.fixture
def c(srv):
    cl = srv.connect()
    cl.login("alice")
    untagged, tagged = cl.command("EXAMINE INBOX")
    assert " OK " in tagged
    yield cl
    cl.close()


def search(c, args):
    return run_search(c, args)[0]


def test_save_then_dollar(c):
    untagged, tagged = c.command("SEARCH RETURN (SAVE) FLAGGED", tag="s1")
    # SAVE alone: no ESEARCH response (RFC 9051 6.4.4)
    assert untagged == []
    assert tagged.startswith("s1 OK ")
    assert search(c, "SEARCH $") == [3, 5]
    assert search(c, "UID SEARCH $") == [3, 5]
    assert search(c, "UID SEARCH UID $") == [3, 5]
    assert search(c, "SEARCH $ SEEN") == [5]
    assert search(c, "SEARCH OR $ 1") == [1, 3, 5]
    assert search(c, "SEARCH NOT $") == [1, 2, 4, 6]
    assert search(c, "SEARCH (OR $ 1:2) UNSEEN") == [3]


def test_dollar_starts_empty(c):
    assert search(c, "SEARCH $") == []
    assert search(c, "SEARCH NOT $") == [1, 2, 3, 4, 5, 6]
    untagged, tagged = c.command("SEARCH RETURN (SAVE) ALL")
    assert search(c, "SEARCH $") == [1, 2, 3, 4, 5, 6]
    # selecting (again) empties it (RFC 5182 2.1)
    untagged, tagged = c.command("EXAMINE INBOX")
    assert " OK " in tagged
    assert search(c, "SEARCH $") == []


SAVE_CASES = [
    # options, the ESEARCH items, what "$" holds afterwards (Example 10)
    ("SAVE", None, [3, 4, 6]),
    ("SAVE MIN", " MIN 3", [3]),
    ("SAVE MAX", " MAX 6", [6]),
    ("MAX SAVE MIN", " MIN 3 MAX 6", [3, 6]),
    ("SAVE MIN COUNT", " MIN 3 COUNT 3", [3, 4, 6]),
    ("ALL SAVE MIN", " MIN 3 ALL 3:4,6", [3, 4, 6]),
    ("SAVE ALL", " ALL 3:4,6", [3, 4, 6]),
    ("SAVE COUNT", " COUNT 3", [3, 4, 6]),
]


@pytest.mark.parametrize("opts,items,saved", SAVE_CASES, ids=[o for o, _, _ in SAVE_CASES])
def test_save_combinations(c, opts, items, saved):
    for cmd in ("SEARCH", "UID SEARCH"):
        untagged, tagged = c.command("SEARCH RETURN (SAVE) 1", tag="z0")
        untagged, tagged = c.command("%s RETURN (%s) UNSEEN" % (cmd, opts), tag="z1")
        assert tagged.startswith("z1 OK "), tagged
        if items is None:
            assert untagged == []
        else:
            uid = " UID" if cmd.startswith("UID") else ""
            assert untagged == ['* ESEARCH (TAG "z1")%s%s' % (uid, items)]
        assert search(c, "SEARCH $") == saved


def test_save_empty_result(c):
    untagged, tagged = c.command("SEARCH RETURN (SAVE) 1")
    assert search(c, "SEARCH $") == [1]
    untagged, tagged = c.command("SEARCH RETURN (SAVE MIN) DELETED", tag="e1")
    assert untagged == ['* ESEARCH (TAG "e1")']
    assert search(c, "SEARCH $") == []


def test_no_empties_bad_keeps(c):
    untagged, tagged = c.command("SEARCH RETURN (SAVE) FLAGGED")
    assert search(c, "SEARCH $") == [3, 5]
    # BAD leaves "$" alone: a sequence number above EXISTS, a syntax error
    untagged, tagged = c.command("SEARCH RETURN (SAVE) 99", tag="b1")
    assert tagged.startswith("b1 BAD ")
    untagged, tagged = c.command("SEARCH RETURN (SAVE) FROBNICATE", tag="b2")
    assert tagged.startswith("b2 BAD ")
    assert search(c, "SEARCH $") == [3, 5]
    # a NO without SAVE leaves it too
    untagged, tagged = c.command("SEARCH CHARSET KOI8-R TEXT x", tag="n1")
    assert tagged.startswith("n1 NO [BADCHARSET")
    assert search(c, "SEARCH $") == [3, 5]
    # a successful search without SAVE does not change it
    assert search(c, "SEARCH SEEN") == [1, 2, 5]
    assert search(c, "SEARCH $") == [3, 5]
    # a NO with SAVE empties it (RFC 5182 Example 5)
    untagged, tagged = c.command("SEARCH RETURN (SAVE) CHARSET KOI8-R (OR $ 1:2) TEXT x",
                                 tag="n2")
    assert tagged == "n2 NO [BADCHARSET (US-ASCII UTF-8)] Supported charsets are US-ASCII and UTF-8"
    assert search(c, "SEARCH $") == []
    assert search(c, "SEARCH NOT $") == [1, 2, 3, 4, 5, 6]


def test_latest_save_wins(c):
    c.send("h1 SEARCH RETURN (SAVE) SEEN\r\nh2 SEARCH RETURN (SAVE) FLAGGED\r\nh3 SEARCH $\r\n")
    untagged, tagged = c.until_tagged("h1")
    assert tagged.startswith("h1 OK") and untagged == []
    untagged, tagged = c.until_tagged("h2")
    assert tagged.startswith("h2 OK") and untagged == []
    untagged, tagged = c.until_tagged("h3")
    assert untagged == ["* SEARCH 3 5"]


def test_pipelined_save_and_use(c):
    # RFC 5182 2.3: executed in order, so the second sees the first's result
    c.send("p1 SEARCH RETURN (SAVE) UNSEEN\r\np2 UID SEARCH UID $ SMALLER 1000\r\n"
           "p3 SEARCH RETURN (COUNT) $\r\n")
    untagged, tagged = c.until_tagged("p1")
    assert tagged.startswith("p1 OK")
    untagged, tagged = c.until_tagged("p2")
    assert untagged == ["* SEARCH 3 4 6"]
    untagged, tagged = c.until_tagged("p3")
    assert untagged == ['* ESEARCH (TAG "p3") COUNT 3']


def test_save_with_modseq(c):
    untagged, tagged = c.command("SEARCH RETURN (SAVE MAX) MODSEQ 1 SEEN", tag="m1")
    d = esearch(untagged[-1])
    assert d["MAX"] == 5 and d["MODSEQ"] >= 1
    assert search(c, "SEARCH $") == [5]


def test_fetch_dollar(srv):
    c = srv.connect()
    c.login("alice")
    c.command("EXAMINE INBOX")
    untagged, tagged = c.command("SEARCH RETURN (SAVE) FLAGGED")
    untagged, tagged = c.command("FETCH $ (UID FLAGS)", tag="f1")
    if "[CANNOT]" in tagged:
        pytest.skip("FETCH is not available in this build")
    assert tagged.startswith("f1 OK")
    assert untagged == ["* 3 FETCH (UID 3 FLAGS (\\Flagged))",
                        "* 5 FETCH (UID 5 FLAGS (\\Seen \\Flagged))"]
    untagged, tagged = c.command("UID FETCH $ (FLAGS)", tag="f2")
    assert untagged == ["* 3 FETCH (UID 3 FLAGS (\\Flagged))",
                        "* 5 FETCH (UID 5 FLAGS (\\Seen \\Flagged))"]
    c.close()


def test_saved_result_follows_expunge(srv):
    """Expunged messages leave "$"; "$" is kept as UIDs, so sequence
    numbers shift with the expunges (RFC 5182 2.1)."""
    c = srv.connect()
    c.login("bob")
    untagged, tagged = c.command("SELECT INBOX")
    untagged, tagged = c.command("SEARCH RETURN (SAVE) OR 2 UNSEEN")
    assert search(c, "SEARCH $") == [2, 3, 4, 6]
    untagged, tagged = c.command("STORE 1:2 +FLAGS.SILENT (\\Deleted)", tag="d1")
    if "[CANNOT]" in tagged:
        pytest.skip("STORE is not available in this build")
    untagged, tagged = c.command("EXPUNGE", tag="d2")
    if "[CANNOT]" in tagged:
        pytest.skip("EXPUNGE is not available in this build")
    assert untagged == ["* 1 EXPUNGE", "* 1 EXPUNGE"]
    # UIDs 3, 4, 6 are now sequence numbers 1, 2, 4
    assert search(c, "SEARCH $") == [1, 2, 4]
    assert search(c, "UID SEARCH $") == [3, 4, 6]
    c.close()


def test_expunge_by_other_session(srv):
    c = srv.connect()
    c.login("carol")
    c.command("SELECT INBOX")
    untagged, tagged = c.command("UID SEARCH RETURN (SAVE) UNSEEN")
    other = srv.connect()
    other.login("carol")
    other.command("SELECT INBOX")
    untagged, tagged = other.command("STORE 3 +FLAGS.SILENT (\\Deleted)", tag="d1")
    if "[CANNOT]" in tagged:
        pytest.skip("STORE is not available in this build")
    untagged, tagged = other.command("EXPUNGE", tag="d2")
    if "[CANNOT]" in tagged:
        pytest.skip("EXPUNGE is not available in this build")
    # no EXPUNGE during SEARCH by sequence numbers (RFC 9051 7.5.1): the
    # numbers stay as they were and the expunged message is not found
    untagged, tagged = c.command("SEARCH $", tag="x1")
    assert untagged == ["* SEARCH 4 6"]
    # UID SEARCH may report the expunge: after its result, since its keys
    # could name sequence numbers counted before the expunge
    untagged, tagged = c.command("UID SEARCH $", tag="x2")
    assert untagged == ["* SEARCH 4 6", "* 3 EXPUNGE"]
    assert search(c, "SEARCH $") == [3, 5]
    other.close()
    c.close()
