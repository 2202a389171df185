/*
 * test_removal.c — taking people and units out of the directory, against a
 * temporary database filled by the importer: what refuses a removal (a
 * shift not yet ended, an open page, an open consult), what does not (a
 * shift that has ended, one of a removed unit, a closed consult), that a
 * refusal changes nothing, and that an import brings a row back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "db.h"
#include "import.h"
#include "jtime.h"
#include "log.h"
#include "removal.h"

/* 2027-01-15 12:00 UTC: every time below is relative to it. */
#define NOW	((jtime_t)1800014400000LL)

struct fixture {
	char		 dir[64];
	char		 path[128];
	struct db	*db;
};

static const char units_csv[] =
    "code,name,kind,phone,hours\n"
    "KARD,Kardiologi,specialty,+4623490000,always\n"
    "ORT,Ortopedi,specialty,+4623490001,always\n";
static const char people_csv[] =
    "name,phone,title,unit,can_request\n"
    "Anna Berg,+46701740605,överläkare,KARD,no\n"
    "Björn Ek,+46701112233,specialistläkare,ORT,no\n";

static void
load(struct db *db, const char *kind, const char *csv)
{
	char	err[512];
	int	count;

	if (import_buffer(db, kind, kind, csv, strlen(csv), &count, err,
	    sizeof(err)) == -1)
		fail_msg("import %s: %s", kind, err);
}

/* Runs sql with printf arguments. */
static void
exec(struct db *db, const char *fmt, ...)
{
	char	sql[1024];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	if (db_exec(db, sql) == -1)
		fail_msg("%s: %s", sql, db_errmsg(db));
}

