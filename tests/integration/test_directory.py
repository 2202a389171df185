"""The requester's look-ups: KONTAKT in the directory and STATUS of consults."""
import os
import re
import sqlite3
import time

from harness import (run, roster, PRIMARY, BACKUP, CHIEF, REQUESTER,
                     REQUESTER2, STRANGER, Gateway, check)

# Units beside the harness's KARD, ORT and ORSA: a name with diacritics, a
# name that holds another unit's code (ORT in "Abborträsk") and sorts before it.
EXTRA_UNITS = """code,name,kind,phone,hours
ALVDALEN,Älvdalens vårdcentral,health_centre,+46701740633,always
ABBORR,Abborträsk vårdcentral,health_centre,+46701740634,always
"""



def import_units(gw, text, name="extra_units.csv"):
    path = os.path.join(gw.dir, name)
    with open(path, "w") as f:
        f.write(text)
    gw.ctl("import", "units", path)


def replies(gw, phone):
    return [m["text"] for m in gw.sent_to(phone, "reply")]


def wait_reply(gw, phone, before):
    """Waits for the reply after the first `before` ones and returns it."""
    gw.wait(lambda: len([m for m in gw.sent_to(phone, "reply")
                         if m["state"] == "sent"]) > before, 10,
            "reply %d to %s" % (before + 1, phone))
    return replies(gw, phone)[before]


def ask(gw, phone, text):
    n = len(replies(gw, phone))
    gw.inject(phone, text)
    return wait_reply(gw, phone, n)


def test_kontakt_by_code_and_by_name():
    def body(gw):
        # By code, any case: the code match comes before name matches.
        r = ask(gw, REQUESTER, "kontakt ort")
        check(r.startswith("Ortopedi, Mora lasarett 070-174 06 31; "),
              "code match first: %r" % r)
        check("Abborträsk vårdcentral 070-174 06 34" in r,
              "name substring after it: %r" % r)
        # By name, with and without diacritics, through the aliases.
        r = ask(gw, REQUESTER, "INFO älvdalen")
        check(r == "Älvdalens vårdcentral 070-174 06 33", "diacritics: %r" % r)
        r = ask(gw, REQUESTER, "nr ALVDALEN.")
        check(r == "Älvdalens vårdcentral 070-174 06 33", "folded: %r" % r)
        r = ask(gw, REQUESTER, "KONTAKT falu")
        check(r == "Kardiologi, Falu lasarett 070-174 06 30", "name: %r" % r)
        # No match, answered too: a valid command is not rate-limited.
        r = ask(gw, REQUESTER, "KONTAKT tandvård")
        check(r == 'Inget i katalogen matchar "tandvård".', "none: %r" % r)
        # A person who may not request may still look up numbers.
        r = ask(gw, "+46701740607", "KONTAKT kard")
        check("070-174 06 30" in r, "non-requester answered: %r" % r)
        # An empty query is an error with the usage.
        r = ask(gw, REQUESTER, "KONTAKT")
        check(r.startswith("KONTAKT: sökord saknas"), "usage: %r" % r)
        check(not gw.consults(), "no consult created")
    gw = Gateway()
    import_units(gw, EXTRA_UNITS)
    run(gw, body)


def test_kontakt_many_matches_are_cut_with_a_count():
    lines = ["code,name,kind,phone,hours"]
    for i in range(30):
        lines.append("VC%02d,Vårdcentral Testbyn %02d,health_centre,"
                     "+467017406%02d,always" % (i, i, 40 + i))
    units = "\n".join(lines) + "\n"

    def body(gw):
        r = ask(gw, REQUESTER, "KONTAKT vårdcentral")
        # 30 test units and Orsa vårdcentral match.
        m = re.search(r" \(\+(\d+) till, skriv mer exakt\)$", r)
        check(m, "count of the rest: %r" % r)
        shown = r[:m.start()].split("; ")
        check(len(shown) + int(m.group(1)) == 31,
              "%d shown + %s = 31: %r" % (len(shown), m.group(1), r))
        check(len(r) <= 306, "two SMS at most: %d characters" % len(r))
        check(shown[0] == "Orsa vårdcentral 070-174 06 32",
              "ordered by name: %r" % shown[0])
        check(shown[1] == "Vårdcentral Testbyn 00 070-174 06 40",
              "then the test units: %r" % shown[1])
    gw = Gateway()
    import_units(gw, units)
    run(gw, body)


