"""Direct sparse Hessian accumulation, without colouring.

∇²(wᵀf) = Σ over nonlinear nodes v of ȳ_v Σᵢⱼ ∂²φ_v/∂uᵢ∂uⱼ ∇uᵢ∇uⱼᵀ, where ȳ is the
adjoint of v for output weights w and ∇uᵢ are the sparse gradients of v's arguments
(from the direct Jacobian stream). Each product of two gradient entries lands at a
fixed place of the lower triangle, so one evaluation is: values, gradients,
one scalar reverse sweep, the second-partial coefficients, and a flat stream
``H[pos] += coef * g[a] * g[b]``. Sum-of-terms objectives and power-flow Lagrangians
have small argument sets, and this costs a few multiply-adds per Hessian nonzero.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numba import njit

from ..loops import copy_prefix
from ..operators.codegen import partial_reads, second_reads
from ..operators.table import BY_CODE, CONST, INPUT, LINEAR, PARAM
from ..tape import Tape
from .direct import DirectJacobian, NeededValues
from .scratch import PerThread
from .sweeps import kernels


def _reads_by_opcode() -> np.ndarray:
    bits = np.zeros(len(BY_CODE), np.int64)
    for code, op in enumerate(BY_CODE):
        if op is not None:
            names = partial_reads(op) | second_reads(op)
            bits[code] = sum(1 << i for i, n in enumerate("abcv") if n in names)
    return bits


READS = _reads_by_opcode()

#: pair p of the second partials: (0,0), (0,1), (1,1); bit p set when structurally nonzero
PAIRS = ((0, 0), (0, 1), (1, 1))
SECOND_BITS = np.array(
    [
        0
        if op is None
        else sum(1 << p for p, ij in enumerate(PAIRS) if op.second_partial(*ij) != "0")
        for op in BY_CODE
    ],
    dtype=np.int64,
)


@njit(cache=True)
def _second_order_arguments(op, ia, ib, second_bits, live):
    """Arguments of live nodes with a nonzero second partial: their gradients are read."""
    N = op.shape[0]
    want = np.zeros(N, np.bool_)
    for k in range(N):
        bits = second_bits[op[k]]
        if live[k] and bits:
            if bits & 3:
                want[ia[k]] = True
            if bits & 6:
                want[ib[k]] = True
    return np.flatnonzero(want)


@njit(cache=True)
def _lower_position(indptr, indices, r, c):
    """Index of (r, c) in a CSR lower-triangle pattern with sorted rows (binary search)."""
    lo, hi = indptr[r], indptr[r + 1]
    while lo < hi:
        mid = (lo + hi) // 2
        if indices[mid] < c:
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(cache=True)
def _hessian_plan(
    seg_ptr, seg_op, ia, ib, mask, second_bits, live, start, length, buf, voff, indptr, indices
):
    N = ia.shape[0]
    hslot = np.full((N, 3), -1, np.int32)
    nslot = 0
    cap = 1024
    hpos = np.empty(cap, np.uint32)
    src1 = np.empty(cap, np.uint32)
    src2 = np.empty(cap, np.uint32)
    hs = np.empty(cap, np.uint32)
    nins = 0
    for s in range(seg_op.shape[0]):
        o = seg_op[s]
        bits = second_bits[o]
        if bits == 0 or o == INPUT or o == CONST or o == LINEAR or o == PARAM:
            continue
        for k in range(seg_ptr[s], seg_ptr[s + 1]):
            if not live[k]:
                continue
            for p in range(3):
                if not (bits & (1 << p)):
                    continue
                r1 = ia[k] if p < 2 else ib[k]
                r2 = ia[k] if p == 0 else ib[k]
                l1, l2 = length[r1], length[r2]
                if l1 == 0 or l2 == 0:
                    continue
                slot = nslot
                hslot[k, p] = slot
                nslot += 1
                for u in range(l1):
                    i = buf[start[r1] + u]
                    # a self product (0,0)/(1,1) visits each unordered pair once; the
                    # cross product (0,1) every ordered one, twice on the diagonal
                    for w in range(u if p != 1 else 0, l2):
                        j = buf[start[r2] + w]
                        rr, cc = (i, j) if i >= j else (j, i)
                        pos = _lower_position(indptr, indices, rr, cc)
                        reps = 2 if (p == 1 and i == j) else 1
                        for _ in range(reps):
                            if nins >= cap:
                                cap *= 2
                                hpos2 = np.empty(cap, np.uint32)
                                s12 = np.empty(cap, np.uint32)
                                s22 = np.empty(cap, np.uint32)
                                hs2 = np.empty(cap, np.uint32)
                                copy_prefix(hpos2, hpos, nins)
                                copy_prefix(s12, src1, nins)
                                copy_prefix(s22, src2, nins)
                                copy_prefix(hs2, hs, nins)
                                hpos, src1, src2, hs = hpos2, s12, s22, hs2
                            hpos[nins] = pos
                            src1[nins] = voff[r1] + u
                            src2[nins] = voff[r2] + w
                            hs[nins] = slot
                            nins += 1
    return hslot, nslot, hpos[:nins], src1[:nins], src2[:nins], hs[:nins]


@njit(cache=True, nogil=True)
def _accumulate_hessian(out, hcoef, gv, hpos, src1, src2, hs):
    out[:] = 0.0
    for t in range(hpos.shape[0]):
        c = hcoef[hs[t]]
        if c != 0.0:
            g1 = gv[src1[t]]
            g2 = gv[src2[t]]
            if g1 != 0.0 and g2 != 0.0:  # zero wins over an infinite factor
                out[hpos[t]] += c * g1 * g2


class DirectHessian:
    """Lower-triangle values of ∇²(wᵀf) in the CSR order of ``tril(pattern)``."""

    def __init__(self, tape: Tape, mask: np.ndarray, sets, lower: sp.csr_array):
        from ..detection import kernels as dk

        start, length, buf = sets
        self.tape = tape
        live = dk.live_through(
            tape.seg_ptr, tape.seg_op, tape.a, tape.b, tape.c, tape.lin_idx, mask, tape.outputs
        )
        # the gradients read, and everything they are built from
        args = _second_order_arguments(tape.op, tape.a, tape.b, SECOND_BITS, live)
        want = dk.live_through(
            tape.seg_ptr, tape.seg_op, tape.a, tape.b, tape.c, tape.lin_idx, mask, args
        )
        self._grad = DirectJacobian(tape, mask, sets, want=want)
        lower = sp.csr_array(lower)
        lower.sort_indices()
        self.lower = lower
        self._hslot, nslot, *stream = _hessian_plan(
            tape.seg_ptr,
            tape.seg_op,
            tape.a,
            tape.b,
            mask,
            SECOND_BITS,
            live,
            start,
            length,
            buf,
            self._grad.voff,
            lower.indptr.astype(np.int64),
            lower.indices.astype(np.int64),
        )
        self._stream = tuple(stream)
        #: multiply-adds per evaluation, for the cost model
        self.cost = int(stream[0].size) + self._grad.cost + tape.n_nodes
        self._needed_values = NeededValues(tape, READS)
        self._nslot = max(nslot, 1)
        self._work = PerThread(self._new_work)

    def _new_work(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One thread's node values, adjoints and second-partial coefficients."""
        n = self.tape.n_nodes
        return np.zeros(n), np.zeros(n), np.zeros(self._nslot)

    def plan(self) -> dict:
        """The arrays one evaluation reads (see ``DirectJacobian.plan``): the spans of
        the value pass, the gradient plan, the second-partial slots and the stream."""
        return {
            "needed": self._needed_values.ranges,
            "grad": self._grad.plan(),
            "hslot": self._hslot,
            "nslot": self._nslot,
            "stream": self._stream,
            "nnz": self.lower.nnz,
        }

    def values(self, x: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Lower-triangle nonzeros (``x`` checked and flat, ``weights`` one per output)."""
        tape = self.tape
        args = tape.kernel_args()
        val, bar, hcoef = self._work.get()
        self._needed_values(x, val)
        gv = self._grad.gradients(val)
        bar.fill(0.0)
        np.add.at(bar, tape.outputs, weights)
        kernels(self.tape.families).adjoint_vector(*args, val, bar)
        kernels(self.tape.families).second_coefs(*args, val, bar, self._hslot, hcoef)
        out = np.empty(self.lower.nnz)
        _accumulate_hessian(out, hcoef, gv, *self._stream)
        return out
