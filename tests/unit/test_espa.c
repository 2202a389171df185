/*
 * test_espa.c — ESPA 4.4.4 framing: the bytes jourd sends, page texts, the
 * parser of what the paging system sends, and the serial line settings.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "espa.h"

#define SOH "\x01"
#define STX "\x02"
#define ETX "\x03"
#define EOT "\x04"
#define ENQ "\x05"
#define ACK "\x06"
#define NAK "\x15"
#define RS "\x1E"
#define US "\x1F"

/* One parse: every result of feeding len bytes of s in pieces of step. */
struct run {
	struct espa_event	 ev[64];
	size_t			 n;
};

static void
feed_steps(struct espa_parser *p, const void *s, size_t len, size_t step,
    struct run *r)
{
	const uint8_t		*b = s;
	struct espa_event	 ev;
	size_t			 off = 0, piece, used, calls = 0;

	while (off < len) {
		piece = len - off < step ? len - off : step;
		used = espa_feed(p, b + off, piece, &ev);
		assert_true(used <= piece);
		/* Progress: a call that consumes nothing has a result. */
		if (used == 0)
			assert_int_not_equal(ev.type, ESPA_R_NONE);
		off += used;
		if (ev.type != ESPA_R_NONE) {
			assert_true(r->n < nitems(r->ev));
			r->ev[r->n++] = ev;
		}
		assert_true(++calls <= 2 * len + 2);
	}
}

/* Feeds a whole byte string to a fresh parser, in one piece. */
static struct run
parse(const void *s, size_t len)
{
	struct espa_parser	 p;
	struct run		 r;

	memset(&r, 0, sizeof(r));
	espa_init(&p);
	feed_steps(&p, s, len, len, &r);
	return r;
}

#define PARSE(lit) parse(lit, sizeof(lit) - 1)

/*
 * A status block for call and code with its BCC worked out here, apart
 * from espa_bcc(), so the two are checked against each other.
 */
static size_t
status_block(uint8_t *buf, const char *call, const char *code)
{
	size_t	n = 0, i;
	uint8_t	x = 0;

	n = (size_t)snprintf((char *)buf, 64, SOH "2" STX "1" US "%s" RS "7" US
	    "%s" ETX, call, code);
	for (i = 1; i < n; i++)
		x ^= buf[i];
	buf[n++] = x;
	return n;
}

/* --- builders --------------------------------------------------------- */

static void
test_page_block_bytes(void **state)
{
	uint8_t		buf[ESPA_PAGE_MAX];
	size_t		n;
	/*
	 * Call address 42, text "OK 3", priority 1. The BCC is the XOR of the
	 * bytes after SOH up to and including ETX, step by step:
	 *   31 ^ 02 = 33   ^ 31 = 02   ^ 1F = 1D   ^ 34 = 29   ^ 32 = 1B
	 *   ^ 1E = 05   ^ 32 = 37   ^ 1F = 28   ^ 4F = 67   ^ 4B = 2C
	 *   ^ 20 = 0C   ^ 33 = 3F   ^ 1E = 21   ^ 34 = 15   ^ 1F = 0A
	 *   ^ 33 = 39   ^ 1E = 27   ^ 36 = 11   ^ 1F = 0E   ^ 31 = 3F
	 *   ^ 03 = 3C
	 */
	static const uint8_t	want[] = {
		0x01,				/* SOH */
		0x31, 0x02,			/* header 1, STX */
		0x31, 0x1F, 0x34, 0x32,		/* 1 US 42 */
		0x1E, 0x32, 0x1F,		/* RS 2 US */
		0x4F, 0x4B, 0x20, 0x33,		/* OK 3 */
		0x1E, 0x34, 0x1F, 0x33,		/* RS 4 US 3 */
		0x1E, 0x36, 0x1F, 0x31,		/* RS 6 US 1 */
		0x03, 0x3C,			/* ETX, BCC */
	};

	n = espa_build_page(buf, sizeof(buf), "42", (const uint8_t *)"OK 3",
	    4, 1);
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(espa_bcc(want + 1, sizeof(want) - 2), 0x3C);
}

