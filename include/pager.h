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

#endif
