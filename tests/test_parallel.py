"""The same run on 1, 2 and 4 ranks (4 as 2 x 2 in x and v) gives the same diagnostics.

With whole velocity columns per rank (1 and 2 x 1) the same IMEX stage preconditioner runs, stages stop
once their residual has dropped by 1e-5 (usually after one Newton step), and results agree to round-off.
With v split (2 x 2) PETSc's default preconditioner runs and stages are solved to round-off, so there the
diagnostics agree to the stage tolerance of the other layouts (about 1e-6 relative here)."""
import numpy as np

from vfpatest import check, test, vfpa

CASE = ["-nx", 32, "-nv", 32, "-vmax", 7, "-lambda", 2, "-w0", "profile", "-w0_amp", 0.2, "-init", "bimodal",
        "-init_density_amp", 0.4, "-init_velocity_amp", 0.3, "-ts_max_time", 0.4, "-output_interval", 0.2,
        "-diagnostics_interval", 0.02]
LAYOUTS = {"1": (1, []), "2x1": (2, []), "2x2": (4, ["-da_processors_x", 2, "-da_processors_y", 2])}


def compare(protocol, ts, split_tolerance=1e-12):
    runs = {name: vfpa(f"ranks_{protocol}_{name}_{len(ts)}", "-protocol", protocol, *CASE, *extra, *ts, np_=np_).csv()
            for name, (np_, extra) in LAYOUTS.items()}
    ref = runs["1"]
    for name, d in runs.items():
        check(len(d) == len(ref), f"{protocol}: {name} wrote {len(d)} rows, 1 rank wrote {len(ref)}")
        for column in ref.dtype.names:
            scale = np.abs(ref[column]).max()
            diff = np.abs(d[column] - ref[column]).max()
            tolerance = split_tolerance if name == "2x2" else 1e-12
            check(diff <= tolerance * scale, f"{protocol} {' '.join(ts)}: column {column} differs by {diff:.2e} (scale {scale:.2e}) on {name}")


@test
def same_diagnostics_on_1_2_4_ranks():
    for protocol in ["cucker_smale", "smodel", "segregation"]:
        compare(protocol, [])
    compare("smodel", ["-ts_type", "arkimex"], split_tolerance=1e-5)
    compare("smodel", ["-ts_type", "strang"], split_tolerance=1e-5)
