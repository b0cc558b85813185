"""Authentication end to end: capabilities before and after login, LOGIN,
AUTHENTICATE PLAIN / LOGIN / SCRAM-SHA-256 with and without SASL-IR,
cancelling, failures with their delay and block, per-address and per-user
limits, and the refusal of plaintext mechanisms on an insecure line
(RFC 9051 6.2, RFC 4959, RFC 5802, RFC 7677)."""
import base64
import ctypes
import ctypes.util
import hashlib
import hmac
import os
import time

import pytest

# What every state advertises: these work from the greeting on.
CORE_CAPS = ["IMAP4rev1", "IMAP4rev2", "LITERAL+", "SASL-IR", "ENABLE", "ID", "IDLE",
             "UNSELECT"]
PREAUTH_ONLY = ("STARTTLS", "LOGINDISABLED", "AUTH=")


def b64(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.b64encode(data).decode()


def caps_of(line):
    """The capability names of '* CAPABILITY ...' or of a [CAPABILITY ...] code."""
    if "[CAPABILITY " in line:
        return line.split("[CAPABILITY ", 1)[1].split("]", 1)[0].split()
    assert line.startswith("* CAPABILITY "), line
    return line[len("* CAPABILITY "):].split()


def expect_logged_in(tagged, tag):
    assert tagged.startswith(tag + " OK [CAPABILITY "), tagged
    caps = caps_of(tagged)
    assert caps[:len(CORE_CAPS)] == CORE_CAPS
    assert not any(c.startswith(PREAUTH_ONLY) for c in caps), caps


def still_serving(server):
    """A fresh connection logs in and runs a command."""
    c = server.connect()
    c.login()
    untagged, tagged = c.command("NOOP")
    assert tagged.endswith("OK NOOP completed")
    c.close()


# ---- capabilities ----

def test_greeting_lists_exactly_the_preauth_capabilities(server):
    c = server.connect()
    assert c.greeting.startswith("* OK [CAPABILITY ")
    caps = caps_of(c.greeting)
    # Loopback counts as secure: the plaintext mechanisms are offered.
    assert caps == CORE_CAPS + ["STARTTLS", "AUTH=SCRAM-SHA-256", "AUTH=PLAIN", "AUTH=LOGIN"]
    untagged, tagged = c.command("CAPABILITY")
    assert untagged == ["* CAPABILITY " + " ".join(caps)]
    assert tagged == "a1 OK CAPABILITY completed"
    c.close()


def test_capabilities_after_login(server):
    c = server.connect()
    tagged = c.login()
    login_caps = caps_of(tagged)
    expect_logged_in(tagged, "a1")
    untagged, tagged = c.command("CAPABILITY")
    assert len(untagged) == 1
    # RFC 9051 6.2.3: the capabilities in the tagged OK are the current ones.
    assert caps_of(untagged[0]) == login_caps
    assert tagged == "a2 OK CAPABILITY completed"
    c.close()


def test_capability_names_are_unique_atoms(server):
    c = server.connect()
    for line in (c.greeting, c.login()):
        caps = caps_of(line)
        assert len(set(caps)) == len(caps), caps
        for name in caps:
            assert all(33 <= ord(ch) < 127 and ch not in '(){%*"\\]' for ch in name), name
    c.close()


# ---- LOGIN ----

def test_login_forms(server):
    """Atom, quoted string, synchronizing and non-synchronizing literal."""
    pw = server.passwords["alice"]
    c = server.connect()
    c.send('a LOGIN alice {%d}\r\n' % len(pw))
    assert c.readline() == "+ OK"
    c.send(pw + "\r\n")
    expect_logged_in(c.readline(), "a")
    c.close()

    c = server.connect()
    c.send('b LOGIN {5+}\r\nalice {%d+}\r\n%s\r\n' % (len(pw), pw))
    expect_logged_in(c.readline(), "b")
    c.close()

    c = server.connect()
    untagged, tagged = c.command('LOGIN "alice" %s' % pw)
    expect_logged_in(tagged, "a1")
    c.close()


def test_login_user_name_is_case_insensitive(server):
    c = server.connect()
    untagged, tagged = c.command('LOGIN ALICE "%s"' % server.passwords["alice"])
    expect_logged_in(tagged, "a1")
    c.close()


def test_login_twice_is_bad(server):
    c = server.connect()
    c.login()
    untagged, tagged = c.command('LOGIN bob "%s"' % server.passwords["bob"])
    assert tagged.startswith("a2 BAD ")
    c.close()


def test_login_wrong_password_and_unknown_user_look_alike(server):
    c = server.connect()
    untagged, wrong = c.command('LOGIN alice "not-her-password"')
    untagged2, unknown = c.command('LOGIN nosuchuser "whatever"')
    assert wrong == "a1 NO [AUTHENTICATIONFAILED] Authentication failed"
    assert unknown == "a2 NO [AUTHENTICATIONFAILED] Authentication failed"
    assert untagged == untagged2 == []
    # Still not logged in, and still able to log in.
    untagged, tagged = c.command("SELECT INBOX")
    assert tagged.startswith("a3 BAD ")
    c.login()
    c.close()


def test_login_missing_arguments(server):
    c = server.connect()
    untagged, tagged = c.command("LOGIN alice")
    assert tagged.startswith("a1 BAD ")
    untagged, tagged = c.command("LOGIN")
    assert tagged.startswith("a2 BAD ")
    c.close()


# ---- AUTHENTICATE PLAIN and LOGIN ----

def test_authenticate_plain_without_initial_response(server):
    c = server.connect()
    c.send("p AUTHENTICATE PLAIN\r\n")
    # RFC 9051 6.2.2: an empty challenge is "+ " (with the space).
    assert c.readline() == "+ "
    c.send(b64("\0alice\0" + server.passwords["alice"]) + "\r\n")
    expect_logged_in(c.readline(), "p")
    c.close()


def test_authenticate_plain_with_sasl_ir(server):
    c = server.connect()
    untagged, tagged = c.command("AUTHENTICATE PLAIN " +
                                 b64("\0alice\0" + server.passwords["alice"]))
    assert untagged == []
    expect_logged_in(tagged, "a1")
    c.close()


def test_authenticate_plain_authzid(server):
    pw = server.passwords["alice"]
    c = server.connect()
    untagged, tagged = c.command("AUTHENTICATE PLAIN " + b64("bob\0alice\0" + pw))
    assert tagged == "a1 NO [AUTHORIZATIONFAILED] Not authorized"
    untagged, tagged = c.command("AUTHENTICATE PLAIN " + b64("alice\0alice\0" + pw))
    expect_logged_in(tagged, "a2")
    c.close()


def test_authenticate_plain_wrong_password(server):
    c = server.connect()
    untagged, tagged = c.command("AUTHENTICATE PLAIN " + b64("\0alice\0nope"))
    assert tagged == "a1 NO [AUTHENTICATIONFAILED] Authentication failed"
    c.close()


def test_sasl_ir_equals_sign_is_an_empty_response(server):
    """RFC 4959 3: "=" is a zero-length initial response, not base64 data
    and not a request for a challenge. PLAIN cannot succeed with nothing."""
    c = server.connect()
    untagged, tagged = c.command("AUTHENTICATE PLAIN =")
    assert untagged == []
    assert tagged.startswith(("a1 BAD ", "a1 NO ")), tagged
    c.login()
    c.close()


def test_authenticate_login_mechanism(server):
    c = server.connect()
    c.send("l AUTHENTICATE LOGIN\r\n")
    assert c.readline() == "+ " + b64("Username:")
    c.send(b64("alice") + "\r\n")
    assert c.readline() == "+ " + b64("Password:")
    c.send(b64(server.passwords["alice"]) + "\r\n")
    expect_logged_in(c.readline(), "l")
    c.close()


def test_authenticate_login_mechanism_with_initial_response(server):
    c = server.connect()
    c.send("l AUTHENTICATE LOGIN %s\r\n" % b64("alice"))
    assert c.readline() == "+ " + b64("Password:")
    c.send(b64(server.passwords["alice"]) + "\r\n")
    expect_logged_in(c.readline(), "l")
    c.close()


def test_authenticate_cancel(server):
    c = server.connect()
    c.send("x AUTHENTICATE PLAIN\r\n")
    assert c.readline() == "+ "
    c.send("*\r\n")
    # RFC 9051 6.2.2: a cancelled exchange ends with a tagged BAD.
    assert c.readline() == "x BAD Authentication cancelled"
    c.send("y AUTHENTICATE LOGIN\r\n")
    assert c.readline() == "+ " + b64("Username:")
    c.send(b64("alice") + "\r\n")
    assert c.readline() == "+ " + b64("Password:")
    c.send("*\r\n")
    assert c.readline() == "y BAD Authentication cancelled"
    c.login()
    c.close()


def test_authenticate_bad_base64(server):
    c = server.connect()
    untagged, tagged = c.command("AUTHENTICATE PLAIN !!!!")
    assert tagged.startswith("a1 BAD ")
    c.send("x AUTHENTICATE PLAIN\r\n")
    assert c.readline() == "+ "
    c.send("not base64 at all\r\n")
    assert c.readline().startswith("x BAD ")
    c.login()
    c.close()


def test_authenticate_unknown_mechanism(server):
    c = server.connect()
    untagged, tagged = c.command("AUTHENTICATE X-NOPE")
    assert tagged.startswith("a1 NO ")
    untagged, tagged = c.command("AUTHENTICATE")
    assert tagged.startswith("a2 BAD ")
    c.close()


def test_authenticate_overlong_response(server):
    """A SASL response line far over any mechanism's need is refused, and
    the session goes on."""
    c = server.connect()
    c.send("x AUTHENTICATE PLAIN\r\n")
    assert c.readline() == "+ "
    c.send(b64(b"\0alice\0" + b"p" * 20000) + "\r\n")
    line = c.readline()
    assert line.startswith(("x BAD ", "x NO ")), line
    c.login()
    c.close()


# ---- SCRAM-SHA-256 (RFC 5802, RFC 7677) ----

class Scram:
    """A SCRAM-SHA-256 client without channel binding."""

    def __init__(self, user, password, nonce=None):
        self.user = user
        self.password = password.encode()
        self.nonce = nonce or b64(os.urandom(18))
        self.first_bare = "n=%s,r=%s" % (user, self.nonce)

    def client_first(self):
        return "n,," + self.first_bare

    def client_final(self, server_first):
        attrs = dict(kv.split("=", 1) for kv in server_first.split(","))
        assert attrs["r"].startswith(self.nonce) and len(attrs["r"]) > len(self.nonce)
        salt = base64.b64decode(attrs["s"])
        self.iterations = int(attrs["i"])
        salted = hashlib.pbkdf2_hmac("sha256", self.password, salt, self.iterations)
        client_key = hmac.new(salted, b"Client Key", "sha256").digest()
        stored_key = hashlib.sha256(client_key).digest()
        without_proof = "c=biws,r=" + attrs["r"]
        auth_message = ",".join((self.first_bare, server_first, without_proof)).encode()
        signature = hmac.new(stored_key, auth_message, "sha256").digest()
        proof = bytes(a ^ b for a, b in zip(client_key, signature))
        server_key = hmac.new(salted, b"Server Key", "sha256").digest()
        self.server_signature = hmac.new(server_key, auth_message, "sha256").digest()
        return without_proof + ",p=" + b64(proof)

    def verify_server_final(self, server_final):
        assert server_final == "v=" + b64(self.server_signature), server_final


def challenge(c):
    line = c.readline()
    assert line.startswith("+ "), line
    return base64.b64decode(line[2:]).decode()


def scram_login(c, user, password, tag="s", sasl_ir=False):
    """Run the exchange; returns the tagged line. Verifies the server's
    signature when the server got as far as sending one."""
    sc = Scram(user, password)
    if sasl_ir:
        c.send("%s AUTHENTICATE SCRAM-SHA-256 %s\r\n" % (tag, b64(sc.client_first())))
    else:
        c.send("%s AUTHENTICATE SCRAM-SHA-256\r\n" % tag)
        assert c.readline() == "+ "
        c.send(b64(sc.client_first()) + "\r\n")
    server_first = challenge(c)
    c.send(b64(sc.client_final(server_first)) + "\r\n")
    line = c.readline()
    if not line.startswith("+ "):
        return line, sc
    # IMAP has no "additional data with success" (RFC 4422 5): the
    # server-final message is a last challenge, answered with an empty line.
    sc.verify_server_final(base64.b64decode(line[2:]).decode())
    c.send("\r\n")
    return c.readline(), sc


def test_scram_sha256(server):
    c = server.connect()
    tagged, sc = scram_login(c, "alice", server.passwords["alice"])
    expect_logged_in(tagged, "s")
    untagged, tagged = c.command("SELECT INBOX")
    assert tagged.startswith("a1 OK [READ-WRITE]")
    c.close()


def test_scram_sha256_with_sasl_ir(server):
    c = server.connect()
    tagged, sc = scram_login(c, "alice", server.passwords["alice"], sasl_ir=True)
    expect_logged_in(tagged, "s")
    c.close()


def test_scram_wrong_password(server):
    c = server.connect()
    tagged, sc = scram_login(c, "alice", "wrong")
    assert tagged == "s NO [AUTHENTICATIONFAILED] Authentication failed"
    c.login()
    c.close()


def test_scram_does_not_reveal_which_users_exist(server):
    """An unknown user gets a server-first message of the same shape (a
    decoy salt and the same iteration count) and fails only at the proof."""
    c = server.connect()
    real = Scram("alice", "x")
    c.send("s AUTHENTICATE SCRAM-SHA-256 %s\r\n" % b64(real.client_first()))
    real_first = dict(kv.split("=", 1) for kv in challenge(c).split(","))
    c.send("*\r\n")
    assert c.readline() == "s BAD Authentication cancelled"
    tagged, sc = scram_login(c, "nobody-here", "x", tag="t", sasl_ir=True)
    assert tagged == "t NO [AUTHENTICATIONFAILED] Authentication failed"
    assert sc.iterations == int(real_first["i"])
    # The decoy salt is stable per name, as a real one is.
    again = Scram("nobody-here", "x")
    c.send("u AUTHENTICATE SCRAM-SHA-256 %s\r\n" % b64(again.client_first()))
    first = dict(kv.split("=", 1) for kv in challenge(c).split(","))
    c.send("*\r\n")
    assert c.readline() == "u BAD Authentication cancelled"
    tagged, sc2 = scram_login(c, "nobody-here", "x", tag="v", sasl_ir=True)
    assert tagged.startswith("v NO [AUTHENTICATIONFAILED]")
    assert len(base64.b64decode(first["s"])) == len(base64.b64decode(real_first["s"]))
    c.close()


def test_scram_cancel_midway(server):
    c = server.connect()
    sc = Scram("alice", server.passwords["alice"])
    c.send("s AUTHENTICATE SCRAM-SHA-256 %s\r\n" % b64(sc.client_first()))
    challenge(c)
    c.send("*\r\n")
    assert c.readline() == "s BAD Authentication cancelled"
    tagged, sc = scram_login(c, "alice", server.passwords["alice"], tag="t")
    expect_logged_in(tagged, "t")
    c.close()


def test_scram_channel_binding_refused(server):
    """We offer no SCRAM-SHA-256-PLUS: a client demanding binding fails cleanly."""
    c = server.connect()
    c.send("s AUTHENTICATE SCRAM-SHA-256 %s\r\n" % b64("p=tls-unique,,n=alice,r=abcdefgh"))
    line = c.readline()
    assert line.startswith(("s NO ", "s BAD ")), line
    c.login()
    c.close()


def test_scram_garbage_client_first(server):
    c = server.connect()
    for i, junk in enumerate(["", "n,,", "y,,n=alice", "n,,r=abc", "n,,n=alice,r=",
                              "n,a=x,n=alice,r=abc,extra"]):
        c.send("g%d AUTHENTICATE SCRAM-SHA-256 %s\r\n" % (i, b64(junk) if junk else "="))
        line = c.readline()
        assert line.startswith(("g%d BAD " % i, "g%d NO " % i)), (junk, line)
    c.login()
    c.close()


# ---- failures: delay and block (src/auth/auth-guard.h) ----

def timed_login(c, password):
    start = time.monotonic()
    untagged, tagged = c.command('LOGIN alice "%s"' % password)
    return tagged, time.monotonic() - start


def test_failed_login_answered_after_the_delay(make_server):
    server = make_server("auth_exempt_loopback = no", "auth_delay_ms = 400",
                         "auth_delay_max_ms = 1000", "auth_fail_limit = 100")
    c = server.connect()
    tagged, first = timed_login(c, "wrong")
    assert tagged == "a1 NO [AUTHENTICATIONFAILED] Authentication failed"
    assert first >= 0.38
    # The delay doubles with each further failure from the address.
    tagged, second = timed_login(c, "wrong")
    assert tagged.startswith("a2 NO [AUTHENTICATIONFAILED]")
    assert second >= 0.78
    # A client that pipelines during the delay waits for the answer too.
    c.send('p1 LOGIN alice "wrong"\r\np2 NOOP\r\n')
    assert c.readline().startswith("p1 NO [AUTHENTICATIONFAILED]")
    assert c.readline() == "p2 OK NOOP completed"
    # A success clears the streak: the next failure waits the first delay.
    tagged, t = timed_login(c, server.passwords["alice"])
    expect_logged_in(tagged, "a3")
    c2 = server.connect()
    tagged, again = timed_login(c2, "wrong")
    assert 0.38 <= again < 0.78 + 0.3
    c.close()
    c2.close()


def libxcrypt_crypt(password, setting):
    """crypt(3) from libxcrypt, through ctypes: Python's crypt module is
    deprecated and leaves in 3.13."""
    lib = ctypes.CDLL(ctypes.util.find_library("crypt"))
    lib.crypt.restype = ctypes.c_char_p
    lib.crypt.argtypes = (ctypes.c_char_p, ctypes.c_char_p)
    return lib.crypt(password.encode(), setting.encode()).decode()


def test_failure_delay_counts_from_the_command_not_the_hash(make_server):
    """The reply to a failed LOGIN comes when the guard's delay has passed
    since the command arrived, however long the user's hash took to check
    (cmd-auth.c): counted from the end of the check, its time would tell
    which names exist with which scheme. A user with a deliberately slow
    SHA512-CRYPT hash (rounds=3,000,000) makes the difference visible; it
    is not upgraded to yescrypt at the first login, so it stays slow."""
    slow_hash = libxcrypt_crypt("slow-secret", "$6$rounds=3000000$slowsalt$")
    assert slow_hash.startswith("$6$rounds=3000000$slowsalt$")
    delay = 3.0
    server = make_server("auth_exempt_loopback = no", "auth_delay_ms = %d" % (delay * 1000),
                         "auth_delay_max_ms = %d" % (delay * 1000), "auth_fail_limit = 100",
                         "auth_cache_ttl = 0", "auth_upgrade_hashes = no")
    server.hafend("user", "add", "--hash", "slow", stdin=slow_hash + "\n")
    # What the check alone costs: a successful login answers right after it.
    c = server.connect()
    start = time.monotonic()
    untagged, tagged = c.command('LOGIN slow "slow-secret"')
    check = time.monotonic() - start
    expect_logged_in(tagged, "a1")
    c.close()
    assert check > 0.25, "the slow hash took only %.3f s: raise its rounds" % check
    c = server.connect()
    start = time.monotonic()
    untagged, tagged = c.command('LOGIN slow "wrong"')
    failed = time.monotonic() - start
    assert tagged == "a1 NO [AUTHENTICATIONFAILED] Authentication failed"
    # Counted from the command: max(delay, check). From the end of the
    # check it would be delay + check.
    assert failed >= delay - 0.05
    assert failed < max(delay, check) + 0.5 * min(delay, check), (failed, check)
    c.close()


def test_login_cache_is_shared_by_the_workers(make_server):
    """One worker's successful check spares the others the hash: after the
    first login with a slow hash, logins on new connections, which land on
    any of the four workers, answer at once (userdb-cache.h)."""
    slow_hash = libxcrypt_crypt("slow-secret", "$6$rounds=3000000$slowsalt$")
    server = make_server("auth_upgrade_hashes = no", workers=4)
    server.hafend("user", "add", "--hash", "slow", stdin=slow_hash + "\n")
    times = []
    for _ in range(9):
        c = server.connect()
        start = time.monotonic()
        untagged, tagged = c.command('LOGIN slow "slow-secret"')
        times.append(time.monotonic() - start)
        expect_logged_in(tagged, "a1")
        c.close()
    assert times[0] > 0.25, "the slow hash took only %.3f s: raise its rounds" % times[0]
    # With a cache per worker, 8 logins spread over 4 workers would meet
    # at least one worker without the entry (all on the first one: 1 in
    # 65,536) and pay the whole hash again.
    assert max(times[1:]) < times[0] / 2, times


def test_timeout_during_the_login_delay(make_server):
    """The pre-login timeout can fire while a failure waits for its reply:
    BYE, then nothing more, and the server stays sound."""
    server = make_server("auth_exempt_loopback = no", "auth_delay_ms = 2500",
                         "preauth_timeout = 1")
    c = server.connect()
    c.send('a LOGIN alice "wrong"\r\nb NOOP\r\n')
    c.sock.settimeout(10)
    assert c.readline() == "* BYE Autologout; idle for too long"
    with pytest.raises(EOFError):
        c.readline()
    time.sleep(2)  # past the delay: its timer finds the session gone or closing
    c.close()
    c = server.connect()
    untagged, tagged = c.command("NOOP")
    assert tagged == "a1 OK NOOP completed"
    c.close()


def test_loopback_is_exempt_from_delays_by_default(server):
    c = server.connect()
    tagged, t = timed_login(c, "wrong")
    assert tagged.startswith("a1 NO [AUTHENTICATIONFAILED]")
    assert t < 0.3
    c.close()


def test_block_after_too_many_failures(make_server):
    server = make_server("auth_exempt_loopback = no", "auth_delay_ms = 1",
                         "auth_delay_max_ms = 2", "auth_fail_limit = 3",
                         "auth_block_time = 2")
    c = server.connect()
    for i in range(3):
        untagged, tagged = c.command('LOGIN alice "wrong"')
        assert "NO [AUTHENTICATIONFAILED]" in tagged
    blocked_at = time.monotonic()
    # Blocked: even the right password is refused, on every connection and
    # every worker (the counters are shared), for LOGIN and AUTHENTICATE.
    for k in range(3):
        c2 = server.connect()
        untagged, tagged = c2.command('LOGIN alice "%s"' % server.passwords["alice"])
        assert tagged.startswith("a1 NO [UNAVAILABLE] Too many failed logins"), tagged
        untagged, tagged = c2.command("AUTHENTICATE PLAIN " +
                                      b64("\0alice\0" + server.passwords["alice"]))
        assert tagged.startswith("a2 NO [UNAVAILABLE]"), tagged
        c2.close()
    # After the block time the right password works again.
    time.sleep(max(0, blocked_at + 2.3 - time.monotonic()))
    still_serving(server)
    c.close()


# ---- limits per address and per user ----

def greeted_ok(server, n=1, deadline=5.0):
    """n connections open at once, all greeted with OK. Connections that
    just closed (the harness's own probes among them) are uncounted when
    the server has seen them close, a few milliseconds later: retry."""
    end = time.monotonic() + deadline
    while True:
        conns = [server.connect() for _ in range(n)]
        if all(c.greeting.startswith("* OK ") for c in conns):
            return conns
        for c in conns:
            c.close()
        assert time.monotonic() < end, "closed connections were never uncounted"
        time.sleep(0.1)


def test_max_connections_per_ip(make_server):
    server = make_server("auth_exempt_loopback = no", "max_connections_per_ip = 3")
    conns = greeted_ok(server, 3)
    extra = server.connect()
    assert extra.greeting == "* BYE Too many connections from your address"
    with pytest.raises((EOFError, ConnectionError)):
        extra.readline()
    extra.close()
    # Closing one makes room again.
    conns[0].close()
    c, = greeted_ok(server)
    c.login()
    c.close()
    for c in conns[1:]:
        c.close()


def test_max_sessions_per_user(make_server):
    server = make_server("max_sessions_per_user = 2")
    a1, a2, a3 = server.connect(), server.connect(), server.connect()
    a1.login()
    a2.login()
    untagged, tagged = a3.command('LOGIN alice "%s"' % server.passwords["alice"])
    assert tagged == "a1 NO [LIMIT] Too many sessions for this user"
    # Still not logged in, the connection usable; bob is not affected.
    untagged, tagged = a3.command("SELECT INBOX")
    assert tagged.startswith("a2 BAD ")
    b = server.connect()
    b.login("bob")
    # A logout frees a slot.
    a1.command("LOGOUT")
    a1.close()
    deadline = time.monotonic() + 5
    while True:
        untagged, tagged = a3.command('LOGIN alice "%s"' % server.passwords["alice"])
        if " OK " in tagged:
            break
        assert time.monotonic() < deadline, tagged
        time.sleep(0.1)
    for c in (a2, a3, b):
        c.close()


def test_ten_sessions_per_user_by_default(server):
    """Thunderbird keeps five connections, K-9 one per pushed folder (INTEROP.md 8)."""
    conns = []
    for i in range(12):
        c = server.connect()
        c.login()
        conns.append(c)
    for c in conns:
        untagged, tagged = c.command("SELECT INBOX")
        assert " OK " in tagged
        c.close()


# ---- plaintext mechanisms off loopback (RFC 9051 6.2.3, docs/tls.md) ----

def test_plaintext_refused_on_an_insecure_line(make_server):
    server = make_server("loopback_is_secure = no")
    c = server.connect()
    caps = caps_of(c.greeting)
    assert caps == CORE_CAPS + ["STARTTLS", "LOGINDISABLED", "AUTH=SCRAM-SHA-256"]
    untagged, tagged = c.command("CAPABILITY")
    assert caps_of(untagged[0]) == caps
    untagged, tagged = c.command('LOGIN alice "%s"' % server.passwords["alice"])
    assert tagged.startswith("a2 NO [PRIVACYREQUIRED] "), tagged
    untagged, tagged = c.command("AUTHENTICATE PLAIN " +
                                 b64("\0alice\0" + server.passwords["alice"]))
    assert tagged.startswith("a3 NO [PRIVACYREQUIRED] "), tagged
    c.send("l AUTHENTICATE LOGIN\r\n")
    assert c.readline().startswith("l NO [PRIVACYREQUIRED] ")
    # SCRAM never shows the password: it is allowed.
    tagged, sc = scram_login(c, "alice", server.passwords["alice"])
    expect_logged_in(tagged, "s")
    c.close()


def test_pipelined_after_authenticate(server):
    """Clients that pipeline: a command after SASL-IR, and a response sent
    without waiting for the "+" (the empty challenge of PLAIN)."""
    pw = server.passwords["alice"]
    c = server.connect()
    c.send("a AUTHENTICATE PLAIN %s\r\nb SELECT INBOX\r\n" % b64("\0alice\0" + pw))
    expect_logged_in(c.readline(), "a")
    untagged, tagged = c.until_tagged("b")
    assert tagged == "b OK [READ-WRITE] SELECT completed"
    c.close()
    c = server.connect()
    c.send("a AUTHENTICATE PLAIN\r\n%s\r\nb NOOP\r\n" % b64("\0alice\0" + pw))
    assert c.readline() == "+ "
    expect_logged_in(c.readline(), "a")
    assert c.readline() == "b OK NOOP completed"
    c.close()

