/*
 * pager.h — the pager worker: a child process that owns the serial line to
 * the hospital paging system and speaks ESPA 4.4.4 on it (espa.h).
 *
 * jourd is the control station. The worker opens [pager] device raw with
 * the configured speed, parity and data bits and polls the paging system
 * every `poll` (the link check, and how statuses arrive). It talks to the
 * parent over a SOCK_SEQPACKET socketpair (ipc.h), like the modem worker:
 *
 *   parent → worker  IPC_PAGE          one page; answered by exactly one
 *                                      IPC_SEND_RESULT (ok=1, parts=1,
 *                                      msg_ref=-1 once the system ACKed the
 *                                      block; ok=0 with a reason otherwise,
 *                                      at once when the line is not ready)
 *                    IPC_PING          answered IPC_PONG with its token
 *                    IPC_SEND, IPC_CALL  not for this route: ok=0 at once
 *   worker → parent  IPC_MODEM_STATE   MODEM_CONNECTING at start,
 *                                      MODEM_READY when the system answered
 *                                      a poll, MODEM_FAILED with a one-line
 *                                      reason; sent on a change only
 *                    IPC_PAGER_STATUS  one record 7 the system reported
 *                                      (call address, status digit as sent)
 *
 * A failed line is retried for ever: the device is reopened after a pause
 * when it vanished, and READY follows the next answered poll. The worker
 * never blocks on the line: one poll() over the socket and the line, with
 * a deadline for every answer it waits for.
 */
#ifndef JOURD_PAGER_H
#define JOURD_PAGER_H

#include <sys/types.h>

#include "config.h"
#include "espa.h"
#include "ipc.h"

/*
 * Forks a worker for pc. Returns its pid and sets *fd to the parent's end
 * of the socketpair, or returns -1. The child never returns; it keeps a
 * pointer to pc, which the fork copied.
 */
pid_t pager_spawn(const struct pager_conf *pc, int *fd);

/*
 * The worker's loop on socket fd, until the parent closes it; returns the
 * process exit status (0 when the parent went away, 1 on a local failure).
 */
int pager_main(const struct pager_conf *pc, int fd);

/* --- the protocol, apart from the line and the clock --------------------- */

/*
 * The worker's ESPA exchanges as one state machine that touches no
 * descriptor and reads no clock, so that its tests and its fuzz target
 * drive it with bytes and times of their choosing. Every entry point
 * takes now (monotonic milliseconds); what the machine says goes out
 * through the two callbacks, in order, before the entry point returns.
 */

/* Tries of one page, and unanswered polls that fail the link. */
#define PAGER_TRIES		3
#define PAGER_POLL_MISSES	3
/* NAKs of one status block before its exchange is given up. */
#define PAGER_STATUS_NAKS	3
/* A poll's whole exchange (poll, status block, EOT) ends within this many
 * reply_timeouts, however much the paging system sends. */
#define PAGER_POLL_TIMEOUTS	3
/*
 * The longest a page waits for its IPC_SEND_RESULT, in reply_timeouts: a
 * poll exchange in progress, then 3 tries of select and block. The parent
 * may take a worker that is silent for longer (plus a margin for
 * scheduling) as hung.
 */
#define PAGER_ANSWER_TIMEOUTS	(PAGER_POLL_TIMEOUTS + 2 * PAGER_TRIES)

enum pager_phase {
	PAGER_DOWN,		/* no line */
	PAGER_IDLE,		/* the line is ours; poll at next_poll */
	PAGER_POLL,		/* sent EOT <system> ENQ: EOT or <own> ENQ */
	PAGER_STATUS,		/* ACKed its ENQ: waiting for a status block */
	PAGER_STATUS_END,	/* ACKed the block: waiting for its EOT */
	PAGER_SELECT,		/* sent the select: waiting for ACK */
	PAGER_BLOCK,		/* sent the page block: waiting for ACK */
};

struct pager_link_ops {
	/* Bytes for the line, in the order they must go. */
	void	(*line)(void *arg, const uint8_t *buf, size_t len);
	/* A message for the parent: IPC_MODEM_STATE (on a change only),
	 * IPC_SEND_RESULT (one per page) or IPC_PAGER_STATUS. */
	void	(*parent)(void *arg, enum ipc_type type, const void *payload,
		    size_t len);
};

/* The machine's memory: a plain struct the caller owns; no allocation. */
struct pager_link {
	const struct pager_conf		*pc;
	const struct pager_link_ops	*ops;
	void				*arg;
	jtime_t				 now;	/* of the current entry point */
	enum pager_phase		 phase;
	jtime_t				 deadline;	/* of the awaited answer */
	jtime_t				 exchange_end;	/* of the poll's exchange */
	jtime_t				 next_poll;
	struct espa_parser		 parser;
	enum espa_charset		 charset;	/* what the line carries */

	/* The page in flight (busy) and its block. */
	bool				 busy;
	struct ipc_page			 page;
	uint8_t				 block[ESPA_PAGE_MAX];
	size_t				 blocklen;
	int				 tries, naks, silences;

	int				 misses;	/* polls unanswered */
	int				 status_naks;	/* of this block */
	char				 last_call[ESPA_CALL_MAX + 1];
	int				 last_code;	/* in this exchange */

	/* ENQ storms: the last ENQ nobody asked for, and a count of them
	 * in the second from enq_since. */
	bool				 storm;
	jtime_t				 enq_at, enq_since;
	int				 enqs;

	/* What the parent was told last. */
	bool				 reported;
	uint32_t			 last_status;	/* enum modem_status */
	char				 last_detail[128];
};

/* Starts the machine down; reports MODEM_CONNECTING with pc->device. */
void pager_link_init(struct pager_link *l, const struct pager_conf *pc,
    const struct pager_link_ops *ops, void *arg, jtime_t now);

/* The line is open: poll at once, the link check. */
void pager_link_opened(struct pager_link *l, jtime_t now);

/* The line failed or vanished (why: one line); fails the page in flight. */
void pager_link_down(struct pager_link *l, const char *why, jtime_t now);

/* Bytes the paging system sent, in any split. */
void pager_link_input(struct pager_link *l, const uint8_t *buf, size_t len,
    jtime_t now);

/* A page from the parent, checked by ipc_check(); always answered once. */
void pager_link_page(struct pager_link *l, const struct ipc_page *pg,
    jtime_t now);

/* Time passed: an answer's deadline, or a poll that is due. */
void pager_link_tick(struct pager_link *l, jtime_t now);

/* When pager_link_tick() has work next; INT64_MAX while down. */
jtime_t pager_link_due(const struct pager_link *l);

#endif
