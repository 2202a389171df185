/*
 * bench_pipeline — inbound SMS per second through jourd's own pipeline:
 * parsed, routed, committed (synchronous=FULL, as in production) and
 * answered, with the modem worker replaced by an in-process fake that
 * only counts what the parent tells it.
 *
 *	bench_pipeline CONF N [requests] [BATCH]
 *
 * CONF is a jourd configuration whose database is fresh (the directory
 * and roster are imported from conf/sample/). The workload, for N
 * requests: N "AKUT <unit> ..." from requesters in the directory, then an
 * "OK <code>" from each paged doctor, a "KLAR <code> RAD" for each, and a
 * STATUS for every tenth: 3.1 N SMS in all. With "requests" only the
 * requests are sent and the consults stay open (for the memory figure).
 * BATCH (default 1) is how many SMS arrive together, as when a sweep finds
 * several on the phone: jourd stores them in one transaction.
 * Prints one line: SMS, seconds, SMS per second, committed, answered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "calendar.h"
#include "config.h"
#include "db.h"
#include "import.h"
#include "jourd.h"
#include "jtime.h"
#include "log.h"
#include "parse.h"
#include "store.h"
#include "text.h"

static long	bench_committed, bench_retried;

/* The fake modem worker: what the parent would have sent it. */
void
worker_send(struct route *r, enum ipc_type type, const void *p, size_t len)
{
	if (type == IPC_SMS_COMMITTED)
		bench_committed++;
	else if (type == IPC_SMS_RETRY)
		bench_retried++;
}

/* Nothing is sent: the answers stay queued, counted at the end. */
bool
worker_idle(const struct route *r)
{
	return false;
}

bool
worker_any_idle(struct jourd *j)
{
	return false;
}

struct route *
worker_by_name(struct jourd *j, const char *name)
{
	return NULL;
}

/*
 * The dispatcher's view of the fake route: healthy and alone. It is never
 * idle, so no attempt is made and none succeeds or fails.
 */
bool
failover_healthy(const struct route *r)
{
	return true;
}

bool
failover_other(struct jourd *j, const struct route *r, const char *kind)
{
	return false;
}

void
failover_healthy_names(struct jourd *j, const char *kind, char *buf,
    size_t sz)
{
	snprintf(buf, sz, "|%s|", j->routes[0].name);
}

void
failover_sent(struct route *r)
{
}

void
failover_send_failed(struct route *r, const char *why)
{
}

/* No event loop runs here: timers and status rows are not needed. */
void
jourd_rearm(struct jourd *j)
{
}

void
jourd_set_status(struct jourd *j, const char *key, const char *value)
{
}

struct timeval
jourd_tv(jtime_t ms)
{
	struct timeval	tv = { ms / 1000, (ms % 1000) * 1000 };

	return tv;
}

static double
bench_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct ipc_sms_in	 bench_batch[INBOUND_BATCH_MAX];
static const struct ipc_sms_in	*bench_ptrs[INBOUND_BATCH_MAX];
static int			 bench_n, bench_size = 1;

static void
bench_flush(struct jourd *j)
{
	if (bench_n > 0)
		inbound_sms_batch(&j->routes[0], bench_ptrs, bench_n);
	bench_n = 0;
}

static void
bench_sms(struct jourd *j, uint32_t token, const char *from, const char *text)
{
	struct ipc_sms_in	*m = &bench_batch[bench_n];

	memset(m, 0, sizeof(*m));
	m->token = token;
	/* Each SMS its own SMSC second: no two are the same message. */
	m->smsc_time = (jtime_t)1767222000000 + (jtime_t)token * 1000;
	text_copy(m->sender, sizeof(m->sender), from);
	m->concat_ref = -1;
	m->parts = m->parts_total = 1;
	m->sms_class = -1;
	text_copy(m->text, sizeof(m->text), text);
	bench_ptrs[bench_n++] = m;
	if (bench_n >= bench_size)
		bench_flush(j);
}

/* Open pages: who was paged and with which code, one per consult. */
static int
bench_pages(struct jourd *j, char (*to)[PHONE_MAX], int *code, int max)
{
	sqlite3_stmt	*st;
	int		 n = 0;

	if (sqlite3_prepare_v2(db_handle(j->db), "SELECT to_phone, code FROM "
	    "pages WHERE closed_at IS NULL GROUP BY consult_id", -1, &st,
	    NULL) != SQLITE_OK)
		return 0;
	while (n < max && sqlite3_step(st) == SQLITE_ROW) {
		text_copy(to[n], PHONE_MAX, (const char *)sqlite3_column_text(st,
		    0));
		code[n++] = sqlite3_column_int(st, 1);
	}
	sqlite3_finalize(st);
	return n;
}

