"""Stiff integration of the 2-D Brusselator with asd Jacobians (solvers.stiff_ode)."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.integrate import solve_ivp

from cases.brusselator import Brusselator2D
from solvers.stiff_ode import (
    BDF2,
    AsdDerivatives,
    DirectNewtonSolver,
    KrylovNewtonSolver,
    SolverStats,
    integrate,
    solve_with_scipy,
)

ROOT = Path(__file__).resolve().parents[1]


def _random_state(b, rng):
    """A state well away from the initial one, with both signs and O(1..10) values."""
    return rng.uniform(-2.0, 6.0, b.n)


def _rel_max_diff(A, B) -> float:
    D = sp.csr_array(A) - sp.csr_array(B)
    scale = abs(sp.csr_array(B)).max()
    return (abs(D).max() if D.nnz else 0.0) / scale


@pytest.mark.parametrize("N", [3, 8, 32])
def test_asd_jacobian_equals_analytic(N):
    b = Brusselator2D(N)
    rng = np.random.default_rng(N)
    d = AsdDerivatives(b.f, b.initial_state())
    for _ in range(3):
        y = _random_state(b, rng)
        A = d.matrix(y)
        for t in (0.0, 2.0):  # the forcing is additive: J does not depend on t
            assert _rel_max_diff(A, b.jacobian(t, y)) <= 1e-12
    assert (d.pattern != sp.csr_array(b.jacobian_sparsity(), dtype=bool)).nnz == 0


def test_asd_jacobian_equals_analytic_large():
    b = Brusselator2D(192)
    y = _random_state(b, np.random.default_rng(192))
    d = AsdDerivatives(b.f, b.initial_state())
    assert d.jac.nnz == 12 * 192 * 192
    assert _rel_max_diff(d.matrix(y), b.jacobian(0.0, y)) <= 1e-12


def test_jvp_matches_matrix():
    b = Brusselator2D(8)
    rng = np.random.default_rng(1)
    d = AsdDerivatives(b.f, b.initial_state())
    y, v = _random_state(b, rng), rng.standard_normal(b.n)
    np.testing.assert_allclose(d.jvp(y, v), d.matrix(y) @ v, rtol=1e-13, atol=1e-9)


def test_scipy_bdf_asd_equals_analytic_and_beats_fd():
    b = Brusselator2D(8)
    y0, span = b.initial_state(), (0.0, 0.5)
    d = AsdDerivatives(b.f, y0)
    tol = {"rtol": 1e-6, "atol": 1e-8}
    asd_run = solve_with_scipy(b.rhs, span, y0, jac=d.matrix, **tol)
    exact = solve_with_scipy(b.rhs, span, y0, jac=lambda y: b.jacobian(0.0, y), **tol)
    fd = solve_with_scipy(b.rhs, span, y0, jac_sparsity=b.jacobian_sparsity(), **tol)
    assert asd_run.success and exact.success and fd.success
    scale = np.abs(exact.y).max()
    assert np.abs(asd_run.y - exact.y).max() <= 10 * tol["rtol"] * scale
    assert asd_run.stats.steps <= fd.stats.steps
    # and all of them near a tight reference
    ref = solve_ivp(b.rhs, span, y0, method="Radau", rtol=1e-11, atol=1e-13).y[:, -1]
    assert np.abs(asd_run.y - ref).max() <= 100 * tol["rtol"] * scale


@pytest.mark.parametrize("method", ["newton", "gmres"])
def test_bdf2_agrees_with_solve_ivp(method):
    b = Brusselator2D(6)
    y0, span = b.initial_state(), (0.0, 0.3)
    ref = solve_ivp(b.rhs, span, y0, method="Radau", rtol=1e-11, atol=1e-13).y[:, -1]
    res, _, _ = integrate(b.rhs, b.f, span, y0, method=method, rtol=1e-7, atol=1e-9)
    assert res.success and res.t == pytest.approx(0.3, abs=0)
    err = np.abs(res.y - ref).max() / np.abs(ref).max()
    assert err <= 1e-5
    s = res.stats
    assert s.steps > 0 and s.newton_iters >= s.steps and s.jac_evals >= 1
    assert s.factorizations < s.steps  # the Newton matrix is reused, not refactorised per step
    if method == "gmres":
        assert s.jvps > 0 and s.krylov_iters > 0
    else:
        assert s.jvps == 0


def test_bdf2_crosses_breakpoint_like_solve_ivp():
    b = Brusselator2D(5)
    y0, span = b.initial_state(), (1.0, 1.3)
    # start after the initial transient, from the state solve_ivp reaches at t = 1
    y1 = solve_ivp(b.rhs, (0.0, 1.0), y0, method="BDF", rtol=1e-10, atol=1e-12).y[:, -1]
    pieces = [(1.0, 1.1), (1.1, 1.3)]
    y = y1
    for a, c in pieces:
        y = solve_ivp(b.rhs, (a, c), y, method="Radau", rtol=1e-11, atol=1e-13).y[:, -1]
    res, _, _ = integrate(
        b.rhs, b.f, span, y1, method="newton", rtol=1e-7, atol=1e-9, breakpoints=[1.1]
    )
    assert np.abs(res.y - y).max() / np.abs(y).max() <= 1e-5


def _linear_problem():
    """y' = Λ(y - cos t) - sin t with stiff Λ: exact solution y = cos t for y(0) = 1."""
    lam = np.array([-1.0, -100.0, -1e4])

    def f(y):
        return lam * y

    def rhs(t, y):
        return lam * (y - np.cos(t)) - np.sin(t)

    return f, rhs


