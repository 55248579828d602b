"""asd.NLP: Ipopt through NLP.solve, cyipopt directly, Pyomo's CyIpoptNLP and trust-constr."""

import numpy as np
import pytest

import asd

HS071_X = np.array([1.0, 4.74299963, 3.82114998, 1.37940829])
HS071_F = 17.014017145179164


def hs071_objective(x):
    return x[0] * x[3] * np.sum(x[:3]) + x[2]


def hs071_constraints(x):
    return np.array([np.prod(x), np.dot(x, x)])


def hs071() -> asd.NLP:
    return asd.NLP(
        hs071_objective,
        [1.0, 5.0, 5.0, 1.0],
        lb=1.0,
        ub=5.0,
        constraints=hs071_constraints,
        cl=[25.0, 40.0],
        cu=[np.inf, 40.0],
    )


def test_hs071_structures_and_values():
    nlp = hs071()
    assert (nlp.n, nlp.m) == (4, 2)
    assert nlp.nnz_jacobian() == 8
    assert nlp.nnz_hessian_lag() == 10  # dense 4x4, lower triangle
    rows, cols = nlp.hessianstructure()
    assert (rows >= cols).all()
    x = np.array([1.3, 4.2, 3.1, 1.7])
    lam = np.array([0.7, -0.3])
    H = nlp.hessian_matrix(x, lam, 2.0).toarray()
    ref = _fd_lagrangian_hessian(x, lam, 2.0)
    assert np.allclose(H, ref, atol=1e-5)
    J = nlp.jacobian_matrix(x).toarray()
    assert np.allclose(J, [np.prod(x) / x, 2 * x])


def _fd_lagrangian_hessian(x, lam, sigma, h=1e-4):
    def L(z):
        return sigma * hs071_objective(z) + lam @ hs071_constraints(z)

    n = x.size
    H = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            ei, ej = np.eye(n)[i] * h, np.eye(n)[j] * h
            H[i, j] = (L(x + ei + ej) - L(x + ei - ej) - L(x - ei + ej) + L(x - ei - ej)) / (
                4 * h * h
            )
    return H


def test_hs071_nlp_solve():
    res = hs071().solve({"tol": 1e-10})
    assert res.success, res.message
    assert res.fun == pytest.approx(HS071_F, rel=1e-8)
    assert np.allclose(res.x, HS071_X, atol=1e-6)
    assert res.mult_g.shape == (2,)
    assert res.nit > 0
    assert set(res.timing) >= {"total", "callbacks", "ipopt"}


def test_hs071_cyipopt_directly():
    cyipopt = pytest.importorskip("cyipopt")
    nlp = hs071()
    problem = cyipopt.Problem(
        n=nlp.n, m=nlp.m, problem_obj=nlp, lb=nlp.lb, ub=nlp.ub, cl=nlp.cl, cu=nlp.cu
    )
    problem.add_option("print_level", 0)
    problem.add_option("tol", 1e-10)
    x, info = problem.solve(nlp.x0)
    assert info["status"] == 0
    assert info["obj_val"] == pytest.approx(HS071_F, rel=1e-8)


def test_hs071_pyomo_cyipopt_nlp():
    pytest.importorskip("pyomo")
    from pyomo.contrib.pynumero.algorithms.solvers.cyipopt_solver import CyIpoptSolver
    from pyomo.contrib.pynumero.interfaces.cyipopt_interface import CyIpoptNLP

    nlp = hs071()
    solver = CyIpoptSolver(CyIpoptNLP(nlp), options={"tol": 1e-10, "print_level": 0})
    x, info = solver.solve(tee=False)
    assert info["status"] == 0
    assert np.allclose(x, HS071_X, atol=1e-6)
    nlp.set_primals(x)
    assert nlp.evaluate_objective() == pytest.approx(HS071_F, rel=1e-8)


def test_hs071_trust_constr():
    res = hs071().minimize(method="trust-constr", gtol=1e-10, xtol=1e-12, maxiter=3000)
    assert res.fun == pytest.approx(HS071_F, rel=1e-6)


def chained_rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def _rosenbrock_x0(n):
    # from the classic (-1.2, 1, ...) start Ipopt may stop in the local minimum near
    # x0 = -1; this start leads to the global one, which the test checks
    return np.full(n, 0.5)


def test_chained_rosenbrock_ipopt_and_trust_constr():
    n = 1000
    nlp = asd.NLP(chained_rosenbrock, _rosenbrock_x0(n))
    assert nlp.hessian_ncolors == 3
    res = nlp.solve({"tol": 1e-10})
    assert res.success
    assert np.allclose(res.x, 1.0, atol=1e-6)
    tc = nlp.minimize(gtol=1e-9, xtol=1e-14, maxiter=5000)
    assert np.allclose(tc.x, 1.0, atol=1e-5)


class Boom(Exception):
    """Raised by the failing callbacks of test_ipopt_backends.py."""
