/*
 * common.h — types and limits shared by every jourd module.
 *
 * Times are milliseconds since the Unix epoch (UTC) in a jtime_t; wall-clock
 * rules (opening hours, rosters) are converted at the edge in jtime.c.
 */
#ifndef JOURD_COMMON_H
#define JOURD_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int64_t jtime_t;

#define JT_SECOND ((jtime_t)1000)
#define JT_MINUTE (60 * JT_SECOND)
#define JT_HOUR (60 * JT_MINUTE)

/* "+" and at most 15 digits (E.164), NUL. */
#define PHONE_MAX 17
/* A unit code or a folded unit name as typed in an SMS. */
#define UNIT_MAX 48
/* An escalation role name (primary, backup, chief, …). */
#define ROLE_MAX 24
/* An outcome code (INL, RAD, …) or a keyword. */
#define WORD_MAX 16
/* Free text of one request; ten concatenated parts of UCS-2 in UTF-8. */
#define SMS_TEXT_MAX 4096

#define MAX_TRACKS 4
#define MAX_KEYWORDS 8
#define MAX_STEPS 8
#define MAX_ADMINS 8
#define MAX_OUTCOMES 16
#define MAX_LEGS 8
/* Routes (DESIGN §10): [modem] is the route "main". */
/* Routes: up to MAX_MODEMS [modem] sections, the [pager] and later others. */
#define MAX_MODEMS 8
#define MAX_ROUTES 10
#define ROUTE_NAME_MAX 24
#define ROUTE_MAIN "main"
#define ROUTE_PAGER "pager"
/* A pager call address (ESPA 4.4.4): 1 to 16 digits. */
#define PAGER_ADDR_MAX 17

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

#endif
