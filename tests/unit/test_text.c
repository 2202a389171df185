/*
 * test_text.c — UTF-8 folding, validation and bounded copies.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "text.h"

/* U+FFFD, the replacement character, in UTF-8. */
#define R "\xEF\xBF\xBD"

static void
assert_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		assert_true((unsigned char)*s < 0x80);
}

static void
fold_is(const char *in, const char *want)
{
	char	out[128];
	size_t	n;

	n = text_fold(in, out, sizeof(out));
	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
	assert_ascii(out);
}

static void
test_fold_swedish(void **state)
{
	fold_is("å ä ö Å Ä Ö é", "A A O A A O E");
	fold_is("hjälp", "HJALP");
	fold_is("HJÄLP", "HJALP");
	fold_is("Avböj", "AVBOJ");
	fold_is("ögon", "OGON");
	fold_is("Älvdalen", "ALVDALEN");
}

static void
test_fold_latin(void **state)
{
	fold_is("áàâ", "AAA");
	fold_is("óòôø", "OOOO");
	fold_is("èêë", "EEE");
	fold_is("üúùû", "UUUU");
	fold_is("íìîï", "IIII");
	fold_is("çñýÿ", "CNYY");
	fold_is("ÇÑÝ", "CNY");
}

static void
test_fold_ascii(void **state)
{
	fold_is("akut KARD 070-1234567!", "AKUT KARD 070-1234567!");
	fold_is("?", "?");
	fold_is("", "");
	fold_is("#12 a\tb", "#12 A\tB");
}

static void
test_fold_other_and_invalid(void **state)
{
	fold_is("æß", "??");		/* no base letter */
	fold_is("€", "?");		/* three bytes, one code point */
	fold_is("\xF0\x9F\x98\x80", "?");	/* emoji */
	fold_is("a\xFFz", "A?Z");	/* stray byte */
	fold_is("\xC0\xAF", "??");	/* overlong '/' */
	fold_is("\xED\xA0\x80", "???");	/* surrogate */
	fold_is("\xF4\x90\x80\x80", "????");	/* above U+10FFFF */
	fold_is("ok\xC3", "OK?");	/* truncated sequence at the end */
	fold_is("\xC3(", "?(");		/* lead byte without continuation */
}

static void
test_fold_bounds(void **state)
{
	char	out[8];

	memset(out, 'Z', sizeof(out));
	assert_int_equal(text_fold("abcdef", out, 4), 3);
	assert_string_equal(out, "ABC");
	assert_int_equal(out[4], 'Z');

	assert_int_equal(text_fold("åäö", out, 3), 2);
	assert_string_equal(out, "AA");

	assert_int_equal(text_fold("abc", out, 1), 0);
	assert_string_equal(out, "");

	memset(out, 'Z', sizeof(out));
	assert_int_equal(text_fold("abc", out, 0), 0);
	assert_int_equal(out[0], 'Z');
}

static void
test_fold_n(void **state)
{
	char	out[16];

	assert_int_equal(text_fold_n("akuta", 4, out, sizeof(out)), 4);
	assert_string_equal(out, "AKUT");
	/* Cutting inside "ä" gives '?', never a read past the limit. */
	assert_int_equal(text_fold_n("hä", 2, out, sizeof(out)), 2);
	assert_string_equal(out, "H?");
	/* A NUL ends the input even when inlen is larger. */
	assert_int_equal(text_fold_n("ok\0zz", 5, out, sizeof(out)), 2);
	assert_string_equal(out, "OK");
}

static void
test_equal_folded(void **state)
{
	assert_true(text_equal_folded("Hjälp", "HJALP"));
	assert_true(text_equal_folded("avböj", "AVBÖJ"));
	assert_true(text_equal_folded("", ""));
	assert_false(text_equal_folded("AKUT", "AKUTA"));
	assert_false(text_equal_folded("AKUTA", "AKUT"));
	assert_false(text_equal_folded("KARD", "KARF"));
	assert_false(text_equal_folded("", "A"));
	assert_false(text_equal_folded(NULL, "A"));
	assert_true(text_equal_folded(NULL, NULL));
}

