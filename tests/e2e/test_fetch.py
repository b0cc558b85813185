"""FETCH and UID FETCH (RFC 9051 6.4.5, RFC 3501 6.4.5, RFC 3516 BINARY):
every data item and section form, checked byte for byte against the MIME
corpus and its golden files (tests/data/mime), partial fetches at the
edges, macros, UID FETCH, and the errors."""
import base64
import quopri
import re

import pytest

import fetch_util as fu

# Corpus messages whose stored bytes are the file's bytes (no bare LF),
# so the golden offsets apply to BODY[].
NO_8BIT = ("30-8bit-headers", "30b-latin1-header")


@pytest.fixture(scope="module")
def corpus(server):
    """alice's INBOX holds every non-empty corpus message, in name order;
    returns {name: uid}."""
    c = server.connect()
    c.login("alice")
    # 8-bit header fields are accepted once UTF8=ACCEPT is on (RFC 6855).
    assert " OK " in c.command("ENABLE UTF8=ACCEPT")[1]
    uids = {}
    for name in fu.corpus_names():
        data = fu.corpus_message(name)
        if data:
            uids[name] = fu.append(c, "INBOX", data)
    c.close()
    return uids


@pytest.fixture
def reader(server, corpus):
    """A logged-in IMAP4rev1 session with INBOX examined (no \\Seen changes)."""
    c = server.connect()
    c.login("alice")
    assert " OK " in c.command("EXAMINE INBOX")[1]
    yield c
    c.close()


def uid_fetch(c, uid, items):
    by_seq, tagged, ordered = fu.fetch(c, "UID FETCH %d %s" % (uid, items))
    assert " OK " in tagged, tagged
    assert len(ordered) == 1, ordered
    return ordered[0][1]


def item(c, uid, name, request=None):
    items = dict(uid_fetch(c, uid, "(%s)" % (request or name)))
    return items[name]


def golden_names():
    return [n for n in fu.corpus_names()
            if fu.corpus_message(n) and fu.crlf(fu.corpus_message(n)) == fu.corpus_message(n)]


# ---- structure: ENVELOPE, BODYSTRUCTURE, BODY ----

@pytest.mark.parametrize("name", golden_names())
def test_structure_matches_golden(reader, corpus, name):
    """The cached ENVELOPE, BODYSTRUCTURE and BODY go out exactly as the
    golden files say, in the order asked, with the UID of UID FETCH."""
    g = fu.corpus_golden(name)
    uid = corpus[name]
    lines, tagged = fu.command_raw(reader, "UID FETCH %d (ENVELOPE BODYSTRUCTURE BODY)" % uid)
    assert tagged.endswith("OK UID FETCH completed")
    seq = [l for l in lines if b" FETCH (" in l]
    assert len(seq) == 1
    prefix = re.match(rb"\* \d+ FETCH \(", seq[0]).group(0)
    assert seq[0] == (prefix + b"UID %d ENVELOPE " % uid + g["ENVELOPE"] + b" BODYSTRUCTURE "
                      + g["BODYSTRUCTURE"] + b" BODY " + g["BODY"] + b")")


# ---- body sections against the golden part offsets ----

@pytest.mark.parametrize("name", golden_names())
def test_sections_match_golden(reader, corpus, name):
    """BODY[path], [path.MIME], [HEADER], [TEXT], [path.HEADER],
    [path.TEXT] and BINARY.SIZE[path] are the byte ranges the golden part
    list gives."""
    data = fu.corpus_message(name)
    uid = corpus[name]
    requests, expect = [], {}
    for p in fu.corpus_golden(name)["PART"][:24]:
        h, b = p["header"], p["body"]
        if p["path"] == "TOP":
            names = {"BODY[HEADER]": h, "BODY[TEXT]": b}
        else:
            names = {"BODY[%s]" % p["path"]: b, "BODY[%s.MIME]" % p["path"]: h}
            if "message" in p:
                mh, mb = p["message"]
                names["BODY[%s.HEADER]" % p["path"]] = mh
                names["BODY[%s.TEXT]" % p["path"]] = mb
            if "decoded" in p and p.get("cte") != "unknown":
                requests.append("BINARY.SIZE[%s]" % p["path"])
                expect["BINARY.SIZE[%s]" % p["path"]] = str(p["decoded"])
        for n, (off, ln) in names.items():
            requests.append(n.replace("BODY[", "BODY.PEEK["))
            expect[n] = data[off:off + ln]
    requests.append("BODY.PEEK[]")
    expect["BODY[]"] = data
    got = dict(uid_fetch(reader, uid, "(%s)" % " ".join(requests)))
    for n, want in expect.items():
        value = got[n]
        if isinstance(want, bytes) and want == b"":
            assert value == b"", n
        else:
            assert value == want, n


