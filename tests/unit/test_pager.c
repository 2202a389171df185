/*
 * test_pager.c — the pager worker's ESPA exchanges (pager_link_*), byte for
 * byte and millisecond for millisecond, without a line or a clock: every
 * test feeds what the paging system says at times it chooses and compares
 * what the machine writes and tells the parent. Expected blocks are
 * written out here with their BCC worked out by the test, not built by
 * espa.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "ipc.h"
#include "pager.h"

#define MSGS_MAX	64

/* What the machine said: the line's bytes and the parent's messages. */
struct rec {
	uint8_t			line[8192];
	size_t			linelen;
	int			nmsgs;
	uint32_t		type[MSGS_MAX];
	union {
		struct ipc_modem_state	state;
		struct ipc_send_result	result;
		struct ipc_pager_status	status;
	}			msg[MSGS_MAX];
};

static struct config	cf;
static struct rec	rec;
static struct pager_link link_;

static void
rec_line(void *arg, const uint8_t *buf, size_t len)
{
	struct rec	*r = arg;

	assert_true(r->linelen + len <= sizeof(r->line));
	memcpy(r->line + r->linelen, buf, len);
	r->linelen += len;
}

/* Every message must pass what the parent checks. */
static void
rec_parent(void *arg, enum ipc_type type, const void *payload, size_t len)
{
	struct rec	*r = arg;
	struct ipc_hdr	 hdr = { .type = type, .len = (uint32_t)len };

	assert_true(ipc_check(&hdr, payload));
	assert_true(r->nmsgs < MSGS_MAX);
	assert_true(len <= sizeof(r->msg[0]));
	r->type[r->nmsgs] = type;
	memcpy(&r->msg[r->nmsgs], payload, len);
	r->nmsgs++;
}

static const struct pager_link_ops rec_ops = {
	.line = rec_line,
	.parent = rec_parent,
};

static int
setup(void **state)
{
	config_defaults(&cf);
	cf.pager.enabled = true;
	cf.pager.poll = 2000;
	cf.pager.reply_timeout = 3000;
	cf.pager.data_bits = 8;
	cf.pager.charset = CHARSET_LATIN1;
	memset(&rec, 0, sizeof(rec));
	return 0;
}

/* Forgets what was said so far. */
static void
clear(void)
{
	rec.linelen = 0;
	rec.nmsgs = 0;
}

static void
feed(const char *bytes, size_t len, jtime_t now)
{
	pager_link_input(&link_, (const uint8_t *)bytes, len, now);
}
#define FEED(s, now)	feed((s), sizeof(s) - 1, (now))

/* The line holds exactly these bytes since the last clear(). */
static void
line_is(const char *want, size_t len)
{
	assert_int_equal(rec.linelen, len);
	assert_memory_equal(rec.line, want, len);
}
#define LINE_IS(s)	line_is((s), sizeof(s) - 1)

static void
state_is(int i, enum modem_status st, const char *detail)
{
	assert_true(i < rec.nmsgs);
	assert_int_equal(rec.type[i], IPC_MODEM_STATE);
	assert_int_equal(rec.msg[i].state.status, st);
	if (detail != NULL)
		assert_string_equal(rec.msg[i].state.detail, detail);
}

static void
result_is(int i, int64_t id, int ok, const char *error)
{
	assert_true(i < rec.nmsgs);
	assert_int_equal(rec.type[i], IPC_SEND_RESULT);
	assert_int_equal(rec.msg[i].result.outbox_id, id);
	assert_int_equal(rec.msg[i].result.ok, ok);
	assert_int_equal(rec.msg[i].result.parts, ok ? 1 : 0);
	assert_int_equal(rec.msg[i].result.msg_ref, -1);
	if (error != NULL)
		assert_string_equal(rec.msg[i].result.error, error);
}

/* The machine on an open line whose first poll was answered at t = 10. */
static void
ready(void)
{
	pager_link_init(&link_, &cf.pager, &rec_ops, &rec, 0);
	state_is(0, MODEM_CONNECTING, cf.pager.device);
	pager_link_opened(&link_, 0);
	FEED("\x04", 10);
	state_is(1, MODEM_READY, "paging system 2 answers");
	clear();
}

static void
page(int64_t id, const char *addr, int prio, const char *text, jtime_t now)
{
	struct ipc_page	pg;

	memset(&pg, 0, sizeof(pg));
	pg.outbox_id = id;
	snprintf(pg.address, sizeof(pg.address), "%s", addr);
	pg.priority = prio;
	snprintf(pg.text, sizeof(pg.text), "%s", text);
	pager_link_page(&link_, &pg, now);
}

