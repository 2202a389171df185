"""The pager worker (src/pager.c) against the fake paging system
(tests/fakepager) on a pseudo-terminal, without jourd: build/tests/pagerdrive
runs the worker with pager_spawn() and relays its messages as lines
("state READY …", "result 7 ok 1 -1", "status 1234 3", "pong 5"). Proves
the exact block and BCC the paging system receives in latin1 and in ascii,
the tries on NAK and on silence, statuses, a bad BCC, and that garbage, an
ENQ storm and a vanished device are logged with a reason while the worker
keeps answering pings and comes back."""
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

from harness import ROOT, check, sanitizer_report

sys.path.insert(0, os.path.join(ROOT, "tests", "fakepager"))
from fakepager import FakePager, readable  # noqa: E402


def _driver_bin():
    """The driver of the build under test: the sanitizer build's when the
    harness points at it (tools/asan-env.sh), else build/."""
    if "PAGERDRIVE_BIN" in os.environ:
        return os.environ["PAGERDRIVE_BIN"]
    if "JOURD_BIN" in os.environ:
        alt = os.path.join(os.path.dirname(os.environ["JOURD_BIN"]), "tests",
                           "pagerdrive")
        if os.access(alt, os.X_OK):
            return alt
    return os.path.join(ROOT, "build", "tests", "pagerdrive")


PAGERDRIVE = _driver_bin()
SOH, STX, ETX, EOT, ENQ, ACK, NAK = 1, 2, 3, 4, 5, 6, 0x15
RS, US = 0x1E, 0x1F
REPLY_MS = 400          # the worker's reply_timeout in these tests
POLL_MS = 300


def expected_block(call, text, priority):
    """The page block of DESIGN.md section 10, its BCC worked out here."""
    body = b"1" + bytes([STX]) + b"1" + bytes([US]) + call + \
        bytes([RS]) + b"2" + bytes([US]) + text + bytes([RS]) + b"4" + \
        bytes([US]) + b"3" + bytes([RS]) + b"6" + bytes([US]) + \
        str(priority).encode() + bytes([ETX])
    x = 0
    for c in body:
        x ^= c
    return bytes([SOH]) + body + bytes([x])


class Drive:
    """One pagerdrive process: the worker's lines, and commands to it."""

    def __init__(self, device, d, *opts):
        self.errpath = os.path.join(d, "worker.log")
        self.err = open(self.errpath, "w")
        check(os.access(PAGERDRIVE, os.X_OK),
              "%s is missing: make build/tests/pagerdrive" % PAGERDRIVE)
        self.proc = subprocess.Popen(
            [PAGERDRIVE, "-P", str(POLL_MS), "-t", str(REPLY_MS)] +
            list(opts) + [device],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.err)
        self.buf = b""
        self.lines = []         # every line so far
        self.seen = 0           # lines already returned by expect()
        self.token = 0

    def send(self, line):
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def _read(self, timeout):
        fd = self.proc.stdout.fileno()
        r, _, _ = select.select([fd], [], [], max(0, timeout))
        if r:
            data = os.read(fd, 4096)
            check(data, "pagerdrive exited: %s" % self.log()[-2000:])
            self.buf += data
            while b"\n" in self.buf:
                ln, self.buf = self.buf.split(b"\n", 1)
                self.lines.append(ln.decode("utf-8", "replace"))

    def expect(self, prefix, timeout=5.0):
        """The first line after the last one expected that starts with
        prefix; fails when none comes within timeout."""
        end = time.monotonic() + timeout
        while True:
            for i in range(self.seen, len(self.lines)):
                if self.lines[i].startswith(prefix):
                    self.seen = i + 1
                    return self.lines[i]
            left = end - time.monotonic()
            check(left > 0, "no %r within %.1f s; lines %r; log %s" % (
                prefix, timeout, self.lines[self.seen:],
                self.log()[-1500:]))
            self._read(left)

    def ping(self, within=0.5):
        """A ping must be answered at once, whatever the line does."""
        self.token += 1
        self.send("ping %d" % self.token)
        self.expect("pong %d" % self.token, within)

    def page(self, oid, call, prio, text):
        self.send("page %d %s %d %s" % (oid, call, prio, text))

    def log(self):
        if not self.err.closed:
            self.err.flush()
        with open(self.errpath, errors="replace") as f:
            return f.read()

    def stop(self):
        try:
            self.proc.stdin.close()
            self.proc.wait(10)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        self.err.close()
        rep = sanitizer_report(self.log())
        check(rep is None, "sanitizer: %s" % rep)


