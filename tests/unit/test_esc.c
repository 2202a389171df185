/*
 * test_esc.c — the consult state machine, driven with an explicit clock and
 * a fake roster. Every test compares the full list of actions, in order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "esc.h"

#define T0	((jtime_t)1767225600000)	/* 2026-01-01 00:00 UTC */
#define M	JT_MINUTE
#define H	JT_HOUR

/* KARD: primary, backup, chief. */
#define KP	"+46701000001"
#define KB	"+46701000002"
#define KC	"+46701000003"
/* MDK units: mdk and chief roles. */
#define KM	"+46701000011"
#define GM	"+46702000011"
#define GC	"+46702000012"
#define PM	"+46703000011"
#define PC	"+46703000012"
#define REQ	"+46705000000"

/* One row of the fake roster; to == 0 means open-ended. */
struct fake_entry {
	const char	*unit;
	const char	*role;
	const char	*phone;
	jtime_t		 from;
	jtime_t		 to;
};

struct fake {
	const struct fake_entry	*e;
	size_t			 n;
	int			 calls;
	char			 asked[256][UNIT_MAX + ROLE_MAX + 2];
};

static const struct fake_entry roster_full[] = {
	{ "KARD", "primary", KP, 0, 0 },
	{ "KARD", "backup", KB, 0, 0 },
	{ "KARD", "chief", KC, 0, 0 },
	{ "KARD", "mdk", KM, 0, 0 },
	{ "GER", "mdk", GM, 0, 0 },
	{ "GER", "chief", GC, 0, 0 },
	{ "PSYK", "mdk", PM, 0, 0 },
	{ "PSYK", "chief", PC, 0, 0 },
};

static bool
fake_oncall(void *arg, const char *unit, const char *role, jtime_t now,
    char phone[PHONE_MAX])
{
	struct fake	*f = arg;
	size_t		 i;

	if (f->calls < (int)nitems(f->asked)) {
		snprintf(f->asked[f->calls], sizeof(f->asked[0]), "%s/%s", unit,
		    role);
	}
	f->calls++;
	for (i = 0; i < f->n; i++) {
		if (strcmp(f->e[i].unit, unit) != 0 ||
		    strcmp(f->e[i].role, role) != 0)
			continue;
		if (now < f->e[i].from || (f->e[i].to != 0 && now >= f->e[i].to))
			continue;
		snprintf(phone, PHONE_MAX, "%s", f->e[i].phone);
		return true;
	}
	return false;
}

static void
fake_init(struct fake *f, const struct fake_entry *e, size_t n)
{
	memset(f, 0, sizeof(*f));
	f->e = e;
	f->n = n;
}

static void
set_roles(struct track_conf *t, const char *const *roles)
{
	t->nroles = 0;
	while (*roles != NULL && t->nroles < MAX_STEPS) {
		snprintf(t->roles[t->nroles], sizeof(t->roles[0]), "%s", *roles);
		t->nroles++;
		roles++;
	}
}

static struct track_conf
track_akut(void)
{
	struct track_conf	t;

	memset(&t, 0, sizeof(t));
	t.enabled = true;
	snprintf(t.name, sizeof(t.name), "akut");
	t.ack_timeout = 5 * M;
	set_roles(&t, (const char *[]){ "primary", "backup", "chief", NULL });
	t.repeat = 1;
	return t;
}

static struct track_conf
track_mdk(void)
{
	struct track_conf	t;

	memset(&t, 0, sizeof(t));
	t.enabled = true;
	snprintf(t.name, sizeof(t.name), "mdk");
	t.ack_timeout = 4 * H;
	set_roles(&t, (const char *[]){ "mdk", "chief", NULL });
	t.repeat = 0;
	t.require_all = true;
	return t;
}

static void
consult_init(struct esc_consult *c, const char *const *units)
{
	memset(c, 0, sizeof(*c));
	c->id = 42;
	c->state = CONSULT_OPEN;
	c->created_at = T0;
	while (*units != NULL && c->nlegs < MAX_LEGS) {
		snprintf(c->legs[c->nlegs].unit, sizeof(c->legs[0].unit), "%s",
		    *units);
		c->legs[c->nlegs].state = LEG_WAITING;
		c->legs[c->nlegs].step = -1;
		c->nlegs++;
		units++;
	}
}

#define UNITS(...)	((const char *const[]){ __VA_ARGS__, NULL })

static struct esc_input
input(enum esc_input_kind kind, int leg, int step, const char *from,
    const char *outcome)
{
	struct esc_input	in;

	memset(&in, 0, sizeof(in));
	in.kind = kind;
	in.leg = leg;
	in.step = step;
	snprintf(in.from, sizeof(in.from), "%s", from);
	snprintf(in.outcome, sizeof(in.outcome), "%s", outcome);
	return in;
}

#define IN_START()		input(ESC_START, -1, -1, "", "")
#define IN_DUE()		input(ESC_DUE, -1, -1, "", "")
#define IN_ACK(l, f)		input(ESC_ACK, (l), -1, (f), "")
#define IN_DECLINE(l, s, f)	input(ESC_DECLINE, (l), (s), (f), "")
#define IN_RESOLVE(l, f, o)	input(ESC_RESOLVE, (l), -1, (f), (o))
#define IN_CANCEL(f)		input(ESC_CANCEL, -1, -1, (f), "")

/* Applies in with a freshly zeroed out. */
static int
apply(struct esc_consult *c, const struct track_conf *t,
    struct esc_input in, jtime_t now, struct fake *f,
    struct esc_actions *out)
{
	memset(out, 0, sizeof(*out));
	return esc_apply(c, t, &in, now, fake_oncall, f, out);
}

static const char *
msg_name(enum esc_msg m)
{
	static const char *names[] = {
		"NONE", "RECEIVED", "ACKED", "ALL_ACKED", "UNANSWERED",
		"ROSTER_GAP", "ACK_CONFIRM", "DECLINE_CONFIRM",
		"RESOLVE_CONFIRM", "CANCEL_CONFIRM"
	};

	if ((unsigned)m >= nitems(names))
		return "BAD";
	return names[m];
}