static void
test_valid_utf8(void **state)
{
	const char	nul[] = "a\0b";

	assert_true(text_valid_utf8("", 0));
	assert_true(text_valid_utf8("plain", 5));
	assert_true(text_valid_utf8("åäö€", strlen("åäö€")));
	assert_true(text_valid_utf8("\xF0\x9F\x98\x80", 4));
	assert_true(text_valid_utf8("\xF4\x8F\xBF\xBF", 4));	/* U+10FFFF */
	assert_true(text_valid_utf8(nul, 3));
	assert_false(text_valid_utf8("\xFF", 1));
	assert_false(text_valid_utf8("\x80", 1));
	assert_false(text_valid_utf8("\xC0\xAF", 2));
	assert_false(text_valid_utf8("\xC1\xBF", 2));
	assert_false(text_valid_utf8("\xE0\x80\xAF", 3));
	assert_false(text_valid_utf8("\xF0\x80\x80\xAF", 4));
	assert_false(text_valid_utf8("\xED\xA0\x80", 3));
	assert_false(text_valid_utf8("\xED\xBF\xBF", 3));
	assert_false(text_valid_utf8("\xF4\x90\x80\x80", 4));
	/* "å" cut by the length is not well-formed. */
	assert_false(text_valid_utf8("å", 1));
	assert_true(text_valid_utf8("å", 2));
}

static void
test_copy(void **state)
{
	char	out[8];

	assert_int_equal(text_copy(out, sizeof(out), "abc"), 3);
	assert_string_equal(out, "abc");
	/* "åäö" is six bytes: four fit in five, not three. */
	assert_int_equal(text_copy(out, 5, "åäö"), 4);
	assert_string_equal(out, "åä");
	assert_int_equal(text_copy(out, 4, "åäö"), 2);
	assert_string_equal(out, "å");
	assert_int_equal(text_copy(out, 7, "åäö"), 6);
	assert_string_equal(out, "åäö");
	/* A four-byte sequence is never cut. */
	assert_int_equal(text_copy(out, 4, "\xF0\x9F\x98\x80"), 0);
	assert_string_equal(out, "");
	assert_int_equal(text_copy(out, 5, "\xF0\x9F\x98\x80"), 4);
	assert_int_equal(text_copy(out, 1, "abc"), 0);
	assert_string_equal(out, "");
	memset(out, 'Z', sizeof(out));
	assert_int_equal(text_copy(out, 0, "abc"), 0);
	assert_int_equal(out[0], 'Z');
	assert_int_equal(text_copy(out, sizeof(out), NULL), 0);
	assert_string_equal(out, "");
}

static void
test_codepoints(void **state)
{
	assert_int_equal(text_codepoints(""), 0);
	assert_int_equal(text_codepoints("abc"), 3);
	assert_int_equal(text_codepoints("åäö"), 3);
	assert_int_equal(text_codepoints("a\xFF" "b"), 3);
	assert_int_equal(text_codepoints("\xF0\x9F\x98\x80!"), 2);
	assert_int_equal(text_codepoints("x\xC3"), 2);
}

static void
test_clean(void **state)
{
	char	out[32];

	assert_int_equal(text_clean(out, sizeof(out), "  a  b\t\n c  ", 99),
	    5);
	assert_string_equal(out, "a b c");
	text_clean(out, sizeof(out), "bröst\xFFsmärta", 99);
	assert_string_equal(out, "bröst" R "smärta");
	text_clean(out, sizeof(out), "a\x01" "b\x7F", 99);
	assert_string_equal(out, "a" R "b" R);
	text_clean(out, sizeof(out), "abc def", 5);
	assert_string_equal(out, "abc d");
	text_clean(out, sizeof(out), "   ", 3);
	assert_string_equal(out, "");
	/* Cut between code points: "a åä" needs six bytes, five fit. */
	assert_int_equal(text_clean(out, 6, "a åä", 99), 4);
	assert_string_equal(out, "a å");
	assert_true(text_valid_utf8(out, strlen(out)));
	/* A cut at the length gives U+FFFD for the half sequence. */
	text_clean(out, sizeof(out), "aå", 2);
	assert_string_equal(out, "a" R);
}

