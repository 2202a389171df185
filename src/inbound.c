/*
 * inbound.c — what happens to one received SMS.
 *
 * The message, its identity numbers masked, is inserted into the inbox with
 * a unique key; a repeat of a message already committed (a crash between
 * commit and deletion from the phone) is recognised and only deleted again.
 * Parsing and routing run in the same transaction as the insert, so either
 * all of the message's consequences are stored or none is and the phone
 * keeps it for the next sweep.
 *
 * Loops between automatic systems are cut here: a sender that is not a
 * dialable number never gets an answer, and a stranger or a sender of
 * something jourd cannot use gets at most one answer per reply_period.
 */
#include <stdio.h>
#include <string.h>

#include "calendar.h"
#include "jourd.h"
#include "jtime.h"
#include "log.h"
#include "msg.h"
#include "phone.h"
#include "pnr.h"
#include "store.h"
#include "text.h"

struct person {
	bool	known;
	char	name[64];
	bool	can_request;
};

static const char sql_inbox_insert[] =
    "INSERT INTO inbox (dedup, sender, smsc_at, received_at, parts, text,"
    " verb, outcome, route) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?)"
    " ON CONFLICT (dedup) DO NOTHING";
static const char sql_inbox_done[] =
    "UPDATE inbox SET outcome = ?, consult_id = ? WHERE id = ?";
static const char sql_person[] =
    "SELECT name, can_request FROM people WHERE phone = ?"
    " AND removed_at IS NULL";
static const char sql_limit_get[] =
    "SELECT window_start, answers FROM reply_limits WHERE phone = ?";
static const char sql_limit_set[] =
    "INSERT INTO reply_limits (phone, last_reply_at, window_start, answers)"
    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (phone) DO UPDATE SET"
    " last_reply_at = ?2, window_start = ?3, answers = ?4";
static const char sql_limit_suppressed[] =
    "UPDATE reply_limits SET suppressed = suppressed + 1 WHERE phone = ?";
static const char sql_unit_match[] =
    "SELECT code FROM units WHERE (upper(code) = ?1 OR folded = ?1)"
    " AND removed_at IS NULL ORDER BY upper(code) = ?1 DESC LIMIT 1";
static const char sql_page_by_code[] =
    "SELECT consult_id, leg, step, closed_at FROM pages"
    " WHERE to_phone = ? AND code = ? ORDER BY id DESC LIMIT 1";
static const char sql_open_pages[] =
    "SELECT p.consult_id, p.leg, p.step, p.code, c.track, group_concat(l.unit)"
    " FROM pages p JOIN consults c ON c.id = p.consult_id"
    " JOIN legs l ON l.consult_id = p.consult_id AND l.idx = p.leg"
    " WHERE p.to_phone = ?1 AND p.closed_at IS NULL"
    " AND (?2 = 0 OR l.state = 'paging')"
    " GROUP BY p.consult_id ORDER BY p.consult_id LIMIT 8";
/* Every consult with a page to ?1 not yet closed, its latest page's code
 * and whether that page's leg still waits for an answer. */
static const char sql_open_codes[] =
    "SELECT p.consult_id, p.code, c.track, group_concat(l.unit),"
    " l.state = 'paging', max(p.id)"
    " FROM pages p JOIN consults c ON c.id = p.consult_id"
    " JOIN legs l ON l.consult_id = p.consult_id AND l.idx = p.leg"
    " WHERE p.to_phone = ?1 AND p.closed_at IS NULL"
    " GROUP BY p.consult_id ORDER BY p.consult_id";
static const char sql_consult_brief[] =
    "SELECT state, acked_by, acked_at, requester, callback FROM consults"
    " WHERE id = ?";
static const char sql_consult_requester[] =
    "SELECT requester FROM consults WHERE id = ?";
static const char sql_echo[] =
    "SELECT 1 FROM outbox WHERE to_phone = ?1 AND created_at >= ?2"
    " AND (text = ?3 OR (length(?3) >= ?4"
    " AND (instr(?3, text) > 0 OR instr(text, ?3) > 0))) LIMIT 1";
static const char sql_requests_started[] =
    "SELECT count(*) FROM consults WHERE requester = ? AND created_at >= ?";
static const char sql_limit_told[] =
    "SELECT count(*) FROM inbox WHERE sender = ? AND received_at >= ?"
    " AND outcome = 'request_limit'";

/* How far back an SMS is compared with what jourd sent that number. */
#define ECHO_WINDOW		(24 * 3600 * JT_SECOND)
/* A shorter text is an echo only when it is one of jourd's texts whole:
 * "OK 1 tack" is in many a page, and is an answer. */
#define ECHO_PART_MIN		24
/* request_limit counts the consults of the last hour. */
#define REQUEST_WINDOW		(3600 * JT_SECOND)

void
inbound_dedup_key(const struct ipc_sms_in *m, const char *sender,
    const char *stored_text, char *out, size_t sz)
{
	snprintf(out, sz, "%s|%lld|%d|%d|%016llx", sender,
	    (long long)m->smsc_time, m->concat_ref, m->parts_total,
	    (unsigned long long)text_hash(stored_text));
}

/*
 * The directory entry of phone in p (p->known false when there is none).
 * -1 when the directory could not be read: never "a stranger", since a
 * clinician must not be answered as one because of a storage fault.
 */
static int
inbound_person(struct jourd *j, const char *phone, struct person *p)
{
	sqlite3_stmt	*st;
	int		 rc;

	memset(p, 0, sizeof(*p));
	if ((st = db_stmt(j->db, sql_person)) == NULL)
		return -1;
	db_bind_text(st, 1, phone);
	if ((rc = db_row(j->db, st)) == 1) {
		p->known = true;
		text_copy(p->name, sizeof(p->name), db_text(st, 0));
		p->can_request = sqlite3_column_int(st, 1) != 0;
	}
	sqlite3_reset(st);
	return rc == -1 ? -1 : 0;
}

/* Automatic answers per reply_period: a stranger gets one, a person in
 * the directory a few, so that a second typo is still answered. */
#define ANSWERS_STRANGER	1
#define ANSWERS_KNOWN		3

/*
 * 1 when one more automatic answer to phone is allowed now, and counts
 * it; 0 when not; -1 when the database failed. Every answer that is not
 * the confirmation of a state change goes through here: nothing jourd
 * says can be answered back at it for ever.
 */
