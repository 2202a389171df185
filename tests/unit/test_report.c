/*
 * test_report.c — the report's arithmetic (nearest-rank percentiles, rates,
 * row sums) and one whole report over a temporary database.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <math.h>

#include <cmocka.h>

#include "ctl.h"
#include "db.h"
#include "jtime.h"

static void
test_percentile_nearest_rank(void **state)
{
	int64_t	v[] = { 50, 15, 40, 20, 35 };	/* sorted: 15 20 35 40 50 */
	int64_t	ten[10];
	int64_t	one[] = { 7 };
	int	i;

	/* rank = ceil(p * n / 100): 30% of 5 is rank 2, 40% rank 2, 50% rank 3. */
	assert_int_equal(report_percentile(v, 5, 30), 20);
	assert_int_equal(report_percentile(v, 5, 40), 20);
	assert_int_equal(report_percentile(v, 5, 50), 35);
	assert_int_equal(report_percentile(v, 5, 100), 50);
	assert_int_equal(report_percentile(v, 5, 1), 15);
	/* The input is sorted in place. */
	assert_int_equal(v[0], 15);
	assert_int_equal(v[4], 50);

	for (i = 0; i < 10; i++)
		ten[i] = (10 - i) * 1000;	/* 10000 … 1000 */
	assert_int_equal(report_percentile(ten, 10, 50), 5000);
	/* Exactly at a rank boundary: 90% of 10 is rank 9, not 10. */
	assert_int_equal(report_percentile(ten, 10, 90), 9000);
	assert_int_equal(report_percentile(ten, 10, 91), 10000);

	assert_int_equal(report_percentile(one, 1, 50), 7);
	assert_int_equal(report_percentile(one, 1, 90), 7);
	assert_int_equal(report_percentile(one, 0, 50), -1);
}

/* The small counts a rural unit has in a month, worked out by hand. */
static void
test_percentile_small_counts(void **state)
{
	int64_t	two[] = { 90, 30 };
	int64_t	three[] = { 300, 45, 60 };
	int64_t	four[] = { 120, 30, 60, 45 };

	/* n = 2: p50 is rank 1 (ceil 1.0), p90 rank 2 (ceil 1.8). */
	assert_int_equal(report_percentile(two, 2, 50), 30);
	assert_int_equal(report_percentile(two, 2, 90), 90);
	/* n = 3: p50 rank 2 (ceil 1.5), p90 rank 3 (ceil 2.7). */
	assert_int_equal(report_percentile(three, 3, 50), 60);
	assert_int_equal(report_percentile(three, 3, 90), 300);
	/* n = 4: p50 rank 2 (ceil 2.0), not the mean of 45 and 60; p90 rank 4. */
	assert_int_equal(report_percentile(four, 4, 50), 45);
	assert_int_equal(report_percentile(four, 4, 90), 120);
	assert_int_equal(report_percentile(four, 4, 25), 30);
	assert_int_equal(report_percentile(four, 4, 26), 45);
}

static void
test_rate(void **state)
{
	assert_true(fabs(report_rate(1, 3) - 0.333) < 1e-9);
	assert_true(fabs(report_rate(2, 3) - 0.667) < 1e-9);
	assert_true(fabs(report_rate(0, 4) - 0.0) < 1e-9);
	assert_true(fabs(report_rate(4, 4) - 1.0) < 1e-9);
	assert_true(fabs(report_rate(1, 8) - 0.125) < 1e-9);
	assert_true(isnan(report_rate(0, 0)));
}

