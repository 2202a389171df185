/*
 * test_coverage.c — the roster's gaps ahead: the spans a role must be held
 * (merged, opening hours, a health centre within a track) and the parts no
 * shift covers. Times are worked out by hand in Europe/Stockholm.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "coverage.h"
#include "jtime.h"

#define H	JT_HOUR
#define D	(24 * JT_HOUR)

static struct coverage_need	need;

/* A Stockholm wall-clock time, "YYYY-MM-DD HH:MM". */
static jtime_t
at(const char *s)
{
	jtime_t	t;

	assert_int_equal(jtime_parse(s, &t), 0);
	return t;
}

static struct shift
shift(jtime_t start, jtime_t end, bool override)
{
	struct shift	s;

	memset(&s, 0, sizeof(s));
	snprintf(s.unit, sizeof(s.unit), "KARD");
	snprintf(s.role, sizeof(s.role), "primary");
	snprintf(s.phone, sizeof(s.phone), "+46701740638");
	s.start = start;
	s.end = end;
	s.override = override;
	return s;
}

static int
setup(void **state)
{
	coverage_need_init(&need);
	return 0;
}

static void
test_need_merges(void **state)
{
	jtime_t	t = at("2026-12-01 00:00");

	assert_int_equal(coverage_need_add(&need, t + 10 * H, t + 12 * H), 0);
	assert_int_equal(coverage_need_add(&need, t, t + 2 * H), 0);
	assert_int_equal(coverage_need_add(&need, t + 5 * H, t + 6 * H), 0);
	assert_int_equal(need.n, 3);
	assert_true(need.s[0].from == t && need.s[1].from == t + 5 * H &&
	    need.s[2].from == t + 10 * H);
	/* Touching the first, overlapping the second: one span. */
	assert_int_equal(coverage_need_add(&need, t + 2 * H, t + 5 * H + 1), 0);
	assert_int_equal(need.n, 2);
	assert_true(need.s[0].from == t && need.s[0].to == t + 6 * H);
	/* Covering everything. */
	assert_int_equal(coverage_need_add(&need, t - H, t + 20 * H), 0);
	assert_int_equal(need.n, 1);
	assert_true(need.s[0].from == t - H && need.s[0].to == t + 20 * H);
	/* Empty spans add nothing. */
	assert_int_equal(coverage_need_add(&need, t + 30 * H, t + 30 * H), 0);
	assert_int_equal(need.n, 1);
}

static void
test_need_full(void **state)
{
	jtime_t	t = at("2026-12-01 00:00");
	size_t	i;

	for (i = 0; i < COVERAGE_SPANS_MAX; i++)
		assert_int_equal(coverage_need_add(&need, t + (jtime_t)i * 2 * H,
		    t + (jtime_t)i * 2 * H + H), 0);
	assert_int_equal(need.n, COVERAGE_SPANS_MAX);
	assert_int_equal(coverage_need_add(&need, t - 5 * H, t - 4 * H), -1);
	assert_int_equal(need.n, COVERAGE_SPANS_MAX);
	/* Merging into a span still works when full. */
	assert_int_equal(coverage_need_add(&need, t + H, t + 2 * H), 0);
	assert_int_equal(need.n, COVERAGE_SPANS_MAX - 1);
}

/* Christmas week 2026: Julafton (Thursday), Juldagen and Annandag jul are
 * closed, so a weekday rule opens Monday to Wednesday only, 08:00-17:00
 * local (07:00-16:00 UTC in winter). */
static void
test_need_open_christmas(void **state)
{
	struct open_rule	r = { OPEN_WEEKDAYS, 8 * 60, 17 * 60 };

	assert_int_equal(coverage_need_open(&need, NULL, &r, NULL,
	    at("2026-12-21 00:00"), at("2026-12-28 00:00")), 0);
	assert_int_equal(need.n, 3);
	assert_true(need.s[0].from == at("2026-12-21 08:00"));
	assert_true(need.s[0].to == at("2026-12-21 17:00"));
	assert_true(need.s[2].from == at("2026-12-23 08:00"));
	assert_true(need.s[2].to == at("2026-12-23 17:00"));
}

