"""Runtime parameters: the float arguments besides x are traced once and evaluated at
each call's values; argnums picks the differentiated argument (JAX's convention)."""

from __future__ import annotations

import pickle
from collections import namedtuple

import numpy as np
import pytest
from scipy.integrate import solve_ivp

import asd


def f(x, p):
    return p[0] * x[1:] ** 2 - np.sin(x[:-1]) * p[1] + p[2]


def jac_f(x, p):
    n = x.size
    J = np.zeros((n - 1, n))
    J[np.arange(n - 1), np.arange(1, n)] = 2 * p[0] * x[1:]
    J[np.arange(n - 1), np.arange(n - 1)] = -np.cos(x[:-1]) * p[1]
    return J


X = np.linspace(-1.0, 1.5, 6)
P1 = np.array([1.0, 2.0, 0.5])
P2 = np.array([-3.0, 0.25, 7.0])


@pytest.mark.parametrize("mode", ["direct", "forward", "reverse"])
def test_jacobian_at_new_parameters(mode):
    J = asd.jacobian(f, mode=mode, format="csr")
    np.testing.assert_allclose(J(X, P1).toarray(), jac_f(X, P1), rtol=1e-14)
    np.testing.assert_allclose(J(X, P2).toarray(), jac_f(X, P2), rtol=1e-14)
    np.testing.assert_allclose(J(X, P1).toarray(), jac_f(X, P1), rtol=1e-14)


def test_x_alone_uses_the_construction_arguments():
    J = asd.jacobian(f, args=(P2,), format="csr")
    np.testing.assert_allclose(J(X).toarray(), jac_f(X, P2), rtol=1e-14)
    np.testing.assert_allclose(J(X, P1).toarray(), jac_f(X, P1), rtol=1e-14)


def test_global_pattern_holds_for_every_parameter_value():
    """A parameter that is zero when traced must not drop a dependency."""

    def g(x, p):
        return p * x + p[::-1] * x[0] ** 2

    J = asd.jacobian(g, X[:3], args=(np.zeros(3),), format="csr")
    P = np.array([1.0, 2.0, 3.0])
    dense = np.diag(P) + np.outer(P[::-1] * 2 * X[0], [1, 0, 0])
    np.testing.assert_allclose(J(X[:3], P).toarray(), dense, rtol=1e-14)
    assert asd.jacobian_sparsity(g, X[:3], args=(np.zeros(3),)).nnz == 5


def test_local_pattern_checks_the_parameters():
    def g(x, p):
        return p * x

    J = asd.jacobian(g, sparsity="local", args=(np.array([0.0, 1.0, 1.0]),), format="csr")
    J(X[:3])
    assert J.nnz == 2
    with pytest.raises(asd.BranchChangedError):
        J(X[:3], np.ones(3))


def t_dependent_rhs(t, y):
    """A stiff right-hand side whose Jacobian depends on t."""
    return np.concatenate([[-50.0 * (1 + t**2) * y[0] + y[1]], -3.0 * t * y[1:] ** 3 + y[:-1]])


def t_dependent_jac(t, y):
    n = y.size
    J = np.zeros((n, n))
    J[0, 0] = -50.0 * (1 + t**2)
    J[0, 1] = 1.0
    for i in range(1, n):
        J[i, i] = -9.0 * t * y[i] ** 2
        J[i, i - 1] = 1.0
    return J


@pytest.mark.parametrize("method", ["BDF", "Radau"])
def test_solve_ivp_with_a_time_dependent_jacobian(method):
    y0 = np.linspace(1.0, 0.5, 5)
    J = asd.jacobian(t_dependent_rhs, argnums=1, format="dense")
    for t in (0.0, 0.7, 2.0):
        np.testing.assert_allclose(J(t, y0), t_dependent_jac(t, y0), rtol=1e-14)
    kw = dict(method=method, rtol=1e-8, atol=1e-10)
    ours = solve_ivp(t_dependent_rhs, (0, 2), y0, jac=J, **kw)
    hand = solve_ivp(t_dependent_rhs, (0, 2), y0, jac=t_dependent_jac, **kw)
    assert ours.success and hand.success
    assert ours.nfev == hand.nfev and ours.njev == hand.njev
    np.testing.assert_allclose(ours.y[:, -1], hand.y[:, -1], rtol=1e-12)