static void
test_page_block_priority_and_text(void **state)
{
	uint8_t		buf[ESPA_PAGE_MAX], text[ESPA_TEXT_MAX];
	size_t		n, tn;

	/* Latin 1 bytes of the encoded text go out as they are. */
	tn = espa_encode(text, sizeof(text), "AKUT Älvdalen", 14, ESPA_LATIN1,
	    NULL);
	n = espa_build_page(buf, sizeof(buf), "1234567890123456", text, tn, 3);
	assert_true(n > 0);
	assert_memory_equal(buf, SOH "1" STX "1" US "1234567890123456" RS "2"
	    US "AKUT \xC4lvdalen" RS "4" US "3" RS "6" US "3" ETX, n - 1);
	assert_int_equal(buf[n - 1], espa_bcc(buf + 1, n - 2));

	/* A full 128-character text fits ESPA_PAGE_MAX. */
	memset(text, 'x', sizeof(text));
	n = espa_build_page(buf, sizeof(buf), "1234567890123456", text,
	    ESPA_TEXT_MAX, 9);
	assert_true(n > ESPA_TEXT_MAX && n <= ESPA_PAGE_MAX);
}

static void
test_page_block_refuses(void **state)
{
	uint8_t		buf[ESPA_PAGE_MAX], text[ESPA_TEXT_MAX + 1];
	const uint8_t	*t = (const uint8_t *)"OK 3";

	assert_int_equal(espa_build_page(buf, sizeof(buf), "", t, 4, 1), 0);
	assert_int_equal(espa_build_page(buf, sizeof(buf), "12345678901234567",
	    t, 4, 1), 0);
	assert_int_equal(espa_build_page(buf, sizeof(buf), "12a", t, 4, 1), 0);
	assert_int_equal(espa_build_page(buf, sizeof(buf), NULL, t, 4, 1), 0);
	assert_int_equal(espa_build_page(buf, sizeof(buf), "42", t, 0, 1), 0);
	assert_int_equal(espa_build_page(buf, sizeof(buf), "42", t, 4, 0), 0);
	assert_int_equal(espa_build_page(buf, sizeof(buf), "42", t, 4, 10), 0);
	/* A control character would break the framing: never sent. */
	assert_int_equal(espa_build_page(buf, sizeof(buf), "42",
	    (const uint8_t *)"OK" ETX "3", 4, 1), 0);
	assert_int_equal(espa_build_page(buf, sizeof(buf), "42",
	    (const uint8_t *)"OK\x7F" "3", 4, 1), 0);
	memset(text, 'x', sizeof(text));
	assert_int_equal(espa_build_page(buf, sizeof(buf), "42", text,
	    ESPA_TEXT_MAX + 1, 1), 0);
	/* Too small a buffer: nothing, not a cut block. */
	assert_int_equal(espa_build_page(buf, 20, "42", t, 4, 1), 0);
	assert_int_equal(espa_build_page(buf, 23, "42", t, 4, 1), 0);
	assert_int_equal(espa_build_page(buf, 24, "42", t, 4, 1), 24);
}

static void
test_select_poll_ack_eot(void **state)
{
	uint8_t		buf[8];

	assert_int_equal(espa_build_select(buf, sizeof(buf), '1', '2'), 5);
	assert_memory_equal(buf, EOT "1" ENQ "2" ENQ, 5);
	assert_int_equal(espa_build_select(buf, sizeof(buf), '7', '0'), 5);
	assert_memory_equal(buf, EOT "7" ENQ "0" ENQ, 5);
	assert_int_equal(espa_build_call(buf, sizeof(buf), '2'), 3);
	assert_memory_equal(buf, EOT "2" ENQ, 3);
	assert_int_equal(espa_build_ack(buf, sizeof(buf)), 1);
	assert_int_equal(buf[0], 0x06);
	assert_int_equal(espa_build_eot(buf, sizeof(buf)), 1);
	assert_int_equal(buf[0], 0x04);

	assert_int_equal(espa_build_select(buf, sizeof(buf), 'a', '2'), 0);
	assert_int_equal(espa_build_select(buf, sizeof(buf), '1', '1'), 0);
	assert_int_equal(espa_build_select(buf, 4, '1', '2'), 0);
	assert_int_equal(espa_build_call(buf, sizeof(buf), '/'), 0);
	assert_int_equal(espa_build_call(buf, 2, '2'), 0);
	assert_int_equal(espa_build_ack(buf, 0), 0);
	assert_int_equal(espa_build_eot(buf, 0), 0);
}

