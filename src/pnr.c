/*
 * pnr.c — Swedish personal identity numbers in free text.
 *
 * The text is read as maximal runs of ASCII digits, so "not touching other
 * digits" holds by construction: a run of 10 or 12 digits, or a run of 6
 * or 8 digits, one separator ('-', '+' or a space) and a run of exactly 4.
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

/*
 * Finds the first number in the n bytes at text (which hold no NUL) from
 * byte start on; start must not be inside a digit run.
 */
/*
 * The date of birth written as a date, "1912-12-12-1212" or "12-12-12+1212":
 * r digits (2 or 4) at p, then "-MM-DD", '-' or '+' and four digits.
 * Fills d with the 12 or 10 digits and returns the length matched, or 0.
 */
static size_t
pnr_scan_date(const unsigned char *p, const unsigned char *end, size_t r,
    char d[12])
{
	const unsigned char	*q = p + r;
	size_t			 o = r;
	int			 i;

	if ((r != 2 && r != 4) || end - q < 11)
		return 0;
	memcpy(d, p, r);
	for (i = 0; i < 2; i++, q += 3, o += 2) {
		if (q[0] != '-' || pnr_run(q + 1, end) != 2)
			return 0;
		memcpy(d + o, q + 1, 2);
	}
	/* Not a space: "2024-05-03 1430" is a date and a time. */
	if ((*q != '-' && *q != '+') || pnr_run(q + 1, end) != 4)
		return 0;
	memcpy(d + o, q + 1, 4);
	return (size_t)(q + 5 - p);
}

static bool
pnr_scan(const char *text, size_t n, size_t start, size_t *off, size_t *len)
{
	const unsigned char	*base = (const unsigned char *)text;
	const unsigned char	*end, *p, *q;
	size_t			 r, r2;
	char			 d[12];

	end = base + n;
	for (p = base + start; p < end; p += r) {
		r = pnr_run(p, end);
		if (r == 0) {
			r = 1;
			continue;
		}
		if ((r == 10 && pnr_check((const char *)p, -1)) ||
		    (r == 12 && pnr_check12((const char *)p))) {
			*off = (size_t)(p - base);
			*len = r;
			return true;
		}
		if ((r2 = pnr_scan_date(p, end, r, d)) > 0 &&
		    ((r == 2 && pnr_check(d, -1)) || (r == 4 && pnr_check12(d)))) {
			*off = (size_t)(p - base);
			*len = r2;
			return true;
		}
		if (r != 6 && r != 8)
			continue;
		q = p + r;
		if (q + 1 >= end || (*q != '-' && *q != '+' && *q != ' '))
			continue;
		r2 = pnr_run(q + 1, end);
		if (r2 != 4)
			continue;
		memcpy(d, p, r);
		memcpy(d + r, q + 1, 4);
		if ((r == 6 && pnr_check(d, -1)) || (r == 8 && pnr_check12(d))) {
			*off = (size_t)(p - base);
			*len = r + 5;
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
