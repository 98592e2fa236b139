"""Properties a correct solver must show (SPEC sections 3 and 4)."""
import re

import numpy as np

from vfpatest import check, test, vfpa, vfpa_fails

PROTOCOLS = ["global", "local", "cucker_smale", "motsch_tadmor", "beta", "overmollified", "segregation", "smodel"]
CONSERVE_MOMENTUM = {"global", "local", "cucker_smale", "overmollified", "segregation"}
SYMMETRIC_CONSERVATIVE = CONSERVE_MOMENTUM
INTEGRATORS = {"explicit": [], "imex": ["-ts_type", "arkimex"]}

# Perturbed, far-from-equilibrium data with non-zero momentum (SPEC section 3 checks).
PERTURBED_VMAX = 8.0
PERTURBED = ["-nx", 32, "-nv", 48, "-vmax", PERTURBED_VMAX, "-sigma", 1, "-lambda", 2, "-beta", 0.5, "-w0", "profile", "-w0_amp", 0.3,
             "-init", "bimodal", "-init_bimodal_fraction", 0.7, "-init_velocity", 0.3, "-init_velocity_amp", 0.4,
             "-init_density_amp", 0.5, "-init_temperature_amp", 0.3, "-ts_max_time", 0.6, "-output_interval", 0.3,
             "-diagnostics_interval", 0.02]


def check_conserved(d, protocol, where):
    """Mass to 1e-12, momentum to 1e-12 M vmax for the conserving protocols, f >= -1e-14 in the
    diagnostics d of a PERTURBED run; returns the largest change of the momentum."""
    mass, momentum = d["mass"], d["momentum"]
    check(np.abs(mass - mass[0]).max() <= 1e-12 * mass[0], f"{where}: mass drift {np.abs(mass - mass[0]).max():.2e}")
    drift = np.abs(momentum - momentum[0]).max()
    if protocol in CONSERVE_MOMENTUM:
        check(drift <= 1e-12 * mass[0] * PERTURBED_VMAX, f"{where}: momentum drift {drift:.2e} > 1e-12 M vmax")
    check(d["fmin"].min() >= -1e-14, f"{where}: fmin = {d['fmin'].min():.2e}")
    return drift


def strength_total(run, k):
    snap = run.snapshot(k)
    return snap["s"].sum() * (snap["x"][1] - snap["x"][0])


@test
def maxwellian_is_exact_steady_state():
    """1000 steps from the discrete Maxwellian drifting at 0.5: max|f - f0| / max f0 < 1e-12,
    for every protocol, explicit and IMEX (the s-model with a non-uniform strength)."""
    for name, ts in INTEGRATORS.items():
        for protocol in PROTOCOLS:
            run = vfpa(f"eq_{protocol}_{name}", "-protocol", protocol, "-nx", 16, "-nv", 32, "-vmax", 7, "-sigma", 0.8,
                       "-w0", "profile", "-init", "maxwellian", "-init_velocity", 0.5, "-ts_max_steps", 1000,
                       "-ts_max_time", 1e9, "-output_interval", 1e8, *ts, np_=2)
            first, last = run.snapshot(0), run.snapshot(-1)
            check(last["attrs"]["step"] == 1000, f"{protocol} {name}: stopped at step {last['attrs']['step']}")
            err = np.abs(last["f"] - first["f"]).max() / first["f"].max()
            check(err < 1e-12, f"{protocol} {name}: max|f - f0|/max f0 = {err:.2e} after 1000 steps")


