/*
 * parse.c — the SMS grammar of DESIGN §4 as one pure function.
 *
 * The message is read as white-space separated tokens between two ends:
 * `end` (trailing white space trimmed) bounds free text, `tend` (a trailing
 * run of '.' and '!' trimmed as well) bounds tokens, so "OK 3." and
 * "AKUT KARD." parse as if the period were not there while a request's
 * free text keeps its last punctuation.
 *
 * Nothing a sender typed is echoed into `error` except a short folded word,
 * and its digits are masked when the message holds an identity number.
 */
#include <stdio.h>
#include <string.h>

#include "msg.h"
#include "parse.h"
#include "phone.h"
#include "pnr.h"
#include "text.h"

/* A consult id has at most this many digits (fits an int64_t easily). */
#define PARSE_ID_DIGITS		15
/* A reply code has one to four digits. */
#define PARSE_CODE_DIGITS	4
/* A callback number needs this many digits, so "112" or "1177" never is one. */
#define PARSE_CALLBACK_DIGITS	8
/* Longest word echoed in an error. */
#define PARSE_ECHO_MAX		20

struct parse_tok {
	const char	*s;
	size_t		 n;
};

struct parse_state {
	const char		*msg;	/* the whole message */
	const char		*p;	/* next byte to read */
	const char		*end;	/* end of the message, white space trimmed */
	const char		*tend;	/* end of the last token */
	const struct parse_ctx	*ctx;
	struct sms_cmd		*cmd;
};

static void	parse_request(struct parse_state *);
static void	parse_kontakt(struct parse_state *);
static void	parse_status(struct parse_state *);
static void	parse_avbryt(struct parse_state *);
static void	parse_hjalp(struct parse_state *);
static void	parse_reply(struct parse_state *);
static void	parse_klar(struct parse_state *);
static void	parse_jour(struct parse_state *);

/* The fixed commands; track keywords come from the configuration. */
static const struct parse_entry {
	const char	*word;	/* folded */
	enum sms_verb	 verb;
	void		(*fn)(struct parse_state *);
} parse_table[] = {
	{ "KONTAKT",	SMS_KONTAKT,	parse_kontakt },
	{ "INFO",	SMS_KONTAKT,	parse_kontakt },
	{ "NR",		SMS_KONTAKT,	parse_kontakt },
	{ "STATUS",	SMS_STATUS,	parse_status },
	{ "AVBRYT",	SMS_AVBRYT,	parse_avbryt },
	{ "CANCEL",	SMS_AVBRYT,	parse_avbryt },
	{ "HJALP",	SMS_HJALP,	parse_hjalp },
	{ "HELP",	SMS_HJALP,	parse_hjalp },
	{ "?",		SMS_HJALP,	parse_hjalp },
	{ "OK",		SMS_OK,		parse_reply },
	{ "JA",		SMS_OK,		parse_reply },
	{ "KVITT",	SMS_OK,		parse_reply },
	{ "NEJ",	SMS_NEJ,	parse_reply },
	{ "AVBOJ",	SMS_NEJ,	parse_reply },
	{ "KLAR",	SMS_KLAR,	parse_klar },
	{ "JOUR",	SMS_JOUR,	parse_jour },
};

static const char *const parse_verb_names[] = {
	[SMS_EMPTY] = "empty",
	[SMS_UNKNOWN] = "unknown",
	[SMS_REQUEST] = "request",
	[SMS_KONTAKT] = "kontakt",
	[SMS_STATUS] = "status",
	[SMS_AVBRYT] = "avbryt",
	[SMS_HJALP] = "hjalp",
	[SMS_OK] = "ok",
	[SMS_NEJ] = "nej",
	[SMS_KLAR] = "klar",
	[SMS_JOUR] = "jour",
};

bool
parse_is_command_word(const char *folded)
{
	size_t	i;

	for (i = 0; i < sizeof(parse_table) / sizeof(parse_table[0]); i++)
		if (strcmp(folded, parse_table[i].word) == 0)
			return true;
	return false;
}

