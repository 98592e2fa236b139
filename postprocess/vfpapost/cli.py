"""The vfpa-post command line: one subcommand per figure. Each prints one line saying what it
wrote (and the fitted numbers); errors give one line `vfpa-post: error: ...` and exit code 2."""
import argparse
import sys
from pathlib import Path

import numpy as np

from .fit import AUTO_WINDOW_RULE, fit_exponential, slope_through_origin
from .readers import nearest_snapshots, read_diagnostics, read_parameter, read_snapshot

FORMATS = (".png", ".pdf")
FIELDS = ("rho", "u", "s", "w", "avg_u")


class Failure(Exception):
    """An error in the input (missing directory, column, parameter...) reported in one line."""


def output_path(text):
    """argparse type of -o: a .png or .pdf path."""
    if Path(text).suffix.lower() not in FORMATS:
        raise argparse.ArgumentTypeError(f"{text!r}: the extension must be .png or .pdf (it picks the format)")
    return Path(text)


def run_labels(dirs):
    """Short legend labels for run directories: their names, or the paths if names repeat."""
    names = [Path(d).resolve().name for d in dirs]
    return names if len(set(names)) == len(names) else [str(d) for d in dirs]


def diagnostics(run):
    try:
        table = read_diagnostics(run)
    except (FileNotFoundError, ValueError) as e:
        raise Failure(f"{run}: not a vfpa output directory ({e})") from None
    if len(table.get("t", ())) < 2:
        raise Failure(f"{run}: diagnostics.csv has fewer than 2 rows")
    return table


def column(table, name, run):
    if name not in table:
        raise Failure(f"{run}: no diagnostics column {name!r}; columns: {', '.join(table)}")
    return table[name]


def fit_run(run, quantity, tmin, tmax):
    """Diagnostics of a run and the exponential fit of one of its columns."""
    table = diagnostics(run)
    try:
        return table, fit_exponential(table["t"], column(table, quantity, run), tmin, tmax)
    except ValueError as e:
        raise Failure(f"{run}: cannot fit the rate of {quantity}: {e}") from None


def fmt_window(fit):
    return f"[{fit.tmin:.3g}, {fit.tmax:.3g}]"


def times_text(snaps):
    return ", ".join(f"{s['attrs']['time']:.4g}" for s in snaps)


def cmd_relax(args):
    from .plots import xy_plot
    curves, notes = [], []
    labels = run_labels(args.dirs)
    for k, (run, label) in enumerate(zip(args.dirs, labels)):
        table, fit = fit_run(run, args.quantity, args.tmin, args.tmax)
        color = f"C{k}"
        suffix = f" ({label})" if len(args.dirs) > 1 else ""
        curves.append(dict(x=table["t"], y=table["l1"], color=color, label=r"$\Vert f-\mu\Vert_{L^1}$" + suffix))
        curves.append(dict(x=table["t"], y=table["entropy"], color=color, ls=":", label=r"$H(f|\mu)$" + suffix))
        tw = np.linspace(fit.tmin, fit.tmax, 50)
        curves.append(dict(x=tw, y=np.exp(fit.log_amplitude - fit.rate * tw), color="k", ls="--", lw=1.2,
                           label=f"fit of {args.quantity}{suffix}: rate {fit.rate:.5g}, t in {fmt_window(fit)}"))
        notes.append((fit, label))
    xy_plot(curves, args.output, "t", r"$\Vert f-\mu\Vert_{L^1}$,  $H(f|\mu)$", title=args.title, logy=True)
    if len(notes) == 1:
        fit = notes[0][0]
        text = f"rate {fit.rate:.5g} (fit of {args.quantity} over t in {fmt_window(fit)})"
    else:
        text = f"rates of {args.quantity}: " + ", ".join(
            f"{fit.rate:.5g} ({label}, t in {fmt_window(fit)})" for fit, label in notes)
    return f"relax: {text} -> {args.output}"


def load_snapshots(run, times):
    try:
        return [read_snapshot(p) for p in nearest_snapshots(run, times)]
    except FileNotFoundError as e:
        raise Failure(str(e)) from None