def test_whole_message_round_trip(reader, corpus):
    """BODY[] of every message is the appended message, CRLF normalised;
    RFC822.SIZE counts exactly those bytes."""
    for name, uid in corpus.items():
        stored = fu.crlf(fu.corpus_message(name))
        items = dict(uid_fetch(reader, uid, "(RFC822.SIZE BODY.PEEK[])"))
        assert items["BODY[]"] == stored, name
        assert items["RFC822.SIZE"] == str(len(stored)), name
        assert not items["BODY[]"].literal8, name


# ---- simple items ----

def test_simple_items_exact(server):
    """FLAGS (with \\Recent for IMAP4rev1), INTERNALDATE in the message's
    own zone, RFC822.SIZE, UID, MODSEQ, EMAILID, THREADID, SAVEDATE and
    PREVIEW, in the order asked."""
    c = server.connect()
    c.login("bob")
    msg = b"From: x@example.org\r\nSubject: hi\r\n\r\nHello   there,\r\n  world.\r\n"
    uid = fu.append(c, "INBOX", msg, flags="\\Flagged $Label", date="05-Feb-2024 13:14:15 +0530")
    assert " OK " in c.command("SELECT INBOX")[1]
    lines, tagged = fu.command_raw(
        c, "UID FETCH %d (FLAGS INTERNALDATE RFC822.SIZE UID EMAILID THREADID SAVEDATE "
           "PREVIEW)" % uid)
    assert tagged.endswith("OK UID FETCH completed")
    assert len(lines) == 1
    m = re.match(rb'\* (\d+) FETCH \(FLAGS \(\\Flagged \\Recent \$Label\) '
                 rb'INTERNALDATE "05-Feb-2024 13:14:15 \+0530" RFC822.SIZE (\d+) UID (\d+) '
                 rb'EMAILID \(([A-Za-z0-9_-]+)\) THREADID (\(([A-Za-z0-9_-]+)\)|NIL) '
                 rb'SAVEDATE "\d\d-[A-Z][a-z][a-z]-\d{4} \d\d:\d\d:\d\d [+-]\d{4}" '
                 rb'PREVIEW "Hello there, world."\)$', lines[0])
    assert m, lines[0]
    assert int(m.group(2)) == len(msg) and int(m.group(3)) == uid
    # MODSEQ is a CONDSTORE enabling command (RFC 7162 3.1): the first one
    # reports HIGHESTMODSEQ.
    lines, tagged = fu.command_raw(c, "UID FETCH %d (MODSEQ)" % uid)
    assert re.match(rb"\* OK \[HIGHESTMODSEQ \d+\]", lines[0]), lines
    assert re.match(rb"\* \d+ FETCH \(UID %d MODSEQ \(\d+\)\)$" % uid, lines[1]), lines
    lines, tagged = fu.command_raw(c, "UID FETCH %d (MODSEQ)" % uid)
    assert len(lines) == 1
    c.close()


def test_recent_only_for_rev1(server):
    """\\Recent is an IMAP4rev1 flag; after ENABLE IMAP4rev2 FLAGS omit it."""
    c = server.connect()
    c.login("bob")
    assert " OK " in c.command("ENABLE IMAP4rev2")[1]
    uid = fu.append(c, "INBOX", b"Subject: r\r\n\r\nx\r\n")
    assert " OK " in c.command("SELECT INBOX")[1]
    assert item(c, uid, "FLAGS") == []
    c.close()


