/*
 * test_db.c — the database module at its edge: which files db_open takes
 * (created only where none exists; no empty file, no newer schema), the
 * daemon's lock on the file itself (through hard and symbolic links, and
 * independent of SQLite's own locks), quick_check, db_row's three
 * answers, and a directory written before people had pagers.
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
#include "jtime.h"
#include "log.h"
#include "schema.h"
#include "store.h"

struct fixture {
	char	dir[64];
	char	path[128];	/* jourd.db in dir, not created yet */
	char	link[128];	/* a second name in dir, not created yet */
};

static int
setup(void **state)
{
	struct fixture	*f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_db.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/jourd.db", f->dir);
	snprintf(f->link, sizeof(f->link), "%s/other.db", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;
	char		 path[192];
	static const char *names[] = { "jourd.db", "jourd.db-wal",
	    "jourd.db-shm", "other.db", "other.db-wal", "other.db-shm" };
	size_t		 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", f->dir, names[i]);
		unlink(path);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

/* Runs sql on path through a plain connection of db_open. */
static void
exec_on(const char *path, const char *sql)
{
	struct db	*db;
	char		 err[512];

	if ((db = db_open(path, err, sizeof(err))) == NULL)
		fail_msg("db_open: %s", err);
	assert_int_equal(db_exec(db, sql), 0);
	db_close(db);
}

static void
test_created_where_no_file_exists(void **state)
{
	struct fixture	*f = *state;
	struct db	*db;
	char		 err[512];

	db = db_open_daemon(f->path, err, sizeof(err));
	if (db == NULL)
		fail_msg("db_open_daemon: %s", err);
	assert_true(db_version(db) > 0);
	assert_true(db_int64(db, "SELECT count(*) FROM sqlite_master") > 5);
	db_close(db);
	/* And it opens again as the database it now is. */
	db = db_open_daemon(f->path, err, sizeof(err));
	assert_non_null(db);
	db_close(db);
}

static void
test_an_existing_empty_file_is_refused(void **state)
{
	struct fixture	*f = *state;
	FILE		*fp;
	char		 err[512] = "";

	assert_non_null(fp = fopen(f->path, "w"));
	fclose(fp);
	assert_null(db_open(f->path, err, sizeof(err)));
	assert_non_null(strstr(err, f->path));
	assert_non_null(strstr(err, "empty"));
	err[0] = '\0';
	assert_null(db_open_daemon(f->path, err, sizeof(err)));
	assert_non_null(strstr(err, "empty"));
	/* Refused, and left as it was. */
	assert_null(fopen(f->link, "r"));
	assert_non_null(fp = fopen(f->path, "r"));
	assert_int_equal(fgetc(fp), EOF);
	fclose(fp);
}

static void
test_a_newer_schema_is_refused(void **state)
{
	struct fixture	*f = *state;
	char		 err[512] = "";

	exec_on(f->path, "PRAGMA user_version = 9999");
	assert_null(db_open(f->path, err, sizeof(err)));
	assert_non_null(strstr(err, f->path));
	assert_non_null(strstr(err, "9999"));
	assert_non_null(strstr(err, "newer"));
}

static void
test_the_lock_holds_through_every_name_of_the_file(void **state)
{
	struct fixture	*f = *state;
	struct db	*daemon, *ctl, *second;
	char		 err[512] = "";

	if ((daemon = db_open_daemon(f->path, err, sizeof(err))) == NULL)
		fail_msg("db_open_daemon: %s", err);
	/* flock conflicts between open files, even in one process. */
	assert_int_equal(link(f->path, f->link), 0);
	assert_null(db_open_daemon(f->link, err, sizeof(err)));
	assert_non_null(strstr(err, "already running"));
	assert_int_equal(unlink(f->link), 0);
	assert_int_equal(symlink(f->path, f->link), 0);
	err[0] = '\0';
	assert_null(db_open_daemon(f->link, err, sizeof(err)));
	assert_non_null(strstr(err, "already running"));

	/* SQLite's fcntl locks do not meet the flock: another connection
	 * writes and the daemon's connection reads it and writes too. */
	if ((ctl = db_open(f->path, err, sizeof(err))) == NULL)
		fail_msg("db_open: %s", err);
	assert_int_equal(db_exec(ctl, "INSERT INTO status (key, value, "
	    "updated_at) VALUES ('a', 'b', 0)"), 0);
	assert_int_equal(db_int64(daemon, "SELECT count(*) FROM status WHERE "
	    "key = 'a'"), 1);
	assert_int_equal(db_begin(daemon), 0);
	assert_int_equal(db_exec(daemon, "DELETE FROM status WHERE key = 'a'"),
	    0);
	assert_int_equal(db_commit(daemon), 0);
	db_close(ctl);
	assert_int_equal(db_exec(daemon, "INSERT INTO status (key, value, "
	    "updated_at) VALUES ('c', 'd', 0)"), 0);

	/* The lock dies with its holder. */
	db_close(daemon);
	if ((second = db_open_daemon(f->link, err, sizeof(err))) == NULL)
		fail_msg("db_open_daemon after close: %s", err);
	db_close(second);
}

static void
test_quick_check_refuses_a_damaged_file(void **state)
{
	struct fixture	*f = *state;
	struct db	*db;
	FILE		*fp;
	char		 err[512] = "";
	int64_t		 page, size;

	if ((db = db_open(f->path, err, sizeof(err))) == NULL)
		fail_msg("db_open: %s", err);
	page = db_int64(db, "SELECT rootpage FROM sqlite_master WHERE "
	    "name = 'people'");
	size = db_int64(db, "PRAGMA page_size");
	assert_int_equal(db_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)"), 0);
	db_close(db);
	assert_true(page > 1 && size > 0);
	assert_non_null(fp = fopen(f->path, "r+b"));
	assert_int_equal(fseek(fp, (long)((page - 1) * size), SEEK_SET), 0);
	assert_int_equal(fwrite("\x00\xff\x00\xff\x00\xff", 1, 6, fp), 6);
	fclose(fp);

	assert_null(db_open_daemon(f->path, err, sizeof(err)));
	assert_non_null(strstr(err, f->path));
	assert_non_null(strstr(err, "quick_check"));
}

static void
test_db_row_tells_an_error_from_no_row(void **state)
{
	struct fixture	*f = *state;
	static const char sql_one[] = "SELECT 1";
	static const char sql_none[] = "SELECT 1 WHERE 0";
	/* Fails when stepped, not when prepared: integer overflow. */
	static const char sql_bad[] = "SELECT abs(-9223372036854775807 - 1)";
	struct db	*db;
	sqlite3_stmt	*st;
	char		 err[512];

	if ((db = db_open(f->path, err, sizeof(err))) == NULL)
		fail_msg("db_open: %s", err);
	assert_non_null(st = db_stmt(db, sql_one));
	assert_int_equal(db_row(db, st), 1);
	assert_int_equal(db_row(db, st), 0);
	assert_non_null(st = db_stmt(db, sql_none));
	assert_int_equal(db_row(db, st), 0);
	assert_true(db_may_write(db));
	assert_non_null(st = db_stmt(db, sql_bad));
	assert_int_equal(db_row(db, st), -1);
	/* Counted as storage trouble: writes wait out the pause. */
	assert_false(db_may_write(db));
	assert_true(db_retry_in(db) > 0);
	db_close(db);
}

/*
 * A directory written by a jourd from before people had pager addresses
 * (schema version 4) keeps its people when it is opened: each has no pager
 * until a six-column people file gives one.
 */
static void
test_people_keep_their_rows_and_get_no_pager(void **state)
{
	struct fixture	*f = *state;
	struct db	*db;
	sqlite3		*h;
	char		 err[512] = "";
	int		 i;

	assert_int_equal(sqlite3_open(f->path, &h), SQLITE_OK);
	for (i = 0; i < schema_nmigrations && schema_migrations[i].version <= 4;
	    i++)
		assert_int_equal(sqlite3_exec(h, schema_migrations[i].sql, NULL,
		    NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "PRAGMA user_version = 4;"
	    "INSERT INTO units VALUES ('KARD', 'Kardiologi', 'KARDIOLOGI',"
	    " 'specialty', '+4623490000', 'always');"
	    "INSERT INTO people VALUES ('+46701740605', 'Anna Berg',"
	    " 'överläkare', 'KARD', 0)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);

	if ((db = db_open(f->path, err, sizeof(err))) == NULL)
		fail_msg("db_open: %s", err);
	assert_true(db_version(db) >= 6);
	assert_int_equal(db_int64(db, "SELECT count(*) FROM people WHERE"
	    " phone = '+46701740605' AND name = 'Anna Berg' AND pager IS NULL"),
	    1);
	assert_int_equal(db_exec(db, "UPDATE people SET pager = '4711'"), 0);
	assert_int_equal(db_int64(db, "SELECT pager FROM people"), 4711);
	/* The schema itself refuses what the importer would. */
	assert_int_equal(db_exec(db, "UPDATE people SET pager = '47a1'"), -1);
	assert_int_equal(db_exec(db, "UPDATE people SET pager = ''"), -1);
	assert_int_equal(db_exec(db, "UPDATE people SET pager ="
	    " '12345678901234567'"), -1);
	db_close(db);
}

/*
 * consults.outcome holds only codes the configuration names (or NULL);
 * codes already stored when one was removed stay readable and savable.
 */
static void
test_outcomes_are_checked_by_the_database(void **state)
{
	struct fixture	*f = *state;
	struct db	*db;
	struct config	 cf;
	sqlite3		*h;
	char		 err[512] = "";
	int		 i;

	/* A version-6 database that already holds an outcome. */
	assert_int_equal(sqlite3_open(f->path, &h), SQLITE_OK);
	for (i = 0; i < schema_nmigrations && schema_migrations[i].version <= 6;
	    i++)
		assert_int_equal(sqlite3_exec(h, schema_migrations[i].sql, NULL,
		    NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "PRAGMA user_version = 6;"
	    "INSERT INTO consults (id, track, state, requester, callback, text,"
	    " created_at, outcome) VALUES (1, 'akut', 'resolved', '+4670', '',"
	    " 't', 1, 'OLD')", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);

	if ((db = db_open(f->path, err, sizeof(err))) == NULL)
		fail_msg("db_open: %s", err);
	memset(&cf, 0, sizeof(cf));
	snprintf(cf.outcomes[0], WORD_MAX, "INL");
	snprintf(cf.outcomes[1], WORD_MAX, "HEM");
	cf.noutcomes = 2;
	assert_int_equal(store_outcomes(db, &cf), 0);

	assert_int_equal(db_exec(db, "INSERT INTO consults (id, track, state,"
	    " requester, callback, text, created_at) VALUES (2, 'akut', 'open',"
	    " '+4670', '', 't', 2)"), 0);
	assert_int_equal(db_exec(db, "UPDATE consults SET outcome = 'INL'"
	    " WHERE id = 2"), 0);
	assert_int_equal(db_exec(db, "UPDATE consults SET outcome = 'XYZ'"
	    " WHERE id = 2"), -1);
	assert_int_equal(db_exec(db, "UPDATE consults SET outcome = 'inl'"
	    " WHERE id = 2"), -1);
	assert_int_equal(db_exec(db, "UPDATE consults SET outcome = NULL"
	    " WHERE id = 2"), 0);
	assert_int_equal(db_exec(db, "INSERT INTO consults (id, track, state,"
	    " requester, callback, text, created_at, outcome) VALUES (3,"
	    " 'akut', 'resolved', '+4670', '', 't', 3, 'NOPE')"), -1);
	/* OLD was stored before and is no longer configured: it stays, and a
	 * save that leaves it as it is goes through, but nothing new takes it. */
	assert_int_equal(db_exec(db, "UPDATE consults SET outcome = 'OLD',"
	    " state = 'resolved' WHERE id = 1"), 0);
	assert_int_equal(db_exec(db, "UPDATE consults SET outcome = 'OLD'"
	    " WHERE id = 2"), -1);
	/* A new configuration: HEM gone, RAD new. */
	snprintf(cf.outcomes[1], WORD_MAX, "RAD");
	assert_int_equal(store_outcomes(db, &cf), 0);
	assert_int_equal(db_exec(db, "UPDATE consults SET outcome = 'HEM'"
	    " WHERE id = 2"), -1);
	assert_int_equal(db_exec(db, "UPDATE consults SET outcome = 'RAD'"
	    " WHERE id = 2"), 0);
	db_close(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_created_where_no_file_exists,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_an_existing_empty_file_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_newer_schema_is_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_the_lock_holds_through_every_name_of_the_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_quick_check_refuses_a_damaged_file, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_db_row_tells_an_error_from_no_row, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_people_keep_their_rows_and_get_no_pager, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_outcomes_are_checked_by_the_database, setup, teardown),
	};

	jtime_zone();
	log_init("test_db", 1, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
