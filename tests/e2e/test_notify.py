"""NOTIFY (RFC 5465): the command's checks, and the events a session gets
without asking, between commands and in IDLE, from other sessions (in
either worker), LMTP deliveries and `hafend deliver`: MessageNew (with
fetch attributes), MessageExpunge, FlagChange for the selected mailbox;
STATUS for other mailboxes under INBOXES, PERSONAL, SUBSCRIBED, SUBTREE
and MAILBOXES; LIST for MailboxName and SubscriptionChange; the STATUS
indicator; NOTIFICATIONOVERFLOW."""
import itertools
import socket
import subprocess
import time

import pytest

from lmtp_util import Lmtp, message, transaction

ALL_MSG = "(MessageNew MessageExpunge FlagChange)"
COUNTER = itertools.count()


@pytest.fixture(scope="module")
def srv():
    from conftest import Server, free_port, wait_port
    port = free_port()
    s = Server(extra_config=["listen = lmtp=127.0.0.1:%d" % port], workers=2)
    s.lmtp_port = port
    wait_port(port)
    yield s
    s.stop()


def uniq(prefix="n"):
    return "%s%d_%d" % (prefix, next(COUNTER), int(time.time() * 1000) % 100000)


def login(srv, user="alice"):
    c = srv.connect()
    c.login(user)
    return c


def ok(c, text):
    untagged, tagged = c.command(text)
    assert tagged.split()[1] == "OK", (text, tagged)
    return untagged


def append(c, mailbox, subject="hello", body="Body text.\r\n"):
    msg = "Subject: %s\r\n\r\n%s" % (subject, body)
    ok(c, "APPEND %s {%d+}\r\n%s" % (mailbox, len(msg.encode()), msg))


def read_event(c, timeout=5.0):
    """One response line, with the literals it announces folded in."""
    c.sock.settimeout(timeout)
    try:
        line = c.readline()
        while line.endswith("}") and "{" in line:
            n = int(line[line.rindex("{") + 1:-1])
            line += "\r\n" + c.read_bytes(n).decode() + c.readline()
        return line
    finally:
        c.sock.settimeout(10)


def events_until(c, pred, timeout=5.0):
    got = []
    end = time.time() + timeout
    while True:
        left = end - time.time()
        if left <= 0:
            pytest.fail("no matching event; got %r" % got)
        line = read_event(c, left)
        got.append(line)
        if pred(line):
            return got


def drain(c, quiet=1.0):
    """Every response that arrives until quiet seconds pass without one."""
    got = []
    while True:
        try:
            got.append(read_event(c, quiet))
        except (socket.timeout, TimeoutError):
            return got


def silent(c, wait=0.7):
    """Nothing arrives within wait seconds."""
    c.sock.settimeout(wait)
    try:
        data = c.sock.recv(65536)
        c.buf += data
        return not data and not c.buf
    except socket.timeout:
        return not c.buf
    finally:
        c.sock.settimeout(10)


def exists_count(untagged):
    return int(next(l.split()[1] for l in untagged if l.endswith(" EXISTS")))


# ---- the command ----

def test_capability_after_login_only(srv):
    c = srv.connect()
    assert "NOTIFY" not in c.greeting.split()
    untagged, tagged = c.command("NOTIFY NONE")
    assert tagged == "a1 BAD NOTIFY is not valid before login"
    c.login()
    caps = c.command("CAPABILITY")[0][0].split()
    assert "NOTIFY" in caps
    c.close()


