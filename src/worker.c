/*
 * worker.c — the routes' workers: start one per route, read what it writes,
 * send it work, watch that it answers, and replace it after a growing pause
 * when it dies, hangs or talks nonsense. A worker (modem.c, pager.c) owns
 * its device; nothing it sends is trusted past ipc.c's checks.
 *
 * The routes are the [modem] sections in the order of the file, then the
 * paging system. What differs between them is in their struct route_ops;
 * their health is failover.c's. The first route also keeps the status rows
 * "modem…" and the incident of trouble.c it had before there were routes.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "jourd.h"
#include "jtime.h"
#include "log.h"
#include "modem.h"
#include "pager.h"
#include "text.h"

#define RESPAWN_MIN		(1 * JT_SECOND)
#define RESPAWN_MAX		(60 * JT_SECOND)

static const char *const worker_state_names[] = {
	"connecting", "ready", "failed", "pin_wrong"
};

void
worker_send(struct route *r, enum ipc_type type, const void *p, size_t len)
{
	if (r->pid == -1)
		return;
	if (ipc_send(r->fd, type, p, len) == -1)
		log_warn("route %s: send to its worker", r->name);
}

/*
 * One status row of route r for jourctl: "route:NAME:FIELD"; the route
 * main also keeps the rows "modem…" it had before there were routes.
 */
static void
worker_status(struct route *r, const char *field, const char *value)
{
	char	key[64];

	snprintf(key, sizeof(key), "route:%s:%s", r->name, field);
	jourd_set_status(r->j, key, value);
	if (strcmp(r->name, ROUTE_MAIN) != 0)
		return;
	if (strcmp(field, "state") == 0)
		snprintf(key, sizeof(key), "modem");
	else
		snprintf(key, sizeof(key), "modem_%s", field);
	jourd_set_status(r->j, key, value);
}

/* The route is down (its worker stopped or lost) as of now. */
static void
worker_status_down(struct route *r)
{
	char	since[32];

	snprintf(since, sizeof(since), "%lld", (long long)jtime_now());
	worker_status(r, "since", since);
	worker_status(r, "state", "down");
}

/* Sets the route's state and the status rows jourctl reads. */
static void
worker_set_state(struct route *r, enum modem_status state, const char *detail)
{
	char	since[32];

	if (state != r->state || state != MODEM_READY) {
		snprintf(since, sizeof(since), "%lld", (long long)jtime_now());
		worker_status(r, "since", since);
	}
	r->state = state;
	worker_status(r, "state", worker_state_names[state]);
	if (detail != NULL)
		worker_status(r, "detail", detail);
}

static void
worker_modem_state(struct route *r, const struct ipc_modem_state *s)
{
	struct jourd	*j = r->j;
	bool		 first = r == &j->routes[0];

	if (s->status != (uint32_t)r->state)
		log_info("route %s: %s%s%s", r->name,
		    worker_state_names[s->status], s->detail[0] ? ": " : "",
		    s->detail);
	if (s->status == MODEM_PIN_WRONG && r->modem != NULL)
		trouble_pin_wrong(r);
	/* The state first: health is read from it. */
	worker_set_state(r, s->status, s->detail);
	if (s->status == MODEM_READY) {
		if (first)
			trouble_ready(j);
		failover_ready(r);
	} else {
		if (first)
			trouble_start(j, s->detail[0] ? s->detail :
			    worker_state_names[s->status]);
		failover_down(r, s->detail[0] ? s->detail :
		    worker_state_names[s->status]);
	}
	if (r->state == MODEM_READY && r->ready_since == 0)
		r->ready_since = jtime_mono();
	outbox_kick(j);
	jourd_rearm(j);
}

static void
worker_stop(struct route *r, const char *why)
{
	if (r->ev != NULL) {
		event_free(r->ev);
		r->ev = NULL;
	}
	if (r->fd != -1)
		close(r->fd);
	r->fd = -1;
	if (r->pid != -1)
		kill(r->pid, SIGKILL);
	r->pid = -1;
	r->state = MODEM_CONNECTING;
	r->ready_since = 0;
	r->ping_sent = 0;
	outbox_lost(r, why);
	worker_status_down(r);
	if (r == &r->j->routes[0])
		trouble_start(r->j, why);
	failover_down(r, why);
}

