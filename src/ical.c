/*
 * ical.c — the roster as iCalendar (RFC 5545): escaping, folding, the
 * Stockholm VTIMEZONE and one VEVENT per shift.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ical.h"

/*
 * Europe/Stockholm as the EU has changed it since 1996: summer time from
 * 02:00 on the last Sunday of March, winter time from 03:00 on the last
 * Sunday of October. Older rules do not matter to a roster.
 */
static const char *const ical_vtimezone[] = {
	"BEGIN:VTIMEZONE",
	"TZID:" ICAL_TZID,
	"BEGIN:DAYLIGHT",
	"TZOFFSETFROM:+0100",
	"TZOFFSETTO:+0200",
	"TZNAME:CEST",
	"DTSTART:19960331T020000",
	"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
	"END:DAYLIGHT",
	"BEGIN:STANDARD",
	"TZOFFSETFROM:+0200",
	"TZOFFSETTO:+0100",
	"TZNAME:CET",
	"DTSTART:19961027T030000",
	"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
	"END:STANDARD",
	"END:VTIMEZONE",
};

int
ical_escape(const char *in, char *out, size_t sz)
{
	const unsigned char	*p = (const unsigned char *)in;
	char			 esc[3];
	size_t			 n = 0, k;

	if (sz == 0)
		return -1;
	for (; *p != '\0'; p++) {
		k = 0;
		if (*p == '\\' || *p == ';' || *p == ',') {
			esc[k++] = '\\';
			esc[k++] = (char)*p;
		} else if (*p == '\r' || *p == '\n') {
			/* CRLF, CR and LF are each one line break. */
			if (*p == '\r' && p[1] == '\n')
				p++;
			esc[k++] = '\\';
			esc[k++] = 'n';
		} else if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			esc[k++] = ' ';
		else
			esc[k++] = (char)*p;
		/* All of an escape or none of it. */
		if (n + k >= sz) {
			out[n] = '\0';
			return -1;
		}
		memcpy(out + n, esc, k);
		n += k;
	}
	out[n] = '\0';
	return (int)n;
}

int
ical_line(FILE *fp, const char *line)
{
	const unsigned char	*p = (const unsigned char *)line;
	size_t			 left = strlen(line), room, take;
	bool			 first = true;

	do {
		/* A continuation line spends one octet on its leading space. */
		room = first ? ICAL_LINE_OCTETS : ICAL_LINE_OCTETS - 1;
		take = left < room ? left : room;
		/* Back off to the start of a UTF-8 character. */
		while (take < left && take > 0 && (p[take] & 0xc0) == 0x80)
			take--;
		if (take == 0 && left > 0)
			take = left < room ? left : room;	/* not UTF-8: cut */
		if ((!first && fputc(' ', fp) == EOF) ||
		    fwrite(p, 1, take, fp) != take || fputs("\r\n", fp) == EOF)
			return -1;
		p += take;
		left -= take;
		first = false;
	} while (left > 0);
	return 0;
}

/* Writes NAME:VALUE (VALUE as given, not escaped) as one folded line. */
static int
ical_prop(FILE *fp, const char *name, const char *value)
{
	char	buf[2048];
	int	w;

	w = snprintf(buf, sizeof(buf), "%s:%s", name, value);
	if (w < 0 || (size_t)w >= sizeof(buf))
		return -1;
	return ical_line(fp, buf);
}

/* Writes NAME:TEXT with the TEXT escaped. */
static int
ical_prop_text(FILE *fp, const char *name, const char *text)
{
	char	esc[1536];

	if (ical_escape(text, esc, sizeof(esc)) == -1)
		return -1;
	return ical_prop(fp, name, esc);
}

/* Seconds of a jtime_t, rounded toward the past also before 1970. */
static time_t
ical_secs(jtime_t t)
{
	return (time_t)(t >= 0 ? t / 1000 : -((-t + 999) / 1000));
}

static int
ical_utc(char *buf, size_t sz, jtime_t t)
{
	struct tm	tm;
	time_t		s = ical_secs(t);

	if (gmtime_r(&s, &tm) == NULL)
		return -1;
	snprintf(buf, sz, "%04d%02d%02dT%02d%02d%02dZ", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return 0;
}

static bool
ical_same_wall(const struct tm *a, const struct tm *b)
{
	return a->tm_year == b->tm_year && a->tm_yday == b->tm_yday &&
	    a->tm_hour == b->tm_hour && a->tm_min == b->tm_min &&
	    a->tm_sec == b->tm_sec;
}

/*
 * Writes NAME;TZID=...:local time, or NAME:UTC when the wall clock showed
 * the same time an hour earlier: the second pass of the autumn hour, which
 * a TZID time would name as the first (RFC 5545 3.3.5).
 */
static int
ical_time(FILE *fp, const char *name, jtime_t t)
{
	struct tm	tm, before;
	time_t		s = ical_secs(t), s1 = s - 3600;
	char		val[80], prop[64];

	if (localtime_r(&s, &tm) == NULL || localtime_r(&s1, &before) == NULL)
		return -1;
	if (ical_same_wall(&tm, &before)) {
		if (ical_utc(val, sizeof(val), t) == -1)
			return -1;
		return ical_prop(fp, name, val);
	}
	snprintf(val, sizeof(val), "%04d%02d%02dT%02d%02d%02d",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec);
	snprintf(prop, sizeof(prop), "%s;TZID=%s", name, ICAL_TZID);
	return ical_prop(fp, prop, val);
}

int
ical_begin(FILE *fp, const char *prodid)
{
	size_t	i;

	if (ical_line(fp, "BEGIN:VCALENDAR") == -1 ||
	    ical_line(fp, "VERSION:2.0") == -1 ||
	    ical_prop(fp, "PRODID", prodid) == -1 ||
	    ical_line(fp, "CALSCALE:GREGORIAN") == -1)
		return -1;
	for (i = 0; i < nitems(ical_vtimezone); i++)
		if (ical_line(fp, ical_vtimezone[i]) == -1)
			return -1;
	return 0;
}

int
ical_event(FILE *fp, const struct ical_event *ev)
{
	char	stamp[80];

	if (ical_utc(stamp, sizeof(stamp), ev->stamp) == -1)
		return -1;
	if (ical_line(fp, "BEGIN:VEVENT") == -1 ||
	    ical_prop_text(fp, "UID", ev->uid) == -1 ||
	    ical_prop(fp, "DTSTAMP", stamp) == -1 ||
	    ical_time(fp, "DTSTART", ev->start) == -1 ||
	    ical_time(fp, "DTEND", ev->end) == -1 ||
	    ical_prop_text(fp, "SUMMARY", ev->summary) == -1 ||
	    (ev->description != NULL &&
	    ical_prop_text(fp, "DESCRIPTION", ev->description) == -1) ||
	    ical_line(fp, "END:VEVENT") == -1)
		return -1;
	return 0;
}

int
ical_end(FILE *fp)
{
	return ical_line(fp, "END:VCALENDAR");
}
