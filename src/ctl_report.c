/*
 * ctl_report.c — jourctl report: response times and rates per track, unit
 * or responder, the numbers the region follows its contact paths by.
 *
 * What is counted: every consult created in [since, until) except rejected
 * ones (refused requests that never reached anyone; their number is given
 * beside the total). By track, each consult counts once with its own times.
 * By unit, a consult counts once per unit it paged, with that leg's
 * acknowledgement, step and pages. By responder, a consult counts once per
 * person who acknowledged a leg of it, with their acknowledgement time.
 *
 * By month, each consult counts once in the calendar month (Stockholm
 * time) of its creation.
 *
 * Percentiles are nearest-rank: the p-th percentile of n sorted values is
 * the ceil(p/100 * n)-th smallest, an observed value, never interpolated.
 * With one value every percentile is that value; with none it is empty.
 *
 * After the rows comes a summary that ties the outcome codes to the
 * region's measurable goals (DESIGN §1); see report_goals.
 *
 * This file uses nothing from the other jourctl files so that its unit test
 * can link it alone with the library.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ctl.h"
#include "jtime.h"
#include "text.h"

static const char sql_report_track[] =
    "SELECT c.track, c.created_at, c.acked_at,"
    " CASE WHEN c.state = 'resolved' THEN c.resolved_at END,"
    " c.state = 'unanswered', c.max_step > 0, c.pages_sent, c.outcome"
    " FROM consults c WHERE c.state <> 'rejected'"
    " AND (?1 IS NULL OR c.created_at >= ?1) AND c.created_at < ?2"
    " ORDER BY 1, c.id";
/* As by track, keyed by creation time: the month is computed in C. */
static const char sql_report_month[] =
    "SELECT c.created_at, c.created_at, c.acked_at,"
    " CASE WHEN c.state = 'resolved' THEN c.resolved_at END,"
    " c.state = 'unanswered', c.max_step > 0, c.pages_sent, c.outcome"
    " FROM consults c WHERE c.state <> 'rejected'"
    " AND (?1 IS NULL OR c.created_at >= ?1) AND c.created_at < ?2"
    " ORDER BY c.created_at, c.id";
static const char sql_report_unit[] =
    "SELECT l.unit, c.created_at, l.acked_at,"
    " CASE WHEN c.state = 'resolved' THEN c.resolved_at END,"
    " l.state = 'unanswered', l.step > 0,"
    " (SELECT count(*) FROM pages p WHERE p.consult_id = c.id"
    " AND p.leg = l.idx), c.outcome"
    " FROM legs l JOIN consults c ON c.id = l.consult_id"
    " WHERE c.state <> 'rejected'"
    " AND (?1 IS NULL OR c.created_at >= ?1) AND c.created_at < ?2"
    " AND l.idx = (SELECT min(l2.idx) FROM legs l2"
    " WHERE l2.consult_id = l.consult_id AND l2.unit = l.unit)"
    " ORDER BY 1, c.id";
static const char sql_report_responder[] =
    "SELECT l.acked_by, c.created_at, min(l.acked_at),"
    " CASE WHEN c.state = 'resolved' THEN c.resolved_at END,"
    " 0, max(l.step) > 0, c.pages_sent, c.outcome"
    " FROM legs l JOIN consults c ON c.id = l.consult_id"
    " WHERE l.acked_by IS NOT NULL AND l.acked_at IS NOT NULL"
    " AND c.state <> 'rejected'"
    " AND (?1 IS NULL OR c.created_at >= ?1) AND c.created_at < ?2"
    " GROUP BY c.id, l.acked_by ORDER BY 1, c.id";
static const char sql_report_rejected[] =
    "SELECT count(*) FROM consults WHERE state = 'rejected'"
    " AND (?1 IS NULL OR created_at >= ?1) AND created_at < ?2";
static const char sql_unit_name[] =
    "SELECT name FROM units WHERE code = ?";
static const char sql_responder_name[] =
    "SELECT name FROM people WHERE phone = ?";

/*
 * The region's goals an outcome speaks to. A goal counts the consults
 * resolved with any of its outcome codes; codes not configured count 0.
 * Direct admissions, advice given and cases finished at home all keep a
 * patient out of the emergency department; a referral and a visit to the
 * emergency department are what the contact paths aim to make fewer.
 */
