/*
 * test_msg.c — the texts: what a clinician must read is there, and the
 * fixed texts fit one SMS (160 GSM 7-bit characters).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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
test_pv_texts_fit_one_sms(void **state)
{
	const struct msg_consult pv = {
		.id = 12345, .keyword = "PV", .units = "JOURCENTRAL",
		.requester = "Anna Testsson", .requester_unit = "",
		.callback = "070-174 06 05", .text = "",
	};
	char	out[512];

	msg_received_routed(out, sizeof(out), &pv, "ALVDALEN",
	    "Jourcentralen, Mora lasarett");
	assert_string_equal(out, "Mottaget #12345 PV ALVDALEN: vårdcentralen "
	    "är stängd, Jourcentralen, Mora lasarett söks nu. Du får SMS när "
	    "någon svarat.");
	assert_true(text_codepoints(out) <= 160);
	assert_true(text_codepoints(msg_pv_not_centre(out, sizeof(out),
	    "KARDIOLOGI_FALU")) <= 160);
	msg_pv_closed(out, sizeof(out), "Älvdalens vårdcentral",
	    "070-174 06 33");
	assert_non_null(strstr(out, "Ring 070-174 06 33."));
	assert_true(text_codepoints(out) <= 160);
	assert_true(text_codepoints(msg_unit_ambiguous(out, sizeof(out),
	    "mora", "MORAVC Mora vårdcentral, NORET Mora Noret vårdcentral"))
	    <= 160);
}

static void
test_small_buffer_is_bounded(void **state)
{
	char	out[16];

	memset(out, 'x', sizeof(out));
	msg_page(out, sizeof(out), &consult, 3, 0);
	assert_int_equal(strlen(out), sizeof(out) - 1);
}

/* A cut page ends in "...": the ellipsis character is not in the GSM 7-bit
 * alphabet and would turn a 3-part page into a 7-part UCS-2 one. */
