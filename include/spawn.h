/*
 * spawn.h — how a route's worker process is started (modem.c, pager.c).
 */
#ifndef JOURD_SPAWN_H
#define JOURD_SPAWN_H

#include <sys/types.h>

/*
 * Forks a worker joined to the parent by a SOCK_SEQPACKET socketpair. The
 * child keeps nothing of the parent but its end of the pair (every other
 * descriptor closed, signals back to their defaults, SIGPIPE ignored, gone
 * with the parent) and exits with run(arg, fd); it never returns. The
 * parent gets the child's pid and its own end in *fd, or -1 (logged, with
 * what naming the worker).
 */
pid_t spawn_worker(const char *what, int (*run)(const void *arg, int fd),
    const void *arg, int *fd);

#endif
