/*
 * coverage.c — the roster's gaps ahead (DESIGN §12): the spans of time a
 * role must be held, the parts of them no shift covers, and the shell that
 * reads the directory and the roster for jourd's daily check and jourctl.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "coverage.h"
#include "log.h"
#include "text.h"

#define COVERAGE_DAY	(24 * JT_HOUR)

void
coverage_need_init(struct coverage_need *n)
{
	n->n = 0;
}

int
coverage_need_add(struct coverage_need *n, jtime_t from, jtime_t to)
{
	size_t	i, k;

	if (from >= to)
		return 0;
	/* The first span that ends at or after from, the first that starts
	 * after to: those between overlap or touch [from, to). */
	for (i = 0; i < n->n && n->s[i].to < from; i++)
		;
	for (k = i; k < n->n && n->s[k].from <= to; k++)
		;
	if (i == k) {
		if (n->n == nitems(n->s))
			return -1;
		memmove(&n->s[i + 1], &n->s[i], (n->n - i) * sizeof(n->s[0]));
		n->s[i].from = from;
		n->s[i].to = to;
		n->n++;
		return 0;
	}
	if (n->s[i].from < from)
		from = n->s[i].from;
	if (n->s[k - 1].to > to)
		to = n->s[k - 1].to;
	n->s[i].from = from;
	n->s[i].to = to;
	memmove(&n->s[i + 1], &n->s[k], (n->n - k) * sizeof(n->s[0]));
	n->n -= k - i - 1;
	return 0;
}

/* Adds the parts of [from, to) at which rule is open. */
static int
coverage_open_add(struct coverage_need *n, const struct calendar *cal,
    const struct open_rule *rule, jtime_t from, jtime_t to)
{
	jtime_t	t = from, o, c;

	while (t < to) {
		if ((o = calendar_next_open(cal, rule, t)) == 0 || o >= to)
			break;
		/* Always open (0): to the end of the horizon. */
		if ((c = calendar_next_close(cal, rule, o)) == 0 || c > to)
			c = to;
		if (c <= o)
			break;
		if (coverage_need_add(n, o, c) == -1)
			return -1;
		t = c;
	}
	return 0;
}

int
coverage_need_open(struct coverage_need *n, const struct calendar *cal,
    const struct open_rule *rule, const struct open_rule *within,
    jtime_t from, jtime_t to)
{
	struct coverage_need	outer;
	size_t			i;

	if (within == NULL)
		return coverage_open_add(n, cal, rule, from, to);
	coverage_need_init(&outer);
	if (coverage_open_add(&outer, cal, rule, from, to) == -1)
		return -1;
	for (i = 0; i < outer.n; i++)
		if (coverage_open_add(n, cal, within, outer.s[i].from,
		    outer.s[i].to) == -1)
			return -1;
	return 0;
}

size_t
coverage_gaps(const struct shift *shifts, size_t n,
    const struct coverage_need *need, struct coverage_gap *out, size_t max)
{
	const struct coverage_span	*sp;
	size_t				 count = 0, i, k;
	jtime_t				 t, end, next;
	bool				 tail = false;	/* the last gap ran to
							 * the end of its span */

	for (i = 0; i < need->n; i++) {
		sp = &need->s[i];
		t = sp->from;
		while (t < sp->to) {
			/* Covered at t: jump to the latest end of a shift
			 * holding t. */
			end = t;
			for (k = 0; k < n; k++)
				if (shifts[k].start <= t && shifts[k].end > end)
					end = shifts[k].end;
			if (end > t) {
				t = end;
				tail = false;
				continue;
			}
			/* A gap, up to the next shift's start. */
			next = sp->to;
			for (k = 0; k < n; k++)
				if (shifts[k].start > t && shifts[k].start < next)
					next = shifts[k].start;
			if (t == sp->from && tail && count > 0) {
				/* Only time nobody needs lies between. */
				if (count <= max)
					out[count - 1].to = next;
			} else {
				if (count < max) {
					memset(&out[count], 0, sizeof(out[count]));
					out[count].from = t;
					out[count].to = next;
				}
				count++;
			}
			tail = next == sp->to;
			t = next;
		}
	}
	return count;
}

