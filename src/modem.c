/*
 * modem.c — the modem worker, the only code that touches libGammu.
 *
 * A child process with one libGammu state machine. It answers the parent on
 * a SOCK_SEQPACKET socket (ipc.h) and in between sweeps the phone's SMS
 * memory: parts are read, grouped by their concatenation header and handed
 * to the parent one message at a time. A message is deleted from the phone
 * only when the parent says it is committed (IPC_SMS_COMMITTED); until then
 * the worker remembers its locations so that it is not handed over twice.
 *
 * libGammu facts this file is built around (DESIGN §3): GSM_InitConnection
 * forgets all callbacks, so they are set after every connect; the dummy
 * driver calls the send-status callback unconditionally; callbacks run
 * inside libGammu calls and must only record what happened; a silent modem
 * can make one call take tens of seconds, hence the alarm() watchdog; the AT
 * driver holds the tty exclusively, so a reconnect closes the old handle and
 * starts from a fresh state machine.
 *
 * Wake-up calls (IPC_CALL) on the AT driver: GSM_DialVoice, then the worker
 * rings while serving the parent, and hangs up with GSM_CancelCall, which
 * the AT driver does only for "all" calls. Of the callee's final results it
 * reports only NO CARRIER (GSM_CALL_CallRemoteEnd, once GSM_SetIncomingCall
 * is on); BUSY and NO ANSWER ring on until the hang-up. A hang-up the modem
 * refuses leaves libGammu sure that one is under way, and it then skips
 * every later one: the state machine is replaced and the new one hangs up.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <gammu.h>

#include "ipc.h"
#include "jtime.h"
#include "log.h"
#include "spawn.h"
#include "modem.h"
#include "phone.h"
#include "sandbox.h"
#include "text.h"

#define MODEM_BACKOFF_MIN	(2 * JT_SECOND)
#define MODEM_BACKOFF_MAX	(60 * JT_SECOND)
/* How long a multipart message may wait for missing parts. */
#define MODEM_INCOMPLETE_HOLD	(10 * JT_MINUTE)
/*
 * How far apart the SMSC time stamps of the parts of one long SMS may be: a
 * phone submits them in one burst, so parts with the same reference further
 * apart belong to another message.
 */
#define MODEM_CONCAT_WINDOW	(5 * JT_MINUTE)
/* How often the AT driver is asked for unsolicited indications (+CMTI). */
#define MODEM_AT_POLL		(500)
/* How often the network registration and the signal are asked. */
#define MODEM_NETWORK_CHECK	(30 * JT_SECOND)
/* Messages handed to the parent and not yet answered. */
#define MODEM_MAX_PENDING	32
/* Parts read in one sweep; the rest waits for the next one. */
#define MODEM_SWEEP_PARTS	1000
/* Listing errors tolerated in one sweep before it stops. */
#define MODEM_SWEEP_ERRORS	16
/* Messages delivered straight to us (+CMT) and status reports (+CDS). */
#define MODEM_LIVE_MAX		32
#define MODEM_REPORTS_MAX	32
/* A concatenation header counts parts in one byte. */
#define MODEM_MAX_PARTS		255
/* Seconds any one libGammu operation may take before the worker dies. */
#define MODEM_WATCHDOG_MIN	120
#define MODEM_SENDER_MAX	sizeof(((struct ipc_sms_in *)0)->sender)
/* Gammu unicode: two bytes per UTF-16 unit, two NUL bytes at the end. */
#define MODEM_UCS_UNITS		(SMS_TEXT_MAX + 2)
/* How often a ringing call looks at the line without the tty's descriptor. */
#define MODEM_CALL_POLL		100

/* Where one part lives: a SIM/phone location, or our memory (+CMT). */
struct modem_loc {
	int		folder;		/* -1: held in memory, location = id */
	int		location;
	int		memory;		/* GSM_MemoryType */
};

/* A message handed to the parent, waiting for COMMITTED or RETRY. */
struct modem_handed {
	bool			 used;
	uint32_t		 token;
	bool			 commit_due;	/* committed while a call rang */
	size_t			 nlocs;
	struct modem_loc	*locs;
};

/* A multipart message with parts missing, and since when. */
struct modem_waiting {
	char		sender[MODEM_SENDER_MAX];
	int		ref;
	int		total;
	bool		wide;
	jtime_t		smsc;		/* its first part's SMSC time stamp */
	jtime_t		since;		/* monotonic */
	bool		seen;		/* still on the phone in this sweep */
};

/* One part read in a sweep. */
struct modem_part {
	GSM_SMSMessage		sms;
	struct modem_loc	loc;
	char			sender[MODEM_SENDER_MAX];
	bool			concat;
	bool			wide;
	int			ref;
	int			seq;
	int			total;
	jtime_t			smsc;		/* SMSC time stamp, 0 if none */
	int			group;
	bool			copy;		/* a second copy of a part in group */
};

/* The parts of one message found in a sweep, by sequence number. */
struct modem_group {
	int		first;		/* a part: sender, reference, total, time */
	bool		collided;	/* another message has the same reference */
	int		present;
	int		slot[MODEM_MAX_PARTS + 1];	/* part index, -1 */
};

struct modem {
	const struct modem_conf	*mc;
	int			 fd;
	int			 dev_fd;	/* libGammu's tty, -1 = unknown */
	bool			 dev_readable;	/* poll() saw input on it */
	GSM_StateMachine	*sm;
	bool			 connected;
	bool			 pin_locked;	/* never reconnect: it would lock the SIM */
#ifdef JOURD_FAULTS
	int			 fault_sendfail;	/* sends still to fail */
	bool			 fault_pin;	/* the SIM refuses the PIN */
	bool			 fault_hangsend;	/* the next send hangs */
#endif
	jtime_t			 next_connect;	/* monotonic */
	jtime_t			 backoff;
	jtime_t			 next_sweep;
	jtime_t			 next_poll;
	bool			 sweep_wanted;	/* an indication said so */
	unsigned		 watchdog;	/* seconds */
	int			 sweep_errors;	/* in the last sweep, for logging once */

	char			 ident[160];	/* maker and model */
	bool			 registered;	/* on a network, as last asked */
	jtime_t			 next_network;	/* monotonic */

	bool			 reported;
	uint32_t		 last_status;
	char			 last_detail[128];

	bool			 send_done;	/* set by the send-status callback */
	int			 send_status;
	int			 send_ref;
	bool			 have_smsc;
	GSM_SMSC		 smsc;

	bool			 in_call;	/* a wake-up call is dialled */
	bool			 call_ended;	/* the callee ended it (NO CARRIER) */
	/*
	 * A call may still ring on the modem: a hang-up failed, a dial broke
	 * off, or an earlier worker died while one rang. Hung up on the next
	 * connect, on a fresh state machine.
	 */
	bool			 hangup_owed;
	GSM_Error		 hangup_err;	/* why the last hang-up failed */

	uint32_t		 next_token;
	struct modem_handed	 handed[MODEM_MAX_PENDING];
	size_t			 nhanded;
	struct modem_waiting	*waiting;
	size_t			 nwaiting;
	size_t			 waitcap;

	struct modem_part	*parts;
	size_t			 nparts;
	size_t			 partcap;
	struct modem_group	*groups;
	size_t			 ngroups;
	size_t			 groupcap;
	GSM_MultiSMSMessage	*multi;		/* 260 kB: listing and decoding */
	GSM_SMSMessage		 scratch;	/* for deletions */

	GSM_SMSMessage		 live[MODEM_LIVE_MAX];
	int			 live_id[MODEM_LIVE_MAX];
	size_t			 nlive;
	int			 next_live_id;
	struct ipc_status_report reports[MODEM_REPORTS_MAX];
	size_t			 nreports;

	struct ipc_sms_in	 in;
	unsigned char		 ucs[MODEM_UCS_UNITS * 2];
	char			 utf8[MODEM_UCS_UNITS * 4];
};

static jtime_t	modem_hold = MODEM_INCOMPLETE_HOLD;

static void	modem_lost(struct modem *, const char *, GSM_Error);
static int	modem_dispatch(struct modem *);
static void	modem_network(struct modem *);
static void	modem_free(struct modem *);

#ifdef JOURD_FAULTS
static void	modem_watch(struct modem *);

/*
 * Fault injection, in the test build only (make faults builds it into
 * build-faults/; the jourd that make builds has none of this). A file
 * named "fault" in the dummy phone's directory holds one word, read and
 * removed at the worker's next turn, so that a restarted worker is well:
 *   crash        the worker aborts
 *   hang         the worker stops answering the parent
 *   hang-call    a libGammu call never returns (the worker's alarm ends it)
 *   sendfail N   the next N sends fail
 *   hang-send    the worker stops answering when handed the next send
 *   pinwrong     the SIM refuses the PIN
 *   forbidden-exec, forbidden-socket
 *                a call the sandbox forbids (src/sandbox.c): the worker
 *                must die of it and the parent start another
 *   write-outside  creating a file beside the phone's directory, which
 *                the sandbox refuses (the worker lives on)
 */
static void
modem_fault_write(const struct modem_conf *mc)
{
	char	path[PATH_MAX + 32];
	int	fd;

	snprintf(path, sizeof(path), "%s/../outside-the-sandbox", mc->device);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1) {
		log_warn("modem: fault: write-outside refused");
		return;
	}
	log_warnx("modem: fault: write-outside was allowed");
	close(fd);
}

