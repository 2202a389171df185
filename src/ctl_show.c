/*
 * ctl_show.c — jourctl's read-only views: oncall, consults, log,
 * escalations, outbox and status.
 *
 * Bulk listings leave out the request text and callback number (they may
 * hold patient-adjacent details); only `log ID`, which looks at one consult,
 * shows them.
 */
#include <sys/ioctl.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "coverage.h"
#include "ctl.h"
#include "inject.h"
#include "jtime.h"
#include "phone.h"
#include "roster.h"
#include "text.h"

/* jourd writes its heartbeat every few seconds; older means it is gone. */
#define SHOW_HEARTBEAT_STALE (30 * JT_SECOND)

#define SHOW_CONSULT_COLS \
	"c.id, c.track, c.state, c.requester, c.created_at, c.acked_at," \
	" c.acked_by, c.resolved_at, c.outcome, c.max_step, c.pages_sent," \
	" c.callback, c.text," \
	" (SELECT count(*) FROM events e WHERE e.consult_id = c.id" \
	" AND e.type = 'no_oncall')," \
	" (SELECT name FROM people WHERE phone = c.requester)," \
	" (SELECT name FROM people WHERE phone = c.acked_by)"

static const char sql_consults[] =
    "SELECT " SHOW_CONSULT_COLS " FROM consults c"
    " WHERE (?1 IS NULL OR c.created_at >= ?1)"
    " AND (?2 = 0 OR c.state IN ('queued', 'open', 'acknowledged'))"
    " ORDER BY c.id";
static const char sql_escalations[] =
    "SELECT " SHOW_CONSULT_COLS " FROM consults c"
    " WHERE (?1 IS NULL OR c.created_at >= ?1)"
    " AND (c.max_step > 0 OR c.state = 'unanswered' OR EXISTS (SELECT 1"
    " FROM events e WHERE e.consult_id = c.id AND e.type = 'no_oncall'))"
    " ORDER BY c.id";
static const char sql_consult_one[] =
    "SELECT " SHOW_CONSULT_COLS " FROM consults c WHERE c.id = ?1";
static const char sql_legs[] =
    "SELECT unit FROM legs WHERE consult_id = ? ORDER BY idx";
static const char sql_pages[] =
    "SELECT p.to_phone, p.step + 1, p.code, o.sent_at, o.delivered_at, p.role,"
    " p.leg FROM pages p LEFT JOIN outbox o ON o.id = p.outbox_id"
    " WHERE p.consult_id = ? ORDER BY p.id";
/* A consult's events, and the steps of the wall clock among them: they
 * say why the times in its timeline jump. */
static const char sql_events[] =
    "SELECT ts, type, actor, detail, id FROM events WHERE consult_id = ?1"
    " UNION ALL SELECT ts, type, actor, detail, id FROM events"
    " WHERE consult_id IS NULL AND type = 'clock_step'"
    " AND id > (SELECT min(id) FROM events WHERE consult_id = ?1)"
    " AND id < (SELECT max(id) FROM events WHERE consult_id = ?1)"
    " ORDER BY 5";
static const char sql_units_all[] =
    "SELECT code, name FROM units WHERE removed_at IS NULL ORDER BY code";
static const char sql_units_one[] =
    "SELECT code, name FROM units WHERE (code = ?1 OR folded = ?2)"
    " AND removed_at IS NULL ORDER BY code";
static const char sql_shifts_now[] =
    "SELECT id, role, phone, start_at, end_at, source FROM shifts"
    " WHERE unit = ?1 AND start_at <= ?2 AND end_at > ?2";
static const char sql_person_name[] =
    "SELECT name FROM people WHERE phone = ?";
static const char sql_outbox[] =
    "SELECT id, to_phone, text, state, attempts, created_at, sent_at,"
    " delivered_at, kind, consult_id, error, route FROM outbox"
    " WHERE (?1 IS NULL OR created_at >= ?1) ORDER BY id";
static const char sql_status_rows[] =
    "SELECT key, value, updated_at FROM status";
static const char sql_count_queue[] =
    "SELECT count(*) FROM outbox WHERE state IN ('queued', 'sending')";
static const char sql_route_queued[] =
    "SELECT count(*) FROM outbox WHERE route = ?1"
    " AND state IN ('queued', 'sending')";
static const char sql_route_sent[] =
    "SELECT count(*) FROM outbox WHERE route = ?1 AND state = 'sent'"
    " AND sent_at >= ?2";
static const char sql_count_failed[] =
    "SELECT count(*) FROM outbox WHERE state = 'failed'";
static const char sql_count_open[] =
    "SELECT count(*) FROM consults"
    " WHERE state IN ('queued', 'open', 'acknowledged')";
static const char sql_oldest_due[] =
    "SELECT consult_id, unit, due_at FROM legs WHERE due_at IS NOT NULL"
    " ORDER BY due_at LIMIT 1";
static const char sql_count_inbox[] =
    "SELECT count(*) FROM inbox WHERE received_at >= ?";

/* A consult row as the listings show it. */
struct show_consult {
	int64_t	id;
	char	track[WORD_MAX];
	char	state[16];
	char	requester[32];
	jtime_t	created_at, acked_at, resolved_at;
	char	acked_by[32];		/* "" = NULL */
	char	requester_name[64];	/* "" = not in the directory */
	char	acked_by_name[64];
	char	outcome[WORD_MAX];	/* "" = NULL */
	int	step;			/* step reached, from 1; 0 = never paged */
	int64_t	pages_sent;
	char	callback[32];
	char	text[SMS_TEXT_MAX];
	int64_t	no_oncall;
	char	units[MAX_LEGS][UNIT_MAX];
	int	nunits;
};

/*
 * Prints s in a column of width code points (cut with "…"), then a gap;
 * the last column (last) is cut but not padded. The text is cleaned first:
 * no control character (C0, C1 as in an escape sequence) and no invalid
 * UTF-8 from an older database reaches the terminal, and a row stays one
 * line.
 */
void
show_cell_last(const char *raw, int width, bool last)
{
	static char		 s[SMS_TEXT_MAX * 3];
	const unsigned char	*p = (const unsigned char *)s;
	int			 n, used = 0;

	text_clean(s, sizeof(s), raw, strlen(raw));
	n = (int)text_codepoints(s);
	if (n > width) {
		/* Keep width - 1 code points and the ellipsis. */
		while (*p != '\0' && used < width - 1) {
			do
				fputc(*p++, stdout);
			while ((*p & 0xc0) == 0x80);
			used++;
		}
		fputs("…", stdout);
		used++;
	} else {
		fputs(s, stdout);
		used = n;
	}
	if (!last)
		printf("%*s", width - used + 2, "");
}

void
show_cell(const char *s, int width)
{
	show_cell_last(s, width, false);
}

