"""One check of a traced function against independent reference derivatives: values,
Jacobians in every mode, Hessians of a random weighting in every mode, and
global ⊇ local ⊇ true nonzero patterns."""

import numpy as np

import asd
from tests.reference import fd_hessian, fd_jacobian


def dense(M) -> np.ndarray:
    """A derivative result or pattern as a dense array (sparse or already dense)."""
    return M.toarray() if hasattr(M, "toarray") else np.asarray(M)


JAC_MODES = ("direct", "forward", "reverse")
HESS_MODES = ("direct", "colored")


def check(f, x, jac_ref=None, hess_ref=None, hessian=True, local=True, atol=1e-6, rtol=1e-6):
    """``jac_ref(x)``: the m x n reference Jacobian (central differences when None);
    ``hess_ref(x, w)``: the reference ∇²(w·f) (four-point differences when None)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(f(x), dtype=np.float64)
    tape = asd.trace(f, x)
    np.testing.assert_allclose(asd.evaluate(tape, x), y, rtol=1e-12, atol=1e-12)

    def flat(z):
        return np.ravel(np.asarray(f(z.reshape(x.shape)), dtype=np.float64))

    J_ref = np.asarray(jac_ref(x)) if jac_ref else fd_jacobian(flat, x.ravel().copy())
    J_ref = J_ref.reshape(y.size, x.size)
    glob = dense(asd.jacobian_sparsity(f, x))
    assert not (np.abs(J_ref) > 1e-7)[~glob].any(), "global Jacobian pattern misses an entry"
    if local:
        loc = dense(asd.jacobian_sparsity(f, x, mode="local"))
        assert not (loc & ~glob).any(), "local pattern not inside the global one"
        assert not (np.abs(J_ref) > 1e-7)[~loc].any(), "local Jacobian pattern misses an entry"
    for mode in JAC_MODES:
        J = dense(asd.jacobian(f, x, mode=mode)(x))
        np.testing.assert_allclose(J, J_ref, atol=atol, rtol=rtol, err_msg=mode)
    if not hessian:
        return
    w = np.random.default_rng(7).standard_normal(y.size)

    def g(z):
        return np.sum(w * np.ravel(f(z)))

    H_ref = hess_ref(x, w) if hess_ref else fd_hessian(lambda z: float(g(z)), x.ravel().copy())
    H_ref = np.asarray(H_ref).reshape(x.size, x.size)
    scale = max(1.0, np.abs(H_ref).max()) if hess_ref is None else 1.0
    hglob = dense(asd.hessian_sparsity(g, x))
    big = np.abs(H_ref) > 1e-5 * scale
    assert not big[~hglob].any(), "global Hessian pattern misses an entry"
    if local:
        hloc = dense(asd.hessian_sparsity(g, x, mode="local"))
        assert not (hloc & ~hglob).any()
        assert not big[~hloc].any(), "local Hessian pattern misses an entry"
    tol, rt = (1e-4 * scale, 1e-4) if hess_ref is None else (atol, rtol)
    for mode in HESS_MODES:
        H = dense(asd.hessian(g, x, mode=mode)(x))
        np.testing.assert_allclose(H, H_ref, atol=tol, rtol=rt, err_msg=mode)


def jax_refs(f_jax):
    """Reference Jacobian and weighted Hessian from jax (float64) for ``f_jax``."""
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)

    def jac(x):
        return np.asarray(jax.jacfwd(lambda z: jnp.ravel(f_jax(z)))(jnp.asarray(x)))

    def hess(x, w):
        wj = jnp.asarray(w)
        return np.asarray(jax.hessian(lambda z: jnp.sum(wj * jnp.ravel(f_jax(z))))(jnp.asarray(x)))

    return jac, hess
