"""make install and the manual pages: what an administrator gets on disk, and
whether the pages document every key, command, option and SMS keyword the
programs actually have (asked from the programs, so a new key without its
documentation fails here)."""
import os
import re
import subprocess
import tempfile

from harness import ROOT, JOURD, JOURCTL, check

MAN = os.path.join(ROOT, "man")


def page(name):
    with open(os.path.join(MAN, name), encoding="utf-8") as f:
        return f.read()


def items(text):
    """The words that start an item (.It Cm WORD / .It Fl X) of a page."""
    return set(re.findall(r"^\.It (?:Cm|Fl) \\?-?([^\s]+)", text, re.M))


def test_make_install_puts_everything_under_destdir_and_prefix():
    with tempfile.TemporaryDirectory() as dest:
        r = subprocess.run(["make", "-s", "-C", ROOT, "install",
                            "DESTDIR=" + dest, "PREFIX=/opt/jourd"],
                           capture_output=True, text=True)
        check(r.returncode == 0, "make install failed: " + r.stderr[-500:])
        want = ["sbin/jourd", "bin/jourctl", "lib/systemd/system/jourd.service",
                "share/man/man8/jourd.8", "share/man/man8/jourctl.8",
                "share/man/man5/jourd.conf.5",
                "share/doc/jourd/jourd.conf.example",
                "share/jourd/schema/001_init.sql"]
        for w in want:
            check(os.path.isfile(os.path.join(dest, "opt/jourd", w)),
                  "not installed: " + w)
        check(os.access(os.path.join(dest, "opt/jourd/sbin/jourd"), os.X_OK),
              "jourd not executable")
        with open(os.path.join(dest, "opt/jourd/lib/systemd/system/"
                               "jourd.service")) as f:
            unit = f.read()
        execs = re.findall(r"^Exec\w*=(\S+)", unit, re.M)
        check("/opt/jourd/sbin/jourd" in execs,
              "unit does not start the installed jourd: %r" % execs)
        check("/usr/local/" not in unit, "unit still names /usr/local")
        # Nothing may land outside DESTDIR.
        for top in os.listdir(dest):
            check(top == "opt", "installed outside PREFIX: " + top)


def test_install_adds_the_user_and_the_state_directory():
    """sysusers.d and tmpfiles.d files under PREFIX, applied to a scratch
    root by systemd's own tools: the user jourd in group dialout, and
    /var/lib/jourd 0700 owned by it."""
    with tempfile.TemporaryDirectory() as dest:
        r = subprocess.run(["make", "-s", "-C", ROOT, "install",
                            "DESTDIR=" + dest, "PREFIX=/opt/jourd"],
                           capture_output=True, text=True)
        check(r.returncode == 0, "make install failed: " + r.stderr[-500:])
        sysusers = os.path.join(dest, "opt/jourd/lib/sysusers.d/jourd.conf")
        tmpfiles = os.path.join(dest, "opt/jourd/lib/tmpfiles.d/jourd.conf")
        for f in (sysusers, tmpfiles):
            check(os.path.isfile(f), "not installed: " + f)
        root = os.path.join(dest, "root")
        os.makedirs(os.path.join(root, "etc"))
        # A group dialout as Debian has it, for the membership to join.
        with open(os.path.join(root, "etc/group"), "w") as f:
            f.write("root:x:0:\ndialout:x:20:\n")
        r = subprocess.run(["systemd-sysusers", "--root=" + root, sysusers],
                           capture_output=True, text=True)
        check(r.returncode == 0, "systemd-sysusers: " + r.stderr[-500:])
        with open(os.path.join(root, "etc/passwd")) as f:
            users = {l.split(":")[0]: l.split(":") for l in f}
        check("jourd" in users, "no user jourd: %r" % list(users))
        check(users["jourd"][5] == "/var/lib/jourd" and
              users["jourd"][6].strip() == "/usr/sbin/nologin",
              "user jourd: %r" % users["jourd"])
        with open(os.path.join(root, "etc/group")) as f:
            groups = {l.split(":")[0]: l.strip().split(":") for l in f}
        check("jourd" in groups["dialout"][3].split(","),
              "jourd not in dialout: %r" % groups["dialout"])
        if os.getuid() == 0:
            r = subprocess.run(["systemd-tmpfiles", "--root=" + root,
                                "--create", tmpfiles],
                               capture_output=True, text=True)
            check(r.returncode == 0, "systemd-tmpfiles: " + r.stderr[-500:])
            st = os.stat(os.path.join(root, "var/lib/jourd"))
            check(st.st_mode & 0o7777 == 0o700,
                  "/var/lib/jourd mode %o" % (st.st_mode & 0o7777))
            check(str(st.st_uid) == users["jourd"][2],
                  "/var/lib/jourd owned by uid %d" % st.st_uid)
        else:
            with open(tmpfiles) as f:
                lines = [l.split() for l in f
                         if l.strip() and not l.startswith("#")]
            check(["d", "/var/lib/jourd", "0700", "jourd", "jourd", "-"] in
                  lines, "tmpfiles.d: %r" % lines)