static void
test_call_valid(void **state)
{
	assert_true(espa_call_valid("1"));
	assert_true(espa_call_valid("0123456789012345"));
	assert_false(espa_call_valid(""));
	assert_false(espa_call_valid(NULL));
	assert_false(espa_call_valid("01234567890123456"));
	assert_false(espa_call_valid("12 3"));
	assert_false(espa_call_valid("+4670"));
	assert_false(espa_call_valid("\xD9\xA1"));	/* Arabic-Indic one */
}

/* --- page texts --------------------------------------------------------- */

static void
encode_is(const char *in, enum espa_charset cs, const char *want)
{
	uint8_t	out[ESPA_TEXT_MAX];
	size_t	n;
	bool	cut = true;

	n = espa_encode(out, sizeof(out), in, strlen(in), cs, &cut);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(out, want, n);
	assert_false(cut);
}

static void
test_encode_ascii_folds(void **state)
{
	encode_is("å ä ö Å Ä Ö é", ESPA_ASCII, "a a o A A O e");
	encode_is("AKUT KARD Älvdalens vårdcentral, ring 070-174 06 05",
	    ESPA_ASCII, "AKUT KARD Alvdalens vardcentral, ring 070-174 06 05");
	encode_is("Ünal Çelik ñ ø ÿ", ESPA_ASCII, "Unal Celik n o y");
	/* No plain letter: replaced, one character for one. */
	encode_is("Æ ß €", ESPA_ASCII, "? ? ?");
}

static void
test_encode_latin1(void **state)
{
	encode_is("å ä ö Å Ä Ö é", ESPA_LATIN1,
	    "\xE5 \xE4 \xF6 \xC5 \xC4 \xD6 \xE9");
	encode_is("Æ ß ×", ESPA_LATIN1, "\xC6 \xDF \xD7");
	/* Outside Latin 1: the euro sign, an emoji, a CJK character. */
	encode_is("€ 😀 中", ESPA_LATIN1, "? ? ?");
	/* A no-break space is Latin 1; the soft hyphen too. */
	encode_is("a\xC2\xA0" "b", ESPA_LATIN1, "a\xA0" "b");
}

static void
test_encode_controls_and_quotes(void **state)
{
	uint8_t	out[ESPA_TEXT_MAX];
	size_t	n, i;
	/* Every C0 control, DEL, a C1 control (U+0085) and U+2028. */
	char	in[64];

	for (i = 0; i < 32; i++)
		in[i] = (char)(i == 0 ? 0x01 : i);
	in[0] = '\0';
	memcpy(in + 32, "\x7F\xC2\x85\xE2\x80\xA8", 6);
	n = espa_encode(out, sizeof(out), in, 38, ESPA_LATIN1, NULL);
	/* NUL is read as a control, not as the end. */
	assert_int_equal(n, 35);
	for (i = 0; i < n; i++)
		assert_int_equal(out[i], ' ');

	encode_is("ring\r\nmig\tnu", ESPA_ASCII, "ring  mig nu");
	encode_is("\xE2\x80\x9C" "OK\xE2\x80\x9D \xE2\x80\x93 \xE2\x80\x99",
	    ESPA_ASCII, "\"OK\" - '");
	/* Invalid UTF-8: one '?' for each byte that is no character. */
	encode_is("a\xFF" "b\xC3", ESPA_LATIN1, "a?b?");
	encode_is("\xE2\x82", ESPA_ASCII, "??");
}

static void
test_encode_limit(void **state)
{
	char	in[600];
	uint8_t	out[ESPA_TEXT_MAX + 10];
	size_t	n, i;
	bool	cut;

	memset(in, 'a', sizeof(in));
	n = espa_encode(out, sizeof(out), in, 128, ESPA_ASCII, &cut);
	assert_int_equal(n, 128);
	assert_false(cut);
	n = espa_encode(out, sizeof(out), in, 129, ESPA_ASCII, &cut);
	assert_int_equal(n, 128);
	assert_true(cut);

	/* 200 times ö: 400 bytes of UTF-8, 128 characters on the pager. */
	for (i = 0; i < 200; i++)
		memcpy(in + 2 * i, "\xC3\xB6", 2);
	n = espa_encode(out, sizeof(out), in, 400, ESPA_LATIN1, &cut);
	assert_int_equal(n, 128);
	assert_true(cut);
	for (i = 0; i < n; i++)
		assert_int_equal(out[i], 0xF6);

	/* A smaller buffer bounds it too. */
	n = espa_encode(out, 5, in, 400, ESPA_ASCII, &cut);
	assert_int_equal(n, 5);
	assert_true(cut);
	assert_int_equal(espa_encode(out, 0, in, 400, ESPA_ASCII, &cut), 0);
	assert_true(cut);
	assert_int_equal(espa_encode(out, 5, in, 0, ESPA_ASCII, &cut), 0);
	assert_false(cut);
}

