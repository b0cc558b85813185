"""curl as an IMAP client (INTEROP.md): list mailboxes, search, fetch a
message by UID and section, run a custom command, append, over IMAPS,
STARTTLS and plain loopback."""
import os
import re
import shutil
import subprocess
import tempfile

import pytest

from test_idle import append

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")

MSG = (b"From: Carl Curl <carl@example.org>\r\n"
       b"To: Alice <alice@example.org>\r\n"
       b"Subject: sent with curl\r\n"
       b"Date: Tue, 4 Jun 2024 10:00:00 +0200\r\n"
       b"Message-ID: <curl-1@example.org>\r\n"
       b"\r\n"
       b"Body line one.\r\nBody line two.\r\n")


def curl(server, path="", *args, scheme="imaps", user="alice", password=None, data=None):
    port = server.imaps_port if scheme == "imaps" else server.imap_port
    url = "%s://%s:%d/%s" % (scheme, server.host, port, path)
    cmd = ["curl", "--silent", "--show-error", "--max-time", "30", "-k",
           "-u", "%s:%s" % (user, password or server.passwords[user]), url, *args]
    return subprocess.run(cmd, capture_output=True, input=data, timeout=60)


@pytest.fixture(scope="module")
def mailbox(server):
    """A mailbox with two known messages; returns (name, [uid, uid])."""
    c = server.connect()
    c.login()
    c.command("CREATE CurlBox")
    c.close()
    uids = [append(server, "CurlBox"), None]
    c = server.connect()
    c.login()
    c.send("p APPEND CurlBox (\\Flagged) {%d+}\r\n" % len(MSG))
    c.send(MSG + b"\r\n")
    untagged, tagged = c.until_tagged("p")
    uids[1] = int(re.search(r"APPENDUID \d+ (\d+)", tagged).group(1))
    c.close()
    return "CurlBox", uids


def test_curl_lists_mailboxes(server, mailbox):
    r = curl(server)
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    assert re.search(r'^\* LIST \([^)]*\) "/" INBOX\r?$', out, re.M), out
    assert re.search(r'^\* LIST \([^)]*\) "/" CurlBox\r?$', out, re.M), out
    assert re.search(r'^\* LIST \([^)]*\\Sent[^)]*\) "/" Sent\r?$', out, re.M), out


def test_curl_search(server, mailbox):
    name, uids = mailbox
    r = curl(server, name + "?ALL")
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode().strip() == "* SEARCH 1 2"
    r = curl(server, name + "?FLAGGED")
    assert r.stdout.decode().strip() == "* SEARCH 2"


def test_curl_fetches_by_uid(server, mailbox):
    name, uids = mailbox
    r = curl(server, "%s/;UID=%d" % (name, uids[1]))
    assert r.returncode == 0, r.stderr
    assert r.stdout == MSG


def test_curl_fetches_a_section(server, mailbox):
    name, uids = mailbox
    r = curl(server, "%s/;UID=%d/;SECTION=HEADER.FIELDS%%20(FROM%%20SUBJECT)" % (name, uids[1]))
    assert r.returncode == 0, r.stderr
    assert r.stdout == (b"From: Carl Curl <carl@example.org>\r\n"
                        b"Subject: sent with curl\r\n\r\n")
    r = curl(server, "%s/;UID=%d/;SECTION=TEXT" % (name, uids[1]))
    assert r.stdout == b"Body line one.\r\nBody line two.\r\n"
    r = curl(server, "%s/;UID=%d/;SECTION=1" % (name, uids[1]))
    assert r.stdout == b"Body line one.\r\nBody line two.\r\n"


def test_curl_custom_command(server, mailbox):
    name, uids = mailbox
    r = curl(server, name, "-X", "UID FETCH 1:* (FLAGS)")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.decode().splitlines()
    assert any(re.fullmatch(r"\* 2 FETCH \(UID %d FLAGS \((\\Seen )?\\Flagged\)\)" % uids[1], l)
               for l in lines), lines
    r = curl(server, "", "-X", 'STATUS CurlBox (MESSAGES UIDNEXT)')
    assert r.stdout.decode().strip() == "* STATUS CurlBox (MESSAGES 2 UIDNEXT %d)" % (uids[1] + 1)


def test_curl_appends(server):
    with tempfile.NamedTemporaryFile(suffix=".eml") as f:
        body = MSG.replace(b"curl-1@", b"curl-append@")
        f.write(body)
        f.flush()
        r = curl(server, "INBOX", "-T", f.name)
        assert r.returncode == 0, r.stderr
    c = server.connect()
    c.login()
    c.command("SELECT INBOX")
    untagged, tagged = c.command('UID SEARCH HEADER Message-ID "<curl-append@example.org>"')
    found = untagged[0].split()[2:]
    assert len(found) == 1, untagged
    r = curl(server, "INBOX/;UID=%s" % found[0])
    assert r.stdout == body
    c.close()


def test_curl_starttls(server, mailbox):
    name, uids = mailbox
    r = curl(server, "%s/;UID=%d" % (name, uids[1]), "--ssl-reqd", scheme="imap")
    assert r.returncode == 0, r.stderr
    assert r.stdout == MSG


def test_curl_plain_loopback(server, mailbox):
    r = curl(server, "", scheme="imap")
    assert r.returncode == 0, r.stderr
    assert b'"/" CurlBox' in r.stdout


def test_curl_wrong_password(server):
    r = curl(server, "", password="wrong")
    assert r.returncode == 67  # CURLE_LOGIN_DENIED


def test_curl_fetch_sets_seen(server):
    """curl fetches BODY[] (no .PEEK): the message becomes \\Seen."""
    uid = append(server)
    r = curl(server, "INBOX", "-X", "UID FETCH %d (FLAGS)" % uid)
    assert b"\\Seen" not in r.stdout, r.stdout
    r = curl(server, "INBOX/;UID=%d" % uid)
    assert r.returncode == 0
    r = curl(server, "INBOX", "-X", "UID FETCH %d (FLAGS)" % uid)
    assert re.search(rb"FLAGS \(\\Seen( \\Recent)?\)", r.stdout), r.stdout
