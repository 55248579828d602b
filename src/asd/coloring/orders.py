"""Vertex orders for greedy colouring, computed on a two-level graph view.

Static orders sort by degree; dynamic ones (smallest-last, dynamic largest-first,
incidence degree) use bucket queues; DSATUR picks the vertex that sees the most distinct
colours (ties: larger degree, then smaller index), and greedy colouring in its order
reproduces the DSATUR colouring exactly on the same graph.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..errors import InputError
from .graph import TwoLevel

ORDERS = (
    "natural",
    "random",
    "largest_first",
    "smallest_last",
    "incidence_degree",
    "dynamic_largest_first",
    "dsatur",
)
_DYNAMIC = {"smallest_last": 0, "dynamic_largest_first": 1, "incidence_degree": 2}


@njit(cache=True)
def _degrees(ptr1, idx1, ptr2, idx2):
    """Number of distinct neighbours of every vertex (the vertex itself excluded)."""
    n = ptr1.shape[0] - 1
    mark = np.full(n, -1, np.int64)
    deg = np.zeros(n, np.int64)
    for v in range(n):
        mark[v] = v
        d = 0
        for t in range(ptr1[v], ptr1[v + 1]):
            r = idx1[t]
            for u in range(ptr2[r], ptr2[r + 1]):
                w = idx2[u]
                if mark[w] != v:
                    mark[w] = v
                    d += 1
        deg[v] = d
    return deg


@njit(cache=True)
def _dynamic_order(ptr1, idx1, ptr2, idx2, mode):
    """Bucket-queue orders: 0 smallest-last, 1 dynamic largest-first, 2 incidence degree.

    Smallest-last repeatedly removes a vertex of least remaining degree and colours in
    reverse removal order; dynamic largest-first takes a vertex of largest remaining
    degree; incidence degree takes one with the most already-ordered neighbours.
    """
    n = ptr1.shape[0] - 1
    order = np.empty(n, np.int64)
    if n == 0:
        return order
    if mode == 2:
        key = np.zeros(n, np.int64)
        top = n
    else:
        key = _degrees(ptr1, idx1, ptr2, idx2)
        top = int(key.max())
    head = np.full(top + 2, -1, np.int64)
    nxt = np.full(n, -1, np.int64)
    prv = np.full(n, -1, np.int64)
    for v in range(n - 1, -1, -1):  # lower index first within a bucket
        d = key[v]
        nxt[v] = head[d]
        if head[d] >= 0:
            prv[head[d]] = v
        head[d] = v
    done = np.zeros(n, np.bool_)
    mark = np.full(n, -1, np.int64)
    cur = 0 if mode == 0 else top
    for step in range(n):
        if mode == 0:
            while head[cur] < 0:
                cur += 1
        else:
            while head[cur] < 0:
                cur -= 1
        v = head[cur]
        head[cur] = nxt[v]
        if nxt[v] >= 0:
            prv[nxt[v]] = -1
        done[v] = True
        mark[v] = v
        order[step] = v
        for t in range(ptr1[v], ptr1[v + 1]):
            r = idx1[t]
            for u in range(ptr2[r], ptr2[r + 1]):
                w = idx2[u]
                if mark[w] == v or done[w]:
                    continue
                mark[w] = v
                d = key[w]
                if prv[w] >= 0:
                    nxt[prv[w]] = nxt[w]
                else:
                    head[d] = nxt[w]
                if nxt[w] >= 0:
                    prv[nxt[w]] = prv[w]
                d = d + 1 if mode == 2 else d - 1
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


@njit(cache=True)
def _heap_push(heap, size, key):
    i = size
    heap[i] = key
    while i > 0:
        p = (i - 1) // 2
        if heap[p] >= heap[i]:
            break
        heap[p], heap[i] = heap[i], heap[p]
        i = p
    return size + 1


@njit(cache=True)
def _heap_pop(heap, size):
    top = heap[0]
    size -= 1
    heap[0] = heap[size]
    i = 0
    while True:
        a = 2 * i + 1
        if a >= size:
            break
        b = a + 1
        if b < size and heap[b] > heap[a]:
            a = b
        if heap[i] >= heap[a]:
            break
        heap[i], heap[a] = heap[a], heap[i]
        i = a
    return top, size


@njit(cache=True)
def _dsatur_order(ptr1, idx1, ptr2, idx2, rank):
    """DSATUR visiting order: most distinct neighbour colours first (max-heap, lazy keys).

    Ties: larger degree, then smaller ``rank`` (the vertex index for the "dsatur" order; a
    random permutation for the randomised restarts of the default colouring, whose
    outcome then no longer depends on how the vertices happen to be numbered).
    """
    n = ptr1.shape[0] - 1
    order = np.empty(n, np.int64)
    if n == 0:
        return order
    who = np.empty(n, np.int64)
    for v in range(n):
        who[rank[v]] = v
    deg = _degrees(ptr1, idx1, ptr2, idx2)
    base = int(deg.max()) + 1
    ncol = base + 1  # greedy never needs more than max degree + 1 colours
    total = int(deg.sum())
    size = 16
    while size < 2 * total + 16:
        size *= 2
    mask = size - 1
    table = np.zeros(size, np.int64)  # open addressing set of (vertex, colour) + 1
    sat = np.zeros(n, np.int64)
    colors = np.full(n, -1, np.int64)
    forbidden = np.full(ncol + 1, -1, np.int64)
    mark = np.full(n, -1, np.int64)
    heap = np.empty(n + total + 1, np.int64)
    hn = 0
    for v in range(n):
        hn = _heap_push(heap, hn, (sat[v] * base + deg[v]) * n + (n - 1 - rank[v]))
    for step in range(n):
        while True:
            k, hn = _heap_pop(heap, hn)
            v = who[n - 1 - k % n]
            if colors[v] < 0 and k == (sat[v] * base + deg[v]) * n + (n - 1 - rank[v]):
                break
        order[step] = v
        mark[v] = v
        for t in range(ptr1[v], ptr1[v + 1]):
            r = idx1[t]
            for u in range(ptr2[r], ptr2[r + 1]):
                w = idx2[u]
                if colors[w] >= 0:
                    forbidden[colors[w]] = v
        c = 0
        while forbidden[c] == v:
            c += 1
        colors[v] = c
        for t in range(ptr1[v], ptr1[v + 1]):
            r = idx1[t]
            for u in range(ptr2[r], ptr2[r + 1]):
                w = idx2[u]
                if mark[w] == v or colors[w] >= 0:
                    continue
                mark[w] = v
                key = w * ncol + c + 1
                h = ((key * 0x9E3779B1) ^ (key >> 15)) & mask
                while table[h] != 0 and table[h] != key:
                    h = (h + 1) & mask
                if table[h] == 0:
                    table[h] = key
                    sat[w] += 1
                    hn = _heap_push(heap, hn, (sat[w] * base + deg[w]) * n + (n - 1 - rank[w]))
    return order


def vertex_order(name: str, graph: TwoLevel, seed: int = 0) -> np.ndarray:
    """The vertex order called ``name`` on ``graph`` (int64 permutation)."""
    n = graph.n
    if name == "natural":
        return np.arange(n, dtype=np.int64)
    if name == "random":
        return np.random.default_rng(seed).permutation(n).astype(np.int64)
    if name == "largest_first":
        return np.argsort(-_degrees(*graph), kind="stable").astype(np.int64)
    if name in _DYNAMIC:
        return _dynamic_order(*graph, _DYNAMIC[name])
    if name == "dsatur":
        return _dsatur_order(*graph, np.arange(n, dtype=np.int64))
    raise InputError(f"asd: unknown order {name!r}; choose from {ORDERS} or a list of them")


def dsatur_random_ties(graph: TwoLevel, seed: int) -> np.ndarray:
    """DSATUR order with ties broken by a random permutation drawn from ``seed``.

    On lattice-like patterns DSATUR's outcome hinges on its tie-breaking: by index it
    follows the storage layout (7 colours for an interleaved Brusselator state, 11 for
    the blocked one), while random ties make the outcome's distribution the same for
    every numbering of the vertices (optimal in more than half of the seeds there).
    """
    rank = np.random.default_rng(seed).permutation(graph.n).astype(np.int64)
    return _dsatur_order(*graph, rank)
