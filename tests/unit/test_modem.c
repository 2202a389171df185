/*
 * test_modem.c — the modem worker against real libGammu on the dummy phone.
 *
 * Every test starts a worker (modem_spawn) on a fresh dummy phone in a
 * mkdtemp directory under /tmp, talks to it over the IPC socket like the
 * parent does and writes incoming SMS with inject_sms. Two more tests drive
 * libGammu's AT driver against a fake modem on a pseudo-terminal; they take
 * about 13 s and run only with JOURD_TEST_AT=1.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "inject.h"
#include "ipc.h"
#include "modem.h"

#define SWEEP_MS	200
/* Long enough for a few sweeps of the dummy phone under a sanitizer. */
#define WAIT_MS		5000
/* libGammu's AT connect sequence alone takes seconds. */
#define AT_WAIT_MS	20000

union payload {
	struct ipc_modem_state		state;
	struct ipc_sms_in		sms;
	struct ipc_token		token;
	struct ipc_send			send;
	struct ipc_send_result		result;
	struct ipc_status_report	report;
	unsigned char			raw[IPC_MAX_PAYLOAD];
};

struct fixture {
	char			dir[64];
	char			phone[PATH_MAX];
	struct modem_conf	mc;
	pid_t			pid;
	int			fd;
	union payload		msg;
	uint32_t		stashed;	/* type of a message in msg not yet taken */
	struct ipc_modem_state	state;		/* the last state seen */
	int			nstates;
	pid_t			fake;		/* the fake AT modem, or -1 */
};

static jtime_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (jtime_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
rm_rf(const char *path)
{
	char		 sub[PATH_MAX];
	DIR		*d;
	struct dirent	*de;

	if ((d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
			rm_rf(sub);
		}
		closedir(d);
		rmdir(path);
	} else
		unlink(path);
}

static struct fixture *
fixture_new(void)
{
	struct fixture	*f;

	f = calloc(1, sizeof(*f));
	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/jourd-modem-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->phone, sizeof(f->phone), "%s/phone", f->dir);
	f->mc.driver = DRIVER_DUMMY;
	snprintf(f->mc.device, sizeof(f->mc.device), "%s", f->phone);
	snprintf(f->mc.connection, sizeof(f->mc.connection), "none");
	f->mc.sweep = SWEEP_MS;
	f->mc.reply_timeout = 10 * JT_SECOND;
	f->pid = -1;
	f->fd = -1;
	f->fake = -1;
	return f;
}

static void
worker_start(struct fixture *f)
{
	f->pid = modem_spawn(&f->mc, &f->fd);
	assert_true(f->pid > 0);
	assert_true(f->fd >= 0);
}

/* Waits for the worker to exit, at most ms; returns its wait status or -1. */
static int
worker_reap(pid_t pid, int ms)
{
	jtime_t	end = now_ms() + ms;
	int	status;
	pid_t	rc;

	do {
		rc = waitpid(pid, &status, WNOHANG);
		if (rc == pid)
			return status;
		usleep(10 * 1000);
	} while (now_ms() < end);
	return -1;
}

static int
setup(void **state)
{
	struct fixture	*f = fixture_new();

	modem_set_hold(10 * JT_MINUTE);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	if (f->fd != -1)
		close(f->fd);
	if (f->pid > 0 && worker_reap(f->pid, 3000) == -1) {
		kill(f->pid, SIGKILL);
		waitpid(f->pid, NULL, 0);
	}
	if (f->fake > 0) {
		kill(f->fake, SIGKILL);
		waitpid(f->fake, NULL, 0);
	}
	rm_rf(f->dir);
	free(f);
	return 0;
}

/*
 * Receives the next message other than a modem state (states are kept in
 * f->state). Returns its type, or 0 when nothing came within ms.
 */
static uint32_t
next_msg(struct fixture *f, int ms)
{
	struct pollfd	pfd;
	struct ipc_hdr	hdr;
	jtime_t		end = now_ms() + ms, left;
	uint32_t	type;
	int		rc;

	if ((type = f->stashed) != 0) {
		f->stashed = 0;
		return type;
	}
	for (;;) {
		if ((left = end - now_ms()) < 0)
			left = 0;
		pfd.fd = f->fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		rc = poll(&pfd, 1, (int)left);
		assert_int_not_equal(rc, -1);
		if (rc == 0)
			return 0;
		rc = ipc_recv(f->fd, &hdr, &f->msg);
		assert_int_equal(rc, 1);
		if (hdr.type != IPC_MODEM_STATE)
			return hdr.type;
		f->state = f->msg.state;
		f->nstates++;
	}
}

/* The next message must be of type want. */
static void
expect_msg(struct fixture *f, uint32_t want)
{
	assert_int_equal(next_msg(f, WAIT_MS), want);
}

/* Waits up to ms until the worker reports status (a READY, a FAILED …). */
static void
wait_state(struct fixture *f, enum modem_status status, int ms)
{
	jtime_t	end = now_ms() + ms;

	while (f->nstates == 0 || f->state.status != (uint32_t)status) {
		assert_true(now_ms() < end);
		/* Anything else that comes is kept for next_msg. */
		if (f->stashed == 0)
			f->stashed = next_msg(f, 100);
		else
			usleep(100 * 1000);
	}
}

