/*
 * fuzz_parse.c — libFuzzer target for parse_sms() and text_fold().
 *
 * Besides the sanitizers it checks what callers rely on: every field of
 * the command is terminated and bounded, free-text fields are valid UTF-8,
 * and has_pnr says exactly whether the message, as text_clean() reads it,
 * holds an identity number.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "pnr.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct parse_ctx	fuzz_ctx;

static void
fuzz_word(char *dst, const char *src)
{
	text_copy(dst, WORD_MAX, src);
}

static void
fuzz_setup(void)
{
	static const char	*const outcomes[] = {
		"INL", "RAD", "REM", "AKM", "HEM", "MDK"
	};
	size_t			 i;

	fuzz_word(fuzz_ctx.tracks[0].keywords[0], "AKUT");
	fuzz_word(fuzz_ctx.tracks[0].keywords[1], "ACUTE");
	fuzz_ctx.tracks[0].nkeywords = 2;
	fuzz_word(fuzz_ctx.tracks[1].keywords[0], "HALV");
	fuzz_word(fuzz_ctx.tracks[1].keywords[1], "HALVAKUT");
	fuzz_word(fuzz_ctx.tracks[1].keywords[2], "SEMI");
	fuzz_ctx.tracks[1].nkeywords = 3;
	fuzz_word(fuzz_ctx.tracks[2].keywords[0], "MDK");
	fuzz_ctx.tracks[2].nkeywords = 1;
	fuzz_ctx.tracks[2].multi_unit = true;
	fuzz_word(fuzz_ctx.tracks[3].keywords[0], "PV");
	fuzz_ctx.tracks[3].nkeywords = 1;
	fuzz_ctx.ntracks = 4;
	for (i = 0; i < nitems(outcomes); i++)
		fuzz_word(fuzz_ctx.outcomes[i], outcomes[i]);
	fuzz_ctx.noutcomes = (int)nitems(outcomes);
}

/* A bounded, terminated field that is valid UTF-8. */
static void
fuzz_field(const char *s, size_t sz)
{
	size_t	n = strnlen(s, sz);

	if (n >= sz || !text_valid_utf8(s, n))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sms_cmd	 cmd;
	static char		 clean[SMS_TEXT_MAX];
	char			*msg, small[8];
	size_t			 n, i;
	int			 u;

	if (fuzz_ctx.ntracks == 0)
		fuzz_setup();
	if ((msg = malloc(size + 1)) == NULL)
		return 0;
	memcpy(msg, data, size);
	msg[size] = '\0';

	parse_sms(msg, &fuzz_ctx, &cmd);
	if ((int)cmd.verb < SMS_EMPTY || cmd.verb > SMS_JOUR)
		abort();
	if (strcmp(parse_verb_name(cmd.verb), "invalid") == 0)
		abort();
	if (cmd.verb == SMS_REQUEST &&
	    (cmd.track < 0 || cmd.track >= fuzz_ctx.ntracks))
		abort();
	if (cmd.nunits < 0 || cmd.nunits > MAX_LEGS)
		abort();
	for (u = 0; u < cmd.nunits; u++) {
		fuzz_field(cmd.units[u], UNIT_MAX);
		if (cmd.units[u][0] == '\0')
			abort();
	}
	fuzz_field(cmd.keyword, WORD_MAX);
	fuzz_field(cmd.callback, PHONE_MAX);
	fuzz_field(cmd.text, SMS_TEXT_MAX);
	fuzz_field(cmd.outcome, WORD_MAX);
	fuzz_field(cmd.role, ROLE_MAX);
	fuzz_field(cmd.error, sizeof(cmd.error));
	if (cmd.callback[0] != '\0' && cmd.callback[0] != '+')
		abort();
	if (cmd.code < 0 || cmd.code > 9999 || cmd.consult < 0)
		abort();
	text_clean(clean, sizeof(clean), msg, size);
	if (cmd.has_pnr != pnr_find(clean, NULL, NULL))
		abort();
	if (cmd.verb == SMS_EMPTY && (cmd.has_pnr || cmd.error[0] != '\0'))
		abort();

	/* The unit and role rules: what they accept is what they promise,
	 * and what they write is a fixed point of them. */
	{
		char	code[UNIT_MAX], again[UNIT_MAX], role[ROLE_MAX];
		size_t	k;

		if (parse_unit_code(msg, code)) {
			for (k = 0; code[k] != '\0'; k++)
				if (!((code[k] >= 'A' && code[k] <= 'Z') ||
				    (code[k] >= '0' && code[k] <= '9') ||
				    code[k] == '_'))
					abort();
			if (k == 0 || k >= UNIT_MAX || strlen(msg) != k ||
			    !parse_unit_code(code, again) ||
			    strcmp(code, again) != 0)
				abort();
		}
		if (parse_role_name(msg, role)) {
			for (k = 0; role[k] != '\0'; k++)
				if (!((role[k] >= 'a' && role[k] <= 'z') ||
				    (role[k] >= '0' && role[k] <= '9') ||
				    role[k] == '_' || role[k] == '-'))
					abort();
			if (k == 0 || k >= ROLE_MAX || strlen(msg) != k)
				abort();
		}
		(void)parse_is_command_word(msg);
	}

	/* Folding into a small buffer stays in bounds and in ASCII. */
	n = text_fold(msg, small, sizeof(small));
	if (n >= sizeof(small) || strlen(small) != n)
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)small[i] >= 0x80)
			abort();
	free(msg);
	return 0;
}
