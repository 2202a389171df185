/*
 * calldrive — the real modem worker under a line-based driver, for the
 * wake-up call tests (tests/integration/test_calls.py).
 *
 *	calldrive [-D] [-n] [-l logfile] [-s sweep_ms] device
 *
 * Spawns the modem worker (modem_spawn) for driver = at on the serial
 * device (a fake modem's pseudo-terminal), or with -D for Gammu's dummy
 * phone in the directory device, with calls = yes (-n: calls = no), and
 * relays the IPC both ways as the parent would, one line per message:
 *
 *	out:  state READY <detail>	(CONNECTING, READY, FAILED, PIN_WRONG)
 *	      result <id> ok
 *	      result <id> fail: <error>
 *	      pong <token>
 *	      sms <token> <sender> <text>
 *	      report <msg_ref> delivered|failed <recipient>
 *	      error: <what was wrong with a command>
 *	in:   call <id> <number> <ring_ms>
 *	      send <id> <number> <text>
 *	      ping <token>
 *	      commit <token>
 *	      quit			(or the end of input)
 *
 * The worker's log goes to stderr. Exit 0 after quit with the worker
 * reaped, 1 when the worker went away by itself, 2 on bad usage. Built by
 * make build/tests/calldrive; never installed.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "ipc.h"
#include "log.h"
#include "modem.h"

/* The longest command line taken; a longer one is refused whole. */
#define CALLDRIVE_LINE	(SMS_TEXT_MAX + 64)

union calldrive_msg {
	struct ipc_modem_state		state;
	struct ipc_sms_in		sms;
	struct ipc_token		token;
	struct ipc_send_result		result;
	struct ipc_status_report	report;
	unsigned char			raw[IPC_MAX_PAYLOAD];
};

static void
calldrive_usage(void)
{
	fprintf(stderr, "usage: calldrive [-D] [-n] [-l logfile] [-s sweep_ms] "
	    "device\n");
	exit(2);
}

/* A decimal in [lo, hi] from the whole of s, or -1 when it is not one. */
static long long
calldrive_number(const char *s, long long lo, long long hi)
{
	char		*ep;
	long long	 v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtoll(s, &ep, 10);
	if (errno != 0 || *ep != '\0' || v < lo || v > hi)
		return -1;
	return v;
}

