"""Readers for what vfpa writes into its output directory (see README.md, section Output):
diagnostics.csv (one row per diagnostic time) and the snapshots snap_NNNNNN.h5."""
import csv
import re
from pathlib import Path

import h5py
import numpy as np

SNAPSHOT_NAME = re.compile(r"snap_(\d+)\.h5$")


def _diagnostics_file(run):
    path = Path(run)
    if path.is_dir():
        path = path / "diagnostics.csv"
    if not path.is_file():
        raise FileNotFoundError(f"no diagnostics file {path}")
    return path


def read_diagnostics(run):
    """diagnostics.csv of a run directory (or the path of the file itself) as a dict
    {column name: float array}, in file order.

    vfpa flushes the file row by row, so a run that is still going (or was killed) can end in a
    partial row; such a last row is skipped."""
    path = _diagnostics_file(run)
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    if not rows:
        raise ValueError(f"{path} is empty")
    header, body = [name.strip() for name in rows[0]], rows[1:]
    values = []
    for k, row in enumerate(body):
        try:
            if len(row) != len(header):
                raise ValueError
            values.append([float(x) for x in row])
        except ValueError:
            if k == len(body) - 1:
                break  # a row still being written
            raise ValueError(f"{path}: malformed row {k + 2}: {','.join(row)!r}") from None
    table = np.array(values, dtype=float).reshape(-1, len(header))
    return {name: table[:, c].copy() for c, name in enumerate(header)}


def list_snapshots(run):
    """Paths of the snapshots snap_NNNNNN.h5 of a run directory, in snapshot order
    (temporary files of a snapshot being written are not listed)."""
    run = Path(run)
    if not run.is_dir():
        raise FileNotFoundError(f"no run directory {run}")
    found = [(int(m.group(1)), p) for p in run.iterdir() if (m := SNAPSHOT_NAME.fullmatch(p.name))]
    return [p for _, p in sorted(found)]


def _python_value(value):
    """HDF5 attribute -> plain Python value (str, int, float) where it is a scalar."""
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, np.generic):
        return value.item()
    return value


def read_snapshot(path):
    """All datasets of a snapshot as arrays (f of shape (nv, nx) with f[j, i] at (v[j], x[i]);
    rho, u, s, w, avg_u, x of shape (nx,); v of shape (nv,)), plus "attrs": the attributes
    (time, step and every run parameter) as plain Python values."""
    with h5py.File(path, "r") as h:
        data = {name: h[name][()] for name in h if isinstance(h[name], h5py.Dataset)}
        data["attrs"] = {key: _python_value(val) for key, val in h.attrs.items()}
    return data


def read_attributes(path):
    """Only the attributes of a snapshot (cheap: no dataset is read)."""
    with h5py.File(path, "r") as h:
        return {key: _python_value(val) for key, val in h.attrs.items()}


def snapshot_times(run):
    """[(time, path)] of the snapshots of a run directory."""
    return [(float(read_attributes(p)["time"]), p) for p in list_snapshots(run)]


def nearest_snapshots(run, times=None):
    """For each requested time the snapshot whose time is nearest (the first and the last snapshot
    when times is None or empty). Returns a list of paths, one per requested time."""
    snaps = snapshot_times(run)
    if not snaps:
        raise FileNotFoundError(f"no snapshots snap_*.h5 in {run}")
    if not times:
        return [snaps[0][1], snaps[-1][1]] if len(snaps) > 1 else [snaps[0][1]]
    return [min(snaps, key=lambda s: abs(s[0] - t))[1] for t in times]


def read_parameter(run, name):
    """The run parameter `name` (e.g. "sigma", "lambda", "nx") of a run directory, from the
    attributes of its first snapshot."""
    snaps = list_snapshots(run)
    if not snaps:
        raise FileNotFoundError(f"no snapshots snap_*.h5 in {run} to read the parameter {name!r} from")
    attrs = read_attributes(snaps[0])
    if name not in attrs:
        raise KeyError(f"{snaps[0]} has no attribute {name!r}; it has: {', '.join(sorted(attrs))}")
    return attrs[name]
