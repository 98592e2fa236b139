"""postprocess/vfpa-post and its library vfpapost: every subcommand on small real runs (exit code,
a readable PNG, one PDF), --help, and the decay rates it fits against the exact linear rate."""
import functools
import re
import subprocess
import sys

import numpy as np

from vfpatest import ENV, ROOT, WORK, check, test, vfpa

TOOL = ROOT / "postprocess" / "vfpa-post"
sys.path.insert(0, str(ROOT / "postprocess"))
import vfpapost  # noqa: E402

SUBCOMMANDS = ["relax", "phase", "profiles", "momentum", "scan", "compare"]
NUMBER = r"[-+]?\d*\.?\d+(?:[eE][-+]?\d+)?"
FIGS = WORK / "post-figures"


@functools.lru_cache(maxsize=None)
def small_run():
    """The default case (s-model: all fields) on a 32 x 32 grid up to t = 3."""
    return vfpa("post_small", "-options_file", ROOT / "input" / "relax1d.opts", "-nx", 32, "-nv", 32,
                "-ts_max_time", 3, "-output_interval", 0.5, "-diagnostics_interval", 0.05, np_=2)


@functools.lru_cache(maxsize=None)
def linear_run(lam, tmax=8):
    """Global protocol with constant strength lambda: linear; the density mode k = 2 pi / L decays
    at the exact rate sigma k^2 / lambda = 4 / lambda (after a transient of rate ~lambda)."""
    return vfpa(f"post_global_{lam}", "-protocol", "global", "-lambda", lam, "-sigma", 1,
                "-L", 3.141592653589793, "-nx", 64, "-nv", 48, "-vmax", 7, "-init", "maxwellian",
                "-init_density_amp", 1e-3, "-init_density_mode", 1, "-ts_type", "arkimex",
                "-ts_max_time", tmax, "-output_interval", 0.5, "-diagnostics_interval", 0.1, np_=2)


def post(*args, expect=0):
    """Run vfpa-post with the test's interpreter; check its exit code; return stdout."""
    proc = subprocess.run([sys.executable, TOOL, *map(str, args)], capture_output=True, text=True,
                          env=ENV, timeout=120)
    check(proc.returncode == expect, f"vfpa-post {' '.join(map(str, args))} exited with {proc.returncode}, "
          f"expected {expect}:\n{proc.stdout[-1000:]}\n{proc.stderr[-2000:]}")
    return proc.stdout


