/*
 * config.c — jourd.conf, read with inih.
 *
 * One table of keys (section, name, type, defaults, bounds, meaning) drives
 * the defaults, the parsing and the reference printed by `jourd -K`.
 *
 * inih hands its handler no line number and splits lines longer than its
 * buffer, so the file is fed to ini_parse_stream() through a reader that
 * reads whole lines itself, counts them, refuses what inih would mangle and
 * notes every section header (a section without keys still enables a track).
 * Lines are read into a fixed buffer: a line that does not fit is refused
 * without reading it to its end, and no allocation can fail half-way and
 * look like the end of the file.
 * This module logs nothing: every error goes back to the caller in err.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

#include "calendar.h"
#include "config.h"
#include "jtime.h"
#include "parse.h"
#include "phone.h"
#include "text.h"

enum cfg_section { SEC_DAEMON, SEC_MODEM, SEC_PAGER, SEC_TRACK, SEC_HTTP };

enum cfg_type {
	CT_STRING,	/* copied as written */
	CT_DURATION,	/* config_parse_duration, in ms */
	CT_INT,		/* decimal, within min..max */
	CT_BOOL,	/* yes/no/true/false/on/off/1/0 */
	CT_PHONES,	/* numbers normalised to E.164 */
	CT_WORDS,	/* words folded with text_fold */
	CT_ROLES,	/* lower-case ascii role names */
	CT_OPEN,	/* config_parse_open */
	CT_ENUM,	/* one of names[] */
	CT_UNIT,	/* a unit code, or empty */
	CT_PIN,		/* empty or 4 to 8 digits */
	CT_RATE,	/* "N/m" or N: SMS a minute, 0 = no pacing */
	CT_DIGIT	/* one digit '0'..'9' */
};

/* Flags of a key. */
#define CK_EMPTY	0x01	/* an empty string or list is allowed */
#define CK_KEYWORD	0x02	/* words must not be SMS command words */

struct cfg_key {
	enum cfg_section	 section;
	const char		*name;
	enum cfg_type		 type;
	size_t			 off;	/* in its section's struct */
	size_t			 size;	/* string size, or list element size */
	size_t			 count_off;	/* lists: offset of the count */
	int			 flags;
	int64_t			 min;	/* ints, durations (ms) */
	int64_t			 max;	/* ints, durations (ms), list length */
	const char *const	*names;	/* enums, NULL-terminated */
	const char		*def[MAX_TRACKS];	/* [0] unless a track key */
	const char		*help;
};

/* The four tracks, index = enum track_id. */
static const char *const config_track_names[MAX_TRACKS] = {
	"akut", "halvakut", "mdk", "pv"
};

static const char *const config_driver_names[] = { "dummy", "at", NULL };
static const char *const config_parity_names[] = { "even", "odd", "none", NULL };
static const char *const config_charset_names[] = { "latin1", "ascii", NULL };
/* The speeds a serial line can be set to. */
static const int config_bauds[] = { 1200, 2400, 4800, 9600, 19200, 38400,
    57600, 115200 };
static const char *const config_closed_names[] = { "reply", "queue", NULL };

#define MSIZE(type, m)	sizeof(((type *)0)->m)

#define CF_STR(m)	.off = offsetof(struct config, m), \
			.size = MSIZE(struct config, m)
#define CF_VAL(m)	.off = offsetof(struct config, m)
#define CF_LIST(a, n)	.off = offsetof(struct config, a), \
			.size = MSIZE(struct config, a[0]), \
			.count_off = offsetof(struct config, n), \
			.max = (int64_t)nitems(((struct config *)0)->a)
#define MD_STR(m)	.off = offsetof(struct modem_conf, m), \
			.size = MSIZE(struct modem_conf, m)
#define MD_VAL(m)	.off = offsetof(struct modem_conf, m)
#define PG_STR(m)	.off = offsetof(struct pager_conf, m), \
			.size = MSIZE(struct pager_conf, m)
#define PG_VAL(m)	.off = offsetof(struct pager_conf, m)
#define HT_STR(m)	.off = offsetof(struct http_conf, m), \
			.size = MSIZE(struct http_conf, m)
#define HT_VAL(m)	.off = offsetof(struct http_conf, m)
#define TR_STR(m)	.off = offsetof(struct track_conf, m), \
			.size = MSIZE(struct track_conf, m)
#define TR_VAL(m)	.off = offsetof(struct track_conf, m)
#define TR_LIST(a, n)	.off = offsetof(struct track_conf, a), \
			.size = MSIZE(struct track_conf, a[0]), \
			.count_off = offsetof(struct track_conf, n), \
			.max = (int64_t)nitems(((struct track_conf *)0)->a)

#define DUR_DAY		(24 * JT_HOUR)

/* Enum fields are written through an int. */
_Static_assert(sizeof(enum modem_driver) == sizeof(int), "enum size");
_Static_assert(sizeof(enum closed_policy) == sizeof(int), "enum size");
_Static_assert(sizeof(enum pager_parity) == sizeof(int), "enum size");
_Static_assert(sizeof(enum pager_charset) == sizeof(int), "enum size");

