/*
 * inject.c — write an incoming SMS into Gammu's dummy phone.
 *
 * Each part becomes one SMS-backup file written by libGammu under a hidden
 * temporary name in <device>/sms/1 (the dummy driver only looks at numeric
 * names) and is then link()ed to the first free number: link fails with
 * EEXIST on a taken name, so two injectors never overwrite each other and
 * the worker never reads a half-written file. All temporary files are
 * written before the first one becomes visible.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gammu.h>

#include "inject.h"
#include "text.h"

/* The dummy driver's highest location in a folder. */
#define INJECT_MAX_LOCATION	10000
/* Any plausible SMSC: libGammu links parts only when their SMSCs agree. */
#define INJECT_SMSC		"+46701740600"
/* Longest sender kept, in bytes: numbers and 11-character names fit. */
#define INJECT_FROM_MAX		64
/* The 8-bit payload of one SMS without a user data header. */
#define INJECT_BINARY_MAX	GSM_MAX_8BIT_SMS_LENGTH

static void inject_err(char *err, size_t errsz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
inject_err(char *err, size_t errsz, const char *fmt, ...)
{
	va_list	ap;

	if (err == NULL || errsz == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}

/* mkdir -p, 0700: the inbox holds names and request texts until read. */
static int
inject_mkdirs(const char *path, char *err, size_t errsz)
{
	char	buf[PATH_MAX];
	size_t	i, len;

	len = strlen(path);
	if (len == 0 || len >= sizeof(buf)) {
		inject_err(err, errsz, "%s: bad directory name", path);
		return -1;
	}
	memcpy(buf, path, len + 1);
	for (i = 1; i <= len; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0700) == -1 && errno != EEXIST) {
			inject_err(err, errsz, "%s: %s", buf, strerror(errno));
			return -1;
		}
		buf[i] = path[i];
	}
	return 0;
}

/* The inbox directory <device>/sms/1, created when missing. */
static int
inject_inbox(const char *device, char *dir, size_t dirsz, char *err,
    size_t errsz)
{
	int	n;

	if (device == NULL || device[0] == '\0') {
		inject_err(err, errsz, "no dummy phone directory configured");
		return -1;
	}
	n = snprintf(dir, dirsz, "%s/sms/1", device);
	if (n < 0 || (size_t)n >= dirsz) {
		inject_err(err, errsz, "%s: path too long", device);
		return -1;
	}
	return inject_mkdirs(dir, err, errsz);
}

/* A GSM_DateTime in UTC for t ms after the epoch (the dummy keeps no zone). */
static void
inject_datetime(jtime_t t, GSM_DateTime *dt)
{
	struct tm	tm;
	time_t		sec = (time_t)(t / 1000);

	memset(dt, 0, sizeof(*dt));
	if (gmtime_r(&sec, &tm) == NULL)
		return;
	dt->Year = tm.tm_year + 1900;
	dt->Month = tm.tm_mon + 1;
	dt->Day = tm.tm_mday;
	dt->Hour = tm.tm_hour;
	dt->Minute = tm.tm_min;
	dt->Second = tm.tm_sec;
	dt->Timezone = 0;
}

