"""Answers that say the right thing: text typed with decomposed letters reads
as the letters it shows, and a wrong code is answered with the codes the
person really has open."""
import os

from harness import (run, PRIMARY, BACKUP, REQUESTER, Gateway, check)

# A unit whose name starts with a letter people type decomposed.
ORON_UNIT = """code,name,kind,phone,hours
ORON,"Öron-näsa-hals, Falu lasarett",specialty,+46701740635,always
"""

UNKNOWN = "Kod %d hör inte till något av dina larm. "


def replies(gw, phone):
    return [m["text"] for m in gw.sent_to(phone) if m["state"] == "sent"]


def ask(gw, phone, text):
    """Injects text from phone and returns the next message sent to it."""
    n = len(replies(gw, phone))
    gw.inject(phone, text)
    gw.wait(lambda: len(replies(gw, phone)) > n, 10,
            "answer to %r from %s" % (text, phone))
    return replies(gw, phone)[n]


def test_decomposed_letters_read_as_the_letters():
    def body(gw):
        # "A" + U+0308 COMBINING DIAERESIS, as some phones send Ä.
        r = ask(gw, REQUESTER, "HJA\u0308LP")
        check(r.startswith("jourd: AKUT <enhet>"), "help answer: %r" % r)
        r = ask(gw, REQUESTER, "KONTAKT o\u0308ron")
        check(r == "Öron-näsa-hals, Falu lasarett 070-174 06 35",
              "unit found: %r" % r)
        # Typed precomposed, for comparison (another text: the same text
        # from the same sender in the same second is one SMS read twice).
        r = ask(gw, REQUESTER, "KONTAKT Öron")
        check(r == "Öron-näsa-hals, Falu lasarett 070-174 06 35",
              "precomposed: %r" % r)
        # What the inbox and the logs keep is the precomposed text.
        check("\u0308" not in gw.daemon_log(), "no combining mark logged")
    gw = Gateway(reply_period="1m")
    path = os.path.join(gw.dir, "oron.csv")
    with open(path, "w") as f:
        f.write(ORON_UNIT)
    gw.ctl("import", "units", path)
    run(gw, body)


def page_codes(gw, phone):
    """{consult id: the code of phone's latest page in it}."""
    out = {}
    for c in gw.consults():
        for p in c["pages"]:
            if p["to"] == phone:
                out[c["id"]] = p["code"]
    return out


def test_wrong_code_names_the_open_codes():
    def body(gw):
        gw.inject(REQUESTER, "AKUT KARD bröstsmärta")
        gw.wait_sent(PRIMARY, "Svara OK")
        gw.inject(REQUESTER, "AKUT KARD svimning")
        gw.wait(lambda: len(page_codes(gw, PRIMARY)) == 2, 10, "two pages")
        codes = page_codes(gw, PRIMARY)
        (a, ca), (b, cb) = sorted(codes.items())
        wrong = max(ca, cb) + 5
        r = ask(gw, PRIMARY, "OK %d" % wrong)
        check(r == UNKNOWN % wrong + "Dina öppna larm: "
              "OK %d (#%d AKUT KARD); OK %d (#%d AKUT KARD)."
              % (ca, a, cb, b), "two open: %r" % r)
        check(len(r) <= 160, "one SMS: %d" % len(r))

        # Once the first is acknowledged, what is left to send for it is KLAR.
        gw.inject(PRIMARY, "OK %d" % ca)
        gw.wait_sent(PRIMARY, "Kvitterat #%d" % a)
        r = ask(gw, PRIMARY, "NEJ %d" % wrong)
        check(r == UNKNOWN % wrong + "Dina öppna larm: "
              "KLAR %d (#%d AKUT KARD); NEJ %d (#%d AKUT KARD)."
              % (ca, a, cb, b), "one acked: %r" % r)

        # Someone who was never paged has none.
        r = ask(gw, BACKUP, "OK 3")
        check(r == UNKNOWN % 3 + "Du har inga öppna larm.", "none: %r" % r)
    run(Gateway(ack_timeout="10m"), body)
