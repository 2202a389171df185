/*
 * store.c — consults and legs in SQLite.
 */
#include <stdio.h>
#include <string.h>

#include "store.h"
#include "text.h"

static const char sql_insert_consult[] =
    "INSERT INTO consults (track, state, requester, callback, text, inbox_id,"
    " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char sql_insert_leg[] =
    "INSERT INTO legs (consult_id, idx, unit, state, step) VALUES (?, ?, ?, ?, ?)";
static const char sql_load_consult[] =
    "SELECT track, state, requester, callback, text, created_at,"
    " first_page_at, acked_at, acked_by, resolved_at, outcome"
    " FROM consults WHERE id = ?";
static const char sql_load_legs[] =
    "SELECT idx, unit, state, step, due_at, acked_at, acked_by, gaps_told"
    " FROM legs WHERE consult_id = ? ORDER BY idx";
static const char sql_save_consult[] =
    "UPDATE consults SET state = ?, first_page_at = ?, acked_at = ?,"
    " acked_by = ?, resolved_at = ?, outcome = ? WHERE id = ?";
static const char sql_save_leg[] =
    "UPDATE legs SET state = ?, step = ?, due_at = ?, acked_at = ?,"
    " acked_by = ?, gaps_told = ? WHERE consult_id = ? AND idx = ?";

int
store_insert(struct db *db, struct esc_consult *c, const struct store_info *info,
    int64_t inbox_id)
{
	sqlite3_stmt	*st;
	int		 i;

	if ((st = db_stmt(db, sql_insert_consult)) == NULL)
		return -1;
	db_bind_text(st, 1, info->track);
	db_bind_text(st, 2, esc_state_name(c->state));
	db_bind_text(st, 3, info->requester);
	db_bind_text(st, 4, info->callback);
	db_bind_text(st, 5, info->text);
	if (inbox_id > 0)
		sqlite3_bind_int64(st, 6, inbox_id);
	sqlite3_bind_int64(st, 7, c->created_at);
	if (db_done(db, st) == -1)
		return -1;
	c->id = sqlite3_last_insert_rowid(db_handle(db));

	for (i = 0; i < c->nlegs; i++) {
		if ((st = db_stmt(db, sql_insert_leg)) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, c->id);
		sqlite3_bind_int(st, 2, i);
		db_bind_text(st, 3, c->legs[i].unit);
		db_bind_text(st, 4, esc_leg_state_name(c->legs[i].state));
		sqlite3_bind_int(st, 5, c->legs[i].step);
		if (db_done(db, st) == -1)
			return -1;
	}
	return 0;
}

int
store_load(struct db *db, int64_t id, struct esc_consult *c,
    struct store_info *info)
{
	sqlite3_stmt	*st;
	int		 rc, state;

	memset(c, 0, sizeof(*c));
	if (info != NULL)
		memset(info, 0, sizeof(*info));
	if ((st = db_stmt(db, sql_load_consult)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = db_row(db, st)) != 1) {
		sqlite3_reset(st);
		return rc == 0 ? 1 : -1;
	}
	c->id = id;
	if ((state = esc_state_from_name(db_text(st, 1))) == -1) {
		sqlite3_reset(st);
		return -1;
	}
	c->state = state;
	if (info != NULL) {
		text_copy(info->track, sizeof(info->track), db_text(st, 0));
		text_copy(info->requester, sizeof(info->requester), db_text(st, 2));
		text_copy(info->callback, sizeof(info->callback), db_text(st, 3));
		text_copy(info->text, sizeof(info->text), db_text(st, 4));
	}
	c->created_at = sqlite3_column_int64(st, 5);
	c->first_page_at = sqlite3_column_int64(st, 6);
	c->acked_at = sqlite3_column_int64(st, 7);
	text_copy(c->acked_by, sizeof(c->acked_by), db_text(st, 8));
	c->resolved_at = sqlite3_column_int64(st, 9);
	text_copy(c->outcome, sizeof(c->outcome), db_text(st, 10));
	sqlite3_reset(st);

	if ((st = db_stmt(db, sql_load_legs)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = db_row(db, st)) == 1 && c->nlegs < MAX_LEGS) {
		struct esc_leg *l = &c->legs[c->nlegs++];

		text_copy(l->unit, sizeof(l->unit), db_text(st, 1));
		if ((state = esc_leg_state_from_name(db_text(st, 2))) == -1) {
			sqlite3_reset(st);
			return -1;
		}
		l->state = state;
		l->step = sqlite3_column_int(st, 3);
		l->due = sqlite3_column_int64(st, 4);
		l->acked_at = sqlite3_column_int64(st, 5);
		text_copy(l->acked_by, sizeof(l->acked_by), db_text(st, 6));
		l->gaps_told = (unsigned)sqlite3_column_int64(st, 7);
	}
	sqlite3_reset(st);
	return rc == -1 ? -1 : 0;
}

int
store_save(struct db *db, const struct esc_consult *c)
{
	sqlite3_stmt	*st;
	int		 i;

	if ((st = db_stmt(db, sql_save_consult)) == NULL)
		return -1;
	db_bind_text(st, 1, esc_state_name(c->state));
	db_bind_time(st, 2, c->first_page_at);
	db_bind_time(st, 3, c->acked_at);
	db_bind_text(st, 4, c->acked_by[0] ? c->acked_by : NULL);
	db_bind_time(st, 5, c->resolved_at);
	db_bind_text(st, 6, c->outcome[0] ? c->outcome : NULL);
	sqlite3_bind_int64(st, 7, c->id);
	if (db_done(db, st) == -1)
		return -1;

	for (i = 0; i < c->nlegs; i++) {
		const struct esc_leg *l = &c->legs[i];

		if ((st = db_stmt(db, sql_save_leg)) == NULL)
			return -1;
		db_bind_text(st, 1, esc_leg_state_name(l->state));
		sqlite3_bind_int(st, 2, l->step);
		db_bind_time(st, 3, l->due);
		db_bind_time(st, 4, l->acked_at);
		db_bind_text(st, 5, l->acked_by[0] ? l->acked_by : NULL);
		sqlite3_bind_int64(st, 6, l->gaps_told);
		sqlite3_bind_int64(st, 7, c->id);
		sqlite3_bind_int(st, 8, i);
		if (db_done(db, st) == -1)
			return -1;
	}
	return 0;
}

static const char sql_outcomes_clear[] =
    "UPDATE outcomes SET configured = 0 WHERE configured = 1";
static const char sql_outcome_set[] =
    "INSERT INTO outcomes (code, configured) VALUES (?, 1)"
    " ON CONFLICT (code) DO UPDATE SET configured = 1";

int
store_outcomes(struct db *db, const struct config *cf)
{
	sqlite3_stmt	*st;
	int		 i;

	if (db_begin(db) == -1)
		return -1;
	if ((st = db_stmt(db, sql_outcomes_clear)) == NULL ||
	    db_done(db, st) == -1)
		goto fail;
	for (i = 0; i < cf->noutcomes; i++) {
		if ((st = db_stmt(db, sql_outcome_set)) == NULL)
			goto fail;
		db_bind_text(st, 1, cf->outcomes[i]);
		if (db_done(db, st) == -1)
			goto fail;
	}
	return db_commit(db);
fail:
	db_rollback(db);
	return -1;
}