/* One action as a short line, the form the expectations are written in. */
static void
act_fmt(const struct esc_action *a, char *buf, size_t sz)
{
	const char	*sep = a->to[0] != '\0' ? " " : "";

	switch (a->kind) {
	case ESC_PAGE:
		snprintf(buf, sz, "page %d %d %s %s", a->leg, a->step, a->to,
		    a->role);
		break;
	case ESC_EVENT:
		snprintf(buf, sz, "event %s [%s] %s", a->event, a->actor,
		    a->detail);
		break;
	case ESC_TELL_REQUESTER:
		snprintf(buf, sz, "req %s %d%s%s", msg_name(a->msg), a->leg,
		    sep, a->to);
		break;
	case ESC_TELL_ADMINS:
		snprintf(buf, sz, "admins %s %d%s%s", msg_name(a->msg), a->leg,
		    a->role[0] != '\0' ? " " : "", a->role);
		break;
	case ESC_REPLY:
		snprintf(buf, sz, "reply %s %s", msg_name(a->msg), a->to);
		break;
	case ESC_STAND_DOWN:
		snprintf(buf, sz, "down %d%s%s", a->leg, sep, a->to);
		break;
	default:
		snprintf(buf, sz, "kind %d", (int)a->kind);
		break;
	}
}

static void
dump(const struct esc_actions *out)
{
	char	buf[256];
	int	i;

	for (i = 0; i < out->n; i++) {
		act_fmt(&out->list[i], buf, sizeof(buf));
		print_message("  [%d] %s\n", i, buf);
	}
}

/* Asserts that out holds exactly the expected lines, in order. */
static void
expect_list(const struct esc_actions *out, const char *const *want)
{
	char	buf[256];
	int	i;

	for (i = 0; want[i] != NULL; i++) {
		if (i >= out->n) {
			dump(out);
			fail_msg("action %d missing, wanted \"%s\"", i, want[i]);
		}
		act_fmt(&out->list[i], buf, sizeof(buf));
		if (strcmp(buf, want[i]) != 0) {
			dump(out);
			fail_msg("action %d: got \"%s\", wanted \"%s\"", i, buf,
			    want[i]);
		}
	}
	if (i != out->n) {
		dump(out);
		fail_msg("%d actions, wanted %d", out->n, i);
	}
}

#define EXPECT(out, ...)	expect_list((out), (const char *const[]){ __VA_ARGS__, NULL })
#define EXPECT_NONE(out)	assert_int_equal((out)->n, 0)

/* Asserts that a refused input left c and out as they were. */
static void
expect_refused(struct esc_consult *c, const struct track_conf *t,
    struct esc_input in, jtime_t now, struct fake *f)
{
	struct esc_consult	before = *c;
	struct esc_actions	*out, *saved;

	out = test_malloc(sizeof(*out));
	saved = test_malloc(sizeof(*saved));
	memset(out, 0xa5, sizeof(*out));
	out->n = 3;
	*saved = *out;
	assert_int_equal(esc_apply(c, t, &in, now, fake_oncall, f, out), -1);
	assert_memory_equal(c, &before, sizeof(before));
	assert_memory_equal(out, saved, sizeof(*out));
	test_free(out);
	test_free(saved);
}

/* A single-leg acute consult on KARD, started at T0. */
static void
start_kard(struct esc_consult *c, struct track_conf *t, struct fake *f,
    const struct fake_entry *e, size_t n, struct esc_actions *out)
{
	*t = track_akut();
	fake_init(f, e, n);
	consult_init(c, UNITS("KARD"));
	assert_int_equal(apply(c, t, IN_START(), T0, f, out), 0);
}

static void
test_happy_path(void **state)
{
	struct esc_consult	c;
	struct track_conf	t;
	struct fake		f;
	struct esc_actions	out;

	start_kard(&c, &t, &f, roster_full, nitems(roster_full), &out);
	/* The page goes out before the receipt. */
	EXPECT(&out, "page 0 0 " KP " primary", "req RECEIVED -1");
	assert_int_equal(c.state, CONSULT_OPEN);
	assert_int_equal(c.legs[0].state, LEG_PAGING);
	assert_int_equal(c.legs[0].step, 0);
	assert_int_equal(c.legs[0].due, T0 + 5 * M);
	assert_int_equal(c.first_page_at, T0);
	assert_int_equal(esc_next_due(&c), T0 + 5 * M);
	/* Only the step taken was looked up. */
	assert_int_equal(f.calls, 1);
	assert_string_equal(f.asked[0], "KARD/primary");

	assert_int_equal(apply(&c, &t, IN_ACK(0, KP), T0 + 2 * M, &f, &out),
	    0);
	EXPECT(&out,
	    "event acknowledged [" KP "] KARD",
	    "reply ACK_CONFIRM " KP,
	    "down 0 " KP,
	    "req ACKED 0 " KP);
	assert_int_equal(c.state, CONSULT_ACKNOWLEDGED);
	assert_int_equal(c.acked_at, T0 + 2 * M);
	assert_string_equal(c.acked_by, KP);
	assert_int_equal(c.legs[0].state, LEG_ACKED);
	assert_int_equal(c.legs[0].acked_at, T0 + 2 * M);
	assert_string_equal(c.legs[0].acked_by, KP);
	assert_int_equal(c.legs[0].due, 0);
	assert_int_equal(esc_next_due(&c), 0);
	assert_int_equal(f.calls, 1);
	assert_false(esc_closed(c.state));

	/* The timer may still fire; nothing is due any more. */
	expect_refused(&c, &t, IN_DUE(), T0 + 5 * M, &f);
}

static void
test_timeout_to_backup_and_chief(void **state)
{
	struct esc_consult	c;
	struct track_conf	t;
	struct fake		f;
	struct esc_actions	out;

	start_kard(&c, &t, &f, roster_full, nitems(roster_full), &out);

	/* One millisecond early: nothing is due yet. */
	expect_refused(&c, &t, IN_DUE(), T0 + 5 * M - 1, &f);

	assert_int_equal(apply(&c, &t, IN_DUE(), T0 + 5 * M, &f, &out), 0);
	EXPECT(&out,
	    "page 0 1 " KB " backup",
	    "event escalated [] KARD step 2 backup timeout");
	assert_int_equal(c.legs[0].step, 1);
	assert_int_equal(c.legs[0].due, T0 + 10 * M);
	assert_int_equal(c.state, CONSULT_OPEN);
	assert_int_equal(c.first_page_at, T0);

	/* A late timer fires from the time it ran, not the time it was due. */
	assert_int_equal(apply(&c, &t, IN_DUE(), T0 + 11 * M, &f, &out), 0);
	EXPECT(&out,
	    "page 0 2 " KC " chief",
	    "event escalated [] KARD step 3 chief timeout");
	assert_int_equal(c.legs[0].step, 2);
	assert_int_equal(c.legs[0].due, T0 + 16 * M);
	assert_int_equal(esc_next_due(&c), T0 + 16 * M);
	assert_int_equal(f.calls, 3);
}

