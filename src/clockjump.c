/*
 * clockjump.c — stored due times that follow the monotonic clock when the
 * wall clock is stepped.
 *
 * Due times are stored as wall-clock instants, because after a restart the
 * wall clock is all there is to tell what fell due while jourd was down.
 * While jourd runs, an interval is measured on the monotonic clock: when
 * the wall clock is stepped (NTP, `date -s`, a wrong clock at boot), every
 * stored time that ends an interval moves by the step, in one transaction,
 * before any callback reads or writes one in the new clock's terms. The
 * intervals: an escalation step's ack_timeout (legs that are paging), an
 * outbox message's next attempt, a reply window, and the modem trouble that
 * alarm_after measures. A time that names a moment on the calendar stays:
 * the opening a queued consult waits for is 08:00 whatever the clock did.
 * Records stay too (created_at, events, closed pages): they say what the
 * clock showed when it happened, and an event says when it was stepped.
 */
#include <stdio.h>

#include "jourd.h"
#include "jtime.h"
#include "log.h"

/* Each statement's ?1 is the step in ms. */
static const char sql_legs[] =
    "UPDATE legs SET due_at = due_at + ?1"
    " WHERE due_at IS NOT NULL AND state = 'paging'";
static const char sql_outbox[] =
    "UPDATE outbox SET next_attempt_at = next_attempt_at + ?1"
    " WHERE state = 'queued'";
static const char sql_reply[] =
    "UPDATE reply_limits SET window_start = window_start + ?1,"
    " last_reply_at = last_reply_at + ?1 WHERE window_start > 0";

void
clockjump_init(struct jourd *j)
{
	jtime_watch_init(&j->clock, jtime_now(), jtime_mono());
}

/* Runs one of the statements above; the rows it moved, or -1. */
static int
clockjump_move(struct jourd *j, const char *sql, jtime_t step)
{
	sqlite3_stmt	*st;

	if ((st = db_stmt(j->db, sql)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, step);
	if (db_done(j->db, st) == -1)
		return -1;
	return sqlite3_changes(db_handle(j->db));
}

int
clockjump_check(struct jourd *j)
{
	jtime_t	 now = jtime_now(), step;
	char	 detail[192], since[32], iso[40];
	int	 legs, outbox, reply;

	if ((step = jtime_watch_step(&j->clock, now, jtime_mono())) == 0)
		return 0;
	/* Inside another transaction, or in the database's pause: later. */
	if (!sqlite3_get_autocommit(db_handle(j->db)) || !db_may_write(j->db))
		return -1;
	if (db_begin(j->db) == -1)
		return -1;
	if ((legs = clockjump_move(j, sql_legs, step)) == -1 ||
	    (outbox = clockjump_move(j, sql_outbox, step)) == -1 ||
	    (reply = clockjump_move(j, sql_reply, step)) == -1)
		goto fail;
	snprintf(detail, sizeof(detail), "wall clock stepped %+lld.%03lld s "
	    "to %s; moved with it: %d escalation step(s), %d outbox "
	    "message(s), %d reply window(s)", (long long)(step / JT_SECOND),
	    (long long)((step < 0 ? -step : step) % JT_SECOND),
	    jtime_iso(now, iso, sizeof(iso)), legs, outbox, reply);
	if (event_write(j, 0, now, "clock_step", "jourd", detail) == -1)
		goto fail;
	if (j->trouble_since != 0) {
		snprintf(since, sizeof(since), "%lld",
		    (long long)(j->trouble_since + step));
		jourd_set_status(j, "modem_trouble_since", since);
	}
	/* jourctl judges the heartbeat by both clocks: one frame for both. */
	jourd_beat(j);
	if (db_commit(j->db) == -1)
		goto fail;
	jtime_watch_take(&j->clock, step);
	if (j->trouble_since != 0)
		j->trouble_since += step;
	log_warnx("%s", detail);
	return 0;
fail:
	db_rollback(j->db);
	return -1;
}
