"""Driving the hafen client in end-to-end tests: a private HAFEN_HOME per
client, one account pointing at a test server, and helpers to run
commands and read their --json output.

Servers come as Backend objects with one interface for hafend (from
tests/e2e/conftest.py) and Dovecot (dovecot.py): host, ports, the CA
certificate to verify with, users and passwords, and imaplib access for
a second client that changes the mailbox behind hafen's back.
"""
import json
import os
import shutil
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def hafen_binary():
    for d in (os.environ.get("HAFEN_BUILD"), os.path.join(ROOT, "build/check"),
              os.path.join(ROOT, "build")):
        if d and os.path.exists(os.path.join(d, "hafen")):
            return os.path.join(d, "hafen")
    return None


SANITIZER_MARKERS = ("AddressSanitizer", "LeakSanitizer", "runtime error:")


class Backend:
    """What a test needs to know about a server, whichever it is."""

    def __init__(self, name, host, imap_port, imaps_port, cert, passwords, imaplib_fn,
                 new_user=None):
        self.name = name
        self.host = host
        self.imap_port = imap_port
        self.imaps_port = imaps_port
        self.cert = cert
        self.passwords = passwords
        self._imaplib = imaplib_fn
        self._new_user = new_user

    def imaplib(self, user):
        return self._imaplib(user)

    def new_user(self):
        """A user no other test has touched; its password is in passwords."""
        return self._new_user()


class Hafen:
    """One user's hafen: its own HAFEN_HOME, its own cache."""

    def __init__(self, backend=None, user="alice", account="test", extra=(), bodies=None):
        self.binary = hafen_binary()
        self.home = tempfile.mkdtemp(prefix="hafen-client-")
        self.env = dict(os.environ)
        self.env["HAFEN_HOME"] = self.home
        self.env.pop("XDG_CONFIG_HOME", None)
        self.env.pop("XDG_DATA_HOME", None)
        self.env["ASAN_OPTIONS"] = self.env.get("ASAN_OPTIONS", "detect_leaks=1")
        self.account = account
        self.backend = backend
        self.user = user
        if backend is not None:
            args = ["account", "add", account, "--host", backend.host,
                    "--port", str(backend.imaps_port), "--tls", "implicit",
                    "--user", user, "--password-command",
                    "printf '%%s\\n' '%s'" % backend.passwords[user],
                    "--ca-file", backend.cert]
            if bodies:
                args += ["--bodies", bodies]
            self.run(*(args + list(extra)))

    def cleanup(self):
        shutil.rmtree(self.home, ignore_errors=True)

    @property
    def data_dir(self):
        return os.path.join(self.home, "data", self.account)

    def run(self, *args, check=True, stdin=None, timeout=120, env=None):
        e = dict(self.env)
        if env:
            e.update(env)
        r = subprocess.run([self.binary, *args], input=stdin, capture_output=True,
                           text=True, timeout=timeout, env=e)
        for marker in SANITIZER_MARKERS:
            if marker in r.stderr:
                raise AssertionError("hafen %s: sanitizer report:\n%s" % (" ".join(args),
                                                                         r.stderr[-6000:]))
        if check and r.returncode != 0:
            raise AssertionError("hafen %s failed (%d):\nstdout: %s\nstderr: %s" %
                                 (" ".join(args), r.returncode, r.stdout, r.stderr))
        return r

    def json(self, *args, **kw):
        r = self.run("--json", *args, **kw)
        return json.loads(r.stdout)

    def popen(self, *args):
        return subprocess.Popen([self.binary, *args], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=self.env)

    def messages(self, folder="INBOX", offline=True):
        args = ["list", folder]
        if offline:
            args.insert(0, "--offline")
        return self.json(*args)

    def by_subject(self, folder="INBOX", offline=True):
        return {m["subject"]: m for m in self.messages(folder, offline)}

    def pending(self):
        return self.json("status")["pending"]


def make_message(i, subject=None, body=None, msgid=None, extra_headers=""):
    subject = subject if subject is not None else "message %d" % i
    msgid = msgid or "<m%d.%s@example.org>" % (i, os.urandom(6).hex())
    body = body if body is not None else "Body of message %d.\r\n" % i
    return ("From: Sender %d <sender%d@example.org>\r\nTo: alice@example.org\r\n"
            "Subject: %s\r\nDate: Mon, 1 Jan 2024 10:%02d:%02d +0000\r\n"
            "Message-ID: %s\r\n%s\r\n%s" % (i, i, subject, (i // 60) % 60, i % 60, msgid,
                                          extra_headers, body)).encode()


def server_state(backend, user):
    """{folder: {message-id: set(flags)}} as the server has it."""
    import re
    m = backend.imaplib(user)
    state = {}
    typ, folders = m.list()
    for line in folders:
        line = line.decode()
        if "\\Noselect" in line or "\\NonExistent" in line:
            continue
        name = line.rsplit(' "/" ', 1)[1].strip().strip('"')
        m.select('"%s"' % name)
        typ, data = m.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        msgs = {}
        for item in data:
            if not isinstance(item, tuple):
                continue
            flags = set(re.search(rb"FLAGS \(([^)]*)\)", item[0]).group(1).decode().split())
            flags.discard("\\Recent")
            mid = re.search(rb"<[^>]+>", item[1])
            key = mid.group(0).decode() if mid else None
            assert key not in msgs, "duplicate %s in %s" % (key, name)
            msgs[key] = flags
        state[name] = msgs
    m.logout()
    return state
