"""Buffers made by numpy constructors inside the traced function (F = np.zeros(m) then
F[i] = ...): the residual style of MGH / CUTEst translations and hand-written Newton
codes, with m != n, 2-D buffers, views, in-place updates, and plain behaviour for
buffers that never receive a traced value."""

import numpy as np
import pytest

import asd
from tests.derivcheck import check, dense

RNG = np.random.default_rng(15)


def box3d(x):
    """MGH problem 12 (Box three-dimensional), m = 10 > n = 3, scalar loop style."""
    m = 10
    fvec = np.zeros(m)
    for i in range(m):
        t = 0.1 * (i + 1)
        fvec[i] = np.exp(-t * x[0]) - np.exp(-t * x[1]) - x[2] * (np.exp(-t) - np.exp(-10.0 * t))
    return fvec


def box3d_jac(x):
    t = 0.1 * np.arange(1, 11)
    return np.column_stack(
        [-t * np.exp(-t * x[0]), t * np.exp(-t * x[1]), -(np.exp(-t) - np.exp(-10 * t))]
    )


def brown_dennis(x):
    """MGH problem 16 (Brown and Dennis), m = 20 > n = 4, with np.empty and slices."""
    m = 20
    fvec = np.empty(m)
    t = np.arange(1, m + 1) / 5.0
    for i in range(m):
        a = x[0] + t[i] * x[1] - np.exp(t[i])
        b = x[2] + x[3] * np.sin(t[i]) - np.cos(t[i])
        fvec[i] = a * a + b * b
    return fvec


def watson_like(x):
    """Fewer outputs than inputs (m = 2 < n = 5), vectorised writes into slices."""
    F = np.ones(2)
    F[0] = np.sum(x**2) - 1.0
    F[1:] = x[0] * x[-1]
    return F


def two_d(x):
    """A 2-D buffer written element by element, row views and a column slice."""
    J = np.zeros((3, 4))
    for i in range(3):
        J[i, i] = x[i] ** 2
        J[i][i + 1] = x[i] * x[i + 1]  # through a row view made before the write
    row = J[2]
    row[0] = np.sin(x[0])
    J[:, 3] += x[:3]
    return J * 2.0 - 1.0


def full_and_array(x):
    a = np.full(4, 2.0)
    a[::2] = x[:2] ** 3
    b = np.array([1.0, 2.0, 3.0])  # constants, later written into
    b[1] = x[2] / x[0]
    c = np.zeros_like(np.ones(2))  # zeros_like of a constant
    c[0] = np.cos(x[1])
    return np.concatenate([a, b, c, a[1:3] * b[:2]])


def newton_residual(x):
    """A hand-written Newton code: the residual of a 1-D boundary value problem."""
    n = x.size
    h = 1.0 / (n + 1)
    F = np.zeros(n)
    F[0] = 2 * x[0] - x[1] - h * h * np.exp(x[0])
    F[1:-1] = -x[:-2] + 2 * x[1:-1] - x[2:] - h * h * np.exp(x[1:-1])
    F[-1] = -x[-2] + 2 * x[-1] - h * h * np.exp(x[-1])
    return F


@pytest.mark.parametrize(
    "f,n",
    [
        (box3d, 3),
        (brown_dennis, 4),
        (watson_like, 5),
        (two_d, 4),
        (full_and_array, 3),
        (newton_residual, 6),
    ],
)
def test_buffers_give_exact_derivatives(f, n):
    for _ in range(2):
        x = RNG.uniform(0.5, 1.5, n)
        check(f, x)


def test_box3d_against_the_hand_written_jacobian():
    x = np.array([0.2, 9.0, 1.3])
    check(box3d, x, jac_ref=box3d_jac, hessian=False)
    J = asd.jacobian(box3d)(x)
    assert J.shape == (10, 3)


def test_mgh_with_least_squares():
    from scipy.optimize import least_squares

    x0 = np.array([0.0, 10.0, 20.0])
    res = least_squares(box3d, x0, jac=asd.jacobian(box3d, format="dense"), xtol=1e-12)
    assert res.cost < 1e-12


