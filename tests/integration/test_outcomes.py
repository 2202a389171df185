"""Outcome codes checked by the database (schema/009_outcomes.sql): jourd
writes the configured codes at start and on SIGHUP, and consults.outcome
takes no other."""
import signal
import sqlite3

from harness import run, PRIMARY, REQUESTER, Gateway, check


def configured(gw):
    db = sqlite3.connect("file:%s?mode=ro" % gw.db, uri=True, timeout=10)
    try:
        return sorted(r[0] for r in db.execute(
            "SELECT code FROM outcomes WHERE configured = 1"))
    finally:
        db.close()


def test_outcomes_follow_the_configuration():
    def body(gw):
        check(configured(gw) == ["AKM", "HEM", "INL", "MDK", "RAD", "REM"],
              "configured at start: %r" % configured(gw))
        gw.inject(REQUESTER, "AKUT KARD bröstsmärta")
        gw.wait_sent(PRIMARY, "Svara OK 1")
        gw.inject(PRIMARY, "OK 1")
        gw.wait_sent(REQUESTER, "kvitterat")
        # An outcome the configuration does not name is refused by SQLite
        # itself, whoever writes it.
        db = sqlite3.connect(gw.db, timeout=10)
        try:
            with db:
                db.execute("UPDATE consults SET outcome = 'XYZ'")
            check(False, "an unknown outcome was stored")
        except sqlite3.IntegrityError as e:
            check("not a configured outcome" in str(e), str(e))
        finally:
            db.close()
        # A reload that adds a code lets KLAR use it.
        with open(gw.conf) as f:
            conf = f.read()
        with open(gw.conf, "w") as f:
            f.write(conf.replace("[daemon]\n",
                                 "[daemon]\noutcomes = INL RAD IVA\n", 1))
        gw.proc.send_signal(signal.SIGHUP)
        gw.wait(lambda: configured(gw) == ["INL", "IVA", "RAD"], 10,
                "the reloaded codes")
        gw.inject(PRIMARY, "KLAR 1 IVA")
        gw.wait_sent(PRIMARY, "avslutat (IVA)")
        c = gw.last_consult()
        check(c["state"] == "resolved" and c["outcome"] == "IVA", repr(c))
    run(Gateway(), body)
