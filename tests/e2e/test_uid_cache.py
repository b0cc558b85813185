"""The worker's UID cache (src/server/imap/uid-cache.h): a SELECT or
EXAMINE brings the UIDs it kept from an earlier SELECT up to date from the
changes since, instead of reading every row. With one worker every session
shares the cache, so each SELECT here after a change takes that path; the
sequence-number map it gives must equal the store's UIDs exactly after
appends, expunges, MOVE out and in, COPY in, flag changes, RENAME, and
DELETE + CREATE under the same name."""
import random
import re

import pytest

import storeview as sv


@pytest.fixture
def srv(make_server):
    return make_server(workers=1)


def uid_list(c, mailbox, examine=False):
    """(EXISTS, [UID of sequence 1, 2, ...]) as a fresh SELECT shows them."""
    untagged, tagged = c.command("%s %s" % ("EXAMINE" if examine else "SELECT", mailbox))
    assert " OK " in tagged, tagged
    exists = [int(l.split()[1]) for l in untagged if l.endswith(" EXISTS")][0]
    if exists == 0:
        return 0, []
    untagged, tagged = c.command("FETCH 1:* (UID)")
    assert " OK " in tagged, tagged
    by_seq = {}
    for line in untagged:
        m = re.fullmatch(r"\* (\d+) FETCH \(UID (\d+)\)", line)
        assert m, line
        by_seq[int(m.group(1))] = int(m.group(2))
    assert sorted(by_seq) == list(range(1, exists + 1)), untagged
    return exists, [by_seq[i] for i in range(1, exists + 1)]


def check(srv, keeper, mailbox):
    """A new session, a long-lived one re-selecting, and EXAMINE all agree
    with the store."""
    want = sv.uids(srv, mailbox)
    fresh = srv.connect()
    fresh.login()
    assert uid_list(fresh, mailbox) == (len(want), want)
    assert uid_list(fresh, mailbox, examine=True) == (len(want), want)
    fresh.close()
    assert uid_list(keeper, mailbox) == (len(want), want)


def test_select_after_random_changes(srv):
    rng = random.Random(6)
    writer, keeper = srv.connect(), srv.connect()
    writer.login()
    keeper.login()
    writer.command("CREATE Cache")
    writer.command("CREATE Other")
    sv.fill(writer, "Cache", 40)
    check(srv, keeper, "Cache")
    keeper.command("UNSELECT")
    for step in range(40):
        op = rng.choice(["append", "expunge", "move-out", "move-in", "copy-in", "flags"])
        writer.command("SELECT Cache")
        have = sv.uids(srv, "Cache")
        pick = ",".join(str(u) for u in rng.sample(have, min(len(have), rng.randint(1, 6))))
        if op == "append" or not have:
            sv.fill(writer, "Cache", rng.randint(1, 5), start=1000 + step * 10)
        elif op == "expunge":
            writer.command("UID STORE %s +FLAGS.SILENT (\\Deleted)" % pick)
            writer.command("UID EXPUNGE %s" % pick)
        elif op == "move-out":
            writer.command("UID MOVE %s Other" % pick)
        elif op == "flags":
            writer.command("UID STORE %s +FLAGS.SILENT ($Step%d)" % (pick, step))
        else:
            writer.command("SELECT Other")
            if sv.uids(srv, "Other"):
                verb = "MOVE" if op == "move-in" else "COPY"
                untagged, tagged = writer.command("UID %s 1:* Cache" % verb)
                assert " OK " in tagged, tagged
        writer.command("UNSELECT")
        check(srv, keeper, "Cache")
        keeper.command("UNSELECT")
    writer.close()
    keeper.close()


def test_rename_and_recreate(srv):
    c, other = srv.connect(), srv.connect()
    c.login()
    other.login()
    c.command("CREATE Box")
    sv.fill(c, "Box", 12)
    check(srv, other, "Box")
    other.command("UNSELECT")
    # RENAME keeps the mailbox (and its UIDs) under a new name.
    c.command("RENAME Box Box2")
    check(srv, other, "Box2")
    other.command("UNSELECT")
    # A new mailbox under the old name starts empty with new UIDs.
    c.command("CREATE Box")
    assert uid_list(other, "Box") == (0, [])
    other.command("UNSELECT")
    sv.fill(c, "Box", 3, start=50)
    check(srv, other, "Box")
    other.command("UNSELECT")
    # DELETE + CREATE of the renamed one: nothing of the old set comes back.
    c.command("DELETE Box2")
    c.command("CREATE Box2")
    sv.fill(c, "Box2", 2, start=80)
    check(srv, other, "Box2")
    c.close()
    other.close()


def test_other_users_do_not_share(srv):
    a, b = srv.connect(), srv.connect()
    a.login("alice")
    b.login("bob")
    sv.fill(a, "INBOX", 5)
    sv.fill(b, "INBOX", 2, start=10)
    assert uid_list(a, "INBOX")[0] == len(sv.uids(srv, "INBOX", "alice"))
    assert uid_list(b, "INBOX")[0] == len(sv.uids(srv, "INBOX", "bob"))
    assert uid_list(a, "INBOX")[1] == sv.uids(srv, "INBOX", "alice")
    a.close()
    b.close()
