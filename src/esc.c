/*
 * esc.c — the consult state machine: one input and `now` in, the consult
 * updated and a list of actions out. No I/O, no clock; the roster is asked
 * through the caller's callback.
 *
 * esc_apply() works on a copy of the consult and collects actions in a
 * buffer of its own, and commits both only when the input applied, so a
 * refused input leaves the caller's consult and action list as they were.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "esc.h"

/*
 * Worst cases per input, counted from the emitting code below; the header's
 * ESC_MAX_ACTIONS must cover the largest. A step taken for one leg emits at
 * most nroles skips of two actions, then a page and its event, or four
 * actions for going unanswered. Cancelling the other legs after an ack emits
 * one stand-down per leg, at most once per leg in one call.
 */
#define ESC_STEP_WORST		(2 * MAX_STEPS + 4)
#define ESC_START_WORST		(MAX_LEGS * ESC_STEP_WORST + MAX_LEGS + 1)
#define ESC_DUE_WORST		(MAX_LEGS * ESC_STEP_WORST + MAX_LEGS)
#define ESC_DECLINE_WORST	(2 + ESC_STEP_WORST + MAX_LEGS)
#define ESC_ACK_WORST		(4 + MAX_LEGS + 1)
#define ESC_RESOLVE_WORST	(3 + MAX_LEGS + 1 + 3)

_Static_assert(ESC_MAX_ACTIONS >= ESC_START_WORST, "esc: START bound");
_Static_assert(ESC_MAX_ACTIONS >= ESC_DUE_WORST, "esc: DUE bound");
_Static_assert(ESC_MAX_ACTIONS >= ESC_DECLINE_WORST, "esc: DECLINE bound");
_Static_assert(ESC_MAX_ACTIONS >= ESC_ACK_WORST, "esc: ACK bound");
_Static_assert(ESC_MAX_ACTIONS >= ESC_RESOLVE_WORST, "esc: RESOLVE bound");
/* gaps_told keeps one bit per role. */
_Static_assert(MAX_STEPS <= 32, "esc: gaps_told is too narrow");

/* The working state of one esc_apply() call. */
struct esc_run {
	struct esc_consult	 c;	/* copy, committed on success */
	struct esc_input	 in;	/* copy with terminated strings */
	const struct track_conf	*t;
	jtime_t			 now;
	esc_oncall_fn		 oncall;
	void			*arg;
	struct esc_actions	 out;	/* appended to the caller's on success */
	bool			 overflow;
};

static const char *esc_state_names[] = {
	[CONSULT_QUEUED] = "queued",
	[CONSULT_OPEN] = "open",
	[CONSULT_ACKNOWLEDGED] = "acknowledged",
	[CONSULT_RESOLVED] = "resolved",
	[CONSULT_CANCELLED] = "cancelled",
	[CONSULT_UNANSWERED] = "unanswered",
	[CONSULT_REJECTED] = "rejected"
};

static const char *esc_leg_state_names[] = {
	[LEG_WAITING] = "waiting",
	[LEG_PAGING] = "paging",
	[LEG_ACKED] = "acked",
	[LEG_UNANSWERED] = "unanswered",
	[LEG_CANCELLED] = "cancelled"
};

