/*
 * test_metrics.c — /metrics and /healthz drawn from a database seeded by
 * hand: every series' value, the histogram's buckets, and each reason
 * /healthz gives for 503.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/buffer.h>

#include "config.h"
#include "db.h"
#include "jtime.h"
#include "metrics.h"

#define NOW	((jtime_t)1767225600000)	/* 2026-01-01 00:00 UTC */
#define MONO	((jtime_t)5000000)

static char		 dir[64], path[128], out[65536];
static struct db	*db;
static struct config	 cf;

static void
sql(const char *s)
{
	char	*msg = NULL;

	if (sqlite3_exec(db_handle(db), s, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", s, msg);
}

static int
setup(void **state)
{
	char	err[256];

	snprintf(dir, sizeof dir, "/tmp/test_metrics.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/j.db", dir);
	assert_non_null(db = db_open(path, err, sizeof err));
	assert_int_equal(config_load_string("t.conf", "[modem]\n[modem b]\ndevice = var/b\n"
	    "[track akut]\n[track pv]\n", &cf, err, sizeof err), 0);
	return 0;
}

static int
teardown(void **state)
{
	char	f[160];

	db_close(db);
	snprintf(f, sizeof f, "%s/j.db", dir); unlink(f);
	snprintf(f, sizeof f, "%s/j.db-wal", dir); unlink(f);
	snprintf(f, sizeof f, "%s/j.db-shm", dir); unlink(f);
	rmdir(dir);
	return 0;
}

/* Renders /metrics into out. */
static void
render(void)
{
	struct evbuffer	*b = evbuffer_new();
	size_t		 n;

	assert_int_equal(metrics_render(db, &cf, NOW, MONO, b), 0);
	n = evbuffer_get_length(b);
	assert_true(n < sizeof out);
	evbuffer_remove(b, out, n);
	out[n] = '\0';
	evbuffer_free(b);
}

static void
expect_line(const char *line)
{
	char	want[256];

	snprintf(want, sizeof want, "\n%s\n", line);
	if (strstr(out, want) == NULL)
		fail_msg("no line \"%s\" in:\n%s", line, out);
}

/* A consult of track created at NOW - ago_s, acknowledged after ack_s
 * (-1: not), at escalation step max_step. */
static void
consult(const char *track, const char *state, int ago_s, int ack_s,
    int max_step)
{
	char	s[512];

	snprintf(s, sizeof s, "INSERT INTO consults (track, state, requester,"
	    " callback, text, created_at, acked_at, max_step) VALUES ('%s', "
	    "'%s', '+46701', '', 'x', %lld, %s, %d)", track, state,
	    (long long)(NOW - ago_s * 1000LL), ack_s < 0 ? "NULL" :
	    "0", max_step);
	sql(s);
	if (ack_s >= 0) {
		snprintf(s, sizeof s, "UPDATE consults SET acked_at = created_at"
		    " + %d WHERE id = last_insert_rowid()", ack_s * 1000);
		sql(s);
	}
}

static void
test_render(void **state)
{
	char	s[512];

	consult("akut", "acknowledged", 3600, 45, 0);	/* le 60 */
	consult("akut", "resolved", 3000, 30, 1);	/* le 30 exactly */
	consult("akut", "resolved", 2000, 700, 2);	/* le 1800 */
	consult("akut", "unanswered", 1000, -1, 3);
	consult("akut", "open", 100, -1, 0);
	consult("pv", "acknowledged", 500, 5000, 0);	/* +Inf only */
	snprintf(s, sizeof s, "INSERT INTO outbox (to_phone, text, kind, state,"
	    " next_attempt_at, created_at, route) VALUES"
	    " ('+4670', 'p', 'page', 'sent', 0, 0, 'main'),"
	    " ('+4670', 'p', 'page', 'sent', 0, 0, 'main'),"
	    " ('+4670', 'p', 'page', 'sent', 0, 0, 'b'),"
	    " ('+4670', 'r', 'reply', 'sent', 0, 0, 'b'),"
	    " ('+4670', 'p', 'page', 'queued', 0, %lld, NULL),"
	    " ('+4670', 'p', 'reply', 'sending', 0, %lld, 'main')",
	    (long long)(NOW - 90000), (long long)(NOW - 20000));
	sql(s);
	snprintf(s, sizeof s, "INSERT INTO inbox (dedup, sender, smsc_at, "
	    "received_at, parts, text, verb, outcome) VALUES ('a', '+4670', 0,"
	    " %lld, 1, 'x', 'v', 'o'), ('b', '+4670', 0, %lld, 1, 'x', 'v', "
	    "'o')", (long long)(NOW - 7000), (long long)(NOW - 9000));
	sql(s);
	sql("INSERT INTO status VALUES ('route:main:state', 'ready', 0),"
	    " ('route:b:state', 'failed', 0)");

	render();
	expect_line("# TYPE jourd_consults gauge");
	expect_line("jourd_consults{track=\"akut\",state=\"open\"} 1");
	expect_line("jourd_consults{track=\"akut\",state=\"resolved\"} 2");
	expect_line("jourd_consults{track=\"akut\",state=\"queued\"} 0");
	expect_line("jourd_consults{track=\"pv\",state=\"acknowledged\"} 1");
	expect_line("# TYPE jourd_pages_sent_total counter");
	expect_line("jourd_pages_sent_total{route=\"main\"} 2");
	expect_line("jourd_pages_sent_total{route=\"b\"} 1");
	expect_line("# TYPE jourd_ack_seconds histogram");
	expect_line("jourd_ack_seconds_bucket{track=\"akut\",le=\"30\"} 1");
	expect_line("jourd_ack_seconds_bucket{track=\"akut\",le=\"60\"} 2");
	expect_line("jourd_ack_seconds_bucket{track=\"akut\",le=\"600\"} 2");
	expect_line("jourd_ack_seconds_bucket{track=\"akut\",le=\"1800\"} 3");
	expect_line("jourd_ack_seconds_bucket{track=\"akut\",le=\"+Inf\"} 3");
	expect_line("jourd_ack_seconds_sum{track=\"akut\"} 775");
	expect_line("jourd_ack_seconds_count{track=\"akut\"} 3");
	expect_line("jourd_ack_seconds_bucket{track=\"pv\",le=\"3600\"} 0");
	expect_line("jourd_ack_seconds_bucket{track=\"pv\",le=\"+Inf\"} 1");
	expect_line("jourd_outbox_queued 2");
	expect_line("jourd_outbox_oldest_queued_seconds 90");
	expect_line("jourd_route_up{route=\"main\",kind=\"modem\"} 1");
	expect_line("jourd_route_up{route=\"b\",kind=\"modem\"} 0");
	expect_line("jourd_last_inbound_sms_timestamp_seconds 1767225593");
	expect_line("jourd_consults_escalated_total{track=\"akut\"} 3");
	expect_line("jourd_consults_escalated_total{track=\"pv\"} 0");
	expect_line("jourd_consults_unanswered_total{track=\"akut\"} 1");
}

static void
beat(jtime_t wall, jtime_t mono)
{
	char	s[256];

	snprintf(s, sizeof s, "INSERT OR REPLACE INTO status VALUES "
	    "('heartbeat', '%lld', %lld), ('heartbeat_mono', '%lld', %lld)",
	    (long long)wall, (long long)wall, (long long)mono, (long long)wall);
	sql(s);
}

static void
test_health(void **state)
{
	char	why[256];

	assert_int_equal(metrics_health(db, &cf, NOW, MONO, why, sizeof why), 0);
	assert_string_equal(why, "jourd is not running (no heartbeat)");
	beat(NOW - 5000, MONO - 5000);
	assert_int_equal(metrics_health(db, &cf, NOW, MONO, why, sizeof why), 0);
	assert_string_equal(why, "no SMS route is healthy");
	sql("INSERT OR REPLACE INTO status VALUES ('route:b:state', 'ready', 0)");
	assert_int_equal(metrics_health(db, &cf, NOW, MONO, why, sizeof why), 1);
	assert_string_equal(why, "ok");
	sql("INSERT OR REPLACE INTO status VALUES ('route:b:trouble_since', "
	    "'1', 0)");
	assert_int_equal(metrics_health(db, &cf, NOW, MONO, why, sizeof why), 0);
	sql("INSERT OR REPLACE INTO status VALUES ('route:b:trouble_since', "
	    "'', 0)");
	assert_int_equal(metrics_health(db, &cf, NOW, MONO, why, sizeof why), 1);
	/* A stale monotonic beat is stale whatever the wall clock says. */
	beat(NOW - 5000, MONO - 60000);
	assert_int_equal(metrics_health(db, &cf, NOW, MONO, why, sizeof why), 0);
	assert_string_equal(why, "jourd's heartbeat is 60 s old");
	beat(0, 0);
	assert_int_equal(metrics_health(db, &cf, NOW, MONO, why, sizeof why), 0);
	assert_string_equal(why, "jourd is not running (no heartbeat)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_render, setup, teardown),
		cmocka_unit_test_setup_teardown(test_health, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
