/*
 * espa.h — ESPA 4.4.4, the serial protocol of the hospital paging system.
 *
 * jourd is the control station (address '1' by default), the paging system
 * the other station ('2'). The framing is ISO 1745 basic mode:
 *
 *   page    jourd:  EOT 1 ENQ 2 ENQ                       (select)
 *           system: ACK
 *           jourd:  SOH 1 STX 1 US <call> RS 2 US <text> RS 4 US 3
 *                   RS 6 US <priority> ETX <BCC>
 *           system: ACK   (or [digit] NAK, or nothing: jourd repeats)
 *           jourd:  EOT
 *   poll    jourd:  EOT 2 ENQ
 *           system: EOT   (nothing to report)  or  1 ENQ
 *           jourd:  ACK
 *           system: SOH 2 STX 1 US <call> RS 7 US <status> ETX <BCC>
 *           jourd:  ACK
 *           system: EOT
 *
 * The BCC is the XOR of every byte after SOH up to and including ETX. A
 * digit right before NAK is the reason ISO 1745 allows as a prefix (1 is a
 * transmission error: corrupt characters or a bad BCC).
 *
 * Pure functions over caller-owned buffers: no I/O, no clock, no
 * allocation. The builders write what jourd sends; the parser recognises
 * what the paging system sends, fed in any split of the byte stream.
 */
#ifndef JOURD_ESPA_H
#define JOURD_ESPA_H

#include <termios.h>

#include "common.h"

/* Transmission control and separator characters. */
#define ESPA_SOH	0x01
#define ESPA_STX	0x02
#define ESPA_ETX	0x03
#define ESPA_EOT	0x04
#define ESPA_ENQ	0x05
#define ESPA_ACK	0x06
#define ESPA_NAK	0x15
#define ESPA_RS		0x1E
#define ESPA_US		0x1F

/* Characters of a page text on the pager's display, after encoding. */
#define ESPA_TEXT_MAX	128
/* Digits of a call address (the pager's number in the paging system). */
#define ESPA_CALL_MAX	16
/* Bytes between SOH and ETX the parser keeps; a longer block is refused. */
#define ESPA_BLOCK_MAX	256
/* ENQs in a row, with nothing else between them, that make a storm. */
#define ESPA_ENQ_STORM	16
/* A whole page block: SOH, header, records, ETX and BCC. */
#define ESPA_PAGE_MAX	(ESPA_TEXT_MAX + ESPA_CALL_MAX + 32)

/* How a page text is encoded for the pager. */
enum espa_charset {
	ESPA_LATIN1,		/* ISO 8859-1: å ä ö as they are */
	ESPA_ASCII,		/* 7-bit: å ä ö Å Ä Ö é become a a o A A O e */
};

/* --- what jourd sends ------------------------------------------------- */

/*
 * Each builder writes to buf and returns the number of bytes written, or 0
 * when an argument is invalid or bufsz is too small (nothing to send is
 * always an error). Station addresses are the characters '0'..'9'.
 */

/* EOT <addr> ENQ: calls station addr (the poll is a call of the system). */
size_t espa_build_call(uint8_t *buf, size_t bufsz, char addr);

/* EOT <own> ENQ <system> ENQ: jourd selects the paging system to page. */
size_t espa_build_select(uint8_t *buf, size_t bufsz, char own, char system);

/* One ACK, and one EOT (ends jourd's turn on the line). */
size_t espa_build_ack(uint8_t *buf, size_t bufsz);
size_t espa_build_eot(uint8_t *buf, size_t bufsz);

/*
 * The page block for call address call (1..ESPA_CALL_MAX digits, NUL
 * terminated), the already encoded text (1..ESPA_TEXT_MAX bytes from
 * espa_encode(), no control characters) and priority 1..9, with its BCC.
 * bufsz of ESPA_PAGE_MAX is always enough.
 */
size_t espa_build_page(uint8_t *buf, size_t bufsz, const char *call,
    const uint8_t *text, size_t textlen, int priority);

/* XOR of len bytes: the BCC of what follows SOH up to and including ETX. */
uint8_t espa_bcc(const uint8_t *p, size_t len);

/* True when s is a call address: 1..ESPA_CALL_MAX ASCII digits and a NUL. */
bool espa_call_valid(const char *s);

/* --- page texts --------------------------------------------------------- */

/*
 * Encodes at most len bytes of UTF-8 text (a NUL is a control character,
 * not an end) for the pager in charset cs: one byte out for each code point
 * or invalid byte in, at most min(outsz, ESPA_TEXT_MAX) of them. Control
 * characters (C0, DEL, C1, line and paragraph separators) become a space
 * and are never sent; typographic quotes and dashes become ' " -; what
 * the charset cannot show becomes '?'. With ESPA_ASCII, Latin letters with
 * diacritics lose them and keep their case. The output is not
 * NUL-terminated. Returns its length; *cut (when not NULL) says whether
 * the text was longer than what was written.
 */
size_t espa_encode(uint8_t *out, size_t outsz, const char *in, size_t len,
    enum espa_charset cs, bool *cut);

/*
 * The number of bytes of the UTF-8 text s (at most len) that encode to at
 * most chars pager characters, never cutting a UTF-8 sequence: lets a
 * caller shorten the free part of a page and keep what follows it.
 */
