/*
 * test_parse.c — the SMS grammar of DESIGN §4.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "parse.h"
#include "text.h"

static struct parse_ctx	ctx;
static struct sms_cmd	cmd;

static void
ctx_track(int i, bool multi, const char *const *kw, int n)
{
	int	j;

	for (j = 0; j < n; j++)
		snprintf(ctx.tracks[i].keywords[j], WORD_MAX, "%s", kw[j]);
	ctx.tracks[i].nkeywords = n;
	ctx.tracks[i].multi_unit = multi;
}

static int
setup(void **state)
{
	static const char	*const akut[] = { "AKUT", "ACUTE" };
	static const char	*const halv[] = { "HALV", "HALVAKUT", "SEMI" };
	static const char	*const mdk[] = { "MDK" };
	static const char	*const pv[] = { "PV" };
	static const char	*const outcomes[] = {
		"INL", "RAD", "REM", "AKM", "HEM", "MDK"
	};
	size_t			 i;

	memset(&ctx, 0, sizeof(ctx));
	ctx_track(0, false, akut, 2);
	ctx_track(1, false, halv, 3);
	ctx_track(2, true, mdk, 1);
	ctx_track(3, false, pv, 1);
	ctx.ntracks = 4;
	for (i = 0; i < nitems(outcomes); i++)
		snprintf(ctx.outcomes[i], WORD_MAX, "%s", outcomes[i]);
	ctx.noutcomes = (int)nitems(outcomes);
	return 0;
}

/* Every string field is terminated, bounded and valid UTF-8. */
static void
check_fields(const struct sms_cmd *c)
{
	int	i;

	assert_true(strnlen(c->keyword, WORD_MAX) < WORD_MAX);
	assert_true(strnlen(c->callback, PHONE_MAX) < PHONE_MAX);
	assert_true(strnlen(c->text, SMS_TEXT_MAX) < SMS_TEXT_MAX);
	assert_true(strnlen(c->outcome, WORD_MAX) < WORD_MAX);
	assert_true(strnlen(c->role, ROLE_MAX) < ROLE_MAX);
	assert_true(strnlen(c->error, sizeof(c->error)) < sizeof(c->error));
	assert_true(c->nunits >= 0 && c->nunits <= MAX_LEGS);
	for (i = 0; i < c->nunits; i++) {
		assert_true(strnlen(c->units[i], UNIT_MAX) < UNIT_MAX);
		assert_true(c->units[i][0] != '\0');
		assert_true(text_valid_utf8(c->units[i], strlen(c->units[i])));
	}
	assert_true(text_valid_utf8(c->text, strlen(c->text)));
	assert_true(text_valid_utf8(c->role, strlen(c->role)));
	assert_true(text_valid_utf8(c->error, strlen(c->error)));
}

static const struct sms_cmd *
P(const char *text)
{
	memset(&cmd, 0x5A, sizeof(cmd));	/* parse_sms must set everything */
	parse_sms(text, &ctx, &cmd);
	check_fields(&cmd);
	return &cmd;
}

/* A well-formed command of the given verb without an identity number. */
static const struct sms_cmd *
good(const char *text, enum sms_verb verb)
{
	const struct sms_cmd	*c = P(text);

	if (c->verb != verb)
		fail_msg("\"%s\": verb %s, want %s", text,
		    parse_verb_name(c->verb), parse_verb_name(verb));
	if (c->error[0] != '\0')
		fail_msg("\"%s\": unexpected error \"%s\"", text, c->error);
	assert_false(c->has_pnr);
	return c;
}

/* A command of the given verb with an error. */
static const struct sms_cmd *
bad(const char *text, enum sms_verb verb)
{
	const struct sms_cmd	*c = P(text);

	if (c->verb != verb)
		fail_msg("\"%s\": verb %s, want %s", text,
		    parse_verb_name(c->verb), parse_verb_name(verb));
	if (c->error[0] == '\0')
		fail_msg("\"%s\": no error", text);
	return c;
}

static void
test_empty(void **state)
{
	const struct sms_cmd	*c;

	c = P("");
	assert_int_equal(c->verb, SMS_EMPTY);
	assert_string_equal(c->error, "");
	assert_string_equal(c->keyword, "");
	assert_false(c->has_pnr);
	assert_int_equal(P("   \t\r\n  ")->verb, SMS_EMPTY);
	assert_int_equal(P(NULL)->verb, SMS_EMPTY);
}

