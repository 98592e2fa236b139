"""Checkpoint and restart: exact continuation, any rank count, signals, crashes, bad checkpoints."""
import glob
import os
import shutil
import signal
import subprocess
import time

import h5py
import numpy as np

from vfpatest import ENV, MPIEXEC, MPIEXEC_FLAGS, VFPA, WORK, Run, check, test, vfpa, vfpa_fails

CASE = ["-nx", 32, "-nv", 32, "-protocol", "smodel", "-w0", "profile", "-init", "bimodal", "-init_density_amp", 0.4,
        "-init_velocity_amp", 0.3, "-ts_max_time", 100, "-output_interval", 0.02, "-diagnostics_interval", 0.005]
ADAPTIVE = {
    "explicit": ["-ts_type", "rk", "-ts_rk_type", "3bs", "-ts_adapt_type", "basic", "-ts_rtol", 1e-9, "-ts_atol", 1e-11],
    "imex": ["-ts_type", "arkimex", "-ts_rtol", 1e-8, "-ts_atol", 1e-10],
}


def checkpoints(outdir):
    return sorted(glob.glob(os.path.join(outdir, "checkpoint_*.h5")))


def final_state(outdir):
    """f, s and attributes of the newest checkpoint in outdir."""
    with h5py.File(checkpoints(outdir)[-1], "r") as h:
        return h["f"][()], h["s"][()], dict(h.attrs)


def same_state(a, b, what):
    check(a[2]["step"] == b[2]["step"] and a[2]["time"] == b[2]["time"], f"{what}: step/time {a[2]['step']}/{a[2]['time']} vs {b[2]['step']}/{b[2]['time']}")
    check(np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1]), f"{what}: f or s differs (max |df| = {np.abs(a[0] - b[0]).max():.2e})")


@test
def continuation_is_bitwise_exact_for_adaptive_integrators():
    """N steps, checkpoint, restart, N more == 2N uninterrupted steps, bitwise, explicit and IMEX."""
    for name, ts in ADAPTIVE.items():
        whole = vfpa(f"exact_whole_{name}", *CASE, *ts, "-ts_max_steps", 120, np_=2)
        cfl_step, proposed = whole.csv()["dt"][0], final_state(whole.outdir)[2]["dt"]
        check(proposed < 0.5 * cfl_step, f"{name}: the controller did not choose the step (proposed {proposed:.3e}, CFL step {cfl_step:.3e})")
        split = vfpa(f"exact_split_{name}", *CASE, *ts, "-ts_max_steps", 60, np_=2)
        vfpa(f"exact_split_{name}", "-restart", "latest", "-ts_max_steps", 120, np_=2, fresh=False)
        same_state(final_state(whole.outdir), final_state(split.outdir), name)


@test
def continuation_is_bitwise_exact_for_the_strang_splitting():
    """vfpa's own TS type (-ts_type strang, 5 transport stages per half step, a stiff strength):
    40 steps == 20 steps, checkpoint, restart, 20 more, bitwise, and the same diagnostics.csv."""
    strang = ["-ts_type", "strang", "-ts_strang_stages", 5, "-lambda", 20]
    whole = vfpa("exact_whole_strang", *CASE, *strang, "-ts_max_steps", 40, np_=2)
    split = vfpa("exact_split_strang", *CASE, *strang, "-ts_max_steps", 20, np_=2)
    vfpa("exact_split_strang", "-restart", "latest", "-ts_max_steps", 40, np_=2, fresh=False)
    same_state(final_state(whole.outdir), final_state(split.outdir), "strang")
    a, b = ((run.outdir / "diagnostics.csv").read_text().splitlines() for run in (whole, split))
    check(a == b, f"strang: diagnostics.csv differs ({len(a)} vs {len(b)} rows)")