def test_macros(reader, corpus):
    """ALL, FAST and FULL expand to their items in RFC 9051 order."""
    uid = corpus["13-mixed-attachment"]
    g = fu.corpus_golden("13-mixed-attachment")
    for macro, names in (("FAST", ["FLAGS", "INTERNALDATE", "RFC822.SIZE"]),
                         ("ALL", ["FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"]),
                         ("FULL", ["FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"])):
        got = uid_fetch(reader, uid, macro)
        assert [n for n, v in got] == ["UID"] + names, macro
    lines, tagged = fu.command_raw(reader, "UID FETCH %d FULL" % uid)
    assert lines[0].endswith(b" BODY " + g["BODY"] + b")")


def test_single_items_without_parentheses(reader, corpus):
    uid = corpus["01-plain-minimal"]
    assert [n for n, v in uid_fetch(reader, uid, "RFC822.SIZE")] == ["UID", "RFC822.SIZE"]
    assert [n for n, v in uid_fetch(reader, uid, "BODY.PEEK[HEADER]")] == ["UID", "BODY[HEADER]"]


def test_rfc822_items(reader, corpus):
    """RFC822 = BODY[], RFC822.HEADER = BODY.PEEK[HEADER], RFC822.TEXT =
    BODY[TEXT], answered under their own names (RFC 3501 6.4.5)."""
    name = "13-mixed-attachment"
    data = fu.corpus_message(name)
    top = fu.corpus_golden(name)["PART"][0]
    got = dict(uid_fetch(reader, corpus[name], "(RFC822.HEADER RFC822.TEXT RFC822)"))
    h, b = top["header"], top["body"]
    assert got["RFC822.HEADER"] == data[h[0]:h[0] + h[1]]
    assert got["RFC822.TEXT"] == data[b[0]:b[0] + b[1]]
    assert got["RFC822"] == data


# ---- HEADER.FIELDS ----

def test_header_fields(reader, corpus):
    """Matching is ASCII case-insensitive; the fields come in message
    order with their raw bytes and the blank line; the response echoes
    the names as asked (RFC 9051 6.4.5)."""
    uid = corpus["06-folded-headers"]
    data = fu.corpus_message("06-folded-headers")
    header = data[:data.index(b"\r\n\r\n") + 2]
    fields = re.findall(rb"(?m)^[^ \t\r\n][^\r\n]*\r\n(?:[ \t][^\r\n]*\r\n)*", header.decode(
        "latin-1").encode("latin-1"))

    def pick(names, exclude):
        out = [f for f in fields
               if (f.split(b":")[0].strip().lower() in names) != exclude]
        return b"".join(out) + b"\r\n"

    got = dict(uid_fetch(reader, uid, "(BODY.PEEK[HEADER.FIELDS (subject FROM x-none)] "
                                      "BODY.PEEK[HEADER.FIELDS.NOT (Subject)])"))
    assert got["BODY[HEADER.FIELDS (subject FROM x-none)]"] == pick([b"subject", b"from"], False)
    assert got["BODY[HEADER.FIELDS.NOT (Subject)]"] == pick([b"subject"], True)
    # No field matches: only the blank line.
    assert item(reader, uid, "BODY[HEADER.FIELDS (X-Absent)]",
                "BODY.PEEK[HEADER.FIELDS (X-Absent)]") == b"\r\n"


def test_header_fields_of_encapsulated_message(reader, corpus):
    """n.HEADER.FIELDS reads the header of a message/rfc822 part."""
    uid = corpus["16-message-rfc822-multipart"]
    got = item(reader, uid, "BODY[2.HEADER.FIELDS (Subject)]",
               "BODY.PEEK[2.HEADER.FIELDS (Subject)]")
    assert got == b"Subject: inner message\r\n\r\n"
    # Not a message part: no HEADER (an empty string, like a missing part).
    assert item(reader, uid, "BODY[1.HEADER]", "BODY.PEEK[1.HEADER]") == b""


# ---- partial fetches ----

