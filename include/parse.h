/*
 * parse.h — the SMS grammar of DESIGN §4 as one pure function.
 *
 * parse_sms() takes the text of one (linked) SMS and the keyword tables from
 * the configuration and fills a struct sms_cmd. It never fails: text it
 * cannot understand becomes SMS_UNKNOWN with a short reason in `error`, and a
 * request with a missing or malformed part keeps its verb with `error` set,
 * so the caller can answer with the usage of that very command.
 *
 * The text is first read through text_clean() (text.h): digits of every
 * script, every space and dash, decomposed letters. Keywords are matched
 * after text_fold(): case and diacritics do not matter,
 * extra spaces and a trailing '.' or '!' are tolerated (a request's free
 * text keeps its final punctuation; every other field ignores it).
 *
 * Details: an MDK unit list may have spaces around its commas; punctuation
 * after a word (',' '.' ':' ';' '!' '?') is dropped from units, codes and
 * ids. A callback is the token after the unit(s) when it holds only digits,
 * '+' and '-', starts with '+' or '0', has at least 8 digits and normalises
 * to E.164 — otherwise it is part of the text. A reply code is 1..4
 * digits, optionally after '#'; words after it are a comment. KLAR takes
 * code and outcome in either order; a word in the outcome place that is no
 * configured outcome is an error when it ends the message and the start of
 * an ignored comment otherwise.
 * `error` is short Swedish for the sender (e.g. "enhet saknas"); it echoes at
 * most one folded word of the message, with its digits masked when the
 * message holds an identity number.
 */
#ifndef JOURD_PARSE_H
#define JOURD_PARSE_H

#include "common.h"
#include "config.h"

enum sms_verb {
	SMS_EMPTY,	/* nothing but white space */
	SMS_UNKNOWN,	/* not understood: reply with help */
	SMS_REQUEST,	/* AKUT/HALV/MDK/PV … : a consult request on `track` */
	SMS_KONTAKT,	/* KONTAKT/INFO/NR <query> */
	SMS_STATUS,	/* STATUS [consult] */
	SMS_AVBRYT,	/* AVBRYT/CANCEL <consult> */
	SMS_HJALP,	/* HJÄLP/HJALP/HELP/? */
	SMS_OK,		/* OK/JA/KVITT [code] */
	SMS_NEJ,	/* NEJ/AVBÖJ [code] */
	SMS_KLAR,	/* KLAR [code] [outcome] */
	SMS_JOUR	/* JOUR <unit> [role] */
};

/* Track keywords and outcome codes, from the configuration. */
struct parse_track {
	char	keywords[MAX_KEYWORDS][WORD_MAX];	/* folded, upper case */
	int	nkeywords;
	bool	multi_unit;	/* MDK: a comma-separated list of units */
};

struct parse_ctx {
	struct parse_track	tracks[MAX_TRACKS];	/* index = enum track_id */
	int			ntracks;
	char			outcomes[MAX_OUTCOMES][WORD_MAX];	/* folded */
	int			noutcomes;
};

struct sms_cmd {
	enum sms_verb	verb;
	int		track;		/* SMS_REQUEST: index into parse_ctx.tracks; else -1 */
	char		keyword[WORD_MAX];	/* the keyword as folded, for replies */

	/* SMS_REQUEST, SMS_JOUR: units as typed (trimmed, original case). */
	char		units[MAX_LEGS][UNIT_MAX];
	int		nunits;

	char		callback[PHONE_MAX];	/* E.164, "" when none was given */
	char		text[SMS_TEXT_MAX];	/* request free text; KONTAKT query */

	int64_t		consult;	/* STATUS, AVBRYT: consult id; 0 = none */
	int		code;		/* OK, NEJ, KLAR: reply code; 0 = none */
	char		outcome[WORD_MAX];	/* KLAR: folded outcome code, "" = none */
	char		role[ROLE_MAX];	/* JOUR: role, "" = the first one */

	bool		has_pnr;	/* the message holds a personal identity number
					   (any verb, anywhere, the callback too) */
	char		error[96];	/* "" when the command is well-formed */
};

/* Parses text (NUL-terminated UTF-8) into *out. */
void parse_sms(const char *text, const struct parse_ctx *ctx, struct sms_cmd *out);

/*
 * Whether a folded word (text_fold) is one of the grammar's fixed command
 * words ("OK", "HJALP", "?" …), which a track keyword must not shadow.
 */
bool	parse_is_command_word(const char *folded);

/*
 * The one rule for unit codes, of the directory's import and of the
 * configuration: 1 to UNIT_MAX - 1 of A-Z, 0-9 and '_', typed in either
 * case and written to out upper-cased (in and out may be the same). False,
 * with out unspecified, for anything else.
 */
bool	parse_unit_code(const char *in, char out[UNIT_MAX]);

/*
 * The one rule for role names, of the configuration, the roster import and
 * JOUR: 1 to ROLE_MAX - 1 of a-z, 0-9, '_' and '-', typed in either case
 * and written to out lower-cased (in and out may be the same).
 */
bool	parse_role_name(const char *in, char out[ROLE_MAX]);

/* The name of a verb, for logs and events ("request", "ok", …). */
const char *parse_verb_name(enum sms_verb verb);

/* The context a configuration gives: its keywords and outcome codes. */
void	parse_ctx_from_config(const struct config *cf, struct parse_ctx *p);

#endif