static void
test_unknown(void **state)
{
	const struct sms_cmd	*c;
	char			 word[200];

	c = bad("XYZ hej", SMS_UNKNOWN);
	assert_string_equal(c->error, "okänt kommando: XYZ");
	assert_string_equal(c->keyword, "");
	assert_int_equal(c->track, -1);
	c = bad("hallå där", SMS_UNKNOWN);
	assert_string_equal(c->error, "okänt kommando: HALLA");
	c = bad(".", SMS_UNKNOWN);
	assert_string_equal(c->error, "okänt kommando: .");
	c = bad("OKEJ 3", SMS_UNKNOWN);
	assert_string_equal(c->error, "okänt kommando: OKEJ");
	/* No blank between keyword and unit is not understood. */
	bad("AKUTKARD text", SMS_UNKNOWN);

	/* A long first word is cut to twenty characters. */
	memset(word, 'q', sizeof(word) - 1);
	word[sizeof(word) - 1] = '\0';
	c = bad(word, SMS_UNKNOWN);
	assert_string_equal(c->error, "okänt kommando: QQQQQQQQQQQQQQQQQQQQ");

	/* Invalid UTF-8 is folded to '?', the error stays valid. */
	c = bad("\xFF\xFE hej", SMS_UNKNOWN);
	assert_string_equal(c->error, "okänt kommando: ??");
}

static void
test_unknown_pnr_not_echoed(void **state)
{
	const struct sms_cmd	*c;

	c = bad("121212-1212 bröstsmärta", SMS_UNKNOWN);
	assert_true(c->has_pnr);
	assert_string_equal(c->error, "okänt kommando: XXXXXX-XXXX");
	/* The number spans two words: the first still loses its digits. */
	c = bad("121212 1212", SMS_UNKNOWN);
	assert_true(c->has_pnr);
	assert_string_equal(c->error, "okänt kommando: XXXXXX");
	/* Without an identity number digits are shown. */
	c = bad("1234 hej", SMS_UNKNOWN);
	assert_false(c->has_pnr);
	assert_string_equal(c->error, "okänt kommando: 1234");
}

static void
test_help(void **state)
{
	assert_string_equal(good("hjälp", SMS_HJALP)->keyword, "HJALP");
	assert_string_equal(good("HJÄLP", SMS_HJALP)->keyword, "HJALP");
	assert_string_equal(good("Hjalp", SMS_HJALP)->keyword, "HJALP");
	assert_string_equal(good("HELP", SMS_HJALP)->keyword, "HELP");
	assert_string_equal(good("help me", SMS_HJALP)->keyword, "HELP");
	assert_string_equal(good("?", SMS_HJALP)->keyword, "?");
	good("Hjälp.", SMS_HJALP);
	good("Hjälp!", SMS_HJALP);
	good("  hjälp  ", SMS_HJALP);
	good("?!", SMS_HJALP);
	good("HJÄLP?", SMS_HJALP);
	good("??", SMS_HJALP);
	assert_int_equal(P("hjälp")->track, -1);
}

static void
test_request_tracks(void **state)
{
	const struct sms_cmd	*c;

	c = good("AKUT KARD Bröstsmärta sedan 2 h", SMS_REQUEST);
	assert_int_equal(c->track, 0);
	assert_string_equal(c->keyword, "AKUT");
	assert_int_equal(c->nunits, 1);
	assert_string_equal(c->units[0], "KARD");
	assert_string_equal(c->callback, "");
	assert_string_equal(c->text, "Bröstsmärta sedan 2 h");
	assert_int_equal(c->code, 0);
	assert_int_equal(c->consult, 0);

	c = good("acute kard chest pain", SMS_REQUEST);
	assert_int_equal(c->track, 0);
	assert_string_equal(c->keyword, "ACUTE");
	assert_string_equal(c->units[0], "kard");
	assert_string_equal(c->text, "chest pain");

	c = good("halv Ortopedi fråga om fraktur", SMS_REQUEST);
	assert_int_equal(c->track, 1);
	assert_string_equal(c->keyword, "HALV");
	assert_string_equal(c->units[0], "Ortopedi");
	assert_int_equal(good("Halvakut ORT x", SMS_REQUEST)->track, 1);
	assert_string_equal(P("Halvakut ORT x")->keyword, "HALVAKUT");
	assert_int_equal(good("SEMI ORT x", SMS_REQUEST)->track, 1);

	c = good("PV Orsa behöver läkare", SMS_REQUEST);
	assert_int_equal(c->track, 3);
	assert_string_equal(c->units[0], "Orsa");
	assert_string_equal(c->text, "behöver läkare");

	c = good("MDK GER komplex", SMS_REQUEST);
	assert_int_equal(c->track, 2);
	assert_string_equal(c->keyword, "MDK");

	/* Diacritics in the unit are kept as typed. */
	c = good("AKUT Ögon synnedsättning", SMS_REQUEST);
	assert_string_equal(c->units[0], "Ögon");
}

