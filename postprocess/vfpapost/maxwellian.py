"""The discrete global Maxwellian of a snapshot and the distances of f from it, computed exactly as
vfpa computes its diagnostics l1 and entropy."""
import numpy as np


def discrete_maxwellian(v, sigma, ubar, mass, L, dv=None):
    """mu_j = (M/L) exp(-(v_j - ubar)^2 / (2 sigma)) / Z,  Z = sum_j exp(-(v_j - ubar)^2 / (2 sigma)) dv.

    The Maxwellian of variance sigma centred at ubar, normalised on the velocity grid (cell centres
    v, width dv, default v[1] - v[0]) so that sum_j mu_j dv * L = M exactly, rather than with the
    continuous constant sqrt(2 pi sigma) (which the truncation at |v| = vmax would spoil). It does
    not depend on x; returns shape (nv,)."""
    v = np.asarray(v, dtype=float)
    dv = v[1] - v[0] if dv is None else dv
    g = np.exp(-(v - ubar) ** 2 / (2.0 * sigma))
    return (mass / L) * g / (g.sum() * dv)


def cell_sizes(snap):
    """(dx, dv) of a snapshot: L/nx and 2 vmax/nv from its attributes, else from the axes."""
    a = snap.get("attrs", {})
    dx = a["L"] / a["nx"] if "L" in a and "nx" in a else snap["x"][1] - snap["x"][0]
    dv = 2.0 * a["vmax"] / a["nv"] if "vmax" in a and "nv" in a else snap["v"][1] - snap["v"][0]
    return float(dx), float(dv)


def maxwellian_of(snap, sigma=None):
    """The global Maxwellian mu of a snapshot (dict from read_snapshot), shape (nv, nx) like f:
    mass M = sum f dx dv, mean velocity ubar = sum v f dx dv / M, variance sigma (default: the
    run's sigma attribute), box length L = nx dx."""
    f, v = snap["f"], snap["v"]
    dx, dv = cell_sizes(snap)
    sigma = snap["attrs"]["sigma"] if sigma is None else sigma
    mass = f.sum() * dx * dv
    ubar = (v[:, None] * f).sum() * dx * dv / mass
    mu = discrete_maxwellian(v, sigma, ubar, mass, f.shape[1] * dx, dv)
    return np.repeat(mu[:, None], f.shape[1], axis=1)


def l1_distance(snap):
    """||f - mu||_L1 = sum |f - mu| dx dv (the diagnostics column l1)."""
    dx, dv = cell_sizes(snap)
    return float(np.abs(snap["f"] - maxwellian_of(snap)).sum() * dx * dv)


def relative_entropy(snap):
    """H = sigma sum f log(f / mu) dx dv (the diagnostics column entropy); cells with f <= 0
    contribute nothing (f log f -> 0)."""
    f, mu = snap["f"], maxwellian_of(snap)
    dx, dv = cell_sizes(snap)
    pos = f > 0
    return float(snap["attrs"]["sigma"] * (f[pos] * np.log(f[pos] / mu[pos])).sum() * dx * dv)