char *
coverage_local(jtime_t t, char *buf, size_t sz)
{
	time_t		s = (time_t)(t / 1000);
	struct tm	tm;

	if (localtime_r(&s, &tm) == NULL ||
	    strftime(buf, sz, "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(buf, sz, "?");
	return buf;
}

static const char sql_units[] =
    "SELECT code, kind, hours FROM units WHERE removed_at IS NULL"
    " AND (kind IN ('specialty', 'health_centre') OR code = ?1)"
    " ORDER BY code";
static const char sql_unit_rostered[] =
    "SELECT EXISTS (SELECT 1 FROM shifts WHERE unit = ?1)";
static const char sql_role_rostered[] =
    "SELECT EXISTS (SELECT 1 FROM shifts WHERE unit = ?1 AND role = ?2)";
static const char sql_window[] =
    "SELECT id, phone, start_at, end_at, source = 'override' FROM shifts"
    " WHERE unit = ?1 AND role = ?2 AND end_at > ?3 AND start_at < ?4"
    " AND phone NOT IN (SELECT phone FROM people"
    " WHERE removed_at IS NOT NULL)"
    " ORDER BY start_at LIMIT 16384";

/* One unit a track can page, as read from the directory; a removed unit
 * pages nobody, and a removed person's shifts cover nothing. */
struct coverage_unit {
	char	code[UNIT_MAX];
	char	kind[24];
	char	hours[48];
};

/* One role of a unit and when it must be held. */
struct coverage_role {
	char			name[ROLE_MAX];
	struct coverage_need	need;
};

/* The units, read before any shift; NULL on a read error or no memory. */
static struct coverage_unit *
coverage_read_units(struct db *db, const struct config *cf, size_t *nunits)
{
	struct coverage_unit	*u = NULL, *nu;
	sqlite3_stmt		*st;
	size_t			 n = 0, cap = 0;
	int			 rc;

	*nunits = 0;
	if ((st = db_stmt(db, sql_units)) == NULL)
		return NULL;
	db_bind_text(st, 1, cf->tracks[TRACK_PV].enabled ?
	    cf->tracks[TRACK_PV].after_hours : "");
	while ((rc = db_row(db, st)) == 1) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((nu = reallocarray(u, cap, sizeof(*u))) == NULL) {
				log_warn("coverage: units");
				rc = -1;
				break;
			}
			u = nu;
		}
		text_copy(u[n].code, sizeof(u[n].code), db_text(st, 0));
		text_copy(u[n].kind, sizeof(u[n].kind), db_text(st, 1));
		text_copy(u[n].hours, sizeof(u[n].hours), db_text(st, 2));
		n++;
	}
	sqlite3_reset(st);
	if (rc == -1) {
		free(u);
		return NULL;
	}
	*nunits = n;
	/* An empty directory is no error: a non-NULL pointer says so. */
	return u != NULL ? u : calloc(1, sizeof(*u));
}

/* 1 when the query of one EXISTS says so, 0 when not, -1 on an error. */
static int
coverage_exists(struct db *db, const char *sql, const char *unit,
    const char *role)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = db_stmt(db, sql)) == NULL)
		return -1;
	db_bind_text(st, 1, unit);
	if (role != NULL)
		db_bind_text(st, 2, role);
	if ((rc = db_row(db, st)) == 1)
		rc = sqlite3_column_int(st, 0) != 0;
	sqlite3_reset(st);
	return rc;
}

/* The roles of unit's escalations with when each must be held. */
static void
coverage_roles(const struct config *cf, const struct calendar *cal,
    const struct coverage_unit *u, jtime_t from, jtime_t to,
    struct coverage_role *roles, size_t *nroles)
{
	const struct track_conf	*t;
	struct open_rule	 hours;
	const struct open_rule	*within;
	size_t			 r;
	int			 i, k;

	*nroles = 0;
	for (i = 0; i < MAX_TRACKS; i++) {
		t = &cf->tracks[i];
		within = NULL;
		if (!t->enabled)
			continue;
		if (i == TRACK_PV) {
			/* The after_hours unit stands in whenever a centre is
			 * closed; a centre is paged within its own hours (a
			 * bad value is taken as always, as inbound does). */
			if (strcmp(u->code, t->after_hours) == 0)
				;
			else if (strcmp(u->kind, "health_centre") != 0)
				continue;
			else if (config_parse_open(u->hours, &hours) == 0)
				within = &hours;
		} else if (strcmp(u->kind, "specialty") != 0)
			continue;
		for (k = 0; k < t->nroles; k++) {
			for (r = 0; r < *nroles &&
			    strcmp(roles[r].name, t->roles[k]) != 0; r++)
				;
			if (r == *nroles) {
				text_copy(roles[r].name, sizeof(roles[r].name),
				    t->roles[k]);
				coverage_need_init(&roles[r].need);
				(*nroles)++;
			}
			if (coverage_need_open(&roles[r].need, cal, &t->open,
			    within, from, to) == -1)
				log_warnx("coverage: %s %s: more than %d spans, "
				    "the rest not checked", u->code, t->roles[k],
				    COVERAGE_SPANS_MAX);
		}
	}
}

