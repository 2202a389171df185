/*
 * msg.c — the Swedish texts of every SMS jourd sends.
 *
 * Short on purpose: a page is read on a locked phone at night. The consult
 * number (#12) comes first so that every message about one consult is found
 * together in a thread.
 */
#include <stdio.h>
#include <string.h>

#include "msg.h"
#include "text.h"

/* The text is the requester's own; a full stop keeps it apart from ours. */
static const char *
msg_text_end(const char *text)
{
	size_t	len = strlen(text);

	if (len == 0)
		return "";
	return strchr(".!?", text[len - 1]) != NULL ? " " : ". ";
}

char *
msg_page(char *out, size_t sz, const struct msg_consult *c, int code, int step)
{
	const char	*unit = c->requester_unit[0] ? ", " : "";
	char		 text[MSG_PAGE_TEXT_MAX + 4];
	size_t		 n;

	/* A page must go out in a few parts on a slow modem; the whole text
	 * stays in the log. */
	n = text_copy(text, MSG_PAGE_TEXT_MAX + 1, c->text);
	if (n < strlen(c->text))
		snprintf(text + n, sizeof(text) - n, "...");	/* GSM 7-bit */

	snprintf(out, sz, "%s %s #%lld%s från %s%s%s, ring %s. %s%sSvara OK %d "
	    "(NEJ %d = kan inte)",
	    c->keyword, c->units, (long long)c->id,
	    step > 0 ? " (eskalerat)" : "", c->requester, unit,
	    c->requester_unit, c->callback, text, msg_text_end(text),
	    code, code);
	return out;
}

char *
msg_received(char *out, size_t sz, const struct msg_consult *c)
{
	snprintf(out, sz, "Mottaget #%lld %s %s. Jouren söks nu; du får SMS när "
	    "någon svarat.", (long long)c->id, c->keyword, c->units);
	return out;
}

char *
msg_queued(char *out, size_t sz, const struct msg_consult *c, const char *opens)
{
	snprintf(out, sz, "Köat #%lld %s %s: stängt nu, jouren söks när det "
	    "öppnar %s. Det som inte kan vänta: AKUT <enhet> <text>.",
	    (long long)c->id, c->keyword, c->units, opens);
	return out;
}

char *
msg_acked(char *out, size_t sz, const struct msg_consult *c, const char *unit,
    const char *who, const char *who_phone, const char *at)
{
	snprintf(out, sz, "#%lld %s %s kvitterat %s av %s, %s.",
	    (long long)c->id, c->keyword, unit, at, who, who_phone);
	return out;
}

char *
msg_all_acked(char *out, size_t sz, const struct msg_consult *c)
{
	snprintf(out, sz, "#%lld %s %s: alla enheter har kvitterat.",
	    (long long)c->id, c->keyword, c->units);
	return out;
}

char *
msg_unanswered(char *out, size_t sz, const struct msg_consult *c,
    const char *unit, const char *switchboard)
{
	snprintf(out, sz, "#%lld %s %s: ingen jour har svarat. Ring växeln "
	    "direkt: %s.", (long long)c->id, c->keyword, unit, switchboard);
	return out;
}

char *
msg_admin_unanswered(char *out, size_t sz, const struct msg_consult *c,
    const char *unit, const char *requester_phone)
{
	snprintf(out, sz, "jourd: #%lld %s %s OBESVARAT, alla steg prövade. "
	    "Beställare %s %s.", (long long)c->id, c->keyword, unit,
	    c->requester, requester_phone);
	return out;
}

char *
msg_admin_modem_back(char *out, size_t sz, const char *from, const char *to,
    jtime_t minutes)
{
	snprintf(out, sz, "jourd: modemet var ur funktion %s-%s (%lld min). "
	    "Inga SMS kunde skickas eller tas emot; köade SMS skickas nu. Se "
	    "jourctl status och log.", from, to, (long long)minutes);
	return out;
}

char *
msg_pager(char *out, size_t sz, const struct msg_consult *c, const char *unit,
    int code)
{
	snprintf(out, sz, "%s %s #%lld Ring %s SMS OK %d", c->keyword, unit,
	    (long long)c->id, c->callback, code);
	return out;
}

char *
msg_admin_route_trouble(char *out, size_t sz, const char *route,
    const char *since, const char *why, const char *via)
{
	snprintf(out, sz, "jourd: vägen %s ur funktion sedan %s (%s). SMS går "
	    "nu via %s. Se jourctl status.", route, since, why, via);
	return out;
}