static const struct report_goal {
	const char	*key;		/* JSON */
	const char	*text;		/* table */
	const char	*codes[4];
} report_goals[] = {
	{ "direct_admissions", "direct admissions", { "INL" } },
	{ "referrals_avoided", "referrals avoided: advice instead",
	    { "RAD" } },
	{ "referrals_written", "referrals written (goal: fewer)", { "REM" } },
	{ "ed_visits_avoided", "emergency-department visits avoided",
	    { "INL", "RAD", "HEM" } },
	{ "ed_visits", "sent to the emergency department (goal: fewer)",
	    { "AKM" } },
	{ "finished_by_ambulance_or_at_home",
	    "finished by the ambulance or at home", { "HEM" } },
	{ "conferences", "moved to a multidisciplinary conference",
	    { "MDK" } },
};

struct report {
	struct report_row	*rows;
	size_t			 nrows, cap;
	struct report_row	 total;
	int64_t			 rejected;
};

static int
report_cmp64(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The nearest-rank percentile pct (1..100) of the n values at v, which are
 * sorted in place: the ceil(pct * n / 100)-th smallest. -1 when n is 0.
 */
int64_t
report_percentile(int64_t *v, size_t n, int pct)
{
	size_t	rank;

	if (n == 0)
		return -1;
	if (pct < 1)
		pct = 1;
	if (pct > 100)
		pct = 100;
	qsort(v, n, sizeof(*v), report_cmp64);
	/* Integer ceiling: no floating point rounding at exact ranks. */
	rank = ((size_t)pct * n + 99) / 100;
	if (rank < 1)
		rank = 1;
	return v[rank - 1];
}

/* num / den rounded to three decimals; NaN (JSON null) when den is 0. */
double
report_rate(int num, int den)
{
	if (den <= 0)
		return NAN;
	return round((double)num * 1000.0 / (double)den) / 1000.0;
}

static int
report_push(int64_t **v, size_t *n, size_t *cap, int64_t x)
{
	int64_t	*tmp;

	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 32;

		if ((tmp = reallocarray(*v, ncap, sizeof(**v))) == NULL)
			return -1;
		*v = tmp;
		*cap = ncap;
	}
	(*v)[(*n)++] = x;
	return 0;
}

int
report_row_add(struct report_row *r, const struct report_sample *s)
{
	r->consults++;
	if (s->acked_at != 0) {
		r->acknowledged++;
		if (report_push(&r->ack_ms, &r->nack, &r->ack_cap,
		    s->acked_at > s->created_at ? s->acked_at - s->created_at : 0) == -1)
			return -1;
	}
	if (s->resolved_at != 0) {
		r->resolved++;
		if (report_push(&r->resolve_ms, &r->nresolve, &r->resolve_cap,
		    s->resolved_at > s->created_at ?
		    s->resolved_at - s->created_at : 0) == -1)
			return -1;
	}
	if (s->unanswered)
		r->unanswered++;
	if (s->escalated)
		r->escalated++;
	r->pages += s->pages;
	if (s->outcome >= 0 && s->outcome < MAX_OUTCOMES)
		r->outcomes[s->outcome]++;
	return 0;
}

void
report_row_free(struct report_row *r)
{
	free(r->ack_ms);
	free(r->resolve_ms);
	r->ack_ms = r->resolve_ms = NULL;
	r->nack = r->ack_cap = r->nresolve = r->resolve_cap = 0;
}

static void
report_free(struct report *rp)
{
	size_t	i;

	for (i = 0; i < rp->nrows; i++)
		report_row_free(&rp->rows[i]);
	free(rp->rows);
	report_row_free(&rp->total);
}

static jtime_t
report_col_time(sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return 0;
	return sqlite3_column_int64(st, col);
}

static int
report_outcome(const struct config *cf, const char *code)
{
	int	i;

	if (*code == '\0')
		return -1;
	for (i = 0; i < cf->noutcomes && i < MAX_OUTCOMES; i++)
		if (strcasecmp(cf->outcomes[i], code) == 0)
			return i;
	return -1;
}

