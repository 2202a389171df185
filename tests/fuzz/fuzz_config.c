/*
 * fuzz_config.c — config_load_string and the value parsers on any input:
 * no crash, and an error always comes with a message naming the file. The
 * same text is also read from a file (config_load's bounded line reader):
 * it must reach the same verdict with the same message, unless a line is
 * longer than the reader's buffer, which the file reader refuses outright.
 */
#include <sys/mman.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "jtime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Far below the file reader's buffer, leaving room for blanks and CR LF. */
#define FUZZ_LINE_MAX	3000

static bool
fuzz_has_long_line(const char *text)
{
	const char	*nl;

	for (; (nl = strchr(text, '\n')) != NULL; text = nl + 1)
		if (nl - text > FUZZ_LINE_MAX)
			return true;
	return strlen(text) > FUZZ_LINE_MAX;
}

/* Loads text from a memory file and compares with the string's verdict. */
static void
fuzz_file(const char *text, int want_rc, const char *want_err)
{
	static struct config	cf;
	char			path[64], err[512];
	size_t			len = strlen(text), plen;
	int			fd, rc;

	if ((fd = memfd_create("fuzz.conf", MFD_CLOEXEC)) == -1)
		return;
	if (write(fd, text, len) != (ssize_t)len) {
		close(fd);
		return;
	}
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	rc = config_load(path, &cf, err, sizeof err);
	close(fd);
	plen = strlen(path);
	if (rc != 0 && strncmp(err, path, plen) != 0)
		abort();
	if (fuzz_has_long_line(text))
		return;
	/* The messages differ only in the file name. */
	if (rc != want_rc || (rc != 0 && strcmp(err + plen, want_err +
	    strlen("fuzz.conf")) != 0))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config	cf;
	struct open_rule	o;
	char			err[512];
	char			*text;
	jtime_t			d;
	int			rc;

	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	if ((rc = config_load_string("fuzz.conf", text, &cf, err,
	    sizeof err)) == 0) {
		if (err[0] != '\0')
			abort();
		(void)config_track_by_keyword(&cf, "AKUT");
	} else if (strncmp(err, "fuzz.conf:", 10) != 0)
		abort();
	fuzz_file(text, rc, err);

	d = config_parse_duration(text);
	if (d < -1 || d > JTIME_SPAN_MAX || d != jtime_parse_span(text))
		abort();
	/* --since shares the grammar: a span back from now, never ahead. */
	{
		jtime_t	now = (jtime_t)1795305600 * 1000, t;

		if (jtime_parse_since(text, now, &t) == 0 && d >= 0 &&
		    t != now - d)
			abort();
	}
	if (config_parse_open(text, &o) == 0 &&
	    (o.from_min < 0 || o.from_min >= o.to_min || o.to_min > 1440))
		abort();
	free(text);
	return 0;
}
