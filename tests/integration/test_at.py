"""jourd over libGammu's AT driver, against tests/fakemodem: the production
path that the dummy phone does not take. Each test starts its own fake
modem on a pseudo-terminal and a jourd with driver = at on it; SMS come in
through the fake (+CMTI announces them) and what jourd sends is read back
from the PDUs the fake decoded."""
import os
import signal
import subprocess
import sys
import time

from harness import (run, Gateway, ROOT, check, REQUESTER, PRIMARY, BACKUP)

sys.path.insert(0, os.path.join(ROOT, "tests", "fakemodem"))
from fakemodem import FakeModem  # noqa: E402

AT_READY = 40        # the AT connect sequence takes seconds


class ATGateway(Gateway):
    """A Gateway whose [modem] is the AT driver on a fake modem."""

    def __init__(self, pin="", modem_pin=None, **kw):
        super().__init__(**kw)
        self.fake = FakeModem(os.path.join(self.dir, "fake"),
                              pin=pin if modem_pin is None else modem_pin)
        with open(self.conf) as f:
            text = f.read()
        text = text.replace("driver = dummy\ndevice = %s\n" % self.phone,
                            "driver = at\ndevice = %s\nconnection = at115200\n"
                            "pin = %s\nlogfile = %s\n"
                            % (self.fake.device, pin,
                               os.path.join(self.dir, "gammu.log")))
        with open(self.conf, "w") as f:
            f.write(text)

    def start(self, wait_ready=True):
        self.proc = subprocess.Popen([self.jourd, "-d", "-c", self.conf],
                                     stdout=self.log, stderr=self.log)
        if wait_ready:
            self.wait(lambda: self.status()["modem"]["state"] == "ready",
                      AT_READY, "AT modem ready")

    def sms(self, sender, text, **kw):
        self.fake.deliver(sender, text, **kw)

    def air(self, to, contains=None):
        return [m for m in self.fake.sent() if m["to"] == to and
                (contains is None or contains in m["text"])]

    def wait_air(self, to, contains, timeout=20):
        return self.wait(lambda: self.air(to, contains), timeout,
                         "an SMS on the air to %s with %r" % (to, contains))[-1]

    def close(self):
        try:
            super().close()
        finally:
            self.fake.stop()



def test_at_acute_path_end_to_end():
    def body(gw):
        t0 = time.time()
        gw.sms(REQUESTER, "AKUT KARD bröstsmärta sedan 2 h")
        page = gw.wait_air(PRIMARY, "Svara OK 1")
        print("    +CMTI to page AT+CMGS: %.3f s" % (page["at"] - t0))
        check(page["coding"] == "gsm7", "Swedish goes as 7-bit: %r" % page)
        check("bröstsmärta" in page["text"], page["text"])
        gw.wait_air(REQUESTER, "Mottaget #1")
        gw.sms(PRIMARY, "OK 1")
        gw.wait_air(REQUESTER, "kvitterat")
        gw.sms(PRIMARY, "KLAR 1 RAD")
        gw.wait_air(PRIMARY, "avslutat")
        check(gw.last_consult()["state"] == "resolved", "resolved")
        # Each message was read, committed, then deleted from the SIM.
        gw.wait(lambda: gw.fake.call(op="state")["stored"] == 0, 10,
                "the SIM emptied")
        cmds = gw.fake.commands()
        check(any(c.startswith("AT+CNMI=2,1") for c in cmds),
              "new-message indications enabled: %r" %
              [c for c in cmds if "CNMI" in c])
        check(sum(c.startswith("AT+CMGD=") for c in cmds) >= 3,
              "three messages deleted")
    run(ATGateway(), body)


def test_at_three_part_swedish_in_and_ucs2_out():
    long = ("AKUT KARD " + "Åsa Öberg, 84 år, yrsel och bröstsmärta sedan i "
            "morse, äter Eliquis. " * 6).strip()

    def body(gw):
        gw.sms(REQUESTER, long)
        page = gw.wait_air(PRIMARY, "Svara OK 1", timeout=30)
        check(page["parts"] >= 2 and page["coding"] == "gsm7",
              "a long Swedish page in 7-bit parts: %d %s" % (page["parts"],
                                                             page["coding"]))
        cid = gw.last_consult()["id"]
        text = gw.consult_log(cid)["consult"]["text"]
        check(text == long[len("AKUT KARD "):], "joined exactly: %r" % text)
        # A character outside the GSM alphabet makes the page UCS-2.
        gw.sms(REQUESTER, "AKUT KARD patient med pacemaker ✓ ring")
        ucs = gw.wait_air(PRIMARY, "pacemaker ✓", timeout=30)
        check(ucs["coding"] == "ucs2", "UCS-2: %r" % ucs)
    run(ATGateway(), body)


def test_at_delivery_report_marks_the_page_delivered():
    def body(gw):
        gw.sms(REQUESTER, "AKUT KARD leveransrapport")
        page = gw.wait_air(PRIMARY, "Svara OK 1")
        gw.fake.call(op="report", mr=page["mr"][-1], to=PRIMARY)
        gw.wait(lambda: any(m["to"] == PRIMARY and m["delivered_at"]
                            for m in gw.outbox()), 30, "page delivered")
    run(ATGateway(), body)


def test_at_silent_modem_mid_send_is_reset_and_the_page_goes():
    gw = ATGateway()
    with open(gw.conf) as f:
        text = f.read()
    with open(gw.conf, "w") as f:
        f.write(text.replace("reply_timeout = 10s", "reply_timeout = 4s"))

    def body(gw):
        gw.fake.call(op="silent", on=True)
        gw.sms(REQUESTER, "AKUT KARD tyst modem")
        time.sleep(6)
        check(not gw.air(PRIMARY), "nothing could be sent")
        gw.fake.call(op="silent", on=False)
        gw.wait_air(PRIMARY, "Svara OK 1", timeout=60)
        check(len(gw.consults()) == 1, "one consult")
    run(gw, body)


def test_at_device_that_disappears_and_comes_back():
    def body(gw):
        gw.fake.call(op="drop")
        gw.wait(lambda: gw.status()["modem"]["state"] != "ready", 30,
                "the loss noticed")
        gw.fake.call(op="reappear")
        gw.wait(lambda: gw.status()["modem"]["state"] == "ready", AT_READY + 30,
                "connected again")
        gw.sms(REQUESTER, "AKUT KARD efter återanslutning")
        gw.wait_air(PRIMARY, "Svara OK 1", timeout=30)
        # Reconnected from inside the sandbox (the pty is a new one).
        check("modem: sandbox: on (seccomp" in gw.daemon_log() and
              "a new worker will open it" not in gw.daemon_log(),
              gw.daemon_log())
    run(ATGateway(), body)


def test_at_wrong_pin_is_entered_once_even_across_a_restart():
    gw = ATGateway(pin="9999", modem_pin="1234")
    try:
        gw.start(wait_ready=False)
        gw.wait(lambda: gw.status()["modem"]["state"] == "pin_wrong",
                AT_READY, "pin_wrong")
        time.sleep(3)
        check(gw.fake.call(op="state")["pin_tries"] == 1, "one PIN attempt")
        gw.kill(signal.SIGTERM)
        gw.start(wait_ready=False)
        gw.wait(lambda: "refused this PIN before" in gw.daemon_log(), 15,
                "the refusal remembered")
        time.sleep(3)
        check(gw.fake.call(op="state")["pin_tries"] == 1,
              "still one attempt after a restart")
    finally:
        gw.close()
