/*
 * sandbox.c — a route's worker confined once its device is open.
 *
 * The modem worker decodes PDUs and the pager worker ESPA bytes that come
 * from a device anyone with a phone can write to; a bug there must not
 * become a shell on the gateway. Once connected a worker needs only its
 * device, its socket to the parent and the files libGammu keeps, so it
 * gives up the rest:
 *
 *   - PR_SET_NO_NEW_PRIVS, so nothing it could still run gains privileges;
 *   - a seccomp filter of what a compromised worker must never do, each
 *     killing the whole process (the parent logs SIGSYS and starts a new
 *     worker). A denylist, not an allowlist: libGammu's drivers, glibc and
 *     the sanitizers call what they call, and a worker killed at night for
 *     an unforeseen but harmless call would stop the paging;
 *   - Landlock, where the kernel has it: the file system read-only, and
 *     only the device, the dummy phone's directory and libGammu's log
 *     directory writable.
 */
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <linux/landlock.h>
#include <seccomp.h>

#include "common.h"
#include "log.h"
#include "sandbox.h"

/* Rights newer than Debian 12's kernel headers; the values are the ABI. */
#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER	(1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE	(1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV	(1ULL << 15)
#endif

#define SANDBOX_FS_ABI1	((LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1)
/* What a rule may grant on a file that is not a directory. */
#define SANDBOX_FS_FILE	(LANDLOCK_ACCESS_FS_EXECUTE |			\
			 LANDLOCK_ACCESS_FS_WRITE_FILE |		\
			 LANDLOCK_ACCESS_FS_READ_FILE |			\
			 LANDLOCK_ACCESS_FS_TRUNCATE |			\
			 LANDLOCK_ACCESS_FS_IOCTL_DEV)
#define SANDBOX_FS_READ	(LANDLOCK_ACCESS_FS_READ_FILE |			\
			 LANDLOCK_ACCESS_FS_READ_DIR)
/* Files and directories, never device nodes, sockets, fifos or links. */
#define SANDBOX_FS_RW	(SANDBOX_FS_READ |				\
			 LANDLOCK_ACCESS_FS_WRITE_FILE |		\
			 LANDLOCK_ACCESS_FS_TRUNCATE |			\
			 LANDLOCK_ACCESS_FS_IOCTL_DEV |			\
			 LANDLOCK_ACCESS_FS_REMOVE_DIR |		\
			 LANDLOCK_ACCESS_FS_REMOVE_FILE |		\
			 LANDLOCK_ACCESS_FS_MAKE_DIR |			\
			 LANDLOCK_ACCESS_FS_MAKE_REG |			\
			 LANDLOCK_ACCESS_FS_REFER)

/* glibc's gconv and locales, the time zones, the sanitizers' /proc. */
static const char *const sandbox_read[] = {
	"/etc", "/usr", "/lib", "/lib64", "/proc/self",
	"/sys/devices/system/cpu", "/dev/urandom", NULL
};
static const char *const sandbox_write[] = { "/dev/null", NULL };

/*
 * What kills the worker. Process creation is handled apart (threads stay
 * allowed), and so are socket() and kill(), which have harmless uses.
 */
static const int sandbox_deny[] = {
	SCMP_SYS(execve), SCMP_SYS(execveat), SCMP_SYS(fork), SCMP_SYS(vfork),
	SCMP_SYS(socketpair), SCMP_SYS(bind), SCMP_SYS(listen),
	SCMP_SYS(accept), SCMP_SYS(accept4),
	SCMP_SYS(process_vm_readv), SCMP_SYS(process_vm_writev),
	SCMP_SYS(mount), SCMP_SYS(umount2), SCMP_SYS(pivot_root),
	SCMP_SYS(chroot), SCMP_SYS(unshare), SCMP_SYS(setns),
	SCMP_SYS(fsopen), SCMP_SYS(fsmount), SCMP_SYS(move_mount),
	SCMP_SYS(open_tree),
	SCMP_SYS(kexec_load), SCMP_SYS(kexec_file_load), SCMP_SYS(reboot),
	SCMP_SYS(init_module), SCMP_SYS(finit_module), SCMP_SYS(delete_module),
	SCMP_SYS(bpf), SCMP_SYS(perf_event_open), SCMP_SYS(userfaultfd),
	SCMP_SYS(keyctl), SCMP_SYS(add_key), SCMP_SYS(request_key),
	SCMP_SYS(setuid), SCMP_SYS(setgid), SCMP_SYS(setreuid),
	SCMP_SYS(setregid), SCMP_SYS(setresuid), SCMP_SYS(setresgid),
	SCMP_SYS(setgroups), SCMP_SYS(setfsuid), SCMP_SYS(setfsgid),
	SCMP_SYS(capset),
	SCMP_SYS(mknod), SCMP_SYS(mknodat),
	SCMP_SYS(open_by_handle_at), SCMP_SYS(name_to_handle_at),
	SCMP_SYS(swapon), SCMP_SYS(swapoff), SCMP_SYS(acct),
	SCMP_SYS(settimeofday), SCMP_SYS(clock_settime), SCMP_SYS(adjtimex),
	SCMP_SYS(clock_adjtime), SCMP_SYS(sethostname),
	SCMP_SYS(setdomainname), SCMP_SYS(syslog), SCMP_SYS(iopl),
	SCMP_SYS(ioperm), SCMP_SYS(quotactl),
	/* io_uring does its work where seccomp does not look. */
	SCMP_SYS(io_uring_setup), SCMP_SYS(io_uring_enter),
	SCMP_SYS(io_uring_register),
	/* Signals and descriptors of other processes: the parent's. */
	SCMP_SYS(tkill), SCMP_SYS(pidfd_open), SCMP_SYS(pidfd_send_signal),
	SCMP_SYS(pidfd_getfd), SCMP_SYS(kcmp),
};

