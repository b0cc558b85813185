"""SEARCH, SORT and THREAD over thousands of messages: exact results in
both forms, compact sequence sets, and long result lines written to a
client that reads slowly (the command yields while the output is full
and resumes when it drains)."""
import calendar
import socket
import time

import pytest

from conftest import Server
from search_helpers import append_raw, crlf, esearch, numbers, parse_set

N = 3000


def msg(i):
    # chains of five: each replies to the one before; one subject a chain
    chain = (i - 1) // 5
    lines = ["Subject: %schain %d" % ("" if i % 5 == 1 else "Re: ", chain),
             "From: user%d@example.com" % (i % 7),
             "Message-ID: <%d@large.example>" % i,
             "Date: Mon, 01 Jan 2024 00:00:00 +0000"]
    if i % 5 != 1:
        lines.append("In-Reply-To: <%d@large.example>" % (i - 1))
    return crlf("\n".join(lines) + "\n\nbody %d\n" % i)


def date(i):
    """Internal dates one second apart, in message order."""
    t = calendar.timegm((2024, 1, 1, 0, 0, 0)) + i
    return time.strftime("%d-%b-%Y %H:%M:%S +0000", time.gmtime(t))


def flags(i):
    f = []
    if i % 3 == 0:
        f.append("\\Seen")
    if i % 2 == 0:
        f.append("\\Flagged")
    return " ".join(f)


@pytest.fixture(scope="module")
def srv():
    s = Server()
    c = s.connect(timeout=120)
    c.login("alice")
    for start in range(1, N + 1, 1000):
        append_raw(c, "INBOX", [(msg(i), flags(i), date(i))
                                for i in range(start, start + 1000)])
    c.close()
    yield s
    s.stop()


@pytest.fixture
def c(srv):
    cl = srv.connect(timeout=60)
    cl.login("alice")
    untagged, tagged = cl.command("EXAMINE INBOX")
    assert "* %d EXISTS" % N in untagged
    yield cl
    cl.close()


SEEN = [i for i in range(1, N + 1) if i % 3 == 0]
FLAGGED = [i for i in range(1, N + 1) if i % 2 == 0]


def test_rev1_lists(c):
    untagged, tagged = c.command("SEARCH ALL")
    assert numbers(untagged[-1], "SEARCH") == list(range(1, N + 1))
    untagged, tagged = c.command("SEARCH SEEN")
    assert numbers(untagged[-1], "SEARCH") == SEEN
    untagged, tagged = c.command("UID SEARCH UNFLAGGED NOT SEEN")
    assert numbers(untagged[-1], "SEARCH") == [i for i in range(1, N + 1)
                                               if i % 2 and i % 3]


def test_esearch_compact(c):
    untagged, tagged = c.command("SEARCH RETURN () ALL", tag="e1")
    assert untagged == ['* ESEARCH (TAG "e1") ALL 1:%d' % N]
    untagged, tagged = c.command("SEARCH RETURN (ALL COUNT MIN MAX) SEEN", tag="e2")
    d = esearch(untagged[-1])
    assert (d["MIN"], d["MAX"], d["COUNT"]) == (3, N, len(SEEN))
    assert d["ALL"] == ",".join(str(i) for i in SEEN)
    # runs: 1:5 minus 2:3 ... every message but those = 2 or 3 mod 6
    untagged, tagged = c.command("UID SEARCH RETURN (ALL) OR SEEN FLAGGED", tag="e3")
    d = esearch(untagged[-1])
    assert d["uid"]
    assert parse_set(d["ALL"]) == [i for i in range(1, N + 1) if i % 2 == 0 or i % 3 == 0]
    untagged, tagged = c.command("SEARCH RETURN (ALL) NOT 100:%d" % (N - 100), tag="e4")
    assert untagged == ['* ESEARCH (TAG "e4") ALL 1:99,%d:%d' % (N - 99, N)]
    untagged, tagged = c.command("SEARCH RETURN (COUNT) 1:*", tag="e5")
    assert untagged == ['* ESEARCH (TAG "e5") COUNT %d' % N]


