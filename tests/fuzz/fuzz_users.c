/*
 * fuzz_users.c — the users file reader must end on any input, never read
 * out of bounds, and hand out only names and hashes it would accept.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "users.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct users	 u;
	char			 err[256], why[160];
	char			*copy;
	int			 i;

	/* An exact-size copy lets the sanitizer catch a read past the end. */
	if ((copy = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	if (users_parse("f", copy, size, &u, err, sizeof err) == 0) {
		if (u.n < 0 || u.n > USERS_MAX)
			abort();
		for (i = 0; i < u.n; i++)
			if (!users_name_ok(u.u[i].name) ||
			    users_hash_ok(u.u[i].hash, why, sizeof why) != 0)
				abort();
	} else if (strncmp(err, "f:", 2) != 0)
		abort();
	free(copy);
	return 0;
}