def check_png(path):
    check(path.is_file(), f"{path} was not written")
    check(path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{path} does not start with the PNG signature")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    image = plt.imread(path)
    check(image.ndim == 3 and min(image.shape[:2]) > 200, f"{path}: image of shape {image.shape}")
    check(image[..., :3].std() > 0.02, f"{path} is blank")


def one_line(out, pattern):
    """The output is one line matching pattern; returns the match."""
    lines = out.strip().splitlines()
    check(len(lines) == 1, f"expected one line of output, got:\n{out}")
    m = re.fullmatch(pattern, lines[0])
    check(m, f"output line {lines[0]!r} does not match {pattern!r}")
    return m


def diagnostics_row(run, t):
    d = run.csv()
    return d[np.argmin(np.abs(d["t"] - t))]


@test
def help_of_tool_and_every_subcommand():
    proc = subprocess.run([TOOL, "--help"], capture_output=True, text=True, env=ENV, timeout=60)
    check(proc.returncode == 0, f"{TOOL} --help (run directly) exited with {proc.returncode}: {proc.stderr[-1500:]}")
    for name in SUBCOMMANDS:
        check(re.search(rf"^\s+{name}\s", proc.stdout, re.M), f"vfpa-post --help does not list {name}")
    for name in SUBCOMMANDS:
        out = post(name, "--help")
        check(out.startswith(f"usage: vfpa-post {name}") and "-o FIG" in out, f"vfpa-post {name} --help:\n{out}")
        if name in ("relax", "scan"):
            check("Default fit window" in out and "--tmin" in out, f"vfpa-post {name} --help does not explain the fit window")


@test
def bad_input_gives_one_error_line():
    run = small_run()
    proc = subprocess.run([sys.executable, TOOL, "relax", run.outdir, "-o", FIGS / "x.jpg"],
                          capture_output=True, text=True, env=ENV, timeout=60)
    check(proc.returncode == 2 and ".png or .pdf" in proc.stderr, f"-o x.jpg: exit {proc.returncode}, {proc.stderr}")
    for args in (["relax", WORK / "no_such_run"], ["compare", run.outdir, "--column", "nope"],
                 ["scan", run.outdir, "--param", "nope"]):
        proc = subprocess.run([sys.executable, TOOL, *map(str, args), "-o", FIGS / "bad.png"],
                              capture_output=True, text=True, env=ENV, timeout=60)
        lines = proc.stderr.strip().splitlines()
        check(proc.returncode == 2 and len(lines) == 1 and lines[0].startswith("vfpa-post: error:"),
              f"{args}: exit {proc.returncode}, stderr {proc.stderr!r}")
    check(not (FIGS / "bad.png").exists(), "a failed command wrote its figure")


@test
def relax_with_automatic_and_given_window():
    run = small_run()
    m = one_line(post("relax", run.outdir, "-o", FIGS / "relax.png"),
                 rf"relax: rate ({NUMBER}) \(fit of l1 over t in \[({NUMBER}), ({NUMBER})\]\) -> (.+)")
    check(m[4] == str(FIGS / "relax.png"), f"relax says it wrote {m[4]}")
    check_png(FIGS / "relax.png")
    rate, t0, t1 = map(float, m.groups()[:3])
    check(0 <= t0 < t1 <= 3 and t1 - t0 > 1, f"automatic window [{t0}, {t1}] of a run to t = 3")
    # with a given window the rate is the least-squares slope of log l1 over exactly those rows
    m = one_line(post("relax", run.outdir, "--tmin", 1, "--tmax", 2.5, "--quantity", "entropy", "-o", FIGS / "relax_e.png"),
                 rf"relax: rate ({NUMBER}) \(fit of entropy over t in \[1, 2.5\]\) -> .+")
    d = run.csv()
    rows = (d["t"] >= 1) & (d["t"] <= 2.5)
    expected = -np.polyfit(d["t"][rows], np.log(d["entropy"][rows]), 1)[0]
    check(abs(float(m[1]) / expected - 1) < 1e-4, f"entropy rate {m[1]} on [1, 2.5], least squares gives {expected}")
    check(abs(float(m[1]) / rate - 2) < 0.2, f"entropy rate {m[1]} is not about twice the l1 rate {rate}")
    check_png(FIGS / "relax_e.png")


@test
def phase_images():
    run = small_run()
    one_line(post("phase", run.outdir, "-o", FIGS / "phase.png"), r"phase: f\(x, v\) at t = 0, 3 -> .+")
    check_png(FIGS / "phase.png")
    one_line(post("phase", run.outdir, "--times", 0.4, 1.1, 99, "--minus-maxwellian", "-o", FIGS / "phase_mu.png"),
             r"phase: f\(x, v\) - mu\(v\) at t = 0.5, 1, 3 -> .+")
    check_png(FIGS / "phase_mu.png")


@test
def profiles_of_chosen_fields():
    run = small_run()
    one_line(post("profiles", run.outdir, "--times", 0, 1.5, "-o", FIGS / "profiles.png"),
             r"profiles: rho, u, s, w, avg_u at t = 0, 1.5 -> .+")
    check_png(FIGS / "profiles.png")
    one_line(post("profiles", run.outdir, "--fields", "rho", "w", "-o", FIGS / "profiles_rw.png"),
             r"profiles: rho, w at t = 0, 3 -> .+")
    check_png(FIGS / "profiles_rw.png")


@test
def momentum_drift():
    run = small_run()
    m = one_line(post("momentum", run.outdir, "-o", FIGS / "momentum.png"),
                 rf"momentum: drift ({NUMBER}) \(ubar\(T\) - ubar\(0\)\), last 10% ({NUMBER}) -> .+")
    d = run.csv()
    t, ubar = d["t"], d["ubar"]
    drift, late = ubar[-1] - ubar[0], ubar[-1] - np.interp(0.9 * t[-1], t, ubar)
    check(abs(float(m[1]) - drift) <= 1e-3 * abs(drift) + 1e-300, f"drift printed {m[1]}, diagnostics give {drift}")
    check(abs(float(m[2]) - late) <= 1e-3 * abs(late) + 1e-300, f"last-10% change printed {m[2]}, diagnostics give {late}")
    check_png(FIGS / "momentum.png")


@test
def compare_columns_to_pdf():
    run, lin = small_run(), linear_run(10)
    one_line(post("compare", run.outdir, lin.outdir, "--column", "rhomin", "--labels", "small", "global",
                  "-o", FIGS / "compare.png"), r"compare: rhomin of 2 runs -> .+")
    check_png(FIGS / "compare.png")
    pdf = FIGS / "compare.pdf"
    one_line(post("compare", run.outdir, lin.outdir, "--column", "l1", "--logy", "-o", pdf), rf"compare: l1 of 2 runs -> {re.escape(str(pdf))}")
    data = pdf.read_bytes() if pdf.is_file() else b""
    check(data.startswith(b"%PDF-") and b"%%EOF" in data[-64:], f"{pdf} is not a complete PDF")


@test
def relax_rate_of_the_linear_density_mode():
    """sigma k^2 / lambda = 0.4 at lambda 10, k = 2."""
    m = one_line(post("relax", linear_run(10).outdir, "-o", FIGS / "relax_linear.png"),
                 rf"relax: rate ({NUMBER}) \(fit of l1 over t in \[({NUMBER}), ({NUMBER})\]\) -> .+")
    rate, t0, t1 = map(float, m.groups())
    check(abs(rate / 0.4 - 1) < 0.02, f"fitted rate {rate}, exact 0.4")
    check(0 < t0 < 1 and t1 > 7.5, f"automatic window [{t0}, {t1}]: expected the transient (t < 0.1) skipped and no floor")
    check_png(FIGS / "relax_linear.png")


@test
def scan_over_lambda():
    """Rates 4/lambda at lambda 10 and 20; the line through the origin against 1/lambda has slope 4.
    (The lambda = 20 run stops at t = 4, to save time: its l1 still falls by e^-0.8 after the transient.)"""
    runs = [linear_run(10), linear_run(20, tmax=4)]
    out = post("scan", *(r.outdir for r in runs), "--param", "lambda", "-o", FIGS / "scan.png")
    rates = {}
    for r in runs:
        m = re.search(rf"^{re.escape(str(r.outdir))}\s+({NUMBER})\s+({NUMBER})\s+\[", out, re.M)
        check(m, f"scan table has no row for {r.outdir}:\n{out}")
        rates[float(m[1])] = float(m[2])
    check(sorted(rates) == [10, 20], f"scan read lambda = {sorted(rates)}")
    for lam, rate in rates.items():
        check(abs(rate * lam / 4 - 1) < 0.02, f"lambda {lam}: fitted rate {rate}, exact {4 / lam}")
    m = re.search(rf"^scan: rate = ({NUMBER}) \* lambda .* -> .+$", out, re.M)
    slope = (10 * rates[10] + 20 * rates[20]) / (10 ** 2 + 20 ** 2)
    check(m and abs(float(m[1]) / slope - 1) < 1e-4, f"scan slope line missing or not {slope}:\n{out}")
    check_png(FIGS / "scan.png")
    out = post("scan", *(r.outdir for r in runs), "--param", "lambda", "--inverse", "-o", FIGS / "scan_inv.png")
    m = re.search(rf"^scan: rate = ({NUMBER}) \* 1/lambda", out, re.M)
    check(m and abs(float(m[1]) / 4 - 1) < 0.02, f"slope of rate against 1/lambda is not 4 within 2%:\n{out}")
    check_png(FIGS / "scan_inv.png")


@test
def library_maxwellian_matches_the_diagnostics():
    run = small_run()
    d = vfpapost.read_diagnostics(run.outdir)
    check(set(d) >= {"t", "l1", "entropy", "ubar"} and len(d["t"]) == len(run.csv()), "read_diagnostics columns/rows")
    snaps = vfpapost.list_snapshots(run.outdir)
    check([p.name for p in snaps] == [f"snap_{k:06d}.h5" for k in range(7)], f"snapshots {snaps}")
    for path in snaps:
        snap = vfpapost.read_snapshot(path)
        row = diagnostics_row(run, snap["attrs"]["time"])
        l1, h = vfpapost.l1_distance(snap), vfpapost.relative_entropy(snap)
        check(abs(l1 / row["l1"] - 1) < 1e-9, f"t = {row['t']}: l1 {l1} from the snapshot, {row['l1']} in diagnostics")
        check(abs(h / row["entropy"] - 1) < 1e-6, f"t = {row['t']}: H {h} from the snapshot, {row['entropy']} in diagnostics")
    mu = vfpapost.discrete_maxwellian(snap["v"], 2.0, 0.3, 5.0, 2.0)
    dv = snap["v"][1] - snap["v"][0]
    check(abs(mu.sum() * dv * 2.0 - 5.0) < 1e-12 and abs((snap["v"] * mu).sum() / mu.sum() - 0.3) < 1e-6,
          "discrete_maxwellian has the wrong mass or mean")
    # a partial last row (a run still writing) is skipped
    partial = WORK / "partial.csv"
    text = (run.outdir / "diagnostics.csv").read_text()
    partial.write_text(text + text.splitlines()[-1][:20])
    check(len(vfpapost.read_diagnostics(partial)["t"]) == len(d["t"]), "a partial last row was not skipped")


@test
def library_fit_and_convergence_plot():
    t = np.linspace(0, 40, 401)
    y = np.exp(-0.7 * t) * (1 + 0.5 * np.exp(-10 * t)) + 1e-12 * (1 + np.sin(37 * t) ** 2)  # transient, floor
    rate, (t0, t1) = vfpapost.fit_rate(t, y)
    check(abs(rate / 0.7 - 1) < 1e-3, f"fit_rate gives {rate} for exp(-0.7 t) with a transient and a floor")
    check(0.2 < t0 < 1.5 and 20 < t1 < 33, f"automatic window [{t0}, {t1}] (transient until ~0.5, floor from ~35)")
    rate, window = vfpapost.fit_rate(t, y, tmin=5, tmax=10)
    check(window == (5, 10) and abs(rate / 0.7 - 1) < 1e-6, f"fit on [5, 10]: {rate}, {window}")
    hs = np.array([0.1, 0.05, 0.025, 0.0125])
    fig = FIGS / "convergence.png"
    orders = vfpapost.convergence_plot(hs, {"second": 3 * hs ** 2, "first": 0.5 * hs * (1 + hs)}, fig,
                                       "test", expected_orders=[1, 2])
    check(abs(orders["second"] - 2) < 1e-9 and abs(orders["first"] - 1) < 0.1, f"observed orders {orders}")
    check_png(fig)
    pairwise, fitted = vfpapost.observed_orders(hs, 3 * hs ** 2)
    check(np.allclose(pairwise, 2) and abs(fitted - 2) < 1e-12, f"observed_orders {pairwise}, {fitted}")
