"""Helpers for the vfpa test suite: run bin/vfpa under MPI and read what it wrote."""
import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import h5py
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
VFPA = ROOT / "bin" / "vfpa"
MPIEXEC = os.environ.get("MPIEXEC", "mpirun")
MPIEXEC_FLAGS = os.environ.get("MPIEXEC_FLAGS", "--oversubscribe").split()
WORK = Path(tempfile.mkdtemp(prefix="vfpa-tests-"))
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")

TESTS = []


class TestFailure(Exception):
    pass


def test(fn):
    """Register a test function."""
    TESTS.append(fn)
    return fn


def check(condition, message):
    if not condition:
        raise TestFailure(message)


def mpi(np_, *args, timeout=900, cwd=None):
    """Run a command under mpirun on np_ ranks (np_ = 0: directly, as an MPI singleton)."""
    cmd = [MPIEXEC, *MPIEXEC_FLAGS, "-n", str(np_)] if np_ else []
    cmd += [*map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=ENV, cwd=cwd)


class Run:
    """One vfpa run in its own output directory."""

    def __init__(self, name, args, np_=1, expect_ok=True, fresh=True):
        self.outdir = WORK / name
        if fresh:
            shutil.rmtree(self.outdir, ignore_errors=True)
        self.args = ["-monitor_interval", "0", *map(str, args), "-output_dir", self.outdir]
        self.proc = mpi(np_, VFPA, *self.args)
        self.rc = self.proc.returncode
        if expect_ok:
            check(self.rc == 0, f"vfpa {' '.join(map(str, args))} on {np_} ranks failed (exit {self.rc}):\n{self.proc.stdout[-1500:]}\n{self.proc.stderr[-3000:]}")

    def csv(self):
        """diagnostics.csv as a structured array (columns by name)."""
        return np.genfromtxt(self.outdir / "diagnostics.csv", delimiter=",", names=True)

    def snapshots(self):
        return sorted(glob.glob(str(self.outdir / "snap_*.h5")))

    def snapshot(self, k):
        """Datasets and attributes of snapshot k (negative counts from the end)."""
        with h5py.File(self.snapshots()[k], "r") as h:
            data = {name: h[name][()] for name in h}
            data["attrs"] = dict(h.attrs)
        return data


def vfpa(name, *args, np_=1, fresh=True):
    """Run vfpa into WORK/name (emptied first unless fresh=False, e.g. to continue a run there)."""
    return Run(name, args, np_, fresh=fresh)


def vfpa_fails(name, *args, np_=1):
    return Run(name, args, np_, expect_ok=False)
