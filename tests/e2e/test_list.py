"""LIST and LSUB: patterns and references (RFC 9051 6.3.9), CHILDREN (RFC
3348), special use in every reply (RFC 6154, INTEROP.md point 7),
LIST-EXTENDED selection and return options (RFC 5258), LIST-STATUS (RFC
5819), LSUB's "%" rule (RFC 3501 6.3.9), the error cases, and a list too
long for the socket, read slowly.

Each test works as a user of its own, so the lists it expects are exact. A
new user has INBOX, Archive, Drafts, Junk, Sent and Trash.
"""
import itertools
import os
import re
import socket
import sqlite3
import time

import pytest

_users = itertools.count(1)


@pytest.fixture
def user(server):
    name = "lst%d" % next(_users)
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


def bad(c, command):
    untagged, tagged = c.command(command)
    assert re.match(r"a\d+ BAD \S", tagged), (command, tagged)
    assert untagged == [], untagged


def create(c, *names):
    for n in names:
        ok(c, "CREATE %s" % n)


def append(c, mailbox, flags=""):
    data = b"From: a@example.com\r\nSubject: x\r\n\r\nhello\r\n"
    c.ntag += 1
    tag = "a%d" % c.ntag
    c.send(b"%s APPEND %s %s{%d+}\r\n%s\r\n" % (tag.encode(), mailbox.encode(),
                                                  (flags + " ").encode() if flags else b"",
                                                  len(data), data))
    untagged, tagged = c.until_tagged(tag)
    assert " OK " in tagged, tagged


def L(attrs, name, ext=""):
    return '* LIST (%s) "/" %s%s' % (attrs, name, ext)


CHILDINFO = ' ("CHILDINFO" ("SUBSCRIBED"))'
DEFAULT_LIST = [L("\\HasNoChildren", "INBOX"), L("\\HasNoChildren \\Archive", "Archive"),
                L("\\HasNoChildren \\Drafts", "Drafts"), L("\\HasNoChildren \\Junk", "Junk"),
                L("\\HasNoChildren \\Sent", "Sent"), L("\\HasNoChildren \\Trash", "Trash")]


# ---- basic LIST ----

def test_empty_pattern_gives_delimiter(server, user):
    c = login(server, user)
    for cmd in ('LIST "" ""', 'LIST "foo/bar" ""', 'LIST "#news.comp.mail.misc" ""'):
        untagged, tagged = c.command(cmd)
        assert untagged == ['* LIST (\\Noselect) "/" ""'], cmd
        assert re.fullmatch(r"a\d+ OK LIST completed", tagged)
    # The extended syntax has no such special case (RFC 5258 3).
    for cmd in ('LIST "" ("")', 'LIST () "" ""', 'LIST "" "" RETURN ()'):
        assert ok(c, cmd) == [], cmd


def test_default_mailboxes_with_special_use(server, user):
    c = login(server, user)
    # Special-use attributes without being asked for (INTEROP.md point 7).
    assert ok(c, 'LIST "" *') == DEFAULT_LIST
    assert ok(c, 'LIST "" %') == DEFAULT_LIST


def test_star_and_percent(server, user):
    c = login(server, user)
    create(c, "Fruit/Apple", "Fruit/Banana", "Tofu", "Vegetable/Broccoli/Green")
    assert ok(c, 'LIST "" Fruit*') == [L("\\HasChildren", "Fruit"),
                                       L("\\HasNoChildren", "Fruit/Apple"),
                                       L("\\HasNoChildren", "Fruit/Banana")]
    assert ok(c, 'LIST "" %/%') == [L("\\HasNoChildren", "Fruit/Apple"),
                                    L("\\HasNoChildren", "Fruit/Banana"),
                                    L("\\HasChildren", "Vegetable/Broccoli")]
    assert ok(c, 'LIST "" V%') == [L("\\HasChildren", "Vegetable")]
    assert ok(c, 'LIST "" V*n') == [L("\\HasNoChildren", "Vegetable/Broccoli/Green")]
    assert ok(c, 'LIST "" *an*') == [L("\\HasNoChildren", "Fruit/Banana")]
    assert ok(c, 'LIST "" Fruit') == [L("\\HasChildren", "Fruit")]
    assert ok(c, 'LIST "" Nothing*') == []