bool
parse_unit_code(const char *in, char out[UNIT_MAX])
{
	size_t	i;

	for (i = 0; in[i] != '\0'; i++) {
		char	c = in[i];

		if (i + 1 >= UNIT_MAX)
			return false;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '_'))
			return false;
		out[i] = c;
	}
	out[i] = '\0';
	return i > 0;
}

bool
parse_role_name(const char *in, char out[ROLE_MAX])
{
	size_t	i;

	for (i = 0; in[i] != '\0'; i++) {
		char	c = in[i];

		if (i + 1 >= ROLE_MAX)
			return false;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '_' || c == '-'))
			return false;
		out[i] = c;
	}
	out[i] = '\0';
	return i > 0;
}

static bool
parse_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	    c == '\f';
}

static bool
parse_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static void
parse_skip_space(struct parse_state *st)
{
	while (st->p < st->tend && parse_is_space(*st->p))
		st->p++;
}

/* Takes the next token; false at the end of the message. */
static bool
parse_next(struct parse_state *st, struct parse_tok *tok)
{
	parse_skip_space(st);
	if (st->p >= st->tend)
		return false;
	tok->s = st->p;
	while (st->p < st->tend && !parse_is_space(*st->p))
		st->p++;
	tok->n = (size_t)(st->p - tok->s);
	return true;
}

/* True when another token follows. */
static bool
parse_more(struct parse_state *st)
{
	parse_skip_space(st);
	return st->p < st->tend;
}

static bool
parse_is_punct(char c)
{
	return c == ',' || c == '.' || c == ':' || c == ';' || c == '!' ||
	    c == '?';
}

/*
 * Drops punctuation a sender may put after a word ("OK," "3." "KARD:"),
 * keeping at least one character so that "?" stays a word.
 */
static void
parse_strip_punct(struct parse_tok *tok)
{
	while (tok->n > 1 && parse_is_punct(tok->s[tok->n - 1]))
		tok->n--;
}

static void
parse_fold(const struct parse_tok *tok, char *out, size_t outsz)
{
	text_fold_n(tok->s, tok->n, out, outsz);
}

/* A word of the message for an error: folded, short, no identity number. */
static void
parse_echo(const struct parse_state *st, const struct parse_tok *tok,
    char *out, size_t outsz)
{
	size_t	i;

	text_fold_n(tok->s, tok->n, out, outsz);
	if (!st->cmd->has_pnr)
		return;
	for (i = 0; out[i] != '\0'; i++)
		if (parse_is_digit(out[i]))
			out[i] = 'X';
}

/*
 * Reads a number of 1..maxdigits digits, optionally after '#'. Returns 1
 * and the value, 0 when the token is no number at all (so it may be some
 * other word), -1 when it looks like one but is malformed or zero.
 */
static int
parse_number(const struct parse_tok *tok, size_t maxdigits, int64_t *out)
{
	struct parse_tok	t = *tok;
	int64_t			v = 0;
	size_t			i;

	parse_strip_punct(&t);
	if (t.n > 0 && t.s[0] == '#') {
		t.s++;
		t.n--;
	}
	/* "-1" looks like a number, so it is a bad one, not some other word. */
	if (t.n > 1 && t.s[0] == '-' && parse_is_digit(t.s[1]))
		return -1;
	if (t.n == 0 || !parse_is_digit(t.s[0]))
		return 0;
	if (t.n > maxdigits)
		return -1;
	for (i = 0; i < t.n; i++) {
		if (!parse_is_digit(t.s[i]))
			return -1;
		v = v * 10 + (t.s[i] - '0');
	}
	if (v == 0)
		return -1;
	*out = v;
	return 1;
}

static void
parse_error(struct parse_state *st, enum msg_parse what)
{
	snprintf(st->cmd->error, sizeof(st->cmd->error), "%s",
	    msg_parse_error(what));
}

/* The free text from the read position: empty when only punctuation is left. */
static void
parse_rest(struct parse_state *st, const char *end, char *out, size_t outsz)
{
	parse_skip_space(st);
	if (st->p >= st->tend) {
		out[0] = '\0';
		return;
	}
	text_clean(out, outsz, st->p, (size_t)(end - st->p));
}