static int
inbound_may_answer(struct jourd *j, const char *phone, jtime_t now)
{
	sqlite3_stmt	*st;
	struct person	 p;
	jtime_t		 window = now;
	int		 answers = 0, limit, rc;

	if (inbound_person(j, phone, &p) == -1)
		return -1;
	limit = p.known ? ANSWERS_KNOWN : ANSWERS_STRANGER;
	if ((st = db_stmt(j->db, sql_limit_get)) == NULL)
		return -1;
	db_bind_text(st, 1, phone);
	if ((rc = db_row(j->db, st)) == 1 && now - sqlite3_column_int64(st, 0) <
	    j->cf.reply_period) {
		window = sqlite3_column_int64(st, 0);
		answers = sqlite3_column_int(st, 1);
	}
	sqlite3_reset(st);
	if (rc == -1)
		return -1;
	if (answers >= limit) {
		if ((st = db_stmt(j->db, sql_limit_suppressed)) != NULL) {
			db_bind_text(st, 1, phone);
			db_done(j->db, st);
		}
		log_info("inbound: no answer to %s: %d already since %llds ago",
		    phone, answers, (long long)((now - window) / JT_SECOND));
		return 0;
	}
	if ((st = db_stmt(j->db, sql_limit_set)) == NULL)
		return -1;
	db_bind_text(st, 1, phone);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, window);
	sqlite3_bind_int(st, 4, answers + 1);
	return db_done(j->db, st) == 0 ? 1 : -1;
}

/* Answers a message that changed nothing, within the per-sender limit. */
static int
inbound_answer(struct jourd *j, const char *to, const char *text,
    int64_t consult, jtime_t now)
{
	int	rc;

	if ((rc = inbound_may_answer(j, to, now)) != 1)
		return rc;
	return consult_reply(j, to, text, "reply", consult, now);
}

/*
 * True (1) when text is one of jourd's own recent texts to that number, whole,
 * inside the SMS or cut short: an auto-responder or a phone that echoes
 * what it gets must not start a consult with each page it echoes. -1 on a
 * storage failure.
 */
static int
inbound_is_echo(struct jourd *j, const char *from, const char *text,
    jtime_t now)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (text[0] == '\0' || (st = db_stmt(j->db, sql_echo)) == NULL)
		return text[0] == '\0' ? 0 : -1;
	db_bind_text(st, 1, from);
	sqlite3_bind_int64(st, 2, now - ECHO_WINDOW);
	db_bind_text(st, 3, text);
	sqlite3_bind_int(st, 4, ECHO_PART_MIN);
	rc = db_row(j->db, st);
	sqlite3_reset(st);
	return rc;
}

/* One count(*) over phone since `since`; -1 on a storage failure. */
static int
inbound_count(struct jourd *j, const char *sql, const char *phone,
    jtime_t since)
{
	sqlite3_stmt	*st;
	int		 n = -1;

	if ((st = db_stmt(j->db, sql)) == NULL)
		return -1;
	db_bind_text(st, 1, phone);
	sqlite3_bind_int64(st, 2, since);
	if (db_row(j->db, st) == 1)
		n = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return n;
}

/*
 * request_limit: 1 when from may start one more consult now; 0 when the
 * limit is reached (the sender is told once an hour); -1 on a storage
 * failure.
 */
static int
inbound_may_request(struct jourd *j, const char *from, jtime_t now,
    const char **outcome)
{
	char	text[512];
	int	started, told;

	if (j->cf.request_limit == 0)
		return 1;
	if ((started = inbound_count(j, sql_requests_started, from,
	    now - REQUEST_WINDOW)) == -1)
		return -1;
	if (started < j->cf.request_limit)
		return 1;
	*outcome = "request_limit";
	if ((told = inbound_count(j, sql_limit_told, from,
	    now - REQUEST_WINDOW)) == -1)
		return -1;
	if (told > 0)
		return 0;
	log_warnx("inbound: %s started %d consults within an hour: refused "
	    "(request_limit)", from, started);
	return inbound_answer(j, from, msg_request_limit(text, sizeof(text),
	    j->cf.request_limit), 0, now) == -1 ? -1 : 0;
}

/*
 * Resolves a unit as typed (code or name, any case, any diacritics): 1
 * with its code, 0 when there is none, -1 when the directory failed.
 */
static int
inbound_unit(struct jourd *j, const char *typed, char code[UNIT_MAX])
{
	sqlite3_stmt	*st;
	char		 folded[UNIT_MAX * 2];
	int		 rc;

	text_fold(typed, folded, sizeof(folded));
	if ((st = db_stmt(j->db, sql_unit_match)) == NULL)
		return -1;
	db_bind_text(st, 1, folded);
	if ((rc = db_row(j->db, st)) == 1)
		text_copy(code, UNIT_MAX, db_text(st, 0));
	sqlite3_reset(st);
	return rc;
}

static const char sql_pv_unit[] =
    "SELECT kind, hours, phone, name FROM units WHERE code = ?"
    " AND removed_at IS NULL";
static const char sql_pv_prefix[] =
    "SELECT code, name FROM units WHERE kind = 'health_centre'"
    " AND removed_at IS NULL AND substr(folded, 1, length(?1)) = ?1"
    " ORDER BY code LIMIT 6";

/*
 * PV: resolves the health centre (code, name, or the start of its name)
 * and routes to the track's after_hours unit outside the centre's own hours.
 * Returns 1 with the unit to page in code and the closed centre in
 * routed_from ("" when open), 0 when the sender was answered instead, -1 on
 * a storage failure.
 */
static int
inbound_pv(struct jourd *j, const struct sms_cmd *cmd, const char *from,
    jtime_t now, char code[UNIT_MAX], char routed_from[UNIT_MAX],
    const char **outcome)
{
	const struct track_conf	*t = &j->cf.tracks[TRACK_PV];
	struct open_rule	 rule;
	sqlite3_stmt		*st;
	char			 text[512], folded[UNIT_MAX * 2], list[256];
	char			 kind[24] = "", hours[48] = "", phone[PHONE_MAX] = "";
	char			 name[96] = "", shown[24], after[UNIT_MAX];
	size_t			 len = 0;
	int			 n = 0, rc;

	routed_from[0] = '\0';
	if ((rc = inbound_unit(j, cmd->units[0], code)) == -1)
		return -1;
	if (rc == 0) {
		text_fold(cmd->units[0], folded, sizeof(folded));
		if ((st = db_stmt(j->db, sql_pv_prefix)) == NULL)
			return -1;
		db_bind_text(st, 1, folded);
		list[0] = '\0';
		rc = 0;
		while (folded[0] != '\0' && (rc = db_row(j->db, st)) == 1) {
			if (n++ == 0)
				text_copy(code, UNIT_MAX, db_text(st, 0));
			if (len < sizeof(list))
				len += snprintf(list + len, sizeof(list) - len,
				    "%s%s %s", n > 1 ? ", " : "", db_text(st, 0),
				    db_text(st, 1));
		}
		sqlite3_reset(st);
		if (rc == -1)
			return -1;
		if (n == 0) {
			*outcome = "unknown_unit";
			return inbound_answer(j, from, msg_unknown_unit(text,
			    sizeof(text), cmd->units[0]), 0, now);
		}
		if (n > 1) {
			*outcome = "ambiguous_unit";
			return inbound_answer(j, from, msg_unit_ambiguous(text,
			    sizeof(text), cmd->units[0], list), 0, now);
		}
	}
	if ((st = db_stmt(j->db, sql_pv_unit)) == NULL)
		return -1;
	db_bind_text(st, 1, code);
	if ((rc = db_row(j->db, st)) == 1) {
		text_copy(kind, sizeof(kind), db_text(st, 0));
		text_copy(hours, sizeof(hours), db_text(st, 1));
		text_copy(phone, sizeof(phone), db_text(st, 2));
		text_copy(name, sizeof(name), db_text(st, 3));
	}
	sqlite3_reset(st);
	if (rc == -1)
		return -1;
	if (strcmp(kind, "health_centre") != 0) {
		*outcome = "not_health_centre";
		return inbound_answer(j, from, msg_pv_not_centre(text,
		    sizeof(text), code), 0, now);
	}
	/* The import checks hours; a bad value is taken as always open. */
	if (config_parse_open(hours, &rule) == -1) {
		log_warnx("inbound: unit %s: bad hours \"%s\", taken as always",
		    code, hours);
		return 1;
	}
	if (calendar_is_open(&j->cal, &rule, now))
		return 1;
	if (t->after_hours[0] != '\0' && strcmp(t->after_hours, code) != 0 &&
	    (rc = inbound_unit(j, t->after_hours, after)) != 0) {
		if (rc == -1)
			return -1;
		text_copy(routed_from, UNIT_MAX, code);
		text_copy(code, UNIT_MAX, after);
		return 1;
	}
	if (t->after_hours[0] != '\0' && strcmp(t->after_hours, code) != 0)
		log_warnx("inbound: PV after_hours unit %s is not in the "
		    "directory", t->after_hours);
	phone_display(phone, shown, sizeof(shown));
	*outcome = "centre_closed";
	return inbound_answer(j, from, msg_pv_closed(text, sizeof(text), name,
	    shown), 0, now);
}

