/*
 * test_pnr.c — personal identity numbers found and masked in free text.
 *
 * Check digits worked by hand (Luhn, weights 2,1,2,1,2,1,2,1,2 over
 * YYMMDDNNN, a product over 9 counts its digit sum, check = (10 - sum % 10)
 * % 10):
 *
 *   121212-121?  1·2 2 1·2 2 1·2 2 1·2 2 1·2  = 2+2+2+2+2+2+2+2+2 = 18 → 2
 *   811218-987?  16→7 1 2 2 2 8 18→9 8 14→5   = 44 → 6 (so …9875 is wrong)
 *   701063-239?  14→5 0 2 0 12→3 3 4 3 18→9   = 29 → 1 (day 63 = 3 + 60)
 *   000229-123?  0 0 0 2 4 9 2 2 6             = 25 → 5
 *   010229-123?  0 1 0 2 4 9 2 2 6             = 26 → 4
 *   000289-123?  0 0 0 2 16→7 9 2 2 6          = 28 → 2 (day 89 = 29 + 60)
 *   070174-060?  0 7 0 1 14→5 4 0 6 0          = 23 → 7 (a mobile number
 *                0701740605 is not valid, 0701740607 is: day 74 = 14 + 60)
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pnr.h"
#include "text.h"

static void
found_at(const char *text, size_t want_off, size_t want_len)
{
	size_t	off = 999, len = 999;

	if (!pnr_find(text, &off, &len))
		fail_msg("no number found in \"%s\"", text);
	assert_int_equal(off, want_off);
	assert_int_equal(len, want_len);
}

static void
not_found(const char *text)
{
	size_t	off = 999, len = 999;

	if (pnr_find(text, &off, &len))
		fail_msg("found a number in \"%s\" at %zu+%zu", text, off, len);
	assert_int_equal(off, 999);
	assert_int_equal(len, 999);
}

static void
test_check10(void **state)
{
	assert_true(pnr_check10("1212121212"));
	assert_true(pnr_check10("8112189876"));
	assert_false(pnr_check10("8112189875"));
	assert_true(pnr_check10("7010632391"));
	assert_true(pnr_check10("0002291235"));
	assert_true(pnr_check10("0102291234"));	/* century unknown: 29 Feb ok */
	assert_true(pnr_check10("0002891232"));
	assert_true(pnr_check10("0701740607"));
	assert_false(pnr_check10("0701740605"));
	assert_false(pnr_check10("12121212a2"));
	assert_false(pnr_check10(NULL));
}

/* For a given date exactly one check digit of the ten is valid. */
static void
test_check_digit_unique(void **state)
{
	static const char	*const heads[] = {
		"121212121", "811218987", "701063239", "000229123", "991231000",
		"450101555", "000189999"
	};
	char			 d[11];
	size_t			 i;
	int			 c, valid;

	for (i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		valid = 0;
		for (c = 0; c < 10; c++) {
			memcpy(d, heads[i], 9);
			d[9] = (char)('0' + c);
			d[10] = '\0';
			if (pnr_check10(d))
				valid++;
		}
		assert_int_equal(valid, 1);
	}
}

static void
test_dates(void **state)
{
	char	d[11];
	int	c, valid;

	/* Month 13 or 00, day 00 or 32, 31 April, 30 Feb: no check digit helps. */
	static const char	*const bad[] = {
		"991332123", "990012123", "990100123", "990132123",
		"990431123", "990230123", "990160123", "990192123",
		"990290123"
	};
	size_t	i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		valid = 0;
		for (c = 0; c < 10; c++) {
			memcpy(d, bad[i], 9);
			d[9] = (char)('0' + c);
			d[10] = '\0';
			if (pnr_check10(d))
				valid++;
		}
		if (valid != 0)
			fail_msg("date of %s accepted", bad[i]);
	}
}

static void
test_find_forms(void **state)
{
	found_at("121212-1212", 0, 11);
	found_at("121212+1212", 0, 11);
	found_at("121212 1212", 0, 11);
	found_at("1212121212", 0, 10);
	found_at("19121212-1212", 0, 13);
	found_at("191212121212", 0, 12);
	found_at("19121212 1212", 0, 13);
	found_at("pat 811218-9876 bröstsmärta", 4, 11);
	found_at("samordningsnr 701063-2391.", 14, 11);
	found_at("x121212-1212y", 1, 11);
	found_at("pnr:121212-1212", 4, 11);
	found_at("åäö 0701740607", 7, 10);
	found_at("18121212-1212", 0, 13);	/* century 18 */
	found_at("20000229-1235", 0, 13);	/* 2000 was a leap year */
	found_at("000229-1235", 0, 11);
	found_at("198112189876", 0, 12);
	/* The first of two. */
	found_at("a 811218-9876 b 121212-1212", 2, 11);
	/* Groups joined where year, month, day and the last four meet. */
	found_at("121212  1212", 0, 12);
	found_at("121212/1212", 0, 11);
	found_at("121212--1212", 0, 12);
	found_at("pat 811218 - 9876 x", 4, 13);
	found_at("811218.9876", 0, 11);
	found_at("81 12 18-9876", 0, 13);
	found_at("81.12.18 9876", 0, 13);
	found_at("1981-12-18 9876", 0, 15);
	found_at("19811218  9876", 0, 14);
	found_at("19 811218-9876", 0, 14);
	found_at("19 81 12 18 - 9876", 0, 18);
	found_at("+811218-9876 ring", 1, 11);
	/* After other digits, and after a century that does not fit. */
	found_at("tel 070 811218-9876", 8, 11);
	found_at("45 811218 9876", 3, 11);
}