static void
modem_fault(struct modem *m)
{
	char	path[PATH_MAX + 8], word[32] = "";
	FILE	*fp;
	int	n = 0;

	if (m->mc->driver != DRIVER_DUMMY)
		return;
	snprintf(path, sizeof(path), "%s/fault", m->mc->device);
	if ((fp = fopen(path, "r")) == NULL)
		return;
	if (fscanf(fp, "%31s %d", word, &n) < 1)
		word[0] = '\0';
	fclose(fp);
	unlink(path);
	log_warnx("modem: fault injected: %s", word);
	if (strcmp(word, "crash") == 0)
		abort();
	else if (strcmp(word, "hang") == 0)
		for (;;)
			pause();
	else if (strcmp(word, "hang-call") == 0) {
		modem_watch(m);
		for (;;)
			pause();
	} else if (strcmp(word, "sendfail") == 0)
		m->fault_sendfail = n > 0 ? n : 1;
	else if (strcmp(word, "hang-send") == 0)
		m->fault_hangsend = true;
	else if (strcmp(word, "pinwrong") == 0)
		m->fault_pin = true;
	else if (strcmp(word, "forbidden-exec") == 0)
		execl("/bin/true", "true", (char *)NULL);
	else if (strcmp(word, "forbidden-socket") == 0)
		close(socket(AF_INET, SOCK_STREAM, 0));
	else if (strcmp(word, "write-outside") == 0)
		modem_fault_write(m->mc);
}
#endif

void
modem_set_hold(jtime_t ms)
{
	modem_hold = ms;
}

/* Async-signal-safe: a libGammu call hung; the parent starts a new worker. */
static void
modem_watchdog_cb(int sig)
{
	static const char msg[] =
	    "jourd modem worker: a libGammu call hung; exiting\n";
	ssize_t rc;

	rc = write(STDERR_FILENO, msg, sizeof(msg) - 1);
	(void)rc;
	_exit(3);
}

static void
modem_watch(struct modem *m)
{
	alarm(m->watchdog);
}

static void
modem_unwatch(void)
{
	alarm(0);
}

/* Errors after which the connection cannot be trusted any more. */
static bool
modem_io_error(GSM_Error e)
{
	switch (e) {
	case ERR_DEVICEOPENERROR:
	case ERR_DEVICELOCKED:
	case ERR_DEVICENOTEXIST:
	case ERR_DEVICEBUSY:
	case ERR_DEVICENOPERMISSION:
	case ERR_DEVICENODRIVER:
	case ERR_DEVICENOTWORK:
	case ERR_DEVICEDTRRTSERROR:
	case ERR_DEVICECHANGESPEEDERROR:
	case ERR_DEVICEWRITEERROR:
	case ERR_DEVICEREADERROR:
	case ERR_DEVICEPARITYERROR:
	case ERR_TIMEOUT:
	case ERR_NOTCONNECTED:
	case ERR_PHONEOFF:
		return true;
	default:
		return false;
	}
}

/* Tells the parent the modem's state, unless it already knows it. */
static void
modem_report(struct modem *m, enum modem_status status, const char *detail)
{
	struct ipc_modem_state	st;

	if (m->reported && m->last_status == (uint32_t)status &&
	    strcmp(m->last_detail, detail) == 0)
		return;
	memset(&st, 0, sizeof(st));
	st.status = status;
	text_copy(st.detail, sizeof(st.detail), detail);
	if (ipc_send(m->fd, IPC_MODEM_STATE, &st, sizeof(st)) == -1)
		log_warn("modem: state to parent");
	m->reported = true;
	m->last_status = status;
	text_copy(m->last_detail, sizeof(m->last_detail), detail);
}

/*
 * UTF-8 of at most SMS_TEXT_MAX units of Gammu unicode (big-endian UTF-16),
 * cut on a character boundary to outsz. The static-buffer
 * DecodeUnicodeString is not used: it is shared by all of libGammu.
 */
static void
modem_utf8(struct modem *m, const unsigned char *ucs, char *out, size_t outsz)
{
	size_t		n = UnicodeLength(ucs);
	unsigned int	last;

	if (n > SMS_TEXT_MAX) {
		n = SMS_TEXT_MAX;
		/* Do not keep half of a surrogate pair. */
		last = (unsigned int)ucs[2 * n - 2] << 8 | ucs[2 * n - 1];
		if (last >= 0xd800 && last <= 0xdbff)
			n--;
	}
	memmove(m->ucs, ucs, 2 * n);
	m->ucs[2 * n] = m->ucs[2 * n + 1] = 0;
	m->utf8[0] = '\0';
	EncodeUTF8(m->utf8, m->ucs);
	text_copy(out, outsz, m->utf8);
}

/* A time stamp in ms from an SMS date with its zone; now when absent. */
static jtime_t
modem_time(const GSM_DateTime *dt, jtime_t now)
{
	int64_t	secs;

	if (dt->Year < 1970 || dt->Year > 9999 || dt->Month < 1 ||
	    dt->Month > 12 || dt->Day < 1 || dt->Day > 31 || dt->Hour < 0 ||
	    dt->Hour > 23 || dt->Minute < 0 || dt->Minute > 59 ||
	    dt->Second < 0 || dt->Second > 60 || dt->Timezone < -24 * 3600 ||
	    dt->Timezone > 24 * 3600)
		return now;
	secs = jtime_days_from_civil(dt->Year, dt->Month, dt->Day) * 86400 +
	    dt->Hour * 3600 + dt->Minute * 60 + dt->Second - dt->Timezone;
	return secs * 1000;
}

/*
 * Finds a concatenation element (8- or 16-bit reference) in the user data
 * header. libGammu only fills its own fields for some header types, so the
 * raw header is read first.
 */
static bool
modem_concat(const GSM_UDHHeader *udh, int *ref, int *seq, int *total,
    bool *wide)
{
	const unsigned char	*t = udh->Text;
	int			 end, i, iel;

	*ref = -1;
	*seq = *total = 0;
	*wide = false;
	if (udh->Type != UDH_NoUDH && udh->Length >= 2 &&
	    udh->Length <= GSM_MAX_UDH_LENGTH) {
		end = t[0] + 1;
		if (end > udh->Length)
			end = udh->Length;
		for (i = 1; i + 1 < end; i += 2 + iel) {
			iel = t[i + 1];
			if (i + 2 + iel > end)
				break;
			if (t[i] == 0x00 && iel == 3) {
				*ref = t[i + 2];
				*total = t[i + 3];
				*seq = t[i + 4];
				break;
			}
			if (t[i] == 0x08 && iel == 4) {
				*ref = t[i + 2] << 8 | t[i + 3];
				*total = t[i + 4];
				*seq = t[i + 5];
				*wide = true;
				break;
			}
		}
	}
	if (*total == 0 && (udh->Type == UDH_ConcatenatedMessages ||
	    udh->Type == UDH_ConcatenatedMessages16bit)) {
		*wide = udh->Type == UDH_ConcatenatedMessages16bit;
		*ref = *wide ? udh->ID16bit : udh->ID8bit;
		*seq = udh->PartNumber;
		*total = udh->AllParts;
	}
	return *total >= 2 && *total <= MODEM_MAX_PARTS && *seq >= 1 &&
	    *seq <= *total && *ref >= 0 && *ref <= 0xffff;
}

/* A status report as the parent wants it; false for "still trying". */
static bool
modem_status_report(struct modem *m, const GSM_SMSMessage *sms,
    struct ipc_status_report *r)
{
	unsigned char	st = sms->DeliveryStatus;

	/* TP-Status 0x20..0x3f: the SMSC is still trying; wait for the end. */
	if (st >= 0x20 && st <= 0x3f)
		return false;
	memset(r, 0, sizeof(*r));
	modem_utf8(m, sms->Number, r->recipient, sizeof(r->recipient));
	r->msg_ref = sms->MessageReference;
	r->delivered = st < 0x20;
	r->at = modem_time(&sms->DateTime, jtime_now());
	return true;
}

/* Send-status callback: runs inside SendSMS (dummy) or ReadDevice (AT). */
static void
modem_send_status_cb(GSM_StateMachine *sm, int status, int ref, void *arg)
{
	struct modem	*m = arg;

	m->send_done = true;
	m->send_status = status;
	m->send_ref = ref;
}

/*
 * Incoming-SMS callback. It runs inside libGammu, so it issues no command:
 * an indication of a stored message (+CMTI) asks for a sweep; a message or
 * report delivered in the indication itself (+CMT, +CDS) is copied, because
 * its location field means nothing.
 */
static void
modem_incoming_cb(GSM_StateMachine *sm, GSM_SMSMessage *sms, void *arg)
{
	struct modem	*m = arg;

	m->sweep_wanted = true;
	if (sms->PDU == SMS_Status_Report) {
		if (m->nreports < MODEM_REPORTS_MAX &&
		    modem_status_report(m, sms, &m->reports[m->nreports]))
			m->nreports++;
	} else if (sms->PDU == SMS_Deliver) {
		if (m->nlive == MODEM_LIVE_MAX)
			return;
		m->live[m->nlive] = *sms;
		m->live[m->nlive].InboxFolder = TRUE;
		m->live_id[m->nlive] = ++m->next_live_id;
		m->nlive++;
	}
}

