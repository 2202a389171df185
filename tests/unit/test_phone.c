/*
 * test_phone.c — typed and received numbers to E.164 and back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "phone.h"

static void
ok_is(const char *in, const char *want)
{
	char	out[PHONE_MAX];

	memset(out, 'Z', sizeof(out));
	if (phone_normalise(in, out) != PHONE_OK)
		fail_msg("\"%s\" was not accepted", in);
	assert_string_equal(out, want);
}

static void
result_is(const char *in, enum phone_result want)
{
	char	out[PHONE_MAX];

	memset(out, 'Z', sizeof(out));
	assert_int_equal(phone_normalise(in, out), want);
	/* out is "" unless the number was accepted. */
	assert_string_equal(out, "");
}

static void
test_swedish_forms(void **state)
{
	ok_is("070-174 06 05", "+46701740605");
	ok_is("0701740605", "+46701740605");
	ok_is("070 174 06 05", "+46701740605");
	ok_is("070.174.06.05", "+46701740605");
	ok_is("070/1740605", "+46701740605");
	ok_is(" 070-1740605 ", "+46701740605");
	ok_is("0046701740605", "+46701740605");
	ok_is("0046 70 174 06 05", "+46701740605");
	ok_is("+46701740605", "+46701740605");
	ok_is("+46 70 174 06 05", "+46701740605");
	ok_is("+46 (0)70 174 06 05", "+46701740605");
	ok_is("+46(0)701740605", "+46701740605");
	ok_is("0046 (0)70-174 06 05", "+46701740605");
	/* A stray trunk zero after +46 is dropped. */
	ok_is("+460701740605", "+46701740605");
}

static void
test_smsc_forms(void **state)
{
	/* Some SMSCs deliver the sender without "+". */
	ok_is("46701740605", "+46701740605");
	ok_is("460701740605", "+46701740605");
	result_is("4670174060", PHONE_INVALID);		/* ten digits */
	result_is("4670174060512", PHONE_INVALID);	/* thirteen */
	result_is("467017406051", PHONE_INVALID);	/* NSN of ten */
}

static void
test_landlines(void **state)
{
	ok_is("08-123 45", "+46812345");		/* NSN of six */
	ok_is("08-123 45 67", "+4681234567");
	ok_is("0247-123 45", "+4624712345");
	ok_is("023-49 00 00", "+4623490000");
	result_is("08-123 4", PHONE_INVALID);		/* NSN of five */
	result_is("070-174 06 05 1", PHONE_INVALID);	/* NSN of ten */
}

static void
test_foreign(void **state)
{
	ok_is("+4570123456", "+4570123456");
	ok_is("0045 70 12 34 56", "+4570123456");
	ok_is("+44 (0)20 7946 0000", "+442079460000");
	ok_is("+123456789012345", "+123456789012345");	/* fifteen digits */
	result_is("+1234567890123456", PHONE_INVALID);	/* sixteen */
	result_is("+123456", PHONE_INVALID);		/* too short */
	result_is("4570123456", PHONE_INVALID);	/* foreign needs + or 00 */
	result_is("+0701740605", PHONE_INVALID);	/* no country code 0 */
	result_is("000701740605", PHONE_INVALID);
}

static void
test_alpha(void **state)
{
	result_is("Telia", PHONE_ALPHA);
	result_is("1177Vard", PHONE_ALPHA);
	result_is("Vårdcentral", PHONE_ALPHA);
	result_is("+46701740605x", PHONE_ALPHA);
	result_is("InfoSMS", PHONE_ALPHA);
}

static void
test_short(void **state)
{
	result_is("112", PHONE_SHORT);
	result_is("1177", PHONE_SHORT);
	result_is("72550", PHONE_SHORT);
	result_is("0771", PHONE_SHORT);
	result_is("12", PHONE_INVALID);
	result_is("123456", PHONE_INVALID);
	result_is("+112", PHONE_INVALID);
}

static void
test_invalid(void **state)
{
	char	out[PHONE_MAX], big[2000];

	result_is("", PHONE_INVALID);
	result_is("   ", PHONE_INVALID);
	result_is("+", PHONE_INVALID);
	result_is("070+1740605", PHONE_INVALID);
	result_is("46+701740605", PHONE_INVALID);
	result_is("++46701740605", PHONE_INVALID);
	result_is("070*1740605", PHONE_INVALID);
	result_is("070#1740605", PHONE_INVALID);
	result_is("(0)70 174 06 05", PHONE_INVALID);	/* (0) needs a country */
	result_is("+46 (1)70 174 06 05", PHONE_INVALID);
	result_is("+46 (0)(0)70 174 06 05", PHONE_INVALID);
	result_is("+46 (0", PHONE_INVALID);
	result_is("+(0)46701740605", PHONE_INVALID);
	/* Found by fuzz_phone: a second zero after +46 (0). */
	result_is("+46 (0)00 174 06 05", PHONE_INVALID);
	result_is("+4600701740605", PHONE_INVALID);
	result_is("004600701740605", PHONE_INVALID);

	memset(big, '7', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	result_is(big, PHONE_INVALID);

	memset(out, 'Z', sizeof(out));
	assert_int_equal(phone_normalise(NULL, out), PHONE_INVALID);
	assert_string_equal(out, "");
}

static void
test_display(void **state)
{
	char	out[32], e164[PHONE_MAX], back[PHONE_MAX];

	assert_string_equal(phone_display("+46701740605", out, sizeof(out)),
	    "070-174 06 05");
	assert_string_equal(phone_display("+46761234567", out, sizeof(out)),
	    "076-123 45 67");
	assert_string_equal(phone_display("+46812345", out, sizeof(out)),
	    "0812345");
	assert_string_equal(phone_display("+4623490000", out, sizeof(out)),
	    "023490000");
	/* Nine digits but not a mobile: not grouped as one. */
	assert_string_equal(phone_display("+46812345678", out, sizeof(out)),
	    "0812345678");
	assert_string_equal(phone_display("+4570123456", out, sizeof(out)),
	    "+4570123456");
	assert_string_equal(phone_display("", out, sizeof(out)), "");
	assert_string_equal(phone_display("+46", out, sizeof(out)), "0");
	/* Not E.164: shown as it came. */
	assert_string_equal(phone_display("+46abc", out, sizeof(out)),
	    "+46abc");
	assert_string_equal(phone_display("Telia", out, sizeof(out)), "Telia");

	/* Bounded output. */
	assert_string_equal(phone_display("+46701740605", out, 6), "070-1");
	memset(out, 'Z', sizeof(out));
	assert_ptr_equal(phone_display("+46701740605", out, 0), out);
	assert_int_equal(out[0], 'Z');

	/* What is displayed reads back to the same number. */
	assert_int_equal(phone_normalise(phone_display("+46701740605", out,
	    sizeof(out)), e164), PHONE_OK);
	assert_string_equal(e164, "+46701740605");
	assert_int_equal(phone_normalise(phone_display("+46812345", out,
	    sizeof(out)), back), PHONE_OK);
	assert_string_equal(back, "+46812345");
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_swedish_forms),
		cmocka_unit_test(test_smsc_forms),
		cmocka_unit_test(test_landlines),
		cmocka_unit_test(test_foreign),
		cmocka_unit_test(test_alpha),
		cmocka_unit_test(test_short),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_display),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
