"""Hostile input: one table of SMS cases run against one real jourd on the
dummy phone, then tables of CSV imports and configuration files.

Every SMS case has its own sender, so that the per-sender reply limit of one
case never hides the answer of another; its messages are injected in phases
(all cases' phase 1, wait until the phone is read, phase 2, …) and then its
expected outcome is checked: the reply its sender gets (a key phrase from
msg.c, or none at all), whether a consult exists and in which state, which
events it has, who was paged. After the table: no SMS went to anything but a
dialable number, no SMS and no database file holds a personnummer.
"""
import glob
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import unicodedata

from harness import (JOURD, PEOPLE, UNITS, Gateway, TestFailure,
                     check, roster)

# -- the directory -------------------------------------------------------
# Requesters: one per case, +46701740610 …; responders +46701740660 …
REQ = ["+467017406%02d" % n for n in [8, 9, 30, 31, 32, 98] +
       list(range(10, 20)) + list(range(24, 30)) +
       list(range(33, 60)) + list(range(70, 90))]
RESP = ["+467017406%02d" % n for n in range(60, 70)]
STRANGERS = ["+467017406%02d" % n for n in range(90, 98)]

# Responder units: one on-call person each, so that codes are predictable.
RUNITS = ["RA", "RB", "RC", "RD", "RE", "RF", "RG", "RH", "RI"]

H_UNITS = UNITS + "OGON,Ögonkliniken,specialty,+46701740681,always\n" + \
    "".join("%s,Resp %s,specialty,+4670174068%d,always\n" % (u, u, i + 2)
            for i, u in enumerate(RUNITS[:7]))
H_UNITS += "RH,Resp RH,specialty,+46701740689,always\n" + \
    "RI,Resp RI,specialty,+46701740680,always\n"

H_PEOPLE = PEOPLE + "".join(
    "Beställare %d,%s,Distriktsläkare,ORSA,yes\n" % (i, p)
    for i, p in enumerate(REQ)) + "".join(
    "Jour %d,%s,Överläkare,%s,no\n" % (i, p, RUNITS[i % len(RUNITS)])
    for i, p in enumerate(RESP))

H_ROSTER = roster([("KARD", "primary", "+46701740620"),
                   ("ORT", "primary", "+46701740623"),
                   ("OGON", "primary", RESP[9])] +
                  [(u, "primary", RESP[i]) for i, u in enumerate(RUNITS)])

# Identity numbers: valid check digits (refused) and invalid ones (paged).
PNR_VALID = ["19121212-1212", "121212-1212", "191212121212", "701063-2391",
             "1912-12-12-1212",
             "121212+1212"]
PNR_INVALID = ["19121212-1213", "701063-2392", "1912-12-12-1213"]

LONG_1600 = ("Patient med svår bröstsmärta, ring mig. " * 40)[:1600]


class Case:
    """One row of the table. phases: lists of (sender, text, inject options);
    `who` is the sender whose replies and consults are checked."""

    def __init__(self, name, phases, reply=None, nreplies=None, absent=(),
                 consult=False, events=(), paged=None, not_paged=(),
                 ctext=None, who=None, callback=None, unit=None,
                 consult_of=None):
        self.name = name
        self.consult_of = consult_of  # responder cases: the request's state
        self.phases = phases
        self.reply = reply          # phrase, or None: no SMS to `who` at all
        self.nreplies = nreplies    # exact count of SMS to `who`
        self.absent = absent        # phrases no SMS to `who` may contain
        self.consult = consult      # False: none; else the expected state
        self.events = events
        self.paged = paged          # (phone, phrase) that must have been paged
        self.not_paged = not_paged  # phones that must not have been paged
        self.ctext = ctext          # the stored consult text, exactly
        self.who = who or phases[0][0][0]
        self.callback = callback
        self.unit = unit


def one(sender, text, *opts):
    return [[(sender, text, list(opts))]]


HELP = "AKUT <enhet>"
NOT_UNDERSTOOD = "förstod inte"
PNR_REFUSED = "EJ SKICKAT"
RECEIVED = "Mottaget #"
UNKNOWN_UNIT = "Okänd enhet"
STRANGER_TEXT = "finns inte i katalogen"


