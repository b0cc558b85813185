"""The session commands end to end: ENABLE (RFC 5161, RFC 9051 6.3.1), ID
(RFC 2971), NOOP, CHECK, LOGOUT, SELECT/EXAMINE, CLOSE and UNSELECT
(RFC 9051 6.3.2, 6.3.3, 6.4.1, 6.4.2; RFC 3691), and the IMAP4rev1 versus
IMAP4rev2 forms a session answers in."""
import re

import pytest

from test_idle import append, other
from test_limits import read_until_closed


@pytest.fixture
def alice(server):
    c = server.connect()
    c.login()
    yield c
    c.close()


def fresh(c, name):
    untagged, tagged = c.command("CREATE %s" % name)
    assert " OK " in tagged, tagged


# ---- ENABLE ----

def test_enable_imap4rev2(alice):
    untagged, tagged = alice.command("ENABLE IMAP4rev2")
    assert untagged == ["* ENABLED IMAP4rev2"]
    assert tagged == "a2 OK ENABLE completed"
    # RFC 5161 3.1: only what this command newly enabled is listed.
    untagged, tagged = alice.command("ENABLE IMAP4rev2")
    assert untagged == ["* ENABLED"]


def test_enable_ignores_unknown_names(alice):
    untagged, tagged = alice.command("ENABLE X-UNKNOWN imap4REV2 FOO=BAR")
    assert untagged == ["* ENABLED IMAP4rev2"]
    assert tagged == "a2 OK ENABLE completed"


def test_enable_only_what_is_advertised(alice):
    """imapflow sends ENABLE CONDSTORE UTF8=ACCEPT QRESYNC IMAP4rev2 after
    every login (INTEROP.md 2): what ENABLED lists must be advertised."""
    untagged, tagged = alice.command("CAPABILITY")
    caps = set(untagged[0].split()[2:])
    untagged, tagged = alice.command("ENABLE CONDSTORE UTF8=ACCEPT QRESYNC IMAP4rev2")
    enabled = set(untagged[0].split()[2:])
    assert tagged == "a3 OK ENABLE completed"
    assert enabled <= caps, enabled - caps
    assert {"IMAP4rev2", "UTF8=ACCEPT"} <= enabled


def test_enable_needs_a_name_and_the_authenticated_state(server, alice):
    untagged, tagged = alice.command("ENABLE")
    assert tagged.startswith("a2 BAD ")
    c = server.connect()
    untagged, tagged = c.command("ENABLE IMAP4rev2")
    assert tagged.startswith("a1 BAD ")
    c.close()
    # RFC 5161 3.1: not once a mailbox is selected.
    alice.command("SELECT INBOX")
    untagged, tagged = alice.command("ENABLE IMAP4rev2")
    assert tagged.startswith("a4 BAD ")


def test_utf8_accept_checks_quoted_strings(server, alice):
    """Once UTF8=ACCEPT (or IMAP4rev2) is on, 8-bit quoted strings must be
    UTF-8 (RFC 9755 3): anything else is BAD."""
    untagged, tagged = alice.command("CAPABILITY")
    assert "UTF8=ACCEPT" in untagged[0].split()
    alice.command("ENABLE UTF8=ACCEPT")
    alice.command('CREATE "Caf\u00e9"')
    untagged, tagged = alice.command('SELECT "Caf\u00e9"')
    assert tagged == "a5 OK [READ-WRITE] SELECT completed", tagged
    alice.send(b'u1 SELECT "Caf\xe9"\r\n')
    assert alice.readline().startswith("u1 BAD ")
    alice.send(b'u2 SEARCH SUBJECT "\xff\xfe"\r\n')
    assert alice.readline().startswith("u2 BAD ")
    alice.send('u3 SEARCH SUBJECT "Caf\u00e9"\r\n'.encode())
    untagged, tagged = alice.until_tagged("u3")
    assert tagged.startswith("u3 OK "), tagged
    # The same through IMAP4rev2 alone.
    c = server.connect()
    c.login()
    c.command("ENABLE IMAP4rev2")
    c.send(b'r1 SELECT "Caf\xe9"\r\n')
    assert c.readline().startswith("r1 BAD ")
    untagged, tagged = c.command('SELECT "Caf\u00e9"')
    assert tagged.endswith("OK [READ-WRITE] SELECT completed"), tagged
    c.close()


