/*
 * test_msg.c — the texts: what a clinician must read is there, and the
 * fixed texts fit one SMS (160 GSM 7-bit characters).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "msg.h"
#include "text.h"

static const struct msg_consult consult = {
	.id = 1234,
	.keyword = "AKUT",
	.units = "KARD",
	.requester = "Anna Testsson",
	.requester_unit = "Orsa vårdcentral",
	.callback = "070-174 06 05",
	.text = "bröstsmärta sedan 2 h, ST-höjning V2-V4",
};

static void
test_page_carries_code_callback_and_text(void **state)
{
	char	out[512];

	msg_page(out, sizeof(out), &consult, 3, 0);
	assert_non_null(strstr(out, "AKUT KARD #1234"));
	assert_non_null(strstr(out, "Svara OK 3"));
	assert_non_null(strstr(out, "NEJ 3"));
	assert_non_null(strstr(out, "070-174 06 05"));
	assert_non_null(strstr(out, "ST-höjning"));
	assert_null(strstr(out, "eskalerat"));
	assert_true(text_codepoints(out) <= 160);
	msg_page(out, sizeof(out), &consult, 3, 2);
	assert_non_null(strstr(out, "eskalerat"));
}

static void
test_fixed_texts_fit_one_sms(void **state)
{
	char	out[512];

	assert_true(text_codepoints(msg_help(out, sizeof(out))) <= 160);
	assert_true(text_codepoints(msg_pnr_refused(out, sizeof(out))) <= 160);
	assert_true(text_codepoints(msg_stranger(out, sizeof(out))) <= 160);
	assert_true(text_codepoints(msg_not_requester(out, sizeof(out))) <= 160);
	assert_true(text_codepoints(msg_received(out, sizeof(out), &consult)) <= 160);
	assert_true(text_codepoints(msg_unanswered(out, sizeof(out), &consult,
	    "KARD", "070-174 06 30")) <= 160);
	assert_true(text_codepoints(msg_ack_confirm(out, sizeof(out), &consult,
	    12, "INL RAD REM AKM HEM MDK")) <= 160);
	assert_true(text_codepoints(msg_not_understood(out, sizeof(out),
	    "okänt kommando: SEMESTER")) <= 160);
}

static void
test_unanswered_gives_switchboard(void **state)
{
	char	out[512];

	msg_unanswered(out, sizeof(out), &consult, "KARD", "070-174 06 30");
	assert_non_null(strstr(out, "070-174 06 30"));
	assert_non_null(strstr(out, "#1234"));
}

static void
test_small_buffer_is_bounded(void **state)
{
	char	out[16];

	memset(out, 'x', sizeof(out));
	msg_page(out, sizeof(out), &consult, 3, 0);
	assert_int_equal(strlen(out), sizeof(out) - 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page_carries_code_callback_and_text),
		cmocka_unit_test(test_fixed_texts_fit_one_sms),
		cmocka_unit_test(test_unanswered_gives_switchboard),
		cmocka_unit_test(test_small_buffer_is_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