static void
test_request_text(void **state)
{
	const struct sms_cmd	*c;

	c = good("  AKUT   KARD    bröst \t  smärta  ", SMS_REQUEST);
	assert_string_equal(c->units[0], "KARD");
	assert_string_equal(c->text, "bröst smärta");

	c = good("AKUT KARD\nrad ett\n\nrad två", SMS_REQUEST);
	assert_string_equal(c->text, "rad ett rad två");

	c = good("AKUT KARD", SMS_REQUEST);
	assert_string_equal(c->units[0], "KARD");
	assert_string_equal(c->text, "");

	/* The trailing period goes from the unit, stays in free text. */
	c = good("AKUT KARD.", SMS_REQUEST);
	assert_string_equal(c->units[0], "KARD");
	assert_string_equal(c->text, "");
	c = good("AKUT KARD Bröstsmärta.", SMS_REQUEST);
	assert_string_equal(c->text, "Bröstsmärta.");
	c = good("AKUT KARD Ring mig!", SMS_REQUEST);
	assert_string_equal(c->text, "Ring mig!");

	/* A trailing comma after a single unit is punctuation. */
	c = good("AKUT KARD, bröstsmärta", SMS_REQUEST);
	assert_string_equal(c->units[0], "KARD");
	assert_string_equal(c->text, "bröstsmärta");

	/* Punctuation after the unit is no part of it. */
	c = good("AKUT KARD: bröstsmärta", SMS_REQUEST);
	assert_string_equal(c->units[0], "KARD");
	assert_string_equal(c->text, "bröstsmärta");
	c = good("AKUT KARD. Bröstsmärta", SMS_REQUEST);
	assert_string_equal(c->units[0], "KARD");
	assert_string_equal(c->text, "Bröstsmärta");
	bad("AKUT ... text", SMS_REQUEST);

	/* Invalid UTF-8 in the text is replaced, not passed on. */
	c = good("AKUT KARD br\xF6st", SMS_REQUEST);
	assert_string_equal(c->text, "br\xEF\xBF\xBDst");
}

static void
test_request_callback(void **state)
{
	const struct sms_cmd	*c;

	c = good("AKUT KARD 070-1740605 Bröstsmärta", SMS_REQUEST);
	assert_string_equal(c->callback, "+46701740605");
	assert_string_equal(c->text, "Bröstsmärta");
	c = good("AKUT KARD +46701740605 x", SMS_REQUEST);
	assert_string_equal(c->callback, "+46701740605");
	assert_string_equal(c->text, "x");
	c = good("AKUT KARD 0046701740605 x", SMS_REQUEST);
	assert_string_equal(c->callback, "+46701740605");
	c = good("AKUT KARD +4570123456 x", SMS_REQUEST);
	assert_string_equal(c->callback, "+4570123456");
	c = good("AKUT KARD 023-490000 x", SMS_REQUEST);
	assert_string_equal(c->callback, "+4623490000");

	/* Punctuation after the number. */
	c = good("AKUT KARD 0701740605, Bröstsmärta", SMS_REQUEST);
	assert_string_equal(c->callback, "+46701740605");
	assert_string_equal(c->text, "Bröstsmärta");
	/* 0701740607 is a valid samordningsnummer too: scanned, refused. */
	c = P("AKUT KARD 0701740607: ring");
	assert_string_equal(c->callback, "+46701740607");
	assert_true(c->has_pnr);

	/* Only a callback, and one with a trailing period. */
	c = good("AKUT KARD 0701740605", SMS_REQUEST);
	assert_string_equal(c->callback, "+46701740605");
	assert_string_equal(c->text, "");
	c = good("AKUT KARD 0701740605.", SMS_REQUEST);
	assert_string_equal(c->callback, "+46701740605");
	assert_string_equal(c->text, "");
}

static void
test_request_no_callback(void **state)
{
	const struct sms_cmd	*c;

	/* Not starting with 0 or +: text. */
	c = good("AKUT KARD 12345678 x", SMS_REQUEST);
	assert_string_equal(c->callback, "");
	assert_string_equal(c->text, "12345678 x");
	/* Too few digits. */
	c = good("AKUT KARD 070-123 x", SMS_REQUEST);
	assert_string_equal(c->callback, "");
	assert_string_equal(c->text, "070-123 x");
	/* Seven digits make a valid landline, still too short to be taken. */
	c = good("AKUT KARD 08-12345 x", SMS_REQUEST);
	assert_string_equal(c->callback, "");
	assert_string_equal(c->text, "08-12345 x");
	/* Enough digits, not a number. */
	c = good("AKUT KARD +46123 4567 x", SMS_REQUEST);
	assert_string_equal(c->callback, "");
	c = good("AKUT KARD 00000000000 x", SMS_REQUEST);
	assert_string_equal(c->callback, "");
	assert_string_equal(c->text, "00000000000 x");
	/* Letters or other signs. */
	c = good("AKUT KARD 0701740605x y", SMS_REQUEST);
	assert_string_equal(c->callback, "");
	assert_string_equal(c->text, "0701740605x y");
	c = good("AKUT KARD (070)1740605 y", SMS_REQUEST);
	assert_string_equal(c->callback, "");
	/* A number written with blanks is left in the text. */
	c = good("AKUT KARD 070-174 06 05 ring", SMS_REQUEST);
	assert_string_equal(c->callback, "");
	assert_string_equal(c->text, "070-174 06 05 ring");
	/* Only the token right after the unit can be the callback. */
	c = good("AKUT KARD ring 0701740605", SMS_REQUEST);
	assert_string_equal(c->callback, "");
	assert_string_equal(c->text, "ring 0701740605");
}

