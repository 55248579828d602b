"""Tabu search for distance colourings on a two-level graph (column / row problems).

A greedy colouring is as good as its order; local search is not tied to one. Given a
valid colouring with k + 1 colours, :func:`tabu_reduce` drops one colour class, puts
its vertices where they conflict least, and runs a tabu search (TabuCol, after Hertz
and de Werra, 1987) that moves one conflicting vertex to another colour per step until
no two neighbours share a colour — a valid k-colouring — or the work budget runs out.

Conflicts are counted on the two-level view directly (columns through their rows), so
the distance-2 graph is never built: ``gamma[v, c]`` is the number of (row, vertex)
pairs that put a vertex of colour c next to v, counted with multiplicity. A colouring
is valid exactly when ``gamma[v, colour(v)] == 0`` for every v.

Everything is deterministic for a fixed seed: the budget counts work (entries of
``gamma`` read or written), not seconds.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _conflicts(ptr1, idx1, ptr2, idx2, colors, k):
    """``gamma[v, c]``: pairs (row r ∋ v, w ∈ r, w ≠ v) with colour(w) = c."""
    n = ptr1.shape[0] - 1
    gamma = np.zeros((n, k), np.int32)
    m = ptr2.shape[0] - 1
    # every row once: its members see each other
    for r in range(m):
        for a in range(ptr2[r], ptr2[r + 1]):
            v = idx2[a]
            for b in range(ptr2[r], ptr2[r + 1]):
                w = idx2[b]
                if w != v:
                    gamma[v, colors[w]] += 1
    return gamma


@njit(cache=True)
def _rand(state, bound):
    """Uniform integer in [0, bound) from a xorshift64* generator held in ``state[0]``
    (the kernel's own, so results do not depend on Numba's global random state)."""
    x = state[0]
    x ^= x >> np.uint64(12)
    x ^= x << np.uint64(25)
    x ^= x >> np.uint64(27)
    state[0] = x
    return np.int64((x * np.uint64(2685821657736338717)) >> np.uint64(33)) % bound


@njit(cache=True)
def _tabucol(ptr1, idx1, ptr2, idx2, colors, k, max_work, seed, sample):
    """Tabu search for a conflict-free k-colouring, starting from ``colors`` (in 0..k-1).

    Each step looks at up to ``sample`` conflicting vertices (all of them once few are
    left), takes the non-tabu move (vertex, colour) that removes the most conflicts
    (aspiration: a tabu move that reaches a new best is allowed), and forbids moving the
    vertex back to its old colour for ``L + 0.6 |conflicting|`` steps, L random in 0..9.
    Returns (success, colours, work spent). ``colors`` is modified in place.
    """
    state = np.full(1, np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(1))
    n = ptr1.shape[0] - 1
    gamma = _conflicts(ptr1, idx1, ptr2, idx2, colors, k)
    work = 0
    for r in range(ptr2.shape[0] - 1):
        d = ptr2[r + 1] - ptr2[r]
        work += d * d
    conf = np.empty(n, np.int64)
    pos = np.full(n, -1, np.int64)
    nconf = 0
    total = 0
    for v in range(n):
        g = gamma[v, colors[v]]
        if g > 0:
            pos[v] = nconf
            conf[nconf] = v
            nconf += 1
            total += g
    best_total = total
    tabu = np.zeros((n, k), np.int64)
    it = 0
    while nconf > 0 and work < max_work:
        it += 1
        bv = -1
        bc = -1
        bd = 1 << 60
        ties = 0
        ncand = nconf if nconf <= sample else sample
        for s in range(ncand):
            v = conf[s] if nconf <= sample else conf[_rand(state, nconf)]
            cv = colors[v]
            gv = gamma[v, cv]
            for c in range(k):
                if c == cv:
                    continue
                d = gamma[v, c] - gv
                if tabu[v, c] > it and total + 2 * d >= best_total:
                    continue
                if d < bd:
                    bd = d
                    bv = v
                    bc = c
                    ties = 1
                elif d == bd:
                    ties += 1
                    if _rand(state, ties) == 0:
                        bv = v
                        bc = c
        work += ncand * k
        if bv < 0:  # every move tabu: a random one
            bv = conf[_rand(state, nconf)]
            bc = _rand(state, k - 1)
            if bc >= colors[bv]:
                bc += 1
            bd = gamma[bv, bc] - gamma[bv, colors[bv]]
        old = colors[bv]
        colors[bv] = bc
        total += 2 * bd
        for t in range(ptr1[bv], ptr1[bv + 1]):
            r = idx1[t]
            work += ptr2[r + 1] - ptr2[r]
            for u in range(ptr2[r], ptr2[r + 1]):
                w = idx2[u]
                if w == bv:
                    continue
                gamma[w, old] -= 1
                gamma[w, bc] += 1
                cw = colors[w]
                if cw == old and gamma[w, old] == 0:  # w left the conflicting set
                    p = pos[w]
                    last = conf[nconf - 1]
                    conf[p] = last
                    pos[last] = p
                    pos[w] = -1
                    nconf -= 1
                elif cw == bc and gamma[w, bc] == 1 and pos[w] < 0:
                    pos[w] = nconf
                    conf[nconf] = w
                    nconf += 1
        in_conf = pos[bv] >= 0
        if gamma[bv, bc] == 0 and in_conf:
            p = pos[bv]
            last = conf[nconf - 1]
            conf[p] = last
            pos[last] = p
            pos[bv] = -1
            nconf -= 1
        elif gamma[bv, bc] > 0 and not in_conf:
            pos[bv] = nconf
            conf[nconf] = bv
            nconf += 1
        tabu[bv, old] = it + _rand(state, 10) + (6 * nconf) // 10
        if total < best_total:
            best_total = total
    return nconf == 0, colors, work


@njit(cache=True)
def _drop_class(ptr1, idx1, ptr2, idx2, colors, drop, k):
    """Colours 0..k-1 from a valid (k+1)-colouring: class ``drop`` is emptied, the others
    renumbered; each vertex of the dropped class takes its least conflicting colour
    (greedy, one after another)."""
    n = ptr1.shape[0] - 1
    out = np.empty(n, np.int64)
    for v in range(n):
        c = colors[v]
        out[v] = c if c < drop else c - 1
        if c == drop:
            out[v] = -1
    count = np.zeros(k, np.int64)
    for v in range(n):
        if out[v] >= 0:
            continue
        count[:] = 0
        for t in range(ptr1[v], ptr1[v + 1]):
            r = idx1[t]
            for u in range(ptr2[r], ptr2[r + 1]):
                w = idx2[u]
                if w != v and out[w] >= 0:
                    count[out[w]] += 1
        best = 0
        for c in range(1, k):
            if count[c] < count[best]:
                best = c
        out[v] = best
    return out


def tabu_reduce(graph, colors: np.ndarray, lower: int, max_work: int, seed: int = 0):
    """Fewer colours for a valid colouring of ``graph`` by repeated tabu searches.

    Each round removes the smallest colour class and searches for a valid colouring with
    one colour less, until ``lower`` colours are reached or the work budget (``max_work``
    entries of the conflict table) is spent. Returns ``(colours, work spent)``; the
    colours are valid and never more than given.
    """
    best = np.ascontiguousarray(colors, dtype=np.int64)
    spent = 0
    rnd = 0
    while spent < max_work:
        nc = int(best.max(initial=-1)) + 1
        if nc <= max(lower, 1):
            break
        k = nc - 1
        if best.size * k > 50_000_000:  # conflict table too large to be worth it
            break
        drop = int(np.argmin(np.bincount(best, minlength=nc)))
        start = _drop_class(*graph, best, drop, k)
        ok, found, work = _tabucol(*graph, start, k, max_work - spent, seed + rnd, 16)
        spent += int(work)
        rnd += 1
        if not ok:
            break
        best = found
    return best, spent
