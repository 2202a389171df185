/*
 * phone.h — telephone numbers: what people type to E.164.
 *
 * Pure functions. Swedish forms are accepted ("070-174 06 05", "0046 70…",
 * "+46 (0)70 …", "46701740605" as sent by some SMSCs); other countries only
 * with a leading "+" or "00".
 */
#ifndef JOURD_PHONE_H
#define JOURD_PHONE_H

#include "common.h"

enum phone_result {
	PHONE_OK,	/* out holds an E.164 number */
	PHONE_ALPHA,	/* has letters: an alphanumeric sender, never answered */
	PHONE_SHORT,	/* too few digits: an operator short code, never answered */
	PHONE_INVALID	/* anything else that is not a dialable number */
};

/*
 * Normalises a typed or received number into E.164 ("+46701740605").
 * Separators allowed: space, '-', '.', '/', and "(0)" after a country code.
 * out must hold PHONE_MAX bytes; it is "" unless PHONE_OK is returned.
 */
enum phone_result phone_normalise(const char *in, char out[PHONE_MAX]);

/*
 * Formats an E.164 number for a Swedish reader: "+46701740605" becomes
 * "070-174 06 05"; foreign numbers are returned unchanged. Returns out.
 */
char *phone_display(const char *e164, char *out, size_t outsz);

#endif