@pytest.mark.parametrize("args,reply", [
    ("SET (SELECTED (MessageNew))", "BAD MessageNew and MessageExpunge must be given together"),
    ("SET (PERSONAL (MessageExpunge))", "BAD MessageNew and MessageExpunge must be given together"),
    ("SET (PERSONAL (FlagChange))", "BAD FlagChange needs MessageNew and MessageExpunge"),
    ("SET (INBOXES (MessageNew MessageExpunge AnnotationChange))",
     "NO [BADEVENT (MessageNew MessageExpunge FlagChange MailboxName SubscriptionChange)] "
     "Event not supported"),
    ("SET (PERSONAL (AnnotationChange))", "BAD FlagChange needs MessageNew and MessageExpunge"),
    ("SET (PERSONAL (MailboxMetadataChange))",
     "NO [BADEVENT (MessageNew MessageExpunge FlagChange MailboxName SubscriptionChange)] "
     "Event not supported"),
    ("SET (PERSONAL (ServerMetadataChange MailboxName))",
     "NO [BADEVENT (MessageNew MessageExpunge FlagChange MailboxName SubscriptionChange)] "
     "Event not supported"),
    ("SET (SELECTED (MailboxName))", "BAD Only message events are allowed for the selected mailbox"),
    ("SET (SELECTED (MessageNew MessageExpunge)) (SELECTED-DELAYED (MessageNew MessageExpunge))",
     "BAD Only one of SELECTED and SELECTED-DELAYED"),
    ("SET (PERSONAL (MessageNew (UID) MessageExpunge))",
     "BAD MessageNew fetch attributes are only for SELECTED"),
    ("SET (SELECTED (MessageNew (BODY[]) MessageExpunge))",
     "BAD MessageNew fetch attributes must not set \\Seen (use BODY.PEEK)"),
    ("SET (SELECTED (MessageNew (RFC822) MessageExpunge))",
     "BAD MessageNew fetch attributes must not set \\Seen (use BODY.PEEK)"),
    ("SET (NOWHERE (MessageNew MessageExpunge))", "BAD"),
    ("SET", "BAD"),
    ("GET", "BAD"),
    ("SET (PERSONAL NONE)", "OK NOTIFY completed"),
    ("SET STATUS (SELECTED NONE)", "OK NOTIFY completed"),
    ("SET (subtree (INBOX Sent) (messagenew messageexpunge)) (mailboxes \"No*\" NONE)",
     "OK NOTIFY completed"),
    ("NONE", "OK NOTIFY completed"),
])
def test_checks(srv, args, reply):
    c = login(srv)
    untagged, tagged = c.command("NOTIFY " + args)
    assert tagged == "a2 " + reply or (reply == "BAD" and tagged.startswith("a2 BAD ")), tagged
    assert untagged == []
    c.close()


def test_too_many_names(srv):
    c = login(srv)
    names = " ".join("b%d" % i for i in range(1000))
    untagged, tagged = c.command("NOTIFY SET (MAILBOXES (%s) (MessageNew MessageExpunge))" % names)
    assert tagged == "a2 NO [LIMIT] More than 1000 event groups and mailbox names"
    names = " ".join("b%d" % i for i in range(999))
    untagged, tagged = c.command("NOTIFY SET (MAILBOXES (%s) (MessageNew MessageExpunge))" % names)
    assert tagged == "a3 OK NOTIFY completed"
    c.close()


def test_selected_mailbox_deleted(srv):
    a, b = login(srv), login(srv)
    box = uniq("gone")
    ok(b, "CREATE %s" % box)
    ok(a, "SELECT %s" % box)
    ok(a, "NOTIFY SET (SELECTED %s)" % ALL_MSG)
    ok(b, "DELETE %s" % box)
    assert events_until(a, lambda l: "BYE" in l)[-1] == "* BYE The selected mailbox was deleted"
    a.close(), b.close()


