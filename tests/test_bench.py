"""The benchmark program of make bench (tests/bench/bench.c): each subcommand runs and prints the
one line that tests/bench/bench.py reads, with the right counts. Timings are not checked here
(they belong to make bench, never to a test)."""
from vfpatest import ROOT, check, mpi, test

BENCH = ROOT / "build" / "bench" / "bench"
RELAX = ROOT / "input" / "relax1d.opts"


def bench_line(np_, *args):
    """The output line of one bench run, split into words; the run must succeed."""
    proc = mpi(np_, BENCH, *args, timeout=300)
    check(proc.returncode == 0, f"bench {' '.join(map(str, args))} on {np_} ranks failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    lines = proc.stdout.strip().splitlines()
    check(len(lines) == 1, f"bench {' '.join(map(str, args))} printed {len(lines)} lines, not 1:\n{proc.stdout[-1000:]}")
    return lines[0].split()


@test
def bench_stream_copies_and_triads():
    # 10 rounds of c = a, a = b + 3 c from a = 1, b = 2: a = 2 + 3 a each round, 118097 after 10
    for np_ in (1, 2):
        words = bench_line(np_, "stream", 100000)
        check(words[0] == "stream" and float(words[1]) > 0 and float(words[2]) > 0, f"stream line on {np_} ranks: {words}")
        check(float(words[-1].rstrip(")")) == 118097, f"stream on {np_} ranks: the arrays hold {words[-1]}, not 118097 after 10 rounds")


@test
def bench_rhs_reports_cells_and_drift_sums():
    # nv = 64 keeps the passes over f for the drift; nv = 512 takes its moment expansion, with 8 sums
    # beyond rho and rho u at vmax = 8 (tests/bench/RESULTS.md, section 2, 1024 x 512)
    for np_, nx, nv, sums in ((1, 64, 64, 0), (1, 64, 512, 8), (2, 64, 512, 8)):
        words = bench_line(np_, "rhs", "-options_file", RELAX, "-nx", nx, "-nv", nv, "-reps", 2)
        check(words[0] == "rhs" and float(words[1]) > 0, f"rhs line at {nx} x {nv} on {np_} ranks: {words}")
        check(int(words[2]) == nx * nv // np_, f"rhs at {nx} x {nv} on {np_} ranks: {words[2]} cells per rank, not {nx * nv // np_}")
        check(int(words[3]) == sums, f"rhs at {nx} x {nv}: {words[3]} drift sums, not {sums}")


@test
def bench_average_runs_both_methods():
    for method in ("modes", "quadrature"):
        words = bench_line(1, "average", 256, method)
        check(words[0] == "average" and float(words[1]) > 0, f"average line ({method}): {words}")
