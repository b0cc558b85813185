"""hafend import and export end to end: Maildir (Maildir++ and trees) and
mbox (mboxrd, mboxo, trees) into a user's store with flags, keywords,
internal dates and folder names; export as Maildir++ and as an mbox tree;
round trips import -> export -> import that keep every message byte for
byte; re-runs that add nothing; a run killed in the middle and run again
that neither loses nor doubles; ownership when run as root; exit codes.
"""
import calendar
import hashlib
import os
import pwd
import re
import shutil
import signal
import subprocess
import time

import pytest

import storeview

# Messages with the cases that break importers and exporters.
TRICKY = [
    b"From: a@example.org\nSubject: plain LF\nMessage-ID: <1@x>\n\nhello\n",
    b"From: a@example.org\r\nSubject: CRLF already\r\n\r\nbody\r\n",
    b"Subject: From lines\n\nFrom here\n>From there\n>>From everywhere\nFrom\nFromage\n",
    b"From the very start of the message\nSubject: odd\n\nx\n",
    b"Subject: no final line end\n\nlast line",
    b"Subject: stray CR\r\n\r\na\r\r\nb\rc\r\n",
    b"Subject: mixed\r\nX: y\n\nline\r\nline\n",
    b"Subject: 8-bit \xc3\xa4\xc3\xb6\n\n\xff\xfe binary-ish \x00 NUL\n",
    b"Return-Path: <bounce@example.org>\nSubject: with return path\n\nx\n",
    b"\nno header at all\n",
    b"Subject: duplicate\n\nsame bytes\n",
    b"Subject: duplicate\n\nsame bytes\n",
    b"Subject: ends with CR\r",
    b"X-Mozilla-Status: 0001\nX-Mozilla-Keys: $label1\nSubject: Thunderbird fields\n\nx\n",
]


def crlf(data):
    """What the store keeps: every LF without a CR before it gets one."""
    return re.sub(rb"(?<!\r)\n", b"\r\n", data)


def run(server, *args, timeout=300, check=None):
    r = subprocess.run([server.binary, *args, "-c", server.config], capture_output=True,
                       timeout=timeout)
    for marker in (b"AddressSanitizer", b"LeakSanitizer", b"runtime error:"):
        assert marker not in r.stderr, r.stderr.decode(errors="replace")
    if check is not None:
        assert r.returncode == check, (r.returncode, r.stdout, r.stderr)
    return r


def add_user(server, name):
    server.hafend("user", "add", name, stdin="pw-" + name + "\n")
    server.passwords[name] = "pw-" + name


def mailboxes(server, user):
    with storeview._db(server, user) as db:
        return sorted(r[0] for r in db.execute("SELECT name FROM mailboxes WHERE NOT noselect"))


def content(server, user):
    """{mailbox: sorted [(data, flags, keywords, internaldate)]} of a user."""
    out = {}
    for name in mailboxes(server, user):
        msgs = storeview.messages(server, name, user)
        out[name] = sorted((m["data"], tuple(sorted(m["flags"])), tuple(sorted(m["keywords"])),
                            m["internaldate"]) for m in msgs)
    return out


def write_maildir_message(folder, sub, name, data, mtime):
    path = os.path.join(folder, sub, name)
    with open(path, "wb") as f:
        f.write(data)
    os.utime(path, (mtime, mtime))
    return path


def make_maildir(root, folders):
    """folders: {disk dir below root ('' is the root): [(sub, name, data, mtime)]}."""
    for rel, msgs in folders.items():
        d = os.path.join(root, rel)
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        for sub, name, data, mtime in msgs:
            write_maildir_message(d, sub, name, data, mtime)


@pytest.fixture
def src(server):
    """A source directory only root can read (the import reads it with
    root's rights and writes the store as the run_as user)."""
    d = os.path.join(server.tmp, "src-%d" % time.monotonic_ns())
    os.mkdir(d, 0o700)
    yield d
    shutil.rmtree(d, ignore_errors=True)


# ---- Maildir ----

