"""jourctl report against figures computed by hand.

The consults are written straight into a database that jourctl created, with
times chosen so that every figure below is worked out in the comments: the
report's arithmetic is checked, not the daemon's timing (test_acute checks a
report over consults the daemon made)."""
import csv
import io
import sqlite3

from harness import (Gateway, check, REQUESTER, PRIMARY, BACKUP)

ORT_DOC = "+46701740623"
S = 1000                      # ms per second


def utc(text):
    """Milliseconds since the epoch of a UTC time 'YYYY-MM-DD HH:MM'."""
    import calendar
    import time
    return calendar.timegm(time.strptime(text, "%Y-%m-%d %H:%M")) * S


# (id, track, state, created, ack after s, acked_by, resolved after s,
#  outcome, pages, max_step, legs: (unit, state, step, ack after s, by))
CONSULTS = [
    (1, "akut", "resolved", utc("2026-10-15 10:00"), 60, PRIMARY, 600, "INL",
     1, 0, [("KARD", "acked", 0, 60, PRIMARY)]),
    (2, "akut", "resolved", utc("2026-10-20 10:00"), 300, BACKUP, 1200, "RAD",
     2, 1, [("KARD", "acked", 1, 300, BACKUP)]),
    # 23:30 UTC on 31 October is 00:30 on 1 November in Stockholm.
    (3, "akut", "unanswered", utc("2026-10-31 23:30"), None, None, None, None,
     3, 2, [("ORT", "unanswered", 2, None, None)]),
    (4, "halvakut", "resolved", utc("2026-11-05 09:00"), 120, PRIMARY, 900,
     "HEM", 1, 0, [("KARD", "acked", 0, 120, PRIMARY)]),
    (5, "mdk", "resolved", utc("2026-11-10 12:00"), 90, ORT_DOC, 3000, "MDK",
     2, 0, [("KARD", "acked", 0, 30, PRIMARY), ("ORT", "acked", 0, 90, ORT_DOC)]),
    (6, "akut", "acknowledged", utc("2026-11-12 08:00"), 45, PRIMARY, None,
     None, 1, 0, [("KARD", "acked", 0, 45, PRIMARY)]),
    (7, "akut", "rejected", utc("2026-11-12 09:00"), None, None, None, None,
     0, -1, []),
]


def seeded():
    gw = Gateway()
    db = sqlite3.connect(gw.db)
    with db:
        # The codes the database lets consults hold (009_outcomes.sql).
        db.executemany("INSERT OR IGNORE INTO outcomes (code) VALUES (?)",
                       [(c[7],) for c in CONSULTS if c[7] is not None])
        for (cid, track, state, created, ack, by, res, outcome, pages, step,
             legs) in CONSULTS:
            db.execute(
                "INSERT INTO consults (id, track, state, requester, callback,"
                " text, created_at, acked_at, acked_by, resolved_at, outcome,"
                " pages_sent, max_step) VALUES (?,?,?,?,'','test',?,?,?,?,?,?,?)",
                (cid, track, state, REQUESTER, created,
                 created + ack * S if ack is not None else None, by,
                 created + res * S if res is not None else None, outcome,
                 pages, step))
            for idx, (unit, lstate, lstep, lack, lby) in enumerate(legs):
                db.execute(
                    "INSERT INTO legs (consult_id, idx, unit, state, step,"
                    " acked_at, acked_by) VALUES (?,?,?,?,?,?,?)",
                    (cid, idx, unit, lstate, lstep,
                     created + lack * S if lack is not None else None, lby))
    db.close()
    return gw


def text(gw, *args):
    """jourctl's standard output, which must succeed."""
    return gw.ctl(*args).stdout.decode("utf-8")


def rows(report):
    return {r["key"]: r for r in report["rows"]}


