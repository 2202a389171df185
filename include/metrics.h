/*
 * metrics.h — what the console's /metrics and /healthz say (DESIGN §11),
 * read from the database and drawn without HTTP, so that the same figures
 * can be tested and served.
 */
#ifndef JOURD_METRICS_H
#define JOURD_METRICS_H

#include <stddef.h>

#include "config.h"
#include "db.h"
#include "jtime.h"

struct evbuffer;

/* The time-to-acknowledge histogram's upper bounds, in seconds. */
#define METRICS_ACK_BUCKETS	{ 30, 60, 120, 300, 600, 1800, 3600 }

/* jourd's heartbeat older than this (either clock) means it is gone. */
#define METRICS_HEARTBEAT_STALE	(30 * JT_SECOND)

/*
 * Appends the Prometheus text exposition of the database's state at now
 * (wall clock; mono is the monotonic clock at the same moment) to out.
 * 0, or -1 when a query failed (out then holds a partial text: the caller
 * answers 500 and drops it).
 */
int	metrics_render(struct db *db, const struct config *cf, jtime_t now,
	    jtime_t mono, struct evbuffer *out);

/*
 * Whether the gateway can page: jourd's heartbeat is fresh and at least
 * one SMS route is ready and out of trouble. 1 (why = "ok"), 0 with the
 * reason in why, -1 when the database could not be read.
 */
int	metrics_health(struct db *db, const struct config *cf, jtime_t now,
	    jtime_t mono, char *why, size_t whysz);

#endif