int
main(int argc, char *argv[])
{
	static const char *const requesters[] = { "+46701740605",
	    "+46701740606", "+46701740608", "+46701740609" };
	static const char *const units[] = { "KARD", "MED", "KIR", "ORT",
	    "BARN", "NEURO" };
	static struct jourd	 jd;
	struct jourd		*j = &jd;
	char			 err[1024], text[256], (*to)[PHONE_MAX];
	const char		*kinds[] = { "units", "people", "roster" };
	int			 n, i, k, npages, count, *code;
	uint32_t		 token = 0;
	bool			 only_requests;
	double			 t0, t1;
	long			 answered;

	if (argc < 3) {
		fprintf(stderr, "usage: bench_pipeline CONF N [requests]\n");
		return 2;
	}
	n = atoi(argv[2]);
	only_requests = argc > 3 && strcmp(argv[3], "requests") == 0;
	if (argc > 4)
		bench_size = atoi(argv[4]);
	if (bench_size < 1 || bench_size > INBOUND_BATCH_MAX)
		bench_size = 1;
	jtime_zone();
	log_init("bench", 1, 0);
	if (config_load(argv[1], &j->cf, err, sizeof(err)) == -1 ||
	    (j->db = db_open(j->cf.database, err, sizeof(err))) == NULL) {
		fprintf(stderr, "bench_pipeline: %s\n", err);
		return 1;
	}
	/* As jourd does at start: the codes consults.outcome may hold. */
	if (store_outcomes(j->db, &j->cf) == -1) {
		fprintf(stderr, "bench_pipeline: the outcome codes\n");
		return 1;
	}
	for (k = 0; k < 3; k++) {
		snprintf(text, sizeof(text), "conf/sample/%s.csv", kinds[k]);
		if (import_csv(j->db, kinds[k], text, &count, err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "bench_pipeline: %s\n", err);
			return 1;
		}
	}
	parse_ctx_from_config(&j->cf, &j->pctx);
	calendar_from_config(&j->cal, &j->cf);
	j->base = event_base_new();
	j->due_timer = evtimer_new(j->base, NULL, NULL);
	/* The fake worker's route: what it is told is counted, and the
	 * outbox rows stay queued (worker_idle above). */
	j->nroutes = 1;
	j->routes[0].j = j;
	j->routes[0].pid = -1;
	j->routes[0].fd = -1;
	if ((to = calloc((size_t)n, sizeof(*to))) == NULL ||
	    (code = calloc((size_t)n, sizeof(*code))) == NULL)
		return 1;

	t0 = bench_now();
	for (i = 0; i < n; i++) {
		snprintf(text, sizeof(text), "AKUT %s bench-%d bröstsmärta, "
		    "ring mig", units[i % 6], i);
		bench_sms(j, ++token, requesters[i % 4], text);
	}
	bench_flush(j);
	t1 = bench_now();
	npages = only_requests ? 0 : bench_pages(j, to, code, n);
	t0 -= bench_now() - t1;		/* the look-up is not jourd's work */
	for (i = 0; i < npages; i++) {
		snprintf(text, sizeof(text), "OK %d", code[i]);
		bench_sms(j, ++token, to[i], text);
	}
	bench_flush(j);
	for (i = 0; i < npages; i++) {
		snprintf(text, sizeof(text), "KLAR %d RAD", code[i]);
		bench_sms(j, ++token, to[i], text);
	}
	bench_flush(j);
	for (i = 0; !only_requests && i < n / 10; i++)
		bench_sms(j, ++token, requesters[i % 4], "STATUS");
	bench_flush(j);
	t1 = bench_now();

	answered = (long)db_int64(j->db, "SELECT count(*) FROM outbox");
	printf("pipeline: %u sms in %.3f s = %.0f sms/s, committed %ld, "
	    "retried %ld, outbox %ld, consults %lld\n", token, t1 - t0,
	    (double)token / (t1 - t0), bench_committed, bench_retried, answered,
	    (long long)db_int64(j->db, "SELECT count(*) FROM consults"));
	free(to);
	free(code);
	event_free(j->due_timer);
	event_base_free(j->base);
	db_close(j->db);
	return bench_committed == (long)token ? 0 : 1;
}