def sms_cases():
    r = iter(REQ[:-4])     # the last four are the table's own
    s = iter(STRANGERS)
    resp = iter(zip(RUNITS, RESP))
    C = Case
    cases = [
        C("empty SMS", one(next(r), ""), reply=NOT_UNDERSTOOD, nreplies=1),
        C("whitespace only", one(next(r), " \t \n  "), reply=NOT_UNDERSTOOD,
          nreplies=1),
        C("1600-character multipart request",
          one(next(r), "AKUT KARD " + LONG_1600), reply=RECEIVED,
          consult="open", events=("created", "paged"), ctext=LONG_1600.strip(),
          paged=("+46701740620", "... Svara OK")),
        C("8-bit binary SMS is ignored",
          one(next(r), "\x01\x02AKUT KARD", "--binary"), reply=None),
        C("UCS-2 with emoji", one(next(r), "AKUT ORT fall 🚑🦴 ring mig"),
          reply=RECEIVED, consult="open", ctext="fall 🚑🦴 ring mig",
          paged=("+46701740623", "🚑🦴")),
        C("flash (class 0) SMS is served",
          one(next(r), "AKUT ORT flash", "--flash"), reply=RECEIVED,
          consult="open"),
        C("SQL payload in the text is only text",
          one(next(r), "AKUT ORT x'); DROP TABLE consults; --"),
          reply=RECEIVED, consult="open",
          ctext="x'); DROP TABLE consults; --"),
        C("SQL payload as unit", one(next(r), "AKUT KARD'--OR'1'='1 hej"),
          reply=UNKNOWN_UNIT, consult=False),
        C("format string as unit", one(next(r), "AKUT %s%n%x%p hej"),
          reply='Okänd enhet "%s%n%x%p"', consult=False),
        C("format string as command", one(next(r), "%n%n%n%s%s"),
          reply=NOT_UNDERSTOOD, consult=False),
        C("control characters are cleaned",
          one(next(r), "AKUT ORT a\x07b\x1b[31mc\x7f slut"),
          reply=RECEIVED, consult="open", paged=("+46701740623", "slut")),
        C("unknown unit", one(next(r), "AKUT XYZ bröstsmärta"),
          reply=UNKNOWN_UNIT, consult=False, not_paged=("+46701740620",)),
        C("unit name with diacritics", one(next(r), "akut Ögon synbortfall"),
          reply=RECEIVED, consult="open", unit="OGON",
          paged=(RESP[9], "synbortfall")),
        C("very long one-word unit", one(next(r), "AKUT " + "X" * 600 + " a"),
          reply=UNKNOWN_UNIT, consult=False),
        C("lower and mixed case keyword", one(next(r), "aKuT kArD ring"),
          reply=RECEIVED, consult="open"),
        C("Swedish callback 070-1740607",
          one(next(r), "AKUT ORT 070-1740607 ring denna"), reply=RECEIVED,
          consult="open", callback="+46701740607"),
        C("callback in 0046 form",
          one(next(r), "AKUT ORT 0046701740607 ring denna"), reply=RECEIVED,
          consult="open", callback="+46701740607"),
        C("callback +46 form", one(next(r), "AKUT ORT +46701740607 ring"),
          reply=RECEIVED, consult="open", callback="+46701740607"),
    ]
    # Senders in other Swedish forms are the same person.
    for form in ("0046%s", "0%s", "46%s"):
        num = next(r)
        cases.append(C("sender written %s" % (form % "70…"),
                       one(form % num[3:], "STATUS"), who=num,
                       reply="inga öppna ärenden", nreplies=1))
    for pnr in PNR_VALID:
        cases.append(C("personnummer %s refused" % pnr,
                       one(next(r), "AKUT ORT pat %s smärta" % pnr),
                       reply=PNR_REFUSED, consult="rejected",
                       events=("rejected",),
                       ctext="AKUT ORT pat %s smärta" % re.sub(r"\d", "X", pnr),
                       not_paged=("+46701740623",)))
    for pnr in PNR_INVALID:
        cases.append(C("invalid check digit %s is paged" % pnr,
                       one(next(r), "AKUT ORT lab %s svar" % pnr),
                       reply=RECEIVED, consult="open",
                       ctext="lab %s svar" % pnr))
    cases += [
        C("personnummer in KONTAKT refused",
          one(next(r), "KONTAKT 19121212-1212"), reply=PNR_REFUSED),
        C("flood of unknown texts: three answers",
          [[(REQ[-1], "hej %d" % i, []) for i in range(8)]],
          reply=NOT_UNDERSTOOD, nreplies=3),
        C("flood from a stranger: one answer",
          [[(STRANGERS[-1], "AKUT KARD %d" % i, []) for i in range(6)]],
          reply=STRANGER_TEXT, nreplies=1),
        C("alphanumeric sender never answered", one("Telia", "Saldo 0 kr"),
          reply=None),
        C("short code sender never answered", one("72000", "HJÄLP"),
          reply=None),
        C("a stranger that echoes every answer back (own number)",
          [[(next(s), "AKUT KARD", [])],
           [(STRANGERS[1], "Detta är jourd, regionens jourlarm", [])],
           [(STRANGERS[1], "Detta är jourd, regionens jourlarm (2)", [])]],
          who=STRANGERS[0], reply=STRANGER_TEXT, nreplies=1),
        C("sender +46 without digits", one("+", "HJÄLP"), reply=None),
        C("OK 99999999999999999999 with no page",
          one(next(r), "OK 99999999999999999999"), reply="ogiltig kod"),
        C("STATUS with a huge number",
          one(next(r), "STATUS 99999999999999999999"),
          reply="ogiltigt ärendenummer"),
        C("AVBRYT 0", one(next(r), "AVBRYT 0"), reply="ogiltigt ärendenummer"),
        C("AVBRYT -3", one(next(r), "AVBRYT -3"), reply="ogiltigt ärendenummer"),
        C("Cyrillic lookalike keyword", one(next(r), "АКUТ KARD hej"),
          reply=NOT_UNDERSTOOD, consult=False),
        C("zero-width space in keyword", one(next(r), "AK\u200bUT ORT hej"),
          reply=RECEIVED, consult="open", ctext="hej"),
        C("no-break spaces between words", one(next(r), "AKUT\u00a0ORT\u00a0hej"),
          reply=RECEIVED, consult="open", ctext="hej"),
        C("fullwidth digits in a callback",
          one(next(r), "AKUT ORT ０７０-１７４０６０７ ring"), reply=RECEIVED,
          consult="open", callback="+46701740607"),
        C("JOUR alone", one(next(r), "JOUR"), reply="JOUR KARD primary"),
        C("right-to-left mark before the unit",
          one(next(r), "AKUT \u200fORT ring mig"), reply=RECEIVED,
          consult="open", unit="ORT"),
        C("fullwidth digits personnummer refused",
          one(next(r), "AKUT ORT pat １９１２１２１２-１２１２ smärta"),
          reply=PNR_REFUSED, consult="rejected", not_paged=("+46701740623",)),
        C("en dash personnummer refused",
          one(next(r), "AKUT ORT pat 19121212\u20131212 smärta"),
          reply=PNR_REFUSED, consult="rejected"),
        C("callback that is a personnummer refused",
          one(next(r), "AKUT ORT +121212-1212 pat"), reply=PNR_REFUSED,
          consult="rejected", not_paged=("+46701740623",)),
        C("KONTAKT with a spaced personnummer refused, not echoed",
          one(next(r), "KONTAKT 121212  1212"), reply=PNR_REFUSED),
        C("stranger's spaced personnummer masked",
          one(next(s), "hej 19121212  1212 här"), reply=STRANGER_TEXT),
        C("escape sequences and C1 controls replaced",
          one(next(r), "AKUT ORT \x1b[31mröd\u009b0m text"), reply=RECEIVED,
          consult="open", ctext="\ufffd[31mröd\ufffd0m text"),
    ]
    # Every way the red team wrote a number, from one sender: three
    # refusals, then the reply limit; the leak check after the table
    # proves none was paged or stored.
    forms = ["121212  1212", "121212\n1212", "121212\t1212",
             "121212\r\n1212", "121212\u00a0\u00a01212", "19121212  1212",
             "121212 - 1212", "121212/1212", "121212.1212", "12 12 12-1212",
             "1912-12-12 1212",
             "".join(chr(0x1D7CE + int(d)) for d in "121212") + "-1212",
             "".join(chr(0x0966 + int(d)) for d in "1212121212"),
             "701063 \u2013 2391", "70\u200b1063-2391"]
    sender = next(r)
    cases.append(C("personnummer in %d more forms" % len(forms),
                   [[(sender, "AKUT ORT pat %s smärta n%d" % (f, i), [])
                     for i, f in enumerate(forms)]],
                   reply=PNR_REFUSED, nreplies=3, consult=None))
    echo = next(r)
    cases.append(C("a phone that echoes its receipt starts nothing",
                   [[(echo, "AKUT ORT ring mig", [])],
                    [(echo, "AKUT ORT. Jouren söks nu; du får SMS när någon "
                      "svarat.", [])]],
                   reply=RECEIVED, nreplies=1, consult="open"))
    cases += [
        C("MDK track off", one(next(r), "MDK KARD,ORT konferens"),
          reply="används inte här", consult=False),
        C("KONTAKT with a LIKE wildcard", one(next(r), "KONTAKT %"),
          reply="Inget i katalogen matchar"),
        C("KONTAKT without query", one(next(r), "KONTAKT"),
          reply="sökord saknas"),
        C("HJÄLP lower case without diacritics", one(next(r), "hjalp"),
          reply=HELP),
        C("not a requester", one("+46701740607", "AKUT KARD test"),
          reply="får inte beställa", consult=False),
        C("only a period", one(next(r), "."), reply=NOT_UNDERSTOOD),
        C("a question mark is help", one(next(r), "?"), reply=HELP),
        C("300 emoji in 9 UCS-2 parts", one(next(r), "AKUT ORT " + "🚑" * 300),
          reply=RECEIVED, consult="open", ctext="🚑" * 300),
        C("alphanumeric sender with diacritics",
          one("Vårdcentr", "Påminnelse: tid i morgon"), reply=None),
    ]
    # Two long SMS sharing one concatenation reference and time stamp: two
    # requests, two receipts (neither is deleted as a repeat of the other).
    same = next(r)
    cases.append(C("two long SMS with one reference", [[
        (same, "AKUT KARD " + LONG_1600[:400], ["--ref", "9", "--time",
                                                "2026-01-01 12:00"]),
        (same, "AKUT ORT " + LONG_1600[400:800], ["--ref", "9", "--time",
                                                 "2026-01-01 12:00"])]],
        reply=RECEIVED, nreplies=2, consult=None))

    # Responder cases: request in phase 1, the answer in phase 2 (or 3).
    def rcase(name, answers, **kw):
        unit, phone = next(resp)
        req = next(r)
        phases = [[(req, "AKUT %s %s" % (unit, name[:20]), [])]]
        for a in answers:
            # A list is a storm: all of it in one phase.
            phases.append([(phone, t, []) for t in
                           (a if isinstance(a, list) else [a])])
        kw.setdefault("who", phone)
        c = C(name, phases, **kw)
        c.requester = req
        return c

    cases += [
        rcase("lower case ok acknowledges", ["ok"], reply="Kvitterat #",
              consult_of="acknowledged"),
        rcase("OK with a huge code", ["OK 99999999999999999999"],
              reply="ogiltig kod", consult_of="open"),
        rcase("OK with a negative code", ["OK -1"], reply="ogiltig kod",
              consult_of="open"),
        rcase("OK 0", ["OK 0"], reply="ogiltig kod", consult_of="open"),
        rcase("KLAR with an unknown outcome", ["KLAR 1 XYZ"],
              reply="okänd utfallskod", consult_of="open"),
        rcase("reply to a closed consult", ["KLAR 1 RAD", "OK 1"],
              reply="redan avslutat", consult_of="resolved"),
        rcase("OK with a personnummer", ["OK 1 pat 19121212-1212"],
              reply=PNR_REFUSED, consult_of="open"),
        rcase("auto-responder storm on a page",
              [["Autosvar: jag är ledig till måndag (%d)" % i
                for i in range(7)]],
              reply=NOT_UNDERSTOOD, nreplies=1 + 3, consult_of="open"),
        rcase("JOUR for a unit one is not in", ["JOUR KARD"],
              reply="hör inte till", absent=("Du har nu",),
              consult_of="open"),
    ]
    return cases