/* The width of the terminal, else $COLUMNS, else 0: not a terminal, no limit. */
static int
show_width(void)
{
	struct winsize	 ws;
	const char	*env;
	int		 w;

	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_col > 0)
		return ws.ws_col;
	if ((env = getenv("COLUMNS")) != NULL && (w = atoi(env)) > 0)
		return w;
	return 0;
}

/* "HH:MM:SS" when t is on ref's local day, else "MM-DD HH:MM"; "-" for 0. */
static char *
show_when(jtime_t t, jtime_t ref, char *buf, size_t sz)
{
	struct tm	tm, tr;
	time_t		s = (time_t)(t / 1000), r = (time_t)(ref / 1000);

	if (t == 0 || localtime_r(&s, &tm) == NULL || localtime_r(&r, &tr) == NULL) {
		snprintf(buf, sz, "-");
		return buf;
	}
	if (tm.tm_year == tr.tm_year && tm.tm_yday == tr.tm_yday)
		snprintf(buf, sz, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
	else
		snprintf(buf, sz, "%02d-%02d %02d:%02d", tm.tm_mon + 1, tm.tm_mday,
		    tm.tm_hour, tm.tm_min);
	return buf;
}

/* "45s", "12m05s", "3h02m", "2d04h". */
static char *
show_span(int64_t ms, char *buf, size_t sz)
{
	int64_t	s = ms / 1000;

	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(buf, sz, "%" PRId64 "s", s);
	else if (s < 3600)
		snprintf(buf, sz, "%" PRId64 "m%02" PRId64 "s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, sz, "%" PRId64 "h%02" PRId64 "m", s / 3600,
		    s % 3600 / 60);
	else
		snprintf(buf, sz, "%" PRId64 "d%02" PRId64 "h", s / 86400,
		    s % 86400 / 3600);
	return buf;
}

/* Reads the consult row st is on (SHOW_CONSULT_COLS) and its legs' units. */
static int
show_consult_read(struct ctl *c, sqlite3_stmt *st, struct show_consult *sc)
{
	sqlite3_stmt	*lg;
	int		 rc;

	memset(sc, 0, sizeof(*sc));
	sc->id = sqlite3_column_int64(st, 0);
	snprintf(sc->track, sizeof(sc->track), "%s", db_text(st, 1));
	snprintf(sc->state, sizeof(sc->state), "%s", db_text(st, 2));
	snprintf(sc->requester, sizeof(sc->requester), "%s", db_text(st, 3));
	sc->created_at = ctl_col_time(st, 4);
	sc->acked_at = ctl_col_time(st, 5);
	snprintf(sc->acked_by, sizeof(sc->acked_by), "%s", db_text(st, 6));
	sc->resolved_at = ctl_col_time(st, 7);
	snprintf(sc->outcome, sizeof(sc->outcome), "%s", db_text(st, 8));
	sc->step = sqlite3_column_int(st, 9) + 1;
	sc->pages_sent = sqlite3_column_int64(st, 10);
	snprintf(sc->callback, sizeof(sc->callback), "%s", db_text(st, 11));
	text_copy(sc->text, sizeof(sc->text), db_text(st, 12));
	sc->no_oncall = sqlite3_column_int64(st, 13);
	text_copy(sc->requester_name, sizeof(sc->requester_name),
	    db_text(st, 14));
	text_copy(sc->acked_by_name, sizeof(sc->acked_by_name),
	    db_text(st, 15));

	if ((lg = db_stmt(c->db, sql_legs)) == NULL)
		return -1;
	sqlite3_bind_int64(lg, 1, sc->id);
	while ((rc = sqlite3_step(lg)) == SQLITE_ROW)
		if (sc->nunits < MAX_LEGS)
			snprintf(sc->units[sc->nunits++], UNIT_MAX, "%s",
			    db_text(lg, 0));
	sqlite3_reset(lg);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void
show_units_joined(const struct show_consult *sc, char *buf, size_t sz)
{
	size_t	len = 0;
	int	i, w;

	buf[0] = '\0';
	for (i = 0; i < sc->nunits; i++) {
		w = snprintf(buf + len, sz - len, "%s%s", i ? "," : "",
		    sc->units[i]);
		if (w < 0 || (size_t)w >= sz - len)
			break;
		len += (size_t)w;
	}
}

/*
 * The JSON object of a consult: DESIGN §7's fields and pages_sent; with
 * detail also text and callback (log), with gaps the no_oncall count.
 */
static int
show_consult_json(struct ctl *c, struct json *j, const struct show_consult *sc,
    bool detail, bool gaps)
{
	sqlite3_stmt	*st;
	int		 i, rc;

	json_object_begin(j);
	json_kv_int(j, "id", sc->id);
	json_kv_string(j, "track", sc->track);
	json_key(j, "units");
	json_array_begin(j);
	for (i = 0; i < sc->nunits; i++)
		json_string(j, sc->units[i]);
	json_array_end(j);
	json_kv_string(j, "state", sc->state);
	json_kv_string(j, "requester", sc->requester);
	json_kv_string(j, "requester_name",
	    sc->requester_name[0] ? sc->requester_name : NULL);
	json_kv_time(j, "created_at", sc->created_at);
	json_kv_time(j, "acked_at", sc->acked_at);
	json_kv_string(j, "acked_by", sc->acked_by[0] ? sc->acked_by : NULL);
	json_kv_string(j, "acked_by_name",
	    sc->acked_by_name[0] ? sc->acked_by_name : NULL);
	json_kv_time(j, "resolved_at", sc->resolved_at);
	json_kv_string(j, "outcome", sc->outcome[0] ? sc->outcome : NULL);
	/* Steps count from 1 wherever people read them; null = never paged. */
	if (sc->step > 0)
		json_kv_int(j, "step", sc->step);
	else
		json_kv_null(j, "step");
	json_kv_int(j, "pages_sent", sc->pages_sent);
	if (gaps)
		json_kv_int(j, "no_oncall", sc->no_oncall);
	if (detail) {
		json_kv_string(j, "callback", sc->callback[0] ? sc->callback : NULL);
		json_kv_string(j, "text", sc->text);
	}

	json_key(j, "pages");
	json_array_begin(j);
	if ((st = db_stmt(c->db, sql_pages)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, sc->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_object_begin(j);
		json_kv_string(j, "to", db_text(st, 0));
		json_kv_int(j, "step", sqlite3_column_int(st, 1));
		json_kv_int(j, "code", sqlite3_column_int(st, 2));
		json_kv_time(j, "sent_at", ctl_col_time(st, 3));
		json_kv_time(j, "delivered_at", ctl_col_time(st, 4));
		json_object_end(j);
	}
	sqlite3_reset(st);
	json_array_end(j);
	json_object_end(j);
	return rc == SQLITE_DONE ? 0 : -1;
}

/*
 * "Erik Jourlund +46701740620" in at most width code points: the name is
 * cut, never the number; the number alone when the name is unknown.
 */
static void
show_who(const char *name, const char *phone, int width, char *buf,
    size_t sz)
{
	char	cut[128];
	size_t	at = 0;
	int	room, kept = 0;

	room = width - (int)text_codepoints(phone) - 1;
	if (name[0] == '\0' || room < 4) {
		snprintf(buf, sz, "%s", phone);
		return;
	}
	text_clean(cut, sizeof(cut), name, strlen(name));
	if ((int)text_codepoints(cut) > room) {
		/* Keep room - 3 code points of the name and "...": cells are
		 * cleaned again when printed, and cleaning spells U+2026 so. */
		while (cut[at] != '\0' && kept < room - 3) {
			do
				at++;
			while (((unsigned char)cut[at] & 0xc0) == 0x80);
			kept++;
		}
		snprintf(buf, sz, "%.*s... %s", (int)at, cut, phone);
	} else
		snprintf(buf, sz, "%s %s", cut, phone);
}

/* Room for a name of 15 code points beside an E.164 number. */
#define SHOW_WHO_WIDTH	28

static void
show_consult_header(bool gaps)
{
	printf("%6s  %-16s  %-8s  %-14s  %-12s  %-28s  %-28s  %6s  %4s%s\n",
	    "ID", "CREATED", "TRACK", "UNITS", "STATE", "REQUESTER", "ACKED BY",
	    "ACK_S", "STEP", gaps ? "  GAPS" : "");
}

static void
show_consult_line(const struct show_consult *sc, bool gaps)
{
	char	created[32], units[MAX_LEGS * UNIT_MAX], ack[24], step[12];
	char	who[160];

	ctl_local(sc->created_at, false, created, sizeof(created));
	show_units_joined(sc, units, sizeof(units));
	if (sc->acked_at != 0)
		snprintf(ack, sizeof(ack), "%" PRId64,
		    (sc->acked_at - sc->created_at + 500) / 1000);
	else
		snprintf(ack, sizeof(ack), "-");
	if (sc->step > 0)
		snprintf(step, sizeof(step), "%d", sc->step);
	else
		snprintf(step, sizeof(step), "-");
	printf("%6" PRId64 "  %-16s  ", sc->id, created);
	show_cell(sc->track, 8);
	show_cell(units, 14);
	show_cell(sc->state, 12);
	show_who(sc->requester_name, sc->requester, SHOW_WHO_WIDTH, who,
	    sizeof(who));
	show_cell(who, SHOW_WHO_WIDTH);
	if (sc->acked_by[0])
		show_who(sc->acked_by_name, sc->acked_by, SHOW_WHO_WIDTH, who,
		    sizeof(who));
	else
		snprintf(who, sizeof(who), "-");
	show_cell(who, SHOW_WHO_WIDTH);
	printf("%6s  %4s", ack, step);
	if (gaps)
		printf("  %4" PRId64, sc->no_oncall);
	putchar('\n');
}

/* Lists the consults sql selects (bound: ?1 since, ?2 open only). */
static int
show_consult_list(struct ctl *c, const char *sql, const char *key,
    jtime_t since, bool open, bool gaps)
{
	sqlite3_stmt		*st;
	struct show_consult	*sc;
	struct json		 j;
	int			 rc, n = 0;

	if ((sc = malloc(sizeof(*sc))) == NULL) {
		ctl_warnx("out of memory");
		return CTL_ERROR;
	}
	if ((st = db_stmt(c->db, sql)) == NULL) {
		free(sc);
		return ctl_db_error(c);
	}
	db_bind_time(st, 1, since);
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_int(st, 2, open ? 1 : 0);
	if (c->json) {
		json_init(&j, stdout, true);
		json_object_begin(&j);
		json_key(&j, key);
		json_array_begin(&j);
	} else
		show_consult_header(gaps);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (show_consult_read(c, st, sc) == -1)
			break;
		if (c->json) {
			if (show_consult_json(c, &j, sc, false, gaps) == -1)
				break;
		} else
			show_consult_line(sc, gaps);
		n++;
	}
	sqlite3_reset(st);
	free(sc);
	if (rc != SQLITE_DONE)
		return ctl_db_error(c);
	if (c->json) {
		json_array_end(&j);
		json_object_end(&j);
		return ctl_json_finish(&j);
	}
	if (n == 0)
		printf("(none)\n");
	return CTL_OK;
}

int
ctl_consults(struct ctl *c, const struct ctl_options *o)
{
	return show_consult_list(c, sql_consults, "consults", o->since, o->open,
	    false);
}

int
ctl_escalations(struct ctl *c, const struct ctl_options *o)
{
	return show_consult_list(c, sql_escalations, "escalations", o->since,
	    false, true);
}

static void
show_log_table(struct ctl *c, const struct show_consult *sc)
{
	sqlite3_stmt	*st;
	char		 t1[32], t2[32], units[MAX_LEGS * UNIT_MAX];

	show_units_joined(sc, units, sizeof(units));
	printf("consult    %" PRId64 "  %s  %s  %s\n", sc->id, sc->track, units,
	    sc->state);
	printf("requester  %s%s%s\n", sc->requester,
	    sc->callback[0] ? "  callback " : "", sc->callback);
	printf("created    %s\n", ctl_local(sc->created_at, true, t1, sizeof(t1)));
	if (sc->acked_at != 0)
		printf("acked      %s by %s (%s)\n",
		    ctl_local(sc->acked_at, true, t1, sizeof(t1)), sc->acked_by,
		    show_span(sc->acked_at - sc->created_at, t2, sizeof(t2)));
	if (sc->resolved_at != 0)
		printf("resolved   %s%s%s\n",
		    ctl_local(sc->resolved_at, true, t1, sizeof(t1)),
		    sc->outcome[0] ? "  outcome " : "", sc->outcome);
	if (sc->step > 0)
		printf("step       %d reached, %" PRId64 " page(s) sent\n",
		    sc->step, sc->pages_sent);
	else
		printf("step       none: not paged\n");
	printf("text       ");
	show_cell_last(sc->text, SMS_TEXT_MAX, true);
	putchar('\n');

	if ((st = db_stmt(c->db, sql_pages)) != NULL) {
		sqlite3_bind_int64(st, 1, sc->id);
		while (sqlite3_step(st) == SQLITE_ROW) {
			printf("page       step %d  code %-3d %-13s %-8s sent %s",
			    sqlite3_column_int(st, 1), sqlite3_column_int(st, 2),
			    db_text(st, 0), db_text(st, 5),
			    show_when(ctl_col_time(st, 3), sc->created_at, t1,
			    sizeof(t1)));
			printf("  delivered %s\n", show_when(ctl_col_time(st, 4),
			    sc->created_at, t2, sizeof(t2)));
		}
		sqlite3_reset(st);
	}
	printf("\n%-19s  %-12s  %-13s  %s\n", "TIME", "EVENT", "ACTOR", "DETAIL");
}

int
ctl_log(struct ctl *c, const struct ctl_options *o)
{
	sqlite3_stmt		*st;
	struct show_consult	*sc;
	struct json		 j;
	char			*end, ts[32];
	long long		 id;
	int			 rc;

	errno = 0;
	id = strtoll(o->args[0], &end, 10);
	if (errno != 0 || *end != '\0' || end == o->args[0] || id <= 0) {
		ctl_warnx("log: \"%s\" is not a consult number", o->args[0]);
		return CTL_USAGE;
	}
	if ((sc = malloc(sizeof(*sc))) == NULL) {
		ctl_warnx("out of memory");
		return CTL_ERROR;
	}
	if ((st = db_stmt(c->db, sql_consult_one)) == NULL) {
		free(sc);
		return ctl_db_error(c);
	}
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		free(sc);
		if (rc != SQLITE_DONE)
			return ctl_db_error(c);
		ctl_warnx("log: no consult %lld", id);
		return CTL_ERROR;
	}
	rc = show_consult_read(c, st, sc);
	sqlite3_reset(st);
	if (rc == -1) {
		free(sc);
		return ctl_db_error(c);
	}

	if (c->json) {
		json_init(&j, stdout, true);
		json_object_begin(&j);
		json_key(&j, "consult");
		rc = show_consult_json(c, &j, sc, true, false);
		json_key(&j, "log");
		json_array_begin(&j);
	} else
		show_log_table(c, sc);
	free(sc);
	if (rc == -1 || (st = db_stmt(c->db, sql_events)) == NULL)
		return ctl_db_error(c);
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (c->json) {
			json_object_begin(&j);
			json_kv_time(&j, "ts", ctl_col_time(st, 0));
			json_kv_string(&j, "type", db_text(st, 1));
			json_kv_string(&j, "actor", db_text(st, 2));
			json_kv_string(&j, "detail", db_text(st, 3));
			json_object_end(&j);
		} else {
			printf("%-19s  ", ctl_local(ctl_col_time(st, 0), true, ts,
			    sizeof(ts)));
			show_cell(db_text(st, 1), 12);
			show_cell(db_text(st, 2), 13);
			show_cell_last(db_text(st, 3), SMS_TEXT_MAX, true);
			putchar('\n');
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return ctl_db_error(c);
	if (!c->json)
		return CTL_OK;
	json_array_end(&j);
	json_object_end(&j);
	return ctl_json_finish(&j);
}

/* The directory name of phone, "" when it is not in the directory. */
static void
show_person(struct ctl *c, const char *phone, char *out, size_t sz)
{
	sqlite3_stmt	*st;

	out[0] = '\0';
	if ((st = db_stmt(c->db, sql_person_name)) == NULL)
		return;
	db_bind_text(st, 1, phone);
	if (sqlite3_step(st) == SQLITE_ROW)
		text_copy(out, sz, db_text(st, 0));
	sqlite3_reset(st);
}

/*
 * Where role comes in the escalation order of the configured tracks, so
 * primary is listed before backup and chief; unknown roles come last.
 */
static int
show_role_rank(const struct ctl *c, const char *role)
{
	int	t, r, rank = 0;

	for (t = 0; t < MAX_TRACKS; t++) {
		if (!c->cf.tracks[t].enabled)
			continue;
		for (r = 0; r < c->cf.tracks[t].nroles; r++, rank++)
			if (strcmp(c->cf.tracks[t].roles[r], role) == 0)
				return rank;
	}
	return MAX_TRACKS * MAX_STEPS;
}

struct show_role {
	char	name[ROLE_MAX];
	int	rank;
};

static int
show_role_cmp(const void *a, const void *b)
{
	const struct show_role	*x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Loads the shifts of unit that cover now; -1 on error, *out owned by caller. */
static int
show_shifts_now(struct ctl *c, const char *unit, struct shift **out, size_t *n)
{
	sqlite3_stmt	*st;
	struct shift	*v = NULL, *tmp;
	size_t		 cap = 0;
	int		 rc;

	*n = 0;
	if ((st = db_stmt(c->db, sql_shifts_now)) == NULL)
		return -1;
	db_bind_text(st, 1, unit);
	sqlite3_bind_int64(st, 2, c->now);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((tmp = reallocarray(v, cap, sizeof(*v))) == NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			v = tmp;
		}
		memset(&v[*n], 0, sizeof(v[*n]));
		v[*n].id = sqlite3_column_int64(st, 0);
		snprintf(v[*n].unit, sizeof(v[*n].unit), "%s", unit);
		snprintf(v[*n].role, sizeof(v[*n].role), "%s", db_text(st, 1));
		snprintf(v[*n].phone, sizeof(v[*n].phone), "%s", db_text(st, 2));
		v[*n].start = sqlite3_column_int64(st, 3);
		v[*n].end = sqlite3_column_int64(st, 4);
		v[*n].override = strcmp(db_text(st, 5), "override") == 0;
		(*n)++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		free(v);
		*n = 0;
		return -1;
	}
	*out = v;
	return 0;
}

/* Prints (or adds to j) who holds each role of unit now; -1 on error. */
static int
show_oncall_unit(struct ctl *c, struct json *j, const char *unit,
    const char *uname)
{
	struct shift		*shifts = NULL;
	const struct shift	*h;
	struct show_role	*roles;
	size_t			 n, nroles = 0, i, k;
	char			 name[128], until[32], disp[32];

	if (show_shifts_now(c, unit, &shifts, &n) == -1)
		return -1;
	if ((roles = calloc(n ? n : 1, sizeof(*roles))) == NULL) {
		free(shifts);
		return -1;
	}
	for (i = 0; i < n; i++) {
		for (k = 0; k < nroles; k++)
			if (strcmp(roles[k].name, shifts[i].role) == 0)
				break;
		if (k == nroles) {
			snprintf(roles[nroles].name, ROLE_MAX, "%s", shifts[i].role);
			roles[nroles].rank = show_role_rank(c, shifts[i].role);
			nroles++;
		}
	}
	qsort(roles, nroles, sizeof(*roles), show_role_cmp);

	if (nroles == 0 && !c->json) {
		show_cell(unit, 12);
		show_cell("-", 10);
		printf("(nobody on call: ");
		show_cell_last(uname, SMS_TEXT_MAX, true);
		printf(")\n");
	}
	for (k = 0; k < nroles; k++) {
		if ((h = roster_pick(shifts, n, roles[k].name, c->now)) == NULL)
			continue;
		show_person(c, h->phone, name, sizeof(name));
		if (c->json) {
			json_object_begin(j);
			json_kv_string(j, "unit", unit);
			json_kv_string(j, "role", h->role);
			json_kv_string(j, "phone", h->phone);
			json_kv_string(j, "name", name[0] ? name : NULL);
			json_kv_time(j, "until", h->end);
			json_kv_string(j, "source", h->override ? "override" :
			    "roster");
			json_object_end(j);
			continue;
		}
		show_cell(unit, 12);
		show_cell(h->role, 10);
		show_cell(name[0] ? name : "(not in directory)", 22);
		show_cell(phone_display(h->phone, disp, sizeof(disp)), 15);
		printf("%-16s  %s\n", ctl_local(h->end, false, until, sizeof(until)),
		    h->override ? "override" : "roster");
	}
	free(roles);
	free(shifts);
	return 0;
}

int
ctl_oncall(struct ctl *c, const struct ctl_options *o)
{
	sqlite3_stmt	*st;
	struct json	 j;
	char		 code[UNIT_MAX], folded[256];
	char		(*units)[UNIT_MAX] = NULL, (*tmp)[UNIT_MAX];
	char		(*names)[128] = NULL, (*tmpn)[128];
	size_t		 n = 0, cap = 0, i;
	int		 rc;

	if (o->nargs == 1) {
		/* A code in any case, or the unit's name as people type it. */
		for (i = 0; o->args[0][i] != '\0' && i + 1 < sizeof(code); i++)
			code[i] = (char)toupper((unsigned char)o->args[0][i]);
		code[i] = '\0';
		text_fold(o->args[0], folded, sizeof(folded));
		if ((st = db_stmt(c->db, sql_units_one)) == NULL)
			return ctl_db_error(c);
		db_bind_text(st, 1, code);
		db_bind_text(st, 2, folded);
	} else if ((st = db_stmt(c->db, sql_units_all)) == NULL)
		return ctl_db_error(c);

	/* Collected first: the per-unit look-ups use other statements. */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			tmp = reallocarray(units, cap, sizeof(*units));
			if (tmp != NULL)
				units = tmp;
			tmpn = reallocarray(names, cap, sizeof(*names));
			if (tmpn != NULL)
				names = tmpn;
			if (tmp == NULL || tmpn == NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
		}
		snprintf(units[n], UNIT_MAX, "%s", db_text(st, 0));
		text_copy(names[n], sizeof(names[n]), db_text(st, 1));
		n++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		free(units);
		free(names);
		return ctl_db_error(c);
	}
	if (o->nargs == 1 && n == 0) {
		ctl_warnx("oncall: no unit \"%s\" (by code or name)", o->args[0]);
		return CTL_ERROR;
	}

	if (c->json) {
		json_init(&j, stdout, true);
		json_object_begin(&j);
		json_key(&j, "oncall");
		json_array_begin(&j);
	} else
		printf("%-12s  %-10s  %-22s  %-15s  %-16s  %s\n", "UNIT", "ROLE",
		    "NAME", "PHONE", "UNTIL", "SOURCE");
	for (i = 0; i < n; i++)
		if (show_oncall_unit(c, &j, units[i], names[i]) == -1)
			break;
	rc = i < n ? -1 : 0;
	free(units);
	free(names);
	if (rc == -1)
		return ctl_db_error(c);
	return ctl_list_end(c, &j, n, "(no units: import units first)");
}

int
ctl_outbox(struct ctl *c, const struct ctl_options *o)
{
	sqlite3_stmt	*st;
	struct json	 j;
	char		 created[32], sent[32], delivered[32];
	int		 rc, width, textw, n = 0;

	if ((st = db_stmt(c->db, sql_outbox)) == NULL)
		return ctl_db_error(c);
	db_bind_time(st, 1, o->since);
	/* The fixed columns take 103 characters; the text gets the rest. */
	if ((width = show_width()) == 0)
		textw = SMS_TEXT_MAX;
	else
		textw = width - 103 > 12 ? width - 103 : 12;
	if (c->json) {
		json_init(&j, stdout, true);
		json_object_begin(&j);
		json_key(&j, "outbox");
		json_array_begin(&j);
	} else
		printf("%6s  %-16s  %-13s  %-10s  %-8s  %-7s  %3s  %-11s  %-11s  "
		    "%s\n", "ID", "CREATED", "TO", "KIND", "ROUTE", "STATE", "TRY",
		    "SENT", "DELIVERED", "TEXT");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		jtime_t created_at = ctl_col_time(st, 5);

		n++;
		if (c->json) {
			json_object_begin(&j);
			json_kv_int(&j, "id", sqlite3_column_int64(st, 0));
			json_kv_string(&j, "to", db_text(st, 1));
			json_kv_string(&j, "text", db_text(st, 2));
			json_kv_string(&j, "state", db_text(st, 3));
			json_kv_int(&j, "attempts", sqlite3_column_int(st, 4));
			json_kv_time(&j, "created_at", created_at);
			json_kv_time(&j, "sent_at", ctl_col_time(st, 6));
			json_kv_time(&j, "delivered_at", ctl_col_time(st, 7));
			json_kv_string(&j, "kind", db_text(st, 8));
			if (sqlite3_column_type(st, 9) == SQLITE_NULL)
				json_kv_null(&j, "consult_id");
			else
				json_kv_int(&j, "consult_id",
				    sqlite3_column_int64(st, 9));
			json_kv_string(&j, "error",
			    sqlite3_column_type(st, 10) == SQLITE_NULL ? NULL :
			    db_text(st, 10));
			json_kv_string(&j, "route",
			    sqlite3_column_type(st, 11) == SQLITE_NULL ? NULL :
			    db_text(st, 11));
			json_object_end(&j);
			continue;
		}
		printf("%6" PRId64 "  %-16s  ", (int64_t)sqlite3_column_int64(st, 0),
		    ctl_local(created_at, false, created, sizeof(created)));
		show_cell(db_text(st, 1), 13);
		show_cell(db_text(st, 8), 10);
		show_cell(sqlite3_column_type(st, 11) == SQLITE_NULL ? "-" :
		    db_text(st, 11), 8);
		show_cell(db_text(st, 3), 7);
		printf("%3d  %-11s  %-11s  ", sqlite3_column_int(st, 4),
		    show_when(ctl_col_time(st, 6), created_at, sent, sizeof(sent)),
		    show_when(ctl_col_time(st, 7), created_at, delivered,
		    sizeof(delivered)));
		show_cell_last(db_text(st, 2), textw, true);
		putchar('\n');
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return ctl_db_error(c);
	return ctl_list_end(c, &j, n, "(none)");
}

/* Runs a one-value count query (optionally binding t to ?1); -1 on error. */
static int64_t
show_count(struct ctl *c, const char *sql, jtime_t t)
{
	sqlite3_stmt	*st;
	int64_t		 v = -1;

	if ((st = db_stmt(c->db, sql)) == NULL)
		return -1;
	if (sqlite3_bind_parameter_count(st) >= 1)
		sqlite3_bind_int64(st, 1, t);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return v;
}

/* Local midnight of the day holding now (TZ is Europe/Stockholm). */
static jtime_t
show_midnight(jtime_t now)
{
	struct tm	tm;
	time_t		s = (time_t)(now / 1000);

	if (localtime_r(&s, &tm) == NULL)
		return now;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (jtime_t)mktime(&tm) * 1000;
}

/* One route as the status rows and the outbox show it. */
struct show_route {
	char	name[ROUTE_NAME_MAX];
	const char *kind;		/* "modem", "pager" */
	char	driver[16];		/* at, dummy, espa */
	const char *device;
	jtime_t	trouble_since;		/* 0 = healthy */
	char	state[32];		/* "" = never started */
	char	detail[256];
	jtime_t	since;
	int64_t	queued;			/* waiting after an attempt on it */
	int64_t	sent_today;
};

/* What jourd's status rows and the database say about its health. */
struct show_health {
	bool	have_db;
	bool	running;
	long	pid;
	jtime_t	started_at;
	jtime_t	heartbeat;		/* wall clock; 0 = stopped cleanly */
	jtime_t	beat_mono;		/* the monotonic clock at the last beat */
	jtime_t	beat_wall;		/* jourd's wall clock at that moment */
	jtime_t	beat_age;		/* how long ago the last beat was */
	jtime_t	skew;			/* this clock minus jourd's, 0 if under 1 s */
	char	modem[32];
	char	modem_detail[256];
	jtime_t	modem_since;
	jtime_t	trouble_since;		/* 0 = the modem is well */
	bool	trouble_alarm;		/* longer than alarm_after */
	int64_t	queue, failed, open, inbox_today;
	int64_t	due_consult;
	char	due_unit[UNIT_MAX];
	jtime_t	due_at;			/* on this clock */
	jtime_t	due_in;			/* from now, as jourd counts */
	int	dummy_waiting;		/* -1 = not the dummy driver, or unknown */
	int	schema;
	char	dummy_routes[128];	/* routes on the dummy driver, as a service */
	struct show_route routes[MAX_ROUTES];	/* in the order of the file */
	int	nroutes;
};

static jtime_t
show_ms(const char *s)
{
	char		*end;
	long long	 v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0)
		return 0;
	return (jtime_t)v;
}