def test_partial_edges(reader, corpus):
    """<origin.octets>: the response names only the origin; a window past
    the end is truncated, one starting past the end is empty (RFC 9051
    6.4.5), including BODY[]<0.n> longer than the message."""
    name = "14-alternative-qp"
    data = fu.corpus_message(name)
    uid = corpus[name]
    n = len(data)
    cases = [(0, 10), (0, n + 100), (n - 1, 10), (n, 10), (n + 5, 1), (7, 1), (0, 1),
             (100, 4294967295)]
    req = " ".join("BODY.PEEK[]<%d.%d>" % c for c in cases)
    got = uid_fetch(reader, uid, "(%s)" % req)
    assert [v for k, v in got[1:]] == [data[o:o + ln] for o, ln in cases]
    assert [k for k, v in got[1:]] == ["BODY[]<%d>" % o for o, ln in cases]


def test_partial_of_part_and_header_fields(reader, corpus):
    name = "16-message-rfc822-multipart"
    data = fu.corpus_message(name)
    uid = corpus[name]
    part2 = [p for p in fu.corpus_golden(name)["PART"] if p["path"] == "2"][0]
    off, ln = part2["body"]
    got = dict(uid_fetch(reader, uid, "(BODY.PEEK[2]<5.20> BODY.PEEK[2.TEXT]<0.4> "
                                      "BODY.PEEK[HEADER.FIELDS (Subject)]<3.5>)"))
    assert got["BODY[2]<5>"] == data[off + 5:off + 25]
    moff = part2["message"][1][0]
    assert got["BODY[2.TEXT]<0>"] == data[moff:moff + 4]
    # The window applies after the header is subset (RFC 9051 6.4.5 note).
    assert got["BODY[HEADER.FIELDS (Subject)]<3>"] == b"Subject: test\r\n"[3:8]


# ---- parts that do not exist ----

def test_missing_parts_are_empty(reader, corpus):
    """A part that does not exist is an empty string, for BODY and BINARY;
    its BINARY.SIZE is 0."""
    uid = corpus["13-mixed-attachment"]
    got = dict(uid_fetch(reader, uid, "(BODY.PEEK[9] BODY.PEEK[1.2.3] BODY.PEEK[9.MIME] "
                                      "BODY.PEEK[3.TEXT] BINARY.PEEK[9] BINARY.SIZE[7])"))
    got.update(dict(uid_fetch(reader, uid, "(BODY.PEEK[9.HEADER.FIELDS (From)] "
                                           "BINARY.PEEK[1]<100.5>)")))
    for n in ("BODY[9]", "BODY[1.2.3]", "BODY[9.MIME]", "BODY[3.TEXT]", "BINARY[9]",
              "BODY[9.HEADER.FIELDS (From)]", "BINARY[1]<100>"):
        assert got[n] == b"", n
    assert got["BINARY.SIZE[7]"] == "0"
    lines, tagged = fu.command_raw(reader, "UID FETCH %d (BODY.PEEK[9])" % uid)
    assert lines[0].endswith(b'BODY[9] "")')


# ---- BINARY (RFC 3516) ----

def test_binary_base64_and_qp(reader, corpus):
    """BINARY decodes base64 and quoted-printable; the size matches
    BINARY.SIZE; decoded data with NUL goes as literal8 (~{n}), data
    without NUL as an ordinary literal (RFC 3516 4.3)."""
    data = fu.corpus_message("13-mixed-attachment")
    part2 = [p for p in fu.corpus_golden("13-mixed-attachment")["PART"] if p["path"] == "2"][0]
    off, ln = part2["body"]
    pdf = base64.b64decode(data[off:off + ln])
    got = dict(uid_fetch(reader, corpus["13-mixed-attachment"],
                         "(BINARY.PEEK[2] BINARY.SIZE[2] BINARY.PEEK[1] BINARY.PEEK[2]<4.10>)"))
    assert got["BINARY[2]"] == pdf
    assert got["BINARY.SIZE[2]"] == str(len(pdf))
    assert got["BINARY[2]"].literal8 == (b"\0" in pdf)
    assert got["BINARY[1]"] == b"See attachment."
    assert not got["BINARY[1]"].literal8
    assert got["BINARY[2]<4>"] == pdf[4:14]

    qdata = fu.corpus_message("14-alternative-qp")
    got = dict(uid_fetch(reader, corpus["14-alternative-qp"],
                         "(BINARY.PEEK[1] BINARY.SIZE[1] BINARY.PEEK[2] BINARY.PEEK[1]<3.4>)"))
    part1 = fu.corpus_golden("14-alternative-qp")["PART"][1]
    off, ln = part1["body"]
    want = quopri.decodestring(qdata[off:off + ln])
    assert got["BINARY[1]"] == want == "Café au lait, soft break.".encode()
    assert got["BINARY.SIZE[1]"] == str(len(want))
    assert got["BINARY[2]"] == "<html><body><p>Café &amp; lait</p></body></html>".encode()
    assert got["BINARY[1]<3>"] == want[3:7]


