/*
 * fuzz_config.c — config_load_string and the value parsers on any input:
 * no crash, and an error always comes with a message naming the file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config	cf;
	struct open_rule	o;
	char			err[512];
	char			*text;
	jtime_t			d;

	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	if (config_load_string("fuzz.conf", text, &cf, err, sizeof err) == 0) {
		if (err[0] != '\0')
			abort();
		(void)config_track_by_keyword(&cf, "AKUT");
	} else if (strncmp(err, "fuzz.conf:", 10) != 0)
		abort();

	d = config_parse_duration(text);
	if (d < -1)
		abort();
	if (config_parse_open(text, &o) == 0 &&
	    (o.from_min < 0 || o.from_min >= o.to_min || o.to_min > 1440))
		abort();
	free(text);
	return 0;
}
