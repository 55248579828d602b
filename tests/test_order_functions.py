"""Order and index-valued functions: sort / argsort (also along an axis), argmax /
argmin, searchsorted, traced integer indices (x[np.argmax(x)], take_along_axis),
Python's max / min / sum / sorted, var / std; nonzero-style functions in local mode,
np.unique as a clear error. Values, Jacobians and Hessians against jax; global ⊇
local ⊇ true patterns; the sort pattern in global mode is the whole axis."""

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import asd
from asd.tracing.order import network
from tests.derivcheck import check, dense, jax_refs

jax.config.update("jax_enable_x64", True)

RNG = np.random.default_rng(21)


def both(body):
    return (lambda x: body(np, x)), (lambda x: body(jnp, x))


def _max(xp, x):
    return xp.max(x)


CASES = {
    "sort": (lambda xp, x: xp.sort(x) * xp.arange(1.0, 8.0), 7),
    "sort axis 0": (lambda xp, x: xp.sort(xp.sin(x.reshape(3, 4)), axis=0) ** 2, 12),
    "sort axis 1": (lambda xp, x: xp.sort(x.reshape(3, 4), axis=1) * x.reshape(3, 4)[:, :1], 12),
    "sort axis None": (lambda xp, x: xp.sort(x.reshape(3, 4), axis=None)[:5] ** 3, 12),
    "median by sort": (lambda xp, x: xp.sort(x)[4] * x, 9),
    "x[argsort]": (lambda xp, x: x[xp.argsort(x)] ** 2, 6),
    "x[argmax]": (lambda xp, x: x[xp.argmax(x)] * x, 5),
    "x[argmin] of expr": (lambda xp, x: xp.exp(x)[xp.argmin(x**2)] + x, 5),
    "argmax axis": (
        lambda xp, x: (
            xp.take_along_axis(x.reshape(3, 3), xp.argmax(x.reshape(3, 3), axis=1)[:, None], axis=1)
            * x[:3, None]
        ),
        9,
    ),
    "take_along_axis argsort": (
        lambda xp, x: (
            xp.take_along_axis(x.reshape(2, 4), xp.argsort(x.reshape(2, 4), axis=1), 1) ** 2
        ),
        8,
    ),
    "A[k, argmax]": (lambda xp, x: xp.outer(x, x)[1, xp.argmax(x)] * x, 4),
    "A[:, argmax]": (lambda xp, x: xp.outer(x, xp.sin(x))[:, xp.argmax(x)], 4),
    "take": (lambda xp, x: xp.take(x.reshape(2, 3), xp.argmin(x[:3]), axis=1) * x[:2], 6),
    "searchsorted": (
        lambda xp, x: (
            xp.searchsorted(xp.array([-0.5, 0.0, 0.5]), x) * x
            + xp.searchsorted(xp.array([-0.5, 0.0, 0.5]), x, side="right") * x**2
        ),
        5,
    ),
    "var std": (lambda xp, x: x.std() * xp.var(x.reshape(2, 3), axis=1, ddof=1)[0] * x, 6),
}


@pytest.mark.parametrize("name", list(CASES))
def test_order_function_against_jax(name):
    body, n = CASES[name]
    f, fj = both(body)
    jac, hess = jax_refs(fj)
    for _ in range(3):
        x = RNG.standard_normal(n)
        np.testing.assert_allclose(f(x), np.asarray(fj(jnp.asarray(x))), rtol=1e-12, atol=1e-12)
        check(f, x, jac_ref=jac, hess_ref=hess, atol=1e-9, rtol=1e-9)


def test_sorting_network_sorts_every_01_input():
    # the 0-1 principle: a comparator network sorting every 0/1 input sorts everything
    for n in range(1, 13):
        for bits in itertools.product((0.0, 1.0), repeat=n):
            a = np.array(bits)
            for lo, hi in network(n):
                a[lo], a[hi] = np.minimum(a[lo], a[hi]), np.maximum(a[lo], a[hi])
            assert (np.diff(a) >= 0).all(), n
    for n in (17, 33, 100):
        a = RNG.standard_normal(n)
        b = a.copy()
        for lo, hi in network(n):
            b[lo], b[hi] = np.minimum(b[lo], b[hi]), np.maximum(b[lo], b[hi])
        np.testing.assert_array_equal(b, np.sort(a))


def test_global_sort_pattern_is_the_whole_axis_local_the_permutation():
    x = RNG.standard_normal(12)

    def f(x):
        return np.sort(x.reshape(3, 4), axis=1)

    glob = dense(asd.jacobian_sparsity(f, x))
    np.testing.assert_array_equal(glob, np.kron(np.eye(3), np.ones((4, 4))).astype(bool))
    loc = dense(asd.jacobian_sparsity(f, x, mode="local"))
    assert loc.sum() == 12 and (loc.sum(axis=0) == 1).all()