@test
def conservation_entropy_positivity_from_perturbed_data():
    """Mass (and total s) to 1e-12; momentum to 1e-12 M vmax for the conserving protocols (and it
    does move for the others); entropy non-increasing for the symmetric conservative protocols;
    f >= -1e-14. Explicit and IMEX."""
    for name, ts in INTEGRATORS.items():
        for protocol in PROTOCOLS:
            run = vfpa(f"cons_{protocol}_{name}", "-protocol", protocol, *PERTURBED, *ts, np_=2)
            d = run.csv()
            mass = d["mass"]
            where = f"{protocol} {name}"
            check(len(d) == 31, f"{where}: {len(d)} diagnostics rows, expected 31")
            check(abs(d["momentum"][0]) > 0.1 * mass[0], f"{where}: the data should carry momentum")
            drift = check_conserved(d, protocol, where)
            if protocol not in CONSERVE_MOMENTUM:
                check(drift > 1e-6 * mass[0] * PERTURBED_VMAX, f"{where}: momentum should move for this protocol (drift {drift:.2e})")
            if protocol in SYMMETRIC_CONSERVATIVE:
                rise = np.diff(d["entropy"]).max()
                check(rise <= 1e-10 * d["entropy"][0], f"{where}: entropy rose by {rise:.2e}")
            check(d["entropy"][-1] < 0.2 * d["entropy"][0], f"{where}: entropy did not decay ({d['entropy'][0]:.3e} -> {d['entropy'][-1]:.3e})")
            if protocol == "smodel":
                s0, s1 = strength_total(run, 0), strength_total(run, -1)
                check(abs(s1 - s0) <= 1e-12 * s0, f"{where}: total strength changed by {abs(s1 - s0):.2e}")
                check(d["smin"].min() >= 0, f"{where}: smin = {d['smin'].min():.2e}")


@test
def drift_series_matches_passes_over_f():
    """On a velocity grid fine enough for the drift's moment expansion (vmax = 4, nv = 256: degree 7,
    as -vfpa_view reports; the PERTURBED grid, nv = 48 at vmax = 8, would need more, so it keeps the
    passes over f), a run with the expansion (the default) ends within 1e-13 (relative L1) of the
    same run with -fp_drift_series false, 1e-10 for IMEX (whose stage solves stop at a relative
    residual of 1e-5, so that round-off can move where they stop), and conserves mass and momentum
    as check_conserved asks: for a conserving protocol and the s-model, explicit and IMEX, with whole
    velocity columns per rank and with the velocity range split over the 2 ranks (the moments and
    the edge rows then add up over the column)."""
    fine = [*PERTURBED, "-nv", 256, "-vmax", 4, "-ts_max_time", 0.3, "-output_interval", 0.3, "-vfpa_view"]
    bound = {"explicit": 1e-13, "imex": 1e-10}
    coarse = vfpa("series_coarse", *PERTURBED, "-ts_max_steps", 1, "-vfpa_view", np_=2)
    check("velocity moments up to degree" not in coarse.proc.stdout, "the expansion was taken on the PERTURBED grid (nv = 48, vmax = 8)")
    for protocol in ("cucker_smale", "smodel"):
        for name, ts in INTEGRATORS.items():
            for layout, split in (("columns", []), ("v split", ["-da_processors_x", 1, "-da_processors_y", 2])):
                where = f"{protocol} {name}, {layout}"
                tag = f"{protocol}_{name}_{len(split)}"
                series = vfpa(f"series_{tag}", "-protocol", protocol, *fine, *ts, *split, np_=2)
                passes = vfpa(f"passes_{tag}", "-protocol", protocol, *fine, *ts, *split, "-fp_drift_series", "false", np_=2)
                check("velocity moments up to degree 7" in series.proc.stdout, f"{where}: the run did not report the expansion")
                check("velocity moments up to degree" not in passes.proc.stdout, f"{where}: -fp_drift_series false still took the expansion")
                check_conserved(series.csv(), protocol, where)
                f, ref = series.snapshot(-1)["f"], passes.snapshot(-1)["f"]
                gap = np.abs(f - ref).sum() / np.abs(ref).sum()
                check(gap <= bound[name], f"{where}: the series run ends {gap:.2e} (relative L1) from the passes over f")


