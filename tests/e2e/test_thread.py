"""THREAD and UID THREAD (RFC 5256): ORDEREDSUBJECT and REFERENCES over
messages with Message-ID, In-Reply-To and References, missing parents,
subject gathering, quoted msg-ids and i;unicode-casemap subjects."""
import pytest

from conftest import Server
from search_helpers import append_raw, message, run_search, thread_tree

PLAN = "Project plan"
# seq = UID = position + 1
CORPUS = [
    [("Message-ID", "<a@x>"), ("Subject", PLAN), ("Date", "Fri, 01 Mar 2024 10:00:00 +0000")],
    [("Message-ID", "<b@x>"), ("In-Reply-To", "<a@x>"), ("Subject", "Re: " + PLAN),
     ("Date", "Fri, 01 Mar 2024 11:00:00 +0000")],
    [("Message-ID", "<c@x>"), ("References", "<a@x> <b@x>"), ("Subject", "Re: " + PLAN),
     ("Date", "Fri, 01 Mar 2024 12:00:00 +0000")],
    [("Message-ID", "<d@x>"), ("References", "<a@x>"), ("Subject", "Re: " + PLAN),
     ("Date", "Fri, 01 Mar 2024 11:30:00 +0000")],
    [("Message-ID", "<e@x>"), ("Subject", "Lunch?"), ("Date", "Sat, 02 Mar 2024 09:00:00 +0000")],
    # its parent is not in the mailbox
    [("Message-ID", "<f@x>"), ("In-Reply-To", "<missing@x> (sent by someone)"),
     ("Subject", "Re: Lunch?"), ("Date", "Sat, 02 Mar 2024 10:00:00 +0000")],
    # two children of one absent message
    [("Message-ID", "<g@x>"), ("References", "<zzz@x>"), ("Subject", "Orphan A"),
     ("Date", "Sun, 03 Mar 2024 00:00:00 +0000")],
    [("Message-ID", "<h@x>"), ("References", "<zzz@x>"), ("Subject", "Orphan B"),
     ("Date", "Sun, 03 Mar 2024 01:00:00 +0000")],
    # no Message-ID; a forward by its subject
    [("Subject", "[fwd: %s]" % PLAN), ("Date", "Mon, 04 Mar 2024 00:00:00 +0000")],
    [("Message-ID", "<j@x>"), ("Subject", "=?UTF-8?Q?=C3=9Cbersicht?="),
     ("Date", "Wed, 28 Feb 2024 00:00:00 +0000")],
    # the same base subject in other case: gathered under 10
    [("Message-ID", "<k@x>"), ("Subject", "Re: =?UTF-8?Q?=C3=BCbersicht?="),
     ("Date", "Tue, 05 Mar 2024 00:00:00 +0000")],
    # <"l.m"@x> and <l.m@x> are one msg-id (RFC 5256 section 3)
    [("Message-ID", '<"l.m"@x>'), ("Subject", "Quoted id"),
     ("Date", "Wed, 06 Mar 2024 00:00:00 +0000")],
    [("Message-ID", "<n@x>"), ("References", "<l.m@x>"), ("Subject", "Re: Quoted id"),
     ("Date", "Thu, 07 Mar 2024 00:00:00 +0000")],
]

REFERENCES_ALL = "(10 11)(1 (2 3)(4)(9))(5 6)((7)(8))(12 13)"
ORDERED_ALL = "(10 11)(1 (2)(4)(3)(9))(5 6)(7)(8)(12 13)"


@pytest.fixture(scope="module")
def srv():
    s = Server()
    c = s.connect()
    c.login("alice")
    append_raw(c, "INBOX", [(message(h, "body\n"), "", None) for h in CORPUS])
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


def thread(c, args):
    untagged, tagged = c.command(args, tag="t1")
    assert tagged.startswith("t1 OK "), tagged
    assert len(untagged) == 1, untagged
    assert untagged[0] == "* THREAD" or untagged[0].startswith("* THREAD (")
    return untagged[0][len("* THREAD "):]


