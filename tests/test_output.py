"""What a run writes: diagnostics (CSV and HDF5), snapshots and their XDMF index, progress lines,
log events, and the default case behind `make run`."""
import subprocess
import xml.etree.ElementTree as ET

import h5py
import numpy as np

from vfpatest import ENV, ROOT, VFPA, WORK, check, mpi, test, vfpa

COLUMNS = "step,t,dt,mass,momentum,ubar,energy,entropy,l1,fmin,rhomin,rhomax,smin,smax,wmin,wmax,align,edge_mass,rejected"
SMODEL = ["-protocol", "smodel", "-w0", "profile", "-w0_amp", 0.25, "-w0_mode", 2, "-lambda", 1.5, "-nx", 32, "-nv", 24,
          "-init", "bimodal", "-init_density_amp", 0.3, "-ts_max_time", 0.2, "-output_interval", 0.1, "-diagnostics_interval", 0.05]


@test
def snapshots_and_diagnostics_contents():
    run = vfpa("contents", *SMODEL, np_=2)
    header = (run.outdir / "diagnostics.csv").read_text().splitlines()[0]
    check(header == COLUMNS, f"diagnostics.csv header is\n{header}")
    d = run.csv()
    check(np.allclose(d["t"], [0, 0.05, 0.1, 0.15, 0.2], rtol=0, atol=1e-12), f"diagnostic times {d['t']}")
    with h5py.File(run.outdir / "diagnostics.h5", "r") as h:
        for column in COLUMNS.split(","):
            check(np.array_equal(h[column][()], d[column]), f"diagnostics.h5 column {column} differs from the CSV")
    snaps = run.snapshots()
    check([s.rsplit("/", 1)[1] for s in snaps] == ["snap_000000.h5", "snap_000001.h5", "snap_000002.h5"], f"snapshots {snaps}")
    for k in range(3):
        snap = run.snapshot(k)
        check(snap["f"].shape == (24, 32), f"f has shape {snap['f'].shape}")
        for name in ["rho", "u", "s", "w", "avg_u", "x"]:
            check(snap[name].shape == (32,), f"{name} has shape {snap[name].shape}")
        check(snap["v"].shape == (24,), "v axis")
        a = snap["attrs"]
        check(abs(a["time"] - 0.1 * k) < 1e-12 and a["step"] >= k, f"time/step attributes {a['time']}, {a['step']}")
        for key, value in [("protocol", "smodel"), ("nx", 32), ("nv", 24), ("lambda", 1.5), ("sigma", 1.0), ("init", "bimodal"), ("w0", "profile")]:
            check(key in a and a[key] == value, f"attribute {key} = {a.get(key)!r}, expected {value!r}")
        rho = snap["f"].sum(axis=0) * (snap["v"][1] - snap["v"][0])
        check(np.allclose(rho, snap["rho"], rtol=1e-13, atol=0), "rho is not the velocity integral of f")
    # at t = 0 the weight is the prescribed profile w0 = lambda (1 + amp cos(2 pi mode x / L))
    snap = run.snapshot(0)
    w0 = 1.5 * (1 + 0.25 * np.cos(2 * np.pi * 2 * snap["x"]))
    check(np.allclose(snap["w"], w0, rtol=1e-12, atol=0), f"w at t = 0 differs from w0 by {np.abs(snap['w'] - w0).max():.2e}")
    # the XDMF index names every snapshot with its time
    grids = ET.parse(run.outdir / "snapshots.xdmf").getroot().findall(".//Grid[@GridType='Uniform']")
    check(len(grids) == 3, f"snapshots.xdmf indexes {len(grids)} snapshots")
    for k, grid in enumerate(grids):
        check(abs(float(grid.find("Time").get("Value")) - 0.1 * k) < 1e-12, "XDMF time")
        check(grid.find(".//Attribute/DataItem").text.strip() == f"snap_{k:06d}.h5:/f", "XDMF data reference")
    check(not list(run.outdir.glob(".*tmp")), "temporary files left behind")


