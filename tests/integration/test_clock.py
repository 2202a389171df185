"""Wall-clock steps and daylight saving against a running jourd.

An escalation step is an interval: it comes ack_timeout after the page,
whatever the wall clock does meanwhile (an NTP step, an administrator's
`date -s`, a machine that booted with a wrong RTC). The opening of a queued
semi-acute consult is a calendar instant: it stays at 08:00 on the clock.
`jourctl status`, run on the real clock as an administrator would, still
sees the daemon and a next step ahead of it.

jourd runs under libfaketime with its wall clock offset from the real one by
what a file says (FAKETIME_TIMESTAMP_FILE, re-read on every call), so the
test steps it by rewriting the file; the monotonic clock stays real, and the
test measures every interval on it.
"""
import datetime
import os
import time
import zoneinfo

from harness import (BACKUP, CHIEF, PRIMARY, REQUESTER, ROOT, Gateway,
                     check, faketime_file)

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
FAULTS_JOURD = os.environ.get("JOURD_FAULTS_BIN",
                              os.path.join(ROOT, "build-faults", "jourd"))
ACK = 20          # ack_timeout in seconds
LATE = 3.0        # how late a step may be paged: sweep, send, polling


def epoch(local):
    """"YYYY-MM-DD HH:MM:SS" Stockholm time (the first of an autumn
    repeat) as seconds since the epoch."""
    t = datetime.datetime.strptime(local, "%Y-%m-%d %H:%M:%S")
    return t.replace(tzinfo=STOCKHOLM).timestamp()


def roster_days(first, last):
    """KARD's three roles held from first to last ("YYYY-MM-DD")."""
    lines = ["unit,role,phone,start,end"]
    for role, phone in (("primary", PRIMARY), ("backup", BACKUP),
                        ("chief", CHIEF)):
        lines.append("KARD,%s,%s,%s 00:00,%s 00:00" % (role, phone, first,
                                                       last))
    return "\n".join(lines) + "\n"


class SteppedGateway(Gateway):
    """A Gateway whose daemon's wall clock runs at an offset the test sets."""

    def __init__(self, **kw):
        kw.setdefault("ack_timeout", "%ds" % ACK)
        Gateway.__init__(self, **kw)
        self.clock = os.path.join(self.dir, "clock")
        self.offset = 0

    def set_offset(self, seconds):
        """The daemon's wall clock from now on: the real one + seconds."""
        tmp = self.clock + ".tmp"
        with open(tmp, "w") as f:
            f.write("%+d\n" % seconds)
        os.rename(tmp, self.clock)
        self.offset = seconds

    def step(self, seconds):
        """Steps the daemon's wall clock by seconds, at once."""
        self.set_offset(self.offset + seconds)

    def start(self, at=None):
        """at: "YYYY-MM-DD HH:MM:SS" Stockholm time the daemon's clock
        shows now (it ticks on from there); None: the real time."""
        self.set_offset(0 if at is None else round(epoch(at) - time.time()))
        self.start_env(faketime_file(self.clock))

    def request(self, text):
        """Injects a request; returns (consult id, monotonic time before the
        inject, monotonic time its first page was seen)."""
        before = time.monotonic()
        self.inject(REQUESTER, text)
        self.wait_sent(PRIMARY, "Svara OK")
        seen = time.monotonic()
        return self.last_consult()["id"], before, seen

    def page_time(self, phone):
        """Monotonic time the first page to phone is seen as sent."""
        self.wait_sent(phone, "Svara OK", timeout=ACK + 15)
        return time.monotonic()

    def check_status(self, what):
        """jourctl status, on the real clock: running, next step ahead."""
        st = self.status()
        check(st.get("running") is True,
              "%s: status says not running: %r" % (what, st))
        due = st.get("oldest_due")
        check(due is not None, "%s: no next step in %r" % (what, st))
        check(0 < due["due_in_s"] <= ACK,
              "%s: next step in %r s: %r" % (what, due["due_in_s"], st))
        check(datetime.datetime.fromisoformat(due["due_at"]).timestamp() >
              time.time(), "%s: next step in the past: %r" % (what, due))
        text = self.ctl("status").stdout.decode("utf-8")
        check("daemon:    running" in text and "overdue" not in text,
              "%s: jourctl status:\n%s" % (what, text))