def test_rev1_and_rev2_select_forms(server):
    c = server.connect()
    c.login()
    fresh(c, "Forms")
    append(server, "Forms")
    untagged, tagged = c.command("SELECT Forms")
    assert untagged[:2] == ["* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
                            "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen "
                            "\\Draft \\*)] Flags permitted"]
    assert "* 1 EXISTS" in untagged and "* 1 RECENT" in untagged
    assert "* OK [UNSEEN 1] First unseen" in untagged
    assert not any(l.startswith("* LIST") for l in untagged)
    assert tagged == "a3 OK [READ-WRITE] SELECT completed"
    c.close()

    c = server.connect()
    c.login()
    c.command("ENABLE IMAP4rev2")
    untagged, tagged = c.command("SELECT Forms")
    # RFC 9051 6.3.2: no RECENT, no UNSEEN, a LIST response instead.
    assert not any("RECENT" in l or "UNSEEN" in l for l in untagged), untagged
    assert '* LIST (\\HasNoChildren) "/" Forms' in untagged
    assert "* 1 EXISTS" in untagged
    assert any(re.fullmatch(r"\* OK \[UIDVALIDITY \d+\] .+", l) for l in untagged)
    assert any(re.fullmatch(r"\* OK \[UIDNEXT 2\] .+", l) for l in untagged)
    # SEARCH answers ESEARCH, FETCH FLAGS has no \Recent.
    untagged, tagged = c.command("SEARCH ALL")
    assert untagged == ['* ESEARCH (TAG "a4") ALL 1']
    untagged, tagged = c.command("FETCH 1 FLAGS")
    assert untagged == ["* 1 FETCH (FLAGS ())"]
    c.close()


def test_rev1_search_and_recent(server):
    c = server.connect()
    c.login()
    fresh(c, "FormsRev1")
    append(server, "FormsRev1")
    c.command("SELECT FormsRev1")
    untagged, tagged = c.command("SEARCH ALL")
    assert untagged == ["* SEARCH 1"]
    untagged, tagged = c.command("FETCH 1 FLAGS")
    assert untagged == ["* 1 FETCH (FLAGS (\\Recent))"]
    # \Recent belongs to the first session that saw the message.
    d = server.connect()
    d.login()
    untagged, tagged = d.command("SELECT FormsRev1")
    assert "* 0 RECENT" in untagged
    c.close()
    d.close()


def test_mailbox_names_utf7_then_utf8(server):
    c = server.connect()
    c.login()
    untagged, tagged = c.command('CREATE "K&APw-che"')
    assert " OK " in tagged, tagged
    untagged, tagged = c.command('LIST "" "K*"')
    assert '* LIST (\\HasNoChildren) "/" K&APw-che' in untagged
    untagged, tagged = c.command('SELECT "K&APw-che"')
    assert tagged.endswith("OK [READ-WRITE] SELECT completed")
    # A name that is not valid modified UTF-7 is refused.
    untagged, tagged = c.command('SELECT "K&APw"')
    assert tagged.startswith(("a5 NO ", "a5 BAD ")), tagged
    c.close()
    c = server.connect()
    c.login()
    c.command("ENABLE IMAP4rev2")
    untagged, tagged = c.command('LIST "" "K*"')
    assert '* LIST (\\HasNoChildren) "/" "K\u00fcche"' in untagged or \
        '* LIST (\\HasNoChildren) "/" K\u00fcche' in untagged, untagged
    untagged, tagged = c.command('SELECT "K\u00fcche"')
    assert tagged.endswith("OK [READ-WRITE] SELECT completed"), tagged
    c.close()


# ---- ID, NOOP, CHECK, LOGOUT ----

def test_id(server):
    c = server.connect()
    for args in ("NIL", '("name" "e2e" "version" "1.0")', '("name" NIL)', "()"):
        untagged, tagged = c.command("ID " + args)
        assert len(untagged) == 1 and untagged[0].startswith('* ID ("name" "hafen"'), untagged
        assert tagged.endswith(" OK ID completed")
    c.login()
    untagged, tagged = c.command("ID NIL")
    assert tagged.endswith(" OK ID completed")
    for bad in ("", "(", '("name")', "foo", '("a" "b" "c")'):
        untagged, tagged = c.command("ID " + bad if bad else "ID")
        assert " BAD " in tagged, (bad, tagged)
    c.close()


def test_noop_and_check(server):
    c = server.connect()
    assert c.command("NOOP")[1] == "a1 OK NOOP completed"
    untagged, tagged = c.command("CHECK")
    assert tagged.startswith("a2 BAD ")
    c.login()
    assert c.command("NOOP")[1] == "a4 OK NOOP completed"
    assert c.command("CHECK")[1].startswith("a5 BAD ")
    c.command("SELECT INBOX")
    assert c.command("CHECK") == ([], "a7 OK CHECK completed")
    assert c.command("NOOP") == ([], "a8 OK NOOP completed")
    c.close()


