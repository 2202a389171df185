/*
 * test_json.c — the streaming JSON writer: structure, commas, escaping.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"
#include "jtime.h"

struct capture {
	char	*buf;
	size_t	 len;
	FILE	*fp;
};

static void
capture_open(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->fp = open_memstream(&c->buf, &c->len);
	assert_non_null(c->fp);
}

/* Closes the stream and returns what was written (owned by c). */
static const char *
capture_close(struct capture *c)
{
	fclose(c->fp);
	return c->buf;
}

/* The one way jourctl writes a time: ISO 8601 in Stockholm, null for 0. */
static void
test_time(void **state)
{
	struct capture	c;
	struct json	j;

	assert_true(jtime_zone());
	capture_open(&c);
	json_init(&j, c.fp, false);
	json_object_begin(&j);
	json_kv_time(&j, "a", (jtime_t)1795305600 * 1000);
	json_kv_time(&j, "b", 0);
	json_kv_time(&j, "c", (jtime_t)1782864003 * 1000 + 999);
	json_object_end(&j);
	assert_int_equal(json_finish(&j), 0);
	assert_string_equal(capture_close(&c), "{\"a\":\"2026-11-22T01:00:00"
	    "+01:00\",\"b\":null,\"c\":\"2026-07-01T02:00:03+02:00\"}\n");
	free(c.buf);
}

static void
test_nesting_compact(void **state)
{
	struct capture	c;
	struct json	j;

	capture_open(&c);
	json_init(&j, c.fp, false);
	json_object_begin(&j);
	json_key(&j, "a");
	json_array_begin(&j);
	json_int(&j, 1);
	json_int(&j, 2);
	json_object_begin(&j);
	json_kv_null(&j, "b");
	json_kv_string(&j, "s", NULL);
	json_object_end(&j);
	json_array_begin(&j);
	json_array_end(&j);
	json_array_end(&j);
	json_kv_bool(&j, "c", true);
	json_kv_bool(&j, "d", false);
	json_key(&j, "e");
	json_object_begin(&j);
	json_object_end(&j);
	json_object_end(&j);
	assert_int_equal(json_finish(&j), 0);
	assert_string_equal(capture_close(&c),
	    "{\"a\":[1,2,{\"b\":null,\"s\":null},[]],\"c\":true,\"d\":false,\"e\":{}}\n");
	free(c.buf);
}

static void
test_pretty(void **state)
{
	struct capture	c;
	struct json	j;

	capture_open(&c);
	json_init(&j, c.fp, true);
	json_object_begin(&j);
	json_key(&j, "rows");
	json_array_begin(&j);
	json_int(&j, 1);
	json_object_begin(&j);
	json_kv_string(&j, "k", "v");
	json_object_end(&j);
	json_array_end(&j);
	json_key(&j, "none");
	json_array_begin(&j);
	json_array_end(&j);
	json_object_end(&j);
	assert_int_equal(json_finish(&j), 0);
	assert_string_equal(capture_close(&c),
	    "{\n"
	    "  \"rows\": [\n"
	    "    1,\n"
	    "    {\n"
	    "      \"k\": \"v\"\n"
	    "    }\n"
	    "  ],\n"
	    "  \"none\": []\n"
	    "}\n");
	free(c.buf);
}

/* Writes s as the only value of a document and returns the text. */
static char *
string_doc(const char *s)
{
	struct capture	c;
	struct json	j;

	capture_open(&c);
	json_init(&j, c.fp, false);
	json_string(&j, s);
	assert_int_equal(json_finish(&j), 0);
	capture_close(&c);
	return c.buf;
}

static void
check_string(const char *in, const char *want)
{
	char	*got = string_doc(in);

	assert_string_equal(got, want);
	free(got);
}