def test_status_none_then_two_open_one_acked():
    def body(gw):
        r = ask(gw, REQUESTER, "STATUS")
        check(r == "Du har inga öppna ärenden.", "none: %r" % r)
        gw.inject(REQUESTER, "AKUT KARD bröstsmärta")
        gw.wait_sent(PRIMARY, "Svara OK 1")
        gw.inject(PRIMARY, "OK 1")
        gw.wait_sent(REQUESTER, "kvitterat")
        kard = gw.last_consult()
        gw.inject(REQUESTER, "AKUT ORT fall från stege")
        gw.wait_sent("+46701740623", "Svara OK")
        ort = gw.last_consult()
        check(ort["id"] > kard["id"], "two consults")
        # Another requester's consult is not listed.
        gw.inject(REQUESTER2, "AKUT KARD annan patient")
        gw.wait_sent(REQUESTER2, "Mottaget")

        r = ask(gw, REQUESTER, "status")
        m = re.match(r"#%d AKUT ORT söker \(steg 1\); "
                     r"#%d AKUT KARD kvitterat av Erik Jourlund \d\d:\d\d$"
                     % (ort["id"], kard["id"]), r)
        check(m, "newest first, acked with who and when: %r" % r)
    run(Gateway(ack_timeout="10m"), body)


def test_status_of_one_consult():
    def body(gw):
        gw.inject(REQUESTER2, "AKUT KARD annan patient")
        gw.wait_sent(PRIMARY, "Svara OK 1")
        other = gw.last_consult()
        gw.inject(PRIMARY, "OK 1")
        gw.wait_sent(REQUESTER2, "kvitterat")
        gw.inject(PRIMARY, "KLAR 1 RAD")
        gw.wait_sent(PRIMARY, "avslutat (RAD)")

        gw.inject(REQUESTER, "AKUT KARD bröstsmärta")
        gw.wait_sent(REQUESTER, "Mottaget")
        mine = gw.last_consult()
        check(mine["id"] != other["id"], "a second consult")
        gw.inject(PRIMARY, "KLAR INL")
        gw.wait_sent(PRIMARY, "#%d avslutat (INL)" % mine["id"])

        # Someone else's consult, and one that does not exist: no details.
        r = ask(gw, REQUESTER, "STATUS %d" % other["id"])
        check(r == "Du har inget ärende #%d." % other["id"],
              "not yours: %r" % r)
        r = ask(gw, REQUESTER, "STATUS 999")
        check(r == "Du har inget ärende #999.", "none: %r" % r)
        # Your own, closed: its state in one line.
        r = ask(gw, REQUESTER, "STATUS #%d" % mine["id"])
        check(re.match(r"#%d AKUT KARD avslutat \(INL\) \d\d:\d\d$"
                       % mine["id"], r), "own resolved: %r" % r)
        # Resolved consults are not open.
        r = ask(gw, REQUESTER, "STATUS")
        check(r == "Du har inga öppna ärenden.", "none open: %r" % r)
    run(Gateway(ack_timeout="10m"), body)


# The harness's people with pager call addresses for two of them: one with
# blanks a spreadsheet leaves, one with all sixteen digits and a leading 0.
PEOPLE_WITH_PAGERS = """name,phone,title,unit,can_request,pager
Erik Jourlund,+46701740620,Överläkare,KARD,no, 4711
Frida Bakström,+46701740621,Specialistläkare,KARD,no,0123456789012345
Gustav Chefsson,+46701740622,Överläkare,KARD,no,
"""


def people_lines(gw):
    return gw.ctl("people").stdout.decode("utf-8").splitlines()


def by_phone(gw):
    return {p["phone"]: p for p in gw.json("people")["people"]}


def test_people_without_pagers_show_no_pager_column():
    gw = Gateway()
    try:
        lines = people_lines(gw)
        check(lines[0].split() == ["NAME", "PHONE", "TITLE", "UNIT",
                                   "REQUEST"], "header: %r" % lines[0])
        check(len(lines) == 8, "seven people: %r" % lines)
        # Ordered by unit, then name.
        check(lines[1].startswith("Erik Jourlund ") and "KARD" in lines[1],
              "KARD first: %r" % lines[1])
        anna = [l for l in lines if l.startswith("Anna Testsson")]
        check(len(anna) == 1 and anna[0].split()[-3:] ==
              ["Distriktsläkare", "ORSA", "yes"], "a row: %r" % anna)
        people = by_phone(gw)
        check(len(people) == 7, "seven in JSON: %r" % people)
        check(people["+46701740605"] == {
            "name": "Anna Testsson", "phone": "+46701740605",
            "title": "Distriktsläkare", "unit": "ORSA", "can_request": True,
            "pager": None}, "a JSON row: %r" % people["+46701740605"])
        check(all(p["pager"] is None for p in people.values()),
              "nobody has a pager")
    finally:
        gw.close()


