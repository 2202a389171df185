/*
 * httpd.c — jourd's side of the web console: starts its worker after the
 * routes, restarts it after a growing pause when it dies, and stops it at
 * exit. The console never holds up paging: it only reads, in a process
 * of its own.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http.h"
#include "jourd.h"
#include "log.h"
#include "spawn.h"
#include "users.h"

/* The pause before a restart: from 1 s, doubling to 60 s. */
#define HTTPD_DELAY_MIN		(1 * JT_SECOND)
#define HTTPD_DELAY_MAX		(60 * JT_SECOND)
/* A worker that ran this long died of something new: short pause again. */
#define HTTPD_STABLE		(60 * JT_SECOND)

/* The environment variable that makes a jourd the console's worker. */
#define HTTPD_ENV	"JOURD_HTTP_WORKER"
/* The channel's descriptor in the worker. */
#define HTTPD_FD	3

static char	**httpd_argv;

void
httpd_init(char **argv)
{
	httpd_argv = argv;
}

/*
 * The forked child becomes a fresh jourd in worker mode. A fork alone
 * would not do: SQLite keeps per-process state about the files it has
 * open (their locks, the WAL index), which the child would inherit from
 * jourd's connection and which would make its own connection wait on
 * locks nobody holds. exec starts SQLite afresh; the worker reads the
 * same configuration file again.
 */
static int
httpd_exec(const void *arg, int fd)
{
	int	flags;

	if (fd != HTTPD_FD) {
		if (dup2(fd, HTTPD_FD) == -1)
			return 127;
		close(fd);
	}
	if ((flags = fcntl(HTTPD_FD, F_GETFD)) == -1 ||
	    fcntl(HTTPD_FD, F_SETFD, flags & ~FD_CLOEXEC) == -1 ||
	    setenv(HTTPD_ENV, "3", 1) == -1)
		return 127;
	execv("/proc/self/exe", httpd_argv);
	log_warn("http: exec /proc/self/exe");
	return 127;
}

int
httpd_worker(const struct config *cf)
{
	const char	*s = getenv(HTTPD_ENV);

	if (s == NULL)
		return -1;
	unsetenv(HTTPD_ENV);
	if (strcmp(s, "3") != 0 || fcntl(HTTPD_FD, F_SETFD, FD_CLOEXEC) == -1)
		fatalx("http: %s=%s: no channel to jourd", HTTPD_ENV, s);
	return http_run(cf, HTTPD_FD);
}

int
httpd_check(const struct config *cf, char *err, size_t errsz)
{
	static struct users	u;

	if (!cf->http.enabled || cf->http.users[0] == '\0')
		return 0;
	return users_load(cf->http.users, &u, err, errsz);
}

static void
httpd_respawn_cb(evutil_socket_t fd, short ev, void *arg)
{
	httpd_start(arg);
}

void
httpd_start(struct jourd *j)
{
	struct timeval	tv;

	if (!j->cf.http.enabled || j->http_pid > 0)
		return;
	if (j->http_respawn == NULL &&
	    (j->http_respawn = evtimer_new(j->base, httpd_respawn_cb, j)) ==
	    NULL)
		fatalx("http: evtimer_new failed");
	if (j->http_delay == 0)
		j->http_delay = HTTPD_DELAY_MIN;
	j->http_pid = spawn_worker("http", httpd_exec, NULL, &j->http_fd);
	if (j->http_pid == -1) {
		j->http_pid = 0;
		tv = jourd_tv(j->http_delay);
		evtimer_add(j->http_respawn, &tv);
		return;
	}
	j->http_started = jtime_mono();
}

bool
httpd_exited(struct jourd *j, pid_t pid, int status)
{
	struct timeval	tv;

	if (j->http_pid <= 0 || pid != j->http_pid)
		return false;
	close(j->http_fd);
	j->http_pid = 0;
	j->http_fd = -1;
	if (jtime_mono() - j->http_started >= HTTPD_STABLE)
		j->http_delay = HTTPD_DELAY_MIN;
	if (WIFSIGNALED(status))
		log_warnx("http: the console's worker died of signal %d; "
		    "restarted in %lld s", WTERMSIG(status),
		    (long long)(j->http_delay / JT_SECOND));
	else
		log_warnx("http: the console's worker exited (%d); restarted "
		    "in %lld s", WEXITSTATUS(status),
		    (long long)(j->http_delay / JT_SECOND));
	tv = jourd_tv(j->http_delay);
	evtimer_add(j->http_respawn, &tv);
	j->http_delay = j->http_delay * 2 > HTTPD_DELAY_MAX ? HTTPD_DELAY_MAX :
	    j->http_delay * 2;
	return true;
}

void
httpd_stop(struct jourd *j)
{
	int	status, i;

	if (j->http_respawn != NULL) {
		event_free(j->http_respawn);
		j->http_respawn = NULL;
	}
	if (j->http_pid <= 0)
		return;
	/* Its end of file ends the worker; a hung one gets SIGTERM. */
	close(j->http_fd);
	for (i = 0; i < 20; i++) {
		if (waitpid(j->http_pid, &status, WNOHANG) == j->http_pid) {
			j->http_pid = 0;
			return;
		}
		usleep(50 * 1000);
	}
	kill(j->http_pid, SIGTERM);
	waitpid(j->http_pid, &status, 0);
	j->http_pid = 0;
}
