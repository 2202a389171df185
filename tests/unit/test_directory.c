/*
 * test_directory.c — the daemon's reads of the directory, against a
 * temporary database filled by the importer: a person with a pager, one
 * without, a stranger, a person removed from the directory, and a read
 * that fails.
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
#include "directory.h"
#include "import.h"
#include "jtime.h"
#include "log.h"

struct fixture {
	char		 dir[64];
	char		 path[128];
	struct db	*db;
};

static const char units_csv[] =
    "code,name,kind,phone,hours\n"
    "KARD,Kardiologi,specialty,+4623490000,always\n";
static const char people_csv[] =
    "name,phone,title,unit,can_request,pager\n"
    "Anna Berg,+46701740605,överläkare,KARD,no,4711\n"
    "Björn Ek,+46701112233,specialistläkare,KARD,no,\n"
    "Cecilia Ström,+46702223344,överläkare,KARD,no,0123456789012345\n";

static void
load(struct db *db, const char *kind, const char *csv)
{
	char	err[512];
	int	count;

	if (import_buffer(db, kind, kind, csv, strlen(csv), &count, err,
	    sizeof(err)) == -1)
		fail_msg("import %s: %s", kind, err);
}

static int
setup(void **state)
{
	struct fixture	*f = calloc(1, sizeof(*f));
	char		 err[512];

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_directory.XXXXXX");
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
test_pager_of_a_person_with_one(void **state)
{
	struct fixture	*f = *state;
	char		 out[PAGER_ADDR_MAX];

	memset(out, 'x', sizeof(out));
	assert_int_equal(directory_pager(f->db, "+46701740605", out), 1);
	assert_string_equal(out, "4711");
	/* All sixteen digits, the leading zero kept: it is a call address. */
	assert_int_equal(directory_pager(f->db, "+46702223344", out), 1);
	assert_string_equal(out, "0123456789012345");
}

static void
test_no_pager_and_no_person_are_both_none(void **state)
{
	struct fixture	*f = *state;
	char		 out[PAGER_ADDR_MAX];

	memset(out, 'x', sizeof(out));
	assert_int_equal(directory_pager(f->db, "+46701112233", out), 0);
	assert_string_equal(out, "");
	memset(out, 'x', sizeof(out));
	assert_int_equal(directory_pager(f->db, "+46709999999", out), 0);
	assert_string_equal(out, "");
	/* Numbers are matched as stored (E.164), not in any other form. */
	assert_int_equal(directory_pager(f->db, "070-174 06 05", out), 0);
	assert_string_equal(out, "");
	/* A later import that clears the address is seen at once. */
	load(f->db, "people", "name,phone,title,unit,can_request,pager\n"
	    "Anna Berg,+46701740605,överläkare,KARD,no,\n");
	assert_int_equal(directory_pager(f->db, "+46701740605", out), 0);
	assert_string_equal(out, "");
}

/*
 * A stored address the paging system would refuse (written past the
 * schema's check) is no pager: the page goes by SMS, never a bad block.
 */
static void
test_an_address_the_pager_would_refuse_is_none(void **state)
{
	struct fixture	*f = *state;
	char		 out[PAGER_ADDR_MAX];

	assert_int_equal(db_exec(f->db, "PRAGMA ignore_check_constraints = 1"),
	    0);
	assert_int_equal(db_exec(f->db, "UPDATE people SET pager = '47a1'"
	    " WHERE phone = '+46701740605'"), 0);
	assert_int_equal(db_exec(f->db, "UPDATE people SET pager ="
	    " '12345678901234567' WHERE phone = '+46702223344'"), 0);
	memset(out, 'x', sizeof(out));
	assert_int_equal(directory_pager(f->db, "+46701740605", out), 0);
	assert_string_equal(out, "");
	assert_int_equal(directory_pager(f->db, "+46702223344", out), 0);
	assert_string_equal(out, "");
}

/* A person removed from the directory is paged on no paging system. */
static void
test_a_removed_person_has_no_pager(void **state)
{
	struct fixture	*f = *state;
	char		 out[PAGER_ADDR_MAX];

	assert_int_equal(db_exec(f->db, "UPDATE people SET removed_at = 1"
	    " WHERE phone = '+46701740605'"), 0);
	memset(out, 'x', sizeof(out));
	assert_int_equal(directory_pager(f->db, "+46701740605", out), 0);
	assert_string_equal(out, "");
	/* An import brings the person, and the address, back. */
	load(f->db, "people", people_csv);
	assert_int_equal(directory_pager(f->db, "+46701740605", out), 1);
	assert_string_equal(out, "4711");
}

/* A read that fails is -1, never "no pager". */
static void
test_a_failed_read_is_an_error(void **state)
{
	struct fixture	*f = *state;
	char		 out[PAGER_ADDR_MAX];

	/* Fails when stepped, not when prepared: integer overflow. */
	assert_int_equal(db_exec(f->db, "ALTER TABLE people RENAME TO p2;"
	    "CREATE VIEW people AS SELECT phone,"
	    " abs(-9223372036854775807 - 1) AS pager FROM p2"), 0);
	memset(out, 'x', sizeof(out));
	assert_int_equal(directory_pager(f->db, "+46701740605", out), -1);
	assert_string_equal(out, "");
	/* And when the directory is not there at all. */
	assert_int_equal(db_exec(f->db, "DROP VIEW people"), 0);
	memset(out, 'x', sizeof(out));
	assert_int_equal(directory_pager(f->db, "+46701740605", out), -1);
	assert_string_equal(out, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pager_of_a_person_with_one,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_no_pager_and_no_person_are_both_none, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_an_address_the_pager_would_refuse_is_none, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_a_removed_person_has_no_pager, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_failed_read_is_an_error,
		    setup, teardown),
	};

	jtime_zone();
	log_init("test_directory", 1, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
