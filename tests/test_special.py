"""scipy.special functions and the numpy functions built on special rules (sinc,
copysign, heaviside, logaddexp, nansum, nanmean, convolve, interp, ...): values and
every derivative mode against jax (float64), at several points across each domain;
the Numba special functions against scipy over wide ranges."""

import jax
import jax.numpy as jnp
import jax.scipy.special as jss
import numpy as np
import pytest
import scipy.special as ss

import asd
from asd.operators.special import NUMPY_HELPERS
from tests.derivcheck import check, dense, jax_refs

jax.config.update("jax_enable_x64", True)

# (numpy/scipy function, jax function, points spanning the domain)
WIDE = np.array([-3.5, -1.2, -0.4, 0.05, 0.7, 2.2, 4.0])
POS = np.array([0.03, 0.4, 1.0, 2.5, 7.0, 30.0])
UNIT = np.array([0.01, 0.2, 0.5, 0.77, 0.98])
OPEN = np.array([-0.97, -0.5, -0.05, 0.3, 0.9])
UNARY = {
    "erf": (ss.erf, jss.erf, WIDE),
    "erfc": (ss.erfc, jss.erfc, WIDE),
    "erfinv": (ss.erfinv, jss.erfinv, OPEN),
    "erfcinv": (ss.erfcinv, lambda x: jss.erfinv(1.0 - x), np.array([0.05, 0.5, 1.0, 1.6, 1.95])),
    "expit": (ss.expit, jss.expit, np.array([-40.0, -3.0, -0.2, 0.5, 5.0, 38.0])),
    "log_expit": (ss.log_expit, jax.nn.log_sigmoid, np.array([-30.0, -2.0, 0.1, 3.0, 25.0])),
    "logit": (ss.logit, jss.logit, UNIT),
    "gammaln": (ss.gammaln, jss.gammaln, np.array([0.02, 0.6, 1.5, 3.3, 12.0, 80.0, -0.4, -2.7])),
    "digamma": (ss.digamma, jss.digamma, np.array([0.05, 0.5, 1.7, 6.0, 40.0, -0.3, -1.6])),
    "psi": (ss.psi, jss.digamma, POS),
    "i0": (ss.i0, jss.i0, WIDE * 2),
    "i1": (ss.i1, jss.i1, np.array([-6.0, -1.9, -0.01, 1e-3, 0.3, 2.1, 9.0])),
    "i0e": (ss.i0e, jss.i0e, np.array([-12.0, -1.1, -0.2, 0.4, 2.0, 25.0])),
    "i1e": (ss.i1e, jss.i1e, np.array([-12.0, -1.1, -0.2, 2e-3, 0.4, 1.99, 2.01, 25.0])),
    "ndtr": (ss.ndtr, jss.ndtr, WIDE),
    "ndtri": (ss.ndtri, jss.ndtri, UNIT),
    "log_ndtr": (ss.log_ndtr, jss.log_ndtr, np.array([-9.0, -8.0, -4.0, -0.5, 0.3, 3.0, 9.0])),
    "np.sinc": (np.sinc, jnp.sinc, np.array([-2.3, -0.31, -1e-3, 0.0, 0.2, 0.99, 1.01, 4.5])),
    "np.i0": (np.i0, jss.i0, WIDE),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary(name):
    f_np, f_jax, pts = UNARY[name]
    for chunk in (pts[: len(pts) // 2], pts[len(pts) // 2 :]):
        x = np.array(chunk, dtype=np.float64)

        def f(z, f_np=f_np):
            return f_np(z) * (1.0 + 0.5 * z)

        def fj(z, f_jax=f_jax):
            return f_jax(z) * (1.0 + 0.5 * z)

        jac, hess = jax_refs(fj)
        check(f, x, jac_ref=jac, hess_ref=hess, atol=1e-9, rtol=1e-8)


def test_bessel_at_zero():
    """At 0 (where jax's second derivative of i1 is wrong): I0'' = 1/2, I1' = 1/2,
    I1'' = 0; the scaled ones add the kink of exp(-|x|) (taken with sign(0) = 0)."""
    x = np.zeros(1)
    for fn, d, dd in ((ss.i0, 0.0, 0.5), (ss.i1, 0.5, 0.0), (ss.i1e, 0.5, 0.0)):
        J = dense(asd.jacobian(lambda z, fn=fn: fn(z))(x))
        H = dense(asd.hessian(lambda z, fn=fn: fn(z).sum())(x))
        assert J[0, 0] == d and H[0, 0] == dd, fn


def test_log_ndtr_far_tail():
    """log Φ(a) for a << 0 (jax loses digits there): d = |a| / S(a) with the Mills-ratio
    series S = 1 - 1/a² + 3/a⁴ - ..., and log Φ'' = -d (a + d), in exact fractions."""
    from fractions import Fraction

    x = np.array([-12.0, -20.0, -40.0, -300.0, -1e5])
    H = dense(asd.hessian(lambda z: ss.log_ndtr(z).sum())(x)).diagonal()
    J = asd.gradient(lambda z: ss.log_ndtr(z).sum())(x)
    for a, h, g in zip(x, H, J):
        fa = Fraction(a)
        s, term = Fraction(0), Fraction(1)
        for k in range(60):
            s += term
            term *= -Fraction(2 * k + 1) / (fa * fa)
        d = -fa / s
        assert abs(g - float(d)) <= 1e-15 * abs(float(d))
        assert abs(h - float(-d * (fa + d))) <= 1e-15


def test_polygamma_orders():
    x = np.array([0.3, 1.7, 5.5, 23.0, -0.6])
    for n in (0, 1, 2, 3, 5):
        jac, hess = jax_refs(lambda z, n=n: jss.polygamma(n, z))
        check(lambda z, n=n: ss.polygamma(n, z), x, jac_ref=jac, hess_ref=hess, rtol=1e-8)
    # an array of orders, broadcast against x
    orders = np.array([0, 1, 2, 1, 4])
    jac, hess = jax_refs(lambda z: jss.polygamma(orders, z))
    check(lambda z: ss.polygamma(orders, z), x, jac_ref=jac, hess_ref=hess, rtol=1e-8)


def test_zeta_integer_s():
    x = np.array([0.4, 2.0, 7.5])
    jac, hess = jax_refs(lambda z: jss.zeta(3.0, z) + jss.zeta(2.0, z * z + 1.0))
    check(
        lambda z: ss.zeta(3, z) + ss.zeta(2.0, z * z + 1.0),
        x,
        jac_ref=jac,
        hess_ref=hess,
        rtol=1e-8,
    )
    with pytest.raises(asd.UnsupportedFunctionError, match="integer s >= 2"):
        asd.trace(lambda z: ss.zeta(2.5, z), x)
    with pytest.raises(asd.UnsupportedFunctionError, match="zeta"):
        asd.trace(lambda z: ss.zeta(z, 2.0), x)


@pytest.mark.parametrize("name", ["xlogy", "xlog1py"])
def test_binary(name):
    f_np, f_j = getattr(ss, name), getattr(jss, name)
    x = np.array([0.2, -1.1, 0.8, 1.5, 0.4, 3.0])

    def f(z):
        return f_np(z[:3], z[3:] ** 2 + 0.1)

    def fj(z):
        return f_j(z[:3], z[3:] ** 2 + 0.1)

    jac, hess = jax_refs(fj)
    check(f, x, jac_ref=jac, hess_ref=hess)
    # x == 0: the value is 0 and the partial wrt y vanishes (locally)
    z = np.array([0.0, 0.5])
    tape = asd.trace(lambda z: f_np(z[0], z[1]), z)
    assert asd.evaluate(tape, z)[()] == 0.0
    loc = dense(asd.jacobian_sparsity(lambda z: f_np(z[0], z[1]), z, mode="local"))
    assert loc.tolist() == [[True, False]]


def test_scipy_compositions():
    x = np.array([0.3, -1.2, 2.0, 0.7, -0.1, 1.1])
    cases = [
        (lambda z: ss.logsumexp(z), lambda z: jss.logsumexp(z)),
        (
            lambda z: ss.logsumexp(z.reshape(2, 3), axis=1) * z[:2],
            lambda z: jss.logsumexp(z.reshape(2, 3), axis=1) * z[:2],
        ),
        (
            lambda z: ss.logsumexp(z, b=np.arange(1.0, 7.0), keepdims=True),
            lambda z: jss.logsumexp(z, b=jnp.arange(1.0, 7.0), keepdims=True),
        ),
        (lambda z: ss.softmax(z), lambda z: jax.nn.softmax(z)),
        (
            lambda z: ss.softmax(z.reshape(3, 2), axis=0),
            lambda z: jax.nn.softmax(z.reshape(3, 2), axis=0),
        ),
        (lambda z: ss.log_softmax(z), lambda z: jax.nn.log_softmax(z)),
        (lambda z: np.logaddexp(z[:3], z[3:]), lambda z: jnp.logaddexp(z[:3], z[3:])),
        (lambda z: np.logaddexp2(z[:3], z[3:]), lambda z: jnp.logaddexp2(z[:3], z[3:])),
        (
            lambda z: np.var(z) + np.std(z[:4], ddof=1),
            lambda z: jnp.var(z) + jnp.std(z[:4], ddof=1),
        ),
        (
            lambda z: np.average(z, weights=np.arange(1.0, 7.0)) * np.ptp(z),
            lambda z: jnp.average(z, weights=jnp.arange(1.0, 7.0)) * jnp.ptp(z),
        ),
        (lambda z: np.polyval(z[:3], z[3:]), lambda z: jnp.polyval(z[:3], z[3:])),
    ]
    for f, fj in cases:
        jac, hess = jax_refs(fj)
        check(f, x, jac_ref=jac, hess_ref=hess)
    # return_sign
    tape = asd.trace(
        lambda z: ss.logsumexp(z, b=np.array([1, -1, 1, 1, -1, 1.0]), return_sign=True)[0], x
    )
    ref = ss.logsumexp(x, b=np.array([1, -1, 1, 1, -1, 1.0]), return_sign=True)[0]
    np.testing.assert_allclose(asd.evaluate(tape, x), ref, rtol=1e-13)


def test_early_bound_scipy_function_is_named():
    from scipy.special import logsumexp as early  # bound before tracing: not replaced

    x = np.array([0.3, -1.2])
    # a name bound at import time still works when it is the module attribute we wrap
    # only while tracing; the captured original reports a clear asd error
    original = early.__wrapped__ if hasattr(early, "__wrapped__") else early
    with pytest.raises(asd.AsdError, match="logsumexp"):
        asd.trace(lambda z: original(z), x)


def test_numpy_functions():
    x = np.array([0.3, -1.2, 2.0, 0.7, -0.1, 1.1])
    k = np.array([0.5, -1.0, 2.0])
    xp = np.array([-2.0, -0.5, 0.1, 1.0, 2.5])
    fp = np.array([1.0, -0.3, 0.4, 2.0, 0.0])
    cases = [
        (lambda m, z: m.copysign(z[:3], z[3:]) * z[:3]),
        (lambda m, z: m.copysign(z, -1.0) + m.copysign(2.0, z)),
        (lambda m, z: m.heaviside(z, 0.5) * z + m.heaviside(z - 0.7, z)),
        (lambda m, z: m.convolve(z, k)),
        (lambda m, z: m.convolve(k, z, mode="same")),
        (lambda m, z: m.convolve(z, k, mode="valid")),
        (lambda m, z: m.convolve(z[:4], z[4:] ** 2)),
        (lambda m, z: m.convolve(z[:2], z[2:] ** 2, mode="same")),
        (lambda m, z: m.convolve(z[:2], z[2:] ** 2, mode="valid")),
        (lambda m, z: m.interp(z, xp, fp)),
        (lambda m, z: m.interp(z * 2.0, xp, fp, left=-1.0, right=3.0)),
        (lambda m, z: m.interp(np.linspace(-2.5, 3, 7), xp, z[:5] ** 2)),
        (lambda m, z: m.interp(z, xp, z[1:] * z[0])),
        (lambda m, z: m.round(z, 1) * z + m.around(z) * z),
        (lambda m, z: m.sinc(z) * m.sinc(z * 0.3 + 1.0)),
    ]
    for body in cases:
        jac, hess = jax_refs(lambda z, body=body: body(jnp, z))
        check(lambda z, body=body: body(np, z), x, jac_ref=jac, hess_ref=hess)


def test_nan_functions():
    x = np.array([0.3, -1.2, 2.0, 0.7])
    mask = np.array([0.0, np.nan, 0.0, 0.0])

    def f(z):
        y = z + mask
        return np.nansum(y) * np.nanmean(y.reshape(2, 2), axis=0)

    def fj(z):
        y = z + jnp.asarray(mask)
        return jnp.nansum(y) * jnp.nanmean(y.reshape(2, 2), axis=0)

    jac, hess = jax_refs(fj)
    check(f, x, jac_ref=jac, hess_ref=hess)


def test_interp_needs_constant_increasing_grid():
    x = np.array([0.3, 0.5])
    with pytest.raises(asd.UnsupportedFunctionError, match="xp must be constant"):
        asd.trace(lambda z: np.interp(0.2, z, [1.0, 2.0]), x)
    with pytest.raises(asd.InputError, match="increasing"):
        asd.trace(lambda z: np.interp(z, [1.0, 0.0], [1.0, 2.0]), x)


# --- the Numba special functions against scipy -------------------------------------------


def _kernel_module():
    from asd.operators.codegen import kernels

    return kernels()


@pytest.mark.parametrize(
    "name, ref, xs",
    [
        ("sf_polygamma1", lambda x: ss.polygamma(1, x), np.geomspace(1e-3, 1e4, 200)),
        ("sf_polygamma2", lambda x: ss.polygamma(2, x), np.geomspace(1e-3, 1e4, 200)),
        ("sf_polygamma4", lambda x: ss.polygamma(4, x), np.geomspace(1e-2, 1e3, 200)),
        (
            "sf_i1_dd",
            None,
            np.concatenate([-np.geomspace(1e-6, 30, 80), np.geomspace(1e-6, 30, 80)]),
        ),
        ("sf_sinc_t1", None, np.linspace(-6, 6, 241)),
        ("sf_sinc_t2", None, np.linspace(-6, 6, 241)),
    ],
)
def test_special_kernels_against_references(name, ref, xs):
    mod = _kernel_module()
    if name.startswith("sf_polygamma"):
        n = float(name[-1])
        got = np.array([mod.sf_polygamma(n, x) for x in xs])
        want = ref(xs)
        np.testing.assert_allclose(got, want, rtol=3e-14)
        np.testing.assert_allclose(NUMPY_HELPERS["sf_polygamma"](n, xs), got, rtol=1e-15)
        return
    got = np.array([getattr(mod, name)(x) for x in xs])
    np.testing.assert_allclose(NUMPY_HELPERS[name](xs), got, rtol=1e-15, atol=0)
    # the series and the closed form agree where both are accurate
    if name == "sf_i1_dd":
        x = xs[np.abs(xs) > 0.5]
        closed = ss.i1(x) - ss.i0(x) / x + 2.0 * ss.i1(x) / (x * x)
        np.testing.assert_allclose([mod.sf_i1_dd(v) for v in x], closed, rtol=2e-14)
        h = 1e-3  # and with a difference quotient of I1' near 0
        small = np.array([1e-4, 3e-3, 0.2, 1.5])
        d1 = lambda v: ss.i0(v) - ss.i1(v) / v  # noqa: E731
        fd = (d1(small + h) - d1(small - h)) / (2 * h)
        np.testing.assert_allclose([mod.sf_i1_dd(v) for v in small], fd, rtol=1e-6)
    else:
        t = xs[np.abs(xs) > 0.9]
        if name == "sf_sinc_t1":
            closed = (t * np.cos(t) - np.sin(t)) / t**2
        else:
            closed = -np.sin(t) / t - 2 * np.cos(t) / t**2 + 2 * np.sin(t) / t**3
        np.testing.assert_allclose(
            [getattr(mod, name)(v) for v in t], closed, rtol=1e-13, atol=1e-15
        )


def test_special_values_against_scipy_wide_ranges():
    """Kernel values (the evaluate sweep) equal scipy's over wide ranges."""
    grids = {
        "erfinv": np.linspace(-0.999999, 0.999999, 301),
        "erfcinv": np.linspace(1e-8, 2 - 1e-8, 301),
        "gammaln": np.concatenate([np.geomspace(1e-8, 1e5, 200), -np.linspace(0.01, 9.99, 97)]),
        "psi": np.concatenate([np.geomspace(1e-6, 1e6, 200), -np.linspace(0.01, 9.99, 97)]),
        "i0e": np.linspace(-700, 700, 301),
        "i1e": np.linspace(-700, 700, 301),
        "ndtri": np.geomspace(1e-300, 1 - 1e-16, 301),
        "log_ndtr": np.linspace(-1e3, 40, 301),
        "log_expit": np.linspace(-800, 800, 301),
        "expit": np.linspace(-800, 800, 301),
        "logit": np.linspace(1e-12, 1 - 1e-12, 301),
    }
    for name, xs in grids.items():
        fn = getattr(ss, name)
        tape = asd.trace(lambda z, fn=fn: fn(z), xs)
        np.testing.assert_array_equal(asd.evaluate(tape, xs), fn(xs), err_msg=name)
        np.testing.assert_array_equal(asd.evaluate(tape, xs), fn(xs), err_msg=name)


LAZY_SPECIAL = """
import sys
import numpy as np
import scipy
import asd

assert "scipy.special" not in sys.modules  # import asd does not load it
x = np.array([0.3, -0.2, 0.5])
asd.jacobian(np.sin, format="dense")(x)
assert "scipy.special" not in sys.modules  # nor does a trace without special functions


def f(x):  # scipy.special loaded by its first attribute access, inside the trace
    return scipy.special.logsumexp(x) * scipy.special.erf(x)


J = asd.jacobian(f, format="dense")(x)
h = 1e-6
fd = np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(3)]).T
assert np.abs(J - fd).max() < 1e-8, (J, fd)
print("OK")
"""


def test_scipy_special_imported_while_tracing():
    """scipy.special's replacements are installed only once it is imported; a function
    that loads it mid-trace (``import scipy`` then ``scipy.special.logsumexp``) is
    traced again with them."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, ASD_QUIET="1")
    env.pop("ASD_KERNEL_FAMILIES", None)  # the kernels users get: only the families used
    proc = subprocess.run(
        [sys.executable, "-c", LAZY_SPECIAL], capture_output=True, text=True, env=env
    )
    assert proc.returncode == 0 and "OK" in proc.stdout, proc.stderr
