/*
 * fuzz_ipc.c — the parent's trust boundary with the modem worker.
 *
 * The input is one raw message, header first. It goes to ipc_check as a
 * header and an exact-size payload, and as a datagram through a real
 * SOCK_SEQPACKET pair to ipc_recv. Whatever is accepted must be what a
 * well-behaved peer sends: a known type, exactly its size, every string
 * ending inside its field, every enum and flag in range (checked here again,
 * from ipc.h, not from ipc.c); and what ipc_send sends, ipc_recv returns
 * unchanged.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int	fuzz_sv[2] = { -1, -1 };

/* The payload size ipc.h gives each type; 0 for none. */
static size_t
fuzz_size(uint32_t type)
{
	switch (type) {
	case IPC_MODEM_STATE:
		return sizeof(struct ipc_modem_state);
	case IPC_SMS_IN:
		return sizeof(struct ipc_sms_in);
	case IPC_SMS_COMMITTED:
	case IPC_SMS_RETRY:
	case IPC_PING:
	case IPC_PONG:
		return sizeof(struct ipc_token);
	case IPC_SEND:
		return sizeof(struct ipc_send);
	case IPC_SEND_RESULT:
		return sizeof(struct ipc_send_result);
	case IPC_STATUS_REPORT:
		return sizeof(struct ipc_status_report);
	default:
		return 0;
	}
}

static void
fuzz_ends(const char *field, size_t sz)
{
	if (memchr(field, '\0', sz) == NULL)
		abort();
}

/* Aborts unless an accepted message is one the receiver can use as it is. */
static void
fuzz_accepted(const struct ipc_hdr *hdr, const void *payload)
{
	union {
		struct ipc_modem_state		state;
		struct ipc_sms_in		sms;
		struct ipc_send			send;
		struct ipc_send_result		result;
		struct ipc_status_report	report;
		struct ipc_token		token;
	}	p;

	if (fuzz_size(hdr->type) == 0 || hdr->len != fuzz_size(hdr->type) ||
	    hdr->len > sizeof(p))
		abort();
	memcpy(&p, payload, hdr->len);
	switch (hdr->type) {
	case IPC_MODEM_STATE:
		if (p.state.status > MODEM_PIN_WRONG)
			abort();
		fuzz_ends(p.state.detail, sizeof(p.state.detail));
		break;
	case IPC_SMS_IN:
		fuzz_ends(p.sms.sender, sizeof(p.sms.sender));
		fuzz_ends(p.sms.text, sizeof(p.sms.text));
		if (p.sms.parts < 1 || p.sms.parts > p.sms.parts_total ||
		    p.sms.parts_total > 255 || p.sms.concat_ref < -1 ||
		    p.sms.concat_ref > 0xffff || p.sms.sms_class < -1 ||
		    p.sms.sms_class > 3 || (p.sms.binary != 0 && p.sms.binary != 1))
			abort();
		break;
	case IPC_SEND:
		fuzz_ends(p.send.to, sizeof(p.send.to));
		fuzz_ends(p.send.text, sizeof(p.send.text));
		if (p.send.outbox_id <= 0)
			abort();
		break;
	case IPC_SEND_RESULT:
		fuzz_ends(p.result.error, sizeof(p.result.error));
		if ((p.result.ok != 0 && p.result.ok != 1) ||
		    p.result.parts < 0 || p.result.msg_ref < -1)
			abort();
		break;
	case IPC_STATUS_REPORT:
		fuzz_ends(p.report.recipient, sizeof(p.report.recipient));
		if (p.report.delivered != 0 && p.report.delivered != 1)
			abort();
		break;
	default:
		break;		/* a token: any value */
	}
}

/* ipc_check on the input's header and the bytes after it, then a round trip. */
static void
fuzz_check(const uint8_t *data, size_t size)
{
	static unsigned char	 back[IPC_MAX_PAYLOAD];
	struct ipc_hdr		 hdr, got;
	unsigned char		*payload;
	size_t			 plen = size - sizeof(hdr);

	memcpy(&hdr, data, sizeof(hdr));
	/* ipc_check's contract: the payload holds hdr.len bytes. */
	if (hdr.len > plen)
		hdr.len = (uint32_t)plen;
	/* Exactly plen bytes, so that reading past them is caught. */
	if ((payload = malloc(plen ? plen : 1)) == NULL)
		return;
	memcpy(payload, data + sizeof(hdr), plen);

	if (ipc_check(&hdr, payload)) {
		fuzz_accepted(&hdr, payload);
		if (ipc_send(fuzz_sv[0], (enum ipc_type)hdr.type, payload,
		    hdr.len) == -1)
			abort();
		memset(&got, 0, sizeof(got));
		if (ipc_recv(fuzz_sv[1], &got, back) != 1 ||
		    got.type != hdr.type || got.len != hdr.len ||
		    memcmp(back, payload, hdr.len) != 0)
			abort();
	} else if (ipc_send(fuzz_sv[0], (enum ipc_type)hdr.type, payload,
	    hdr.len) != -1)
		abort();	/* a sender never sends what fails the check */
	free(payload);
}

/* The whole input as one datagram from a hostile worker. */
static void
fuzz_recv(const uint8_t *data, size_t size)
{
	static unsigned char	buf[IPC_MAX_PAYLOAD];
	struct ipc_hdr		hdr;
	int			rc;

	/* An empty datagram reads as end of file: nothing to check. */
	if (size == 0)
		return;
	if (send(fuzz_sv[0], data, size, MSG_NOSIGNAL) != (ssize_t)size)
		return;
	memset(&hdr, 0, sizeof(hdr));
	errno = 0;
	rc = ipc_recv(fuzz_sv[1], &hdr, buf);
	if (rc == 1) {
		if (size != sizeof(hdr) + hdr.len ||
		    memcmp(&hdr, data, sizeof(hdr)) != 0 ||
		    memcmp(buf, data + sizeof(hdr), hdr.len) != 0)
			abort();
		fuzz_accepted(&hdr, buf);
	} else if (rc != -1 || errno != EBADMSG)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (fuzz_sv[0] == -1 &&
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fuzz_sv) == -1)
		abort();
	if (size >= sizeof(struct ipc_hdr))
		fuzz_check(data, size);
	fuzz_recv(data, size);
	return 0;
}