static void
test_find_rejects(void **state)
{
	not_found("");
	not_found("inga siffror här");
	not_found("811218-9875");		/* wrong check digit */
	not_found("991332-1234");
	not_found("070-174 06 05");
	not_found("0701740605");
	not_found("17121212-1212");		/* century 17 */
	not_found("21121212-1212");		/* century 21 */
	not_found("19000229-1235");		/* 1900 was no leap year */
	not_found("20010229-1234");		/* nor was 2001 */
	not_found("121 212-1212");		/* joined inside the month */
	not_found("12121 2-1212");		/* inside the day */
	not_found("121212-12 12");		/* inside the last four */
	not_found("121212    1212");		/* four separators */
	not_found("121212 x 1212");		/* a word between */
	not_found("070-1740607");		/* a phone number, grouped */
	not_found("08-121 218 98 76");
	not_found("1121212-1212");		/* a digit before */
	not_found("121212-12123");		/* a digit after */
	not_found("41212121212");		/* eleven digits */
	not_found("1212121212121");		/* thirteen digits */
	not_found("121212-121");
	not_found("12121-21212");
	not_found("+46701740607");		/* digits around the 10 */
}

static void
test_find_n(void **state)
{
	size_t	off, len;

	assert_false(pnr_find_n("121212-1212", 10, &off, &len));
	assert_true(pnr_find_n("121212-1212", 11, &off, &len));
	assert_true(pnr_find_n("ab 121212-1212 cd", 100, &off, &len));
	assert_int_equal(off, 3);
	assert_int_equal(len, 11);
	assert_true(pnr_find("121212-1212", NULL, NULL));
	assert_false(pnr_find(NULL, &off, &len));
}

static void
test_mask(void **state)
{
	char	out[64];

	assert_int_equal(pnr_mask("pat 121212-1212 och 811218-9876, rum 12",
	    out, sizeof(out)), 2);
	assert_string_equal(out, "pat XXXXXX-XXXX och XXXXXX-XXXX, rum 12");

	assert_int_equal(pnr_mask("19121212 1212", out, sizeof(out)), 1);
	assert_string_equal(out, "XXXXXXXX XXXX");

	assert_int_equal(pnr_mask("ring 070-174 06 05", out, sizeof(out)), 0);
	assert_string_equal(out, "ring 070-174 06 05");

	assert_int_equal(pnr_mask("811218-9875", out, sizeof(out)), 0);
	assert_string_equal(out, "811218-9875");

	assert_int_equal(pnr_mask("", out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

static void
test_mask_truncates(void **state)
{
	char	out[64];

	/* Cut inside the number: what is kept is masked. */
	assert_int_equal(pnr_mask("ab 121212-1212", out, 8), 1);
	assert_string_equal(out, "ab XXXX");
	/* Cut on a UTF-8 boundary: "ö" does not fit in the last byte. */
	assert_int_equal(pnr_mask("121212-1212 ö", out, 13), 1);
	assert_string_equal(out, "XXXXXX-XXXX ");
	assert_true(text_valid_utf8(out, strlen(out)));
	/* A number wholly past the cut still counts. */
	assert_int_equal(pnr_mask("abc 121212-1212", out, 3), 1);
	assert_string_equal(out, "ab");
	memset(out, 'Z', sizeof(out));
	assert_int_equal(pnr_mask("121212-1212", out, 0), 1);
	assert_int_equal(out[0], 'Z');
}

static void
test_mask_long(void **state)
{
	char	*text, *out;
	size_t	 i, n = 100000;
	int	 count;

	text = malloc(n + 1);
	out = malloc(n + 1);
	assert_non_null(text);
	assert_non_null(out);
	for (i = 0; i + 12 <= n; i += 12)
		memcpy(text + i, "121212-1212 ", 12);
	memset(text + i, ' ', n - i);
	text[n] = '\0';
	count = pnr_mask(text, out, n + 1);
	assert_int_equal(count, (int)(n / 12));
	assert_int_equal(strlen(out), n);
	assert_null(strpbrk(out, "0123456789"));
	free(text);
	free(out);
}

/* The date of birth written as a date, with dashes, is found and masked. */
static void
test_find_date_forms(void **state)
{
	char	out[64];
	size_t	off, len;

	assert_true(pnr_find("pat 1912-12-12-1212 hej", &off, &len));
	assert_int_equal(off, 4);
	assert_int_equal(len, 15);
	assert_true(pnr_find("12-12-12-1212", NULL, NULL));
	assert_true(pnr_find("12-12-12+1212", NULL, NULL));
	/* Same shapes, wrong check digit or date: not an identity number. */
	assert_false(pnr_find("1912-12-12-1213", NULL, NULL));
	assert_false(pnr_find("1912-13-12-1212", NULL, NULL));
	/* A date and a time written the same way are refused too: the safe
	 * side, since "1981-12-18 9876" is how a birth date and number look. */
	assert_true(pnr_find("1912-12-12 1212", NULL, NULL));
	assert_false(pnr_find("2024-05-03 14:30", NULL, NULL));
	assert_false(pnr_find("1912-12-12-121", NULL, NULL));
	assert_int_equal(pnr_mask("pat 1912-12-12-1212.", out, sizeof(out)), 1);
	assert_string_equal(out, "pat XXXX-XX-XX-XXXX.");
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_check10),
		cmocka_unit_test(test_check_digit_unique),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_find_forms),
		cmocka_unit_test(test_find_rejects),
		cmocka_unit_test(test_find_n),
		cmocka_unit_test(test_mask),
		cmocka_unit_test(test_mask_truncates),
		cmocka_unit_test(test_mask_long),
		cmocka_unit_test(test_find_date_forms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
