#!/usr/bin/env python3
"""make verify: run every verification study (tests/verify/studies.py) and write
tests/verify/report/REPORT.md with its figures. Every number in the report comes from this run.
Usage: verify.py [--work DIR] [STUDY_SUBSTRING ...]"""
import argparse
import datetime
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import studies  # noqa: E402

REPORT = HERE / "report"


def describe_machine():
    commit = subprocess.run(["git", "-C", str(studies.ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(studies.ROOT), "status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)tests/verify/report"], capture_output=True, text=True).stdout.strip()
    versions = subprocess.run([str(studies.VFPA), "-help"], capture_output=True, text=True, env=studies.ENV).stdout.splitlines()
    petsc = next((line.strip() for line in versions if line.startswith("Petsc Release")), "PETSc (version unknown)")
    return f"commit {commit or 'unknown'}{' (with uncommitted changes)' if dirty else ''}; {os.cpu_count()} cores; {petsc}"


def section(study):
    status = "PASS" if study.passed else "FAIL"
    out = [f"## {study.title} — {status}", "", f"**Expected.** {study.expected}", "", "**Measured.**", "", study.table, ""]
    if study.notes:
        out += [study.notes, ""]
    out += ["| check | measured | required | result |", "|---|---|---|---|"]
    out += [f"| {what} | {measured} | {required} | {'pass' if ok else '**FAIL**'} |" for what, measured, required, ok in study.checks]
    out.append("")
    out += [f"![{fig.stem}]({fig.name})" for fig in study.figures]
    out += ["", f"_Study time: {study.seconds:.0f} s._", ""]
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", default=str(HERE / "work"), help="directory for the runs (default tests/verify/work)")
    parser.add_argument("only", nargs="*", help="run only the studies whose function name contains one of these")
    args = parser.parse_args()
    selected = [fn for fn in studies.STUDIES if not args.only or any(p in fn.__name__ for p in args.only)]
    shutil.rmtree(REPORT, ignore_errors=True)
    REPORT.mkdir(parents=True)
    runner, results, start = studies.Runner(args.work), [], time.time()
    for fn in selected:
        t0 = time.time()
        print(f"verify: {fn.__name__} ...", flush=True)
        study = fn(runner, REPORT)
        study.seconds = time.time() - t0
        results.append(study)
        print(f"verify: {study.title}: {'PASS' if study.passed else 'FAIL'} ({study.seconds:.0f} s)", flush=True)
    total = time.time() - start
    summary = ["| study | result | checks |", "|---|---|---|"]
    summary += [f"| {s.title} | {'PASS' if s.passed else '**FAIL**'} | {sum(c[3] for c in s.checks)}/{len(s.checks)} |" for s in results]
    header = [
        "# vfpa verification report", "",
        f"Written by `make verify` on {datetime.date.today().isoformat()} ({describe_machine()}) in {total:.0f} s. "
        "Every number and figure below comes from that run; the studies are in `tests/verify/studies.py`, and "
        "`make test` asserts a fast subset of them (`tests/test_verify.py`).", "",
    ]
    REPORT.joinpath("REPORT.md").write_text("\n".join(header + summary + [""] + [section(s) for s in results]))
    failed = [s.title for s in results if not s.passed]
    print(f"verify: wrote {REPORT / 'REPORT.md'} ({len(results) - len(failed)} of {len(results)} studies pass, {total:.0f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
