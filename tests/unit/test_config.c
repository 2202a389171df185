/*
 * test_config.c — jourd.conf: defaults, every value type, exact error
 * messages, the example file and the printed reference.
 */
#include <sys/resource.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "parse.h"

#ifndef CONF_EXAMPLE
#define CONF_EXAMPLE "conf/jourd.conf.example"
#endif

static struct config	cf;
static char		err[512];

/* Loads text as "t.conf"; returns what config_load_string returned. */
static int
load(const char *text)
{
	return config_load_string("t.conf", text, &cf, err, sizeof err);
}

/* Loads text and expects exactly the error message want. */
static void
expect_err(const char *text, const char *want)
{
	int	rc = load(text);

	if (rc != -1 || strcmp(err, want) != 0)
		print_error("text:\n%s\nwant: %s\ngot:  %s (rc %d)\n", text,
		    want, err, rc);
	assert_int_equal(rc, -1);
	assert_string_equal(err, want);
}

/* Loads text and expects success. */
static void
expect_ok(const char *text)
{
	int	rc = load(text);

	if (rc != 0)
		print_error("text:\n%s\nerror: %s\n", text, err);
	assert_int_equal(rc, 0);
	assert_string_equal(err, "");
}

/* Writes len bytes to a fresh temporary file; returns its name (static). */
static const char *
write_tmp(const void *data, size_t len)
{
	static char	name[64];
	int		fd;

	snprintf(name, sizeof name, "/tmp/test_config.XXXXXX");
	fd = mkstemp(name);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	return name;
}

static void
test_defaults(void **state)
{
	const struct track_conf *t;

	config_defaults(&cf);
	assert_string_equal(cf.database, "var/jourd.db");
	assert_int_equal(cf.nadmins, 0);
	assert_int_equal(cf.reply_period, JT_HOUR);
	assert_int_equal(cf.code_quarantine, 72 * JT_HOUR);
	assert_int_equal(cf.noutcomes, 6);
	assert_string_equal(cf.outcomes[0], "INL");
	assert_string_equal(cf.outcomes[5], "MDK");
	assert_int_equal(cf.send_attempts, 5);
	assert_int_equal(cf.send_retry, 30 * JT_SECOND);
	assert_int_equal(cf.modems[0].driver, DRIVER_DUMMY);
	assert_string_equal(cf.modems[0].device, "var/phone");
	assert_string_equal(cf.modems[0].connection, "none");
	assert_string_equal(cf.modems[0].pin, "");
	assert_int_equal(cf.modems[0].sweep, 2 * JT_SECOND);
	assert_string_equal(cf.modems[0].logfile, "");
	assert_int_equal(cf.modems[0].reply_timeout, 60 * JT_SECOND);

	t = &cf.tracks[TRACK_AKUT];
	assert_false(t->enabled);
	assert_string_equal(t->name, "akut");
	assert_int_equal(t->nkeywords, 2);
	assert_string_equal(t->keywords[0], "AKUT");
	assert_string_equal(t->keywords[1], "ACUTE");
	assert_int_equal(t->open.kind, OPEN_ALWAYS);
	assert_int_equal(t->ack_timeout, 5 * JT_MINUTE);
	assert_int_equal(t->nroles, 3);
	assert_string_equal(t->roles[0], "primary");
	assert_string_equal(t->roles[1], "backup");
	assert_string_equal(t->roles[2], "chief");
	assert_int_equal(t->repeat, 1);
	assert_false(t->require_all);
	assert_string_equal(t->after_hours, "");

	t = &cf.tracks[TRACK_HALVAKUT];
	assert_string_equal(t->name, "halvakut");
	assert_int_equal(t->nkeywords, 3);
	assert_string_equal(t->keywords[2], "SEMI");
	assert_int_equal(t->open.kind, OPEN_WEEKDAYS);
	assert_int_equal(t->open.from_min, 8 * 60);
	assert_int_equal(t->open.to_min, 17 * 60);
	assert_int_equal(t->closed, CLOSED_REPLY);
	assert_int_equal(t->ack_timeout, 30 * JT_MINUTE);
	assert_int_equal(t->nroles, 2);
	assert_string_equal(t->roles[0], "consult");
	assert_int_equal(t->repeat, 0);

	t = &cf.tracks[TRACK_MDK];
	assert_int_equal(t->nkeywords, 1);
	assert_string_equal(t->keywords[0], "MDK");
	assert_int_equal(t->open.to_min, 16 * 60);
	assert_int_equal(t->ack_timeout, 4 * JT_HOUR);
	assert_string_equal(t->roles[0], "mdk");
	assert_string_equal(t->roles[1], "chief");
	assert_true(t->require_all);
	assert_int_equal(t->repeat, 0);

	t = &cf.tracks[TRACK_PV];
	assert_string_equal(t->keywords[0], "PV");
	assert_int_equal(t->open.kind, OPEN_ALWAYS);
	assert_int_equal(t->ack_timeout, 10 * JT_MINUTE);
	assert_int_equal(t->nroles, 2);
	assert_string_equal(t->after_hours, "JOURCENTRAL");
	assert_false(t->require_all);
}

static void
test_track_enabled_by_section(void **state)
{
	expect_ok("[track pv]\n");
	assert_true(cf.tracks[TRACK_PV].enabled);
	assert_false(cf.tracks[TRACK_AKUT].enabled);
	assert_false(cf.tracks[TRACK_HALVAKUT].enabled);
	assert_false(cf.tracks[TRACK_MDK].enabled);
	assert_string_equal(cf.path, "t.conf");
	/* Keys left out take this track's own defaults. */
	assert_int_equal(cf.tracks[TRACK_PV].ack_timeout, 10 * JT_MINUTE);

	expect_ok("[track halvakut]\nack_timeout = 20m\n[track mdk]\n");
	assert_true(cf.tracks[TRACK_HALVAKUT].enabled);
	assert_true(cf.tracks[TRACK_MDK].enabled);
	assert_int_equal(cf.tracks[TRACK_HALVAKUT].ack_timeout, 20 * JT_MINUTE);
	assert_int_equal(cf.tracks[TRACK_MDK].ack_timeout, 4 * JT_HOUR);
}

