"""FETCH and \\Seen (RFC 9051 6.4.5): BODY[...], BINARY[...], RFC822 and
RFC822.TEXT set \\Seen and the same FETCH response reports the new FLAGS;
the .PEEK forms, RFC822.HEADER, BINARY.SIZE and the other items do not;
EXAMINE never changes flags; other sessions hear of the change once, this
one not again; and messages expunged meanwhile are skipped (RFC 2180 4.1)."""
import re

import pytest

import fetch_util as fu

MESSAGE = (b"From: a@example.org\r\nSubject: seen\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=b\r\n\r\n"
           b"--b\r\nContent-Type: text/plain\r\n\r\nfirst part\r\n"
           b"--b\r\nContent-Type: application/octet-stream\r\n"
           b"Content-Transfer-Encoding: base64\r\n\r\nAAECAw==\r\n--b--\r\n")


def session(server, user, mailbox="INBOX", examine=False, rev2=False):
    c = server.connect()
    c.login(user)
    if rev2:
        assert " OK " in c.command("ENABLE IMAP4rev2")[1]
    lines, tagged = c.command("%s %s" % ("EXAMINE" if examine else "SELECT", mailbox))
    assert " OK " in tagged, tagged
    return c


def fresh_uid(server, user="alice"):
    c = server.connect()
    c.login(user)
    uid = fu.append(c, "INBOX", MESSAGE)
    c.close()
    return uid


def flags_of(c, uid):
    by_seq, tagged, ordered = fu.fetch(c, "UID FETCH %d (FLAGS)" % uid)
    return [f for f in dict(ordered[0][1])["FLAGS"] if f != "\\Recent"]


SETS_SEEN = ["BODY[]", "BODY[1]", "BODY[HEADER]", "BODY[TEXT]", "BODY[1.MIME]",
             "BODY[HEADER.FIELDS (Subject)]", "BODY[]<0.5>", "BODY[9]", "RFC822", "RFC822.TEXT",
             "BINARY[2]", "BINARY[]", "BINARY[1]<2.3>"]
KEEPS_UNSEEN = ["BODY.PEEK[]", "BODY.PEEK[1]", "BODY.PEEK[HEADER.FIELDS (Subject)]",
                "BINARY.PEEK[2]", "BINARY.SIZE[2]", "RFC822.HEADER", "RFC822.SIZE", "ENVELOPE",
                "BODYSTRUCTURE", "BODY", "FLAGS", "INTERNALDATE", "UID", "MODSEQ", "EMAILID",
                "THREADID", "SAVEDATE", "PREVIEW", "FAST", "ALL", "FULL"]


@pytest.mark.parametrize("req", SETS_SEEN)
def test_item_sets_seen_and_reports_flags(server, req):
    uid = fresh_uid(server)
    c = session(server, "alice")
    by_seq, tagged, ordered = fu.fetch(c, "UID FETCH %d (%s)" % (uid, req))
    assert " OK " in tagged
    names = [n for n, v in ordered[0][1]]
    assert names[0] == "UID" and names[-1] == "FLAGS", names
    assert "\\Seen" in dict(ordered[0][1])["FLAGS"]
    assert flags_of(c, uid) == ["\\Seen"]
    c.close()


@pytest.mark.parametrize("req", KEEPS_UNSEEN)
def test_item_keeps_unseen(server, req):
    uid = fresh_uid(server)
    c = session(server, "alice")
    by_seq, tagged, ordered = fu.fetch(c, "UID FETCH %d %s" % (uid, req if req in (
        "FAST", "ALL", "FULL") else "(%s)" % req))
    assert " OK " in tagged
    items = dict(ordered[0][1])
    assert "\\Seen" not in (items.get("FLAGS") or [])
    assert flags_of(c, uid) == []
    c.close()


def test_seen_response_exact_and_reported_once(server):
    """The FETCH that set \\Seen carries FLAGS (with \\Recent for a rev1
    session that has it); a second BODY[] changes nothing and adds no
    FLAGS; NOOP does not report the change again; another session hears
    of it once, as an unsolicited FETCH FLAGS."""
    other = session(server, "bob")
    c = server.connect()
    c.login("bob")
    uid = fu.append(c, "INBOX", b"Subject: x\r\n\r\nbody\r\n")
    assert " OK " in c.command("SELECT INBOX")[1]
    # The other session learns of the new message first.
    other.command("NOOP")
    lines, tagged = fu.command_raw(c, "UID FETCH %d (BODY[TEXT])" % uid)
    seq = int(re.match(rb"\* (\d+) FETCH", lines[0]).group(1))
    assert lines == [b"* %d FETCH (UID %d BODY[TEXT] {6}\r\nbody\r\n FLAGS (\\Seen \\Recent))"
                     % (seq, uid)]
    lines, tagged = fu.command_raw(c, "UID FETCH %d (BODY[TEXT])" % uid)
    assert lines == [b"* %d FETCH (UID %d BODY[TEXT] {6}\r\nbody\r\n)" % (seq, uid)]
    lines, tagged = c.command("NOOP")
    assert not [l for l in lines if "FETCH" in l], lines
    lines, tagged = other.command("NOOP")
    assert [l for l in lines if "FETCH" in l] == ["* %d FETCH (UID %d FLAGS (\\Seen))" % (seq, uid)]
    lines, tagged = other.command("NOOP")
    assert not [l for l in lines if "FETCH" in l]
    c.close()
    other.close()