def test_reference_is_prefixed(server, user):
    c = login(server, user)
    create(c, "archive/2023", "archive/2024/q1", "archivex")
    assert ok(c, 'LIST archive/ %') == [L("\\HasNoChildren", "archive/2023"),
                                        L("\\HasChildren", "archive/2024")]
    assert ok(c, 'LIST archive/ *') == [L("\\HasNoChildren", "archive/2023"),
                                        L("\\HasChildren", "archive/2024"),
                                        L("\\HasNoChildren", "archive/2024/q1")]
    # Without a trailing delimiter the two are simply joined.
    assert ok(c, 'LIST archive %') == [L("\\HasChildren", "archive"),
                                       L("\\HasNoChildren", "archivex")]


def test_inbox_is_case_insensitive(server, user):
    c = login(server, user)
    create(c, "inbox/Receipts")
    for pattern in ("inbox", "INBOX", "Inbox", "iNbOx"):
        assert ok(c, 'LIST "" %s' % pattern) == [L("\\HasChildren", "INBOX")], pattern
    assert ok(c, 'LIST "" inbox/%') == [L("\\HasNoChildren", "INBOX/Receipts")]
    assert ok(c, 'LIST InBoX/ *') == [L("\\HasNoChildren", "INBOX/Receipts")]
    # INBOX and its children come first.
    assert ok(c, 'LIST "" *')[:2] == [L("\\HasChildren", "INBOX"),
                                      L("\\HasNoChildren", "INBOX/Receipts")]
    # Only INBOX folds: other names are case-sensitive.
    assert ok(c, 'LIST "" sent') == []


def test_noselect_parent_after_delete(server, user):
    c = login(server, user)
    create(c, "foo/bar", "foo/baz")
    ok(c, "DELETE foo")
    # "%" stops at foo, which is shown \Noselect (RFC 9051 6.3.9).
    assert ok(c, 'LIST "" f%') == [L("\\Noselect \\HasChildren", "foo")]
    assert ok(c, 'LIST "" foo/%') == [L("\\HasNoChildren", "foo/bar"),
                                      L("\\HasNoChildren", "foo/baz")]
    ok(c, "DELETE foo/bar")
    assert ok(c, 'LIST "" f*') == [L("\\Noselect \\HasChildren", "foo"),
                                   L("\\HasNoChildren", "foo/baz")]


def test_missing_parent_is_shown_for_percent(server, user):
    """hafend keeps a row for every parent, but a database made elsewhere (an
    import, a repair) may lack one; "%" must still show the level (RFC 9051
    6.3.9), as \\Noselect to IMAP4rev1 and \\NonExistent (RFC 5258 example
    10) to clients that use the extended syntax or IMAP4rev2."""
    c = login(server, user)
    create(c, "music/rock")
    db = sqlite3.connect(os.path.join(server.data, "users", user, "store.db"), timeout=10)
    db.execute("DELETE FROM mailboxes WHERE name = 'music'")
    db.commit()
    db.close()
    assert ok(c, 'LIST "" %')[-1] == L("\\Noselect \\HasChildren", "music")
    assert ok(c, 'LIST "" m*') == [L("\\HasNoChildren", "music/rock")]
    assert ok(c, 'LIST () "" %')[-1] == L("\\NonExistent \\HasChildren", "music")
    # music/rock answers the second pattern itself: music is not needed.
    assert ok(c, 'LIST "" (m% music/rock)') == [L("\\HasNoChildren", "music/rock")]
    ok(c, "ENABLE IMAP4rev2")
    assert ok(c, 'LIST "" %')[-1] == L("\\NonExistent \\HasChildren", "music")


def test_children_attributes_follow_changes(server, user):
    c = login(server, user)
    create(c, "p")
    assert ok(c, 'LIST "" p') == [L("\\HasNoChildren", "p")]
    create(c, "p/c")
    assert ok(c, 'LIST "" p') == [L("\\HasChildren", "p")]
    ok(c, "DELETE p/c")
    assert ok(c, 'LIST "" p') == [L("\\HasNoChildren", "p")]
    # A name that shares a prefix is not a child.
    create(c, "p-q", "p0")
    assert ok(c, 'LIST "" p') == [L("\\HasNoChildren", "p")]


