/*
 * outbox.c — every SMS jourd sends, committed before the modem sees it.
 *
 * queued → sending → sent | failed. One message is in flight at a time: a
 * modem sends one SMS after another anyway, and a single in-flight row makes
 * a crash cost at most one re-send. A failed attempt is queued again with a
 * doubling delay until send_attempts is used up.
 */
#include <stdio.h>
#include <string.h>

#include "jourd.h"
#include "jtime.h"
#include "log.h"
#include "text.h"

static const char sql_push[] =
    "INSERT INTO outbox (to_phone, text, kind, consult_id, state,"
    " next_attempt_at, created_at) VALUES (?, ?, ?, ?, 'queued', ?, ?)";
static const char sql_next[] =
    "SELECT id, to_phone, text FROM outbox WHERE state = 'queued'"
    " AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT 1";
static const char sql_mark_sending[] =
    "UPDATE outbox SET state = 'sending', attempts = attempts + 1, route = ?2"
    " WHERE id = ?1 AND state = 'queued'";
static const char sql_sent[] =
    "UPDATE outbox SET state = 'sent', sent_at = ?, msg_ref = ?, error = NULL"
    " WHERE id = ?";
static const char sql_attempts[] =
    "SELECT attempts, consult_id, to_phone, kind FROM outbox WHERE id = ?";
static const char sql_retry[] =
    "UPDATE outbox SET state = 'queued', next_attempt_at = ?, error = ?"
    " WHERE id = ?";
static const char sql_failed[] =
    "UPDATE outbox SET state = 'failed', error = ? WHERE id = ?";
static const char sql_requeue[] =
    "UPDATE outbox SET state = 'queued' WHERE state = 'sending'";
static const char sql_next_due[] =
    "SELECT min(next_attempt_at) FROM outbox WHERE state = 'queued'";

int64_t
outbox_push(struct jourd *j, const char *to, const char *text, const char *kind,
    int64_t consult, jtime_t now)
{
	static char	 clean[SMS_TEXT_MAX];
	sqlite3_stmt	*st;

	/* What is stored is exactly what the modem will be handed: valid
	 * UTF-8, within the bound of one IPC message. */
	text_clean(clean, sizeof(clean), text, strlen(text));
	if ((st = db_stmt(j->db, sql_push)) == NULL)
		return -1;
	db_bind_text(st, 1, to);
	db_bind_text(st, 2, clean);
	db_bind_text(st, 3, kind);
	if (consult > 0)
		sqlite3_bind_int64(st, 4, consult);
	sqlite3_bind_int64(st, 5, now);
	sqlite3_bind_int64(st, 6, now);
	if (db_done(j->db, st) == -1)
		return -1;
	return sqlite3_last_insert_rowid(db_handle(j->db));
}

/* Tries outbox_settle again after the database's pause. */
static void
outbox_settle_later(struct jourd *j)
{
	struct timeval	tv;
	jtime_t		ms = db_retry_in(j->db);

	if (j->outbox_timer == NULL)
		return;
	if (ms <= 0)
		ms = JT_SECOND;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(j->outbox_timer, &tv);
}

