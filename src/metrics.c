/*
 * metrics.c — the gateway's figures for Prometheus and its health for a
 * load balancer or a monitoring check. Every figure comes from the
 * database jourd writes; this module only reads.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "common.h"
#include "metrics.h"
#include "text.h"

/* Labels seen: the configured ones first, then any the data holds. */
#define METRICS_LABELS	16

struct metrics_labels {
	char	name[METRICS_LABELS][WORD_MAX];
	int	n;
};

static const char *const metrics_states[] = { "queued", "open",
    "acknowledged", "resolved", "cancelled", "unanswered", "rejected" };

static const char sql_consult_states[] =
    "SELECT track, state, count(*) FROM consults GROUP BY track, state";
static const char sql_pages_sent[] =
    "SELECT route, count(*) FROM outbox WHERE kind IN ('page', 'pager')"
    " AND state = 'sent' AND route IS NOT NULL GROUP BY route";
static const char sql_ack_times[] =
    "SELECT track, acked_at - created_at FROM consults"
    " WHERE acked_at IS NOT NULL AND acked_at >= created_at";
static const char sql_queue[] =
    "SELECT count(*), min(created_at) FROM outbox"
    " WHERE state IN ('queued', 'sending')";
static const char sql_last_inbound[] =
    "SELECT max(received_at) FROM inbox";
static const char sql_by_track[] =
    "SELECT track, sum(max_step > 0), sum(state = 'unanswered')"
    " FROM consults GROUP BY track";
static const char sql_status[] =
    "SELECT key, value, updated_at FROM status WHERE key LIKE 'route:%'"
    " OR key IN ('heartbeat', 'heartbeat_mono')";

/* The index of name in l, added when missing; -1 when l is full. */
static int
metrics_label(struct metrics_labels *l, const char *name)
{
	int	i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->name[i], name) == 0)
			return i;
	if (l->n == METRICS_LABELS)
		return -1;
	text_copy(l->name[l->n], sizeof l->name[0], name);
	return l->n++;
}

/* A label value as the exposition format quotes it. */
static void
metrics_quote(struct evbuffer *out, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			evbuffer_add_printf(out, "\\%c", *s);
		else if (*s == '\n')
			evbuffer_add(out, "\\n", 2);
		else
			evbuffer_add(out, s, 1);
	}
}

static void
metrics_head(struct evbuffer *out, const char *name, const char *type,
    const char *help)
{
	evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help,
	    name, type);
}

/* One sample with up to two labels (NULL for none). */
static void
metrics_sample(struct evbuffer *out, const char *name, const char *k1,
    const char *v1, const char *k2, const char *v2, const char *value)
{
	evbuffer_add_printf(out, "%s", name);
	if (k1 != NULL) {
		evbuffer_add_printf(out, "{%s=\"", k1);
		metrics_quote(out, v1);
		evbuffer_add(out, "\"", 1);
		if (k2 != NULL) {
			evbuffer_add_printf(out, ",%s=\"", k2);
			metrics_quote(out, v2);
			evbuffer_add(out, "\"", 1);
		}
		evbuffer_add(out, "}", 1);
	}
	evbuffer_add_printf(out, " %s\n", value);
}

static void
metrics_int(struct evbuffer *out, const char *name, const char *k1,
    const char *v1, const char *k2, const char *v2, int64_t v)
{
	char	buf[32];

	snprintf(buf, sizeof buf, "%" PRId64, v);
	metrics_sample(out, name, k1, v1, k2, v2, buf);
}

/* The enabled tracks, in the order of enum track_id. */
static void
metrics_tracks(const struct config *cf, struct metrics_labels *l)
{
	int	t;

	memset(l, 0, sizeof *l);
	for (t = 0; t < MAX_TRACKS; t++)
		if (cf->tracks[t].enabled)
			metrics_label(l, cf->tracks[t].name);
}

