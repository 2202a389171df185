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
 */
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
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
#include "pager.h"
#include "text.h"

/* Tries of one page, and unanswered polls that make the link failed. */
#define PAGER_TRIES		3
#define PAGER_POLL_MISSES	3
/* Pause before the device is opened again, doubling up to the maximum. */
#define PAGER_REOPEN_MIN	(1 * JT_SECOND)
#define PAGER_REOPEN_MAX	(10 * JT_SECOND)
/* Bytes waiting for the line; more than a few exchanges means it is stuck. */
#define PAGER_TX_MAX		1024
/* NAKs of one status block before the exchange is given up. */
#define PAGER_STATUS_NAKS	3

enum pager_phase {
	PAGER_DOWN,		/* no device: open again at next_open */
	PAGER_IDLE,		/* the line is ours; poll at next_poll */
	PAGER_POLL,		/* sent EOT <system> ENQ: EOT or <own> ENQ */
	PAGER_STATUS,		/* ACKed its ENQ: waiting for a status block */
	PAGER_STATUS_END,	/* ACKed the block: waiting for its EOT */
	PAGER_SELECT,		/* sent the select: waiting for ACK */
	PAGER_BLOCK,		/* sent the page block: waiting for ACK */
};

struct pager {
	const struct pager_conf	*pc;
	int			 fd;		/* the parent */
	int			 dev;		/* the line, or -1 */
	enum pager_phase	 phase;
	jtime_t			 deadline;	/* of the answer waited for */
	jtime_t			 next_poll;
	jtime_t			 next_open;
	jtime_t			 reopen;	/* the next pause before open */
	struct espa_parser	 parser;
	enum espa_charset	 charset;	/* as the line can carry it */

	/* The page in flight (busy) and its block. */
	bool			 busy;
	struct ipc_page		 page;
	uint8_t			 block[ESPA_PAGE_MAX];
	size_t			 blocklen;
	int			 tries, naks, silences;

	int			 misses;	/* polls unanswered in a row */
	int			 status_naks;	/* of the current status block */
	char			 last_call[ESPA_CALL_MAX + 1];
	int			 last_code;	/* reported in this exchange */

	uint8_t			 tx[PAGER_TX_MAX];	/* for the line */
	size_t			 txlen;

	/* What the parent was told last, so that it hears changes only. */
	bool			 reported;
	uint32_t		 last_status;
	char			 last_detail[128];
	bool			 storm;		/* an ENQ storm is logged */
	jtime_t			 enq_at;	/* the last ENQ not asked for */
	jtime_t			 enq_since;	/* ENQs not asked for: */
	int			 enqs;		/* how many since enq_since */
};

/* Tells the parent the link's state, unless it already knows it. */
static void
pager_report(struct pager *p, enum modem_status status, const char *detail)
{
	struct ipc_modem_state	st;

	if (p->reported && p->last_status == (uint32_t)status &&
	    strcmp(p->last_detail, detail) == 0)
		return;
	if (status == MODEM_READY)
		log_info("pager: %s", detail);
	else if (status == MODEM_FAILED)
		log_warnx("pager: %s", detail);
	memset(&st, 0, sizeof(st));
	st.status = status;
	text_copy(st.detail, sizeof(st.detail), detail);
	if (ipc_send(p->fd, IPC_MODEM_STATE, &st, sizeof(st)) == -1)
		log_warn("pager: state to parent");
	p->reported = true;
	p->last_status = status;
	text_copy(p->last_detail, sizeof(p->last_detail), detail);
}