def phone_files(gw):
    return glob.glob(os.path.join(gw.phone, "sms", "1", "*"))


def raw_sms(gw, sender, ucs2_units):
    """Writes an SMS-backup file with the UTF-16 units given, as a phone
    would hold it: NUL units and lone surrogates cannot come through
    jourctl inject."""
    hexed = "".join("%04X" % u for u in ucs2_units)
    num = "".join("%04X" % ord(ch) for ch in sender)
    body = """[SMSBackup000]
SMSC = "+46701740600"
PDU = Deliver
DateTime = 20261122T120000Z
State = UnRead
Number = "%s"
NumberUnicode = %s
Text00 = %s
Coding = Unicode_No_Compression
Folder = 1
Length = %d
Class = -1
""" % (sender, num, hexed, len(ucs2_units))
    d = os.path.join(gw.phone, "sms", "1")
    tmp = os.path.join(d, ".raw-%d" % os.getpid())
    with open(tmp, "w") as f:
        f.write(body)
    for n in range(1, 10000):
        try:
            os.link(tmp, os.path.join(d, str(n)))
            break
        except FileExistsError:
            continue
    os.unlink(tmp)


def inject(gw, sender, text, opts):
    gw.ctl("inject", *opts, sender, text)


def fail(case, what):
    raise TestFailure("case %r: %s" % (case.name, what))


