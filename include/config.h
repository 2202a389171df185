/*
 * config.h — jourd.conf, read with inih.
 *
 * Every key lives in one table (section, name, type, default, bounds) in
 * config.c; that table also prints the reference with `jourd -K`. Errors are
 * reported as "FILE:LINE: [section] key: what is wrong" and stop the load:
 * unknown sections and keys, duplicates, bad values and values out of bounds.
 * Relative paths are relative to the working directory.
 *
 * A struct config is plain data with no pointers: copy it freely.
 */
#ifndef JOURD_CONFIG_H
#define JOURD_CONFIG_H

#include <limits.h>

#include "common.h"

/* Extra closed dates a [closed] section may list. */
#define MAX_CLOSED_DATES 64

enum track_id { TRACK_AKUT, TRACK_HALVAKUT, TRACK_MDK, TRACK_PV };

enum open_kind { OPEN_ALWAYS, OPEN_WEEKDAYS };

/* "always" or "weekdays HH:MM-HH:MM" (minutes after local midnight). */
struct open_rule {
	enum open_kind	kind;
	int		from_min;
	int		to_min;
};

enum closed_policy { CLOSED_REPLY, CLOSED_QUEUE };

struct track_conf {
	bool			enabled;	/* its [track NAME] section exists */
	char			name[WORD_MAX];	/* akut, halvakut, mdk, pv */
	char			keywords[MAX_KEYWORDS][WORD_MAX];	/* folded */
	int			nkeywords;
	struct open_rule	open;
	enum closed_policy	closed;
	jtime_t			ack_timeout;	/* per escalation step */
	char			roles[MAX_STEPS][ROLE_MAX];	/* escalation */
	int			nroles;
	int			repeat;		/* extra passes through the roles */
	bool			require_all;	/* mdk */
	char			after_hours[UNIT_MAX];	/* pv */
	int			call_from_step;	/* wake-up calls from this
						 * page on (1 = first), 0 never */
	bool			pager;		/* pages go to pagers too */
};

enum modem_driver { DRIVER_DUMMY, DRIVER_AT };

struct modem_conf {
	char			name[ROUTE_NAME_MAX];	/* route: "main" for [modem] */
	enum modem_driver	driver;
	char			device[PATH_MAX];
	char			connection[32];
	char			pin[16];
	jtime_t			sweep;		/* full read of the SMS memory */
	char			logfile[PATH_MAX];	/* libGammu debug log, "" = none */
	jtime_t			reply_timeout;	/* worker answer bound (watchdog) */
	jtime_t			alarm_after;	/* trouble this long is an incident */
	int			rate;		/* SMS submitted a minute, 0 = no pacing */
	bool			calls;		/* may place wake-up calls */
};

enum pager_parity { PARITY_EVEN, PARITY_ODD, PARITY_NONE };
enum pager_charset { CHARSET_LATIN1, CHARSET_ASCII };

/* [pager]: the hospital paging system, ESPA 4.4.4 over a serial line. */
struct pager_conf {
	bool			enabled;	/* the section exists */
	char			device[PATH_MAX];
	int			baud;		/* 1200..115200 */
	enum pager_parity	parity;
	int			data_bits;	/* 7 or 8 */
	char			address[2];	/* jourd's station, '0'..'9' */
	char			system[2];	/* the paging system's */
	jtime_t			poll;		/* status poll and link check */
	enum pager_charset	charset;
	jtime_t			reply_timeout;	/* an ACK's longest wait */
};

/* [http]: the read-only web console, /metrics and /healthz (DESIGN §11). */
struct http_conf {
	bool			enabled;	/* the section exists */
	char			listen[PATH_MAX];	/* unix:PATH or HOST:PORT */
	char			users[PATH_MAX];	/* name:hash lines, "" = none */
	int			max_header;	/* bytes of request line and headers */
	int			max_url;	/* bytes of the request target */
	int			max_conns;	/* connections open at once */
	jtime_t			timeout;	/* a connection's idle limit */
	/* From listen, filled by the load: */
	char			unix_path[PATH_MAX];	/* "" when TCP */
	char			host[256];
	int			port;
};

struct config {
	char			path[PATH_MAX];	/* the file that was read */

	/* [daemon] */
	char			database[PATH_MAX];
	char			admins[MAX_ADMINS][PHONE_MAX];	/* E.164 */
	int			nadmins;
	jtime_t			reply_period;	/* one reply per period to strangers */
	jtime_t			code_quarantine;	/* reply code not reused */
	char			outcomes[MAX_OUTCOMES][WORD_MAX];	/* folded */
	int			noutcomes;
	int			send_attempts;	/* before an outbox row fails */
	jtime_t			send_retry;	/* first retry delay, doubles */
	int			request_limit;	/* consults per requester an hour */
	jtime_t			failover_after;	/* a route's trouble before bypass */
	jtime_t			call_ring;	/* how long a wake-up call rings */
	int			coverage_days;	/* roster gaps looked for, 0 = off */
	jtime_t			keep_text;	/* texts blanked after, 0 = never */

	/* [closed]: extra dates on which every "weekdays" rule is closed, as
	 * local days since 1970-01-01 (see calendar.h). */
	int32_t			closed_days[MAX_CLOSED_DATES];
	int			nclosed_days;

	/* The [modem] sections in the order of the file; [modem] is the
	 * route "main". Without any, one dummy modem "main" with defaults. */
	struct modem_conf	modems[MAX_MODEMS];
	int			nmodems;
	struct pager_conf	pager;
	struct http_conf	http;
	struct track_conf	tracks[MAX_TRACKS];	/* index = enum track_id */
};

/* Fills cf with the defaults of every key; tracks start disabled. */
void config_defaults(struct config *cf);

/*
 * Reads path into cf (config_defaults first). Returns 0, or -1 with a
 * message "path:line: [section] key: reason" in err. On error cf is left
 * half filled: load into a scratch struct and copy it on success.
 */
int config_load(const char *path, struct config *cf, char *err, size_t errsz);

/* As config_load over the NUL-terminated text; name is used in messages. */
int config_load_string(const char *name, const char *text, struct config *cf,
    char *err, size_t errsz);

/*
 * Looks a track up by a keyword already folded, over enabled and disabled
 * tracks (the caller checks enabled); an enabled track wins. -1 if none.
 */
int config_track_by_keyword(const struct config *cf, const char *folded);

/*
 * Parses "250ms", "30s", "5m", "2h", "3d", "2w" or a bare number of seconds
 * into ms (jtime_parse_span); -1 if bad or longer than ten years. "0" gives
 * 0: callers check bounds.
 */
jtime_t config_parse_duration(const char *s);

/* Parses "always" or "weekdays HH:MM-HH:MM"; 0 on success, -1 if bad. */
int config_parse_open(const char *s, struct open_rule *out);

/* Prints every section and key with its default and meaning (jourd -K). */
void config_print_reference(void);

#endif