def test_many_ranges_in_keys(c):
    # a key with thousands of ranges, as "$"-less clients send them
    odd = ",".join(str(i) for i in range(1, N + 1, 2))
    untagged, tagged = c.command("SEARCH RETURN (COUNT) " + odd, tag="k1")
    assert untagged == ['* ESEARCH (TAG "k1") COUNT %d' % (N // 2)]
    untagged, tagged = c.command("UID SEARCH RETURN (COUNT) UID %s SEEN" % odd, tag="k2")
    assert untagged == ['* ESEARCH (TAG "k2") UID COUNT %d' % len([i for i in SEEN if i % 2])]


def test_thousands_of_keys(c):
    """Programs of thousands of keys stay exact and quick: UID keys of one
    AND or OR are joined into one set, and large remainders are run in
    parts (SQLite plans a statement in time quadratic in its terms)."""
    start = time.time()
    untagged, tagged = c.command("SEARCH RETURN (ALL) " +
                                 " ".join("UID %d:%d" % (i, N) for i in range(1, 1001)), tag="t1")
    assert untagged == ['* ESEARCH (TAG "t1") ALL 1000:%d' % N]
    # OR nests: the parser allows 31 levels
    chain = "OR " * 30 + " ".join("UID %d" % i for i in range(1, 63, 2))
    untagged, tagged = c.command("UID SEARCH RETURN (COUNT) " + chain, tag="t2")
    assert untagged == ['* ESEARCH (TAG "t2") UID COUNT 31']
    untagged, tagged = c.command("SEARCH RETURN (ALL) " +
                                 " ".join("NOT UID %d" % i for i in range(1, 2001, 2)), tag="t3")
    assert untagged == ['* ESEARCH (TAG "t3") ALL ' +
                        ",".join(str(i) for i in range(2, 2000, 2)) + ",2000:%d" % N]
    untagged, tagged = c.command("SEARCH RETURN (COUNT) " + " ".join(
        "OR NOT UID %d HEADER X-Nothing q%d" % (i, i) for i in range(1, 501)), tag="t4")
    assert untagged == ['* ESEARCH (TAG "t4") COUNT %d' % (N - 500)]
    assert time.time() - start < 60


def test_sort_and_thread(c):
    untagged, tagged = c.command("SORT (REVERSE ARRIVAL) UTF-8 ALL")
    assert numbers(untagged[-1], "SORT") == list(range(N, 0, -1))
    untagged, tagged = c.command("SORT RETURN (ALL) (SUBJECT) UTF-8 ALL", tag="s1")
    d = esearch(untagged[-1])
    expected = sorted(range(1, N + 1), key=lambda i: ("CHAIN %d" % ((i - 1) // 5), i))
    assert parse_set(d["ALL"]) == expected
    untagged, tagged = c.command("THREAD REFERENCES UTF-8 ALL", tag="t1")
    assert tagged.startswith("t1 OK")
    # every fifth message starts a chain of five (In-Reply-To the one before)
    expected = "".join("(%s)" % " ".join(str(j) for j in range(i, min(i + 5, N + 1)))
                       for i in range(1, N + 1, 5))
    assert untagged == ["* THREAD " + expected]


def slow_client(srv):
    """A raw connection with a small receive buffer, so the server's
    output fills up while we do not read."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(60)
    sock.connect((srv.host, srv.imap_port))
    return sock


def read_until(sock, buf, marker):
    while marker not in buf:
        chunk = sock.recv(8192)
        if not chunk:
            raise EOFError(buf[-200:])
        buf += chunk
    return buf


def test_slow_reader(srv):
    """Twenty pipelined result lines of about 30 KB each, read slowly:
    every byte must arrive, in order."""
    sock = slow_client(srv)
    buf = read_until(sock, b"", b"\r\n")
    sock.sendall(b'l LOGIN alice "alice-secret"\r\nx EXAMINE INBOX\r\n')
    buf = read_until(sock, buf, b"x OK")
    buf = b""
    cmds = []
    for k in range(20):
        which = ["SEARCH ALL", "SORT (REVERSE ARRIVAL) UTF-8 ALL", "UID SEARCH NOT SEEN",
                 "THREAD ORDEREDSUBJECT UTF-8 ALL"][k % 4]
        cmds.append(("q%d" % k, which))
    sock.sendall(b"".join(b"%s %s\r\n" % (t.encode(), w.encode()) for t, w in cmds))
    time.sleep(1.0)
    for tag, _ in cmds:
        buf = read_until(sock, buf, b"\r\n" + tag.encode() + b" OK")
        time.sleep(0.05)
    buf = read_until(sock, buf, b"\r\n%s OK" % cmds[-1][0].encode())
    buf = read_until(sock, buf, b"completed\r\n")
    lines = buf.decode().split("\r\n")
    sock.close()
    results = [l for l in lines if l.startswith("* ")]
    tagged = [l for l in lines if l.startswith("q")]
    assert len(results) == 20 and len(tagged) == 20, (len(results), tagged)
    for k, (tag, which) in enumerate(cmds):
        assert tagged[k].startswith(tag + " OK "), tagged[k]
        line = results[k]
        if which == "SEARCH ALL":
            assert numbers(line, "SEARCH") == list(range(1, N + 1))
        elif which.startswith("SORT"):
            assert numbers(line, "SORT") == list(range(N, 0, -1))
        elif which.startswith("UID SEARCH"):
            assert numbers(line, "SEARCH") == [i for i in range(1, N + 1) if i % 3]
        else:
            # one thread per chain, its replies children of the first
            assert line.startswith("* THREAD (1 (2)(3)(4)(5))(6 (7)(8)(9)(10))")
            assert line.count("(") == N