def check_case(gw, c, outbox, consults):
    to_who = [m for m in outbox if m["to"] == c.who]
    texts = [m["text"] for m in to_who]
    if c.reply is None:
        if to_who:
            fail(c, "expected silence, got %r" % texts)
    elif not any(c.reply in t for t in texts):
        fail(c, "no reply with %r in %r" % (c.reply, texts))
    if c.nreplies is not None and len(to_who) != c.nreplies:
        fail(c, "%d SMS to the sender, expected %d: %r" % (
            len(to_who), c.nreplies, texts))
    for a in c.absent:
        if any(a in t for t in texts):
            fail(c, "%r must not be in %r" % (a, texts))
    req = getattr(c, "requester", c.who)
    mine = [k for k in consults if k["requester"] == req]
    want = c.consult_of if c.consult_of else c.consult
    if want is False:
        if mine:
            fail(c, "no consult expected, got %r" % mine)
        return
    if want is None:
        return
    if len(mine) != 1:
        fail(c, "one consult expected, got %r" % mine)
    k = mine[0]
    if k["state"] != want:
        fail(c, "state %s, expected %s" % (k["state"], want))
    if c.unit and k["units"] != [c.unit]:
        fail(c, "units %r, expected %s" % (k["units"], c.unit))
    lg = gw.consult_log(k["id"])
    types = [e["type"] for e in lg["log"]]
    for ev in c.events:
        if ev not in types:
            fail(c, "event %s not in %r" % (ev, types))
    if c.ctext is not None and lg["consult"]["text"] != c.ctext:
        fail(c, "stored text %r, expected %r" % (lg["consult"]["text"],
                                                 c.ctext))
    if c.callback is not None and lg["consult"]["callback"] != c.callback:
        fail(c, "callback %r" % lg["consult"]["callback"])
    if c.paged:
        phone, phrase = c.paged
        if not any(m["to"] == phone and m.get("consult_id") == k["id"] and
                   phrase in m["text"] for m in outbox):
            fail(c, "%s not paged with %r" % (phone, phrase))
    for phone in c.not_paged:
        if any(m["to"] == phone and m.get("consult_id") == k["id"]
               for m in outbox):
            fail(c, "%s paged" % phone)


