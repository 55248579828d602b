"""scipy.special ufuncs written as compositions (entr, rel_entr, kl_div, huber,
pseudo_huber, boxcox, boxcox1p, exprel, cosm1, log1p, expm1, cbrt, exp2, exp10,
powm1), the gamma row, the hints for beta / betaln / binom, and scipy.linalg's
solve_triangular / lu_solve / cho_solve with a constant matrix: values against scipy
(special points included), derivatives against jax (float64)."""

import math

import jax
import jax.numpy as jnp
import jax.scipy.special as jss
import numpy as np
import pytest
import scipy.linalg as sl
import scipy.special as ss

import asd
from tests.derivcheck import check, dense, jax_refs

jax.config.update("jax_enable_x64", True)

INF, NAN = np.inf, np.nan

# one-argument functions: special points for the values, smooth points for derivatives
UNARY_VALUES = {
    "entr": [NAN, -INF, -1.0, 0.0, 1e-300, 0.3, 2.0, 1e300, INF],
    "exprel": [NAN, -INF, -800.0, -3.0, -0.5, -1e-10, 0.0, 1e-17, 0.3, 0.5, 0.51, 5.0]
    + [709.78, 709.79, 717.0, 718.0, INF],
    "cosm1": [0.0, 1e-8, -0.5, 0.78, 0.8, 3.0, -100.0, 1e5],
    "log1p": [-2.0, -1.0, -0.5, 0.0, 1e-10, 3.0, 1e300, INF],
    "expm1": [-INF, -30.0, 0.0, 1e-10, 2.0, 700.0, 710.0],
    "cbrt": [-INF, -27.0, -1e-300, 0.0, 8.0, 1e300],
    "exp2": [-1080.0, -1024.0, -1000.0, -3.3, 0.0, 1.5, 1023.0, 1025.0],
    "exp10": [-330.0, -308.25, -300.0, -1.5, 0.0, 0.3, 2.0, 300.0, 309.0],
    "gamma": [-2.5, -0.5, -1.0, 0.0, 1e-8, 0.5, 1.0, 3.3, 30.0, 170.0, 171.7],
}
UNARY_DERIVS = {
    "entr": (lambda z: jss.entr(z), [0.02, 0.3, 1.0, 2.5, 40.0]),
    "exprel": (lambda z: jnp.expm1(z) / z, [-30.0, -3.0, -0.7, 0.6, 1.7, 20.0]),
    "cosm1": (lambda z: jnp.cos(z) - 1.0, [-2.0, -0.5, 0.1, 0.78, 0.8, 3.0]),
    "log1p": (jnp.log1p, [-0.9, -0.2, 1e-3, 0.7, 30.0]),
    "expm1": (jnp.expm1, [-5.0, -1e-3, 0.4, 3.0]),
    "cbrt": (jnp.cbrt, [-27.0, -0.3, 0.02, 2.0, 1e3]),
    "exp2": (jnp.exp2, [-40.0, -1.1, 0.0, 0.6, 9.0]),
    "exp10": (lambda z: jnp.power(10.0, z), [-12.0, -1.1, 0.0, 0.6, 5.0]),
    "gamma": (jss.gamma, [-2.5, -0.4, 0.03, 0.7, 1.5, 4.2, 20.0]),
}


def _values_match(f, x):
    """The traced values equal ``f``'s (scipy's) to 1e-13 relative, NaN and inf alike."""
    x = np.asarray(x, np.float64)
    tape = asd.trace(f, x)
    got, want = asd.evaluate(tape, x), np.asarray(f(x))
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=0, equal_nan=True)


@pytest.mark.parametrize("name", sorted(UNARY_VALUES))
def test_unary_values(name):
    fn = getattr(ss, name)
    _values_match(lambda z: fn(z), UNARY_VALUES[name])


@pytest.mark.parametrize("name", sorted(UNARY_DERIVS))
def test_unary_derivatives(name):
    fn = getattr(ss, name)
    fj, pts = UNARY_DERIVS[name]
    jac, hess = jax_refs(lambda z: fj(z) * (1.0 + 0.5 * z))
    check(
        lambda z: fn(z) * (1.0 + 0.5 * z),
        np.array(pts),
        jac_ref=jac,
        hess_ref=hess,
        atol=1e-9,
        rtol=1e-8,
    )


def test_exprel_near_zero_is_its_series():
    """exprel' = Σ k x^(k-1) / (k+1)!, exprel'' = Σ k (k-1) x^(k-2) / (k+1)! near 0 (no
    cancellation)."""
    x = np.array([0.0, 1e-9, -1e-6, 1e-3])
    J = asd.gradient(lambda z: ss.exprel(z).sum())(x)
    H = dense(asd.hessian(lambda z: ss.exprel(z).sum())(x)).diagonal()
    fact = [float(math.factorial(k + 1)) for k in range(20)]
    d1 = sum(k * x ** (k - 1) / fact[k] for k in range(1, 20))
    d2 = sum(k * (k - 1) * x ** (k - 2) / fact[k] for k in range(2, 20))
    np.testing.assert_allclose(J, d1, rtol=1e-15)
    np.testing.assert_allclose(H, d2, rtol=1e-14)


