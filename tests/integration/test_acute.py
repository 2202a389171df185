"""The acute contact path end to end on the real daemon and the dummy phone."""
import glob
import os
import time

from harness import (run, ADMIN, BACKUP, CHIEF, NURSE_NO_REQUEST, PRIMARY,
                     REQUESTER, REQUESTER2, STRANGER, Gateway, check, roster)



def test_happy_path_page_ack_resolve():
    def body(gw):
        gw.inject(REQUESTER, "AKUT KARD bröstsmärta sedan 2 h, ST-höjning")
        page = gw.wait_sent(PRIMARY, "Svara OK 1")
        check("AKUT KARD" in page["text"], "page names track and unit")
        check("bröstsmärta" in page["text"], "page carries the text")
        check("070-174 06 05" in page["text"], "page carries the callback")
        gw.wait_sent(REQUESTER, "Mottaget")
        c = gw.last_consult()
        check(c["state"] == "open" and c["track"] == "akut", "consult open")
        check(c["units"] == ["KARD"], "units %r" % c["units"])
        check(c["pages"] and c["pages"][0]["code"] == 1, "page code 1")

        gw.inject(PRIMARY, "ok 1")
        note = gw.wait_sent(REQUESTER, "kvitterat")
        check("Erik Jourlund" in note["text"], "requester told who acked")
        gw.wait_sent(PRIMARY, "Kvitterat #%d" % c["id"])
        c = gw.last_consult()
        check(c["state"] == "acknowledged", "state %s" % c["state"])
        check(c["acked_by"] == PRIMARY and c["acked_at"], "acked_by/at")

        gw.inject(PRIMARY, "KLAR 1 INL")
        gw.wait_sent(PRIMARY, "avslutat (INL)")
        c = gw.last_consult()
        check(c["state"] == "resolved" and c["outcome"] == "INL",
              "resolved with INL: %r" % c)
        ev = gw.events(c["id"])
        for t in ("created", "paged", "acknowledged", "resolved", "notified"):
            check(t in ev, "event %s in %r" % (t, ev))
        check(not gw.sent_to(BACKUP), "backup never paged")
    run(Gateway(), body)


def test_acute_alias_and_diacritics():
    def body(gw):
        gw.inject(REQUESTER, "  acute   kard   Ring mig.")
        gw.wait_sent(PRIMARY, "Svara OK 1")
        gw.inject(PRIMARY, "Ja")
        gw.wait_sent(REQUESTER, "kvitterat")
    run(Gateway(), body)


def test_escalates_to_backup_after_ack_timeout():
    def body(gw):
        gw.inject(REQUESTER, "AKUT KARD dyspné")
        gw.wait_sent(PRIMARY, "Svara OK")
        t0 = time.monotonic()
        page = gw.wait_sent(BACKUP, "Svara OK", timeout=15)
        check(time.monotonic() - t0 >= 1.0, "backup paged only after timeout")
        check("eskalerat" in page["text"], "escalated page says so")
        c = gw.last_consult()
        check(c["step"] == 2, "step 2 (backup), got %r" % c["step"])
        check("escalated" in gw.events(c["id"]), "escalated event")
        # The primary may still acknowledge: earlier pages stay valid.
        gw.inject(PRIMARY, "OK")
        gw.wait_sent(REQUESTER, "kvitterat")
        gw.wait_sent(BACKUP, "Du behöver inte svara")
        check(gw.last_consult()["acked_by"] == PRIMARY, "acked by primary")
    run(Gateway(ack_timeout="2s"), body)


def test_unanswered_tells_requester_and_admins():
    def body(gw):
        gw.inject(REQUESTER, "AKUT KARD synkope")
        gw.wait_sent(PRIMARY, "Svara OK")
        gw.wait_sent(BACKUP, "Svara OK", timeout=10)
        gw.wait_sent(CHIEF, "Svara OK", timeout=10)
        note = gw.wait_sent(REQUESTER, "ingen jour har svarat", timeout=10)
        check("070-174 06 30" in note["text"], "switchboard number given")
        gw.wait_sent(ADMIN, "OBESVARAT", timeout=10)
        c = gw.last_consult()
        check(c["state"] == "unanswered", "state %s" % c["state"])
        check(c["step"] == 3, "three steps taken")
        check("unanswered" in gw.events(c["id"]), "unanswered event")
        # A late OK changes nothing and gets an explanation.
        gw.inject(PRIMARY, "OK 1")
        gw.wait_sent(PRIMARY, "obesvarat")
        check(gw.last_consult()["state"] == "unanswered", "still unanswered")
    run(Gateway(ack_timeout="1s"), body)