static const struct cfg_key config_keys[] = {
	/* [daemon] */
	{ SEC_DAEMON, "database", CT_STRING, CF_STR(database),
	  .def = { "var/jourd.db" },
	  .help = "SQLite database file; jourctl reads the same file" },
	{ SEC_DAEMON, "admins", CT_PHONES, CF_LIST(admins, nadmins),
	  .flags = CK_EMPTY, .def = { "" },
	  .help = "administrators' numbers, paged on unanswered consults, "
	    "roster gaps and modem trouble" },
	{ SEC_DAEMON, "reply_period", CT_DURATION, CF_VAL(reply_period),
	  .min = JT_SECOND, .max = 7 * DUR_DAY, .def = { "1h" },
	  .help = "at most one automatic reply per period to an unknown or "
	    "misbehaving number" },
	{ SEC_DAEMON, "code_quarantine", CT_DURATION, CF_VAL(code_quarantine),
	  .min = JT_SECOND, .max = 365 * DUR_DAY, .def = { "72h" },
	  .help = "a reply code is not given to the same number again for this "
	    "long after its consult closes" },
	{ SEC_DAEMON, "outcomes", CT_WORDS, CF_LIST(outcomes, noutcomes),
	  .flags = CK_EMPTY, .def = { "INL RAD REM AKM HEM MDK" },
	  .help = "outcome codes accepted after KLAR" },
	{ SEC_DAEMON, "send_attempts", CT_INT, CF_VAL(send_attempts),
	  .min = 1, .max = 100, .def = { "5" },
	  .help = "attempts to send one SMS before it is marked failed" },
	{ SEC_DAEMON, "send_retry", CT_DURATION, CF_VAL(send_retry),
	  .min = JT_SECOND, .max = DUR_DAY, .def = { "30s" },
	  .help = "delay before the first retry of a failed send; doubles "
	    "after each attempt" },
	{ SEC_DAEMON, "request_limit", CT_INT, CF_VAL(request_limit),
	  .min = 0, .max = 1000, .def = { "10" },
	  .help = "consults one requester may start per hour; more are "
	    "refused, answered once (0 = no limit)" },
	{ SEC_DAEMON, "failover_after", CT_DURATION, CF_VAL(failover_after),
	  .min = JT_SECOND, .max = JT_HOUR, .def = { "60s" },
	  .help = "a route down, unregistered or failing its sends this long "
	    "is in trouble: bypassed, and the admins paged through another" },
	{ SEC_DAEMON, "call_ring", CT_DURATION, CF_VAL(call_ring),
	  .min = 5 * JT_SECOND, .max = 120 * JT_SECOND, .def = { "30s" },
	  .help = "how long a wake-up call rings before it is hung up" },
	{ SEC_DAEMON, "coverage_days", CT_INT, CF_VAL(coverage_days),
	  .min = 0, .max = 365, .def = { "14" },
	  .help = "days ahead the daily check looks for roles nobody holds; "
	    "each gap is told to the admins once (0 = no check)" },
	{ SEC_DAEMON, "keep_text", CT_DURATION, CF_VAL(keep_text),
	  .min = 0, .max = 3650 * DUR_DAY, .def = { "90d" },
	  .help = "request, page and outbox texts older than this are blanked "
	    "once a day; figures and events stay (0 = keep forever)" },

	/* [modem] */
	{ SEC_MODEM, "driver", CT_ENUM, MD_VAL(driver),
	  .names = config_driver_names, .def = { "dummy" },
	  .help = "dummy: Gammu's file-backed phone; at: a GSM modem" },
	{ SEC_MODEM, "device", CT_STRING, MD_STR(device),
	  .def = { "var/phone" },
	  .help = "dummy: a directory; at: the serial device (must be set)" },
	{ SEC_MODEM, "connection", CT_STRING, MD_STR(connection),
	  .def = { "none" },
	  .help = "Gammu connection; none for dummy, at115200 when driver = at "
	    "and this key is left out" },
	{ SEC_MODEM, "pin", CT_PIN, MD_STR(pin),
	  .flags = CK_EMPTY, .def = { "" },
	  .help = "SIM PIN (at only), empty or 4 to 8 digits; never retried "
	    "after a wrong PIN" },
	{ SEC_MODEM, "sweep", CT_DURATION, MD_VAL(sweep),
	  .min = 100, .max = JT_HOUR, .def = { "2s" },
	  .help = "period of the full read of the phone's SMS memory" },
	{ SEC_MODEM, "logfile", CT_STRING, MD_STR(logfile),
	  .flags = CK_EMPTY, .def = { "" },
	  .help = "libGammu debug log file; empty for none" },
	{ SEC_MODEM, "reply_timeout", CT_DURATION, MD_VAL(reply_timeout),
	  .min = JT_SECOND, .max = JT_HOUR, .def = { "60s" },
	  .help = "longest wait for the modem worker's answer before it is "
	    "restarted" },
	{ SEC_MODEM, "alarm_after", CT_DURATION, MD_VAL(alarm_after),
	  .min = JT_SECOND, .max = DUR_DAY, .def = { "5m" },
	  .help = "modem trouble longer than this is logged as an event, and "
	    "the admins are paged when the modem is back" },
	{ SEC_MODEM, "rate", CT_RATE, MD_VAL(rate),
	  .min = 0, .max = 600, .def = { "0" },
	  .help = "most SMS this modem submits a minute (pacing); 0 = as fast "
	    "as it takes them" },
	{ SEC_MODEM, "calls", CT_BOOL, MD_VAL(calls),
	  .def = { "no" },
	  .help = "may place wake-up calls (track key call_from_step)" },

	/* [pager] */
	{ SEC_PAGER, "device", CT_STRING, PG_STR(device),
	  .def = { "/dev/ttyS0" },
	  .help = "the serial line to the paging system" },
	{ SEC_PAGER, "baud", CT_INT, PG_VAL(baud),
	  .min = 1200, .max = 115200, .def = { "9600" },
	  .help = "line speed: 1200, 2400, 4800, 9600, 19200, 38400, 57600 "
	    "or 115200" },
	{ SEC_PAGER, "parity", CT_ENUM, PG_VAL(parity),
	  .names = config_parity_names, .def = { "even" },
	  .help = "parity bit of every character" },
	{ SEC_PAGER, "data_bits", CT_INT, PG_VAL(data_bits),
	  .min = 7, .max = 8, .def = { "7" },
	  .help = "data bits of every character (7 cannot carry latin1 "
	    "letters: use charset = ascii with it)" },
	{ SEC_PAGER, "address", CT_DIGIT, PG_STR(address),
	  .def = { "1" },
	  .help = "jourd's station address, the control station" },
	{ SEC_PAGER, "system", CT_DIGIT, PG_STR(system),
	  .def = { "2" },
	  .help = "the paging system's station address" },
	{ SEC_PAGER, "poll", CT_DURATION, PG_VAL(poll),
	  .min = 250, .max = JT_MINUTE, .def = { "2s" },
	  .help = "how often the paging system is polled for statuses, which "
	    "is also the link check" },
	{ SEC_PAGER, "charset", CT_ENUM, PG_VAL(charset),
	  .names = config_charset_names, .def = { "latin1" },
	  .help = "how page texts are encoded: latin1, or ascii (folds å ä ö "
	    "to a a o for systems that show no Swedish letters)" },
	{ SEC_PAGER, "reply_timeout", CT_DURATION, PG_VAL(reply_timeout),
	  .min = 100, .max = JT_MINUTE, .def = { "3s" },
	  .help = "longest wait for the paging system's answer to one step "
	    "of the exchange; 3 unanswered tries make the route's trouble" },

	/* [http] */
	{ SEC_HTTP, "listen", CT_STRING, HT_STR(listen),
	  .def = { "unix:/run/jourd/http.sock" },
	  .help = "where the console listens: unix:PATH (its file mode "
	    "0660 decides who may read) or HOST:PORT (needs users)" },
	{ SEC_HTTP, "users", CT_STRING, HT_STR(users), .flags = CK_EMPTY,
	  .def = { "" },
	  .help = "file of name:hash lines (yescrypt or SHA-512 crypt; "
	    "jourctl user add writes them); HTTP Basic is asked for when set" },
	{ SEC_HTTP, "max_header", CT_INT, HT_VAL(max_header),
	  .min = 1024, .max = 65536, .def = { "8192" },
	  .help = "bytes of request line and headers; more is refused" },
	{ SEC_HTTP, "max_url", CT_INT, HT_VAL(max_url),
	  .min = 256, .max = 16384, .def = { "2048" },
	  .help = "bytes of a request's URL; longer is refused (414)" },
	{ SEC_HTTP, "max_conns", CT_INT, HT_VAL(max_conns),
	  .min = 1, .max = 1000, .def = { "64" },
	  .help = "connections open at once; more wait to be accepted" },
	{ SEC_HTTP, "timeout", CT_DURATION, HT_VAL(timeout),
	  .min = 1 * JT_SECOND, .max = 5 * JT_MINUTE, .def = { "10s" },
	  .help = "a connection idle or slow this long is closed" },

	/* [track NAME]: defaults per track as in DESIGN §5. */
	{ SEC_TRACK, "keywords", CT_WORDS, TR_LIST(keywords, nkeywords),
	  .flags = CK_KEYWORD,
	  .def = { "AKUT ACUTE", "HALV HALVAKUT SEMI", "MDK", "PV" },
	  .help = "words that start a request on this track" },
	{ SEC_TRACK, "open", CT_OPEN, TR_VAL(open),
	  .def = { "always", "weekdays 08:00-17:00", "weekdays 08:00-16:00",
	    "always" },
	  .help = "when the track pages: always, or weekdays HH:MM-HH:MM "
	    "(Swedish public holidays count as closed)" },
	{ SEC_TRACK, "closed", CT_ENUM, TR_VAL(closed),
	  .names = config_closed_names,
	  .def = { "reply", "reply", "reply", "reply" },
	  .help = "outside the open hours: reply (refuse and say when it "
	    "opens) or queue (page at the next opening)" },
	{ SEC_TRACK, "ack_timeout", CT_DURATION, TR_VAL(ack_timeout),
	  .min = JT_SECOND, .max = 7 * DUR_DAY,
	  .def = { "5m", "30m", "4h", "10m" },
	  .help = "time for each escalation step to be acknowledged" },
	{ SEC_TRACK, "escalation", CT_ROLES, TR_LIST(roles, nroles),
	  .def = { "primary backup chief", "consult backup", "mdk chief",
	    "primary backup" },
	  .help = "roster roles paged in turn until someone acknowledges" },
	{ SEC_TRACK, "repeat", CT_INT, TR_VAL(repeat),
	  .min = 0, .max = 10, .def = { "1", "0", "0", "0" },
	  .help = "extra passes through the escalation roles" },
	{ SEC_TRACK, "require_all", CT_BOOL, TR_VAL(require_all),
	  .def = { "no", "no", "yes", "no" },
	  .help = "every unit named must acknowledge (meant for mdk)" },
	{ SEC_TRACK, "after_hours", CT_UNIT, TR_STR(after_hours),
	  .flags = CK_EMPTY, .def = { "", "", "", "JOURCENTRAL" },
	  .help = "unit paged instead when the target unit is closed "
	    "(meant for pv); empty for none" },
	{ SEC_TRACK, "call_from_step", CT_INT, TR_VAL(call_from_step),
	  .min = 0, .max = MAX_STEPS * 11, .def = { "0", "0", "0", "0" },
	  .help = "from this page of an escalation on (1 = the first), every "
	    "page is followed by a wake-up call on a modem with calls = yes; "
	    "0 = never" },
	{ SEC_TRACK, "pager", CT_BOOL, TR_VAL(pager),
	  .def = { "no", "no", "no", "no" },
	  .help = "every page goes to the person's pager as well, through "
	    "[pager], when the directory has a pager address" },
};