/* jourd_consults{track,state}. */
static int
metrics_consults(struct db *db, const struct config *cf, struct evbuffer *out)
{
	struct metrics_labels	 tracks;
	int64_t			 n[METRICS_LABELS][nitems(metrics_states)];
	sqlite3_stmt		*st;
	size_t			 s;
	int			 t, rc;

	memset(n, 0, sizeof n);
	metrics_tracks(cf, &tracks);
	if ((st = db_stmt(db, sql_consult_states)) == NULL)
		return -1;
	while ((rc = db_row(db, st)) == 1) {
		if ((t = metrics_label(&tracks, db_text(st, 0))) == -1)
			continue;
		for (s = 0; s < nitems(metrics_states); s++)
			if (strcmp(db_text(st, 1), metrics_states[s]) == 0)
				n[t][s] = sqlite3_column_int64(st, 2);
	}
	if (rc == -1)
		return -1;
	metrics_head(out, "jourd_consults", "gauge", "Consults by track and "
	    "state.");
	for (t = 0; t < tracks.n; t++)
		for (s = 0; s < nitems(metrics_states); s++)
			metrics_int(out, "jourd_consults", "track",
			    tracks.name[t], "state", metrics_states[s], n[t][s]);
	return 0;
}

/* The routes jourd runs: its [modem] sections, then the paging system. */
static void
metrics_routes(const struct config *cf, struct metrics_labels *names,
    const char *kinds[METRICS_LABELS])
{
	int	k, i;

	memset(names, 0, sizeof *names);
	for (k = 0; k < cf->nmodems; k++)
		if ((i = metrics_label(names, cf->modems[k].name)) != -1)
			kinds[i] = "modem";
	if (cf->pager.enabled && (i = metrics_label(names, ROUTE_PAGER)) != -1)
		kinds[i] = "pager";
}

/* jourd_pages_sent_total{route}. */
static int
metrics_pages(struct db *db, const struct config *cf, struct evbuffer *out)
{
	struct metrics_labels	 routes;
	const char		*kinds[METRICS_LABELS];
	int64_t			 n[METRICS_LABELS];
	sqlite3_stmt		*st;
	int			 i, rc;

	memset(n, 0, sizeof n);
	metrics_routes(cf, &routes, kinds);
	if ((st = db_stmt(db, sql_pages_sent)) == NULL)
		return -1;
	while ((rc = db_row(db, st)) == 1)
		if ((i = metrics_label(&routes, db_text(st, 0))) != -1)
			n[i] = sqlite3_column_int64(st, 1);
	if (rc == -1)
		return -1;
	metrics_head(out, "jourd_pages_sent_total", "counter", "Pages sent (SMS "
	    "and paging system), by the route that carried them.");
	for (i = 0; i < routes.n; i++)
		metrics_int(out, "jourd_pages_sent_total", "route",
		    routes.name[i], NULL, NULL, n[i]);
	return 0;
}

/* jourd_ack_seconds{track}: time from request to acknowledgement. */
static int
metrics_ack(struct db *db, const struct config *cf, struct evbuffer *out)
{
	static const int	 bounds[] = METRICS_ACK_BUCKETS;
	struct metrics_labels	 tracks;
	int64_t			 le[METRICS_LABELS][nitems(bounds)];
	int64_t			 count[METRICS_LABELS], sum[METRICS_LABELS];
	sqlite3_stmt		*st;
	char			 b[16], v[32];
	int64_t			 ms;
	size_t			 k;
	int			 t, rc;

	memset(le, 0, sizeof le);
	memset(count, 0, sizeof count);
	memset(sum, 0, sizeof sum);
	metrics_tracks(cf, &tracks);
	if ((st = db_stmt(db, sql_ack_times)) == NULL)
		return -1;
	while ((rc = db_row(db, st)) == 1) {
		if ((t = metrics_label(&tracks, db_text(st, 0))) == -1)
			continue;
		ms = sqlite3_column_int64(st, 1);
		count[t]++;
		sum[t] += ms;
		for (k = 0; k < nitems(bounds); k++)
			if (ms <= (int64_t)bounds[k] * 1000)
				le[t][k]++;
	}
	if (rc == -1)
		return -1;
	metrics_head(out, "jourd_ack_seconds", "histogram", "Time from a "
	    "consult's request to its acknowledgement, by track.");
	for (t = 0; t < tracks.n; t++) {
		for (k = 0; k < nitems(bounds); k++) {
			snprintf(b, sizeof b, "%d", bounds[k]);
			metrics_int(out, "jourd_ack_seconds_bucket", "track",
			    tracks.name[t], "le", b, le[t][k]);
		}
		metrics_int(out, "jourd_ack_seconds_bucket", "track",
		    tracks.name[t], "le", "+Inf", count[t]);
		snprintf(v, sizeof v, "%" PRId64 ".%03" PRId64, sum[t] / 1000,
		    sum[t] % 1000);
		/* Whole seconds print as such. */
		if (sum[t] % 1000 == 0)
			snprintf(v, sizeof v, "%" PRId64, sum[t] / 1000);
		metrics_sample(out, "jourd_ack_seconds_sum", "track",
		    tracks.name[t], NULL, NULL, v);
		metrics_int(out, "jourd_ack_seconds_count", "track",
		    tracks.name[t], NULL, NULL, count[t]);
	}
	return 0;
}