/* A horizon starting mid-opening is cut at its start and its end. */
static void
test_need_open_cut(void **state)
{
	struct open_rule	r = { OPEN_WEEKDAYS, 8 * 60, 17 * 60 };

	assert_int_equal(coverage_need_open(&need, NULL, &r, NULL,
	    at("2026-12-01 12:00"), at("2026-12-02 09:00")), 0);
	assert_int_equal(need.n, 2);
	assert_true(need.s[0].from == at("2026-12-01 12:00"));
	assert_true(need.s[0].to == at("2026-12-01 17:00"));
	assert_true(need.s[1].from == at("2026-12-02 08:00"));
	assert_true(need.s[1].to == at("2026-12-02 09:00"));
}

/* pv: the track always open, the health centre 08:00-17:00 on weekdays;
 * a track open 09:00-12:00 within a centre open 08:00-17:00. */
static void
test_need_open_within(void **state)
{
	struct open_rule	always = { OPEN_ALWAYS, 0, 0 };
	struct open_rule	centre = { OPEN_WEEKDAYS, 8 * 60, 17 * 60 };
	struct open_rule	morning = { OPEN_WEEKDAYS, 9 * 60, 12 * 60 };

	assert_int_equal(coverage_need_open(&need, NULL, &always, &centre,
	    at("2026-12-04 00:00"), at("2026-12-08 00:00")), 0);
	/* Friday and Monday. */
	assert_int_equal(need.n, 2);
	assert_true(need.s[0].from == at("2026-12-04 08:00"));
	assert_true(need.s[1].to == at("2026-12-07 17:00"));
	coverage_need_init(&need);
	assert_int_equal(coverage_need_open(&need, NULL, &morning, &centre,
	    at("2026-12-04 00:00"), at("2026-12-05 00:00")), 0);
	assert_int_equal(need.n, 1);
	assert_true(need.s[0].from == at("2026-12-04 09:00"));
	assert_true(need.s[0].to == at("2026-12-04 12:00"));
	/* Always within always: the whole horizon. */
	coverage_need_init(&need);
	assert_int_equal(coverage_need_open(&need, NULL, &always, &always,
	    at("2026-12-04 00:00"), at("2026-12-05 00:00")), 0);
	assert_int_equal(need.n, 1);
	assert_true(need.s[0].to - need.s[0].from == D);
}

static void
test_gaps_none(void **state)
{
	jtime_t			t = at("2026-11-16 08:00");
	struct shift		s[3];
	struct coverage_gap	g[4];

	/* Weekly shifts, given out of order, the horizon inside them. */
	s[0] = shift(t + 14 * D, t + 21 * D, false);
	s[1] = shift(t, t + 7 * D, false);
	s[2] = shift(t + 7 * D, t + 14 * D, false);
	coverage_need_add(&need, t + H, t + 15 * D);
	assert_int_equal(coverage_gaps(s, 3, &need, g, 4), 0);
	assert_int_equal(coverage_gaps(NULL, 0, &need, g, 4), 1);
	assert_true(g[0].from == t + H && g[0].to == t + 15 * D);
}

/* The scenario of issue 13: a hole of one day, nine days ahead. */
static void
test_gaps_hole(void **state)
{
	jtime_t			t = at("2026-11-16 08:00");
	struct shift		s[2];
	struct coverage_gap	g[4];

	s[0] = shift(t - D, t + 9 * D, false);
	s[1] = shift(t + 10 * D, t + 20 * D, false);
	coverage_need_add(&need, t, t + 14 * D);
	assert_int_equal(coverage_gaps(s, 2, &need, g, 4), 1);
	assert_true(g[0].from == t + 9 * D);
	assert_true(g[0].to == t + 10 * D);
	assert_string_equal(g[0].unit, "");
}

