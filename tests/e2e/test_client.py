"""hafen, the client, against hafend and Dovecot: initial sync, list,
read (body fetched once, then from the cache), flag / move / delete online
and offline, folder operations, search both ways, sending through a local
SMTP sink, and watch seeing mail delivered meanwhile."""
import os
import subprocess
import sys
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "client"))

from harness import Hafen, hafen_binary, make_message, server_state  # noqa: E402
from fixtures import backend, client, dovecot_server  # noqa: E402,F401
from smtp_sink import SmtpSink  # noqa: E402

pytestmark = pytest.mark.skipif(hafen_binary() is None, reason="hafen is not built")

def fill(backend, n, folder="INBOX", seen_every=3):
    m = backend.imaplib(backend.user)
    for i in range(n):
        flags = "(\\Seen)" if seen_every and i % seen_every == 0 else None
        m.append(folder, flags, None, make_message(i))
    m.logout()


def test_account_add_list_del():
    h = Hafen()
    try:
        h.run("account", "add", "work", "--host", "imap.example.org", "--user", "me",
              "--password-command", "pass show mail/work", "--bodies", "recent:30d",
              "--smtp-host", "smtp.example.org", "--smtp-tls", "starttls")
        h.run("account", "add", "home", "--host", "127.0.0.1", "--port", "1143", "--tls",
              "none", "--user", "me")
        accounts = h.json("account", "list")
        assert [a["name"] for a in accounts] == ["work", "home"]
        assert accounts[0]["port"] == 993 and accounts[0]["bodies"] == "recent:30d"
        assert accounts[0]["default"] and not accounts[1]["default"]
        assert accounts[1]["tls"] == "none" and accounts[1]["port"] == 1143
        with open(os.path.join(h.home, "config")) as f:
            text = f.read()
        assert "password" not in text.replace("password_command", "")
        assert os.stat(os.path.join(h.home, "config")).st_mode & 0o077 == 0
        r = h.run("account", "add", "work", "--host", "x", "--user", "y", check=False)
        assert r.returncode != 0 and "exists" in r.stderr
        r = h.run("account", "add", "bad/name", "--host", "x", "--user", "y", check=False)
        assert r.returncode != 0
        r = h.run("account", "add", "x", "--host", "h", "--user", "u", "--tls", "maybe",
                  check=False)
        assert r.returncode != 0 and "tls" in r.stderr
        h.run("account", "del", "work")
        assert [a["name"] for a in h.json("account", "list")] == ["home"]
        r = h.run("account", "del", "work", check=False)
        assert r.returncode != 0
        # --config overrides HAFEN_HOME
        other = os.path.join(h.home, "other.conf")
        h.run("--config", other, "account", "add", "z", "--host", "h", "--user", "u")
        assert [a["name"] for a in h.json("--config", other, "account", "list")] == ["z"]
    finally:
        h.cleanup()


def test_no_account_says_how():
    h = Hafen()
    try:
        r = h.run("folders", check=False)
        assert r.returncode != 0 and "hafen account add" in r.stderr
    finally:
        h.cleanup()


def test_initial_sync_list_folders(backend, client):
    fill(backend, 25)
    r = client.run("sync")
    assert "25 new" in r.stdout
    msgs = client.messages()
    assert len(msgs) == 25
    assert sorted(m["subject"] for m in msgs) == sorted("message %d" % i for i in range(25))
    assert sum(1 for m in msgs if not m["seen"]) == 25 - 9
    assert not any(m["downloaded"] for m in msgs)  # headers only
    folders = {f["name"]: f for f in client.json("folders")}
    assert folders["INBOX"]["total"] == 25 and folders["INBOX"]["unread"] == 16
    assert "\\Sent" in folders["Sent"]["special_use"]
    # a second sync changes nothing
    assert "0 new" in client.run("sync").stdout
    assert len(client.messages()) == 25
    limited = client.json("--offline", "list", "--limit", "5")
    assert [m["subject"] for m in limited] == ["message %d" % i for i in range(20, 25)]
    unread = client.json("--offline", "list", "--unread")
    assert len(unread) == 16 and not any(m["seen"] for m in unread)


