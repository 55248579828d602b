"""Singular values (norm 2 / -2 / 'nuc', svdvals, cond) and symmetric eigenvalues
(eigvalsh) of traced matrices: one tape evaluated at many points against jax, ties
against finite differences of the smooth cluster mean, rank-deficient matrices, the
convergence guard and the round-robin order."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import asd
from asd.tracing.spectral import round_robin
from tests.derivcheck import dense
from tests.reference import fd_hessian, fd_jacobian

jax.config.update("jax_enable_x64", True)

SHAPES = ((4, 4), (6, 3), (3, 5))


def _symmetric(a, upper=False):
    """The symmetric matrix numpy's eigvalsh reads from one triangle of ``a`` (jax)."""
    half = jnp.triu(a, 1) if upper else jnp.tril(a, -1)
    return (
        half
        + jnp.swapaxes(half, -1, -2)
        + jnp.diagonal(a, 0, -2, -1)[..., None] * jnp.eye(a.shape[-1])
    )


FUNCTIONS = {
    "norm 2": (lambda a: np.linalg.norm(a, 2), lambda a: jnp.linalg.norm(a, 2)),
    "norm -2": (lambda a: np.linalg.norm(a, -2), lambda a: jnp.linalg.norm(a, -2)),
    "nuc": (lambda a: np.linalg.norm(a, "nuc"), lambda a: jnp.linalg.norm(a, "nuc")),
    "svdvals": (np.linalg.svdvals, jnp.linalg.svdvals),
    "cond": (np.linalg.cond, jnp.linalg.cond),
}
EIGENVALUES = {
    "eigvalsh L": (np.linalg.eigvalsh, lambda a: jnp.linalg.eigvalsh(_symmetric(a))),
    "eigvalsh U": (
        lambda a: np.linalg.eigvalsh(a, UPLO="U"),
        lambda a: jnp.linalg.eigvalsh(_symmetric(a, upper=True)),
    ),
    "eigvalsh stack": (
        lambda a: np.linalg.eigvalsh(np.stack([a[:3, :3], a[2:, 2:]])),
        lambda a: jnp.linalg.eigvalsh(_symmetric(jnp.stack([a[:3, :3], a[2:, 2:]]))),
    ),
}


@pytest.mark.parametrize(
    "name, shape",
    [(name, shape) for name in sorted(FUNCTIONS) for shape in SHAPES]
    + [(name, (5, 5)) for name in sorted(EIGENVALUES)],
)
def test_one_tape_is_exact_at_every_point(name, shape):
    """Traced once; the values, Jacobians and Hessians at other points are the tape's own
    (nothing frozen at the traced point)."""
    fn, fj = {**FUNCTIONS, **EIGENVALUES}[name]
    m, n = shape
    rng = np.random.default_rng([11, m, n, len(name)])
    w = rng.standard_normal(np.shape(fn(np.ones(shape))))

    def f(z):
        return np.atleast_1d(fn(np.reshape(z, shape)))

    def g(z):
        return np.sum(w * fn(np.reshape(z, shape)))

    def gj(z):
        return jnp.sum(jnp.asarray(w) * fj(jnp.reshape(z, shape)))

    x0 = rng.standard_normal(m * n)
    jac, hess = asd.jacobian(f, x0), asd.hessian(g, x0)
    tape = asd.trace(f, x0)
    for _ in range(4):
        x = rng.standard_normal(m * n) * rng.uniform(0.1, 10.0)
        np.testing.assert_allclose(asd.evaluate(tape, x), f(x), rtol=1e-12)
        J_ref = np.asarray(jax.jacfwd(lambda z: jnp.ravel(fj(jnp.reshape(z, shape))))(x))
        np.testing.assert_allclose(dense(jac(x)), J_ref, rtol=1e-9, atol=1e-9 * np.abs(J_ref).max())
        H_ref = np.asarray(jax.hessian(gj)(x))
        np.testing.assert_allclose(dense(hess(x)), H_ref, atol=1e-8 * np.abs(H_ref).max())


def _orthogonal(rng, n):
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def _cluster_mean(k, r):
    """The mean of the singular values at sorted positions k .. k + r - 1: smooth where
    that cluster is apart from the others."""
    return lambda z: float(np.mean(np.linalg.svd(z.reshape(4, 4), compute_uv=False)[k : k + r]))


@pytest.mark.parametrize(
    "ord, sigma, k, r",
    [
        (2, [3.0, 3.0, 1.0, 0.5], 0, 2),
        (-2, [3.0, 2.0, 1.0, 1.0], 2, 2),
        (2, [2.0, 2.0, 2.0, 1.0], 0, 3),
    ],
)
def test_a_tie_gives_the_derivatives_of_the_cluster_mean(ord, sigma, k, r):
    """At equal singular values (rotated, so the Jacobi iteration has work to do) the
    derivatives are those of the mean of the tied values, as ``maximum`` at a tie."""
    rng = np.random.default_rng(len(sigma) + k + r)
    A = _orthogonal(rng, 4) @ np.diag(sigma) @ _orthogonal(rng, 4).T
    x = A.ravel()

    def f(z):
        return np.linalg.norm(z.reshape(4, 4), ord)

    ref = _cluster_mean(k, r)
    J = dense(asd.jacobian(f)(x)).ravel()
    np.testing.assert_allclose(
        J, fd_jacobian(lambda z: np.atleast_1d(ref(z)), x).ravel(), atol=1e-7
    )
    H = dense(asd.hessian(f)(x))
    np.testing.assert_allclose(H, fd_hessian(ref, x), atol=1e-5)
    nuc = dense(asd.hessian(lambda z: np.linalg.norm(z.reshape(4, 4), "nuc"))(x))
    H_nuc = fd_hessian(lambda z: float(np.linalg.norm(z.reshape(4, 4), "nuc")), x)
    np.testing.assert_allclose(nuc, H_nuc, atol=1e-5)  # the nuclear norm is smooth at ties