def test_events_wait_for_a_client_that_does_not_read(srv):
    a, b = login(srv), login(srv)
    top = uniq("slow")
    a.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32768)
    base = exists_count(ok(a, "SELECT INBOX"))
    ok(b, "CREATE %s" % top)
    body = ("x" * 1000 + "\r\n") * 1000
    for _ in range(10):
        append(b, top, body=body)
    ok(a, "NOTIFY SET (PERSONAL (MessageNew MessageExpunge MailboxName))")
    ok(a, "EXAMINE %s" % top)
    # A FETCH the client does not read fills the output; the changes made
    # meanwhile wait for its end and then come once each.
    a.send("f FETCH 1:10 (BODY.PEEK[])\r\n")
    time.sleep(0.5)
    for i in range(5):
        ok(b, "CREATE %s/k%d" % (top, i))
        append(b, "INBOX")
    untagged, tagged = a.until_tagged("f")
    assert tagged == "f OK FETCH completed"
    ev = drain(a)
    kids = sorted(l for l in ev if l.startswith("* LIST (\\HasNoChildren)"))
    assert kids == ['* LIST (\\HasNoChildren) "/" %s/k%d' % (top, i) for i in range(5)], ev
    inbox = [l for l in ev if l.startswith("* STATUS INBOX")]
    assert inbox[-1].startswith("* STATUS INBOX (MESSAGES %d UIDNEXT " % (base + 5)), ev
    # They waited for the FETCH: one STATUS for the five deliveries.
    assert len(inbox) == 1, ev
    a.close(), b.close()


def test_failed_notify_keeps_the_previous_one(srv):
    a, b = login(srv), login(srv)
    box = uniq("keep")
    ok(b, "CREATE %s" % box)
    ok(a, "NOTIFY SET (MAILBOXES %s (MessageNew MessageExpunge))" % box)
    untagged, tagged = a.command("NOTIFY SET (PERSONAL (MessageNew))")
    assert " BAD " in tagged
    append(b, box)
    ev = events_until(a, lambda l: l.startswith("* STATUS"))
    assert ev[-1].startswith("* STATUS %s (MESSAGES 1 UIDNEXT 2" % box)
    a.close(), b.close()


def test_status_indicator(srv):
    a, b = login(srv), login(srv)
    top = uniq("st")
    ok(b, "CREATE %s/x" % top)
    append(b, "%s/x" % top)
    untagged, tagged = a.command(
        "NOTIFY SET STATUS (SUBTREE %s (MessageNew MessageExpunge FlagChange))" % top)
    assert tagged == "a2 OK NOTIFY completed"
    uv = [l for l in untagged]
    assert len(uv) == 2, untagged
    assert uv[0].startswith("* STATUS %s (MESSAGES 0 UIDNEXT 1 UIDVALIDITY " % top)
    assert uv[0].endswith(" UNSEEN 0)")
    assert uv[1].startswith("* STATUS %s/x (MESSAGES 1 UIDNEXT 2 UIDVALIDITY " % top)
    # Without STATUS: nothing before the tagged OK; CONDSTORE adds HIGHESTMODSEQ.
    assert a.command("NOTIFY SET (SUBTREE %s (MessageNew MessageExpunge))" % top)[0] == []
    ok(a, "ENABLE CONDSTORE")
    untagged = ok(a, "NOTIFY SET STATUS (MAILBOXES %s/x (MessageNew MessageExpunge))" % top)
    assert len(untagged) == 1 and "HIGHESTMODSEQ" in untagged[0], untagged
    a.close(), b.close()


# ---- the selected mailbox ----

def test_selected_message_new_with_fetch_between_commands(srv):
    a, b = login(srv), login(srv)
    box = uniq("sel")
    ok(b, "CREATE %s" % box)
    ok(a, "SELECT %s" % box)
    ok(a, "NOTIFY SET (SELECTED (MessageNew (UID FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)]) "
          "MessageExpunge))")
    append(b, box, subject="first")
    ev = events_until(a, lambda l: "FETCH" in l)
    assert ev[0] == "* 1 EXISTS"
    assert ev[-1] == ("* 1 FETCH (UID 1 FLAGS (\\Recent) BODY[HEADER.FIELDS (SUBJECT)] {18}\r\n"
                      "Subject: first\r\n\r\n)")
    # Fetching did not set \Seen.
    untagged = ok(a, "UID FETCH 1 (FLAGS)")
    assert untagged == ["* 1 FETCH (UID 1 FLAGS (\\Recent))"]
    a.close(), b.close()


