"""interimap as a client (INTEROP.md): it syncs two IMAP accounts both ways
with QRESYNC (SELECT ... (QRESYNC ...), VANISHED, UID STORE/EXPUNGE,
LIST-STATUS, UIDPLUS). Here alice (through `hafend imap --stdio`) and bob
(over IMAPS) are the two sides: every mailbox must end up with the same
messages and flags on both, changes made on either side travel, a
second run changes nothing, and `interimap --repair` finds nothing."""
import os
import re
import shutil
import subprocess
import tempfile

import pytest

import storeview as sv
from conftest import hafend_binary

pytestmark = pytest.mark.skipif(shutil.which("interimap") is None,
                                reason="interimap is not installed")

CONFIG = """\
database = {dir}/interimap.db
logfile = {dir}/interimap.log

[local]
type = tunnel
command = {hafend} imap --stdio -c {config} --user alice

[remote]
type = imaps
host = 127.0.0.1
port = {port}
username = bob
password = {password}
SSL_verify = NO
"""


class Interimap:
    def __init__(self, server):
        self.dir = tempfile.mkdtemp(prefix="hafen-e2e-interimap-")
        self.config = os.path.join(self.dir, "config")
        with open(self.config, "w") as f:
            f.write(CONFIG.format(dir=self.dir, hafend=hafend_binary(), config=server.config,
                                  port=server.imaps_port, password=server.passwords["bob"]))
        self.env = dict(os.environ, HOME=self.dir, XDG_CONFIG_HOME=self.dir,
                        XDG_DATA_HOME=self.dir)

    def run(self, *args):
        r = subprocess.run(["interimap", "--config=%s" % self.config, "--debug", *args],
                           capture_output=True, text=True, timeout=180, env=self.env)
        assert r.returncode == 0, r.stdout + r.stderr + self.log()
        return r.stdout + r.stderr

    def log(self):
        try:
            with open(os.path.join(self.dir, "interimap.log"), errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def truncate_log(self):
        open(os.path.join(self.dir, "interimap.log"), "w").close()

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def account(server, user):
    """{mailbox: {Message-ID: flags}} of every selectable mailbox."""
    c = server.connect(timeout=60)
    c.login(user)
    untagged, _ = c.command('LIST "" "*"')
    names = [re.search(r'"/" (.*)$', l).group(1).strip('"') for l in untagged
             if "\\Noselect" not in l]
    out = {}
    for name in names:
        c.command('EXAMINE "%s"' % name)
        untagged, tagged = c.command("UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        box = {}
        flags = None
        for line in untagged:
            m = re.search(r"FLAGS \(([^)]*)\)", line)
            if m:
                flags = frozenset(f for f in m.group(1).split() if f != "\\Recent")
            m = re.search(r"Message-ID: (<[^>]+>)", line, re.I)
            if m:
                assert m.group(1) not in box, ("duplicate", name, m.group(1))
                box[m.group(1)] = flags
        out[name] = box
    c.close()
    return out


def fill(server, user, mailbox, ids, flags=None):
    c = server.connect(timeout=60)
    c.login(user)
    if mailbox != "INBOX":
        c.command('CREATE "%s"' % mailbox)
    for n in ids:
        sv.append(c, mailbox, sv.message(n, subject="%s %d" % (user, n)), flags=flags)
    c.close()


def run_cmds(server, user, mailbox, *commands):
    c = server.connect(timeout=60)
    c.login(user)
    untagged, tagged = c.command('SELECT "%s"' % mailbox)
    assert " OK " in tagged, tagged
    for cmd in commands:
        untagged, tagged = c.command(cmd)
        assert " OK " in tagged, (cmd, tagged)
    c.close()


@pytest.fixture
def pair(make_server):
    s = make_server()
    tool = Interimap(s)
    yield s, tool
    tool.close()


def assert_in_sync(server):
    a, b = account(server, "alice"), account(server, "bob")
    assert a == b
    return a


def test_interimap_two_way_sync(pair):
    server, tool = pair
    fill(server, "alice", "INBOX", range(1, 6), flags="\\Seen")
    fill(server, "alice", "Work", range(10, 14))
    fill(server, "bob", "INBOX", range(20, 23), flags="\\Flagged $Label1")
    fill(server, "bob", "Lists/Debian", range(30, 32))
    tool.run()
    state = assert_in_sync(server)
    assert len(state["INBOX"]) == 8 and len(state["Work"]) == 4
    assert len(state["Lists/Debian"]) == 2
    # It resynchronised with QRESYNC, not by listing everything.
    assert "ENABLE QRESYNC" in tool.log()

    # Changes on both sides: flags, expunges, moves, new mail.
    run_cmds(server, "alice", "INBOX", "STORE 1 +FLAGS (\\Answered $Work)",
             "STORE 2 -FLAGS (\\Seen)", "STORE 3 +FLAGS (\\Deleted)", "EXPUNGE")
    run_cmds(server, "bob", "Work", "STORE 1:2 +FLAGS (\\Flagged)", "UID MOVE 4 INBOX")
    fill(server, "bob", "INBOX", [40])
    fill(server, "alice", "Lists/Debian", [41, 42])
    tool.truncate_log()
    tool.run()
    log = tool.log()
    assert re.search(r"SELECT \S+ \(QRESYNC \(\d+ \d+", log), log[-3000:]
    state = assert_in_sync(server)
    assert len(state["INBOX"]) == 9 and len(state["Work"]) == 3
    assert "\\Answered" in state["INBOX"]["<m1@example.com>"]
    assert "$Work" in state["INBOX"]["<m1@example.com>"]
    assert "<m3@example.com>" not in state["INBOX"]

    # A run with nothing to do changes nothing; --repair finds nothing.
    tool.truncate_log()
    tool.run()
    assert not re.search(r"^\S+ [<>] \S+ (APPEND|UID STORE|UID EXPUNGE)", tool.log(), re.M)
    assert assert_in_sync(server) == state
    out = tool.run("--repair")
    assert "WARNING" not in out and "ERROR" not in out, out
    assert not re.search(r"(?i)(missing|mismatch|repair)", out), out
    assert assert_in_sync(server) == state


def test_interimap_flags_race_and_many(pair):
    """Many messages and a conflicting flag change on both sides: the
    union of both flag lists ends up on both (interimap's rule)."""
    server, tool = pair
    fill(server, "alice", "INBOX", range(1, 121))
    tool.run()
    assert_in_sync(server)
    run_cmds(server, "alice", "INBOX", "STORE 5 +FLAGS (\\Seen)", "STORE 1:40 +FLAGS ($A)")
    run_cmds(server, "bob", "INBOX", "STORE 5 +FLAGS (\\Flagged)",
             "STORE 60:80 +FLAGS (\\Deleted)", "EXPUNGE")
    tool.run()
    state = assert_in_sync(server)
    assert len(state["INBOX"]) == 99
    assert {"\\Seen", "\\Flagged"} <= state["INBOX"]["<m5@example.com>"]
    out = tool.run("--repair")
    assert "WARNING" not in out, out