def test_names_with_specials_are_quoted(server, user):
    c = login(server, user)
    create(c, '"q/Sent Messages"', '"q/quote\\"d"', '"q/back\\\\slash"', '"q/{braces}"')
    assert ok(c, 'LIST "" q/%') == [L("\\HasNoChildren", '"q/Sent Messages"'),
                                    L("\\HasNoChildren", '"q/back\\\\slash"'),
                                    L("\\HasNoChildren", '"q/quote\\"d"'),
                                    L("\\HasNoChildren", '"q/{braces}"')]
    assert ok(c, 'LIST "" "q/quote\\"d"') == [L("\\HasNoChildren", '"q/quote\\"d"')]


def test_invalid_patterns_are_ignored(server, user):
    c = login(server, user)
    # RFC 9051 6.3.9: a pattern the server cannot use gives no responses, OK.
    for cmd in ('LIST "" "&Jjo!"', 'LIST "&Jjo!" *', 'LIST "" (INBOX "&Jjo!")',
                'LIST "" "%s"' % ("a" * 5000)):
        untagged, tagged = c.command(cmd)
        assert re.fullmatch(r"a\d+ OK LIST completed", tagged), cmd
        assert untagged == ([L("\\HasNoChildren", "INBOX")] if "INBOX" in cmd else []), cmd


def test_hostile_pattern_is_fast(server, user):
    c = login(server, user)
    create(c, "a" * 200 + "/" + "a" * 200)
    start = time.time()
    assert ok(c, 'LIST "" "%s"' % ("*a" * 300 + "*b")) == []
    assert ok(c, 'LIST "" "%s"' % ("%a" * 300 + "%b")) == []
    # More literal bytes than any name can hold: dropped, matches nothing.
    assert ok(c, 'LIST "" "%s"' % ("*a" * 1025)) == []
    assert ok(c, 'LIST "" "*%s*"' % ("a" * 200)) == [
        L("\\HasChildren", "a" * 200), L("\\HasNoChildren", "a" * 200 + "/" + "a" * 200)]
    assert time.time() - start < 5


def test_list_work_is_bounded(server, user):
    """Long wildcard patterns over thousands of long names would stall the
    worker; LIST stops at its work limit with NO [LIMIT] instead."""
    c = login(server, user)
    db = sqlite3.connect(os.path.join(server.data, "users", user, "store.db"), timeout=10)
    with db:
        db.execute("INSERT INTO mailboxes(name, uidvalidity, mailboxid)"
                   " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4000)"
                   " SELECT printf('%05d/%.240c/%.240c/%.240c', i, 'a', 'b', 'c'), 1, 'Fw' || i"
                   " FROM n")
    db.close()
    start = time.time()
    untagged, tagged = c.command('LIST "" "%s"' % ("*a" * 900 + "*z"))
    assert (untagged, re.sub(r"^a\d+ ", "", tagged)) == \
        ([], "NO [LIMIT] These patterns take too long over so many mailboxes")
    assert time.time() - start < 30
    # Ordinary patterns over the same names are fine.
    assert len(ok(c, 'LIST "" %')) == 6 + 4000
    full = "00042/%s/%s/%s" % ("a" * 240, "b" * 240, "c" * 240)
    assert ok(c, 'LIST "" 00042/*') == [L("\\HasNoChildren", full)]
    assert ok(c, 'LIST "" 00042/%') == [L("\\Noselect \\HasChildren", "00042/" + "a" * 240)]


