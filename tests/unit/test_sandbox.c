/*
 * test_sandbox.c — a sandboxed child: what kills it, what is refused
 * without killing it, and what it may still do (threads, abort(), its own
 * directory).
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/landlock.h>

#include <cmocka.h>

#include "sandbox.h"

static char	dir[PATH_MAX];		/* the child's writable directory */
static char	outside[PATH_MAX];	/* a file beside it */

static int
setup(void **state)
{
	char	tmpl[] = "/tmp/jourd-sandbox-XXXXXX";

	if (mkdtemp(tmpl) == NULL)
		return -1;
	snprintf(outside, sizeof(outside), "%s/outside", tmpl);
	snprintf(dir, sizeof(dir), "%s/phone", tmpl);
	return mkdir(dir, 0700);
}

static int
teardown(void **state)
{
	char	path[PATH_MAX + 16], top[PATH_MAX];

	snprintf(path, sizeof(path), "%s/inside", dir);
	unlink(path);
	unlink(outside);
	rmdir(dir);
	snprintf(top, sizeof(top), "%s", dir);
	*strrchr(top, '/') = '\0';
	rmdir(top);
	return 0;
}

static bool
landlock_here(void)
{
	return syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION) > 0;
}

/* Runs body in a sandboxed child; its wait status. */
static int
sandboxed(int (*body)(void))
{
	const char *const	 rw[] = { dir, NULL };
	pid_t			 pid;
	int			 status;

	fflush(NULL);
	if ((pid = fork()) == 0) {
		if (sandbox_worker("test", rw) != 0 || !sandbox_on())
			_exit(90);
		_exit(body());
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void
assert_killed_by(int status, int sig)
{
	if (!WIFSIGNALED(status))
		print_error("exited with %d, not killed\n", WEXITSTATUS(status));
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), sig);
}

static void
assert_exited(int status, int code)
{
	if (WIFSIGNALED(status))
		print_error("killed by signal %d\n", WTERMSIG(status));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), code);
}

static int
do_exec(void)
{
	execl("/bin/true", "true", (char *)NULL);
	return 1;
}

static int
do_inet_socket(void)
{
	return socket(AF_INET, SOCK_STREAM, 0) == -1 ? 2 : 1;
}

static int
do_unix_socket(void)
{
	return socket(AF_UNIX, SOCK_STREAM, 0) == -1 && errno == EACCES ? 0 : 1;
}

static int
do_kill_parent(void)
{
	kill(getppid(), 0);
	return 1;
}

static int
do_fork(void)
{
	pid_t	pid = fork();

	if (pid == 0)
		_exit(0);
	return 1;
}

static int
do_abort(void)
{
	abort();
}

static void *
thread_cb(void *arg)
{
	return arg;
}

static int
do_thread(void)
{
	static int	 token;
	pthread_t	 t;
	void		*ret = NULL;

	if (pthread_create(&t, NULL, thread_cb, &token) != 0 ||
	    pthread_join(t, &ret) != 0 || ret != &token)
		return 1;
	return 0;
}

/* Writes inside its directory, reads /etc; 0 when both work. */
static int
do_inside(void)
{
	char	path[PATH_MAX + 16];
	int	fd;

	snprintf(path, sizeof(path), "%s/inside", dir);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		return 1;
	close(fd);
	if ((fd = open("/etc/passwd", O_RDONLY)) == -1)
		return 2;
	close(fd);
	return 0;
}

static int
do_outside(void)
{
	int	fd;

	if ((fd = open(outside, O_WRONLY | O_CREAT, 0600)) != -1) {
		close(fd);
		return 1;
	}
	return errno == EACCES ? 0 : 2;
}

static void
test_exec_kills(void **state)
{
	assert_killed_by(sandboxed(do_exec), SIGSYS);
}

static void
test_network_socket_kills(void **state)
{
	assert_killed_by(sandboxed(do_inet_socket), SIGSYS);
}

static void
test_unix_socket_refused_not_fatal(void **state)
{
	assert_exited(sandboxed(do_unix_socket), 0);
}

static void
test_signal_to_parent_kills(void **state)
{
	assert_killed_by(sandboxed(do_kill_parent), SIGSYS);
}

static void
test_fork_kills(void **state)
{
	/* The sanitizer build lets a process clone for its leak check. */
#if defined(__SANITIZE_ADDRESS__)
	skip();
#endif
	assert_killed_by(sandboxed(do_fork), SIGSYS);
}

static void
test_abort_still_aborts(void **state)
{
	assert_killed_by(sandboxed(do_abort), SIGABRT);
}

static void
test_threads_still_work(void **state)
{
	assert_exited(sandboxed(do_thread), 0);
}

static void
test_own_directory_writable(void **state)
{
	assert_exited(sandboxed(do_inside), 0);
}

static void
test_outside_not_writable(void **state)
{
	if (!landlock_here())
		skip();
	assert_exited(sandboxed(do_outside), 0);
	assert_int_equal(access(outside, F_OK), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_kills),
		cmocka_unit_test(test_network_socket_kills),
		cmocka_unit_test(test_unix_socket_refused_not_fatal),
		cmocka_unit_test(test_signal_to_parent_kills),
		cmocka_unit_test(test_fork_kills),
		cmocka_unit_test(test_abort_still_aborts),
		cmocka_unit_test(test_threads_still_work),
		cmocka_unit_test(test_own_directory_writable),
		cmocka_unit_test(test_outside_not_writable),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
