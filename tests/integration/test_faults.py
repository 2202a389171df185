"""Modem worker faults, through the fault injection of the test build
(make faults: build-faults/jourd, src/modem.c JOURD_FAULTS): a worker that
crashes, hangs, hangs inside a libGammu call, fails sends or meets a SIM
that refuses its PIN. The parent must notice, restart the worker with a
growing pause, keep outbound SMS in the outbox meanwhile, never enter a
refused PIN again, and make long trouble an incident the admins hear of."""
import os
import time

from harness import (run, Gateway, ROOT, check, REQUESTER, PRIMARY, ADMIN)

FAULTS_JOURD = os.environ.get("JOURD_FAULTS_BIN",
                              os.path.join(ROOT, "build-faults", "jourd"))


def gateway(**kw):
    check(os.access(FAULTS_JOURD, os.X_OK),
          "%s missing: run make faults" % FAULTS_JOURD)
    return Gateway(jourd=FAULTS_JOURD, **kw)


def fault(gw, what):
    """Arms a fault; the worker reads and removes the file at its next turn."""
    path = os.path.join(gw.phone, "fault")
    with open(path + ".tmp", "w") as f:
        f.write(what + "\n")
    os.rename(path + ".tmp", path)


def children(gw):
    try:
        with open("/proc/%d/task/%d/children" % (gw.proc.pid, gw.proc.pid)) as f:
            return [int(p) for p in f.read().split()]
    except FileNotFoundError:
        return []


def set_reply_timeout(gw, value):
    with open(gw.conf) as f:
        text = f.read()
    with open(gw.conf, "w") as f:
        f.write(text.replace("reply_timeout = 10s", "reply_timeout = " + value))



def test_the_normal_build_has_no_fault_injection():
    with open(os.path.join(ROOT, "jourd"), "rb") as f:
        normal = f.read()
    with open(FAULTS_JOURD, "rb") as f:
        faulty = f.read()
    check(b"fault injected" in faulty, "the test build has the hook")
    check(b"fault injected" not in normal, "the normal build must not")


def test_worker_crash_is_restarted_and_the_page_goes_out():
    def body(gw):
        old = children(gw)
        fault(gw, "crash")
        gw.wait(lambda: children(gw) and children(gw) != old, 15,
                "a new worker")
        gw.wait(lambda: gw.status()["modem"]["state"] == "ready", 15,
                "modem ready again")
        gw.inject(REQUESTER, "AKUT KARD efter krasch")
        gw.wait_sent(PRIMARY, "Svara OK 1")
        check("modem worker: died" in gw.daemon_log() or
              "modem worker: exited" in gw.daemon_log(), "loss logged")
    run(gateway(), body)


def test_hung_worker_is_found_by_ping_and_replaced():
    gw = gateway()
    set_reply_timeout(gw, "2s")

    def body(gw):
        old = children(gw)
        fault(gw, "hang")
        gw.wait(lambda: "modem worker: does not answer" in gw.daemon_log(),
                20, "the hang noticed")
        gw.wait(lambda: children(gw) and children(gw) != old, 15,
                "a new worker")
        gw.inject(REQUESTER, "AKUT KARD efter häng")
        gw.wait_sent(PRIMARY, "Svara OK 1", timeout=15)
    run(gw, body)


def test_send_failures_keep_the_page_in_the_outbox_until_it_goes():
    def body(gw):
        fault(gw, "sendfail 2")
        gw.wait(lambda: not os.path.exists(os.path.join(gw.phone, "fault")),
                5, "fault armed")
        gw.inject(REQUESTER, "AKUT KARD sändfel")
        gw.wait_sent(PRIMARY, "Svara OK 1", timeout=20)
        gw.wait_sent(REQUESTER, "Mottaget", timeout=20)
        ob = gw.outbox()
        retries = sum(m["attempts"] - 1 for m in ob)
        check(all(m["state"] == "sent" for m in ob) and retries == 2,
              "two failed attempts, then everything sent: %r" % ob)
    run(gateway(), body)


def test_wrong_pin_is_never_entered_again_even_after_a_restart():
    gw = gateway(modem_extra="alarm_after = 1s")

    def body(gw):
        gw.wait(lambda: gw.status()["modem"]["state"] == "pin_wrong", 15,
                "pin_wrong reported")
        # No SMS in or out without the SIM: the request waits in the phone.
        gw.inject(REQUESTER, "AKUT KARD under PIN-fel")
        time.sleep(1)
        check(gw.status()["modem"]["dummy_waiting"] == 1, "left in the phone")
        check(not gw.consults(), "not read while the SIM is locked")
        gw.wait(lambda: gw.status()["modem"]["alarm"], 10, "an incident")
        # However often the worker goes, the PIN is not entered again.
        gw.kill()
        gw.proc = None
        gw.start_nowait()
        gw.wait(lambda: "refused this PIN before" in gw.daemon_log(), 10,
                "the refusal remembered across a restart")
        time.sleep(1)
        check(children(gw) == [], "no worker tries the PIN: %r" % children(gw))
        check(gw.daemon_log().count("fault injected: pinwrong") == 1,
              "the SIM was asked once")
        # A new PIN in the configuration is tried, and the page goes out.
        with open(gw.conf) as f:
            text = f.read()
        with open(gw.conf, "w") as f:
            f.write(text.replace("alarm_after = 1s",
                                 "alarm_after = 1s\npin = 4321"))
        gw.kill()
        gw.proc = None
        gw.start()
        gw.wait_sent(PRIMARY, "Svara OK 1", timeout=15)
        gw.wait_sent(ADMIN, "modemet var ur funktion", timeout=15)
    gw.start_nowait = lambda: gw_start_nowait(gw)
    try:
        gw_start_nowait(gw, fault_first="pinwrong")
        body(gw)
    finally:
        gw.close()