@test
def restart_on_other_rank_counts():
    """A checkpoint written on 2 ranks continues on 1 and on 4 (2 x 2) ranks: final diagnostics
    equal to the uninterrupted 2-rank run to 1e-12."""
    whole = vfpa("ranks_whole", *CASE, "-ts_max_steps", 100, np_=2).csv()[-1]
    first = vfpa("ranks_first", *CASE, "-ts_max_steps", 50, np_=2)
    source = checkpoints(first.outdir)[-1]
    for np_, layout in [(1, []), (4, ["-da_processors_x", 2, "-da_processors_y", 2])]:
        run = vfpa(f"ranks_on{np_}", "-restart", source, "-ts_max_steps", 100, *layout, np_=np_)
        last = run.csv()[-1]
        for column in whole.dtype.names:
            scale = max(abs(whole[column]), 1e-300)
            check(abs(last[column] - whole[column]) <= 1e-12 * scale, f"restart on {np_} ranks: {column} {last[column]!r} vs {whole[column]!r}")


def run_and_signal(name, how, *args):
    """Start vfpa on 2 ranks, send a signal once it has run 100 steps; return (exit code, outdir)."""
    outdir = WORK / name
    shutil.rmtree(outdir, ignore_errors=True)
    cmd = [MPIEXEC, *MPIEXEC_FLAGS, "-n", "2", str(VFPA), *map(str, args), "-output_dir", str(outdir), "-monitor_interval", "50"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=ENV)
    for line in proc.stdout:
        if line.startswith("step") and int(line.split()[1]) >= 100:
            break
    if how == "USR1 to mpirun":
        proc.send_signal(signal.SIGUSR1)
    else:  # SIGTERM to every rank, as SLURM does at a time limit
        ranks = subprocess.run(["pgrep", "-P", str(proc.pid), "-x", "vfpa"], capture_output=True, text=True).stdout.split()
        for pid in ranks:
            os.kill(int(pid), signal.SIGTERM)
    output = proc.stdout.read()
    return proc.wait(timeout=300), outdir, output


LONG = [*CASE, "-nx", 64, "-ts_max_time", 0.6]


@test
def signals_checkpoint_and_stop_then_restart_matches():
    """SIGUSR1 (to mpirun) and SIGTERM (to the ranks): a valid checkpoint, exit code 3, and the
    restarted run ends in the uninterrupted run's final state, with diagnostics.csv equal row for
    row and the same snapshots."""
    whole = vfpa("signal_whole", *LONG, np_=2)
    reference = final_state(whole.outdir)
    for k, how in enumerate(["USR1 to mpirun", "TERM to ranks"]):
        rc, outdir, output = run_and_signal(f"signal_{k}", how, *LONG)
        check(rc == 3, f"{how}: exit code {rc}, expected 3\n{output[-1500:]}")
        check("stopped early" in output and "checkpoint at" in output, f"{how}: no message about the checkpoint\n{output[-1500:]}")
        stopped_at = final_state(str(outdir))[2]["time"]
        check(stopped_at < 0.6, f"{how}: the run was not interrupted (t = {stopped_at})")
        vfpa(f"signal_{k}", "-restart", "latest", np_=2, fresh=False)
        same_state(reference, final_state(str(outdir)), how)
        a = (whole.outdir / "diagnostics.csv").read_text().splitlines()
        b = (outdir / "diagnostics.csv").read_text().splitlines()
        check(a == b, f"{how}: diagnostics.csv differs ({len(a)} vs {len(b)} rows; first difference at {next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))})")
        snaps_a = sorted(p.name for p in whole.outdir.glob("snap_*.h5"))
        snaps_b = sorted(p.name for p in outdir.glob("snap_*.h5"))
        check(snaps_a == snaps_b, f"{how}: snapshots {snaps_b} vs {snaps_a}")
        check((whole.outdir / "snapshots.xdmf").read_text() == (outdir / "snapshots.xdmf").read_text(), f"{how}: snapshots.xdmf differs")