def test_people_with_pagers_show_the_pager_column():
    gw = Gateway()
    try:
        path = os.path.join(gw.dir, "pagers.csv")
        with open(path, "w") as f:
            f.write(PEOPLE_WITH_PAGERS)
        r = gw.ctl("import", "people", path)
        check(b"imported 3 people" in r.stdout, "imported: %r" % r.stdout)
        lines = people_lines(gw)
        check(lines[0].split() == ["NAME", "PHONE", "TITLE", "UNIT",
                                   "REQUEST", "PAGER"], "header: %r" % lines[0])
        rows = {l.split()[0]: l.split() for l in lines[1:]}
        check(rows["Erik"][-1] == "4711", "Erik's pager: %r" % rows["Erik"])
        check(rows["Frida"][-1] == "0123456789012345",
              "all digits kept: %r" % rows["Frida"])
        check(rows["Gustav"][-1] == "-", "none: %r" % rows["Gustav"])
        check(rows["Anna"][-1] == "-", "not in the file: %r" % rows["Anna"])
        people = by_phone(gw)
        check(people["+46701740620"]["pager"] == "4711", "JSON: %r" % people)
        check(people["+46701740621"]["pager"] == "0123456789012345",
              "JSON: %r" % people)
        check(people["+46701740622"]["pager"] is None, "JSON: %r" % people)

        # A bad address fails the file, names file, line and column, and
        # changes nothing: not even the good row before it.
        bad = os.path.join(gw.dir, "bad.csv")
        with open(bad, "w") as f:
            f.write("name,phone,title,unit,can_request,pager\n"
                    "Erik Jourlund,+46701740620,Överläkare,KARD,no,4712\n"
                    "Frida Bakström,+46701740621,Specialistläkare,KARD,no,"
                    "47-11\n")
        r = gw.ctl("import", "people", bad, ok=False)
        err = r.stderr.decode("utf-8")
        check(r.returncode == 1, "exit 1: %d" % r.returncode)
        check(err.startswith("jourctl: %s:3: pager: \"47-11\": expected 1 to "
                             "16 digits" % bad), "message: %r" % err)
        check(by_phone(gw) == people, "nothing changed")
    finally:
        gw.close()


# -- directory care: listing by unit, units, removal ---------------------

def test_people_of_one_unit_and_the_units():
    gw = Gateway()
    try:
        # By code in any case, or by the unit's name as people type it.
        for arg in ("KARD", "kard", "Kardiologi, Falu lasarett"):
            people = gw.json("people", arg)["people"]
            check(sorted(p["phone"] for p in people) ==
                  [PRIMARY, BACKUP, CHIEF], "people %s: %r" % (arg, people))
        lines = gw.ctl("people", "ORT").stdout.decode("utf-8").splitlines()
        check(len(lines) == 2 and lines[1].startswith("Olle Ortoped "),
              "ORT's one: %r" % lines)
        r = gw.ctl("people", "NOPE", ok=False)
        check(r.returncode == 1 and b'no unit "NOPE"' in r.stderr,
              "unknown unit: %d %r" % (r.returncode, r.stderr))

        units = gw.json("units")["units"]
        check([u["code"] for u in units] == ["KARD", "ORSA", "ORT"],
              "by code: %r" % units)
        check(units[1] == {"code": "ORSA", "name": "Orsa vårdcentral",
                           "kind": "health_centre", "phone": "+46701740632",
                           "hours": "weekdays 08:00-17:00"},
              "a JSON unit: %r" % units[1])
        lines = gw.ctl("units").stdout.decode("utf-8").splitlines()
        check(lines[0].split() == ["CODE", "NAME", "KIND", "PHONE", "HOURS"],
              "header: %r" % lines[0])
        check(len(lines) == 4 and lines[2].startswith("ORSA ") and
              "070-174 06 32" in lines[2] and
              lines[2].endswith("weekdays 08:00-17:00"), "a row: %r" % lines)
    finally:
        gw.close()


