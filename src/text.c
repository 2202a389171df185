/*
 * text.c — UTF-8 helpers for matching what people type on a phone.
 *
 * Everything works on bounded input: a NUL always ends a string, and a
 * multi-byte sequence is only read as far as its continuation bytes go, so
 * a truncated sequence at the end of a buffer is never read past.
 */
#include <string.h>

#include "text.h"

#define TEXT_BAD	0xFFFFFFFFu

/*
 * Base letters for U+00C0..U+00FF; 0 where the code point has no plain
 * ASCII letter (Æ, Ð, ×, Þ, ß, æ, ð, ÷, þ).
 */
static const char text_latin1[64] = {
	/* C0 À Á Â Ã Ä Å Æ Ç */ 'A', 'A', 'A', 'A', 'A', 'A', 0, 'C',
	/* C8 È É Ê Ë Ì Í Î Ï */ 'E', 'E', 'E', 'E', 'I', 'I', 'I', 'I',
	/* D0 Ð Ñ Ò Ó Ô Õ Ö × */ 0, 'N', 'O', 'O', 'O', 'O', 'O', 0,
	/* D8 Ø Ù Ú Û Ü Ý Þ ß */ 'O', 'U', 'U', 'U', 'U', 'Y', 0, 0,
	/* E0 à á â ã ä å æ ç */ 'A', 'A', 'A', 'A', 'A', 'A', 0, 'C',
	/* E8 è é ê ë ì í î ï */ 'E', 'E', 'E', 'E', 'I', 'I', 'I', 'I',
	/* F0 ð ñ ò ó ô õ ö ÷ */ 0, 'N', 'O', 'O', 'O', 'O', 'O', 0,
	/* F8 ø ù ú û ü ý þ ÿ */ 'O', 'U', 'U', 'U', 'U', 'Y', 0, 'Y',
};

/*
 * Decodes one code point from at most avail bytes at s into *cp (TEXT_BAD
 * for an invalid or truncated sequence) and returns the bytes consumed,
 * which is 1 for anything invalid so that the caller resynchronises on the
 * next byte. A NUL stops a sequence because it is no continuation byte.
 */
static size_t
text_decode(const unsigned char *s, size_t avail, uint32_t *cp)
{
	uint32_t	c, min;
	size_t		need, i;

	if (avail == 0) {
		*cp = TEXT_BAD;
		return 0;
	}
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		need = 2;
		min = 0x80;
		c &= 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 3;
		min = 0x800;
		c &= 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 4;
		min = 0x10000;
		c &= 0x07;
	} else {
		*cp = TEXT_BAD;
		return 1;
	}
	for (i = 1; i < need; i++) {
		if (i >= avail || (s[i] & 0xC0) != 0x80) {
			*cp = TEXT_BAD;
			return 1;
		}
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
		*cp = TEXT_BAD;
		return 1;
	}
	*cp = c;
	return need;
}

/* The one ASCII byte a code point folds to. */
static char
text_fold_cp(uint32_t cp)
{
	if (cp == TEXT_BAD)
		return '?';
	if (cp < 0x80) {
		if (cp >= 'a' && cp <= 'z')
			return (char)(cp - 'a' + 'A');
		return (char)cp;
	}
	if (cp >= 0xC0 && cp <= 0xFF && text_latin1[cp - 0xC0] != 0)
		return text_latin1[cp - 0xC0];
	return '?';
}

size_t
text_fold_n(const char *in, size_t inlen, char *out, size_t outsz)
{
	const unsigned char	*s = (const unsigned char *)in;
	size_t			 pos = 0, n = 0, k;
	uint32_t		 cp;

	if (outsz == 0)
		return 0;
	if (in == NULL) {
		out[0] = '\0';
		return 0;
	}
	while (pos < inlen && s[pos] != '\0' && n + 1 < outsz) {
		k = text_decode(s + pos, inlen - pos, &cp);
		out[n++] = text_fold_cp(cp);
		pos += k;
	}
	out[n] = '\0';
	return n;
}

size_t
text_fold(const char *in, char *out, size_t outsz)
{
	return text_fold_n(in, SIZE_MAX, out, outsz);
}

bool
text_equal_folded(const char *a, const char *b)
{
	const unsigned char	*p = (const unsigned char *)a;
	const unsigned char	*q = (const unsigned char *)b;
	uint32_t		 ca, cb;

	if (a == NULL || b == NULL)
		return a == b;
	for (;;) {
		if (*p == '\0' || *q == '\0')
			return *p == *q;
		p += text_decode(p, SIZE_MAX, &ca);
		q += text_decode(q, SIZE_MAX, &cb);
		if (text_fold_cp(ca) != text_fold_cp(cb))
			return false;
	}
}

bool
text_valid_utf8(const char *s, size_t len)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 pos = 0;
	uint32_t		 cp;

	if (s == NULL)
		return len == 0;
	while (pos < len) {
		pos += text_decode(u + pos, len - pos, &cp);
		if (cp == TEXT_BAD)
			return false;
	}
	return true;
}

/*
 * The largest n <= max such that the first n bytes of s do not end inside
 * a multi-byte sequence that continues past them.
 */
static size_t
text_boundary(const unsigned char *s, size_t max)
{
	size_t	k, lead, need;

	/* A sequence is at most four bytes: look back no further than three. */
	for (k = 1; k <= 3 && k <= max; k++) {
		lead = max - k;
		if ((s[lead] & 0xC0) == 0x80)
			continue;
		if (s[lead] >= 0xC2 && s[lead] <= 0xDF)
			need = 2;
		else if (s[lead] >= 0xE0 && s[lead] <= 0xEF)
			need = 3;
		else if (s[lead] >= 0xF0 && s[lead] <= 0xF4)
			need = 4;
		else
			return max;
		return lead + need > max ? lead : max;
	}
	return max;
}

size_t
text_copy(char *out, size_t outsz, const char *in)
{
	size_t	n;

	if (outsz == 0)
		return 0;
	if (in == NULL) {
		out[0] = '\0';
		return 0;
	}
	n = strnlen(in, outsz);
	if (n == outsz)
		n = text_boundary((const unsigned char *)in, outsz - 1);
	memcpy(out, in, n);
	out[n] = '\0';
	return n;
}

size_t
text_codepoints(const char *s)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 n = 0;
	uint32_t		 cp;

	if (s == NULL)
		return 0;
	while (*u != '\0') {
		u += text_decode(u, SIZE_MAX, &cp);
		n++;
	}
	return n;
}

static bool
text_is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	    c == '\f';
}

size_t
text_clean(char *out, size_t outsz, const char *in, size_t inlen)
{
	const unsigned char	*s = (const unsigned char *)in;
	size_t			 pos = 0, n = 0, k;
	uint32_t		 cp;
	bool			 space = false;

	if (outsz == 0)
		return 0;
	out[0] = '\0';
	if (in == NULL)
		return 0;
	while (pos < inlen && s[pos] != '\0') {
		if (text_is_space(s[pos])) {
			space = n > 0;
			pos++;
			continue;
		}
		k = text_decode(s + pos, inlen - pos, &cp);
		/* The pending space and the whole sequence must fit, or stop. */
		if (n + (space ? 1 : 0) + k >= outsz)
			break;
		if (space)
			out[n++] = ' ';
		space = false;
		if (cp == TEXT_BAD || cp < 0x20 || cp == 0x7F)
			out[n++] = '?';
		else {
			memcpy(out + n, s + pos, k);
			n += k;
		}
		pos += k;
	}
	out[n] = '\0';
	return n;
}
