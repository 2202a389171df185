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

struct route;

/* One message handed to a route's worker (outbox.c reads it). */
struct outbox_msg {
	int64_t		id;
	char		to[PHONE_MAX];		/* a number, or a pager address */
	char		text[SMS_TEXT_MAX];
	char		kind[WORD_MAX];		/* page, reply, …, call, pager */
	int		priority;		/* pager: 1 akut, 3 otherwise */
};

/*
 * What kind of route a route is (DESIGN §8): the few things that differ
 * between a GSM modem and the paging system. Supervision, health and
 * dispatch are the same for all (worker.c, failover.c, outbox.c).
 */
struct route_ops {
	const char	*kind;		/* "modem", "pager" */
	/* Forks the worker: its pid, the parent's end of the channel in *fd. */
	pid_t		(*start)(const struct route *r, int *fd);
	/* Whether the route carries outbox rows of this kind. */
	bool		(*carries)(const struct route *r, const char *kind);
	/* Hands one message to the running worker. */
	void		(*send)(struct route *r, const struct outbox_msg *m);
	/* Its driver and device, for jourctl status and the log. */
	void		(*status)(const struct route *r, char *driver,
			    size_t dsz, char *device, size_t devsz);
	/* Ends the worker at exit: closes its channel and waits for it. */
	void		(*stop)(struct route *r);
};

/*
 * One way out and in (DESIGN §8, §10): a supervised worker process and
 * what jourd knows of it. Every route has at most one message in flight.
 * The modem routes come first, in the order of the file ([modem] is the
 * route "main"), then the paging system's.
 */
struct route {
	struct jourd		*j;
	char			 name[ROUTE_NAME_MAX];
	const struct route_ops	*ops;
	const struct modem_conf	*modem;		/* a modem's section, else NULL */
	const struct pager_conf	*pager;		/* the pager's, else NULL */
	pid_t			 pid;		/* -1 when none is running */
	int			 fd;
	struct event		*ev;
	struct event		*respawn;
	struct event		*pace;		/* rate: the next send may go */
	jtime_t			 respawn_delay;
	enum modem_status	 state;
	int64_t			 inflight;	/* outbox id being sent, 0 = none */
	jtime_t			 inflight_since;	/* monotonic */
	jtime_t			 inflight_limit;	/* held longer, it moves (ms) */
	jtime_t			 inflight_ring;	/* a call rings this long first */
	char			 inflight_kind[WORD_MAX];
	bool			 inflight_moved;	/* resent elsewhere: its
						 * late result is dropped */
	jtime_t			 next_send_at;	/* monotonic, rate pacing */
	jtime_t			 ready_since;	/* monotonic, 0 = not ready */
	jtime_t			 ping_sent;	/* monotonic, 0 = none unanswered */

	/* Health (failover.c): unusable since, told as route_trouble. */
	jtime_t			 trouble_since;	/* wall clock, 0 = healthy */
	bool			 trouble_told;
	char			 trouble_why[128];
	jtime_t			 fail_since;	/* wall: sends failing since */
	jtime_t			 probe_at;	/* monotonic: failing route tried */
};

struct jourd {
	struct config		 cf;
	struct parse_ctx	 pctx;
	struct calendar		 cal;	/* the [closed] dates */
	struct db		*db;
	struct event_base	*base;
	struct event		*due_timer;	/* earliest escalation or retry */
	struct event		*heartbeat;	/* status row, worker watchdog */
	struct event		*daily_timer;	/* coverage, retention (daily.c) */
	struct event		*sig_term, *sig_int, *sig_hup, *sig_chld;

	/* The routes and their workers (worker.c). */
	struct route		 routes[MAX_ROUTES];
	int			 nroutes;
	jtime_t			 started_at;
	struct jtime_watch	 clock;		/* steps of the wall clock */

	/* Outbox writes the database refused, written again (outbox.c):
	 * at most one outcome per route waits. */
	struct event		*outbox_timer;
	struct outbox_outcome {
		struct ipc_send_result	 res;
		char			 route[ROUTE_NAME_MAX];
		jtime_t			 at;	/* when it came */
	}			 outbox_unsettled[MAX_ROUTES];
	int			 outbox_nunsettled;
	jtime_t			 outbox_unsettled_since;	/* monotonic */
	bool			 outbox_requeue;	/* 'sending' rows to requeue */

	/* While an inbound SMS is handled: the route it came in on and its
	 * sender, so that answers go back the way it came (outbox_push). */
	const char		*inbound_route;
	char			 inbound_from[64];

	/* The dummy driver outside the foreground: said at start and hourly. */
	char			 dummy_routes[128];	/* "" = none */
	jtime_t			 dummy_said;	/* monotonic */

