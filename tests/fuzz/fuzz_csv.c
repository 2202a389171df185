/*
 * fuzz_csv.c — the CSV reader must end on any input, never read out of
 * bounds, and hand out only bounded, NUL-terminated fields.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv_reader	 r;
	struct csv_record	 rec;
	char			 err[128];
	char			*copy;
	int			 rc, i, last = 0, n = 0;

	/* An exact-size copy lets the sanitizer catch a read past the end. */
	if ((copy = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	csv_init(&r, copy, size);
	while ((rc = csv_next(&r, &rec, err, sizeof err)) == 1) {
		if (rec.nfields < 1 || rec.nfields > CSV_MAX_FIELDS ||
		    rec.line <= last || r.line < rec.line)
			abort();
		for (i = 0; i < rec.nfields; i++)
			if (memchr(rec.fields[i], '\0', CSV_FIELD_MAX) == NULL)
				abort();
		last = rec.line;
		if (++n > (int)size + 1)
			abort();	/* records must consume input */
	}
	if (rc == -1 && (err[0] == '\0' || strncmp(err, "line ", 5) != 0))
		abort();
	free(copy);
	return 0;
}
