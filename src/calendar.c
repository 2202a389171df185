/*
 * calendar.c — Swedish working days and the opening hours of a track.
 *
 * Dates are counted as days since 1970-01-01 with integer arithmetic.
 * The opening of a working day is the span of instants from the first at
 * which the wall clock shows from_min to the first at which it shows
 * to_min, so a daylight-saving change inside it neither skips nor repeats
 * an opening. Instants are read with localtime_r alone: a local time is
 * found by trying the offsets in force a day before and a day after it.
 */
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "jtime.h"

/* Years after 9999 are no one's opening hours; keeps the arithmetic safe. */
#define T_LIMIT		((jtime_t)253402300800 * 1000)

/* Holidays on the same date every year. */
static const struct {
	int		 month;
	int		 day;
	const char	*name;
} calendar_fixed[] = {
	{ 1, 1, "Nyårsdagen" },
	{ 1, 6, "Trettondedag jul" },
	{ 5, 1, "Första maj" },
	{ 6, 6, "Nationaldagen" },
	{ 12, 24, "Julafton" },
	{ 12, 25, "Juldagen" },
	{ 12, 26, "Annandag jul" },
	{ 12, 31, "Nyårsafton" },
};

/* Holidays counted in days from Easter Sunday. */
static const struct {
	int		 offset;
	const char	*name;
} calendar_moving[] = {
	{ -2, "Långfredagen" },
	{ 0, "Påskdagen" },
	{ 1, "Annandag påsk" },
	{ 39, "Kristi himmelsfärdsdag" },
	{ 49, "Pingstdagen" },
};

/* 0 for Sunday to 6 for Saturday; 1970-01-01 was a Thursday. */
static int
calendar_weekday(int64_t days)
{
	int64_t	w = (days + 4) % 7;

	return (int)(w < 0 ? w + 7 : w);
}

void
calendar_init(struct calendar *cal)
{
	memset(cal, 0, sizeof(*cal));
}