static void
parse_add_unit(struct parse_state *st, const char *s, size_t n)
{
	struct sms_cmd	*cmd = st->cmd;

	text_clean(cmd->units[cmd->nunits], sizeof(cmd->units[0]), s, n);
	if (cmd->units[cmd->nunits][0] != '\0')
		cmd->nunits++;
}

/* "KARD, GER ,PSYK": units separated by commas, spaces allowed around them. */
static bool
parse_unit_list(struct parse_state *st)
{
	const char	*s, *q;
	size_t		 n;

	for (;;) {
		parse_skip_space(st);
		s = st->p;
		while (st->p < st->tend && !parse_is_space(*st->p) &&
		    *st->p != ',')
			st->p++;
		n = (size_t)(st->p - s);
		while (n > 0 && parse_is_punct(s[n - 1]))
			n--;
		if (n > 0) {
			if (st->cmd->nunits == MAX_LEGS) {
				parse_error(st, MSG_PARSE_TOO_MANY_UNITS);
				return false;
			}
			parse_add_unit(st, s, n);
		}
		q = st->p;
		while (q < st->tend && parse_is_space(*q))
			q++;
		if (q >= st->tend || *q != ',')
			return true;
		st->p = q + 1;
	}
}

/* One unit: trailing punctuation is dropped, a comma inside makes a list. */
static bool
parse_one_unit(struct parse_state *st)
{
	struct parse_tok	tok;

	if (!parse_next(st, &tok))
		return true;
	while (tok.n > 0 && parse_is_punct(tok.s[tok.n - 1]))
		tok.n--;
	if (memchr(tok.s, ',', tok.n) != NULL) {
		parse_error(st, MSG_PARSE_ONE_UNIT);
		return false;
	}
	parse_add_unit(st, tok.s, tok.n);
	return true;
}

/*
 * True when the token is a callback number: only digits, '+' and '-',
 * starting with '+' or '0', enough digits, and a valid number.
 */
static bool
parse_callback(const struct parse_tok *tok, char out[PHONE_MAX])
{
	char	buf[32];
	size_t	i, digits = 0;

	if (tok->n == 0 || tok->n >= sizeof(buf))
		return false;
	if (tok->s[0] != '+' && tok->s[0] != '0')
		return false;
	for (i = 0; i < tok->n; i++) {
		if (parse_is_digit(tok->s[i]))
			digits++;
		else if (tok->s[i] != '+' && tok->s[i] != '-')
			return false;
	}
	if (digits < PARSE_CALLBACK_DIGITS)
		return false;
	memcpy(buf, tok->s, tok->n);
	buf[tok->n] = '\0';
	return phone_normalise(buf, out) == PHONE_OK;
}

/*
 * <KW> <unit>[,<unit>…] [callback] <text>. The callback is scanned for an
 * identity number like the text: "+811218-9876" is no phone number to page.
 */
static void
parse_request(struct parse_state *st)
{
	struct sms_cmd		*cmd = st->cmd;
	struct parse_state	 save;
	struct parse_tok	 tok;
	bool			 ok, cb = false;

	if (st->ctx->tracks[cmd->track].multi_unit)
		ok = parse_unit_list(st);
	else
		ok = parse_one_unit(st);
	if (ok && cmd->nunits == 0) {
		parse_error(st, MSG_PARSE_NO_UNIT);
		ok = false;
	}
	if (!ok) {
		cmd->nunits = 0;
		return;
	}

	save = *st;
	if (parse_next(st, &tok)) {
		parse_strip_punct(&tok);
		cb = parse_callback(&tok, cmd->callback);
	}
	if (!cb) {
		cmd->callback[0] = '\0';
		*st = save;
	}
	parse_rest(st, st->end, cmd->text, sizeof(cmd->text));
}

static void
parse_kontakt(struct parse_state *st)
{
	parse_rest(st, st->tend, st->cmd->text, sizeof(st->cmd->text));
	if (st->cmd->text[0] == '\0')
		parse_error(st, MSG_PARSE_NO_KEYWORD);
}

