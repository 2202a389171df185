"""The console's foundation (DESIGN §11): [http] on a Unix socket and on TCP
with HTTP Basic, /metrics checked with promtool and against consults made by
SMS at known times, /healthz, the request limits, and paging going on while
/metrics is fetched in a loop. jourd runs under a frozen wall clock
(test_report_live.FrozenGateway), so acknowledgement times are exact."""
import base64
import calendar
import http.client
import os
import shutil
import socket
import stat
import subprocess
import threading
import time

from harness import (JOURD, JOURCTL, PRIMARY, REQUESTER, REQUESTER2, Gateway,
                     check)
from test_report_live import FrozenGateway

PROMTOOL = shutil.which("promtool")


class UnixHTTPConnection(http.client.HTTPConnection):
    """http.client over an AF_UNIX stream socket."""

    def __init__(self, path, timeout=10):
        http.client.HTTPConnection.__init__(self, "localhost", timeout=timeout)
        self.path = path

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(self.timeout)
        s.connect(self.path)
        self.sock = s


def get(conn, path, method="GET", headers=None):
    """(status, headers, body) of one request on a fresh connection."""
    try:
        conn.request(method, path, headers=headers or {})
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read().decode("utf-8")
    finally:
        conn.close()


def epoch(local):
    """Unix time of a Stockholm "YYYY-MM-DD HH:MM:SS" in November (CET)."""
    return calendar.timegm(time.strptime(local, "%Y-%m-%d %H:%M:%S")) - 3600


def samples(text):
    """{'name{labels}': value} of an exposition text."""
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            k, v = line.rsplit(" ", 1)
            out[k] = float(v)
    return out


