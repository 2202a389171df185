"""Storage faults: a database that is locked by another process, full, or
read-only. An SMS is never deleted from the phone before it is committed;
the daemon logs the trouble once, retries with a growing pause instead of
spinning, and carries on when the fault is gone.

Disk full and read-only come from build-faults/failwrite.so (make faults),
an LD_PRELOAD shim that fails writes to the database files while a trigger
file exists: root ignores file modes, so chmod cannot make them fail."""
import glob
import os
import sqlite3
import time

from harness import Gateway, ROOT, check, REQUESTER, PRIMARY

SHIM = os.path.join(ROOT, "build-faults", "failwrite.so")
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """User + system CPU time of a process and its children so far."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / TICKS


def waiting(gw):
    return glob.glob(os.path.join(gw.phone, "sms", "1", "*"))


def warnings(gw):
    return gw.daemon_log().count("database: ")


def hold_fault(gw, seconds):
    """While the fault lasts: the SMS stays on the phone, no consult is
    made, one warning is logged and jourd stays (nearly) idle."""
    gw.inject(REQUESTER, "AKUT KARD medan databasen krånglar")
    cpu0 = cpu_seconds(gw.proc.pid)
    gw.wait(lambda: warnings(gw) >= 1, 15, "the trouble logged")
    time.sleep(seconds)
    check(waiting(gw), "the SMS is still on the phone")
    check(not gw.consults(), "nothing committed, nothing made")
    check(warnings(gw) == 1, "logged once, not per retry: %d\n%s"
          % (warnings(gw), gw.daemon_log()[-2000:]))
    used = cpu_seconds(gw.proc.pid) - cpu0
    check(used < 1.0, "no spin: %.2f s of CPU in %d s" % (used, seconds))


def recovered(gw):
    """After the fault: the SMS is read, the request paged, and it is said."""
    gw.wait_sent(PRIMARY, "Svara OK 1", timeout=40)
    gw.wait(lambda: not waiting(gw), 10, "deleted from the phone")
    check(len(gw.consults()) == 1, "made once")
    check("writes work again" in gw.daemon_log(), "recovery logged")


def test_locked_database_keeps_the_sms_and_recovers():
    gw = Gateway()
    try:
        gw.start()
        other = sqlite3.connect(gw.db, timeout=1, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        other.execute("INSERT INTO status (key, value, updated_at)"
                      " VALUES ('other', 'x', 0)")
        try:
            hold_fault(gw, 8)
        finally:
            other.execute("ROLLBACK")
            other.close()
        recovered(gw)
    finally:
        gw.close()


def start_with_shim(gw, trigger):
    check(os.path.exists(SHIM), "%s missing: run make faults" % SHIM)
    gw.start_env({"LD_PRELOAD": SHIM, "JOURD_FAILWRITE": trigger})


def shim_case(errno_name):
    gw = Gateway()
    trigger = os.path.join(gw.dir, "fail-writes")
    try:
        start_with_shim(gw, trigger)
        with open(trigger, "w") as f:
            f.write(errno_name + "\n")
        hold_fault(gw, 5)
        os.unlink(trigger)
        recovered(gw)
    finally:
        gw.close()


def test_disk_full_keeps_the_sms_and_recovers():
    shim_case("ENOSPC")


def test_read_only_database_keeps_the_sms_and_recovers():
    shim_case("EROFS")


def test_send_result_met_by_a_storage_fault_is_stored_without_a_restart():
    """The worker hangs with the primary's page in flight and the disk is
    full when the parent gives up on it: the page's way back to 'queued'
    cannot be written. It must not stay 'sending' until a restart: once
    writes work, the same jourd stores it and the page goes out, once."""
    from test_faults import gateway, fault, set_reply_timeout
    gw = gateway()
    set_reply_timeout(gw, "2s")
    trigger = os.path.join(gw.dir, "fail-writes")
    try:
        start_with_shim(gw, trigger)
        pid = gw.proc.pid
        fault(gw, "hang-send")
        gw.wait(lambda: not os.path.exists(os.path.join(gw.phone, "fault")),
                5, "fault armed")
        gw.inject(REQUESTER, "AKUT KARD sidan fastnar i sending")
        gw.wait(lambda: [m for m in gw.outbox() if m["to"] == PRIMARY and
                         m["state"] == "sending"], 10,
                "the page handed to the hanging worker")
        with open(trigger, "w") as f:
            f.write("ENOSPC\n")
        gw.wait(lambda: "no answer to a send" in gw.daemon_log(), 20,
                "the hung worker given up")
        gw.wait(lambda: warnings(gw) >= 1, 10, "the failed write")
        time.sleep(2)
        os.unlink(trigger)
        page = gw.wait_sent(PRIMARY, "Svara OK 1", timeout=40)
        gw.wait_sent(REQUESTER, "Mottaget", timeout=20)
        check(gw.proc.poll() is None and gw.proc.pid == pid,
              "the same jourd, not a restart")
        check(len(gw.sent_to(PRIMARY)) == 1, "one page: %r" % gw.outbox())
        check(page["attempts"] == 2, "the lost attempt counted: %r" % page)
        check(not [m for m in gw.outbox() if m["state"] != "sent"],
              "nothing left behind: %r" % gw.outbox())
    finally:
        gw.close()