	/* The web console's worker (httpd.c); pid 0 when none runs. */
	pid_t			 http_pid;
	int			 http_fd;
	struct event		*http_respawn;
	jtime_t			 http_delay;	/* the next restart's pause */
	jtime_t			 http_started;	/* monotonic */

	/* Modem trouble of the first route (trouble.c). */
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
/* Whether r can take a message now: ready, nothing in flight, its rate
 * allows it. */
bool	worker_idle(const struct route *r);
/* Whether any route can take a message now. */
bool	worker_any_idle(struct jourd *j);
struct route *worker_by_name(struct jourd *j, const char *name);
int	worker_watchdog(struct jourd *j);
void	worker_shutdown(struct jourd *j);

/* clockjump.c */
void	clockjump_init(struct jourd *j);
/* Moves the stored due times of intervals with a step of the wall clock,
 * if there was one: 0, or -1 while a step could not be stored (outside a
 * transaction only; tried again at the next call). */
int	clockjump_check(struct jourd *j);

/* failover.c */
/* Whether r is healthy: ready, and its sends are not failing. */
bool	failover_healthy(const struct route *r);
void	failover_down(struct route *r, const char *why);
void	failover_ready(struct route *r);
void	failover_send_failed(struct route *r, const char *why);
void	failover_sent(struct route *r);
/* Once a heartbeat: trouble that lasted failover_after is told, and a
 * send a route has not answered within it goes elsewhere. */
void	failover_tick(struct jourd *j);
/* "|a|b|": the healthy routes that carry kind, for outbox dispatch. */
void	failover_healthy_names(struct jourd *j, const char *kind, char *buf,
	    size_t sz);
/* Whether a healthy route other than r carries kind. */
bool	failover_other(struct jourd *j, const struct route *r,
	    const char *kind);

/* trouble.c */
/* Stockholm "HH:MM" of t, with the date when it is not now's day. */
void	trouble_resume(struct jourd *j);
void	trouble_start(struct jourd *j, const char *why);
void	trouble_ready(struct jourd *j);
void	trouble_tick(struct jourd *j);
/* 1 when the SIM refused the configured PIN before, 0 when not, -1 when
 * the database could not say (the PIN is then not tried either). */
int	trouble_pin_refused(struct route *r);
void	trouble_pin_wrong(struct route *r);

/* inbound.c */
/* The most SMS stored in one transaction. */
#define INBOUND_BATCH_MAX	32
/* SMS the worker of route r handed over together; r is told which are
 * stored (and may be deleted from its phone) after the COMMIT. */
void	inbound_sms_batch(struct route *r, const struct ipc_sms_in *const *m,
	    int n);
void	inbound_status_report(struct route *r,
	    const struct ipc_status_report *rep);
void	inbound_pager_status(struct route *r,
	    const struct ipc_pager_status *ps);
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

/* daily.c */
/* Runs the daily jobs now and arms their timer: every 24 hours after. */
void	daily_init(struct jourd *j);

/* retention.c */
/* Blanks the texts older than keep_text: the rows blanked, or -1 when the
 * database failed (nothing blanked). */
int64_t	retention_run(struct jourd *j, jtime_t now);

/* httpd.c */
/* Keeps argv: the console's worker is jourd run again in worker mode. */
void	httpd_init(char **argv);
/* In the console's worker (its environment says so): runs it and returns
 * its exit status. -1 in jourd itself. */
int	httpd_worker(const struct config *cf);
/* The users file of [http], read as the worker will: 0, or -1 with
 * "FILE:LINE: …" in err (jourd refuses to start). */
int	httpd_check(const struct config *cf, char *err, size_t errsz);
/* Starts the console's worker when [http] exists. */
void	httpd_start(struct jourd *j);
/* Whether pid was the console's worker; it is restarted after a pause. */
bool	httpd_exited(struct jourd *j, pid_t pid, int status);
void	httpd_stop(struct jourd *j);

/* events.c */
int	event_write(struct jourd *j, int64_t consult, jtime_t ts,
	    const char *type, const char *actor, const char *detail);

/* outbox.c */
int64_t	outbox_push(struct jourd *j, const char *to, const char *text,
	    const char *kind, int64_t consult, jtime_t now);
void	outbox_kick(struct jourd *j);
void	outbox_result(struct route *r, const struct ipc_send_result *res);
/* The message in flight on r goes to another healthy route now; r's late
 * answer for it is dropped. */
int	outbox_move_inflight(struct route *r, jtime_t now);
void	outbox_lost(struct route *r, const char *why);
void	outbox_requeue_inflight(struct jourd *j);
int	outbox_settle(struct jourd *j);
void	outbox_settle_cb(evutil_socket_t fd, short ev, void *arg);
jtime_t	outbox_next_due(struct jourd *j);

#endif
