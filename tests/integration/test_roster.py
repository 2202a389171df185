"""The roster over time: jourctl oncall --at, jourctl roster over a period
with an override in it, and jourctl ical read back by Debian's libical
(build/tests/icalcheck, tests/icalcheck/icalcheck.c), across both
daylight-saving changes of Europe/Stockholm.

The dates are next year's, so the test never ages: Julafton (24 December)
with one primary, and the nights of the last Saturdays of March and October,
when the clocks go forward (02:00 -> 03:00) and back (03:00 -> 02:00). A
night shift from Saturday 20:00 to Sunday 08:00 is then 11 and 13 hours.
"""
import calendar
import datetime
import os
import subprocess
import time

from harness import (BACKUP, CHIEF, PRIMARY, ROOT, DEFAULT_ROSTER, Gateway,
                     check)

ICALCHECK = os.environ.get("ICALCHECK_BIN",
                           os.path.join(ROOT, "build", "tests", "icalcheck"))
YEAR = time.localtime().tm_year + 1
HOUR = 3600


def last_sunday(year, month):
    day = calendar.monthrange(year, month)[1]
    while datetime.date(year, month, day).weekday() != 6:
        day -= 1
    return day


SPRING = last_sunday(YEAR, 3)
AUTUMN = last_sunday(YEAR, 10)


def utc(y, mo, d, h, mi=0):
    return calendar.timegm((y, mo, d, h, mi, 0))


# Stockholm is UTC+1 in winter and UTC+2 in summer.
XMAS = (utc(YEAR, 12, 24, 7), utc(YEAR, 12, 25, 7))          # 08:00-08:00 CET
SPRING_NIGHT = (utc(YEAR, 3, SPRING - 1, 19), utc(YEAR, 3, SPRING, 6))
AUTUMN_NIGHT = (utc(YEAR, 10, AUTUMN - 1, 18), utc(YEAR, 10, AUTUMN, 7))

ROSTER = DEFAULT_ROSTER + "".join(
    "%s\n" % r for r in (
        "KARD,primary,%s,%d-12-23 08:00,%d-12-24 08:00" % (BACKUP, YEAR, YEAR),
        "KARD,primary,%s,%d-12-24 08:00,%d-12-25 08:00" % (PRIMARY, YEAR, YEAR),
        "KARD,backup,%s,%d-03-%02d 20:00,%d-03-%02d 08:00" % (
            BACKUP, YEAR, SPRING - 1, YEAR, SPRING),
        "KARD,backup,%s,%d-10-%02d 20:00,%d-10-%02d 08:00" % (
            BACKUP, YEAR, AUTUMN - 1, YEAR, AUTUMN),
    ))


def iso_secs(s):
    return int(datetime.datetime.fromisoformat(s).timestamp())


def holder(rows, role):
    return next((r for r in rows if r["role"] == role), None)


def test_oncall_at_and_roster_show_a_known_override():
    gw = Gateway(roster_csv=ROSTER)
    try:
        gw.start()
        # Gustav takes over KARD primary until the week's shift ends (next
        # week): in two days the roster says Erik, the override Gustav.
        gw.inject(CHIEF, "JOUR KARD")
        gw.wait_sent(CHIEF, "Du har nu KARD primary")
        later = gw.json("oncall", "KARD", "--at", "+2d")["oncall"]
        h = holder(later, "primary")
        check(h and h["phone"] == CHIEF and h["source"] == "override"
              and h["name"] == "Gustav Chefsson", "oncall --at +2d: %r" % later)
        b = holder(later, "backup")
        check(b and b["phone"] == BACKUP and b["source"] == "roster", later)

        # Julafton: the roster's primary, and the day before another one.
        xmas = gw.json("oncall", "kard", "--at", "%d-12-24 20:00" % YEAR)
        h = holder(xmas["oncall"], "primary")
        check(h and h["phone"] == PRIMARY and h["source"] == "roster" and
              iso_secs(h["until"]) == XMAS[1], "Julafton: %r" % xmas)
        eve = gw.json("oncall", "KARD", "--at", "%d-12-23 20:00" % YEAR)
        check(holder(eve["oncall"], "primary")["phone"] == BACKUP, eve)
        # Nobody holds chief then: the week's roster has ended.
        check(holder(xmas["oncall"], "chief") is None, xmas)
        text = gw.ctl("oncall", "KARD", "--at", "%d-12-24 20:00" % YEAR)
        out = text.stdout.decode()
        check("on call at %d-12-24 20:00" % YEAR in out and
              "Erik Jourlund" in out, out)

        # The period from now shows the override next to the roster shift
        # it beats, with names.
        r = gw.json("roster", "KARD", "--from", "now", "--to", "+8d")
        prim = [s for s in r["roster"] if s["role"] == "primary"]
        check([s["source"] for s in prim] == ["roster", "override"] and
              prim[1]["name"] == "Gustav Chefsson" and
              prim[0]["name"] == "Erik Jourlund", "roster: %r" % r)
        check(not [s for s in r["roster"] if s["start"].startswith(str(YEAR))],
              "next year's shifts are outside the period: %r" % r)
        out = gw.ctl("roster", "KARD").stdout.decode()
        line = next((ln for ln in out.splitlines() if " override " in ln), "")
        check("Gustav Chefsson" in line and "070-174 06 22" in line and
              line.startswith("KARD          primary"), out)
        check("Frida Bakström" in out and "ORT" not in out, out)

        # Julafton's period, every unit: the two primaries and nothing else.
        r = gw.json("roster", "--from", "%d-12-23 00:00" % YEAR,
                    "--to", "%d-12-26" % YEAR)
        check([(s["phone"], iso_secs(s["start"])) for s in r["roster"]] ==
              [(BACKUP, XMAS[0] - 24 * HOUR), (PRIMARY, XMAS[0])],
              "Julafton's roster: %r" % r)

        bad = gw.ctl("roster", "--from", "+2d", "--to", "+1d", ok=False)
        check(bad.returncode == 2 and b"is not after" in bad.stderr, bad)
        bad = gw.ctl("oncall", "--at", "juldagen", ok=False)
        check(bad.returncode == 2 and b"--at" in bad.stderr, bad)
        bad = gw.ctl("roster", "NOSUCH", ok=False)
        check(bad.returncode == 1 and b"no unit" in bad.stderr, bad)
    finally:
        gw.close()


