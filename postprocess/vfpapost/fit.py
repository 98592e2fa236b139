"""Fits: exponential decay rates with an automatic fit window, convergence orders, and a
least-squares line through the origin."""
from collections import namedtuple

import numpy as np

AUTO_WINDOW_RULE = (
    "Default fit window: the longest stretch of the run over which the quantity stays within 1% "
    "of one exponential, i.e. |log y - (a - r t)| <= 0.01 at every sample of the stretch for its "
    "least-squares line a - r t (at least 5 samples; samples with y <= 0 are ignored; runs with "
    "more than 250 samples are searched on 250 evenly spaced ones). The initial transient and the "
    "round-off floor both bend log y away from a straight line, so they fall outside it. If no "
    "stretch qualifies (e.g. an oscillating decay) the tolerance is doubled until one does. "
    "--tmin/--tmax replace the corresponding end; with only one of them the other is chosen by "
    "the same rule inside the remaining range.")

ExpFit = namedtuple("ExpFit", "rate tmin tmax log_amplitude npoints")
ExpFit.__doc__ = """y ~ exp(log_amplitude - rate t), fitted on npoints samples with t in [tmin, tmax]."""


def _positive(t, y):
    t, y = np.asarray(t, dtype=float), np.asarray(y, dtype=float)
    ok = np.isfinite(t) & np.isfinite(y) & (y > 0)
    return t[ok], y[ok]


def auto_window(t, y, tol=0.01, min_points=5, max_points=250):
    """The default fit window (tmin, tmax) of an exponentially decaying y(t): the longest stretch
    [t_a, t_b] on which log y deviates from its own least-squares line by at most `tol` at every
    sample (see AUTO_WINDOW_RULE). All windows are tried: for each start a, the lines of every end
    b come from cumulative sums, then the largest deviation of each from the samples it spans."""
    t, y = _positive(t, y)
    if len(t) < 2:
        raise ValueError("fewer than 2 positive samples to fit")
    if len(t) < min_points:
        return float(t[0]), float(t[-1])
    keep = np.unique(np.linspace(0, len(t) - 1, min(len(t), max_points)).round().astype(int))
    t, logy = t[keep], np.log(y[keep])
    n = len(t)
    while True:
        best = None  # (length, ta, tb)
        for a in range(n - min_points + 1):
            tt, yy = t[a:] - t[a], logy[a:]
            m = len(tt)
            k = np.arange(1, m + 1)
            st, sy, stt, sty = (np.cumsum(q) for q in (tt, yy, tt * tt, tt * yy))
            with np.errstate(divide="ignore", invalid="ignore"):
                slope = (k * sty - st * sy) / (k * stt - st ** 2)   # line of samples a..a+b
                icpt = (sy - slope * st) / k
                resid = np.abs(yy[None, :] - icpt[:, None] - slope[:, None] * tt[None, :])
            worst = np.where(np.tri(m, dtype=bool), resid, 0.0).max(axis=1)
            good = np.nonzero((k >= min_points) & (worst <= tol))[0]
            if len(good) and (best is None or tt[good[-1]] > best[0]):
                best = (tt[good[-1]], t[a], t[a + good[-1]])
        if best is not None:
            return float(best[1]), float(best[2])
        tol *= 2


def fit_exponential(t, y, tmin=None, tmax=None):
    """Least-squares fit of log y = log_amplitude - rate t over the samples with tmin <= t <= tmax
    (and y > 0). A missing bound is chosen by auto_window within the given one. Returns ExpFit,
    whose tmin/tmax are the times of the first and last sample used."""
    t, y = _positive(t, y)
    lo = -np.inf if tmin is None else tmin
    hi = np.inf if tmax is None else tmax
    inside = (t >= lo) & (t <= hi)
    if tmin is None or tmax is None:
        a, b = auto_window(t[inside], y[inside])
        lo = a if tmin is None else lo
        hi = b if tmax is None else hi
        inside = (t >= lo) & (t <= hi)
    if inside.sum() < 2:
        raise ValueError(f"fewer than 2 positive samples with t in [{lo:g}, {hi:g}]")
    slope, icpt = np.polyfit(t[inside], np.log(y[inside]), 1)
    return ExpFit(-slope, float(t[inside][0]), float(t[inside][-1]), icpt, int(inside.sum()))


def fit_rate(t, y, tmin=None, tmax=None):
    """Exponential decay rate r of y(t) ~ A exp(-r t) and the window it was fitted on:
    returns (rate, (tmin, tmax)). See fit_exponential and auto_window."""
    fit = fit_exponential(t, y, tmin, tmax)
    return fit.rate, (fit.tmin, fit.tmax)


def slope_through_origin(x, y):
    """The c minimising sum (y - c x)^2, i.e. c = sum x y / sum x^2."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return float(np.dot(x, y) / np.dot(x, x))


def observed_orders(hs, errors):
    """Convergence orders of errors e(h) ~ C h^p: returns (pairwise, fitted) where pairwise[k] =
    log(e_k / e_{k+1}) / log(h_k / h_{k+1}) for consecutive entries (sorted by h) and fitted is
    the least-squares slope of log e against log h. Non-positive errors are left out."""
    h, e = np.asarray(hs, dtype=float), np.asarray(errors, dtype=float)
    ok = np.isfinite(h) & np.isfinite(e) & (h > 0) & (e > 0)
    h, e = h[ok], e[ok]
    order = np.argsort(h)
    lh, le = np.log(h[order]), np.log(e[order])
    pairwise = np.diff(le) / np.diff(lh)
    fitted = float(np.polyfit(lh, le, 1)[0]) if len(h) >= 2 else float("nan")
    return pairwise, fitted