#define NKEYS		((int)nitems(config_keys))
/* Section instances: [daemon], the [modem] sections in the order of the
 * file, [pager], [closed], then one per track. */
#define INST_DAEMON	0
#define INST_MODEM0	1
#define INST_PAGER	(INST_MODEM0 + MAX_MODEMS)
#define INST_HTTP	(INST_PAGER + 1)
#define INST_CLOSED	(INST_HTTP + 1)	/* its keys are dates */
#define INST_TRACK0	(INST_CLOSED + 1)
#define NINST		(INST_TRACK0 + MAX_TRACKS)
#define INST_NONE	(-1)

/*
 * The longest raw line read from a file; far above inih's own limit, which
 * decides what is too long, so that leading blanks, a BOM and CR LF fit.
 */
#define CONFIG_READ_MAX	4096

struct cfg_state {
	struct config	*cf;
	const char	*name;		/* file name for messages */

	FILE		*fp;		/* reading a file … */
	char		 buf[CONFIG_READ_MAX];	/* … a line at a time */
	const char	*text;		/* … or a string */
	size_t		 textpos;
	size_t		 textlen;

	int		 line;		/* lines handed to inih so far */
	bool		 stop;		/* an error was found: no more lines */
	int		 cur;		/* section instance, INST_NONE before one */
	char		 cursec[64];	/* its header as written */
	int		 secline[NINST];	/* header lines, 0 = absent */
	int		 keyline[NINST][NKEYS];	/* key lines, 0 = absent */
	int		 closed_line[MAX_CLOSED_DATES];	/* of each date */
	int		 nmodem_secs;	/* [modem] sections so far */
	bool		 named_main[MAX_MODEMS];	/* written [modem main] */

	bool		 failed;	/* err holds the first error */
	int		 errline;	/* its line, 0 = none */
	char		 err[512];
};

/* Writes one error into st unless an earlier one is already there. */
static void config_fail(struct cfg_state *, int, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
config_fail(struct cfg_state *st, int line, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	if (st->failed)
		return;
	st->failed = true;
	st->errline = line;
	if (line > 0)
		n = snprintf(st->err, sizeof st->err, "%s:%d: ", st->name, line);
	else
		n = snprintf(st->err, sizeof st->err, "%s: ", st->name);
	if (n < 0 || (size_t)n >= sizeof st->err)
		n = 0;
	va_start(ap, fmt);
	vsnprintf(st->err + n, sizeof st->err - (size_t)n, fmt, ap);
	va_end(ap);
	st->stop = true;
}

static bool
config_is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r' ||
	    c == '\n';
}

jtime_t
config_parse_duration(const char *s)
{
	return jtime_parse_span(s);
}

/* Reads "H:MM" or "HH:MM" at *pp into minutes after midnight; -1 if bad. */
static int
config_parse_hhmm(const char **pp)
{
	const char	*p = *pp;
	int		 h = 0, m, digits = 0;

	while (isdigit((unsigned char)*p) && digits < 2) {
		h = h * 10 + (*p++ - '0');
		digits++;
	}
	if (digits == 0 || *p != ':')
		return -1;
	p++;
	if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]))
		return -1;
	m = (p[0] - '0') * 10 + (p[1] - '0');
	p += 2;
	if (isdigit((unsigned char)*p) || h > 24 || m > 59 || h * 60 + m > 24 * 60)
		return -1;
	*pp = p;
	return h * 60 + m;
}

int
config_parse_open(const char *s, struct open_rule *out)
{
	const char	*p = s;
	int		 from, to;

	if (s == NULL)
		return -1;
	while (config_is_space(*p))
		p++;
	if (strncasecmp(p, "always", 6) == 0) {
		p += 6;
		while (config_is_space(*p))
			p++;
		if (*p != '\0')
			return -1;
		out->kind = OPEN_ALWAYS;
		out->from_min = 0;
		out->to_min = 24 * 60;
		return 0;
	}
	if (strncasecmp(p, "weekdays", 8) != 0 || !config_is_space(p[8]))
		return -1;
	p += 8;
	while (config_is_space(*p))
		p++;
	if ((from = config_parse_hhmm(&p)) == -1)
		return -1;
	while (config_is_space(*p))
		p++;
	if (*p++ != '-')
		return -1;
	while (config_is_space(*p))
		p++;
	if ((to = config_parse_hhmm(&p)) == -1)
		return -1;
	while (config_is_space(*p))
		p++;
	if (*p != '\0' || from >= to)
		return -1;
	out->kind = OPEN_WEEKDAYS;
	out->from_min = from;
	out->to_min = to;
	return 0;
}

/* Formats a duration in ms the way it would be written in the file. */
static void
config_fmt_duration(jtime_t ms, char *buf, size_t sz)
{
	if (ms % DUR_DAY == 0)
		snprintf(buf, sz, "%lldd", (long long)(ms / DUR_DAY));
	else if (ms % JT_HOUR == 0)
		snprintf(buf, sz, "%lldh", (long long)(ms / JT_HOUR));
	else if (ms % JT_MINUTE == 0)
		snprintf(buf, sz, "%lldm", (long long)(ms / JT_MINUTE));
	else if (ms % JT_SECOND == 0)
		snprintf(buf, sz, "%llds", (long long)(ms / JT_SECOND));
	else
		snprintf(buf, sz, "%lldms", (long long)ms);
}

/*
 * Splits a list at commas when it has any (phone numbers contain spaces),
 * else at white space. Calls fn on each trimmed, non-empty item; stops at
 * the first that fails.
 */
static int
config_split(const char *value, bool comma_only, int (*fn)(const char *,
    void *, char *, size_t), void *arg, char *why, size_t whysz)
{
	char		 item[128];
	const char	*p = value, *end;
	size_t		 len;

	/*
	 * Without commas a phone list splits at spaces, unless the whole value
	 * is one number written with spaces ("070-174 06 99").
	 */
	if (comma_only && strchr(value, ',') == NULL) {
		char one[PHONE_MAX];

		if (phone_normalise(value, one) == PHONE_OK)
			return fn(value, arg, why, whysz);
		comma_only = false;
	}
	for (;;) {
		while (config_is_space(*p) || *p == ',')
			p++;
		if (*p == '\0')
			return 0;
		end = p;
		if (comma_only)
			while (*end != '\0' && *end != ',')
				end++;
		else
			while (*end != '\0' && *end != ',' && !config_is_space(*end))
				end++;
		len = (size_t)(end - p);
		while (len > 0 && config_is_space(p[len - 1]))
			len--;
		if (len >= sizeof item) {
			snprintf(why, whysz, "item too long: '%.20s…'", p);
			return -1;
		}
		memcpy(item, p, len);
		item[len] = '\0';
		if (fn(item, arg, why, whysz) == -1)
			return -1;
		p = end;
	}
}

