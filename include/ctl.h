/*
 * ctl.h — jourctl, the administrator's tool: prototypes shared by its files.
 *
 * jourctl reads the database jourd writes (WAL: reading beside a running
 * daemon is safe) and writes it only for imports and removals. Every command prints a
 * fixed-width table, or with --json one JSON document on stdout. Errors go
 * to stderr: exit 1 for a failure, 2 for a usage error.
 */
#ifndef JOURD_CTL_H
#define JOURD_CTL_H

#include <stdio.h>

#include <sqlite3.h>

#include "common.h"
#include "config.h"
#include "db.h"
#include "json.h"

/* Exit codes. */
#define CTL_OK		0
#define CTL_ERROR	1
#define CTL_USAGE	2

struct ctl {
	struct config	 cf;
	struct db	*db;		/* NULL: not needed, or status with no database yet */
	bool		 json;
	jtime_t		 now;
	const char	*conf;		/* the configuration file's path */
};

/* Options a command may take, as bits in its command table entry. */
#define CTL_OPT_OPEN	0x01	/* --open */
#define CTL_OPT_SINCE	0x02	/* --since T */
#define CTL_OPT_UNTIL	0x04	/* --until T */
#define CTL_OPT_BY	0x08	/* --by WORD */
#define CTL_OPT_CSV	0x10	/* --csv */
#define CTL_OPT_AT	0x20	/* --at T */
#define CTL_OPT_FROM	0x40	/* --from T */
#define CTL_OPT_TO	0x80	/* --to T */
#define CTL_OPT_CHECK	0x200	/* --check */
#define CTL_OPT_MAXAGE	0x400	/* --max-queue-age DURATION */
#define CTL_OPT_USERS	0x1000	/* --users FILE */

/* Exit codes of status --check, as monitoring plugins have them. */
#define CTL_CHECK_OK		0
#define CTL_CHECK_WARNING	1
#define CTL_CHECK_CRITICAL	2
#define CTL_CHECK_UNKNOWN	3
#define CTL_OPT_EXCEL	0x800	/* --excel: CSV as Swedish spreadsheets read it */

/* A command's arguments, parsed by jourctl.c from its table entry. */
struct ctl_options {
	bool	  open;
	jtime_t	  since;	/* 0 = not given */
	jtime_t	  until;	/* 0 = not given */
	char	 *by;		/* NULL = not given */
	bool	  csv;
	jtime_t	  at;		/* 0 = not given */
	jtime_t	  from;		/* 0 = not given */
	jtime_t	  to;		/* 0 = not given */
	bool	  check;	/* status --check */
	jtime_t	  max_queue_age;	/* 0 = not given */
	bool	  excel;
	char	 *users;	/* user add --users FILE, NULL = not given */
	char	**args;		/* the positional arguments, in order */
	int	  nargs;
};

/*
 * A report row: counts and the samples its percentiles are taken from.
 * Zero it to start; report_row_free() frees the sample arrays.
 */
struct report_row {
	char	 key[64];
	int	 consults;
	int	 acknowledged;
	int	 unanswered;
	int	 escalated;
	int	 resolved;
	int64_t	 pages;
	int	 outcomes[MAX_OUTCOMES];	/* index = cf.outcomes */
	int64_t	*ack_ms;		/* acked_at - created_at */
	size_t	 nack, ack_cap;
	int64_t	*resolve_ms;		/* resolved_at - created_at */
	size_t	 nresolve, resolve_cap;
};

/* One consult (or one leg of it) as a report row counts it. */
struct report_sample {
	jtime_t	created_at;
	jtime_t	acked_at;	/* 0 = not acknowledged */
	jtime_t	resolved_at;	/* 0 = not resolved */
	bool	unanswered;
	bool	escalated;	/* reached step 1 or beyond */
	int64_t	pages;
	int	outcome;	/* index into cf.outcomes, -1 = none or other */
};

/* jourctl.c */
void	ctl_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Says the database's error; CTL_ERROR. */
int	ctl_db_error(struct ctl *c);
/* Ends a listing of n rows: the line none when it was empty (text), or
 * the array and object of the JSON begun with it. */
int	ctl_list_end(struct ctl *c, struct json *j, int n, const char *none);
jtime_t	ctl_col_time(sqlite3_stmt *st, int col);
char	*ctl_local(jtime_t t, bool seconds, char *buf, size_t sz);
int	ctl_json_finish(struct json *j);

/* ctl_show.c */
void	show_cell(const char *s, int width);
void	show_cell_last(const char *raw, int width, bool last);
int	ctl_oncall(struct ctl *c, const struct ctl_options *o);
int	ctl_consults(struct ctl *c, const struct ctl_options *o);
int	ctl_log(struct ctl *c, const struct ctl_options *o);
int	ctl_escalations(struct ctl *c, const struct ctl_options *o);
int	ctl_outbox(struct ctl *c, const struct ctl_options *o);
int	ctl_status(struct ctl *c, const struct ctl_options *o);

/* ctl_roster.c */
int	ctl_oncall_at(struct ctl *c, const struct ctl_options *o);
int	ctl_roster(struct ctl *c, const struct ctl_options *o);
int	ctl_ical(struct ctl *c, const struct ctl_options *o);
/* ctl_directory.c */
int	ctl_people(struct ctl *c, const struct ctl_options *o);
int	ctl_units(struct ctl *c, const struct ctl_options *o);
int	ctl_remove(struct ctl *c, const struct ctl_options *o);
/* ctl_daily.c */
int	ctl_coverage(struct ctl *c, const struct ctl_options *o);
/* The line "coverage: N gap(s) in the next D days" of jourctl status. */
void	ctl_coverage_status(struct ctl *c);
int	ctl_backup(struct ctl *c, const struct ctl_options *o);

/* ctl_user.c */
/* user add NAME [--users FILE]: the web console's users (DESIGN §11). */
int	ctl_user(struct ctl *c, const struct ctl_options *o);

/*
 * ctl_report.c — needs nothing from the other jourctl files, so that its
 * unit test links it alone with the library.
 */
int	ctl_report(struct ctl *c, const struct ctl_options *o);
int64_t	report_percentile(int64_t *v, size_t n, int pct);
double	report_rate(int num, int den);
int	report_row_add(struct report_row *r, const struct report_sample *s);
void	report_row_free(struct report_row *r);

#endif