static void
test_cut(void **state)
{
	const char	*s = "åäö abc";
	char		 big[300];
	uint8_t		 out[ESPA_TEXT_MAX];
	size_t		 i, b;

	assert_int_equal(espa_cut(s, strlen(s), 0), 0);
	assert_int_equal(espa_cut(s, strlen(s), 1), 2);
	assert_int_equal(espa_cut(s, strlen(s), 3), 6);
	assert_int_equal(espa_cut(s, strlen(s), 4), 7);
	assert_int_equal(espa_cut(s, strlen(s), 100), strlen(s));
	/* An invalid byte is one character, as espa_encode counts it. */
	assert_int_equal(espa_cut("\xFF\xFF" "a", 3, 2), 2);
	/* A truncated sequence at the end is not read past len. */
	assert_int_equal(espa_cut("a\xC3\xB6", 2, 5), 2);

	/* What espa_cut keeps encodes to exactly that many characters. */
	for (i = 0; i < 100; i++)
		memcpy(big + 3 * i, i % 2 ? "\xE2\x82\xAC" : "\xC3\xA5" "a", 3);
	for (i = 0; i <= 140; i++) {
		b = espa_cut(big, sizeof(big), i);
		assert_int_equal(espa_encode(out, sizeof(out), big, b,
		    ESPA_LATIN1, NULL), i < 128 ? i : 128);
	}
}

static void
test_charset_fits(void **state)
{
	assert_true(espa_charset_fits(ESPA_ASCII, 7));
	assert_true(espa_charset_fits(ESPA_ASCII, 8));
	assert_true(espa_charset_fits(ESPA_LATIN1, 8));
	assert_false(espa_charset_fits(ESPA_LATIN1, 7));
}

/* --- the parser ------------------------------------------------------- */

static void
test_parse_single(void **state)
{
	struct run	r;

	r = PARSE(ACK);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].type, ESPA_R_ACK);
	r = PARSE(EOT);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].type, ESPA_R_EOT);
	r = PARSE(NAK);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].type, ESPA_R_NAK);
	assert_int_equal(r.ev[0].digit, -1);
	r = PARSE("1" NAK);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].type, ESPA_R_NAK);
	assert_int_equal(r.ev[0].digit, 1);
	r = PARSE("5" NAK);
	assert_int_equal(r.ev[0].digit, 5);
	r = PARSE("1" ENQ);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].type, ESPA_R_ENQ);
	assert_int_equal(r.ev[0].digit, 1);
	r = PARSE(ENQ);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].type, ESPA_R_ENQ);
	assert_int_equal(r.ev[0].digit, -1);
	r = PARSE("2" ACK);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].type, ESPA_R_ACK);
	/* Nothing yet: a digit waits for what follows it. */
	r = PARSE("1");
	assert_int_equal(r.n, 0);
}

static void
test_parse_status(void **state)
{
	static const struct {
		const char		*code;
		int			 num;
		enum espa_status	 st;
	} cases[] = {
		{ "3", 3, ESPA_ST_PAGED },
		{ "4", 4, ESPA_ST_ABSENT },
		{ "6", 6, ESPA_ST_ACKED },
		{ "8", 8, ESPA_ST_FAULT },
		{ "5", 5, ESPA_ST_UNKNOWN },
		{ "0", 0, ESPA_ST_UNKNOWN },
		{ "12", 12, ESPA_ST_UNKNOWN },
	};
	uint8_t		buf[64];
	struct run	r;
	size_t		i, n;

	for (i = 0; i < nitems(cases); i++) {
		n = status_block(buf, "4711", cases[i].code);
		r = parse(buf, n);
		assert_int_equal(r.n, 1);
		assert_int_equal(r.ev[0].type, ESPA_R_STATUS);
		assert_string_equal(r.ev[0].call, "4711");
		assert_int_equal(r.ev[0].code, cases[i].num);
		assert_int_equal(r.ev[0].status, cases[i].st);
	}
	assert_string_equal(espa_status_name(ESPA_ST_PAGED), "paged");
	assert_string_equal(espa_status_name(ESPA_ST_ABSENT), "absent");
	assert_string_equal(espa_status_name(ESPA_ST_ACKED), "acknowledged");
	assert_string_equal(espa_status_name(ESPA_ST_FAULT), "fault");
	assert_string_equal(espa_status_name(ESPA_ST_UNKNOWN), "unknown");
}

