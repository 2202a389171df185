/*
 * import.c — units, people and rosters from CSV in one transaction.
 *
 * Every row is validated before anything is written, and the whole import
 * runs inside one transaction that is rolled back on the first error, so a
 * bad file never leaves half a directory behind.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "csv.h"
#include "espa.h"
#include "import.h"
#include "jtime.h"
#include "parse.h"
#include "phone.h"
#include "text.h"

/* The most columns a kind has, its optional trailing ones included. */
#define IMPORT_COLUMNS_MAX 6

/* People's optional sixth column, by index. */
#define IMPORT_PEOPLE_PAGER 5

/* What the paging system takes is what the directory stores. */
_Static_assert(ESPA_CALL_MAX + 1 == PAGER_ADDR_MAX,
    "a pager call address is ESPA_CALL_MAX digits");

/* One validated data row; which fields are used depends on the kind. */
struct import_row {
	int	line;
	char	unit[UNIT_MAX];		/* units: code; people, roster: unit */
	char	phone[PHONE_MAX];
	char	role[ROLE_MAX];		/* roster */
	jtime_t	start, end;		/* roster */
	char	name[CSV_FIELD_MAX];	/* units, people */
	char	folded[CSV_FIELD_MAX];	/* units */
	char	kind[16];		/* units */
	char	hours[CSV_FIELD_MAX];	/* units */
	char	title[CSV_FIELD_MAX];	/* people */
	bool	can_request;		/* people */
	char	pager[PAGER_ADDR_MAX];	/* people: "" = none */
};

/*
 * The rows so far by one key column (a hash table of row numbers), so that
 * a duplicate is found in constant time, not by a scan of every earlier row.
 */
struct import_index {
	size_t		 off;		/* the key: offsetof(struct import_row, …) */
	size_t		*slot;		/* row number + 1; 0 is empty */
	size_t		 cap;		/* a power of two, or 0 */
	size_t		 n;
};

struct import {
	struct db		*db;
	const char		*name;	/* the file, for messages */
	char			*err;
	size_t			 errsz;
	int			 ncols;	/* the header's, once read */
	struct import_row	*rows;
	size_t			 nrows, cap;
	struct import_index	 by_unit, by_folded, by_phone;
};

/*
 * A kind of file: its columns in order, the first nrequired of which every
 * file has; a file may add the others, in order, after them.
 */
struct import_kind {
	const char	*name;
	const char	*columns[IMPORT_COLUMNS_MAX];
	int		 nrequired;
	int		 ncolumns;
	int		(*check)(struct import *, const struct csv_record *,
			    struct import_row *);
	int		(*write)(struct import *);
};

/* A row's first column: whether it was removed from the directory. */
static const char sql_unit_exists[] =
    "SELECT removed_at IS NOT NULL FROM units WHERE code = ?";
static const char sql_person_exists[] =
    "SELECT removed_at IS NOT NULL FROM people WHERE phone = ?";
static const char sql_upsert_unit[] =
    "INSERT INTO units (code, name, folded, kind, phone, hours)"
    " VALUES (?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (code) DO UPDATE SET name = excluded.name,"
    " folded = excluded.folded, kind = excluded.kind,"
    " phone = excluded.phone, hours = excluded.hours, removed_at = NULL";
/* ?7: the file has a pager column; a file without one leaves it alone. */
static const char sql_upsert_person[] =
    "INSERT INTO people (phone, name, title, unit, can_request, pager)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    " ON CONFLICT (phone) DO UPDATE SET name = excluded.name,"
    " title = excluded.title, unit = excluded.unit,"
    " can_request = excluded.can_request,"
    " pager = CASE WHEN ?7 THEN excluded.pager ELSE people.pager END,"
    " removed_at = NULL";
static const char sql_roster_in_span[] =
    "SELECT id, phone, start_at, end_at FROM shifts"
    " WHERE unit = ? AND role = ? AND source = 'roster'"
    " AND start_at < ? AND end_at > ?";
