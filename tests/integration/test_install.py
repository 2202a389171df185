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


def test_manual_pages_have_no_mandoc_warnings():
    r = subprocess.run(["mandoc", "-Tlint", "-Wwarning"] +
                       [os.path.join(MAN, p) for p in
                        ("jourd.8", "jourctl.8", "jourd.conf.5")],
                       capture_output=True, text=True)
    check(r.returncode == 0, "mandoc: " + (r.stdout + r.stderr)[-800:])


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
