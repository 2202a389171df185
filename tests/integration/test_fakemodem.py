"""The fake AT modem itself (tests/fakemodem), without jourd: voice calls
as libGammu's AT driver places and ends them, the call log on the control
socket, the callee's rejection, and the per-send network delay. The tests
of jourd's wake-up calls and of several modems stand on these, so they are
proved here first: once through libGammu 1.42 itself (build/tests/dialtest,
make builds it), once on the bare line where libGammu does not look."""
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
import tty

from harness import ROOT, check, PRIMARY, BACKUP

sys.path.insert(0, os.path.join(ROOT, "tests", "fakemodem"))
from fakemodem import FakeModem  # noqa: E402
import pdu  # noqa: E402

DIALTEST = os.environ.get("DIALTEST_BIN",
                          os.path.join(ROOT, "build", "tests", "dialtest"))


class Line:
    """A terminal on the fake modem's pseudo-terminal, echo off."""

    def __init__(self, device):
        self.fd = os.open(device, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(self.fd)
        self.buf = b""
        self.command("ATE0")

    def send(self, text):
        os.write(self.fd, text.encode("latin-1"))

    def lines(self, timeout):
        """Complete lines received until timeout, without waiting longer."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            r, _, _ = select.select([self.fd], [], [],
                                    max(0, end - time.monotonic()))
            if r:
                self.buf += os.read(self.fd, 4096)
        out = [ln.strip().decode("latin-1") for ln in self.buf.split(b"\n")]
        self.buf = b""
        return [ln for ln in out if ln]

    def until(self, final, timeout=5):
        """Lines up to and including the first that starts with one of
        final; (lines, seconds it took)."""
        t0 = time.monotonic()
        got = []
        while True:
            while b"\n" in self.buf:
                raw, self.buf = self.buf.split(b"\n", 1)
                ln = raw.strip().decode("latin-1")
                if ln:
                    got.append(ln)
                    if ln.startswith(final):
                        return got, time.monotonic() - t0
            if ">" in final and self.buf.strip() == b">":
                # The PDU prompt ends with no line end.
                self.buf = b""
                return got + [">"], time.monotonic() - t0
            left = timeout - (time.monotonic() - t0)
            check(left > 0, "no %r within %.1f s: %r" % (final, timeout, got))
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                self.buf += os.read(self.fd, 4096)

    def command(self, cmd, final=("OK", "ERROR", "+CME ERROR", "+CMS ERROR"),
                timeout=5):
        self.send(cmd + "\r")
        return self.until(final, timeout)

    def close(self):
        os.close(self.fd)


def with_fake(body, **kw):
    d = tempfile.mkdtemp(prefix="jourd-fake-")
    fake = FakeModem(os.path.join(d, "fake"), **kw)
    try:
        body(fake, d)
    finally:
        fake.stop()
        shutil.rmtree(d, ignore_errors=True)


def dialtest(fake, d, number, ring_ms):
    check(os.access(DIALTEST, os.X_OK),
          "%s is missing: make build/tests/dialtest" % DIALTEST)
    t0 = time.time()
    p = subprocess.run([DIALTEST, "-t", str(ring_ms), "-l",
                        os.path.join(d, "gammu.log"), fake.device, number],
                       capture_output=True, text=True, timeout=120)
    return p, time.time() - t0


def test_fakemodem_libgammu_dials_and_hangs_up_with_chup():
    def body(fake, d):
        p, took = dialtest(fake, d, PRIMARY, 1500)
        check(p.returncode == 0, "dialtest: %d %s%s" % (p.returncode,
                                                         p.stdout, p.stderr))
        check(p.stdout.splitlines() == ["dialled " + PRIMARY, "hung up"],
              p.stdout)
        calls = fake.calls()
        check(len(calls) == 1, "one call: %r" % calls)
        c = calls[0]
        check(c["number"] == PRIMARY, c)
        check(c["ended_by"] == "modem" and c["how"] == "AT+CHUP",
              "hung up by the modem with AT+CHUP (it offers it): %r" % c)
        rang = c["ended_at"] - c["dialled_at"]
        check(1.4 <= rang < took, "rang the 1.5 s asked: %.2f s" % rang)
        # libGammu 1.42 dials tone first (ATDT); a GSM modem takes it.
        check("ATDT%s;" % PRIMARY in fake.commands(), fake.commands())
    with_fake(body)


def test_fakemodem_libgammu_hangs_up_with_ath_when_chup_is_missing():
    def body(fake, d):
        p, _ = dialtest(fake, d, BACKUP, 300)
        check(p.returncode == 0, "dialtest: %s%s" % (p.stdout, p.stderr))
        c = fake.calls()
        check(len(c) == 1 and c[0]["how"] == "ATH" and
              c[0]["ended_by"] == "modem", "ATH: %r" % c)
        check("AT+CHUP" not in fake.commands(), "no AT+CHUP")
    with_fake(body, chup=False)


def test_fakemodem_callee_rejects_and_libgammu_sees_no_carrier():
    def body(fake, d):
        fake.call(op="callee", result="NO CARRIER", after=0.5)
        p, took = dialtest(fake, d, PRIMARY, 20000)
        check(p.returncode == 0, "dialtest: %s%s" % (p.stdout, p.stderr))
        check(p.stdout.splitlines() == ["dialled " + PRIMARY, "callee ended",
                                        "hung up"], p.stdout)
        check(took < 10, "the rejection ended the ringing: %.1f s" % took)
        c = fake.calls()[0]
        check(c["ended_by"] == "callee" and c["result"] == "NO CARRIER",
              "the callee's end, not the later hang-up: %r" % c)
        check(0.4 <= c["ended_at"] - c["dialled_at"] < 3, c)
    with_fake(body)


def test_fakemodem_callee_results_on_the_line():
    def body(fake, d):
        line = Line(fake.device)
        try:
            for i, result in enumerate(("BUSY", "NO ANSWER", "NO CARRIER")):
                number = "+4670174064%d" % i
                fake.call(op="callee", number=number, result=result,
                          after=0.3)
                got, took = line.command("ATD%s;" % number)
                check(got == ["OK"] and took < 0.3,
                      "OK at once, before the callee: %r %.2f" % (got, took))
                got, took = line.until((result,), timeout=3)
                check(got == [result] and 0.2 < took < 2,
                      "%s after 0.3 s: %r %.2f" % (result, got, took))
            # A number with no behaviour of its own rings until ATH.
            check(line.command("ATD%s;" % BACKUP)[0] == ["OK"], "dialled")
            check(line.lines(0.8) == [], "rings without a result")
            check(line.command("ATD%s;" % PRIMARY)[0] == ["+CME ERROR: 3"],
                  "a second call while one rings is refused")
            check(line.command("ATH")[0] == ["OK"], "ATH")
            check(line.command("ATH")[0] == ["OK"], "ATH with no call")
            check(line.command("ATD%s" % PRIMARY)[0] == ["ERROR"],
                  "no data calls (no ';')")
            check(line.command("ATD+46a;")[0] == ["ERROR"], "bad number")
        finally:
            line.close()
        calls = fake.calls()
        check([(c["number"], c["ended_by"], c["result"]) for c in calls] == [
            ("+46701740640", "callee", "BUSY"),
            ("+46701740641", "callee", "NO ANSWER"),
            ("+46701740642", "callee", "NO CARRIER"),
            (BACKUP, "modem", None)], "the call log: %r" % calls)
        check(calls[3]["how"] == "ATH" and calls[3]["ended_at"] -
              calls[3]["dialled_at"] >= 0.8, calls[3])
        check(all(c["dialled_at"] <= c["ended_at"] for c in calls), calls)
    with_fake(body)


def test_fakemodem_call_ends_when_the_line_drops():
    def body(fake, d):
        line = Line(fake.device)
        check(line.command("ATD%s;" % PRIMARY)[0] == ["OK"], "dialled")
        check(fake.call(op="state")["call"]["number"] == PRIMARY, "ringing")
        fake.call(op="drop")
        line.close()
        c = fake.calls()
        check(len(c) == 1 and c[0]["ended_by"] == "line" and
              c[0]["ended_at"], "ended with the line: %r" % c)
        check(fake.call(op="state")["call"] is None, "no call left")
    with_fake(body)


def sms_roundtrip(line, text="Vakna 1"):
    """Seconds from the PDU's Ctrl-Z to its +CMGS; the lines after it."""
    hexpdu, tlen = pdu.submit(PRIMARY, text)
    line.command("AT+CMGS=%d" % tlen, final=(">",))
    line.send(hexpdu + "\x1a")
    return line.until(("OK", "+CMS ERROR"), timeout=15)


def test_fakemodem_send_delay():
    def body(fake, d):
        check(fake.call(op="state")["send_delay"] == [0, 0], "default 0")
        line = Line(fake.device)
        try:
            got, took = sms_roundtrip(line)
            check(got[0].startswith("+CMGS: ") and took < 0.5,
                  "no delay by default: %r %.2f" % (got, took))
            fake.call(op="send_delay", seconds=2)
            got, took = sms_roundtrip(line)
            check(got[0].startswith("+CMGS: ") and 1.9 <= took < 3,
                  "+CMGS after the 2 s asked: %r %.2f" % (got, took))
            # What the terminal types meanwhile waits, as on a real modem.
            hexpdu, tlen = pdu.submit(PRIMARY, "Vakna 2")
            line.command("AT+CMGS=%d" % tlen, final=(">",))
            line.send(hexpdu + "\x1a" + "AT+CSQ\r")
            got, took = line.until(("OK",), timeout=5)
            check(got[0].startswith("+CMGS: ") and 1.9 <= took < 3,
                  "the send answered first: %r" % got)
            got, _ = line.until(("OK",), timeout=5)
            check(got == ["+CSQ: 21,99", "OK"], "then the next: %r" % got)
            # A refusal by the network takes its time too.
            fake.call(op="cms_error", code=500)
            got, took = sms_roundtrip(line)
            check(got == ["+CMS ERROR: 500"] and 1.9 <= took < 3,
                  "a delayed refusal: %r %.2f" % (got, took))
            fake.call(op="send_delay", seconds=0)
            check(sms_roundtrip(line)[1] < 0.5, "back to no delay")
        finally:
            line.close()
        sent = fake.sent()
        check([m["text"] for m in sent] == ["Vakna 1"] * 2 + ["Vakna 2",
                                                              "Vakna 1"],
              "the sent log: %r" % sent)
        check(all(m["answered_at"] >= m["at"] for m in fake.call(
            op="sent")["parts"]), "answered after submitted")
    with_fake(body)


def test_fakemodem_send_delay_from_the_command_line():
    def body(fake, d):
        check(fake.call(op="state")["send_delay"] == [1.5, 1.5], "1.5 s")
        line = Line(fake.device)
        try:
            got, took = sms_roundtrip(line)
            check(got[0].startswith("+CMGS: ") and 1.4 <= took < 2.5,
                  "%r %.2f" % (got, took))
            fake.call(op="send_delay", min=0.2, max=0.6)
            took = [sms_roundtrip(line)[1] for _ in range(4)]
            check(all(0.15 <= t < 1.2 for t in took), "a range: %r" % took)
        finally:
            line.close()
        for bad in ({"seconds": -1}, {"min": 2, "max": 1},
                    {"seconds": "x"}, {"seconds": 700}):
            try:
                fake.call(op="send_delay", **bad)
            except RuntimeError:
                continue
            check(False, "send_delay %r refused" % bad)
    with_fake(body, send_delay="1.5")


def test_fakemodem_send_in_flight_is_lost_with_the_line():
    def body(fake, d):
        line = Line(fake.device)
        hexpdu, tlen = pdu.submit(PRIMARY, "Vakna 3")
        line.command("AT+CMGS=%d" % tlen, final=(">",))
        line.send(hexpdu + "\x1a")
        time.sleep(0.3)
        fake.call(op="drop")
        line.close()
        time.sleep(1.2)
        check(fake.sent() == [], "nothing went: %r" % fake.sent())
        fake.call(op="reappear")
        line = Line(fake.device)
        try:
            got, took = sms_roundtrip(line, "Vakna 4")
            check(got[0].startswith("+CMGS: ") and 0.9 <= took < 2,
                  "the new line sends: %r %.2f" % (got, took))
        finally:
            line.close()
        sent = fake.sent()
        check([m["text"] for m in sent] == ["Vakna 4"], sent)
        check(0.9 <= sent[0]["answered_at"] - sent[0]["at"] < 2, sent)
        check("(send lost: the line dropped or went silent)" in
              fake.commands(), "the loss is logged")
    with_fake(body, send_delay=1)


def test_fakemodem_callee_requests_are_checked():
    def body(fake, d):
        for bad in ({"result": "HELLO"}, {"result": "BUSY", "after": -1},
                    {"result": "BUSY", "number": "+46a"},
                    {"result": "BUSY", "number": 46}):
            try:
                fake.call(op="callee", **bad)
            except RuntimeError:
                continue
            check(False, "callee %r refused" % bad)
        try:
            fake.call(op="end_call")
            check(False, "end_call without a call refused")
        except RuntimeError:
            pass
        line = Line(fake.device)
        try:
            check(line.command("ATD%s;" % PRIMARY)[0] == ["OK"], "dialled")
            fake.call(op="end_call", result="BUSY")
            check(line.until(("BUSY",))[0] == ["BUSY"], "BUSY now")
        finally:
            line.close()
        c = fake.calls()
        check(len(c) == 1 and c[0]["ended_by"] == "callee" and
              c[0]["result"] == "BUSY" and c[0]["how"] is None, c)
    with_fake(body)


def test_fakemodem_refused_dials_and_hang_ups():
    def body(fake, d):
        line = Line(fake.device)
        try:
            fake.call(op="dial_error", result="+CME ERROR: 30")
            check(line.command("ATD%s;" % PRIMARY)[0] == ["+CME ERROR: 30"],
                  "the network refused the call")
            check(fake.call(op="state")["call"] is None, "no call placed")
            fake.call(op="hangup_error")
            check(line.command("ATD%s;" % PRIMARY)[0] == ["OK"], "dialled")
            check(line.command("AT+CHUP")[0] == ["ERROR"], "hang-up refused")
            check(fake.call(op="state")["call"] is not None, "still ringing")
            check(line.command("AT+CHUP")[0] == ["OK"], "the next one works")
        finally:
            line.close()
        c = fake.calls()
        check(len(c) == 1 and c[0]["ended_by"] == "modem" and
              c[0]["how"] == "AT+CHUP", c)
        for op, bad in (("dial_error", {"result": "OK"}),
                        ("dial_error", {"count": 0}),
                        ("hangup_error", {"count": "x"})):
            try:
                fake.call(op=op, **bad)
            except RuntimeError:
                continue
            check(False, "%s %r refused" % (op, bad))
    with_fake(body)