@pytest.mark.parametrize("state", ["not authenticated", "authenticated", "selected"])
def test_logout_in_every_state(server, state):
    c = server.connect()
    if state != "not authenticated":
        c.login()
    if state == "selected":
        c.command("SELECT INBOX")
    c.send("z LOGOUT\r\n")
    assert c.readline() == "* BYE Logging out"
    assert c.readline() == "z OK LOGOUT completed"
    assert read_until_closed(c.sock, 5) == b""
    c.close()


def test_commands_after_logout_are_not_run(server):
    c = server.connect()
    c.login()
    c.send("z LOGOUT\r\ny SELECT INBOX\r\n")
    assert c.readline() == "* BYE Logging out"
    assert c.readline() == "z OK LOGOUT completed"
    assert read_until_closed(c.sock, 5) == b""


def test_tag_forms(server):
    """Any atom characters but "+" make a tag (RFC 9051 9: tag); the reply
    echoes it exactly."""
    c = server.connect()
    for tag in ("A001", "x.y-z_1", "~!@#$&'`^|=", "0"):
        untagged, tagged = c.command("NOOP", tag=tag)
        assert tagged == "%s OK NOOP completed" % tag
    c.send("+bad NOOP\r\n")
    assert c.readline().startswith("* BAD ")
    c.send("* NOOP\r\n")
    assert c.readline().startswith("* BAD ")
    c.close()


def test_lower_case_and_bare_lf(server):
    c = server.connect()
    c.send("a1 noop\n")
    assert c.readline() == "a1 OK NOOP completed"
    c.send("a2 cApAbIlItY\r\n")
    untagged, tagged = c.until_tagged("a2")
    assert tagged == "a2 OK CAPABILITY completed"
    c.close()


# ---- SELECT, EXAMINE, CLOSE, UNSELECT ----

def test_select_nonexistent_deselects(alice):
    alice.command("SELECT INBOX")
    untagged, tagged = alice.command("SELECT NoSuchBox")
    assert tagged == "a3 NO [NONEXISTENT] Mailbox does not exist"
    # RFC 9051 6.3.2: a failed SELECT leaves no mailbox selected.
    untagged, tagged = alice.command("FETCH 1 FLAGS")
    assert tagged.startswith("a4 BAD ")


def test_select_switch_reports_closed_in_rev2(alice):
    alice.command("ENABLE IMAP4rev2")
    alice.command("SELECT INBOX")
    untagged, tagged = alice.command("SELECT INBOX")
    assert untagged[0] == "* OK [CLOSED] Previous mailbox closed"
    untagged, tagged = alice.command("EXAMINE INBOX")
    assert untagged[0] == "* OK [CLOSED] Previous mailbox closed"
    assert tagged == "a5 OK [READ-ONLY] EXAMINE completed"


def test_examine_is_read_only(server, alice):
    fresh(alice, "ReadOnly")
    uid = append(server, "ReadOnly")
    untagged, tagged = alice.command("EXAMINE ReadOnly")
    assert "* OK [PERMANENTFLAGS ()] No permanent flags permitted" in untagged
    assert "* 0 RECENT" in untagged  # EXAMINE claims no \Recent
    assert tagged == "a3 OK [READ-ONLY] EXAMINE completed"
    for cmd in ("STORE 1 +FLAGS (\\Deleted)", "EXPUNGE", "UID EXPUNGE %d" % uid,
                "MOVE 1 INBOX"):
        untagged, tagged = alice.command(cmd)
        assert " NO " in tagged, (cmd, tagged)
    # BODY[] without .PEEK sets no \Seen in a read-only mailbox.
    untagged, tagged = alice.command("FETCH 1 BODY[]")
    assert " OK " in tagged
    untagged, tagged = alice.command("FETCH 1 FLAGS")
    assert untagged == ["* 1 FETCH (FLAGS ())"]
    alice.command("CLOSE")
    # CLOSE after EXAMINE expunges nothing.
    untagged, tagged = alice.command("SELECT ReadOnly")
    assert "* 1 EXISTS" in untagged


def test_close_expunges_silently(server, alice):
    fresh(alice, "CloseBox")
    append(server, "CloseBox")
    append(server, "CloseBox")
    alice.command("SELECT CloseBox")
    alice.command("STORE 1 +FLAGS.SILENT (\\Deleted)")
    untagged, tagged = alice.command("CLOSE")
    assert untagged == []
    assert tagged == "a5 OK CLOSE completed"
    # Back in the authenticated state.
    untagged, tagged = alice.command("FETCH 1 FLAGS")
    assert tagged.startswith("a6 BAD ")
    untagged, tagged = alice.command("SELECT CloseBox")
    assert "* 1 EXISTS" in untagged


