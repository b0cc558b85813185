"""The mailbox commands: CREATE (RFC 9051 6.3.4, RFC 6154 CREATE-SPECIAL-USE),
DELETE (6.3.5), RENAME (6.3.6), SUBSCRIBE/UNSUBSCRIBE (6.3.7, 6.3.8), STATUS
(6.3.11, RFC 8438 SIZE, RFC 7889 APPENDLIMIT) and NAMESPACE (6.3.10), with
modified UTF-7 and UTF-8 names, the selected mailbox, the limits, and
Python's imaplib.

Each test works as a user of its own, so the mailbox lists it expects are
exact. A new user has INBOX, Archive, Drafts, Junk, Sent and Trash.
"""
import itertools
import os
import re
import sqlite3
import time

import pytest

_users = itertools.count(1)
DEFAULTS = ["INBOX", "Archive", "Drafts", "Junk", "Sent", "Trash"]


@pytest.fixture
def user(server):
    name = "mbx%d" % next(_users)
    server.hafend("user", "add", name, stdin="pw-%s\n" % name)
    server.passwords[name] = "pw-" + name
    return name


def login(server, user):
    c = server.connect()
    c.login(user)
    return c


def ok(c, command):
    untagged, tagged = c.command(command)
    assert re.match(r"a\d+ OK ", tagged), (command, tagged)
    return untagged


def no(c, command, code):
    untagged, tagged = c.command(command)
    assert re.match(r"a\d+ NO \[%s\] \S" % re.escape(code), tagged), (command, tagged)
    return untagged


def names(c, pattern="*"):
    """The names of LIST "" pattern, in the order sent."""
    out = []
    for line in ok(c, 'LIST "" "%s"' % pattern):
        m = re.match(r'\* LIST \(([^)]*)\) "/" (.*)$', line)
        assert m, line
        out.append(m.group(2))
    return out


def append(c, mailbox, text, flags=""):
    """APPEND with a LITERAL+ literal; returns the tagged reply."""
    data = text.encode()
    c.ntag += 1
    tag = "a%d" % c.ntag
    c.send(b"%s APPEND %s %s{%d+}\r\n" % (tag.encode(), mailbox.encode(),
                                           (flags + " ").encode() if flags else b"", len(data)))
    c.send(data + b"\r\n")
    untagged, tagged = c.until_tagged(tag)
    assert " OK " in tagged, tagged
    return tagged


def msg(n, body="hello"):
    return "From: a@example.com\r\nSubject: m%d\r\n\r\n%s\r\n" % (n, body)


def status(c, mailbox, items):
    untagged, tagged = c.command("STATUS %s (%s)" % (mailbox, items))
    assert re.match(r"a\d+ OK ", tagged), tagged
    lines = [l for l in untagged if l.startswith("* STATUS ")]
    assert len(lines) == 1, untagged
    return lines[0]


def status_values(line):
    """{item: value} of a STATUS line about a mailbox with a simple name."""
    m = re.fullmatch(r"\* STATUS \S+ \((.*)\)", line)
    assert m, line
    return dict(re.findall(r"([A-Z]+) (\([^)]*\)|[^ ]+)", m.group(1)))


# ---- capabilities and NAMESPACE ----

def test_capabilities_after_login(server, user):
    c = server.connect()
    for cap in ("NAMESPACE", "CHILDREN", "SPECIAL-USE", "LIST-EXTENDED", "STATUS=SIZE"):
        assert cap not in c.greeting.split()
    tagged = c.login(user)
    caps = tagged.split("[CAPABILITY ", 1)[1].split("]")[0].split()
    for cap in ("NAMESPACE", "CHILDREN", "SPECIAL-USE", "CREATE-SPECIAL-USE", "LIST-EXTENDED",
                "LIST-STATUS", "STATUS=SIZE"):
        assert caps.count(cap) == 1, cap
    untagged = ok(c, "CAPABILITY")
    assert "LIST-STATUS" in untagged[0].split()


def test_namespace(server, user):
    c = login(server, user)
    untagged, tagged = c.command("NAMESPACE")
    assert untagged == ['* NAMESPACE (("" "/")) NIL NIL']
    assert tagged == "a2 OK NAMESPACE completed"


