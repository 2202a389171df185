/*
 * directory.h — what the daemon reads from the directory (units and
 * people) while it pages.
 *
 * Reads only: the directory is written by import.c. A read error is never
 * taken for "not in the directory": each function says which answer means
 * what, and -1 is always an error the caller retries (db_row's rule).
 */
#ifndef JOURD_DIRECTORY_H
#define JOURD_DIRECTORY_H

#include "common.h"
#include "db.h"

/*
 * The pager call address of the person with E.164 phone, for a page to the
 * hospital paging system. Returns 1 with the address (1 to 16 digits) in
 * out, 0 with out "" when the person has no pager or is not in the
 * directory, or -1 with out "" when the directory could not be read.
 */
int	directory_pager(struct db *db, const char *phone,
	    char out[PAGER_ADDR_MAX]);

#endif
