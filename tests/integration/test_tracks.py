"""Tracks other than AKUT: opening hours answered from the calendar."""
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