def test_utf8_and_utf7_forms(server, user):
    c = login(server, user)
    create(c, "Entw&APw-rfe", '"R&-D"')
    assert ok(c, 'LIST "" Entw*') == [L("\\HasNoChildren", "Entw&APw-rfe")]
    assert ok(c, 'LIST "" "Entw&APw-*"') == [L("\\HasNoChildren", "Entw&APw-rfe")]
    assert ok(c, 'LIST "" R*') == [L("\\HasNoChildren", "R&-D")]
    ok(c, "ENABLE IMAP4rev2")
    assert ok(c, 'LIST "" R*') == [L("\\HasNoChildren", "R&D")]
    c.send('a9 LIST "" "Entw\u00fc*"\r\n'.encode())
    untagged, tagged = c.until_tagged("a9")
    assert untagged == [L("\\HasNoChildren", '"Entw\u00fcrfe"')]


# ---- LSUB ----

def test_lsub(server, user):
    c = login(server, user)
    create(c, "Fruit/Banana", "Vegetable/Broccoli")
    for n in ("Fruit/Banana", "Fruit/Peach", "Vegetable", "Vegetable/Broccoli", "inbox"):
        ok(c, "SUBSCRIBE %s" % n)
    assert ok(c, 'LSUB "" *') == ['* LSUB () "/" INBOX',
                                  '* LSUB () "/" Fruit/Banana',
                                  '* LSUB () "/" Fruit/Peach',
                                  '* LSUB () "/" Vegetable',
                                  '* LSUB () "/" Vegetable/Broccoli']
    # RFC 3501 6.3.9: "%" shows an unsubscribed parent of subscribed
    # children, flagged \Noselect.
    assert ok(c, 'LSUB "" %') == ['* LSUB () "/" INBOX',
                                  '* LSUB (\\Noselect) "/" Fruit',
                                  '* LSUB () "/" Vegetable']
    assert ok(c, 'LSUB Fruit/ %') == ['* LSUB () "/" Fruit/Banana',
                                      '* LSUB () "/" Fruit/Peach']
    # The same rule for any pattern that stops above a subscribed name.
    assert ok(c, 'LSUB "" Fruit') == ['* LSUB (\\Noselect) "/" Fruit']
    assert ok(c, 'LSUB "" ""') == []
    untagged, tagged = c.command('LSUB "" nothing')
    assert (untagged, tagged) == ([], "a%d OK LSUB completed" % c.ntag)


def test_lsub_after_enable_imap4rev2(server, user):
    c = login(server, user)
    create(c, "Entw&APw-rfe")
    ok(c, "SUBSCRIBE Entw&APw-rfe")
    assert ok(c, 'LSUB "" *') == ['* LSUB () "/" Entw&APw-rfe']
    ok(c, "ENABLE IMAP4rev2")
    assert ok(c, 'LSUB "" *') == ['* LSUB () "/" "Entw\u00fcrfe"']


# ---- LIST-EXTENDED ----

def subscribed_world(c):
    """RFC 9051 6.3.9.8 examples 1 and 2, on top of the default mailboxes."""
    create(c, "Fruit/Apple", "Fruit/Banana", "Tofu", "Vegetable/Broccoli", "Vegetable/Corn")
    for n in ("INBOX", "Fruit/Banana", "Fruit/Peach", "Vegetable", "Vegetable/Broccoli"):
        ok(c, "SUBSCRIBE %s" % n)


def test_list_subscribed(server, user):
    c = login(server, user)
    subscribed_world(c)
    assert ok(c, 'LIST (SUBSCRIBED) "" *') == [
        L("\\HasNoChildren \\Subscribed", "INBOX"),
        L("\\HasNoChildren \\Subscribed", "Fruit/Banana"),
        L("\\NonExistent \\HasNoChildren \\Subscribed", "Fruit/Peach"),
        L("\\HasChildren \\Subscribed", "Vegetable"),
        L("\\HasNoChildren \\Subscribed", "Vegetable/Broccoli"),
    ]
    # REMOTE adds nothing here, and options may repeat (RFC 5258 3).
    assert ok(c, 'LIST (REMOTE SUBSCRIBED SUBSCRIBED) "" *') == \
        ok(c, 'LIST (SUBSCRIBED) "" *')
    # Without RECURSIVEMATCH, "%" shows only subscribed names.
    assert ok(c, 'LIST (SUBSCRIBED) "" %') == [L("\\HasNoChildren \\Subscribed", "INBOX"),
                                               L("\\HasChildren \\Subscribed", "Vegetable")]


