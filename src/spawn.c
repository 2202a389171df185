/*
 * spawn.c — a route's worker process, started clean: the modem worker and
 * the pager worker each own a device, and must own nothing else of the
 * parent (its database, its event loop's descriptors, its signal handlers).
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "common.h"
#include "log.h"
#include "spawn.h"

/* Closes every descriptor but 0, 1, 2 and keep; returns keep's new number. */
static int
spawn_close_fds(int keep)
{
	DIR		*d;
	struct dirent	*de;
	int		 fd, nfd;
	long		 max, i;

	/* Keep it above stdio so that ranges are simple. */
	if (keep < 3) {
		if ((nfd = fcntl(keep, F_DUPFD_CLOEXEC, 3)) == -1)
			_exit(1);
		close(keep);
		keep = nfd;
	}
	if ((keep == 3 || close_range(3, (unsigned)keep - 1, 0) == 0) &&
	    close_range((unsigned)keep + 1, ~0U, 0) == 0)
		return keep;
	if ((d = opendir("/proc/self/fd")) != NULL) {
		while ((de = readdir(d)) != NULL) {
			fd = atoi(de->d_name);
			if (fd > 2 && fd != keep && fd != dirfd(d))
				close(fd);
		}
		closedir(d);
		return keep;
	}
	max = sysconf(_SC_OPEN_MAX);
	for (i = 3; i < (max > 0 ? max : 1024); i++)
		if (i != keep)
			close((int)i);
	return keep;
}

/* The child's fresh start: nothing of the parent but the socket. */
static int
spawn_child_setup(int fd, pid_t parent)
{
	static const int	 dfl[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT,
	    SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM };
	struct sigaction	 sa;
	sigset_t		 none;
	size_t			 i;

	fd = spawn_close_fds(fd);
	/* The syslog socket was closed with the rest: let it reconnect. */
	closelog();

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_DFL;
	for (i = 0; i < nitems(dfl); i++)
		sigaction(dfl[i], &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1 || getppid() != parent)
		_exit(0);
	return fd;
}

pid_t
spawn_worker(const char *what, int (*run)(const void *arg, int fd),
    const void *arg, int *fd)
{
	int	sv[2];
	pid_t	pid, parent = getpid();

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1) {
		log_warn("%s: socketpair", what);
		return -1;
	}
	switch ((pid = fork())) {
	case -1:
		log_warn("%s: fork", what);
		close(sv[0]);
		close(sv[1]);
		return -1;
	case 0:
		close(sv[0]);
		_exit(run(arg, spawn_child_setup(sv[1], parent)));
	default:
		break;
	}
	close(sv[1]);
	*fd = sv[0];
	return pid;
}