static void
test_durations(void **state)
{
	assert_int_equal(config_parse_duration("250ms"), 250);
	assert_int_equal(config_parse_duration("30s"), 30 * JT_SECOND);
	assert_int_equal(config_parse_duration("5m"), 5 * JT_MINUTE);
	assert_int_equal(config_parse_duration("2h"), 2 * JT_HOUR);
	assert_int_equal(config_parse_duration("3d"), 72 * JT_HOUR);
	assert_int_equal(config_parse_duration("2w"), 14 * 24 * JT_HOUR);
	assert_int_equal(config_parse_duration("45"), 45 * JT_SECOND);
	assert_int_equal(config_parse_duration("0"), 0);
	assert_int_equal(config_parse_duration("0s"), 0);
	assert_int_equal(config_parse_duration("-1"), -1);
	assert_int_equal(config_parse_duration("-5m"), -1);
	assert_int_equal(config_parse_duration("5x"), -1);
	assert_int_equal(config_parse_duration("m"), -1);
	assert_int_equal(config_parse_duration(""), -1);
	assert_int_equal(config_parse_duration(NULL), -1);
	assert_int_equal(config_parse_duration("5 m"), -1);
	assert_int_equal(config_parse_duration(" 5m"), -1);
	assert_int_equal(config_parse_duration("1.5h"), -1);
	assert_int_equal(config_parse_duration("5mm"), -1);
	assert_int_equal(config_parse_duration("5M"), -1);
	assert_int_equal(config_parse_duration("+5m"), -1);
	assert_int_equal(config_parse_duration("99999999999h"), -1);
	assert_int_equal(config_parse_duration("99999999999999999999999"), -1);
	assert_int_equal(config_parse_duration("3650d"), (jtime_t)3650 * 24 * JT_HOUR);
	assert_int_equal(config_parse_duration("3651d"), -1);

	expect_ok("[track akut]\nack_timeout = 90\n");
	assert_int_equal(cf.tracks[TRACK_AKUT].ack_timeout, 90 * JT_SECOND);
	expect_err("[track akut]\nack_timeout = 0\n",
	    "t.conf:2: [track akut] ack_timeout: 0 is out of range (duration "
	    "1s..7d (ms, s, m, h, d, w; a bare number is seconds))");
	expect_err("[track akut]\nack_timeout = -1\n",
	    "t.conf:2: [track akut] ack_timeout: '-1' is not a duration (such "
	    "as 250ms, 30s, 5m, 2h, 2w)");
	expect_err("[track akut]\nack_timeout = 99999999999h\n",
	    "t.conf:2: [track akut] ack_timeout: '99999999999h' is not a "
	    "duration (such as 250ms, 30s, 5m, 2h, 2w)");
	expect_err("[track akut]\n[modem]\nsweep = 50ms\n",
	    "t.conf:3: [modem] sweep: 50ms is out of range (duration "
	    "100ms..1h (ms, s, m, h, d, w; a bare number is seconds))");
	expect_ok("[track akut]\n[modem]\nsweep = 250ms\n");
	assert_int_equal(cf.modems[0].sweep, 250);
	expect_err("[track akut]\n[daemon]\nreply_period =\n",
	    "t.conf:3: [daemon] reply_period: empty value (expected duration "
	    "1s..7d (ms, s, m, h, d, w; a bare number is seconds))");
}

static void
test_open_rules(void **state)
{
	struct open_rule	o;

	assert_int_equal(config_parse_open("always", &o), 0);
	assert_int_equal(o.kind, OPEN_ALWAYS);
	assert_int_equal(config_parse_open("weekdays 08:00-17:00", &o), 0);
	assert_int_equal(o.kind, OPEN_WEEKDAYS);
	assert_int_equal(o.from_min, 480);
	assert_int_equal(o.to_min, 1020);
	assert_int_equal(config_parse_open("weekdays 00:00-24:00", &o), 0);
	assert_int_equal(o.from_min, 0);
	assert_int_equal(o.to_min, 1440);
	assert_int_equal(config_parse_open("weekdays  7:30 - 16:45", &o), 0);
	assert_int_equal(o.from_min, 450);
	assert_int_equal(o.to_min, 1005);
	assert_int_equal(config_parse_open("Weekdays 08:00-09:00", &o), 0);

	assert_int_equal(config_parse_open("weekdays 17:00-08:00", &o), -1);
	assert_int_equal(config_parse_open("weekdays 08:00-08:00", &o), -1);
	assert_int_equal(config_parse_open("weekdays 24:00-24:00", &o), -1);
	assert_int_equal(config_parse_open("weekdays 08:00-24:01", &o), -1);
	assert_int_equal(config_parse_open("weekdays 08:60-17:00", &o), -1);
	assert_int_equal(config_parse_open("weekdays 25:00-26:00", &o), -1);
	assert_int_equal(config_parse_open("weekdays 08:0-17:00", &o), -1);
	assert_int_equal(config_parse_open("weekdays 008:00-17:00", &o), -1);
	assert_int_equal(config_parse_open("weekdays 08:00-17:00x", &o), -1);
	assert_int_equal(config_parse_open("weekdays 08:00", &o), -1);
	assert_int_equal(config_parse_open("weekdays", &o), -1);
	assert_int_equal(config_parse_open("weekdays08:00-17:00", &o), -1);
	assert_int_equal(config_parse_open("daily 08:00-17:00", &o), -1);
	assert_int_equal(config_parse_open("always now", &o), -1);
	assert_int_equal(config_parse_open("alwayss", &o), -1);
	assert_int_equal(config_parse_open("", &o), -1);

	expect_ok("[track pv]\nopen = weekdays 07:00-18:30\n");
	assert_int_equal(cf.tracks[TRACK_PV].open.kind, OPEN_WEEKDAYS);
	assert_int_equal(cf.tracks[TRACK_PV].open.to_min, 18 * 60 + 30);
	expect_err("[track pv]\nopen = weekdays 18:00-07:00\n",
	    "t.conf:2: [track pv] open: 'weekdays 18:00-07:00' is not 'always' "
	    "or 'weekdays HH:MM-HH:MM' with 00:00 <= from < to <= 24:00");
}