def test_hessian_and_gradient_with_parameters():
    def obj(x, a, b):
        return a * np.sum(x**3) + np.sum(b * x[1:] * x[:-1])

    b1, b2 = np.ones(5), np.arange(5.0)
    H = asd.hessian(obj, format="csr")
    g = asd.gradient(obj)
    for a, b in ((2.0, b1), (-1.0, b2)):
        ref = np.diag(6 * a * X) + np.diag(b, 1) + np.diag(b, -1)
        np.testing.assert_allclose(H(X, a, b).toarray(), ref, rtol=1e-14)
        grad = 3 * a * X**2 + np.concatenate([b * X[1:], [0]]) + np.concatenate([[0], b * X[:-1]])
        np.testing.assert_allclose(g(X, a, b), grad, rtol=1e-14)


def test_weighted_hessian_with_parameters():
    H = asd.hessian(f, format="csr")
    v = np.linspace(1, 2, 5)
    for p in (P1, P2):
        ref = np.diag(np.concatenate([np.sin(X[:-1]) * p[1] * v, [0]]))
        ref += np.diag(np.concatenate([[0], 2 * p[0] * v]))
        np.testing.assert_allclose(H(X, v, p).toarray(), ref, rtol=1e-14)


def test_argnums_of_a_middle_argument():
    def h(a, x, c):
        return a * x**2 + c

    J = asd.jacobian(h, argnums=1, format="csr")
    np.testing.assert_allclose(J(3.0, X, 1.0).toarray(), np.diag(6 * X), rtol=1e-14)
    np.testing.assert_allclose(J(-1.0, X, 5.0).toarray(), np.diag(-2 * X), rtol=1e-14)


def test_parameter_containers_and_static_values():
    Params = namedtuple("Params", "scale offsets")

    def g(x, prm, options, n):
        y = prm.scale * x[:n] + options["shift"][0]
        return y * options["power"]

    prm = Params(2.0, None)
    opts = {"shift": [np.array([1.0])], "power": 3}
    J = asd.jacobian(g, format="csr")
    np.testing.assert_allclose(J(X, prm, opts, 4).toarray(), 6 * np.eye(4, 6), rtol=1e-14)
    prm2 = Params(-1.0, None)
    np.testing.assert_allclose(J(X, prm2, opts, 4).toarray(), -3 * np.eye(4, 6), rtol=1e-14)
    with pytest.raises(asd.InputError, match="static"):
        J(X, prm, opts, 3)  # an int is static: another value would change the tape
    with pytest.raises(asd.InputError, match="static"):
        J(X, prm, {"shift": [np.array([1.0])], "power": 2}, 4)
    with pytest.raises(asd.InputError, match="shape"):
        J(X, prm, {"shift": [np.array([1.0, 2.0])], "power": 3}, 4)


def test_branch_on_a_parameter():
    def g(x, t):
        return x * 2 if t > 1 else x * 3

    traced = asd.jacobian(g, format="csr")  # both sides traced, selected at each call
    np.testing.assert_allclose(traced(X, 2.0).toarray(), 2 * np.eye(6))
    before = asd.preparation_counts()["trace"]
    np.testing.assert_allclose(traced(X, 0.5).toarray(), 3 * np.eye(6))
    assert asd.preparation_counts()["trace"] == before  # no re-trace on the other side
    J = asd.jacobian(g, static_argnums=1, format="csr")
    np.testing.assert_allclose(J(X, 2.0).toarray(), 2 * np.eye(6))
    with pytest.raises(asd.InputError, match="static"):
        J(X, 0.5)


