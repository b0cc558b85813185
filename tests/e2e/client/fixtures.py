"""pytest fixtures shared by the client's tests: a fresh user on hafend
(the "server" fixture of tests/e2e/conftest.py) or on Dovecot, and a
hafen client for it."""
import os

import pytest

import dovecot
from harness import Backend, Hafen

USERS = {"alice": "alice-secret", "bob": "bob-secret"}


_user_seq = [0]


def hafend_backend(server):
    def new_user():
        _user_seq[0] += 1
        user = "u%d%s" % (_user_seq[0], os.urandom(3).hex())
        server.hafend("user", "add", user, stdin="pw-" + user + "\n")
        server.passwords[user] = "pw-" + user
        return user
    return Backend("hafend", server.host, server.imap_port, server.imaps_port,
                   os.path.join(server.data, "tls", "cert.pem"), server.passwords,
                   server.imaplib, new_user)


# Dovecot reads its passwd-file again only when its mtime changes, which a
# file written twice in one second may not show: every user a module
# needs is there from the start, handed out in order.
POOL = 400


@pytest.fixture(scope="module")
def dovecot_server():
    if not dovecot.available():
        pytest.skip("Dovecot is not installed (scripts/deps bench)")
    users = dict(USERS)
    users.update({"pool%d" % i: "pw-pool%d" % i for i in range(POOL)})
    d = dovecot.Dovecot(users)
    d.next_pool = 0
    yield d
    d.stop()


def dovecot_backend(d):
    def new_user():
        assert d.next_pool < POOL, "raise POOL in tests/e2e/client/fixtures.py"
        d.next_pool += 1
        return "pool%d" % (d.next_pool - 1)
    return Backend("dovecot", "127.0.0.1", d.imap_port, d.imaps_port, d.cert, d.passwords,
                   d.imaplib, new_user)


@pytest.fixture(params=["hafend", "dovecot"])
def backend(request):
    """A fresh user on either server, so tests do not see each other's mail."""
    if request.param == "hafend":
        b = hafend_backend(request.getfixturevalue("server"))
    else:
        b = dovecot_backend(request.getfixturevalue("dovecot_server"))
    b.user = b.new_user()
    return b


@pytest.fixture
def client(backend):
    h = Hafen(backend, user=backend.user)
    yield h
    h.cleanup()


