/*
 * users.h — the web console's users file ([http] users): one
 * "name:crypt-hash" line per user, "#" comments and blank lines allowed.
 * Only yescrypt ($y$) and SHA-512 crypt ($6$) hashes are accepted: a plain
 * password or a weak hash stops the load with "FILE:LINE: …".
 *
 * A struct users is plain data with no pointers.
 */
#ifndef JOURD_USERS_H
#define JOURD_USERS_H

#include <stdbool.h>
#include <stddef.h>

#define USERS_MAX	64
#define USER_NAME_MAX	64	/* with the NUL */
#define USER_HASH_MAX	256	/* with the NUL */
#define USERS_LINE_MAX	512	/* the longest line read */

struct users {
	int	n;
	struct user {
		char	name[USER_NAME_MAX];
		char	hash[USER_HASH_MAX];
		int	line;		/* in the file */
	} u[USERS_MAX];
};

/*
 * Reads the first len bytes of text (name is the file for messages) into
 * u. 0, or -1 with "name:line: what is wrong" in err.
 */
int	users_parse(const char *name, const char *text, size_t len,
	    struct users *u, char *err, size_t errsz);

/* As users_parse over the file path (at most USERS_MAX lines' worth). */
int	users_load(const char *path, struct users *u, char *err, size_t errsz);

/* A user name: 1..63 printable ASCII characters, no ':' and no blank. */
bool	users_name_ok(const char *name);

/* Whether hash is a complete yescrypt or SHA-512 crypt hash; 0 or -1 with
 * the reason in why. */
int	users_hash_ok(const char *hash, char *why, size_t whysz);

/* Whether name is in u and password matches its hash (crypt(3)). */
bool	users_check(const struct users *u, const char *name,
	    const char *password);

/* A new yescrypt hash of password with a random salt into hash; 0 or -1. */
int	users_hash_new(const char *password, char *hash, size_t sz);

#endif
