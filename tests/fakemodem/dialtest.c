/*
 * dialtest — one wake-up call through libGammu's AT driver, as the modem
 * worker would place it, for the fake modem's self-test.
 *
 *	dialtest [-t ring_ms] [-l logfile] device number
 *
 * Connects to the modem on device like jourd's [modem] driver = at, asks
 * for call indications (GSM_SetIncomingCall), dials number with
 * GSM_DialVoice, lets it ring for ring_ms (default 1000) or until the
 * callee ends the call, then hangs up with GSM_CancelCall. It prints one
 * line per step on stdout ("dialled", "callee ended", "hung up") so that
 * a test can compare what libGammu saw with the fake modem's call log.
 * Exit 0 when every step worked, 1 when libGammu failed (its error on
 * stderr), 2 on bad usage. Built by make build/tests/dialtest; never
 * installed.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gammu.h>

static volatile bool	dialtest_remote_end;

static void
dialtest_usage(void)
{
	fprintf(stderr, "usage: dialtest [-t ring_ms] [-l logfile] device "
	    "number\n");
	exit(2);
}

/* Records the callee's end of the call; libGammu calls it from ReadDevice. */
static void
dialtest_call_cb(GSM_StateMachine *sm, GSM_Call *call, void *arg)
{
	if (call->Status == GSM_CALL_CallRemoteEnd)
		dialtest_remote_end = true;
}

/* Milliseconds on the monotonic clock. */
static long long
dialtest_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Fills config section 0 as jourd's modem worker does for driver = at. */
static bool
dialtest_configure(GSM_StateMachine *sm, const char *device,
    const char *logfile)
{
	GSM_Config	*cfg = GSM_GetConfig(sm, 0);

	/* GSM_FreeStateMachine frees these three. */
	cfg->Device = strdup(device);
	cfg->Connection = strdup("at115200");
	cfg->DebugFile = strdup(logfile);
	if (cfg->Device == NULL || cfg->Connection == NULL ||
	    cfg->DebugFile == NULL)
		return false;
	snprintf(cfg->Model, sizeof(cfg->Model), "at");
	snprintf(cfg->DebugLevel, sizeof(cfg->DebugLevel), "%s",
	    logfile[0] != '\0' ? "textalldate" : "");
	cfg->UseGlobalDebugFile = FALSE;
	cfg->LockDevice = FALSE;
	cfg->StartInfo = FALSE;
	cfg->SyncTime = FALSE;
	snprintf(cfg->TextReminder, sizeof(cfg->TextReminder), "Reminder");
	snprintf(cfg->TextMeeting, sizeof(cfg->TextMeeting), "Meeting");
	snprintf(cfg->TextCall, sizeof(cfg->TextCall), "Call");
	snprintf(cfg->TextBirthday, sizeof(cfg->TextBirthday), "Birthday");
	snprintf(cfg->TextMemo, sizeof(cfg->TextMemo), "Memo");
	GSM_SetConfigNum(sm, 1);
	return true;
}

/* Reports a libGammu failure of step and says whether there was one. */
static bool
dialtest_failed(const char *step, GSM_Error e)
{
	if (e == ERR_NONE)
		return false;
	fprintf(stderr, "dialtest: %s: %s\n", step, GSM_ErrorString(e));
	return true;
}

int
main(int argc, char *argv[])
{
	GSM_StateMachine	*sm;
	GSM_Error		 e;
	const char		*logfile = "";
	char			 number[GSM_MAX_NUMBER_LENGTH + 1];
	long long		 ring_ms = 1000, end;
	char			*ep;
	int			 ch, rc = 1;

	while ((ch = getopt(argc, argv, "l:t:")) != -1) {
		switch (ch) {
		case 'l':
			logfile = optarg;
			break;
		case 't':
			ring_ms = strtoll(optarg, &ep, 10);
			if (*optarg == '\0' || *ep != '\0' || ring_ms < 0 ||
			    ring_ms > 600000)
				dialtest_usage();
			break;
		default:
			dialtest_usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 2 || strlen(argv[1]) >= sizeof(number))
		dialtest_usage();
	/* GSM_DialVoice takes a writable string. */
	snprintf(number, sizeof(number), "%s", argv[1]);

	GSM_InitLocales(NULL);
	if ((sm = GSM_AllocStateMachine()) == NULL ||
	    !dialtest_configure(sm, argv[0], logfile)) {
		fprintf(stderr, "dialtest: out of memory\n");
		return 1;
	}
	if (dialtest_failed("connect", GSM_InitConnection(sm, 1)))
		goto out;
	/* InitConnection forgets callbacks, so they are set after it. */
	GSM_SetIncomingCallCallback(sm, dialtest_call_cb, NULL);
	if (dialtest_failed("call indications", GSM_SetIncomingCall(sm, TRUE)))
		goto close;
	if (dialtest_failed("dial", GSM_DialVoice(sm, number,
	    GSM_CALL_DefaultNumberPresence)))
		goto close;
	printf("dialled %s\n", number);
	fflush(stdout);

	end = dialtest_now_ms() + ring_ms;
	while (!dialtest_remote_end && dialtest_now_ms() < end) {
		GSM_ReadDevice(sm, FALSE);
		usleep(50 * 1000);
	}
	if (dialtest_remote_end)
		printf("callee ended\n");
	/* libGammu's AT driver hangs up only "all" calls. */
	e = GSM_CancelCall(sm, 0, TRUE);
	if (!dialtest_failed("hang up", e)) {
		printf("hung up\n");
		rc = 0;
	}
close:
	GSM_TerminateConnection(sm);
out:
	GSM_FreeStateMachine(sm);
	return rc;
}
