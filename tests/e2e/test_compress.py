"""COMPRESS=DEFLATE end to end (RFC 4978): Python's imaplib with zlib on the
socket fetches exactly what an uncompressed session fetches, over plain
TCP and TLS; partial reads and writes; errors (unknown mechanism, a second
COMPRESS, bytes pipelined behind it, before login); pushes in IDLE and the
goodbye of LOGOUT arrive compressed; a large body read slowly; and
decompression bombs: a line that inflates past the line limit is answered,
a gigabyte from a megabyte is cut off without the worker's memory growing."""
import imaplib
import os
import re
import socket
import time
import zlib

import pytest

from conftest import insecure_ssl
from storeview import worker_pids

imaplib.Commands.setdefault("COMPRESS", ("AUTH", "SELECTED"))


class DeflateSock:
    """A socket that speaks raw DEFLATE (windowBits -15), flushing each
    write with Z_SYNC_FLUSH as RFC 4978 clients do; also file-like enough
    for imaplib (readline, read)."""

    def __init__(self, sock, recv_size=65536):
        self.sock = sock
        self.comp = zlib.compressobj(6, zlib.DEFLATED, -15)
        self.decomp = zlib.decompressobj(-15)
        self.recv_size = recv_size
        self.pending = b""
        self.wire_in = 0
        self.plain_in = 0

    def sendall(self, data):
        self.sock.sendall(self.comp.compress(data) + self.comp.flush(zlib.Z_SYNC_FLUSH))

    def send_raw(self, data):
        self.sock.sendall(data)

    def _fill(self):
        """Read from the socket until it gives some decompressed bytes and
        append them to pending; False at the end of the stream."""
        while True:
            chunk = self.sock.recv(self.recv_size)
            if not chunk:
                return False
            self.wire_in += len(chunk)
            out = self.decomp.decompress(chunk)
            self.plain_in += len(out)
            if out:
                self.pending += out
                return True

    def recv(self, n=65536):
        if not self.pending and not self._fill():
            return b""
        out, self.pending = self.pending[:n], self.pending[n:]
        return out

    # file-like, for imaplib. It reads more through _fill, never through
    # recv: recv hands out pending, so a partial line would go round and
    # round (a response cut inside a line by TCP hung the test).
    def readline(self, limit=-1):
        while b"\n" not in self.pending:
            if not self._fill():
                break
        end = self.pending.find(b"\n") + 1 or len(self.pending)
        if limit is not None and 0 < limit < end:
            end = limit
        line, self.pending = self.pending[:end], self.pending[end:]
        return line

    def read(self, n):
        out = b""
        while len(out) < n:
            chunk = self.recv(n - len(out))
            if not chunk:
                break
            out += chunk
        return out

    def settimeout(self, t):
        self.sock.settimeout(t)

    # imaplib closes its file, then shuts the socket down and closes it:
    # here both are this object.
    def shutdown(self, how):
        if self.sock.fileno() >= 0:
            self.sock.shutdown(how)

    def close(self):
        self.sock.close()


def compress_imaplib(m):
    typ, data = m._simple_command("COMPRESS", "DEFLATE")
    assert typ == "OK", data
    z = DeflateSock(m.sock)
    m.sock = z
    m.file = z
    return z


def compress_raw(c):
    """Turn COMPRESS on for a RawClient (conftest) and return its DeflateSock."""
    untagged, tagged = c.command("COMPRESS DEFLATE")
    assert untagged == [] and tagged.endswith(" OK DEFLATE active"), (untagged, tagged)
    assert c.buf == b""
    c.sock = DeflateSock(c.sock)
    return c.sock


MESSAGES = [
    b"From: Bob <bob@example.org>\r\nTo: alice@example.org\r\nSubject: plain %d\r\n"
    b"Message-ID: <plain-%d@example.org>\r\n\r\n" + b"Hello there, line %d.\r\n" * 40,
    b"From: Carol <carol@example.org>\r\nTo: alice@example.org\r\nSubject: attachment %d\r\n"
    b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
    b"Content-Type: text/plain\r\n\r\nsee the file %d\r\n--b\r\nContent-Type: application/octet-stream\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--b--\r\n",
]


