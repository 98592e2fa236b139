"""vfpapost: post-processing of vfpa runs (readers, exponential-rate fits, the discrete global
Maxwellian, figures). The command-line tool is `postprocess/vfpa-post`; the library functions are
re-exported here for the verification report:

    from vfpapost import read_diagnostics, fit_rate, convergence_plot
"""
from .readers import (list_snapshots, nearest_snapshots, read_diagnostics, read_parameter,
                      read_snapshot)
from .fit import auto_window, fit_exponential, fit_rate, observed_orders, slope_through_origin
from .maxwellian import discrete_maxwellian, l1_distance, maxwellian_of, relative_entropy


def __getattr__(name):
    """The plotting helpers import matplotlib, so load them only when asked for."""
    if name in ("xy_plot", "convergence_plot", "image_plot", "save_figure"):
        from . import plots
        return getattr(plots, name)
    raise AttributeError(f"module 'vfpapost' has no attribute {name!r}")


__all__ = ["read_diagnostics", "list_snapshots", "nearest_snapshots", "read_snapshot",
           "read_parameter", "auto_window", "fit_exponential", "fit_rate", "observed_orders",
           "slope_through_origin", "discrete_maxwellian", "maxwellian_of", "l1_distance",
           "relative_entropy", "xy_plot", "convergence_plot", "image_plot", "save_figure"]