def with_pager(body, *opts):
    d = tempfile.mkdtemp(prefix="jourd-pager-")
    fake = FakePager(os.path.join(d, "fake"))
    drv = None
    try:
        drv = Drive(fake.device, d, *opts)
        drv.expect("state CONNECTING")
        drv.expect("state READY")
        body(fake, drv)
        drv.ping()
    finally:
        try:
            if drv is not None:
                drv.stop()
        finally:
            fake.stop()
            shutil.rmtree(d, ignore_errors=True)


def line_in(fake):
    """Every byte the fake read, in the log's readable form."""
    return "".join(ln[2:] for ln in fake.log() if ln.startswith("< ")
                   ).replace(" (silent)", "")


TEXT = "AKUT KARD #3 ring 070-174 06 05, bröst ÅÄÖ é. Svara OK 3"


def test_pager_latin1_block_and_bcc():
    def body(fake, drv):
        drv.page(7, "1234", 1, TEXT)
        drv.expect("result 7 ok 1 -1")
        want = expected_block(b"1234", TEXT.encode("latin-1"), 1)
        blocks = fake.blocks()
        check(len(blocks) == 1, blocks)
        check(blocks[0]["call"] == "1234" and blocks[0]["priority"] == 1,
              blocks)
        check(bytes.fromhex(blocks[0]["text_hex"]) == TEXT.encode("latin-1"),
              "latin1 text: %r" % blocks[0])
        seq = readable(bytes([EOT]) + b"1" + bytes([ENQ]) + b"2" +
                       bytes([ENQ]) + want + bytes([EOT]))
        check(seq in line_in(fake), "select, block with BCC, EOT: %r not in "
              "%r" % (seq, line_in(fake)[-400:]))
        check(fake.errors() == [], fake.errors())
    with_pager(body, "-c", "latin1", "-d", "8")


def test_pager_ascii_folds_swedish_letters():
    def body(fake, drv):
        drv.page(8, "55", 3, TEXT)
        drv.expect("result 8 ok")
        folded = TEXT.replace("ö", "o").replace("Å", "A").replace(
            "Ä", "A").replace("Ö", "O").replace("é", "e").encode("ascii")
        want = expected_block(b"55", folded, 3)
        check(readable(want) in line_in(fake), line_in(fake)[-400:])
        check(fake.blocks()[0]["priority"] == 3, fake.blocks())
    with_pager(body, "-c", "ascii", "-d", "8")


def test_pager_seven_bit_line_folds_latin1():
    def body(fake, drv):
        drv.page(9, "55", 1, "Åsa Ärlig Östman")
        drv.expect("result 9 ok")
        check(bytes.fromhex(fake.blocks()[0]["text_hex"]) ==
              b"Asa Arlig Ostman", fake.blocks())
        check("cannot carry latin1" in drv.log(), drv.log())
    with_pager(body, "-c", "latin1", "-d", "7", "-p", "even")


def test_pager_nak_then_ack_is_ok_after_two_tries():
    def body(fake, drv):
        fake.answer("nak", reason="1")
        drv.page(11, "1234", 1, "NAK first")
        drv.expect("result 11 ok")
        want = readable(expected_block(b"1234", b"NAK first", 1))
        check(line_in(fake).count(want) == 2, "sent twice: %r" %
              line_in(fake)[-600:])
        check(len(fake.blocks()) == 1, fake.blocks())
        check(not any(ln.startswith("state FAILED") for ln in drv.lines),
              drv.lines)
    with_pager(body)


def test_pager_three_naks_fail_and_ready_again():
    def body(fake, drv):
        fake.answer("nak", count=3)
        drv.page(12, "1234", 1, "never")
        # The state comes first: the parent knows the route failed when
        # the result arrives.
        check(drv.expect("state FAILED") == "state FAILED NAK 3 times",
              drv.lines)
        r = drv.expect("result 12")
        check(r == "result 12 fail NAK 3 times", r)
        drv.expect("state READY")
        want = readable(expected_block(b"1234", b"never", 1))
        check(line_in(fake).count(want) == 3, line_in(fake)[-800:])
        check(fake.blocks() == [], fake.blocks())
        drv.page(13, "1234", 1, "after")
        drv.expect("result 13 ok")
    with_pager(body)


