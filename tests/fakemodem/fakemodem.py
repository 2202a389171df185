#!/usr/bin/env python3
"""A fake GSM modem on a pseudo-terminal, for libGammu's AT driver in PDU
mode: what jourd's integration tests talk to instead of a USB modem.

    python3 fakemodem.py --dir DIR [--pin 1234] [--manufacturer NAME]
                         [--send-delay SECONDS|MIN-MAX] [--no-chup]

DIR/modem is a symbolic link to the pseudo-terminal (give it to jourd as
[modem] device); DIR/ctl.sock is the control socket: one JSON object per
line in, one per line out (see FakeModem below for the client).

It behaves like a plain modem: it echoes commands (ATE0/ATE1), answers the
identification, charset, PIN, signal, registration, message-storage and
new-message-indication commands, lists, reads, deletes and sends SMS in PDU
mode with the "> " prompt, and announces a new message with +CMTI (or hands
it over with +CMT) as +CNMI asked. Anything else gets ERROR: answering OK to
commands it does not know would make the driver take it for another
vendor's modem. Every command line is logged to DIR/at.log and every
submitted PDU is decoded and kept (7-bit with the extension table, UCS-2,
concatenated parts).

Voice calls as libGammu 1.42's AT driver places them: GSM_DialVoice sends
ATDT<number>; (and ATD<number>; if that gets ERROR), GSM_SetIncomingCall
sends AT+CLIP=1, AT+CRC=1 and AT+CCWA=1, GSM_CancelCall sends AT+CHUP when
AT+CHUP=? said OK at connect time and ATH otherwise (--no-chup makes the
fake a modem without AT+CHUP). ATD answers OK as soon as the call is set
up, as a modem does for a voice call; the call then rings until the
terminal hangs up, or until the callee ends it with the unsolicited result
the control socket chose (NO CARRIER, BUSY or NO ANSWER; of these libGammu
reports only NO CARRIER, as GSM_CALL_CallRemoteEnd). Every call is in the
call log with the time it was dialled and ended and by whom.

A real modem takes 1-5 s between the PDU and +CMGS: --send-delay (or the
control socket) sets that network delay, fixed or drawn from a range; 0 by
default. What the terminal types meanwhile waits, as on a real modem.

Faults on request: stop answering, answer +CMS ERROR to the next sends,
refuse the next dials (dial_error: a final result such as +CME ERROR: 30,
no call is placed) or hang-ups (hangup_error: ERROR, the call rings on),
drop the line (the device disappears) and come back on a new one.
"""
import argparse
import heapq
import itertools
import os
import random
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import fakeline  # noqa: E402
import pdu  # noqa: E402

CAPACITY = 30
# What the callee can do to a call: let it ring until the terminal hangs
# up, or end it with one of the modem's unsolicited final results.
CALLEE_RESULTS = ("ring", "NO CARRIER", "BUSY", "NO ANSWER")
# Dial strings the fake accepts: an optional + and up to 32 digits, * or #.
DIAL_NUMBER = re.compile(r"\+?[0-9*#]{1,32}")
# What a modem may answer to ATD when the call cannot be set up.
DIAL_ERROR = re.compile(r"ERROR|NO CARRIER|BUSY|NO DIALTONE|"
                        r"\+CME ERROR: [0-9]{1,3}")
# The longest network delay or callee wait the control socket takes.
MAX_WAIT = 600


def parse_delay(text):
    """(min, max) seconds from "S" or "MIN-MAX"; ValueError when bad."""
    parts = str(text).split("-")
    if len(parts) > 2:
        raise ValueError("send delay %r: SECONDS or MIN-MAX" % text)
    return check_delay(*(float(p) for p in parts))


def check_delay(lo, hi=None):
    """(lo, hi) when 0 <= lo <= hi <= MAX_WAIT; ValueError otherwise."""
    lo = float(lo)
    hi = lo if hi is None else float(hi)
    if not 0 <= lo <= hi <= MAX_WAIT:
        raise ValueError("send delay %g-%g: 0 to %d s, min <= max" % (
            lo, hi, MAX_WAIT))
    return (lo, hi)


