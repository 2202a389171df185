/*
 * outbox.c — every message jourd sends, committed before a worker sees it,
 * and the dispatcher that decides which route carries it (DESIGN §10).
 *
 * queued → sending → sent | failed. Each route has at most one message in
 * flight: a modem sends one SMS after another anyway, and one in-flight row
 * per route makes a crash cost at most one re-send per route. The routes
 * are offered work in the order of the file, so the first healthy route
 * sends while it keeps up and the others take what it cannot. An answer
 * waits for the route its SMS came in on while that route is healthy. A
 * failed attempt goes at once to another healthy route if there is one,
 * else it is queued again with a doubling delay, until send_attempts is
 * used up. Kinds: SMS (page, reply, notify, admin, stand_down, …), call
 * (a wake-up call) and pager (a page to the hospital's paging system).
 */
#include <stdio.h>
#include <string.h>

#include "jourd.h"
#include "jtime.h"
#include "log.h"
#include "text.h"

static const char sql_push[] =
    "INSERT INTO outbox (to_phone, text, kind, consult_id, state,"
    " next_attempt_at, created_at, prefer) VALUES (?, ?, ?, ?, 'queued', ?,"
    " ?, ?)";
/*
 * The next message route ?5 may carry: of a kind it carries (?2 SMS, ?3
 * calls, ?4 pager pages); not one that waits for another healthy route
 * (?6 lists them, "|a|b|"); not one that just failed on this route while
 * another healthy route can take it (?7). A call holds its modem while it
 * rings: the SMS due go first.
 */
static const char sql_next[] =
    "SELECT o.id, o.to_phone, o.text, o.kind, coalesce(c.track, '')"
    " FROM outbox o LEFT JOIN consults c ON c.id = o.consult_id"
    " WHERE o.state = 'queued' AND o.next_attempt_at <= ?1"
    " AND ((?2 AND o.kind NOT IN ('call', 'pager'))"
    "  OR (?3 AND o.kind = 'call') OR (?4 AND o.kind = 'pager'))"
    " AND (o.prefer IS NULL OR o.prefer = ?5"
    "  OR instr(?6, '|' || o.prefer || '|') = 0)"
    " AND (o.avoid IS NULL OR o.avoid <> ?5 OR NOT ?7)"
    " ORDER BY o.kind = 'call', o.next_attempt_at, o.id LIMIT 1";
/* A wake-up call whose page was answered, declined or closed, or whose
 * unit's escalation ended, before it could go is not placed. */
static const char sql_call_moot[] =
    "SELECT NOT EXISTS (SELECT 1 FROM outbox o JOIN pages p"
    " ON p.consult_id = o.consult_id AND p.to_phone = o.to_phone"
    " JOIN legs l ON l.consult_id = p.consult_id AND l.idx = p.leg"
    " WHERE o.id = ? AND p.closed_at IS NULL AND l.state = 'paging')";
static const char sql_call_not_placed[] =
    "UPDATE outbox SET state = 'failed', error = 'not placed: the page was"
    " answered first' WHERE id = ? AND state = 'queued'";
static const char sql_mark_sending[] =
    "UPDATE outbox SET state = 'sending', attempts = attempts + 1, route = ?2"
    " WHERE id = ?1 AND state = 'queued'";
static const char sql_sent[] =
    "UPDATE outbox SET state = 'sent', sent_at = ?, msg_ref = ?, error = NULL"
    " WHERE id = ?";
static const char sql_attempts[] =
    "SELECT attempts, consult_id, to_phone, kind FROM outbox WHERE id = ?";
static const char sql_retry[] =
    "UPDATE outbox SET state = 'queued', next_attempt_at = ?, error = ?,"
    " avoid = ? WHERE id = ?";
static const char sql_move[] =
    "UPDATE outbox SET state = 'queued', next_attempt_at = ?, avoid = ?,"
    " error = ? WHERE id = ? AND state = 'sending'";
static const char sql_failed[] =
    "UPDATE outbox SET state = 'failed', error = ? WHERE id = ?";
static const char sql_requeue[] =
    "UPDATE outbox SET state = 'queued' WHERE state = 'sending'";
/* Due messages wait for a route to become free, which kicks the outbox;
 * the timer waits only for those not due yet. */