def test_mailbox_commands_need_login(server):
    c = server.connect()
    for cmd in ('CREATE x', 'DELETE x', 'RENAME x y', 'SUBSCRIBE x', 'UNSUBSCRIBE x',
                'STATUS INBOX (MESSAGES)', 'NAMESPACE', 'LIST "" *', 'LSUB "" *'):
        untagged, tagged = c.command(cmd)
        assert re.match(r"a\d+ BAD ", tagged), (cmd, tagged)


# ---- CREATE ----

def test_create_and_trailing_delimiter(server, user):
    c = login(server, user)
    untagged, tagged = c.command("CREATE owatagusiam/")
    assert untagged == []
    # RFC 8474 4.1: the new mailbox's MAILBOXID in the tagged OK.
    assert re.fullmatch(r"a2 OK \[MAILBOXID \([A-Za-z0-9_-]{1,255}\)\] CREATE completed", tagged)
    ok(c, "CREATE owatagusiam/blurdybloop")
    assert names(c, "owa*") == ["owatagusiam", "owatagusiam/blurdybloop"]
    # The declaration of future children does not make a second name.
    no(c, "CREATE owatagusiam", "ALREADYEXISTS")
    no(c, "CREATE owatagusiam/", "ALREADYEXISTS")


def test_create_makes_missing_parents(server, user):
    c = login(server, user)
    ok(c, "CREATE foo/bar/zap")
    untagged = ok(c, 'LIST "" foo*')
    assert untagged == ['* LIST (\\HasChildren) "/" foo',
                        '* LIST (\\HasChildren) "/" foo/bar',
                        '* LIST (\\HasNoChildren) "/" foo/bar/zap']
    # The parents are ordinary mailboxes (RFC 9051 6.3.4), not placeholders.
    ok(c, "SELECT foo/bar")


def test_create_existing_and_inbox(server, user):
    c = login(server, user)
    for name in ("INBOX", "inbox", "InBoX", "Sent"):
        no(c, "CREATE %s" % name, "ALREADYEXISTS")
    ok(c, "CREATE inbox/child")
    assert names(c, "INBOX*") == ["INBOX", "INBOX/child"]


def test_create_bad_names(server, user):
    c = login(server, user)
    for name in ('"a*b"', '"a%b"', '""', '"/"', '"a//b"', '"/lead"'):
        no(c, "CREATE %s" % name, "CANNOT")
    # U+0001 in modified UTF-7: a control character (RFC 9755 3).
    no(c, "CREATE a&AAE-b", "CANNOT")
    # U+2028 LINE SEPARATOR.
    no(c, "CREATE a&ICg-b", "CANNOT")
    assert names(c) == DEFAULTS


def test_create_invalid_utf7_refused(server, user):
    c = login(server, user)
    # Not closed, printable ASCII inside base64, superfluous shift, bare "&".
    for wire in ("&Jjo!", "&AGE-", "&U,BTFw-&ZeVnLIqe-", "a&b", "&APw"):
        untagged, tagged = c.command('CREATE "%s"' % wire)
        assert re.match(r"a\d+ NO \[CANNOT\] Mailbox name is not valid modified UTF-7", tagged), \
            (wire, tagged)
    for cmd in ('DELETE "&Jjo!"', 'RENAME "&Jjo!" x', 'RENAME INBOX "&Jjo!"',
                'SUBSCRIBE "&Jjo!"', 'UNSUBSCRIBE "&Jjo!"', 'STATUS "&Jjo!" (MESSAGES)'):
        untagged, tagged = c.command(cmd)
        assert "NO [CANNOT] Mailbox name is not valid modified UTF-7" in tagged, (cmd, tagged)
    assert names(c) == DEFAULTS


def test_create_depth_limit(server, user):
    c = login(server, user)
    ok(c, "CREATE " + "/".join(["d"] * 64))
    no(c, "CREATE " + "/".join(["e"] * 65), "LIMIT")
    no(c, "SUBSCRIBE " + "/".join(["e"] * 65), "LIMIT")
    assert "e" not in names(c, "%")


