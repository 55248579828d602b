"""Colourings: round trips on random patterns, checkers, known colour counts, Brusselator."""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp

from asd.coloring import (
    ORDERS,
    ColoringError,
    check_acyclic,
    check_bicoloring,
    check_star,
    check_structurally_orthogonal,
    color,
)
from cases.brusselator import Brusselator2D

ORDER_LIST = list(ORDERS)


# -- helpers ---------------------------------------------------------------------------------


def brusselator_pattern(N: int) -> sp.csr_array:
    """2-D Brusselator Jacobian on an N x N periodic grid (the analytic one's pattern)."""
    return Brusselator2D(N).jacobian_sparsity()


def banded(n: int, half: int) -> sp.csr_array:
    offsets = list(range(-half, half + 1))
    return sp.diags_array([np.ones(n - abs(k)) for k in offsets], offsets=offsets, format="csr")


def random_symmetric(rng, n, density, full_diagonal=True):
    """Random symmetric matrix (values) with a random symmetric pattern."""
    B = sp.random_array((n, n), density=density, random_state=rng)
    mask = ((B + B.T) != 0).toarray()
    if full_diagonal:
        mask |= np.eye(n, dtype=bool)
    else:
        mask[np.diag_indices(n)] = rng.random(n) < 0.5
    M = rng.standard_normal((n, n))
    return sp.csr_array(np.where(mask, M + M.T, 0.0))


def _find(parent, x):
    while parent.setdefault(x, x) != x:
        x = parent[x]
    return x


def two_coloured_components(pattern, colors):
    """Reference (plain Python): for each pair of colours, components of the induced
    subgraph as (vertex count, edge count, max degree)."""
    A = sp.coo_array(sp.triu(pattern, k=1))
    out = []
    pairs = {}
    for u, v in zip(A.row, A.col):
        a, b = sorted((colors[u], colors[v]))
        pairs.setdefault((a, b), []).append((u, v))
    for edges in pairs.values():
        parent = {}
        for u, v in edges:
            parent[_find(parent, u)] = _find(parent, v)
        comps = {}
        for u, v in edges:
            r = _find(parent, u)
            vs, es = comps.setdefault(r, (set(), []))
            vs.update((u, v))
            es.append((u, v))
        for vs, es in comps.values():
            deg = {}
            for u, v in es:
                deg[u] = deg.get(u, 0) + 1
                deg[v] = deg.get(v, 0) + 1
            out.append((len(vs), len(es), max(deg.values()), sorted(deg.values())))
    return out


def assert_reference_star(pattern, colors):
    """Independent star check: distance-1 and every two-coloured component is a star."""
    A = sp.coo_array(pattern)
    off = A.row != A.col
    assert (colors[A.row[off]] != colors[A.col[off]]).all()
    for nv, ne, _, degs in two_coloured_components(pattern, colors):
        assert ne == nv - 1 and (nv <= 2 or degs[-2] == 1), "two-coloured component not a star"


def assert_reference_acyclic(pattern, colors):
    A = sp.coo_array(pattern)
    off = A.row != A.col
    assert (colors[A.row[off]] != colors[A.col[off]]).all()
    for nv, ne, _, _ in two_coloured_components(pattern, colors):
        assert ne == nv - 1, "two-coloured cycle"


def compress(A, r):
    S = r.seed_matrix()
    if r.problem == "row":
        return S.T @ A
    if r.problem == "bidirectional":
        return (A @ S[0], S[1].T @ A)
    return A @ S


