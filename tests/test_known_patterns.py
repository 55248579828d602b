"""Sparsity patterns with a known answer."""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from reference import fd_jacobian

import asd
from asd.detection import hessian_pattern, jacobian_pattern
from cases.brusselator import Brusselator2D


@pytest.mark.parametrize("N", [3, 6, 12])
def test_brusselator_jacobian_pattern_is_exact(N):
    b = Brusselator2D(N)
    x = np.random.default_rng(N).random(b.n)
    P = asd.jacobian_sparsity(b.f, x)
    assert P.shape == (b.n, b.n)
    assert P.nnz == 12 * N * N
    # every row: own u and v plus four neighbours of its own species
    J = fd_jacobian(b.f, x)
    assert np.array_equal(P.toarray(), np.abs(J) > 1e-6)
    assert (P != b.jacobian_sparsity()).nnz == 0


def extended_rosenbrock(x):
    a, b = x[0::2], x[1::2]
    return np.sum(100.0 * (b - a**2) ** 2 + (1.0 - a) ** 2)


def chained_rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def test_rosenbrock_hessian_patterns():
    n = 10
    x = np.random.default_rng(0).random(n)
    H = asd.hessian_sparsity(extended_rosenbrock, x).toarray()
    expected = np.zeros((n, n), bool)
    for i in range(0, n, 2):
        expected[i : i + 2, i : i + 2] = True
    assert np.array_equal(H, expected)
    H = asd.hessian_sparsity(chained_rosenbrock, x).toarray()
    expected = np.abs(np.subtract.outer(np.arange(n), np.arange(n))) <= 1
    assert np.array_equal(H, expected)


def test_convolution_pattern():
    kernel = np.array([0.25, 0.5, 0.25, 0.0, 1.0])  # one zero tap: no dependency
    n = 12
    x = np.random.default_rng(1).random(n)
    P = asd.jacobian_sparsity(lambda x: conv(x, kernel), x)
    dense = np.zeros((n - 4, n), bool)
    for i in range(n - 4):
        for k, w in enumerate(kernel[::-1]):
            if w != 0:
                dense[i, i + k] = True
    assert np.array_equal(P.toarray(), dense)


def conv(x, kernel):
    """'valid' convolution written with slices (what a user would write)."""
    m = x.size - kernel.size + 1
    return sum(kernel[::-1][k] * x[k : k + m] for k in range(kernel.size))


def test_arrowhead_hessian_and_jacobian():
    n = 9

    def f(x):
        return np.sum(x[0] * x[1:]) + np.sum(x**2)

    x = np.random.default_rng(2).random(n)
    H = asd.hessian_sparsity(f, x).toarray()
    expected = np.eye(n, dtype=bool)
    expected[0, :] = expected[:, 0] = True
    assert np.array_equal(H, expected)

    def g(x):
        return np.concatenate([x[:1] * np.sum(x), x[1:] + x[0]])

    J = asd.jacobian_sparsity(g, x).toarray()
    expected = np.eye(n, dtype=bool)
    expected[0, :] = expected[:, 0] = True
    assert np.array_equal(J, expected)


def test_dead_end_branch_is_dropped():
    def f(x):
        unused = np.exp(x[0] * x[1])  # computed, never reaches the output
        _ = unused * 3
        return x[2:] ** 2

    x = np.arange(1.0, 6.0)
    tape = asd.trace(f, x)
    assert tape.n_nodes == x.size + 3  # inputs + one square per output
    J = asd.jacobian_sparsity(f, x).toarray()
    assert not J[:, :2].any()
    H = asd.hessian_sparsity(lambda x: f(x).sum(), x).toarray()
    assert np.array_equal(H, np.diag([False, False, True, True, True]))


def test_zero_derivative_paths_do_not_count():
    def f(x):
        return np.floor(x[0]) * 0 + np.sign(x[1]) + (x[2] > 0) * x[3]

    x = np.array([1.5, -2.0, 3.0, 4.0])
    J = asd.jacobian_sparsity(f, x).toarray()
    assert np.array_equal(J, [[False, False, False, True]])


