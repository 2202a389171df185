/*
 * calendar.h — Swedish working days and the opening hours of a track.
 *
 * A working day is Monday to Friday unless it is a Swedish public holiday,
 * one of the de-facto closed days (Midsommarafton, Julafton, Nyårsafton) or
 * an extra closed date from the configuration. An OPEN_WEEKDAYS rule is open
 * on working days from from_min (inclusive) to to_min (exclusive), minutes
 * after local midnight: from the first instant at which the wall clock
 * shows from_min to the first at which it shows to_min. A time skipped by
 * a spring-forward gap is thus reached at the moment of the jump, and a
 * time repeated by an autumn overlap counts at its first occurrence. (In
 * Sweden both changes fall on Sundays, never working days.)
 *
 * Pure: no I/O and no clock. Local time is the process's time zone, which
 * jtime_zone() pins to Europe/Stockholm, read with localtime_r only; the
 * zone's offset from UTC is assumed to change at most once in any two days,
 * as every real zone's does.
 *
 * A struct calendar is plain data with no pointers: copy it freely. Every
 * function taking one accepts NULL for "no extra closed dates".
 */
#ifndef JOURD_CALENDAR_H
#define JOURD_CALENDAR_H

#include "common.h"
#include "config.h"

/* Extra closed dates a configuration may list. */
#define CALENDAR_MAX_CLOSED MAX_CLOSED_DATES
/* How far calendar_next_open and calendar_next_close look ahead. */
#define CALENDAR_SEARCH_DAYS 400

struct calendar {
	int	nclosed;
	int32_t	closed[CALENDAR_MAX_CLOSED];	/* local dates, days since
						   1970-01-01 */
};

/* Empties the list of extra closed dates. */
void	calendar_init(struct calendar *);

/*
 * Adds an extra closed date written exactly "YYYY-MM-DD" (years 1970 to
 * 2200). A date already present is accepted once. Returns 0, or -1 when the
 * text is not such a date or the list is full.
 */
int	calendar_add_closed(struct calendar *, const char *ymd);

/* The extra closed dates of a configuration's [closed] section. */
void	calendar_from_config(struct calendar *, const struct config *);

/* Easter Sunday of a Gregorian year (1583 to 9999): March or April. */
void	calendar_easter(int year, int *month, int *day);

/*
 * Whether y-m-d is a Swedish public holiday or a de-facto closed day; its
 * Swedish name (UTF-8, static) goes to *name when name is not NULL. Extra
 * closed dates are not holidays. False for an invalid date or a year
 * outside 1583 to 9999.
 */
bool	calendar_holiday(int year, int month, int day, const char **name);

/* Monday to Friday and neither a holiday nor an extra closed date. */
bool	calendar_is_workday(const struct calendar *, int year, int month,
	    int day);

/*
 * Whether the rule is open at instant t. OPEN_ALWAYS always is; a rule that
 * is not valid (unknown kind, or not 0 <= from_min < to_min <= 1440) never
 * is.
 */
bool	calendar_is_open(const struct calendar *, const struct open_rule *,
	    jtime_t t);

/*
 * The first instant >= t at which the rule is open: t itself when it is
 * open at t (always for OPEN_ALWAYS). Returns 0 when there is none within
 * CALENDAR_SEARCH_DAYS or the rule is not valid.
 */
jtime_t	calendar_next_open(const struct calendar *, const struct open_rule *,
	    jtime_t t);

/*
 * The first instant >= t at which the rule is closed: t itself when it is
 * closed at t, otherwise the end of the current opening (which may span
 * midnight when one day's opening ends at 24:00 and the next starts at
 * 00:00). Returns 0 when there is none within CALENDAR_SEARCH_DAYS (always
 * for OPEN_ALWAYS).
 */
jtime_t	calendar_next_close(const struct calendar *, const struct open_rule *,
	    jtime_t t);

#endif