def test_selected_fetch_adds_uid_and_modseq(srv):
    a, b = login(srv), login(srv)
    box = uniq("selm")
    ok(b, "CREATE %s" % box)
    ok(a, "SELECT %s" % box)
    untagged = ok(a, "NOTIFY SET (SELECTED (MessageNew (MODSEQ ENVELOPE) MessageExpunge))")
    assert any("HIGHESTMODSEQ" in l for l in untagged)  # MODSEQ enables CONDSTORE
    append(b, box, subject="env")
    ev = events_until(a, lambda l: "FETCH" in l)
    assert ev[-1].startswith("* 1 FETCH (UID 1 MODSEQ (")
    assert '"env"' in ev[-1]
    a.close(), b.close()


def test_own_append_gets_no_fetch(srv):
    a = login(srv)
    box = uniq("own")
    ok(a, "CREATE %s" % box)
    ok(a, "SELECT %s" % box)
    ok(a, "NOTIFY SET (SELECTED (MessageNew (UID) MessageExpunge))")
    msg = "Subject: mine\r\n\r\nx\r\n"
    untagged, tagged = a.command("APPEND %s {%d+}\r\n%s" % (box, len(msg), msg))
    assert " OK " in tagged
    assert "* 1 EXISTS" in untagged
    assert silent(a)
    a.close()


def test_selected_expunge_and_flags_between_commands(srv):
    a, b = login(srv), login(srv)
    box = uniq("exp")
    ok(b, "CREATE %s" % box)
    append(b, box)
    append(b, box)
    ok(a, "SELECT %s" % box)
    ok(a, "NOTIFY SET (SELECTED %s)" % ALL_MSG)
    ok(b, "SELECT %s" % box)
    ok(b, "STORE 2 +FLAGS (\\Flagged)")
    assert events_until(a, lambda l: "FETCH" in l)[-1] == "* 2 FETCH (UID 2 FLAGS (\\Flagged \\Recent))"
    ok(b, "STORE 1 +FLAGS.SILENT (\\Deleted)")
    ok(b, "EXPUNGE")
    assert events_until(a, lambda l: "EXPUNGE" in l)[-1] == "* 1 EXPUNGE"
    a.close(), b.close()


def test_selected_without_flagchange_gets_no_flag_events(srv):
    a, b = login(srv), login(srv)
    box = uniq("nof")
    ok(b, "CREATE %s" % box)
    append(b, box)
    ok(a, "SELECT %s" % box)
    ok(a, "NOTIFY SET (SELECTED (MessageNew MessageExpunge))")
    ok(b, "SELECT %s" % box)
    ok(b, "STORE 1 +FLAGS (\\Flagged)")
    assert silent(a)
    # The flag change still comes with the next command's reply.
    assert ok(a, "NOOP") == ["* 1 FETCH (UID 1 FLAGS (\\Flagged \\Recent))"]
    a.close(), b.close()


def test_selected_delayed_holds_expunges(srv):
    a, b = login(srv), login(srv)
    box = uniq("del")
    ok(b, "CREATE %s" % box)
    append(b, box)
    append(b, box)
    ok(a, "SELECT %s" % box)
    ok(a, "NOTIFY SET (SELECTED-DELAYED %s)" % ALL_MSG)
    ok(b, "SELECT %s" % box)
    ok(b, "STORE 1 +FLAGS.SILENT (\\Deleted)")
    assert events_until(a, lambda l: "FETCH" in l)[-1] == "* 1 FETCH (UID 1 FLAGS (\\Deleted \\Recent))"
    ok(b, "EXPUNGE")
    assert silent(a)
    # FETCH by sequence number may not see it; NOOP does.
    assert ok(a, "FETCH 2 (UID)") == ["* 2 FETCH (UID 2)"]
    assert ok(a, "NOOP") == ["* 1 EXPUNGE"]
    a.close(), b.close()


