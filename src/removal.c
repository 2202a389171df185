/*
 * removal.c — taking a person or a unit out of the directory: the checks
 * that keep a removal from stranding work, and the write, in one
 * transaction (see removal.h).
 */
#include <stdio.h>
#include <string.h>

#include "removal.h"
#include "text.h"

static const char sql_person[] =
    "SELECT name, unit, removed_at FROM people WHERE phone = ?";
static const char sql_unit[] =
    "SELECT name, removed_at FROM units WHERE code = ?";
/* A removed unit's shifts route nothing, and its roster can no longer be
 * imported: they keep nobody in the directory. */
static const char sql_person_shifts[] =
    "SELECT s.unit, s.role, s.start_at, s.end_at, s.source = 'override'"
    " FROM shifts s WHERE s.phone = ?1 AND s.end_at > ?2"
    " AND NOT EXISTS (SELECT 1 FROM units u WHERE u.code = s.unit"
    " AND u.removed_at IS NOT NULL)"
    " ORDER BY s.end_at, s.start_at, s.id";
static const char sql_person_pages[] =
    "SELECT c.id, c.track, c.state FROM consults c WHERE EXISTS (SELECT 1"
    " FROM pages p WHERE p.consult_id = c.id AND p.to_phone = ?1"
    " AND p.closed_at IS NULL) ORDER BY c.id";
static const char sql_unit_consults[] =
    "SELECT c.id, c.track, c.state FROM consults c"
    " WHERE c.state IN ('queued', 'open') AND EXISTS (SELECT 1 FROM legs l"
    " WHERE l.consult_id = c.id AND l.unit = ?1) ORDER BY c.id";
static const char sql_remove_person[] =
    "UPDATE people SET removed_at = ?2 WHERE phone = ?1";
static const char sql_remove_unit[] =
    "UPDATE units SET removed_at = ?2 WHERE code = ?1";
static const char sql_event[] =
    "INSERT INTO events (ts, consult_id, type, actor, detail)"
    " VALUES (?1, NULL, 'removed', 'jourctl', ?2)";

/* Collects the shifts of phone that have not ended by now; -1 on error. */
static int
removal_shifts(struct db *db, const char *phone, jtime_t now,
    struct removal_report *r)
{
	sqlite3_stmt		*st;
	struct removal_shift	*s;
	int			 rc;

	if ((st = db_stmt(db, sql_person_shifts)) == NULL)
		return -1;
	db_bind_text(st, 1, phone);
	sqlite3_bind_int64(st, 2, now);
	while ((rc = db_row(db, st)) == 1) {
		if (r->nshifts < REMOVAL_SHOWN) {
			s = &r->shifts[r->nshifts];
			text_copy(s->unit, sizeof(s->unit), db_text(st, 0));
			text_copy(s->role, sizeof(s->role), db_text(st, 1));
			s->start = sqlite3_column_int64(st, 2);
			s->end = sqlite3_column_int64(st, 3);
			s->override = sqlite3_column_int(st, 4) != 0;
		}
		r->nshifts++;
	}
	sqlite3_reset(st);
	return rc;
}

/* Collects the consults sql finds for key (a phone or a code); -1 on error. */
static int
removal_consults(struct db *db, const char *sql, const char *key,
    struct removal_report *r)
{
	sqlite3_stmt		*st;
	struct removal_consult	*c;
	int			 rc;

	if ((st = db_stmt(db, sql)) == NULL)
		return -1;
	db_bind_text(st, 1, key);
	while ((rc = db_row(db, st)) == 1) {
		if (r->nconsults < REMOVAL_SHOWN) {
			c = &r->consults[r->nconsults];
			c->id = sqlite3_column_int64(st, 0);
			text_copy(c->track, sizeof(c->track), db_text(st, 1));
			text_copy(c->state, sizeof(c->state), db_text(st, 2));
		}
		r->nconsults++;
	}
	sqlite3_reset(st);
	return rc;
}

