#!/usr/bin/env python3
"""A fake hospital paging system on a pseudo-terminal, speaking ESPA 4.4.4
as DESIGN.md section 10 describes it: what jourd's tests talk to instead
of the paging system's serial port.

    python3 fakepager.py --dir DIR [--own 1] [--system 2]

DIR/pager is a symbolic link to the pseudo-terminal (give it to jourd as
[pager] device); DIR/ctl.sock is the control socket: one JSON object per
line in, one per line out (see FakePager below for the client). --own is
the control station's (jourd's) address, --system the paging system's.

It plays the paging-system side. The control station calls with EOT; a
select is "EOT <own> ENQ <system> ENQ", answered with ACK; every block
after it is checked (BCC, header 1, records 1 call address, 2 text, 4
call type 3, 6 priority, in that order) and answered ACK, NAK or nothing
as the control socket says; EOT ends the select. A poll is
"EOT <system> ENQ": with nothing queued the answer is EOT; with a status
queued it is "<own> ENQ", then after the control station's ACK the block
"SOH 2 STX 1 US <call> RS 7 US <status> ETX <BCC>", then after its ACK
EOT (a NAK gets the block again, at most 3 times; silence ends the turn
after --timeout seconds).

A block it refuses on its own gets "1 NAK" for a bad BCC (ESPA's reason 1,
a transmission error) and "2 NAK" for a block not framed as above; a NAK
on command carries the reason the test asks for, or none. Every accepted
block is kept (call address, text bytes, priority) and every breach of
the protocol (a bad BCC, a block outside a select, a wrong address,
garbage) is kept as an error, both readable over the control socket.
Every byte read and written is logged to DIR/espa.log in readable form.

Faults on request: answer nothing at all, send garbage or any bytes,
spoil the BCC of the next status blocks, send an ENQ storm (a burst, or
endless until stopped), drop the line and come back on a new one.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import fakeline  # noqa: E402

SOH, STX, ETX, EOT, ENQ, ACK, NAK = 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x15
RS, US = 0x1E, 0x1F
NAMES = {SOH: "SOH", STX: "STX", ETX: "ETX", EOT: "EOT", ENQ: "ENQ",
         ACK: "ACK", NAK: "NAK", RS: "RS", US: "US"}
BLOCK_MAX = 1024        # longer than any block the control station may send
TRIES = 3


def bcc(data):
    """XOR of the bytes after SOH up to and including ETX."""
    x = 0
    for c in data:
        x ^= c
    return x


def readable(data):
    """Bytes as the log shows them: control characters by name."""
    out = []
    for c in data:
        if c in NAMES:
            out.append("<%s>" % NAMES[c])
        elif 0x20 <= c < 0x7F:
            out.append(chr(c))
        else:
            out.append("<%02X>" % c)
    return "".join(out)


def check_page(body):
    """The records of a page block (between SOH and ETX), or a reason why
    it is not one: header 1, then 1 call address, 2 text, 4 call type 3,
    6 priority, in that order."""
    if len(body) < 2 or body[0:1] != b"1" or body[1] != STX:
        return None, "header is not 1 STX"
    recs = body[2:].split(bytes([RS]))
    ids = []
    fields = {}
    for r in recs:
        if len(r) < 2 or r[1] != US:
            return None, "record %r has no identifier and US" % r
        ids.append(r[0:1])
        fields[r[0:1]] = r[2:]
    if ids != [b"1", b"2", b"4", b"6"]:
        return None, "records %s, not 1 2 4 6" % b" ".join(ids).decode(
            "latin-1")
    call = fields[b"1"]
    if not (1 <= len(call) <= 16 and call.isdigit()):
        return None, "call address %r" % call
    text = fields[b"2"]
    if not text or len(text) > 128 or any(
            c < 0x20 or c == 0x7F or 0x80 <= c <= 0x9F for c in text):
        return None, "text of %d bytes with control characters or " \
            "over 128" % len(text)
    if fields[b"4"] != b"3":
        return None, "call type %r, not 3" % fields[b"4"]
    prio = fields[b"6"]
    if len(prio) != 1 or not prio.isdigit() or prio == b"0":
        return None, "priority %r" % prio
    return {"call": call.decode(), "text": text.decode("latin-1"),
            "text_hex": text.hex(), "priority": int(prio)}, None


class Tokens:
    """Cuts the control station's byte stream into tokens: ("EOT",),
    ("ENQ", addr), ("ACK", prefix), ("NAK", prefix), ("BLOCK", body,
    bcc_ok, raw) and ("JUNK", bytes). addr and prefix are a digit
    character or None."""

    def __init__(self):
        self.buf = b""

    def feed(self, data):
        self.buf += data
        out = []
        while self.buf:
            c = self.buf[0]
            if c in (EOT,):
                out.append(("EOT",))
                self.buf = self.buf[1:]
            elif c in (ENQ, ACK, NAK):
                out.append(({ENQ: "ENQ", ACK: "ACK", NAK: "NAK"}[c], None))
                self.buf = self.buf[1:]
            elif 0x30 <= c <= 0x39:
                if len(self.buf) < 2:
                    break
                nxt = self.buf[1]
                if nxt in (ENQ, ACK, NAK):
                    out.append(({ENQ: "ENQ", ACK: "ACK", NAK: "NAK"}[nxt],
                                chr(c)))
                    self.buf = self.buf[2:]
                else:
                    out.append(("JUNK", self.buf[:1]))
                    self.buf = self.buf[1:]
            elif c == SOH:
                end = self.buf.find(bytes([ETX]))
                if end < 0 or end + 1 >= len(self.buf):
                    if len(self.buf) > BLOCK_MAX:
                        out.append(("JUNK", self.buf))
                        self.buf = b""
                    break
                body = self.buf[1:end]
                raw = self.buf[:end + 2]
                ok = bcc(body + bytes([ETX])) == self.buf[end + 1]
                out.append(("BLOCK", body, ok, raw))
                self.buf = self.buf[end + 2:]
            else:
                n = 1
                while n < len(self.buf) and self.buf[n] not in (
                        EOT, ENQ, ACK, NAK, SOH) and not (
                        0x30 <= self.buf[n] <= 0x39):
                    n += 1
                out.append(("JUNK", self.buf[:n]))
                self.buf = self.buf[n:]
        return out


class Pager:
    def __init__(self, args):
        self.dir = args.dir
        self.own = args.own.encode()
        self.system = args.system.encode()
        self.timeout = args.timeout
        self.log = open(os.path.join(self.dir, "espa.log"), "a", buffering=1)
        self.link = os.path.join(self.dir, "pager")
        self.tokens = Tokens()
        self.state = "idle"
        self.silent = False
        self.answers = []           # (mode, reason) for the next blocks
        self.default = ("ack", None)
        self.blocks = []            # accepted page blocks, in order
        self.errors = []            # breaches of the protocol
        self.statuses = []          # queued for polls: [call, code]
        self.delivered = []         # statuses the control station ACKed
        self.bad_bcc = 0            # status blocks to send with a bad BCC
        self.storm = False
        self.counts = {"selects": 0, "polls": 0, "naks": 0, "acks": 0,
                       "ignored": 0}
        self.tries = 0
        self.deadline = None        # while waiting for the station's ACK
        self.master = self.slave = None
        self.open_line()

    # -- the line --------------------------------------------------------
    def open_line(self):
        self.master, self.slave = fakeline.pty_link(self.link)
        self.tokens = Tokens()
        self.state = "idle"

    def drop_line(self):
        """The device disappears: the link goes, the terminal closes."""
        fakeline.pty_unlink(self.link, self.master, self.slave)
        self.master = self.slave = None

    def write(self, data):
        if self.master is None:
            return
        self.log.write("> %s\n" % readable(data))
        try:
            os.write(self.master, data)
        except OSError:
            pass

    def error(self, what):
        self.log.write("! %s\n" % what)
        self.errors.append({"error": what, "state": self.state,
                            "at": time.time()})

    # -- input -------------------------------------------------------------
    def feed(self, data):
        self.log.write("< %s%s\n" % (readable(data),
                                     " (silent)" if self.silent else ""))
        for tok in self.tokens.feed(data):
            if self.silent:
                self.counts["ignored"] += 1
                continue
            self.token(tok)

    def token(self, tok):
        kind = tok[0]
        if kind == "EOT":
            # The control station takes the line or ends its turn.
            self.state = "called"
            self.deadline = None
            return
        if kind == "JUNK":
            return self.error("garbage %s" % readable(tok[1]))
        handler = getattr(self, "in_" + self.state)
        handler(tok)

    def in_idle(self, tok):
        self.error("%s before any EOT" % tok[0])

    def in_called(self, tok):
        if tok[0] == "ENQ" and tok[1] == self.own.decode():
            self.state = "identified"
        elif tok[0] == "ENQ" and tok[1] == self.system.decode():
            self.poll()
        else:
            self.state = "idle"
            self.error("%s %s after EOT: neither select nor poll" % (
                tok[0], tok[1]))

    def in_identified(self, tok):
        if tok[0] == "ENQ" and tok[1] == self.system.decode():
            self.counts["selects"] += 1
            self.state = "selected"
            self.write(bytes([ACK]))
        else:
            self.state = "idle"
            self.error("%s %s after the station's ENQ: not a select of %s"
                       % (tok[0], tok[1], self.system.decode()))

    def in_selected(self, tok):
        if tok[0] != "BLOCK":
            return self.error("%s %s in a select, not a block" % tok[:2])
        _, body, ok, raw = tok
        if not ok:
            self.error("bad BCC in %s" % readable(raw))
            return self.nak("1")
        page, why = check_page(body)
        if page is None:
            self.error("block refused: %s" % why)
            return self.nak("2")
        mode, reason = self.answers.pop(0) if self.answers else self.default
        if mode == "silent":
            self.log.write("! block not answered, as told\n")
            return
        if mode == "nak":
            return self.nak(reason)
        page["at"] = time.time()
        self.blocks.append(page)
        self.counts["acks"] += 1
        self.write(bytes([ACK]))

    def nak(self, reason):
        self.counts["naks"] += 1
        self.write((reason.encode() if reason else b"") + bytes([NAK]))

    # -- polls ---------------------------------------------------------------
    def poll(self):
        self.counts["polls"] += 1
        if not self.statuses:
            self.state = "idle"
            return self.write(bytes([EOT]))
        self.state = "poll_enq"
        self.tries = 0
        self.deadline = time.monotonic() + self.timeout
        self.write(self.own + bytes([ENQ]))

    def status_block(self):
        call, code = self.statuses[0]
        body = b"2" + bytes([STX]) + b"1" + bytes([US]) + call.encode() + \
            bytes([RS]) + b"7" + bytes([US]) + str(code).encode() + \
            bytes([ETX])
        check = bcc(body)
        if self.bad_bcc:
            self.bad_bcc -= 1
            check ^= 0x5A
        return bytes([SOH]) + body + bytes([check])

    def send_status(self):
        self.tries += 1
        self.state = "poll_block"
        self.deadline = time.monotonic() + self.timeout
        self.write(self.status_block())

    def end_turn(self):
        self.state = "idle"
        self.deadline = None
        self.write(bytes([EOT]))

    def in_poll_enq(self, tok):
        if tok[0] == "ACK":
            return self.send_status()
        self.error("%s %s, not ACK, to the ENQ" % tok[:2])
        self.end_turn()

    def in_poll_block(self, tok):
        if tok[0] == "ACK":
            call, code = self.statuses.pop(0)
            self.delivered.append({"call": call, "code": code,
                                   "at": time.time()})
            return self.end_turn()
        if tok[0] == "NAK" and self.tries < TRIES:
            return self.send_status()
        if tok[0] != "NAK":
            self.error("%s %s, not ACK, to the status block" % tok[:2])
        self.end_turn()

    def next_timeout(self):
        """How long the serve loop may sleep: briefly during a storm."""
        return 0.02 if self.storm else 0.2

    def run_timers(self):
        self.tick()

    def tick(self):
        """Time passes: the station stayed silent, or a storm blows."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            self.error("no answer from the station in %s" % self.state)
            self.end_turn()
        if self.storm and not self.silent:
            self.write(self.own + bytes([ENQ]))

    # -- the control socket --------------------------------------------------
    def control(self, req):
        op = req.get("op")
        if op == "answer":
            mode = req.get("mode", "ack")
            if mode not in ("ack", "nak", "silent"):
                raise ValueError("mode %r" % mode)
            reason = req.get("reason")
            if reason is not None and not (isinstance(reason, str) and
                                           len(reason) == 1 and
                                           reason.isdigit()):
                raise ValueError("reason %r is not one digit" % reason)
            if req.get("persist"):
                self.default = (mode, reason)
                self.answers = []
            else:
                self.answers += [(mode, reason)] * int(req.get("count", 1))
            return {}
        if op == "blocks":
            return {"blocks": self.blocks}
        if op == "errors":
            return {"errors": self.errors}
        if op == "status":
            call, code = str(req["call"]), int(req["code"])
            if not (1 <= len(call) <= 16 and call.isdigit()):
                raise ValueError("call address %r" % call)
            self.statuses.append([call, code])
            return {"queued": len(self.statuses)}
        if op == "delivered":
            return {"delivered": self.delivered,
                    "queued": len(self.statuses)}
        if op == "state":
            return dict(self.counts, state=self.state, silent=self.silent,
                        storm=self.storm, line=self.master is not None,
                        answers=len(self.answers),
                        default=self.default[0])
        if op == "silent":
            self.silent = bool(req.get("on", True))
            return {}
        if op == "send":
            self.write(bytes.fromhex(req["hex"]))
            return {}
        if op == "garbage":
            junk = b"\xff\x00garbage\x7f\x80\x1b[2J"
            n = int(req.get("count", len(junk)))
            self.write((junk * (n // len(junk) + 1))[:n])
            return {}
        if op == "bad_bcc":
            self.bad_bcc += int(req.get("count", 1))
            return {}
        if op == "enq_storm":
            if "on" in req:
                self.storm = bool(req["on"])
            else:
                self.write((self.own + bytes([ENQ])) *
                           int(req.get("count", 100)))
            return {}
        raise ValueError("unknown op %r" % op)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", required=True)
    ap.add_argument("--own", default="1", choices=list("0123456789"))
    ap.add_argument("--system", default="2", choices=list("0123456789"))
    ap.add_argument("--timeout", type=float, default=3.0)
    args = ap.parse_args()
    if args.own == args.system:
        ap.error("--own and --system must differ")
    os.makedirs(args.dir, exist_ok=True)
    fakeline.serve(Pager(args), args.dir)


class FakePager:
    """The tests' handle on a fake paging system process."""

    def __init__(self, directory, own="1", system="2", timeout=3.0):
        self.dir = directory
        self.device = os.path.join(directory, "pager")
        self.proc = fakeline.start(
            __file__, directory,
            ["--own", own, "--system", system, "--timeout", str(timeout)],
            self.device, "fake pager")

    def call(self, **req):
        return fakeline.call(self.dir, req)

    def answer(self, mode, reason=None, count=1, persist=False):
        """How to answer the next count blocks (or all, with persist):
        "ack", "nak" (with a reason digit or none) or "silent"."""
        return self.call(op="answer", mode=mode, reason=reason, count=count,
                         persist=persist)

    def blocks(self):
        return self.call(op="blocks")["blocks"]

    def errors(self):
        return self.call(op="errors")["errors"]

    def status(self, call, code):
        return self.call(op="status", call=call, code=code)

    def delivered(self):
        return self.call(op="delivered")["delivered"]

    def log(self):
        with open(os.path.join(self.dir, "espa.log"),
                  encoding="latin-1") as f:
            return f.read().splitlines()

    def stop(self):
        self.proc.kill()
        self.proc.wait()


if __name__ == "__main__":
    main()
