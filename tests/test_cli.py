"""The command line: -help, and rejection of bad input with one clear message."""
import re
import subprocess

import h5py
import numpy as np

from vfpatest import ENV, ROOT, VFPA, WORK, check, test, vfpa, vfpa_fails


def options_read_by_the_code():
    """Every option name that the sources pass to PetscOptions*() (and the flock option table)."""
    names = set()
    for path in (ROOT / "src").glob("*.c"):
        text = path.read_text()
        names.update(re.findall(r'PetscOptions\w+\(\s*"(-[a-z0-9_]+)"', text))
        names.update(re.findall(r'"(-flock_[a-z]+)"', text))
    return names


@test
def help_lists_every_option_with_default():
    proc = subprocess.run([VFPA, "-help", "-output_dir", WORK / "help"], capture_output=True, text=True, env=ENV, timeout=60)
    check(proc.returncode == 0, f"-help exited with {proc.returncode}: {proc.stderr[-1000:]}")
    check(not (WORK / "help").exists(), "-help created the output directory")
    names = options_read_by_the_code()
    check(len(names) > 40, f"only {len(names)} options found in the sources")
    for name in sorted(names):
        check(re.search(rf"^\s*{re.escape(name)}:? <[^>]*>", proc.stdout, re.M), f"-help does not list {name} with its default")
    for name in ["-ts_type", "-ts_max_time", "-da_processors_y", "-ts_adapt_type"]:
        check(re.search(rf"^\s*{name} <", proc.stdout, re.M), f"-help does not list the PETSc option {name}")


def write_snapshot_like(path, f, nx, nv, L, vmax):
    with h5py.File(path, "w") as h:
        h["f"] = f
        h["s"] = np.ones(nx)
        h.attrs["nx"], h.attrs["nv"], h.attrs["L"], h.attrs["vmax"] = nx, nv, L, vmax


BAD = [
    (["-sigma", "0"], "-sigma"),
    (["-sigma", "-1"], "-sigma"),
    (["-sigma", "nan"], "-sigma must be a finite number"),
    (["-vmax", "0"], "-vmax"),
    (["-L", "-2"], "-L"),
    (["-nx", "2"], "-nx"),
    (["-nv", "abc"], "-nv: Input string abc"),
    (["-lambda", "-1"], "-lambda"),
    (["-beta", "1.5"], "-beta"),
    (["-cfl", "0"], "-cfl"),
    (["-protocol", "flocking"], "unknown -protocol 'flocking'; valid choices: global, local, cucker_smale"),
    (["-kernel", "cosine"], "unknown -kernel 'cosine'; valid choices: trig, algebraic, gaussian, tophat"),
    (["-init", "random"], "unknown -init 'random'; valid choices: maxwellian, bimodal, flocks, tophat_v, file"),
    (["-smodel_average", "median"], "unknown -smodel_average 'median'"),
    (["-w0", "xy"], "unknown -w0 'xy'"),
    (["-w0_amp", "1"], "-w0_amp"),
    (["-transport_order", "3"], "-transport_order"),
    (["-transport_limiter", "superbee"], "unknown -transport_limiter 'superbee'"),
    (["-fp_drift", "none"], "unknown -fp_drift 'none'"),
    (["-momentum_rtol", "1"], "-momentum_rtol = 1. is out of range: it must be in (0., 1.)"),
    (["-momentum_max_it", "0"], "-momentum_max_it 0 must be >= 1"),
    (["-ts_type", "beuler"], "unknown -ts_type 'beuler'; valid choices: ssp, rk, euler, arkimex, strang"),
    (["-ts_type", "strang", "-ts_strang_stages", "1"], "-ts_strang_stages must be at least 2, got 1"),
    (["-ts_type", "strang", "-ts_adapt_type", "basic"], "-ts_type strang takes fixed steps: use -ts_adapt_type none"),
    (["-average_method", "fft"], "unknown -average_method 'fft'"),
    (["-average_method", "modes", "-kernel", "gaussian"], "-average_method modes needs"),
    (["-kernel_psi", "0,1"], "b0 = 0"),
    (["-kernel_psi", "1,2"], "phi = psi*psi"),
    (["-kernel_psi", "1,inf"], "-kernel_psi coefficient b1 is not a finite number"),
    (["-kernel", "algebraic", "-kernel_power", "0.5"], "-kernel_power"),
    (["-kernel", "gaussian", "-kernel_width", "0"], "-kernel_width"),
    (["-segregation_count", "0"], "-segregation_count"),
    (["-segregation_overlap", "0"], "-segregation_overlap"),
    (["-init_density", "0"], "-init_density"),
    (["-init_density_amp", "1.5"], "-init_density_amp"),
    (["-init_temperature", "-1"], "-init_temperature"),
    (["-init_temperature_amp", "1"], "-init_temperature_amp"),
    (["-init_velocity", "9"], "outside the velocity box"),
    (["-init", "bimodal", "-init_bimodal_fraction", "2"], "-init_bimodal_fraction"),
    (["-init", "tophat_v", "-init_tophat_width", "0.01"], "-init_tophat_width"),
    (["-init", "flocks"], "needs at least one flock"),
    (["-init", "flocks", "-flock_center", "0.2,0.5", "-flock_width", "0.1", "-flock_mass", "1,1", "-flock_velocity", "0,0", "-flock_temperature", "1,1"], "-flock_width has 1 values"),
    (["-init", "flocks", "-flock_center", "0.2", "-flock_width", "0.1", "-flock_mass", "-1", "-flock_velocity", "0", "-flock_temperature", "1"], "-flock_mass"),
    (["-init", "file"], "-init file needs -init_file"),
    (["-init", "file", "-init_file", "/nonexistent/snap.h5"], "cannot open '/nonexistent/snap.h5'"),
    (["-ts_max_time", "0"], "-ts_max_time"),
    (["-output_interval", "-1"], "-output_interval"),
    (["-diagnostics_interval", "0"], "-diagnostics_interval"),
    (["-monitor_interval", "-5"], "-monitor_interval"),
    (["-da_processors_y", "3"], "-da_processors_y 3 must divide"),
]


