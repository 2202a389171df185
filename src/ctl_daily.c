/*
 * ctl_daily.c — jourctl's day-two commands (DESIGN §12): the roster's
 * gaps ahead (coverage, and its line in status) and an online backup of
 * the database that a running jourd keeps writing through.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "calendar.h"
#include "coverage.h"
#include "ctl.h"
#include "jtime.h"
#include "text.h"

/* The most gaps jourctl lists. */
#define CTL_GAPS_MAX		4096
/* Pages copied per backup step: a step holds no lock a writer waits for
 * (WAL), but a short one keeps the copy's progress visible to a signal. */
#define BACKUP_STEP_PAGES	256
/* Waits on a busy or locked database, and the longest it may last. */
#define BACKUP_BUSY_SLEEP_MS	20
#define BACKUP_BUSY_LIMIT	(60 * JT_SECOND)

static const char sql_gap_told[] =
    "SELECT EXISTS (SELECT 1 FROM coverage_told WHERE unit = ?1"
    " AND role = ?2 AND from_at < ?4 AND to_at > ?3)";

/* The gaps ahead by the configuration; NULL (said) on a failure. */
static struct coverage_gap *
ctl_gaps(struct ctl *c, size_t *n)
{
	struct coverage_gap	*gaps;
	struct calendar		 cal;

	if ((gaps = calloc(CTL_GAPS_MAX, sizeof(*gaps))) == NULL) {
		ctl_warnx("coverage: %s", strerror(errno));
		return NULL;
	}
	calendar_from_config(&cal, &c->cf);
	if (coverage_find(c->db, &c->cf, &cal, c->now, c->cf.coverage_days,
	    gaps, CTL_GAPS_MAX, n) == -1) {
		ctl_warnx("database: %s", db_errmsg(c->db));
		free(gaps);
		return NULL;
	}
	return gaps;
}

/* Whether the administrators were told of g: 1, 0, or -1 on an error. */
static int
ctl_gap_told(struct ctl *c, const struct coverage_gap *g)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = db_stmt(c->db, sql_gap_told)) == NULL)
		return -1;
	db_bind_text(st, 1, g->unit);
	db_bind_text(st, 2, g->role);
	sqlite3_bind_int64(st, 3, g->from);
	sqlite3_bind_int64(st, 4, g->to);
	if ((rc = db_row(c->db, st)) == 1)
		rc = sqlite3_column_int(st, 0) != 0;
	sqlite3_reset(st);
	return rc;
}

int
ctl_coverage(struct ctl *c, const struct ctl_options *o)
{
	struct coverage_gap	*gaps;
	struct json		 j;
	char			 t1[32], t2[32];
	size_t			 n, i;
	int			 told;

	if ((gaps = ctl_gaps(c, &n)) == NULL)
		return CTL_ERROR;
	if (c->json) {
		json_init(&j, stdout, true);
		json_object_begin(&j);
		json_kv_int(&j, "days", c->cf.coverage_days);
		json_kv_int(&j, "gaps", (int64_t)n);
		json_key(&j, "coverage");
		json_array_begin(&j);
	} else if (c->cf.coverage_days == 0)
		printf("the coverage check is off ([daemon] coverage_days = 0)\n");
	else
		printf("%-12s  %-10s  %-16s  %-16s  %s\n", "UNIT", "ROLE", "FROM",
		    "TO", "TOLD");
	for (i = 0; i < n && i < CTL_GAPS_MAX; i++) {
		if ((told = ctl_gap_told(c, &gaps[i])) == -1) {
			free(gaps);
			return ctl_db_error(c);
		}
		if (c->json) {
			json_object_begin(&j);
			json_kv_string(&j, "unit", gaps[i].unit);
			json_kv_string(&j, "role", gaps[i].role);
			json_kv_time(&j, "from", gaps[i].from);
			json_kv_time(&j, "to", gaps[i].to);
			json_kv_bool(&j, "told", told);
			json_object_end(&j);
		} else
			printf("%-12s  %-10s  %-16s  %-16s  %s\n", gaps[i].unit,
			    gaps[i].role, ctl_local(gaps[i].from, false, t1,
			    sizeof(t1)), ctl_local(gaps[i].to, false, t2,
			    sizeof(t2)), told ? "yes" : "no");
	}
	free(gaps);
	if (!c->json) {
		if (n > CTL_GAPS_MAX)
			printf("… and %zu more\n", n - CTL_GAPS_MAX);
		return CTL_OK;
	}
	json_array_end(&j);
	json_object_end(&j);
	return ctl_json_finish(&j);
}

