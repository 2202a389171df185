/*
 * json.c — a streaming JSON writer that keeps its own commas.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "jtime.h"

void
json_init(struct json *j, FILE *fp, bool pretty)
{
	memset(j, 0, sizeof(*j));
	j->fp = fp;
	j->pretty = pretty;
}

static void
json_indent(struct json *j, int depth)
{
	int	i;

	if (!j->pretty)
		return;
	fputc('\n', j->fp);
	for (i = 0; i < depth; i++)
		fputs("  ", j->fp);
}

/* Writes the separator a value needs here; false (error set) when none may. */
static bool
json_before_value(struct json *j)
{
	if (j->error || j->done) {
		j->error = true;
		return false;
	}
	if (j->depth == 0)
		return true;
	if (j->object[j->depth - 1]) {
		if (!j->want_value) {
			j->error = true;
			return false;
		}
		j->want_value = false;
		return true;
	}
	if (!j->empty[j->depth - 1])
		fputc(',', j->fp);
	json_indent(j, j->depth);
	j->empty[j->depth - 1] = false;
	return true;
}

static void
json_after_value(struct json *j)
{
	if (j->depth == 0)
		j->done = true;
}

/*
 * Length of the well-formed UTF-8 sequence at s (at most n bytes), or 0
 * when the bytes there are not one (overlong, surrogate, truncated, > U+10FFFF).
 */
static size_t
json_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char	lo = 0x80, hi = 0xbf;
	size_t		len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (n < len)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

void
json_write_string(FILE *fp, const char *str)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 n = strlen(str), len;

	fputc('"', fp);
	while (n > 0) {
		if (*s == '"' || *s == '\\') {
			fputc('\\', fp);
			fputc(*s, fp);
			len = 1;
		} else if (*s < 0x20 || *s == 0x7f) {
			fprintf(fp, "\\u%04x", *s);
			len = 1;
		} else if ((len = json_utf8_len(s, n)) == 0) {
			/* One invalid byte at a time, so resynchronisation is quick. */
			fputs("\\ufffd", fp);
			len = 1;
		} else
			fwrite(s, 1, len, fp);
		s += len;
		n -= len;
	}
	fputc('"', fp);
}

static void
json_begin(struct json *j, bool object)
{
	if (!json_before_value(j))
		return;
	if (j->depth >= JSON_MAX_DEPTH) {
		j->error = true;
		return;
	}
	fputc(object ? '{' : '[', j->fp);
	j->object[j->depth] = object;
	j->empty[j->depth] = true;
	j->depth++;
}

static void
json_end(struct json *j, bool object)
{
	if (j->error)
		return;
	if (j->depth == 0 || j->object[j->depth - 1] != object || j->want_value) {
		j->error = true;
		return;
	}
	j->depth--;
	if (!j->empty[j->depth])
		json_indent(j, j->depth);
	fputc(object ? '}' : ']', j->fp);
	json_after_value(j);
}

void
json_object_begin(struct json *j)
{
	json_begin(j, true);
}

void
json_object_end(struct json *j)
{
	json_end(j, true);
}

void
json_array_begin(struct json *j)
{
	json_begin(j, false);
}

void
json_array_end(struct json *j)
{
	json_end(j, false);
}

void
json_key(struct json *j, const char *key)
{
	if (j->error)
		return;
	if (j->depth == 0 || !j->object[j->depth - 1] || j->want_value ||
	    key == NULL) {
		j->error = true;
		return;
	}
	if (!j->empty[j->depth - 1])
		fputc(',', j->fp);
	json_indent(j, j->depth);
	j->empty[j->depth - 1] = false;
	json_write_string(j->fp, key);
	fputs(j->pretty ? ": " : ":", j->fp);
	j->want_value = true;
}

void
json_string(struct json *j, const char *s)
{
	if (s == NULL) {
		json_null(j);
		return;
	}
	if (!json_before_value(j))
		return;
	json_write_string(j->fp, s);
	json_after_value(j);
}

void
json_int(struct json *j, int64_t v)
{
	if (!json_before_value(j))
		return;
	fprintf(j->fp, "%" PRId64, v);
	json_after_value(j);
}

void
json_double(struct json *j, double v)
{
	if (!isfinite(v)) {
		json_null(j);
		return;
	}
	if (!json_before_value(j))
		return;
	/* Avoid "-0.000", which is valid but reads as a bug. */
	if (v > -0.0005 && v < 0.0005)
		v = 0.0;
	fprintf(j->fp, "%.3f", v);
	json_after_value(j);
}

void
json_null(struct json *j)
{
	if (!json_before_value(j))
		return;
	fputs("null", j->fp);
	json_after_value(j);
}

void
json_bool(struct json *j, bool v)
{
	if (!json_before_value(j))
		return;
	fputs(v ? "true" : "false", j->fp);
	json_after_value(j);
}

void
json_kv_string(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_string(j, s);
}

void
json_kv_int(struct json *j, const char *key, int64_t v)
{
	json_key(j, key);
	json_int(j, v);
}

void
json_kv_double(struct json *j, const char *key, double v)
{
	json_key(j, key);
	json_double(j, v);
}

void
json_kv_null(struct json *j, const char *key)
{
	json_key(j, key);
	json_null(j);
}

void
json_kv_time(struct json *j, const char *key, jtime_t t)
{
	char	buf[40];

	if (t == 0)
		json_kv_null(j, key);
	else
		json_kv_string(j, key, jtime_iso(t, buf, sizeof(buf)));
}

void
json_kv_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	json_bool(j, v);
}

int
json_finish(struct json *j)
{
	if (j->error || !j->done)
		return -1;
	fputc('\n', j->fp);
	if (fflush(j->fp) == EOF || ferror(j->fp))
		return -1;
	return 0;
}