/* Where a list setter appends. */
struct cfg_list {
	const struct cfg_key	*k;
	char			*base;	/* first element */
	int			*count;
};

/* The next free element of a list; NULL with a reason when it is full. */
static char *
config_list_slot(struct cfg_list *l, char *why, size_t whysz)
{
	if (*l->count >= l->k->max) {
		snprintf(why, whysz, "too many items (at most %lld)",
		    (long long)l->k->max);
		return NULL;
	}
	return l->base + (size_t)*l->count * l->k->size;
}

/* Refuses an item already in the list. */
static int
config_list_dup(struct cfg_list *l, const char *v, char *why, size_t whysz)
{
	int	i;

	for (i = 0; i < *l->count; i++)
		if (strcmp(l->base + (size_t)i * l->k->size, v) == 0) {
			snprintf(why, whysz, "'%s' is listed twice", v);
			return -1;
		}
	return 0;
}

static int
config_add_phone(const char *item, void *arg, char *why, size_t whysz)
{
	struct cfg_list	*l = arg;
	char		 e164[PHONE_MAX], *slot;

	if (phone_normalise(item, e164) != PHONE_OK) {
		snprintf(why, whysz, "'%s' is not a phone number", item);
		return -1;
	}
	if (config_list_dup(l, e164, why, whysz) == -1 ||
	    (slot = config_list_slot(l, why, whysz)) == NULL)
		return -1;
	snprintf(slot, l->k->size, "%s", e164);
	(*l->count)++;
	return 0;
}

static int
config_add_word(const char *item, void *arg, char *why, size_t whysz)
{
	struct cfg_list	*l = arg;
	char		 folded[64], *slot;
	const char	*p;
	size_t		 len;

	len = text_fold(item, folded, sizeof folded);
	if (len >= l->k->size) {
		snprintf(why, whysz, "'%s' is too long (at most %zu letters)",
		    item, l->k->size - 1);
		return -1;
	}
	for (p = folded; *p != '\0'; p++)
		if (!isupper((unsigned char)*p) && !isdigit((unsigned char)*p)) {
			snprintf(why, whysz, "'%s' is not a word of letters and "
			    "digits", item);
			return -1;
		}
	if (l->k->flags & CK_KEYWORD)
		if (parse_is_command_word(folded)) {
			snprintf(why, whysz, "'%s' is an SMS command word", item);
			return -1;
		}
	if (config_list_dup(l, folded, why, whysz) == -1 ||
	    (slot = config_list_slot(l, why, whysz)) == NULL)
		return -1;
	snprintf(slot, l->k->size, "%s", folded);
	(*l->count)++;
	return 0;
}

static int
config_add_role(const char *item, void *arg, char *why, size_t whysz)
{
	struct cfg_list	*l = arg;
	char		 role[ROLE_MAX], *slot;
	size_t		 len = strlen(item);

	if (len >= sizeof role) {
		snprintf(why, whysz, "role '%s' is too long (at most %zu "
		    "characters)", item, sizeof role - 1);
		return -1;
	}
	if (!parse_role_name(item, role)) {
		snprintf(why, whysz, "role '%s' may hold only a-z, 0-9, '_' "
		    "and '-'", item);
		return -1;
	}
	if (config_list_dup(l, role, why, whysz) == -1 ||
	    (slot = config_list_slot(l, why, whysz)) == NULL)
		return -1;
	snprintf(slot, l->k->size, "%s", role);
	(*l->count)++;
	return 0;
}

static int
config_parse_bool(const char *v)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t	i;

	for (i = 0; i < nitems(yes); i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return 1;
		if (strcasecmp(v, no[i]) == 0)
			return 0;
	}
	return -1;
}

/* Describes the allowed values of a key, for messages and the reference. */
static void
config_describe(const struct cfg_key *k, char *buf, size_t sz)
{
	char	lo[24], hi[24];
	size_t	n;
	int	i;

	switch (k->type) {
	case CT_DURATION:
		config_fmt_duration(k->min, lo, sizeof lo);
		config_fmt_duration(k->max, hi, sizeof hi);
		snprintf(buf, sz, "duration %s..%s (ms, s, m, h, d, w; a bare "
		    "number is seconds)", lo, hi);
		break;
	case CT_INT:
		snprintf(buf, sz, "integer %lld..%lld", (long long)k->min,
		    (long long)k->max);
		break;
	case CT_BOOL:
		snprintf(buf, sz, "yes|no (also true/false, on/off, 1/0)");
		break;
	case CT_PHONES:
		snprintf(buf, sz, "up to %lld phone numbers, separated by "
		    "commas (or spaces when there is no comma)",
		    (long long)k->max);
		break;
	case CT_WORDS:
		snprintf(buf, sz, "up to %lld words of letters and digits, "
		    "separated by spaces; case and diacritics do not matter",
		    (long long)k->max);
		break;
	case CT_ROLES:
		snprintf(buf, sz, "up to %lld role names (a-z, 0-9, _ -), "
		    "separated by spaces", (long long)k->max);
		break;
	case CT_OPEN:
		snprintf(buf, sz, "always | weekdays HH:MM-HH:MM");
		break;
	case CT_ENUM:
		n = 0;
		buf[0] = '\0';
		for (i = 0; k->names[i] != NULL && n < sz; i++)
			n += (size_t)snprintf(buf + n, sz - n, "%s%s",
			    i > 0 ? "|" : "", k->names[i]);
		break;
	case CT_UNIT:
		snprintf(buf, sz, "a unit code (A-Z, 0-9 and _)%s",
		    (k->flags & CK_EMPTY) ? " or empty" : "");
		break;
	case CT_PIN:
		snprintf(buf, sz, "empty or 4 to 8 digits");
		break;
	case CT_RATE:
		snprintf(buf, sz, "N/m: at most N a minute, %lld..%lld; 0 = no "
		    "limit", (long long)k->min, (long long)k->max);
		break;
	case CT_DIGIT:
		snprintf(buf, sz, "one digit 0..9");
		break;
	case CT_STRING:
		snprintf(buf, sz, "text%s, at most %zu bytes",
		    (k->flags & CK_EMPTY) ? " (may be empty)" : "", k->size - 1);
		break;
	}
}

