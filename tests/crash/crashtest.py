#!/usr/bin/env python3
"""Crash campaign: streams requests and replies into the dummy phone, kills
jourd with SIGKILL at random moments (also right after an injection, while
the parent or the worker is mid-transaction), restarts it, and at the end
proves from the database, the outbox and the phone that no inbound SMS was
lost or processed twice, no page was lost or doubled, every escalation that
fell due while jourd was down fired after the restart and no consult is stuck.

With --modems 2, jourd has two routes, [modem a] and [modem b], each a dummy
phone (phone-a, phone-b); SMS arrive on either at random (jourctl inject
--route), and the fault build (make faults) makes modem a hang in a send,
fail sends or crash at random moments, so that its queue and its message in
flight move to b while the kills go on. The verdict then also proves that
every SMS was read once over both phones, on the route it arrived on; that
every outbox row names the route that carried it; that every attempt beyond
the first is explained (a failed attempt, a send moved away from a silent
route, or a kill while it was in flight), a send moved at most once per
daemon lifetime; and that no answer left by the other route while its
arrival route was ready and untouched by a fault.

    python3 tests/crash/crashtest.py [--runs N] [--messages M] [--seed S]
                                     [--modems 1|2]

Prints the seed (a failure is reproduced with --seed), one figures line and
`crashtest: N passed, N failed`. Exit status 0 only when every check passed.
"""
import argparse
import glob
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))

from harness import (Gateway, SanitizerReport, TestFailure,  # noqa: E402
                     ROOT, roster)

ACK_TIMEOUT = 2.0               # seconds: escalations fall due while down
STEPS = ("primary", "backup", "chief")
# How late a due step may fire once jourd is up (2 shared cores, sweeps).
FIRE_SLACK = 6.0
# Two-modem mode: a route failing or silent this long is in trouble and its
# message in flight moves (checked at each 5 s heartbeat).
FAILOVER_AFTER = 2
# The test build with the modem worker's fault hook (make faults).
FAULTS_JOURD = os.environ.get("JOURD_FAULTS_BIN",
                              os.path.join(ROOT, "build-faults", "jourd"))