def test_repeat_pass_pages_primary_again():
    def body(gw):
        gw.inject(REQUESTER, "AKUT KARD test")
        gw.wait_sent(REQUESTER, "ingen jour har svarat", timeout=15)
        pages = gw.sent_to(PRIMARY, "page")
        check(len(pages) == 2, "primary paged twice, got %d" % len(pages))
        check(len(gw.sent_to(BACKUP, "page")) == 2, "backup paged twice")
        # Same consult, same code.
        check(all("OK 1" in p["text"] for p in pages), "same code on repeat")
    run(Gateway(ack_timeout="1s", escalation="primary backup", repeat=1), body)


def test_decline_steps_on_at_once():
    def body(gw):
        gw.inject(REQUESTER, "AKUT KARD fråga")
        gw.wait_sent(PRIMARY, "Svara OK 1")
        gw.inject(PRIMARY, "NEJ 1")
        gw.wait_sent(BACKUP, "Svara OK", timeout=5)
        gw.wait_sent(PRIMARY, "avböjer")
        c = gw.last_consult()
        check("declined" in gw.events(c["id"]), "declined event")
    run(Gateway(ack_timeout="10m"), body)


def test_roster_gap_is_skipped_and_reported():
    rows = roster([("KARD", "backup", BACKUP), ("KARD", "chief", CHIEF)])

    def body(gw):
        gw.inject(REQUESTER, "AKUT KARD arytmi")
        gw.wait_sent(BACKUP, "Svara OK", timeout=5)
        gw.wait_sent(ADMIN, "schemalucka")
        c = gw.last_consult()
        check("no_oncall" in gw.events(c["id"]), "no_oncall event")
        esc = gw.json("escalations")["escalations"]
        check(any(e["id"] == c["id"] for e in esc), "listed in escalations")
    run(Gateway(ack_timeout="10m", roster_csv=rows), body)


def test_kill_mid_escalation_fires_overdue_step_after_restart():
    gw = Gateway(ack_timeout="3s")
    try:
        gw.start()
        gw.inject(REQUESTER, "AKUT KARD kill test")
        gw.wait_sent(PRIMARY, "Svara OK")
        gw.kill()                       # SIGKILL: no chance to clean up
        check(not gw.sent_to(BACKUP), "backup not paged before the kill")
        time.sleep(4)                   # the step falls due while down
        t0 = time.monotonic()
        gw.start()
        gw.wait_sent(BACKUP, "Svara OK", timeout=10)
        check(time.monotonic() - t0 < 8, "overdue step fired at start")
        c = gw.last_consult()
        check(len([p for p in c["pages"] if p["to"] == PRIMARY]) == 1,
              "primary paged once, not again")
        gw.inject(BACKUP, "OK")
        gw.wait_sent(REQUESTER, "kvitterat")
    finally:
        gw.close()


def test_kill_before_delete_processes_sms_once():
    """A message stays on the phone until committed; a repeat is not redone."""
    gw = Gateway()
    try:
        gw.start()
        gw.inject(REQUESTER, "AKUT KARD en gång")
        gw.wait_sent(PRIMARY, "Svara OK")
        gw.kill()
        # Put the very same SMS back, as if it had never been deleted.
        gw.ctl("inject", "--time", "2026-01-01 12:00", REQUESTER, "AKUT ORT dubbel")
        gw.start()
        gw.wait(lambda: len(gw.consults()) == 2, 10, "second consult")
        gw.kill()
        gw.ctl("inject", "--time", "2026-01-01 12:00", REQUESTER, "AKUT ORT dubbel")
        gw.start()
        gw.wait(lambda: not glob.glob(os.path.join(gw.phone, "sms", "1", "*")),
                10, "phone emptied")
        time.sleep(1)
        check(len(gw.consults()) == 2, "the repeat made no new consult")
    finally:
        gw.close()