static void
test_request_missing_unit(void **state)
{
	const struct sms_cmd	*c;

	c = bad("AKUT", SMS_REQUEST);
	assert_int_equal(c->track, 0);
	assert_string_equal(c->keyword, "AKUT");
	assert_int_equal(c->nunits, 0);
	assert_string_equal(c->error, "enhet saknas");
	assert_int_equal(bad("akut .", SMS_REQUEST)->nunits, 0);
	assert_int_equal(bad("MDK", SMS_REQUEST)->track, 2);
	assert_int_equal(bad("MDK , ,", SMS_REQUEST)->nunits, 0);
	assert_int_equal(bad("PV!", SMS_REQUEST)->track, 3);
	assert_int_equal(bad("AKUT ,", SMS_REQUEST)->nunits, 0);
}

static void
test_request_one_unit_only(void **state)
{
	const struct sms_cmd	*c;

	c = bad("AKUT KARD,GER bröstsmärta", SMS_REQUEST);
	assert_string_equal(c->error, "bara en enhet");
	assert_int_equal(c->nunits, 0);
	bad("HALV ORT,KIR x", SMS_REQUEST);
	bad("PV ORSA,MORA x", SMS_REQUEST);
}

static void
test_request_mdk_lists(void **state)
{
	const struct sms_cmd	*c;

	c = good("MDK KARD, GER,PSYK text här", SMS_REQUEST);
	assert_int_equal(c->nunits, 3);
	assert_string_equal(c->units[0], "KARD");
	assert_string_equal(c->units[1], "GER");
	assert_string_equal(c->units[2], "PSYK");
	assert_string_equal(c->text, "text här");

	c = good("mdk kard ,ger , psyk 0701740605 Komplex patient", SMS_REQUEST);
	assert_int_equal(c->nunits, 3);
	assert_string_equal(c->units[0], "kard");
	assert_string_equal(c->units[2], "psyk");
	assert_string_equal(c->callback, "+46701740605");
	assert_string_equal(c->text, "Komplex patient");

	c = good("MDK KARD, GER. Text", SMS_REQUEST);
	assert_int_equal(c->nunits, 2);
	assert_string_equal(c->units[1], "GER");
	assert_string_equal(c->text, "Text");

	c = good("MDK KARD,,GER x", SMS_REQUEST);
	assert_int_equal(c->nunits, 2);
	assert_string_equal(c->units[1], "GER");

	c = good("MDK KARD", SMS_REQUEST);
	assert_int_equal(c->nunits, 1);
	assert_string_equal(c->text, "");

	c = good("MDK KARD,GER.", SMS_REQUEST);
	assert_int_equal(c->nunits, 2);
	assert_string_equal(c->units[1], "GER");

	c = good("MDK A,B,C,D,E,F,G,H text", SMS_REQUEST);
	assert_int_equal(c->nunits, MAX_LEGS);
	assert_string_equal(c->units[7], "H");
	assert_string_equal(c->text, "text");

	c = bad("MDK A,B,C,D,E,F,G,H,I text", SMS_REQUEST);
	assert_int_equal(c->nunits, 0);
}

static void
test_request_long_unit(void **state)
{
	char			 msg[300];
	const struct sms_cmd	*c;
	size_t			 i, n;

	n = (size_t)snprintf(msg, sizeof(msg), "AKUT ");
	for (i = 0; i < 60; i++)
		n += (size_t)snprintf(msg + n, sizeof(msg) - n, "ö");
	snprintf(msg + n, sizeof(msg) - n, " text");
	c = good(msg, SMS_REQUEST);
	assert_int_equal(c->nunits, 1);
	/* 47 bytes fit: 23 two-byte letters, never half of one. */
	assert_int_equal(strlen(c->units[0]), 46);
	assert_string_equal(c->text, "text");
}

