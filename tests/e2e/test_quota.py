"""QUOTA (RFC 9208): GETQUOTA, GETQUOTAROOT, SETQUOTA for administrators
(imap_admins), the STORAGE and MESSAGE resources, [OVERQUOTA] on APPEND,
COPY and MOVE, STATUS DELETED and DELETED-STORAGE, and the capabilities.
"""
import re

import pytest

import storeview as sv


@pytest.fixture(scope="module")
def srv():
    from conftest import Server
    s = Server(extra_config=["imap_admins = Alice, root"])
    yield s
    s.stop()


def run(c, text):
    untagged, tagged = c.command(text)
    return untagged, tagged.split(" ", 1)[1]


def session(server, user):
    c = server.connect()
    c.login(user)
    return c


def caps(c):
    return run(c, "CAPABILITY")[0][0].split()


def test_capabilities(srv):
    alice, bob = session(srv, "alice"), session(srv, "bob")
    for c in (alice, bob):
        assert {"QUOTA", "QUOTA=RES-STORAGE", "QUOTA=RES-MESSAGE"} <= set(caps(c))
    # Only administrators may set quotas, so only they see QUOTASET.
    assert "QUOTASET" in caps(alice)
    assert "QUOTASET" not in caps(bob)
    c = srv.connect()
    assert "QUOTA" not in run(c, "CAPABILITY")[0][0].split()
    assert run(c, 'GETQUOTA ""')[1].startswith("BAD ")
    for c in (alice, bob, c):
        c.close()


def test_getquotaroot_and_getquota_unlimited(srv):
    c = session(srv, "alice")
    assert run(c, "GETQUOTAROOT INBOX") == (['* QUOTAROOT INBOX ""', '* QUOTA "" ()'],
                                            "OK GETQUOTAROOT completed")
    # The mailbox need not exist (RFC 9208 4.1.2); names go out as sent.
    assert run(c, "GETQUOTAROOT Some/New&AOQ-")[0][0] == '* QUOTAROOT Some/New&AOQ- ""'
    assert run(c, 'GETQUOTA ""') == (['* QUOTA "" ()'], "OK GETQUOTA completed")
    c.close()