@test
def positivity_for_strongly_nonequilibrium_data():
    """Cold flocks over a 1e-6 background and a velocity top hat, stiff strength: f >= -1e-14, also
    with the Strang-split IMEX scheme. With 8 stages per transport half step (SSP coefficient 14) its
    steps are 3.5 times longer: transport still keeps f >= 0 at a moderate strength, where the
    Fokker-Planck stages' negative damping (README, Numerics) is not reached."""
    starts = {
        "flocks": ["-init", "flocks", "-flock_center", "0.2,0.7", "-flock_width", "0.03,0.05", "-flock_mass", "0.3,1",
                   "-flock_velocity", "2,-1", "-flock_temperature", "0.05,0.1", "-flock_background", "1e-6"],
        "tophat": ["-init", "tophat_v", "-init_tophat_width", 0.5, "-init_velocity", 2],
    }
    cases = [(name, ts, 50) for name, ts in {**INTEGRATORS, "strang": ["-ts_type", "strang"]}.items()]
    cases.append(("strang8", ["-ts_type", "strang", "-ts_strang_stages", 8], 5))
    for name, ts, lam in cases:
        for start, args in starts.items():
            run = vfpa(f"pos_{start}_{name}", "-nx", 64, "-nv", 64, "-vmax", 6, "-protocol", "cucker_smale", "-lambda", lam,
                       "-sigma", 0.5, "-ts_max_time", 0.3, "-output_interval", 0.3, "-diagnostics_interval", 0.01, *args, *ts, np_=2)
            fmin = run.csv()["fmin"].min()
            check(fmin >= -1e-14, f"{start} {name} at lambda = {lam}: fmin = {fmin:.2e}")


@test
def imex_steps_assemble_one_jacobian():
    """The implicit stages of a step share one Jacobian (SNESJacobianEval of -log_view) by default
    where they share one shift: -ts_type strang (1 per step instead of 2 with -imex_reuse_jacobian
    false) and ARKIMEX ssp4l (1 instead of 3; with adaptive steps one more per rejected step, as a
    step started over has a shorter step), not ARKIMEX l2 (2, the default lag of one per stage
    solve). The shared Jacobian moves the final f by at most 1e-6 (relative L1) with stages solved
    and 1e-5 with one Newton step per stage, at a stiff strength (lambda = 20)."""
    imex = ["-protocol", "smodel", *PERTURBED, "-lambda", 20, "-log_view"]
    cases = [("strang", ["-ts_type", "strang"], 1, 2), ("ssp4l", ["-ts_type", "arkimex", "-ts_adapt_type", "none"], 1, 3),
             ("ssp4l adaptive", ["-ts_type", "arkimex"], 1, 3), ("l2", ["-ts_type", "arkimex", "-ts_arkimex_type", "l2", "-ts_adapt_type", "none"], 2, 2)]
    for name, ts, shared, per_stage in cases:
        for newton, extra, tolerance in (("stages solved", [], 1e-6), ("one Newton step", ["-snes_type", "ksponly"], 1e-5)):
            final = {}
            for reuse, per_step in (("true", shared), ("false", per_stage)):
                run = vfpa(f"jacobian_{name.replace(' ', '_')}_{reuse}_{len(extra)}", *imex, *ts, *extra, "-imex_reuse_jacobian", reuse, np_=2)
                attempts = run.snapshot(-1)["attrs"]["step"] + run.csv()["rejected"][-1]
                assembled = int(re.search(r"^SNESJacobianEval\s+(\d+)", run.proc.stdout, re.M).group(1))
                check(assembled == per_step * attempts, f"{name}, {newton}, reuse {reuse}: {assembled} Jacobians in {attempts:.0f} step attempts, expected {per_step} per attempt")
                final[reuse] = run.snapshot(-1)["f"]
            gap = np.abs(final["true"] - final["false"]).sum() / np.abs(final["false"]).sum()
            check(gap <= tolerance, f"{name}, {newton}: the shared Jacobian ends {gap:.2e} (relative L1) from a Jacobian per stage")