/* The row for key: rows come sorted by key, so it is the last or a new one. */
static struct report_row *
report_row_for(struct report *rp, const char *key)
{
	struct report_row	*tmp;

	if (rp->nrows > 0 && strcmp(rp->rows[rp->nrows - 1].key, key) == 0)
		return &rp->rows[rp->nrows - 1];
	if (rp->nrows == rp->cap) {
		size_t ncap = rp->cap ? rp->cap * 2 : 16;

		if ((tmp = reallocarray(rp->rows, ncap, sizeof(*tmp))) == NULL)
			return NULL;
		rp->rows = tmp;
		rp->cap = ncap;
	}
	tmp = &rp->rows[rp->nrows++];
	memset(tmp, 0, sizeof(*tmp));
	snprintf(tmp->key, sizeof(tmp->key), "%s", key);
	return tmp;
}

/* "2026-11": the Stockholm calendar month of t. */
static const char *
report_month(jtime_t t, char *buf, size_t sz)
{
	struct tm	tm;
	time_t		s = (time_t)(t / 1000);

	if (localtime_r(&s, &tm) == NULL)
		snprintf(buf, sz, "?");
	else
		snprintf(buf, sz, "%04d-%02d", tm.tm_year + 1900, tm.tm_mon + 1);
	return buf;
}

/*
 * Runs one report query over [since, until) and adds every sample to its
 * row (rows may be NULL: total only) and to total (may be NULL).
 */
static int
report_collect(struct ctl *c, const char *sql, jtime_t since, jtime_t until,
    struct report *rows, struct report_row *total)
{
	sqlite3_stmt		*st;
	struct report_sample	 s;
	struct report_row	*r;
	char			 month[32];
	const char		*key;
	int			 rc;

	if ((st = db_stmt(c->db, sql)) == NULL)
		return -1;
	db_bind_time(st, 1, since);
	sqlite3_bind_int64(st, 2, until);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&s, 0, sizeof(s));
		s.created_at = sqlite3_column_int64(st, 1);
		s.acked_at = report_col_time(st, 2);
		s.resolved_at = report_col_time(st, 3);
		s.unanswered = sqlite3_column_int(st, 4) != 0;
		s.escalated = sqlite3_column_int(st, 5) != 0;
		s.pages = sqlite3_column_int64(st, 6);
		s.outcome = report_outcome(&c->cf, db_text(st, 7));
		key = db_text(st, 0);
		if (sql == sql_report_month)
			key = report_month(s.created_at, month, sizeof(month));
		if (rows != NULL) {
			if ((r = report_row_for(rows, key)) == NULL ||
			    report_row_add(r, &s) == -1)
				break;
		}
		if (total != NULL && report_row_add(total, &s) == -1)
			break;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* A percentile in whole seconds, -1 when there are no values. */
static int64_t
report_pct_s(int64_t *v, size_t n, int pct)
{
	int64_t	ms = report_percentile(v, n, pct);

	return ms < 0 ? -1 : (ms + 500) / 1000;
}

static void
report_json_pct(struct json *j, const char *key, int64_t s)
{
	if (s < 0)
		json_kv_null(j, key);
	else
		json_kv_int(j, key, s);
}

/* The directory name behind a unit code or a responder's phone, or "". */
static void
report_name(struct ctl *c, const char *by, const char *key, char *out, size_t sz)
{
	sqlite3_stmt	*st;

	out[0] = '\0';
	if (strcmp(by, "unit") == 0)
		st = db_stmt(c->db, sql_unit_name);
	else if (strcmp(by, "responder") == 0)
		st = db_stmt(c->db, sql_responder_name);
	else
		return;
	if (st == NULL)
		return;
	db_bind_text(st, 1, key);
	if (sqlite3_step(st) == SQLITE_ROW)
		text_copy(out, sz, db_text(st, 0));
	sqlite3_reset(st);
}

