#!/usr/bin/env python3
"""bench/resync/resync.py — the client side of the resync benchmark
(bench/resync/run): fill one INBOX, then measure what a client that was
away pays to catch up, with QRESYNC (RFC 7162) and without.

    resync.py populate --port P --messages N
    resync.py measure --port P --changes C --rounds R --name NAME

populate appends N small messages to user0's INBOX with MULTIAPPEND and
LITERAL+ (deterministic text and flags; an INBOX that already holds N
messages is left alone). measure records a client's state (UIDVALIDITY,
HIGHESTMODSEQ, every UID and its flags), lets another session change C
messages (60 % flag changes, 20 % expunges, 20 % new messages, so the
mailbox keeps its size from run to run), reads the server's new state,
then R times each, alternating, on a fresh logged-in connection:

  qresync: ENABLE QRESYNC + SELECT INBOX (QRESYNC (uidvalidity modseq)),
           pipelined; the state is rebuilt from VANISHED (EARLIER) and the
           FETCH responses alone;
  full:    SELECT INBOX + UID FETCH 1:* (FLAGS), pipelined; the state is
           the FETCH responses.

Each rebuilt state must equal the server's exactly, or the run fails.
Timed: from the first byte of the first command to the tagged reply of the
last (the login before it is not counted); bytes: what each side sent in
that interval, at the IMAP layer (plain TCP on loopback). Results are
key=value lines on standard output; `resync.py report DIR` turns the files
of a run into BENCHMARKS.md's table.
"""
import argparse
import os
import random
import re
import socket
import statistics
import sys
import time

UID_RE = re.compile(rb"\bUID (\d+)")
FLAGS_RE = re.compile(rb"\bFLAGS \(([^)]*)\)")


class Conn:
    """A line-oriented IMAP connection that counts bytes both ways."""

    def __init__(self, port, timeout=600):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = bytearray()
        self.sent = self.received = 0
        self.tag = 0
        self.readline()  # greeting

    def send(self, data):
        self.sock.sendall(data)
        self.sent += len(data)

    def _fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("server closed the connection")
        self.received += len(chunk)
        self.buf += chunk

    def readline(self):
        while b"\r\n" not in self.buf:
            self._fill()
        end = self.buf.index(b"\r\n")
        line = bytes(self.buf[:end])
        del self.buf[:end + 2]
        return line

    def next_tag(self):
        self.tag += 1
        return b"r%d" % self.tag

    def read_until_tagged(self, tag):
        """Everything up to and including the tagged line of tag, raw: the
        timed path does no parsing, only a search in what came last."""
        want = b"\r\n" + tag + b" "
        scan = 0
        while True:
            pos = 0 if self.buf.startswith(tag + b" ") else self.buf.find(want, scan)
            if pos > 0:
                pos += 2
            if pos >= 0:
                end = self.buf.find(b"\r\n", pos)
                if end >= 0:
                    data = bytes(self.buf[:end + 2])
                    del self.buf[:end + 2]
                    return data
            else:
                scan = max(0, len(self.buf) - len(want))
            self._fill()

    def command(self, text):
        tag = self.next_tag()
        self.send(tag + b" " + text + b"\r\n")
        data = self.read_until_tagged(tag)
        check_ok(data, tag)
        return data

    def login(self):
        self.command(b"LOGIN user0 pass0")

    def close(self):
        try:
            self.send(b"z LOGOUT\r\n")
        except OSError:
            pass
        self.sock.close()


