"""The fast subset of the verification studies (tests/verify/studies.py, `make verify`): observed
orders (first order at least 0.9, second order at least 1.8) and linear rates within 1%."""
import sys
from pathlib import Path

from vfpatest import WORK, check, test

sys.path.insert(0, str(Path(__file__).resolve().parent / "verify"))
import studies  # noqa: E402


def assert_study(fn):
    figures = WORK / "verify_figures"
    figures.mkdir(exist_ok=True)
    study = fn(studies.Runner(WORK / "verify"), figures, fast=True)
    failed = [f"{what}: {measured} (required {required})" for what, measured, required, ok in study.checks if not ok]
    check(study.checks and not failed, f"{study.title}: " + "; ".join(failed))


@test
def order_in_x_first_and_second_order():
    assert_study(studies.study_x_order)


@test
def order_in_v_and_time_integrators():
    assert_study(studies.study_v_and_t_order)


@test
def manufactured_solution_orders():
    assert_study(studies.study_mms)


@test
def linear_rates_both_branches():
    assert_study(studies.study_linear_rates)
