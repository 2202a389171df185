/*
 * users.c — the web console's users file and its password check. A hash
 * that a stolen file would give up in an afternoon (DES, MD5, plain text)
 * is refused at start rather than used.
 */
#include <crypt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "users.h"

/* The length of the hash proper, after the last '$'. */
#define USERS_SHA512_LEN	86
#define USERS_YESCRYPT_LEN	43

/* The characters of crypt(3)'s base 64 and of its parameters. */
static bool
users_hash_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '/' || c == '$' ||
	    c == '=' || c == ',';
}

bool
users_name_ok(const char *name)
{
	size_t	i;

	for (i = 0; name[i] != '\0'; i++)
		if (name[i] <= ' ' || name[i] > '~' || name[i] == ':')
			return false;
	return i > 0 && i < USER_NAME_MAX;
}

int
users_hash_ok(const char *hash, char *why, size_t whysz)
{
	const char	*last;
	size_t		 i, want, fields = 0, need;

	if (strncmp(hash, "$y$", 3) == 0) {
		want = USERS_YESCRYPT_LEN;
		need = 4;
	} else if (strncmp(hash, "$6$", 3) == 0) {
		want = USERS_SHA512_LEN;
		need = 3;
	} else {
		snprintf(why, whysz, "not a yescrypt ($y$) or SHA-512 crypt "
		    "($6$) hash (a plain password or a weak hash is refused; "
		    "jourctl user add writes one)");
		return -1;
	}
	for (i = 0; hash[i] != '\0'; i++) {
		if (!users_hash_char(hash[i])) {
			snprintf(why, whysz, "character %zu of the hash is not "
			    "one crypt(3) writes", i + 1);
			return -1;
		}
		fields += hash[i] == '$';
	}
	last = strrchr(hash, '$');
	/* $6$[rounds=N$]salt$hash, $y$params$salt$hash */
	if (i >= USER_HASH_MAX || fields < need || strlen(last + 1) != want ||
	    last[-1] == '$') {
		snprintf(why, whysz, "the hash is cut short or malformed");
		return -1;
	}
	return 0;
}

/* One line of the file, without its newline; 0 or -1 (in err). */
static int
users_line(const char *name, int line, const char *s, size_t len,
    struct users *u, char *err, size_t errsz)
{
	const char	*colon;
	struct user	*e;
	char		 why[160];
	int		 i;

	if (len > 0 && s[len - 1] == '\r')
		len--;
	if (len == 0 || s[0] == '#')
		return 0;
	if (len >= USERS_LINE_MAX) {
		snprintf(err, errsz, "%s:%d: line too long", name, line);
		return -1;
	}
	if ((colon = memchr(s, ':', len)) == NULL) {
		snprintf(err, errsz, "%s:%d: no ':' (lines are name:hash)",
		    name, line);
		return -1;
	}
	if (colon == s) {
		snprintf(err, errsz, "%s:%d: empty user name", name, line);
		return -1;
	}
	if (u->n == USERS_MAX) {
		snprintf(err, errsz, "%s:%d: more than %d users", name, line,
		    USERS_MAX);
		return -1;
	}
	e = &u->u[u->n];
	if ((size_t)(colon - s) >= sizeof e->name ||
	    len - (size_t)(colon - s) - 1 >= sizeof e->hash) {
		snprintf(err, errsz, "%s:%d: name or hash too long", name, line);
		return -1;
	}
	memcpy(e->name, s, (size_t)(colon - s));
	e->name[colon - s] = '\0';
	memcpy(e->hash, colon + 1, len - (size_t)(colon - s) - 1);
	e->hash[len - (size_t)(colon - s) - 1] = '\0';
	if (!users_name_ok(e->name)) {
		snprintf(err, errsz, "%s:%d: bad user name (printable, no "
		    "blank, no ':')", name, line);
		return -1;
	}
	if (users_hash_ok(e->hash, why, sizeof why) == -1) {
		snprintf(err, errsz, "%s:%d: user %s: %s", name, line, e->name,
		    why);
		return -1;
	}
	for (i = 0; i < u->n; i++)
		if (strcmp(u->u[i].name, e->name) == 0) {
			snprintf(err, errsz, "%s:%d: user %s: listed twice "
			    "(first at line %d)", name, line, e->name,
			    u->u[i].line);
			return -1;
		}
	e->line = line;
	u->n++;
	return 0;
}

int
users_parse(const char *name, const char *text, size_t len, struct users *u,
    char *err, size_t errsz)
{
	const char	*nl;
	size_t		 pos = 0, n;
	int		 line = 0;

	memset(u, 0, sizeof *u);
	if (memchr(text, '\0', len) != NULL) {
		snprintf(err, errsz, "%s: holds a NUL byte: not a users file",
		    name);
		return -1;
	}
	while (pos < len) {
		line++;
		nl = memchr(text + pos, '\n', len - pos);
		n = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;
		if (users_line(name, line, text + pos, n, u, err, errsz) == -1)
			return -1;
		pos += n + (nl != NULL);
	}
	return 0;
}

int
users_load(const char *path, struct users *u, char *err, size_t errsz)
{
	static char	 buf[USERS_MAX * USERS_LINE_MAX * 2];
	FILE		*fp;
	size_t		 len;
	int		 bad;

	if ((fp = fopen(path, "re")) == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	len = fread(buf, 1, sizeof buf, fp);
	bad = ferror(fp);
	if (!bad && len == sizeof buf && fgetc(fp) != EOF) {
		fclose(fp);
		snprintf(err, errsz, "%s: too large for a users file", path);
		return -1;
	}
	fclose(fp);
	if (bad) {
		snprintf(err, errsz, "%s: read error", path);
		return -1;
	}
	return users_parse(path, buf, len, u, err, errsz);
}

/* Compares without leaking where two strings first differ. */
static bool
users_same(const char *a, const char *b)
{
	size_t		 la = strlen(a), lb = strlen(b), i;
	unsigned char	 d = la != lb;

	for (i = 0; i < la && i < lb; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

bool
users_check(const struct users *u, const char *name, const char *password)
{
	static struct crypt_data	 cd;
	/* An unknown user costs the same crypt(3) as a known one. */
	static const char dummy[] = "$6$c8AL09z.CoxB4qhh$vanqex6DQGcLWZFfsp"
	    "FPgrcNSyh7YvByddvFrQvXI2bDMmghEFYQNgzuFaCkCn6aiMTGMkFmLqMdp1.zwJ"
	    "Xhv0";
	const char	*hash = dummy, *out;
	int		 i, found = 0;

	for (i = 0; i < u->n; i++)
		if (strcmp(u->u[i].name, name) == 0) {
			hash = u->u[i].hash;
			found = 1;
		}
	memset(&cd, 0, sizeof cd);
	out = crypt_rn(password, hash, &cd, sizeof cd);
	return found && out != NULL && out[0] != '*' && users_same(out, hash);
}

int
users_hash_new(const char *password, char *hash, size_t sz)
{
	static struct crypt_data	 cd;
	char				 salt[CRYPT_GENSALT_OUTPUT_SIZE];
	const char			*out;

	if (crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof salt) == NULL)
		return -1;
	memset(&cd, 0, sizeof cd);
	if ((out = crypt_rn(password, salt, &cd, sizeof cd)) == NULL ||
	    out[0] == '*' || strlen(out) >= sz)
		return -1;
	memcpy(hash, out, strlen(out) + 1);
	return 0;
}