/* SOH <body> <BCC>, the BCC the XOR of body (which ends with ETX). */
static size_t
block(uint8_t *out, const char *body, size_t len)
{
	uint8_t	x = 0;
	size_t	i;

	out[0] = 0x01;
	for (i = 0; i < len; i++) {
		out[1 + i] = (uint8_t)body[i];
		x ^= (uint8_t)body[i];
	}
	out[1 + len] = x;
	return len + 2;
}

#define SELECT	"\x04" "1\x05" "2\x05"
#define POLL	"\x04" "2\x05"
/* The page "\xC5sa" (Åsa in latin1) to 1234 at priority 1. */
#define BODY	"1\x02" "1\x1f" "1234\x1e" "2\x1f\xC5sa\x1e" "4\x1f" "3\x1e" \
		"6\x1f" "1\x03"
#define STATUS6	"2\x02" "1\x1f" "4711\x1e" "7\x1f" "6\x03"
#define STATUS42 "2\x02" "1\x1f" "4711\x1e" "7\x1f" "42\x03"
/* "Åke Öst" folded on a 7-bit line, to 55 at priority 3. */
#define BODY7	"1\x02" "1\x1f" "55\x1e" "2\x1f" "Ake Ost\x1e" "4\x1f" \
		"3\x1e" "6\x1f" "3\x03"

static void
test_poll_and_ready(void **state)
{
	pager_link_init(&link_, &cf.pager, &rec_ops, &rec, 0);
	assert_int_equal(pager_link_due(&link_), INT64_MAX);
	pager_link_opened(&link_, 0);
	LINE_IS(POLL);
	assert_int_equal(pager_link_due(&link_), 3000);
	clear();
	FEED("\x04", 10);
	state_is(0, MODEM_READY, NULL);
	assert_int_equal(rec.linelen, 0);
	assert_int_equal(pager_link_due(&link_), 2010);
	pager_link_tick(&link_, 2009);
	assert_int_equal(rec.linelen, 0);
	pager_link_tick(&link_, 2010);
	LINE_IS(POLL);
	/* Answered again: READY is not said twice. */
	FEED("\x04", 2020);
	assert_int_equal(rec.nmsgs, 1);
}

static void
test_page_latin1_exact(void **state)
{
	uint8_t	want[128];
	size_t	n = block(want, BODY, sizeof(BODY) - 1);

	ready();
	page(7, "1234", 1, "Åsa", 100);
	LINE_IS(SELECT);
	clear();
	FEED("\x06", 110);
	line_is((const char *)want, n);
	assert_int_equal(rec.nmsgs, 0);
	clear();
	FEED("\x06", 120);
	LINE_IS("\x04");
	assert_int_equal(rec.nmsgs, 1);
	result_is(0, 7, 1, "");
	/* The next poll a full period after the page. */
	assert_int_equal(pager_link_due(&link_), 2120);
}

static void
test_page_seven_bits_folds(void **state)
{
	uint8_t	want[128];
	size_t	n = block(want, BODY7, sizeof(BODY7) - 1);

	cf.pager.data_bits = 7;
	ready();
	page(8, "55", 3, "Åke Öst", 100);
	clear();
	FEED("\x06", 110);
	line_is((const char *)want, n);
}

static void
test_nak_then_ack(void **state)
{
	uint8_t	want[128];
	size_t	n = block(want, BODY, sizeof(BODY) - 1);

	ready();
	page(7, "1234", 1, "Åsa", 100);
	FEED("\x06", 110);
	clear();
	FEED("1\x15", 120);
	/* Still selected: the block again, not the select. */
	line_is((const char *)want, n);
	clear();
	FEED("\x06", 130);
	LINE_IS("\x04");
	assert_int_equal(rec.nmsgs, 1);
	result_is(0, 7, 1, NULL);
}

static void
test_three_naks_fail_then_ready(void **state)
{
	uint8_t	want[128];
	size_t	n = block(want, BODY, sizeof(BODY) - 1);
	int	i;

	ready();
	page(7, "1234", 1, "Åsa", 100);
	FEED("\x06", 110);
	for (i = 0; i < 3; i++)
		FEED("\x15", 120 + i);
	/* select, block, three NAKs: the block three times, then EOT. */
	assert_int_equal(rec.linelen, 5 + 3 * n + 1);
	assert_memory_equal(rec.line + 5 + 2 * n, want, n);
	assert_int_equal(rec.line[rec.linelen - 1], 0x04);
	assert_int_equal(rec.nmsgs, 2);
	state_is(0, MODEM_FAILED, "NAK 3 times");
	result_is(1, 7, 0, "NAK 3 times");
	/* Failed: a page now is answered at once, nothing on the line. */
	clear();
	page(9, "1234", 1, "x", 130);
	assert_int_equal(rec.linelen, 0);
	result_is(0, 9, 0, "paging system not ready: NAK 3 times");
	clear();
	pager_link_tick(&link_, 122 + 2000);
	LINE_IS(POLL);
	FEED("\x04", 2200);
	state_is(0, MODEM_READY, NULL);
}

