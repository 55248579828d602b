"""Colour-class elimination for star colourings: move every vertex of a small class into
another class where the star condition still holds, one colour fewer when all move.

A star colouring is a distance-1 colouring in which every path on four vertices uses at
least three colours. Giving vertex v colour c can only break that on paths through v,
and a two-coloured path through v alternates c with one colour d of a neighbour w:

- v in the middle: v has two neighbours w, w' of colour d and w (or w') has another
  neighbour x of colour c (w'-v-w-x);
- v at an end: w of colour d has another neighbour x of colour c, which has another
  neighbour y of colour d (v-w-x-y).

So the test looks at v's neighbours and their neighbours' neighbours only; moves are
made one vertex at a time, each checked against the colouring as it stands, so the
result is a star colouring whenever the input is (and the checker runs on it anyway).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _star_ok(ptr, adj, colors, v, c, count, stamp):
    """Whether colour c keeps the star condition at v (``count``/``stamp``: scratch)."""
    for t in range(ptr[v], ptr[v + 1]):  # distance-1, and v's neighbours per colour
        d = colors[adj[t]]
        if d == c:
            return False
        if d >= 0:
            if stamp[d] != v:
                stamp[d] = v
                count[d] = 0
            count[d] += 1
    for t in range(ptr[v], ptr[v + 1]):
        w = adj[t]
        d = colors[w]
        if d < 0:
            continue
        for s in range(ptr[w], ptr[w + 1]):
            x = adj[s]
            if x == v or colors[x] != c:
                continue
            if count[d] >= 2:  # w'-v-w-x
                return False
            for q in range(ptr[x], ptr[x + 1]):  # v-w-x-y
                y = adj[q]
                if y != w and colors[y] == d:
                    return False
    return True


@njit(cache=True)
def _eliminate(ptr, adj, colors, max_rounds):
    """Repeatedly empty the smallest colour class whose vertices all find another colour.

    Classes are tried from the smallest; a class whose vertices cannot all move is left
    as it was. Returns the new colours (contiguous) and the number of classes emptied.
    """
    n = ptr.shape[0] - 1
    colors = colors.copy()
    nc = 0
    for v in range(n):
        if colors[v] + 1 > nc:
            nc = colors[v] + 1
    count = np.zeros(nc + 1, np.int64)
    stamp = np.full(nc + 1, -1, np.int64)
    removed = 0
    for _ in range(max_rounds):
        sizes = np.zeros(nc, np.int64)
        for v in range(n):
            if colors[v] >= 0:
                sizes[colors[v]] += 1
        done = False
        for k in np.argsort(sizes, kind="mergesort"):
            if sizes[k] == 0:
                continue
            members = np.flatnonzero(colors == k)
            ok = True
            for i in range(members.shape[0]):
                v = members[i]
                colors[v] = -2  # not counted as a neighbour colour while it moves
                stamp[:] = -1
                found = -1
                for c in range(nc):
                    if c != k and sizes[c] > 0 and _star_ok(ptr, adj, colors, v, c, count, stamp):
                        found = c
                        break
                    stamp[:] = -1
                if found < 0:
                    colors[v] = k
                    for j in range(i):  # undo this class's moves
                        colors[members[j]] = k
                    ok = False
                    break
                colors[v] = found
            if ok:
                removed += 1
                for v in range(n):  # renumber: k disappears
                    if colors[v] > k:
                        colors[v] -= 1
                nc -= 1
                done = True
                break
        if not done:
            break
    return colors, removed


def eliminate_classes(graph, colors: np.ndarray, max_rounds: int = 4) -> np.ndarray:
    """Star colouring of ``graph`` (an ``Adjacency``) with up to ``max_rounds`` classes
    emptied; never more colours than ``colors``."""
    out, _ = _eliminate(graph.ptr, graph.adj, np.ascontiguousarray(colors, np.int64), max_rounds)
    return out
