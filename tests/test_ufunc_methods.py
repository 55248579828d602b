"""``ufunc.at``, ``ufunc.reduce`` and ``ufunc.accumulate`` of the traced ufuncs: values
against numpy (also at other points than the traced one), derivatives in every mode
against jax (float64)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.special as ss

import asd
from tests.derivcheck import check, jax_refs

jax.config.update("jax_enable_x64", True)

IDX = np.array([0, 2, 2, 5, 0, 2, 1])


def _at_jax(op):
    def f(z):
        c = z[:6] * 1.0
        v = z[6:] + 0.5
        for i, p in enumerate(IDX):  # unbuffered: in order
            c = c.at[p].set(op(c[p], v[i]))
        return c

    return f


AT = {
    "multiply": (np.multiply, jnp.multiply),
    "maximum": (np.maximum, jnp.maximum),
    "minimum": (np.minimum, jnp.minimum),
    "add": (np.add, jnp.add),
    "subtract": (np.subtract, jnp.subtract),
    "divide": (np.divide, lambda a, b: a / (b * b + 1.0)),
}


@pytest.mark.parametrize("name", sorted(AT))
def test_at(name):
    op_np, op_j = AT[name]
    x = np.random.default_rng(1).standard_normal(13)

    def f(z):
        c = z[:6].copy()
        v = z[6:] + 0.5
        if name == "divide":
            v = v * v + 1.0
        op_np.at(c, IDX, v)
        return c

    fj = _at_jax(op_j)
    jac, hess = jax_refs(fj)
    check(f, x, jac_ref=jac, hess_ref=hess)
    tape = asd.trace(f, x)
    for seed in range(3):
        z = np.random.default_rng(seed + 10).standard_normal(13)
        np.testing.assert_allclose(asd.evaluate(tape, z), f(z), rtol=1e-13)


def test_at_unary_and_2d():
    x = np.random.default_rng(2).standard_normal(6)

    def f(z):
        c = z.reshape(2, 3).copy()
        np.negative.at(c, (np.array([0, 1, 1]), np.array([2, 0, 0])))  # (1, 0) twice
        np.multiply.at(c, (0, slice(None)), z[:3])
        return c

    def fj(z):
        c = z.reshape(2, 3)
        c = c.at[0, 2].set(-c[0, 2]).at[1, 0].set(c[1, 0])
        return c.at[0, :].multiply(z[:3])

    jac, hess = jax_refs(fj)
    check(f, x, jac_ref=jac, hess_ref=hess)


REDUCE = {
    "add": (np.add, jnp.sum),
    "multiply": (np.multiply, jnp.prod),
    "maximum": (np.maximum, jnp.max),
    "minimum": (np.minimum, jnp.min),
    "subtract": (np.subtract, lambda a, axis: a[0] - jnp.sum(a[1:], axis=0)),
    "divide": (np.divide, lambda a, axis: a[0] / jnp.prod(a[1:], axis=0)),
    "hypot": (np.hypot, lambda a, axis: jnp.sqrt(jnp.sum(a * a, axis=0))),
    "logaddexp": (np.logaddexp, lambda a, axis: jax.scipy.special.logsumexp(a, axis=0)),
}


@pytest.mark.parametrize("name", sorted(REDUCE))
def test_reduce(name):
    op, ref = REDUCE[name]
    x = np.random.default_rng(3).standard_normal(12) + 2.5  # positive: a safe divide

    def f(z):
        m = z.reshape(3, 4)
        return np.concatenate([op.reduce(m, axis=0), op.reduce(m[:, 1], keepdims=True)])

    def fj(z):
        m = z.reshape(3, 4)
        return jnp.concatenate([ref(m, axis=0), jnp.atleast_1d(ref(m[:, 1], axis=0))])

    jac, hess = jax_refs(fj)
    check(f, x, jac_ref=jac, hess_ref=hess)


def test_reduce_logical_and_errors():
    x = np.array([0.3, -1.0, 2.0, 0.0])

    def f(z):
        return np.where(np.logical_xor.reduce(z > 0), z, -z) + np.logical_or.reduce(z < 0) * z

    tape = asd.trace(f, x)
    for z in (x, -x, np.array([1.0, 2.0, -3.0, 0.5])):
        np.testing.assert_array_equal(asd.evaluate(tape, z), f(z))
    with pytest.raises(ValueError, match="not reorderable"):
        asd.trace(lambda z: np.subtract.reduce(z.reshape(2, 2), axis=None), x)
    with pytest.raises(asd.UnsupportedFunctionError):
        asd.trace(lambda z: np.divmod(z, 2.0), x)


ACC = {
    "add": (np.add, lambda a: jnp.cumsum(a, axis=0)),
    "multiply": (np.multiply, lambda a: jnp.cumprod(a, axis=0)),
    "maximum": (np.maximum, lambda a: jax.lax.cummax(a, axis=0)),
    "minimum": (np.minimum, lambda a: jax.lax.cummin(a, axis=0)),
    "subtract": (np.subtract, lambda a: 2 * a[0] - jnp.cumsum(a, axis=0)),
    "logaddexp": (np.logaddexp, lambda a: jax.lax.cumlogsumexp(a, axis=0)),
}


@pytest.mark.parametrize("name", sorted(ACC))
def test_accumulate(name):
    op, ref = ACC[name]
    x = np.random.default_rng(4).standard_normal(8)
    jac, hess = jax_refs(lambda z: ref(z.reshape(4, 2)))
    check(lambda z: op.accumulate(z.reshape(4, 2)), x, jac_ref=jac, hess_ref=hess)


def test_accumulate_axis_and_special_ufunc():
    x = np.random.default_rng(5).standard_normal(6)

    def f(z):
        return (
            np.maximum.accumulate(z.reshape(2, 3), axis=1)
            + ss.xlogy.reduce(np.abs(z.reshape(2, 3)) + 0.5, axis=0).sum()
        )

    tape = asd.trace(f, x)
    np.testing.assert_allclose(asd.evaluate(tape, x), f(x), rtol=1e-13)
    check(f, x)