def test_maildir_flags_keywords_dates_and_folders(server, src):
    add_user(server, "md1")
    t0 = 1600000000
    make_maildir(src, {
        "": [("cur", "%d.M1P1.host,S=40:2,FRSa" % t0, TRICKY[0], t0),
             ("new", "%d.M2P1.host" % (t0 + 10), TRICKY[1], t0 + 10),
             ("cur", "%d.M3P1.host:2,DTPcz" % (t0 + 5), TRICKY[2], t0 + 5)],
        ".Sent": [("cur", "1.a.h:2,S", TRICKY[3], t0)],
        ".Lists.dev": [("cur", "2.b.h:2,", TRICKY[4], t0)],
        ".Caf&AOk-.R&-D": [("cur", "3.c.h:2,S", TRICKY[5], t0)],
        ".v1\\2e2": [("cur", "4.d.h;2,F", TRICKY[6], t0)],
    })
    with open(os.path.join(src, "dovecot-keywords"), "w") as f:
        f.write("0 $Label1\n2 Work\n25 zz\n")
    # In tmp/: a delivery in progress, not a message yet.
    write_maildir_message(src, "tmp", "5.e.h", b"Subject: partial", t0)
    # An empty file is reported and skipped.
    write_maildir_message(os.path.join(src, ".Sent"), "new", "6.f.h", b"", t0)

    r = run(server, "import", "md1", "maildir", src)
    assert r.returncode == 65, r  # one item skipped
    assert b"skipped " in r.stdout and b"empty file" in r.stdout
    assert b"md1: 7 messages imported into 5 mailboxes" in r.stdout

    names = mailboxes(server, "md1")
    for want in ("INBOX", "Sent", "Lists/dev", "Caf\u00e9/R&D", "v1.2"):
        assert want in names, names
    inbox = storeview.messages(server, "INBOX", "md1")
    assert [m["data"] for m in inbox] == [crlf(TRICKY[0]), crlf(TRICKY[2]), crlf(TRICKY[1])]
    assert inbox[0]["flags"] == {"\\Flagged", "\\Answered", "\\Seen"}
    assert inbox[0]["keywords"] == ["$Label1"]
    assert inbox[0]["internaldate"] == t0
    assert inbox[1]["flags"] == {"\\Draft", "\\Deleted"}
    assert sorted(inbox[1]["keywords"]) == ["$Forwarded", "Work", "zz"]
    assert inbox[2]["flags"] == set() and inbox[2]["internaldate"] == t0 + 10
    assert storeview.messages(server, "v1.2", "md1")[0]["flags"] == {"\\Flagged"}

    # Clients see the folders, subscribed.
    m = server.imaplib("md1")
    typ, data = m.lsub('""', "*")
    listed = b" ".join(data)
    assert b"Caf&AOk-/R&-D" in listed and b"Lists/dev" in listed
    m.logout()


def test_maildir_fs_layout_and_errors(server, src):
    add_user(server, "md2")
    make_maildir(src, {"Work": [("cur", "1.a.h:2,S", b"Subject: w\n\nw\n", 1500000000)],
                       "Work/Project": [("new", "2.b.h", b"Subject: p\n\np\n", 1500000000)]})
    os.makedirs(os.path.join(src.encode(), b"Bad\xff", b"cur"))  # Latin-1: not UTF-8
    r = run(server, "import", "md2", "maildir", src)
    assert r.returncode == 65 and b"neither modified UTF-7 nor UTF-8" in r.stdout
    assert "Work/Project" in mailboxes(server, "md2")

    assert run(server, "import", "md2", "maildir", os.path.join(src, "nowhere")).returncode == 66
    os.mkdir(os.path.join(src, "empty"))
    r = run(server, "import", "md2", "maildir", os.path.join(src, "empty"))
    assert r.returncode == 66 and b"no maildir" in r.stderr
    assert run(server, "import", "nobody", "maildir", src).returncode == 67
    assert run(server, "import", "md2", "tarball", src).returncode == 64
    assert run(server, "import", "md2", "maildir").returncode == 64


# ---- mbox ----

def mbox_record(data, sender="sender@example.org", date="Thu Nov 29 23:33:09 1973 +0200",
                quote=True):
    lines = data.split(b"\n")
    if quote:
        lines = [b">" + l if re.match(rb"^>*From ", l) else l for l in lines]
    body = b"\n".join(lines)
    return b"From " + sender.encode() + b" " + date.encode() + b"\n" + body + b"\n"