/* Tells the parent the link failed, with a printf-formatted reason. */
static void pager_failed(struct pager *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
pager_failed(struct pager *p, const char *fmt, ...)
{
	char	detail[128];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	pager_report(p, MODEM_FAILED, detail);
}

/*
 * The paging system answered a poll or a page. After an ENQ storm the
 * link is ready only once a whole poll period passed without stray ENQs:
 * a system that answers between the ENQs of a storm is not well.
 */
static void
pager_ready(struct pager *p)
{
	char	detail[128];

	p->misses = 0;
	if (p->storm) {
		if (jtime_mono() - p->enq_at < p->pc->poll +
		    p->pc->reply_timeout)
			return;
		log_info("pager: the ENQ storm is over");
		p->storm = false;
	}
	snprintf(detail, sizeof(detail), "paging system %s answers",
	    p->pc->system);
	pager_report(p, MODEM_READY, detail);
}

/* The one answer to a page: ok, or the reason it did not go. */
static void
pager_result(struct pager *p, int64_t outbox_id, bool ok, const char *why)
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
		    p->page.address);
	if (ipc_send(p->fd, IPC_SEND_RESULT, &r, sizeof(r)) == -1)
		log_warn("pager: result to parent");
}

/* Ends the page in flight with its one answer. */
static void
pager_page_done(struct pager *p, bool ok, const char *why)
{
	if (!p->busy)
		return;
	p->busy = false;
	pager_result(p, p->page.outbox_id, ok, why);
}

/* --- the line --------------------------------------------------------- */

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
			/* The device is gone; pager_lost() follows on poll. */
			p->txlen = 0;
			return;
		}
		memmove(p->tx, p->tx + n, p->txlen - (size_t)n);
		p->txlen -= (size_t)n;
	}
}

/* Queues len bytes for the line and writes what it takes now. */
static void
pager_write(struct pager *p, const uint8_t *buf, size_t len)
{
	if (p->dev == -1 || len == 0)
		return;
	if (len > sizeof(p->tx) - p->txlen) {
		/* The line takes nothing: what waits is stale anyway. */
		log_warnx("pager: line does not take output; dropped %zu "
		    "bytes", p->txlen);
		tcflush(p->dev, TCOFLUSH);
		p->txlen = 0;
	}
	memcpy(p->tx + p->txlen, buf, len);
	p->txlen += len;
	pager_flush(p);
}

static void
pager_send_eot(struct pager *p)
{
	uint8_t	b[1];

	pager_write(p, b, espa_build_eot(b, sizeof(b)));
}

static void
pager_send_ack(struct pager *p)
{
	uint8_t	b[1];

	pager_write(p, b, espa_build_ack(b, sizeof(b)));
}

static void
pager_send_nak(struct pager *p)
{
	static const uint8_t	nak[] = { ESPA_NAK };

	pager_write(p, nak, sizeof(nak));
}

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

/* Opens the device raw with the configured line; false when it cannot. */
static bool
pager_open(struct pager *p)
{
	struct espa_line	 line;
	struct termios		 t;
	const char		*why = NULL;
	int			 fd;

	if (pager_line(p->pc, &line, &why) == -1) {
		pager_failed(p, "line settings: %s", why);
		return false;
	}
	fd = open(p->pc->device, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1) {
		pager_failed(p, "cannot open %s: %s", p->pc->device,
		    strerror(errno));
		return false;
	}
	if (tcgetattr(fd, &t) == -1) {
		pager_failed(p, "%s is not a serial line: %s", p->pc->device,
		    strerror(errno));
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
		pager_failed(p, "cannot set up %s: %s", p->pc->device,
		    strerror(errno));
		close(fd);
		return false;
	}
	/* Nobody else may write into an exchange on this line. */
	(void)ioctl(fd, TIOCEXCL);
	tcflush(fd, TCIOFLUSH);
	p->dev = fd;
	p->txlen = 0;
	espa_init(&p->parser);
	return true;
}

/* The device failed or vanished: close it, fail the page, open later. */
static void
pager_lost(struct pager *p, const char *why)
{
	if (p->dev != -1) {
		close(p->dev);
		p->dev = -1;
	}
	p->txlen = 0;
	p->phase = PAGER_DOWN;
	p->next_open = jtime_mono() + p->reopen;
	if (p->reopen < PAGER_REOPEN_MAX)
		p->reopen *= 2;
	if (p->reopen > PAGER_REOPEN_MAX)
		p->reopen = PAGER_REOPEN_MAX;
	pager_failed(p, "%s", why);
	pager_page_done(p, false, why);
}

/* --- the exchanges ---------------------------------------------------- */

