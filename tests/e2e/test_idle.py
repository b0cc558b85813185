"""IDLE end to end (RFC 2177, RFC 9051 6.3.13) and the updates NOOP
reports (RFC 9051 7.5.1, INTEROP.md 6): "+ idling" first, pushes of
EXISTS, EXPUNGE and FETCH FLAGS from other sessions, DONE, a stray DONE,
keepalives, timeouts, IDLE in the authenticated state."""
import os
import re
import time

import pytest

MESSAGE = (b"From: Bob <bob@example.org>\r\nTo: alice@example.org\r\n"
           b"Subject: idle test\r\nMessage-ID: <%d@example.org>\r\n\r\nHello.\r\n")
_serial = [0]


def append(server, mailbox="INBOX", user="alice", flags=None):
    """APPEND from another connection (imaplib); returns the new UID."""
    _serial[0] += 1
    m = server.imaplib(user)
    typ, data = m.append(mailbox, flags, None, MESSAGE % _serial[0])
    assert typ == "OK", data
    m.logout()
    found = re.search(rb"APPENDUID \d+ (\d+)", data[0])
    return int(found.group(1)) if found else None


def other(server, *commands, user="alice", mailbox="INBOX"):
    """Run raw commands in a second session with mailbox selected."""
    c = server.connect()
    c.login(user)
    c.command("SELECT %s" % mailbox)
    out = [c.command(cmd) for cmd in commands]
    c.command("LOGOUT")
    c.close()
    return out


def read_until(c, pred, timeout=5.0):
    """Lines until one satisfies pred (inclusive); fails after timeout."""
    c.sock.settimeout(timeout)
    lines = []
    try:
        while True:
            line = c.readline()
            lines.append(line)
            if pred(line):
                return lines
    finally:
        c.sock.settimeout(10)


def no_line_within(c, seconds):
    c.sock.settimeout(seconds)
    try:
        line = c.readline()
    except OSError:
        return True
    finally:
        c.sock.settimeout(10)
    raise AssertionError("unexpected line %r" % line)


def fresh_mailbox(c, name):
    c.command("CREATE %s" % name)
    untagged, tagged = c.command("SELECT %s" % name)
    assert " OK " in tagged, tagged
    return untagged


def idle(c, tag="i"):
    c.send("%s IDLE\r\n" % tag)
    line = c.readline()
    assert line == "+ idling", line


def done(c, tag="i"):
    c.send("DONE\r\n")
    untagged, tagged = c.until_tagged(tag)
    assert tagged == "%s OK IDLE terminated" % tag
    return untagged


@pytest.fixture
def alice(server):
    c = server.connect()
    c.login()
    yield c
    c.close()


def test_idle_and_done(alice):
    alice.command("SELECT INBOX")
    idle(alice)
    assert done(alice) == []
    untagged, tagged = alice.command("NOOP")
    assert tagged == "a3 OK NOOP completed"


def test_idle_in_authenticated_state(alice):
    """Outlook IDLEs without a selected mailbox (INTEROP.md 6)."""
    idle(alice)
    assert no_line_within(alice, 0.5)
    assert done(alice) == []


def test_idle_before_login_is_bad(server):
    c = server.connect()
    untagged, tagged = c.command("IDLE")
    assert tagged.startswith("a1 BAD ")
    c.close()


def test_continuation_comes_before_pending_updates(server, alice):
    fresh_mailbox(alice, "IdleFirst")
    append(server, "IdleFirst")
    # The append is pending for this session; IDLE must still answer
    # "+ idling" first (clients wait for it before anything else).
    alice.send("i IDLE\r\n")
    assert alice.readline() == "+ idling"
    lines = read_until(alice, lambda l: l == "* 1 RECENT")
    assert lines == ["* 1 EXISTS", "* 1 RECENT"]
    done(alice)


def test_push_exists_on_append(server, alice):
    fresh_mailbox(alice, "IdlePush")
    idle(alice)
    start = time.monotonic()
    append(server, "IdlePush")
    lines = read_until(alice, lambda l: l.endswith("RECENT"), timeout=5)
    assert lines == ["* 1 EXISTS", "* 1 RECENT"]
    assert time.monotonic() - start < 3
    append(server, "IdlePush")
    assert read_until(alice, lambda l: l.endswith("RECENT")) == ["* 2 EXISTS", "* 2 RECENT"]
    assert done(alice) == []


def test_push_in_imap4rev2_has_no_recent(server, alice):
    alice.command("ENABLE IMAP4rev2")
    fresh_mailbox(alice, "IdleRev2")
    idle(alice)
    append(server, "IdleRev2")
    assert read_until(alice, lambda l: "EXISTS" in l) == ["* 1 EXISTS"]
    assert no_line_within(alice, 0.5)
    assert done(alice) == []


