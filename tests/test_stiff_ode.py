"""Stiff integration of the 2-D Brusselator with asd Jacobians (solvers.stiff_ode)."""

import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as sla
from scipy.integrate import solve_ivp

from cases.brusselator import Brusselator2D
from solvers.stiff_ode import (
    BDF2,
    AsdDerivatives,
    DirectNewtonSolver,
    KrylovNewtonSolver,
    SolverStats,
    integrate,
    linear,
    solve_with_scipy,
)
from solvers.stiff_ode import __main__ as cli

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
    assert ("sparse LU ordering" in out.stdout) == (method in ("newton", "gmres"))
    assert "final t 0.05" in out.stdout
    norm = float(out.stdout.rsplit("=", 1)[1])
    assert np.isfinite(norm) and norm > 0


def test_cli_ordering_option():
    out = _cli("--n", "4", "--t-end", "0.05", "--ordering", "colamd")
    assert out.returncode == 0, out.stderr
    assert "sparse LU ordering: colamd" in out.stdout and "orderings 1," in out.stdout


def test_cli_rejects_bad_arguments():
    out = _cli("--n", "2")
    assert out.returncode == 2
    assert "--n must be at least 3" in out.stderr


ORDERINGS = ["metis", "mmd", "colamd", "pardiso", "auto"]


def _needs(ordering):
    """pymetis and MKL come with the test extras (MKL on x86-64 only, where its wheel
    exists): elsewhere the orderings that need them are not tested."""
    if ordering == "metis":
        pytest.importorskip("pymetis")
    if ordering == "pardiso" and platform.machine() not in ("x86_64", "AMD64"):
        pytest.skip("the mkl wheel exists for x86-64 only")


@pytest.mark.parametrize("ordering", ORDERINGS)
@pytest.mark.parametrize("N", [6, 12])
def test_direct_newton_solution_every_ordering(ordering, N):
    _needs(ordering)
    b = Brusselator2D(N)
    rng = np.random.default_rng(N)
    d = AsdDerivatives(b.f, b.initial_state())
    stats = SolverStats()
    solver = DirectNewtonSolver(d, stats, ordering=ordering)
    assert solver.ordering in ("metis", "mmd", "colamd", "pardiso")
    for c in (1e-3, 0.05):  # the larger c is far from diagonally dominant
        y = _random_state(b, rng)
        solver.evaluate_jacobian(y)
        solver.factorize(c)
        W = np.eye(b.n) - c * b.jacobian(0.0, y).toarray()
        r = rng.standard_normal(b.n)
        ref = np.linalg.solve(W, r)
        x = solver.solve(r, y, c)
        assert np.abs(x - ref).max() <= 1e-11 * np.abs(ref).max()
        R = rng.standard_normal((b.n, 3))  # a block of right-hand sides too
        X = solver.lu.solve(R)
        assert np.abs(X - np.linalg.solve(W, R)).max() <= 1e-11 * np.abs(X).max()
    assert solver.lu.nnz >= d.jac.nnz


