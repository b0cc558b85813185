"""Crash test: `hafen sync` killed with SIGKILL at random moments — while
it replays offline changes (flags, moves, a draft to append), while it
downloads headers and bodies, while it pulls the server's own changes —
and run again. At the end nothing is doubled (on the server or in the
cache), nothing is lost, and the journal is empty."""
import os
import random
import signal
import sys
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "client"))

from harness import Hafen, hafen_binary, make_message, server_state  # noqa: E402
from fixtures import backend, dovecot_server  # noqa: E402,F401

pytestmark = pytest.mark.skipif(hafen_binary() is None, reason="hafen is not built")

SEEDS = int(os.environ.get("HAFEN_CRASH_SEEDS", "2"))


def kill_at_random(h, rnd, rounds, max_delay):
    """Start sync, SIGKILL it after a random delay; return how many runs
    were killed before they finished."""
    killed = 0
    for _ in range(rounds):
        p = h.popen("sync")
        time.sleep(rnd.uniform(0.0, max_delay))
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
            killed += 1
        out, err = p.communicate()
        assert "AddressSanitizer" not in err and "runtime error" not in err, err
    return killed


def cache_matches_server(h, backend):
    state = server_state(backend, backend.user)
    seen = {}
    for folder, msgs in state.items():
        cached = h.json("--offline", "list", folder)
        ids = [m["message_id"] for m in cached]
        assert len(ids) == len(set(ids)), "duplicates in the cache of %s" % folder
        assert set(ids) == set(msgs), "cache of %s differs: %s vs %s" % (
            folder, sorted(set(ids) ^ set(msgs)), "")
        for m in cached:
            want = {f for f in msgs[m["message_id"]] if f in ("\\Seen", "\\Flagged")}
            have = {f for f, k in (("\\Seen", "seen"), ("\\Flagged", "flagged")) if m[k]}
            assert want == have, (folder, m["message_id"], want, have)
            assert m["message_id"] not in seen, "in two folders: %s" % m["message_id"]
            seen[m["message_id"]] = folder
    return state


@pytest.mark.parametrize("seed", range(1, SEEDS + 1))
def test_kill9_during_sync(backend, seed):
    rnd = random.Random(seed)
    n = 300
    m = backend.imaplib(backend.user)
    for i in range(n):
        m.append("INBOX", "(\\Seen)" if i % 4 == 0 else None, None,
                 make_message(i, body="body %d\r\n" % i * rnd.randint(1, 40)))
    m.logout()
    h = Hafen(backend, user=backend.user, bodies="all" if seed % 2 else None)
    try:
        # a first, complete sync of a little of it, then offline work
        h.run("sync", "--folder", "Drafts")
        h.run("--offline", "mkdir", "Crash")
        h.run("--offline", "compose", "--subject", "draft %d" % seed, "--body-file", "-",
              "--draft", stdin="a draft\n")
        assert len(h.pending()) == 2
        # the initial download, killed again and again
        killed = kill_at_random(h, rnd, 6, 1.5)
        h.run("sync")
        state = cache_matches_server(h, backend)
        assert len(state["INBOX"]) == n
        assert list(state["Drafts"]) and len(state["Drafts"]) == 1
        assert "Crash" in state
        assert h.pending() == []
        # offline changes, then the server changes too, then more killing
        msgs = h.messages()
        picked = rnd.sample(msgs, 20)
        for x in picked[:10]:
            h.run("--offline", "flag", str(x["id"]), "+flagged")
        for x in picked[10:15]:
            h.run("--offline", "move", str(x["id"]), "Crash")
        for x in picked[15:]:
            h.run("--offline", "delete", str(x["id"]))
        m = backend.imaplib(backend.user)
        m.select("INBOX")
        for i in range(n, n + 50):
            m.append("INBOX", None, None, make_message(i))
        m.uid("STORE", "1:40", "+FLAGS", "(\\Seen)")
        m.logout()
        killed += kill_at_random(h, rnd, 6, 0.6)
        h.run("sync")
        assert h.pending() == []
        state = cache_matches_server(h, backend)
        total = sum(len(v) for v in state.values())
        assert total == n + 50 + 1, total  # every message once, plus the draft
        for x in picked[:10]:
            where = [f for f, v in state.items() if x["message_id"] in v]
            assert len(where) == 1 and "\\Flagged" in state[where[0]][x["message_id"]]
        assert {x["message_id"] for x in picked[10:15]} <= set(state["Crash"])
        assert {x["message_id"] for x in picked[15:]} <= set(state["Trash"])
        assert killed > 0  # the test would prove nothing otherwise
    finally:
        h.cleanup()
