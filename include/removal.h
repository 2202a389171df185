/*
 * removal.h — taking a person or a unit out of the directory (DESIGN §12).
 *
 * A removal keeps the row and sets its removed_at (schema/008_removed.sql):
 * the daemon's look-ups skip removed rows, so a removed person is paged by
 * no roster and answered as a stranger, and a removed unit is matched by no
 * request and named by no KONTAKT answer, while consults, the escalation
 * log and the reports keep the names they had. Importing the same phone or
 * code again brings the row back.
 *
 * A removal that would strand work is refused: a person who holds a shift
 * that has not ended (roster or override, of a unit still in the
 * directory) or an open page, a unit with a consult still queued or open.
 * The check and the write are one transaction (BEGIN IMMEDIATE), so jourd
 * cannot hand the person a shift or the unit a consult in between. Each
 * removal is an event "removed" of the gateway (no consult).
 */
#ifndef JOURD_REMOVAL_H
#define JOURD_REMOVAL_H

#include "common.h"
#include "db.h"

/* How many of the blocking shifts and consults are kept for the message. */
#define REMOVAL_SHOWN	8

enum removal_result {
	REMOVAL_DONE,		/* removed now */
	REMOVAL_REFUSED,	/* the shifts, consults or pages in the report */
	REMOVAL_UNKNOWN,	/* no such phone or code in the directory */
	REMOVAL_ALREADY,	/* removed before, at removed_at */
	REMOVAL_ERROR		/* the database failed: db_errmsg() */
};

struct removal_shift {
	char	unit[UNIT_MAX];
	char	role[ROLE_MAX];
	jtime_t	start;
	jtime_t	end;
	bool	override;
};

struct removal_consult {
	int64_t	id;
	char	track[WORD_MAX];
	char	state[16];
};

/*
 * What a removal found. The counts are complete; the arrays hold the
 * first REMOVAL_SHOWN, soonest ending shift and oldest consult first.
 */
struct removal_report {
	char			name[128];	/* the person's or unit's name */
	char			unit[UNIT_MAX];	/* a person's unit */
	jtime_t			removed_at;	/* REMOVAL_ALREADY: when */
	struct removal_shift	shifts[REMOVAL_SHOWN];
	int			nshifts;
	/* A unit's consults still queued or open; a person's consults in
	 * which they hold an open page. */
	struct removal_consult	consults[REMOVAL_SHOWN];
	int			nconsults;
};

/* removal.c */
enum removal_result removal_person(struct db *db, const char *phone,
	    jtime_t now, struct removal_report *r);
enum removal_result removal_unit(struct db *db, const char *code,
	    jtime_t now, struct removal_report *r);

#endif