def test_selected_none_and_notify_none(srv):
    a, b = login(srv), login(srv)
    box = uniq("none")
    ok(b, "CREATE %s" % box)
    ok(a, "SELECT %s" % box)
    ok(a, "NOTIFY SET (PERSONAL (MailboxName))")
    append(b, box)
    assert silent(a)
    # The next command still reports it (sequence numbers depend on it).
    assert "* 1 EXISTS" in ok(a, "NOOP")
    ok(a, "NOTIFY NONE")
    append(b, box)
    a.send("i IDLE\r\n")
    assert a.readline() == "+ idling"
    assert silent(a)  # RFC 5465 section 4: IDLE sends what NOTIFY asked for
    a.send("DONE\r\n")
    untagged, tagged = a.until_tagged("i")
    assert tagged == "i OK IDLE terminated" and "* 2 EXISTS" in untagged
    a.close(), b.close()


def test_notify_set_is_an_implicit_noop(srv):
    a, b = login(srv), login(srv)
    box = uniq("noop")
    ok(b, "CREATE %s" % box)
    ok(a, "SELECT %s" % box)
    append(b, box)
    time.sleep(0.3)
    untagged = ok(a, "NOTIFY SET (SELECTED %s)" % ALL_MSG)
    assert "* 1 EXISTS" in untagged
    a.close(), b.close()


# ---- other mailboxes ----

def test_personal_status_for_new_flags_and_expunge(srv):
    a, b = login(srv), login(srv)
    box = uniq("pers")
    ok(b, "CREATE %s" % box)
    ok(a, "SELECT INBOX")
    ok(a, "NOTIFY SET (SELECTED NONE) (PERSONAL %s)" % ALL_MSG)
    append(b, box)
    assert events_until(a, lambda l: "STATUS" in l)[-1] == \
        "* STATUS %s (MESSAGES 1 UIDNEXT 2 UNSEEN 1)" % box
    ok(b, "SELECT %s" % box)
    ok(b, "STORE 1 +FLAGS (\\Seen)")
    assert events_until(a, lambda l: "STATUS" in l)[-1] == "* STATUS %s (UNSEEN 0)" % box
    ok(b, "STORE 1 +FLAGS (\\Deleted)")
    ok(b, "EXPUNGE")
    assert events_until(a, lambda l: "STATUS" in l)[-1] == \
        "* STATUS %s (MESSAGES 0 UIDNEXT 2)" % box
    a.close(), b.close()


def test_condstore_status_carries_highestmodseq(srv):
    a, b = login(srv), login(srv)
    box = uniq("cs")
    ok(b, "CREATE %s" % box)
    ok(a, "ENABLE CONDSTORE")
    ok(a, "NOTIFY SET (MAILBOXES %s %s)" % (box, ALL_MSG))
    append(b, box)
    ev = events_until(a, lambda l: "STATUS" in l)[-1]
    assert ev.startswith("* STATUS %s (MESSAGES 1 UIDNEXT 2 UIDVALIDITY " % box), ev
    assert " HIGHESTMODSEQ " in ev
    ok(b, "SELECT %s" % box)
    ok(b, "STORE 1 +FLAGS (\\Flagged)")
    ev = events_until(a, lambda l: "STATUS" in l)[-1]
    assert ev.startswith("* STATUS %s (UIDVALIDITY " % box) and "HIGHESTMODSEQ" in ev, ev
    a.close(), b.close()


def test_subtree_and_mailboxes_filters(srv):
    a, b = login(srv), login(srv)
    top = uniq("tree")
    for name in (top, top + "/in", top + "x", top + "y"):
        ok(b, 'CREATE "%s"' % name)
    # MAILBOXES does no wildcard expansion (RFC 5465 6.6).
    ok(a, 'NOTIFY SET (SUBTREE %s (MessageNew MessageExpunge)) '
          '(MAILBOXES ("%s*" %sy) (MessageNew MessageExpunge))' % (top, top, top))
    for name in (top + "x", top + "/in", top + "y", top):
        append(b, '"%s"' % name)
    got = [events_until(a, lambda l: "STATUS" in l)[-1] for _ in range(3)]
    assert got == ["* STATUS %s/in (MESSAGES 1 UIDNEXT 2)" % top,
                   "* STATUS %sy (MESSAGES 1 UIDNEXT 2)" % top,
                   "* STATUS %s (MESSAGES 1 UIDNEXT 2)" % top]
    assert silent(a)  # topx is neither in the subtree nor named
    a.close(), b.close()