def test_flags_asked_and_seen_set_once(server):
    """FLAGS asked for together with BODY[]: one FLAGS item, with \\Seen
    (the store is written before the row is read)."""
    uid = fresh_uid(server)
    c = session(server, "alice", rev2=True)
    by_seq, tagged, ordered = fu.fetch(c, "UID FETCH %d (FLAGS BODY[1])" % uid)
    assert [n for n, v in ordered[0][1]] == ["UID", "FLAGS", "BODY[1]"]
    assert dict(ordered[0][1])["FLAGS"] == ["\\Seen"]
    c.close()


def test_sequence_fetch_of_several(server):
    """FETCH by sequence numbers over messages of which one is seen already:
    only the ones whose flags changed carry FLAGS."""
    c = server.connect()
    c.login("bob")
    c.command("CREATE seenmany")
    lines, tagged = c.command("SELECT seenmany")
    if " OK " not in tagged:
        pytest.skip("CREATE is not available yet: %s" % tagged)
    fu.append(c, "seenmany", b"Subject: 1\r\n\r\none\r\n")
    fu.append(c, "seenmany", b"Subject: 2\r\n\r\ntwo\r\n", flags="\\Seen")
    fu.append(c, "seenmany", b"Subject: 3\r\n\r\nthree\r\n")
    c.command("NOOP")
    by_seq, tagged, ordered = fu.fetch(c, "FETCH 1:3 (BODY[TEXT])")
    assert [s for s, i in ordered] == [1, 2, 3]
    assert [[n for n, v in i] for s, i in ordered] == [["BODY[TEXT]", "FLAGS"], ["BODY[TEXT]"],
                                                        ["BODY[TEXT]", "FLAGS"]]
    c.close()


def test_examine_never_sets_seen(server):
    uid = fresh_uid(server)
    c = session(server, "alice", examine=True)
    by_seq, tagged, ordered = fu.fetch(c, "UID FETCH %d (BODY[] BINARY[2] RFC822 RFC822.TEXT)"
                                       % uid)
    assert " OK " in tagged
    assert "FLAGS" not in dict(ordered[0][1])
    c.close()
    c = session(server, "alice")
    assert flags_of(c, uid) == []
    c.close()


def test_condstore_adds_modseq_and_uid(server):
    """Once CONDSTORE is on (a MODSEQ fetch turned it on), a FETCH that
    sets \\Seen also reports MODSEQ and UID (RFC 7162 3.1, 3.2.4)."""
    uid = fresh_uid(server)
    c = session(server, "alice")
    by_seq, tagged, ordered = fu.fetch(c, "UID FETCH %d (MODSEQ)" % uid)
    before = int(dict(ordered[0][1])["MODSEQ"][0])
    by_seq, tagged, ordered = fu.fetch(c, "FETCH %d (BODY[1])" % ordered[0][0])
    items = ordered[0][1]
    assert [n for n, v in items] == ["BODY[1]", "FLAGS", "MODSEQ", "UID"]
    assert int(dict(items)["MODSEQ"][0]) > before
    assert dict(items)["UID"] == str(uid)
    c.close()


def test_expunged_meanwhile_are_skipped(server):
    """Messages another session expunged are skipped; no EXPUNGE during a
    FETCH by sequence number; the tagged OK says EXPUNGEISSUED; the next
    NOOP reports the EXPUNGE (RFC 2180 4.1.2, RFC 9051 7.5.1)."""
    c = server.connect()
    c.login("bob")
    c.command("CREATE expgone")
    if " OK " not in c.command("SELECT expgone")[1]:
        pytest.skip("CREATE is not available yet")
    uids = [fu.append(c, "expgone", b"Subject: %d\r\n\r\nbody %d\r\n" % (i, i)) for i in range(3)]
    c.command("NOOP")
    other = session(server, "bob", "expgone")
    lines, tagged = other.command("UID STORE %d +FLAGS.SILENT (\\Deleted)" % uids[1])
    if " OK " not in tagged:
        pytest.skip("STORE is not available yet: %s" % tagged)
    lines, tagged = other.command("EXPUNGE")
    if " OK " not in tagged:
        pytest.skip("EXPUNGE is not available yet: %s" % tagged)
    lines, tagged = fu.command_raw(c, "FETCH 1:3 (UID BODY.PEEK[TEXT])")
    assert not [l for l in lines if b"EXPUNGE" in l], lines
    fetched = [fu.parse_fetch(l) for l in lines if b" FETCH (" in l]
    assert [(s, dict(i)["UID"]) for s, i in fetched] == [(1, str(uids[0])), (3, str(uids[2]))]
    assert re.match(r"f\d+ OK \[EXPUNGEISSUED\] ", tagged), tagged
    lines, tagged = c.command("NOOP")
    assert "* 2 EXPUNGE" in lines
    # UID FETCH may report the expunge before its tagged reply.
    by_seq, tagged, ordered = fu.fetch(c, "UID FETCH %d (UID)" % uids[1])
    assert ordered == [] and " OK " in tagged
    c.close()
    other.close()
