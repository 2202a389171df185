/*
 * icalcheck.c — reads an iCalendar file on stdin with libical, an
 * implementation jourd shares no code with, and prints what a calendar
 * program would see, one line per VEVENT:
 *
 *	UID <TAB> start <TAB> end <TAB> start as written <TAB> SUMMARY
 *
 * start and end are Unix seconds, worked out from the file's own VTIMEZONE
 * (not libical's built-in zones), so a wrong daylight-saving rule in the
 * file shows as a wrong instant. Exit 1, with the reason on stderr, when
 * libical reports a parse error, the calendar lacks VERSION:2.0 or PRODID,
 * or a TZID names no VTIMEZONE in the file. For
 * tests/integration/test_roster.py; never installed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

static int
icalcheck_fail(const char *what)
{
	fprintf(stderr, "icalcheck: %s\n", what);
	return 1;
}

/* Unix seconds of a DTSTART or DTEND, in the zone its TZID names. */
static int
icalcheck_instant(icalcomponent *cal, icalproperty *prop,
    struct icaltimetype t, time_t *out)
{
	icalparameter		*tzid;
	icaltimezone		*zone;

	tzid = icalproperty_get_first_parameter(prop, ICAL_TZID_PARAMETER);
	if (tzid == NULL) {
		if (!icaltime_is_utc(t))
			return -1;	/* floating time: no instant at all */
		*out = icaltime_as_timet(t);
		return 0;
	}
	zone = icalcomponent_get_timezone(cal, icalparameter_get_tzid(tzid));
	if (zone == NULL)
		return -1;
	*out = icaltime_as_timet_with_zone(t, zone);
	return 0;
}

int
main(void)
{
	static char	 buf[4 << 20];
	size_t		 len;
	icalcomponent	*cal, *ev;
	icalproperty	*p, *ps, *pe;
	time_t		 start, end;

	len = fread(buf, 1, sizeof(buf) - 1, stdin);
	if (ferror(stdin) || len == sizeof(buf) - 1)
		return icalcheck_fail("cannot read stdin, or it is too long");
	buf[len] = '\0';
	if ((cal = icalparser_parse_string(buf)) == NULL)
		return icalcheck_fail("not an iCalendar object");
	if (icalcomponent_isa(cal) != ICAL_VCALENDAR_COMPONENT)
		return icalcheck_fail("not a VCALENDAR");
	if (icalcomponent_count_errors(cal) != 0) {
		fprintf(stderr, "%s", icalcomponent_as_ical_string(cal));
		return icalcheck_fail("libical found errors (X-LIC-ERROR above)");
	}
	p = icalcomponent_get_first_property(cal, ICAL_VERSION_PROPERTY);
	if (p == NULL || strcmp(icalproperty_get_version(p), "2.0") != 0)
		return icalcheck_fail("no VERSION:2.0");
	if (icalcomponent_get_first_property(cal, ICAL_PRODID_PROPERTY) == NULL)
		return icalcheck_fail("no PRODID");
	for (ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	    ev != NULL;
	    ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
		ps = icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY);
		pe = icalcomponent_get_first_property(ev, ICAL_DTEND_PROPERTY);
		if (ps == NULL || pe == NULL ||
		    icalcomponent_get_first_property(ev, ICAL_DTSTAMP_PROPERTY) == NULL ||
		    icalcomponent_get_uid(ev) == NULL)
			return icalcheck_fail("a VEVENT without DTSTART, DTEND, "
			    "DTSTAMP or UID");
		if (icalcheck_instant(cal, ps, icalproperty_get_dtstart(ps),
		    &start) == -1 || icalcheck_instant(cal, pe,
		    icalproperty_get_dtend(pe), &end) == -1)
			return icalcheck_fail("a time whose TZID has no VTIMEZONE "
			    "in the file, or a floating time");
		printf("%s\t%lld\t%lld\t%s\t%s\n", icalcomponent_get_uid(ev),
		    (long long)start, (long long)end,
		    icaltime_as_ical_string(icalproperty_get_dtstart(ps)),
		    icalcomponent_get_summary(ev) ? icalcomponent_get_summary(ev) : "");
	}
	icalcomponent_free(cal);
	return 0;
}
