/*
 * import.h — the directory and rosters from CSV (DESIGN §7), all or nothing.
 *
 * Formats (a header line with exactly these columns, in this order; header
 * names are case-insensitive):
 *   units:  code,name,kind,phone,hours         upserted by code
 *   people: name,phone,title,unit,can_request[,pager]  upserted by phone
 *   roster: unit,role,phone,start,end          see below
 *
 * Every row has as many fields as its header. People's optional pager
 * column is a call address in the hospital paging system, 1 to 16 digits
 * 0-9, or empty for none; a file without the column leaves the addresses
 * already stored as they are, a file with it sets or clears each one.
 *
 * A roster file replaces, for each unit and role it names, the roster shifts
 * inside the span from its earliest start to its latest end: shifts wholly
 * inside are deleted, shifts reaching past the span are cut at its edges.
 * Override shifts are never touched. Importing the same file twice leaves
 * the same shifts.
 *
 * Every import runs in one transaction: on any error nothing is changed and
 * err holds "FILE:LINE: FIELD: reason" (FIELD is the column name).
 */
#ifndef JOURD_IMPORT_H
#define JOURD_IMPORT_H

#include "db.h"

/* The largest CSV file accepted. */
#define IMPORT_MAX_BYTES (16 * 1024 * 1024)

/*
 * Imports the CSV file at path as kind ("units", "people" or "roster").
 * Returns 0 with the number of data rows in *count, or -1 with err set.
 */
int	import_csv(struct db *db, const char *kind, const char *path,
	    int *count, char *err, size_t errsz);

/* As import_csv, from len bytes at buf; name is used in messages. */
int	import_buffer(struct db *db, const char *kind, const char *name,
	    const char *buf, size_t len, int *count, char *err, size_t errsz);

#endif
