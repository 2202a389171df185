"""Follow-up reports on the real daemon: a known set of consults made by
SMS at known times, and `jourctl report` by track, unit, responder and month,
as JSON, table and CSV, checked against figures worked out by hand below.
test_report.py checks the report's arithmetic on a seeded database; this
checks, end to end, the times and outcomes jourd itself records.

The daemon runs under libfaketime with its wall clock frozen at a time read
from a file that the test rewrites: every SMS is handled at exactly the time
the test set, so acknowledgement and resolution times are whole seconds the
test chose. The monotonic clock stays real, so libevent's timers and the
sweep run as usual. A running jourd measures ack_timeout on the monotonic
clock, whatever the wall clock does (test_clock.py), so an escalation falls
due here the way it does after an outage: jourd is stopped, its wall clock
moved past the due time and jourd started again, which fires the step at
once.
"""
import csv
import io
import os

from harness import (CHIEF, PRIMARY, REQUESTER, REQUESTER2, Gateway, check,
                     faketime_file)

ORTO = "+46701740623"

ROSTER = """unit,role,phone,start,end
KARD,primary,%s,2025-10-01 00:00,2025-12-01 00:00
KARD,backup,+46701740621,2025-10-01 00:00,2025-12-01 00:00
ORT,primary,%s,2025-10-01 00:00,2025-12-01 00:00
ORT,backup,%s,2025-10-01 00:00,2025-12-01 00:00
""" % (PRIMARY, ORTO, CHIEF)

TRACKS = """[track halvakut]
keywords = HALV HALVAKUT SEMI
open = always
ack_timeout = 10m
escalation = primary backup
[track mdk]
keywords = MDK
open = always
ack_timeout = 10m
escalation = primary
require_all = yes
"""


class FrozenGateway(Gateway):
    """A Gateway whose daemon reads the time of day from a file."""

    def __init__(self):
        Gateway.__init__(self, ack_timeout="10m",
                         escalation="primary backup", roster_csv=ROSTER,
                         extra=TRACKS)
        self.clock = os.path.join(self.dir, "clock")

    def set_time(self, t):
        """t: "YYYY-MM-DD HH:MM:SS" Stockholm time; written whole, renamed."""
        tmp = self.clock + ".tmp"
        with open(tmp, "w") as f:
            f.write(t + "\n")
        os.rename(tmp, self.clock)
        self.now = t

    def start_frozen(self, t):
        self.set_time(t)
        self.start_env(faketime_file(self.clock))

    def sms(self, t, sender, text):
        """An SMS handled at t; the SMSC stamp t keeps repeated texts apart."""
        self.set_time(t)
        self.ctl("inject", "--time", t.replace(" ", "T"), sender, text)

    def consult(self, cid):
        for c in self.consults():
            if c["id"] == cid:
                return c
        return None

    def request(self, t, sender, text, paged):
        """A new consult at t; waits until `paged` has a page of it."""
        before = max([c["id"] for c in self.consults()] or [0])
        self.sms(t, sender, text)
        c = self.wait(lambda: [c for c in self.consults()
                               if c["id"] > before], 10, "consult: " + text)[0]
        self.wait_page(c["id"], paged)
        return c["id"]

    def wait_page(self, cid, phone, timeout=10):
        self.wait(lambda: any(p["to"] == phone
                              for p in self.consult(cid)["pages"]),
                  timeout, "page of #%d to %s" % (cid, phone))

    def wait_state(self, cid, pred, what, timeout=10):
        self.wait(lambda: pred(self.consult(cid)), timeout,
                  "#%d %s" % (cid, what))

    def ack(self, t, cid, phone):
        code = [p["code"] for p in self.consult(cid)["pages"]
                if p["to"] == phone][0]
        n = len([e for e in self.consult_log(cid)["log"]
                 if e["type"] == "acknowledged"])
        self.sms(t, phone, "OK %d" % code)
        self.wait(lambda: len([e for e in self.consult_log(cid)["log"]
                               if e["type"] == "acknowledged"]) > n,
                  10, "#%d acknowledged by %s" % (cid, phone))

    def resolve(self, t, cid, phone, outcome=""):
        code = [p["code"] for p in self.consult(cid)["pages"]
                if p["to"] == phone][0]
        self.sms(t, phone, ("KLAR %d %s" % (code, outcome)).strip())
        self.wait_state(cid, lambda c: c["state"] == "resolved", "resolved")

    def escalate(self, t, cid, state_or_phone):
        """Restarts jourd at t, past a due step: a new page or a state."""
        self.stop()
        self.start_frozen(t)
        if state_or_phone.startswith("+"):
            self.wait_page(cid, state_or_phone, timeout=20)
        else:
            self.wait_state(cid, lambda c: c["state"] == state_or_phone,
                            state_or_phone, timeout=20)