def db_exec(gw, sql, args=()):
    """Writes the gateway's database behind jourd's back (WAL: safe)."""
    con = sqlite3.connect(gw.db, timeout=10)
    try:
        con.execute(sql, args)
        con.commit()
    finally:
        con.close()


def test_remove_person_refused_while_on_the_roster_then_gone_from_routing():
    def body(gw):
        # Erik holds KARD primary until next week: refused, with the shift.
        r = gw.ctl("remove", "person", "070-174 06 20", ok=False)
        err = r.stderr.decode("utf-8")
        check(r.returncode == 1, "refused: exit %d" % r.returncode)
        check("Erik Jourlund" in err and "KARD primary" in err and
              "roster" in err, "the reason names the shift: %r" % err)
        check(PRIMARY in by_phone(gw), "still in the directory")
        # An override is a shift too: Gustav, on no roster, takes chief.
        # (Before that, while he holds nothing, he may go, and come back.)
        r = gw.json("remove", "person", CHIEF)
        check(r == {"removed": "person", "phone": CHIEF,
                    "name": "Gustav Chefsson"}, "JSON: %r" % r)
        gw.ctl("import", "people", os.path.join(gw.dir, "people.csv"))
        gw.inject(CHIEF, "JOUR KARD chief")
        gw.wait_sent(CHIEF, "")
        r = gw.ctl("remove", "person", CHIEF, ok=False)
        err = r.stderr.decode("utf-8")
        check(r.returncode == 1 and "KARD chief" in err and
              "override" in err, "override: %r" % err)

        # Frida takes the roster's primary too: now Erik may go.
        path = os.path.join(gw.dir, "cover.csv")
        with open(path, "w") as f:
            f.write(roster([("KARD", "primary", BACKUP)]))
        gw.ctl("import", "roster", path)
        r = gw.ctl("remove", "person", PRIMARY)
        check(b"removed person +46701740620 (Erik Jourlund)" in r.stdout,
              "removed: %r" % r.stdout)
        check(PRIMARY not in by_phone(gw), "not listed")
        r = gw.ctl("remove", "person", PRIMARY, ok=False)
        check(r.returncode == 1 and b"already removed" in r.stderr,
              "twice: %r" % r.stderr)
        r = gw.ctl("remove", "person", STRANGER, ok=False)
        check(r.returncode == 1 and b"not in the directory" in r.stderr,
              "a stranger: %r" % r.stderr)

        # A shift of a removed person, however it got there, pages nobody:
        # the roster's holder is paged instead.
        now = int(time.time() * 1000)
        db_exec(gw, "INSERT INTO shifts (unit, role, phone, start_at, end_at,"
                " source) VALUES ('KARD', 'primary', ?, ?, ?, 'override')",
                (PRIMARY, now - 60000, now + 3600000))
        gw.inject(REQUESTER, "AKUT KARD bröstsmärta")
        gw.wait_sent(BACKUP, "Svara OK")
        check(not gw.sent_to(PRIMARY, "page"), "Erik not paged")
        # His own SMS are a stranger's: no numbers, no acknowledgement.
        gw.inject(PRIMARY, "KONTAKT kard")
        gw.wait_sent(PRIMARY, "")
        texts = [m["text"] for m in gw.sent_to(PRIMARY)]
        check(not any("070-174 06 30" in t for t in texts),
              "KONTAKT not answered: %r" % texts)
        # A roster of a removed person is refused.
        with open(path, "w") as f:
            f.write(roster([("KARD", "backup", PRIMARY)]))
        r = gw.ctl("import", "roster", path, ok=False)
        check(r.returncode == 1 and b"removed" in r.stderr,
              "roster import: %r" % r.stderr)

        # A removed requester cannot start anything.
        r = gw.ctl("remove", "person", REQUESTER2)
        n = len(gw.consults())
        gw.inject(REQUESTER2, "AKUT KARD annan patient")
        gw.wait_sent(REQUESTER2, "")
        time.sleep(0.5)
        check(len(gw.consults()) == n, "no consult from a removed requester")

        # Importing the people again brings them back.
        people = os.path.join(gw.dir, "people.csv")
        gw.ctl("import", "people", people)
        check(PRIMARY in by_phone(gw) and REQUESTER2 in by_phone(gw),
              "restored by import")
        before = len(replies(gw, PRIMARY))
        gw.inject(PRIMARY, "KONTAKT kardiologi")
        r = wait_reply(gw, PRIMARY, before)
        check("070-174 06 30" in r, "answered again: %r" % r)
    run(Gateway(ack_timeout="10m", roster_csv=roster([
        ("KARD", "primary", PRIMARY), ("KARD", "backup", BACKUP)])), body)