def test_gamma_kernel_values_wide_range():
    xs = np.concatenate([np.geomspace(1e-8, 171.0, 150), -np.linspace(0.01, 9.99, 97)])
    tape = asd.trace(lambda z: ss.gamma(z), xs)
    np.testing.assert_array_equal(asd.evaluate(tape, xs), ss.gamma(xs))


BINARY_VALUES = {
    "rel_entr": [(NAN, 1), (1, NAN), (0, 0), (0, -1), (-1, 1), (1, 0), (INF, 1), (1, 1.3)]
    + [(1, 3), (1e-300, 1e300), (1e300, 1e-300), (2, 0.1), (0, 2)],
    "kl_div": [(NAN, 1), (1, NAN), (0, 0), (0, -1), (-1, 1), (1, 0), (1, 1.3), (1, 3)]
    + [(2, 0.1), (0, 2), (1e-200, 1e200)],
    "huber": [(-1, 1), (0, 0), (0, 1), (1, NAN), (NAN, 1), (1, INF), (1, 0.3), (1, -3)]
    + [(2, 1.5), (2, 2)],
    "pseudo_huber": [(-1, 1), (0, 0), (0, 1), (1, NAN), (NAN, 1), (1, INF), (1, 0.3)]
    + [(1, -3), (2, 1.5), (1e-3, 1e-12), (3, 0), (1e5, -2e5)],
    "boxcox": [(0, 1), (0, -1), (0, 0), (-1, 1), (1, 0), (np.e, 1e-20), (2.5, 0.3)]
    + [(2.5, -0.3), (1e-300, -3), (1e300, 3), (0.3, 1e-10), (7, 0), (NAN, 1), (2, NAN)],
    "boxcox1p": [(-1, 1), (-1, -1), (-1, 0), (-2, 1), (0, 1), (1e-300, 2), (1.5, 0.3)]
    + [(1.5, -0.3), (1e300, 3), (0.3, 1e-10), (7, 0), (1e-10, 1e-25)],
    "powm1": [(0, 0), (0, -1), (0, 1), (1, NAN), (2, 0), (-2, 2), (-2, 3), (-2, 2.5)]
    + [(NAN, 0), (NAN, 1), (2, NAN), (-0.0, -1), (1.1, 0.1), (1.1, 3), (3, 0.1), (3, 2.5)]
    + [(0.5, -2), (INF, -0.1), (INF, 0.1), (-1.05, 4), (-3, -3), (1e-300, 1e-3), (7, 400)],
}


def _huber_j(d, r):
    return jnp.where(jnp.abs(r) <= d, 0.5 * r * r, d * (jnp.abs(r) - 0.5 * d))


BINARY_DERIVS = {
    "rel_entr": (jss.rel_entr, [(0.3, 1.2), (2.0, 1.5), (1.0, 7.0), (5.0, 0.4)]),
    "kl_div": (jss.kl_div, [(0.3, 1.2), (2.0, 1.5), (1.0, 7.0), (5.0, 0.4)]),
    "huber": (_huber_j, [(1.0, 0.3), (1.0, -3.0), (2.0, 1.5), (0.5, 4.0)]),
    "pseudo_huber": (
        lambda d, r: d * d * (jnp.sqrt(1.0 + (r / d) ** 2) - 1.0),
        [(1.0, 0.3), (1.0, -3.0), (2.0, 1.5), (0.5, 0.0), (0.7, 1e-4)],
    ),
    "boxcox": (
        lambda x, lam: jnp.expm1(lam * jnp.log(x)) / lam,
        [(0.3, 1.2), (2.0, -0.5), (7.0, 0.25), (1.5, 2.0)],
    ),
    "boxcox1p": (
        lambda x, lam: jnp.expm1(lam * jnp.log1p(x)) / lam,
        [(0.3, 1.2), (2.0, -0.5), (-0.6, 0.25), (1.5, 2.0)],
    ),
    "powm1": (
        lambda x, y: jnp.power(x, y) - 1.0,
        [(1.1, 0.1), (1.1, 3.0), (3.0, 0.1), (3.0, 2.5), (0.5, -2.0), (0.9, 0.3)],
    ),
}


@pytest.mark.parametrize("name", sorted(BINARY_VALUES))
def test_binary_values(name):
    fn = getattr(ss, name)
    _values_match(lambda z: fn(z[:, 0], z[:, 1]), np.array(BINARY_VALUES[name], np.float64))


