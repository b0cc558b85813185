"""mbsync (isync) as a client (INTEROP.md): sync an account to a local
Maildir and back. Mail made locally reaches the server, a flag changed on
the server reaches the Maildir, deletions go both ways, and a second run
changes nothing."""
import os
import re
import shutil
import subprocess
import tempfile
import time

import pytest

from conftest import hafend_binary
from test_idle import append

pytestmark = pytest.mark.skipif(shutil.which("mbsync") is None, reason="mbsync is not installed")

RC = """\
IMAPAccount hafen
Host 127.0.0.1
Port {port}
User alice
Pass {password}
{ssl}
AuthMechs {mechs}
PipelineDepth {depth}

IMAPStore remote
Account hafen

MaildirStore local
Path {dir}/mail/
Inbox {dir}/mail/INBOX
SubFolders Verbatim

Channel sync
Far :remote:
Near :local:
Patterns *
Create Both
Remove None
Expunge Both
CopyArrivalDate yes
Sync All
SyncState *
"""


class Mbsync:
    def __init__(self, server, ssl="imaps", depth=1, mechs="*"):
        self.server = server
        self.dir = tempfile.mkdtemp(prefix="hafen-e2e-mbsync-")
        cert = os.path.join(server.data, "tls", "cert.pem")
        if ssl == "imaps":
            port, ssl_lines = server.imaps_port, ("SSLType IMAPS\nCertificateFile %s\n"
                                                  "SystemCertificates no" % cert)
        elif ssl == "starttls":
            port, ssl_lines = server.imap_port, ("SSLType STARTTLS\nCertificateFile %s\n"
                                                 "SystemCertificates no" % cert)
        elif ssl == "tunnel":
            port, ssl_lines = 0, 'Tunnel "%s imap --stdio -c %s --user alice"' % (
                hafend_binary(), server.config)
        else:
            port, ssl_lines = server.imap_port, "SSLType None"
        self.rc = os.path.join(self.dir, "mbsyncrc")
        with open(self.rc, "w") as f:
            f.write(RC.format(port=port, password=server.passwords["alice"], ssl=ssl_lines,
                              dir=self.dir, mechs=mechs, depth=depth))
        os.makedirs(os.path.join(self.dir, "mail"))

    def run(self, *args):
        r = subprocess.run(["mbsync", "-c", self.rc, *args, "-a"], capture_output=True,
                           text=True, timeout=120)
        assert r.returncode == 0, r.stdout + r.stderr
        return r

    def maildir(self, folder="INBOX"):
        """{Message-ID: flags} of a local folder."""
        out = {}
        base = os.path.join(self.dir, "mail", folder)
        for sub in ("new", "cur"):
            d = os.path.join(base, sub)
            if not os.path.isdir(d):
                continue
            for name in os.listdir(d):
                with open(os.path.join(d, name), "rb") as f:
                    m = re.search(rb"^Message-ID: (<[^>]+>)", f.read(), re.M | re.I)
                flags = name.split(":2,", 1)[1] if ":2," in name else ""
                out[m.group(1).decode()] = flags
        return out

    def listing(self):
        entries = []
        for root, dirs, files in os.walk(os.path.join(self.dir, "mail")):
            entries += [os.path.relpath(os.path.join(root, f), self.dir) for f in files
                        if not f.startswith(".mbsyncstate.lock")]
        return sorted(entries)

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def server_view(server, folder="INBOX"):
    """{Message-ID: sorted flags} of a server mailbox, and its UIDVALIDITY."""
    c = server.connect()
    c.login()
    untagged, tagged = c.command('EXAMINE "%s"' % folder)
    assert " OK " in tagged, tagged
    validity = next(l for l in untagged if "UIDVALIDITY" in l)
    c.send("f UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])\r\n")
    out, flags = {}, None
    while True:
        line = c.readline()
        if line.startswith("f "):
            assert " OK " in line or "BAD" in line, line
            break
        m = re.search(r"FLAGS \(([^)]*)\)", line)
        if m:
            flags = sorted(f for f in m.group(1).split() if f != "\\Recent")
        m = re.match(r"Message-ID: (<[^>]+>)", line, re.I)
        if m:
            out[m.group(1)] = flags
    c.close()
    return out, validity


def local_message(mb, folder, unique, msgid, flags=""):
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(mb.dir, "mail", folder, sub), exist_ok=True)
    d = os.path.join(mb.dir, "mail", folder, "cur" if flags else "new")
    path = os.path.join(d, "%d.%s.e2e%s" % (int(time.time()), unique,
                                            ":2," + flags if flags else ""))
    with open(path, "wb") as f:
        f.write(b"From: Local <local@example.org>\r\nTo: alice@example.org\r\n"
                b"Subject: written offline\r\nDate: Mon, 3 Jun 2024 09:00:00 +0000\r\n"
                b"Message-ID: " + msgid.encode() + b"\r\n\r\nMade in the Maildir.\r\n")
    return path


@pytest.fixture
def account(make_server):
    server = make_server()
    c = server.connect()
    c.login()
    c.command("CREATE Work")
    c.command("CREATE Work/Projects")
    c.close()
    append(server)
    append(server)
    append(server, "Work", flags="(\\Seen)")
    append(server, "Work/Projects")
    return server