/* Overlapping shifts and an override cover together; gaps at both ends. */
static void
test_gaps_overlap_and_ends(void **state)
{
	jtime_t			t = at("2026-11-16 08:00");
	struct shift		s[4];
	struct coverage_gap	g[4];

	s[0] = shift(t + 2 * H, t + 10 * H, false);
	s[1] = shift(t + 4 * H, t + 6 * H, false);	/* inside s[0] */
	s[2] = shift(t + 9 * H, t + 12 * H, true);	/* override, overlaps */
	s[3] = shift(t + 12 * H, t + 13 * H, false);	/* touches */
	coverage_need_add(&need, t, t + D);
	assert_int_equal(coverage_gaps(s, 4, &need, g, 4), 2);
	assert_true(g[0].from == t && g[0].to == t + 2 * H);
	assert_true(g[1].from == t + 13 * H && g[1].to == t + D);
}

/* Nobody holds the role on two weekday openings: one gap from the first
 * opening to the end of the second, as the night between is not needed; a
 * shift that covers only the night does not split it; one that covers part
 * of Tuesday's opening does. */
static void
test_gaps_across_closed_time(void **state)
{
	struct open_rule	r = { OPEN_WEEKDAYS, 8 * 60, 17 * 60 };
	struct shift		s[2];
	struct coverage_gap	g[4];

	coverage_need_open(&need, NULL, &r, NULL, at("2026-12-01 00:00"),
	    at("2026-12-03 00:00"));
	s[0] = shift(at("2026-12-01 18:00"), at("2026-12-02 07:00"), false);
	assert_int_equal(coverage_gaps(s, 1, &need, g, 4), 1);
	assert_true(g[0].from == at("2026-12-01 08:00"));
	assert_true(g[0].to == at("2026-12-02 17:00"));
	s[1] = shift(at("2026-12-02 07:00"), at("2026-12-02 09:00"), false);
	assert_int_equal(coverage_gaps(s, 2, &need, g, 4), 2);
	assert_true(g[0].to == at("2026-12-01 17:00"));
	assert_true(g[1].from == at("2026-12-02 09:00"));
	assert_true(g[1].to == at("2026-12-02 17:00"));
}

/* More gaps than room: counted, at most max written, nothing beyond. */
static void
test_gaps_bounded(void **state)
{
	jtime_t			t = at("2026-11-16 08:00");
	struct shift		s[5];
	struct coverage_gap	g[3];
	int			i;

	for (i = 0; i < 5; i++)
		s[i] = shift(t + (2 * i + 1) * H, t + (2 * i + 2) * H, false);
	coverage_need_add(&need, t, t + 11 * H);
	memset(g, 0x55, sizeof(g));
	assert_int_equal(coverage_gaps(s, 5, &need, g, 2), 6);
	assert_true(g[0].from == t && g[0].to == t + H);
	assert_true(g[1].from == t + 2 * H && g[1].to == t + 3 * H);
	assert_int_equal(g[2].from, 0x5555555555555555LL);
	assert_int_equal(coverage_gaps(s, 5, &need, NULL, 0), 6);
}

/* A shift with nothing needed, or an empty need: no gap. */
static void
test_gaps_empty_need(void **state)
{
	jtime_t			t = at("2026-11-16 08:00");
	struct shift		s[1];
	struct coverage_gap	g[1];

	s[0] = shift(t, t + H, false);
	assert_int_equal(coverage_gaps(s, 1, &need, g, 1), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_need_merges, setup),
		cmocka_unit_test_setup(test_need_full, setup),
		cmocka_unit_test_setup(test_need_open_christmas, setup),
		cmocka_unit_test_setup(test_need_open_cut, setup),
		cmocka_unit_test_setup(test_need_open_within, setup),
		cmocka_unit_test_setup(test_gaps_none, setup),
		cmocka_unit_test_setup(test_gaps_hole, setup),
		cmocka_unit_test_setup(test_gaps_overlap_and_ends, setup),
		cmocka_unit_test_setup(test_gaps_across_closed_time, setup),
		cmocka_unit_test_setup(test_gaps_bounded, setup),
		cmocka_unit_test_setup(test_gaps_empty_need, setup),
	};

	if (!jtime_zone()) {
		fprintf(stderr, "Europe/Stockholm cannot be loaded\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