/* Hands the next due message to the modem worker, if it can take one. */
void
outbox_kick(struct jourd *j)
{
	static struct ipc_send	 msg;
	struct route		*r;
	sqlite3_stmt		*st;
	int			 rc;

	if ((r = worker_idle(j)) == NULL)
		return;
	/* One message at a time: the last one's outcome is stored first. */
	if (outbox_settle(j) == -1)
		return;
	if (!db_may_write(j->db)) {
		outbox_settle_later(j);
		return;
	}
	if ((st = db_stmt(j->db, sql_next)) == NULL)
		return;
	sqlite3_bind_int64(st, 1, jtime_now());
	if ((rc = db_row(j->db, st)) != 1) {
		sqlite3_reset(st);
		if (rc == -1)
			outbox_settle_later(j);
		return;
	}
	memset(&msg, 0, sizeof(msg));
	msg.outbox_id = sqlite3_column_int64(st, 0);
	text_copy(msg.to, sizeof(msg.to), db_text(st, 1));
	text_copy(msg.text, sizeof(msg.text), db_text(st, 2));
	sqlite3_reset(st);

	/* Committed as 'sending' first: after a crash it is sent again. */
	if ((st = db_stmt(j->db, sql_mark_sending)) == NULL)
		return;
	sqlite3_bind_int64(st, 1, msg.outbox_id);
	db_bind_text(st, 2, r->name);
	if (db_done(j->db, st) == -1) {
		/* Still 'queued': it goes when writes work. */
		outbox_settle_later(j);
		return;
	}
	r->inflight = msg.outbox_id;
	r->inflight_since = jtime_mono();
	log_debug("outbox %lld: sending to %s through %s",
	    (long long)msg.outbox_id, msg.to, r->name);
	worker_send(r, IPC_SEND, &msg, sizeof(msg));
}

/*
 * Writes the outcome r of an attempt, received at now, in one transaction:
 * sent; or queued again after a doubling delay; or failed with an event
 * once send_attempts are used up. 0, or -1 with nothing written.
 */
static int
outbox_store(struct jourd *j, const struct ipc_send_result *r, jtime_t now)
{
	sqlite3_stmt	*st;
	jtime_t		 delay = 0;
	int		 attempts = 0, i, rc;
	int64_t		 consult = 0;
	char		 to[PHONE_MAX] = "", kind[WORD_MAX] = "", detail[192];

	if (db_begin(j->db) == -1)
		return -1;
	if (r->ok) {
		if ((st = db_stmt(j->db, sql_sent)) == NULL)
			goto fail;
		sqlite3_bind_int64(st, 1, now);
		sqlite3_bind_int(st, 2, r->msg_ref);
		sqlite3_bind_int64(st, 3, r->outbox_id);
		if (db_done(j->db, st) == -1)
			goto fail;
		log_debug("outbox %lld: sent in %d part(s)",
		    (long long)r->outbox_id, r->parts);
		goto commit;
	}

	if ((st = db_stmt(j->db, sql_attempts)) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, r->outbox_id);
	if ((rc = db_row(j->db, st)) == 1) {
		attempts = sqlite3_column_int(st, 0);
		consult = sqlite3_column_int64(st, 1);
		text_copy(to, sizeof(to), db_text(st, 2));
		text_copy(kind, sizeof(kind), db_text(st, 3));
	}
	sqlite3_reset(st);
	if (rc == -1)
		goto fail;

	if (attempts >= j->cf.send_attempts) {
		if ((st = db_stmt(j->db, sql_failed)) == NULL)
			goto fail;
		db_bind_text(st, 1, r->error);
		sqlite3_bind_int64(st, 2, r->outbox_id);
		if (db_done(j->db, st) == -1)
			goto fail;
		snprintf(detail, sizeof(detail), "%s %s: %s", kind, to, r->error);
		if (event_write(j, consult, now, "send_failed", "", detail) == -1)
			goto fail;
	} else {
		for (delay = j->cf.send_retry, i = 1; i < attempts && delay <
		    10 * JT_MINUTE; i++)
			delay *= 2;
		if ((st = db_stmt(j->db, sql_retry)) == NULL)
			goto fail;
		sqlite3_bind_int64(st, 1, now + delay);
		db_bind_text(st, 2, r->error);
		sqlite3_bind_int64(st, 3, r->outbox_id);
		if (db_done(j->db, st) == -1)
			goto fail;
	}
commit:
	if (db_commit(j->db) == 0) {
		/* Said once, when it is so, not at every try to store it. */
		if (!r->ok && attempts >= j->cf.send_attempts)
			log_warnx("outbox %lld: giving up after %d attempts: %s",
			    (long long)r->outbox_id, attempts, r->error);
		else if (!r->ok)
			log_warnx("outbox %lld: attempt %d failed (%s), retry "
			    "in %llds", (long long)r->outbox_id, attempts,
			    r->error, (long long)(delay / JT_SECOND));
		return 0;
	}
fail:
	db_rollback(j->db);
	return -1;
}