# What modem a is made to do now and then: hang with a send in flight (the
# parent moves the message to b after failover_after), fail the next sends
# (each goes at once to b), or crash (a lost attempt).
FAULTS = ("hang-send", "hang-send", "sendfail 1", "sendfail 3", "crash")

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

    def __init__(self, modems=1):
        extra = "request_limit = 0"
        if modems == 2:
            extra += "\nfailover_after = %ds" % FAILOVER_AFTER
            if not os.access(FAULTS_JOURD, os.X_OK):
                raise TestFailure("%s missing: run make faults" %
                                  FAULTS_JOURD)
        Gateway.__init__(self, ack_timeout="%ds" % ACK_TIMEOUT,
                         escalation=" ".join(STEPS), repeat=0,
                         roster_csv=roster_csv(), units_csv=UNITS_CSV,
                         people_csv=people_csv(), reply_period="1h",
                         # A stream of requests from five phones: no limit.
                         daemon_extra=extra,
                         jourd=FAULTS_JOURD if modems == 2 else None)
        self.up = []            # [start_ms, kill_ms or None, ready_ms]
        self.worker_linger = 0.0
        self.phones = {"main": self.phone}
        if modems == 2:
            self.two_modems()

    def two_modems(self):
        """[modem] becomes [modem a] and [modem b], two dummy phones; a is
        first in the file, so it carries what is not an answer."""
        self.phones = {n: os.path.join(self.dir, "phone-" + n)
                       for n in ("a", "b")}
        sections = "".join("[modem %s]\ndriver = dummy\ndevice = %s\n"
                           "sweep = 300ms\nreply_timeout = 10s\n" % (n, p)
                           for n, p in sorted(self.phones.items()))
        with open(self.conf) as f:
            text = f.read()
        old = ("[modem]\ndriver = dummy\ndevice = %s\nsweep = 300ms\n"
               "reply_timeout = 10s\n" % self.phone)
        if old not in text:
            raise TestFailure("the harness's [modem] section changed")
        with open(self.conf, "w") as f:
            f.write(text.replace(old, sections))

    def routes(self):
        return sorted(self.phones)

    def inject_into(self, route, sender, text):
        if route == "main":
            self.inject(sender, text)
        else:
            self.ctl("inject", "--route", route, sender, text)

    def fault(self, route, what):
        """Arms a fault in route's worker (the fault build reads and removes
        the file at its next turn)."""
        path = os.path.join(self.phones[route], "fault")
        with open(path + ".tmp", "w") as f:
            f.write(what + "\n")
        os.rename(path + ".tmp", path)

    def fault_pending(self, route):
        return os.path.exists(os.path.join(self.phones[route], "fault"))

    def launch(self, wait_ready=True):
        """Starts jourd; waits until this very process reports the modem
        ready (the status row of the killed one still says ready)."""
        self.log.write(b"---- crashtest: start\n")
        self.log.flush()
        self.up.append([now_ms(), None, None])
        self.proc = subprocess.Popen([self.jourd_bin(), "-d", "-c", self.conf],
                                     stdout=self.log, stderr=self.log)
        if not wait_ready:
            return

        def ready():
            s = self.status()
            if not s.get("running") or s.get("pid") != self.proc.pid:
                return False
            if list(self.phones) == ["main"]:
                return s["modem"]["state"] == "ready"
            return all(r["state"] == "ready" for r in s["routes"])
        self.wait(ready, 20, "jourd %d ready" % self.proc.pid)
        # Every route was ready by now (this poll's moment at the latest).
        self.up[-1][2] = now_ms()

    def jourd_bin(self):
        return self.jourd

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
        return [f for p in sorted(self.phones.values())
                for f in glob.glob(os.path.join(p, "sms", "1", "*"))
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
        self.two = gw.routes() != ["main"]
        self.faults = {}        # fault: times armed on modem a
        # Lifetimes (indexes into gw.up) in which modem a had a fault armed
        # or pending: answers that arrived on a may leave by b in them.
        self.faulty = set()
        # outbox id: kills that found it in flight ('sending').
        self.killed_sending = {}

    # -- the stream ------------------------------------------------------
    def inject(self, sender, text, kind):
        if (sender, text) in self.seen:
            return False
        self.seen.add((sender, text))
        route = self.rng.choice(self.gw.routes())
        self.gw.inject_into(route, sender, text)
        self.injected.append((sender, text, kind, route))
        return True

    def maybe_fault(self, always=False, what=None):
        """Two modems: now and then a fault on modem a, armed at this
        random moment of the lifetime."""
        if not self.two or (not always and self.rng.random() >= 0.45):
            return
        what = what or self.rng.choice(FAULTS)
        self.gw.fault("a", what)
        self.faults[what] = self.faults.get(what, 0) + 1
        self.faulty.add(len(self.gw.up) - 1)

    def crash(self):
        """SIGKILL, then notes what was in flight and whether a fault on
        a is still pending (the next lifetime's worker meets it)."""
        self.gw.crash()
        self.kills += 1
        try:
            con = self.gw.db_ro()
            for (oid,) in con.execute(
                    "SELECT id FROM outbox WHERE state = 'sending'"):
                self.killed_sending[oid] = self.killed_sending.get(oid, 0) + 1
            con.close()
        except sqlite3.Error as e:
            raise TestFailure("reading the outbox after a kill: %s" % e)
        if self.two and self.gw.fault_pending("a"):
            self.faulty.add(len(self.gw.up))

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
        # Two modems: a message just taken away from a (a failed attempt,
        # or a send held too long and moved to b), or a's trouble just told.
        "moved": "SELECT count(*) FROM outbox WHERE avoid = 'a'",
        "trouble": "SELECT count(*) FROM events WHERE type = 'route_trouble'",
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
                self.crash()
                self.startup_kills += 1
            gw.launch()
            triggers = ["time", "time", "committed", "committed", "sending"]
            if self.two:
                triggers += ["moved", "moved", "trouble"]
            trigger = self.rng.choice(triggers)
            # Every two-modem campaign makes a message move at least once
            # and a's trouble be told; the other runs choose at random.
            if self.two and self.runs in (2, 4):
                trigger = "moved" if self.runs == 2 else "trouble"
            before = self.baseline(trigger)
            if trigger == "sending":
                before = 0
            if trigger == "trouble":
                self.maybe_fault(always=True, what="hang-send")
            elif trigger == "moved" or self.rng.random() < 0.5:
                self.maybe_fault(always=trigger == "moved")
            self.batch()
            # A move waits for failover_after and the next heartbeat; the
            # trouble is told failover_after later, at a heartbeat.
            wait = {"moved": FAILOVER_AFTER + 7.0,
                    "trouble": 2 * FAILOVER_AFTER + 12.0}.get(
                        trigger, ACK_TIMEOUT * 1.5)
            if self.await_trigger(trigger, before, wait):
                self.triggered[trigger] = self.triggered.get(trigger, 0) + 1
            if self.rng.random() < 0.3:
                self.maybe_fault()
                self.batch()
                time.sleep(self.rng.uniform(0, 0.05))
            self.crash()
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
    for start, end, _ in up:
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
    for sender, text, kind, _ in camp.injected:
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
            if not any(s <= due and (e is None or due <= e) for s, e, _ in gw.up):
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
    # A route's trouble and return are told by texts that may repeat (the
    # same route, reason and minute in two lifetimes): bounded by the events
    # in verify_routes instead.
    for r in q("SELECT to_phone, text, count(*) AS n FROM outbox WHERE kind IN"
               " ('page', 'notify', 'stand_down', 'admin') AND text NOT LIKE"
               " 'jourd: vägen %' GROUP BY to_phone, text HAVING n > 1"):
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
    if camp.two:
        verify_routes(camp, v, q)
    v.check("campaign: kills, replies and all outcomes happened", [] if (
        camp.kills >= camp.runs and replies > 0 and
        states.get("acknowledged", 0) + states.get("resolved", 0) > 0 and
        states.get("unanswered", 0) > 0) else
        ["kills %d runs %d replies %d states %r" % (
            camp.kills, camp.runs, replies, states)])
    con.close()


MOVED = re.compile(r"outbox (\d+): (\S+) did not answer; sent again through "
                   r"another route")
FAILED = re.compile(r"outbox (\d+): attempt \d+ (?:through \S+ )?failed")
AFTER_ALL = re.compile(r"outbox (\d+): (\S+) sent it after all")


def lifetime_of(up, t):
    """The index of the daemon lifetime (gw.up) that was running at t."""
    for i, (start, end, _) in enumerate(up):
        if start <= t and (end is None or t <= end):
            return i
    return None


def verify_routes(camp, v, q):
    """The two-modem checks: routes of inbound SMS, of every outbox row, of
    answers, and every attempt beyond the first explained."""
    gw = camp.gw
    routes = gw.routes()

    # Each SMS was read on the phone it was injected into (and, above,
    # stored once over both phones).
    arrived = {(r["sender"], r["text"]): r["route"]
               for r in q("SELECT sender, text, route FROM inbox")}
    v.check("inbound: each SMS on the route it arrived on", [
        "%r injected into %s, stored as from %s" % (m[:2], m[3],
                                                     arrived[m[:2]])
        for m in camp.injected if m[:2] in arrived and
        arrived[m[:2]] != m[3]])

    # Every row names the route that carried it.
    v.check("outbox: every row records its route", [
        "outbox %d %s: route %r" % tuple(r) for r in q(
            "SELECT id, state, route FROM outbox WHERE route IS NULL OR"
            " route NOT IN (%s)" % ",".join("?" * len(routes)), routes)])

    # Every attempt beyond the first is explained, from the log of each
    # lifetime and the rows the kills found in flight.
    lives = gw.daemon_log().split("---- crashtest: start\n")[1:]
    moved, failed, after_all = {}, {}, {}
    problems = []
    for i, text in enumerate(lives):
        once = {}
        for m in MOVED.finditer(text):
            oid = int(m.group(1))
            moved[oid] = moved.get(oid, 0) + 1
            once[oid] = once.get(oid, 0) + 1
        problems += ["outbox %d moved %d times in lifetime %d" % (oid, n, i)
                     for oid, n in once.items() if n > 1]
        for m in FAILED.finditer(text):
            failed[int(m.group(1))] = failed.get(int(m.group(1)), 0) + 1
        for m in AFTER_ALL.finditer(text):
            oid = int(m.group(1))
            after_all[oid] = after_all.get(oid, 0) + 1
            if oid not in once:
                problems.append("outbox %d sent after all by %s in lifetime "
                                "%d, but not moved in it" % (
                                    oid, m.group(2), i))
    resends = 0
    for r in q("SELECT id, attempts, kind, to_phone FROM outbox"):
        oid = r["id"]
        why = camp.killed_sending.get(oid, 0) + failed.get(oid, 0) + \
            moved.get(oid, 0)
        if r["attempts"] - 1 > why:
            problems.append("outbox %d (%s to %s): %d attempts, %d explained "
                            "(kills in flight %d, failed %d, moved %d)" % (
                                oid, r["kind"], r["to_phone"], r["attempts"],
                                why + 1, camp.killed_sending.get(oid, 0),
                                failed.get(oid, 0), moved.get(oid, 0)))
        resends += min(moved.get(oid, 0), r["attempts"] - 1)
    v.dups += len(problems)
    v.check("outbox: every re-send explained, moved once at most", problems)
    camp.moved = sum(moved.values())
    camp.resends = resends
    camp.after_all = sum(after_all.values())
    camp.failed_attempts = sum(failed.values())

    # The trouble of a route is told once per incident: no more admin texts
    # about routes than route_trouble and route_back events for each admin.
    told = q("SELECT count(*) FROM outbox WHERE kind = 'admin' AND text LIKE"
             " 'jourd: vägen %'").fetchone()[0]
    events = q("SELECT count(*) FROM events WHERE type IN ('route_trouble',"
               " 'route_back')").fetchone()[0]
    v.check("admins: route trouble told once per event", [] if told <= events
            else ["%d admin SMS about routes, %d events" % (told, events)])
    camp.route_events = events

    # An answer leaves by its arrival route, unless that route was not
    # healthy: modem a with a fault armed or pending in that lifetime, or
    # either modem before the campaign saw both ready (a lifetime killed
    # while starting was never seen ready). Exact up to the status poll
    # (about 0.1 s) that saw both ready. An answer is found without the
    # outbox's own prefer column: a reply, or a receipt of a request, to the
    # sender of an SMS, written in the transaction that stored the SMS (the
    # same instant; pages and news written in that instant for other SMS of
    # the same sweep are no answers), and its arrival route is where the
    # campaign put that SMS. Two SMS of one sender in one instant on
    # different routes are left out.
    put = {m[:2]: m[3] for m in camp.injected}
    arrival = {}
    for r in q("SELECT sender, received_at, text FROM inbox"):
        arrival.setdefault((r["sender"], r["received_at"]), set()).add(
            put.get((r["sender"], r["text"])))
    problems = []
    camp.answers = camp.other_route = camp.other_starting = 0
    for r in q("SELECT id, kind, to_phone, created_at, prefer, route,"
               " sent_at FROM outbox WHERE state = 'sent' AND (kind ="
               " 'reply' OR (kind = 'notify' AND text LIKE 'Mottaget #%'))"):
        came = arrival.get((r["to_phone"], r["created_at"]))
        if came is None or len(came) != 1:
            continue            # not an answer, or two SMS in one instant
        came = next(iter(came))
        camp.answers += 1
        if r["prefer"] != came:
            problems.append("outbox %d (%s) answers an SMS that came by %s,"
                            " but prefers %r" % (r["id"], r["kind"], came,
                                                  r["prefer"]))
        if r["route"] == came:
            continue
        camp.other_route += 1
        i = lifetime_of(gw.up, r["sent_at"])
        if i is None:
            problems.append("outbox %d sent at %d, when no jourd ran" % (
                r["id"], r["sent_at"]))
            continue
        ready = gw.up[i][2]
        if ready is None or r["sent_at"] <= ready:
            camp.other_starting += 1
            continue
        if came == "a" and i in camp.faulty:
            continue
        problems.append("outbox %d (%s) answers an SMS that came by %s, left"
                        " by %s at +%d ms with %s ready and without a fault"
                        % (r["id"], r["kind"], came, r["route"],
                           r["sent_at"] - gw.up[i][0], came))
    v.check("answers: back by the arrival route while it was healthy",
            problems)
    camp.carried = dict(q("SELECT route, count(*) FROM outbox GROUP BY route"
                          ).fetchall())
    taken = q("SELECT count(*) FROM outbox WHERE avoid = 'a'").fetchone()[0]
    v.check("campaign: messages moved from a to b", [] if taken > 0 and
            camp.carried.get("b", 0) > 0 else
            ["%d rows taken from a; by route %r" % (taken, camp.carried)])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=12,
                    help="daemon lifetimes, each ended by SIGKILL")
    ap.add_argument("--messages", type=int, default=100,
                    help="keep going until this many SMS were injected")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--modems", type=int, choices=(1, 2), default=1,
                    help="2: routes a and b, faults on a (needs make faults)")
    ap.add_argument("--settle", type=float, default=120,
                    help="seconds allowed for the final restart to catch up")
    a = ap.parse_args()
    seed = a.seed if a.seed is not None else random.SystemRandom().randrange(
        1 << 31)
    print("crashtest: seed %d (repeat with --seed %d)" % (seed, seed),
          flush=True)
    rng = random.Random(seed)
    t0 = time.monotonic()
    v = Verdict()
    try:
        gw = CrashGateway(a.modems)
    except TestFailure as e:
        v.check("campaign ran", [str(e)])
        print("crashtest: %d passed, %d failed" % (v.passed, v.failed))
        return 1
    camp = Campaign(gw, rng, a.runs, a.messages)
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
    if camp.two:
        print("crashtest: two modems: outbox rows by route %s, faults armed "
              "on a %s, %d sends moved from a silent route (%d re-sent "
              "through another, %d also sent by the silent one after all), "
              "%d failed attempts, %d answers of which %d by the other route "
              "(%d while starting, the rest with a faulty), %d "
              "route_trouble/route_back events" % (
                  getattr(camp, "carried", {}), camp.faults,
                  getattr(camp, "moved", 0), getattr(camp, "resends", 0),
                  getattr(camp, "after_all", 0),
                  getattr(camp, "failed_attempts", 0),
                  getattr(camp, "answers", 0), getattr(camp, "other_route", 0),
                  getattr(camp, "other_starting", 0),
                  getattr(camp, "route_events", 0)))
    print("crashtest: %d passed, %d failed" % (v.passed, v.failed))
    return 1 if v.failed or v.passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