def expect(row, what, **want):
    for k, v in want.items():
        got = row[k] if k != "outcomes" else {
            o: n for o, n in row["outcomes"].items() if n}
        check(got == v, "%s %s: got %r, want %r" % (what, k, got, v))


SINCE = ["--since", "2026-10-01", "--until", "2026-12-01"]


def test_report_by_track_and_total_match_hand_computed_figures():
    gw = seeded()
    try:
        rep = gw.json("report", "--by", "track", *SINCE)["report"]
        check(rep["percentile_method"] == "nearest-rank", repr(rep))
        r = rows(rep)
        check(sorted(r) == ["akut", "halvakut", "mdk"], repr(sorted(r)))
        # akut: 1, 2, 3, 6. Acks 45, 60, 300: p50 is the 2nd (ceil 1.5),
        # p90 the 3rd (ceil 2.7). Resolutions 600, 1200: p50 the 1st.
        expect(r["akut"], "akut", consults=4, acknowledged=3, unanswered=1,
               escalated=2, escalation_rate=0.5, unanswered_rate=0.25,
               ack_p50_s=60, ack_p90_s=300, resolve_p50_s=600, resolved=2,
               pages=7, outcomes={"INL": 1, "RAD": 1})
        expect(r["halvakut"], "halvakut", consults=1, acknowledged=1,
               ack_p50_s=120, ack_p90_s=120, resolve_p50_s=900,
               outcomes={"HEM": 1})
        expect(r["mdk"], "mdk", consults=1, ack_p50_s=90, resolve_p50_s=3000,
               outcomes={"MDK": 1})
        # Total: acks 45, 60, 90, 120, 300 -> p50 3rd = 90, p90 5th = 300;
        # resolutions 600, 900, 1200, 3000 -> p50 2nd = 900.
        expect(rep["total"], "total", consults=6, acknowledged=5,
               unanswered=1, escalated=2, escalation_rate=0.333,
               unanswered_rate=0.167, ack_p50_s=90, ack_p90_s=300,
               resolve_p50_s=900, resolved=4, pages=10, rejected=1,
               outcomes={"INL": 1, "RAD": 1, "HEM": 1, "MDK": 1})
    finally:
        gw.close()


def test_report_by_unit_responder_and_month():
    gw = seeded()
    try:
        r = rows(gw.json("report", "--by", "unit", *SINCE)["report"])
        # KARD legs of 1, 2, 4, 5, 6: acks 30, 45, 60, 120, 300.
        expect(r["KARD"], "KARD", consults=5, acknowledged=5, unanswered=0,
               escalated=1, ack_p50_s=60, ack_p90_s=300, resolve_p50_s=900,
               resolved=4)
        check(r["KARD"]["name"] == "Kardiologi, Falu lasarett", repr(r["KARD"]))
        expect(r["ORT"], "ORT", consults=2, acknowledged=1, unanswered=1,
               escalated=1, ack_p50_s=90, resolve_p50_s=3000,
               outcomes={"MDK": 1})

        r = rows(gw.json("report", "--by", "responder", *SINCE)["report"])
        check(sorted(r) == sorted([PRIMARY, BACKUP, ORT_DOC]), repr(sorted(r)))
        # The primary acknowledged 1, 4, 5, 6: 30, 45, 60, 120 -> p50 the
        # 2nd, p90 the 4th (ceil 3.6).
        expect(r[PRIMARY], "primary", consults=4, acknowledged=4,
               ack_p50_s=45, ack_p90_s=120)
        expect(r[BACKUP], "backup", consults=1, ack_p50_s=300, escalated=1)
        expect(r[ORT_DOC], "ORT doctor", consults=1, ack_p50_s=90)

        r = rows(gw.json("report", "--by", "month", *SINCE)["report"])
        # Consult 3 is November in Stockholm though October in UTC.
        check(sorted(r) == ["2026-10", "2026-11"], repr(sorted(r)))
        expect(r["2026-10"], "October", consults=2, acknowledged=2,
               ack_p50_s=60, ack_p90_s=300, outcomes={"INL": 1, "RAD": 1})
        expect(r["2026-11"], "November", consults=4, acknowledged=3,
               unanswered=1, ack_p50_s=90, ack_p90_s=120,
               outcomes={"HEM": 1, "MDK": 1})

        # --until is exclusive: November alone.
        r = rows(gw.json("report", "--by", "month", "--since", "2026-11-01",
                         "--until", "2026-12-01")["report"])
        check(sorted(r) == ["2026-11"], repr(sorted(r)))
        check(r["2026-11"]["consults"] == 4, repr(r["2026-11"]))
    finally:
        gw.close()