char *
msg_admin_route_back(char *out, size_t sz, const char *route,
    const char *from, const char *to, jtime_t minutes)
{
	snprintf(out, sz, "jourd: vägen %s fungerar igen (ur funktion %s-%s, "
	    "%lld min).", route, from, to, (long long)minutes);
	return out;
}

char *
msg_admin_gap(char *out, size_t sz, const struct msg_consult *c,
    const char *unit, const char *role)
{
	snprintf(out, sz, "jourd: schemalucka, ingen har %s %s (vid #%lld %s). "
	    "Steget hoppades över.", unit, role, (long long)c->id, c->keyword);
	return out;
}

char *
msg_admin_coverage_gap(char *out, size_t sz, const char *unit,
    const char *role, const char *from, const char *to)
{
	snprintf(out, sz, "jourd: jourschemat saknar %s %s %s - %s. Lägg in "
	    "pass.", unit, role, from, to);
	return out;
}

char *
msg_ack_confirm(char *out, size_t sz, const struct msg_consult *c, int code,
    const char *outcomes)
{
	snprintf(out, sz, "Kvitterat #%lld. Ring %s %s. Svara KLAR %d <utfall> "
	    "när klart (%s).", (long long)c->id, c->requester, c->callback,
	    code, outcomes);
	return out;
}

char *
msg_decline_confirm(char *out, size_t sz, const struct msg_consult *c)
{
	snprintf(out, sz, "Noterat: du avböjer #%lld. Nästa i tur söks.",
	    (long long)c->id);
	return out;
}

char *
msg_resolve_confirm(char *out, size_t sz, const struct msg_consult *c,
    const char *outcome)
{
	if (outcome[0])
		snprintf(out, sz, "#%lld avslutat (%s). Tack.",
		    (long long)c->id, outcome);
	else
		snprintf(out, sz, "#%lld avslutat. Tack.", (long long)c->id);
	return out;
}

char *
msg_cancel_confirm(char *out, size_t sz, const struct msg_consult *c)
{
	snprintf(out, sz, "#%lld %s %s avbrutet. De sökta har fått besked.",
	    (long long)c->id, c->keyword, c->units);
	return out;
}

char *
msg_stand_down(char *out, size_t sz, const struct msg_consult *c,
    const char *why)
{
	snprintf(out, sz, "#%lld %s %s %s. Du behöver inte svara.",
	    (long long)c->id, c->keyword, c->units, why);
	return out;
}

const char *
msg_parse_error(enum msg_parse what)
{
	static const char *const text[] = {
		[MSG_PARSE_TOO_MANY_UNITS] = "för många enheter",
		[MSG_PARSE_ONE_UNIT] = "bara en enhet",
		[MSG_PARSE_NO_UNIT] = "enhet saknas",
		[MSG_PARSE_NO_KEYWORD] = "sökord saknas",
		[MSG_PARSE_BAD_ID] = "ogiltigt ärendenummer",
		[MSG_PARSE_NO_ID] = "ärendenummer saknas",
		[MSG_PARSE_BAD_CODE] = "ogiltig kod",
		[MSG_PARSE_UNKNOWN_OUTCOME] = "okänd utfallskod",
		[MSG_PARSE_UNKNOWN_COMMAND] = "okänt kommando",
	};

	if ((size_t)what >= sizeof(text) / sizeof(text[0]) ||
	    text[what] == NULL)
		return "?";
	return text[what];
}

char *
msg_stand_down_why(char *out, size_t sz, enum msg_why why, const char *who)
{
	switch (why) {
	case MSG_WHY_CANCELLED:
		snprintf(out, sz, "är avbrutet av beställaren");
		break;
	case MSG_WHY_RESOLVED:
		snprintf(out, sz, "är avslutat");
		break;
	case MSG_WHY_ACKED:
	default:
		snprintf(out, sz, "är kvitterat av %s", who != NULL ? who : "");
		break;
	}
	return out;
}

char *
msg_jour_confirm(char *out, size_t sz, const char *unit, const char *role,
    const char *until)
{
	snprintf(out, sz, "Du har nu %s %s till %s. Väntande larm för rollen "
	    "skickas till dig.", unit, role, until);
	return out;
}

char *
msg_jour_taken(char *out, size_t sz, const char *who, const char *unit,
    const char *role, const char *until)
{
	snprintf(out, sz, "%s har tagit över %s %s från nu till %s.", who, unit,
	    role, until);
	return out;
}

