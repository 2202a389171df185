#!/usr/bin/env python3
"""Crash campaign: streams requests and replies into the dummy phone, kills
jourd with SIGKILL at random moments (also right after an injection, while
the parent or the worker is mid-transaction), restarts it, and at the end
proves from the database, the outbox and the phone that no inbound SMS was
lost or processed twice, no page was lost or doubled, every escalation that
fell due while jourd was down fired after the restart and no consult is stuck.

    python3 tests/crash/crashtest.py [--runs N] [--messages M] [--seed S]

Prints the seed (a failure is reproduced with --seed), one figures line and
`crashtest: N passed, N failed`. Exit status 0 only when every check passed.
"""
import argparse
import glob
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))

from harness import (Gateway, SanitizerReport, TestFailure,  # noqa: E402
                     roster)

ACK_TIMEOUT = 2.0               # seconds: escalations fall due while down
STEPS = ("primary", "backup", "chief")
# How late a due step may fire once jourd is up (2 shared cores, sweeps).
FIRE_SLACK = 6.0

# Numbers from the range reserved for fiction (070-174 06 05 … 06 99).
REQUESTERS = ["+4670174061%d" % i for i in range(5)]
RESPONDERS = {
    "KARD": ["+46701740640", "+46701740641", "+46701740642"],
    "ORT": ["+46701740650", "+46701740651", "+46701740652"],
}

UNITS_CSV = """code,name,kind,phone,hours
KARD,"Kardiologi, Falu lasarett",specialty,+46701740630,always
ORT,"Ortopedi, Mora lasarett",specialty,+46701740631,always
ORSA,Orsa vårdcentral,health_centre,+46701740632,always
"""


def people_csv():
    rows = ["name,phone,title,unit,can_request"]
    for i, p in enumerate(REQUESTERS):
        rows.append("Beställare %d,%s,Distriktsläkare,ORSA,yes" % (i, p))
    for unit, phones in sorted(RESPONDERS.items()):
        for role, p in zip(STEPS, phones):
            rows.append("%s %s,%s,Överläkare,%s,no" % (unit, role, p, unit))
    return "\n".join(rows) + "\n"


def roster_csv():
    return roster([(unit, role, p) for unit, phones in sorted(RESPONDERS.items())
                   for role, p in zip(STEPS, phones)])


def now_ms():
    return int(time.time() * 1000)


class CrashGateway(Gateway):
    """A Gateway that is killed and restarted many times; remembers when
    it was up, so due times can be judged against the downtime."""

    def __init__(self):
        Gateway.__init__(self, ack_timeout="%ds" % ACK_TIMEOUT,
                         escalation=" ".join(STEPS), repeat=0,
                         roster_csv=roster_csv(), units_csv=UNITS_CSV,
                         people_csv=people_csv(), reply_period="1h",
                         # A stream of requests from five phones: no limit.
                         daemon_extra="request_limit = 0")
        self.up = []            # [start_ms, kill_ms or None]
        self.worker_linger = 0.0

    def launch(self, wait_ready=True):
        """Starts jourd; waits until this very process reports the modem
        ready (the status row of the killed one still says ready)."""
        self.log.write(b"---- crashtest: start\n")
        self.log.flush()
        self.up.append([now_ms(), None])
        self.proc = subprocess.Popen([self.jourd_bin(), "-d", "-c", self.conf],
                                     stdout=self.log, stderr=self.log)
        if not wait_ready:
            return

        def ready():
            s = self.status()
            return s.get("running") and s.get("pid") == self.proc.pid and \
                s["modem"]["state"] == "ready"
        self.wait(ready, 20, "jourd %d ready" % self.proc.pid)

    @staticmethod
    def jourd_bin():
        from harness import JOURD
        return JOURD

    def children(self):
        try:
            with open("/proc/%d/task/%d/children" % (self.proc.pid,
                                                     self.proc.pid)) as f:
                return [int(x) for x in f.read().split()]
        except OSError:
            return []

    def crash(self):
        """SIGKILL, then waits until the modem worker has followed its
        parent: two workers on one phone would be a bug of its own."""
        kids = self.children()
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.up[-1][1] = now_ms()
        self.proc = None
        t0 = time.monotonic()
        for pid in kids:
            while os.path.exists("/proc/%d" % pid) and \
                    not self.zombie(pid):
                if time.monotonic() - t0 > 10:
                    raise TestFailure("modem worker %d outlived its parent "
                                      "by 10 s" % pid)
                time.sleep(0.02)
        self.worker_linger = max(self.worker_linger, time.monotonic() - t0)

    @staticmethod
    def zombie(pid):
        try:
            with open("/proc/%d/stat" % pid) as f:
                return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
        except OSError:
            return True

    def clean_stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(20)
        self.up[-1][1] = now_ms()
        self.proc = None

    def db_ro(self):
        con = sqlite3.connect("file:%s?mode=ro" % self.db, uri=True, timeout=10)
        con.row_factory = sqlite3.Row
        return con

    def phone_files(self):
        return [f for f in glob.glob(os.path.join(self.phone, "sms", "1", "*"))
                if os.path.basename(f).isdigit()]