def fill_mailbox(server, mailbox, count=12):
    m = server.imaplib("alice")
    m.create(mailbox)
    for i in range(count):
        if i % 2 == 0:
            msg = MESSAGES[0] % ((i, i) + (i,) * 40)
        else:
            blob = os.urandom(3000 + 1000 * i)
            import base64
            b64 = base64.encodebytes(blob).replace(b"\n", b"\r\n")
            msg = MESSAGES[1] % (i, i, b64)
        typ, data = m.append(mailbox, "(\\Seen $Label%d)" % i, None, msg)
        assert typ == "OK", data
    # Claim \Recent here, so the sessions compared see the same flags.
    m.select(mailbox)
    m.logout()


def session_transcript(m, mailbox):
    """What a typical client asks, with the answers (sequence of results)."""
    out = []
    out.append(m.select(mailbox))
    out.append(m.fetch("1:*", "(UID FLAGS RFC822.SIZE ENVELOPE BODYSTRUCTURE)"))
    out.append(m.fetch("1:*", "(BODY.PEEK[])"))
    out.append(m.fetch("2", "(BODY.PEEK[HEADER.FIELDS (FROM SUBJECT)] BINARY.PEEK[2])"))
    out.append(m.uid("SEARCH", "SUBJECT", "attachment"))
    out.append(m.store("1:3", "+FLAGS", "(\\Flagged)"))
    out.append(m.store("1:3", "-FLAGS", "(\\Flagged)"))
    out.append(m.list())
    out.append(m.noop())
    return out


def test_capability_and_state(server):
    c = server.connect()
    untagged, tagged = c.command("COMPRESS DEFLATE")
    assert tagged.startswith("a1 BAD "), tagged
    c.login()
    untagged, tagged = c.command("CAPABILITY")
    assert " COMPRESS=DEFLATE" in untagged[0]
    untagged, tagged = c.command("COMPRESS LZW")
    assert tagged == "a4 BAD Unknown compression mechanism"
    c.command("LOGOUT")
    c.close()


@pytest.mark.parametrize("tls", [False, True])
def test_imaplib_fetches_the_same(server, tls):
    box = "Compress%s" % ("TLS" if tls else "Plain")
    fill_mailbox(server, box)
    plain = server.imaplib("alice", tls=tls)
    want = session_transcript(plain, box)
    plain.logout()

    m = server.imaplib("alice", tls=tls)
    z = compress_imaplib(m)
    got = session_transcript(m, box)
    assert got == want
    # The answers really came compressed, and much smaller.
    assert z.plain_in > 50000
    assert z.wire_in < z.plain_in * 0.8
    typ, data = m.logout()
    assert typ == "BYE"


def test_partial_reads_and_writes(server):
    c = server.connect()
    c.login()
    z = compress_raw(c)
    z.recv_size = 1
    # A command in one-byte pieces of its compressed form.
    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
    z.comp = comp
    data = comp.compress(b"p1 LIST \"\" *\r\n") + comp.flush(zlib.Z_SYNC_FLUSH)
    for i in range(len(data)):
        z.send_raw(data[i:i + 1])
        time.sleep(0.005)
    untagged, tagged = c.until_tagged("p1")
    assert tagged == "p1 OK LIST completed"
    assert any('"INBOX"' in line or " INBOX" in line for line in untagged)
    # Two commands in one compressed write, then a third split mid-flush.
    c.send("p2 NOOP\r\np3 NOOP\r\n")
    assert c.until_tagged("p2")[1] == "p2 OK NOOP completed"
    assert c.until_tagged("p3")[1] == "p3 OK NOOP completed"
    data = comp.compress(b"p4 NOOP\r\n") + comp.flush(zlib.Z_SYNC_FLUSH)
    z.send_raw(data[:3])
    time.sleep(0.2)
    z.send_raw(data[3:])
    assert c.until_tagged("p4")[1] == "p4 OK NOOP completed"
    c.close()


def test_second_compress_and_pipelining(server):
    c = server.connect()
    c.login()
    # Bytes behind COMPRESS in the same packet: refused, nothing changes.
    c.send("x1 COMPRESS DEFLATE\r\nx2 NOOP\r\n")
    assert c.readline().startswith("x1 BAD Send nothing after COMPRESS")
    assert c.readline() == "x2 OK NOOP completed"
    compress_raw(c)
    untagged, tagged = c.command("COMPRESS DEFLATE")
    assert tagged.endswith(" NO [COMPRESSIONACTIVE] DEFLATE is already active"), tagged
    untagged, tagged = c.command("NOOP")
    assert tagged.endswith(" OK NOOP completed")
    c.close()


