/*
 * inject.h — deliver an SMS to Gammu's dummy phone, as a phone would hold it.
 *
 * For `jourctl inject FROM TEXT`, demos and tests. The dummy phone is a
 * directory; its inbox is <device>/sms/1, one Gammu SMS-backup file per
 * stored part, named 1..10000. A long text is split the way a sender's phone
 * splits it (7-bit when every character is in the GSM default alphabet, UCS-2
 * otherwise) and every part is written as its own file, so the worker has to
 * link the parts as it would on a SIM. Each file is written under a temporary
 * name and then linked to the first free number: the worker never reads a
 * half-written file and nothing is overwritten.
 */
#ifndef JOURD_INJECT_H
#define JOURD_INJECT_H

#include "common.h"

struct inject_opts {
	bool		flash;		/* class 0 ("flash") SMS */
	bool		binary;		/* 8-bit data: the bytes of text, at most 140 */
	int		drop_part;	/* leave out part k (1-based) of a multipart; 0 none */
	jtime_t		smsc_time;	/* SMSC time stamp in ms; 0 = now */
	bool		fix_ref;	/* a multipart text takes ref below … */
	int		ref;		/* … (0..255), not libGammu's clock-based one */
};

/*
 * Writes an SMS from `from` (a number or an alphanumeric sender) with the
 * UTF-8 text into the dummy phone at device, creating <device>/sms/1 when
 * missing. opts may be NULL. Returns 0, or -1 with a message in err (then
 * no part file is left behind).
 */
int	inject_sms(const char *device, const char *from, const char *text,
	    const struct inject_opts *opts, char *err, size_t errsz);

/*
 * Writes a delivery report for the message with reference msg_ref that was
 * sent to recipient (the dummy phone keeps no delivery status: it always
 * reads back as delivered). Returns 0, or -1 with a message in err.
 */
int	inject_status_report(const char *device, const char *recipient,
	    int msg_ref, char *err, size_t errsz);

/*
 * Number of part files waiting in <device>/sms/1 (names 1..10000), 0 when
 * the directory does not exist yet, -1 when it cannot be read.
 */
int	inject_pending(const char *device);

#endif