static void
test_repeat_pass_then_unanswered(void **state)
{
	struct esc_consult	c;
	struct track_conf	t;
	struct fake		f;
	struct esc_actions	out;
	jtime_t			now = T0;
	int			i;

	start_kard(&c, &t, &f, roster_full, nitems(roster_full), &out);
	for (i = 0; i < 2; i++) {
		now += 5 * M;
		assert_int_equal(apply(&c, &t, IN_DUE(), now, &f, &out), 0);
	}
	assert_int_equal(c.legs[0].step, 2);

	/* repeat = 1: a second pass starts with primary again. */
	now += 5 * M;
	assert_int_equal(apply(&c, &t, IN_DUE(), now, &f, &out), 0);
	EXPECT(&out,
	    "page 0 3 " KP " primary",
	    "event escalated [] KARD step 4 primary timeout");
	now += 5 * M;
	assert_int_equal(apply(&c, &t, IN_DUE(), now, &f, &out), 0);
	EXPECT(&out,
	    "page 0 4 " KB " backup",
	    "event escalated [] KARD step 5 backup timeout");
	now += 5 * M;
	assert_int_equal(apply(&c, &t, IN_DUE(), now, &f, &out), 0);
	EXPECT(&out,
	    "page 0 5 " KC " chief",
	    "event escalated [] KARD step 6 chief timeout");
	assert_int_equal(f.calls, 6);

	/* Exhausted: requester and administrators are told. */
	now += 5 * M;
	assert_int_equal(apply(&c, &t, IN_DUE(), now, &f, &out), 0);
	EXPECT(&out,
	    "event unanswered [] KARD",
	    "req UNANSWERED 0",
	    "admins UNANSWERED 0",
	    "down 0");
	assert_int_equal(f.calls, 6);
	assert_int_equal(c.state, CONSULT_UNANSWERED);
	assert_true(esc_closed(c.state));
	assert_int_equal(c.legs[0].state, LEG_UNANSWERED);
	assert_int_equal(c.legs[0].step, 6);
	assert_int_equal(c.legs[0].due, 0);
	assert_int_equal(esc_next_due(&c), 0);
	assert_int_equal(c.acked_at, 0);

	/* A closed consult takes nothing more. */
	expect_refused(&c, &t, IN_DUE(), now + H, &f);
	expect_refused(&c, &t, IN_ACK(0, KC), now + 1, &f);
	expect_refused(&c, &t, IN_CANCEL(REQ), now + 1, &f);
}

static void
test_roster_gap(void **state)
{
	static const struct fake_entry	roster[] = {
		{ "KARD", "primary", KP, 0, 0 },
		{ "KARD", "chief", KC, 0, 0 },
	};
	struct esc_consult		c;
	struct track_conf		t;
	struct fake			f;
	struct esc_actions		out;

	start_kard(&c, &t, &f, roster, nitems(roster), &out);
	EXPECT(&out, "page 0 0 " KP " primary", "req RECEIVED -1");

	assert_int_equal(apply(&c, &t, IN_DUE(), T0 + 5 * M, &f, &out), 0);
	EXPECT(&out,
	    "event no_oncall [] KARD backup",
	    "admins ROSTER_GAP 0 backup",
	    "page 0 2 " KC " chief",
	    "event escalated [] KARD step 3 chief no_oncall");
	assert_int_equal(out.list[1].step, 1);
	assert_int_equal(c.legs[0].gaps_told, 1u << 1);
	assert_int_equal(c.legs[0].step, 2);
	assert_int_equal(c.legs[0].due, T0 + 10 * M);

	assert_int_equal(apply(&c, &t, IN_DUE(), T0 + 10 * M, &f, &out), 0);
	EXPECT(&out,
	    "page 0 3 " KP " primary",
	    "event escalated [] KARD step 4 primary timeout");

	/* Second pass: the gap is logged again, the admins are not told again. */
	assert_int_equal(apply(&c, &t, IN_DUE(), T0 + 15 * M, &f, &out), 0);
	EXPECT(&out,
	    "event no_oncall [] KARD backup",
	    "page 0 5 " KC " chief",
	    "event escalated [] KARD step 6 chief no_oncall");
	assert_int_equal(c.legs[0].gaps_told, 1u << 1);
	assert_int_equal(f.calls, 6);
}

static void
test_first_role_empty(void **state)
{
	static const struct fake_entry	roster[] = {
		{ "KARD", "backup", KB, 0, 0 },
	};
	struct esc_consult		c;
	struct track_conf		t;
	struct fake			f;
	struct esc_actions		out;

	start_kard(&c, &t, &f, roster, nitems(roster), &out);
	EXPECT(&out,
	    "event no_oncall [] KARD primary",
	    "admins ROSTER_GAP 0 primary",
	    "page 0 1 " KB " backup",
	    "event escalated [] KARD step 2 backup no_oncall",
	    "req RECEIVED -1");
	assert_int_equal(c.first_page_at, T0);
	assert_int_equal(c.legs[0].step, 1);
	assert_int_equal(c.legs[0].gaps_told, 1u << 0);
	assert_int_equal(c.state, CONSULT_OPEN);
}

/* A roster answer without a number cannot be paged: treated as a gap. */
static void
test_holder_without_phone(void **state)
{
	static const struct fake_entry	roster[] = {
		{ "KARD", "primary", "", 0, 0 },
		{ "KARD", "backup", KB, 0, 0 },
	};
	struct esc_consult		c;
	struct track_conf		t;
	struct fake			f;
	struct esc_actions		out;

	start_kard(&c, &t, &f, roster, nitems(roster), &out);
	EXPECT(&out,
	    "event no_oncall [] KARD primary",
	    "admins ROSTER_GAP 0 primary",
	    "page 0 1 " KB " backup",
	    "event escalated [] KARD step 2 backup no_oncall",
	    "req RECEIVED -1");
}

static void
test_all_roles_empty(void **state)
{
	struct esc_consult	c;
	struct track_conf	t;
	struct fake		f;
	struct esc_actions	out;

	t = track_akut();
	fake_init(&f, roster_full, nitems(roster_full));
	consult_init(&c, UNITS("ORSA"));
	assert_int_equal(apply(&c, &t, IN_START(), T0, &f, &out), 0);
	/* No receipt: "paging" after "unanswered" would mislead. */
	EXPECT(&out,
	    "event no_oncall [] ORSA primary",
	    "admins ROSTER_GAP 0 primary",
	    "event no_oncall [] ORSA backup",
	    "admins ROSTER_GAP 0 backup",
	    "event no_oncall [] ORSA chief",
	    "admins ROSTER_GAP 0 chief",
	    "event unanswered [] ORSA",
	    "req UNANSWERED 0",
	    "admins UNANSWERED 0",
	    "down 0");
	/* The repeat pass is not walked: nothing changes at the same now. */
	assert_int_equal(f.calls, 3);
	assert_int_equal(c.state, CONSULT_UNANSWERED);
	assert_int_equal(c.legs[0].state, LEG_UNANSWERED);
	assert_int_equal(c.legs[0].step, 6);
	assert_int_equal(c.legs[0].gaps_told, 7u);
	assert_int_equal(c.first_page_at, 0);
	assert_int_equal(esc_next_due(&c), 0);
}

