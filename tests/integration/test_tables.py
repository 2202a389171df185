"""Names next to numbers in jourctl's tables, and the report as a Swedish
spreadsheet program reads CSV (--excel).

The consults are those of test_report.py, written straight into the
database, and one more acknowledged by a number that is not in the
directory."""
import csv
import io
import sqlite3

from harness import check, REQUESTER, PRIMARY, BACKUP
from test_report import seeded, text, utc, S, SINCE

ORT_DOC = "+46701740623"
NOT_LISTED = "+46701740691"


def seeded_with_a_stranger():
    """test_report's consults and #8, acknowledged by NOT_LISTED after 30 s
    and requested by NOT_LISTED too."""
    gw = seeded()
    created = utc("2026-11-20 10:00")
    db = sqlite3.connect(gw.db)
    with db:
        db.execute(
            "INSERT INTO consults (id, track, state, requester, callback,"
            " text, created_at, acked_at, acked_by, pages_sent, max_step)"
            " VALUES (8, 'akut', 'acknowledged', ?, '', 'test', ?, ?, ?, 1,"
            " 0)", (NOT_LISTED, created, created + 30 * S, NOT_LISTED))
        db.execute(
            "INSERT INTO legs (consult_id, idx, unit, state, step, acked_at,"
            " acked_by) VALUES (8, 0, 'KARD', 'acked', 0, ?, ?)",
            (created + 30 * S, NOT_LISTED))
    db.close()
    return gw


def line_of(table, cid):
    for ln in table.splitlines():
        if ln.split() and ln.split()[0] == str(cid):
            return ln
    raise AssertionError("no line for #%d in:\n%s" % (cid, table))


def test_consults_show_names_next_to_numbers():
    gw = seeded_with_a_stranger()
    try:
        table = text(gw, "consults")
        # Requester and acknowledging responder: the name, then the number.
        ln = line_of(table, 1)
        check("Anna Testsson +46701740605" in ln, "requester: %r" % ln)
        check("Erik Jourlund +46701740620" in ln, "acked by: %r" % ln)
        ln = line_of(table, 2)
        check("Frida Bakström +46701740621" in ln, "acked by: %r" % ln)
        # Not in the directory: the number alone.
        ln = line_of(table, 8)
        check(ln.count(NOT_LISTED) == 2, "numbers alone: %r" % ln)
        check("None" not in ln and "null" not in ln, "no placeholder: %r" % ln)
        # Nobody acknowledged: still "-".
        check(line_of(table, 3).split()[-3] == "-", "unacked: %r" %
              line_of(table, 3))

        # A long name is cut to keep the column; the number never is.
        db = sqlite3.connect(gw.db)
        with db:
            db.execute("UPDATE people SET name = ? WHERE phone = ?",
                       ("Maria-Kristina Öberg-Lindqvist", BACKUP))
        db.close()
        ln = line_of(text(gw, "consults"), 2)
        check("Maria-Kristi... +46701740621 " in ln, "cut name: %r" % ln)
        check(ln.split()[-2:] == ["300", "2"], "columns kept: %r" % ln)

        cs = {c["id"]: c for c in gw.json("consults")["consults"]}
        c = cs[1]
        check((c["requester"], c["requester_name"], c["acked_by"],
               c["acked_by_name"]) == (REQUESTER, "Anna Testsson", PRIMARY,
                                       "Erik Jourlund"), "JSON: %r" % c)
        check(cs[8]["requester_name"] is None and
              cs[8]["acked_by_name"] is None, "unknown: %r" % cs[8])
        check(cs[3]["acked_by"] is None and cs[3]["acked_by_name"] is None,
              "nobody: %r" % cs[3])
    finally:
        gw.close()


def test_report_by_responder_shows_names():
    gw = seeded_with_a_stranger()
    try:
        table = text(gw, "report", "--by", "responder", *SINCE)
        lines = table.splitlines()
        erik = [ln for ln in lines if PRIMARY in ln]
        check(len(erik) == 1 and erik[0].startswith(
            "Erik Jourlund +46701740620 "), "row: %r" % erik)
        # The figures still follow, in their columns: #1, #4, #6 and
        # #5's KARD leg, all acknowledged by him.
        check(erik[0].split()[3:5] == ["4", "4"], "figures: %r" % erik)
        # The consults figure of every row ends under the header's CONSULTS.
        head = [ln for ln in lines if ln.startswith("responder ")][0]
        end = head.index("CONSULTS") + len("CONSULTS")
        for ln in lines[lines.index(head) + 1:]:
            if ln.startswith("total"):
                break
            check(ln[end - 1].isdigit() and ln[end] == " ",
                  "aligned under CONSULTS: %r" % ln)
        olle = [ln for ln in lines if ORT_DOC in ln]
        check(olle and olle[0].startswith("Olle Ortoped +46701740623 "),
              "row: %r" % olle)
        other = [ln for ln in lines if NOT_LISTED in ln]
        check(other and other[0].startswith(NOT_LISTED + " ") and
              other[0].split()[1:3] == ["1", "1"], "number alone: %r" % other)
        rows = {r["key"]: r for r in
                gw.json("report", "--by", "responder", *SINCE)["report"]
                ["rows"]}
        check(rows[BACKUP]["name"] == "Frida Bakström", repr(rows[BACKUP]))
        check(rows[NOT_LISTED]["name"] is None, repr(rows[NOT_LISTED]))
    finally:
        gw.close()


def test_report_csv_for_excel():
    gw = seeded()
    try:
        raw = gw.ctl("report", "--by", "unit", "--csv", "--excel",
                     *SINCE).stdout
        check(raw.startswith(b"\xef\xbb\xbf"), "BOM first: %r" % raw[:8])
        out = raw.decode("utf-8-sig")
        check(out.endswith("\r\n") and "\n" not in out.replace("\r\n", ""),
              "CRLF lines")
        rows = list(csv.reader(io.StringIO(out, newline=""), delimiter=";"))
        head = rows[0]
        check(head[:3] == ["unit", "name", "consults"] and
              head[13:] == ["INL", "RAD", "REM", "AKM", "HEM", "MDK"],
              "header: %r" % head)
        check(all(len(r) == len(head) for r in rows), "one column count")
        by = {r[0]: dict(zip(head, r)) for r in rows[1:]}
        # A comma in a name is no separator here.
        check(by["KARD"]["name"] == "Kardiologi, Falu lasarett",
              repr(by["KARD"]))
        # 2 escalated of 6 consults, with a decimal comma; KARD 1 of 5.
        check(by["total"]["escalation_rate"] == "0,333", repr(by["total"]))
        check(by["KARD"]["escalation_rate"] == "0,200", repr(by["KARD"]))
        check(by["total"]["ack_p50_s"] == "90" and
              by["total"]["consults"] == "6", repr(by["total"]))
        # The figures are those of the plain CSV, only written otherwise.
        plain = list(csv.reader(io.StringIO(text(
            gw, "report", "--by", "unit", "--csv", *SINCE), newline="")))
        check([[f.replace(".", ",") for f in r] for r in plain] == rows,
              "same figures as --csv")

        # --excel is a way of writing CSV: alone it is a usage error.
        r = gw.ctl("report", "--excel", ok=False)
        check(r.returncode == 2 and b"--csv" in r.stderr, repr(r))
    finally:
        gw.close()