/* Parses value into the field of k at base; -1 with a reason in why. */
static int
config_set(const struct cfg_key *k, void *base, const char *value, char *why,
    size_t whysz)
{
	char		*field = (char *)base + k->off;
	char		 desc[160], unit[UNIT_MAX];
	const char	*p;
	char		*end;
	long long	 n;
	jtime_t		 d;
	int		 i, b;
	struct cfg_list	 l;
	struct open_rule o;

	if (value[0] == '\0' && !(k->flags & CK_EMPTY) &&
	    k->type != CT_WORDS && k->type != CT_ROLES) {
		config_describe(k, desc, sizeof desc);
		snprintf(why, whysz, "empty value (expected %s)", desc);
		return -1;
	}
	switch (k->type) {
	case CT_STRING:
		if (strlen(value) >= k->size) {
			snprintf(why, whysz, "too long (at most %zu bytes)",
			    k->size - 1);
			return -1;
		}
		snprintf(field, k->size, "%s", value);
		return 0;
	case CT_PIN:
		for (p = value; isdigit((unsigned char)*p); p++)
			;
		if (*p != '\0' || (p != value && (p - value < 4 || p - value > 8))) {
			snprintf(why, whysz, "a PIN is empty or 4 to 8 digits");
			return -1;
		}
		snprintf(field, k->size, "%s", value);
		return 0;
	case CT_RATE:
		errno = 0;
		n = strtoll(value, &end, 10);
		if (errno != 0 || end == value || !isdigit((unsigned char)value[0]) ||
		    (*end != '\0' && strcmp(end, "/m") != 0) ||
		    n < k->min || n > k->max) {
			config_describe(k, desc, sizeof desc);
			snprintf(why, whysz, "'%s' is not a rate (%s)", value,
			    desc);
			return -1;
		}
		i = (int)n;
		memcpy(field, &i, sizeof i);
		return 0;
	case CT_DIGIT:
		if (!isdigit((unsigned char)value[0]) || value[1] != '\0') {
			snprintf(why, whysz, "'%s' is not one digit 0..9", value);
			return -1;
		}
		snprintf(field, k->size, "%s", value);
		return 0;
	case CT_UNIT:
		if (strlen(value) >= k->size || strlen(value) >= UNIT_MAX) {
			snprintf(why, whysz, "unit code too long (at most %zu "
			    "characters)", (k->size < UNIT_MAX ? k->size :
			    UNIT_MAX) - 1);
			return -1;
		}
		if (value[0] == '\0')
			unit[0] = '\0';
		else if (!parse_unit_code(value, unit)) {
			snprintf(why, whysz, "'%s' is not a unit code "
			    "(A-Z, 0-9 and _)", value);
			return -1;
		}
		snprintf(field, k->size, "%s", unit);
		return 0;
	case CT_DURATION:
		if ((d = config_parse_duration(value)) == -1) {
			snprintf(why, whysz, "'%s' is not a duration (such as "
			    "250ms, 30s, 5m, 2h, 2w)", value);
			return -1;
		}
		if (d < k->min || d > k->max) {
			config_describe(k, desc, sizeof desc);
			snprintf(why, whysz, "%s is out of range (%s)", value,
			    desc);
			return -1;
		}
		memcpy(field, &d, sizeof d);
		return 0;
	case CT_INT:
		errno = 0;
		n = strtoll(value, &end, 10);
		if (errno != 0 || end == value || *end != '\0' ||
		    !(isdigit((unsigned char)value[0]) || value[0] == '-')) {
			snprintf(why, whysz, "'%s' is not an integer", value);
			return -1;
		}
		if (n < k->min || n > k->max) {
			snprintf(why, whysz, "%s is out of range (%lld..%lld)",
			    value, (long long)k->min, (long long)k->max);
			return -1;
		}
		i = (int)n;
		memcpy(field, &i, sizeof i);
		return 0;
	case CT_BOOL:
		if ((b = config_parse_bool(value)) == -1) {
			snprintf(why, whysz, "'%s' is not yes or no", value);
			return -1;
		}
		*(bool *)(void *)field = b == 1;
		return 0;
	case CT_ENUM:
		for (i = 0; k->names[i] != NULL; i++)
			if (strcasecmp(value, k->names[i]) == 0) {
				memcpy(field, &i, sizeof i);
				return 0;
			}
		config_describe(k, desc, sizeof desc);
		snprintf(why, whysz, "'%s' is not one of %s", value, desc);
		return -1;
	case CT_OPEN:
		if (config_parse_open(value, &o) == -1) {
			snprintf(why, whysz, "'%s' is not 'always' or 'weekdays "
			    "HH:MM-HH:MM' with 00:00 <= from < to <= 24:00", value);
			return -1;
		}
		memcpy(field, &o, sizeof o);
		return 0;
	case CT_PHONES:
	case CT_WORDS:
	case CT_ROLES:
		l.k = k;
		l.base = field;
		l.count = (int *)(void *)((char *)base + k->count_off);
		*l.count = 0;
		memset(field, 0, (size_t)k->max * k->size);
		if (k->type == CT_PHONES)
			return config_split(value, true, config_add_phone, &l,
			    why, whysz);
		if (k->type == CT_WORDS)
			return config_split(value, false, config_add_word, &l,
			    why, whysz);
		return config_split(value, false, config_add_role, &l, why,
		    whysz);
	}
	snprintf(why, whysz, "unknown key type");
	return -1;
}

/* The struct a key of section instance inst writes into. */
static void *
config_base(struct config *cf, int inst)
{
	if (inst >= INST_TRACK0)
		return &cf->tracks[inst - INST_TRACK0];
	if (inst == INST_PAGER)
		return &cf->pager;
	if (inst == INST_HTTP)
		return &cf->http;
	if (inst >= INST_MODEM0 && inst < INST_MODEM0 + MAX_MODEMS)
		return &cf->modems[inst - INST_MODEM0];
	return cf;
}

static enum cfg_section
config_inst_section(int inst)
{
	if (inst == INST_DAEMON)
		return SEC_DAEMON;
	if (inst >= INST_MODEM0 && inst < INST_MODEM0 + MAX_MODEMS)
		return SEC_MODEM;
	if (inst == INST_PAGER)
		return SEC_PAGER;
	if (inst == INST_HTTP)
		return SEC_HTTP;
	return SEC_TRACK;
}

/* The defaults of every key of section sec into base. */
static void
config_section_defaults(enum cfg_section sec, void *base)
{
	char	why[256];
	int	i;

	for (i = 0; i < NKEYS; i++)
		if (config_keys[i].section == sec)
			(void)config_set(&config_keys[i], base,
			    config_keys[i].def[0], why, sizeof why);
}

void
config_defaults(struct config *cf)
{
	char	why[256];
	int	i, t;

	memset(cf, 0, sizeof *cf);
	for (t = 0; t < MAX_TRACKS; t++)
		snprintf(cf->tracks[t].name, sizeof cf->tracks[t].name, "%s",
		    config_track_names[t]);
	config_section_defaults(SEC_DAEMON, cf);
	config_section_defaults(SEC_PAGER, &cf->pager);
	config_section_defaults(SEC_HTTP, &cf->http);
	/* No [modem] section at all is one dummy modem, the route main. */
	config_section_defaults(SEC_MODEM, &cf->modems[0]);
	snprintf(cf->modems[0].name, sizeof cf->modems[0].name, "%s",
	    ROUTE_MAIN);
	cf->nmodems = 1;
	for (i = 0; i < NKEYS; i++) {
		const struct cfg_key *k = &config_keys[i];

		if (k->section != SEC_TRACK)
			continue;
		for (t = 0; t < MAX_TRACKS; t++)
			(void)config_set(k, &cf->tracks[t], k->def[t], why,
			    sizeof why);
	}
}

/*
 * [modem] or [modem NAME]: the next modem route, in the order of the file;
 * [modem] is the route "main". Its instance, or INST_NONE after an error.
 */
static int
config_modem_section(struct cfg_state *st, const char *sec, const char *name,
    int nw)
{
	struct config	*cf = st->cf;
	struct modem_conf *mc;
	const char	*p;
	int		 k;

	if (nw > 2) {
		config_fail(st, st->line, "[%s]: a modem section is [modem] or "
		    "[modem NAME]", sec);
		return INST_NONE;
	}
	if (strlen(name) >= ROUTE_NAME_MAX || name[0] == '\0') {
		config_fail(st, st->line, "[%s]: route name too long (at most "
		    "%d characters)", sec, ROUTE_NAME_MAX - 1);
		return INST_NONE;
	}
	for (p = name; *p != '\0'; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) &&
		    *p != '_' && *p != '-') {
			config_fail(st, st->line, "[%s]: route name '%s': use "
			    "a-z, 0-9, _ and -", sec, name);
			return INST_NONE;
		}
	if (strcmp(name, ROUTE_PAGER) == 0 || strcmp(name, "kannel") == 0) {
		config_fail(st, st->line, "[%s]: '%s' names another kind of "
		    "route", sec, name);
		return INST_NONE;
	}
	for (k = 0; k < st->nmodem_secs; k++)
		if (strcmp(cf->modems[k].name, name) == 0) {
			config_fail(st, st->line, "[%s]: duplicate section (first "
			    "at line %d)", sec, st->secline[INST_MODEM0 + k]);
			return INST_NONE;
		}
	if (st->nmodem_secs == MAX_MODEMS) {
		config_fail(st, st->line, "[%s]: more than %d modem sections",
		    sec, MAX_MODEMS);
		return INST_NONE;
	}
	k = st->nmodem_secs++;
	mc = &cf->modems[k];
	config_section_defaults(SEC_MODEM, mc);
	text_copy(mc->name, sizeof mc->name, name);
	st->named_main[k] = nw == 2;
	cf->nmodems = st->nmodem_secs;
	return INST_MODEM0 + k;
}

