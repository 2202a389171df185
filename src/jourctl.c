/*
 * jourctl.c — the administrator's tool: global options, the command table,
 * imports and the dummy phone's inject.
 *
 *	jourctl [-c FILE] [--json] COMMAND [ARGS]
 *
 * The configuration is -c FILE, else $JOURD_CONF, else /etc/jourd/jourd.conf.
 * --json may come before or after the command.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "ctl.h"
#include "db.h"
#include "import.h"
#include "inject.h"
#include "json.h"
#include "jtime.h"
#include "log.h"

#define CTL_DEFAULT_CONF "/etc/jourd/jourd.conf"

#define CTL_NEED_DB	0x01	/* opens the database */
#define CTL_CREATE_DB	0x02	/* may create it (imports on a new install) */
#define CTL_RAW_ARGS	0x04	/* arguments are data: no options after the command */
#define CTL_OWN_CONF	0x08	/* reads the configuration itself, if at all */

struct ctl_cmd {
	const char	*name;
	int		 minargs;
	int		 maxargs;	/* -1: no limit */
	int		 options;	/* CTL_OPT_* */
	int		 flags;
	const char	*usage;
	int		(*exec)(struct ctl *, const struct ctl_options *);
};

static int	ctl_import(struct ctl *, const struct ctl_options *);
static int	ctl_inject(struct ctl *, const struct ctl_options *);

static const struct ctl_cmd ctl_cmds[] = {
	{ "import", 2, 2, 0, CTL_NEED_DB | CTL_CREATE_DB,
	    "import units|people|roster FILE.csv", ctl_import },
	{ "oncall", 0, 1, CTL_OPT_AT, CTL_NEED_DB,
	    "oncall [UNIT] [--at T]", ctl_oncall_at },
	{ "roster", 0, 1, CTL_OPT_FROM | CTL_OPT_TO, CTL_NEED_DB,
	    "roster [UNIT] [--from T] [--to T]", ctl_roster },
	{ "ical", 1, 1, CTL_OPT_FROM | CTL_OPT_TO, CTL_NEED_DB,
	    "ical UNIT|PHONE [--from T] [--to T]", ctl_ical },
	{ "people", 0, 1, 0, CTL_NEED_DB,
	    "people [UNIT]", ctl_people },
	{ "units", 0, 0, 0, CTL_NEED_DB,
	    "units", ctl_units },
	{ "remove", 2, 2, 0, CTL_NEED_DB,
	    "remove person PHONE | remove unit CODE", ctl_remove },
	{ "consults", 0, 0, CTL_OPT_OPEN | CTL_OPT_SINCE, CTL_NEED_DB,
	    "consults [--open] [--since T]", ctl_consults },
	{ "log", 1, 1, 0, CTL_NEED_DB,
	    "log ID", ctl_log },
	{ "escalations", 0, 0, CTL_OPT_SINCE, CTL_NEED_DB,
	    "escalations [--since T]", ctl_escalations },
	{ "report", 0, 0, CTL_OPT_SINCE | CTL_OPT_UNTIL | CTL_OPT_BY | CTL_OPT_CSV |
	    CTL_OPT_EXCEL, CTL_NEED_DB, "report [--since T] [--until T] "
	    "[--by track|unit|responder|month] [--csv [--excel]]\n"
	    "      p50/p90 are nearest-rank: the ceil(p*n/100)-th smallest of n\n"
	    "      times, never interpolated (n=1: that time; n=4: 2nd, 4th)",
	    ctl_report },
	{ "outbox", 0, 0, CTL_OPT_SINCE, CTL_NEED_DB,
	    "outbox [--since T]", ctl_outbox },
	{ "status", 0, 0, CTL_OPT_CHECK | CTL_OPT_MAXAGE, CTL_NEED_DB,
	    "status [--check [--max-queue-age DURATION]]", ctl_status },
	{ "coverage", 0, 0, 0, CTL_NEED_DB,
	    "coverage", ctl_coverage },
	{ "backup", 1, 2, 0, CTL_RAW_ARGS,
	    "backup [--force] FILE", ctl_backup },
	{ "inject", 2, -1, 0, CTL_RAW_ARGS,
	    "inject [--route NAME] [--time T] [--flash] [--binary] "
	    "[--drop-part K] [--ref N] FROM TEXT...",
	    ctl_inject },
	{ "user", 2, 2, CTL_OPT_USERS, CTL_OWN_CONF,
	    "user add NAME [--users FILE]", ctl_user },
};

int
ctl_db_error(struct ctl *c)
{
	ctl_warnx("database: %s", db_errmsg(c->db));
	return CTL_ERROR;
}

