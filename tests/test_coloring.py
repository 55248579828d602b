"""Colourings: round trips on random matrices, checkers, known colour counts."""

import numpy as np
import pytest
import scipy.sparse as sp

from asd.coloring import (
    ColoringError,
    check_star,
    check_structurally_orthogonal,
    color,
)
from asd.coloring.color import ORDERS as ALL_ORDERS
from cases.brusselator import Brusselator2D

ORDERS = list(ALL_ORDERS)


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("problem", ["column", "row"])
def test_round_trip_random_rectangular(problem, order):
    rng = np.random.default_rng(0)
    for trial in range(60):
        m, n = rng.integers(1, 40, 2)
        A = sp.random_array((m, n), density=rng.random() * 0.3, random_state=rng, format="csr")
        A.data[:] = rng.standard_normal(A.nnz)
        r = color(A != 0, problem, order, seed=trial)
        S = r.seed_matrix()
        compressed = A @ S if problem == "column" else S.T @ A
        ref = sp.csr_array(A)
        ref.sort_indices()
        assert np.array_equal(r.decompress_values(compressed), ref.data)
        assert (r.decompress(compressed) != ref).nnz == 0


@pytest.mark.parametrize("order", ORDERS)
def test_round_trip_random_symmetric_star(order):
    rng = np.random.default_rng(1)
    for trial in range(60):
        n = int(rng.integers(1, 40))
        B = sp.random_array((n, n), density=rng.random() * 0.3, random_state=rng)
        mask = ((B + B.T) != 0).toarray() | np.eye(n, dtype=bool)
        M = rng.standard_normal((n, n))
        H = sp.csr_array(np.where(mask, M + M.T, 0.0))
        r = color(H != 0, "star", order, seed=trial)
        vals = r.decompress_values(H @ r.seed_matrix())
        assert np.allclose(vals, H.toarray()[r.pattern.nonzero()])
        low = r.decompress_values(H @ r.seed_matrix(), triangle="lower")
        rows, cols = r.structure(triangle="lower")
        assert (rows >= cols).all()
        assert np.allclose(low, H.toarray()[rows, cols])


@pytest.mark.parametrize("rho", [10, 20])
def test_banded_star_colour_counts(rho):
    # rho off-diagonal bands in all, rho / 2 on each side: 2*floor(rho/2) + 1 colours
    n, half = 5000, rho // 2
    B = sp.diags_array(
        [np.ones(n - abs(k)) for k in range(-half, half + 1)],
        offsets=list(range(-half, half + 1)),
        format="csr",
    )
    assert color(B != 0, "star").ncolors == 2 * (rho // 2) + 1


def test_brusselator_column_colourings_are_valid():
    P = Brusselator2D(12).jacobian_sparsity()
    counts = {}
    for order in ORDERS:
        r = color(P, "column", order)
        check_structurally_orthogonal(P, r.colors)
        counts[order] = r.ncolors
    assert min(counts.values()) >= 6  # the pattern holds a 6-column clique
    assert color(P, "column", ORDERS).ncolors == min(counts.values())


def test_checkers_reject_bad_colourings():
    P = sp.csr_array(np.array([[1, 1, 0], [0, 1, 1]], bool))
    with pytest.raises(ColoringError):
        check_structurally_orthogonal(P, np.array([0, 0, 1]))
    path = sp.diags_array([np.ones(3), np.ones(4), np.ones(3)], offsets=[-1, 0, 1], format="csr")
    with pytest.raises(ColoringError):
        check_star(path, np.array([0, 1, 0, 1]))  # a two-coloured path on four vertices
    check_star(path, np.array([0, 1, 2, 0]))