/*
 * Call indications. Runs inside libGammu, so it only records: of what the
 * AT driver reports, only NO CARRIER (the callee rejected or hung up) ends
 * our call; BUSY and NO ANSWER are not reported and the call rings on
 * until it is hung up. Calls to the gateway are not answered.
 */
static void
modem_call_cb(GSM_StateMachine *sm, GSM_Call *call, void *arg)
{
	struct modem	*m = arg;

	if (m->in_call && call->Status == GSM_CALL_CallRemoteEnd)
		m->call_ended = true;
}

/*
 * The descriptor libGammu opened for the AT device, found among our own by
 * the path it points to: libGammu does not hand it out. With it the worker
 * sleeps in poll() until the modem says something (+CMTI) or the parent
 * does, instead of waking every MODEM_AT_POLL to ask libGammu.
 */
static int
modem_find_device_fd(const char *device)
{
	char		 want[PATH_MAX], link[300], got[PATH_MAX];
	DIR		*d;
	struct dirent	*de;
	ssize_t		 n;
	int		 fd = -1;

	if (realpath(device, want) == NULL || (d = opendir("/proc/self/fd")) ==
	    NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), "/proc/self/fd/%s", de->d_name);
		if ((n = readlink(link, got, sizeof(got) - 1)) <= 0)
			continue;
		got[n] = '\0';
		if (strcmp(got, want) == 0 && atoi(de->d_name) != dirfd(d)) {
			fd = atoi(de->d_name);
			break;
		}
	}
	closedir(d);
	return fd;
}

/* Closes and forgets the state machine (the tty is held exclusively). */
static void
modem_drop(struct modem *m)
{
	if (m->sm == NULL)
		return;
	modem_watch(m);
	GSM_TerminateConnection(m->sm);
	modem_unwatch();
	GSM_FreeStateMachine(m->sm);
	m->sm = NULL;
	m->dev_fd = -1;
	m->connected = false;
	m->have_smsc = false;
}

/* A connect attempt failed: report it and try again later. */
static void
modem_retry(struct modem *m, const char *detail)
{
	log_warnx("modem: %s; retrying in %llds", detail,
	    (long long)(m->backoff / JT_SECOND));
	modem_report(m, MODEM_FAILED, detail);
	modem_drop(m);
	m->next_connect = jtime_mono() + m->backoff;
	m->backoff *= 2;
	if (m->backoff > MODEM_BACKOFF_MAX)
		m->backoff = MODEM_BACKOFF_MAX;
}

/* The connection broke while in use. */
static void
modem_lost(struct modem *m, const char *what, GSM_Error e)
{
	char	detail[128];

	snprintf(detail, sizeof(detail), "%s: %s", what, GSM_ErrorString(e));
	m->backoff = MODEM_BACKOFF_MIN;
	modem_retry(m, detail);
}

/* Keeps the previous libGammu log: libGammu truncates it on connect. */
static void
modem_rotate_log(const struct modem_conf *mc)
{
	char		old[PATH_MAX + 8];
	struct stat	sb;
	int		n;

	if (mc->logfile[0] == '\0' || stat(mc->logfile, &sb) == -1 ||
	    sb.st_size == 0)
		return;
	n = snprintf(old, sizeof(old), "%s.old", mc->logfile);
	if (n > 0 && (size_t)n < sizeof(old))
		rename(mc->logfile, old);
}

/*
 * mkdir -p for the dummy phone's directory, which libGammu does not create;
 * 0700 whatever the umask: the SMS in it hold names and request texts.
 */
static void
modem_mkdirs(const char *path)
{
	char	buf[PATH_MAX];
	size_t	i, len = strlen(path);

	if (len == 0 || len >= sizeof(buf))
		return;
	memcpy(buf, path, len + 1);
	for (i = 1; i <= len; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0700) == -1 && errno != EEXIST)
			return;	/* libGammu will say what is wrong */
		buf[i] = path[i];
	}
}

/*
 * Confines the worker once libGammu has opened the device (src/sandbox.c):
 * what it may still write is the device (for the dummy phone, its
 * directory) and the directory of libGammu's log, which it rotates.
 */
static void
modem_sandbox(const struct modem_conf *mc)
{
	char		 logdir[PATH_MAX];
	const char	*rw[3] = { mc->device, NULL, NULL };
	char		*slash;

	if (mc->logfile[0] != '\0') {
		snprintf(logdir, sizeof(logdir), "%s", mc->logfile);
		if ((slash = strrchr(logdir, '/')) == NULL)
			snprintf(logdir, sizeof(logdir), ".");
		else if (slash == logdir)
			slash[1] = '\0';
		else
			*slash = '\0';
		rw[1] = logdir;
	}
	sandbox_worker("modem", rw);
}

/* Fills config section 0 of a fresh state machine; false when out of memory. */
static bool
modem_configure(struct modem *m)
{
	const struct modem_conf	*mc = m->mc;
	GSM_Config		*cfg = GSM_GetConfig(m->sm, 0);
	bool			 dummy = mc->driver == DRIVER_DUMMY;

	/* GSM_FreeStateMachine frees these three. */
	cfg->Device = strdup(mc->device);
	cfg->Connection = strdup(dummy ? "none" : mc->connection[0] != '\0' ?
	    mc->connection : "at115200");
	cfg->DebugFile = strdup(mc->logfile);
	if (cfg->Device == NULL || cfg->Connection == NULL ||
	    cfg->DebugFile == NULL)
		return false;
	snprintf(cfg->Model, sizeof(cfg->Model), "%s", dummy ? "dummy" : "at");
	snprintf(cfg->DebugLevel, sizeof(cfg->DebugLevel), "%s",
	    mc->logfile[0] != '\0' ? "textalldate" : "");
	/* Otherwise DebugFile is ignored for the process-wide one. */
	cfg->UseGlobalDebugFile = FALSE;
	/*
	 * New-message indications for the AT driver (AT+CNMI): buffer them
	 * while the line is busy (2), store each SMS and announce it with
	 * +CMTI (1), store delivery reports (2; the sweep reads them), flush
	 * buffered ones (0). Cell broadcast is left to libGammu (-1): 1.42
	 * refuses to enable any indication unless the modem offers one for
	 * cell broadcast too, and then sends 0 for it anyway. Left all zero,
	 * as a fresh config is, libGammu takes mode 0 as "no indications".
	 */
	cfg->CNMIParams[0] = 2;
	cfg->CNMIParams[1] = 1;
	cfg->CNMIParams[2] = -1;
	cfg->CNMIParams[3] = 2;
	cfg->CNMIParams[4] = 0;
	cfg->LockDevice = FALSE;
	cfg->StartInfo = FALSE;
	cfg->SyncTime = FALSE;
	snprintf(cfg->TextReminder, sizeof(cfg->TextReminder), "Reminder");
	snprintf(cfg->TextMeeting, sizeof(cfg->TextMeeting), "Meeting");
	snprintf(cfg->TextCall, sizeof(cfg->TextCall), "Call");
	snprintf(cfg->TextBirthday, sizeof(cfg->TextBirthday), "Birthday");
	snprintf(cfg->TextMemo, sizeof(cfg->TextMemo), "Memo");
	GSM_SetConfigNum(m->sm, 1);
	return true;
}

/*
 * Checks the SIM and enters the PIN when it asks for one. Returns 0 when
 * usable; -1 after it has reported and dropped the connection.
 */
static int
modem_sim(struct modem *m)
{
	GSM_SecurityCodeType	sec;
	GSM_SecurityCode	code;
	GSM_Error		e;
	char			detail[128];

#ifdef JOURD_FAULTS
	if (m->fault_pin) {
		m->fault_pin = false;
		e = ERR_SECURITYERROR;
		goto refused;
	}
#endif
	modem_watch(m);
	e = GSM_GetSecurityStatus(m->sm, &sec);
	modem_unwatch();
	if (e != ERR_NONE) {
		if (modem_io_error(e)) {
			modem_lost(m, "SIM status", e);
			return -1;
		}
		/* Not supported by the phone: assume no code is needed. */
		log_debug("modem: SIM status: %s", GSM_ErrorString(e));
		return 0;
	}
	/* PIN2 and PUK2 guard phone-book features, not SMS. */
	if (sec == SEC_None || sec == SEC_Pin2 || sec == SEC_Puk2)
		return 0;
	if (sec != SEC_Pin) {
		snprintf(detail, sizeof(detail), "SIM needs a code jourd does "
		    "not enter (type %d, PUK or phone code)", (int)sec);
		modem_retry(m, detail);
		return -1;
	}
	if (m->mc->pin[0] == '\0') {
		modem_retry(m, "SIM PIN required");
		return -1;
	}

	memset(&code, 0, sizeof(code));
	code.Type = SEC_Pin;
	snprintf(code.Code, sizeof(code.Code), "%s", m->mc->pin);
	/*
	 * An OK means the PIN was right (the SIM may need a moment before it
	 * answers everything). It is entered again after a modem reset, but
	 * never after an error: whatever went wrong, another try could count
	 * against the SIM's three attempts.
	 */
	modem_watch(m);
	e = GSM_EnterSecurityCode(m->sm, &code);
	modem_unwatch();
	explicit_bzero(&code, sizeof(code));
	if (e == ERR_NONE) {
		log_info("modem: SIM PIN accepted");
		return 0;
	}
#ifdef JOURD_FAULTS
refused:
#endif
	snprintf(detail, sizeof(detail), "SIM PIN rejected (%s); not retried",
	    GSM_ErrorString(e));
	log_warnx("modem: %s", detail);
	m->pin_locked = true;
	modem_report(m, MODEM_PIN_WRONG, detail);
	modem_drop(m);
	return -1;
}

