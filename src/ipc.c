/*
 * ipc.c — length-checked messages between the parent and the modem worker.
 *
 * One message is one SOCK_SEQPACKET datagram: the header and the payload go
 * out in a single send, so a reader never sees half a message. The receiver
 * trusts nothing: the datagram must be exactly header + the size its type
 * demands, every string must end inside its field and every enum and flag
 * must be in range.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "ipc.h"

/* Every payload, for aligned copies and for sizing the receive buffer. */
union ipc_payload {
	struct ipc_modem_state		state;
	struct ipc_sms_in		sms;
	struct ipc_token		token;
	struct ipc_send			send;
	struct ipc_send_result		result;
	struct ipc_status_report	report;
	struct ipc_call			call;
	struct ipc_page			page;
	struct ipc_pager_status		pager;
	unsigned char			raw[IPC_MAX_PAYLOAD];
};

_Static_assert(sizeof(union ipc_payload) == IPC_MAX_PAYLOAD,
    "IPC_MAX_PAYLOAD must be the largest payload");

/* A header and the largest payload, plus one byte to notice an oversize one. */
union ipc_frame {
	struct {
		struct ipc_hdr		hdr;
		union ipc_payload	payload;
	}			msg;
	unsigned char		raw[sizeof(struct ipc_hdr) +
				    IPC_MAX_PAYLOAD + 1];
};

/* True when the char array field of size sz holds a NUL. */
static bool
ipc_terminated(const char *field, size_t sz)
{
	return memchr(field, '\0', sz) != NULL;
}

/* True when field holds a pager call address: 1 to 16 digits. */
static bool
ipc_pager_address(const char *field, size_t sz)
{
	size_t	i;

	for (i = 0; i < sz && field[i] != '\0'; i++)
		if (field[i] < '0' || field[i] > '9')
			return false;
	return i > 0 && i < sz;
}

/* The payload size a message type demands, or 0 for an unknown type. */
static size_t
ipc_size(uint32_t type)
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
	case IPC_CALL:
		return sizeof(struct ipc_call);
	case IPC_PAGE:
		return sizeof(struct ipc_page);
	case IPC_PAGER_STATUS:
		return sizeof(struct ipc_pager_status);
	default:
		return 0;
	}
}

static bool
ipc_check_sms_in(const struct ipc_sms_in *m)
{
	if (!ipc_terminated(m->sender, sizeof(m->sender)) ||
	    !ipc_terminated(m->text, sizeof(m->text)))
		return false;
	/* UDH references are 8 or 16 bits; a message has at most 255 parts. */
	if (m->concat_ref < -1 || m->concat_ref > 0xffff)
		return false;
	if (m->parts < 1 || m->parts > m->parts_total || m->parts_total > 255)
		return false;
	if (m->sms_class < -1 || m->sms_class > 3)
		return false;
	if (m->binary != 0 && m->binary != 1)
		return false;
	return true;
}

bool
ipc_check(const struct ipc_hdr *hdr, const void *payload)
{
	union ipc_payload	p;
	size_t			want;

	if ((want = ipc_size(hdr->type)) == 0 || hdr->len != want)
		return false;
	/* Copied so that a caller's buffer need not be aligned. */
	memcpy(&p, payload, want);

	switch (hdr->type) {
	case IPC_MODEM_STATE:
		return p.state.status <= MODEM_PIN_WRONG &&
		    ipc_terminated(p.state.detail, sizeof(p.state.detail));
	case IPC_SMS_IN:
		return ipc_check_sms_in(&p.sms);
	case IPC_SEND:
		return p.send.outbox_id > 0 &&
		    ipc_terminated(p.send.to, sizeof(p.send.to)) &&
		    ipc_terminated(p.send.text, sizeof(p.send.text));
	case IPC_SEND_RESULT:
		return (p.result.ok == 0 || p.result.ok == 1) &&
		    p.result.parts >= 0 && p.result.msg_ref >= -1 &&
		    ipc_terminated(p.result.error, sizeof(p.result.error));
	case IPC_STATUS_REPORT:
		return (p.report.delivered == 0 || p.report.delivered == 1) &&
		    ipc_terminated(p.report.recipient,
		    sizeof(p.report.recipient));
	case IPC_CALL:
		return p.call.outbox_id > 0 && p.call.ring_ms > 0 &&
		    p.call.ring_ms <= 10 * JT_MINUTE &&
		    ipc_terminated(p.call.to, sizeof(p.call.to));
	case IPC_PAGE:
		return p.page.outbox_id > 0 && p.page.priority >= 1 &&
		    p.page.priority <= 9 &&
		    ipc_pager_address(p.page.address, sizeof(p.page.address)) &&
		    ipc_terminated(p.page.text, sizeof(p.page.text));
	case IPC_PAGER_STATUS:
		return p.pager.status >= 0 && p.pager.status <= 9 &&
		    ipc_pager_address(p.pager.address,
		    sizeof(p.pager.address));
	default:
		/* The token messages: any value is a valid token. */
		return true;
	}
}

int
ipc_send(int fd, enum ipc_type type, const void *payload, size_t len)
{
	union ipc_frame	f;
	size_t		total = sizeof(struct ipc_hdr) + len;
	ssize_t		n;

	if (len > IPC_MAX_PAYLOAD) {
		errno = EMSGSIZE;
		return -1;
	}
	memset(&f.msg.hdr, 0, sizeof(f.msg.hdr));
	f.msg.hdr.type = (uint32_t)type;
	f.msg.hdr.len = (uint32_t)len;
	if (len > 0)
		memcpy(&f.msg.payload, payload, len);
	/* What we send must pass what the other side checks. */
	if (!ipc_check(&f.msg.hdr, &f.msg.payload)) {
		errno = EINVAL;
		return -1;
	}
	do {
		n = send(fd, f.raw, total, MSG_NOSIGNAL);
	} while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	if ((size_t)n != total) {
		/* A SEQPACKET send is all or nothing; anything else is broken. */
		errno = EIO;
		return -1;
	}
	return 0;
}

int
ipc_recv(int fd, struct ipc_hdr *hdr, void *buf)
{
	union ipc_frame	f;
	struct iovec	iov;
	struct msghdr	msg;
	ssize_t		n;

	memset(&msg, 0, sizeof(msg));
	iov.iov_base = f.raw;
	iov.iov_len = sizeof(f.raw);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	do {
		n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
	} while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	if (n == 0)
		return 0;
	if ((msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0 ||
	    (size_t)n < sizeof(struct ipc_hdr) ||
	    (size_t)n > sizeof(struct ipc_hdr) + IPC_MAX_PAYLOAD ||
	    f.msg.hdr.len != (size_t)n - sizeof(struct ipc_hdr) ||
	    !ipc_check(&f.msg.hdr, &f.msg.payload)) {
		errno = EBADMSG;
		return -1;
	}
	*hdr = f.msg.hdr;
	memcpy(buf, &f.msg.payload, f.msg.hdr.len);
	return 1;
}