def cmd_phase(args):
    from .maxwellian import maxwellian_of
    from .plots import image_plot
    snaps = load_snapshots(args.dir, args.times)
    panels = []
    for s in snaps:
        z = s["f"] - maxwellian_of(s) if args.minus_maxwellian else s["f"]
        panels.append(dict(x=s["x"], y=s["v"], z=z, diverging=args.minus_maxwellian,
                           label=r"$f-\mu$" if args.minus_maxwellian else "$f$",
                           title=f"t = {s['attrs']['time']:.4g}"))
    image_plot(panels, args.output, title=args.title)
    what = "f(x, v) - mu(v)" if args.minus_maxwellian else "f(x, v)"
    return f"phase: {what} at t = {times_text(snaps)} -> {args.output}"


def cmd_profiles(args):
    from .plots import xy_panels
    snaps = load_snapshots(args.dir, args.times)
    for name in args.fields:
        if name not in snaps[0]:
            raise Failure(f"{args.dir}: the snapshots have no field {name!r}")
    panels = [dict(xlabel="x", ylabel=name, title=name,
                   curves=[dict(x=s["x"], y=s[name], label=f"t = {s['attrs']['time']:.4g}") for s in snaps])
              for name in args.fields]
    xy_panels(panels, args.output, title=args.title)
    return f"profiles: {', '.join(args.fields)} at t = {times_text(snaps)} -> {args.output}"


def cmd_momentum(args):
    from .plots import xy_panels
    curves, drifts, notes = [], [], []
    labels = run_labels(args.dirs)
    for run, label in zip(args.dirs, labels):
        table = diagnostics(run)
        t, ubar = table["t"], table["ubar"]
        drift = ubar[-1] - ubar[0]
        late = ubar[-1] - np.interp(t[0] + 0.9 * (t[-1] - t[0]), t, ubar)
        label = label if len(args.dirs) > 1 else None
        curves.append(dict(x=t, y=ubar, label=label))
        drifts.append(dict(x=t, y=ubar - ubar[0], label=label))
        notes.append(f"{label + ': ' if label else ''}drift {drift:.3e} (ubar(T) - ubar(0)), last 10% {late:.3e}")
    xy_panels([dict(curves=curves, xlabel="t", ylabel=r"$\bar u$", title="mean velocity"),
               dict(curves=drifts, xlabel="t", ylabel=r"$\bar u(t) - \bar u(0)$", title="its drift")],
              args.output, title=args.title)
    return f"momentum: {'; '.join(notes)} -> {args.output}"


def cmd_scan(args):
    from .plots import xy_plot
    rows = []
    for run in args.dirs:
        try:
            value = read_parameter(run, args.param)
        except (FileNotFoundError, KeyError) as e:
            raise Failure(e.args[0]) from None
        if not isinstance(value, (int, float)):
            raise Failure(f"{run}: parameter {args.param} = {value!r} is not a number")
        _, fit = fit_run(run, args.quantity, args.tmin, args.tmax)
        if args.inverse and value == 0:
            raise Failure(f"{run}: parameter {args.param} = 0 has no inverse")
        rows.append((run, float(value), fit))
    name = f"1/{args.param}" if args.inverse else args.param
    x = np.array([1.0 / v if args.inverse else v for _, v, _ in rows])
    rates = np.array([fit.rate for _, _, fit in rows])
    slope = slope_through_origin(x, rates)
    width = max(len(str(r)) for r, _, _ in rows)
    print(f"{'run':<{width}}  {args.param:>12}  {'rate':>12}  window")
    for run, value, fit in rows:
        print(f"{str(run):<{width}}  {value:>12.6g}  {fit.rate:>12.6g}  {fmt_window(fit)}")
    xl = np.array([0.0, 1.05 * x.max()])
    xy_plot([dict(x=x, y=rates, ls="none", marker="o", label=f"fitted rate of {args.quantity}"),
             dict(x=xl, y=slope * xl, ls="--", color="k", label=f"rate = {slope:.5g} {name}")],
            args.output, name, f"decay rate of {args.quantity}", title=args.title)
    return f"scan: rate = {slope:.5g} * {name} (least squares through the origin, {len(rows)} runs) -> {args.output}"


def cmd_compare(args):
    from .plots import xy_plot
    labels = args.labels or run_labels(args.dirs)
    if len(labels) != len(args.dirs):
        raise Failure(f"{len(labels)} labels for {len(args.dirs)} runs")
    curves = []
    for run, label in zip(args.dirs, labels):
        table = diagnostics(run)
        curves.append(dict(x=table["t"], y=column(table, args.column, run), label=label))
    xy_plot(curves, args.output, "t", args.column, title=args.title, logy=args.logy)
    return f"compare: {args.column} of {len(args.dirs)} run{'s' * (len(args.dirs) != 1)} -> {args.output}"


