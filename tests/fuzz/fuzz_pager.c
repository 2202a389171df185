/*
 * fuzz_pager.c — libFuzzer target for the pager worker's ESPA exchanges.
 *
 * The input is a script for the machine (pager_link_*): bytes from the
 * paging system, pages from the parent, time passing, the line going down
 * and coming back, in any order. Whatever happens: every message to the
 * parent passes ipc_check(); nothing is written while the line is down;
 * no page is answered twice; and once the paging system falls silent and
 * time runs on, every page has had exactly one answer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "ipc.h"
#include "log.h"
#include "pager.h"

#define FUZZ_PAGES	64

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct config	 cf;
static struct pager_link lk;

/* What the machine did in one run. */
static struct {
	int	pages;			/* handed to pager_link_page() */
	int	answered[FUZZ_PAGES];	/* results per outbox id - 1 */
	size_t	written;
} run;

static void
fuzz_line(void *arg, const uint8_t *buf, size_t len)
{
	if (lk.phase == PAGER_DOWN || len == 0 || len > ESPA_PAGE_MAX)
		abort();
	run.written += len;
}

static void
fuzz_parent(void *arg, enum ipc_type type, const void *payload, size_t len)
{
	struct ipc_hdr			 hdr = { .type = type,
	    .len = (uint32_t)len };
	const struct ipc_send_result	*r = payload;

	if (!ipc_check(&hdr, payload))
		abort();
	if (type == IPC_SEND_RESULT) {
		if (r->outbox_id < 1 || r->outbox_id > run.pages ||
		    ++run.answered[r->outbox_id - 1] > 1)
			abort();
	} else if (type != IPC_MODEM_STATE && type != IPC_PAGER_STATUS)
		abort();
}

static const struct pager_link_ops fuzz_ops = {
	.line = fuzz_line,
	.parent = fuzz_parent,
};

/* Canned answers that reach deep states sooner than random bytes. */
static const struct {
	const char	*bytes;
	size_t		 len;
} fuzz_canned[] = {
#define C(s)	{ s, sizeof(s) - 1 }
	C("\x06"), C("\x15"), C("1\x15"), C("\x04"), C("1\x05"),
	/* status 3 for 4711, its BCC good and bad; status 6 for 9 */
	C("\x01" "2\x02" "1\x1f" "4711\x1e" "7\x1f" "3\x03" "\x1b"),
	C("\x01" "2\x02" "1\x1f" "4711\x1e" "7\x1f" "3\x03" "\x00"),
	C("\x01" "2\x02" "1\x1f" "9\x1e" "7\x1f" "6\x03" "\x24"),
#undef C
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* The machine logs every step: keep libFuzzer's stderr readable. */
	FILE	*null = fopen("/dev/null", "w");

	if (null != NULL)
		stderr = null;
	log_init("fuzz_pager", 1, 0);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipc_page	pg;
	jtime_t		now = 0, due;
	size_t		i = 0, n, k;
	uint8_t		op;
	int		step;

	config_defaults(&cf);
	cf.pager.enabled = true;
	cf.pager.poll = 2000;
	cf.pager.reply_timeout = 3000;
	if (size > 0)
		cf.pager.data_bits = data[0] & 1 ? 7 : 8;
	if (size > 0)
		cf.pager.charset = data[0] & 2 ? CHARSET_ASCII :
		    CHARSET_LATIN1;
	memset(&run, 0, sizeof(run));
	pager_link_init(&lk, &cf.pager, &fuzz_ops, NULL, now);

	for (i = size > 0 ? 1 : 0; i < size; ) {
		op = data[i++];
		switch (op % 8) {
		case 0:		/* bytes from the paging system */
			n = i < size ? data[i++] % 48 : 0;
			if (n > size - i)
				n = size - i;
			pager_link_input(&lk, data + i, n, now);
			i += n;
			break;
		case 1:		/* time passes */
			now += (i < size ? data[i++] : 0) * 50;
			pager_link_tick(&lk, now);
			break;
		case 2:		/* a page from the parent */
			if (run.pages == FUZZ_PAGES)
				break;
			memset(&pg, 0, sizeof(pg));
			pg.outbox_id = ++run.pages;
			snprintf(pg.address, sizeof(pg.address), "%u",
			    (unsigned)(op >> 3) + 1);
			pg.priority = 1 + (op >> 3) % 9;
			n = i < size ? data[i++] % 40 : 0;
			if (n > size - i)
				n = size - i;
			for (k = 0; k < n; k++)
				pg.text[k] = data[i + k] != 0 ?
				    (char)data[i + k] : ' ';
			i += n;
			pager_link_page(&lk, &pg, now);
			break;
		case 3:
			pager_link_down(&lk, "line lost: fuzz", now);
			break;
		case 4:
			if (lk.phase == PAGER_DOWN)
				pager_link_opened(&lk, now);
			break;
		case 5:		/* exactly at the next deadline */
			if ((due = pager_link_due(&lk)) != INT64_MAX &&
			    due > now)
				now = due;
			pager_link_tick(&lk, now);
			break;
		case 6:
			k = (op >> 3) % nitems(fuzz_canned);
			pager_link_input(&lk, (const uint8_t *)
			    fuzz_canned[k].bytes, fuzz_canned[k].len, now);
			break;
		case 7:
			pager_link_tick(&lk, ++now);
			break;
		}
		if (lk.phase != PAGER_DOWN && lk.phase != PAGER_IDLE &&
		    lk.deadline > now + cf.pager.reply_timeout)
			abort();
	}

	/* The paging system falls silent: every page must end. */
	for (step = 0; step < 4 * PAGER_TRIES + 4; step++) {
		if ((due = pager_link_due(&lk)) == INT64_MAX)
			break;
		if (due > now)
			now = due;
		pager_link_tick(&lk, now);
	}
	if (lk.busy)
		abort();
	for (k = 0; k < (size_t)run.pages; k++)
		if (run.answered[k] != 1)
			abort();
	return 0;
}
