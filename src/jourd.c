/*
 * jourd.c — the clinical paging gateway daemon.
 *
 * One libevent loop owns the database. The modem worker (modem.c) is a
 * child process; its messages arrive on a socket. One timer is armed for the
 * earliest stored due time — an escalation step or an outbox retry — and
 * drains everything due when it fires. After a restart that same timer
 * fires at once for whatever fell due while jourd was down. While jourd
 * runs, intervals follow the monotonic clock: every callback first looks
 * whether the wall clock was stepped and, if so, moves the stored due
 * times with it (clockjump.c) before it reads or writes one.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "jourd.h"
#include "jtime.h"
#include "log.h"
#include "modem.h"
#include "store.h"
#include "text.h"

#define HEARTBEAT_INTERVAL	(5 * JT_SECOND)

static const char sql_status[] =
    "INSERT INTO status (key, value, updated_at) VALUES (?, ?, ?)"
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
    " updated_at = excluded.updated_at";

/* The usage: on stdout with exit 0 when asked for (-h), else an error. */
static _Noreturn void
usage(int code)
{
	fprintf(code == 0 ? stdout : stderr, "usage: jourd [-dhnvK] [-c file]\n"
	    "  -c file  configuration (default /etc/jourd/jourd.conf)\n"
	    "  -d       stay in the foreground and log to stderr\n"
	    "  -h       print this help and exit\n"
	    "  -n       check the configuration and exit\n"
	    "  -v       log more (debug)\n"
	    "  -K       print every configuration key with its default\n");
	exit(code);
}

struct timeval
jourd_tv(jtime_t ms)
{
	struct timeval	tv;

	if (ms < 0)
		ms = 0;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	return tv;
}

void
jourd_set_status(struct jourd *j, const char *key, const char *value)
{
	sqlite3_stmt	*st;

	/* A status row waits out the database's pause; it is written again. */
	if (!db_may_write(j->db) || (st = db_stmt(j->db, sql_status)) == NULL)
		return;
	db_bind_text(st, 1, key);
	db_bind_text(st, 2, value);
	sqlite3_bind_int64(st, 3, jtime_now());
	db_done(j->db, st);
}

/*
 * The heartbeat jourctl status reads: the wall-clock time for people, and
 * the monotonic time (its row's updated_at is the wall clock at the same
 * moment), by which jourctl judges freshness whatever the wall clock did.
 */
void
jourd_beat(struct jourd *j)
{
	char	wall[32], mono[32];
	bool	own;

	snprintf(wall, sizeof(wall), "%lld", (long long)jtime_now());
	snprintf(mono, sizeof(mono), "%lld", (long long)jtime_mono());
	/* One transaction, so that jourctl never reads one without the other. */
	own = sqlite3_get_autocommit(db_handle(j->db)) && db_may_write(j->db) &&
	    db_begin(j->db) == 0;
	jourd_set_status(j, "heartbeat", wall);
	jourd_set_status(j, "heartbeat_mono", mono);
	if (own && db_commit(j->db) == -1)
		db_rollback(j->db);
}

/*
 * Arms the one timer for the earliest escalation step or outbox retry.
 * libevent counts the wait on the monotonic clock; the due times it is
 * taken from have followed any step of the wall clock first.
 */
void
jourd_rearm(struct jourd *j)
{
	jtime_t		due, retry, now;
	struct timeval	tv;

	clockjump_check(j);
	now = jtime_now();
	due = consult_next_due(j);
	if (worker_any_idle(j)) {
		retry = outbox_next_due(j);
		if (retry != 0 && (due == 0 || retry < due))
			due = retry;
	}
	evtimer_del(j->due_timer);
	if (due == 0)
		return;
	tv = jourd_tv(due - now);
	evtimer_add(j->due_timer, &tv);
}

static void
jourd_due_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct jourd	*j = arg;
	int		 fired = -1;

	/* Due times not yet moved with a step of the wall clock would fire
	 * early or late: nothing steps until they have. */
	if (clockjump_check(j) == 0 &&
	    (fired = consult_due(j, jtime_now())) > 0)
		log_debug("timer: %d consult(s) stepped", fired);
	else if (fired == -1) {
		/* Storage trouble: try again after the database's pause. */
		struct timeval tv = jourd_tv(db_retry_in(j->db) > 0 ?
		    db_retry_in(j->db) : JT_SECOND);

		evtimer_add(j->due_timer, &tv);
		return;
	}
	outbox_kick(j);
	jourd_rearm(j);
}

/*
 * Every few seconds: a step of the wall clock that no other callback has
 * seen yet, the status rows jourctl reads, and the worker watchdog.
 */
