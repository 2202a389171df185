/*
 * espa.c — ESPA 4.4.4, the serial protocol of the hospital paging system.
 *
 * The builders write into the caller's buffer and refuse rather than cut:
 * half a block on the line is worse than none. The parser is one explicit
 * state machine driven by espa_feed(); its only memory is the struct the
 * caller owns, bounded by ESPA_BLOCK_MAX, so a paging system that sends
 * noise, endless blocks or endless ENQs costs nothing but results.
 */
#include <string.h>
#include <strings.h>

#include "espa.h"
#include "text.h"

static bool
espa_is_addr(char c)
{
	return c >= '0' && c <= '9';
}

/* True for a byte that may stand in a page text on the line. */
static bool
espa_is_text_byte(uint8_t c)
{
	return c >= 0x20 && c != 0x7F && (c < 0x80 || c > 0x9F);
}

uint8_t
espa_bcc(const uint8_t *p, size_t len)
{
	uint8_t	x = 0;

	while (len-- > 0)
		x ^= *p++;
	return x;
}

bool
espa_call_valid(const char *s)
{
	size_t	n;

	if (s == NULL)
		return false;
	for (n = 0; s[n] != '\0'; n++)
		if (n >= ESPA_CALL_MAX || s[n] < '0' || s[n] > '9')
			return false;
	return n > 0;
}

size_t
espa_build_call(uint8_t *buf, size_t bufsz, char addr)
{
	if (!espa_is_addr(addr) || bufsz < 3)
		return 0;
	buf[0] = ESPA_EOT;
	buf[1] = (uint8_t)addr;
	buf[2] = ESPA_ENQ;
	return 3;
}

size_t
espa_build_select(uint8_t *buf, size_t bufsz, char own, char system)
{
	if (!espa_is_addr(own) || !espa_is_addr(system) || own == system ||
	    bufsz < 5)
		return 0;
	buf[0] = ESPA_EOT;
	buf[1] = (uint8_t)own;
	buf[2] = ESPA_ENQ;
	buf[3] = (uint8_t)system;
	buf[4] = ESPA_ENQ;
	return 5;
}

size_t
espa_build_ack(uint8_t *buf, size_t bufsz)
{
	if (bufsz < 1)
		return 0;
	buf[0] = ESPA_ACK;
	return 1;
}

size_t
espa_build_eot(uint8_t *buf, size_t bufsz)
{
	if (bufsz < 1)
		return 0;
	buf[0] = ESPA_EOT;
	return 1;
}

/* Appends len bytes at *n, which the caller has checked fit. */
static void
espa_put(uint8_t *buf, size_t *n, const void *p, size_t len)
{
	const uint8_t	*s = p;
	size_t		 i;

	for (i = 0; i < len; i++)
		buf[(*n)++] = s[i];
}

size_t
espa_build_page(uint8_t *buf, size_t bufsz, const char *call,
    const uint8_t *text, size_t textlen, int priority)
{
	static const uint8_t	 head[] = { ESPA_SOH, '1', ESPA_STX, '1',
	    ESPA_US };
	static const uint8_t	 rec2[] = { ESPA_RS, '2', ESPA_US };
	static const uint8_t	 rec4[] = { ESPA_RS, '4', ESPA_US, '3' };
	uint8_t			 rec6[] = { ESPA_RS, '6', ESPA_US, '0',
	    ESPA_ETX };
	size_t			 calllen, need, n = 0, i;

	if (!espa_call_valid(call) || text == NULL || textlen == 0 ||
	    textlen > ESPA_TEXT_MAX || priority < 1 || priority > 9)
		return 0;
	for (i = 0; i < textlen; i++)
		if (!espa_is_text_byte(text[i]))
			return 0;
	calllen = strlen(call);
	need = sizeof(head) + calllen + sizeof(rec2) + textlen +
	    sizeof(rec4) + sizeof(rec6) + 1;
	if (bufsz < need)
		return 0;
	rec6[3] = (uint8_t)('0' + priority);
	espa_put(buf, &n, head, sizeof(head));
	espa_put(buf, &n, call, calllen);
	espa_put(buf, &n, rec2, sizeof(rec2));
	espa_put(buf, &n, text, textlen);
	espa_put(buf, &n, rec4, sizeof(rec4));
	espa_put(buf, &n, rec6, sizeof(rec6));
	buf[n] = espa_bcc(buf + 1, n - 1);
	return n + 1;
}

