"""A client's model of one mailbox as CONDSTORE/QRESYNC clients keep it
(RFC 7162 section 6): UIDVALIDITY, HIGHESTMODSEQ, UIDNEXT and the flags
of every UID, updated from the server's responses alone.
"""
import re

FETCH_RE = re.compile(r"\* (\d+) FETCH \((.*)\)$")
HMS_RE = re.compile(r"\* OK \[HIGHESTMODSEQ (\d+)\]")


def parse_fetch(line):
    """(seq, {item: value}) of an untagged FETCH with UID, FLAGS and MODSEQ
    items (no literals), or None for another line."""
    m = FETCH_RE.match(line)
    if not m:
        return None
    seq, body = int(m.group(1)), m.group(2)
    items = {}
    for name, value in re.findall(r"(UID|FLAGS|MODSEQ) (\d+|\([^)]*\))", body):
        if name == "UID":
            items["UID"] = int(value)
        elif name == "FLAGS":
            items["FLAGS"] = frozenset(f.lower() for f in value[1:-1].split() if f != "\\Recent")
        else:
            items["MODSEQ"] = int(value[1:-1])
    return seq, items


def parse_uidset(text):
    out = set()
    for part in text.split(","):
        if ":" in part:
            a, b = (int(x) for x in part.split(":"))
            out.update(range(min(a, b), max(a, b) + 1))
        else:
            out.add(int(part))
    return out


def uidset(uids):
    """A compact UID set for a command, e.g. 1:3,7."""
    uids = sorted(uids)
    parts, i = [], 0
    while i < len(uids):
        j = i
        while j + 1 < len(uids) and uids[j + 1] == uids[j] + 1:
            j += 1
        parts.append(str(uids[i]) if i == j else "%d:%d" % (uids[i], uids[j]))
        i = j + 1
    return ",".join(parts)


class Mailbox:
    """What a client knows of a mailbox."""

    def __init__(self):
        self.uidvalidity = None
        self.highestmodseq = 0
        self.uidnext = None
        self.exists = None
        self.flags = {}        # uid -> frozenset of lower-cased flags
        self.seen_modseq = 0   # highest MODSEQ since the last tagged reply

    def apply(self, lines, tagged=""):
        """Update from one command's untagged lines and its tagged reply.
        Returns the VANISHED (EARLIER) UIDs seen (for assertions)."""
        earlier = set()
        hms = None
        for line in lines:
            if line.startswith("* VANISHED (EARLIER) "):
                gone = parse_uidset(line.split(" ", 3)[3])
                earlier |= gone
                for uid in gone:
                    self.flags.pop(uid, None)
            elif line.startswith("* VANISHED "):
                gone = parse_uidset(line.split(" ", 2)[2])
                for uid in gone:
                    assert uid in self.flags, ("VANISHED of an unknown UID", uid, line)
                    del self.flags[uid]
                self.exists -= len(gone)
            elif line.endswith(" EXISTS"):
                self.exists = int(line.split()[1])
            elif line.startswith("* OK [UIDVALIDITY "):
                self.uidvalidity = int(line.split()[3].rstrip("]"))
            elif line.startswith("* OK [UIDNEXT "):
                self.uidnext = int(line.split()[3].rstrip("]"))
            elif HMS_RE.match(line):
                hms = int(HMS_RE.match(line).group(1))
            else:
                parsed = parse_fetch(line)
                if parsed is None:
                    continue
                seq, items = parsed
                assert "UID" in items, line
                if "FLAGS" in items:
                    self.flags[items["UID"]] = items["FLAGS"]
                if "MODSEQ" in items:
                    self.seen_modseq = max(self.seen_modseq, items["MODSEQ"])
        m = re.search(r"\[HIGHESTMODSEQ (\d+)\]", tagged)
        if m:
            hms = int(m.group(1))
        # RFC 7162 section 6: a HIGHESTMODSEQ code wins, else the highest
        # MODSEQ seen since the last tagged reply, if higher.
        if hms is not None:
            self.highestmodseq = hms
        elif self.seen_modseq > self.highestmodseq:
            self.highestmodseq = self.seen_modseq
        self.seen_modseq = 0
        return earlier

    def state(self):
        return {uid: set(f) for uid, f in self.flags.items()}


def server_state(messages):
    """The same form from storeview.messages()."""
    return {m["uid"]: {f.lower() for f in m["flags"]} | {k.lower() for k in m["keywords"]}
            for m in messages}