/*
 * A gateway whose modem is Gammu's dummy phone pages into a directory: run
 * as a service (not in the foreground, as the demo and the tests run it),
 * that must not look healthy. Said at start and every hour, and kept in a
 * status row that jourctl status shows and status --check warns of.
 */
static void	jourd_dummy_say(struct jourd *);

static void
jourd_dummy_check(struct jourd *j, int foreground)
{
	size_t	n = 0;
	int	k;

	j->dummy_routes[0] = '\0';
	for (k = 0; k < j->cf.nmodems && !foreground; k++)
		if (j->cf.modems[k].driver == DRIVER_DUMMY &&
		    n < sizeof(j->dummy_routes))
			n += (size_t)snprintf(j->dummy_routes + n,
			    sizeof(j->dummy_routes) - n, "%s%s", n > 0 ? " " : "",
			    j->cf.modems[k].name);
	jourd_set_status(j, "dummy_routes", j->dummy_routes);
	jourd_dummy_say(j);
}

static void
jourd_dummy_say(struct jourd *j)
{
	if (j->dummy_routes[0] == '\0')
		return;
	j->dummy_said = jtime_mono();
	log_warnx("route(s) %s use driver = dummy: SMS go into a directory and "
	    "nobody is paged; set driver = at for a real modem",
	    j->dummy_routes);
}

static void
jourd_heartbeat_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct jourd	*j = arg;

	if (j->dummy_routes[0] != '\0' && jtime_mono() - j->dummy_said >=
	    JT_HOUR)
		jourd_dummy_say(j);
	clockjump_check(j);
	jourd_beat(j);
	if (worker_watchdog(j) == -1)
		return;
	if (j->routes[0].state == MODEM_READY && j->trouble_since != 0)
		trouble_ready(j);
	trouble_tick(j);
	failover_tick(j);
	/* A failing route's next try, a route freed without a word. */
	outbox_kick(j);
	sd_notify(0, "WATCHDOG=1");
	/* A step the heartbeat moved the due times for needs a new wait. */
	jourd_rearm(j);
}

/* How a child ended, for the log: a sandboxed worker's SIGSYS must show. */
static void
jourd_child_status(int status, char *buf, size_t bufsz)
{
	const char	*name;

	if (WIFSIGNALED(status)) {
		name = sigabbrev_np(WTERMSIG(status));
		snprintf(buf, bufsz, "died (killed by SIG%s)",
		    name != NULL ? name : "?");
	} else if (WIFEXITED(status))
		snprintf(buf, bufsz, "died (exit status %d)",
		    WEXITSTATUS(status));
	else
		snprintf(buf, bufsz, "died");
}

static void
jourd_signal_cb(evutil_socket_t sig, short ev, void *arg)
{
	struct jourd	*j = arg;
	char		 err[512], how[64];
	struct config	 cf;
	int		 status;
	pid_t		 pid;
	struct route	*r;

	switch (sig) {
	case SIGTERM:
	case SIGINT:
		log_info("stopping on signal %d", (int)sig);
		sd_notify(0, "STOPPING=1");
		event_base_loopbreak(j->base);
		break;
	case SIGHUP:
		if (config_load(j->cf.path, &cf, err, sizeof(err)) == -1) {
			log_warnx("reload refused, keeping the running "
			    "configuration: %s", err);
			break;
		}
		/* The routes' workers hold pointers into j->cf.modems. */
		if (strcmp(cf.database, j->cf.database) != 0 ||
		    cf.nmodems != j->cf.nmodems ||
		    memcmp(cf.modems, j->cf.modems, sizeof(cf.modems)) != 0 ||
		    memcmp(&cf.pager, &j->cf.pager, sizeof(cf.pager)) != 0)
			log_warnx("reload: [daemon] database, [modem] and "
			    "[pager] take effect only after a restart");
		text_copy(cf.database, sizeof(cf.database), j->cf.database);
		memcpy(cf.modems, j->cf.modems, sizeof(cf.modems));
		cf.nmodems = j->cf.nmodems;
		cf.pager = j->cf.pager;
		j->cf = cf;
		parse_ctx_from_config(&j->cf, &j->pctx);
		calendar_from_config(&j->cal, &j->cf);
		if (store_outcomes(j->db, &j->cf) == -1)
			log_warnx("reload: the outcome codes were not stored");
		log_info("configuration reloaded from %s", j->cf.path);
		jourd_rearm(j);
		break;
	case SIGCHLD:
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			jourd_child_status(status, how, sizeof(how));
			if ((r = worker_by_pid(j, pid)) != NULL)
				worker_lost(r, how);
			else if (!httpd_exited(j, pid, status))
				/* already replaced: its socket closed first */
				log_info("worker %ld %s", (long)pid, how);
		}
		break;
	}
}

