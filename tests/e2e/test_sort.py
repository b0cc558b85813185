"""SORT and UID SORT (RFC 5256 section 3), SORT=DISPLAY (RFC 5957), ESORT
(RFC 5267 section 3) and MODSEQ with SORT (RFC 7162 3.1.9): every sort
key, REVERSE, ties, i;unicode-casemap collation, errors."""
import re

import pytest

from conftest import Server
from search_helpers import append_raw, esearch, message, run_search

# seq = UID = position + 1 (see the expected orders in the tests)
CORPUS = [
    (message([("From", "Zed <zed@x.example>"), ("To", "amy@x.example"),
              ("Cc", "mike@x.example"), ("Subject", "Re: beta"),
              ("Date", "Tue, 05 Mar 2024 10:00:00 +0000")], "a\n" * 40),
     "01-Mar-2024 00:00:00 +0000"),
    (message([("From", "alice@x.example"), ("To", "Bob <bob@x.example>"),
              ("Subject", "Alpha"), ("Date", "Fri, 01 Mar 2024 12:00:00 +0100")], "b\n" * 10),
     "04-Mar-2024 00:00:00 +0000"),
    (message([("From", "=?UTF-8?Q?=C3=84rger?= <Boris@x.example>"), ("To", "carl@x.example"),
              ("Subject", "=?UTF-8?Q?=C3=A4pfel?="),
              ("Date", "Sun, 03 Mar 2024 08:00:00 +0000")], "c\n" * 70),
     "02-Mar-2024 00:00:00 +0000"),
    (message([("From", "bob@x.example"), ("Subject", "[list] Fwd: alpha")], "d\n" * 10),
     "03-Mar-2024 09:00:00 +0000"),
    # 06:00 -0500 is 11:00 UTC: after message 4 (09:00 UTC), not before 3
    (message([("From", "Carl <carl@x.example>"), ("Subject", "Zulu"),
              ("Date", "Sun, 03 Mar 2024 06:00:00 -0500")], "e\n" * 5),
     "05-Mar-2024 00:00:00 +0000"),
    (message([("From", "ALICE@x.example"), ("To", "Zoe <zoe@x.example>"),
              ("Subject", "apfel"), ("Date", "Mon, 04 Mar 2024 00:00:00 +0000")], "f\n" * 25),
     "06-Mar-2024 00:00:00 +0000"),
    (message([("X-Nothing", "no from, no subject, no date")], "g\n"),
     "06-Mar-2024 00:00:00 +0000"),
]
SIZES = [len(m) for m, _ in CORPUS]
N = len(CORPUS)


@pytest.fixture(scope="module")
def srv():
    s = Server()
    c = s.connect()
    c.login("alice")
    for data, date in CORPUS:
        append_raw(c, "INBOX", [(data, "", date)])
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


def sort(c, args):
    return run_search(c, args, prefix="SORT")[0]


def by_size(reverse=False):
    order = sorted(range(1, N + 1), key=lambda i: (SIZES[i - 1], i))
    if reverse:
        # REVERSE reverses the key, not the implicit sequence-number tie-break
        order = sorted(range(1, N + 1), key=lambda i: (-SIZES[i - 1], i))
    return order


SORT_CASES = [
    # base subjects "", alpha, alpha, apfel, äpfel, beta, zulu: ä after a
    # under i;unicode-casemap (A + U+0308), ties in mailbox order
    ("(SUBJECT)", [7, 2, 4, 6, 3, 1, 5]),
    ("(REVERSE SUBJECT)", [5, 1, 3, 6, 2, 4, 7]),
    # addr-mailbox: "", alice, ALICE, bob, Boris, carl, zed
    ("(FROM)", [7, 2, 6, 4, 3, 5, 1]),
    ("(REVERSE FROM)", [1, 5, 3, 4, 2, 6, 7]),
    ("(TO)", [4, 5, 7, 1, 2, 3, 6]),
    ("(CC)", [2, 3, 4, 5, 6, 7, 1]),
    ("(REVERSE CC)", [1, 2, 3, 4, 5, 6, 7]),
    # sent dates in UTC; no Date: the internal date
    ("(DATE)", [2, 3, 4, 5, 6, 1, 7]),
    ("(REVERSE DATE)", [7, 1, 6, 5, 4, 3, 2]),
    ("(ARRIVAL)", [1, 3, 4, 2, 5, 6, 7]),
    # 6 and 7 arrived at the same second: still in mailbox order
    ("(REVERSE ARRIVAL)", [6, 7, 5, 2, 4, 3, 1]),
    ("(SIZE)", by_size()),
    ("(REVERSE SIZE)", by_size(True)),
    # RFC 5957: display name, else mailbox@host: "", alice@, ALICE@, Ärger, bob@, Carl, Zed
    ("(DISPLAYFROM)", [7, 2, 6, 3, 4, 5, 1]),
    ("(DISPLAYTO)", [4, 5, 7, 1, 2, 3, 6]),
    ("(REVERSE DISPLAYTO)", [6, 3, 2, 1, 4, 5, 7]),
    ("(SUBJECT DATE)", [7, 2, 4, 6, 3, 1, 5]),
    ("(SUBJECT REVERSE DATE)", [7, 4, 2, 6, 3, 1, 5]),
    ("(REVERSE SUBJECT REVERSE DATE)", [5, 1, 3, 6, 4, 2, 7]),
    ("(CC SUBJECT)", [7, 2, 4, 6, 3, 5, 1]),
    ("(subject date)", [7, 2, 4, 6, 3, 1, 5]),
]