def wait_read(gw, keep=0):
    gw.wait(lambda: len(phone_files(gw)) <= keep, 20, "phone read")
    # Replies are committed with the message; wait for their sending too.
    gw.wait(lambda: all(m["state"] != "queued" and m["state"] != "sending"
                        for m in gw.outbox()), 20, "outbox drained")


def pnr_leaks(text):
    """The numbers of the table that text holds, whole or in groups with up
    to three other characters between their digits, in any script."""
    digits = ["1212121212", "7010632391"]
    flat = "".join(str(unicodedata.decimal(ch)) if unicodedata.decimal(
        ch, None) is not None else ch for ch in
        unicodedata.normalize("NFKC", text))
    return [d for d in digits if re.search(r"\D{0,3}".join(d), flat)]


def test_hostile_sms_table():
    gw = Gateway(units_csv=H_UNITS, people_csv=H_PEOPLE, roster_csv=H_ROSTER,
                 ack_timeout="10m", escalation="primary")
    cases = sms_cases()
    check(len(cases) >= 30, "at least 30 cases")
    try:
        gw.start()
        nphases = max(len(c.phases) for c in cases)
        for p in range(nphases):
            for c in cases:
                if p < len(c.phases):
                    for sender, text, opts in c.phases[p]:
                        inject(gw, sender, text, opts)
            wait_read(gw)
        outbox = gw.outbox()
        consults = gw.consults()
        failures = []
        for c in cases:
            try:
                check_case(gw, c, outbox, consults)
            except TestFailure as e:
                failures.append(str(e))
        n = len(cases)

        # A missing part is held, not half-read: nothing happens yet.
        held = REQ[-2]
        gw.ctl("inject", "--drop-part", "2", held, "AKUT KARD " + LONG_1600)
        nheld = len(phone_files(gw))
        # NUL units and a lone surrogate, as a phone might hold them.
        raw_sms(gw, REQ[-3], [ord(ch) for ch in "AKUT ORT a"] + [0] +
                [ord(ch) for ch in " 19121212-1212"])
        raw_sms(gw, REQ[-4], [ord(ch) for ch in "AKUT ORT b"] + [0xD800] +
                [ord(ch) for ch in "c slut"])
        wait_read(gw, keep=nheld)
        consults = gw.consults()
        outbox = gw.outbox()
        n += 3
        if len(phone_files(gw)) != nheld:
            failures.append("the incomplete message was not kept")
        if any(k["requester"] == held for k in consults):
            failures.append("an incomplete message made a consult")
        nul = [k for k in consults if k["requester"] == REQ[-3]]
        if len(nul) != 1 or nul[0]["state"] not in ("open", "rejected"):
            failures.append("NUL: %r" % nul)
        sur = [k for k in consults if k["requester"] == REQ[-4]]
        if len(sur) != 1 or sur[0]["state"] != "open":
            failures.append("lone surrogate: %r" % sur)

        # Across the table: only dialable numbers answered, nothing leaked.
        for m in outbox:
            if not re.fullmatch(r"\+467017406\d\d", m["to"]):
                failures.append("SMS to %r: %r" % (m["to"], m["text"]))
            if pnr_leaks(m["text"]):
                failures.append("identity number sent: %r" % m["text"])
        check(gw.proc.poll() is None, "jourd survived the table")
        gw.stop()
        for f in glob.glob(gw.db + "*"):
            with open(f, "rb") as fh:
                data = fh.read().decode("utf-8", "replace")
            if pnr_leaks(data):
                failures.append("identity number stored in %s" % f)
        print("    hostile SMS cases: %d run, %d failed" % (n, len(failures)))
        check(not failures, "\n      ".join([""] + failures))
    finally:
        gw.close()