size_t espa_cut(const char *s, size_t len, size_t chars);

/* True when charset cs survives a line of data_bits (latin1 needs 8). */
bool espa_charset_fits(enum espa_charset cs, int data_bits);

/* --- what the paging system sends --------------------------------------- */

enum espa_result {
	ESPA_R_NONE,		/* more bytes needed */
	ESPA_R_ACK,		/* ACK (a digit before it is ignored) */
	ESPA_R_NAK,		/* NAK; digit is the reason before it, or -1 */
	ESPA_R_EOT,		/* EOT: the other station ends its turn */
	ESPA_R_ENQ,		/* [addr] ENQ: wants to send; digit: addr */
	ESPA_R_STATUS,		/* a status block with a good BCC */
	ESPA_R_BAD_BCC,		/* a whole block whose BCC does not match */
	ESPA_R_BAD_BLOCK,	/* a good BCC, but no status block */
	ESPA_R_TOO_LONG,	/* longer than ESPA_BLOCK_MAX: skipped */
	ESPA_R_GARBAGE,		/* bytes that fit no sequence (once per run) */
	ESPA_R_ENQ_STORM,	/* ENQ past ESPA_ENQ_STORM in a row */
};
#define ESPA_R_LAST	ESPA_R_ENQ_STORM

/* Call status (record 7) as ESPA numbers it. */
enum espa_status {
	ESPA_ST_UNKNOWN = 0,	/* a code jourd does not know */
	ESPA_ST_PAGED = 3,
	ESPA_ST_ABSENT = 4,
	ESPA_ST_ACKED = 6,
	ESPA_ST_FAULT = 8,
};

/* One thing the paging system said. */
struct espa_event {
	enum espa_result	 type;
	int			 digit;		/* address before ENQ, reason */
						/* before NAK; or -1 */
	/* STATUS: call address, record 7 as sent (0..999), its meaning */
	char			 call[ESPA_CALL_MAX + 1];
	int			 code;
	enum espa_status	 status;
};

/* The parser's states; only espa_feed() moves between them. */
enum espa_state {
	ESPA_S_IDLE,		/* between sequences */
	ESPA_S_PREFIX,		/* a digit: waiting for ENQ, NAK or ACK */
	ESPA_S_BLOCK,		/* after SOH: collecting up to ETX */
	ESPA_S_BCC,		/* after ETX: the next byte is the BCC */
	ESPA_S_SKIP,		/* in an over-long block: dropping up to ETX */
	ESPA_S_SKIP_BCC,	/* after its ETX: drop the BCC */
};

/*
 * The parser: a plain struct the caller owns (zeroed or espa_init()ed);
 * its memory is bounded by ESPA_BLOCK_MAX whatever it is fed.
 */
struct espa_parser {
	enum espa_state	 state;
	int		 prefix;		/* the digit in ESPA_S_PREFIX */
	uint8_t		 block[ESPA_BLOCK_MAX];	/* between SOH and ETX */
	size_t		 len;
	uint8_t		 bcc;
	unsigned	 enqs;			/* ENQs in a row */
	bool		 run;			/* a garbage run is reported */
	uint64_t	 dropped;		/* bytes discarded, ever */
};

void espa_init(struct espa_parser *p);

/*
 * The control station asked something (a poll): the ENQ that answers it is
 * no part of a run of ENQs, so the storm count starts again.
 */
void espa_asked(struct espa_parser *p);

/*
 * Drives the parser over at most len bytes of buf until it has a result or
 * the bytes run out; fills *ev (type ESPA_R_NONE when it needs more) and
 * returns the bytes consumed. A byte that ends a broken sequence and starts
 * the next one is left for the next call (the return is then 0 with a
 * result), so nothing that follows garbage is lost. Callers loop:
 *
 *	while (len > 0) {
 *		n = espa_feed(p, buf, len, &ev);
 *		buf += n, len -= n;
 *		if (ev.type != ESPA_R_NONE)
 *			handle(&ev);
 *	}
 */
size_t espa_feed(struct espa_parser *p, const uint8_t *buf, size_t len,
    struct espa_event *ev);

/* A result's name for logs ("ack", "bad_bcc", …). */
const char *espa_result_name(enum espa_result r);

/* A call status's word for the pager_status event ("paged", "absent", …). */
const char *espa_status_name(enum espa_status s);

/* --- the serial line ------------------------------------------------------ */

/* termios settings for [pager] baud, parity and data_bits. */
struct espa_line {
	speed_t		 speed;		/* for cfsetispeed/cfsetospeed */
	tcflag_t	 cflag;		/* CS7|CS8, PARENB, PARODD */
	tcflag_t	 iflag;		/* INPCK when there is parity */
};
/* The c_cflag bits espa_line sets: clear these before or-ing cflag in. */
#define ESPA_LINE_CFLAGS	(CSIZE | PARENB | PARODD)

/*
 * Checks baud (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200),
 * parity ("even", "odd", "none") and data_bits (7 or 8) and fills *line.
 * Returns 0, or -1 with *why (when not NULL) naming what is wrong.
 */
int espa_line_make(long baud, const char *parity, int data_bits,
    struct espa_line *line, const char **why);

#endif
