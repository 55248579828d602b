"""Tape passes run once after recording: dead-code elimination and linear fusion.

Fusion folds a chain of affine instructions (``a + b - 4 * c``...) into one n-ary
``linear`` node when each folded node has no other use, so the tape gets shorter
without ever copying a term list twice.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .operators.table import BY_CODE, CONST, INPUT, LINEAR
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
        if o == INPUT or o == CONST:
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


def eliminate_dead_code(tape: Tape) -> Tape:
    """Drop every node that reaches neither an output nor a guard; inputs stay ``0..n-1``."""
    n_in = tape.n_inputs
    roots = np.concatenate([tape.outputs.ravel(), [g.node for g in tape.guards]]).astype(np.int64)
    live = reachable(tape.op, tape.a, tape.b, tape.c, tape.lin_idx, roots, tape.n_nodes)
    live[:n_in] = True
    if live.all():
        return tape
    new_id = np.cumsum(live) - 1
    keep = np.flatnonzero(live)
    op, a, b, c = tape.op[keep], tape.a[keep].copy(), tape.b[keep].copy(), tape.c[keep].copy()
    is_lin = op == LINEAR
    remap = ~is_lin & (op != INPUT)
    for arr in (a, b, c):
        sel = remap & (arr >= 0)
        arr[sel] = new_id[arr[sel]]
    # compact the linear side arrays
    starts, ends = a[is_lin], b[is_lin]
    counts = ends - starts
    new_ends = np.cumsum(counts)
    new_starts = new_ends - counts
    take = np.repeat(starts - new_starts, counts) + np.arange(counts.sum())
    a[is_lin] = new_starts
    b[is_lin] = new_ends
    return Tape(
        op,
        a,
        b,
        c,
        tape.p[keep],
        tape.q[keep],
        new_id[tape.lin_idx[take]],
        tape.lin_w[take],
        new_id[tape.outputs],
        tape.input_shape,
        tape.output_shape,
        tuple(Guard(int(new_id[g.node]), g.expected, g.where) for g in tape.guards),
        tape.output_is_mask,
    )


def _affine_parts(tape: Tape):
    """Per node: is it affine, its argument weights (N x 3) and bias, from the table."""
    n = tape.n_nodes
    is_aff = np.zeros(n, np.bool_)
    w = np.zeros((n, 3))
    bias = np.zeros(n)
    for code, op in enumerate(BY_CODE):
        form = op.affine_form() if op is not None else None
        if form is None:
            continue
        sel = np.flatnonzero(tape.op == code)
        if sel.size == 0:
            continue
        env = {"np": np, "p": tape.p[sel], "q": tape.q[sel]}
        is_aff[sel] = True
        for i, expr in enumerate(form[0]):
            w[sel, i] = eval(expr, env)  # noqa: S307 - expressions of the operator table
        bias[sel] = eval(form[1], env)  # noqa: S307
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
        if o == INPUT or o == CONST:
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
                    w2 = wt * aw[r, i]
                    if arg >= 0 and w2 != 0.0:
                        stack_node[top] = arg
                        stack_w[top] = w2
                        top += 1
        nstart[k] = start
        nend[k] = used
        nbias[k] = bias
        fused[k] = absorbed or op[k] == LINEAR
    return fused, nstart, nend, nbias, nidx[:used], nw[:used]


def fuse_linear(tape: Tape) -> Tape:
    """Fold single-use affine nodes into the linear node that consumes them."""
    is_aff, aw, abias = _affine_parts(tape)
    roots = np.concatenate([tape.outputs.ravel(), [g.node for g in tape.guards]]).astype(np.int64)
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
    op, a, b, c, p, q = (np.array(arr) for arr in (tape.op, tape.a, tape.b, tape.c, tape.p, tape.q))
    op[fused] = LINEAR
    a[fused] = nstart[fused]
    b[fused] = nend[fused]
    c[fused] = -1
    p[fused] = 0.0
    q[fused] = nbias[fused]
    fused_tape = Tape(
        op,
        a,
        b,
        c,
        p,
        q,
        nidx,
        nw,
        tape.outputs,
        tape.input_shape,
        tape.output_shape,
        tape.guards,
        tape.output_is_mask,
    )
    return eliminate_dead_code(fused_tape)


def optimize(tape: Tape) -> Tape:
    """The passes every recorded tape goes through."""
    return fuse_linear(eliminate_dead_code(tape))