def test_bdf2_error_control_on_stiff_linear_problem():
    # error-per-step control: each step adds at most ~rtol·|y|, so the global error is
    # bounded by about rtol times the step count, and it must shrink with rtol
    f, rhs = _linear_problem()
    errs = []
    for rtol in (1e-4, 1e-7):
        stats = SolverStats()
        d = AsdDerivatives(f, np.ones(3))
        res = BDF2(rhs, DirectNewtonSolver(d, stats), rtol=rtol, atol=rtol).integrate(
            (0.0, 2.0), np.ones(3)
        )
        err = np.abs(res.y - np.cos(2.0)).max()
        assert err <= rtol * res.stats.steps
        assert res.stats.rejected < res.stats.steps / 4
        assert res.stats.factorizations < res.stats.steps  # reused across steps
        errs.append(err)
    assert errs[1] <= errs[0] / 30


def test_krylov_solver_solves_newton_system():
    b = Brusselator2D(6)
    rng = np.random.default_rng(3)
    d = AsdDerivatives(b.f, b.initial_state())
    y = _random_state(b, rng)
    stats = SolverStats()
    solver = KrylovNewtonSolver(d, stats, rtol=1e-10)
    solver.evaluate_jacobian(b.initial_state())  # stale preconditioner on purpose
    solver.factorize(1e-3)
    r = rng.standard_normal(b.n)
    x = solver.solve(r, y, 1.2e-3)
    W = sp.eye_array(b.n) - 1.2e-3 * b.jacobian(0.0, y)
    assert np.linalg.norm(W @ x - r) <= 1e-8 * np.linalg.norm(r)
    assert stats.jvps > 0


def test_stats_timers_are_exclusive():
    s = SolverStats()
    with s.timer("solve"):
        with s.timer("jvp"):
            sum(range(10000))
    assert s.times["jvp"] > 0 and s.times["solve"] >= 0
    s.wall = s.times["jvp"] + s.times["solve"]
    assert s.other == pytest.approx(0.0, abs=1e-12)


def _cli(*args):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (env.get("PYTHONPATH", ""), str(ROOT), str(ROOT / "src")) if p
    )
    return subprocess.run(
        [sys.executable, "-m", "solvers.stiff_ode", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("method", ["newton", "gmres", "bdf", "radau"])
def test_cli_runs(method):
    out = _cli("--n", "4", "--t-end", "0.05", "--method", method, "--rtol", "1e-5")
    assert out.returncode == 0, out.stderr
    assert "Jacobian evaluations" in out.stdout
    assert "final t 0.05" in out.stdout
    norm = float(out.stdout.rsplit("=", 1)[1])
    assert np.isfinite(norm) and norm > 0


def test_cli_rejects_bad_arguments():
    out = _cli("--n", "2")
    assert out.returncode == 2
    assert "--n must be at least 3" in out.stderr