def test_personnummer_refused_and_never_stored():
    def body(gw):
        gw.inject(REQUESTER, "AKUT KARD pat 19121212-1212 bröstsmärta")
        gw.wait_sent(REQUESTER, "personnummer")
        time.sleep(1)
        check(not gw.sent_to(PRIMARY), "nothing paged")
        c = gw.last_consult()
        check(c["state"] == "rejected", "consult rejected")
        check("rejected" in gw.events(c["id"]), "rejected event")
        gw.stop()
        for f in glob.glob(gw.db + "*"):
            with open(f, "rb") as fh:
                data = fh.read()
            for needle in (b"19121212-1212", b"121212-1212", b"1212121212"):
                check(needle not in data, "%s found in %s" % (needle, f))
    run(Gateway(), body)


def test_samordningsnummer_and_invalid_check_digit():
    def body(gw):
        gw.inject(REQUESTER, "AKUT KARD nr 701063-2391 smärta")
        gw.wait_sent(REQUESTER, "personnummer")
        # Same shape, wrong check digit: not an identity number, paged.
        gw.inject(REQUESTER2, "AKUT KARD lab 121212-1213 svar")
        gw.wait_sent(PRIMARY, "Svara OK")
    run(Gateway(), body)


def test_strangers_get_one_reply_and_alphanumeric_none():
    def body(gw):
        gw.inject(STRANGER, "AKUT KARD hej")
        gw.wait_sent(STRANGER, "finns inte i katalogen")
        gw.inject(STRANGER, "AKUT KARD hej igen")
        gw.inject("Telia", "Ditt saldo är 0 kr")
        gw.inject("72000", "Välkommen")
        gw.wait(lambda: not glob.glob(os.path.join(gw.phone, "sms", "1", "*")),
                10, "all messages read")
        time.sleep(0.5)
        check(len(gw.sent_to(STRANGER)) == 1, "one reply per period")
        check(not gw.sent_to("Telia") and not gw.sent_to("72000"),
              "never answer non-numeric senders")
        check(not gw.consults(), "strangers create no consult")
        check(not gw.sent_to(PRIMARY), "nothing paged")
    run(Gateway(), body)


def test_auto_responder_cannot_start_a_loop():
    def body(gw):
        for i in range(5):
            gw.inject(REQUESTER, "Jag är på semester till måndag (%d)" % i)
        gw.wait(lambda: not glob.glob(os.path.join(gw.phone, "sms", "1", "*")),
                10, "all messages read")
        time.sleep(0.5)
        n = len(gw.sent_to(REQUESTER))
        check(n == 3, "a few answers per period to a known sender, got %d" % n)
    run(Gateway(), body)


def test_help_and_not_understood():
    def body(gw):
        gw.inject(REQUESTER, "HJÄLP")
        gw.wait_sent(REQUESTER, "AKUT <enhet>")
        gw.inject(REQUESTER2, "hallå?")
        gw.wait_sent(REQUESTER2, "HJÄLP")
    run(Gateway(), body)


def test_request_errors_get_useful_replies():
    def body(gw):
        gw.inject(REQUESTER, "AKUT XYZ hjälp")
        gw.wait_sent(REQUESTER, "Okänd enhet")
        gw.inject(REQUESTER2, "AKUT")
        gw.wait_sent(REQUESTER2, "AKUT:")
        gw.inject(NURSE_NO_REQUEST, "AKUT KARD test")
        gw.wait_sent(NURSE_NO_REQUEST, "får inte beställa")
        check(not gw.sent_to(PRIMARY), "nothing paged")
        check(not gw.consults(), "no consult")
    run(Gateway(), body)


def test_codes_unique_and_ambiguous_reply_asks():
    def body(gw):
        gw.inject(REQUESTER, "AKUT KARD första")
        gw.wait_sent(PRIMARY, "Svara OK 1")
        gw.inject(REQUESTER2, "AKUT KARD andra")
        gw.wait_sent(PRIMARY, "Svara OK 2")
        gw.inject(PRIMARY, "OK")
        gw.wait_sent(PRIMARY, "flera öppna larm")
        check(all(c["state"] == "open" for c in gw.consults()),
              "nothing acked on a guess")
        gw.inject(PRIMARY, "OK 2")
        gw.wait_sent(REQUESTER2, "kvitterat")
        states = {c["requester"]: c["state"] for c in gw.consults()}
        check(states[REQUESTER] == "open", "first still open")
        check(states[REQUESTER2] == "acknowledged", "second acked")
    run(Gateway(), body)