def check_on_time(t, before, seen, what):
    """t: when a step was paged; the page before it went out between
    before and seen. A step is neither early nor more than LATE late."""
    check(t - before >= ACK - 0.2,
          "%s came early: %.1f s after the page, not %d" % (what, t - before,
                                                            ACK))
    check(t - seen <= ACK + LATE,
          "%s came late: %.1f s after the page, not %d" % (what, t - seen,
                                                           ACK))


def stepped(gw, seconds):
    """A consult; the wall clock stepped 3 s after its page; the next two
    steps must each come ack_timeout after the one before."""
    cid, before, seen = gw.request("AKUT KARD bröstsmärta")
    time.sleep(3)
    gw.step(seconds)
    # The 5 s heartbeat has seen the step by now.
    time.sleep(6)
    gw.check_status("after a step of %+d s" % seconds)
    check(not gw.sent_to(BACKUP, "page"), "backup paged early")
    t = gw.page_time(BACKUP)
    check_on_time(t, before, seen, "the backup's page")
    gw.check_status("after the second step")
    t2 = gw.page_time(CHIEF)
    check_on_time(t2, t - 0.5, t, "the chief's page")
    c = gw.last_consult()
    check(c["id"] == cid and c["step"] == 3, "consult %r" % c)
    log = gw.daemon_log()
    check("wall clock stepped" in log, "the step is logged:\n" + log[-2000:])
    # The consult's timeline says why its times jump.
    ev = gw.events(cid)
    check(ev.count("clock_step") == 1 and
          ev.index("clock_step") < ev.index("escalated"),
          "one clock_step before the escalation in %r" % ev)


def test_step_back_one_hour_does_not_delay_escalation():
    gw = SteppedGateway()
    try:
        gw.start()
        stepped(gw, -3600)
    finally:
        gw.close()


def test_step_forward_two_hours_does_not_cut_escalation_short():
    gw = SteppedGateway()
    try:
        gw.start()
        stepped(gw, 2 * 3600)
    finally:
        gw.close()


def test_request_right_after_a_step_gets_its_full_ack_timeout():
    """The wall clock is set back an hour and a request arrives at once,
    before jourd's next heartbeat: its due time is written on the new clock
    and must not be moved again with the step, or it would fire at once."""
    gw = SteppedGateway()
    try:
        gw.start()
        time.sleep(1)
        gw.step(-3600)
        cid, before, seen = gw.request("AKUT KARD buksmärta")
        t = gw.page_time(BACKUP)
        check_on_time(t, before, seen, "the backup's page")
    finally:
        gw.close()


def across(gw, at, off_before, off_after):
    """A consult paged 10 s before a daylight-saving change (jourd's clock
    starts at `at`); the backup's page comes ack_timeout later, after the
    change, and the outbox shows both offsets."""
    gw.start(at)
    cid, before, seen = gw.request("AKUT KARD andnöd")
    gw.check_status("before the change")
    t = gw.page_time(BACKUP)
    check_on_time(t, before, seen, "the backup's page across the change")
    pages = [m for m in gw.outbox() if m["kind"] == "page"]
    check(len(pages) == 2, "two pages: %r" % pages)
    check(pages[0]["created_at"].endswith(off_before) and
          pages[1]["created_at"].endswith(off_after),
          "pages either side of the change: %r" %
          [p["created_at"] for p in pages])
    gw.check_status("after the change")


