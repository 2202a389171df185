/*
 * pager.c — the pager worker: ESPA 4.4.4 to the hospital paging system.
 *
 * A child process that owns the serial line. One poll() loop serves the
 * parent's socket and the line; every answer the worker waits for has a
 * deadline of [pager] reply_timeout, so a silent, chattering or vanished
 * paging system costs tries and log lines, never a hang, and pings are
 * answered throughout.
 *
 * The exchanges (espa.h has the bytes) are one explicit state machine:
 *
 *   IDLE --poll due--> POLL --EOT--> IDLE
 *                          --1 ENQ / ACK--> STATUS --block / ACK--> END
 *                                                   --bad BCC / NAK--^
 *                                           END --EOT--> IDLE
 *   IDLE --page--> SELECT --ACK / block--> BLOCK --ACK / EOT--> IDLE
 *                  (NAK or silence: again, 3 tries in all)
 *
 * What the paging system sends is cut by espa_feed(); nothing it sends is
 * trusted: garbage, an ENQ storm or an over-long block ends the exchange,
 * is logged once with its reason, and the line is taken back with EOT.
 *
 * The machine (pager_link_*) touches no descriptor and reads no clock: the
 * shell below it opens the line, reads it, keeps time and hands it bytes,
 * pages and ticks; it answers through two callbacks (pager.h).
 */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <termios.h>
#include <unistd.h>

#include "espa.h"
#include "ipc.h"
#include "jtime.h"
#include "log.h"
#include "spawn.h"
#include "pager.h"
#include "sandbox.h"
#include "text.h"

/* Pause before the device is opened again, doubling up to the maximum. */
#define PAGER_REOPEN_MIN	(1 * JT_SECOND)
#define PAGER_REOPEN_MAX	(10 * JT_SECOND)
/* Bytes waiting for the line; more than a few exchanges means it is stuck. */
#define PAGER_TX_MAX		1024

/* The worker: the machine, the line and the parent. */
struct pager {
	const struct pager_conf	*pc;
	int			 fd;		/* the parent */
	int			 dev;		/* the line, or -1 */
	jtime_t			 next_open;
	jtime_t			 reopen;	/* the next pause before open */
	uint8_t			 tx[PAGER_TX_MAX];	/* for the line */
	size_t			 txlen;
	struct pager_link	 link;
};

/* --- the protocol ------------------------------------------------------- */

/* Tells the parent the link's state, unless it already knows it. */
static void
pager_report(struct pager_link *l, enum modem_status status,
    const char *detail)
{
	struct ipc_modem_state	st;

	if (l->reported && l->last_status == (uint32_t)status &&
	    strcmp(l->last_detail, detail) == 0)
		return;
	if (status == MODEM_READY)
		log_info("pager: %s", detail);
	else if (status == MODEM_FAILED)
		log_warnx("pager: %s", detail);
	memset(&st, 0, sizeof(st));
	st.status = status;
	text_copy(st.detail, sizeof(st.detail), detail);
	l->ops->parent(l->arg, IPC_MODEM_STATE, &st, sizeof(st));
	l->reported = true;
	l->last_status = status;
	text_copy(l->last_detail, sizeof(l->last_detail), detail);
}

/*
 * The paging system answered a poll or a page. After an ENQ storm the
 * link is ready only once a whole poll period passed without stray ENQs:
 * a system that answers between the ENQs of a storm is not well.
 */
static void
pager_ready(struct pager_link *l)
{
	char	detail[128];

	l->misses = 0;
	if (l->storm) {
		if (l->now - l->enq_at < l->pc->poll + l->pc->reply_timeout)
			return;
		log_info("pager: the ENQ storm is over");
		l->storm = false;
	}
	snprintf(detail, sizeof(detail), "paging system %s answers",
	    l->pc->system);
	pager_report(l, MODEM_READY, detail);
}

/* The one answer to a page: ok, or the reason it did not go. */
static void
pager_result(struct pager_link *l, int64_t outbox_id, bool ok,
    const char *why)
{
	struct ipc_send_result	r;

	memset(&r, 0, sizeof(r));
	r.outbox_id = outbox_id;
	r.ok = ok ? 1 : 0;
	r.parts = ok ? 1 : 0;
	r.msg_ref = -1;
	if (!ok) {
		text_copy(r.error, sizeof(r.error), why);
		log_warnx("pager: outbox %lld: %s", (long long)outbox_id, why);
	} else
		log_info("pager: outbox %lld: paged %s", (long long)outbox_id,
		    l->page.address);
	l->ops->parent(l->arg, IPC_SEND_RESULT, &r, sizeof(r));
}