# -- CSV imports ---------------------------------------------------------
UNIT_HDR = "code,name,kind,phone,hours\n"
ROSTER_HDR = "unit,role,phone,start,end\n"

CSV_CASES = [
    # (name, kind, bytes, ok, phrase in the error or None)
    ("invalid UTF-8", "units",
     UNIT_HDR.encode() + b"GYN,Gyn\xe4kologi,specialty,+46701740640,always\n",
     False, "UTF-8"),
    ("a BOM before the header", "units",
     b"\xef\xbb\xbf" + UNIT_HDR.encode() +
     "GYN,Gynekologi,specialty,+46701740640,always\n".encode(), True, None),
    ("CRLF line ends", "units",
     (UNIT_HDR + "GYN,Gynekologi,specialty,+46701740640,always\n")
     .replace("\n", "\r\n").encode(), True, None),
    ("quoted commas and quotes", "units",
     (UNIT_HDR + 'GYN,"Gynekologi, ""Mora"" lasarett",specialty,'
      '+46701740640,always\n').encode(), True, None),
    ("missing columns", "units",
     (UNIT_HDR + "GYN,Gynekologi,specialty\n").encode(), False, ":2:"),
    ("missing header column", "units",
     b"code,name,kind,phone\nGYN,Gyn,specialty,+46701740640\n", False,
     "header"),
    ("an unterminated quote", "units",
     (UNIT_HDR + 'GYN,"Gynekologi,specialty,+46701740640,always\n').encode(),
     False, "unterminated"),
    ("duplicate unit code", "units",
     (UNIT_HDR + "GYN,A,specialty,+46701740640,always\n"
      "gyn,B,specialty,+46701740641,always\n").encode(), False, ":3:"),
    ("an SQL payload as a code", "units",
     (UNIT_HDR + "GYN');DROP TABLE units;--,A,specialty,+46701740640,"
      "always\n").encode(), False, "code"),
    ("bad phone", "people",
     b"name,phone,title,unit,can_request\nX,12,Lakare,KARD,yes\n", False,
     "phone"),
    ("empty file", "units", b"", False, "header"),
    ("overlapping shifts", "roster",
     (ROSTER_HDR + "KARD,primary,+46701740620,2026-12-01 08:00,"
      "2026-12-02 08:00\nKARD,primary,+46701740621,2026-12-01 20:00,"
      "2026-12-03 08:00\n").encode(), False, "overlap"),
    ("end before start", "roster",
     (ROSTER_HDR + "KARD,primary,+46701740620,2026-12-02 08:00,"
      "2026-12-01 08:00\n").encode(), False, ":2:"),
    ("a time that does not exist", "roster",
     (ROSTER_HDR + "KARD,primary,+46701740620,2026-02-30 08:00,"
      "2026-03-01 08:00\n").encode(), False, ":2:"),
    ("a person not in the directory", "roster",
     (ROSTER_HDR + "KARD,primary,+46701740698,2026-12-01 08:00,"
      "2026-12-02 08:00\n").encode(), False, "not in the directory"),
    ("a start in the hour skipped in spring", "roster",
     (ROSTER_HDR + "KARD,primary,+46701740620,2027-03-28 02:30,"
      "2027-03-28 08:00\n").encode(), False, ":2: start: \"2027-03-28 02:30\""
     ": that time does not exist"),
    ("an end in the autumn hour that happens twice", "roster",
     (ROSTER_HDR + "KARD,backup,+46701740621,2027-10-30 20:00,"
      "2027-10-31 02:30\n").encode(), True, None),
    ("one unit name twice, far apart, other case", "units",
     (UNIT_HDR + "".join("U%03d,Enhet %03d,other,+46701740640,always\n"
                         % (i, i) for i in range(300)) +
      "SIST,ENHET 007,other,+46701740641,always\n").encode(), False,
     ":302: name: \"ENHET 007\" is already the name on line 9"),
]