def test_cancel_by_requester_stands_down():
    def body(gw):
        gw.inject(REQUESTER, "AKUT KARD avbryt mig")
        gw.wait_sent(PRIMARY, "Svara OK")
        cid = gw.last_consult()["id"]
        gw.inject(REQUESTER2, "AVBRYT %d" % cid)
        gw.wait_sent(REQUESTER2, "inget ärende")
        gw.inject(REQUESTER, "AVBRYT %d" % cid)
        gw.wait_sent(PRIMARY, "avbrutet")
        check(gw.last_consult()["state"] == "cancelled", "cancelled")
    run(Gateway(), body)


def test_report_by_track():
    def body(gw):
        gw.inject(REQUESTER, "AKUT KARD ett")
        gw.wait_sent(PRIMARY, "Svara OK 1")
        gw.inject(PRIMARY, "OK 1")
        gw.wait_sent(REQUESTER, "kvitterat")
        gw.inject(PRIMARY, "KLAR 1 RAD")
        gw.wait_sent(PRIMARY, "avslutat")
        gw.inject(REQUESTER2, "AKUT KARD två")
        gw.wait_sent(REQUESTER2, "ingen jour har svarat", timeout=15)
        rep = gw.json("report", "--by", "track")["report"]
        rows = {r["key"]: r for r in rep["rows"]}
        check("akut" in rows, "akut row: %r" % rep)
        r = rows["akut"]
        check(r["consults"] == 2, "2 consults: %r" % r)
        check(r["acknowledged"] == 1 and r["unanswered"] == 1, "counts %r" % r)
        check(r["outcomes"].get("RAD") == 1, "outcome RAD counted")
        check(r["ack_p50_s"] is not None, "ack p50 present")
    run(Gateway(ack_timeout="3s", escalation="primary"), body)


def test_sigterm_stops_cleanly_and_status_shows_it():
    gw = Gateway()
    try:
        gw.start()
        st = gw.status()
        check(st.get("running") is True, "running: %r" % st)
        gw.stop()
        st = gw.status()
        check(st.get("running") is False, "not running after stop: %r" % st)
    finally:
        gw.close()


def test_code_not_reused_within_quarantine():
    def body(gw):
        gw.inject(REQUESTER, "AKUT KARD första")
        gw.wait_sent(PRIMARY, "Svara OK 1")
        gw.inject(PRIMARY, "KLAR 1 RAD")       # resolves without a separate OK
        gw.wait_sent(PRIMARY, "avslutat (RAD)")
        first = gw.last_consult()
        check(first["state"] == "resolved" and first["acked_by"] == PRIMARY,
              "KLAR on an open consult acknowledges and resolves")
        gw.inject(REQUESTER2, "AKUT KARD andra")
        gw.wait_sent(PRIMARY, "Svara OK 2")     # code 1 is in quarantine
        # A stale reply with the old code never touches the new consult.
        gw.inject(PRIMARY, "OK 1")
        gw.wait_sent(PRIMARY, "redan avslutat")
        check(gw.last_consult()["state"] == "open", "new consult untouched")
    run(Gateway(), body)


def test_multipart_swedish_text_in_and_out():
    long_text = ("Patient med bröstsmärta sedan två timmar, strålar ut i "
                 "vänster arm, illamående och kallsvettig. EKG i ambulansen "
                 "visar ST-höjning i V2-V4. Blodtryck 100/60, puls 110. "
                 "Har fått ASA och nitro utan effekt. Önskar råd om direkt "
                 "inläggning på HIA eller transport till PCI-lab i Falun. "
                 "Avstånd till sjukhuset är 90 minuter med bil, väglaget är "
                 "dåligt. Ring gärna på numret nedan så snart du kan.")
    check(len(long_text) > 320, "the text needs three parts")

    def body(gw):
        gw.inject(REQUESTER, "AKUT KARD " + long_text)
        page = gw.wait_sent(PRIMARY, "Svara OK 1")
        check(long_text[:300] in page["text"], "the linked text is paged")
        check("... Svara OK" in page["text"], "a long text is cut in the page")
        c = gw.last_consult()
        full = gw.consult_log(c["id"])["consult"]["text"]
        check(full == long_text, "the whole text is kept: %r" % full)
        check(c["state"] == "open", "one consult from three parts")
        check(len(gw.consults()) == 1, "parts were linked, not three SMS")
    run(Gateway(), body)