/* Waits for the next answer from now on. */
static void
pager_wait(struct pager *p, enum pager_phase phase)
{
	p->phase = phase;
	p->deadline = jtime_mono() + p->pc->reply_timeout;
}

/* The line is free again; the next poll is a full period away. */
static void
pager_idle(struct pager *p)
{
	p->phase = PAGER_IDLE;
	p->next_poll = jtime_mono() + p->pc->poll;
}

static void
pager_poll(struct pager *p)
{
	uint8_t	b[4];

	pager_write(p, b, espa_build_call(b, sizeof(b), p->pc->system[0]));
	p->last_call[0] = '\0';
	p->status_naks = 0;
	pager_wait(p, PAGER_POLL);
}

/* Starts (or repeats) the select of the page in flight. */
static void
pager_select(struct pager *p)
{
	uint8_t	b[8];

	pager_write(p, b, espa_build_select(b, sizeof(b), p->pc->address[0],
	    p->pc->system[0]));
	pager_wait(p, PAGER_SELECT);
}

/* One try of the page failed (nak: refused, else unanswered). */
static void
pager_try_failed(struct pager *p, bool nak)
{
	char	why[96];

	if (nak)
		p->naks++;
	else
		p->silences++;
	if (++p->tries < PAGER_TRIES) {
		log_info("pager: outbox %lld: %s, try %d of %d",
		    (long long)p->page.outbox_id, nak ? "NAK" : "no answer",
		    p->tries + 1, PAGER_TRIES);
		if (p->phase == PAGER_BLOCK && nak) {
			/* Still selected: the block again. */
			pager_write(p, p->block, p->blocklen);
			pager_wait(p, PAGER_BLOCK);
		} else
			pager_select(p);
		return;
	}
	if (p->naks == PAGER_TRIES)
		snprintf(why, sizeof(why), "NAK %d times", PAGER_TRIES);
	else if (p->silences == PAGER_TRIES)
		snprintf(why, sizeof(why), "no answer %d times", PAGER_TRIES);
	else
		snprintf(why, sizeof(why), "%d tries failed (NAK %d, no "
		    "answer %d)", PAGER_TRIES, p->naks, p->silences);
	pager_send_eot(p);
	pager_idle(p);
	pager_failed(p, "%s", why);
	pager_page_done(p, false, why);
}

/*
 * Takes a page from the parent: answered at once when it cannot go (the
 * line not ready, another page in flight, a text that encodes to nothing),
 * else sent when the line is free.
 */
static void
pager_take(struct pager *p, const struct ipc_page *pg)
{
	uint8_t	text[ESPA_TEXT_MAX];
	size_t	len;
	bool	cut;

	if (p->busy) {
		pager_result(p, pg->outbox_id, false, "another page is in "
		    "flight on the pager route");
		return;
	}
	if (p->dev == -1 || p->last_status != MODEM_READY) {
		char	why[160];

		snprintf(why, sizeof(why), "paging system not ready: %s",
		    p->last_detail);
		pager_result(p, pg->outbox_id, false, why);
		return;
	}
	len = espa_encode(text, sizeof(text), pg->text,
	    strnlen(pg->text, sizeof(pg->text)), p->charset, &cut);
	p->blocklen = espa_build_page(p->block, sizeof(p->block), pg->address,
	    text, len, pg->priority);
	if (p->blocklen == 0) {
		pager_result(p, pg->outbox_id, false, "no page block for this "
		    "address, text or priority");
		return;
	}
	if (cut)
		log_info("pager: outbox %lld: text cut to %d characters",
		    (long long)pg->outbox_id, ESPA_TEXT_MAX);
	p->page = *pg;
	p->busy = true;
	p->tries = p->naks = p->silences = 0;
	if (p->phase == PAGER_IDLE)
		pager_select(p);
	/* Else a poll is in progress: pager_work() starts it after. */
}