static void
test_parse_status_hand_bcc(void **state)
{
	/*
	 * SOH 2 STX 1 US 42 RS 7 US 3 ETX: after SOH,
	 *   32 ^ 02 = 30   ^ 31 = 01   ^ 1F = 1E   ^ 34 = 2A   ^ 32 = 18
	 *   ^ 1E = 06   ^ 37 = 31   ^ 1F = 2E   ^ 33 = 1D   ^ 03 = 1E
	 */
	struct run	r;

	r = PARSE(SOH "2" STX "1" US "42" RS "7" US "3" ETX "\x1E");

	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].type, ESPA_R_STATUS);
	assert_string_equal(r.ev[0].call, "42");
	assert_int_equal(r.ev[0].status, ESPA_ST_PAGED);

	/* The records may come in either order and others are ignored. */
	r = PARSE(SOH "2" STX "7" US "6" RS "8" US "x" RS "1" US "42" ETX
	    "\x5A");
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].type, ESPA_R_STATUS);
	assert_string_equal(r.ev[0].call, "42");
	assert_int_equal(r.ev[0].status, ESPA_ST_ACKED);
}

static void
test_parse_bad_bcc(void **state)
{
	uint8_t		buf[64];
	struct run	r;
	size_t		n;

	n = status_block(buf, "42", "3");
	buf[n - 1] ^= 0x40;
	r = parse(buf, n);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].type, ESPA_R_BAD_BCC);
	/* A byte changed inside the block: the BCC no longer matches. */
	n = status_block(buf, "42", "3");
	buf[5] = '5';
	r = parse(buf, n);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].type, ESPA_R_BAD_BCC);
}

static void
test_parse_bad_block(void **state)
{
	/* Good BCCs, but not a status block jourd understands. */
	static const char *const bodies[] = {
		"1" STX "1" US "42" RS "7" US "3",	/* header 1: a page */
		"2" STX "1" US "42",			/* no status */
		"2" STX "7" US "3",			/* no call address */
		"2" STX "1" US "4a" RS "7" US "3",	/* letter in address */
		"2" STX "1" US "" RS "7" US "3",	/* empty address */
		"2" STX "1" US "12345678901234567" RS "7" US "3",
		"2" STX "1" US "42" RS "7" US "x",	/* status no number */
		"2" STX "1" US "42" RS "7" US "",
		"2" STX "1" US "42" RS "7" US "1234",
		"2" STX "1" US "42" RS "7" US "3" RS "1" US "43", /* twice */
		"2" STX "1" "42" RS "7" US "3",		/* no US */
		"2" "1" US "42" RS "7" US "3",		/* no STX */
		"",					/* nothing */
		"2",
		"2" STX,
		"2" STX "1" US "42" RS RS "7" US "3",
		"2" STX "1" US "42" US "7" US "3",
		"2" STX "1" US "42" RS "7" US "3" STX,
	};
	uint8_t		buf[64];
	struct run	r;
	size_t		i, n;

	for (i = 0; i < nitems(bodies); i++) {
		n = (size_t)snprintf((char *)buf, sizeof(buf), SOH "%s" ETX,
		    bodies[i]);
		buf[n] = espa_bcc(buf + 1, n - 1);
		r = parse(buf, n + 1);
		if (r.n != 1 || r.ev[0].type != ESPA_R_BAD_BLOCK)
			fail_msg("case %zu: %zu results, first %s", i, r.n,
			    r.n ? espa_result_name(r.ev[0].type) : "-");
	}
}