def test_local_mode_keeps_active_side_only():
    def f(x):
        return np.concatenate(
            [
                np.maximum(x[:2], x[2:4]),
                np.where(x[4:5] > 0, x[5:6], x[6:7]),
                x[7:8] * x[8:9],
                np.abs(x[9:10]) + np.clip(x[10:11], 0.0, 1.0),
            ]
        )

    x = np.array([1.0, 0.0, 0.0, 2.0, 1.0, 5.0, 6.0, 3.0, 0.0, -1.0, 7.0])
    G = asd.jacobian_sparsity(f, x, mode="global").toarray()
    L = asd.jacobian_sparsity(f, x, mode="local").toarray()
    assert not (L & ~G).any()
    assert L[0].nonzero()[0].tolist() == [0]  # x0 > x2
    assert L[1].nonzero()[0].tolist() == [3]  # x3 > x1
    assert L[2].nonzero()[0].tolist() == [5]  # where picks x5
    assert L[3].nonzero()[0].tolist() == [8]  # x7 * x8 with x8 == 0: only x8 matters
    assert L[4].nonzero()[0].tolist() == [9]  # x10 clipped at 1
    assert G[2].nonzero()[0].tolist() == [5, 6]
    assert G[3].nonzero()[0].tolist() == [7, 8]


def test_local_branching_records_guards():
    def f(x):
        if x[0] > 0:
            return x * 2
        return x**2

    x = np.array([1.0, 2.0])
    tape = asd.trace(f, x, mode="local")
    assert len(tape.guards) == 1
    assert np.allclose(asd.evaluate(tape, [3.0, 1.0]), [6.0, 2.0])
    try:
        asd.evaluate(tape, [-1.0, 1.0])
    except asd.BranchChangedError as e:
        assert "local mode" in str(e)
    else:
        raise AssertionError("evaluating across the traced branch must fail")


def test_large_sum_of_terms_hessian_is_linear():
    n = 100_000
    x = np.random.default_rng(3).random(n)
    H = asd.hessian_sparsity(chained_rosenbrock, x)
    assert H.nnz == n + 2 * (n - 1)


def test_tape_pickles_and_keeps_working():
    x = np.random.default_rng(4).random(8)
    tape = asd.trace(chained_rosenbrock, x)
    tape2 = pickle.loads(pickle.dumps(tape))
    assert np.array_equal(asd.evaluate(tape2, x), asd.evaluate(tape, x))
    assert (hessian_pattern(tape2) != hessian_pattern(tape)).nnz == 0
    assert (jacobian_pattern(tape2) != jacobian_pattern(tape)).nnz == 0


def test_nary_sums_are_single_nodes():
    x = np.random.default_rng(5).random(1000)
    tape = asd.trace(lambda x: np.sum(x * x), x)
    # inputs, 1000 squares and one linear node: no chain of binary additions
    assert tape.n_nodes == 1000 + 1000 + 1


def test_sparse_matrix_products():
    rng = np.random.default_rng(6)
    A = sp.random_array((7, 5), density=0.3, random_state=rng, format="csr")
    x = rng.random(5)
    P = asd.jacobian_sparsity(lambda x: A @ x, x).toarray()
    assert np.array_equal(P, A.toarray() != 0)
    tape = asd.trace(lambda x: A @ np.sin(x), x)
    assert np.allclose(asd.evaluate(tape, x), A @ np.sin(x))


def test_later_setitem_does_not_rewrite_recorded_instructions():
    def f(x):
        y = x * 1.0
        z = np.cumsum(y)  # records instructions whose arguments view y's ids
        y[0] = x[2] * 5.0  # must not change what z was computed from
        return np.concatenate([z, y])

    x = np.array([1.0, 2.0, 3.0])
    tape = asd.trace(f, x)
    assert np.allclose(asd.evaluate(tape, x), f(x))
    assert np.allclose(asd.evaluate(tape, x + 1), f(x + 1))