def test_return_subscribed_and_children(server, user):
    c = login(server, user)
    subscribed_world(c)
    # Example 6 without REMOTE: subscription state of every mailbox, and no
    # response for the subscribed name that does not exist.
    assert ok(c, 'LIST "" * RETURN (SUBSCRIBED)') == [
        L("\\HasNoChildren \\Subscribed", "INBOX"),
        L("\\HasNoChildren \\Archive", "Archive"),
        L("\\HasNoChildren \\Drafts", "Drafts"),
        L("\\HasChildren", "Fruit"),
        L("\\HasNoChildren", "Fruit/Apple"),
        L("\\HasNoChildren \\Subscribed", "Fruit/Banana"),
        L("\\HasNoChildren \\Junk", "Junk"),
        L("\\HasNoChildren \\Sent", "Sent"),
        L("\\HasNoChildren", "Tofu"),
        L("\\HasNoChildren \\Trash", "Trash"),
        L("\\HasChildren \\Subscribed", "Vegetable"),
        L("\\HasNoChildren \\Subscribed", "Vegetable/Broccoli"),
        L("\\HasNoChildren", "Vegetable/Corn"),
    ]
    # Example 3.
    assert ok(c, 'LIST () "" "%" RETURN (CHILDREN)') == [
        L("\\HasNoChildren", "INBOX"), L("\\HasNoChildren \\Archive", "Archive"),
        L("\\HasNoChildren \\Drafts", "Drafts"), L("\\HasChildren", "Fruit"),
        L("\\HasNoChildren \\Junk", "Junk"), L("\\HasNoChildren \\Sent", "Sent"),
        L("\\HasNoChildren", "Tofu"), L("\\HasNoChildren \\Trash", "Trash"),
        L("\\HasChildren", "Vegetable")]


def test_recursivematch_example_7(server, user):
    c = login(server, user)
    create(c, "Foo/Bar", "Foo/Baz", "Moo")
    assert ok(c, 'LIST "" (Foo Moo) RETURN (CHILDREN)') == [L("\\HasChildren", "Foo"),
                                                           L("\\HasNoChildren", "Moo")]
    # A) only Foo/Baz is subscribed.
    ok(c, "SUBSCRIBE Foo/Baz")
    assert ok(c, 'LIST (SUBSCRIBED) "" "*"') == [L("\\HasNoChildren \\Subscribed", "Foo/Baz")]
    assert ok(c, 'LIST (SUBSCRIBED) "" "%"') == []
    assert ok(c, 'LIST (SUBSCRIBED RECURSIVEMATCH) "" "%"') == [
        L("\\HasChildren", "Foo", CHILDINFO)]
    # A1) Foo subscribed too.
    ok(c, "SUBSCRIBE Foo")
    assert ok(c, 'LIST (SUBSCRIBED RECURSIVEMATCH) "" "%"') == [
        L("\\HasChildren \\Subscribed", "Foo", CHILDINFO)]
    # C) only Foo and Moo subscribed: no CHILDINFO.
    ok(c, "UNSUBSCRIBE Foo/Baz")
    ok(c, "SUBSCRIBE Moo")
    assert ok(c, 'LIST (SUBSCRIBED RECURSIVEMATCH) "" "%" RETURN (CHILDREN)') == [
        L("\\HasChildren \\Subscribed", "Foo"), L("\\HasNoChildren \\Subscribed", "Moo")]
    # B) nothing subscribed: nothing.
    ok(c, "UNSUBSCRIBE Foo")
    ok(c, "UNSUBSCRIBE Moo")
    assert ok(c, 'LIST (SUBSCRIBED RECURSIVEMATCH) "" "%"') == []