static void
test_bools_ints_enums(void **state)
{
	static const char *const yes[] = { "yes", "true", "on", "1", "YES" };
	static const char *const no[] = { "no", "false", "off", "0", "No" };
	char	text[128];
	size_t	i;

	for (i = 0; i < nitems(yes); i++) {
		snprintf(text, sizeof text, "[track akut]\nrequire_all = %s\n",
		    yes[i]);
		expect_ok(text);
		assert_true(cf.tracks[TRACK_AKUT].require_all);
	}
	for (i = 0; i < nitems(no); i++) {
		snprintf(text, sizeof text, "[track mdk]\nrequire_all = %s\n",
		    no[i]);
		expect_ok(text);
		assert_false(cf.tracks[TRACK_MDK].require_all);
	}
	expect_err("[track mdk]\nrequire_all = maybe\n",
	    "t.conf:2: [track mdk] require_all: 'maybe' is not yes or no");

	expect_ok("[track akut]\nrepeat = 10\n[daemon]\nsend_attempts = 100\n");
	assert_int_equal(cf.tracks[TRACK_AKUT].repeat, 10);
	assert_int_equal(cf.send_attempts, 100);
	expect_err("[track akut]\nrepeat = 11\n",
	    "t.conf:2: [track akut] repeat: 11 is out of range (0..10)");
	expect_err("[track akut]\nrepeat = -1\n",
	    "t.conf:2: [track akut] repeat: -1 is out of range (0..10)");
	expect_err("[daemon]\nsend_attempts = 0\n",
	    "t.conf:2: [daemon] send_attempts: 0 is out of range (1..100)");
	expect_err("[daemon]\nsend_attempts = 5x\n",
	    "t.conf:2: [daemon] send_attempts: '5x' is not an integer");
	expect_err("[daemon]\nsend_attempts = 99999999999999999999\n",
	    "t.conf:2: [daemon] send_attempts: '99999999999999999999' is not "
	    "an integer");
	expect_err("[daemon]\nsend_attempts = +3\n",
	    "t.conf:2: [daemon] send_attempts: '+3' is not an integer");

	expect_ok("[track halvakut]\nclosed = queue\n");
	assert_int_equal(cf.tracks[TRACK_HALVAKUT].closed, CLOSED_QUEUE);
	expect_err("[track halvakut]\nclosed = later\n",
	    "t.conf:2: [track halvakut] closed: 'later' is not one of "
	    "reply|queue");
	expect_err("[track akut]\n[modem]\ndriver = gsm\n",
	    "t.conf:3: [modem] driver: 'gsm' is not one of dummy|at");
}

static void
test_modem(void **state)
{
	expect_ok("[track akut]\n[modem]\ndriver = at\ndevice = /dev/ttyUSB0\n"
	    "pin = 1234\n");
	assert_int_equal(cf.modems[0].driver, DRIVER_AT);
	assert_string_equal(cf.modems[0].device, "/dev/ttyUSB0");
	assert_string_equal(cf.modems[0].connection, "at115200");
	assert_string_equal(cf.modems[0].pin, "1234");

	expect_ok("[track akut]\n[modem]\ndriver = at\ndevice = /dev/ttyS0\n"
	    "connection = at19200\n");
	assert_string_equal(cf.modems[0].connection, "at19200");

	expect_ok("[track akut]\n[modem]\ndriver = dummy\n");
	assert_string_equal(cf.modems[0].connection, "none");

	expect_err("[track akut]\n\n[modem]\ndriver = at\n",
	    "t.conf:4: [modem] device: must be set for driver at (a serial "
	    "device such as /dev/ttyUSB0)");
	expect_err("[track akut]\n[modem]\npin = 12a4\n",
	    "t.conf:3: [modem] pin: a PIN is empty or 4 to 8 digits");
	expect_err("[track akut]\n[modem]\npin = 123\n",
	    "t.conf:3: [modem] pin: a PIN is empty or 4 to 8 digits");
	expect_err("[track akut]\n[modem]\nconnection = "
	    "at115200at115200at115200at115200\n",
	    "t.conf:3: [modem] connection: too long (at most 31 bytes)");
	expect_err("[track akut]\n[modem]\ndevice =\n",
	    "t.conf:3: [modem] device: empty value (expected text, at most "
	    "4095 bytes)");
	expect_ok("[track akut]\n[modem]\nlogfile = var/gammu.log\n");
	assert_string_equal(cf.modems[0].logfile, "var/gammu.log");
}

static void
test_phone_lists(void **state)
{
	expect_ok("[track akut]\n[daemon]\nadmins = 070-174 06 99, +46 70 174 06 98\n");
	assert_int_equal(cf.nadmins, 2);
	assert_string_equal(cf.admins[0], "+46701740699");
	assert_string_equal(cf.admins[1], "+46701740698");

	expect_ok("[track akut]\n[daemon]\nadmins = +46701740699 0701740698\n");
	assert_int_equal(cf.nadmins, 2);
	assert_string_equal(cf.admins[1], "+46701740698");

	/* README §3: one number alone may keep its spaces; several without
	 * commas split at the spaces. */
	expect_ok("[track akut]\n[daemon]\nadmins = 070-174 06 99\n");
	assert_int_equal(cf.nadmins, 1);
	assert_string_equal(cf.admins[0], "+46701740699");
	expect_ok("[track akut]\n[daemon]\nadmins = 070-174 06 99,\n");
	assert_int_equal(cf.nadmins, 1);
	assert_int_equal(load("[track akut]\n[daemon]\nadmins = 070-174 06 99 "
	    "070-174 06 98\n"), -1);
	expect_ok("[track akut]\n[daemon]\nadmins =\n");
	assert_int_equal(cf.nadmins, 0);

	expect_err("[track akut]\n[daemon]\nadmins = +46701740699, SOS\n",
	    "t.conf:3: [daemon] admins: 'SOS' is not a phone number");
	expect_err("[track akut]\n[daemon]\nadmins = 112\n",
	    "t.conf:3: [daemon] admins: '112' is not a phone number");
	expect_err("[track akut]\n[daemon]\nadmins = 0701740699, +46701740699\n",
	    "t.conf:3: [daemon] admins: '+46701740699' is listed twice");
	expect_err("[track akut]\n[daemon]\nadmins = +46701740601 +46701740602 "
	    "+46701740603 +46701740604 +46701740605 +46701740606 +46701740607 "
	    "+46701740608 +46701740609\n",
	    "t.conf:3: [daemon] admins: too many items (at most 8)");
}

static void
test_word_lists(void **state)
{
	expect_ok("[track akut]\nkeywords = akut  Ämne\tbråd\n");
	assert_int_equal(cf.tracks[TRACK_AKUT].nkeywords, 3);
	assert_string_equal(cf.tracks[TRACK_AKUT].keywords[0], "AKUT");
	assert_string_equal(cf.tracks[TRACK_AKUT].keywords[1], "AMNE");
	assert_string_equal(cf.tracks[TRACK_AKUT].keywords[2], "BRAD");

	expect_ok("[track akut]\n[daemon]\noutcomes = inl, åter\n");
	assert_int_equal(cf.noutcomes, 2);
	assert_string_equal(cf.outcomes[0], "INL");
	assert_string_equal(cf.outcomes[1], "ATER");

	expect_err("[track akut]\nkeywords = AKUT OK\n",
	    "t.conf:2: [track akut] keywords: 'OK' is an SMS command word");
	expect_err("[track akut]\nkeywords = AKUT hjälp\n",
	    "t.conf:2: [track akut] keywords: 'hjälp' is an SMS command word");
	expect_err("[track akut]\nkeywords = AKUT A+B\n",
	    "t.conf:2: [track akut] keywords: 'A+B' is not a word of letters "
	    "and digits");
	expect_err("[track akut]\nkeywords = SIXTEENLETTERSXX\n",
	    "t.conf:2: [track akut] keywords: 'SIXTEENLETTERSXX' is too long "
	    "(at most 15 letters)");
	expect_err("[track akut]\nkeywords = akut AKUT\n",
	    "t.conf:2: [track akut] keywords: 'AKUT' is listed twice");
	expect_err("[track akut]\nkeywords = A B C D E F G H I\n",
	    "t.conf:2: [track akut] keywords: too many items (at most 8)");

	/* Every word the SMS grammar knows, and none other, is refused. */
	expect_err("[track akut]\nkeywords = akut kvitt\n",
	    "t.conf:2: [track akut] keywords: 'kvitt' is an SMS command word");
	expect_err("[track akut]\nkeywords = info\n",
	    "t.conf:2: [track akut] keywords: 'info' is an SMS command word");
	assert_true(parse_is_command_word("?"));
	assert_true(parse_is_command_word("AVBOJ"));
	assert_false(parse_is_command_word("AKUT"));
	assert_false(parse_is_command_word("ok"));
	/* An outcome may be a command word: it follows KLAR. */
	expect_ok("[track akut]\n[daemon]\noutcomes = OK\n");
	assert_string_equal(cf.outcomes[0], "OK");
}