static void
expect_state(struct fixture *f, enum modem_status status)
{
	wait_state(f, status, WAIT_MS);
}

static void
start_ready(struct fixture *f)
{
	worker_start(f);
	expect_state(f, MODEM_READY);
	assert_string_equal(f->state.detail, "Gammu Dummy");
}

static void
inject(struct fixture *f, const char *from, const char *text,
    const struct inject_opts *o)
{
	char	err[256] = "";

	if (inject_sms(f->phone, from, text, o, err, sizeof(err)) == -1)
		fail_msg("inject: %s", err);
}

static void
send_token(struct fixture *f, enum ipc_type type, uint32_t token)
{
	struct ipc_token	t = { .token = token };

	assert_int_equal(ipc_send(f->fd, type, &t, sizeof(t)), 0);
}

/* Waits until the dummy inbox holds n files. */
static void
expect_pending(struct fixture *f, int n)
{
	jtime_t	end = now_ms() + WAIT_MS;

	while (inject_pending(f->phone) != n) {
		if (now_ms() > end)
			fail_msg("%d files in the inbox, want %d",
			    inject_pending(f->phone), n);
		usleep(20 * 1000);
	}
}

/* Sends text to a number and returns the worker's answer. */
static struct ipc_send_result
send_sms(struct fixture *f, int64_t id, const char *to, const char *text)
{
	static struct ipc_send	req;

	memset(&req, 0, sizeof(req));
	req.outbox_id = id;
	snprintf(req.to, sizeof(req.to), "%s", to);
	snprintf(req.text, sizeof(req.text), "%s", text);
	assert_int_equal(ipc_send(f->fd, IPC_SEND, &req, sizeof(req)), 0);
	expect_msg(f, IPC_SEND_RESULT);
	assert_int_equal(f->msg.result.outbox_id, id);
	return f->msg.result;
}

/* UTF-16 code units of a UTF-8 string: what a UCS-2 SMS counts. */
static int
utf16_units(const char *s)
{
	const unsigned char	*u = (const unsigned char *)s;
	int			 n = 0;

	for (; *u != '\0'; u++) {
		if ((*u & 0xc0) == 0x80)
			continue;
		n += *u >= 0xf0 ? 2 : 1;
	}
	return n;
}

/* A text of n copies of unit (a UTF-8 string). */
static char *
repeat(const char *unit, int n)
{
	static char	buf[SMS_TEXT_MAX];
	size_t		len = strlen(unit);
	int		i;

	buf[0] = '\0';
	for (i = 0; i < n && (i + 1) * len < sizeof(buf); i++)
		memcpy(buf + i * len, unit, len + 1);
	return buf;
}

static void
test_single_swedish(void **state)
{
	struct fixture		*f = *state;
	struct inject_opts	 o = { .smsc_time = 1767225600000 };
	uint32_t		 token;

	start_ready(f);
	inject(f, "+46701740605", "AKUT KARD Bröstsmärta, ring mig", &o);
	expect_msg(f, IPC_SMS_IN);
	assert_string_equal(f->msg.sms.sender, "+46701740605");
	assert_string_equal(f->msg.sms.text, "AKUT KARD Bröstsmärta, ring mig");
	assert_int_equal(f->msg.sms.parts, 1);
	assert_int_equal(f->msg.sms.parts_total, 1);
	assert_int_equal(f->msg.sms.concat_ref, -1);
	assert_int_equal(f->msg.sms.binary, 0);
	assert_int_equal(f->msg.sms.sms_class, -1);
	/* 2026-01-01T00:00:00Z, as the SMSC stamped it. */
	assert_int_equal(f->msg.sms.smsc_time, 1767225600000);
	token = f->msg.sms.token;

	/* Awaiting the parent's answer: not handed over a second time. */
	assert_int_equal(next_msg(f, 3 * SWEEP_MS), 0);
	assert_int_equal(inject_pending(f->phone), 1);

	send_token(f, IPC_SMS_COMMITTED, token);
	expect_pending(f, 0);
	assert_int_equal(next_msg(f, 3 * SWEEP_MS), 0);
}

static void
test_three_parts(void **state)
{
	struct fixture	*f = *state;
	char		 text[SMS_TEXT_MAX];

	snprintf(text, sizeof(text), "%s", repeat("Långt meddelande om en "
	    "patient med bröstsmärta, åäö ÅÄÖ é. ", 6));
	assert_true(strlen(text) > 306);
	start_ready(f);
	inject(f, "+46701740605", text, NULL);
	assert_int_equal(inject_pending(f->phone), 3);

	expect_msg(f, IPC_SMS_IN);
	assert_int_equal(f->msg.sms.parts, 3);
	assert_int_equal(f->msg.sms.parts_total, 3);
	assert_true(f->msg.sms.concat_ref >= 0);
	assert_string_equal(f->msg.sms.text, text);
	send_token(f, IPC_SMS_COMMITTED, f->msg.sms.token);
	expect_pending(f, 0);
	/* One message, not three. */
	assert_int_equal(next_msg(f, 3 * SWEEP_MS), 0);
}

