"""numpy semantics the tracer must keep: matrix norms, in-place operators and views,
boolean arithmetic, complex input, empty shapes, and clear errors for bad returns."""

import numpy as np
import pytest
import scipy.sparse as sp

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
        J = asd.jacobian(f, x, mode=mode, format="csr")(x).toarray()
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
def test_svd_matrix_norms_above_the_size_limit_raise_a_clear_error(ord):
    from asd.tracing.spectral import MAX_SPECTRAL

    n = MAX_SPECTRAL + 1
    x = np.ones(n * (n + 2))
    with pytest.raises(asd.UnsupportedFunctionError, match=f"up to {MAX_SPECTRAL}.*fro"):
        asd.trace(lambda x: np.linalg.norm(x.reshape(n + 2, n), ord, axis=(0, 1)), x)


def test_vector_norm_negative_and_fractional_orders():
    x = np.array([0.5, -1.5, 2.0, 0.7])
    for ord in (-2, 0.5, 3, -1.5, 0):
        _check_jacobian(lambda x, o=ord: np.atleast_1d(np.linalg.norm(x, o)), x)


# -- finding 6: in-place operators, views and aliases, bool arithmetic, complex ----------


def _same_as_numpy(f, x):
    """asd's traced values equal numpy's (which runs f on a copy) and J matches FD."""
    got = asd.evaluate(asd.trace(f, x), x)
    np.testing.assert_allclose(got, f(x.copy()), rtol=1e-12, atol=1e-12)
    _check_jacobian(f, x)


X6 = np.array([0.5, 1.5, -2.0, 3.0, 0.25])


def test_inplace_add_updates_a_view_of_the_array():
    def f(x):
        y = x * 1.0
        w = y[1:]
        y += 1.0
        return w * 1.0

    _same_as_numpy(f, X6)


def test_inplace_mul_updates_an_alias():
    def f(x):
        y = x * 1.0
        z = y
        y *= x
        return z + 0.0

    _same_as_numpy(f, X6)


@pytest.mark.parametrize(
    "op",
    [
        lambda y, x: y.__iadd__(x[::-1]),
        lambda y, x: y.__isub__(2.0 * x),
        lambda y, x: y.__imul__(x),
        lambda y, x: y.__itruediv__(x + 10.0),
        lambda y, x: y.__ipow__(2),
        lambda y, x: y.__ifloordiv__(0.7),
        lambda y, x: y.__imod__(0.7),
    ],
)
def test_each_inplace_operator_writes_through_a_view(op):
    def f(x):
        y = x * 1.0
        w = y[::2]
        op(w, x[: w.shape[0]] * 1.0)
        return np.concatenate([y, w])

    x = X6 + 0.05
    got = asd.evaluate(asd.trace(f, x), x)
    np.testing.assert_allclose(got, f(x.copy()), rtol=1e-12)


def test_inplace_matmul():
    A = np.arange(9.0).reshape(3, 3) / 10

    def f(x):
        y = x[:3] * 1.0
        z = y
        y @= A
        return z * 1.0

    _same_as_numpy(f, X6)


def test_inplace_mask_operators():
    def f(x):
        m = x > 0
        alias = m
        m &= x < 2.0
        m |= x < -1.0
        m ^= x > 0.4
        return np.where(alias, x, 0.0)

    _same_as_numpy(f, X6)


def test_inplace_on_a_2d_view_and_a_transpose():
    def f(x):
        y = np.concatenate([x, x]).reshape(2, 5) * 1.0
        t = y.T
        col = y[:, 1]
        t[2] *= 3.0
        col += x[:2]
        w = y[0, 1:4]
        w[0] = x[0] ** 2  # setitem: view -> base
        y[0, 3] = np.sin(x[4])  # base -> view
        return np.concatenate([y.ravel(), w])

    _same_as_numpy(f, X6)


def test_inplace_keeps_numpy_errors():
    def bad_shape(x):
        y = x[:2] * 1.0
        y += x[:, None][:3, :1] * np.ones((1, 2))  # (3, 2) does not fit into (2,)
        return y

    with pytest.raises(ValueError, match="non-broadcastable"):
        asd.trace(bad_shape, X6)

    def bool_plus_float(x):
        m = x > 0
        m += x
        return m

    with pytest.raises(TypeError, match="Cannot cast"):
        asd.trace(bool_plus_float, X6)


def test_bool_arithmetic_is_logical():
    def f(x):
        return ((x > 0) + (x > 1)) * x + ((x > 0) * (x < 2)) * 2.0 * x

    _same_as_numpy(f, X6)
    with pytest.raises(TypeError, match="boolean subtract"):
        asd.trace(lambda x: (x > 0) - (x > 1), X6)