def test_create_special_use(server, user):
    c = login(server, user)
    untagged, tagged = c.command("CREATE MySpecial (USE (\\Drafts \\Sent))")
    assert re.fullmatch(r"a2 OK \[MAILBOXID \(\S+\)\] CREATE completed", tagged)
    assert ok(c, 'LIST "" MySpecial') == ['* LIST (\\HasNoChildren \\Drafts \\Sent) "/" MySpecial']
    ok(c, "CREATE Plain (USE ())")
    assert ok(c, 'LIST "" Plain') == ['* LIST (\\HasNoChildren) "/" Plain']
    # RFC 6154 5.3: a use we cannot give is NO [USEATTR], and no mailbox.
    untagged, tagged = c.command("CREATE Everything (USE (\\All))")
    assert re.fullmatch(r"a\d+ NO \[USEATTR\] \\All is not supported", tagged)
    no(c, "CREATE Important (USE (\\Flagged))", "USEATTR")
    no(c, "CREATE Odd (USE (\\Sent \\Whatever))", "USEATTR")
    assert ok(c, 'LIST "" (Everything Important Odd)') == []
    untagged, tagged = c.command("CREATE x (FOO (\\Sent))")
    assert re.match(r"a\d+ BAD ", tagged)


def test_create_turns_placeholder_into_mailbox(server, user):
    c = login(server, user)
    ok(c, "CREATE p/q")
    ok(c, "DELETE p")
    assert ok(c, 'LIST "" p') == ['* LIST (\\Noselect \\HasChildren) "/" p']
    ok(c, "CREATE p")
    assert ok(c, 'LIST "" p') == ['* LIST (\\HasChildren) "/" p']
    ok(c, "SELECT p")


def store_sql(server, user, sql, *args):
    """Change a user's store behind the server's back (WAL: it sees it at
    once), to build large states quickly."""
    db = sqlite3.connect(os.path.join(server.data, "users", user, "store.db"), timeout=10)
    with db:
        db.execute(sql, args)
    db.close()


FILL_MAILBOXES = ("INSERT INTO mailboxes(name, uidvalidity, mailboxid)"
                  " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
                  " SELECT printf('filler%05d', i), 1, 'Ffiller' || i FROM n")


def test_mailbox_count_limit(server, user):
    c = login(server, user)
    # 6 default mailboxes + 9993 = 9999: room for one more.
    store_sql(server, user, FILL_MAILBOXES, 9993)
    ok(c, "CREATE one")
    untagged, tagged = c.command("CREATE two")
    assert re.fullmatch(r"a\d+ NO \[LIMIT\] A user may have at most 10000 mailboxes", tagged)
    no(c, "CREATE filler00001/child", "LIMIT")
    no(c, "RENAME one new/one", "LIMIT")
    no(c, "RENAME INBOX old-inbox", "LIMIT")
    # Moving within the tree adds nothing and stays possible at the limit.
    ok(c, "RENAME one filler00001/one")
    no(c, "CREATE one", "LIMIT")
    ok(c, "DELETE filler00002")
    ok(c, "CREATE two")
    # A LIST of them all is quick.
    start = time.time()
    untagged = ok(c, 'LIST "" *')
    assert len(untagged) == 10000
    assert time.time() - start < 10


def test_subscription_limit(server, user):
    c = login(server, user)
    store_sql(server, user,
              "INSERT INTO subscriptions(name)"
              " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 9999)"
              " SELECT printf('sub%05d', i) FROM n")
    ok(c, "SUBSCRIBE last")
    untagged, tagged = c.command("SUBSCRIBE one-too-many")
    assert re.fullmatch(r"a\d+ NO \[LIMIT\] A user may have at most 10000 subscriptions", tagged)
    ok(c, "SUBSCRIBE last")        # subscribed already: fine
    ok(c, "SUBSCRIBE sub00001")
    ok(c, "UNSUBSCRIBE sub00001")
    ok(c, "SUBSCRIBE one-too-many")
    assert len(ok(c, 'LSUB "" *')) == 10000


# ---- DELETE ----

def test_delete(server, user):
    c = login(server, user)
    ok(c, "CREATE blurdybloop")
    ok(c, "DELETE blurdybloop")
    assert names(c) == DEFAULTS
    no(c, "DELETE blurdybloop", "NONEXISTENT")
    no(c, "DELETE nothing/here", "NONEXISTENT")


def test_delete_inbox_refused(server, user):
    c = login(server, user)
    for name in ("INBOX", "inbox"):
        untagged, tagged = c.command("DELETE %s" % name)
        assert re.match(r"a\d+ NO \[CANNOT\] INBOX cannot be deleted", tagged)
    assert names(c, "INBOX") == ["INBOX"]


