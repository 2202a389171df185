"""PV routed by the health centre's own hours, and MDK answered unit by unit."""
import time

from harness import (run, BACKUP, CHIEF, PEOPLE, PRIMARY, REQUESTER, UNITS,
                     Gateway, check, roster)

ORSA_DOC = "+46701740624"
JC_DOC = "+46701740625"
GER_DOC = "+46701740626"
PSYK_DOC = "+46701740627"
ALV_DOC = "+46701740628"

# A window that excludes the present hour, whatever the day.
CLOSED = "weekdays 13:00-14:00" if time.localtime().tm_hour < 12 \
    else "weekdays 01:00-02:00"


def units(orsa_hours):
    # The harness's ORSA row is replaced by one with the hours under test.
    rows = [r for r in UNITS.splitlines() if not r.startswith("ORSA,")]
    return "\n".join(rows) + "\n" + """\
ORSA,Orsa vårdcentral,health_centre,+46701740632,%s
JOURCENTRAL,Jourcentralen Dalarna,other,+46701740634,always
ALVD,Älvdalens vårdcentral,health_centre,+46701740633,always
MORAVC,Mora vårdcentral,health_centre,+46701740636,always
NORET,Mora Noret vårdcentral,health_centre,+46701740637,always
GER,"Geriatrik, Falu lasarett",specialty,+46701740635,always
PSYK,"Psykiatri, Falu lasarett",specialty,+46701740638,always
""" % orsa_hours


PEOPLE_PV = PEOPLE + """\
Vera Vårdcentral,+46701740624,Distriktsläkare,ORSA,no
Jonas Jourcentral,+46701740625,Distriktsläkare,JOURCENTRAL,no
Greta Geriatrik,+46701740626,Överläkare,GER,no
Per Psykiatri,+46701740627,Överläkare,PSYK,no
Alva Älvdal,+46701740628,Distriktsläkare,ALVD,no
"""

ROSTER_PV = roster([
    ("ORSA", "primary", ORSA_DOC),
    ("JOURCENTRAL", "primary", JC_DOC),
    ("ALVD", "primary", ALV_DOC),
    ("KARD", "primary", PRIMARY),
])


def pv(after_hours="JOURCENTRAL"):
    return ("[track pv]\nkeywords = PV\nopen = always\nack_timeout = 10m\n"
            "escalation = primary backup\nafter_hours = %s\n" % after_hours)


def mdk(ack_timeout, escalation="primary"):
    return ("[track mdk]\nkeywords = MDK\nopen = always\nack_timeout = %s\n"
            "escalation = %s\nrequire_all = yes\n" % (ack_timeout, escalation))


def gateway(orsa_hours="always", extra=None, roster_csv=ROSTER_PV):
    return Gateway(extra=pv() if extra is None else extra,
                   units_csv=units(orsa_hours), people_csv=PEOPLE_PV,
                   roster_csv=roster_csv)



def texts(gw, phone, contains):
    return [m["text"] for m in gw.outbox() if m["to"] == phone
            and contains in m["text"]]


def test_pv_open_centre_pages_its_own_primary():
    def body(gw):
        gw.inject(REQUESTER, "PV orsa ring mig om hemsjukvårdspatient")
        page = gw.wait_sent(ORSA_DOC, "Svara OK 1")
        check(page["text"].startswith("PV ORSA"), page["text"])
        receipt = gw.wait_sent(REQUESTER, "Mottaget")
        check("stängd" not in receipt["text"], receipt["text"])
        c = gw.last_consult()
        check(c["track"] == "pv" and c["units"] == ["ORSA"], repr(c))
        check("routed" not in gw.events(c["id"]), "not routed")
        check(not gw.sent_to(JC_DOC), "the Jourcentral is not paged")
    run(gateway("always"), body)


def test_pv_closed_centre_pages_after_hours_unit():
    def body(gw):
        gw.inject(REQUESTER, "PV ORSA ring mig om hemsjukvårdspatient")
        page = gw.wait_sent(JC_DOC, "Svara OK 1")
        check(page["text"].startswith("PV JOURCENTRAL"), page["text"])
        receipt = gw.wait_sent(REQUESTER, "Mottaget")
        check("PV ORSA: vårdcentralen är stängd, Jourcentralen Dalarna söks"
              in receipt["text"], receipt["text"])
        check(len(receipt["text"]) <= 160, "one SMS: %r" % receipt["text"])
        c = gw.last_consult()
        check(c["units"] == ["JOURCENTRAL"], repr(c["units"]))
        log = gw.consult_log(c["id"])["log"]
        routed = [e for e in log if e["type"] == "routed"]
        check(routed and routed[0]["detail"] == "ORSA closed → JOURCENTRAL",
              repr(log))
        check(not gw.sent_to(ORSA_DOC), "the closed centre is not paged")
    run(gateway(CLOSED), body)


