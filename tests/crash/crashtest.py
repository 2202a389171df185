#!/usr/bin/env python3
"""crashtest: streams requests and replies into jourd's dummy phone and kills
the daemon with SIGKILL at random moments, many times, restarting it each
time; then proves from the database and the outbox that nothing was lost,
nothing was done twice and nothing is stuck.

    python3 tests/crash/crashtest.py [--kills K] [--messages M] [--seed S]

Every SMS gets its own service-centre time stamp, so no two are ever the
same message to jourd's deduplication: a message missing from the inbox
table is lost, and a request that made two consults was processed twice.
The escalation timeout is 2 s and the daemon is often left down for longer,
so steps fall due while nobody is running and must fire after the restart.
Prints the figures and ends with 'crashtest: N passed, N failed'.
"""
import argparse
import glob
import os
import random
import sqlite3
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))

from harness import (Gateway, roster, REQUESTER, REQUESTER2,  # noqa: E402
                     PRIMARY, BACKUP, CHIEF, STRANGER)

# jourctl reads --time in Stockholm time; so must the expected stamps.
os.environ["TZ"] = "Europe/Stockholm"
time.tzset()

ROLES = ("primary", "backup", "chief")
ACK_TIMEOUT_S = 2
# The first SMS's service-centre time; each next one is a second later.
BASE = time.mktime(time.strptime("2026-01-01 00:00:00", "%Y-%m-%d %H:%M:%S"))


def smsc(n):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(BASE + n))


