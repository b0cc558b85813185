"""make install: the programs, the docs, the example configuration (never
over an administrator's) and a systemd unit that names what was installed,
into a DESTDIR, from the build the tests run."""
import os
import subprocess

from conftest import ROOT, hafend_binary


def make_install(dest, *args):
    build = os.path.dirname(hafend_binary())
    return subprocess.run(["make", "--no-print-directory", "-s", "install", "BUILD=" + build,
                           "DESTDIR=" + str(dest), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_make_install(tmp_path):
    dest = tmp_path / "root"
    r = make_install(dest, "PREFIX=/opt/hafen", "SYSCONFDIR=/etc/mail")
    assert r.returncode == 0, r.stderr
    prefix = dest / "opt/hafen"
    for prog in ("hafend", "hafen"):
        path = prefix / "bin" / prog
        assert os.access(path, os.X_OK), path
    r = subprocess.run([str(prefix / "bin/hafend")], capture_output=True, text=True, timeout=30)
    assert r.returncode == 64 and "serve" in r.stderr  # its usage: it runs
    for doc in ("README.md", "config.md", "admin.md", "tls.md", "auth.md"):
        assert (prefix / "share/doc/hafen" / doc).is_file(), doc
    conf = dest / "etc/mail/hafen/hafend.conf"
    with open(os.path.join(ROOT, "contrib/hafend.conf")) as f:
        assert conf.read_text() == f.read()
    unit = (prefix / "share/hafen/contrib/hafend.service").read_text()
    assert "ExecStart=/opt/hafen/bin/hafend serve -c /etc/mail/hafen/hafend.conf\n" in unit
    assert (prefix / "share/hafen/contrib/hafend.conf").is_file()

    # A second install keeps the administrator's configuration.
    conf.write_text("data_dir = /srv/mail\n")
    r = make_install(dest, "PREFIX=/opt/hafen", "SYSCONFDIR=/etc/mail")
    assert r.returncode == 0, r.stderr
    assert conf.read_text() == "data_dir = /srv/mail\n"


def test_make_install_defaults(tmp_path):
    """PREFIX /usr/local and /etc, as README's "Running a real server" uses."""
    dest = tmp_path / "root"
    r = make_install(dest)
    assert r.returncode == 0, r.stderr
    assert os.access(dest / "usr/local/bin/hafend", os.X_OK)
    assert (dest / "etc/hafen/hafend.conf").is_file()
    unit = (dest / "usr/local/share/hafen/contrib/hafend.service").read_text()
    assert "ExecStart=/usr/local/bin/hafend serve -c /etc/hafen/hafend.conf\n" in unit