def test_recursivematch_nonexistent_parent(server, user):
    c = login(server, user)
    # A2) the parent does not exist at all, only a subscribed name below it.
    ok(c, "SUBSCRIBE Customers/ABC")
    assert ok(c, 'LIST (SUBSCRIBED RECURSIVEMATCH) "" "%"') == [
        L("\\NonExistent \\HasNoChildren", "Customers", CHILDINFO)]
    # Example 9.
    create(c, "foo")
    ok(c, "SUBSCRIBE foo/bar")
    assert ok(c, 'LIST "" (foo)') == [L("\\HasNoChildren", "foo")]
    assert ok(c, 'LIST (SUBSCRIBED) "" "foo/*"') == [
        L("\\NonExistent \\HasNoChildren \\Subscribed", "foo/bar")]
    assert ok(c, 'LIST (SUBSCRIBED RECURSIVEMATCH) "" foo RETURN (CHILDREN)') == [
        L("\\HasNoChildren", "foo", CHILDINFO)]


def test_recursivematch_example_8(server, user):
    c = login(server, user)
    create(c, "foo2/bar1", "foo2/bar2", "baz2/bar2", "baz2/bar22", "baz2/bar222",
           "eps2/mamba", "qux2/bar2")
    for n in ("foo2/bar1", "foo2/bar2", "baz2/bar2", "baz2/bar22", "baz2/bar222", "eps2",
              "eps2/mamba", "qux2/bar2"):
        ok(c, "SUBSCRIBE %s" % n)
    # CHILDINFO for foo2 (foo2/bar1 does not match) and eps2 (eps2/mamba does
    # not); the redundant ones for baz2 and qux2 are left out (6.3.9.6).
    assert ok(c, 'LIST (RECURSIVEMATCH SUBSCRIBED) "" "*2"') == [
        L("\\HasNoChildren \\Subscribed", "baz2/bar2"),
        L("\\HasNoChildren \\Subscribed", "baz2/bar22"),
        L("\\HasNoChildren \\Subscribed", "baz2/bar222"),
        L("\\HasChildren \\Subscribed", "eps2", CHILDINFO),
        L("\\HasChildren", "foo2", CHILDINFO),
        L("\\HasNoChildren \\Subscribed", "foo2/bar2"),
        L("\\HasNoChildren \\Subscribed", "qux2/bar2"),
    ]


def test_special_use_selection(server, user):
    c = login(server, user)
    create(c, "MyDrafts", "Projects/Old")
    ok(c, "DELETE Drafts")
    ok(c, "CREATE Projects/Archive2 (USE (\\Archive))")
    expected = [L("\\HasNoChildren \\Archive", "Archive"), L("\\HasNoChildren \\Junk", "Junk"),
                L("\\HasNoChildren \\Archive", "Projects/Archive2"),
                L("\\HasNoChildren \\Sent", "Sent"), L("\\HasNoChildren \\Trash", "Trash")]
    assert ok(c, 'LIST (SPECIAL-USE) "" *') == expected
    assert ok(c, 'LIST (SPECIAL-USE) "" * RETURN (SPECIAL-USE)') == expected
    assert ok(c, 'LIST (SPECIAL-USE) "" %') == [e for e in expected if "Projects" not in e]
    # Cumulative with SUBSCRIBED.
    ok(c, "SUBSCRIBE Sent")
    ok(c, "SUBSCRIBE MyDrafts")
    assert ok(c, 'LIST (SPECIAL-USE SUBSCRIBED) "" *') == [
        L("\\HasNoChildren \\Sent \\Subscribed", "Sent")]
    assert ok(c, 'LIST "" % RETURN (SPECIAL-USE)') == ok(c, 'LIST "" %')


def test_several_patterns(server, user):
    c = login(server, user)
    create(c, "music/rock", "also/jazz")
    assert ok(c, 'LIST "" (INBOX Sent)') == [L("\\HasNoChildren", "INBOX"),
                                             L("\\HasNoChildren \\Sent", "Sent")]
    # A name matched by several patterns is reported once (RFC 5258 3).
    assert ok(c, 'LIST "" (* INBOX %)') == ok(c, 'LIST "" *')
    assert ok(c, 'LIST "" (% music/rock)')[-2:] == [L("\\HasChildren", "music"),
                                                     L("\\HasNoChildren", "music/rock")]
    assert ok(c, 'LIST "" ("" music/rock "")') == [L("\\HasNoChildren", "music/rock")]
    assert ok(c, 'LIST also/ (% nothing)') == [L("\\HasNoChildren", "also/jazz")]
    assert ok(c, 'LIST "" ({4+}\r\nTofu {5+}\r\nalso/)') == []