def test_complex_input_is_rejected():
    z = X6 + 1j
    for call in (
        lambda: asd.jacobian(lambda x: x**2, format="csr")(z),
        lambda: asd.jacobian(lambda x: x**2, z, format="csr"),
        lambda: asd.hessian(lambda x: np.sum(x**2), format="csr")(z),
        lambda: asd.gradient(lambda x: np.sum(x**2))(z),
        lambda: asd.trace(lambda x: x**2, z),
        lambda: asd.evaluate(asd.trace(lambda x: x**2, X6), z),
        lambda: asd.jvp(asd.trace(lambda x: x**2, X6), X6, z),
        lambda: asd.vjp(asd.trace(lambda x: x**2, X6), X6, z),
    ):
        with pytest.raises(asd.InputError, match="complex"):
            call()


@pytest.mark.parametrize(
    "f",
    [
        lambda x: x * (1 + 2j),
        lambda x: np.exp(1j * x),
        lambda x: np.array([[1j, 0], [0, 1]]) @ x[:2],
        lambda x: x + np.ones(5, complex),
    ],
)
def test_complex_constants_give_a_clear_error(f):
    with pytest.raises(asd.InputError, match="complex.*real and imaginary parts"):
        asd.trace(f, X6)


# -- finding 7: empty and degenerate shapes -----------------------------------------------


@pytest.mark.parametrize(
    "f",
    [
        lambda x: np.prod(x[:0]) * x,
        lambda x: np.prod(x.reshape(5, 1)[:, :0], axis=1) + x,
        lambda x: np.prod(x.reshape(5, 1)[:, :0], axis=1, keepdims=True) + x[:, None],
        lambda x: np.any(x.reshape(5, 1)[:, :0] > 0, axis=1) + x,
        lambda x: np.all(x.reshape(5, 1)[:, :0] > 0, axis=1) + x,
        lambda x: x * np.multiply.reduce(x[:0]),
    ],
)
def test_empty_products_and_logical_reductions_are_numpys_identity(f):
    got = asd.evaluate(asd.trace(f, X6), X6)
    np.testing.assert_array_equal(got, f(X6))
    _check_jacobian(f, X6)


def test_empty_mean_is_nan_with_a_warning_and_empty_max_raises():
    def f(x):
        return np.concatenate([np.atleast_1d(np.mean(x[:0])), np.mean(x.reshape(5, 1)[:, :0], 1)])

    with pytest.warns(RuntimeWarning):
        got = asd.evaluate(asd.trace(f, X6), X6)
    with pytest.warns(RuntimeWarning):
        ref = f(X6)
    assert got.shape == ref.shape and np.isnan(got).all() and np.isnan(ref).all()
    # no identity: numpy raises, and so does asd
    with pytest.raises(ValueError, match="zero-size array"):
        np.max(X6[:0])
    with pytest.raises(ValueError, match="zero-size array"):
        asd.trace(lambda x: np.max(x[:0]), X6)


def test_add_at_with_an_empty_selection_is_a_no_op():
    def f(x):
        y = x * 2.0
        np.add.at(y, np.array([], dtype=int), x[0])
        np.add.at(y, np.zeros(5, bool), 1.0)
        return y

    _same_as_numpy(f, X6)


def test_derivatives_of_functions_with_zero_outputs():
    tape = asd.trace(lambda x: x[:0] * 2.0, X6)
    y, g = asd.vjp(tape, X6, np.zeros(0))
    assert y.shape == (0,) and np.array_equal(g, np.zeros(5))
    y, G = asd.vjp(tape, X6, np.zeros((0, 3)))
    assert G.shape == (5, 3) and not G.any()
    y, JV = asd.jvp(tape, X6, np.eye(5))
    assert JV.shape == (0, 5)
    assert asd.hvp(tape, X6, np.zeros(0), np.eye(5)).shape == (5, 5)
    for mode in JAC_MODES:
        assert asd.jacobian(lambda x: x[:0] * 2.0, mode=mode, format="csr")(X6).shape == (0, 5)


def test_derivatives_with_zero_inputs():
    x = np.zeros(0)
    tape = asd.trace(lambda x: np.concatenate([x * 2.0, np.ones(2)]), x)
    y, JV = asd.jvp(tape, x, np.zeros((0, 3)))
    assert np.array_equal(y, np.ones(2)) and JV.shape == (2, 3)
    y, JV = asd.jvp(tape, x, np.zeros(0))
    assert JV.shape == (2,)
    y, G = asd.vjp(tape, x, np.ones(2))
    assert G.shape == (0,)
    assert asd.hvp(tape, x, np.ones(2), np.zeros((0, 2))).shape == (0, 2)
    assert asd.jacobian(lambda x: x * 2.0, format="csr")(x).shape == (0, 0)
    assert asd.hessian(lambda x: np.sum(x**2), format="csr")(x).shape == (0, 0)
    assert asd.gradient(lambda x: np.sum(x**2))(x).shape == (0,)


# -- finding 8: unclear failures ------------------------------------------------------------


