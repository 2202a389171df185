/*
 * test_ipc.c — the parent/worker message layer over a real socketpair.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ipc.h"

union payload {
	struct ipc_modem_state		state;
	struct ipc_sms_in		sms;
	struct ipc_token		token;
	struct ipc_send			send;
	struct ipc_send_result		result;
	struct ipc_status_report	report;
	unsigned char			raw[IPC_MAX_PAYLOAD];
};

struct pair {
	int	fd[2];
};

static int
setup(void **state)
{
	static struct pair	p;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, p.fd) == -1)
		return -1;
	*state = &p;
	return 0;
}

static int
teardown(void **state)
{
	struct pair	*p = *state;

	if (p->fd[0] != -1)
		close(p->fd[0]);
	if (p->fd[1] != -1)
		close(p->fd[1]);
	return 0;
}

/* Sends a raw datagram of len bytes: header fields then payload bytes. */
static void
send_raw(int fd, uint32_t type, uint32_t hdrlen, const void *payload,
    size_t len)
{
	static unsigned char	buf[sizeof(struct ipc_hdr) + IPC_MAX_PAYLOAD + 64];
	struct ipc_hdr		hdr = { .type = type, .len = hdrlen };

	assert_true(sizeof(hdr) + len <= sizeof(buf));
	memcpy(buf, &hdr, sizeof(hdr));
	if (len > 0)
		memcpy(buf + sizeof(hdr), payload, len);
	assert_int_equal(send(fd, buf, sizeof(hdr) + len, 0),
	    (ssize_t)(sizeof(hdr) + len));
}

static void
expect_bad(int fd)
{
	static union payload	buf;
	struct ipc_hdr		hdr;

	errno = 0;
	assert_int_equal(ipc_recv(fd, &hdr, &buf), -1);
	assert_int_equal(errno, EBADMSG);
}

/* Sends p as type and checks that exactly the same bytes come out. */
static void
round_trip(struct pair *p, enum ipc_type type, const void *payload,
    size_t len)
{
	static union payload	in;
	struct ipc_hdr		hdr;

	assert_int_equal(ipc_send(p->fd[0], type, payload, len), 0);
	memset(&in, 0xaa, sizeof(in));
	assert_int_equal(ipc_recv(p->fd[1], &hdr, &in), 1);
	assert_int_equal(hdr.type, type);
	assert_int_equal(hdr.len, len);
	assert_memory_equal(&in, payload, len);
}

static void
test_round_trip_all(void **state)
{
	struct pair			*p = *state;
	static struct ipc_sms_in	 sms;
	static struct ipc_send		 snd;
	struct ipc_modem_state		 st;
	struct ipc_token		 tok;
	struct ipc_send_result		 res;
	struct ipc_status_report	 rep;

	memset(&st, 0, sizeof(st));
	st.status = MODEM_READY;
	snprintf(st.detail, sizeof(st.detail), "Gammu Dummy");
	round_trip(p, IPC_MODEM_STATE, &st, sizeof(st));

	memset(&sms, 0, sizeof(sms));
	sms.token = 7;
	sms.smsc_time = 1700000000123;
	snprintf(sms.sender, sizeof(sms.sender), "+46701740605");
	sms.concat_ref = 200;
	sms.parts = 2;
	sms.parts_total = 3;
	sms.sms_class = 0;
	snprintf(sms.text, sizeof(sms.text), "AKUT KARD Bröstsmärta, ring mig");
	round_trip(p, IPC_SMS_IN, &sms, sizeof(sms));

	memset(&tok, 0, sizeof(tok));
	tok.token = 0xdeadbeef;
	round_trip(p, IPC_SMS_COMMITTED, &tok, sizeof(tok));
	round_trip(p, IPC_SMS_RETRY, &tok, sizeof(tok));
	round_trip(p, IPC_PING, &tok, sizeof(tok));
	round_trip(p, IPC_PONG, &tok, sizeof(tok));

	memset(&snd, 0, sizeof(snd));
	snd.outbox_id = 42;
	snprintf(snd.to, sizeof(snd.to), "+46701740620");
	snprintf(snd.text, sizeof(snd.text), "Svara OK 3");
	round_trip(p, IPC_SEND, &snd, sizeof(snd));

	memset(&res, 0, sizeof(res));
	res.outbox_id = 42;
	res.ok = 1;
	res.parts = 2;
	res.msg_ref = 17;
	round_trip(p, IPC_SEND_RESULT, &res, sizeof(res));

	memset(&rep, 0, sizeof(rep));
	snprintf(rep.recipient, sizeof(rep.recipient), "+46701740620");
	rep.msg_ref = 17;
	rep.delivered = 1;
	rep.at = 1700000001000;
	round_trip(p, IPC_STATUS_REPORT, &rep, sizeof(rep));
}

