"""A small SMTP submission sink for the client's tests: EHLO, STARTTLS
(when given a certificate), AUTH PLAIN and LOGIN, MAIL, RCPT, DATA, RSET,
NOOP, QUIT. Every accepted message is kept in memory (and in a directory
when one is given) with its envelope. Refuses AUTH before TLS unless the
connection is plaintext on loopback, as a real submission server would
on a public port.

    sink = SmtpSink(user="alice", password="secret", cert=..., key=...)
    sink.port ... sink.messages -> [(mail_from, [rcpts], bytes)]
    sink.stop()
"""
import base64
import os
import socket
import ssl
import threading


class SmtpSink:
    def __init__(self, user=None, password=None, cert=None, key=None, implicit_tls=False,
                 directory=None):
        self.user, self.password = user, password
        self.directory = directory
        self.messages = []
        self.lock = threading.Lock()
        self.ctx = None
        if cert:
            self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.ctx.load_cert_chain(cert, key)
        self.implicit_tls = implicit_tls
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def stop(self):
        self.running = False
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        except OSError:
            pass
        self.sock.close()

    def wait_for(self, n, timeout=20):
        import time
        end = time.time() + timeout
        while time.time() < end:
            with self.lock:
                if len(self.messages) >= n:
                    return list(self.messages)
            time.sleep(0.05)
        with self.lock:
            return list(self.messages)

    def _accept(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            if not self.running:
                conn.close()
                return
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _session(self, conn):
        try:
            if self.implicit_tls:
                conn = self.ctx.wrap_socket(conn, server_side=True)
            Session(self, conn).run()
        except (OSError, ssl.SSLError, ValueError):
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass


class Session:
    def __init__(self, sink, conn):
        self.sink, self.conn = sink, conn
        self.buf = b""
        self.tls = sink.implicit_tls
        self.authed = sink.user is None
        self.mail_from, self.rcpts = None, []

    def send(self, line):
        self.conn.sendall(line.encode() + b"\r\n")

    def readline(self):
        while b"\r\n" not in self.buf:
            chunk = self.conn.recv(65536)
            if not chunk:
                raise EOFError
            self.buf += chunk
            if len(self.buf) > 1 << 20:
                raise ValueError("line too long")
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("utf-8", "replace")

    def run(self):
        self.send("220 sink ready")
        while True:
            line = self.readline()
            verb = line.split(" ", 1)[0].upper()
            arg = line[len(verb):].strip()
            handler = getattr(self, "cmd_" + verb.lower(), None)
            if handler is None:
                self.send("502 unknown command")
            elif handler(arg) == "quit":
                return

    def cmd_ehlo(self, arg):
        lines = ["250-sink", "250-8BITMIME", "250-SIZE 52428800"]
        if self.sink.ctx is not None and not self.tls:
            lines.append("250-STARTTLS")
        if self.sink.user is not None:
            lines.append("250-AUTH PLAIN LOGIN")
        lines.append("250 ENHANCEDSTATUSCODES")
        for l in lines:
            self.send(l)

    cmd_helo = cmd_ehlo

    def cmd_starttls(self, arg):
        if self.sink.ctx is None or self.tls:
            self.send("502 no")
            return
        self.send("220 go ahead")
        self.conn = self.sink.ctx.wrap_socket(self.conn, server_side=True)
        self.buf = b""
        self.tls = True

    def _check(self, user, password):
        if user == self.sink.user and password == self.sink.password:
            self.authed = True
            self.send("235 2.7.0 authenticated")
        else:
            self.send("535 5.7.8 bad credentials")

    def cmd_auth(self, arg):
        parts = arg.split()
        mech = parts[0].upper() if parts else ""
        if mech == "PLAIN":
            if len(parts) > 1:
                data = parts[1]
            else:
                self.send("334 ")
                data = self.readline()
            try:
                _, user, password = base64.b64decode(data).decode().split("\0")
            except ValueError:
                self.send("501 bad PLAIN data")
                return
            self._check(user, password)
        elif mech == "LOGIN":
            self.send("334 VXNlcm5hbWU6")
            user = base64.b64decode(self.readline()).decode()
            self.send("334 UGFzc3dvcmQ6")
            password = base64.b64decode(self.readline()).decode()
            self._check(user, password)
        else:
            self.send("504 unknown mechanism")

    def cmd_mail(self, arg):
        if not self.authed:
            self.send("530 5.7.0 authentication required")
            return
        self.mail_from = arg.split(":", 1)[1].split()[0].strip("<>")
        self.rcpts = []
        self.send("250 ok")

    def cmd_rcpt(self, arg):
        if self.mail_from is None:
            self.send("503 MAIL first")
            return
        rcpt = arg.split(":", 1)[1].strip().strip("<>")
        if rcpt.startswith("reject"):
            self.send("550 5.1.1 no such user")
            return
        self.rcpts.append(rcpt)
        self.send("250 ok")

    def cmd_data(self, arg):
        if not self.rcpts:
            self.send("503 RCPT first")
            return
        self.send("354 go on")
        data = []
        while True:
            line = self.readline()
            if line == ".":
                break
            data.append(line[1:] if line.startswith(".") else line)
        body = ("\r\n".join(data) + "\r\n").encode()
        with self.sink.lock:
            self.sink.messages.append((self.mail_from, list(self.rcpts), body))
            if self.sink.directory:
                n = len(self.sink.messages)
                with open(os.path.join(self.sink.directory, "%d.eml" % n), "wb") as f:
                    f.write(body)
        self.mail_from, self.rcpts = None, []
        self.send("250 2.0.0 queued")

    def cmd_rset(self, arg):
        self.mail_from, self.rcpts = None, []
        self.send("250 ok")

    def cmd_noop(self, arg):
        self.send("250 ok")

    def cmd_quit(self, arg):
        self.send("221 bye")
        return "quit"