/* Copies at most sz - 1 bytes of src, never reading past them, and a NUL. */
static void
esc_copy(char *dst, size_t sz, const char *src)
{
	size_t	len;

	len = strnlen(src, sz - 1);
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* Appends a blank action, or notes the overflow and returns NULL. */
static struct esc_action *
esc_push(struct esc_run *r, enum esc_action_kind kind, int leg)
{
	struct esc_action	*a;

	if (r->out.n >= ESC_MAX_ACTIONS) {
		r->overflow = true;
		return NULL;
	}
	a = &r->out.list[r->out.n++];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->leg = leg;
	a->step = -1;
	a->msg = MSG_NONE;
	return a;
}

static void esc_event(struct esc_run *, int, const char *, const char *,
    const char *, ...) __attribute__((format(printf, 5, 6)));

/* Records an event; an empty actor means jourd itself. */
static void
esc_event(struct esc_run *r, int leg, const char *type, const char *actor,
    const char *fmt, ...)
{
	struct esc_action	*a;
	va_list			 ap;

	if ((a = esc_push(r, ESC_EVENT, leg)) == NULL)
		return;
	esc_copy(a->event, sizeof(a->event), type);
	esc_copy(a->actor, sizeof(a->actor), actor);
	va_start(ap, fmt);
	vsnprintf(a->detail, sizeof(a->detail), fmt, ap);
	va_end(ap);
}

static void
esc_tell(struct esc_run *r, enum esc_action_kind kind, enum esc_msg msg,
    int leg, const char *to)
{
	struct esc_action	*a;

	if ((a = esc_push(r, kind, leg)) == NULL)
		return;
	a->msg = msg;
	esc_copy(a->to, sizeof(a->to), to);
}

static void
esc_stand_down(struct esc_run *r, int leg, const char *to)
{
	struct esc_action	*a;

	if ((a = esc_push(r, ESC_STAND_DOWN, leg)) == NULL)
		return;
	esc_copy(a->to, sizeof(a->to), to);
}

static bool
esc_live(enum consult_state state)
{
	return state == CONSULT_OPEN || state == CONSULT_ACKNOWLEDGED;
}

/* The escalation roles are usable: at least one, and a positive timeout. */
static bool
esc_track_ok(const struct track_conf *t)
{
	return t->nroles >= 1 && t->nroles <= MAX_STEPS && t->repeat >= 0 &&
	    t->repeat < 1000 && t->ack_timeout > 0;
}

/*
 * Derives the consult's state from its legs while it is open or
 * acknowledged. Without require_all the first ack settles the consult, so
 * legs still paging are cancelled and their responders stood down.
 */
static void
esc_recompute(struct esc_run *r)
{
	struct esc_consult	*c = &r->c;
	struct esc_leg		*l;
	int			 i, acked = 0, paging = 0;

	if (!esc_live(c->state))
		return;
	for (i = 0; i < c->nlegs; i++) {
		l = &c->legs[i];
		if (l->state == LEG_ACKED)
			acked++;
		else if (l->state == LEG_PAGING || l->state == LEG_WAITING)
			paging++;
	}

	if (r->t->require_all && c->nlegs > 1) {
		if (acked == c->nlegs)
			c->state = CONSULT_ACKNOWLEDGED;
		else if (paging == 0)
			c->state = CONSULT_UNANSWERED;
		else
			c->state = CONSULT_OPEN;
	} else if (acked >= 1) {
		c->state = CONSULT_ACKNOWLEDGED;
		for (i = 0; i < c->nlegs; i++) {
			l = &c->legs[i];
			if (l->state != LEG_PAGING)
				continue;
			l->state = LEG_CANCELLED;
			l->due = 0;
			esc_stand_down(r, i, "");
		}
	} else if (paging == 0)
		c->state = CONSULT_UNANSWERED;
	else
		c->state = CONSULT_OPEN;

	if (esc_closed(c->state)) {
		for (i = 0; i < c->nlegs; i++)
			c->legs[i].due = 0;
	}
}

/* The leg ran out of steps: tell the requester and the administrators. */
static void
esc_exhaust(struct esc_run *r, int i)
{
	struct esc_leg	*l = &r->c.legs[i];

	l->state = LEG_UNANSWERED;
	l->due = 0;
	esc_event(r, i, "unanswered", "", "%s", l->unit);
	esc_tell(r, ESC_TELL_REQUESTER, MSG_UNANSWERED, i, "");
	esc_tell(r, ESC_TELL_ADMINS, MSG_UNANSWERED, i, "");
	esc_stand_down(r, i, "");
	esc_recompute(r);
}

/*
 * Moves leg i to its next step whose role somebody holds and pages them, or
 * makes the leg unanswered when no step is left. Empty roles are skipped and
 * logged; the administrators hear of each empty role once per leg. The
 * roster cannot change within one call (same `now`), so a whole pass of
 * empty roles means every later pass is empty too and the leg ends at once
 * rather than logging the same gaps again for each repeat.
 */
static void
esc_step(struct esc_run *r, int i, const char *reason)
{
	const struct track_conf	*t = r->t;
	struct esc_leg		*l = &r->c.legs[i];
	struct esc_action	*a;
	char			 phone[PHONE_MAX] = "";
	const char		*role;
	int			 total, ri, skipped = 0;

	total = t->nroles * (t->repeat + 1);
	if (l->step < -1)
		l->step = -1;
	for (l->step++; l->step < total; l->step++) {
		if (skipped == t->nroles)
			break;
		ri = l->step % t->nroles;
		role = t->roles[ri];
		memset(phone, 0, sizeof(phone));
		if (r->oncall(r->arg, l->unit, role, r->now, phone)) {
			phone[sizeof(phone) - 1] = '\0';
			if (phone[0] != '\0')
				break;
		}
		skipped++;
		esc_event(r, i, "no_oncall", "", "%s %s", l->unit, role);
		if ((l->gaps_told & (1u << ri)) == 0) {
			l->gaps_told |= 1u << ri;
			if ((a = esc_push(r, ESC_TELL_ADMINS, i)) != NULL) {
				a->msg = MSG_ROSTER_GAP;
				a->step = l->step;
				esc_copy(a->role, sizeof(a->role), role);
			}
		}
	}
	if (l->step >= total || skipped == t->nroles) {
		l->step = total;
		esc_exhaust(r, i);
		return;
	}

	role = t->roles[l->step % t->nroles];
	if ((a = esc_push(r, ESC_PAGE, i)) != NULL) {
		a->step = l->step;
		esc_copy(a->to, sizeof(a->to), phone);
		esc_copy(a->role, sizeof(a->role), role);
	}
	if (l->step > 0) {
		esc_event(r, i, "escalated", "", "%s step %d %s %s", l->unit,
		    l->step + 1, role, skipped > 0 ? "no_oncall" : reason);
	}
	l->state = LEG_PAGING;
	l->due = r->now + t->ack_timeout;
	if (r->c.first_page_at == 0)
		r->c.first_page_at = r->now;
}

static int
esc_start(struct esc_run *r)
{
	struct esc_consult	*c = &r->c;
	int			 i;

	if (c->state != CONSULT_OPEN && c->state != CONSULT_QUEUED)
		return -1;
	if (!esc_track_ok(r->t) || r->oncall == NULL)
		return -1;
	for (i = 0; i < c->nlegs; i++) {
		if (c->legs[i].state != LEG_WAITING || c->legs[i].step != -1)
			return -1;
	}

	c->state = CONSULT_OPEN;
	for (i = 0; i < c->nlegs && c->state == CONSULT_OPEN; i++)
		esc_step(r, i, "");
	/*
	 * The receipt follows the pages so that they go out first. A consult
	 * that went unanswered at once has already told the requester so; a
	 * receipt saying "paging" after that would mislead.
	 */
	if (!esc_closed(c->state))
		esc_tell(r, ESC_TELL_REQUESTER, MSG_RECEIVED, -1, "");
	return 0;
}

static int
esc_due(struct esc_run *r)
{
	struct esc_consult	*c = &r->c;
	struct esc_leg		*l;
	int			 i, ndue = 0;

	if (!esc_live(c->state))
		return -1;
	if (!esc_track_ok(r->t) || r->oncall == NULL)
		return -1;
	for (i = 0; i < c->nlegs && esc_live(c->state); i++) {
		l = &c->legs[i];
		if (l->state != LEG_PAGING || l->due == 0 || l->due > r->now)
			continue;
		ndue++;
		esc_step(r, i, "timeout");
	}
	return ndue > 0 ? 0 : -1;
}

/* Marks leg i acknowledged by from; reply says whether to confirm. */
static void
esc_ack_leg(struct esc_run *r, int i, bool reply)
{
	struct esc_consult	*c = &r->c;
	struct esc_leg		*l = &c->legs[i];
	const char		*from = r->in.from;
	int			 j, acked = 0;

	l->state = LEG_ACKED;
	l->acked_at = r->now;
	esc_copy(l->acked_by, sizeof(l->acked_by), from);
	l->due = 0;
	if (c->acked_at == 0) {
		c->acked_at = r->now;
		esc_copy(c->acked_by, sizeof(c->acked_by), from);
	}

	esc_event(r, i, "acknowledged", from, "%s", l->unit);
	if (reply)
		esc_tell(r, ESC_REPLY, MSG_ACK_CONFIRM, i, from);
	esc_stand_down(r, i, from);
	esc_tell(r, ESC_TELL_REQUESTER, MSG_ACKED, i, from);
	esc_recompute(r);

	for (j = 0; j < c->nlegs; j++) {
		if (c->legs[j].state == LEG_ACKED)
			acked++;
	}
	if (c->nlegs > 1 && acked == c->nlegs)
		esc_tell(r, ESC_TELL_REQUESTER, MSG_ALL_ACKED, -1, "");
}

static bool
esc_leg_ok(const struct esc_run *r)
{
	return r->in.leg >= 0 && r->in.leg < r->c.nlegs;
}

static int
esc_ack(struct esc_run *r)
{
	if (!esc_live(r->c.state) || !esc_leg_ok(r))
		return -1;
	if (r->c.legs[r->in.leg].state != LEG_PAGING)
		return -1;
	esc_ack_leg(r, r->in.leg, !r->in.quiet);
	return 0;
}

/*
 * A decline by the responder of the current step escalates at once; one by
 * an earlier step's responder is recorded but the current step keeps its
 * time.
 */
static int
esc_decline(struct esc_run *r)
{
	struct esc_leg	*l;

	if (!esc_live(r->c.state) || !esc_leg_ok(r))
		return -1;
	l = &r->c.legs[r->in.leg];
	if (l->state != LEG_PAGING)
		return -1;
	if (r->in.step < 0 || r->in.step > l->step)
		return -1;
	if (!esc_track_ok(r->t) || r->oncall == NULL)
		return -1;

	esc_event(r, r->in.leg, "declined", r->in.from, "%s step %d", l->unit,
	    r->in.step + 1);
	if (!r->in.quiet)
		esc_tell(r, ESC_REPLY, MSG_DECLINE_CONFIRM, r->in.leg,
		    r->in.from);
	if (r->in.step == l->step)
		esc_step(r, r->in.leg, "declined");
	return 0;
}

static int
esc_resolve(struct esc_run *r)
{
	struct esc_consult	*c = &r->c;
	struct esc_leg		*l;
	int			 i;

	if (!esc_live(c->state) || !esc_leg_ok(r))
		return -1;
	if (c->legs[r->in.leg].state == LEG_PAGING)
		esc_ack_leg(r, r->in.leg, false);

	c->state = CONSULT_RESOLVED;
	c->resolved_at = r->now;
	esc_copy(c->outcome, sizeof(c->outcome), r->in.outcome);
	for (i = 0; i < c->nlegs; i++) {
		l = &c->legs[i];
		if (l->state == LEG_PAGING || l->state == LEG_WAITING)
			l->state = LEG_CANCELLED;
		l->due = 0;
	}
	esc_event(r, r->in.leg, "resolved", r->in.from, "%s", c->outcome);
	esc_tell(r, ESC_REPLY, MSG_RESOLVE_CONFIRM, r->in.leg, r->in.from);
	esc_stand_down(r, -1, r->in.from);
	return 0;
}

static int
esc_cancel(struct esc_run *r)
{
	struct esc_consult	*c = &r->c;
	struct esc_leg		*l;
	int			 i;

	if (c->state != CONSULT_QUEUED && !esc_live(c->state))
		return -1;
	for (i = 0; i < c->nlegs; i++) {
		l = &c->legs[i];
		if (l->state != LEG_ACKED && l->state != LEG_UNANSWERED)
			l->state = LEG_CANCELLED;
		l->due = 0;
	}
	c->state = CONSULT_CANCELLED;
	c->resolved_at = r->now;
	esc_event(r, -1, "cancelled", r->in.from, "%s", "");
	esc_tell(r, ESC_REPLY, MSG_CANCEL_CONFIRM, -1, r->in.from);
	esc_stand_down(r, -1, "");
	return 0;
}

int
esc_apply(struct esc_consult *c, const struct track_conf *t,
    const struct esc_input *in, jtime_t now, esc_oncall_fn oncall, void *arg,
    struct esc_actions *out)
{
	struct esc_run	*r, run;
	int		 i, rc;

	if (c == NULL || t == NULL || in == NULL || out == NULL)
		return -1;
	if (out->n < 0 || out->n > ESC_MAX_ACTIONS)
		return -1;
	if (esc_closed(c->state) || c->nlegs < 1 || c->nlegs > MAX_LEGS)
		return -1;

	r = &run;
	r->c = *c;
	r->in = *in;
	r->t = t;
	r->now = now;
	r->oncall = oncall;
	r->arg = arg;
	r->out.n = 0;
	r->overflow = false;

	/* Strings came from the database or another process: bound them. */
	r->in.from[sizeof(r->in.from) - 1] = '\0';
	r->in.outcome[sizeof(r->in.outcome) - 1] = '\0';
	r->c.acked_by[sizeof(r->c.acked_by) - 1] = '\0';
	r->c.outcome[sizeof(r->c.outcome) - 1] = '\0';
	for (i = 0; i < r->c.nlegs; i++) {
		r->c.legs[i].unit[sizeof(r->c.legs[i].unit) - 1] = '\0';
		r->c.legs[i].acked_by[sizeof(r->c.legs[i].acked_by) - 1] = '\0';
	}

	switch (r->in.kind) {
	case ESC_START:
		rc = esc_start(r);
		break;
	case ESC_DUE:
		rc = esc_due(r);
		break;
	case ESC_ACK:
		rc = esc_ack(r);
		break;
	case ESC_DECLINE:
		rc = esc_decline(r);
		break;
	case ESC_RESOLVE:
		rc = esc_resolve(r);
		break;
	case ESC_CANCEL:
		rc = esc_cancel(r);
		break;
	default:
		rc = -1;
		break;
	}
	if (rc != 0 || r->overflow || r->out.n > ESC_MAX_ACTIONS - out->n)
		return -1;

	if (r->out.n > 0) {
		memcpy(&out->list[out->n], r->out.list,
		    (size_t)r->out.n * sizeof(r->out.list[0]));
	}
	out->n += r->out.n;
	*c = r->c;
	return 0;
}

jtime_t
esc_next_due(const struct esc_consult *c)
{
	jtime_t	due = 0;
	int	i, n;

	if (c == NULL)
		return 0;
	n = c->nlegs < MAX_LEGS ? c->nlegs : MAX_LEGS;
	for (i = 0; i < n; i++) {
		if (c->legs[i].state != LEG_PAGING || c->legs[i].due == 0)
			continue;
		if (due == 0 || c->legs[i].due < due)
			due = c->legs[i].due;
	}
	return due;
}

bool
esc_closed(enum consult_state state)
{
	switch (state) {
	case CONSULT_RESOLVED:
	case CONSULT_CANCELLED:
	case CONSULT_UNANSWERED:
	case CONSULT_REJECTED:
		return true;
	default:
		return false;
	}
}

/* Looks name up in a table of n names; -1 when absent. */
static int
esc_lookup(const char **names, size_t n, const char *name)
{
	size_t	i;

	if (name == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (names[i] != NULL && strcmp(names[i], name) == 0)
			return (int)i;
	}
	return -1;
}

const char *
esc_state_name(enum consult_state state)
{
	if ((unsigned)state >= nitems(esc_state_names))
		return "?";
	return esc_state_names[state];
}

int
esc_state_from_name(const char *name)
{
	return esc_lookup(esc_state_names, nitems(esc_state_names), name);
}

const char *
esc_leg_state_name(enum leg_state state)
{
	if ((unsigned)state >= nitems(esc_leg_state_names))
		return "?";
	return esc_leg_state_names[state];
}

int
esc_leg_state_from_name(const char *name)
{
	return esc_lookup(esc_leg_state_names, nitems(esc_leg_state_names),
	    name);
}