def build(gw):
    """Nine requests; the times and outcomes the figures below come from."""
    gw.start_frozen("2025-10-10 09:59:00")
    # 1 akut KARD: ack 90 s, resolved RAD after 1200 s.
    c = gw.request("2025-10-10 10:00:00", REQUESTER, "AKUT KARD ett", PRIMARY)
    gw.ack("2025-10-10 10:01:30", c, PRIMARY)
    gw.resolve("2025-10-10 10:20:00", c, PRIMARY, "RAD")
    # 2 akut ORT, 23:30 on the last of October: escalates to the backup
    # (CHIEF) at 10 min, who acks at 780 s; INL after 2100 s.
    c = gw.request("2025-10-31 23:30:00", REQUESTER2, "AKUT ORT två", ORTO)
    gw.escalate("2025-10-31 23:40:00", c, CHIEF)
    gw.ack("2025-10-31 23:43:00", c, CHIEF)
    gw.resolve("2025-11-01 00:05:00", c, CHIEF, "INL")
    # 3 halvakut KARD, 00:30 on 1 November (still October in UTC): ack 45 s,
    # HEM after 600 s.
    c = gw.request("2025-11-01 00:30:00", REQUESTER, "HALV KARD tre", PRIMARY)
    gw.ack("2025-11-01 00:30:45", c, PRIMARY)
    gw.resolve("2025-11-01 00:40:00", c, PRIMARY, "HEM")
    # 4 halvakut KARD: nobody answers; backup at 10 min, unanswered at 20.
    c = gw.request("2025-11-03 09:00:00", REQUESTER2, "HALV KARD fyra",
                   PRIMARY)
    gw.escalate("2025-11-03 09:10:00", c, "+46701740621")
    gw.escalate("2025-11-03 09:20:00", c, "unanswered")
    # 5 akut KARD: ack 300 s, AKM after 3600 s.
    c = gw.request("2025-11-04 10:00:00", REQUESTER, "AKUT KARD fem", PRIMARY)
    gw.ack("2025-11-04 10:05:00", c, PRIMARY)
    gw.resolve("2025-11-04 11:00:00", c, PRIMARY, "AKM")
    # 6 mdk KARD+ORT: KARD acks at 120 s (the consult's ack), ORT at 240 s;
    # MDK after 1800 s.
    c = gw.request("2025-11-05 11:00:00", REQUESTER, "MDK KARD,ORT sex",
                   PRIMARY)
    gw.wait_page(c, ORTO)
    gw.ack("2025-11-05 11:02:00", c, PRIMARY)
    gw.ack("2025-11-05 11:04:00", c, ORTO)
    gw.resolve("2025-11-05 11:30:00", c, PRIMARY, "MDK")
    # 7 akut KARD: ack 60 s, REM after 900 s.
    c = gw.request("2025-11-06 12:00:00", REQUESTER2, "AKUT KARD sju",
                   PRIMARY)
    gw.ack("2025-11-06 12:01:00", c, PRIMARY)
    gw.resolve("2025-11-06 12:15:00", c, PRIMARY, "REM")
    # 8 refused (a personnummer): counted apart as rejected.
    gw.sms("2025-11-07 08:00:00", REQUESTER, "AKUT KARD pat 19121212-1212")
    gw.wait(lambda: gw.json("report", "--since", "2025-10-01", "--until",
                            "2025-12-01")["report"]["total"]["rejected"] == 1,
            10, "the rejected request")
    # 9 akut ORT: KLAR without a code or outcome at 200 s acks and resolves.
    c = gw.request("2025-11-07 09:00:00", REQUESTER, "AKUT ORT nio", ORTO)
    gw.sms("2025-11-07 09:03:20", ORTO, "KLAR")
    gw.wait_state(c, lambda c: c["state"] == "resolved", "resolved")


