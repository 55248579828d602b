"""Python branches on traced values in global mode: every path traced and joined.

Checked against finite differences and hand-written derivatives on both sides of each
branch, and through the random-program generator's branch instructions
(``test_random_programs.py``)."""

import numpy as np
import pytest

import asd
from cases.corpus.mgh import helical_valley  # Moré, Garbow, Hillstrom (1981), problem 7

RNG = np.random.default_rng(7)


def fd_jacobian(f, x, h=1e-6):
    return np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(x.size)]).T


def helical_valley_jacobian(x):
    r2 = x[0] ** 2 + x[1] ** 2
    r = np.sqrt(r2)
    c = 100.0 / (2.0 * np.pi * r2)
    return np.array([[c * x[1], -c * x[0], 10.0], [10 * x[0] / r, 10 * x[1] / r, 0.0], [0, 0, 1.0]])


@pytest.mark.parametrize("x0", [[1.0, 0.5, 0.2], [-1.0, 0.5, 0.2]])
def test_helical_valley_both_sides_from_either_trace_point(x0):
    x0 = np.asarray(x0)
    J = asd.jacobian(helical_valley, format="dense")
    np.testing.assert_allclose(J(x0), helical_valley_jacobian(x0), rtol=1e-13)  # traced here
    for x in ([1.0, 0.5, 0.2], [-1.0, 0.5, 0.2], [0.3, -2.0, 1.0], [-0.2, -0.7, 3.0]):
        x = np.asarray(x)
        np.testing.assert_allclose(J(x), helical_valley_jacobian(x), rtol=1e-13, atol=1e-13)
        np.testing.assert_allclose(
            asd.evaluate(asd.trace(helical_valley, x0), x), helical_valley(x)
        )
    P = asd.jacobian_sparsity(helical_valley, x0).toarray()
    assert P.astype(int).tolist() == [[1, 1, 1], [1, 1, 0], [0, 0, 1]]


def piecewise(x):
    """Nested and sequential branches, ``and``, a branch on a reduction and a loop with a
    traced exit bounded by a constant count."""
    y = np.zeros(x.size)
    if x[0] > 0 and x[1] > 0:
        y[0] = x[0] * x[1]
    elif x[0] > 0:
        y[0] = np.exp(x[2])
    else:
        y[0] = x[3] ** 2
    if np.sum(x) > 1.0:
        y[1:] = x[1:] * x[:-1]
    else:
        y[1:] = np.sin(x[1:])
    s = x[4]
    for _ in range(3):  # at most three halvings, stopped early where |s| < 0.5
        if abs(s) < 0.5:
            break
        s = s / 2
    return y + s


def test_piecewise_values_jacobians_hessians_and_patterns():
    J = asd.jacobian(piecewise, format="dense")
    H = asd.hessian(lambda x: np.sum(piecewise(x) ** 2), format="dense")
    Pg = asd.jacobian_sparsity(piecewise, np.ones(5)).toarray()
    seen = set()
    for _ in range(60):
        x = RNG.uniform(-3, 3, 5)
        y = piecewise(x)
        Jx = J(x)
        np.testing.assert_allclose(asd.evaluate(asd.trace(piecewise, np.ones(5)), x), y)
        np.testing.assert_allclose(Jx, fd_jacobian(piecewise, x), atol=1e-6)
        assert not (np.abs(Jx) > 0)[~Pg].any()  # global pattern holds at every x
        g = lambda z: 2 * fd_jacobian(piecewise, z).T @ piecewise(z)  # noqa: E731
        np.testing.assert_allclose(
            H(x), fd_jacobian(g, x, 1e-5), atol=2e-4 * (1 + np.abs(H(x)).max())
        )
        seen.add((x[0] > 0, x[1] > 0, x.sum() > 1.0, abs(x[4]) < 0.5, abs(x[4]) > 2))
    assert len(seen) >= 16  # most combinations of the sides were visited


def test_a_side_that_raises_raises_there():
    def f(x):
        if x[0] < 0:
            raise ValueError("x[0] must be >= 0")
        return np.sqrt(x)

    J = asd.jacobian(f, format="dense")
    np.testing.assert_allclose(J(np.array([4.0, 1.0])), np.diag([0.25, 0.5]))
    for call in (J, asd.hessian(lambda x: np.sum(f(x))), asd.jacobian(f, mode="direct")):
        assert np.isfinite(call(np.array([4.0, 1.0]))).all()  # prepared at a valid point
        with pytest.raises(asd.BranchChangedError, match="raised ValueError: x.0. must be"):
            np.asarray(call(np.array([-4.0, 1.0])))
    with pytest.raises(ValueError, match="must be"):  # raising at the trace point: the user's
        asd.jacobian(f, format="dense")(np.array([-4.0, 1.0]))


def test_paths_share_their_common_prefix():
    def f(x):
        u = np.exp(x) * np.sin(x)  # recorded once, shared by both sides
        return u * 2 if u[0] > 0 else u * 3

    x = np.linspace(0.1, 1.0, 50)
    one = asd.trace(lambda x: np.exp(x) * np.sin(x) * 2, x)
    two = asd.trace(f, x)
    assert two.n_nodes < 2 * one.n_nodes


def test_nlp_and_prepared_hessian_with_a_branch():
    def objective(x):
        return (x[0] - 1) ** 2 + (x[1] ** 2 if x[0] > 0 else 4 * x[1] ** 2)

    H = asd.hessian(objective, format="dense")
    np.testing.assert_allclose(H(np.array([2.0, 1.0])), np.diag([2.0, 2.0]))
    np.testing.assert_allclose(H(np.array([-2.0, 1.0])), np.diag([2.0, 8.0]))
    g = asd.gradient(objective)
    np.testing.assert_allclose(g(np.array([-2.0, 1.0])), [-6.0, 8.0])