/* The fields every row and the total share. */
static void
report_json_fields(struct ctl *c, struct json *j, struct report_row *r)
{
	int	i;

	json_kv_int(j, "consults", r->consults);
	json_kv_int(j, "acknowledged", r->acknowledged);
	json_kv_int(j, "unanswered", r->unanswered);
	json_kv_int(j, "escalated", r->escalated);
	json_kv_double(j, "escalation_rate", report_rate(r->escalated, r->consults));
	json_kv_double(j, "unanswered_rate", report_rate(r->unanswered, r->consults));
	report_json_pct(j, "ack_p50_s", report_pct_s(r->ack_ms, r->nack, 50));
	report_json_pct(j, "ack_p90_s", report_pct_s(r->ack_ms, r->nack, 90));
	report_json_pct(j, "resolve_p50_s",
	    report_pct_s(r->resolve_ms, r->nresolve, 50));
	json_kv_int(j, "resolved", r->resolved);
	json_kv_int(j, "pages", r->pages);
	json_key(j, "outcomes");
	json_object_begin(j);
	for (i = 0; i < c->cf.noutcomes && i < MAX_OUTCOMES; i++)
		json_kv_int(j, c->cf.outcomes[i], r->outcomes[i]);
	json_object_end(j);
}

/* Consults of r resolved with one of goal g's outcome codes. */
static int
report_goal_count(const struct ctl *c, const struct report_goal *g,
    const struct report_row *r)
{
	int	i, k, n = 0;

	for (k = 0; k < (int)nitems(g->codes) && g->codes[k] != NULL; k++)
		for (i = 0; i < c->cf.noutcomes && i < MAX_OUTCOMES; i++)
			if (strcasecmp(c->cf.outcomes[i], g->codes[k]) == 0)
				n += r->outcomes[i];
	return n;
}

/* The goals of the total: counts and shares of the resolved consults. */
static void
report_json_goals(struct ctl *c, struct json *j, const struct report_row *t)
{
	const struct report_goal	*g;
	size_t				 i;
	int				 k;

	json_key(j, "goals");
	json_array_begin(j);
	json_object_begin(j);
	json_kv_string(j, "goal", "doctor_to_doctor_contacts");
	json_kv_string(j, "text", "acknowledged consults: a doctor reached "
	    "a doctor");
	json_key(j, "outcomes");
	json_array_begin(j);
	json_array_end(j);
	json_kv_int(j, "count", t->acknowledged);
	json_kv_double(j, "share", report_rate(t->acknowledged, t->consults));
	json_kv_string(j, "of", "consults");
	json_object_end(j);
	for (i = 0; i < nitems(report_goals); i++) {
		g = &report_goals[i];
		json_object_begin(j);
		json_kv_string(j, "goal", g->key);
		json_kv_string(j, "text", g->text);
		json_key(j, "outcomes");
		json_array_begin(j);
		for (k = 0; k < (int)nitems(g->codes) && g->codes[k] != NULL; k++)
			json_string(j, g->codes[k]);
		json_array_end(j);
		json_kv_int(j, "count", report_goal_count(c, g, t));
		json_kv_double(j, "share", report_rate(report_goal_count(c, g, t),
		    t->resolved));
		json_kv_string(j, "of", "resolved");
		json_object_end(j);
	}
	json_array_end(j);
}

static int
report_json(struct ctl *c, const char *by, jtime_t since, jtime_t until,
    struct report *rp)
{
	struct json	j;
	char		name[128];
	size_t		i;