THREAD_CASES = [
    ("REFERENCES UTF-8 ALL", REFERENCES_ALL),
    ("ORDEREDSUBJECT UTF-8 ALL", ORDERED_ALL),
    ("references us-ascii all", REFERENCES_ALL),
    ("REFERENCES UTF-8 SUBJECT plan", "(1 (2 3)(4)(9))"),
    # without 1, its children hang from a dummy that gathers 9 too
    ("REFERENCES UTF-8 NOT 1", "(10 11)((2 3)(4)(9))(5 6)((7)(8))(12 13)"),
    ("REFERENCES UTF-8 7", "(7)"),
    ("REFERENCES UTF-8 3", "(3)"),
    ("REFERENCES UTF-8 2:3", "(2 3)"),
    ("ORDEREDSUBJECT UTF-8 SUBJECT plan", "(1 (2)(4)(3)(9))"),
    ("ORDEREDSUBJECT UTF-8 1:2", "(1 2)"),
    ("REFERENCES UTF-8 UID 12:13", "(12 13)"),
]


@pytest.mark.parametrize("args,expected", THREAD_CASES, ids=[a for a, _ in THREAD_CASES])
def test_thread(c, args, expected):
    assert thread(c, "THREAD " + args) == expected
    assert thread(c, "UID THREAD " + args) == expected


def test_thread_form(c):
    untagged, tagged = c.command("THREAD REFERENCES UTF-8 KEYWORD $none", tag="f1")
    assert untagged == ["* THREAD"]
    assert tagged == "f1 OK THREAD completed"
    untagged, tagged = c.command("UID THREAD ORDEREDSUBJECT UTF-8 1", tag="f2")
    assert untagged == ["* THREAD (1)"]
    assert tagged == "f2 OK UID THREAD completed"
    tree = thread_tree("* THREAD " + REFERENCES_ALL)
    assert tree[1] == [1, [2, 3], [4], [9]]


def test_thread_modseq_unchanged(c):
    # RFC 7162 3.1.9: THREAD responses are not changed by MODSEQ; as the
    # first CONDSTORE enabling command it reports HIGHESTMODSEQ (3.1).
    untagged, tagged = c.command("THREAD REFERENCES UTF-8 MODSEQ 1", tag="t1")
    assert tagged.startswith("t1 OK "), tagged
    assert len(untagged) == 2 and untagged[0].startswith("* OK [HIGHESTMODSEQ "), untagged
    assert untagged[1] == "* THREAD " + REFERENCES_ALL
    assert thread(c, "THREAD REFERENCES UTF-8 MODSEQ 1") == REFERENCES_ALL


def test_thread_dollar(c):
    untagged, tagged = c.command("SEARCH RETURN (SAVE) SUBJECT lunch")
    assert thread(c, "THREAD REFERENCES UTF-8 $") == "(5 6)"


@pytest.mark.parametrize("args", [
    "THREAD FOO UTF-8 ALL",
    "THREAD REFERENCES",
    "THREAD REFERENCES UTF-8",
    "THREAD REFERENCES UTF-8 99",
    "THREAD REFERENCES UTF-8 FROBNICATE",
    "THREAD (REFERENCES) UTF-8 ALL",
])
def test_thread_bad(c, args):
    untagged, tagged = c.command(args, tag="b1")
    assert tagged.startswith("b1 BAD "), tagged
    assert thread(c, "THREAD REFERENCES UTF-8 7") == "(7)"


def test_thread_badcharset(c):
    untagged, tagged = c.command("THREAD REFERENCES KOI8-R ALL", tag="b1")
    assert tagged == "b1 NO [BADCHARSET (US-ASCII UTF-8)] Supported charsets are US-ASCII and UTF-8"


def test_thread_not_selected(srv):
    c = srv.connect()
    c.login("alice")
    untagged, tagged = c.command("THREAD REFERENCES UTF-8 ALL", tag="n1")
    assert tagged.startswith("n1 BAD ")
    c.close()


def test_thread_imaplib(srv):
    m = srv.imaplib("alice")
    m.select("INBOX", readonly=True)
    typ, data = m.thread("REFERENCES", "UTF-8", "ALL")
    assert typ == "OK" and data == [REFERENCES_ALL.encode()]
    typ, data = m.uid("THREAD", "ORDEREDSUBJECT", "UTF-8", "ALL")
    assert typ == "OK" and data == [ORDERED_ALL.encode()]
    m.logout()


def test_thread_capabilities(srv):
    c = srv.connect()
    caps = c.login("alice").split("]")[0].split()
    for cap in ("THREAD=ORDEREDSUBJECT", "THREAD=REFERENCES"):
        assert cap in caps, caps
    c.close()
