"""Python's imaplib as a client against both ports (INTEROP.md 1: it needs
IMAP4rev1 advertised): a mail client's whole session over IMAP with
STARTTLS and over IMAPS, AUTHENTICATE, ENABLE UTF8=ACCEPT, and errors
raised as imaplib exceptions rather than hangs."""
import email
import imaplib
import re
import time

import pytest

from conftest import insecure_ssl


def connect(server, how):
    if how == "imaps":
        m = imaplib.IMAP4_SSL(server.host, server.imaps_port, ssl_context=insecure_ssl(),
                              timeout=20)
    else:
        m = imaplib.IMAP4(server.host, server.imap_port, timeout=20)
        if how == "starttls":
            typ, data = m.starttls(ssl_context=insecure_ssl())
            assert typ == "OK"
    return m


def message(n, subject=None):
    return ("From: Ivy Imaplib <ivy@example.org>\r\nTo: alice@example.org\r\n"
            "Subject: %s\r\nDate: Wed, 5 Jun 2024 12:00:00 +0000\r\n"
            "Message-ID: <imaplib-%d@example.org>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\nMessage number %d.\r\n"
            % (subject or "imaplib %d" % n, n, n)).encode()


@pytest.mark.parametrize("how", ["starttls", "imaps", "plain"])
def test_a_whole_session(server, how):
    m = connect(server, how)
    assert "IMAP4REV1" in m.capabilities
    typ, data = m.login("alice", server.passwords["alice"])
    assert typ == "OK"
    box = "Imaplib-" + how
    assert m.create(box)[0] == "OK"
    typ, data = m.list('""', "Imaplib-*")
    assert typ == "OK" and any(box.encode() in line for line in data), data
    for n in range(3):
        typ, data = m.append(box, "(\\Seen)" if n == 0 else None,
                             imaplib.Time2Internaldate(time.time()), message(n))
        assert typ == "OK", data
        assert b"APPENDUID" in data[0]
    typ, data = m.select(box)
    assert typ == "OK" and data == [b"3"]
    typ, data = m.search(None, "UNSEEN")
    assert data == [b"2 3"]
    typ, data = m.fetch("1:3", "(UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    assert typ == "OK"
    subjects = [part[1] for part in data if isinstance(part, tuple)]
    assert subjects == [b"Subject: imaplib %d\r\n\r\n" % n for n in range(3)]
    typ, data = m.fetch("2", "(RFC822)")
    msg = email.message_from_bytes(data[0][1])
    assert msg["Message-ID"] == "<imaplib-1@example.org>"
    assert msg.get_payload() == "Message number 1.\r\n"
    # RFC822 (not .PEEK) set \Seen.
    typ, data = m.fetch("2", "(FLAGS)")
    assert b"\\Seen" in data[0]
    typ, data = m.store("3", "+FLAGS", "(\\Flagged \\Deleted)")
    assert typ == "OK" and b"\\Flagged" in data[0]
    typ, data = m.uid("SEARCH", None, "FLAGGED")
    flagged_uid = data[0]
    assert len(flagged_uid.split()) == 1
    assert m.copy("1:2", "INBOX")[0] == "OK"
    typ, data = m.expunge()
    assert typ == "OK" and data == [b"3"]
    typ, data = m.status(box, "(MESSAGES UNSEEN UIDNEXT)")
    items = re.search(rb"\((.*)\)", data[0]).group(1).split()
    assert dict(zip(items[::2], items[1::2])) == {b"MESSAGES": b"2", b"UNSEEN": b"0",
                                                  b"UIDNEXT": b"4"}, data
    typ, data = m.namespace()
    assert typ == "OK"
    assert m.check()[0] == "OK"
    assert m.noop()[0] == "OK"
    assert m.close()[0] == "OK"
    assert m.delete(box)[0] == "OK"
    assert m.logout()[0] == "BYE"


def test_authenticate_plain(server):
    m = connect(server, "imaps")
    pw = server.passwords["bob"]
    typ, data = m.authenticate("PLAIN", lambda challenge: b"\0bob\0" + pw.encode())
    assert typ == "OK"
    assert m.select("INBOX")[0] == "OK"
    m.logout()


def test_cram_md5_is_not_offered(server):
    m = connect(server, "imaps")
    assert "AUTH=CRAM-MD5" not in m.capabilities
    with pytest.raises(imaplib.IMAP4.error):
        m.login_cram_md5("alice", server.passwords["alice"])
    m.logout()


def test_wrong_password_raises(server):
    m = connect(server, "imaps")
    with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
        m.login("alice", "wrong")
    m.logout()


def test_utf8_accept(server):
    m = connect(server, "starttls")
    m.login("alice", server.passwords["alice"])
    typ, data = m.enable("UTF8=ACCEPT")
    assert typ == "OK" and m.utf8_enabled
    # imaplib now sends and reads mailbox names as UTF-8.
    name = '"Gr\u00fc\u00dfe \u65e5\u672c"'
    assert m.create(name)[0] == "OK"
    typ, data = m.list('""', '"Gr*"')
    assert typ == "OK" and "Gr\u00fc\u00dfe \u65e5\u672c".encode() in data[0], data
    typ, data = m.select(name)
    assert typ == "OK"
    # imaplib's APPEND in UTF-8 mode puts "UTF8 (" inside the literal
    # (Python 3.11), so the message goes in through another connection.
    c = server.connect()
    c.login()
    c.command("ENABLE UTF8=ACCEPT")
    msg = message(9, subject="=?utf-8?q?Gr=C3=BC=C3=9Fe?=")
    c.send(('p APPEND %s {%d+}\r\n' % (name, len(msg))).encode() + msg + b"\r\n")
    untagged, tagged = c.until_tagged("p")
    assert " OK " in tagged, tagged
    c.close()
    m.noop()
    typ, data = m.search(None, "SUBJECT", '"Gr\u00fc\u00dfe"'.encode())
    assert data == [b"1"], data
    m.close()
    m.delete(name)
    m.logout()


def test_readonly_select(server):
    m = connect(server, "imaps")
    m.login("alice", server.passwords["alice"])
    m.append("INBOX", None, None, message(20))
    typ, data = m.select("INBOX", readonly=True)
    assert typ == "OK"
    typ, data = m.store("1", "+FLAGS", "(\\Deleted)")
    assert typ == "NO" and b"READ-ONLY" in data[0], data
    m.logout()


def test_server_error_is_an_exception_not_a_hang(server):
    m = connect(server, "plain")
    m.login("alice", server.passwords["alice"])
    typ, data = m.select("Does-Not-Exist")
    assert typ == "NO" and b"NONEXISTENT" in data[0]
    with pytest.raises(imaplib.IMAP4.error):
        m.fetch("1", "(FLAGS)")
    typ, data = m.create("INBOX")
    assert typ == "NO"
    m.logout()


def test_harness_imaplib_helper_both_ports(server):
    for tls in (False, True):
        m = server.imaplib("bob", tls=tls)
        typ, data = m.select("INBOX")
        assert typ == "OK"
        m.logout()