static void
test_request_pnr(void **state)
{
	const struct sms_cmd	*c;

	c = P("AKUT KARD pat 121212-1212 bröstsmärta");
	assert_int_equal(c->verb, SMS_REQUEST);
	assert_true(c->has_pnr);
	c = P("AKUT KARD 19121212-1212");
	assert_true(c->has_pnr);
	/* In the unit part. */
	assert_true(P("AKUT 121212-1212 text")->has_pnr);
	assert_true(P("MDK KARD,121212-1212 text")->has_pnr);
	/* A missing unit still gets the scan. */
	assert_true(P("AKUT ,121212-1212")->has_pnr);

	/*
	 * 0701740607 passes as a samordningsnummer (07-01-14, check 7): the
	 * callback is scanned like the text, since "0501011234" is as much a
	 * child's number as a phone number. Written with +46 or in groups a
	 * phone number never passes.
	 */
	c = P("AKUT KARD 0701740607 ring mig");
	assert_string_equal(c->callback, "+46701740607");
	assert_true(c->has_pnr);
	c = P("AKUT KARD +46701740607 ring mig");
	assert_string_equal(c->callback, "+46701740607");
	assert_false(c->has_pnr);
	c = P("AKUT KARD 070-174 06 07 ring mig");
	assert_false(c->has_pnr);
	c = P("AKUT KARD ring 0701740607");
	assert_string_equal(c->callback, "");
	assert_true(c->has_pnr);
	c = P("AKUT KARD +46701740607 pnr 811218-9876");
	assert_string_equal(c->callback, "+46701740607");
	assert_true(c->has_pnr);
	c = P("MDK KARD,GER 0701740605 x");
	assert_false(c->has_pnr);
	/* A callback that is an identity number: "ring +8112189876". */
	c = P("AKUT KARD +811218-9876 pat");
	assert_true(c->has_pnr);
	/* Odd spacing, other dashes and digits of other scripts. */
	assert_true(P("AKUT KARD pat 811218  9876 bröstsmärta")->has_pnr);
	assert_true(P("AKUT KARD pat 811218\n9876")->has_pnr);
	assert_true(P("AKUT KARD pat 811218\t9876")->has_pnr);
	assert_true(P("AKUT KARD pat 811218\r\n9876")->has_pnr);
	assert_true(P("AKUT KARD pat 811218\u00a0\u00a09876")->has_pnr);
	assert_true(P("AKUT KARD pat 19811218  9876")->has_pnr);
	assert_true(P("AKUT KARD pat 811218 - 9876")->has_pnr);
	assert_true(P("AKUT KARD pat 811218/9876")->has_pnr);
	assert_true(P("AKUT KARD pat 811218.9876")->has_pnr);
	assert_true(P("AKUT KARD pat 81 12 18-9876")->has_pnr);
	assert_true(P("AKUT KARD pat 1981-12-18 9876")->has_pnr);
	/* 811218-9876 in mathematical bold and in Devanagari digits. */
	assert_true(P("AKUT KARD pat \U0001D7D6\U0001D7CF\U0001D7CF"
	    "\U0001D7D0\U0001D7CF\U0001D7D6-\U0001D7D7\U0001D7D6"
	    "\U0001D7D5\U0001D7D4")->has_pnr);
	assert_true(P("AKUT KARD pat \u096E\u0967\u0967\u0968\u0967\u096E"
	    "\u2011\u096F\u096E\u096D\u096C")->has_pnr);
	/* In a comment after OK, and in KONTAKT. */
	assert_true(P("OK 1 pat 811218  9876")->has_pnr);
	assert_true(P("KONTAKT 811218  9876")->has_pnr);
	/* Before and after the callback is scanned. */
	c = P("AKUT 121212-1212 0701740607 x");
	assert_string_equal(c->callback, "+46701740607");
	assert_true(c->has_pnr);
	c = P("AKUT KARD 0701740607 121212 1212");
	assert_true(c->has_pnr);
	/* A wrong check digit is no identity number. */
	assert_false(P("AKUT KARD pat 811218-9875")->has_pnr);
}

static void
test_request_long_input(void **state)
{
	const size_t		 n = 100 * 1024;
	char			*msg;
	const struct sms_cmd	*c;
	size_t			 i;

	msg = malloc(n + 1);
	assert_non_null(msg);
	memcpy(msg, "AKUT KARD ", 10);
	for (i = 10; i < n; i++)
		msg[i] = "åäö x y"[i % 7];
	msg[n] = '\0';
	/* Start and end on whole characters. */
	memcpy(msg + 10, "start ", 6);
	memcpy(msg + n - 12, " 121212-1212", 12);
	c = P(msg);
	assert_int_equal(c->verb, SMS_REQUEST);
	assert_string_equal(c->units[0], "KARD");
	assert_true(strlen(c->text) > SMS_TEXT_MAX - 24);
	assert_true(strncmp(c->text, "start ", 6) == 0);
	/* Text past SMS_TEXT_MAX is never read, stored nor paged. */
	assert_false(c->has_pnr);
	/* A number at the very end of what is read is found. */
	memcpy(msg + SMS_TEXT_MAX - 40, " 121212-1212 ", 13);
	assert_true(P(msg)->has_pnr);
	free(msg);
}

static void
test_kontakt(void **state)
{
	const struct sms_cmd	*c;

	c = good("KONTAKT kardiologi Falun", SMS_KONTAKT);
	assert_string_equal(c->text, "kardiologi Falun");
	assert_string_equal(c->keyword, "KONTAKT");
	c = good("info  Orsa   vc", SMS_KONTAKT);
	assert_string_equal(c->text, "Orsa vc");
	assert_string_equal(c->keyword, "INFO");
	c = good("Nr Mora.", SMS_KONTAKT);
	assert_string_equal(c->text, "Mora");
	c = bad("KONTAKT", SMS_KONTAKT);
	assert_string_equal(c->text, "");
	bad("kontakt   .", SMS_KONTAKT);
}

