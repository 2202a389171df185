/*
 * test_csv.c — the CSV reader: framing, quoting, line numbers and every
 * error it must name.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "csv.h"
#include "jtime.h"
#include "phone.h"

#ifndef SAMPLE_DIR
#define SAMPLE_DIR "conf/sample"
#endif

static struct csv_reader	r;
static struct csv_record	rec;
static char			err[256];

/* Starts reading the first len bytes of s. */
static void
start(const char *s, size_t len)
{
	csv_init(&r, s, len);
}

/* Reads one record and expects it at line with the n fields given. */
static void
expect_record(int line, int n, ...)
{
	va_list	ap;
	int	i, rc;

	rc = csv_next(&r, &rec, err, sizeof err);
	if (rc != 1)
		print_error("csv_next: %d %s\n", rc, err);
	assert_int_equal(rc, 1);
	assert_int_equal(rec.line, line);
	assert_int_equal(rec.nfields, n);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		assert_string_equal(rec.fields[i], va_arg(ap, const char *));
	va_end(ap);
}

static void
expect_end(void)
{
	assert_int_equal(csv_next(&r, &rec, err, sizeof err), 0);
	assert_int_equal(csv_next(&r, &rec, err, sizeof err), 0);
}

/* Reads and expects an error with exactly the message want. */
static void
expect_error(const char *want)
{
	assert_int_equal(csv_next(&r, &rec, err, sizeof err), -1);
	assert_string_equal(err, want);
	/* The reader does not go on after an error. */
	assert_int_equal(csv_next(&r, &rec, err, sizeof err), 0);
}

#define START(lit)	start((lit), sizeof(lit) - 1)

static void
test_lf_and_crlf(void **state)
{
	START("code,name\nKARD,Kardiologi\n");
	expect_record(1, 2, "code", "name");
	expect_record(2, 2, "KARD", "Kardiologi");
	expect_end();

	START("code,name\r\nKARD,Kardiologi\r\nMED,Medicin\r\n");
	expect_record(1, 2, "code", "name");
	expect_record(2, 2, "KARD", "Kardiologi");
	expect_record(3, 2, "MED", "Medicin");
	expect_end();

	/* An old Mac file: lone CRs. */
	START("a,b\rc,d\r");
	expect_record(1, 2, "a", "b");
	expect_record(2, 2, "c", "d");
	expect_end();
}

static void
test_bom(void **state)
{
	START("\xef\xbb\xbf" "code,name\nX,Y\n");
	expect_record(1, 2, "code", "name");
	expect_record(2, 2, "X", "Y");
	expect_end();

	/* A BOM only counts at the very start. */
	START("a\n\xef\xbb\xbf" "b\n");
	expect_record(1, 1, "a");
	expect_record(2, 1, "\xef\xbb\xbf" "b");
	expect_end();
}

static void
test_quotes(void **state)
{
	START("\"Kardiologi, Falu lasarett\",KARD\n"
	    "\"He said \"\"hej\"\"\",\"\"\n"
	    " \" padded \" , plain  \n");
	expect_record(1, 2, "Kardiologi, Falu lasarett", "KARD");
	expect_record(2, 2, "He said \"hej\"", "");
	expect_record(3, 2, " padded ", "plain");
	expect_end();
}

static void
test_newline_in_quotes(void **state)
{
	START("name,note\n"
	    "A,\"two\r\nlines\"\n"
	    "B,\"three\nmore\nlines\"\n"
	    "C,after\n");
	expect_record(1, 2, "name", "note");
	expect_record(2, 2, "A", "two\nlines");
	expect_record(4, 2, "B", "three\nmore\nlines");
	expect_record(7, 2, "C", "after");
	expect_end();
	assert_int_equal(r.line, 8);
}

static void
test_framing(void **state)
{
	/* No final newline. */
	START("a,b\nc,d");
	expect_record(1, 2, "a", "b");
	expect_record(2, 2, "c", "d");
	expect_end();

	/* Blank lines are skipped but counted. */
	START("\n\na,b\n\n  \t\r\n\nc\n\n");
	expect_record(3, 2, "a", "b");
	expect_record(7, 1, "c");
	expect_end();

	/* Empty fields, trailing comma, a line of commas. */
	START("a,,c,\n,\n");
	expect_record(1, 4, "a", "", "c", "");
	expect_record(2, 2, "", "");
	expect_end();

	/* Spaces around unquoted fields are trimmed, inner ones kept. */
	START("  Falu lasarett  ,\tx y\t\n");
	expect_record(1, 2, "Falu lasarett", "x y");
	expect_end();

	/* UTF-8 letters pass. */
	START("Säters sjukhus,Älvdalens vårdcentral\n");
	expect_record(1, 2, "Säters sjukhus", "Älvdalens vårdcentral");
	expect_end();

	start("", 0);
	expect_end();
	START("\xef\xbb\xbf");
	expect_end();
}