static void
test_roles(void **state)
{
	expect_ok("[track akut]\nescalation = Primary back-up on_call2\n");
	assert_int_equal(cf.tracks[TRACK_AKUT].nroles, 3);
	assert_string_equal(cf.tracks[TRACK_AKUT].roles[0], "primary");
	assert_string_equal(cf.tracks[TRACK_AKUT].roles[1], "back-up");
	assert_string_equal(cf.tracks[TRACK_AKUT].roles[2], "on_call2");

	expect_err("[track akut]\nescalation = primary chef!\n",
	    "t.conf:2: [track akut] escalation: role 'chef!' may hold only "
	    "a-z, 0-9, '_' and '-'");
	expect_err("[track akut]\nescalation = primär\n",
	    "t.conf:2: [track akut] escalation: role 'primär' may hold only "
	    "a-z, 0-9, '_' and '-'");
	expect_err("[track akut]\nescalation = primary PRIMARY\n",
	    "t.conf:2: [track akut] escalation: 'primary' is listed twice");
	expect_err("[track akut]\nescalation = abcdefghijklmnopqrstuvwxyz\n",
	    "t.conf:2: [track akut] escalation: role "
	    "'abcdefghijklmnopqrstuvwxyz' is too long (at most 23 characters)");

	/* The directory's rule (parse_unit_code): stored as the import does. */
	expect_ok("[track pv]\nafter_hours = jour_2\n");
	assert_string_equal(cf.tracks[TRACK_PV].after_hours, "JOUR_2");
	expect_ok("[track pv]\nafter_hours =\n");
	assert_string_equal(cf.tracks[TRACK_PV].after_hours, "");
	expect_err("[track pv]\nafter_hours = JOUR CENTRAL\n",
	    "t.conf:2: [track pv] after_hours: 'JOUR CENTRAL' is not a unit "
	    "code (A-Z, 0-9 and _)");
	expect_err("[track pv]\nafter_hours = JOUR-2\n",
	    "t.conf:2: [track pv] after_hours: 'JOUR-2' is not a unit "
	    "code (A-Z, 0-9 and _)");
}

static void
test_error_lines(void **state)
{
	const char *text =
	    "; jourd\n"
	    "\n"
	    "[daemon]\n"
	    "database = x.db   ; inline comment\n"
	    "# another comment\n"
	    "\n"
	    "[modem]\n"
	    "driver = dummy\n"
	    "sweep = 5x\n"
	    "[track akut]\n";

	expect_err(text, "t.conf:9: [modem] sweep: '5x' is not a duration (such "
	    "as 250ms, 30s, 5m, 2h, 2w)");
	expect_err("[track akut]\nopen = always\n\n[daemon]\ncolour = blue\n",
	    "t.conf:5: [daemon] colour: unknown key");
	expect_err("[track akut]\nrequire_all = no\nsweep = 2s\n",
	    "t.conf:3: [track akut] sweep: unknown key");
	expect_err("[daemon]\n\n\n[foo]\n[track akut]\n",
	    "t.conf:4: [foo]: unknown section (daemon, modem, modem NAME, pager, http, closed or track NAME)");
	expect_err("[track akut]\n[track urgent]\n",
	    "t.conf:2: [track urgent]: unknown track (akut, halvakut, mdk or "
	    "pv)");
	expect_err("[track akut]\n[track]\n",
	    "t.conf:2: [track]: missing track name (akut, halvakut, mdk or pv)");
	expect_err("[track akut]\n[track akut pv]\n",
	    "t.conf:2: [track akut pv]: unknown track (akut, halvakut, mdk or "
	    "pv)");
	expect_err("[daemon]\ndatabase = a.db\n[track akut]\n\n[daemon]\n",
	    "t.conf:5: [daemon]: duplicate section (first at line 1)");
	expect_err("[track akut]\nrepeat = 1\n[track pv]\n[track AKUT]\n",
	    "t.conf:4: [track AKUT]: duplicate section (first at line 1)");
	expect_err("[track akut]\nrepeat = 1\nack_timeout = 1m\nrepeat = 2\n",
	    "t.conf:4: [track akut] repeat: duplicate key (first at line 2)");
	expect_err("[daemon] junk\n",
	    "t.conf:1: [daemon]: unexpected text after ']'");
	expect_err("database = x\n[track akut]\n",
	    "t.conf:1: database: key outside a section");
	expect_err("[track akut]\n= 5\n",
	    "t.conf:2: missing key name before '='");
	/* Syntax errors found by inih. */
	expect_err("[track akut]\nrepeat = 1\nthis is not a key\n",
	    "t.conf:3: syntax error");
	expect_err("[track akut]\n[daemon\ndatabase = x\n",
	    "t.conf:2: syntax error");
	/* The first error wins, whoever finds it. */
	expect_err("[track akut]\nnot a key\nrepeat = 99\n",
	    "t.conf:2: syntax error");
	expect_err("[track akut]\nrepeat = 99\nnot a key\n",
	    "t.conf:2: [track akut] repeat: 99 is out of range (0..10)");
}

static void
test_syntax_variants(void **state)
{
	/* A BOM, CRLF, indented keys, ':' separators, case-insensitive names. */
	expect_ok("\xef\xbb\xbf[Daemon]\r\n  Database = y.db\r\n"
	    "\tsend_attempts: 7\r\n[TRACK Akut]\r\n  repeat = 2 ; why\r\n");
	assert_string_equal(cf.database, "y.db");
	assert_int_equal(cf.send_attempts, 7);
	assert_true(cf.tracks[TRACK_AKUT].enabled);
	assert_int_equal(cf.tracks[TRACK_AKUT].repeat, 2);

	/* No final newline. */
	expect_ok("[track pv]\nrepeat = 3");
	assert_int_equal(cf.tracks[TRACK_PV].repeat, 3);

	/* A section header with a comment. */
	expect_ok("[track pv] ; the primary-care path\n");
	assert_true(cf.tracks[TRACK_PV].enabled);
}