/* Ends the page in flight with its one answer. */
static void
pager_page_done(struct pager_link *l, bool ok, const char *why)
{
	if (!l->busy)
		return;
	l->busy = false;
	pager_result(l, l->page.outbox_id, ok, why);
}

static void
pager_send(struct pager_link *l, const uint8_t *buf, size_t len)
{
	if (l->phase != PAGER_DOWN && len > 0)
		l->ops->line(l->arg, buf, len);
}

static void
pager_send_byte(struct pager_link *l, uint8_t c)
{
	pager_send(l, &c, 1);
}

/*
 * Waits for the next answer from now on; within a poll's exchange no
 * later than its end, so that a paging system that keeps sending never
 * keeps a page waiting longer than PAGER_ANSWER_TIMEOUTS says.
 */
static void
pager_wait(struct pager_link *l, enum pager_phase phase)
{
	l->phase = phase;
	l->deadline = l->now + l->pc->reply_timeout;
	if ((phase == PAGER_POLL || phase == PAGER_STATUS ||
	    phase == PAGER_STATUS_END) && l->deadline > l->exchange_end)
		l->deadline = l->exchange_end;
}

static void
pager_poll(struct pager_link *l)
{
	uint8_t	b[4];

	pager_send(l, b, espa_build_call(b, sizeof(b), l->pc->system[0]));
	/* Its answer may be 1 ENQ: not one more of a storm's. */
	espa_asked(&l->parser);
	l->last_call[0] = '\0';
	l->last_code = -1;
	l->status_naks = 0;
	l->exchange_end = l->now + PAGER_POLL_TIMEOUTS * l->pc->reply_timeout;
	pager_wait(l, PAGER_POLL);
}

/* Starts (or repeats) the select of the page in flight. */
static void
pager_select(struct pager_link *l)
{
	uint8_t	b[8];

	pager_send(l, b, espa_build_select(b, sizeof(b), l->pc->address[0],
	    l->pc->system[0]));
	pager_wait(l, PAGER_SELECT);
}

/* The line is free again: a waiting page goes now, a poll in a period. */
static void
pager_idle(struct pager_link *l)
{
	l->phase = PAGER_IDLE;
	l->next_poll = l->now + l->pc->poll;
	if (l->busy)
		pager_select(l);
}

/* One try of the page failed (nak: refused, else unanswered). */
static void
pager_try_failed(struct pager_link *l, bool nak)
{
	char	why[96];

	if (nak)
		l->naks++;
	else
		l->silences++;
	if (++l->tries < PAGER_TRIES) {
		log_info("pager: outbox %lld: %s, try %d of %d",
		    (long long)l->page.outbox_id, nak ? "NAK" : "no answer",
		    l->tries + 1, PAGER_TRIES);
		if (l->phase == PAGER_BLOCK && nak) {
			/* Still selected: the block again. */
			pager_send(l, l->block, l->blocklen);
			pager_wait(l, PAGER_BLOCK);
		} else
			pager_select(l);
		return;
	}
	if (l->naks == PAGER_TRIES)
		snprintf(why, sizeof(why), "NAK %d times", PAGER_TRIES);
	else if (l->silences == PAGER_TRIES)
		snprintf(why, sizeof(why), "no answer %d times", PAGER_TRIES);
	else
		snprintf(why, sizeof(why), "%d tries failed (NAK %d, no "
		    "answer %d)", PAGER_TRIES, l->naks, l->silences);
	/* The state first: the parent knows why when the result comes. */
	pager_report(l, MODEM_FAILED, why);
	pager_page_done(l, false, why);
	pager_send_byte(l, ESPA_EOT);
	pager_idle(l);
}

