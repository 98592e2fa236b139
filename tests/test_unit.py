"""The C unit tests (tests/unit/*.c), each on several process layouts, including a velocity split."""
import vfpatest
from vfpatest import ROOT, check, mpi, test

LAYOUTS = [(1, []), (2, []), (2, ["-da_processors_y", "2"]), (4, ["-da_processors_x", "2", "-da_processors_y", "2"])]


def unit(name):
    for np_, args in LAYOUTS:
        proc = mpi(np_, ROOT / "build" / "tests" / name, *args)
        check(proc.returncode == 0, f"{name} on {np_} ranks {' '.join(args)}:\n{proc.stdout[-3000:]}{proc.stderr[-2000:]}")


@test
def halo_exchange_matches_petsc():
    """The halo exchange (f read in place, the ghosts moved) equals DMGlobalToLocal, and the moments summed during it the sums over that vector."""
    unit("test_grid")


@test
def kernel_modes_match_quadrature():
    """Cosine-mode and quadrature averages agree to 1e-13, FFT averages equal the direct quadrature sum to 1e-13, kernel tables are symmetric."""
    unit("test_kernel")


@test
def fokkerplanck_exact_properties():
    """Bernoulli identities, exact Maxwellian, exact momentum exchange per cell, Jacobian, column solver."""
    unit("test_fokkerplanck")


@test
def gmres_solves_profile_systems():
    """The momentum system's GMRES: a known solution to 1e-12 on x split over ranks, b = 0, the iteration limit, a singular operator."""
    unit("test_gmres")


@test
def stage_preconditioner_balances_momentum():
    """IMEX stage preconditioner: round-off momentum per column after every Newton step, fast Newton, and
    the exact stage Jacobian inverted to 1e-4 where the column masses differ from the stage data's."""
    unit("test_stagepc")


assert vfpatest  # the module is imported for its registry
