"""Column, row and symmetric star colourings, greedy in a chosen vertex order."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from numba import njit

from ..errors import InputError
from .check import check_star, check_structurally_orthogonal

PROBLEMS = ("column", "row", "star")
ORDERS = (
    "natural",
    "random",
    "largest_first",
    "smallest_last",
    "incidence_degree",
    "dynamic_largest_first",
)
_DYNAMIC = {"smallest_last": 0, "dynamic_largest_first": 1, "incidence_degree": 2}


# -- greedy kernels --------------------------------------------------------------------


@njit(cache=True)
def _column_greedy(order, col_ptr, col_rows, row_ptr, row_cols):
    """Partial distance-2 colouring of columns: columns sharing a row differ."""
    n = col_ptr.shape[0] - 1
    colors = np.full(n, -1, np.int64)
    forbidden = np.full(n + 1, -1, np.int64)
    for j in order:
        for t in range(col_ptr[j], col_ptr[j + 1]):
            i = col_rows[t]
            for u in range(row_ptr[i], row_ptr[i + 1]):
                c = colors[row_cols[u]]
                if c >= 0:
                    forbidden[c] = j
        c = 0
        while forbidden[c] == j:
            c += 1
        colors[j] = c
    return colors


@njit(cache=True)
def _star_greedy(order, ptr, adj):
    """Symmetric star colouring: a distance-1 colouring with no two-coloured path on 4 vertices.

    When v gets colour c, every path v-w-x-y or a-v-x-y through coloured vertices is
    checked, and any colour that would close a two-coloured 4-path is forbidden.
    """
    n = ptr.shape[0] - 1
    colors = np.full(n, -1, np.int64)
    forbidden = np.full(n + 1, -1, np.int64)
    for v in order:
        # distance-1
        for t in range(ptr[v], ptr[v + 1]):
            w = adj[t]
            if w != v and colors[w] >= 0:
                forbidden[colors[w]] = v
        for t in range(ptr[v], ptr[v + 1]):
            w = adj[t]
            if w == v or colors[w] < 0:
                continue
            cw = colors[w]
            for s in range(ptr[w], ptr[w + 1]):
                x = adj[s]
                if x == w or x == v or colors[x] < 0:
                    continue
                cx = colors[x]
                # v-w-x-y two-coloured if colour(v) == cx and some y ~ x has colour cw
                for r in range(ptr[x], ptr[x + 1]):
                    y = adj[r]
                    if y != x and y != w and colors[y] == cw:
                        forbidden[cx] = v
                        break
                # a-v-w-x two-coloured if colour(v) == cx and some a ~ v has colour cw
                for r in range(ptr[v], ptr[v + 1]):
                    a = adj[r]
                    if a != v and a != w and colors[a] == cw:
                        forbidden[cx] = v
                        break
        c = 0
        while forbidden[c] == v:
            c += 1
        colors[v] = c
    return colors


# -- orders ------------------------------------------------------------------------------


@njit(cache=True)
def _dynamic_order(ptr, adj, mode):
    """Bucket-queue vertex orders on a conflict graph (CSR without diagonal).

    mode 0 smallest-last (remove a vertex of least remaining degree, colour in reverse),
    1 dynamic largest-first (take a vertex of largest remaining degree),
    2 incidence degree (take a vertex with most already-ordered neighbours).
    """
    n = ptr.shape[0] - 1
    key = np.zeros(n, np.int64)
    if mode != 2:
        for v in range(n):
            key[v] = ptr[v + 1] - ptr[v]
    top = max(1, int(key.max()) + 1) if n else 1
    if mode == 2:
        top = n + 1
    head = np.full(top + 1, -1, np.int64)
    nxt = np.full(n, -1, np.int64)
    prv = np.full(n, -1, np.int64)
    for v in range(n - 1, -1, -1):  # natural order breaks ties
        d = key[v]
        nxt[v] = head[d]
        if head[d] >= 0:
            prv[head[d]] = v
        head[d] = v
    done = np.zeros(n, np.bool_)
    order = np.empty(n, np.int64)
    cur = 0 if mode == 0 else top
    for step in range(n):
        if mode == 0:
            while head[cur] < 0:
                cur += 1
        else:
            while cur > 0 and head[cur] < 0:
                cur -= 1
        v = head[cur]
        head[cur] = nxt[v]
        if nxt[v] >= 0:
            prv[nxt[v]] = -1
        done[v] = True
        order[step] = v
        for t in range(ptr[v], ptr[v + 1]):
            w = adj[t]
            if done[w]:
                continue
            d = key[w]  # unlink w from bucket d
            if prv[w] >= 0:
                nxt[prv[w]] = nxt[w]
            else:
                head[d] = nxt[w]
            if nxt[w] >= 0:
                prv[nxt[w]] = prv[w]
            d = d - 1 if mode != 2 else d + 1
            key[w] = d
            prv[w] = -1
            nxt[w] = head[d]
            if head[d] >= 0:
                prv[head[d]] = w
            head[d] = w
            if mode == 0 and d < cur:
                cur = d
            if mode == 2 and d > cur:
                cur = d
    if mode == 0:
        order = order[::-1].copy()
    return order


def _conflict_graph(P: sp.csr_array, problem: str) -> sp.csr_array:
    """Vertices that may not share a colour: columns sharing a row (rows sharing a
    column), or neighbours in the symmetric pattern."""
    B = sp.csr_array(P, dtype=np.int8)
    if problem == "column":
        G = B.T @ B
    elif problem == "row":
        G = B @ B.T
    else:
        G = B
    G = sp.csr_array(G, dtype=bool, copy=True)  # never touch the caller's index arrays
    G.setdiag(False)
    G.eliminate_zeros()
    G.sort_indices()
    return G


def _order(name: str, P: sp.csr_array, problem: str, seed: int) -> np.ndarray:
    n = P.shape[0] if problem == "row" else P.shape[1]
    if name == "natural":
        return np.arange(n, dtype=np.int64)
    if name == "random":
        return np.random.default_rng(seed).permutation(n).astype(np.int64)
    if name not in ORDERS:
        raise InputError(f"asd: unknown order {name!r}; choose from {ORDERS} or a list of them")
    G = _conflict_graph(P, problem)
    if name == "largest_first":
        return np.argsort(-np.diff(G.indptr), kind="stable").astype(np.int64)
    return _dynamic_order(G.indptr.astype(np.int64), G.indices.astype(np.int64), _DYNAMIC[name])


# -- result ------------------------------------------------------------------------------


class ColoringResult:
    """Colours of a pattern and the plan that decompresses a compressed matrix.

    Column and star problems compress ``B = A @ S`` (m x ncolors); row problems
    ``C = S.T @ A`` (ncolors x n). ``decompress_values`` returns the nonzeros in the
    pattern's CSR order (or, for star, of its lower triangle).
    """

    def __init__(self, problem: str, pattern: sp.csr_array, colors: np.ndarray, order: str):
        self.problem = problem
        self.pattern = pattern
        self.colors = colors
        self.order = order
        self.ncolors = int(colors.max()) + 1 if colors.size else 0
        self._build_plan()

    @property
    def groups(self) -> list[np.ndarray]:
        return [np.flatnonzero(self.colors == c) for c in range(self.ncolors)]

    def seed_matrix(self) -> np.ndarray:
        S = np.zeros((self.colors.size, self.ncolors))
        S[np.arange(self.colors.size), self.colors] = 1.0
        return S

    def _build_plan(self) -> None:
        P = self.pattern
        rows = np.repeat(np.arange(P.shape[0]), np.diff(P.indptr))
        cols = P.indices
        nc = max(self.ncolors, 1)
        if self.problem == "column":
            self._flat = rows * nc + self.colors[cols]
        elif self.problem == "row":
            self._flat = self.colors[rows] * P.shape[1] + cols
        else:
            self._flat = _star_plan(P.indptr, P.indices, self.colors, nc)
        self._lower = np.flatnonzero(rows >= cols)
        self._rows, self._cols = rows, cols

    def decompress_values(self, compressed: np.ndarray, triangle: str | None = None) -> np.ndarray:
        flat = np.ascontiguousarray(compressed).reshape(-1)
        vals = flat[self._flat]
        if triangle == "lower":
            return vals[self._lower]
        return vals

    def decompress(self, compressed: np.ndarray) -> sp.csr_array:
        P = self.pattern
        return sp.csr_array((self.decompress_values(compressed), P.indices, P.indptr), P.shape)

    def structure(self, triangle: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        if triangle == "lower":
            return self._rows[self._lower], self._cols[self._lower]
        return self._rows, self._cols


@njit(cache=True)
def _star_plan(indptr, indices, colors, nc):
    """Where each nonzero (i, j) is read in B = H S: B[i, c(j)] if j is i's only
    neighbour of colour c(j), else B[j, c(i)] (the star property makes one of them so)."""
    n = indptr.shape[0] - 1
    count = np.zeros(nc, np.int64)
    flat = np.empty(indices.shape[0], np.int64)
    unique_in_row = np.zeros(indices.shape[0], np.bool_)
    for i in range(n):
        for t in range(indptr[i], indptr[i + 1]):
            count[colors[indices[t]]] += 1
        for t in range(indptr[i], indptr[i + 1]):
            unique_in_row[t] = count[colors[indices[t]]] == 1
        for t in range(indptr[i], indptr[i + 1]):
            count[colors[indices[t]]] = 0
    for i in range(n):
        for t in range(indptr[i], indptr[i + 1]):
            j = indices[t]
            if unique_in_row[t]:
                flat[t] = i * nc + colors[j]
            else:
                flat[t] = j * nc + colors[i]
    return flat


# -- entry point ---------------------------------------------------------------------------


def color(
    pattern,
    problem: str = "column",
    order: str | Sequence[str] = "natural",
    *,
    seed: int = 0,
    check: bool = True,
) -> ColoringResult:
    """Colour ``pattern`` for compressed evaluation; a list of orders keeps the best.

    ``check`` verifies the result (cheap: a sort over the nonzeros); a failure raises.
    """
    if problem not in PROBLEMS:
        raise InputError(f"asd: problem must be one of {PROBLEMS}, not {problem!r}")
    P = sp.csr_array(pattern, dtype=bool)
    P.sort_indices()
    P.sum_duplicates()
    if problem == "star" and P.shape[0] != P.shape[1]:
        raise InputError("asd: star colouring needs a square symmetric pattern")
    if not isinstance(order, str):
        results = [color(P, problem, o, seed=seed, check=check) for o in order]
        return min(results, key=lambda r: r.ncolors)
    if problem == "row":
        T = sp.csr_array(P.T)
        T.sort_indices()
        C = sp.csc_array(T)
        colors = _column_greedy(
            _order(order, P, "row", seed),
            C.indptr.astype(np.int64),
            C.indices.astype(np.int64),
            T.indptr.astype(np.int64),
            T.indices.astype(np.int64),
        )
    elif problem == "column":
        C = sp.csc_array(P)
        C.sort_indices()
        colors = _column_greedy(
            _order(order, P, "column", seed),
            C.indptr.astype(np.int64),
            C.indices.astype(np.int64),
            P.indptr.astype(np.int64),
            P.indices.astype(np.int64),
        )
    else:
        S = sp.csr_array(P + P.T, dtype=bool)
        S.sort_indices()
        P = S
        colors = _star_greedy(
            _order(order, S, "star", seed),
            S.indptr.astype(np.int64),
            S.indices.astype(np.int64),
        )
    if check:
        if problem == "star":
            check_star(P, colors)
        else:
            check_structurally_orthogonal(P, colors, "row" if problem == "row" else "column")
    return ColoringResult(problem, P, colors, order)
