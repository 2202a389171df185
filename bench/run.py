#!/usr/bin/env python3
"""make bench: jourd's figures, each the median of several runs, with the
machine they were measured on. Figures, not tests: nothing here fails on a
slow machine.

    python3 bench/run.py [--runs N] [--quick] [--only GROUP[,GROUP]]

1. pipeline: inbound SMS per second through the daemon's own code (parse,
   route, commit with synchronous=FULL, answer), the modem worker replaced
   by an in-process fake (build/bench_pipeline);
2. latency on the fake AT modem (tests/fakemodem) from the SMS's arrival
   (+CMTI) to the page's AT+CMGS, p50 and p99;
3. the same request-to-reply round through gammu-smsd (files backend) with a
   RunOnReceive script that answers through gammu-smsd-inject, on the same
   fake modem, with its default and its most eager settings, when
   gammu-smsd is installed (tools/deps.sh installs it);
4. resident memory of jourd (parent and worker) with 10,000 open consults;
5. time from exec to READY=1 (sd_notify) with 100,000 consults of history;
6. jourctl import units of a 100,000-row file (all checked, one transaction);
7. routes (DESIGN §10), on fake AT modems: the drain of 100 pages queued
   together through 1 modem and through 4, each modem's network taking 3 s
   per send, and their ratio; the time a silent first modem costs a page
   with failover_after = 10s, silent while idle and silent mid-send; and
   from a page's AT+CMGS to its wake-up call's ATD, p50 and p90 of 10.

Groups for --only: pipeline (1), latency (2, 3), memory (4), restart (5),
import (6), routes (7).
"""
import argparse
import contextlib
import json
import os
import platform
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "fakemodem"))
from fakemodem import FakeModem  # noqa: E402

JOURD = os.path.join(ROOT, "jourd")
JOURCTL = os.path.join(ROOT, "jourctl")
PIPELINE = os.path.join(ROOT, "build", "bench_pipeline")
WORK = os.path.join(ROOT, "build", "bench")     # on the disk, not tmpfs
REQUESTER = "+46701740605"


def conf(d, extra_modem="driver = dummy\ndevice = %(d)s/phone\n", ack="1h"):
    path = os.path.join(d, "jourd.conf")
    with open(path, "w") as f:
        # request_limit = 0: the bench streams requests from a few phones.
        f.write("[daemon]\ndatabase = %s/jourd.db\nrequest_limit = 0\n"
                "[modem]\n%s"
                "sweep = 2s\n[track akut]\nack_timeout = %s\n"
                % (d, extra_modem % {"d": d}, ack))
    return path


def fresh(name):
    d = os.path.join(WORK, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, "phone"))
    return d