static jtime_t
inject_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (jtime_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Fills what every stored incoming part has: sender, SMSC, time, state. */
static void
inject_envelope(GSM_SMSMessage *sms, const char *from, const GSM_DateTime *dt)
{
	DecodeUTF8(sms->Number, from, strlen(from));
	EncodeUnicode(sms->SMSC.Number, INJECT_SMSC, strlen(INJECT_SMSC));
	sms->SMSC.Location = 0;
	sms->DateTime = *dt;
	sms->SMSCTime = *dt;
	sms->State = SMS_UnRead;
	sms->InboxFolder = TRUE;
	sms->Folder = 1;
	sms->Location = 0;
	sms->Memory = MEM_SM;
}

/* Removes the files in names[0..n). */
static void
inject_unlink_all(char (*names)[PATH_MAX], int n)
{
	int	i;

	for (i = 0; i < n; i++)
		if (names[i][0] != '\0')
			unlink(names[i]);
}

/*
 * Writes parts[0..n) as one file each: first all under temporary names, then
 * each linked to the first free number. On failure nothing stays behind.
 */
static int
inject_write(const char *dir, GSM_SMSMessage **parts, int n, char *err,
    size_t errsz)
{
	static unsigned		 serial;
	static GSM_SMS_Backup	 backup;	/* 800 kB of pointers: not on the stack */
	char			(*tmp)[PATH_MAX], (*final)[PATH_MAX];
	GSM_Error		 gerr;
	int			 i, loc, rc = -1, len;

	tmp = calloc((size_t)n, sizeof(*tmp));
	final = calloc((size_t)n, sizeof(*final));
	if (tmp == NULL || final == NULL) {
		inject_err(err, errsz, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		len = snprintf(tmp[i], sizeof(tmp[i]), "%s/.inject-%ld-%u", dir,
		    (long)getpid(), serial++);
		if (len < 0 || (size_t)len >= sizeof(tmp[i])) {
			tmp[i][0] = '\0';
			inject_err(err, errsz, "%s: path too long", dir);
			goto fail;
		}
		/* libGammu appends to an existing file: start from nothing. */
		unlink(tmp[i]);
		memset(&backup, 0, sizeof(backup));
		backup.SMS[0] = parts[i];
		backup.SMS[1] = NULL;
		if ((gerr = GSM_AddSMSBackupFile(tmp[i], &backup)) != ERR_NONE) {
			inject_err(err, errsz, "%s: %s", tmp[i],
			    GSM_ErrorString(gerr));
			goto fail;
		}
		/* libGammu creates it by the umask; the text is the sender's. */
		if (chmod(tmp[i], 0600) == -1) {
			inject_err(err, errsz, "%s: %s", tmp[i], strerror(errno));
			goto fail;
		}
	}
	for (i = 0; i < n; i++) {
		for (loc = 1; loc <= INJECT_MAX_LOCATION; loc++) {
			len = snprintf(final[i], sizeof(final[i]), "%s/%d", dir,
			    loc);
			if (len < 0 || (size_t)len >= sizeof(final[i])) {
				final[i][0] = '\0';
				inject_err(err, errsz, "%s: path too long", dir);
				goto fail;
			}
			if (link(tmp[i], final[i]) == 0)
				break;
			if (errno != EEXIST) {
				inject_err(err, errsz, "%s: %s", final[i],
				    strerror(errno));
				final[i][0] = '\0';
				goto fail;
			}
		}
		if (loc > INJECT_MAX_LOCATION) {
			final[i][0] = '\0';
			inject_err(err, errsz, "%s: the dummy phone's inbox is "
			    "full (%d messages)", dir, INJECT_MAX_LOCATION);
			goto fail;
		}
	}
	rc = 0;
	goto cleanup;
fail:
	inject_unlink_all(final, n);
cleanup:
	inject_unlink_all(tmp, n);
out:
	free(tmp);
	free(final);
	return rc;
}

/*
 * Gives every part of a multipart text the concatenation reference ref, so
 * that a test can make two messages collide as they can on a real phone.
 */
static int
inject_set_ref(GSM_MultiSMSMessage *multi, int ref, char *err, size_t errsz)
{
	int	i;

	if (ref < 0 || ref > 255) {
		inject_err(err, errsz, "reference %d not in 0..255", ref);
		return -1;
	}
	if (multi->Number < 2 ||
	    multi->SMS[0].UDH.Type != UDH_ConcatenatedMessages) {
		inject_err(err, errsz, "a reference needs a text of several "
		    "parts");
		return -1;
	}
	for (i = 0; i < multi->Number; i++) {
		multi->SMS[i].UDH.ID8bit = ref;
		GSM_EncodeUDHHeader(GSM_GetGlobalDebug(), &multi->SMS[i].UDH);
	}
	return 0;
}

int
inject_sms(const char *device, const char *from, const char *text,
    const struct inject_opts *opts, char *err, size_t errsz)
{
	static const struct inject_opts	 none;
	GSM_MultiPartSMSInfo		 info;
	GSM_MultiSMSMessage		*multi = NULL;
	GSM_SMSMessage			*parts[GSM_MAX_MULTI_SMS];
	GSM_DateTime			 dt;
	GSM_Error			 gerr;
	unsigned char			*ubuf = NULL;
	char				 dir[PATH_MAX];
	size_t				 tlen, flen;
	int				 i, n, rc = -1;

	if (opts == NULL)
		opts = &none;
	if (from == NULL || (flen = strlen(from)) == 0 ||
	    flen > INJECT_FROM_MAX || !text_valid_utf8(from, flen)) {
		inject_err(err, errsz, "bad sender: empty, longer than %d bytes "
		    "or not UTF-8", INJECT_FROM_MAX);
		return -1;
	}
	if (text == NULL)
		text = "";
	tlen = strlen(text);
	if (opts->binary && tlen > INJECT_BINARY_MAX) {
		inject_err(err, errsz, "binary SMS longer than %d bytes",
		    INJECT_BINARY_MAX);
		return -1;
	}
	if (!opts->binary && (tlen >= SMS_TEXT_MAX ||
	    !text_valid_utf8(text, tlen))) {
		inject_err(err, errsz, "text longer than %d bytes or not UTF-8",
		    SMS_TEXT_MAX - 1);
		return -1;
	}
	if (inject_inbox(device, dir, sizeof(dir), err, errsz) == -1)
		return -1;
	inject_datetime(opts->smsc_time != 0 ? opts->smsc_time : inject_now(),
	    &dt);

	if ((multi = calloc(1, sizeof(*multi))) == NULL ||
	    (ubuf = calloc(tlen + 1, 2)) == NULL) {
		inject_err(err, errsz, "out of memory");
		goto out;
	}
	if (opts->binary) {
		GSM_SetDefaultSMSData(&multi->SMS[0]);
		multi->SMS[0].Coding = SMS_Coding_8bit;
		multi->SMS[0].UDH.Type = UDH_NoUDH;
		memcpy(multi->SMS[0].Text, text, tlen);
		multi->SMS[0].Length = (int)tlen;
		multi->Number = 1;
	} else {
		DecodeUTF8(ubuf, text, tlen);
		GSM_ClearMultiPartSMSInfo(&info);
		info.EntriesNum = 1;
		info.Class = -1;
		info.Entries[0].ID = SMS_ConcatenatedAutoTextLong;
		info.Entries[0].Buffer = ubuf;
		gerr = GSM_EncodeMultiPartSMS(GSM_GetGlobalDebug(), &info, multi);
		if (gerr != ERR_NONE) {
			inject_err(err, errsz, "cannot encode the text: %s",
			    GSM_ErrorString(gerr));
			goto out;
		}
		if (multi->Number < 1 || multi->Number >= GSM_MAX_MULTI_SMS) {
			inject_err(err, errsz, "text does not fit in %d parts",
			    GSM_MAX_MULTI_SMS - 1);
			goto out;
		}
	}
	if (opts->fix_ref && inject_set_ref(multi, opts->ref, err,
	    errsz) == -1)
		goto out;
	if (opts->drop_part != 0 && (multi->Number < 2 ||
	    opts->drop_part < 1 || opts->drop_part > multi->Number)) {
		inject_err(err, errsz, "cannot leave out part %d of a message in "
		    "%d part(s)", opts->drop_part, multi->Number);
		goto out;
	}

	for (i = 0, n = 0; i < multi->Number; i++) {
		GSM_SMSMessage	*sms = &multi->SMS[i];

		sms->PDU = SMS_Deliver;
		sms->Class = opts->flash ? 0 : -1;
		inject_envelope(sms, from, &dt);
		if (i + 1 != opts->drop_part)
			parts[n++] = sms;
	}
	rc = inject_write(dir, parts, n, err, errsz);
out:
	free(ubuf);
	free(multi);
	return rc;
}

int
inject_status_report(const char *device, const char *recipient, int msg_ref,
    char *err, size_t errsz)
{
	GSM_SMSMessage	*sms;
	GSM_DateTime	 dt;
	char		 dir[PATH_MAX];
	size_t		 len;
	int		 rc;

	if (recipient == NULL || (len = strlen(recipient)) == 0 ||
	    len > INJECT_FROM_MAX || !text_valid_utf8(recipient, len)) {
		inject_err(err, errsz, "bad recipient");
		return -1;
	}
	if (msg_ref < 0 || msg_ref > 255) {
		inject_err(err, errsz, "message reference %d not in 0..255",
		    msg_ref);
		return -1;
	}
	if (inject_inbox(device, dir, sizeof(dir), err, errsz) == -1)
		return -1;
	if ((sms = calloc(1, sizeof(*sms))) == NULL) {
		inject_err(err, errsz, "out of memory");
		return -1;
	}
	GSM_SetDefaultSMSData(sms);
	inject_datetime(inject_now(), &dt);
	inject_envelope(sms, recipient, &dt);
	sms->PDU = SMS_Status_Report;
	sms->Class = -1;
	sms->Coding = SMS_Coding_8bit;
	sms->Length = 0;
	sms->MessageReference = (unsigned char)msg_ref;
	sms->DeliveryStatus = 0;	/* delivered */
	rc = inject_write(dir, &sms, 1, err, errsz);
	free(sms);
	return rc;
}

int
inject_pending(const char *device)
{
	char		 dir[PATH_MAX];
	DIR		*d;
	struct dirent	*de;
	const char	*p;
	int		 n, count = 0;

	if (device == NULL || device[0] == '\0')
		return -1;
	n = snprintf(dir, sizeof(dir), "%s/sms/1", device);
	if (n < 0 || (size_t)n >= sizeof(dir))
		return -1;
	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d)) != NULL) {
		for (p = de->d_name; *p != '\0'; p++)
			if (!isdigit((unsigned char)*p))
				break;
		if (p != de->d_name && *p == '\0' &&
		    strtol(de->d_name, NULL, 10) >= 1 &&
		    strtol(de->d_name, NULL, 10) <= INJECT_MAX_LOCATION)
			count++;
	}
	closedir(d);
	return count;
}