def test_untouched_buffers_stay_numpy():
    seen = {}

    def f(x):
        idx = np.zeros(3, dtype=int)  # integer bookkeeping: a plain ndarray
        idx[1] = 2
        mask = np.zeros(3, dtype=bool)
        mask[idx[1]] = True
        w = np.ones(3)  # float, never traced: numbers only
        w[mask] = 5.0
        w *= 2.0
        seen["idx"], seen["w"], seen["wsum"] = type(idx), w.copy(), type(w + 1)
        seen["mask_type"] = type(mask)
        return x * w

    x = np.array([1.0, 2.0, 3.0])
    tape = asd.trace(f, x)
    assert seen["idx"] is np.ndarray and seen["mask_type"] is np.ndarray
    assert seen["wsum"] is np.ndarray  # results of a float buffer are plain arrays
    np.testing.assert_array_equal(seen["w"], [2.0, 2.0, 10.0])
    np.testing.assert_allclose(asd.evaluate(tape, x), f(x))
    assert asd.jacobian_sparsity(f, x).nnz == 3


def test_buffer_with_add_at_out_and_inplace():
    def f(x):
        acc = np.zeros(3)
        np.add.at(acc, [0, 2, 0], x[:3])
        out = np.zeros(3)
        np.multiply(x[:3], 2.0, out=out)
        out += acc
        return out

    check(f, RNG.uniform(0.5, 1.5, 4))


def test_buffer_returned_through_asarray_and_methods():
    def f(x):
        F = np.zeros((2, 2))
        F[0, :] = x[:2]
        F[1, 1] = x[2] ** 2
        G = np.asarray(F)  # a traced buffer through np.asarray keeps tracing
        return np.concatenate([G.ravel(), F.sum(axis=0), [F.T[1, 0] * F.max()]])

    check(f, RNG.uniform(0.5, 1.5, 3))


def test_buffer_after_trace_still_works_as_numpy():
    keep = {}

    def f(x):
        F = np.zeros(2)
        keep["F"] = F
        F[0] = 3.0
        return x * F[0]

    asd.trace(f, np.ones(2))
    F = keep["F"]
    assert isinstance(F, np.ndarray)
    np.testing.assert_array_equal(F + 1, [4.0, 1.0])
    # outside a trace, the constructors are numpy's own
    assert type(np.zeros(3)) is np.ndarray


def test_buffers_in_local_mode_with_branches():
    def f(x):
        F = np.zeros(3)
        for i in range(3):
            F[i] = x[i] if x[i] > 0 else -2 * x[i]
        return F

    x = np.array([1.0, -2.0, 3.0])
    tape = asd.trace(f, x, mode="local")
    np.testing.assert_allclose(asd.evaluate(tape, x), f(x))
    J = dense(asd.jacobian(f, x, sparsity="local")(x))
    np.testing.assert_allclose(J, np.diag([1.0, -2.0, 1.0]))


def test_other_threads_get_plain_arrays_while_tracing():
    import threading

    seen = {}
    go, done = threading.Event(), threading.Event()

    def other():
        go.wait(5)
        seen["type"] = type(np.zeros(3))
        seen["max"] = max([1.0, 4.0, 2.0])
        done.set()

    th = threading.Thread(target=other)
    th.start()

    def f(x):
        go.set()
        done.wait(5)
        F = np.zeros(2)
        F[0] = x[0]
        return F

    asd.trace(f, np.ones(2))
    th.join()
    assert seen == {"type": np.ndarray, "max": 4.0}


def test_integer_buffer_with_traced_write_is_a_clear_error():
    def f(x):
        k = np.zeros(2, dtype=int)
        k[0] = x[0]
        return x

    with pytest.raises(asd.TracerConversionError, match="np.zeros"):
        asd.trace(f, np.ones(2))


def test_trace_time_replacements_follow_the_current_numpy_attributes(monkeypatch):
    """The wrappers installed while tracing are reused between traces only while they
    wrap the attributes numpy has now: a user's own np.sum / np.zeros is still called,
    and every attribute is restored after the trace."""
    x = np.linspace(0.5, 1.5, 4)
    for _ in range(2):  # the wrappers of these traces are the ones kept for reuse
        asd.trace(lambda x: np.sum(np.zeros(4) + x), x)
    calls = []
    real_sum, real_zeros = np.sum, np.zeros

    def my_sum(*args, **kwargs):
        calls.append("sum")
        return real_sum(*args, **kwargs)

    def my_zeros(*args, **kwargs):
        calls.append("zeros")
        return real_zeros(*args, **kwargs)

    monkeypatch.setattr(np, "sum", my_sum)
    monkeypatch.setattr(np, "zeros", my_zeros)
    tape = asd.trace(lambda x: np.sum(np.zeros(4) + x**2), x)
    assert calls[0] == "zeros" and "sum" in calls
    assert np.sum is my_sum and np.zeros is my_zeros
    np.testing.assert_allclose(asd.evaluate(tape, x), real_sum(x**2), rtol=1e-15)