def test_report_goals_name_the_regional_aims():
    gw = seeded()
    try:
        goals = {g["goal"]: g for g in
                 gw.json("report", *SINCE)["report"]["goals"]}
        # Of 4 resolved: INL 1, RAD 1, HEM 1, MDK 1, no REM or AKM.
        want = {"direct_admissions": (1, 0.25),
                "referrals_avoided": (1, 0.25),
                "referrals_written": (0, 0.0),
                "ed_visits_avoided": (3, 0.75),
                "ed_visits": (0, 0.0),
                "finished_by_ambulance_or_at_home": (1, 0.25),
                "conferences": (1, 0.25),
                "doctor_to_doctor_contacts": (5, 0.833)}
        for key, (count, share) in want.items():
            check(key in goals, "goal %s missing: %r" % (key, sorted(goals)))
            check((goals[key]["count"], goals[key]["share"]) == (count, share),
                  "%s: %r" % (key, goals[key]))
        table = text(gw, "report", *SINCE)
        check("regional goals" in table and "direct admissions" in table and
              "emergency-department visits avoided" in table, table)
    finally:
        gw.close()


def test_report_csv_is_rfc4180_with_the_same_figures():
    gw = seeded()
    try:
        out = text(gw, "report", "--by", "unit", "--csv", *SINCE)
        check("\r\n" in out, "CSV lines end in CRLF")
        lines = list(csv.reader(io.StringIO(out, newline="")))
        head = lines[0]
        check(head[:13] == ["unit", "name", "consults", "acknowledged",
                            "unanswered", "escalated", "escalation_rate",
                            "unanswered_rate", "ack_p50_s", "ack_p90_s",
                            "resolve_p50_s", "resolved", "pages"], repr(head))
        check(head[13:] == ["INL", "RAD", "REM", "AKM", "HEM", "MDK"],
              repr(head))
        by = {l[0]: dict(zip(head, l)) for l in lines[1:]}
        # The unit name holds a comma: it must come back whole.
        check(by["KARD"]["name"] == "Kardiologi, Falu lasarett", repr(by["KARD"]))
        check(by["KARD"]["ack_p50_s"] == "60" and by["KARD"]["consults"] == "5",
              repr(by["KARD"]))
        total = by["total"]
        check([total[k] for k in ("consults", "acknowledged", "unanswered",
                                  "escalated", "escalation_rate",
                                  "ack_p50_s", "ack_p90_s", "resolve_p50_s",
                                  "resolved", "pages", "INL", "HEM")] ==
              ["6", "5", "1", "2", "0.333", "90", "300", "900", "4", "10",
               "1", "1"], repr(total))
        # A row without acknowledgements has empty percentile fields.
        out = text(gw, "report", "--by", "track", "--csv", "--since",
                     "2026-10-31 23:00", "--until", "2026-11-01 02:00")
        rows_ = list(csv.DictReader(io.StringIO(out, newline="")))
        check(rows_[0]["track"] == "akut" and rows_[0]["ack_p50_s"] == "",
              repr(rows_))
        r = gw.ctl("report", "--csv", "--json", ok=False)
        check(r.returncode == 2 and b"exclude" in r.stderr, repr(r))
    finally:
        gw.close()
