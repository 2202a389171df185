/*
 * store.h — consults and their legs between the database and struct
 * esc_consult. Callers hold the transaction.
 */
#ifndef JOURD_STORE_H
#define JOURD_STORE_H

#include "db.h"
#include "esc.h"

/* What a consult row holds besides the state machine's part. */
struct store_info {
	char	track[WORD_MAX];
	char	requester[PHONE_MAX];
	char	callback[PHONE_MAX];	/* "" = the requester's number */
	char	text[SMS_TEXT_MAX];
};

/* Inserts c (state, times, legs) with info; sets c->id. 0 or -1. */
int	store_insert(struct db *db, struct esc_consult *c,
	    const struct store_info *info, int64_t inbox_id);

/* Loads consult id. 0, 1 when there is no such consult, -1 on error. */
int	store_load(struct db *db, int64_t id, struct esc_consult *c,
	    struct store_info *info);

/* Writes back the state machine's part of c and its legs. 0 or -1. */
int	store_save(struct db *db, const struct esc_consult *c);

/*
 * Writes the configuration's outcome codes to the outcomes table, which
 * the database checks consults.outcome against (schema/009_outcomes.sql);
 * codes no longer configured stay, marked so, for the history. Runs in
 * its own transaction: call it at start-up and after a reload, outside
 * any other. 0 or -1 (logged).
 */
int	store_outcomes(struct db *db, const struct config *cf);

#endif
