"""Greedy colouring kernels: partial distance-2 (column / row), star and acyclic.

Star and acyclic colourings follow Gebremedhin, Tarafdar, Manne and Pothen (SISC 2007):
the two-coloured stars (resp. trees) built so far are kept, so a vertex is coloured in
time proportional to its distance-2 neighbourhood instead of searching paths.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .graph import Adjacency, TwoLevel


@njit(cache=True)
def _greedy(order, ptr1, idx1, ptr2, idx2):
    """Smallest colour not used by any (two-level) neighbour, vertices taken in ``order``."""
    n = ptr1.shape[0] - 1
    colors = np.full(n, -1, np.int64)
    forbidden = np.full(n + 1, -1, np.int64)
    for v in order:
        for t in range(ptr1[v], ptr1[v + 1]):
            r = idx1[t]
            for u in range(ptr2[r], ptr2[r + 1]):
                c = colors[idx2[u]]
                if c >= 0:
                    forbidden[c] = v
        c = 0
        while forbidden[c] == v:
            c += 1
        colors[v] = c
    return colors


@njit(cache=True)
def _star_greedy(order, ptr, adj, eid, nedges):
    """Star colouring: distance-1 colouring in which every two-coloured component is a star.

    Colouring v with c is forbidden when some coloured neighbour w has a neighbour x of
    colour c and either v has another neighbour of w's colour (x-w-v-w' would be a
    two-coloured path) or the star holding edge (w, x) has its hub at x (v-w-x-y).
    Each edge remembers its star and each star its hub (-1 while it is a single edge).
    """
    n = ptr.shape[0] - 1
    colors = np.full(n, -1, np.int64)
    forbidden = np.full(n + 1, -1, np.int64)
    count = np.zeros(n + 1, np.int64)  # neighbours of v per colour (valid where stamp == v)
    stamp = np.full(n + 1, -1, np.int64)
    new_star = np.full(n + 1, -1, np.int64)  # star with hub v, per leaf colour
    new_stamp = np.full(n + 1, -1, np.int64)
    star = np.full(max(nedges, 1), -1, np.int64)
    hub = np.full(max(nedges, 1), -1, np.int64)
    nstars = 0
    for v in order:
        for t in range(ptr[v], ptr[v + 1]):
            cw = colors[adj[t]]
            if cw >= 0:
                forbidden[cw] = v
                if stamp[cw] != v:
                    stamp[cw] = v
                    count[cw] = 0
                count[cw] += 1
        for t in range(ptr[v], ptr[v + 1]):
            w = adj[t]
            cw = colors[w]
            if cw < 0:
                continue
            several = count[cw] >= 2
            for s in range(ptr[w], ptr[w + 1]):
                x = adj[s]
                cx = colors[x]
                if cx < 0 or x == v or forbidden[cx] == v:
                    continue
                if several or hub[star[eid[s]]] == x:
                    forbidden[cx] = v
        c = 0
        while forbidden[c] == v:
            c += 1
        colors[v] = c
        for t in range(ptr[v], ptr[v + 1]):
            w = adj[t]
            cw = colors[w]
            if cw < 0:
                continue
            e = eid[t]
            if count[cw] >= 2:  # v is the hub of a new star over its neighbours of colour cw
                if new_stamp[cw] != v:
                    new_stamp[cw] = v
                    new_star[cw] = nstars
                    hub[nstars] = v
                    nstars += 1
                star[e] = new_star[cw]
                continue
            found = -1
            for s in range(ptr[w], ptr[w + 1]):
                x = adj[s]
                if x != v and colors[x] == c:
                    found = s
                    break
            if found >= 0:  # join the star of (w, x), whose hub is (now) w
                k = star[eid[found]]
                star[e] = k
                hub[k] = w
            else:
                star[e] = nstars
                hub[nstars] = -1
                nstars += 1
    return colors


@njit(cache=True)
def _find(parent, a):
    while parent[a] != a:
        parent[a] = parent[parent[a]]
        a = parent[a]
    return a


@njit(cache=True)
def _acyclic_greedy(order, ptr, adj, eid, nedges):
    """Acyclic colouring: distance-1 colouring in which every two-coloured subgraph is a forest.

    The two-coloured trees are disjoint sets of edges. Colour c is forbidden for v when
    two different coloured neighbours of v reach, through neighbours of colour c, the
    same tree: giving v colour c would close a two-coloured cycle.
    """
    n = ptr.shape[0] - 1
    ne = max(nedges, 1)
    colors = np.full(n, -1, np.int64)
    forbidden = np.full(n + 1, -1, np.int64)
    parent = np.arange(ne, dtype=np.int64)
    visit_v = np.full(ne, -1, np.int64)
    visit_w = np.full(ne, -1, np.int64)
    first_edge = np.full(n + 1, -1, np.int64)
    first_stamp = np.full(n + 1, -1, np.int64)
    for v in order:
        for t in range(ptr[v], ptr[v + 1]):
            cw = colors[adj[t]]
            if cw >= 0:
                forbidden[cw] = v
        for t in range(ptr[v], ptr[v + 1]):
            w = adj[t]
            if colors[w] < 0:
                continue
            for s in range(ptr[w], ptr[w + 1]):
                x = adj[s]
                cx = colors[x]
                if cx < 0 or x == v or forbidden[cx] == v:
                    continue
                r = _find(parent, eid[s])
                if visit_v[r] != v:
                    visit_v[r] = v
                    visit_w[r] = w
                elif visit_w[r] != w:
                    forbidden[cx] = v
        c = 0
        while forbidden[c] == v:
            c += 1
        colors[v] = c
        for t in range(ptr[v], ptr[v + 1]):
            w = adj[t]
            cw = colors[w]
            if cw < 0:
                continue
            e = _find(parent, eid[t])
            if first_stamp[cw] != v:
                first_stamp[cw] = v
                first_edge[cw] = e
            elif e != first_edge[cw]:
                parent[e] = first_edge[cw]
            root = _find(parent, first_edge[cw])
            for s in range(ptr[w], ptr[w + 1]):
                x = adj[s]
                if x != v and colors[x] == c:
                    f = _find(parent, eid[s])
                    if f != root:
                        parent[f] = root
    return colors


def greedy(graph: TwoLevel, order: np.ndarray) -> np.ndarray:
    """Greedy distance colouring of ``graph`` in ``order``."""
    return _greedy(order, *graph)


def star(graph: Adjacency, order: np.ndarray) -> np.ndarray:
    """Greedy star colouring of an adjacency graph in ``order``."""
    return _star_greedy(order, *graph)


def acyclic(graph: Adjacency, order: np.ndarray) -> np.ndarray:
    """Greedy acyclic colouring of an adjacency graph in ``order``."""
    return _acyclic_greedy(order, *graph)


def iterated_greedy(
    graph: TwoLevel, colors: np.ndarray, passes: int, seed: int = 0, lower_bound: int = 0
) -> np.ndarray:
    """Culberson's iterated greedy: recolour class by class; never uses more colours.

    Greedy colouring that visits whole colour classes one after another cannot need
    more colours than there are classes, and often needs fewer. Class orders cycle
    through reverse, largest class first and random permutations; the best is kept.
    """
    rng = np.random.default_rng(seed)
    best = colors
    cur = colors
    for k in range(passes):
        nc = int(cur.max()) + 1
        if nc <= lower_bound:
            break
        sizes = np.bincount(cur, minlength=nc)
        kind = k % 3
        if kind == 0:
            rank = np.arange(nc)[::-1]
        elif kind == 1:
            rank = np.argsort(np.argsort(-sizes, kind="stable"), kind="stable")
        else:
            rank = rng.permutation(nc)
        order = np.argsort(rank[cur], kind="stable").astype(np.int64)
        cur = _greedy(order, *graph)
        if cur.max() < best.max():
            best = cur
    return best
