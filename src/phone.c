/*
 * phone.c — telephone numbers: what people type to E.164.
 *
 * A Swedish national significant number (NSN, the digits after +46 or after
 * the trunk 0) has 6 to 9 digits: 08-123 45 is the shortest landline form,
 * 070-174 06 05 a mobile. Foreign numbers are accepted only with "+" or
 * "00" and are kept as E.164 allows (7 to 15 digits).
 */
#include <stdio.h>
#include <string.h>

#include "phone.h"

#define PHONE_SE_NSN_MIN	6
#define PHONE_SE_NSN_MAX	9
#define PHONE_INTL_MIN		7
#define PHONE_INTL_MAX		15
/* Room for "00" + 15 digits and some slack; more is never a number. */
#define PHONE_RAW_MAX		20

static bool
phone_is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool
phone_is_separator(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '-' || c == '.' || c == '/';
}

/* Letters, or any non-ASCII byte: senders like "Telia" or "Vårdcentral". */
static bool
phone_has_letters(const unsigned char *s)
{
	for (; *s != '\0'; s++) {
		if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    *s >= 0x80)
			return true;
	}
	return false;
}

/* Writes "+46" and a Swedish NSN (a stray trunk 0 dropped) if it is one. */
static enum phone_result
phone_swedish(const char *nsn, size_t n, char out[PHONE_MAX])
{
	if (n > 0 && nsn[0] == '0') {
		nsn++;
		n--;
	}
	/* No Swedish NSN starts with 0: "+46 (0)00…" is a typing error. */
	if (n < PHONE_SE_NSN_MIN || n > PHONE_SE_NSN_MAX || nsn[0] == '0')
		return PHONE_INVALID;
	snprintf(out, PHONE_MAX, "+46%.*s", (int)n, nsn);
	return PHONE_OK;
}

/* Writes an international number given as its digits after "+" or "00". */
static enum phone_result
phone_international(const char *d, size_t n, char out[PHONE_MAX])
{
	if (n == 0 || d[0] == '0')
		return PHONE_INVALID;
	if (n >= 2 && d[0] == '4' && d[1] == '6')
		return phone_swedish(d + 2, n - 2, out);
	if (n < PHONE_INTL_MIN || n > PHONE_INTL_MAX)
		return PHONE_INVALID;
	snprintf(out, PHONE_MAX, "+%.*s", (int)n, d);
	return PHONE_OK;
}

enum phone_result
phone_normalise(const char *in, char out[PHONE_MAX])
{
	const unsigned char	*s;
	char			 d[PHONE_RAW_MAX + 1];
	size_t			 nd = 0;
	bool			 plus = false, paren0 = false, intl;

	out[0] = '\0';
	if (in == NULL)
		return PHONE_INVALID;
	s = (const unsigned char *)in;
	if (phone_has_letters(s))
		return PHONE_ALPHA;

	for (; *s != '\0'; s++) {
		if (phone_is_digit(*s)) {
			if (nd >= PHONE_RAW_MAX)
				return PHONE_INVALID;
			d[nd++] = (char)*s;
		} else if (*s == '+') {
			if (plus || nd > 0)
				return PHONE_INVALID;
			plus = true;
		} else if (*s == '(') {
			/* Only "+46 (0)70…": the trunk 0 written after a country code. */
			intl = plus || (nd > 2 && d[0] == '0' && d[1] == '0');
			if (s[1] != '0' || s[2] != ')' || paren0 || !intl ||
			    nd == 0)
				return PHONE_INVALID;
			paren0 = true;
			s += 2;
		} else if (!phone_is_separator(*s))
			return PHONE_INVALID;
	}
	d[nd] = '\0';

	if (plus)
		return phone_international(d, nd, out);
	if (nd >= 3 && nd <= 5)
		return PHONE_SHORT;
	if (nd >= 2 && d[0] == '0' && d[1] == '0')
		return phone_international(d + 2, nd - 2, out);
	if (nd >= 1 && d[0] == '0')
		return phone_swedish(d + 1, nd - 1, out);
	/* Some SMSCs deliver Swedish senders as "46701740605", without "+". */
	if ((nd == 11 || nd == 12) && d[0] == '4' && d[1] == '6')
		return phone_international(d, nd, out);
	return PHONE_INVALID;
}

char *
phone_display(const char *e164, char *out, size_t outsz)
{
	const char	*nsn;
	size_t		 n, i;

	if (outsz == 0)
		return out;
	if (e164 == NULL) {
		out[0] = '\0';
		return out;
	}
	if (strncmp(e164, "+46", 3) != 0) {
		snprintf(out, outsz, "%s", e164);
		return out;
	}
	nsn = e164 + 3;
	n = strnlen(nsn, PHONE_MAX);
	for (i = 0; i < n; i++) {
		if (!phone_is_digit((unsigned char)nsn[i])) {
			snprintf(out, outsz, "%s", e164);
			return out;
		}
	}
	if (n == 9 && nsn[0] == '7')
		snprintf(out, outsz, "0%.2s-%.3s %.2s %.2s", nsn, nsn + 2,
		    nsn + 5, nsn + 7);
	else
		snprintf(out, outsz, "0%s", nsn);
	return out;
}