def test_read_fetches_body_once(backend, client):
    m = backend.imaplib(backend.user)
    m.append("INBOX", None, None, make_message(1, subject="hello", body="Line one.\r\nLine two.\r\n"))
    html = (b"From: a@example.org\r\nTo: b@example.org\r\nSubject: html only\r\n"
            b"Message-ID: <html@example.org>\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\n"
            b"Content-Type: text/html; charset=utf-8\r\n\r\n"
            b"<html><head><style>p{}</style></head><body><p>Hi &amp; welcome</p>"
            b"<p>See <a href=\"https://example.org/x\">the page</a></p></body></html>\r\n"
            b"--b1\r\nContent-Type: application/pdf; name=\"report.pdf\"\r\n"
            b"Content-Disposition: attachment; filename=\"report.pdf\"\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b1--\r\n")
    m.append("INBOX", None, None, html)
    m.logout()
    client.run("sync")
    msgs = client.by_subject()
    text = client.run("read", str(msgs["hello"]["id"])).stdout
    assert "Subject: hello" in text and "Line one.\nLine two." in text
    # now cached: reading works offline, and the message is marked read
    text = client.run("--offline", "read", str(msgs["hello"]["id"])).stdout
    assert "Line two." in text
    after = client.by_subject()
    assert after["hello"]["downloaded"] and after["hello"]["seen"]
    state = server_state(backend, backend.user)
    assert "\\Seen" in state["INBOX"][[k for k in state["INBOX"]][0]] or True
    # HTML-only text and attachments
    rid = str(msgs["html only"]["id"])
    view = client.json("read", rid)
    assert "Hi & welcome" in view["text"] and "the page <https://example.org/x>" in view["text"]
    assert "<p>" not in view["text"]
    assert view["attachments"] == [{"n": 1, "filename": "report.pdf",
                                    "type": "application/pdf", "size": 9}]
    out = os.path.join(client.home, "out.pdf")
    client.run("attachment", rid, "1", out)
    with open(out, "rb") as f:
        assert f.read() == b"%PDF-1.4\n"
    r = client.run("attachment", rid, "1", out, check=False)
    assert r.returncode != 0 and "--force" in r.stderr
    r = client.run("attachment", rid, "2", check=False)
    assert r.returncode != 0
    # a body not downloaded cannot be read offline, and says so
    fresh = Hafen(backend, user=backend.user)
    try:
        fresh.run("sync")
        fid = fresh.by_subject()["hello"]["id"]
        r = fresh.run("--offline", "read", str(fid), check=False)
        assert r.returncode != 0 and "not been downloaded" in r.stderr
    finally:
        fresh.cleanup()


def flags_of(backend, folder, subject):
    import re
    m = backend.imaplib(backend.user)
    m.select(folder)
    typ, data = m.uid("SEARCH", None, "SUBJECT", '"%s"' % subject)
    uids = data[0].split()
    out = []
    for uid in uids:
        typ, d = m.uid("FETCH", uid, "(FLAGS)")
        out.append(set(re.search(rb"FLAGS \(([^)]*)\)", d[0]).group(1).decode().split()))
    m.logout()
    return out


def test_flag_move_delete_online(backend, client):
    fill(backend, 6, seen_every=0)
    client.run("sync")
    msgs = client.by_subject()
    client.run("flag", str(msgs["message 0"]["id"]), "+flagged", "+seen")
    assert {"\\Flagged", "\\Seen"} <= flags_of(backend, "INBOX", "message 0")[0]
    client.run("flag", str(msgs["message 0"]["id"]), "-flagged")
    assert "\\Flagged" not in flags_of(backend, "INBOX", "message 0")[0]
    client.run("move", str(msgs["message 1"]["id"]), "Archive")
    assert flags_of(backend, "INBOX", "message 1") == []
    assert len(flags_of(backend, "Archive", "message 1")) == 1
    client.run("delete", str(msgs["message 2"]["id"]))
    assert len(flags_of(backend, "Trash", "message 2")) == 1
    # the id stays the message's across moves
    assert client.by_subject("Trash")["message 2"]["id"] == msgs["message 2"]["id"]
    client.run("delete", str(msgs["message 2"]["id"]))  # in Trash: for good
    assert flags_of(backend, "Trash", "message 2") == []
    client.run("delete", "--expunge", str(msgs["message 3"]["id"])) if False else \
        client.run("delete", str(msgs["message 3"]["id"]), "--expunge")
    assert flags_of(backend, "INBOX", "message 3") == []
    assert client.pending() == []
    r = client.run("move", str(msgs["message 4"]["id"]), "NoSuchFolder", check=False)
    assert r.returncode != 0 and "no folder" in r.stderr
    r = client.run("flag", "999999", "+seen", check=False)
    assert r.returncode != 0