static void
test_escaping(void **state)
{
	check_string("plain", "\"plain\"\n");
	check_string("", "\"\"\n");
	check_string("say \"OK 3\"", "\"say \\\"OK 3\\\"\"\n");
	check_string("a\\b", "\"a\\\\b\"\n");
	check_string("line1\nline2\r\t", "\"line1\\u000aline2\\u000d\\u0009\"\n");
	check_string("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"\n");
	check_string("/ stays", "\"/ stays\"\n");
}

static void
test_utf8(void **state)
{
	/* Valid UTF-8 passes through untouched, 2-, 3- and 4-byte forms. */
	check_string("Åsa Öberg, Älvdalen é", "\"Åsa Öberg, Älvdalen é\"\n");
	check_string("\xe2\x82\xac \xf0\x9f\x9a\x91", "\"\xe2\x82\xac \xf0\x9f\x9a\x91\"\n");
	/* Invalid bytes become U+FFFD, one per byte. */
	check_string("a\xff" "b", "\"a\\ufffdb\"\n");
	check_string("\xc0\xaf", "\"\\ufffd\\ufffd\"\n");		/* overlong '/' */
	check_string("\xe2\x82", "\"\\ufffd\\ufffd\"\n");		/* truncated */
	check_string("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"\n");	/* surrogate */
	check_string("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"\n");
	check_string("\xc3", "\"\\ufffd\"\n");			/* cut at the end */
}

static void
test_numbers(void **state)
{
	struct capture	c;
	struct json	j;

	capture_open(&c);
	json_init(&j, c.fp, false);
	json_array_begin(&j);
	json_int(&j, 0);
	json_int(&j, -42);
	json_int(&j, INT64_MAX);
	json_int(&j, INT64_MIN);
	json_double(&j, 0.1234);
	json_double(&j, 2.0 / 3.0);
	json_double(&j, 1.0);
	json_double(&j, -0.0001);
	json_double(&j, NAN);
	json_double(&j, INFINITY);
	json_array_end(&j);
	assert_int_equal(json_finish(&j), 0);
	assert_string_equal(capture_close(&c),
	    "[0,-42,9223372036854775807,-9223372036854775808,"
	    "0.123,0.667,1.000,0.000,null,null]\n");
	free(c.buf);
}

static void
test_value_without_key(void **state)
{
	struct capture	c;
	struct json	j;

	capture_open(&c);
	json_init(&j, c.fp, false);
	json_object_begin(&j);
	json_int(&j, 1);		/* no key: refused */
	json_object_end(&j);
	assert_true(j.error);
	assert_int_equal(json_finish(&j), -1);
	/* Nothing broken was written after the misuse. */
	assert_string_equal(capture_close(&c), "{");
	free(c.buf);
}

static void
test_misuse(void **state)
{
	struct capture	c;
	struct json	j;

	/* Key outside an object. */
	capture_open(&c);
	json_init(&j, c.fp, false);
	json_array_begin(&j);
	json_key(&j, "k");
	assert_true(j.error);
	capture_close(&c);
	free(c.buf);

	/* Mismatched end. */
	capture_open(&c);
	json_init(&j, c.fp, false);
	json_array_begin(&j);
	json_object_end(&j);
	assert_true(j.error);
	assert_int_equal(json_finish(&j), -1);
	capture_close(&c);
	free(c.buf);

	/* A key whose value never came. */
	capture_open(&c);
	json_init(&j, c.fp, false);
	json_object_begin(&j);
	json_key(&j, "k");
	json_object_end(&j);
	assert_true(j.error);
	capture_close(&c);
	free(c.buf);

	/* An unfinished document. */
	capture_open(&c);
	json_init(&j, c.fp, false);
	json_object_begin(&j);
	assert_false(j.error);
	assert_int_equal(json_finish(&j), -1);
	capture_close(&c);
	free(c.buf);

	/* Two top-level values. */
	capture_open(&c);
	json_init(&j, c.fp, false);
	json_int(&j, 1);
	json_int(&j, 2);
	assert_true(j.error);
	assert_string_equal(capture_close(&c), "1");
	free(c.buf);
}

static void
test_depth_limit(void **state)
{
	struct capture	c;
	struct json	j;
	int		i;

	capture_open(&c);
	json_init(&j, c.fp, false);
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		json_array_begin(&j);
	assert_false(j.error);
	json_array_begin(&j);
	assert_true(j.error);
	capture_close(&c);
	free(c.buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_nesting_compact),
		cmocka_unit_test(test_pretty),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_value_without_key),
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_depth_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