def test_mbox_file_and_tree(server, src):
    add_user(server, "mb1")
    box = os.path.join(src, "inbox.mbox")
    with open(box, "wb") as f:
        f.write(mbox_record(b"Status: RO\nX-Status: AF\nX-Keywords: Junk $Label2\n"
                            b"Subject: flagged\n\nFrom the body\n>From quoted\n"))
        f.write(mbox_record(b"Subject: local time\n\nx\n", date="Fri Jan  2 10:14:00 1970"))
        f.write(mbox_record(b"Subject: rfc date\n\ny\n", date="Fri, 2 Jan 1970 10:14:00 -0100"))
    r = run(server, "import", "mb1", "mbox", box, check=0)
    assert b"mb1: 3 messages imported into 1 mailboxes" in r.stdout
    inbox = storeview.messages(server, "INBOX", "mb1")
    assert inbox[0]["data"] == crlf(b"Subject: flagged\n\nFrom the body\n>From quoted\n")
    assert inbox[0]["flags"] == {"\\Seen", "\\Answered", "\\Flagged"}
    assert sorted(inbox[0]["keywords"]) == ["$Label2", "Junk"]
    assert inbox[0]["internaldate"] == 123456789 and inbox[0]["tz"] == 120
    local = time.mktime(time.strptime("1970-01-02 10:14:00", "%Y-%m-%d %H:%M:%S"))
    assert inbox[1]["internaldate"] == int(local)
    assert inbox[2]["internaldate"] == 123240 + 3600 and inbox[2]["tz"] == -60

    # A tree: directories and Thunderbird's .sbd are levels; .msf, dot
    # files and files that are not mbox are skipped.
    tree = os.path.join(src, "mail")
    os.makedirs(os.path.join(tree, "Lists.sbd", "deep"))
    os.makedirs(os.path.join(tree, "Caf&AOk-"))
    for rel, data in (("Lists", b"Subject: l\n\nl\n"), ("Lists.sbd/dev", b"Subject: d\n\nd\n"),
                      ("Lists.sbd/deep/er", b"Subject: e\n\ne\n"),
                      ("Caf&AOk-/Men\u00fc".encode().decode(), b"Subject: c\n\nc\n")):
        with open(os.path.join(tree, rel), "wb") as f:
            f.write(mbox_record(data))
    for junk in ("Lists.msf", ".subscriptions"):
        with open(os.path.join(tree, junk), "w") as f:
            f.write("not mail\n")
    with open(os.path.join(tree, "notes.txt"), "w") as f:
        f.write("just a text file\n")
    open(os.path.join(tree, "Empty"), "w").close()
    with open(os.path.join(tree, "Thunderbird"), "wb") as f:
        f.write(mbox_record(b"X-Mozilla-Status: 0005\nX-Mozilla-Keys: $label1\nSubject: t\n\nt\n"))
    r = run(server, "import", "mb1", "mbox", tree)
    assert r.returncode == 65 and b"notes.txt: not an mbox file" in r.stdout
    names = mailboxes(server, "mb1")
    for want in ("Lists", "Lists/dev", "Lists/deep/er", "Caf\u00e9/Men\u00fc", "Empty"):
        assert want in names, names
    assert not any("msf" in n or "subscriptions" in n or "notes" in n for n in names)
    tb = storeview.messages(server, "Thunderbird", "mb1")[0]
    assert tb["flags"] == {"\\Seen", "\\Flagged"} and tb["keywords"] == ["$label1"]
    # Thunderbird's fields are its own: they stay in the message.
    assert tb["data"].startswith(b"X-Mozilla-Status: 0005\r\n")


def test_mbox_formats(server, src):
    add_user(server, "mb2")
    box = os.path.join(src, "o.mbox")
    with open(box, "wb") as f:
        f.write(mbox_record(b"Subject: o\n\n>From a\n>>From b\n", quote=False))
    run(server, "import", "mb2", "mbox", box, "--mbox-format", "mboxo", check=0)
    run(server, "import", "mb2", "mbox", box, check=0)  # mboxrd: another message
    data = sorted(m["data"] for m in storeview.messages(server, "INBOX", "mb2"))
    assert data == [crlf(b"Subject: o\n\n>From a\n>>From b\n"),
                    crlf(b"Subject: o\n\nFrom a\n>From b\n")]
    assert run(server, "import", "mb2", "mbox", box, "--mbox-format", "x").returncode == 64
    # Not an mbox at all: skipped, nothing created.
    with open(box, "wb") as f:
        f.write(b"Subject: no From_ line\n\nx\n")
    assert run(server, "import", "mb2", "mbox", box).returncode == 65


# ---- round trips ----

def tricky_maildir(src):
    t0 = 1500000000
    flags = ["", "S", "RS", "F", "DT", "P", "Sa", "Sb", "ab", "", "S", "S", "", "T"]
    folders = {"": [], ".Sent": [], ".Deep.er.est": [], ".&ZeVnLIqe-": [], ".R&-D.v1\\2e0": []}
    keys = list(folders)
    for i, data in enumerate(TRICKY):
        folder = keys[i % len(keys)]
        folders[folder].append(("cur", "%d.M%dP9.host:2,%s" % (t0 + i, i, flags[i]), data, t0 + i))
    make_maildir(src, folders)
    with open(os.path.join(src, "dovecot-keywords"), "w") as f:
        f.write("0 $Label1\n1 Work\n")
    with open(os.path.join(src, ".Sent", "dovecot-keywords"), "w") as f:
        f.write("0 Other\n1 $Junk\n")


