/*
 * test_jtime.c — Stockholm wall-clock conversions, daylight saving
 * included, the short and ISO formats, and steps of the wall clock told
 * from the monotonic one.
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

#include "jtime.h"

/* 2026-11-22T00:00:00Z and 2026-07-01T00:00:00Z in ms. */
#define T_20261122	((jtime_t)1795305600 * 1000)
#define T_20260701	((jtime_t)1782864000 * 1000)

static int
setup(void **state)
{
	/* Even a caller with another zone must get Stockholm. */
	setenv("TZ", "America/New_York", 1);
	return jtime_zone() ? 0 : -1;
}

static jtime_t
parse(const char *s)
{
	jtime_t	t = -42;

	if (jtime_parse(s, &t) != 0)
		print_error("jtime_parse(\"%s\") failed\n", s);
	assert_int_equal(jtime_parse(s, &t), 0);
	return t;
}

static const char *
iso(jtime_t t)
{
	static char	buf[64];

	return jtime_iso(t, buf, sizeof buf);
}

static void
test_offsets(void **state)
{
	/* Winter: CET, +01:00. */
	assert_int_equal(parse("2026-11-22 10:15"), T_20261122 + 9 * JT_HOUR +
	    15 * JT_MINUTE);
	assert_string_equal(iso(T_20261122 + 9 * JT_HOUR + 15 * JT_MINUTE +
	    3 * JT_SECOND), "2026-11-22T10:15:03+01:00");
	/* Summer: CEST, +02:00. */
	assert_int_equal(parse("2026-07-01 02:00"), T_20260701);
	assert_string_equal(iso(T_20260701), "2026-07-01T02:00:00+02:00");
	/* The epoch itself, and the ms part is dropped, not rounded. */
	assert_string_equal(iso(999), "1970-01-01T01:00:00+01:00");
	assert_string_equal(iso(-1), "1970-01-01T00:59:59+01:00");
}

static void
test_spring_forward(void **state)
{
	jtime_t	before, gap, after;

	/* 2027-03-28: 02:00 CET jumps to 03:00 CEST at 01:00 UTC. */
	before = parse("2027-03-28 01:59");
	assert_string_equal(iso(before), "2027-03-28T01:59:00+01:00");
	after = parse("2027-03-28 03:00");
	assert_string_equal(iso(after), "2027-03-28T03:00:00+02:00");
	assert_int_equal(after - before, JT_MINUTE);

	/* A time in the gap is read as after the jump. */
	gap = parse("2027-03-28 02:30");
	assert_string_equal(iso(gap), "2027-03-28T03:30:00+02:00");
	assert_int_equal(gap, parse("2027-03-28 03:30"));
	assert_int_equal(parse("2027-03-28 02:00"), after);
	assert_string_equal(iso(parse("2027-03-28 02:59")),
	    "2027-03-28T03:59:00+02:00");
}

/* A wall-clock time that must exist: the skipped hour is told apart. */
static void
test_parse_wall(void **state)
{
	jtime_t	v;

	assert_int_equal(jtime_parse_wall("2027-03-28 02:30", &v), JTIME_GAP);
	assert_int_equal(jtime_parse_wall("2027-03-28 02:00", &v), JTIME_GAP);
	assert_int_equal(jtime_parse_wall("2027-03-28 02:59", &v), JTIME_GAP);
	assert_int_equal(jtime_parse_wall("2030-03-31 02:30", &v), JTIME_GAP);
	assert_int_equal(jtime_parse_wall("2027-03-28 01:59", &v), 0);
	assert_int_equal(v, parse("2027-03-28 01:59"));
	assert_int_equal(jtime_parse_wall("2027-03-28 03:00", &v), 0);
	assert_int_equal(v, parse("2027-03-28 03:00"));
	/* 02:30 on other days, and with an offset, exists. */
	assert_int_equal(jtime_parse_wall("2027-03-27 02:30", &v), 0);
	assert_int_equal(jtime_parse_wall("2027-03-28T02:30+01:00", &v), 0);
	assert_string_equal(iso(v), "2027-03-28T03:30:00+02:00");
	/* The autumn hour that happens twice: the first, in summer time. */
	assert_int_equal(jtime_parse_wall("2027-10-31 02:30", &v), 0);
	assert_string_equal(iso(v), "2027-10-31T02:30:00+02:00");
	assert_int_equal(jtime_parse_wall("2027-13-01 02:30", &v), -1);
	assert_int_equal(jtime_parse_wall("kväll", &v), -1);
}

