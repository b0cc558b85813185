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