static void
test_decline_current_step(void **state)
{
	struct esc_consult	c;
	struct track_conf	t;
	struct fake		f;
	struct esc_actions	out;

	start_kard(&c, &t, &f, roster_full, nitems(roster_full), &out);
	assert_int_equal(apply(&c, &t, IN_DECLINE(0, 0, KP), T0 + M, &f,
	    &out), 0);
	EXPECT(&out,
	    "event declined [" KP "] KARD step 1",
	    "reply DECLINE_CONFIRM " KP,
	    "page 0 1 " KB " backup",
	    "event escalated [] KARD step 2 backup declined");
	assert_int_equal(c.legs[0].step, 1);
	assert_int_equal(c.legs[0].state, LEG_PAGING);
	assert_int_equal(c.legs[0].due, T0 + 6 * M);
	assert_int_equal(c.state, CONSULT_OPEN);

	/* Declining a step that was never paged is refused. */
	expect_refused(&c, &t, IN_DECLINE(0, 2, KC), T0 + 2 * M, &f);
	expect_refused(&c, &t, IN_DECLINE(0, -1, KP), T0 + 2 * M, &f);
	expect_refused(&c, &t, IN_DECLINE(1, 0, KP), T0 + 2 * M, &f);
}

static void
test_decline_last_step(void **state)
{
	struct esc_consult	c;
	struct track_conf	t;
	struct fake		f;
	struct esc_actions	out;

	start_kard(&c, &t, &f, roster_full, nitems(roster_full), &out);
	t.repeat = 0;
	assert_int_equal(apply(&c, &t, IN_DUE(), T0 + 5 * M, &f, &out), 0);
	assert_int_equal(apply(&c, &t, IN_DUE(), T0 + 10 * M, &f, &out), 0);
	assert_int_equal(c.legs[0].step, 2);
	assert_int_equal(apply(&c, &t, IN_DECLINE(0, 2, KC), T0 + 11 * M, &f,
	    &out), 0);
	EXPECT(&out,
	    "event declined [" KC "] KARD step 3",
	    "reply DECLINE_CONFIRM " KC,
	    "event unanswered [] KARD",
	    "req UNANSWERED 0",
	    "admins UNANSWERED 0",
	    "down 0");
	assert_int_equal(c.state, CONSULT_UNANSWERED);
}

static void
test_decline_earlier_step(void **state)
{
	struct esc_consult	c;
	struct track_conf	t;
	struct fake		f;
	struct esc_actions	out;

	start_kard(&c, &t, &f, roster_full, nitems(roster_full), &out);
	assert_int_equal(apply(&c, &t, IN_DUE(), T0 + 5 * M, &f, &out), 0);
	assert_int_equal(c.legs[0].step, 1);
	assert_int_equal(f.calls, 2);

	assert_int_equal(apply(&c, &t, IN_DECLINE(0, 0, KP), T0 + 6 * M, &f,
	    &out), 0);
	EXPECT(&out,
	    "event declined [" KP "] KARD step 1",
	    "reply DECLINE_CONFIRM " KP);
	assert_int_equal(c.legs[0].step, 1);
	assert_int_equal(c.legs[0].due, T0 + 10 * M);
	assert_int_equal(c.legs[0].state, LEG_PAGING);
	assert_int_equal(f.calls, 2);
}

static void
test_ack_by_earlier_step(void **state)
{
	struct esc_consult	c;
	struct track_conf	t;
	struct fake		f;
	struct esc_actions	out;

	start_kard(&c, &t, &f, roster_full, nitems(roster_full), &out);
	assert_int_equal(apply(&c, &t, IN_DUE(), T0 + 5 * M, &f, &out), 0);
	assert_int_equal(apply(&c, &t, IN_DUE(), T0 + 10 * M, &f, &out), 0);
	assert_int_equal(c.legs[0].step, 2);

	/* Primary's page is still valid after two escalations. */
	assert_int_equal(apply(&c, &t, IN_ACK(0, KP), T0 + 12 * M, &f, &out),
	    0);
	EXPECT(&out,
	    "event acknowledged [" KP "] KARD",
	    "reply ACK_CONFIRM " KP,
	    "down 0 " KP,
	    "req ACKED 0 " KP);
	assert_int_equal(c.state, CONSULT_ACKNOWLEDGED);
	assert_string_equal(c.acked_by, KP);
	assert_int_equal(c.legs[0].step, 2);
	assert_int_equal(esc_next_due(&c), 0);
}

static void
test_second_ack_refused(void **state)
{
	struct esc_consult	c;
	struct track_conf	t;
	struct fake		f;
	struct esc_actions	out;

	start_kard(&c, &t, &f, roster_full, nitems(roster_full), &out);
	assert_int_equal(apply(&c, &t, IN_DUE(), T0 + 5 * M, &f, &out), 0);
	assert_int_equal(apply(&c, &t, IN_ACK(0, KB), T0 + 6 * M, &f, &out),
	    0);
	/* The primary got there second; the shell tells them who was first. */
	expect_refused(&c, &t, IN_ACK(0, KP), T0 + 7 * M, &f);
	expect_refused(&c, &t, IN_ACK(0, KB), T0 + 7 * M, &f);
	expect_refused(&c, &t, IN_DECLINE(0, 1, KB), T0 + 7 * M, &f);
	assert_string_equal(c.acked_by, KB);
	assert_int_equal(c.acked_at, T0 + 6 * M);

	/* Out-of-range legs are refused. */
	expect_refused(&c, &t, IN_ACK(1, KP), T0 + 7 * M, &f);
	expect_refused(&c, &t, IN_ACK(-1, KP), T0 + 7 * M, &f);
}

