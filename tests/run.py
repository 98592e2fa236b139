#!/usr/bin/env python3
"""Run the vfpa test suite: `tests/run.py [SUBSTRING ...]` runs the tests whose names contain one
of the substrings (all tests without arguments) and ends with one line `N passed, N failed`."""
import shutil
import sys
import time
import traceback

import vfpatest
import test_unit  # noqa: F401  (each module registers its tests)
import test_cli  # noqa: F401
import test_physics  # noqa: F401
import test_parallel  # noqa: F401
import test_output  # noqa: F401
import test_restart  # noqa: F401
import test_postprocess  # noqa: F401
import test_verify  # noqa: F401
import test_slurm  # noqa: F401
import test_docs  # noqa: F401
import test_bench  # noqa: F401


def main(patterns):
    passed = failed = 0
    start = time.time()
    for fn in vfpatest.TESTS:
        name = f"{fn.__module__}.{fn.__name__}"
        if patterns and not any(p in name for p in patterns):
            continue
        t0 = time.time()
        try:
            fn()
        except vfpatest.TestFailure as e:
            failed += 1
            print(f"FAIL {name} ({time.time() - t0:.1f} s): {e}", flush=True)
            continue
        except Exception:
            failed += 1
            print(f"FAIL {name} ({time.time() - t0:.1f} s):\n{traceback.format_exc()}", flush=True)
            continue
        passed += 1
        print(f"ok   {name} ({time.time() - t0:.1f} s)", flush=True)
    if not failed:
        shutil.rmtree(vfpatest.WORK, ignore_errors=True)
    else:
        print(f"outputs of the failed run kept in {vfpatest.WORK}")
    print(f"total {time.time() - start:.0f} s")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