char *
msg_jour_not_member(char *out, size_t sz, const char *unit)
{
	snprintf(out, sz, "Du hör inte till %s och kan inte ta över dess jour. "
	    "Inget har ändrats. Kontakta administratören om det är fel.", unit);
	return out;
}

char *
msg_help(char *out, size_t sz)
{
	snprintf(out, sz, "jourd: AKUT <enhet> <text>, HALV <enhet> <text>, "
	    "MDK <enh>,<enh> <text>, PV <vc> <text>, AVBRYT <nr>. Jouren "
	    "svarar OK/NEJ/KLAR <kod>. Aldrig personnummer.");
	return out;
}

char *
msg_not_understood(char *out, size_t sz, const char *what)
{
	snprintf(out, sz, "jourd förstod inte (%s). Skriv HJÄLP för "
	    "instruktioner. Inga personnummer i SMS.", what);
	return out;
}

char *
msg_pnr_refused(char *out, size_t sz)
{
	snprintf(out, sz, "EJ SKICKAT: meddelandet innehöll ett personnummer. "
	    "Patientuppgifter får inte skickas med SMS. Skicka igen utan. "
	    "Telefonnr: skriv +46...");
	return out;
}

char *
msg_request_limit(char *out, size_t sz, int limit)
{
	snprintf(out, sz, "EJ SKICKAT: du har startat %d larm senaste timmen, "
	    "gränsen här. Ring jouren via växeln. Nya larm tas emot igen om "
	    "en stund; detta besked kommer en gång.", limit);
	return out;
}

char *
msg_stranger(char *out, size_t sz)
{
	snprintf(out, sz, "Detta är jourd, regionens jourlarm för vårdpersonal. "
	    "Ditt nummer finns inte i katalogen. Kontakta regionens IT-support.");
	return out;
}

char *
msg_not_requester(char *out, size_t sz)
{
	snprintf(out, sz, "Ditt nummer får inte beställa konsultation via jourd. "
	    "Kontakta administratören om det är fel.");
	return out;
}

char *
msg_track_off(char *out, size_t sz, const char *keyword)
{
	snprintf(out, sz, "%s används inte här. Det som inte kan vänta: "
	    "AKUT <enhet> <text>.", keyword);
	return out;
}

/* An example of the command, for the reply to a malformed one. */
static const char *
msg_example(const char *keyword)
{
	if (strcmp(keyword, "KLAR") == 0)
		return "KLAR 3 RAD";
	if (strcmp(keyword, "OK") == 0)
		return "OK 3";
	if (strcmp(keyword, "NEJ") == 0)
		return "NEJ 3";
	if (strcmp(keyword, "JOUR") == 0)
		return "JOUR KARD primary";
	if (strcmp(keyword, "AVBRYT") == 0 || strcmp(keyword, "CANCEL") == 0)
		return "AVBRYT 12";
	if (strcmp(keyword, "MDK") == 0)
		return "MDK KARD,GER ring mig om patienten";
	if (strcmp(keyword, "PV") == 0)
		return "PV ORSA ring mig om patienten";
	return NULL;
}

char *
msg_track_closed(char *out, size_t sz, const char *keyword, const char *opens)
{
	snprintf(out, sz, "%s är stängt nu och öppnar %s. Inget har skickats. "
	    "Det som inte kan vänta: AKUT <enhet> <text>.", keyword, opens);
	return out;
}

char *
msg_usage(char *out, size_t sz, const char *keyword, const char *error)
{
	const char *example = msg_example(keyword);

	if (example != NULL)
		snprintf(out, sz, "%s: %s. Skriv t.ex. %s. HJÄLP ger mer.",
		    keyword, error, example);
	else
		snprintf(out, sz, "%s: %s. Skriv t.ex. %s KARD ring mig om "
		    "bröstsmärta. HJÄLP ger mer.", keyword, error, keyword);
	return out;
}

char *
msg_unknown_unit(char *out, size_t sz, const char *unit)
{
	char	shown[32];

	/* Cut on a character boundary: the reply must stay valid UTF-8. */
	text_copy(shown, sizeof(shown), unit);
	snprintf(out, sz, "Okänd enhet \"%s\". Ange enhetens kod, t.ex. KARD, "
	    "ORT, MED. Inget har skickats.", shown);
	return out;
}

/* PV: the receipt when the health centre is closed and after_hours is paged. */
char *
msg_received_routed(char *out, size_t sz, const struct msg_consult *c,
    const char *centre, const char *unit_name)
{
	snprintf(out, sz, "Mottaget #%lld %s %s: vårdcentralen är stängd, %s "
	    "söks nu. Du får SMS när någon svarat.", (long long)c->id,
	    c->keyword, centre, unit_name);
	return out;
}