def gw_start_nowait(gw, fault_first=None):
    """Starts jourd without waiting for the modem (which may never be
    ready); with fault_first, the first worker meets that fault."""
    import subprocess
    if fault_first:
        fault(gw, fault_first)
    gw.proc = subprocess.Popen([gw.jourd, "-d", "-c", gw.conf],
                               stdout=gw.log, stderr=gw.log)
    gw.wait(lambda: gw.status()["running"], 10, "jourd running")


def test_long_trouble_is_an_incident_and_admins_hear_when_it_is_back():
    gw = gateway(modem_extra="alarm_after = 2s")

    def body(gw):
        # A worker that keeps crashing: trouble for longer than alarm_after.
        for _ in range(3):
            fault(gw, "crash")
            gw.wait(lambda: not os.path.exists(os.path.join(gw.phone,
                                                            "fault")),
                    15, "fault taken")
        gw.inject(REQUESTER, "AKUT KARD under modemstrul")
        st = gw.wait(lambda: gw.status()["modem"]["alarm"] and gw.status(),
                     20, "alarm raised")
        check(st["modem"]["trouble_since"] is not None, repr(st["modem"]))
        gw.wait(lambda: gw.status()["modem"]["state"] == "ready", 30,
                "modem back")
        back = gw.wait_sent(ADMIN, "modemet var ur funktion", timeout=15)
        check("min)" in back["text"], back["text"])
        gw.wait_sent(PRIMARY, "Svara OK 1", timeout=15)
        time.sleep(1)
        check(len(gw.sent_to(ADMIN)) == 1, "admins paged once")
        st = gw.status()
        check(st["modem"]["trouble_since"] is None and
              not st["modem"]["alarm"], "trouble over: %r" % st["modem"])
        import sqlite3
        db = sqlite3.connect("file:%s?mode=ro" % gw.db, uri=True)
        types = [t for (t,) in db.execute(
            "SELECT type FROM events WHERE consult_id IS NULL ORDER BY id")]
        db.close()
        check(types == ["modem_trouble", "modem_back"], "events: %r" % types)
    run(gw, body)


def proc_status(pid):
    """The fields of /proc/PID/status, or {} once the process is gone."""
    try:
        with open("/proc/%d/status" % pid) as f:
            return dict(line.rstrip("\n").split(":\t", 1) for line in f
                        if ":\t" in line)
    except FileNotFoundError:
        return {}


def test_worker_is_sandboxed_once_connected():
    def body(gw):
        pids = children(gw)
        check(len(pids) == 1, "one modem worker: %r" % pids)
        st = proc_status(pids[0])
        check(st.get("NoNewPrivs") == "1", "no new privileges: %r" % st)
        check(st.get("Seccomp") == "2", "a seccomp filter: %r" % st)
        check("modem: sandbox: on" in gw.daemon_log(), gw.daemon_log())
    run(gateway(), body)


def forbidden_call_kills_the_worker(word):
    def body(gw):
        old = children(gw)
        fault(gw, word)
        gw.wait(lambda: "killed by SIGSYS" in gw.daemon_log(), 15,
                "the worker killed by the filter")
        check("fault injected: %s" % word in gw.daemon_log(),
              "the forbidden call was made")
        gw.wait(lambda: children(gw) and children(gw) != old, 15,
                "a new worker")
        gw.wait(lambda: gw.status()["modem"]["state"] == "ready", 15,
                "modem ready again")
        new = children(gw)
        check(proc_status(new[0]).get("Seccomp") == "2",
              "the new worker is sandboxed too")
        gw.inject(REQUESTER, "AKUT KARD efter förbjudet anrop")
        gw.wait_sent(PRIMARY, "Svara OK 1", timeout=15)
    run(gateway(), body)


def test_worker_that_executes_a_program_is_killed_and_replaced():
    forbidden_call_kills_the_worker("forbidden-exec")


def test_worker_that_opens_a_network_socket_is_killed_and_replaced():
    forbidden_call_kills_the_worker("forbidden-socket")


def test_worker_cannot_write_outside_the_phone_directory():
    def body(gw):
        pids = children(gw)
        log = gw.daemon_log()
        if "landlock: not in this kernel" in log:
            print("skipped: this kernel has no Landlock")
            return
        check("sandbox: on (seccomp, landlock)" in log, log)
        outside = os.path.join(os.path.dirname(gw.phone),
                               "outside-the-sandbox")
        fault(gw, "write-outside")
        gw.wait(lambda: "fault: write-outside" in gw.daemon_log(), 10,
                "the write tried")
        check("write-outside refused: Permission denied" in gw.daemon_log(),
              gw.daemon_log())
        check(not os.path.exists(outside), "no file outside the phone")
        check(children(gw) == pids, "the worker lives on")
        gw.inject(REQUESTER, "AKUT KARD efter skrivförsök")
        gw.wait_sent(PRIMARY, "Svara OK 1", timeout=15)
    run(gateway(), body)
