"""Dovecot from Debian on loopback with a private configuration, for the
client's tests: the shared settings of bench/dovecot/dovecot.conf plus
this run's paths, ports, users and certificate. Passwords are stored as
{PLAIN} so SCRAM-SHA-256 works as well as PLAIN and LOGIN.

    d = Dovecot({"alice": "secret"})   # d.imap_port, d.imaps_port, d.cert
    d.stop()

As root the mail belongs to the unprivileged user "nobody"; otherwise to
the user running the tests.
"""
import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


def available():
    return os.path.exists(DOVECOT) and os.path.exists("/usr/lib/dovecot/imap")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port, proc, deadline=20.0):
    end = time.time() + deadline
    while time.time() < end:
        if proc.poll() is not None:
            raise RuntimeError("dovecot exited with %s" % proc.returncode)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("dovecot did not listen on %d" % port)


def make_cert(directory):
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "30",
                    "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    os.chmod(key, 0o644)
    return cert, key


class Dovecot:
    def __init__(self, users, extra=()):
        self.tmp = tempfile.mkdtemp(prefix="hafen-dovecot-")
        os.chmod(self.tmp, 0o755)
        self.imap_port = _free_port()
        self.imaps_port = _free_port()
        self.passwords = dict(users)
        self.cert, self.key = make_cert(self.tmp)
        if os.getuid() == 0:
            self.mail_user = "nobody"
            self.mail_group = grp.getgrgid(pwd.getpwnam("nobody").pw_gid).gr_name
        else:
            self.mail_user = pwd.getpwuid(os.getuid()).pw_name
            self.mail_group = grp.getgrgid(os.getgid()).gr_name
        uid = pwd.getpwnam(self.mail_user).pw_uid
        gid = grp.getgrnam(self.mail_group).gr_gid
        for d in ("run", "state", "mail"):
            os.mkdir(os.path.join(self.tmp, d))
        os.chown(os.path.join(self.tmp, "mail"), uid, gid)
        with open(os.path.join(self.tmp, "passwd"), "w") as f:
            for user, password in self.passwords.items():
                f.write("%s:{PLAIN}%s::::::\n" % (user, password))
        os.chmod(os.path.join(self.tmp, "passwd"), 0o644)
        self.log_path = os.path.join(self.tmp, "dovecot.log")
        self.conf = os.path.join(self.tmp, "dovecot.conf")
        with open(self.conf, "w") as f:
            f.write(self._config(uid, extra))
        self.stderr = open(os.path.join(self.tmp, "stderr.log"), "w")
        self.proc = subprocess.Popen([DOVECOT, "-F", "-c", self.conf], stdout=self.stderr,
                                     stderr=subprocess.STDOUT)
        try:
            _wait_port(self.imap_port, self.proc)
            _wait_port(self.imaps_port, self.proc)
        except Exception:
            self.stop()
            raise

    def _config(self, uid, extra):
        t = self.tmp
        lines = [
            "!include %s/bench/dovecot/dovecot.conf" % ROOT,
            "base_dir = %s/run" % t,
            "state_dir = %s/state" % t,
            "log_path = %s" % self.log_path,
            "instance_name = hafen-client-test-%d" % self.imap_port,
            "ssl_cert = <%s" % self.cert,
            "ssl_key = <%s" % self.key,
            "auth_mechanisms = plain login scram-sha-256",
            "first_valid_uid = %d" % uid,
            "passdb {\n  driver = passwd-file\n  args = %s/passwd\n}" % t,
            "userdb {\n  driver = static\n  args = uid=%s gid=%s home=%s/mail/%%u\n}"
            % (self.mail_user, self.mail_group, t),
            "service imap-login {\n  inet_listener imap {\n    address = 127.0.0.1\n"
            "    port = %d\n  }\n  inet_listener imaps {\n    address = 127.0.0.1\n"
            "    port = %d\n    ssl = yes\n  }\n}" % (self.imap_port, self.imaps_port),
        ]
        if os.getuid() != 0:
            lines += ["default_internal_user = %s" % self.mail_user,
                      "default_login_user = %s" % self.mail_user]
        lines += list(extra)
        return "\n".join(lines) + "\n"

    def imaplib(self, user):
        import imaplib
        m = imaplib.IMAP4("127.0.0.1", self.imap_port)
        m.login(user, self.passwords[user])
        return m

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.stderr.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