class Campaign:
    def __init__(self, gw, rng, runs, messages):
        self.gw = gw
        self.rng = rng
        self.runs_wanted = runs
        self.messages_wanted = messages
        self.injected = []      # (sender, text, kind)
        self.seen = set()       # (sender, text) already injected
        self.requests = 0
        self.runs = 0
        self.kills = 0
        self.startup_kills = 0
        self.triggered = {}     # trigger: kills that landed right after it

    # -- the stream ------------------------------------------------------
    def inject(self, sender, text, kind):
        if (sender, text) in self.seen:
            return False
        self.seen.add((sender, text))
        self.gw.inject(sender, text)
        self.injected.append((sender, text, kind))
        return True

    def request(self):
        n = self.requests
        self.requests += 1
        unit = self.rng.choice(sorted(RESPONDERS))
        self.inject(self.rng.choice(REQUESTERS),
                    "AKUT %s crash-%d bröstsmärta, ring mig" % (unit, n),
                    "request")

    def candidates(self):
        """Replies that make sense now, from the pages actually sent."""
        try:
            con = self.gw.db_ro()
            rows = con.execute(
                "SELECT p.to_phone, p.code, c.state, c.acked_by"
                " FROM pages p JOIN consults c ON c.id = p.consult_id"
                " JOIN outbox o ON o.id = p.outbox_id WHERE o.state = 'sent'"
                " AND c.state IN ('open', 'acknowledged')").fetchall()
            con.close()
        except sqlite3.Error:
            return []
        out = []
        for r in rows:
            if r["state"] == "open":
                verb = "OK" if self.rng.random() < 0.75 else "NEJ"
                out.append((r["to_phone"], "%s %d" % (verb, r["code"])))
            elif r["acked_by"] == r["to_phone"]:
                out.append((r["to_phone"], "KLAR %d RAD" % r["code"]))
        return [c for c in out if c not in self.seen]

    def batch(self):
        """One burst: a few requests and replies in random order."""
        n = self.rng.randint(3, 14)
        replies = self.candidates()
        self.rng.shuffle(replies)
        for _ in range(n):
            if replies and self.rng.random() < 0.5:
                sender, text = replies.pop()
                self.inject(sender, text, "reply")
            else:
                self.request()

    def pause(self):
        """How long to let jourd work before the kill: often almost not at
        all (mid-sweep, mid-transaction), sometimes past an ack_timeout."""
        x = self.rng.random()
        if x < 0.3:
            return self.rng.uniform(0, 0.08)
        if x < 0.7:
            return self.rng.uniform(0.08, 1.0)
        return self.rng.uniform(1.0, ACK_TIMEOUT * 1.6)

    # What a kill may wait for: the moment right after jourd committed an
    # SMS (before the worker deletes it from the phone), a message in
    # flight to the modem, or just a random delay.
    TRIGGERS = {
        "committed": "SELECT count(*) FROM inbox",
        "sending": "SELECT count(*) FROM outbox WHERE state = 'sending'",
    }

    def baseline(self, trigger):
        if trigger not in self.TRIGGERS:
            return None
        try:
            con = self.gw.db_ro()
            n = con.execute(self.TRIGGERS[trigger]).fetchone()[0]
            con.close()
            return n
        except sqlite3.Error:
            return None

    def await_trigger(self, trigger, before, timeout):
        """Polls every millisecond until the trigger's count moved; True
        when it did (the kill then lands within a few ms of it)."""
        if trigger not in self.TRIGGERS or before is None:
            time.sleep(self.pause())
            return False
        deadline = time.monotonic() + timeout
        con = self.gw.db_ro()
        try:
            while time.monotonic() < deadline:
                try:
                    n = con.execute(self.TRIGGERS[trigger]).fetchone()[0]
                except sqlite3.Error:
                    n = before
                if n != before and (trigger != "sending" or n > 0):
                    return True
                time.sleep(0.001)
        finally:
            con.close()
        return False

    def run(self):
        gw = self.gw
        while self.runs < self.runs_wanted or \
                len(self.injected) < self.messages_wanted:
            self.runs += 1
            if self.runs > 1 and self.rng.random() < 0.1:
                # Killed while starting: migrations, requeue, first sweep.
                gw.launch(wait_ready=False)
                time.sleep(self.rng.uniform(0, 0.4))
                gw.crash()
                self.kills += 1
                self.startup_kills += 1
            gw.launch()
            trigger = self.rng.choice(("time", "time", "committed",
                                       "committed", "sending"))
            before = self.baseline(trigger)
            if trigger == "sending":
                before = 0
            self.batch()
            if self.await_trigger(trigger, before, ACK_TIMEOUT * 1.5):
                self.triggered[trigger] = self.triggered.get(trigger, 0) + 1
            if self.rng.random() < 0.3:
                self.batch()
                time.sleep(self.rng.uniform(0, 0.05))
            gw.crash()
            self.kills += 1
            # Down for a while: sometimes long enough for steps to fall due.
            time.sleep(self.rng.uniform(0, ACK_TIMEOUT * 1.5))
            if self.runs % 10 == 0:
                print("  run %d: %d kills, %d messages" % (
                    self.runs, self.kills, len(self.injected)), flush=True)

    def settle(self, timeout):
        """Restarts once more and waits until jourd has nothing left to do:
        phone read, outbox sent, no escalation timer left."""
        gw = self.gw
        gw.launch()

        def idle():
            if gw.phone_files():
                return False
            con = gw.db_ro()
            busy = con.execute(
                "SELECT (SELECT count(*) FROM outbox WHERE state IN"
                " ('queued', 'sending')) + (SELECT count(*) FROM legs"
                " WHERE due_at IS NOT NULL)").fetchone()[0]
            con.close()
            return busy == 0
        try:
            gw.wait(idle, timeout, "jourd to settle")
        finally:
            gw.clean_stop()