@pytest.mark.parametrize("ordering", ["metis", "mmd", "colamd"])
def test_ordering_computed_once_per_pattern(ordering, monkeypatch):
    _needs(ordering)
    calls = {"metis": 0, "superlu": 0}
    metis, superlu = linear.metis_ordering, linear.superlu_ordering

    def counted_metis(*args):
        calls["metis"] += 1
        return metis(*args)

    def counted_superlu(*args):
        calls["superlu"] += 1
        return superlu(*args)

    monkeypatch.setattr(linear, "metis_ordering", counted_metis)
    monkeypatch.setattr(linear, "superlu_ordering", counted_superlu)
    b = Brusselator2D(8)
    rng = np.random.default_rng(5)
    d = AsdDerivatives(b.f, b.initial_state())
    stats = SolverStats()
    solver = DirectNewtonSolver(d, stats, ordering=ordering)
    for k in range(4):  # new Jacobians and new c: one ordering for all of them
        y = _random_state(b, rng)
        solver.evaluate_jacobian(y)
        c = 1e-3 * (k + 1)
        solver.factorize(c)
        r = rng.standard_normal(b.n)
        W = sp.eye_array(b.n) - c * b.jacobian(0.0, y)
        assert np.linalg.norm(W @ solver.solve(r, y, c) - r) <= 1e-12 * np.linalg.norm(r)
    assert stats.factorizations == 4
    assert stats.orderings == 1 and solver.factorizer.orderings == 1
    assert calls["metis" if ordering == "metis" else "superlu"] == 1
    assert stats.times["order"] > 0
    # a Jacobian with another pattern is ordered anew
    lu = linear.NewtonMatrixLU(ordering)
    J1 = sp.csr_array(b.jacobian(0.0, b.initial_state()))
    J2 = sp.csr_array(sp.diags_array(-np.arange(1.0, b.n + 1.0)))
    for J in (J1, J1, J2, J2):
        fac = lu.factorize(J, 0.01)
        r = rng.standard_normal(b.n)
        W = sp.eye_array(b.n) - 0.01 * J
        assert np.linalg.norm(W @ fac.solve(r) - r) <= 1e-12 * np.linalg.norm(r)
    assert lu.orderings == 2


@pytest.mark.parametrize("spec", ["MMD_AT_PLUS_A", "COLAMD"])
def test_superlu_ordering_is_superlus_own(spec):
    b = Brusselator2D(12)
    d = AsdDerivatives(b.f, b.initial_state())
    W = sp.csr_array(sp.eye_array(b.n) - 1e-3 * d.matrix(b.initial_state()))
    rows, cols = linear._coo_pattern(W.indptr, W.indices, b.n)
    perm = linear.superlu_ordering(rows, cols, b.n, spec)
    assert np.array_equal(perm, np.argsort(sla.splu(W.tocsc(), permc_spec=spec).perm_c))


def test_metis_ordering_keeps_full_diagonal_blocks_together():
    pytest.importorskip("pymetis")
    b = Brusselator2D(12)  # u, v interleaved per grid point: full 2x2 diagonal blocks
    J = sp.csr_array(b.jacobian(0.0, b.initial_state()))
    rows, cols = linear._coo_pattern(J.indptr, J.indices, b.n)
    assert linear.diagonal_block_size(rows, cols, b.n) == 2
    perm = linear.metis_ordering(rows, cols, b.n)
    assert np.array_equal(np.sort(perm), np.arange(b.n))
    assert np.all(perm[0::2] % 2 == 0) and np.array_equal(perm[1::2], perm[0::2] + 1)
    diag = np.arange(5)
    assert linear.diagonal_block_size(diag, diag, 5) == 1
    assert np.array_equal(linear.metis_ordering(diag, diag, 5), diag)  # nothing to order


def test_missing_pymetis_is_a_clear_error(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "pymetis", None)  # import pymetis now fails
    b = Brusselator2D(4)
    d = AsdDerivatives(b.f, b.initial_state())
    with pytest.raises(ImportError, match=r"pip install 'asd\[ode\]'") as info:
        DirectNewtonSolver(d, SolverStats(), ordering="metis")
    assert "pymetis" in str(info.value)
    assert DirectNewtonSolver(d, SolverStats()).ordering == "mmd"  # auto falls back
    assert linear.installed_orderings()[:2] == ["mmd", "colamd"]
    with pytest.raises(ImportError, match="pymetis"):
        integrate(b.rhs, b.f, (0.0, 0.01), b.initial_state(), ordering="metis")
    status = cli.main(["--n", "4", "--t-end", "0.01", "--ordering", "metis"])
    err = capsys.readouterr().err
    assert status == 2
    assert len(err.strip().splitlines()) == 1 and "asd[ode]" in err