static void
calldrive_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One output line, flushed: the test reads them as they come. */
static void
calldrive_say(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* Prints one message from the worker; false when the worker is gone. */
static bool
calldrive_from_worker(int fd)
{
	static const char	*states[] = { "CONNECTING", "READY", "FAILED",
	    "PIN_WRONG" };
	union calldrive_msg	 m;
	struct ipc_hdr		 hdr;
	int			 rc;

	if ((rc = ipc_recv(fd, &hdr, &m)) == 0)
		return false;
	if (rc == -1) {
		if (errno == EINTR || errno == EAGAIN)
			return true;
		calldrive_say("error: from the worker: %s", strerror(errno));
		return false;
	}
	switch (hdr.type) {
	case IPC_MODEM_STATE:
		calldrive_say("state %s %s", states[m.state.status],
		    m.state.detail);
		break;
	case IPC_SEND_RESULT:
		if (m.result.ok)
			calldrive_say("result %" PRId64 " ok", m.result.outbox_id);
		else
			calldrive_say("result %" PRId64 " fail: %s",
			    m.result.outbox_id, m.result.error);
		break;
	case IPC_PONG:
		calldrive_say("pong %" PRIu32, m.token.token);
		break;
	case IPC_SMS_IN:
		calldrive_say("sms %" PRIu32 " %s %s", m.sms.token,
		    m.sms.sender, m.sms.text);
		break;
	case IPC_STATUS_REPORT:
		calldrive_say("report %" PRId32 " %s %s", m.report.msg_ref,
		    m.report.delivered ? "delivered" : "failed",
		    m.report.recipient);
		break;
	default:
		calldrive_say("error: message %" PRIu32 " from the worker",
		    hdr.type);
		break;
	}
	return true;
}

/* Sends a token message; the token is the whole of arg. */
static void
calldrive_token(int fd, enum ipc_type type, const char *arg)
{
	struct ipc_token	t;
	long long		v = calldrive_number(arg, 0, UINT32_MAX);

	if (v == -1) {
		calldrive_say("error: a token is 0 to %" PRIu32, UINT32_MAX);
		return;
	}
	t.token = (uint32_t)v;
	if (ipc_send(fd, type, &t, sizeof(t)) == -1)
		calldrive_say("error: to the worker: %s", strerror(errno));
}

/* call <id> <number> <ring_ms> */
static void
calldrive_call(int fd, char *args)
{
	struct ipc_call	 c;
	char		*id, *to, *ring, *rest;

	id = strtok_r(args, " ", &rest);
	to = strtok_r(NULL, " ", &rest);
	ring = strtok_r(NULL, " ", &rest);
	memset(&c, 0, sizeof(c));
	if ((c.outbox_id = calldrive_number(id, 1, INT64_MAX)) == -1 ||
	    to == NULL || strlen(to) >= sizeof(c.to) ||
	    (c.ring_ms = calldrive_number(ring, 1, 10 * JT_MINUTE)) == -1 ||
	    strtok_r(NULL, " ", &rest) != NULL) {
		calldrive_say("error: call <id> <number> <ring_ms>");
		return;
	}
	memcpy(c.to, to, strlen(to) + 1);
	if (ipc_send(fd, IPC_CALL, &c, sizeof(c)) == -1)
		calldrive_say("error: to the worker: %s", strerror(errno));
}

/* send <id> <number> <text> */
static void
calldrive_send(int fd, char *args)
{
	static struct ipc_send	 s;
	char			*id, *to, *rest;

	id = strtok_r(args, " ", &rest);
	to = strtok_r(NULL, " ", &rest);
	memset(&s, 0, sizeof(s));
	if ((s.outbox_id = calldrive_number(id, 1, INT64_MAX)) == -1 ||
	    to == NULL || strlen(to) >= sizeof(s.to) || rest == NULL ||
	    *rest == '\0' || strlen(rest) >= sizeof(s.text)) {
		calldrive_say("error: send <id> <number> <text>");
		return;
	}
	memcpy(s.to, to, strlen(to) + 1);
	memcpy(s.text, rest, strlen(rest) + 1);
	if (ipc_send(fd, IPC_SEND, &s, sizeof(s)) == -1)
		calldrive_say("error: to the worker: %s", strerror(errno));
}

/* One command line; false on quit. */
static bool
calldrive_command(int fd, char *line)
{
	char	*verb, *args;

	verb = line;
	if ((args = strchr(line, ' ')) != NULL)
		*args++ = '\0';
	else
		args = line + strlen(line);
	if (strcmp(verb, "call") == 0)
		calldrive_call(fd, args);
	else if (strcmp(verb, "send") == 0)
		calldrive_send(fd, args);
	else if (strcmp(verb, "ping") == 0)
		calldrive_token(fd, IPC_PING, args);
	else if (strcmp(verb, "commit") == 0)
		calldrive_token(fd, IPC_SMS_COMMITTED, args);
	else if (strcmp(verb, "quit") == 0)
		return false;
	else if (*verb != '\0')
		calldrive_say("error: unknown command '%s'", verb);
	return true;
}

/*
 * Reads what stdin has and runs every whole line in it. False at the end
 * of input or on quit.
 */
static bool
calldrive_from_stdin(int fd)
{
	static char	 buf[CALLDRIVE_LINE];
	static size_t	 len;
	static bool	 skipping;	/* the rest of a line that was too long */
	char		*nl;
	ssize_t		 n;
	size_t		 used;

	n = read(STDIN_FILENO, buf + len, sizeof(buf) - 1 - len);
	if (n == -1)
		return errno == EINTR || errno == EAGAIN;
	if (n == 0)
		return false;
	len += (size_t)n;
	buf[len] = '\0';
	while ((nl = strchr(buf, '\n')) != NULL) {
		*nl = '\0';
		if (nl > buf && nl[-1] == '\r')
			nl[-1] = '\0';
		if (!skipping && !calldrive_command(fd, buf))
			return false;
		skipping = false;
		used = (size_t)(nl + 1 - buf);
		memmove(buf, nl + 1, len - used + 1);
		len -= used;
	}
	if (len == sizeof(buf) - 1) {
		calldrive_say("error: line longer than %zu bytes",
		    sizeof(buf) - 2);
		skipping = true;
		len = 0;
	}
	return true;
}

int
main(int argc, char *argv[])
{
	static struct modem_conf	 mc;
	struct pollfd			 pfd[2];
	bool				 dummy = false, calls = true;
	const char			*logfile = "";
	long long			 sweep = 2000;
	pid_t				 pid;
	int				 ch, fd, status, rc = 0;

	while ((ch = getopt(argc, argv, "Dnl:s:")) != -1) {
		switch (ch) {
		case 'D':
			dummy = true;
			break;
		case 'n':
			calls = false;
			break;
		case 'l':
			logfile = optarg;
			break;
		case 's':
			if ((sweep = calldrive_number(optarg, 100,
			    JT_HOUR)) == -1)
				calldrive_usage();
			break;
		default:
			calldrive_usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1 || strlen(argv[0]) >= sizeof(mc.device) ||
	    strlen(logfile) >= sizeof(mc.logfile))
		calldrive_usage();

	log_init("calldrive", 1, 0);
	snprintf(mc.name, sizeof(mc.name), "main");
	mc.driver = dummy ? DRIVER_DUMMY : DRIVER_AT;
	memcpy(mc.device, argv[0], strlen(argv[0]) + 1);
	snprintf(mc.connection, sizeof(mc.connection), "%s",
	    dummy ? "none" : "at115200");
	memcpy(mc.logfile, logfile, strlen(logfile) + 1);
	mc.sweep = sweep;
	mc.reply_timeout = 60 * JT_SECOND;
	mc.alarm_after = 5 * JT_MINUTE;
	mc.calls = calls;

	if ((pid = modem_spawn(&mc, &fd)) == -1)
		return 1;
	for (;;) {
		pfd[0].fd = fd;
		pfd[0].events = POLLIN;
		pfd[1].fd = STDIN_FILENO;
		pfd[1].events = POLLIN;
		pfd[0].revents = pfd[1].revents = 0;
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			calldrive_say("error: poll: %s", strerror(errno));
			rc = 1;
			break;
		}
		if (pfd[0].revents != 0 && !calldrive_from_worker(fd)) {
			calldrive_say("worker gone");
			rc = 1;
			break;
		}
		if (pfd[1].revents != 0 && !calldrive_from_stdin(fd))
			break;
	}
	/* A closed socket tells the worker to stop. */
	close(fd);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	return rc;
}
