"""The search index queue (docs/store.md, "The search index queue"): the
server queues a new message's text instead of indexing it in the APPEND
transaction. A SEARCH right after an APPEND still finds it, an idle store
works the queue off, and the queue survives kill -9: after a restart every
acknowledged message is found, and `hafend check` finds the store clean."""
import os
import signal
import sqlite3
import subprocess

import storeview as sv
from conftest import wait_port


def login(server, user="alice"):
    c = server.connect()
    c.login(user)
    return c


def queue_counts(server, user="alice"):
    """(queued for indexing, queued for removal, entries in the index)."""
    path = os.path.join(sv.user_dir(server, user), "store.db")
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=10)
    try:
        add = db.execute("SELECT count(*) FROM fts_pending WHERE op = 1").fetchone()[0]
        rm = db.execute("SELECT count(*) FROM fts_pending WHERE op = 0").fetchone()[0]
        n = db.execute("SELECT count(*) FROM fts").fetchone()[0]
        return add, rm, n
    finally:
        db.close()


def word_message(n):
    return ("From: q@example.com\r\nSubject: queued %d\r\n\r\n"
            "the body holds zebra%04d and more\r\n" % (n, n)).encode()


def search(c, criteria):
    untagged, tagged = c.command("UID SEARCH " + criteria)
    assert " OK " in tagged, tagged
    line = [u for u in untagged if u.startswith("* SEARCH")][0]
    return sorted(int(x) for x in line.split()[2:])


def test_search_right_after_append_finds_it(server):
    c = login(server)
    c.command("SELECT INBOX")
    base = search(c, "ALL")
    uids = []
    for n in range(5):
        untagged, tagged = sv.append(c, "INBOX", word_message(n))
        uids.append(int(sv.appenduid(tagged)[1]))
    # Each new message is found at once, by body, text and subject.
    assert search(c, "BODY zebra0003") == [uids[3]]
    assert search(c, "TEXT zebra0001") == [uids[1]]
    assert search(c, 'SUBJECT "queued 4"') == [uids[4]]
    assert search(c, "ALL") == sorted(base + uids)
    untagged, tagged = c.command("UID SORT (SUBJECT) UTF-8 BODY zebra")
    assert " OK " in tagged, tagged
    # Expunged: no longer found, whether it was indexed or not.
    c.command("UID STORE %d,%d +FLAGS.SILENT (\\Deleted)" % (uids[0], uids[2]))
    untagged, tagged = c.command("UID EXPUNGE %d,%d" % (uids[0], uids[2]))
    assert " OK " in tagged, tagged
    assert search(c, "BODY zebra") == [uids[1], uids[3], uids[4]]
    c.close()


def test_appended_then_expunged_costs_the_index_nothing(server):
    c = login(server, "bob")
    c.command("SELECT INBOX")
    before = queue_counts(server, "bob")
    untagged, tagged = sv.append(c, "INBOX", word_message(77), flags="\\Deleted")
    uid = int(sv.appenduid(tagged)[1])
    assert queue_counts(server, "bob")[0] == before[0] + 1
    c.command("UID EXPUNGE %d" % uid)
    assert queue_counts(server, "bob") == before
    c.close()


def test_idle_store_works_the_queue_off(make_server):
    s = make_server(workers=1)
    c = login(s)
    c.command("SELECT INBOX")
    for n in range(60):
        sv.append(c, "INBOX", word_message(n))
    assert queue_counts(s)[0] > 0
    # The session stays, doing nothing: after 3 s idle the worker indexes
    # the queue in batches of 50.
    assert sv.wait_for(lambda: queue_counts(s)[0] == 0, timeout=15)
    assert queue_counts(s)[2] >= 60
    assert search(c, "BODY zebra0059") != []
    c.close()


def _kill_all(s):
    pids = sv.worker_pids(s)
    os.kill(s.proc.pid, signal.SIGKILL)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    s.proc.wait()
    for pid in pids:
        sv.wait_for(lambda: not os.path.exists("/proc/%d" % pid) or
                    open("/proc/%d/status" % pid).read().find("State:\tZ") >= 0)


def test_kill9_leaves_the_queue_and_nothing_is_missed(make_server):
    s = make_server(workers=1)
    acked = {}
    c = login(s)
    c.command("SELECT INBOX")
    for n in range(20):
        untagged, tagged = sv.append(c, "INBOX", word_message(n))
        acked[n] = int(sv.appenduid(tagged)[1])
    # Killed before the store idled: the text is still queued.
    _kill_all(s)
    assert queue_counts(s)[0] == 20
    s.proc = subprocess.Popen([s.binary, "serve", "-c", s.config], stdout=s.log,
                              stderr=subprocess.STDOUT)
    wait_port(s.imap_port)
    c = login(s)
    c.command("SELECT INBOX")
    for n, uid in acked.items():
        assert search(c, "BODY zebra%04d" % n) == [uid]
    assert queue_counts(s)[0] == 0
    c.close()
    # Killed again with text queued; check works it off and is clean.
    c = login(s)
    c.command("SELECT INBOX")
    for n in range(20, 25):
        sv.append(c, "INBOX", word_message(n))
    _kill_all(s)
    r = s.hafend("check", "alice")
    assert " 0 missing, 0 wrong size, 0 counters fixed," in r.stdout, r.stdout
    assert "did not agree" not in r.stdout, r.stdout
    assert queue_counts(s) == (0, 0, 25)
    s.proc = subprocess.Popen([s.binary, "serve", "-c", s.config], stdout=s.log,
                              stderr=subprocess.STDOUT)
    wait_port(s.imap_port)
