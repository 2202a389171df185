"""Stand-downs of a consult with more open pages than jourd once read.

A leg holds up to MAX_STEPS roles times (1 + repeat) pages: 8 x 11 = 88.
consult_stand_down read only the 64 oldest open pages, so the newest
holders kept their pages open and were never told to stand down."""
import sqlite3

from harness import (run, BACKUP, CHIEF, PEOPLE, PRIMARY, REQUESTER, Gateway,
                     check, roster)

# A KARD doctor who is not in the roster and takes a role over late.
LATE = "+46701740624"
ROLES = ["r%d" % i for i in range(1, 9)]
HOLDERS = [PRIMARY, BACKUP, CHIEF, PRIMARY, BACKUP, CHIEF, PRIMARY, BACKUP]


def pages(gw, cid):
    """(to_phone, code, closed_at) of every page of consult cid, in order."""
    db = sqlite3.connect("file:%s?mode=ro" % gw.db, uri=True, timeout=10)
    try:
        return db.execute("SELECT to_phone, code, closed_at FROM pages"
                          " WHERE consult_id = ? ORDER BY id",
                          (cid,)).fetchall()
    finally:
        db.close()


def test_stand_down_beyond_64_open_pages():
    def body(gw):
        gw.inject(REQUESTER, "AKUT KARD ingen svarar")
        gw.wait_sent(PRIMARY, "Svara OK 1")
        cid = gw.last_consult()["id"]
        # Steps come a second apart; once 64 pages are out, r8 (whose
        # pages so far went to BACKUP) is taken over by LATE.
        gw.wait(lambda: len(pages(gw, cid)) >= 64, 120, "64 pages")
        gw.inject(LATE, "JOUR KARD r8")
        gw.wait(lambda: any(p[0] == LATE for p in pages(gw, cid)), 30,
                "a page to the late holder")
        ps = pages(gw, cid)
        check(len(ps) > 64, "more than 64 pages: %d" % len(ps))
        check(all(p[0] != LATE for p in ps[:64]),
              "the late holder's pages are all after the 64th")
        code = [p[1] for p in ps if p[0] == PRIMARY][-1]
        gw.inject(PRIMARY, "OK %d" % code)
        gw.wait_sent(REQUESTER, "kvitterat", timeout=15)
        for who in (BACKUP, CHIEF, LATE):
            gw.wait_sent(who, "Du behöver inte svara", timeout=15)
        # The one who answered keeps theirs open until the consult closes.
        ps = pages(gw, cid)
        still = [p for p in ps if p[2] is None and p[0] != PRIMARY]
        check(not still, "%d of %d pages left open: %r" % (
            len(still), len(ps), still[:5]))
        gw.inject(PRIMARY, "KLAR %d INL" % code)
        gw.wait_sent(PRIMARY, "avslutat (INL)", timeout=15)
        still = [p for p in pages(gw, cid) if p[2] is None]
        check(not still, "%d pages open after KLAR" % len(still))
        for who in (BACKUP, CHIEF, LATE):
            n = sum(1 for m in gw.sent_to(who)
                    if "Du behöver inte svara" in m["text"])
            check(n == 1, "%s told to stand down %d times" % (who, n))
        check(not [m for m in gw.sent_to(PRIMARY)
                   if "Du behöver inte svara" in m["text"]],
              "the one who answered is not stood down")
    people = PEOPLE + "Hanna Sentid,%s,Specialistläkare,KARD,no\n" % LATE
    run(Gateway(ack_timeout="1s", escalation=" ".join(ROLES), repeat=10,
                people_csv=people,
                roster_csv=roster([("KARD", r, p)
                                   for r, p in zip(ROLES, HOLDERS)])), body)