def test_binary_whole_message_and_nul(reader, corpus):
    """BINARY[] is the message as it is; with NUL bytes it must be
    literal8, while BODY[] stays an ordinary literal."""
    data = fu.corpus_message("31-nul-bytes")
    got = dict(uid_fetch(reader, corpus["31-nul-bytes"],
                         "(BINARY.PEEK[] BODY.PEEK[] BINARY.SIZE[] BINARY.PEEK[1] BINARY.PEEK[]<40.3>)"))
    assert got["BINARY[]"] == data and got["BINARY[]"].literal8
    assert got["BODY[]"] == data and not got["BODY[]"].literal8
    assert got["BINARY.SIZE[]"] == str(len(data))
    assert got["BINARY[1]"].literal8 and b"\0" in got["BINARY[1]"]
    # The window decides: these three bytes hold no NUL.
    assert got["BINARY[]<40>"] == data[40:43] and not got["BINARY[]<40>"].literal8


def test_binary_unknown_cte(reader, corpus):
    """An encoding we cannot decode: tagged NO [UNKNOWN-CTE], for BINARY
    and BINARY.SIZE; BODY still works."""
    uid = corpus["35-unknown-cte"]
    for req in ("BINARY.PEEK[1]", "BINARY.SIZE[1]", "BINARY[1]"):
        lines, tagged = fu.command_raw(reader, "UID FETCH %d (%s)" % (uid, req))
        assert re.match(r"f\d+ NO \[UNKNOWN-CTE\] ", tagged), tagged
        assert not [l for l in lines if b"FETCH" in l]
    assert item(reader, uid, "BODY[1]", "BODY.PEEK[1]") == b"begin 644 x\r\n`\r\nend\r\n"


def test_binary_of_base64_message_part(reader, corpus):
    """A base64-encoded message/rfc822 part is a leaf: BINARY decodes it."""
    name = "52-cte-base64-rfc822"
    data = fu.corpus_message(name)
    p = [p for p in fu.corpus_golden(name)["PART"] if p["path"] == "2"][0]
    off, ln = p["body"]
    want = base64.b64decode(data[off:off + ln])
    got = dict(uid_fetch(reader, corpus[name], "(BINARY.PEEK[2] BINARY.SIZE[2])"))
    assert got["BINARY[2]"] == want
    assert got["BINARY.SIZE[2]"] == str(len(want)) == str(p["decoded"])


def test_binary_of_encoded_multipart(server):
    """A multipart part declaring base64 (RFC 2045 6.4 forbids it; mail has
    it) is sent as it is: BINARY asks for leaf parts (RFC 9051 6.4.5), and
    BINARY.SIZE matches what BINARY sends (RFC 3516 4.3)."""
    msg = (b"Subject: odd\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=out\r\n\r\n"
           b"--out\r\nContent-Type: multipart/alternative; boundary=in\r\n"
           b"Content-Transfer-Encoding: base64\r\n\r\n"
           b"--in\r\nContent-Type: text/plain\r\n\r\nSGVsbG8=\r\n--in--\r\n"
           b"--out--\r\n")
    c = server.connect()
    c.login("bob")
    uid = fu.append(c, "INBOX", msg)
    assert " OK " in c.command("EXAMINE INBOX")[1]
    got = dict(uid_fetch(c, uid, "(BINARY.PEEK[1] BINARY.SIZE[1] BINARY.PEEK[1.1] BODY.PEEK[1])"))
    assert got["BINARY[1]"] == got["BODY[1]"] == \
        b"--in\r\nContent-Type: text/plain\r\n\r\nSGVsbG8=\r\n--in--"
    assert got["BINARY.SIZE[1]"] == str(len(got["BINARY[1]"]))
    assert got["BINARY[1.1]"] == b"SGVsbG8="
    c.close()