static void
test_row_add(void **state)
{
	struct report_row	r;
	struct report_sample	s;

	memset(&r, 0, sizeof(r));
	memset(&s, 0, sizeof(s));
	s.created_at = 1000000;
	s.acked_at = s.created_at + 95000;
	s.resolved_at = s.created_at + 2400000;
	s.pages = 1;
	s.outcome = 0;
	assert_int_equal(report_row_add(&r, &s), 0);

	memset(&s, 0, sizeof(s));
	s.created_at = 2000000;
	s.unanswered = true;
	s.escalated = true;
	s.pages = 3;
	s.outcome = -1;
	assert_int_equal(report_row_add(&r, &s), 0);

	memset(&s, 0, sizeof(s));
	s.created_at = 3000000;
	s.acked_at = s.created_at + 420000;
	s.escalated = true;
	s.pages = 2;
	s.outcome = 2;
	assert_int_equal(report_row_add(&r, &s), 0);

	assert_int_equal(r.consults, 3);
	assert_int_equal(r.acknowledged, 2);
	assert_int_equal(r.unanswered, 1);
	assert_int_equal(r.escalated, 2);
	assert_int_equal(r.resolved, 1);
	assert_int_equal(r.pages, 6);
	assert_int_equal(r.outcomes[0], 1);
	assert_int_equal(r.outcomes[1], 0);
	assert_int_equal(r.outcomes[2], 1);
	assert_int_equal(r.nack, 2);
	assert_int_equal(report_percentile(r.ack_ms, r.nack, 50), 95000);
	assert_int_equal(report_percentile(r.ack_ms, r.nack, 90), 420000);
	assert_int_equal(r.nresolve, 1);
	assert_int_equal(r.resolve_ms[0], 2400000);
	report_row_free(&r);
	assert_null(r.ack_ms);
	assert_int_equal(r.nack, 0);
}

/* A whole report through ctl_report, --json, over a small database. */
struct fixture {
	char		 dir[64];
	char		 dbpath[128];
	char		 outpath[128];
	struct ctl	 c;
};

