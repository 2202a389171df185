/*
 * test_import.c — CSV imports into a temporary database: good files, every
 * kind of error (file, line and field named; nothing changed), BOM and CRLF,
 * the people file's optional pager column, roster overlaps, re-import and
 * the roster replace rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "db.h"
#include "import.h"
#include "jtime.h"

struct fixture {
	char		 dir[64];
	char		 dbpath[128];
	struct db	*db;
};

static int
setup(void **state)
{
	struct fixture	*f = calloc(1, sizeof(*f));
	char		 err[256];

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_import.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->dbpath, sizeof(f->dbpath), "%s/jourd.db", f->dir);
	f->db = db_open(f->dbpath, err, sizeof(err));
	if (f->db == NULL)
		fail_msg("db_open: %s", err);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;
	char		 path[192];
	static const char *names[] = { "jourd.db", "jourd.db-wal", "jourd.db-shm",
	    "u.csv", "p.csv", "r.csv" };
	size_t		 i;

	db_close(f->db);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", f->dir, names[i]);
		unlink(path);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

/* Writes content to dir/name; returns the path in a static buffer. */
static const char *
write_file(struct fixture *f, const char *name, const char *content)
{
	static char	 path[192];
	FILE		*fp;

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(content, 1, strlen(content), fp), strlen(content));
	fclose(fp);
	return path;
}

/* Imports content as kind; returns import_csv's result, err filled. */
static int
import_text(struct fixture *f, const char *kind, const char *content,
    int *count, char *err, size_t errsz)
{
	const char *name = kind[0] == 'u' ? "u.csv" : kind[0] == 'p' ? "p.csv" :
	    "r.csv";

	err[0] = '\0';
	return import_csv(f->db, kind, write_file(f, name, content), count, err,
	    errsz);
}

static void
import_ok(struct fixture *f, const char *kind, const char *content, int want)
{
	char	err[512];
	int	count = -1;

	if (import_text(f, kind, content, &count, err, sizeof(err)) != 0)
		fail_msg("import %s: %s", kind, err);
	assert_int_equal(count, want);
}

/* Every row of a query, columns joined by '|', rows by '\n'; caller frees. */
static char *
dump(struct fixture *f, const char *sql)
{
	sqlite3_stmt	*st;
	char		*out = NULL;
	size_t		 len = 0;
	FILE		*fp = open_memstream(&out, &len);
	int		 i;

	assert_non_null(fp);
	assert_int_equal(sqlite3_prepare_v2(db_handle(f->db), sql, -1, &st, NULL),
	    SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (i = 0; i < sqlite3_column_count(st); i++)
			fprintf(fp, "%s%s", i ? "|" : "", db_text(st, i));
		fputc('\n', fp);
	}
	sqlite3_finalize(st);
	fclose(fp);
	return out;
}