/* The worker is gone or broken: start another one after a growing pause. */
void
worker_lost(struct route *r, const char *why)
{
	struct timeval	tv;

	log_warnx("%s worker: %s; route %s restarts in %llds", r->ops->kind,
	    why, r->name, (long long)(r->respawn_delay / JT_SECOND));
	worker_stop(r, why);
	tv = jourd_tv(r->respawn_delay);
	evtimer_add(r->respawn, &tv);
	r->respawn_delay *= 2;
	if (r->respawn_delay > RESPAWN_MAX)
		r->respawn_delay = RESPAWN_MAX;
}

/*
 * Everything the worker has written, as fast as it comes: SMS handed over
 * together (a sweep that found several) are stored in one transaction.
 */
static void
worker_cb(evutil_socket_t fd, short ev, void *arg)
{
	static struct ipc_sms_in	 sms[INBOUND_BATCH_MAX];
	static union {
		struct ipc_send_result	 result;
		struct ipc_modem_state	 state;
		struct ipc_status_report report;
		struct ipc_pager_status	 pager;
		struct ipc_token	 token;
		char			 raw[IPC_MAX_PAYLOAD];
	}			 buf;
	const struct ipc_sms_in	*batch[INBOUND_BATCH_MAX];
	struct route		*r = arg;
	struct ipc_hdr		 hdr;
	const char		*lost = NULL;
	int			 rc, n = 0, i;

	/* What the worker hands over is stored with now in the new clock's
	 * terms: the due times stored before a step follow it first. */
	clockjump_check(r->j);
	while (n < INBOUND_BATCH_MAX && lost == NULL) {
		rc = ipc_recv(fd, &hdr, &sms[n]);
		if (rc == 0) {
			lost = "exited";
			break;
		}
		if (rc == -1) {
			if (errno != EAGAIN && errno != EINTR)
				lost = errno == EBADMSG ? "sent a bad message" :
				    strerror(errno);
			break;
		}
		switch (hdr.type) {
		case IPC_SMS_IN:
			if (r->modem == NULL) {
				lost = "sent an SMS";
				break;
			}
			n++;
			continue;
		case IPC_MODEM_STATE:
			memcpy(&buf.state, &sms[n], sizeof(buf.state));
			worker_modem_state(r, &buf.state);
			break;
		case IPC_SEND_RESULT:
			memcpy(&buf.result, &sms[n], sizeof(buf.result));
			outbox_result(r, &buf.result);
			break;
		case IPC_STATUS_REPORT:
			memcpy(&buf.report, &sms[n], sizeof(buf.report));
			inbound_status_report(r, &buf.report);
			break;
		case IPC_PAGER_STATUS:
			if (r->pager == NULL) {
				lost = "sent a pager status";
				break;
			}
			memcpy(&buf.pager, &sms[n], sizeof(buf.pager));
			inbound_pager_status(r, &buf.pager);
			break;
		case IPC_PONG:
			r->ping_sent = 0;
			break;
		default:
			lost = "sent an unexpected message";
			break;
		}
	}
	/* Stored even when the worker is gone: a new one reads them again
	 * and finds them committed. */
	for (i = 0; i < n; i++)
		batch[i] = &sms[i];
	if (n > 0)
		inbound_sms_batch(r, batch, n);
	if (lost != NULL)
		worker_lost(r, lost);
}

void
worker_start(struct route *r)
{
	struct jourd	*j = r->j;
	char		 driver[16], device[PATH_MAX];
	int		 fd, refused = 0;
	pid_t		 pid;

	/* Unknown is not "no": three wrong PINs lock the SIM for good. */
	if (r->modem != NULL && (refused = trouble_pin_refused(r)) == -1) {
		worker_lost(r, "the database could not say whether the "
		    "SIM refused this PIN");
		return;
	}
	if (r->modem != NULL && refused) {
		/* Entering it again could lock the SIM: wait for a new PIN. */
		log_warnx("route %s: the SIM refused this PIN before; set "
		    "its pin and restart jourd", r->name);
		worker_set_state(r, MODEM_PIN_WRONG, "the SIM refused this PIN "
		    "before; not entered again");
		if (r == &j->routes[0])
			trouble_start(j, "wrong SIM PIN");
		failover_down(r, "wrong SIM PIN");
		return;
	}
	if ((pid = r->ops->start(r, &fd)) == -1) {
		worker_lost(r, "could not start");
		return;
	}
	r->pid = pid;
	r->fd = fd;
	r->ping_sent = 0;
	r->state = MODEM_CONNECTING;
	evutil_make_socket_nonblocking(fd);
	r->ev = event_new(j->base, fd, EV_READ | EV_PERSIST, worker_cb, r);
	event_add(r->ev, NULL);
	worker_status(r, "state", "connecting");
	r->ops->status(r, driver, sizeof(driver), device, sizeof(device));
	log_info("%s worker %d started for route %s (%s %s)", r->ops->kind,
	    (int)pid, r->name, driver, device);
}

