"""Helpers for the LMTP, deliver and push tests: a hafend with an LMTP
listener, a raw LMTP client that reads multi-line replies, reading stored
messages back over IMAP, and finding which worker holds a connection."""
import os
import socket
import time

from conftest import Server, free_port, wait_port


def lmtp_server(make_server, *extra, **kwargs):
    """A hafend that also listens for LMTP on loopback (server.lmtp_port)."""
    port = free_port()
    s = make_server("listen = lmtp=127.0.0.1:%d" % port, *extra, **kwargs)
    s.lmtp_port = port
    wait_port(port)
    return s


class Lmtp:
    """Line-level LMTP client: send bytes, read replies (lists of lines)."""

    def __init__(self, server=None, port=None, path=None, timeout=10):
        if path is not None:
            sock = socket.socket(socket.AF_UNIX)
            sock.settimeout(timeout)
            sock.connect(path)
        else:
            sock = socket.create_connection(("127.0.0.1", port or server.lmtp_port),
                                            timeout=timeout)
        self.sock = sock
        self.buf = b""
        self.greeting = self.reply()

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed; had %r" % self.buf)
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("utf-8", "replace")

    def reply(self):
        """One reply: every line up to the one with a space after the code."""
        lines = [self.line()]
        while len(lines[-1]) > 3 and lines[-1][3] == "-":
            lines.append(self.line())
        return lines

    def cmd(self, text):
        """Send a command; return its reply's last line."""
        self.send(text + "\r\n")
        return self.reply()[-1]

    def lhlo(self, name="test.example"):
        self.send("LHLO %s\r\n" % name)
        return self.reply()

    def closed(self, timeout=5):
        """True when the server closes the connection within timeout."""
        self.sock.settimeout(timeout)
        try:
            while True:
                data = self.sock.recv(65536)
                if not data:
                    return True
                self.buf += data
        except OSError:
            return False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def message(subject="test", body="Hello.\r\n", extra=""):
    return ("From: Sender <sender@example.org>\r\nTo: alice@example.org\r\n"
            "Subject: %s\r\nMessage-ID: <%s.%f@example.org>\r\n%s\r\n%s"
            % (subject, subject.replace(" ", "-"), time.time(), extra, body))


def dot_stuff(text):
    lines = text.split("\r\n")
    return "\r\n".join("." + l if l.startswith(".") else l for l in lines)


def transaction(c, sender, rcpts, text):
    """MAIL, RCPT..., DATA with text: (rcpt replies, data replies)."""
    assert c.cmd("MAIL FROM:<%s>" % sender).startswith("250 ")
    rr = [c.cmd("RCPT TO:<%s>" % r) for r in rcpts]
    ok = sum(1 for r in rr if r.startswith("250 "))
    data = c.cmd("DATA")
    if ok == 0:
        return rr, [data]
    assert data.startswith("354 "), data
    if not text.endswith("\r\n"):
        text += "\r\n"
    c.send(dot_stuff(text) + ".\r\n")
    return rr, [c.reply()[-1] for _ in range(ok)]


def deliver(server, rcpts, text=None, sender="sender@example.org"):
    """One LMTP transaction on a new connection; the DATA replies."""
    c = Lmtp(server)
    c.lhlo()
    _, replies = transaction(c, sender, rcpts, text or message())
    c.cmd("QUIT")
    c.close()
    return replies


def fetch_all(server, user="alice", mailbox="INBOX"):
    """Every message of a mailbox as bytes, in UID order."""
    m = server.imaplib(user)
    typ, _ = m.select('"%s"' % mailbox, readonly=True)
    assert typ == "OK"
    typ, data = m.uid("FETCH", "1:*", "(BODY.PEEK[])")
    m.logout()
    return [part[1] for part in data if isinstance(part, tuple)]


def children(pid):
    with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
        return [int(x) for x in f.read().split()]


def _socket_inode(server_port, client_port):
    """The inode of the server side of loopback connection client_port."""
    want_local, want_remote = "%04X" % server_port, "%04X" % client_port
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            next(f)
            for row in f:
                cols = row.split()
                if (cols[1].endswith(":" + want_local) and
                        cols[2].endswith(":" + want_remote)):
                    return cols[9]
    return None


def worker_of(server, sock, server_port):
    """The pid of the worker process that serves this client socket."""
    inode = _socket_inode(server_port, sock.getsockname()[1])
    assert inode is not None
    for pid in children(server.proc.pid):
        for fd in os.listdir("/proc/%d/fd" % pid):
            try:
                if os.readlink("/proc/%d/fd/%s" % (pid, fd)) == "socket:[%s]" % inode:
                    return pid
            except OSError:
                pass
    return None