static int64_t
count_rows(struct fixture *f, const char *table_sql)
{
	sqlite3_stmt	*st;
	int64_t		 n = -1;

	assert_int_equal(sqlite3_prepare_v2(db_handle(f->db), table_sql, -1, &st,
	    NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static jtime_t
t(const char *s)
{
	jtime_t	v;

	assert_int_equal(jtime_parse(s, &v), 0);
	return v;
}

static const char units_csv[] =
    "code,name,kind,phone,hours\n"
    "kard,Kardiologi,specialty,023-49 00 00,always\n"
    "ALVDALEN,\"Älvdalen, vårdcentral\",Health_Centre,0251-59 70 00,weekdays 08:00-17:00\n"
    "JOURCENTRAL,Jourcentralen Falun,health_centre,+46 23 49 22 00,always\n";

static const char people_csv[] =
    "name,phone,title,unit,can_request\n"
    "Anna Berg,070-174 06 05,överläkare,KARD,no\n"
    "Björn Ek,070-111 22 33,specialistläkare,kard,no\n"
    "Cecilia Ström,0046 70 222 33 44,distriktsläkare,ALVDALEN,yes\n";

static const char roster_csv[] =
    "unit,role,phone,start,end\n"
    "KARD,primary,070-174 06 05,2026-11-23 08:00,2026-11-24 08:00\n"
    "KARD,primary,0701112233,2026-11-24 08:00,2026-11-25 08:00\n"
    "KARD,Backup,+46701740605,2026-11-23 08:00,2026-11-25 08:00\n";

static void
load_directory(struct fixture *f)
{
	import_ok(f, "units", units_csv, 3);
	import_ok(f, "people", people_csv, 3);
}

static void
test_units_good(void **state)
{
	struct fixture	*f = *state;
	char		*d;

	import_ok(f, "units", units_csv, 3);
	d = dump(f, "SELECT code, name, folded, kind, phone, hours FROM units"
	    " ORDER BY code");
	assert_string_equal(d,
	    "ALVDALEN|Älvdalen, vårdcentral|ALVDALEN, VARDCENTRAL|health_centre|+46251597000|weekdays 08:00-17:00\n"
	    "JOURCENTRAL|Jourcentralen Falun|JOURCENTRALEN FALUN|health_centre|+46234922" "00|always\n"
	    "KARD|Kardiologi|KARDIOLOGI|specialty|+4623490000|always\n");
	free(d);
}

static void
test_units_upsert(void **state)
{
	struct fixture	*f = *state;
	char		*d;

	import_ok(f, "units", units_csv, 3);
	import_ok(f, "units",
	    "CODE,Name,KIND,Phone,Hours\n"
	    "KARD,Hjärtmottagningen,specialty,023-49 00 01,weekdays 07:30-16:00\n"
	    "GER,Geriatrik,specialty,023-49 00 02,always\n", 2);
	assert_int_equal(count_rows(f, "SELECT count(*) FROM units"), 4);
	d = dump(f, "SELECT name, folded, phone, hours FROM units WHERE code = 'KARD'");
	assert_string_equal(d,
	    "Hjärtmottagningen|HJARTMOTTAGNINGEN|+4623490001|weekdays 07:30-16:00\n");
	free(d);
}

struct bad_case {
	const char	*kind;
	const char	*content;
	const char	*want;		/* the start of the message after the dir */
};

/* Runs each bad file and checks the message and that nothing changed. */
static void
check_bad_cases(struct fixture *f, const struct bad_case *cases, size_t n)
{
	char	 err[512], want[512];
	char	*before, *after;
	size_t	 i;
	int	 count;
	static const char all[] =
	    "SELECT 'u', * FROM units UNION ALL"
	    " SELECT 'p', * FROM people UNION ALL"
	    " SELECT 's', unit, role, phone, start_at, end_at, source, id"
	    " FROM shifts"
	    " ORDER BY 1, 2, 3, 4, 5, 6";

	for (i = 0; i < n; i++) {
		before = dump(f, all);
		count = 99;
		if (import_text(f, cases[i].kind, cases[i].content, &count, err,
		    sizeof(err)) != -1)
			fail_msg("case %zu: bad %s file accepted", i, cases[i].kind);
		assert_int_equal(count, 0);
		snprintf(want, sizeof(want), "%s/%s", f->dir, cases[i].want);
		if (strncmp(err, want, strlen(want)) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s…\"", i, err, want);
		after = dump(f, all);
		assert_string_equal(before, after);
		free(before);
		free(after);
	}
}

static void
test_units_errors(void **state)
{
	struct fixture *f = *state;
	static const struct bad_case cases[] = {
		{ "units", "code,name,kind,phone,hours\n"
		    "NEW,Ny enhet,other,023-10 10 10,always\n"
		    "BAD-CODE,X,other,023-10 10 10,always\n", "u.csv:3: code: " },
		{ "units", "code,name,kind,phone,hours\n"
		    "NEW,Ny enhet,other,023-10 10 10,always\n"
		    ",X,other,023-10 10 10,always\n", "u.csv:3: code: empty" },
		{ "units", "code,name,kind,phone,hours\n"
		    "NEW,Ny enhet,other,023-10 10 10,always\n"
		    "new,Annan,other,023-10 10 10,always\n",
		    "u.csv:3: code: NEW is already on line 2" },
		{ "units", "code,name,kind,phone,hours\n"
		    "NEW,Ny enhet,other,023-10 10 10,always\n"
		    "NEW2,,other,023-10 10 10,always\n", "u.csv:3: name: empty" },
		{ "units", "code,name,kind,phone,hours\n"
		    "NEW,Ny enhet,other,023-10 10 10,always\n"
		    "NEW2,NY ENHET,other,023-10 10 10,always\n",
		    "u.csv:3: name: " },
		{ "units", "code,name,kind,phone,hours\n"
		    "NEW,Ny enhet,other,023-10 10 10,always\n"
		    "NEW2,X,clinic,023-10 10 10,always\n", "u.csv:3: kind: " },
		{ "units", "code,name,kind,phone,hours\n"
		    "NEW,Ny enhet,other,023-10 10 10,always\n"
		    "NEW2,X,other,Växeln,always\n", "u.csv:3: phone: " },
		{ "units", "code,name,kind,phone,hours\n"
		    "NEW,Ny enhet,other,023-10 10 10,always\n"
		    "NEW2,X,other,023-10 10 10,weekdays 17:00-08:00\n",
		    "u.csv:3: hours: " },
		{ "units", "code,name,kind,phone,hours\n"
		    "NEW,Ny enhet,other,023-10 10 10,sometimes\n",
		    "u.csv:2: hours: " },
		{ "units", "code,name,kind,phone\n" "NEW,X,other,023-10 10 10\n",
		    "u.csv:1: header: " },
		{ "units", "code,kind,name,phone,hours\n" "NEW,other,X,023-10 10 10,always\n",
		    "u.csv:1: header: " },
		{ "units", "", "u.csv:1: header: " },
		{ "units", "code,name,kind,phone,hours\n"
		    "NEW,Ny enhet,other,023-10 10 10,always\n"
		    "NEW2,X,other,023-10 10 10\n", "u.csv:3: hours: missing" },
		{ "units", "code,name,kind,phone,hours\n"
		    "NEW,Ny enhet,other,023-10 10 10,always,extra\n",
		    "u.csv:2: hours: 6 fields" },
		{ "units", "code,name,kind,phone,hours\n"
		    "NEW,Ny enhet,other,023-10 10 10,always\n"
		    "NEW2,\"X\"y,other,023-10 10 10,always\n", "u.csv:3: " },
	};

	import_ok(f, "units", units_csv, 3);
	check_bad_cases(f, cases, sizeof(cases) / sizeof(cases[0]));
	/* The valid row in front of each error was not kept either. */
	assert_int_equal(count_rows(f, "SELECT count(*) FROM units WHERE code = 'NEW'"), 0);
}

static void
test_people_good(void **state)
{
	struct fixture	*f = *state;
	char		*d;

	load_directory(f);
	d = dump(f, "SELECT phone, name, title, unit, can_request FROM people"
	    " ORDER BY phone");
	assert_string_equal(d,
	    "+46701112233|Björn Ek|specialistläkare|KARD|0\n"
	    "+46701740605|Anna Berg|överläkare|KARD|0\n"
	    "+46702223344|Cecilia Ström|distriktsläkare|ALVDALEN|1\n");
	free(d);
	/* Upsert by phone: same number in another form updates the row. */
	import_ok(f, "people", "name,phone,title,unit,can_request\n"
	    "Anna Berg-Lind,+46 70 174 06 05,överläkare,ALVDALEN,YES\n", 1);
	assert_int_equal(count_rows(f, "SELECT count(*) FROM people"), 3);
	d = dump(f, "SELECT name, unit, can_request FROM people"
	    " WHERE phone = '+46701740605'");
	assert_string_equal(d, "Anna Berg-Lind|ALVDALEN|1\n");
	free(d);
}

static void
test_people_errors(void **state)
{
	struct fixture *f = *state;
	static const struct bad_case cases[] = {
		{ "people", "name,phone,title,unit,can_request\n"
		    "Dan Ny,070-999 99 99,läkare,KARD,no\n"
		    "Eva Ny,070-888 88 88,läkare,ORTO,no\n",
		    "p.csv:3: unit: no unit ORTO" },
		{ "people", "name,phone,title,unit,can_request\n"
		    "Dan Ny,070-999 99 99,läkare,KARD,no\n"
		    "Eva Ny,070-888 88 88,läkare,KARD,maybe\n",
		    "p.csv:3: can_request: " },
		{ "people", "name,phone,title,unit,can_request\n"
		    "Dan Ny,070-999 99 99,läkare,KARD,no\n"
		    "Eva Ny,+46 70 999 99 99,läkare,KARD,no\n",
		    "p.csv:3: phone: +46709999999 is already on line 2" },
		{ "people", "name,phone,title,unit,can_request\n"
		    "Dan Ny,070-999 99 99,läkare,KARD,no\n"
		    "Eva Ny,12345,läkare,KARD,no\n", "p.csv:3: phone: " },
		{ "people", "name,phone,title,unit,can_request\n"
		    "Dan Ny,070-999 99 99,läkare,KARD,no\n"
		    ",070-888 88 88,läkare,KARD,no\n", "p.csv:3: name: empty" },
		{ "people", "name,phone,title,unit\n", "p.csv:1: header: " },
	};

	load_directory(f);
	check_bad_cases(f, cases, sizeof(cases) / sizeof(cases[0]));
	assert_int_equal(count_rows(f, "SELECT count(*) FROM people"), 3);
}

/*
 * The optional sixth people column: a pager call address, or empty for
 * none. A five-column file leaves the addresses it does not mention alone.
 */
static void
test_people_pager(void **state)
{
	struct fixture	*f = *state;
	char		*d;
	static const char all[] = "SELECT phone, coalesce(pager, '-') FROM people"
	    " ORDER BY phone";

	load_directory(f);
	d = dump(f, all);
	assert_string_equal(d, "+46701112233|-\n+46701740605|-\n+46702223344|-\n");
	free(d);

	import_ok(f, "people", "name,phone,title,unit,can_request,PAGER\n"
	    "Anna Berg,070-174 06 05,överläkare,KARD,no, 4711 \n"
	    "Björn Ek,070-111 22 33,specialistläkare,KARD,no,\n"
	    "Cecilia Ström,070-222 33 44,distriktsläkare,ALVDALEN,yes,"
	    "\" 0123456789012345\t\"\n", 3);
	d = dump(f, all);
	assert_string_equal(d, "+46701112233|-\n+46701740605|4711\n"
	    "+46702223344|0123456789012345\n");
	free(d);

	/* Five columns: the title changes, the pager stays. */
	import_ok(f, "people", "name,phone,title,unit,can_request\n"
	    "Anna Berg,070-174 06 05,professor,KARD,no\n", 1);
	d = dump(f, "SELECT title, pager FROM people WHERE phone = '+46701740605'");
	assert_string_equal(d, "professor|4711\n");
	free(d);

	/* Six columns: a changed address replaces it, an empty one clears it. */
	import_ok(f, "people", "name,phone,title,unit,can_request,pager\n"
	    "Anna Berg,070-174 06 05,professor,KARD,no,4712\n"
	    "Cecilia Ström,070-222 33 44,distriktsläkare,ALVDALEN,yes,\n", 2);
	d = dump(f, all);
	assert_string_equal(d, "+46701112233|-\n+46701740605|4712\n"
	    "+46702223344|-\n");
	free(d);

	/* A new person from a five-column file has none. */
	import_ok(f, "people", "name,phone,title,unit,can_request\n"
	    "Dan Ny,070-999 99 99,läkare,KARD,no\n", 1);
	assert_int_equal(count_rows(f, "SELECT count(*) FROM people WHERE"
	    " phone = '+46709999999' AND pager IS NULL"), 1);
}

static void
test_people_pager_errors(void **state)
{
	struct fixture *f = *state;
	static const struct bad_case cases[] = {
		{ "people", "name,phone,title,unit,can_request,pager\n"
		    "Dan Ny,070-999 99 99,läkare,KARD,no,4711\n"
		    "Eva Ny,070-888 88 88,läkare,KARD,no,47a1\n",
		    "p.csv:3: pager: \"47a1\": expected 1 to 16 digits 0-9,"
		    " or nothing for no pager" },
		{ "people", "name,phone,title,unit,can_request,pager\n"
		    "Dan Ny,070-999 99 99,läkare,KARD,no,4711\n"
		    "Eva Ny,070-888 88 88,läkare,KARD,no,12345678901234567\n",
		    "p.csv:3: pager: \"12345678901234567\": expected 1 to 16" },
		{ "people", "name,phone,title,unit,can_request,pager\n"
		    "Dan Ny,070-999 99 99,läkare,KARD,no,4711\n"
		    "Eva Ny,070-888 88 88,läkare,KARD,no,47 11\n",
		    "p.csv:3: pager: " },
		{ "people", "name,phone,title,unit,can_request,pager\n"
		    "Eva Ny,070-888 88 88,läkare,KARD,no,+4711\n",
		    "p.csv:2: pager: " },
		{ "people", "name,phone,title,unit,can_request,pager\n"
		    "Eva Ny,070-888 88 88,läkare,KARD,no,\xef\xbc\x94\xef\xbc\x97\n",
		    "p.csv:2: pager: " },
		{ "people", "name,phone,title,unit,can_request,pager\n"
		    "Eva Ny,070-888 88 88,läkare,KARD,no,-1\n",
		    "p.csv:2: pager: " },
		/* The header promised six columns. */
		{ "people", "name,phone,title,unit,can_request,pager\n"
		    "Dan Ny,070-999 99 99,läkare,KARD,no,4711\n"
		    "Eva Ny,070-888 88 88,läkare,KARD,no\n",
		    "p.csv:3: pager: missing (expected name,phone,title,unit,"
		    "can_request,pager)" },
		{ "people", "name,phone,title,unit,can_request,pager\n"
		    "Eva Ny,070-888 88 88,läkare,KARD,no,4711,x\n",
		    "p.csv:2: pager: 7 fields, expected 6" },
		{ "people", "name,phone,title,unit,can_request\n"
		    "Eva Ny,070-888 88 88,läkare,KARD,no,4711\n",
		    "p.csv:2: can_request: 6 fields, expected 5" },
		{ "people", "name,phone,title,unit,can_request,pager\n"
		    "Eva Ny,070-888 88 88,läkare,KARD,no,\"47\"1\n",
		    "p.csv:2: pager: " },
		{ "people", "name,phone,title,unit,can_request,personsökare\n"
		    "Eva Ny,070-888 88 88,läkare,KARD,no,4711\n",
		    "p.csv:1: header: column 6 is \"personsökare\", expected "
		    "name,phone,title,unit,can_request[,pager]" },
		{ "people", "name,phone,title,unit,can_request,pager,x\n",
		    "p.csv:1: header: 7 columns, expected "
		    "name,phone,title,unit,can_request[,pager]" },
		/* Only people have a sixth column. */
		{ "units", "code,name,kind,phone,hours,pager\n"
		    "NEW,Ny enhet,other,023-10 10 10,always,4711\n",
		    "u.csv:1: header: 6 columns, expected code,name,kind,phone,"
		    "hours" },
	};

	load_directory(f);
	import_ok(f, "people", "name,phone,title,unit,can_request,pager\n"
	    "Anna Berg,070-174 06 05,överläkare,KARD,no,4711\n", 1);
	check_bad_cases(f, cases, sizeof(cases) / sizeof(cases[0]));
	assert_int_equal(count_rows(f, "SELECT count(*) FROM people"), 3);
	assert_int_equal(count_rows(f, "SELECT count(*) FROM people WHERE"
	    " pager IS NOT NULL"), 1);
}

static void
test_bom_crlf_quotes(void **state)
{
	struct fixture	*f = *state;
	char		*d;

	import_ok(f, "units",
	    "\xef\xbb\xbf" "code,name,kind,phone,hours\r\n"
	    "ORSA,\"Orsa VC, \"\"Norra\"\"\",health_centre,0250-55 00 00,weekdays 08:00-17:00\r\n"
	    "\r\n"
	    "MORA,Mora lasarett,hospital,0250-49 30 00,always\r\n", 2);
	d = dump(f, "SELECT code, name, hours FROM units ORDER BY code");
	assert_string_equal(d,
	    "MORA|Mora lasarett|always\n"
	    "ORSA|Orsa VC, \"Norra\"|weekdays 08:00-17:00\n");
	free(d);
}

static void
test_roster_good(void **state)
{
	struct fixture	*f = *state;
	char		 want[512];
	char		*d;

	load_directory(f);
	import_ok(f, "roster", roster_csv, 3);
	d = dump(f, "SELECT unit, role, phone, start_at, end_at, source FROM shifts"
	    " ORDER BY role, start_at");
	snprintf(want, sizeof(want),
	    "KARD|backup|+46701740605|%lld|%lld|roster\n"
	    "KARD|primary|+46701740605|%lld|%lld|roster\n"
	    "KARD|primary|+46701112233|%lld|%lld|roster\n",
	    (long long)t("2026-11-23 08:00"), (long long)t("2026-11-25 08:00"),
	    (long long)t("2026-11-23 08:00"), (long long)t("2026-11-24 08:00"),
	    (long long)t("2026-11-24 08:00"), (long long)t("2026-11-25 08:00"));
	assert_string_equal(d, want);
	free(d);
	/* 2026-11-23 08:00 is CET: 07:00 UTC. */
	assert_int_equal(t("2026-11-23 08:00"), 1795417200000LL);
}

static void
test_roster_errors(void **state)
{
	struct fixture *f = *state;
	static const struct bad_case cases[] = {
		{ "roster", "unit,role,phone,start,end\n"
		    "KARD,primary,070-174 06 05,2026-12-01 08:00,2026-12-02 08:00\n"
		    "ORTO,primary,070-174 06 05,2026-12-01 08:00,2026-12-02 08:00\n",
		    "r.csv:3: unit: no unit ORTO" },
		{ "roster", "unit,role,phone,start,end\n"
		    "KARD,primary,070-174 06 05,2026-12-01 08:00,2026-12-02 08:00\n"
		    "KARD,bak jour,070-174 06 05,2026-12-01 08:00,2026-12-02 08:00\n",
		    "r.csv:3: role: " },
		{ "roster", "unit,role,phone,start,end\n"
		    "KARD,primary,070-174 06 05,2026-12-01 08:00,2026-12-02 08:00\n"
		    "KARD,backup,070-555 55 55,2026-12-01 08:00,2026-12-02 08:00\n",
		    "r.csv:3: phone: +46705555555 is not in the directory" },
		{ "roster", "unit,role,phone,start,end\n"
		    "KARD,primary,070-174 06 05,2026-12-01 08:00,2026-12-02 08:00\n"
		    "KARD,backup,070-174 06 05,1 december,2026-12-02 08:00\n",
		    "r.csv:3: start: " },
		{ "roster", "unit,role,phone,start,end\n"
		    "KARD,primary,070-174 06 05,2026-12-01 08:00,2026-12-02 08:00\n"
		    "KARD,backup,070-174 06 05,2026-12-01 08:00,2026-13-02 08:00\n",
		    "r.csv:3: end: " },
		{ "roster", "unit,role,phone,start,end\n"
		    "KARD,primary,070-174 06 05,2026-12-01 08:00,2026-12-02 08:00\n"
		    "KARD,backup,070-174 06 05,2026-12-01 08:00,2026-12-01 08:00\n",
		    "r.csv:3: end: not after start" },
		/* Overlap: the later line is named, with the line it overlaps. */
		{ "roster", "unit,role,phone,start,end\n"
		    "KARD,primary,070-174 06 05,2026-12-01 08:00,2026-12-02 08:00\n"
		    "KARD,backup,070-111 22 33,2026-12-01 12:00,2026-12-01 20:00\n"
		    "KARD,primary,070-111 22 33,2026-12-01 20:00,2026-12-02 10:00\n",
		    "r.csv:4: start: overlaps line 2" },
		/* The overlapping row may come first in the file but start later. */
		{ "roster", "unit,role,phone,start,end\n"
		    "KARD,primary,070-111 22 33,2026-12-03 08:00,2026-12-04 08:00\n"
		    "KARD,primary,070-174 06 05,2026-12-02 08:00,2026-12-03 08:00\n"
		    "KARD,primary,070-174 06 05,2026-12-01 08:00,2026-12-05 08:00\n",
		    "r.csv:4: start: overlaps line 2" },
		/* Spring forward: 02:00-02:59 does not exist on that day. */
		{ "roster", "unit,role,phone,start,end\n"
		    "KARD,primary,070-174 06 05,2027-03-27 08:00,2027-03-28 01:00\n"
		    "KARD,primary,070-111 22 33,2027-03-28 02:30,2027-03-28 08:00\n",
		    "r.csv:3: start: \"2027-03-28 02:30\": that time does not exist "
		    "in Europe/Stockholm (the clocks go from 02:00 to 03:00)" },
		{ "roster", "unit,role,phone,start,end\n"
		    "KARD,primary,070-174 06 05,2027-03-27 08:00,2027-03-28 02:00\n",
		    "r.csv:2: end: \"2027-03-28 02:00\": that time does not exist "
		    "in Europe/Stockholm (the clocks go from 02:00 to 03:00)" },
	};
	char	err[512];
	int	count;

	load_directory(f);
	import_ok(f, "roster", roster_csv, 3);
	check_bad_cases(f, cases, sizeof(cases) / sizeof(cases[0]));
	assert_int_equal(count_rows(f, "SELECT count(*) FROM shifts"), 3);

	/* Touching shifts (end = next start) do not overlap. */
	assert_int_equal(import_text(f, "roster", "unit,role,phone,start,end\n"
	    "KARD,chief,070-174 06 05,2026-12-01 08:00,2026-12-02 08:00\n"
	    "KARD,chief,070-111 22 33,2026-12-02 08:00,2026-12-03 08:00\n",
	    &count, err, sizeof(err)), 0);
	assert_int_equal(count, 2);

	/* An unknown kind is refused before the file is read. */
	assert_int_equal(import_csv(f->db, "rooms", "/nonexistent", &count, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown import kind"));
	assert_int_equal(import_csv(f->db, "units", "/nonexistent/u.csv", &count,
	    err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/u.csv: "));
}

static void
test_roster_reimport(void **state)
{
	struct fixture	*f = *state;
	char		*first, *second;
	static const char sql[] =
	    "SELECT unit, role, phone, start_at, end_at, source FROM shifts"
	    " ORDER BY unit, role, start_at";

	load_directory(f);
	import_ok(f, "roster", roster_csv, 3);
	first = dump(f, sql);
	import_ok(f, "roster", roster_csv, 3);
	second = dump(f, sql);
	assert_string_equal(first, second);
	assert_int_equal(count_rows(f, "SELECT count(*) FROM shifts"), 3);
	free(first);
	free(second);
}

static void
add_shift(struct fixture *f, const char *role, const char *phone,
    const char *start, const char *end, const char *source)
{
	sqlite3_stmt	*st;

	assert_int_equal(sqlite3_prepare_v2(db_handle(f->db),
	    "INSERT INTO shifts (unit, role, phone, start_at, end_at, source)"
	    " VALUES ('KARD', ?, ?, ?, ?, ?)", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, role, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, phone, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, t(start));
	sqlite3_bind_int64(st, 4, t(end));
	sqlite3_bind_text(st, 5, source, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

static void
test_roster_replace(void **state)
{
	struct fixture	*f = *state;
	char		 want[1024];
	char		*d;
	const char	*a = "+46701740605", *b = "+46701112233";

	load_directory(f);
	/* Before the span: kept. */
	add_shift(f, "primary", b, "2026-11-20 08:00", "2026-11-21 08:00", "roster");
	/* Straddles the span's start: cut at it. */
	add_shift(f, "primary", b, "2026-11-22 08:00", "2026-11-23 20:00", "roster");
	/* Inside the span: replaced. */
	add_shift(f, "primary", b, "2026-11-24 00:00", "2026-11-24 12:00", "roster");
	/* Straddles the span's end: cut at it. */
	add_shift(f, "primary", b, "2026-11-24 20:00", "2026-11-26 08:00", "roster");
	/* An override inside the span: never touched by a roster import. */
	add_shift(f, "primary", b, "2026-11-23 10:00", "2026-11-23 12:00", "override");
	/* Another role inside the span: not named by the file, kept. */
	add_shift(f, "chief", b, "2026-11-23 08:00", "2026-11-24 08:00", "roster");

	import_ok(f, "roster", "unit,role,phone,start,end\n"
	    "KARD,primary,070-174 06 05,2026-11-23 08:00,2026-11-24 08:00\n"
	    "KARD,primary,070-174 06 05,2026-11-24 08:00,2026-11-25 08:00\n", 2);

	d = dump(f, "SELECT role, phone, start_at, end_at, source FROM shifts"
	    " ORDER BY role, start_at, source");
	snprintf(want, sizeof(want),
	    "chief|%s|%lld|%lld|roster\n"
	    "primary|%s|%lld|%lld|roster\n"
	    "primary|%s|%lld|%lld|roster\n"
	    "primary|%s|%lld|%lld|roster\n"
	    "primary|%s|%lld|%lld|override\n"
	    "primary|%s|%lld|%lld|roster\n"
	    "primary|%s|%lld|%lld|roster\n",
	    b, (long long)t("2026-11-23 08:00"), (long long)t("2026-11-24 08:00"),
	    b, (long long)t("2026-11-20 08:00"), (long long)t("2026-11-21 08:00"),
	    b, (long long)t("2026-11-22 08:00"), (long long)t("2026-11-23 08:00"),
	    a, (long long)t("2026-11-23 08:00"), (long long)t("2026-11-24 08:00"),
	    b, (long long)t("2026-11-23 10:00"), (long long)t("2026-11-23 12:00"),
	    a, (long long)t("2026-11-24 08:00"), (long long)t("2026-11-25 08:00"),
	    b, (long long)t("2026-11-25 08:00"), (long long)t("2026-11-26 08:00"));
	assert_string_equal(d, want);
	free(d);
}

/* Rows in the large-file tests: a region-wide directory and then some. */
#define MANY	100000

/* n unit rows U000000 … with distinct names, then last (may be NULL). */
static char *
many_units(int n, const char *last, size_t *len)
{
	char	*out = NULL;
	FILE	*fp = open_memstream(&out, len);
	int	 i;

	assert_non_null(fp);
	fputs("code,name,kind,phone,hours\n", fp);
	for (i = 0; i < n; i++)
		fprintf(fp, "U%06d,Enhet %06d,specialty,070%07d,always\n", i, i,
		    i);
	if (last != NULL)
		fputs(last, fp);
	fclose(fp);
	return out;
}

/* Imports len bytes of buf as kind; the error, or "" on success. */
static const char *
import_big(struct fixture *f, const char *kind, const char *name,
    const char *buf, size_t len, int *count)
{
	static char	err[512];

	err[0] = '\0';
	import_buffer(f->db, kind, name, buf, len, count, err, sizeof(err));
	return err;
}

static double
seconds_since(const struct timespec *t0)
{
	struct timespec	t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/*
 * A duplicate far from its first line is still found and both lines are
 * named, in files of 100,000 rows; and such a file is checked in n log n
 * time, not by comparing every row with every earlier one (which took
 * minutes at this size).
 */
static void
test_units_many(void **state)
{
	struct fixture	*f = *state;
	struct timespec	 t0;
	char		*buf, want[128];
	size_t		 len;
	int		 count;

	buf = many_units(MANY, "u000000,Sist,other,070-174 06 99,always\n",
	    &len);
	snprintf(want, sizeof(want), "u.csv:%d: code: U000000 is already on "
	    "line 2", MANY + 2);
	assert_string_equal(import_big(f, "units", "u.csv", buf, len, &count),
	    want);
	free(buf);

	buf = many_units(MANY, "SIST,ENHET 049999,other,070-174 06 99,always\n",
	    &len);
	snprintf(want, sizeof(want), "u.csv:%d: name: \"ENHET 049999\" is "
	    "already the name on line %d", MANY + 2, 50001);
	assert_string_equal(import_big(f, "units", "u.csv", buf, len, &count),
	    want);
	free(buf);
	assert_int_equal(count_rows(f, "SELECT count(*) FROM units"), 0);

	buf = many_units(MANY, NULL, &len);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_string_equal(import_big(f, "units", "u.csv", buf, len, &count),
	    "");
	if (seconds_since(&t0) > 20)
		fail_msg("%d units took %.1f s", MANY, seconds_since(&t0));
	assert_int_equal(count, MANY);
	free(buf);
}

/* The same for people: a number written in another form is a duplicate. */
static void
test_people_many(void **state)
{
	struct fixture	*f = *state;
	struct timespec	 t0;
	char		*buf = NULL, want[128];
	size_t		 len;
	FILE		*fp;
	int		 i, count;

	load_directory(f);
	assert_non_null(fp = open_memstream(&buf, &len));
	fputs("name,phone,title,unit,can_request\n", fp);
	for (i = 0; i < MANY; i++)
		fprintf(fp, "Person %d,070%07d,läkare,KARD,yes\n", i, i);
	fputs("Sist,+46 70 000 00 07,läkare,KARD,no\n", fp);
	fclose(fp);
	snprintf(want, sizeof(want), "p.csv:%d: phone: +46700000007 is already "
	    "on line 9", MANY + 2);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_string_equal(import_big(f, "people", "p.csv", buf, len, &count),
	    want);
	if (seconds_since(&t0) > 20)
		fail_msg("%d people took %.1f s", MANY, seconds_since(&t0));
	free(buf);
	assert_int_equal(count_rows(f, "SELECT count(*) FROM people"), 3);
}

/* db_open(":memory:"), as fuzz_import uses it, leaves no file behind. */
static void
test_memory_database(void **state)
{
	struct fixture	*f = *state;
	struct db	*db;
	char		 cwd[256], err[256];

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(f->dir), 0);
	db = db_open(":memory:", err, sizeof(err));
	if (db == NULL)
		fail_msg("db_open: %s", err);
	db_close(db);
	assert_int_equal(access(":memory:", F_OK), -1);
	assert_int_equal(chdir(cwd), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_units_good, setup, teardown),
		cmocka_unit_test_setup_teardown(test_units_upsert, setup, teardown),
		cmocka_unit_test_setup_teardown(test_units_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_people_good, setup, teardown),
		cmocka_unit_test_setup_teardown(test_people_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_people_pager, setup, teardown),
		cmocka_unit_test_setup_teardown(test_people_pager_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bom_crlf_quotes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roster_good, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roster_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roster_reimport, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roster_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_units_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_people_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory_database, setup,
		    teardown),
	};

	jtime_zone();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