int
main(int argc, char *argv[])
{
	static struct jourd	 jd;
	struct jourd		*j = &jd;
	const char		*path = "/etc/jourd/jourd.conf";
	char			 err[1024], pid[32];
	int			 ch, foreground = 0, check = 0, verbose = 0;

	httpd_init(argv);
	while ((ch = getopt(argc, argv, "c:dhnvK")) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'd':
			foreground = 1;
			break;
		case 'n':
			check = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'K':
			config_print_reference();
			return 0;
		case 'h':
			usage(0);
		default:
			usage(2);
		}
	}
	if (optind != argc)
		usage(2);

	if (!jtime_zone()) {
		fprintf(stderr, "jourd: the time zone Europe/Stockholm cannot "
		    "be loaded (install tzdata, or check TZDIR): opening hours "
		    "and rosters would be read in UTC\n");
		return 1;
	}
	log_init("jourd", foreground || check, verbose);
	if (config_load(path, &j->cf, err, sizeof(err)) == -1) {
		fprintf(stderr, "jourd: %s\n", err);
		return 1;
	}
	if ((ch = httpd_worker(&j->cf)) != -1)
		return ch;
	if (httpd_check(&j->cf, err, sizeof(err)) == -1) {
		fprintf(stderr, "jourd: [http] users: %s\n", err);
		return 1;
	}
	if (check) {
		printf("jourd: configuration %s OK\n", path);
		return 0;
	}
	parse_ctx_from_config(&j->cf, &j->pctx);
	calendar_from_config(&j->cal, &j->cf);
	signal(SIGPIPE, SIG_IGN);

	/* Two daemons on one database would page everyone twice and fight
	 * over the phone: the second one is refused here, whatever name of the
	 * file it was given, before any migration. The lock dies with us. */
	if ((j->db = db_open_daemon(j->cf.database, err, sizeof(err))) == NULL)
		fatalx("database %s", err);
	/* The codes the database lets consults.outcome hold. */
	if (store_outcomes(j->db, &j->cf) == -1)
		log_warnx("the outcome codes were not stored");
	j->started_at = jtime_now();
	clockjump_init(j);

	if ((j->base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	j->due_timer = evtimer_new(j->base, jourd_due_cb, j);
	worker_init(j);
	j->outbox_timer = evtimer_new(j->base, outbox_settle_cb, j);
	j->heartbeat = event_new(j->base, -1, EV_PERSIST, jourd_heartbeat_cb, j);
	j->sig_term = evsignal_new(j->base, SIGTERM, jourd_signal_cb, j);
	j->sig_int = evsignal_new(j->base, SIGINT, jourd_signal_cb, j);
	j->sig_hup = evsignal_new(j->base, SIGHUP, jourd_signal_cb, j);
	j->sig_chld = evsignal_new(j->base, SIGCHLD, jourd_signal_cb, j);
	evsignal_add(j->sig_term, NULL);
	evsignal_add(j->sig_int, NULL);
	evsignal_add(j->sig_hup, NULL);
	evsignal_add(j->sig_chld, NULL);
	{
		struct timeval tv = jourd_tv(HEARTBEAT_INTERVAL);

		event_add(j->heartbeat, &tv);
	}

	/* Whatever was being sent when jourd stopped is sent again. */
	outbox_requeue_inflight(j);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	jourd_set_status(j, "pid", pid);
	snprintf(pid, sizeof(pid), "%lld", (long long)j->started_at);
	jourd_set_status(j, "started_at", pid);
	jourd_beat(j);

	trouble_resume(j);
	jourd_dummy_check(j, foreground);
	worker_start_all(j);
	httpd_start(j);
	/* Escalations that fell due while jourd was down fire now. */
	jourd_due_cb(-1, 0, j);
	/* The roster's gaps ahead and old texts: now, then once a day. */
	daily_init(j);
	log_info("jourd ready: database %s, %d track(s) on", j->cf.database,
	    j->cf.tracks[0].enabled + j->cf.tracks[1].enabled +
	    j->cf.tracks[2].enabled + j->cf.tracks[3].enabled);
	sd_notify(0, "READY=1");

	event_base_dispatch(j->base);

	/* An outcome still waiting to be stored: one last try, since a 'sent'
	 * left as 'sending' is sent again after the restart. */
	outbox_settle(j);
	jourd_set_status(j, "heartbeat", "0");
	jourd_set_status(j, "heartbeat_mono", "0");
	httpd_stop(j);
	worker_shutdown(j);
	event_free(j->due_timer);
	event_free(j->outbox_timer);
	event_free(j->heartbeat);
	event_free(j->daily_timer);
	event_free(j->sig_term);
	event_free(j->sig_int);
	event_free(j->sig_hup);
	event_free(j->sig_chld);
	event_base_free(j->base);
	db_close(j->db);
	return 0;
}