static void
test_long_lines(void **state)
{
	char	text[1024];
	int	n;

	n = snprintf(text, sizeof text, "[track akut]\nkeywords = AKUT ");
	memset(text + n, 'A', 300);
	snprintf(text + n + 300, sizeof text - (size_t)n - 300, "\nrepeat = 2\n");
	expect_err(text, "t.conf:2: line too long (at most 197 bytes)");

	/* A long comment is refused too, not split into a bogus line. */
	n = snprintf(text, sizeof text, "[track akut]\n\n;");
	memset(text + n, 'x', 400);
	snprintf(text + n + 400, sizeof text - (size_t)n - 400, "\n");
	expect_err(text, "t.conf:3: line too long (at most 197 bytes)");

	/* 197 bytes are fine, 198 are not. */
	n = snprintf(text, sizeof text, "[track akut]\n;");
	memset(text + n, 'x', 197);
	snprintf(text + n + 197, sizeof text - (size_t)n - 197, "\n");
	expect_err(text, "t.conf:2: line too long (at most 197 bytes)");
	n = snprintf(text, sizeof text, "[track akut]\n;");
	memset(text + n, 'x', 196);
	snprintf(text + n + 196, sizeof text - (size_t)n - 196, "\nrepeat = 4\n");
	expect_ok(text);
	assert_int_equal(cf.tracks[TRACK_AKUT].repeat, 4);
}

/* A line far longer than any memory it could be read into. */
#define HUGE_LINE	(64 * 1024 * 1024)

/*
 * Writes "[track akut]\n;" and HUGE_LINE bytes of one comment line into fd
 * in a child, which first closes other (the pipe's reading end). The child
 * exits 0 when the reader stopped taking the bytes (its write failed), 1
 * when every byte was read.
 */
static pid_t
huge_line_writer(int fd, int other)
{
	static char	chunk[65536];
	size_t		left = HUGE_LINE;
	pid_t		pid;
	ssize_t		w;

	if ((pid = fork()) != 0)
		return pid;
	close(other);	/* the reading end: the test's alone */
	signal(SIGPIPE, SIG_IGN);
	memset(chunk, 'x', sizeof chunk);
	if (write(fd, "[track akut]\n;", 14) != 14)
		_exit(2);
	while (left > 0) {
		w = write(fd, chunk, left < sizeof chunk ? left : sizeof chunk);
		if (w == -1)
			_exit(errno == EPIPE ? 0 : 2);
		left -= (size_t)w;
	}
	_exit(1);
}

/*
 * A line longer than the limit is not read to its end before it is
 * refused: the reader stops at the limit, so a 64 MB line costs neither
 * the time nor the memory to hold it.
 */
static void
test_long_line_not_read_whole(void **state)
{
	char	path[64], msg[128];
	int	fds[2], status;
	pid_t	pid;

	assert_int_equal(pipe(fds), 0);
	pid = huge_line_writer(fds[1], fds[0]);
	assert_true(pid > 0);
	close(fds[1]);
	snprintf(path, sizeof path, "/proc/self/fd/%d", fds[0]);
	assert_int_equal(config_load(path, &cf, err, sizeof err), -1);
	close(fds[0]);
	snprintf(msg, sizeof msg, "%s:2: line too long (at most 197 bytes)",
	    path);
	assert_string_equal(err, msg);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/*
 * Under a memory limit the reader must not take a failed allocation for
 * the end of the file ("no track enabled"): here the 64 MB line comes
 * before the track section. In a child, which the limit binds alone; not
 * under AddressSanitizer, which reserves far more address space than any
 * useful limit.
 */
static void
test_line_under_memory_limit(void **state)
{
#if defined(__SANITIZE_ADDRESS__)
	skip();
#else
	static const char tail[] = "\n[track akut]\n";
	struct rlimit	 rl;
	const char	*name;
	char		*text, msg[128];
	int		 status;
	pid_t		 pid;

	assert_non_null(text = malloc(HUGE_LINE + sizeof tail + 16));
	memcpy(text, "[daemon]\n;", 10);
	memset(text + 10, 'x', HUGE_LINE);
	memcpy(text + 10 + HUGE_LINE, tail, sizeof tail);
	name = write_tmp(text, 10 + HUGE_LINE + sizeof tail - 1);
	free(text);
	snprintf(msg, sizeof msg, "%s:2: line too long (at most 197 bytes)",
	    name);
	if ((pid = fork()) == 0) {
		/* Room for the program, not for the line. */
		if (getrlimit(RLIMIT_AS, &rl) == -1)
			_exit(2);
		rl.rlim_cur = 48 * 1024 * 1024;
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < rl.rlim_cur)
			rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_AS, &rl) == -1)
			_exit(2);
		if (config_load(name, &cf, err, sizeof err) != -1)
			_exit(3);
		if (strcmp(err, msg) != 0) {
			fprintf(stderr, "got: %s\nwant: %s\n", err, msg);
			_exit(4);
		}
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	unlink(name);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
#endif
}

static void
test_bad_bytes(void **state)
{
	static const char nul[] = "[track akut]\nrepeat = 1\0\nopen = always\n";
	char		 msg[256];
	const char	*name;

	expect_err("[track akut]\n; caf\xe9\n", "t.conf:2: invalid UTF-8");

	name = write_tmp(nul, sizeof nul - 1);
	assert_int_equal(config_load(name, &cf, err, sizeof err), -1);
	snprintf(msg, sizeof msg, "%s:2: NUL byte in line", name);
	assert_string_equal(err, msg);
	unlink(name);
}

static void
test_crosschecks(void **state)
{
	expect_err("[daemon]\ndatabase = x.db\n",
	    "t.conf: no track enabled: add a [track akut], [track halvakut], "
	    "[track mdk] or [track pv] section");
	expect_err("", "t.conf: no track enabled: add a [track akut], [track "
	    "halvakut], [track mdk] or [track pv] section");
	expect_err("[track akut]\nrepeat = 1\nescalation =\n",
	    "t.conf:3: [track akut] escalation: no role");
	expect_err("[track pv]\nkeywords = ;\n",
	    "t.conf:2: [track pv] keywords: no keyword");
	expect_err("[track akut]\n\n[track mdk]\nrepeat = 1\nkeywords = MDK AKUT\n",
	    "t.conf:5: [track mdk] keywords: AKUT is also a keyword of [track "
	    "akut]");
	/* The default keywords of a later section collide with an earlier key. */
	expect_err("[track akut]\nkeywords = AKUT PV\n[track pv]\n",
	    "t.conf:3: [track pv] keywords: PV is also a keyword of [track "
	    "akut]");
	/* A disabled track's default keyword does not block an enabled one. */
	expect_ok("[track akut]\nkeywords = AKUT PV\n");
}

