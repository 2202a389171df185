/*
 * test_ical.c — iCalendar as RFC 5545 wants it: TEXT escaping, folding
 * at exactly 75 octets without splitting å, ä or ö, CRLF, and shift times
 * in Stockholm wall-clock time on both sides of the daylight-saving changes.
 *
 * Instants are written in UTC: Stockholm is UTC+1 in winter and UTC+2 in
 * summer; on 25 October 2026 the clocks go from 03:00 back to 02:00, so
 * 02:30 happens at 00:30Z (summer time) and again at 01:30Z (winter time).
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

#include "ical.h"
#include "jtime.h"

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

/* What fn wrote into a memory stream; the caller frees it. */
static char *
written_line(const char *line)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	assert_int_equal(ical_line(fp, line), 0);
	assert_int_equal(fclose(fp), 0);
	return buf;
}

/*
 * Checks the folding rules on out (CRLF, at most 75 octets, a fold never
 * before a continuation byte) and returns it unfolded, logical lines
 * joined by '\n'; *nlines counts the physical lines.
 */
static char *
unfold_checked(const char *out, int *nlines)
{
	char		*un = calloc(1, strlen(out) + 1);
	const char	*p = out, *eol;
	size_t		 n = 0, len;

	assert_non_null(un);
	*nlines = 0;
	while (*p != '\0') {
		eol = strstr(p, "\r\n");
		assert_non_null(eol);			/* every line ends in CRLF */
		len = (size_t)(eol - p);
		assert_true(len <= ICAL_LINE_OCTETS);
		assert_null(memchr(p, '\n', len));	/* no bare LF */
		if (*nlines > 0 && p[0] == ' ') {
			p++, len--;
			assert_true(len > 0);
			assert_true(((unsigned char)p[0] & 0xc0) != 0x80);
		} else if (*nlines > 0)
			un[n++] = '\n';
		memcpy(un + n, p, len);
		n += len;
		p = eol + 2;
		(*nlines)++;
	}
	un[n] = '\0';
	return un;
}

static void
test_escape(void **state)
{
	char	out[64];

	(void)state;
	assert_int_equal(ical_escape("a\\b;c,d", out, sizeof(out)), 10);
	assert_string_equal(out, "a\\\\b\\;c\\,d");
	assert_int_equal(ical_escape("rad 1\nrad 2\r\nrad 3\rslut", out,
	    sizeof(out)), 25);
	assert_string_equal(out, "rad 1\\nrad 2\\nrad 3\\nslut");
	ical_escape("tab\tok, bell\x07 no", out, sizeof(out));
	assert_string_equal(out, "tab\tok\\, bell  no");
	ical_escape("Kardiologi: Åsa Öberg", out, sizeof(out));
	assert_string_equal(out, "Kardiologi: Åsa Öberg");
	/* Too long: an error, and never half an escape at the end. */
	assert_int_equal(ical_escape("abc;", out, 5), -1);
	assert_string_equal(out, "abc");
	assert_int_equal(ical_escape("abc;", out, 6), 5);
}

static void
test_fold_exactly_75(void **state)
{
	char	line[200], *out, *un;
	int	nlines;

	(void)state;
	/* 75 octets: one line. */
	memset(line, 'x', 75);
	line[75] = '\0';
	out = written_line(line);
	assert_int_equal(strlen(out), 77);
	assert_string_equal(out + 75, "\r\n");
	free(out);

	/* 76 octets: 75, then a space and the last one. */
	memset(line, 'x', 76);
	line[76] = '\0';
	out = written_line(line);
	assert_int_equal(strlen(out), 75 + 2 + 1 + 1 + 2);
	assert_memory_equal(out + 75, "\r\n x\r\n", 6);
	free(out);

	/* 73 octets and "å" (2 octets) fit exactly: one line of 75. */
	memset(line, 'x', 73);
	strcpy(line + 73, "å");
	out = written_line(line);
	assert_int_equal(strlen(out), 77);
	free(out);

	/* 74 and "ä": the ä would straddle octet 75, so the fold comes before
	 * it, after 74 octets. */
	memset(line, 'x', 74);
	strcpy(line + 74, "äy");
	out = written_line(line);
	assert_memory_equal(out + 74, "\r\n äy\r\n", 8);
	un = unfold_checked(out, &nlines);
	assert_int_equal(nlines, 2);
	assert_string_equal(un, line);
	free(un);
	free(out);
}