def pipeline(n, batch=1):
    d = fresh("pipeline")
    out = subprocess.run([PIPELINE, conf(d), str(n), "all", str(batch)],
                         cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    # "pipeline: 3100 sms in 2.5 s = 1240 sms/s, committed ..., outbox 5100"
    words = out.split()
    return float(words[words.index("sms/s,") - 1]), out.strip()


def import_sample(c):
    for kind in ("units", "people", "roster"):
        subprocess.run([JOURCTL, "-c", c, "import", kind,
                        os.path.join(ROOT, "conf", "sample", kind + ".csv")],
                       check=True, capture_output=True)


def units_csv(path, n):
    """n units with distinct codes and names, as a region-wide file would."""
    with open(path, "w") as f:
        f.write("code,name,kind,phone,hours\n")
        for i in range(n):
            f.write("U%06d,Enhet %06d,specialty,+4670174%04d,always\n"
                    % (i, i, 600 + i % 100))


def import_units(n):
    """Seconds for jourctl import units of an n-row file into a fresh
    database (the file is written before the clock starts)."""
    d = fresh("import")
    c = conf(d)
    csv = os.path.join(d, "units.csv")
    units_csv(csv, n)
    t0 = time.monotonic()
    subprocess.run([JOURCTL, "-c", c, "import", "units", csv], check=True,
                   capture_output=True)
    return time.monotonic() - t0


def start_notify(c, d):
    """Starts jourd with a NOTIFY_SOCKET; returns (process, seconds to
    READY=1)."""
    path = os.path.join(d, "notify.sock")
    if os.path.exists(path):
        os.unlink(path)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    s.settimeout(60)
    env = dict(os.environ, NOTIFY_SOCKET=path)
    t0 = time.monotonic()
    p = subprocess.Popen([JOURD, "-d", "-c", c], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        msg = s.recv(4096).decode()
        if "READY=1" in msg:
            break
    dt = time.monotonic() - t0
    s.close()
    return p, dt


def stop(p):
    p.terminate()
    try:
        p.wait(10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def memory_open(n):
    d = fresh("memory")
    c = conf(d)
    subprocess.run([PIPELINE, c, str(n), "requests"], cwd=ROOT, check=True,
                   capture_output=True)
    p, _ = start_notify(c, d)
    time.sleep(3)               # the worker connects, the timers are armed
    with open("/proc/%d/task/%d/children" % (p.pid, p.pid)) as f:
        kids = [int(x) for x in f.read().split()]
    parent = rss_kib(p.pid)
    worker = sum(rss_kib(k) for k in kids)
    open_ = sqlite3.connect(os.path.join(d, "jourd.db")).execute(
        "SELECT count(*) FROM consults WHERE state = 'open'").fetchone()[0]
    stop(p)
    return parent, worker, open_


def history(n_seed, factor):
    """A database with n_seed * factor consults of history: n_seed through
    the real pipeline, then copied with SQL (every table a consult touches,
    ids shifted) and marked resolved, as months of use would leave them."""
    d = fresh("history")
    c = conf(d)
    subprocess.run([PIPELINE, c, str(n_seed)], cwd=ROOT, check=True,
                   capture_output=True)
    db = sqlite3.connect(os.path.join(d, "jourd.db"))
    cols = {t: [r[1] for r in db.execute("PRAGMA table_info(%s)" % t)]
            for t in ("consults", "legs", "pages", "events", "outbox",
                      "inbox")}
    span = db.execute("SELECT max(id) FROM consults").fetchone()[0]
    top = {t: db.execute("SELECT coalesce(max(rowid), 0) FROM %s" % t)
           .fetchone()[0] for t in cols}
    with db:
        for k in range(1, factor):
            for t, cs in cols.items():
                sel = []
                for col in cs:
                    if col == "id":
                        sel.append("id + %d" % (k * top[t]))
                    elif col == "consult_id":
                        sel.append("consult_id + %d" % (k * span))
                    elif col == "dedup":
                        sel.append("dedup || '#%d'" % k)
                    elif col == "outbox_id":
                        sel.append("outbox_id + %d" % (k * top["outbox"]))
                    else:
                        sel.append(col)
                db.execute("INSERT INTO %s (%s) SELECT %s FROM %s WHERE "
                           "rowid <= %d" % (t, ",".join(cs), ",".join(sel), t,
                                            top[t]))
        db.execute("UPDATE consults SET state = 'resolved' WHERE state NOT IN"
                   " ('resolved', 'unanswered', 'cancelled', 'rejected')")
        db.execute("UPDATE legs SET state = 'acked', due_at = NULL WHERE"
                   " state IN ('waiting', 'paging')")
        db.execute("UPDATE outbox SET state = 'sent' WHERE state <> 'sent'")
    total = db.execute("SELECT count(*) FROM consults").fetchone()[0]
    size = os.path.getsize(os.path.join(d, "jourd.db"))
    db.close()
    return d, c, total, size


def at_latency(count):
    d = fresh("at")
    fake = FakeModem(os.path.join(d, "fake"))
    c = conf(d, "driver = at\ndevice = %s\nconnection = at115200\n"
             % fake.device)
    import_sample(c)
    p, _ = start_notify(c, d)
    try:
        end = time.monotonic() + 60
        while b"ready" not in subprocess.run(
                [JOURCTL, "-c", c, "status"], capture_output=True).stdout:
            if time.monotonic() > end:
                raise RuntimeError("AT modem not ready")
            time.sleep(0.2)
        lat = []
        for i in range(count):
            before = len(fake.sent())
            t0 = time.time()
            fake.deliver(REQUESTER, "AKUT KARD mätning %d" % i)
            while True:
                sent = fake.sent()[before:]
                pages = [m for m in sent if "Svara OK" in m["text"]]
                if pages:
                    lat.append(pages[0]["at"] - t0)
                    break
                if time.time() - t0 > 30:
                    raise RuntimeError("no page for request %d" % i)
                time.sleep(0.01)
            # Let the receipt go out before the next request.
            while len(fake.sent()) < before + 2:
                time.sleep(0.01)
    finally:
        stop(p)
        fake.stop()
    lat.sort()
    return (lat[len(lat) // 2], lat[min(len(lat) - 1,
                                        int(0.99 * len(lat) + 0.999) - 1)],
            len(lat))


SMSD_SCRIPT = """#!/bin/sh
# RunOnReceive: answer every SMS with a receipt, as jourd does.
for f in "$@"; do
	from=$(echo "$f" | sed -n 's/^IN[0-9]*_[0-9]*_[0-9]*_\\(+[0-9]*\\)_.*/\\1/p')
	[ -n "$from" ] && gammu-smsd-inject -c %(d)s/smsdrc TEXT "$from" \\
	    -text "Mottaget" >/dev/null 2>&1
done
"""

# gammu-smsd's own defaults, and the most eager values its manual allows.
SMSD_EAGER = ("commtimeout = 0\nsendtimeout = 5\nreceivefrequency = 0\n"
              "statusfrequency = 0\nloopsleep = 0\n")


def smsd_latency(count, extra):
    """gammu-smsd (files backend) answering each SMS from a RunOnReceive
    script through gammu-smsd-inject: from the SMS's arrival to the
    reply's AT+CMGS, the same round as jourd's first answer."""
    if shutil.which("gammu-smsd") is None:
        return None
    d = fresh("smsd")
    for sub in ("inbox", "outbox", "sent", "error"):
        os.makedirs(os.path.join(d, sub))
    fake = FakeModem(os.path.join(d, "fake"))
    with open(os.path.join(d, "onreceive.sh"), "w") as f:
        f.write(SMSD_SCRIPT % {"d": d})
    os.chmod(os.path.join(d, "onreceive.sh"), 0o755)
    with open(os.path.join(d, "smsdrc"), "w") as f:
        f.write("[gammu]\ndevice = %s\nconnection = at115200\n[smsd]\n"
                "service = files\ninboxpath = %s/inbox/\noutboxpath = "
                "%s/outbox/\nsentsmspath = %s/sent/\nerrorsmspath = "
                "%s/error/\nrunonreceive = %s/onreceive.sh\nlogfile = "
                "%s/smsd.log\n%s" % (fake.device, d, d, d, d, d, d, extra))
    p = subprocess.Popen(["gammu-smsd", "-c", os.path.join(d, "smsdrc")],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    lat = []
    try:
        end = time.monotonic() + 60
        while not any("AT+CPMS" in c for c in fake.commands()):
            if time.monotonic() > end:
                raise RuntimeError("gammu-smsd did not start")
            time.sleep(0.2)
        time.sleep(2)
        for i in range(count):
            before = len(fake.sent())
            t0 = time.time()
            fake.deliver(REQUESTER, "AKUT KARD mätning %d" % i)
            while len(fake.sent()) <= before:
                if time.time() - t0 > 90:
                    raise RuntimeError("gammu-smsd sent no reply")
                time.sleep(0.01)
            lat.append(fake.sent()[before]["at"] - t0)
    finally:
        stop(p)
        fake.stop()
    lat.sort()
    return (lat[len(lat) // 2],
            lat[min(len(lat) - 1, int(0.99 * len(lat) + 0.999) - 1)])


# -- routes (DESIGN §10): several modems, failover, wake-up calls ----------

ROUTE_NAMES = "abcdefgh"
AT_READY = 60            # the AT connect sequence takes seconds


def routes_conf(d, fakes, daemon="", modem="", track=""):
    """A configuration with one [modem NAME] section per fake, in order;
    daemon, modem and track are extra lines for [daemon], every modem and
    [track akut]."""
    sections = "".join(
        "[modem %s]\ndriver = at\ndevice = %s\nsweep = 2s\n%s"
        % (name, fake.device, modem) for name, fake in fakes)
    path = os.path.join(d, "routes.conf")
    with open(path, "w") as f:
        f.write("[daemon]\ndatabase = %s/jourd.db\nrequest_limit = 0\n%s"
                "%s[track akut]\nack_timeout = 1h\n%s"
                % (d, daemon, sections, track))
    return path


def route_states(c):
    try:
        out = subprocess.run([JOURCTL, "-c", c, "--json", "status"],
                             capture_output=True, timeout=10).stdout
        return {r["name"]: r["state"] for r in
                json.loads(out)["status"]["routes"]}
    except (subprocess.TimeoutExpired, ValueError, KeyError, TypeError):
        return {}


def wait_routes_ready(c, names, p, timeout=AT_READY):
    end = time.monotonic() + timeout
    while True:
        st = route_states(c)
        if st and all(st.get(n) == "ready" for n in names):
            return
        if p.poll() is not None:
            raise RuntimeError("jourd exited (%s)" % p.returncode)
        if time.monotonic() > end:
            raise RuntimeError("routes not ready in %d s: %r" % (timeout, st))
        time.sleep(0.2)


@contextlib.contextmanager
def routes_jourd(d, nmodems, send_delay, prepare, **keys):
    """Runs jourd on nmodems fake modems a, b, ... in d, each holding every
    send send_delay seconds, with the extra configuration keys of
    routes_conf; prepare(conf) runs before jourd starts. Yields the list
    of (name, fake) once every route is ready; stops jourd and the fakes."""
    fakes = []
    try:
        for name in ROUTE_NAMES[:nmodems]:
            fakes.append((name, FakeModem(os.path.join(d, "fake-" + name),
                                          send_delay=send_delay)))
        c = routes_conf(d, fakes, **keys)
        prepare(c)
        p = subprocess.Popen([JOURD, "-d", "-c", c],
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        try:
            wait_routes_ready(c, [name for name, _ in fakes], p)
            yield fakes
        finally:
            stop(p)
    finally:
        for _, fake in fakes:
            fake.stop()


def pages_on_air(fakes):
    """Every page each fake's network has taken (pages say "Svara OK")."""
    return [m for _, fake in fakes for m in fake.sent()
            if "Svara OK" in m["text"]]


def drain(n, nmodems, delay, lead):
    """Seconds from n pages falling due together to the network's answer
    to the last of them, on nmodems fake modems that each hold every send
    for delay seconds. The n requests go through jourd's own pipeline
    (bench_pipeline) into a fresh database while jourd is stopped; their
    receipts are marked sent, so that only the pages wait; the pages are
    made due together lead seconds after jourd starts, once every modem has
    connected, so that the figure is the drain and not the AT connect.
    Returns (seconds, pages on the air, seconds to every modem ready)."""
    d = fresh("drain-%d" % nmodems)
    subprocess.run([PIPELINE, conf(d), str(n), "requests"], cwd=ROOT,
                   check=True, capture_output=True)
    start = {}

    def queue_pages(c):
        db = sqlite3.connect(os.path.join(d, "jourd.db"))
        start["t0"] = time.time()
        start["due"] = int((start["t0"] + lead) * 1000)
        with db:
            db.execute("UPDATE outbox SET state = 'sent', sent_at = ?, "
                       "route = 'a' WHERE kind <> 'page'",
                       (int(start["t0"] * 1000),))
            queued = db.execute("UPDATE outbox SET next_attempt_at = ? "
                                "WHERE kind = 'page' AND state = 'queued'",
                                (start["due"],)).rowcount
        db.close()
        if queued != n:
            raise RuntimeError("%d pages queued, not %d" % (queued, n))

    with routes_jourd(d, nmodems, delay, queue_pages) as fakes:
        ready = time.time() - start["t0"]
        wait_for(lambda: len(pages_on_air(fakes)) >= n,
                 lead + n * delay * 2 + 60, "%d pages on the air" % n)
        time.sleep(1)           # a page sent twice would show now
        pages = pages_on_air(fakes)
    return (max(m["answered_at"] for m in pages) - start["due"] / 1000.0,
            len(pages), ready)


def wait_for(pred, timeout, what):
    end = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > end:
            raise RuntimeError("no %s in %d s" % (what, timeout))
        time.sleep(0.05)


def failover(mid_send, after):
    """Two modems a and b, [daemon] failover_after = after seconds. Idle:
    a falls silent (stops answering) while nothing is in flight and a
    request arrives on b at once; seconds from the request to the page
    on b's air (its AT+CMGS; a was first and healthy as far as jourd
    knew). Mid-send: a holds each send 3 s, the request's page is handed
    to a, and a falls silent with the page's PDU typed; seconds from the
    silence to the page on b's air. Returns (seconds, pages on b, pages
    on a): the page must reach the air once, through b."""
    d = fresh("failover-%s" % ("send" if mid_send else "idle"))
    with routes_jourd(d, 2, 0, import_sample,
                      daemon="failover_after = %ds\n" % after) as fakes:
        a, b = fakes[0][1], fakes[1][1]
        if mid_send:
            a.call(op="send_delay", seconds=3)
            n = len(a.commands())
            b.deliver(REQUESTER, "AKUT KARD mätning mitt i sändningen")
            wait_for(lambda: [x for x in a.commands()[n:]
                              if x.startswith("PDU ")], 30, "send on a")
            a.call(op="silent", on=True)
        else:
            a.call(op="silent", on=True)
            b.deliver(REQUESTER, "AKUT KARD mätning tyst modem")
        t0 = time.time()
        page = wait_for(lambda: pages_on_air(fakes[1:]), after + 60,
                        "page on b")[0]
        time.sleep(1)           # a page sent twice would show now
        on_b, on_a = len(pages_on_air(fakes[1:])), len(pages_on_air(
            fakes[:1]))
    return page["at"] - t0, on_b, on_a


def call_latency(count, ring, timeout):
    """One modem with calls = yes, a track with call_from_step = 1 and
    call_ring = ring seconds: for each of count requests, seconds from the
    page's AT+CMGS (the fake's send log) to the wake-up call's ATD (its
    call log). Each request waits for the call before to end. Returns the
    sorted latencies, or None when no call was dialled within timeout."""
    lat = []
    with routes_jourd(fresh("calls"), 1, 0, import_sample,
                      daemon="call_ring = %ds\n" % ring,
                      modem="calls = yes\n",
                      track="call_from_step = 1\n") as fakes:
        fake = fakes[0][1]
        for i in range(count):
            pages, calls = len(pages_on_air(fakes)), len(fake.calls())
            fake.deliver(REQUESTER, "AKUT KARD väckning %d" % i)
            page = wait_for(lambda: pages_on_air(fakes)[pages:], 30,
                            "page %d" % i)[0]
            try:
                call = wait_for(lambda: fake.calls()[calls:], timeout,
                                "call")[0]
            except RuntimeError:
                return None
            lat.append(call["dialled_at"] - page["at"])
            wait_for(lambda: fake.calls()[calls]["ended_at"], ring + 30,
                     "the call's end")
    return sorted(lat)


def nearest_rank(xs, p):
    """The p-th percentile of sorted xs, nearest rank: an observed value."""
    return xs[max(0, min(len(xs) - 1, int(p * len(xs) / 100.0 + 0.999) - 1))]


def machine():
    def first(path, key):
        try:
            with open(path) as f:
                for line in f:
                    if line.startswith(key):
                        sep = ":" if ":" in line else "="
                        return line.split(sep, 1)[1].strip()
        except OSError:
            pass
        return "?"

    def cmd(*a):
        try:
            return subprocess.run(a, capture_output=True, text=True
                                  ).stdout.strip().splitlines()[0]
        except (OSError, IndexError):
            return "?"
    mem = first("/proc/meminfo", "MemTotal")
    return [("cpu", first("/proc/cpuinfo", "model name")),
            ("cores", str(os.cpu_count())), ("memory", mem),
            ("kernel", platform.release()),
            ("system", first("/etc/os-release", "PRETTY_NAME").strip('"')),
            ("gcc", cmd("gcc", "-dumpfullversion")),
            ("sqlite", sqlite3.sqlite_version),
            ("disk", " ".join(subprocess.run(
                ["df", "--output=source,fstype", WORK], capture_output=True,
                text=True).stdout.split("\n")[1].split())),
            ("load", "%.2f %.2f %.2f" % os.getloadavg())]


def failover_runs(a):
    return 1 if a.quick else 3


def routes_rows(a):
    """The route figures. The drain through one modem waits on the network
    for 100 x 3 s and more, and uses little CPU: it runs in a thread beside
    the other route figures (each its own jourd, fakes and directory) so
    that the group takes about as long as that drain alone."""
    n_drain = 20 if a.quick else 100
    fo_runs = failover_runs(a)
    n_calls = 5 if a.quick else 10
    delay, lead, after, ring, call_wait = 3, 15, 10, 5, 20
    one = {}

    def drain_one():
        try:
            one["r"] = drain(n_drain, 1, delay, lead)
        except Exception as e:  # raised again in the main thread
            one["error"] = e
    t = threading.Thread(target=drain_one)
    t.start()
    try:
        four = drain(n_drain, 4, delay, lead)
        idle = [failover(False, after) for _ in range(fo_runs)]
        send = [failover(True, after) for _ in range(fo_runs)]
        calls = call_latency(n_calls, ring, call_wait)
    finally:
        t.join()
    if "error" in one:
        raise one["error"]
    one = one["r"]

    rows = []
    for label, r in (("1 modem", one), ("4 modems", four)):
        rows.append(("drain of %d pages, %s, %d s network delay each"
                     % (n_drain, label, delay), "%.1f" % r[0], "s", ""))
        if r[1] != n_drain:
            rows.append(("  pages on the air: %d of %d (sent twice?)"
                         % (r[1], n_drain), "-", "", ""))
        if r[2] > lead:
            rows.append(("  every modem ready at %.1f s, the pages due at "
                         "%d s" % (r[2], lead), "-", "", ""))
    rows.append(("ratio of the drains, 1 modem / 4 modems",
                 "%.2f" % (one[0] / four[0]), "", ">= 3.5"))
    for label, runs in (("1st silent idle, request to page on 2nd", idle),
                        ("1st silent mid-send, to page on 2nd", send)):
        rows.append(("failover_after %ds: %s" % (after, label),
                     "%.1f" % statistics.median(r[0] for r in runs), "s",
                     "<= %d" % (after + 10)))
        twice = [r for r in runs if r[1] != 1 or r[2] != 0]
        if twice:
            rows.append(("  runs with the page not once through the 2nd: "
                         "%d" % len(twice), "-", "", ""))
    if calls is None:
        rows.append(("page to wake-up call: not measured: no call dialled "
                     "in %d s" % call_wait, "-", "", "p50 < 2"))
        print("  wake-up calls: none dialled within %d s of the first page"
              % call_wait, file=sys.stderr)
    else:
        for p, goal in ((50, "< 2"), (90, "")):
            rows.append(("page AT+CMGS to wake-up call ATD, p%d (%d calls)"
                         % (p, len(calls)),
                         "%.3f" % nearest_rank(calls, p), "s", goal))
    return rows


GROUPS = ("pipeline", "latency", "memory", "import", "restart", "routes")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--quick", action="store_true",
                    help="smaller sizes, for trying the script")
    ap.add_argument("--only", metavar="GROUP[,GROUP]",
                    help="only these figures: " + ", ".join(GROUPS))
    a = ap.parse_args()
    want = set(GROUPS)
    if a.only:
        want = set(a.only.split(","))
        if not want <= set(GROUPS):
            ap.error("--only: groups are " + ", ".join(GROUPS))
    n_pipe = 200 if a.quick else 1000
    n_open = 1000 if a.quick else 10000
    seed, factor = (200, 10) if a.quick else (1000, 100)
    os.makedirs(WORK, exist_ok=True)
    rows = []

    if "pipeline" in want:
        tp = [pipeline(n_pipe) for _ in range(a.runs)]
        rate = statistics.median(t for t, _ in tp)
        rows.append(("pipeline throughput (%d SMS: requests, OK, KLAR, "
                     "STATUS)" % (n_pipe * 31 // 10), "%.0f" % rate, "SMS/s",
                     ">= 1000"))
        print("  " + tp[-1][1], file=sys.stderr)
        tb = [pipeline(n_pipe, 16) for _ in range(a.runs)]
        rows.append(("  the same, 16 SMS arriving together (one "
                     "transaction)",
                     "%.0f" % statistics.median(t for t, _ in tb), "SMS/s",
                     ""))

    if "latency" in want:
        lat = [at_latency(10 if a.quick else 30) for _ in range(3)]
        rows.append(("+CMTI to page AT+CMGS, p50 (fake AT modem)",
                     "%.3f" % statistics.median(x[0] for x in lat), "s", ""))
        rows.append(("+CMTI to page AT+CMGS, p99 (fake AT modem)",
                     "%.3f" % statistics.median(x[1] for x in lat), "s",
                     "< 1"))
        jourd_p50 = statistics.median(x[0] for x in lat)
        for name, extra in (("default", ""), ("eager", SMSD_EAGER)):
            r = smsd_latency(5 if a.quick else 10, extra)
            if r is None:
                rows.append(("gammu-smsd (%s settings): not installed"
                             % name, "-", "", ""))
                continue
            rows.append(("gammu-smsd RunOnReceive reply, %s settings, p50"
                         % name, "%.3f" % r[0], "s", ""))
            rows.append(("ratio jourd / gammu-smsd (%s), p50 latency"
                         % name, "%.3f" % (jourd_p50 / r[0]), "",
                         "< 1: jourd faster"))

    if "memory" in want:
        mem = [memory_open(n_open) for _ in range(3)]
        rows.append(("resident memory, %d open consults: jourd" % mem[0][2],
                     "%d" % statistics.median(m[0] for m in mem), "KiB", ""))
        rows.append(("resident memory, modem worker (dummy phone)",
                     "%d" % statistics.median(m[1] for m in mem), "KiB", ""))

    if "import" in want:
        n_units = 10000 if a.quick else 100000
        rows.append(("import %d units" % n_units,
                     "%.2f" % statistics.median(import_units(n_units)
                                                for _ in range(a.runs)),
                     "s", ""))

    if "restart" in want:
        d, c, total, size = history(seed, factor)
        ready = []
        for _ in range(a.runs):
            p, dt = start_notify(c, d)
            ready.append(dt)
            stop(p)
        rows.append(("exec to READY=1, %d consults of history (%d MB)"
                     % (total, size // 1000000),
                     "%.3f" % statistics.median(ready), "s", ""))

    if "routes" in want:
        rows += routes_rows(a)

    print("jourd benchmark, median of %d runs (latency: 3 runs; routes: "
          "one drain each, failover %d runs)" % (a.runs, failover_runs(a)))
    for k, v in machine():
        print("  %-8s %s" % (k + ":", v))
    print()
    print("%-62s %12s %-6s %s" % ("figure", "value", "unit", "goal"))
    for r in rows:
        print("%-62s %12s %-6s %s" % r)


if __name__ == "__main__":
    main()