@pytest.mark.parametrize("crit,expected", SORT_CASES, ids=[c for c, _ in SORT_CASES])
def test_sort_keys(c, crit, expected):
    assert sort(c, "SORT %s UTF-8 ALL" % crit) == expected
    assert sort(c, "UID SORT %s US-ASCII ALL" % crit) == expected


def test_sort_with_criteria(c):
    assert sort(c, "SORT (DATE) UTF-8 SUBJECT alpha") == [2, 4]
    assert sort(c, "SORT (REVERSE DATE) UTF-8 SUBJECT alpha") == [4, 2]
    assert sort(c, "SORT (SUBJECT) UTF-8 NOT 3:5") == [7, 2, 6, 1]
    assert sort(c, "SORT (SUBJECT) US-ASCII TEXT \"not in mailbox\"") == []
    untagged, tagged = c.command("SORT (SUBJECT) UTF-8 KEYWORD $none", tag="e1")
    assert untagged == ["* SORT"]
    assert tagged == "e1 OK SORT completed"
    data = "ärger".encode()
    c.send(b"u1 SORT (DATE) UTF-8 FROM {%d+}\r\n" % len(data) + data + b"\r\n")
    untagged, tagged = c.until_tagged("u1")
    assert untagged == ["* SORT 3"]


def test_sort_form(c):
    untagged, tagged = c.command("SORT (DATE) UTF-8 ALL", tag="f1")
    assert untagged == ["* SORT 2 3 4 5 6 1 7"]
    assert tagged == "f1 OK SORT completed"
    untagged, tagged = c.command("UID SORT (DATE) UTF-8 ALL", tag="f2")
    assert untagged == ["* SORT 2 3 4 5 6 1 7"]
    assert tagged == "f2 OK UID SORT completed"


def test_sort_rev2_keeps_sort_response(srv):
    c = srv.connect()
    c.login("alice")
    c.command("ENABLE IMAP4rev2")
    c.command("EXAMINE INBOX")
    untagged, tagged = c.command("SORT (DATE) UTF-8 ALL", tag="f1")
    assert untagged == ["* SORT 2 3 4 5 6 1 7"]
    c.close()


ESORT_CASES = [
    ("RETURN () (DATE)", " ALL 2:6,1,7"),
    ("RETURN (ALL) (REVERSE DATE)", " ALL 7,1,6,5,4,3,2"),
    ("RETURN (MIN MAX COUNT) (DATE)", " MIN 2 MAX 7 COUNT 7"),
    ("RETURN (MIN) (REVERSE DATE)", " MIN 7"),
    ("RETURN (COUNT ALL) (SUBJECT)", " COUNT 7 ALL 7,2,4,6,3,1,5"),
    ("RETURN (ALL) (ARRIVAL)", " ALL 1,3:4,2,5:7"),
]


@pytest.mark.parametrize("args,items", ESORT_CASES, ids=[a for a, _ in ESORT_CASES])
def test_esort(c, args, items):
    untagged, tagged = c.command("SORT %s UTF-8 ALL" % args, tag="s1")
    assert untagged == ['* ESEARCH (TAG "s1")' + items]
    assert tagged == "s1 OK SORT completed"
    untagged, tagged = c.command("UID SORT %s UTF-8 ALL" % args, tag="s2")
    assert untagged == ['* ESEARCH (TAG "s2") UID' + items]