def density_mode_amplitude(snap, mode):
    x, rho = snap["x"], snap["rho"]
    L = 2 * x[0] * len(x)
    return abs(np.sum(rho * np.exp(-2j * np.pi * mode * x / L))) * 2 / len(x)


@test
def linear_density_mode_decay_rate():
    """global protocol, constant strength lambda: a density mode decays at sigma k'^2 / lambda
    (SPEC section 4), the slowest branch here (the n = 1 branch decays at lambda); within 1%."""
    L, sigma, lam = np.pi, 1.0, 10.0
    run = vfpa("linear_rate", "-protocol", "global", "-lambda", lam, "-sigma", sigma, "-L", L, "-nx", 64, "-nv", 48, "-vmax", 7,
               "-init", "maxwellian", "-init_density_amp", 1e-3, "-init_density_mode", 1, "-ts_type", "arkimex",
               "-ts_max_time", 8, "-output_interval", 0.25, "-diagnostics_interval", 0.25, np_=2)
    times, amps = [], []
    for k in range(len(run.snapshots())):
        snap = run.snapshot(k)
        times.append(snap["attrs"]["time"])
        amps.append(density_mode_amplitude(snap, 1))
    times, amps = np.array(times), np.array(amps)
    window = times >= 2
    rate = -np.polyfit(times[window], np.log(amps[window]), 1)[0]
    exact = sigma * (2 * np.pi / L) ** 2 / lam
    check(abs(rate / exact - 1) < 0.01, f"measured rate {rate:.5f}, exact {exact:.5f} ({100 * (rate / exact - 1):.2f}%)")


def variance_error(nv, ts):
    run = vfpa(f"variance_{nv}_{len(ts)}", "-protocol", "global", "-lambda", 1, "-sigma", 1, "-nx", 4, "-nv", nv, "-vmax", 10,
               "-init", "maxwellian", "-init_temperature", 3, "-ts_max_time", 1.5, "-output_interval", 1.5,
               "-diagnostics_interval", 0.05, *ts)
    d = run.csv()
    variance = 2 * d["energy"] / d["mass"] - d["ubar"] ** 2
    exact = 1 + (3 - 1) * np.exp(-2 * d["t"])
    return np.abs(variance - exact).max()


@test
def homogeneous_variance_converges_at_second_order():
    """k = 0: a Gaussian of variance T0 stays Gaussian with variance sigma + (T0 - sigma) e^{-2 lambda t};
    the error falls at the scheme's order (2) as v is refined, for explicit and IMEX."""
    for name, ts in INTEGRATORS.items():
        errors = [variance_error(nv, ts) for nv in (24, 48, 96)]
        orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
        check(errors[-1] < 1e-2 and orders.min() >= 1.8, f"{name}: errors {errors}, observed orders {orders}")


@test
def integrators_adaptivity_and_first_order_transport():
    """Other TS choices through the usual options: adaptive explicit RK, ARKIMEX with and without
    adaptivity and another tableau, forward Euler, first-order transport. Each reaches the final
    time, conserves mass to 1e-12 and keeps f >= -1e-14."""
    configurations = {
        "rk_adaptive": ["-ts_type", "rk", "-ts_rk_type", "3bs", "-ts_adapt_type", "basic"],
        "arkimex_fixed": ["-ts_type", "arkimex", "-ts_adapt_type", "none"],
        "arkimex_1bee": ["-ts_type", "arkimex", "-ts_arkimex_type", "1bee", "-ts_adapt_type", "basic", "-ts_rtol", 1e-4, "-ts_atol", 1e-6],
        "euler": ["-ts_type", "euler"],
        "first_order": ["-transport_order", 1],
    }
    steps = {}
    for name, args in configurations.items():
        run = vfpa(f"ts_{name}", "-protocol", "smodel", *PERTURBED, *args, np_=2)
        d = run.csv()
        steps[name] = d["step"][-1]
        check(abs(d["t"][-1] - 0.6) < 1e-12, f"{name}: ended at t = {d['t'][-1]}")
        check(np.abs(d["mass"] - d["mass"][0]).max() <= 1e-12 * d["mass"][0], f"{name}: mass drift")
        check(d["fmin"].min() >= -1e-14, f"{name}: fmin = {d['fmin'].min():.2e}")
    check(steps["arkimex_1bee"] != steps["arkimex_fixed"], f"adaptive ARKIMEX took as many steps as the fixed one ({steps})")