static const char sql_next_due[] =
    "SELECT min(next_attempt_at) FROM outbox WHERE state = 'queued'"
    " AND next_attempt_at > ?";

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
	/* An answer to the SMS being handled goes back the way it came. */
	if (j->inbound_route != NULL && strcmp(to, j->inbound_from) == 0 &&
	    strcmp(kind, "call") != 0 && strcmp(kind, "pager") != 0)
		db_bind_text(st, 7, j->inbound_route);
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

/*
 * Picks the next message route r may carry into *m. 1 when there is one,
 * 0 when not, -1 on a read error.
 */
static int
outbox_next(struct jourd *j, struct route *r, struct outbox_msg *m)
{
	sqlite3_stmt	*st;
	char		 healthy[MAX_ROUTES * ROUTE_NAME_MAX + 8];
	int		 rc;

	/* Where an answer waits for its arrival route: the healthy SMS
	 * routes. */
	failover_healthy_names(j, "reply", healthy, sizeof(healthy));
	if ((st = db_stmt(j->db, sql_next)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, jtime_now());
	sqlite3_bind_int(st, 2, r->ops->carries(r, "page"));
	sqlite3_bind_int(st, 3, r->ops->carries(r, "call"));
	sqlite3_bind_int(st, 4, r->ops->carries(r, "pager"));
	db_bind_text(st, 5, r->name);
	db_bind_text(st, 6, healthy);
	sqlite3_bind_int(st, 7, failover_other(j, r, "page") ||
	    failover_other(j, r, "call"));
	if ((rc = db_row(j->db, st)) == 1) {
		memset(m, 0, sizeof(*m));
		m->id = sqlite3_column_int64(st, 0);
		text_copy(m->to, sizeof(m->to), db_text(st, 1));
		text_copy(m->text, sizeof(m->text), db_text(st, 2));
		text_copy(m->kind, sizeof(m->kind), db_text(st, 3));
		m->priority = strcmp(db_text(st, 4), "akut") == 0 ? 1 : 3;
	}
	sqlite3_reset(st);
	return rc;
}

/*
 * Whether r should be offered work now: it is idle, and healthy, or it is
 * failing and its next try is due, or no healthy route can carry anything.
 */
static bool
outbox_may_use(struct jourd *j, struct route *r)
{
	int	i;

	if (!worker_idle(r))
		return false;
	if (failover_healthy(r) || jtime_mono() >= r->probe_at)
		return true;
	for (i = 0; i < j->nroutes; i++)
		if (failover_healthy(&j->routes[i]))
			return false;
	return true;
}

/* Hands message m to route r, committed as 'sending' first. */
static int
outbox_hand(struct jourd *j, struct route *r, const struct outbox_msg *m)
{
	sqlite3_stmt	*st;
	struct timeval	 tv;

	/* Committed as 'sending' first: after a crash it is sent again. */
	if ((st = db_stmt(j->db, sql_mark_sending)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, m->id);
	db_bind_text(st, 2, r->name);
	if (db_done(j->db, st) == -1)
		return -1;
	r->inflight = m->id;
	text_copy(r->inflight_kind, sizeof(r->inflight_kind), m->kind);
	r->inflight_since = jtime_mono();
	r->inflight_moved = false;
	/* A call rings before it is answered; then the same bound as a send. */
	r->inflight_ring = strcmp(m->kind, "call") == 0 ? j->cf.call_ring : 0;
	r->inflight_limit = j->cf.failover_after + r->inflight_ring;
	if (!failover_healthy(r))
		r->probe_at = jtime_mono() + j->cf.failover_after;
	if (r->modem != NULL && r->modem->rate > 0 &&
	    strcmp(m->kind, "call") != 0) {
		r->next_send_at = jtime_mono() + JT_MINUTE / r->modem->rate;
		tv = jourd_tv(JT_MINUTE / r->modem->rate);
		evtimer_add(r->pace, &tv);
	}
	log_debug("outbox %lld: %s to %s through %s", (long long)m->id,
	    m->kind, m->to, r->name);
	r->ops->send(r, m);
	return 0;
}

/*
 * A call about to be placed whose page no longer waits for an answer is
 * marked not placed: 1 when it was, 0 when the call is still wanted, -1 on
 * a storage error.
 */
static int
outbox_call_moot(struct jourd *j, int64_t id)
{
	sqlite3_stmt	*st;
	int		 rc, moot = 0;

	if ((st = db_stmt(j->db, sql_call_moot)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = db_row(j->db, st)) == 1)
		moot = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	if (rc != 1)
		return -1;
	if (!moot)
		return 0;
	if ((st = db_stmt(j->db, sql_call_not_placed)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (db_done(j->db, st) == -1)
		return -1;
	log_info("outbox %lld: wake-up call not placed: the page was answered "
	    "first", (long long)id);
	return 1;
}

/* Hands the next due messages to every route that can take one. */
void
outbox_kick(struct jourd *j)
{
	static struct outbox_msg	 m;
	struct route			*r;
	int				 i, rc, moot;

	if (!worker_any_idle(j))
		return;
	/* The outcomes of earlier attempts are stored first. */
	if (outbox_settle(j) == -1)
		return;
	if (!db_may_write(j->db)) {
		outbox_settle_later(j);
		return;
	}
	for (i = 0; i < j->nroutes; i++) {
		r = &j->routes[i];
		if (!outbox_may_use(j, r))
			continue;
		/* A call no longer wanted is marked so; the next row then. */
		while ((rc = outbox_next(j, r, &m)) == 1 &&
		    strcmp(m.kind, "call") == 0 &&
		    (moot = outbox_call_moot(j, m.id)) != 0)
			if (moot == -1) {
				rc = -1;
				break;
			}
		if (rc == -1) {
			outbox_settle_later(j);
			return;
		}
		if (rc == 0)
			continue;
		if (outbox_hand(j, r, &m) == -1) {
			/* Still 'queued': it goes when writes work. */
			outbox_settle_later(j);
			return;
		}
	}
}

/*
 * Writes the outcome o of an attempt in one transaction: sent (a call:
 * placed, with its event); or queued again, at once when another healthy
 * route can take it, else after a doubling delay; or failed with an event
 * once send_attempts are used up. 0, or -1 with nothing written.
 */
static int
outbox_store(struct jourd *j, const struct outbox_outcome *o)
{
	const struct ipc_send_result *r = &o->res;
	struct route	*route = worker_by_name(j, o->route);
	sqlite3_stmt	*st;
	jtime_t		 delay = 0, now = o->at;
	int		 attempts = 0, i, rc;
	int64_t		 consult = 0;
	char		 to[PHONE_MAX] = "", kind[WORD_MAX] = "", detail[192];
	bool		 elsewhere = false;

	if (db_begin(j->db) == -1)
		return -1;
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

	if (r->ok) {
		if ((st = db_stmt(j->db, sql_sent)) == NULL)
			goto fail;
		sqlite3_bind_int64(st, 1, now);
		sqlite3_bind_int(st, 2, r->msg_ref);
		sqlite3_bind_int64(st, 3, r->outbox_id);
		if (db_done(j->db, st) == -1)
			goto fail;
		if (strcmp(kind, "call") == 0) {
			snprintf(detail, sizeof(detail), "%s via %s", to,
			    o->route);
			if (event_write(j, consult, now, "called", "",
			    detail) == -1)
				goto fail;
		}
		log_debug("outbox %lld: sent in %d part(s) through %s",
		    (long long)r->outbox_id, r->parts, o->route);
		goto commit;
	}

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
		elsewhere = route != NULL && kind[0] != '\0' &&
		    failover_other(j, route, kind);
		for (delay = j->cf.send_retry, i = 1; i < attempts && delay <
		    10 * JT_MINUTE; i++)
			delay *= 2;
		if (elsewhere)
			delay = 0;
		if ((st = db_stmt(j->db, sql_retry)) == NULL)
			goto fail;
		sqlite3_bind_int64(st, 1, now + delay);
		db_bind_text(st, 2, r->error);
		db_bind_text(st, 3, o->route);
		sqlite3_bind_int64(st, 4, r->outbox_id);
		if (db_done(j->db, st) == -1)
			goto fail;
	}
commit:
	if (db_commit(j->db) == 0) {
		/* Said once, when it is so, not at every try to store it. */
		if (!r->ok && attempts >= j->cf.send_attempts)
			log_warnx("outbox %lld: giving up after %d attempts: %s",
			    (long long)r->outbox_id, attempts, r->error);
		else if (!r->ok && elsewhere)
			log_warnx("outbox %lld: attempt %d through %s failed "
			    "(%s), another route takes it now",
			    (long long)r->outbox_id, attempts, o->route,
			    r->error);
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
 * Stores what is waiting to be stored: the outcomes of the last attempts,
 * and at start-up the requeue of rows left 'sending'. A row must never
 * stay 'sending' while jourd runs, so what the database refuses is kept
 * here and written again after its pause until it is stored; meanwhile
 * nothing else is handed to a worker. 0 when nothing waits, else -1.
 */
int
outbox_settle(struct jourd *j)
{
	const struct outbox_outcome *o;
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
	while (j->outbox_nunsettled > 0) {
		o = &j->outbox_unsettled[0];
		if (!db_may_write(j->db) || outbox_store(j, o) == -1) {
			if (j->outbox_unsettled_since == 0) {
				j->outbox_unsettled_since = jtime_mono();
				log_warnx("outbox %lld: the outcome of its "
				    "attempt (%s) is not stored yet; it is "
				    "written again until it is, and nothing "
				    "else is sent meanwhile",
				    (long long)o->res.outbox_id,
				    o->res.ok ? "sent" : "failed");
			}
			outbox_settle_later(j);
			return -1;
		}
		if (j->outbox_unsettled_since != 0)
			log_info("outbox %lld: outcome stored after %llds",
			    (long long)o->res.outbox_id,
			    (long long)((jtime_mono() -
			    j->outbox_unsettled_since) / JT_SECOND));
		j->outbox_unsettled_since = 0;
		memmove(&j->outbox_unsettled[0], &j->outbox_unsettled[1],
		    (size_t)--j->outbox_nunsettled *
		    sizeof(j->outbox_unsettled[0]));
	}
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
	struct jourd		*j = r->j;
	struct outbox_outcome	*o;

	if (res->outbox_id != r->inflight) {
		log_warnx("outbox: result for %lld from %s, but %lld is in "
		    "flight there", (long long)res->outbox_id, r->name,
		    (long long)r->inflight);
		return;
	}
	/* The worker is free; the row is settled before the next send. */
	r->inflight = 0;
	if (res->ok)
		failover_sent(r);
	else
		failover_send_failed(r, res->error);
	if (r->inflight_moved) {
		/* Another route has it now: its row is not this one's. */
		r->inflight_moved = false;
		if (res->ok)
			log_warnx("outbox %lld: %s sent it after all, after it "
			    "was handed to another route", (long long)res->outbox_id,
			    r->name);
		outbox_kick(j);
		jourd_rearm(j);
		return;
	}
	/* At most one per route: a route's next send waits for this. */
	if (j->outbox_nunsettled < (int)nitems(j->outbox_unsettled)) {
		o = &j->outbox_unsettled[j->outbox_nunsettled++];
		o->res = *res;
		text_copy(o->route, sizeof(o->route), r->name);
		o->at = jtime_now();
	}
	if (outbox_settle(j) == -1)
		return;
	outbox_kick(j);
	jourd_rearm(j);
}

int
outbox_move_inflight(struct route *r, jtime_t now)
{
	struct jourd	*j = r->j;
	sqlite3_stmt	*st;
	char		 why[96];

	if (!failover_other(j, r, r->inflight_kind) || !db_may_write(j->db))
		return -1;
	snprintf(why, sizeof(why), "%s did not answer; sent again through "
	    "another route", r->name);
	if ((st = db_stmt(j->db, sql_move)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	db_bind_text(st, 2, r->name);
	db_bind_text(st, 3, why);
	sqlite3_bind_int64(st, 4, r->inflight);
	if (db_done(j->db, st) == -1)
		return -1;
	log_warnx("outbox %lld: %s", (long long)r->inflight, why);
	outbox_kick(j);
	return 0;
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
	sqlite3_stmt	*st;
	jtime_t		 due = 0, pause;

	if ((st = db_stmt(j->db, sql_next_due)) == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, jtime_now());
	if (db_row(j->db, st) == 1)
		due = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (due != 0 && (pause = db_retry_in(j->db)) > 0 &&
	    due < jtime_now() + pause)
		due = jtime_now() + pause;
	return due;
}