/*
 * For a modem that places wake-up calls: asks for call indications, so
 * that the callee's rejection ends the ringing, and hangs up a call left
 * ringing. A failed hang-up leaves libGammu sure that one is still under
 * way (it would skip the next), so the state machine is dropped and the
 * modem connected afresh; false then.
 */
static bool
modem_call_setup(struct modem *m)
{
	GSM_Error	e;

	if ((e = GSM_SetIncomingCall(m->sm, TRUE)) != ERR_NONE)
		log_info("modem: no call indications (%s): a wake-up call "
		    "rings its full time", GSM_ErrorString(e));
	if (!m->hangup_owed)
		return true;
	/* Once: a modem that cannot hang up must not loop on reconnects. */
	m->hangup_owed = false;
	if ((e = GSM_CancelCall(m->sm, 0, TRUE)) == ERR_NONE)
		return true;
	log_warnx("modem: hang-up of a call that may ring on failed: %s",
	    GSM_ErrorString(e));
	modem_lost(m, "hanging up", e);
	return false;
}

static void
modem_connect(struct modem *m)
{
	char		detail[128];
	char		maker[GSM_MAX_MANUFACTURER_LENGTH + 1];
	char		model[GSM_MAX_MODEL_LENGTH + 1];
	GSM_Error	e;

	if ((m->sm = GSM_AllocStateMachine()) == NULL ||
	    !modem_configure(m)) {
		modem_retry(m, "out of memory");
		return;
	}
	modem_rotate_log(m->mc);
	if (m->mc->driver == DRIVER_DUMMY)
		modem_mkdirs(m->mc->device);
	modem_watch(m);
	e = GSM_InitConnection(m->sm, 1);
	modem_unwatch();
	if (e == ERR_DEVICENOPERMISSION && sandbox_on()) {
		/* A new device node (a modem plugged in again) is outside
		 * this worker's sandbox; a fresh worker's sandbox holds it. */
		log_warnx("modem: %s cannot be opened from the sandbox; "
		    "a new worker will open it", m->mc->device);
		modem_free(m);
		exit(1);
	}
	if (e != ERR_NONE) {
		snprintf(detail, sizeof(detail), "%.64s: %s", m->mc->device,
		    GSM_ErrorString(e));
		modem_retry(m, detail);
		return;
	}
	modem_sandbox(m->mc);
	m->dev_fd = m->mc->driver == DRIVER_AT ?
	    modem_find_device_fd(m->mc->device) : -1;
	if (m->mc->driver == DRIVER_AT)
		log_debug("modem: %s", m->dev_fd != -1 ? "waiting on the tty for "
		    "indications" : "tty not found: asking every 500 ms");
	/* InitConnection has just forgotten every callback. */
	GSM_SetSendSMSStatusCallback(m->sm, modem_send_status_cb, m);
	GSM_SetIncomingSMSCallback(m->sm, modem_incoming_cb, m);
	GSM_SetIncomingCallCallback(m->sm, modem_call_cb, m);
	m->connected = true;

	if (modem_sim(m) == -1)
		return;

	modem_watch(m);
	if (m->mc->driver == DRIVER_AT) {
		e = GSM_SetIncomingSMS(m->sm, TRUE);
		if (e != ERR_NONE)
			log_info("modem: no new-message indications (%s); "
			    "sweeping every %lld ms", GSM_ErrorString(e),
			    (long long)m->mc->sweep);
	}
	if (m->mc->driver == DRIVER_AT && m->mc->calls &&
	    !modem_call_setup(m)) {
		modem_unwatch();
		return;
	}
	memset(&m->smsc, 0, sizeof(m->smsc));
	m->smsc.Location = 1;
	m->have_smsc = GSM_GetSMSC(m->sm, &m->smsc) == ERR_NONE;
	if (!m->have_smsc)
		memset(&m->smsc, 0, sizeof(m->smsc));
	m->smsc.Location = 0;
	maker[0] = model[0] = '\0';
	if (GSM_GetManufacturer(m->sm, maker) != ERR_NONE)
		maker[0] = '\0';
	if (GSM_GetModel(m->sm, model) != ERR_NONE)
		model[0] = '\0';
	modem_unwatch();
	maker[sizeof(maker) - 1] = model[sizeof(model) - 1] = '\0';

	snprintf(m->ident, sizeof(m->ident), "%s %s", maker, model);
	log_info("modem: ready: %s on %s", m->ident, m->mc->device);
	m->backoff = MODEM_BACKOFF_MIN;
	m->next_sweep = jtime_mono();
	m->next_poll = jtime_mono() + MODEM_AT_POLL;
	m->registered = true;
	m->next_network = 0;
	modem_network(m);
}

/*
 * The network as the modem sees it, every MODEM_NETWORK_CHECK: the
 * operator and the signal go into the state's detail for jourctl status,
 * and a modem that is not registered is reported failed (the parent sends
 * through another route) until it is again. The dummy phone has no
 * network: it is ready as it is.
 */
static void
modem_network(struct modem *m)
{
	GSM_NetworkInfo		net;
	GSM_SignalQuality	sig;
	char			detail[256], op[64] = "", signal[24] = "";
	bool			registered = true;

	m->next_network = jtime_mono() + MODEM_NETWORK_CHECK;
	if (m->mc->driver != DRIVER_AT || m->in_call) {
		if (m->registered)
			modem_report(m, MODEM_READY, m->ident);
		return;
	}
	memset(&net, 0, sizeof(net));
	memset(&sig, 0, sizeof(sig));
	modem_watch(m);
	if (GSM_GetNetworkInfo(m->sm, &net) == ERR_NONE) {
		registered = net.State == GSM_HomeNetwork ||
		    net.State == GSM_RoamingNetwork;
		modem_utf8(m, net.NetworkName, op, sizeof(op));
		if (op[0] == '\0')
			text_copy(op, sizeof(op), net.NetworkCode);
	}
	if (GSM_GetSignalQuality(m->sm, &sig) == ERR_NONE &&
	    sig.SignalPercent >= 0)
		snprintf(signal, sizeof(signal), "signal %d%%",
		    sig.SignalPercent);
	modem_unwatch();
	if (!registered) {
		if (m->registered)
			log_warnx("modem: not registered on a network");
		m->registered = false;
		modem_report(m, MODEM_FAILED, "not registered on a network");
		return;
	}
	if (!m->registered)
		log_info("modem: registered again%s%s", op[0] ? ": " : "", op);
	m->registered = true;
	snprintf(detail, sizeof(detail), "%s%s%s%s%s", m->ident,
	    op[0] ? ", " : "", op, signal[0] ? ", " : "", signal);
	modem_report(m, MODEM_READY, detail);
}

/* True when the dummy phone's inbox folders hold any numbered file. */
static bool
modem_dummy_has_sms(const char *device)
{
	static const char	*folders[] = { "sms/1", "sms/3" };
	char			 dir[PATH_MAX];
	DIR			*d;
	struct dirent		*de;
	const char		*p;
	size_t			 i;
	int			 n;
	bool			 found = false;

	for (i = 0; i < nitems(folders) && !found; i++) {
		n = snprintf(dir, sizeof(dir), "%s/%s", device, folders[i]);
		if (n < 0 || (size_t)n >= sizeof(dir))
			return true;
		if ((d = opendir(dir)) == NULL) {
			if (errno == ENOENT)
				continue;
			return true;	/* let libGammu find out */
		}
		while (!found && (de = readdir(d)) != NULL) {
			for (p = de->d_name; isdigit((unsigned char)*p); p++)
				;
			found = p != de->d_name && *p == '\0';
		}
		closedir(d);
	}
	return found;
}

/* Appends a part read from the phone; false when the sweep is full. */
static bool
modem_add_part(struct modem *m, const GSM_SMSMessage *sms,
    const struct modem_loc *loc)
{
	struct modem_part	*p;
	size_t			 cap;

	if (m->nparts == MODEM_SWEEP_PARTS)
		return false;
	if (m->nparts == m->partcap) {
		cap = m->partcap == 0 ? 16 : m->partcap * 2;
		if ((p = reallocarray(m->parts, cap, sizeof(*p))) == NULL) {
			log_warn("modem: sweep");
			return false;
		}
		m->parts = p;
		m->partcap = cap;
	}
	p = &m->parts[m->nparts++];
	p->sms = *sms;
	p->loc = *loc;
	modem_utf8(m, sms->Number, p->sender, sizeof(p->sender));
	p->concat = modem_concat(&sms->UDH, &p->ref, &p->seq, &p->total,
	    &p->wide);
	p->smsc = modem_time(&sms->DateTime, 0);
	p->group = -1;
	p->copy = false;
	return true;
}

