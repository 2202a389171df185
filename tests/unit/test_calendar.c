/*
 * test_calendar.c — Swedish holidays, working days and opening hours,
 * daylight saving included.
 *
 * Every instant is written in UTC; Stockholm is UTC+1 in winter (CET) and
 * UTC+2 in summer (CEST), changing on the last Sundays of March (02:00 →
 * 03:00) and October (03:00 → 02:00). Easter dates were checked against an
 * independent implementation (python-dateutil) for every year 1583–9999,
 * and are checked again here against Gauss's formulation.
 *
 * Working days, by hand: 2026 begins on a Thursday, so it has 261 days
 * Monday–Friday; ten holidays fall on them (1 and 6 Jan, 3 and 6 Apr, 1 and
 * 14 May, 19 Jun, 24, 25 and 31 Dec): 251. 2027 begins on a Friday: 261
 * again, less eight (1 and 6 Jan, 26 and 29 Mar, 6 May, 25 Jun, 24 and 31
 * Dec): 253.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "calendar.h"
#include "jtime.h"

/* A zone whose changes fall on Mondays, so that gaps hit working days. */
#define TZ_MONDAY	"XST-1XDT,M3.5.1/2,M10.5.1/3"
/* One whose autumn change takes Monday 00:30 back to Sunday 23:30. */
#define TZ_MIDNIGHT	"XST-1XDT,M3.5.1/2,M10.5.1/0:30"
#define DAY_MS		(24 * JT_HOUR)

static const struct open_rule day_rule = { OPEN_WEEKDAYS, 8 * 60, 17 * 60 };

static jtime_t
utc(int y, int mo, int d, int h, int mi)
{
	struct tm	tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return (jtime_t)timegm(&tm) * 1000;
}

static struct open_rule
weekdays(int from_h, int from_m, int to_h, int to_m)
{
	struct open_rule	r;

	r.kind = OPEN_WEEKDAYS;
	r.from_min = from_h * 60 + from_m;
	r.to_min = to_h * 60 + to_m;
	return r;
}

static void
zone(const char *tz)
{
	if (tz == NULL) {
		jtime_zone();
		return;
	}
	setenv("TZ", tz, 1);
	tzset();
}

static int
setup(void **state)
{
	zone(NULL);
	return 0;
}

static int
teardown(void **state)
{
	zone(NULL);
	return 0;
}

/* A small deterministic generator (xorshift64*). */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

static void
easter_is(int y, int want_m, int want_d)
{
	int	m = 0, d = 0;

	calendar_easter(y, &m, &d);
	if (m != want_m || d != want_d)
		fail_msg("Easter %d: got %02d-%02d, want %02d-%02d", y, m, d,
		    want_m, want_d);
}

static void
test_easter_known(void **state)
{
	easter_is(2025, 4, 20);
	easter_is(2026, 4, 5);
	easter_is(2027, 3, 28);
	easter_is(2028, 4, 16);
	easter_is(2029, 4, 1);
	easter_is(2030, 4, 21);
	easter_is(2031, 4, 13);
	easter_is(2032, 3, 28);
	easter_is(1970, 3, 29);
	easter_is(1981, 4, 19);
	easter_is(2008, 3, 23);
	easter_is(2038, 4, 25);		/* the latest possible */
	easter_is(2100, 3, 28);
	easter_is(2200, 4, 6);
	easter_is(2285, 3, 22);		/* the earliest possible */
	/* Centuries whose solar and lunar corrections differ. */
	easter_is(1583, 4, 10);
	easter_is(1700, 4, 11);
	easter_is(1713, 4, 16);
	easter_is(1818, 3, 22);
	easter_is(1943, 4, 25);
	easter_is(4200, 4, 20);
	easter_is(4243, 4, 23);
	easter_is(9999, 3, 28);
}

/* Gauss's Easter, with its two exceptions, written apart from the module. */
static void
gauss_easter(int y, int *m, int *d)
{
	int	a = y % 19, b = y % 4, c = y % 7, k = y / 100;
	int	p = (13 + 8 * k) / 25, q = k / 4;
	int	mm = (15 - p + k - q) % 30, n = (4 + k - q) % 7;
	int	dd = (19 * a + mm) % 30, e = (2 * b + 4 * c + 6 * dd + n) % 7;
	int	march = 22 + dd + e;

	if (dd == 29 && e == 6)
		march = 31 + 19;
	else if (dd == 28 && e == 6 && (11 * mm + 11) % 30 < 19)
		march = 31 + 18;
	if (march > 31) {
		*m = 4;
		*d = march - 31;
	} else {
		*m = 3;
		*d = march;
	}
}