@test
def kill_during_checkpoint_write_keeps_previous_checkpoint():
    """SIGKILL while a checkpoint is being written (a test-only delay holds the write open): the
    incomplete file never carries a checkpoint name, -restart latest takes the previous one."""
    outdir = WORK / "killed"
    shutil.rmtree(outdir, ignore_errors=True)
    cmd = [MPIEXEC, *MPIEXEC_FLAGS, "-n", "2", str(VFPA), *map(str, CASE), "-output_dir", str(outdir), "-monitor_interval", "0",
           "-checkpoint_steps", "40", "-checkpoint_write_delay", "3"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    deadline = time.time() + 120
    while time.time() < deadline and not (checkpoints(outdir) and glob.glob(str(outdir / ".checkpoint_*.tmp"))):
        time.sleep(0.05)
    # the first write (step 40) is held open by the delay too: wait for it to finish and the next to start
    while time.time() < deadline and not (checkpoints(outdir) and any("00000080" in p for p in glob.glob(str(outdir / ".checkpoint_*.tmp")))):
        time.sleep(0.05)
    ranks = subprocess.run(["pgrep", "-P", str(proc.pid), "-x", "vfpa"], capture_output=True, text=True).stdout.split()
    for pid in ranks:
        os.kill(int(pid), signal.SIGKILL)
    proc.kill()
    proc.wait()
    names = [os.path.basename(p) for p in checkpoints(outdir)]
    check(names == ["checkpoint_00000040.h5"], f"checkpoints after the kill: {names}")
    run = vfpa("killed", "-restart", "latest", "-ts_max_steps", 60, "-checkpoint_write_delay", 0, np_=2, fresh=False)
    check("restart from" in run.proc.stdout and "checkpoint_00000040.h5" in run.proc.stdout, run.proc.stdout[-1000:])
    check(final_state(run.outdir)[2]["step"] == 60, "the restarted run did not reach step 60")
    check(not glob.glob(str(outdir / ".checkpoint_*.tmp")), "the stale temporary file was not removed")


def corrupt_copy(source, target, how):
    shutil.copy(source, target)
    if how == "truncated":
        size = os.path.getsize(target)
        with open(target, "r+b") as fh:
            fh.truncate(size // 2)
    elif how == "corrupted":
        with h5py.File(target, "r") as h:
            offset = h["f"].id.get_offset() + 8 * 100
        with open(target, "r+b") as fh:
            fh.seek(offset)
            fh.write(b"\x13\x37\x13\x37")
    elif how == "missing":
        with h5py.File(target, "r+") as h:
            del h["f"]
    elif how == "newer":
        with h5py.File(target, "r+") as h:
            h.attrs["format_version"] = 99


@test
def bad_checkpoints_are_rejected():
    good = vfpa("bad_source", *CASE, "-ts_max_steps", 20, np_=2)
    source = checkpoints(good.outdir)[-1]
    cases = {
        "truncated": "not a readable HDF5 file",
        "corrupted": "checksum of dataset 'f' does not match",
        "missing": "dataset 'f' is missing",
        "newer": "format version 99 is newer",
    }
    for k, (how, expected) in enumerate(cases.items()):
        target = WORK / f"ckpt_{how}.h5"
        corrupt_copy(source, target, how)
        run = vfpa_fails(f"bad_ckpt_{how}", "-restart", target, np_=2 if k % 2 else 0)
        check(run.rc == 2 and expected in run.proc.stderr and "PETSC ERROR" not in run.proc.stderr, f"{how}: exit {run.rc}, expected '{expected}' in\n{run.proc.stderr[-1500:]}")
    for args, expected in [(["-nx", 16], "with -nx 16: it was 32 there"), (["-protocol", "local"], "with -protocol local: it was smodel there"),
                           (["-sigma", 2], "with -sigma 2: it was 1 there")]:
        run = vfpa_fails(f"bad_ckpt_{args[0]}", "-restart", source, *args)
        check(run.rc == 2 and expected in run.proc.stderr, f"{args}: exit {run.rc}, expected '{expected}' in\n{run.proc.stderr[-1500:]}")
    # latest skips invalid newer files and says so
    latest = WORK / "latest_dir"
    shutil.rmtree(latest, ignore_errors=True)
    latest.mkdir()
    shutil.copy(source, latest / "checkpoint_00000020.h5")
    corrupt_copy(source, latest / "checkpoint_00000030.h5", "corrupted")
    corrupt_copy(source, latest / "checkpoint_00000040.h5", "truncated")
    run = vfpa("latest_dir", "-restart", "latest", "-ts_max_steps", 25, "-checkpoint_keep", 5, fresh=False)
    out = run.proc.stdout
    check("skipping checkpoint" in out and "00000040" in out and "00000030" in out and "restart from" in out, f"-restart latest did not report the skipped files:\n{out[-1500:]}")
    empty = WORK / "empty_dir"
    empty.mkdir(exist_ok=True)
    run = Run("empty_dir", ["-restart", "latest"], expect_ok=False, fresh=False)
    check(run.rc == 2 and "no valid checkpoint" in run.proc.stderr, f"-restart latest in an empty directory: {run.proc.stderr[-800:]}")
    # a safe change: a later final time
    run = vfpa("bad_source", "-restart", source, "-ts_max_steps", 25, "-ts_max_time", 200, fresh=False)
    check(final_state(run.outdir)[2]["step"] == 25, "restart with a later final time did not run")


@test
def checkpoint_triggers_keep_and_max_walltime():
    """-checkpoint_steps with -checkpoint_keep, -checkpoint_interval, -checkpoint_walltime, and
    -max_walltime stopping the run on its own with exit code 3."""
    run = vfpa("trig_steps", *CASE, "-ts_max_steps", 55, "-checkpoint_steps", 10, "-checkpoint_keep", 3)
    names = [os.path.basename(p) for p in checkpoints(run.outdir)]
    check(names == ["checkpoint_00000040.h5", "checkpoint_00000050.h5", "checkpoint_00000055.h5"], f"-checkpoint_steps 10 -checkpoint_keep 3 left {names}")
    run = vfpa("trig_interval", *CASE, "-ts_max_time", 0.1, "-checkpoint_interval", 0.03, "-checkpoint_keep", 10)
    times = [h5py.File(p, "r").attrs["time"] for p in checkpoints(run.outdir)]
    check(len(times) == 4 and all(t >= 0.03 * (k + 1) - 1e-12 for k, t in enumerate(times[:3])) and times[-1] == 0.1, f"-checkpoint_interval 0.03 wrote at {times}")
    start = time.time()  # a run of about 5 s however fast the machine: -max_walltime ends it
    run = vfpa_fails("trig_wall", *CASE, "-nx", 512, "-nv", 48, "-checkpoint_walltime", 1, "-checkpoint_keep", 100, "-max_walltime", "00:00:06", np_=2)
    elapsed, written = time.time() - start, len(checkpoints(run.outdir))
    # vfpa's own clock starts after MPI and PETSc start-up, whose time varies with the machine's load:
    # one checkpoint per second of its at most 6 s, the last at the stop (about 5 s, less the margin)
    check(run.rc == 3 and elapsed > 3 and 4 <= written <= 7, f"-checkpoint_walltime 1: {written} checkpoints in a run of {elapsed:.1f} s (exit {run.rc})")
    start = time.time()
    run = vfpa_fails("trig_maxwall", *CASE, "-nx", 128, "-ts_max_time", 50, "-max_walltime", "00:00:04", np_=2)
    elapsed = time.time() - start
    check(run.rc == 3 and "-max_walltime is near" in run.proc.stdout, f"-max_walltime: exit {run.rc}\n{run.proc.stdout[-800:]}")
    # to t = 50 the run would take about 30 s here; start-up (MPI, PETSc) comes on top of the 4 s
    check(elapsed < 10 and checkpoints(run.outdir), f"-max_walltime 4 s: stopped after {elapsed:.1f} s with {len(checkpoints(run.outdir))} checkpoints")
    run = vfpa_fails("trig_badwall", *CASE, "-max_walltime", "4 hours")
    check(run.rc == 2 and "-max_walltime '4 hours'" in run.proc.stderr, run.proc.stderr[-500:])