def test_tape_functions_take_the_arguments():
    tape = asd.trace(f, X, args=(P1,))
    assert tape.n_params == 3
    np.testing.assert_allclose(asd.evaluate(tape, X), f(X, P1), rtol=1e-15)
    np.testing.assert_allclose(asd.evaluate(tape, X, args=(P2,)), f(X, P2), rtol=1e-15)
    V = np.eye(6)
    np.testing.assert_allclose(asd.jvp(tape, X, V, args=(P2,))[1], jac_f(X, P2), rtol=1e-14)
    W = np.eye(5)
    np.testing.assert_allclose(asd.vjp(tape, X, W, args=(P2,))[1], jac_f(X, P2).T, rtol=1e-14)


def test_pickled_derivatives_keep_their_parameters():
    J = asd.jacobian(f, X, args=(P1,), format="csr")
    H = asd.hessian(f, X, args=(P1,), format="csr")
    J2, H2 = pickle.loads(pickle.dumps((J, H)))
    v = np.ones(5)
    assert np.array_equal(J2.values(X, P2), J.values(X, P2))
    assert np.array_equal(H2.values(X, v, P2), H.values(X, v, P2))
    assert np.array_equal(J2.values(X), J.values(X, P1))


def test_argument_errors():
    with pytest.raises(asd.InputError, match="argnums"):
        asd.jacobian(f, argnums=2, format="csr")(X, P1)
    with pytest.raises(asd.InputError, match="argnums"):
        asd.jacobian(f, X, argnums="1", format="csr")
    J = asd.jacobian(f, X, args=(P1,), format="csr")
    with pytest.raises(asd.InputError, match="argument"):
        J(X, P1, P1)
    with pytest.raises(asd.InputError, match="non-finite"):
        J(X, np.array([1.0, np.nan, 0.0]))


def test_nlp_with_parameters():
    """A parametric NLP solved at two load levels equals NLPs built at each level."""

    def objective(x, load):
        return np.sum((x - load) ** 2) + np.sum(x[1:] * x[:-1])

    def constraints(x, load):
        return x[1:] ** 2 + x[:-1] - load[1:]

    x0 = np.ones(4)
    nlp = asd.NLP(objective, x0, constraints=constraints, cl=-1.0, cu=5.0, args=(np.ones(4),))
    opts = {"print_level": 0, "tol": 1e-10}
    for load in (np.ones(4), np.array([2.0, 0.5, 1.0, 3.0])):
        ours = nlp.solve(opts, args=(load,))
        fresh = asd.NLP(objective, x0, constraints=constraints, cl=-1.0, cu=5.0, args=(load,))
        ref = fresh.solve(opts)
        assert ours.success and ref.success
        np.testing.assert_allclose(ours.x, ref.x, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(ours.fun, objective(ref.x, load), rtol=1e-9)
        lam = np.linspace(0.1, 1, nlp.m)
        xs = np.linspace(0.2, 1.3, 4)
        view = nlp.with_args(load)
        assert np.array_equal(view.hessian(xs, lam, 0.5), fresh.hessian(xs, lam, 0.5))
        assert np.array_equal(view.jacobian(xs), fresh.jacobian(xs))


def test_unflatten_inverts_flatten():
    Params = namedtuple("Params", "scale offsets")
    args = (Params(2.0, np.arange(3.0)), {"k": [np.ones((2, 2))], "n": 4})
    spec = asd.trace(lambda x, prm, opts: x * prm.scale, X, args=args).params
    flat = spec.flatten(args) * 3.0
    back = spec.unflatten(flat)
    assert back[0].scale == 6.0 and np.array_equal(back[0].offsets, 3 * np.arange(3.0))
    assert np.array_equal(back[1]["k"][0], 3 * np.ones((2, 2))) and back[1]["n"] == 4
    assert np.array_equal(spec.flatten(back), flat)
    with pytest.raises(asd.InputError, match="7 parameter values given, the function has 8"):
        spec.unflatten(np.zeros(7))
