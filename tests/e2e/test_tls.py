"""TLS end to end: IMAPS, STARTTLS (RFC 9051 6.2.1), the STARTTLS command
injection case (CVE-2011-0411: nothing pipelined in plaintext after
STARTTLS may run), protocol versions, and what the capabilities say on
each kind of line."""
import socket
import ssl
import time
import warnings

import pytest

from conftest import insecure_ssl
from test_auth import CORE_CAPS, caps_of, expect_logged_in

ALL_MECHS = ["AUTH=SCRAM-SHA-256", "AUTH=PLAIN", "AUTH=LOGIN"]


def starttls(c, tag="t"):
    """Send STARTTLS, check the OK, and switch the raw client to TLS."""
    c.send("%s STARTTLS\r\n" % tag)
    assert c.readline() == "%s OK Begin TLS negotiation now" % tag
    assert c.buf == b"", c.buf
    c.sock = insecure_ssl().wrap_socket(c.sock)
    return c


def nothing_arrives(sock, seconds=0.3):
    """True when the peer sends nothing for a while (and did not close)."""
    sock.settimeout(seconds)
    try:
        data = sock.recv(4096)
    except socket.timeout:
        return True
    finally:
        sock.settimeout(10)
    raise AssertionError("unexpected bytes before the handshake: %r" % data)


def still_serving(server):
    for tls in (False, True):
        c = server.connect(tls=tls)
        c.login()
        c.command("NOOP")
        c.close()


# ---- IMAPS ----

def test_imaps_greeting_and_login(server):
    c = server.connect(tls=True)
    # Implicit TLS: no STARTTLS to offer, no LOGINDISABLED, every mechanism.
    assert caps_of(c.greeting) == CORE_CAPS + ALL_MECHS
    assert c.sock.version() in ("TLSv1.2", "TLSv1.3")
    expect_logged_in(c.login(), "a1")
    untagged, tagged = c.command("SELECT INBOX")
    assert tagged.startswith("a2 OK [READ-WRITE]")
    c.close()


def test_imaps_offers_plaintext_mechanisms_off_loopback(make_server):
    """The greeting is written before the handshake completes; it must
    already count the connection as secure."""
    server = make_server("loopback_is_secure = no")
    c = server.connect(tls=True)
    assert caps_of(c.greeting) == CORE_CAPS + ALL_MECHS
    untagged, tagged = c.command("CAPABILITY")
    assert caps_of(untagged[0]) == CORE_CAPS + ALL_MECHS
    c.login()
    c.close()


@pytest.mark.parametrize("version", ["TLSv1_2", "TLSv1_3"])
def test_tls_1_2_and_1_3_accepted(server, version):
    ctx = insecure_ssl()
    ctx.minimum_version = ctx.maximum_version = getattr(ssl.TLSVersion, version)
    with socket.create_connection((server.host, server.imaps_port), timeout=10) as raw:
        with ctx.wrap_socket(raw) as s:
            assert s.version() == version.replace("_", ".")
            assert s.recv(4096).startswith(b"* OK [CAPABILITY ")


@pytest.mark.parametrize("version", ["TLSv1", "TLSv1_1"])
def test_old_tls_versions_refused(server, version):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.minimum_version = ctx.maximum_version = getattr(ssl.TLSVersion, version)
    except (ValueError, ssl.SSLError):
        pytest.skip("this OpenSSL cannot even offer %s" % version)
    with socket.create_connection((server.host, server.imaps_port), timeout=10) as raw:
        with pytest.raises((ssl.SSLError, ConnectionError)):
            with ctx.wrap_socket(raw) as s:
                s.recv(4096)
    still_serving(server)


def test_plaintext_spoken_to_the_imaps_port(server):
    with socket.create_connection((server.host, server.imaps_port), timeout=10) as s:
        s.sendall(b"a1 CAPABILITY\r\n")
        # Whatever comes back is not an IMAP answer, and the server hangs up.
        data = b""
        while True:
            try:
                chunk = s.recv(4096)
            except ConnectionError:
                break
            if not chunk:
                break
            data += chunk
        assert b"CAPABILITY" not in data
    still_serving(server)


# ---- STARTTLS ----

def test_starttls_then_login(make_server):
    server = make_server("loopback_is_secure = no")
    c = server.connect()
    assert caps_of(c.greeting) == CORE_CAPS + ["STARTTLS", "LOGINDISABLED",
                                               "AUTH=SCRAM-SHA-256"]
    starttls(c)
    # RFC 9051 6.2.1: the client must ask again; the answer changed.
    untagged, tagged = c.command("CAPABILITY")
    assert caps_of(untagged[0]) == CORE_CAPS + ALL_MECHS
    assert tagged == "a1 OK CAPABILITY completed"
    expect_logged_in(c.login(), "a2")
    untagged, tagged = c.command("SELECT INBOX")
    assert tagged.startswith("a3 OK [READ-WRITE]")
    c.close()