	json_init(&j, stdout, true);
	json_object_begin(&j);
	json_key(&j, "report");
	json_object_begin(&j);
	json_kv_string(&j, "by", by);
	json_kv_time(&j, "since", since);
	json_kv_time(&j, "until", until);
	json_kv_string(&j, "percentile_method", "nearest-rank");
	json_key(&j, "rows");
	json_array_begin(&j);
	for (i = 0; i < rp->nrows; i++) {
		json_object_begin(&j);
		json_kv_string(&j, "key", rp->rows[i].key);
		if (strcmp(by, "track") != 0) {
			report_name(c, by, rp->rows[i].key, name, sizeof(name));
			json_kv_string(&j, "name", name[0] ? name : NULL);
		}
		report_json_fields(c, &j, &rp->rows[i]);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_key(&j, "total");
	json_object_begin(&j);
	report_json_fields(c, &j, &rp->total);
	json_kv_int(&j, "rejected", rp->rejected);
	json_object_end(&j);
	report_json_goals(c, &j, &rp->total);
	json_object_end(&j);
	json_object_end(&j);
	if (json_finish(&j) == -1) {
		fprintf(stderr, "jourctl: could not write the JSON output\n");
		return CTL_ERROR;
	}
	return CTL_OK;
}

/* "45s", "12m05s", "3h02m"; "-" when there is no value. */
static char *
report_span(int64_t s, char *buf, size_t sz)
{
	if (s < 0)
		snprintf(buf, sz, "-");
	else if (s < 60)
		snprintf(buf, sz, "%" PRId64 "s", s);
	else if (s < 3600)
		snprintf(buf, sz, "%" PRId64 "m%02" PRId64 "s", s / 60, s % 60);
	else
		snprintf(buf, sz, "%" PRId64 "h%02" PRId64 "m", s / 3600,
		    s % 3600 / 60);
	return buf;
}

static char *
report_pct_text(double rate, char *buf, size_t sz)
{
	if (isnan(rate))
		snprintf(buf, sz, "-");
	else
		snprintf(buf, sz, "%.1f%%", rate * 100.0);
	return buf;
}

/*
 * The first cell of a row: the key, and for a responder their directory
 * name before the number ("Erik Jourlund +46701740620"), cleaned for the
 * terminal; the number alone when the directory does not know it.
 */
static void
report_table_label(struct ctl *c, const char *by, const char *key,
    char *out, size_t sz)
{
	char	raw[192], name[128];

	name[0] = '\0';
	if (strcmp(by, "responder") == 0 && strcmp(key, "total") != 0)
		report_name(c, by, key, name, sizeof(name));
	if (name[0] != '\0')
		snprintf(raw, sizeof(raw), "%s %s", name, key);
	else
		snprintf(raw, sizeof(raw), "%s", key);
	text_clean(out, sz, raw, strlen(raw));
}

/* The widest first cell of the table, in code points: at least 16. */
static int
report_table_width(struct ctl *c, const char *by, const struct report *rp)
{
	char	label[256];
	size_t	i;
	int	w = 16, n;

	for (i = 0; i < rp->nrows; i++) {
		report_table_label(c, by, rp->rows[i].key, label, sizeof(label));
		if ((n = (int)text_codepoints(label)) > w)
			w = n;
	}
	return w;
}

static void
report_table_row(struct ctl *c, const char *by, int width, const char *key,
    struct report_row *r)
{
	char	esc[32], una[32], p50[32], p90[32], res[32], label[256];
	int	i;

	report_table_label(c, by, key, label, sizeof(label));
	printf("%s%*s", label, width - (int)text_codepoints(label), "");
	printf(" %8d %6d %6d %5d %7s %7s %8s %8s %8s %6" PRId64,
	    r->consults, r->acknowledged, r->unanswered, r->escalated,
	    report_pct_text(report_rate(r->escalated, r->consults), esc,
	    sizeof(esc)),
	    report_pct_text(report_rate(r->unanswered, r->consults), una,
	    sizeof(una)),
	    report_span(report_pct_s(r->ack_ms, r->nack, 50), p50, sizeof(p50)),
	    report_span(report_pct_s(r->ack_ms, r->nack, 90), p90, sizeof(p90)),
	    report_span(report_pct_s(r->resolve_ms, r->nresolve, 50), res,
	    sizeof(res)), r->pages);
	for (i = 0; i < c->cf.noutcomes && i < MAX_OUTCOMES; i++)
		printf(" %4d", r->outcomes[i]);
	putchar('\n');
}

/* The regional goals, from the total's acknowledgements and outcomes. */
static void
report_table_goals(struct ctl *c, const struct report_row *t)
{
	const struct report_goal	*g;
	char				 codes[32], share[32];
	size_t				 i, len;
	int				 k, n;

	printf("\nregional goals (outcomes: share of the %d resolved "
	    "consult(s)):\n", t->resolved);
	printf("  %-48s %6d %7s  acknowledged, of all consults\n",
	    "doctor-to-doctor contacts", t->acknowledged,
	    report_pct_text(report_rate(t->acknowledged, t->consults), share,
	    sizeof(share)));
	for (i = 0; i < nitems(report_goals); i++) {
		g = &report_goals[i];
		codes[0] = '\0';
		for (k = 0, len = 0; k < (int)nitems(g->codes) &&
		    g->codes[k] != NULL; k++)
			len += (size_t)snprintf(codes + len, sizeof(codes) - len,
			    "%s%s", k ? "+" : "", g->codes[k]);
		n = report_goal_count(c, g, t);
		printf("  %-48s %6d %7s  %s\n", g->text, n,
		    report_pct_text(report_rate(n, t->resolved), share,
		    sizeof(share)), codes);
	}
}

static void
report_table(struct ctl *c, const char *by, jtime_t since, jtime_t until,
    struct report *rp)
{
	char	t1[40], t2[40];
	size_t	i;
	int	k, width = report_table_width(c, by, rp);

