/*
 * msg.h — the words jourd sends, in Swedish, composed by pure functions.
 *
 * Each function writes one SMS text into out (bounded, NUL-terminated) and
 * returns out. Texts aim at one SMS (160 GSM 7-bit characters: Swedish
 * letters are in that alphabet); a page carries the requester's free text
 * and may take more. No function ever includes a personal identity number:
 * request texts reaching here have been refused if they held one.
 */
#ifndef JOURD_MSG_H
#define JOURD_MSG_H

#include "common.h"

/* Bytes of the requester's text a page carries (about three SMS parts). */
#define MSG_PAGE_TEXT_MAX 360

/* What the texts about one consult need to know. */
struct msg_consult {
	int64_t		id;
	const char	*keyword;	/* "AKUT", "HALV", "MDK", "PV" */
	const char	*units;		/* "KARD" or "KARD,GER,PSYK" */
	const char	*requester;	/* requester's name, or their number */
	const char	*requester_unit;	/* "Orsa VC", "" when unknown */
	const char	*callback;	/* number to call, display form */
	const char	*text;		/* the request's free text */
};

char *msg_page(char *out, size_t sz, const struct msg_consult *c, int code,
    int step);
/* A page to the hospital's paging system: at most 128 characters, no
 * request text (it may name the patient). */
char *msg_pager(char *out, size_t sz, const struct msg_consult *c,
    const char *unit, int code);
char *msg_received(char *out, size_t sz, const struct msg_consult *c);
char *msg_queued(char *out, size_t sz, const struct msg_consult *c,
    const char *opens);
char *msg_acked(char *out, size_t sz, const struct msg_consult *c,
    const char *unit, const char *who, const char *who_phone, const char *at);
char *msg_all_acked(char *out, size_t sz, const struct msg_consult *c);
char *msg_unanswered(char *out, size_t sz, const struct msg_consult *c,
    const char *unit, const char *switchboard);
char *msg_admin_unanswered(char *out, size_t sz, const struct msg_consult *c,
    const char *unit, const char *requester_phone);
char *msg_admin_gap(char *out, size_t sz, const struct msg_consult *c,
    const char *unit, const char *role);
/* To the admins, once, of a roster gap ahead (times "YYYY-MM-DD HH:MM"). */
char *msg_admin_coverage_gap(char *out, size_t sz, const char *unit,
    const char *role, const char *from, const char *to);
/* To the admins when the modem is back after an incident (times "HH:MM"). */
char *msg_admin_modem_back(char *out, size_t sz, const char *from,
    const char *to, jtime_t minutes);
/* To the admins, through another route, the moment a route is in trouble
 * (since "HH:MM") and when it is back. */
char *msg_admin_route_trouble(char *out, size_t sz, const char *route,
    const char *since, const char *why, const char *via);
char *msg_admin_route_back(char *out, size_t sz, const char *route,
    const char *from, const char *to, jtime_t minutes);
char *msg_ack_confirm(char *out, size_t sz, const struct msg_consult *c,
    int code, const char *outcomes);
char *msg_decline_confirm(char *out, size_t sz, const struct msg_consult *c);
char *msg_resolve_confirm(char *out, size_t sz, const struct msg_consult *c,
    const char *outcome);
char *msg_cancel_confirm(char *out, size_t sz, const struct msg_consult *c);
char *msg_stand_down(char *out, size_t sz, const struct msg_consult *c,
    const char *why);

/* What parse_sms found wrong, as the words an error reply quotes. */
enum msg_parse {
	MSG_PARSE_TOO_MANY_UNITS,
	MSG_PARSE_ONE_UNIT,
	MSG_PARSE_NO_UNIT,
	MSG_PARSE_NO_KEYWORD,
	MSG_PARSE_BAD_ID,
	MSG_PARSE_NO_ID,
	MSG_PARSE_BAD_CODE,
	MSG_PARSE_UNKNOWN_OUTCOME,	/* followed by ": " and the word */
	MSG_PARSE_UNKNOWN_COMMAND	/* followed by ": " and the word */
};
const char *msg_parse_error(enum msg_parse what);
/* Why a holder may stand down, for msg_stand_down; who: the one who
 * acknowledged (MSG_WHY_ACKED only). */
enum msg_why { MSG_WHY_CANCELLED, MSG_WHY_RESOLVED, MSG_WHY_ACKED };
char *msg_stand_down_why(char *out, size_t sz, enum msg_why why,
    const char *who);

char *msg_jour_confirm(char *out, size_t sz, const char *unit,
    const char *role, const char *until);
char *msg_jour_taken(char *out, size_t sz, const char *who, const char *unit,
    const char *role, const char *until);