def test_delete_with_children_keeps_noselect_parent(server, user):
    c = login(server, user)
    ok(c, "CREATE foo/bar")
    append(c, "foo", msg(1))
    ok(c, "DELETE foo")
    # RFC 9051 6.3.5: the children stay, foo stays as \Noselect.
    assert ok(c, 'LIST "" foo*') == ['* LIST (\\Noselect \\HasChildren) "/" foo',
                                     '* LIST (\\HasNoChildren) "/" foo/bar']
    no(c, "SELECT foo", "CANNOT")
    untagged, tagged = c.command("STATUS foo (MESSAGES)")
    assert re.match(r"a\d+ NO \[CANNOT\]", tagged)
    # A \Noselect name with children cannot be deleted.
    no(c, "DELETE foo", "HASCHILDREN")
    # When its last child goes, the placeholder goes with it.
    ok(c, "DELETE foo/bar")
    assert names(c, "foo*") == []
    no(c, "DELETE foo", "NONEXISTENT")


def test_delete_keeps_subscription(server, user):
    c = login(server, user)
    ok(c, "CREATE kept")
    ok(c, "SUBSCRIBE kept")
    ok(c, "DELETE kept")
    # RFC 9051 6.3.7: the server does not remove the subscription itself.
    assert ok(c, 'LSUB "" kept') == ['* LSUB () "/" kept']
    assert ok(c, 'LIST (SUBSCRIBED) "" kept') == \
        ['* LIST (\\NonExistent \\HasNoChildren \\Subscribed) "/" kept']


def test_delete_then_create_new_uidvalidity(server, user):
    c = login(server, user)
    ok(c, "CREATE again")
    append(c, "again", msg(1))
    before = status_values(status(c, "again", "UIDVALIDITY UIDNEXT"))
    ok(c, "DELETE again")
    ok(c, "CREATE again")
    after = status_values(status(c, "again", "UIDVALIDITY UIDNEXT"))
    assert int(after["UIDVALIDITY"]) > int(before["UIDVALIDITY"])
    assert after["UIDNEXT"] == "1"


def test_delete_selected_mailbox(server, user):
    c = login(server, user)
    ok(c, "CREATE doomed")
    append(c, "doomed", msg(1))
    ok(c, "SELECT doomed")
    untagged, tagged = c.command("DELETE doomed")
    assert untagged == ["* OK [CLOSED] Selected mailbox was deleted"]
    assert tagged == "a5 OK DELETE completed"
    # The session is in the authenticated state now.
    for cmd in ("FETCH 1 FLAGS", "CLOSE", "EXPUNGE"):
        untagged, tagged = c.command(cmd)
        assert re.match(r"a\d+ BAD .*without a selected mailbox", tagged), (cmd, tagged)
    ok(c, "NOOP")
    ok(c, "SELECT INBOX")
    ok(c, "NOOP")


def test_delete_selected_parent_with_children(server, user):
    c = login(server, user)
    ok(c, "CREATE top/sub")
    ok(c, "SELECT top")
    untagged, tagged = c.command("DELETE top")
    assert untagged == ["* OK [CLOSED] Selected mailbox was deleted"]
    assert " OK " in tagged
    untagged, tagged = c.command("NOOP")
    assert untagged == [] and " OK " in tagged


def bye_at_next_command(c):
    c.send("b1 NOOP\r\n")
    assert c.readline() == "* BYE The selected mailbox was deleted"
    with pytest.raises(EOFError):
        c.readline()


def test_delete_selected_by_other_session(server, user):
    a, b = login(server, user), login(server, user)
    ok(a, "CREATE gone")
    ok(b, "SELECT gone")
    ok(a, "DELETE gone")
    bye_at_next_command(b)


def test_delete_selected_parent_by_other_session(server, user):
    a, b, c = login(server, user), login(server, user), login(server, user)
    ok(a, "CREATE y/z")
    ok(b, "SELECT y")
    ok(c, "SELECT y")
    # y stays as a \Noselect placeholder for y/z: not the mailbox b selected.
    ok(a, "DELETE y")
    bye_at_next_command(b)
    # Nor is a new y made from the placeholder, with a new UIDVALIDITY.
    ok(a, "CREATE y")
    append(a, "y", msg(1))
    bye_at_next_command(c)