/*
 * Whether jourd is alive, and how its wall clock stands to this one. The
 * heartbeat is judged on the monotonic clock, which no step of the wall
 * clock moves and which every process on the machine shares; the wall
 * clock is the fallback (a jourd that wrote no monotonic beat, or runs in
 * another time namespace). Between a step and jourd's next beat its wall
 * clock is the one the beat implies, so a due time it has not yet moved is
 * still read right.
 */
static void
show_health_clock(struct ctl *c, struct show_health *h)
{
	jtime_t	mono = jtime_mono(), age = mono - h->beat_mono;
	bool	by_mono, by_wall;

	by_mono = h->beat_mono > 0 && h->beat_wall > 0 && age >= 0 &&
	    age <= SHOW_HEARTBEAT_STALE;
	by_wall = c->now - h->heartbeat <= SHOW_HEARTBEAT_STALE;
	/* EPERM: the process exists but runs as another user (jourd's own). */
	h->running = h->heartbeat != 0 && h->pid > 0 && (by_mono || by_wall) &&
	    (kill((pid_t)h->pid, 0) == 0 || errno == EPERM);
	h->beat_age = c->now - h->heartbeat;
	if (!h->running || !by_mono)
		return;
	h->beat_age = age;
	h->skew = c->now - (h->beat_wall + age);
	if (h->skew > -JTIME_STEP_MIN && h->skew < JTIME_STEP_MIN)
		h->skew = 0;
}