static void
test_track_by_keyword(void **state)
{
	expect_ok("[track akut]\n[track pv]\n");
	assert_int_equal(config_track_by_keyword(&cf, "AKUT"), TRACK_AKUT);
	assert_int_equal(config_track_by_keyword(&cf, "ACUTE"), TRACK_AKUT);
	assert_int_equal(config_track_by_keyword(&cf, "PV"), TRACK_PV);
	/* Disabled tracks are still recognised; the caller checks enabled. */
	assert_int_equal(config_track_by_keyword(&cf, "SEMI"), TRACK_HALVAKUT);
	assert_false(cf.tracks[TRACK_HALVAKUT].enabled);
	assert_int_equal(config_track_by_keyword(&cf, "MDK"), TRACK_MDK);
	assert_int_equal(config_track_by_keyword(&cf, "OK"), -1);
	assert_int_equal(config_track_by_keyword(&cf, "akut"), -1);

	/* An enabled track wins over a disabled one's defaults. */
	expect_ok("[track akut]\nkeywords = AKUT MDK\n");
	assert_int_equal(config_track_by_keyword(&cf, "MDK"), TRACK_AKUT);
}

static void
test_example_file(void **state)
{
	const struct track_conf	*t;
	int			 i;

	if (config_load(CONF_EXAMPLE, &cf, err, sizeof err) != 0)
		print_error("%s\n", err);
	assert_int_equal(config_load(CONF_EXAMPLE, &cf, err, sizeof err), 0);
	assert_string_equal(cf.path, CONF_EXAMPLE);
	assert_string_equal(cf.database, "var/jourd.db");
	assert_int_equal(cf.nadmins, 1);
	assert_string_equal(cf.admins[0], "+46701740699");
	assert_int_equal(cf.reply_period, JT_HOUR);
	assert_int_equal(cf.code_quarantine, 72 * JT_HOUR);
	assert_int_equal(cf.noutcomes, 6);
	assert_string_equal(cf.outcomes[3], "AKM");
	assert_int_equal(cf.send_attempts, 5);
	assert_int_equal(cf.send_retry, 30 * JT_SECOND);
	assert_int_equal(cf.modems[0].driver, DRIVER_DUMMY);
	assert_string_equal(cf.modems[0].device, "var/phone");
	assert_string_equal(cf.modems[0].connection, "none");
	assert_string_equal(cf.modems[0].pin, "");
	assert_int_equal(cf.modems[0].sweep, 2 * JT_SECOND);
	assert_int_equal(cf.modems[0].reply_timeout, 60 * JT_SECOND);
	for (i = 0; i < MAX_TRACKS; i++)
		assert_true(cf.tracks[i].enabled);

	t = &cf.tracks[TRACK_AKUT];
	assert_int_equal(t->nkeywords, 2);
	assert_int_equal(t->ack_timeout, 5 * JT_MINUTE);
	assert_int_equal(t->nroles, 3);
	assert_string_equal(t->roles[2], "chief");
	assert_int_equal(t->repeat, 1);
	t = &cf.tracks[TRACK_HALVAKUT];
	assert_int_equal(t->nkeywords, 3);
	assert_int_equal(t->open.kind, OPEN_WEEKDAYS);
	assert_int_equal(t->open.from_min, 480);
	assert_int_equal(t->open.to_min, 1020);
	assert_int_equal(t->closed, CLOSED_REPLY);
	assert_int_equal(t->ack_timeout, 30 * JT_MINUTE);
	assert_string_equal(t->roles[0], "consult");
	t = &cf.tracks[TRACK_MDK];
	assert_int_equal(t->open.to_min, 960);
	assert_int_equal(t->ack_timeout, 4 * JT_HOUR);
	assert_true(t->require_all);
	assert_string_equal(t->roles[0], "mdk");
	t = &cf.tracks[TRACK_PV];
	assert_int_equal(t->open.kind, OPEN_ALWAYS);
	assert_int_equal(t->ack_timeout, 10 * JT_MINUTE);
	assert_string_equal(t->after_hours, "JOURCENTRAL");
	assert_int_equal(config_track_by_keyword(&cf, "HALVAKUT"),
	    TRACK_HALVAKUT);
}

static void
test_file_errors(void **state)
{
	static const char text[] = "[track akut]\n\n\nrepeat = twice\n";
	char		 msg[256];
	const char	*name;

	assert_int_equal(config_load("/nonexistent/jourd.conf", &cf, err,
	    sizeof err), -1);
	assert_string_equal(err, "/nonexistent/jourd.conf: cannot open: No "
	    "such file or directory");

	name = write_tmp(text, sizeof text - 1);
	assert_int_equal(config_load(name, &cf, err, sizeof err), -1);
	snprintf(msg, sizeof msg, "%s:4: [track akut] repeat: 'twice' is not "
	    "an integer", name);
	assert_string_equal(err, msg);
	unlink(name);
}

/* The printed reference is itself a configuration that loads to defaults. */
static void
test_reference(void **state)
{
	struct config	 def;
	char		*buf;
	FILE		*f;
	long		 len;
	int		 saved, t;

	fflush(stdout);
	f = tmpfile();
	assert_non_null(f);
	saved = dup(STDOUT_FILENO);
	assert_true(saved >= 0);
	assert_int_not_equal(dup2(fileno(f), STDOUT_FILENO), -1);
	config_print_reference();
	fflush(stdout);
	assert_int_not_equal(dup2(saved, STDOUT_FILENO), -1);
	close(saved);

	len = ftell(f);
	assert_true(len > 1000);
	buf = calloc(1, (size_t)len + 1);
	assert_non_null(buf);
	rewind(f);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	assert_non_null(strstr(buf, "[track halvakut]"));
	assert_non_null(strstr(buf, "reply_timeout = 60s"));

	assert_int_equal(load(buf), 0);
	free(buf);
	config_defaults(&def);
	for (t = 0; t < MAX_TRACKS; t++) {
		assert_true(cf.tracks[t].enabled);
		cf.tracks[t].enabled = false;
	}
	memset(cf.path, 0, sizeof cf.path);
	assert_memory_equal(&cf, &def, sizeof def);
}