class Campaign:
    def __init__(self, args):
        self.rng = random.Random(args.seed)
        self.args = args
        rows = roster([("KARD", r, p) for r, p in
                       zip(ROLES, (PRIMARY, BACKUP, CHIEF))])
        self.gw = Gateway(ack_timeout="%ds" % ACK_TIMEOUT_S,
                          escalation=" ".join(ROLES), roster_csv=rows,
                          reply_period="1s")
        self.sent = []          # (n, sender, text)
        self.requests = {}      # tag -> n
        self.kills = 0
        self.runs = 0
        self.down_long = 0

    # -- the database, read-only -----------------------------------------
    def query(self, sql, args=()):
        for _ in range(20):
            try:
                db = sqlite3.connect("file:%s?mode=ro" % self.gw.db, uri=True,
                                     timeout=5)
                try:
                    return db.execute(sql, args).fetchall()
                finally:
                    db.close()
            except sqlite3.OperationalError:
                time.sleep(0.05)
        raise RuntimeError("database unreadable: " + sql)

    # -- traffic -----------------------------------------------------------
    def message(self, n):
        """The n-th SMS: a request, or a reply to a page that exists now."""
        r = self.rng.random()
        if r < 0.55:
            pages = self.query(
                "SELECT p.to_phone, p.code, c.state FROM pages p JOIN consults c"
                " ON c.id = p.consult_id WHERE p.closed_at IS NULL")
            if pages:
                to, code, state = self.rng.choice(pages)
                if state == "acknowledged":
                    return to, "KLAR %d RAD" % code
                verb = "OK" if self.rng.random() < 0.8 else "NEJ"
                return to, "%s %d" % (verb, code)
        if r > 0.95:
            return STRANGER, "hej vem är detta %d" % n
        tag = "crash-%d" % n
        self.requests[tag] = n
        who = REQUESTER if self.rng.random() < 0.5 else REQUESTER2
        return who, "AKUT KARD %s bröstsmärta, ring tillbaka" % tag

    def inject(self, n):
        sender, text = self.message(n)
        self.gw.ctl("inject", "--time", smsc(n), sender, text)
        self.sent.append((n, sender, text))

    def kill_and_restart(self):
        self.gw.kill()
        self.kills += 1
        # Often down for longer than a step: escalations fall due meanwhile.
        if self.rng.random() < 0.3:
            self.down_long += 1
            time.sleep(ACK_TIMEOUT_S + self.rng.random())
        self.gw.start()
        self.runs += 1

    def run(self):
        a = self.args
        self.gw.start()
        self.runs = 1
        kill_every = max(1, a.messages // a.kills)
        n = 0
        while n < a.messages:
            burst = self.rng.randint(1, 2 * kill_every - 1)
            for _ in range(min(burst, a.messages - n)):
                self.inject(n)
                n += 1
                if self.rng.random() < 0.2:
                    time.sleep(self.rng.random() * 0.2)
            if self.kills < a.kills:
                # 0 to 600 ms: before the sweep, mid-transaction, mid-send.
                time.sleep(self.rng.choice((0, 0.05, 0.15, 0.3, 0.6)) *
                           self.rng.random())
                self.kill_and_restart()
        while self.kills < a.kills:
            time.sleep(self.rng.random() * 0.5)
            self.kill_and_restart()

    # -- the proof -----------------------------------------------------------
    def settle(self, timeout):
        """Waits until the phone is read, the outbox empty and no step is
        due; returns whether it got there."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            waiting = glob.glob(os.path.join(self.gw.phone, "sms", "1", "*"))
            busy = self.query(
                "SELECT (SELECT count(*) FROM outbox WHERE state IN"
                " ('queued', 'sending')) + (SELECT count(*) FROM legs WHERE"
                " state IN ('waiting', 'paging'))")[0][0]
            if not waiting and busy == 0:
                return True
            time.sleep(0.5)
        return False

    def verify(self):
        checks = []

        def check(name, ok, detail=""):
            checks.append((name, ok, detail))

        settled = self.settle(30 + 4 * ACK_TIMEOUT_S * len(ROLES))
        check("settled: phone read, outbox sent, no step waiting", settled)
        now_ms = int(time.time() * 1000)

        inbox = self.query("SELECT sender, smsc_at, text, outcome FROM inbox")
        stored = {}
        for sender, at, text, outcome in inbox:
            stored.setdefault((sender, at // 1000), []).append((text, outcome))
        lost = [(n, s, t) for n, s, t in self.sent
                if (s, int(BASE) + n) not in stored]
        dup_inbox = sum(len(v) - 1 for v in stored.values() if len(v) > 1)
        check("no inbound SMS lost", not lost, repr(lost[:5]))
        check("each SMS stored once", dup_inbox == 0, "%d" % dup_inbox)
        check("each SMS handled (an outcome recorded)",
              all(o for _, _, _, o in inbox))

        consults = self.query("SELECT id, text, state FROM consults")
        per_tag = {}
        for cid, text, state in consults:
            tag = next((w for w in text.split() if w.startswith("crash-")), None)
            per_tag.setdefault(tag, []).append((cid, state))
        missing = [t for t in self.requests if t not in per_tag]
        twice = {t: v for t, v in per_tag.items() if len(v) > 1}
        check("every request made a consult", not missing, repr(missing[:5]))
        check("no request made two consults", not twice, repr(list(twice)[:5]))

        dup_pages = self.query(
            "SELECT consult_id, leg, step, count(*) FROM pages"
            " GROUP BY consult_id, leg, step HAVING count(*) > 1")
        check("no step paged twice", not dup_pages, repr(dup_pages[:5]))
        unsent = self.query(
            "SELECT p.id FROM pages p LEFT JOIN outbox o ON o.id = p.outbox_id"
            " WHERE o.state IS NOT 'sent'")
        check("every page sent", not unsent, repr(unsent[:5]))
        bad_outbox = self.query(
            "SELECT id, state, kind FROM outbox WHERE state <> 'sent'")
        check("every outbox row sent", not bad_outbox, repr(bad_outbox[:5]))

        # A consult nobody acknowledged pages every role, once each.
        short = self.query(
            "SELECT c.id, count(p.id) FROM consults c JOIN pages p ON"
            " p.consult_id = c.id WHERE c.state = 'unanswered' AND NOT EXISTS"
            " (SELECT 1 FROM events e WHERE e.consult_id = c.id AND e.type ="
            " 'declined') GROUP BY c.id HAVING count(p.id) <> ?", (len(ROLES),))
        check("every unanswered consult paged every step", not short,
              repr(short[:5]))
        stuck = self.query(
            "SELECT c.id, c.state FROM consults c WHERE c.state IN ('open',"
            " 'queued') OR EXISTS (SELECT 1 FROM legs l WHERE l.consult_id ="
            " c.id AND l.due_at IS NOT NULL AND l.due_at < ?)", (now_ms,))
        check("no consult stuck", not stuck, repr(stuck[:5]))

        twice_told = self.query(
            "SELECT consult_id, detail, count(*) FROM events WHERE type ="
            " 'acknowledged' GROUP BY consult_id, detail HAVING count(*) > 1")
        check("no leg acknowledged twice", not twice_told,
              repr(twice_told[:5]))
        receipts = self.query(
            "SELECT consult_id, count(*) FROM outbox WHERE kind = 'notify' AND"
            " text LIKE 'Mottaget%' GROUP BY consult_id HAVING count(*) <> 1")
        check("one receipt per consult", not receipts, repr(receipts[:5]))

        # A step that fell due while jourd was down pages after the restart,
        # later than its due time (the page before it + the timeout) by more
        # than a sweep; a step that fired on time is not late.
        escalations = self.query(
            "SELECT count(*) FROM events e WHERE e.type = 'escalated'")[0][0]
        late = self.query(
            "SELECT count(*) FROM pages p JOIN pages q ON q.consult_id ="
            " p.consult_id AND q.leg = p.leg AND q.step = p.step - 1"
            " WHERE p.created_at > q.created_at + ? + 1000",
            (ACK_TIMEOUT_S * 1000,))[0][0]
        check("steps that fell due while down fired after the restart",
              late > 0 or self.down_long == 0, "none was late: the campaign "
              "never left a step due while down")
        pages = self.query("SELECT count(*) FROM pages")[0][0]
        states = dict(self.query(
            "SELECT state, count(*) FROM consults GROUP BY state"))
        self.figures = dict(lost=len(lost), duplicates=dup_inbox + len(twice),
                            stuck=len(stuck), pages=pages, escalations=escalations, late=late,
                            consults=len(consults), states=states)
        return checks


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kills", type=int, default=100)
    ap.add_argument("--messages", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(1 << 32)
    print("crashtest: seed %d, %d kills over %d messages (rerun with --seed %d)"
          % (args.seed, args.kills, args.messages, args.seed), flush=True)
    c = Campaign(args)
    t0 = time.monotonic()
    ok = False
    try:
        c.run()
        checks = c.verify()
        for name, good, detail in checks:
            print("%s %s%s" % ("ok  " if good else "FAIL", name,
                               "" if good else ": " + detail))
        f = c.figures
        print("crashtest: runs %d, kills %d (%d left down past a step), "
              "messages %d, consults %d, pages %d, escalations %d (%d fired "
              "after a restart), lost %d, duplicates %d, stuck %d, %.0f s"
              % (c.runs, c.kills, c.down_long, len(c.sent), f["consults"],
                 f["pages"], f["escalations"], f["late"], f["lost"],
                 f["duplicates"], f["stuck"], time.monotonic() - t0))
        print("crashtest: consult states %s" % f["states"])
        passed = sum(1 for _, g, _ in checks if g)
        print("crashtest: %d passed, %d failed" % (passed, len(checks) - passed))
        ok = passed == len(checks)
    finally:
        if not ok:
            os.environ["KEEP_TEST_DIRS"] = "1"
        c.gw.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
