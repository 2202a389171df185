/*
 * ctl_roster.c — jourctl's views of the roster over time: who is on call
 * at a chosen moment (oncall --at), the shifts of a period (roster), and
 * the same shifts as iCalendar for calendar programs (ical).
 *
 * Times are read and shown in Stockholm time; a period is [from, to) and
 * takes every shift that overlaps it, so the shift running at `from` is
 * listed too.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "ical.h"
#include "jtime.h"
#include "phone.h"
#include "roster.h"
#include "text.h"

/* What roster shows without --to, and ical: two weeks, and a quarter. */
#define ROSTER_DEFAULT_SPAN	(14 * 24 * JT_HOUR)
#define ICAL_DEFAULT_SPAN	(92 * 24 * JT_HOUR)

#define ROSTER_NAME_MAX		128

/* One shift with the names a reader wants next to its codes and number. */
struct roster_row {
	struct shift	s;
	char		name[ROSTER_NAME_MAX];	/* "" when not in the directory */
	char		uname[ROSTER_NAME_MAX];	/* the unit's name, "" if unknown */
};

/* The shifts overlapping [?1, ?2), of unit ?3 and person ?4 when given. */
static const char sql_roster_period[] =
    "SELECT s.id, s.unit, s.role, s.phone, s.start_at, s.end_at, s.source,"
    " p.name, u.name FROM shifts s"
    " LEFT JOIN people p ON p.phone = s.phone"
    " LEFT JOIN units u ON u.code = s.unit"
    " WHERE s.end_at > ?1 AND s.start_at < ?2"
    " AND (?3 IS NULL OR s.unit = ?3) AND (?4 IS NULL OR s.phone = ?4)"
    " ORDER BY s.unit, s.start_at, s.role, s.source DESC, s.id";
static const char sql_roster_unit[] =
    "SELECT code, name FROM units WHERE code = ?1 OR folded = ?2"
    " ORDER BY code";
static const char sql_roster_person[] =
    "SELECT name FROM people WHERE phone = ?1";

/*
 * Finds a unit by its code in any case or its name as people type it.
 * 1 with code (UNIT_MAX) and name set, 0 when there is none, -1 on error.
 */
static int
shifts_find_unit(struct ctl *c, const char *arg, char *code, char *name,
    size_t namesz)
{
	sqlite3_stmt	*st;
	char		 upper[UNIT_MAX], folded[256];
	size_t		 i;
	int		 rc;

	for (i = 0; arg[i] != '\0' && i + 1 < sizeof(upper); i++)
		upper[i] = (char)toupper((unsigned char)arg[i]);
	upper[i] = '\0';
	text_fold(arg, folded, sizeof(folded));
	if ((st = db_stmt(c->db, sql_roster_unit)) == NULL)
		return -1;
	db_bind_text(st, 1, upper);
	db_bind_text(st, 2, folded);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(code, UNIT_MAX, "%s", db_text(st, 0));
		text_copy(name, namesz, db_text(st, 1));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	return rc == SQLITE_ROW;
}

/*
 * Loads the shifts overlapping [from, to), of unit and of phone when not
 * NULL. -1 on a read error; *out is the caller's to free, also when empty.
 */
static int
shifts_load(struct ctl *c, jtime_t from, jtime_t to, const char *unit,
    const char *phone, struct roster_row **out, size_t *n)
{
	sqlite3_stmt		*st;
	struct roster_row	*v = NULL, *tmp, *r;
	size_t			 cap = 0;
	int			 rc;

	*out = NULL;
	*n = 0;
	if ((st = db_stmt(c->db, sql_roster_period)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, to);
	db_bind_text(st, 3, unit);
	db_bind_text(st, 4, phone);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			if ((tmp = reallocarray(v, cap, sizeof(*v))) == NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			v = tmp;
		}
		r = &v[(*n)++];
		memset(r, 0, sizeof(*r));
		r->s.id = sqlite3_column_int64(st, 0);
		snprintf(r->s.unit, sizeof(r->s.unit), "%s", db_text(st, 1));
		snprintf(r->s.role, sizeof(r->s.role), "%s", db_text(st, 2));
		snprintf(r->s.phone, sizeof(r->s.phone), "%s", db_text(st, 3));
		r->s.start = sqlite3_column_int64(st, 4);
		r->s.end = sqlite3_column_int64(st, 5);
		r->s.override = strcmp(db_text(st, 6), "override") == 0;
		/* Cleaned: no control character or bad UTF-8 reaches a reader. */
		text_clean(r->name, sizeof(r->name), db_text(st, 7),
		    strlen(db_text(st, 7)));
		text_clean(r->uname, sizeof(r->uname), db_text(st, 8),
		    strlen(db_text(st, 8)));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		free(v);
		*n = 0;
		return -1;
	}
	*out = v;
	return 0;
}