/*
 * The pager byte for one decoded code point; raw/rawlen are its UTF-8
 * bytes, which text_fold_n() reads for the ASCII folding.
 */
static uint8_t
espa_encode_cp(uint32_t cp, const char *raw, size_t rawlen,
    enum espa_charset cs)
{
	char	folded[4];

	if (cp == TEXT_BAD)
		return '?';
	/* Control characters would break the framing or the display. */
	if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) ||
	    cp == 0x2028 || cp == 0x2029)
		return ' ';
	if (cp < 0x7F)
		return (uint8_t)cp;
	switch (cp) {
	case 0x2018: case 0x2019: case 0x201A: case 0x201B: case 0x2032:
		return '\'';
	case 0x201C: case 0x201D: case 0x201E: case 0x201F: case 0x2033:
		return '"';
	case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014:
	case 0x2015: case 0x2212:
		return '-';
	}
	if (cs == ESPA_LATIN1)
		return cp <= 0xFF ? (uint8_t)cp : '?';
	if (cp == 0xA0)
		return ' ';
	if (cp < 0xC0 || cp > 0xFF)
		return '?';
	text_fold_n(raw, rawlen, folded, sizeof(folded));
	if (folded[0] < 'A' || folded[0] > 'Z')
		return '?';
	/* U+00E0..U+00FF are lower case, but for the sign ÷. */
	if (cp >= 0xE0 && cp != 0xF7)
		return (uint8_t)(folded[0] - 'A' + 'a');
	return (uint8_t)folded[0];
}

size_t
espa_encode(uint8_t *out, size_t outsz, const char *in, size_t len,
    enum espa_charset cs, bool *cut)
{
	const unsigned char	*s = (const unsigned char *)in;
	size_t			 max, pos = 0, n = 0, k;
	uint32_t		 cp;

	max = outsz < ESPA_TEXT_MAX ? outsz : ESPA_TEXT_MAX;
	if (in == NULL)
		len = 0;
	while (pos < len && n < max) {
		k = text_decode(s + pos, len - pos, &cp);
		out[n++] = espa_encode_cp(cp, in + pos, k, cs);
		pos += k;
	}
	if (cut != NULL)
		*cut = pos < len;
	return n;
}

size_t
espa_cut(const char *s, size_t len, size_t chars)
{
	size_t		pos = 0;
	uint32_t	cp;

	if (s == NULL)
		return 0;
	while (pos < len && chars-- > 0)
		pos += text_decode((const unsigned char *)s + pos, len - pos,
		    &cp);
	return pos;
}

bool
espa_charset_fits(enum espa_charset cs, int data_bits)
{
	return cs == ESPA_ASCII || data_bits == 8;
}

/* --- the parser ------------------------------------------------------- */

void
espa_init(struct espa_parser *p)
{
	p->state = ESPA_S_IDLE;
	p->prefix = -1;
	p->len = 0;
	p->bcc = 0;
	p->enqs = 0;
	p->run = false;
	p->dropped = 0;
}

void
espa_asked(struct espa_parser *p)
{
	p->enqs = 0;
}

/*
 * Finishes a result: ENQs in a row become a storm past ESPA_ENQ_STORM,
 * and anything the paging system says in the protocol ends a run of
 * garbage and of ENQs.
 */
static void
espa_result(struct espa_parser *p, struct espa_event *ev,
    enum espa_result type, int digit)
{
	ev->type = type;
	ev->digit = digit;
	if (type == ESPA_R_ENQ) {
		if (p->enqs < ESPA_ENQ_STORM + 1)
			p->enqs++;
		if (p->enqs > ESPA_ENQ_STORM)
			ev->type = ESPA_R_ENQ_STORM;
	} else if (type != ESPA_R_GARBAGE)
		p->enqs = 0;
	p->run = type == ESPA_R_GARBAGE;
}

/* Counts n dropped bytes; true when they start a run, to be reported once. */
static bool
espa_garbage(struct espa_parser *p, struct espa_event *ev, size_t n)
{
	p->dropped += n;
	if (p->run)
		return false;
	espa_result(p, ev, ESPA_R_GARBAGE, -1);
	return true;
}

/*
 * Reads the records of a status block (the bytes between SOH and ETX,
 * BCC already checked) into ev: header 2, STX, then records "<id> US
 * <data>" between RS, with a call address (1) and a status (7) exactly
 * once each; other records are skipped.
 */
