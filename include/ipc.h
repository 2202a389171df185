/*
 * ipc.h — messages between the parent and the modem worker.
 *
 * Each message is a fixed header followed by a payload of exactly the size
 * its type demands, over a SOCK_SEQPACKET socketpair (one message per
 * datagram, so framing cannot slip). Nothing received is trusted: the
 * receiver checks the type, the exact length and that every string is
 * NUL-terminated inside its field (ipc_check).
 */
#ifndef JOURD_IPC_H
#define JOURD_IPC_H

#include "common.h"

enum ipc_type {
	IPC_MODEM_STATE = 1,	/* worker → parent: struct ipc_modem_state */
	IPC_SMS_IN,		/* worker → parent: struct ipc_sms_in */
	IPC_SMS_COMMITTED,	/* parent → worker: struct ipc_token — delete it */
	IPC_SMS_RETRY,		/* parent → worker: struct ipc_token — keep it */
	IPC_SEND,		/* parent → worker: struct ipc_send */
	IPC_SEND_RESULT,	/* worker → parent: struct ipc_send_result */
	IPC_STATUS_REPORT,	/* worker → parent: struct ipc_status_report */
	IPC_PING,		/* parent → worker: struct ipc_token — liveness */
	IPC_PONG,		/* worker → parent: struct ipc_token */
	IPC_CALL,		/* parent → modem worker: struct ipc_call */
	IPC_PAGE,		/* parent → pager worker: struct ipc_page */
	IPC_PAGER_STATUS	/* pager worker → parent: struct ipc_pager_status */
};

struct ipc_hdr {
	uint32_t	type;
	uint32_t	len;		/* payload bytes after the header */
};

enum modem_status {
	MODEM_CONNECTING,
	MODEM_READY,
	MODEM_FAILED,		/* connect or I/O failure; worker retries */
	MODEM_PIN_WRONG		/* never retried: it would lock the SIM */
};

struct ipc_modem_state {
	uint32_t	status;		/* enum modem_status */
	char		detail[128];	/* model, or the error text */
};

/* One inbound message, its parts linked. */
struct ipc_sms_in {
	uint32_t	token;		/* the worker's handle for deletion */
	int64_t		smsc_time;	/* ms, from the SMSC time stamp */
	char		sender[48];	/* as received, may be alphanumeric */
	int32_t		concat_ref;	/* -1 for a single part */
	int32_t		parts;		/* parts received */
	int32_t		parts_total;	/* parts announced (= parts when whole) */
	int32_t		sms_class;	/* -1, or 0 for a flash SMS */
	int32_t		binary;		/* 8-bit data: no text */
	char		text[SMS_TEXT_MAX];	/* UTF-8 */
};

struct ipc_token {
	uint32_t	token;
};

struct ipc_send {
	int64_t		outbox_id;
	char		to[PHONE_MAX];
	char		text[SMS_TEXT_MAX];	/* UTF-8 */
};

struct ipc_send_result {
	int64_t		outbox_id;
	int32_t		ok;
	int32_t		parts;
	int32_t		msg_ref;	/* reference of the last part, -1 */
	char		error[128];
};

struct ipc_status_report {
	char		recipient[48];
	int32_t		msg_ref;
	int32_t		delivered;	/* 1 delivered, 0 failed */
	int64_t		at;		/* ms */
};

/*
 * A wake-up call: dial to, ring ring_ms (or until the callee rejects), hang
 * up, then answer IPC_SEND_RESULT (ok once the call was placed). The dummy
 * driver answers ok at once without ringing.
 */
struct ipc_call {
	int64_t		outbox_id;
	char		to[PHONE_MAX];
	int64_t		ring_ms;
};

/*
 * One page to the hospital paging system: answered IPC_SEND_RESULT (ok once
 * the system ACKed the block). text is UTF-8 of at most 128 characters;
 * the worker encodes it as [pager] charset says.
 */
struct ipc_page {
	int64_t		outbox_id;
	char		address[PAGER_ADDR_MAX];	/* 1 to 16 digits */
	int32_t		priority;	/* 1 akut, 3 otherwise */
	char		text[512];
};

/* Status of a call address the paging system reported (record 7). */
enum pager_status {
	PAGER_PAGED = 3,
	PAGER_ABSENT = 4,
	PAGER_ACKNOWLEDGED = 6,
	PAGER_FAULT = 8
};

struct ipc_pager_status {
	char		address[PAGER_ADDR_MAX];
	int32_t		status;		/* enum pager_status, or as received */
};

#define IPC_MAX_PAYLOAD sizeof(struct ipc_sms_in)

/*
 * Sends one message. Returns 0, or -1 with errno set (EPIPE when the other
 * side is gone). Blocks only as long as the socket buffer is full.
 */
int ipc_send(int fd, enum ipc_type type, const void *payload, size_t len);

/*
 * Receives one message into *hdr and buf (IPC_MAX_PAYLOAD bytes). Returns 1
 * on a valid message, 0 when the peer closed, -1 on error or on a message
 * that fails ipc_check (errno EBADMSG), which the caller treats as fatal for
 * the connection.
 */
int ipc_recv(int fd, struct ipc_hdr *hdr, void *buf);

/* True when the payload has the size its type requires and its strings end. */
bool ipc_check(const struct ipc_hdr *hdr, const void *payload);

#endif