/* A status row "route:NAME:FIELD" of a configured route. */
static void
show_route_row(struct show_health *h, const char *rest, const char *val)
{
	struct show_route	*r;
	const char		*field = strchr(rest, ':');
	int			 i;

	if (field == NULL)
		return;
	for (i = 0; i < h->nroutes; i++) {
		r = &h->routes[i];
		if (strlen(r->name) != (size_t)(field - rest) ||
		    strncmp(r->name, rest, (size_t)(field - rest)) != 0)
			continue;
		field++;
		if (strcmp(field, "state") == 0)
			text_copy(r->state, sizeof(r->state), val);
		else if (strcmp(field, "detail") == 0)
			text_copy(r->detail, sizeof(r->detail), val);
		else if (strcmp(field, "since") == 0)
			r->since = show_ms(val);
		else if (strcmp(field, "trouble_since") == 0)
			r->trouble_since = show_ms(val);
	}
}

/* The outbox's counts for route r: -1 on a read error. */
static int
show_route_counts(struct ctl *c, struct show_route *r)
{
	sqlite3_stmt	*st;
	const char	*sql[] = { sql_route_queued, sql_route_sent };
	int64_t		*out[] = { &r->queued, &r->sent_today };
	size_t		 i;

	for (i = 0; i < nitems(sql); i++) {
		if ((st = db_stmt(c->db, sql[i])) == NULL)
			return -1;
		db_bind_text(st, 1, r->name);
		sqlite3_bind_int64(st, 2, show_midnight(c->now));
		*out[i] = -1;
		if (sqlite3_step(st) == SQLITE_ROW)
			*out[i] = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		if (*out[i] < 0)
			return -1;
	}
	return 0;
}