def test_push_flags_and_expunge(server, alice):
    fresh_mailbox(alice, "IdleExpunge")
    uid1 = append(server, "IdleExpunge")
    uid2 = append(server, "IdleExpunge")
    alice.command("NOOP")
    idle(alice)
    other(server, "UID STORE %d +FLAGS (\\Flagged)" % uid2, mailbox="IdleExpunge")
    lines = read_until(alice, lambda l: "FETCH" in l)
    assert lines == ["* 2 FETCH (UID %d FLAGS (\\Flagged \\Recent))" % uid2]
    other(server, "UID STORE %d +FLAGS (\\Deleted)" % uid1, "EXPUNGE", mailbox="IdleExpunge")
    lines = read_until(alice, lambda l: l.endswith("EXPUNGE"))
    assert lines[-1] == "* 1 EXPUNGE"
    assert all(l.startswith("* 1 FETCH (UID %d FLAGS (" % uid1) for l in lines[:-1]), lines
    assert done(alice) == []
    untagged, tagged = alice.command("FETCH 1 (UID)")
    assert untagged == ["* 1 FETCH (UID %d)" % uid2]


def test_push_to_many_sessions_in_every_worker(server):
    conns = []
    for i in range(6):
        c = server.connect()
        c.login()
        c.command("ENABLE IMAP4rev2")
        if i == 0:
            c.command("CREATE IdleMany")
        c.command("SELECT IdleMany")
        idle(c)
        conns.append(c)
    append(server, "IdleMany")
    for c in conns:
        assert read_until(c, lambda l: "EXISTS" in l) == ["* 1 EXISTS"]
        done(c)
        c.close()


def test_done_with_a_pipelined_command(alice):
    alice.command("SELECT INBOX")
    idle(alice)
    alice.send("DONE\r\nb NOOP\r\n")
    assert alice.readline() == "i OK IDLE terminated"
    assert alice.readline() == "b OK NOOP completed"


def test_idle_and_done_in_one_packet(alice):
    alice.send("i IDLE\r\nDONE\r\nn NOOP\r\n")
    assert alice.readline() == "+ idling"
    assert alice.readline() == "i OK IDLE terminated"
    assert alice.readline() == "n OK NOOP completed"


def test_done_is_case_insensitive(alice):
    idle(alice)
    alice.send("done\r\n")
    assert alice.readline() == "i OK IDLE terminated"


def test_something_else_than_done(alice):
    idle(alice)
    alice.send("x NOOP\r\n")
    assert alice.readline() == "i BAD Expected DONE to end IDLE"
    untagged, tagged = alice.command("NOOP")
    assert tagged == "a2 OK NOOP completed"


def test_stray_done_is_tolerated(alice):
    """A DONE that crossed the end of IDLE, or one with no IDLE at all,
    gets no answer and breaks nothing (INTEROP.md 6)."""
    alice.send("DONE\r\n")
    idle(alice)
    done(alice)
    alice.send("DONE\r\nDONE\r\n")
    untagged, tagged = alice.command("NOOP")
    assert untagged == [] and tagged == "a2 OK NOOP completed"


def test_noop_reports_like_idle(server, alice):
    """Thunderbird NOOP-polls the folders it does not IDLE on."""
    fresh_mailbox(alice, "NoopPoll")
    uid1 = append(server, "NoopPoll")
    untagged, tagged = alice.command("NOOP")
    assert untagged == ["* 1 EXISTS", "* 1 RECENT"]
    other(server, "UID STORE %d +FLAGS (\\Seen)" % uid1, mailbox="NoopPoll")
    untagged, tagged = alice.command("NOOP")
    assert untagged == ["* 1 FETCH (UID %d FLAGS (\\Seen \\Recent))" % uid1]
    other(server, "UID STORE %d +FLAGS (\\Deleted)" % uid1, "EXPUNGE", mailbox="NoopPoll")
    untagged, tagged = alice.command("CHECK")
    assert untagged[-1] == "* 1 EXPUNGE"
    assert tagged.endswith("OK CHECK completed")
    untagged, tagged = alice.command("NOOP")
    assert untagged == []


def test_no_expunge_during_fetch_by_sequence_number(server, alice):
    """RFC 9051 7.5.1: FETCH, STORE and SEARCH by sequence number must not
    be followed by EXPUNGE; UID forms and NOOP may."""
    fresh_mailbox(alice, "NoExpunge")
    uid1 = append(server, "NoExpunge")
    append(server, "NoExpunge")
    alice.command("NOOP")
    other(server, "UID STORE %d +FLAGS (\\Deleted)" % uid1, "EXPUNGE", mailbox="NoExpunge")
    for cmd in ("FETCH 1:* (UID)", "STORE 2 +FLAGS (x)", "SEARCH ALL"):
        untagged, tagged = alice.command(cmd)
        assert " OK " in tagged, tagged
        assert not any(l.endswith("EXPUNGE") for l in untagged), (cmd, untagged)
    untagged, tagged = alice.command("UID FETCH 1:* (UID)")
    assert "* 1 EXPUNGE" in untagged


