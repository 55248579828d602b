"""Exact column / row colouring of small patterns by an integer program (scipy's HiGHS).

Assignment formulation over K candidate colours (K from a heuristic colouring):
binary ``x[v, c]`` (vertex v takes colour c) and ``w[c]`` (colour c is used);

    minimise  Σ_c w[c]
    subject to Σ_c x[v, c] = 1                       every vertex one colour
               Σ_{v in group g} x[v, c] <= w[c]      every row (column) and colour
               w[c] >= w[c + 1]                      used colours come first

The group constraints are the distance-2 condition itself (the vertices of one row
pairwise conflict) and make a stronger relaxation than pairwise edges. The vertices of
the largest group get colours 0, 1, ... beforehand, which removes most of the symmetry
between colours. Meant for graphs of up to about a hundred vertices: to certify the
optimum colour counts in tests, or when every colour saved matters.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..errors import InputError
from .graph import TwoLevel

MAX_VERTICES = 400


def exact_partial(graph: TwoLevel, upper: np.ndarray, time_limit: float = 60.0):
    """Optimal distance-2 colouring of ``graph``, or ``None`` if HiGHS did not prove one.

    ``upper`` is a valid colouring; its count bounds the colours searched. Returns
    ``(colors, optimal)`` with ``optimal`` True when HiGHS proved optimality.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    n = graph.n
    if n > MAX_VERTICES:
        raise InputError(f"asd: exact colouring is for at most {MAX_VERTICES} vertices, not {n}")
    K = int(upper.max(initial=-1)) + 1
    if n == 0 or K <= 1:
        return np.asarray(upper, dtype=np.int64), True
    ptr, idx = graph.ptr2, graph.idx2
    sizes = np.diff(ptr)
    groups = np.flatnonzero(sizes >= 2)
    nx = n * K  # x[v, c] at v * K + c, then w[c] at nx + c
    nvar = nx + K
    c_obj = np.concatenate([np.zeros(nx), np.ones(K)])
    rows, cols, vals = [], [], []
    lo, hi = [], []
    r = 0
    # one colour per vertex
    for v in range(n):
        rows += [r] * K
        cols += list(range(v * K, v * K + K))
        vals += [1.0] * K
        lo.append(1.0)
        hi.append(1.0)
        r += 1
    # groups: at most one vertex of each used colour
    for g in groups:
        members = idx[ptr[g] : ptr[g + 1]]
        for c in range(K):
            rows += [r] * (members.size + 1)
            cols += [int(v) * K + c for v in members] + [nx + c]
            vals += [1.0] * members.size + [-1.0]
            lo.append(-np.inf)
            hi.append(0.0)
            r += 1
    for c in range(K - 1):  # w[c] >= w[c + 1]
        rows += [r, r]
        cols += [nx + c, nx + c + 1]
        vals += [1.0, -1.0]
        lo.append(0.0)
        hi.append(np.inf)
        r += 1
    A = sp.csr_array((vals, (rows, cols)), shape=(r, nvar))
    lb = np.zeros(nvar)
    ub = np.ones(nvar)
    if groups.size:  # symmetry: the largest group's vertices take colours 0, 1, ...
        g = groups[np.argmax(sizes[groups])]
        for c, v in enumerate(idx[ptr[g] : ptr[g + 1]]):
            lb[int(v) * K + c] = 1.0
    res = milp(
        c_obj,
        constraints=LinearConstraint(A, lo, hi),
        integrality=np.ones(nvar),
        bounds=Bounds(lb, ub),
        options={"time_limit": time_limit},
    )
    if res.x is None:
        return None
    x = res.x[:nx].reshape(n, K)
    colors = np.argmax(x, axis=1).astype(np.int64)
    used = np.unique(colors)
    colors = np.searchsorted(used, colors).astype(np.int64)  # contiguous
    return colors, bool(res.status == 0)