static void
test_easter_all_years(void **state)
{
	int		y, m, d, gm, gd;
	struct tm	tm;
	time_t		tt;

	for (y = 1583; y <= 9999; y++) {
		calendar_easter(y, &m, &d);
		gauss_easter(y, &gm, &gd);
		if (m != gm || d != gd)
			fail_msg("%d: %d-%d, Gauss %d-%d", y, m, d, gm, gd);
		if (y < 1970 || y > 2200)
			continue;
		assert_true((m == 3 && d >= 22) || (m == 4 && d <= 25));
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = y - 1900;
		tm.tm_mon = m - 1;
		tm.tm_mday = d;
		tm.tm_hour = 12;
		tt = timegm(&tm);
		gmtime_r(&tt, &tm);
		assert_int_equal(tm.tm_wday, 0);
		assert_true(calendar_holiday(y, m, d, NULL));
	}
}

struct named { int m, d; const char *name; };

/* Every holiday of year y is in want and every date in want is a holiday. */
static void
holidays_are(int y, const struct named *want, size_t n)
{
	const char	*name;
	size_t		 i, found = 0;
	int		 m, d;

	for (i = 0; i < n; i++) {
		name = NULL;
		if (!calendar_holiday(y, want[i].m, want[i].d, &name))
			fail_msg("%d-%02d-%02d is not a holiday", y, want[i].m,
			    want[i].d);
		assert_string_equal(name, want[i].name);
	}
	for (m = 1; m <= 12; m++)
		for (d = 1; d <= 31; d++)
			if (calendar_holiday(y, m, d, NULL))
				found++;
	assert_int_equal(found, n);
}

static void
test_holidays_2026(void **state)
{
	static const struct named want[] = {
		{ 1, 1, "Nyårsdagen" },
		{ 1, 6, "Trettondedag jul" },
		{ 4, 3, "Långfredagen" },
		{ 4, 5, "Påskdagen" },
		{ 4, 6, "Annandag påsk" },
		{ 5, 1, "Första maj" },
		{ 5, 14, "Kristi himmelsfärdsdag" },
		{ 5, 24, "Pingstdagen" },
		{ 6, 6, "Nationaldagen" },
		{ 6, 19, "Midsommarafton" },
		{ 6, 20, "Midsommardagen" },
		{ 10, 31, "Alla helgons dag" },
		{ 12, 24, "Julafton" },
		{ 12, 25, "Juldagen" },
		{ 12, 26, "Annandag jul" },
		{ 12, 31, "Nyårsafton" },
	};

	holidays_are(2026, want, nitems(want));
}

static void
test_holidays_2027(void **state)
{
	static const struct named want[] = {
		{ 1, 1, "Nyårsdagen" },
		{ 1, 6, "Trettondedag jul" },
		{ 3, 26, "Långfredagen" },
		{ 3, 28, "Påskdagen" },
		{ 3, 29, "Annandag påsk" },
		{ 5, 1, "Första maj" },
		{ 5, 6, "Kristi himmelsfärdsdag" },
		{ 5, 16, "Pingstdagen" },
		{ 6, 6, "Nationaldagen" },
		{ 6, 25, "Midsommarafton" },
		{ 6, 26, "Midsommardagen" },
		{ 11, 6, "Alla helgons dag" },
		{ 12, 24, "Julafton" },
		{ 12, 25, "Juldagen" },
		{ 12, 26, "Annandag jul" },
		{ 12, 31, "Nyårsafton" },
	};

	holidays_are(2027, want, nitems(want));
}

static void
test_saturday_holidays(void **state)
{
	const char	*name;
	int		 y, d, mids, eves, saints;

	/* The edges of the ranges, both ways. */
	assert_true(calendar_holiday(2026, 6, 20, &name));
	assert_string_equal(name, "Midsommardagen");
	assert_true(calendar_holiday(2027, 6, 26, &name));
	assert_string_equal(name, "Midsommardagen");
	assert_true(calendar_holiday(2027, 6, 25, &name));
	assert_string_equal(name, "Midsommarafton");
	assert_false(calendar_holiday(2027, 6, 19, NULL));	/* a Saturday */
	assert_false(calendar_holiday(2026, 6, 27, NULL));	/* a Saturday */
	assert_true(calendar_holiday(2026, 10, 31, &name));
	assert_string_equal(name, "Alla helgons dag");
	assert_true(calendar_holiday(2027, 11, 6, &name));
	assert_string_equal(name, "Alla helgons dag");
	assert_false(calendar_holiday(2027, 10, 30, NULL));	/* a Saturday */
	assert_false(calendar_holiday(2026, 11, 7, NULL));	/* a Saturday */

	/* Exactly one of each a year, Midsommarafton the day before. */
	for (y = 1970; y <= 2200; y++) {
		mids = eves = saints = 0;
		for (d = 18; d <= 27; d++) {
			name = "";
			if (!calendar_holiday(y, 6, d, &name))
				continue;
			if (strcmp(name, "Midsommardagen") == 0) {
				mids++;
				assert_true(d >= 20 && d <= 26);
				assert_true(calendar_holiday(y, 6, d - 1,
				    &name));
				assert_string_equal(name, "Midsommarafton");
			} else if (strcmp(name, "Midsommarafton") == 0)
				eves++;
		}
		for (d = 25; d <= 38; d++) {
			int	m = d <= 31 ? 10 : 11, md = d <= 31 ? d : d - 31;

			if (calendar_holiday(y, m, md, &name) &&
			    strcmp(name, "Alla helgons dag") == 0)
				saints++;
		}
		if (mids != 1 || eves != 1 || saints != 1)
			fail_msg("%d: %d Midsommardagen, %d Midsommarafton, "
			    "%d Alla helgons dag", y, mids, eves, saints);
	}
}