def test_index_results_equal_numpy_at_many_points_with_ties():
    cut = np.array([0.5, 1.0, 2.5])
    cases = [  # (traced function, numpy reference: argsort ties as kind="stable")
        (np.argsort, lambda x: np.argsort(x, kind="stable")),
        (
            lambda x: np.argsort(x.reshape(3, 3), axis=0),
            lambda x: np.argsort(x.reshape(3, 3), axis=0, kind="stable"),
        ),
        (lambda x: np.argmax(x.reshape(3, 3), axis=1), None),
        (lambda x: np.argmin(x.reshape(3, 3), axis=0, keepdims=True), None),
        (np.argmax, None),
        (lambda x: np.searchsorted(cut, x), None),
        (lambda x: np.searchsorted(cut, x, side="right"), None),
    ]
    for f, ref in cases:
        tape = asd.trace(f, RNG.standard_normal(9))  # traced at another point
        assert asd.jacobian_sparsity(f, RNG.standard_normal(9)).nnz == 0  # no derivative
        for _ in range(20):
            x = RNG.integers(0, 4, 9).astype(float)  # many ties
            np.testing.assert_array_equal(asd.evaluate(tape, x), (ref or f)(x))


def test_python_builtins_max_min_sum_sorted_in_global_mode():
    def f(x):
        return max(x) * min(x) + sum(x) + sorted(x)[1] * max(x[0], x[1] ** 2, 0.5)

    def fj(x):
        return (
            jnp.max(x) * jnp.min(x)
            + jnp.sum(x)
            + jnp.sort(x)[1] * jnp.max(jnp.array([x[0], x[1] ** 2, 0.5]))
        )

    jac, hess = jax_refs(fj)
    for _ in range(3):
        x = RNG.standard_normal(5)
        check(f, x, jac_ref=jac, hess_ref=hess, atol=1e-9, rtol=1e-9)
    tape = asd.trace(f, np.ones(5) + RNG.random(5))
    assert tape.n_nodes < 200
    # outside a trace, the builtins are Python's own
    assert max([1, 3, 2]) == 3 and sum([1, 2]) == 3 and max.__module__ == "builtins"


def test_sum_of_rows_and_empty_and_key():
    def f(x):
        A = x.reshape(2, 3)
        return sum(A) + max(x, key=None) + min([], default=0.0)

    x = RNG.standard_normal(6)
    np.testing.assert_allclose(asd.evaluate(asd.trace(f, x), x), f(x))
    # a key compares traced values in Python: every path of the comparisons is traced
    tape = asd.trace(lambda x: max(x, key=lambda v: -v), x)
    for z in (x, -x, RNG.standard_normal(6)):
        np.testing.assert_allclose(asd.evaluate(tape, z), min(z))
    with pytest.raises(asd.TracerBoolError, match="paths"):
        asd.trace(lambda x: max(x, key=lambda v: -v), RNG.standard_normal(8))


def test_local_mode_guards_the_index():
    def f(x):
        return x[np.argmax(x)] * x

    x = np.array([0.1, 2.0, 0.3])
    J = asd.jacobian(f, x, sparsity="local")
    assert J.nnz == 3 + 2
    with pytest.raises(asd.BranchChangedError):
        J(np.array([3.0, 2.0, 0.3]))


def test_nonzero_family_local_only_and_unique_error():
    x = np.array([1.0, -2.0, 3.0, 0.0])
    for fn in (np.nonzero, np.flatnonzero, np.argwhere):
        with pytest.raises(asd.TracerIndexError, match="sparsity='local'"):
            asd.trace(lambda x, fn=fn: x[fn(x > 0)], x)
    tape = asd.trace(lambda x: x[np.flatnonzero(x > 0)] * 2, x, mode="local")
    np.testing.assert_allclose(asd.evaluate(tape, x), [2.0, 6.0])
    with pytest.raises(asd.BranchChangedError):
        asd.evaluate(tape, -x)
    tape = asd.trace(lambda x: x[tuple(np.argwhere(x > 0).T)], x, mode="local")
    np.testing.assert_allclose(asd.evaluate(tape, x), [1.0, 3.0])
    with pytest.raises(asd.UnsupportedFunctionError, match=r"np\.unique.*np\.sort"):
        asd.trace(lambda x: np.unique(x), x)


def test_traced_index_write_is_a_clear_error_in_global_mode():
    def f(x):
        y = x.copy()
        y[np.argmax(x)] = 0.0
        return y

    with pytest.raises(asd.TracerIndexError, match="np.where"):
        asd.trace(f, np.ones(3))
    x = np.array([0.5, 2.0, 1.0])
    tape = asd.trace(f, x, mode="local")
    np.testing.assert_allclose(asd.evaluate(tape, x), [0.5, 0.0, 1.0])


def test_in_place_sort_method():
    def f(x):
        y = x * 1.0
        y.sort()
        return y * np.arange(1.0, 5.0)

    x = RNG.standard_normal(4)
    np.testing.assert_allclose(asd.evaluate(asd.trace(f, x), x), np.sort(x) * np.arange(1.0, 5.0))