static void
test_fall_back(void **state)
{
	jtime_t	t;

	/* 2026-10-25: 03:00 CEST falls back to 02:00 CET at 01:00 UTC. */
	t = parse("2026-10-25 02:30");
	assert_string_equal(iso(t), "2026-10-25T02:30:00+02:00");
	/* The second 02:30 exists and prints with +01:00, an hour later. */
	assert_string_equal(iso(t + JT_HOUR), "2026-10-25T02:30:00+01:00");
	assert_int_equal(parse("2026-10-25T02:30:00+01:00"), t + JT_HOUR);
	assert_int_equal(parse("2026-10-25 03:00") - parse("2026-10-25 02:00"),
	    2 * JT_HOUR);
	assert_string_equal(iso(parse("2026-10-25 01:59")),
	    "2026-10-25T01:59:00+02:00");
	assert_string_equal(iso(parse("2026-10-25 03:00")),
	    "2026-10-25T03:00:00+01:00");
	/* A day that has 25 hours. */
	assert_int_equal(parse("2026-10-26") - parse("2026-10-25"), 25 * JT_HOUR);
	assert_int_equal(parse("2027-03-29") - parse("2027-03-28"), 23 * JT_HOUR);
}

static void
test_parse_forms(void **state)
{
	jtime_t	t = parse("2026-11-22 09:15");

	assert_int_equal(parse("2026-11-22T09:15"), t);
	assert_int_equal(parse("2026-11-22T09:15:00"), t);
	assert_int_equal(parse("2026-11-22 09:15:07"), t + 7 * JT_SECOND);
	assert_int_equal(parse("2026-11-22T09:15:07.250"), t + 7250);
	assert_int_equal(parse("2026-11-22T09:15:07.5"), t + 7500);
	assert_int_equal(parse(" 2026-11-22 09:15 "), t);
	assert_int_equal(parse("2026-11-22"), t - 9 * JT_HOUR - 15 * JT_MINUTE);
	/* An explicit offset or Z is taken as given. */
	assert_int_equal(parse("2026-11-22T08:15:00Z"), t);
	assert_int_equal(parse("2026-11-22T09:15:00+01:00"), t);
	assert_int_equal(parse("2026-11-22T10:15:00+02:00"), t);
	assert_int_equal(parse("2026-11-22T03:15-0500"), t);
	assert_int_equal(parse("2026-11-22T11:15+03"), t);
	assert_int_equal(parse("2028-02-29 12:00") - parse("2028-02-28 12:00"),
	    24 * JT_HOUR);
}

static void
test_parse_invalid(void **state)
{
	static const char *const bad[] = {
		"2026-02-30", "2026-02-29 10:00", "2100-02-29", "2026-13-01",
		"2026-00-10", "2026-04-31", "2026-01-00", "2026-11-22 24:00",
		"2026-11-22 24:01", "2026-11-22 12:60", "2026-11-22 12:00:60",
		"2026-11-22 9:15", "26-11-22", "2026/11/22", "2026-11-22 09:15x",
		"2026-11-22T", "2026-11-22 09", "2026-11-22T09:15+1", "now",
		"", "2026-11-22T09:15:00+15:00", "2026-11-22T09:15:07.",
		"1969-12-31", "2026-11-22Z", "2026-11-2209:15",
	};
	jtime_t	t;
	size_t	i;

	for (i = 0; i < nitems(bad); i++) {
		t = 42;
		if (jtime_parse(bad[i], &t) != -1)
			print_error("accepted \"%s\"\n", bad[i]);
		assert_int_equal(jtime_parse(bad[i], &t), -1);
		assert_int_equal(t, 42);
	}
	assert_int_equal(jtime_parse(NULL, &t), -1);
}

static void
test_round_trip(void **state)
{
	char	buf[64];
	jtime_t	t, back;
	int	i;

	/* Every 7 h 13 min over two years, through four DST changes. */
	t = parse("2026-01-01 00:00");
	for (i = 0; i < 2500; i++, t += 7 * JT_HOUR + 13 * JT_MINUTE) {
		jtime_iso(t, buf, sizeof buf);
		assert_int_equal(jtime_parse(buf, &back), 0);
		assert_int_equal(back, t);
	}
	/* A short buffer is truncated, never overrun. */
	assert_string_equal(jtime_iso(T_20261122, buf, 11), "2026-11-22");
}