static void
worker_respawn_cb(evutil_socket_t fd, short ev, void *arg)
{
	worker_start(arg);
}

/* The pacing timer: the route may take its next message. */
static void
worker_pace_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct route	*r = arg;

	outbox_kick(r->j);
	jourd_rearm(r->j);
}

static pid_t
worker_modem_start(const struct route *r, int *fd)
{
	return modem_spawn(r->modem, fd);
}

static bool
worker_modem_carries(const struct route *r, const char *kind)
{
	if (strcmp(kind, "call") == 0)
		return r->modem->calls;
	return strcmp(kind, "pager") != 0;
}

static void
worker_modem_send(struct route *r, const struct outbox_msg *m)
{
	static struct ipc_send	msg;
	struct ipc_call		call;

	if (strcmp(m->kind, "call") == 0) {
		memset(&call, 0, sizeof(call));
		call.outbox_id = m->id;
		text_copy(call.to, sizeof(call.to), m->to);
		call.ring_ms = r->j->cf.call_ring;
		worker_send(r, IPC_CALL, &call, sizeof(call));
		return;
	}
	memset(&msg, 0, sizeof(msg));
	msg.outbox_id = m->id;
	text_copy(msg.to, sizeof(msg.to), m->to);
	text_copy(msg.text, sizeof(msg.text), m->text);
	worker_send(r, IPC_SEND, &msg, sizeof(msg));
}

static void
worker_modem_status(const struct route *r, char *driver, size_t dsz,
    char *device, size_t devsz)
{
	text_copy(driver, dsz, r->modem->driver == DRIVER_AT ? "at" : "dummy");
	text_copy(device, devsz, r->modem->device);
}

/* Closes the worker's channel (it exits on EOF), nudges it, waits. */
static void
worker_plain_stop(struct route *r)
{
	close(r->fd);
	kill(r->pid, SIGTERM);
	waitpid(r->pid, NULL, 0);
}

static const struct route_ops worker_modem_ops = {
	.kind = "modem",
	.start = worker_modem_start,
	.carries = worker_modem_carries,
	.send = worker_modem_send,
	.status = worker_modem_status,
	.stop = worker_plain_stop,
};

static pid_t
worker_pager_start(const struct route *r, int *fd)
{
	return pager_spawn(r->pager, fd);
}

static bool
worker_pager_carries(const struct route *r, const char *kind)
{
	return strcmp(kind, "pager") == 0;
}

static void
worker_pager_send(struct route *r, const struct outbox_msg *m)
{
	static struct ipc_page	page;

	memset(&page, 0, sizeof(page));
	page.outbox_id = m->id;
	text_copy(page.address, sizeof(page.address), m->to);
	page.priority = m->priority;
	/* The worker cuts it to 128 characters in its charset. */
	text_copy(page.text, sizeof(page.text), m->text);
	worker_send(r, IPC_PAGE, &page, sizeof(page));
}

static void
worker_pager_status(const struct route *r, char *driver, size_t dsz,
    char *device, size_t devsz)
{
	text_copy(driver, dsz, "espa");
	text_copy(device, devsz, r->pager->device);
}

static const struct route_ops worker_pager_ops = {
	.kind = "pager",
	.start = worker_pager_start,
	.carries = worker_pager_carries,
	.send = worker_pager_send,
	.status = worker_pager_status,
	.stop = worker_plain_stop,
};