def wait_for(pred, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if pred():
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError("timed out waiting for " + what)


def raw(path, data):
    """Sends data on the socket; what comes back (b"" when closed)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(path)
    try:
        s.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        pass
    try:
        return s.recv(4096)
    except (ConnectionResetError, socket.timeout):
        return b""
    finally:
        s.close()


class ConsoleGateway(FrozenGateway):
    def __init__(self):
        FrozenGateway.__init__(self)
        self.sock = os.path.join(self.dir, "run", "http.sock")
        with open(self.conf, "a") as f:
            f.write("\n[http]\nlisten = unix:%s\n" % self.sock)

    def http(self, path, **kw):
        return get(UnixHTTPConnection(self.sock), path, **kw)


def test_metrics_health_and_limits_on_the_socket():
    gw = ConsoleGateway()
    try:
        gw.start_frozen("2025-11-03 10:00:00")
        wait_for(lambda: os.path.exists(gw.sock), 10, "the console's socket")
        check(stat.S_IMODE(os.stat(gw.sock).st_mode) == 0o660,
              "socket mode %o" % os.stat(gw.sock).st_mode)
        check(stat.S_IMODE(os.stat(os.path.dirname(gw.sock)).st_mode) ==
              0o750, "socket directory made 0750")

        # Three consults: acknowledged after 45 s and 150 s, one open.
        a = gw.request("2025-11-03 10:00:00", REQUESTER, "AKUT KARD bröst",
                       PRIMARY)
        gw.ack("2025-11-03 10:00:45", a, PRIMARY)
        b = gw.request("2025-11-03 10:05:00", REQUESTER2, "AKUT KARD andning",
                       PRIMARY)
        gw.ack("2025-11-03 10:07:30", b, PRIMARY)
        gw.request("2025-11-03 10:20:00", REQUESTER, "AKUT KARD svimning",
                   PRIMARY)
        gw.wait(lambda: len([m for m in gw.outbox() if m["kind"] == "page"
                             and m["state"] == "sent"]) == 3, 10,
                "three pages sent")

        status, headers, body = gw.http("/metrics")
        check(status == 200, "GET /metrics: %d %s" % (status, body[:200]))
        check(headers["Content-Type"].startswith("text/plain; version=0.0.4"),
              headers)
        check(PROMTOOL, "promtool is missing (sh tools/deps.sh)")
        p = subprocess.run([PROMTOOL, "check", "metrics"], input=body.encode(),
                           capture_output=True, timeout=30)
        check(p.returncode == 0, "promtool: %s%s" % (
            p.stdout.decode(), p.stderr.decode()))
        for name in ("jourd_consults", "jourd_pages_sent_total",
                     "jourd_ack_seconds", "jourd_outbox_queued",
                     "jourd_outbox_oldest_queued_seconds", "jourd_route_up",
                     "jourd_last_inbound_sms_timestamp_seconds",
                     "jourd_consults_escalated_total",
                     "jourd_consults_unanswered_total"):
            check("# HELP %s " % name in body and "# TYPE %s " % name in body,
                  "HELP and TYPE of " + name)
        m = samples(body)
        want = {
            'jourd_consults{track="akut",state="acknowledged"}': 2,
            'jourd_consults{track="akut",state="open"}': 1,
            'jourd_consults{track="akut",state="unanswered"}': 0,
            'jourd_ack_seconds_bucket{track="akut",le="30"}': 0,
            'jourd_ack_seconds_bucket{track="akut",le="60"}': 1,
            'jourd_ack_seconds_bucket{track="akut",le="120"}': 1,
            'jourd_ack_seconds_bucket{track="akut",le="300"}': 2,
            'jourd_ack_seconds_bucket{track="akut",le="+Inf"}': 2,
            'jourd_ack_seconds_sum{track="akut"}': 195,
            'jourd_ack_seconds_count{track="akut"}': 2,
            'jourd_pages_sent_total{route="main"}': 3,
            'jourd_route_up{route="main",kind="modem"}': 1,
            'jourd_outbox_queued': 0,
            'jourd_outbox_oldest_queued_seconds': 0,
            'jourd_last_inbound_sms_timestamp_seconds':
                epoch("2025-11-03 10:20:00"),
            'jourd_consults_unanswered_total{track="akut"}': 0,
        }
        for k, v in want.items():
            check(m.get(k) == v, "%s: %r, want %r" % (k, m.get(k), v))

        status, _, body = gw.http("/healthz")
        check(status == 200 and body == "ok\n", "healthz: %d %r" % (status,
                                                                     body))
        status, headers, body = gw.http("/metrics", method="HEAD")
        check(status == 200 and body == "", "HEAD: %d %r" % (status, body))
        status, headers, _ = gw.http("/metrics", method="POST")
        check(status == 405 and headers.get("Allow") == "GET, HEAD",
              "POST: %d %r" % (status, headers))
        status, _, _ = gw.http("/metrics", method="DELETE")
        check(status == 405, "DELETE: %d" % status)
        status, _, _ = gw.http("/nothing-here")
        check(status == 404, "unknown page: %d" % status)

        # A 1 MB header and a 100 KB URL are refused; the worker serves on.
        r = raw(gw.sock, b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " +
                b"a" * (1 << 20) + b"\r\n\r\n")
        check(not r.startswith(b"HTTP/1.1 200"), "1 MB header: %r" % r[:40])
        r = raw(gw.sock, b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\n"
                b"Host: x\r\n\r\n")
        check(r.startswith(b"HTTP/1.1 4") or r == b"",
              "100 KB URL: %r" % r[:40])
        r = raw(gw.sock, b"GET /metrics?" + b"a" * 4000 + b" HTTP/1.1\r\n"
                b"Host: x\r\n\r\n")
        check(r.startswith(b"HTTP/1.1 414"), "URL over max_url: %r" % r[:40])
        status, _, body = gw.http("/healthz")
        check(status == 200, "healthz after the limits: %d" % status)

        # More idle connections than max_conns (64) hold neither the worker
        # nor paging; once they go, the console serves again.
        idle = []
        for _ in range(100):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.setblocking(False)
            try:
                s.connect(gw.sock)
            except BlockingIOError:
                pass
            idle.append(s)
        try:
            start = time.monotonic()
            gw.request("2025-11-03 10:25:00", REQUESTER, "AKUT KARD yrsel",
                       PRIMARY)
            took = time.monotonic() - start
        finally:
            for s in idle:
                s.close()
        check(took < 10, "page took %.1f s beside idle connections" % took)
        wait_for(lambda: gw.http("/healthz")[0] == 200, 5,
                 "the console after the idle connections")

        # Paging goes on while /metrics is fetched in a loop.
        stop = threading.Event()
        fetched = []

        def loop():
            while not stop.is_set():
                try:
                    st, _, _ = gw.http("/metrics")
                    fetched.append(st)
                except OSError:
                    fetched.append(0)

        t = threading.Thread(target=loop)
        t.start()
        try:
            start = time.monotonic()
            gw.request("2025-11-03 10:30:00", REQUESTER2, "AKUT KARD feber",
                       PRIMARY)
            took = time.monotonic() - start
        finally:
            stop.set()
            t.join(30)
        check(took < 10, "page took %.1f s while /metrics was fetched" % took)
        check(fetched and fetched.count(200) == len(fetched),
              "fetched meanwhile: %r" % fetched[:20])

        # Each request is logged with its user ("-" on the socket).
        log = gw.daemon_log()
        check("http: unix GET /metrics 200 user -" in log, "request log")
        check("http: unix POST /metrics 405 user -" in log, "405 logged")
    finally:
        gw.close()


def test_healthz_503_when_no_route_is_healthy():
    gw = Gateway()
    sock = os.path.join(gw.dir, "http.sock")
    # A modem on a device that does not exist never becomes ready.
    with open(gw.conf) as f:
        text = f.read()
    text = text.replace("driver = dummy\ndevice = %s" % gw.phone,
                        "driver = at\ndevice = %s/no-such-tty" % gw.dir)
    with open(gw.conf, "w") as f:
        f.write(text + "\n[http]\nlisten = unix:%s\n" % sock)
    proc = subprocess.Popen([JOURD, "-d", "-c", gw.conf], stdout=gw.log,
                            stderr=gw.log)
    gw.proc = proc
    try:
        wait_for(lambda: os.path.exists(sock), 10, "the console's socket")
        status, _, body = get(UnixHTTPConnection(sock), "/healthz")
        check(status == 503 and body == "no SMS route is healthy\n",
              "healthz: %d %r" % (status, body))
        status, _, body = get(UnixHTTPConnection(sock), "/metrics")
        check('jourd_route_up{route="main",kind="modem"} 0' in body, body)
    finally:
        gw.close()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def user_add(users, name, password, ok=True):
    r = subprocess.run([JOURCTL, "user", "add", name, "--users", users],
                       input=(password + "\n").encode(), capture_output=True,
                       timeout=30)
    check((r.returncode == 0) == ok, "user add %s: %d %s" % (
        name, r.returncode, r.stderr.decode()))
    return r


def test_tcp_needs_users_and_basic_auth():
    gw = Gateway()
    users = os.path.join(gw.dir, "users")
    port = free_port()
    try:
        with open(gw.conf, "a") as f:
            f.write("\n[http]\nlisten = 127.0.0.1:%d\nusers = %s\n" % (
                port, users))

        # A plain password in the file: refused at start with file and line.
        with open(users, "w") as f:
            f.write("# konsolen\nbo:hemligt\n")
        r = subprocess.run([JOURD, "-n", "-c", gw.conf], capture_output=True,
                           timeout=30)
        err = r.stderr.decode()
        check(r.returncode == 1 and "%s:2: user bo: not a yescrypt" % users
              in err, "plain hash: %d %r" % (r.returncode, err))

        os.unlink(users)
        user_add(users, "anna", "rätt lösen")
        user_add(users, "bo", "annat lösen")
        user_add(users, "an:na", "x", ok=False)
        user_add(users, "an na", "x", ok=False)
        check(stat.S_IMODE(os.stat(users).st_mode) == 0o640,
              "users file mode %o" % os.stat(users).st_mode)
        with open(users) as f:
            lines = f.read().splitlines()
        check(len(lines) == 2 and lines[0].startswith("anna:$y$") and
              lines[1].startswith("bo:$y$"), lines)
        # A new password replaces the old line.
        user_add(users, "bo", "nytt lösen")
        with open(users) as f:
            check(len(f.read().splitlines()) == 2, "bo replaced")

        gw.start()
        wait_for(lambda: socket.create_connection(("127.0.0.1", port), 1)
                 .close() or True, 10, "the console's port")

        def tcp(headers=None):
            return get(http.client.HTTPConnection("127.0.0.1", port,
                                                  timeout=10), "/healthz",
                       headers=headers)

        def basic(user, pw):
            return {"Authorization": "Basic " + base64.b64encode(
                ("%s:%s" % (user, pw)).encode()).decode()}

        status, headers, _ = tcp()
        check(status == 401 and headers.get("WWW-Authenticate", "")
              .startswith("Basic realm="), "no credentials: %d %r" % (
                  status, headers))
        status, _, _ = tcp(basic("anna", "fel lösen"))
        check(status == 401, "wrong password: %d" % status)
        status, _, _ = tcp(basic("bo", "annat lösen"))
        check(status == 401, "the old password of bo: %d" % status)
        status, _, _ = tcp(basic("cecilia", "rätt lösen"))
        check(status == 401, "unknown user: %d" % status)
        status, _, body = tcp(basic("anna", "rätt lösen"))
        check(status == 200 and body == "ok\n", "right password: %d" % status)
        status, _, _ = tcp(basic("bo", "nytt lösen"))
        check(status == 200, "bo's new password: %d" % status)
        log = gw.daemon_log()
        check("GET /healthz 200 user anna" in log, "logged with the user")
        check("GET /healthz 401 user -" in log, "401 logged")
    finally:
        gw.close()
