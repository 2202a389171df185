/*
 * trouble.c — the parent's view of the first route's health: how long it has
 * been unusable, the incident when that lasts longer than [modem]
 * alarm_after, the administrators' page when it is back, and the memory of
 * a SIM PIN that was refused.
 *
 * Trouble starts when the worker is gone or not (yet) connected, and ends
 * when the worker says the modem is ready. An SMS to the administrators
 * cannot go out while the modem is down, so the incident is written to the
 * event log and the status row at once (jourctl status shows it) and the
 * page is queued the moment the modem is back, before anything else waits.
 *
 * A refused PIN is kept in the status table as a hash of the PIN, so that
 * neither a new worker nor a restarted jourd enters it again: three wrong
 * PINs lock the SIM. A different PIN in the configuration is tried.
 */
#include <stdio.h>
#include <string.h>

#include "jourd.h"
#include "jtime.h"
#include "log.h"
#include "msg.h"
#include "text.h"

static const char sql_status_get[] =
    "SELECT value FROM status WHERE key = ?";

/* FNV-1a of the PIN: enough to tell "the PIN that was refused" again. The
 * stored keys were made with the published basis: keep it. */
static void
trouble_pin_hash(const char *pin, char *out, size_t sz)
{
	uint64_t	h;

	h = text_hash_more(text_hash_more(TEXT_HASH_FNV64, "jourd-pin:"), pin);
	snprintf(out, sz, "%016llx", (unsigned long long)h);
}

/* The status row that remembers the PIN route r's SIM refused. */
static void
trouble_pin_key(const struct route *r, char *key, size_t sz)
{
	if (strcmp(r->name, ROUTE_MAIN) == 0)
		snprintf(key, sz, "pin_refused");
	else
		snprintf(key, sz, "route:%s:pin_refused", r->name);
}

int
trouble_pin_refused(struct route *r)
{
	struct jourd	*j = r->j;
	sqlite3_stmt	*st;
	char		 want[32], key[64];
	int		 rc, refused = 0;

	trouble_pin_hash(r->modem->pin, want, sizeof(want));
	trouble_pin_key(r, key, sizeof(key));
	if ((st = db_stmt(j->db, sql_status_get)) == NULL)
		return -1;
	db_bind_text(st, 1, key);
	if ((rc = db_row(j->db, st)) == 1)
		refused = strcmp(db_text(st, 0), want) == 0;
	sqlite3_reset(st);
	return rc == -1 ? -1 : refused;
}

void
trouble_pin_wrong(struct route *r)
{
	char	hash[32], key[64];

	trouble_pin_hash(r->modem->pin, hash, sizeof(hash));
	trouble_pin_key(r, key, sizeof(key));
	jourd_set_status(r->j, key, hash);
}

/* The status row's value for key, "" when there is none. */
static void
trouble_status(struct jourd *j, const char *key, char *out, size_t sz)
{
	sqlite3_stmt	*st;

	out[0] = '\0';
	if ((st = db_stmt(j->db, sql_status_get)) == NULL)
		return;
	db_bind_text(st, 1, key);
	/* At start-up only: a read error is logged by db_row and the
	 * incident, if any, starts again from now. */
	if (db_row(j->db, st) == 1)
		text_copy(out, sz, db_text(st, 0));
	sqlite3_reset(st);
}

/*
 * At start: trouble the previous run ended in goes on from when it began,
 * so a restart in the middle of an incident does not swallow it.
 */
void
trouble_resume(struct jourd *j)
{
	char	since[32], alarm[8];
	long long v;

	trouble_status(j, "modem_trouble_since", since, sizeof(since));
	trouble_status(j, "modem_alarm", alarm, sizeof(alarm));
	if (sscanf(since, "%lld", &v) != 1 || v <= 0)
		return;
	j->trouble_since = (jtime_t)v;
	j->trouble_alarm = strcmp(alarm, "1") == 0;
	text_copy(j->trouble_why, sizeof(j->trouble_why), "before a restart");
}

void
trouble_start(struct jourd *j, const char *why)
{
	char	since[32];

	text_copy(j->trouble_why, sizeof(j->trouble_why), why);
	if (j->trouble_since != 0)
		return;
	j->trouble_since = jtime_now();
	j->trouble_alarm = false;
	snprintf(since, sizeof(since), "%lld", (long long)j->trouble_since);
	jourd_set_status(j, "modem_trouble_since", since);
	jourd_set_status(j, "modem_alarm", "0");
}

void
trouble_tick(struct jourd *j)
{
	jtime_t	now = jtime_now();
	char	detail[256], since[32];

	if (j->trouble_since == 0 || j->trouble_alarm ||
	    now - j->trouble_since < j->routes[0].modem->alarm_after)
		return;
	jtime_short(j->trouble_since, now, since, sizeof(since));
	snprintf(detail, sizeof(detail), "modem unusable since %s: %s", since,
	    j->trouble_why);
	log_warnx("%s", detail);
	if (event_write(j, 0, now, "modem_trouble", "jourd", detail) == -1) {
		log_warnx("modem trouble: could not record it; retrying");
		return;
	}
	j->trouble_alarm = true;
	jourd_set_status(j, "modem_alarm", "1");
}

void
trouble_ready(struct jourd *j)
{
	jtime_t	now = jtime_now();
	char	text[320], detail[128], from[32], to[32];
	int	i;

	if (j->trouble_since == 0)
		return;
	if (j->trouble_alarm) {
		jtime_short(j->trouble_since, now, from, sizeof(from));
		jtime_short(now, now, to, sizeof(to));
		msg_admin_modem_back(text, sizeof(text), from, to,
		    (now - j->trouble_since + JT_MINUTE / 2) / JT_MINUTE);
		snprintf(detail, sizeof(detail), "modem back after %lld s",
		    (long long)((now - j->trouble_since) / 1000));
		if (db_begin(j->db) == -1)
			return;
		if (event_write(j, 0, now, "modem_back", "jourd", detail) == -1)
			goto fail;
		for (i = 0; i < j->cf.nadmins; i++)
			if (outbox_push(j, j->cf.admins[i], text, "admin", 0,
			    now) == -1)
				goto fail;
		if (db_commit(j->db) == -1)
			goto fail;
		log_info("%s; %d admin(s) paged", detail, j->cf.nadmins);
	}
	j->trouble_since = 0;
	j->trouble_alarm = false;
	jourd_set_status(j, "modem_trouble_since", "");
	jourd_set_status(j, "modem_alarm", "0");
	return;
fail:
	/* Kept in trouble: the next ready report or tick tries again. */
	db_rollback(j->db);
	log_warnx("modem back: could not record it: %s", db_errmsg(j->db));
}
