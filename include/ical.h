/*
 * ical.h — the roster as iCalendar (RFC 5545), for calendar programs.
 *
 * A writer only: it parses nothing, so it has no fuzz target. Pure apart
 * from the FILE * it is given: no clock (the caller passes DTSTAMP) and no
 * database. Local times are read with localtime_r in the process zone,
 * which jtime_zone() pins to Europe/Stockholm, and are written with
 * TZID=Europe/Stockholm and a VTIMEZONE that states the Swedish (EU)
 * daylight-saving rules, so that a calendar program shows the shift where
 * the roster put it on the wall clock, before and after a change.
 *
 * Every line ends in CRLF and is folded after 75 octets (the continuation
 * starts with a space) without splitting a UTF-8 character.
 */
#ifndef JOURD_ICAL_H
#define JOURD_ICAL_H

#include <stdio.h>

#include "common.h"

/* At most this many octets on one line, CRLF not counted (RFC 5545 3.1). */
#define ICAL_LINE_OCTETS	75

#define ICAL_TZID		"Europe/Stockholm"

/* One shift as one VEVENT. The strings are the caller's. */
struct ical_event {
	const char	*uid;		/* stable for the same shift */
	jtime_t		 stamp;		/* DTSTAMP: when the calendar was made */
	jtime_t		 start;		/* DTSTART, inclusive */
	jtime_t		 end;		/* DTEND, exclusive */
	const char	*summary;	/* "KARD primary: Erik Jourlund" */
	const char	*description;	/* NULL: none */
};

/*
 * Escapes a TEXT value (RFC 5545 3.3.11): backslash, semicolon and comma
 * get a backslash, a line break becomes "\n" (CRLF counts as one), other
 * control characters become a space. Returns the length written, or -1
 * when it does not fit in sz (out then holds a cut, still escaped, text).
 */
int	ical_escape(const char *in, char *out, size_t sz);

/*
 * Writes one content line, folded: at most ICAL_LINE_OCTETS octets per
 * physical line, a fold never inside a UTF-8 sequence, each line ended by
 * CRLF. 0, or -1 when writing failed.
 */
int	ical_line(FILE *fp, const char *line);

/* BEGIN:VCALENDAR, VERSION, PRODID, and the VTIMEZONE. 0 or -1. */
int	ical_begin(FILE *fp, const char *prodid);

/*
 * One VEVENT. DTSTART and DTEND are Stockholm wall-clock time with TZID,
 * except an instant in the second pass of the hour repeated when the clocks
 * go back, which that form cannot name (it means the first pass): that one
 * is written in UTC. 0, or -1 when writing failed or a text is too long.
 */
int	ical_event(FILE *fp, const struct ical_event *ev);

/* END:VCALENDAR. 0 or -1. */
int	ical_end(FILE *fp);

#endif