int
ctl_list_end(struct ctl *c, struct json *j, int n, const char *none)
{
	if (!c->json) {
		if (n == 0 && none != NULL)
			printf("%s\n", none);
		return CTL_OK;
	}
	json_array_end(j);
	json_object_end(j);
	return ctl_json_finish(j);
}

void
ctl_warnx(const char *fmt, ...)
{
	va_list	ap;

	fputs("jourctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* A time column: 0 for NULL, so that 0 means "not yet" everywhere. */
jtime_t
ctl_col_time(sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return 0;
	return sqlite3_column_int64(st, col);
}

/* "2026-11-22 09:15" (with ":03" when seconds) in Stockholm time; "-" for 0. */
char *
ctl_local(jtime_t t, bool seconds, char *buf, size_t sz)
{
	struct tm	tm;
	time_t		s;

	if (t == 0) {
		snprintf(buf, sz, "-");
		return buf;
	}
	/* Floor division: times before 1970 must not round toward zero. */
	s = (time_t)(t >= 0 ? t / 1000 : -((-t + 999) / 1000));
	if (localtime_r(&s, &tm) == NULL) {
		snprintf(buf, sz, "?");
		return buf;
	}
	if (seconds)
		snprintf(buf, sz, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900,
		    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	else
		snprintf(buf, sz, "%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900,
		    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
	return buf;
}

/* Ends a JSON document on stdout; CTL_OK, or CTL_ERROR when it failed. */
int
ctl_json_finish(struct json *j)
{
	if (json_finish(j) == -1) {
		ctl_warnx("could not write the JSON output");
		return CTL_ERROR;
	}
	return CTL_OK;
}

static void
ctl_usage_all(FILE *fp)
{
	size_t	i;

	fprintf(fp, "usage: jourctl [-c FILE] [--json] COMMAND [ARGS]\n"
	    "commands:\n");
	for (i = 0; i < nitems(ctl_cmds); i++)
		fprintf(fp, "  %s\n", ctl_cmds[i].usage);
	fprintf(fp, "T is YYYY-MM-DD[ HH:MM] (Stockholm time), a span back "
	    "from now (90m, 24h, 7d), +SPAN ahead (+3d) or now\n");
}

static void
ctl_usage_cmd(const struct ctl_cmd *cmd)
{
	fprintf(stderr, "usage: jourctl [-c FILE] [--json] %s\n", cmd->usage);
}

/* The command named name, or a unique prefix of one; NULL otherwise. */
static const struct ctl_cmd *
ctl_find(const char *name, bool *ambiguous)
{
	const struct ctl_cmd	*found = NULL;
	size_t			 i, len = strlen(name);

	*ambiguous = false;
	for (i = 0; i < nitems(ctl_cmds); i++) {
		if (strcmp(ctl_cmds[i].name, name) == 0)
			return &ctl_cmds[i];
		if (len > 0 && strncmp(ctl_cmds[i].name, name, len) == 0) {
			if (found != NULL)
				*ambiguous = true;
			found = &ctl_cmds[i];
		}
	}
	return *ambiguous ? NULL : found;
}

/*
 * Parses a time option's value; -1 after a message. "+SPAN" is the span
 * ahead of now, for looking at the roster to come (--at +3d).
 */
static int
ctl_time_arg(struct ctl *c, const char *opt, const char *val, jtime_t *out)
{
	jtime_t	back;

	if (strcmp(val, "now") == 0) {
		*out = c->now;
		return 0;
	}
	if (val[0] == '+' && jtime_parse(val + 1, &back) == -1 &&
	    jtime_parse_since(val + 1, c->now, &back) == 0) {
		*out = c->now + (c->now - back);
		return 0;
	}
	if (jtime_parse_since(val, c->now, out) == -1) {
		ctl_warnx("--%s: \"%s\" is not a time (YYYY-MM-DD[ HH:MM], or a "
		    "span such as 24h or 7d)", opt, val);
		return -1;
	}
	return 0;
}

/* The options commands may take; each command's entry says which. */
static const struct ctl_opt {
	const char	*name;		/* after "--" */
	int		 bit;
	bool		 value;		/* --name VALUE or --name=VALUE */
} ctl_opts[] = {
	{ "open", CTL_OPT_OPEN, false },
	{ "since", CTL_OPT_SINCE, true },
	{ "until", CTL_OPT_UNTIL, true },
	{ "by", CTL_OPT_BY, true },
	{ "csv", CTL_OPT_CSV, false },
	{ "at", CTL_OPT_AT, true },
	{ "from", CTL_OPT_FROM, true },
	{ "to", CTL_OPT_TO, true },
	{ "check", CTL_OPT_CHECK, false },
	{ "max-queue-age", CTL_OPT_MAXAGE, true },
	{ "excel", CTL_OPT_EXCEL, false },
	{ "users", CTL_OPT_USERS, true },
};

/*
 * Splits a command's arguments into the options its table entry allows and
 * positional arguments (compacted in place into argv). --json is taken
 * anywhere unless the arguments are raw data. CTL_OK or CTL_USAGE.
 */
static int
ctl_parse_args(struct ctl *c, const struct ctl_cmd *cmd, int argc, char **argv,
    struct ctl_options *o)
{
	const struct ctl_opt	*opt;
	int			 i, n = 0;
	bool			 dashdash = false;
	char			*arg, *val, *eq;
	size_t			 len, k;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < argc; i++) {
		arg = argv[i];
		if ((cmd->flags & CTL_RAW_ARGS) || dashdash ||
		    strncmp(arg, "--", 2) != 0) {
			argv[n++] = arg;
			continue;
		}
		if (arg[2] == '\0') {
			dashdash = true;
			continue;
		}
		if (strcmp(arg, "--json") == 0) {
			c->json = true;
			continue;
		}
		eq = strchr(arg, '=');
		len = (eq != NULL ? (size_t)(eq - arg) : strlen(arg)) - 2;
		opt = NULL;
		for (k = 0; k < nitems(ctl_opts); k++)
			if ((cmd->options & ctl_opts[k].bit) &&
			    strlen(ctl_opts[k].name) == len &&
			    strncmp(arg + 2, ctl_opts[k].name, len) == 0)
				opt = &ctl_opts[k];
		if (opt == NULL || (!opt->value && eq != NULL)) {
			ctl_warnx("%s: unknown option %s", cmd->name, arg);
			return CTL_USAGE;
		}
		val = NULL;
		if (opt->value) {
			if (eq != NULL)
				val = eq + 1;
			else if (i + 1 < argc)
				val = argv[++i];
			else {
				ctl_warnx("%s: --%s needs a value", cmd->name,
				    opt->name);
				return CTL_USAGE;
			}
		}
		switch (opt->bit) {
		case CTL_OPT_OPEN:
			o->open = true;
			break;
		case CTL_OPT_SINCE:
			if (ctl_time_arg(c, "since", val, &o->since) == -1)
				return CTL_USAGE;
			break;
		case CTL_OPT_UNTIL:
			if (ctl_time_arg(c, "until", val, &o->until) == -1)
				return CTL_USAGE;
			break;
		case CTL_OPT_BY:
			o->by = val;
			break;
		case CTL_OPT_CSV:
			o->csv = true;
			break;
		case CTL_OPT_AT:
			if (ctl_time_arg(c, "at", val, &o->at) == -1)
				return CTL_USAGE;
			break;
		case CTL_OPT_FROM:
			if (ctl_time_arg(c, "from", val, &o->from) == -1)
				return CTL_USAGE;
			break;
		case CTL_OPT_TO:
			if (ctl_time_arg(c, "to", val, &o->to) == -1)
				return CTL_USAGE;
			break;
		case CTL_OPT_CHECK:
			o->check = true;
			break;
		case CTL_OPT_MAXAGE:
			if ((o->max_queue_age = config_parse_duration(val)) <= 0) {
				ctl_warnx("%s: --max-queue-age: '%s' is not a "
				    "duration (such as 90s, 5m)", cmd->name, val);
				return CTL_USAGE;
			}
			break;
		case CTL_OPT_EXCEL:
			o->excel = true;
			break;
		case CTL_OPT_USERS:
			o->users = val;
			break;
		}
	}
	o->args = argv;
	o->nargs = n;
	if (n < cmd->minargs || (cmd->maxargs >= 0 && n > cmd->maxargs)) {
		ctl_warnx("%s: %s arguments", cmd->name,
		    n < cmd->minargs ? "missing" : "too many");
		return CTL_USAGE;
	}
	return CTL_OK;
}

static int
ctl_import(struct ctl *c, const struct ctl_options *o)
{
	const char	*kind = o->args[0], *path = o->args[1];
	char		 err[1024];
	int		 count;
	struct json	 j;

	if (strcmp(kind, "units") != 0 && strcmp(kind, "people") != 0 &&
	    strcmp(kind, "roster") != 0) {
		ctl_warnx("import: \"%s\": expected units, people or roster", kind);
		return CTL_USAGE;
	}
	if (import_csv(c->db, kind, path, &count, err, sizeof(err)) == -1) {
		ctl_warnx("%s", err);
		return CTL_ERROR;
	}
	if (!c->json) {
		printf("imported %d %s from %s\n", count,
		    strcmp(kind, "roster") == 0 ? "roster shifts" : kind, path);
		return CTL_OK;
	}
	json_init(&j, stdout, true);
	json_object_begin(&j);
	json_kv_int(&j, "imported", count);
	json_kv_string(&j, "kind", kind);
	json_kv_string(&j, "file", path);
	json_object_end(&j);
	return ctl_json_finish(&j);
}

/* Joins args into out with single spaces; -1 when it does not fit. */
static int
ctl_join(char **args, int n, char *out, size_t sz)
{
	size_t	len = 0;
	int	i, w;

	out[0] = '\0';
	for (i = 0; i < n; i++) {
		w = snprintf(out + len, sz - len, "%s%s", i ? " " : "", args[i]);
		if (w < 0 || (size_t)w >= sz - len)
			return -1;
		len += (size_t)w;
	}
	return 0;
}

/*
 * The [modem NAME] section an SMS is injected into: name, or the first
 * modem when name is NULL. NULL, with a message, when there is none or
 * it is not a dummy phone (only a dummy phone has a directory to write).
 */
static const struct modem_conf *
ctl_inject_modem(const struct ctl *c, const char *name)
{
	const struct modem_conf	*mc = NULL;
	int			 i;

	if (name == NULL && c->cf.nmodems > 0)
		mc = &c->cf.modems[0];
	for (i = 0; name != NULL && i < c->cf.nmodems; i++)
		if (strcmp(c->cf.modems[i].name, name) == 0)
			mc = &c->cf.modems[i];
	if (mc == NULL) {
		if (name != NULL)
			ctl_warnx("inject: %s has no [modem %s] section",
			    c->cf.path, name);
		else
			ctl_warnx("inject: %s has no [modem] section",
			    c->cf.path);
		return NULL;
	}
	if (mc->driver != DRIVER_DUMMY) {
		if (strcmp(mc->name, "main") == 0 && name == NULL)
			ctl_warnx("inject: only with [modem] driver = dummy "
			    "(%s uses the AT driver)", c->cf.path);
		else
			ctl_warnx("inject: only into a dummy phone ([modem %s] "
			    "in %s uses the AT driver, not driver = dummy)",
			    mc->name, c->cf.path);
		return NULL;
	}
	return mc;
}

/*
 * inject [--route NAME] [--time T] [--flash] [--binary] [--drop-part K]
 * [--ref N] FROM TEXT...: delivers an SMS to the dummy phone of the modem
 * route NAME, by default the first modem. FROM is taken as given, so that
 * alphanumeric senders ("Telia") can be injected too.
 */
static int
ctl_inject(struct ctl *c, const struct ctl_options *o)
{
	const struct modem_conf	*mc;
	struct inject_opts	 opts;
	char			 text[SMS_TEXT_MAX], err[512];
	struct json		 j;
	const char		*from, *route = NULL;
	int			 a = 0;

	memset(&opts, 0, sizeof(opts));
	for (; a < o->nargs && strncmp(o->args[a], "--", 2) == 0; a++) {
		if (strcmp(o->args[a], "--flash") == 0)
			opts.flash = true;
		else if (strcmp(o->args[a], "--binary") == 0)
			opts.binary = true;
		else if (strcmp(o->args[a], "--route") == 0 && a + 1 < o->nargs)
			route = o->args[++a];
		else if (strcmp(o->args[a], "--time") == 0 && a + 1 < o->nargs) {
			if (jtime_parse(o->args[++a], &opts.smsc_time) == -1) {
				ctl_warnx("inject: --time %s: not a time",
				    o->args[a]);
				return CTL_USAGE;
			}
		} else if (strcmp(o->args[a], "--drop-part") == 0 &&
		    a + 1 < o->nargs)
			opts.drop_part = atoi(o->args[++a]);
		else if (strcmp(o->args[a], "--ref") == 0 && a + 1 < o->nargs) {
			opts.fix_ref = true;
			opts.ref = atoi(o->args[++a]);
		} else {
			ctl_warnx("inject: unknown option %s", o->args[a]);
			return CTL_USAGE;
		}
	}
	if (o->nargs - a < 2) {
		ctl_warnx("usage: inject [--route NAME] [--time T] [--flash] "
		    "[--binary] [--drop-part K] [--ref N] FROM TEXT...");
		return CTL_USAGE;
	}
	if ((mc = ctl_inject_modem(c, route)) == NULL)
		return CTL_ERROR;
	from = o->args[a];
	if (ctl_join(o->args + a + 1, o->nargs - a - 1, text, sizeof(text)) == -1) {
		ctl_warnx("inject: the text is longer than %d bytes",
		    SMS_TEXT_MAX - 1);
		return CTL_ERROR;
	}
	if (inject_sms(mc->device, from, text, &opts, err, sizeof(err)) == -1) {
		ctl_warnx("inject: %s", err);
		return CTL_ERROR;
	}
	if (!c->json) {
		printf("injected SMS from %s into %s/sms/1\n", from,
		    mc->device);
		return CTL_OK;
	}
	json_init(&j, stdout, true);
	json_object_begin(&j);
	json_key(&j, "injected");
	json_object_begin(&j);
	json_kv_string(&j, "from", from);
	json_kv_string(&j, "text", text);
	json_kv_string(&j, "route", mc->name);
	json_kv_string(&j, "into", mc->device);
	json_object_end(&j);
	json_object_end(&j);
	return ctl_json_finish(&j);
}

int
main(int argc, char **argv)
{
	struct ctl		 c;
	struct ctl_options	 o;
	const struct ctl_cmd	*cmd;
	const char		*conf = NULL;
	char			 err[1024];
	bool			 ambiguous;
	int			 i, rc;

	memset(&c, 0, sizeof(c));
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "--json") == 0)
			c.json = true;
		else if (strcmp(argv[i], "-c") == 0) {
			if (++i == argc) {
				ctl_warnx("-c needs a file");
				ctl_usage_all(stderr);
				return CTL_USAGE;
			}
			conf = argv[i];
		} else if (strncmp(argv[i], "-c", 2) == 0)
			conf = argv[i] + 2;
		else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			ctl_usage_all(stdout);
			return CTL_OK;
		} else {
			ctl_warnx("unknown option %s", argv[i]);
			ctl_usage_all(stderr);
			return CTL_USAGE;
		}
	}
	if (i == argc) {
		ctl_usage_all(stderr);
		return CTL_USAGE;
	}
	if ((cmd = ctl_find(argv[i], &ambiguous)) == NULL) {
		ctl_warnx("%s command: %s", ambiguous ? "ambiguous" : "unknown",
		    argv[i]);
		ctl_usage_all(stderr);
		return CTL_USAGE;
	}

	if (!jtime_zone()) {
		fprintf(stderr, "jourctl: the time zone Europe/Stockholm cannot "
		    "be loaded (install tzdata, or check TZDIR)\n");
		return 1;
	}
	log_init("jourctl", 1, 0);
	c.now = jtime_now();
	if ((rc = ctl_parse_args(&c, cmd, argc - i - 1, argv + i + 1, &o)) != CTL_OK) {
		ctl_usage_cmd(cmd);
		return rc;
	}

	if (conf == NULL && (conf = getenv("JOURD_CONF")) == NULL)
		conf = CTL_DEFAULT_CONF;
	c.conf = conf;
	if (!(cmd->flags & CTL_OWN_CONF) &&
	    config_load(conf, &c.cf, err, sizeof(err)) == -1) {
		if (o.check) {
			printf("JOURD UNKNOWN - %s\n", err);
			return CTL_CHECK_UNKNOWN;
		}
		ctl_warnx("%s", err);
		return CTL_ERROR;
	}

	if (cmd->flags & CTL_NEED_DB) {
		/*
		 * Only imports create the database: anything else run as root
		 * before jourd's first start would leave a file jourd cannot
		 * write.
		 */
		if (!(cmd->flags & CTL_CREATE_DB) && access(c.cf.database, F_OK) == -1) {
			if (errno != ENOENT && o.check) {
				printf("JOURD UNKNOWN - %s: %s\n", c.cf.database,
				    strerror(errno));
				return CTL_CHECK_UNKNOWN;
			}
			if (errno != ENOENT) {
				ctl_warnx("%s: %s", c.cf.database, strerror(errno));
				return CTL_ERROR;
			}
			if (cmd->exec != ctl_status) {
				ctl_warnx("%s: no database yet (jourd has not run "
				    "and nothing was imported)", c.cf.database);
				return CTL_ERROR;
			}
		} else if ((c.db = db_open(c.cf.database, err, sizeof(err))) == NULL) {
			if (o.check) {
				printf("JOURD UNKNOWN - %s\n", err);
				return CTL_CHECK_UNKNOWN;
			}
			ctl_warnx("%s", err);
			return CTL_ERROR;
		}
	}

	rc = cmd->exec(&c, &o);
	if (rc == CTL_USAGE)
		ctl_usage_cmd(cmd);
	db_close(c.db);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		ctl_warnx("stdout: write error");
		return CTL_ERROR;
	}
	return rc;
}