def test_delete_by_other_session_of_unselected(server, user):
    a, b = login(server, user), login(server, user)
    ok(a, "CREATE shared")
    ok(b, "SELECT INBOX")
    ok(a, "DELETE shared")
    untagged, tagged = b.command("NOOP")
    assert " OK " in tagged
    assert "shared" not in names(b)


# ---- RENAME ----

def test_rename_with_children(server, user):
    c = login(server, user)
    ok(c, "CREATE blurdybloop")
    ok(c, "CREATE foo/bar")
    ok(c, "DELETE foo")
    ok(c, "RENAME blurdybloop sarasoop")
    ok(c, "RENAME foo zowie")
    assert ok(c, 'LIST "" *') == [
        '* LIST (\\HasNoChildren) "/" INBOX',
        '* LIST (\\HasNoChildren \\Archive) "/" Archive',
        '* LIST (\\HasNoChildren \\Drafts) "/" Drafts',
        '* LIST (\\HasNoChildren \\Junk) "/" Junk',
        '* LIST (\\HasNoChildren \\Sent) "/" Sent',
        '* LIST (\\HasNoChildren \\Trash) "/" Trash',
        '* LIST (\\HasNoChildren) "/" sarasoop',
        '* LIST (\\Noselect \\HasChildren) "/" zowie',
        '* LIST (\\HasNoChildren) "/" zowie/bar',
    ]


def test_rename_keeps_messages_uidvalidity_and_special_use(server, user):
    c = login(server, user)
    append(c, "Sent", msg(1))
    before = status(c, "Sent", "MESSAGES UIDVALIDITY UIDNEXT")
    ok(c, "RENAME Sent \"Sent Items\"")
    after = status(c, '"Sent Items"', "MESSAGES UIDVALIDITY UIDNEXT")
    assert after == before.replace("* STATUS Sent ", '* STATUS "Sent Items" ')
    assert ok(c, 'LIST "" "Sent*"') == ['* LIST (\\HasNoChildren \\Sent) "/" "Sent Items"']


def test_rename_errors(server, user):
    c = login(server, user)
    ok(c, "CREATE a")
    ok(c, "CREATE b")
    no(c, "RENAME nothere x", "NONEXISTENT")
    no(c, "RENAME a b", "ALREADYEXISTS")
    no(c, "RENAME a a", "ALREADYEXISTS")
    no(c, "RENAME a INBOX", "ALREADYEXISTS")
    no(c, "RENAME a a/inside", "CANNOT")
    no(c, 'RENAME a "x*"', "CANNOT")
    no(c, "RENAME a " + "/".join(["z"] * 65), "LIMIT")
    assert names(c, "a") == ["a"] and names(c, "b") == ["b"]


def test_rename_creates_parents(server, user):
    c = login(server, user)
    ok(c, "CREATE src")
    ok(c, "RENAME src baz/rag/zowie")
    assert ok(c, 'LIST "" baz*') == ['* LIST (\\HasChildren) "/" baz',
                                     '* LIST (\\HasChildren) "/" baz/rag',
                                     '* LIST (\\HasNoChildren) "/" baz/rag/zowie']


def test_rename_children_depth_limit(server, user):
    c = login(server, user)
    ok(c, "CREATE deep/" + "/".join(["l"] * 60))
    # deep's deepest child has 61 levels: under a 5-level name it would have 65.
    no(c, "RENAME deep w/x/y/z/v", "LIMIT")
    ok(c, "RENAME deep w/x/y/z")
    assert names(c, "w/x/y/z/" + "/".join(["l"] * 60)) == ["w/x/y/z/" + "/".join(["l"] * 60)]


def test_rename_inbox(server, user):
    c = login(server, user)
    ok(c, "CREATE INBOX/bar")
    append(c, "INBOX", msg(1))
    append(c, "INBOX", msg(2))
    ok(c, "RENAME INBOX old-mail")
    # RFC 9051 6.3.6: the messages move, INBOX stays empty, its children stay.
    assert status(c, "INBOX", "MESSAGES") == "* STATUS INBOX (MESSAGES 0)"
    assert status(c, "old-mail", "MESSAGES") == "* STATUS old-mail (MESSAGES 2)"
    assert names(c, "INBOX*") == ["INBOX", "INBOX/bar"]
    # Into INBOX's own hierarchy too.
    append(c, "INBOX", msg(3))
    ok(c, "RENAME inbox INBOX/old")
    assert status(c, "INBOX/old", "MESSAGES") == "* STATUS INBOX/old (MESSAGES 1)"
    assert status(c, "INBOX", "MESSAGES") == "* STATUS INBOX (MESSAGES 0)"


