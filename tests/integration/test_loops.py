"""Loops with automatic systems: a phone that echoes what it gets must not
start a consult with every page it echoes, and no requester starts more
than request_limit consults an hour."""
from harness import (PEOPLE, PRIMARY, REQUESTER, Gateway, check, run)

# The on-call specialist may request too: an echo of a page parses as one.
PEOPLE_ECHO = PEOPLE.replace("Erik Jourlund,+46701740620,Överläkare,KARD,no",
                             "Erik Jourlund,+46701740620,Överläkare,KARD,yes")


def drained(gw):
    gw.wait(lambda: all(m["state"] not in ("queued", "sending")
                        for m in gw.outbox()), 10, "outbox drained")


def test_an_echoing_phone_on_call_starts_nothing():
    def body(gw):
        gw.inject(REQUESTER, "AKUT KARD bröstsmärta ring mig")
        page = gw.wait_sent(PRIMARY, "Svara OK 1")["text"]
        echoes = [page, "Autosvar: " + page, page[:60]] * 3
        for n, echo in enumerate(echoes):
            gw.inject(PRIMARY, echo)
            gw.wait(lambda: gw.status().get("inbox_today") == n + 2, 10,
                    "echo %d stored" % (n + 1))
            drained(gw)
        check(len(gw.consults()) == 1, "consults: %d" % len(gw.consults()))
        to_primary = [m["text"] for m in gw.outbox() if m["to"] == PRIMARY]
        check(to_primary == [page], "echoes were answered: %r" % to_primary)
        # A real answer still works.
        gw.inject(PRIMARY, "OK 1")
        gw.wait_sent(REQUESTER, "kvitterat")
    run(Gateway(people_csv=PEOPLE_ECHO, escalation="primary"), body)


def test_request_limit_refuses_the_excess_and_says_so_once():
    def body(gw):
        for n in range(13):
            gw.inject(REQUESTER, "AKUT KARD patient %d" % n)
            gw.wait(lambda: gw.status().get("inbox_today") == n + 1, 10,
                    "request %d stored" % (n + 1))
        drained(gw)
        check(len(gw.consults()) == 10, "consults: %d" % len(gw.consults()))
        told = [m for m in gw.outbox() if m["to"] == REQUESTER and
                "senaste timmen" in m["text"]]
        check(len(told) == 1, "told %d times" % len(told))
        # Another requester is not limited by the first one's consults.
        gw.inject("+46701740606", "AKUT KARD annan patient")
        gw.wait_sent("+46701740606", "Mottaget")
        check(gw.daemon_log().count("consults within an hour") == 1,
              "the refusal is logged once")
    run(Gateway(escalation="primary"), body)


def test_request_limit_zero_is_no_limit():
    def body(gw):
        for n in range(12):
            gw.inject(REQUESTER, "AKUT KARD patient %d" % n)
        gw.wait(lambda: len(gw.consults()) == 12, 15, "12 consults")
    run(Gateway(escalation="primary", daemon_extra="request_limit = 0"), body)