def test_idle_push_and_logout_compressed(server):
    c = server.connect()
    c.login()
    compress_raw(c)
    untagged, tagged = c.command("SELECT INBOX")
    assert tagged.endswith(" OK [READ-WRITE] SELECT completed"), tagged
    exists = [int(l.split()[1]) for l in untagged if l.endswith(" EXISTS")][0]
    c.send("i1 IDLE\r\n")
    assert c.readline() == "+ idling"
    m = server.imaplib("alice")
    m.append("INBOX", None, None, b"Subject: push\r\n\r\nhi\r\n")
    m.logout()
    c.sock.settimeout(5)
    assert c.readline() == "* %d EXISTS" % (exists + 1)
    c.send("DONE\r\n")
    assert c.until_tagged("i1")[1] == "i1 OK IDLE terminated"
    # LOGOUT's BYE and OK come whole before the server closes.
    untagged, tagged = c.command("LOGOUT")
    assert untagged == ["* BYE Logging out"]
    assert tagged.endswith(" OK LOGOUT completed")
    assert c.sock.recv(100) == b""
    c.close()


def test_large_body_read_slowly(server):
    body = b"".join(b"%08d some text that compresses, but not to nothing %x\r\n" % (i, i * 7919)
                    for i in range(60000))
    msg = b"Subject: big\r\n\r\n" + body
    m = server.imaplib("alice")
    m.create("CompressBig")
    m.append("CompressBig", None, None, msg)
    m.logout()
    c = server.connect()
    c.login()
    z = compress_raw(c)
    z.recv_size = 4096
    c.command("SELECT CompressBig")
    c.send("f1 FETCH 1 BODY.PEEK[]\r\n")
    head = c.readline()
    size = int(re.search(r"\{(\d+)\}$", head).group(1))
    assert size == len(msg)
    got = b""
    while len(got) < size:
        got += c.read_bytes(min(65536, size - len(got)))
        time.sleep(0.002)
    assert got == msg
    assert c.readline() == ")"
    assert c.until_tagged("f1")[1] == "f1 OK FETCH completed"
    assert z.wire_in < len(msg) / 2
    c.close()


def line_bomb(plain_size):
    """One 'x' line of plain_size bytes, compressed (no CRLF yet)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b"x" * (1 << 20)
    out = []
    left = plain_size
    while left > 0:
        out.append(comp.compress(chunk[:min(left, len(chunk))]))
        left -= len(chunk)
    out.append(comp.flush(zlib.Z_SYNC_FLUSH))
    return comp, b"".join(out)


def test_bomb_line_too_long(server):
    """Half a kilobyte that inflates to half a megabyte (below the ratio
    guard's window): a line past the limit, answered like any overlong
    line; the session goes on."""
    c = server.connect()
    c.login()
    z = compress_raw(c)
    comp, data = line_bomb(1 << 19)
    assert len(data) < 1024
    z.comp = comp
    z.send_raw(data)
    c.send("\r\n")
    assert c.readline() == "* BAD [TOOBIG] Line too long"
    untagged, tagged = c.command("NOOP")
    assert tagged.endswith(" OK NOOP completed")
    c.close()


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def test_bomb_gigabyte_cut_off(make_server):
    """A gigabyte of one byte from about a megabyte: the server stops at
    the ratio guard and closes; no worker grows; the server still serves."""
    server = make_server("log_level = debug")
    # Each piece inflates to 1 MiB on its own (a full flush resets the
    # history), so 1024 copies make the gigabyte.
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = comp.compress(b"x" * (1 << 20)) + comp.flush(zlib.Z_FULL_FLUSH)
    assert len(piece) < 2048
    c = server.connect()
    c.login()
    z = compress_raw(c)
    c.command("NOOP")
    before = {p: rss_kib(p) for p in worker_pids(server)}
    closed = False
    try:
        for _ in range(1024):
            z.send_raw(piece)
    except OSError:
        closed = True
    c.sock.settimeout(10)
    try:
        while c.sock.recv(65536):
            pass
        closed = True
    except OSError:
        closed = True
    assert closed
    after = {p: rss_kib(p) for p in worker_pids(server)}
    for p, kib in before.items():
        assert after.get(p, 0) - kib < 32 * 1024, (before, after)
    # Still serving, with compression too.
    c2 = server.connect()
    c2.login()
    compress_raw(c2)
    assert c2.command("NOOP")[1].endswith(" OK NOOP completed")
    c2.close()
    log = server.log_text()
    assert "decompression bomb" in log or "expands more than" in log, log[-2000:]
