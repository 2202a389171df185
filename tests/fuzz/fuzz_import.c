/*
 * fuzz_import.c — import_buffer on any CSV, against an in-memory database
 * holding a small directory and roster.
 *
 * The first byte picks the kind ('u' units, 'p' people, 'r' roster; any
 * byte maps to one), the rest is the file. What import.h promises is checked:
 * a refused file changes nothing and its message starts "FILE:"; an accepted
 * file imported a second time leaves the same directory and shifts. After an
 * accepted file the database is put back, so inputs do not depend on each
 * other.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fuzz_units[] =
    "code,name,kind,phone,hours\n"
    "KARD,\"Kardiologi, Falu lasarett\",specialty,+46701740630,always\n"
    "ORSA,Orsa vårdcentral,health_centre,+46701740632,weekdays 08:00-17:00\n";
/* With pagers, so that a five-column file must leave them as they are. */
static const char fuzz_people[] =
    "name,phone,title,unit,can_request,pager\n"
    "Anna Testsson,+46701740605,Distriktsläkare,ORSA,yes,\n"
    "Erik Jourlund,+46701740620,Överläkare,KARD,no,4711\n"
    "Frida Bakström,+46701740621,Specialistläkare,KARD,nej,0123456789012345\n";
static const char fuzz_roster[] =
    "unit,role,phone,start,end\n"
    "KARD,primary,+46701740620,2030-01-01 08:00,2030-03-01 08:00\n"
    "KARD,backup,+46701740621,2030-01-01 08:00,2030-01-08 08:00\n"
    "KARD,backup,+46701740620,2030-01-08 08:00,2030-01-15 08:00\n";

/* Every row the importer may touch, in a stable order, as one string. */
static const char fuzz_state_sql[] =
    "SELECT group_concat(x, char(10)) FROM ("
    " SELECT 'u|' || code || '|' || name || '|' || folded || '|' || kind ||"
    "  '|' || phone || '|' || hours AS x FROM units"
    " UNION ALL SELECT 'p|' || phone || '|' || name || '|' || title || '|' ||"
    "  unit || '|' || can_request || '|' || coalesce(pager, '-') FROM people"
    " UNION ALL SELECT 's|' || unit || '|' || role || '|' || phone || '|' ||"
    "  start_at || '|' || end_at || '|' || source FROM shifts"
    " ORDER BY 1)";

static struct db	*fuzz_db;
static char		*fuzz_base;	/* the state after fuzz_reset */

/* The database's rows as a string; the caller frees it. */
static char *
fuzz_state(void)
{
	sqlite3_stmt	*st;
	const char	*s = NULL;
	char		*copy;

	if ((st = db_stmt(fuzz_db, fuzz_state_sql)) == NULL)
		abort();
	if (sqlite3_step(st) == SQLITE_ROW)
		s = (const char *)sqlite3_column_text(st, 0);
	copy = strdup(s != NULL ? s : "");
	sqlite3_reset(st);
	if (copy == NULL)
		abort();
	return copy;
}

static void
fuzz_load(const char *kind, const char *csv)
{
	char	err[512];
	int	count;

	if (import_buffer(fuzz_db, kind, kind, csv, strlen(csv), &count, err,
	    sizeof(err)) == -1 || count < 1) {
		fprintf(stderr, "fuzz_import: base %s: %s\n", kind, err);
		abort();
	}
}

/* Puts the database back to the base directory and roster. */
static void
fuzz_reset(void)
{
	char	*now;

	if (db_exec(fuzz_db, "DELETE FROM shifts; DELETE FROM people;"
	    " DELETE FROM units;") == -1)
		abort();
	fuzz_load("units", fuzz_units);
	fuzz_load("people", fuzz_people);
	fuzz_load("roster", fuzz_roster);
	now = fuzz_state();
	if (fuzz_base == NULL)
		fuzz_base = now;
	else {
		if (strcmp(now, fuzz_base) != 0)
			abort();
		free(now);
	}
}

static void
fuzz_setup(void)
{
	char	err[512];

	/* Roster times are local: fix the zone, summer time included. */
	setenv("TZ", "Europe/Stockholm", 1);
	tzset();
	if ((fuzz_db = db_open(":memory:", err, sizeof(err))) == NULL) {
		fprintf(stderr, "fuzz_import: %s\n", err);
		abort();
	}
	fuzz_reset();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const kinds[] = { "people", "units", "roster",
	    "roster" };
	const char	*kind;
	char		 err[512], *csv, *before, *after;
	size_t		 len;
	int		 count, again;

	if (fuzz_db == NULL)
		fuzz_setup();
	if (size < 1)
		return 0;
	kind = kinds[data[0] & 3];
	len = size - 1;
	/* An exact-size copy lets the sanitizer catch a read past the end. */
	if ((csv = malloc(len ? len : 1)) == NULL)
		return 0;
	memcpy(csv, data + 1, len);

	before = fuzz_state();
	err[0] = '\0';
	count = -1;
	if (import_buffer(fuzz_db, kind, "fuzz.csv", csv, len, &count, err,
	    sizeof(err)) == -1) {
		/* All or nothing, and the message names the file. */
		after = fuzz_state();
		if (strcmp(before, after) != 0 || count != 0 ||
		    strncmp(err, "fuzz.csv:", 9) != 0)
			abort();
	} else {
		if (count < 0)
			abort();
		/* The same file again changes nothing more. */
		after = fuzz_state();
		free(before);
		before = after;
		if (import_buffer(fuzz_db, kind, "fuzz.csv", csv, len, &again,
		    err, sizeof(err)) == -1 || again != count)
			abort();
		after = fuzz_state();
		if (strcmp(before, after) != 0)
			abort();
		fuzz_reset();
	}
	free(after);
	free(before);
	free(csv);
	return 0;
}