def directory_size(gw):
    db = sqlite3.connect(gw.db)
    try:
        return [db.execute("SELECT count(*) FROM %s" % t).fetchone()[0]
                for t in ("units", "people", "shifts")]
    finally:
        db.close()


def test_hostile_csv_table():
    gw = Gateway()
    failures = []
    try:
        for name, kind, data, ok, phrase in CSV_CASES:
            before = directory_size(gw)
            path = os.path.join(gw.dir, "case.csv")
            with open(path, "wb") as f:
                f.write(data)
            r = gw.ctl("import", kind, path, ok=False)
            err = r.stderr.decode("utf-8", "replace")
            if ok and r.returncode != 0:
                failures.append("%s: refused: %s" % (name, err.strip()))
            elif not ok:
                if r.returncode != 1:
                    failures.append("%s: exit %d, expected 1" % (
                        name, r.returncode))
                elif phrase not in err or "case.csv" not in err:
                    failures.append("%s: error %r lacks %r" % (
                        name, err.strip(), phrase))
                if before != directory_size(gw):
                    failures.append("%s: a refused file changed the "
                                    "directory" % name)
        units = {u[0]: u[1] for u in sqlite3.connect(gw.db).execute(
            "SELECT code, name FROM units")}
        if units.get("GYN") != 'Gynekologi, "Mora" lasarett':
            failures.append("quoted name stored as %r" % units.get("GYN"))
        print("    hostile CSV cases: %d run, %d failed" % (
            len(CSV_CASES), len(failures)))
        check(not failures, "\n      ".join([""] + failures))
    finally:
        gw.close()


# -- configuration files ----------------------------------------------------
BASE = "[daemon]\ndatabase = /tmp/x.db\n[modem]\ndevice = /tmp/x\n"
AKUT = "[track akut]\n"