class Verdict:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.lost = 0
        self.dups = 0
        self.stuck = 0

    def check(self, name, problems, limit=5):
        if problems:
            self.failed += 1
            print("FAIL %-34s %d problem(s)" % (name, len(problems)))
            for p in problems[:limit]:
                print("       %s" % p)
        else:
            self.passed += 1
            print("ok   %s" % name)


def fire_deadline(up, due):
    """The latest time a step due at `due` (ms) may fire: FIRE_SLACK after
    jourd was first up at or after due and stayed up that long. None when
    no later run gave it the chance."""
    slack = int(FIRE_SLACK * 1000)
    for start, end in up:
        if end is not None and end < due:
            continue
        at = max(start, due) + slack
        if end is None or at <= end:
            return at
    return None


def verify(camp, v):
    gw = camp.gw
    con = gw.db_ro()
    q = con.execute
    ack_ms = int(ACK_TIMEOUT * 1000)

    # 1. Every injected SMS stored exactly once; the phone is empty.
    counts = {}
    for r in q("SELECT sender, text FROM inbox"):
        counts[(r["sender"], r["text"])] = counts.get(
            (r["sender"], r["text"]), 0) + 1
    lost = [m for m in camp.injected if counts.get((m[0], m[1]), 0) == 0]
    twice = [m for m in camp.injected if counts.get((m[0], m[1]), 0) > 1]
    extra = [k for k in counts if k not in camp.seen]
    v.lost += len(lost)
    v.dups += len(twice)
    v.check("inbound: every SMS stored once", ["lost %r" % (m,) for m in lost] +
            ["stored %d times %r" % (counts[(m[0], m[1])], m) for m in twice] +
            ["never injected %r" % (k,) for k in extra])
    pending = q("SELECT id, sender, text FROM inbox WHERE outcome = 'pending'"
                ).fetchall()
    v.check("inbound: none left pending", [tuple(r) for r in pending])
    left = gw.phone_files()
    v.lost += len(left)
    v.check("phone: inbox directory empty", left)

    # 2. Every request made exactly one consult, tied to its inbox row.
    by_tag = {}
    for r in q("SELECT c.id, c.text, c.inbox_id, i.text AS itext FROM consults c"
               " LEFT JOIN inbox i ON i.id = c.inbox_id"):
        tag = r["text"].split()[0] if r["text"] else ""
        by_tag.setdefault(tag, []).append(r)
    problems = []
    for sender, text, kind in camp.injected:
        if kind != "request":
            continue
        tag = text.split()[2]
        got = by_tag.get(tag, [])
        if len(got) == 0:
            problems.append("no consult for %s" % tag)
            v.lost += 1
        elif len(got) > 1:
            problems.append("%d consults for %s" % (len(got), tag))
            v.dups += len(got) - 1
        elif got[0]["itext"] != text:
            problems.append("consult %d not tied to its SMS" % got[0]["id"])
    v.check("requests: one consult each", problems)

    # 3. No consult stuck: terminal, or acknowledged and waiting for KLAR.
    stuck = [tuple(r) for r in q(
        "SELECT id, state FROM consults WHERE state NOT IN ('acknowledged',"
        " 'resolved', 'unanswered', 'cancelled', 'rejected')")]
    stuck += [tuple(r) for r in q(
        "SELECT consult_id, idx, state, due_at FROM legs WHERE due_at IS NOT"
        " NULL OR state IN ('waiting', 'paging')")]
    stuck += ["outbox %d %s" % (r[0], r[1]) for r in q(
        "SELECT id, state FROM outbox WHERE state <> 'sent'")]
    v.stuck += len(stuck)
    v.check("consults and outbox: nothing stuck", stuck)

    # 4. Pages: one per step, each in the outbox and sent; counts agree.
    problems = []
    for r in q("SELECT consult_id, leg, step, count(*) AS n FROM pages"
               " GROUP BY consult_id, leg, step HAVING n > 1"):
        problems.append("consult %d leg %d step %d paged %d times" % (
            r["consult_id"], r["leg"], r["step"] + 1, r["n"]))
        v.dups += r["n"] - 1
    for r in q("SELECT p.id, p.consult_id, o.state FROM pages p LEFT JOIN"
               " outbox o ON o.id = p.outbox_id WHERE o.state IS NOT 'sent'"
               " OR o.kind IS NOT 'page' OR o.to_phone <> p.to_phone"):
        problems.append("page %d of consult %d: outbox %s" % tuple(r))
        v.lost += 1
    for r in q("SELECT c.id, c.pages_sent, (SELECT count(*) FROM pages p WHERE"
               " p.consult_id = c.id) AS pages, (SELECT count(*) FROM events e"
               " WHERE e.consult_id = c.id AND e.type = 'paged') AS ev,"
               " (SELECT count(*) FROM outbox o WHERE o.consult_id = c.id AND"
               " o.kind = 'page') AS ob FROM consults c"):
        if not r["pages_sent"] == r["pages"] == r["ev"] == r["ob"]:
            problems.append("consult %d: pages_sent %d, pages %d, paged "
                            "events %d, outbox pages %d" % tuple(r))
    v.check("pages: each step once, none lost", problems)

    # 5. Escalations: an unanswered consult paged every step, each step
    # ack_timeout after the last and no later than FIRE_SLACK after jourd
    # was up at its due time (the ones due while down fired after restart).
    problems = []
    due_down = 0
    cons = q("SELECT id, state, max_step, created_at FROM consults WHERE"
             " state <> 'rejected'").fetchall()
    for c in cons:
        pages = q("SELECT step, created_at FROM pages WHERE consult_id = ?"
                  " ORDER BY step", (c["id"],)).fetchall()
        declined = q("SELECT count(*) FROM events WHERE consult_id = ? AND"
                     " type = 'declined'", (c["id"],)).fetchone()[0]
        steps = [p["step"] for p in pages]
        if c["state"] == "unanswered" and steps != list(range(len(STEPS))):
            problems.append("consult %d unanswered after steps %r" % (
                c["id"], steps))
        ends = [r[0] for r in q("SELECT ts FROM events WHERE consult_id = ?"
                                " AND type IN ('acknowledged', 'cancelled',"
                                " 'unanswered', 'declined') ORDER BY ts",
                                (c["id"],))]
        times = [p["created_at"] for p in pages]
        if c["state"] == "unanswered":
            times.append(ends[-1] if ends else None)
        for k in range(1, len(times)):
            due = times[k - 1] + ack_ms
            at = times[k]
            if at is None:
                problems.append("consult %d: no unanswered event" % c["id"])
                continue
            if declined:
                continue            # a NEJ escalates at once
            if at < due - 50:
                problems.append("consult %d step %d fired %d ms early" % (
                    c["id"], k + 1, due - at))
            if not any(s <= due and (e is None or due <= e) for s, e in gw.up):
                due_down += 1
            limit = fire_deadline(gw.up, due)
            if limit is not None and at > limit:
                problems.append("consult %d step %d fired %.1f s after due, "
                                "allowed until %.1f s" % (
                                    c["id"], k + 1, (at - due) / 1000.0,
                                    (limit - due) / 1000.0))
    v.check("escalations: every due step fired in time", problems)
    camp.due_down = due_down

    # 6. Nothing done or answered twice.
    problems = []
    for r in q("SELECT consult_id, type, count(*) AS n FROM events WHERE"
               " consult_id IS NOT NULL AND type IN ('created', 'acknowledged',"
               " 'resolved', 'unanswered', 'cancelled') GROUP BY consult_id,"
               " type HAVING n > 1"):
        problems.append("consult %d: %d %s events" % (
            r["consult_id"], r["n"], r["type"]))
    for r in q("SELECT to_phone, text, count(*) AS n FROM outbox WHERE kind IN"
               " ('page', 'notify', 'stand_down', 'admin') GROUP BY to_phone,"
               " text HAVING n > 1"):
        problems.append("%d times to %s: %s" % (r["n"], r["to_phone"],
                                                r["text"][:70]))
    for r in q("SELECT c.id, (SELECT count(*) FROM outbox o WHERE o.consult_id"
               " = c.id AND o.kind = 'notify' AND o.text LIKE 'Mottaget #%')"
               " AS n FROM consults c WHERE c.state <> 'rejected'"):
        if r["n"] != 1:
            problems.append("consult %d: %d receipts" % (r["id"], r["n"]))
    for r in q("SELECT c.id, (SELECT count(*) FROM outbox o WHERE o.consult_id"
               " = c.id AND o.kind = 'reply' AND o.text LIKE 'Kvitterat #%')"
               " AS n FROM consults c WHERE c.acked_at IS NOT NULL"):
        if r["n"] != 1:
            problems.append("consult %d: %d ack confirmations" % (r["id"],
                                                                   r["n"]))
    v.dups += len(problems)
    v.check("answers: nothing done twice", problems)

    # 7. The stream really was what the figures say.
    states = dict(q("SELECT state, count(*) FROM consults GROUP BY state"
                    ).fetchall())
    camp.states = states
    camp.resent = q("SELECT count(*) FROM outbox WHERE attempts > 1"
                    ).fetchone()[0]
    camp.outbox = q("SELECT count(*) FROM outbox").fetchone()[0]
    camp.pages = q("SELECT count(*) FROM pages").fetchone()[0]
    replies = sum(1 for m in camp.injected if m[2] == "reply")
    v.check("campaign: kills, replies and all outcomes happened", [] if (
        camp.kills >= camp.runs and replies > 0 and
        states.get("acknowledged", 0) + states.get("resolved", 0) > 0 and
        states.get("unanswered", 0) > 0) else
        ["kills %d runs %d replies %d states %r" % (
            camp.kills, camp.runs, replies, states)])
    con.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=12,
                    help="daemon lifetimes, each ended by SIGKILL")
    ap.add_argument("--messages", type=int, default=100,
                    help="keep going until this many SMS were injected")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--settle", type=float, default=120,
                    help="seconds allowed for the final restart to catch up")
    a = ap.parse_args()
    seed = a.seed if a.seed is not None else random.SystemRandom().randrange(
        1 << 31)
    print("crashtest: seed %d (repeat with --seed %d)" % (seed, seed),
          flush=True)
    rng = random.Random(seed)
    t0 = time.monotonic()
    gw = CrashGateway()
    camp = Campaign(gw, rng, a.runs, a.messages)
    v = Verdict()
    keep = False
    try:
        try:
            camp.run()
            camp.settle(a.settle)
        except TestFailure as e:
            v.check("campaign ran", [str(e)])
            keep = True
            if gw.proc is not None:
                gw.crash()
        verify(camp, v)
    finally:
        keep = keep or v.failed > 0
        repeats = gw.daemon_log().count("repeat of a committed SMS")
        if keep:
            os.environ["KEEP_TEST_DIRS"] = "1"
        try:
            gw.close()
        except SanitizerReport as e:
            v.check("no sanitizer report", [str(e)])
    replies = sum(1 for m in camp.injected if m[2] == "reply")
    print("crashtest: runs %d, kills %d, messages %d, lost %d, duplicates %d, "
          "stuck %d" % (camp.runs, camp.kills, len(camp.injected), v.lost,
                        v.dups, v.stuck))
    print("crashtest: %d requests, %d replies, %d pages, %d outbox SMS "
          "(%d re-sent after a kill), consults %s, %d steps due while down, "
          "%d kills during start-up, kills right after %s, %d committed "
          "SMS read again and recognised, worker gone %.2f s after its "
          "parent at worst, %.0f s" % (
              camp.requests, replies, getattr(camp, "pages", 0),
              getattr(camp, "outbox", 0), getattr(camp, "resent", 0),
              getattr(camp, "states", {}), getattr(camp, "due_down", 0),
              camp.startup_kills, camp.triggered, repeats, gw.worker_linger,
              time.monotonic() - t0))
    print("crashtest: %d passed, %d failed" % (v.passed, v.failed))
    return 1 if v.failed or v.passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