static void
test_silence_three_tries(void **state)
{
	ready();
	page(7, "1234", 1, "Åsa", 100);
	clear();
	pager_link_tick(&link_, 3099);
	assert_int_equal(rec.linelen, 0);
	pager_link_tick(&link_, 3100);
	LINE_IS(SELECT);
	FEED("\x06", 3200);		/* selected, then the block unanswered */
	clear();
	pager_link_tick(&link_, 6199);
	assert_int_equal(rec.linelen, 0);
	pager_link_tick(&link_, 6200);
	LINE_IS(SELECT);
	assert_int_equal(rec.nmsgs, 0);
	clear();
	pager_link_tick(&link_, 9200);
	LINE_IS("\x04");
	assert_int_equal(rec.nmsgs, 2);
	state_is(0, MODEM_FAILED, "no answer 3 times");
	result_is(1, 7, 0, "no answer 3 times");
	/* Late answers change nothing: one result per page. */
	FEED("\x06\x06", 9300);
	assert_int_equal(rec.nmsgs, 2);
}

static void
test_page_when_down_or_busy(void **state)
{
	pager_link_init(&link_, &cf.pager, &rec_ops, &rec, 0);
	clear();
	page(1, "1", 1, "x", 0);
	assert_int_equal(rec.linelen, 0);
	result_is(0, 1, 0, "paging system not ready: no poll answered yet");
	clear();
	ready();
	page(2, "1", 1, "x", 100);
	page(3, "1", 1, "y", 100);
	result_is(0, 3, 0, "another page is in flight on the pager route");
	clear();
	pager_link_down(&link_, "line lost: hung up", 200);
	state_is(0, MODEM_FAILED, "line lost: hung up");
	result_is(1, 2, 0, "line lost: hung up");
	/* Nothing goes on a line that is down. */
	FEED("\x06", 210);
	pager_link_tick(&link_, 100000);
	assert_int_equal(rec.linelen, 0);
	assert_int_equal(rec.nmsgs, 2);
}

static void
test_page_waits_for_poll(void **state)
{
	ready();
	pager_link_tick(&link_, 2010);
	LINE_IS(POLL);
	clear();
	page(4, "1234", 1, "x", 2020);
	assert_int_equal(rec.linelen, 0);	/* the poll has the line */
	FEED("\x04", 2030);
	LINE_IS(SELECT);
}

static void
test_status_bad_bcc_naked_once_reported(void **state)
{
	uint8_t	good[64], bad[64];
	size_t	n = block(good, STATUS6, sizeof(STATUS6) - 1);

	memcpy(bad, good, n);
	bad[n - 1] ^= 0x5a;
	ready();
	pager_link_tick(&link_, 2010);
	clear();
	FEED("1\x05", 2020);
	LINE_IS("\x06");
	clear();
	feed((const char *)bad, n, 2030);
	LINE_IS("\x15");
	assert_int_equal(rec.nmsgs, 0);
	clear();
	feed((const char *)good, n, 2040);
	LINE_IS("\x06");
	assert_int_equal(rec.nmsgs, 1);
	assert_int_equal(rec.type[0], IPC_PAGER_STATUS);
	assert_string_equal(rec.msg[0].status.address, "4711");
	assert_int_equal(rec.msg[0].status.status, 6);
	/* Our ACK lost: the same block again is ACKed, not reported. */
	feed((const char *)good, n, 2050);
	assert_int_equal(rec.nmsgs, 1);
	FEED("\x04", 2060);
	assert_int_equal(pager_link_due(&link_), 4060);
}

static void
test_status_exchange_bounded(void **state)
{
	uint8_t	good[64];
	size_t	n = block(good, STATUS6, sizeof(STATUS6) - 1);
	jtime_t	t;

	ready();
	pager_link_tick(&link_, 2010);		/* the poll: ends by 11010 */
	FEED("1\x05", 2020);
	page(5, "1234", 1, "x", 2030);		/* waits for the poll */
	clear();
	/* The same block again and again, each inside reply_timeout. */
	for (t = 2100; t < 11010; t += 1000) {
		feed((const char *)good, n, t);
		pager_link_tick(&link_, t);
		assert_int_equal(rec.line[0], 0x06);
		assert_true(pager_link_due(&link_) <= 11010);
		clear();
	}
	pager_link_tick(&link_, 11010);
	/* The poll's exchange is over: the page goes. */
	LINE_IS(SELECT);
	/* And is answered within PAGER_ANSWER_TIMEOUTS of its arrival. */
	for (t = 11010; link_.busy; t = pager_link_due(&link_))
		pager_link_tick(&link_, t);
	assert_true(t <= 2030 + PAGER_ANSWER_TIMEOUTS * 3000);
	assert_int_equal(rec.type[rec.nmsgs - 1], IPC_SEND_RESULT);
}

