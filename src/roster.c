/*
 * roster.c — who holds a role at a given moment, chosen from the shifts the
 * shell loaded. Pure.
 */
#include <string.h>

#include "roster.h"

/* True when a should be preferred over b: override, later start, higher id. */
static bool
roster_better(const struct shift *a, const struct shift *b)
{
	if (a->override != b->override)
		return a->override;
	if (a->start != b->start)
		return a->start > b->start;
	return a->id > b->id;
}

const struct shift *
roster_pick(const struct shift *shifts, size_t n, const char *role,
    jtime_t now)
{
	const struct shift	*best = NULL, *s;
	size_t			 i;

	if (shifts == NULL || role == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		s = &shifts[i];
		if (strncmp(s->role, role, sizeof(s->role)) != 0)
			continue;
		if (now < s->start || now >= s->end)
			continue;
		if (best == NULL || roster_better(s, best))
			best = s;
	}
	return best;
}