static void
test_since(void **state)
{
	jtime_t	now = parse("2026-11-22 12:00"), t;

	assert_int_equal(jtime_parse_since("90m", now, &t), 0);
	assert_int_equal(t, now - 90 * JT_MINUTE);
	assert_int_equal(jtime_parse_since("24h", now, &t), 0);
	assert_int_equal(t, now - 24 * JT_HOUR);
	assert_int_equal(jtime_parse_since("7d", now, &t), 0);
	assert_int_equal(t, now - 7 * 24 * JT_HOUR);
	assert_int_equal(jtime_parse_since("2w", now, &t), 0);
	assert_int_equal(t, now - 14 * 24 * JT_HOUR);
	assert_int_equal(jtime_parse_since("30s", now, &t), 0);
	assert_int_equal(t, now - 30 * JT_SECOND);
	assert_int_equal(jtime_parse_since("2026-11-01", now, &t), 0);
	assert_string_equal(iso(t), "2026-11-01T00:00:00+01:00");
	assert_int_equal(jtime_parse_since("2026-10-01 08:00", now, &t), 0);
	assert_string_equal(iso(t), "2026-10-01T08:00:00+02:00");

	t = 42;
	assert_int_equal(jtime_parse_since("", now, &t), -1);
	assert_int_equal(jtime_parse_since("h", now, &t), -1);
	assert_int_equal(jtime_parse_since("5", now, &t), -1);
	assert_int_equal(jtime_parse_since("5x", now, &t), -1);
	assert_int_equal(jtime_parse_since("5hh", now, &t), -1);
	assert_int_equal(jtime_parse_since("-5h", now, &t), -1);
	assert_int_equal(jtime_parse_since("99999999999999999999d", now, &t), -1);
	assert_int_equal(jtime_parse_since("yesterday", now, &t), -1);
	assert_int_equal(t, 42);
}

static void
test_short(void **state)
{
	char	buf[32];
	jtime_t	now = parse("2026-11-22 14:30");

	assert_string_equal(jtime_short(parse("2026-11-22 14:05"), now, buf,
	    sizeof buf), "14:05");
	assert_string_equal(jtime_short(parse("2026-11-22 00:00"), now, buf,
	    sizeof buf), "00:00");
	assert_string_equal(jtime_short(parse("2026-11-21 23:59"), now, buf,
	    sizeof buf), "21/11 23:59");
	assert_string_equal(jtime_short(parse("2027-01-03 09:05"), now, buf,
	    sizeof buf), "3/1 09:05");
	/* The same day a year apart is not today. */
	assert_string_equal(jtime_short(parse("2025-11-22 14:05"), now, buf,
	    sizeof buf), "22/11 14:05");
	/* Local dates, not UTC: 00:30 local is still the previous UTC day. */
	assert_string_equal(jtime_short(parse("2026-11-23 00:30"),
	    parse("2026-11-23 08:00"), buf, sizeof buf), "00:30");
	assert_string_equal(jtime_short(parse("2026-11-22 23:30"),
	    parse("2026-11-23 00:10"), buf, sizeof buf), "22/11 23:30");
}

static void
test_clocks(void **state)
{
	jtime_t	a = jtime_mono(), b, now = jtime_now();

	/* Later than 2024-01-01 and earlier than 2200. */
	assert_true(now > (jtime_t)1704067200 * 1000);
	assert_true(now < (jtime_t)7258118400 * 1000);
	usleep(20000);
	b = jtime_mono();
	assert_true(b - a >= 19);
	assert_true(b - a < 5000);
}

/* Two clocks that run alike: no step, however long they run. */
static void
test_watch_no_step(void **state)
{
	struct jtime_watch	w;
	jtime_t			wall = T_20261122, mono = 5 * JT_SECOND;

	jtime_watch_init(&w, wall, mono);
	assert_int_equal(jtime_watch_step(&w, wall, mono), 0);
	assert_int_equal(jtime_watch_step(&w, wall + 5 * JT_SECOND,
	    mono + 5 * JT_SECOND), 0);
	assert_int_equal(jtime_watch_step(&w, wall + 10 * 24 * JT_HOUR,
	    mono + 10 * 24 * JT_HOUR), 0);
	/* Jitter between the two readings is no step. */
	assert_int_equal(jtime_watch_step(&w, wall + 5003, mono + 5000), 0);
	assert_int_equal(jtime_watch_step(&w, wall + 4998, mono + 5000), 0);
}

/* A step back and a step forward are told with their size and sign. */
static void
test_watch_steps(void **state)
{
	struct jtime_watch	w;
	jtime_t			wall = T_20261122, mono = 77 * JT_SECOND;

	jtime_watch_init(&w, wall, mono);
	/* 3 s after the start the clock is set back an hour; read 2 s later. */
	assert_int_equal(jtime_watch_step(&w, wall + 5 * JT_SECOND - JT_HOUR,
	    mono + 5 * JT_SECOND), -JT_HOUR);
	/* Until it is taken, the same step is reported again. */
	assert_int_equal(jtime_watch_step(&w, wall + 10 * JT_SECOND - JT_HOUR,
	    mono + 10 * JT_SECOND), -JT_HOUR);
	jtime_watch_take(&w, -JT_HOUR);
	assert_int_equal(jtime_watch_step(&w, wall + 10 * JT_SECOND - JT_HOUR,
	    mono + 10 * JT_SECOND), 0);
	/* Then two hours forward: measured from the hour back. */
	assert_int_equal(jtime_watch_step(&w, wall + 15 * JT_SECOND + JT_HOUR,
	    mono + 15 * JT_SECOND), 2 * JT_HOUR);
	jtime_watch_take(&w, 2 * JT_HOUR);
	assert_int_equal(jtime_watch_step(&w, wall + 20 * JT_SECOND + JT_HOUR,
	    mono + 20 * JT_SECOND), 0);
}

