#!/usr/bin/env python3
"""Runs every test_* function of tests/integration/test_*.py against the real
jourd on Gammu's dummy phone; prints one line per test and a summary.

    python3 tests/integration/run.py [-j N] [substring …]

-j N runs N tests at a time, each in its own process; every test has its own
directory, database and phone, so they do not meet. The default is 1, or
$JOURD_TEST_JOBS.
"""
import glob
import importlib.util
import io
import multiprocessing
import os
import sys
import time
import traceback
from contextlib import redirect_stdout

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from harness import TestFailure  # noqa: E402

_modules = {}


def load(path):
    """The test module at path, loaded once per process."""
    if path not in _modules:
        name = os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(name, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        _modules[path] = mod
    return _modules[path]


def collect(only):
    """(path, function name, full name) of every selected test, in order."""
    tests = []
    for path in sorted(glob.glob(os.path.join(HERE, "test_*.py"))):
        mod = load(path)
        for fname in sorted(n for n in dir(mod) if n.startswith("test_")):
            full = "%s.%s" % (mod.__name__, fname)
            if only and not any(o in full for o in only):
                continue
            tests.append((path, fname, full))
    return tests


def run_one(test):
    """Runs one test; returns (passed, report line, the test's own output)."""
    path, fname, full = test
    out = io.StringIO()
    t0 = time.monotonic()
    try:
        with redirect_stdout(out):
            getattr(load(path), fname)()
    except TestFailure as e:
        return False, "FAIL %-52s %s" % (full, e), out.getvalue()
    except Exception:
        return (False, "FAIL %-52s crashed:\n%s" % (full, traceback.format_exc()),
                out.getvalue())
    return True, "ok   %-52s %5.1fs" % (full, time.monotonic() - t0), \
        out.getvalue()


def main():
    args = sys.argv[1:]
    jobs = int(os.environ.get("JOURD_TEST_JOBS", "1"))
    if len(args) >= 2 and args[0] == "-j":
        jobs = int(args[1])
        args = args[2:]
    tests = collect(args)
    passed = failed = 0
    if jobs > 1:
        pool = multiprocessing.get_context("fork").Pool(jobs, maxtasksperchild=1)
        results = pool.imap(run_one, tests)
    else:
        pool = None
        results = map(run_one, tests)
    for ok, line, output in results:
        if output:
            sys.stdout.write(output)
        print(line, flush=True)
        if ok:
            passed += 1
        else:
            failed += 1
    if pool is not None:
        pool.close()
        pool.join()
    print("integration: %d passed, %d failed" % (passed, failed))
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