void
ctl_coverage_status(struct ctl *c)
{
	struct coverage_gap	*gaps;
	size_t			 n;

	if (c->db == NULL)
		return;
	if (c->cf.coverage_days == 0) {
		printf("coverage: not checked ([daemon] coverage_days = 0)\n");
		return;
	}
	if ((gaps = ctl_gaps(c, &n)) == NULL)
		return;
	free(gaps);
	printf("coverage: %zu gap(s) in the next %d days%s\n", n,
	    c->cf.coverage_days, n > 0 ? " (jourctl coverage)" : "");
}

/* Removes the temporary copy and what SQLite may have left beside it. */
static void
ctl_backup_unlink(const char *tmp)
{
	static const char *const side[] = { "", "-journal", "-wal", "-shm" };
	char	path[PATH_MAX + 16];
	size_t	i;

	for (i = 0; i < nitems(side); i++) {
		snprintf(path, sizeof(path), "%s%s", tmp, side[i]);
		unlink(path);
	}
}

/* fsync of a file or directory by name; 0 or -1 with errno. */
static int
ctl_fsync_path(const char *path, int flags)
{
	int	fd, rc, saved;

	if ((fd = open(path, flags | O_CLOEXEC)) == -1)
		return -1;
	rc = fsync(fd);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

/* The first column of sql on h as an integer, -1 on an error. */
static int64_t
ctl_backup_count(sqlite3 *h, const char *sql)
{
	sqlite3_stmt	*st;
	int64_t		 v = -1;

	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/*
 * Copies the database into tmp with SQLite's online backup, from one
 * snapshot: jourd goes on writing (WAL), and its commits after the
 * snapshot are not in the copy, so the copy never restarts. Then the copy
 * is made one self-contained file and checked. 0, or -1 with why.
 */
static int
ctl_backup_copy(const char *database, const char *tmp, int *pages,
    int64_t *consults, int64_t *inbox, char *why, size_t whysz)
{
	sqlite3		*src = NULL, *dst = NULL;
	sqlite3_backup	*b;
	sqlite3_stmt	*st;
	jtime_t		 busy_since = 0;
	int		 rc, ret = -1;
	char		*msg = NULL;

	if (sqlite3_open_v2(database, &src, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		snprintf(why, whysz, "%s: %s", database, src ?
		    sqlite3_errmsg(src) : "out of memory");
		goto done;
	}
	sqlite3_busy_timeout(src, 5000);
	/* A read transaction pins the snapshot every step copies from. */
	if (sqlite3_exec(src, "BEGIN; SELECT count(*) FROM sqlite_master;",
	    NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(why, whysz, "%s: %s", database, msg ? msg :
		    sqlite3_errmsg(src));
		goto done;
	}
	if (sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK) {
		snprintf(why, whysz, "%s: %s", tmp, dst ? sqlite3_errmsg(dst) :
		    "out of memory");
		goto done;
	}
	if ((b = sqlite3_backup_init(dst, "main", src, "main")) == NULL) {
		snprintf(why, whysz, "backup: %s", sqlite3_errmsg(dst));
		goto done;
	}
	for (;;) {
		rc = sqlite3_backup_step(b, BACKUP_STEP_PAGES);
		if (rc == SQLITE_OK) {
			busy_since = 0;
			continue;
		}
		if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
			break;
		/* Locked for a moment (a checkpoint): wait, not forever. */
		if (busy_since == 0)
			busy_since = jtime_mono();
		else if (jtime_mono() - busy_since > BACKUP_BUSY_LIMIT)
			break;
		nanosleep(&(struct timespec){ 0, BACKUP_BUSY_SLEEP_MS *
		    1000000L }, NULL);
	}
	*pages = sqlite3_backup_pagecount(b);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		snprintf(why, whysz, "backup: %s", rc == SQLITE_BUSY ||
		    rc == SQLITE_LOCKED ? "the database stayed locked for 60 s" :
		    sqlite3_errstr(rc));
		goto done;
	}
	sqlite3_exec(src, "COMMIT", NULL, NULL, NULL);
	/* The copy is one file: no -wal to forget when it is moved. */
	if (sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL,
	    &msg) != SQLITE_OK) {
		snprintf(why, whysz, "%s: %s", tmp, msg ? msg :
		    sqlite3_errmsg(dst));
		goto done;
	}
	if (sqlite3_prepare_v2(dst, "PRAGMA quick_check", -1, &st, NULL) !=
	    SQLITE_OK) {
		snprintf(why, whysz, "%s: %s", tmp, sqlite3_errmsg(dst));
		goto done;
	}
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW || strcmp((const char *)sqlite3_column_text(st,
	    0), "ok") != 0) {
		snprintf(why, whysz, "the copy fails its quick_check: %s",
		    rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) :
		    sqlite3_errmsg(dst));
		sqlite3_finalize(st);
		goto done;
	}
	sqlite3_finalize(st);
	*consults = ctl_backup_count(dst, "SELECT count(*) FROM consults");
	*inbox = ctl_backup_count(dst, "SELECT count(*) FROM inbox");
	ret = 0;
done:
	sqlite3_free(msg);
	if (dst != NULL && sqlite3_close(dst) != SQLITE_OK && ret == 0) {
		snprintf(why, whysz, "%s: close failed", tmp);
		ret = -1;
	}
	sqlite3_close(src);
	return ret;
}

