"""Several differentiated arguments: argnums=(i, j, ...) (JAX's convention) in
asd.jacobian / hessian / gradient / trace / the sparsity functions; one block matrix
with the columns of each argument in argnums order, split by .blocks()."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import asd
from tests.derivcheck import dense

jax.config.update("jax_enable_x64", True)

RNG = np.random.default_rng(4)


def body(xp, x, t, y, p):
    """x (3,), y (2, 2), t a float parameter between them, p a static-free float."""
    return xp.concatenate([x * xp.ravel(y)[:3] * p + t, xp.sin(y[0]) * x[0] ** 2])


def f(x, t, y, p):
    return body(np, x, t, y, p)


def fj(x, t, y, p):
    return body(jnp, x, t, y, p)


def point():
    return RNG.standard_normal(3), 0.3, RNG.standard_normal((2, 2)), 1.7


@pytest.mark.parametrize("argnums", [(0, 2), (2, 0), (0, 1, 2)])
@pytest.mark.parametrize("mode", ["direct", "forward", "reverse"])
def test_jacobian_blocks_against_jax(argnums, mode):
    J = asd.jacobian(f, argnums=argnums, mode=mode)
    for _ in range(3):
        args = point()
        M = J(*args)
        ref = jax.jacobian(fj, argnums=argnums)(*[jnp.asarray(a) for a in args])
        blocks = J.blocks(M)
        assert len(blocks) == len(argnums)
        for blk, r in zip(blocks, ref):
            np.testing.assert_allclose(dense(blk), np.asarray(r).reshape(blk.shape), atol=1e-12)
        cols = sum(np.size(args[k]) for k in argnums)
        assert M.shape == (5, cols)


def test_jacobian_sparsity_global_contains_local_contains_true():
    args = point()
    x, t, y, p = args
    glob = dense(asd.jacobian_sparsity(f, (x, y), args=(t, p), argnums=(0, 2)))
    loc = dense(asd.jacobian_sparsity(f, (x, y), "local", args=(t, p), argnums=(0, 2)))
    ref = jax.jacobian(fj, argnums=(0, 2))(*[jnp.asarray(a) for a in args])
    true = np.hstack([np.asarray(r).reshape(5, -1) for r in ref]) != 0
    assert not (loc & ~glob).any() and not (true & ~loc).any()


@pytest.mark.parametrize("mode", ["direct", "colored"])
def test_hessian_blocks_against_jax(mode):
    def g(x, t, y, p):
        return np.sum(f(x, t, y, p) ** 2)

    def gj(x, t, y, p):
        return jnp.sum(fj(x, t, y, p) ** 2)

    H = asd.hessian(g, argnums=(0, 2), mode=mode)
    for _ in range(3):
        args = point()
        M = dense(H(*args))
        ref = jax.hessian(gj, argnums=(0, 2))(*[jnp.asarray(a) for a in args])
        blocks = H.blocks(M)
        for i in range(2):
            for j in range(2):
                r = np.asarray(ref[i][j]).reshape(blocks[i][j].shape)
                np.testing.assert_allclose(blocks[i][j], r, atol=1e-10)
    hp = asd.hessian_sparsity(g, (args[0], args[2]), args=(args[1], args[3]), argnums=(0, 2))
    assert hp.shape == (7, 7)


def test_weighted_hessian_with_a_tuple():
    H = asd.hessian(f, argnums=(0, 2))
    args = point()
    v = RNG.standard_normal(5)
    x, t, y, p = args
    M = dense(H((x, y), v, t, p))
    ref = jax.hessian(lambda a, b: jnp.dot(jnp.asarray(v), fj(a, t, b, p)), argnums=(0, 1))(
        jnp.asarray(x), jnp.asarray(y)
    )
    full = np.block(
        [
            [np.asarray(ref[i][j]).reshape(3 if i == 0 else 4, -1) for j in range(2)]
            for i in range(2)
        ]
    )
    np.testing.assert_allclose(M, full, atol=1e-10)


def test_gradient_and_flat_calls():
    def g(a, b):
        return np.sum(a**2 * np.sum(b)) + np.prod(b)

    G = asd.gradient(g, argnums=(1, 0))
    a, b = RNG.standard_normal(3), RNG.standard_normal(2)
    gv = G(a, b)
    ref = jax.grad(lambda a, b: jnp.sum(a**2 * jnp.sum(b)) + jnp.prod(b), argnums=(1, 0))(
        jnp.asarray(a), jnp.asarray(b)
    )
    gb, ga = G.blocks(gv)
    np.testing.assert_allclose(gb, ref[0], atol=1e-12)
    np.testing.assert_allclose(ga, ref[1], atol=1e-12)
    # the flat concatenation alone (scipy style), in argnums order
    np.testing.assert_allclose(G(np.concatenate([b, a])), gv, atol=1e-14)
    assert G.unflatten(np.concatenate([b, a]))[1].shape == (3,)


def test_scipy_minimize_with_split_arguments():
    from scipy.optimize import minimize

    def g(a, b):
        return np.sum((a - 1.0) ** 2) + np.sum((b + a[0]) ** 2) * 2.0

    G = asd.gradient(g, (np.zeros(2), np.zeros(3)), argnums=(0, 1))
    H = asd.hessian(g, (np.zeros(2), np.zeros(3)), argnums=(0, 1), format="dense")

    def obj(z):
        return g(*G.unflatten(z))

    res = minimize(obj, np.zeros(5), jac=G, hess=H, method="trust-exact")
    assert res.success
    np.testing.assert_allclose(res.x, [1, 1, -1, -1, -1], atol=1e-8)


def test_int_argnums_unchanged_and_errors():
    x, t, y, p = point()
    J = asd.jacobian(f, argnums=2)
    assert J(x, t, y, p).shape == (5, 4)
    with pytest.raises(asd.InputError, match="distinct"):
        asd.jacobian(f, argnums=(0, 0))(x, t, y, p)
    with pytest.raises(asd.InputError, match="argnums"):
        asd.jacobian(f, argnums=(0, 7))(x, t, y, p)
    with pytest.raises(asd.InputError, match="static"):
        asd.trace(f, (x, y), args=(t, p), argnums=(0, 2), static_argnums=(2,))
    with pytest.raises(asd.InputError, match="tuple of 2 arrays"):
        asd.trace(f, x, args=(t, p), argnums=(0, 2))
    J = asd.jacobian(f, argnums=(0, 2))
    J(x, t, y, p)
    with pytest.raises(asd.InputError, match="shapes"):
        J(x, t, np.ones(4), p)
    with pytest.raises(asd.InputError, match="concatenated"):
        J(np.ones(3))
    with pytest.raises(asd.InputError, match="call with all"):
        asd.jacobian(f, argnums=(0, 2))(np.ones(7))


def test_trace_with_a_tuple():
    x, t, y, p = point()
    tape = asd.trace(f, (x, y), args=(t, p), argnums=(0, 2))
    z = np.concatenate([x, y.ravel()])
    np.testing.assert_allclose(asd.evaluate(tape, z, args=(t, p)), f(x, t, y, p))
