"""Figures (matplotlib, Agg backend). The file format follows the extension of the output path:
.png or .pdf."""
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .fit import observed_orders  # noqa: E402

FORMATS = (".png", ".pdf")


def check_output(path):
    """Raise ValueError unless the extension of path is one we write."""
    if Path(path).suffix.lower() not in FORMATS:
        raise ValueError(f"output {path}: the extension must be one of {', '.join(FORMATS)}")


def save_figure(fig, path):
    """Write fig to path (PNG or PDF by extension, parent directories created) and close it."""
    check_output(path)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path


def _grid(n, ncols_max=3, width=5.0, height=3.6):
    ncols = min(n, ncols_max)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False,
                             constrained_layout=True)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:n])


def _draw_curves(ax, curves, logx, logy):
    """Each curve: dict with x, y, optional label, any other keys passed to ax.plot (ls, color...).
    On a log axis the non-positive values are left out (drawn as gaps)."""
    labelled = False
    for curve in curves:
        curve = dict(curve)
        x, y = np.asarray(curve.pop("x"), dtype=float), np.asarray(curve.pop("y"), dtype=float)
        if logy:
            y = np.where(y > 0, y, np.nan)
        if logx:
            x = np.where(x > 0, x, np.nan)
        ax.plot(x, y, **curve)
        labelled |= bool(curve.get("label"))
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.grid(True, which="major", alpha=0.3)
    if labelled:
        ax.legend(fontsize="small")


def _label_panel(ax, p, xlabel, ylabel):
    """Axis labels (defaults xlabel, ylabel) and the optional title of panel dict p."""
    ax.set_xlabel(p.get("xlabel", xlabel))
    ax.set_ylabel(p.get("ylabel", ylabel))
    if p.get("title"):
        ax.set_title(p["title"], fontsize="medium")


def xy_panels(panels, fig_path, title=None, ncols_max=3):
    """Several line plots in one figure. Each panel is a dict: curves (see xy_plot), xlabel,
    ylabel, optional title, logx, logy."""
    fig, axes = _grid(len(panels), ncols_max)
    for ax, p in zip(axes, panels):
        _draw_curves(ax, p["curves"], p.get("logx", False), p.get("logy", False))
        _label_panel(ax, p, "", "")
    if title:
        fig.suptitle(title)
    return save_figure(fig, fig_path)


def xy_plot(curves, fig_path, xlabel, ylabel, title=None, logx=False, logy=False):
    """One line plot: curves is a list of dicts {x, y, label (optional), **matplotlib plot
    options} (e.g. {"x": t, "y": l1, "label": "l1", "ls": "--", "color": "k"})."""
    fig, (ax,) = _grid(1, width=6.4, height=4.4)
    _draw_curves(ax, curves, logx, logy)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    return save_figure(fig, fig_path)


def image_plot(panels, fig_path, title=None, ncols_max=3):
    """Images of fields on a tensor grid, one panel each: dict with x (cell centres, horizontal),
    y (cell centres, vertical), z (shape (len(y), len(x))), optional title, xlabel, ylabel,
    label (of the colour bar) and diverging (a red-blue map symmetric about 0)."""
    fig, axes = _grid(len(panels), ncols_max, width=4.6, height=3.8)
    for ax, p in zip(axes, panels):
        z = np.asarray(p["z"])
        if p.get("diverging"):
            vmax = float(np.nanmax(np.abs(z))) or 1.0
            style = dict(cmap="RdBu_r", vmin=-vmax, vmax=vmax)
        else:
            style = dict(cmap="viridis")
        mesh = ax.pcolormesh(_edges(p["x"]), _edges(p["y"]), z, shading="flat", **style)
        fig.colorbar(mesh, ax=ax, label=p.get("label", ""))
        _label_panel(ax, p, "x", "v")
    if title:
        fig.suptitle(title)
    return save_figure(fig, fig_path)


def _edges(centres):
    """Cell edges of a uniform grid given its cell centres."""
    c = np.asarray(centres, dtype=float)
    h = c[1] - c[0] if len(c) > 1 else 1.0
    return np.concatenate([c - h / 2, [c[-1] + h / 2]])


def convergence_plot(hs, errors_by_label, fig_path, title, expected_orders=None,
                     xlabel="h", ylabel="error"):
    """Log-log plot of errors against the mesh size h with observed and reference orders.

    hs: the mesh sizes, one sequence for all labels or a dict {label: sequence}.
    errors_by_label: {label: errors, one per h}.
    expected_orders: None; a number or a list of numbers (grey reference lines C h^p through the
    largest error at the finest h, in different dash styles); or a dict {label: p} (a dotted line C h^p in that label's
    colour through its error at the finest h).
    Each legend entry gives the observed order p, the least-squares slope of log e against log h
    (see observed_orders). Returns {label: observed order}."""
    fig, (ax,) = _grid(1, width=6.4, height=4.8)
    orders, finest = {}, {}
    for label, errors in errors_by_label.items():
        h = np.asarray(hs[label] if isinstance(hs, dict) else hs, dtype=float)
        e = np.asarray(errors, dtype=float)
        _, orders[label] = observed_orders(h, e)
        line, = ax.loglog(h, np.where(e > 0, e, np.nan), "o-", label=f"{label} (order {orders[label]:.2f})")
        ok = e > 0
        if ok.any():
            k = np.argmin(np.where(ok, h, np.inf))
            finest[label] = (h, h[k], e[k], line.get_color())
    if isinstance(expected_orders, dict):
        for label, p in expected_orders.items():
            if label in finest:
                h, h0, e0, color = finest[label]
                ax.loglog(h, e0 * (h / h0) ** p, ":", color=color, label=f"$h^{{{p:g}}}$")
    elif expected_orders is not None and finest:
        h0 = min(v[1] for v in finest.values())
        e0 = max(v[2] for v in finest.values() if v[1] == h0)
        h = np.array([min(v[0].min() for v in finest.values()), max(v[0].max() for v in finest.values())])
        for p, ls in zip(np.atleast_1d(expected_orders), ["--", "-.", ":", (0, (5, 1, 1, 1, 1, 1))] * 4):
            ax.loglog(h, e0 * (h / h0) ** p, ls=ls, color="grey", lw=1, label=f"$h^{{{p:g}}}$")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize="small")
    save_figure(fig, fig_path)
    return orders