/* The routes example of conf/ is a valid file and says what it shows. */
static void
test_routes_example_file(void **state)
{
	const char	*path = "conf/jourd.conf.routes";

	if (config_load(path, &cf, err, sizeof err) != 0)
		print_error("%s\n", err);
	assert_int_equal(config_load(path, &cf, err, sizeof err), 0);
	assert_int_equal(cf.nmodems, 2);
	assert_string_equal(cf.modems[0].name, "telia");
	assert_true(cf.modems[0].calls);
	assert_int_equal(cf.modems[0].rate, 6);
	assert_string_equal(cf.modems[1].name, "tele2");
	assert_true(cf.pager.enabled);
	assert_int_equal(cf.pager.charset, CHARSET_ASCII);
	assert_int_equal(cf.tracks[TRACK_AKUT].call_from_step, 2);
	assert_true(cf.tracks[TRACK_AKUT].pager);
}

/* [http]: the console's listener, its users file and its limits. */
static void
test_http(void **state)
{
	expect_ok("[track akut]\n");
	assert_false(cf.http.enabled);

	expect_ok("[http]\n[track akut]\n");
	assert_true(cf.http.enabled);
	assert_string_equal(cf.http.listen, "unix:/run/jourd/http.sock");
	assert_string_equal(cf.http.unix_path, "/run/jourd/http.sock");
	assert_string_equal(cf.http.users, "");
	assert_int_equal(cf.http.max_header, 8192);
	assert_int_equal(cf.http.max_url, 2048);
	assert_int_equal(cf.http.max_conns, 64);
	assert_int_equal(cf.http.timeout, 10 * JT_SECOND);

	expect_ok("[http]\nlisten = 127.0.0.1:8480\nusers = /etc/jourd/users\n"
	    "max_header = 16384\nmax_url = 4096\nmax_conns = 20\n"
	    "timeout = 30s\n[track akut]\n");
	assert_string_equal(cf.http.unix_path, "");
	assert_string_equal(cf.http.host, "127.0.0.1");
	assert_int_equal(cf.http.port, 8480);
	assert_string_equal(cf.http.users, "/etc/jourd/users");
	assert_int_equal(cf.http.max_header, 16384);
	assert_int_equal(cf.http.max_url, 4096);
	assert_int_equal(cf.http.max_conns, 20);
	assert_int_equal(cf.http.timeout, 30 * JT_SECOND);

	expect_ok("[http]\nlisten = unix:var/http.sock\n[track akut]\n");
	assert_string_equal(cf.http.unix_path, "var/http.sock");

	expect_err("[http]\nlisten = 127.0.0.1:8480\n[track akut]\n",
	    "t.conf:2: [http] listen: a TCP listener needs users = FILE "
	    "(jourctl user add NAME writes one)");
	expect_err("[http]\nlisten = 127.0.0.1\nusers = u\n[track akut]\n",
	    "t.conf:2: [http] listen: '127.0.0.1' is neither unix:PATH nor "
	    "HOST:PORT");
	expect_err("[http]\nlisten = 127.0.0.1:70000\nusers = u\n",
	    "t.conf:2: [http] listen: '127.0.0.1:70000' is neither unix:PATH "
	    "nor HOST:PORT");
	expect_err("[http]\nlisten = unix:\n", "t.conf:2: [http] listen: "
	    "'unix:' is neither unix:PATH nor HOST:PORT");
	expect_err("[http]\nmax_conns = 0\n", "t.conf:2: [http] max_conns: "
	    "0 is out of range (1..1000)");
	expect_err("[http]\n[http]\n", "t.conf:2: [http]: duplicate section "
	    "(first at line 1)");
}

/* [modem NAME] sections are routes in file order; [pager]; their checks. */
static void
test_routes(void **state)
{
	expect_ok("[track akut]\n");
	assert_int_equal(cf.nmodems, 1);
	assert_string_equal(cf.modems[0].name, "main");
	assert_false(cf.pager.enabled);
	assert_int_equal(cf.failover_after, 60 * JT_SECOND);
	assert_int_equal(cf.call_ring, 30 * JT_SECOND);
	assert_int_equal(cf.tracks[TRACK_AKUT].call_from_step, 0);
	assert_false(cf.tracks[TRACK_AKUT].pager);

	expect_ok("[modem telia]\ndriver = at\ndevice = /dev/ttyUSB0\n"
	    "rate = 6/m\ncalls = yes\n[modem tele2]\ndevice = var/p2\n"
	    "[modem]\ndevice = var/p3\n[daemon]\nfailover_after = 20s\n"
	    "call_ring = 10s\n[track akut]\ncall_from_step = 2\n");
	assert_int_equal(cf.nmodems, 3);
	assert_string_equal(cf.modems[0].name, "telia");
	assert_int_equal(cf.modems[0].driver, DRIVER_AT);
	assert_string_equal(cf.modems[0].connection, "at115200");
	assert_int_equal(cf.modems[0].rate, 6);
	assert_true(cf.modems[0].calls);
	assert_string_equal(cf.modems[1].name, "tele2");
	assert_int_equal(cf.modems[1].rate, 0);
	assert_false(cf.modems[1].calls);
	assert_int_equal(cf.modems[1].sweep, 2 * JT_SECOND);
	assert_string_equal(cf.modems[2].name, "main");
	assert_int_equal(cf.failover_after, 20 * JT_SECOND);
	assert_int_equal(cf.call_ring, 10 * JT_SECOND);
	assert_int_equal(cf.tracks[TRACK_AKUT].call_from_step, 2);

	expect_ok("[modem a]\nrate = 12\n[track akut]\n");
	assert_int_equal(cf.modems[0].rate, 12);
	expect_err("[modem a]\nrate = 6/h\n[track akut]\n", "t.conf:2: "
	    "[modem a] rate: '6/h' is not a rate (N/m: at most N a minute, "
	    "0..600; 0 = no limit)");
	expect_err("[modem a]\n[modem a]\n", "t.conf:2: [modem a]: duplicate "
	    "section (first at line 1)");
	expect_err("[modem]\n[modem main]\n", "t.conf:2: [modem main]: "
	    "duplicate section (first at line 1)");
	expect_err("[modem Telia]\n", "t.conf:1: [modem Telia]: route name "
	    "'Telia': use a-z, 0-9, _ and -");
	expect_err("[modem pager]\n", "t.conf:1: [modem pager]: 'pager' "
	    "names another kind of route");
	expect_err("[modem a b]\n", "t.conf:1: [modem a b]: a modem section "
	    "is [modem] or [modem NAME]");
	expect_err("[modem a]\n[modem b]\n[modem c]\n[modem d]\n[modem e]\n"
	    "[modem f]\n[modem g]\n[modem h]\n[modem i]\n", "t.conf:9: "
	    "[modem i]: more than 8 modem sections");
	expect_err("[modem a]\ndriver = at\n[track akut]\n", "t.conf:2: "
	    "[modem a] device: must be set for driver at (a serial device "
	    "such as /dev/ttyUSB0)");
	expect_err("[modem a]\ndevice = x\n[modem b]\ndevice = x\n"
	    "[track akut]\n", "t.conf:4: [modem b] device: also the device "
	    "of [modem a]");
	expect_err("[modem a]\n[track akut]\ncall_from_step = 1\n",
	    "t.conf:3: [track akut] call_from_step: no [modem] section has "
	    "calls = yes");
	expect_err("[track akut]\npager = yes\n", "t.conf:2: [track akut] "
	    "pager: there is no [pager] section");

	expect_ok("[pager]\ndevice = /dev/ttyS1\nbaud = 1200\nparity = none\n"
	    "data_bits = 8\naddress = 3\nsystem = 4\npoll = 500ms\n"
	    "charset = ascii\n[track akut]\npager = yes\n");
	assert_true(cf.pager.enabled);
	assert_string_equal(cf.pager.device, "/dev/ttyS1");
	assert_int_equal(cf.pager.baud, 1200);
	assert_int_equal(cf.pager.parity, PARITY_NONE);
	assert_int_equal(cf.pager.data_bits, 8);
	assert_string_equal(cf.pager.address, "3");
	assert_string_equal(cf.pager.system, "4");
	assert_int_equal(cf.pager.poll, 500);
	assert_int_equal(cf.pager.charset, CHARSET_ASCII);
	assert_true(cf.tracks[TRACK_AKUT].pager);
	expect_ok("[pager]\n[track akut]\n");
	assert_int_equal(cf.pager.baud, 9600);
	assert_int_equal(cf.pager.parity, PARITY_EVEN);
	assert_int_equal(cf.pager.data_bits, 7);
	assert_string_equal(cf.pager.address, "1");
	assert_string_equal(cf.pager.system, "2");
	assert_int_equal(cf.pager.charset, CHARSET_LATIN1);
	expect_err("[pager]\nbaud = 9601\n[track akut]\n", "t.conf:2: [pager] "
	    "baud: 9601 is not a line speed (1200, 2400, 4800, 9600, 19200, "
	    "38400, 57600, 115200)");
	expect_err("[pager]\naddress = 12\n", "t.conf:2: [pager] address: "
	    "'12' is not one digit 0..9");
	expect_err("[pager]\nsystem = 1\n[track akut]\n", "t.conf:2: [pager] "
	    "system: the same address as jourd's (address = 1)");
	expect_err("[pager]\ndata_bits = 6\n", "t.conf:2: [pager] data_bits: "
	    "6 is out of range (7..8)");
	expect_err("[pager]\n[pager]\n", "t.conf:2: [pager]: duplicate section "
	    "(first at line 1)");
	expect_err("[modem]\ndevice = /dev/ttyS0\n[pager]\n[track akut]\n",
	    "t.conf:3: [pager] device: also the device of [modem]");
}