static void
test_retry(void **state)
{
	struct fixture	*f = *state;
	uint32_t	 first;

	start_ready(f);
	inject(f, "+46701740606", "HALV ORT fråga om gips", NULL);
	expect_msg(f, IPC_SMS_IN);
	first = f->msg.sms.token;
	send_token(f, IPC_SMS_RETRY, first);

	/* Left on the phone and offered again at a later sweep. */
	expect_msg(f, IPC_SMS_IN);
	assert_int_not_equal(f->msg.sms.token, first);
	assert_string_equal(f->msg.sms.text, "HALV ORT fråga om gips");
	assert_int_equal(inject_pending(f->phone), 1);

	/* A stale token deletes nothing. */
	send_token(f, IPC_SMS_COMMITTED, first);
	assert_int_equal(next_msg(f, 3 * SWEEP_MS), 0);
	assert_int_equal(inject_pending(f->phone), 1);

	send_token(f, IPC_SMS_COMMITTED, f->msg.sms.token);
	expect_pending(f, 0);
}

static void
test_send_gsm7(void **state)
{
	struct fixture		*f = *state;
	struct ipc_send_result	 r;
	char			 text[SMS_TEXT_MAX];

	start_ready(f);
	/* 200 Swedish characters: 7-bit, 153 + 47. */
	snprintf(text, sizeof(text), "%s", repeat("Kvittera åäöÅÄÖé nu ", 10));
	r = send_sms(f, 1, "+46701740620", text);
	assert_int_equal(r.ok, 1);
	assert_int_equal(r.parts, 2);
	assert_int_equal(r.msg_ref, 255);	/* what the dummy phone says */
	assert_string_equal(r.error, "");

	/* 160 Swedish letters fit one part; in UCS-2 they would take three. */
	r = send_sms(f, 2, "+46701740620", repeat("ä", 160));
	assert_int_equal(r.ok, 1);
	assert_int_equal(r.parts, 1);
	r = send_sms(f, 3, "+46701740620", repeat("a", 161));
	assert_int_equal(r.parts, 2);
}

static void
test_send_ucs2(void **state)
{
	struct fixture		*f = *state;
	struct ipc_send_result	 r;
	char			 text[SMS_TEXT_MAX];
	int			 units, want;

	start_ready(f);
	r = send_sms(f, 10, "+46701740620", "Tack 👍");
	assert_int_equal(r.ok, 1);
	assert_int_equal(r.parts, 1);

	snprintf(text, sizeof(text), "Tack 👍 %s", repeat("a", 95));
	units = utf16_units(text);
	want = units <= 70 ? 1 : (units + 66) / 67;
	assert_int_equal(want, 2);
	r = send_sms(f, 11, "+46701740620", text);
	assert_int_equal(r.ok, 1);
	assert_int_equal(r.parts, want);

	snprintf(text, sizeof(text), "Ж%s", repeat("b", 69));
	assert_int_equal(utf16_units(text), 70);
	r = send_sms(f, 12, "+46701740620", text);
	assert_int_equal(r.parts, 1);
	snprintf(text, sizeof(text), "Ж%s", repeat("b", 70));
	r = send_sms(f, 13, "+46701740620", text);
	assert_int_equal(r.parts, 2);

	/* What cannot be sent is refused with a reason, not sent. */
	r = send_sms(f, 14, "+46701740620", "");
	assert_int_equal(r.ok, 0);
	assert_true(strlen(r.error) > 0);
}

static void
test_alphanumeric_sender(void **state)
{
	struct fixture	*f = *state;

	start_ready(f);
	inject(f, "Telia", "Ditt saldo är 0 kr", NULL);
	expect_msg(f, IPC_SMS_IN);
	assert_string_equal(f->msg.sms.sender, "Telia");
	assert_string_equal(f->msg.sms.text, "Ditt saldo är 0 kr");
	send_token(f, IPC_SMS_COMMITTED, f->msg.sms.token);
	expect_pending(f, 0);
}

static void
test_ping(void **state)
{
	struct fixture	*f = *state;

	start_ready(f);
	send_token(f, IPC_PING, 1234);
	expect_msg(f, IPC_PONG);
	assert_int_equal(f->msg.token.token, 1234);
	send_token(f, IPC_PING, 0);
	expect_msg(f, IPC_PONG);
	assert_int_equal(f->msg.token.token, 0);
}

/* Asks for a wake-up call and returns the worker's answer. */
static struct ipc_send_result
call(struct fixture *f, int64_t id, const char *to, int64_t ring_ms)
{
	struct ipc_call	req;

	memset(&req, 0, sizeof(req));
	req.outbox_id = id;
	snprintf(req.to, sizeof(req.to), "%s", to);
	req.ring_ms = ring_ms;
	assert_int_equal(ipc_send(f->fd, IPC_CALL, &req, sizeof(req)), 0);
	expect_msg(f, IPC_SEND_RESULT);
	assert_int_equal(f->msg.result.outbox_id, id);
	return f->msg.result;
}

/*
 * The dummy phone cannot ring: a call is recorded as placed at once, far
 * sooner than its ring time, and the worker goes on serving.
 */
