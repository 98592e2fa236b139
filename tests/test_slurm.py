"""The job scripts in jobs/ on a real one-node SLURM (tests/slurm/cluster.py): a single run, a
chained run in 1-minute slices that is signalled, checkpoints and resubmits itself, and a scan."""
import atexit
import glob
import re
import sys
from pathlib import Path

import h5py
import numpy as np

from vfpatest import ROOT, WORK, check, test, vfpa

sys.path.insert(0, str(Path(__file__).resolve().parent / "slurm"))
from cluster import ClusterError, LocalSlurm  # noqa: E402

_cluster = []


def cluster():
    """The shared cluster, started on first use and stopped when the tests end (even on failure)."""
    if not _cluster:
        try:
            _cluster.append(LocalSlurm().start())
        except ClusterError as e:
            check(False, f"cannot start a local SLURM on this machine: {e}")
        atexit.register(_cluster[0].stop)
    return _cluster[0]


def submit_dir(name):
    d = WORK / name
    d.mkdir(parents=True, exist_ok=True)
    return d


def final_state(outdir):
    with h5py.File(sorted(glob.glob(str(outdir / "checkpoint_*.h5")))[-1], "r") as h:
        return h["f"][()], h["s"][()] if "s" in h else None, h.attrs["time"]


def job_outputs(d):
    return "\n".join(p.read_text() for p in sorted(d.glob("*.out")))


@test
def slurm_single_run_completes():
    c, d = cluster(), submit_dir("slurm_run")
    out = d / "run"
    job = c.sbatch(ROOT / "jobs" / "run.slurm", ROOT / "input" / "maxwellian.opts", "-ts_max_time", 0.2, "-output_dir", out, cwd=d, env={"VFPA_ROOT": str(ROOT)})
    check(c.wait_idle(120), "the job did not finish within 2 minutes")
    state, code = c.job(job)
    check(state == "COMPLETED" and code == "0:0", f"job {job}: {state} {code}\n{job_outputs(d)}")
    check((out / "diagnostics.csv").exists() and glob.glob(str(out / "snap_*.h5")), f"no results in {out}")
    check("run complete" in job_outputs(d), job_outputs(d))


CHAIN_GRID = ["-nx", 128, "-nv", 128]
CHAIN_COMPUTE_SECONDS = 60
CHAIN_PROBE_TIME = 16


def chain_length():
    """-ts_max_time of a run of about CHAIN_COMPUTE_SECONDS of compute on 2 ranks of this machine,
    from the TSStep time of a run to CHAIN_PROBE_TIME (a multiple of 10, at least 160): the signal
    must find the run still going on a machine of any speed (a fixed length of 45 s of compute on an
    earlier machine took 23 s on a faster one, which finished before it)."""
    probe = vfpa("slurm_chain_probe", "-options_file", ROOT / "input" / "relax1d.opts", *CHAIN_GRID, "-ts_max_time", CHAIN_PROBE_TIME,
                 "-log_view", np_=2)
    step_seconds = float(re.search(r"^TSStep\s+\d+ \S+ (\S+)", probe.proc.stdout, re.M).group(1))
    return max(160, 10 * round(CHAIN_COMPUTE_SECONDS * CHAIN_PROBE_TIME / step_seconds / 10))


@test
def slurm_chain_resubmits_until_done_and_matches_an_uninterrupted_run():
    """Slices with a 1-minute limit and SIGUSR1 55 s before it (SBATCH_TIMELIMIT/SBATCH_SIGNAL,
    inherited by every resubmission), for a run of about 60 s of compute on 2 ranks (chain_length).
    slurmctld checks time limits about every 30 s, so the signal comes 5 to 35 s into the first
    slice, while the run is still going; the chain must end in the uninterrupted run's state."""
    c, d = cluster(), submit_dir("slurm_chain")
    out = d / "chained"
    t_end = chain_length()
    chain = [*CHAIN_GRID, "-ts_max_time", t_end]
    first = c.sbatch(ROOT / "jobs" / "chain.slurm", ROOT / "input" / "relax1d.opts", *chain, "-output_dir", out, cwd=d,
                     env={"VFPA_ROOT": str(ROOT), "SBATCH_TIMELIMIT": "1", "SBATCH_SIGNAL": "B:USR1@55"})
    check(c.wait_idle(600), "the chain did not finish within 10 minutes")
    logs = job_outputs(d)
    slices = [job for job in c.jobs() if int(job) >= int(first)]
    check(len(slices) >= 2, f"expected at least 2 slices, the controller knows jobs {slices}:\n{logs}")
    for job in slices:
        state, code = c.job(job)
        check(state == "COMPLETED" and code == "0:0", f"slice job {job}: {state} {code}\n{logs}")
    check(logs.count("stopped early") >= 1 and "run complete after" in logs, f"no signalled slice or no completion:\n{logs}")
    whole = vfpa("slurm_chain_reference", "-options_file", ROOT / "input" / "relax1d.opts", *chain, np_=2)
    f_ref, s_ref, t_ref = final_state(whole.outdir)
    f, s, t = final_state(out)
    check(t == t_ref == t_end and np.array_equal(f, f_ref) and np.array_equal(s, s_ref), f"chained final state differs at t = {t}")
    check((out / "diagnostics.csv").read_text() == (whole.outdir / "diagnostics.csv").read_text(), "diagnostics.csv differs from the uninterrupted run's")


@test
def slurm_scan_produces_every_output():
    c, d = cluster(), submit_dir("slurm_scan")
    values = ["0.5", "1", "2"]
    job = c.sbatch("--array=0-2", ROOT / "jobs" / "scan.slurm", ROOT / "input" / "maxwellian.opts", "sigma", " ".join(values),
                   "-ts_max_time", 0.1, cwd=d, env={"VFPA_ROOT": str(ROOT)})
    check(c.wait_idle(180), "the scan did not finish within 3 minutes")
    for k, value in enumerate(values):
        state, code = c.job(f"{job}_{k}")
        check(state == "COMPLETED" and code == "0:0", f"array task {k}: {state} {code}\n{job_outputs(d)}")
        out = d / "output" / f"maxwellian_sigma_{value}"
        check((out / "diagnostics.csv").exists(), f"no diagnostics in {out}")
        with h5py.File(sorted(glob.glob(str(out / "snap_*.h5")))[-1], "r") as h:
            check(float(h.attrs["sigma"]) == float(value), f"{out}: sigma = {h.attrs['sigma']}")
