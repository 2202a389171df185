/*
 * http.c — the web console's worker: /metrics and /healthz over evhttp,
 * on a Unix socket (its file mode decides who may read) or on TCP with
 * HTTP Basic against the users file. GET and HEAD only. Every limit is
 * enforced before any query runs: header size, URL length, body size,
 * an idle timeout and a cap on open connections, so that a slow or
 * hostile client holds neither the worker nor, through it, the database.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>

#include "common.h"
#include "db.h"
#include "http.h"
#include "jtime.h"
#include "log.h"
#include "metrics.h"
#include "text.h"
#include "users.h"

/* Descriptors kept free beyond the connection cap (SQLite, syslog). */
#define HTTP_FD_RESERVE		8
/* A body the worker never reads: enough to answer a small POST 405. */
#define HTTP_MAX_BODY		1024
/* How long accepting pauses when the connection cap is reached. */
#define HTTP_ACCEPT_PAUSE	100	/* ms */

struct http_ctx {
	const struct config	*cf;
	struct event_base	*base;
	struct evhttp		*http;
	struct evconnlistener	*listener;
	struct event		*resume;	/* accepting again after a pause */
	struct event		*chan;		/* jourd's end of file */
	struct db		*db;
	struct users		 users;
	bool			 auth;		/* a users file is set */
};

/* The worker's one context: libevent hands the accept error callback the
 * listener's argument, which evhttp owns. */
static struct http_ctx	http_ctx;

/* One page of the console. */
struct http_page {
	const char	*path;
	void		(*serve)(struct http_ctx *, struct evhttp_request *,
			    const char *user);
};

static const char *
http_method(enum evhttp_cmd_type m)
{
	switch (m) {
	case EVHTTP_REQ_GET:		return "GET";
	case EVHTTP_REQ_HEAD:		return "HEAD";
	case EVHTTP_REQ_POST:		return "POST";
	case EVHTTP_REQ_PUT:		return "PUT";
	case EVHTTP_REQ_DELETE:		return "DELETE";
	case EVHTTP_REQ_OPTIONS:	return "OPTIONS";
	case EVHTTP_REQ_TRACE:		return "TRACE";
	case EVHTTP_REQ_CONNECT:	return "CONNECT";
	case EVHTTP_REQ_PATCH:		return "PATCH";
	}
	return "?";
}

/* Sends the reply and logs the request with its user. */
static void
http_reply(struct evhttp_request *req, int code, const char *reason,
    const char *user)
{
	struct evhttp_connection	*conn = evhttp_request_get_connection(req);
	const char			*uri = evhttp_request_get_uri(req);
	char				*addr = NULL, peer[300];
	ev_uint16_t			 port = 0;

	if (conn != NULL)
		evhttp_connection_get_peer(conn, &addr, &port);
	/* A Unix socket's peer has no address: its port is 0. */
	if (addr != NULL && port != 0)
		snprintf(peer, sizeof peer, "%s:%u", addr, (unsigned)port);
	else
		snprintf(peer, sizeof peer, "unix");
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Cache-Control", "no-store");
	log_info("http: %s %s %.200s%s %d user %s", peer,
	    http_method(evhttp_request_get_command(req)), uri ? uri : "",
	    uri != NULL && strlen(uri) > 200 ? "…" : "", code,
	    user != NULL ? user : "-");
	evhttp_send_reply(req, code, reason, NULL);
}

/* A short plain-text answer. */
static void
http_text(struct evhttp_request *req, int code, const char *reason,
    const char *user, const char *text)
{
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "text/plain; charset=utf-8");
	evbuffer_add_printf(evhttp_request_get_output_buffer(req), "%s\n",
	    text);
	http_reply(req, code, reason, user);
}

static void
http_metrics(struct http_ctx *c, struct evhttp_request *req, const char *user)
{
	struct evbuffer	*out = evhttp_request_get_output_buffer(req);

	if (metrics_render(c->db, c->cf, jtime_now(), jtime_mono(), out) ==
	    -1) {
		evbuffer_drain(out, evbuffer_get_length(out));
		http_text(req, 500, "Internal Server Error", user,
		    "the database could not be read");
		return;
	}
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
	http_reply(req, 200, "OK", user);
}

static void
http_healthz(struct http_ctx *c, struct evhttp_request *req, const char *user)
{
	char	why[256];

	if (metrics_health(c->db, c->cf, jtime_now(), jtime_mono(), why,
	    sizeof why) == 1)
		http_text(req, 200, "OK", user, "ok");
	else
		http_text(req, 503, "Service Unavailable", user, why);
}

static const struct http_page http_pages[] = {
	{ "/metrics", http_metrics },
	{ "/healthz", http_healthz },
};