def assert_round_trip(A, r):
    ref = sp.csr_array(A)
    ref.sum_duplicates()
    ref.sort_indices()
    if r.problem in ("star", "acyclic"):
        ref = sp.csr_array(ref + 0 * ref.T)
        ref.sort_indices()
    comp = compress(A, r)
    vals = r.decompress_values(comp)
    assert np.array_equal(r.pattern.indptr, ref.indptr)
    assert np.array_equal(r.pattern.indices, ref.indices)
    assert np.allclose(vals, ref.data, rtol=1e-12, atol=1e-12)
    D = r.decompress(comp)
    assert abs(D - ref).max() < 1e-12 if ref.nnz else D.nnz == 0
    out = np.empty(ref.nnz)
    assert r.decompress_values(comp, out=out) is out and np.allclose(out, ref.data)
    if r.problem in ("star", "acyclic"):
        low = r.decompress_values(comp, triangle="lower")
        rows, cols = r.structure(triangle="lower")
        L = sp.csr_array(sp.tril(ref))
        L.sort_indices()
        assert (rows >= cols).all()
        assert np.array_equal(rows, np.repeat(np.arange(L.shape[0]), np.diff(L.indptr)))
        assert np.array_equal(cols, L.indices)
        assert np.allclose(low, L.data, rtol=1e-12, atol=1e-12)


def validate(P, r):
    """Run the library checker that matches the problem."""
    if r.problem == "column":
        check_structurally_orthogonal(P, r.colors)
    elif r.problem == "row":
        check_structurally_orthogonal(P, r.colors, by="row")
    elif r.problem == "star":
        check_star(P, r.colors)
    elif r.problem == "acyclic":
        check_acyclic(P, r.colors)
    else:
        check_bicoloring(P, r.column_colors, r.row_colors)


# -- round trips --------------------------------------------------------------------------


@pytest.mark.parametrize("order", ORDER_LIST)
@pytest.mark.parametrize("problem", ["column", "row", "bidirectional"])
def test_round_trip_random_rectangular(problem, order):
    rng = np.random.default_rng(0)
    for trial in range(40 if problem != "bidirectional" else 15):
        m, n = (int(x) for x in rng.integers(1, 45, 2))
        density = [0.02, 0.1, 0.3, 0.7][trial % 4]
        A = sp.random_array((m, n), density=density, random_state=rng, format="csr")
        A.data[:] = rng.standard_normal(A.nnz)
        if problem == "bidirectional" and trial % 3 == 0:  # add a dense row and column
            D = A.toarray()
            D[rng.integers(m)] = rng.standard_normal(n)
            D[:, rng.integers(n)] = rng.standard_normal(m)
            A = sp.csr_array(D)
        r = color(A != 0, problem, order, seed=trial)
        validate(A != 0, r)
        assert_round_trip(A, r)


@pytest.mark.parametrize("order", ORDER_LIST)
@pytest.mark.parametrize("problem", ["star", "acyclic"])
def test_round_trip_random_symmetric(problem, order):
    rng = np.random.default_rng(1)
    for trial in range(40):
        n = int(rng.integers(1, 45))
        H = random_symmetric(rng, n, [0.03, 0.1, 0.25][trial % 3], full_diagonal=trial % 4 != 3)
        for postprocess in (True, False):
            r = color(H != 0, problem, order, seed=trial, postprocess=postprocess)
            validate(H != 0, r)
            assert_round_trip(H, r)
            if not postprocess:  # postprocessing may unseed vertices; the raw colouring
                # satisfies the graph condition itself
                ref = assert_reference_star if problem == "star" else assert_reference_acyclic
                ref(H != 0, r.colors)


def test_symmetric_colourings_of_unsymmetric_patterns_use_the_symmetrised_pattern():
    P = sp.csr_array(np.array([[1, 1, 0], [0, 1, 0], [0, 1, 1]], bool))
    r = color(P, "star")
    assert (r.pattern != sp.csr_array(P + P.T)).nnz == 0


def test_postprocessing_unseeds_vertices_without_needed_colours():
    # star graph without diagonal: only the hub's colour is read (leaves read through it)
    n = 8
    P = sp.lil_array((n, n), dtype=bool)
    P[0, 1:] = True
    P[1:, 0] = True
    r = color(P, "star")
    assert r.ncolors == 1 and r.colors[0] == 0 and (r.colors[1:] == -1).all()
    H = sp.csr_array(P, dtype=float)
    H.data[:] = np.arange(1, H.nnz + 1)
    H = sp.csr_array(H + H.T)
    assert_round_trip(H, r)
    assert color(P, "star", postprocess=False).ncolors == 2