/* The outbox's queue, the last inbound SMS, escalations by track. */
static int
metrics_queue(struct db *db, const struct config *cf, jtime_t now,
    struct evbuffer *out)
{
	struct metrics_labels	 tracks;
	int64_t			 esc[METRICS_LABELS], unans[METRICS_LABELS];
	int64_t			 queued = 0, oldest = 0, last = 0;
	sqlite3_stmt		*st;
	int			 t, rc;

	if ((st = db_stmt(db, sql_queue)) == NULL || (rc = db_row(db, st)) ==
	    -1)
		return -1;
	if (rc == 1) {
		queued = sqlite3_column_int64(st, 0);
		if (sqlite3_column_type(st, 1) != SQLITE_NULL &&
		    (oldest = now - sqlite3_column_int64(st, 1)) < 0)
			oldest = 0;
	}
	sqlite3_reset(st);
	if ((st = db_stmt(db, sql_last_inbound)) == NULL ||
	    (rc = db_row(db, st)) == -1)
		return -1;
	if (rc == 1)
		last = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);

	metrics_head(out, "jourd_outbox_queued", "gauge", "SMS and pages "
	    "waiting in the outbox (queued or being sent).");
	metrics_int(out, "jourd_outbox_queued", NULL, NULL, NULL, NULL, queued);
	metrics_head(out, "jourd_outbox_oldest_queued_seconds", "gauge", "Age "
	    "of the oldest message waiting in the outbox, 0 when none.");
	metrics_int(out, "jourd_outbox_oldest_queued_seconds", NULL, NULL, NULL,
	    NULL, oldest / 1000);
	metrics_head(out, "jourd_last_inbound_sms_timestamp_seconds", "gauge",
	    "When the last SMS came in (Unix time), 0 when none has.");
	metrics_int(out, "jourd_last_inbound_sms_timestamp_seconds", NULL, NULL,
	    NULL, NULL, last / 1000);

	memset(esc, 0, sizeof esc);
	memset(unans, 0, sizeof unans);
	metrics_tracks(cf, &tracks);
	if ((st = db_stmt(db, sql_by_track)) == NULL)
		return -1;
	while ((rc = db_row(db, st)) == 1)
		if ((t = metrics_label(&tracks, db_text(st, 0))) != -1) {
			esc[t] = sqlite3_column_int64(st, 1);
			unans[t] = sqlite3_column_int64(st, 2);
		}
	if (rc == -1)
		return -1;
	metrics_head(out, "jourd_consults_escalated_total", "counter",
	    "Consults that went past their first escalation step, by track.");
	for (t = 0; t < tracks.n; t++)
		metrics_int(out, "jourd_consults_escalated_total", "track",
		    tracks.name[t], NULL, NULL, esc[t]);
	metrics_head(out, "jourd_consults_unanswered_total", "counter",
	    "Consults nobody acknowledged, by track.");
	for (t = 0; t < tracks.n; t++)
		metrics_int(out, "jourd_consults_unanswered_total", "track",
		    tracks.name[t], NULL, NULL, unans[t]);
	return 0;
}

/* What the status rows say of jourd and its routes. */
struct metrics_status {
	jtime_t	heartbeat;		/* wall clock, 0 = stopped */
	jtime_t	beat_mono;		/* monotonic at the last beat */
	bool	ready[METRICS_LABELS];	/* state "ready" */
	bool	trouble[METRICS_LABELS];	/* trouble_since set */
};

static jtime_t
metrics_ms(const char *s)
{
	char		*end;
	long long	 v = strtoll(s, &end, 10);

	return end == s || *end != '\0' || v < 0 ? 0 : (jtime_t)v;
}

static int
metrics_status_read(struct db *db, const struct metrics_labels *routes,
    struct metrics_status *ms)
{
	sqlite3_stmt	*st;
	const char	*key, *val, *field;
	int		 i, rc;
	size_t		 len;

