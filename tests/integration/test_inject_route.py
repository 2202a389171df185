"""jourctl inject --route NAME: an SMS into the dummy phone of one [modem
NAME] section, so that tests (the two-modem crash campaign first) can make
SMS arrive on any modem. Without --route it goes to the first modem, as
before; an unknown name or a modem that is not a dummy phone is refused
with exit 1 and a message naming it, and nothing is written anywhere."""
import glob
import os
import sqlite3

from harness import run, Gateway, check, REQUESTER


class TwoPhones(Gateway):
    """A Gateway with [modem a] and [modem b], dummy phones, and optionally
    a third section [modem c] on the AT driver."""

    def __init__(self, with_at=False, **kw):
        super().__init__(**kw)
        self.phones = {n: os.path.join(self.dir, "phone-" + n)
                       for n in ("a", "b")}
        sections = "".join("[modem %s]\ndriver = dummy\ndevice = %s\n"
                           "sweep = 300ms\nreply_timeout = 10s\n" % (n, p)
                           for n, p in sorted(self.phones.items()))
        if with_at:
            sections += "[modem c]\ndriver = at\ndevice = %s\n" % (
                os.path.join(self.dir, "no-such-tty"))
        with open(self.conf) as f:
            text = f.read()
        old = ("[modem]\ndriver = dummy\ndevice = %s\nsweep = 300ms\n"
               "reply_timeout = 10s\n" % self.phone)
        check(old in text, "the harness's [modem] section")
        with open(self.conf, "w") as f:
            f.write(text.replace(old, sections))

    def start(self):
        """Starts jourd and waits for both modems (the status's "modem"
        object follows only a route named main)."""
        import subprocess
        self.proc = subprocess.Popen([self.jourd, "-d", "-c", self.conf],
                                     stdout=self.log, stderr=self.log)
        self.wait(lambda: [r["state"] for r in self.status()["routes"]] ==
                  ["ready", "ready"], 15, "both modems ready")

    def waiting(self, name):
        return [f for f in glob.glob(os.path.join(self.phones[name], "sms",
                                                  "1", "*"))
                if os.path.basename(f).isdigit()]


def test_route_chooses_the_phone():
    gw = TwoPhones()
    try:
        r = gw.ctl("inject", "--route", "b", REQUESTER, "till b")
        check(b"phone-b" in r.stdout, r.stdout)
        check(len(gw.waiting("b")) == 1 and not gw.waiting("a"),
              "one SMS in b only: a %r b %r" % (gw.waiting("a"),
                                                 gw.waiting("b")))
        # Options may come in any order before FROM.
        gw.ctl("inject", "--flash", "--route", "a", REQUESTER, "till a")
        check(len(gw.waiting("a")) == 1 and len(gw.waiting("b")) == 1,
              "one SMS each")
        # Without --route: the first modem in the file, as before.
        gw.ctl("inject", REQUESTER, "till den första")
        check(len(gw.waiting("a")) == 2 and len(gw.waiting("b")) == 1,
              "the default is the first modem")
        j = gw.json("inject", "--route", "b", REQUESTER, "json")
        check(j["injected"]["into"] == gw.phones["b"] and
              j["injected"]["route"] == "b", j)
    finally:
        gw.close()


def test_unknown_route_and_at_driver_are_refused():
    gw = TwoPhones(with_at=True)
    try:
        for args, words in ((["--route", "x"], [b"no [modem x]"]),
                            (["--route", "c"], [b"[modem c]", b"dummy"]),
                            (["--route", ""], [b"no [modem ]"])):
            r = gw.ctl("inject", *(args + [REQUESTER, "fel"]), ok=False)
            check(r.returncode == 1, "exit %d for %r" % (r.returncode, args))
            for w in words:
                check(w in r.stderr, "%r not in %r" % (w, r.stderr))
        r = gw.ctl("inject", "--route", ok=False)
        check(r.returncode == 2, "--route without a name is a usage error")
        check(not gw.waiting("a") and not gw.waiting("b"),
              "nothing written")
    finally:
        gw.close()


def test_jourd_reads_the_sms_on_the_route_it_was_injected_into():
    def body(gw):
        gw.ctl("inject", "--route", "b", REQUESTER, "AKUT KARD via b")
        gw.wait_sent(REQUESTER, "Mottaget")
        db = sqlite3.connect("file:%s?mode=ro" % gw.db, uri=True)
        rows = db.execute("SELECT route FROM inbox").fetchall()
        db.close()
        check(rows == [("b",)], rows)
        receipt = [m for m in gw.outbox() if m["to"] == REQUESTER]
        check([m["route"] for m in receipt] == ["b"],
              "the receipt back through b: %r" % receipt)
    run(TwoPhones(), body)