def test_remove_unit_refused_while_open_then_history_keeps_names():
    def body(gw):
        gw.inject(REQUESTER, "AKUT ORT fall från stege")
        gw.wait_sent("+46701740623", "Svara OK 1")
        cid = gw.last_consult()["id"]
        r = gw.ctl("remove", "unit", "ort", ok=False)
        err = r.stderr.decode("utf-8")
        check(r.returncode == 1 and ("#%d" % cid) in err,
              "refused, naming the consult: %r" % err)
        check("ORT" in [u["code"] for u in gw.json("units")["units"]],
              "still listed")
        gw.inject("+46701740623", "OK 1")
        gw.wait_sent(REQUESTER, "kvitterat")
        gw.inject("+46701740623", "KLAR 1 RAD")
        gw.wait_sent("+46701740623", "avslutat")

        r = gw.ctl("remove", "unit", "ORT")
        check(b"removed unit ORT (Ortopedi, Mora lasarett)" in r.stdout,
              "removed: %r" % r.stdout)
        check("ORT" not in [u["code"] for u in gw.json("units")["units"]],
              "not listed")
        oncall = gw.json("oncall")["oncall"]
        check(oncall and all(o["unit"] != "ORT" for o in oncall),
              "not on call: %r" % oncall)
        r = gw.ctl("oncall", "ORT", ok=False)
        check(r.returncode == 1, "oncall ORT: %r" % r.stdout)
        # Olle's shift was ORT's: it keeps nobody from removing him.
        r = gw.ctl("remove", "person", "+46701740623")
        check(r.returncode == 0, "Olle removed")

        # History keeps what it had: the consult's unit and responder, and
        # the report the responder's name.
        log = gw.ctl("log", str(cid)).stdout.decode("utf-8")
        check("akut  ORT  resolved" in log and "ORT primary +46701740623"
              in log, "log: %r" % log)
        c = [c for c in gw.consults() if c["id"] == cid][0]
        check(c["units"] == ["ORT"], "consults: %r" % c)
        rows = gw.json("report", "--by", "responder")["report"]["rows"]
        check(any(row.get("name") == "Olle Ortoped" for row in rows),
              "report: %r" % rows)

        # Gone from routing and from KONTAKT.
        r = ask(gw, REQUESTER, "KONTAKT ortopedi")
        check(r == 'Inget i katalogen matchar "ortopedi".', "KONTAKT: %r" % r)
        n = len(gw.consults())
        r = ask(gw, REQUESTER, "AKUT ORT nytt fall")
        check("ORT" in r and len(gw.consults()) == n,
              "unknown unit: %r" % r)

        # Importing the units again brings ORT back.
        # (Another text: the same one within a second is a duplicate.)
        gw.ctl("import", "units", os.path.join(gw.dir, "units.csv"))
        r = ask(gw, REQUESTER, "KONTAKT Ortopedi, Mora")
        check("070-174 06 31" in r, "KONTAKT again: %r" % r)
    run(Gateway(ack_timeout="10m"), body)


def test_remove_unit_that_pv_routes_to_after_hours_is_refused():
    # jourd is not started: removal is jourctl's own business.
    gw = Gateway(extra="[track pv]\nkeywords = PV\nopen = always\n"
                 "ack_timeout = 10m\nescalation = primary\n"
                 "after_hours = ORT\n")
    try:
        r = gw.ctl("remove", "unit", "ort", ok=False)
        err = r.stderr.decode("utf-8")
        check(r.returncode == 1 and "[track pv] after_hours" in err,
              "refused: %d %r" % (r.returncode, err))
        check("ORT" in [u["code"] for u in gw.json("units")["units"]],
              "still listed")
        r = gw.ctl("remove", "unit", "NOPE", ok=False)
        check(r.returncode == 1 and b"NOPE is not in the directory"
              in r.stderr, "unknown: %r" % r.stderr)
        r = gw.ctl("remove", "house", "X", ok=False)
        check(r.returncode == 2, "usage: %d" % r.returncode)
        r = gw.ctl("remove", "person", "Telia", ok=False)
        check(r.returncode == 2, "not a number: %d" % r.returncode)
        check(gw.ctl("remove", "unit", "KARD").returncode == 0, "KARD goes")
    finally:
        gw.close()