void
pager_link_page(struct pager_link *l, const struct ipc_page *pg,
    jtime_t now)
{
	uint8_t	text[ESPA_TEXT_MAX];
	size_t	len;
	bool	cut;
	char	why[160];

	l->now = now;
	if (l->busy) {
		pager_result(l, pg->outbox_id, false, "another page is in "
		    "flight on the pager route");
		return;
	}
	if (l->phase == PAGER_DOWN || l->last_status != MODEM_READY) {
		/* At once: a page waits in the outbox, not in the worker. */
		snprintf(why, sizeof(why), "paging system not ready: %s",
		    l->last_status == MODEM_CONNECTING ? "no poll answered "
		    "yet" : l->last_detail);
		pager_result(l, pg->outbox_id, false, why);
		return;
	}
	len = espa_encode(text, sizeof(text), pg->text,
	    strnlen(pg->text, sizeof(pg->text)), l->charset, &cut);
	l->blocklen = espa_build_page(l->block, sizeof(l->block), pg->address,
	    text, len, pg->priority);
	if (l->blocklen == 0) {
		pager_result(l, pg->outbox_id, false, "no page block for this "
		    "address, text or priority");
		return;
	}
	if (cut)
		log_info("pager: outbox %lld: text cut to %d characters",
		    (long long)pg->outbox_id, ESPA_TEXT_MAX);
	l->page = *pg;
	l->busy = true;
	l->tries = l->naks = l->silences = 0;
	/* Else a poll is in progress, and pager_idle() starts it. */
	if (l->phase == PAGER_IDLE)
		pager_select(l);
}

/* A status block arrived in a poll: ACK it and tell the parent once. */
static void
pager_status(struct pager_link *l, const struct espa_event *ev)
{
	struct ipc_pager_status	ps;

	pager_send_byte(l, ESPA_ACK);
	pager_wait(l, PAGER_STATUS_END);
	if (strcmp(ev->call, l->last_call) == 0 && ev->code == l->last_code)
		return;		/* our ACK was lost: the same block again */
	text_copy(l->last_call, sizeof(l->last_call), ev->call);
	l->last_code = ev->code;
	if (ev->code > 9) {
		log_warnx("pager: status %d for %s is no ESPA status; not "
		    "passed on", ev->code, ev->call);
		return;
	}
	log_info("pager: %s is %s (%d)", ev->call,
	    espa_status_name(ev->status), ev->code);
	memset(&ps, 0, sizeof(ps));
	text_copy(ps.address, sizeof(ps.address), ev->call);
	ps.status = ev->code;
	l->ops->parent(l->arg, IPC_PAGER_STATUS, &ps, sizeof(ps));
}

/*
 * The paging system broke the protocol (garbage, a storm, a block too
 * long): end whatever was going on, take the line back with EOT, and
 * count it against the page in flight as an unanswered try.
 */
static void
pager_broken(struct pager_link *l, const char *why)
{
	enum pager_phase	was = l->phase;

	pager_report(l, MODEM_FAILED, why);
	pager_send_byte(l, ESPA_EOT);
	if (l->busy && (was == PAGER_SELECT || was == PAGER_BLOCK)) {
		/* Repeated from the select: EOT ended the old one. */
		l->phase = PAGER_SELECT;
		pager_try_failed(l, false);
		return;
	}
	pager_idle(l);
}

/*
 * An ENQ nobody asked for. The parser sees a storm only in ENQs without
 * anything between them, but the answers to our polls come between the
 * ENQs of a storm: so ESPA_ENQ_STORM of them within a second is one too.
 */
static bool
pager_stray_enq(struct pager_link *l)
{
	l->enq_at = l->now;
	if (l->now - l->enq_since > JT_SECOND || l->now < l->enq_since) {
		l->enq_since = l->now;
		l->enqs = 0;
	}
	if (l->enqs < ESPA_ENQ_STORM)
		l->enqs++;
	return l->enqs >= ESPA_ENQ_STORM;
}

