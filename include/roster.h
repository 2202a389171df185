/*
 * roster.h — who holds a role of a unit at a given moment. Pure.
 *
 * The shell loads the shifts of one unit that cover `now` from the database
 * and asks roster_pick(). An override (from JOUR or jourctl) beats the
 * roster for its period; among equals the shift that started last wins, so a
 * later entry covering an overlap takes precedence, deterministically.
 */
#ifndef JOURD_ROSTER_H
#define JOURD_ROSTER_H

#include "common.h"

struct shift {
	char	unit[UNIT_MAX];
	char	role[ROLE_MAX];
	char	phone[PHONE_MAX];
	jtime_t	start;		/* inclusive */
	jtime_t	end;		/* exclusive */
	bool	override;
	int64_t	id;		/* ties broken by the higher id */
};

/* The shift holding role at now among n shifts, or NULL when nobody does. */
const struct shift *roster_pick(const struct shift *shifts, size_t n,
    const char *role, jtime_t now);

#endif