def test_pager_silent_system_fails_then_comes_back():
    def body(fake, drv):
        fake.call(op="silent", on=True)
        t0 = time.monotonic()
        drv.page(14, "1234", 1, "into silence")
        drv.ping()
        drv.expect("state FAILED no answer 3 times", 3 * REPLY_MS / 1000 + 3)
        r = drv.expect("result 14")
        check(r == "result 14 fail no answer 3 times", r)
        check(time.monotonic() - t0 >= 3 * REPLY_MS / 1000 - 0.1,
              "3 full tries")
        drv.expect("state FAILED no answer to 3 polls", 10)
        drv.ping()
        # A page while the line is down is answered at once.
        t0 = time.monotonic()
        drv.page(15, "1234", 1, "while down")
        r = drv.expect("result 15", 1)
        check(r.startswith("result 15 fail "), r)
        check(time.monotonic() - t0 < 0.5, "at once")
        fake.call(op="silent", on=False)
        drv.expect("state READY", 5)
        drv.page(16, "1234", 1, "back")
        drv.expect("result 16 ok")
        check("no answer to 3 polls" in drv.log(), drv.log())
    with_pager(body)


def test_pager_statuses_reported():
    def body(fake, drv):
        for code in (3, 4, 6, 8, 5):
            fake.status("4711", code)
        for code in (3, 4, 6, 8, 5):
            drv.expect("status 4711 %d" % code)
        check([(s["call"], s["code"]) for s in fake.delivered()] ==
              [("4711", c) for c in (3, 4, 6, 8, 5)], fake.delivered())
        check(fake.errors() == [], fake.errors())
    with_pager(body)


def test_pager_bad_bcc_status_naked_then_accepted():
    def body(fake, drv):
        fake.call(op="bad_bcc", count=1)
        fake.status("4711", 6)
        check(drv.expect("status 4711") == "status 4711 6", drv.lines)
        time.sleep(POLL_MS / 1000 * 3)
        check(sum(1 for ln in drv.lines if ln.startswith("status")) == 1,
              "reported once: %r" % drv.lines)
        check(len(fake.delivered()) == 1, fake.delivered())
        check("bad BCC" in drv.log(), drv.log())
        inn = line_in(fake)
        check("<NAK>" in inn, "NAKed: %r" % inn[-400:])
    with_pager(body)


def test_pager_garbage_logged_and_survived():
    def body(fake, drv):
        fake.call(op="garbage", count=200)
        drv.expect("state FAILED line sent garbage")
        drv.ping()
        drv.expect("state READY")
        check("garbage" in drv.log(), drv.log())
        drv.page(21, "1234", 1, "after garbage")
        drv.expect("result 21 ok")
    with_pager(body)


def test_pager_enq_storm_logged_and_survived():
    def body(fake, drv):
        fake.call(op="enq_storm", on=True)
        drv.expect("state FAILED ENQ storm")
        for _ in range(4):
            drv.ping()
            time.sleep(0.3)
        fake.call(op="enq_storm", on=False)
        drv.expect("state READY", 5)
        check(drv.log().count("ENQ storm") <= 3, "logged, not flooded: %s"
              % drv.log()[-2000:])
        drv.page(22, "1234", 1, "after the storm")
        drv.expect("result 22 ok")
    with_pager(body)


def test_pager_device_vanishes_and_comes_back():
    def body(fake, drv):
        fake.call(op="drop")
        drv.expect("state FAILED")
        drv.expect("state FAILED cannot open %s: No such file or directory"
                   % fake.device, 5)
        drv.ping()
        t0 = time.monotonic()
        drv.page(23, "1234", 1, "no line")
        r = drv.expect("result 23", 1)
        check(r.startswith("result 23 fail "), r)
        check(time.monotonic() - t0 < 0.5, "at once")
        time.sleep(1)
        drv.ping()
        fake.call(op="reappear")
        drv.expect("state READY", 15)
        drv.page(24, "1234", 1, "line back")
        drv.expect("result 24 ok")
        check("cannot open" in drv.log(), drv.log())
        # Opened again from inside the sandbox (the pty is a new one).
        check("pager: sandbox: on (seccomp" in drv.log(), drv.log())
    with_pager(body)


def test_pager_refuses_sms_and_pings_while_paging():
    def body(fake, drv):
        drv.send("send 31")
        r = drv.expect("result 31")
        check(r.startswith("result 31 fail "), r)
        fake.call(op="silent", on=True)
        drv.page(32, "1234", 1, "slow")
        drv.ping()
        drv.page(33, "1234", 1, "second while the first is in flight")
        r = drv.expect("result 33", 1)
        check(r.startswith("result 33 fail "), "one in flight: %r" % r)
        drv.expect("result 32 fail")
        fake.call(op="silent", on=False)
        drv.expect("state READY", 5)
    with_pager(body)
