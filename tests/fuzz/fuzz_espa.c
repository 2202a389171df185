/*
 * fuzz_espa.c — libFuzzer target for the ESPA 4.4.4 parser and page texts.
 *
 * Whatever the paging system sends: every byte is consumed, a call that
 * consumes nothing has a result (so the caller's loop ends), results and
 * states stay in range, the parser's block never outgrows ESPA_BLOCK_MAX,
 * and a status carries a valid call address and a known mapping of its
 * code. Feeding the same bytes one at a time gives the same results as
 * feeding them whole. The input read as a page text encodes to at most 128
 * bytes that may stand on the line (7-bit for ascii), espa_cut agrees with
 * the encoder, and the page block built from it has a good BCC.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "espa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Checks one result and the parser's state after it. */
static void
fuzz_espa_check(const struct espa_parser *p, const struct espa_event *ev)
{
	if (p->state > ESPA_S_SKIP_BCC || p->len > ESPA_BLOCK_MAX ||
	    p->enqs > ESPA_ENQ_STORM + 1)
		abort();
	if (ev->type < ESPA_R_NONE || ev->type > ESPA_R_LAST)
		abort();
	if (ev->digit < -1 || ev->digit > 9)
		abort();
	if (ev->type != ESPA_R_ENQ && ev->type != ESPA_R_ENQ_STORM &&
	    ev->type != ESPA_R_NAK && ev->digit != -1)
		abort();
	if (ev->type != ESPA_R_STATUS)
		return;
	if (!espa_call_valid(ev->call) || ev->code < 0 || ev->code > 999)
		abort();
	if ((ev->code == 3 || ev->code == 4 || ev->code == 6 ||
	    ev->code == 8) ? (int)ev->status != ev->code :
	    ev->status != ESPA_ST_UNKNOWN)
		abort();
	if (strcmp(espa_status_name(ev->status), "") == 0)
		abort();
}

/* Feeds size bytes in pieces of step; returns the results in out. */
static size_t
fuzz_espa_run(const uint8_t *data, size_t size, size_t step,
    struct espa_event *out)
{
	struct espa_parser	 p;
	struct espa_event	 ev;
	size_t			 off = 0, n = 0, piece, used, calls = 0;

	espa_init(&p);
	while (off < size) {
		piece = size - off < step ? size - off : step;
		used = espa_feed(&p, data + off, piece, &ev);
		if (used > piece || (used == 0 && ev.type == ESPA_R_NONE))
			abort();
		fuzz_espa_check(&p, &ev);
		off += used;
		if (ev.type != ESPA_R_NONE) {
			if (n > size)
				abort();	/* at most one result a byte */
			out[n++] = ev;
		}
		if (++calls > 2 * size + 1)
			abort();
	}
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct espa_event	*whole, *bytes;
	uint8_t			 text[ESPA_TEXT_MAX], page[ESPA_PAGE_MAX];
	struct espa_parser	 p;
	struct espa_event	 ev;
	size_t			 nw, nb, i, k, n, used;
	bool			 cut;
	int			 cs;

	whole = calloc(size + 1, sizeof(*whole));
	bytes = calloc(size + 1, sizeof(*bytes));
	if (whole == NULL || bytes == NULL)
		abort();
	nw = fuzz_espa_run(data, size, size ? size : 1, whole);
	nb = fuzz_espa_run(data, size, 1, bytes);
	if (nw != nb)
		abort();
	for (i = 0; i < nw; i++)
		if (whole[i].type != bytes[i].type ||
		    whole[i].digit != bytes[i].digit ||
		    whole[i].code != bytes[i].code ||
		    strcmp(whole[i].call, bytes[i].call) != 0)
			abort();
	free(whole);
	free(bytes);

	for (cs = ESPA_LATIN1; cs <= ESPA_ASCII; cs++) {
		n = espa_encode(text, sizeof(text), (const char *)data, size,
		    (enum espa_charset)cs, &cut);
		if (n > ESPA_TEXT_MAX || (cut && n != ESPA_TEXT_MAX))
			abort();
		for (i = 0; i < n; i++)
			if (text[i] < 0x20 || text[i] == 0x7F ||
			    (text[i] >= 0x80 && (cs == ESPA_ASCII ||
			    text[i] <= 0x9F)))
				abort();
		k = espa_cut((const char *)data, size, n);
		if (k > size || (!cut && k != size))
			abort();
		if (espa_encode(text, sizeof(text), (const char *)data, k,
		    (enum espa_charset)cs, &cut) != n || cut)
			abort();
		if (n == 0)
			continue;
		/* The page block reads back as one block with a good BCC. */
		k = espa_build_page(page, sizeof(page), "1234567890123456",
		    text, n, 1 + (int)(size % 9));
		if (k == 0 || k > ESPA_PAGE_MAX)
			abort();
		espa_init(&p);
		used = espa_feed(&p, page, k, &ev);
		if (used != k || ev.type != ESPA_R_BAD_BLOCK)
			abort();
	}
	return 0;
}