char *
msg_pv_not_centre(char *out, size_t sz, const char *unit)
{
	snprintf(out, sz, "PV tar en vårdcentral, och %s är ingen. Skriv t.ex. "
	    "PV ORSA <text>, eller AKUT %s <text>. Inget har skickats.", unit,
	    unit);
	return out;
}

char *
msg_pv_closed(char *out, size_t sz, const char *centre, const char *phone)
{
	snprintf(out, sz, "%s är stängd nu och ingen jourmottagning är ordnad. "
	    "Ring %s. Inget har skickats.", centre, phone);
	return out;
}

char *
msg_unit_ambiguous(char *out, size_t sz, const char *typed, const char *list)
{
	char	shown[32];

	text_copy(shown, sizeof(shown), typed);
	snprintf(out, sz, "\"%s\" kan vara flera: %s. Skriv koden. Inget har "
	    "skickats.", shown, list);
	return out;
}

char *
msg_no_open_page(char *out, size_t sz)
{
	snprintf(out, sz, "Du har inget öppet larm att svara på.");
	return out;
}

char *
msg_already_closed(char *out, size_t sz, int64_t id, const char *state,
    const char *who, const char *callback)
{
	if (who[0])
		snprintf(out, sz, "#%lld är redan %s av %s. Inget mer behövs.",
		    (long long)id, state, who);
	else
		snprintf(out, sz, "#%lld är redan %s. Beställaren nås på %s.",
		    (long long)id, state, callback);
	return out;
}

char *
msg_already_acked(char *out, size_t sz, int64_t id, const char *who,
    const char *at)
{
	snprintf(out, sz, "#%lld är redan kvitterat av %s %s. Du behöver inte "
	    "svara.", (long long)id, who, at);
	return out;
}

char *
msg_which_page(char *out, size_t sz, const char *verb, const char *list)
{
	snprintf(out, sz, "Du har flera öppna larm: %s. Svara %s <kod>.",
	    list, verb);
	return out;
}

/* Formats item i of a list (an array of contacts or consults) into buf. */
typedef void msg_item_fn(char *buf, size_t sz, const void *items, int i);

/*
 * Writes the first items that fit in limit characters, separated by
 * "; ", and "(+N till<hint>)" for the total - shown that did not; an item
 * is dropped again when the count of the rest would not fit after it.
 */
static char *
msg_pack(char *out, size_t sz, size_t limit, const void *items, int n,
    int total, msg_item_fn *fn, const char *hint)
{
	size_t	off[MSG_LIST_MAX + 1], cps[MSG_LIST_MAX + 1];
	size_t	len = 0, cp = 0, icp, ilen;
	char	item[512], tail[64];
	int	i, shown = 0;

	if (sz == 0)
		return out;
	out[0] = '\0';
	off[0] = cps[0] = 0;
	if (n > MSG_LIST_MAX)
		n = MSG_LIST_MAX;
	for (i = 0; i < n; i++) {
		fn(item, sizeof(item), items, i);
		icp = text_codepoints(item) + (shown ? 2 : 0);
		ilen = strlen(item) + (shown ? 2 : 0);
		if (cp + icp > limit || len + ilen >= sz)
			break;
		len += (size_t)snprintf(out + len, sz - len, "%s%s",
		    shown ? "; " : "", item);
		cp += icp;
		shown++;
		off[shown] = len;
		cps[shown] = cp;
	}
	if (total < shown)
		total = shown;
	while (shown < total) {
		snprintf(tail, sizeof(tail), "(+%d till%s)", total - shown, hint);
		icp = text_codepoints(tail) + (shown ? 1 : 0);
		ilen = strlen(tail) + (shown ? 1 : 0);
		if ((cps[shown] + icp <= limit && off[shown] + ilen < sz) ||
		    shown == 0)
			break;
		shown--;
	}
	out[off[shown]] = '\0';
	if (shown < total)
		snprintf(out + off[shown], sz - off[shown], "%s%s",
		    shown ? " " : "", tail);
	return out;
}

static void
msg_contact_item(char *buf, size_t sz, const void *items, int i)
{
	const struct msg_contact *c = (const struct msg_contact *)items + i;

	snprintf(buf, sz, "%s %s", c->name, c->phone);
}

char *
msg_kontakt(char *out, size_t sz, const struct msg_contact *c, int n,
    int total)
{
	return msg_pack(out, sz, MSG_TWO_SMS, c, n, total, msg_contact_item,
	    ", skriv mer exakt");
}

