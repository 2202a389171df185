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
char *msg_ack_confirm(char *out, size_t sz, const struct msg_consult *c,
    int code, const char *outcomes);
char *msg_decline_confirm(char *out, size_t sz, const struct msg_consult *c);
char *msg_resolve_confirm(char *out, size_t sz, const struct msg_consult *c,
    const char *outcome);
char *msg_cancel_confirm(char *out, size_t sz, const struct msg_consult *c);
char *msg_stand_down(char *out, size_t sz, const struct msg_consult *c,
    const char *why);

char *msg_help(char *out, size_t sz);
char *msg_not_understood(char *out, size_t sz, const char *what);
char *msg_pnr_refused(char *out, size_t sz);
char *msg_stranger(char *out, size_t sz);
char *msg_not_requester(char *out, size_t sz);
char *msg_track_off(char *out, size_t sz, const char *keyword);
char *msg_track_closed(char *out, size_t sz, const char *keyword,
    const char *opens);
char *msg_usage(char *out, size_t sz, const char *keyword, const char *error);
char *msg_unknown_unit(char *out, size_t sz, const char *unit);
char *msg_no_open_page(char *out, size_t sz);
char *msg_unknown_code(char *out, size_t sz, int code);
char *msg_already_closed(char *out, size_t sz, int64_t id, const char *state,
    const char *who, const char *callback);
char *msg_already_acked(char *out, size_t sz, int64_t id, const char *who,
    const char *at);
/* list: "#12 kod 3 AKUT KARD, #14 kod 4 PV ORSA" */
char *msg_which_page(char *out, size_t sz, const char *verb, const char *list);

#endif