WINDOW = ("--since", "2025-10-01", "--until", "2025-12-01")
OUTCOMES = ("INL", "RAD", "REM", "AKM", "HEM", "MDK")


def expect_row(row, want, what):
    """want: field -> value; "outcomes" as a dict of the non-zero codes."""
    for k, v in want.items():
        if k == "outcomes":
            got = {o: row["outcomes"][o] for o in OUTCOMES}
            full = {o: v.get(o, 0) for o in OUTCOMES}
            check(got == full, "%s outcomes: %r, want %r" % (what, got, full))
        else:
            check(row.get(k) == v, "%s %s: %r, want %r\n%r" % (
                what, k, row.get(k), v, row))


def report(gw, by):
    rep = gw.json("report", "--by", by, *WINDOW)["report"]
    check(rep["by"] == by and rep["percentile_method"] == "nearest-rank",
          "header %r" % rep)
    return rep, {r["key"]: r for r in rep["rows"]}


def check_track(gw):
    rep, rows = report(gw, "track")
    check(sorted(rows) == ["akut", "halvakut", "mdk"], "tracks %r" % rows)
    # akut = 1 2 5 7 9. acks 90 780 300 60 200 -> 60 90 200 300 780:
    # p50 rank ceil(2.5) = 3rd = 200, p90 rank ceil(4.5) = 5th = 780.
    # Resolutions 1200 2100 3600 900 200 -> 200 900 1200 2100 3600: p50 1200.
    expect_row(rows["akut"], {
        "consults": 5, "acknowledged": 5, "unanswered": 0, "escalated": 1,
        "escalation_rate": 0.2, "unanswered_rate": 0.0, "ack_p50_s": 200,
        "ack_p90_s": 780, "resolve_p50_s": 1200, "resolved": 5, "pages": 6,
        "outcomes": {"RAD": 1, "INL": 1, "AKM": 1, "REM": 1}}, "akut")
    # halvakut = 3 4: one ack of 45 s, one unanswered after escalating.
    expect_row(rows["halvakut"], {
        "consults": 2, "acknowledged": 1, "unanswered": 1, "escalated": 1,
        "escalation_rate": 0.5, "unanswered_rate": 0.5, "ack_p50_s": 45,
        "ack_p90_s": 45, "resolve_p50_s": 600, "resolved": 1, "pages": 3,
        "outcomes": {"HEM": 1}}, "halvakut")
    expect_row(rows["mdk"], {
        "consults": 1, "acknowledged": 1, "unanswered": 0, "escalated": 0,
        "ack_p50_s": 120, "ack_p90_s": 120, "resolve_p50_s": 1800,
        "resolved": 1, "pages": 2, "outcomes": {"MDK": 1}}, "mdk")
    # Total: 8 consults; acks 45 60 90 120 200 300 780: p50 rank
    # ceil(3.5) = 4th = 120, p90 rank ceil(6.3) = 7th = 780. Resolutions
    # 200 600 900 1200 1800 2100 3600: p50 4th = 1200.
    expect_row(rep["total"], {
        "consults": 8, "acknowledged": 7, "unanswered": 1, "escalated": 2,
        "escalation_rate": 0.25, "unanswered_rate": 0.125, "ack_p50_s": 120,
        "ack_p90_s": 780, "resolve_p50_s": 1200, "resolved": 7,
        "rejected": 1, "outcomes": {o: 1 for o in OUTCOMES}}, "total")
    # Goals over the 7 resolved (consult 9 had no outcome): INL, RAD, REM,
    # AKM, HEM and MDK once each, 1/7 = 0.143; ED visits avoided are
    # INL + RAD + HEM = 3/7 = 0.429; doctor-to-doctor contacts are the 7
    # acknowledged of 8 consults = 0.875.
    goals = {g["goal"]: g for g in rep["goals"]}
    want = {"direct_admissions": (1, 0.143), "referrals_avoided": (1, 0.143),
            "referrals_written": (1, 0.143), "ed_visits_avoided": (3, 0.429),
            "ed_visits": (1, 0.143),
            "finished_by_ambulance_or_at_home": (1, 0.143),
            "conferences": (1, 0.143),
            "doctor_to_doctor_contacts": (7, 0.875)}
    for key, (count, share) in want.items():
        check(key in goals, "goal %s missing: %r" % (key, sorted(goals)))
        check((goals[key]["count"], goals[key]["share"]) == (count, share),
              "%s: %r" % (key, goals[key]))
    # The table ends with the same summary.
    table = gw.ctl("report", *WINDOW).stdout.decode("utf-8")
    line = [ln for ln in table.splitlines()
            if ln.strip().startswith("emergency-department visits avoided")]
    check(line and line[0].split()[3:5] == ["3", "42.9%"],
          "ED visits avoided line in:\n" + table)