@pytest.mark.parametrize(
    ("f", "what"),
    [
        (lambda x: None, "NoneType"),
        (lambda x: {"y": x}, "dict"),
        (lambda x: "x", "str"),
        (lambda x: [x[0], "a"], "list"),
        (lambda x: [x[:2], x], "list"),
        (lambda x: object(), "object"),
    ],
)
def test_returning_a_non_array_names_what_was_returned(f, what):
    with pytest.raises(asd.InputError, match=f"returned (a )?{what}.*return"):
        asd.trace(f, X6)
    with pytest.raises(asd.InputError, match="must return an array|one array"):
        asd.jacobian(f, format="csr")(X6)
    # lists and tuples of arrays and numbers are still stacked
    got = asd.evaluate(asd.trace(lambda x: (x[0] * 2, x[1], 3.0), X6), X6)
    np.testing.assert_allclose(got, [1.0, 1.5, 3.0])


def test_library_functions_that_convert_to_numpy_give_an_asd_error():
    import scipy.linalg
    import scipy.optimize
    import scipy.special

    with pytest.raises(asd.TracerBufferError, match=r"rosen.*np\.sum\(100"):
        asd.jacobian(scipy.optimize.rosen, format="csr")(X6)
    with pytest.raises(asd.TracerBufferError, match="factorial.*numpy operations"):
        asd.trace(lambda x: scipy.special.factorial(x), X6)
    with pytest.raises(asd.UnsupportedFunctionError, match="expm.*numpy operations"):
        asd.trace(lambda x: scipy.linalg.expm(x[:4].reshape(2, 2)), X6)


def test_numpy_function_imported_before_tracing_gives_an_asd_error():
    from numpy import asarray

    def f(x):
        x = asarray(x)
        return x[1:] - x[:-1]

    with pytest.raises(asd.TracerBufferError, match=r"np\.asarray\(x\)"):
        asd.trace(f, X6)
    # scipy.sparse's A @ t still hands over to the traced array's __rmatmul__
    import scipy.sparse as sp

    A = sp.random_array((3, 5), density=0.5, rng=np.random.default_rng(0)).tocsr()
    for g in (lambda x: A @ x, lambda x: A.dot(x), lambda x: sp.csr_matrix(A) @ x):
        np.testing.assert_allclose(asd.evaluate(asd.trace(g, X6), X6), A @ X6)
        np.testing.assert_allclose(asd.jacobian(g, format="csr")(X6).toarray(), A.toarray())


def test_matrix_norm_hessians_match_finite_differences():
    from tests.reference import fd_hessian

    x = np.random.default_rng(6).standard_normal(12)

    def f(x):
        M = x.reshape(2, 2, 3)
        return np.sum(np.linalg.norm(M, "fro", axis=(1, 2)) ** 3) + np.linalg.norm(
            M[0], 1, axis=(0, 1)
        ) * np.linalg.norm(M[1], -np.inf, axis=(-2, -1))

    ref = fd_hessian(f, x)
    for mode in ("direct", "colored"):
        H = asd.hessian(f, x, mode=mode, format="csr")(x).toarray()
        np.testing.assert_allclose(H, ref, atol=1e-5, rtol=1e-5, err_msg=mode)


def test_constant_sparse_matrices_of_the_user_are_never_edited():
    """A CSR matrix with an explicit zero and unsorted duplicates, used in ``A @ x``, a
    sparse solve and a given sparsity pattern, keeps its arrays as they were."""
    import scipy.sparse.linalg as spl

    data, indices, indptr = np.array([1.0, 0.0, 2.0, 3.0]), np.array([1, 0, 1, 1]), [0, 2, 4]
    A = sp.csr_array((data, indices, np.array(indptr)), shape=(2, 2))
    P = sp.csr_array((np.ones(4, bool), np.array([1, 0, 1, 0]), np.array(indptr)), shape=(2, 2))
    K = sp.csr_array((np.array([4.0, 0.0, 1.0, 5.0]), np.array([0, 1, 0, 1]), np.array(indptr)))
    saved = [(M.data.copy(), M.indices.copy(), M.indptr.copy()) for M in (A, P, K)]
    x = np.array([0.3, 0.7])
    J = asd.jacobian(lambda x: A @ x**2 + spl.spsolve(K, x), format="csr", sparsity=P)(x)
    want = A.toarray() * 2 * x[None, :] + np.linalg.inv(K.toarray())
    np.testing.assert_allclose(J.toarray(), want, rtol=1e-14)
    for M, (d, i, p) in zip((A, P, K), saved):
        np.testing.assert_array_equal(M.data, d)
        np.testing.assert_array_equal(M.indices, i)
        np.testing.assert_array_equal(M.indptr, p)


@pytest.mark.parametrize("reduce", (np.sum, np.max, np.prod, np.mean))
def test_reduction_axis_out_of_range_raises_like_numpy(reduce):
    """An axis beyond the array's dimensions is numpy's AxisError, not another axis."""
    x = np.arange(6.0).reshape(2, 3)
    for axis in (2, -3, (0, 5)):
        with pytest.raises(np.exceptions.AxisError):
            reduce(x, axis=axis)
        with pytest.raises(np.exceptions.AxisError):
            asd.trace(lambda z, a=axis: reduce(z, axis=a), x)
    with pytest.raises(ValueError, match="repeated axis"):
        asd.trace(lambda z: reduce(z, axis=(1, -1)), x)