/* Decodes standard base64 into out (NUL-terminated); -1 if bad or long. */
static int
http_base64(const char *in, char *out, size_t outsz)
{
	static const char	 al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
	    "opqrstuvwxyz0123456789+/";
	const char		*p;
	uint32_t		 acc = 0;
	size_t			 n = 0;
	int			 bits = 0, pad = 0;

	for (; *in != '\0'; in++) {
		if (*in == '=') {
			pad++;
			continue;
		}
		if (pad > 0 || (p = strchr(al, *in)) == NULL || *in == '\0')
			return -1;
		acc = (acc << 6) | (uint32_t)(p - al);
		if ((bits += 6) >= 8) {
			bits -= 8;
			if (n + 1 >= outsz)
				return -1;
			out[n++] = (char)((acc >> bits) & 0xff);
		}
	}
	if (pad > 2)
		return -1;
	out[n] = '\0';
	return memchr(out, '\0', n) != NULL ? -1 : 0;
}

/*
 * The user an Authorization header names, when its password is right:
 * into user, true; false otherwise.
 */
static bool
http_auth(struct http_ctx *c, struct evhttp_request *req, char *user,
    size_t usersz)
{
	const char	*h;
	char		 cred[512], *colon;
	bool		 ok;

	h = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Authorization");
	if (h == NULL || strncasecmp(h, "Basic ", 6) != 0 ||
	    strlen(h + 6) > 600 || http_base64(h + 6, cred, sizeof cred) == -1 ||
	    (colon = strchr(cred, ':')) == NULL)
		return false;
	*colon = '\0';
	if (!users_name_ok(cred))
		return false;
	ok = users_check(&c->users, cred, colon + 1);
	if (ok)
		text_copy(user, usersz, cred);
	explicit_bzero(cred, sizeof cred);
	return ok;
}

static void
http_request_cb(struct evhttp_request *req, void *arg)
{
	struct http_ctx		*c = arg;
	const struct evhttp_uri	*u;
	const char		*uri = evhttp_request_get_uri(req), *path;
	enum evhttp_cmd_type	 m = evhttp_request_get_command(req);
	char			 user[USER_NAME_MAX] = "";
	size_t			 i;

	if (uri == NULL || strlen(uri) > (size_t)c->cf->http.max_url) {
		http_text(req, 414, "URI Too Long", NULL, "URL too long");
		return;
	}
	if (c->auth && !http_auth(c, req, user, sizeof user)) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "WWW-Authenticate", "Basic realm=\"jourd\", charset=\"UTF-8\"");
		http_text(req, 401, "Unauthorized", NULL,
		    "a user name and password are needed");
		return;
	}
	if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", "GET, HEAD");
		http_text(req, 405, "Method Not Allowed", user[0] ? user : NULL,
		    "the console only reads: GET and HEAD");
		return;
	}
	if ((u = evhttp_request_get_evhttp_uri(req)) == NULL ||
	    (path = evhttp_uri_get_path(u)) == NULL) {
		http_text(req, 400, "Bad Request", user[0] ? user : NULL,
		    "bad request target");
		return;
	}
	for (i = 0; i < nitems(http_pages); i++)
		if (strcmp(path, http_pages[i].path) == 0) {
			http_pages[i].serve(c, req, user[0] ? user : NULL);
			return;
		}
	http_text(req, 404, "Not Found", user[0] ? user : NULL, "no such page");
}

static void
http_resume_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct http_ctx	*c = arg;

	evconnlistener_enable(c->listener);
}

/*
 * accept() failed: at the connection cap (no descriptor left), accepting
 * pauses for a moment rather than spinning; clients wait in the backlog.
 */
static void
http_accept_error_cb(struct evconnlistener *lev, void *arg)
{
	struct http_ctx	*c = &http_ctx;
	struct timeval	 tv = { 0, HTTP_ACCEPT_PAUSE * 1000 };
	int		 e = EVUTIL_SOCKET_ERROR();

	if (e != EMFILE && e != ENFILE && e != ENOBUFS && e != ENOMEM) {
		log_warnx("http: accept: %s", strerror(e));
		return;
	}
	log_debug("http: %d connections open: accepting pauses",
	    c->cf->http.max_conns);
	evconnlistener_disable(lev);
	evtimer_add(c->resume, &tv);
}

/* jourd closed the channel (or went away): the worker ends. */
static void
http_chan_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct http_ctx	*c = arg;
	char		 buf[64];
	ssize_t		 n = read(fd, buf, sizeof buf);

	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR))
		event_base_loopexit(c->base, NULL);
}