def test_rename_selected_mailbox(server, user):
    c = login(server, user)
    ok(c, "CREATE here/child")
    append(c, "here/child", msg(1))
    ok(c, "SELECT here/child")
    ok(c, "RENAME here there")
    # Still selected, same UIDs: the session goes on.
    untagged, tagged = c.command("UID SEARCH ALL")
    assert (untagged, " OK " in tagged) == (["* SEARCH 1"], True)
    assert status(c, "there/child", "MESSAGES") == "* STATUS there/child (MESSAGES 1)"
    # Another session sees the new name and can deliver there; we hear of it.
    other = login(server, user)
    append(other, "there/child", msg(2))
    untagged = ok(c, "NOOP")
    assert "* 2 EXISTS" in untagged


def test_rename_selected_inbox(server, user):
    c = login(server, user)
    append(c, "INBOX", msg(1))
    ok(c, "SELECT INBOX")
    untagged, tagged = c.command("RENAME INBOX moved")
    assert " OK " in tagged
    # The message left INBOX, which stays selected.
    assert "* 1 EXPUNGE" in untagged
    untagged = ok(c, "NOOP")
    assert status(c, "moved", "MESSAGES") == "* STATUS moved (MESSAGES 1)"


# ---- SUBSCRIBE / UNSUBSCRIBE ----

def test_subscribe_unsubscribe(server, user):
    c = login(server, user)
    untagged, tagged = c.command("SUBSCRIBE Sent")
    assert (untagged, tagged) == ([], "a2 OK SUBSCRIBE completed")
    ok(c, "SUBSCRIBE Sent")                      # already subscribed: OK
    ok(c, "SUBSCRIBE #news.comp.mail.mime")      # need not exist
    ok(c, "SUBSCRIBE inbox")                     # INBOX in any case
    assert ok(c, 'LSUB "" *') == ['* LSUB () "/" INBOX',
                                  '* LSUB () "/" #news.comp.mail.mime',
                                  '* LSUB () "/" Sent']
    untagged, tagged = c.command("UNSUBSCRIBE Sent")
    assert (untagged, tagged) == ([], "a7 OK UNSUBSCRIBE completed")
    ok(c, "UNSUBSCRIBE Sent")                    # not subscribed: OK as well
    ok(c, "UNSUBSCRIBE never-subscribed")
    ok(c, "UNSUBSCRIBE #news.comp.mail.mime")
    ok(c, "UNSUBSCRIBE INBOX")
    assert ok(c, 'LSUB "" *') == []


def test_subscribe_bad_names(server, user):
    c = login(server, user)
    for name in ('"a*"', '"%"', '""'):
        no(c, "SUBSCRIBE %s" % name, "CANNOT")


# ---- STATUS ----

def test_status_empty_mailbox(server, user):
    c = login(server, user)
    ok(c, "CREATE box")
    line = status(c, "box", "MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE")
    m = re.fullmatch(r"\* STATUS box \(MESSAGES 0 RECENT 0 UIDNEXT 1 UIDVALIDITY (\d+) "
                     r"UNSEEN 0 DELETED 0 SIZE 0\)", line)
    assert m and int(m.group(1)) > 0, line


def test_status_counts(server, user):
    c = login(server, user)
    ok(c, "CREATE box")
    texts = [msg(1, "a" * 10), msg(2, "b" * 20), msg(3, "c" * 30)]
    append(c, "box", texts[0], "(\\Seen)")
    append(c, "box", texts[1], "(\\Deleted)")
    append(c, "box", texts[2], "(\\Seen \\Deleted)")
    size = sum(len(t) for t in texts)
    line = status(c, "box", "UIDNEXT MESSAGES SIZE DELETED UNSEEN RECENT")
    # The items come in a fixed order, whatever the order asked.
    assert line == ("* STATUS box (MESSAGES 3 RECENT 3 UIDNEXT 4 UNSEEN 1 DELETED 2 SIZE %d)"
                    % size)
    # No trailing space anywhere (INTEROP.md point 10).
    assert not line.endswith(" ") and " )" not in line


