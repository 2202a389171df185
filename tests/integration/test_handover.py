"""JOUR <unit> [role]: a responder takes over an on-call role by SMS."""
from harness import (BACKUP, CHIEF, PRIMARY, REQUESTER, Gateway, check)


def holder(gw, unit, role):
    rows = gw.json("oncall", unit)["oncall"]
    return next((r for r in rows if r["role"] == role), None)


def test_jour_takes_over_primary_and_tells_the_previous_holder():
    gw = Gateway()
    try:
        gw.start()
        gw.inject(CHIEF, "JOUR KARD")
        gw.wait_sent(CHIEF, "Du har nu KARD primary")
        gw.wait_sent(PRIMARY, "Gustav Chefsson har tagit över KARD primary")
        h = holder(gw, "KARD", "primary")
        check(h["phone"] == CHIEF and h["source"] == "override", "oncall %r" % h)
        gw.inject(REQUESTER, "AKUT KARD efter överlämning")
        gw.wait_sent(CHIEF, "Svara OK")
        check(not gw.sent_to(PRIMARY, "page"), "the old primary is not paged")
    finally:
        gw.close()


def test_jour_mid_escalation_pages_the_new_holder():
    gw = Gateway(ack_timeout="10m")
    try:
        gw.start()
        gw.inject(REQUESTER, "AKUT KARD väntar på primärjour")
        gw.wait_sent(PRIMARY, "Svara OK 1")
        gw.inject(CHIEF, "JOUR KARD primary")
        page = gw.wait_sent(CHIEF, "Svara OK")
        check("AKUT KARD" in page["text"], page["text"])
        gw.inject(CHIEF, "OK")
        note = gw.wait_sent(REQUESTER, "kvitterat")
        check("Gustav Chefsson" in note["text"], note["text"])
        check(gw.last_consult()["step"] == 1, "no escalation step was taken")
    finally:
        gw.close()


def test_jour_with_role_and_errors():
    gw = Gateway()
    try:
        gw.start()
        gw.inject(PRIMARY, "JOUR KARD backup")
        gw.wait_sent(PRIMARY, "Du har nu KARD backup")
        gw.wait_sent(BACKUP, "har tagit över KARD backup")
        gw.inject(CHIEF, "JOUR XYZ")
        gw.wait_sent(CHIEF, "Okänd enhet")
        gw.inject(CHIEF, "JOUR KARD kock")
        gw.wait_sent(CHIEF, "Okänd roll")
        check(holder(gw, "KARD", "primary")["phone"] == PRIMARY,
              "errors change nothing")
    finally:
        gw.close()
