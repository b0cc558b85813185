"""Helpers for the SEARCH, SORT and THREAD end-to-end tests: putting
messages in with APPEND, and reading SEARCH/ESEARCH/SORT/THREAD replies."""
import re

import pytest


def crlf(text):
    """A message as bytes with CRLF line ends."""
    if isinstance(text, str):
        text = text.encode()
    return text.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def message(headers, body="", extra=b""):
    """Build a message from (name, value) pairs and a body."""
    lines = ["%s: %s" % hv for hv in headers]
    return crlf("\n".join(lines) + "\n\n" + body) + extra


def append_raw(c, mailbox, items):
    """APPEND (MULTIAPPEND when several) with LITERAL+. items: list of
    (message bytes, flags string or "", date-time string or None).
    Returns the tagged line; skips the test when APPEND is missing."""
    c.ntag += 1
    tag = "p%d" % c.ntag
    out = b"%s APPEND %s" % (tag.encode(), mailbox.encode())
    for data, flags, date in items:
        if flags:
            out += b" (" + flags.encode() + b")"
        if date:
            out += b' "' + date.encode() + b'"'
        out += b" {%d+}\r\n" % len(data) + data
    c.send(out + b"\r\n")
    untagged, tagged = c.until_tagged(tag)
    if "[CANNOT]" in tagged and "not available" in tagged:
        pytest.skip("APPEND is not available in this build")
    assert " OK " in tagged, tagged
    return tagged


def append(c, mailbox, data, flags="", date=None):
    return append_raw(c, mailbox, [(data, flags, date)])


def numbers(line, prefix):
    """The numbers of an untagged '* SEARCH 1 2 3' (prefix "SEARCH")."""
    head = "* " + prefix
    assert line == head or line.startswith(head + " "), line
    rest = line[len(head):].strip()
    if not rest:
        return []
    nums = []
    for tok in rest.split(" "):
        nums.append(int(tok))
    return nums


def parse_set(text):
    """A sequence-set as a list of numbers, in the order written."""
    out = []
    for part in text.split(","):
        if ":" in part:
            a, b = (int(x) for x in part.split(":"))
            step = 1 if b >= a else -1
            out.extend(range(a, b + step, step))
        else:
            out.append(int(part))
    return out


ESEARCH_RE = re.compile(r'^\* ESEARCH \(TAG "([^"]*)"\)( UID)?(.*)$')


def esearch(line):
    """Parse '* ESEARCH (TAG "t") [UID] items' into a dict with keys
    tag, uid and the items present (MIN/MAX/COUNT/MODSEQ as int, ALL as
    the string sent)."""
    m = ESEARCH_RE.match(line)
    assert m, line
    out = {"tag": m.group(1), "uid": bool(m.group(2))}
    toks = m.group(3).split()
    assert len(toks) % 2 == 0, line
    for name, value in zip(toks[0::2], toks[1::2]):
        assert name not in out, line
        out[name] = value if name == "ALL" else int(value)
    return out


def only(untagged, prefix):
    """The one untagged line starting with '* prefix', ignoring others."""
    found = [l for l in untagged if l.startswith("* " + prefix + " ") or l == "* " + prefix]
    assert len(found) == 1, untagged
    return found[0]


def run_search(c, args, prefix="SEARCH"):
    """Run a command and return (numbers, tagged) for a SEARCH/SORT reply."""
    untagged, tagged = c.command(args)
    assert " OK " in tagged, (args, tagged)
    return numbers(only(untagged, prefix), prefix), tagged


def thread_tree(line):
    """Parse '* THREAD (1 2)(3 (4)(5))' into nested lists, the form the
    RFC 5256 grammar gives: a list per thread-list."""
    assert line == "* THREAD" or line.startswith("* THREAD "), line
    text = line[len("* THREAD"):].strip()
    pos = 0

    def parse_list():
        nonlocal pos
        assert text[pos] == "("
        pos += 1
        items = []
        while text[pos] != ")":
            if text[pos] == " ":
                pos += 1
            elif text[pos] == "(":
                items.append(parse_list())
            else:
                m = re.match(r"\d+", text[pos:])
                assert m, text[pos:]
                items.append(int(m.group(0)))
                pos += len(m.group(0))
        pos += 1
        return items

    threads = []
    while pos < len(text):
        threads.append(parse_list())
    return threads