/* One thing the paging system said, in the light of the phase. */
static void
pager_event(struct pager_link *l, const struct espa_event *ev)
{
	struct espa_event	storm;

	if (ev->type == ESPA_R_ENQ && !(l->phase == PAGER_POLL &&
	    ev->digit == l->pc->address[0] - '0') && pager_stray_enq(l)) {
		storm = *ev;
		storm.type = ESPA_R_ENQ_STORM;
		ev = &storm;
	}
	switch (ev->type) {
	case ESPA_R_NONE:
		return;
	case ESPA_R_GARBAGE:
		pager_broken(l, "line sent garbage");
		return;
	case ESPA_R_ENQ_STORM:
		/* Once per storm; every further ENQ would say it again. */
		l->enq_at = l->now;
		if (!l->storm) {
			l->storm = true;
			pager_broken(l, "ENQ storm");
		}
		return;
	case ESPA_R_TOO_LONG:
		pager_broken(l, "block longer than ESPA allows");
		return;
	default:
		break;
	}

	switch (l->phase) {
	case PAGER_POLL:
		if (ev->type == ESPA_R_EOT) {
			pager_idle(l);
			pager_ready(l);
		} else if (ev->type == ESPA_R_ENQ &&
		    ev->digit == l->pc->address[0] - '0') {
			pager_ready(l);
			pager_send_byte(l, ESPA_ACK);
			pager_wait(l, PAGER_STATUS);
		} else
			log_debug("pager: %s to a poll",
			    espa_result_name(ev->type));
		return;
	case PAGER_STATUS:
	case PAGER_STATUS_END:
		if (ev->type == ESPA_R_STATUS)
			pager_status(l, ev);
		else if (ev->type == ESPA_R_BAD_BCC ||
		    ev->type == ESPA_R_BAD_BLOCK) {
			log_warnx("pager: status block %s; NAKed",
			    ev->type == ESPA_R_BAD_BCC ? "with a bad BCC" :
			    "not framed as ESPA says");
			if (++l->status_naks > PAGER_STATUS_NAKS) {
				pager_send_byte(l, ESPA_EOT);
				pager_idle(l);
				return;
			}
			pager_send_byte(l, ESPA_NAK);
			pager_wait(l, l->phase);
		} else if (ev->type == ESPA_R_EOT)
			pager_idle(l);
		else
			log_debug("pager: %s in a status exchange",
			    espa_result_name(ev->type));
		return;
	case PAGER_SELECT:
		if (ev->type == ESPA_R_ACK) {
			pager_send(l, l->block, l->blocklen);
			pager_wait(l, PAGER_BLOCK);
		} else if (ev->type == ESPA_R_NAK || ev->type == ESPA_R_EOT)
			pager_try_failed(l, true);
		else
			log_debug("pager: %s to a select",
			    espa_result_name(ev->type));
		return;
	case PAGER_BLOCK:
		if (ev->type == ESPA_R_ACK) {
			pager_send_byte(l, ESPA_EOT);
			pager_ready(l);
			pager_page_done(l, true, NULL);
			pager_idle(l);
		} else if (ev->type == ESPA_R_NAK)
			pager_try_failed(l, true);
		else if (ev->type == ESPA_R_EOT) {
			/* It ended the select: start again from there. */
			l->phase = PAGER_SELECT;
			pager_try_failed(l, true);
		} else
			log_debug("pager: %s to a block",
			    espa_result_name(ev->type));
		return;
	case PAGER_IDLE:
	case PAGER_DOWN:
		/* The control station speaks first: what is not asked for
		 * is noise, unless it is garbage, handled above. */
		log_debug("pager: unasked %s", espa_result_name(ev->type));
		return;
	}
}

void
pager_link_input(struct pager_link *l, const uint8_t *buf, size_t len,
    jtime_t now)
{
	struct espa_event	ev;
	size_t			used;

	l->now = now;
	while (len > 0 && l->phase != PAGER_DOWN) {
		used = espa_feed(&l->parser, buf, len, &ev);
		buf += used;
		len -= used;
		pager_event(l, &ev);
	}
}

void
pager_link_tick(struct pager_link *l, jtime_t now)
{
	l->now = now;
	if (l->phase == PAGER_DOWN)
		return;
	if (l->phase == PAGER_IDLE) {
		if (l->busy)
			pager_select(l);
		else if (now >= l->next_poll)
			pager_poll(l);
		return;
	}
	if (now < l->deadline)
		return;
	switch (l->phase) {
	case PAGER_POLL:
		pager_send_byte(l, ESPA_EOT);
		if (++l->misses >= PAGER_POLL_MISSES)
			pager_report(l, MODEM_FAILED, "no answer to 3 polls");
		pager_idle(l);
		break;
	case PAGER_STATUS:
		/* In a storm every poll ends here: it is logged already. */
		if (!l->storm)
			log_warnx("pager: no status block after the ENQ");
		pager_send_byte(l, ESPA_EOT);
		pager_idle(l);
		break;
	case PAGER_STATUS_END:
		/* It kept its EOT; the next call takes the line anyway. */
		pager_idle(l);
		break;
	case PAGER_SELECT:
	case PAGER_BLOCK:
		pager_try_failed(l, false);
		break;
	case PAGER_IDLE:
	case PAGER_DOWN:
		break;
	}
}

