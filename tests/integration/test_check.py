"""jourctl status --check: one line and a monitoring plugin's exit code
(0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN), for Icinga or Nagios."""
import os
import subprocess
import time

from harness import (run, Gateway, check, JOURCTL, REQUESTER, PRIMARY,
                     BACKUP, CHIEF)


def check_line(gw, *extra):
    r = subprocess.run([JOURCTL, "-c", gw.conf, "status", "--check"] +
                       list(extra), capture_output=True, timeout=30)
    out = r.stdout.decode()
    check(len(out.splitlines()) == 1, "one line: %r" % out)
    return r.returncode, out.strip()


def test_check_ok_while_running_and_critical_when_stopped():
    gw = Gateway()
    try:
        rc, line = check_line(gw)
        check(rc == 2 and "JOURD CRITICAL" in line, "not started: %r" % line)
        gw.start()
        rc, line = check_line(gw)
        check(rc == 0 and line.startswith("JOURD OK - paging works |"), line)
        check("database=%s" % gw.db in line, "names the database: %r" % line)
        check("routes_healthy=1;;;0;1" in line, line)
        gw.stop()
        rc, line = check_line(gw)
        check(rc == 2 and "jourd is not running" in line, line)
    finally:
        gw.close()


def test_check_unknown_on_a_bad_configuration_or_database():
    gw = Gateway()
    try:
        with open(gw.db, "r+b") as f:
            f.write(b"this is no SQLite database, it is garbage" * 200)
        rc, line = check_line(gw)
        check(rc == 3 and line.startswith("JOURD UNKNOWN"), line)
        with open(gw.conf, "a") as f:
            f.write("[nonsense]\n")
        rc, line = check_line(gw)
        check(rc == 3 and "unknown section" in line, line)
    finally:
        gw.close()


def test_check_critical_when_a_page_waits_too_long():
    """The faults build's worker hangs in the send: the page stays in
    flight, and --max-queue-age 2s makes that critical."""
    from test_faults import gateway, fault

    def body(gw):
        rc, line = check_line(gw, "--max-queue-age", "2s")
        check(rc == 0, line)
        fault(gw, "hang-send")
        gw.wait(lambda: not os.path.exists(os.path.join(gw.phone, "fault")),
                5, "fault armed")
        gw.inject(REQUESTER, "AKUT KARD kön står still")
        gw.wait(lambda: [m for m in gw.outbox() if m["to"] == PRIMARY and
                         m["state"] == "sending"], 10, "the page in flight")
        time.sleep(3)
        rc, line = check_line(gw, "--max-queue-age", "2s")
        check(rc == 2 and "a page has waited" in line, line)
        rc, line = check_line(gw, "--max-queue-age", "1h")
        check(rc == 0, "within the threshold: %r" % line)
        r = subprocess.run([JOURCTL, "-c", gw.conf, "status", "--check",
                            "--max-queue-age", "soon"], capture_output=True)
        check(r.returncode == 2 and b"not a duration" in r.stderr, r)
    run(gateway(), body)


def test_check_warns_of_a_role_uncovered_in_the_next_day():
    now = time.time()
    start = time.strftime("%Y-%m-%d 00:00", time.localtime(now - 86400))
    end = time.strftime("%Y-%m-%d 00:00", time.localtime(now + 7 * 86400))
    soon = time.strftime("%Y-%m-%d %H:00", time.localtime(now + 3 * 3600))
    roster = "unit,role,phone,start,end\n" + "".join(
        "KARD,%s,%s,%s,%s\n" % (role, phone, start, stop)
        for role, phone, stop in (("primary", PRIMARY, end),
                                  ("backup", BACKUP, end),
                                  ("chief", CHIEF, soon)))

    def body(gw):
        rc, line = check_line(gw)
        check(rc == 1 and "uncovered in the next day, first KARD chief"
              in line, line)
    run(Gateway(roster_csv=roster, coverage_days=14), body)


def test_check_warns_when_a_route_is_in_trouble_and_another_carries():
    from test_routes import RoutesGateway

    def body(gw):
        rc, line = check_line(gw)
        check(rc == 0 and "routes_healthy=2;;;0;2" in line, line)
        gw.fakes["a"].stop()
        gw.wait(lambda: check_line(gw)[0] == 1, 40, "a warning")
        rc, line = check_line(gw)
        check("route a" in line and "routes_healthy=1;;;0;2" in line, line)
        gw.fakes["b"].stop()
        gw.wait(lambda: check_line(gw)[0] == 2, 40, "critical")
        check("no SMS route healthy" in check_line(gw)[1], check_line(gw))
    run(RoutesGateway(), body)


def test_dummy_driver_as_a_service_is_shown_and_warned_of():
    """Run as a service (not -d), a gateway on the dummy phone pages into a
    directory: jourctl status says so and status --check warns. In the
    foreground (the demo, the tests) it does not."""
    gw = Gateway()
    try:
        gw.start()
        rc, line = check_line(gw)
        check(rc == 0, "foreground: %r" % line)
        gw.stop()
        gw.proc = subprocess.Popen([gw.jourd, "-c", gw.conf],
                                   stdout=gw.log, stderr=gw.log)
        gw.wait(lambda: gw.status()["running"], 15, "jourd as a service")
        table = gw.ctl("status").stdout.decode()
        check("WARNING:   route(s) main use driver = dummy" in table, table)
        rc, line = check_line(gw)
        check(rc == 1 and "on the dummy driver" in line, line)
    finally:
        gw.close()
