"""Session basics: greeting, capabilities, login, logout, errors."""


def test_greeting_and_capability(server):
    c = server.connect()
    assert c.greeting.startswith("* OK [CAPABILITY IMAP4rev1 IMAP4rev2 ")
    untagged, tagged = c.command("CAPABILITY")
    assert untagged[0].startswith("* CAPABILITY IMAP4rev1 IMAP4rev2")
    assert "STARTTLS" in untagged[0]
    assert "AUTH=PLAIN" in untagged[0]  # loopback counts as secure
    assert tagged == "a1 OK CAPABILITY completed"
    c.close()


def test_login_logout(server):
    c = server.connect()
    tagged = c.login()
    assert tagged.startswith("a1 OK [CAPABILITY IMAP4rev1")
    untagged, tagged = c.command("LOGOUT")
    assert untagged == ["* BYE Logging out"]
    assert tagged == "a2 OK LOGOUT completed"
    c.close()


def test_wrong_password(server):
    c = server.connect()
    untagged, tagged = c.command('LOGIN alice "wrong"')
    assert tagged.startswith("a1 NO [AUTHENTICATIONFAILED]")
    untagged, tagged = c.command("SELECT INBOX")
    assert tagged.startswith("a2 BAD")
    c.close()


def test_unknown_command_is_tagged_bad(server):
    c = server.connect()
    untagged, tagged = c.command("FROBNICATE")
    assert tagged.startswith("a1 BAD")
    c.close()


def test_imaplib_select(server):
    m = server.imaplib()
    typ, data = m.select("INBOX")
    assert typ == "OK"
    m.logout()


def test_new_keyword_announced_to_other_session(server):
    """RFC 9051 7.3.5: a keyword new to the mailbox reaches other sessions
    as a FLAGS response before the FETCH that uses it."""
    a = server.connect()
    a.login()
    b = server.connect()
    b.login()
    a.command("CREATE KwTest")
    msg = "Subject: x\r\n\r\nbody"
    untagged, tagged = a.command("APPEND KwTest {%d+}\r\n%s" % (len(msg), msg))
    assert " OK " in tagged, tagged
    b.command("SELECT KwTest")
    a.command("SELECT KwTest")
    a.command("STORE 1 +FLAGS ($Shiny)")
    untagged, tagged = b.command("NOOP")
    assert tagged.endswith("OK NOOP completed")
    flags = [i for i, l in enumerate(untagged) if l.startswith("* FLAGS (") and "$Shiny" in l]
    fetch = [i for i, l in enumerate(untagged) if "FETCH" in l and "$Shiny" in l]
    assert flags and fetch and flags[0] < fetch[0], untagged
    assert any("PERMANENTFLAGS" in l and "$Shiny" in l for l in untagged)
    a.close()
    b.close()
