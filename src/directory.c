/*
 * directory.c — the daemon's reads of the directory (units and people).
 *
 * The importer writes the directory; what the daemon needs of it while it
 * pages is read here, so that the SQL for people lives in one module.
 */
#include <stdio.h>
#include <string.h>

#include "directory.h"
#include "espa.h"
#include "log.h"

static const char sql_pager[] =
    "SELECT pager FROM people WHERE phone = ? AND pager IS NOT NULL"
    " AND removed_at IS NULL";

int
directory_pager(struct db *db, const char *phone, char out[PAGER_ADDR_MAX])
{
	sqlite3_stmt	*st;
	const char	*addr;
	int		 rc;

	out[0] = '\0';
	if ((st = db_stmt(db, sql_pager)) == NULL)
		return -1;
	db_bind_text(st, 1, phone);
	if ((rc = db_row(db, st)) == 1) {
		/*
		 * The schema checks the address, but a check can be switched
		 * off: what the paging system would refuse is no pager, so the
		 * page still goes by SMS.
		 */
		addr = db_text(st, 0);
		if (espa_call_valid(addr))
			snprintf(out, PAGER_ADDR_MAX, "%s", addr);
		else {
			log_warnx("directory: %s has a pager address that is not "
			    "1 to %d digits: paged by SMS only", phone,
			    ESPA_CALL_MAX);
			rc = 0;
		}
	}
	sqlite3_reset(st);
	return rc;
}