static void
parse_status(struct parse_state *st)
{
	struct parse_tok	tok;

	if (!parse_next(st, &tok))
		return;
	if (parse_number(&tok, PARSE_ID_DIGITS, &st->cmd->consult) != 1) {
		st->cmd->consult = 0;
		parse_error(st, MSG_PARSE_BAD_ID);
	}
}

static void
parse_avbryt(struct parse_state *st)
{
	struct parse_tok	tok;

	if (!parse_next(st, &tok))
		parse_error(st, MSG_PARSE_NO_ID);
	else if (parse_number(&tok, PARSE_ID_DIGITS, &st->cmd->consult) != 1) {
		st->cmd->consult = 0;
		parse_error(st, MSG_PARSE_BAD_ID);
	}
}

static void
parse_hjalp(struct parse_state *st)
{
}

/* Reads a reply code: 1 taken, 0 no code here, -1 malformed (error set). */
static int
parse_code(struct parse_state *st, const struct parse_tok *tok)
{
	int64_t	v;
	int	rc;

	rc = parse_number(tok, PARSE_CODE_DIGITS, &v);
	if (rc == 1)
		st->cmd->code = (int)v;
	else if (rc < 0)
		parse_error(st, MSG_PARSE_BAD_CODE);
	return rc;
}

/* OK/NEJ [code] [words…]: what follows the code is a comment. */
static void
parse_reply(struct parse_state *st)
{
	struct parse_tok	tok;

	if (parse_next(st, &tok))
		parse_code(st, &tok);
}

static bool
parse_outcome(struct parse_state *st, const struct parse_tok *tok)
{
	const struct parse_ctx	*ctx = st->ctx;
	char			 w[WORD_MAX * 2], o[WORD_MAX];
	int			 i, n;

	parse_fold(tok, w, sizeof(w));
	n = ctx->noutcomes < MAX_OUTCOMES ? ctx->noutcomes : MAX_OUTCOMES;
	for (i = 0; i < n; i++) {
		text_fold_n(ctx->outcomes[i], WORD_MAX, o, sizeof(o));
		if (o[0] != '\0' && strcmp(o, w) == 0) {
			snprintf(st->cmd->outcome, sizeof(st->cmd->outcome), "%s",
			    o);
			return true;
		}
	}
	return false;
}

/*
 * KLAR [code] [outcome] in either order. A word in the outcome place that
 * is no outcome is an error when it ends the message ("KLAR 3 INLL"), and
 * the start of a comment when more words follow ("KLAR 3 ringer nu").
 */
static void
parse_klar(struct parse_state *st)
{
	struct sms_cmd		*cmd = st->cmd;
	struct parse_tok	 tok;
	char			 w[PARSE_ECHO_MAX + 1];
	int			 i;

	for (i = 0; i < 2; i++) {
		if (!parse_next(st, &tok))
			return;
		if (cmd->code == 0) {
			switch (parse_code(st, &tok)) {
			case 1:
				continue;
			case -1:
				return;
			default:
				break;
			}
		}
		if (cmd->outcome[0] != '\0')
			return;
		parse_strip_punct(&tok);
		if (parse_outcome(st, &tok))
			continue;
		if (!parse_more(st)) {
			parse_echo(st, &tok, w, sizeof(w));
			snprintf(cmd->error, sizeof(cmd->error), "%s: %s",
			    msg_parse_error(MSG_PARSE_UNKNOWN_OUTCOME), w);
		}
		return;
	}
}

/* JOUR <unit> [role]. */
static void
parse_jour(struct parse_state *st)
{
	struct sms_cmd		*cmd = st->cmd;
	struct parse_tok	 tok;

	if (!parse_next(st, &tok)) {
		parse_error(st, MSG_PARSE_NO_UNIT);
		return;
	}
	parse_strip_punct(&tok);
	parse_add_unit(st, tok.s, tok.n);
	if (parse_next(st, &tok)) {
		parse_strip_punct(&tok);
		text_clean(cmd->role, sizeof(cmd->role), tok.s, tok.n);
	}
}