/* Reads the whole SMS memory into m->parts. Returns -1 if the link broke. */
static int
modem_list(struct modem *m)
{
	GSM_MultiSMSMessage	*multi = m->multi;
	struct modem_loc	 loc;
	GSM_Error		 e;
	gboolean		 start = TRUE;
	int			 i, rounds, errors = 0;

	m->nparts = 0;
	if (m->mc->driver == DRIVER_DUMMY && !modem_dummy_has_sms(m->mc->device))
		return 0;
	/* Bounded: a confused driver must not keep us here forever. */
	for (rounds = 0; rounds < 4 * MODEM_SWEEP_PARTS; rounds++) {
		if (start)
			memset(multi, 0, sizeof(*multi));
		multi->Number = 0;
		e = GSM_GetNextSMS(m->sm, multi, start);
		start = FALSE;
		if (e == ERR_EMPTY)
			break;
		if (e != ERR_NONE) {
			if (modem_io_error(e)) {
				modem_lost(m, "reading SMS", e);
				return -1;
			}
			/* An unreadable entry: the listing goes on past it. */
			if (++errors == 1 && m->sweep_errors == 0)
				log_warnx("modem: reading SMS: %s",
				    GSM_ErrorString(e));
			if (errors >= MODEM_SWEEP_ERRORS)
				break;
			continue;
		}
		for (i = 0; i < multi->Number && i < GSM_MAX_MULTI_SMS; i++) {
			const GSM_SMSMessage *sms = &multi->SMS[i];

			if (!sms->InboxFolder)
				continue;
			if (sms->PDU != SMS_Deliver &&
			    sms->PDU != SMS_Status_Report)
				continue;
			loc.folder = sms->Folder;
			loc.location = sms->Location;
			loc.memory = sms->Memory;
			if (!modem_add_part(m, sms, &loc))
				goto full;
		}
	}
full:
	m->sweep_errors = errors;
	return 0;
}

static bool
modem_loc_equal(const struct modem_loc *a, const struct modem_loc *b)
{
	return a->folder == b->folder && a->location == b->location;
}

/* Deletes one part from the phone or from memory; false if the link broke. */
static bool
modem_delete(struct modem *m, const struct modem_loc *loc)
{
	GSM_Error	e;
	size_t		i;

	if (loc->folder == -1) {
		for (i = 0; i < m->nlive; i++) {
			if (m->live_id[i] != loc->location)
				continue;
			m->nlive--;
			m->live[i] = m->live[m->nlive];
			m->live_id[i] = m->live_id[m->nlive];
			break;
		}
		return true;
	}
	if (!m->connected)
		return true;	/* read again later; the parent sees a repeat */
	memset(&m->scratch, 0, sizeof(m->scratch));
	m->scratch.Folder = loc->folder;
	m->scratch.Location = loc->location;
	m->scratch.Memory = loc->memory;
	modem_watch(m);
	e = GSM_DeleteSMS(m->sm, &m->scratch);
	modem_unwatch();
	if (e == ERR_NONE || e == ERR_EMPTY)
		return true;
	if (modem_io_error(e)) {
		modem_lost(m, "deleting SMS", e);
		return false;
	}
	log_warnx("modem: deleting SMS %d/%d: %s", loc->folder, loc->location,
	    GSM_ErrorString(e));
	return true;
}

/* Forwards the delivery reports found in the sweep and deletes them. */
static void
modem_sweep_reports(struct modem *m)
{
	struct ipc_status_report	r;
	size_t				i;

	for (i = 0; i < m->nparts && m->connected; i++) {
		if (m->parts[i].sms.PDU != SMS_Status_Report)
			continue;
		if (modem_status_report(m, &m->parts[i].sms, &r) &&
		    ipc_send(m->fd, IPC_STATUS_REPORT, &r, sizeof(r)) == -1) {
			log_warn("modem: status report to parent");
			continue;	/* keep it for the next sweep */
		}
		modem_delete(m, &m->parts[i].loc);
	}
}

/* Forwards reports that arrived in indications (+CDS). */
static void
modem_flush_reports(struct modem *m)
{
	size_t	i;

	for (i = 0; i < m->nreports; i++)
		if (ipc_send(m->fd, IPC_STATUS_REPORT, &m->reports[i],
		    sizeof(m->reports[i])) == -1)
			log_warn("modem: status report to parent");
	m->nreports = 0;
}

/* True when a and b carry the same sender, reference and part count. */
static bool
modem_same_message(const struct modem_part *a, const struct modem_part *b)
{
	return a->concat && b->concat && a->ref == b->ref &&
	    a->total == b->total && a->wide == b->wide &&
	    strcmp(a->sender, b->sender) == 0;
}

static jtime_t
modem_abs(jtime_t v)
{
	return v < 0 ? -v : v;
}

/* Bytes of a part's text: 8-bit data by its length, else Gammu unicode. */
static size_t
modem_part_bytes(const struct modem_part *p)
{
	if (p->sms.Coding == SMS_Coding_8bit)
		return p->sms.Length >= 0 && (size_t)p->sms.Length <=
		    sizeof(p->sms.Text) ? (size_t)p->sms.Length : 0;
	return 2 * UnicodeLength(p->sms.Text);
}

/* True when b is a second stored copy of part a: same place, time and text. */
static bool
modem_same_part(const struct modem_part *a, const struct modem_part *b)
{
	size_t	n = modem_part_bytes(a);

	return a->seq == b->seq && a->smsc == b->smsc &&
	    a->sms.Coding == b->sms.Coding && n == modem_part_bytes(b) &&
	    memcmp(a->sms.Text, b->sms.Text, n) == 0;
}

/* Appends an empty group whose first part is i; -1 when out of memory. */
static int
modem_group_new(struct modem *m, size_t i)
{
	struct modem_group	*g;
	size_t			 cap;

	if (m->ngroups == m->groupcap) {
		cap = m->groupcap == 0 ? 8 : m->groupcap * 2;
		if ((g = reallocarray(m->groups, cap, sizeof(*g))) == NULL) {
			log_warn("modem: sweep");
			return -1;
		}
		m->groups = g;
		m->groupcap = cap;
	}
	g = &m->groups[m->ngroups];
	g->first = (int)i;
	g->collided = false;
	g->present = 0;
	memset(g->slot, 0xff, sizeof(g->slot));	/* all -1 */
	return (int)m->ngroups++;
}

/*
 * The group part i of a long SMS belongs to: a copy of a part already
 * placed goes with it; otherwise the message with the same sender,
 * reference and part count, within MODEM_CONCAT_WINDOW of its time stamp
 * and still missing this part, the nearest in time first. -1 when none;
 * *collided says whether another message of the same reference was near.
 */
static int
modem_group_find(struct modem *m, size_t i, bool *collided)
{
	const struct modem_part	*p = &m->parts[i], *first;
	const struct modem_group *g;
	jtime_t			 dt, best_dt = 0;
	size_t			 j;
	int			 best = -1, s;

	*collided = false;
	for (j = 0; j < m->ngroups; j++) {
		g = &m->groups[j];
		first = &m->parts[g->first];
		if (!modem_same_message(first, p))
			continue;
		if ((dt = modem_abs(p->smsc - first->smsc)) > MODEM_CONCAT_WINDOW)
			continue;
		if ((s = g->slot[p->seq]) != -1) {
			if (modem_same_part(&m->parts[s], p)) {
				m->parts[i].copy = true;
				return (int)j;
			}
			*collided = true;
			continue;
		}
		if (best == -1 || dt < best_dt) {
			best = (int)j;
			best_dt = dt;
		}
	}
	return best;
}

/*
 * Sorts the SMS_Deliver parts of the sweep into messages, in the order
 * their first parts were read. Two long SMS from one sender can share a
 * reference (it is one byte): they are told apart by time stamp and, when
 * both are whole, by the part that is there twice with different text.
 * Only an identical copy of a part is deleted with the message it repeats.
 */
static bool
modem_group_parts(struct modem *m)
{
	struct modem_group	*g;
	struct modem_part	*p;
	size_t			 i;
	int			 j;
	bool			 collided = false;

	m->ngroups = 0;
	for (i = 0; i < m->nparts; i++) {
		p = &m->parts[i];
		if (p->sms.PDU != SMS_Deliver)
			continue;
		p->copy = false;
		j = p->concat ? modem_group_find(m, i, &collided) : -1;
		if (j == -1) {
			if ((j = modem_group_new(m, i)) == -1)
				return false;
			m->groups[j].collided = p->concat && collided;
		}
		g = &m->groups[j];
		p->group = j;
		if (p->copy)
			continue;
		g->slot[p->concat ? p->seq : 1] = (int)i;
		g->present++;
	}
	return true;
}

/* True when some part of group gi is already with the parent. */
static bool
modem_group_handed(struct modem *m, int gi)
{
	size_t	i, h, l;

	for (i = 0; i < m->nparts; i++) {
		if (m->parts[i].group != gi)
			continue;
		for (h = 0; h < MODEM_MAX_PENDING; h++) {
			if (!m->handed[h].used)
				continue;
			for (l = 0; l < m->handed[h].nlocs; l++)
				if (modem_loc_equal(&m->handed[h].locs[l],
				    &m->parts[i].loc))
					return true;
		}
	}
	return false;
}

