"""A private jourd for one integration test: its own configuration, CSVs,
database and dummy phone in a temporary directory, driven only through the
contract — jourctl import/inject and jourctl --json — like an administrator.
"""
import glob
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
JOURD = os.path.join(ROOT, "jourd")
JOURCTL = os.path.join(ROOT, "jourctl")
FAKETIME_LIB = (glob.glob("/usr/lib/*/faketime/libfaketime.so.1") or [""])[0]
# A sanitizer build can be tested by pointing these at other binaries.
JOURD = os.environ.get("JOURD_BIN", JOURD)
JOURCTL = os.environ.get("JOURCTL_BIN", JOURCTL)

# Numbers from the range reserved for fiction (070-174 06 05 … 06 99).
REQUESTER = "+46701740605"
REQUESTER2 = "+46701740606"
NURSE_NO_REQUEST = "+46701740607"
PRIMARY = "+46701740620"
BACKUP = "+46701740621"
CHIEF = "+46701740622"
ADMIN = "+46701740699"
SWITCHBOARD = "+46701740630"
STRANGER = "+46701740690"

UNITS = """code,name,kind,phone,hours
KARD,"Kardiologi, Falu lasarett",specialty,+46701740630,always
ORT,"Ortopedi, Mora lasarett",specialty,+46701740631,always
ORSA,Orsa vårdcentral,health_centre,+46701740632,weekdays 08:00-17:00
"""

PEOPLE = """name,phone,title,unit,can_request
Anna Testsson,+46701740605,Distriktsläkare,ORSA,yes
Bo Provsson,+46701740606,Ambulanssjuksköterska,ORSA,yes
Cilla Exempel,+46701740607,Undersköterska,ORSA,no
Erik Jourlund,+46701740620,Överläkare,KARD,no
Frida Bakström,+46701740621,Specialistläkare,KARD,no
Gustav Chefsson,+46701740622,Överläkare,KARD,no
Olle Ortoped,+46701740623,Överläkare,ORT,no
"""


def roster(rows):
    """rows: (unit, role, phone); each shift runs from yesterday to next week."""
    start = time.strftime("%Y-%m-%d 00:00", time.localtime(time.time() - 86400))
    end = time.strftime("%Y-%m-%d 00:00", time.localtime(time.time() + 7 * 86400))
    lines = ["unit,role,phone,start,end"]
    for unit, role, phone in rows:
        lines.append("%s,%s,%s,%s,%s" % (unit, role, phone, start, end))
    return "\n".join(lines) + "\n"


DEFAULT_ROSTER = roster([
    ("KARD", "primary", PRIMARY),
    ("KARD", "backup", BACKUP),
    ("KARD", "chief", CHIEF),
    ("ORT", "primary", "+46701740623"),
])


class TestFailure(Exception):
    pass


class SanitizerReport(Exception):
    """Not a TestFailure, so that no polling loop can swallow it."""


# What AddressSanitizer, LeakSanitizer and UBSan print (make asan).
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                   "runtime error:")


def sanitizer_report(text):
    """The first sanitizer report in text and what follows it, or None."""
    at = [text.find(m) for m in SANITIZER_MARKS if m in text]
    return text[min(at):min(at) + 3000] if at else None


def check(cond, what):
    if not cond:
        raise TestFailure(what)


def faketime_file(path):
    """The environment that runs jourd under libfaketime with its wall clock
    as the file at path says, read again on every call (a frozen time, or an
    offset such as "-3600" from the real clock), and its monotonic clock
    real, so that libevent's timers and the sweep run as usual."""
    check(FAKETIME_LIB, "libfaketime is missing (tools/deps.sh)")
    return {"TZ": "Europe/Stockholm", "LD_PRELOAD": FAKETIME_LIB,
            "FAKETIME_TIMESTAMP_FILE": path, "FAKETIME_NO_CACHE": "1",
            "FAKETIME_DONT_FAKE_MONOTONIC": "1"}


