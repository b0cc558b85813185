"""The admin commands end to end (docs/admin.md): hafend user
add|passwd|del|list|quota, hafend check [--repair], and hafend imap
--stdio spoken to over pipes, each against a running server."""
import glob
import os
import re
import select
import signal
import subprocess
import time
import types

import pytest

from conftest import ROOT, hafend_binary, wait_port
from test_idle import MESSAGE, append, idle
from test_limits import read_until_closed


def can_login(server, user, password):
    c = server.connect()
    untagged, tagged = c.command('LOGIN %s "%s"' % (user, password))
    c.close()
    return " OK " in tagged


def stop_process(server):
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(timeout=15) == 0


def start_process(server):
    server.proc = subprocess.Popen([server.binary, "serve", "-c", server.config],
                                   stdout=server.log, stderr=subprocess.STDOUT)
    wait_port(server.imap_port)
    wait_port(server.imaps_port)


def select_state(server, mailbox="INBOX", user="alice"):
    """(UIDVALIDITY, [UIDs]) of a mailbox as a client sees it."""
    c = server.connect()
    c.login(user)
    untagged, tagged = c.command("EXAMINE %s" % mailbox)
    assert " OK " in tagged, tagged
    validity = int(next(re.search(r"UIDVALIDITY (\d+)", l).group(1) for l in untagged
                        if "UIDVALIDITY" in l))
    untagged, tagged = c.command("UID SEARCH ALL")
    uids = [int(x) for x in untagged[0].split()[2:]]
    c.close()
    return validity, uids


# ---- user ----

def test_user_add_login_passwd_del(server):
    r = server.hafend("user", "add", "Carol", stdin="carol-1\n")
    assert r.stdout == "user carol added\n"
    assert can_login(server, "carol", "carol-1")
    # A new user has the special-use folders (docs/admin.md).
    c = server.connect()
    untagged, tagged = c.command('LOGIN carol "carol-1"')
    untagged, tagged = c.command('LIST "" "*"')
    names = {l.rsplit(" ", 1)[1].strip('"'): l for l in untagged}
    for name, use in (("Drafts", "\\Drafts"), ("Sent", "\\Sent"), ("Trash", "\\Trash"),
                      ("Junk", "\\Junk"), ("Archive", "\\Archive")):
        assert use in names[name], names
    assert "INBOX" in names
    c.close()

    r = server.hafend("user", "add", "carol", stdin="again\n", check=False)
    assert r.returncode == 65 and r.stderr.startswith("hafend: ")

    r = server.hafend("user", "passwd", "carol", stdin="carol-2\n")
    assert r.stdout == "password of carol changed\n"
    # At once, though the worker remembered the old password (auth_cache_ttl).
    assert not can_login(server, "carol", "carol-1")
    assert can_login(server, "carol", "carol-2")

    r = server.hafend("user", "del", "carol")
    assert r.stdout.startswith("user carol deleted; mail kept in ")
    kept = r.stdout.split("mail kept in ", 1)[1].strip()
    assert os.path.isdir(kept) and os.path.exists(os.path.join(kept, "store.db"))
    assert not can_login(server, "carol", "carol-2")
    assert server.hafend("user", "del", "carol", check=False).returncode == 67
    assert server.hafend("user", "passwd", "carol", stdin="x\n", check=False).returncode == 67


def test_user_add_refuses_bad_input(server):
    r = server.hafend("user", "add", "dave", stdin="", check=False)
    assert r.returncode != 0
    assert "no password on standard input" in r.stderr
    for name in ("", "a b", "x/y", "../etc", "\u00e4"):
        r = server.hafend("user", "add", name, stdin="pw\n", check=False)
        assert r.returncode != 0, name
        assert "AddressSanitizer" not in r.stderr
    assert "dave" not in server.hafend("user", "list").stdout


# Drepper's SHA-crypt test vector, as Dovecot's passwd-file writes it.
DOVECOT_HASH = ("{SHA512-CRYPT}$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFN"
                "jnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1")


