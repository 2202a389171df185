/*
 * events.c — the audit log: one append-only row per state change.
 *
 * Every module that changes something a clinician or an administrator may
 * ask about later writes its event here, inside the caller's transaction;
 * the database refuses UPDATE and DELETE on the table (schema triggers), so
 * the escalation log is an audit trail. Kept apart from consult.c so that
 * the outbox, the clock and the routes record what they do without calling
 * into the consult state machine.
 */
#include "jourd.h"

static const char sql_event[] =
    "INSERT INTO events (ts, consult_id, type, actor, detail)"
    " VALUES (?, ?, ?, ?, ?)";

/*
 * Appends one event; consult 0 is an event of the gateway itself, an empty
 * actor is jourd. 0 when stored, -1 on a storage failure (the caller's
 * transaction is then rolled back).
 */
int
event_write(struct jourd *j, int64_t consult, jtime_t ts, const char *type,
    const char *actor, const char *detail)
{
	sqlite3_stmt	*st;

	if ((st = db_stmt(j->db, sql_event)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ts);
	if (consult > 0)
		sqlite3_bind_int64(st, 2, consult);
	db_bind_text(st, 3, type);
	db_bind_text(st, 4, actor[0] ? actor : "jourd");
	db_bind_text(st, 5, detail);
	return db_done(j->db, st);
}