/* Reads exactly n decimal digits; -1 if any is missing. */
static int
calendar_digits(const char *p, int n)
{
	int	v = 0, i;

	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

int
calendar_add_closed(struct calendar *cal, const char *ymd)
{
	int	y, m, d, i;
	int32_t	day;

	if (ymd == NULL || strlen(ymd) != 10 || ymd[4] != '-' ||
	    ymd[7] != '-')
		return -1;
	if ((y = calendar_digits(ymd, 4)) < 0 ||
	    (m = calendar_digits(ymd + 5, 2)) < 0 ||
	    (d = calendar_digits(ymd + 8, 2)) < 0)
		return -1;
	if (y < 1970 || y > 2200 || !jtime_valid_date(y, m, d))
		return -1;
	day = (int32_t)jtime_days_from_civil(y, m, d);
	for (i = 0; i < cal->nclosed; i++)
		if (cal->closed[i] == day)
			return 0;
	if (cal->nclosed >= CALENDAR_MAX_CLOSED)
		return -1;
	cal->closed[cal->nclosed++] = day;
	return 0;
}

void
calendar_from_config(struct calendar *cal, const struct config *cf)
{
	int	i;

	calendar_init(cal);
	for (i = 0; i < cf->nclosed_days && i < CALENDAR_MAX_CLOSED; i++)
		cal->closed[cal->nclosed++] = cf->closed_days[i];
}

/* The anonymous Gregorian computus (Meeus, "Astronomical Algorithms"). */
void
calendar_easter(int year, int *month, int *day)
{
	int	a, b, c, d, e, f, g, h, i, k, l, m;

	a = year % 19;			/* place in the Metonic cycle */
	b = year / 100;
	c = year % 100;
	d = b / 4;
	e = b % 4;
	f = (b + 8) / 25;
	g = (b - f + 1) / 3;		/* lunar correction */
	h = (19 * a + b - d - g + 15) % 30;	/* epact: to the full moon */
	i = c / 4;
	k = c % 4;
	l = (32 + 2 * e + 2 * i - h - k) % 7;	/* to the next Sunday */
	m = (a + 11 * h + 22 * l) / 451;
	*month = (h + l - 7 * m + 114) / 31;
	*day = (h + l - 7 * m + 114) % 31 + 1;
}

/* The holiday's name, or NULL; the caller has checked the date. */
static const char *
calendar_holiday_name(int y, int m, int d)
{
	int64_t	day, easter;
	int	em, ed, w;
	size_t	i;

	for (i = 0; i < nitems(calendar_fixed); i++)
		if (calendar_fixed[i].month == m && calendar_fixed[i].day == d)
			return calendar_fixed[i].name;

	calendar_easter(y, &em, &ed);
	day = jtime_days_from_civil(y, m, d);
	easter = jtime_days_from_civil(y, em, ed);
	for (i = 0; i < nitems(calendar_moving); i++)
		if (day - easter == calendar_moving[i].offset)
			return calendar_moving[i].name;

	w = calendar_weekday(day);
	if (m == 6 && w == 6 && d >= 20 && d <= 26)
		return "Midsommardagen";
	if (m == 6 && w == 5 && d >= 19 && d <= 25)
		return "Midsommarafton";
	if (w == 6 && ((m == 10 && d == 31) || (m == 11 && d <= 6)))
		return "Alla helgons dag";
	return NULL;
}

bool
calendar_holiday(int year, int month, int day, const char **name)
{
	const char	*n;

	if (year < 1583 || year > 9999 || !jtime_valid_date(year, month,
	    day))
		return false;
	if ((n = calendar_holiday_name(year, month, day)) == NULL)
		return false;
	if (name != NULL)
		*name = n;
	return true;
}

/* Whether local date `days` (since 1970-01-01) is a working day. */
static bool
calendar_workday_days(const struct calendar *cal, int64_t days)
{
	int	y, m, d, w, i;

	w = calendar_weekday(days);
	if (w == 0 || w == 6)
		return false;
	jtime_civil_from_days(days, &y, &m, &d);
	if (calendar_holiday(y, m, d, NULL))
		return false;
	if (cal != NULL)
		for (i = 0; i < cal->nclosed && i < CALENDAR_MAX_CLOSED; i++)
			if (cal->closed[i] == days)
				return false;
	return true;
}

bool
calendar_is_workday(const struct calendar *cal, int year, int month, int day)
{
	if (!jtime_valid_date(year, month, day))
		return false;
	return calendar_workday_days(cal, jtime_days_from_civil(year, month,
	    day));
}

static bool
calendar_rule_valid(const struct open_rule *rule)
{
	if (rule == NULL)
		return false;
	if (rule->kind == OPEN_ALWAYS)
		return true;
	return rule->kind == OPEN_WEEKDAYS && rule->from_min >= 0 &&
	    rule->from_min < rule->to_min && rule->to_min <= 1440;
}

/* Seconds east of UTC at second s; 0 if the zone cannot say. */
static long
calendar_offset(int64_t s)
{
	time_t		tt = (time_t)s;
	struct tm	tm;

	if (localtime_r(&tt, &tm) == NULL)
		return 0;
	return tm.tm_gmtoff;
}

/* The local date of instant t, as days since 1970-01-01. */
static bool
calendar_local_day(jtime_t t, int64_t *days)
{
	int64_t		sec = t / 1000;
	time_t		tt;
	struct tm	tm;

	if (t % 1000 < 0)
		sec--;
	tt = (time_t)sec;
	if (localtime_r(&tt, &tm) == NULL)
		return false;
	*days = jtime_days_from_civil((int64_t)tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday);
	return true;
}

/*
 * The first instant at which the wall clock shows at least `minute` of
 * local date `days`. Across a spring-forward gap that is the moment of the
 * jump; in an autumn overlap it is the first of the two occurrences.
 */
static jtime_t
calendar_first_at(int64_t days, int minute)
{
	int64_t	wall = days * 86400 + minute * 60, a, b, lo, hi, mid;
	long	before, after;
	bool	a_ok, b_ok;

	/* The offset changes at most once in the two days around wall. */
	before = calendar_offset(wall - 86400);
	after = calendar_offset(wall + 86400);
	a = wall - before;
	if (before == after)
		return a * 1000;
	b = wall - after;
	a_ok = calendar_offset(a) == before;
	b_ok = calendar_offset(b) == after;
	if (a_ok)
		return (b_ok && b < a ? b : a) * 1000;
	if (b_ok)
		return b * 1000;
	/* A gap: the change lies in (b, a]; find its first second. */
	lo = b;
	hi = a;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (calendar_offset(mid) == after)
			hi = mid;
		else
			lo = mid;
	}
	return hi * 1000;
}

