/*
 * pnr.h — Swedish personal identity numbers in free text.
 *
 * Personnummer and samordningsnummer (day + 60) are recognised in the forms
 * YYMMDD-NNNN, YYMMDD+NNNN, YYMMDDNNNN, YYMMDD NNNN and the same with a
 * four-digit year (YYYYMMDD…), not touching other digits on either side, with
 * a real calendar date and a valid check digit (Luhn over YYMMDDNNN).
 * Anything that passes is treated as a patient identifier: jourd refuses to
 * page it and masks it before storage. A phone number that happens to pass is
 * refused too — the safe side of the mistake.
 */
#ifndef JOURD_PNR_H
#define JOURD_PNR_H

#include "common.h"

/* True when the ten digits YYMMDDNNNN (no separator) form a valid number. */
bool pnr_check10(const char digits[10]);

/*
 * Finds the first identity number in text. Returns true and sets *off and
 * *len to its byte span (separator included) when one is found.
 */
bool pnr_find(const char *text, size_t *off, size_t *len);

/* As pnr_find, over at most n bytes of text (stopping at a NUL). */
bool pnr_find_n(const char *text, size_t n, size_t *off, size_t *len);

/*
 * Copies text to out with every digit of every identity number replaced by
 * 'X' (separators kept), truncating at outsz - 1 bytes on a UTF-8 boundary.
 * Returns how many numbers were masked.
 */
int pnr_mask(const char *text, char *out, size_t outsz);

#endif