def test_extended_errors(server, user):
    c = login(server, user)
    # RFC 5258 3.1: RECURSIVEMATCH alone (or with REMOTE) is BAD, and so is
    # it with SPECIAL-USE only (an independent option, RFC 6154 6).
    bad(c, 'LIST (RECURSIVEMATCH) "" *')
    bad(c, 'LIST (REMOTE RECURSIVEMATCH) "" *')
    bad(c, 'LIST (SPECIAL-USE RECURSIVEMATCH) "" *')
    # Unknown options are BAD (RFC 5258 3).
    bad(c, 'LIST (BOGUS) "" *')
    bad(c, 'LIST "" * RETURN (BOGUS)')
    bad(c, 'LIST "" * RETURN (STATUS ())')
    bad(c, 'LIST "" * RETURN (STATUS (BOGUS))')
    bad(c, 'LIST "" * RETURN SUBSCRIBED')
    bad(c, 'LIST "" ()')
    bad(c, 'LIST "" *  RETURN ()')
    bad(c, 'LIST ""')
    bad(c, 'LIST')
    untagged, tagged = c.command('LIST "" (%s)' % " ".join(["x%d" % i for i in range(65)]))
    assert (untagged, tagged) == ([], "a%d NO [LIMIT] At most 64 patterns in one LIST" % c.ntag)
    assert len(ok(c, 'LIST "" (%s)' % " ".join(["x%d" % i for i in range(63)] + ["INBOX"]))) == 1
    # Long patterns: one may be long, several together may not.
    assert ok(c, 'LIST "" "%s"' % ("*" + "a" * 4000)) == []
    assert ok(c, 'LIST "" ("%s" INBOX)' % ("a" * 2000)) == [L("\\HasNoChildren", "INBOX")]
    untagged, tagged = c.command('LIST "" (%s INBOX)' % " ".join(["a" * 1000] * 3))
    assert (untagged, tagged) == ([], "a%d NO [LIMIT] At most 2048 bytes of patterns in one LIST"
                                  % c.ntag)
    untagged, tagged = c.command('LIST %s (%s INBOX)' % ("r" * 1000, "a" * 100))
    assert (untagged, tagged) == ([], "a%d NO [LIMIT] At most 2048 bytes of patterns in one LIST"
                                  % c.ntag)
    # The session goes on.
    assert ok(c, 'LIST "" INBOX') == [L("\\HasNoChildren", "INBOX")]


def test_nonexistent_is_rev2_or_extended(server, user):
    c = login(server, user)
    ok(c, "SUBSCRIBE gone")
    assert ok(c, 'LIST (SUBSCRIBED) "" gone') == [
        L("\\NonExistent \\HasNoChildren \\Subscribed", "gone")]
    # Plain LIST reports existing names only.
    assert ok(c, 'LIST "" gone') == []
    assert ok(c, 'LIST "" gone RETURN (SUBSCRIBED)') == []


# ---- LIST-STATUS ----

def test_list_status(server, user):
    c = login(server, user)
    create(c, "foo", "bar/child")
    ok(c, "DELETE bar")
    append(c, "foo", "(\\Seen)")
    append(c, "foo")
    untagged = ok(c, 'LIST "" % RETURN (STATUS (MESSAGES UNSEEN))')
    assert untagged[:2] == [L("\\HasNoChildren", "INBOX"), "* STATUS INBOX (MESSAGES 0 UNSEEN 0)"]
    i = untagged.index(L("\\Noselect \\HasChildren", "bar"))
    # No STATUS for the \Noselect name (RFC 5819 3).
    assert not untagged[i + 1].startswith("* STATUS")
    i = untagged.index(L("\\HasNoChildren", "foo"))
    assert untagged[i + 1] == "* STATUS foo (MESSAGES 2 UNSEEN 1)"
    statuses = [l for l in untagged if l.startswith("* STATUS")]
    assert len(statuses) == len(untagged) - len(statuses) - 1