def test_pv_closed_centre_without_after_hours_gives_its_phone():
    def body(gw):
        gw.inject(REQUESTER, "PV ORSA ring mig")
        reply = gw.wait_sent(REQUESTER, "stängd")
        check("070-174 06 32" in reply["text"], reply["text"])
        time.sleep(0.5)
        check(not gw.consults(), "no consult")
        check(not gw.sent_to(ORSA_DOC) and not gw.sent_to(JC_DOC),
              "nobody paged")
    run(gateway(CLOSED, extra=pv("")), body)


def test_pv_by_name_without_case_or_diacritics():
    def body(gw):
        # The code is ALVD: "älvdalen" is found by the start of the name.
        gw.inject(REQUESTER, "PV älvdalen ring mig")
        page = gw.wait_sent(ALV_DOC, "Svara OK 1")
        check(page["text"].startswith("PV ALVD "), page["text"])
        gw.inject(REQUESTER, "PV ÄLVDALENS ring mig igen")
        gw.wait(lambda: len(texts(gw, ALV_DOC, "Svara OK")) == 2, 10,
                "second page by the first word of the name")
        check([c["units"] for c in gw.consults()] ==
              [["ALVD"], ["ALVD"]], repr(gw.consults()))
        # Two centres start with "Mora": ask, page nobody.
        gw.inject(REQUESTER, "PV mora ring mig")
        reply = gw.wait_sent(REQUESTER, "kan vara flera")
        check("MORAVC" in reply["text"] and "NORET" in reply["text"],
              reply["text"])
        check(len(gw.consults()) == 2, "no consult for an ambiguous name")
    run(gateway(), body)


def test_pv_to_a_specialty_is_refused():
    def body(gw):
        gw.inject(REQUESTER, "PV KARD ring mig")
        reply = gw.wait_sent(REQUESTER, "PV tar en vårdcentral")
        check("KARD" in reply["text"], reply["text"])
        time.sleep(0.5)
        check(not gw.consults(), "no consult")
        check(not gw.sent_to(PRIMARY), "nobody paged")
    run(gateway(), body)


MDK_ROSTER = roster([
    ("KARD", "primary", PRIMARY),
    ("GER", "primary", GER_DOC),
    ("PSYK", "primary", PSYK_DOC),
])


def test_mdk_each_answer_told_and_the_silent_unit_named():
    def body(gw):
        gw.inject(REQUESTER, "MDK KARD,GER,PSYK konferens om multisjuk patient")
        for doc in (PRIMARY, GER_DOC, PSYK_DOC):
            gw.wait_sent(doc, "Svara OK 1")
        cid = gw.last_consult()["id"]
        gw.inject(PRIMARY, "OK 1")
        gw.wait_sent(REQUESTER, "#%d MDK KARD kvitterat" % cid)
        time.sleep(0.5)
        gw.inject(PSYK_DOC, "OK")
        gw.wait_sent(REQUESTER, "#%d MDK PSYK kvitterat" % cid)
        c = gw.last_consult()
        check(c["state"] == "open", "GER still paging: %s" % c["state"])
        check(not texts(gw, REQUESTER, "alla enheter"), "not all answered")
        note = gw.wait_sent(REQUESTER, "#%d MDK GER: ingen jour har svarat"
                            % cid, timeout=25)
        check("070-174 06 35" in note["text"], "GER's switchboard: %r"
              % note["text"])
        gw.wait(lambda: gw.last_consult()["state"] == "unanswered", 5,
                "unanswered once no leg pages")
        check(not texts(gw, REQUESTER, "KARD: ingen jour") and
              not texts(gw, REQUESTER, "PSYK: ingen jour"),
              "only the silent unit is reported")
    run(gateway(extra=mdk("15s"), roster_csv=MDK_ROSTER), body)


