/*
 * worker.c — supervision of the modem worker: start it, read what it
 * writes, send it work, watch that it answers, and replace it after a
 * growing pause when it dies, hangs or talks nonsense. The worker itself
 * (modem.c) owns libGammu; nothing it sends is trusted past ipc.c's checks.
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

#define RESPAWN_MIN		(1 * JT_SECOND)
#define RESPAWN_MAX		(60 * JT_SECOND)

void
worker_send(struct jourd *j, enum ipc_type type, const void *p, size_t len)
{
	if (j->worker_pid == -1)
		return;
	if (ipc_send(j->worker_fd, type, p, len) == -1)
		log_warn("modem worker: send");
}

static void
worker_modem_state(struct jourd *j, const struct ipc_modem_state *s)
{
	static const char *names[] = { "connecting", "ready", "failed",
	    "pin_wrong" };
	char	since[32];

	if (s->status != (uint32_t)j->modem)
		log_info("modem: %s%s%s", names[s->status], s->detail[0] ?
		    ": " : "", s->detail);
	if (s->status == MODEM_PIN_WRONG)
		trouble_pin_wrong(j);
	if (s->status == MODEM_READY)
		trouble_ready(j);
	else
		trouble_start(j, s->detail[0] ? s->detail : names[s->status]);
	if (s->status != (uint32_t)j->modem || s->status != MODEM_READY) {
		snprintf(since, sizeof(since), "%lld", (long long)jtime_now());
		jourd_set_status(j, "modem_since", since);
	}
	j->modem = s->status;
	jourd_set_status(j, "modem", names[s->status]);
	jourd_set_status(j, "modem_detail", s->detail);
	if (j->modem == MODEM_READY && j->ready_since == 0)
		j->ready_since = jtime_mono();
	outbox_kick(j);
	jourd_rearm(j);
}

static void
worker_stop(struct jourd *j, const char *why)
{
	if (j->worker_ev != NULL) {
		event_free(j->worker_ev);
		j->worker_ev = NULL;
	}
	if (j->worker_fd != -1)
		close(j->worker_fd);
	j->worker_fd = -1;
	if (j->worker_pid != -1)
		kill(j->worker_pid, SIGKILL);
	j->worker_pid = -1;
	j->modem = MODEM_CONNECTING;
	j->ready_since = 0;
	j->ping_sent = 0;
	outbox_lost(j, why);
	jourd_set_status(j, "modem", "down");
	trouble_start(j, why);
}

/* The worker is gone or broken: start another one after a growing pause. */
void
worker_lost(struct jourd *j, const char *why)
{
	struct timeval	tv;

	log_warnx("modem worker: %s; restarting in %llds", why,
	    (long long)(j->respawn_delay / JT_SECOND));
	worker_stop(j, why);
	tv = jourd_tv(j->respawn_delay);
	evtimer_add(j->respawn, &tv);
	j->respawn_delay *= 2;
	if (j->respawn_delay > RESPAWN_MAX)
		j->respawn_delay = RESPAWN_MAX;
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
		struct ipc_token	 token;
		char			 raw[IPC_MAX_PAYLOAD];
	}			 buf;
	const struct ipc_sms_in	*batch[INBOUND_BATCH_MAX];
	struct jourd		*j = arg;
	struct ipc_hdr		 hdr;
	const char		*lost = NULL;
	int			 rc, n = 0, i;

	/* What the worker hands over is stored with now in the new clock's
	 * terms: the due times stored before a step follow it first. */
	clockjump_check(j);
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
			n++;
			continue;
		case IPC_MODEM_STATE:
			memcpy(&buf.state, &sms[n], sizeof(buf.state));
			worker_modem_state(j, &buf.state);
			break;
		case IPC_SEND_RESULT:
			memcpy(&buf.result, &sms[n], sizeof(buf.result));
			outbox_result(j, &buf.result);
			break;
		case IPC_STATUS_REPORT:
			memcpy(&buf.report, &sms[n], sizeof(buf.report));
			inbound_status_report(j, &buf.report);
			break;
		case IPC_PONG:
			j->ping_sent = 0;
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
		inbound_sms_batch(j, batch, n);
	if (lost != NULL)
		worker_lost(j, lost);
}

