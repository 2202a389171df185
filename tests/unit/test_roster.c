/*
 * test_roster.c — roster_pick: override first, then the latest start, then
 * the highest id, over half-open [start, end) intervals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "roster.h"

#define T0	((jtime_t)1767225600000)	/* 2026-01-01 00:00 UTC */
#define H	JT_HOUR

static struct shift
shift(const char *role, const char *phone, jtime_t start, jtime_t end,
    bool override, int64_t id)
{
	struct shift	s;

	memset(&s, 0, sizeof(s));
	snprintf(s.unit, sizeof(s.unit), "KARD");
	snprintf(s.role, sizeof(s.role), "%s", role);
	snprintf(s.phone, sizeof(s.phone), "%s", phone);
	s.start = start;
	s.end = end;
	s.override = override;
	s.id = id;
	return s;
}

/* The phone picked, or "" when nobody. */
static const char *
pick(const struct shift *s, size_t n, const char *role, jtime_t now)
{
	const struct shift	*p;

	p = roster_pick(s, n, role, now);
	return p != NULL ? p->phone : "";
}

static void
test_empty(void **state)
{
	struct shift	s[1];

	s[0] = shift("primary", "+46701000001", T0, T0 + H, false, 1);
	assert_null(roster_pick(NULL, 0, "primary", T0));
	assert_null(roster_pick(s, 0, "primary", T0));
	assert_null(roster_pick(s, 1, NULL, T0));
	assert_non_null(roster_pick(s, 1, "primary", T0));
}

static void
test_role_must_match(void **state)
{
	struct shift	s[3];

	s[0] = shift("backup", "+46701000002", T0, T0 + H, false, 1);
	s[1] = shift("primary", "+46701000001", T0, T0 + H, false, 2);
	s[2] = shift("Primary", "+46701000003", T0, T0 + H, true, 3);
	assert_string_equal(pick(s, 3, "primary", T0), "+46701000001");
	assert_string_equal(pick(s, 3, "backup", T0), "+46701000002");
	assert_string_equal(pick(s, 3, "chief", T0), "");
	assert_string_equal(pick(s, 3, "prim", T0), "");
	assert_string_equal(pick(s, 3, "primaryx", T0), "");
}

static void
test_half_open_interval(void **state)
{
	struct shift	s[1];

	s[0] = shift("primary", "+46701000001", T0, T0 + H, false, 1);
	assert_string_equal(pick(s, 1, "primary", T0 - 1), "");
	assert_string_equal(pick(s, 1, "primary", T0), "+46701000001");
	assert_string_equal(pick(s, 1, "primary", T0 + H - 1),
	    "+46701000001");
	assert_string_equal(pick(s, 1, "primary", T0 + H), "");
}

static void
test_handover_at_boundary(void **state)
{
	struct shift	s[2];

	/* Day shift ends exactly when night shift begins: never both. */
	s[0] = shift("primary", "+46701000002", T0 + 8 * H, T0 + 20 * H,
	    false, 9);
	s[1] = shift("primary", "+46701000001", T0 - 4 * H, T0 + 8 * H,
	    false, 1);
	assert_string_equal(pick(s, 2, "primary", T0 + 8 * H - 1),
	    "+46701000001");
	assert_string_equal(pick(s, 2, "primary", T0 + 8 * H),
	    "+46701000002");
}

static void
test_override_beats_roster(void **state)
{
	struct shift	s[3];

	/* The roster entries start later and have higher ids; still lose. */
	s[0] = shift("primary", "+46701000009", T0 - H, T0 + 2 * H, true, 1);
	s[1] = shift("primary", "+46701000001", T0, T0 + 24 * H, false, 5);
	s[2] = shift("primary", "+46701000002", T0 + H / 2, T0 + 24 * H,
	    false, 6);
	assert_string_equal(pick(s, 3, "primary", T0 + H), "+46701000009");
	/* The override's period is over: the roster holds again. */
	assert_string_equal(pick(s, 3, "primary", T0 + 2 * H),
	    "+46701000002");
	/* Before the override: the roster. */
	assert_string_equal(pick(s, 3, "primary", T0 - H - 1), "");
}

static void
test_latest_start_wins(void **state)
{
	struct shift	s[3];

	s[0] = shift("primary", "+46701000001", T0, T0 + 24 * H, false, 30);
	s[1] = shift("primary", "+46701000002", T0 + 2 * H, T0 + 4 * H, false,
	    10);
	s[2] = shift("primary", "+46701000003", T0 + H, T0 + 24 * H, false,
	    20);
	assert_string_equal(pick(s, 3, "primary", T0), "+46701000001");
	assert_string_equal(pick(s, 3, "primary", T0 + H), "+46701000003");
	assert_string_equal(pick(s, 3, "primary", T0 + 3 * H),
	    "+46701000002");
	assert_string_equal(pick(s, 3, "primary", T0 + 5 * H),
	    "+46701000003");

	/* Among overrides too: the one taken last holds. */
	s[0] = shift("primary", "+46701000004", T0, T0 + 24 * H, true, 40);
	s[1] = shift("primary", "+46701000005", T0 + H, T0 + 24 * H, true, 41);
	assert_string_equal(pick(s, 2, "primary", T0 + 2 * H),
	    "+46701000005");
}

static void
test_id_breaks_ties(void **state)
{
	struct shift	s[2];

	s[0] = shift("primary", "+46701000001", T0, T0 + H, false, 7);
	s[1] = shift("primary", "+46701000002", T0, T0 + 2 * H, false, 8);
	assert_string_equal(pick(s, 2, "primary", T0), "+46701000002");

	/* The order in the array does not matter. */
	s[0] = shift("primary", "+46701000002", T0, T0 + 2 * H, false, 8);
	s[1] = shift("primary", "+46701000001", T0, T0 + H, false, 7);
	assert_string_equal(pick(s, 2, "primary", T0), "+46701000002");
	assert_ptr_equal(roster_pick(s, 2, "primary", T0), &s[0]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_role_must_match),
		cmocka_unit_test(test_half_open_interval),
		cmocka_unit_test(test_handover_at_boundary),
		cmocka_unit_test(test_override_beats_roster),
		cmocka_unit_test(test_latest_start_wins),
		cmocka_unit_test(test_id_breaks_ties),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
