"""Configuration checks and imports through the programs themselves."""
import os
import subprocess
import tempfile
import time

from harness import (JOURCTL, JOURD, PRIMARY, REQUESTER, ROOT, Gateway,
                     check, run)


def jourd_check(text):
    d = tempfile.mkdtemp(prefix="jourd-conf-")
    path = os.path.join(d, "jourd.conf")
    with open(path, "w") as f:
        f.write(text)
    r = subprocess.run([JOURD, "-n", "-c", path], capture_output=True, timeout=10)
    return path, r.returncode, r.stderr.decode("utf-8", "replace")


def test_config_check_accepts_example():
    # ROOT, not JOURD's directory: JOURD_BIN may point into build-asan/.
    r = subprocess.run([JOURD, "-n", "-c", os.path.join(ROOT, "conf",
                        "jourd.conf.example")], capture_output=True, timeout=10)
    check(r.returncode == 0, "example config: %s" % r.stderr)


def test_config_errors_name_file_line_key():
    path, rc, err = jourd_check("[daemon]\nadmins = +46701740699\n"
                                "[track akut]\nack_timeout = 5 minutes\n")
    check(rc == 1, "exit 1 on a bad value, got %d" % rc)
    check("%s:4:" % path in err and "ack_timeout" in err, err)
    path, rc, err = jourd_check("[daemon]\ndatabse = x.db\n")
    check(rc == 1 and "%s:2:" % path in err and "databse" in err, err)
    path, rc, err = jourd_check("[track akut]\n[track akut]\n")
    check(rc == 1 and "%s:2:" % path in err, err)
    path, rc, err = jourd_check("[modem]\ndriver = nokia\n[track akut]\n")
    check(rc == 1 and "%s:2:" % path in err and "driver" in err, err)


def test_import_is_all_or_nothing_and_names_line_and_field():
    gw = Gateway()
    try:
        before = gw.json("oncall")
        bad = os.path.join(gw.dir, "bad.csv")
        with open(bad, "w") as f:
            f.write("unit,role,phone,start,end\n"
                    "KARD,primary,+46701740620,2030-01-01 08:00,2030-01-08 08:00\n"
                    "KARD,primary,+46701740620,2030-01-08 08:00,2030-01-07 08:00\n")
        r = gw.ctl("import", "roster", bad, ok=False)
        err = r.stderr.decode("utf-8", "replace")
        check(r.returncode == 1, "exit 1 on a bad CSV")
        check("%s:3:" % bad in err and "end" in err, err)
        check(gw.json("oncall") == before, "nothing changed")
        r = subprocess.run([JOURCTL, "-c", gw.conf, "import", "units",
                            "/nonexistent.csv"], capture_output=True)
        check(r.returncode == 1, "missing file is an error")
    finally:
        gw.close()


def test_admin_number_with_spaces_and_database_directory_created():
    d = tempfile.mkdtemp(prefix="jourd-conf-")
    path = os.path.join(d, "jourd.conf")
    with open(path, "w") as f:
        f.write("[daemon]\ndatabase = %s/state/deeper/jourd.db\n"
                "admins = 070-174 06 99\n[track akut]\n" % d)
    r = subprocess.run([JOURD, "-n", "-c", path], capture_output=True, timeout=10)
    check(r.returncode == 0, "one Swedish-form number with spaces: %s" % r.stderr)
    units = os.path.join(d, "units.csv")
    with open(units, "w") as f:
        f.write("code,name,kind,phone,hours\nKARD,Kardiologi,specialty,"
                "+46701740630,always\n")
    r = subprocess.run([JOURCTL, "-c", path, "import", "units", units],
                       capture_output=True, timeout=10)
    check(r.returncode == 0, "import creates the database directory: %s" % r.stderr)
    mode = os.stat(os.path.join(d, "state")).st_mode & 0o777
    check(mode == 0o700, "state directory is private: %o" % mode)


def page_once(gw):
    """One AKUT request, paged to the primary and receipted."""
    gw.inject(REQUESTER, "AKUT KARD ring mig")
    gw.wait_sent(PRIMARY, "Svara OK 1")
    gw.wait_sent(REQUESTER, "Mottaget")


def test_outbox_shows_the_route_that_carried_each_sms():
    """[modem] is the route "main": every SMS it sent says so in jourctl
    outbox and its JSON; the table has a ROUTE column."""
    def body(gw):
        page_once(gw)
        rows = gw.outbox()
        check(rows and all(m["route"] == "main" for m in rows),
              "routes: %r" % [(m["state"], m["route"]) for m in rows])
        table = gw.ctl("outbox").stdout.decode()
        check("ROUTE" in table.splitlines()[0], "header: %r" % table[:120])
        check(" main " in table, "table: %r" % table)
    run(Gateway(escalation="primary"), body)


def test_status_lists_every_route_with_its_state_and_sends():
    """jourctl status shows each route (so far [modem], the route main) with
    its state, what waits after an attempt on it and what it sent today;
    its JSON has routes next to the modem object."""
    def body(gw):
        page_once(gw)
        st = gw.status()
        check(st["modem"]["state"] == "ready", "modem object kept")
        routes = st["routes"]
        check(len(routes) == 1, "routes: %r" % routes)
        r = routes[0]
        check(r["name"] == "main" and r["kind"] == "modem" and
              r["state"] == "ready" and r["queued"] == 0 and
              r["sent_today"] == 2 and r["driver"] == "dummy" and
              r["since"] is not None, "route main: %r" % r)
        table = gw.ctl("status").stdout.decode()
        check("route:     main (modem, dummy " in table and
              "ready: Gammu Dummy, 0 waiting, 2 sent today" in table, table)
        ready_since = r["since"]
        time.sleep(1.1)
        gw.stop()
        r = gw.status()["routes"][0]
        check(r["state"] == "down", "stopped: %r" % r)
        # Down since the stop, not since it became ready.
        check(r["since"] > ready_since, "down since %s, ready since %s" % (
            r["since"], ready_since))
    run(Gateway(escalation="primary"), body)


def test_jourd_h_prints_the_usage_and_succeeds():
    r = subprocess.run([JOURD, "-h"], capture_output=True, timeout=10)
    check(r.returncode == 0, "exit %d" % r.returncode)
    check(b"usage: jourd" in r.stdout and b"-h " in r.stdout, r.stdout)
    check(b"invalid option" not in r.stderr, r.stderr)


def test_no_stockholm_time_zone_refuses_to_start():
    """Without the zone file the C library runs in UTC: opening hours and
    shifts an hour off. jourd and jourctl refuse instead."""
    env = dict(os.environ, TZDIR=tempfile.mkdtemp(prefix="no-tz-"))
    conf = os.path.join(ROOT, "conf", "jourd.conf.example")
    for prog, args in ((JOURD, ["-n", "-c", conf]),
                       (JOURCTL, ["-c", conf, "status"])):
        r = subprocess.run([prog] + args, capture_output=True, env=env,
                           timeout=10)
        check(r.returncode == 1, "%s: exit %d" % (prog, r.returncode))
        check(b"Europe/Stockholm cannot be loaded" in r.stderr, r.stderr)
    os.rmdir(env["TZDIR"])