static void
test_status(void **state)
{
	assert_int_equal(good("STATUS", SMS_STATUS)->consult, 0);
	assert_int_equal(good("status 12", SMS_STATUS)->consult, 12);
	assert_int_equal(good("Status #12", SMS_STATUS)->consult, 12);
	assert_int_equal(good("STATUS 12.", SMS_STATUS)->consult, 12);
	assert_int_equal(good("STATUS 123456789012345", SMS_STATUS)->consult,
	    123456789012345LL);
	assert_int_equal(bad("STATUS abc", SMS_STATUS)->consult, 0);
	bad("STATUS 0", SMS_STATUS);
	bad("STATUS 12a", SMS_STATUS);
	bad("STATUS 9999999999999999999999", SMS_STATUS);
	bad("STATUS #", SMS_STATUS);
}

static void
test_avbryt(void **state)
{
	const struct sms_cmd	*c;

	c = good("AVBRYT 12", SMS_AVBRYT);
	assert_int_equal(c->consult, 12);
	assert_string_equal(c->keyword, "AVBRYT");
	c = good("cancel #7", SMS_AVBRYT);
	assert_int_equal(c->consult, 7);
	assert_string_equal(c->keyword, "CANCEL");
	assert_int_equal(good("Avbryt 7 fel enhet", SMS_AVBRYT)->consult, 7);
	assert_int_equal(bad("AVBRYT", SMS_AVBRYT)->consult, 0);
	assert_int_equal(bad("AVBRYT x", SMS_AVBRYT)->consult, 0);
	bad("AVBRYT.", SMS_AVBRYT);
	bad("AVBRYT -3", SMS_AVBRYT);
}

static void
test_ok(void **state)
{
	const struct sms_cmd	*c;

	c = good("OK", SMS_OK);
	assert_int_equal(c->code, 0);
	assert_string_equal(c->keyword, "OK");
	assert_int_equal(good("ok 3", SMS_OK)->code, 3);
	assert_int_equal(good("Ok #3", SMS_OK)->code, 3);
	assert_int_equal(good("OK 3.", SMS_OK)->code, 3);
	assert_int_equal(good("ok.", SMS_OK)->code, 0);
	assert_int_equal(good("OK, 3", SMS_OK)->code, 3);
	assert_int_equal(good("OK 3, ringer", SMS_OK)->code, 3);
	assert_int_equal(good("OK 9999", SMS_OK)->code, 9999);
	assert_int_equal(good("  OK   3  ", SMS_OK)->code, 3);
	assert_int_equal(good("OK 3 ringer nu", SMS_OK)->code, 3);
	assert_int_equal(good("OK 3. Ringer nu", SMS_OK)->code, 3);
	assert_int_equal(good("OK: 3", SMS_OK)->code, 3);
	assert_int_equal(good("OK ringer nu", SMS_OK)->code, 0);
	assert_int_equal(good("OK #", SMS_OK)->code, 0);
	c = good("Ja 3", SMS_OK);
	assert_int_equal(c->code, 3);
	assert_string_equal(c->keyword, "JA");
	c = good("kvitt 12", SMS_OK);
	assert_int_equal(c->code, 12);
	assert_string_equal(c->keyword, "KVITT");

	assert_int_equal(bad("OK 12345", SMS_OK)->code, 0);
	bad("OK 0", SMS_OK);
	bad("OK 3a", SMS_OK);
	bad("OK #3x", SMS_OK);
	/* A negative number is a malformed code, never a comment. */
	bad("OK -1", SMS_OK);
	bad("NEJ -12", SMS_NEJ);
	assert_int_equal(good("OK - ringer", SMS_OK)->code, 0);
}

static void
test_ok_pnr(void **state)
{
	const struct sms_cmd	*c;

	c = P("OK 3 pat 121212-1212");
	assert_int_equal(c->verb, SMS_OK);
	assert_int_equal(c->code, 3);
	assert_true(c->has_pnr);
	assert_true(P("NEJ 811218-9876")->has_pnr);
	assert_true(P("KONTAKT 121212-1212")->has_pnr);
	assert_true(P("STATUS 19121212-1212")->has_pnr);
	assert_true(P("HJÄLP 121212-1212")->has_pnr);
	assert_true(P("JOUR KARD 121212 1212")->has_pnr);
	assert_false(P("OK 3 ring 070-174 06 05")->has_pnr);
}

static void
test_nej(void **state)
{
	const struct sms_cmd	*c;

	c = good("NEJ", SMS_NEJ);
	assert_int_equal(c->code, 0);
	assert_string_equal(c->keyword, "NEJ");
	assert_int_equal(good("nej 2", SMS_NEJ)->code, 2);
	c = good("avböj 2", SMS_NEJ);
	assert_int_equal(c->code, 2);
	assert_string_equal(c->keyword, "AVBOJ");
	assert_int_equal(good("AVBÖJ", SMS_NEJ)->code, 0);
	assert_int_equal(good("AVBOJ #4 upptagen i op", SMS_NEJ)->code, 4);
	assert_int_equal(good("Nej upptagen", SMS_NEJ)->code, 0);
	bad("NEJ 00000", SMS_NEJ);
}