/* A status block arrived in a poll: ACK it and tell the parent once. */
static void
pager_status(struct pager *p, const struct espa_event *ev)
{
	struct ipc_pager_status	ps;

	pager_send_ack(p);
	pager_wait(p, PAGER_STATUS_END);
	if (strcmp(ev->call, p->last_call) == 0 && ev->code == p->last_code)
		return;		/* our ACK was lost: the same block again */
	text_copy(p->last_call, sizeof(p->last_call), ev->call);
	p->last_code = ev->code;
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
	if (ipc_send(p->fd, IPC_PAGER_STATUS, &ps, sizeof(ps)) == -1)
		log_warn("pager: status to parent");
}

/*
 * The paging system broke the protocol (garbage, a storm, a block too
 * long): end whatever was going on, take the line back with EOT, and
 * count it against the page in flight as an unanswered try.
 */
static void
pager_broken(struct pager *p, const char *why)
{
	enum pager_phase	was = p->phase;

	pager_failed(p, "%s", why);
	pager_send_eot(p);
	if (p->busy && (was == PAGER_SELECT || was == PAGER_BLOCK)) {
		/* Repeated from the select: EOT ended the old one. */
		p->phase = PAGER_SELECT;
		pager_try_failed(p, false);
		return;
	}
	pager_idle(p);
}

/*
 * An ENQ nobody asked for. The parser sees a storm only in ENQs without
 * anything between them, but the answers to our polls come between the
 * ENQs of a storm: so ESPA_ENQ_STORM of them within a second is one too.
 */
static bool
pager_stray_enq(struct pager *p)
{
	jtime_t	now = jtime_mono();

	p->enq_at = now;
	if (now - p->enq_since > JT_SECOND) {
		p->enq_since = now;
		p->enqs = 0;
	}
	return ++p->enqs >= ESPA_ENQ_STORM;
}

/* One thing the paging system said, in the light of the phase. */
static void
pager_event(struct pager *p, const struct espa_event *ev)
{
	struct espa_event	storm;

	if (ev->type == ESPA_R_ENQ && !(p->phase == PAGER_POLL &&
	    ev->digit == p->pc->address[0] - '0') && pager_stray_enq(p)) {
		storm = *ev;
		storm.type = ESPA_R_ENQ_STORM;
		ev = &storm;
	}
	switch (ev->type) {
	case ESPA_R_NONE:
		return;
	case ESPA_R_GARBAGE:
		pager_broken(p, "line sent garbage");
		return;
	case ESPA_R_ENQ_STORM:
		/* Once per storm; every further ENQ would say it again. */
		p->enq_at = jtime_mono();
		if (!p->storm) {
			p->storm = true;
			pager_broken(p, "ENQ storm");
		}
		return;
	case ESPA_R_TOO_LONG:
		pager_broken(p, "block longer than ESPA allows");
		return;
	default:
		break;
	}
	switch (p->phase) {
	case PAGER_POLL:
		if (ev->type == ESPA_R_EOT) {
			pager_idle(p);
			pager_ready(p);
		} else if (ev->type == ESPA_R_ENQ &&
		    ev->digit == p->pc->address[0] - '0') {
			pager_ready(p);
			pager_send_ack(p);
			pager_wait(p, PAGER_STATUS);
		} else
			log_debug("pager: %s to a poll",
			    espa_result_name(ev->type));
		return;
	case PAGER_STATUS:
	case PAGER_STATUS_END:
		if (ev->type == ESPA_R_STATUS)
			pager_status(p, ev);
		else if (ev->type == ESPA_R_BAD_BCC ||
		    ev->type == ESPA_R_BAD_BLOCK) {
			log_warnx("pager: status block %s; NAKed",
			    ev->type == ESPA_R_BAD_BCC ? "with a bad BCC" :
			    "not framed as ESPA says");
			if (++p->status_naks > PAGER_STATUS_NAKS) {
				pager_send_eot(p);
				pager_idle(p);
				return;
			}
			pager_send_nak(p);
			pager_wait(p, p->phase);
		} else if (ev->type == ESPA_R_EOT)
			pager_idle(p);
		else
			log_debug("pager: %s in a status exchange",
			    espa_result_name(ev->type));
		return;
	case PAGER_SELECT:
		if (ev->type == ESPA_R_ACK) {
			pager_write(p, p->block, p->blocklen);
			pager_wait(p, PAGER_BLOCK);
		} else if (ev->type == ESPA_R_NAK || ev->type == ESPA_R_EOT)
			pager_try_failed(p, true);
		else
			log_debug("pager: %s to a select",
			    espa_result_name(ev->type));
		return;
	case PAGER_BLOCK:
		if (ev->type == ESPA_R_ACK) {
			pager_send_eot(p);
			pager_idle(p);
			pager_ready(p);
			pager_page_done(p, true, NULL);
		} else if (ev->type == ESPA_R_NAK)
			pager_try_failed(p, true);
		else if (ev->type == ESPA_R_EOT) {
			/* It ended the select: start again from there. */
			p->phase = PAGER_SELECT;
			pager_try_failed(p, true);
		} else
			log_debug("pager: %s to a block",
			    espa_result_name(ev->type));
		return;
	case PAGER_IDLE:
	case PAGER_DOWN:
		/* The control station speaks first: unasked bytes are noise
		 * unless they are garbage, handled above. */
		log_debug("pager: unasked %s", espa_result_name(ev->type));
		return;
	}
}

