"""How long a worker keeps a user's store open (src/server/user-store.c):
after the last session of a user ends the store stays open for a few
seconds, so a client that logs in again finds it open, then it closes; a
session that waits idle lets it close too, and it reopens at its next
command."""
import os

import storeview as sv


def open_stores(pid, user):
    """How many times process pid has user's store.db open."""
    want = os.path.join("users", user, "store.db")
    n = 0
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            target = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue
        n += target.endswith(want)
    return n


def test_store_outlives_logout_briefly_then_closes(make_server):
    s = make_server(workers=1)
    (pid,) = sv.worker_pids(s)
    c = s.connect()
    c.login("alice")
    c.command("SELECT INBOX")
    c.command("LOGOUT")
    c.close()
    # Still open right after the logout...
    assert open_stores(pid, "alice") == 1
    # ...and a new session reuses it rather than opening a second one.
    c = s.connect()
    c.login("alice")
    untagged, tagged = c.command("SELECT INBOX")
    assert " OK " in tagged
    assert open_stores(pid, "alice") == 1
    c.command("LOGOUT")
    c.close()
    # Unused for the close delay (3 s): closed.
    assert sv.wait_for(lambda: open_stores(pid, "alice") == 0, timeout=10)


def test_idle_session_store_closes_and_reopens(make_server):
    s = make_server(workers=1)
    (pid,) = sv.worker_pids(s)
    c = s.connect()
    c.login("bob")
    c.command("SELECT INBOX")
    assert open_stores(pid, "bob") == 1
    assert sv.wait_for(lambda: open_stores(pid, "bob") == 0, timeout=10)
    untagged, tagged = c.command("STATUS INBOX (MESSAGES)")
    assert " OK " in tagged, tagged
    assert open_stores(pid, "bob") == 1
    c.command("LOGOUT")
    c.close()


# user-store.h: USER_STORE_IDLE_OPEN_MAX
IDLE_OPEN_MAX = 8


def _idle(c):
    c.send("i IDLE\r\n")
    assert c.readline() == "+ idling"


def test_many_idle_users_keep_few_stores_open(make_server):
    """A burst of users who all wait in IDLE: once more than the limit are
    open, the least recently used handles close well before the 3 s idle
    delay; a user running commands keeps theirs; an IDLE session whose
    handle closed still sees new mail and answers after DONE."""
    users = ["u%02d" % i for i in range(14)]
    pw = {u: "pw-" + u for u in users}
    pw["alice"] = "alice-secret"
    s = make_server(workers=1, users=pw)
    (pid,) = sv.worker_pids(s)
    busy = s.connect()
    busy.login("alice")
    busy.command("SELECT INBOX")
    idlers = []
    for u in users:
        c = s.connect()
        c.login(u)
        c.command("SELECT INBOX")
        _idle(c)
        idlers.append(c)

    def counts():
        return [open_stores(pid, u) for u in users]

    # Well inside the 3 s delay the oldest idle handles are closed, the
    # newest stay open (the limit, not fewer), and alice's, which a
    # session not in IDLE holds, is untouched.
    assert sv.wait_for(lambda: sum(counts()) <= IDLE_OPEN_MAX, timeout=2)
    assert counts()[-1] == 1
    assert open_stores(pid, "alice") == 1
    # New mail for the first user, whose handle was closed: its IDLE
    # session still hears of it, and a command after DONE works.
    assert counts()[0] == 0
    m = s.imaplib(users[0])
    typ, data = m.append("INBOX", None, None,
                         b"From: a@example.org\r\nSubject: x\r\n\r\nHello.\r\n")
    assert typ == "OK", data
    m.logout()
    c = idlers[0]
    c.sock.settimeout(5)
    assert c.readline() == "* 1 EXISTS"
    c.send("DONE\r\n")
    untagged, tagged = c.until_tagged("i")
    assert tagged == "i OK IDLE terminated"
    untagged, tagged = c.command("FETCH 1 (FLAGS)")
    assert " OK " in tagged, tagged
    for c in idlers:
        c.close()
    busy.close()
