/*
 * sandbox.h — what a route's worker gives up once its device is open
 * (modem.c, pager.c): new privileges, the system calls a compromised
 * worker would want, and the file system outside its device.
 */
#ifndef JOURD_SANDBOX_H
#define JOURD_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Confines the calling worker, once: PR_SET_NO_NEW_PRIVS, a seccomp filter
 * that kills the process on a forbidden call (running a program, starting
 * a process, network sockets, tracing, mounting, loading modules, changing
 * identity and the like), and where the kernel has Landlock, a file system
 * that is read-only but for rw, a NULL-terminated list of paths (a device
 * node, a directory and what is below it). A device on a pseudo-terminal
 * gets all of /dev/pts, so that a line that comes back on a new pty can be
 * opened again. what names the worker in the log ("modem", "pager").
 *
 * Returns 0 when confined (Landlock missing from the kernel is logged once
 * and is no failure), -1 when the filter could not be installed: the
 * worker is then unconfined and the log says "WHAT: sandbox: off (why)";
 * a gateway that pages must go on paging. Calls after the first return
 * the first call's result and change nothing.
 */
int	sandbox_worker(const char *what, const char *const *rw);

/* Whether this process is confined by sandbox_worker(). */
bool	sandbox_on(void);

#endif