/* [closed] lists dates, each once, with a free-text reason. */
static void
test_closed_dates(void **state)
{
	char	buf[8192];
	size_t	len;
	int	i;

	expect_ok("[closed]\n2026-12-28 = klämdag\n2027-01-05 =\n"
	    "[track akut]\n");
	assert_int_equal(cf.nclosed_days, 2);
	/* Days since 1970-01-01: 2026-12-28 is day 20815. */
	assert_int_equal(cf.closed_days[0], 20815);
	assert_int_equal(cf.closed_days[1], 20823);

	expect_ok("[track akut]\n");
	assert_int_equal(cf.nclosed_days, 0);

	expect_err("[closed]\n2026-02-30 = x\n[track akut]\n",
	    "t.conf:2: [closed] 2026-02-30: not a date (YYYY-MM-DD, 1970 to "
	    "2200)");
	expect_err("[closed]\njuldagen = x\n[track akut]\n",
	    "t.conf:2: [closed] juldagen: not a date (YYYY-MM-DD, 1970 to "
	    "2200)");
	expect_err("[closed]\n2026-12-28 = a\n\n2026-12-28 = b\n"
	    "[track akut]\n",
	    "t.conf:4: [closed] 2026-12-28: duplicate date (first at line 2)");
	expect_err("[closed]\n[closed]\n[track akut]\n",
	    "t.conf:2: [closed]: duplicate section (first at line 1)");

	/* 64 dates fit; the 65th is refused by name. */
	len = (size_t)snprintf(buf, sizeof buf, "[track akut]\n[closed]\n");
	for (i = 0; i < MAX_CLOSED_DATES; i++)
		len += (size_t)snprintf(buf + len, sizeof buf - len,
		    "2030-%02d-%02d = x\n", 1 + i / 28, 1 + i % 28);
	expect_ok(buf);
	assert_int_equal(cf.nclosed_days, MAX_CLOSED_DATES);
	snprintf(buf + len, sizeof buf - len, "2031-01-01 = x\n");
	expect_err(buf, "t.conf:67: [closed] 2031-01-01: more than 64 dates");
}

/* The daily jobs: coverage_days and keep_text, 0 switching each off. */
static void
test_daily_keys(void **state)
{
	expect_ok("[track akut]\n");
	assert_int_equal(cf.coverage_days, 14);
	assert_int_equal(cf.keep_text, 90 * 24 * JT_HOUR);
	expect_ok("[daemon]\ncoverage_days = 0\nkeep_text = 0\n[track akut]\n");
	assert_int_equal(cf.coverage_days, 0);
	assert_int_equal(cf.keep_text, 0);
	expect_ok("[daemon]\ncoverage_days = 365\nkeep_text = 30d\n"
	    "[track akut]\n");
	assert_int_equal(cf.coverage_days, 365);
	assert_int_equal(cf.keep_text, 30 * 24 * JT_HOUR);
	expect_err("[daemon]\ncoverage_days = 366\n",
	    "t.conf:2: [daemon] coverage_days: 366 is out of range (0..365)");
	expect_err("[daemon]\nkeep_text = forever\n",
	    "t.conf:2: [daemon] keep_text: 'forever' is not a duration (such "
	    "as 250ms, 30s, 5m, 2h, 2w)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_track_enabled_by_section),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_open_rules),
		cmocka_unit_test(test_bools_ints_enums),
		cmocka_unit_test(test_modem),
		cmocka_unit_test(test_phone_lists),
		cmocka_unit_test(test_word_lists),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_error_lines),
		cmocka_unit_test(test_syntax_variants),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_long_line_not_read_whole),
		cmocka_unit_test(test_line_under_memory_limit),
		cmocka_unit_test(test_bad_bytes),
		cmocka_unit_test(test_crosschecks),
		cmocka_unit_test(test_track_by_keyword),
		cmocka_unit_test(test_example_file),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_reference),
		cmocka_unit_test(test_closed_dates),
		cmocka_unit_test(test_daily_keys),
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_http),
		cmocka_unit_test(test_routes_example_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