char *
msg_kontakt_none(char *out, size_t sz, const char *query)
{
	char	shown[48];

	text_copy(shown, sizeof(shown), query);
	snprintf(out, sz, "Inget i katalogen matchar \"%s\".", shown);
	return out;
}

char *
msg_query_usage(char *out, size_t sz, const char *keyword, const char *error)
{
	if (strcmp(keyword, "STATUS") == 0)
		snprintf(out, sz, "STATUS: %s. Skriv STATUS för dina öppna "
		    "ärenden eller t.ex. STATUS 12.", error);
	else
		snprintf(out, sz, "%s: %s. Skriv t.ex. %s KARD eller %s "
		    "Orsa.", keyword, error, keyword, keyword);
	return out;
}

char *
msg_status_line(char *out, size_t sz, const struct msg_status *s)
{
	char		 what[160];
	const char	*st = s->state;

	if (strcmp(st, "queued") == 0)
		snprintf(what, sizeof(what), "i kö");
	else if (strcmp(st, "open") == 0 && s->who[0])
		snprintf(what, sizeof(what), "söker (steg %d), kvitterat av "
		    "%s %s", s->step, s->who, s->at);
	else if (strcmp(st, "open") == 0 && s->step > 0)
		snprintf(what, sizeof(what), "söker (steg %d)", s->step);
	else if (strcmp(st, "open") == 0)
		snprintf(what, sizeof(what), "söker");
	else if (strcmp(st, "acknowledged") == 0)
		snprintf(what, sizeof(what), "kvitterat av %s %s", s->who,
		    s->at);
	else if (strcmp(st, "resolved") == 0 && s->outcome[0])
		snprintf(what, sizeof(what), "avslutat (%s) %s", s->outcome,
		    s->at);
	else if (strcmp(st, "resolved") == 0)
		snprintf(what, sizeof(what), "avslutat %s", s->at);
	else if (strcmp(st, "cancelled") == 0)
		snprintf(what, sizeof(what), "avbrutet %s", s->at);
	else if (strcmp(st, "unanswered") == 0)
		snprintf(what, sizeof(what), "obesvarat %s", s->at);
	else if (strcmp(st, "rejected") == 0)
		snprintf(what, sizeof(what), "ej skickat (personnummer) %s",
		    s->at);
	else
		snprintf(what, sizeof(what), "%s", st);
	snprintf(out, sz, "#%lld %s%s%s %s", (long long)s->id, s->keyword,
	    s->units[0] ? " " : "", s->units, what);
	return out;
}

static void
msg_status_item(char *buf, size_t sz, const void *items, int i)
{
	msg_status_line(buf, sz, (const struct msg_status *)items + i);
}

char *
msg_status_list(char *out, size_t sz, const struct msg_status *s, int n,
    int total)
{
	return msg_pack(out, sz, MSG_TWO_SMS, s, n, total, msg_status_item,
	    "");
}

char *
msg_status_none(char *out, size_t sz)
{
	snprintf(out, sz, "Du har inga öppna ärenden.");
	return out;
}

char *
msg_status_not_yours(char *out, size_t sz, int64_t id)
{
	snprintf(out, sz, "Du har inget ärende #%lld.", (long long)id);
	return out;
}

static void
msg_open_code_item(char *buf, size_t sz, const void *items, int i)
{
	const struct msg_open_code *o = (const struct msg_open_code *)items + i;

	snprintf(buf, sz, "%s %d (#%lld %s %s)", o->verb, o->code,
	    (long long)o->id, o->keyword, o->units);
}

char *
msg_unknown_code(char *out, size_t sz, int code,
    const struct msg_open_code *open, int n, int total)
{
	size_t	len, used;

	if (sz == 0)
		return out;
	snprintf(out, sz, "Kod %d hör inte till något av dina larm. ", code);
	len = strlen(out);
	if (total <= 0 || n <= 0) {
		snprintf(out + len, sz - len, "Du har inga öppna larm.");
		return out;
	}
	snprintf(out + len, sz - len, "Dina öppna larm: ");
	len = strlen(out);
	/* The list gets what the words around it leave of one SMS. */
	used = text_codepoints(out) + 1;
	if (len + 1 >= sz || used >= MSG_ONE_SMS)
		return out;
	msg_pack(out + len, sz - len - 1, MSG_ONE_SMS - used, open, n, total,
	    msg_open_code_item, "");
	len += strlen(out + len);
	snprintf(out + len, sz - len, ".");
	return out;
}