def test_user_add_and_passwd_with_an_imported_hash(server):
    """--hash takes a crypt hash on standard input (docs/auth.md "Importing
    from Dovecot"): the user logs in with the password behind it."""
    r = server.hafend("user", "add", "--hash", "imported", stdin=DOVECOT_HASH + "\n")
    assert r.stdout == "user imported added\n"
    assert can_login(server, "imported", "Hello world!")
    assert not can_login(server, "imported", "Hello world")
    # Another hash replaces it at once; a password again replaces that.
    r = server.hafend("user", "passwd", "imported", "--hash",
                      stdin="$1$2DDXMuD0$fA/kOq6cYR/PXJIjsGuz/.\n")
    assert r.stdout == "password of imported changed\n"
    assert can_login(server, "imported", "pencil")
    assert not can_login(server, "imported", "Hello world!")
    server.hafend("user", "passwd", "imported", stdin="plain-again\n")
    assert can_login(server, "imported", "plain-again")
    # What is not a complete crypt hash is refused, and nothing changes.
    for bad in ("{PLAIN}pencil", "$6$saltstring", "{SHA256-CRYPT}" + DOVECOT_HASH[14:], ""):
        r = server.hafend("user", "add", "--hash", "refused", stdin=bad + "\n", check=False)
        assert r.returncode == 65, (bad, r.stderr)
        assert r.stderr.startswith("hafend: "), r.stderr
        r = server.hafend("user", "passwd", "--hash", "imported", stdin=bad + "\n",
                          check=False)
        assert r.returncode == 65, (bad, r.stderr)
    assert "refused" not in server.hafend("user", "list").stdout.split()
    assert can_login(server, "imported", "plain-again")
    # --hash belongs to add and passwd only, and NAME is the last word.
    for args in (["del", "imported", "--hash"], ["list", "--hash"],
                 ["add", "other", "--hash", "extra"]):
        r = server.hafend("user", *args, stdin=DOVECOT_HASH + "\n", check=False)
        assert r.returncode == 64, (args, r.stderr)
    assert can_login(server, "imported", "plain-again")


def test_user_add_asks_twice_without_echo_on_a_terminal(server):
    """On a terminal the password is asked twice, echo off (docs/admin.md)."""
    from test_client_tty import Terminal  # the pty harness of the client's tests
    shim = types.SimpleNamespace(binary=hafend_binary(), env=dict(os.environ))
    t = Terminal(shim, "user", "add", "-c", server.config, "tty-user")
    t.read_until(rb"New password: ")
    t.write("tty-secret-1\n")
    t.read_until(rb"Repeat it: ")
    t.write("tty-secret-1\n")
    rc, out = t.finish()
    assert rc == 0 and out == b"user tty-user added\n", t.seen
    assert b"tty-secret-1" not in t.seen  # echo was off
    assert can_login(server, "tty-user", "tty-secret-1")
    # Two different answers: nothing changes.
    t = Terminal(shim, "user", "passwd", "-c", server.config, "tty-user")
    t.read_until(rb"New password: ")
    t.write("tty-secret-2\n")
    t.read_until(rb"Repeat it: ")
    t.write("tty-secret-3\n")
    rc, out = t.finish()
    assert rc == 65 and b"passwords differ" in t.seen, t.seen
    assert can_login(server, "tty-user", "tty-secret-1")


def config_values(text):
    """key -> list of values from `hafend config` output."""
    values = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        key, _, value = line.partition(" = ")
        values.setdefault(key, []).append(value)
    return values


def number(text):
    """A size or duration as configuration files write them, in bytes or
    seconds; other text as it is."""
    units = {"K": 1024, "M": 1024 ** 2, "G": 1024 ** 3,
             "s": 1, "m": 60, "h": 3600, "d": 86400}
    if text[:-1].isdigit() and text[-1] in units:
        return int(text[:-1]) * units[text[-1]]
    return int(text) if text.isdigit() else text


