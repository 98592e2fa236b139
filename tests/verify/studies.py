"""Verification studies of vfpa: each runs bin/vfpa, measures, and returns a Study with the
expected result, the measured one (a markdown table), figures and pass/fail checks. `make verify`
(verify.py) runs them all and writes the report; `make test` asserts their fast variants."""
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "postprocess"))
import vfpapost as vp  # noqa: E402

VFPA = ROOT / "bin" / "vfpa"
MPIEXEC = os.environ.get("MPIEXEC", "mpirun")
MPIEXEC_FLAGS = os.environ.get("MPIEXEC_FLAGS", "--oversubscribe").split()
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")


@dataclass
class Study:
    title: str
    expected: str
    table: str = ""
    figures: list = field(default_factory=list)
    checks: list = field(default_factory=list)  # (what, measured, required, passed)
    notes: str = ""
    seconds: float = 0.0

    def check(self, what, measured, required, passed):
        self.checks.append((what, measured, required, bool(passed)))

    @property
    def passed(self):
        return all(c[3] for c in self.checks)


class Runner:
    """Runs bin/vfpa into workdir/name (np_ = 0: one process without mpirun)."""

    def __init__(self, workdir):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)

    def run(self, name, *args, np_=2):
        outdir = self.workdir / name
        shutil.rmtree(outdir, ignore_errors=True)
        cmd = [MPIEXEC, *MPIEXEC_FLAGS, "-n", str(np_)] if np_ else []
        cmd += [str(VFPA), "-monitor_interval", "0", *map(str, args), "-output_dir", str(outdir)]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=ENV)
        if proc.returncode:
            raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout[-1500:]}\n{proc.stderr[-1500:]}")
        return outdir


def last_snapshot(outdir):
    return vp.read_snapshot(vp.list_snapshots(outdir)[-1])


def pairwise_orders(hs, errors):
    hs, errors = np.asarray(hs, float), np.asarray(errors, float)
    return np.log(errors[:-1] / errors[1:]) / np.log(hs[:-1] / hs[1:])


def fmt(x, digits=3):
    return f"{x:.{digits}e}" if abs(x) < 1e-2 or abs(x) >= 1e4 else f"{x:.{digits + 1}g}"


