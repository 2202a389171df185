/*
 * db.c — the SQLite connection: pragmas, migrations, a statement cache.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "jtime.h"
#include "log.h"
#include "schema.h"

#define DB_STMT_SLOTS 128

struct db_cached {
	const char	*sql;		/* identity: the address of the literal */
	sqlite3_stmt	*st;
};

/* The pause before writing again after a failure: 1 s, doubling to 60 s. */
#define DB_BACKOFF_MIN	(1 * JT_SECOND)
#define DB_BACKOFF_MAX	(60 * JT_SECOND)

/*
 * A damaged file does not heal by waiting: this many "malformed" answers
 * without a transaction committed between them stop the process.
 */
#define DB_CORRUPT_FATAL	3

struct db {
	sqlite3			*h;
	char			 path[PATH_MAX];
	int			 lock_fd;	/* jourd's lock on the file, or -1 */
	int			 corrupt;	/* damage reports since a commit */
#ifdef JOURD_FAULTS
	bool			 fault_interrupt;	/* the running query fails */
#endif
	struct db_cached	 cache[DB_STMT_SLOTS];
	int			 ncache;
	/* Storage trouble (disk full, locked, read-only); monotonic times. */
	jtime_t			 trouble_since;	/* 0 = writes work */
	jtime_t			 next_try;
	jtime_t			 backoff;
	long			 failures;
};

/*
 * A statement failed with rc. The first failure of an outage is a warning;
 * the rest are logged with -v only, so a full disk does not fill the journal
 * too. Each failure doubles the pause before the next write is tried. A
 * damaged file is fatal once it persists: exiting lets systemd restart
 * jourd, whose start-up check then refuses the file loudly, where retrying
 * would look healthy while no SMS is ever stored.
 */
static void
db_failed(struct db *db, int rc, const char *what, const char *sql)
{
	jtime_t	now = jtime_mono();

	if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB) {
		log_warnx("database %s: %s: %.60s", db->path, what, sql);
		if (++db->corrupt >= DB_CORRUPT_FATAL)
			fatalx("database %s is damaged (%s); stopping: check it "
			    "with PRAGMA quick_check and restore a backup",
			    db->path, what);
	}
	db->failures++;
	if (db->trouble_since == 0) {
		log_warnx("database: %s: %.60s; writes are retried, with a "
		    "growing pause, until they work", what, sql);
		db->trouble_since = now;
		db->backoff = DB_BACKOFF_MIN;
	} else {
		log_debug("database: %s: %.60s", what, sql);
		db->backoff = db->backoff * 2 > DB_BACKOFF_MAX ? DB_BACKOFF_MAX :
		    db->backoff * 2;
	}
	db->next_try = now + db->backoff;
}

/* A write went through: the outage, if any, is over. */
static void
db_worked(struct db *db)
{
	if (db->trouble_since == 0)
		return;
	log_info("database: writes work again after %llds (%ld failed "
	    "statement(s))", (long long)((jtime_mono() - db->trouble_since) /
	    JT_SECOND), db->failures);
	db->trouble_since = db->next_try = db->backoff = 0;
	db->failures = 0;
}

bool
db_may_write(struct db *db)
{
	return db->trouble_since == 0 || jtime_mono() >= db->next_try;
}

jtime_t
db_retry_in(struct db *db)
{
	jtime_t	left = db->next_try - jtime_mono();

	if (db->trouble_since == 0)
		return 0;
	return left > 100 ? left : 100;
}

/* Applies every compiled-in migration newer than PRAGMA user_version. */
static int
db_migrate(struct db *db, char *err, size_t errsz)
{
	int	i, have;
	char	pragma[64];
	char	*msg = NULL;

	for (i = 0; i < schema_nmigrations; i++) {
		const struct schema_migration *m = &schema_migrations[i];

		/* Up to date: no write lock, so a reader is never held up by
		 * another process's write transaction. */
		if (db_version(db) >= m->version)
			continue;
		/* IMMEDIATE: jourd and jourctl may race to migrate a new file. */
		if (sqlite3_exec(db->h, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK)
			goto fail;
		have = db_version(db);
		if (have >= m->version) {
			sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL);
			continue;
		}
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", m->version);
		if (sqlite3_exec(db->h, m->sql, NULL, NULL, &msg) != SQLITE_OK ||
		    sqlite3_exec(db->h, pragma, NULL, NULL, &msg) != SQLITE_OK ||
		    sqlite3_exec(db->h, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
			snprintf(err, errsz, "migration %s: %s", m->name,
			    msg ? msg : sqlite3_errmsg(db->h));
			sqlite3_free(msg);
			sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
	}
	return 0;
fail:
	snprintf(err, errsz, "migration: %s", msg ? msg : sqlite3_errmsg(db->h));
	sqlite3_free(msg);
	return -1;
}

/* Creates the directories above path (mode 0700: patient-adjacent data). */
static int
db_mkdirs(const char *path, char *err, size_t errsz)
{
	char	dir[PATH_MAX], *p;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir)) {
		snprintf(err, errsz, "%s: path too long", path);
		return -1;
	}
	for (p = dir + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
			snprintf(err, errsz, "%s: %s", dir, strerror(errno));
			return -1;
		}
		*p = '/';
	}
	return 0;
}