static void
test_parse_garbage(void **state)
{
	struct run	r;

	/* One result for a run of garbage; what follows it still counts. */
	r = PARSE("hello world" ACK);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[0].type, ESPA_R_GARBAGE);
	assert_int_equal(r.ev[1].type, ESPA_R_ACK);

	/* A digit not followed by ENQ, NAK or ACK is garbage; EOT survives. */
	r = PARSE("1" EOT);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[0].type, ESPA_R_GARBAGE);
	assert_int_equal(r.ev[1].type, ESPA_R_EOT);

	/* A block broken by EOT: garbage, then the EOT. */
	r = PARSE(SOH "2" STX "1" US "4" EOT);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[0].type, ESPA_R_GARBAGE);
	assert_int_equal(r.ev[1].type, ESPA_R_EOT);

	/* A block broken by a new SOH: the new block is read. */
	{
		uint8_t	buf[80];
		size_t	n;

		memcpy(buf, SOH "2" STX "1" US "9", 6);
		n = status_block(buf + 6, "42", "4");
		r = parse(buf, n + 6);
		assert_int_equal(r.n, 2);
		assert_int_equal(r.ev[0].type, ESPA_R_GARBAGE);
		assert_int_equal(r.ev[1].type, ESPA_R_STATUS);
		assert_int_equal(r.ev[1].status, ESPA_ST_ABSENT);
	}

	/* Line noise of high bytes between two ACKs. */
	r = PARSE(ACK "\xFF\xFE\x80" ACK);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.ev[0].type, ESPA_R_ACK);
	assert_int_equal(r.ev[1].type, ESPA_R_GARBAGE);
	assert_int_equal(r.ev[2].type, ESPA_R_ACK);

	/* STX, ETX or a separator out of a block is garbage too. */
	r = PARSE(ETX);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].type, ESPA_R_GARBAGE);
}

static void
test_parse_too_long(void **state)
{
	uint8_t			 buf[2 * ESPA_BLOCK_MAX];
	struct espa_parser	 p;
	struct run		 r;
	size_t			 n;

	memset(&r, 0, sizeof(r));
	espa_init(&p);
	buf[0] = ESPA_SOH;
	memcpy(buf + 1, "2" STX "1" US, 4);
	memset(buf + 5, '7', sizeof(buf) - 5);
	feed_steps(&p, buf, sizeof(buf), 7, &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].type, ESPA_R_TOO_LONG);
	/* The rest of it, its ETX and BCC are dropped without more results. */
	feed_steps(&p, "777" ETX "\x01", 5, 1, &r);
	assert_int_equal(r.n, 1);
	assert_true(p.len <= ESPA_BLOCK_MAX);
	/* Then a good block is read as usual. */
	n = status_block(buf, "42", "8");
	feed_steps(&p, buf, n, n, &r);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[1].type, ESPA_R_STATUS);
	assert_int_equal(r.ev[1].status, ESPA_ST_FAULT);

	/* An over-long block cut short by EOT: the EOT is not lost. */
	memset(&r, 0, sizeof(r));
	espa_init(&p);
	memset(buf + 5, 'x', sizeof(buf) - 5);
	feed_steps(&p, buf, sizeof(buf), sizeof(buf), &r);
	feed_steps(&p, EOT, 1, 1, &r);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[0].type, ESPA_R_TOO_LONG);
	assert_int_equal(r.ev[1].type, ESPA_R_EOT);

	/* Exactly ESPA_BLOCK_MAX bytes between SOH and ETX is still a block. */
	memset(&r, 0, sizeof(r));
	espa_init(&p);
	n = (size_t)snprintf((char *)buf, sizeof(buf), SOH "2" STX "1" US "42"
	    RS "7" US "3" RS "8" US);
	memset(buf + n, 'y', ESPA_BLOCK_MAX + 1 - n);
	n = ESPA_BLOCK_MAX + 1;
	buf[n++] = ESPA_ETX;
	buf[n] = espa_bcc(buf + 1, n - 1);
	n++;
	feed_steps(&p, buf, n, 3, &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].type, ESPA_R_STATUS);
}