def test_esort_empty(c):
    untagged, tagged = c.command("SORT RETURN (MIN MAX COUNT ALL) (DATE) UTF-8 KEYWORD $x",
                                 tag="s1")
    assert untagged == ['* ESEARCH (TAG "s1") COUNT 0']


def test_sort_save(c):
    # SAVE with MIN only keeps the first message in sort order
    untagged, tagged = c.command("SORT RETURN (SAVE MIN) (REVERSE DATE) UTF-8 ALL", tag="v1")
    assert untagged == ['* ESEARCH (TAG "v1") MIN 7']
    assert run_search(c, "SEARCH $")[0] == [7]
    untagged, tagged = c.command("SORT RETURN (SAVE) (DATE) UTF-8 SUBJECT alpha", tag="v2")
    assert untagged == []
    assert tagged.startswith("v2 OK")
    assert run_search(c, "SEARCH $")[0] == [2, 4]
    assert sort(c, "SORT (REVERSE DATE) UTF-8 $") == [4, 2]
    untagged, tagged = c.command("SORT RETURN (SAVE) (DATE) KOI8-R ALL", tag="v3")
    assert tagged.startswith("v3 NO [BADCHARSET")
    assert run_search(c, "SEARCH $")[0] == []


def test_sort_modseq(c):
    untagged, tagged = c.command("SORT (DATE) UTF-8 MODSEQ 1", tag="m1")
    m = re.match(r"^\* SORT 2 3 4 5 6 1 7 \(MODSEQ (\d+)\)$", untagged[-1])
    assert m, untagged
    top = int(m.group(1))
    untagged, tagged = c.command("SORT (DATE) UTF-8 MODSEQ %d" % (top + 1), tag="m2")
    assert untagged[-1] == "* SORT"
    untagged, tagged = c.command("SORT RETURN (ALL) (DATE) UTF-8 MODSEQ 1", tag="m3")
    d = esearch(untagged[-1])
    assert d["ALL"] == "2:6,1,7" and d["MODSEQ"] == top


@pytest.mark.parametrize("args", [
    "SORT (DATE) ALL",            # the charset is mandatory
    "SORT (DATE)",
    "SORT () UTF-8 ALL",
    "SORT (FOO) UTF-8 ALL",
    "SORT (REVERSE) UTF-8 ALL",
    "SORT DATE UTF-8 ALL",
    "SORT (DATE) UTF-8",
    "SORT (DATE) UTF-8 8",        # above EXISTS
    "SORT RETURN (PARTIAL 1:5) (DATE) UTF-8 ALL",
    "SORT RETURN (BOGUS) (DATE) UTF-8 ALL",
])
def test_sort_bad(c, args):
    untagged, tagged = c.command(args, tag="b1")
    assert tagged.startswith("b1 BAD "), tagged
    assert sort(c, "SORT (DATE) UTF-8 1:2") == [2, 1]


def test_sort_badcharset(c):
    untagged, tagged = c.command("SORT (DATE) KOI8-R ALL", tag="b1")
    assert tagged == "b1 NO [BADCHARSET (US-ASCII UTF-8)] Supported charsets are US-ASCII and UTF-8"
    data = "ärger".encode()
    c.send(b"b2 SORT (DATE) US-ASCII FROM {%d+}\r\n" % len(data) + data + b"\r\n")
    untagged, tagged = c.until_tagged("b2")
    assert tagged.startswith("b2 BAD ")


def test_sort_not_selected(srv):
    c = srv.connect()
    c.login("alice")
    untagged, tagged = c.command("SORT (DATE) UTF-8 ALL", tag="n1")
    assert tagged.startswith("n1 BAD ")
    c.close()


def test_sort_imaplib(srv):
    m = srv.imaplib("alice")
    m.select("INBOX", readonly=True)
    typ, data = m.sort("(REVERSE ARRIVAL)", "UTF-8", "ALL")
    assert typ == "OK" and data == [b"6 7 5 2 4 3 1"]
    typ, data = m.uid("SORT", "(SUBJECT)", "UTF-8", "ALL")
    assert typ == "OK" and data == [b"7 2 4 6 3 1 5"]
    m.logout()


def test_sort_capabilities(srv):
    c = srv.connect()
    caps = c.login("alice").split("]")[0].split()
    for cap in ("SORT", "SORT=DISPLAY", "ESORT"):
        assert cap in caps, caps
    c.close()
