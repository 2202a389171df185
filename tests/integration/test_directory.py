"""The requester's look-ups: KONTAKT in the directory and STATUS of consults."""
import os
import re

from harness import (run, PRIMARY, REQUESTER, REQUESTER2, Gateway, check)

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