static void
test_field_limits(void **state)
{
	char	buf[2048];
	size_t	n;
	int	i;

	/* Sixteen fields are fine, seventeen are not. */
	n = 0;
	for (i = 0; i < CSV_MAX_FIELDS; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%d",
		    i ? "," : "", i);
	n += (size_t)snprintf(buf + n, sizeof buf - n, "\n");
	start(buf, n);
	assert_int_equal(csv_next(&r, &rec, err, sizeof err), 1);
	assert_int_equal(rec.nfields, CSV_MAX_FIELDS);
	assert_string_equal(rec.fields[15], "15");

	n = (size_t)snprintf(buf, sizeof buf, "h\n1,2,3,4,5,6,7,8,9,10,11,12,"
	    "13,14,15,16,17\n");
	start(buf, n);
	expect_record(1, 1, "h");
	expect_error("line 2: too many fields (at most 16)");

	/* 255 bytes fit, 256 are an error, not a truncation. */
	memset(buf, 'x', 255);
	buf[255] = '\n';
	start(buf, 256);
	assert_int_equal(csv_next(&r, &rec, err, sizeof err), 1);
	assert_int_equal(strlen(rec.fields[0]), 255);

	n = (size_t)snprintf(buf, sizeof buf, "a\nb\nok,");
	memset(buf + n, 'y', 256);
	n += 256;
	buf[n++] = '\n';
	start(buf, n);
	expect_record(1, 1, "a");
	expect_record(2, 1, "b");
	expect_error("line 3: field 2: field too long (at most 255 bytes)");

	/* A quoted field that grows too long over several lines. */
	n = (size_t)snprintf(buf, sizeof buf, "\"");
	for (i = 0; i < 100; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "abc\n");
	n += (size_t)snprintf(buf + n, sizeof buf - n, "\"\n");
	start(buf, n);
	expect_error("line 64: field 1: field too long (at most 255 bytes)");
}

static void
test_bad_bytes(void **state)
{
	START("a,b\nc,\xc3\x28\n");
	expect_record(1, 2, "a", "b");
	expect_error("line 2: field 2: invalid UTF-8");

	/* Overlong, surrogate, truncated, above U+10FFFF. */
	START("\xc0\xaf\n");
	expect_error("line 1: field 1: invalid UTF-8");
	START("\xed\xa0\x80\n");
	expect_error("line 1: field 1: invalid UTF-8");
	START("ok\n\xe2\x82");
	expect_record(1, 1, "ok");
	expect_error("line 2: field 1: invalid UTF-8");
	START("\xf4\x90\x80\x80\n");
	expect_error("line 1: field 1: invalid UTF-8");

	/* Invalid UTF-8 on the third line of a quoted field. */
	START("x\n\"one\ntwo\nth\xffree\"\n");
	expect_record(1, 1, "x");
	expect_error("line 4: field 1: invalid UTF-8");

	START("a\nb,c\0d\n");
	expect_record(1, 1, "a");
	expect_error("line 2: field 2: NUL byte");

	START("a\x01" "b\n");
	expect_error("line 1: field 1: control character 0x01");
}

static void
test_quote_errors(void **state)
{
	START("a,b\nc,\"open\nd,e\n");
	expect_record(1, 2, "a", "b");
	expect_error("line 4: field 2: unterminated quoted field");

	START("a\nab\"c,d\n");
	expect_record(1, 1, "a");
	expect_error("line 2: field 1: stray quote in an unquoted field");

	START("\"closed\"x,y\n");
	expect_error("line 1: field 1: text after a closing quote");

	/* Blanks after a closing quote are fine. */
	START("\"closed\"  ,y\n");
	expect_record(1, 2, "closed", "y");
	expect_end();
}

static void
test_no_err_buffer(void **state)
{
	START("\"x\n");
	assert_int_equal(csv_next(&r, &rec, NULL, 0), -1);
	assert_int_equal(rec.line, 1);
}

