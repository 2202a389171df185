/*
 * fuzz_text.c — libFuzzer target for text_clean(), the one normalisation of
 * what people type.
 *
 * Whatever the input: the output is valid UTF-8 without control characters,
 * never starts or ends with a space nor holds two in a row, fits the buffer,
 * and cleaning it again changes nothing (so the identity-number scan and
 * the stored text see the same bytes). Masking the cleaned text leaves no
 * number for the scan to find.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pnr.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t	 sizes[] = { 1, 2, 5, 17, 160, 4096 };
	char			 out[4096], again[4096], masked[4096];
	size_t			 k, n, i;

	for (k = 0; k < nitems(sizes); k++) {
		memset(out, 'Z', sizeof(out));
		n = text_clean(out, sizes[k], (const char *)data, size);
		if (n >= sizes[k] || out[n] != '\0' || strlen(out) != n)
			abort();
		if (!text_valid_utf8(out, n))
			abort();
		for (i = 0; i < n; i++) {
			unsigned char c = (unsigned char)out[i];

			if (c < 0x20 || c == 0x7F)
				abort();
			/* C1 controls are U+0080..U+009F: C2 80..C2 9F. */
			if (c == 0xC2 && i + 1 < n &&
			    (unsigned char)out[i + 1] <= 0x9F)
				abort();
			if (c == ' ' && (i == 0 || i + 1 == n || out[i + 1] == ' '))
				abort();
		}
		if (text_clean(again, sizeof(again), out, n) != n ||
		    memcmp(again, out, n) != 0)
			abort();
		pnr_mask(out, masked, sizeof(masked));
		if (pnr_find(masked, NULL, NULL))
			abort();
	}
	return 0;
}
