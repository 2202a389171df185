/*
 * failover.c — the health of every route (DESIGN §9, §10).
 *
 * A route is healthy while its worker says it is ready and its sends do
 * not fail. Unhealthy, it takes no new message while a healthy route can
 * (outbox.c asks failover_healthy_names); a route whose sends fail is
 * given one message again every failover_after, so that it can show it is
 * back. Unhealthy for [daemon] failover_after, it is in trouble: the event
 * route_trouble is written at once, and the administrators are paged at
 * once through another healthy route; route_back follows when it is
 * healthy again. A message a route holds in flight longer than
 * failover_after is sent again through another route: the one resend a
 * silent route can cost.
 *
 * With a single route there is nothing to fail over to: its incident is
 * trouble.c's, told when it is back, and no admin SMS is queued here.
 */
#include <stdio.h>
#include <string.h>

#include "jourd.h"
#include "jtime.h"
#include "log.h"
#include "msg.h"
#include "text.h"

bool
failover_healthy(const struct route *r)
{
	return r->pid != -1 && r->state == MODEM_READY && r->fail_since == 0;
}

/* Notes that r became unusable at now, for why. */
static void
failover_begin(struct route *r, const char *why)
{
	char	since[32], key[64];

	text_copy(r->trouble_why, sizeof(r->trouble_why), why);
	if (r->trouble_since != 0)
		return;
	r->trouble_since = jtime_now();
	r->trouble_told = false;
	snprintf(since, sizeof(since), "%lld", (long long)r->trouble_since);
	snprintf(key, sizeof(key), "route:%s:trouble_since", r->name);
	jourd_set_status(r->j, key, since);
}

/* r is healthy again: the trouble, if told, is told to be over. */
static void
failover_end(struct route *r)
{
	struct jourd	*j = r->j;
	jtime_t		 now = jtime_now();
	char		 text[320], detail[160], from[32], to[32], key[64];
	int		 i;

	if (r->trouble_since == 0 || !failover_healthy(r))
		return;
	if (r->trouble_told) {
		jtime_short(r->trouble_since, now, from, sizeof(from));
		jtime_short(now, now, to, sizeof(to));
		msg_admin_route_back(text, sizeof(text), r->name, from, to,
		    (now - r->trouble_since + JT_MINUTE / 2) / JT_MINUTE);
		snprintf(detail, sizeof(detail), "%s: back after %lld s",
		    r->name, (long long)((now - r->trouble_since) / 1000));
		if (db_begin(j->db) == -1)
			return;
		if (event_write(j, 0, now, "route_back", "jourd", detail) == -1)
			goto fail;
		for (i = 0; j->nroutes > 1 && i < j->cf.nadmins; i++)
			if (outbox_push(j, j->cf.admins[i], text, "admin", 0,
			    now) == -1)
				goto fail;
		if (db_commit(j->db) == -1)
			goto fail;
		log_info("route %s", detail);
	}
	r->trouble_since = 0;
	r->trouble_told = false;
	snprintf(key, sizeof(key), "route:%s:trouble_since", r->name);
	jourd_set_status(j, key, "");
	return;
fail:
	/* Still in trouble: the next ready report or sent SMS tries again. */
	db_rollback(j->db);
	log_warnx("route %s back: could not record it: %s", r->name,
	    db_errmsg(j->db));
}

void
failover_down(struct route *r, const char *why)
{
	failover_begin(r, why);
}

void
failover_ready(struct route *r)
{
	/* A new worker starts afresh: its sends have not failed yet. */
	r->fail_since = 0;
	failover_end(r);
}

void
failover_send_failed(struct route *r, const char *why)
{
	char	reason[160];

	snprintf(reason, sizeof(reason), "sends failing: %s", why);
	if (r->fail_since == 0)
		r->fail_since = jtime_now();
	r->probe_at = jtime_mono() + r->j->cf.failover_after;
	failover_begin(r, reason);
}

void
failover_sent(struct route *r)
{
	r->fail_since = 0;
	failover_end(r);
}

void
failover_healthy_names(struct jourd *j, const char *kind, char *buf,
    size_t sz)
{
	size_t	n = 0;
	int	i, w;

	buf[0] = '\0';
	for (i = 0; i < j->nroutes; i++) {
		const struct route *r = &j->routes[i];

		if (!failover_healthy(r) || !r->ops->carries(r, kind))
			continue;
		w = snprintf(buf + n, sz - n, "%s%s|", n == 0 ? "|" : "",
		    r->name);
		if (w < 0 || (size_t)w >= sz - n) {
			buf[n] = '\0';
			return;
		}
		n += (size_t)w;
	}
}

/* The first healthy route other than r, in the order of the file, that
 * carries kind; NULL when none. */
static const struct route *
failover_find(struct jourd *j, const struct route *r, const char *kind)
{
	int	i;

	for (i = 0; i < j->nroutes; i++)
		if (&j->routes[i] != r && failover_healthy(&j->routes[i]) &&
		    j->routes[i].ops->carries(&j->routes[i], kind))
			return &j->routes[i];
	return NULL;
}

bool
failover_other(struct jourd *j, const struct route *r, const char *kind)
{
	return failover_find(j, r, kind) != NULL;
}

/* r has been unusable for failover_after: the event, and the admins told
 * through another route when there is one. */
static void
failover_tell(struct route *r, jtime_t now)
{
	struct jourd		*j = r->j;
	/* Where the admins are told: another healthy SMS route. */
	const struct route	*via = failover_find(j, r, "admin");
	char			 text[320], detail[192], since[32];
	int			 i;

	jtime_short(r->trouble_since, now, since, sizeof(since));
	snprintf(detail, sizeof(detail), "%s: %s", r->name, r->trouble_why);
	if (db_begin(j->db) == -1)
		return;
	if (event_write(j, 0, now, "route_trouble", "jourd", detail) == -1)
		goto fail;
	if (via != NULL) {
		msg_admin_route_trouble(text, sizeof(text), r->name, since,
		    r->trouble_why, via->name);
		for (i = 0; i < j->cf.nadmins; i++)
			if (outbox_push(j, j->cf.admins[i], text, "admin", 0,
			    now) == -1)
				goto fail;
	}
	if (db_commit(j->db) == -1)
		goto fail;
	r->trouble_told = true;
	log_warnx("route %s in trouble since %s: %s; %s", r->name, since,
	    r->trouble_why, via != NULL ? "admins paged through another route" :
	    "no other route to page the admins through");
	outbox_kick(j);
	return;
fail:
	db_rollback(j->db);
	log_warnx("route %s trouble: could not record it; retrying", r->name);
}

void
failover_tick(struct jourd *j)
{
	jtime_t		 now = jtime_now();
	struct route	*r;
	int		 i;

	for (i = 0; i < j->nroutes; i++) {
		r = &j->routes[i];
		/* A send held too long: the route is failing, and the message
		 * goes where it can go now. */
		if (r->inflight != 0 && !r->inflight_moved &&
		    jtime_mono() - r->inflight_since > r->inflight_limit) {
			failover_send_failed(r, "no answer to a send");
			if (outbox_move_inflight(r, now) == 0)
				r->inflight_moved = true;
		}
		if (r->trouble_since != 0 && !r->trouble_told &&
		    now - r->trouble_since >= j->cf.failover_after)
			failover_tell(r, now);
	}
}