/* The first column of sql as an integer, -1 for NULL. */
static int64_t
query(struct db *db, const char *sql)
{
	sqlite3_stmt	*st;
	int64_t		 v = -2;

	assert_int_equal(sqlite3_prepare_v2(db_handle(db), sql, -1, &st, NULL),
	    SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_type(st, 0) == SQLITE_NULL ? -1 :
		    sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void
shift(struct db *db, const char *unit, const char *role, const char *phone,
    jtime_t start, jtime_t end, const char *source)
{
	exec(db, "INSERT INTO shifts (unit, role, phone, start_at, end_at,"
	    " source) VALUES ('%s', '%s', '%s', %lld, %lld, '%s')", unit, role,
	    phone, (long long)start, (long long)end, source);
}

/* A consult in state with one leg on unit; its id. */
static int64_t
consult(struct db *db, const char *unit, const char *state)
{
	exec(db, "INSERT INTO consults (track, state, requester, callback, text,"
	    " created_at) VALUES ('akut', '%s', '+46701740606', '', 'x', %lld)",
	    state, (long long)(NOW - JT_HOUR));
	exec(db, "INSERT INTO legs (consult_id, idx, unit, state) VALUES"
	    " (last_insert_rowid(), 0, '%s', 'paging')", unit);
	return query(db, "SELECT max(id) FROM consults");
}

static int
setup(void **state)
{
	struct fixture	*f = calloc(1, sizeof(*f));
	char		 err[512];

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_removal.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/jourd.db", f->dir);
	if ((f->db = db_open(f->path, err, sizeof(err))) == NULL)
		fail_msg("db_open: %s", err);
	load(f->db, "units", units_csv);
	load(f->db, "people", people_csv);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;
	char		 path[192];
	static const char *names[] = { "jourd.db", "jourd.db-wal",
	    "jourd.db-shm" };
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

static void
test_a_person_without_duties_is_removed_once(void **state)
{
	struct fixture		*f = *state;
	struct removal_report	 r;

	/* A shift that ended at now is over (end is exclusive). */
	shift(f->db, "KARD", "primary", "+46701740605", NOW - JT_HOUR, NOW,
	    "roster");
	assert_int_equal(removal_person(f->db, "+46701740605", NOW, &r),
	    REMOVAL_DONE);
	assert_string_equal(r.name, "Anna Berg");
	assert_int_equal(query(f->db, "SELECT removed_at FROM people"
	    " WHERE phone = '+46701740605'"), NOW);
	/* The row stays, so history keeps the name. */
	assert_int_equal(query(f->db, "SELECT count(*) FROM people"), 2);
	assert_int_equal(query(f->db, "SELECT count(*) FROM events"
	    " WHERE type = 'removed' AND consult_id IS NULL AND detail ="
	    " 'person +46701740605 Anna Berg (KARD)'"), 1);

	assert_int_equal(removal_person(f->db, "+46701740605", NOW + 5, &r),
	    REMOVAL_ALREADY);
	assert_int_equal(r.removed_at, NOW);
	assert_int_equal(removal_person(f->db, "+46709999999", NOW, &r),
	    REMOVAL_UNKNOWN);
	/* Another person is untouched. */
	assert_int_equal(query(f->db, "SELECT removed_at FROM people"
	    " WHERE phone = '+46701112233'"), -1);
}

static void
test_shifts_not_ended_refuse_and_change_nothing(void **state)
{
	struct fixture		*f = *state;
	struct removal_report	 r;
	int			 i;

	shift(f->db, "KARD", "backup", "+46701740605", NOW + 48 * JT_HOUR,
	    NOW + 60 * JT_HOUR, "roster");
	shift(f->db, "KARD", "primary", "+46701740605", NOW - JT_HOUR,
	    NOW + 1, "override");
	assert_int_equal(removal_person(f->db, "+46701740605", NOW, &r),
	    REMOVAL_REFUSED);
	assert_int_equal(r.nshifts, 2);
	assert_int_equal(r.nconsults, 0);
	/* Soonest ending first: the override that is held now. */
	assert_string_equal(r.shifts[0].unit, "KARD");
	assert_string_equal(r.shifts[0].role, "primary");
	assert_true(r.shifts[0].override);
	assert_int_equal(r.shifts[0].end, NOW + 1);
	assert_string_equal(r.shifts[1].role, "backup");
	assert_false(r.shifts[1].override);
	assert_int_equal(r.shifts[1].start, NOW + 48 * JT_HOUR);
	assert_int_equal(query(f->db, "SELECT removed_at FROM people"
	    " WHERE phone = '+46701740605'"), -1);
	assert_int_equal(query(f->db, "SELECT count(*) FROM events"), 0);

	/* Many shifts: every one counted, the first few kept. */
	for (i = 0; i < REMOVAL_SHOWN + 3; i++)
		shift(f->db, "ORT", "primary", "+46701740605",
		    NOW + (100 + i) * JT_HOUR, NOW + (101 + i) * JT_HOUR,
		    "roster");
	assert_int_equal(removal_person(f->db, "+46701740605", NOW, &r),
	    REMOVAL_REFUSED);
	assert_int_equal(r.nshifts, REMOVAL_SHOWN + 5);
	assert_int_equal(r.shifts[REMOVAL_SHOWN - 1].end,
	    NOW + (101 + REMOVAL_SHOWN - 3) * JT_HOUR);
}

/* A removed unit routes nothing: its shifts keep nobody in the directory. */
static void
test_shifts_of_a_removed_unit_do_not_refuse(void **state)
{
	struct fixture		*f = *state;
	struct removal_report	 r;

	shift(f->db, "ORT", "primary", "+46701112233", NOW - JT_HOUR,
	    NOW + 24 * JT_HOUR, "roster");
	assert_int_equal(removal_person(f->db, "+46701112233", NOW, &r),
	    REMOVAL_REFUSED);
	assert_int_equal(removal_unit(f->db, "ORT", NOW, &r), REMOVAL_DONE);
	assert_string_equal(r.name, "Ortopedi");
	assert_int_equal(removal_person(f->db, "+46701112233", NOW, &r),
	    REMOVAL_DONE);
}

static void
test_an_open_page_refuses_a_person(void **state)
{
	struct fixture		*f = *state;
	struct removal_report	 r;
	int64_t			 id;

	id = consult(f->db, "KARD", "open");
	exec(f->db, "INSERT INTO pages (consult_id, leg, to_phone, role, step,"
	    " code, created_at) VALUES (%lld, 0, '+46701740605', 'primary', 0,"
	    " 1, %lld)", (long long)id, (long long)NOW);
	assert_int_equal(removal_person(f->db, "+46701740605", NOW, &r),
	    REMOVAL_REFUSED);
	assert_int_equal(r.nshifts, 0);
	assert_int_equal(r.nconsults, 1);
	assert_int_equal(r.consults[0].id, id);
	assert_string_equal(r.consults[0].state, "open");
	exec(f->db, "UPDATE pages SET closed_at = %lld", (long long)NOW);
	assert_int_equal(removal_person(f->db, "+46701740605", NOW, &r),
	    REMOVAL_DONE);
}

static void
test_a_unit_with_open_consults_is_refused(void **state)
{
	struct fixture		*f = *state;
	struct removal_report	 r;
	int64_t			 queued, open;

	consult(f->db, "KARD", "resolved");
	consult(f->db, "KARD", "acknowledged");
	queued = consult(f->db, "KARD", "queued");
	open = consult(f->db, "KARD", "open");
	consult(f->db, "ORT", "open");
	assert_int_equal(removal_unit(f->db, "KARD", NOW, &r), REMOVAL_REFUSED);
	assert_int_equal(r.nconsults, 2);
	assert_int_equal(r.consults[0].id, queued);
	assert_string_equal(r.consults[0].state, "queued");
	assert_int_equal(r.consults[1].id, open);
	assert_string_equal(r.consults[1].track, "akut");
	assert_int_equal(query(f->db, "SELECT removed_at FROM units"
	    " WHERE code = 'KARD'"), -1);

	exec(f->db, "UPDATE consults SET state = 'cancelled'"
	    " WHERE state IN ('queued', 'open')");
	assert_int_equal(removal_unit(f->db, "KARD", NOW, &r), REMOVAL_DONE);
	assert_int_equal(removal_unit(f->db, "KARD", NOW, &r), REMOVAL_ALREADY);
	/* Codes are matched as stored: the caller raises the case. */
	assert_int_equal(removal_unit(f->db, "kard", NOW, &r), REMOVAL_UNKNOWN);
	assert_int_equal(query(f->db, "SELECT count(*) FROM events"
	    " WHERE type = 'removed' AND detail = 'unit KARD Kardiologi'"), 1);
}

/* An import of the same phone or code brings the row back. */
static void
test_an_import_brings_them_back(void **state)
{
	struct fixture		*f = *state;
	struct removal_report	 r;
	char			 err[512];
	int			 count;
	static const char	 roster[] = "unit,role,phone,start,end\n"
	    "KARD,primary,+46701740605,2027-02-01 08:00,2027-02-01 20:00\n";

	assert_int_equal(removal_person(f->db, "+46701740605", NOW, &r),
	    REMOVAL_DONE);
	assert_int_equal(removal_unit(f->db, "ORT", NOW, &r), REMOVAL_DONE);
	/* Nobody puts a removed person on a roster, or people in a removed
	 * unit, by mistake: the import says what to do instead. */
	assert_int_equal(import_buffer(f->db, "roster", "r.csv", roster,
	    strlen(roster), &count, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "r.csv:2: phone: +46701740605 was removed"));
	assert_int_equal(import_buffer(f->db, "people", "p.csv", people_csv,
	    strlen(people_csv), &count, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "p.csv:3: unit: ORT was removed"));

	load(f->db, "units", units_csv);
	load(f->db, "people", people_csv);
	assert_int_equal(query(f->db, "SELECT count(*) FROM people"
	    " WHERE removed_at IS NOT NULL"), 0);
	assert_int_equal(query(f->db, "SELECT count(*) FROM units"
	    " WHERE removed_at IS NOT NULL"), 0);
	load(f->db, "roster", roster);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_a_person_without_duties_is_removed_once, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_shifts_not_ended_refuse_and_change_nothing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_shifts_of_a_removed_unit_do_not_refuse, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_an_open_page_refuses_a_person, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_a_unit_with_open_consults_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_an_import_brings_them_back, setup, teardown),
	};

	jtime_zone();
	log_init("test_removal", 1, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
