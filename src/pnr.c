/*
 * pnr.c — Swedish personal identity numbers in free text.
 *
 * The text is read as maximal runs of ASCII digits, so "not touching other
 * digits" holds by construction: a number is one run of 10 or 12 digits, or
 * runs joined by short runs of separators where year, month, day and the
 * last four meet. Text is scanned after text_clean(), which has made every
 * digit, space and dash ASCII and every run of white space one space.
 */
#include <string.h>

#include "pnr.h"
#include "text.h"

static bool
pnr_is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int
pnr_num2(const char *d)
{
	return (d[0] - '0') * 10 + (d[1] - '0');
}

/* Days in month m (1..12); year < 0 is an unknown century: 29 in February. */
static int
pnr_days_in_month(int year, int m)
{
	static const int	days[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m != 2)
		return days[m - 1];
	if (year < 0)
		return 29;
	if ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0)
		return 29;
	return 28;
}

/* The Luhn sum of YYMMDDNNN with weights 2,1,2,…, plus the check digit. */
static bool
pnr_luhn(const char d[10])
{
	int	i, v, sum = 0;

	for (i = 0; i < 10; i++) {
		v = d[i] - '0';
		if (i < 9 && i % 2 == 0) {
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
	}
	return sum % 10 == 0;
}

/* Date and check digit of YYMMDDNNNC; year is the full year or -1. */
static bool
pnr_check(const char d[10], int year)
{
	int	i, month, day;

	for (i = 0; i < 10; i++)
		if (!pnr_is_digit((unsigned char)d[i]))
			return false;
	month = pnr_num2(d + 2);
	day = pnr_num2(d + 4);
	if (month < 1 || month > 12)
		return false;
	/* A samordningsnummer has 60 added to the day of birth. */
	if (day > 60)
		day -= 60;
	if (day < 1 || day > pnr_days_in_month(year, month))
		return false;
	return pnr_luhn(d);
}

bool
pnr_check10(const char digits[10])
{
	if (digits == NULL)
		return false;
	return pnr_check(digits, -1);
}

/* Checks the century of a twelve-digit form and the ten digits after it. */
static bool
pnr_check12(const char *d)
{
	int	century = pnr_num2(d);

	if (century < 18 || century > 20)
		return false;
	return pnr_check(d + 2, century * 100 + pnr_num2(d + 2));
}

/* Length of the digit run at s, at most end - s. */
static size_t
pnr_run(const unsigned char *s, const unsigned char *end)
{
	const unsigned char	*p = s;

	while (p < end && pnr_is_digit(*p))
		p++;
	return (size_t)(p - s);
}

/* Separators people put inside a number: "811218 - 9876", "81.12.18/9876". */
static bool
pnr_is_sep(unsigned char c)
{
	return c == ' ' || c == '-' || c == '+' || c == '/' || c == '.' ||
	    c == '_';
}

/* The longest run of separators between two groups of digits. */
#define PNR_SEP_MAX	3

/*
 * Where groups of digits may meet in a number: after the (century and) year,
 * the month and the day, as bits of the count of digits before the meeting.
 * "81 12 18-9876" and "1981-12-18 9876" are numbers; "070-174 06 05" (a
 * phone number) is not, whatever its digits.
 */
#define PNR_JOINS10	((1u << 2) | (1u << 4) | (1u << 6))
#define PNR_JOINS12	((1u << 2) | (1u << 4) | (1u << 6) | (1u << 8))

/*
 * Tries the groups of digits from p on (p starts a maximal digit run): one
 * group, or several joined by short runs of separators, holding 10 or 12
 * digits that meet only where PNR_JOINS allows and form a valid number.
 * Returns the length matched (first digit to last), or 0.
 */
static size_t
pnr_groups(const unsigned char *p, const unsigned char *end)
{
	const unsigned char	*q = p, *s;
	char			 d[12];
	unsigned int		 joins = 0;
	size_t			 total = 0, r;

	for (;;) {
		r = pnr_run(q, end);
		if (total + r > sizeof(d))
			return 0;
		memcpy(d + total, q, r);
		total += r;
		q += r;
		if (total == 10 && (joins & ~PNR_JOINS10) == 0 &&
		    pnr_check(d, -1))
			return (size_t)(q - p);
		if (total == 12 && (joins & ~PNR_JOINS12) == 0 &&
		    pnr_check12(d))
			return (size_t)(q - p);
		for (s = q; s < end && pnr_is_sep(*s) && s - q <= PNR_SEP_MAX; s++)
			;
		if (s == q || s - q > PNR_SEP_MAX || s >= end ||
		    !pnr_is_digit(*s))
			return 0;
		joins |= 1u << total;
		q = s;
	}
}

/*
 * Finds the first number in the n bytes at text (which hold no NUL) from
 * byte start on; start must not be inside a digit run. Every maximal digit
 * run is tried as the start of a number, so a number is found after other
 * digits too ("tel 070 811218-9876").
 */
static bool
pnr_scan(const char *text, size_t n, size_t start, size_t *off, size_t *len)
{
	const unsigned char	*base = (const unsigned char *)text;
	const unsigned char	*end = base + n, *p;
	size_t			 r;

	for (p = base + start; p < end; p += r) {
		if ((r = pnr_run(p, end)) == 0) {
			r = 1;
			continue;
		}
		if ((*len = pnr_groups(p, end)) > 0) {
			*off = (size_t)(p - base);
			return true;
		}
	}
	return false;
}

bool
pnr_find_n(const char *text, size_t n, size_t *off, size_t *len)
{
	size_t	o, l;

	if (text == NULL)
		return false;
	if (!pnr_scan(text, strnlen(text, n), 0, &o, &l))
		return false;
	if (off != NULL)
		*off = o;
	if (len != NULL)
		*len = l;
	return true;
}

bool
pnr_find(const char *text, size_t *off, size_t *len)
{
	return pnr_find_n(text, SIZE_MAX, off, len);
}

int
pnr_mask(const char *text, char *out, size_t outsz)
{
	size_t	n, tlen, pos = 0, off, len, i;
	int	count = 0;

	if (text == NULL) {
		if (outsz > 0)
			out[0] = '\0';
		return 0;
	}
	n = text_copy(out, outsz, text);
	tlen = strlen(text);
	while (pnr_scan(text, tlen, pos, &off, &len)) {
		for (i = off; i < off + len && i < n; i++)
			if (pnr_is_digit((unsigned char)out[i]))
				out[i] = 'X';
		count++;
		pos = off + len;
	}
	return count;
}
