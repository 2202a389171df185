"""The database jourd starts on, and the one it runs on.

jourd takes its single-instance lock on the database file itself, so a
symbolic or a hard link to the file cannot start a second daemon on it. At
start-up it refuses a damaged file (PRAGMA quick_check), a schema newer
than it knows, and an existing file without jourd's tables (zero length, or
an SQLite file with nothing in it): it creates a database only where no
file exists. A database that turns out damaged while jourd runs stops it
with a non-zero exit, so systemd restarts it or raises the alarm, instead
of retrying the same SMS for ever."""
import glob
import os
import sqlite3
import subprocess
import time

from harness import (Gateway, JOURD, JOURCTL, TestFailure, check, REQUESTER,
                     PRIMARY)


def config_for(gw, database, name):
    """A copy of gw's configuration that names another database path."""
    with open(gw.conf) as f:
        text = f.read()
    path = os.path.join(gw.dir, name)
    with open(path, "w") as f:
        f.write(text.replace("database = %s" % gw.db,
                             "database = %s" % database))
    return path


def refused(conf, what, timeout=15):
    """Runs jourd on conf; it must exit non-zero. Returns its stderr."""
    p = subprocess.Popen([JOURD, "-d", "-c", conf], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        raise TestFailure("%s: jourd did not refuse to start:\n%s"
                             % (what, err.decode("utf-8", "replace")[-2000:]))
    err = err.decode("utf-8", "replace")
    check(p.returncode != 0, "%s: exit %d" % (what, p.returncode))
    check("jourd ready" not in err, "%s: it went ready:\n%s" % (what, err))
    return err


def drop_wal(path):
    for suffix in ("-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.unlink(path + suffix)


def page_of(path, table):
    """(page size, root page) of table in the database at path."""
    db = sqlite3.connect(path)
    size = db.execute("PRAGMA page_size").fetchone()[0]
    root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = ?",
                      (table,)).fetchone()[0]
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return size, root


def corrupt_page(path, table):
    """Overwrites the b-tree header of table's root page with garbage."""
    size, root = page_of(path, table)
    with open(path, "r+b") as f:
        f.seek((root - 1) * size)
        f.write(b"\x00\xff" * 6)


def test_symlink_and_hard_link_to_the_database_share_the_lock():
    gw = Gateway()
    try:
        gw.start()
        sym = os.path.join(gw.dir, "via-symlink.db")
        hard = os.path.join(gw.dir, "via-hardlink.db")
        os.symlink(gw.db, sym)
        os.link(gw.db, hard)
        for name, path in (("symbolic link", sym), ("hard link", hard)):
            err = refused(config_for(gw, path, name.replace(" ", "-") +
                                     ".conf"), name)
            check("already running" in err, "%s: %s" % (name, err))
            check(path in err, "%s: the message names the file: %s"
                  % (name, err))
        check(not os.path.exists(hard + "-wal"),
              "the hard link got no WAL of its own")
        check(gw.status()["running"] is True, "the first one still runs")
        gw.inject(REQUESTER, "AKUT KARD efter länkförsöken")
        gw.wait_sent(PRIMARY, "Svara OK 1")
    finally:
        gw.close()


def test_a_database_is_created_where_no_file_exists():
    gw = Gateway()
    try:
        fresh = os.path.join(gw.dir, "new", "jourd.db")
        conf = config_for(gw, fresh, "fresh.conf")
        gw.proc = subprocess.Popen([JOURD, "-d", "-c", conf], stdout=gw.log,
                                   stderr=gw.log)
        gw.wait(lambda: os.path.exists(fresh) and "jourd ready" in
                gw.daemon_log(), 15, "jourd ready on a new file")
        db = sqlite3.connect("file:%s?mode=ro" % fresh, uri=True)
        tables = db.execute("SELECT count(*) FROM sqlite_master WHERE"
                            " type = 'table'").fetchone()[0]
        db.close()
        check(tables > 5, "the schema was made: %d tables" % tables)
        # Stopped and started again, the file it made is its own.
        gw.stop()
        gw.proc = subprocess.Popen([JOURD, "-d", "-c", conf], stdout=gw.log,
                                   stderr=gw.log)
        gw.wait(lambda: gw.daemon_log().count("jourd ready") == 2, 15,
                "ready again")
    finally:
        gw.close()


def test_an_empty_database_file_is_refused():
    gw = Gateway()
    try:
        # Zero length: what a failed restore or a stray touch leaves.
        drop_wal(gw.db)
        open(gw.db, "w").close()
        err = refused(gw.conf, "zero-length file")
        check(gw.db in err and "empty" in err, err)
        check(os.path.getsize(gw.db) == 0, "the file was left alone")
        r = subprocess.run([JOURCTL, "-c", gw.conf, "status"],
                           capture_output=True, timeout=30)
        check(r.returncode != 0 and b"empty" in r.stderr,
              "jourctl refuses it too: %r" % (r.stderr,))
        # An SQLite file with no table in it.
        os.unlink(gw.db)
        db = sqlite3.connect(gw.db)
        db.execute("CREATE TABLE t (x)")
        db.execute("DROP TABLE t")
        db.commit()
        db.close()
        err = refused(gw.conf, "SQLite file without tables")
        check(gw.db in err and "empty" in err, err)
    finally:
        gw.close()


def test_a_newer_schema_is_refused():
    gw = Gateway()
    try:
        db = sqlite3.connect(gw.db)
        have = db.execute("PRAGMA user_version").fetchone()[0]
        db.execute("PRAGMA user_version = %d" % (have + 7))
        db.close()
        err = refused(gw.conf, "user_version %d" % (have + 7))
        check(gw.db in err and "newer" in err and str(have + 7) in err, err)
        r = subprocess.run([JOURCTL, "-c", gw.conf, "import", "units",
                            os.path.join(gw.dir, "units.csv")],
                           capture_output=True, timeout=30)
        check(r.returncode != 0 and b"newer" in r.stderr,
              "jourctl does not write into it: %r" % (r.stderr,))
    finally:
        gw.close()


def test_a_damaged_database_is_refused_at_start():
    gw = Gateway()
    try:
        corrupt_page(gw.db, "people")
        err = refused(gw.conf, "a damaged page")
        check(gw.db in err and "quick_check" in err, err)
    finally:
        gw.close()


def test_damage_found_at_run_time_stops_jourd_and_keeps_the_sms():
    gw = Gateway()
    try:
        gw.start()
        corrupt_page(gw.db, "inbox")
        # Another process's write makes jourd read its pages from the disk
        # again instead of from its cache, as months of running would.
        other = sqlite3.connect(gw.db, timeout=5)
        other.execute("INSERT INTO status (key, value, updated_at)"
                      " VALUES ('other', 'x', 0)")
        other.commit()
        other.close()
        gw.inject(REQUESTER, "AKUT KARD på en skadad databas")
        t0 = time.monotonic()
        try:
            gw.proc.wait(30)
        except subprocess.TimeoutExpired:
            raise TestFailure("jourd kept running on a damaged database:"
                                 "\n" + gw.daemon_log()[-2000:])
        check(gw.proc.returncode != 0, "exit %d" % gw.proc.returncode)
        gw.proc = None
        log = gw.daemon_log()
        check(gw.db in log and ("malformed" in log or "damaged" in log),
              log[-2000:])
        check(time.monotonic() - t0 < 30, "stopped within seconds")
        check(glob.glob(os.path.join(gw.phone, "sms", "1", "*")),
              "the SMS is still on the phone")
        # And it does not come back up on the same file.
        err = refused(gw.conf, "restart on the damaged file")
        check("quick_check" in err, err)
    finally:
        gw.close()


def start_with_read_fault():
    """The fault build of jourd with its read fault ready: while the
    returned file names a table, every query FROM it fails
    (SQLITE_INTERRUPT, the rest of the transaction working)."""
    from test_faults import gateway
    gw = gateway()
    trigger = os.path.join(gw.dir, "fail-reads")
    env = dict(os.environ, JOURD_FAULT_READS=trigger)
    gw.proc = subprocess.Popen([gw.jourd, "-d", "-c", gw.conf], stdout=gw.log,
                               stderr=gw.log, env=env)
    gw.wait(lambda: gw.status()["modem"]["state"] == "ready", 15,
            "modem ready")
    return gw, trigger


def read_error_case(table, text, sender=REQUESTER, gw=None, trigger=None):
    """While every query FROM table fails, sender sends text. Returns the
    running gateway and the fault file; removing the file ends the
    fault."""
    if gw is None:
        gw, trigger = start_with_read_fault()
    with open(trigger, "w") as f:
        f.write(table + "\n")
    gw.inject(sender, text)
    seen = gw.daemon_log().count("inbound:")
    gw.wait(lambda: gw.daemon_log().count("inbound:") > seen or
            "database: " in gw.daemon_log(), 10, "the SMS handled or failed")
    time.sleep(3)
    return gw, trigger


def stored(gw, sql):
    db = sqlite3.connect("file:%s?mode=ro" % gw.db, uri=True)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def test_a_failed_read_of_the_directory_never_makes_a_clinician_a_stranger():
    gw, trigger = read_error_case("people", "AKUT KARD katalogen kan inte läsas")
    try:
        out = stored(gw, "SELECT to_phone, text FROM outbox")
        check(not out, "answered on a guess while the directory failed: %r"
              % out)
        check(glob.glob(os.path.join(gw.phone, "sms", "1", "*")),
              "the SMS is still on the phone, to be read again")
        os.unlink(trigger)
        gw.wait_sent(PRIMARY, "Svara OK 1", timeout=40)
        gw.wait_sent(REQUESTER, "Mottaget", timeout=10)
        check(len(gw.consults()) == 1, "one consult")
    finally:
        gw.close()


def test_a_failed_read_of_the_roster_is_no_roster_gap():
    gw, trigger = read_error_case("shifts", "AKUT KARD rostern kan inte läsas")
    try:
        events = stored(gw, "SELECT type FROM events")
        check(not events, "events from a failed read: %r" % events)
        out = stored(gw, "SELECT to_phone, text FROM outbox")
        check(not out, "told or paged on a guess: %r" % out)
        check(glob.glob(os.path.join(gw.phone, "sms", "1", "*")),
              "the SMS is still on the phone, to be read again")
        os.unlink(trigger)
        gw.wait_sent(PRIMARY, "Svara OK 1", timeout=40)
        cid = gw.last_consult()["id"]
        check("no_oncall" not in gw.events(cid), gw.events(cid))
    finally:
        gw.close()


def test_a_failed_read_of_the_pages_never_loses_an_acknowledgement():
    gw, trigger = start_with_read_fault()
    try:
        gw.inject(REQUESTER, "AKUT KARD kvittensen får inte tappas")
        gw.wait_sent(PRIMARY, "Svara OK 1")
        read_error_case("pages", "OK 1", sender=PRIMARY, gw=gw,
                        trigger=trigger)
        out = stored(gw, "SELECT to_phone, text FROM outbox")
        check(not [t for to, t in out if to == PRIMARY and
                   "Svara OK 1" not in t],
              "the OK was answered on a guess: %r" % out)
        check(gw.last_consult()["state"] == "open", "not yet acknowledged")
        os.unlink(trigger)
        gw.wait(lambda: gw.last_consult()["state"] == "acknowledged", 40,
                "acknowledged once the pages can be read")
        gw.wait_sent(REQUESTER, "kvitterat", timeout=10)
    finally:
        gw.close()
