/*
 * failwrite.so — a test shim for storage faults, loaded with LD_PRELOAD.
 *
 * While the file named by $JOURD_FAILWRITE exists, every write to a file
 * whose name ends in ".db", ".db-wal" or ".db-journal" fails with the
 * error the file names: ENOSPC (disk full, the default) or EROFS
 * (read-only). Other files, the journal and sockets are left alone.
 * Built by make faults into build-faults/failwrite.so; never installed.
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

/* The errno to fail with for a write to fd, or 0 to let it through. */
static int
failwrite_errno(int fd)
{
	const char	*trigger = getenv("JOURD_FAILWRITE");
	char		 link[64], path[PATH_MAX], word[16] = "";
	ssize_t		 n;
	size_t		 len;
	FILE		*fp;
	int		 saved = errno;

	if (trigger == NULL || access(trigger, F_OK) != 0) {
		errno = saved;
		return 0;
	}
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if ((n = readlink(link, path, sizeof(path) - 1)) <= 0) {
		errno = saved;
		return 0;
	}
	path[n] = '\0';
	len = (size_t)n;
	if (!(len > 3 && strcmp(path + len - 3, ".db") == 0) &&
	    strstr(path, ".db-wal") == NULL &&
	    strstr(path, ".db-journal") == NULL) {
		errno = saved;
		return 0;
	}
	if ((fp = fopen(trigger, "r")) != NULL) {
		if (fscanf(fp, "%15s", word) != 1)
			word[0] = '\0';
		fclose(fp);
	}
	return strcmp(word, "EROFS") == 0 ? EROFS : ENOSPC;
}

typedef ssize_t (*failwrite_write_fn)(int, const void *, size_t);
typedef ssize_t (*failwrite_pwrite_fn)(int, const void *, size_t, off_t);
typedef ssize_t (*failwrite_pwrite64_fn)(int, const void *, size_t, off64_t);

ssize_t
write(int fd, const void *buf, size_t count)
{
	static failwrite_write_fn	next;
	int				e;

	if (next == NULL)
		next = (failwrite_write_fn)dlsym(RTLD_NEXT, "write");
	if ((e = failwrite_errno(fd)) != 0) {
		errno = e;
		return -1;
	}
	return next(fd, buf, count);
}

ssize_t
pwrite(int fd, const void *buf, size_t count, off_t off)
{
	static failwrite_pwrite_fn	next;
	int				e;

	if (next == NULL)
		next = (failwrite_pwrite_fn)dlsym(RTLD_NEXT, "pwrite");
	if ((e = failwrite_errno(fd)) != 0) {
		errno = e;
		return -1;
	}
	return next(fd, buf, count, off);
}

ssize_t
pwrite64(int fd, const void *buf, size_t count, off64_t off)
{
	static failwrite_pwrite64_fn	next;
	int				e;

	if (next == NULL)
		next = (failwrite_pwrite64_fn)dlsym(RTLD_NEXT, "pwrite64");
	if ((e = failwrite_errno(fd)) != 0) {
		errno = e;
		return -1;
	}
	return next(fd, buf, count, off);
}
