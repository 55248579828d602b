"""A zero factor of a rule must win over an infinite one (0 * inf is 0, not NaN) in
every Jacobian and Hessian mode and in jvp / vjp / hvp: ``p * (p - 1) * a ** (p - 2)``
at an exponent 0 or 1 and a zero base, ``v * log(p)`` at a zero constant base, the
traced-exponent power at a zero base, and hypot at (0, 0)."""

import numpy as np
import pytest

import asd

JAC_MODES = ("direct", "forward", "reverse")
HESS_MODES = ("direct", "colored")


def _check(f, x, J_ref, H_ref, w):
    """Jacobian ``J_ref`` and weighted Hessian ``H_ref = Σ wᵢ ∇²fᵢ`` in every mode."""
    for mode in JAC_MODES:
        J = asd.jacobian(f, x, mode=mode, format="csr")(x).toarray()
        np.testing.assert_allclose(J, J_ref, rtol=1e-12, atol=1e-12, err_msg=mode)
    for mode in HESS_MODES:
        H = asd.hessian(f, x, mode=mode, weighted=True, format="csr")(x, w).toarray()
        np.testing.assert_allclose(H, H_ref, rtol=1e-12, atol=1e-12, err_msg=mode)
    tape = asd.trace(f, x)
    n = x.size
    _, JV = asd.jvp(tape, x, np.eye(n))
    np.testing.assert_allclose(JV, J_ref, rtol=1e-12, atol=1e-12)
    _, JTW = asd.vjp(tape, x, np.eye(J_ref.shape[0]))
    np.testing.assert_allclose(np.reshape(JTW, J_ref.T.shape), J_ref.T, rtol=1e-12, atol=1e-12)
    HV = asd.hvp(tape, x, w, np.eye(n))
    np.testing.assert_allclose(HV, H_ref, rtol=1e-12, atol=1e-12)


def test_constant_zero_base_traced_exponent():
    """0 ** (1 + sin(x)²) is 0 for every x: all derivatives vanish."""
    x = np.array([0.3, -0.7, 1.2])

    def f(x):
        return np.power(0.0, 1.0 + np.sin(x) ** 2)

    _check(f, x, np.zeros((3, 3)), np.zeros((3, 3)), np.array([1.0, -2.0, 0.5]))


def test_constant_exponents_zero_and_one_at_a_zero_base():
    x = np.array([0.3, -0.7, 1.2])
    w = np.array([1.0, 2.0, 3.0])

    def f(x):
        return np.power(np.where(x >= 0.5, 0.0, x), np.array([0, 3, 0]))

    J = np.diag([0.0, 3 * x[1] ** 2, 0.0])
    H = np.diag([0.0, 6 * x[1] * w[1], 0.0])
    _check(f, x, J, H, w)


def test_exponent_one_and_zero_with_a_base_exactly_zero_through_x():
    x = np.zeros(3)
    w = np.array([1.0, 2.0, 3.0])

    def f(x):
        return np.power(x, np.array([0.0, 3.0, 1.0]))

    _check(f, x, np.diag([0.0, 0.0, 1.0]), np.zeros((3, 3)), w)


def test_traced_exponent_at_a_zero_base():
    """x0 ** (1 + x1²) at x = 0 is x0 there: J = [1, 0], H = 0."""
    x = np.zeros(2)

    def f(x):
        return np.atleast_1d(np.power(x[0], 1.0 + x[1] ** 2))

    _check(f, x, np.array([[1.0, 0.0]]), np.zeros((2, 2)), np.array([1.5]))


def test_traced_exponent_at_a_locally_constant_zero_base():
    x = np.array([0.9, 0.0])

    def f(x):
        base = np.where(x[0] > 0.5, 0.0, x[0])
        return np.atleast_1d(np.power(base, 1.0 + x[1] ** 2))

    _check(f, x, np.zeros((1, 2)), np.zeros((2, 2)), np.array([2.0]))


def test_hypot_at_the_origin_is_a_kink_like_abs():
    """hypot(x, 0) = |x|; asd takes d|x|/dx = sign(0) = 0 at 0, so hypot does too."""
    x = np.zeros(3)

    def f(x):
        return np.hypot(x[:2], x[1:] * 0.5)

    _check(f, x, np.zeros((2, 3)), np.zeros((3, 3)), np.array([1.0, 1.0]))


@pytest.mark.parametrize("p", [0.0, 1.0])
def test_scalar_exponent_rows_hold_up_in_the_direct_hessian(p):
    """A stack of exponents containing p at a zero base next to ordinary ones."""
    x = np.array([0.0, 0.5])
    e = np.array([p, 2.5])

    def f(x):
        return np.power(x, e)

    J = np.diag([p * 0.0 ** max(p - 1, 0) if p else 0.0, 2.5 * 0.5**1.5])
    H = np.diag([0.0, 2.5 * 1.5 * 0.5**0.5])
    _check(f, x, J, H, np.ones(2))


def test_chain_rule_zero_wins_between_nodes():
    """An infinite partial times an exactly zero derivative of its argument is 0 (the
    function is constant along that direction): sqrt(x0 * x1) at x1 = 0 is 0 for every
    x0, so ∂/∂x0 = 0 and ∂²/∂x0² = 0, while ∂/∂x1 = ∂²/∂x0∂x1 = inf, ∂²/∂x1² = -inf."""
    x = np.array([1.0, 0.0])

    def f(x):
        return np.stack([np.sqrt(x[0] * x[1]) + x[0] ** 2])

    J_ref = np.array([[2.0, np.inf]])
    H_ref = np.array([[2.0, np.inf], [np.inf, -np.inf]])
    for mode in JAC_MODES:
        J = asd.jacobian(f, x, mode=mode, format="csr")(x).toarray()
        np.testing.assert_array_equal(J, J_ref, err_msg=mode)
    for mode in HESS_MODES:
        H = asd.hessian(f, x, mode=mode, weighted=True, format="csr")(x, np.ones(1)).toarray()
        np.testing.assert_array_equal(H, H_ref, err_msg=mode)


@pytest.mark.parametrize("mode", JAC_MODES)
def test_inactive_branch_of_a_kink_in_every_mode(mode):
    """sqrt(where(x > 1.5, x, 0)): the zero branch has derivative 0 at every mode."""

    def f(x):
        return np.sqrt(np.where(x > 1.5, x, 0.0))

    x = np.array([1.0, 2.0, 3.0])
    J = asd.jacobian(f, x, mode=mode, format="csr")(x).toarray()
    np.testing.assert_allclose(np.diag(J), [0.0, 0.5 / np.sqrt(2), 0.5 / np.sqrt(3)], rtol=1e-15)