@test
def init_from_snapshot_file():
    """-init file restores f and s of a snapshot exactly (and the grid must match)."""
    first = vfpa("init_src", *SMODEL, np_=2)
    source = first.snapshots()[-1]
    second = vfpa("init_dst", *SMODEL, "-init", "file", "-init_file", source, np_=1)
    a, b = first.snapshot(-1), second.snapshot(0)
    check(np.array_equal(a["f"], b["f"]), "f read back differs")
    check(np.array_equal(a["s"], b["s"]), "s read back differs")


@test
def progress_lines():
    run = vfpa("progress", "-nx", 16, "-nv", 16, "-ts_max_time", 0.05, "-output_interval", 0.05)
    proc = mpi(1, VFPA, "-nx", 16, "-nv", 16, "-ts_max_time", 0.05, "-monitor_interval", 10, "-output_dir", run.outdir)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("step ")]
    check(len(lines) >= 3, f"expected progress lines every 10 steps:\n{proc.stdout[-1500:]}")
    for word in ["t ", "dt ", "H ", "L1 ", "ubar ", "wall ", "left "]:
        check(word in lines[-1], f"progress line lacks '{word}': {lines[-1]}")
    check("results in" in proc.stdout, "no closing line saying where the results are")


@test
def default_output_directory_is_named_after_the_input():
    cwd = WORK / "cwd"
    cwd.mkdir(exist_ok=True)
    proc = mpi(2, VFPA, "-options_file", ROOT / "input" / "maxwellian.opts", "-ts_max_time", 0.02, "-nx", 16, cwd=cwd)
    check(proc.returncode == 0, proc.stderr[-1500:])
    check((cwd / "output" / "maxwellian" / "diagnostics.csv").exists(), "output/maxwellian/diagnostics.csv not written")


@test
def log_view_shows_every_phase():
    proc = mpi(2, VFPA, "-nx", 16, "-nv", 16, "-ts_max_time", 0.02, "-protocol", "smodel", "-log_view", "-output_dir", WORK / "logview")
    check(proc.returncode == 0, proc.stderr[-1500:])
    for event in ["VfpaTransport", "VfpaFokkerPlanck", "VfpaMoments", "VfpaAveraging", "VfpaDiagnostics", "VfpaIO"]:
        check(event in proc.stdout, f"-log_view lacks the event {event}")


@test
def every_input_file_runs():
    """Each input/*.opts starts and advances (shortened to a few steps here)."""
    for path in sorted((ROOT / "input").glob("*.opts")):
        proc = mpi(2, VFPA, "-options_file", path, "-ts_max_steps", 5, "-monitor_interval", 0, "-output_dir", WORK / path.stem)
        check(proc.returncode == 0, f"{path.name}: {proc.stderr[-1500:]}")
        check(path.read_text().startswith("# "), f"{path.name} does not start with a comment saying what it shows")


@test
def make_run_relaxes_the_default_case():
    """`make run`: the default case on 2 ranks relaxes by orders of magnitude."""
    out = ROOT / "output" / "relax1d"
    proc = subprocess.run(["make", "--no-print-directory", "run"], cwd=ROOT, capture_output=True, text=True, env=ENV, timeout=600)
    check(proc.returncode == 0, f"make run failed:\n{proc.stdout[-1500:]}\n{proc.stderr[-1500:]}")
    check("output/relax1d" in proc.stdout, "make run does not say where the results are")
    d = np.genfromtxt(out / "diagnostics.csv", delimiter=",", names=True)
    check(d["t"][-1] == 10 and d["l1"][-1] < 1e-6 * d["l1"][0], f"l1 {d['l1'][0]:.3e} -> {d['l1'][-1]:.3e} at t = {d['t'][-1]}")


assert VFPA and ENV