@pytest.mark.parametrize("name", sorted(BINARY_DERIVS))
def test_binary_derivatives(name):
    fn = getattr(ss, name)
    fj, pts = BINARY_DERIVS[name]
    x = np.array(pts, np.float64).T.ravel()  # both arguments traced
    k = len(pts)
    jac, hess = jax_refs(lambda z: fj(z[:k], z[k:]))
    check(lambda z: fn(z[:k], z[k:]), x, jac_ref=jac, hess_ref=hess, atol=1e-9, rtol=1e-8)


def test_boxcox_at_lambda_zero_has_the_lambda_derivatives():
    """boxcox(x, λ) = log x + λ log²x / 2 + λ² log³x / 6 + ...: at λ = 0 the value is
    log x and the partials in λ are log²x / 2 and log³x / 3."""
    x = np.array([0.4, 3.0, 0.0, 0.0])  # x then λ

    def f(z):
        return ss.boxcox(z[:2], z[2:])

    lx = np.log(x[:2])
    np.testing.assert_allclose(asd.evaluate(asd.trace(f, x), x), lx, rtol=1e-15)
    J = dense(asd.jacobian(f)(x))
    np.testing.assert_allclose(J[[0, 1], [2, 3]], lx**2 / 2, rtol=1e-14)
    H = dense(asd.hessian(lambda z: f(z).sum())(x))
    np.testing.assert_allclose(H[[2, 3], [2, 3]], lx**3 / 3, rtol=1e-13)


def test_powm1_negative_base_integer_power():
    x = np.array([-2.0, -1.05, -3.0])
    jac, hess = jax_refs(lambda z: jnp.power(z, 3.0) - 1.0 + jnp.power(z, 4.0) - 1.0)
    check(lambda z: ss.powm1(z, 3) + ss.powm1(z, 4.0), x, jac_ref=jac, hess_ref=hess)


@pytest.mark.parametrize("name", ["beta", "betaln", "binom"])
def test_beta_family_names_an_alternative(name):
    fn = getattr(ss, name)
    with pytest.raises(asd.UnsupportedFunctionError, match="gamma"):
        asd.trace(lambda z: fn(z[0], z[1]), np.array([1.5, 2.5]))


# ---------------------------------------------------------------------------------------
# scipy.linalg solves with a constant matrix
# ---------------------------------------------------------------------------------------

RNG = np.random.default_rng(3)
N = 5
A = RNG.standard_normal((N, N))
A[0, 0] = 1e-3  # lu_factor has to pivot
S = A @ A.T + N * np.eye(N)
B = RNG.standard_normal(N)


def _linalg_cases():
    lu, c_low, c_up = sl.lu_factor(A), sl.cho_factor(S, lower=True), sl.cho_factor(S)
    unit = np.tril(A, -1) + np.eye(N)
    return {
        "triangular": (lambda z: sl.solve_triangular(A, z), np.triu(A)),
        "triangular lower": (lambda z: sl.solve_triangular(A, z, lower=True), np.tril(A)),
        "triangular trans unit": (
            lambda z: sl.solve_triangular(A, z, trans=1, lower=True, unit_diagonal=True),
            unit.T,
        ),
        "triangular 'C'": (lambda z: sl.solve_triangular(A, z, trans="C"), np.triu(A).T),
        "lu": (lambda z: sl.lu_solve(lu, z), A),
        "lu trans": (lambda z: sl.lu_solve(lu, z, trans=1), A.T),
        "cho lower": (lambda z: sl.cho_solve(c_low, z), S),
        "cho upper": (lambda z: sl.cho_solve(c_up, z), S),
        "cho matrix rhs": (lambda z: sl.cho_solve(c_up, z.reshape(N, 1))[:, 0], S),
    }


@pytest.mark.parametrize("case", sorted(_linalg_cases()))
def test_scipy_linalg_constant_solves(case):
    f, K = _linalg_cases()[case]
    tape = asd.trace(f, B)
    np.testing.assert_allclose(asd.evaluate(tape, B), f(B), rtol=1e-12, atol=1e-13)
    for mode in ("direct", "forward", "reverse"):
        J = dense(asd.jacobian(f, mode=mode)(B))
        np.testing.assert_allclose(J, np.linalg.inv(K), rtol=1e-12, atol=1e-13)
    assert not dense(asd.hessian_sparsity(lambda z: f(z).sum(), B)).any()


def test_scipy_linalg_traced_matrix_is_refused():
    lu = sl.lu_factor(A)
    cases = [
        ("solve_triangular", lambda z: sl.solve_triangular(z.reshape(N, N), B)),
        ("lu_solve", lambda z: sl.lu_solve((z.reshape(N, N), lu[1]), B)),
        ("cho_solve", lambda z: sl.cho_solve((z.reshape(N, N), False), B)),
    ]
    for name, f in cases:
        with pytest.raises(asd.UnsupportedFunctionError, match=f"{name}.*np.linalg.solve"):
            asd.trace(f, S.ravel())
