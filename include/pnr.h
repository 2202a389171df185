/*
 * pnr.h — Swedish personal identity numbers in free text.
 *
 * Personnummer and samordningsnummer (day + 60) are recognised written as
 * ten or twelve digits (YYMMDDNNNN, YYYYMMDDNNNN), not touching other digits
 * on either side, whole or in groups joined by up to three separators
 * (space, '-', '+', '/', '.', '_') where the (century,) year, month, day and
 * last four meet: 811218-9876, 811218 - 9876, 81 12 18-9876,
 * 1981-12-18 9876, 19811218/9876. The date must be real and the check digit
 * valid (Luhn over YYMMDDNNN). Anything that passes is treated as a patient
 * identifier: jourd refuses to page it and masks it before storage. A phone
 * number that happens to pass is refused too — the safe side of the mistake;
 * one written in groups (070-174 06 05) or with +46 never does.
 *
 * The scan reads ASCII: run it on text_clean()'s output, where digits of
 * every script, every space and every dash are already ASCII.
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
