"""Randomized two-way sync: for each seed, a second client changes the
server (flags, moves, expunges, new mail, folder renames, a folder
deleted and re-created so its UIDVALIDITY changes) while hafen works
offline (flags, moves, deletes, expunges, new folders); then one
`hafen sync`. Afterwards the server holds exactly what the rules of
docs/client.md say, the cache mirrors the server, nothing is doubled and
the journal is empty.

The model replays hafen's journal over the server's state the way the
client does: a change applies to a message still where hafen last saw it
(the same folder, the same message — a UIDVALIDITY change re-matches by
Message-ID); a message the server moved away or expunged is not touched
(the server's move or deletion wins); a folder the server renamed takes
no changes addressed to its old name; flag changes are +/- deltas, so a
flag only hafen changed ends as hafen set it and one only the server
changed as the server set it."""
import os
import random
import re
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "client"))

from harness import Hafen, hafen_binary, make_message, server_state  # noqa: E402
from fixtures import backend, client, dovecot_server  # noqa: E402,F401

pytestmark = pytest.mark.skipif(hafen_binary() is None, reason="hafen is not built")

FLAGS = {"\\Seen": "seen", "\\Flagged": "flagged", "\\Answered": "answered"}
USER_FOLDERS = ["Work", "Lists"]
SEEDS = int(os.environ.get("HAFEN_RANDOM_SEEDS", "12"))


class World:
    def __init__(self, rnd, backend, user):
        self.rnd = rnd
        self.backend = backend
        self.user = user
        self.imap = backend.imaplib(user)
        self.server = {f: {} for f in ["INBOX", "Archive", "Trash"] + USER_FOLDERS}
        self.raw = {}
        self.local = {}          # msgid -> [folder, flags] as hafen sees it offline
        self.local_folders = set(self.server)
        self.ident_ok = {}       # False once the server moved the message
        self.gone = set()        # folder names the server renamed away
        self.ops = []            # hafen's journalled changes, in order
        self.log = []            # everything done, for failure messages
        self.n = 0
        for f in USER_FOLDERS:
            self.imap.create(f)

    # ---- the server side (second client) ----

    def uid_of(self, folder, msgid):
        self.imap.select('"%s"' % folder)
        typ, data = self.imap.uid("SEARCH", None, "HEADER", "Message-ID", msgid)
        uids = data[0].split()
        assert len(uids) == 1, (folder, msgid, uids)
        return uids[0].decode()

    def append(self, folder, flags):
        self.n += 1
        msgid = "<r%d.%s@example.org>" % (self.n, os.urandom(4).hex())
        raw = make_message(self.n, msgid=msgid)
        self.imap.append('"%s"' % folder, "(%s)" % " ".join(sorted(flags)) if flags else None,
                         None, raw)
        self.server[folder][msgid] = set(flags)
        self.raw[msgid] = raw
        self.ident_ok[msgid] = True
        return msgid

    def random_message(self):
        pool = [(f, m) for f, msgs in self.server.items() for m in msgs]
        return self.rnd.choice(pool) if pool else (None, None)

    def server_op(self):
        kind = self.rnd.choice(["flag", "flag", "move", "expunge", "append", "append",
                                "rename", "recreate"])
        folder, msgid = self.random_message()
        self.log.append(("server", kind, folder, msgid))
        if kind == "append" or msgid is None:
            f = self.rnd.choice(list(self.server))
            self.append(f, {x for x in FLAGS if self.rnd.random() < 0.3})
        elif kind == "flag":
            flag = self.rnd.choice(list(FLAGS))
            add = self.rnd.random() < 0.5
            uid = self.uid_of(folder, msgid)
            self.imap.uid("STORE", uid, "+FLAGS" if add else "-FLAGS", "(%s)" % flag)
            (self.server[folder][msgid].add if add else self.server[folder][msgid].discard)(flag)
        elif kind == "move":
            targets = [f for f in self.server if f != folder]
            target = self.rnd.choice(targets)
            uid = self.uid_of(folder, msgid)
            typ, _ = self.imap.uid("MOVE", uid, '"%s"' % target)
            assert typ == "OK"
            self.server[target][msgid] = self.server[folder].pop(msgid)
            self.ident_ok[msgid] = False
        elif kind == "expunge":
            uid = self.uid_of(folder, msgid)
            self.imap.uid("STORE", uid, "+FLAGS", "(\\Deleted)")
            self.imap.expunge()
            del self.server[folder][msgid]
        elif kind == "rename":
            names = [f for f in USER_FOLDERS if f in self.server]
            if names:
                old = self.rnd.choice(names)
                new = old + "-r%d" % self.rnd.randint(1, 999)
                self.imap.select("INBOX")
                typ, _ = self.imap.rename(old, new)
                assert typ == "OK"
                self.server[new] = self.server.pop(old)
                self.gone.add(old)
        else:
            self.recreate()

    def recreate(self):
        """Delete and re-create a folder with the same messages: a new
        UIDVALIDITY, the same Message-IDs and sizes."""
        names = [f for f in ["Archive"] + USER_FOLDERS if f in self.server]
        if not names:
            return
        folder = self.rnd.choice(names)
        self.imap.select("INBOX")
        typ, _ = self.imap.delete('"%s"' % folder)
        assert typ == "OK"
        self.imap.create('"%s"' % folder)
        for msgid, flags in self.server[folder].items():
            self.imap.append('"%s"' % folder,
                             "(%s)" % " ".join(sorted(flags)) if flags else None, None,
                             self.raw[msgid])

    # ---- hafen's side, offline ----

    def client_op(self, h, cids):
        if not self.local or self.rnd.random() < 0.08:
            name = "C%d" % self.rnd.randint(1, 99)
            if name not in self.local_folders:
                h.run("--offline", "mkdir", name)
                self.local_folders.add(name)
                self.ops.append(("mkdir", name))
            return
        msgid = self.rnd.choice(sorted(self.local))
        folder, flags = self.local[msgid]
        cid = str(cids[msgid])
        kind = self.rnd.choice(["flag", "flag", "flag", "move", "delete", "expunge"])
        self.log.append(("hafen", kind, folder, msgid))
        if kind == "flag":
            flag = self.rnd.choice(list(FLAGS))
            add = self.rnd.random() < 0.5
            h.run("--offline", "flag", cid, ("+" if add else "-") + FLAGS[flag])
            new = flags | {flag} if add else flags - {flag}
            if new != flags:
                self.ops.append(("flag", folder, msgid, flag, add))
            self.local[msgid][1] = new
        elif kind == "expunge" or (kind == "delete" and folder == "Trash"):
            h.run("--offline", "delete", cid, "--expunge")
            self.ops.append(("expunge", folder, msgid))
            del self.local[msgid]
        else:
            target = "Trash" if kind == "delete" else self.rnd.choice(
                sorted(f for f in self.local_folders if f != folder))
            h.run("--offline", "delete" if kind == "delete" else "move", cid,
                  *([] if kind == "delete" else [target]))
            self.ops.append(("move", folder, msgid, target))
            self.local[msgid][0] = target

    # ---- what the sync must give ----

    def replay(self):
        for op in self.ops:
            if op[0] == "mkdir":
                self.server.setdefault(op[1], {})
                continue
            folder, msgid = op[1], op[2]
            here = (folder not in self.gone and msgid in self.server.get(folder, {}) and
                    self.ident_ok[msgid])
            if op[0] == "flag" and here:
                (self.server[folder][msgid].add if op[4] else
                 self.server[folder][msgid].discard)(op[3])
            elif op[0] == "expunge" and here:
                del self.server[folder][msgid]
            elif op[0] == "move":
                target = op[3]
                if folder in self.gone or target in self.gone:
                    continue
                if here:
                    self.server[target][msgid] = self.server[folder].pop(msgid)
                    self.ident_ok[msgid] = True
                elif msgid in self.server.get(target, {}):
                    # found there by Message-ID: confirmed, nothing moves
                    self.ident_ok[msgid] = True