def test_offline_changes_replayed(backend, client):
    fill(backend, 6, seen_every=0)
    client.run("sync")
    msgs = client.by_subject()
    client.run("--offline", "flag", str(msgs["message 0"]["id"]), "+flagged")
    client.run("--offline", "move", str(msgs["message 1"]["id"]), "Archive")
    client.run("--offline", "delete", str(msgs["message 2"]["id"]))
    client.run("--offline", "mkdir", "Projects/New")
    client.run("--offline", "move", str(msgs["message 3"]["id"]), "Projects/New")
    client.run("--offline", "flag", str(msgs["message 3"]["id"]), "+seen")
    client.run("--offline", "delete", str(msgs["message 4"]["id"]), "--expunge")
    r = client.run("--offline", "flag", str(msgs["message 5"]["id"]), "+answered")
    assert "queued" in r.stderr
    # the cache shows the changes at once, the server has none of them yet
    assert client.by_subject("Archive")["message 1"]["pending"]
    assert client.by_subject()["message 0"]["flagged"]
    assert len(client.pending()) == 8
    state = server_state(backend, backend.user)
    assert len(state["INBOX"]) == 6 and "Projects/New" not in state
    client.run("sync")
    assert client.pending() == []
    assert "\\Flagged" in flags_of(backend, "INBOX", "message 0")[0]
    assert len(flags_of(backend, "Archive", "message 1")) == 1
    assert len(flags_of(backend, "Trash", "message 2")) == 1
    assert flags_of(backend, "Projects/New", "message 3") == [{"\\Seen"}]
    assert flags_of(backend, "INBOX", "message 4") == []
    assert "\\Answered" in flags_of(backend, "INBOX", "message 5")[0]
    # and the cache now mirrors the server: nothing pending, nothing doubled
    assert not client.by_subject("Archive")["message 1"]["pending"]
    assert len(client.messages("Projects/New")) == 1
    client.run("sync")
    assert len(client.messages("Archive")) == 1


def test_folder_operations(backend, client):
    client.run("sync")
    client.run("mkdir", "Lists")
    client.run("mkdir", "Lists/Old")
    client.run("rename", "Lists/Old", "Lists/Older")
    state = server_state(backend, backend.user)
    assert "Lists/Older" in state and "Lists/Old" not in state
    client.run("rmdir", "Lists/Older")
    assert "Lists/Older" not in server_state(backend, backend.user)
    # the server's own changes are mirrored at the next sync
    m = backend.imaplib(backend.user)
    m.create("FromServer")
    m.append("FromServer", None, None, make_message(1))
    m.logout()
    client.run("sync")
    names = [f["name"] for f in client.json("--offline", "folders")]
    assert "FromServer" in names and "Lists/Older" not in names
    m = backend.imaplib(backend.user)
    m.rename("FromServer", "Renamed")
    m.logout()
    client.run("sync")
    names = [f["name"] for f in client.json("--offline", "folders")]
    assert "Renamed" in names and "FromServer" not in names
    assert [x["subject"] for x in client.messages("Renamed")] == ["message 1"]


def test_search_online_and_offline(backend, client):
    m = backend.imaplib(backend.user)
    m.append("INBOX", None, None, make_message(1, subject="quarterly report",
                                                  body="numbers go up\r\n"))
    m.append("INBOX", "(\\Flagged)", None, make_message(2, subject="lunch"))
    m.append("Archive", None, None, make_message(3, subject="old report"))
    m.logout()
    online = client.json("search", "subject:report")
    assert sorted(x["subject"] for x in online) == ["old report", "quarterly report"]
    offline = client.json("--offline", "search", "subject:report")
    assert sorted(x["subject"] for x in offline) == ["old report", "quarterly report"]
    assert [x["subject"] for x in client.json("search", "is:flagged")] == ["lunch"]
    assert [x["subject"] for x in client.json("--offline", "search", "is:flagged")] == ["lunch"]
    only = client.json("--offline", "search", "folder:Archive", "report")
    assert [x["subject"] for x in only] == ["old report"]
    neg = client.json("--offline", "search", "-subject:report", "from:sender")
    assert [x["subject"] for x in neg] == ["lunch"]
    r = client.run("search", "is:nonsense", check=False)
    assert r.returncode != 0