/* Notes a section header; on a bad one records the error. */
static void
config_section(struct cfg_state *st, const char *hdr)
{
	const char	*p = hdr + 1, *close;
	char		 sec[64], words[3][32];
	size_t		 len;
	int		 nw = 0, inst = INST_NONE, t;
	bool		 was_space = false;

	/* The closing ']' as inih finds it: an inline comment ends the search. */
	for (close = p; *close != '\0' && *close != ']'; close++) {
		if (was_space && *close == ';')
			break;
		was_space = config_is_space(*close);
	}
	if (*close != ']') {
		st->cur = INST_NONE;	/* inih reports the syntax error */
		return;
	}
	len = (size_t)(close - p);
	while (len > 0 && config_is_space(*p)) {
		p++;
		len--;
	}
	while (len > 0 && config_is_space(p[len - 1]))
		len--;
	if (len >= sizeof sec)
		len = sizeof sec - 1;
	memcpy(sec, p, len);
	sec[len] = '\0';
	snprintf(st->cursec, sizeof st->cursec, "%s", sec);
	st->cur = INST_NONE;

	for (p = close + 1; config_is_space(*p); p++)
		;
	if (*p != '\0' && *p != ';' && *p != '#') {
		config_fail(st, st->line, "[%s]: unexpected text after ']'", sec);
		return;
	}
	for (p = sec; *p != '\0' && nw < (int)nitems(words); ) {
		while (config_is_space(*p))
			p++;
		if (*p == '\0')
			break;
		for (len = 0; p[len] != '\0' && !config_is_space(p[len]); len++)
			;
		snprintf(words[nw++], sizeof words[0], "%.*s", (int)len, p);
		p += len;
		while (config_is_space(*p))
			p++;
	}
	if (nw == 1 && strcasecmp(words[0], "daemon") == 0)
		inst = INST_DAEMON;
	else if (strcasecmp(words[0], "modem") == 0) {
		if ((inst = config_modem_section(st, sec, nw == 1 ? ROUTE_MAIN :
		    words[1], nw)) == INST_NONE)
			return;
	} else if (nw == 1 && strcasecmp(words[0], "pager") == 0)
		inst = INST_PAGER;
	else if (nw == 1 && strcasecmp(words[0], "http") == 0)
		inst = INST_HTTP;
	else if (nw == 1 && strcasecmp(words[0], "closed") == 0)
		inst = INST_CLOSED;
	else if (nw >= 1 && strcasecmp(words[0], "track") == 0) {
		if (nw == 1) {
			config_fail(st, st->line, "[%s]: missing track name "
			    "(akut, halvakut, mdk or pv)", sec);
			return;
		}
		for (t = 0; t < MAX_TRACKS; t++)
			if (nw == 2 && strcasecmp(words[1], config_track_names[t]) == 0)
				inst = INST_TRACK0 + t;
		if (inst == INST_NONE) {
			config_fail(st, st->line, "[%s]: unknown track (akut, "
			    "halvakut, mdk or pv)", sec);
			return;
		}
	} else {
		config_fail(st, st->line, "[%s]: unknown section (daemon, modem, "
		    "modem NAME, pager, http, closed or track NAME)", sec);
		return;
	}
	if (st->secline[inst] != 0) {
		config_fail(st, st->line, "[%s]: duplicate section (first at line "
		    "%d)", sec, st->secline[inst]);
		return;
	}
	st->secline[inst] = st->line;
	st->cur = inst;
	if (inst >= INST_TRACK0)
		st->cf->tracks[inst - INST_TRACK0].enabled = true;
	if (inst == INST_PAGER)
		st->cf->pager.enabled = true;
	if (inst == INST_HTTP)
		st->cf->http.enabled = true;
}

/*
 * Reads the next line of the file into st->buf, newline included, and
 * returns its length; 0 at the end. A line that does not fit is read no
 * further and fails as too long (limit: inih's, for the message); a read
 * error fails too. -1 on failure, with the error in st.
 */
static ssize_t
config_read_line(struct cfg_state *st, int limit)
{
	size_t	n = 0;
	int	c;

	errno = 0;
	while (n < sizeof st->buf) {
		if ((c = getc(st->fp)) == EOF)
			break;
		st->buf[n++] = (char)c;
		if (c == '\n')
			return (ssize_t)n;
	}
	if (ferror(st->fp)) {
		config_fail(st, st->line + 1, "read error: %s",
		    strerror(errno != 0 ? errno : EIO));
		return -1;
	}
	if (n == sizeof st->buf) {
		config_fail(st, st->line + 1, "line too long (at most %d bytes)",
		    limit);
		return -1;
	}
	return (ssize_t)n;
}

/*
 * Fetches the next raw line without its newline; -1 at the end or on an
 * error (then in st). limit is the longest line inih takes, for messages.
 */
static int
config_getline(struct cfg_state *st, const char **line, size_t *len,
    int limit)
{
	const char	*nl;
	ssize_t		 n;

	if (st->fp != NULL) {
		if ((n = config_read_line(st, limit)) <= 0)
			return -1;
		*line = st->buf;
		*len = (size_t)n;
	} else {
		if (st->textpos >= st->textlen)
			return -1;
		*line = st->text + st->textpos;
		nl = memchr(*line, '\n', st->textlen - st->textpos);
		*len = nl != NULL ? (size_t)(nl - *line) + 1 :
		    st->textlen - st->textpos;
		st->textpos += *len;
	}
	if (*len > 0 && (*line)[*len - 1] == '\n')
		(*len)--;
	if (*len > 0 && (*line)[*len - 1] == '\r')
		(*len)--;
	return 0;
}

/* inih's reader: hands out one whole line at a time and counts them. */
static char *
config_reader_cb(char *str, int num, void *stream)
{
	struct cfg_state	*st = stream;
	const char		*line;
	size_t			 len;

	if (st->stop || num < 3 || config_getline(st, &line, &len, num - 3) == -1)
		return NULL;
	st->line++;
	if (st->line == 1 && len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
		line += 3;
		len -= 3;
	}
	if (memchr(line, '\0', len) != NULL) {
		config_fail(st, st->line, "NUL byte in line");
		return NULL;
	}
	if (!text_valid_utf8(line, len)) {
		config_fail(st, st->line, "invalid UTF-8");
		return NULL;
	}
	/* Leading blanks would make inih join the line to the previous value. */
	while (len > 0 && config_is_space(*line)) {
		line++;
		len--;
	}
	/*
	 * A line that filled inih's buffer exactly would make an inih built
	 * with INI_ALLOW_REALLOC read on into the next line: keep one spare.
	 */
	if (len >= (size_t)num - 2) {
		config_fail(st, st->line, "line too long (at most %d bytes)",
		    num - 3);
		return NULL;
	}
	memcpy(str, line, len);
	str[len] = '\0';
	if (str[0] == '[')
		config_section(st, str);
	return st->stop ? NULL : str;
}

/*
 * A line of [closed]: "YYYY-MM-DD = why". The why is for the people who
 * read the file; jourd needs only the date.
 */