def check_unit(gw):
    rep, rows = report(gw, "unit")
    check(sorted(rows) == ["KARD", "ORT"], "units %r" % rows)
    # KARD legs of 1 3 4 5 6 7: acks 90 45 300 120 60 -> 45 60 90 120 300:
    # p50 3rd = 90, p90 rank ceil(4.5) = 5th = 300. Resolutions 1200 600
    # 3600 1800 900 -> p50 3rd of 600 900 1200 1800 3600 = 1200.
    expect_row(rows["KARD"], {
        "name": "Kardiologi, Falu lasarett", "consults": 6,
        "acknowledged": 5, "unanswered": 1, "escalated": 1,
        "escalation_rate": 0.167, "unanswered_rate": 0.167,
        "ack_p50_s": 90, "ack_p90_s": 300, "resolve_p50_s": 1200,
        "resolved": 5,
        "outcomes": {"RAD": 1, "HEM": 1, "AKM": 1, "MDK": 1, "REM": 1}},
        "KARD")
    # ORT legs of 2 6 9: acks 780 240 200 -> p50 2nd = 240, p90 3rd = 780;
    # resolutions 2100 1800 200 -> 1800.
    expect_row(rows["ORT"], {
        "name": "Ortopedi, Mora lasarett", "consults": 3, "acknowledged": 3,
        "unanswered": 0, "escalated": 1, "escalation_rate": 0.333,
        "ack_p50_s": 240, "ack_p90_s": 780, "resolve_p50_s": 1800,
        "resolved": 3, "outcomes": {"INL": 1, "MDK": 1}}, "ORT")
    check(rep["total"]["consults"] == 8, "total counts consults once")


def check_responder(gw):
    rep, rows = report(gw, "responder")
    check(sorted(rows) == sorted([PRIMARY, CHIEF, ORTO]), "who %r" % rows)
    # Erik acked 1 3 5 6 7: 90 45 300 120 60 -> p50 90, p90 300.
    expect_row(rows[PRIMARY], {
        "name": "Erik Jourlund", "consults": 5, "acknowledged": 5,
        "escalated": 0, "ack_p50_s": 90, "ack_p90_s": 300,
        "resolve_p50_s": 1200}, "PRIMARY")
    # Gustav acked 2 as its backup step: 780 s, escalated.
    expect_row(rows[CHIEF], {
        "name": "Gustav Chefsson", "consults": 1, "escalated": 1,
        "escalation_rate": 1.0, "ack_p50_s": 780, "ack_p90_s": 780,
        "resolve_p50_s": 2100, "outcomes": {"INL": 1}}, "CHIEF")
    # Olle acked 6 (240 s) and 9 (200 s): n=2, p50 1st = 200, p90 2nd = 240.
    expect_row(rows[ORTO], {
        "name": "Olle Ortoped", "consults": 2, "acknowledged": 2,
        "ack_p50_s": 200, "ack_p90_s": 240, "resolve_p50_s": 200,
        "outcomes": {"MDK": 1}}, "ORTO")


