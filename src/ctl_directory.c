/*
 * ctl_directory.c — jourctl's directory care: the people (of one unit),
 * the units, and taking a person or a unit out of the directory.
 *
 * The listings show the directory as jourd routes by it: removed people
 * and units are left out. The consults, the log and the reports still
 * name them; removal.c says why a row stays.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ctl.h"
#include "phone.h"
#include "removal.h"
#include "text.h"

/* ?1: a unit code, or NULL for every unit. */
static const char sql_people[] =
    "SELECT name, phone, title, unit, can_request, pager FROM people"
    " WHERE removed_at IS NULL AND (?1 IS NULL OR unit = ?1)"
    " ORDER BY unit, name, phone";
static const char sql_any_pager[] =
    "SELECT EXISTS (SELECT 1 FROM people WHERE pager IS NOT NULL"
    " AND removed_at IS NULL AND (?1 IS NULL OR unit = ?1))";
static const char sql_units[] =
    "SELECT code, name, kind, phone, hours FROM units"
    " WHERE removed_at IS NULL ORDER BY code";
/* A unit as typed: its code in any case, or its name as people write it. */
static const char sql_unit_find[] =
    "SELECT code FROM units WHERE removed_at IS NULL"
    " AND (code = ?1 OR folded = ?2) ORDER BY code = ?1 DESC, code LIMIT 1";

/* A unit code as stored: upper case, cut to fit. */
static void
dir_code(const char *in, char code[UNIT_MAX])
{
	size_t	i;

	for (i = 0; in[i] != '\0' && i + 1 < UNIT_MAX; i++)
		code[i] = (char)toupper((unsigned char)in[i]);
	code[i] = '\0';
}

/*
 * Resolves a unit as typed into its code: CTL_OK, or CTL_ERROR with a
 * message when it is not in the directory or the directory failed.
 */
static int
dir_unit(struct ctl *c, const char *cmd, const char *typed,
    char code[UNIT_MAX])
{
	sqlite3_stmt	*st;
	char		 upper[UNIT_MAX], folded[256];
	int		 rc;

	dir_code(typed, upper);
	text_fold(typed, folded, sizeof(folded));
	if ((st = db_stmt(c->db, sql_unit_find)) == NULL)
		return ctl_db_error(c);
	db_bind_text(st, 1, upper);
	db_bind_text(st, 2, folded);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		text_copy(code, UNIT_MAX, db_text(st, 0));
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return CTL_OK;
	if (rc != SQLITE_DONE)
		return ctl_db_error(c);
	ctl_warnx("%s: no unit \"%s\" (by code or name)", cmd, typed);
	return CTL_ERROR;
}

/* Whether anybody listed (of unit, NULL for all) has a pager; -1 on error. */
static int
dir_any_pager(struct ctl *c, const char *unit)
{
	sqlite3_stmt	*st;
	int		 rc, any = 0;

	if ((st = db_stmt(c->db, sql_any_pager)) == NULL)
		return -1;
	db_bind_text(st, 1, unit);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		any = sqlite3_column_int(st, 0) != 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? any : -1;
}

/*
 * people [UNIT]: the directory's people by unit and name, or those of one
 * unit. The pager column is shown only where somebody has a pager, so a
 * directory without the paging system reads as it always did; in JSON
 * every person has "pager".
 */