static void
test_holiday_edges(void **state)
{
	const char	*name = "untouched";

	/* 2008: Ascension fell on 1 May; still one closed day. */
	assert_true(calendar_holiday(2008, 5, 1, &name));
	assert_false(calendar_is_workday(NULL, 2008, 5, 1));
	assert_true(calendar_holiday(2008, 3, 21, &name));
	assert_string_equal(name, "Långfredagen");
	assert_true(calendar_holiday(2100, 3, 26, &name));	/* Good Friday */
	assert_string_equal(name, "Långfredagen");
	assert_true(calendar_holiday(2200, 5, 15, &name));	/* 6 Apr + 39 */
	assert_string_equal(name, "Kristi himmelsfärdsdag");

	name = "untouched";
	assert_false(calendar_holiday(2026, 2, 30, &name));
	assert_false(calendar_holiday(2026, 13, 1, &name));
	assert_false(calendar_holiday(2026, 0, 1, &name));
	assert_false(calendar_holiday(2026, 1, 0, &name));
	assert_false(calendar_holiday(1500, 1, 1, &name));
	assert_false(calendar_holiday(2026, 3, 2, &name));	/* plain Monday */
	assert_string_equal(name, "untouched");
	assert_false(calendar_holiday(2028, 2, 29, NULL));
	assert_false(calendar_is_workday(NULL, 2027, 2, 29));
	assert_true(calendar_is_workday(NULL, 2028, 2, 29));	/* Tuesday */
}

static int
count_workdays(const struct calendar *cal, int y)
{
	int	m, d, n = 0;

	for (m = 1; m <= 12; m++)
		for (d = 1; d <= 31; d++)
			if (calendar_is_workday(cal, y, m, d))
				n++;
	return n;
}

static void
test_workdays(void **state)
{
	struct calendar	cal;

	calendar_init(&cal);
	assert_true(calendar_is_workday(&cal, 2026, 11, 23));	/* Monday */
	assert_true(calendar_is_workday(NULL, 2026, 11, 27));	/* Friday */
	assert_false(calendar_is_workday(&cal, 2026, 11, 28));	/* Saturday */
	assert_false(calendar_is_workday(&cal, 2026, 11, 29));	/* Sunday */
	assert_false(calendar_is_workday(&cal, 2026, 4, 3));	/* Långfredagen */
	assert_false(calendar_is_workday(&cal, 2026, 6, 19));	/* Midsommarafton */
	assert_true(calendar_is_workday(&cal, 2026, 6, 22));
	assert_int_equal(count_workdays(NULL, 2026), 251);
	assert_int_equal(count_workdays(&cal, 2027), 253);

	/* An extra closed date closes a working day and only that day. */
	assert_int_equal(calendar_add_closed(&cal, "2026-11-23"), 0);
	assert_false(calendar_is_workday(&cal, 2026, 11, 23));
	assert_false(calendar_holiday(2026, 11, 23, NULL));
	assert_true(calendar_is_workday(NULL, 2026, 11, 23));
	assert_true(calendar_is_workday(&cal, 2026, 11, 24));
	assert_true(calendar_is_workday(&cal, 2026, 11, 20));
	assert_int_equal(count_workdays(&cal, 2026), 250);
	/* One on a Saturday changes nothing. */
	assert_int_equal(calendar_add_closed(&cal, "2026-11-28"), 0);
	assert_int_equal(count_workdays(&cal, 2026), 250);
}