def tree_cpu(pid):
    """CPU seconds of the process tree under pid: user+system of every
    live process plus what exited children left in their parents'
    cutime/cstime (Dovecot's per-session imap processes exit at LOGOUT)."""
    if not pid:
        return 0.0
    stat, kids = {}, {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/stat" % entry) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        stat[int(entry)] = fields
        kids.setdefault(int(fields[1]), []).append(int(entry))
    ticks, todo = 0, [pid]
    while todo:
        p = todo.pop()
        if p in stat:
            ticks += sum(int(v) for v in stat[p][11:15])  # utime stime cutime cstime
            todo.extend(kids.get(p, []))
    return ticks / os.sysconf("SC_CLK_TCK")


def settle_cpu(pid, before):
    """The tree's CPU since before, once the session's processes are gone."""
    time.sleep(0.3)
    return tree_cpu(pid) - before


def check_ok(data, tag):
    last = data.rstrip(b"\r\n").rsplit(b"\r\n", 1)[-1]
    if not last.startswith(tag + b" OK"):
        sys.exit("resync: %r failed: %r" % (tag, last[:200]))


def message(i):
    return ("From: Sender %d <sender%d@example.org>\r\n"
            "To: user0@example.org\r\n"
            "Subject: Resync message %d\r\n"
            "Date: Mon, 2 Nov 2026 10:%02d:%02d +0000\r\n"
            "Message-ID: <resync-%d@example.org>\r\n"
            "\r\n"
            "Body of message %d, a line or two of text as a short mail has.\r\n"
            % (i % 50, i % 50, i, (i // 60) % 60, i % 60, i, i)).encode()


def flags_of(i):
    """Deterministic flags: most read, some flagged or answered."""
    r = random.Random(i)
    f = []
    if r.random() < 0.8:
        f.append(b"\\Seen")
    if r.random() < 0.05:
        f.append(b"\\Flagged")
    if r.random() < 0.03:
        f.append(b"\\Answered")
    return b" ".join(f)


def exists_of(data):
    m = re.search(rb"\* (\d+) EXISTS", data)
    return int(m.group(1)) if m else 0


def append_batch(c, first, count):
    tag = c.next_tag()
    parts = [tag + b" APPEND INBOX"]
    for i in range(first, first + count):
        body = message(i)
        parts.append(b" (%s) {%d+}\r\n" % (flags_of(i), len(body)) + body)
    c.send(b"".join(parts) + b"\r\n")
    check_ok(c.read_until_tagged(tag), tag)


def populate(args):
    c = Conn(args.port)
    c.login()
    have = exists_of(c.command(b"SELECT INBOX"))
    if have == args.messages:
        print("populate: INBOX already holds %d messages" % have, file=sys.stderr)
        return
    if have != 0:
        sys.exit("resync: INBOX holds %d messages, not 0 or %d" % (have, args.messages))
    t = time.monotonic()
    for first in range(0, args.messages, args.batch):
        append_batch(c, first, min(args.batch, args.messages - first))
    print("populate: %d messages in %.1f s" % (args.messages, time.monotonic() - t),
          file=sys.stderr)
    c.close()


def parse_flags(raw):
    return frozenset(f.lower() for f in raw.split() if f.lower() != b"\\recent")


def fetch_state(data, state):
    """Apply the FETCH responses in data that carry UID and FLAGS."""
    for line in data.split(b"\n"):
        if b" FETCH (" not in line:
            continue
        u, f = UID_RE.search(line), FLAGS_RE.search(line)
        if u and f:
            state[int(u.group(1))] = parse_flags(f.group(1))


def seq_set(text):
    out = set()
    for part in text.split(b","):
        lo, _, hi = part.partition(b":")
        lo, hi = int(lo), int(hi or lo)
        out.update(range(min(lo, hi), max(lo, hi) + 1))
    return out


def select_info(data):
    uv = int(re.search(rb"\[UIDVALIDITY (\d+)\]", data).group(1))
    m = re.search(rb"\[HIGHESTMODSEQ (\d+)\]", data)
    return uv, int(m.group(1)) if m else None


def full_state(port):
    c = Conn(port)
    c.login()
    c.command(b"ENABLE QRESYNC")
    uv, modseq = select_info(c.command(b"SELECT INBOX"))
    state = {}
    fetch_state(c.command(b"UID FETCH 1:* (FLAGS)"), state)
    c.close()
    return uv, modseq, state


def make_changes(port, state, count, seed):
    """count changed messages: flags, expunges and appends (60/20/20)."""
    r = random.Random(seed)
    n_exp = n_new = count // 5
    uids = r.sample(sorted(state), count - n_new)
    flagged, expunged = uids[:count - n_exp - n_new], uids[count - n_exp - n_new:]
    c = Conn(port)
    c.login()
    c.command(b"SELECT INBOX")
    for i, uid in enumerate(flagged):
        flag = (b"\\Seen", b"\\Flagged", b"$Label1")[i % 3]
        op = b"-" if flag.lower() in state[uid] else b"+"
        c.command(b"UID STORE %d %sFLAGS.SILENT (%s)" % (uid, op, flag))
    c.command(b"UID STORE %s +FLAGS.SILENT (\\Deleted)" % b",".join(b"%d" % u for u in expunged))
    c.command(b"UID EXPUNGE %s" % b",".join(b"%d" % u for u in expunged))
    append_batch(c, 10_000_000 + seed, n_new)
    c.close()


def run_qresync(port, uv, modseq, old, pid):
    c = Conn(port)
    c.login()
    c.sent = c.received = 0
    cpu = tree_cpu(pid)
    t = time.monotonic()
    c.send(b"q1 ENABLE QRESYNC\r\nq2 SELECT INBOX (QRESYNC (%d %d))\r\n" % (uv, modseq))
    data = c.read_until_tagged(b"q2")
    elapsed = time.monotonic() - t
    sent, received = c.sent, c.received - len(c.buf)
    check_ok(data, b"q2")
    state = dict(old)
    if select_info(data)[0] != uv:
        sys.exit("resync: UIDVALIDITY changed")
    for m in re.finditer(rb"\* VANISHED \(EARLIER\) ([0-9:,]+)", data):
        for uid in seq_set(m.group(1)):
            state.pop(uid, None)
    changed = sum(1 for line in data.split(b"\n") if b" FETCH (" in line)
    fetch_state(data, state)
    c.close()
    return elapsed, sent, received, state, changed, settle_cpu(pid, cpu)


def run_full(port, pid):
    c = Conn(port)
    c.login()
    c.sent = c.received = 0
    cpu = tree_cpu(pid)
    t = time.monotonic()
    c.send(b"f1 SELECT INBOX\r\nf2 UID FETCH 1:* (FLAGS)\r\n")
    data = c.read_until_tagged(b"f2")
    elapsed = time.monotonic() - t
    sent, received = c.sent, c.received - len(c.buf)
    check_ok(data, b"f2")
    state = {}
    fetch_state(data, state)
    c.close()
    return elapsed, sent, received, state, len(state), settle_cpu(pid, cpu)


def measure(args):
    uv, modseq, old = full_state(args.port)
    if modseq is None:
        sys.exit("resync: no HIGHESTMODSEQ after ENABLE QRESYNC")
    seed = max(old)  # grows by the appends of every run: new texts each time
    make_changes(args.port, old, args.changes, seed)
    truth_uv, _, truth = full_state(args.port)
    assert truth_uv == uv
    diff = sum(1 for u in set(old) | set(truth) if old.get(u) != truth.get(u))
    if diff != args.changes:
        sys.exit("resync: %d messages differ, not %d" % (diff, args.changes))
    res = {"qresync": [], "full": []}
    for rnd in range(args.rounds + 1):  # round 0 warms up, not counted
        q = run_qresync(args.port, uv, modseq, old, args.server_pid)
        f = run_full(args.port, args.server_pid)
        for name, r in (("qresync", q), ("full", f)):
            if r[3] != truth:
                bad = [u for u in set(r[3]) | set(truth) if r[3].get(u) != truth.get(u)]
                sys.exit("resync: %s state differs from the server's at UIDs %s" %
                         (name, sorted(bad)[:10]))
        if rnd:
            res["qresync"].append(q[:3] + q[4:])
            res["full"].append(f[:3] + f[4:])
    out = ["name=%s" % args.name, "messages=%d" % len(truth), "changes=%d" % args.changes,
           "rounds=%d" % args.rounds]
    for name, rows in res.items():
        times = [r[0] for r in rows]
        out += ["%s.seconds_median=%.6f" % (name, statistics.median(times)),
                "%s.seconds_min=%.6f" % (name, min(times)),
                "%s.seconds_max=%.6f" % (name, max(times)),
                "%s.sent=%d" % (name, rows[-1][1]), "%s.received=%d" % (name, rows[-1][2]),
                "%s.fetches=%d" % (name, rows[-1][3]),
                "%s.cpu_mean=%.6f" % (name, sum(r[4] for r in rows) / len(rows))]
    print("\n".join(out))


def read_result(path):
    vals = {}
    with open(path) as f:
        for line in f:
            k, _, v = line.strip().partition("=")
            vals[k] = v
    return vals


def report(args):
    h = read_result(os.path.join(args.dir, "hafend.txt"))
    d = read_result(os.path.join(args.dir, "dovecot.txt"))

    def wire(r, v):
        return int(r[v + ".sent"]) + int(r[v + ".received"])

    def ms(r, v):
        return float(r[v + ".seconds_median"]) * 1000

    def cpu(r, v):
        return float(r.get(v + ".cpu_mean", "nan")) * 1000

    rows = []
    for label, r in (("hafend", h), ("Dovecot", d)):
        q, f = wire(r, "qresync"), wire(r, "full")
        rows.append("| %s | %s B | %s B | %.3f %% | %.1f ms | %.1f ms | %.0f ms | %.0f ms |" % (
            label, format(q, ","), format(f, ","), 100.0 * q / f, ms(r, "qresync"),
            ms(r, "full"), cpu(r, "qresync"), cpu(r, "full")))
    print("| server | bytes, QRESYNC | bytes, full | QRESYNC / full | time, QRESYNC |"
          " time, full | server CPU, QRESYNC | server CPU, full |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))
    print()
    print("QRESYNC reconnect, hafend against Dovecot: %.2f× the time (%.1f vs %.1f ms), "
          "%s vs %s bytes." % (ms(h, "qresync") / ms(d, "qresync"), ms(h, "qresync"),
                                ms(d, "qresync"), format(wire(h, "qresync"), ","),
                                format(wire(d, "qresync"), ",")))
    for label, r in (("hafend", h), ("Dovecot", d)):
        print("%s: %s messages, %s changed; medians of %s rounds (min-max QRESYNC %.1f-%.1f "
              "ms, full %.1f-%.1f ms); the QRESYNC reply carried %s FETCH responses." % (
                  label, r["messages"], r["changes"], r["rounds"],
                  float(r["qresync.seconds_min"]) * 1000,
                  float(r["qresync.seconds_max"]) * 1000,
                  float(r["full.seconds_min"]) * 1000, float(r["full.seconds_max"]) * 1000,
                  r["qresync.fetches"]))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("mode", choices=["populate", "measure", "report"])
    p.add_argument("--port", type=int)
    p.add_argument("--messages", type=int, default=100_000)
    p.add_argument("--batch", type=int, default=500)
    p.add_argument("--changes", type=int, default=100)
    p.add_argument("--rounds", type=int, default=10)
    p.add_argument("--name", default="server")
    p.add_argument("--server-pid", type=int, default=0,
                   help="sample this process tree's CPU around each resync")
    p.add_argument("--dir")
    args = p.parse_args()
    {"populate": populate, "measure": measure, "report": report}[args.mode](args)


if __name__ == "__main__":
    main()
