"""Real clients against the mailbox commands: curl lists mailboxes and asks
for STATUS; mbsync mirrors the mailbox tree both ways (LIST, CREATE with
missing parents, special-use names) and a second run changes nothing."""
import itertools
import os
import shutil
import subprocess
import tempfile

import pytest

_users = itertools.count(1)


@pytest.fixture
def user(server):
    name = "cli%d" % next(_users)
    server.hafend("user", "add", name, stdin="pw-%s\n" % name)
    server.passwords[name] = "pw-" + name
    return name


def login(server, user):
    c = server.connect()
    c.login(user)
    return c


def ok(c, command):
    untagged, tagged = c.command(command)
    assert " OK " in tagged, (command, tagged)
    return untagged


def curl(server, user, *args):
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    r = subprocess.run(["curl", "-s", "-S", "--max-time", "20", "-u",
                        "%s:%s" % (user, server.passwords[user]), *args],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    return r.stdout.replace("\r\n", "\n").splitlines()


def test_curl_lists_mailboxes(server, user):
    c = login(server, user)
    ok(c, "CREATE Projects/2024")
    ok(c, 'CREATE "Sent Messages"')
    url = "imap://%s:%d/" % (server.host, server.imap_port)
    assert curl(server, user, url) == [
        '* LIST (\\HasNoChildren) "/" INBOX',
        '* LIST (\\HasNoChildren \\Archive) "/" Archive',
        '* LIST (\\HasNoChildren \\Drafts) "/" Drafts',
        '* LIST (\\HasNoChildren \\Junk) "/" Junk',
        '* LIST (\\HasChildren) "/" Projects',
        '* LIST (\\HasNoChildren) "/" Projects/2024',
        '* LIST (\\HasNoChildren \\Sent) "/" Sent',
        '* LIST (\\HasNoChildren) "/" "Sent Messages"',
        '* LIST (\\HasNoChildren \\Trash) "/" Trash',
    ]
    # curl sends LIST "Projects" *: the reference joined to the pattern.
    assert curl(server, user, url + "Projects") == [
        '* LIST (\\HasChildren) "/" Projects',
        '* LIST (\\HasNoChildren) "/" Projects/2024']
    assert curl(server, user, url, "-X", "STATUS Projects/2024 (MESSAGES UIDNEXT)") == \
        ["* STATUS Projects/2024 (MESSAGES 0 UIDNEXT 1)"]
    assert curl(server, user, url, "-X", 'LIST "" % RETURN (SPECIAL-USE)')[1:3] == [
        '* LIST (\\HasNoChildren \\Archive) "/" Archive',
        '* LIST (\\HasNoChildren \\Drafts) "/" Drafts']


def mbsync(server, user, workdir):
    if shutil.which("mbsync") is None:
        pytest.skip("mbsync is not installed")
    rc = os.path.join(workdir, "mbsyncrc")
    with open(rc, "w") as f:
        f.write("IMAPAccount acc\nHost %s\nPort %d\nUser %s\nPass %s\nSSLType None\n"
                "AuthMechs LOGIN PLAIN\n\nIMAPStore remote\nAccount acc\n\n"
                "MaildirStore local\nPath %s/mail/\nInbox %s/mail/INBOX\nSubFolders Verbatim\n\n"
                "Channel ch\nFar :remote:\nNear :local:\nPatterns *\nCreate Both\n"
                "Expunge Both\nSyncState *\nSync All\n"
                % (server.host, server.imap_port, user, server.passwords[user], workdir, workdir))
    r = subprocess.run(["mbsync", "-c", rc, "-a"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout + r.stderr


def local_folders(workdir):
    root = os.path.join(workdir, "mail")
    out = set()
    for dirpath, dirnames, filenames in os.walk(root):
        if {"cur", "new", "tmp"} <= set(dirnames):
            out.add(os.path.relpath(dirpath, root))
    return out


def test_mbsync_mirrors_the_tree(server, user):
    workdir = tempfile.mkdtemp(prefix="hafen-mbsync-")
    try:
        c = login(server, user)
        ok(c, "CREATE Lists/imap")
        ok(c, 'CREATE "Old Mail/2020"')
        for folder in ("Local", "Local/Deep/Er"):
            for sub in ("cur", "new", "tmp"):
                os.makedirs(os.path.join(workdir, "mail", folder, sub))
        mbsync(server, user, workdir)
        assert local_folders(workdir) == {
            "INBOX", "Archive", "Drafts", "Junk", "Sent", "Trash", "Lists", "Lists/imap",
            "Old Mail", "Old Mail/2020", "Local", "Local/Deep/Er"}
        # The remote tree got the local folders, with the missing parent.
        names = [l.split('"/" ', 1)[1] for l in ok(c, 'LIST "" *')]
        assert names == ["INBOX", "Archive", "Drafts", "Junk", "Lists", "Lists/imap", "Local",
                         "Local/Deep", "Local/Deep/Er", '"Old Mail"', '"Old Mail/2020"', "Sent",
                         "Trash"]
        # A second run has nothing to do.
        before = ok(c, 'LIST "" * RETURN (STATUS (MESSAGES UIDNEXT UIDVALIDITY))')
        mbsync(server, user, workdir)
        assert ok(c, 'LIST "" * RETURN (STATUS (MESSAGES UIDNEXT UIDVALIDITY))') == before
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
