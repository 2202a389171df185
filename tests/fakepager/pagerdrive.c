/*
 * pagerdrive — the pager worker under a test's control, without jourd.
 *
 *	pagerdrive [-v] [-b baud] [-p parity] [-d data_bits] [-c charset]
 *	    [-a address] [-s system] [-P poll_ms] [-t reply_ms] device
 *
 * Starts the worker with pager_spawn() on a [pager] configuration made of
 * the defaults and the options, then relays: every message of the worker
 * becomes one line on stdout, and every line on stdin one message to it.
 *
 *   stdout  state CONNECTING|READY|FAILED|PIN_WRONG <detail>
 *           result <outbox_id> ok
 *           result <outbox_id> fail <reason>
 *           status <call address> <status>
 *           pong <token>
 *           exit                      (the worker closed its socket)
 *   stdin   page <outbox_id> <call address> <priority> <text…>
 *           send <outbox_id>          an IPC_SEND, which is not for pagers
 *           ping <token>
 *
 * The worker logs to stderr ("pager: …"). End of stdin stops the worker
 * and the driver. Built by make build/tests/pagerdrive; never installed.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "ipc.h"
#include "log.h"
#include "pager.h"

static void
pagerdrive_usage(void)
{
	fprintf(stderr, "usage: pagerdrive [-v] [-b baud] [-p parity] "
	    "[-d data_bits] [-c charset] [-a address] [-s system] "
	    "[-P poll_ms] [-t reply_ms] device\n");
	exit(2);
}

/* A number in [min, max] from an option, or usage. */
static long
pagerdrive_num(const char *s, long min, long max)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		pagerdrive_usage();
	return v;
}

/* One worker message as a line on stdout. */
static void
pagerdrive_out(const struct ipc_hdr *hdr, const void *buf)
{
	static const char *const	 states[] = { "CONNECTING", "READY",
	    "FAILED", "PIN_WRONG" };
	const struct ipc_modem_state	*st = buf;
	const struct ipc_send_result	*r = buf;
	const struct ipc_pager_status	*ps = buf;
	const struct ipc_token		*t = buf;

	switch (hdr->type) {
	case IPC_MODEM_STATE:
		printf("state %s %s\n", states[st->status], st->detail);
		break;
	case IPC_SEND_RESULT:
		if (r->ok)
			printf("result %lld ok %d %d\n",
			    (long long)r->outbox_id, r->parts, r->msg_ref);
		else
			printf("result %lld fail %s\n",
			    (long long)r->outbox_id, r->error);
		break;
	case IPC_PAGER_STATUS:
		printf("status %s %d\n", ps->address, ps->status);
		break;
	case IPC_PONG:
		printf("pong %u\n", t->token);
		break;
	default:
		printf("unexpected %u\n", hdr->type);
		break;
	}
	fflush(stdout);
}

/* One command line from stdin to the worker; false on a bad line. */
static bool
pagerdrive_in(int fd, char *line)
{
	struct ipc_page		 page;
	struct ipc_send		 send;
	struct ipc_token	 tok;
	char			*word, *rest;

	word = strtok_r(line, " ", &rest);
	if (word == NULL)
		return true;
	if (strcmp(word, "page") == 0) {
		char	*id = strtok_r(NULL, " ", &rest);
		char	*addr = strtok_r(NULL, " ", &rest);
		char	*prio = strtok_r(NULL, " ", &rest);

		if (id == NULL || addr == NULL || prio == NULL)
			return false;
		memset(&page, 0, sizeof(page));
		page.outbox_id = strtoll(id, NULL, 10);
		snprintf(page.address, sizeof(page.address), "%s", addr);
		page.priority = (int32_t)strtol(prio, NULL, 10);
		snprintf(page.text, sizeof(page.text), "%s", rest);
		return ipc_send(fd, IPC_PAGE, &page, sizeof(page)) == 0;
	}
	if (strcmp(word, "send") == 0 && (word = strtok_r(NULL, " ",
	    &rest)) != NULL) {
		memset(&send, 0, sizeof(send));
		send.outbox_id = strtoll(word, NULL, 10);
		snprintf(send.to, sizeof(send.to), "+46701740620");
		snprintf(send.text, sizeof(send.text), "not for a pager");
		return ipc_send(fd, IPC_SEND, &send, sizeof(send)) == 0;
	}
	if (strcmp(word, "ping") == 0 && (word = strtok_r(NULL, " ",
	    &rest)) != NULL) {
		tok.token = (uint32_t)strtoul(word, NULL, 10);
		return ipc_send(fd, IPC_PING, &tok, sizeof(tok)) == 0;
	}
	return false;
}