static void
test_truncated(void **state)
{
	struct pair	*p = *state;
	uint32_t	 half = IPC_PING;

	/* Less than a header. */
	assert_int_equal(send(p->fd[0], &half, sizeof(half), 0),
	    (ssize_t)sizeof(half));
	expect_bad(p->fd[1]);

	/* A header that promises more payload than came. */
	{
		struct ipc_token	tok = { 1 };

		send_raw(p->fd[0], IPC_PING, sizeof(tok) + 4, &tok,
		    sizeof(tok));
		expect_bad(p->fd[1]);
	}
	/* A state message cut short. */
	{
		struct ipc_modem_state	st;

		memset(&st, 0, sizeof(st));
		send_raw(p->fd[0], IPC_MODEM_STATE, sizeof(st) - 10, &st,
		    sizeof(st) - 10);
		expect_bad(p->fd[1]);
	}
}

static void
test_oversize(void **state)
{
	struct pair		*p = *state;
	static unsigned char	 big[IPC_MAX_PAYLOAD + 16];
	static union payload	 buf;
	struct ipc_hdr		 hdr;

	memset(big, 0, sizeof(big));
	send_raw(p->fd[0], IPC_SMS_IN, sizeof(big), big, sizeof(big));
	expect_bad(p->fd[1]);

	/* The next message is read cleanly: nothing of the big one is left. */
	{
		struct ipc_token	tok = { 5 };

		assert_int_equal(ipc_send(p->fd[0], IPC_PING, &tok,
		    sizeof(tok)), 0);
		assert_int_equal(ipc_recv(p->fd[1], &hdr, &buf), 1);
		assert_int_equal(hdr.type, IPC_PING);
		assert_int_equal(buf.token.token, 5);
	}

	errno = 0;
	assert_int_equal(ipc_send(p->fd[0], IPC_SMS_IN, big, sizeof(big)), -1);
	assert_int_equal(errno, EMSGSIZE);
}

static void
test_wrong_length(void **state)
{
	struct pair			*p = *state;
	static struct ipc_sms_in	 sms;
	struct ipc_token		 tok[2] = { { 1 }, { 2 } };

	/* A token message with a token too many. */
	send_raw(p->fd[0], IPC_PING, sizeof(tok), tok, sizeof(tok));
	expect_bad(p->fd[1]);

	/* An SMS_IN with the size of a token. */
	send_raw(p->fd[0], IPC_SMS_IN, sizeof(tok[0]), tok, sizeof(tok[0]));
	expect_bad(p->fd[1]);

	/* A send result carrying an SMS_IN. */
	memset(&sms, 0, sizeof(sms));
	sms.parts = sms.parts_total = 1;
	send_raw(p->fd[0], IPC_SEND_RESULT, sizeof(sms), &sms, sizeof(sms));
	expect_bad(p->fd[1]);

	errno = 0;
	assert_int_equal(ipc_send(p->fd[0], IPC_PING, tok, sizeof(tok)), -1);
	assert_int_equal(errno, EINVAL);
}

static void
test_unterminated(void **state)
{
	struct pair			*p = *state;
	static struct ipc_sms_in	 sms;
	static struct ipc_send		 snd;
	struct ipc_modem_state		 st;
	struct ipc_status_report	 rep;

	memset(&st, 0, sizeof(st));
	st.status = MODEM_FAILED;
	memset(st.detail, 'x', sizeof(st.detail));
	send_raw(p->fd[0], IPC_MODEM_STATE, sizeof(st), &st, sizeof(st));
	expect_bad(p->fd[1]);
	errno = 0;
	assert_int_equal(ipc_send(p->fd[0], IPC_MODEM_STATE, &st, sizeof(st)),
	    -1);
	assert_int_equal(errno, EINVAL);

	memset(&sms, 0, sizeof(sms));
	sms.parts = sms.parts_total = 1;
	sms.concat_ref = -1;
	sms.sms_class = -1;
	memset(sms.sender, '7', sizeof(sms.sender));
	send_raw(p->fd[0], IPC_SMS_IN, sizeof(sms), &sms, sizeof(sms));
	expect_bad(p->fd[1]);
	sms.sender[0] = '\0';
	memset(sms.text, 'a', sizeof(sms.text));
	send_raw(p->fd[0], IPC_SMS_IN, sizeof(sms), &sms, sizeof(sms));
	expect_bad(p->fd[1]);

	memset(&snd, 0, sizeof(snd));
	snd.outbox_id = 1;
	memset(snd.to, '4', sizeof(snd.to));
	send_raw(p->fd[0], IPC_SEND, sizeof(snd), &snd, sizeof(snd));
	expect_bad(p->fd[1]);

	memset(&rep, 0, sizeof(rep));
	memset(rep.recipient, '4', sizeof(rep.recipient));
	send_raw(p->fd[0], IPC_STATUS_REPORT, sizeof(rep), &rep, sizeof(rep));
	expect_bad(p->fd[1]);
}