/* Sets removed_at and writes the event; -1 on error. */
static int
removal_write(struct db *db, const char *sql, const char *key, jtime_t now,
    const char *detail)
{
	sqlite3_stmt	*st;

	if ((st = db_stmt(db, sql)) == NULL)
		return -1;
	db_bind_text(st, 1, key);
	sqlite3_bind_int64(st, 2, now);
	if (db_done(db, st) == -1 || (st = db_stmt(db, sql_event)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	db_bind_text(st, 2, detail);
	return db_done(db, st);
}

/*
 * Reads the row sql finds for key: name (and a person's unit) into r, its
 * removed_at. 1 found, 0 not, -1 on error.
 */
static int
removal_row(struct db *db, const char *sql, const char *key, bool person,
    struct removal_report *r)
{
	sqlite3_stmt	*st;
	int		 rc, col = person ? 2 : 1;

	if ((st = db_stmt(db, sql)) == NULL)
		return -1;
	db_bind_text(st, 1, key);
	if ((rc = db_row(db, st)) == 1) {
		text_copy(r->name, sizeof(r->name), db_text(st, 0));
		if (person)
			text_copy(r->unit, sizeof(r->unit), db_text(st, 1));
		if (sqlite3_column_type(st, col) != SQLITE_NULL)
			r->removed_at = sqlite3_column_int64(st, col);
	}
	sqlite3_reset(st);
	return rc;
}

/* Ends the transaction: commits a removal, rolls back anything else. */
static enum removal_result
removal_end(struct db *db, enum removal_result res)
{
	if (res == REMOVAL_DONE) {
		if (db_commit(db) == -1) {
			db_rollback(db);
			return REMOVAL_ERROR;
		}
		return res;
	}
	db_rollback(db);
	return res;
}

enum removal_result
removal_person(struct db *db, const char *phone, jtime_t now,
    struct removal_report *r)
{
	char	detail[256];
	int	rc;

	memset(r, 0, sizeof(*r));
	if (db_begin(db) == -1)
		return REMOVAL_ERROR;
	if ((rc = removal_row(db, sql_person, phone, true, r)) != 1)
		return removal_end(db, rc == 0 ? REMOVAL_UNKNOWN :
		    REMOVAL_ERROR);
	if (r->removed_at != 0)
		return removal_end(db, REMOVAL_ALREADY);
	if (removal_shifts(db, phone, now, r) == -1 ||
	    removal_consults(db, sql_person_pages, phone, r) == -1)
		return removal_end(db, REMOVAL_ERROR);
	if (r->nshifts > 0 || r->nconsults > 0)
		return removal_end(db, REMOVAL_REFUSED);
	snprintf(detail, sizeof(detail), "person %s %s (%s)", phone, r->name,
	    r->unit);
	if (removal_write(db, sql_remove_person, phone, now, detail) == -1)
		return removal_end(db, REMOVAL_ERROR);
	return removal_end(db, REMOVAL_DONE);
}

enum removal_result
removal_unit(struct db *db, const char *code, jtime_t now,
    struct removal_report *r)
{
	char	detail[256];
	int	rc;

	memset(r, 0, sizeof(*r));
	if (db_begin(db) == -1)
		return REMOVAL_ERROR;
	if ((rc = removal_row(db, sql_unit, code, false, r)) != 1)
		return removal_end(db, rc == 0 ? REMOVAL_UNKNOWN :
		    REMOVAL_ERROR);
	if (r->removed_at != 0)
		return removal_end(db, REMOVAL_ALREADY);
	if (removal_consults(db, sql_unit_consults, code, r) == -1)
		return removal_end(db, REMOVAL_ERROR);
	if (r->nconsults > 0)
		return removal_end(db, REMOVAL_REFUSED);
	snprintf(detail, sizeof(detail), "unit %s %s", code, r->name);
	if (removal_write(db, sql_remove_unit, code, now, detail) == -1)
		return removal_end(db, REMOVAL_ERROR);
	return removal_end(db, REMOVAL_DONE);
}