def test_two_long_sms_with_one_reference_make_two_consults():
    # A reference is one byte: two long SMS from one sender can share it.
    # Both are on the phone when jourd starts, so one sweep reads all six
    # parts; each must become its own consult, and nothing be deleted unread.
    first = "AKUT KARD " + "bröstsmärta sedan två timmar, " * 12 + "ett"
    second = "AKUT ORT " + "fall i trappan, höftsmärta, " * 12 + "två"
    check(len(first) > 320 and len(second) > 320, "three parts each")
    gw = Gateway()
    for text in (first, second):
        gw.ctl("inject", "--ref", "42", "--time", "2026-01-01 12:00",
               REQUESTER, text)
    check(len(glob.glob(os.path.join(gw.phone, "sms", "1", "*"))) == 6,
          "six parts on the phone")

    def body(gw):
        gw.wait(lambda: len(gw.consults()) == 2, 10, "two consults")
        texts = sorted(gw.consult_log(c["id"])["consult"]["text"]
                       for c in gw.consults())
        check(texts == sorted([first[len("AKUT KARD "):],
                               second[len("AKUT ORT "):]]),
              "each consult has its own whole text: %r" % texts)
        gw.wait(lambda: not glob.glob(os.path.join(gw.phone, "sms", "1", "*")),
                10, "all parts read and deleted")
        gw.wait(lambda: len([o for o in gw.outbox() if o["to"] == REQUESTER
                             and "Mottaget" in o["text"]]) == 2, 10,
                "two receipts")
    run(gw, body)


def test_flash_sms_is_read_and_binary_sms_ignored():
    def body(gw):
        gw.ctl("inject", "--binary", REQUESTER2, "\x01\x02binary")
        gw.ctl("inject", "--flash", REQUESTER, "AKUT KARD flash-sms")
        gw.wait_sent(PRIMARY, "Svara OK 1")
        gw.wait(lambda: not glob.glob(os.path.join(gw.phone, "sms", "1", "*")),
                10, "all messages read")
        time.sleep(0.5)
        check(not gw.sent_to(REQUESTER2), "no answer to a binary SMS")
    run(Gateway(), body)


def test_second_daemon_on_same_database_refuses():
    import subprocess
    from harness import JOURD
    gw = Gateway()
    try:
        gw.start()
        r = subprocess.run([JOURD, "-d", "-c", gw.conf], capture_output=True,
                           timeout=10)
        check(r.returncode != 0, "second jourd must not start")
        check(b"already running" in r.stderr, r.stderr)
        check(gw.status()["running"] is True, "first one still running")
    finally:
        gw.close()


def worker_pid(gw):
    with open("/proc/%d/task/%d/children" % (gw.proc.pid, gw.proc.pid)) as f:
        pids = f.read().split()
    check(len(pids) == 1, "one modem worker, got %r" % pids)
    return int(pids[0])


def test_modem_worker_crash_is_survived_and_nothing_lost():
    import signal as sig

    def body(gw):
        old = worker_pid(gw)
        os.kill(old, sig.SIGKILL)
        # The message arrives while no worker runs; the new one reads it.
        gw.inject(REQUESTER, "AKUT KARD efter krasch")
        gw.wait_sent(PRIMARY, "Svara OK 1", timeout=15)
        check(worker_pid(gw) != old, "a new worker was started")
        check(gw.proc.poll() is None, "jourd itself kept running")
        check("modem worker" in gw.daemon_log(), "the loss was logged")
    run(Gateway(), body)