static int
config_closed_date(struct cfg_state *st, const char *name)
{
	struct calendar	 one;
	struct config	*cf = st->cf;
	int		 i;

	calendar_init(&one);
	if (calendar_add_closed(&one, name) == -1) {
		config_fail(st, st->line, "[closed] %s: not a date (YYYY-MM-DD, "
		    "1970 to 2200)", name);
		return 0;
	}
	for (i = 0; i < cf->nclosed_days; i++)
		if (cf->closed_days[i] == one.closed[0]) {
			config_fail(st, st->line, "[closed] %s: duplicate date "
			    "(first at line %d)", name, st->closed_line[i]);
			return 0;
		}
	if (cf->nclosed_days >= MAX_CLOSED_DATES) {
		config_fail(st, st->line, "[closed] %s: more than %d dates",
		    name, MAX_CLOSED_DATES);
		return 0;
	}
	st->closed_line[cf->nclosed_days] = st->line;
	cf->closed_days[cf->nclosed_days++] = one.closed[0];
	return 1;
}

/* inih's handler: one key = value of the current section. */
static int
config_handler_cb(void *user, const char *section, const char *name,
    const char *value)
{
	struct cfg_state	*st = user;
	char			 why[384];
	enum cfg_section	 sec;
	int			 i;

	if (st->stop)
		return 0;
	if (value == NULL)
		value = "";
	if (name[0] == '\0') {
		config_fail(st, st->line, "missing key name before '='");
		return 0;
	}
	if (st->cur == INST_NONE) {
		config_fail(st, st->line, "%s: key outside a section", name);
		return 0;
	}
	if (st->cur == INST_CLOSED)
		return config_closed_date(st, name);
	sec = config_inst_section(st->cur);
	for (i = 0; i < NKEYS; i++)
		if (config_keys[i].section == sec &&
		    strcasecmp(config_keys[i].name, name) == 0)
			break;
	if (i == NKEYS) {
		config_fail(st, st->line, "[%s] %s: unknown key", st->cursec,
		    name);
		return 0;
	}
	if (st->keyline[st->cur][i] != 0) {
		config_fail(st, st->line, "[%s] %s: duplicate key (first at "
		    "line %d)", st->cursec, name, st->keyline[st->cur][i]);
		return 0;
	}
	st->keyline[st->cur][i] = st->line;
	if (config_set(&config_keys[i], config_base(st->cf, st->cur), value,
	    why, sizeof why) == -1) {
		config_fail(st, st->line, "[%s] %s: %s", st->cursec, name, why);
		return 0;
	}
	return 1;
}

static int
config_key_index(enum cfg_section sec, const char *name)
{
	int	i;

	for (i = 0; i < NKEYS; i++)
		if (config_keys[i].section == sec &&
		    strcmp(config_keys[i].name, name) == 0)
			return i;
	return -1;
}

/* The line of a key in a section instance, else its header's line. */
static int
config_line_of(const struct cfg_state *st, int inst, const char *key)
{
	int	i = config_key_index(config_inst_section(inst), key);

	if (i >= 0 && st->keyline[inst][i] != 0)
		return st->keyline[inst][i];
	return st->secline[inst];
}

/* A section instance's header as written, for messages. */
static const char *
config_inst_name(const struct cfg_state *st, int inst)
{
	static char	buf[2][64];
	static int	n;
	const char	*name;

	if (inst < INST_MODEM0 || inst >= INST_MODEM0 + MAX_MODEMS)
		return "?";
	name = st->cf->modems[inst - INST_MODEM0].name;
	n = (n + 1) % 2;
	if (strcmp(name, ROUTE_MAIN) == 0 && st->secline[inst] != 0 &&
	    !st->named_main[inst - INST_MODEM0])
		snprintf(buf[n], sizeof buf[n], "modem");
	else
		snprintf(buf[n], sizeof buf[n], "modem %s", name);
	return buf[n];
}

static bool
config_any_calls(const struct config *cf)
{
	int	k;

	for (k = 0; k < cf->nmodems; k++)
		if (cf->modems[k].calls)
			return true;
	return false;
}

/* The modem and pager sections: devices set, and not shared. */
static int
config_check_routes(struct cfg_state *st)
{
	struct config	*cf = st->cf;
	struct modem_conf *mc;
	int		 k, m, inst;
	size_t		 b;

	for (k = 0; k < cf->nmodems; k++) {
		mc = &cf->modems[k];
		inst = INST_MODEM0 + k;
		if (mc->driver != DRIVER_AT)
			continue;
		if (st->keyline[inst][config_key_index(SEC_MODEM,
		    "connection")] == 0)
			snprintf(mc->connection, sizeof mc->connection,
			    "at115200");
		if (st->keyline[inst][config_key_index(SEC_MODEM,
		    "device")] == 0) {
			config_fail(st, config_line_of(st, inst, "driver"),
			    "[%s] device: must be set for driver at (a serial "
			    "device such as /dev/ttyUSB0)", config_inst_name(st,
			    inst));
			return -1;
		}
	}
	for (k = 0; k < cf->nmodems; k++)
		for (m = 0; m < k; m++)
			if (strcmp(cf->modems[k].device, cf->modems[m].device) == 0) {
				config_fail(st, config_line_of(st, INST_MODEM0 + k,
				    "device"), "[%s] device: also the device of "
				    "[%s]", config_inst_name(st, INST_MODEM0 + k),
				    config_inst_name(st, INST_MODEM0 + m));
				return -1;
			}
	if (!cf->pager.enabled)
		return 0;
	for (b = 0; b < nitems(config_bauds); b++)
		if (config_bauds[b] == cf->pager.baud)
			break;
	if (b == nitems(config_bauds)) {
		config_fail(st, config_line_of(st, INST_PAGER, "baud"), "[pager] "
		    "baud: %d is not a line speed (1200, 2400, 4800, 9600, "
		    "19200, 38400, 57600, 115200)", cf->pager.baud);
		return -1;
	}
	if (strcmp(cf->pager.address, cf->pager.system) == 0) {
		config_fail(st, config_line_of(st, INST_PAGER, "system"), "[pager] "
		    "system: the same address as jourd's (address = %s)",
		    cf->pager.address);
		return -1;
	}
	for (k = 0; k < cf->nmodems; k++)
		if (strcmp(cf->modems[k].device, cf->pager.device) == 0) {
			config_fail(st, config_line_of(st, INST_PAGER, "device"),
			    "[pager] device: also the device of [%s]",
			    config_inst_name(st, INST_MODEM0 + k));
			return -1;
		}
	return 0;
}

/*
 * [http] listen into its parts: unix:PATH (a path that fits a socket
 * address) or HOST:PORT; a TCP listener needs a users file. 0 or -1.
 */
static int
config_check_http(struct cfg_state *st)
{
	struct http_conf	*h = &st->cf->http;
	const char		*colon;
	char			*end;
	long			 port;
	size_t			 hl;

	if (!h->enabled)
		return 0;
	h->unix_path[0] = h->host[0] = '\0';
	h->port = 0;
	if (strncmp(h->listen, "unix:", 5) == 0) {
		/* sun_path holds 108 bytes with the NUL. */
		if (h->listen[5] != '\0' && strlen(h->listen + 5) < 108) {
			text_copy(h->unix_path, sizeof h->unix_path,
			    h->listen + 5);
			return 0;
		}
	} else if ((colon = strrchr(h->listen, ':')) != NULL &&
	    (hl = (size_t)(colon - h->listen)) > 0 && hl < sizeof h->host &&
	    colon[1] >= '0' && colon[1] <= '9') {
		errno = 0;
		port = strtol(colon + 1, &end, 10);
		if (errno == 0 && *end == '\0' && port > 0 && port < 65536 &&
		    strcspn(h->listen, " \t") == strlen(h->listen)) {
			memcpy(h->host, h->listen, hl);
			h->host[hl] = '\0';
			h->port = (int)port;
			if (h->users[0] != '\0')
				return 0;
			config_fail(st, config_line_of(st, INST_HTTP, "listen"),
			    "[http] listen: a TCP listener needs users = FILE "
			    "(jourctl user add NAME writes one)");
			return -1;
		}
	}
	config_fail(st, config_line_of(st, INST_HTTP, "listen"), "[http] "
	    "listen: '%s' is neither unix:PATH nor HOST:PORT", h->listen);
	return -1;
}