int
ctl_people(struct ctl *c, const struct ctl_options *o)
{
	sqlite3_stmt	*st;
	struct json	 j;
	char		 code[UNIT_MAX];
	const char	*unit = NULL;
	int		 pagers = 0, rc, n = 0;

	if (o->nargs == 1) {
		if ((rc = dir_unit(c, "people", o->args[0], code)) != CTL_OK)
			return rc;
		unit = code;
	}
	if (!c->json && (pagers = dir_any_pager(c, unit)) == -1)
		return ctl_db_error(c);
	if ((st = db_stmt(c->db, sql_people)) == NULL)
		return ctl_db_error(c);
	db_bind_text(st, 1, unit);
	if (c->json) {
		json_init(&j, stdout, true);
		json_object_begin(&j);
		json_key(&j, "people");
		json_array_begin(&j);
	} else {
		printf("%-22s  %-16s  %-22s  %-12s  %s", "NAME", "PHONE", "TITLE",
		    "UNIT", pagers ? "REQUEST  " : "REQUEST");
		if (pagers)
			printf("PAGER");
		putchar('\n');
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		bool	 can = sqlite3_column_int(st, 4) != 0;
		bool	 none = sqlite3_column_type(st, 5) == SQLITE_NULL;

		n++;
		if (c->json) {
			json_object_begin(&j);
			json_kv_string(&j, "name", db_text(st, 0));
			json_kv_string(&j, "phone", db_text(st, 1));
			json_kv_string(&j, "title", db_text(st, 2));
			json_kv_string(&j, "unit", db_text(st, 3));
			json_kv_bool(&j, "can_request", can);
			json_kv_string(&j, "pager", none ? NULL : db_text(st, 5));
			json_object_end(&j);
			continue;
		}
		show_cell(db_text(st, 0), 22);
		show_cell(db_text(st, 1), 16);
		show_cell(db_text(st, 2), 22);
		show_cell(db_text(st, 3), 12);
		if (pagers) {
			show_cell(can ? "yes" : "no", 7);
			show_cell_last(none ? "-" : db_text(st, 5), 16, true);
		} else
			show_cell_last(can ? "yes" : "no", 7, true);
		putchar('\n');
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return ctl_db_error(c);
	if (!c->json && n == 0 && unit != NULL) {
		printf("(nobody in %s)\n", unit);
		return CTL_OK;
	}
	return ctl_list_end(c, &j, n, "(nobody: import people first)");
}

/* units: the directory's units by code, with the switchboard and hours. */
int
ctl_units(struct ctl *c, const struct ctl_options *o)
{
	sqlite3_stmt	*st;
	struct json	 j;
	char		 disp[32];
	int		 rc, n = 0;

	if ((st = db_stmt(c->db, sql_units)) == NULL)
		return ctl_db_error(c);
	if (c->json) {
		json_init(&j, stdout, true);
		json_object_begin(&j);
		json_key(&j, "units");
		json_array_begin(&j);
	} else
		printf("%-12s  %-30s  %-13s  %-15s  %s\n", "CODE", "NAME", "KIND",
		    "PHONE", "HOURS");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n++;
		if (c->json) {
			json_object_begin(&j);
			json_kv_string(&j, "code", db_text(st, 0));
			json_kv_string(&j, "name", db_text(st, 1));
			json_kv_string(&j, "kind", db_text(st, 2));
			json_kv_string(&j, "phone", db_text(st, 3));
			json_kv_string(&j, "hours", db_text(st, 4));
			json_object_end(&j);
			continue;
		}
		show_cell(db_text(st, 0), 12);
		show_cell(db_text(st, 1), 30);
		show_cell(db_text(st, 2), 13);
		show_cell(phone_display(db_text(st, 3), disp, sizeof(disp)), 15);
		show_cell_last(db_text(st, 4), 24, true);
		putchar('\n');
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return ctl_db_error(c);
	return ctl_list_end(c, &j, n, "(no units: import units first)");
}

/* Tells on stderr what keeps a person or unit in the directory. */
static void
dir_refused(struct ctl *c, const char *what, const char *key,
    const struct removal_report *r)
{
	char	from[32], to[32];
	int	i;

	ctl_warnx("remove %s %s (%s): refused", what, key, r->name);
	if (r->nshifts > 0)
		fprintf(stderr, "  %d shift%s not yet over:\n", r->nshifts,
		    r->nshifts == 1 ? "" : "s");
	for (i = 0; i < r->nshifts && i < REMOVAL_SHOWN; i++)
		fprintf(stderr, "    %s %s %s to %s (%s)\n", r->shifts[i].unit,
		    r->shifts[i].role,
		    ctl_local(r->shifts[i].start, false, from, sizeof(from)),
		    ctl_local(r->shifts[i].end, false, to, sizeof(to)),
		    r->shifts[i].override ? "override" : "roster");
	if (r->nshifts > REMOVAL_SHOWN)
		fprintf(stderr, "    … and %d more\n",
		    r->nshifts - REMOVAL_SHOWN);
	if (r->nshifts > 0)
		fprintf(stderr, "  give the roster shifts to someone else "
		    "(import roster); an override ends by itself\n");
	if (r->nconsults > 0)
		fprintf(stderr, "  %d consult%s %s:\n", r->nconsults,
		    r->nconsults == 1 ? "" : "s", strcmp(what, "unit") == 0 ?
		    "still queued or open" : "with a page to answer");
	for (i = 0; i < r->nconsults && i < REMOVAL_SHOWN; i++)
		fprintf(stderr, "    #%lld %s %s\n", (long long)r->consults[i].id,
		    r->consults[i].track, r->consults[i].state);
	if (r->nconsults > REMOVAL_SHOWN)
		fprintf(stderr, "    … and %d more\n",
		    r->nconsults - REMOVAL_SHOWN);
	if (r->nconsults > 0)
		fprintf(stderr, "  try again when they are closed "
		    "(jourctl consults --open)\n");
}

/*
 * The [track] whose after_hours is code, or NULL: PV would route to a unit
 * that no longer takes requests.
 */
static const char *
dir_configured(const struct ctl *c, const char *code)
{
	int	t;

	for (t = 0; t < MAX_TRACKS; t++)
		if (c->cf.tracks[t].enabled &&
		    strcasecmp(c->cf.tracks[t].after_hours, code) == 0)
			return c->cf.tracks[t].name;
	return NULL;
}

/*
 * remove person PHONE | remove unit CODE: takes it out of routing and
 * KONTAKT unless that would strand work (removal.h).
 */
int
ctl_remove(struct ctl *c, const struct ctl_options *o)
{
	struct removal_report	 r;
	enum removal_result	 res;
	struct json		 j;
	const char		*what = o->args[0], *track;
	char			 key[UNIT_MAX], at[32];
	bool			 person;

	if (strcmp(what, "person") == 0) {
		person = true;
		if (phone_normalise(o->args[1], key) != PHONE_OK) {
			ctl_warnx("remove person: \"%s\" is not a phone number",
			    o->args[1]);
			return CTL_USAGE;
		}
		res = removal_person(c->db, key, c->now, &r);
	} else if (strcmp(what, "unit") == 0) {
		person = false;
		dir_code(o->args[1], key);
		if ((track = dir_configured(c, key)) != NULL) {
			ctl_warnx("remove unit %s: refused: %s names it "
			    "([track %s] after_hours); change that first", key,
			    c->cf.path, track);
			return CTL_ERROR;
		}
		res = removal_unit(c->db, key, c->now, &r);
	} else {
		ctl_warnx("remove: \"%s\": expected person or unit", what);
		return CTL_USAGE;
	}

	switch (res) {
	case REMOVAL_DONE:
		break;
	case REMOVAL_REFUSED:
		dir_refused(c, what, key, &r);
		return CTL_ERROR;
	case REMOVAL_UNKNOWN:
		ctl_warnx("remove %s: %s is not in the directory", what, key);
		return CTL_ERROR;
	case REMOVAL_ALREADY:
		ctl_warnx("remove %s: %s (%s) was already removed at %s", what,
		    key, r.name, ctl_local(r.removed_at, false, at, sizeof(at)));
		return CTL_ERROR;
	case REMOVAL_ERROR:
		return ctl_db_error(c);
	}
	if (!c->json) {
		printf("removed %s %s (%s)\n", what, key, r.name);
		return CTL_OK;
	}
	json_init(&j, stdout, true);
	json_object_begin(&j);
	json_kv_string(&j, "removed", what);
	json_kv_string(&j, person ? "phone" : "code", key);
	json_kv_string(&j, "name", r.name);
	json_object_end(&j);
	return ctl_json_finish(&j);
}
