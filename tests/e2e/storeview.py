"""Helpers for the tests of the commands that change messages (APPEND,
STORE, COPY/MOVE, EXPUNGE): look at what a user's store really holds,
read-only and independently of FETCH, and drive literals and the server's
processes.
"""
import os
import sqlite3
import time

FLAG_BITS = {"\\Seen": 1, "\\Answered": 2, "\\Flagged": 4, "\\Deleted": 8, "\\Draft": 16}


def user_dir(server, user="alice"):
    return os.path.join(server.data, "users", user)


def _db(server, user):
    path = os.path.join(user_dir(server, user), "store.db")
    return sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=10)


def mailbox(server, name, user="alice"):
    """The mailboxes row of name as a dict, or None."""
    with _db(server, user) as db:
        db.row_factory = sqlite3.Row
        row = db.execute("SELECT * FROM mailboxes WHERE name = ?", (name,)).fetchone()
        return dict(row) if row else None


def messages(server, name, user="alice"):
    """The messages of a mailbox in UID order: dicts with uid, flags (set of
    names), keywords (list), internaldate, tz, modseq, size and data."""
    out = []
    with _db(server, user) as db:
        rows = db.execute(
            "SELECT m.uid, m.flags, m.keywords, m.internaldate, m.tz, m.modseq, m.size, f.name"
            " FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id"
            " JOIN files f ON f.id = m.file_id WHERE b.name = ? ORDER BY m.uid", (name,))
        for uid, bits, kw, date, tz, modseq, size, fname in rows:
            path = os.path.join(user_dir(server, user), "msg", fname[:2], fname)
            with open(path, "rb") as f:
                data = f.read()
            out.append({"uid": uid, "flags": {n for n, b in FLAG_BITS.items() if bits & b},
                        "keywords": kw.split() if kw else [], "internaldate": date, "tz": tz,
                        "modseq": modseq, "size": size, "data": data})
    return out


def uids(server, name, user="alice"):
    with _db(server, user) as db:
        return [r[0] for r in db.execute(
            "SELECT m.uid FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id"
            " WHERE b.name = ? ORDER BY m.uid", (name,))]


def message(n, size=None, subject=None):
    """A plain RFC 5322 message, CRLF line ends; padded to size bytes."""
    head = ("From: Alice <alice@example.com>\r\nTo: bob@example.com\r\n"
            "Subject: %s\r\nMessage-ID: <m%d@example.com>\r\n\r\n"
            % (subject or "message %d" % n, n)).encode()
    body = ("Body of message %d.\r\n" % n).encode()
    msg = head + body
    if size is not None and size > len(msg):
        line = b"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ+/abcdefghijkl\r\n"
        reps = (size - len(msg)) // len(line) + 1
        msg = (msg + line * reps)[:size - 2] + b"\r\n"
    return msg


def append_cmd(tag, mailbox, msg, flags=None, date=None, plus=True):
    """Bytes of a one-message APPEND with a non-synchronizing literal."""
    parts = [tag, "APPEND", mailbox]
    if flags is not None:
        parts.append("(%s)" % flags)
    if date is not None:
        parts.append('"%s"' % date)
    return (" ".join(parts) + " {%d%s}\r\n" % (len(msg), "+" if plus else "")).encode() + msg + b"\r\n"


def append(client, mailbox, msg, flags=None, date=None):
    """APPEND one message; (untagged, tagged)."""
    client.ntag += 1
    tag = "p%d" % client.ntag
    client.send(append_cmd(tag, mailbox, msg, flags, date))
    return client.until_tagged(tag)


def appenduid(tagged):
    """The (uidvalidity, uid-set) of a tagged OK [APPENDUID ...]."""
    assert " OK [APPENDUID " in tagged, tagged
    code = tagged.split("[APPENDUID ", 1)[1].split("]", 1)[0]
    v, uidset = code.split(" ")
    return int(v), uidset


def worker_pids(server, timeout=10.0):
    """The worker processes of a running hafend (children of the
    supervisor), waiting until there is at least one."""
    def children():
        pids = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % entry) as f:
                    stat = f.read()
            except OSError:
                continue
            # pid (comm) state ppid ...; comm may hold spaces.
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == server.proc.pid and fields[0] != "Z":
                pids.append(int(entry))
        return pids
    wait_for(lambda: len(children()) > 0, timeout)
    return children()


def proc_status(pid, key):
    """A /proc/PID/status value in kB (VmHWM, VmRSS)."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


def unnamed_files(pid):
    """How many open files of pid are deleted or unnamed (O_TMPFILE)."""
    n = 0
    fd_dir = "/proc/%d/fd" % pid
    for fd in os.listdir(fd_dir):
        try:
            target = os.readlink(os.path.join(fd_dir, fd))
        except OSError:
            continue
        if target.endswith(" (deleted)") and "/msg/" in target:
            n += 1
    return n


def wait_for(predicate, timeout=10.0):
    end = time.time() + timeout
    while time.time() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def fill(client, mailbox, count, start=0, flags=None):
    """Append count messages to mailbox in MULTIAPPEND commands; returns
    the tagged replies."""
    replies = []
    n = start
    while n < start + count:
        batch = min(start + count - n, 5000)
        client.ntag += 1
        tag = "f%d" % client.ntag
        wire = [("%s APPEND %s" % (tag, mailbox)).encode()]
        for i in range(n, n + batch):
            m = message(i)
            wire.append((" (%s)" % flags).encode() if flags else b"")
            wire.append(b" {%d+}\r\n%s" % (len(m), m))
        client.send(b"".join(wire) + b"\r\n")
        untagged, tagged = client.until_tagged(tag)
        assert " OK " in tagged, tagged
        replies.append(tagged)
        n += batch
    return replies


def select(client, mailbox, extra=""):
    """SELECT; returns (EXISTS, untagged lines)."""
    untagged, tagged = client.command("SELECT %s%s" % (mailbox, extra))
    assert " OK " in tagged, tagged
    exists = [int(l.split()[1]) for l in untagged if l.endswith(" EXISTS")]
    return exists[0], untagged


def slow_client(server, rcvbuf=4096):
    """A logged-in RawClient whose socket has a small receive buffer from
    the start, so the server's output backs up quickly when it does not
    read: the way to exercise commands that suspend on full output."""
    import socket as socketmod
    from conftest import RawClient
    sock = socketmod.socket(socketmod.AF_INET, socketmod.SOCK_STREAM)
    sock.setsockopt(socketmod.SOL_SOCKET, socketmod.SO_RCVBUF, rcvbuf)
    sock.settimeout(60)
    sock.connect((server.host, server.imap_port))
    c = RawClient.__new__(RawClient)
    c.server, c.sock, c.buf, c.ntag = server, sock, b"", 0
    c.greeting = c.readline()
    c.login()
    return c