def icalcheck_ready():
    """True when the libical reader is built; False, with a message, only
    when libical itself is missing (tools/deps.sh installs libical-dev)."""
    if os.access(ICALCHECK, os.X_OK):
        return True
    if subprocess.run(["pkg-config", "--exists", "libical"]).returncode != 0:
        print("SKIPPED: libical-dev is not installed (sh tools/deps.sh), "
              "so the .ics cannot be read back")
        return False
    check(False, "%s is missing: make build/tests/icalcheck" % ICALCHECK)


def read_back(ics):
    r = subprocess.run([ICALCHECK], input=ics, capture_output=True,
                       timeout=30)
    check(r.returncode == 0, "libical refused the file: %s\n%s" % (
        r.stderr.decode("utf-8", "replace"), ics.decode("utf-8", "replace")))
    events = []
    for line in r.stdout.decode("utf-8").splitlines():
        uid, start, end, local, summary = line.split("\t")
        events.append((uid, int(start), int(end), local, summary))
    return events


def check_lines(ics):
    """CRLF on every line, at most 75 octets, folds between characters."""
    check(ics.endswith(b"\r\n") and b"\n" not in ics.replace(b"\r\n", b""),
          "every line ends in CRLF")
    lines = ics[:-2].split(b"\r\n")
    check(max(len(ln) for ln in lines) <= 75, "a line longer than 75 octets")
    for ln in lines:
        ln.decode("utf-8")   # a fold inside a character fails here
    return lines


def test_ical_is_read_back_by_libical_across_dst():
    gw = Gateway(roster_csv=ROSTER)
    try:
        # From 8 January: this week's shifts end by 7 January at the latest.
        period = ("--from", "%d-01-08" % YEAR, "--to", "%d-01-01" % (YEAR + 1))
        ics = gw.ctl("ical", "KARD", *period).stdout
        lines = check_lines(ics)
        check(b"BEGIN:VTIMEZONE" in ics and b"TZID:Europe/Stockholm" in ics,
              "a VTIMEZONE")
        check(any(ln.startswith(b" ") for ln in lines),
              "a long DESCRIPTION was folded")
        check(ics.count(b"BEGIN:VEVENT") == 4, "four shifts")
        if not icalcheck_ready():
            return
        events = read_back(ics)
        got = sorted((s, e, summary) for _, s, e, _, summary in events)
        want = sorted([
            (SPRING_NIGHT[0], SPRING_NIGHT[1], "KARD backup: Frida Bakström"),
            (AUTUMN_NIGHT[0], AUTUMN_NIGHT[1], "KARD backup: Frida Bakström"),
            (XMAS[0] - 24 * HOUR, XMAS[0], "KARD primary: Frida Bakström"),
            (XMAS[0], XMAS[1], "KARD primary: Erik Jourlund"),
        ])
        check(got == want, "libical read %r, expected %r" % (got, want))
        # The nights across the changes, as the wall clock shows them.
        local = {s: loc for _, s, _, loc, _ in events}
        check(local[SPRING_NIGHT[0]] == "%d03%02dT200000" % (YEAR, SPRING - 1)
              and local[AUTUMN_NIGHT[0]] == "%d10%02dT200000" % (YEAR, AUTUMN - 1),
              "local starts %r" % local)
        check(SPRING_NIGHT[1] - SPRING_NIGHT[0] == 11 * HOUR and
              AUTUMN_NIGHT[1] - AUTUMN_NIGHT[0] == 13 * HOUR, "night lengths")
        check(len({uid for uid, *_ in events}) == len(events), "unique UIDs")

        # The same shifts again, after the roster is imported once more,
        # keep their UIDs: a calendar program sees the same events.
        path = os.path.join(gw.dir, "roster.csv")
        gw.ctl("import", "roster", path)
        again = read_back(gw.ctl("ical", "KARD", *period).stdout)
        check(sorted(e[0] for e in again) == sorted(e[0] for e in events),
              "UIDs changed on re-import")

        # One person's calendar, by the number as people write it.
        mine = read_back(gw.ctl("ical", "070-174 06 21", *period).stdout)
        check(sorted(s for _, s, *_ in mine) ==
              sorted([SPRING_NIGHT[0], AUTUMN_NIGHT[0], XMAS[0] - 24 * HOUR]),
              "Frida's calendar: %r" % mine)
        empty = read_back(gw.ctl("ical", "ORT", *period).stdout)
        check(empty == [], "no ORT shifts next year: %r" % empty)

        bad = gw.ctl("ical", "+46701740698", ok=False)
        check(bad.returncode == 1 and b"neither a unit" in bad.stderr, bad)
        bad = gw.ctl("--json", "ical", "KARD", ok=False)
        check(bad.returncode == 2, bad)
    finally:
        gw.close()