int
main(int argc, char *argv[])
{
	static struct config	 cf;
	struct pager_conf	*pc = &cf.pager;
	struct pollfd		 pfd[2];
	struct ipc_hdr		 hdr;
	unsigned char		 buf[IPC_MAX_PAYLOAD];
	char			 line[1024], *nl;
	size_t			 have = 0;
	ssize_t			 n;
	int			 ch, fd, rc, verbose = 0, status = 0;
	pid_t			 pid;

	config_defaults(&cf);
	pc->enabled = true;
	pc->poll = 300;
	pc->reply_timeout = 500;
	while ((ch = getopt(argc, argv, "a:b:c:d:p:P:s:t:v")) != -1) {
		switch (ch) {
		case 'a':
		case 's':
			if (strlen(optarg) != 1 || optarg[0] < '0' ||
			    optarg[0] > '9')
				pagerdrive_usage();
			snprintf(ch == 'a' ? pc->address : pc->system,
			    sizeof(pc->address), "%s", optarg);
			break;
		case 'b':
			pc->baud = (int)pagerdrive_num(optarg, 1, INT_MAX);
			break;
		case 'c':
			if (strcmp(optarg, "latin1") == 0)
				pc->charset = CHARSET_LATIN1;
			else if (strcmp(optarg, "ascii") == 0)
				pc->charset = CHARSET_ASCII;
			else
				pagerdrive_usage();
			break;
		case 'd':
			pc->data_bits = (int)pagerdrive_num(optarg, 7, 8);
			break;
		case 'p':
			if (strcmp(optarg, "even") == 0)
				pc->parity = PARITY_EVEN;
			else if (strcmp(optarg, "odd") == 0)
				pc->parity = PARITY_ODD;
			else if (strcmp(optarg, "none") == 0)
				pc->parity = PARITY_NONE;
			else
				pagerdrive_usage();
			break;
		case 'P':
			pc->poll = pagerdrive_num(optarg, 1, 600000);
			break;
		case 't':
			pc->reply_timeout = pagerdrive_num(optarg, 1, 600000);
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			pagerdrive_usage();
		}
	}
	if (argc - optind != 1)
		pagerdrive_usage();
	snprintf(pc->device, sizeof(pc->device), "%s", argv[optind]);
	log_init("pagerdrive", 1, verbose);
	signal(SIGPIPE, SIG_IGN);

	if ((pid = pager_spawn(pc, &fd)) == -1)
		return 1;
	pfd[0].fd = STDIN_FILENO;
	pfd[1].fd = fd;
	for (;;) {
		pfd[0].events = pfd[1].events = POLLIN;
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			perror("pagerdrive: poll");
			status = 1;
			break;
		}
		if (pfd[1].revents != 0) {
			rc = ipc_recv(fd, &hdr, buf);
			if (rc <= 0) {
				printf("exit\n");
				fflush(stdout);
				status = 1;
				break;
			}
			pagerdrive_out(&hdr, buf);
		}
		if (pfd[0].revents != 0) {
			/* read(), not stdio: poll() must see every line. */
			n = read(STDIN_FILENO, line + have,
			    sizeof(line) - 1 - have);
			if (n <= 0)
				break;
			have += (size_t)n;
			line[have] = '\0';
			while ((nl = strchr(line, '\n')) != NULL) {
				*nl = '\0';
				if (!pagerdrive_in(fd, line))
					fprintf(stderr, "pagerdrive: bad "
					    "command or message refused\n");
				have -= (size_t)(nl + 1 - line);
				memmove(line, nl + 1, have + 1);
			}
			if (have == sizeof(line) - 1)
				have = 0;	/* an endless line: dropped */
		}
	}
	close(fd);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	return status;
}