static void
test_ack_on_resolved(void **state)
{
	struct esc_consult	c;
	struct track_conf	t;
	struct fake		f;
	struct esc_actions	out;

	start_kard(&c, &t, &f, roster_full, nitems(roster_full), &out);
	assert_int_equal(apply(&c, &t, IN_ACK(0, KP), T0 + M, &f, &out), 0);
	assert_int_equal(apply(&c, &t, IN_RESOLVE(0, KP, ""), T0 + 20 * M, &f,
	    &out), 0);
	EXPECT(&out,
	    "event resolved [" KP "] ",
	    "reply RESOLVE_CONFIRM " KP,
	    "down -1 " KP);
	assert_int_equal(c.state, CONSULT_RESOLVED);
	assert_string_equal(c.outcome, "");

	expect_refused(&c, &t, IN_ACK(0, KP), T0 + 21 * M, &f);
	expect_refused(&c, &t, IN_RESOLVE(0, KP, "INL"), T0 + 21 * M, &f);
	expect_refused(&c, &t, IN_DECLINE(0, 0, KP), T0 + 21 * M, &f);
	expect_refused(&c, &t, IN_CANCEL(REQ), T0 + 21 * M, &f);
	expect_refused(&c, &t, IN_START(), T0 + 21 * M, &f);
	assert_int_equal(f.calls, 1);
}

static void
test_resolve_implicit_ack(void **state)
{
	struct esc_consult	c;
	struct track_conf	t;
	struct fake		f;
	struct esc_actions	out;

	start_kard(&c, &t, &f, roster_full, nitems(roster_full), &out);
	assert_int_equal(apply(&c, &t, IN_RESOLVE(0, KP, "INL"), T0 + 3 * M,
	    &f, &out), 0);
	/* The ack is recorded, but only the KLAR is confirmed. */
	EXPECT(&out,
	    "event acknowledged [" KP "] KARD",
	    "down 0 " KP,
	    "req ACKED 0 " KP,
	    "event resolved [" KP "] INL",
	    "reply RESOLVE_CONFIRM " KP,
	    "down -1 " KP);
	assert_int_equal(c.state, CONSULT_RESOLVED);
	assert_int_equal(c.resolved_at, T0 + 3 * M);
	assert_string_equal(c.outcome, "INL");
	assert_int_equal(c.acked_at, T0 + 3 * M);
	assert_string_equal(c.acked_by, KP);
	assert_int_equal(c.legs[0].state, LEG_ACKED);
	assert_int_equal(c.legs[0].due, 0);
	assert_int_equal(esc_next_due(&c), 0);
}

static void
test_cancel(void **state)
{
	struct esc_consult	c;
	struct track_conf	t;
	struct fake		f;
	struct esc_actions	out;

	start_kard(&c, &t, &f, roster_full, nitems(roster_full), &out);
	assert_int_equal(apply(&c, &t, IN_CANCEL(REQ), T0 + M, &f, &out), 0);
	EXPECT(&out,
	    "event cancelled [" REQ "] ",
	    "reply CANCEL_CONFIRM " REQ,
	    "down -1");
	assert_int_equal(c.state, CONSULT_CANCELLED);
	assert_int_equal(c.resolved_at, T0 + M);
	assert_int_equal(c.legs[0].state, LEG_CANCELLED);
	assert_int_equal(c.legs[0].due, 0);
	assert_int_equal(esc_next_due(&c), 0);
	expect_refused(&c, &t, IN_CANCEL(REQ), T0 + 2 * M, &f);
	expect_refused(&c, &t, IN_ACK(0, KP), T0 + 2 * M, &f);

	/* A queued consult can be cancelled before anyone is paged. */
	consult_init(&c, UNITS("KARD"));
	c.state = CONSULT_QUEUED;
	assert_int_equal(apply(&c, &t, IN_CANCEL(REQ), T0, &f, &out), 0);
	assert_int_equal(c.state, CONSULT_CANCELLED);
	assert_int_equal(c.legs[0].state, LEG_CANCELLED);
	assert_int_equal(f.calls, 1);
}

static void
test_cancel_keeps_acked_leg(void **state)
{
	struct esc_consult	c;
	struct track_conf	t = track_mdk();
	struct fake		f;
	struct esc_actions	out;

	fake_init(&f, roster_full, nitems(roster_full));
	consult_init(&c, UNITS("KARD", "GER"));
	assert_int_equal(apply(&c, &t, IN_START(), T0, &f, &out), 0);
	assert_int_equal(apply(&c, &t, IN_ACK(1, GM), T0 + M, &f, &out), 0);
	assert_int_equal(apply(&c, &t, IN_CANCEL(REQ), T0 + 2 * M, &f, &out),
	    0);
	assert_int_equal(c.legs[0].state, LEG_CANCELLED);
	assert_int_equal(c.legs[1].state, LEG_ACKED);
	assert_int_equal(c.state, CONSULT_CANCELLED);
}

static void
test_due_nothing_due(void **state)
{
	struct esc_consult	c;
	struct track_conf	t;
	struct fake		f;
	struct esc_actions	out;

	start_kard(&c, &t, &f, roster_full, nitems(roster_full), &out);
	expect_refused(&c, &t, IN_DUE(), T0, &f);
	expect_refused(&c, &t, IN_DUE(), T0 + 4 * M, &f);
	assert_int_equal(f.calls, 1);

	/* A queued consult has no timers. */
	consult_init(&c, UNITS("KARD"));
	c.state = CONSULT_QUEUED;
	expect_refused(&c, &t, IN_DUE(), T0 + H, &f);
}

static void
test_next_due(void **state)
{
	struct esc_consult	c;

	consult_init(&c, UNITS("A", "B", "C", "D", "E"));
	assert_int_equal(esc_next_due(&c), 0);
	c.legs[0].state = LEG_PAGING;
	c.legs[0].due = T0 + 300;
	c.legs[1].state = LEG_PAGING;
	c.legs[1].due = T0 + 100;
	c.legs[2].state = LEG_ACKED;	/* not pending, whatever its due */
	c.legs[2].due = T0 + 50;
	c.legs[3].state = LEG_PAGING;
	c.legs[3].due = 0;		/* no timer */
	c.legs[4].state = LEG_CANCELLED;
	c.legs[4].due = T0 + 10;
	assert_int_equal(esc_next_due(&c), T0 + 100);
	c.legs[1].state = LEG_UNANSWERED;
	assert_int_equal(esc_next_due(&c), T0 + 300);
	c.legs[0].due = 0;
	assert_int_equal(esc_next_due(&c), 0);
	assert_int_equal(esc_next_due(NULL), 0);
}