def test_keepalive(make_server):
    server = make_server("idle_keepalive = 1")
    c = server.connect()
    c.login()
    c.command("SELECT INBOX")
    idle(c)
    start = time.monotonic()
    assert c.readline() == "* OK Still here"
    assert c.readline() == "* OK Still here"
    assert 1.5 <= time.monotonic() - start < 5
    done(c)
    # No keepalives outside IDLE.
    assert no_line_within(c, 1.5)
    c.close()


def test_idle_timeout_without_keepalive(make_server):
    server = make_server("idle_keepalive = 0", "idle_timeout = 2", "autologout = 60")
    c = server.connect(timeout=15)
    c.login()
    idle(c)
    start = time.monotonic()
    assert c.readline() == "* BYE Autologout; idle for too long"
    assert 1.5 <= time.monotonic() - start < 6


def test_idle_timeout_despite_keepalives(make_server):
    """Our keepalives are no sign of life from the client: IDLE still ends
    idle_timeout after the client last spoke."""
    server = make_server("idle_keepalive = 1", "idle_timeout = 3", "autologout = 60")
    c = server.connect(timeout=15)
    c.login()
    c.command("SELECT INBOX")
    idle(c)
    start = time.monotonic()
    lines = read_until(c, lambda l: l.startswith("* BYE"), timeout=10)
    assert lines[-1] == "* BYE Autologout; idle for too long"
    assert set(lines[:-1]) == {"* OK Still here"}
    assert 2.5 <= time.monotonic() - start < 6


def test_idle_outlasts_autologout(make_server):
    """IDLE has its own, longer timeout (RFC 2177: at least 29 minutes)."""
    server = make_server("autologout = 1", "idle_timeout = 30", "idle_keepalive = 0")
    c = server.connect(timeout=15)
    c.login()
    idle(c)
    assert no_line_within(c, 2.5)
    done(c)
    # Back outside IDLE, the short autologout applies again.
    c.sock.settimeout(6)
    assert c.readline() == "* BYE Autologout; idle for too long"


def test_selected_mailbox_deleted_during_idle(server, alice):
    fresh_mailbox(alice, "IdleGone")
    idle(alice)
    c = server.connect()
    c.login()
    untagged, tagged = c.command("DELETE IdleGone")
    assert " OK " in tagged, tagged
    c.close()
    lines = read_until(alice, lambda l: l.startswith("* BYE"))
    assert lines[-1] == "* BYE The selected mailbox was deleted"


def test_client_vanishes_during_idle(server):
    for i in range(5):
        c = server.connect()
        c.login()
        c.command("SELECT INBOX")
        idle(c)
        c.close()
    append(server)
    c = server.connect()
    c.login()
    untagged, tagged = c.command("SELECT INBOX")
    assert " OK " in tagged
    c.close()


def test_idle_sessions_hold_no_message_files(make_server):
    """A session that read message bodies and now waits in IDLE keeps no
    message file open (DESIGN.md: an idle connection must cost little)."""
    from test_limits import worker_pids
    server = make_server("max_sessions_per_user = 0", workers=1)
    append(server)
    append(server)
    conns = []
    for i in range(20):
        c = server.connect()
        c.login()
        c.command("SELECT INBOX")
        untagged, tagged = c.command("FETCH 1:2 (BODY[] BINARY[1] BODY[HEADER])")
        assert tagged.endswith("OK FETCH completed"), tagged
        idle(c)
        conns.append(c)
    time.sleep(0.3)
    msg_dir = os.path.join(server.data, "users", "alice", "msg")
    for pid in worker_pids(server):
        fd_dir = "/proc/%d/fd" % pid
        open_files = []
        for fd in os.listdir(fd_dir):
            try:
                open_files.append(os.readlink(os.path.join(fd_dir, fd)))
            except OSError:
                pass
        # The msg directory itself may stay open (one per user, for
        # fsync); no file below it may.
        assert [f for f in open_files if f.startswith(msg_dir + "/")] == []
        assert sum(f.startswith("socket:") for f in open_files) >= 20
    for c in conns:
        done(c)
        c.close()


def test_idle_again_and_again(server, alice):
    """Clients end and restart IDLE (every 29 minutes at least)."""
    fresh_mailbox(alice, "IdleAgain")
    for round in range(3):
        idle(alice, "i%d" % round)
        append(server, "IdleAgain")
        lines = read_until(alice, lambda l: l.endswith("RECENT"))
        assert lines[0] == "* %d EXISTS" % (round + 1)
        assert done(alice, "i%d" % round) == []


def test_overlong_line_instead_of_done(alice):
    idle(alice)
    alice.send("x" * 70000 + "\r\n")
    assert alice.readline() == "i BAD Expected DONE to end IDLE"
    untagged, tagged = alice.command("NOOP")
    assert tagged == "a2 OK NOOP completed"
