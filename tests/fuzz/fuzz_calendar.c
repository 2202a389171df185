/*
 * fuzz_calendar.c — libFuzzer target for the opening-hours searches.
 *
 * Input: a flags byte (rule kind, time zone), the rule's two minutes, an
 * instant in 1970–2200, then extra closed dates near it and one date text.
 * The answers must agree with one another: next_open is open, at or after
 * the instant, the instant itself when that is open, with nothing open in
 * between; next_close ends that opening. Besides Stockholm, two zones whose
 * clock changes fall on Mondays put gaps and overlaps on working days.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_SPAN	((jtime_t)7258118400 * 1000)	/* to 2200-01-01 */
#define FUZZ_DAY	(24 * JT_HOUR)

static const char *fuzz_zones[] = {
	"Europe/Stockholm",
	"XST-1XDT,M3.5.1/2,M10.5.1/3",
	"XST-1XDT,M3.5.1/2,M10.5.1/0:30",
};

static uint64_t
fuzz_take(const uint8_t **p, size_t *left, size_t n)
{
	uint64_t	v = 0;

	while (n-- > 0 && *left > 0) {
		v = v << 8 | **p;
		(*p)++;
		(*left)--;
	}
	return v;
}

static void
fuzz_zone(int z)
{
	static int	current = -1;

	if (z == current)
		return;
	setenv("TZ", fuzz_zones[z], 1);
	tzset();
	current = z;
}

/* Local wall-clock time at t, as ms since 1970-01-01 00:00 local. */
static jtime_t
fuzz_wall(jtime_t t)
{
	struct tm	tm;
	time_t		tt = (time_t)(t / 1000);

	if (t % 1000 < 0)
		tt--;
	if (localtime_r(&tt, &tm) == NULL)
		abort();
	return (jtime_t)timegm(&tm) * 1000 + (t - (jtime_t)tt * 1000);
}

/* The rule read naively off the wall clock; right where changes are rare. */
static bool
fuzz_wall_open(const struct calendar *cal, const struct open_rule *r,
    jtime_t t)
{
	jtime_t		w = fuzz_wall(t), ms = w % FUZZ_DAY;
	struct tm	tm;
	time_t		tt = (time_t)(w / 1000);

	gmtime_r(&tt, &tm);
	return ms >= r->from_min * JT_MINUTE && ms < r->to_min * JT_MINUTE &&
	    calendar_is_workday(cal, tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday);
}

static bool
fuzz_open(const struct calendar *cal, const struct open_rule *r, jtime_t t,
    int zone)
{
	bool	open = calendar_is_open(cal, r, t);

	/* In Stockholm changes fall on Sundays: the wall clock says it all. */
	if (zone == 0 && open != fuzz_wall_open(cal, r, t))
		abort();
	return open;
}

/*
 * At u the wall clock first reaches `minute` of some date: it read less
 * just before. Returns that date's first ms (local).
 */
static jtime_t
fuzz_reached(jtime_t u, int minute)
{
	jtime_t	w = fuzz_wall(u), mark;

	mark = w - minute * JT_MINUTE;
	mark -= ((mark % FUZZ_DAY) + FUZZ_DAY) % FUZZ_DAY;	/* floor */
	if (w < mark + minute * JT_MINUTE ||
	    fuzz_wall(u - 1) >= mark + minute * JT_MINUTE)
		abort();
	return mark;
}

static void
fuzz_check(const struct calendar *cal, const struct open_rule *r, jtime_t t,
    int zone)
{
	struct tm	tm;
	time_t		tt;
	jtime_t		n, c, u, day;
	int		i;

	n = calendar_next_open(cal, r, t);
	if (r->kind == OPEN_ALWAYS) {
		if (!calendar_is_open(cal, r, t) || n != t ||
		    calendar_next_close(cal, r, t) != 0)
			abort();
		return;
	}
	/* Five closed dates cannot hide every working day for long. */
	if (n < t || n - t > 20 * FUZZ_DAY || !fuzz_open(cal, r, n, zone))
		abort();
	if (fuzz_open(cal, r, t, zone)) {
		if (n != t)
			abort();
	} else {
		if (fuzz_open(cal, r, n - 1, zone) || n % JT_MINUTE != 0)
			abort();
		for (i = 1; i < 32; i++) {
			u = t + (n - t) / 32 * i;
			if (fuzz_open(cal, r, u, zone))
				abort();
		}
		/* An opening begins when the clock reaches from_min... */
		day = fuzz_reached(n, r->from_min);
		tt = (time_t)(day / 1000);
		gmtime_r(&tt, &tm);
		if (!calendar_is_workday(cal, tm.tm_year + 1900, tm.tm_mon + 1,
		    tm.tm_mday))
			abort();
	}
	c = calendar_next_close(cal, r, n);
	if (c <= n || c - n > 8 * FUZZ_DAY || fuzz_open(cal, r, c, zone) ||
	    !fuzz_open(cal, r, c - 1, zone) ||
	    calendar_next_open(cal, r, c) <= c ||
	    calendar_next_close(cal, r, c) != c)
		abort();
	/* ...and ends when it reaches to_min. */
	fuzz_reached(c, r->to_min);
}

