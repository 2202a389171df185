"""The daily jobs and the backup (issue 13, DESIGN §12): roster gaps ahead
told to the administrators once, old texts blanked with the figures kept,
and jourctl backup taken while SMS stream in."""
import datetime
import glob
import os
import sqlite3
import stat
import threading
import time
import zoneinfo

from harness import (ADMIN, BACKUP, CHIEF, PRIMARY, REQUESTER, Gateway,
                     check, run)

DAY = 86400


def day(n, hhmm="00:00"):
    """Stockholm local date n days from today, at hhmm."""
    return time.strftime("%Y-%m-%d ", time.localtime(time.time() + n * DAY)) \
        + hhmm


def stockholm_ms(s):
    """The instant of a Stockholm wall-clock time "YYYY-MM-DD HH:MM"."""
    t = datetime.datetime.strptime(s, "%Y-%m-%d %H:%M").replace(
        tzinfo=zoneinfo.ZoneInfo("Europe/Stockholm"))
    return int(t.timestamp()) * 1000


def rows(db, sql, args=()):
    h = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)
    try:
        return h.execute(sql, args).fetchall()
    finally:
        h.close()


def write(db, sql, args=()):
    h = sqlite3.connect(db, timeout=10)
    try:
        h.execute(sql, args)
        h.commit()
    finally:
        h.close()


def gap_events(gw):
    return [d for (d,) in rows(gw.db, "SELECT detail FROM events WHERE"
                               " type = 'coverage_gap' ORDER BY id")]


def gap_sms(gw):
    return [m for m in gw.sent_to(ADMIN, kind="admin")
            if "jourschemat saknar" in m["text"]]


# KARD's primary has a hole of one day, nine days ahead; everything else
# is covered for 30 days. ORT rosters only a primary: it has no backup or
# chief, which is no gap.
HOLE_ROSTER = "unit,role,phone,start,end\n" + "".join(
    "%s,%s,%s,%s,%s\n" % r for r in (
        ("KARD", "primary", PRIMARY, day(-1), day(9)),
        ("KARD", "primary", PRIMARY, day(10), day(30)),
        ("KARD", "backup", BACKUP, day(-1), day(30)),
        ("KARD", "chief", CHIEF, day(-1), day(30)),
        ("ORT", "primary", "+46701740623", day(-1), day(30))))


def test_coverage_gap_told_once():
    gw = Gateway(roster_csv=HOLE_ROSTER, coverage_days=14)

    def body(gw):
        want = "KARD primary %s - %s" % (day(9), day(10))
        gw.wait(lambda: gap_events(gw), 10, "coverage_gap event")
        check(gap_events(gw) == [want], "one gap: %r" % gap_events(gw))
        sms = gw.wait(lambda: [m for m in gap_sms(gw)
                               if m["state"] == "sent"], 10, "admin SMS")
        check(len(gap_sms(gw)) == 1, "one admin SMS: %r" % gap_sms(gw))
        check(want in sms[0]["text"], sms[0]["text"])
        cov = gw.json("coverage")
        check(cov["days"] == 14 and cov["gaps"] == 1, cov)
        g = cov["coverage"][0]
        check((g["unit"], g["role"], g["told"]) == ("KARD", "primary", True),
              cov)
        table = gw.ctl("coverage").stdout.decode()
        check("KARD" in table and "primary" in table and day(9) in table,
              table)
        st = gw.ctl("status").stdout.decode()
        check("coverage: 1 gap(s) in the next 14 days" in st, st)

        # Not told again: after a restart, nor when the gap grows by a day.
        gw.stop()
        write(gw.db, "UPDATE shifts SET start_at = start_at + ? WHERE"
              " unit = 'KARD' AND role = 'primary' AND start_at > ?",
              (DAY * 1000, int(time.time() * 1000)))
        gw.start()
        check(gap_events(gw) == [want], "told once: %r" % gap_events(gw))
        check(len(gap_sms(gw)) == 1, "one admin SMS: %r" % gap_sms(gw))
        # A new gap is told: ORT's primary is away on day 3.
        gw.stop()
        write(gw.db, "UPDATE shifts SET end_at = ? WHERE unit = 'ORT'",
              (stockholm_ms(day(3)),))
        gw.start()
        ev = gap_events(gw)
        check(len(ev) == 2 and ev[0] == want and
              ev[1].startswith("ORT primary %s - " % day(3)), ev)
        check(len(gap_sms(gw)) == 2, "two admin SMS: %r" % gap_sms(gw))
        cov = gw.json("coverage")
        check(cov["gaps"] == 2 and all(g["told"] for g in cov["coverage"]),
              cov)

    run(gw, body)