static int	sandbox_result = 1;	/* 1: not yet tried */

bool
sandbox_on(void)
{
	return sandbox_result == 0;
}

/*
 * The sanitizer build's leak check at exit stops the process from a
 * tracer it clones, so only there may a worker trace and clone one.
 */
#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_SANITIZER 1
#endif
#endif

/* Adds the filter's rules; -1 with *why set on the first that fails. */
static int
sandbox_rules(scmp_filter_ctx ctx, const char **why)
{
	const uint32_t	kill = SCMP_ACT_KILL_PROCESS;
	const uint64_t	self = (uint64_t)getpid();
	size_t		i;

	for (i = 0; i < nitems(sandbox_deny); i++) {
		/* A name this libseccomp does not know is not in the kernel. */
		if (sandbox_deny[i] < 0)
			continue;
		if (seccomp_rule_add(ctx, kill, sandbox_deny[i], 0) != 0) {
			*why = "a rule";
			return -1;
		}
	}
	/* No network: a stream to anywhere would carry SMS out. */
	if (seccomp_rule_add(ctx, kill, SCMP_SYS(socket), 1,
	    SCMP_A0(SCMP_CMP_NE, AF_UNIX)) != 0 ||
	    /* glibc's syslog() reconnecting after a lost socket: let it fail. */
	    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socket), 1,
	    SCMP_A0(SCMP_CMP_EQ, AF_UNIX)) != 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(connect),
	    0) != 0) {
		*why = "the socket rules";
		return -1;
	}
	/* Signals to itself only (abort(), the watchdog), never the parent. */
	if (seccomp_rule_add(ctx, kill, SCMP_SYS(kill), 1,
	    SCMP_A0(SCMP_CMP_NE, self)) != 0 ||
	    seccomp_rule_add(ctx, kill, SCMP_SYS(tgkill), 1,
	    SCMP_A0(SCMP_CMP_NE, self)) != 0) {
		*why = "the signal rules";
		return -1;
	}
	/* Typing into the controlling terminal of whoever started jourd. */
	if (seccomp_rule_add(ctx, kill, SCMP_SYS(ioctl), 1,
	    SCMP_A1(SCMP_CMP_EQ, TIOCSTI)) != 0) {
		*why = "the ioctl rule";
		return -1;
	}
	/* clone3 hides its flags from the filter: glibc falls back to clone. */
	if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3),
	    0) != 0) {
		*why = "the clone3 rule";
		return -1;
	}
#ifndef SANDBOX_SANITIZER
	if (seccomp_rule_add(ctx, kill, SCMP_SYS(clone), 1,
	    SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0)) != 0 ||
	    seccomp_rule_add(ctx, kill, SCMP_SYS(ptrace), 0) != 0) {
		*why = "the process rules";
		return -1;
	}
#endif
	return 0;
}

/* Installs the seccomp filter; -1 with why filled in if it could not. */
static int
sandbox_seccomp(char *why, size_t whysz)
{
	scmp_filter_ctx	 ctx;
	const char	*bad = NULL;
	int		 rc;

	/* Calls of another architecture (int 0x80, x32) kill too. */
	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL) {
		snprintf(why, whysz, "seccomp: out of memory");
		return -1;
	}
	if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_KILL_PROCESS) != 0 || sandbox_rules(ctx, &bad) == -1) {
		snprintf(why, whysz, "seccomp: cannot add %s",
		    bad != NULL ? bad : "the architecture rule");
		seccomp_release(ctx);
		return -1;
	}
	if ((rc = seccomp_load(ctx)) != 0) {
		snprintf(why, whysz, "seccomp: %s", strerror(-rc));
		seccomp_release(ctx);
		return -1;
	}
	seccomp_release(ctx);
	return 0;
}

