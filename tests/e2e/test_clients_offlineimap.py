"""offlineimap (offlineimap3) as a client (INTEROP.md): sync an account to a
local Maildir and back over IMAPS (certificate pinned by fingerprint) and
through `hafend imap --stdio` (preauthtunnel). Messages and flags reach the
Maildir, local changes (new mail, flags, deletions) reach the server,
server changes reach the Maildir, and a run with nothing to do changes
nothing."""
import hashlib
import os
import re
import shutil
import ssl
import subprocess
import tempfile

import pytest

import storeview as sv
from conftest import hafend_binary

pytestmark = pytest.mark.skipif(shutil.which("offlineimap") is None,
                                reason="offlineimap is not installed")

RC = """\
[general]
accounts = hafen
metadata = {dir}/meta
ui = quiet

[Account hafen]
localrepository = local
remoterepository = remote

[Repository local]
type = Maildir
localfolders = {dir}/mail

[Repository remote]
type = IMAP
{remote}
remoteuser = alice
remotepass = {password}
maxconnections = 1
expunge = yes
"""


class Offlineimap:
    def __init__(self, server, mode):
        self.dir = tempfile.mkdtemp(prefix="hafen-e2e-offlineimap-")
        if mode == "imaps":
            with open(os.path.join(server.data, "tls", "cert.pem")) as f:
                der = ssl.PEM_cert_to_DER_cert(f.read())
            remote = ("remotehost = 127.0.0.1\nremoteport = %d\nssl = yes\n"
                      "cert_fingerprint = %s" % (server.imaps_port,
                                                 hashlib.sha256(der).hexdigest()))
        else:
            remote = "preauthtunnel = %s imap --stdio -c %s --user alice" % (
                hafend_binary(), server.config)
        self.rc = os.path.join(self.dir, "rc")
        with open(self.rc, "w") as f:
            f.write(RC.format(dir=self.dir, remote=remote, password=server.passwords["alice"]))
        os.makedirs(os.path.join(self.dir, "mail"))

    def run(self):
        r = subprocess.run(["offlineimap", "-c", self.rc, "-o", "-u", "basic"],
                           capture_output=True, text=True, timeout=180,
                           env=dict(os.environ, HOME=self.dir))
        out = r.stdout + r.stderr
        assert r.returncode == 0 and "ERROR" not in out, out
        return out

    def maildir(self, folder="INBOX"):
        """{Message-ID: Maildir flags} of a local folder."""
        out = {}
        for sub in ("new", "cur"):
            d = os.path.join(self.dir, "mail", folder, sub)
            for name in os.listdir(d) if os.path.isdir(d) else []:
                with open(os.path.join(d, name), "rb") as f:
                    m = re.search(rb"^Message-ID: (<[^>]+>)", f.read(), re.M | re.I)
                out[m.group(1).decode()] = name.split(":2,", 1)[1] if ":2," in name else ""
        return out

    def path_of(self, folder, msgid):
        for sub in ("new", "cur"):
            d = os.path.join(self.dir, "mail", folder, sub)
            for name in os.listdir(d):
                with open(os.path.join(d, name), "rb") as f:
                    if msgid.encode() in f.read():
                        return os.path.join(d, name)
        raise KeyError(msgid)

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


MAILDIR_FLAGS = {"\\Draft": "D", "\\Flagged": "F", "\\Answered": "R", "\\Seen": "S"}


def server_view(server, folder="INBOX"):
    """{Message-ID: Maildir-style flags} of a server mailbox."""
    c = server.connect(timeout=60)
    c.login()
    c.command('EXAMINE "%s"' % folder)
    untagged, tagged = c.command("UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
    out, flags = {}, ""
    for line in untagged:
        m = re.search(r"FLAGS \(([^)]*)\)", line)
        if m:
            flags = "".join(sorted(MAILDIR_FLAGS[f] for f in m.group(1).split()
                                   if f in MAILDIR_FLAGS))
        m = re.search(r"Message-ID: (<[^>]+>)", line, re.I)
        if m:
            out[m.group(1)] = flags
    c.close()
    return out


def run_cmds(server, folder, *commands):
    c = server.connect(timeout=60)
    c.login()
    c.command('SELECT "%s"' % folder)
    for cmd in commands:
        untagged, tagged = c.command(cmd)
        assert " OK " in tagged, (cmd, tagged)
    c.close()


@pytest.mark.parametrize("mode", ["imaps", "tunnel"])
def test_offlineimap_two_way(make_server, mode):
    server = make_server()
    c = server.connect(timeout=60)
    c.login()
    sv.fill(c, "INBOX", 5)
    c.command("CREATE Work")
    sv.fill(c, "Work", 3, start=50, flags="\\Flagged")
    c.close()
    tool = Offlineimap(server, mode)
    try:
        tool.run()
        assert tool.maildir() == server_view(server)
        assert tool.maildir("Work") == server_view(server, "Work") and \
            set(tool.maildir("Work").values()) == {"F"}

        # Local changes: a new message, \Seen on one, one deleted.
        new = os.path.join(tool.dir, "mail", "INBOX", "new", "1700000000.local.host")
        with open(new, "wb") as f:
            f.write(sv.message(900))
        seen = tool.path_of("INBOX", "<m1@example.com>")
        os.rename(seen, seen.split(":2,")[0] + ":2,S")
        os.unlink(tool.path_of("INBOX", "<m2@example.com>"))
        # Server changes: a flag and an expunge in Work.
        run_cmds(server, "Work", "STORE 1 +FLAGS (\\Answered)",
                 "STORE 3 +FLAGS (\\Deleted)", "EXPUNGE")
        tool.run()
        inbox = server_view(server)
        assert "<m900@example.com>" in inbox and "<m2@example.com>" not in inbox
        assert inbox["<m1@example.com>"] == "S"
        assert tool.maildir() == inbox
        assert tool.maildir("Work") == server_view(server, "Work")
        assert tool.maildir("Work")["<m50@example.com>"] == "FR"
        assert len(tool.maildir("Work")) == 2

        # Nothing to do: nothing changes on either side.
        before = (server_view(server), server_view(server, "Work"),
                  sv.mailbox(server, "INBOX")["highestmodseq"])
        tool.run()
        assert (server_view(server), server_view(server, "Work"),
                sv.mailbox(server, "INBOX")["highestmodseq"]) == before
        assert tool.maildir() == before[0]
    finally:
        tool.close()