static void
test_klar(void **state)
{
	const struct sms_cmd	*c;

	c = good("KLAR", SMS_KLAR);
	assert_int_equal(c->code, 0);
	assert_string_equal(c->outcome, "");
	assert_string_equal(c->keyword, "KLAR");
	c = good("klar 3", SMS_KLAR);
	assert_int_equal(c->code, 3);
	assert_string_equal(c->outcome, "");
	c = good("KLAR 3 INL", SMS_KLAR);
	assert_int_equal(c->code, 3);
	assert_string_equal(c->outcome, "INL");
	c = good("KLAR INL 3", SMS_KLAR);
	assert_int_equal(c->code, 3);
	assert_string_equal(c->outcome, "INL");
	c = good("klar #3 hem.", SMS_KLAR);
	assert_int_equal(c->code, 3);
	assert_string_equal(c->outcome, "HEM");
	c = good("Klar rad", SMS_KLAR);
	assert_int_equal(c->code, 0);
	assert_string_equal(c->outcome, "RAD");
	/* MDK is a track keyword and, after KLAR, an outcome. */
	c = good("KLAR 3 MDK", SMS_KLAR);
	assert_string_equal(c->outcome, "MDK");
	assert_int_equal(c->track, -1);
	c = good("KLAR 3 akm pat skickad till akuten", SMS_KLAR);
	assert_string_equal(c->outcome, "AKM");
	c = good("KLAR 3 ringer nu", SMS_KLAR);
	assert_int_equal(c->code, 3);
	assert_string_equal(c->outcome, "");
	c = good("KLAR INL, 3", SMS_KLAR);
	assert_string_equal(c->outcome, "INL");
	assert_int_equal(c->code, 3);
	c = good("KLAR INL RAD", SMS_KLAR);
	assert_string_equal(c->outcome, "INL");
	assert_int_equal(c->code, 0);
}

static void
test_klar_errors(void **state)
{
	const struct sms_cmd	*c;

	c = bad("KLAR 3 XYZ", SMS_KLAR);
	assert_string_equal(c->error, "okänd utfallskod: XYZ");
	assert_string_equal(c->outcome, "");
	assert_int_equal(c->code, 3);
	c = bad("KLAR inll", SMS_KLAR);
	assert_string_equal(c->error, "okänd utfallskod: INLL");
	bad("KLAR 3 4", SMS_KLAR);
	bad("KLAR 12345 INL", SMS_KLAR);
	c = bad("KLAR 3 121212-1212", SMS_KLAR);
	assert_true(c->has_pnr);
	assert_string_equal(c->error, "okänd utfallskod: XXXXXX-XXXX");
}

static void
test_jour(void **state)
{
	const struct sms_cmd	*c;

	c = good("JOUR KARD", SMS_JOUR);
	assert_int_equal(c->nunits, 1);
	assert_string_equal(c->units[0], "KARD");
	assert_string_equal(c->role, "");
	assert_string_equal(c->keyword, "JOUR");
	c = good("jour kard bakjour", SMS_JOUR);
	assert_string_equal(c->units[0], "kard");
	assert_string_equal(c->role, "bakjour");
	c = good("Jour Ögon primary.", SMS_JOUR);
	assert_string_equal(c->units[0], "Ögon");
	assert_string_equal(c->role, "primary");
	c = bad("JOUR", SMS_JOUR);
	assert_int_equal(c->nunits, 0);
	bad("jour.", SMS_JOUR);
}

static void
test_ctx_variants(void **state)
{
	struct parse_ctx	small;

	/* Without a configuration only the fixed commands exist. */
	parse_sms("AKUT KARD x", NULL, &cmd);
	assert_int_equal(cmd.verb, SMS_UNKNOWN);
	parse_sms("OK 3", NULL, &cmd);
	assert_int_equal(cmd.verb, SMS_OK);
	assert_int_equal(cmd.code, 3);
	parse_sms("KLAR 3 INL", NULL, &cmd);
	assert_string_equal(cmd.outcome, "");
	assert_true(cmd.error[0] != '\0');

	/* Only the tracks counted in ntracks are matched. */
	small = ctx;
	small.ntracks = 2;
	parse_sms("MDK KARD x", &small, &cmd);
	assert_int_equal(cmd.verb, SMS_UNKNOWN);
	parse_sms("semi KARD x", &small, &cmd);
	assert_int_equal(cmd.verb, SMS_REQUEST);

	/* Nonsense counts are clamped, not trusted. */
	small = ctx;
	small.ntracks = 1000;
	small.noutcomes = 1000;
	small.tracks[0].nkeywords = 1000;
	parse_sms("AKUT KARD x", &small, &cmd);
	assert_int_equal(cmd.verb, SMS_REQUEST);
	parse_sms("KLAR HEM", &small, &cmd);
	assert_string_equal(cmd.outcome, "HEM");

	/* Keywords given in lower case still match. */
	small = ctx;
	snprintf(small.tracks[3].keywords[0], WORD_MAX, "%s", "vård");
	parse_sms("VARD Orsa x", &small, &cmd);
	assert_int_equal(cmd.verb, SMS_REQUEST);
	assert_int_equal(cmd.track, 3);
}