def test_subscribed_filter_follows_subscriptions(srv):
    a, b = login(srv), login(srv)
    box = uniq("subd")
    ok(b, "CREATE %s" % box)
    ok(a, "NOTIFY SET (SUBSCRIBED (MessageNew MessageExpunge))")
    append(b, box)
    assert silent(a)
    ok(b, "SUBSCRIBE %s" % box)
    append(b, box)
    assert events_until(a, lambda l: "STATUS" in l)[-1] == \
        "* STATUS %s (MESSAGES 2 UIDNEXT 3)" % box
    a.close(), b.close()


def test_selected_mailbox_gets_no_status(srv):
    a, b = login(srv), login(srv)
    box = uniq("selst")
    ok(b, "CREATE %s" % box)
    ok(a, "SELECT %s" % box)
    ok(a, "NOTIFY SET (SELECTED (MessageNew MessageExpunge)) (PERSONAL %s)" % ALL_MSG)
    append(b, box)
    assert events_until(a, lambda l: "RECENT" in l)[-2:] == ["* 1 EXISTS", "* 1 RECENT"]
    assert silent(a)
    a.close(), b.close()


def test_mailbox_name_events(srv):
    a, b = login(srv), login(srv)
    top = uniq("mn")
    ok(b, "CREATE %s" % top)
    ok(a, "NOTIFY SET (PERSONAL (MailboxName))")
    ok(b, "CREATE %s/kid" % top)
    assert events_until(a, lambda l: top in l and "HasChildren" in l) == [
        '* LIST (\\HasNoChildren) "/" %s/kid' % top,
        '* LIST (\\HasChildren) "/" %s' % top]
    ok(b, "RENAME %s %s_new" % (top, top))
    assert read_event(a) == '* LIST (\\HasChildren) "/" %s_new ("OLDNAME" (%s))' % (top, top)
    ok(b, "DELETE %s_new/kid" % top)
    assert events_until(a, lambda l: "%s_new" % top in l and "/kid" not in l) == [
        '* LIST (\\NonExistent) "/" %s_new/kid' % top,
        '* LIST (\\HasNoChildren) "/" %s_new' % top]
    assert silent(a)  # the renamed child had no event of its own
    a.close(), b.close()


def test_subscription_change_events(srv):
    a, b = login(srv), login(srv)
    box = uniq("sc")
    ok(b, "CREATE %s" % box)
    ok(a, "NOTIFY SET (PERSONAL (SubscriptionChange))")
    ok(b, "SUBSCRIBE %s" % box)
    assert read_event(a) == '* LIST (\\HasNoChildren \\Subscribed) "/" %s' % box
    ok(b, "UNSUBSCRIBE %s" % box)
    assert read_event(a) == '* LIST (\\HasNoChildren) "/" %s' % box
    ok(b, "SUBSCRIBE %s_gone" % box)
    assert read_event(a) == '* LIST (\\NonExistent \\Subscribed) "/" %s_gone' % box
    a.close(), b.close()


def test_own_changes_are_not_echoed(srv):
    a, b = login(srv), login(srv)
    box = uniq("echo")
    ok(a, "NOTIFY SET (PERSONAL (MessageNew MessageExpunge MailboxName SubscriptionChange))")
    ok(a, "CREATE %s" % box)
    ok(a, "SUBSCRIBE %s" % box)
    append(a, box)
    ok(a, "RENAME %s %s_r" % (box, box))
    assert silent(a)
    append(b, "%s_r" % box)  # another session's change is reported
    assert read_event(a) == "* STATUS %s_r (MESSAGES 2 UIDNEXT 3)" % box
    a.close(), b.close()


def test_utf7_names_in_events(srv):
    a, b = login(srv), login(srv)
    ok(a, "NOTIFY SET (PERSONAL (MailboxName))")
    name = uniq("Entw\u00fcrfe")
    wire = name.replace("\u00fc", "&APw-")
    ok(b, "CREATE %s" % wire)
    assert read_event(a) == '* LIST (\\HasNoChildren) "/" %s' % wire
    a.close(), b.close()


