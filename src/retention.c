/*
 * retention.c — old texts blanked (DESIGN §12, [daemon] keep_text).
 *
 * Request texts, the SMS jourd received and the texts it sent may hold
 * patient information, which a paging gateway has no reason to keep once
 * the consult is long over. Texts older than keep_text are replaced by ''
 * (the columns are NOT NULL); every figure, state, time and event stays, so
 * reports are the same before and after. Texts still needed are kept: a
 * consult still queued or open (its pages quote it) and an SMS still to be
 * sent. One transaction; the event texts_blanked says how many rows.
 */
#include "jourd.h"
#include "log.h"

static const char sql_blank_consults[] =
    "UPDATE consults SET text = '' WHERE created_at < ?1 AND text <> ''"
    " AND state NOT IN ('queued', 'open')";
static const char sql_blank_inbox[] =
    "UPDATE inbox SET text = '' WHERE received_at < ?1 AND text <> ''"
    " AND NOT EXISTS (SELECT 1 FROM consults c WHERE c.id = inbox.consult_id"
    " AND c.state IN ('queued', 'open'))";
static const char sql_blank_outbox[] =
    "UPDATE outbox SET text = '' WHERE created_at < ?1 AND text <> ''"
    " AND state IN ('sent', 'failed')";

/* Runs one blanking statement; the rows it changed, or -1. */
static int64_t
retention_blank(struct jourd *j, const char *sql, jtime_t before)
{
	sqlite3_stmt	*st;

	if ((st = db_stmt(j->db, sql)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, before);
	if (db_done(j->db, st) == -1)
		return -1;
	return sqlite3_changes(db_handle(j->db));
}

int64_t
retention_run(struct jourd *j, jtime_t now)
{
	int64_t	c, in, out;
	char	detail[160];

	if (j->cf.keep_text == 0)
		return 0;
	if (db_begin(j->db) == -1)
		return -1;
	if ((c = retention_blank(j, sql_blank_consults,
	    now - j->cf.keep_text)) == -1 ||
	    (in = retention_blank(j, sql_blank_inbox,
	    now - j->cf.keep_text)) == -1 ||
	    (out = retention_blank(j, sql_blank_outbox,
	    now - j->cf.keep_text)) == -1)
		goto fail;
	if (c + in + out > 0) {
		snprintf(detail, sizeof(detail), "%lld rows (consults %lld, "
		    "inbox %lld, outbox %lld)", (long long)(c + in + out),
		    (long long)c, (long long)in, (long long)out);
		if (event_write(j, 0, now, "texts_blanked", "", detail) == -1)
			goto fail;
	}
	if (db_commit(j->db) == -1)
		goto fail;
	if (c + in + out > 0)
		log_info("retention: texts older than %lld days blanked: %s",
		    (long long)(j->cf.keep_text / (24 * JT_HOUR)), detail);
	return c + in + out;
fail:
	db_rollback(j->db);
	return -1;
}
