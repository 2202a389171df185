#!/usr/bin/env python3
"""Self-test of the fake paging system, and the protocol by example.

    python3 tests/fakepager/test_fakepager.py [SUBSTRING]

Each test starts a fake (fakepager.py) in a private directory and plays
jourd's part, the control station, through the pseudo-terminal with the
tiny client Station below: what it writes and expects is ESPA 4.4.4 as
DESIGN.md section 10 describes it, byte for byte. Ends with the line
"N passed, M failed".
"""
import os
import select
import shutil
import sys
import tempfile
import time
import traceback
import tty

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fakepager import FakePager  # noqa: E402

SOH, STX, ETX, EOT, ENQ, ACK, NAK = b"\x01", b"\x02", b"\x03", b"\x04", \
    b"\x05", b"\x06", b"\x15"
RS, US = b"\x1e", b"\x1f"


def bcc(data):
    x = 0
    for c in data:
        x ^= c
    return bytes([x])


def page_block(call, text, priority, header=b"1"):
    """SOH 1 STX 1 US <call> RS 2 US <text> RS 4 US 3 RS 6 US <prio> ETX BCC"""
    body = header + STX + b"1" + US + call + RS + b"2" + US + text + RS + \
        b"4" + US + b"3" + RS + b"6" + US + str(priority).encode() + ETX
    return SOH + body + bcc(body)