static bool
espa_read_status(const uint8_t *b, size_t len, struct espa_event *ev)
{
	size_t	pos, end, dlen, i;
	bool	have_call = false, have_code = false;
	int	code;

	if (len < 2 || b[0] != '2' || b[1] != ESPA_STX)
		return false;
	for (pos = 2; pos <= len; pos = end + 1) {
		for (end = pos; end < len && b[end] != ESPA_RS; end++)
			;
		if (end - pos < 2 || !espa_is_addr((char)b[pos]) ||
		    b[pos + 1] != ESPA_US)
			return false;
		dlen = end - pos - 2;
		for (i = pos + 2; i < end; i++)
			if (b[i] == ESPA_US || b[i] == ESPA_STX)
				return false;
		if (b[pos] == '1') {
			if (have_call || dlen < 1 || dlen > ESPA_CALL_MAX)
				return false;
			for (i = 0; i < dlen; i++) {
				if (!espa_is_addr((char)b[pos + 2 + i]))
					return false;
				ev->call[i] = (char)b[pos + 2 + i];
			}
			ev->call[dlen] = '\0';
			have_call = true;
		} else if (b[pos] == '7') {
			if (have_code || dlen < 1 || dlen > 3)
				return false;
			for (code = 0, i = 0; i < dlen; i++) {
				if (!espa_is_addr((char)b[pos + 2 + i]))
					return false;
				code = code * 10 + (b[pos + 2 + i] - '0');
			}
			ev->code = code;
			have_code = true;
		}
	}
	if (!have_call || !have_code)
		return false;
	switch (ev->code) {
	case ESPA_ST_PAGED:
	case ESPA_ST_ABSENT:
	case ESPA_ST_ACKED:
	case ESPA_ST_FAULT:
		ev->status = (enum espa_status)ev->code;
		break;
	default:
		ev->status = ESPA_ST_UNKNOWN;
		break;
	}
	return true;
}

/* True for the bytes that end an over-long block's junk: a new start. */
static bool
espa_is_resync(uint8_t c)
{
	return c == ESPA_SOH || c == ESPA_EOT || c == ESPA_ENQ ||
	    c == ESPA_ACK || c == ESPA_NAK;
}

size_t
espa_feed(struct espa_parser *p, const uint8_t *buf, size_t len,
    struct espa_event *ev)
{
	size_t	i = 0;
	uint8_t	c;

	ev->type = ESPA_R_NONE;
	ev->digit = -1;
	ev->call[0] = '\0';
	ev->code = 0;
	ev->status = ESPA_ST_UNKNOWN;

	while (i < len) {
		c = buf[i];
		switch (p->state) {
		case ESPA_S_IDLE:
			i++;
			switch (c) {
			case ESPA_SOH:
				p->state = ESPA_S_BLOCK;
				p->len = 0;
				p->bcc = 0;
				continue;
			case ESPA_ACK:
				espa_result(p, ev, ESPA_R_ACK, -1);
				return i;
			case ESPA_NAK:
				espa_result(p, ev, ESPA_R_NAK, -1);
				return i;
			case ESPA_EOT:
				espa_result(p, ev, ESPA_R_EOT, -1);
				return i;
			case ESPA_ENQ:
				espa_result(p, ev, ESPA_R_ENQ, -1);
				return i;
			}
			if (espa_is_addr((char)c)) {
				p->prefix = c - '0';
				p->state = ESPA_S_PREFIX;
				continue;
			}
			if (espa_garbage(p, ev, 1))
				return i;
			continue;

		case ESPA_S_PREFIX:
			p->state = ESPA_S_IDLE;
			if (c == ESPA_ENQ || c == ESPA_NAK || c == ESPA_ACK) {
				espa_result(p, ev, c == ESPA_ENQ ? ESPA_R_ENQ :
				    c == ESPA_NAK ? ESPA_R_NAK : ESPA_R_ACK,
				    c == ESPA_ACK ? -1 : p->prefix);
				return i + 1;
			}
			/* A lone digit; c is read afresh from IDLE. */
			if (espa_garbage(p, ev, 1))
				return i;
			continue;

		case ESPA_S_BLOCK:
			if (c == ESPA_ETX) {
				p->bcc ^= c;
				p->state = ESPA_S_BCC;
				i++;
				continue;
			}
			if (c < 0x20 && c != ESPA_STX && c != ESPA_US &&
			    c != ESPA_RS) {
				/* A broken block; c starts what comes next. */
				p->state = ESPA_S_IDLE;
				if (espa_garbage(p, ev, p->len + 1))
					return i;
				continue;
			}
			i++;
			if (p->len == ESPA_BLOCK_MAX) {
				p->state = ESPA_S_SKIP;
				p->dropped += p->len + 2;
				espa_result(p, ev, ESPA_R_TOO_LONG, -1);
				return i;
			}
			p->block[p->len++] = c;
			p->bcc ^= c;
			continue;

		case ESPA_S_BCC:
			i++;
			p->state = ESPA_S_IDLE;
			if (c != p->bcc) {
				p->dropped += p->len + 3;
				espa_result(p, ev, ESPA_R_BAD_BCC, -1);
			} else if (espa_read_status(p->block, p->len, ev))
				espa_result(p, ev, ESPA_R_STATUS, -1);
			else {
				p->dropped += p->len + 3;
				ev->call[0] = '\0';
				ev->code = 0;
				espa_result(p, ev, ESPA_R_BAD_BLOCK, -1);
			}
			return i;

		case ESPA_S_SKIP:
			if (espa_is_resync(c)) {
				p->state = ESPA_S_IDLE;
				continue;
			}
			i++;
			p->dropped++;
			if (c == ESPA_ETX)
				p->state = ESPA_S_SKIP_BCC;
			continue;

		case ESPA_S_SKIP_BCC:
			i++;
			p->dropped++;
			p->state = ESPA_S_IDLE;
			continue;
		}
	}
	return i;
}