void
worker_start(struct jourd *j)
{
	int	fd, refused;
	pid_t	pid;

	/* Unknown is not "no": three wrong PINs lock the SIM for good. */
	if ((refused = trouble_pin_refused(j)) == -1) {
		worker_lost(j, "the database could not say whether the "
		    "SIM refused this PIN");
		return;
	}
	if (refused) {
		/* Entering it again could lock the SIM: wait for a new PIN. */
		log_warnx("modem: the SIM refused this PIN before; set [modem] "
		    "pin and restart jourd");
		j->modem = MODEM_PIN_WRONG;
		jourd_set_status(j, "modem", "pin_wrong");
		jourd_set_status(j, "modem_detail", "the SIM refused this PIN "
		    "before; not entered again");
		trouble_start(j, "wrong SIM PIN");
		return;
	}
	if ((pid = modem_spawn(&j->cf.modem, &fd)) == -1) {
		worker_lost(j, "could not start");
		return;
	}
	j->worker_pid = pid;
	j->worker_fd = fd;
	j->ping_sent = 0;
	j->modem = MODEM_CONNECTING;
	evutil_make_socket_nonblocking(fd);
	j->worker_ev = event_new(j->base, fd, EV_READ | EV_PERSIST,
	    worker_cb, j);
	event_add(j->worker_ev, NULL);
	jourd_set_status(j, "modem", "connecting");
	log_info("modem worker %d started (%s %s)", (int)pid,
	    j->cf.modem.driver == DRIVER_AT ? "at" : "dummy", j->cf.modem.device);
}

static void
worker_respawn_cb(evutil_socket_t fd, short ev, void *arg)
{
	worker_start(arg);
}


/* No worker yet; the respawn timer on the daemon's base. */
void
worker_init(struct jourd *j)
{
	j->worker_pid = -1;
	j->worker_fd = -1;
	j->respawn_delay = RESPAWN_MIN;
	j->respawn = evtimer_new(j->base, worker_respawn_cb, j);
}

/*
 * The heartbeat's check: a send the worker has not answered within
 * reply_timeout, or a ping it has not answered, means it is hung and is
 * replaced (-1); otherwise a ping goes out when none is pending (0).
 */
int
worker_watchdog(struct jourd *j)
{
	if (j->inflight != 0 && jtime_mono() - j->inflight_since >
	    j->cf.modem.reply_timeout) {
		worker_lost(j, "no answer to a send");
		return -1;
	}
	if (j->worker_pid != -1) {
		if (j->ping_sent != 0 && jtime_mono() - j->ping_sent >
		    j->cf.modem.reply_timeout) {
			worker_lost(j, "does not answer");
			return -1;
		}
		if (j->ping_sent == 0) {
			struct ipc_token t = { .token = (uint32_t)jtime_mono() };

			j->ping_sent = jtime_mono();
			worker_send(j, IPC_PING, &t, sizeof(t));
		}
	}
	/* Only a worker that stays up a while earns a quick restart again. */
	if (j->ready_since != 0 && jtime_mono() - j->ready_since > RESPAWN_MAX)
		j->respawn_delay = RESPAWN_MIN;
	return 0;
}

/* At exit: the worker is told to stop (its channel closes) and waited for. */
void
worker_shutdown(struct jourd *j)
{
	if (j->worker_pid != -1) {
		close(j->worker_fd);
		kill(j->worker_pid, SIGTERM);
		waitpid(j->worker_pid, NULL, 0);
	}
	jourd_set_status(j, "modem", "down");
	event_free(j->respawn);
	if (j->worker_ev != NULL)
		event_free(j->worker_ev);
}