/* Checks what no single key can: consistency across keys and tracks. */
static void
config_crosscheck(struct cfg_state *st)
{
	struct config	*cf = st->cf;
	int		 t, u, i, j, n = 0;

	if (config_check_routes(st) == -1 || config_check_http(st) == -1)
		return;
	for (t = 0; t < MAX_TRACKS; t++) {
		const struct track_conf *tc = &cf->tracks[t];

		if (!tc->enabled)
			continue;
		n++;
		if (tc->nkeywords == 0) {
			config_fail(st, config_line_of(st, INST_TRACK0 + t,
			    "keywords"), "[track %s] keywords: no keyword",
			    tc->name);
			return;
		}
		if (tc->nroles == 0) {
			config_fail(st, config_line_of(st, INST_TRACK0 + t,
			    "escalation"), "[track %s] escalation: no role",
			    tc->name);
			return;
		}
		if (tc->call_from_step > 0 && !config_any_calls(cf)) {
			config_fail(st, config_line_of(st, INST_TRACK0 + t,
			    "call_from_step"), "[track %s] call_from_step: no "
			    "[modem] section has calls = yes", tc->name);
			return;
		}
		if (tc->pager && !cf->pager.enabled) {
			config_fail(st, config_line_of(st, INST_TRACK0 + t,
			    "pager"), "[track %s] pager: there is no [pager] "
			    "section", tc->name);
			return;
		}
		for (u = 0; u < t; u++) {
			if (!cf->tracks[u].enabled)
				continue;
			for (i = 0; i < tc->nkeywords; i++)
				for (j = 0; j < cf->tracks[u].nkeywords; j++)
					if (strcmp(tc->keywords[i],
					    cf->tracks[u].keywords[j]) == 0) {
						config_fail(st, config_line_of(st,
						    INST_TRACK0 + t, "keywords"),
						    "[track %s] keywords: %s is "
						    "also a keyword of [track %s]",
						    tc->name, tc->keywords[i],
						    cf->tracks[u].name);
						return;
					}
		}
	}
	if (n == 0)
		config_fail(st, 0, "no track enabled: add a [track akut], "
		    "[track halvakut], [track mdk] or [track pv] section");
}

/* Runs inih over the prepared state and turns every outcome into err. */
static int
config_run(struct cfg_state *st, char *err, size_t errsz)
{
	int	ret;

	ret = ini_parse_stream(config_reader_cb, st, config_handler_cb, st);
	/* inih reports the first failing line, ours or its own syntax error. */
	if (ret > 0 && (!st->failed || ret < st->errline)) {
		st->failed = false;
		config_fail(st, ret, "syntax error");
	} else if (ret < 0 && !st->failed)
		config_fail(st, 0, "inih failed (%d)", ret);
	if (!st->failed)
		config_crosscheck(st);
	if (!st->failed && strlen(st->name) >= sizeof st->cf->path)
		config_fail(st, 0, "file name too long");
	if (st->failed) {
		if (err != NULL && errsz > 0)
			snprintf(err, errsz, "%s", st->err);
		return -1;
	}
	snprintf(st->cf->path, sizeof st->cf->path, "%s", st->name);
	if (err != NULL && errsz > 0)
		err[0] = '\0';
	return 0;
}

static void
config_state_init(struct cfg_state *st, const char *name, struct config *cf)
{
	memset(st, 0, sizeof *st);
	st->cf = cf;
	st->name = name;
	st->cur = INST_NONE;
	config_defaults(cf);
}

int
config_load(const char *path, struct config *cf, char *err, size_t errsz)
{
	struct cfg_state	*st;
	int			 rc;

	if ((st = calloc(1, sizeof *st)) == NULL) {
		snprintf(err, errsz, "%s: out of memory", path);
		return -1;
	}
	config_state_init(st, path, cf);
	if ((st->fp = fopen(path, "r")) == NULL) {
		snprintf(err, errsz, "%s: cannot open: %s", path, strerror(errno));
		free(st);
		return -1;
	}
	rc = config_run(st, err, errsz);
	fclose(st->fp);
	free(st);
	return rc;
}

int
config_load_string(const char *name, const char *text, struct config *cf,
    char *err, size_t errsz)
{
	struct cfg_state	*st;
	int			 rc;

	if ((st = calloc(1, sizeof *st)) == NULL) {
		snprintf(err, errsz, "%s: out of memory", name);
		return -1;
	}
	config_state_init(st, name, cf);
	st->text = text;
	st->textlen = strlen(text);
	rc = config_run(st, err, errsz);
	free(st);
	return rc;
}

int
config_track_by_keyword(const struct config *cf, const char *folded)
{
	int	pass, t, i;

	/* An enabled track wins over a disabled one's default keywords. */
	for (pass = 0; pass < 2; pass++)
		for (t = 0; t < MAX_TRACKS; t++) {
			if (cf->tracks[t].enabled != (pass == 0))
				continue;
			for (i = 0; i < cf->tracks[t].nkeywords; i++)
				if (strcmp(cf->tracks[t].keywords[i], folded) == 0)
					return t;
		}
	return -1;
}

static void
config_print_key(const struct cfg_key *k, const char *def)
{
	char	desc[200];

	config_describe(k, desc, sizeof desc);
	printf("; %s.\n; %s\n%s = %s\n", k->help, desc, k->name, def);
}

static void
config_print_key_commented(const struct cfg_key *k)
{
	char	desc[200];

	config_describe(k, desc, sizeof desc);
	printf("; %s.\n; %s\n;%s = %s\n", k->help, desc, k->name, k->def[0]);
}

void
config_print_reference(void)
{
	static const char *const heads[] = { "daemon", "modem" };
	int	i, s, t;

	printf("; jourd configuration reference: every key with its default.\n"
	    "; This output is itself a valid configuration file.\n");
	for (s = SEC_DAEMON; s <= SEC_MODEM; s++) {
		if (s == SEC_MODEM)
			printf("\n; [modem] is the route \"main\". More modems are "
			    "[modem NAME] sections\n; (up to %d, a-z 0-9 _ -) "
			    "with the same keys; SMS go out through the first\n; "
			    "healthy one in the order of the file.\n", MAX_MODEMS);
		printf("\n[%s]\n", heads[s]);
		for (i = 0; i < NKEYS; i++)
			if (config_keys[i].section == (enum cfg_section)s)
				config_print_key(&config_keys[i],
				    config_keys[i].def[0]);
	}
	printf("\n; The hospital paging system (ESPA 4.4.4) is on only when "
	    "its section exists:\n");
	for (i = 0; i < NKEYS; i++)
		if (config_keys[i].section == SEC_PAGER) {
			if (strcmp(config_keys[i].name, "device") == 0)
				printf(";[pager]\n");
			config_print_key_commented(&config_keys[i]);
		}
	printf("\n; The web console, /metrics and /healthz are on only when "
	    "its section exists:\n;[http]\n");
	for (i = 0; i < NKEYS; i++)
		if (config_keys[i].section == SEC_HTTP)
			config_print_key_commented(&config_keys[i]);
	printf("\n; Extra closed dates: on these, every \"weekdays\" rule is "
	    "closed as on a\n; public holiday (tracks and health centres' "
	    "hours). One line per date,\n; YYYY-MM-DD = why, up to %d. "
	    "For example:\n;   2026-12-28 = klämdag\n[closed]\n",
	    MAX_CLOSED_DATES);
	printf("\n; A track is on only when its section exists; keys left out\n"
	    "; take the defaults shown for that track.\n");
	for (t = 0; t < MAX_TRACKS; t++) {
		printf("\n[track %s]\n", config_track_names[t]);
		for (i = 0; i < NKEYS; i++)
			if (config_keys[i].section == SEC_TRACK)
				config_print_key(&config_keys[i],
				    config_keys[i].def[t]);
	}
}