# ---- in IDLE, across workers and delivery paths ----

def test_idle_gets_status_and_fetch(srv):
    a, b = login(srv), login(srv)
    box = uniq("idle")
    ok(b, "CREATE %s" % box)
    ok(a, "SELECT INBOX")
    ok(a, "NOTIFY SET (SELECTED (MessageNew (UID) MessageExpunge)) "
          "(MAILBOXES %s (MessageNew MessageExpunge))" % box)
    a.send("i IDLE\r\n")
    assert a.readline() == "+ idling"
    append(b, box)
    assert read_event(a) == "* STATUS %s (MESSAGES 1 UIDNEXT 2)" % box
    append(b, "INBOX", subject="to idle")
    ev = events_until(a, lambda l: "FETCH" in l)
    assert ev[0].endswith(" EXISTS") and ev[-1].startswith("* ") and "FETCH (UID " in ev[-1]
    a.send("DONE\r\n")
    assert a.until_tagged("i")[1] == "i OK IDLE terminated"
    a.close(), b.close()


def test_lmtp_and_hafend_deliver_reach_a_notify_session(srv):
    a = login(srv)
    ok(a, "SELECT Archive")
    ok(a, "NOTIFY SET (INBOXES (MessageNew MessageExpunge))")
    lm = Lmtp(srv)
    lm.lhlo()
    _, replies = transaction(lm, "s@example.org", ["alice"], message("notify lmtp"))
    assert replies[0].startswith("250")
    assert read_event(a).startswith("* STATUS INBOX (MESSAGES ")
    lm.close()
    r = subprocess.run([srv.binary, "deliver", "-c", srv.config, "alice"],
                       input=message("notify deliver").encode(), capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert read_event(a).startswith("* STATUS INBOX (MESSAGES ")
    a.close()


def test_events_from_the_other_worker(srv):
    from lmtp_util import worker_of
    box = uniq("wk")
    watchers = []
    b = login(srv)
    mine = worker_of(srv, b.sock, srv.imap_port)
    # Until some watchers are in the other worker (the kernel picks).
    for _ in range(40):
        c = login(srv)
        ok(c, "NOTIFY SET (MAILBOXES %s (MessageNew MessageExpunge))" % box)
        watchers.append((c, worker_of(srv, c.sock, srv.imap_port)))
        if sum(1 for _, pid in watchers if pid != mine) >= 2:
            break
    ok(b, "CREATE %s" % box)
    others = [c for c, pid in watchers if pid != mine]
    if not others:
        pytest.skip("every connection landed in one worker")
    append(b, box)
    for c, _ in watchers:
        assert read_event(c) == "* STATUS %s (MESSAGES 1 UIDNEXT 2)" % box
        c.close()
    b.close()


# ---- limits ----

def test_notification_overflow(make_server):
    s = make_server("notify_max_mailboxes = 8")
    a, b = login(s), login(s)
    ok(a, "NOTIFY SET (PERSONAL (MessageNew MessageExpunge))")  # 6 standard mailboxes
    # SELECTED alone watches no other mailbox: never an overflow.
    ok(b, "NOTIFY SET (SELECTED (MessageNew MessageExpunge))")
    for name in ("o1", "o2", "o3"):
        ok(b, "CREATE %s" % name)
    ev = events_until(a, lambda l: "NOTIFICATIONOVERFLOW" in l)
    assert ev[-1].startswith("* OK [NOTIFICATIONOVERFLOW] ")
    append(b, "o1")
    assert silent(a)  # as after NOTIFY NONE
    untagged, tagged = a.command("NOTIFY SET (INBOXES (MessageNew MessageExpunge))")
    assert tagged == "a3 NO [NOTIFICATIONOVERFLOW] More than 8 mailboxes to watch"
    a.close(), b.close()


def test_large_new_message_fetch_follows_a_slow_reader(srv):
    a, b = login(srv), login(srv)
    box = uniq("big")
    ok(b, "CREATE %s" % box)
    ok(a, "SELECT %s" % box)
    ok(a, "NOTIFY SET (SELECTED (MessageNew (BODY.PEEK[TEXT]) MessageExpunge))")
    a.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32768)
    body = "".join("line %06d of a long body\r\n" % i for i in range(120000))
    append(b, box, subject="big", body=body)
    append(b, box, subject="small", body="tiny\r\n")
    time.sleep(1.0)  # the server fills the socket and waits
    ev = events_until(a, lambda l: "FETCH" in l, timeout=20)
    assert ev[0] in ("* 1 EXISTS", "* 2 EXISTS")
    assert ev[-1] == "* 1 FETCH (UID 1 BODY[TEXT] {%d}\r\n%s)" % (len(body), body)
    ev = events_until(a, lambda l: "FETCH" in l)
    assert ev[-1] == "* 2 FETCH (UID 2 BODY[TEXT] {6}\r\ntiny\r\n)"
    assert ok(a, "NOOP") in ([], ["* 2 EXISTS"])
    a.close(), b.close()