static void
test_fold_long_swedish(void **state)
{
	char	line[1024], *out, *un;
	size_t	n = 0;
	int	nlines, i;

	(void)state;
	n += (size_t)snprintf(line, sizeof(line), "SUMMARY:");
	for (i = 0; i < 60; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%s",
		    i % 3 == 0 ? "å" : i % 3 == 1 ? "ä" : "ö");
	for (i = 0; i < 7; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "ÖÄÅx");
	out = written_line(line);
	un = unfold_checked(out, &nlines);
	assert_string_equal(un, line);
	/* 8 + 120 + 49 = 177 octets: 75, then 74 (after the space) at most. */
	assert_int_equal(strlen(line), 177);
	assert_int_equal(nlines, 3);
	free(un);
	free(out);
}

/* The whole output of begin, one event and end. */
static char *
calendar_of(const struct ical_event *ev)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	assert_int_equal(ical_begin(fp, "-//jourd//roster//SV"), 0);
	assert_int_equal(ical_event(fp, ev), 0);
	assert_int_equal(ical_end(fp), 0);
	assert_int_equal(fclose(fp), 0);
	return buf;
}

static void
test_calendar_and_event(void **state)
{
	struct ical_event	 ev = {
		.uid = "KARD-primary-20261224T070000Z-46701740620@jourd",
		.stamp = utc(2026, 12, 3, 17, 5) + 42 * JT_SECOND + 7,
		.start = utc(2026, 12, 24, 7, 0),
		.end = utc(2026, 12, 25, 7, 0),
		.summary = "KARD primary: Erik Jourlund",
		.description = "+46701740620; roster",
	};
	char			*out, *un;
	int			 nlines;

	(void)state;
	out = calendar_of(&ev);
	un = unfold_checked(out, &nlines);
	free(un);
	assert_memory_equal(out, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	    "PRODID:-//jourd//roster//SV\r\n", 59);
	assert_non_null(strstr(out, "BEGIN:VTIMEZONE\r\nTZID:Europe/Stockholm\r\n"));
	assert_non_null(strstr(out, "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"));
	assert_non_null(strstr(out, "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"));
	assert_non_null(strstr(out, "\r\nBEGIN:VEVENT\r\n"
	    "UID:KARD-primary-20261224T070000Z-46701740620@jourd\r\n"
	    "DTSTAMP:20261203T170542Z\r\n"
	    "DTSTART;TZID=Europe/Stockholm:20261224T080000\r\n"
	    "DTEND;TZID=Europe/Stockholm:20261225T080000\r\n"
	    "SUMMARY:KARD primary: Erik Jourlund\r\n"
	    "DESCRIPTION:+46701740620\\; roster\r\n"
	    "END:VEVENT\r\nEND:VCALENDAR\r\n"));
	free(out);
}

static void
test_daylight_saving(void **state)
{
	struct ical_event	 ev = {
		.uid = "u@jourd", .stamp = utc(2026, 1, 1, 0, 0),
		.summary = "s", .description = NULL,
	};
	char			*out;

	(void)state;
	/* Summer: 06:00Z is 08:00 CEST. */
	ev.start = utc(2027, 7, 1, 6, 0);
	ev.end = utc(2027, 7, 1, 18, 0);
	out = calendar_of(&ev);
	assert_non_null(strstr(out,
	    "DTSTART;TZID=Europe/Stockholm:20270701T080000\r\n"
	    "DTEND;TZID=Europe/Stockholm:20270701T200000\r\n"));
	assert_null(strstr(out, "DESCRIPTION"));
	free(out);

	/* Across the autumn change: the first 02:30 is written as local time,
	 * the second, which local time cannot name, in UTC. */
	ev.start = utc(2026, 10, 25, 0, 30);
	ev.end = utc(2026, 10, 25, 1, 30);
	out = calendar_of(&ev);
	assert_non_null(strstr(out,
	    "DTSTART;TZID=Europe/Stockholm:20261025T023000\r\n"
	    "DTEND:20261025T013000Z\r\n"));
	free(out);

	/* Across the spring change: 01:00Z is 03:00 CEST, right after the gap. */
	ev.start = utc(2027, 3, 27, 23, 0);
	ev.end = utc(2027, 3, 28, 1, 0);
	out = calendar_of(&ev);
	assert_non_null(strstr(out,
	    "DTSTART;TZID=Europe/Stockholm:20270328T000000\r\n"
	    "DTEND;TZID=Europe/Stockholm:20270328T030000\r\n"));
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_fold_exactly_75),
		cmocka_unit_test(test_fold_long_swedish),
		cmocka_unit_test(test_calendar_and_event),
		cmocka_unit_test(test_daylight_saving),
	};

	if (!jtime_zone()) {
		fprintf(stderr, "test_ical: Europe/Stockholm cannot be loaded\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
