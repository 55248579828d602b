"""Numba kernels for sparsity detection on a tape.

Index sets (the inputs each node depends on) live in one growing buffer; a node
that depends on a single argument, or whose union equals one argument's set,
shares that argument's storage instead of copying it.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..loops import grow, sort_range
from ..operators.table import CONST, INPUT, LINEAR, PARAM


@njit(cache=True)
def dependency_sets(seg_ptr, seg_op, ia, ib, ic, lin_idx, mask, n_in):
    """For every node, the set of inputs it depends on through edges allowed by ``mask``.

    Returns ``(start, length, buf)``: node k's set is ``buf[start[k]:start[k]+length[k]]``
    (unsorted, no duplicates).
    """
    N = ia.shape[0]
    start = np.zeros(N, np.int64)
    length = np.zeros(N, np.int64)
    buf = np.empty(max(64, 2 * N), np.int64)
    used = 0
    stamp = np.full(n_in, -1, np.int64)
    args = np.empty(3, np.int64)
    for s in range(seg_op.shape[0]):
        o = seg_op[s]
        k0 = seg_ptr[s]
        k1 = seg_ptr[s + 1]
        if o == CONST or o == PARAM:  # no dependency on x
            continue
        if o == INPUT:
            buf = grow(buf, used + (k1 - k0))
            for k in range(k0, k1):
                buf[used] = ia[k]
                start[k] = used
                length[k] = 1
                used += 1
            continue
        for k in range(k0, k1):
            # gather the argument nodes whose edge is active
            if o == LINEAR:
                t0 = ia[k]
                t1 = ib[k]
            else:
                m = mask[k]
                na = 0
                if m & 1:
                    args[na] = ia[k]
                    na += 1
                if m & 2:
                    args[na] = ib[k]
                    na += 1
                if m & 4:
                    args[na] = ic[k]
                    na += 1
                t0 = 0
                t1 = na
            # find the largest argument set and whether all nonempty sets are one storage
            best = -1
            best_len = 0
            total = 0
            same = True
            for t in range(t0, t1):
                r = lin_idx[t] if o == LINEAR else args[t]
                lr = length[r]
                if lr == 0:
                    continue
                total += lr
                if best >= 0 and (start[r] != start[best] or lr != length[best]):
                    same = False
                if lr > best_len:
                    best = r
                    best_len = lr
            if best < 0:
                continue
            if same:
                start[k] = start[best]
                length[k] = best_len
                continue
            if used + total > buf.shape[0]:
                buf = grow(buf, used + total)
            count = 0
            for t in range(t0, t1):
                r = lin_idx[t] if o == LINEAR else args[t]
                for u in range(start[r], start[r] + length[r]):
                    i = buf[u]
                    if stamp[i] != k:
                        stamp[i] = k
                        buf[used + count] = i
                        count += 1
            if count == best_len:  # the union is the largest set: share it
                start[k] = start[best]
                length[k] = best_len
            else:
                start[k] = used
                length[k] = count
                used += count
    return start, length, buf[:used]


@njit(cache=True)
def rows_of_sets(nodes, start, length, buf):
    """CSR (indptr, indices) whose row i is the sorted set of ``nodes[i]``."""
    m = nodes.shape[0]
    indptr = np.zeros(m + 1, np.int64)
    for i in range(m):
        indptr[i + 1] = indptr[i] + length[nodes[i]]
    indices = np.empty(indptr[m], np.int64)
    for i in range(m):
        r = nodes[i]
        s = start[r]
        lo = indptr[i]
        for u in range(length[r]):
            indices[lo + u] = buf[s + u]
        sort_range(indices, lo, indptr[i + 1])
    return indptr, indices


@njit(cache=True)
def live_through(seg_ptr, seg_op, ia, ib, ic, lin_idx, mask, roots):
    """Nodes that reach a root through edges allowed by ``mask`` (nonzero first partials)."""
    N = ia.shape[0]
    live = np.zeros(N, np.bool_)
    for r in roots:
        live[r] = True
    for s in range(seg_op.shape[0] - 1, -1, -1):
        o = seg_op[s]
        if o == INPUT or o == CONST or o == PARAM:
            continue
        for k in range(seg_ptr[s + 1] - 1, seg_ptr[s] - 1, -1):
            if not live[k]:
                continue
            if o == LINEAR:
                for t in range(ia[k], ib[k]):
                    live[lin_idx[t]] = True
            else:
                m = mask[k]
                if m & 1:
                    live[ia[k]] = True
                if m & 2:
                    live[ib[k]] = True
                if m & 4:
                    live[ic[k]] = True
    return live


@njit(cache=True)
def _push_product(rows, cols, n_pairs, buf, s1, l1, s2, l2, self_product):
    need = n_pairs + l1 * l2
    if need > rows.shape[0]:
        rows = grow(rows, need)
        cols = grow(cols, need)
    for u in range(s1, s1 + l1):
        i = buf[u]
        v0 = u if self_product else s2
        for w in range(v0, s2 + l2):
            j = buf[w]
            if i >= j:
                rows[n_pairs] = i
                cols[n_pairs] = j
            else:
                rows[n_pairs] = j
                cols[n_pairs] = i
            n_pairs += 1
    return rows, cols, n_pairs


@njit(cache=True)
def hessian_pairs(
    seg_ptr, seg_op, ia, ib, ic, lin_idx, mask, second_bits, live, start, length, buf
):
    """Lower-triangle (row >= col) input pairs from every live nonlinear node.

    ``second_bits[op]`` flags which second partials of an operator are nonzero:
    1 = (a, a), 2 = (a, b), 4 = (b, b). Duplicates are left for the caller.
    """
    rows = np.empty(1024, np.int64)
    cols = np.empty(1024, np.int64)
    n_pairs = 0
    done = np.zeros(buf.shape[0] + 1, np.bool_)  # self products already emitted, by storage
    for s in range(seg_op.shape[0]):
        o = seg_op[s]
        bits = second_bits[o]
        if bits == 0:
            continue
        for k in range(seg_ptr[s], seg_ptr[s + 1]):
            if not live[k]:
                continue
            ra = ia[k]
            rb = ib[k]
            sa, la = start[ra], length[ra]
            if bits & 1 and la > 0 and not done[sa]:
                done[sa] = True
                rows, cols, n_pairs = _push_product(rows, cols, n_pairs, buf, sa, la, sa, la, True)
            if bits & 6:
                sb, lb = start[rb], length[rb]
                if bits & 4 and lb > 0 and not done[sb]:
                    done[sb] = True
                    rows, cols, n_pairs = _push_product(
                        rows, cols, n_pairs, buf, sb, lb, sb, lb, True
                    )
                if bits & 2 and la > 0 and lb > 0:
                    if sa == sb and la == lb:
                        if not done[sa]:
                            done[sa] = True
                            rows, cols, n_pairs = _push_product(
                                rows, cols, n_pairs, buf, sa, la, sa, la, True
                            )
                    else:
                        rows, cols, n_pairs = _push_product(
                            rows, cols, n_pairs, buf, sa, la, sb, lb, False
                        )
    return rows[:n_pairs], cols[:n_pairs]