/*
 * The opening of local date `days` as [*start, *end); false when the day
 * is closed or its opening lies wholly in a gap.
 */
static bool
calendar_opening(const struct calendar *cal, const struct open_rule *rule,
    int64_t days, jtime_t *start, jtime_t *end)
{
	if (!calendar_workday_days(cal, days))
		return false;
	*start = calendar_first_at(days, rule->from_min);
	*end = calendar_first_at(days, rule->to_min);
	return *start < *end;
}

/*
 * The date whose opening holds t, if any. Only t's own local date and the
 * next can: the next when the clock went back over midnight after opening.
 */
static bool
calendar_open_day(const struct calendar *cal, const struct open_rule *rule,
    jtime_t t, int64_t *day)
{
	jtime_t	start, end;
	int64_t	d, today;

	if (!calendar_local_day(t, &today))
		return false;
	for (d = today; d <= today + 1; d++) {
		if (calendar_opening(cal, rule, d, &start, &end) &&
		    start <= t && t < end) {
			*day = d;
			return true;
		}
	}
	return false;
}

bool
calendar_is_open(const struct calendar *cal, const struct open_rule *rule,
    jtime_t t)
{
	int64_t	day;

	if (!calendar_rule_valid(rule))
		return false;
	if (rule->kind == OPEN_ALWAYS)
		return true;
	if (t < -T_LIMIT || t > T_LIMIT)
		return false;
	return calendar_open_day(cal, rule, t, &day);
}

jtime_t
calendar_next_open(const struct calendar *cal, const struct open_rule *rule,
    jtime_t t)
{
	jtime_t	start, end;
	int64_t	today, d;

	if (!calendar_rule_valid(rule))
		return 0;
	if (rule->kind == OPEN_ALWAYS)
		return t;
	if (t < -T_LIMIT || t > T_LIMIT)
		return 0;
	if (calendar_open_day(cal, rule, t, &d))
		return t;
	if (!calendar_local_day(t, &today))
		return 0;
	/* Openings come in date order and t is in none of them. */
	for (d = today; d <= today + CALENDAR_SEARCH_DAYS; d++)
		if (calendar_opening(cal, rule, d, &start, &end) &&
		    start >= t)
			return start;
	return 0;
}

jtime_t
calendar_next_close(const struct calendar *cal, const struct open_rule *rule,
    jtime_t t)
{
	jtime_t	start = 0, end = 0, close = 0;
	int64_t	d, first;

	if (!calendar_rule_valid(rule))
		return t;
	if (rule->kind == OPEN_ALWAYS)
		return 0;
	if (t < -T_LIMIT || t > T_LIMIT)
		return 0;
	if (!calendar_open_day(cal, rule, t, &first))
		return t;
	calendar_opening(cal, rule, first, &start, &close);
	/* An opening to 24:00 runs on into one from 00:00 the next day. */
	for (d = first + 1; d <= first + CALENDAR_SEARCH_DAYS; d++) {
		if (!calendar_opening(cal, rule, d, &start, &end) ||
		    start != close)
			return close;
		close = end;
	}
	return 0;
}
