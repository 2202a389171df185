/*
 * fuzz_phone.c — libFuzzer target for phone_normalise() and phone_display().
 *
 * An accepted number is E.164, normalises to itself, and what is displayed
 * for it reads back to the same number.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "phone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t	 sizes[] = { 0, 1, 5, 14, 32 };
	char			*in, out[PHONE_MAX], again[PHONE_MAX];
	char			 shown[32];
	enum phone_result	 r;
	size_t			 i, n;

	if ((in = malloc(size + 1)) == NULL)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';

	r = phone_normalise(in, out);
	n = strnlen(out, PHONE_MAX);
	if (n >= PHONE_MAX)
		abort();
	if (r != PHONE_OK && n != 0)
		abort();
	if (r == PHONE_OK) {
		if (out[0] != '+' || n < 8 || out[1] == '0')
			abort();
		for (i = 1; i < n; i++)
			if (out[i] < '0' || out[i] > '9')
				abort();
		if (phone_normalise(out, again) != PHONE_OK ||
		    strcmp(out, again) != 0)
			abort();
		phone_display(out, shown, sizeof(shown));
		if (phone_normalise(shown, again) != PHONE_OK ||
		    strcmp(out, again) != 0)
			abort();
	}

	/* Any string, any buffer size: bounded and terminated. */
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(shown, 'Z', sizeof(shown));
		phone_display(in, shown, sizes[i]);
		if (sizes[i] == 0 && shown[0] != 'Z')
			abort();
		if (sizes[i] > 0 && strnlen(shown, sizes[i]) >= sizes[i])
			abort();
	}
	free(in);
	return 0;
}
