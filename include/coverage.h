/*
 * coverage.h — the roster's gaps ahead: which role of which unit nobody
 * holds while a track could page it (DESIGN §12).
 *
 * The pure part takes the spans of time a role must be held (the tracks'
 * open hours, a health centre's own hours for pv) and the shifts of that
 * role, and returns the uncovered parts; no I/O, no clock. coverage_find()
 * is its shell over the directory and the roster, shared by jourd's daily
 * check and jourctl. Spans are half-open [from, to), in ms.
 */
#ifndef JOURD_COVERAGE_H
#define JOURD_COVERAGE_H

#include "common.h"
#include "calendar.h"
#include "config.h"
#include "db.h"
#include "roster.h"

/* Disjoint spans of a horizon of at most 365 days: two a day are plenty
 * (an opening, and a night that ends in the next day). */
#define COVERAGE_SPANS_MAX	1024
/* The most shifts of one role of one unit read for one check. */
#define COVERAGE_SHIFTS_MAX	16384
/* The longest horizon, in days ([daemon] coverage_days). */
#define COVERAGE_DAYS_MAX	365

struct coverage_span {
	jtime_t	from;		/* inclusive */
	jtime_t	to;		/* exclusive */
};

/* When a role must be held: sorted, disjoint, not touching. */
struct coverage_need {
	struct coverage_span	s[COVERAGE_SPANS_MAX];
	size_t			n;
};

struct coverage_gap {
	char	unit[UNIT_MAX];
	char	role[ROLE_MAX];
	jtime_t	from;
	jtime_t	to;
};

/* Empties a need. */
void	coverage_need_init(struct coverage_need *n);

/*
 * Adds [from, to) to n, merged with the spans it overlaps or touches.
 * 0, or -1 when n is full (n is then unchanged).
 */
int	coverage_need_add(struct coverage_need *n, jtime_t from, jtime_t to);

/*
 * Adds to n the parts of [from, to) at which rule is open, and, when
 * within is not NULL, within is open too (a health centre's own hours).
 * 0, or -1 when n is full.
 */
int	coverage_need_open(struct coverage_need *n, const struct calendar *cal,
	    const struct open_rule *rule, const struct open_rule *within,
	    jtime_t from, jtime_t to);

/*
 * The parts of need that none of the n shifts covers (any shift covers,
 * roster or override; the caller passes one role's), in time order. Two
 * gaps separated only by time that is not needed (a night between two
 * weekday openings) are one gap. Writes at most max gaps to out (unit and
 * role left empty) and returns how many there are.
 */
size_t	coverage_gaps(const struct shift *shifts, size_t n,
	    const struct coverage_need *need, struct coverage_gap *out,
	    size_t max);

/* "YYYY-MM-DD HH:MM" in Stockholm time, for the gap's texts. */
char	*coverage_local(jtime_t t, char *buf, size_t sz);

/*
 * The gaps of every unit a track can page (specialties for akut, halvakut
 * and mdk; health centres within their own hours and the after_hours unit
 * for pv), for every role of the escalations that reach it, from now for
 * days days. A role a unit has never had a shift for is one it does not
 * use (a small specialty without a chief) and is not a gap; a unit with no
 * shift at all is uncovered in every role. Writes at most max gaps to out
 * and their number to *ngaps. 0, or -1 when the database could not be
 * read (logged).
 */
int	coverage_find(struct db *db, const struct config *cf,
	    const struct calendar *cal, jtime_t now, int days,
	    struct coverage_gap *out, size_t max, size_t *ngaps);

#endif