# -- known colour counts ------------------------------------------------------------------


@pytest.mark.parametrize("n", [5000, 20000])
@pytest.mark.parametrize("rho", [10, 20])
def test_banded_colour_counts(n, rho):
    # rho off-diagonal bands in all (rho / 2 on each side), natural order:
    # star 2 floor(rho/2) + 1 colours, acyclic floor(rho/2) + 1
    B = banded(n, rho // 2) != 0
    s = color(B, "star")
    a = color(B, "acyclic")
    assert s.ncolors == 2 * (rho // 2) + 1
    assert a.ncolors == rho // 2 + 1
    check_star(B, s.colors)
    check_acyclic(B, a.colors)
    # acyclic with half + 1 colours is optimal (a clique of half + 1), so no order beats it
    assert color(B, "acyclic", ORDER_LIST).ncolors == rho // 2 + 1


def test_banded_round_trip_small():
    rng = np.random.default_rng(5)
    for half in (1, 2, 3, 5):
        H = banded(60, half)
        H.data[:] = rng.standard_normal(H.nnz)
        H = sp.csr_array(H + H.T)
        for problem in ("star", "acyclic", "column"):
            r = color(H != 0, problem)
            assert_round_trip(H, r)


def test_path_star_graph_and_complete_bipartite():
    path = banded(10, 1) != 0
    assert color(path, "star").ncolors == 3
    assert color(path, "acyclic").ncolors == 2
    assert color(path, "column").ncolors == 3
    # star graph K_{1,k} with diagonal: 2 colours for star and acyclic, k + 1 columns
    k = 9
    S = sp.lil_array((k + 1, k + 1), dtype=bool)
    S[0, :] = True
    S[:, 0] = True
    S.setdiag(True)
    for order in ORDER_LIST:
        assert color(S, "star", order).ncolors == 2
        assert color(S, "acyclic", order).ncolors == 2
    assert color(S, "column").ncolors == k + 1
    # complete bipartite K_{a,b}: star and acyclic chromatic numbers are min(a, b) + 1;
    # greedy reaches that when the larger side comes first
    a, b = 3, 7
    K = np.zeros((a + b, a + b), bool)
    K[:a, a:] = True
    K[a:, :a] = True
    K |= np.eye(a + b, dtype=bool)
    big_first = np.r_[np.arange(a, a + b), np.arange(a)]
    for problem in ("star", "acyclic"):
        assert color(K, problem, big_first).ncolors == a + 1
        for order in ORDER_LIST:
            r = color(K, problem, order)
            assert r.ncolors >= a + 1
            validate(K, r)


def test_arrowhead():
    n = 30
    D = np.eye(n, dtype=bool)
    D[0, :] = True
    D[:, 0] = True
    assert color(D, "column").ncolors == n
    assert color(D, "row").ncolors == n
    assert color(D, "star").ncolors == 2
    r = color(D, "bidirectional", ORDER_LIST)
    assert r.ncolors == 3  # forward: column 0 and the rest; reverse: row 0
    check_bicoloring(D, r.column_colors, r.row_colors)
    A = sp.csr_array(np.where(D, np.random.default_rng(2).standard_normal((n, n)), 0.0))
    assert_round_trip(A, r)


def test_trivial_patterns():
    for P in (np.eye(7, dtype=bool), np.zeros((4, 6), bool), np.ones((5, 3), bool)):
        for problem in ("column", "row", "bidirectional"):
            r = color(P, problem)
            validate(P, r)
            assert_round_trip(sp.csr_array(P, dtype=float), r)
    assert color(np.eye(7), "column").ncolors == 1
    assert color(np.ones((5, 3)), "column").ncolors == 3
    assert color(np.ones((5, 3)), "row").ncolors == 5
    assert color(np.zeros((0, 0)), "star").ncolors == 0
    for problem in ("star", "acyclic"):
        assert color(np.eye(5), problem).ncolors == 1
        assert color(np.ones((5, 5)), problem).ncolors == 5


# -- Brusselator ---------------------------------------------------------------------------


def test_brusselator_pattern_shape():
    P = brusselator_pattern(6)
    assert P.nnz == 12 * 36 and (np.diff(P.indptr) == 6).all()


@pytest.mark.parametrize("N", [12, 48])
def test_brusselator_every_order_is_valid(N):
    P = brusselator_pattern(N)
    counts = {}
    for order in ORDER_LIST:
        r = color(P, "column", order)
        check_structurally_orthogonal(P, r.colors)
        counts[order] = r.ncolors
        assert r.ncolors >= 6  # a row is a 6-column clique
    assert color(P, "column", ORDER_LIST).ncolors == min(counts.values())
    assert min(counts.values()) <= 8
    improved = color(P, "column", "dsatur", recolor=20)
    check_structurally_orthogonal(P, improved.colors)
    assert 6 <= improved.ncolors <= counts["dsatur"]


def test_brusselator_round_trip():
    P = brusselator_pattern(10)
    A = sp.csr_array(P, dtype=float)
    A.data[:] = np.random.default_rng(3).standard_normal(A.nnz)
    for problem in ("column", "row", "bidirectional"):
        r = color(P, problem, ORDER_LIST)
        validate(P, r)
        assert_round_trip(A, r)


# -- checkers and API ------------------------------------------------------------------------


def test_checkers_reject_bad_colourings():
    P = sp.csr_array(np.array([[1, 1, 0], [0, 1, 1]], bool))
    with pytest.raises(ColoringError):
        check_structurally_orthogonal(P, np.array([0, 0, 1]))
    with pytest.raises(ColoringError):
        check_structurally_orthogonal(P, np.array([0, -1, 1]))  # unseeded column
    with pytest.raises(ColoringError):
        check_structurally_orthogonal(P, np.array([0, 0]), by="row")
    check_structurally_orthogonal(P, np.array([0, 1]), by="row")
    check_structurally_orthogonal(P, np.array([0, 1, 0]))
    path = banded(4, 1) != 0
    with pytest.raises(ColoringError):
        check_star(path, np.array([0, 1, 0, 1]))  # a two-coloured path on four vertices
    with pytest.raises(ColoringError):
        check_star(path, np.array([0, 0, 1, 2]))  # not distance-1
    check_star(path, np.array([0, 1, 2, 0]))
    check_acyclic(path, np.array([0, 1, 0, 1]))
    cycle = sp.csr_array(banded(4, 1) != 0, dtype=bool).tolil()
    cycle[0, 3] = cycle[3, 0] = True
    with pytest.raises(ColoringError):
        check_acyclic(cycle, np.array([0, 1, 0, 1]))  # a two-coloured cycle
    check_acyclic(cycle, np.array([0, 1, 0, 2]))
    with pytest.raises(ColoringError):
        check_acyclic(path, np.array([0, 1, 0, -1]))  # unseeded diagonal
    D = np.eye(4, dtype=bool)
    D[0, :] = D[:, 0] = True
    with pytest.raises(ColoringError):
        check_bicoloring(D, np.array([0, 1, 1, 1]), np.full(4, -1))  # row 0 mixes 1, 2, 3
    check_bicoloring(D, np.array([0, 1, 1, 1]), np.array([0, -1, -1, -1]))
    with pytest.raises(ColoringError):
        check_star(path, np.array([0, 1, 2]))  # wrong length


def test_orders_and_options():
    P = brusselator_pattern(6)
    r = color(P, "column", ["natural", "dsatur"])
    assert r.ncolors == min(color(P, "column", o).ncolors for o in ("natural", "dsatur"))
    assert r.order in ("natural", "dsatur")
    a = color(P, "column", "random", seed=1).colors
    assert np.array_equal(a, color(P, "column", "random", seed=1).colors)
    with pytest.raises(ValueError):
        color(P, "column", "nonsense")
    with pytest.raises(ValueError):
        color(P, "diagonal")
    with pytest.raises(ValueError):
        color(P, "star", recolor=3)
    with pytest.raises(ValueError):
        color(P, "column", np.zeros(P.shape[1], int))  # not a permutation
    with pytest.raises(ValueError):
        color(sp.csr_array(np.ones((2, 3))), "star")  # not square
    r = color(P, "column")
    with pytest.raises(ValueError):
        r.decompress_values(np.zeros((P.shape[0], r.ncolors + 1)))
    with pytest.raises(ValueError):
        r.decompress_values(np.zeros((P.shape[0], r.ncolors)), triangle="lower")


def test_groups_and_seeds_agree():
    rng = np.random.default_rng(4)
    H = random_symmetric(rng, 30, 0.1, full_diagonal=False)
    for problem in ("column", "row", "star", "acyclic", "bidirectional"):
        r = color(H != 0, problem)
        S = r.seed_matrix()
        groups = r.groups
        assert len(groups) == r.ncolors
        if problem == "bidirectional":
            Sc, Sr = S
            assert Sc.shape[1] + Sr.shape[1] == r.ncolors
            cols = [np.flatnonzero(Sc[:, c]) for c in range(Sc.shape[1])]
            rows = [np.flatnonzero(Sr[:, c]) for c in range(Sr.shape[1])]
            assert all(np.array_equal(a, b) for a, b in zip(cols + rows, groups))
        else:
            assert all(np.array_equal(np.flatnonzero(S[:, c]), g) for c, g in enumerate(groups))
            assert (S.sum(axis=1) <= 1).all()


def test_input_is_not_modified_and_any_format_works():
    rng = np.random.default_rng(6)
    A = sp.random_array((20, 20), density=0.2, random_state=rng, format="coo")
    rows = np.r_[A.row, A.row[:5]]  # duplicates, unsorted
    cols = np.r_[A.col, A.col[:5]]
    M = sp.csr_matrix((np.ones(rows.size, bool), (rows, cols)), shape=(20, 20))
    M.indices[:] = M.indices.copy()  # keep scipy's row-wise storage, reverse each row
    for i in range(20):
        a, b = M.indptr[i], M.indptr[i + 1]
        M.indices[a:b] = M.indices[a:b][::-1].copy()
    M.has_sorted_indices = False
    before = (M.indptr.copy(), M.indices.copy(), M.data.copy())
    for fmt in (M, sp.csc_array(M), sp.csc_matrix(M), sp.coo_array(M), M.toarray()):
        for problem in ("column", "star"):
            r = color(fmt, problem)
            validate(M, r)
    assert all(np.array_equal(a, b) for a, b in zip(before, (M.indptr, M.indices, M.data)))


def test_result_pickles_and_acyclic_out_argument():
    rng = np.random.default_rng(7)
    H = random_symmetric(rng, 25, 0.15)
    r = color(H != 0, "acyclic")
    r2 = pickle.loads(pickle.dumps(r))
    comp = H @ r.seed_matrix()
    assert np.array_equal(r.decompress_values(comp), r2.decompress_values(comp))
    low = np.empty(r.structure("lower")[0].size)
    assert r.decompress_values(comp, out=low, triangle="lower") is low


@pytest.mark.parametrize("problem", ["column", "row"])
def test_a_wrong_partition_from_the_algorithm_is_caught(monkeypatch, problem):
    """The built-in check runs on what the greedy kernel returns, not on trust."""
    from asd.coloring import algorithms

    P = sp.csr_array(np.array([[1, 1, 0], [0, 1, 1], [1, 0, 1]], bool))
    monkeypatch.setattr(algorithms, "greedy", lambda G, order: np.zeros(G.n, np.int64))
    with pytest.raises(ColoringError):
        color(P, problem)
    assert color(P, problem, check=False).ncolors == 1  # unchecked, it would be wrong