/* A request that carried an identity number: refused and kept, masked. */
static int64_t
inbound_reject(struct jourd *j, const struct sms_cmd *cmd, const char *from,
    const char *masked, int64_t inbox_id, jtime_t now)
{
	struct esc_consult	c;
	struct store_info	info;

	memset(&c, 0, sizeof(c));
	memset(&info, 0, sizeof(info));
	c.state = CONSULT_REJECTED;
	c.created_at = now;
	text_copy(info.track, sizeof(info.track), j->cf.tracks[cmd->track].name);
	text_copy(info.requester, sizeof(info.requester), from);
	text_copy(info.text, sizeof(info.text), masked);
	if (store_insert(j->db, &c, &info, inbox_id) == -1)
		return -1;
	if (event_write(j, c.id, now, "rejected", from, "personnummer i "
	    "texten: inget skickat, texten maskerad") == -1)
		return -1;
	return c.id;
}

static int
inbound_request(struct jourd *j, const struct sms_cmd *cmd, const char *from,
    const struct person *p, int64_t inbox_id, jtime_t now, int64_t *consult,
    const char **outcome)
{
	const struct track_conf	*t = &j->cf.tracks[cmd->track];
	char			 text[512], units[MAX_LEGS][UNIT_MAX];
	char			 routed_from[UNIT_MAX] = "";
	int			 i, k, n, rc;

	if (!p->can_request) {
		*outcome = "not_requester";
		return inbound_answer(j, from, msg_not_requester(text,
		    sizeof(text)), 0, now);
	}
	if (!t->enabled) {
		*outcome = "track_off";
		return inbound_answer(j, from, msg_track_off(text, sizeof(text),
		    cmd->keyword), 0, now);
	}
	if (cmd->error[0]) {
		*outcome = "bad_request";
		return inbound_answer(j, from, msg_usage(text, sizeof(text),
		    cmd->keyword, cmd->error), 0, now);
	}
	if ((rc = inbound_may_request(j, from, now, outcome)) != 1)
		return rc;
	i = n = 0;
	if (cmd->track == TRACK_PV && cmd->nunits == 1) {
		if ((rc = inbound_pv(j, cmd, from, now, units[0], routed_from,
		    outcome)) != 1)
			return rc;
		i = n = 1;
	}
	for (; i < cmd->nunits; i++) {
		if ((rc = inbound_unit(j, cmd->units[i], units[n])) == -1)
			return -1;
		if (rc == 0) {
			*outcome = "unknown_unit";
			return inbound_answer(j, from, msg_unknown_unit(text,
			    sizeof(text), cmd->units[i]), 0, now);
		}
		/* "MDK KARD,kard", or a unit's code and its name: one leg. */
		for (k = 0; k < n && strcmp(units[k], units[n]) != 0; k++)
			;
		if (k == n)
			n++;
	}
	if (!calendar_is_open(&j->cal, &t->open, now)) {
		char	opens[32] = "vid nästa öppning";
		jtime_t	next = calendar_next_open(&j->cal, &t->open, now);

		if (next > 0 && t->closed == CLOSED_QUEUE) {
			*consult = consult_create_routed(j, cmd->track, from,
			    cmd->callback, cmd->text, inbox_id,
			    (const char (*)[UNIT_MAX])units, n, now,
			    next, routed_from);
			*outcome = "queued";
			return *consult > 0 ? 0 : -1;
		}
		if (next > 0)
			jtime_short(next, now, opens, sizeof(opens));
		*outcome = "track_closed";
		return inbound_answer(j, from, msg_track_closed(text,
		    sizeof(text), cmd->keyword, opens), 0, now);
	}
	*consult = consult_create_routed(j, cmd->track, from, cmd->callback,
	    cmd->text, inbox_id, (const char (*)[UNIT_MAX])units, n,
	    now, 0, routed_from);
	*outcome = "consult";
	return *consult > 0 ? 0 : -1;
}

/* Tells a responder why their reply changed nothing. */
static int
inbound_response_stale(struct jourd *j, const char *from, int64_t id,
    jtime_t now)
{
	sqlite3_stmt	*st;
	char		 text[512], state[24] = "", who[64] = "", at[32] = "";
	char		 callback[24] = "", cbraw[PHONE_MAX] = "", by[PHONE_MAX] = "";
	jtime_t		 acked_at = 0;
	int		 rc;

	if ((st = db_stmt(j->db, sql_consult_brief)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = db_row(j->db, st)) == 1) {
		text_copy(state, sizeof(state), db_text(st, 0));
		text_copy(by, sizeof(by), db_text(st, 1));
		acked_at = sqlite3_column_int64(st, 2);
		text_copy(cbraw, sizeof(cbraw), db_text(st, 4)[0] ?
		    db_text(st, 4) : db_text(st, 3));
	}
	sqlite3_reset(st);
	if (rc == -1)
		return -1;
	phone_display(cbraw, callback, sizeof(callback));
	if (by[0]) {
		struct person p;

		if (inbound_person(j, by, &p) == -1)
			return -1;
		if (p.known)
			text_copy(who, sizeof(who), p.name);
		else
			phone_display(by, who, sizeof(who));
	}
	if (strcmp(state, "acknowledged") == 0 || (by[0] &&
	    strcmp(state, "open") == 0)) {
		jtime_short(acked_at, now, at, sizeof(at));
		msg_already_acked(text, sizeof(text), id, who, at);
	} else {
		const char *sv = strcmp(state, "resolved") == 0 ? "avslutat" :
		    strcmp(state, "cancelled") == 0 ? "avbrutet" :
		    strcmp(state, "unanswered") == 0 ? "stängt som obesvarat" :
		    "stängt";

		msg_already_closed(text, sizeof(text), id, sv,
		    strcmp(state, "resolved") == 0 ? who : "", callback);
	}
	return inbound_answer(j, from, text, id, now);
}