int
ctl_backup(struct ctl *c, const struct ctl_options *o)
{
	const char	*file = NULL;
	char		 tmp[PATH_MAX], dir[PATH_MAX], why[PATH_MAX + 128];
	struct stat	 sb;
	struct json	 j;
	bool		 force = false;
	int64_t		 consults = -1, inbox = -1;
	int		 fd, i, pages = 0;

	for (i = 0; i < o->nargs; i++) {
		if (strcmp(o->args[i], "--force") == 0)
			force = true;
		else if (strcmp(o->args[i], "--json") == 0)
			c->json = true;
		else if (o->args[i][0] == '-' || file != NULL) {
			ctl_warnx("backup: %s: unexpected argument", o->args[i]);
			return CTL_USAGE;
		} else
			file = o->args[i];
	}
	if (file == NULL || file[0] == '\0') {
		ctl_warnx("backup: no FILE");
		return CTL_USAGE;
	}
	if (access(c->cf.database, F_OK) == -1) {
		ctl_warnx("%s: %s", c->cf.database, strerror(errno));
		return CTL_ERROR;
	}
	if (!force && lstat(file, &sb) == 0) {
		ctl_warnx("backup: %s exists (--force replaces it)", file);
		return CTL_ERROR;
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", file) >=
	    sizeof(tmp)) {
		ctl_warnx("backup: %s: name too long", file);
		return CTL_ERROR;
	}
	/* Created 0600 whatever the umask: the copy holds what the
	 * database holds. */
	if ((fd = mkstemp(tmp)) == -1) {
		ctl_warnx("backup: %s: %s", file, strerror(errno));
		return CTL_ERROR;
	}
	if (fchmod(fd, 0600) == -1) {
		ctl_warnx("backup: %s: %s", tmp, strerror(errno));
		close(fd);
		ctl_backup_unlink(tmp);
		return CTL_ERROR;
	}
	close(fd);
	if (ctl_backup_copy(c->cf.database, tmp, &pages, &consults, &inbox,
	    why, sizeof(why)) == -1)
		goto fail;
	if (ctl_fsync_path(tmp, O_RDONLY) == -1) {
		snprintf(why, sizeof(why), "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	/* Without --force the name is taken atomically: a file that
	 * appeared meanwhile is not replaced. */
	if (force ? rename(tmp, file) == -1 : link(tmp, file) == -1) {
		snprintf(why, sizeof(why), "%s: %s%s", file, strerror(errno),
		    errno == EEXIST ? " (--force replaces it)" : "");
		goto fail;
	}
	if (!force)
		unlink(tmp);
	text_copy(dir, sizeof(dir), file);
	if (ctl_fsync_path(dirname(dir), O_RDONLY | O_DIRECTORY) == -1)
		ctl_warnx("backup: fsync of the directory of %s: %s", file,
		    strerror(errno));
	if (!c->json) {
		printf("backup of %s written to %s: %d pages, quick_check ok, "
		    "%" PRId64 " consults, %" PRId64 " SMS received\n",
		    c->cf.database, file, pages, consults, inbox);
		return CTL_OK;
	}
	json_init(&j, stdout, true);
	json_object_begin(&j);
	json_key(&j, "backup");
	json_object_begin(&j);
	json_kv_string(&j, "database", c->cf.database);
	json_kv_string(&j, "file", file);
	json_kv_int(&j, "pages", pages);
	json_kv_string(&j, "quick_check", "ok");
	json_kv_int(&j, "consults", consults);
	json_kv_int(&j, "inbox", inbox);
	json_object_end(&j);
	json_object_end(&j);
	return ctl_json_finish(&j);
fail:
	ctl_backup_unlink(tmp);
	ctl_warnx("backup: %s", why);
	return CTL_ERROR;
}
