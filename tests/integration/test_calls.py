"""Wake-up calls in the modem worker, against the fake AT modem: the real
worker (src/modem.c) runs under build/tests/calldrive, which plays the
parent's side of the IPC line by line, and the fake's call log says what
reached the line. Dialled to the right number, hung up after ring_ms,
ended early when the callee rejects, a refused dial answered ok=0, pings
answered while the phone rings, SMS and calls right after a call (also
after a hang-up the modem refused), and the dummy driver answering at
once without ringing."""
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time

from harness import ROOT, check, sanitizer_report, PRIMARY, BACKUP

sys.path.insert(0, os.path.join(ROOT, "tests", "fakemodem"))
from fakemodem import FakeModem  # noqa: E402

CALLDRIVE = os.environ.get("CALLDRIVE_BIN",
                           os.path.join(ROOT, "build", "tests", "calldrive"))
AT_READY = 40        # the AT connect sequence takes seconds
# How far the ringing may stray from ring_ms: the worker reads the line
# every 100 ms and libGammu's hang-up takes a round trip.
SLACK = 1.0


class Drive:
    """The modem worker under calldrive: commands in, lines out, each line
    with the monotonic time it arrived."""

    def __init__(self, device, tmp, dummy=False):
        check(os.access(CALLDRIVE, os.X_OK),
              "%s is missing: make build/tests/calldrive" % CALLDRIVE)
        self.logpath = os.path.join(tmp, "worker.log")
        self.err = open(self.logpath, "ab")
        args = [CALLDRIVE, "-l", os.path.join(tmp, "gammu.log")]
        if dummy:
            args.append("-D")
        self.proc = subprocess.Popen(args + [device], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.err,
                                     text=True, bufsize=1)
        self.lines = queue.Queue()
        self.seen = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put((time.monotonic(), line.rstrip("\n")))
        self.lines.put((time.monotonic(), None))

    def tell(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def expect(self, prefix, timeout):
        """(line, time) of the first line that starts with prefix; the
        lines passed over stay in self.seen."""
        end = time.monotonic() + timeout
        while True:
            try:
                t, line = self.lines.get(timeout=max(0, end -
                                                     time.monotonic()))
            except queue.Empty:
                check(False, "no %r within %.0f s; seen %r" % (
                    prefix, timeout, self.seen[-8:]))
            check(line is not None, "calldrive ended; seen %r\n%s" % (
                self.seen[-8:], self.log()[-2000:]))
            self.seen.append(line)
            if line.startswith(prefix):
                return line, t

    def ready(self, timeout=AT_READY):
        return self.expect("state READY", timeout)

    def log(self):
        with open(self.logpath, encoding="utf-8", errors="replace") as f:
            return f.read()

    def close(self):
        try:
            self.tell("quit")
        except (BrokenPipeError, ValueError):
            pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.err.close()
        report = sanitizer_report(self.log())
        check(report is None, "sanitizer report:\n%s" % report)


def with_worker(body, dummy=False, **fake_kw):
    d = tempfile.mkdtemp(prefix="jourd-calls-")
    fake = None if dummy else FakeModem(os.path.join(d, "fake"), **fake_kw)
    device = os.path.join(d, "phone") if dummy else fake.device
    drive = Drive(device, d, dummy=dummy)
    try:
        drive.ready()
        body(drive, fake)
    finally:
        try:
            drive.close()
        finally:
            if fake is not None:
                fake.stop()
            shutil.rmtree(d, ignore_errors=True)


def rang(c):
    return c["ended_at"] - c["dialled_at"]


def test_calls_dialled_and_hung_up_after_ring_ms():
    def body(drive, fake):
        t0 = time.monotonic()
        drive.tell("call 5 %s 3000" % PRIMARY)
        line, t = drive.expect("result 5", 3 + 20)
        check(line == "result 5 ok", line)
        calls = fake.calls()
        check(len(calls) == 1 and calls[0]["number"] == PRIMARY,
              "one call to the number asked: %r" % calls)
        c = calls[0]
        check(c["ended_by"] == "modem" and c["how"] == "AT+CHUP",
              "hung up by the worker: %r" % c)
        check(3 - SLACK <= rang(c) <= 3 + SLACK,
              "rang 3 s: %.2f s" % rang(c))
        check(t - t0 <= 3 + 2 * SLACK + 2, "answered after the hang-up, "
              "not much later: %.2f s" % (t - t0))
        log = drive.log()
        check("call to %s: dialled" % PRIMARY in log, log)
        check("call to %s: hung up after 3." % PRIMARY in log or
              "call to %s: hung up after 2." % PRIMARY in log, log)
        check("ATDT%s;" % PRIMARY in fake.commands(), fake.commands())
    with_worker(body)


def test_calls_callee_rejects_and_the_ringing_ends():
    def body(drive, fake):
        fake.call(op="callee", number=BACKUP, result="NO CARRIER", after=1)
        t0 = time.monotonic()
        drive.tell("call 6 %s 30000" % BACKUP)
        line, t = drive.expect("result 6", 30)
        check(line == "result 6 ok", "a rejected call was placed: %s" % line)
        check(t - t0 < 6, "the rejection ended the ringing: %.1f s" % (
            t - t0))
        c = fake.calls()
        check(len(c) == 1 and c[0]["ended_by"] == "callee" and
              c[0]["result"] == "NO CARRIER", c)
        check("call to %s: ended by the callee after 1." % BACKUP in
              drive.log() or "call to %s: ended by the callee after 0." %
              BACKUP in drive.log(), drive.log())
    with_worker(body)


def test_calls_dial_refused_is_a_failure():
    def body(drive, fake):
        fake.call(op="dial_error", result="+CME ERROR: 30")
        drive.tell("call 7 %s 3000" % PRIMARY)
        line, _ = drive.expect("result 7", 20)
        check(line.startswith("result 7 fail: "), line)
        check(len(line) > len("result 7 fail: "), "with a reason: " + line)
        check(fake.calls() == [], "nothing rang: %r" % fake.calls())
        check("call to %s: dialled" % PRIMARY not in drive.log(),
              drive.log())
        # The worker is well: the next call goes out.
        drive.tell("call 8 %s 500" % PRIMARY)
        check(drive.expect("result 8", 20)[0] == "result 8 ok", drive.seen)
        check(len(fake.calls()) == 1, fake.calls())
    with_worker(body)


def test_calls_pings_answered_while_ringing():
    def body(drive, fake):
        drive.tell("call 9 %s 5000" % PRIMARY)
        time.sleep(1)
        for token in (11, 12, 13):
            t0 = time.monotonic()
            drive.tell("ping %d" % token)
            line, t = drive.expect("pong %d" % token, 5)
            check(t - t0 < 0.5, "pong %d took %.2f s" % (token, t - t0))
            check(fake.call(op="state")["call"] is not None,
                  "answered while the phone rang")
            check(not any(s.startswith("result 9") for s in drive.seen),
                  "the call still rings: %r" % drive.seen)
            time.sleep(0.8)
        check(drive.expect("result 9", 15)[0] == "result 9 ok", drive.seen)
    with_worker(body)


def test_calls_sms_and_call_right_after_a_call():
    def body(drive, fake):
        drive.tell("call 10 %s 1000" % PRIMARY)
        check(drive.expect("result 10", 20)[0] == "result 10 ok", drive.seen)
        drive.tell("send 11 %s Vakna, ring jouren" % PRIMARY)
        check(drive.expect("result 11", 20)[0] == "result 11 ok", drive.seen)
        sent = fake.sent()
        check([(m["to"], m["text"]) for m in sent] ==
              [(PRIMARY, "Vakna, ring jouren")], sent)
        drive.tell("call 12 %s 1000" % BACKUP)
        check(drive.expect("result 12", 20)[0] == "result 12 ok", drive.seen)
        c = fake.calls()
        check([(x["number"], x["ended_by"]) for x in c] ==
              [(PRIMARY, "modem"), (BACKUP, "modem")], c)
        check(sent[0]["at"] > c[0]["ended_at"] and
              c[1]["dialled_at"] > sent[0]["at"], "in order: %r %r" % (
                  c, sent))
    with_worker(body)


def test_calls_refused_hang_up_leaves_nothing_broken():
    def body(drive, fake):
        fake.call(op="hangup_error")
        drive.tell("call 13 %s 1000" % PRIMARY)
        check(drive.expect("result 13", 20)[0] == "result 13 ok",
              "the call was placed: %r" % drive.seen)
        # libGammu now skips hang-ups; the worker must hang up all the same.
        end = time.monotonic() + AT_READY
        while fake.calls()[0]["ended_by"] is None:
            check(time.monotonic() < end, "the refused call rings on: %r" %
                  fake.calls())
            time.sleep(0.2)
        first = fake.calls()[0]
        check(first["ended_by"] == "modem", "hung up in the end: %r" % first)
        drive.expect("state READY", AT_READY)
        drive.tell("call 14 %s 1000" % BACKUP)
        check(drive.expect("result 14", 20)[0] == "result 14 ok", drive.seen)
        c = fake.calls()
        check(len(c) == 2 and c[1]["number"] == BACKUP and
              c[1]["ended_by"] == "modem" and
              1 - SLACK <= rang(c[1]) <= 1 + SLACK,
              "the next call rang and was hung up: %r" % c)
        drive.tell("send 15 %s Vakna" % PRIMARY)
        check(drive.expect("result 15", 20)[0] == "result 15 ok", drive.seen)
        check("hang-up failed" in drive.log(), drive.log())
    with_worker(body)


def test_calls_dummy_driver_records_without_ringing():
    def body(drive, fake):
        t0 = time.monotonic()
        drive.tell("call 16 %s 30000" % PRIMARY)
        line, t = drive.expect("result 16", 10)
        check(line == "result 16 ok", line)
        check(t - t0 < 2, "at once, not after 30 s: %.1f s" % (t - t0))
        check("call to %s recorded (dummy driver: no ringing)" % PRIMARY in
              drive.log(), drive.log())
        check("dialled" not in drive.log(), drive.log())
    with_worker(body, dummy=True)


def test_calls_sms_committed_while_ringing_is_deleted_after():
    def body(drive, fake):
        fake.deliver(BACKUP, "OK 1")
        line, _ = drive.expect("sms ", 20)
        token = line.split()[1]
        check(line.endswith(" %s OK 1" % BACKUP), line)
        drive.tell("call 17 %s 3000" % PRIMARY)
        time.sleep(1)
        drive.tell("commit %s" % token)
        time.sleep(0.5)
        check(fake.call(op="state")["stored"] == 1,
              "not deleted while the phone rings")
        check(drive.expect("result 17", 20)[0] == "result 17 ok", drive.seen)
        end = time.monotonic() + 10
        while fake.call(op="state")["stored"] != 0:
            check(time.monotonic() < end, "deleted after the call")
            time.sleep(0.2)
        drive.tell("ping 5")
        drive.expect("pong 5", 5)
        check(not any(s.startswith("sms ") for s in drive.seen[3:]),
              "handed over once: %r" % drive.seen)
    with_worker(body)