def test_coverage_off():
    gw = Gateway(roster_csv=HOLE_ROSTER, coverage_days=0)

    def body(gw):
        time.sleep(1)
        check(gap_events(gw) == [], "no check when off")
        st = gw.ctl("status").stdout.decode()
        check("coverage: not checked" in st, st)

    run(gw, body)


def shift_back(db, days, consult):
    """Moves one consult, its SMS and its outbox rows days into the past
    (events are append-only and stay where they are)."""
    ms = days * DAY * 1000
    h = sqlite3.connect(db, timeout=10)
    try:
        h.execute("UPDATE consults SET created_at = created_at - ?1,"
                  " first_page_at = first_page_at - ?1, acked_at ="
                  " acked_at - ?1, resolved_at = resolved_at - ?1"
                  " WHERE id = ?2", (ms, consult))
        h.execute("UPDATE inbox SET received_at = received_at - ?1,"
                  " smsc_at = smsc_at - ?1 WHERE consult_id = ?2",
                  (ms, consult))
        h.execute("UPDATE outbox SET created_at = created_at - ?1,"
                  " next_attempt_at = next_attempt_at - ?1, sent_at ="
                  " sent_at - ?1 WHERE consult_id = ?2", (ms, consult))
        h.commit()
    finally:
        h.close()


def texts(db, consult):
    return (rows(db, "SELECT text FROM consults WHERE id = ?", (consult,)) +
            rows(db, "SELECT text FROM inbox WHERE consult_id = ?",
                 (consult,)) +
            rows(db, "SELECT text FROM outbox WHERE consult_id = ?",
                 (consult,)))


def blanked_events(gw):
    return [d for (d,) in rows(gw.db, "SELECT detail FROM events WHERE"
                               " type = 'texts_blanked' ORDER BY id")]


def test_retention_blanks_old_texts_keeps_figures():
    gw = Gateway(daemon_extra="keep_text = 30d\nrequest_limit = 0")

    def body(gw):
        gw.inject(REQUESTER, "AKUT KARD gammal bröstsmärta")
        gw.wait_sent(PRIMARY, "gammal bröstsmärta")
        gw.inject(PRIMARY, "KLAR 1 RAD")
        gw.wait(lambda: gw.last_consult()["state"] == "resolved", 10,
                "consult 1 resolved")
        gw.inject(REQUESTER, "AKUT KARD ny buksmärta")
        gw.wait_sent(PRIMARY, "ny buksmärta")
        # An old consult still open keeps its text: its pages quote it.
        gw.inject(REQUESTER, "AKUT KARD öppen yrsel")
        gw.wait_sent(PRIMARY, "öppen yrsel")
        gw.stop()
        shift_back(gw.db, 40, 1)
        shift_back(gw.db, 40, 3)
        # Fixed bounds: a span back from now would move between the two.
        since = ("--since", day(-100)[:10], "--until", day(2)[:10])
        before = [gw.json("report", "--by", by, *since)
                  for by in ("track", "unit", "responder", "month")]
        log_before = gw.consult_log(1)
        check(blanked_events(gw) == [], "nothing blanked yet")
        check(all(t for (t,) in texts(gw.db, 1)), texts(gw.db, 1))

        gw.start()
        ev = gw.wait(lambda: blanked_events(gw), 10, "texts_blanked event")
        check(all(t == "" for (t,) in texts(gw.db, 1)),
              "consult 1 blanked: %r" % texts(gw.db, 1))
        # Consult 3's SMS that went out are blanked, its request is not.
        sent3 = rows(gw.db, "SELECT count(*) FROM outbox WHERE consult_id = 3"
                     " AND text = ''")[0][0]
        in1 = rows(gw.db, "SELECT count(*) FROM inbox WHERE consult_id = 1")
        out1 = rows(gw.db, "SELECT count(*) FROM outbox WHERE consult_id = 1")
        want = "%d rows (consults 1, inbox %d, outbox %d)" % (
            1 + in1[0][0] + out1[0][0] + sent3, in1[0][0], out1[0][0] + sent3)
        check(ev == [want], "%r, want %r" % (ev, want))
        check(all(t for (t,) in texts(gw.db, 2)), "recent kept: %r" %
              texts(gw.db, 2))
        kept = rows(gw.db, "SELECT text FROM consults WHERE id = 3")
        check(kept == [("öppen yrsel",)], "open consult kept: %r" % kept)
        after = [gw.json("report", "--by", by, *since)
                 for by in ("track", "unit", "responder", "month")]
        check(after == before, "reports unchanged:\n%r\n%r" % (before,
                                                              after))
        log_after = gw.consult_log(1)
        check(log_after["log"] == log_before["log"], "events unchanged")
        # Nothing left to blank: no second event after a restart.
        gw.stop()
        gw.start()
        time.sleep(1)
        check(len(blanked_events(gw)) == 1, blanked_events(gw))

    run(gw, body)


