/*
 * consult.c — the imperative shell around the state machine of esc.c.
 *
 * Every entry point runs inside the caller's transaction (consult_due opens
 * its own): load the consult, apply one input, store the result and turn
 * each action into rows — pages, outbox messages, events. Nothing here
 * talks to the modem: the outbox does, after the commit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "directory.h"
#include "jourd.h"
#include "jtime.h"
#include "log.h"
#include "msg.h"
#include "phone.h"
#include "roster.h"
#include "store.h"
#include "text.h"

#define ROSTER_CANDIDATES 16

/* Everything the texts about one consult need, looked up once per input. */
struct consult_run {
	struct jourd		*j;
	struct esc_consult	*c;
	struct store_info	 info;
	int			 track;
	struct msg_consult	 m;
	/* Every leg's unit, comma-separated: each code is shorter than
	 * UNIT_MAX, so the longest list fits with its commas and NUL. */
	char			 units[MAX_LEGS * UNIT_MAX];
	char			 requester[64];
	char			 requester_unit[64];
	char			 callback[24];
	char			 keyword[WORD_MAX];
	const char		*routed_from;	/* PV: the closed centre the
						   receipt names, "" = none */
};

static const char sql_shifts[] =
    "SELECT id, phone, start_at, end_at, source = 'override' FROM shifts"
    " WHERE unit = ?1 AND role = ?2 AND start_at <= ?3 AND end_at > ?3"
    " AND phone NOT IN (SELECT phone FROM people WHERE removed_at IS NOT NULL)"
    " AND unit NOT IN (SELECT code FROM units WHERE removed_at IS NOT NULL)"
    " ORDER BY source = 'override' DESC, start_at DESC, id DESC LIMIT 16";
static const char sql_person[] =
    "SELECT p.name, p.title, coalesce(u.name, p.unit) FROM people p"
    " LEFT JOIN units u ON u.code = p.unit WHERE p.phone = ?";
static const char sql_unit_phone[] =
    "SELECT phone FROM units WHERE code = ?";
static const char sql_unit_name[] =
    "SELECT name FROM units WHERE code = ?";
static const char sql_code_reuse[] =
    "SELECT code FROM pages WHERE consult_id = ? AND to_phone = ?"
    " ORDER BY id DESC LIMIT 1";
static const char sql_codes_taken[] =
    "SELECT DISTINCT code FROM pages WHERE to_phone = ?"
    " AND (closed_at IS NULL OR closed_at > ?) ORDER BY code";
static const char sql_page_insert[] =
    "INSERT INTO pages (consult_id, leg, to_phone, role, step, code,"
    " outbox_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_consult_paged[] =
    "UPDATE consults SET pages_sent = pages_sent + 1,"
    " max_step = max(max_step, ?) WHERE id = ?";
static const char sql_open_pages[] =
    "SELECT id, to_phone FROM pages WHERE consult_id = ? AND closed_at IS NULL"
    " AND (leg = ? OR ? = -1) ORDER BY id";
static const char sql_close_page[] =
    "UPDATE pages SET closed_at = ? WHERE id = ?";
static const char sql_close_all_pages[] =
    "UPDATE pages SET closed_at = ? WHERE consult_id = ? AND closed_at IS NULL";
static const char sql_due_consults[] =
    "SELECT DISTINCT l.consult_id, c.state = 'queued' FROM legs l"
    " JOIN consults c ON c.id = l.consult_id WHERE l.due_at IS NOT NULL"
    " AND l.due_at <= ? LIMIT 256";
static const char sql_clear_due[] =
    "UPDATE legs SET due_at = NULL WHERE consult_id = ? AND due_at <= ?";
static const char sql_next_due[] =
    "SELECT min(due_at) FROM legs WHERE due_at IS NOT NULL";

/* What the state machine's roster look-up works with. */
struct consult_oncall_ctx {
	struct jourd	*j;
	bool		 failed;	/* the roster could not be read */
};

/*
 * The roster look-up the state machine calls: shifts from SQL, choice in
 * roster.c. A read error is not a roster gap: it is marked in the context,
 * and the caller rolls the whole input back to try it again.
 */
