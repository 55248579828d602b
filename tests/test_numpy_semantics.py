"""numpy semantics the tracer must keep: matrix norms, in-place operators and views,
boolean arithmetic, complex input, empty shapes, and clear errors for bad returns."""

import numpy as np
import pytest

import asd
from tests.reference import fd_jacobian

JAC_MODES = ("direct", "forward", "reverse")


def _check_jacobian(f, x, atol=1e-6):
    """Values equal numpy's, and every Jacobian mode matches finite differences
    inside the global pattern."""
    y = np.asarray(f(x), dtype=np.float64)
    np.testing.assert_allclose(asd.evaluate(asd.trace(f, x), x), y, rtol=1e-12, atol=1e-12)
    ref = fd_jacobian(lambda z: np.ravel(f(z)), x.ravel().copy()) if x.ndim == 1 else None
    if ref is None:
        ref = fd_jacobian(lambda z: np.ravel(f(z.reshape(x.shape))), x.ravel().copy())
    pattern = asd.jacobian_sparsity(f, x).toarray()
    assert not (np.abs(ref) > 1e-8)[~pattern].any()
    for mode in JAC_MODES:
        J = asd.jacobian(f, x, mode=mode)(x).toarray()
        np.testing.assert_allclose(J, ref, atol=atol, rtol=1e-6, err_msg=mode)


# -- finding 3: matrix norms ------------------------------------------------------------

MATRIX_ORDS = (1, -1, np.inf, -np.inf, "fro")


@pytest.mark.parametrize("ord", MATRIX_ORDS)
def test_matrix_norm_with_axis_tuple(ord):
    rng = np.random.default_rng(3)
    x = rng.standard_normal(12)

    def f(x):
        M = x.reshape(3, 4)
        return np.atleast_1d(np.linalg.norm(M, ord, axis=(0, 1)))

    assert np.isclose(asd.evaluate(asd.trace(f, x), x)[0], f(x)[0])
    _check_jacobian(f, x)


@pytest.mark.parametrize("ord", (1, -1, np.inf, -np.inf))
def test_matrix_norm_axis_none_on_2d(ord):
    x = np.random.default_rng(4).standard_normal(12)

    def f(x):
        return np.atleast_1d(np.linalg.norm(x.reshape(4, 3), ord))

    _check_jacobian(f, x)


@pytest.mark.parametrize("ord", (1, -1, np.inf, -np.inf, "fro"))
@pytest.mark.parametrize("axis", ((1, 2), (-2, -1), (2, 1), (-1, 0)))
@pytest.mark.parametrize("keepdims", (False, True))
def test_matrix_norm_of_stacks(ord, axis, keepdims):
    x = np.random.default_rng(5).standard_normal(24)

    def f(x):
        return np.linalg.norm(x.reshape(2, 3, 4), ord, axis=axis, keepdims=keepdims)

    assert asd.evaluate(asd.trace(f, x), x).shape == f(x).shape
    _check_jacobian(f, x)


def test_matrix_norm_values_match_numpy_exactly():
    M = np.array([[0.1, -0.2], [0.3, 0.4]])
    for ord in (1, -1, np.inf, -np.inf, "fro"):
        got = asd.evaluate(asd.trace(lambda x, o=ord: np.linalg.norm(x, o, axis=(0, 1)), M), M)
        assert np.isclose(float(got), np.linalg.norm(M, ord, axis=(0, 1))), ord


@pytest.mark.parametrize("ord", (2, -2, "nuc"))
def test_svd_matrix_norms_raise_a_clear_error(ord):
    x = np.ones(6)
    with pytest.raises(asd.UnsupportedFunctionError, match="norm.*fro"):
        asd.trace(lambda x: np.linalg.norm(x.reshape(2, 3), ord, axis=(0, 1)), x)
    with pytest.raises(asd.UnsupportedFunctionError, match="norm"):
        asd.trace(lambda x: np.linalg.norm(x.reshape(2, 3), ord), x)


def test_vector_norm_negative_and_fractional_orders():
    x = np.array([0.5, -1.5, 2.0, 0.7])
    for ord in (-2, 0.5, 3, -1.5):
        _check_jacobian(lambda x, o=ord: np.atleast_1d(np.linalg.norm(x, o)), x)