static void
test_call_dummy(void **state)
{
	struct fixture		*f = *state;
	struct ipc_send_result	 r;
	jtime_t			 t0;

	f->mc.calls = true;
	start_ready(f);
	t0 = now_ms();
	r = call(f, 7, "+46701740620", 60 * JT_SECOND);
	assert_true(now_ms() - t0 < 5 * JT_SECOND);
	assert_int_equal(r.ok, 1);
	assert_int_equal(r.parts, 0);
	assert_int_equal(r.msg_ref, -1);
	assert_string_equal(r.error, "");
	send_token(f, IPC_PING, 99);
	expect_msg(f, IPC_PONG);
	assert_int_equal(f->msg.token.token, 99);
	assert_int_equal(send_sms(f, 8, "+46701740620", "Vakna").ok, 1);
}

/*
 * A call the worker must not place is refused with a reason, never
 * dialled: a modem without calls = yes, a number that is not E.164.
 */
static void
test_call_refused(void **state)
{
	struct fixture		*f = *state;
	struct ipc_send_result	 r;

	start_ready(f);
	r = call(f, 1, "+46701740620", 1000);
	assert_int_equal(r.ok, 0);
	assert_non_null(strstr(r.error, "calls"));

	close(f->fd);
	assert_int_not_equal(worker_reap(f->pid, 3000), -1);
	f->mc.calls = true;
	f->nstates = 0;
	start_ready(f);
	r = call(f, 2, "070-174 06 20", 1000);
	assert_int_equal(r.ok, 0);
	assert_non_null(strstr(r.error, "number"));
	r = call(f, 3, "+46701740620;ATH", 1000);
	assert_int_equal(r.ok, 0);
	r = call(f, 4, "", 1000);
	assert_int_equal(r.ok, 0);
	assert_int_equal(call(f, 5, "+46701740620", 1000).ok, 1);
}