/*
 * Reads what the line has and feeds it to the parser. With VMIN = 0 a read
 * of nothing returns 0, so only hup (poll's POLLHUP or POLLERR) or an
 * error tells that the line is gone.
 */
static void
pager_read(struct pager *p, bool hup)
{
	uint8_t			 buf[256];
	const uint8_t		*b;
	struct espa_event	 ev;
	ssize_t			 n;
	size_t			 left, used;
	int			 rounds;

	/* Bounded: a storm must not keep the parent's socket waiting. */
	for (rounds = 0; rounds < 16 && p->dev != -1; rounds++) {
		n = read(p->dev, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if ((n == -1 && errno == EAGAIN) || (n == 0 && !hup))
			return;
		if (n <= 0) {
			char	why[128];

			snprintf(why, sizeof(why), "line lost: %s", n == 0 ?
			    "hung up" : strerror(errno));
			pager_lost(p, why);
			return;
		}
		for (b = buf, left = (size_t)n; left > 0 && p->dev != -1; ) {
			used = espa_feed(&p->parser, b, left, &ev);
			b += used;
			left -= used;
			pager_event(p, &ev);
		}
	}
}

/* A deadline passed without the answer waited for. */
static void
pager_timeout(struct pager *p)
{
	switch (p->phase) {
	case PAGER_POLL:
		pager_send_eot(p);
		pager_idle(p);
		if (++p->misses >= PAGER_POLL_MISSES)
			pager_failed(p, "no answer to %d polls",
			    PAGER_POLL_MISSES);
		break;
	case PAGER_STATUS:
		/* In a storm every poll ends here: it is logged already. */
		if (!p->storm)
			log_warnx("pager: no status block after the ENQ");
		pager_send_eot(p);
		pager_idle(p);
		break;
	case PAGER_STATUS_END:
		/* It kept its EOT; the next call takes the line anyway. */
		pager_idle(p);
		break;
	case PAGER_SELECT:
	case PAGER_BLOCK:
		pager_try_failed(p, false);
		break;
	case PAGER_IDLE:
	case PAGER_DOWN:
		break;
	}
}

/* What is due: open the device, time out an answer, page, poll. */
static void
pager_work(struct pager *p)
{
	jtime_t	now = jtime_mono();

	if (p->dev == -1 && now >= p->next_open) {
		if (pager_open(p)) {
			log_info("pager: %s open", p->pc->device);
			p->reopen = PAGER_REOPEN_MIN;
			p->misses = 0;
			p->phase = PAGER_IDLE;
			p->next_poll = now;	/* the link check, at once */
		} else {
			p->next_open = now + p->reopen;
			if (p->reopen < PAGER_REOPEN_MAX)
				p->reopen *= 2;
			if (p->reopen > PAGER_REOPEN_MAX)
				p->reopen = PAGER_REOPEN_MAX;
		}
	}
	if (p->dev == -1)
		return;
	if (p->phase != PAGER_IDLE && now >= p->deadline)
		pager_timeout(p);
	if (p->phase == PAGER_IDLE && p->busy)
		pager_select(p);
	else if (p->phase == PAGER_IDLE && now >= p->next_poll)
		pager_poll(p);
}

/* Milliseconds until pager_work() has something to do. */
static int
pager_timeout_ms(const struct pager *p)
{
	jtime_t	now = jtime_mono(), due;

	if (p->dev == -1)
		due = p->next_open;
	else if (p->phase == PAGER_IDLE)
		due = p->busy ? now : p->next_poll;
	else
		due = p->deadline;
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
		pager_take(p, &buf.page);
		break;
	case IPC_PING:
		if (ipc_send(p->fd, IPC_PONG, &buf.token,
		    sizeof(buf.token)) == -1)
			log_warn("pager: pong");
		break;
	case IPC_SEND:
	case IPC_CALL:
		/* Answered, so that the parent's send does not wait. */
		pager_result(p, hdr.type == IPC_SEND ? buf.send.outbox_id :
		    buf.call.outbox_id, false, "the pager route carries "
		    "pages only");
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
	p->phase = PAGER_DOWN;
	p->reopen = PAGER_REOPEN_MIN;
	p->next_open = jtime_mono();
	p->last_code = -1;
	/* A 7-bit line cannot carry latin1's letters: fold them then. */
	p->charset = pc->charset == CHARSET_LATIN1 &&
	    espa_charset_fits(ESPA_LATIN1, pc->data_bits) ? ESPA_LATIN1 :
	    ESPA_ASCII;
	if (pc->charset == CHARSET_LATIN1 && p->charset == ESPA_ASCII)
		log_info("pager: a line of %d data bits cannot carry latin1: "
		    "page texts are folded to ascii", pc->data_bits);
	espa_init(&p->parser);

	pager_report(p, MODEM_CONNECTING, pc->device);
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
				pager_lost(p, "line closed");
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

/* Closes every descriptor but 0, 1, 2 and keep; returns keep's number. */
static int
pager_close_fds(int keep)
{
	DIR		*d;
	struct dirent	*de;
	int		 fd, nfd;
	long		 max, i;

	if (keep < 3) {
		if ((nfd = fcntl(keep, F_DUPFD_CLOEXEC, 3)) == -1)
			_exit(1);
		close(keep);
		keep = nfd;
	}
	if ((keep == 3 || close_range(3, (unsigned)keep - 1, 0) == 0) &&
	    close_range((unsigned)keep + 1, ~0U, 0) == 0)
		return keep;
	if ((d = opendir("/proc/self/fd")) != NULL) {
		while ((de = readdir(d)) != NULL) {
			fd = atoi(de->d_name);
			if (fd > 2 && fd != keep && fd != dirfd(d))
				close(fd);
		}
		closedir(d);
		return keep;
	}
	max = sysconf(_SC_OPEN_MAX);
	for (i = 3; i < (max > 0 ? max : 1024); i++)
		if (i != keep)
			close((int)i);
	return keep;
}

/* The child's fresh start: nothing of the parent but the socket. */
static int
pager_child_setup(int fd, pid_t parent)
{
	static const int	 dfl[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT,
	    SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM };
	struct sigaction	 sa;
	sigset_t		 none;
	size_t			 i;

	fd = pager_close_fds(fd);
	/* The syslog socket was closed with the rest: let it reconnect. */
	closelog();

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_DFL;
	for (i = 0; i < nitems(dfl); i++)
		sigaction(dfl[i], &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1 || getppid() != parent)
		_exit(0);
	return fd;
}

pid_t
pager_spawn(const struct pager_conf *pc, int *fd)
{
	int	sv[2];
	pid_t	pid, parent = getpid();

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1) {
		log_warn("pager: socketpair");
		return -1;
	}
	switch ((pid = fork())) {
	case -1:
		log_warn("pager: fork");
		close(sv[0]);
		close(sv[1]);
		return -1;
	case 0:
		close(sv[0]);
		_exit(pager_main(pc, pager_child_setup(sv[1], parent)));
	default:
		break;
	}
	close(sv[1]);
	*fd = sv[0];
	return pid;
}