/* Near a clock change: the last Sunday (Monday in the test zones), 01:00Z. */
static jtime_t
fuzz_near_change(int zone, int year, int month, jtime_t off)
{
	struct tm	tm;
	time_t		last;
	int		want = zone == 0 ? 0 : 1;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = month;	/* day 0 of the next month: the last day */
	tm.tm_mday = 0;
	tm.tm_hour = 1;
	last = timegm(&tm);
	gmtime_r(&last, &tm);
	last -= (time_t)(((tm.tm_wday - want) + 7) % 7) * 86400;
	return (jtime_t)last * 1000 + off;
}

/* The date text must be accepted exactly when it is a date of the range. */
static void
fuzz_date_text(struct calendar *cal, const uint8_t *p, size_t n)
{
	char	text[16];
	int	y = 0, m = 0, d = 0, rc, before = cal->nclosed;
	bool	shape;

	if (n > 11)
		n = 11;
	memcpy(text, p, n);
	text[n] = '\0';
	rc = calendar_add_closed(cal, text);
	shape = strlen(text) == 10 && sscanf(text, "%4d-%2d-%2d", &y, &m,
	    &d) == 3 && text[4] == '-' && text[7] == '-';
	if (rc == 0 && !shape)
		abort();
	if (rc == 0 && calendar_is_workday(cal, y, m, d))
		abort();
	if (rc != 0 && cal->nclosed != before)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct calendar		cal;
	struct open_rule	r;
	const uint8_t		*p = data;
	size_t			left = size;
	char			ymd[40];
	struct tm		tm;
	time_t			tt;
	jtime_t			t;
	int			flags, zone, i, a, b;
	int64_t			day;

	if (size < 13)
		return 0;
	flags = (int)fuzz_take(&p, &left, 1);
	zone = (flags >> 1) % (int)nitems(fuzz_zones);
	fuzz_zone(zone);
	a = (int)(fuzz_take(&p, &left, 2) % 1440);
	b = (int)(fuzz_take(&p, &left, 2) % (uint64_t)(1440 - a));
	r.kind = (flags & 1) && (flags & 0x80) ? OPEN_ALWAYS : OPEN_WEEKDAYS;
	r.from_min = a;
	r.to_min = a + 1 + b;
	t = (jtime_t)(fuzz_take(&p, &left, 8) % (uint64_t)FUZZ_SPAN);
	if (flags & 0x20)
		t = fuzz_near_change(zone, 1980 + (int)(t % 219),
		    flags & 0x10 ? 10 : 3,
		    (jtime_t)((uint64_t)t / 219 % (uint64_t)(4 * FUZZ_DAY)) -
		    2 * FUZZ_DAY);
	if (flags & 0x40)
		t -= t % JT_MINUTE;

	calendar_init(&cal);
	day = t / FUZZ_DAY;
	for (i = 0; i < 4 && left >= 1; i++) {
		tt = (time_t)((day + (int64_t)fuzz_take(&p, &left, 1) % 24 - 2) *
		    86400);
		if (gmtime_r(&tt, &tm) == NULL)
			abort();
		snprintf(ymd, sizeof(ymd), "%04d-%02d-%02d", tm.tm_year + 1900,
		    tm.tm_mon + 1, tm.tm_mday);
		if (tm.tm_year + 1900 < 1970) {
			if (calendar_add_closed(&cal, ymd) != -1)
				abort();
			continue;
		}
		if (calendar_add_closed(&cal, ymd) != 0 ||
		    calendar_is_workday(&cal, tm.tm_year + 1900,
		    tm.tm_mon + 1, tm.tm_mday))
			abort();
	}
	if (left > 0)
		fuzz_date_text(&cal, p, left);

	fuzz_check(&cal, &r, t, zone);
	return 0;
}
