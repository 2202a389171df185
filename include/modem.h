/*
 * modem.h — the modem worker: a child process that owns libGammu.
 *
 * libGammu blocks for seconds and is not thread-safe, so it never runs in
 * the parent's event loop. The worker connects to the phone, sweeps its SMS
 * memory every `sweep`, links multipart messages, hands each to the parent
 * (IPC_SMS_IN) and deletes it only on IPC_SMS_COMMITTED. It sends what the
 * parent hands it (IPC_SEND) and answers with IPC_SEND_RESULT. A crash of
 * the worker leaves the parent running: the parent notices the closed
 * socket and starts a new worker.
 *
 * Wake-up calls (IPC_CALL, only when mc->calls): the worker dials the
 * E.164 number, rings ring_ms or until the callee rejects, hangs up and
 * answers one IPC_SEND_RESULT (ok = 1, parts = 0, msg_ref = -1 once the
 * call was dialled; ok = 0 and libGammu's error when it was not). That
 * answer comes after the ringing: the parent allows ring_ms on top of its
 * reply timeout. While the call rings the worker answers IPC_PING, keeps a
 * commit for after the hang-up and refuses an IPC_SEND or IPC_CALL at once
 * ("busy"); it does not sweep. The dummy driver rings nobody: ok at once.
 */
#ifndef JOURD_MODEM_H
#define JOURD_MODEM_H

#include <sys/types.h>

#include "config.h"

/*
 * Forks a worker for mc. Returns its pid and sets *fd to the parent's end of
 * the socketpair, or returns -1. The child never returns.
 */
pid_t modem_spawn(const struct modem_conf *mc, int *fd);

/* The worker's main loop on socket fd; returns the process exit status. */
int modem_main(const struct modem_conf *mc, int fd);

/*
 * How long a multipart message with parts missing is held before what has
 * arrived is handed over (default 10 minutes). For tests: call it before
 * modem_spawn, the worker inherits the value.
 */
void modem_set_hold(jtime_t ms);

#endif
