/*
 * daily.c — jourd's daily jobs (DESIGN §12): the roster's coverage ahead,
 * each gap told to the administrators once, and the blanking of old texts
 * (retention.c). They run at start-up and then every 24 hours on the
 * monotonic clock; a run the database refused is tried again a minute
 * later. Both are idempotent: running them again changes nothing.
 */
#include <string.h>

#include "coverage.h"
#include "jourd.h"
#include "log.h"
#include "msg.h"

#define DAILY_PERIOD		(24 * JT_HOUR)
#define DAILY_RETRY		JT_MINUTE
/* The most gaps told in one run; the rest wait for the next. */
#define DAILY_GAPS_MAX		256

static const char sql_told_find[] =
    "SELECT id FROM coverage_told WHERE unit = ?1 AND role = ?2"
    " AND from_at < ?4 AND to_at > ?3 ORDER BY from_at LIMIT 1";
static const char sql_told_grow[] =
    "UPDATE coverage_told SET from_at = min(from_at, ?2),"
    " to_at = max(to_at, ?3) WHERE id = ?1";
static const char sql_told_add[] =
    "INSERT INTO coverage_told (unit, role, from_at, to_at, told_at)"
    " VALUES (?, ?, ?, ?, ?)";
static const char sql_told_prune[] =
    "DELETE FROM coverage_told WHERE to_at <= ?";

/*
 * Whether gap g was told before (1: its row now spans what was found), 0
 * when it was not, -1 on a storage failure.
 */
static int
daily_told(struct jourd *j, const struct coverage_gap *g)
{
	sqlite3_stmt	*st;
	int64_t		 id = 0;
	int		 rc;

	if ((st = db_stmt(j->db, sql_told_find)) == NULL)
		return -1;
	db_bind_text(st, 1, g->unit);
	db_bind_text(st, 2, g->role);
	sqlite3_bind_int64(st, 3, g->from);
	sqlite3_bind_int64(st, 4, g->to);
	if ((rc = db_row(j->db, st)) == 1)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != 1)
		return rc;
	if ((st = db_stmt(j->db, sql_told_grow)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, g->from);
	sqlite3_bind_int64(st, 3, g->to);
	return db_done(j->db, st) == -1 ? -1 : 1;
}

/* Records gap g as told, with its event and one SMS to each admin. */
static int
daily_tell(struct jourd *j, const struct coverage_gap *g, jtime_t now)
{
	sqlite3_stmt	*st;
	char		 from[32], to[32], detail[160], text[256];
	int		 i;

	if ((st = db_stmt(j->db, sql_told_add)) == NULL)
		return -1;
	db_bind_text(st, 1, g->unit);
	db_bind_text(st, 2, g->role);
	sqlite3_bind_int64(st, 3, g->from);
	sqlite3_bind_int64(st, 4, g->to);
	sqlite3_bind_int64(st, 5, now);
	if (db_done(j->db, st) == -1)
		return -1;
	coverage_local(g->from, from, sizeof(from));
	coverage_local(g->to, to, sizeof(to));
	snprintf(detail, sizeof(detail), "%s %s %s - %s", g->unit, g->role,
	    from, to);
	if (event_write(j, 0, now, "coverage_gap", "", detail) == -1)
		return -1;
	msg_admin_coverage_gap(text, sizeof(text), g->unit, g->role, from, to);
	for (i = 0; i < j->cf.nadmins; i++)
		if (outbox_push(j, j->cf.admins[i], text, "admin", 0, now) == -1)
			return -1;
	log_warnx("coverage: nobody holds %s", detail);
	return 0;
}

/*
 * The coverage check: every gap in the next coverage_days, each told once.
 * The number of gaps newly told, or -1 when the database failed (nothing
 * of the run is kept, so that it is tried again whole).
 */
static int
daily_coverage(struct jourd *j, jtime_t now)
{
	static struct coverage_gap	 gaps[DAILY_GAPS_MAX];
	sqlite3_stmt			*st;
	size_t				 n, i;
	int				 told = 0, rc;

	if (j->cf.coverage_days == 0)
		return 0;
	if (coverage_find(j->db, &j->cf, &j->cal, now, j->cf.coverage_days,
	    gaps, nitems(gaps), &n) == -1)
		return -1;
	if (n > nitems(gaps))
		log_warnx("coverage: %zu gaps, the first %zu told now", n,
		    nitems(gaps));
	if (db_begin(j->db) == -1)
		return -1;
	if ((st = db_stmt(j->db, sql_told_prune)) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, now);
	if (db_done(j->db, st) == -1)
		goto fail;
	for (i = 0; i < n && i < nitems(gaps); i++) {
		if ((rc = daily_told(j, &gaps[i])) == -1)
			goto fail;
		if (rc == 1)
			continue;
		if (daily_tell(j, &gaps[i], now) == -1)
			goto fail;
		told++;
	}
	if (db_commit(j->db) == -1)
		goto fail;
	if (told > 0 && j->cf.nadmins == 0)
		log_warnx("coverage: %d gap(s), but no admins are configured",
		    told);
	log_info("coverage: %zu gap(s) in the next %d days, %d newly told", n,
	    j->cf.coverage_days, told);
	return told;
fail:
	db_rollback(j->db);
	return -1;
}

static void
daily_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct jourd	*j = arg;
	struct timeval	 tv;
	jtime_t		 now;
	int		 ok = 1;

	clockjump_check(j);
	now = jtime_now();
	if (!db_may_write(j->db))
		ok = 0;
	else {
		if (daily_coverage(j, now) == -1)
			ok = 0;
		if (retention_run(j, now) == -1)
			ok = 0;
	}
	outbox_kick(j);
	tv = jourd_tv(ok ? DAILY_PERIOD : DAILY_RETRY);
	evtimer_add(j->daily_timer, &tv);
}

void
daily_init(struct jourd *j)
{
	if ((j->daily_timer = evtimer_new(j->base, daily_cb, j)) == NULL)
		fatalx("daily: evtimer_new failed");
	daily_cb(-1, 0, j);
}