jtime_t
pager_link_due(const struct pager_link *l)
{
	switch (l->phase) {
	case PAGER_DOWN:
		return INT64_MAX;
	case PAGER_IDLE:
		return l->busy ? l->now : l->next_poll;
	default:
		return l->deadline;
	}
}

void
pager_link_opened(struct pager_link *l, jtime_t now)
{
	l->now = now;
	espa_init(&l->parser);
	l->misses = 0;
	l->phase = PAGER_IDLE;
	pager_poll(l);
}

void
pager_link_down(struct pager_link *l, const char *why, jtime_t now)
{
	l->now = now;
	l->phase = PAGER_DOWN;
	pager_report(l, MODEM_FAILED, why);
	pager_page_done(l, false, why);
}

void
pager_link_init(struct pager_link *l, const struct pager_conf *pc,
    const struct pager_link_ops *ops, void *arg, jtime_t now)
{
	memset(l, 0, sizeof(*l));
	l->pc = pc;
	l->ops = ops;
	l->arg = arg;
	l->now = now;
	l->phase = PAGER_DOWN;
	l->last_code = -1;
	l->enq_since = now;
	/* A 7-bit line cannot carry latin1's letters: fold them then. */
	l->charset = pc->charset == CHARSET_LATIN1 &&
	    espa_charset_fits(ESPA_LATIN1, pc->data_bits) ? ESPA_LATIN1 :
	    ESPA_ASCII;
	if (pc->charset == CHARSET_LATIN1 && l->charset == ESPA_ASCII)
		log_info("pager: a line of %d data bits cannot carry latin1: "
		    "page texts are folded to ascii", pc->data_bits);
	espa_init(&l->parser);
	pager_report(l, MODEM_CONNECTING, pc->device);
}

/* --- the line ----------------------------------------------------------- */

/* Writes what is queued for the line, as much as it takes now. */
static void
pager_flush(struct pager *p)
{
	ssize_t	n;

	while (p->dev != -1 && p->txlen > 0) {
		n = write(p->dev, p->tx, p->txlen);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (n <= 0) {
			/* The device is gone; poll() says so next. */
			p->txlen = 0;
			return;
		}
		memmove(p->tx, p->tx + n, p->txlen - (size_t)n);
		p->txlen -= (size_t)n;
	}
}

/* The machine's line callback: queues the bytes and writes what it can. */
static void
pager_line_cb(void *arg, const uint8_t *buf, size_t len)
{
	struct pager	*p = arg;

	if (p->dev == -1)
		return;
	if (len > sizeof(p->tx) - p->txlen) {
		/* The line takes nothing: what waits is stale anyway. */
		log_warnx("pager: line does not take output; dropped %zu "
		    "bytes", p->txlen);
		tcflush(p->dev, TCOFLUSH);
		p->txlen = 0;
		if (len > sizeof(p->tx))
			return;
	}
	memcpy(p->tx + p->txlen, buf, len);
	p->txlen += len;
	pager_flush(p);
}

/* The machine's parent callback: one message on the socket. */
static void
pager_parent_cb(void *arg, enum ipc_type type, const void *payload,
    size_t len)
{
	struct pager	*p = arg;

	if (ipc_send(p->fd, type, payload, len) == -1)
		log_warn("pager: message %d to parent", (int)type);
}

static const struct pager_link_ops pager_ops = {
	.line = pager_line_cb,
	.parent = pager_parent_cb,
};