/* The period of o, or from now for span; CTL_USAGE when it is empty. */
static int
shifts_period(struct ctl *c, const struct ctl_options *o, jtime_t span,
    jtime_t *from, jtime_t *to)
{
	char	a[32], b[32];

	*from = o->from != 0 ? o->from : c->now;
	*to = o->to != 0 ? o->to : *from + span;
	if (*to <= *from) {
		ctl_warnx("--to %s is not after --from %s",
		    ctl_local(*to, false, a, sizeof(a)),
		    ctl_local(*from, false, b, sizeof(b)));
		return CTL_USAGE;
	}
	return CTL_OK;
}

/*
 * oncall [UNIT] --at T: who holds each role at T, chosen as oncall chooses
 * now (an override beats the roster), by running oncall at that moment.
 */
int
ctl_oncall_at(struct ctl *c, const struct ctl_options *o)
{
	jtime_t	now = c->now;
	char	buf[32];
	int	rc;

	if (o->at == 0)
		return ctl_oncall(c, o);
	if (!c->json)
		printf("on call at %s (Stockholm time)\n",
		    ctl_local(o->at, false, buf, sizeof(buf)));
	c->now = o->at;
	rc = ctl_oncall(c, o);
	c->now = now;
	return rc;
}

static void
shifts_json_row(struct json *j, const struct roster_row *r)
{
	json_object_begin(j);
	json_kv_string(j, "unit", r->s.unit);
	json_kv_string(j, "role", r->s.role);
	json_kv_string(j, "phone", r->s.phone);
	json_kv_string(j, "name", r->name[0] ? r->name : NULL);
	json_kv_time(j, "start", r->s.start);
	json_kv_time(j, "end", r->s.end);
	json_kv_string(j, "source", r->s.override ? "override" : "roster");
	json_object_end(j);
}

/*
 * roster [UNIT] [--from T] [--to T]: the shifts of the period, by unit and
 * start, overrides marked. The name is the last column, so that names of
 * any width never shift the columns before it.
 */
int
ctl_roster(struct ctl *c, const struct ctl_options *o)
{
	struct roster_row	*rows;
	struct json		 j;
	char			 code[UNIT_MAX], uname[ROSTER_NAME_MAX];
	char			 a[32], b[32], disp[32];
	const char		*unit = NULL;
	jtime_t			 from, to;
	size_t			 n, i;
	int			 rc;

	if ((rc = shifts_period(c, o, ROSTER_DEFAULT_SPAN, &from, &to)) != CTL_OK)
		return rc;
	if (o->nargs == 1) {
		if ((rc = shifts_find_unit(c, o->args[0], code, uname,
		    sizeof(uname))) == -1)
			return ctl_db_error(c);
		if (rc == 0) {
			ctl_warnx("roster: no unit \"%s\" (by code or name)",
			    o->args[0]);
			return CTL_ERROR;
		}
		unit = code;
	}
	if (shifts_load(c, from, to, unit, NULL, &rows, &n) == -1)
		return ctl_db_error(c);

	if (c->json) {
		json_init(&j, stdout, true);
		json_object_begin(&j);
		json_kv_string(&j, "unit", unit);
		json_kv_time(&j, "from", from);
		json_kv_time(&j, "to", to);
		json_key(&j, "roster");
		json_array_begin(&j);
		for (i = 0; i < n; i++)
			shifts_json_row(&j, &rows[i]);
		json_array_end(&j);
		json_object_end(&j);
		free(rows);
		return ctl_json_finish(&j);
	}

	printf("shifts from %s to %s (Stockholm time)\n",
	    ctl_local(from, false, a, sizeof(a)),
	    ctl_local(to, false, b, sizeof(b)));
	printf("%-12s  %-10s  %-16s  %-16s  %-8s  %-15s  %s\n", "UNIT", "ROLE",
	    "FROM", "TO", "SOURCE", "PHONE", "NAME");
	for (i = 0; i < n; i++)
		printf("%-12s  %-10s  %-16s  %-16s  %-8s  %-15s  %s\n",
		    rows[i].s.unit, rows[i].s.role,
		    ctl_local(rows[i].s.start, false, a, sizeof(a)),
		    ctl_local(rows[i].s.end, false, b, sizeof(b)),
		    rows[i].s.override ? "override" : "roster",
		    phone_display(rows[i].s.phone, disp, sizeof(disp)),
		    rows[i].name[0] ? rows[i].name : "(not in directory)");
	if (n == 0)
		printf("(no shifts in this period)\n");
	free(rows);
	return CTL_OK;
}