/*
 * Stores what is waiting to be stored: the outcome of the last attempt,
 * and at start-up the requeue of rows left 'sending'. A row must never
 * stay 'sending' while jourd runs, so what the database refuses is kept
 * here and written again after its pause until it is stored; meanwhile
 * nothing else is handed to the modem. 0 when nothing waits, else -1.
 */
int
outbox_settle(struct jourd *j)
{
	sqlite3_stmt	*st;

	if (j->outbox_requeue) {
		if (!db_may_write(j->db) ||
		    (st = db_stmt(j->db, sql_requeue)) == NULL ||
		    db_done(j->db, st) == -1) {
			outbox_settle_later(j);
			return -1;
		}
		j->outbox_requeue = false;
	}
	if (!j->outbox_unsettled)
		return 0;
	if (!db_may_write(j->db) || outbox_store(j, &j->outbox_result,
	    j->outbox_result_at) == -1) {
		if (j->outbox_unsettled_since == 0) {
			j->outbox_unsettled_since = jtime_mono();
			log_warnx("outbox %lld: the outcome of its attempt (%s) "
			    "is not stored yet; it is written again until it "
			    "is, and nothing else is sent meanwhile",
			    (long long)j->outbox_result.outbox_id,
			    j->outbox_result.ok ? "sent" : "failed");
		}
		outbox_settle_later(j);
		return -1;
	}
	if (j->outbox_unsettled_since != 0)
		log_info("outbox %lld: outcome stored after %llds",
		    (long long)j->outbox_result.outbox_id,
		    (long long)((jtime_mono() - j->outbox_unsettled_since) /
		    JT_SECOND));
	j->outbox_unsettled = false;
	j->outbox_unsettled_since = 0;
	return 0;
}

/* The settle timer: store what waits, then carry on sending. */
void
outbox_settle_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct jourd	*j = arg;

	if (outbox_settle(j) == -1)
		return;
	outbox_kick(j);
	jourd_rearm(j);
}

void
outbox_result(struct route *r, const struct ipc_send_result *res)
{
	struct jourd	*j = r->j;

	if (res->outbox_id != r->inflight) {
		log_warnx("outbox: result for %lld from %s, but %lld is in "
		    "flight there", (long long)res->outbox_id, r->name,
		    (long long)r->inflight);
		return;
	}
	/* The worker is free; the row is settled before the next send. */
	r->inflight = 0;
	j->outbox_result = *res;
	j->outbox_result_at = jtime_now();
	j->outbox_unsettled = true;
	if (outbox_settle(j) == -1)
		return;
	outbox_kick(j);
	jourd_rearm(j);
}

/*
 * The worker died or hung with a message in flight. That counts as a failed
 * attempt: a message that kills the worker every time backs off and finally
 * fails instead of crash-looping at the head of the queue.
 */
void
outbox_lost(struct route *r, const char *why)
{
	struct ipc_send_result	res;

	if (r->inflight == 0)
		return;
	memset(&res, 0, sizeof(res));
	res.outbox_id = r->inflight;
	snprintf(res.error, sizeof(res.error), "%s", why);
	outbox_result(r, &res);
}

/* At start-up: what was being sent when jourd stopped is queued again. */
void
outbox_requeue_inflight(struct jourd *j)
{
	int	i;

	for (i = 0; i < j->nroutes; i++)
		j->routes[i].inflight = 0;
	j->outbox_requeue = true;
	outbox_settle(j);
}

/* When the next queued message is due; not before the database's pause. */
jtime_t
outbox_next_due(struct jourd *j)
{
	jtime_t	due = db_int64(j->db, sql_next_due), pause;

	if (due != 0 && (pause = db_retry_in(j->db)) > 0 &&
	    due < jtime_now() + pause)
		due = jtime_now() + pause;
	return due;
}