/*
 * The single-instance lock of the daemon: flock(2) on a descriptor of the
 * database file itself, so every name of the file (a symbolic or a hard
 * link) meets the same lock. SQLite locks the file with fcntl(2) byte
 * ranges, which on Linux are independent of flock; the descriptor stays
 * open until db_close, since closing any descriptor of the file would drop
 * SQLite's fcntl locks.
 */
static int
db_lock(struct db *db, char *err, size_t errsz)
{
	if ((db->lock_fd = open(db->path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errsz, "%s: %s", db->path, strerror(errno));
		return -1;
	}
	if (flock(db->lock_fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK)
			snprintf(err, errsz, "%s: another jourd is already "
			    "running on this database file", db->path);
		else
			snprintf(err, errsz, "%s: lock: %s", db->path,
			    strerror(errno));
		return -1;
	}
	return 0;
}

/* The first column of the first row of sql as an integer; -1 on error. */
static int
db_probe(struct db *db, const char *sql, int64_t *v, char *err, size_t errsz)
{
	sqlite3_stmt	*st;
	int		 rc;

	*v = 0;
	if ((rc = sqlite3_prepare_v2(db->h, sql, -1, &st, NULL)) == SQLITE_OK) {
		if ((rc = sqlite3_step(st)) == SQLITE_ROW)
			*v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		snprintf(err, errsz, "%s: %s", db->path, sqlite3_errstr(rc));
		return -1;
	}
	return 0;
}

/*
 * Whether the file is one jourd may work on, before anything writes to it.
 * A database is created only where no file existed (fresh): an existing
 * file without tables is what a failed restore or a stray touch leaves,
 * and starting on it would answer every clinician as a stranger. A schema
 * newer than the migrations compiled in was written by a newer jourd,
 * whose data this one could damage.
 */
static int
db_check_shape(struct db *db, bool fresh, char *err, size_t errsz)
{
	int64_t	tables, version;
	int	known = schema_nmigrations > 0 ?
		    schema_migrations[schema_nmigrations - 1].version : 0;

	if (db_probe(db, "SELECT count(*) FROM sqlite_master", &tables, err,
	    errsz) == -1 ||
	    db_probe(db, "PRAGMA user_version", &version, err, errsz) == -1)
		return -1;
	if (tables == 0 && !fresh) {
		snprintf(err, errsz, "%s: the file exists but is empty (no "
		    "tables): a database is created only where no file exists; "
		    "restore a backup, or remove the file to start afresh",
		    db->path);
		return -1;
	}
	if (version > known) {
		snprintf(err, errsz, "%s: schema version %lld is newer than "
		    "this program knows (%d): it was written by a newer jourd; "
		    "run that version or restore a backup", db->path,
		    (long long)version, known);
		return -1;
	}
	if (version == 0 && tables > 0) {
		snprintf(err, errsz, "%s: not a jourd database (tables, but no "
		    "schema version)", db->path);
		return -1;
	}
	return 0;
}

/*
 * PRAGMA quick_check: the b-trees and their pages are sound. A damaged
 * file found now is refused with its first complaint; found later it
 * would look healthy until the first SMS that touches the damage.
 */
static int
db_quick_check(struct db *db, char *err, size_t errsz)
{
	sqlite3_stmt	*st;
	int		 rc;
	char		 first[256] = "";

	if ((rc = sqlite3_prepare_v2(db->h, "PRAGMA quick_check(1)", -1, &st,
	    NULL)) != SQLITE_OK) {
		snprintf(err, errsz, "%s: PRAGMA quick_check: %s", db->path,
		    sqlite3_errstr(rc));
		return -1;
	}
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		snprintf(first, sizeof(first), "%s",
		    (const char *)sqlite3_column_text(st, 0) ?
		    (const char *)sqlite3_column_text(st, 0) : "");
	sqlite3_finalize(st);
	/* Locked or out of memory says nothing about the file's pages. */
	if (rc != SQLITE_ROW && rc != SQLITE_DONE && (rc & 0xff) !=
	    SQLITE_CORRUPT && (rc & 0xff) != SQLITE_NOTADB) {
		snprintf(err, errsz, "%s: PRAGMA quick_check could not run: %s",
		    db->path, sqlite3_errstr(rc));
		return -1;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		snprintf(first, sizeof(first), "%s", sqlite3_errstr(rc));
	if (strcmp(first, "ok") != 0) {
		snprintf(err, errsz, "%s: the database is damaged (PRAGMA "
		    "quick_check: %s); restore a backup", db->path, first);
		return -1;
	}
	return 0;
}

#ifdef JOURD_FAULTS
/*
 * Fault injection, in the test build only (make faults): while the file
 * named by $JOURD_FAULT_READS holds a table name, every query that reads
 * FROM that table fails with SQLITE_INTERRUPT, as a read error that leaves
 * the rest of the transaction working would. The trace callback sees each
 * statement start; the progress handler then stops it.
 */
static int
db_fault_trace(unsigned type, void *arg, void *p, void *x)
{
	struct db	*db = arg;
	const char	*sql = x, *path = getenv("JOURD_FAULT_READS");
	char		 table[64], from[80];
	FILE		*fp;

	db->fault_interrupt = false;
	if (type != SQLITE_TRACE_STMT || path == NULL ||
	    strncmp(sql, "SELECT", 6) != 0 || (fp = fopen(path, "r")) == NULL)
		return 0;
	if (fscanf(fp, "%63s", table) == 1) {
		snprintf(from, sizeof(from), "FROM %s ", table);
		db->fault_interrupt = strstr(sql, from) != NULL;
	}
	fclose(fp);
	return 0;
}

static int
db_fault_progress(void *arg)
{
	struct db	*db = arg;

	return db->fault_interrupt;
}
#endif

/*
 * Creates the database file, when there is none, readable by its owner only:
 * SQLite would create it 0644 less the umask, and its -wal and -shm files
 * take the main file's mode. An existing file is left as it is, and so are
 * SQLite's names for a database without a file (":memory:", "").
 */
static int
db_create_private(const char *path, char *err, size_t errsz)
{
	int	fd;

	if (path[0] == '\0' || strcmp(path, ":memory:") == 0)
		return 0;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1) {
		if (errno == EEXIST)
			return 0;
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* The umask may have taken more than the group and other bits. */
	if (fchmod(fd, 0600) == -1) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	return 0;
}

/* db_open and db_open_daemon: daemon adds the lock and quick_check. */
static struct db *
db_open_as(const char *path, bool daemon, char *err, size_t errsz)
{
	struct db	*db;
	struct stat	 sb;
	bool		 fresh;
	char		*msg = NULL;
	static const char pragmas[] =
	    "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = FULL;"
	    "PRAGMA foreign_keys = ON;"
	    "PRAGMA secure_delete = ON;";

	if (db_mkdirs(path, err, errsz) == -1)
		return NULL;
	if (stat(path, &sb) == 0)
		fresh = false;
	else if (errno == ENOENT)
		fresh = true;
	else {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if ((db = calloc(1, sizeof(*db))) == NULL) {
		snprintf(err, errsz, "%s: out of memory", path);
		return NULL;
	}
	db->lock_fd = -1;
	if (snprintf(db->path, sizeof(db->path), "%s", path) >=
	    (int)sizeof(db->path)) {
		snprintf(err, errsz, "%s: path too long", path);
		goto fail;
	}
	/* After the stat above: a file made here is still a fresh one. */
	if (fresh && db_create_private(path, err, errsz) == -1)
		goto fail;
	if (sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errsz, "%s: %s", path,
		    db->h ? sqlite3_errmsg(db->h) : "cannot open");
		goto fail;
	}
	sqlite3_extended_result_codes(db->h, 1);
	sqlite3_busy_timeout(db->h, 5000);
#ifdef JOURD_FAULTS
	if (getenv("JOURD_FAULT_READS") != NULL) {
		sqlite3_trace_v2(db->h, SQLITE_TRACE_STMT, db_fault_trace, db);
		sqlite3_progress_handler(db->h, 1, db_fault_progress, db);
	}
#endif
	/* Locked before anything is read or written: a second daemon never
	 * gets as far as a migration. */
	if (daemon && db_lock(db, err, errsz) == -1)
		goto fail;
	if (db_check_shape(db, fresh, err, errsz) == -1)
		goto fail;
	if (daemon && !fresh && db_quick_check(db, err, errsz) == -1)
		goto fail;
	if (sqlite3_exec(db->h, pragmas, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errsz, "%s: %s", path, msg ? msg : "pragmas failed");
		sqlite3_free(msg);
		goto fail;
	}
	if (db_migrate(db, err, errsz) == -1)
		goto fail;
	return db;
fail:
	db_close(db);
	return NULL;
}

struct db *
db_open(const char *path, char *err, size_t errsz)
{
	return db_open_as(path, false, err, errsz);
}

struct db *
db_open_daemon(const char *path, char *err, size_t errsz)
{
	return db_open_as(path, true, err, errsz);
}

struct db *
db_open_readonly(const char *path, char *err, size_t errsz)
{
	struct db	*db;
	char		*msg = NULL;

	if ((db = calloc(1, sizeof(*db))) == NULL) {
		snprintf(err, errsz, "%s: out of memory", path);
		return NULL;
	}
	db->lock_fd = -1;
	if (snprintf(db->path, sizeof(db->path), "%s", path) >=
	    (int)sizeof(db->path)) {
		snprintf(err, errsz, "%s: path too long", path);
		goto fail;
	}
	if (sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errsz, "%s: %s", path,
		    db->h ? sqlite3_errmsg(db->h) : "cannot open");
		goto fail;
	}
	sqlite3_extended_result_codes(db->h, 1);
	/* WAL readers wait for no writer; this covers a checkpoint only. */
	sqlite3_busy_timeout(db->h, 1000);
	if (sqlite3_exec(db->h, "PRAGMA query_only = ON", NULL, NULL, &msg) !=
	    SQLITE_OK) {
		snprintf(err, errsz, "%s: %s", path, msg ? msg : "pragma failed");
		sqlite3_free(msg);
		goto fail;
	}
	if (db_version(db) <= 0) {
		snprintf(err, errsz, "%s: not a jourd database (yet): jourd "
		    "creates it", path);
		goto fail;
	}
	return db;
fail:
	db_close(db);
	return NULL;
}

void
db_close(struct db *db)
{
	int	i;

	if (db == NULL)
		return;
	for (i = 0; i < db->ncache; i++)
		sqlite3_finalize(db->cache[i].st);
	sqlite3_close(db->h);
	/* Only now: closing it earlier would drop SQLite's fcntl locks. */
	if (db->lock_fd != -1)
		close(db->lock_fd);
	free(db);
}

sqlite3 *
db_handle(struct db *db)
{
	return db->h;
}

int
db_version(struct db *db)
{
	sqlite3_stmt	*st;
	int		 v = 0;

	if (sqlite3_prepare_v2(db->h, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

sqlite3_stmt *
db_stmt(struct db *db, const char *sql)
{
	int		 i, rc;
	sqlite3_stmt	*st;

	for (i = 0; i < db->ncache; i++) {
		if (db->cache[i].sql == sql) {
			st = db->cache[i].st;
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return st;
		}
	}
	if ((rc = sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &st, NULL)) != SQLITE_OK) {
		db_failed(db, rc, sqlite3_errmsg(db->h), sql);
		return NULL;
	}
	/* A full cache still works: the statement is simply not kept. */
	if (db->ncache < DB_STMT_SLOTS) {
		db->cache[db->ncache].sql = sql;
		db->cache[db->ncache].st = st;
		db->ncache++;
	} else
		log_warnx("sql statement cache full");
	return st;
}

int
db_exec(struct db *db, const char *sql)
{
	char	*msg = NULL;
	int	 rc;

	if ((rc = sqlite3_exec(db->h, sql, NULL, NULL, &msg)) != SQLITE_OK) {
		db_failed(db, rc, msg ? msg : sqlite3_errmsg(db->h), sql);
		sqlite3_free(msg);
		return -1;
	}
	if (strcmp(sql, "COMMIT") == 0) {
		db->corrupt = 0;
		db_worked(db);
	}
	return 0;
}

int
db_begin(struct db *db)
{
	return db_exec(db, "BEGIN IMMEDIATE");
}

int
db_commit(struct db *db)
{
	return db_exec(db, "COMMIT");
}

void
db_rollback(struct db *db)
{
	if (!sqlite3_get_autocommit(db->h))
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}

int
db_done(struct db *db, sqlite3_stmt *st)
{
	int	rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		db_failed(db, rc, sqlite3_errmsg(db->h), sqlite3_sql(st));
		return -1;
	}
	/* Outside a transaction a write is committed by now. */
	if (!sqlite3_stmt_readonly(st) && sqlite3_get_autocommit(db->h))
		db_worked(db);
	return 0;
}

int
db_row(struct db *db, sqlite3_stmt *st)
{
	int	rc;

	if (st == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	db_failed(db, rc, sqlite3_errmsg(db->h), sqlite3_sql(st));
	return -1;
}

int64_t
db_int64(struct db *db, const char *sql)
{
	sqlite3_stmt	*st;
	int64_t		 v = 0;

	if ((st = db_stmt(db, sql)) == NULL)
		return 0;
	if (db_row(db, st) == 1)
		v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return v;
}

const char *
db_text(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? (const char *)s : "";
}

int
db_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

int
db_bind_time(sqlite3_stmt *st, int i, jtime_t v)
{
	if (v == 0)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_int64(st, i, v);
}

const char *
db_errmsg(struct db *db)
{
	return sqlite3_errmsg(db->h);
}
