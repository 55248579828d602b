"""Tape passes run once after recording: dead-code elimination, linear fusion, squares.

Fusion folds a chain of affine instructions (``a + b - 4 * c``...) into one n-ary
``linear`` node when each folded node has no other use, so the tape gets shorter
without ever copying a term list twice. A product of a node with itself becomes a
``square``: one argument edge instead of two, in every sweep and stream.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .operators.codegen import kernels
from .operators.table import CONST, INPUT, LINEAR, OPCODE, PARAM
from .tape import Guard, Tape


@njit(cache=True)
def reachable(op, a, b, c, lin_idx, roots, n_nodes):
    """Nodes from which some root can be reached through argument edges."""
    live = np.zeros(n_nodes, np.bool_)
    for r in roots:
        live[r] = True
    for k in range(n_nodes - 1, -1, -1):
        if not live[k]:
            continue
        o = op[k]
        if o == INPUT or o == CONST or o == PARAM:
            continue
        if o == LINEAR:
            for t in range(a[k], b[k]):
                live[lin_idx[t]] = True
            continue
        if a[k] >= 0:
            live[a[k]] = True
        if b[k] >= 0:
            live[b[k]] = True
        if c[k] >= 0:
            live[c[k]] = True
    return live


@njit(cache=True)
def _compact(op, a, b, c, p, q, lin_idx, lin_w, live):
    """Keep the live nodes (and their linear terms), renumbering every reference.

    Works in place (node j <= k and term t2 <= t are written after being read), so
    the caller must own the arrays; returns views of their live prefixes.
    """
    N = op.shape[0]
    new_id = np.full(N, -1, np.int64)
    n_keep = 0
    for k in range(N):
        if live[k]:
            new_id[k] = n_keep
            n_keep += 1
    t2 = 0
    for k in range(N):
        j = new_id[k]
        if j < 0:
            continue
        o = op[k]
        ak, bk, ck = a[k], b[k], c[k]
        op[j] = o
        p[j] = p[k]
        q[j] = q[k]
        c[j] = new_id[ck] if ck >= 0 else -1
        if o == LINEAR:
            a[j] = t2
            for t in range(ak, bk):
                lin_idx[t2] = new_id[lin_idx[t]]
                lin_w[t2] = lin_w[t]
                t2 += 1
            b[j] = t2
        elif o == INPUT or o == PARAM:  # an index into the input vector, not a node
            a[j] = ak
            b[j] = -1
        else:
            a[j] = new_id[ak] if ak >= 0 else -1
            b[j] = new_id[bk] if bk >= 0 else -1
    return (
        op[:n_keep],
        a[:n_keep],
        b[:n_keep],
        c[:n_keep],
        p[:n_keep],
        q[:n_keep],
        lin_idx[:t2],
        lin_w[:t2],
        new_id,
    )


def _roots(tape: Tape) -> np.ndarray:
    return np.concatenate([tape.outputs.ravel(), [g.node for g in tape.guards]]).astype(np.int64)


def _rebuild(tape: Tape, op, a, b, c, p, q, lin_idx, lin_w, new_id) -> Tape:
    return Tape(
        op,
        a,
        b,
        c,
        p,
        q,
        lin_idx,
        lin_w,
        new_id[tape.outputs],
        tape.input_shape,
        tape.output_shape,
        tuple(Guard(int(new_id[g.node]), g.expected, g.where) for g in tape.guards),
        tape.output_is_mask,
        tape.params,
    )


def _affine_parts(tape: Tape):
    """Per node: is it affine, its argument weights (3 x N) and bias, from the table."""
    n = tape.n_nodes
    is_aff = np.zeros(n, np.bool_)
    w = np.zeros((3, n))
    bias = np.zeros(n)
    kernels(tape.families).affine_parts(tape.seg_ptr, tape.seg_op, tape.p, tape.q, is_aff, w, bias)
    return is_aff, w, bias


@njit(cache=True)
def _fuse(op, a, b, c, q, lin_idx, lin_w, is_aff, aw, abias, roots, n_in):
    """Expanded term lists of the affine nodes that are not folded into their consumer.

    A node is folded ("spliced") when it is affine or linear, has exactly one use, and
    that use is itself affine or linear. Each node's terms are visited once.
    """
    N = op.shape[0]
    uses = np.zeros(N, np.int64)
    consumer = np.full(N, -1, np.int64)
    for k in range(N):
        o = op[k]
        if o == INPUT or o == CONST or o == PARAM:
            continue
        if o == LINEAR:
            for t in range(a[k], b[k]):
                uses[lin_idx[t]] += 1
                consumer[lin_idx[t]] = k
        else:
            for r in (a[k], b[k], c[k]):
                if r >= 0:
                    uses[r] += 1
                    consumer[r] = k
    for r in roots:
        uses[r] += 2
    linclass = np.zeros(N, np.bool_)
    for k in range(n_in, N):
        linclass[k] = op[k] == LINEAR or is_aff[k]
    spliced = np.zeros(N, np.bool_)
    for k in range(n_in, N):
        spliced[k] = linclass[k] and uses[k] == 1 and linclass[consumer[k]]
    cap = lin_idx.shape[0] + 3 * N + 16
    nidx = np.empty(cap, np.int64)
    nw = np.empty(cap)
    stack_node = np.empty(cap, np.int64)
    stack_w = np.empty(cap)
    nstart = np.zeros(N, np.int64)
    nend = np.zeros(N, np.int64)
    nbias = np.zeros(N)
    fused = np.zeros(N, np.bool_)
    used = 0
    for k in range(n_in, N):
        if not linclass[k] or spliced[k]:
            continue
        start = used
        bias = 0.0
        absorbed = False
        top = 0
        stack_node[0] = k
        stack_w[0] = 1.0
        top = 1
        while top > 0:
            top -= 1
            r = stack_node[top]
            wt = stack_w[top]
            if r != k and not spliced[r]:
                nidx[used] = r
                nw[used] = wt
                used += 1
                continue
            if r != k:
                absorbed = True
            if op[r] == LINEAR:
                bias += wt * q[r]
                for t in range(b[r] - 1, a[r] - 1, -1):
                    w2 = wt * lin_w[t]
                    if w2 != 0.0:
                        stack_node[top] = lin_idx[t]
                        stack_w[top] = w2
                        top += 1
            else:
                bias += wt * abias[r]
                for i in range(2, -1, -1):
                    arg = a[r] if i == 0 else (b[r] if i == 1 else c[r])
                    w2 = wt * aw[i, r]
                    if arg >= 0 and w2 != 0.0:
                        stack_node[top] = arg
                        stack_w[top] = w2
                        top += 1
                    elif arg >= 0 and spliced[arg]:
                        # a spliced argument dropped for its zero weight: k must be
                        # rewritten, or it would keep pointing at a node with no terms
                        absorbed = True
        nstart[k] = start
        nend[k] = used
        nbias[k] = bias
        fused[k] = absorbed or op[k] == LINEAR
    return fused, nstart, nend, nbias, nidx[:used], nw[:used]


MUL, SQUARE = OPCODE["mul"], OPCODE["square"]


def optimize(tape: Tape, owned: bool = False) -> Tape:
    """Fold single-use affine nodes into the linear node consuming them, write ``a * a``
    as ``square(a)``, then drop dead code.

    ``owned``: the tape's node arrays belong to the caller and may be rewritten in place.
    """
    is_aff, aw, abias = _affine_parts(tape)
    roots = _roots(tape)
    fused, nstart, nend, nbias, nidx, nw = _fuse(
        tape.op,
        tape.a,
        tape.b,
        tape.c,
        tape.q,
        tape.lin_idx,
        tape.lin_w,
        is_aff,
        aw,
        abias,
        roots,
        tape.n_inputs,
    )
    arrays = (tape.op, tape.a, tape.b, tape.c, tape.p, tape.q)
    if owned:  # the tape froze them; they are still ours
        for arr in arrays:
            arr.flags.writeable = True
    op, a, b, c, p, q = arrays if owned else (np.array(arr) for arr in arrays)
    op[fused] = LINEAR
    a[fused] = nstart[fused]
    b[fused] = nend[fused]
    c[fused] = -1
    p[fused] = 0.0
    q[fused] = nbias[fused]
    squares = (op == MUL) & (a == b)
    op[squares] = SQUARE
    b[squares] = -1
    live = reachable(op, a, b, c, nidx, roots, tape.n_nodes)
    live[: tape.n_inputs] = True
    return _rebuild(tape, *_compact(op, a, b, c, p, q, nidx, nw, live))  # arrays are ours