static const char sql_code_legs[] =
    "SELECT p.leg, max(p.step) FROM pages p JOIN legs l"
    " ON l.consult_id = p.consult_id AND l.idx = p.leg"
    " WHERE p.consult_id = ?1 AND p.to_phone = ?2 AND p.code = ?3"
    " AND p.closed_at IS NULL AND l.state = 'paging'"
    " GROUP BY p.leg ORDER BY p.leg";

/*
 * OK or NEJ on every leg of the consult on which from holds an open page
 * with code that is still paging: one person paged for two units of an MDK
 * answers for both, and is confirmed once. Returns the number of legs that
 * took the answer, -1 on a storage failure.
 */
static int
inbound_response_legs(struct jourd *j, const struct sms_cmd *cmd,
    const char *from, int64_t consult, int code, jtime_t now)
{
	struct esc_input	 in;
	sqlite3_stmt		*st;
	int			 leg[MAX_LEGS], step[MAX_LEGS];
	int			 n = 0, i, rc, applied = 0;

	if ((st = db_stmt(j->db, sql_code_legs)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, consult);
	db_bind_text(st, 2, from);
	sqlite3_bind_int(st, 3, code);
	rc = 0;
	while (n < MAX_LEGS && (rc = db_row(j->db, st)) == 1) {
		leg[n] = sqlite3_column_int(st, 0);
		step[n++] = sqlite3_column_int(st, 1);
	}
	sqlite3_reset(st);
	if (rc == -1)
		return -1;

	for (i = 0; i < n; i++) {
		memset(&in, 0, sizeof(in));
		in.kind = cmd->verb == SMS_OK ? ESC_ACK : ESC_DECLINE;
		in.leg = leg[i];
		in.step = step[i];
		in.quiet = applied > 0;
		text_copy(in.from, sizeof(in.from), from);
		/* 1: an earlier leg's answer settled this one (not MDK). */
		if ((rc = consult_input(j, consult, &in, now)) == -1)
			return -1;
		if (rc == 0)
			applied++;
	}
	return applied;
}

static const char	*inbound_track_keyword(struct jourd *, const char *);

/*
 * Answers a code the sender has no page with by naming the codes they do
 * have open, each with the answer it takes now (KLAR once acknowledged),
 * so that a tired responder is not sent hunting for an example's "OK 3".
 */
static int
inbound_unknown_code(struct jourd *j, const struct sms_cmd *cmd,
    const char *from, jtime_t now)
{
	struct msg_open_code	 open[MSG_LIST_MAX];
	char			 kw[MSG_LIST_MAX][WORD_MAX];
	char			 units[MSG_LIST_MAX][64], text[512];
	sqlite3_stmt		*st;
	int			 n = 0, total = 0, rc;

	if ((st = db_stmt(j->db, sql_open_codes)) == NULL)
		return -1;
	db_bind_text(st, 1, from);
	while ((rc = db_row(j->db, st)) == 1) {
		if (n < MSG_LIST_MAX) {
			text_copy(kw[n], sizeof(kw[n]),
			    inbound_track_keyword(j, db_text(st, 2)));
			text_copy(units[n], sizeof(units[n]), db_text(st, 3));
			open[n].id = sqlite3_column_int64(st, 0);
			open[n].code = sqlite3_column_int(st, 1);
			open[n].keyword = kw[n];
			open[n].units = units[n];
			if (sqlite3_column_int(st, 4) == 0)
				open[n].verb = "KLAR";
			else
				open[n].verb = cmd->verb == SMS_NEJ ? "NEJ" :
				    "OK";
			n++;
		}
		total++;
	}
	sqlite3_reset(st);
	/* Never "none open" because the pages could not be read. */
	if (rc == -1)
		return -1;
	return inbound_answer(j, from, msg_unknown_code(text, sizeof(text),
	    cmd->code, open, n, total), 0, now);
}

/* OK, NEJ and KLAR: find the page the responder means and apply it. */
static int
inbound_response(struct jourd *j, const struct sms_cmd *cmd, const char *from,
    jtime_t now, int64_t *consult, const char **outcome)
{
	struct esc_input	 in;
	sqlite3_stmt		*st;
	char			 text[512], list[320], verb[8];
	int			 n = 0, rc, leg = 0, step = 0, pcode = cmd->code;
	size_t			 len = 0;
	bool			 closed = false;

	snprintf(verb, sizeof(verb), "%s", cmd->verb == SMS_OK ? "OK" :
	    cmd->verb == SMS_NEJ ? "NEJ" : "KLAR");
	/* A malformed code ("OK 0", "OK -1") is never taken as no code. */
	if (cmd->error[0]) {
		*outcome = "bad_response";
		return inbound_answer(j, from, msg_usage(text, sizeof(text),
		    verb, cmd->error), 0, now);
	}
	if (cmd->code > 0) {
		if ((st = db_stmt(j->db, sql_page_by_code)) == NULL)
			return -1;
		db_bind_text(st, 1, from);
		sqlite3_bind_int(st, 2, cmd->code);
		if ((rc = db_row(j->db, st)) == 1) {
			n = 1;
			*consult = sqlite3_column_int64(st, 0);
			leg = sqlite3_column_int(st, 1);
			step = sqlite3_column_int(st, 2);
			closed = sqlite3_column_type(st, 3) != SQLITE_NULL;
		}
		sqlite3_reset(st);
		/* Never "unknown code" because the pages could not be read. */
		if (rc == -1)
			return -1;
		if (n == 0) {
			*outcome = "unknown_code";
			return inbound_unknown_code(j, cmd, from, now);
		}
	} else {
		if ((st = db_stmt(j->db, sql_open_pages)) == NULL)
			return -1;
		db_bind_text(st, 1, from);
		/* OK and NEJ answer a page still waiting; KLAR one acknowledged. */
		sqlite3_bind_int(st, 2, cmd->verb != SMS_KLAR);
		list[0] = '\0';
		while ((rc = db_row(j->db, st)) == 1) {
			int code = sqlite3_column_int(st, 3);

			if (n++ == 0) {
				*consult = sqlite3_column_int64(st, 0);
				leg = sqlite3_column_int(st, 1);
				step = sqlite3_column_int(st, 2);
				pcode = code;
			}
			if (len < sizeof(list))
				len += snprintf(list + len, sizeof(list) - len,
				    "%s#%lld kod %d %s", n > 1 ? ", " : "",
				    (long long)sqlite3_column_int64(st, 0), code,
				    db_text(st, 5));
		}
		sqlite3_reset(st);
		if (rc == -1)
			return -1;
		if (n == 0) {
			*outcome = "no_open_page";
			return inbound_answer(j, from, msg_no_open_page(
			    text, sizeof(text)), 0, now);
		}
		if (n > 1) {
			*consult = 0;
			*outcome = "ambiguous";
			return inbound_answer(j, from, msg_which_page(text,
			    sizeof(text), verb, list), 0, now);
		}
	}
	if (cmd->verb != SMS_KLAR) {
		if ((rc = inbound_response_legs(j, cmd, from, *consult, pcode,
		    now)) == -1)
			return -1;
		if (rc > 0) {
			*outcome = cmd->verb == SMS_OK ? "acknowledged" :
			    "declined";
			return 0;
		}
	}
	if (closed) {
		*outcome = "stale_code";
		return inbound_response_stale(j, from, *consult, now);
	}

	memset(&in, 0, sizeof(in));
	in.kind = cmd->verb == SMS_OK ? ESC_ACK : cmd->verb == SMS_NEJ ?
	    ESC_DECLINE : ESC_RESOLVE;
	in.leg = leg;
	in.step = step;
	text_copy(in.from, sizeof(in.from), from);
	text_copy(in.outcome, sizeof(in.outcome), cmd->outcome);
	if ((rc = consult_input(j, *consult, &in, now)) == -1)
		return -1;
	if (rc == 1) {
		*outcome = "not_applicable";
		return inbound_response_stale(j, from, *consult, now);
	}
	*outcome = cmd->verb == SMS_OK ? "acknowledged" : cmd->verb == SMS_NEJ ?
	    "declined" : "resolved";
	return 0;
}

/* AVBRYT <id>: only the requester may cancel. */
static int
inbound_cancel(struct jourd *j, const struct sms_cmd *cmd, const char *from,
    jtime_t now, int64_t *consult, const char **outcome)
{
	struct esc_input	 in;
	sqlite3_stmt		*st;
	char			 text[256], owner[PHONE_MAX] = "";
	int			 rc;

	if (cmd->error[0]) {
		*outcome = "bad_request";
		return inbound_answer(j, from, msg_usage(text, sizeof(text),
		    "AVBRYT", cmd->error), 0, now);
	}
	if ((st = db_stmt(j->db, sql_consult_requester)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, cmd->consult);
	if ((rc = db_row(j->db, st)) == 1)
		text_copy(owner, sizeof(owner), db_text(st, 0));
	sqlite3_reset(st);
	if (rc == -1)
		return -1;
	if (strcmp(owner, from) != 0) {
		*outcome = "not_owner";
		snprintf(text, sizeof(text), "Du har inget ärende #%lld att "
		    "avbryta.", (long long)cmd->consult);
		return inbound_answer(j, from, text, 0, now);
	}
	*consult = cmd->consult;
	memset(&in, 0, sizeof(in));
	in.kind = ESC_CANCEL;
	text_copy(in.from, sizeof(in.from), from);
	if ((rc = consult_input(j, cmd->consult, &in, now)) == -1)
		return -1;
	if (rc == 1) {
		*outcome = "not_applicable";
		return inbound_response_stale(j, from, cmd->consult, now);
	}
	*outcome = "cancelled";
	return 0;
}

static const char sql_kontakt[] =
    "SELECT name, phone FROM units WHERE (upper(code) = ?1"
    " OR instr(folded, ?1) > 0) AND removed_at IS NULL"
    " ORDER BY upper(code) = ?1 DESC, folded, code";

/* KONTAKT <query>: switchboard numbers of the units whose code or name match. */
static int
inbound_kontakt(struct jourd *j, const struct sms_cmd *cmd, const char *from,
    jtime_t now, const char **outcome)
{
	struct msg_contact	 c[MSG_LIST_MAX];
	char			 name[MSG_LIST_MAX][96], phone[MSG_LIST_MAX][24];
	char			 text[1024], folded[256];
	sqlite3_stmt		*st;
	size_t			 len;
	int			 n = 0, total = 0, rc;

	if (cmd->error[0]) {
		*outcome = "bad_kontakt";
		return inbound_answer(j, from, msg_query_usage(text,
		    sizeof(text), cmd->keyword, cmd->error), 0, now);
	}
	/* The query's final punctuation is no part of a name. */
	len = text_fold(cmd->text, folded, sizeof(folded));
	while (len > 0 && strchr(" .,:;!?", folded[len - 1]) != NULL)
		folded[--len] = '\0';
	if ((st = db_stmt(j->db, sql_kontakt)) == NULL)
		return -1;
	db_bind_text(st, 1, folded);
	rc = 0;
	while (len > 0 && (rc = db_row(j->db, st)) == 1) {
		if (n < MSG_LIST_MAX) {
			text_copy(name[n], sizeof(name[n]), db_text(st, 0));
			phone_display(db_text(st, 1), phone[n],
			    sizeof(phone[n]));
			c[n].name = name[n];
			c[n].phone = phone[n];
			n++;
		}
		total++;
	}
	sqlite3_reset(st);
	if (rc == -1)
		return -1;
	if (total == 0) {
		*outcome = "kontakt_none";
		msg_kontakt_none(text, sizeof(text), cmd->text);
	} else {
		*outcome = "kontakt";
		msg_kontakt(text, sizeof(text), c, n, total);
	}
	return consult_reply(j, from, text, "reply", 0, now);
}

static const char sql_status[] =
    "SELECT c.id, c.track, c.state, c.max_step, c.acked_by, c.acked_at,"
    " coalesce(c.outcome, ''), coalesce(c.resolved_at, (SELECT max(e.ts)"
    " FROM events e WHERE e.consult_id = c.id AND e.type = 'unanswered'),"
    " c.created_at), (SELECT group_concat(l.unit, ',') FROM legs l"
    " WHERE l.consult_id = c.id)"
    " FROM consults c WHERE c.requester = ?1 AND (c.id = ?2 OR (?2 = 0 AND"
    " c.state IN ('queued', 'open', 'acknowledged')))"
    " ORDER BY c.created_at DESC, c.id DESC";

/* The first keyword of the track named name, for the texts. */
static const char *
inbound_track_keyword(struct jourd *j, const char *name)
{
	int	i;

	for (i = 0; i < MAX_TRACKS; i++)
		if (strcmp(j->cf.tracks[i].name, name) == 0 &&
		    j->cf.tracks[i].nkeywords > 0)
			return j->cf.tracks[i].keywords[0];
	return name;
}

/* STATUS [id]: the sender's open consults, or one of theirs in any state. */
static int
inbound_status(struct jourd *j, const struct sms_cmd *cmd, const char *from,
    jtime_t now, const char **outcome)
{
	/* Sixteen lines are more than two SMS hold; the rest are counted. */
	static struct {
		char	keyword[WORD_MAX];
		char	units[128];
		char	state[16];
		char	who[64];
		char	at[32];
		char	outcome[WORD_MAX];
	}			 row[16];
	struct msg_status	 s[16];
	struct person		 p;
	sqlite3_stmt		*st;
	char			 text[1024], by[PHONE_MAX];
	int			 n = 0, total = 0, acked, rc;

	if (cmd->error[0]) {
		*outcome = "bad_status";
		return inbound_answer(j, from, msg_query_usage(text,
		    sizeof(text), "STATUS", cmd->error), 0, now);
	}
	if ((st = db_stmt(j->db, sql_status)) == NULL)
		return -1;
	db_bind_text(st, 1, from);
	sqlite3_bind_int64(st, 2, cmd->consult);
	while ((rc = db_row(j->db, st)) == 1) {
		if (total++ >= (int)nitems(s))
			continue;
		memset(&s[n], 0, sizeof(s[n]));
		s[n].id = sqlite3_column_int64(st, 0);
		text_copy(row[n].keyword, sizeof(row[n].keyword),
		    inbound_track_keyword(j, db_text(st, 1)));
		text_copy(row[n].state, sizeof(row[n].state), db_text(st, 2));
		s[n].step = sqlite3_column_int(st, 3) + 1;
		text_copy(by, sizeof(by), db_text(st, 4));
		row[n].who[0] = '\0';
		if (by[0]) {
			if (inbound_person(j, by, &p) == -1) {
				sqlite3_reset(st);
				return -1;
			}
			if (p.known)
				text_copy(row[n].who, sizeof(row[n].who),
				    p.name);
			else
				phone_display(by, row[n].who,
				    sizeof(row[n].who));
		}
		acked = strcmp(row[n].state, "open") == 0 ||
		    strcmp(row[n].state, "acknowledged") == 0;
		jtime_short(sqlite3_column_int64(st, acked ? 5 : 7), now,
		    row[n].at, sizeof(row[n].at));
		text_copy(row[n].outcome, sizeof(row[n].outcome),
		    db_text(st, 6));
		text_copy(row[n].units, sizeof(row[n].units), db_text(st, 8));
		s[n].keyword = row[n].keyword;
		s[n].units = row[n].units;
		s[n].state = row[n].state;
		s[n].who = row[n].who;
		s[n].at = row[n].at;
		s[n].outcome = row[n].outcome;
		n++;
	}
	sqlite3_reset(st);
	if (rc == -1)
		return -1;
	if (total == 0 && cmd->consult > 0) {
		/* Someone else's or none at all: the answer tells neither. */
		*outcome = "not_owner";
		return inbound_answer(j, from, msg_status_not_yours(text,
		    sizeof(text), cmd->consult), 0, now);
	}
	if (total == 0) {
		*outcome = "status_none";
		msg_status_none(text, sizeof(text));
	} else {
		*outcome = "status";
		msg_status_list(text, sizeof(text), s, n, total);
	}
	return consult_reply(j, from, text, "reply", 0, now);
}

static const char sql_role_known[] =
    "SELECT 1 FROM shifts WHERE unit = ? AND role = ? LIMIT 1";
static const char sql_roster_end[] =
    "SELECT max(end_at) FROM shifts WHERE unit = ?1 AND role = ?2"
    " AND source = 'roster' AND start_at <= ?3 AND end_at > ?3";
static const char sql_override[] =
    "INSERT INTO shifts (unit, role, phone, start_at, end_at, source)"
    " VALUES (?, ?, ?, ?, ?, 'override')";

static const char sql_jour_member[] =
    "SELECT 1 FROM people WHERE phone = ?1 AND unit = ?2"
    " AND removed_at IS NULL"
    " UNION ALL SELECT 1 FROM shifts WHERE phone = ?1 AND unit = ?2 LIMIT 1";

/*
 * True when phone may take over a role of unit: it belongs to the unit or
 * has been on its roster. Anyone else's JOUR, a typo or an auto-responder's,
 * would divert the unit's pages to someone who cannot answer them.
 */
static int
inbound_jour_member(struct jourd *j, const char *phone, const char *unit)
{
	sqlite3_stmt	*st;
	int		 member;

	if ((st = db_stmt(j->db, sql_jour_member)) == NULL)
		return -1;
	db_bind_text(st, 1, phone);
	db_bind_text(st, 2, unit);
	member = db_row(j->db, st);
	sqlite3_reset(st);
	return member;
}

/* 1 when role is a role of unit: in its roster or in a track's steps;
 * 0 when not, -1 when the roster could not be read. */
static int
inbound_role_known(struct jourd *j, const char *unit, const char *role)
{
	sqlite3_stmt	*st;
	int		 known, t, r;

	for (t = 0; t < MAX_TRACKS; t++)
		for (r = 0; r < j->cf.tracks[t].nroles; r++)
			if (strcmp(j->cf.tracks[t].roles[r], role) == 0)
				return 1;
	if ((st = db_stmt(j->db, sql_role_known)) == NULL)
		return -1;
	db_bind_text(st, 1, unit);
	db_bind_text(st, 2, role);
	known = db_row(j->db, st);
	sqlite3_reset(st);
	return known;
}

/*
 * JOUR <unit> [role]: the sender holds the role from now to the end of the
 * current roster shift (12 h when none covers now). The role defaults to the
 * first step of the acute track. Legs waiting on the role page the sender.
 */
static int
inbound_jour(struct jourd *j, const struct sms_cmd *cmd, const char *from,
    jtime_t now, const char **outcome)
{
	sqlite3_stmt	*st;
	char		 text[512], unit[UNIT_MAX], role[ROLE_MAX], prev[PHONE_MAX];
	char		 until[32], iso[40], detail[128], who[64];
	jtime_t		 end;
	int		 rc;

	if (cmd->error[0] || cmd->nunits == 0) {
		*outcome = "bad_request";
		return inbound_answer(j, from, msg_usage(text, sizeof(text),
		    "JOUR", cmd->error[0] ? cmd->error : "enhet saknas"), 0, now);
	}
	if ((rc = inbound_unit(j, cmd->units[0], unit)) == -1)
		return -1;
	if (rc == 0) {
		*outcome = "unknown_unit";
		return inbound_answer(j, from, msg_unknown_unit(text, sizeof(text),
		    cmd->units[0]), 0, now);
	}
	if ((rc = inbound_jour_member(j, from, unit)) == -1)
		return -1;
	if (rc == 0) {
		*outcome = "not_member";
		return inbound_answer(j, from, msg_jour_not_member(text,
		    sizeof(text), unit), 0, now);
	}
	text_copy(role, sizeof(role), cmd->role[0] ? cmd->role :
	    j->cf.tracks[TRACK_AKUT].roles[0]);
	(void)parse_role_name(role, role);	/* else unknown, below */
	if ((rc = inbound_role_known(j, unit, role)) == -1)
		return -1;
	if (rc == 0) {
		*outcome = "unknown_role";
		snprintf(text, sizeof(text), "Okänd roll \"%s\" för %s. Skriv t.ex. "
		    "JOUR %s primary.", role, unit, unit);
		return inbound_answer(j, from, text, 0, now);
	}
	if ((rc = consult_oncall(j, unit, role, now, prev)) == -1)
		return -1;
	if (rc == 0)
		prev[0] = '\0';
	if ((st = db_stmt(j->db, sql_roster_end)) == NULL)
		return -1;
	db_bind_text(st, 1, unit);
	db_bind_text(st, 2, role);
	sqlite3_bind_int64(st, 3, now);
	if ((rc = db_row(j->db, st)) == -1) {
		sqlite3_reset(st);
		return -1;
	}
	end = rc == 1 ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (end <= now)
		end = now + 12 * JT_HOUR;

	if ((st = db_stmt(j->db, sql_override)) == NULL)
		return -1;
	db_bind_text(st, 1, unit);
	db_bind_text(st, 2, role);
	db_bind_text(st, 3, from);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int64(st, 5, end);
	if (db_done(j->db, st) == -1)
		return -1;
	snprintf(detail, sizeof(detail), "%s %s until %s", unit, role,
	    jtime_iso(end, iso, sizeof(iso)));
	if (event_write(j, 0, now, "handover", from, detail) == -1)
		return -1;

	jtime_short(end, now, until, sizeof(until));
	if (consult_reply(j, from, msg_jour_confirm(text, sizeof(text), unit,
	    role, until), "reply", 0, now) == -1)
		return -1;
	if (prev[0] != '\0' && strcmp(prev, from) != 0) {
		struct person p;

		if (inbound_person(j, from, &p) == -1)
			return -1;
		text_copy(who, sizeof(who), p.name);
		if (consult_reply(j, prev, msg_jour_taken(text, sizeof(text), who,
		    unit, role, until), "notify", 0, now) == -1)
			return -1;
	}
	*outcome = "handover";
	return consult_repage_role(j, unit, role, from, now) == -1 ? -1 : 0;
}

/* Routes one parsed message; returns -1 only on a storage failure. */
static int
inbound_route(struct jourd *j, const struct ipc_sms_in *m,
    const struct sms_cmd *cmd, const char *from, enum phone_result pr,
    const char *masked, int64_t inbox_id, jtime_t now, int64_t *consult,
    const char **outcome)
{
	struct person	p;
	char		text[512];

	if (pr != PHONE_OK) {
		*outcome = "ignored_sender";
		return 0;
	}
	if (m->binary) {
		*outcome = "ignored_binary";
		return 0;
	}
	switch (inbound_is_echo(j, from, masked, now)) {
	case -1:
		return -1;
	case 1:
		/* Never answered: an answer is what the echo would echo. */
		*outcome = "echo";
		return 0;
	}
	if (inbound_person(j, from, &p) == -1)
		return -1;
	/* Strangers first: whatever they send, one answer per period. */
	if (!p.known) {
		*outcome = cmd->has_pnr ? "stranger_pnr" : "stranger";
		return inbound_answer(j, from, msg_stranger(text,
		    sizeof(text)), 0, now);
	}
	if (cmd->has_pnr) {
		*outcome = "rejected_pnr";
		if (cmd->verb == SMS_REQUEST &&
		    (*consult = inbound_reject(j, cmd, from, masked, inbox_id,
		    now)) == -1)
			return -1;
		return inbound_answer(j, from, msg_pnr_refused(text,
		    sizeof(text)), *consult, now);
	}
	switch (cmd->verb) {
	case SMS_EMPTY:
		*outcome = "empty";
		return inbound_answer(j, from, msg_not_understood(text,
		    sizeof(text), "tomt meddelande"), 0, now);
	case SMS_UNKNOWN:
		*outcome = "unknown";
		return inbound_answer(j, from, msg_not_understood(text,
		    sizeof(text), cmd->error), 0, now);
	case SMS_HJALP:
		*outcome = "help";
		return inbound_answer(j, from, msg_help(text, sizeof(text)), 0, now);
	case SMS_REQUEST:
		return inbound_request(j, cmd, from, &p, inbox_id, now, consult,
		    outcome);
	case SMS_OK:
	case SMS_NEJ:
	case SMS_KLAR:
		return inbound_response(j, cmd, from, now, consult, outcome);
	case SMS_AVBRYT:
		return inbound_cancel(j, cmd, from, now, consult, outcome);
	case SMS_KONTAKT:
		return inbound_kontakt(j, cmd, from, now, outcome);
	case SMS_STATUS:
		return inbound_status(j, cmd, from, now, outcome);
	case SMS_JOUR:
		return inbound_jour(j, cmd, from, now, outcome);
	}
	*outcome = "unknown";
	return 0;
}

/*
 * One SMS inside the caller's transaction: inbox row, routing and every
 * consequence. 0 when it is stored (or was before), -1 when it must stay
 * on the phone; the caller rolls back to the SMS's savepoint then.
 */
static int
inbound_one(struct route *r, const struct ipc_sms_in *m)
{
	struct jourd		*j = r->j;
	static struct sms_cmd	 cmd;
	static char		 masked[SMS_TEXT_MAX], plain[SMS_TEXT_MAX];
	sqlite3_stmt		*st;
	char			 sender[PHONE_MAX], from[64], key[160];
	enum phone_result	 pr;
	const char		*outcome = "unknown";
	int64_t			 inbox_id, consult = 0;
	jtime_t			 now = jtime_now();

	pr = phone_normalise(m->sender, sender);
	text_copy(from, sizeof(from), pr == PHONE_OK ? sender : m->sender);
	memset(&cmd, 0, sizeof(cmd));
	/* What is scanned, parsed, stored and shown is one and the same
	 * cleaned text, its identity numbers masked: the raw text never
	 * leaves the phone. */
	text_clean(plain, sizeof(plain), m->text, sizeof(m->text));
	if (m->binary)
		cmd.verb = SMS_UNKNOWN;
	else
		parse_sms(plain, &j->pctx, &cmd);
	pnr_mask(plain, masked, sizeof(masked));
	inbound_dedup_key(m, from, masked, key, sizeof(key));
	/* Its answers go back through the route it came in on. */
	j->inbound_route = r->name;
	text_copy(j->inbound_from, sizeof(j->inbound_from), from);

	if ((st = db_stmt(j->db, sql_inbox_insert)) == NULL)
		goto retry;
	db_bind_text(st, 1, key);
	db_bind_text(st, 2, from);
	sqlite3_bind_int64(st, 3, m->smsc_time);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int(st, 5, m->parts);
	db_bind_text(st, 6, masked);
	db_bind_text(st, 7, parse_verb_name(cmd.verb));
	db_bind_text(st, 8, r->name);
	if (db_done(j->db, st) == -1)
		goto retry;
	if (sqlite3_changes(db_handle(j->db)) == 0) {
		/* Committed before: the phone still had it. Delete it again. */
		log_info("inbound: repeat of a committed SMS from %s", from);
		return 0;
	}
	inbox_id = sqlite3_last_insert_rowid(db_handle(j->db));

	if (inbound_route(j, m, &cmd, from, pr, masked, inbox_id, now, &consult,
	    &outcome) == -1)
		goto retry;
	if ((st = db_stmt(j->db, sql_inbox_done)) == NULL)
		goto retry;
	db_bind_text(st, 1, outcome);
	if (consult > 0)
		sqlite3_bind_int64(st, 2, consult);
	sqlite3_bind_int64(st, 3, inbox_id);
	if (db_done(j->db, st) == -1)
		goto retry;
	log_info("inbound: %s from %s: %s", parse_verb_name(cmd.verb), from,
	    outcome);
	return 0;

retry:
	/* Not stored: the phone keeps it and a later sweep brings it again. */
	log_debug("inbound: SMS from %s not stored (%s); left on the phone",
	    from, db_errmsg(j->db));
	return -1;
}

/*
 * SMS the worker handed over together are stored in one transaction, one
 * savepoint each: one fsync for the lot, and an SMS that fails is rolled
 * back alone and left on the phone. Only after the COMMIT is the worker
 * told to delete them.
 */
void
inbound_sms_batch(struct route *r, const struct ipc_sms_in *const *m, int n)
{
	struct jourd		*j = r->j;
	struct ipc_token	 tok;
	bool			 stored[INBOUND_BATCH_MAX];
	int			 i, rc, nstored = 0;

	if (n > INBOUND_BATCH_MAX)
		n = INBOUND_BATCH_MAX;
	memset(stored, 0, sizeof(stored));
	/* After a failure the database gets its pause: leave them on the
	 * phone for now. */
	if (db_may_write(j->db) && db_begin(j->db) == 0) {
		for (i = 0; i < n; i++) {
			if (db_exec(j->db, "SAVEPOINT sms") == -1)
				break;
			rc = inbound_one(r, m[i]);
			j->inbound_route = NULL;
			if (rc == 0) {
				stored[i] = db_exec(j->db, "RELEASE sms") == 0;
				nstored += stored[i];
			} else {
				db_exec(j->db, "ROLLBACK TO sms");
				db_exec(j->db, "RELEASE sms");
			}
		}
		if (nstored == 0 || db_commit(j->db) == -1) {
			db_rollback(j->db);
			memset(stored, 0, sizeof(stored));
			nstored = 0;
		}
	}
	for (i = 0; i < n; i++) {
		tok.token = m[i]->token;
		worker_send(r, stored[i] ? IPC_SMS_COMMITTED : IPC_SMS_RETRY,
		    &tok, sizeof(tok));
	}
	if (nstored > 0) {
		outbox_kick(j);
		jourd_rearm(j);
	}
}

/* A reference is the modem's own: the report matches the route's SMS. */
static const char sql_delivered_find[] =
    "SELECT id, consult_id, kind FROM outbox WHERE msg_ref = ? AND to_phone = ?"
    " AND route = ? AND state = 'sent' AND delivered_at IS NULL"
    " ORDER BY id DESC LIMIT 1";
static const char sql_delivered_set[] =
    "UPDATE outbox SET delivered_at = ? WHERE id = ?";

/* A delivery report: the SMS with that reference reached the phone. */
void
inbound_status_report(struct route *route, const struct ipc_status_report *r)
{
	struct jourd	*j = route->j;
	sqlite3_stmt	*st;
	char		 to[PHONE_MAX], detail[96];
	int64_t		 id = 0, consult = 0;
	char		 kind[WORD_MAX] = "";
	int		 rc;

	if (phone_normalise(r->recipient, to) != PHONE_OK) {
		log_warnx("inbound: delivery report for %s ignored", r->recipient);
		return;
	}
	if (!r->delivered) {
		log_warnx("inbound: SMS %d to %s was not delivered", r->msg_ref, to);
		return;
	}
	if (db_begin(j->db) == -1)
		return;
	if ((st = db_stmt(j->db, sql_delivered_find)) == NULL)
		goto fail;
	sqlite3_bind_int(st, 1, r->msg_ref);
	db_bind_text(st, 2, to);
	db_bind_text(st, 3, route->name);
	if ((rc = db_row(j->db, st)) == 1) {
		id = sqlite3_column_int64(st, 0);
		consult = sqlite3_column_int64(st, 1);
		text_copy(kind, sizeof(kind), db_text(st, 2));
	}
	sqlite3_reset(st);
	if (rc == -1)
		goto fail;
	if (id == 0) {
		db_rollback(j->db);
		log_info("inbound: delivery report %d to %s matches no SMS",
		    r->msg_ref, to);
		return;
	}
	if ((st = db_stmt(j->db, sql_delivered_set)) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, r->at > 0 ? r->at : jtime_now());
	sqlite3_bind_int64(st, 2, id);
	if (db_done(j->db, st) == -1)
		goto fail;
	snprintf(detail, sizeof(detail), "%s %s", kind, to);
	if (consult > 0 && event_write(j, consult, jtime_now(), "delivered", "",
	    detail) == -1)
		goto fail;
	if (db_commit(j->db) == 0)
		return;
fail:
	db_rollback(j->db);
}

static const char sql_pager_delivered[] =
    "UPDATE outbox SET delivered_at = ?1 WHERE id = (SELECT id FROM outbox"
    " WHERE kind = 'pager' AND to_phone = ?2 AND state = 'sent'"
    " AND delivered_at IS NULL ORDER BY id DESC LIMIT 1)";
static const char sql_pager_consult[] =
    "SELECT consult_id FROM outbox WHERE kind = 'pager' AND to_phone = ?"
    " AND state = 'sent' ORDER BY id DESC LIMIT 1";

/* What the paging system's status codes (record 7) mean. */
static const char *
inbound_pager_status_name(int status)
{
	switch (status) {
	case PAGER_PAGED:
		return "paged";
	case PAGER_ABSENT:
		return "absent";
	case PAGER_ACKNOWLEDGED:
		return "acknowledged";
	case PAGER_FAULT:
		return "fault";
	default:
		return "unknown";
	}
}

/*
 * A status the paging system reported for a call address: an event on the
 * consult of the last page to that pager, and "paged" is its delivery.
 */
void
inbound_pager_status(struct route *r, const struct ipc_pager_status *ps)
{
	struct jourd	*j = r->j;
	sqlite3_stmt	*st;
	jtime_t		 now = jtime_now();
	int64_t		 consult = 0;
	char		 detail[96];
	int		 rc;

	if (db_begin(j->db) == -1)
		return;
	if ((st = db_stmt(j->db, sql_pager_consult)) == NULL)
		goto fail;
	db_bind_text(st, 1, ps->address);
	if ((rc = db_row(j->db, st)) == 1)
		consult = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc == -1)
		goto fail;
	if (ps->status == PAGER_PAGED) {
		if ((st = db_stmt(j->db, sql_pager_delivered)) == NULL)
			goto fail;
		sqlite3_bind_int64(st, 1, now);
		db_bind_text(st, 2, ps->address);
		if (db_done(j->db, st) == -1)
			goto fail;
	}
	snprintf(detail, sizeof(detail), "pager %s: %s (%d)", ps->address,
	    inbound_pager_status_name(ps->status), ps->status);
	if (event_write(j, consult, now, "pager_status", "", detail) == -1)
		goto fail;
	if (db_commit(j->db) == -1)
		goto fail;
	log_info("route %s: %s", r->name, detail);
	return;
fail:
	db_rollback(j->db);
	log_warnx("route %s: pager status %s %d not recorded: %s", r->name,
	    ps->address, ps->status, db_errmsg(j->db));
}
