/*
 * text.c — UTF-8 helpers for matching what people type on a phone.
 *
 * Everything works on bounded input: a NUL always ends a string, and a
 * multi-byte sequence is only read as far as its continuation bytes go, so
 * a truncated sequence at the end of a buffer is never read past.
 */
#include <stdlib.h>
#include <string.h>

#include "text.h"

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

size_t
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

uint64_t
text_hash_more(uint64_t h, const char *s)
{
	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

uint64_t
text_hash(const char *s)
{
	return text_hash_more(TEXT_HASH_BASIS, s);
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

/* U+FFFD stands for what cannot be shown: invalid bytes, controls. */
#define TEXT_REPLACEMENT	0xFFFDu
#define TEXT_REPLACEMENT_UTF8	"\xEF\xBF\xBD"

/* What text_clean does with a code point from U+0080 on. */
enum text_kind {
	TEXT_SPACE,	/* white space of any kind: one ' ' */
	TEXT_DASH,	/* a dash, hyphen or minus: '-' */
	TEXT_DROP,	/* an invisible format character: nothing */
	TEXT_CONTROL,	/* a control character: U+FFFD */
	TEXT_ASCII	/* a digit or compatibility form: the ASCII `to` */
};

struct text_range {
	uint32_t	first, last;
	uint8_t		kind;		/* enum text_kind */
	char		to;		/* TEXT_ASCII: what `first` reads as;
					   the next code points count on */
};

struct text_expansion {
	uint32_t	cp;
	char		to[5];		/* "10" for ⑩, "(1)" for ⑴ */
};

struct text_composition {
	uint16_t	base, mark, composed;
};

#include "text_unicode.h"

/* bsearch comparators: a code point against a range, an expansion. */
static int
text_range_cmp(const void *key, const void *elem)
{
	uint32_t			 cp = *(const uint32_t *)key;
	const struct text_range		*r = elem;

	return cp < r->first ? -1 : cp > r->last ? 1 : 0;
}

static int
text_expansion_cmp(const void *key, const void *elem)
{
	uint32_t			 cp = *(const uint32_t *)key;
	const struct text_expansion	*e = elem;

	return cp < e->cp ? -1 : cp > e->cp ? 1 : 0;
}

/* The range holding cp, or NULL. */
static const struct text_range *
text_range_of(uint32_t cp)
{
	return bsearch(&cp, text_ranges, nitems(text_ranges),
	    sizeof(text_ranges[0]), text_range_cmp);
}

/* The ASCII text a code point expands to ("10" for ⑩), or NULL. */
static const char *
text_expansion_of(uint32_t cp)
{
	const struct text_expansion	*e;

	e = bsearch(&cp, text_expansions, nitems(text_expansions),
	    sizeof(text_expansions[0]), text_expansion_cmp);
	return e != NULL ? e->to : NULL;
}

/* The precomposed letter for base + combining mark, or 0. */
static uint32_t
text_compose(uint32_t base, uint32_t mark)
{
	size_t	i;

	for (i = 0; i < nitems(text_compositions); i++)
		if (text_compositions[i].base == base &&
		    text_compositions[i].mark == mark)
			return text_compositions[i].composed;
	return 0;
}

/* Writes cp as UTF-8 into buf (at least 4 bytes); returns the length. */
static size_t
text_encode(uint32_t cp, char *buf)
{
	if (cp < 0x80) {
		buf[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		buf[0] = (char)(0xC0 | (cp >> 6));
		buf[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		buf[0] = (char)(0xE0 | (cp >> 12));
		buf[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		buf[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	buf[0] = (char)(0xF0 | (cp >> 18));
	buf[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	buf[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	buf[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* The output of text_clean while it is written. */
struct text_out {
	char		*buf;
	size_t		 size, n;
	bool		 space;		/* a space is due before the next text */
	uint32_t	 last;		/* the last code point written, or 0 */
	size_t		 last_at;	/* where it starts in buf */
};

/* Appends len bytes (one code point, cp) after any pending space; false when
 * they do not fit, which ends the text. */
static bool
text_put(struct text_out *o, uint32_t cp, const char *s, size_t len)
{
	if (o->n + (o->space ? 1 : 0) + len >= o->size)
		return false;
	if (o->space)
		o->buf[o->n++] = ' ';
	o->space = false;
	o->last = cp;
	o->last_at = o->n;
	memcpy(o->buf + o->n, s, len);
	o->n += len;
	return true;
}

/* Writes one decoded code point (raw: its bytes in the input). */
static bool
text_put_cp(struct text_out *o, uint32_t cp, const char *raw, size_t rawlen)
{
	const struct text_range	*r;
	const char		*x;
	char			 c, enc[4];
	uint32_t		 composed;
	size_t			 i, saved;

	if (cp == TEXT_BAD)
		return text_put(o, TEXT_REPLACEMENT, TEXT_REPLACEMENT_UTF8, 3);
	if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\v' ||
	    cp == '\f') {
		o->space = o->n > 0;
		return true;
	}
	if (cp < 0x20 || cp == 0x7F)
		return text_put(o, TEXT_REPLACEMENT, TEXT_REPLACEMENT_UTF8, 3);
	if (cp < 0x80)
		return text_put(o, cp, raw, rawlen);
	/* A letter typed as base + combining mark is the precomposed letter. */
	if (cp >= 0x300 && cp <= 0x36F && !o->space && o->last != 0 &&
	    (composed = text_compose(o->last, cp)) != 0) {
		saved = o->n;
		o->n = o->last_at;
		if (text_put(o, composed, enc, text_encode(composed, enc)))
			return true;
		o->n = saved;
		return false;
	}
	if ((x = text_expansion_of(cp)) != NULL) {
		for (i = 0; x[i] != '\0'; i++)
			if (!text_put(o, (unsigned char)x[i], x + i, 1))
				return false;
		return true;
	}
	if ((r = text_range_of(cp)) == NULL)
		return text_put(o, cp, raw, rawlen);
	switch ((enum text_kind)r->kind) {
	case TEXT_SPACE:
		o->space = o->n > 0;
		return true;
	case TEXT_DASH:
		return text_put(o, '-', "-", 1);
	case TEXT_DROP:
		return true;
	case TEXT_CONTROL:
		return text_put(o, TEXT_REPLACEMENT, TEXT_REPLACEMENT_UTF8, 3);
	case TEXT_ASCII:
		c = (char)(r->to + (int)(cp - r->first));
		return text_put(o, (unsigned char)c, &c, 1);
	}
	return text_put(o, cp, raw, rawlen);
}

size_t
text_clean(char *out, size_t outsz, const char *in, size_t inlen)
{
	const unsigned char	*s = (const unsigned char *)in;
	struct text_out		 o;
	size_t			 pos = 0, k;
	uint32_t		 cp;

	if (outsz == 0)
		return 0;
	out[0] = '\0';
	if (in == NULL)
		return 0;
	memset(&o, 0, sizeof(o));
	o.buf = out;
	o.size = outsz;
	while (pos < inlen && s[pos] != '\0') {
		k = text_decode(s + pos, inlen - pos, &cp);
		if (!text_put_cp(&o, cp, in + pos, k))
			break;
		pos += k;
	}
	out[o.n] = '\0';
	return o.n;
}