static void
test_close_exits(void **state)
{
	struct fixture	*f = *state;
	int		 status;

	start_ready(f);
	close(f->fd);
	f->fd = -1;
	status = worker_reap(f->pid, 3000);
	assert_int_not_equal(status, -1);
	f->pid = -1;
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void
test_incomplete(void **state)
{
	struct fixture		*f = *state;
	struct inject_opts	 o = { .drop_part = 2 };
	char			 text[SMS_TEXT_MAX], want[SMS_TEXT_MAX];
	jtime_t			 t0;

	/* The three parts: 153 'a', 153 'b', 20 'c'. */
	snprintf(text, sizeof(text), "%s", repeat("a", 153));
	snprintf(text + 153, sizeof(text) - 153, "%s", repeat("b", 153));
	snprintf(text + 306, sizeof(text) - 306, "%s", repeat("c", 20));
	snprintf(want, sizeof(want), "%s", repeat("a", 153));
	snprintf(want + 153, sizeof(want) - 153, "%s", repeat("c", 20));

	modem_set_hold(1000);
	start_ready(f);
	t0 = now_ms();
	inject(f, "+46701740605", text, &o);
	assert_int_equal(inject_pending(f->phone), 2);

	/* Held while a part may still come … */
	assert_int_equal(next_msg(f, 600), 0);
	/* … then handed over as it is. */
	expect_msg(f, IPC_SMS_IN);
	assert_true(now_ms() - t0 >= 1000);
	assert_int_equal(f->msg.sms.parts, 2);
	assert_int_equal(f->msg.sms.parts_total, 3);
	assert_string_equal(f->msg.sms.text, want);
	send_token(f, IPC_SMS_COMMITTED, f->msg.sms.token);
	expect_pending(f, 0);
}

/* A text of three parts: 153 times a, 153 times b, then tail. */
static void
three_parts(char *out, size_t outsz, char a, char b, const char *tail)
{
	char	one[2] = { a, '\0' };

	snprintf(out, outsz, "%s", repeat(one, 153));
	one[0] = b;
	snprintf(out + 153, outsz - 153, "%s", repeat(one, 153));
	snprintf(out + 306, outsz - 306, "%s", tail);
}

/*
 * Receives n messages, checks their texts against want[] in any order and
 * commits each; every text must come exactly once.
 */
static void
expect_texts(struct fixture *f, const char *const *want, int n)
{
	bool	seen[4] = { false };
	int	i, k;

	assert_true(n <= 4);
	for (i = 0; i < n; i++) {
		expect_msg(f, IPC_SMS_IN);
		for (k = 0; k < n; k++)
			if (!seen[k] && strcmp(f->msg.sms.text, want[k]) == 0)
				break;
		if (k == n)
			fail_msg("unexpected text %.40s… (%d of %d parts)",
			    f->msg.sms.text, f->msg.sms.parts,
			    f->msg.sms.parts_total);
		seen[k] = true;
		assert_int_equal(f->msg.sms.parts, f->msg.sms.parts_total);
		send_token(f, IPC_SMS_COMMITTED, f->msg.sms.token);
	}
}

/*
 * Two long SMS from one sender with the same reference and time stamp in
 * one sweep: two messages, neither part deleted unread.
 */
static void
test_same_ref_both_complete(void **state)
{
	struct fixture		*f = *state;
	struct inject_opts	 o = { .smsc_time = 1767225600000,
				    .fix_ref = true, .ref = 7 };
	char			 a[SMS_TEXT_MAX], b[SMS_TEXT_MAX];
	const char		*want[2] = { a, b };

	three_parts(a, sizeof(a), 'a', 'b', "AKUT KARD första");
	three_parts(b, sizeof(b), 'x', 'y', "AKUT KARD andra");
	inject(f, "+46701740605", a, &o);
	inject(f, "+46701740605", b, &o);
	assert_int_equal(inject_pending(f->phone), 6);
	start_ready(f);
	expect_texts(f, want, 2);
	expect_pending(f, 0);
	assert_int_equal(next_msg(f, 3 * SWEEP_MS), 0);
}

/*
 * An incomplete message and, an hour later by the SMSC, a whole one with
 * the same reference: the whole one is handed over alone and the parts of
 * the first stay on the phone, waiting for their missing part.
 */
static void
test_same_ref_apart_in_time(void **state)
{
	struct fixture		*f = *state;
	struct inject_opts	 o = { .smsc_time = 1767225600000,
				    .fix_ref = true, .ref = 7, .drop_part = 2 };
	char			 a[SMS_TEXT_MAX], b[SMS_TEXT_MAX];
	const char		*want[1] = { b };

	three_parts(a, sizeof(a), 'a', 'b', "AKUT KARD väntar");
	three_parts(b, sizeof(b), 'x', 'y', "AKUT KARD hel");
	inject(f, "+46701740605", a, &o);
	o.drop_part = 0;
	o.smsc_time += JT_HOUR;
	inject(f, "+46701740605", b, &o);
	assert_int_equal(inject_pending(f->phone), 5);
	start_ready(f);
	expect_texts(f, want, 1);
	expect_pending(f, 2);
	assert_int_equal(next_msg(f, 3 * SWEEP_MS), 0);
}

/* The same long SMS stored twice is one message; both copies are deleted. */
static void
test_same_ref_repeated_copy(void **state)
{
	struct fixture		*f = *state;
	struct inject_opts	 o = { .smsc_time = 1767225600000,
				    .fix_ref = true, .ref = 7 };
	char			 a[SMS_TEXT_MAX];
	const char		*want[1] = { a };

	three_parts(a, sizeof(a), 'a', 'b', "AKUT KARD en gång");
	inject(f, "+46701740605", a, &o);
	inject(f, "+46701740605", a, &o);
	start_ready(f);
	expect_texts(f, want, 1);
	expect_pending(f, 0);
	assert_int_equal(next_msg(f, 3 * SWEEP_MS), 0);
}

static void
test_status_report(void **state)
{
	struct fixture	*f = *state;
	char		 err[256];

	start_ready(f);
	assert_int_equal(inject_status_report(f->phone, "+46701740620", 42,
	    err, sizeof(err)), 0);
	expect_msg(f, IPC_STATUS_REPORT);
	assert_string_equal(f->msg.report.recipient, "+46701740620");
	assert_int_equal(f->msg.report.msg_ref, 42);
	assert_int_equal(f->msg.report.delivered, 1);
	assert_true(f->msg.report.at > 1600000000000);
	/* Reports need no commit: gone at once. */
	expect_pending(f, 0);
}

static void
test_flash_binary_ucs2_in(void **state)
{
	struct fixture		*f = *state;
	struct inject_opts	 flash = { .flash = true };
	struct inject_opts	 bin = { .binary = true };

	start_ready(f);
	inject(f, "+46701740607", "Blixt", &flash);
	expect_msg(f, IPC_SMS_IN);
	assert_int_equal(f->msg.sms.sms_class, 0);
	assert_string_equal(f->msg.sms.text, "Blixt");
	send_token(f, IPC_SMS_COMMITTED, f->msg.sms.token);
	expect_pending(f, 0);

	inject(f, "+46701740607", "\x01\x02\x7f", &bin);
	expect_msg(f, IPC_SMS_IN);
	assert_int_equal(f->msg.sms.binary, 1);
	assert_string_equal(f->msg.sms.text, "");
	send_token(f, IPC_SMS_COMMITTED, f->msg.sms.token);
	expect_pending(f, 0);

	/* Outside the GSM alphabet: UCS-2, in two parts, back as UTF-8. */
	inject(f, "+46701740607", repeat("OK 👍 Привет ", 8), NULL);
	assert_int_equal(inject_pending(f->phone), 2);
	expect_msg(f, IPC_SMS_IN);
	assert_int_equal(f->msg.sms.parts, 2);
	assert_string_equal(f->msg.sms.text, repeat("OK 👍 Привет ", 8));
	send_token(f, IPC_SMS_COMMITTED, f->msg.sms.token);
	expect_pending(f, 0);
}

/* Two messages and one waiting for its commit do not block each other. */
static void
test_two_senders(void **state)
{
	struct fixture	*f = *state;
	uint32_t	 tok[2];
	char		 seen[2][80];
	int		 i;

	start_ready(f);
	inject(f, "+46701740605", "STATUS", NULL);
	inject(f, "+46701740606", "HJÄLP", NULL);
	for (i = 0; i < 2; i++) {
		expect_msg(f, IPC_SMS_IN);
		tok[i] = f->msg.sms.token;
		snprintf(seen[i], sizeof(seen[i]), "%s %.16s", f->msg.sms.sender,
		    f->msg.sms.text);
	}
	assert_int_not_equal(tok[0], tok[1]);
	if (strcmp(seen[0], seen[1]) > 0) {
		char tmp[80];

		memcpy(tmp, seen[0], sizeof(tmp));
		memcpy(seen[0], seen[1], sizeof(tmp));
		memcpy(seen[1], tmp, sizeof(tmp));
	}
	assert_string_equal(seen[0], "+46701740605 STATUS");
	assert_string_equal(seen[1], "+46701740606 HJÄLP");
	send_token(f, IPC_SMS_COMMITTED, tok[1]);
	expect_pending(f, 1);
	send_token(f, IPC_SMS_COMMITTED, tok[0]);
	expect_pending(f, 0);
}

static void
test_connect_failure(void **state)
{
	struct fixture		*f = *state;
	struct ipc_send_result	 r;
	FILE			*fp;

	/* A file where the phone's directory should be. */
	fp = fopen(f->phone, "w");
	assert_non_null(fp);
	fclose(fp);
	worker_start(f);
	expect_state(f, MODEM_FAILED);
	assert_non_null(strstr(f->state.detail, f->phone));
	r = send_sms(f, 20, "+46701740620", "Hej");
	assert_int_equal(r.ok, 0);
	assert_string_equal(r.error, "modem not connected");

	/* It keeps trying, and creates the directory once it can. */
	unlink(f->phone);
	expect_state(f, MODEM_READY);
	r = send_sms(f, 21, "+46701740620", "Hej");
	assert_int_equal(r.ok, 1);
}

static void
test_logfile(void **state)
{
	struct fixture	*f = *state;
	struct stat	 sb;

	snprintf(f->mc.logfile, sizeof(f->mc.logfile), "%s/gammu.log", f->dir);
	start_ready(f);
	send_token(f, IPC_PING, 1);
	expect_msg(f, IPC_PONG);
	assert_int_equal(stat(f->mc.logfile, &sb), 0);
	assert_true(sb.st_size > 0);
}

/*
 * Many sweeps and a stream of messages in a worker that ends with exit(),
 * so that LeakSanitizer (in a sanitizer build) checks what it left.
 */
static void
test_no_leaks(void **state)
{
	struct fixture	*f = *state;
	jtime_t		 end;
	int		 sv[2], status, i;
	pid_t		 pid;

	f->mc.sweep = 20;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	if ((pid = fork()) == 0) {
		close(sv[0]);
		exit(modem_main(&f->mc, sv[1]));
	}
	assert_true(pid > 0);
	close(sv[1]);
	f->fd = sv[0];
	f->pid = pid;
	expect_state(f, MODEM_READY);
	for (i = 0; i < 5; i++) {
		inject(f, "+46701740605", repeat("Läcker något? ", 30), NULL);
		expect_msg(f, IPC_SMS_IN);
		send_token(f, i % 2 ? IPC_SMS_RETRY : IPC_SMS_COMMITTED,
		    f->msg.sms.token);
		if (i % 2) {
			expect_msg(f, IPC_SMS_IN);
			send_token(f, IPC_SMS_COMMITTED, f->msg.sms.token);
		}
		expect_pending(f, 0);
		assert_int_equal(send_sms(f, i + 1, "+46701740620",
		    repeat("Svar 👍 ", 20)).ok, 1);
	}
	/* Idle sweeps too. */
	end = now_ms() + 500;
	while (now_ms() < end)
		assert_int_equal(next_msg(f, 100), 0);
	close(f->fd);
	f->fd = -1;
	status = worker_reap(pid, 5000);
	f->pid = -1;
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/*
 * A fake GSM modem on a pseudo-terminal, for the AT driver: enough of the
 * command set for libGammu to connect, check the PIN, list, read, delete
 * and send in PDU mode. Every command line it gets is appended to a log
 * the test reads. These tests take several seconds (libGammu's connect
 * sequence is slow by design) and run only with JOURD_TEST_AT=1.
 */
struct fake_at {
	pid_t	pid;		/* also in the fixture: teardown stops it */
	char	tty[128];
	char	log[PATH_MAX];
};

/* One stored SMS-DELIVER, SMSC +46705008999, from +46701740605, sent
 * 2026-01-01 12:00:00 +01:00, 7-bit text "AKUT KARD Hej". */
#define FAKE_PDU "07916407058099F9040B916407710406F50000621010210000400DC165" \
	"950A5A06A54410B2AC06"
#define FAKE_TPDU_LEN 31

static void
fake_write(int fd, const char *s)
{
	size_t	len = strlen(s);
	ssize_t	n;

	while (len > 0) {
		if ((n = write(fd, s, len)) == -1) {
			if (errno == EINTR)
				continue;
			return;
		}
		s += n;
		len -= (size_t)n;
	}
}

/* The echo of the command line, then the answer. */
static void
fake_reply(int fd, const char *line, const char *body)
{
	fake_write(fd, line);
	fake_write(fd, "\r\r\n");
	fake_write(fd, body);
	fake_write(fd, "\r\n");
}

/* Answers one command line; returns true when a PDU (up to ^Z) follows. */
static bool
fake_command(int fd, const char *line, const char *pin, bool *unlocked,
    bool *stored)
{
	char	up[256], body[512];
	size_t	i;

	for (i = 0; line[i] != '\0' && i < sizeof(up) - 1; i++)
		up[i] = (char)toupper((unsigned char)line[i]);
	up[i] = '\0';
	snprintf(body, sizeof(body), "OK");
	if (strncmp(up, "AT+CGMI", 7) == 0)
		snprintf(body, sizeof(body), "Fake\r\nOK");
	else if (strncmp(up, "AT+CGMM", 7) == 0)
		snprintf(body, sizeof(body), "FakeModem\r\nOK");
	else if (strncmp(up, "AT+CGMR", 7) == 0)
		snprintf(body, sizeof(body), "1.0\r\nOK");
	else if (strncmp(up, "AT+CGSN", 7) == 0)
		snprintf(body, sizeof(body), "123456789012345\r\nOK");
	else if (strcmp(up, "AT+CSCS?") == 0)
		snprintf(body, sizeof(body), "+CSCS: \"GSM\"\r\nOK");
	else if (strcmp(up, "AT+CSCS=?") == 0)
		snprintf(body, sizeof(body), "+CSCS: (\"IRA\",\"GSM\",\"UCS2\")\r\nOK");
	else if (strcmp(up, "AT+CPIN?") == 0)
		snprintf(body, sizeof(body), "+CPIN: %s\r\nOK",
		    *unlocked ? "READY" : "SIM PIN");
	else if (strncmp(up, "AT+CPIN=", 8) == 0) {
		char want[64];

		snprintf(want, sizeof(want), "AT+CPIN=\"%s\"", pin);
		if (strcmp(up, want) == 0)
			*unlocked = true;
		else
			snprintf(body, sizeof(body), "+CME ERROR: 16");
	} else if (strcmp(up, "AT+CPMS=?") == 0)
		snprintf(body, sizeof(body),
		    "+CPMS: (\"SM\"),(\"SM\"),(\"SM\")\r\nOK");
	else if (strncmp(up, "AT+CPMS=", 8) == 0)
		snprintf(body, sizeof(body), "+CPMS: %d,30,%d,30,%d,30\r\nOK",
		    *stored, *stored, *stored);
	else if (strcmp(up, "AT+CNMI=?") == 0)
		snprintf(body, sizeof(body),
		    "+CNMI: (0,1,2),(0,1,2,3),(0,2),(0,1,2),(0,1)\r\nOK");
	else if (strcmp(up, "AT+CSCA?") == 0)
		snprintf(body, sizeof(body), "+CSCA: \"+46705008999\",145\r\nOK");
	else if (strncmp(up, "AT+CMGL", 7) == 0) {
		if (*stored)
			snprintf(body, sizeof(body), "+CMGL: 1,0,,%d\r\n%s\r\nOK",
			    FAKE_TPDU_LEN, FAKE_PDU);
	} else if (strncmp(up, "AT+CMGR=", 8) == 0) {
		if (*stored && atoi(up + 8) == 1)
			snprintf(body, sizeof(body), "+CMGR: 1,,%d\r\n%s\r\nOK",
			    FAKE_TPDU_LEN, FAKE_PDU);
		else
			snprintf(body, sizeof(body), "+CMS ERROR: 321");
	} else if (strncmp(up, "AT+CMGD=", 8) == 0) {
		if (atoi(up + 8) == 1)
			*stored = false;
	} else if (strncmp(up, "AT+CMGS=", 8) == 0) {
		fake_write(fd, line);
		fake_write(fd, "\r\r\n> ");
		return true;
	}
	fake_reply(fd, line, body);
	return false;
}

static void
fake_at_main(int master, const char *logpath, const char *pin, bool stored)
{
	char	buf[4096], line[1024];
	size_t	used = 0, i;
	ssize_t	n;
	bool	unlocked = false, pdu = false;
	int	ref = 0;
	FILE	*log;

	if ((log = fopen(logpath, "a")) == NULL)
		_exit(1);
	for (;;) {
		n = read(master, buf + used, sizeof(buf) - used - 1);
		if (n <= 0) {
			if (n == -1 && (errno == EINTR || errno == EIO)) {
				usleep(10 * 1000);
				continue;
			}
			_exit(0);
		}
		used += (size_t)n;
		for (;;) {
			char	*end;

			if (pdu) {
				if ((end = memchr(buf, 0x1a, used)) == NULL)
					break;
				fprintf(log, "PDU\n");
				fflush(log);
				snprintf(line, sizeof(line),
				    "\r\n+CMGS: %d\r\nOK\r\n", ++ref);
				fake_write(master, line);
				pdu = false;
			} else {
				if ((end = memchr(buf, '\r', used)) == NULL)
					break;
				i = (size_t)(end - buf);
				if (i >= sizeof(line))
					i = sizeof(line) - 1;
				memcpy(line, buf, i);
				line[i] = '\0';
				/* A leading ESC leaves a half-typed PDU. */
				while (line[0] == 0x1b || line[0] == '\n')
					memmove(line, line + 1, strlen(line));
				if (line[0] != '\0') {
					fprintf(log, "%s\n", line);
					fflush(log);
					pdu = fake_command(master, line, pin,
					    &unlocked, &stored);
				}
			}
			i = (size_t)(end - buf) + 1;
			memmove(buf, buf + i, used - i);
			used -= i;
		}
		if (used == sizeof(buf) - 1)
			used = 0;
	}
}

static void
fake_at_start(struct fixture *f, struct fake_at *fa, const char *pin,
    bool stored)
{
	struct termios	tio;
	int		master, slave;

	master = posix_openpt(O_RDWR | O_NOCTTY);
	assert_true(master >= 0);
	assert_int_equal(grantpt(master), 0);
	assert_int_equal(unlockpt(master), 0);
	assert_int_equal(ptsname_r(master, fa->tty, sizeof(fa->tty)), 0);
	/* Held open by the fake so that the master never sees a hang-up. */
	slave = open(fa->tty, O_RDWR | O_NOCTTY);
	assert_true(slave >= 0);
	assert_int_equal(tcgetattr(slave, &tio), 0);
	cfmakeraw(&tio);
	assert_int_equal(tcsetattr(slave, TCSANOW, &tio), 0);
	snprintf(fa->log, sizeof(fa->log), "%s/at.log", f->dir);
	if ((fa->pid = fork()) == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		fake_at_main(master, fa->log, pin, stored);
	}
	f->fake = fa->pid;
	assert_true(fa->pid > 0);
	close(master);
	close(slave);

	f->mc.driver = DRIVER_AT;
	snprintf(f->mc.device, sizeof(f->mc.device), "%s", fa->tty);
	snprintf(f->mc.connection, sizeof(f->mc.connection), "at115200");
}

/* How many logged command lines start with prefix. */
static int
fake_at_count(const struct fake_at *fa, const char *prefix)
{
	char	line[1024];
	FILE	*fp;
	int	n = 0;

	if ((fp = fopen(fa->log, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncasecmp(line, prefix, strlen(prefix)) == 0)
			n++;
	fclose(fp);
	return n;
}

static bool
at_tests_wanted(void)
{
	const char	*v = getenv("JOURD_TEST_AT");

	return v != NULL && strcmp(v, "1") == 0;
}

/* A wrong PIN is entered once and never again, however long we wait. */
static void
test_at_wrong_pin(void **state)
{
	struct fixture		*f = *state;
	struct fake_at		 fa = { .pid = -1 };
	struct ipc_send_result	 r;

	if (!at_tests_wanted())
		skip();
	fake_at_start(f, &fa, "1234", false);
	snprintf(f->mc.pin, sizeof(f->mc.pin), "9999");
	worker_start(f);
	wait_state(f, MODEM_PIN_WRONG, AT_WAIT_MS);
	assert_non_null(strstr(f->state.detail, "not retried"));
	r = send_sms(f, 30, "+46701740620", "Hej");
	assert_int_equal(r.ok, 0);
	assert_string_equal(r.error, "modem: wrong SIM PIN");

	/* Longer than the first reconnect delay: still one attempt. */
	assert_int_equal(next_msg(f, 3000), 0);
	assert_int_equal(fake_at_count(&fa, "AT+CPIN=\""), 1);
	assert_int_equal(fake_at_count(&fa, "ATE1"), 1);
}

/* The production path: PIN, a stored message, its deletion, a send. */
static void
test_at_modem(void **state)
{
	struct fixture		*f = *state;
	struct fake_at		 fa = { .pid = -1 };
	struct ipc_send_result	 r;
	jtime_t			 end;

	if (!at_tests_wanted())
		skip();
	fake_at_start(f, &fa, "1234", true);
	snprintf(f->mc.pin, sizeof(f->mc.pin), "1234");
	worker_start(f);
	wait_state(f, MODEM_READY, AT_WAIT_MS);
	assert_string_equal(f->state.detail, "Fake FakeModem");
	assert_int_equal(fake_at_count(&fa, "AT+CPIN=\"1234\""), 1);

	assert_int_equal(next_msg(f, AT_WAIT_MS), IPC_SMS_IN);
	assert_string_equal(f->msg.sms.sender, "+46701740605");
	assert_string_equal(f->msg.sms.text, "AKUT KARD Hej");
	/* 12:00 at +01:00 is 11:00 UTC. */
	assert_int_equal(f->msg.sms.smsc_time, 1767265200000);
	assert_int_equal(fake_at_count(&fa, "AT+CMGD="), 0);
	send_token(f, IPC_SMS_COMMITTED, f->msg.sms.token);
	end = now_ms() + AT_WAIT_MS;
	while (fake_at_count(&fa, "AT+CMGD=1") == 0) {
		assert_true(now_ms() < end);
		usleep(50 * 1000);
	}

	r = send_sms(f, 31, "+46701740620", "Svara OK 3");
	assert_int_equal(r.ok, 1);
	assert_int_equal(r.parts, 1);
	assert_int_equal(r.msg_ref, 1);		/* from +CMGS: 1 */
	assert_int_equal(fake_at_count(&fa, "AT+CMGS="), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_single_swedish, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_three_parts, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_retry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_gsm7, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_send_ucs2, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_alphanumeric_sender, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_ping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_call_dummy, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_call_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_close_exits, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_incomplete, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_same_ref_both_complete,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_ref_apart_in_time,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_ref_repeated_copy,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_report, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_flash_binary_ucs2_in, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_two_senders, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_connect_failure, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_logfile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_leaks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_at_wrong_pin, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_at_modem, setup, teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