/*
 * The UID of a shift: made of what the shift is, not of its row id, which
 * changes when an import replaces a roster with the same shifts; a
 * calendar program that reads the file again then sees the same events.
 */
static void
shifts_ical_uid(const struct roster_row *r, char *buf, size_t sz)
{
	char		 digits[PHONE_MAX];
	const char	*p;
	size_t		 k = 0;
	struct tm	 tm;
	time_t		 s = (time_t)(r->s.start / 1000);

	for (p = r->s.phone; *p != '\0' && k + 1 < sizeof(digits); p++)
		if (isdigit((unsigned char)*p))
			digits[k++] = *p;
	digits[k] = '\0';
	if (gmtime_r(&s, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	snprintf(buf, sz, "%s-%s-%04d%02d%02dT%02d%02d%02dZ-%s%s@jourd",
	    r->s.unit, r->s.role, tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, digits,
	    r->s.override ? "-override" : "");
}

/* Writes the calendar of n shifts to stdout; CTL_OK or CTL_ERROR. */
static int
shifts_ical_write(struct ctl *c, const struct roster_row *rows, size_t n)
{
	const struct roster_row	*r;
	struct ical_event	 ev;
	char			 uid[160], summary[320], desc[512], disp[32];
	size_t			 i;

	if (ical_begin(stdout, "-//jourd//jourd roster//SV") == -1)
		return CTL_ERROR;
	for (i = 0; i < n; i++) {
		r = &rows[i];
		phone_display(r->s.phone, disp, sizeof(disp));
		shifts_ical_uid(r, uid, sizeof(uid));
		snprintf(summary, sizeof(summary), "%s %s: %s%s", r->s.unit,
		    r->s.role, r->name[0] ? r->name : disp,
		    r->s.override ? " (override)" : "");
		snprintf(desc, sizeof(desc), "%s, %s: %s, %s (%s)",
		    r->uname[0] ? r->uname : r->s.unit, r->s.role,
		    r->name[0] ? r->name : "not in the directory", disp,
		    r->s.override ? "override" : "roster");
		memset(&ev, 0, sizeof(ev));
		ev.uid = uid;
		ev.stamp = c->now;
		ev.start = r->s.start;
		ev.end = r->s.end;
		ev.summary = summary;
		ev.description = desc;
		if (ical_event(stdout, &ev) == -1)
			return CTL_ERROR;
	}
	if (ical_end(stdout) == -1)
		return CTL_ERROR;
	return CTL_OK;
}

/*
 * ical UNIT|PHONE [--from T] [--to T]: the shifts of a unit, or of the
 * person with that number, as an iCalendar file on stdout.
 */
int
ctl_ical(struct ctl *c, const struct ctl_options *o)
{
	struct roster_row	*rows;
	sqlite3_stmt		*st;
	char			 code[UNIT_MAX], uname[ROSTER_NAME_MAX];
	char			 phone[PHONE_MAX];
	const char		*unit = NULL, *person = NULL;
	jtime_t			 from, to;
	size_t			 n;
	int			 rc;

	if (c->json) {
		ctl_warnx("ical: writes iCalendar; --json does not apply");
		return CTL_USAGE;
	}
	if ((rc = shifts_period(c, o, ICAL_DEFAULT_SPAN, &from, &to)) != CTL_OK)
		return rc;
	if ((rc = shifts_find_unit(c, o->args[0], code, uname,
	    sizeof(uname))) == -1)
		return ctl_db_error(c);
	if (rc == 1)
		unit = code;
	else if (phone_normalise(o->args[0], phone) == PHONE_OK) {
		if ((st = db_stmt(c->db, sql_roster_person)) == NULL)
			return ctl_db_error(c);
		db_bind_text(st, 1, phone);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return ctl_db_error(c);
		if (rc == SQLITE_ROW)
			person = phone;
	}
	if (unit == NULL && person == NULL) {
		ctl_warnx("ical: \"%s\" is neither a unit (by code or name) nor "
		    "the phone of a person in the directory", o->args[0]);
		return CTL_ERROR;
	}
	if (shifts_load(c, from, to, unit, person, &rows, &n) == -1)
		return ctl_db_error(c);
	rc = shifts_ical_write(c, rows, n);
	free(rows);
	if (rc != CTL_OK)
		ctl_warnx("ical: stdout: write error");
	return rc;
}