def test_events_over_compress(srv):
    from test_compress import compress_raw
    a, b = login(srv), login(srv)
    box = uniq("z")
    ok(b, "CREATE %s" % box)
    compress_raw(a)
    ok(a, "SELECT %s" % box)
    ok(a, "NOTIFY SET (SELECTED (MessageNew (BODY.PEEK[TEXT]) MessageExpunge)) "
          "(PERSONAL (MessageNew MessageExpunge MailboxName))")
    append(b, box, body="compressed news\r\n")
    ev = events_until(a, lambda l: "FETCH" in l)
    assert ev[-1] == "* 1 FETCH (UID 1 BODY[TEXT] {17}\r\ncompressed news\r\n)"
    ok(b, "CREATE %s_2" % box)
    assert read_event(a) == '* LIST (\\HasNoChildren) "/" %s_2' % box
    a.close(), b.close()


def test_inboxes_without_subaddresses_is_inbox_only(make_server):
    s = make_server('recipient_delimiter = ""')
    a, b = login(s), login(s)
    ok(a, "NOTIFY SET (INBOXES (MessageNew MessageExpunge))")
    append(b, "Archive")
    assert silent(a)
    append(b, "INBOX")
    assert read_event(a) == "* STATUS INBOX (MESSAGES 1 UIDNEXT 2)"
    a.close(), b.close()


def test_inboxes_with_subaddresses_is_every_mailbox(srv):
    a, b = login(srv), login(srv)
    box = uniq("sub")
    ok(b, "CREATE %s" % box)
    ok(a, "NOTIFY SET (INBOXES (MessageNew MessageExpunge))")
    append(b, box)  # alice+box@ delivers here (RFC 5465 6.3)
    assert read_event(a) == "* STATUS %s (MESSAGES 1 UIDNEXT 2)" % box
    a.close(), b.close()


def test_qresync_session_gets_vanished(srv):
    a, b = login(srv), login(srv)
    box = uniq("qr")
    ok(b, "CREATE %s" % box)
    append(b, box)
    append(b, box)
    ok(a, "ENABLE QRESYNC")
    ok(a, "SELECT %s" % box)
    ok(a, "NOTIFY SET (SELECTED %s) (PERSONAL %s)" % (ALL_MSG, ALL_MSG))
    ok(b, "SELECT %s" % box)
    ok(b, "UID STORE 1 +FLAGS.SILENT (\\Deleted)")
    ok(b, "UID EXPUNGE 1")
    ev = events_until(a, lambda l: l.startswith("* VANISHED"))
    assert ev[-1] == "* VANISHED 1"
    ok(b, "MOVE 1 INBOX")
    ev = drain(a)
    assert "* VANISHED 2" in ev, ev
    status = [l for l in ev if l.startswith("* STATUS INBOX")]
    assert len(status) == 1 and "HIGHESTMODSEQ" in status[0], ev
    a.close(), b.close()