/*
 * The path a rule for rw names: a pseudo-terminal's whole directory (the
 * line may come back on a new pty), otherwise the path itself.
 */
static const char *
sandbox_rw_path(const char *path, char *buf, size_t bufsz)
{
	char	real[PATH_MAX];

	if (realpath(path, real) != NULL &&
	    strncmp(real, "/dev/pts/", 9) == 0 && strchr(real + 9, '/') == NULL) {
		snprintf(buf, bufsz, "/dev/pts");
		return buf;
	}
	return path;
}

/* One Landlock rule; a path that does not exist is no error. */
static int
sandbox_landlock_rule(int ruleset, const char *path, uint64_t access,
    uint64_t handled)
{
	struct landlock_path_beneath_attr	pb;
	struct stat				sb;
	int					fd, rc, saved;

	if ((fd = open(path, O_PATH | O_CLOEXEC)) == -1)
		return errno == ENOENT ? 0 : -1;
	if (fstat(fd, &sb) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	memset(&pb, 0, sizeof(pb));
	pb.parent_fd = fd;
	pb.allowed_access = access & handled;
	if (!S_ISDIR(sb.st_mode))
		pb.allowed_access &= SANDBOX_FS_FILE;
	rc = (int)syscall(SYS_landlock_add_rule, ruleset,
	    LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
	saved = errno;
	close(fd);
	errno = saved;
	return rc == -1 ? -1 : 0;
}

/*
 * The file system read-only but for rw, where the kernel has Landlock.
 * 0 when in force, 1 when the kernel has none (why says so), -1 on error.
 */
static int
sandbox_landlock(const char *const *rw, char *why, size_t whysz)
{
	struct landlock_ruleset_attr	 attr;
	char				 buf[16];
	const char			*p;
	uint64_t			 handled = SANDBOX_FS_ABI1;
	long				 abi;
	int				 fd;
	size_t				 i;

	abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	if (abi == -1 && (errno == ENOSYS || errno == EOPNOTSUPP)) {
		snprintf(why, whysz, "landlock: not in this kernel (%s)",
		    strerror(errno));
		return 1;
	}
	if (abi == -1) {
		snprintf(why, whysz, "landlock: %s", strerror(errno));
		return -1;
	}
	if (abi >= 2)
		handled |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		handled |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		handled |= LANDLOCK_ACCESS_FS_IOCTL_DEV;

	memset(&attr, 0, sizeof(attr));
	attr.handled_access_fs = handled;
	fd = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (fd == -1) {
		snprintf(why, whysz, "landlock: ruleset: %s", strerror(errno));
		return -1;
	}
	for (i = 0; sandbox_read[i] != NULL; i++)
		if (sandbox_landlock_rule(fd, sandbox_read[i], SANDBOX_FS_READ,
		    handled) == -1) {
			p = sandbox_read[i];
			goto fail;
		}
	for (i = 0; sandbox_write[i] != NULL; i++)
		if (sandbox_landlock_rule(fd, sandbox_write[i], SANDBOX_FS_RW,
		    handled) == -1) {
			p = sandbox_write[i];
			goto fail;
		}
	for (i = 0; rw != NULL && rw[i] != NULL; i++) {
		if (rw[i][0] == '\0')
			continue;
		p = sandbox_rw_path(rw[i], buf, sizeof(buf));
		if (sandbox_landlock_rule(fd, p, SANDBOX_FS_RW, handled) == -1)
			goto fail;
	}
	if (syscall(SYS_landlock_restrict_self, fd, 0) == -1) {
		snprintf(why, whysz, "landlock: %s", strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
fail:
	snprintf(why, whysz, "landlock: %.*s: %s", 200, p, strerror(errno));
	close(fd);
	return -1;
}

int
sandbox_worker(const char *what, const char *const *rw)
{
	char	why[256], fs[256] = "";
	int	ll;

	if (sandbox_result != 1)
		return sandbox_result;
	/* Connect to syslog now: socket() is refused from here on. */
	openlog(NULL, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		log_warn("%s: sandbox: off (no new privileges)", what);
		return sandbox_result = -1;
	}
	if ((ll = sandbox_landlock(rw, fs, sizeof(fs))) == 1)
		log_info("%s: sandbox: %s; seccomp alone", what, fs);
	else if (ll == -1)
		log_warnx("%s: sandbox: %s; seccomp alone", what, fs);
	if (sandbox_seccomp(why, sizeof(why)) == -1) {
		log_warnx("%s: sandbox: off (%s)%s", what, why,
		    ll == 0 ? "; landlock on" : "");
		return sandbox_result = -1;
	}
	log_info("%s: sandbox: on (seccomp%s)", what,
	    ll == 0 ? ", landlock" : "");
	return sandbox_result = 0;
}