static bool
consult_oncall_cb(void *arg, const char *unit, const char *role, jtime_t now,
    char phone[PHONE_MAX])
{
	struct consult_oncall_ctx *ctx = arg;
	struct jourd		*j = ctx->j;
	struct shift		 cand[ROSTER_CANDIDATES];
	const struct shift	*pick;
	sqlite3_stmt		*st;
	size_t			 n = 0;
	int			 rc = 0;

	if ((st = db_stmt(j->db, sql_shifts)) == NULL) {
		ctx->failed = true;
		return false;
	}
	db_bind_text(st, 1, unit);
	db_bind_text(st, 2, role);
	sqlite3_bind_int64(st, 3, now);
	while (n < nitems(cand) && (rc = db_row(j->db, st)) == 1) {
		memset(&cand[n], 0, sizeof(cand[n]));
		cand[n].id = sqlite3_column_int64(st, 0);
		text_copy(cand[n].phone, sizeof(cand[n].phone), db_text(st, 1));
		cand[n].start = sqlite3_column_int64(st, 2);
		cand[n].end = sqlite3_column_int64(st, 3);
		cand[n].override = sqlite3_column_int(st, 4) != 0;
		text_copy(cand[n].unit, sizeof(cand[n].unit), unit);
		text_copy(cand[n].role, sizeof(cand[n].role), role);
		n++;
	}
	sqlite3_reset(st);
	if (rc == -1) {
		ctx->failed = true;
		return false;
	}
	if ((pick = roster_pick(cand, n, role, now)) == NULL)
		return false;
	text_copy(phone, PHONE_MAX, pick->phone);
	return true;
}

/*
 * Fills name (and unit name) of the person with phone, or the number
 * itself when the directory has none; -1 when it could not be read.
 */
static int
consult_person(struct jourd *j, const char *phone, char *name, size_t namesz,
    char *unit, size_t unitsz)
{
	sqlite3_stmt	*st;
	int		 rc;

	phone_display(phone, name, namesz);
	if (unit != NULL)
		unit[0] = '\0';
	if ((st = db_stmt(j->db, sql_person)) == NULL)
		return -1;
	db_bind_text(st, 1, phone);
	if ((rc = db_row(j->db, st)) == 1) {
		text_copy(name, namesz, db_text(st, 0));
		if (unit != NULL)
			text_copy(unit, unitsz, db_text(st, 2));
	}
	sqlite3_reset(st);
	return rc == -1 ? -1 : 0;
}

static int
consult_track_index(const struct config *cf, const char *name)
{
	int	i;

	for (i = 0; i < MAX_TRACKS; i++)
		if (strcmp(cf->tracks[i].name, name) == 0)
			return i;
	return -1;
}

/* Loads the consult and the display strings its texts need. */
static int
consult_run_load(struct consult_run *r, struct jourd *j, int64_t id,
    struct esc_consult *c)
{
	const char	*cb;
	int		 i, rc;
	size_t		 len = 0;

	memset(r, 0, sizeof(*r));
	r->j = j;
	r->c = c;
	if ((rc = store_load(j->db, id, c, &r->info)) != 0)
		return rc;
	if ((r->track = consult_track_index(&j->cf, r->info.track)) == -1) {
		log_warnx("consult %lld: unknown track %s", (long long)id,
		    r->info.track);
		return -1;
	}
	text_copy(r->keyword, sizeof(r->keyword),
	    j->cf.tracks[r->track].keywords[0]);
	/* Stops at the end of the buffer: len never points past it. */
	for (i = 0; i < c->nlegs && i < MAX_LEGS && len < sizeof(r->units);
	    i++) {
		int n = snprintf(r->units + len, sizeof(r->units) - len, "%s%s",
		    i ? "," : "", c->legs[i].unit);

		if (n < 0)
			break;
		len = (size_t)n < sizeof(r->units) - len ? len + (size_t)n :
		    sizeof(r->units) - 1;
	}
	if (consult_person(j, r->info.requester, r->requester,
	    sizeof(r->requester), r->requester_unit,
	    sizeof(r->requester_unit)) == -1)
		return -1;
	cb = r->info.callback[0] ? r->info.callback : r->info.requester;
	phone_display(cb, r->callback, sizeof(r->callback));