/* The hash in the stored deduplication keys never changes: pinned. */
static void
test_hash_is_stable(void **state)
{
	assert_true(text_hash("AKUT KARD") == 0x79ef76c914220240ULL);
	assert_true(text_hash("") == 1469598103934665603ULL);
	assert_true(text_hash_more(TEXT_HASH_BASIS, "AKUT KARD") ==
	    0x79ef76c914220240ULL);
	/* Continued over two pieces as over their concatenation. */
	assert_true(text_hash_more(text_hash_more(TEXT_HASH_BASIS, "AKUT "),
	    "KARD") == text_hash("AKUT KARD"));
	/* With the published basis: FNV-1a's own test vector for "a". */
	assert_true(text_hash_more(TEXT_HASH_FNV64, "a") ==
	    0xaf63dc4c8601ec8cULL);
	/* The refused PIN's stored key (trouble.c) never changes either. */
	assert_true(text_hash_more(text_hash_more(TEXT_HASH_FNV64,
	    "jourd-pin:"), "1234") == 0xea97b7d0bf794d8dULL);
}

/* What the cleaning of src gives, in a static buffer. */
static const char *
cleaned(const char *src)
{
	static char	out[256];

	text_clean(out, sizeof(out), src, strlen(src));
	return out;
}

/* Every kind of white space is one space; every dash is '-'. */
static void
test_clean_space_and_dashes(void **state)
{
	assert_string_equal(cleaned("811218\r\n9876"), "811218 9876");
	assert_string_equal(cleaned("a\u00a0\u00a0b"), "a b");
	assert_string_equal(cleaned("a\u2003\u202f\u3000b"), "a b");
	assert_string_equal(cleaned("a\u2028b\u2029c\xc2\x85" "d"), "a b c d");
	assert_string_equal(cleaned("\u00a0 a \t"), "a");
	assert_string_equal(cleaned("1\u2010 2\u2011 3\u2012 4\u2013 5\u2014"
	    " 6\u2015 7\u2212 8\ufe63 9\uff0d"), "1- 2- 3- 4- 5- 6- 7- 8- 9-");
	/* Invisible format characters go. */
	assert_string_equal(cleaned("AK\u200bUT \u200fORT\u00ad\ufeff"),
	    "AKUT ORT");
}

/* Digits of every script, and compatibility forms, read as ASCII. */
static void
test_clean_digits(void **state)
{
	assert_string_equal(cleaned("\uff11\uff19\uff10"), "190");
	assert_string_equal(cleaned("\u096E\u0967\u0967\u0968"), "8112");
	assert_string_equal(cleaned("\u0668\u06f1\u0e52\u1812"), "8122");
	assert_string_equal(cleaned("\U0001D7D6\U0001D7CF\U0001D7EE"
	    "\U0001D7F6"), "8120");
	assert_string_equal(cleaned("\u00b9\u00b2\u00b3\u2074\u2081"),
	    "12341");
	assert_string_equal(cleaned("\u2460\u2469\u2474"), "1101");
	assert_string_equal(cleaned("\uff21\uff2b\uff35\uff34"), "AKUT");
	/* Swedish letters stay what they are. */
	assert_string_equal(cleaned("Åsa är på Ön, é"), "Åsa är på Ön, é");
}

/* A letter typed as base + combining mark is the precomposed letter. */
static void
test_clean_composes(void **state)
{
	assert_string_equal(cleaned("HJA\u0308LP"), "HJÄLP");
	assert_string_equal(cleaned("o\u0308ron A\u030asa e\u0301"),
	    "öron Åsa é");
	/* No precomposed letter: the mark stays. */
	assert_string_equal(cleaned("q\u0308"), "q\u0308");
	/* Not across a space. */
	assert_string_equal(cleaned("a \u0308"), "a \u0308");
}