/* Reads a whole file into a malloc'd buffer. */
static char *
slurp(const char *name, size_t *len)
{
	char	 path[256], *buf;
	FILE	*f;
	long	 n;

	snprintf(path, sizeof path, "%s/%s", SAMPLE_DIR, name);
	f = fopen(path, "rb");
	if (f == NULL)
		print_error("cannot open %s\n", path);
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* A number of the range set aside for fiction: 070-174 06 05 … 06 99. */
static void
check_fictional(const char *phone, int line)
{
	char	e164[PHONE_MAX];
	int	last;

	if (phone_normalise(phone, e164) != PHONE_OK ||
	    strcmp(e164, phone) != 0)
		print_error("line %d: %s is not E.164\n", line, phone);
	assert_int_equal(phone_normalise(phone, e164), PHONE_OK);
	assert_string_equal(e164, phone);
	assert_int_equal(strncmp(phone, "+467017406", 10), 0);
	last = atoi(phone + 10);
	assert_true(strlen(phone) == 12 && last >= 5 && last <= 99);
}

/* Room for "unit/role" made of two whole fields. */
#define KEY_MAX	(2 * CSV_FIELD_MAX + 16)

static int
find(char list[][KEY_MAX], int n, const char *s)
{
	int	i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return i;
	return -1;
}

/* Reads the header of a sample file and expects want. */
static void
expect_header(const char *want)
{
	char	got[256] = "";
	int	i;

	assert_int_equal(csv_next(&r, &rec, err, sizeof err), 1);
	for (i = 0; i < rec.nfields; i++) {
		strncat(got, i ? "," : "", sizeof got - strlen(got) - 1);
		strncat(got, rec.fields[i], sizeof got - strlen(got) - 1);
	}
	assert_string_equal(got, want);
}

/*
 * The sample directory: every record reads, every number is E.164 in the
 * fiction range, every unit exists, every roster phone is a person and
 * each rostered unit and role is covered without a gap.
 */
static void
test_sample_files(void **state)
{
	static char	units[64][KEY_MAX], kinds[64][KEY_MAX];
	static char	phones[128][KEY_MAX], pairs[128][KEY_MAX];
	static jtime_t	pair_end[128], pair_start[128];
	static const char *const required[] = {
		"KARD/primary", "KARD/backup", "KARD/chief", "KARD/mdk",
		"KARD/consult", "MED/chief", "MED/mdk", "KIR/chief", "ORT/chief",
		"GER/mdk", "PSYK/mdk", "RAD/consult", "BARN/backup",
		"ALVDALEN/primary", "AVESTA_VC/backup", "JOURCENTRAL/primary",
		"JOURCENTRAL/backup",
	};
	char		*buf, key[KEY_MAX];
	size_t		 len, i;
	int		 nunits = 0, nphones = 0, npairs = 0, rc, p;
	jtime_t		 start, end, first, last;
	bool		 admin = false, tester = false;

	jtime_zone();
	assert_int_equal(jtime_parse("2026-11-16 08:00", &first), 0);
	assert_int_equal(jtime_parse("2028-01-03 08:00", &last), 0);

	buf = slurp("units.csv", &len);
	csv_init(&r, buf, len);
	expect_header("code,name,kind,phone,hours");
	while ((rc = csv_next(&r, &rec, err, sizeof err)) == 1) {
		assert_int_equal(rec.nfields, 5);
		assert_true(nunits < 64);
		assert_int_equal(find(units, nunits, rec.fields[0]), -1);
		snprintf(units[nunits], KEY_MAX, "%s", rec.fields[0]);
		snprintf(kinds[nunits++], KEY_MAX, "%s", rec.fields[2]);
		assert_true(strcmp(rec.fields[2], "specialty") == 0 ||
		    strcmp(rec.fields[2], "health_centre") == 0 ||
		    strcmp(rec.fields[2], "hospital") == 0 ||
		    strcmp(rec.fields[2], "other") == 0);
		check_fictional(rec.fields[3], rec.line);
		if (strcmp(rec.fields[2], "health_centre") == 0)
			assert_string_equal(rec.fields[4], "weekdays 08:00-17:00");
		else
			assert_string_equal(rec.fields[4], "always");
	}
	assert_int_equal(rc, 0);
	free(buf);
	assert_true(nunits >= 30);
	assert_true(find(units, nunits, "JOURCENTRAL") >= 0);
	assert_string_equal(kinds[find(units, nunits, "SATER")], "hospital");
	assert_string_equal(kinds[find(units, nunits, "OGON")], "specialty");
	assert_string_equal(kinds[find(units, nunits, "IDRE")], "health_centre");

	buf = slurp("people.csv", &len);
	csv_init(&r, buf, len);
	expect_header("name,phone,title,unit,can_request");
	while ((rc = csv_next(&r, &rec, err, sizeof err)) == 1) {
		assert_int_equal(rec.nfields, 5);
		check_fictional(rec.fields[1], rec.line);
		assert_true(nphones < 80);
		assert_int_equal(find(phones, nphones, rec.fields[1]), -1);
		snprintf(phones[nphones++], KEY_MAX, "%s", rec.fields[1]);
		if (find(units, nunits, rec.fields[3]) < 0)
			print_error("people line %d: unit %s\n", rec.line,
			    rec.fields[3]);
		assert_true(find(units, nunits, rec.fields[3]) >= 0);
		assert_true(strcmp(rec.fields[4], "yes") == 0 ||
		    strcmp(rec.fields[4], "no") == 0);
		p = atoi(rec.fields[1] + 10);
		if (p >= 5 && p <= 15)
			assert_string_equal(rec.fields[4], "yes");
		if (p == 99)
			admin = true;
		if (p == 98) {
			assert_string_equal(rec.fields[0], "Testläkare");
			assert_string_equal(rec.fields[4], "yes");
			tester = true;
		}
	}
	assert_int_equal(rc, 0);
	free(buf);
	assert_true(admin && tester);

	buf = slurp("roster.csv", &len);
	csv_init(&r, buf, len);
	expect_header("unit,role,phone,start,end");
	while ((rc = csv_next(&r, &rec, err, sizeof err)) == 1) {
		assert_int_equal(rec.nfields, 5);
		assert_true(find(units, nunits, rec.fields[0]) >= 0);
		if (find(phones, nphones, rec.fields[2]) < 0)
			print_error("roster line %d: %s not in people.csv\n",
			    rec.line, rec.fields[2]);
		assert_true(find(phones, nphones, rec.fields[2]) >= 0);
		assert_int_equal(jtime_parse(rec.fields[3], &start), 0);
		assert_int_equal(jtime_parse(rec.fields[4], &end), 0);
		assert_true(end > start);
		snprintf(key, sizeof key, "%s/%s", rec.fields[0], rec.fields[1]);
		if ((p = find(pairs, npairs, key)) < 0) {
			assert_true(npairs < 128);
			p = npairs++;
			snprintf(pairs[p], KEY_MAX, "%s", key);
			pair_start[p] = start;
		} else {
			if (start != pair_end[p])
				print_error("roster line %d: gap or overlap in "
				    "%s\n", rec.line, key);
			assert_int_equal(start, pair_end[p]);
		}
		pair_end[p] = end;
	}
	assert_int_equal(rc, 0);
	free(buf);
	for (p = 0; p < npairs; p++) {
		assert_int_equal(pair_start[p], first);
		assert_int_equal(pair_end[p], last);
	}
	for (i = 0; i < nitems(required); i++) {
		if (find(pairs, npairs, required[i]) < 0)
			print_error("roster lacks %s\n", required[i]);
		assert_true(find(pairs, npairs, required[i]) >= 0);
	}
	/* Every specialty and health centre is staffed. */
	for (p = 0; p < nunits; p++) {
		if (strcmp(kinds[p], "specialty") != 0 &&
		    strcmp(kinds[p], "health_centre") != 0)
			continue;
		snprintf(key, sizeof key, "%.255s/primary", units[p]);
		assert_true(find(pairs, npairs, key) >= 0);
		snprintf(key, sizeof key, "%.255s/backup", units[p]);
		assert_true(find(pairs, npairs, key) >= 0);
		if (strcmp(kinds[p], "specialty") == 0) {
			snprintf(key, sizeof key, "%.255s/consult", units[p]);
			assert_true(find(pairs, npairs, key) >= 0);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lf_and_crlf),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_newline_in_quotes),
		cmocka_unit_test(test_framing),
		cmocka_unit_test(test_field_limits),
		cmocka_unit_test(test_bad_bytes),
		cmocka_unit_test(test_quote_errors),
		cmocka_unit_test(test_no_err_buffer),
		cmocka_unit_test(test_sample_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
