/*
 * ctl_user.c — jourctl user add: a user of the web console, with a
 * yescrypt hash of a password read without echo, written into the users
 * file ([http] users) atomically, so that jourd never reads half a file.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "ctl.h"
#include "text.h"
#include "users.h"

#define USER_PASSWORD_MAX	256
/* The largest users file read: far above USERS_MAX lines. */
#define USER_FILE_MAX		(256 * 1024)

/* One line of the terminal or of stdin, without its newline; -1 at EOF. */
static int
user_read_line(FILE *fp, char *buf, size_t sz)
{
	size_t	n;

	if (fgets(buf, (int)sz, fp) == NULL)
		return -1;
	n = strcspn(buf, "\r\n");
	if (buf[n] == '\0' && n == sz - 1) {
		ctl_warnx("password too long (at most %d bytes)",
		    USER_PASSWORD_MAX - 2);
		return -1;
	}
	buf[n] = '\0';
	return 0;
}

/*
 * The password: twice from the terminal with echo off, or one line of
 * stdin when it is not a terminal (scripts, tests). 0 or -1.
 */
static int
user_password(const char *name, char *pw, size_t sz)
{
	struct termios	 old, quiet;
	char		 again[USER_PASSWORD_MAX];
	int		 rc = -1;

	if (!isatty(STDIN_FILENO)) {
		if (user_read_line(stdin, pw, sz) == -1)
			return -1;
		return pw[0] != '\0' ? 0 : (ctl_warnx("empty password"), -1);
	}
	if (tcgetattr(STDIN_FILENO, &old) == -1) {
		ctl_warnx("terminal: %s", strerror(errno));
		return -1;
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == -1) {
		ctl_warnx("terminal: %s", strerror(errno));
		return -1;
	}
	fprintf(stderr, "Password for %s: ", name);
	if (user_read_line(stdin, pw, sz) == 0) {
		fprintf(stderr, "\nAgain: ");
		if (user_read_line(stdin, again, sizeof again) == 0) {
			if (strcmp(pw, again) != 0)
				ctl_warnx("\nthe passwords differ");
			else if (pw[0] == '\0')
				ctl_warnx("\nempty password");
			else
				rc = 0;
		}
	}
	fputc('\n', stderr);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	explicit_bzero(again, sizeof again);
	return rc;
}

/*
 * The file's text with name's line replaced by line (or line added) into
 * out, and whether the file existed and held name; -1 after a message. A
 * missing file is an empty one.
 */
static int
user_merge(const char *path, const char *name, const char *line, char *out,
    size_t outsz, struct stat *sb, bool *existed, bool *replaced)
{
	static char	 in[USER_FILE_MAX];
	FILE		*fp;
	const char	*p, *nl, *next;
	size_t		 len = 0, n, o = 0, nlen = strlen(name);

	*existed = *replaced = false;
	if ((fp = fopen(path, "re")) != NULL) {
		*existed = true;
		if (fstat(fileno(fp), sb) == -1 ||
		    (len = fread(in, 1, sizeof in, fp)) == sizeof in ||
		    ferror(fp)) {
			ctl_warnx("%s: unreadable or too large", path);
			fclose(fp);
			return -1;
		}
		fclose(fp);
	} else if (errno != ENOENT) {
		ctl_warnx("%s: %s", path, strerror(errno));
		return -1;
	}
	for (p = in; p < in + len; p = next) {
		nl = memchr(p, '\n', (size_t)(in + len - p));
		n = nl != NULL ? (size_t)(nl - p) : (size_t)(in + len - p);
		next = p + n + (nl != NULL);
		/* name's line is replaced; a second one of it goes. */
		if (n > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == ':') {
			if (*replaced)
				continue;
			*replaced = true;
			p = line;
			n = strlen(line);
		}
		if (o + n + 2 >= outsz) {
			ctl_warnx("%s: too large", path);
			return -1;
		}
		memcpy(out + o, p, n);
		o += n;
		out[o++] = '\n';
	}
	if (!*replaced) {
		if (o + strlen(line) + 2 >= outsz) {
			ctl_warnx("%s: too large", path);
			return -1;
		}
		o += (size_t)snprintf(out + o, outsz - o, "%s\n", line);
	}
	out[o] = '\0';
	return 0;
}

