/*
 * test_users.c — the console's users file: what it accepts, every line it
 * refuses (with file and line), and the password check through crypt(3).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "users.h"

/* "hemligt" under SHA-512 crypt and under yescrypt. */
#define SHA512 "$6$c8AL09z.CoxB4qhh$vanqex6DQGcLWZFfspFPgrcNSyh7YvByddvFrQ" \
	"vXI2bDMmghEFYQNgzuFaCkCn6aiMTGMkFmLqMdp1.zwJXhv0"
#define YESCRYPT "$y$j9T$kmfka.4.mkM1DqUqPlRSZ0$Ne4HtEhbK79jzxdNcS3rfM4Tg2wd" \
	"58mmG6doZGT8FPC"

static struct users	u;
static char		err[256];

static int
parse(const char *text)
{
	err[0] = '\0';
	return users_parse("users", text, strlen(text), &u, err, sizeof err);
}

static void
expect_error(const char *text, const char *want)
{
	assert_int_equal(parse(text), -1);
	if (strstr(err, want) == NULL)
		print_error("got \"%s\", want \"%s\"\n", err, want);
	assert_non_null(strstr(err, want));
}

static void
test_accepts(void **state)
{
	assert_int_equal(parse("# the console's users\n\nanna:" SHA512 "\r\n"
	    "bo.ek:" YESCRYPT), 0);
	assert_int_equal(u.n, 2);
	assert_string_equal(u.u[0].name, "anna");
	assert_string_equal(u.u[1].name, "bo.ek");
	assert_string_equal(u.u[1].hash, YESCRYPT);
}

static void
test_refuses(void **state)
{
	expect_error("anna:hemligt\n", "users:1: user anna: not a yescrypt");
	expect_error("\nanna:$1$abc$defghijklmnopqrstuvwxy\n", "users:2: user anna");
	expect_error("anna:$5$abc$" "0123456789012345678901234567890123456789012",
	    "users:1:");
	expect_error("anna:abJnggxhB/yWI\n", "users:1:");
	expect_error("anna\n", "users:1: no ':'");
	expect_error(":" SHA512 "\n", "users:1: empty user name");
	expect_error("an na:" SHA512 "\n", "users:1:");
	expect_error("anna:" SHA512 "\nanna:" YESCRYPT "\n",
	    "users:2: user anna: listed twice (first at line 1)");
	/* A hash cut short is no hash. */
	expect_error("anna:$6$c8AL09z.CoxB4qhh$vanqex\n", "users:1: user anna");
	expect_error("anna:$y$j9T$kmfka$\n", "users:1: user anna");
	expect_error("anna:" SHA512 " \n", "users:1: user anna");
	assert_int_equal(parse("anna:" SHA512 "\n\0bo:x"), 0);
	assert_int_equal(users_parse("users", "a:x\0", 4, &u, err, sizeof err),
	    -1);
}

static void
test_names(void **state)
{
	assert_true(users_name_ok("anna"));
	assert_true(users_name_ok("anna.berg-2"));
	assert_false(users_name_ok(""));
	assert_false(users_name_ok("an:na"));
	assert_false(users_name_ok("an na"));
	assert_false(users_name_ok("an\tna"));
	assert_false(users_name_ok("anna\n"));
}

static void
test_check(void **state)
{
	assert_int_equal(parse("anna:" SHA512 "\nbo:" YESCRYPT "\n"), 0);
	assert_true(users_check(&u, "anna", "hemligt"));
	assert_true(users_check(&u, "bo", "hemligt"));
	assert_false(users_check(&u, "anna", "hemligT"));
	assert_false(users_check(&u, "anna", ""));
	assert_false(users_check(&u, "cecilia", "hemligt"));
	assert_false(users_check(&u, "", "hemligt"));
}

static void
test_hash_new(void **state)
{
	char	hash[USER_HASH_MAX], why[128], line[USER_HASH_MAX + 16];

	assert_int_equal(users_hash_new("ett långt lösenord", hash,
	    sizeof hash), 0);
	assert_memory_equal(hash, "$y$", 3);
	assert_int_equal(users_hash_ok(hash, why, sizeof why), 0);
	snprintf(line, sizeof line, "anna:%s\n", hash);
	assert_int_equal(parse(line), 0);
	assert_true(users_check(&u, "anna", "ett långt lösenord"));
	assert_false(users_check(&u, "anna", "ett langt losenord"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepts),
		cmocka_unit_test(test_refuses),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_hash_new),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