def test_section_count_limit(reader, corpus):
    """At most 64 body items in one FETCH; more is NO [LIMIT] before any
    response (each is located before a message's response starts)."""
    uid = corpus["13-mixed-attachment"]
    ok = " ".join("BODY.PEEK[1]<%d.1>" % i for i in range(60)) + " BINARY.SIZE[1] RFC822.HEADER " \
        "BINARY.PEEK[2] BODY.PEEK[HEADER.FIELDS (From)]"
    got = uid_fetch(reader, uid, "(%s FLAGS)" % ok)
    assert len(got) == 66
    lines, tagged = fu.command_raw(reader, "UID FETCH %d (%s RFC822.TEXT)" % (uid, ok))
    assert re.match(r"f\d+ NO \[LIMIT\] ", tagged) and lines == [], tagged


def test_many_large_header_sections(server):
    """HEADER.FIELDS results past 1 MiB in all are built again when sent,
    not held at once; the bytes are the same."""
    pad = b"".join(b"X-Pad-%05d: %s\r\n" % (i, b"p" * 60) for i in range(4000))
    msg = b"From: a@example.org\r\nSubject: big header\r\n" + pad + b"\r\nbody\r\n"
    c = server.connect()
    c.login("bob")
    uid = fu.append(c, "INBOX", msg)
    assert " OK " in c.command("EXAMINE INBOX")[1]
    header = msg[:msg.index(b"\r\n\r\n") + 4]
    want = header.replace(b"Subject: big header\r\n", b"")
    req = " ".join("BODY.PEEK[HEADER.FIELDS.NOT (Subject)]<%d.%d>" % (i, len(header))
                   for i in range(8))
    got = uid_fetch(c, uid, "(%s)" % req)
    assert [v for k, v in got[1:]] == [want[i:] for i in range(8)]
    c.close()


# ---- UID FETCH and the message set ----

def test_uid_fetch_forms(reader, corpus):
    """UID FETCH answers with UID first when not asked; UIDs that do not
    exist are skipped silently; * is the highest UID."""
    last = max(corpus.values())
    by_seq, tagged, ordered = fu.fetch(reader, "UID FETCH %d:%d (FLAGS)" % (last, last + 50))
    assert tagged.endswith("OK UID FETCH completed")
    assert [(k, v) for k, v in ordered[0][1]][0] == ("UID", str(last))
    by_seq, tagged, ordered = fu.fetch(reader, "UID FETCH * (UID)")
    assert [dict(i)["UID"] for s, i in ordered] == [str(last)]
    by_seq, tagged, ordered = fu.fetch(reader, "UID FETCH %d (RFC822.SIZE UID)" % last)
    assert [k for k, v in ordered[0][1]] == ["RFC822.SIZE", "UID"]
    by_seq, tagged, ordered = fu.fetch(reader, "UID FETCH 4000000000 (UID)")
    assert tagged.endswith("OK UID FETCH completed") and ordered == []


def test_sequence_numbers(reader, corpus):
    """Responses come in order with the right sequence numbers; a number
    above EXISTS is BAD and nothing is sent."""
    n = len(corpus)
    by_seq, tagged, ordered = fu.fetch(reader, "FETCH 1:* (UID)")
    assert [s for s, i in ordered] == list(range(1, n + 1))
    assert [int(dict(i)["UID"]) for s, i in ordered] == sorted(corpus.values())
    by_seq, tagged, ordered = fu.fetch(reader, "FETCH 3,1,2:2 (UID)")
    assert [s for s, i in ordered] == [1, 2, 3]
    for bad in ("%d" % (n + 1), "1:%d" % (n + 1), "%d:*,%d" % (n, n + 3)):
        lines, tagged = fu.command_raw(reader, "FETCH %s (UID)" % bad)
        assert re.match(r"f\d+ BAD ", tagged), tagged
        assert lines == []