def test_mbsync_two_way(account):
    server = account
    mb = Mbsync(server)
    try:
        mb.run()
        # Everything arrived locally, folders and flags included.
        inbox, validity = server_view(server)
        assert set(mb.maildir()) == set(inbox) and len(inbox) == 2
        assert set(mb.maildir("Work")) == set(server_view(server, "Work")[0])
        assert list(mb.maildir("Work").values()) == ["S"]
        assert len(mb.maildir("Work/Projects")) == 1

        # A message made locally appears on the server, with its flags.
        local_message(mb, "INBOX", "one", "<local-1@example.org>", flags="FS")
        # A flag changed on the server reaches the Maildir.
        c = server.connect()
        c.login()
        c.command("SELECT INBOX")
        c.command("STORE 1 +FLAGS (\\Flagged)")
        c.close()
        # A local folder is created on the server.
        local_message(mb, "Archive/2024", "two", "<local-2@example.org>")
        mb.run()
        inbox, validity2 = server_view(server)
        assert validity2 == validity
        assert inbox["<local-1@example.org>"] == ["\\Flagged", "\\Seen"]
        first = next(k for k, v in inbox.items() if "\\Flagged" in v and k != "<local-1@example.org>")
        assert "F" in mb.maildir()[first]
        assert "<local-2@example.org>" in server_view(server, "Archive/2024")[0]

        # A second run changes nothing on either side.
        before_local, before_server = mb.listing(), server_view(server)
        r = mb.run("-Dn")
        assert mb.listing() == before_local
        assert server_view(server) == before_server
        sent = [l.split(None, 2)[2] for l in (r.stdout + r.stderr).splitlines()
                if l.startswith(">>> ")]
        # It authenticated with SCRAM (Cyrus SASL's client) and only looked
        # (COMPRESS DEFLATE, which mbsync takes once it is offered, changes
        # nothing in the mailboxes).
        assert sent[0].startswith("AUTHENTICATE SCRAM-SHA-256 "), sent[:3]
        verbs = {s.split()[0] if not s.startswith("UID ") else " ".join(s.split()[:2])
                 for s in sent}
        assert verbs <= {"AUTHENTICATE", "CAPABILITY", "COMPRESS", "NAMESPACE", "LIST",
                         "SELECT", "EXAMINE", "UID FETCH", "CLOSE", "LOGOUT"}, verbs

        # Deleting locally expunges on the server (Expunge Both), and an
        # expunge on the server removes the local copy.
        path = next(os.path.join(root, f) for root, d, files in
                    os.walk(os.path.join(mb.dir, "mail", "INBOX")) for f in files
                    if b"<local-1@example.org>" in open(os.path.join(root, f), "rb").read())
        os.rename(path, path + "T" if ":2," in path else path + ":2,T")
        c = server.connect()
        c.login()
        c.command("SELECT Work")
        c.command("STORE 1:* +FLAGS (\\Deleted)")
        c.command("EXPUNGE")
        c.close()
        mb.run()
        assert "<local-1@example.org>" not in server_view(server)[0]
        assert mb.maildir("Work") == {}
        listing = mb.listing()
        mb.run()
        assert mb.listing() == listing
    finally:
        mb.close()


def test_mbsync_tunnel(account):
    """mbsync's Tunnel runs hafend imap --stdio (pre-authenticated); what it
    stores there the daemon serves afterwards."""
    mb = Mbsync(account, ssl="tunnel")
    with open(mb.rc) as f:
        rc = f.read()
    with open(mb.rc, "w") as f:
        f.write(re.sub(r"^(Host|Port|User|Pass|AuthMechs) .*\n", "", rc, flags=re.M))
    try:
        mb.run()
        assert len(mb.maildir()) == 2
        local_message(mb, "INBOX", "tun", "<local-tunnel@example.org>", flags="S")
        mb.run()
        view, validity = server_view(account)
        assert view["<local-tunnel@example.org>"] == ["\\Seen"]
        c = account.connect()
        c.login()
        c.command("SELECT INBOX")
        untagged, tagged = c.command('UID SEARCH HEADER Message-ID "<local-tunnel@example.org>"')
        uid = untagged[0].split()[2]
        untagged, tagged = c.command("UID FETCH %s (BODY.PEEK[TEXT])" % uid)
        assert tagged.endswith("OK UID FETCH completed"), tagged
        assert "Made in the Maildir." in untagged, untagged
        c.close()
        listing = mb.listing()
        mb.run()
        assert mb.listing() == listing
    finally:
        mb.close()


@pytest.mark.parametrize("mode", ["starttls", "none"])
def test_mbsync_other_transports(account, mode):
    mb = Mbsync(account, ssl=mode, depth=8, mechs="LOGIN PLAIN" if mode == "none" else "*")
    try:
        mb.run()
        assert len(mb.maildir()) == 2
        local_message(mb, "INBOX", "t", "<local-t-%s@example.org>" % mode)
        mb.run()
        assert "<local-t-%s@example.org>" % mode in server_view(account)[0]
        listing = mb.listing()
        mb.run()
        assert mb.listing() == listing
    finally:
        mb.close()


def test_mbsync_many_messages_pipelined(make_server):
    """A few hundred messages with a deep pipeline: every one arrives once."""
    server = make_server()
    c = server.connect()
    c.login()
    for i in range(300):
        msg = (b"From: x@example.org\r\nSubject: bulk %d\r\nMessage-ID: <bulk-%d@example.org>"
               b"\r\n\r\nbody %d\r\n" % (i, i, i))
        c.send("b%d APPEND INBOX {%d+}\r\n" % (i, len(msg)))
        c.send(msg + b"\r\n")
    for i in range(300):
        untagged, tagged = c.until_tagged("b%d" % i)
        assert " OK " in tagged, tagged
    c.close()
    mb = Mbsync(server, depth=32)
    try:
        mb.run()
        assert len(mb.maildir()) == 300
        listing = mb.listing()
        mb.run()
        assert mb.listing() == listing
    finally:
        mb.close()