static void
test_status_over_nine_not_passed(void **state)
{
	uint8_t	b[64];
	size_t	n = block(b, STATUS42, sizeof(STATUS42) - 1);

	ready();
	pager_link_tick(&link_, 2010);
	FEED("1\x05", 2020);
	clear();
	feed((const char *)b, n, 2030);
	LINE_IS("\x06");
	assert_int_equal(rec.nmsgs, 0);
}

static void
test_poll_misses(void **state)
{
	ready();
	pager_link_tick(&link_, 2010);			/* poll 1 */
	pager_link_tick(&link_, 5010);			/* unanswered */
	pager_link_tick(&link_, 7010);			/* poll 2 */
	pager_link_tick(&link_, 10010);
	assert_int_equal(rec.nmsgs, 0);
	pager_link_tick(&link_, 12010);			/* poll 3 */
	pager_link_tick(&link_, 15010);
	assert_int_equal(rec.nmsgs, 1);
	state_is(0, MODEM_FAILED, "no answer to 3 polls");
	pager_link_tick(&link_, 17010);
	FEED("\x04", 17020);
	state_is(1, MODEM_READY, NULL);
}

static void
test_enq_storm(void **state)
{
	int	i;

	ready();
	for (i = 0; i < 15; i++)
		FEED("1\x05", 100 + i);
	assert_int_equal(rec.nmsgs, 0);
	assert_int_equal(rec.linelen, 0);
	for (i = 0; i < 200; i++)
		FEED("1\x05", 200 + i);
	/* Once: one report, one EOT. */
	assert_int_equal(rec.nmsgs, 1);
	state_is(0, MODEM_FAILED, "ENQ storm");
	LINE_IS("\x04");
	/* A poll answered while the storm still blows is no recovery. */
	clear();
	pager_link_tick(&link_, 2500);
	FEED("\x04", 2510);
	FEED("1\x05", 2520);
	assert_int_equal(rec.nmsgs, 0);
	/* Quiet for a poll period and a reply timeout: ready again. */
	pager_link_tick(&link_, 4510);
	FEED("\x04", 7000);
	assert_int_equal(rec.nmsgs, 0);
	pager_link_tick(&link_, 9000);
	FEED("\x04", 9010);
	assert_int_equal(rec.nmsgs, 1);
	state_is(0, MODEM_READY, NULL);
}

static void
test_garbage_in_select_is_a_try(void **state)
{
	ready();
	page(7, "1234", 1, "x", 100);
	clear();
	FEED("\xff\x00garbage", 110);
	state_is(0, MODEM_FAILED, "line sent garbage");
	/* EOT takes the line back, then the select again: try 2. */
	LINE_IS("\x04" SELECT);
	assert_int_equal(rec.nmsgs, 1);
	FEED("\x06", 120);
	FEED("\x06", 130);
	assert_int_equal(rec.nmsgs, 3);
	state_is(1, MODEM_READY, NULL);
	result_is(2, 7, 1, NULL);
}

static void
test_too_long_block(void **state)
{
	char	big[ESPA_BLOCK_MAX + 10];

	ready();
	pager_link_tick(&link_, 2010);
	FEED("1\x05", 2020);
	clear();
	big[0] = 0x01;
	memset(big + 1, 'x', sizeof(big) - 1);
	feed(big, sizeof(big), 2030);
	state_is(0, MODEM_FAILED, "block longer than ESPA allows");
	LINE_IS("\x04");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_poll_and_ready, setup),
		cmocka_unit_test_setup(test_page_latin1_exact, setup),
		cmocka_unit_test_setup(test_page_seven_bits_folds, setup),
		cmocka_unit_test_setup(test_nak_then_ack, setup),
		cmocka_unit_test_setup(test_three_naks_fail_then_ready, setup),
		cmocka_unit_test_setup(test_silence_three_tries, setup),
		cmocka_unit_test_setup(test_page_when_down_or_busy, setup),
		cmocka_unit_test_setup(test_page_waits_for_poll, setup),
		cmocka_unit_test_setup(test_status_bad_bcc_naked_once_reported,
		    setup),
		cmocka_unit_test_setup(test_status_exchange_bounded, setup),
		cmocka_unit_test_setup(test_status_over_nine_not_passed, setup),
		cmocka_unit_test_setup(test_poll_misses, setup),
		cmocka_unit_test_setup(test_enq_storm, setup),
		cmocka_unit_test_setup(test_garbage_in_select_is_a_try, setup),
		cmocka_unit_test_setup(test_too_long_block, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