/* JOUR for a unit the sender neither belongs to nor is rostered for. */
char *msg_jour_not_member(char *out, size_t sz, const char *unit);
char *msg_help(char *out, size_t sz);
char *msg_not_understood(char *out, size_t sz, const char *what);
char *msg_pnr_refused(char *out, size_t sz);
/* Request refused: the requester has started `limit` consults this hour. */
char *msg_request_limit(char *out, size_t sz, int limit);
char *msg_stranger(char *out, size_t sz);
char *msg_not_requester(char *out, size_t sz);
char *msg_track_off(char *out, size_t sz, const char *keyword);
char *msg_track_closed(char *out, size_t sz, const char *keyword,
    const char *opens);
char *msg_usage(char *out, size_t sz, const char *keyword, const char *error);
char *msg_unknown_unit(char *out, size_t sz, const char *unit);
/* PV: "Mottaget #12 PV ORSA: vårdcentralen är stängd, Jourcentralen söks nu…" */
char *msg_received_routed(char *out, size_t sz, const struct msg_consult *c,
    const char *centre, const char *unit_name);
/* PV named a unit that is not a health centre. */
char *msg_pv_not_centre(char *out, size_t sz, const char *unit);
/* PV: the centre is closed and no after_hours unit can be paged. */
char *msg_pv_closed(char *out, size_t sz, const char *centre,
    const char *phone);
/* list: "ALVDALEN Älvdalens vårdcentral, ALVBY Älvby vårdcentral" */
char *msg_unit_ambiguous(char *out, size_t sz, const char *typed,
    const char *list);
char *msg_no_open_page(char *out, size_t sz);
/* One open page in a wrong-code answer: "OK 2 (#14 AKUT KARD)". */
struct msg_open_code {
	const char	*verb;		/* the answer it takes now: "OK", "KLAR" */
	int		code;
	int64_t		id;
	const char	*keyword;	/* "AKUT" */
	const char	*units;		/* "KARD" or "KARD,GER" */
};
/*
 * A code the sender has no page with: "Kod 7 hör inte till något av dina
 * larm. Dina öppna larm: OK 2 (#14 AKUT KARD); …", the first of the n
 * open pages that fit in one SMS, "(+N till)" for the rest of total, or
 * that there are none (total 0).
 */
char *msg_unknown_code(char *out, size_t sz, int code,
    const struct msg_open_code *open, int n, int total);
char *msg_already_closed(char *out, size_t sz, int64_t id, const char *state,
    const char *who, const char *callback);
char *msg_already_acked(char *out, size_t sz, int64_t id, const char *who,
    const char *at);
/* list: "#12 kod 3 AKUT KARD, #14 kod 4 PV ORSA" */
char *msg_which_page(char *out, size_t sz, const char *verb, const char *list);

/*
 * Answers that list several items (KONTAKT, STATUS) may take two
 * concatenated SMS parts: 2 x 153 GSM 7-bit characters. At most
 * MSG_LIST_MAX items are considered; the rest are only counted.
 */
#define MSG_ONE_SMS	160
#define MSG_TWO_SMS	306
#define MSG_LIST_MAX	32

/* One unit of a KONTAKT answer. */
struct msg_contact {
	const char	*name;		/* "Kardiologi, Falu lasarett" */
	const char	*phone;		/* display form, "070-174 06 30" */
};

/* One consult of a STATUS answer. */
struct msg_status {
	int64_t		id;
	const char	*keyword;	/* "AKUT" */
	const char	*units;		/* "KARD", "" when none (rejected) */
	const char	*state;		/* consults.state: "open", "resolved", … */
	int		step;		/* step reached, from 1; 0 = not paged */
	const char	*who;		/* who acknowledged, "" = nobody */
	const char	*at;		/* when acknowledged, or closed if closed */
	const char	*outcome;	/* resolved: outcome code, "" = none */
};

/*
 * "NAME PHONE; NAME PHONE (+N till, skriv mer exakt)": the first of the n
 * contacts that fit in MSG_TWO_SMS characters; total counts every match.
 */
char *msg_kontakt(char *out, size_t sz, const struct msg_contact *c, int n,
    int total);
char *msg_kontakt_none(char *out, size_t sz, const char *query);
/* KONTAKT without a query, STATUS with a bad id. */
char *msg_query_usage(char *out, size_t sz, const char *keyword,
    const char *error);
/* One consult in one line: "#12 AKUT KARD kvitterat av Erik Lund 14:05". */
char *msg_status_line(char *out, size_t sz, const struct msg_status *s);
/* The first of n consult lines that fit in MSG_TWO_SMS, "; "-separated. */
char *msg_status_list(char *out, size_t sz, const struct msg_status *s,
    int n, int total);
char *msg_status_none(char *out, size_t sz);
char *msg_status_not_yours(char *out, size_t sz, int64_t id);

#endif
