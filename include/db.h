/*
 * db.h — the SQLite database: open, migrate, prepared statements.
 *
 * db_open() sets WAL, synchronous=FULL, foreign keys and a busy timeout and
 * applies the migrations compiled in from schema/ (each in its own
 * transaction, recorded in PRAGMA user_version). Statements are prepared
 * once: db_stmt() keys its cache by the address of the SQL string, so pass
 * string literals or other static strings only.
 */
#ifndef JOURD_DB_H
#define JOURD_DB_H

#include <sqlite3.h>

#include "common.h"

struct db;

/*
 * Opens path; NULL with a message in err naming the file. Free with
 * db_close. A database is created (and migrated) only where no file
 * exists: an existing file without tables, a schema newer than this
 * program knows, or a file that is not jourd's is refused.
 */
struct db *db_open(const char *path, char *err, size_t errsz);

/*
 * As db_open for the daemon: first an exclusive lock on the file itself
 * (any name of it), held until db_close, then PRAGMA quick_check, both
 * before any migration.
 */
struct db *db_open_daemon(const char *path, char *err, size_t errsz);
/*
 * Opens an existing jourd database with SQLITE_OPEN_READONLY, for the web
 * console's worker: no migration, no lock, and no write is possible.
 */
struct db *db_open_readonly(const char *path, char *err, size_t errsz);
void db_close(struct db *db);
sqlite3 *db_handle(struct db *db);

/* The schema version after migration. */
int db_version(struct db *db);

/* A cached, reset statement for sql (a static string); NULL after logging. */
sqlite3_stmt *db_stmt(struct db *db, const char *sql);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK; 0 or -1 (logged). */
int db_begin(struct db *db);
int db_commit(struct db *db);
void db_rollback(struct db *db);

/* Runs sql without results; 0 or -1 (logged). */
int db_exec(struct db *db, const char *sql);

/*
 * Steps a query: 1 on a row, 0 when there are no more, -1 on an error
 * (logged and counted as storage trouble, like a failed write). An error
 * is never "no row": the caller aborts and retries.
 */
int db_row(struct db *db, sqlite3_stmt *st);

/* Step a statement expecting no rows (INSERT, UPDATE); 0 or -1 (logged). */
int db_done(struct db *db, sqlite3_stmt *st);

/* The first column of the first row of sql (a static string), 0 when none
 * (and when the read failed: logged and counted as storage trouble). */
int64_t db_int64(struct db *db, const char *sql);

/* Text of column i, "" for NULL. */
const char *db_text(sqlite3_stmt *st, int i);

/* Binds text, or NULL when s is NULL. */
int db_bind_text(sqlite3_stmt *st, int i, const char *s);

/* Binds a time in ms, or NULL when v is 0. */
int db_bind_time(sqlite3_stmt *st, int i, jtime_t v);

/* The last error message of the connection. */
const char *db_errmsg(struct db *db);

/*
 * Storage trouble: after a failed statement, whether a write may be tried
 * now (false during the pause, which grows from 1 s to 60 s), and how long
 * the pause still lasts (0 when writes work).
 */
bool db_may_write(struct db *db);
jtime_t db_retry_in(struct db *db);

#endif