static int
show_health_read(struct ctl *c, struct show_health *h)
{
	sqlite3_stmt	*st;
	const char	*key, *val;
	int		 rc;

	if ((st = db_stmt(c->db, sql_status_rows)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		key = db_text(st, 0);
		val = db_text(st, 1);
		if (strcmp(key, "pid") == 0)
			h->pid = (long)show_ms(val);
		else if (strcmp(key, "started_at") == 0)
			h->started_at = show_ms(val);
		else if (strcmp(key, "heartbeat") == 0)
			h->heartbeat = show_ms(val);
		else if (strcmp(key, "heartbeat_mono") == 0) {
			h->beat_mono = show_ms(val);
			h->beat_wall = sqlite3_column_int64(st, 2);
		}
		else if (strcmp(key, "modem") == 0)
			snprintf(h->modem, sizeof(h->modem), "%s", val);
		else if (strcmp(key, "modem_detail") == 0)
			text_copy(h->modem_detail, sizeof(h->modem_detail), val);
		else if (strcmp(key, "modem_since") == 0)
			h->modem_since = show_ms(val);
		else if (strcmp(key, "modem_trouble_since") == 0)
			h->trouble_since = show_ms(val);
		else if (strcmp(key, "modem_alarm") == 0)
			h->trouble_alarm = strcmp(val, "1") == 0;
		else if (strncmp(key, "route:", 6) == 0)
			show_route_row(h, key + 6, val);
		else if (strcmp(key, "dummy_routes") == 0)
			text_copy(h->dummy_routes, sizeof(h->dummy_routes), val);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;

	show_health_clock(c, h);

	for (rc = 0; rc < h->nroutes; rc++)
		if (show_route_counts(c, &h->routes[rc]) == -1)
			return -1;
	h->queue = show_count(c, sql_count_queue, 0);
	h->failed = show_count(c, sql_count_failed, 0);
	h->open = show_count(c, sql_count_open, 0);
	h->inbox_today = show_count(c, sql_count_inbox, show_midnight(c->now));
	if (h->queue < 0 || h->failed < 0 || h->open < 0 || h->inbox_today < 0)
		return -1;

	if ((st = db_stmt(c->db, sql_oldest_due)) == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		h->due_consult = sqlite3_column_int64(st, 0);
		snprintf(h->due_unit, sizeof(h->due_unit), "%s", db_text(st, 1));
		h->due_at = ctl_col_time(st, 2);
		/* Stored on jourd's clock: shown on this one. */
		h->due_in = h->due_at - (c->now - h->skew);
		h->due_at += h->skew;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	h->schema = db_version(c->db);
	return 0;
}

/* routes: every route with its state and its part of the outbox. */
static void
show_routes_json(struct json *j, const struct show_health *h)
{
	const struct show_route	*r;
	int			 i;

	json_key(j, "routes");
	json_array_begin(j);
	for (i = 0; i < h->nroutes; i++) {
		r = &h->routes[i];
		json_object_begin(j);
		json_kv_string(j, "name", r->name);
		json_kv_string(j, "kind", r->kind);
		json_kv_string(j, "state", r->state[0] ? r->state : NULL);
		json_kv_string(j, "detail", r->detail[0] ? r->detail : NULL);
		json_kv_time(j, "since", r->since);
		json_kv_int(j, "queued", r->queued);
		json_kv_int(j, "sent_today", r->sent_today);
		json_kv_time(j, "trouble_since", r->trouble_since);
		json_kv_string(j, "driver", r->driver);
		json_kv_string(j, "device", r->device);
		json_object_end(j);
	}
	json_array_end(j);
}

static void
show_status_json(struct ctl *c, struct json *j, const struct show_health *h)
{
	json_object_begin(j);
	json_key(j, "status");
	json_object_begin(j);
	json_kv_bool(j, "running", h->running);
	if (h->pid > 0)
		json_kv_int(j, "pid", h->pid);
	else
		json_kv_null(j, "pid");
	json_kv_time(j, "started_at", h->started_at);
	json_kv_time(j, "heartbeat", h->heartbeat);
	json_key(j, "modem");
	json_object_begin(j);
	json_kv_string(j, "state", h->modem[0] ? h->modem : NULL);
	json_kv_string(j, "detail", h->modem_detail[0] ? h->modem_detail : NULL);
	json_kv_time(j, "since", h->modem_since);
	json_kv_time(j, "trouble_since", h->trouble_since);
	json_kv_bool(j, "alarm", h->trouble_alarm);
	json_kv_string(j, "driver", c->cf.modems[0].driver == DRIVER_DUMMY ?
	    "dummy" : "at");
	json_kv_string(j, "device", c->cf.modems[0].device);
	if (h->dummy_waiting >= 0)
		json_kv_int(j, "dummy_waiting", h->dummy_waiting);
	else
		json_kv_null(j, "dummy_waiting");
	json_object_end(j);
	show_routes_json(j, h);
	if (h->have_db) {
		json_kv_int(j, "queue", h->queue);
		json_kv_int(j, "failed", h->failed);
		json_kv_int(j, "open_consults", h->open);
		json_key(j, "oldest_due");
		if (h->due_at != 0) {
			json_object_begin(j);
			json_kv_int(j, "consult", h->due_consult);
			json_kv_string(j, "unit", h->due_unit);
			json_kv_time(j, "due_at", h->due_at);
			json_kv_int(j, "due_in_s", h->due_in / JT_SECOND);
			json_object_end(j);
		} else
			json_null(j);
		json_kv_int(j, "inbox_today", h->inbox_today);
		json_kv_int(j, "schema", h->schema);
	}
	json_kv_string(j, "database", c->cf.database);
	json_object_end(j);
	json_object_end(j);
}

/* The database's absolute path, as the file system resolves it now. */
static const char *
show_realpath(const char *path, char *buf, size_t sz)
{
	char	*abs;

	if ((abs = realpath(path, NULL)) == NULL)
		return path;
	text_copy(buf, sz, abs);
	free(abs);
	return buf;
}

static void
show_status_table(struct ctl *c, const struct show_health *h)
{
	const struct show_route	*r;
	char			 t1[32], t2[32], dbpath[PATH_MAX];
	int			 i;

	if (h->running)
		printf("daemon:    running (pid %ld, since %s, heartbeat %s ago)\n",
		    h->pid, ctl_local(h->started_at, true, t1, sizeof(t1)),
		    show_span(h->beat_age, t2, sizeof(t2)));
	else if (h->heartbeat != 0)
		printf("daemon:    not running (last heartbeat %s)\n",
		    ctl_local(h->heartbeat, true, t1, sizeof(t1)));
	else
		printf("daemon:    not running\n");
	if (h->modem[0] != '\0')
		printf("modem:     %s%s%s since %s%s\n", h->modem,
		    h->modem_detail[0] ? ": " : "", h->modem_detail,
		    ctl_local(h->modem_since, true, t1, sizeof(t1)),
		    h->running ? "" : " (last known)");
	else
		printf("modem:     unknown\n");
	if (h->trouble_since != 0)
		printf("trouble:   modem unusable since %s (%s)%s\n",
		    ctl_local(h->trouble_since, true, t1, sizeof(t1)),
		    show_span(c->now - h->trouble_since, t2, sizeof(t2)),
		    h->trouble_alarm ? ", ALARM: longer than alarm_after" : "");
	if (h->dummy_waiting >= 0)
		printf("phone:     dummy at %s, %d SMS waiting to be read\n",
		    c->cf.modems[0].device, h->dummy_waiting);
	if (h->running && h->dummy_routes[0] != '\0')
		printf("WARNING:   route(s) %s use driver = dummy: SMS go into a "
		    "directory and nobody is paged\n", h->dummy_routes);
	if (!h->have_db) {
		printf("database:  %s does not exist yet\n", c->cf.database);
		return;
	}
	for (i = 0; i < h->nroutes; i++) {
		r = &h->routes[i];
		printf("route:     %s (%s, %s %s): %s%s%s, %" PRId64 " waiting, %"
		    PRId64 " sent today", r->name, r->kind, r->driver,
		    r->device, r->state[0] ? r->state : "unknown",
		    r->detail[0] ? ": " : "", r->detail, r->queued,
		    r->sent_today);
		if (r->trouble_since != 0)
			printf(", in trouble since %s",
			    ctl_local(r->trouble_since, true, t1, sizeof(t1)));
		putchar('\n');
	}
	printf("outbox:    %" PRId64 " queued or sending, %" PRId64 " failed\n",
	    h->queue, h->failed);
	printf("consults:  %" PRId64 " open", h->open);
	if (h->due_at != 0)
		printf(", next escalation %s (consult %" PRId64 ", %s) %s %s",
		    ctl_local(h->due_at, true, t1, sizeof(t1)), h->due_consult,
		    h->due_unit, h->due_in < 0 ? "overdue by" : "in",
		    show_span(h->due_in < 0 ? -h->due_in : h->due_in, t2,
		    sizeof(t2)));
	putchar('\n');
	printf("inbox:     %" PRId64 " SMS received today\n", h->inbox_today);
	printf("database:  %s (schema %d)\n", show_realpath(c->cf.database,
	    dbpath, sizeof(dbpath)), h->schema);
}

/* The routes of the configuration, in jourd's order: modems, pager. */
static void
show_routes_from_config(const struct config *cf, struct show_health *h)
{
	struct show_route	*r;
	int			 k;

	for (k = 0; k < cf->nmodems; k++) {
		r = &h->routes[h->nroutes++];
		text_copy(r->name, sizeof(r->name), cf->modems[k].name);
		r->kind = "modem";
		text_copy(r->driver, sizeof(r->driver),
		    cf->modems[k].driver == DRIVER_DUMMY ? "dummy" : "at");
		r->device = cf->modems[k].device;
	}
	if (cf->pager.enabled) {
		r = &h->routes[h->nroutes++];
		text_copy(r->name, sizeof(r->name), ROUTE_PAGER);
		r->kind = "pager";
		text_copy(r->driver, sizeof(r->driver), "espa");
		r->device = cf->pager.device;
	}
}

static const char *show_realpath(const char *, char *, size_t);

static const char sql_oldest_page_waiting[] =
    "SELECT min(created_at) FROM outbox WHERE kind = 'page'"
    " AND state IN ('queued', 'sending')";

/* The default of --max-queue-age: a page waiting longer is critical. */
#define SHOW_CHECK_MAX_AGE	(5 * JT_MINUTE)

/*
 * status --check: one line and a monitoring plugin's exit code. CRITICAL
 * when jourd is not running (its heartbeat stale), no SMS route is healthy
 * or a page has waited longer than --max-queue-age; WARNING when a route is
 * in trouble while another carries the load, or a role is uncovered in the
 * next day; UNKNOWN when the database cannot be read.
 */
static int
show_status_check(struct ctl *c, const struct show_health *h,
    const struct ctl_options *o)
{
	static const char *const words[] = { "OK", "WARNING", "CRITICAL",
	    "UNKNOWN" };
	const struct show_route	*r;
	struct coverage_gap	 gaps[8];
	struct calendar		 cal;
	jtime_t			 max_age = o->max_queue_age > 0 ?
				    o->max_queue_age : SHOW_CHECK_MAX_AGE;
	jtime_t			 oldest = 0, age = 0;
	char			 why[512] = "", span[32], dbpath[PATH_MAX];
	size_t			 ngaps = 0, n = 0;
	int			 i, healthy = 0, sms = 0, code = CTL_CHECK_OK;
	int			 rc;
	sqlite3_stmt		*st;

#define CHECK_SAY(level, ...) do {					\
	if ((level) > code)						\
		code = (level);						\
	if (n < sizeof(why))						\
		n += (size_t)snprintf(why + n, sizeof(why) - n, "%s",	\
		    n > 0 ? "; " : "");					\
	if (n < sizeof(why))						\
		n += (size_t)snprintf(why + n, sizeof(why) - n,		\
		    __VA_ARGS__);					\
} while (0)

	if (!h->have_db) {
		printf("JOURD CRITICAL - %s does not exist: jourd has never "
		    "run\n", c->cf.database);
		return CTL_CHECK_CRITICAL;
	}
	if (!h->running)
		CHECK_SAY(CTL_CHECK_CRITICAL, "jourd is not running%s",
		    h->heartbeat != 0 ? " (heartbeat stale)" : "");
	for (i = 0; i < h->nroutes; i++) {
		r = &h->routes[i];
		if (strcmp(r->kind, "modem") == 0)
			sms++;
		if (strcmp(r->state, "ready") == 0 && r->trouble_since == 0) {
			if (strcmp(r->kind, "modem") == 0)
				healthy++;
			continue;
		}
		if (h->running && (r->trouble_since != 0 ||
		    strcmp(r->state, "ready") != 0))
			CHECK_SAY(CTL_CHECK_WARNING, "route %s %s%s%s", r->name,
			    r->state[0] ? r->state : "unknown",
			    r->detail[0] ? ": " : "", r->detail);
	}
	if (h->running && healthy == 0)
		CHECK_SAY(CTL_CHECK_CRITICAL, "no SMS route healthy (%d "
		    "configured)", sms);
	if (h->running && h->dummy_routes[0] != '\0')
		CHECK_SAY(CTL_CHECK_WARNING, "route(s) %s on the dummy driver: "
		    "nobody is paged", h->dummy_routes);
	if ((st = db_stmt(c->db, sql_oldest_page_waiting)) == NULL)
		goto unknown;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		oldest = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		goto unknown;
	if (oldest > 0) {
		age = c->now - h->skew - oldest;
		if (age > max_age)
			CHECK_SAY(CTL_CHECK_CRITICAL, "a page has waited %s to "
			    "be sent", show_span(age, span, sizeof(span)));
	}
	if (c->cf.coverage_days > 0) {
		calendar_from_config(&cal, &c->cf);
		if (coverage_find(c->db, &c->cf, &cal, c->now, 1, gaps,
		    nitems(gaps), &ngaps) == -1)
			goto unknown;
		if (ngaps > 0)
			CHECK_SAY(CTL_CHECK_WARNING, "%zu role(s) uncovered in "
			    "the next day, first %s %s", ngaps, gaps[0].unit,
			    gaps[0].role);
	}
#undef CHECK_SAY
	printf("JOURD %s - %s | routes_healthy=%d;;;0;%d queue=%lld "
	    "oldest_page_s=%lld database=%s\n", words[code],
	    why[0] ? why : "paging works", healthy, sms, (long long)h->queue,
	    (long long)(age / JT_SECOND), show_realpath(c->cf.database, dbpath,
	    sizeof(dbpath)));
	return code;
unknown:
	printf("JOURD UNKNOWN - database %s: %s\n", c->cf.database,
	    db_errmsg(c->db));
	return CTL_CHECK_UNKNOWN;
}

int
ctl_status(struct ctl *c, const struct ctl_options *o)
{
	struct show_health	h;
	struct json		j;

	memset(&h, 0, sizeof(h));
	h.dummy_waiting = -1;
	show_routes_from_config(&c->cf, &h);
	if (c->cf.modems[0].driver == DRIVER_DUMMY)
		h.dummy_waiting = inject_pending(c->cf.modems[0].device);
	if (c->db != NULL) {
		h.have_db = true;
		if (show_health_read(c, &h) == -1) {
			if (o->check) {
				printf("JOURD UNKNOWN - database %s: %s\n",
				    c->cf.database, db_errmsg(c->db));
				return CTL_CHECK_UNKNOWN;
			}
			return ctl_db_error(c);
		}
	}
	if (o->check)
		return show_status_check(c, &h, o);
	if (!c->json) {
		show_status_table(c, &h);
		ctl_coverage_status(c);
		return CTL_OK;
	}
	json_init(&j, stdout, true);
	show_status_json(c, &j, &h);
	return ctl_json_finish(&j);
}
