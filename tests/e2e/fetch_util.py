"""Helpers for the FETCH tests: read responses with literals at the byte
level, parse FETCH data items, append messages, and the MIME corpus with
its golden files (tests/data/mime/README.md)."""
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "tests", "data", "mime")

LITERAL_END = re.compile(rb"~?\{(\d+)\}$")


def read_line_raw(c):
    """One response line as bytes, with every literal it announces read and
    kept inline (b'... {3}\\r\\nabc ...'), without the final CRLF."""
    out = b""
    while True:
        while b"\r\n" not in c.buf:
            chunk = c.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed; had %r" % c.buf[:200])
            c.buf += chunk
        line, c.buf = c.buf.split(b"\r\n", 1)
        out += line
        m = LITERAL_END.search(line)
        if not m:
            return out
        out += b"\r\n" + c.read_bytes(int(m.group(1)))


def command_raw(c, text, tag=None):
    """Send a command; return (untagged lines as bytes, tagged line as str)."""
    if tag is None:
        c.ntag += 1
        tag = "f%d" % c.ntag
    c.send(("%s %s\r\n" % (tag, text)).encode() if isinstance(text, str) else
           tag.encode() + b" " + text + b"\r\n")
    return until_tagged_raw(c, tag)


def until_tagged_raw(c, tag):
    lines = []
    while True:
        line = read_line_raw(c)
        if line.startswith(tag.encode() + b" "):
            return lines, line.decode("utf-8", "replace")
        lines.append(line)


class Parser:
    """A small parser of FETCH response data (RFC 9051 section 9)."""

    def __init__(self, data):
        self.d = data
        self.i = 0

    def peek(self):
        return self.d[self.i:self.i + 1]

    def expect(self, s):
        assert self.d[self.i:self.i + len(s)] == s, (self.d[self.i:self.i + 40], s)
        self.i += len(s)

    def value(self):
        c = self.peek()
        if c == b"(":
            self.i += 1
            items = []
            while self.peek() != b")":
                # Multipart bodies list their parts without spaces.
                if items and self.peek() == b" ":
                    self.i += 1
                items.append(self.value())
            self.i += 1
            return items
        if c == b'"':
            self.i += 1
            out = b""
            while self.peek() != b'"':
                if self.peek() == b"\\":
                    self.i += 1
                out += self.peek()
                self.i += 1
            self.i += 1
            return out
        m = re.compile(rb"(~?)\{(\d+)\}\r\n").match(self.d, self.i)
        if m:
            n = int(m.group(2))
            self.i = m.end()
            data = self.d[self.i:self.i + n]
            self.i += n
            return Literal(data, bool(m.group(1)))
        start = self.i
        while self.i < len(self.d) and self.d[self.i:self.i + 1] not in (b" ", b")", b"("):
            self.i += 1
        atom = self.d[start:self.i]
        return None if atom == b"NIL" else atom.decode()

    def name(self):
        """A fetch item name such as BODY[HEADER.FIELDS (A B)]<0>."""
        start, depth = self.i, 0
        while True:
            c = self.peek()
            if c == b"[":
                depth += 1
            elif c == b"]":
                depth -= 1
            elif c == b" " and depth == 0:
                break
            self.i += 1
        return self.d[start:self.i].decode()


class Literal(bytes):
    """A string that came as a literal; literal8 tells ~{n} from {n}."""

    def __new__(cls, data, literal8):
        obj = bytes.__new__(cls, data)
        obj.literal8 = literal8
        return obj


def parse_fetch(line):
    """b'* 3 FETCH (A x B y)' -> (3, [(name, value), ...])."""
    m = re.match(rb"\* (\d+) FETCH \(", line)
    assert m, line[:200]
    p = Parser(line)
    p.i = m.end()
    items = []
    while p.peek() != b")":
        if items:
            p.expect(b" ")
        name = p.name()
        p.expect(b" ")
        items.append((name, p.value()))
    assert p.i == len(line) - 1, ("trailing bytes", line[p.i:p.i + 80])
    return int(m.group(1)), items


def fetch(c, text):
    """Run a FETCH; return ({seq: dict(items)}, tagged line, [(seq, items)]).
    Untagged responses other than FETCH are ignored."""
    lines, tagged = command_raw(c, text)
    by_seq, ordered = {}, []
    for line in lines:
        if re.match(rb"\* \d+ FETCH ", line):
            seq, items = parse_fetch(line)
            ordered.append((seq, items))
            by_seq.setdefault(seq, {}).update(dict(items))
    return by_seq, tagged, ordered


def append(c, mailbox, data, flags=None, date=None):
    """APPEND data (literal8 when it holds NUL); return the new UID."""
    extra = ""
    if flags is not None:
        extra += " (%s)" % flags
    if date is not None:
        extra += ' "%s"' % date
    c.ntag += 1
    tag = "p%d" % c.ntag
    mark = "~" if b"\0" in data else ""
    c.send(("%s APPEND %s%s %s{%d+}\r\n" % (tag, mailbox, extra, mark, len(data))).encode()
           + data + b"\r\n")
    lines, tagged = until_tagged_raw(c, tag)
    assert " OK " in tagged, tagged
    m = re.search(r"APPENDUID \d+ (\d+)", tagged)
    return int(m.group(1)) if m else None


def crlf(data):
    """The message as the store keeps it: bare LF becomes CRLF."""
    return re.sub(rb"(?<!\r)\n", b"\r\n", data)


def corpus_names():
    return sorted(f[:-4] for f in os.listdir(CORPUS) if f.endswith(".eml"))


def corpus_message(name):
    with open(os.path.join(CORPUS, name + ".eml"), "rb") as f:
        return f.read()


def corpus_golden(name):
    """{'ENVELOPE': b'...', 'BODYSTRUCTURE': ..., 'BODY': ..., 'PART': [...]}"""
    with open(os.path.join(CORPUS, name + ".golden"), "rb") as f:
        data = f.read()
    env_end = data.index(b"\nBODYSTRUCTURE ")
    bs_end = data.index(b"\nBODY ", env_end + 1)
    body_end = data.index(b"\nPART ", bs_end + 1)
    parts = []
    for line in data[body_end + 1:].decode().splitlines():
        if not line.startswith("PART "):
            continue
        fields = line.split()
        part = {"path": fields[1], "multipart": "multipart" in fields}
        for f in fields[2:]:
            if "=" not in f:
                continue
            k, v = f.split("=", 1)
            if k in ("header", "body"):
                off, n = v.split("+")
                part[k] = (int(off), int(n))
            elif k == "message":
                h, b = v.split(",")
                part["message"] = tuple(tuple(int(x) for x in y.split("+")) for y in (h, b))
            elif k == "decoded":
                part["decoded"] = int(v)
            elif k == "cte":
                part["cte"] = v
        parts.append(part)
    return {
        "ENVELOPE": data[len(b"ENVELOPE "):env_end],
        "BODYSTRUCTURE": data[env_end + len(b"\nBODYSTRUCTURE "):bs_end],
        "BODY": data[bs_end + len(b"\nBODY "):body_end],
        "PART": parts,
    }