def test_status_recent_is_claimed_by_select(server, user):
    c = login(server, user)
    ok(c, "CREATE box")
    append(c, "box", msg(1))
    assert status(c, "box", "RECENT") == "* STATUS box (RECENT 1)"
    # STATUS never takes \Recent away (RFC 3501 6.3.10).
    assert status(c, "box", "RECENT") == "* STATUS box (RECENT 1)"
    other = login(server, user)
    ok(other, "EXAMINE box")  # read-only: claims nothing
    assert status(c, "box", "RECENT") == "* STATUS box (RECENT 1)"
    ok(other, "SELECT box")   # claims it
    assert status(c, "box", "RECENT") == "* STATUS box (RECENT 0)"
    # For the session that has it, RECENT is what that session was told.
    assert status(other, "box", "RECENT") == "* STATUS box (RECENT 1)"


def test_status_extension_items(server, user):
    c = login(server, user)
    ok(c, "CREATE box")
    append(c, "box", msg(1))
    line = status(c, "box", "HIGHESTMODSEQ APPENDLIMIT MAILBOXID")
    m = re.fullmatch(r"\* STATUS box \(HIGHESTMODSEQ (\d+) APPENDLIMIT 67108864 "
                     r"MAILBOXID \(([A-Za-z0-9_-]{1,255})\)\)", line)
    assert m, line
    assert int(m.group(1)) > 1
    # MAILBOXID survives a rename (RFC 8474 4.1).
    ok(c, "RENAME box box2")
    assert status(c, "box2", "MAILBOXID") == "* STATUS box2 (MAILBOXID (%s))" % m.group(2)


def test_status_errors(server, user):
    c = login(server, user)
    no(c, "STATUS nothere (MESSAGES)", "NONEXISTENT")
    # RFC 9208 4.1.4: DELETED-STORAGE is answered (QUOTA=RES-STORAGE).
    untagged, tagged = c.command("STATUS INBOX (DELETED-STORAGE)")
    assert re.fullmatch(r"\* STATUS INBOX \(DELETED-STORAGE \d+\)", untagged[0]), untagged
    for bad in ("STATUS INBOX ()", "STATUS INBOX (BOGUS)", "STATUS INBOX", "STATUS INBOX MESSAGES"):
        untagged, tagged = c.command(bad)
        assert re.match(r"a\d+ BAD ", tagged), (bad, tagged)
        assert untagged == []


def test_status_echoes_name_as_sent(server, user):
    c = login(server, user)
    assert status(c, "inbox", "MESSAGES") == "* STATUS inbox (MESSAGES 0)"
    assert status(c, '"Sent"', "MESSAGES") == "* STATUS Sent (MESSAGES 0)"
    assert status(c, "{4+}\r\nJunk", "MESSAGES") == "* STATUS Junk (MESSAGES 0)"


def test_status_selected_agrees_with_session(server, user):
    c = login(server, user)
    other = login(server, user)
    append(c, "INBOX", msg(1))
    ok(c, "SELECT INBOX")
    append(other, "INBOX", msg(2), "(\\Deleted)")
    untagged, tagged = c.command("STATUS INBOX (MESSAGES UIDNEXT RECENT)")
    assert " OK " in tagged
    # The new message is announced before the STATUS that counts it.
    assert untagged == ["* 2 EXISTS", "* 2 RECENT",
                        "* STATUS INBOX (MESSAGES 2 RECENT 2 UIDNEXT 3)"]
    # An expunge by the other session (CLOSE expunges), likewise.
    ok(other, "SELECT INBOX")
    ok(other, "CLOSE")
    untagged, tagged = c.command("STATUS INBOX (MESSAGES UIDNEXT)")
    assert untagged == ["* 2 EXPUNGE", "* STATUS INBOX (MESSAGES 1 UIDNEXT 3)"]


# ---- names: modified UTF-7 and UTF-8 ----