	printf("consults by %s, %s to %s (p50/p90: nearest rank)\n", by,
	    since != 0 ? jtime_iso(since, t1, sizeof(t1)) : "the start",
	    jtime_iso(until, t2, sizeof(t2)));
	printf("%-*s %8s %6s %6s %5s %7s %7s %8s %8s %8s %6s", width, by,
	    "CONSULTS",
	    "ACKED", "UNANS", "ESC", "ESC%", "UNANS%", "ACK_P50", "ACK_P90",
	    "RES_P50", "PAGES");
	for (k = 0; k < c->cf.noutcomes && k < MAX_OUTCOMES; k++)
		printf(" %4s", c->cf.outcomes[k]);
	putchar('\n');
	for (i = 0; i < rp->nrows; i++)
		report_table_row(c, by, width, rp->rows[i].key, &rp->rows[i]);
	report_table_row(c, by, width, "total", &rp->total);
	if (rp->rejected > 0)
		printf("(%" PRId64 " rejected request(s) not counted)\n",
		    rp->rejected);
	report_table_goals(c, &rp->total);
}

/*
 * How the CSV is written: RFC 4180, or (--excel) as spreadsheet programs
 * set up for Swedish read a file they open: ';' between fields, because the
 * comma is their decimal sign, and a byte-order mark, without which they
 * take the text for Windows-1252 and garble å, ä and ö.
 */
struct report_csv_form {
	char	sep;		/* between fields */
	char	decimal;	/* in rates */
	bool	bom;
};

static const struct report_csv_form report_csv_rfc = { ',', '.', false };
static const struct report_csv_form report_csv_excel = { ';', ',', true };

/* One CSV field: quoted when it holds the separator, a quote or a line
 * break. */
static void
report_csv_field(const struct report_csv_form *f, const char *s)
{
	char	special[] = { f->sep, '"', '\r', '\n', '\0' };

	if (strpbrk(s, special) == NULL) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

static void
report_csv_int(const struct report_csv_form *f, int64_t v)
{
	if (v >= 0)
		printf("%c%" PRId64, f->sep, v);
	else
		putchar(f->sep);	/* no value: an empty field */
}

/* A rate with three decimals and the form's decimal sign, whatever the
 * locale says. */
static void
report_csv_rate(const struct report_csv_form *f, double rate)
{
	char	buf[32], *dot;

	putchar(f->sep);
	if (isnan(rate))
		return;
	snprintf(buf, sizeof(buf), "%.3f", rate);
	if ((dot = strpbrk(buf, ".,")) != NULL)
		*dot = f->decimal;
	fputs(buf, stdout);
}

static void
report_csv_row(struct ctl *c, const struct report_csv_form *f,
    const char *by, const char *key, struct report_row *r, bool total)
{
	char	name[128] = "";
	int	i;

	report_csv_field(f, key);
	putchar(f->sep);
	if (!total)
		report_name(c, by, key, name, sizeof(name));
	report_csv_field(f, name);
	printf("%c%d%c%d%c%d%c%d", f->sep, r->consults, f->sep,
	    r->acknowledged, f->sep, r->unanswered, f->sep, r->escalated);
	report_csv_rate(f, report_rate(r->escalated, r->consults));
	report_csv_rate(f, report_rate(r->unanswered, r->consults));
	report_csv_int(f, report_pct_s(r->ack_ms, r->nack, 50));
	report_csv_int(f, report_pct_s(r->ack_ms, r->nack, 90));
	report_csv_int(f, report_pct_s(r->resolve_ms, r->nresolve, 50));
	printf("%c%d%c%" PRId64, f->sep, r->resolved, f->sep, r->pages);
	for (i = 0; i < c->cf.noutcomes && i < MAX_OUTCOMES; i++)
		printf("%c%d", f->sep, r->outcomes[i]);
	fputs("\r\n", stdout);
}

/* A header line, the rows, then the total; durations in seconds. */
static int
report_csv(struct ctl *c, const struct report_csv_form *f, const char *by,
    struct report *rp)
{
	static const char	*const head[] = { "name", "consults",
	    "acknowledged", "unanswered", "escalated", "escalation_rate",
	    "unanswered_rate", "ack_p50_s", "ack_p90_s", "resolve_p50_s",
	    "resolved", "pages" };
	size_t			 i;
	int			 k;

	if (f->bom)
		fputs("\xef\xbb\xbf", stdout);
	report_csv_field(f, by);
	for (i = 0; i < nitems(head); i++)
		printf("%c%s", f->sep, head[i]);
	for (k = 0; k < c->cf.noutcomes && k < MAX_OUTCOMES; k++) {
		putchar(f->sep);
		report_csv_field(f, c->cf.outcomes[k]);
	}
	fputs("\r\n", stdout);
	for (i = 0; i < rp->nrows; i++)
		report_csv_row(c, f, by, rp->rows[i].key, &rp->rows[i], false);
	report_csv_row(c, f, by, "total", &rp->total, true);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "jourctl: could not write the CSV output\n");
		return CTL_ERROR;
	}
	return CTL_OK;
}