static void
test_parse_enq_storm(void **state)
{
	struct espa_parser	 p;
	struct run		 r;
	size_t			 i;

	memset(&r, 0, sizeof(r));
	espa_init(&p);
	for (i = 0; i < ESPA_ENQ_STORM; i++)
		feed_steps(&p, "1" ENQ, 2, 1, &r);
	assert_int_equal(r.n, ESPA_ENQ_STORM);
	for (i = 0; i < r.n; i++)
		assert_int_equal(r.ev[i].type, ESPA_R_ENQ);
	/* One more, and every one after it, is the storm. */
	for (i = 0; i < 40; i++)
		feed_steps(&p, "1" ENQ, 2, 2, &r);
	assert_int_equal(r.n, ESPA_ENQ_STORM + 40);
	for (i = ESPA_ENQ_STORM; i < r.n; i++)
		assert_int_equal(r.ev[i].type, ESPA_R_ENQ_STORM);
	/* Anything else ends it. */
	memset(&r, 0, sizeof(r));
	feed_steps(&p, EOT "1" ENQ, 3, 3, &r);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[0].type, ESPA_R_EOT);
	assert_int_equal(r.ev[1].type, ESPA_R_ENQ);
	/* Bare ENQs storm too. */
	memset(&r, 0, sizeof(r));
	espa_init(&p);
	for (i = 0; i <= ESPA_ENQ_STORM; i++)
		feed_steps(&p, ENQ, 1, 1, &r);
	assert_int_equal(r.ev[ESPA_ENQ_STORM - 1].type, ESPA_R_ENQ);
	assert_int_equal(r.ev[ESPA_ENQ_STORM].type, ESPA_R_ENQ_STORM);
	/* An ENQ that answers a poll is no part of a run: after a storm,
	 * polls answered with 1 ENQ are answers again. */
	memset(&r, 0, sizeof(r));
	for (i = 0; i < 3 * ESPA_ENQ_STORM; i++) {
		espa_asked(&p);
		feed_steps(&p, "1" ENQ, 2, 1, &r);
	}
	assert_int_equal(r.n, 3 * ESPA_ENQ_STORM);
	for (i = 0; i < r.n; i++)
		assert_int_equal(r.ev[i].type, ESPA_R_ENQ);
}

static void
test_parse_split_feeds(void **state)
{
	uint8_t			 buf[128];
	struct espa_parser	 p;
	struct run		 r;
	size_t			 n, step;

	/* A whole poll answer: 1 ENQ, the block, EOT. */
	buf[0] = '1';
	buf[1] = ESPA_ENQ;
	n = 2 + status_block(buf + 2, "1234567890123456", "6");
	buf[n++] = ESPA_EOT;
	for (step = 1; step <= n; step++) {
		memset(&r, 0, sizeof(r));
		espa_init(&p);
		feed_steps(&p, buf, n, step, &r);
		assert_int_equal(r.n, 3);
		assert_int_equal(r.ev[0].type, ESPA_R_ENQ);
		assert_int_equal(r.ev[1].type, ESPA_R_STATUS);
		assert_string_equal(r.ev[1].call, "1234567890123456");
		assert_int_equal(r.ev[1].status, ESPA_ST_ACKED);
		assert_int_equal(r.ev[2].type, ESPA_R_EOT);
	}
}

static void
test_parse_back_to_back(void **state)
{
	uint8_t		buf[128];
	struct run	r;
	size_t		n;

	n = status_block(buf, "42", "3");
	n += status_block(buf + n, "43", "6");
	r = parse(buf, n);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[0].type, ESPA_R_STATUS);
	assert_string_equal(r.ev[0].call, "42");
	assert_int_equal(r.ev[0].status, ESPA_ST_PAGED);
	assert_int_equal(r.ev[1].type, ESPA_R_STATUS);
	assert_string_equal(r.ev[1].call, "43");
	assert_int_equal(r.ev[1].status, ESPA_ST_ACKED);
}

static void
test_parse_bcc_is_any_byte(void **state)
{
	static const uint8_t	 targets[] = {
		ESPA_SOH, ESPA_STX, ESPA_ETX, ESPA_EOT, ESPA_ENQ, ESPA_ACK,
		ESPA_NAK, ESPA_RS, ESPA_US, 0x00, 0xFF,
	};
	uint8_t			 buf[64];
	struct run		 r;
	size_t			 i, n;
	uint8_t			 c;

	/*
	 * After ETX the next byte is the BCC, whatever it is, never the start
	 * of something else. An ignored record 8 holds a byte chosen to make
	 * the BCC each control character in turn.
	 */
	for (i = 0; i < nitems(targets); i++) {
		n = (size_t)snprintf((char *)buf, sizeof(buf), SOH "2" STX "1"
		    US "42" RS "7" US "3" RS "8" US "ab" ETX);
		c = espa_bcc(buf + 1, n - 1) ^ 'b' ^ targets[i];
		if (c < 0x20 || c == 0x7F)
			c ^= 0x40, buf[n - 3] ^= 0x40;
		buf[n - 2] = c;
		buf[n] = targets[i];
		assert_int_equal(espa_bcc(buf + 1, n - 1), targets[i]);
		r = parse(buf, n + 1);
		assert_int_equal(r.n, 1);
		assert_int_equal(r.ev[0].type, ESPA_R_STATUS);
		assert_string_equal(r.ev[0].call, "42");
	}
}