def copy_sane(path, at_least):
    """Opens a backup: quick_check ok, every SMS committed before it was
    taken, ids without holes, every consult's SMS there."""
    check(stat.S_IMODE(os.stat(path).st_mode) == 0o600, "mode 0600")
    check(not os.path.exists(path + "-wal"), "one file, no -wal")
    check(rows(path, "PRAGMA quick_check") == [("ok",)], "quick_check")
    ids = [i for (i,) in rows(path, "SELECT id FROM inbox ORDER BY id")]
    check(len(ids) >= at_least, "%d SMS in the copy, %d were committed"
          % (len(ids), at_least))
    check(ids == list(range(1, len(ids) + 1)), "inbox ids %r" % ids[:5])
    orphans = rows(path, "SELECT count(*) FROM consults c WHERE NOT EXISTS"
                   " (SELECT 1 FROM inbox i WHERE i.id = c.inbox_id)")
    check(orphans == [(0,)], "consults without their SMS: %r" % orphans)
    return len(ids)


def test_backup_while_sms_stream_in():
    gw = Gateway(daemon_extra="request_limit = 0")
    total = 60

    def stream():
        for i in range(total):
            gw.inject(REQUESTER, "AKUT KARD ström %d" % i)
            time.sleep(0.05)

    def body(gw):
        t = threading.Thread(target=stream)
        t.start()
        try:
            gw.wait(lambda: rows(gw.db, "SELECT count(*) FROM inbox")[0][0]
                    >= 5, 20, "SMS stored")
            counts = []
            for k in range(3):
                path = os.path.join(gw.dir, "backup-%d.db" % k)
                committed = rows(gw.db, "SELECT count(*) FROM inbox")[0][0]
                r = gw.ctl("backup", path)
                check("quick_check ok" in r.stdout.decode(), r.stdout)
                counts.append(copy_sane(path, committed))
                time.sleep(0.3)
        finally:
            t.join()
        check(glob.glob(os.path.join(gw.dir, "*.tmp-*")) == [],
              "no temporary file left")
        check(counts[-1] < total, "backups were taken during the stream: "
              "%r" % counts)
        gw.wait(lambda: rows(gw.db, "SELECT count(*) FROM inbox")[0][0]
                == total, 30, "every SMS stored")
        # An existing file is not replaced without --force.
        path = os.path.join(gw.dir, "backup-0.db")
        before = os.stat(path)
        r = gw.ctl("backup", path, ok=False)
        check(r.returncode == 1 and b"--force" in r.stderr, r.stderr)
        check(os.stat(path).st_mtime_ns == before.st_mtime_ns, "untouched")
        r = gw.ctl("--json", "backup", "--force", path)
        check(copy_sane(path, total) == total, "forced backup holds all")
        check(b'"quick_check": "ok"' in r.stdout, r.stdout)
        r = gw.ctl("backup", os.path.join(gw.dir, "nodir", "x.db"), ok=False)
        check(r.returncode == 1, "a directory that does not exist")
        # jourd went on: it answers, and the copies hold its consults.
        check(len(gw.consults()) == total, "consults %d" % len(gw.consults()))

    run(gw, body)