/* The shifts of one role overlapping [from, to); -1 on a read error. */
static int
coverage_shifts(struct db *db, const char *unit, const char *role,
    jtime_t from, jtime_t to, struct shift *s, size_t max, size_t *n)
{
	sqlite3_stmt	*st;
	int		 rc = 0;

	*n = 0;
	if ((st = db_stmt(db, sql_window)) == NULL)
		return -1;
	db_bind_text(st, 1, unit);
	db_bind_text(st, 2, role);
	sqlite3_bind_int64(st, 3, from);
	sqlite3_bind_int64(st, 4, to);
	while (*n < max && (rc = db_row(db, st)) == 1) {
		memset(&s[*n], 0, sizeof(s[*n]));
		s[*n].id = sqlite3_column_int64(st, 0);
		text_copy(s[*n].phone, sizeof(s[*n].phone), db_text(st, 1));
		s[*n].start = sqlite3_column_int64(st, 2);
		s[*n].end = sqlite3_column_int64(st, 3);
		s[*n].override = sqlite3_column_int(st, 4) != 0;
		(*n)++;
	}
	if (*n == max)
		log_warnx("coverage: %s %s: more than %zu shifts ahead, the "
		    "rest taken as a gap", unit, role, max);
	sqlite3_reset(st);
	return rc == -1 ? -1 : 0;
}

int
coverage_find(struct db *db, const struct config *cf,
    const struct calendar *cal, jtime_t now, int days,
    struct coverage_gap *out, size_t max, size_t *ngaps)
{
	struct coverage_unit	*units;
	struct coverage_role	*roles = NULL;
	struct shift		*shifts = NULL;
	size_t			 nunits, nroles, nshifts, i, r, g, got, total = 0;
	jtime_t			 to;
	int			 rostered, used, rc = -1;

	*ngaps = 0;
	if (days <= 0)
		return 0;
	if (days > COVERAGE_DAYS_MAX)
		days = COVERAGE_DAYS_MAX;
	to = now + days * COVERAGE_DAY;
	if ((units = coverage_read_units(db, cf, &nunits)) == NULL)
		return -1;
	roles = calloc(MAX_TRACKS * MAX_STEPS, sizeof(*roles));
	shifts = calloc(COVERAGE_SHIFTS_MAX, sizeof(*shifts));
	if (roles == NULL || shifts == NULL) {
		log_warn("coverage");
		goto done;
	}
	for (i = 0; i < nunits; i++) {
		coverage_roles(cf, cal, &units[i], now, to, roles, &nroles);
		if (nroles == 0)
			continue;
		if ((rostered = coverage_exists(db, sql_unit_rostered,
		    units[i].code, NULL)) == -1)
			goto done;
		for (r = 0; r < nroles; r++) {
			used = !rostered ? 1 : coverage_exists(db,
			    sql_role_rostered, units[i].code, roles[r].name);
			if (used == -1)
				goto done;
			if (!used)
				continue;
			if (coverage_shifts(db, units[i].code, roles[r].name,
			    now, to, shifts, COVERAGE_SHIFTS_MAX, &nshifts) == -1)
				goto done;
			got = coverage_gaps(shifts, nshifts, &roles[r].need,
			    total < max ? out + total : NULL,
			    total < max ? max - total : 0);
			for (g = total; g < total + got && g < max; g++) {
				text_copy(out[g].unit, sizeof(out[g].unit),
				    units[i].code);
				text_copy(out[g].role, sizeof(out[g].role),
				    roles[r].name);
			}
			total += got;
		}
	}
	*ngaps = total;
	rc = 0;
done:
	free(shifts);
	free(roles);
	free(units);
	return rc;
}