def check_month(gw):
    rep, rows = report(gw, "month")
    check([r["key"] for r in rep["rows"]] == ["2025-10", "2025-11"],
          "months %r" % rep["rows"])
    # October: 1 and 2 (23:30 on the 31st). Acks 90 780; resolutions
    # 1200 2100: p50 is the 1st of 2, p90 the 2nd.
    expect_row(rows["2025-10"], {
        "consults": 2, "acknowledged": 2, "unanswered": 0, "escalated": 1,
        "escalation_rate": 0.5, "ack_p50_s": 90, "ack_p90_s": 780,
        "resolve_p50_s": 1200, "outcomes": {"RAD": 1, "INL": 1}}, "2025-10")
    # November: 3-7 and 9. Acks 45 300 120 60 200 -> 45 60 120 200 300:
    # p50 3rd = 120, p90 5th = 300. Resolutions 600 3600 1800 900 200 ->
    # 200 600 900 1800 3600: p50 900.
    expect_row(rows["2025-11"], {
        "consults": 6, "acknowledged": 5, "unanswered": 1, "escalated": 1,
        "escalation_rate": 0.167, "unanswered_rate": 0.167,
        "ack_p50_s": 120, "ack_p90_s": 300, "resolve_p50_s": 900,
        "resolved": 5,
        "outcomes": {"HEM": 1, "AKM": 1, "MDK": 1, "REM": 1}}, "2025-11")


def check_csv(gw):
    raw = gw.ctl("report", "--by", "unit", "--csv", *WINDOW).stdout
    text = raw.decode("utf-8")
    check(text.endswith("\r\n") and "\n" not in text.replace("\r\n", ""),
          "CRLF line ends: %r" % text)
    recs = list(csv.reader(io.StringIO(text, newline="")))
    check(recs[0] == ["unit", "name", "consults", "acknowledged",
                      "unanswered", "escalated", "escalation_rate",
                      "unanswered_rate", "ack_p50_s", "ack_p90_s",
                      "resolve_p50_s", "resolved", "pages"] + list(OUTCOMES),
          "header %r" % recs[0])
    rows = {r[0]: dict(zip(recs[0], r)) for r in recs[1:]}
    check(sorted(rows) == ["KARD", "ORT", "total"], "records %r" % recs)
    k = rows["KARD"]
    check(k["name"] == "Kardiologi, Falu lasarett", "quoted name %r" % k)
    check([k[f] for f in ("consults", "acknowledged", "unanswered",
                          "escalated", "escalation_rate", "ack_p50_s",
                          "ack_p90_s", "resolve_p50_s", "resolved")] ==
          ["6", "5", "1", "1", "0.167", "90", "300", "1200", "5"],
          "KARD %r" % k)
    t = rows["total"]
    check([t[f] for f in ("consults", "acknowledged", "unanswered",
                          "escalated", "unanswered_rate", "ack_p50_s",
                          "ack_p90_s", "resolve_p50_s", "resolved")] ==
          ["8", "7", "1", "2", "0.125", "120", "780", "1200", "7"],
          "total %r" % t)
    check([t[o] for o in OUTCOMES] == ["1"] * 6, "outcomes %r" % t)
    # Month records in CSV too: October, November, the total.
    recs = list(csv.reader(io.StringIO(gw.ctl(
        "report", "--by", "month", "--csv", *WINDOW).stdout.decode("utf-8"),
        newline="")))
    check([r[0] for r in recs] == ["month", "2025-10", "2025-11", "total"],
          "month records %r" % recs)
    check(recs[1][recs[0].index("ack_p90_s")] == "780", "October %r" % recs)


def test_report_on_the_daemon_matches_figures_by_hand():
    gw = FrozenGateway()
    try:
        build(gw)
        check_track(gw)
        check_unit(gw)
        check_responder(gw)
        check_month(gw)
        check_csv(gw)
    finally:
        gw.close()
