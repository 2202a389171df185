/*
 * jourd.h — the daemon: one libevent loop over the database and the modem
 * worker. Prototypes of the daemon-only files, grouped by file.
 */
#ifndef JOURD_JOURD_H
#define JOURD_JOURD_H

#include <sys/types.h>

#include <event2/event.h>

#include "common.h"
#include "config.h"
#include "db.h"
#include "calendar.h"
#include "esc.h"
#include "ipc.h"
#include "jtime.h"
#include "parse.h"

struct jourd;

/*
 * One way out and in (DESIGN §8, §10): a supervised worker process and
 * what jourd knows of it. Every route has at most one message in flight.
 * So far the only kind is a GSM modem, and [modem] is the route "main".
 */
struct route {
	struct jourd		*j;
	char			 name[ROUTE_NAME_MAX];
	const struct modem_conf	*modem;		/* its configuration section */
	pid_t			 pid;		/* -1 when none is running */
	int			 fd;
	struct event		*ev;
	struct event		*respawn;
	jtime_t			 respawn_delay;
	enum modem_status	 state;
	int64_t			 inflight;	/* outbox id being sent, 0 = none */
	jtime_t			 inflight_since;	/* monotonic */
	jtime_t			 ready_since;	/* monotonic, 0 = not ready */
	jtime_t			 ping_sent;	/* monotonic, 0 = none unanswered */
};

struct jourd {
	struct config		 cf;
	struct parse_ctx	 pctx;
	struct calendar		 cal;	/* the [closed] dates */
	struct db		*db;
	struct event_base	*base;
	struct event		*due_timer;	/* earliest escalation or retry */
	struct event		*heartbeat;	/* status row, worker watchdog */
	struct event		*sig_term, *sig_int, *sig_hup, *sig_chld;

	/* The routes and their workers (worker.c). */
	struct route		 routes[MAX_ROUTES];
	int			 nroutes;
	jtime_t			 started_at;
	struct jtime_watch	 clock;		/* steps of the wall clock */

	/* Outbox writes the database refused, written again (outbox.c). */
	struct event		*outbox_timer;
	struct ipc_send_result	 outbox_result;	/* the last attempt's outcome */
	jtime_t			 outbox_result_at;	/* when it came */
	bool			 outbox_unsettled;	/* not stored yet */
	jtime_t			 outbox_unsettled_since;	/* monotonic */
	bool			 outbox_requeue;	/* 'sending' rows to requeue */

	/* Modem trouble (trouble.c). */
	jtime_t			 trouble_since;	/* wall clock, 0 = none */
	bool			 trouble_alarm;	/* the incident was recorded */
	char			 trouble_why[128];
};

/* jourd.c */
void	jourd_rearm(struct jourd *j);
void	jourd_set_status(struct jourd *j, const char *key, const char *value);
void	jourd_beat(struct jourd *j);
struct timeval jourd_tv(jtime_t ms);

/* worker.c */
void	worker_init(struct jourd *j);
void	worker_start(struct route *r);
void	worker_start_all(struct jourd *j);
void	worker_send(struct route *r, enum ipc_type type, const void *p,
	    size_t len);
void	worker_lost(struct route *r, const char *why);
struct route *worker_by_pid(struct jourd *j, pid_t pid);
/* The first route, in the order of the file, that is ready and has nothing
 * in flight: where the next queued message goes. NULL when none. */
struct route *worker_idle(struct jourd *j);
int	worker_watchdog(struct jourd *j);
void	worker_shutdown(struct jourd *j);

/* clockjump.c */
void	clockjump_init(struct jourd *j);
/* Moves the stored due times of intervals with a step of the wall clock,
 * if there was one: 0, or -1 while a step could not be stored (outside a
 * transaction only; tried again at the next call). */
int	clockjump_check(struct jourd *j);

/* trouble.c */
void	trouble_resume(struct jourd *j);
void	trouble_start(struct jourd *j, const char *why);
void	trouble_ready(struct jourd *j);
void	trouble_tick(struct jourd *j);
/* 1 when the SIM refused the configured PIN before, 0 when not, -1 when
 * the database could not say (the PIN is then not tried either). */
int	trouble_pin_refused(struct jourd *j);
void	trouble_pin_wrong(struct jourd *j);

/* inbound.c */
/* The most SMS stored in one transaction. */
#define INBOUND_BATCH_MAX	32
/* SMS the worker of route r handed over together; r is told which are
 * stored (and may be deleted from its phone) after the COMMIT. */
void	inbound_sms_batch(struct route *r, const struct ipc_sms_in *const *m,
	    int n);
void	inbound_status_report(struct jourd *j, const struct ipc_status_report *r);
void	inbound_dedup_key(const struct ipc_sms_in *m, const char *sender,
	    const char *stored_text, char *out, size_t sz);

/* consult.c */
/* A new consult from an inbound request, committed with its first page
 * or its queueing; routed_from is the closed health centre a PV request
 * was sent on from to the track's after_hours unit (units[0]), else "". */
int64_t	consult_create_routed(struct jourd *j, int track,
	    const char *requester, const char *callback, const char *text,
	    int64_t inbox_id, const char units[][UNIT_MAX], int nunits,
	    jtime_t now, jtime_t start_at, const char *routed_from);
int	consult_input(struct jourd *j, int64_t id, const struct esc_input *in,
	    jtime_t now);
int	consult_due(struct jourd *j, jtime_t now);
jtime_t	consult_next_due(struct jourd *j);
/* 1 with the holder's phone, 0 when nobody is on call, -1 on a read error. */
int	consult_oncall(struct jourd *j, const char *unit, const char *role,
	    jtime_t now, char phone[PHONE_MAX]);
int	consult_repage_role(struct jourd *j, const char *unit,
	    const char *role, const char *phone, jtime_t now);
int	consult_reply(struct jourd *j, const char *to, const char *text,
	    const char *kind, int64_t consult, jtime_t now);

/* events.c */
int	event_write(struct jourd *j, int64_t consult, jtime_t ts,
	    const char *type, const char *actor, const char *detail);

/* outbox.c */
int64_t	outbox_push(struct jourd *j, const char *to, const char *text,
	    const char *kind, int64_t consult, jtime_t now);
void	outbox_kick(struct jourd *j);
void	outbox_result(struct route *r, const struct ipc_send_result *res);
void	outbox_lost(struct route *r, const char *why);
void	outbox_requeue_inflight(struct jourd *j);
int	outbox_settle(struct jourd *j);
void	outbox_settle_cb(evutil_socket_t fd, short ev, void *arg);
jtime_t	outbox_next_due(struct jourd *j);

#endif