static struct modem_waiting *
modem_waiting_find(struct modem *m, const struct modem_part *p)
{
	struct modem_waiting	*w;
	size_t			 i, cap;

	for (i = 0; i < m->nwaiting; i++) {
		w = &m->waiting[i];
		if (w->ref == p->ref && w->total == p->total &&
		    w->wide == p->wide && strcmp(w->sender, p->sender) == 0 &&
		    modem_abs(w->smsc - p->smsc) <= MODEM_CONCAT_WINDOW)
			return w;
	}
	if (m->nwaiting == m->waitcap) {
		cap = m->waitcap == 0 ? 8 : m->waitcap * 2;
		if ((w = reallocarray(m->waiting, cap, sizeof(*w))) == NULL)
			return NULL;
		m->waiting = w;
		m->waitcap = cap;
	}
	w = &m->waiting[m->nwaiting++];
	memset(w, 0, sizeof(*w));
	text_copy(w->sender, sizeof(w->sender), p->sender);
	w->ref = p->ref;
	w->total = p->total;
	w->wide = p->wide;
	w->smsc = p->smsc;
	w->since = jtime_mono();
	return w;
}

/* Forgets incomplete messages that are no longer on the phone. */
static void
modem_waiting_purge(struct modem *m)
{
	size_t	i = 0;

	while (i < m->nwaiting) {
		if (!m->waiting[i].seen) {
			m->waiting[i] = m->waiting[--m->nwaiting];
			continue;
		}
		m->waiting[i].seen = false;
		i++;
	}
}

/* Concatenates the unicode text of the parts present, in order. */
static void
modem_join(struct modem *m, const struct modem_group *g, int total,
    char *out, size_t outsz)
{
	static unsigned char	 joined[MODEM_UCS_UNITS * 2];
	const unsigned char	*t;
	size_t			 used = 0, n;
	int			 seq;

	for (seq = 1; seq <= total; seq++) {
		if (g->slot[seq] == -1)
			continue;
		t = m->parts[g->slot[seq]].sms.Text;
		n = UnicodeLength(t);
		if (n > SMS_TEXT_MAX - used)
			n = SMS_TEXT_MAX - used;
		memcpy(joined + 2 * used, t, 2 * n);
		used += n;
	}
	joined[2 * used] = joined[2 * used + 1] = 0;
	modem_utf8(m, joined, out, outsz);
}

/* The UTF-8 text of a message (group g), bounded to outsz. */
static void
modem_text(struct modem *m, const struct modem_group *g, int total,
    char *out, size_t outsz)
{
	GSM_MultiPartSMSInfo	info;
	int			seq;
	bool			done = false;

	/* A plain single part is not decoded by GSM_DecodeMultiPartSMS. */
	if (total > 1 && g->present == total && total <= GSM_MAX_MULTI_SMS) {
		memset(m->multi, 0, sizeof(*m->multi));
		for (seq = 1; seq <= total; seq++)
			m->multi->SMS[m->multi->Number++] =
			    m->parts[g->slot[seq]].sms;
		GSM_ClearMultiPartSMSInfo(&info);
		if (GSM_DecodeMultiPartSMS(GSM_GetDebug(m->sm), &info, m->multi,
		    FALSE) && info.EntriesNum >= 1 &&
		    info.Entries[0].Buffer != NULL &&
		    (info.Entries[0].ID == SMS_ConcatenatedTextLong ||
		    info.Entries[0].ID == SMS_ConcatenatedAutoTextLong ||
		    info.Entries[0].ID == SMS_ConcatenatedTextLong16bit ||
		    info.Entries[0].ID == SMS_ConcatenatedAutoTextLong16bit)) {
			modem_utf8(m, info.Entries[0].Buffer, out, outsz);
			done = true;
		}
		GSM_FreeMultiPartSMSInfo(&info);
	}
	if (!done)
		modem_join(m, g, total, out, outsz);
}

/* Remembers what was handed over under token, to delete it later. */
static bool
modem_remember(struct modem *m, uint32_t token, int gi)
{
	struct modem_handed	*h = NULL;
	size_t			 i, l, n = 0;

	for (i = 0; i < MODEM_MAX_PENDING; i++)
		if (!m->handed[i].used) {
			h = &m->handed[i];
			break;
		}
	if (h == NULL)
		return false;
	for (i = 0; i < m->nparts; i++)
		n += m->parts[i].group == gi;
	if ((h->locs = calloc(n, sizeof(*h->locs))) == NULL)
		return false;
	h->nlocs = 0;
	for (i = 0; i < m->nparts; i++) {
		if (m->parts[i].group != gi)
			continue;
		for (l = 0; l < h->nlocs; l++)
			if (modem_loc_equal(&h->locs[l], &m->parts[i].loc))
				break;
		if (l == h->nlocs)
			h->locs[h->nlocs++] = m->parts[i].loc;
	}
	h->token = token;
	h->used = true;
	m->nhanded++;
	return true;
}

static struct modem_handed *
modem_handed_find(struct modem *m, uint32_t token)
{
	size_t	i;

	for (i = 0; i < MODEM_MAX_PENDING; i++)
		if (m->handed[i].used && m->handed[i].token == token)
			return &m->handed[i];
	return NULL;
}

static void
modem_forget(struct modem *m, struct modem_handed *h)
{
	free(h->locs);
	memset(h, 0, sizeof(*h));
	m->nhanded--;
}

/* Builds the IPC_SMS_IN of group gi and sends it to the parent. */
static void
modem_hand_over(struct modem *m, int gi)
{
	const struct modem_group	*g = &m->groups[gi];
	const struct modem_part		*first = &m->parts[g->first];
	const struct modem_part		*p;
	struct ipc_sms_in		*in = &m->in;
	int				 seq, total = first->concat ? first->total : 1;

	memset(in, 0, sizeof(*in));
	if (++m->next_token == 0)
		m->next_token = 1;
	in->token = m->next_token;
	text_copy(in->sender, sizeof(in->sender), first->sender);
	in->concat_ref = first->concat ? first->ref : -1;
	in->parts = g->present;
	in->parts_total = total;
	/* The first part present carries the time stamp and class. */
	for (seq = 1; seq <= total && g->slot[seq] == -1; seq++)
		;
	p = &m->parts[g->slot[seq]];
	in->smsc_time = modem_time(&p->sms.DateTime, jtime_now());
	in->sms_class = p->sms.Class >= 0 && p->sms.Class <= 3 ?
	    p->sms.Class : -1;
	for (seq = 1; seq <= total; seq++)
		if (g->slot[seq] != -1 &&
		    m->parts[g->slot[seq]].sms.Coding == SMS_Coding_8bit)
			in->binary = 1;
	if (!in->binary)
		modem_text(m, g, total, in->text, sizeof(in->text));

	if (!modem_remember(m, in->token, gi)) {
		log_warnx("modem: cannot track a message from %s; next sweep",
		    in->sender);
		return;
	}
	if (ipc_send(m->fd, IPC_SMS_IN, in, sizeof(*in)) == -1) {
		log_warn("modem: SMS to parent");
		modem_forget(m, modem_handed_find(m, in->token));
		return;
	}
	if (g->collided)
		log_info("modem: SMS from %s shares reference %d with another "
		    "message; both are kept", in->sender, in->concat_ref);
	log_debug("modem: SMS from %s handed over as %u (%d of %d parts)",
	    in->sender, in->token, in->parts, in->parts_total);
}

/* Hands over every whole message, and every incomplete one held too long. */
static void
modem_sweep_messages(struct modem *m)
{
	struct modem_waiting	*w;
	const struct modem_part	*first;
	jtime_t			 now = jtime_mono();
	size_t			 gi;

	if (!modem_group_parts(m))
		return;
	for (gi = 0; gi < m->ngroups; gi++) {
		first = &m->parts[m->groups[gi].first];
		if (first->concat && m->groups[gi].present < first->total) {
			if ((w = modem_waiting_find(m, first)) == NULL)
				continue;
			w->seen = true;
			if (now - w->since < modem_hold)
				continue;
		}
		/* Not break: later incomplete messages must stay marked seen. */
		if (m->nhanded == MODEM_MAX_PENDING)
			continue;
		if (modem_group_handed(m, (int)gi))
			continue;
		modem_hand_over(m, (int)gi);
	}
}

/* One full read of the phone's SMS memory. */
static void
modem_sweep(struct modem *m)
{
	struct modem_loc	loc;
	size_t			i;

	modem_watch(m);
	if (modem_list(m) == -1) {
		modem_unwatch();
		return;
	}
	/* Messages that came in an indication are in our memory only. */
	for (i = 0; i < m->nlive; i++) {
		loc.folder = -1;
		loc.location = m->live_id[i];
		loc.memory = 0;
		if (!modem_add_part(m, &m->live[i], &loc))
			break;
	}
	modem_sweep_reports(m);
	modem_unwatch();
	if (!m->connected)
		return;
	modem_sweep_messages(m);
	modem_waiting_purge(m);
}

/*
 * The parent has stored the message: delete every part of it, or after
 * the call when one rings (deleting needs the line).
 */
static void
modem_committed(struct modem *m, uint32_t token)
{
	struct modem_handed	*h;
	size_t			 i;

	if ((h = modem_handed_find(m, token)) == NULL) {
		log_warnx("modem: commit of unknown message %u", token);
		return;
	}
	if (m->in_call) {
		h->commit_due = true;
		return;
	}
	for (i = 0; i < h->nlocs; i++)
		if (!modem_delete(m, &h->locs[i]))
			break;
	modem_forget(m, h);
}

static void
modem_retry_later(struct modem *m, uint32_t token)
{
	struct modem_handed	*h;

	if ((h = modem_handed_find(m, token)) == NULL) {
		log_warnx("modem: retry of unknown message %u", token);
		return;
	}
	modem_forget(m, h);
}