static const char sql_delete_shift[] =
    "DELETE FROM shifts WHERE id = ?";
static const char sql_insert_shift[] =
    "INSERT INTO shifts (unit, role, phone, start_at, end_at, source)"
    " VALUES (?, ?, ?, ?, ?, 'roster')";

static int import_fail(struct import *, int, const char *, const char *, ...)
    __attribute__((format(printf, 4, 5)));

/* Sets err to "FILE:LINE: FIELD: reason" and returns -1. */
static int
import_fail(struct import *im, int line, const char *field, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	if (field != NULL)
		n = snprintf(im->err, im->errsz, "%s:%d: %s: ", im->name, line,
		    field);
	else
		n = snprintf(im->err, im->errsz, "%s:%d: ", im->name, line);
	if (n < 0 || (size_t)n >= im->errsz)
		return -1;
	va_start(ap, fmt);
	vsnprintf(im->err + n, im->errsz - n, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *
import_index_key(const struct import *im, const struct import_index *ix,
    size_t row)
{
	return (const char *)&im->rows[row] + ix->off;
}

/* The slot where key is, or the empty slot where it would go. */
static size_t *
import_index_slot(const struct import *im, const struct import_index *ix,
    const char *key)
{
	/* Short keys, no adversary but the file's own author. */
	size_t	i = (size_t)text_hash(key) & (ix->cap - 1);

	while (ix->slot[i] != 0 &&
	    strcmp(import_index_key(im, ix, ix->slot[i] - 1), key) != 0)
		i = (i + 1) & (ix->cap - 1);
	return &ix->slot[i];
}

/* Doubles the table (at least 1024 slots); -1 when out of memory. */
static int
import_index_grow(const struct import *im, struct import_index *ix)
{
	struct import_index	 old = *ix;
	size_t			 i;

	ix->cap = old.cap != 0 ? old.cap * 2 : 1024;
	if ((ix->slot = calloc(ix->cap, sizeof(*ix->slot))) == NULL) {
		*ix = old;
		return -1;
	}
	for (i = 0; i < old.cap; i++)
		if (old.slot[i] != 0)
			*import_index_slot(im, ix, import_index_key(im, &old,
			    old.slot[i] - 1)) = old.slot[i];
	free(old.slot);
	return 0;
}

/*
 * Adds row (its key at ix->off) to the index unless an earlier row has the
 * same key. Returns that earlier row's line, 0 when there is none, or -1
 * when out of memory.
 */
static int
import_index_add(struct import *im, struct import_index *ix, size_t row)
{
	const char	*key = import_index_key(im, ix, row);
	size_t		*slot;

	if ((ix->n + 1) * 2 > ix->cap && import_index_grow(im, ix) == -1)
		return -1;
	slot = import_index_slot(im, ix, key);
	if (*slot != 0)
		return im->rows[*slot - 1].line;
	*slot = row + 1;
	ix->n++;
	return 0;
}

/*
 * Runs a one-row existence query for key: 1 found, 2 found but removed
 * from the directory, 0 not found, -1 on error.
 */
static int
import_exists(struct import *im, const char *sql, const char *key)
{
	sqlite3_stmt	*st;
	int		 rc, removed = 0;

	if ((st = db_stmt(im->db, sql)) == NULL)
		return -1;
	db_bind_text(st, 1, key);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		removed = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return removed ? 2 : 1;
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Looks up and validates a unit reference: the code must be in the directory. */
static int
import_unit_ref(struct import *im, const struct csv_record *rec,
    const char *field, const char *in, char out[UNIT_MAX])
{
	int	rc;

	if (*in == '\0')
		return import_fail(im, rec->line, field, "empty");
	if (!parse_unit_code(in, out))
		return import_fail(im, rec->line, field,
		    "\"%s\" is not a unit code (A-Z, 0-9 and _)", in);
	if ((rc = import_exists(im, sql_unit_exists, out)) == -1)
		return import_fail(im, rec->line, field, "database: %s",
		    db_errmsg(im->db));
	if (rc == 0)
		return import_fail(im, rec->line, field,
		    "no unit %s in the directory (import units first)", out);
	if (rc == 2)
		return import_fail(im, rec->line, field, "%s was removed from "
		    "the directory (import units to bring it back)", out);
	return 0;
}

static int
import_phone(struct import *im, const struct csv_record *rec,
    const char *field, const char *in, char out[PHONE_MAX])
{
	if (*in == '\0')
		return import_fail(im, rec->line, field, "empty");
	if (phone_normalise(in, out) != PHONE_OK)
		return import_fail(im, rec->line, field,
		    "\"%s\" is not a dialable phone number", in);
	return 0;
}

/*
 * A pager call address (people's sixth column): 1 to 16 ASCII digits, blanks
 * around them ignored, or nothing for no pager (out is then "").
 */
static int
import_pager(struct import *im, const struct csv_record *rec, const char *in,
    char out[PAGER_ADDR_MAX])
{
	char	buf[CSV_FIELD_MAX];
	size_t	len;

	/* Blanks inside quotes are kept by the reader; a spreadsheet adds them. */
	while (*in == ' ' || *in == '\t')
		in++;
	text_copy(buf, sizeof(buf), in);
	len = strlen(buf);
	while (len > 0 && (buf[len - 1] == ' ' || buf[len - 1] == '\t'))
		buf[--len] = '\0';
	out[0] = '\0';
	if (len == 0)
		return 0;
	if (len >= PAGER_ADDR_MAX || !espa_call_valid(buf))
		return import_fail(im, rec->line, "pager", "\"%s\": expected 1 to "
		    "%d digits 0-9, or nothing for no pager", buf, ESPA_CALL_MAX);
	memcpy(out, buf, len + 1);
	return 0;
}

static int
import_units_check(struct import *im, const struct csv_record *rec,
    struct import_row *row)
{
	const char	*code = rec->fields[0], *name = rec->fields[1];
	const char	*kind = rec->fields[2], *hours = rec->fields[4];
	static const char *kinds[] = { "specialty", "health_centre", "hospital",
	    "other" };
	struct open_rule rule;
	size_t		 i;
	int		 code_line, name_line;

	if (*code == '\0')
		return import_fail(im, rec->line, "code", "empty");
	if (!parse_unit_code(code, row->unit))
		return import_fail(im, rec->line, "code",
		    "\"%s\": use letters A-Z, digits and _ (at most %d)", code,
		    UNIT_MAX - 1);
	if (*name == '\0')
		return import_fail(im, rec->line, "name", "empty");
	text_copy(row->name, sizeof(row->name), name);
	text_fold(name, row->folded, sizeof(row->folded));

	for (i = 0; i < nitems(kinds); i++)
		if (strcasecmp(kind, kinds[i]) == 0)
			break;
	if (i == nitems(kinds))
		return import_fail(im, rec->line, "kind",
		    "\"%s\": expected specialty, health_centre, hospital or other",
		    kind);
	snprintf(row->kind, sizeof(row->kind), "%s", kinds[i]);

	if (import_phone(im, rec, "phone", rec->fields[3], row->phone) == -1)
		return -1;
	if (config_parse_open(hours, &rule) == -1)
		return import_fail(im, rec->line, "hours",
		    "\"%s\": expected always or weekdays HH:MM-HH:MM", hours);
	text_copy(row->hours, sizeof(row->hours), hours);

	/*
	 * Codes identify units; names are matched when people type them. The
	 * earlier of the two lines is named, the code when it is one line.
	 */
	if ((code_line = import_index_add(im, &im->by_unit, im->nrows)) == -1 ||
	    (name_line = import_index_add(im, &im->by_folded, im->nrows)) == -1)
		return import_fail(im, rec->line, NULL, "out of memory");
	if (code_line != 0 && (name_line == 0 || code_line <= name_line))
		return import_fail(im, rec->line, "code",
		    "%s is already on line %d", row->unit, code_line);
	if (name_line != 0)
		return import_fail(im, rec->line, "name",
		    "\"%s\" is already the name on line %d", name, name_line);
	return 0;
}

static int
import_people_check(struct import *im, const struct csv_record *rec,
    struct import_row *row)
{
	const char	*name = rec->fields[0], *can = rec->fields[4];
	int		 line;

	if (*name == '\0')
		return import_fail(im, rec->line, "name", "empty");
	text_copy(row->name, sizeof(row->name), name);
	if (import_phone(im, rec, "phone", rec->fields[1], row->phone) == -1)
		return -1;
	text_copy(row->title, sizeof(row->title), rec->fields[2]);
	if (import_unit_ref(im, rec, "unit", rec->fields[3], row->unit) == -1)
		return -1;
	if (strcasecmp(can, "yes") == 0 || strcasecmp(can, "ja") == 0)
		row->can_request = true;
	else if (strcasecmp(can, "no") == 0 || strcasecmp(can, "nej") == 0)
		row->can_request = false;
	else
		return import_fail(im, rec->line, "can_request",
		    "\"%s\": expected yes or no", can);
	if (im->ncols > IMPORT_PEOPLE_PAGER && import_pager(im, rec,
	    rec->fields[IMPORT_PEOPLE_PAGER], row->pager) == -1)
		return -1;

	if ((line = import_index_add(im, &im->by_phone, im->nrows)) == -1)
		return import_fail(im, rec->line, NULL, "out of memory");
	if (line != 0)
		return import_fail(im, rec->line, "phone",
		    "%s is already on line %d", row->phone, line);
	return 0;
}

/*
 * A shift's start or end (column col): a Stockholm time that exists. One in
 * the hour skipped in spring would be stored an hour off, so it is refused;
 * in the autumn hour that happens twice the first (summer time) is meant.
 */
static int
import_roster_time(struct import *im, const struct csv_record *rec, int col,
    jtime_t *out)
{
	const char	*in = rec->fields[col];
	const char	*field = col == 3 ? "start" : "end";
	int		 rc;

	if (*in == '\0' || (rc = jtime_parse_wall(in, out)) == -1)
		return import_fail(im, rec->line, field,
		    "\"%s\": expected YYYY-MM-DD HH:MM", in);
	if (rc == JTIME_GAP)
		return import_fail(im, rec->line, field, "\"%s\": that time does "
		    "not exist in Europe/Stockholm (the clocks go from 02:00 to "
		    "03:00)", in);
	return 0;
}

static int
import_roster_check(struct import *im, const struct csv_record *rec,
    struct import_row *row)
{
	const char	*role = rec->fields[1];
	int		 rc;

	if (import_unit_ref(im, rec, "unit", rec->fields[0], row->unit) == -1)
		return -1;

	if (*role == '\0')
		return import_fail(im, rec->line, "role", "empty");
	if (!parse_role_name(role, row->role))
		return import_fail(im, rec->line, "role",
		    "\"%s\": use letters a-z, digits, _ and - (at most %d)",
		    role, ROLE_MAX - 1);

	if (import_phone(im, rec, "phone", rec->fields[2], row->phone) == -1)
		return -1;
	if ((rc = import_exists(im, sql_person_exists, row->phone)) == -1)
		return import_fail(im, rec->line, "phone", "database: %s",
		    db_errmsg(im->db));
	if (rc == 0)
		return import_fail(im, rec->line, "phone",
		    "%s is not in the directory (import people first)",
		    row->phone);
	if (rc == 2)
		return import_fail(im, rec->line, "phone", "%s was removed from "
		    "the directory (import people to bring them back)",
		    row->phone);

	if (import_roster_time(im, rec, 3, &row->start) == -1 ||
	    import_roster_time(im, rec, 4, &row->end) == -1)
		return -1;
	if (row->end <= row->start)
		return import_fail(im, rec->line, "end", "not after start (%s)",
		    rec->fields[3]);
	return 0;
}

static int
import_units_write(struct import *im)
{
	sqlite3_stmt	*st;
	size_t		 i;

	for (i = 0; i < im->nrows; i++) {
		const struct import_row *r = &im->rows[i];

		if ((st = db_stmt(im->db, sql_upsert_unit)) == NULL)
			goto fail;
		db_bind_text(st, 1, r->unit);
		db_bind_text(st, 2, r->name);
		db_bind_text(st, 3, r->folded);
		db_bind_text(st, 4, r->kind);
		db_bind_text(st, 5, r->phone);
		db_bind_text(st, 6, r->hours);
		if (db_done(im->db, st) == -1)
			goto fail;
	}
	return 0;
fail:
	return import_fail(im, im->rows[i].line, NULL, "database: %s",
	    db_errmsg(im->db));
}

static int
import_people_write(struct import *im)
{
	sqlite3_stmt	*st;
	size_t		 i;

	for (i = 0; i < im->nrows; i++) {
		const struct import_row *r = &im->rows[i];

		if ((st = db_stmt(im->db, sql_upsert_person)) == NULL)
			goto fail;
		db_bind_text(st, 1, r->phone);
		db_bind_text(st, 2, r->name);
		db_bind_text(st, 3, r->title);
		db_bind_text(st, 4, r->unit);
		sqlite3_bind_int(st, 5, r->can_request ? 1 : 0);
		db_bind_text(st, 6, r->pager[0] != '\0' ? r->pager : NULL);
		sqlite3_bind_int(st, 7, im->ncols > IMPORT_PEOPLE_PAGER);
		if (db_done(im->db, st) == -1)
			goto fail;
	}
	return 0;
fail:
	return import_fail(im, im->rows[i].line, NULL, "database: %s",
	    db_errmsg(im->db));
}

/* Orders roster rows by unit, role, start, then line: groups become runs. */
static int
import_roster_cmp(const void *a, const void *b)
{
	const struct import_row	*x = a, *y = b;
	int			 c;

	if ((c = strcmp(x->unit, y->unit)) != 0)
		return c;
	if ((c = strcmp(x->role, y->role)) != 0)
		return c;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->line - y->line;
}

static bool
import_same_group(const struct import_row *a, const struct import_row *b)
{
	return strcmp(a->unit, b->unit) == 0 && strcmp(a->role, b->role) == 0;
}

/*
 * Finds overlapping shifts of the same unit and role in the sorted rows.
 * Every overlapping pair is looked at (sorted by start, the rows after i that
 * overlap it are exactly those starting before it ends); the pair reported
 * is the one whose later line, then earlier line, comes first in the file,
 * so the message does not depend on the order of sorting.
 */
static int
import_roster_overlaps(struct import *im)
{
	size_t	i, j;
	int	bad = 0, other = 0, later, earlier;

	for (i = 0; i < im->nrows; i++) {
		const struct import_row *r = &im->rows[i];

		for (j = i + 1; j < im->nrows; j++) {
			const struct import_row *s = &im->rows[j];

			if (!import_same_group(r, s) || s->start >= r->end)
				break;
			later = r->line > s->line ? r->line : s->line;
			earlier = r->line > s->line ? s->line : r->line;
			if (bad == 0 || later < bad ||
			    (later == bad && earlier < other)) {
				bad = later;
				other = earlier;
			}
		}
	}
	if (bad != 0)
		return import_fail(im, bad, "start",
		    "overlaps line %d (same unit and role)", other);
	return 0;
}

static int
import_shift_insert(struct import *im, const char *unit, const char *role,
    const char *phone, jtime_t start, jtime_t end)
{
	sqlite3_stmt	*st;

	if ((st = db_stmt(im->db, sql_insert_shift)) == NULL)
		return -1;
	db_bind_text(st, 1, unit);
	db_bind_text(st, 2, role);
	db_bind_text(st, 3, phone);
	sqlite3_bind_int64(st, 4, start);
	sqlite3_bind_int64(st, 5, end);
	return db_done(im->db, st);
}

struct import_old_shift {
	int64_t	id;
	char	phone[PHONE_MAX];
	jtime_t	start, end;
};

/*
 * Clears [from, to) of the roster shifts of unit and role: shifts inside go,
 * shifts that reach past an edge keep their part outside.
 */
static int
import_roster_clear(struct import *im, const char *unit, const char *role,
    jtime_t from, jtime_t to)
{
	sqlite3_stmt		*st;
	struct import_old_shift	*old = NULL, *tmp;
	size_t			 n = 0, cap = 0, i;
	int			 rc;

	if ((st = db_stmt(im->db, sql_roster_in_span)) == NULL)
		return -1;
	db_bind_text(st, 1, unit);
	db_bind_text(st, 2, role);
	sqlite3_bind_int64(st, 3, to);
	sqlite3_bind_int64(st, 4, from);
	/* Collected first: the table is changed below. */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((tmp = reallocarray(old, cap, sizeof(*old))) == NULL) {
				sqlite3_reset(st);
				free(old);
				return -1;
			}
			old = tmp;
		}
		old[n].id = sqlite3_column_int64(st, 0);
		snprintf(old[n].phone, sizeof(old[n].phone), "%s", db_text(st, 1));
		old[n].start = sqlite3_column_int64(st, 2);
		old[n].end = sqlite3_column_int64(st, 3);
		n++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		free(old);
		return -1;
	}

	for (i = 0; i < n; i++) {
		if ((st = db_stmt(im->db, sql_delete_shift)) == NULL)
			goto fail;
		sqlite3_bind_int64(st, 1, old[i].id);
		if (db_done(im->db, st) == -1)
			goto fail;
		if (old[i].start < from && import_shift_insert(im, unit, role,
		    old[i].phone, old[i].start, from) == -1)
			goto fail;
		if (old[i].end > to && import_shift_insert(im, unit, role,
		    old[i].phone, to, old[i].end) == -1)
			goto fail;
	}
	free(old);
	return 0;
fail:
	free(old);
	return -1;
}

static int
import_roster_write(struct import *im)
{
	size_t	 i, first, last;
	jtime_t	 to;

	/* A header-only file has no rows, and qsort's base must not be NULL. */
	if (im->nrows > 1)
		qsort(im->rows, im->nrows, sizeof(*im->rows), import_roster_cmp);
	if (import_roster_overlaps(im) == -1)
		return -1;

	for (first = 0; first < im->nrows; first = last) {
		const struct import_row *g = &im->rows[first];

		to = g->end;
		for (last = first; last < im->nrows &&
		    import_same_group(g, &im->rows[last]); last++)
			if (im->rows[last].end > to)
				to = im->rows[last].end;
		if (import_roster_clear(im, g->unit, g->role, g->start, to) == -1)
			return import_fail(im, g->line, NULL, "database: %s",
			    db_errmsg(im->db));
		for (i = first; i < last; i++) {
			const struct import_row *r = &im->rows[i];

			if (import_shift_insert(im, r->unit, r->role, r->phone,
			    r->start, r->end) == -1)
				return import_fail(im, r->line, NULL,
				    "database: %s", db_errmsg(im->db));
		}
	}
	return 0;
}

static const struct import_kind import_kinds[] = {
	{ "units", { "code", "name", "kind", "phone", "hours" }, 5, 5,
	    import_units_check, import_units_write },
	{ "people", { "name", "phone", "title", "unit", "can_request",
	    "pager" }, 5, 6, import_people_check, import_people_write },
	{ "roster", { "unit", "role", "phone", "start", "end" }, 5, 5,
	    import_roster_check, import_roster_write },
};

/*
 * The first n column names joined by commas; with optional, the columns a
 * file may add follow as "[,name]".
 */
static void
import_columns(const struct import_kind *k, int n, bool optional, char *out,
    size_t sz)
{
	size_t	used = 0;
	int	i, w;

	out[0] = '\0';
	for (i = 0; i < (optional ? k->ncolumns : n); i++) {
		w = snprintf(out + used, sz - used, "%s%s%s%s",
		    i >= n ? "[" : "", i > 0 ? "," : "", k->columns[i],
		    i >= n ? "]" : "");
		if (w < 0 || (size_t)w >= sz - used)
			return;
		used += (size_t)w;
	}
}

/* Checks the header line and takes its number of columns into im->ncols. */
static int
import_header(struct import *im, const struct import_kind *k,
    const struct csv_record *rec)
{
	char	want[160];
	int	i;

	import_columns(k, k->nrequired, true, want, sizeof(want));
	if (rec->nfields < k->nrequired || rec->nfields > k->ncolumns)
		return import_fail(im, rec->line, "header",
		    "%d columns, expected %s", rec->nfields, want);
	for (i = 0; i < rec->nfields; i++)
		if (strcasecmp(rec->fields[i], k->columns[i]) != 0)
			return import_fail(im, rec->line, "header",
			    "column %d is \"%s\", expected %s", i + 1,
			    rec->fields[i], want);
	im->ncols = rec->nfields;
	return 0;
}

/*
 * Rewrites a csv_next() message, "line N: [field F: ]reason", into this
 * module's "FILE:N: COLUMN: reason"; anything else is kept as it is.
 */
static void
import_csv_error(struct import *im, const struct import_kind *k,
    const char *msg)
{
	char	field[16];
	int	line, col, used = 0;
	/* Before the header is read, any column the kind has. */
	int	ncols = im->ncols > 0 ? im->ncols : k->ncolumns;

	if (sscanf(msg, "line %d: field %d: %n", &line, &col, &used) == 2 &&
	    used > 0) {
		if (col >= 1 && col <= ncols)
			import_fail(im, line, k->columns[col - 1], "%s", msg + used);
		else {
			snprintf(field, sizeof(field), "field %d", col);
			import_fail(im, line, field, "%s", msg + used);
		}
	} else if (sscanf(msg, "line %d: %n", &line, &used) == 1 && used > 0)
		import_fail(im, line, NULL, "%s", msg + used);
	else
		snprintf(im->err, im->errsz, "%s: %s", im->name, msg);
}

/* Validates every record into im->rows; 0 or -1 with err set. */
static int
import_read(struct import *im, const struct import_kind *k, const char *buf,
    size_t len)
{
	struct csv_reader	 rd;
	struct csv_record	*rec;
	struct import_row	*tmp;
	char			 msg[256], want[160];
	int			 rc, ret = -1;
	bool			 header = true;

	/* A record is large (4 KiB): keep it off the stack. */
	if ((rec = calloc(1, sizeof(*rec))) == NULL)
		return import_fail(im, 0, NULL, "out of memory");
	csv_init(&rd, buf, len);
	for (;;) {
		msg[0] = '\0';
		if ((rc = csv_next(&rd, rec, msg, sizeof(msg))) == 0)
			break;
		if (rc == -1) {
			import_csv_error(im, k, msg);
			goto out;
		}
		if (header) {
			if (import_header(im, k, rec) == -1)
				goto out;
			header = false;
			continue;
		}
		/* Every row has the columns its header named. */
		if (rec->nfields < im->ncols) {
			import_columns(k, im->ncols, false, want, sizeof(want));
			import_fail(im, rec->line, k->columns[rec->nfields],
			    "missing (expected %s)", want);
			goto out;
		}
		if (rec->nfields > im->ncols) {
			import_columns(k, im->ncols, false, want, sizeof(want));
			import_fail(im, rec->line, k->columns[im->ncols - 1],
			    "%d fields, expected %d (%s)", rec->nfields,
			    im->ncols, want);
			goto out;
		}
		if (im->nrows == im->cap) {
			im->cap = im->cap ? im->cap * 2 : 64;
			if ((tmp = reallocarray(im->rows, im->cap,
			    sizeof(*im->rows))) == NULL) {
				import_fail(im, rec->line, NULL, "out of memory");
				goto out;
			}
			im->rows = tmp;
		}
		memset(&im->rows[im->nrows], 0, sizeof(*im->rows));
		im->rows[im->nrows].line = rec->line;
		if (k->check(im, rec, &im->rows[im->nrows]) == -1)
			goto out;
		im->nrows++;
	}
	if (header) {
		import_columns(k, k->nrequired, true, want, sizeof(want));
		import_fail(im, 1, "header", "missing: the file is empty (expected %s)",
		    want);
		goto out;
	}
	ret = 0;
out:
	free(rec);
	return ret;
}

/* The kind named, or NULL with a message in err. */
static const struct import_kind *
import_kind_find(const char *kind, char *err, size_t errsz)
{
	size_t	i;

	for (i = 0; i < nitems(import_kinds); i++)
		if (strcmp(kind, import_kinds[i].name) == 0)
			return &import_kinds[i];
	snprintf(err, errsz, "%s: unknown import kind (units, people or roster)",
	    kind);
	return NULL;
}

int
import_buffer(struct db *db, const char *kind, const char *name,
    const char *buf, size_t len, int *count, char *err, size_t errsz)
{
	struct import			 im;
	const struct import_kind	*k;
	int				 rc = -1;

	*count = 0;
	if ((k = import_kind_find(kind, err, errsz)) == NULL)
		return -1;
	memset(&im, 0, sizeof(im));
	im.db = db;
	im.name = name;
	im.err = err;
	im.errsz = errsz;
	im.by_unit.off = offsetof(struct import_row, unit);
	im.by_folded.off = offsetof(struct import_row, folded);
	im.by_phone.off = offsetof(struct import_row, phone);

	/* Held from the first look-up to the last write: checks stay true. */
	if (db_begin(db) == -1) {
		snprintf(err, errsz, "%s: cannot start a transaction: %s", name,
		    db_errmsg(db));
		return -1;
	}
	if (import_read(&im, k, buf, len) == -1 || k->write(&im) == -1)
		goto out;
	if (db_commit(db) == -1) {
		snprintf(err, errsz, "%s: commit failed: %s", name, db_errmsg(db));
		goto out;
	}
	*count = (int)im.nrows;
	rc = 0;
out:
	if (rc == -1)
		db_rollback(db);
	free(im.rows);
	free(im.by_unit.slot);
	free(im.by_folded.slot);
	free(im.by_phone.slot);
	return rc;
}

int
import_csv(struct db *db, const char *kind, const char *path, int *count,
    char *err, size_t errsz)
{
	FILE	*fp;
	char	*buf = NULL, *tmp;
	size_t	 len = 0, cap = 0, n;
	int	 rc;

	*count = 0;
	if (import_kind_find(kind, err, errsz) == NULL)
		return -1;
	if ((fp = fopen(path, "rb")) == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (len == cap) {
			/* One byte more than the limit tells a file too large. */
			if (cap > IMPORT_MAX_BYTES) {
				snprintf(err, errsz, "%s: larger than %d bytes", path,
				    IMPORT_MAX_BYTES);
				goto fail;
			}
			cap = cap ? cap * 2 : 65536;
			if (cap > IMPORT_MAX_BYTES + 1)
				cap = IMPORT_MAX_BYTES + 1;
			if ((tmp = realloc(buf, cap + 1)) == NULL) {
				snprintf(err, errsz, "%s: out of memory", path);
				goto fail;
			}
			buf = tmp;
		}
		n = fread(buf + len, 1, cap - len, fp);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(fp)) {
		snprintf(err, errsz, "%s: read error", path);
		goto fail;
	}
	fclose(fp);
	buf[len] = '\0';
	rc = import_buffer(db, kind, path, buf, len, count, err, errsz);
	free(buf);
	return rc;
fail:
	fclose(fp);
	free(buf);
	return -1;
}