def test_config_prints_the_defaults_docs_config_md_lists(tmp_path):
    """hafend config with no file: every default as docs/config.md states
    it (the issue's defaults among them: 30 min autologout and IDLE, a
    keepalive every 2 minutes, 60 s before login, APPENDLIMIT 64 MiB), and
    its output read back as a file gives the same."""
    data = str(tmp_path / "data")
    r = subprocess.run([hafend_binary(), "config", "--data", data], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    got = config_values(r.stdout)
    assert not os.path.exists(data)  # it only reads
    assert got["data_dir"] == [data]
    assert got["listen"] == ["imap=127.0.0.1:143", "imaps=127.0.0.1:993"]
    for key, seconds in (("autologout", 1800), ("idle_timeout", 1800),
                         ("idle_keepalive", 120), ("preauth_timeout", 60)):
        assert number(got[key][0]) == seconds, key
    assert number(got["append_limit"][0]) == 64 * 1024 * 1024
    assert int(got["max_sessions_per_user"][0]) >= 10
    # Every key of docs/config.md's tables, with its documented default
    # where the table gives one literally (a single `value`).
    with open(os.path.join(ROOT, "docs/config.md")) as f:
        rows = [l for l in f if re.match(r"\| `[a-z_]+`", l)]
    documented = set()
    for row in rows:
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        keys = re.findall(r"`([a-z_]+)`", cells[0])
        documented.update(keys)
        default = re.fullmatch(r"`([^`]*)`", cells[1])
        for key in keys:
            assert key in got or "# %s is not set" % key in r.stdout, key
            if default and key != "data_dir" and key != "listen":
                assert number(got[key][0]) == number(default.group(1)), (key, got[key])
    printed = set(got) | set(re.findall(r"^# ([a-z_]+) is not set", r.stdout, re.M))
    assert printed == documented, printed ^ documented
    # Read back as a configuration file, the output gives itself.
    conf = tmp_path / "printed.conf"
    conf.write_text(r.stdout)
    again = subprocess.run([hafend_binary(), "config", "-c", str(conf)],
                           capture_output=True, text=True, timeout=30)
    assert again.returncode == 0 and again.stdout == r.stdout, again.stderr


def test_user_list(server):
    r = server.hafend("user", "list")
    names = r.stdout.split()
    assert "alice" in names and "bob" in names


def test_user_quota(server):
    server.hafend("user", "add", "quota-user", stdin="q\n")
    r = server.hafend("user", "quota", "quota-user")
    assert r.stdout == ("quota-user: 0 bytes in 0 messages; limits: storage unlimited, "
                        "messages unlimited\n")
    r = server.hafend("user", "quota", "quota-user", "--storage", "1K", "--messages", "2")
    assert r.stdout.endswith("limits: storage 1024, messages 2\n")
    c = server.connect()
    c.command('LOGIN quota-user "q"')
    msg = MESSAGE % 1
    for i in range(2):
        c.send("p%d APPEND INBOX {%d+}\r\n" % (i, len(msg)))
        c.send(msg + b"\r\n")
        untagged, tagged = c.until_tagged("p%d" % i)
        assert " OK " in tagged, tagged
    c.send("p2 APPEND INBOX {%d+}\r\n" % len(msg))
    c.send(msg + b"\r\n")
    untagged, tagged = c.until_tagged("p2")
    assert tagged.startswith("p2 NO [OVERQUOTA]"), tagged
    c.close()
    r = server.hafend("user", "quota", "quota-user")
    assert r.stdout.startswith("quota-user: %d bytes in 2 messages" % (2 * len(msg)))
    for bad in (["--storage", "lots"], ["--messages"], ["--frob", "1"]):
        r = server.hafend("user", "quota", "quota-user", *bad, check=False)
        assert r.returncode == 64, bad


def test_unknown_action_touches_nothing(tmp_path):
    data = tmp_path / "data"
    r = subprocess.run([hafend_binary(), "user", "frob", "x", "--data", str(data)],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 64 and 'unknown action "frob"' in r.stderr
    assert not data.exists()


def test_usage_errors(server):
    binary = hafend_binary()
    for args in (["user"], ["user", "frob", "x"], ["user", "list", "-c"], ["check", "--data"],
                 ["imap", "--log-level"], ["imap", "--stdio"], ["serve", "--data"],
                 ["nosuchcommand"], []):
        r = subprocess.run([binary, *args], capture_output=True, text=True, timeout=30)
        assert r.returncode == 64, (args, r.returncode, r.stderr)
        assert "AddressSanitizer" not in r.stderr and "runtime error" not in r.stderr, args


# ---- check ----

def test_check_intact_store_changes_nothing(server):
    append(server)
    before = select_state(server)
    r = server.hafend("check", "alice")
    assert re.match(r"alice: \d+ files checked, 0 missing, 0 wrong size", r.stdout), r.stdout
    r = server.hafend("check", "--repair", "alice")
    assert "database rebuilt" not in r.stdout
    assert select_state(server) == before
    r = server.hafend("check")
    assert "alice:" in r.stdout and "bob:" in r.stdout


def test_uidvalidity_survives_a_restart(make_server):
    server = make_server()
    append(server)
    append(server)
    before = select_state(server)
    stop_process(server)
    start_process(server)
    assert select_state(server) == before


def test_check_repair_rebuilds_a_lost_database(make_server):
    server = make_server()
    c = server.connect()
    c.login()
    c.command("CREATE Work")
    c.close()
    for i in range(3):
        append(server)
    append(server, "Work")
    validity, uids = select_state(server)
    assert len(uids) == 3
    stop_process(server)
    store = os.path.join(server.data, "users", "alice")
    for f in glob.glob(os.path.join(store, "store.db*")):
        os.unlink(f)
    r = server.hafend("check", "alice", check=False)
    assert r.returncode != 0
    r = server.hafend("check", "--repair", "alice")
    assert "database rebuilt" in r.stdout, r.stdout
    start_process(server)
    new_validity, new_uids = select_state(server)
    # Every message is back (in INBOX: folders live only in the database),
    # under a new UIDVALIDITY because the UIDs were assigned anew.
    assert len(new_uids) == 4
    assert new_validity != validity
    c = server.connect()
    c.login()
    c.command("SELECT INBOX")
    untagged, tagged = c.command("FETCH 1:* (BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
    assert tagged.endswith("OK FETCH completed"), tagged
    ids = {l for l in untagged if l.startswith("Message-ID: <")}
    assert len(ids) == 4, untagged
    c.close()


def test_check_repair_drops_messages_whose_file_is_gone(make_server):
    server = make_server()
    for i in range(3):
        append(server)
    validity, uids = select_state(server)
    stop_process(server)
    files = sorted(glob.glob(os.path.join(server.data, "users", "alice", "msg", "*", "*")))
    assert len(files) == 3
    os.unlink(files[0])
    r = server.hafend("check", "alice", check=False)
    assert r.returncode == 1 and "1 missing" in r.stdout, r.stdout
    server.hafend("check", "--repair", "alice")
    start_process(server)
    new_validity, new_uids = select_state(server)
    # The others keep their UIDs, so UIDVALIDITY stays (INTEROP.md 3).
    assert new_validity == validity
    assert len(new_uids) == 2 and set(new_uids) < set(uids)


# ---- imap --stdio ----

class Stdio:
    def __init__(self, server, user="alice"):
        self.p = subprocess.Popen([hafend_binary(), "imap", "--stdio", "-c", server.config,
                                   "--user", user],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, bufsize=0)
        self.buf = b""

    def send(self, text):
        self.p.stdin.write(text.encode() if isinstance(text, str) else text)
        self.p.stdin.flush()

    def readline(self, timeout=10):
        # Bounded: a server that hangs fails the test instead of stalling it.
        end = time.monotonic() + timeout
        while b"\r\n" not in self.buf:
            left = end - time.monotonic()
            if left <= 0 or not select.select([self.p.stdout], [], [], left)[0]:
                raise AssertionError("no line from hafend imap --stdio in %d s" % timeout)
            chunk = os.read(self.p.stdout.fileno(), 65536)
            assert chunk, "hafend imap --stdio closed its output; had %r" % self.buf
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode()

    def command(self, tag, text):
        self.send("%s %s\r\n" % (tag, text))
        lines = []
        while True:
            line = self.readline()
            if line.startswith(tag + " "):
                return lines, line
            lines.append(line)


def test_imap_stdio(server):
    s = Stdio(server)
    greeting = s.readline()
    assert re.fullmatch(r"\* PREAUTH \[CAPABILITY IMAP4rev1 IMAP4rev2 [^]]*\] Logged in as alice",
                        greeting), greeting
    assert "AUTH=" not in greeting and "STARTTLS" not in greeting
    untagged, tagged = s.command("a", "SELECT INBOX")
    assert tagged == "a OK [READ-WRITE] SELECT completed"
    untagged, tagged = s.command("b", "LOGIN alice x")
    assert tagged.startswith("b BAD ")
    untagged, tagged = s.command("c", "STARTTLS")
    assert tagged.startswith("c BAD ")
    untagged, tagged = s.command("z", "LOGOUT")
    assert untagged == ["* BYE Logging out"] and tagged == "z OK LOGOUT completed"
    assert s.p.wait(timeout=10) == 0
    assert s.buf == b"" and s.p.stdout.read() == b""
    err = s.p.stderr.read().decode()
    assert "AddressSanitizer" not in err and "runtime error" not in err, err


def test_imap_stdio_sees_the_servers_changes(server):
    """A tunnel session gets IDLE pushes for mail the daemon delivers."""
    s = Stdio(server)
    s.readline()
    s.command("a", "CREATE StdioIdle")
    s.command("b", "SELECT StdioIdle")
    s.send("i IDLE\r\n")
    assert s.readline() == "+ idling"
    append(server, "StdioIdle")
    assert s.readline() == "* 1 EXISTS"
    assert s.readline() == "* 1 RECENT"
    s.send("DONE\r\n")
    assert s.readline() == "i OK IDLE terminated"
    s.p.stdin.close()
    assert s.p.wait(timeout=10) == 0


def test_imap_stdio_writes_what_the_daemon_can_read(server):
    """Run as root, the tunnel becomes the mail user before it writes."""
    s = Stdio(server)
    s.readline()
    msg = b"Subject: via stdio\r\nMessage-ID: <stdio-1@example.org>\r\n\r\nstdio body\r\n"
    s.send(b"a APPEND INBOX {%d+}\r\n" % len(msg) + msg + b"\r\n")
    line = s.readline()
    assert line.startswith("a OK [APPENDUID "), line
    uid = int(line.split()[4].rstrip("]"))
    s.command("z", "LOGOUT")
    s.p.wait(timeout=10)
    c = server.connect()
    c.login()
    c.command("SELECT INBOX")
    untagged, tagged = c.command("UID FETCH %d (BODY.PEEK[TEXT])" % uid)
    assert tagged.endswith("OK UID FETCH completed"), tagged
    assert "stdio body" in untagged
    c.close()


def test_imap_stdio_end_of_input(server):
    s = Stdio(server)
    s.readline()
    out, err = s.p.communicate(b"a NOOP\r\nb NOOP\r\n", timeout=10)
    out = (s.buf + out).decode()
    assert s.p.returncode == 0
    assert out.startswith("a OK NOOP completed\r\nb OK NOOP completed\r\n"), out


def test_imap_stdio_unknown_user(server):
    r = subprocess.run([hafend_binary(), "imap", "--stdio", "-c", server.config, "--user",
                        "nobody-at-all"], input=b"a NOOP\r\n", capture_output=True, timeout=30)
    assert r.returncode == 67
    assert r.stdout == b""
    assert r.stderr.decode().startswith("hafend: ")
