"""Who may read the gateway's files: the database and the dummy phone hold
names, numbers and request texts, so they are created for their owner only
(0600 files, 0700 directories) whatever the umask of whoever creates them.
"""
import os
import shutil
import stat

from harness import REQUESTER, PRIMARY, Gateway, check, run


def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def modes_under(top):
    """(path, mode) of top and of every directory and file below it."""
    out = [(top, mode(top))]
    for d, dirs, files in os.walk(top):
        out += [(os.path.join(d, n), mode(os.path.join(d, n)))
                for n in dirs + files]
    return out


def test_database_and_phone_private_under_umask_022():
    old = os.umask(0o022)
    try:
        gw = Gateway()
        # jourctl import created the database: the test's umask is its.
        check(mode(gw.db) == 0o600, "database created %o" % mode(gw.db))
        # jourd creates the dummy phone's directory when it is missing …
        shutil.rmtree(gw.phone)

        def body(gw):
            gw.inject(REQUESTER, "AKUT KARD bröstsmärta")
            gw.wait_sent(PRIMARY, "Svara OK 1")
            for path in (gw.db, gw.db + "-wal", gw.db + "-shm"):
                check(mode(path) == 0o600, "%s is %o" % (path, mode(path)))
            bad = [(p, "%o" % m) for p, m in modes_under(gw.phone)
                   if m & 0o077]
            check(not bad, "phone readable by others: %r" % bad)
        run(gw, body)

        # … and so does jourctl inject, before jourd ever ran.
        gw = Gateway()
        try:
            shutil.rmtree(gw.phone)
            gw.inject(REQUESTER, "AKUT KARD yrsel")
            bad = [(p, "%o" % m) for p, m in modes_under(gw.phone)
                   if m & 0o077]
            check(not bad, "phone readable by others: %r" % bad)
        finally:
            gw.close()
    finally:
        os.umask(old)