def table(header, rows):
    """A markdown table (a | inside a cell is escaped)."""
    cell = lambda c: str(c).replace("|", "\\|")
    lines = ["| " + " | ".join(cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def order_rows(label, hs, errors):
    orders = pairwise_orders(hs, errors)
    return [[label, fmt(h), fmt(e), "" if k == 0 else f"{orders[k - 1]:.2f}"] for k, (h, e) in enumerate(zip(hs, errors))]


# ---------------------------------------------------------------- 1. order in x: free streaming

def study_x_order(runner, figdir, fast=False):
    """Free streaming (lambda = 0): f(x, v, t) = f0(x - v t, v) on the torus."""
    s = Study("1. Order in x: free streaming",
              "With `-lambda 0` the exact solution is f0(x − vt, v). Observed L1 order at least 0.9 for the "
              "first-order upwind transport and at least 1.8 for the second-order (limited) one, on the finest "
              "pair of grids; L∞ orders are reported (limiters clip smooth extrema, which lowers them).")
    nxs = [64, 128, 256] if fast else [32, 64, 128, 256, 512]
    schemes = {"order 1": ["-transport_order", 1], "order 2, vanleer": ["-transport_limiter", "vanleer"]}
    if not fast:
        schemes.update({"order 2, minmod": ["-transport_limiter", "minmod"], "order 2, mc": ["-transport_limiter", "mc"]})
    t_end, rows, l1s, linfs = 0.5, [], {}, {}
    for label, extra in schemes.items():
        l1s[label], linfs[label] = [], []
        for nx in nxs:
            out = runner.run(f"xorder_{label.replace(' ', '').replace(',', '_')}_{nx}", "-protocol", "global", "-lambda", 0, "-L", 1,
                             "-nx", nx, "-nv", 8, "-vmax", 3, "-init", "maxwellian", "-init_density_amp", 0.5,
                             "-ts_max_time", t_end, "-output_interval", t_end, "-diagnostics_interval", t_end, *extra)
            snap = last_snapshot(out)
            x, v, dx, dv = snap["x"], snap["v"], snap["x"][1] - snap["x"][0], snap["v"][1] - snap["v"][0]
            column = np.exp(-0.5 * v ** 2)
            column /= column.sum() * dv
            exact = (1 + 0.5 * np.cos(2 * np.pi * (x[None, :] - v[:, None] * t_end))) * column[:, None]
            l1s[label].append(np.abs(snap["f"] - exact).sum() * dx * dv)
            linfs[label].append(np.abs(snap["f"] - exact).max())
        hs = 1.0 / np.array(nxs)
        o1, oinf = pairwise_orders(hs, l1s[label]), pairwise_orders(hs, linfs[label])
        for k, nx in enumerate(nxs):
            rows.append([label, nx, fmt(l1s[label][k]), "" if k == 0 else f"{o1[k - 1]:.2f}", fmt(linfs[label][k]), "" if k == 0 else f"{oinf[k - 1]:.2f}"])
        need = 0.9 if label == "order 1" else 1.8
        s.check(f"{label}: L1 order (finest pair)", f"{o1[-1]:.2f}", f">= {need}", o1[-1] >= need)
    s.table = table(["transport", "nx", "L1 error", "L1 order", "L∞ error", "L∞ order"], rows)
    fig = figdir / "x_order.png"
    vp.convergence_plot(1.0 / np.array(nxs), {**{f"{k} L1": e for k, e in l1s.items()}}, fig, "Free streaming: L1 error at t = 0.5",
                        expected_orders=[1, 2], xlabel="dx", ylabel="L1 error")
    s.figures.append(fig)
    return s


# ---------------------------------------------------------------- 2. order in v and t

def variance_errors(runner, nvs):
    errors = []
    for nv in nvs:
        out = runner.run(f"variance_{nv}", "-protocol", "global", "-lambda", 1, "-sigma", 1, "-nx", 4, "-nv", nv, "-vmax", 10,
                         "-init", "maxwellian", "-init_temperature", 3, "-ts_max_time", 1.5, "-output_interval", 1.5,
                         "-diagnostics_interval", 0.05, np_=0)
        d = vp.read_diagnostics(out)
        variance = 2 * d["energy"] / d["mass"] - d["ubar"] ** 2
        errors.append(np.abs(variance - (1 + 2 * np.exp(-2 * d["t"]))).max())
    return errors


def tophat_errors(runner, nvs, nref):
    """Homogeneous relaxation of a velocity top hat on [-0.5, 1.5] (its edges on cell faces of every
    grid, so the initial cell averages are exact) against a run with nref cells, at t = 0.5."""
    common = ["-protocol", "global", "-lambda", 1, "-sigma", 1, "-nx", 4, "-vmax", 4, "-init", "tophat_v",
              "-init_velocity", 0.5, "-init_tophat_width", 1, "-ts_max_time", 0.5, "-output_interval", 0.5, "-diagnostics_interval", 0.5]
    ref = last_snapshot(runner.run(f"tophat_{nref}", *common, "-nv", nref, np_=2))["f"][:, 0]
    errors = []
    for nv in nvs:
        f = last_snapshot(runner.run(f"tophat_{nv}", *common, "-nv", nv, np_=0))["f"][:, 0]
        restricted = ref.reshape(nv, nref // nv).mean(axis=1)
        errors.append(np.abs(f - restricted).sum() * 8.0 / nv)
    return errors


# integrator: (options, design order, family, largest step of its refinement sequence). The explicit
# steps stay below each method's positivity cap (0.8 x its SSP coefficient x 1/128 here).
INTEGRATORS = {
    "euler": (["-ts_type", "euler"], 1, "explicit", 0.004),
    "rk 2a": (["-ts_type", "rk", "-ts_rk_type", "2a"], 2, "explicit", 0.004),
    "rk 3bs": (["-ts_type", "rk", "-ts_rk_type", "3bs"], 3, "explicit", 0.004),
    "rk 4": (["-ts_type", "rk", "-ts_rk_type", "4"], 4, "explicit", 0.006),
    "ssp rks2": (["-ts_type", "ssp", "-ts_ssp_type", "rks2"], 2, "explicit", 0.004),
    "ssp rks3 (default)": (["-ts_type", "ssp", "-ts_ssp_type", "rks3"], 3, "explicit", 0.008),
    "ssp rk104": (["-ts_type", "ssp", "-ts_ssp_type", "rk104"], 4, "explicit", 0.016),
    "arkimex 1bee": (["-ts_type", "arkimex", "-ts_arkimex_type", "1bee"], 1, "imex", 0.1),
    "arkimex ssp4l (default)": (["-ts_type", "arkimex", "-ts_arkimex_type", "ssp4l"], 2, "imex", 0.1),
    "strang": (["-ts_type", "strang"], 2, "imex", 0.1),
    "arkimex l2": (["-ts_type", "arkimex", "-ts_arkimex_type", "l2"], 2, "imex", 0.1),
    "arkimex a2": (["-ts_type", "arkimex", "-ts_arkimex_type", "a2"], 2, "imex", 0.1),
    "arkimex ars122": (["-ts_type", "arkimex", "-ts_arkimex_type", "ars122"], 2, "imex", 0.1),
    "arkimex 2c": (["-ts_type", "arkimex", "-ts_arkimex_type", "2c"], 2, "imex", 0.1),
    "arkimex prssp2": (["-ts_type", "arkimex", "-ts_arkimex_type", "prssp2"], 2, "imex", 0.1),
    "arkimex 3": (["-ts_type", "arkimex", "-ts_arkimex_type", "3"], 3, "imex", 0.2),
    "arkimex ars443": (["-ts_type", "arkimex", "-ts_arkimex_type", "ars443"], 3, "imex", 0.2),
    "arkimex 4": (["-ts_type", "arkimex", "-ts_arkimex_type", "4"], 4, "imex", 0.4),
}
FAST_INTEGRATORS = ["euler", "ssp rks3 (default)", "arkimex ssp4l (default)"]


TIME_CASE = ["-protocol", "global", "-lambda", 1, "-sigma", 1, "-L", 100, "-nx", 4, "-nv", 48, "-vmax", 6, "-init", "maxwellian",
             "-init_temperature", 3, "-ts_max_time", 1, "-output_interval", 1, "-diagnostics_interval", 1, "-ts_adapt_type", "none"]
TIME_CELL = (100 / 4) * (12 / 48)  # dx dv of TIME_CASE


def temporal_reference(runner):
    """Homogeneous relaxation of a Gaussian (variance 3 -> sigma = 1, lambda = 1, nv = 48) to t = 1
    (L = 100 makes the transport limit irrelevant), by the 5th-order Dormand-Prince RK with
    dt = 1e-4; every integrator solves the same semi-discrete system, so one reference serves all.
    Returns f and its own error estimate (against dt = 2e-4)."""
    f = last_snapshot(runner.run("time_reference", *TIME_CASE, "-ts_type", "rk", "-ts_rk_type", "5dp", "-ts_dt", 1e-4, np_=0))["f"]
    coarse = last_snapshot(runner.run("time_reference2", *TIME_CASE, "-ts_type", "rk", "-ts_rk_type", "5dp", "-ts_dt", 2e-4, np_=0))["f"]
    return f, np.abs(f - coarse).sum() * TIME_CELL


def temporal_errors(runner, options, dts, reference):
    """L1 errors of f at t = 1 with fixed steps dts against the reference."""
    name = "_".join(str(o) for o in options[1::2])
    return [np.abs(last_snapshot(runner.run(f"time_{name}_{dt}", *TIME_CASE, *options, "-ts_dt", dt, np_=0))["f"] - reference).sum() * TIME_CELL
            for dt in dts]


def study_v_and_t_order(runner, figdir, fast=False):
    s = Study("2. Order in v and t: homogeneous relaxation",
              "Spatially homogeneous relaxation (`global` protocol, λ = 1, σ = 1). (a) A Gaussian of variance T0 = 3 "
              "keeps variance σ + (T0 − σ)e^{−2λt} (SPEC §4): the largest error over t ∈ [0, 1.5] falls at order ≥ 1.8 "
              "in dv. (b) A velocity top hat against a run with a much finer velocity grid: L1 order ≥ 1.8 at t = 0.5. "
              "(c) Each time integrator with fixed steps, against a 5th-order Runge-Kutta reference with dt = 1e-4: "
              "observed order on the finest pair at least the design order minus 0.3 (minus 0.2 when it is 1 or 2).")
    nvs = [24, 48, 96] if fast else [24, 48, 96, 192]
    var = variance_errors(runner, nvs)
    hv = 20.0 / np.array(nvs)
    rows = order_rows("Gaussian variance (max over t)", hv, var)
    ov = pairwise_orders(hv, var)
    s.check("Gaussian variance: order in dv", f"{ov[-1]:.2f}", ">= 1.8", ov[-1] >= 1.8)
    curves = {"Gaussian variance": (hv, var)}
    if not fast:
        tnvs = [32, 64, 128]
        top = tophat_errors(runner, tnvs, 1024)
        ht = 8.0 / np.array(tnvs)
        rows += order_rows("top hat (L1, reference nv = 1024)", ht, top)
        ot = pairwise_orders(ht, top)
        s.check("top hat: order in dv", f"{ot[-1]:.2f}", ">= 1.8", ot[-1] >= 1.8)
        curves["top hat"] = (ht, top)
    vtable = table(["quantity", "dv", "error", "order"], rows)
    fig = figdir / "v_order.png"
    vp.convergence_plot({k: c[0] for k, c in curves.items()}, {k: c[1] for k, c in curves.items()}, fig,
                        "Velocity discretisation", expected_orders=[2], xlabel="dv", ylabel="error")
    s.figures.append(fig)

    trows, terr, tdts = [], {}, {}
    reference, reference_error = temporal_reference(runner)
    for label in (FAST_INTEGRATORS if fast else INTEGRATORS):
        options, order, family, dt0 = INTEGRATORS[label]
        dts = [dt0 / 2 ** k for k in range(3 if fast or order >= 4 else 4)]
        errors = temporal_errors(runner, options, dts, reference)
        orders = pairwise_orders(dts, errors)
        need = order - (0.2 if order <= 2 else 0.3)
        s.check(f"{label}: temporal order", f"{orders[-1]:.2f}", f">= {need:.1f}", orders[-1] >= need)
        trows.append([label, family, order, dt0, " ".join(fmt(e, 2) for e in errors), " ".join(f"{o:.2f}" for o in orders)])
        terr[label], tdts[label] = errors, dts
    s.table = vtable + ("\n\nTemporal order (fixed steps dt0, dt0/2, ...; three of them for the fourth-order methods, whose "
                        f"errors would otherwise reach the reference's own error, {fmt(reference_error, 1)}):\n\n") + \
        table(["integrator", "kind", "design order", "dt0", "L1 errors", "observed orders"], trows)
    for family in ("explicit", "imex"):
        labels = [label for label in terr if INTEGRATORS[label][2] == family]
        fig = figdir / f"t_order_{family}.png"
        vp.convergence_plot({k: tdts[k] for k in labels}, {k: terr[k] for k in labels}, fig,
                            f"{'Explicit' if family == 'explicit' else 'IMEX (ARKIMEX, strang)'} integrators: L1 error at t = 1", xlabel="dt", ylabel="L1 error")
        s.figures.append(fig)
    return s


# ---------------------------------------------------------------- 3. manufactured solution

def mms_exact(x, v, t, L=1.0):
    theta = 2 * np.pi * (x - 0.5 * t) / L
    rho, u = 1 + 0.3 * np.sin(theta), 0.2 * np.cos(theta)
    return rho * np.exp(-0.5 * (v - u) ** 2 / 0.6) / np.sqrt(2 * np.pi * 0.6)


def mms_strength(x, t, L=1.0):
    return 1 + 0.3 * np.cos(2 * np.pi * (x - 0.3 * t) / L)


# The manufactured solution on a fixed grid with a stiffer strength, for the order of IMEX in time
# (-cfl 100 lets -ts_dt alone set the step; every step is below the transport limit 1/384).
MMS_TIME_CASE = ["-mms", "-init", "mms", "-protocol", "smodel", "-smodel_average", "favre", "-kernel", "trig", "-kernel_psi", "1,0.5,0.25",
                 "-sigma", 1, "-lambda", 5, "-L", 1, "-nx", 32, "-nv", 32, "-vmax", 6, "-ts_max_time", 0.5, "-output_interval", 0.5,
                 "-diagnostics_interval", 0.5, "-ts_adapt_type", "none"]
MMS_TIME_CELL = (1 / 32) * (12 / 32)


def study_mms(runner, figdir, fast=False):
    s = Study("3. Full system: manufactured solution",
              "The s-model with Favre averaging and the trig kernel ψ = 1 + 0.5 cos + 0.25 cos 2 (three modes), with the source "
              "terms of the exact solution f = ρ(x,t) G(v − u(x,t)), s = s(x,t) added by the test-only option `-mms` "
              "(see `include/vfpa_mms.h`). (a) x and v refined together to t = 0.5: observed L1 orders of f and s at least 1.8. "
              "(b) The IMEX coupling of explicit transport and implicit Fokker-Planck: on a fixed 32 × 32 grid with λ = 5, "
              "fixed steps against a 5th-order Runge-Kutta reference (dt = 2e-5): observed order of each ARKIMEX scheme at least 1.8.")
    ns = [16, 32, 64] if fast else [16, 32, 64, 128]
    ef, es = [], []
    for n in ns:
        out = runner.run(f"mms_{n}", "-mms", "-init", "mms", "-protocol", "smodel", "-smodel_average", "favre", "-kernel", "trig",
                         "-kernel_psi", "1,0.5,0.25", "-sigma", 1, "-L", 1, "-nx", n, "-nv", n, "-vmax", 6, "-ts_max_time", 0.5,
                         "-output_interval", 0.5, "-diagnostics_interval", 0.5)
        snap = last_snapshot(out)
        x, v, t = snap["x"], snap["v"], snap["attrs"]["time"]
        dx, dv = x[1] - x[0], v[1] - v[0]
        ef.append(np.abs(snap["f"] - mms_exact(x[None, :], v[:, None], t)).sum() * dx * dv)
        es.append(np.abs(snap["s"] - mms_strength(x, t)).sum() * dx)
    hs = 1.0 / np.array(ns)
    s.table = table(["field", "h = dx = dv/12", "L1 error", "order"], order_rows("f", hs, ef) + order_rows("s", hs, es))
    for name, e in [("f", ef), ("s", es)]:
        o = pairwise_orders(hs, e)
        s.check(f"{name}: L1 order (finest pair)", f"{o[-1]:.2f}", ">= 1.8", o[-1] >= 1.8)
    fig = figdir / "mms_order.png"
    vp.convergence_plot(hs, {"f": ef, "s": es}, fig, "Manufactured s-model solution: L1 error at t = 0.5", expected_orders=[2],
                        xlabel="dx", ylabel="L1 error")
    s.figures.append(fig)
    trows, terr, dts = [], {}, [0.002, 0.001, 0.0005] if fast else [0.002, 0.001, 0.0005, 0.00025]
    reference = last_snapshot(runner.run("mms_time_reference", *MMS_TIME_CASE, "-ts_type", "rk", "-ts_rk_type", "5dp", "-ts_dt", 2e-5, np_=0))["f"]
    schemes = {"ssp4l": ["-ts_type", "arkimex", "-ts_arkimex_type", "ssp4l"], "strang": ["-ts_type", "strang"],
               "strang, 5 stages": ["-ts_type", "strang", "-ts_strang_stages", 5], "l2": ["-ts_type", "arkimex", "-ts_arkimex_type", "l2"]}
    for scheme in (["ssp4l", "strang", "strang, 5 stages"] if fast else list(schemes)):
        errors = [np.abs(last_snapshot(runner.run(f"mms_time_{scheme.replace(', ', '_').replace(' ', '')}_{dt}", *MMS_TIME_CASE, *schemes[scheme],
                                                  "-ts_dt", dt, "-cfl", 100, np_=0))["f"] - reference).sum() * MMS_TIME_CELL for dt in dts]
        orders = pairwise_orders(dts, errors)
        s.check(f"IMEX {scheme}: temporal order (finest pair)", f"{orders[-1]:.2f}", ">= 1.8", orders[-1] >= 1.8)
        trows.append([scheme, " ".join(fmt(e, 2) for e in errors), " ".join(f"{o:.2f}" for o in orders)])
        terr[scheme] = errors
    s.table += "\n\nIMEX in time (32 × 32, λ = 5, steps dt = " + ", ".join(f"{dt:g}" for dt in dts) + "):\n\n" + \
        table(["IMEX scheme", "L1 errors", "observed orders"], trows)
    fig = figdir / "mms_imex_time_order.png"
    vp.convergence_plot({k: dts for k in terr}, terr, fig, "Manufactured solution, IMEX in time: L1 error at t = 0.5", expected_orders=[2],
                        xlabel="dt", ylabel="L1 error")
    s.figures.append(fig)
    return s


# ---------------------------------------------------------------- 4. linear rates

def mode_of(snap, kp):
    """The Fourier coefficient in x of f at wave number kp, a function of v: sum_i f e^{-i kp x_i} dx."""
    x = snap["x"]
    return (snap["f"] * np.exp(-1j * kp * x)[None, :]).sum(axis=1) * (x[1] - x[0])


def branch_series(outdir, kp, lam, sigma):
    """Times, |density mode| and the magnitudes of the projections on the n = 0 and n = 1 branches.
    The linearised operator -i k v + lam d_v(sigma d_v + v) has the left eigenfunctions (for the
    pairing int g f dv) g_0 = exp(-i k v / lam) and g_1 = (v + 2 i sigma k / lam) g_0, so int g_n f_k dv
    decays exactly at the rate lam n + sigma k^2 / lam, whatever the other branches do."""
    times, density, n0, n1 = [], [], [], []
    for path in vp.list_snapshots(outdir):
        snap = vp.read_snapshot(path)
        v, fk = snap["v"], mode_of(snap, kp)
        dv = v[1] - v[0]
        g0 = np.exp(-1j * kp * v / lam)
        g1 = (v + 2j * sigma * kp / lam) * g0
        times.append(snap["attrs"]["time"])
        density.append(abs(fk.sum() * dv))
        n0.append(abs((g0 * fk).sum() * dv))
        n1.append(abs((g1 * fk).sum() * dv))
    return np.array(times), np.array(density), np.array(n0), np.array(n1)


def study_linear_rates(runner, figdir, fast=False):
    s = Study("4. Linear rates",
              "`global` protocol, constant strength λ, σ = 1, L = 2π, a density perturbation of amplitude 1e-3 in mode k. "
              "The linearised operator −ik′v + λ∂v(σ∂v + v) has the eigenvalues −λn − σk′²/λ (SPEC §4). Measured: the decay "
              "rate of the density mode, and of the projections of the k-mode of f on the left eigenfunctions "
              "g₀ = e^{−ik′v/λ} (n = 0) and g₁ = (v + 2iσk′/λ)e^{−ik′v/λ} (n = 1), which isolate one branch each. Every "
              "projection within 1% of λn + σk′²/λ. The density mode decays at the n = 0 rate σk′²/λ within 1% where that "
              "branch carries the density (σk′²/λ² ≤ 1/4); for smaller λ the n = 0 part of the density is only "
              "e^{−σk′²/(2λ²)} of it and the faster branches dominate until round-off, so no check is made there.")
    cases = [(4, 2), (2, 1)] if fast else [(lam, k) for k in (1, 2) for lam in (1, 2, 4, 8)]
    rows, measured = [], {"n = 0": [], "n = 1": [], "density mode": []}
    for lam, k in cases:
        kp, r0 = float(k), k * k / lam
        r1 = lam + r0
        grid = ["-nx", 64 * k, "-nv", 96 if lam <= 2 else 64]
        common = ["-protocol", "global", "-lambda", lam, "-sigma", 1, "-L", 2 * np.pi, *grid, "-vmax", 8, "-init", "maxwellian",
                  "-init_density_amp", 1e-3, "-init_density_mode", k, "-ts_type", "arkimex"]
        t0 = min(2.5 / r0, 12)
        t, dens, n0, _ = branch_series(runner.run(f"linear_n0_{lam}_{k}", *common, "-ts_max_time", t0, "-output_interval", t0 / 100,
                                                  "-diagnostics_interval", t0 / 100), kp, lam, 1.0)
        t1 = 3.0 / r1
        t_1, _, _, n1 = branch_series(runner.run(f"linear_n1_{lam}_{k}", *common, "-ts_max_time", t1, "-output_interval", t1 / 60,
                                                 "-diagnostics_interval", t1 / 60), kp, lam, 1.0)
        dominant = k * k / lam ** 2 <= 0.25
        for label, fit, exact, checked in [("density mode", vp.fit_exponential(t, dens), r0, dominant),
                                           ("n = 0", vp.fit_exponential(t, n0), r0, True),
                                           ("n = 1", vp.fit_exponential(t_1, n1), r1, True)]:
            err = fit.rate / exact - 1
            rows.append([lam, k, label, f"{exact:.5g}", f"{fit.rate:.5g}", f"{100 * err:+.2f}%", f"[{fit.tmin:.3g}, {fit.tmax:.3g}]",
                         "yes" if checked else "no (n = 0 not dominant)"])
            if checked:
                s.check(f"λ = {lam}, k = {k}, {label}", f"{100 * err:+.2f}%", "within ±1%", abs(err) < 0.01)
                measured[label].append((exact, fit.rate))
    s.table = table(["λ", "k", "measured on", "exact rate", "measured", "error", "fit window", "checked"], rows)
    curves, markers = [], {"n = 0": dict(marker="s", mfc="none", ms=10), "n = 1": dict(marker="o"), "density mode": dict(marker="x", ms=8)}
    for label, pts in measured.items():
        if pts:
            ex, me = np.array(pts).T
            curves.append({"x": ex, "y": me, "label": label, "ls": "none", **markers[label]})
    lim = np.array([min(c["x"].min() for c in curves) * 0.8, max(c["x"].max() for c in curves) * 1.2])
    curves.append({"x": lim, "y": lim, "label": "measured = exact", "ls": "--", "color": "grey"})
    fig = figdir / "linear_rates.png"
    vp.xy_plot(curves, fig, "exact rate λn + σk′²/λ", "measured rate", "Linear decay rates of the kinetic Fokker-Planck operator", logx=True, logy=True)
    s.figures.append(fig)
    return s


# ---------------------------------------------------------------- 5. relaxation rate against sigma

def study_relaxation_sigma(runner, figdir, fast=False):
    s = Study("5. Relaxation rate against σ",
              "The default w-model setting (`input/relax1d.opts`: Favre averaging, trig kernel ψ = 1 + 0.5 cos, w0 with a 10% "
              "variation, perturbed bimodal data) at several σ (velocity grid refined with √σ). Theorem 7.1 predicts an "
              "exponential rate of ‖f − μ‖₁ proportional to σ for small σ: the fitted rate/σ at the two smallest σ agree within "
              "10%. For larger σ the relaxation of the velocity distribution (rate about 2s) becomes the bottleneck and the "
              "rate saturates.")
    cases = [(0.01, 256, 32), (0.02, 192, 16), (0.04, 128, 10), (0.08, 96, 12), (0.16, 80, 12), (0.32, 64, 12), (1.0, 64, 12)]
    rows, sig, rates = [], [], []
    for sigma, nv, T in cases:
        vmax = max(4.5, 1.5 + 7 * np.sqrt(sigma))
        out = runner.run(f"sigma_{sigma}", "-options_file", ROOT / "input" / "relax1d.opts", "-sigma", sigma, "-vmax", vmax, "-nv", nv,
                         "-ts_max_time", T, "-output_interval", T, "-diagnostics_interval", T / 200)
        d = vp.read_diagnostics(out)
        fit = vp.fit_exponential(d["t"], d["l1"])
        sbar = 0.5 * (d["smin"][-1] + d["smax"][-1])
        rows.append([sigma, nv, f"{fit.rate:.4g}", f"{fit.rate / sigma:.4g}", f"{(2 * np.pi) ** 2 * sigma / sbar:.4g}",
                     f"[{fit.tmin:.3g}, {fit.tmax:.3g}]", f"{d['l1'][0]:.2e} → {d['l1'][-1]:.2e}"])
        sig.append(sigma)
        rates.append(fit.rate)
    sig, rates = np.array(sig), np.array(rates)
    ratio = rates[:2] / sig[:2]
    spread = abs(ratio[0] - ratio[1]) / ratio.mean()
    slope = vp.slope_through_origin(sig[:2], rates[:2])
    s.check("rate/σ at σ = 0.01 and 0.02", f"{ratio[0]:.3g}, {ratio[1]:.3g} (differ by {100 * spread:.1f}%)", "within 10%", spread < 0.1)
    s.table = table(["σ", "nv", "fitted rate of ‖f − μ‖₁", "rate/σ", "σk′²/s̄ (linear estimate)", "fit window", "‖f − μ‖₁"], rows) + \
        f"\n\nLeast-squares slope through the origin over σ = 0.01, 0.02: rate ≈ {slope:.3g} σ."
    fig = figdir / "rate_vs_sigma.png"
    grid = np.linspace(0, sig.max(), 50)
    vp.xy_plot([{"x": sig, "y": rates, "label": "fitted rate", "marker": "o"},
                {"x": grid, "y": slope * grid, "label": f"{slope:.3g} σ (fit at small σ)", "ls": "--", "color": "grey"}],
               fig, "σ", "rate of ‖f − μ‖₁", "w-model relaxation rate against σ", logx=True, logy=True)
    s.figures.append(fig)
    return s


# ---------------------------------------------------------------- 6. conservation and entropy

PROTOCOLS = ["global", "local", "cucker_smale", "motsch_tadmor", "beta", "overmollified", "segregation", "smodel"]
CONSERVING = {"global", "local", "cucker_smale", "overmollified", "segregation"}
PERTURBED = ["-nx", 32, "-nv", 48, "-vmax", 8, "-sigma", 1, "-lambda", 2, "-beta", 0.5, "-w0", "profile", "-w0_amp", 0.3,
             "-init", "bimodal", "-init_bimodal_fraction", 0.7, "-init_velocity", 0.3, "-init_velocity_amp", 0.4,
             "-init_density_amp", 0.5, "-init_temperature_amp", 0.3]


def momentum_law(outdir):
    """d ubar/dt = int s rho ([u] - u) dx / M (SPEC section 3) along a run: ubar(t_{k+2}) - ubar(t_k)
    against Simpson's rule for the right-hand side from three consecutive snapshots. Returns the
    largest difference relative to the largest change of ubar, and the times."""
    rows = [vp.read_snapshot(p) for p in vp.list_snapshots(outdir)]
    t = np.array([r["attrs"]["time"] for r in rows])
    dx = rows[0]["x"][1] - rows[0]["x"][0]
    mass = np.array([r["rho"].sum() * dx for r in rows])
    ubar = np.array([(r["rho"] * r["u"]).sum() * dx for r in rows]) / mass
    g = np.array([(r["s"] * r["rho"] * (r["avg_u"] - r["u"])).sum() * dx for r in rows]) / mass
    change = ubar[2::2] - ubar[:-2:2]
    simpson = (t[2::2] - t[:-2:2]) / 6 * (g[:-2:2] + 4 * g[1:-1:2] + g[2::2])
    return np.abs(change - simpson).max() / np.abs(change).max(), t, ubar


def study_conservation(runner, figdir, fast=False):
    s = Study("6. Conservation and entropy",
              "Every protocol from perturbed data with momentum (explicit SSP RK3, 32 × 48, t ∈ [0, 1]): mass conserved to "
              "1e-12 relative; momentum to 1e-12·M·vmax for the protocols that conserve it (SPEC §2 table), while it moves "
              "for the others; the relative entropy never increases for the conservative symmetric ones (tolerance 1e-10 H0); "
              "min f ≥ −1e-14. Along a `motsch_tadmor` run the momentum law dū/dt = ∫sρ([u] − u)dx/M holds: the change of ū "
              "between snapshots matches Simpson's rule for the right-hand side to 1e-4 of the largest change.")
    rows = []
    for protocol in (["cucker_smale", "motsch_tadmor"] if fast else PROTOCOLS):
        out = runner.run(f"cons_{protocol}", "-protocol", protocol, *PERTURBED, "-ts_max_time", 1, "-output_interval", 0.5, "-diagnostics_interval", 0.02)
        d = vp.read_diagnostics(out)
        M = d["mass"][0]
        mass_drift = np.abs(d["mass"] - M).max() / M
        mom_drift = np.abs(d["momentum"] - d["momentum"][0]).max() / (M * 8)
        rise = np.diff(d["entropy"]).max() / d["entropy"][0]
        conserving = protocol in CONSERVING
        rows.append([protocol, "yes" if conserving else "no", f"{mass_drift:.1e}", f"{mom_drift:.1e}", f"{rise:.1e}",
                     f"{d['entropy'][0]:.3g} → {d['entropy'][-1]:.3g}", f"{d['fmin'].min():.1e}"])
        s.check(f"{protocol}: mass", f"{mass_drift:.1e}", "<= 1e-12", mass_drift <= 1e-12)
        if conserving:
            s.check(f"{protocol}: momentum", f"{mom_drift:.1e}", "<= 1e-12 (in units of M vmax)", mom_drift <= 1e-12)
            s.check(f"{protocol}: entropy never increases", f"{rise:.1e}", "<= 1e-10 (relative)", rise <= 1e-10)
        else:
            s.check(f"{protocol}: momentum moves", f"{mom_drift:.1e}", "> 1e-6", mom_drift > 1e-6)
        s.check(f"{protocol}: min f", f"{d['fmin'].min():.1e}", ">= -1e-14", d["fmin"].min() >= -1e-14)
    s.table = table(["protocol", "conserves momentum", "max mass drift / M", "max momentum drift / (M vmax)",
                     "largest entropy increase / H0", "H", "min f"], rows)
    out = runner.run("momentum_law", "-protocol", "motsch_tadmor", *PERTURBED, "-ts_max_time", 1, "-output_interval", 0.01, "-diagnostics_interval", 0.01)
    deviation, t, ubar = momentum_law(out)
    s.check("momentum law along motsch_tadmor", f"{deviation:.1e}", "<= 1e-4", deviation <= 1e-4)
    s.table += f"\n\nMomentum law along `motsch_tadmor` (101 snapshots): ū moves from {ubar[0]:.6f} to {ubar[-1]:.6f}; the largest " \
               f"difference between ū(t+0.02) − ū(t) and Simpson's rule for ∫ ∫sρ([u] − u)dx/M dt is {deviation:.1e} of the largest change."
    fig = figdir / "momentum_law.png"
    vp.xy_plot([{"x": t, "y": ubar, "label": "ū(t), motsch_tadmor"}], fig, "t", "ū", "Mean velocity along a Motsch-Tadmor run")
    s.figures.append(fig)
    return s


# ---------------------------------------------------------------- 7. mean momentum of the w-model

def study_wmodel_momentum(runner, figdir, fast=False):
    s = Study("7. Mean momentum of the w-model",
              "The w-model does not conserve momentum when w varies, and whether ū(t) converges is open in the paper. "
              "Here: the default setting with a strongly varying weight (w0 = λ(1 + 0.5 cos 2πx)) to t = 20 at three "
              "resolutions. Reported: ū at several times, its change over [10, 20], its largest excursion from ū(0) and its "
              "net change. Checks: the verdict on settling (change over [10, 20] below 1e-10) is the same at every "
              "resolution, and the largest excursion agrees within 5% between the two finest grids.")
    T, curves, rows, verdicts, excursions, nets = 20, [], [], [], [], []
    grids = [32, 64] if fast else [32, 64, 128]
    for n in grids:
        out = runner.run(f"wmodel_{n}", "-options_file", ROOT / "input" / "relax1d.opts", "-w0_amp", 0.5, "-nx", n, "-nv", n,
                         "-ts_max_time", T, "-output_interval", T, "-diagnostics_interval", 0.05)
        d = vp.read_diagnostics(out)
        t, ubar = d["t"], d["ubar"]
        at = lambda time: ubar[np.argmin(np.abs(t - time))]
        late, excursion, net = abs(at(20) - at(10)), np.abs(ubar - ubar[0]).max(), at(20) - ubar[0]
        rows.append([f"{n} × {n}", *(f"{at(time):.10f}" for time in (0, 0.5, 2, 5, 10, 20)), f"{late:.1e}", f"{excursion:.3e}", f"{net:+.3e}"])
        curves.append({"x": t, "y": ubar - ubar[0], "label": f"{n} × {n}"})
        verdicts.append(late < 1e-10)
        excursions.append(excursion)
        nets.append(net)
    s.table = table(["grid", "ū(0)", "ū(0.5)", "ū(2)", "ū(5)", "ū(10)", "ū(20)", "|ū(20) − ū(10)|", "max |ū − ū(0)|", "ū(20) − ū(0)"], rows)
    s.check("same verdict on settling at every resolution", f"settled: {verdicts}", "all equal", len(set(verdicts)) == 1)
    spread = abs(excursions[-1] - excursions[-2]) / excursions[-1]
    s.check("largest excursion, two finest grids", f"{excursions[-2]:.3e}, {excursions[-1]:.3e}", "within 5%", spread < 0.05)
    ratios = ", ".join(f"{nets[k] / nets[k + 1]:.1f}" for k in range(len(nets) - 1))
    s.notes = (f"What the solver shows: ū {'settles' if all(verdicts) else 'does not settle'} at every resolution (the distance to the "
               f"Maxwellian decays exponentially, and with it the momentum exchange). The transient excursion of ū is resolved "
               f"({excursions[-1]:.2e} on the finest grid), while the net change ū(20) − ū(0) shrinks under refinement (successive "
               f"ratios {ratios}): in this setting the momentum ends where it started, up to a discretisation error.")
    fig = figdir / "wmodel_momentum.png"
    vp.xy_plot(curves, fig, "t", "ū(t) − ū(0)", "w-model with w0 = λ(1 + 0.5 cos 2πx): mean velocity")
    s.figures.append(fig)
    return s


STUDIES = [study_x_order, study_v_and_t_order, study_mms, study_linear_rates, study_relaxation_sigma, study_conservation, study_wmodel_momentum]