const char *
espa_result_name(enum espa_result r)
{
	static const char *const	names[] = {
		[ESPA_R_NONE] = "none",
		[ESPA_R_ACK] = "ack",
		[ESPA_R_NAK] = "nak",
		[ESPA_R_EOT] = "eot",
		[ESPA_R_ENQ] = "enq",
		[ESPA_R_STATUS] = "status",
		[ESPA_R_BAD_BCC] = "bad_bcc",
		[ESPA_R_BAD_BLOCK] = "bad_block",
		[ESPA_R_TOO_LONG] = "too_long",
		[ESPA_R_GARBAGE] = "garbage",
		[ESPA_R_ENQ_STORM] = "enq_storm",
	};

	if ((unsigned)r >= nitems(names) || names[r] == NULL)
		return "?";
	return names[r];
}

const char *
espa_status_name(enum espa_status s)
{
	switch (s) {
	case ESPA_ST_PAGED:
		return "paged";
	case ESPA_ST_ABSENT:
		return "absent";
	case ESPA_ST_ACKED:
		return "acknowledged";
	case ESPA_ST_FAULT:
		return "fault";
	case ESPA_ST_UNKNOWN:
		break;
	}
	return "unknown";
}

/* --- the serial line ------------------------------------------------------ */

int
espa_line_make(long baud, const char *parity, int data_bits,
    struct espa_line *line, const char **why)
{
	static const struct {
		long	baud;
		speed_t	speed;
	} rates[] = {
		{ 1200, B1200 }, { 2400, B2400 }, { 4800, B4800 },
		{ 9600, B9600 }, { 19200, B19200 }, { 38400, B38400 },
		{ 57600, B57600 }, { 115200, B115200 },
	};
	size_t	i;

	for (i = 0; i < nitems(rates); i++)
		if (rates[i].baud == baud)
			break;
	if (i == nitems(rates)) {
		if (why != NULL)
			*why = "baud must be 1200, 2400, 4800, 9600, 19200, "
			    "38400, 57600 or 115200";
		return -1;
	}
	line->speed = rates[i].speed;
	if (data_bits != 7 && data_bits != 8) {
		if (why != NULL)
			*why = "data_bits must be 7 or 8";
		return -1;
	}
	line->cflag = data_bits == 7 ? CS7 : CS8;
	line->iflag = 0;
	if (parity != NULL && strcasecmp(parity, "none") == 0)
		return 0;
	if (parity != NULL && strcasecmp(parity, "even") == 0)
		line->cflag |= PARENB;
	else if (parity != NULL && strcasecmp(parity, "odd") == 0)
		line->cflag |= PARENB | PARODD;
	else {
		if (why != NULL)
			*why = "parity must be even, odd or none";
		return -1;
	}
	/* Check parity on input: a corrupt byte then breaks its block. */
	line->iflag = INPCK;
	return 0;
}