static void
test_mdk_require_all_unanswered(void **state)
{
	struct esc_consult	c;
	struct track_conf	t = track_mdk();
	struct fake		f;
	struct esc_actions	out;

	fake_init(&f, roster_full, nitems(roster_full));
	consult_init(&c, UNITS("KARD", "GER", "PSYK"));
	assert_int_equal(apply(&c, &t, IN_START(), T0, &f, &out), 0);
	EXPECT(&out,
	    "page 0 0 " KM " mdk",
	    "page 1 0 " GM " mdk",
	    "page 2 0 " PM " mdk",
	    "req RECEIVED -1");
	assert_int_equal(esc_next_due(&c), T0 + 4 * H);

	/* One unit answers: the conference still waits for the others. */
	assert_int_equal(apply(&c, &t, IN_ACK(1, GM), T0 + H, &f, &out), 0);
	EXPECT(&out,
	    "event acknowledged [" GM "] GER",
	    "reply ACK_CONFIRM " GM,
	    "down 1 " GM,
	    "req ACKED 1 " GM);
	assert_int_equal(c.state, CONSULT_OPEN);
	assert_int_equal(c.acked_at, T0 + H);
	assert_string_equal(c.acked_by, GM);
	assert_int_equal(c.legs[0].state, LEG_PAGING);
	assert_int_equal(c.legs[2].state, LEG_PAGING);

	/* KARD and PSYK time out together and go to their chiefs. */
	assert_int_equal(apply(&c, &t, IN_DUE(), T0 + 4 * H, &f, &out), 0);
	EXPECT(&out,
	    "page 0 1 " KC " chief",
	    "event escalated [] KARD step 2 chief timeout",
	    "page 2 1 " PC " chief",
	    "event escalated [] PSYK step 2 chief timeout");
	assert_int_equal(esc_next_due(&c), T0 + 8 * H);

	/* KARD's chief answers; the consult's first ack stays GER's. */
	assert_int_equal(apply(&c, &t, IN_ACK(0, KC), T0 + 5 * H, &f, &out),
	    0);
	assert_int_equal(c.state, CONSULT_OPEN);
	assert_int_equal(c.acked_at, T0 + H);
	assert_string_equal(c.acked_by, GM);
	assert_int_equal(c.legs[0].acked_at, T0 + 5 * H);

	/* PSYK runs out of steps: nothing is paging, so the consult is unanswered. */
	assert_int_equal(apply(&c, &t, IN_DUE(), T0 + 8 * H, &f, &out), 0);
	EXPECT(&out,
	    "event unanswered [] PSYK",
	    "req UNANSWERED 2",
	    "admins UNANSWERED 2",
	    "down 2");
	assert_int_equal(c.legs[2].state, LEG_UNANSWERED);
	assert_int_equal(c.legs[0].state, LEG_ACKED);
	assert_int_equal(c.legs[1].state, LEG_ACKED);
	assert_int_equal(c.state, CONSULT_UNANSWERED);
}

static void
test_mdk_leg_unanswered_while_others_page(void **state)
{
	static const struct fake_entry	roster[] = {
		{ "KARD", "mdk", KM, 0, 0 },
		{ "PSYK", "mdk", PM, 0, 0 },
	};
	struct esc_consult		c;
	struct track_conf		t = track_mdk();
	struct fake			f;
	struct esc_actions		out;

	fake_init(&f, roster, nitems(roster));
	consult_init(&c, UNITS("KARD", "GER", "PSYK"));
	assert_int_equal(apply(&c, &t, IN_START(), T0, &f, &out), 0);
	/* GER has nobody at all: that leg is unanswered, the others page on. */
	EXPECT(&out,
	    "page 0 0 " KM " mdk",
	    "event no_oncall [] GER mdk",
	    "admins ROSTER_GAP 1 mdk",
	    "event no_oncall [] GER chief",
	    "admins ROSTER_GAP 1 chief",
	    "event unanswered [] GER",
	    "req UNANSWERED 1",
	    "admins UNANSWERED 1",
	    "down 1",
	    "page 2 0 " PM " mdk",
	    "req RECEIVED -1");
	assert_int_equal(c.state, CONSULT_OPEN);
	assert_int_equal(c.legs[1].state, LEG_UNANSWERED);

	assert_int_equal(apply(&c, &t, IN_ACK(0, KM), T0 + H, &f, &out), 0);
	assert_int_equal(c.state, CONSULT_OPEN);
	/* The last paging leg answers: with GER missing, the consult is unanswered. */
	assert_int_equal(apply(&c, &t, IN_ACK(2, PM), T0 + 2 * H, &f, &out),
	    0);
	EXPECT(&out,
	    "event acknowledged [" PM "] PSYK",
	    "reply ACK_CONFIRM " PM,
	    "down 2 " PM,
	    "req ACKED 2 " PM);
	assert_int_equal(c.state, CONSULT_UNANSWERED);
	assert_int_equal(esc_next_due(&c), 0);
}

static void
test_mdk_all_acked(void **state)
{
	struct esc_consult	c;
	struct track_conf	t = track_mdk();
	struct fake		f;
	struct esc_actions	out;

	fake_init(&f, roster_full, nitems(roster_full));
	consult_init(&c, UNITS("KARD", "GER", "PSYK"));
	assert_int_equal(apply(&c, &t, IN_START(), T0, &f, &out), 0);
	assert_int_equal(apply(&c, &t, IN_ACK(2, PM), T0 + 10 * M, &f, &out),
	    0);
	assert_int_equal(c.state, CONSULT_OPEN);
	assert_int_equal(apply(&c, &t, IN_ACK(0, KM), T0 + 30 * M, &f, &out),
	    0);
	assert_int_equal(c.state, CONSULT_OPEN);
	assert_int_equal(apply(&c, &t, IN_ACK(1, GM), T0 + 90 * M, &f, &out),
	    0);
	EXPECT(&out,
	    "event acknowledged [" GM "] GER",
	    "reply ACK_CONFIRM " GM,
	    "down 1 " GM,
	    "req ACKED 1 " GM,
	    "req ALL_ACKED -1");
	assert_int_equal(c.state, CONSULT_ACKNOWLEDGED);
	assert_int_equal(c.acked_at, T0 + 10 * M);
	assert_string_equal(c.acked_by, PM);
	assert_int_equal(c.legs[0].acked_at, T0 + 30 * M);
	assert_int_equal(c.legs[1].acked_at, T0 + 90 * M);
	assert_int_equal(esc_next_due(&c), 0);

	/* KLAR on an acknowledged conference closes it. */
	assert_int_equal(apply(&c, &t, IN_RESOLVE(1, GM, "MDK"), T0 + 3 * H,
	    &f, &out), 0);
	EXPECT(&out,
	    "event resolved [" GM "] MDK",
	    "reply RESOLVE_CONFIRM " GM,
	    "down -1 " GM);
	assert_int_equal(c.state, CONSULT_RESOLVED);
}