/* Writes text as path through a temporary file in its directory. */
static int
user_write(const char *path, const char *text, const struct stat *sb,
    bool existed)
{
	char	 tmp[PATH_MAX], dir[PATH_MAX];
	size_t	 len = strlen(text), off = 0;
	ssize_t	 w;
	int	 fd, dfd;

	if (snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >= (int)sizeof tmp) {
		ctl_warnx("%s: path too long", path);
		return -1;
	}
	if ((fd = mkstemp(tmp)) == -1) {
		ctl_warnx("%s: %s", tmp, strerror(errno));
		return -1;
	}
	/* jourd's group reads it; nobody else. Owner and group are kept. */
	if (fchmod(fd, 0640) == -1 || (existed && fchown(fd, sb->st_uid,
	    sb->st_gid) == -1 && errno != EPERM))
		goto fail;
	while (off < len) {
		if ((w = write(fd, text + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)w;
	}
	if (fsync(fd) == -1 || close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) == -1)
		goto fail;
	text_copy(dir, sizeof dir, path);
	if ((dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) !=
	    -1) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
fail:
	ctl_warnx("%s: %s", path, strerror(errno));
	if (fd != -1)
		close(fd);
	unlink(tmp);
	return -1;
}

int
ctl_user(struct ctl *c, const struct ctl_options *o)
{
	static char	 text[USER_FILE_MAX + 1024];
	static struct users u;
	const char	*name, *path;
	char		 pw[USER_PASSWORD_MAX], hash[USER_HASH_MAX];
	char		 line[USER_NAME_MAX + USER_HASH_MAX + 2], err[1024];
	struct stat	 sb;
	bool		 existed, replaced;

	if (strcmp(o->args[0], "add") != 0) {
		ctl_warnx("user: unknown subcommand %s (add)", o->args[0]);
		return CTL_USAGE;
	}
	name = o->args[1];
	if (!users_name_ok(name)) {
		ctl_warnx("user add: '%s' is not a user name (1 to %d printable "
		    "characters, no ':' and no blank)", name, USER_NAME_MAX - 1);
		return CTL_USAGE;
	}
	if ((path = o->users) == NULL) {
		if (config_load(c->conf, &c->cf, err, sizeof err) == -1) {
			ctl_warnx("%s", err);
			return CTL_ERROR;
		}
		if (!c->cf.http.enabled || c->cf.http.users[0] == '\0') {
			ctl_warnx("user add: %s has no [http] users = FILE; "
			    "name the file with --users FILE", c->conf);
			return CTL_ERROR;
		}
		path = c->cf.http.users;
	}
	if (user_password(name, pw, sizeof pw) == -1)
		return CTL_ERROR;
	if (users_hash_new(pw, hash, sizeof hash) == -1) {
		explicit_bzero(pw, sizeof pw);
		ctl_warnx("user add: crypt(3) has no yescrypt here");
		return CTL_ERROR;
	}
	explicit_bzero(pw, sizeof pw);
	snprintf(line, sizeof line, "%s:%s", name, hash);
	memset(&sb, 0, sizeof sb);
	if (user_merge(path, name, line, text, sizeof text, &sb, &existed,
	    &replaced) == -1)
		return CTL_ERROR;
	/* jourd would refuse the file: it is left as it was. */
	if (users_parse(path, text, strlen(text), &u, err, sizeof err) == -1) {
		ctl_warnx("user add: %s; the file is left unchanged", err);
		return CTL_ERROR;
	}
	if (user_write(path, text, &sb, existed) == -1)
		return CTL_ERROR;
	printf("%s: %s %s\n", path, name, replaced ? "has a new password" :
	    "added");
	return CTL_OK;
}