@pytest.mark.parametrize("fmt", ["maildir", "mbox"])
def test_round_trip(server, src, fmt):
    """Import a tricky Maildir, export as fmt, import that into another
    user: the same mailboxes, and in each the same messages byte for byte
    with the same flags, keywords and internal dates. Then once more from
    the second user, to show the export of an import is stable."""
    first, second, third = "rt1" + fmt, "rt2" + fmt, "rt3" + fmt
    for u in (first, second, third):
        add_user(server, u)
    tricky_maildir(src)
    run(server, "import", first, "maildir", src, check=0)
    out = os.path.join(src, "out")
    run(server, "export", first, "--format", fmt, out, check=0)
    run(server, "import", second, fmt, out, check=0)
    a, b = content(server, first), content(server, second)
    assert a == b
    assert sum(len(v) for v in a.values()) == len(TRICKY)
    out2 = os.path.join(src, "out2")
    run(server, "export", second, "--format", fmt, out2, check=0)
    run(server, "import", third, fmt, out2, check=0)
    assert content(server, third) == a
    if fmt == "mbox":
        # The mbox files of both exports are the same bytes.
        for dirpath, dirs, files in os.walk(out):
            for name in files:
                p = os.path.join(dirpath, name)
                with open(p, "rb") as f1, open(os.path.join(out2, os.path.relpath(p, out)), "rb") as f2:
                    assert f1.read() == f2.read(), p


def test_mbox_round_trip_from_mbox(server, src):
    """mbox in (with bookkeeping fields), mbox out, mbox in: the same."""
    for u in ("rm1", "rm2"):
        add_user(server, u)
    box = os.path.join(src, "in.mbox")
    with open(box, "wb") as f:
        for i, data in enumerate(TRICKY):
            if data.startswith(b"From") or data.startswith(b"\n") or data.endswith(b"\r"):
                continue
            meta = [b"", b"Status: RO\n", b"Status: O\nX-Status: AFTD\n",
                    b"X-Keywords: k1 k2\n"][i % 4]
            f.write(mbox_record(meta + data, date="Mon Jan  5 10:00:%02d 2015 +0100" % i))
    run(server, "import", "rm1", "mbox", box, check=0)
    out = os.path.join(src, "out")
    run(server, "export", "rm1", "--format", "mbox", out, check=0)
    run(server, "import", "rm2", "mbox", out, check=0)
    assert content(server, "rm1") == content(server, "rm2")


def test_export_maildir_layout_and_rerun(server, src):
    add_user(server, "ex1")
    tricky_maildir(src)
    run(server, "import", "ex1", "maildir", src, check=0)
    out = os.path.join(src, "out")
    r = run(server, "export", "ex1", "--format", "maildir", out, check=0)
    assert b"ex1: %d messages exported" % len(TRICKY) in r.stdout
    assert os.path.isfile(os.path.join(out, ".Sent", "maildirfolder"))
    assert os.path.isdir(os.path.join(out, ".&ZeVnLIqe-", "cur"))
    assert os.path.isdir(os.path.join(out, ".R&-D.v1\\2e0", "cur"))
    names = os.listdir(os.path.join(out, "cur"))
    assert all(re.match(r"^\d+\.V\d+U\d+\.[^/:,]+,S=\d+,W=\d+:2,[A-Za-z]*$", n) for n in names)
    for n in names:
        st = os.stat(os.path.join(out, "cur", n))
        assert int(n.split(".")[0]) == int(st.st_mtime)
        assert int(re.search(r",S=(\d+)", n).group(1)) == st.st_size
    # Run again: nothing new. A removed file comes back.
    os.unlink(os.path.join(out, "cur", names[0]))
    r = run(server, "export", "ex1", "--format", "maildir", out, check=0)
    assert b"1 messages exported" in r.stdout and b"already there" in r.stdout
    assert sorted(os.listdir(os.path.join(out, "cur"))) == sorted(names)
    # UTF-8 names when asked.
    out8 = os.path.join(src, "out8")
    run(server, "export", "ex1", "--format", "maildir", "--utf8-names", out8, check=0)
    assert os.path.isdir(os.path.join(out8, ".\u65e5\u672c\u8a9e"))
    assert run(server, "export", "ex1", "--format", "zip", out).returncode == 64
    assert run(server, "export", "nobody", "--format", "mbox", out).returncode == 67
    blocker = os.path.join(src, "file")
    open(blocker, "w").close()
    assert run(server, "export", "ex1", "--format", "mbox", blocker).returncode == 73