/* A second leg answered by the same person in one SMS is not confirmed again. */
static void
test_quiet_ack_and_decline(void **state)
{
	struct esc_consult	c;
	struct track_conf	t = track_mdk();
	struct fake		f;
	struct esc_actions	out;
	struct esc_input	in;

	fake_init(&f, roster_full, nitems(roster_full));
	consult_init(&c, UNITS("KARD", "GER", "PSYK"));
	assert_int_equal(apply(&c, &t, IN_START(), T0, &f, &out), 0);
	in = IN_ACK(1, GM);
	in.quiet = true;
	assert_int_equal(apply(&c, &t, in, T0 + M, &f, &out), 0);
	EXPECT(&out,
	    "event acknowledged [" GM "] GER",
	    "down 1 " GM,
	    "req ACKED 1 " GM);
	in = IN_DECLINE(2, 0, PM);
	in.quiet = true;
	assert_int_equal(apply(&c, &t, in, T0 + 2 * M, &f, &out), 0);
	EXPECT(&out,
	    "event declined [" PM "] PSYK step 1",
	    "page 2 1 " PC " chief",
	    "event escalated [] PSYK step 2 chief declined");
}

static void
test_not_require_all(void **state)
{
	struct esc_consult	c;
	struct track_conf	t = track_mdk();
	struct fake		f;
	struct esc_actions	out;

	t.require_all = false;
	fake_init(&f, roster_full, nitems(roster_full));
	consult_init(&c, UNITS("KARD", "GER"));
	assert_int_equal(apply(&c, &t, IN_START(), T0, &f, &out), 0);
	EXPECT(&out,
	    "page 0 0 " KM " mdk",
	    "page 1 0 " GM " mdk",
	    "req RECEIVED -1");

	/* The first ack settles it: the other leg is cancelled and stood down. */
	assert_int_equal(apply(&c, &t, IN_ACK(1, GM), T0 + M, &f, &out), 0);
	EXPECT(&out,
	    "event acknowledged [" GM "] GER",
	    "reply ACK_CONFIRM " GM,
	    "down 1 " GM,
	    "req ACKED 1 " GM,
	    "down 0");
	assert_int_equal(c.state, CONSULT_ACKNOWLEDGED);
	assert_int_equal(c.legs[0].state, LEG_CANCELLED);
	assert_int_equal(c.legs[0].due, 0);
	assert_int_equal(c.legs[1].state, LEG_ACKED);
	assert_int_equal(esc_next_due(&c), 0);

	expect_refused(&c, &t, IN_ACK(0, KM), T0 + 2 * M, &f);
	expect_refused(&c, &t, IN_DUE(), T0 + 4 * H, &f);
}

static void
test_require_all_single_leg(void **state)
{
	struct esc_consult	c;
	struct track_conf	t = track_mdk();
	struct fake		f;
	struct esc_actions	out;

	fake_init(&f, roster_full, nitems(roster_full));
	consult_init(&c, UNITS("GER"));
	assert_int_equal(apply(&c, &t, IN_START(), T0, &f, &out), 0);
	assert_int_equal(apply(&c, &t, IN_ACK(0, GM), T0 + M, &f, &out), 0);
	/* One leg: no "all acknowledged" message on top of the ack. */
	EXPECT(&out,
	    "event acknowledged [" GM "] GER",
	    "reply ACK_CONFIRM " GM,
	    "down 0 " GM,
	    "req ACKED 0 " GM);
	assert_int_equal(c.state, CONSULT_ACKNOWLEDGED);
}

static void
test_start_rules(void **state)
{
	struct esc_consult	c;
	struct track_conf	t = track_akut();
	struct fake		f;
	struct esc_actions	out;

	fake_init(&f, roster_full, nitems(roster_full));

	/* A queued consult opens when it starts. */
	consult_init(&c, UNITS("KARD"));
	c.state = CONSULT_QUEUED;
	assert_int_equal(apply(&c, &t, IN_START(), T0, &f, &out), 0);
	assert_int_equal(c.state, CONSULT_OPEN);
	/* Started twice: refused. */
	expect_refused(&c, &t, IN_START(), T0 + 1, &f);

	/* Queued consults take no acks. */
	consult_init(&c, UNITS("KARD"));
	c.state = CONSULT_QUEUED;
	c.legs[0].state = LEG_PAGING;
	expect_refused(&c, &t, IN_ACK(0, KP), T0, &f);

	consult_init(&c, UNITS("KARD"));
	c.legs[0].step = 0;
	expect_refused(&c, &t, IN_START(), T0, &f);

	consult_init(&c, UNITS("KARD"));
	c.nlegs = 0;
	expect_refused(&c, &t, IN_START(), T0, &f);
	c.nlegs = MAX_LEGS + 1;
	expect_refused(&c, &t, IN_START(), T0, &f);

	consult_init(&c, UNITS("KARD"));
	c.state = CONSULT_REJECTED;
	expect_refused(&c, &t, IN_START(), T0, &f);

	/* A track without roles cannot escalate. */
	consult_init(&c, UNITS("KARD"));
	t.nroles = 0;
	expect_refused(&c, &t, IN_START(), T0, &f);

	/* Without a roster callback nothing can be paged. */
	t = track_akut();
	memset(&out, 0, sizeof(out));
	assert_int_equal(esc_apply(&c, &t, &(struct esc_input){
	    .kind = ESC_START }, T0, NULL, NULL, &out), -1);
	assert_int_equal(out.n, 0);

	/* An unknown input kind. */
	expect_refused(&c, &t, input((enum esc_input_kind)99, 0, 0, "", ""),
	    T0, &f);
	assert_int_equal(f.calls, 1);
}

static void
test_roster_change_between_steps(void **state)
{
	static const struct fake_entry	roster[] = {
		{ "KARD", "primary", KP, 0, T0 + 12 * M },
		{ "KARD", "primary", "+46701000099", T0 + 12 * M, 0 },
		{ "KARD", "backup", KB, 0, 0 },
	};
	struct esc_consult		c;
	struct track_conf		t;
	struct fake			f;
	struct esc_actions		out;

	start_kard(&c, &t, &f, roster, nitems(roster), &out);
	t.nroles = 2;	/* primary, backup */
	assert_int_equal(apply(&c, &t, IN_DUE(), T0 + 5 * M, &f, &out), 0);
	/* The second pass pages whoever holds primary by then. */
	assert_int_equal(apply(&c, &t, IN_DUE(), T0 + 15 * M, &f, &out), 0);
	EXPECT(&out,
	    "page 0 2 +46701000099 primary",
	    "event escalated [] KARD step 3 primary timeout");
}

