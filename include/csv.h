/*
 * csv.h — RFC 4180 CSV records from a buffer, for the directory imports.
 *
 * Pure: the caller owns the buffer. Handles a UTF-8 BOM, CRLF or LF, quoted
 * fields with commas, doubled quotes and line breaks inside quotes, and
 * rejects invalid UTF-8, a NUL byte and a stray quote, naming the line.
 */
#ifndef JOURD_CSV_H
#define JOURD_CSV_H

#include "common.h"

#define CSV_MAX_FIELDS 16
#define CSV_FIELD_MAX 256

struct csv_reader {
	const char	*buf;
	size_t		len;
	size_t		pos;
	int		line;		/* line of the next record (1-based) */
};

struct csv_record {
	int	line;			/* where the record starts */
	int	nfields;
	char	fields[CSV_MAX_FIELDS][CSV_FIELD_MAX];	/* trimmed of spaces */
};

/* Starts reading buf (len bytes); skips a UTF-8 byte order mark. */
void csv_init(struct csv_reader *r, const char *buf, size_t len);

/*
 * Reads the next record. Returns 1 with *rec filled, 0 at the end, or -1
 * with a reason in err (err names the line; rec->line is set). Blank lines
 * are skipped.
 */
int csv_next(struct csv_reader *r, struct csv_record *rec, char *err, size_t errsz);

#endif