def test_syntax_errors_and_state(server, reader):
    for bad in ("FETCH 1 (FLAGS", "FETCH 1 (BODY[HEADER.FIELDS ()])", "FETCH 1 (BODY[1.MIMEX])",
                "FETCH 1 (BINARY[HEADER])", "FETCH 1 BODY[]<1>", "FETCH 1 (FOO)", "FETCH 0 UID",
                "FETCH 1 (FLAGS) (VANISHED)", "FETCH 1 ALL FLAGS", "FETCH 1 (BODY[]<0.0>)"):
        lines, tagged = fu.command_raw(reader, bad)
        assert re.match(r"f\d+ BAD ", tagged), (bad, tagged)
    # VANISHED needs ENABLE QRESYNC (RFC 7162 3.2.6).
    lines, tagged = fu.command_raw(reader, "UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)")
    assert re.match(r"f\d+ BAD ", tagged), tagged
    # Not in the authenticated state.
    c = server.connect()
    c.login("alice")
    lines, tagged = c.command("FETCH 1 FLAGS")
    assert " BAD " in tagged
    c.close()


def test_empty_mailbox(server):
    c = server.connect()
    c.login("bob")
    c.command("CREATE empty")
    lines, tagged = c.command("SELECT empty")
    if " OK " not in tagged:
        pytest.skip("CREATE is not available yet: %s" % tagged)
    lines, tagged = fu.command_raw(c, "UID FETCH 1:* (FLAGS)")
    assert " OK " in tagged and lines == []
    lines, tagged = fu.command_raw(c, "FETCH 1 (FLAGS)")
    assert " BAD " in tagged
    c.close()


# ---- modifiers ----

def test_changedsince_and_partial_modifiers(server):
    """CHANGEDSINCE keeps messages with a higher MODSEQ and adds MODSEQ
    (RFC 7162 3.1.4.1); PARTIAL picks positions of the set (RFC 9394)."""
    c = server.connect()
    c.login("bob")
    uids = [fu.append(c, "INBOX", b"Subject: m%d\r\n\r\nbody\r\n" % i) for i in range(5)]
    assert " OK " in c.command("EXAMINE INBOX")[1]
    got = dict((int(dict(i)["UID"]), dict(i)) for s, i in
               fu.fetch(c, "UID FETCH %d:%d (MODSEQ)" % (uids[0], uids[-1]))[2])
    mid = int(got[uids[2]]["MODSEQ"][0])
    by_seq, tagged, ordered = fu.fetch(c, "UID FETCH %d:%d (FLAGS) (CHANGEDSINCE %d)"
                                       % (uids[0], uids[-1], mid))
    assert [int(dict(i)["UID"]) for s, i in ordered] == uids[3:]
    assert all("MODSEQ" in dict(i) for s, i in ordered)
    by_seq, tagged, ordered = fu.fetch(c, "UID FETCH %d:%d (UID) (PARTIAL 2:3)"
                                       % (uids[0], uids[-1]))
    assert [int(dict(i)["UID"]) for s, i in ordered] == uids[1:3]
    by_seq, tagged, ordered = fu.fetch(c, "UID FETCH %d:%d (UID) (PARTIAL -1:-2)"
                                       % (uids[0], uids[-1]))
    assert [int(dict(i)["UID"]) for s, i in ordered] == uids[3:]
    by_seq, tagged, ordered = fu.fetch(c, "UID FETCH %d:%d (UID) (PARTIAL -1:-2 CHANGEDSINCE %d)"
                                       % (uids[0], uids[-1], int(got[uids[3]]["MODSEQ"][0])))
    assert [int(dict(i)["UID"]) for s, i in ordered] == uids[4:]
    c.close()