def test_export_many_keywords(server, src):
    add_user(server, "kw1")
    c = server.imaplib("kw1")
    c.append("INBOX", "(%s)" % " ".join("k%02d" % i for i in range(30)), None,
             b"Subject: k\r\n\r\nk\r\n")
    c.logout()
    out = os.path.join(src, "out")
    r = run(server, "export", "kw1", "--format", "maildir", out, check=0)
    assert b"more than 26 keywords" in r.stdout and b"4 keywords Maildir could not hold" in r.stdout
    with open(os.path.join(out, "dovecot-keywords")) as f:
        assert len(f.read().splitlines()) == 26


def test_owned_by_run_as_user(server, src):
    if os.geteuid() != 0:
        pytest.skip("needs root")
    add_user(server, "own")
    tricky_maildir(src)
    # A user never provisioned: the import creates the store.
    shutil.rmtree(storeview.user_dir(server, "own"))
    run(server, "import", "own", "maildir", src, check=0)
    uid = pwd.getpwnam("hafen").pw_uid
    for dirpath, dirs, files in os.walk(storeview.user_dir(server, "own")):
        for n in dirs + files:
            assert os.lstat(os.path.join(dirpath, n)).st_uid == uid, os.path.join(dirpath, n)
    # And the server can use it at once.
    m = server.imaplib("own")
    typ, data = m.select("Sent")
    assert typ == "OK"
    m.logout()


# ---- 10 000 messages: progress, a kill in the middle, re-runs ----

def message_n(i):
    return (b"From: sender%d@example.org\nTo: rcpt@example.org\nSubject: bulk %d\n"
            b"Message-ID: <bulk%d@example.org>\n\n" % (i, i, i)) + b"text line\n" * (i % 40 + 1)


def run_in_pty(server, args, kill_when=None):
    """Run hafend in a pseudo-terminal; returns (exit code, output). With
    kill_when, SIGKILL it as soon as that many messages are done."""
    import pty
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(server.binary, [server.binary, *args, "-c", server.config])
    out = b""
    killed = False
    deadline = time.time() + 600
    while time.time() < deadline:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
        if kill_when is not None and not killed:
            done = [int(x) for x in re.findall(rb"importing: (\d+)/", out)]
            if done and done[-1] >= kill_when:
                os.kill(pid, signal.SIGKILL)
                killed = True
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    for marker in (b"AddressSanitizer", b"LeakSanitizer", b"runtime error:"):
        assert marker not in out, out.decode(errors="replace")
    return status, out


def test_10000_messages_progress_kill_and_rerun(server, src):
    add_user(server, "bulk")
    n = 10000
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(src, sub))
    want = {}
    for i in range(n):
        data = message_n(i)
        write_maildir_message(src, "cur" if i % 3 else "new",
                              "%d.M%dP1.bulkhost:2,%s" % (1400000000 + i, i, "S" if i % 2 else ""),
                              data, 1400000000 + i)
        want[hashlib.sha256(crlf(data)).hexdigest()] = 1
    # Killed part way: some batches are in, none half.
    status, out = run_in_pty(server, ["import", "bulk", "maildir", src], kill_when=2000)
    assert os.WIFSIGNALED(status), out[-500:]
    assert b"\r" in out and b"importing: " in out
    got = len(storeview.uids(server, "INBOX", "bulk"))
    assert 0 < got < n
    # Run again on a terminal: the rest, with progress to the end.
    status, out = run_in_pty(server, ["import", "bulk", "maildir", src])
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, out[-500:]
    assert b"importing: %d/%d messages" % (n, n) in out
    assert b"INBOX: %d imported, %d already there" % (n - got, got) in out
    msgs = storeview.messages(server, "INBOX", "bulk")
    assert len(msgs) == n
    assert {hashlib.sha256(m["data"]).hexdigest() for m in msgs} == set(want)
    # And once more: nothing to do.
    r = run(server, "import", "bulk", "maildir", src, check=0)
    assert b"bulk: 0 messages imported into 1 mailboxes (0 created), %d already there" % n \
        in r.stdout
    assert len(storeview.uids(server, "INBOX", "bulk")) == n
