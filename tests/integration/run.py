#!/usr/bin/env python3
"""Runs every test_* function of tests/integration/test_*.py against the real
jourd on Gammu's dummy phone; prints one line per test and a summary.

    python3 tests/integration/run.py [substring …]
"""
import glob
import importlib.util
import os
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from harness import TestFailure  # noqa: E402


def main():
    only = sys.argv[1:]
    passed = failed = 0
    for path in sorted(glob.glob(os.path.join(HERE, "test_*.py"))):
        name = os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(name, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        for fname in sorted(n for n in dir(mod) if n.startswith("test_")):
            full = "%s.%s" % (name, fname)
            if only and not any(o in full for o in only):
                continue
            t0 = time.monotonic()
            try:
                getattr(mod, fname)()
            except TestFailure as e:
                failed += 1
                print("FAIL %-52s %s" % (full, e), flush=True)
                continue
            except Exception:
                failed += 1
                print("FAIL %-52s crashed:" % full, flush=True)
                traceback.print_exc()
                continue
            passed += 1
            print("ok   %-52s %5.1fs" % (full, time.monotonic() - t0), flush=True)
    print("integration: %d passed, %d failed" % (passed, failed))
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