class Station:
    """The control station's end of the line: jourd's part, in Python."""

    def __init__(self, device):
        self.fd = os.open(device, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(self.fd)

    def send(self, data):
        os.write(self.fd, data)

    def read(self, n, timeout=2.0):
        """Up to n bytes, or fewer when the line stays quiet for timeout."""
        buf = b""
        end = time.monotonic() + timeout
        while len(buf) < n:
            left = end - time.monotonic()
            if left <= 0:
                break
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                buf += os.read(self.fd, n - len(buf))
        return buf

    def expect(self, want, timeout=2.0):
        got = self.read(len(want), timeout)
        assert got == want, "expected %r, got %r" % (want, got)

    def quiet(self, timeout=0.5):
        got = self.read(1, timeout)
        assert got == b"", "expected silence, got %r" % got

    def select(self, own=b"1", system=b"2"):
        self.send(EOT + own + ENQ + system + ENQ)
        self.expect(ACK)

    def close(self):
        os.close(self.fd)


class Case:
    def __init__(self, **kw):
        self.dir = tempfile.mkdtemp(prefix="fakepager-")
        self.pager = FakePager(self.dir, **kw)
        self.st = Station(self.pager.device)

    def close(self):
        self.st.close()
        self.pager.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


# -- pages --------------------------------------------------------------------

def test_page_acked(c):
    """Select, block, ACK, EOT: the block is logged with its bytes."""
    c.st.select()
    c.st.send(page_block(b"4711", "AKUT KARD #3 Älvdalen OK 3".encode(
        "latin-1"), 1))
    c.st.expect(ACK)
    c.st.send(EOT)
    b = c.pager.blocks()
    assert len(b) == 1, b
    assert b[0]["call"] == "4711" and b[0]["priority"] == 1, b
    assert bytes.fromhex(b[0]["text_hex"]) == \
        "AKUT KARD #3 Älvdalen OK 3".encode("latin-1"), b
    assert c.pager.errors() == [], c.pager.errors()
    assert c.pager.call(op="state")["selects"] == 1


def test_page_bytes_of_the_unit_test(c):
    """The page block that tests/unit/test_espa.c checks espa_build_page()
    against, BCC worked out by hand there: the fake accepts it."""
    c.st.select()
    c.st.send(bytes.fromhex("01 31 02 31 1F 34 32 1E 32 1F 4F 4B 20 33"
                            "1E 34 1F 33 1E 36 1F 31 03 3C"))
    c.st.expect(ACK)
    b = c.pager.blocks()
    assert [(x["call"], x["text"], x["priority"]) for x in b] == \
        [("42", "OK 3", 1)], b


def test_two_blocks_one_select(c):
    c.st.select()
    c.st.send(page_block(b"1", b"one", 3))
    c.st.expect(ACK)
    c.st.send(page_block(b"2", b"two", 3))
    c.st.expect(ACK)
    c.st.send(EOT)
    assert [b["text"] for b in c.pager.blocks()] == ["one", "two"]


def test_nak_then_ack(c):
    """A NAK on command (reason 1), the station repeats, then ACK."""
    c.pager.answer("nak", reason="1")
    c.st.select()
    blk = page_block(b"42", b"OK 3", 1)
    c.st.send(blk)
    c.st.expect(b"1" + NAK)
    assert c.pager.blocks() == []
    c.st.send(blk)
    c.st.expect(ACK)
    assert len(c.pager.blocks()) == 1
    assert c.pager.errors() == []


def test_nak_reasons(c):
    """Each reason digit, and a NAK without one."""
    for reason in "0123456789":
        c.pager.answer("nak", reason=reason)
    c.pager.answer("nak")
    c.st.select()
    blk = page_block(b"42", b"OK 3", 1)
    for reason in "0123456789":
        c.st.send(blk)
        c.st.expect(reason.encode() + NAK)
    c.st.send(blk)
    c.st.expect(NAK)
    c.st.quiet(0.2)
    c.st.send(blk)
    c.st.expect(ACK)


def test_nak_persistent(c):
    c.pager.answer("nak", reason="5", persist=True)
    c.st.select()
    blk = page_block(b"42", b"OK 3", 1)
    for _ in range(3):
        c.st.send(blk)
        c.st.expect(b"5" + NAK)
    c.pager.answer("ack", persist=True)
    c.st.send(blk)
    c.st.expect(ACK)
    assert len(c.pager.blocks()) == 1


def test_silent_block(c):
    """No answer to one block: the station's timeout is its business."""
    c.pager.answer("silent")
    c.st.select()
    blk = page_block(b"42", b"OK 3", 1)
    c.st.send(blk)
    c.st.quiet()
    c.st.send(blk)
    c.st.expect(ACK)
    assert len(c.pager.blocks()) == 1


def test_silent_system(c):
    """A paging system that answers nothing at all, not even a select."""
    c.pager.call(op="silent", on=True)
    c.st.send(EOT + b"1" + ENQ + b"2" + ENQ)
    c.st.quiet()
    c.pager.call(op="silent", on=False)
    c.st.select()


def test_bad_bcc_refused(c):
    c.st.select()
    blk = bytearray(page_block(b"42", b"OK 3", 1))
    blk[-1] ^= 0x01
    c.st.send(bytes(blk))
    c.st.expect(b"1" + NAK)
    assert c.pager.blocks() == []
    errs = c.pager.errors()
    assert len(errs) == 1 and "BCC" in errs[0]["error"], errs


def test_bad_format_refused(c):
    """Blocks not as section 10 says get "2 NAK" and an error each."""
    bad = [
        page_block(b"42", b"OK 3", 1, header=b"2"),
        page_block(b"4a", b"OK 3", 1),
        page_block(b"12345678901234567", b"OK 3", 1),
        page_block(b"42", b"x" * 129, 1),
        page_block(b"42", b"", 1),
        page_block(b"42", b"OK 3", 0),
    ]
    body = b"1" + STX + b"1" + US + b"42" + RS + b"6" + US + b"1" + RS + \
        b"2" + US + b"text" + RS + b"4" + US + b"3" + ETX
    bad.append(SOH + body + bcc(body))         # records out of order
    c.st.select()
    for blk in bad:
        c.st.send(blk)
        c.st.expect(b"2" + NAK)
    assert c.pager.blocks() == []
    assert len(c.pager.errors()) == len(bad), c.pager.errors()


def test_block_without_select(c):
    """A block before the select is a breach: recorded, not answered."""
    c.st.send(page_block(b"42", b"OK 3", 1))
    c.st.quiet()
    c.st.send(EOT + page_block(b"42", b"OK 3", 1))
    c.st.quiet()
    assert c.pager.blocks() == []
    assert len(c.pager.errors()) == 2, c.pager.errors()


def test_wrong_addresses(c):
    c.st.send(EOT + b"3" + ENQ)
    c.st.quiet()
    c.st.send(EOT + b"1" + ENQ + b"3" + ENQ)
    c.st.quiet()
    assert len(c.pager.errors()) == 2, c.pager.errors()
    c.st.select()


def test_other_addresses():
    """--own 7 --system 0: the select and the poll use them."""
    c = Case(own="7", system="0")
    try:
        c.st.send(EOT + b"1" + ENQ + b"2" + ENQ)
        c.st.quiet()
        c.st.select(own=b"7", system=b"0")
        c.pager.status("42", 6)
        c.st.send(EOT + b"0" + ENQ)
        c.st.expect(b"7" + ENQ)
    finally:
        c.close()


# -- polls --------------------------------------------------------------------

def read_status(st):
    """Reads one status block; returns (call, code) after checking it."""
    got = st.read(1)
    assert got == SOH, got
    body = b""
    while not body.endswith(ETX):
        b = st.read(1)
        assert b, "block cut off after %r" % body
        body += b
    check = st.read(1)
    assert check == bcc(body), "BCC %r, want %r" % (check, bcc(body))
    assert body[:2] == b"2" + STX, body
    recs = dict(r.split(US, 1) for r in body[2:-1].split(RS))
    return recs[b"1"].decode(), int(recs[b"7"])


def test_poll_nothing(c):
    c.st.send(EOT + b"2" + ENQ)
    c.st.expect(EOT)
    assert c.pager.call(op="state")["polls"] == 1


def test_poll_status(c):
    """1 ENQ, ACK, the status block, ACK, EOT."""
    c.pager.status("4711", 3)
    c.pager.status("4711", 6)
    for want in (3, 6):
        c.st.send(EOT + b"2" + ENQ)
        c.st.expect(b"1" + ENQ)
        c.st.send(ACK)
        assert read_status(c.st) == ("4711", want)
        c.st.send(ACK)
        c.st.expect(EOT)
    c.st.send(EOT + b"2" + ENQ)
    c.st.expect(EOT)
    assert [d["code"] for d in c.pager.delivered()] == [3, 6]
    assert c.pager.errors() == []


def test_poll_every_status(c):
    for code in (3, 4, 6, 8, 5):
        c.pager.status("42", code)
    got = []
    for _ in range(5):
        c.st.send(EOT + b"2" + ENQ)
        c.st.expect(b"1" + ENQ)
        c.st.send(ACK)
        got.append(read_status(c.st)[1])
        c.st.send(ACK)
        c.st.expect(EOT)
    assert got == [3, 4, 6, 8, 5], got


def test_poll_nak_repeats(c):
    """A NAKed status block comes again; after 3 tries the turn ends."""
    c.pager.status("42", 4)
    c.st.send(EOT + b"2" + ENQ)
    c.st.expect(b"1" + ENQ)
    c.st.send(ACK)
    read_status(c.st)
    c.st.send(b"1" + NAK)
    assert read_status(c.st) == ("42", 4)
    c.st.send(NAK)
    read_status(c.st)
    c.st.send(NAK)
    c.st.expect(EOT)
    assert c.pager.delivered() == []
    c.st.send(EOT + b"2" + ENQ)
    c.st.expect(b"1" + ENQ)


def test_poll_enq_refused(c):
    """The station NAKs the fake's ENQ: no block, the turn ends, the
    status stays queued for the next poll."""
    c.pager.status("42", 8)
    c.st.send(EOT + b"2" + ENQ)
    c.st.expect(b"1" + ENQ)
    c.st.send(NAK)
    c.st.expect(EOT)
    assert c.pager.delivered() == []
    c.st.send(EOT + b"2" + ENQ)
    c.st.expect(b"1" + ENQ)
    c.st.send(ACK)
    assert read_status(c.st) == ("42", 8)


def test_poll_station_silent():
    """No ACK to its ENQ: the fake ends its turn after --timeout."""
    c = Case(timeout=1.0)
    try:
        c.pager.status("42", 3)
        c.st.send(EOT + b"2" + ENQ)
        c.st.expect(b"1" + ENQ)
        c.st.quiet(0.7)
        c.st.expect(EOT, timeout=1.0)
        assert any("no answer" in e["error"] for e in c.pager.errors())
        assert c.pager.delivered() == []
    finally:
        c.close()


def test_bad_bcc_on_command(c):
    c.pager.call(op="bad_bcc")
    c.pager.status("42", 3)
    c.st.send(EOT + b"2" + ENQ)
    c.st.expect(b"1" + ENQ)
    c.st.send(ACK)
    spoilt = False
    try:
        read_status(c.st)
    except AssertionError as e:
        spoilt = "BCC" in str(e)
    assert spoilt, "the BCC was good"
    c.st.send(b"1" + NAK)
    assert read_status(c.st) == ("42", 3)
    c.st.send(ACK)
    c.st.expect(EOT)


# -- faults -------------------------------------------------------------------

def test_garbage_and_send(c):
    c.pager.call(op="garbage", count=20)
    got = c.st.read(20)
    assert len(got) == 20 and got[:1] == b"\xff", got
    c.pager.call(op="send", hex="0102")
    c.st.expect(b"\x01\x02")


def test_enq_storm(c):
    c.pager.call(op="enq_storm", count=50)
    c.st.expect((b"1" + ENQ) * 50)
    c.pager.call(op="enq_storm", on=True)
    got = c.st.read(40, timeout=3.0)
    c.pager.call(op="enq_storm", on=False)
    assert got == (b"1" + ENQ) * 20, got
    time.sleep(0.1)
    c.st.read(4096, timeout=0.2)
    c.st.quiet(0.3)


def test_garbage_from_station(c):
    c.st.send(b"hello")
    c.st.quiet()
    errs = c.pager.errors()
    assert len(errs) == 1 and "garbage" in errs[0]["error"], errs


def test_drop_and_reappear(c):
    c.pager.call(op="drop")
    assert not os.path.lexists(c.pager.device)
    c.pager.call(op="reappear")
    st = Station(c.pager.device)
    try:
        st.select()
    finally:
        st.close()


def test_log(c):
    c.st.select()
    log = c.pager.log()
    assert "< <EOT>1<ENQ>2<ENQ>" in log and "> <ACK>" in log, log


def main():
    only = sys.argv[1] if len(sys.argv) > 1 else ""
    tests = [(n, f) for n, f in sorted(globals().items())
             if n.startswith("test_") and only in n]
    passed = failed = 0
    for name, fn in tests:
        c = None
        try:
            if fn.__code__.co_argcount == 1:
                c = Case()
                fn(c)
            else:
                fn()
            passed += 1
            print("  ok      %s" % name)
        except Exception:
            failed += 1
            print("  FAILED  %s" % name)
            traceback.print_exc()
        finally:
            if c is not None:
                c.close()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