static void
test_add_closed(void **state)
{
	static const char *bad[] = {
		"", "2026-2-03", "2026-02-3", "2026-02-30", "2026-13-01",
		"2026-00-10", "2026-01-00", "2026-02-03 ", " 2026-02-03",
		"2026/02/03", "20260203", "abcd-ef-gh", "2026-02-0x",
		"1969-12-31", "2201-01-01", "2027-02-29", "2026-02-031",
	};
	struct calendar	cal;
	char		buf[32];
	size_t		i;
	int		n;

	calendar_init(&cal);
	assert_int_equal(cal.nclosed, 0);
	for (i = 0; i < nitems(bad); i++)
		if (calendar_add_closed(&cal, bad[i]) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
	assert_int_equal(calendar_add_closed(&cal, NULL), -1);
	assert_int_equal(cal.nclosed, 0);

	assert_int_equal(calendar_add_closed(&cal, "1970-01-01"), 0);
	assert_int_equal(cal.closed[0], 0);
	assert_int_equal(calendar_add_closed(&cal, "2200-12-31"), 0);
	assert_int_equal(calendar_add_closed(&cal, "2028-02-29"), 0);
	assert_int_equal(cal.nclosed, 3);
	assert_int_equal(calendar_add_closed(&cal, "2028-02-29"), 0);
	assert_int_equal(cal.nclosed, 3);	/* a repeat is kept once */

	for (n = 0; cal.nclosed < CALENDAR_MAX_CLOSED; n++) {
		snprintf(buf, sizeof(buf), "2030-%02d-%02d", n / 28 + 1,
		    n % 28 + 1);
		assert_int_equal(calendar_add_closed(&cal, buf), 0);
	}
	assert_int_equal(calendar_add_closed(&cal, "2031-05-05"), -1);
	assert_int_equal(calendar_add_closed(&cal, "2030-01-01"), 0);
	assert_int_equal(cal.nclosed, CALENDAR_MAX_CLOSED);
	assert_false(calendar_is_workday(&cal, 2030, 1, 28));	/* Monday */
	assert_true(calendar_is_workday(&cal, 2031, 5, 5));	/* not added */

	calendar_init(&cal);
	assert_int_equal(cal.nclosed, 0);
	assert_true(calendar_is_workday(&cal, 2030, 1, 28));
}

static void
test_is_open_boundaries(void **state)
{
	struct open_rule	r = day_rule;
	jtime_t			mon = utc(2026, 11, 23, 7, 0);	/* 08:00 CET */

	assert_false(calendar_is_open(NULL, &r, mon - 1));
	assert_true(calendar_is_open(NULL, &r, mon));
	assert_true(calendar_is_open(NULL, &r, mon + 9 * JT_HOUR - 1));
	assert_false(calendar_is_open(NULL, &r, mon + 9 * JT_HOUR));
	/* Summer: 08:00 CEST is 06:00 UTC. */
	assert_false(calendar_is_open(NULL, &r, utc(2026, 6, 22, 5, 59)));
	assert_true(calendar_is_open(NULL, &r, utc(2026, 6, 22, 6, 0)));
	assert_true(calendar_is_open(NULL, &r, utc(2026, 6, 22, 14, 59)));
	assert_false(calendar_is_open(NULL, &r, utc(2026, 6, 22, 15, 0)));
	/* Weekend and holiday. */
	assert_false(calendar_is_open(NULL, &r, utc(2026, 11, 21, 11, 0)));
	assert_false(calendar_is_open(NULL, &r, utc(2026, 11, 22, 11, 0)));
	assert_false(calendar_is_open(NULL, &r, utc(2026, 5, 14, 10, 0)));
	assert_true(calendar_is_open(NULL, &r, utc(2026, 5, 13, 10, 0)));

	/* Whole days: 00:00-24:00 is open from local midnight to midnight. */
	r = weekdays(0, 0, 24, 0);
	assert_false(calendar_is_open(NULL, &r, utc(2026, 11, 22, 23, 0) - 1));
	assert_true(calendar_is_open(NULL, &r, utc(2026, 11, 22, 23, 0)));
	assert_true(calendar_is_open(NULL, &r, utc(2026, 11, 27, 23, 0) - 1));
	assert_false(calendar_is_open(NULL, &r, utc(2026, 11, 27, 23, 0)));
	/* A one-minute window. */
	r = weekdays(12, 0, 12, 1);
	assert_false(calendar_is_open(NULL, &r, utc(2026, 11, 23, 10, 59)));
	assert_true(calendar_is_open(NULL, &r, utc(2026, 11, 23, 11, 0)));
	assert_false(calendar_is_open(NULL, &r, utc(2026, 11, 23, 11, 1)));
}

static void
test_next_open_weekend(void **state)
{
	const struct open_rule	*r = &day_rule;
	jtime_t			 fri17 = utc(2026, 11, 20, 16, 0);
	jtime_t			 mon08 = utc(2026, 11, 23, 7, 0);

	assert_int_equal(calendar_next_open(NULL, r, fri17), mon08);
	assert_int_equal(calendar_next_open(NULL, r, fri17 - 1), fri17 - 1);
	assert_int_equal(calendar_next_open(NULL, r, utc(2026, 11, 21, 12, 0)),
	    mon08);
	assert_int_equal(calendar_next_open(NULL, r, mon08 - 1), mon08);
	assert_int_equal(calendar_next_open(NULL, r, mon08), mon08);
	/* Before opening on a working day: the same day. */
	assert_int_equal(calendar_next_open(NULL, r, utc(2026, 11, 24, 2, 17)),
	    utc(2026, 11, 24, 7, 0));
	/* Just before local midnight: the next day. */
	assert_int_equal(calendar_next_open(NULL, r, utc(2026, 11, 23, 22, 59)),
	    utc(2026, 11, 24, 7, 0));
	/* A time not on a whole minute. */
	assert_int_equal(calendar_next_open(NULL, r, fri17 + 12345),
	    mon08);
}

static void
test_next_open_holidays(void **state)
{
	const struct open_rule	*r = &day_rule;

	/* Julafton 2026 is a Thursday; 25 Juldagen, 26 Sat, 27 Sun. */
	assert_int_equal(calendar_next_open(NULL, r, utc(2026, 12, 24, 8, 0)),
	    utc(2026, 12, 28, 7, 0));
	assert_int_equal(calendar_next_open(NULL, r, utc(2026, 12, 23, 16, 0)),
	    utc(2026, 12, 28, 7, 0));
	/* Nyårsafton 2026 (Thursday), then Nyårsdagen on Friday. */
	assert_int_equal(calendar_next_open(NULL, r, utc(2026, 12, 31, 9, 0)),
	    utc(2027, 1, 4, 7, 0));
	/* Trettondedag jul 2027 is a Wednesday. */
	assert_int_equal(calendar_next_open(NULL, r, utc(2027, 1, 5, 16, 0)),
	    utc(2027, 1, 7, 7, 0));
	/* Nyårsafton 2027 is a Friday. */
	assert_int_equal(calendar_next_open(NULL, r, utc(2027, 12, 30, 16, 0)),
	    utc(2028, 1, 3, 7, 0));
	/* Easter 2026: Thursday evening to the Tuesday after, summer time. */
	assert_int_equal(calendar_next_open(NULL, r, utc(2026, 4, 2, 15, 0)),
	    utc(2026, 4, 7, 6, 0));
	/* Midsommar 2027: Thursday evening to Monday. */
	assert_int_equal(calendar_next_open(NULL, r, utc(2027, 6, 24, 15, 0)),
	    utc(2027, 6, 28, 6, 0));
}

static void
test_next_open_extra_closed(void **state)
{
	struct calendar	cal;

	calendar_init(&cal);
	assert_int_equal(calendar_add_closed(&cal, "2026-11-23"), 0);
	assert_int_equal(calendar_add_closed(&cal, "2026-11-24"), 0);
	assert_int_equal(calendar_next_open(&cal, &day_rule,
	    utc(2026, 11, 20, 16, 0)), utc(2026, 11, 25, 7, 0));
	assert_false(calendar_is_open(&cal, &day_rule,
	    utc(2026, 11, 23, 10, 0)));
	assert_true(calendar_is_open(NULL, &day_rule,
	    utc(2026, 11, 23, 10, 0)));
}

static void
test_dst_stockholm(void **state)
{
	const struct open_rule	*r = &day_rule;
	struct open_rule	 early = weekdays(2, 30, 17, 0);
	struct open_rule	 night = weekdays(2, 0, 3, 0);

	/* Spring 2026: Sunday 29 March. Friday 08:00 CET, Monday CEST. */
	assert_true(calendar_is_open(NULL, r, utc(2026, 3, 27, 7, 0)));
	assert_false(calendar_is_open(NULL, r, utc(2026, 3, 27, 6, 59)));
	assert_false(calendar_is_open(NULL, r, utc(2026, 3, 30, 5, 59)));
	assert_true(calendar_is_open(NULL, r, utc(2026, 3, 30, 6, 0)));
	assert_int_equal(calendar_next_open(NULL, r, utc(2026, 3, 27, 16, 0)),
	    utc(2026, 3, 30, 6, 0));
	assert_int_equal(calendar_next_close(NULL, r, utc(2026, 3, 30, 6, 0)),
	    utc(2026, 3, 30, 15, 0));

	/* Autumn 2026: Sunday 25 October. Friday CEST, Monday CET. */
	assert_true(calendar_is_open(NULL, r, utc(2026, 10, 23, 6, 0)));
	assert_false(calendar_is_open(NULL, r, utc(2026, 10, 23, 15, 0)));
	assert_int_equal(calendar_next_open(NULL, r, utc(2026, 10, 23, 15, 0)),
	    utc(2026, 10, 26, 7, 0));
	assert_int_equal(calendar_next_close(NULL, r, utc(2026, 10, 26, 7, 0)),
	    utc(2026, 10, 26, 16, 0));

	/*
	 * From just before the gap (01:59 CET on the Sunday) with an opening
	 * inside the gap's hours: Monday 02:30 CEST. In 2027 the Monday is
	 * Annandag påsk, so Tuesday.
	 */
	assert_int_equal(calendar_next_open(NULL, &early,
	    utc(2026, 3, 29, 0, 59)), utc(2026, 3, 30, 0, 30));
	assert_int_equal(calendar_next_open(NULL, &early,
	    utc(2027, 3, 28, 0, 59)), utc(2027, 3, 30, 0, 30));
	/* From inside the overlap hour of the autumn Sunday. */
	assert_int_equal(calendar_next_open(NULL, &night,
	    utc(2026, 10, 25, 0, 30)), utc(2026, 10, 26, 1, 0));
	assert_int_equal(calendar_next_open(NULL, &night,
	    utc(2026, 10, 25, 1, 30)), utc(2026, 10, 26, 1, 0));
	assert_int_equal(calendar_next_close(NULL, &night,
	    utc(2026, 10, 26, 1, 0)), utc(2026, 10, 26, 2, 0));
}

/* A spring-forward gap on a working day: 02:00 XST → 03:00 XDT at 01:00Z. */
static void
test_gap_on_workday(void **state)
{
	struct open_rule	r = weekdays(2, 30, 17, 0);
	jtime_t			jump = utc(2026, 3, 30, 1, 0);

	zone(TZ_MONDAY);
	/* 02:30 does not exist on Monday 30 March: open at the jump. */
	assert_false(calendar_is_open(NULL, &r, jump - 1));
	assert_true(calendar_is_open(NULL, &r, jump));
	assert_int_equal(calendar_next_open(NULL, &r, utc(2026, 3, 29, 22, 0)),
	    jump);
	assert_int_equal(calendar_next_open(NULL, &r, jump - 1), jump);
	assert_int_equal(calendar_next_close(NULL, &r, jump),
	    utc(2026, 3, 30, 15, 0));
	/* The Tuesday opens at 02:30 XDT. */
	assert_int_equal(calendar_next_open(NULL, &r, utc(2026, 3, 30, 15, 0)),
	    utc(2026, 3, 31, 0, 30));

	/* An opening wholly inside the gap never happens that day. */
	r = weekdays(2, 0, 2, 30);
	assert_int_equal(calendar_next_open(NULL, &r, utc(2026, 3, 29, 23, 0)),
	    utc(2026, 3, 31, 0, 0));
	assert_false(calendar_is_open(NULL, &r, jump));

	/* A closing inside the gap closes at the jump. */
	r = weekdays(1, 0, 2, 30);
	assert_true(calendar_is_open(NULL, &r, utc(2026, 3, 30, 0, 30)));
	assert_int_equal(calendar_next_close(NULL, &r, utc(2026, 3, 30, 0, 30)),
	    jump);
	assert_false(calendar_is_open(NULL, &r, jump));
	zone(NULL);
}

/* An autumn overlap on a working day: 03:00 XDT → 02:00 XST at 01:00Z. */
static void
test_overlap_on_workday(void **state)
{
	struct open_rule	r = weekdays(0, 0, 2, 30);
	jtime_t			back = utc(2026, 10, 26, 1, 0);

	zone(TZ_MONDAY);
	/* Closes at the first 02:30 and does not open again at 02:00 XST. */
	assert_int_equal(calendar_next_open(NULL, &r, utc(2026, 10, 25, 21, 0)),
	    utc(2026, 10, 25, 22, 0));
	assert_int_equal(calendar_next_close(NULL, &r, utc(2026, 10, 25, 22, 0)),
	    utc(2026, 10, 26, 0, 30));
	assert_false(calendar_is_open(NULL, &r, back));
	assert_false(calendar_is_open(NULL, &r, back + 20 * JT_MINUTE));
	assert_int_equal(calendar_next_open(NULL, &r, utc(2026, 10, 26, 0, 30)),
	    utc(2026, 10, 26, 23, 0));

	/* Opens at the first 02:30 and stays open through the repeat. */
	r = weekdays(2, 30, 17, 0);
	assert_int_equal(calendar_next_open(NULL, &r, utc(2026, 10, 25, 23, 0)),
	    utc(2026, 10, 26, 0, 30));
	assert_true(calendar_is_open(NULL, &r, back));
	assert_true(calendar_is_open(NULL, &r, back + 10 * JT_MINUTE));
	assert_int_equal(calendar_next_close(NULL, &r, back),
	    utc(2026, 10, 26, 16, 0));
	zone(NULL);
}

/* A Monday opening already begun when the clock goes back into Sunday. */
static void
test_overlap_over_midnight(void **state)
{
	struct open_rule	r = weekdays(0, 0, 8, 0);
	jtime_t			back = utc(2026, 10, 25, 22, 30);

	zone(TZ_MIDNIGHT);
	assert_int_equal(calendar_next_open(NULL, &r, utc(2026, 10, 25, 21, 0)),
	    utc(2026, 10, 25, 22, 0));
	assert_true(calendar_is_open(NULL, &r, back - 1));
	assert_true(calendar_is_open(NULL, &r, back));	/* Sunday 23:30 XST */
	assert_true(calendar_is_open(NULL, &r, back + 20 * JT_MINUTE));
	assert_int_equal(calendar_next_open(NULL, &r, back), back);
	assert_int_equal(calendar_next_close(NULL, &r, back),
	    utc(2026, 10, 26, 7, 0));
	zone(NULL);
}

static void
test_always_and_invalid(void **state)
{
	struct open_rule	always = { OPEN_ALWAYS, 0, 0 };
	struct open_rule	bad[] = {
		{ OPEN_WEEKDAYS, 600, 600 },
		{ OPEN_WEEKDAYS, 700, 600 },
		{ OPEN_WEEKDAYS, -1, 600 },
		{ OPEN_WEEKDAYS, 0, 1441 },
		{ (enum open_kind)7, 0, 600 },
	};
	jtime_t			t = utc(2026, 12, 25, 3, 0) + 7;
	size_t			i;

	assert_true(calendar_is_open(NULL, &always, t));
	assert_int_equal(calendar_next_open(NULL, &always, t), t);
	assert_int_equal(calendar_next_close(NULL, &always, t), 0);
	for (i = 0; i < nitems(bad); i++) {
		assert_false(calendar_is_open(NULL, &bad[i],
		    utc(2026, 11, 23, 9, 0)));
		assert_int_equal(calendar_next_open(NULL, &bad[i], t), 0);
		assert_int_equal(calendar_next_close(NULL, &bad[i], t), t);
	}
	assert_false(calendar_is_open(NULL, NULL, t));
	assert_int_equal(calendar_next_open(NULL, NULL, t), 0);
	/* Far outside any plausible time: no answer, no hang. */
	assert_int_equal(calendar_next_open(NULL, &day_rule, INT64_MAX), 0);
	assert_int_equal(calendar_next_open(NULL, &day_rule, INT64_MIN), 0);
	assert_false(calendar_is_open(NULL, &day_rule, INT64_MAX));
}

static void
test_next_close(void **state)
{
	struct open_rule	r = weekdays(0, 0, 24, 0);

	/* Closed: the time itself. */
	assert_int_equal(calendar_next_close(NULL, &day_rule,
	    utc(2026, 11, 21, 10, 0)), utc(2026, 11, 21, 10, 0));
	assert_int_equal(calendar_next_close(NULL, &day_rule,
	    utc(2026, 11, 23, 12, 34)), utc(2026, 11, 23, 16, 0));
	assert_int_equal(calendar_next_close(NULL, &day_rule,
	    utc(2026, 11, 23, 16, 0) - 1), utc(2026, 11, 23, 16, 0));
	/* Whole working days run into each other until the weekend. */
	assert_int_equal(calendar_next_close(NULL, &r, utc(2026, 11, 23, 9, 0)),
	    utc(2026, 11, 27, 23, 0));
	/* And stop at a holiday: Julafton 2026 is a Thursday. */
	assert_int_equal(calendar_next_close(NULL, &r, utc(2026, 12, 21, 9, 0)),
	    utc(2026, 12, 23, 23, 0));
}

/*
 * next_open(t) is at or after t, is open, is t when t is open, and nothing
 * is open in between (checked at every minute when dense, else sampled).
 */
static void
check_next_open(const struct calendar *cal, const struct open_rule *r,
    jtime_t t, bool dense, uint64_t *seed)
{
	jtime_t	n, c, u;
	int	i;

	n = calendar_next_open(cal, r, t);
	if (n < t || !calendar_is_open(cal, r, n))
		fail_msg("next_open(%lld) = %lld", (long long)t, (long long)n);
	if (calendar_is_open(cal, r, t)) {
		assert_int_equal(n, t);
	} else {
		assert_false(calendar_is_open(cal, r, n - 1));
		assert_int_equal(n % JT_MINUTE, 0);
		if (dense) {
			for (u = t; u < n; u += JT_MINUTE)
				if (calendar_is_open(cal, r, u))
					fail_msg("open at %lld before %lld",
					    (long long)u, (long long)n);
		} else {
			for (i = 0; i < 40; i++) {
				u = t + (jtime_t)(rnd(seed) %
				    (uint64_t)(n - t));
				assert_false(calendar_is_open(cal, r, u));
			}
		}
	}
	c = calendar_next_close(cal, r, n);
	if (c <= n || calendar_is_open(cal, r, c) ||
	    !calendar_is_open(cal, r, c - 1))
		fail_msg("next_close(%lld) = %lld", (long long)n, (long long)c);
}

static void
random_year(const char *tz, int year, uint64_t seed)
{
	struct open_rule	rules[] = {
		weekdays(8, 0, 17, 0),
		weekdays(2, 30, 17, 0),
		weekdays(0, 0, 24, 0),
		weekdays(23, 59, 24, 0),
		weekdays(1, 15, 2, 45),
	};
	struct calendar		cal;
	jtime_t			start = utc(year, 1, 1, 0, 0);
	jtime_t			span = utc(year + 1, 1, 1, 0, 0) - start;
	jtime_t			t;
	size_t			r;
	int			i;

	zone(tz);
	calendar_init(&cal);
	assert_int_equal(calendar_add_closed(&cal, "2026-03-30"), 0);
	assert_int_equal(calendar_add_closed(&cal, "2026-07-14"), 0);
	for (i = 0; i < 2000; i++) {
		t = start + (jtime_t)(rnd(&seed) % (uint64_t)span);
		if (i % 3 == 0)		/* whole minutes too */
			t -= t % JT_MINUTE;
		r = (size_t)i % nitems(rules);
		check_next_open(i % 2 ? &cal : NULL, &rules[r], t, i < 150,
		    &seed);
	}
	zone(NULL);
}

static void
test_random_year_stockholm(void **state)
{
	random_year(NULL, 2026, 0x9E3779B97F4A7C15ULL);
}

static void
test_random_year_monday_zone(void **state)
{
	random_year(TZ_MONDAY, 2026, 0xD1B54A32D192ED03ULL);
}

/* Random instants around the changes of the zone with Monday changes. */
static void
test_random_transitions(void **state)
{
	struct open_rule	rules[] = {
		weekdays(2, 30, 17, 0),
		weekdays(2, 0, 2, 30),
		weekdays(0, 0, 2, 30),
		weekdays(2, 15, 2, 45),
		weekdays(1, 59, 3, 1),
	};
	jtime_t			centres[] = {
		utc(2026, 3, 30, 1, 0), utc(2026, 10, 26, 1, 0),
	};
	uint64_t		seed = 42;
	jtime_t			t;
	int			i;

	zone(TZ_MONDAY);
	for (i = 0; i < 1000; i++) {
		t = centres[i % 2] - 2 * DAY_MS +
		    (jtime_t)(rnd(&seed) % (uint64_t)(4 * DAY_MS));
		if (i % 2 == 0)
			t -= t % JT_MINUTE;
		check_next_open(NULL, &rules[(i / 2) % nitems(rules)], t, true,
		    &seed);
	}
	zone(NULL);
}

/*
 * Every minute of 2026, walked backwards so that the next opening is
 * known: next_open agrees with it, and the open minutes add up to 251
 * working days of nine hours.
 */
static void
test_every_minute_2026(void **state)
{
	jtime_t	start = utc(2026, 1, 1, 0, 0) - JT_HOUR;	/* local */
	jtime_t	end = utc(2027, 1, 1, 0, 0) - JT_HOUR;
	jtime_t	t, next = utc(2027, 1, 4, 7, 0);
	long	open = 0;

	for (t = end - JT_MINUTE; t >= start; t -= JT_MINUTE) {
		if (calendar_is_open(NULL, &day_rule, t)) {
			next = t;
			open++;
		}
		if (calendar_next_open(NULL, &day_rule, t) != next)
			fail_msg("next_open(%lld) = %lld, want %lld",
			    (long long)t, (long long)calendar_next_open(NULL,
			    &day_rule, t), (long long)next);
	}
	assert_int_equal(open, 251L * 9 * 60);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_easter_known),
		cmocka_unit_test(test_easter_all_years),
		cmocka_unit_test(test_holidays_2026),
		cmocka_unit_test(test_holidays_2027),
		cmocka_unit_test(test_saturday_holidays),
		cmocka_unit_test(test_holiday_edges),
		cmocka_unit_test(test_workdays),
		cmocka_unit_test(test_add_closed),
		cmocka_unit_test(test_is_open_boundaries),
		cmocka_unit_test(test_next_open_weekend),
		cmocka_unit_test(test_next_open_holidays),
		cmocka_unit_test(test_next_open_extra_closed),
		cmocka_unit_test(test_dst_stockholm),
		cmocka_unit_test_teardown(test_gap_on_workday, teardown),
		cmocka_unit_test_teardown(test_overlap_on_workday, teardown),
		cmocka_unit_test_teardown(test_overlap_over_midnight, teardown),
		cmocka_unit_test(test_always_and_invalid),
		cmocka_unit_test(test_next_close),
		cmocka_unit_test(test_random_year_stockholm),
		cmocka_unit_test_teardown(test_random_year_monday_zone,
		    teardown),
		cmocka_unit_test_teardown(test_random_transitions, teardown),
		cmocka_unit_test(test_every_minute_2026),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