# ---- clients' parsers ----

def test_imaplib_reads_fetch(server, corpus):
    """Python's imaplib and email parser read BODY[] back to the message."""
    import email
    import email.policy
    m = server.imaplib("alice")
    typ, data = m.select("INBOX", readonly=True)
    assert typ == "OK"
    uid = corpus["16-message-rfc822-multipart"]
    typ, data = m.uid("FETCH", str(uid), "(BODY.PEEK[] BINARY.PEEK[2.2] FLAGS)")
    assert typ == "OK"
    raw = data[0][1]
    assert raw == fu.corpus_message("16-message-rfc822-multipart")
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["Subject"] == "test"
    parts = list(msg.walk())
    inner = [p for p in parts if p.get_content_type() == "message/rfc822"][0]
    inner_msg = inner.get_payload()[0]
    assert inner_msg["Subject"] == "inner message"
    leaf = [p for p in inner_msg.walk() if p.get_content_type() == "application/octet-stream"][0]
    assert data[1][1] == leaf.get_payload(decode=True)
    typ, data = m.uid("FETCH", str(corpus["13-mixed-attachment"]), "(BODY.PEEK[])")
    msg = email.message_from_bytes(data[0][1], policy=email.policy.default)
    att = [p for p in msg.iter_attachments()][0]
    assert att.get_filename() == "report.pdf"
    typ, bin_data = m.uid("FETCH", str(corpus["13-mixed-attachment"]), "(BINARY.PEEK[2])")
    assert bin_data[0][1] == att.get_payload(decode=True)
    m.logout()


def test_capability_binary(server):
    """BINARY is announced after login, not before."""
    c = server.connect()
    assert " BINARY" not in c.greeting
    assert " BINARY" not in c.command("CAPABILITY")[0][0]
    c.login("alice")
    assert " BINARY" in c.command("CAPABILITY")[0][0] + " "
    c.close()


def test_curl_fetches_over_imaps(server, corpus):
    """curl (libcurl's IMAP client) fetches a whole message and a section
    over implicit TLS and gets the exact bytes."""
    import shutil
    import subprocess
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    name = "13-mixed-attachment"
    base = "imaps://%s:%d/INBOX" % (server.host, server.imaps_port)
    user = "alice:%s" % server.passwords["alice"]
    r = subprocess.run(["curl", "-sk", "--max-time", "20", "-u", user,
                        "%s/;UID=%d" % (base, corpus[name])], capture_output=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert r.stdout == fu.corpus_message(name)
    r = subprocess.run(["curl", "-sk", "--max-time", "20", "-u", user,
                        "%s/;UID=%d/;SECTION=HEADER.FIELDS%%20(SUBJECT)" % (base, corpus[name])],
                       capture_output=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"Subject: test\r\n\r\n"


def test_preview_eight_bit(server):
    """PREVIEW with non-ASCII text: a literal for an IMAP4rev1 client, a
    quoted UTF-8 string once UTF8=ACCEPT is on (RFC 8970, RFC 6855)."""
    msg = ("Subject: p\r\nContent-Type: text/plain; charset=utf-8\r\n"
           "Content-Transfer-Encoding: 8bit\r\n\r\nCafé crème\r\n").encode()
    c = server.connect()
    c.login("bob")
    uid = fu.append(c, "INBOX", msg)
    assert " OK " in c.command("EXAMINE INBOX")[1]
    lines, tagged = fu.command_raw(c, "UID FETCH %d (PREVIEW)" % uid)
    text = "Café crème".encode()
    assert lines[0].endswith(b"PREVIEW {%d}\r\n%s)" % (len(text), text)), lines
    c.close()
    c = server.connect()
    c.login("bob")
    assert " OK " in c.command("ENABLE UTF8=ACCEPT")[1]
    assert " OK " in c.command("EXAMINE INBOX")[1]
    lines, tagged = fu.command_raw(c, "UID FETCH %d (PREVIEW)" % uid)
    assert lines[0].endswith(b'PREVIEW "' + "Café crème".encode() + b'")'), lines
    c.close()