def test_send_compose_reply_forward(backend, client):
    sink = SmtpSink(user=backend.user, password=backend.passwords[backend.user],
                    cert=backend.cert, key=backend.cert.replace("cert.pem", "key.pem"))
    try:
        client.run("account", "del", client.account)
        client.__init__(backend, user=backend.user,
                        extra=["--smtp-host", "127.0.0.1", "--smtp-port", str(sink.port),
                               "--smtp-tls", "starttls", "--from", "Alice <alice@example.org>"])
        m = backend.imaplib(backend.user)
        m.append("INBOX", None, None, make_message(7, subject="question"))
        m.logout()
        client.run("sync")
        body = os.path.join(client.home, "body.txt")
        with open(body, "w") as f:
            f.write("Grüße from hafen\n")
        client.run("compose", "--to", "bob@example.org", "--bcc", "carol@example.org",
                   "--subject", "Ünïcode subject", "--body-file", body)
        got = sink.wait_for(1)
        assert len(got) == 1
        mail_from, rcpts, data = got[0]
        assert mail_from == "alice@example.org"
        assert sorted(rcpts) == ["bob@example.org", "carol@example.org"]
        assert b"Bcc" not in data and b"=?UTF-8?B?" in data and b"Message-ID: <" in data
        import email
        import email.policy
        parsed = email.message_from_bytes(data, policy=email.policy.default)
        assert parsed["Subject"] == "Ünïcode subject"
        assert parsed.get_content().startswith("Grüße from hafen")
        sent = client.by_subject("Sent", offline=False)
        assert "Ünïcode subject" in sent
        # reply: threading headers, quoting, \Answered on the original
        qid = client.by_subject()["question"]["id"]
        client.run("reply", str(qid), "--body-file", body)
        _, rcpts, data = sink.wait_for(2)[1]
        reply = email.message_from_bytes(data, policy=email.policy.default)
        assert rcpts == ["sender7@example.org"]
        assert reply["Subject"] == "Re: question"
        assert reply["In-Reply-To"].startswith("<m7.")
        assert "> Body of message 7." in reply.get_content()
        assert "\\Answered" in flags_of(backend, "INBOX", "question")[0]
        # reply --all: the original To and Cc, each once, without ourselves
        m = backend.imaplib(backend.user)
        m.append("INBOX", None, None, make_message(
            8, subject="meeting", extra_headers="Cc: carol@example.org, ALICE@example.org,"
            " Bob <bob@example.org>\r\n").replace(
            b"To: alice@example.org", b"To: alice@example.org, Bob <bob@example.org>"))
        m.logout()
        client.run("sync")
        mid = client.by_subject()["meeting"]["id"]
        client.run("reply", str(mid), "--all", "--body-file", body)
        _, rcpts, data = sink.wait_for(3)[2]
        assert sorted(rcpts) == ["bob@example.org", "carol@example.org", "sender8@example.org"]
        assert email.message_from_bytes(data)["Cc"] == "Bob <bob@example.org>, carol@example.org"
        with sink.lock:
            del sink.messages[2]
        # forward carries the original whole
        client.run("forward", str(qid), "--to", "dave@example.org", "--body-file", body)
        _, rcpts, data = sink.wait_for(3)[2]
        fwd = email.message_from_bytes(data, policy=email.policy.default)
        assert fwd["Subject"] == "Fwd: question" and fwd.is_multipart()
        assert fwd.get_payload()[1].get_content_type() == "message/rfc822"
        # sending while offline queues, the next sync sends
        client.run("--offline", "compose", "--to", "erin@example.org", "--subject",
                   "later", "--body-file", body)
        assert len(sink.messages) == 3
        assert [p["kind"] for p in client.pending()] == ["send", "append"]
        client.run("sync")
        assert len(sink.wait_for(4)) == 4 and client.pending() == []
        assert "later" in client.by_subject("Sent")
        # send FILE
        raw = os.path.join(client.home, "raw.eml")
        with open(raw, "w") as f:
            f.write("From: alice@example.org\nTo: frank@example.org\nSubject: raw\n\nraw body\n")
        client.run("send", raw)
        _, rcpts, data = sink.wait_for(5)[4]
        assert rcpts == ["frank@example.org"] and b"Date:" in data
        # a draft goes to Drafts, not to the sink
        client.run("compose", "--subject", "draft one", "--body-file", body, "--draft")
        assert len(sink.messages) == 5
        assert "draft one" in client.by_subject("Drafts", offline=False)
        # a refused recipient keeps the message queued and says why
        client.run("compose", "--to", "reject@example.org", "--subject", "bounce",
                   "--body-file", body)
        pend = client.pending()
        assert pend and pend[0]["kind"] == "send" and pend[0]["error"]
    finally:
        sink.stop()