static void
test_long_page_is_cut_in_gsm7(void **state)
{
	struct msg_consult	long_consult = consult;
	char			text[600], out[1024];

	memset(text, 'a', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	long_consult.text = text;
	msg_page(out, sizeof(out), &long_consult, 3, 0);
	assert_non_null(strstr(out, "aaa... Svara OK 3"));
	assert_null(strstr(out, "\xe2\x80\xa6"));
}

static void
test_kontakt_lists_name_and_number(void **state)
{
	const struct msg_contact c[] = {
		{ "Kardiologi, Falu lasarett", "070-174 06 30" },
		{ "Älvdalens vårdcentral", "070-174 06 33" },
	};
	char	out[1024];

	msg_kontakt(out, sizeof(out), c, 2, 2);
	assert_string_equal(out, "Kardiologi, Falu lasarett 070-174 06 30; "
	    "Älvdalens vårdcentral 070-174 06 33");
}

static void
test_kontakt_many_fit_two_sms_and_count_the_rest(void **state)
{
	struct msg_contact	c[MSG_LIST_MAX];
	char			names[MSG_LIST_MAX][48], out[1024], more[48];
	const char		*p;
	int			i, shown = 1;

	for (i = 0; i < MSG_LIST_MAX; i++) {
		snprintf(names[i], sizeof(names[i]), "Vårdcentral Åsbyn %02d", i);
		c[i].name = names[i];
		c[i].phone = "070-174 06 40";
	}
	msg_kontakt(out, sizeof(out), c, MSG_LIST_MAX, 40);
	assert_true(text_codepoints(out) <= MSG_TWO_SMS);
	for (p = out; (p = strstr(p, "; ")) != NULL; p += 2)
		shown++;
	snprintf(more, sizeof(more), "(+%d till, skriv mer exakt)", 40 - shown);
	assert_non_null(strstr(out, more));
	assert_true(shown > 5);
	/* The items shown are the first ones, whole. */
	assert_non_null(strstr(out, "Vårdcentral Åsbyn 00 070-174 06 40; "));
}

static void
test_kontakt_one_too_long_keeps_the_count(void **state)
{
	char			name[400], out[1024];
	struct msg_contact	c[2];

	memset(name, 'A', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	c[0].name = c[1].name = name;
	c[0].phone = c[1].phone = "070-174 06 40";
	msg_kontakt(out, sizeof(out), c, 2, 2);
	assert_string_equal(out, "(+2 till, skriv mer exakt)");
}

static void
test_kontakt_none_cuts_query_safely(void **state)
{
	char	out[256], query[200];
	size_t	i;

	for (i = 0; i + 2 < sizeof(query); i += 2)
		memcpy(query + i, "ö", 2);
	query[i] = '\0';
	msg_kontakt_none(out, sizeof(out), query);
	assert_true(text_valid_utf8(out, strlen(out)));
	assert_true(text_codepoints(out) <= 160);
	assert_non_null(strstr(out, "Inget i katalogen matchar \"ööö"));
}

static void
test_status_lines(void **state)
{
	struct msg_status	s = { .id = 12, .keyword = "AKUT",
	    .units = "KARD", .state = "acknowledged", .step = 1,
	    .who = "Erik Lund", .at = "14:05", .outcome = "" };
	char			out[256];

	assert_string_equal(msg_status_line(out, sizeof(out), &s),
	    "#12 AKUT KARD kvitterat av Erik Lund 14:05");
	s.state = "open";
	s.who = "";
	s.step = 2;
	assert_string_equal(msg_status_line(out, sizeof(out), &s),
	    "#12 AKUT KARD söker (steg 2)");
	s.state = "unanswered";
	s.at = "14:20";
	assert_string_equal(msg_status_line(out, sizeof(out), &s),
	    "#12 AKUT KARD obesvarat 14:20");
	s.state = "resolved";
	s.outcome = "INL";
	s.at = "15:02";
	assert_string_equal(msg_status_line(out, sizeof(out), &s),
	    "#12 AKUT KARD avslutat (INL) 15:02");
	s.state = "rejected";
	s.units = "";
	assert_string_equal(msg_status_line(out, sizeof(out), &s),
	    "#12 AKUT ej skickat (personnummer) 15:02");
}

static void
test_status_list_newest_first_within_two_sms(void **state)
{
	struct msg_status	s[MSG_LIST_MAX];
	char			out[1024];
	int			i;

	for (i = 0; i < MSG_LIST_MAX; i++) {
		memset(&s[i], 0, sizeof(s[i]));
		s[i].id = 100 - i;
		s[i].keyword = "MDK";
		s[i].units = "KARD,GER,PSYK";
		s[i].state = "open";
		s[i].step = 1;
		s[i].who = "";
		s[i].at = "";
		s[i].outcome = "";
	}
	msg_status_list(out, sizeof(out), s, 2, 2);
	assert_string_equal(out, "#100 MDK KARD,GER,PSYK söker (steg 1); "
	    "#99 MDK KARD,GER,PSYK söker (steg 1)");
	msg_status_list(out, sizeof(out), s, MSG_LIST_MAX, 50);
	assert_true(text_codepoints(out) <= MSG_TWO_SMS);
	assert_non_null(strstr(out, " till)"));
	assert_true(text_codepoints(msg_status_none(out, sizeof(out))) <= 160);
	assert_string_equal(msg_status_not_yours(out, sizeof(out), 12),
	    "Du har inget ärende #12.");
}

static void
test_list_small_buffer_is_bounded(void **state)
{
	const struct msg_contact c[] = {
		{ "Kardiologi, Falu lasarett", "070-174 06 30" },
		{ "Ortopedi, Mora lasarett", "070-174 06 31" },
	};
	char	out[72], tiny[16];

	msg_kontakt(out, sizeof(out), c, 2, 2);
	assert_string_equal(out, "Kardiologi, Falu lasarett 070-174 06 30 "
	    "(+1 till, skriv mer exakt)");
	memset(tiny, 'x', sizeof(tiny));
	msg_kontakt(tiny, sizeof(tiny), c, 2, 2);
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
}

/* A roster gap ahead, told to the admins once: unit, role, both ends, one
 * SMS even for the longest unit code and role. */
static void
test_admin_coverage_gap(void **state)
{
	char	out[512], unit[48], role[24];

	msg_admin_coverage_gap(out, sizeof(out), "KARD", "primary",
	    "2026-12-01 08:00", "2026-12-02 08:00");
	assert_non_null(strstr(out, "KARD primary"));
	assert_non_null(strstr(out, "2026-12-01 08:00 - 2026-12-02 08:00"));
	assert_null(strstr(out, "schemalucka"));
	memset(unit, 'U', sizeof(unit) - 1);
	unit[sizeof(unit) - 1] = '\0';
	memset(role, 'r', sizeof(role) - 1);
	role[sizeof(role) - 1] = '\0';
	msg_admin_coverage_gap(out, sizeof(out), unit, role,
	    "2026-12-01 08:00", "2026-12-02 08:00");
	assert_true(text_codepoints(out) <= 160);
}

/* A wrong code is answered with the codes the sender really has open. */
static void
test_unknown_code_names_the_open_codes(void **state)
{
	const struct msg_open_code	open[2] = {
		{ "OK", 2, 14, "AKUT", "KARD" },
		{ "KLAR", 5, 15, "MDK", "KARD,GER" },
	};
	char				out[512];

	msg_unknown_code(out, sizeof(out), 7, open, 2, 2);
	assert_string_equal(out, "Kod 7 hör inte till något av dina larm. "
	    "Dina öppna larm: OK 2 (#14 AKUT KARD); KLAR 5 (#15 MDK KARD,GER).");
	msg_unknown_code(out, sizeof(out), 7, NULL, 0, 0);
	assert_string_equal(out, "Kod 7 hör inte till något av dina larm. "
	    "Du har inga öppna larm.");
	assert_null(strstr(out, "OK 3"));
}

/* However many are open, the answer is one SMS and counts the rest. */
static void
test_unknown_code_many_fit_one_sms(void **state)
{
	struct msg_open_code	open[MSG_LIST_MAX];
	char			out[1024], more[32];
	const char		*p;
	int			i, shown = 1;

	for (i = 0; i < MSG_LIST_MAX; i++) {
		open[i].verb = "OK";
		open[i].code = 10 + i;
		open[i].id = 1000 + i;
		open[i].keyword = "AKUT";
		open[i].units = "PSYK";
	}
	msg_unknown_code(out, sizeof(out), 99, open, MSG_LIST_MAX, 40);
	assert_true(text_codepoints(out) <= MSG_ONE_SMS);
	for (p = out; (p = strstr(p, "; ")) != NULL; p += 2)
		shown++;
	assert_true(shown >= 2);
	snprintf(more, sizeof(more), "(+%d till).", 40 - shown);
	assert_non_null(strstr(out, more));
	assert_non_null(strstr(out, "Dina öppna larm: OK 10 (#1000 AKUT PSYK); "
	    "OK 11 (#1001 AKUT PSYK)"));
	/* A small buffer is bounded and terminated. */
	msg_unknown_code(out, 40, 99, open, MSG_LIST_MAX, 40);
	assert_true(strlen(out) < 40);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page_carries_code_callback_and_text),
		cmocka_unit_test(test_fixed_texts_fit_one_sms),
		cmocka_unit_test(test_unanswered_gives_switchboard),
		cmocka_unit_test(test_pv_texts_fit_one_sms),
		cmocka_unit_test(test_small_buffer_is_bounded),
		cmocka_unit_test(test_long_page_is_cut_in_gsm7),
		cmocka_unit_test(test_kontakt_lists_name_and_number),
		cmocka_unit_test(test_kontakt_many_fit_two_sms_and_count_the_rest),
		cmocka_unit_test(test_kontakt_one_too_long_keeps_the_count),
		cmocka_unit_test(test_kontakt_none_cuts_query_safely),
		cmocka_unit_test(test_status_lines),
		cmocka_unit_test(test_status_list_newest_first_within_two_sms),
		cmocka_unit_test(test_list_small_buffer_is_bounded),
		cmocka_unit_test(test_admin_coverage_gap),
		cmocka_unit_test(test_unknown_code_names_the_open_codes),
		cmocka_unit_test(test_unknown_code_many_fit_one_sms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