def test_deps_runtime_covers_what_the_programs_link():
    """Every shared library jourd and jourctl load comes from a package that
    tools/deps.sh --runtime installs (or from libc, which every system
    has)."""
    with open(os.path.join(ROOT, "tools/deps.sh")) as f:
        m = re.search(r'^runtime="([^"]*)"', f.read(), re.M)
    check(m, "no runtime list in tools/deps.sh")
    runtime = set(m.group(1).split())
    check("tzdata" in runtime, "tzdata: jourd refuses to start without it")
    base = {"libc6", "libgcc-s1", "libstdc++6"}
    # The programs as built for installing, not the sanitizer build the
    # suite may be running on (its runtime is no part of a package's).
    for prog in (os.path.join(ROOT, "jourd"), os.path.join(ROOT, "jourctl")):
        out = subprocess.run(["ldd", prog], capture_output=True, text=True,
                             check=True).stdout
        for lib in re.findall(r"=> (/\S+)", out):
            real = os.path.realpath(lib)
            owner = None
            for path in (lib, real, real.replace("/usr/lib/", "/lib/", 1),
                         lib.replace("/lib/", "/usr/lib/", 1)):
                r = subprocess.run(["dpkg", "-S", path], capture_output=True,
                                   text=True)
                if r.returncode == 0:
                    owner = r.stdout.split(":")[0]
                    break
            check(owner, "no package owns " + lib)
            # jourd's libraries pull in their own dependencies through
            # apt; only those the programs name themselves must be listed.
            needed = subprocess.run(["objdump", "-p", prog],
                                    capture_output=True, text=True).stdout
            if os.path.basename(lib) in needed and owner not in base:
                check(owner in runtime, "%s needs %s (%s), not in deps.sh "
                      "--runtime" % (os.path.basename(prog), lib, owner))


def test_manual_pages_have_no_warnings_and_quotes_pair_up():
    """make manlint's script: mandoc's lint, groff -ww, and quotes that pair
    up in the text both formatters render."""
    r = subprocess.run(["sh", os.path.join(ROOT, "tools/manlint.sh")] +
                       [os.path.join(MAN, p) for p in
                        ("jourd.8", "jourctl.8", "jourd.conf.5")],
                       capture_output=True, text=True)
    check(r.returncode == 0, "manlint: " + (r.stdout + r.stderr)[-800:])


def test_jourd_conf_5_documents_every_key_and_section():
    ref = subprocess.run([JOURD, "-K"], capture_output=True, text=True,
                         check=True).stdout
    keys = set(re.findall(r"^([a-z_]+) =", ref, re.M))
    check(len(keys) > 15, "jourd -K printed too few keys: %r" % keys)
    documented = items(page("jourd.conf.5"))
    missing = sorted(keys - documented)
    check(not missing, "jourd.conf(5) lacks keys: %s" % missing)
    for section in re.findall(r"^\[(\w+)", ref, re.M):
        check("[" + section in page("jourd.conf.5"),
              "jourd.conf(5) lacks section [%s]" % section)


def test_jourctl_8_documents_every_command_and_option():
    usage = subprocess.run([JOURCTL], capture_output=True, text=True).stderr
    cmds = set(re.findall(r"^  ([a-z]+)", usage, re.M))
    check({"import", "report", "status", "inject"} <= cmds,
          "unexpected jourctl usage: %r" % usage)
    text = page("jourctl.8")
    missing = sorted(cmds - items(text))
    check(not missing, "jourctl(8) lacks commands: %s" % missing)
    for opt in set(re.findall(r"--([a-z-]+)", usage)):
        check(re.search(r"Fl \\-%s\b" % re.escape(opt), text),
              "jourctl(8) lacks option --" + opt)


def test_jourd_8_documents_every_option_and_sms_keyword():
    usage = subprocess.run([JOURD, "-x"], capture_output=True,
                           text=True).stderr
    opts = set(re.findall(r"^  -(\w)", usage, re.M))
    check(opts >= {"c", "d", "n", "v", "K"}, "unexpected usage: %r" % usage)
    text = page("jourd.8")
    missing = sorted(opts - items(text))
    check(not missing, "jourd(8) lacks options: %s" % missing)
    # The parser's own keyword table is the list to document.
    with open(os.path.join(ROOT, "src/parse.c"), encoding="utf-8") as f:
        words = set(re.findall(r'^\t\{ "([A-Z?]+)",\s+SMS_', f.read(), re.M))
    check(len(words) >= 15, "keyword table not found: %r" % words)
    plain = text.replace("Ä", "A").replace("Ö", "O").replace("\\&", "")
    for w in sorted(words):
        check(re.search(r"Cm %s\b" % re.escape(w), plain) or
              (w == "?" and "Cm ?" in plain),
              "jourd(8) lacks the SMS keyword " + w)