class Gateway:
    """One jourd with its own state directory."""

    def __init__(self, ack_timeout="5m", escalation="primary backup chief",
                 repeat=0, extra="", roster_csv=DEFAULT_ROSTER, admins=ADMIN,
                 reply_period="1h", units_csv=UNITS, people_csv=PEOPLE,
                 jourd=None, modem_extra="", daemon_extra="",
                 coverage_days=0):
        self.jourd = jourd or JOURD
        self.dir = tempfile.mkdtemp(prefix="jourd-it-")
        self.conf = os.path.join(self.dir, "jourd.conf")
        self.db = os.path.join(self.dir, "jourd.db")
        self.phone = os.path.join(self.dir, "phone")
        self.proc = None
        os.makedirs(self.phone)
        self.log = open(os.path.join(self.dir, "jourd.log"), "ab")
        with open(self.conf, "w") as f:
            f.write("""[daemon]
database = %s
admins = %s
reply_period = %s
send_retry = 1s
coverage_days = %d
%s
[modem]
driver = dummy
device = %s
sweep = 300ms
reply_timeout = 10s
%s
[track akut]
keywords = AKUT ACUTE
open = always
ack_timeout = %s
escalation = %s
repeat = %d
%s""" % (self.db, admins, reply_period, coverage_days, daemon_extra,
                self.phone, modem_extra,
                ack_timeout,
                escalation, repeat, extra))
        for kind, text in (("units", units_csv), ("people", people_csv),
                           ("roster", roster_csv)):
            path = os.path.join(self.dir, kind + ".csv")
            with open(path, "w") as f:
                f.write(text)
            self.ctl("import", kind, path)

    # -- the daemon ------------------------------------------------------
    def start(self, fake=None):
        """fake: "YYYY-MM-DD HH:MM:SS" Stockholm time the daemon's clock
        starts at (it ticks on from there), through Debian's faketime."""
        cmd = [self.jourd, "-d", "-c", self.conf]
        env = None
        if fake is not None:
            # The library itself, not the faketime wrapper, which forks: a
            # SIGKILL must reach jourd.
            check(FAKETIME_LIB, "libfaketime is missing (tools/deps.sh)")
            env = dict(os.environ, TZ="Europe/Stockholm", FAKETIME="@" + fake,
                       LD_PRELOAD=FAKETIME_LIB, FAKETIME_DONT_RESET="1")
            # Under ASan the preloaded library comes before its runtime.
            env["ASAN_OPTIONS"] = (os.environ.get("ASAN_OPTIONS", "") +
                                   ":verify_asan_link_order=0").lstrip(":")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=self.log,
                                     env=env)
        self.wait(lambda: self.status()["modem"]["state"] == "ready", 15,
                  "modem ready")

    def start_env(self, extra):
        """Starts jourd with extra added to its environment, such as a
        preloaded library (faketime_file), and waits for the modem."""
        env = dict(os.environ, **extra)
        env.pop("FAKETIME", None)
        # Under ASan the preloaded library comes before its runtime.
        env["ASAN_OPTIONS"] = (os.environ.get("ASAN_OPTIONS", "") +
                               ":verify_asan_link_order=0").lstrip(":")
        self.proc = subprocess.Popen([self.jourd, "-d", "-c", self.conf],
                                     stdout=self.log, stderr=self.log, env=env)
        self.wait(lambda: self.status()["modem"]["state"] == "ready", 15,
                  "modem ready")

    def kill(self, sig=signal.SIGKILL):
        if self.proc is None:
            return
        self.proc.send_signal(sig)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        # The worker dies with its parent (PR_SET_PDEATHSIG); give it a moment.
        time.sleep(0.3)
        self.proc = None

    def stop(self):
        self.kill(signal.SIGTERM)

    def close(self):
        if self.proc is not None:
            # A clean stop lets LeakSanitizer check the daemon at exit.
            self.kill(signal.SIGTERM if os.environ.get("JOURD_CLEAN_STOP")
                      else signal.SIGKILL)
        self.log.close()
        report = sanitizer_report(self.daemon_log())
        if os.environ.get("KEEP_TEST_DIRS") or report:
            print("    kept", self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
        if report:
            raise SanitizerReport("in jourd.log:\n" + report)

    def daemon_log(self):
        with open(os.path.join(self.dir, "jourd.log"), "rb") as f:
            return f.read().decode("utf-8", "replace")

    # -- jourctl ---------------------------------------------------------
    def ctl(self, *args, ok=True):
        r = subprocess.run([JOURCTL, "-c", self.conf] + list(args),
                           capture_output=True, timeout=30)
        report = sanitizer_report(r.stderr.decode("utf-8", "replace"))
        if report:
            raise SanitizerReport("jourctl %s:\n%s" % (
                " ".join(args), report))
        if ok and r.returncode != 0:
            raise TestFailure("jourctl %s: exit %d: %s" % (
                " ".join(args), r.returncode, r.stderr.decode("utf-8", "replace")))
        return r

    def json(self, *args):
        r = self.ctl("--json", *args)
        return json.loads(r.stdout.decode("utf-8"))

    def inject(self, sender, text):
        self.ctl("inject", sender, text)

    def outbox(self):
        return self.json("outbox")["outbox"]

    def sent_to(self, phone, kind=None):
        return [m for m in self.outbox() if m["to"] == phone
                and (kind is None or m.get("kind") == kind)]

    def consults(self):
        return self.json("consults")["consults"]

    def consult_log(self, cid):
        return self.json("log", str(cid))

    def status(self):
        try:
            return self.json("status")["status"]
        except (TestFailure, ValueError, KeyError):
            return {}

    def wait(self, pred, timeout, what):
        deadline = time.monotonic() + timeout
        while True:
            try:
                v = pred()
            except (TestFailure, ValueError, KeyError, IndexError):
                v = None
            if v:
                return v
            if self.proc is not None and self.proc.poll() is not None:
                raise TestFailure("jourd exited (%s) while waiting for %s:\n%s" % (
                    self.proc.returncode, what, self.daemon_log()[-3000:]))
            if time.monotonic() > deadline:
                raise TestFailure("timed out after %ss waiting for %s" % (
                    timeout, what))
            time.sleep(0.1)

    def wait_sent(self, phone, contains, timeout=10):
        """Waits until a message to phone containing `contains` is sent."""
        def found():
            for m in self.outbox():
                if m["to"] == phone and contains in m["text"] and \
                        m["state"] == "sent":
                    return m
            return None
        return self.wait(found, timeout, "SMS to %s with %r" % (phone, contains))

    def last_consult(self):
        cs = self.consults()
        check(cs, "no consult")
        return max(cs, key=lambda c: c["id"])

    def events(self, cid):
        return [e["type"] for e in self.consult_log(cid)["log"]]


def run(gw, body, **start):
    """Starts gw, runs body(gw), and always closes gw (stops jourd, checks
    its log for sanitizer reports, removes its directory)."""
    try:
        gw.start(**start)
        body(gw)
    finally:
        gw.close()