def test_starttls_injection_is_never_answered(server):
    """a STARTTLS and b CAPABILITY in one packet: b must not be answered in
    plaintext before the handshake nor over TLS after it."""
    c = server.connect()
    c.send("a STARTTLS\r\nb CAPABILITY\r\n")
    assert c.readline() == "a OK Begin TLS negotiation now"
    assert c.buf == b""
    assert nothing_arrives(c.sock)
    c.sock = insecure_ssl().wrap_socket(c.sock)
    c.send("c NOOP\r\n")
    lines = []
    while True:
        line = c.readline()
        lines.append(line)
        if line.startswith("c "):
            break
    assert lines == ["c OK NOOP completed"]
    c.close()


def test_starttls_injected_login_does_not_log_in(server):
    c = server.connect()
    c.send('a STARTTLS\r\nb LOGIN alice "%s"\r\nd SELECT INBOX\r\n' % server.passwords["alice"])
    assert c.readline() == "a OK Begin TLS negotiation now"
    assert nothing_arrives(c.sock)
    c.sock = insecure_ssl().wrap_socket(c.sock)
    untagged, tagged = c.command("SELECT INBOX")
    assert untagged == []
    assert tagged.startswith("a1 BAD "), tagged
    c.login()
    c.close()


def test_starttls_injection_split_packets(server):
    """Plaintext that arrives after the OK but before the ClientHello is
    either discarded or breaks the handshake; it is never executed."""
    c = server.connect()
    c.send("a STARTTLS\r\n")
    c.send("b CAPABILITY\r\n")
    assert c.readline() == "a OK Begin TLS negotiation now"
    try:
        c.sock = insecure_ssl().wrap_socket(c.sock)
        c.send("c NOOP\r\n")
        untagged, tagged = c.until_tagged("c")
        assert untagged == [] and tagged == "c OK NOOP completed"
    except (ssl.SSLError, ConnectionError, EOFError):
        pass
    c.close()
    still_serving(server)


def test_second_starttls_refused(server):
    c = server.connect()
    starttls(c)
    untagged, tagged = c.command("STARTTLS")
    assert tagged.startswith("a1 BAD "), tagged
    # The session is intact.
    c.login()
    c.close()


def test_starttls_on_imaps_refused(server):
    c = server.connect(tls=True)
    untagged, tagged = c.command("STARTTLS")
    assert tagged.startswith("a1 BAD "), tagged
    c.login()
    c.close()


def test_starttls_after_login_refused(server):
    c = server.connect()
    c.login()
    untagged, tagged = c.command("STARTTLS")
    assert tagged.startswith("a2 BAD "), tagged
    c.close()


def test_garbage_instead_of_a_handshake(server):
    c = server.connect()
    c.send("a STARTTLS\r\n")
    assert c.readline() == "a OK Begin TLS negotiation now"
    c.send(b"\x16\x03\x01\x00\x05hello" + b"\x00" * 100 + b"\r\nb NOOP\r\n")
    c.sock.settimeout(10)
    data = b""
    while True:
        try:
            chunk = c.sock.recv(4096)
        except ConnectionError:
            break
        if not chunk:
            break
        data += chunk
    assert b"b OK" not in data
    c.close()
    still_serving(server)


def test_starttls_with_a_pending_literal_discards_it(server):
    """Bytes of a command half-sent before STARTTLS are forgotten too."""
    c = server.connect()
    c.send("a STARTTLS\r\nb LOGIN {5}\r\n")
    assert c.readline() == "a OK Begin TLS negotiation now"
    assert nothing_arrives(c.sock)
    c.sock = insecure_ssl().wrap_socket(c.sock)
    untagged, tagged = c.command("NOOP")
    assert untagged == [] and tagged == "a1 OK NOOP completed"
    c.close()


def test_tls_handshake_time_is_bounded(make_server):
    """A client that opens IMAPS and never says hello is dropped after the
    pre-authentication timeout."""
    server = make_server("preauth_timeout = 2")
    start = time.monotonic()
    with socket.create_connection((server.host, server.imaps_port), timeout=15) as s:
        try:
            data = s.recv(4096)
        except ConnectionError:
            data = b""
        assert data == b""
    assert time.monotonic() - start < 10
    still_serving(server)