def test_modified_utf7_names(server, user):
    c = login(server, user)
    ok(c, "CREATE Entw&APw-rfe")
    ok(c, 'CREATE "Tom &- Jerry"')
    ok(c, "CREATE &ZeVnLIqe-")
    # In the order of the UTF-8 names: "Entw\u00fcrfe", "Tom & Jerry", "\u65e5\u672c\u8a9e".
    assert ok(c, 'LIST "" (Entw* Tom* &ZeVnLIqe-)') == [
        '* LIST (\\HasNoChildren) "/" Entw&APw-rfe',
        '* LIST (\\HasNoChildren) "/" "Tom &- Jerry"',
        '* LIST (\\HasNoChildren) "/" &ZeVnLIqe-',
    ]
    assert status(c, "Entw&APw-rfe", "MESSAGES") == "* STATUS Entw&APw-rfe (MESSAGES 0)"
    ok(c, "CREATE Entw&APw-rfe/Alt")
    no(c, "RENAME Entw&APw-rfe Entw&APw-rfe/Alt/Neu", "CANNOT")
    assert names(c, "Entw&APw-rfe*") == ["Entw&APw-rfe", "Entw&APw-rfe/Alt"]
    ok(c, "DELETE \"Tom &- Jerry\"")
    # A pattern with a non-ASCII character matches the decoded name.
    assert names(c, "*&APw-*") == ["Entw&APw-rfe", "Entw&APw-rfe/Alt"]


def test_utf8_names_after_enable(server, user):
    rev1 = login(server, user)
    ok(rev1, "CREATE Entw&APw-rfe")
    c = login(server, user)
    assert ok(c, "ENABLE UTF8=ACCEPT") == ["* ENABLED UTF8=ACCEPT"]
    c.send('a3 CREATE "Gr\u00fc\u00dfe/\u65e5\u672c"\r\n'.encode())
    untagged, tagged = c.until_tagged("a3")
    assert re.fullmatch(r"a3 OK \[MAILBOXID \(\S+\)\] CREATE completed", tagged)
    c.ntag = 3
    assert names(c, "Gr*") == ['"Gr\u00fc\u00dfe"', '"Gr\u00fc\u00dfe/\u65e5\u672c"']
    assert names(c, "Entw*") == ['"Entw\u00fcrfe"']
    # In UTF-8 mode "&" is just "&": no modified UTF-7 decoding.
    ok(c, 'CREATE "R&D"')
    assert names(c, "R*") == ["R&D"]
    # The IMAP4rev1 session sees the same names in modified UTF-7.
    assert names(rev1, "Gr*") == ["Gr&APwA3w-e", "Gr&APwA3w-e/&ZeVnLA-"]
    assert names(rev1, "R*") == ["R&-D"]
    c.send('a9 STATUS "Entw\u00fcrfe" (MESSAGES)\r\n'.encode())
    untagged, tagged = c.until_tagged("a9")
    assert untagged == ['* STATUS "Entw\u00fcrfe" (MESSAGES 0)'] and " OK " in tagged


def test_utf8_names_after_enable_imap4rev2(server, user):
    c = login(server, user)
    ok(c, "CREATE Entw&APw-rfe")
    ok(c, "ENABLE IMAP4rev2")
    assert names(c, "Entw*") == ['"Entw\u00fcrfe"']


# ---- Python's imaplib ----

def test_imaplib_mailbox_commands(server, user):
    m = server.imaplib(user)
    typ, data = m.create("Projects/2024")
    assert typ == "OK" and re.fullmatch(rb"\[MAILBOXID \(\S+\)\] CREATE completed", data[0])
    typ, data = m.list()
    assert typ == "OK"
    assert b'(\\HasChildren) "/" Projects' in data
    assert b'(\\HasNoChildren) "/" Projects/2024' in data
    assert b'(\\HasNoChildren \\Sent) "/" Sent' in data
    typ, data = m.list("Projects/", "%")
    assert data == [b'(\\HasNoChildren) "/" Projects/2024']
    assert m.rename("Projects/2024", "Projects/2025")[0] == "OK"
    assert m.subscribe("Projects/2025")[0] == "OK"
    typ, data = m.lsub()
    assert data == [b'() "/" Projects/2025']
    typ, data = m.status("Projects/2025", "(MESSAGES UNSEEN UIDNEXT)")
    assert data == [b"Projects/2025 (MESSAGES 0 UIDNEXT 1 UNSEEN 0)"]
    typ, data = m.namespace()
    assert data == [b'(("" "/")) NIL NIL']
    assert m.unsubscribe("Projects/2025")[0] == "OK"
    assert m.delete("Projects/2025")[0] == "OK"
    typ, data = m.delete("Projects/2025")
    assert typ == "NO" and data[0].startswith(b"[NONEXISTENT]")
    m.logout()