CONF_CASES = [
    # (name, text, ok, phrase in the error)
    ("duplicate [daemon] section",
     BASE + "[daemon]\nadmins = +46701740699\n" + AKUT, False, "daemon"),
    ("duplicate track section", BASE + AKUT + "ack_timeout = 1m\n" + AKUT +
     "ack_timeout = 2m\n", False, "akut"),
    ("repeated key", BASE + AKUT + "repeat = 1\nrepeat = 2\n", False,
     "repeat"),
    ("reply_period 0s", BASE.replace("[modem]", "reply_period = 0s\n[modem]")
     + AKUT, False, "reply_period"),
    ("send_attempts 1000", BASE.replace("[modem]",
     "send_attempts = 1000\n[modem]") + AKUT, False, "send_attempts"),
    ("send_attempts overflowing", BASE.replace(
        "[modem]", "send_attempts = 99999999999999999999\n[modem]") + AKUT,
     False, "send_attempts"),
    ("sweep 10ms", BASE + "sweep = 10ms\n" + AKUT, False, "sweep"),
    ("negative ack_timeout", BASE + AKUT + "ack_timeout = -5m\n", False,
     "ack_timeout"),
    ("repeat 11", BASE + AKUT + "repeat = 11\n", False, "repeat"),
    ("no track at all", BASE, False, "track"),
    ("unknown track", BASE + AKUT + "[track ambulans]\n", False, "ambulans"),
    ("nine admins", BASE.replace("[modem]", "admins = " + ",".join(
        "+467017406%02d" % n for n in range(90, 99)) + "\n[modem]") + AKUT,
     False, "admins"),
    ("a keyword that is a command", BASE + AKUT + "keywords = AKUT OK\n",
     False, "keywords"),
    ("one keyword in two tracks", BASE + AKUT +
     "[track halvakut]\nkeywords = HALV AKUT\n", False, "keywords"),
    ("an unknown outcome list entry too long", BASE.replace(
        "[modem]", "outcomes = INL " + "X" * 40 + "\n[modem]") + AKUT, False,
     "outcomes"),
    ("CRLF line ends", (BASE + AKUT).replace("\n", "\r\n"), True, None),
    # Refused at the limit, not read whole first (nor taken for the end of
    # the file when it does not fit in memory).
    ("a 32 MB line before the track section", BASE + ";" + "x" * (32 << 20) +
     "\n" + AKUT, False, ":5: line too long"),
]


def test_hostile_config_table():
    failures = []
    tmp = tempfile.mkdtemp(prefix="jourd-conf-")
    path = os.path.join(tmp, "c.conf")
    try:
        for name, text, ok, phrase in CONF_CASES:
            with open(path, "w", newline="") as f:
                f.write(text.replace("/tmp/", tmp + "/"))
            r = subprocess.run([JOURD, "-n", "-c", path], capture_output=True,
                               timeout=10)
            err = r.stderr.decode("utf-8", "replace") + \
                r.stdout.decode("utf-8", "replace")
            if ok and r.returncode != 0:
                failures.append("%s: refused: %s" % (name, err.strip()))
            elif not ok and (r.returncode != 1 or phrase not in err or
                             path not in err):
                failures.append("%s: exit %d, %r lacks %r" % (
                    name, r.returncode, err.strip(), phrase))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("    hostile configuration cases: %d run, %d failed" % (
        len(CONF_CASES), len(failures)))
    check(not failures, "\n      ".join([""] + failures))


def test_jourctl_prints_no_control_characters():
    """A text with an escape sequence, a C1 CSI or invalid UTF-8 (as an
    older jourd stored them) reaches the terminal cleaned."""
    gw = Gateway()
    try:
        gw.start()
        gw.stop()
        db = sqlite3.connect(gw.db)
        db.execute("INSERT INTO outbox (to_phone, text, kind, state,"
                   " next_attempt_at, created_at) VALUES (?, CAST(? AS TEXT),"
                   " 'reply', 'sent', 0, 0)",
                   ("+46701740605", b"a\x1b[2Jb\xc2\x9b2Jc\xed\xa0\x80d"))
        db.commit()
        db.close()
        out = gw.ctl("outbox").stdout
        check(b"a\xef\xbf\xbd[2Jb\xef\xbf\xbd2Jc" in out,
              "cleaned text: %r" % out)
        for bad in (b"\x1b", b"\xc2\x9b", b"\xed\xa0\x80"):
            check(bad not in out, "%r printed" % bad)
    finally:
        gw.close()