static void
test_result_names(void **state)
{
	int	i, j;

	for (i = 0; i <= ESPA_R_LAST; i++) {
		assert_non_null(espa_result_name(i));
		for (j = 0; j < i; j++)
			assert_string_not_equal(espa_result_name(i),
			    espa_result_name(j));
	}
	assert_string_equal(espa_result_name(ESPA_R_BAD_BCC), "bad_bcc");
	assert_string_equal(espa_result_name(ESPA_R_LAST + 1), "?");
}

/* --- the serial line ------------------------------------------------------ */

static void
test_line(void **state)
{
	static const struct {
		long	baud;
		speed_t	speed;
	} rates[] = {
		{ 1200, B1200 }, { 2400, B2400 }, { 4800, B4800 },
		{ 9600, B9600 }, { 19200, B19200 }, { 38400, B38400 },
		{ 57600, B57600 }, { 115200, B115200 },
	};
	struct espa_line	 l;
	const char		*why;
	size_t			 i;

	for (i = 0; i < nitems(rates); i++) {
		assert_int_equal(espa_line_make(rates[i].baud, "none", 8, &l,
		    &why), 0);
		assert_int_equal(l.speed, rates[i].speed);
	}
	assert_int_equal(espa_line_make(9600, "even", 7, &l, &why), 0);
	assert_int_equal(l.cflag, CS7 | PARENB);
	assert_int_equal(l.iflag, INPCK);
	assert_int_equal(espa_line_make(9600, "odd", 8, &l, &why), 0);
	assert_int_equal(l.cflag, CS8 | PARENB | PARODD);
	assert_int_equal(l.iflag, INPCK);
	assert_int_equal(espa_line_make(9600, "none", 8, &l, &why), 0);
	assert_int_equal(l.cflag, CS8);
	assert_int_equal(l.iflag, 0);
	assert_int_equal(l.cflag & ~ESPA_LINE_CFLAGS, 0);

	why = NULL;
	assert_int_equal(espa_line_make(300, "even", 7, &l, &why), -1);
	assert_non_null(strstr(why, "baud"));
	assert_int_equal(espa_line_make(230400, "even", 7, &l, &why), -1);
	assert_int_equal(espa_line_make(9601, "even", 7, &l, &why), -1);
	assert_int_equal(espa_line_make(-9600, "even", 7, &l, &why), -1);
	assert_int_equal(espa_line_make(9600, "mark", 7, &l, &why), -1);
	assert_non_null(strstr(why, "parity"));
	/* Case does not matter, as for every word in the configuration. */
	assert_int_equal(espa_line_make(9600, "Even", 7, &l, &why), 0);
	assert_int_equal(l.cflag, CS7 | PARENB);
	assert_int_equal(espa_line_make(9600, "evens", 7, &l, &why), -1);
	assert_int_equal(espa_line_make(9600, NULL, 7, &l, &why), -1);
	assert_int_equal(espa_line_make(9600, "even", 6, &l, &why), -1);
	assert_non_null(strstr(why, "data_bits"));
	assert_int_equal(espa_line_make(9600, "even", 9, &l, NULL), -1);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_page_block_bytes),
		cmocka_unit_test(test_page_block_priority_and_text),
		cmocka_unit_test(test_page_block_refuses),
		cmocka_unit_test(test_select_poll_ack_eot),
		cmocka_unit_test(test_call_valid),
		cmocka_unit_test(test_encode_ascii_folds),
		cmocka_unit_test(test_encode_latin1),
		cmocka_unit_test(test_encode_controls_and_quotes),
		cmocka_unit_test(test_encode_limit),
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_charset_fits),
		cmocka_unit_test(test_parse_single),
		cmocka_unit_test(test_parse_status),
		cmocka_unit_test(test_parse_status_hand_bcc),
		cmocka_unit_test(test_parse_bad_bcc),
		cmocka_unit_test(test_parse_bad_block),
		cmocka_unit_test(test_parse_garbage),
		cmocka_unit_test(test_parse_too_long),
		cmocka_unit_test(test_parse_enq_storm),
		cmocka_unit_test(test_parse_split_feeds),
		cmocka_unit_test(test_parse_back_to_back),
		cmocka_unit_test(test_parse_bcc_is_any_byte),
		cmocka_unit_test(test_result_names),
		cmocka_unit_test(test_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
