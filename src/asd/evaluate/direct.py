"""Direct sparse Jacobian accumulation: no colouring, one forward sweep of sparse gradients.

Each node carries its partial derivatives with respect to exactly the inputs it
depends on (its detected dependency set). A scatter plan computed once says where
each argument's entries land in the node's set, so one evaluation costs the sum of
the argument set sizes over all edges: for stencil-like models that is a few
multiply-adds per Jacobian nonzero, fewer than a colour-compressed sweep needs.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..operators.table import CONST, INPUT, LINEAR
from ..tape import Tape
from .sweeps import kernels, node_values


@njit(cache=True)
def _plan(seg_ptr, seg_op, ia, ib, ic, lin_idx, mask, start, length, buf, n_in):
    N = ia.shape[0]
    voff = np.zeros(N + 1, np.int64)
    for k in range(N):
        voff[k + 1] = voff[k] + length[k]
    eoff = np.full((N, 3), -2, np.int64)
    lin_eoff = np.full(lin_idx.shape[0], -2, np.int64)
    posmap = np.full(n_in, -1, np.int64)
    pos = np.empty(max(16, voff[N]), np.int64)
    npos = 0
    cost = 0
    args = np.empty(3, np.int64)
    for s in range(seg_op.shape[0]):
        o = seg_op[s]
        if o == INPUT or o == CONST:
            continue
        for k in range(seg_ptr[s], seg_ptr[s + 1]):
            lk = length[k]
            if lk == 0:
                continue
            sk = start[k]
            for i in range(lk):
                posmap[buf[sk + i]] = i
            if o == LINEAR:
                t0, t1 = ia[k], ib[k]
            else:
                args[0], args[1], args[2] = ia[k], ib[k], ic[k]
                t0, t1 = 0, 3
            for t in range(t0, t1):
                if o == LINEAR:
                    r = lin_idx[t]
                else:
                    if not (mask[k] & (1 << t)):
                        continue
                    r = args[t]
                lr = length[r]
                if lr == 0:
                    continue
                cost += lr
                if start[r] == sk and lr == lk:
                    e = -1
                else:
                    if npos + lr > pos.shape[0]:
                        grown = np.empty(2 * (npos + lr), np.int64)
                        grown[:npos] = pos[:npos]
                        pos = grown
                    e = npos
                    for u in range(lr):
                        pos[npos + u] = posmap[buf[start[r] + u]]
                    npos += lr
                if o == LINEAR:
                    lin_eoff[t] = e
                else:
                    eoff[k, t] = e
    return voff, eoff, lin_eoff, pos[:npos], cost


@njit(cache=True)
def _output_gather(outputs, start, length, buf, voff):
    """Positions in gv of each output row's entries, in sorted column (CSR) order."""
    total = 0
    for o in outputs:
        total += length[o]
    gather = np.empty(total, np.int64)
    t = 0
    for o in outputs:
        s = start[o]
        row = buf[s : s + length[o]]
        order = np.argsort(row)
        for i in range(order.shape[0]):
            gather[t] = voff[o] + order[i]
            t += 1
    return gather


class DirectJacobian:
    """Jacobian values in CSR order of the detected pattern, by sparse accumulation."""

    def __init__(self, tape: Tape, mask: np.ndarray, sets: tuple[np.ndarray, ...]):
        start, length, buf = sets
        self.tape = tape
        self.mask = mask
        self.length = length
        voff, eoff, lin_eoff, pos, cost = _plan(
            tape.seg_ptr,
            tape.seg_op,
            tape.a,
            tape.b,
            tape.c,
            tape.lin_idx,
            mask,
            start,
            length,
            buf,
            tape.n_inputs,
        )
        self.voff, self.eoff, self.lin_eoff, self.pos = voff, eoff, lin_eoff, pos
        #: multiply-adds per evaluation (the cost model compares it with colouring)
        self.cost = int(cost)
        self.gather = _output_gather(tape.outputs, start, length, buf, voff)
        self._gv = np.zeros(voff[-1])
        self._gv[voff[: tape.n_inputs]] = 1.0  # each input's gradient is its unit vector
        self._val = np.empty(tape.n_nodes)

    def values(self, x: np.ndarray) -> np.ndarray:
        """Nonzeros of J(x) in CSR order (``x`` already checked and flat)."""
        tape = self.tape
        val = node_values(tape, x, self._val)
        kernels().sparse_tangents(
            *tape.kernel_args(),
            val,
            self.mask,
            self.length,
            self.voff,
            self.eoff,
            self.lin_eoff,
            self.pos,
            self._gv,
        )
        return self._gv[self.gather]
