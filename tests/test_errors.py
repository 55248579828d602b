"""Every mistake a user can make while tracing gets an error that names the fix."""

import math

import numpy as np
import pytest

import asd

X = np.array([0.5, 1.5, -2.0])


def _raises(exc, f, match, mode="global"):
    with pytest.raises(exc, match=match):
        asd.trace(f, X, mode=mode)


def test_unsupported_function_is_named_with_a_hint():
    _raises(asd.UnsupportedFunctionError, lambda x: np.unique(x), r"np\.unique.*np\.sort")
    _raises(asd.UnsupportedFunctionError, lambda x: np.histogram(x)[0], r"np\.histogram")
    _raises(
        asd.UnsupportedFunctionError, lambda x: np.linalg.eigh(x.reshape(1, 3) * x[:, None]), "eigh"
    )
    _raises(asd.UnsupportedFunctionError, lambda x: np.correlate(x, x), r"np\.convolve")


def test_branches_beyond_the_path_limit():
    def loop(x):  # the exit depends on x: a new decision on every pass
        y = x[0] * 1.0
        while y > 1e-300:
            y = y * 0.5
        return x * y

    def many(x):  # 2**7 paths
        s = x * 0.0
        for _ in range(7):
            s = s + (x if x[0] > s[0] else -x)
        return s

    _raises(asd.TracerBoolError, loop, r"branches on traced values along one path.*np\.where")
    _raises(asd.TracerBoolError, many, r"more than 64 paths.*local")
    # the same functions trace in local mode
    tape = asd.trace(many, X, mode="local")
    assert np.allclose(asd.evaluate(tape, X), many(X))
    with pytest.raises(asd.InputError, match="shape depends on a branch"):
        asd.trace(lambda x: x if x[0] > 0 else x[:2], X)
    with pytest.raises(asd.TracerBoolError, match="mask"):
        asd.trace(lambda x: x > 0 if x[1] > 0 else x < 0, X)


def test_lists_of_traced_values():
    # numpy functions that take one array: the list becomes one traced array
    for f in (
        lambda x: np.max([np.abs(x[0] - 1), np.abs(2 * x[1])]),
        lambda x: np.prod([np.sum(x[:i] ** 2) for i in (1, 2, 3)]),
        lambda x: np.dot([x[0], x[1]], (x[1], 2.0)) + np.linalg.norm([x[2], 3.0]),
    ):
        tape = asd.trace(f, X)
        for z in (X, X[::-1], 2 * X):
            np.testing.assert_allclose(asd.evaluate(tape, z), f(z))
    # a ufunc converts list elements one by one: the error says how to write it
    _raises(asd.TracerBufferError, lambda x: np.exp([x[0], x[1]]), r"np\.exp\(np\.array")


def test_float_and_math_functions():
    _raises(asd.TracerConversionError, lambda x: float(x[0]) * x, r"float\(\)")
    _raises(asd.TracerConversionError, lambda x: math.exp(x[0]) * x, r"np\.exp")
    _raises(asd.TracerConversionError, lambda x: x.astype(int), "astype")
    _raises(asd.TracerConversionError, lambda x: x[0].item(), r"\.item")


OUTSIDE = np.zeros(3)  # made before tracing: a plain array


def test_writing_into_a_plain_numpy_buffer():
    def scalar_write(x):
        out = OUTSIDE.copy()
        out[0] = x[0]
        return out

    def slice_write(x):
        out = np.zeros(3, dtype=np.float32)  # not float64: stays plain
        out[:] = x * 2
        return out

    _raises(asd.TracerConversionError, scalar_write, r"np\.zeros\(m\)")
    _raises(asd.TracerBufferError, slice_write, r"np\.zeros\(m\)")


def test_add_at_into_plain_buffer():
    def f(x):
        out = OUTSIDE.copy()
        np.add.at(out, [0, 1, 0], x)
        return out

    _raises(asd.TracerBufferError, f, "zeros_like")


def test_traced_indices_and_masks():
    _raises(asd.TracerIndexError, lambda x: x[x > 0], r"np\.where")
    _raises(asd.TracerIndexError, lambda x: np.nonzero(x), "np.where")
    # a traced boolean mask works in local mode and is guarded
    tape = asd.trace(lambda x: x[x > 0] * 2, X, mode="local")
    assert np.allclose(asd.evaluate(tape, X), [1.0, 3.0])
    with pytest.raises(asd.BranchChangedError):
        asd.evaluate(tape, -X)


def test_wrong_input_shape_and_nan():
    tape = asd.trace(lambda x: x * 2, X)
    with pytest.raises(asd.InputError, match="shape"):
        asd.evaluate(tape, np.ones(4))
    with pytest.raises(asd.InputError, match="non-finite"):
        asd.jvp(tape, np.array([1.0, np.nan, 0.0]), np.eye(3))
    with pytest.raises(asd.InputError, match="dtype"):
        asd.trace(lambda x: x, np.array(["a", "b"]))


def test_mixed_traces_and_bad_mode():
    other = {}
    asd.trace(lambda x: other.setdefault("t", x), X)
    with pytest.raises(asd.InputError, match="two different traces"):
        asd.trace(lambda x: x + other["t"], X)
    with pytest.raises(asd.InputError, match="mode"):
        asd.trace(lambda x: x, X, mode="sometimes")


def test_work_arrays_too_large_raise_before_allocating(monkeypatch):
    """Forced reverse mode on a Jacobian with one dense column needs one colour per row:
    the error comes before the n x n blocks are allocated."""
    monkeypatch.setenv("ASD_MEMORY_LIMIT", "1G")
    n = 20_000
    x = np.linspace(0.1, 1.0, n)

    def f(x):
        return x * x[0]

    with pytest.raises(asd.WorkTooLargeError, match="mode='auto'"):
        asd.jacobian(f, x, mode="reverse", format="csr")
    J = asd.jacobian(f, x, format="csr")  # auto: direct accumulation, a few entries per row
    assert J.mode == "direct" and J.nnz == 2 * n - 1


def test_memory_limit_setting_is_checked(monkeypatch):
    monkeypatch.setenv("ASD_MEMORY_LIMIT", "lots")
    with pytest.raises(asd.InputError, match="ASD_MEMORY_LIMIT"):
        asd.jacobian(lambda x: x * x[0], np.ones(5), mode="forward", format="csr")
