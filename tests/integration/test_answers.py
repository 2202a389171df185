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
        # The same unit typed precomposed, for comparison.
        r = ask(gw, REQUESTER, "KONTAKT öron")
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