int
ctl_report(struct ctl *c, const struct ctl_options *o)
{
	struct report	 rp;
	sqlite3_stmt	*st;
	const char	*by = o->by != NULL ? o->by : "track";
	const char	*sql;
	jtime_t		 until = o->until != 0 ? o->until : c->now;
	int		 rc = CTL_ERROR;

	if (strcmp(by, "track") == 0)
		sql = sql_report_track;
	else if (strcmp(by, "unit") == 0)
		sql = sql_report_unit;
	else if (strcmp(by, "responder") == 0)
		sql = sql_report_responder;
	else if (strcmp(by, "month") == 0)
		sql = sql_report_month;
	else {
		fprintf(stderr, "jourctl: report: --by %s: expected track, unit, "
		    "responder or month\n", by);
		return CTL_USAGE;
	}
	if (o->excel && !o->csv) {
		fprintf(stderr, "jourctl: report: --excel is a form of --csv: "
		    "give both\n");
		return CTL_USAGE;
	}
	if (o->csv && c->json) {
		fprintf(stderr, "jourctl: report: --csv and --json exclude each "
		    "other\n");
		return CTL_USAGE;
	}
	if (o->since != 0 && o->since >= until) {
		fprintf(stderr, "jourctl: report: --since is not before --until\n");
		return CTL_USAGE;
	}

	memset(&rp, 0, sizeof(rp));
	/* The total always counts consults once, whatever the rows are by. */
	if (report_collect(c, sql_report_track, o->since, until,
	    sql == sql_report_track ? &rp : NULL, &rp.total) == -1)
		goto fail;
	if (sql != sql_report_track &&
	    report_collect(c, sql, o->since, until, &rp, NULL) == -1)
		goto fail;
	if ((st = db_stmt(c->db, sql_report_rejected)) == NULL)
		goto fail;
	db_bind_time(st, 1, o->since);
	sqlite3_bind_int64(st, 2, until);
	if (sqlite3_step(st) == SQLITE_ROW)
		rp.rejected = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);

	if (c->json)
		rc = report_json(c, by, o->since, until, &rp);
	else if (o->csv)
		rc = report_csv(c, o->excel ? &report_csv_excel :
		    &report_csv_rfc, by, &rp);
	else {
		report_table(c, by, o->since, until, &rp);
		rc = CTL_OK;
	}
	report_free(&rp);
	return rc;
fail:
	fprintf(stderr, "jourctl: report: %s\n", db_errmsg(c->db));
	report_free(&rp);
	return CTL_ERROR;
}