@test
def one_newton_step_per_stage_with_the_stage_preconditioner():
    """IMEX with -snes_type ksponly (exactly one Newton step per implicit stage, the faster choice
    the README offers): the stage preconditioner keeps mass and the momentum of a conserving
    protocol exact to 1e-12, and the final f stays within 1e-5 (relative L1) of the default run,
    whose stages are solved until the residual has dropped by 1e-5; for the s-model the
    preconditioner's account of the strength change is what keeps the single step that close."""
    for protocol in ("global", "smodel"):
        runs = {name: vfpa(f"newton_{protocol}_{name}", "-protocol", protocol, *PERTURBED, "-ts_type", "arkimex", *extra, np_=2)
                for name, extra in (("solved", []), ("one_step", ["-snes_type", "ksponly"]))}
        check_conserved(runs["one_step"].csv(), protocol, f"{protocol}, one Newton step")
        solved, one = runs["solved"].snapshot(-1)["f"], runs["one_step"].snapshot(-1)["f"]
        gap = np.abs(one - solved).sum() / np.abs(solved).sum()
        check(gap <= 1e-5, f"{protocol}: one Newton step per stage ends {gap:.2e} (relative L1) from the solved stages")


@test
def strang_retries_a_failed_stage_with_a_shorter_step():
    """-ts_type strang with implicit stages that cannot converge at the full step (one Newton step
    that must drop the residual by 1e-7): by default the run stops with PETSc's
    DIVERGED_NONLINEAR_SOLVE; with -ts_max_snes_failures -1 a failed step starts over from its
    start with a shorter step (-ts_adapt_scale_solve_failed, 0.25 by default), so the run reaches
    the final time with rejected steps, mass exact to 1e-12, f >= -1e-14, and ends within 1e-4
    (relative L1) of the default strang run."""
    strang = ["-protocol", "smodel", *PERTURBED, "-ts_type", "strang"]
    failing = ["-snes_max_it", 1, "-snes_rtol", 1e-7]
    stopped = vfpa_fails("strang_stage_fails", *strang, *failing, np_=2)
    check(stopped.rc != 0 and "DIVERGED_NONLINEAR_SOLVE" in stopped.proc.stderr, f"a failed stage did not stop the run (exit {stopped.rc}):\n{stopped.proc.stderr[-1500:]}")
    retried = vfpa("strang_stage_retried", *strang, *failing, "-ts_max_snes_failures", -1, np_=2)
    reference = vfpa("strang_stage_reference", *strang, np_=2)
    d = retried.csv()
    check(abs(d["t"][-1] - 0.6) < 1e-12 and d["rejected"][-1] > 0, f"retried run ended at t = {d['t'][-1]} with {d['rejected'][-1]:.0f} rejected steps")
    check(np.abs(d["mass"] - d["mass"][0]).max() <= 1e-12 * d["mass"][0], "retried run: mass drift")
    check(d["fmin"].min() >= -1e-14, f"retried run: fmin = {d['fmin'].min():.2e}")
    f, ref = retried.snapshot(-1)["f"], reference.snapshot(-1)["f"]
    gap = np.abs(f - ref).sum() / np.abs(ref).sum()
    check(gap <= 1e-4, f"retried run ends {gap:.2e} (relative L1) from the default strang run")