/* Each Swedish letter typed decomposed (base + combining mark, as some
 * phones send it) is the precomposed letter, byte for byte, and folds as
 * the precomposed one does. */
static void
test_clean_composes_swedish(void **state)
{
	static const struct {
		const char	*typed, *want;
	} letters[] = {
		{ "A\u030a", "\u00c5" }, { "A\u0308", "\u00c4" },
		{ "O\u0308", "\u00d6" }, { "a\u030a", "\u00e5" },
		{ "a\u0308", "\u00e4" }, { "o\u0308", "\u00f6" },
		{ "e\u0301", "\u00e9" },
	};
	char	in[32], want[32], folded[32], folded_want[32];
	size_t	i;

	for (i = 0; i < nitems(letters); i++) {
		assert_string_equal(cleaned(letters[i].typed), letters[i].want);
		/* Inside a word and at its end. */
		snprintf(in, sizeof(in), "X%sY %s", letters[i].typed,
		    letters[i].typed);
		snprintf(want, sizeof(want), "X%sY %s", letters[i].want,
		    letters[i].want);
		assert_string_equal(cleaned(in), want);
		text_fold(cleaned(in), folded, sizeof(folded));
		text_fold(want, folded_want, sizeof(folded_want));
		assert_string_equal(folded, folded_want);
	}
	assert_string_equal(cleaned("KONTAKT o\u0308ron"), "KONTAKT \u00f6ron");
	assert_string_equal(cleaned("SO\u0308K PA\u030a A\u0308LVDALEN"),
	    "S\u00d6K P\u00c5 \u00c4LVDALEN");
}

/* C0, DEL and C1 controls and invalid UTF-8 never pass; the result is
 * valid UTF-8, and cleaning it again changes nothing. */
static void
test_clean_controls(void **state)
{
	static const char	*const inputs[] = {
		"a\x1b[31mb", "a\xc2\x9b" "31mb", "x\xc2\x85y", "\xed\xa0\x80z",
		"\xc0\xaf", "\xf4\x90\x80\x80", "a\x7f\x01",
		"pat 811218\xe2\x80\x83\xe2\x80\x83" "9876",
	};
	char			 again[256];
	const char		*c;
	size_t			 i, k;

	assert_string_equal(cleaned("a\x1b[31mb"), "a" R "[31mb");
	assert_string_equal(cleaned("a\xc2\x9b" "31mb"), "a" R "31mb");
	for (i = 0; i < nitems(inputs); i++) {
		c = cleaned(inputs[i]);
		assert_true(text_valid_utf8(c, strlen(c)));
		for (k = 0; c[k] != '\0'; k++) {
			assert_true((unsigned char)c[k] >= 0x20 && c[k] != 0x7f);
			assert_false((unsigned char)c[k] == 0xc2 &&
			    (unsigned char)c[k + 1] < 0xa0);
		}
		text_clean(again, sizeof(again), c, strlen(c));
		assert_string_equal(again, c);
	}
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_hash_is_stable),
		cmocka_unit_test(test_clean_space_and_dashes),
		cmocka_unit_test(test_clean_digits),
		cmocka_unit_test(test_clean_composes),
		cmocka_unit_test(test_clean_composes_swedish),
		cmocka_unit_test(test_clean_controls),
		cmocka_unit_test(test_fold_swedish),
		cmocka_unit_test(test_fold_latin),
		cmocka_unit_test(test_fold_ascii),
		cmocka_unit_test(test_fold_other_and_invalid),
		cmocka_unit_test(test_fold_bounds),
		cmocka_unit_test(test_fold_n),
		cmocka_unit_test(test_equal_folded),
		cmocka_unit_test(test_valid_utf8),
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_codepoints),
		cmocka_unit_test(test_clean),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