/* Below JTIME_STEP_MIN nothing is reported; small steps add up. */
static void
test_watch_threshold(void **state)
{
	struct jtime_watch	w;
	jtime_t			wall = T_20260701, mono = 0;

	jtime_watch_init(&w, wall, mono);
	assert_int_equal(jtime_watch_step(&w, wall + JTIME_STEP_MIN - 1,
	    mono), 0);
	assert_int_equal(jtime_watch_step(&w, wall - JTIME_STEP_MIN + 1,
	    mono), 0);
	assert_int_equal(jtime_watch_step(&w, wall + JTIME_STEP_MIN, mono),
	    JTIME_STEP_MIN);
	assert_int_equal(jtime_watch_step(&w, wall - JTIME_STEP_MIN, mono),
	    -JTIME_STEP_MIN);
	/* Three steps of 400 ms: the third makes 1.2 s. */
	assert_int_equal(jtime_watch_step(&w, wall + 400, mono), 0);
	assert_int_equal(jtime_watch_step(&w, wall + 800, mono), 0);
	assert_int_equal(jtime_watch_step(&w, wall + 1200, mono), 1200);
	/* A stopped wall clock falls behind by the time that passed. */
	assert_int_equal(jtime_watch_step(&w, wall, mono + 5 * JT_SECOND),
	    -5 * JT_SECOND);
}

/* The one date arithmetic: known days, and a round trip over 1600-2400. */
static void
test_civil(void **state)
{
	int64_t	days;
	int	y, m, d;

	assert_int_equal(jtime_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(jtime_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(jtime_days_from_civil(2026, 11, 22), 20779);
	assert_int_equal(jtime_days_from_civil(1969, 12, 31), -1);
	assert_int_equal(jtime_days_from_civil(1600, 2, 29), -135081);
	jtime_civil_from_days(20779, &y, &m, &d);
	assert_int_equal(y, 2026);
	assert_int_equal(m, 11);
	assert_int_equal(d, 22);
	for (days = -135140; days < 157000; days += 13) {
		jtime_civil_from_days(days, &y, &m, &d);
		assert_true(m >= 1 && m <= 12 && d >= 1 && d <= 31);
		assert_int_equal(jtime_days_from_civil(y, m, d), days);
	}
}

/* The one duration grammar of the configuration and of --since. */
static void
test_span(void **state)
{
	assert_int_equal(jtime_parse_span("250ms"), 250);
	assert_int_equal(jtime_parse_span("90"), 90 * JT_SECOND);
	assert_int_equal(jtime_parse_span("90s"), 90 * JT_SECOND);
	assert_int_equal(jtime_parse_span("7m"), 7 * JT_MINUTE);
	assert_int_equal(jtime_parse_span("24h"), 24 * JT_HOUR);
	assert_int_equal(jtime_parse_span("3d"), 72 * JT_HOUR);
	assert_int_equal(jtime_parse_span("2w"), 14 * 24 * JT_HOUR);
	assert_int_equal(jtime_parse_span("0"), 0);
	/* Ten years is the longest span. */
	assert_int_equal(jtime_parse_span("3650d"), 3650 * 24 * JT_HOUR);
	assert_int_equal(jtime_parse_span("3651d"), -1);
	assert_int_equal(jtime_parse_span("521w"), 521 * 7 * 24 * JT_HOUR);
	assert_int_equal(jtime_parse_span("522w"), -1);
	assert_int_equal(jtime_parse_span("99999999999999999999"), -1);
	assert_int_equal(jtime_parse_span("2W"), -1);
	assert_int_equal(jtime_parse_span("w"), -1);
	assert_int_equal(jtime_parse_span("1ww"), -1);
	assert_int_equal(jtime_parse_span("-1"), -1);
	assert_int_equal(jtime_parse_span(" 1h"), -1);
	assert_int_equal(jtime_parse_span(""), -1);
	assert_int_equal(jtime_parse_span(NULL), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_spring_forward),
		cmocka_unit_test(test_parse_wall),
		cmocka_unit_test(test_fall_back),
		cmocka_unit_test(test_parse_forms),
		cmocka_unit_test(test_parse_invalid),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_since),
		cmocka_unit_test(test_civil),
		cmocka_unit_test(test_span),
		cmocka_unit_test(test_short),
		cmocka_unit_test(test_clocks),
		cmocka_unit_test(test_watch_no_step),
		cmocka_unit_test(test_watch_steps),
		cmocka_unit_test(test_watch_threshold),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