def test_sighup_reloads_and_a_bad_file_is_refused():
    import signal as sig

    def body(gw):
        with open(gw.conf) as f:
            good = f.read()
        with open(gw.conf, "w") as f:
            f.write(good.replace("ack_timeout = 10m", "ack_timeout = bogus"))
        gw.proc.send_signal(sig.SIGHUP)
        gw.wait(lambda: "reload refused" in gw.daemon_log(), 5, "refusal logged")
        check(gw.proc.poll() is None, "still running on the old configuration")
        with open(gw.conf, "w") as f:
            f.write(good.replace("ack_timeout = 10m", "ack_timeout = 1s"))
        gw.proc.send_signal(sig.SIGHUP)
        gw.wait(lambda: "configuration reloaded" in gw.daemon_log(), 5,
                "reload logged")
        gw.inject(REQUESTER, "AKUT KARD efter omladdning")
        gw.wait_sent(BACKUP, "Svara OK", timeout=10)
    run(Gateway(ack_timeout="10m"), body)


def test_stranger_with_personnummer_is_rate_limited_too():
    def body(gw):
        gw.inject(STRANGER, "pat 19121212-1212")
        gw.wait_sent(STRANGER, "finns inte i katalogen")
        gw.inject(STRANGER, "pat 19121212-1212 igen")
        gw.wait(lambda: not glob.glob(os.path.join(gw.phone, "sms", "1", "*")),
                10, "all messages read")
        time.sleep(0.5)
        check(len(gw.sent_to(STRANGER)) == 1, "one answer per period")
    run(Gateway(), body)


def test_klar_with_unknown_outcome_gets_a_klar_example():
    def body(gw):
        gw.inject(REQUESTER, "AKUT KARD utfall")
        gw.wait_sent(PRIMARY, "Svara OK 1")
        gw.inject(PRIMARY, "KLAR 1 INLL")
        reply = gw.wait_sent(PRIMARY, "KLAR 3 RAD")
        check("utfallskod" in reply["text"], reply["text"])
        check(gw.last_consult()["state"] == "open", "nothing resolved on a typo")
    run(Gateway(), body)


def test_auto_ok_responder_with_two_pages_cannot_loop():
    """An auto-responder answering every SMS with OK meets a question."""
    def body(gw):
        gw.inject(REQUESTER, "AKUT KARD första")
        gw.wait_sent(PRIMARY, "Svara OK 1")
        gw.inject(REQUESTER2, "AKUT KARD andra")
        gw.wait_sent(PRIMARY, "Svara OK 2")
        # Distinct texts: identical ones in the same SMSC second are one SMS.
        for text in ("OK", "ok", "Ok", "oK", "OK.", "OK!"):
            gw.inject(PRIMARY, text)
        gw.wait(lambda: not glob.glob(os.path.join(gw.phone, "sms", "1", "*")),
                10, "all messages read")
        time.sleep(0.5)
        asks = [m for m in gw.sent_to(PRIMARY) if "flera" in m["text"]]
        check(len(asks) == 3, "questions are limited, got %d" % len(asks))
    run(Gateway(), body)


def test_bare_ok_answers_the_page_still_waiting():
    def body(gw):
        gw.inject(REQUESTER, "AKUT KARD första")
        gw.wait_sent(PRIMARY, "Svara OK 1")
        gw.inject(PRIMARY, "OK 1")
        gw.wait_sent(REQUESTER, "kvitterat")
        gw.inject(REQUESTER2, "AKUT KARD andra")
        gw.wait_sent(PRIMARY, "Svara OK 2")
        gw.inject(PRIMARY, "OK")           # #1 is acknowledged, #2 waits
        gw.wait_sent(REQUESTER2, "kvitterat")
        gw.inject(PRIMARY, "KLAR")          # two acknowledged: which one?
        gw.wait_sent(PRIMARY, "flera öppna larm")
    run(Gateway(), body)


def test_sighup_takes_new_keywords():
    import signal as sig

    def body(gw):
        with open(gw.conf) as f:
            good = f.read()
        with open(gw.conf, "w") as f:
            f.write(good.replace("keywords = AKUT ACUTE",
                                 "keywords = AKUT ACUTE BRÅDSKA"))
        gw.proc.send_signal(sig.SIGHUP)
        gw.wait(lambda: "configuration reloaded" in gw.daemon_log(), 5,
                "reload logged")
        gw.inject(REQUESTER, "BRADSKA KARD nytt nyckelord")
        gw.wait_sent(PRIMARY, "Svara OK 1")
    run(Gateway(), body)