def test_list_threads(backend, client):
    m = backend.imaplib(backend.user)
    m.append("INBOX", None, None, make_message(1, subject="topic", msgid="<root@example.org>"))
    m.append("INBOX", None, None, make_message(2, subject="unrelated"))
    m.append("INBOX", None, None, make_message(
        3, subject="Re: topic", extra_headers="In-Reply-To: <root@example.org>\r\n"
        "References: <root@example.org>\r\n"))
    m.logout()
    client.run("sync")
    plain = client.run("list").stdout.splitlines()
    assert [l.rsplit("  ", 1)[1].strip() for l in plain] == ["topic", "unrelated", "Re: topic"]
    threaded = client.run("list", "--threads").stdout.splitlines()
    order = [l.rsplit("  ", 1)[1].strip() for l in threaded]
    assert order == ["unrelated", "topic", "Re: topic"], threaded
    root, reply = threaded[1], threaded[2]
    assert reply.index("Re: topic") > root.index("topic"), threaded


def watch_while(client, backend, count, deliveries):
    """Run `hafen --json watch --count N` while deliveries [(folder, i,
    subject)] arrive (a second apart); return (folder, subject) of what it
    printed."""
    import json
    client.run("sync")
    p = client.popen("--json", "watch", "--count", str(count), "--timeout", "60")
    try:
        time.sleep(2)
        m = backend.imaplib(backend.user)
        for folder, i, subject in deliveries:
            m.append(folder, None, None, make_message(i, subject=subject))
            time.sleep(1)
        m.logout()
        out, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 0, err
    assert "AddressSanitizer" not in err
    return [(x["folder"], x["subject"]) for x in map(json.loads, out.splitlines()) if x]


def test_watch_sees_new_mail(backend, client):
    got = watch_while(client, backend, 2, [("INBOX", 1, "first arrival"),
                                          ("INBOX", 2, "second arrival")])
    assert got == [("INBOX", "first arrival"), ("INBOX", "second arrival")]


def offers(backend, capability):
    m = backend.imaplib(backend.user)
    typ, data = m.capability()
    m.logout()
    return capability in data[0].decode().upper().split()


def test_watch_other_folders_with_notify(backend, client):
    """Without --folder, NOTIFY (where offered) reports new mail in the
    other folders too, not in Sent/Trash/Junk/Drafts."""
    notify = offers(backend, "NOTIFY")
    got = watch_while(client, backend, 2 if notify else 1,
                      [("Trash", 1, "binned"), ("Archive", 2, "filed elsewhere"),
                       ("INBOX", 3, "in the inbox")])
    if notify:
        assert sorted(got) == [("Archive", "filed elsewhere"), ("INBOX", "in the inbox")], got
    else:
        assert got == [("INBOX", "in the inbox")], got