def test_tied_eigenvalues_give_the_derivatives_of_the_cluster_mean():
    rng = np.random.default_rng(9)
    q = _orthogonal(rng, 4)
    x = (q @ np.diag([-1.0, 2.0, 2.0, 5.0]) @ q.T).ravel()

    def middle(z):
        return float(np.mean(np.linalg.eigvalsh(z.reshape(4, 4))[1:3]))

    def f(z):
        return np.linalg.eigvalsh(z.reshape(4, 4))[1]

    J = dense(asd.jacobian(f)(x)).ravel()
    np.testing.assert_allclose(
        J, fd_jacobian(lambda z: np.atleast_1d(middle(z)), x).ravel(), atol=1e-7
    )
    np.testing.assert_allclose(dense(asd.hessian(f)(x)), fd_hessian(middle, x), atol=1e-5)
    top = dense(asd.hessian(lambda z: np.linalg.eigvalsh(z.reshape(4, 4))[3])(x))
    ref = fd_hessian(lambda z: float(np.linalg.eigvalsh(z.reshape(4, 4))[3]), x)
    np.testing.assert_allclose(top, ref, atol=1e-5)  # a simple eigenvalue beside the tie


def test_a_non_finite_matrix_at_the_traced_point_is_bad_input():
    x = np.ones(9)
    x[4] = np.nan
    with pytest.raises(asd.InputError, match="NaN / inf"):
        asd.trace(lambda z: np.linalg.norm(z.reshape(3, 3), 2), x)
    with pytest.raises(asd.InputError, match="NaN / inf"):
        asd.trace(lambda z: np.linalg.eigvalsh(z.reshape(3, 3)), x)


def test_eigenvectors_and_general_eigenvalues_raise_a_clear_error():
    x = np.arange(9.0)
    with pytest.raises(asd.UnsupportedFunctionError, match="eigvalsh"):
        asd.trace(lambda z: np.linalg.eigh(z.reshape(3, 3)), x)
    with pytest.raises(asd.UnsupportedFunctionError, match="complex.*eigvalsh"):
        asd.trace(lambda z: np.linalg.eigvals(z.reshape(3, 3)), x)
    with pytest.raises(np.linalg.LinAlgError, match="square"):
        asd.trace(lambda z: np.linalg.eigvalsh(z.reshape(3, 3)[:2]), x)
    with pytest.raises(ValueError, match="UPLO"):
        asd.trace(lambda z: np.linalg.eigvalsh(z.reshape(3, 3), UPLO="X"), x)


def test_rank_deficient_matrix_largest_singular_value():
    """σ_max stays smooth where the other singular values are 0."""
    rng = np.random.default_rng(4)
    A = np.outer(rng.standard_normal(5), rng.standard_normal(3))  # rank 1

    def f(z):
        return np.linalg.norm(z.reshape(5, 3), 2)

    x = A.ravel()
    assert asd.evaluate(asd.trace(f, x), x) == pytest.approx(np.linalg.norm(A, 2), rel=1e-14)
    ref = np.asarray(jax.hessian(lambda z: jnp.linalg.norm(z.reshape(5, 3), 2))(x))
    np.testing.assert_allclose(dense(asd.hessian(f)(x)), ref, atol=1e-10)
    np.testing.assert_allclose(
        dense(asd.jacobian(f)(x)).ravel(),
        fd_jacobian(lambda z: np.atleast_1d(f(z)), x).ravel(),
        atol=1e-8,
    )


def test_identity_and_zero_matrix_values():
    for X in (np.eye(5), np.zeros((5, 5)), np.diag([1.0, 0.0, 2.0, 0.0, 1.0])):
        tape = asd.trace(lambda z: np.linalg.svdvals(z.reshape(5, 5)), X.ravel())
        np.testing.assert_array_equal(asd.evaluate(tape, X.ravel()), np.linalg.svdvals(X))


def test_unconverged_iteration_raises():
    """A tape traced at the identity has the sweeps a generic matrix needs; a graded
    matrix needing more raises instead of returning inexact derivatives, and a trace at
    that matrix records enough sweeps."""
    n = 32

    def f(z):
        return np.linalg.norm(z.reshape(n, n), 2)

    tape = asd.trace(f, np.eye(n).ravel())
    failures = 0
    for seed in range(6):
        r = np.random.default_rng(seed)
        Y = _orthogonal(r, n) @ np.diag(r.permutation(np.logspace(0, -12, n))) @ _orthogonal(r, n).T
        try:
            assert asd.evaluate(tape, Y.ravel()) == pytest.approx(np.linalg.norm(Y, 2), rel=1e-13)
        except asd.ConvergenceError as e:
            assert "Jacobi iteration of np.linalg.norm(ord=2)" in str(e)
            assert "Trace again at this x" in str(e)
            failures += 1
            retraced = asd.trace(f, Y.ravel())
            assert asd.evaluate(retraced, Y.ravel()) == pytest.approx(
                np.linalg.norm(Y, 2), rel=1e-13
            )
    assert failures  # the guard is reached by some of them


@pytest.mark.parametrize("n", range(1, 13))
def test_round_robin_pairs_every_column_once(n):
    seen = set()
    for p, q in round_robin(n):
        assert len(set(p) | set(q)) == 2 * len(p)  # disjoint within a round
        seen |= set(zip(p.tolist(), q.tolist()))
    assert seen == {(i, k) for i in range(n) for k in range(i + 1, n)}