def test_list_status_with_subscriptions(server, user):
    c = login(server, user)
    create(c, "foo/sub")
    ok(c, "SUBSCRIBE INBOX")
    ok(c, "SUBSCRIBE foo/sub")
    ok(c, "SUBSCRIBE ghost")
    # foo is listed for its child and gets no STATUS; neither does the
    # subscribed name that does not exist (RFC 5819 3, example A02).
    assert ok(c, 'LIST (SUBSCRIBED RECURSIVEMATCH) "" % RETURN (STATUS (MESSAGES))') == [
        L("\\HasNoChildren \\Subscribed", "INBOX"),
        "* STATUS INBOX (MESSAGES 0)",
        L("\\HasChildren", "foo", CHILDINFO),
        L("\\NonExistent \\HasNoChildren \\Subscribed", "ghost"),
    ]


def test_list_status_all_items_and_utf7(server, user):
    c = login(server, user)
    create(c, "Entw&APw-rfe")
    untagged = ok(c, 'LIST "" Entw* RETURN (STATUS (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN '
                     'DELETED SIZE HIGHESTMODSEQ APPENDLIMIT MAILBOXID))')
    assert untagged[0] == L("\\HasNoChildren", "Entw&APw-rfe")
    assert re.fullmatch(r"\* STATUS Entw&APw-rfe \(MESSAGES 0 RECENT 0 UIDNEXT 1 UIDVALIDITY \d+ "
                        r"UNSEEN 0 DELETED 0 SIZE 0 HIGHESTMODSEQ \d+ APPENDLIMIT 67108864 "
                        r"MAILBOXID \([\w-]+\)\)", untagged[1]), untagged[1]
    assert len(untagged) == 2


def test_list_status_of_selected_mailbox(server, user):
    c = login(server, user)
    other = login(server, user)
    ok(c, "SELECT INBOX")
    append(other, "INBOX")
    untagged = ok(c, 'LIST "" INBOX RETURN (STATUS (MESSAGES))')
    # The session hears of the message before the STATUS that counts it.
    assert untagged == ["* 1 EXISTS", "* 1 RECENT", L("\\HasNoChildren", "INBOX"),
                        "* STATUS INBOX (MESSAGES 1)"]


# ---- a long list, read slowly ----

def test_long_list_read_slowly(server, user):
    c = login(server, user)
    count = 150
    # Four levels of about 250 bytes each: 600 mailboxes, over 1 MB of LIST
    # and STATUS responses, far more than the output high-water mark.
    for i in range(count):
        c.send("c%d CREATE %03d%s/%s/%s/%s\r\n" % (i, i, "a" * 247, "b" * 250, "c" * 250,
                                                   "d" * 200))
    for i in range(count):
        untagged, tagged = c.until_tagged("c%d" % i)
        assert " OK " in tagged, tagged
    slow = socket.socket()
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    slow.settimeout(30)
    slow.connect((server.host, server.imap_port))
    slow.sendall(b'l1 LOGIN %s "%s"\r\n' % (user.encode(), server.passwords[user].encode()))
    slow.sendall(b'l2 LIST "" * RETURN (STATUS (MESSAGES UIDNEXT UIDVALIDITY UNSEEN SIZE))\r\n')
    time.sleep(0.5)
    # The worker is not stuck with the slow reader.
    assert ok(c, "NOOP") == []
    data = b""
    while not data.endswith(b"l2 OK LIST completed\r\n"):
        chunk = slow.recv(4096)
        assert chunk, data[-200:]
        data += chunk
        time.sleep(0.0005)
    slow.close()
    lines = data.decode().split("\r\n")
    lists = [l for l in lines if l.startswith("* LIST ")]
    statuses = [l for l in lines if l.startswith("* STATUS ")]
    assert len(lists) == 6 + 4 * count
    assert len(statuses) == len(lists)
    for i, line in enumerate(lines):
        if line.startswith("* LIST "):
            name = line.split('"/" ', 1)[1]
            assert lines[i + 1].startswith("* STATUS %s (MESSAGES 0 UIDNEXT 1 " % name)