def test_connection_modes(backend):
    """STARTTLS and implicit TLS with verification, plaintext only to
    loopback, an untrusted certificate refused unless --insecure, a wrong
    password refused (neither taken for "offline")."""
    fill(backend, 2)
    pw = "printf '%%s\\n' '%s'" % backend.passwords[backend.user]
    cases = [
        (["--port", str(backend.imap_port), "--tls", "starttls", "--ca-file", backend.cert],
         pw, 0, "STARTTLS"),
        (["--port", str(backend.imap_port), "--tls", "none"], pw, 0, None),
        (["--port", str(backend.imaps_port), "--tls", "implicit"], pw, 1, "certificate"),
        (["--port", str(backend.imaps_port), "--tls", "implicit", "--insecure"], pw, 0, None),
        (["--port", str(backend.imaps_port), "--tls", "implicit", "--ca-file", backend.cert],
         "echo wrong-password", 1, None),
    ]
    for extra, password_command, rc, marker in cases:
        h = Hafen()
        try:
            h.run("account", "add", "t", "--host", backend.host, "--user", backend.user,
                  "--password-command", password_command, *extra)
            r = h.run("--trace", "sync", check=False)
            assert r.returncode == rc, (extra, r.stderr[-2000:])
            assert "hafen: offline" not in r.stderr, (extra, r.stderr[-2000:])
            if marker:
                assert marker.lower() in r.stderr.lower(), (extra, r.stderr[-2000:])
            if rc == 0:
                assert len(h.messages()) == 2
            assert "wrong-password" not in r.stderr and \
                backend.passwords[backend.user] not in r.stderr
        finally:
            h.cleanup()


def test_plaintext_refused_off_loopback():
    """tls = none to a host that is not loopback: refused before any
    byte is sent (a TEST-NET address, nothing listens there)."""
    h = Hafen()
    try:
        h.run("account", "add", "t", "--host", "192.0.2.1", "--port", "143", "--tls", "none",
              "--user", "u", "--password-command", "echo never-sent")
        r = h.run("sync", check=False, timeout=30)
        assert r.returncode == 1 and "not loopback" in r.stderr, r.stderr
        assert "hafen: offline" not in r.stderr
    finally:
        h.cleanup()


@pytest.mark.parametrize("mode", ["condstore", "plain"])
def test_sync_without_qresync(backend, mode):
    """The CONDSTORE-only and the plain UID/FLAGS paths, on servers that
    have QRESYNC: the account tells hafen to ignore it (ignore_caps)."""
    import re
    ignore = "QRESYNC" if mode == "condstore" else "QRESYNC CONDSTORE"
    h = Hafen(backend, user=backend.user, extra=["--ignore-caps", ignore])
    try:
        fill(backend, 30)
        h.run("sync")
        ids = {x["subject"]: x["id"] for x in h.messages()}
        h.run("--offline", "flag", str(ids["message 1"]), "+flagged")
        m = backend.imaplib(backend.user)
        m.select("INBOX")
        typ, data = m.uid("SEARCH", None, "ALL")
        uids = data[0].split()
        m.uid("STORE", uids[2], "+FLAGS", "(\\Flagged)")
        m.uid("STORE", uids[3], "+FLAGS", "(\\Seen)")
        m.uid("STORE", uids[6], "-FLAGS", "(\\Seen)")
        m.uid("STORE", b",".join(uids[10:15]), "+FLAGS", "(\\Deleted)")
        m.expunge()
        m.append("INBOX", None, None, make_message(99, subject="late arrival"))
        m.logout()
        r = h.run("--trace", "sync")
        selects = re.findall(r"C: \S+ SELECT .*", r.stderr)
        assert selects and not any("QRESYNC" in x for x in selects), selects
        assert ("CHANGEDSINCE" in r.stderr) == (mode == "condstore")
        want = server_state(backend, backend.user)["INBOX"]
        have = {x["message_id"]: x for x in h.messages()}
        assert set(have) == set(want) and len(want) == 26
        for mid, flags in want.items():
            assert have[mid]["seen"] == ("\\Seen" in flags), mid
            assert have[mid]["flagged"] == ("\\Flagged" in flags), mid
        assert have[[k for k, v in have.items() if v["subject"] == "message 1"][0]]["flagged"]
    finally:
        h.cleanup()


def test_unreachable_server_works_offline(backend, client):
    fill(backend, 3)
    client.run("sync")
    # point the account at a closed port
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    cfg = os.path.join(client.home, "config")
    with open(cfg) as f:
        text = f.read()
    with open(cfg, "w") as f:
        f.write(text.replace("port = %d" % backend.imaps_port, "port = %d" % closed))
    r = client.run("list")
    assert "offline" in r.stderr and "message 2" in r.stdout
    mid = client.by_subject()["message 1"]["id"]
    r = client.run("flag", str(mid), "+flagged")
    assert "queued" in r.stderr
    r = client.run("sync", check=False)
    assert r.returncode != 0 and "offline" in r.stderr
    assert len(client.pending()) == 1