def test_unknown_ordering_is_rejected():
    b = Brusselator2D(4)
    d = AsdDerivatives(b.f, b.initial_state())
    for make in (
        lambda: DirectNewtonSolver(d, SolverStats(), ordering="amd"),
        lambda: KrylovNewtonSolver(d, SolverStats(), preconditioner="ilu", ordering="amd"),
    ):
        with pytest.raises(ValueError, match="ordering must be one of"):
            make()
    out = _cli("--n", "4", "--ordering", "amd")
    assert out.returncode == 2
    assert "invalid choice: 'amd'" in out.stderr


@pytest.mark.parametrize("method", ["newton", "gmres"])
def test_integration_same_with_every_ordering(method):
    b = Brusselator2D(6)
    y0, span = b.initial_state(), (0.0, 0.2)
    finals = []
    for ordering in ("metis", "mmd", "colamd", "pardiso"):
        _needs(ordering)
        res, _, _ = integrate(
            b.rhs, b.f, span, y0, method=method, rtol=1e-7, atol=1e-9, ordering=ordering
        )
        assert res.success and res.stats.orderings == 1
        assert res.stats.factorizations > 1
        finals.append(res.y)
    for y in finals[1:]:
        assert np.abs(y - finals[0]).max() <= 1e-9 * np.abs(finals[0]).max()


def test_pardiso_analyses_once_refuses_stale_factors_and_falls_back(monkeypatch):
    """PARDISO's symbolic analysis runs once per pattern; a factorisation replaced by a
    newer one refuses to solve; one with perturbed pivots is done by SuperLU instead."""
    _needs("pardiso")
    from solvers.stiff_ode import pardiso

    calls = []
    real_call = pardiso.Pardiso._call

    def counted(self, phase, *args):
        calls.append(phase)
        return real_call(self, phase, *args)

    monkeypatch.setattr(pardiso.Pardiso, "_call", counted)
    b = Brusselator2D(6)
    rng = np.random.default_rng(3)
    lu = linear.NewtonMatrixLU("pardiso")
    factors = []
    for c in (1e-3, 0.05, 0.2):
        J = b.jacobian(0.0, _random_state(b, rng))
        F = lu.factorize(J, c)
        W = np.eye(b.n) - c * J.toarray()
        r = rng.standard_normal(b.n)
        np.testing.assert_allclose(F.solve(r), np.linalg.solve(W, r), rtol=1e-10, atol=1e-12)
        factors.append(F)
    assert calls.count(11) == 1 and calls.count(22) == 3 and lu.orderings == 1
    with pytest.raises(pardiso.PardisoError, match="replaced by a newer one"):
        factors[0].solve(r)
    monkeypatch.setattr(pardiso.Pardiso, "factorize", lambda self, data: (2, 0))
    F = lu.factorize(J, c)
    assert lu.pardiso_fallbacks == 1 and not isinstance(F, linear._PardisoLU)
    np.testing.assert_allclose(F.solve(r), np.linalg.solve(W, r), rtol=1e-10, atol=1e-12)


def test_missing_mkl_is_a_clear_error(monkeypatch, capsys):
    from solvers.stiff_ode import pardiso

    monkeypatch.setattr(pardiso, "_library_paths", lambda: [])
    monkeypatch.setattr(pardiso, "_LIB", None)
    b = Brusselator2D(4)
    d = AsdDerivatives(b.f, b.initial_state())
    with pytest.raises(ImportError, match=r"pip install 'asd\[pardiso\]'"):
        DirectNewtonSolver(d, SolverStats(), ordering="pardiso")
    assert "pardiso" not in linear.installed_orderings()
    status = cli.main(["--n", "4", "--t-end", "0.01", "--ordering", "pardiso"])
    err = capsys.readouterr().err
    assert status == 2
    assert len(err.strip().splitlines()) == 1 and "asd[pardiso]" in err
