"""Dense linear algebra on traced matrices (det slogdet inv solve cholesky matrix_power
pinv qr, every norm order) against jax (float64), and solves with constant matrices
(dense, block diagonal, banded, triangular, scipy.sparse, scipy.linalg /
scipy.sparse.linalg) as sparse linear nodes."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.linalg as sl
import scipy.sparse as sp
import scipy.sparse.linalg as spl

import asd
from asd.tracing.linalg import MAX_TRACED, constant_inverse
from tests.derivcheck import check, dense, jax_refs

jax.config.update("jax_enable_x64", True)
RNG = np.random.default_rng(5)


def both(body):
    return (lambda x: body(np, x)), (lambda x: body(jnp, x))


def mat(xp, x, n, shift=0.0):
    return x[: n * n].reshape(n, n) + shift * xp.eye(n)


B3 = RNG.standard_normal((3, 2))
CASES = {
    "det1": (lambda xp, x: xp.linalg.det(x[:1].reshape(1, 1)), 1),
    "det2": (lambda xp, x: xp.linalg.det(mat(xp, x, 2)), 4),
    "det3": (lambda xp, x: xp.linalg.det(mat(xp, x, 3)) * x[0], 9),
    "det4 pivoted": (lambda xp, x: xp.linalg.det(mat(xp, x, 4)), 16),
    "det5": (lambda xp, x: xp.linalg.det(mat(xp, x, 5, 0.5)), 25),
    "det stack": (lambda xp, x: xp.linalg.det(x.reshape(2, 2, 2)), 8),
    "det stack 4": (lambda xp, x: xp.linalg.det(x.reshape(2, 4, 4)), 32),
    "slogdet3": (lambda xp, x: xp.stack(xp.linalg.slogdet(mat(xp, x, 3))), 9),
    "slogdet4": (
        lambda xp, x: xp.linalg.slogdet(mat(xp, x, 4))[1] * xp.linalg.slogdet(mat(xp, x, 4))[0],
        16,
    ),
    "inv1": (lambda xp, x: xp.linalg.inv(x[:1].reshape(1, 1) + 2.0), 1),
    "inv2": (lambda xp, x: xp.linalg.inv(mat(xp, x, 2, 2.0)), 4),
    "inv3": (lambda xp, x: xp.linalg.inv(mat(xp, x, 3)), 9),
    "inv4": (lambda xp, x: xp.linalg.inv(mat(xp, x, 4)), 16),
    "inv stack": (lambda xp, x: xp.linalg.inv(x.reshape(2, 3, 3)), 18),
    "solve traced vec": (lambda xp, x: xp.linalg.solve(mat(xp, x, 3), xp.sin(x[9:12])), 12),
    "solve traced const b": (lambda xp, x: xp.linalg.solve(mat(xp, x, 3), xp.asarray(B3)), 9),
    "solve 4 traced mat": (
        lambda xp, x: xp.linalg.solve(mat(xp, x, 4), x[:16].reshape(4, 4).T),
        16,
    ),
    "solve 2": (lambda xp, x: xp.linalg.solve(mat(xp, x, 2, 1.0), x[4:6] ** 2), 6),
    "solve stack": (
        lambda xp, x: xp.linalg.solve(x[:18].reshape(2, 3, 3), x[18:24].reshape(2, 3, 1)),
        24,
    ),
    "cholesky": (lambda xp, x: xp.linalg.cholesky(mat(xp, x, 3) @ mat(xp, x, 3).T + xp.eye(3)), 9),
    "cholesky 5": (
        lambda xp, x: xp.linalg.cholesky(mat(xp, x, 5) @ mat(xp, x, 5).T + xp.eye(5)),
        25,
    ),
    "matrix_power 3": (lambda xp, x: xp.linalg.matrix_power(mat(xp, x, 3), 3), 9),
    "matrix_power 0": (lambda xp, x: xp.linalg.matrix_power(mat(xp, x, 2), 0) * x[0], 4),
    "matrix_power -2": (lambda xp, x: xp.linalg.matrix_power(mat(xp, x, 3), -2), 9),
    "pinv tall": (lambda xp, x: xp.linalg.pinv(x.reshape(4, 2)), 8),
    "pinv wide": (lambda xp, x: xp.linalg.pinv(x.reshape(2, 3)), 6),
    "norm 2 (2x2)": (lambda xp, x: xp.linalg.norm(mat(xp, x, 2), 2), 4),
    "norm -2 (3x2)": (lambda xp, x: xp.linalg.norm(x.reshape(3, 2), -2), 6),
    "norm nuc (2x4)": (lambda xp, x: xp.linalg.norm(x.reshape(2, 4), "nuc"), 8),
    "norm 2 (4x1)": (lambda xp, x: xp.linalg.norm(x.reshape(4, 1), 2), 4),
    "norm 2 stack": (lambda xp, x: xp.linalg.norm(x.reshape(3, 2, 2), 2, axis=(1, 2)), 12),
    "norm 2 (5x5)": (lambda xp, x: xp.linalg.norm(mat(xp, x, 5), 2), 25),
    "norm -2 (6x4)": (lambda xp, x: xp.linalg.norm(x.reshape(6, 4), -2), 24),
    "norm nuc (3x7)": (lambda xp, x: xp.linalg.norm(xp.sin(x).reshape(3, 7), "nuc"), 21),
    "norm 2 stack axes": (
        lambda xp, x: xp.linalg.norm(x.reshape(4, 2, 3), 2, axis=(2, 0), keepdims=True),
        24,
    ),
    "norm -2 stack": (lambda xp, x: xp.linalg.norm(x.reshape(2, 3, 3), -2, axis=(1, 2)), 18),
    "qr reduced (4x3)": (
        lambda xp, x: xp.concatenate([xp.ravel(m) for m in xp.linalg.qr(x.reshape(4, 3))]),
        12,
    ),
    "qr complete (3x4)": (
        lambda xp, x: xp.concatenate(
            [xp.ravel(m) for m in xp.linalg.qr(x.reshape(3, 4), mode="complete")]
        ),
        12,
    ),
    "qr complete (5x2)": (
        lambda xp, x: xp.linalg.qr(x.reshape(5, 2), mode="complete")[0] @ xp.arange(5.0),
        10,
    ),
    "qr r stack": (lambda xp, x: xp.linalg.qr(x.reshape(2, 3, 2), mode="r"), 12),
    "svd values (5x3)": (lambda xp, x: xp.linalg.svd(x.reshape(5, 3), compute_uv=False), 15),
    "svdvals stack": (lambda xp, x: xp.linalg.svdvals(x.reshape(2, 3, 4) ** 2), 24),
    "cond 2 / -2": (
        lambda xp, x: xp.stack([xp.linalg.cond(mat(xp, x, 4), p) for p in (None, 2, -2)]),
        16,
    ),
    "cond fro / 1": (
        lambda xp, x: xp.stack([xp.linalg.cond(mat(xp, x, 3), p) for p in ("fro", 1, -np.inf)]),
        9,
    ),
    "matrix_norm / vector_norm": (
        lambda xp, x: xp.stack(
            [
                xp.linalg.matrix_norm(x.reshape(2, 3, 4), ord="nuc")[1],
                xp.linalg.matrix_norm(x.reshape(2, 3, 4), keepdims=True)[0, 0, 0],
                xp.linalg.vector_norm(x.reshape(2, 3, 4), axis=(0, 2), ord=3)[2],
                xp.linalg.vector_norm(x.reshape(2, 3, 4), axis=-1, keepdims=True)[1, 0, 0],
                xp.linalg.vector_norm(x, ord=np.inf),
            ]
        ),
        24,
    ),
    "norm fro/1/inf": (
        lambda xp, x: xp.stack(
            [xp.linalg.norm(mat(xp, x, 3), o) for o in ("fro", 1, -1, np.inf, -np.inf)]
        ),
        9,
    ),
    "vector norms": (
        lambda xp, x: xp.stack(
            [xp.linalg.norm(x, o) for o in (None, 1, 2, 3, np.inf, -np.inf, -1, 0.5)]
        ),
        5,
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_traced_linalg(name):
    body, n = CASES[name]
    f, fj = both(body)
    jac, hess = jax_refs(fj)
    for seed in (1, 2):
        x = np.random.default_rng(seed).standard_normal(n)
        if "vector" in name:
            x = np.abs(x) + 0.1  # away from the kinks of |x|
        check(f, x, jac_ref=jac, hess_ref=hess, atol=1e-7, rtol=1e-7)


def test_pivoting_at_a_zero_leading_entry():
    """A matrix whose (0, 0) entry is 0 at x: elimination without pivoting would divide
    by zero; the comparisons pick the largest pivot at every x."""
    x = np.array([0.0, 2.0, 1.0, 3.0, 1.0, 0.5, 1.0, -1.0, 2.0, 0.3, 0.2, 0.1, 1.5, -0.4, 0.9, 2.2])
    f, fj = both(lambda xp, x: xp.linalg.solve(x.reshape(4, 4), xp.arange(1.0, 5.0)))
    jac, hess = jax_refs(fj)
    check(f, x, jac_ref=jac, hess_ref=hess, atol=1e-8, rtol=1e-8)
    tape = asd.trace(f, x)
    for seed in range(5):  # one tape, other points: other pivot orders
        z = np.random.default_rng(seed).standard_normal(16)
        np.testing.assert_allclose(asd.evaluate(tape, z), f(z), rtol=1e-10)
    det_tape = asd.trace(lambda z: np.linalg.det(z.reshape(4, 4)), x)
    for seed in range(5):
        z = np.random.default_rng(seed).standard_normal(16)
        np.testing.assert_allclose(
            asd.evaluate(det_tape, z), np.linalg.det(z.reshape(4, 4)), rtol=1e-10
        )


def test_qr_of_a_column_with_zeros_below_the_diagonal():
    """No reflection where the column is already reduced (LAPACK's tau = 0), and Q, R
    are numpy's at other points of the same tape."""
    x = np.array([2.0, 1.0, 0.5, 0.0, 3.0, -1.0, 0.0, 0.0, 4.0])  # upper triangular

    def f(z):
        q, r = np.linalg.qr(z.reshape(3, 3))
        return np.concatenate([np.ravel(q), np.ravel(r)])

    tape = asd.trace(f, x)
    for z in (x, -x, np.random.default_rng(3).standard_normal(9)):
        np.testing.assert_allclose(asd.evaluate(tape, z), f(z), atol=1e-14)
    assert isinstance(np.linalg.qr(np.eye(2)), tuple)
    with pytest.raises(asd.UnsupportedFunctionError, match="raw"):
        asd.trace(lambda z: np.linalg.qr(z.reshape(3, 3), mode="raw")[0], x)


def test_det_of_singular_small_matrix():
    x = np.array([1.0, 2.0, 2.0, 4.0])  # singular: det = 0, gradient = adj
    J = dense(asd.jacobian(lambda z: np.linalg.det(z.reshape(2, 2)))(x))
    np.testing.assert_array_equal(J, [[4.0, -2.0, -2.0, 1.0]])


def test_size_limit_and_errors():
    n = MAX_TRACED + 1
    x = np.ones(n * n)
    with pytest.raises(asd.UnsupportedFunctionError, match=f"up to {MAX_TRACED} x {MAX_TRACED}"):
        asd.trace(lambda z: np.linalg.inv(z.reshape(n, n)), x)
    with pytest.raises(np.linalg.LinAlgError):
        asd.trace(lambda z: np.linalg.cholesky(z.reshape(2, 2) - 5.0 * np.eye(2)), np.ones(4))
    with pytest.raises(np.linalg.LinAlgError, match="square"):
        asd.trace(lambda z: np.linalg.det(z.reshape(2, 3)), np.ones(6))
    with pytest.raises(asd.UnsupportedFunctionError, match="rank"):
        asd.trace(lambda z: np.linalg.pinv(z.reshape(3, 2)), np.ones(6))
    with pytest.raises(asd.UnsupportedFunctionError, match="compute_uv=False"):
        asd.trace(lambda z: np.linalg.svd(z.reshape(3, 3)), np.arange(9.0))
    with pytest.raises(np.linalg.LinAlgError, match="two-dimensional"):
        asd.trace(lambda z: np.linalg.svdvals(z), np.arange(9.0))


# --- constant matrices --------------------------------------------------------------------


def _blocks(n_blocks, size, rng):
    return sp.block_diag(
        [rng.standard_normal((size, size)) + 3 * np.eye(size) for _ in range(n_blocks)]
    )


def test_constant_inverse_structure():
    rng = np.random.default_rng(3)
    K = _blocks(5, 3, rng).tocsr()
    Kinv = constant_inverse(K)
    np.testing.assert_allclose(dense(Kinv), np.linalg.inv(dense(K)), atol=1e-13)
    assert Kinv.nnz == 5 * 9  # never the dense 15 x 15
    L = np.tril(rng.standard_normal((6, 6))) + 4 * np.eye(6)
    Linv = constant_inverse(L)
    assert Linv.nnz == 21  # triangular inverse: the lower triangle only
    np.testing.assert_allclose(dense(Linv), np.linalg.inv(L), atol=1e-13)
    T = sp.diags_array([np.ones(7), 4 * np.ones(8), np.ones(7)], offsets=[-1, 0, 1])
    np.testing.assert_allclose(dense(constant_inverse(T)), np.linalg.inv(dense(T)), atol=1e-13)
    P = np.array([[0.0, 1.0], [1.0, 0.0]])  # a zero diagonal: the whole block
    np.testing.assert_allclose(dense(constant_inverse(P)), P)
    with pytest.raises(np.linalg.LinAlgError, match="singular"):
        constant_inverse(np.array([[1.0, 2.0], [2.0, 4.0]]))


def test_constant_solve_is_sparse_and_linear():
    rng = np.random.default_rng(4)
    K = _blocks(4, 2, rng).tocsr()
    Kd = dense(K)

    def f(x):
        return np.linalg.solve(Kd, np.sin(x)) + sl.solve(Kd, x) * 0.5

    x = rng.standard_normal(8)
    tape = asd.trace(f, x)
    np.testing.assert_allclose(asd.evaluate(tape, x), f(x), rtol=1e-12)
    P = dense(asd.jacobian_sparsity(f, x))
    np.testing.assert_array_equal(P, Kd != 0)  # 2 x 2 blocks: no densification
    J = dense(asd.jacobian(f)(x))
    Kinv = np.linalg.inv(Kd)
    np.testing.assert_allclose(J, Kinv * np.cos(x)[None, :] + 0.5 * Kinv, atol=1e-13)
    for g in (
        lambda x: spl.spsolve(K, x**2),
        lambda x: np.linalg.solve(dense(K), np.stack([x, x**2], axis=1)),
        lambda x: np.linalg.solve(np.stack([Kd, 2 * Kd]), x),
        lambda x: sl.solve(Kd, x, transposed=True),
    ):
        check(g, x)


def test_traced_and_constant_mix_in_a_model():
    """solve(A(x), b(x)) inside a model; scipy.linalg names too."""
    rng = np.random.default_rng(8)
    C = rng.standard_normal((4, 4))

    def body(xp, x):
        A = C + xp.diag(2.0 + x[:4] ** 2)
        y = xp.linalg.solve(A, xp.sin(x[4:]))
        return y * x[:4] + xp.linalg.det(A) * 1e-2

    f, fj = both(body)
    jac, hess = jax_refs(fj)
    check(f, rng.standard_normal(8), jac_ref=jac, hess_ref=hess, atol=1e-8, rtol=1e-8)

    def g(x):
        A = C + np.diag(2.0 + x[:4] ** 2)
        return sl.solve(A, x[4:]) + sl.inv(A) @ x[4:] + sl.det(A) + sl.cholesky(A @ A.T)[0]

    def gj(x):
        A = C + jnp.diag(2.0 + x[:4] ** 2)
        return (
            jnp.linalg.solve(A, x[4:])
            + jnp.linalg.inv(A) @ x[4:]
            + jnp.linalg.det(A)
            + jnp.linalg.cholesky(A @ A.T).T[0]
        )

    jac, hess = jax_refs(gj)
    check(g, rng.standard_normal(8), jac_ref=jac, hess_ref=hess, atol=1e-8, rtol=1e-8)


def test_assembled_matrix_in_a_buffer():
    """The engineering style: A = np.zeros((n, n)); A[i, j] = ...; solve(A, b)."""

    def body(xp, x):
        n = 4
        if xp is np:
            A = np.zeros((n, n))
            for i in range(n):
                A[i, i] = 3.0 + x[i] ** 2
                if i:
                    A[i, i - 1] = A[i - 1, i] = -x[i]
        else:
            A = jnp.diag(3.0 + x**2) - jnp.diag(x[1:], -1) - jnp.diag(x[1:], 1)
        b = xp.cos(x)
        return xp.linalg.solve(A, b) + (sl.solve(A, b) if xp is np else xp.linalg.solve(A, b))

    f, fj = both(body)
    jac, hess = jax_refs(fj)
    check(f, np.array([0.3, -0.8, 1.1, 0.4]), jac_ref=jac, hess_ref=hess, atol=1e-8, rtol=1e-8)