static void
modem_send_fail(struct ipc_send_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
modem_send_fail(struct ipc_send_result *r, const char *fmt, ...)
{
	va_list	ap;

	r->ok = 0;
	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
}

/* Sends part sms and waits for the network's answer until deadline. */
static bool
modem_send_part(struct modem *m, GSM_SMSMessage *sms, jtime_t deadline,
    struct ipc_send_result *r, int part, int parts)
{
	GSM_Error	e;

	m->send_done = false;
#ifdef JOURD_FAULTS
	if (m->fault_sendfail > 0) {
		m->fault_sendfail--;
		modem_send_fail(r, "modem: part %d of %d: injected failure",
		    part, parts);
		return false;
	}
#endif
	modem_watch(m);
	e = GSM_SendSMS(m->sm, sms);
	/* The dummy answers inside SendSMS; the AT driver in ReadDevice. */
	while (e == ERR_NONE && !m->send_done && jtime_mono() < deadline)
		if (GSM_ReadDevice(m->sm, TRUE) < 0)
			break;
	modem_unwatch();
	if (e != ERR_NONE) {
		modem_send_fail(r, "modem: part %d of %d: %s", part, parts,
		    GSM_ErrorString(e));
		if (modem_io_error(e))
			modem_lost(m, "sending SMS", e);
		return false;
	}
	if (!m->send_done) {
		modem_send_fail(r, "modem: no answer to part %d of %d",
		    part, parts);
		/* A modem that does not answer is reset. */
		modem_lost(m, "sending SMS", ERR_TIMEOUT);
		return false;
	}
	if (m->send_status != 0) {
		modem_send_fail(r, "modem: part %d of %d refused (error %d)",
		    part, parts, m->send_status);
		return false;
	}
	return true;
}

static void
modem_send(struct modem *m, const struct ipc_send *req)
{
	static unsigned char	 ubuf[(SMS_TEXT_MAX + 1) * 2];
	struct ipc_send_result	 r;
	GSM_MultiPartSMSInfo	 info;
	GSM_MultiSMSMessage	*multi = m->multi;
	GSM_Error		 e;
	size_t			 tlen = strlen(req->text), tolen = strlen(req->to);
	jtime_t			 deadline;
	int			 i;

#ifdef JOURD_FAULTS
	if (m->fault_hangsend) {
		log_warnx("modem: fault injected: hanging in a send");
		for (;;)
			pause();
	}
#endif
	memset(&r, 0, sizeof(r));
	r.outbox_id = req->outbox_id;
	r.msg_ref = -1;
	if (m->pin_locked)
		modem_send_fail(&r, "modem: wrong SIM PIN");
	else if (!m->connected)
		modem_send_fail(&r, "modem not connected");
	else if (tolen == 0 || !text_valid_utf8(req->to, tolen))
		modem_send_fail(&r, "modem: bad recipient");
	else if (tlen == 0 || !text_valid_utf8(req->text, tlen))
		modem_send_fail(&r, "modem: empty text or not UTF-8");
	else {
		DecodeUTF8(ubuf, req->text, tlen);
		GSM_ClearMultiPartSMSInfo(&info);
		info.EntriesNum = 1;
		info.Class = -1;
		/* 7-bit when every character is in the GSM alphabet, else UCS-2. */
		info.Entries[0].ID = SMS_ConcatenatedAutoTextLong;
		info.Entries[0].Buffer = ubuf;
		memset(multi, 0, sizeof(*multi));
		e = GSM_EncodeMultiPartSMS(GSM_GetDebug(m->sm), &info, multi);
		/* Not GSM_FreeMultiPartSMSInfo: it would free(ubuf). */
		if (e != ERR_NONE)
			modem_send_fail(&r, "modem: cannot encode: %s",
			    GSM_ErrorString(e));
		else if (multi->Number < 1 ||
		    multi->Number >= GSM_MAX_MULTI_SMS)
			modem_send_fail(&r, "modem: text too long");
		else
			r.ok = 1;
	}

	/* Answer before the parent's own watchdog gives up on us. */
	deadline = jtime_mono() + m->mc->reply_timeout * 3 / 4;
	for (i = 0; r.ok && i < multi->Number; i++) {
		GSM_SMSMessage	*sms = &multi->SMS[i];

		sms->SMSC = m->smsc;	/* empty: the SIM's default centre */
		sms->SMSC.Location = 0;
		DecodeUTF8(sms->Number, req->to, tolen);
		/* libGammu's way to ask for a delivery report on a submit. */
		sms->PDU = SMS_Status_Report;
		if (!modem_send_part(m, sms, deadline, &r, i + 1,
		    multi->Number))
			break;
		r.parts = i + 1;
		r.msg_ref = m->send_ref & 0xff;
	}
	if (!r.ok)
		log_warnx("outbox %lld: %s", (long long)req->outbox_id,
		    r.error);
	if (ipc_send(m->fd, IPC_SEND_RESULT, &r, sizeof(r)) == -1)
		log_warn("modem: send result to parent");
}

/* True when to is a number in E.164, the only form the worker dials. */
static bool
modem_dialable(const char *to)
{
	char	e164[PHONE_MAX];

	return phone_normalise(to, e164) == PHONE_OK && strcmp(e164, to) == 0;
}

/* Seconds since the monotonic instant t0, for the log. */
static double
modem_since(jtime_t t0)
{
	return (double)(jtime_mono() - t0) / 1000;
}

/*
 * Lets a dialled call ring until the monotonic instant until, until the
 * callee ends it or until the line is lost, serving the parent meanwhile
 * (pings; a commit is kept for after the call). Returns -1 when the
 * parent is gone, else 0.
 */
static int
modem_ring(struct modem *m, jtime_t until)
{
	struct pollfd	pfd[2];
	jtime_t		now;
	nfds_t		n;
	int		rc, wait;

	while (m->connected && !m->call_ended &&
	    (now = jtime_mono()) < until) {
		wait = (int)(until - now);
		pfd[0].fd = m->fd;
		pfd[0].events = POLLIN;
		pfd[0].revents = 0;
		n = 1;
		if (m->dev_fd != -1) {
			pfd[1].fd = m->dev_fd;
			pfd[1].events = POLLIN;
			pfd[1].revents = 0;
			n = 2;
		} else if (wait > MODEM_CALL_POLL)
			wait = MODEM_CALL_POLL;
		if ((rc = poll(pfd, n, wait)) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("modem: poll");
			return 0;	/* hang up now rather than spin */
		}
		if (n == 2 && pfd[1].revents != 0 &&
		    !(pfd[1].revents & POLLIN)) {
			modem_lost(m, "device", ERR_DEVICEREADERROR);
			break;
		}
		if (n == 1 || (pfd[1].revents & POLLIN)) {
			/* NO CARRIER, +CMTI: libGammu calls the callbacks. */
			modem_watch(m);
			GSM_ReadDevice(m->sm, FALSE);
			modem_unwatch();
		}
		if ((pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    modem_dispatch(m) == -1)
			return -1;
	}
	return 0;
}

/*
 * Dials, rings and hangs up one wake-up call on the AT driver; fills r.
 * Returns -1 when the parent went away meanwhile (the call is hung up
 * all the same), else 0.
 */
static int
modem_call_at(struct modem *m, const struct ipc_call *req,
    struct ipc_send_result *r)
{
	char		number[GSM_MAX_NUMBER_LENGTH + 1];
	GSM_Error	e;
	jtime_t		t0;
	int		rc;

	/* GSM_DialVoice takes a writable string. */
	snprintf(number, sizeof(number), "%s", req->to);
	m->call_ended = false;
	m->in_call = true;
	modem_watch(m);
	e = GSM_DialVoice(m->sm, number, GSM_CALL_DefaultNumberPresence);
	modem_unwatch();
	if (e != ERR_NONE) {
		m->in_call = false;
		modem_send_fail(r, "modem: dialling: %s", GSM_ErrorString(e));
		log_warnx("modem: call to %s: dialling failed: %s", req->to,
		    GSM_ErrorString(e));
		if (modem_io_error(e)) {
			/* The modem may have dialled before it fell silent. */
			m->hangup_owed = true;
			modem_lost(m, "dialling", e);
		}
		return 0;
	}
	t0 = jtime_mono();
	r->ok = 1;
	log_info("modem: call to %s: dialled", req->to);

	rc = modem_ring(m, t0 + req->ring_ms);
	if (!m->connected) {
		/* The reconnect hangs up whatever may ring on. */
		m->in_call = false;
		m->hangup_owed = true;
		log_warnx("modem: call to %s: line lost after %.1fs", req->to,
		    modem_since(t0));
		return rc;
	}
	if (m->call_ended)
		log_info("modem: call to %s: ended by the callee after %.1fs",
		    req->to, modem_since(t0));
	/*
	 * Hung up even after the callee's end: BUSY and NO ANSWER are not
	 * reported, and the modem must be idle for the next call.
	 */
	modem_watch(m);
	e = GSM_CancelCall(m->sm, 0, TRUE);
	modem_unwatch();
	m->in_call = false;
	if (e != ERR_NONE) {
		log_warnx("modem: call to %s: hang-up failed after %.1fs: %s; "
		    "resetting the modem", req->to, modem_since(t0),
		    GSM_ErrorString(e));
		/*
		 * libGammu now takes a hang-up to be under way and would skip
		 * the next one: a fresh state machine hangs up on connect.
		 */
		m->hangup_owed = true;
		m->hangup_err = e;
	} else if (!m->call_ended)
		log_info("modem: call to %s: hung up after %.1fs", req->to,
		    modem_since(t0));
	return rc;
}

/*
 * A wake-up call (IPC_CALL): answered with exactly one IPC_SEND_RESULT,
 * ok once the call was dialled whether or not anyone answered. Returns -1
 * when the worker must stop.
 */
static int
modem_call(struct modem *m, const struct ipc_call *req)
{
	struct ipc_send_result	r;
	struct modem_handed	*h;
	size_t			 i;
	int			 rc = 0;
	bool			 dialled = false;

	memset(&r, 0, sizeof(r));
	r.outbox_id = req->outbox_id;
	r.msg_ref = -1;
	if (!m->mc->calls)
		modem_send_fail(&r, "modem: calls = no: this modem places no "
		    "calls");
	else if (!modem_dialable(req->to))
		modem_send_fail(&r, "modem: not a number in E.164 form");
	else if (m->pin_locked)
		modem_send_fail(&r, "modem: wrong SIM PIN");
	else if (!m->connected)
		modem_send_fail(&r, "modem not connected");
	else if (m->mc->driver == DRIVER_DUMMY) {
		/* Gammu's dummy phone cannot ring: the outbox is the record. */
		log_info("modem: call to %s recorded (dummy driver: no ringing)",
		    req->to);
		r.ok = 1;
	} else {
		/* It logs every step, a failed dial included. */
		rc = modem_call_at(m, req, &r);
		dialled = true;
	}
	if (!r.ok && !dialled)
		log_warnx("outbox %lld: %s", (long long)req->outbox_id,
		    r.error);
	if (rc == 0 && ipc_send(m->fd, IPC_SEND_RESULT, &r, sizeof(r)) == -1)
		log_warn("modem: call result to parent");
	/*
	 * After the answer, so that the parent is not kept waiting; at once,
	 * not after the usual pause, since the phone may still be ringing.
	 */
	if (m->hangup_owed && m->connected) {
		modem_lost(m, "hanging up", m->hangup_err);
		m->next_connect = jtime_mono();
	}
	for (i = 0; i < MODEM_MAX_PENDING; i++) {
		h = &m->handed[i];
		if (h->used && h->commit_due)
			modem_committed(m, h->token);
	}
	return rc;
}

/*
 * A send or call handed over while a call rings: the parent keeps one
 * message in flight per route, so this is its mistake; refused at once
 * rather than held for the length of the ringing.
 */
static void
modem_busy(struct modem *m, int64_t outbox_id)
{
	struct ipc_send_result	r;

	memset(&r, 0, sizeof(r));
	r.outbox_id = outbox_id;
	r.msg_ref = -1;
	modem_send_fail(&r, "modem: busy with a wake-up call");
	log_warnx("outbox %lld: %s", (long long)outbox_id, r.error);
	if (ipc_send(m->fd, IPC_SEND_RESULT, &r, sizeof(r)) == -1)
		log_warn("modem: send result to parent");
}

/* One message from the parent. Returns -1 when the worker must stop. */
static int
modem_dispatch(struct modem *m)
{
	union {
		struct ipc_token	token;
		struct ipc_send		send;
		struct ipc_call		call;
		unsigned char		raw[IPC_MAX_PAYLOAD];
	}			buf;
	struct ipc_hdr		hdr;
	int			rc;

	rc = ipc_recv(m->fd, &hdr, &buf);
	if (rc == 0)
		return -1;
	if (rc == -1) {
		if (errno == EINTR || errno == EAGAIN)
			return 0;
		log_warn("modem: from parent");
		return -1;
	}
	switch (hdr.type) {
	case IPC_SMS_COMMITTED:
		modem_committed(m, buf.token.token);
		break;
	case IPC_SMS_RETRY:
		modem_retry_later(m, buf.token.token);
		break;
	case IPC_SEND:
		if (m->in_call)
			modem_busy(m, buf.send.outbox_id);
		else
			modem_send(m, &buf.send);
		break;
	case IPC_CALL:
		if (m->in_call)
			modem_busy(m, buf.call.outbox_id);
		else
			return modem_call(m, &buf.call);
		break;
	case IPC_PING:
		if (ipc_send(m->fd, IPC_PONG, &buf.token,
		    sizeof(buf.token)) == -1)
			log_warn("modem: pong");
		break;
	default:
		log_warnx("modem: unexpected message %u from parent",
		    hdr.type);
		break;
	}
	return 0;
}

/* Milliseconds until the worker has something to do by itself. */
static int
modem_timeout(struct modem *m)
{
	jtime_t	now = jtime_mono(), due;

	if (m->pin_locked)
		return -1;
	if (!m->connected)
		due = m->next_connect;
	else if (m->sweep_wanted)
		due = now;
	else {
		due = m->next_sweep;
		/* Without the tty's descriptor, ask libGammu now and then. */
		if (m->mc->driver == DRIVER_AT && m->dev_fd == -1 &&
		    m->next_poll < due)
			due = m->next_poll;
	}
	if (due <= now)
		return 0;
	if (due - now > 60 * JT_SECOND)
		return 60 * 1000;
	return (int)(due - now);
}

/* What is due without the parent: connect, poll indications, sweep. */
static void
modem_work(struct modem *m)
{
	jtime_t	now = jtime_mono();

#ifdef JOURD_FAULTS
	modem_fault(m);
#endif
	if (!m->connected && !m->pin_locked && now >= m->next_connect)
		modem_connect(m);
	if (m->connected && m->mc->driver == DRIVER_AT && (m->dev_readable ||
	    (m->dev_fd == -1 && now >= m->next_poll))) {
		/* +CMTI and the like: libGammu calls modem_incoming_cb. */
		m->dev_readable = false;
		modem_watch(m);
		GSM_ReadDevice(m->sm, FALSE);
		modem_unwatch();
		m->next_poll = jtime_mono() + MODEM_AT_POLL;
	}
	if (m->nreports > 0)
		modem_flush_reports(m);
	if (m->connected && !m->in_call && now >= m->next_network)
		modem_network(m);
	if (m->connected && (m->sweep_wanted || now >= m->next_sweep)) {
		m->sweep_wanted = false;
		modem_sweep(m);
		m->next_sweep = jtime_mono() + m->mc->sweep;
	}
}

static void
modem_free(struct modem *m)
{
	size_t	i;

	modem_drop(m);
	for (i = 0; i < MODEM_MAX_PENDING; i++)
		free(m->handed[i].locs);
	free(m->waiting);
	free(m->parts);
	free(m->groups);
	free(m->multi);
	free(m);
}

int
modem_main(const struct modem_conf *mc, int fd)
{
	struct sigaction	 sa;
	struct pollfd		 pfd[2];
	struct modem		*m;
	int			 rc, status = 0;
	nfds_t			 n;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = modem_watchdog_cb;
	sigaction(SIGALRM, &sa, NULL);
	/* The dummy phone's folders and libGammu's log hold SMS texts. */
	umask(077);

	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (m->multi = calloc(1, sizeof(*m->multi))) == NULL) {
		log_warn("modem worker");
		free(m);
		return 1;
	}
	m->mc = mc;
	m->fd = fd;
	m->dev_fd = -1;
	m->backoff = MODEM_BACKOFF_MIN;
	m->next_connect = jtime_mono();
	m->watchdog = MODEM_WATCHDOG_MIN;
	if (mc->reply_timeout / 1000 * 2 > MODEM_WATCHDOG_MIN)
		m->watchdog = (unsigned)(mc->reply_timeout / 1000 * 2);
	/* Tokens differ between workers, so a stale answer matches nothing. */
	m->next_token = (uint32_t)getpid() << 16;
	/* A worker before us may have died while a call rang. */
	m->hangup_owed = mc->driver == DRIVER_AT && mc->calls;

	modem_report(m, MODEM_CONNECTING, mc->device);
	for (;;) {
		modem_work(m);
		/* Asleep until the parent or the modem has something to say. */
		pfd[0].fd = fd;
		pfd[0].events = POLLIN;
		pfd[0].revents = 0;
		n = 1;
		if (m->connected && m->dev_fd != -1) {
			pfd[1].fd = m->dev_fd;
			pfd[1].events = POLLIN;
			pfd[1].revents = 0;
			n = 2;
		}
		rc = poll(pfd, n, modem_timeout(m));
		if (rc == -1) {
			if (errno == EINTR)
				continue;
			log_warn("modem: poll");
			status = 1;
			break;
		}
		if (n == 2 && pfd[1].revents != 0) {
			if (pfd[1].revents & POLLIN)
				m->dev_readable = true;
			else	/* hung up, gone: reconnect, not spin */
				modem_lost(m, "device", ERR_DEVICEREADERROR);
		}
		if ((pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    modem_dispatch(m) == -1)
			break;
	}
	modem_free(m);
	return status;
}

/* The worker's body, as spawn_worker runs it. */
static int
modem_run(const void *arg, int fd)
{
	return modem_main(arg, fd);
}

pid_t
modem_spawn(const struct modem_conf *mc, int *fd)
{
	return spawn_worker("modem", modem_run, mc, fd);
}
