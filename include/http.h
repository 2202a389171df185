/*
 * http.h — the web console's worker (DESIGN §11): its own process, its own
 * libevent loop and evhttp server, and a read-only database connection,
 * so that no request ever delays paging. httpd.c supervises it.
 */
#ifndef JOURD_HTTP_H
#define JOURD_HTTP_H

#include "config.h"

/*
 * The worker's body, as spawn_worker runs it: arg is the struct config
 * (its [http] section and its database), fd the channel to jourd, whose
 * end of file stops the worker. Returns the exit status.
 */
int	http_run(const void *arg, int fd);

#endif