static void
test_verb_names(void **state)
{
	assert_string_equal(parse_verb_name(SMS_EMPTY), "empty");
	assert_string_equal(parse_verb_name(SMS_UNKNOWN), "unknown");
	assert_string_equal(parse_verb_name(SMS_REQUEST), "request");
	assert_string_equal(parse_verb_name(SMS_KONTAKT), "kontakt");
	assert_string_equal(parse_verb_name(SMS_STATUS), "status");
	assert_string_equal(parse_verb_name(SMS_AVBRYT), "avbryt");
	assert_string_equal(parse_verb_name(SMS_HJALP), "hjalp");
	assert_string_equal(parse_verb_name(SMS_OK), "ok");
	assert_string_equal(parse_verb_name(SMS_NEJ), "nej");
	assert_string_equal(parse_verb_name(SMS_KLAR), "klar");
	assert_string_equal(parse_verb_name(SMS_JOUR), "jour");
	assert_string_equal(parse_verb_name((enum sms_verb)99), "invalid");
}

/* Odd bytes anywhere never break the parser or its output. */
/* The one rule for unit codes, of the directory and the configuration. */
static void
test_unit_code(void **state)
{
	char	out[UNIT_MAX];

	assert_true(parse_unit_code("KARD", out));
	assert_string_equal(out, "KARD");
	assert_true(parse_unit_code("pv_natt2", out));
	assert_string_equal(out, "PV_NATT2");
	assert_false(parse_unit_code("PV-NATT", out));
	assert_false(parse_unit_code("ÖNH", out));
	assert_false(parse_unit_code("KA RD", out));
	assert_false(parse_unit_code("", out));
	memset(out, 'A', sizeof(out) - 1);
	out[sizeof(out) - 1] = '\0';
	assert_true(parse_unit_code(out, out));
	{
		char	big[UNIT_MAX + 1];

		memset(big, 'A', UNIT_MAX);
		big[UNIT_MAX] = '\0';
		assert_false(parse_unit_code(big, out));
	}
}

/* The one rule for role names: lower-cased, a-z, 0-9, '_' and '-'. */
static void
test_role_name(void **state)
{
	char	out[ROLE_MAX], big[ROLE_MAX + 1];

	assert_true(parse_role_name("Primary", out));
	assert_string_equal(out, "primary");
	assert_true(parse_role_name("back-up_2", out));
	assert_string_equal(out, "back-up_2");
	assert_false(parse_role_name("pri mary", out));
	assert_false(parse_role_name("överläkare", out));
	assert_false(parse_role_name("", out));
	memset(big, 'a', ROLE_MAX);
	big[ROLE_MAX] = '\0';
	assert_false(parse_role_name(big, out));
	big[ROLE_MAX - 1] = '\0';
	assert_true(parse_role_name(big, out));
}

static void
test_garbage(void **state)
{
	static const char	*const inputs[] = {
		"\xC3", "OK \xC3", "AKUT \xC3\xA5\xC3", "MDK ,,,,,,,,,,",
		"MDK \xFF,\xFE text", "KLAR \xF0\x9F\x98\x80", "\x01\x02\x03",
		"AKUT KARD \xED\xA0\x80", ",", "#", "OK ##3", "JOUR \xC3\xA5",
		"AKUT\tKARD\vx", "KONTAKT \x7F",
	};
	size_t			 i;

	for (i = 0; i < nitems(inputs); i++)
		P(inputs[i]);
	assert_int_equal(P("MDK \xFF,\xFE text")->nunits, 2);
	assert_string_equal(cmd.units[0], "\xEF\xBF\xBD");	/* U+FFFD */
	assert_int_equal(P("AKUT\tKARD\vx")->verb, SMS_REQUEST);
	assert_string_equal(cmd.text, "x");
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_unit_code),
		cmocka_unit_test(test_role_name),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_unknown_pnr_not_echoed),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_request_tracks),
		cmocka_unit_test(test_request_text),
		cmocka_unit_test(test_request_callback),
		cmocka_unit_test(test_request_no_callback),
		cmocka_unit_test(test_request_missing_unit),
		cmocka_unit_test(test_request_one_unit_only),
		cmocka_unit_test(test_request_mdk_lists),
		cmocka_unit_test(test_request_long_unit),
		cmocka_unit_test(test_request_pnr),
		cmocka_unit_test(test_request_long_input),
		cmocka_unit_test(test_kontakt),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_avbryt),
		cmocka_unit_test(test_ok),
		cmocka_unit_test(test_ok_pnr),
		cmocka_unit_test(test_nej),
		cmocka_unit_test(test_klar),
		cmocka_unit_test(test_klar_errors),
		cmocka_unit_test(test_jour),
		cmocka_unit_test(test_ctx_variants),
		cmocka_unit_test(test_verb_names),
		cmocka_unit_test(test_garbage),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
