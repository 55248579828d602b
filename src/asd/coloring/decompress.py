"""Decompression plans: where every nonzero is read in the compressed matrix.

Direct plans are one gather from the flattened compressed matrix. Substitution plans
(acyclic colourings) are a sequence of steps ``value = compressed[src] - sum(values of
earlier steps)`` run in one sweep; they are found by peeling the two-coloured forests
leaf by leaf, which succeeds exactly when the colouring is acyclic.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _row_unique(ptr, idx, colors):
    """Per stored entry (r, k): k is seeded and the only seeded entry of its colour in row r."""
    n = colors.shape[0]
    nc = 1
    for k in range(n):
        if colors[k] + 1 > nc:
            nc = colors[k] + 1
    count = np.zeros(nc, np.int64)
    out = np.zeros(idx.shape[0], np.bool_)
    for r in range(ptr.shape[0] - 1):
        for t in range(ptr[r], ptr[r + 1]):
            c = colors[idx[t]]
            if c >= 0:
                count[c] += 1
        for t in range(ptr[r], ptr[r + 1]):
            c = colors[idx[t]]
            out[t] = c >= 0 and count[c] == 1
        for t in range(ptr[r], ptr[r + 1]):
            c = colors[idx[t]]
            if c >= 0:
                count[c] = 0
    return out


@njit(cache=True)
def _partition_src(ptr, idx, colors, nc, ncols, by_row):
    """Direct plan of a column (row) partition: entry (i, j) of a CSR pattern is read at
    ``B[i, c(j)]`` (``C[c(i), j]``), as a flat index into the compressed matrix."""
    src = np.empty(idx.shape[0], np.int64)
    for i in range(ptr.shape[0] - 1):
        for t in range(ptr[i], ptr[i + 1]):
            j = idx[t]
            src[t] = colors[i] * ncols + j if by_row else i * nc + colors[j]
    return src


@njit(cache=True)
def _partition_ok(ptr, idx, colors):
    """Whether every group ``idx[ptr[r]:ptr[r+1]]`` has seeded, pairwise distinct colours."""
    stamp = np.full(colors.shape[0] + 1, -1, np.int64)
    for r in range(ptr.shape[0] - 1):
        for t in range(ptr[r], ptr[r + 1]):
            c = colors[idx[t]]
            if c < 0 or stamp[c] == r:
                return False
            stamp[c] = r
    return True


@njit(cache=True)
def _mirror_ok(ptr, idx):
    """Position of (j, i) for every stored (i, j), and whether the pattern is symmetric.

    Rows are scanned in order, so the k-th visit to row j through column j is its k-th
    entry: one pass, no search (valid for sorted patterns).
    """
    n = ptr.shape[0] - 1
    out = np.empty(idx.shape[0], np.int64)
    cursor = ptr[:-1].copy()
    for i in range(n):
        for t in range(ptr[i], ptr[i + 1]):
            j = idx[t]
            s = cursor[j]
            if s >= ptr[j + 1] or idx[s] != i:
                return out, False
            out[t] = s
            cursor[j] = s + 1
    return out, True


@njit(cache=True)
def _mirror(ptr, idx):
    """Position of (j, i) for every stored (i, j) of a sorted symmetric CSR pattern."""
    return _mirror_ok(ptr, idx)[0]


@njit(cache=True)
def _choose_sides(u, v, ok_u, ok_v, score, nvert):
    """Pick for every entry a read through vertex u[t] or v[t] so that few vertices are needed.

    Forced choices come first; a free entry then reuses a vertex already needed, else
    takes the endpoint with the larger ``score``. Returns (side, needed) or side[0] = -2
    (plus the entry in side[1]) when an entry has no valid read.
    """
    k = u.shape[0]
    side = np.full(k, -1, np.int64)
    need = np.zeros(nvert, np.bool_)
    for t in range(k):
        if ok_u[t] and not ok_v[t]:
            side[t] = 0
            need[u[t]] = True
        elif ok_v[t] and not ok_u[t]:
            side[t] = 1
            need[v[t]] = True
        elif not ok_u[t] and not ok_v[t]:
            side[0] = -2
            if k > 1:
                side[1] = t
            return side, need
    for t in range(k):
        if side[t] >= 0:
            continue
        if need[u[t]]:
            side[t] = 0
        elif need[v[t]]:
            side[t] = 1
        elif score[u[t]] >= score[v[t]]:
            side[t] = 0
            need[u[t]] = True
        else:
            side[t] = 1
            need[v[t]] = True
    return side, need


@njit(cache=True)
def _peel(ptr, idx, low_of, nlow, colors, nc, mirror):
    """Substitution plan for a symmetric pattern by leaf peeling of two-coloured forests.

    Entry (i, j) belongs to group (i, colour j); ``B[i, c]`` is the sum of its group. A
    group with one unknown left gives it, and its mirror (j, i) leaves group (j, colour
    i). Returns (ok, target, src, dep_ptr, deps, needed); ok is False if some entry stays
    unknown (a two-coloured cycle, an unseeded diagonal, or adjacent equal colours).
    """
    n = ptr.shape[0] - 1
    nnz = idx.shape[0]
    gid = np.full(nnz, -1, np.int64)
    first = np.full(max(nc, 1), -1, np.int64)
    stamp = np.full(max(nc, 1), -1, np.int64)
    grow = np.empty(nnz, np.int64)
    gcol = np.empty(nnz, np.int64)
    ng = 0
    ok = True
    for i in range(n):
        for t in range(ptr[i], ptr[i + 1]):
            j = idx[t]
            c = colors[j]
            if c < 0 or j == i:
                continue
            if c == colors[i]:
                ok = False
            if stamp[c] != i:
                stamp[c] = i
                first[c] = ng
                grow[ng] = i
                gcol[ng] = c
                ng += 1
            gid[t] = first[c]
    gptr = np.zeros(ng + 1, np.int64)
    for t in range(nnz):
        if gid[t] >= 0:
            gptr[gid[t] + 1] += 1
    for g in range(ng):
        gptr[g + 1] += gptr[g]
    fill = gptr[:-1].copy()
    members = np.empty(gptr[ng], np.int64)
    for t in range(nnz):
        g = gid[t]
        if g >= 0:
            members[fill[g]] = t
            fill[g] += 1
    rem = np.diff(gptr)
    solved = np.zeros(nlow, np.bool_)
    target = np.empty(nlow, np.int64)
    src = np.empty(nlow, np.int64)
    dep_ptr = np.zeros(nlow + 1, np.int64)
    deps = np.empty(gptr[ng], np.int64)
    need = np.zeros(n, np.bool_)
    ns = 0
    nd = 0
    for i in range(n):  # diagonal: B[i, c(i)] holds only H[i, i]
        for t in range(ptr[i], ptr[i + 1]):
            if idx[t] == i:
                if colors[i] < 0:
                    ok = False
                    continue
                target[ns] = low_of[t]
                src[ns] = i * nc + colors[i]
                ns += 1
                dep_ptr[ns] = nd
                solved[low_of[t]] = True
                need[i] = True
    stack = np.empty(ng + nnz, np.int64)
    top = 0
    for g in range(ng):
        if rem[g] == 1:
            stack[top] = g
            top += 1
    while top > 0:
        top -= 1
        g = stack[top]
        if rem[g] != 1:
            continue
        rem[g] = 0
        unknown = -1
        for a in range(gptr[g], gptr[g + 1]):
            if not solved[low_of[members[a]]]:
                unknown = members[a]
        if unknown < 0:  # solved meanwhile through its mirror
            continue
        for a in range(gptr[g], gptr[g + 1]):
            t = members[a]
            need[idx[t]] = True
            if t != unknown:
                deps[nd] = low_of[t]
                nd += 1
        target[ns] = low_of[unknown]
        src[ns] = grow[g] * nc + gcol[g]
        ns += 1
        dep_ptr[ns] = nd
        solved[low_of[unknown]] = True
        h = gid[mirror[unknown]]
        if h >= 0 and h != g:
            rem[h] -= 1
            if rem[h] == 1:
                stack[top] = h
                top += 1
    if ns != nlow:
        ok = False
    return ok, target[:ns].copy(), src[:ns].copy(), dep_ptr[: ns + 1].copy(), deps[:nd].copy(), need


@njit(cache=True)
def _substitute(flat, target, src, dep_ptr, deps, out):
    """One sweep of a substitution plan: out[target[s]] = flat[src[s]] - sum(out[deps])."""
    for s in range(target.shape[0]):
        v = flat[src[s]]
        for d in range(dep_ptr[s], dep_ptr[s + 1]):
            v -= out[deps[d]]
        out[target[s]] = v
    return out


@njit(cache=True)
def _lower(ptr, idx, mirror):
    """For a sorted symmetric CSR pattern: each entry's index among the ``tril`` entries (an
    upper entry maps to its mirror) and the positions of the ``tril`` entries."""
    n = ptr.shape[0] - 1
    low_of = np.empty(idx.shape[0], np.int64)
    k = 0
    for i in range(n):
        for t in range(ptr[i], ptr[i + 1]):
            if idx[t] <= i:
                low_of[t] = k
                k += 1
    pos = np.empty(k, np.int64)
    for i in range(n):
        for t in range(ptr[i], ptr[i + 1]):
            if idx[t] <= i:
                pos[low_of[t]] = t
            else:
                low_of[t] = low_of[mirror[t]]
    return low_of, pos


@njit(cache=True)
def _first_conflict(ptr, idx, colors):
    """First stored off-diagonal (i, j) with equal seeded colours, or -1."""
    for i in range(ptr.shape[0] - 1):
        c = colors[i]
        if c < 0:
            continue
        for t in range(ptr[i], ptr[i + 1]):
            j = idx[t]
            if j != i and colors[j] == c:
                return t
    return -1


@njit(cache=True)
def _is_symmetric(ptr, idx):
    """Whether a sorted CSR pattern equals its transpose."""
    return _mirror_ok(ptr, idx)[1]
