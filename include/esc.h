/*
 * esc.h — the consult state machine. Pure: an input and an explicit `now` go
 * in, the consult is updated in place and a list of actions comes out. The
 * shell (consult.c) loads the consult, calls esc_apply(), stores the consult
 * and executes the actions in one database transaction.
 *
 * A consult has one leg per unit paged (one for AKUT, HALV and PV; one per
 * unit for MDK). Each leg walks the track's escalation roles: step s pages
 * the holder of roles[s % nroles]; there are nroles * (repeat + 1) steps.
 * A step whose role has nobody on call is skipped at once (event no_oncall,
 * administrators told once per role and leg). When the steps are exhausted
 * the leg is unanswered. Earlier pages stay valid: any paged responder may
 * acknowledge.
 */
#ifndef JOURD_ESC_H
#define JOURD_ESC_H

#include "common.h"
#include "config.h"

enum consult_state {
	CONSULT_QUEUED,		/* waiting for opening hours */
	CONSULT_OPEN,		/* paging */
	CONSULT_ACKNOWLEDGED,
	CONSULT_RESOLVED,
	CONSULT_CANCELLED,
	CONSULT_UNANSWERED,
	CONSULT_REJECTED
};

enum leg_state {
	LEG_WAITING,		/* not paged yet (queued consult) */
	LEG_PAGING,
	LEG_ACKED,
	LEG_UNANSWERED,
	LEG_CANCELLED
};

struct esc_leg {
	char		unit[UNIT_MAX];	/* unit code */
	enum leg_state	state;
	int		step;		/* current step, -1 before the first,
					   nroles * (repeat + 1) when exhausted */
	jtime_t		due;		/* current step times out; 0 = no timer */
	jtime_t		acked_at;
	char		acked_by[PHONE_MAX];
	unsigned	gaps_told;	/* bit r: admins told role r is empty */
};

struct esc_consult {
	int64_t			id;
	enum consult_state	state;
	jtime_t			created_at;
	jtime_t			first_page_at;	/* 0 = not yet */
	jtime_t			acked_at;
	char			acked_by[PHONE_MAX];
	jtime_t			resolved_at;
	char			outcome[WORD_MAX];
	struct esc_leg		legs[MAX_LEGS];
	int			nlegs;
};

enum esc_input_kind {
	ESC_START,	/* a new consult: page the first step of every leg */
	ESC_DUE,	/* the clock reached a leg's due time */
	ESC_ACK,	/* OK from a paged responder */
	ESC_DECLINE,	/* NEJ from a paged responder */
	ESC_RESOLVE,	/* KLAR from a paged responder */
	ESC_CANCEL	/* AVBRYT from the requester */
};

struct esc_input {
	enum esc_input_kind	kind;
	int			leg;	/* ACK, DECLINE, RESOLVE: leg of the page */
	int			step;	/* DECLINE: step of the decliner's page */
	char			from[PHONE_MAX];
	char			outcome[WORD_MAX];	/* RESOLVE, "" = none */
	bool			quiet;	/* ACK, DECLINE: no confirmation to
					   `from` (it had one for another leg) */
};

enum esc_action_kind {
	ESC_PAGE,		/* page `to` as `role` at `step` for `leg` */
	ESC_EVENT,		/* append event `event` (actor, detail); step
				   numbers in details count from 1 for people */
	ESC_TELL_REQUESTER,	/* send message `msg` about `leg` to the requester */
	ESC_TELL_ADMINS,	/* send message `msg` about `leg` to every admin */
	ESC_REPLY,		/* send message `msg` to `to`, who sent the input */
	ESC_STAND_DOWN		/* close the open pages of `leg` (-1: all legs)
				   and tell every holder but `to` to stand down */
};

enum esc_msg {
	MSG_NONE,
	MSG_RECEIVED,		/* requester: consult created, paging */
	MSG_ACKED,		/* requester: `leg` acknowledged by `to` */
	MSG_ALL_ACKED,		/* requester: every leg acknowledged (MDK) */
	MSG_UNANSWERED,		/* requester, admins: `leg` went unanswered */
	MSG_ROSTER_GAP,		/* admins: nobody holds `role` of `leg`'s unit */
	MSG_ACK_CONFIRM,	/* responder: your OK is registered */
	MSG_DECLINE_CONFIRM,	/* responder: your NEJ is registered */
	MSG_RESOLVE_CONFIRM,	/* responder: your KLAR is registered */
	MSG_CANCEL_CONFIRM	/* requester: your AVBRYT is registered */
};

struct esc_action {
	enum esc_action_kind	kind;
	int			leg;
	int			step;
	char			to[PHONE_MAX];
	char			role[ROLE_MAX];
	enum esc_msg		msg;
	char			event[WORD_MAX];	/* ESC_EVENT: type */
	char			actor[PHONE_MAX];	/* ESC_EVENT: "" = jourd */
	char			detail[160];		/* ESC_EVENT */
};

/*
 * The most actions one esc_apply() can append, reached by ESC_START or
 * ESC_DUE when every leg finds every role empty: per leg at most one full
 * pass of skips (event and admin message each; a pass with nobody on call
 * at `now` ends the leg at once instead of walking the repeats) and four
 * actions for going unanswered, plus one stand-down per leg cancelled and
 * the receipt. It does not depend on `repeat`.
 */
#define ESC_MAX_ACTIONS (MAX_LEGS * (2 * MAX_STEPS + 5) + 1)

struct esc_actions {
	struct esc_action	list[ESC_MAX_ACTIONS];
	int			n;
};

/* Looks up the holder of role of unit at now; false when nobody holds it. */
typedef bool (*esc_oncall_fn)(void *arg, const char *unit, const char *role,
    jtime_t now, char phone[PHONE_MAX]);

/*
 * Applies in to c at now. Returns 0 with the actions appended to out (which
 * the caller zeroes), or -1 when the input does not apply to the consult in
 * its state (an OK on a resolved consult, say); then c and out are untouched.
 */
int esc_apply(struct esc_consult *c, const struct track_conf *t,
    const struct esc_input *in, jtime_t now, esc_oncall_fn oncall, void *arg,
    struct esc_actions *out);

/* The earliest due time over the consult's legs, 0 when none is pending. */
jtime_t esc_next_due(const struct esc_consult *c);

/* True for resolved, cancelled, unanswered and rejected. */
bool esc_closed(enum consult_state state);

const char *esc_state_name(enum consult_state state);
int esc_state_from_name(const char *name);	/* -1 when unknown */
const char *esc_leg_state_name(enum leg_state state);
int esc_leg_state_from_name(const char *name);

#endif
