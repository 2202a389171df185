/*
 * log.h — logging to syslog (journald), or to stderr in the foreground.
 * The OpenBSD daemon idiom: *_warn appends strerror(errno), *_warnx not.
 */
#ifndef JOURD_LOG_H
#define JOURD_LOG_H

#include <stdarg.h>

#define LOG_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* Starts logging as ident; foreground logs to stderr, verbose adds debug. */
void log_init(const char *ident, int foreground, int verbose);
void log_warn(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_warnx(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_info(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_debug(const char *fmt, ...) LOG_PRINTF(1, 2);
_Noreturn void fatal(const char *fmt, ...) LOG_PRINTF(1, 2);
_Noreturn void fatalx(const char *fmt, ...) LOG_PRINTF(1, 2);

#endif