static void
exec_sql(struct db *db, const char *sql)
{
	char	*msg = NULL;

	if (sqlite3_exec(db_handle(db), sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("sql: %s", msg);
}

static int
setup_db(void **state)
{
	struct fixture	*f = calloc(1, sizeof(*f));
	char		 err[256];

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_report.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->dbpath, sizeof(f->dbpath), "%s/jourd.db", f->dir);
	snprintf(f->outpath, sizeof(f->outpath), "%s/out.json", f->dir);
	if ((f->c.db = db_open(f->dbpath, err, sizeof(err))) == NULL)
		fail_msg("db_open: %s", err);
	snprintf(f->c.cf.outcomes[0], WORD_MAX, "INL");
	snprintf(f->c.cf.outcomes[1], WORD_MAX, "RAD");
	f->c.cf.noutcomes = 2;
	f->c.json = true;
	f->c.now = 1800000000000LL;

	/*
	 * Four consults in the window and one before it:
	 * 1 akut KARD: acked after 95 s by A, resolved after 40 min (INL).
	 * 2 akut KARD: escalated, acked after 420 s by B (lower-case outcome).
	 * 3 akut GER: unanswered after 3 steps, nobody acked.
	 * 4 mdk KARD+GER: KARD acked by A after 180 s; GER still paging.
	 * 5 akut rejected: counted apart.
	 * 6 akut KARD before --since: left out.
	 */
	/* The codes the database lets consults hold (009_outcomes.sql). */
	exec_sql(f->c.db,
	    "INSERT INTO outcomes (code) VALUES ('INL'), ('rad');"
	    "INSERT INTO consults (id, track, state, requester, callback, text,"
	    " created_at, acked_at, acked_by, resolved_at, outcome, pages_sent,"
	    " max_step) VALUES"
	    " (1, 'akut', 'resolved', '+46701', '', 't', 1000000, 1095000, 'A',"
	    "  3400000, 'INL', 1, 0),"
	    " (2, 'akut', 'acknowledged', '+46702', '', 't', 2000000, 2420000,"
	    "  'B', NULL, 'rad', 2, 1),"
	    " (3, 'akut', 'unanswered', '+46703', '', 't', 3000000, NULL, NULL,"
	    "  NULL, NULL, 3, 2),"
	    " (4, 'mdk', 'open', '+46701', '', 't', 4000000, NULL, NULL, NULL,"
	    "  NULL, 2, 0),"
	    " (5, 'akut', 'rejected', '+46701', '', 't', 5000000, NULL, NULL,"
	    "  NULL, NULL, 0, -1),"
	    " (6, 'akut', 'resolved', '+46701', '', 't', 10, 20, 'A', 30, 'INL',"
	    "  1, 0);"
	    "INSERT INTO legs (consult_id, idx, unit, state, step, acked_at,"
	    " acked_by) VALUES"
	    " (1, 0, 'KARD', 'acked', 0, 1095000, 'A'),"
	    " (2, 0, 'KARD', 'acked', 1, 2420000, 'B'),"
	    " (3, 0, 'GER', 'unanswered', 2, NULL, NULL),"
	    " (4, 0, 'KARD', 'acked', 0, 4180000, 'A'),"
	    " (4, 1, 'GER', 'paging', 0, NULL, NULL),"
	    " (6, 0, 'KARD', 'acked', 0, 20, 'A');"
	    "INSERT INTO pages (consult_id, leg, to_phone, role, step, code,"
	    " created_at) VALUES"
	    " (1, 0, 'A', 'primary', 0, 1, 1000000),"
	    " (2, 0, 'A', 'primary', 0, 1, 2000000),"
	    " (2, 0, 'B', 'backup', 1, 1, 2300000),"
	    " (3, 0, 'C', 'primary', 0, 1, 3000000),"
	    " (3, 0, 'D', 'backup', 1, 1, 3300000),"
	    " (3, 0, 'E', 'chief', 2, 1, 3600000),"
	    " (4, 0, 'A', 'mdk', 0, 2, 4000000),"
	    " (4, 1, 'C', 'mdk', 0, 2, 4000000);"
	    "INSERT INTO people (phone, name, title, unit, can_request) VALUES"
	    " ('A', 'Anna Ö', 'x', 'KARD', 0);");
	*state = f;
	return 0;
}

static int
teardown_db(void **state)
{
	struct fixture	*f = *state;
	char		 path[192];
	static const char *names[] = { "jourd.db", "jourd.db-wal",
	    "jourd.db-shm", "out.json" };
	size_t		 i;

	db_close(f->c.db);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", f->dir, names[i]);
		unlink(path);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

/* Runs ctl_report with stdout sent to a file; returns the output (freed by caller). */
static char *
run_report(struct fixture *f, const char *by, jtime_t since, jtime_t until,
    int *rc)
{
	struct ctl_options	 o;
	FILE			*fp;
	char			*buf;
	long			 len;
	int			 saved;

	memset(&o, 0, sizeof(o));
	o.by = (char *)by;
	o.since = since;
	o.until = until;
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	assert_non_null(freopen(f->outpath, "w", stdout));
	*rc = ctl_report(&f->c, &o);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	clearerr(stdout);

	fp = fopen(f->outpath, "r");
	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	rewind(fp);
	buf = calloc(1, (size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, fp), (size_t)len);
	fclose(fp);
	return buf;
}

static void
expect(const char *out, const char *want)
{
	if (strstr(out, want) == NULL)
		fail_msg("missing:\n%s\nin:\n%s", want, out);
}

static void
test_report_by_track(void **state)
{
	struct fixture	*f = *state;
	char		*out;
	int		 rc;

	out = run_report(f, "track", 500000, 0, &rc);
	assert_int_equal(rc, CTL_OK);
	expect(out, "\"by\": \"track\"");
	expect(out, "\"percentile_method\": \"nearest-rank\"");
	expect(out,
	    "        \"key\": \"akut\",\n"
	    "        \"consults\": 3,\n"
	    "        \"acknowledged\": 2,\n"
	    "        \"unanswered\": 1,\n"
	    "        \"escalated\": 2,\n"
	    "        \"escalation_rate\": 0.667,\n"
	    "        \"unanswered_rate\": 0.333,\n"
	    "        \"ack_p50_s\": 95,\n"
	    "        \"ack_p90_s\": 420,\n"
	    "        \"resolve_p50_s\": 2400,\n"
	    "        \"resolved\": 1,\n"
	    "        \"pages\": 6,\n"
	    "        \"outcomes\": {\n"
	    "          \"INL\": 1,\n"
	    "          \"RAD\": 1\n");
	expect(out,
	    "        \"key\": \"mdk\",\n"
	    "        \"consults\": 1,\n"
	    "        \"acknowledged\": 0,\n"
	    "        \"unanswered\": 0,\n"
	    "        \"escalated\": 0,\n"
	    "        \"escalation_rate\": 0.000,\n"
	    "        \"unanswered_rate\": 0.000,\n"
	    "        \"ack_p50_s\": null,\n");
	/* The total counts each consult once; the rejected one apart. */
	expect(out,
	    "    \"total\": {\n"
	    "      \"consults\": 4,\n"
	    "      \"acknowledged\": 2,\n");
	expect(out, "      \"rejected\": 1\n");
	free(out);
}

static void
test_report_by_unit(void **state)
{
	struct fixture	*f = *state;
	char		*out;
	int		 rc;

	out = run_report(f, "unit", 500000, 0, &rc);
	assert_int_equal(rc, CTL_OK);
	/* GER: consults 3 and 4; one leg unanswered; page rows of its legs. */
	expect(out,
	    "        \"key\": \"GER\",\n"
	    "        \"name\": null,\n"
	    "        \"consults\": 2,\n"
	    "        \"acknowledged\": 0,\n"
	    "        \"unanswered\": 1,\n"
	    "        \"escalated\": 1,\n");
	expect(out, "        \"pages\": 4,\n");
	/* KARD: consults 1, 2 and 4, each leg's own acknowledgement. */
	expect(out,
	    "        \"key\": \"KARD\",\n"
	    "        \"name\": null,\n"
	    "        \"consults\": 3,\n"
	    "        \"acknowledged\": 3,\n"
	    "        \"unanswered\": 0,\n"
	    "        \"escalated\": 1,\n"
	    "        \"escalation_rate\": 0.333,\n"
	    "        \"unanswered_rate\": 0.000,\n"
	    "        \"ack_p50_s\": 180,\n"
	    "        \"ack_p90_s\": 420,\n");
	expect(out, "      \"consults\": 4,\n");
	free(out);
}

static void
test_report_by_responder(void **state)
{
	struct fixture	*f = *state;
	char		*out;
	int		 rc;

	out = run_report(f, "responder", 500000, 0, &rc);
	assert_int_equal(rc, CTL_OK);
	expect(out,
	    "        \"key\": \"A\",\n"
	    "        \"name\": \"Anna Ö\",\n"
	    "        \"consults\": 2,\n"
	    "        \"acknowledged\": 2,\n"
	    "        \"unanswered\": 0,\n"
	    "        \"escalated\": 0,\n"
	    "        \"escalation_rate\": 0.000,\n"
	    "        \"unanswered_rate\": 0.000,\n"
	    "        \"ack_p50_s\": 95,\n"
	    "        \"ack_p90_s\": 180,\n");
	expect(out,
	    "        \"key\": \"B\",\n"
	    "        \"name\": null,\n"
	    "        \"consults\": 1,\n"
	    "        \"acknowledged\": 1,\n"
	    "        \"unanswered\": 0,\n"
	    "        \"escalated\": 1,\n");
	free(out);
}

static void
test_report_window(void **state)
{
	struct fixture	*f = *state;
	char		*out;
	int		 rc;

	/* Without --since consult 6 counts too; --until cuts after 2. */
	out = run_report(f, "track", 0, 2500000, &rc);
	assert_int_equal(rc, CTL_OK);
	expect(out, "\"since\": null");
	expect(out,
	    "        \"key\": \"akut\",\n"
	    "        \"consults\": 3,\n"
	    "        \"acknowledged\": 3,\n");
	assert_null(strstr(out, "\"key\": \"mdk\""));
	free(out);

	/* Nothing in the window: rates are null, not a division by zero. */
	out = run_report(f, "track", 9000000, 9900000, &rc);
	assert_int_equal(rc, CTL_OK);
	expect(out, "\"rows\": []");
	expect(out, "      \"consults\": 0,\n");
	expect(out, "      \"escalation_rate\": null,\n");
	free(out);

	/* A bad --by is a usage error and prints nothing. */
	out = run_report(f, "ward", 0, 0, &rc);
	assert_int_equal(rc, CTL_USAGE);
	assert_string_equal(out, "");
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_percentile_nearest_rank),
		cmocka_unit_test(test_percentile_small_counts),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_row_add),
		cmocka_unit_test_setup_teardown(test_report_by_track, setup_db,
		    teardown_db),
		cmocka_unit_test_setup_teardown(test_report_by_unit, setup_db,
		    teardown_db),
		cmocka_unit_test_setup_teardown(test_report_by_responder,
		    setup_db, teardown_db),
		cmocka_unit_test_setup_teardown(test_report_window, setup_db,
		    teardown_db),
	};

	jtime_zone();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