	memset(ms, 0, sizeof *ms);
	if ((st = db_stmt(db, sql_status)) == NULL)
		return -1;
	while ((rc = db_row(db, st)) == 1) {
		key = db_text(st, 0);
		val = db_text(st, 1);
		if (strcmp(key, "heartbeat") == 0) {
			ms->heartbeat = metrics_ms(val);
			continue;
		}
		if (strcmp(key, "heartbeat_mono") == 0) {
			ms->beat_mono = metrics_ms(val);
			continue;
		}
		/* route:NAME:FIELD */
		if ((field = strchr(key + 6, ':')) == NULL)
			continue;
		len = (size_t)(field - (key + 6));
		field++;
		for (i = 0; i < routes->n; i++) {
			if (strlen(routes->name[i]) != len ||
			    strncmp(routes->name[i], key + 6, len) != 0)
				continue;
			if (strcmp(field, "state") == 0)
				ms->ready[i] = strcmp(val, "ready") == 0;
			else if (strcmp(field, "trouble_since") == 0)
				ms->trouble[i] = val[0] != '\0';
		}
	}
	return rc == -1 ? -1 : 0;
}

/* jourd_route_up{route,kind} and the heartbeat's age. */
static int
metrics_up(struct db *db, const struct config *cf, jtime_t now, jtime_t mono,
    struct evbuffer *out)
{
	struct metrics_labels	 routes;
	struct metrics_status	 ms;
	const char		*kinds[METRICS_LABELS];
	int			 i;

	metrics_routes(cf, &routes, kinds);
	if (metrics_status_read(db, &routes, &ms) == -1)
		return -1;
	metrics_head(out, "jourd_route_up", "gauge", "1 when the route is "
	    "ready and out of trouble, else 0.");
	for (i = 0; i < routes.n; i++)
		metrics_int(out, "jourd_route_up", "route", routes.name[i],
		    "kind", kinds[i], ms.ready[i] && !ms.trouble[i]);
	metrics_head(out, "jourd_heartbeat_age_seconds", "gauge", "Seconds "
	    "since jourd's last heartbeat; -1 when it is stopped.");
	if (ms.heartbeat == 0)
		metrics_int(out, "jourd_heartbeat_age_seconds", NULL, NULL,
		    NULL, NULL, -1);
	else
		metrics_int(out, "jourd_heartbeat_age_seconds", NULL, NULL,
		    NULL, NULL, (ms.beat_mono > 0 && mono >= ms.beat_mono ?
		    mono - ms.beat_mono : now - ms.heartbeat) / 1000);
	return 0;
}

int
metrics_render(struct db *db, const struct config *cf, jtime_t now,
    jtime_t mono, struct evbuffer *out)
{
	if (metrics_consults(db, cf, out) == -1 ||
	    metrics_pages(db, cf, out) == -1 ||
	    metrics_ack(db, cf, out) == -1 ||
	    metrics_queue(db, cf, now, out) == -1 ||
	    metrics_up(db, cf, now, mono, out) == -1)
		return -1;
	return 0;
}

int
metrics_health(struct db *db, const struct config *cf, jtime_t now,
    jtime_t mono, char *why, size_t whysz)
{
	struct metrics_labels	 routes;
	struct metrics_status	 ms;
	const char		*kinds[METRICS_LABELS];
	jtime_t			 age;
	int			 i;

	metrics_routes(cf, &routes, kinds);
	if (metrics_status_read(db, &routes, &ms) == -1) {
		snprintf(why, whysz, "the database could not be read");
		return -1;
	}
	if (ms.heartbeat == 0) {
		snprintf(why, whysz, "jourd is not running (no heartbeat)");
		return 0;
	}
	/* The monotonic clock, which no step of the wall clock moves, when
	 * jourd wrote it; the wall clock otherwise. */
	age = ms.beat_mono > 0 ? mono - ms.beat_mono : now - ms.heartbeat;
	if (age < 0 || age > METRICS_HEARTBEAT_STALE) {
		snprintf(why, whysz, "jourd's heartbeat is %lld s old",
		    (long long)(age / 1000));
		return 0;
	}
	for (i = 0; i < routes.n; i++)
		if (strcmp(kinds[i], "modem") == 0 && ms.ready[i] &&
		    !ms.trouble[i]) {
			snprintf(why, whysz, "ok");
			return 1;
		}
	snprintf(why, whysz, "no SMS route is healthy");
	return 0;
}
