/*
 * fuzz_pnr.c — libFuzzer target for pnr_find() and pnr_mask().
 *
 * Masking keeps the length when the text fits, turns every digit of every
 * number found into 'X', changes nothing else, and leaves no number behind.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pnr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Marks the bytes of every number pnr_find reports; returns how many. */
static int
fuzz_spans(const char *text, size_t tlen, char *mark)
{
	size_t	pos = 0, off, len, i;
	int	count = 0;

	memset(mark, 0, tlen);
	while (pos <= tlen && pnr_find(text + pos, &off, &len)) {
		off += pos;
		/* 10 or 12 digits and at most four joins of three separators. */
		if (len < 10 || len > 24 || off + len > tlen)
			abort();
		/* A number never touches another digit. */
		if ((off > 0 && text[off - 1] >= '0' && text[off - 1] <= '9') ||
		    (text[off + len] >= '0' && text[off + len] <= '9'))
			abort();
		for (i = off; i < off + len; i++)
			mark[i] = 1;
		count++;
		pos = off + len;
	}
	return count;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t	 sizes[] = { 0, 1, 7, 12, 64, 0 };
	char	*text, *mark, *out;
	size_t	 tlen, i, k, n;
	int	 count, masked;

	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	tlen = strlen(text);
	mark = malloc(tlen + 1);
	out = malloc(tlen + 2);
	if (mark == NULL || out == NULL)
		abort();
	count = fuzz_spans(text, tlen, mark);
	sizes[nitems(sizes) - 1] = tlen + 1;

	for (k = 0; k < nitems(sizes); k++) {
		memset(out, 'Z', tlen + 2);
		masked = pnr_mask(text, out, sizes[k]);
		if (masked != count)
			abort();
		if (sizes[k] == 0) {
			if (out[0] != 'Z')
				abort();
			continue;
		}
		n = strnlen(out, sizes[k]);
		if (n >= sizes[k] || n > tlen)
			abort();
		if (sizes[k] > tlen && n != tlen)
			abort();
		/* Cut at most a partial UTF-8 sequence (3 bytes) short. */
		if (sizes[k] <= tlen && n + 3 < sizes[k] - 1)
			abort();
		for (i = 0; i < n; i++) {
			if (mark[i] && text[i] >= '0' && text[i] <= '9') {
				if (out[i] != 'X')
					abort();
			} else if (out[i] != text[i])
				abort();
		}
		if (n == tlen && pnr_find(out, NULL, NULL))
			abort();
	}
	free(out);
	free(mark);
	free(text);
	return 0;
}
