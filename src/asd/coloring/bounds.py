"""Lower bounds on the number of colours, reported with every colouring.

A colouring is optimal when it meets a lower bound; the gap tells users (and the
benchmarks) how much a better colouring could still save. Two bounds, both cheap:

- a row of a column colouring (a column of a row colouring) holds pairwise conflicting
  vertices, so its number of entries bounds the colours below;
- a greedy clique of the conflict graph (distance-2 for column / row problems, the
  adjacency graph plus nothing for star / acyclic ones): a clique needs distinct colours.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..loops import argsort_stable
from .graph import TwoLevel


@njit(cache=True)
def _greedy_clique(ptr1, idx1, ptr2, idx2, deg, starts, allowed, max_cand, max_work):
    """Largest clique of ``allowed`` vertices found greedily from each start vertex
    (at most ``max_cand`` neighbours tried, by decreasing ``deg``; the search stops
    after ``max_work`` neighbour visits in all, keeping the best clique so far)."""
    work = 0
    n = ptr1.shape[0] - 1
    cnt = np.zeros(n, np.int64)  # clique members adjacent to w (valid while stamp == s)
    stamp = np.full(n, -1, np.int64)
    best = 0
    nbrs = np.empty(n, np.int64)  # the candidates of the current start
    for s in range(starts.shape[0]):
        v = starts[s]
        if best == 0:
            best = 1
        # candidates: distinct neighbours of v, tried by decreasing degree
        nc = 0
        stamp[v] = s
        for t in range(ptr1[v], ptr1[v + 1]):
            r = idx1[t]
            work += ptr2[r + 1] - ptr2[r]
            for u in range(ptr2[r], ptr2[r + 1]):
                w = idx2[u]
                if stamp[w] != s and allowed[w]:
                    stamp[w] = s
                    cnt[w] = 0
                    nbrs[nc] = w
                    nc += 1
        if nc + 1 <= best or work > max_work:
            continue
        cand = nbrs[:nc]
        cand = cand[argsort_stable(-deg[cand])][:max_cand]
        size = 1
        for t in range(ptr1[v], ptr1[v + 1]):  # v is a member: its neighbours see one
            r = idx1[t]
            for u in range(ptr2[r], ptr2[r + 1]):
                w = idx2[u]
                if w != v and stamp[w] == s and cnt[w] < size:
                    cnt[w] = size
        for x in cand:
            if cnt[x] != size:
                continue
            if work > max_work:
                break
            size += 1
            mark = size - 1  # x's neighbours that saw every earlier member now see x too
            for t in range(ptr1[x], ptr1[x + 1]):
                r = idx1[t]
                work += ptr2[r + 1] - ptr2[r]
                for u in range(ptr2[r], ptr2[r + 1]):
                    w = idx2[u]
                    if w != x and stamp[w] == s and cnt[w] == mark:
                        cnt[w] = size
        if size > best:
            best = size
    return best


@njit(cache=True)
def _degree_estimate(ptr1, idx1, ptr2):
    """Summed group sizes of every vertex: its degree counted with multiplicity (plus
    one per group; exactly the degree for an adjacency graph's identity second level)."""
    n = ptr1.shape[0] - 1
    deg = np.zeros(n, np.int64)
    for v in range(n):
        d = 0
        for t in range(ptr1[v], ptr1[v + 1]):
            r = idx1[t]
            d += ptr2[r + 1] - ptr2[r]
        deg[v] = d
    return deg


def clique_bound(
    graph: TwoLevel, allowed: np.ndarray | None = None, starts: int = 32, max_cand: int = 256
) -> int:
    """Size of a clique of ``allowed`` vertices (default: all) found greedily from the
    ``starts`` allowed vertices of largest degree, trying at most ``max_cand`` neighbours
    each. Degrees are estimated by the summed group sizes (linear in the nonzeros; exact
    for an adjacency graph), so the bound costs far less than one greedy colouring."""
    if allowed is None:
        allowed = np.ones(graph.n, dtype=np.bool_)
    if not allowed.any():
        return 0
    deg = _degree_estimate(graph.ptr1, graph.idx1, graph.ptr2)
    cand = np.flatnonzero(allowed)
    if cand.size > starts:  # the ``starts`` largest degrees, without a full sort
        cand = cand[np.argpartition(-deg[cand], starts - 1)[:starts]]
    top = cand[np.argsort(-deg[cand], kind="stable")].astype(np.int64)
    max_work = 8 * (graph.idx1.size + graph.idx2.size) + 100_000  # a few passes over P
    return int(_greedy_clique(*graph, deg, top, allowed, max_cand, max_work))


def lower_bound(problem: str, graph: TwoLevel, allowed: np.ndarray | None = None) -> int:
    """A lower bound on the colours of ``problem`` on its conflict graph ``graph``.

    Column / row problems: the largest row (column) and a greedy clique of the
    distance-2 graph. Star and acyclic problems: a greedy clique of the adjacency graph
    among ``allowed`` vertices — those with a diagonal nonzero when postprocessing may
    leave vertices unseeded (a diagonal entry is only read through its own colour, so
    adjacent vertices with diagonals need distinct colours; others may go unseeded).
    """
    if graph.n == 0:
        return 0
    bound = clique_bound(graph, allowed)
    if problem in ("column", "row"):
        bound = max(bound, int(np.diff(graph.ptr2).max(initial=0)))
    return bound