def test_spring_forward_keeps_ack_timeout():
    # 2026-03-29 02:00 CET becomes 03:00 CEST.
    gw = SteppedGateway(roster_csv=roster_days("2026-03-28", "2026-03-31"))
    try:
        across(gw, "2026-03-29 01:59:44", "+01:00", "+02:00")
    finally:
        gw.close()


def test_fall_back_keeps_ack_timeout():
    # 2026-10-25 03:00 CEST becomes 02:00 CET.
    gw = SteppedGateway(roster_csv=roster_days("2026-10-24", "2026-10-27"))
    try:
        across(gw, "2026-10-25 02:59:44", "+02:00", "+01:00")
    finally:
        gw.close()


HALV_QUEUE = """[track halvakut]
keywords = HALV HALVAKUT SEMI
open = weekdays 08:00-17:00
closed = queue
ack_timeout = %ds
escalation = primary backup
""" % ACK


def test_step_keeps_a_queued_opening_on_the_calendar():
    """A semi-acute consult queued at 07:59 for the 08:00 opening and an
    acute one paged at the same time; the clock is stepped 2 h forward. The
    opening is a time of day: it has passed, so the queued consult pages at
    once. The acute step is an interval: it still takes ack_timeout."""
    gw = SteppedGateway(roster_csv=roster_days("2026-11-17", "2026-11-20"),
                        extra=HALV_QUEUE)
    try:
        gw.start("2026-11-18 07:59:20")        # a Wednesday
        cid, before, seen = gw.request("AKUT KARD akut")
        gw.inject(REQUESTER, "HALV KARD halvakut")
        gw.wait(lambda: [c for c in gw.consults()
                         if c["track"] == "halvakut" and
                         c["state"] == "queued"], 10, "queued consult")
        gw.step(2 * 3600)
        t0 = time.monotonic()
        gw.wait(lambda: [c for c in gw.consults()
                         if c["track"] == "halvakut" and
                         c["state"] == "open"], 10, "the opening passed")
        check(time.monotonic() - t0 <= 7, "queued consult paged at once")
        t = gw.page_time(BACKUP)
        check_on_time(t, before, seen, "the acute backup's page")
    finally:
        gw.close()


def retried(seconds):
    """A page whose first send fails waits send_retry (20 s) for its next
    attempt; the wall clock is stepped 3 s after the failure. The attempt
    comes 20 s after the failure, neither an hour late nor at once."""
    check(os.access(FAULTS_JOURD, os.X_OK),
          "%s missing: run make faults" % FAULTS_JOURD)
    gw = SteppedGateway(jourd=FAULTS_JOURD, ack_timeout="10m")
    try:
        with open(gw.conf) as f:
            conf = f.read()
        with open(gw.conf, "w") as f:
            f.write(conf.replace("send_retry = 1s", "send_retry = %ds" % ACK))
        gw.start()
        fault = os.path.join(gw.phone, "fault")
        with open(fault + ".tmp", "w") as f:
            f.write("sendfail 1\n")
        os.rename(fault + ".tmp", fault)
        gw.wait(lambda: not os.path.exists(fault), 10, "the fault armed")
        before = time.monotonic()
        gw.inject(REQUESTER, "AKUT KARD yrsel")
        gw.wait(lambda: [m for m in gw.sent_to(PRIMARY, "page")
                         if m["state"] == "queued" and m["attempts"] == 1],
                10, "the failed first attempt")
        failed = time.monotonic()
        time.sleep(3)
        gw.step(seconds)
        t = gw.page_time(PRIMARY)
        check_on_time(t, before, failed, "the retry after %+d s" % seconds)
        check(gw.sent_to(PRIMARY, "page")[0]["attempts"] == 2,
              "sent at the second attempt: %r" % gw.sent_to(PRIMARY, "page"))
    finally:
        gw.close()


def test_step_back_one_hour_does_not_hold_an_outbox_retry():
    retried(-3600)


def test_step_forward_two_hours_does_not_hurry_an_outbox_retry():
    retried(2 * 3600)
