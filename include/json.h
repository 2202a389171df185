/*
 * json.h — a small streaming JSON writer for jourctl --json.
 *
 * The writer tracks nesting and commas itself: callers emit keys and values
 * in order and never write punctuation. Strings are escaped (", \ and every
 * control character as \u00XX); valid UTF-8 passes through and each invalid
 * byte becomes U+FFFD, so the output is always valid JSON in UTF-8. Misuse
 * (a value where a key is due, too deep a nesting, an unbalanced end) sets
 * the error flag instead of writing broken output.
 */
#ifndef JOURD_JSON_H
#define JOURD_JSON_H

#include <stdio.h>

#include "common.h"

#define JSON_MAX_DEPTH 32

struct json {
	FILE	*fp;
	bool	 pretty;			/* newlines and two-space indents */
	int	 depth;
	bool	 object[JSON_MAX_DEPTH];	/* the container at each level */
	bool	 empty[JSON_MAX_DEPTH];		/* nothing written in it yet */
	bool	 want_value;			/* a key was written */
	bool	 done;				/* the top-level value is complete */
	bool	 error;				/* misuse or a write error */
};

/* Starts a document written to fp; the caller owns fp. */
void	json_init(struct json *j, FILE *fp, bool pretty);

/* Ends the document (newline); 0 when it was complete and well-formed, else -1. */
int	json_finish(struct json *j);

void	json_object_begin(struct json *j);
void	json_object_end(struct json *j);
void	json_array_begin(struct json *j);
void	json_array_end(struct json *j);
void	json_key(struct json *j, const char *key);

/* A string value; NULL writes null. */
void	json_string(struct json *j, const char *s);
void	json_int(struct json *j, int64_t v);
/* Three decimals; NaN and infinities write null (JSON has no such numbers). */
void	json_double(struct json *j, double v);
void	json_null(struct json *j);
void	json_bool(struct json *j, bool v);

/* A key and its value in one call. */
void	json_kv_string(struct json *j, const char *key, const char *s);
void	json_kv_int(struct json *j, const char *key, int64_t v);
void	json_kv_double(struct json *j, const char *key, double v);
void	json_kv_null(struct json *j, const char *key);
void	json_kv_bool(struct json *j, const char *key, bool v);
/* An instant as ISO 8601 with the Stockholm offset (jtime_iso); 0 is null. */
void	json_kv_time(struct json *j, const char *key, jtime_t t);

/* Writes s as a quoted, escaped JSON string to fp (no structure tracking). */
void	json_write_string(FILE *fp, const char *s);

#endif