/* The c_cflag/c_iflag of [pager] baud, parity and data_bits. */
static int
pager_line(const struct pager_conf *pc, struct espa_line *line,
    const char **why)
{
	static const char *const	parity[] = {
		[PARITY_EVEN] = "even",
		[PARITY_ODD] = "odd",
		[PARITY_NONE] = "none",
	};

	if ((unsigned)pc->parity >= nitems(parity)) {
		*why = "bad parity";
		return -1;
	}
	return espa_line_make(pc->baud, parity[pc->parity], pc->data_bits,
	    line, why);
}

/* A reason into why; a long device path may be cut, the line must fit. */
static void pager_why(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
pager_why(char *why, size_t whysz, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(why, whysz, fmt, ap);
	va_end(ap);
}

/* Opens the device raw with the configured line; false with *why if not. */
static bool
pager_open(struct pager *p, char *why, size_t whysz)
{
	struct espa_line	 line;
	struct termios		 t;
	const char		*bad = NULL;
	int			 fd;

	if (pager_line(p->pc, &line, &bad) == -1) {
		pager_why(why, whysz, "line settings: %s", bad);
		return false;
	}
	fd = open(p->pc->device, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1 && errno == EACCES && sandbox_on()) {
		/* A new device node (plugged in again) is outside this
		 * worker's sandbox; a fresh worker's sandbox holds it. */
		log_warnx("pager: %s cannot be opened from the sandbox; "
		    "a new worker will open it", p->pc->device);
		exit(1);
	}
	if (fd == -1) {
		pager_why(why, whysz, "cannot open %s: %s", p->pc->device,
		    strerror(errno));
		return false;
	}
	if (tcgetattr(fd, &t) == -1) {
		pager_why(why, whysz, "%s is not a serial line: %s",
		    p->pc->device, strerror(errno));
		close(fd);
		return false;
	}
	cfmakeraw(&t);
	t.c_cflag &= ~(tcflag_t)(ESPA_LINE_CFLAGS | CRTSCTS);
	t.c_cflag |= line.cflag | CLOCAL | CREAD;
	t.c_iflag |= line.iflag;
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	if (cfsetispeed(&t, line.speed) == -1 ||
	    cfsetospeed(&t, line.speed) == -1 ||
	    tcsetattr(fd, TCSANOW, &t) == -1) {
		pager_why(why, whysz, "cannot set up %s: %s", p->pc->device,
		    strerror(errno));
		close(fd);
		return false;
	}
	/* Nobody else may write into an exchange on this line. */
	(void)ioctl(fd, TIOCEXCL);
	tcflush(fd, TCIOFLUSH);
	p->dev = fd;
	p->txlen = 0;
	return true;
}

/* The next pause before the device is opened again. */
static void
pager_backoff(struct pager *p)
{
	p->next_open = jtime_mono() + p->reopen;
	p->reopen *= 2;
	if (p->reopen > PAGER_REOPEN_MAX)
		p->reopen = PAGER_REOPEN_MAX;
}

/* The device failed or vanished: close it and try again after a pause. */
static void
pager_lost(struct pager *p, const char *why)
{
	if (p->dev != -1) {
		close(p->dev);
		p->dev = -1;
	}
	p->txlen = 0;
	pager_backoff(p);
	pager_link_down(&p->link, why, jtime_mono());
}

/*
 * Reads what the line has and feeds it to the machine. With VMIN = 0 a
 * read of nothing returns 0, so only hup (poll's POLLHUP or POLLERR) or an
 * error tells that the line is gone.
 */
static void
pager_read(struct pager *p, bool hup)
{
	uint8_t	buf[256];
	char	why[128];
	ssize_t	n;
	int	rounds;

	/* Bounded: a storm must not keep the parent's socket waiting. */
	for (rounds = 0; rounds < 16 && p->dev != -1; rounds++) {
		n = read(p->dev, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if ((n == -1 && errno == EAGAIN) || (n == 0 && !hup))
			return;
		if (n <= 0) {
			snprintf(why, sizeof(why), "line lost: %s", n == 0 ?
			    "hung up" : strerror(errno));
			pager_lost(p, why);
			return;
		}
		pager_link_input(&p->link, buf, (size_t)n, jtime_mono());
	}
}

/* What is due without the parent: open the device, timeouts, polls. */
static void
pager_work(struct pager *p)
{
	char	why[128];
	jtime_t	now = jtime_mono();

	if (p->dev == -1 && now >= p->next_open) {
		if (pager_open(p, why, sizeof(why))) {
			log_info("pager: %s open", p->pc->device);
			/* The line is all it needs from now on. */
			sandbox_worker("pager",
			    (const char *const[]){ p->pc->device, NULL });
			p->reopen = PAGER_REOPEN_MIN;
			pager_link_opened(&p->link, now);
		} else {
			pager_backoff(p);
			pager_link_down(&p->link, why, now);
		}
	}
	if (p->dev != -1)
		pager_link_tick(&p->link, now);
}

/* Milliseconds until pager_work() has something to do. */
static int
pager_timeout_ms(const struct pager *p)
{
	jtime_t	now = jtime_mono(), due;

	due = p->dev == -1 ? p->next_open : pager_link_due(&p->link);
	if (due <= now)
		return 0;
	if (due - now > JT_MINUTE)
		return (int)JT_MINUTE;
	return (int)(due - now);
}

/* One message from the parent. Returns -1 when the worker must stop. */
static int
pager_dispatch(struct pager *p)
{
	union {
		struct ipc_token	token;
		struct ipc_page		page;
		struct ipc_send		send;
		struct ipc_call		call;
		unsigned char		raw[IPC_MAX_PAYLOAD];
	}			buf;
	struct ipc_hdr		hdr;
	int			rc;

	rc = ipc_recv(p->fd, &hdr, &buf);
	if (rc == 0)
		return -1;
	if (rc == -1) {
		if (errno == EINTR || errno == EAGAIN)
			return 0;
		log_warn("pager: from parent");
		return -1;
	}
	switch (hdr.type) {
	case IPC_PAGE:
		pager_link_page(&p->link, &buf.page, jtime_mono());
		break;
	case IPC_PING:
		if (ipc_send(p->fd, IPC_PONG, &buf.token,
		    sizeof(buf.token)) == -1)
			log_warn("pager: pong");
		break;
	case IPC_SEND:
	case IPC_CALL:
		/* Answered, so that the parent's send does not wait. */
		pager_result(&p->link, hdr.type == IPC_SEND ?
		    buf.send.outbox_id : buf.call.outbox_id, false,
		    "the pager route carries pages only");
		break;
	default:
		log_warnx("pager: unexpected message %u from parent",
		    hdr.type);
		break;
	}
	return 0;
}

int
pager_main(const struct pager_conf *pc, int fd)
{
	struct pager	*p;
	struct pollfd	 pfd[2];
	nfds_t		 n;
	int		 rc, status = 0;

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		log_warn("pager worker");
		return 1;
	}
	p->pc = pc;
	p->fd = fd;
	p->dev = -1;
	p->reopen = PAGER_REOPEN_MIN;
	p->next_open = jtime_mono();
	pager_link_init(&p->link, pc, &pager_ops, p, jtime_mono());

	for (;;) {
		pager_work(p);
		pfd[0].fd = fd;
		pfd[0].events = POLLIN;
		pfd[0].revents = 0;
		n = 1;
		if (p->dev != -1) {
			pfd[1].fd = p->dev;
			pfd[1].events = POLLIN | (p->txlen > 0 ? POLLOUT : 0);
			pfd[1].revents = 0;
			n = 2;
		}
		rc = poll(pfd, n, pager_timeout_ms(p));
		if (rc == -1) {
			if (errno == EINTR)
				continue;
			log_warn("pager: poll");
			status = 1;
			break;
		}
		if (n == 2 && pfd[1].revents != 0) {
			if (pfd[1].revents & POLLOUT)
				pager_flush(p);
			if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))
				pager_read(p, (pfd[1].revents &
				    (POLLHUP | POLLERR)) != 0);
			if (p->dev != -1 && (pfd[1].revents & POLLNVAL))
				pager_lost(p, "line lost: closed");
		}
		if ((pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    pager_dispatch(p) == -1)
			break;
	}
	if (p->dev != -1)
		close(p->dev);
	free(p);
	return status;
}

/* The worker's body, as spawn_worker runs it. */
static int
pager_run(const void *arg, int fd)
{
	return pager_main(arg, fd);
}

pid_t
pager_spawn(const struct pager_conf *pc, int *fd)
{
	return spawn_worker("pager", pager_run, pc, fd);
}
