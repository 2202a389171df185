/*
 * jtime.c — clocks, steps of the wall clock, and the wall-clock
 * conversions of Europe/Stockholm.
 *
 * Local times are turned into instants without mktime's guess about
 * daylight saving: the two offsets around the time are tried and the rule
 * for a gap or an overlap is explicit (see jtime_local_to_utc).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jtime.h"

#define JT_DAY		(24 * JT_HOUR)
#define DAY_SECONDS	86400

bool
jtime_zone(void)
{
	/* 15 January and 15 July 2026, 12:00 UTC: +01:00 and +02:00. */
	static const time_t	probe[2] = { 1768478400, 1784116800 };
	static const long	offset[2] = { 3600, 7200 };
	struct tm		tm;
	int			i;

	setenv("TZ", "Europe/Stockholm", 1);
	tzset();
	/* Without the zone file the C library silently runs in UTC. */
	for (i = 0; i < 2; i++)
		if (localtime_r(&probe[i], &tm) == NULL ||
		    tm.tm_gmtoff != offset[i])
			return false;
	return true;
}

jtime_t
jtime_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (jtime_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

jtime_t
jtime_mono(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (jtime_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
jtime_watch_init(struct jtime_watch *w, jtime_t wall, jtime_t mono)
{
	w->offset = wall - mono;
}

jtime_t
jtime_watch_step(const struct jtime_watch *w, jtime_t wall, jtime_t mono)
{
	jtime_t	step = wall - mono - w->offset;

	return step >= JTIME_STEP_MIN || step <= -JTIME_STEP_MIN ? step : 0;
}

void
jtime_watch_take(struct jtime_watch *w, jtime_t step)
{
	w->offset += step;
}

int64_t
jtime_days_from_civil(int64_t y, int m, int d)
{
	int64_t		era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
jtime_civil_from_days(int64_t days, int *y, int *m, int *d)
{
	int64_t	z = days + 719468, era, doe, yoe, doy, mp;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

bool
jtime_valid_date(int y, int m, int d)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int		 n;

	if (m < 1 || m > 12 || d < 1)
		return false;
	n = days[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		n = 29;
	return d <= n;
}

/* Seconds east of UTC of local time at instant t (seconds). */
static long
jtime_offset_at(time_t t)
{
	struct tm	tm;

	if (localtime_r(&t, &tm) == NULL)
		return 0;
	return tm.tm_gmtoff;
}

/*
 * Turns a local wall-clock time, given as seconds since the epoch as if the
 * zone were UTC, into an instant. In a spring-forward gap the time is read
 * with the offset from before the jump (02:30 becomes 03:30 summer time)
 * and *gap is set; in an autumn overlap the first occurrence (summer time)
 * wins.
 */
static time_t
jtime_local_to_utc(time_t local, bool *gap)
{
	long	before, after;
	time_t	a, b;
	bool	a_ok, b_ok;

	/* Stockholm's changes are months apart: a day either side suffices. */
	before = jtime_offset_at(local - DAY_SECONDS);
	after = jtime_offset_at(local + DAY_SECONDS);
	a = local - before;
	b = local - after;
	a_ok = jtime_offset_at(a) == before;
	b_ok = jtime_offset_at(b) == after;
	*gap = !a_ok && !b_ok;
	if (a_ok && b_ok)
		return a < b ? a : b;
	if (b_ok)
		return b;
	return a;	/* valid, or in a gap: the offset before the jump */
}

/* Reads exactly n digits at *pp; -1 if they are not there. */
static int
jtime_digits(const char **pp, int n)
{
	const char	*p = *pp;
	int		 v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	*pp = p + n;
	return v;
}

/* jtime_parse, and *gap says whether a local time fell in a spring gap. */
static int
jtime_parse_gap(const char *s, jtime_t *out, bool *gap)
{
	const char	*p = s;
	int		 y, mo, d, h = 0, mi = 0, sec = 0, ms = 0, oh, om, i;
	long		 off = 0;
	bool		 has_off = false;
	int64_t		 secs;
	time_t		 t;

	*gap = false;
	if (s == NULL)
		return -1;
	while (*p == ' ')
		p++;
	if ((y = jtime_digits(&p, 4)) < 0 || *p++ != '-' ||
	    (mo = jtime_digits(&p, 2)) < 0 || *p++ != '-' ||
	    (d = jtime_digits(&p, 2)) < 0)
		return -1;
	if (y < 1970 || !jtime_valid_date(y, mo, d))
		return -1;
	if (*p == ' ' || *p == 'T') {
		p++;
		if ((h = jtime_digits(&p, 2)) < 0 || *p++ != ':' ||
		    (mi = jtime_digits(&p, 2)) < 0)
			return -1;
		if (*p == ':') {
			p++;
			if ((sec = jtime_digits(&p, 2)) < 0)
				return -1;
			if (*p == '.' || *p == ',') {
				p++;
				if (!isdigit((unsigned char)*p))
					return -1;
				for (i = 0; isdigit((unsigned char)*p); i++, p++)
					if (i < 3)
						ms = ms * 10 + (*p - '0');
				for (; i < 3; i++)
					ms *= 10;
			}
		}
		if (h > 23 || mi > 59 || sec > 59)
			return -1;
		if (*p == 'Z') {
			p++;
			has_off = true;
		} else if (*p == '+' || *p == '-') {
			int sign = *p++ == '-' ? -1 : 1;

			if ((oh = jtime_digits(&p, 2)) < 0)
				return -1;
			om = 0;
			if (*p == ':')
				p++;
			if (isdigit((unsigned char)*p) &&
			    (om = jtime_digits(&p, 2)) < 0)
				return -1;
			if (oh > 14 || om > 59)
				return -1;
			off = sign * (oh * 3600L + om * 60L);
			has_off = true;
		}
	}
	while (*p == ' ')
		p++;
	if (*p != '\0')
		return -1;

	secs = jtime_days_from_civil(y, mo, d) * DAY_SECONDS +
	    h * 3600 + mi * 60 + sec;
	if (has_off)
		t = (time_t)(secs - off);
	else
		t = jtime_local_to_utc((time_t)secs, gap);
	*out = (jtime_t)t * 1000 + ms;
	return 0;
}

int
jtime_parse(const char *s, jtime_t *out)
{
	bool	gap;

	return jtime_parse_gap(s, out, &gap);
}

int
jtime_parse_wall(const char *s, jtime_t *out)
{
	bool	gap;

	if (jtime_parse_gap(s, out, &gap) == -1)
		return -1;
	return gap ? JTIME_GAP : 0;
}

jtime_t
jtime_parse_span(const char *s)
{
	static const struct {
		const char	*unit;
		jtime_t		 ms;
	} units[] = {
		{ "", JT_SECOND },
		{ "ms", 1 },
		{ "s", JT_SECOND },
		{ "m", JT_MINUTE },
		{ "h", JT_HOUR },
		{ "d", JT_DAY },
		{ "w", 7 * JT_DAY },
	};
	const char	*p = s;
	jtime_t		 n = 0;
	size_t		 i;

	if (s == NULL || !isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		if (n > (JTIME_SPAN_MAX - (*p - '0')) / 10)
			return -1;
		n = n * 10 + (*p - '0');
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(p, units[i].unit) == 0)
			return n > JTIME_SPAN_MAX / units[i].ms ? -1 :
			    n * units[i].ms;
	return -1;
}

int
jtime_parse_since(const char *s, jtime_t now, jtime_t *out)
{
	const char	*p = s;
	jtime_t		 span;

	if (s == NULL)
		return -1;
	if (jtime_parse(s, out) == 0)
		return 0;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '\0' || (span = jtime_parse_span(s)) == -1)
		return -1;
	*out = now - span;
	return 0;
}

/* Splits t into local broken-down time; ms are floored toward the past. */
static int
jtime_local(jtime_t t, struct tm *tm)
{
	time_t	secs = (time_t)(t >= 0 ? t / 1000 : -((-t + 999) / 1000));

	return localtime_r(&secs, tm) == NULL ? -1 : 0;
}

char *
jtime_iso(jtime_t t, char *buf, size_t sz)
{
	struct tm	tm;
	long		off;
	char		sign;

	if (sz == 0)
		return buf;
	if (jtime_local(t, &tm) == -1) {
		snprintf(buf, sz, "?");
		return buf;
	}
	off = tm.tm_gmtoff;
	sign = off < 0 ? '-' : '+';
	if (off < 0)
		off = -off;
	snprintf(buf, sz, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, sign, off / 3600, off % 3600 / 60);
	return buf;
}

char *
jtime_short(jtime_t t, jtime_t now, char *buf, size_t sz)
{
	struct tm	tm, tn;

	if (sz == 0)
		return buf;
	if (jtime_local(t, &tm) == -1 || jtime_local(now, &tn) == -1) {
		snprintf(buf, sz, "?");
		return buf;
	}
	if (tm.tm_year == tn.tm_year && tm.tm_yday == tn.tm_yday)
		snprintf(buf, sz, "%02d:%02d", tm.tm_hour, tm.tm_min);
	else
		snprintf(buf, sz, "%d/%d %02d:%02d", tm.tm_mday, tm.tm_mon + 1,
		    tm.tm_hour, tm.tm_min);
	return buf;
}
