"""Contractions: einsum (traces, diagonals, batch dimensions, ellipsis, implicit output,
interleaved form), tensordot, vdot, kron, trace, diag / diagonal with offsets, tril /
triu, matmul and dot on stacks, traced x traced and constant x traced, against jax."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import asd
from tests.derivcheck import check, dense, jax_refs

jax.config.update("jax_enable_x64", True)

RNG = np.random.default_rng(33)
A = RNG.standard_normal((3, 3))
B = RNG.standard_normal((2, 3, 4))
S = np.array([[0.0, 2.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, -3.0]])  # zeros: no dependency


def both(body):
    """``body(xp, x)`` written once for numpy (asd) and jax.numpy (the reference)."""
    return (lambda x: body(np, x)), (lambda x: body(jnp, x))


CASES = {
    "trace ii->": (lambda xp, x: xp.einsum("ii->", xp.sin(x).reshape(3, 3)) * x[:2], 9),
    "diagonal ii->i": (lambda xp, x: xp.einsum("ii->i", x.reshape(3, 3)) ** 2, 9),
    "implicit ij,jk": (
        lambda xp, x: xp.einsum("ij,jk", x[:6].reshape(2, 3), x[6:].reshape(3, 2)),
        12,
    ),
    "batch bij,bjk->bik const": (
        lambda xp, x: xp.einsum("bij,bjk->bik", x[:12].reshape(2, 2, 3), B) ** 2,
        12,
    ),
    "batch traced x traced": (
        lambda xp, x: xp.einsum("bij,bjk->bik", x[:8].reshape(2, 2, 2), x[4:].reshape(2, 2, 2)),
        12,
    ),
    "ellipsis ...ij,jk": (lambda xp, x: xp.einsum("...ij,jk->...ik", x.reshape(2, 2, 3), A), 12),
    "ellipsis broadcast": (
        lambda xp, x: xp.einsum("...i,...i->...", x.reshape(2, 3), x[:3]),
        6,
    ),
    "inner i,i": (lambda xp, x: xp.einsum("i,i", x, x) * x, 4),
    "sparse constant": (lambda xp, x: xp.einsum("ij,jk->ik", S, xp.exp(x.reshape(3, 2))), 6),
    "three operands": (lambda xp, x: xp.einsum("i,ij,j->", x[:3], A, xp.cos(x[3:])) * x, 6),
    "outer i,j->ij": (lambda xp, x: xp.einsum("i,j->ij", x[:2], x[2:]), 5),
    "transpose ij->ji": (lambda xp, x: xp.einsum("ij->ji", x.reshape(2, 3)) * 3.0, 6),
    "repeated in two ii,i->i": (lambda xp, x: xp.einsum("ii,i->i", x[:9].reshape(3, 3), x[9:]), 12),
    "tensordot": (
        lambda xp, x: xp.tensordot(x.reshape(2, 3, 2), B[:, :, :2], axes=([0, 1], [0, 1])),
        12,
    ),
    "tensordot int": (lambda xp, x: xp.tensordot(x.reshape(2, 3), x.reshape(2, 3), axes=1 * 2), 6),
    "tensordot traced": (lambda xp, x: xp.tensordot(x.reshape(2, 3), x[:3] ** 2, axes=1), 6),
    "vdot": (lambda xp, x: xp.vdot(x.reshape(2, 2), x[::-1].reshape(2, 2)) * x, 4),
    "kron const": (lambda xp, x: xp.kron(x.reshape(2, 2), A[:2, :2]), 4),
    "kron traced": (lambda xp, x: xp.kron(x[:2], x.reshape(2, 2) ** 2), 4),
    "trace offset": (lambda xp, x: xp.trace(x.reshape(3, 3) ** 3, 1) * x, 9),
    "diag 1-D offset": (lambda xp, x: xp.diag(x**2, 1), 3),
    "diag 2-D offset": (lambda xp, x: xp.diag(x.reshape(3, 3), -1) * x[:2], 9),
    "diagonal offset": (lambda xp, x: xp.diagonal(x.reshape(3, 3), 1) * x[0], 9),
    "matmul stack x const": (lambda xp, x: xp.sin(x.reshape(2, 3, 2)) @ A[:2, :], 12),
    "matmul stack x stack": (lambda xp, x: xp.matmul(x.reshape(2, 2, 3), x.reshape(2, 3, 2)), 12),
    "matmul stack x vector": (lambda xp, x: x.reshape(2, 2, 3) @ x[:3], 12),
    "matmul vector x stack": (lambda xp, x: x[:2] @ x.reshape(3, 2, 2), 12),
    "matmul traced x traced": (lambda xp, x: x.reshape(3, 3) @ xp.tanh(x.reshape(3, 3)), 9),
    "dot nd": (lambda xp, x: xp.dot(x.reshape(2, 2, 3), A), 12),
    "tril": (lambda xp, x: xp.tril(x.reshape(3, 3) * x.reshape(3, 3).T, -1), 9),
    "triu": (lambda xp, x: xp.triu(x.reshape(3, 3) ** 2, 1), 9),
}


@pytest.mark.parametrize("name", list(CASES))
def test_contraction_against_jax(name):
    body, n = CASES[name]
    f, fj = both(body)
    jac, hess = jax_refs(fj)
    for _ in range(2):
        x = RNG.standard_normal(n)
        np.testing.assert_allclose(f(x), np.asarray(fj(jnp.asarray(x))), rtol=1e-12, atol=1e-12)
        check(f, x, jac_ref=jac, hess_ref=hess, atol=1e-9, rtol=1e-9)


def test_interleaved_einsum():
    def f(x):
        return np.einsum(x.reshape(2, 3), [0, 1], A, [1, 2], [0, 2])

    x = RNG.standard_normal(6)
    np.testing.assert_allclose(asd.evaluate(asd.trace(f, x), x), f(x), rtol=1e-12)
    J = dense(asd.jacobian(f)(x))
    np.testing.assert_allclose(J, np.kron(np.eye(2), A.T), atol=1e-14)


def test_constant_operands_are_linear_nodes_without_loops():
    x = RNG.standard_normal(300)

    def f(x):
        return np.einsum("ij,kj->ki", A, x.reshape(100, 3))

    tape = asd.trace(f, x)
    assert tape.n_nodes < 300 + 300 + 20  # one linear node per output, a few constants
    assert asd.jacobian_sparsity(f, x).nnz == 900


def test_zero_weights_are_no_dependency():
    x = RNG.standard_normal(6)
    P = asd.jacobian_sparsity(lambda x: np.einsum("ij,jk->ik", S, x.reshape(3, 2)), x)
    assert P.nnz == 6  # S has three nonzeros, two columns each


def test_bad_subscripts_raise_value_errors():
    with pytest.raises(ValueError, match="einsum"):
        asd.trace(lambda x: np.einsum("ij,j->i", x.reshape(2, 2), x), np.ones(4))
    with pytest.raises(ValueError, match="einsum"):
        asd.trace(lambda x: np.einsum("ijk->i", x.reshape(2, 2)), np.ones(4))