def test_limits_from_admin_command(srv):
    srv.hafend("user", "quota", "bob", "--storage", "10K", "--messages", "3")
    c = session(srv, "bob")
    sv.fill(c, "INBOX", 2)
    used = sum(m["size"] for m in sv.messages(srv, "INBOX", user="bob"))
    expect = '* QUOTA "" (STORAGE %d 10 MESSAGE 2 3)' % ((used + 1023) // 1024)
    assert run(c, 'GETQUOTA ""') == ([expect], "OK GETQUOTA completed")
    assert run(c, "GETQUOTAROOT INBOX")[0] == ['* QUOTAROOT INBOX ""', expect]
    # One more fits, the fourth is over the MESSAGE limit.
    assert run(c, "APPEND INBOX {3+}\r\nx\r\n")[1].startswith("OK [APPENDUID")
    untagged, tagged = run(c, "APPEND INBOX {3+}\r\ny\r\n")
    assert tagged == "NO [OVERQUOTA] Quota exceeded"
    # COPY into another mailbox would add messages: refused the same way.
    run(c, "CREATE Other")
    run(c, "SELECT INBOX")
    assert run(c, "COPY 1 Other") == ([], "NO [OVERQUOTA] Quota exceeded")
    # MOVE adds nothing: it works at the limit.
    assert run(c, "MOVE 1 Other")[1] == "OK MOVE completed"
    # Not an administrator: no SETQUOTA, and no other user's root.
    assert run(c, 'SETQUOTA "" (STORAGE 100)') == (
        [], "NO [NOPERM] Only administrators may set quotas")
    assert run(c, 'GETQUOTA "#user/alice"') == ([], "NO [NONEXISTENT] No such quota root")
    assert run(c, 'GETQUOTA "other"') == ([], "NO [NONEXISTENT] No such quota root")
    c.close()
    srv.hafend("user", "quota", "bob", "--storage", "0", "--messages", "0")


def test_setquota_by_admin(srv):
    admin = session(srv, "alice")
    # Another user's root; the limits not named are removed (RFC 9208 4.1.3).
    srv.hafend("user", "quota", "bob", "--storage", "1M", "--messages", "50")
    untagged, tagged = run(admin, 'SETQUOTA "#user/bob" (MESSAGE 7)')
    assert tagged == "OK SETQUOTA completed"
    assert re.fullmatch(r'\* QUOTA "?#user/bob"? \(MESSAGE \d+ 7\)', untagged[0]), untagged
    out = srv.hafend("user", "quota", "bob").stdout
    assert "limits: storage unlimited, messages 7" in out, out
    bob = session(srv, "bob")
    assert re.fullmatch(r'\* QUOTA "" \(MESSAGE \d+ 7\)', run(bob, 'GETQUOTA ""')[0][0])
    # STORAGE is in KiB.
    untagged, tagged = run(admin, 'SETQUOTA "#USER/Bob" (STORAGE 2048 MESSAGE 10)')
    assert re.fullmatch(r'\* QUOTA "?#USER/Bob"? \(STORAGE \d+ 2048 MESSAGE \d+ 10\)',
                        untagged[0]), untagged
    assert "limits: storage 2097152, messages 10" in srv.hafend("user", "quota", "bob").stdout
    # An empty list removes every limit; the admin's own root too.
    assert run(admin, 'SETQUOTA "#user/bob" ()') == (['* QUOTA #user/bob ()'],
                                                    "OK SETQUOTA completed")
    untagged, tagged = run(admin, 'SETQUOTA "" (MESSAGE 1000)')
    assert re.fullmatch(r'\* QUOTA "" \(MESSAGE \d+ 1000\)', untagged[0]), untagged
    assert run(admin, 'GETQUOTA "#user/alice"')[0][0].startswith('* QUOTA #user/alice (MESSAGE ')
    assert run(admin, 'SETQUOTA "" ()')[1] == "OK SETQUOTA completed"
    admin.close()
    bob.close()


@pytest.mark.parametrize("command, reply", [
    ('SETQUOTA "#user/bob" (MAILBOX 10)', "NO [CANNOT] Resource MAILBOX cannot be limited"),
    ('SETQUOTA "#user/bob" (STORAGE 0)', "NO [LIMIT] "),
    ('SETQUOTA "#user/bob" (MESSAGE 0)', "NO [LIMIT] "),
    ('SETQUOTA "#user/bob" (STORAGE 99999999999999999999)', "BAD "),
    ('SETQUOTA "#user/bob" (STORAGE 9223372036854775807)', "NO [LIMIT] "),
    ('SETQUOTA "#user/bob" (STORAGE 1 STORAGE 2)', "BAD Resource STORAGE given twice"),
    ('SETQUOTA "#user/nobody" (STORAGE 1)', "NO [NONEXISTENT] No such quota root"),
    ('SETQUOTA "#user/../x" (STORAGE 1)', "NO [NONEXISTENT] No such quota root"),
    ('SETQUOTA "bob" (STORAGE 1)', "NO [NONEXISTENT] No such quota root"),
    ('SETQUOTA "#user/bob" STORAGE 1', "BAD "),
    ('SETQUOTA "#user/bob"', "BAD "),
    ('GETQUOTA', "BAD "),
    ('GETQUOTAROOT', "BAD "),
])
def test_setquota_errors(srv, command, reply):
    c = session(srv, "alice")
    untagged, tagged = run(c, command)
    assert tagged.startswith(reply), tagged
    assert untagged == []
    c.close()


def test_status_deleted_and_deleted_storage(srv):
    c = session(srv, "alice")
    run(c, "CREATE Del")
    sv.fill(c, "Del", 4)
    sizes = [m["size"] for m in sv.messages(srv, "Del")]
    run(c, "SELECT Del")
    run(c, "STORE 2,4 +FLAGS.SILENT (\\Deleted)")
    assert run(c, "STATUS Del (DELETED DELETED-STORAGE MESSAGES)")[0] == [
        "* STATUS Del (MESSAGES 4 DELETED 2 DELETED-STORAGE %d)" % (sizes[1] + sizes[3])]
    run(c, "EXPUNGE")
    assert run(c, "STATUS Del (DELETED-STORAGE DELETED)")[0] == [
        "* STATUS Del (DELETED 0 DELETED-STORAGE 0)"]
    c.close()


def test_overquota_storage_append_and_copy(make_server):
    s = make_server()
    s.hafend("user", "quota", "alice", "--storage", "2K")
    c = session(s, "alice")
    big = sv.message(1, size=1500)
    assert " OK " in sv.append(c, "INBOX", big)[1]
    untagged, tagged = sv.append(c, "INBOX", big)
    assert tagged.endswith("NO [OVERQUOTA] Quota exceeded"), tagged
    run(c, "SELECT INBOX")
    run(c, "CREATE B")
    assert run(c, "COPY 1 B") == ([], "NO [OVERQUOTA] Quota exceeded")
    assert run(c, "STATUS B (MESSAGES)")[0] == ["* STATUS B (MESSAGES 0)"]
    c.close()
