"""Tracks other than AKUT: opening hours answered from the calendar."""
import datetime
import time

from harness import (BACKUP, PRIMARY, REQUESTER, Gateway, check, roster)

CONSULT = "+46701740623"


def halvakut(open_rule):
    return ("[track halvakut]\nkeywords = HALV HALVAKUT SEMI\nopen = %s\n"
            "closed = reply\nack_timeout = 10m\nescalation = consult backup\n"
            % open_rule)


def test_halvakut_closed_answers_with_next_opening_and_pages_nobody():
    # A window that excludes the present hour, whatever the day.
    closed = "weekdays 13:00-14:00" if time.localtime().tm_hour < 12 \
        else "weekdays 01:00-02:00"
    gw = Gateway(extra=halvakut(closed))
    try:
        gw.start()
        gw.inject(REQUESTER, "HALV KARD fråga om antikoagulation")
        reply = gw.wait_sent(REQUESTER, "stängt nu")
        check(closed[9:14] in reply["text"], "next opening time given: %r"
              % reply["text"])
        check("AKUT" in reply["text"], "points to AKUT for what cannot wait")
        time.sleep(0.5)
        check(not gw.consults(), "no consult outside opening hours")
        check(not gw.sent_to(PRIMARY) and not gw.sent_to(BACKUP), "nobody paged")
    finally:
        gw.close()


def test_halvakut_open_pages_its_own_role():
    rows = roster([("KARD", "consult", CONSULT), ("KARD", "backup", BACKUP),
                   ("KARD", "primary", PRIMARY)])
    gw = Gateway(extra=halvakut("always"), roster_csv=rows)
    try:
        gw.start()
        gw.inject(REQUESTER, "SEMI KARD fråga om dosering")
        page = gw.wait_sent(CONSULT, "Svara OK 1")
        check(page["text"].startswith("HALV KARD"), page["text"])
        check(gw.last_consult()["track"] == "halvakut", "halvakut consult")
        check(not gw.sent_to(PRIMARY), "the acute primary is not paged")
    finally:
        gw.close()


def easter(y):
    """Gregorian computus (Meeus), for choosing a test day that is open."""
    a, b, c = y % 19, y // 100, y % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    month = (h + l - 7 * m + 114) // 31
    day = (h + l - 7 * m + 114) % 31 + 1
    return datetime.date(y, month, day)


def open_weekday():
    """A Tuesday, Wednesday or Thursday in the next week that is no holiday,
    so that the harness roster (yesterday to a week ahead) covers it."""
    day = datetime.date.today()
    for _ in range(8):
        day += datetime.timedelta(days=1)
        e = easter(day.year)
        holidays = {e - datetime.timedelta(days=2), e + datetime.timedelta(days=1),
                    e + datetime.timedelta(days=39)}
        if day.weekday() in (1, 2, 3) and day not in holidays and \
                (day.month, day.day) not in ((1, 1), (1, 6), (5, 1), (6, 6),
                                             (12, 24), (12, 25), (12, 26),
                                             (12, 31)):
            return day
    raise AssertionError("no open weekday found")


def queue_gateway():
    rows = roster([("KARD", "consult", CONSULT), ("KARD", "backup", BACKUP)])
    return Gateway(roster_csv=rows, extra=halvakut("weekdays 08:00-17:00")
                   .replace("closed = reply", "closed = queue"))


def test_halvakut_queue_pages_at_opening_and_survives_restart():
    day = open_weekday().isoformat()
    gw = queue_gateway()
    try:
        gw.start(fake=day + " 07:59:30")
        gw.inject(REQUESTER, "HALV KARD fråga inför operation")
        note = gw.wait_sent(REQUESTER, "Köat")
        check("08:00" in note["text"], "the requester is told when: %r"
              % note["text"])
        c = gw.last_consult()
        check(c["state"] == "queued", "queued: %r" % c["state"])
        check(not gw.sent_to(CONSULT), "nobody paged before the opening")
        gw.kill()                              # SIGKILL while queued
        gw.start(fake=day + " 07:59:50")       # back before the opening
        check(gw.last_consult()["state"] == "queued", "still queued")
        gw.wait_sent(CONSULT, "Svara OK 1", timeout=30)
        c = gw.last_consult()
        check(c["state"] == "open", "open at the opening: %r" % c["state"])
        ev = gw.events(c["id"])
        check("queued" in ev and "paged" in ev, "events: %r" % ev)
    finally:
        gw.close()


def test_halvakut_queue_overdue_at_restart_pages_at_once():
    day = open_weekday().isoformat()
    gw = queue_gateway()
    try:
        gw.start(fake=day + " 07:00:00")
        gw.inject(REQUESTER, "HALV KARD fråga")
        gw.wait_sent(REQUESTER, "Köat")
        gw.kill()
        gw.start(fake=day + " 09:30:00")       # the opening passed while down
        gw.wait_sent(CONSULT, "Svara OK 1", timeout=10)
    finally:
        gw.close()


def test_queued_consult_can_be_cancelled():
    day = open_weekday().isoformat()
    gw = queue_gateway()
    try:
        gw.start(fake=day + " 06:00:00")
        gw.inject(REQUESTER, "HALV KARD fråga")
        gw.wait_sent(REQUESTER, "Köat")
        cid = gw.last_consult()["id"]
        gw.inject(REQUESTER, "AVBRYT %d" % cid)
        gw.wait_sent(REQUESTER, "avbrutet")
        check(gw.last_consult()["state"] == "cancelled", "cancelled")
        check(not gw.sent_to(CONSULT), "nobody was paged")
    finally:
        gw.close()


def test_closed_date_from_configuration_closes_a_weekday():
    # An open weekday made a closing day by the [closed] section: a request
    # at 10:00 is queued for the next opening instead of paging at once.
    day = open_weekday().isoformat()
    rows = roster([("KARD", "consult", CONSULT), ("KARD", "backup", BACKUP)])
    gw = Gateway(roster_csv=rows, extra=halvakut("weekdays 08:00-17:00")
                 .replace("closed = reply", "closed = queue") +
                 "[closed]\n%s = klämdag\n" % day)
    try:
        gw.start(fake=day + " 10:00:00")
        gw.inject(REQUESTER, "HALV KARD fråga på klämdagen")
        note = gw.wait_sent(REQUESTER, "Köat")
        check("08:00" in note["text"], "opens the next morning: %r"
              % note["text"])
        check(gw.last_consult()["state"] == "queued", "queued, not paged")
        check(not gw.sent_to(CONSULT), "nobody paged on the closed date")
    finally:
        gw.close()