@test
def bad_input_is_rejected_with_one_message():
    """Each bad option: exit code 2, one 'vfpa: error:' line naming it, no output directory.
    Every case runs as a single process; every fifth also on 2 ranks (errors are collective)."""
    cases = [(k, args, expected, 0) for k, (args, expected) in enumerate(BAD)]
    cases += [(k, args, expected, 2) for k, (args, expected) in enumerate(BAD) if k % 5 == 0]
    for k, args, expected, np_ in cases:
        run = vfpa_fails(f"bad{k}_{np_}", "-nx", 16, "-nv", 16, *args, np_=np_)
        lines = [line for line in run.proc.stderr.splitlines() if line.startswith("vfpa: error:")]
        check(run.rc == 2, f"{' '.join(args)}: exit code {run.rc}, expected 2\n{run.proc.stderr[-2000:]}")
        check(len(lines) == 1 and expected in lines[0], f"{' '.join(args)}: expected one message containing '{expected}', got {lines}")
        check("PETSC ERROR" not in run.proc.stderr, f"{' '.join(args)}: PETSc traceback printed:\n{run.proc.stderr[-1500:]}")
        check(not run.outdir.exists(), f"{' '.join(args)}: the output directory was created")


@test
def bad_initial_data_files_are_rejected():
    """Unreadable, non-HDF5, wrong-grid, negative and non-finite -init_file data."""
    nx, nv, L, vmax = 16, 16, 1.0, 8.0
    good = np.ones((nv, nx))
    cases = []
    text = WORK / "not_hdf5.h5"
    text.write_text("this is not HDF5\n")
    cases.append((text, "cannot open"))
    wrong = WORK / "wrong_grid.h5"
    write_snapshot_like(wrong, np.ones((nv, 2 * nx)), 2 * nx, nv, L, vmax)
    cases.append((wrong, "has a 32 x 16 grid"))
    negative = WORK / "negative.h5"
    bad = good.copy()
    bad[3, 4] = -1e-3
    write_snapshot_like(negative, bad, nx, nv, L, vmax)
    cases.append((negative, "negative values"))
    nonfinite = WORK / "nonfinite.h5"
    bad = good.copy()
    bad[5, 5] = np.nan
    write_snapshot_like(nonfinite, bad, nx, nv, L, vmax)
    cases.append((nonfinite, "non-finite values"))
    missing = WORK / "missing_f.h5"
    with h5py.File(missing, "w") as h:
        h.attrs["nx"], h.attrs["nv"], h.attrs["L"], h.attrs["vmax"] = nx, nv, L, vmax
    cases.append((missing, "dataset 'f' is missing"))
    for k, (path, expected) in enumerate(cases):
        run = vfpa_fails(f"badfile{k}", "-init", "file", "-init_file", path, "-nx", nx, "-nv", nv, "-L", L, "-vmax", vmax, np_=2 if k % 2 else 0)
        check(run.rc == 2 and expected in run.proc.stderr, f"{path.name}: exit {run.rc}, expected '{expected}' in:\n{run.proc.stderr[-1500:]}")
        check(not run.outdir.exists(), f"{path.name}: the output directory was created")


@test
def misspelt_option_is_reported():
    run = vfpa("misspelt", "-lamda", "2", "-nx", 16, "-nv", 16, "-ts_max_time", "0.01")
    check("option -lamda was not used" in run.proc.stdout, f"no warning about -lamda:\n{run.proc.stdout[-800:]}")


@test
def memory_debugging_options_work():
    """PETSc's -malloc options replace vfpa's aligned allocator wherever PetscInitialize finds them (the
    command line, an -options_file): the run completes and -malloc_dump finds no unfreed memory."""
    opts = WORK / "malloc_debug.opts"
    opts.write_text("# PETSc memory debugging\n-malloc_debug\n-malloc_dump\n")
    for name, args in [("malloc_cli", ["-malloc_debug", "-malloc_dump"]), ("malloc_file", ["-options_file", opts])]:
        run = vfpa(name, "-nx", 16, "-nv", 16, "-ts_max_time", "0.02", *args)
        out = run.proc.stdout + run.proc.stderr
        check("PETSC ERROR" not in out, f"{name}: PETSc error:\n{out[-1500:]}")
        leaks = re.findall(r"^\[\s*\d+\]\s*\d+ bytes .*$", out, re.M)
        check(not leaks, f"{name}: -malloc_dump found unfreed memory: {leaks[:5]}")