/* Every leg finds every role empty: the most actions one call can make. */
static void
test_worst_case_bound(void **state)
{
	struct fake_entry	 roster[MAX_LEGS];
	static const char	*units[MAX_LEGS] = {
		"U0", "U1", "U2", "U3", "U4", "U5", "U6", "U7"
	};
	struct esc_consult	 c, before;
	struct track_conf	 t;
	struct fake		 f;
	struct esc_actions	*out;
	int			 i;

	out = test_malloc(sizeof(*out));
	memset(&t, 0, sizeof(t));
	t.ack_timeout = 5 * M;
	t.repeat = 10;
	t.require_all = true;
	for (i = 0; i < MAX_STEPS; i++)
		snprintf(t.roles[i], sizeof(t.roles[i]), "r%d", i);
	t.nroles = MAX_STEPS;

	fake_init(&f, roster, 0);
	consult_init(&c, UNITS("U0", "U1", "U2", "U3", "U4", "U5", "U6",
	    "U7"));
	assert_int_equal(c.nlegs, MAX_LEGS);
	assert_int_equal(apply(&c, &t, IN_START(), T0, &f, out), 0);
	assert_int_equal(out->n, MAX_LEGS * (2 * MAX_STEPS + 4));
	assert_true(out->n <= ESC_MAX_ACTIONS);
	assert_int_equal(f.calls, MAX_LEGS * MAX_STEPS);
	assert_int_equal(c.state, CONSULT_UNANSWERED);

	/* Every leg paged on role 0, then the whole roster empties. */
	for (i = 0; i < MAX_LEGS; i++) {
		roster[i] = (struct fake_entry){ units[i], "r0", KP, 0,
		    T0 + M };
	}
	fake_init(&f, roster, nitems(roster));
	consult_init(&c, UNITS("U0", "U1", "U2", "U3", "U4", "U5", "U6",
	    "U7"));
	assert_int_equal(apply(&c, &t, IN_START(), T0, &f, out), 0);
	assert_int_equal(out->n, MAX_LEGS + 1);
	assert_int_equal(apply(&c, &t, IN_DUE(), T0 + 5 * M, &f, out), 0);
	assert_int_equal(out->n, MAX_LEGS * (2 * MAX_STEPS + 4));
	assert_int_equal(c.state, CONSULT_UNANSWERED);

	/* An action list already nearly full is refused, not overrun. */
	consult_init(&c, UNITS("U0", "U1", "U2", "U3", "U4", "U5", "U6",
	    "U7"));
	fake_init(&f, roster, 0);
	before = c;
	memset(out, 0, sizeof(*out));
	out->n = ESC_MAX_ACTIONS - 5;
	assert_int_equal(esc_apply(&c, &t, &(struct esc_input){
	    .kind = ESC_START }, T0, fake_oncall, &f, out), -1);
	assert_int_equal(out->n, ESC_MAX_ACTIONS - 5);
	assert_memory_equal(&c, &before, sizeof(c));
	test_free(out);
}

static void
test_unterminated_strings(void **state)
{
	struct esc_consult	c;
	struct track_conf	t;
	struct fake		f;
	struct esc_actions	out;
	struct esc_input	in;

	start_kard(&c, &t, &f, roster_full, nitems(roster_full), &out);
	in = IN_ACK(0, "");
	memset(in.from, '7', sizeof(in.from));
	assert_int_equal(apply(&c, &t, in, T0 + M, &f, &out), 0);
	assert_int_equal(strlen(c.acked_by), PHONE_MAX - 1);
	assert_int_equal(strlen(out.list[0].actor), PHONE_MAX - 1);
	assert_int_equal(strlen(out.list[1].to), PHONE_MAX - 1);
}

static void
test_state_names(void **state)
{
	static const char	*cnames[] = { "queued", "open", "acknowledged",
	    "resolved", "cancelled", "unanswered", "rejected" };
	static const char	*lnames[] = { "waiting", "paging", "acked",
	    "unanswered", "cancelled" };
	int			 i;

	for (i = 0; i < (int)nitems(cnames); i++) {
		assert_string_equal(esc_state_name((enum consult_state)i),
		    cnames[i]);
		assert_int_equal(esc_state_from_name(cnames[i]), i);
	}
	assert_int_equal(esc_state_from_name("OPEN"), -1);
	assert_int_equal(esc_state_from_name(""), -1);
	assert_int_equal(esc_state_from_name(NULL), -1);
	assert_int_equal(esc_state_from_name("paging"), -1);
	assert_string_equal(esc_state_name((enum consult_state)99), "?");

	for (i = 0; i < (int)nitems(lnames); i++) {
		assert_string_equal(esc_leg_state_name((enum leg_state)i),
		    lnames[i]);
		assert_int_equal(esc_leg_state_from_name(lnames[i]), i);
	}
	assert_int_equal(esc_leg_state_from_name("open"), -1);
	assert_int_equal(esc_leg_state_from_name(NULL), -1);
	assert_string_equal(esc_leg_state_name((enum leg_state)-1), "?");

	assert_false(esc_closed(CONSULT_QUEUED));
	assert_false(esc_closed(CONSULT_OPEN));
	assert_false(esc_closed(CONSULT_ACKNOWLEDGED));
	assert_true(esc_closed(CONSULT_RESOLVED));
	assert_true(esc_closed(CONSULT_CANCELLED));
	assert_true(esc_closed(CONSULT_UNANSWERED));
	assert_true(esc_closed(CONSULT_REJECTED));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_happy_path),
		cmocka_unit_test(test_timeout_to_backup_and_chief),
		cmocka_unit_test(test_repeat_pass_then_unanswered),
		cmocka_unit_test(test_roster_gap),
		cmocka_unit_test(test_first_role_empty),
		cmocka_unit_test(test_holder_without_phone),
		cmocka_unit_test(test_all_roles_empty),
		cmocka_unit_test(test_decline_current_step),
		cmocka_unit_test(test_decline_last_step),
		cmocka_unit_test(test_decline_earlier_step),
		cmocka_unit_test(test_ack_by_earlier_step),
		cmocka_unit_test(test_second_ack_refused),
		cmocka_unit_test(test_ack_on_resolved),
		cmocka_unit_test(test_resolve_implicit_ack),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_cancel_keeps_acked_leg),
		cmocka_unit_test(test_due_nothing_due),
		cmocka_unit_test(test_next_due),
		cmocka_unit_test(test_mdk_require_all_unanswered),
		cmocka_unit_test(test_mdk_leg_unanswered_while_others_page),
		cmocka_unit_test(test_mdk_all_acked),
		cmocka_unit_test(test_quiet_ack_and_decline),
		cmocka_unit_test(test_not_require_all),
		cmocka_unit_test(test_require_all_single_leg),
		cmocka_unit_test(test_start_rules),
		cmocka_unit_test(test_roster_change_between_steps),
		cmocka_unit_test(test_worst_case_bound),
		cmocka_unit_test(test_unterminated_strings),
		cmocka_unit_test(test_state_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
