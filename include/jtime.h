/*
 * jtime.h — clocks and the wall-clock conversions of Europe/Stockholm.
 *
 * jtime_zone() must run once at start-up: it pins TZ to Europe/Stockholm so
 * that localtime_r and mktime speak the region's time, daylight saving
 * included.
 */
#ifndef JOURD_JTIME_H
#define JOURD_JTIME_H

#include "common.h"

/*
 * Pins the process time zone to Europe/Stockholm. False when the zone
 * cannot be loaded (no tzdata): the C library would then run in UTC and
 * every opening hour and shift would be an hour or two off.
 */
bool jtime_zone(void);

/* Wall-clock now in ms. */
jtime_t jtime_now(void);

/*
 * Monotonic now in ms, for measuring intervals: CLOCK_BOOTTIME, which is
 * never stepped, counts a suspend as the wall clock does, and reads the
 * same in every process on the machine (jourctl compares it with jourd's).
 */
jtime_t jtime_mono(void);

/*
 * The wall clock watched against the monotonic one. Their difference
 * changes only when the wall clock is stepped (NTP slews both alike), so a
 * change of JTIME_STEP_MIN or more is a step: the intervals jourd measures
 * must follow the monotonic clock across it.
 */
#define JTIME_STEP_MIN	JT_SECOND

struct jtime_watch {
	jtime_t	offset;		/* wall - monotonic when the last step was taken */
};

void jtime_watch_init(struct jtime_watch *w, jtime_t wall, jtime_t mono);

/*
 * How far the wall clock has been stepped since the last step taken: the
 * wall clock now minus where it would be without the step. 0 when that is
 * less than JTIME_STEP_MIN either way.
 */
jtime_t jtime_watch_step(const struct jtime_watch *w, jtime_t wall,
    jtime_t mono);

/* Takes a step, once the due times have followed it; later steps are
 * measured from there. */
void jtime_watch_take(struct jtime_watch *w, jtime_t step);

/*
 * Parses "YYYY-MM-DD HH:MM" (or "YYYY-MM-DDTHH:MM[:SS]", or "YYYY-MM-DD"
 * meaning midnight) as Stockholm local time. An ISO 8601 time with an offset
 * or 'Z' is taken as given. Returns 0, or -1 when it is not a valid time.
 */
int jtime_parse(const char *s, jtime_t *out);

/*
 * The one duration grammar, of the configuration and of jourctl: digits and
 * a unit, "ms", "s", "m", "h", "d" or "w" (weeks); a bare number is seconds.
 * At most ten years. Returns ms, or -1 when it is not such a span.
 */
#define JTIME_SPAN_MAX	((jtime_t)3650 * 24 * JT_HOUR)
jtime_t jtime_parse_span(const char *s);

/* Whether y-m-d is a date of the Gregorian calendar. */
bool jtime_valid_date(int y, int m, int d);

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
int64_t jtime_days_from_civil(int64_t y, int m, int d);

/* The date of day `days` since 1970-01-01; the inverse of the above. */
void jtime_civil_from_days(int64_t days, int *y, int *m, int *d);

/*
 * Parses a --since/--until argument: an absolute time (jtime_parse) or a
 * span back from now in jtime_parse_span's grammar ("90m", "24h", "2w"),
 * whose unit is required here: "--since 2026" is no span of seconds.
 * Returns 0 or -1.
 */
int jtime_parse_since(const char *s, jtime_t now, jtime_t *out);

/*
 * As jtime_parse, for a wall-clock time that must exist (a roster's start
 * or end): JTIME_GAP when it falls in the hour skipped when the clocks go
 * forward (02:00-02:59 on the last Sunday of March), with *out set as
 * jtime_parse would. In the autumn hour that happens twice the first, in
 * summer time, is taken. 0, JTIME_GAP, or -1 when it is not a time.
 */
#define JTIME_GAP	(-2)
int jtime_parse_wall(const char *s, jtime_t *out);

/* ISO 8601 with the Stockholm offset: "2026-11-22T09:15:03+01:00". */
char *jtime_iso(jtime_t t, char *buf, size_t sz);

/* Short local time for SMS texts: "14:05", or "22/11 14:05" if not today. */
char *jtime_short(jtime_t t, jtime_t now, char *buf, size_t sz);

#endif
