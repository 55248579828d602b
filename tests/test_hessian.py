"""Prepared sparse Hessians, direct and coloured, against finite-difference references."""

import numpy as np
import pytest
from reference import fd_hessian

import asd


def arrow(x):
    return np.sum(x[0] * np.sin(x[1:])) + np.sum(x**4) / 4


def mixed(x):
    return (
        np.sum(np.exp(x[:-1] - x[1:]))
        + np.sum(x[:3] / (1.5 + x[3:6] ** 2))
        + np.prod(x[:3])
        + np.hypot(x[0], x[-1])
        + np.sum(np.where(x > 0.5, x**3, np.arctan2(x, 1 + x * x)))
    )


def vector(x):
    return np.concatenate([x[:-1] * x[1:], np.sqrt(1 + x**2), [np.sum(x) ** 2]])


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo", "dense"])
def test_formats(fmt):
    x = np.random.default_rng(3).random(7) + 0.1
    H = asd.hessian(mixed, x, format=fmt)
    M = H(x)
    assert isinstance(M, np.ndarray) if fmt == "dense" else M.format == fmt
    dense = M if fmt == "dense" else M.toarray()
    assert np.allclose(dense, fd_hessian(mixed, x), atol=1e-5)
    rows, cols = H.structure()
    assert np.array_equal(dense[rows, cols], H.values(x))


@pytest.mark.parametrize("mode", ["direct", "colored", "auto"])
@pytest.mark.parametrize("fun", [arrow, mixed])
def test_scalar_hessian_modes(fun, mode):
    rng = np.random.default_rng(0)
    x = rng.random(7) + 0.1
    H = asd.hessian(fun, x, mode=mode, format="csr")
    for point in (x, rng.random(7) + 0.1):
        ref = fd_hessian(fun, point)
        assert np.allclose(H(point).toarray(), ref, atol=1e-5 * max(1, np.abs(ref).max()))
    if mode != "auto":
        assert H.mode == mode


@pytest.mark.parametrize("mode", ["direct", "colored"])
def test_weighted_hessian_and_triangles(mode):
    rng = np.random.default_rng(1)
    x = rng.random(6)
    v = rng.standard_normal(6 - 1 + 6 + 1)
    H = asd.hessian(vector, x, mode=mode, format="csr")
    ref = fd_hessian(lambda z: v @ vector(z), x)
    full = H(x, v).toarray()
    assert np.allclose(full, ref, atol=1e-5 * np.abs(ref).max())
    for tri, check in (("lower", np.tril), ("upper", np.triu)):
        rows, cols = H.structure(tri)
        vals = H.values(x, v, triangle=tri)
        M = np.zeros_like(full)
        M[rows, cols] = vals
        assert np.allclose(M, check(full))
    with pytest.raises(asd.InputError, match="weighted"):
        H(x)


def test_direct_is_chosen_for_sum_of_terms():
    x = np.random.default_rng(2).random(2000)
    H = asd.hessian(
        lambda x: np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2), x, format="csr"
    )
    assert H.mode == "direct"
    assert H.ncolors == 3


@pytest.mark.parametrize("mode", ["direct", "colored"])
def test_hessian_and_gradient_pickle_without_the_function(mode):
    import pickle

    def f(x):
        return np.sum(np.sin(x[1:] * x[:-1]))

    x = np.random.default_rng(3).random(6)
    H = asd.hessian(f, x, mode=mode, format="csr")
    H2 = pickle.loads(pickle.dumps(H))
    assert H2._fun is None
    assert np.array_equal(H2(x).toarray(), H(x).toarray())
    g = asd.gradient(f, x)
    assert np.array_equal(pickle.loads(pickle.dumps(g))(x), g(x))


@pytest.mark.parametrize("mode", ["direct", "colored"])
def test_local_hessian_raises_where_its_pattern_breaks(mode):
    """Prepared where max(x, 0) is inactive, evaluated where it is active: the local
    pattern misses entries there, so the call must raise, not return zeros."""

    def f(x):
        return np.sum(np.maximum(x, 0.0) ** 3)

    H = asd.hessian(f, sparsity="local", mode=mode, format="csr")
    np.testing.assert_array_equal(H(np.array([-1.0, -1.0, 1.0])).toarray().diagonal(), [0, 0, 6])
    np.testing.assert_array_equal(H(np.array([-2.0, -3.0, 2.0])).toarray().diagonal(), [0, 0, 12])
    with pytest.raises(asd.BranchChangedError, match="sparsity='local'"):
        H(np.array([1.0, 2.0, 1.0]))