static void
test_unknown_type(void **state)
{
	struct pair		*p = *state;
	struct ipc_token	 tok = { 1 };

	send_raw(p->fd[0], 0, sizeof(tok), &tok, sizeof(tok));
	expect_bad(p->fd[1]);
	send_raw(p->fd[0], IPC_PONG + 1, sizeof(tok), &tok, sizeof(tok));
	expect_bad(p->fd[1]);
	send_raw(p->fd[0], 0xffffffffu, 0, NULL, 0);
	expect_bad(p->fd[1]);

	errno = 0;
	assert_int_equal(ipc_send(p->fd[0], (enum ipc_type)99, &tok,
	    sizeof(tok)), -1);
	assert_int_equal(errno, EINVAL);
}

/* Enums and flags out of range are refused as well as bad lengths. */
static void
test_ranges(void **state)
{
	struct pair			*p = *state;
	static struct ipc_sms_in	 sms;
	struct ipc_hdr			 hdr;
	struct ipc_modem_state		 st;
	struct ipc_send_result		 res;

	memset(&st, 0, sizeof(st));
	st.status = MODEM_PIN_WRONG + 1;
	send_raw(p->fd[0], IPC_MODEM_STATE, sizeof(st), &st, sizeof(st));
	expect_bad(p->fd[1]);

	memset(&res, 0, sizeof(res));
	res.ok = 2;
	send_raw(p->fd[0], IPC_SEND_RESULT, sizeof(res), &res, sizeof(res));
	expect_bad(p->fd[1]);

	memset(&sms, 0, sizeof(sms));
	hdr.type = IPC_SMS_IN;
	hdr.len = sizeof(sms);
	sms.concat_ref = -1;
	sms.sms_class = -1;
	sms.parts = sms.parts_total = 1;
	assert_true(ipc_check(&hdr, &sms));
	sms.parts = 3;
	sms.parts_total = 2;
	assert_false(ipc_check(&hdr, &sms));
	sms.parts = 0;
	assert_false(ipc_check(&hdr, &sms));
	sms.parts = sms.parts_total = 1;
	sms.binary = 2;
	assert_false(ipc_check(&hdr, &sms));
	sms.binary = 1;
	sms.sms_class = 4;
	assert_false(ipc_check(&hdr, &sms));
	sms.sms_class = 0;
	sms.concat_ref = 0x10000;
	assert_false(ipc_check(&hdr, &sms));
	sms.concat_ref = 0xffff;
	assert_true(ipc_check(&hdr, &sms));
}

static void
test_peer_closed(void **state)
{
	struct pair		*p = *state;
	static union payload	 buf;
	struct ipc_hdr		 hdr;
	struct ipc_token	 tok = { 9 };

	/* What was sent before the close still arrives, then the end. */
	assert_int_equal(ipc_send(p->fd[0], IPC_PONG, &tok, sizeof(tok)), 0);
	close(p->fd[0]);
	p->fd[0] = -1;
	assert_int_equal(ipc_recv(p->fd[1], &hdr, &buf), 1);
	assert_int_equal(buf.token.token, 9);
	assert_int_equal(ipc_recv(p->fd[1], &hdr, &buf), 0);

	/* Sending to a closed peer fails with EPIPE and no SIGPIPE. */
	errno = 0;
	assert_int_equal(ipc_send(p->fd[1], IPC_PING, &tok, sizeof(tok)), -1);
	assert_int_equal(errno, EPIPE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip_all, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oversize, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_length, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unterminated, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unknown_type, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_ranges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_peer_closed, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
