"""What the fake devices of the tests share (tests/fakemodem, tests/fakepager):
a pseudo-terminal behind a symbolic link that can vanish and come back, a
control socket in the fake's directory that takes one JSON object a line and
answers one, the loop that serves both, and the tests' side: start a fake and
call its control socket. Python standard library only.

A device served here has: master (the pty's master fd, or None while the
line is down), open_line() and drop_line(), feed(data) for what the
program under test wrote, control(request) -> dict for the control socket,
next_timeout() (seconds, or None) and run_timers(). The ops "drop" (the
device vanishes) and "reappear" are served here for every device.
"""
import json
import os
import select
import socket
import subprocess
import sys
import time
import tty


def pty_link(link):
    """A raw pseudo-terminal whose slave `link` points to: (master, slave).
    The fake keeps the slave open, so the master never sees a hang-up while
    the program under test reopens the device."""
    master, slave = os.openpty()
    tty.setraw(slave)
    tmp = link + ".tmp"
    if os.path.lexists(tmp):
        os.unlink(tmp)
    os.symlink(os.ttyname(slave), tmp)
    os.rename(tmp, link)
    return master, slave


def pty_unlink(link, *fds):
    """The device disappears: the link goes, the terminal closes."""
    if os.path.lexists(link):
        os.unlink(link)
    for fd in fds:
        if fd is not None:
            os.close(fd)


def control(device, req):
    """One control request: the line ops every device shares, else the
    device's own."""
    if req.get("op") == "drop":
        device.drop_line()
        return {}
    if req.get("op") == "reappear":
        if device.master is None:
            device.open_line()
        return {}
    return device.control(req)


def serve(device, directory):
    """Serves device's line and DIR/ctl.sock for ever."""
    path = os.path.join(directory, "ctl.sock")
    if os.path.exists(path):
        os.unlink(path)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(8)
    clients = {}
    while True:
        fds = [srv] + list(clients)
        if device.master is not None:
            fds.append(device.master)
        r, _, _ = select.select(fds, [], [], device.next_timeout())
        device.run_timers()
        for fd in r:
            if fd is srv:
                c, _ = srv.accept()
                clients[c] = b""
            elif fd is device.master:
                try:
                    data = os.read(device.master, 4096)
                except OSError:
                    data = b""
                if data:
                    device.feed(data)
            else:
                data = fd.recv(65536)
                if not data:
                    del clients[fd]
                    fd.close()
                    continue
                clients[fd] += data
                while b"\n" in clients[fd]:
                    line, clients[fd] = clients[fd].split(b"\n", 1)
                    try:
                        resp = {"ok": True}
                        resp.update(control(device, json.loads(line)))
                    except (ValueError, KeyError, TypeError) as e:
                        resp = {"ok": False, "error": str(e)}
                    fd.sendall(json.dumps(resp).encode() + b"\n")


def start(script, directory, args, device, what):
    """Runs the fake `script` with --dir directory and args; returns the
    process once its control socket and its device link exist."""
    proc = subprocess.Popen([sys.executable, os.path.abspath(script),
                             "--dir", directory] + list(args))
    sock = os.path.join(directory, "ctl.sock")
    end = time.monotonic() + 10
    while not (os.path.exists(sock) and os.path.lexists(device)):
        if time.monotonic() > end or proc.poll() is not None:
            proc.kill()
            proc.wait()
            raise RuntimeError("%s did not start" % what)
        time.sleep(0.05)
    return proc


def call(directory, req):
    """One request to the fake's control socket; raises on {"ok": false}."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(os.path.join(directory, "ctl.sock"))
    s.sendall(json.dumps(req).encode() + b"\n")
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    s.close()
    resp = json.loads(buf)
    if not resp.get("ok"):
        raise RuntimeError(resp.get("error"))
    return resp