/* The Unix socket: 0660 in its directory, made 0750 when missing. */
static int
http_listen_unix(struct http_ctx *c)
{
	const char		*path = c->cf->http.unix_path;
	struct sockaddr_un	 sun;
	struct stat		 sb;
	char			 dir[PATH_MAX];
	mode_t			 old;
	int			 fd;

	text_copy(dir, sizeof dir, path);
	if (mkdir(dirname(dir), 0750) == -1 && errno != EEXIST) {
		log_warn("http: mkdir %s", dir);
		return -1;
	}
	/* A socket left by an earlier worker; never another kind of file. */
	if (lstat(path, &sb) == 0) {
		if (!S_ISSOCK(sb.st_mode)) {
			log_warnx("http: %s exists and is not a socket", path);
			return -1;
		}
		unlink(path);
	}
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		log_warnx("http: %s: path too long for a socket", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		log_warn("http: socket");
		return -1;
	}
	/* Made 0660 from the start: no moment at which others may connect. */
	old = umask(0117);
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		umask(old);
		log_warn("http: bind %s", path);
		close(fd);
		return -1;
	}
	umask(old);
	if (chmod(path, 0660) == -1 || listen(fd, 128) == -1) {
		log_warn("http: %s", path);
		close(fd);
		return -1;
	}
	if ((c->listener = evconnlistener_new(c->base, NULL, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd)) == NULL ||
	    evhttp_bind_listener(c->http, c->listener) == NULL) {
		log_warnx("http: cannot listen on %s", path);
		return -1;
	}
	return 0;
}

static int
http_listen(struct http_ctx *c)
{
	const struct http_conf		*h = &c->cf->http;
	struct evhttp_bound_socket	*b;

	if (h->unix_path[0] != '\0') {
		if (http_listen_unix(c) == -1)
			return -1;
	} else {
		if ((b = evhttp_bind_socket_with_handle(c->http, h->host,
		    (ev_uint16_t)h->port)) == NULL) {
			log_warn("http: cannot listen on %s", h->listen);
			return -1;
		}
		c->listener = evhttp_bound_socket_get_listener(b);
	}
	evconnlistener_set_error_cb(c->listener, http_accept_error_cb);
	return 0;
}

/*
 * The connection cap as a limit on descriptors: those open now, the cap,
 * and a reserve. A connection beyond it is not accepted (the listener
 * pauses) rather than accepted and starved.
 */
static int
http_cap(struct http_ctx *c)
{
	struct rlimit	 rl;
	DIR		*d;
	rlim_t		 open = 0;

	if ((d = opendir("/proc/self/fd")) == NULL) {
		log_warn("http: /proc/self/fd");
		return -1;
	}
	while (readdir(d) != NULL)
		open++;
	closedir(d);
	rl.rlim_cur = rl.rlim_max = open + (rlim_t)c->cf->http.max_conns +
	    HTTP_FD_RESERVE;
	/* Without it the process's own limit is the cap: worth a warning,
	 * not a console the less. */
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		log_warn("http: max_conns: setrlimit");
	return 0;
}

int
http_run(const void *arg, int fd)
{
	struct http_ctx		*c = &http_ctx;
	const struct http_conf	*h;
	char			 err[512];
	int			 rc = 1;

	c->cf = arg;
	h = &c->cf->http;
	if ((c->auth = h->users[0] != '\0') &&
	    users_load(h->users, &c->users, err, sizeof err) == -1) {
		log_warnx("http: %s", err);
		return 1;
	}
	if ((c->db = db_open_readonly(c->cf->database, err, sizeof err)) ==
	    NULL) {
		log_warnx("http: database %s", err);
		return 1;
	}
	if ((c->base = event_base_new()) == NULL ||
	    (c->http = evhttp_new(c->base)) == NULL) {
		log_warnx("http: libevent setup failed");
		goto done;
	}
	evhttp_set_max_headers_size(c->http, h->max_header);
	evhttp_set_max_body_size(c->http, HTTP_MAX_BODY);
	evhttp_set_timeout(c->http, (int)(h->timeout / JT_SECOND));
	/* Every method reaches http_request_cb, which answers 405 itself
	 * (libevent would answer 501 to the ones it was not allowed). */
	evhttp_set_allowed_methods(c->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT |
	    EVHTTP_REQ_PATCH);
	evhttp_set_gencb(c->http, http_request_cb, c);
	c->resume = evtimer_new(c->base, http_resume_cb, c);
	c->chan = event_new(c->base, fd, EV_READ | EV_PERSIST, http_chan_cb, c);
	if (c->resume == NULL || c->chan == NULL || event_add(c->chan, NULL) ==
	    -1 || http_listen(c) == -1 || http_cap(c) == -1)
		goto done;
	log_info("http: console on %s%s", h->listen, c->auth ?
	    " (HTTP Basic)" : "");
	event_base_dispatch(c->base);
	rc = 0;
done:
	if (h->unix_path[0] != '\0' && c->listener != NULL)
		unlink(h->unix_path);
	if (c->http != NULL)
		evhttp_free(c->http);
	if (c->resume != NULL)
		event_free(c->resume);
	if (c->chan != NULL)
		event_free(c->chan);
	if (c->base != NULL)
		event_base_free(c->base);
	db_close(c->db);
	return rc;
}