def test_mdk_one_person_on_two_legs_acknowledges_both():
    rows = roster([
        ("KARD", "primary", PRIMARY),
        ("GER", "primary", PRIMARY),
        ("PSYK", "primary", PSYK_DOC),
    ])

    def body(gw):
        gw.inject(REQUESTER, "MDK KARD,GER,PSYK konferens om multisjuk patient")
        gw.wait(lambda: len(texts(gw, PRIMARY, "Svara OK 1")) == 2, 10,
                "two pages, one code")
        c = gw.last_consult()
        check(sorted(p["code"] for p in c["pages"] if p["to"] == PRIMARY)
              == [1, 1], repr(c["pages"]))
        gw.inject(PRIMARY, "OK 1")
        gw.wait_sent(REQUESTER, "#%d MDK KARD kvitterat" % c["id"])
        gw.wait_sent(REQUESTER, "#%d MDK GER kvitterat" % c["id"])
        gw.wait_sent(PRIMARY, "Kvitterat #%d" % c["id"])
        time.sleep(0.5)
        check(len(texts(gw, PRIMARY, "Kvitterat #")) == 1, "confirmed once")
        check(not texts(gw, REQUESTER, "alla enheter"), "PSYK still out")
        gw.inject(PSYK_DOC, "OK 1")
        gw.wait_sent(REQUESTER, "#%d MDK KARD,GER,PSYK: alla enheter har "
                     "kvitterat" % c["id"])
        check(gw.last_consult()["state"] == "acknowledged", "acknowledged")
    run(gateway(extra=mdk("10m"), roster_csv=rows), body)


def test_mdk_one_person_on_two_legs_declines_both():
    rows = roster([
        ("KARD", "primary", PRIMARY), ("KARD", "backup", BACKUP),
        ("GER", "primary", PRIMARY), ("GER", "backup", CHIEF),
    ])

    def body(gw):
        gw.inject(REQUESTER, "MDK KARD,GER konferens")
        gw.wait(lambda: len(texts(gw, PRIMARY, "Svara OK 1")) == 2, 10,
                "two pages")
        gw.inject(PRIMARY, "NEJ")
        gw.wait_sent(BACKUP, "MDK KARD,GER")
        gw.wait_sent(CHIEF, "MDK KARD,GER")
        gw.wait_sent(PRIMARY, "Noterat")
        time.sleep(0.5)
        check(len(texts(gw, PRIMARY, "Noterat")) == 1, "confirmed once")
    run(gateway(extra=mdk("10m", "primary backup"), roster_csv=rows), body)


def test_mdk_a_unit_named_twice_is_one_leg():
    """MDK KARD,kard,GER makes one leg for KARD, one page, and one
    acknowledgement per unit closes the consult."""
    def body(gw):
        gw.inject(REQUESTER, "MDK KARD,kard,GER konferens")
        gw.wait_sent(GER_DOC, "Svara OK 1")
        gw.wait_sent(PRIMARY, "Svara OK 1")
        time.sleep(1)
        c = gw.last_consult()
        check(c["units"] == ["KARD", "GER"], "units: %r" % c["units"])
        pages = [m for m in gw.outbox() if m["to"] == PRIMARY]
        check(len(pages) == 1, "pages to KARD's primary: %d" % len(pages))
        gw.inject(PRIMARY, "OK 1")
        gw.inject(GER_DOC, "OK 1")
        gw.wait_sent(REQUESTER, "alla enheter")
        check(gw.last_consult()["state"] == "acknowledged", "acknowledged")
    run(gateway(extra=mdk("10m"), roster_csv=MDK_ROSTER), body)


def test_mdk_with_the_longest_unit_list_names_every_unit():
    """Eight units (MAX_LEGS) with 47-character codes (the longest a unit
    code may be): the page names them all, and the list is held in a
    buffer that fits it (issue 9: it used to point past the end)."""
    from harness import Gateway, UNITS as BASE_UNITS, roster as mkroster
    codes = ["U%d_%s" % (i, "X" * 44) for i in range(1, 9)]
    check(all(len(c) == 47 for c in codes), "47-character codes")
    units = BASE_UNITS + "".join("%s,Enhet %d,specialty,+4670174063%d,always\n"
                                 % (c, i, i % 10)
                                 for i, c in enumerate(codes, 1))
    rows = mkroster([(c, "primary", PRIMARY) for c in codes])

    def body(gw):
        gw.inject(REQUESTER, "MDK %s konferens" % ",".join(codes))
        gw.wait(lambda: len(texts(gw, PRIMARY, "Svara OK 1")) == 8, 15,
                "eight pages")
        for m in texts(gw, PRIMARY, "Svara OK 1"):
            check(all(c in m for c in codes),
                  "every unit named: %r" % m)
    run(Gateway(extra=mdk("1h"), units_csv=units, roster_csv=rows), body)