def test_unselect_keeps_deleted_messages(server, alice):
    fresh(alice, "UnselectBox")
    append(server, "UnselectBox")
    alice.command("SELECT UnselectBox")
    alice.command("STORE 1 +FLAGS.SILENT (\\Deleted)")
    assert alice.command("UNSELECT") == ([], "a5 OK UNSELECT completed")
    untagged, tagged = alice.command("UNSELECT")
    assert tagged.startswith("a6 BAD ")
    untagged, tagged = alice.command("CLOSE")
    assert tagged.startswith("a7 BAD ")
    untagged, tagged = alice.command("SELECT UnselectBox")
    assert "* 1 EXISTS" in untagged


def test_select_noselect_mailbox(alice):
    fresh(alice, "Parent/Child")
    alice.command("DELETE Parent")
    untagged, tagged = alice.command('LIST "" Parent')
    if untagged and "\\Noselect" in untagged[0]:
        untagged, tagged = alice.command("SELECT Parent")
        assert tagged.startswith("a5 NO "), tagged


def test_uidvalidity_stable_across_sessions(server, alice):
    untagged, tagged = alice.command("SELECT INBOX")
    v1 = [l for l in untagged if "UIDVALIDITY" in l]
    c = server.connect()
    c.login()
    untagged, tagged = c.command("EXAMINE INBOX")
    assert [l for l in untagged if "UIDVALIDITY" in l] == v1
    c.close()


def test_other_session_changes_reach_a_selected_session(server, alice):
    """EXISTS, FETCH FLAGS and EXPUNGE from another session arrive at the
    next command that may carry them, in this order of events."""
    fresh(alice, "Multi")
    alice.command("SELECT Multi")
    uid = append(server, "Multi")
    other(server, "UID STORE %d +FLAGS (\\Answered)" % uid, mailbox="Multi")
    untagged, tagged = alice.command("NOOP")
    # The other session selected first and took \Recent (RFC 3501 2.3.2).
    assert untagged[:2] == ["* 1 EXISTS", "* 0 RECENT"]
    # The flag change happened before we knew the message: FLAGS come
    # with the first FETCH or in an untagged FETCH, never for a wrong seq.
    assert all(l.startswith("* 1 FETCH") for l in untagged[2:]), untagged
    untagged, tagged = alice.command("FETCH 1 FLAGS")
    assert untagged == ["* 1 FETCH (FLAGS (\\Answered))"]
    other(server, "UID STORE %d FLAGS (\\Deleted)" % uid, "UID EXPUNGE %d" % uid,
          mailbox="Multi")
    append(server, "Multi")
    untagged, tagged = alice.command("NOOP")
    # Either order is valid as long as the counts add up: EXISTS counts
    # the message whose EXPUNGE is still to come.
    count = 1
    for line in untagged:
        if line.endswith(" EXISTS"):
            count = int(line.split()[1])
        elif line.endswith(" EXPUNGE"):
            assert line == "* 1 EXPUNGE"
            count -= 1
    assert count == 1 and "* 1 EXPUNGE" in untagged, untagged
    untagged, tagged = alice.command("UID FETCH 1:* (UID)")
    assert len(untagged) == 1 and untagged[0].startswith("* 1 FETCH (UID "), untagged


def test_select_lists_the_mailboxs_keywords(server, alice):
    fresh(alice, "Keywords")
    append(server, "Keywords")
    alice.command("SELECT Keywords")
    alice.command("STORE 1 +FLAGS ($Label1 Work)")
    untagged, tagged = alice.command("SELECT Keywords")
    flags = next(l for l in untagged if l.startswith("* FLAGS "))
    perm = next(l for l in untagged if "PERMANENTFLAGS" in l)
    for kw in ("$Label1", "Work"):
        assert kw in flags.split("(", 1)[1] and kw in perm, (flags, perm)
    assert perm.endswith("\\*)] Flags permitted")
    untagged, tagged = alice.command("EXAMINE Keywords")
    flags = next(l for l in untagged if l.startswith("* FLAGS "))
    assert "$Label1" in flags


def test_selected_mailbox_deleted_by_another_session(server, alice):
    fresh(alice, "GoneBox")
    alice.command("SELECT GoneBox")
    c = server.connect()
    c.login()
    untagged, tagged = c.command("DELETE GoneBox")
    assert " OK " in tagged, tagged
    c.close()
    alice.send("n NOOP\r\n")
    assert alice.readline() == "* BYE The selected mailbox was deleted"
    assert read_until_closed(alice.sock, 5) == b""


def test_invalid_utf8_mailbox_name_in_a_literal(alice):
    alice.command("ENABLE UTF8=ACCEPT")
    alice.send(b"u SELECT {3}\r\n")
    assert alice.readline() == "+ OK"
    alice.send(b"\xff\xfe\xfd\r\n")
    assert alice.readline() == "u BAD Mailbox name is not valid UTF-8"