static struct route *
worker_add(struct jourd *j, const char *name, const struct route_ops *ops)
{
	struct route	*r = &j->routes[j->nroutes++];

	r->j = j;
	text_copy(r->name, sizeof(r->name), name);
	r->ops = ops;
	r->pid = -1;
	r->fd = -1;
	r->respawn_delay = RESPAWN_MIN;
	r->state = MODEM_CONNECTING;
	r->respawn = evtimer_new(j->base, worker_respawn_cb, r);
	r->pace = evtimer_new(j->base, worker_pace_cb, r);
	return r;
}

/* The routes of the configuration, none started; their timers on the
 * daemon's base. */
void
worker_init(struct jourd *j)
{
	int	k;

	memset(j->routes, 0, sizeof(j->routes));
	j->nroutes = 0;
	for (k = 0; k < j->cf.nmodems; k++)
		worker_add(j, j->cf.modems[k].name,
		    &worker_modem_ops)->modem = &j->cf.modems[k];
	if (j->cf.pager.enabled)
		worker_add(j, ROUTE_PAGER, &worker_pager_ops)->pager =
		    &j->cf.pager;
}

void
worker_start_all(struct jourd *j)
{
	int	i;

	for (i = 0; i < j->nroutes; i++)
		worker_start(&j->routes[i]);
}

struct route *
worker_by_pid(struct jourd *j, pid_t pid)
{
	int	i;

	for (i = 0; i < j->nroutes; i++)
		if (j->routes[i].pid == pid)
			return &j->routes[i];
	return NULL;
}

struct route *
worker_by_name(struct jourd *j, const char *name)
{
	int	i;

	for (i = 0; i < j->nroutes; i++)
		if (strcmp(j->routes[i].name, name) == 0)
			return &j->routes[i];
	return NULL;
}

bool
worker_idle(const struct route *r)
{
	return r->pid != -1 && r->state == MODEM_READY && r->inflight == 0 &&
	    jtime_mono() >= r->next_send_at;
}

bool
worker_any_idle(struct jourd *j)
{
	int	i;

	for (i = 0; i < j->nroutes; i++)
		if (worker_idle(&j->routes[i]))
			return true;
	return false;
}

/* How long the worker may take to answer anything. */
static jtime_t
worker_reply_timeout(const struct route *r)
{
	if (r->modem != NULL)
		return r->modem->reply_timeout;
	/* The paging system's worker: a poll under way, then 3 tries. */
	return PAGER_ANSWER_TIMEOUTS * r->pager->reply_timeout +
	    10 * JT_SECOND;
}

/*
 * One route's part of the heartbeat: a send the worker has not answered
 * within reply_timeout, or a ping it has not answered, means it is hung and
 * is replaced (-1); otherwise a ping goes out when none is pending (0).
 */
static int
worker_watch(struct route *r)
{
	if (r->inflight != 0 && jtime_mono() - r->inflight_since >
	    r->inflight_ring + worker_reply_timeout(r)) {
		worker_lost(r, "no answer to a send");
		return -1;
	}
	if (r->pid != -1) {
		if (r->ping_sent != 0 && jtime_mono() - r->ping_sent >
		    worker_reply_timeout(r)) {
			worker_lost(r, "does not answer");
			return -1;
		}
		if (r->ping_sent == 0) {
			struct ipc_token t = { .token = (uint32_t)jtime_mono() };

			r->ping_sent = jtime_mono();
			worker_send(r, IPC_PING, &t, sizeof(t));
		}
	}
	/* Only a worker that stays up a while earns a quick restart again. */
	if (r->ready_since != 0 && jtime_mono() - r->ready_since > RESPAWN_MAX)
		r->respawn_delay = RESPAWN_MIN;
	return 0;
}

/* The heartbeat's check of every route: -1 when one was replaced. */
int
worker_watchdog(struct jourd *j)
{
	int	i, rc = 0;

	for (i = 0; i < j->nroutes; i++)
		if (worker_watch(&j->routes[i]) == -1)
			rc = -1;
	return rc;
}

/* At exit: every worker is told to stop (its channel closes) and waited
 * for. */
void
worker_shutdown(struct jourd *j)
{
	struct route	*r;
	int		 i;

	for (i = 0; i < j->nroutes; i++) {
		r = &j->routes[i];
		if (r->pid != -1)
			r->ops->stop(r);
		event_free(r->respawn);
		event_free(r->pace);
		if (r->ev != NULL)
			event_free(r->ev);
		worker_status_down(r);
	}
}
