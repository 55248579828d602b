"""numpy functions written as compositions (tracing/composed.py): values equal numpy's,
Jacobians and Hessians against jax (float64), patterns global ⊇ local ⊇ true."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import asd
from tests.derivcheck import check, dense, jax_refs

jax.config.update("jax_enable_x64", True)
GRID = np.array([0.0, 0.3, 0.7, 1.2, 1.5, 2.3, 2.4, 3.0, 3.8, 4.1, 4.5, 5.0])
W = np.linspace(0.5, 1.5, 12)


def both(body):
    return (lambda x: body(np, x)), (lambda x: body(jnp, x))


def _piecewise(xp, x):
    return xp.piecewise(x, [x < 0.0, x > 1.0], [lambda t: t**2, lambda t: 2.0 * t, 0.5])


CASES = {
    "cross 3": lambda xp, x: xp.cross(x[:6].reshape(2, 3), x[6:9]),
    "cross 2": lambda xp, x: xp.cross(x[:2], x[2:4]) * x[4],
    "cross axis": lambda xp, x: xp.cross(x[:6].reshape(3, 2), x[6:12].reshape(3, 2), axis=0),
    "gradient": lambda xp, x: xp.gradient(xp.sin(x)),
    "gradient edge 2 spacing": lambda xp, x: xp.gradient(x**3, 0.25, edge_order=2),
    "gradient coordinates": lambda xp, x: xp.gradient(xp.exp(x), GRID),
    "gradient coordinates edge 2": lambda xp, x: xp.gradient(x**2, GRID, edge_order=2),
    "gradient 2-D": lambda xp, x: xp.stack(xp.gradient(x.reshape(3, 4) ** 2, 0.5, 2.0)),
    "gradient axis": lambda xp, x: xp.gradient(x.reshape(4, 3) ** 2, axis=0),
    "meshgrid": lambda xp, x: xp.stack(xp.meshgrid(x[:3], x[3:7] ** 2)),
    "meshgrid ij": lambda xp, x: xp.meshgrid(x[:3], x[3:5], indexing="ij")[1] * x[0],
    "broadcast_arrays": lambda xp, x: xp.stack(xp.broadcast_arrays(x[:3], x[3:5, None] ** 2)),
    "ediff1d": lambda xp, x: xp.ediff1d(x**2, to_begin=x[:1], to_end=xp.array([1.0, 2.0])),
    "multi_dot": lambda xp, x: xp.linalg.multi_dot(
        [x[:6].reshape(2, 3), x[:6].reshape(3, 2) ** 2, x[6:8]]
    ),
    "median odd": lambda xp, x: xp.median(x[:11] ** 2),
    "median even axis": lambda xp, x: xp.median(x.reshape(3, 4), axis=1),
    "median keepdims": lambda xp, x: xp.median(x.reshape(3, 4), axis=0, keepdims=True),
    "percentile": lambda xp, x: xp.percentile(x, xp.asarray([10.0, 50.0, 77.0])),
    "quantile axis": lambda xp, x: xp.quantile(x.reshape(4, 3) ** 3, 0.3, axis=0),
    "quantile lower": lambda xp, x: xp.quantile(x, 0.4, method="lower"),
    "quantile higher": lambda xp, x: xp.quantile(x, 0.4, method="higher"),
    "quantile midpoint": lambda xp, x: xp.quantile(x, 0.4, method="midpoint"),
    "quantile nearest": lambda xp, x: xp.quantile(x, 0.4, method="nearest"),
    "cov": lambda xp, x: xp.cov(x.reshape(3, 4)),
    "cov y bias": lambda xp, x: xp.cov(x[:6], x[6:] ** 2, bias=True),
    "cov rowvar weights": lambda xp, x: xp.cov(
        x.reshape(4, 3), rowvar=False, fweights=np.array([1, 2, 1, 3]), aweights=W[:4]
    ),
    "corrcoef": lambda xp, x: xp.corrcoef(x.reshape(3, 4) ** 2),
    "nan_to_num": lambda xp, x: xp.nan_to_num(x / (x[0] - x[0] + 1.0)),
    "nanmax / nanmin": lambda xp, x: xp.stack(
        [xp.nanmax(x.reshape(3, 4), axis=1), xp.nanmin(x.reshape(3, 4), axis=1)]
    ),
    "nanprod": lambda xp, x: xp.nanprod(x.reshape(4, 3), axis=0),
    "nanvar / nanstd": lambda xp, x: xp.stack(
        [xp.nanvar(x.reshape(3, 4), axis=0, ddof=1), xp.nanstd(x.reshape(3, 4), axis=0)]
    ),
    "piecewise": _piecewise,
    "unwrap": lambda xp, x: xp.unwrap(4.0 * xp.cumsum(x)),
    "ldexp": lambda xp, x: xp.ldexp(x, np.arange(-2, 10)),
    "vecdot": lambda xp, x: xp.vecdot(x.reshape(3, 4), x.reshape(3, 4) ** 2),
    "matvec / vecmat": lambda xp, x: xp.concatenate(
        [xp.matvec(x[:9].reshape(3, 3), x[9:12]), xp.vecmat(x[9:12], x[:9].reshape(3, 3))]
    ),
    "cumulative_sum / prod": lambda xp, x: xp.concatenate(
        [xp.cumulative_sum(x, include_initial=True), xp.cumulative_prod(x[:5])]
    ),
    "linalg aliases": lambda xp, x: xp.concatenate(
        [
            xp.ravel(xp.linalg.outer(x[:3], x[3:6])),
            xp.reshape(xp.linalg.trace(x[:9].reshape(3, 3)), (1,)),
            xp.linalg.diagonal(x[:9].reshape(3, 3), offset=1),
            xp.ravel(xp.linalg.matmul(x[:6].reshape(2, 3), x[:6].reshape(3, 2))),
            xp.reshape(xp.linalg.tensordot(x[:4].reshape(2, 2), x[4:8].reshape(2, 2)), (1,)),
            xp.reshape(xp.linalg.vecdot(x[:3], x[3:6]), (1,)),
            xp.linalg.cross(x[:3], x[3:6]),
            xp.ravel(xp.linalg.matrix_transpose(x[:6].reshape(2, 3))),
        ]
    ),
    "lstsq constant a": lambda xp, x: xp.concatenate(
        [
            xp.linalg.lstsq(xp.asarray(np.vander(GRID[:6], 3)), x[:6], rcond=None)[0],
            xp.linalg.lstsq(xp.asarray(np.vander(GRID[:6], 3)), x[:6], rcond=None)[1],
        ]
    ),
    "lstsq traced a": lambda xp, x: xp.concatenate(
        [
            xp.linalg.lstsq(x[:8].reshape(4, 2), x[8:12], rcond=None)[0],
            xp.linalg.lstsq(x[:8].reshape(4, 2), x[8:12], rcond=None)[1],
        ]
    ),
    "polyfit": lambda xp, x: xp.polyfit(GRID, x**2, 3),
    "polyfit weighted 2-D": lambda xp, x: xp.ravel(
        xp.polyfit(GRID[:6], x.reshape(6, 2), 2, w=W[:6])
    ),
}


#: jax has no edge_order: finite differences with error estimates (tests/reference.py)
NO_JAX = {"gradient edge 2 spacing", "gradient coordinates edge 2"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_composed(name):
    f, fj = both(CASES[name])
    jac, hess = (None, None) if name in NO_JAX else jax_refs(fj)
    tol = 1e-6 if name in NO_JAX else 1e-8
    for seed in (1, 2):
        x = np.random.default_rng(seed).uniform(-1.5, 1.5, 12)
        np.testing.assert_allclose(asd.evaluate(asd.trace(f, x), x), f(x), rtol=1e-13, atol=1e-13)
        check(f, x, jac_ref=jac, hess_ref=hess, atol=tol, rtol=tol)


def test_nan_functions_skip_nans_like_numpy():
    def f(x):
        y = np.where(x > 0.5, np.nan, x)
        return np.stack(
            [np.nanmax(y), np.nanmin(y), np.nanprod(y), np.nanvar(y), np.nanstd(y, ddof=1)]
        )

    x = np.array([0.1, 0.9, -0.4, 0.7, 0.2, -1.1])
    np.testing.assert_allclose(asd.evaluate(asd.trace(f, x), x), f(x), rtol=1e-14)
    J = dense(asd.jacobian(f)(x))
    assert not J[:, [1, 3]].any()  # the NaN entries do not count
    np.testing.assert_allclose(
        J[2], [0.2 * -0.4 * -1.1, 0, 0.1 * 0.2 * -1.1, 0, 0.1 * -0.4 * -1.1, 0.1 * -0.4 * 0.2]
    )


def test_unsupported_options_are_named():
    x = np.linspace(0.0, 1.0, 6)
    with pytest.raises(asd.UnsupportedFunctionError, match="method='weibull'"):
        asd.trace(lambda z: np.quantile(z, 0.5, method="weibull"), x)
    with pytest.raises(asd.UnsupportedFunctionError, match="q.*constant"):
        asd.trace(lambda z: np.quantile(z, z[0] ** 2), x)
    with pytest.raises(asd.UnsupportedFunctionError, match="full=True"):
        asd.trace(lambda z: np.polyfit(np.arange(6.0), z, 2, full=True), x)
    with pytest.raises(asd.UnsupportedFunctionError, match="rank"):
        asd.trace(lambda z: np.linalg.lstsq(np.outer(z[:3], z[3:5]), z[:3])[0], x)
