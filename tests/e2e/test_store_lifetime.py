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