/* The track whose keyword is w (folded), or -1. */
static int
parse_track(const struct parse_ctx *ctx, const char *w)
{
	char	kw[WORD_MAX];
	int	i, j, nt, nk;

	nt = ctx->ntracks < MAX_TRACKS ? ctx->ntracks : MAX_TRACKS;
	for (i = 0; i < nt; i++) {
		nk = ctx->tracks[i].nkeywords < MAX_KEYWORDS ?
		    ctx->tracks[i].nkeywords : MAX_KEYWORDS;
		for (j = 0; j < nk; j++) {
			text_fold_n(ctx->tracks[i].keywords[j], WORD_MAX, kw,
			    sizeof(kw));
			if (kw[0] != '\0' && strcmp(kw, w) == 0)
				return i;
		}
	}
	return -1;
}

void
parse_sms(const char *text, const struct parse_ctx *ctx, struct sms_cmd *out)
{
	static const struct parse_ctx	 none;
	struct parse_state		 st;
	struct parse_tok		 tok;
	const char			*t;
	char				 w[PARSE_ECHO_MAX + 1];
	char				 clean[SMS_TEXT_MAX];
	size_t				 i;
	int				 track;

	memset(out, 0, sizeof(*out));
	out->verb = SMS_EMPTY;
	out->track = -1;
	if (text == NULL)
		return;
	/* Everything below, the identity-number scan first, reads the text
	 * as text_clean() leaves it: the form that is stored and shown. */
	text_clean(clean, sizeof(clean), text, strlen(text));
	text = clean;

	memset(&st, 0, sizeof(st));
	st.msg = text;
	out->has_pnr = pnr_find(text, NULL, NULL);
	st.ctx = ctx != NULL ? ctx : &none;
	st.cmd = out;
	st.p = text;
	st.end = text + strlen(text);
	while (st.end > text && parse_is_space(st.end[-1]))
		st.end--;
	t = st.end;
	while (t > text && (t[-1] == '.' || t[-1] == '!' ||
	    parse_is_space(t[-1])))
		t--;
	/* A message that is nothing but "." keeps it, to be told it is unknown. */
	st.tend = t > text ? t : st.end;

	if (!parse_next(&st, &tok))
		return;
	parse_strip_punct(&tok);
	parse_fold(&tok, w, sizeof(w));

	for (i = 0; i < nitems(parse_table); i++) {
		if (strcmp(w, parse_table[i].word) == 0) {
			out->verb = parse_table[i].verb;
			text_copy(out->keyword, sizeof(out->keyword), w);
			parse_table[i].fn(&st);
			return;
		}
	}
	if ((track = parse_track(st.ctx, w)) >= 0) {
		out->verb = SMS_REQUEST;
		out->track = track;
		text_copy(out->keyword, sizeof(out->keyword), w);
		parse_request(&st);
		return;
	}

	out->verb = SMS_UNKNOWN;
	parse_echo(&st, &tok, w, sizeof(w));
	snprintf(out->error, sizeof(out->error), "%s: %s",
	    msg_parse_error(MSG_PARSE_UNKNOWN_COMMAND), w);
}

const char *
parse_verb_name(enum sms_verb verb)
{
	if ((size_t)verb >= nitems(parse_verb_names) ||
	    parse_verb_names[verb] == NULL)
		return "invalid";
	return parse_verb_names[verb];
}

void
parse_ctx_from_config(const struct config *cf, struct parse_ctx *p)
{
	int	i, k;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < MAX_TRACKS; i++) {
		for (k = 0; k < cf->tracks[i].nkeywords; k++)
			text_copy(p->tracks[i].keywords[k], WORD_MAX,
			    cf->tracks[i].keywords[k]);
		p->tracks[i].nkeywords = cf->tracks[i].nkeywords;
		p->tracks[i].multi_unit = i == TRACK_MDK;
	}
	p->ntracks = MAX_TRACKS;
	for (i = 0; i < cf->noutcomes; i++)
		text_copy(p->outcomes[i], WORD_MAX, cf->outcomes[i]);
	p->noutcomes = cf->noutcomes;
}
