/*
 * csv.c — RFC 4180 records from a buffer, for the directory imports.
 *
 * Pure: reads only the caller's buffer. Every byte is checked as it is
 * scanned, so an error names the line it is on even inside a quoted field
 * that spans lines. A record ends at LF, CRLF or a lone CR.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "csv.h"

void
csv_init(struct csv_reader *r, const char *buf, size_t len)
{
	r->buf = buf;
	r->len = len;
	r->pos = 0;
	r->line = 1;
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		r->pos = 3;
}

/* Length of the well-formed UTF-8 sequence at p (n bytes left); 0 if bad. */
static size_t
csv_utf8_len(const unsigned char *p, size_t n)
{
	size_t		len, i;
	uint32_t	cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		cp = p[0] & 0x07;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

static bool
csv_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Length of the line break at pos: 2 for CRLF, 1 for LF or CR, else 0. */
static size_t
csv_newline(const struct csv_reader *r, size_t pos)
{
	if (pos >= r->len)
		return 0;
	if (r->buf[pos] == '\n')
		return 1;
	if (r->buf[pos] == '\r')
		return pos + 1 < r->len && r->buf[pos + 1] == '\n' ? 2 : 1;
	return 0;
}

/* Fails with "line N: [field F: ]reason"; the reader then stays at the end. */
static int csv_fail(struct csv_reader *, int, int, char *, size_t,
    const char *, ...) __attribute__((format(printf, 6, 7)));

static int
csv_fail(struct csv_reader *r, int line, int field, char *err, size_t errsz,
    const char *fmt, ...)
{
	va_list	ap;
	int	n;

	if (err != NULL && errsz > 0) {
		if (field > 0)
			n = snprintf(err, errsz, "line %d: field %d: ", line,
			    field);
		else
			n = snprintf(err, errsz, "line %d: ", line);
		if (n >= 0 && (size_t)n < errsz) {
			va_start(ap, fmt);
			vsnprintf(err + n, errsz - (size_t)n, fmt, ap);
			va_end(ap);
		}
	}
	r->pos = r->len;
	return -1;
}

/* Skips lines holding nothing but blanks; false at the end of the buffer. */
static bool
csv_skip_blank_lines(struct csv_reader *r)
{
	size_t	p, nl;

	while (r->pos < r->len) {
		for (p = r->pos; p < r->len && csv_is_blank(r->buf[p]); p++)
			;
		if (p == r->len) {
			r->pos = p;
			return false;
		}
		if ((nl = csv_newline(r, p)) == 0)
			return true;
		r->pos = p + nl;
		r->line++;
	}
	return false;
}

int
csv_next(struct csv_reader *r, struct csv_record *rec, char *err, size_t errsz)
{
	const unsigned char	*b = (const unsigned char *)r->buf;
	char			*out;
	size_t			 len, n, nl, keep;
	int			 field;
	bool			 quoted;

	memset(rec, 0, sizeof *rec);
	if (err != NULL && errsz > 0)
		err[0] = '\0';
	if (!csv_skip_blank_lines(r))
		return 0;
	rec->line = r->line;

	for (;;) {
		/* One field starts here. */
		if (rec->nfields == CSV_MAX_FIELDS)
			return csv_fail(r, r->line, 0, err, errsz, "too many "
			    "fields (at most %d)", CSV_MAX_FIELDS);
		field = rec->nfields + 1;
		out = rec->fields[rec->nfields++];
		len = 0;
		keep = 0;	/* length without trailing blanks */
		while (r->pos < r->len && csv_is_blank(r->buf[r->pos]))
			r->pos++;
		quoted = r->pos < r->len && r->buf[r->pos] == '"';
		if (quoted)
			r->pos++;

		for (;;) {
			if (r->pos >= r->len) {
				if (quoted)
					return csv_fail(r, r->line, field, err,
					    errsz, "unterminated quoted field");
				break;
			}
			if (b[r->pos] == '\0')
				return csv_fail(r, r->line, field, err, errsz,
				    "NUL byte");
			if (quoted && b[r->pos] == '"') {
				if (r->pos + 1 < r->len && b[r->pos + 1] == '"') {
					r->pos++;	/* a doubled quote: one '"' */
				} else {
					r->pos++;
					break;
				}
			} else if (!quoted && (b[r->pos] == ',' ||
			    csv_newline(r, r->pos) != 0))
				break;
			else if (!quoted && b[r->pos] == '"')
				return csv_fail(r, r->line, field, err, errsz,
				    "stray quote in an unquoted field");

			if ((nl = csv_newline(r, r->pos)) != 0) {
				/* A line break inside quotes is kept as LF. */
				if (len + 1 >= CSV_FIELD_MAX)
					return csv_fail(r, r->line, field, err,
					    errsz, "field too long (at most %d "
					    "bytes)", CSV_FIELD_MAX - 1);
				r->pos += nl;
				r->line++;
				out[len++] = '\n';
				keep = len;
				continue;
			}
			if (b[r->pos] < 0x20 && b[r->pos] != '\t')
				return csv_fail(r, r->line, field, err, errsz,
				    "control character 0x%02x", b[r->pos]);
			if ((n = csv_utf8_len(b + r->pos, r->len - r->pos)) == 0)
				return csv_fail(r, r->line, field, err, errsz,
				    "invalid UTF-8");
			if (len + n >= CSV_FIELD_MAX)
				return csv_fail(r, r->line, field, err, errsz,
				    "field too long (at most %d bytes)",
				    CSV_FIELD_MAX - 1);
			memcpy(out + len, b + r->pos, n);
			len += n;
			r->pos += n;
			if (quoted || !csv_is_blank(out[len - 1]))
				keep = len;
		}
		out[keep] = '\0';

		if (quoted) {
			/* Only blanks may sit between the closing quote and ','. */
			while (r->pos < r->len && csv_is_blank(r->buf[r->pos]))
				r->pos++;
			if (r->pos < r->len && r->buf[r->pos] != ',' &&
			    csv_newline(r, r->pos) == 0)
				return csv_fail(r, r->line, field, err, errsz,
				    "text after a closing quote");
		}
		if (r->pos < r->len && r->buf[r->pos] == ',') {
			r->pos++;
			continue;
		}
		if ((nl = csv_newline(r, r->pos)) != 0) {
			r->pos += nl;
			r->line++;
		}
		return 1;
	}
}