	r->m.id = id;
	r->m.keyword = r->keyword;
	r->m.units = r->units;
	r->m.requester = r->requester;
	r->m.requester_unit = r->requester_unit;
	r->m.callback = r->callback;
	r->m.text = r->info.text;
	r->routed_from = "";
	return 0;
}

int
consult_reply(struct jourd *j, const char *to, const char *text,
    const char *kind, int64_t consult, jtime_t now)
{
	return outbox_push(j, to, text, kind, consult, now) > 0 ? 0 : -1;
}

/* A reply code for to: the one it already has for this consult, else the
 * smallest not used by its open pages nor by pages closed in quarantine. */
static int
consult_page_code(struct jourd *j, int64_t consult, const char *to, jtime_t now)
{
	sqlite3_stmt	*st;
	int		 code = 0, want = 1, rc;

	if ((st = db_stmt(j->db, sql_code_reuse)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, consult);
	db_bind_text(st, 2, to);
	if ((rc = db_row(j->db, st)) == 1)
		code = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	if (rc == -1)
		return -1;
	if (code > 0)
		return code;

	if ((st = db_stmt(j->db, sql_codes_taken)) == NULL)
		return -1;
	db_bind_text(st, 1, to);
	sqlite3_bind_int64(st, 2, now - j->cf.code_quarantine);
	/* A code read wrongly could acknowledge another consult: an error
	 * aborts instead of guessing. */
	while ((rc = db_row(j->db, st)) == 1) {
		int taken = sqlite3_column_int(st, 0);

		if (taken > want)
			break;
		if (taken == want)
			want++;
	}
	sqlite3_reset(st);
	return rc == -1 ? -1 : want;
}

/*
 * What follows a page as the track says: a wake-up call from its
 * call_from_step on, and the same page on the person's pager when the
 * directory has one (without one the page goes by SMS only, silently).
 */
static int
consult_page_more(struct consult_run *r, const struct esc_action *a,
    int code, jtime_t now)
{
	struct jourd		*j = r->j;
	const struct track_conf	*tc = &j->cf.tracks[r->track];
	char			 text[256], pager[PAGER_ADDR_MAX];
	int			 rc;

	if (tc->call_from_step > 0 && a->step + 1 >= tc->call_from_step) {
		snprintf(text, sizeof(text), "wake-up call after the page with "
		    "code %d", code);
		if (outbox_push(j, a->to, text, "call", r->c->id, now) <= 0)
			return -1;
	}
	if (!tc->pager)
		return 0;
	if ((rc = directory_pager(j->db, a->to, pager)) == -1)
		return -1;
	if (rc == 0)
		return 0;
	msg_pager(text, sizeof(text), &r->m, r->c->legs[a->leg].unit, code);
	return outbox_push(j, pager, text, "pager", r->c->id, now) > 0 ? 0 : -1;
}

static int
consult_page(struct consult_run *r, const struct esc_action *a, jtime_t now)
{
	struct jourd	*j = r->j;
	sqlite3_stmt	*st;
	char		 text[SMS_TEXT_MAX + 256], detail[96];
	int64_t		 outbox;
	int		 code;

	if ((code = consult_page_code(j, r->c->id, a->to, now)) < 0)
		return -1;
	msg_page(text, sizeof(text), &r->m, code, a->step);
	if ((outbox = outbox_push(j, a->to, text, "page", r->c->id, now)) <= 0)
		return -1;
	if ((st = db_stmt(j->db, sql_page_insert)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, r->c->id);
	sqlite3_bind_int(st, 2, a->leg);
	db_bind_text(st, 3, a->to);
	db_bind_text(st, 4, a->role);
	sqlite3_bind_int(st, 5, a->step);
	sqlite3_bind_int(st, 6, code);
	sqlite3_bind_int64(st, 7, outbox);
	sqlite3_bind_int64(st, 8, now);
	if (db_done(j->db, st) == -1)
		return -1;
	if ((st = db_stmt(j->db, sql_consult_paged)) == NULL)
		return -1;
	sqlite3_bind_int(st, 1, a->step);
	sqlite3_bind_int64(st, 2, r->c->id);
	if (db_done(j->db, st) == -1)
		return -1;
	snprintf(detail, sizeof(detail), "%s %s %s step %d code %d",
	    r->c->legs[a->leg].unit, a->role, a->to, a->step + 1, code);
	if (event_write(j, r->c->id, now, "paged", "", detail) == -1)
		return -1;
	return consult_page_more(r, a, code, now);
}

/* Sends text to to and records that the person was told. */
static int
consult_tell(struct consult_run *r, const char *to, const char *text,
    const char *kind, const char *what, jtime_t now)
{
	char	detail[96];

	if (outbox_push(r->j, to, text, kind, r->c->id, now) <= 0)
		return -1;
	snprintf(detail, sizeof(detail), "%s %s", to, what);
	return event_write(r->j, r->c->id, now, "notified", "", detail);
}

static const char *
consult_leg_unit(const struct consult_run *r, int leg)
{
	return leg >= 0 && leg < r->c->nlegs ? r->c->legs[leg].unit : r->units;
}

/* The unit's name from the directory, or its code when it has none; -1
 * when the directory could not be read. */
static int
consult_unit_name(struct jourd *j, const char *code, char *name, size_t sz)
{
	sqlite3_stmt	*st;
	int		 rc;

	text_copy(name, sz, code);
	if ((st = db_stmt(j->db, sql_unit_name)) == NULL)
		return -1;
	db_bind_text(st, 1, code);
	if ((rc = db_row(j->db, st)) == 1)
		text_copy(name, sz, db_text(st, 0));
	sqlite3_reset(st);
	return rc == -1 ? -1 : 0;
}

static int
consult_tell_requester(struct consult_run *r, const struct esc_action *a,
    jtime_t now)
{
	struct jourd	*j = r->j;
	char		 text[512], who[64], whophone[24], at[32], board[24];
	char		 boardraw[PHONE_MAX] = "";
	const char	*unit = consult_leg_unit(r, a->leg), *what = "";
	sqlite3_stmt	*st;
	int		 rc;

	switch (a->msg) {
	case MSG_RECEIVED:
		if (r->routed_from[0] != '\0') {
			if (consult_unit_name(j, unit, who, sizeof(who)) == -1)
				return -1;
			msg_received_routed(text, sizeof(text), &r->m,
			    r->routed_from, who);
		} else
			msg_received(text, sizeof(text), &r->m);
		what = "mottaget";
		break;
	case MSG_ACKED:
		if (consult_person(j, a->to, who, sizeof(who), NULL, 0) == -1)
			return -1;
		phone_display(a->to, whophone, sizeof(whophone));
		jtime_short(now, now, at, sizeof(at));
		msg_acked(text, sizeof(text), &r->m, unit, who, whophone, at);
		what = "kvitterat";
		break;
	case MSG_ALL_ACKED:
		msg_all_acked(text, sizeof(text), &r->m);
		what = "alla kvitterat";
		break;
	case MSG_UNANSWERED:
		if ((st = db_stmt(j->db, sql_unit_phone)) == NULL)
			return -1;
		db_bind_text(st, 1, unit);
		if ((rc = db_row(j->db, st)) == 1)
			text_copy(boardraw, sizeof(boardraw), db_text(st, 0));
		sqlite3_reset(st);
		if (rc == -1)
			return -1;
		if (boardraw[0])
			phone_display(boardraw, board, sizeof(board));
		else
			snprintf(board, sizeof(board), "sjukhusets växel");
		msg_unanswered(text, sizeof(text), &r->m, unit, board);
		what = "obesvarat";
		break;
	default:
		log_warnx("consult %lld: no requester text for message %d",
		    (long long)r->c->id, a->msg);
		return 0;
	}
	return consult_tell(r, r->info.requester, text, "notify", what, now);
}

static int
consult_tell_admins(struct consult_run *r, const struct esc_action *a,
    jtime_t now)
{
	struct jourd	*j = r->j;
	char		 text[512];
	const char	*unit = consult_leg_unit(r, a->leg), *what;
	int		 i;

	if (a->msg == MSG_UNANSWERED) {
		msg_admin_unanswered(text, sizeof(text), &r->m, unit, r->callback);
		what = "admin obesvarat";
	} else if (a->msg == MSG_ROSTER_GAP) {
		msg_admin_gap(text, sizeof(text), &r->m, unit, a->role);
		what = "admin schemalucka";
	} else
		return 0;
	if (j->cf.nadmins == 0)
		log_warnx("consult %lld: %s, but no admins are configured",
		    (long long)r->c->id, what);
	for (i = 0; i < j->cf.nadmins; i++)
		if (consult_tell(r, j->cf.admins[i], text, "admin", what, now) == -1)
			return -1;
	return 0;
}

static int
consult_reply_action(struct consult_run *r, const struct esc_action *a,
    jtime_t now)
{
	char	text[512], outcomes[MAX_OUTCOMES * WORD_MAX];
	size_t	len = 0;
	int	i, code;

	switch (a->msg) {
	case MSG_ACK_CONFIRM:
		for (i = 0; i < r->j->cf.noutcomes; i++)
			len += snprintf(outcomes + len, len < sizeof(outcomes) ?
			    sizeof(outcomes) - len : 0, "%s%s", i ? " " : "",
			    r->j->cf.outcomes[i]);
		if (r->j->cf.noutcomes == 0)
			outcomes[0] = '\0';
		if ((code = consult_page_code(r->j, r->c->id, a->to, now)) < 0)
			return -1;
		msg_ack_confirm(text, sizeof(text), &r->m, code, outcomes);
		break;
	case MSG_DECLINE_CONFIRM:
		msg_decline_confirm(text, sizeof(text), &r->m);
		break;
	case MSG_RESOLVE_CONFIRM:
		msg_resolve_confirm(text, sizeof(text), &r->m, r->c->outcome);
		break;
	case MSG_CANCEL_CONFIRM:
		msg_cancel_confirm(text, sizeof(text), &r->m);
		break;
	default:
		return 0;
	}
	return outbox_push(r->j, a->to, text, "reply", r->c->id, now) > 0 ? 0 : -1;
}

/*
 * Closes the open pages of a leg (or all legs) and tells their holders to
 * stand down. While the consult is still live the responder in `to` (who
 * just acknowledged) keeps the page: it carries the code for KLAR. Pages of
 * a leg that went unanswered close silently: nobody is standing by.
 */
static int
consult_stand_down(struct consult_run *r, const struct esc_action *a,
    jtime_t now)
{
	struct jourd	*j = r->j;
	sqlite3_stmt	*st;
	struct stand_page {
		int64_t	id;
		char	to[PHONE_MAX];
	}		*open = NULL, *grown;
	size_t		 n = 0, cap = 0, i, k;
	int		 rc, ret = -1;
	bool		 closed = esc_closed(r->c->state), told;
	char		 text[512], why[96], who[64];
	const struct esc_leg *leg = a->leg >= 0 ? &r->c->legs[a->leg] : NULL;

	/* Every open page, however many steps and passes the leg went
	 * through: read first, as the closing below writes the same table. */
	if ((st = db_stmt(j->db, sql_open_pages)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, r->c->id);
	sqlite3_bind_int(st, 2, a->leg);
	sqlite3_bind_int(st, 3, a->leg);
	while ((rc = db_row(j->db, st)) == 1) {
		if (n == cap) {
			cap = cap == 0 ? 32 : 2 * cap;
			if ((grown = reallocarray(open, cap,
			    sizeof(*open))) == NULL) {
				log_warn("stand-down of consult %lld",
				    (long long)r->c->id);
				rc = -1;
				break;
			}
			open = grown;
		}
		open[n].id = sqlite3_column_int64(st, 0);
		text_copy(open[n].to, sizeof(open[n].to), db_text(st, 1));
		n++;
	}
	sqlite3_reset(st);
	if (rc == -1)
		goto out;

	if (r->c->state == CONSULT_CANCELLED)
		msg_stand_down_why(why, sizeof(why), MSG_WHY_CANCELLED, NULL);
	else if (r->c->state == CONSULT_RESOLVED)
		msg_stand_down_why(why, sizeof(why), MSG_WHY_RESOLVED, NULL);
	else {
		const char *by = leg != NULL && leg->acked_by[0] ?
		    leg->acked_by : r->c->acked_by;

		if (consult_person(j, by, who, sizeof(who), NULL, 0) == -1)
			goto out;
		msg_stand_down_why(why, sizeof(why), MSG_WHY_ACKED, who);
	}

	for (i = 0; i < n; i++) {
		bool keep = !closed && strcmp(open[i].to, a->to) == 0;

		if (keep)
			continue;
		if ((st = db_stmt(j->db, sql_close_page)) == NULL)
			goto out;
		sqlite3_bind_int64(st, 1, now);
		sqlite3_bind_int64(st, 2, open[i].id);
		if (db_done(j->db, st) == -1)
			goto out;
		if (strcmp(open[i].to, a->to) == 0)
			continue;
		if (leg != NULL && leg->state == LEG_UNANSWERED)
			continue;
		if (r->c->state == CONSULT_UNANSWERED)
			continue;
		/* One stand-down per person, however many pages they had. */
		for (told = false, k = 0; k < i; k++)
			if (strcmp(open[k].to, open[i].to) == 0)
				told = true;
		if (told)
			continue;
		msg_stand_down(text, sizeof(text), &r->m, why);
		if (consult_tell(r, open[i].to, text, "stand_down", "avbeställd",
		    now) == -1)
			goto out;
	}
	ret = 0;
out:
	free(open);
	return ret;
}

static int
consult_execute(struct consult_run *r, const struct esc_actions *acts,
    jtime_t now)
{
	const struct esc_action	*a;
	int			 i, rc = 0;

	for (i = 0; i < acts->n && rc == 0; i++) {
		a = &acts->list[i];
		switch (a->kind) {
		case ESC_PAGE:
			rc = consult_page(r, a, now);
			break;
		case ESC_EVENT:
			rc = event_write(r->j, r->c->id, now, a->event,
			    a->actor, a->detail);
			break;
		case ESC_TELL_REQUESTER:
			rc = consult_tell_requester(r, a, now);
			break;
		case ESC_TELL_ADMINS:
			rc = consult_tell_admins(r, a, now);
			break;
		case ESC_REPLY:
			rc = consult_reply_action(r, a, now);
			break;
		case ESC_STAND_DOWN:
			rc = consult_stand_down(r, a, now);
			break;
		}
	}
	if (rc == 0 && esc_closed(r->c->state)) {
		sqlite3_stmt *st = db_stmt(r->j->db, sql_close_all_pages);

		if (st == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, now);
		sqlite3_bind_int64(st, 2, r->c->id);
		rc = db_done(r->j->db, st);
	}
	return rc;
}

/* consult_input, with the closed PV centre a routed consult's receipt names. */
static int
consult_apply(struct jourd *j, int64_t id, const struct esc_input *in,
    jtime_t now, const char *routed_from)
{
	static struct esc_actions	acts;
	struct esc_consult		c;
	struct consult_run		r;
	struct consult_oncall_ctx	ctx = { j, false };
	int				rc;

	if ((rc = consult_run_load(&r, j, id, &c)) != 0)
		return rc == 1 ? 1 : -1;
	r.routed_from = routed_from;
	memset(&acts, 0, sizeof(acts));
	rc = esc_apply(&c, &j->cf.tracks[r.track], in, now, consult_oncall_cb,
	    &ctx, &acts);
	if (ctx.failed)
		return -1;
	if (rc == -1)
		return 1;
	if (consult_execute(&r, &acts, now) == -1 || store_save(j->db, &c) == -1)
		return -1;
	return 0;
}

int
consult_input(struct jourd *j, int64_t id, const struct esc_input *in,
    jtime_t now)
{
	return consult_apply(j, id, in, now, "");
}

/*
 * A consult asked for outside its track's hours with closed = queue: stored
 * as queued, its legs due at the opening, when consult_due starts it like a
 * new one. The due time is stored, so a restart loses nothing.
 */
static int
consult_queue(struct jourd *j, struct esc_consult *c, jtime_t start_at,
    jtime_t now)
{
	struct consult_run	r;
	struct esc_consult	loaded;
	char			text[512], opens[32], iso[40], detail[96];

	if (consult_run_load(&r, j, c->id, &loaded) != 0)
		return -1;
	jtime_short(start_at, now, opens, sizeof(opens));
	snprintf(detail, sizeof(detail), "pages at %s",
	    jtime_iso(start_at, iso, sizeof(iso)));
	if (event_write(j, c->id, now, "queued", "", detail) == -1)
		return -1;
	msg_queued(text, sizeof(text), &r.m, opens);
	return consult_tell(&r, r.info.requester, text, "notify", "köat", now);
}

int64_t
consult_create_routed(struct jourd *j, int track, const char *requester,
    const char *callback, const char *text, int64_t inbox_id,
    const char units[][UNIT_MAX], int nunits, jtime_t now, jtime_t start_at,
    const char *routed_from)
{
	struct esc_consult	c;
	struct store_info	info;
	struct esc_input	in;
	char			detail[160];
	size_t			len;
	int			i;

	memset(&c, 0, sizeof(c));
	memset(&info, 0, sizeof(info));
	c.state = start_at > now ? CONSULT_QUEUED : CONSULT_OPEN;
	c.created_at = now;
	for (i = 0; i < nunits && i < MAX_LEGS; i++) {
		text_copy(c.legs[i].unit, sizeof(c.legs[i].unit), units[i]);
		c.legs[i].state = LEG_WAITING;
		c.legs[i].step = -1;
		c.legs[i].due = start_at > now ? start_at : 0;
	}
	c.nlegs = i;
	text_copy(info.track, sizeof(info.track), j->cf.tracks[track].name);
	text_copy(info.requester, sizeof(info.requester), requester);
	text_copy(info.callback, sizeof(info.callback), callback);
	text_copy(info.text, sizeof(info.text), text);
	if (store_insert(j->db, &c, &info, inbox_id) == -1)
		return -1;

	len = (size_t)snprintf(detail, sizeof(detail), "%s",
	    j->cf.tracks[track].keywords[0]);
	for (i = 0; i < c.nlegs && len < sizeof(detail); i++)
		len += snprintf(detail + len, sizeof(detail) - len, "%s%s",
		    i ? "," : " ", c.legs[i].unit);
	if (event_write(j, c.id, now, "created", requester, detail) == -1)
		return -1;
	if (routed_from[0] != '\0') {
		snprintf(detail, sizeof(detail), "%s closed → %s", routed_from,
		    c.legs[0].unit);
		if (event_write(j, c.id, now, "routed", "", detail) == -1)
			return -1;
	}
	if (c.state == CONSULT_QUEUED)
		return store_save(j->db, &c) == 0 &&
		    consult_queue(j, &c, start_at, now) == 0 ? c.id : -1;

	memset(&in, 0, sizeof(in));
	in.kind = ESC_START;
	text_copy(in.from, sizeof(in.from), requester);
	if (consult_apply(j, c.id, &in, now, routed_from) != 0)
		return -1;
	return c.id;
}

/*
 * Runs every escalation step that is due, each consult in its own
 * transaction. Returns how many stepped, or -1 when any failed to store
 * (the caller retries shortly).
 */
int
consult_due(struct jourd *j, jtime_t now)
{
	struct esc_input	in;
	sqlite3_stmt		*st;
	int64_t			 ids[256];
	bool			 queued[256];
	int			 n = 0, i, fired = 0, failed = 0, rc;

	if (!db_may_write(j->db))
		return -1;	/* the database's pause after a failure */
	if ((st = db_stmt(j->db, sql_due_consults)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	rc = 0;
	while (n < (int)nitems(ids) && (rc = db_row(j->db, st)) == 1) {
		ids[n] = sqlite3_column_int64(st, 0);
		queued[n++] = sqlite3_column_int(st, 1) != 0;
	}
	sqlite3_reset(st);
	if (rc == -1)
		return -1;

	memset(&in, 0, sizeof(in));
	for (i = 0; i < n; i++) {
		/* A queued consult's opening has come: it starts like a new one. */
		in.kind = queued[i] ? ESC_START : ESC_DUE;
		if (db_begin(j->db) == -1)
			return -1;
		switch (consult_input(j, ids[i], &in, now)) {
		case -1:
			/* The others still step; this one is tried again soon. */
			db_rollback(j->db);
			log_warnx("consult %lld: escalation step failed, will retry",
			    (long long)ids[i]);
			failed++;
			continue;
		case 1:
			/* Refused by the state machine: never select it again. */
			log_warnx("consult %lld: due step refused; timer cleared",
			    (long long)ids[i]);
			if ((st = db_stmt(j->db, sql_clear_due)) == NULL ||
			    sqlite3_bind_int64(st, 1, ids[i]) != SQLITE_OK ||
			    sqlite3_bind_int64(st, 2, now) != SQLITE_OK ||
			    db_done(j->db, st) == -1) {
				db_rollback(j->db);
				return -1;
			}
			break;
		}
		if (db_commit(j->db) == -1) {
			db_rollback(j->db);
			return -1;
		}
		fired++;
	}
	return failed > 0 ? -1 : fired;
}

int
consult_oncall(struct jourd *j, const char *unit, const char *role,
    jtime_t now, char phone[PHONE_MAX])
{
	struct consult_oncall_ctx	ctx = { j, false };
	bool				found;

	found = consult_oncall_cb(&ctx, unit, role, now, phone);
	return ctx.failed ? -1 : found;
}

static const char sql_paging_legs[] =
    "SELECT l.consult_id, l.idx, l.step, c.track FROM legs l"
    " JOIN consults c ON c.id = l.consult_id"
    " WHERE l.unit = ? AND l.state = 'paging' AND l.step >= 0 LIMIT 64";

/*
 * After a handover, every leg now waiting on that role of that unit pages
 * the new holder at its current step; the step and its due time stay.
 */
int
consult_repage_role(struct jourd *j, const char *unit, const char *role,
    const char *phone, jtime_t now)
{
	struct {
		int64_t	id;
		int	leg, step;
		char	track[WORD_MAX];
	}			 legs[64];
	struct esc_consult	 c;
	struct consult_run	 r;
	struct esc_action	 a;
	sqlite3_stmt		*st;
	int			 n = 0, i, t, paged = 0, rc;

	if ((st = db_stmt(j->db, sql_paging_legs)) == NULL)
		return -1;
	db_bind_text(st, 1, unit);
	rc = 0;
	while (n < (int)nitems(legs) && (rc = db_row(j->db, st)) == 1) {
		legs[n].id = sqlite3_column_int64(st, 0);
		legs[n].leg = sqlite3_column_int(st, 1);
		legs[n].step = sqlite3_column_int(st, 2);
		text_copy(legs[n].track, sizeof(legs[n].track), db_text(st, 3));
		n++;
	}
	sqlite3_reset(st);
	if (rc == -1)
		return -1;

	for (i = 0; i < n; i++) {
		const struct track_conf *tc;

		if ((t = consult_track_index(&j->cf, legs[i].track)) == -1)
			continue;
		tc = &j->cf.tracks[t];
		if (tc->nroles == 0 ||
		    strcmp(tc->roles[legs[i].step % tc->nroles], role) != 0)
			continue;
		if (consult_run_load(&r, j, legs[i].id, &c) != 0)
			return -1;
		memset(&a, 0, sizeof(a));
		a.kind = ESC_PAGE;
		a.leg = legs[i].leg;
		a.step = legs[i].step;
		text_copy(a.to, sizeof(a.to), phone);
		text_copy(a.role, sizeof(a.role), role);
		if (consult_page(&r, &a, now) == -1)
			return -1;
		paged++;
	}
	return paged;
}

jtime_t
consult_next_due(struct jourd *j)
{
	return db_int64(j->db, sql_next_due);
}