class Modem:
    def __init__(self, args):
        self.dir = args.dir
        self.pin = args.pin
        self.manufacturer = args.manufacturer
        self.log = open(os.path.join(self.dir, "at.log"), "a", buffering=1)
        self.link = os.path.join(self.dir, "modem")
        self.unlocked = not self.pin
        self.pin_tries = 0
        self.echo = True
        self.cnmi = (0, 0, 0, 0, 0)
        self.store = {}          # index -> [stat, hexpdu, tpdu length]
        self.submits = []        # decoded SMS-SUBMIT parts, in order
        self.mr = 0
        self.silent = False
        self.cms_errors = []     # error codes for the next sends
        self.dial_errors = []    # final results for the next dials
        self.hangup_errors = 0   # hang-ups still to refuse
        self.send_delay = parse_delay(args.send_delay)
        self.chup = not args.no_chup
        self.sending = False     # a send waits for the network's answer
        self.calls = []          # the call log, in dialling order
        self.call = None         # the call in progress, one of self.calls
        self.callee = {None: {"result": "ring", "after": 0.0}}
        self.timers = []         # heap of (when, seq, fn)
        self.seq = itertools.count()
        self.buf = b""
        self.pdu_len = None      # set while a PDU is being typed
        self.master = self.slave = None
        self.generation = 0      # which line: a reopened pty may reuse fds
        self.open_line()

    # -- the line --------------------------------------------------------
    def open_line(self):
        self.master, self.slave = fakeline.pty_link(self.link)
        self.generation += 1
        self.buf = b""
        self.pdu_len = None

    def drop_line(self):
        """The device disappears: the link goes, the terminal closes, a
        call in progress ends with it."""
        self.end_call("line")
        fakeline.pty_unlink(self.link, self.master, self.slave)
        self.master = self.slave = None

    def write(self, s):
        if self.master is None:
            return
        try:
            os.write(self.master, s.encode("latin-1"))
        except OSError:
            pass

    def reply(self, *lines):
        self.write("\r\n" + "\r\n".join(lines) + "\r\n")

    def unsolicited(self, line):
        self.write("\r\n" + line + "\r\n")

    # -- time --------------------------------------------------------------
    def after(self, seconds, fn):
        heapq.heappush(self.timers, (time.monotonic() + seconds,
                                     next(self.seq), fn))

    def next_timeout(self):
        """Seconds until the next timer is due, or None without timers."""
        if not self.timers:
            return None
        return max(0.0, self.timers[0][0] - time.monotonic())

    def run_timers(self):
        now = time.monotonic()
        while self.timers and self.timers[0][0] <= now:
            heapq.heappop(self.timers)[2]()

    # -- input -------------------------------------------------------------
    def feed(self, data):
        if self.silent:
            self.log.write("(silent) %r\n" % data)
            return
        self.buf += data
        while not self.sending:
            if self.pdu_len is not None:
                end = min((i for i in (self.buf.find(b"\x1a"),
                                       self.buf.find(b"\x1b")) if i >= 0),
                          default=-1)
                if end < 0:
                    return
                text, term = self.buf[:end], self.buf[end:end + 1]
                self.buf = self.buf[end + 1:]
                self.submit(text.decode("latin-1").strip(), term == b"\x1a")
                continue
            end = self.buf.find(b"\r")
            if end < 0:
                return
            line = self.buf[:end].decode("latin-1").strip("\n\x1b ")
            self.buf = self.buf[end + 1:]
            if line:
                self.command(line)

    def command(self, line):
        self.log.write(line + "\n")
        if self.echo:
            self.write(line + "\r")
        up = line.upper()
        if not up.startswith("AT"):
            return self.reply("ERROR")
        if up.startswith("ATD"):
            return self.dial(up[3:], line)
        handler = self.dispatch(up[2:])
        if handler is None:
            return self.reply("ERROR")
        handler(up[2:], line[2:])

    def dispatch(self, cmd):
        table = [
            ("", self.ok), ("Z", self.ok), ("E0", self.set_echo),
            ("E1", self.set_echo), ("+CMEE=", self.ok), ("Q0", self.ok),
            ("V1", self.ok), ("&F", self.ok),
            ("I", lambda c, r: self.reply(self.manufacturer + " GSM modem",
                                          "OK")),
            ("+CGMI", lambda c, r: self.reply(self.manufacturer, "OK")),
            ("+CGMM", lambda c, r: self.reply("GSM modem", "OK")),
            ("+CGMR", lambda c, r: self.reply("1.0", "OK")),
            ("+CGSN", lambda c, r: self.reply("356938035643809", "OK")),
            ("+CIMI", lambda c, r: self.reply("240011234567890", "OK")),
            ("+CSCS=?", lambda c, r: self.reply(
                '+CSCS: ("IRA","GSM","UCS2")', "OK")),
            ("+CSCS?", lambda c, r: self.reply('+CSCS: "GSM"', "OK")),
            ("+CSCS=", self.ok),
            ("+CPIN?", self.cpin_query), ("+CPIN=", self.cpin_enter),
            ("+CFUN=?", lambda c, r: self.reply("+CFUN: (0,1,4)", "OK")),
            ("+CFUN?", lambda c, r: self.reply("+CFUN: 1", "OK")),
            ("+CFUN=1", self.ok),
            ("+CHUP=?", self.chup_test), ("+CHUP", self.hang_up),
            ("H", self.hang_up), ("H0", self.hang_up),
            ("+CLIP=", self.ok), ("+CRC=", self.ok), ("+CCWA=", self.ok),
            ("+CSQ", lambda c, r: self.reply("+CSQ: 21,99", "OK")),
            ("+CREG?", lambda c, r: self.reply("+CREG: 0,1", "OK")),
            ("+CREG=", self.ok),
            ("+COPS?", lambda c, r: self.reply('+COPS: 0,0,"Telia"', "OK")),
            ("+CMGF=?", lambda c, r: self.reply("+CMGF: (0)", "OK")),
            ("+CMGF=0", self.ok), ("+CMGF?", lambda c, r: self.reply(
                "+CMGF: 0", "OK")),
            ("+CPMS=?", lambda c, r: self.reply(
                '+CPMS: ("SM"),("SM"),("SM")', "OK")),
            ("+CPMS?", lambda c, r: self.reply(
                '+CPMS: "SM",%d,%d,"SM",%d,%d,"SM",%d,%d' % (
                    (len(self.store), CAPACITY) * 3), "OK")),
            ("+CPMS=", self.cpms),
            ("+CNMI=?", lambda c, r: self.reply(
                "+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)", "OK")),
            ("+CNMI?", lambda c, r: self.reply(
                "+CNMI: %d,%d,%d,%d,%d" % self.cnmi, "OK")),
            ("+CNMI=", self.set_cnmi),
            ("+CSCA?", lambda c, r: self.reply(
                '+CSCA: "%s",145' % pdu.SMSC, "OK")),
            ("+CSMS?", lambda c, r: self.reply("+CSMS: 0,1,1,1", "OK")),
            ("+CMGL", self.cmgl), ("+CMGR=", self.cmgr),
            ("+CMGD=", self.cmgd), ("+CMGS=", self.cmgs),
        ]
        for prefix, handler in table:
            # Basic commands match whole; extended ones by their start.
            if (cmd == prefix if not prefix.startswith("+")
                    else cmd.startswith(prefix)):
                return handler
        return None

    # -- commands ----------------------------------------------------------
    def ok(self, cmd, raw):
        self.reply("OK")

    def set_echo(self, cmd, raw):
        self.echo = cmd == "E1"
        self.reply("OK")

    def cpin_query(self, cmd, raw):
        self.reply("+CPIN: " + ("READY" if self.unlocked else "SIM PIN"), "OK")

    def cpin_enter(self, cmd, raw):
        self.pin_tries += 1
        given = raw.split("=", 1)[1].strip().strip('"')
        if self.unlocked:
            return self.reply("+CME ERROR: 3")
        if given == self.pin:
            self.unlocked = True
            return self.reply("OK")
        self.reply("+CME ERROR: 16")      # incorrect password

    def cpms(self, cmd, raw):
        mems = [m.strip('" ') for m in cmd.split("=", 1)[1].split(",")]
        if any(m not in ("SM",) for m in mems):
            return self.reply("+CMS ERROR: 302")
        used = len(self.store)
        self.reply("+CPMS: " + ",".join(["%d,%d" % (used, CAPACITY)] * 3),
                   "OK")

    def set_cnmi(self, cmd, raw):
        try:
            vals = [int(v) if v else 0 for v in cmd.split("=", 1)[1].split(",")]
        except ValueError:
            return self.reply("+CMS ERROR: 303")
        self.cnmi = tuple((vals + [0] * 5)[:5])
        self.reply("OK")

    def need_pin(self):
        if not self.unlocked:
            self.reply("+CMS ERROR: 311")     # SIM PIN required
            return True
        return False

    def cmgl(self, cmd, raw):
        if self.need_pin():
            return
        want = cmd.split("=", 1)[1] if "=" in cmd else "0"
        want = int(want) if want.isdigit() else 4
        lines = []
        for idx in sorted(self.store):
            stat, hexpdu, tlen = self.store[idx]
            if want in (4, stat):
                lines += ["+CMGL: %d,%d,,%d" % (idx, stat, tlen), hexpdu]
                if stat == 0:
                    self.store[idx][0] = 1
        self.reply(*(lines + ["OK"]))

    def cmgr(self, cmd, raw):
        if self.need_pin():
            return
        try:
            idx = int(cmd.split("=", 1)[1])
        except ValueError:
            return self.reply("+CMS ERROR: 321")
        if idx not in self.store:
            # An empty location: real modems differ; most say OK or 321.
            return self.reply("+CMS ERROR: 321")
        stat, hexpdu, tlen = self.store[idx]
        if stat == 0:
            self.store[idx][0] = 1
        self.reply("+CMGR: %d,,%d" % (stat, tlen), hexpdu, "OK")

    def cmgd(self, cmd, raw):
        if self.need_pin():
            return
        args = cmd.split("=", 1)[1].split(",")
        try:
            idx = int(args[0])
            flag = int(args[1]) if len(args) > 1 else 0
        except ValueError:
            return self.reply("+CMS ERROR: 321")
        if flag == 4:
            self.store.clear()
        else:
            self.store.pop(idx, None)
        self.reply("OK")

    def cmgs(self, cmd, raw):
        if self.need_pin():
            return
        try:
            self.pdu_len = int(cmd.split("=", 1)[1])
        except ValueError:
            return self.reply("+CMS ERROR: 304")
        self.write("\r\n> ")

    def submit(self, hexpdu, send):
        tlen, self.pdu_len = self.pdu_len, None
        if not send:
            self.log.write("(send cancelled)\n")
            return self.reply("OK")
        self.log.write("PDU " + hexpdu + "\n")
        try:
            raw = bytes.fromhex(hexpdu)
            if len(raw) - 1 - raw[0] != tlen:
                raise ValueError("length %d, said %d" % (
                    len(raw) - 1 - raw[0], tlen))
            part = pdu.decode_submit(hexpdu)
        except (ValueError, IndexError) as e:
            self.log.write("bad PDU: %s\n" % e)
            return self.reply("+CMS ERROR: 304")
        part["at"] = time.time()
        delay = random.uniform(*self.send_delay)
        if delay <= 0:
            return self.network_answer(part)
        # Input stays in self.buf until the network has answered.
        self.sending = True
        gen = self.generation
        self.after(delay, lambda: self.network_answer(part, gen))

    def network_answer(self, part, gen=None):
        """The network's verdict on a submitted part, given to the
        terminal; a part whose line dropped or went silent meanwhile is
        lost with it, as on a hung modem. Then what was typed meanwhile."""
        self.sending = False
        if gen is not None and (gen != self.generation or
                                self.master is None or self.silent):
            self.log.write("(send lost: the line dropped or went silent)\n")
        elif self.cms_errors:
            self.reply("+CMS ERROR: %d" % self.cms_errors.pop(0))
        else:
            self.mr = (self.mr + 1) % 256
            part["mr"] = self.mr
            part["answered_at"] = time.time()
            self.submits.append(part)
            self.reply("+CMGS: %d" % self.mr, "OK")
        if gen is not None and self.master is not None:
            self.feed(b"")

    # -- voice calls -------------------------------------------------------
    def dial(self, cmd, raw):
        """ATD[T|P]<number>; places a voice call; without the ; it would be
        a data call, which this modem does not make."""
        rest = cmd[1:] if cmd[:1] in ("T", "P") else cmd
        if not rest.endswith(";"):
            return self.reply("ERROR")
        number = rest[:-1].strip()
        if not DIAL_NUMBER.fullmatch(number):
            return self.reply("ERROR")
        if not self.unlocked:
            return self.reply("+CME ERROR: 11")     # SIM PIN required
        if self.call is not None:
            return self.reply("+CME ERROR: 3")      # operation not allowed
        if self.dial_errors:
            # The network refused to set the call up: no call, no log.
            return self.reply(self.dial_errors.pop(0))
        entry = {"number": number, "command": raw, "dialled_at": time.time(),
                 "ended_at": None, "ended_by": None, "how": None,
                 "result": None}
        self.calls.append(entry)
        self.call = entry
        self.reply("OK")
        callee = self.callee.get(number, self.callee[None])
        if callee["result"] != "ring":
            self.after(callee["after"],
                       lambda: self.callee_ends(entry, callee["result"]))

    def callee_ends(self, entry, result):
        """The callee rejects or does not answer: the modem says so."""
        if self.call is not entry:
            return
        self.end_call("callee", result=result)
        self.unsolicited(result)

    def end_call(self, by, how=None, result=None):
        """Ends the call in progress, if any: by the "modem" (how: ATH or
        AT+CHUP), the "callee" (result: its final result) or the "line"."""
        if self.call is None:
            return
        self.call.update(ended_at=time.time(), ended_by=by, how=how,
                         result=result)
        self.call = None

    def chup_test(self, cmd, raw):
        self.reply("OK" if self.chup else "ERROR")

    def hang_up(self, cmd, raw):
        """ATH or AT+CHUP: OK whether or not a call was in progress."""
        if cmd.startswith("+CHUP") and not self.chup:
            return self.reply("ERROR")
        if self.hangup_errors > 0:
            # A modem that fails to hang up: the call rings on.
            self.hangup_errors -= 1
            self.log.write("(hang-up refused)\n")
            return self.reply("ERROR")
        self.end_call("modem", "AT+CHUP" if cmd.startswith("+") else "ATH")
        self.reply("OK")

    # -- what the network does --------------------------------------------
    def arrive(self, hexpdu, tlen):
        """A message from the network: stored and announced, or routed
        straight to the terminal with +CMT, as +CNMI says."""
        mt = self.cnmi[1]
        if mt in (2, 3):
            self.unsolicited("+CMT: ,%d\r\n%s" % (tlen, hexpdu))
            return None
        free = [i for i in range(1, CAPACITY + 1) if i not in self.store]
        if not free:
            return None
        idx = free[0]
        self.store[idx] = [0, hexpdu, tlen]
        if mt == 1:
            self.unsolicited('+CMTI: "SM",%d' % idx)
        return idx

    def sent_messages(self):
        """Submitted parts joined into messages: (to, ref) for long ones."""
        out, open_ = [], {}
        for p in self.submits:
            if p["total"] and p["total"] > 1:
                key = (p["to"], p["ref"])
                m = open_.setdefault(key, {"to": p["to"], "parts": {},
                                           "total": p["total"],
                                           "coding": p["coding"],
                                           "mr": [], "at": p["at"]})
                m["parts"][p["part"]] = p["text"]
                m["mr"].append(p["mr"])
                if len(m["parts"]) == m["total"]:
                    out.append({"to": m["to"], "coding": m["coding"],
                                "parts": m["total"], "mr": m["mr"],
                                "at": m["at"],
                                "answered_at": p["answered_at"],
                                "text": "".join(m["parts"][i] for i in
                                                sorted(m["parts"]))})
                    del open_[key]
            else:
                out.append({"to": p["to"], "coding": p["coding"], "parts": 1,
                            "mr": [p["mr"]], "text": p["text"], "at": p["at"],
                            "answered_at": p["answered_at"]})
        return out

    def control(self, req):
        op = req.get("op")
        if op == "deliver":
            self.ref = getattr(self, "ref", 0) + 1
            pdus = pdu.deliver_long(req["from"], req["text"], self.ref,
                                    flash=req.get("flash", False),
                                    when=req.get("when"))
            drop = req.get("drop_part")
            return {"index": [self.arrive(h, n) for i, (h, n) in
                              enumerate(pdus) if i + 1 != drop],
                    "parts": len(pdus)}
        if op == "report":
            h, n = pdu.status_report(req["mr"], req["to"],
                                     req.get("delivered", True))
            return {"index": self.arrive(h, n)}
        if op == "sent":
            return {"sent": self.sent_messages(), "parts": self.submits}
        if op == "state":
            return {"stored": len(self.store), "cnmi": self.cnmi,
                    "pin_tries": self.pin_tries, "silent": self.silent,
                    "line": self.master is not None, "echo": self.echo,
                    "call": self.call, "send_delay": list(self.send_delay),
                    "chup": self.chup}
        if op == "calls":
            return {"calls": self.calls}
        if op == "callee":
            result = req.get("result", "ring")
            after = float(req.get("after", 0))
            number = req.get("number")
            if result not in CALLEE_RESULTS or not 0 <= after <= MAX_WAIT:
                raise ValueError("callee: result one of %s, after 0-%d s" %
                                 (", ".join(CALLEE_RESULTS), MAX_WAIT))
            if number is not None and not (isinstance(number, str) and
                                           DIAL_NUMBER.fullmatch(number)):
                raise ValueError("callee: number %r is not dialable" %
                                 (number,))
            self.callee[number] = {"result": result, "after": after}
            return {}
        if op == "end_call":
            result = req.get("result", "NO CARRIER")
            if result not in CALLEE_RESULTS[1:]:
                raise ValueError("end_call: result one of %s" %
                                 ", ".join(CALLEE_RESULTS[1:]))
            if self.call is None:
                raise ValueError("end_call: no call in progress")
            self.callee_ends(self.call, result)
            return {}
        if op == "dial_error":
            result = req.get("result", "+CME ERROR: 30")
            count = req.get("count", 1)
            if not (isinstance(result, str) and DIAL_ERROR.fullmatch(result)
                    and isinstance(count, int) and 0 < count <= 100):
                raise ValueError("dial_error: result ERROR, NO CARRIER, "
                                 "BUSY, NO DIALTONE or +CME ERROR: N; "
                                 "count 1-100")
            self.dial_errors += [result] * count
            return {}
        if op == "hangup_error":
            count = req.get("count", 1)
            if not (isinstance(count, int) and 0 < count <= 100):
                raise ValueError("hangup_error: count 1-100")
            self.hangup_errors += count
            return {}
        if op == "send_delay":
            if "seconds" in req:
                self.send_delay = check_delay(req["seconds"])
            else:
                self.send_delay = check_delay(req["min"], req["max"])
            return {}
        if op == "silent":
            self.silent = bool(req.get("on", True))
            return {}
        if op == "cms_error":
            self.cms_errors += [req.get("code", 500)] * req.get("count", 1)
            return {}
        raise ValueError("unknown op %r" % op)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", required=True)
    ap.add_argument("--pin", default="")
    ap.add_argument("--manufacturer", default="Generic")
    ap.add_argument("--send-delay", default="0", metavar="SECONDS|MIN-MAX",
                    help="the network's delay before +CMGS (default 0)")
    ap.add_argument("--no-chup", action="store_true",
                    help="a modem without AT+CHUP (libGammu hangs up with "
                    "ATH)")
    args = ap.parse_args()
    try:
        parse_delay(args.send_delay)
    except ValueError as e:
        ap.error(str(e))
    os.makedirs(args.dir, exist_ok=True)
    fakeline.serve(Modem(args), args.dir)


class FakeModem:
    """The tests' handle on a fake modem process."""

    def __init__(self, directory, pin="", manufacturer="Generic",
                 send_delay=0, chup=True):
        self.dir = directory
        self.device = os.path.join(directory, "modem")
        self.proc = fakeline.start(
            __file__, directory,
            ["--pin", pin, "--manufacturer", manufacturer,
             "--send-delay", str(send_delay)] + ([] if chup else
                                                 ["--no-chup"]),
            self.device, "fake modem")

    def call(self, **req):
        return fakeline.call(self.dir, req)

    def deliver(self, sender, text, **kw):
        return self.call(op="deliver", **dict(kw, **{"from": sender,
                                                      "text": text}))

    def sent(self):
        return self.call(op="sent")["sent"]

    def calls(self):
        """The call log: number, dialled_at, ended_at, ended_by ("modem",
        "callee" or "line"), how (ATH or AT+CHUP), result (the callee's)."""
        return self.call(op="calls")["calls"]

    def commands(self):
        with open(os.path.join(self.dir, "at.log"), encoding="latin-1") as f:
            return f.read().splitlines()

    def stop(self):
        self.proc.kill()
        self.proc.wait()


if __name__ == "__main__":
    main()
