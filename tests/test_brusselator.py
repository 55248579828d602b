"""The Brusselator case: right-hand side against a loop, analytic Jacobian against FD."""

import numpy as np

from cases.brusselator import Brusselator2D


def slow_rhs(b: Brusselator2D, t, y):
    N = b.N
    Y = y.reshape(N, N, 2)
    out = np.zeros_like(Y)
    f = b.forcing(t)
    for i in range(N):
        for j in range(N):
            u, v = Y[i, j]
            nb = [((i + 1) % N, j), ((i - 1) % N, j), (i, (j + 1) % N), (i, (j - 1) % N)]
            lap_u = sum(Y[a, c, 0] for a, c in nb) - 4 * u
            lap_v = sum(Y[a, c, 1] for a, c in nb) - 4 * v
            out[i, j, 0] = 1 + u * u * v - 4.4 * u + b.alpha * lap_u + f[i, j]
            out[i, j, 1] = 3.4 * u - u * u * v + b.alpha * lap_v
    return out.ravel()


def test_rhs_matches_a_plain_loop_with_and_without_forcing():
    b = Brusselator2D(7)
    y = np.random.default_rng(0).random(b.n)
    for t in (0.0, 2.0):
        assert np.allclose(b.rhs(t, y), slow_rhs(b, t, y), rtol=1e-13)
    assert b.forcing(2.0).any() or b.N < 10  # the disk may miss a coarse grid
    assert np.array_equal(b.f(y), b.rhs(0.0, y))


def test_forcing_disk_on_a_fine_grid():
    b = Brusselator2D(32)
    f = b.forcing(1.2)
    assert f.max() == 5.0 and (f > 0).sum() > 5
    assert not b.forcing(1.0).any()


def test_analytic_jacobian_against_central_differences():
    b = Brusselator2D(5)
    y = np.random.default_rng(1).random(b.n)
    J = b.jacobian(0.0, y).toarray()
    h = 1e-6
    for i in range(b.n):
        e = np.zeros(b.n)
        e[i] = h
        col = (b.f(y + e) - b.f(y - e)) / (2 * h)
        assert np.allclose(J[:, i], col, rtol=1e-6, atol=1e-4)


def test_pattern_size_and_initial_state():
    for N in (3, 8, 24):
        b = Brusselator2D(N)
        assert b.jacobian_sparsity().nnz == 12 * N * N
        y0 = b.initial_state()
        assert y0.shape == (b.n,) and np.isfinite(y0).all()


def test_analytic_jacobian_equals_complex_step_and_pattern():
    b = Brusselator2D(4)
    y = np.random.default_rng(2).random(b.n)
    J = b.jacobian(1.5, y)
    assert J.format == "csr" and J.dtype == np.float64
    h = 1e-30
    cs = np.column_stack([np.imag(b.rhs(1.5, y + 1j * h * e)) / h for e in np.eye(b.n)])
    np.testing.assert_allclose(J.toarray(), cs, rtol=1e-13, atol=1e-9)
    P = b.jacobian_sparsity()
    assert P.dtype == bool
    np.testing.assert_array_equal(P.toarray(), cs != 0)
