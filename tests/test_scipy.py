"""asd derivatives plugged into scipy.optimize and scipy.integrate, exact answers checked."""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.integrate import solve_ivp
from scipy.optimize import (
    NonlinearConstraint,
    least_squares,
    minimize,
    root,
)

import asd


def broyden_tridiagonal(x):
    """A classic sparse nonlinear system with a known solution close to -0.5..-0.7."""
    xp = np.concatenate([x[1:], [0.0]])
    xm = np.concatenate([[0.0], x[:-1]])
    return (3 - 2 * x) * x - xm - 2 * xp + 1


@pytest.mark.parametrize("method", ["hybr", "lm"])
def test_root(method):
    n = 50
    J = asd.jacobian(broyden_tridiagonal, format="dense")
    options = {"xtol": 1e-13} if method == "hybr" else {"xtol": 1e-13, "ftol": 1e-13}
    sol = root(broyden_tridiagonal, -np.ones(n), jac=J, method=method, options=options)
    assert sol.success
    assert np.abs(broyden_tridiagonal(sol.x)).max() < 1e-9
    assert J.nnz == 3 * n - 2


def test_least_squares_sparse_trf_lsmr():
    # fit y = a * exp(b * t) + c per group: residuals are block sparse in the parameters
    rng = np.random.default_rng(0)
    groups, per = 40, 6
    t = np.tile(np.linspace(0, 1, per), groups)
    truth = np.column_stack([1 + rng.random(groups), -1 - rng.random(groups), rng.random(groups)])
    g = np.repeat(np.arange(groups), per)

    def model(p):
        P = p.reshape(groups, 3)
        return P[g, 0] * np.exp(P[g, 1] * t) + P[g, 2]

    y = model(truth.ravel())

    def residuals(p):
        return model(p) - y

    J = asd.jacobian(residuals, format="csr")  # "auto" would give dense at 240 x 120
    res = least_squares(
        residuals,
        np.tile([1.0, -1.0, 0.5], groups),
        jac=J,
        method="trf",
        tr_solver="lsmr",
        xtol=1e-14,
        ftol=1e-14,
        gtol=1e-14,
    )
    assert sp.issparse(J(res.x))
    assert np.abs(res.fun).max() < 1e-8
    assert np.allclose(res.x, truth.ravel(), atol=1e-6)


def chained_rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def test_newton_cg_with_sparse_hessian():
    n = 200
    x0 = np.full(n, -1.0)
    x0[::2] = 1.2
    res = minimize(
        chained_rosenbrock,
        x0,
        jac=asd.gradient(chained_rosenbrock),
        hess=asd.hessian(chained_rosenbrock),
        method="Newton-CG",
        options={"xtol": 1e-12, "maxiter": 2000},
    )
    assert res.success
    assert np.allclose(res.x, 1.0, atol=1e-6)


def test_trust_constr_with_constraint_jacobian_and_hessian():
    # min Σ x² s.t. Σ x_i x_{i+1} = 1 (sparse constraint), x ≥ 0.1
    n = 20

    def f(x):
        return np.sum(x**2)

    def g(x):
        return np.atleast_1d(np.sum(x[:-1] * x[1:])) - 1.0

    con = NonlinearConstraint(
        g,
        0.0,
        0.0,
        jac=asd.jacobian(g),
        hess=asd.hessian(g, weighted=True),
    )
    res = minimize(
        f,
        np.full(n, 0.5),
        jac=asd.gradient(f),
        hess=asd.hessian(f),
        constraints=[con],
        bounds=[(0.1, None)] * n,
        method="trust-constr",
        options={"gtol": 1e-10, "xtol": 1e-12, "maxiter": 2000},
    )
    assert res.status in (1, 2)
    assert abs(g(res.x)[0]) < 1e-8
    # an independent solve (SLSQP, finite differences) finds the same optimum
    ref = minimize(
        f,
        np.full(n, 0.5),
        constraints=[{"type": "eq", "fun": g}],
        bounds=[(0.1, None)] * n,
        method="SLSQP",
        options={"ftol": 1e-12, "maxiter": 500},
    )
    assert ref.success
    assert res.fun == pytest.approx(ref.fun, rel=1e-6)
    assert np.allclose(res.x, ref.x, atol=1e-4)


@pytest.mark.parametrize("method", ["BDF", "Radau"])
def test_solve_ivp_with_sparse_jacobian(method):
    # linear diffusion with decay: exact solution through the matrix exponential
    n = 30
    L = sp.diags_array([np.ones(n - 1), -2 * np.ones(n), np.ones(n - 1)], offsets=[-1, 0, 1])
    A = (50.0 * L - 0.5 * sp.eye_array(n)).tocsr()

    def rhs(t, y):
        return A @ y

    J = asd.jacobian(lambda y: A @ y)
    y0 = np.sin(np.linspace(0, np.pi, n))
    sol = solve_ivp(rhs, (0, 0.1), y0, method=method, jac=lambda t, y: J(y), rtol=1e-8, atol=1e-10)
    from scipy.linalg import expm

    exact = expm(0.1 * A.toarray()) @ y0
    assert sol.success
    assert np.allclose(sol.y[:, -1], exact, atol=1e-6)
    assert np.allclose(np.asarray(J(y0)), A.toarray())