def visible(flags):
    return set(flags) & set(FLAGS)


def cache_state(h, folders):
    out = {}
    for f in folders:
        out[f] = {m["message_id"]: {x for x, name in FLAGS.items() if m[name]}
                  for m in h.json("--offline", "list", f)}
    return out


def check(world, h):
    expected = {f: {m: visible(fl) for m, fl in msgs.items()} for f, msgs in world.server.items()}
    actual = {f: {m: visible(fl) for m, fl in msgs.items()}
              for f, msgs in server_state(world.backend, world.user).items()}
    for f in set(expected) | set(actual):
        assert expected.get(f, {}) == actual.get(f, {}), \
            "server folder %s: want %s, have %s\nops: %s" % (f, expected.get(f), actual.get(f),
                                                              world.ops)
    folders = [x["name"] for x in h.json("--offline", "folders")]
    for f in actual:
        assert f in folders, "folder %s missing from the cache (%s)" % (f, folders)
    for f in folders:
        assert f in actual or not h.json("--offline", "list", f), "stale folder %s" % f
    cached = cache_state(h, actual)
    seen = set()
    for f in actual:
        assert cached[f] == actual[f], "cache %s: want %s, have %s\nlog: %s" % (
            f, actual[f], cached[f], "\n".join(map(str, world.log)))
        dup = seen & set(cached[f])
        assert not dup, "message in two folders: %s" % dup
        seen |= set(cached[f])
    assert h.pending() == [], h.pending()


def run_seed(backend, seed):
    rnd = random.Random(seed)
    world = World(rnd, backend, backend.user)
    for _ in range(rnd.randint(6, 12)):
        world.append(rnd.choice(list(world.server)), {x for x in FLAGS if rnd.random() < 0.4})
    h = Hafen(backend, user=backend.user)
    try:
        h.run("sync")
        cids = {}
        for f in world.server:
            for m in h.json("--offline", "list", f):
                cids[m["message_id"]] = m["id"]
                world.local[m["message_id"]] = [f, {x for x, n in FLAGS.items() if m[n]}]
        for _ in range(rnd.randint(10, 24)):
            if rnd.random() < 0.55:
                world.client_op(h, cids)
            else:
                world.server_op()
        world.imap.logout()
        h.run("sync")
        world.replay()
        check(world, h)
        # and a second sync changes nothing
        r = h.run("--json", "sync")
        assert '"added":0' in r.stdout and '"expunged":0' in r.stdout, r.stdout
    finally:
        h.cleanup()


@pytest.mark.parametrize("seed", range(1, SEEDS + 1))
def test_random_sync(backend, seed):
    run_seed(backend, seed)