def build_parser():
    rule = AUTO_WINDOW_RULE  # descriptions are not %-formatted by argparse (help strings are)
    parser = argparse.ArgumentParser(
        prog="vfpa-post",
        description="Figures from vfpa output directories (diagnostics.csv, snap_*.h5). "
                    "Each subcommand writes one figure, PNG or PDF by the extension of -o, "
                    "and prints one line saying what it wrote.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name, func, help, description):
        p = sub.add_parser(name, help=help, description=description)
        p.set_defaults(func=func)
        return p

    def common(p):
        p.add_argument("-o", "--output", required=True, type=output_path, metavar="FIG",
                       help="figure to write: FIG.png or FIG.pdf")
        p.add_argument("--title", help="figure title")

    def window(p):
        p.add_argument("--tmin", type=float, help="start of the fit window (default: automatic)")
        p.add_argument("--tmax", type=float, help="end of the fit window (default: automatic)")
        p.add_argument("--quantity", choices=("l1", "entropy"), default="l1",
                       help="diagnostics column whose decay rate is fitted (default l1)")

    def snapshots(p):
        p.add_argument("dir", metavar="DIR")
        p.add_argument("--times", nargs="+", type=float, metavar="T",
                       help="times (default: the first and the last snapshot)")

    p = add("relax", cmd_relax, "||f - mu||_L1 and relative entropy against t, with the fitted decay rate",
            "Plot l1 = ||f - mu||_L1 and the relative entropy H against t on a log axis, and the "
            "least-squares fit of log(quantity) = a - rate t (dashed over its window). " + rule)
    p.add_argument("dirs", nargs="+", metavar="DIR", help="vfpa output directories")
    window(p)
    common(p)

    p = add("phase", cmd_phase, "images of f(x, v) at chosen times",
            "Images of f(x, v) (x horizontal, v vertical) from the snapshots nearest the requested times.")
    snapshots(p)
    p.add_argument("--minus-maxwellian", action="store_true",
                   help="show f - mu, mu the discrete global Maxwellian of the snapshot")
    common(p)

    p = add("profiles", cmd_profiles, "x-profiles of rho, u, s, w, [u] at chosen times",
            "Profiles against x from the snapshots nearest the requested times, one panel per field.")
    snapshots(p)
    p.add_argument("--fields", nargs="+", choices=FIELDS, default=list(FIELDS), metavar="FIELD",
                   help=f"fields among {' '.join(FIELDS)} (default: all)")
    common(p)

    p = add("momentum", cmd_momentum, "mean velocity ubar(t)",
            "Plot the mean velocity ubar(t) and print its total drift ubar(T) - ubar(0) and its change "
            "over the last 10% of the run, ubar(T) - ubar(t0 + 0.9 (T - t0)).")
    p.add_argument("dirs", nargs="+", metavar="DIR")
    common(p)

    p = add("scan", cmd_scan, "fitted decay rate against a run parameter",
            "For each run the fitted decay rate (as in relax) against the run parameter NAME read from "
            "its snapshots, with the least-squares line through the origin; prints a table and the "
            "slope. " + rule)
    p.add_argument("dirs", nargs="+", metavar="DIR")
    p.add_argument("--param", required=True, metavar="NAME", help="run parameter, e.g. sigma or lambda")
    p.add_argument("--inverse", action="store_true",
                   help="use 1/NAME as the abscissa (e.g. rate = sigma k^2 / lambda)")
    window(p)
    common(p)

    p = add("compare", cmd_compare, "one diagnostics column of several runs",
            "One diagnostics.csv column (e.g. l1, entropy, ubar, rhomin, align) against t for several runs.")
    p.add_argument("dirs", nargs="+", metavar="DIR")
    p.add_argument("--column", required=True, metavar="NAME", help="diagnostics column")
    p.add_argument("--logy", action="store_true", help="logarithmic y axis")
    p.add_argument("--labels", nargs="+", metavar="LABEL", help="legend labels, one per run (default: directory names)")
    common(p)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        print(args.func(args), flush=True)
    except (Failure, OSError) as e:  # OSError: unreadable or truncated files
        print(f"vfpa-post: error: {e}", file=sys.stderr)
        return 2
    return 0
