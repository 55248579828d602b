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

from ..loops import argsort_stable, sort_range
from ..operators.codegen import partial_layout, partial_reads
from ..operators.table import BY_CODE, CONST, INPUT, LINEAR, PARAM
from ..tape import Tape
from .scratch import PerThread
from .sweeps import kernels, node_values


def _reads_by_opcode() -> np.ndarray:
    """Per opcode, which values its partials read: 1 = a, 2 = b, 4 = c, 8 = own value."""
    bits = np.zeros(len(BY_CODE), np.int64)
    for code, op in enumerate(BY_CODE):
        if op is not None:
            names = partial_reads(op)
            bits[code] = sum(1 << i for i, n in enumerate("abcv") if n in names)
    return bits


READS = _reads_by_opcode()


def _active_positions() -> tuple[np.ndarray, np.ndarray]:
    """Per opcode: the number A of arguments with a nonzero partial, and for argument
    t the place of its partial in the node's block of A coefficients (-1: none)."""
    count = np.zeros(len(BY_CODE), np.int64)
    place = np.full((len(BY_CODE), 3), -1, np.int64)
    for code, op in enumerate(BY_CODE):
        if op is not None:
            act = partial_layout(op)
            count[code] = len(act)
            for i, t in enumerate(act):
                place[code, t] = i
    return count, place


N_ACTIVE, ACTIVE_PLACE = _active_positions()


@njit(cache=True)
def _needed_values(op, a, b, c, lin_idx, reads, readers):
    """Nodes whose value the partials of some ``readers`` node read, and everything
    those values depend on."""
    N = op.shape[0]
    needed = np.zeros(N, np.bool_)
    for k in range(N):
        if not readers[k]:
            continue
        bits = reads[op[k]]
        if bits & 1:
            needed[a[k]] = True
        if bits & 2:
            needed[b[k]] = True
        if bits & 4:
            needed[c[k]] = True
        if bits & 8:
            needed[k] = True
    for k in range(N - 1, -1, -1):
        o = op[k]
        if not needed[k] or o == INPUT or o == CONST or o == PARAM:
            continue
        if o == LINEAR:
            for t in range(a[k], b[k]):
                needed[lin_idx[t]] = True
        else:
            for r in (a[k], b[k], c[k]):
                if r >= 0:
                    needed[r] = True
    return needed


@njit(cache=True)
def _layout(op, outputs, length):
    """Offsets of each node's gradient in gv: outputs first, in output (CSR row) order.

    Inputs that are not outputs share one slot (their gradient is a unit entry that
    nothing writes). Returns (voff, total, outputs_first). With distinct outputs the
    Jacobian's CSR values are ``gv[:nnz]`` with no gather.
    """
    N = length.shape[0]
    voff = np.full(N, -1, np.int64)
    used = 0
    distinct = True
    for o in outputs:
        if voff[o] >= 0:
            distinct = False
            break
        voff[o] = used
        used += length[o]
    if not distinct:
        voff[:] = -1
        used = 0
    unit = -1
    for k in range(N):
        if voff[k] >= 0:
            continue
        if op[k] == INPUT:
            if unit < 0:
                unit = used
                used += 1
            voff[k] = unit
        else:
            voff[k] = used
            used += length[k]
    return voff, used, distinct


@njit(cache=True)
def _partial_nodes(seg_ptr, seg_op, length, want):
    """Nonlinear nodes whose gradient is accumulated: their first partials are read."""
    partial = np.zeros(length.shape[0], np.bool_)
    for s in range(seg_op.shape[0]):
        o = seg_op[s]
        if o == INPUT or o == CONST or o == LINEAR or o == PARAM:
            continue
        for k in range(seg_ptr[s], seg_ptr[s + 1]):
            partial[k] = want[k] and length[k] > 0
    return partial


@njit(cache=True)
def _ranges(seg_ptr, seg_op, needed, partial, n_active):
    """Per segment, the span [lo, hi) of its nodes that need a value or partials, and
    where its dense block of partials starts in coef (-1: no partials); the block size."""
    S = seg_op.shape[0]
    lo = np.zeros(S, np.int64)
    hi = np.zeros(S, np.int64)
    cbase = np.full(S, -1, np.int64)
    used = 0
    for s in range(S):
        first, last, any_partial = -1, -1, False
        for k in range(seg_ptr[s], seg_ptr[s + 1]):
            if needed[k] or partial[k]:
                if first < 0:
                    first = k
                last = k
                any_partial = any_partial or partial[k]
        if first < 0:
            continue
        lo[s], hi[s] = first, last + 1
        if any_partial and n_active[seg_op[s]] > 0:
            cbase[s] = used
            used += (last + 1 - first) * n_active[seg_op[s]]
    return lo, hi, cbase, used


@njit(cache=True)
def _plan(
    seg_ptr,
    seg_op,
    ia,
    ib,
    ic,
    lin_idx,
    lin_w,
    mask,
    start,
    length,
    buf,
    n_in,
    voff,
    total,
    want,
    lo,
    cbase,
    ndense,
    n_active,
    place,
):
    """Compile the accumulation into a flat stream ``gv[dst] += coef[c] * gv[src]``.

    A nonlinear node's partials are written each evaluation into its segment's dense
    block of ``coef`` (see ``_ranges``); the weights of linear nodes follow the blocks
    and never change. Gradients that do not depend on x (inputs, linear combinations
    of them) are folded into ``gv0`` once. An evaluation starts from ``gv0`` (the
    x-dependent entries ``reset_idx`` reset to ``reset_val``) and runs the stream in
    tape order.
    """
    N = ia.shape[0]
    posmap = np.full(n_in, -1, np.int64)
    constgrad = np.zeros(N, np.bool_)
    gv0 = np.zeros(total)
    # upper bounds on the stream sizes: every argument set visited once
    bound = 0
    nlin = 0
    for s in range(seg_op.shape[0]):
        o = seg_op[s]
        if o == INPUT or o == CONST or o == PARAM:
            continue
        for k in range(seg_ptr[s], seg_ptr[s + 1]):
            if o == LINEAR:
                nlin += ib[k] - ia[k]
                for t in range(ia[k], ib[k]):
                    bound += length[lin_idx[t]]
            else:
                for r in (ia[k], ib[k], ic[k]):
                    if r >= 0:
                        bound += length[r]
                bound += length[k]
    coef = np.zeros(ndense + nlin + 1)
    ncoef = ndense
    dst = np.empty(bound + 1, np.uint32)
    src = np.empty(bound + 1, np.uint32)
    cix = np.empty(bound + 1, np.uint32)
    nins = 0
    reset_idx = np.empty(bound + 1, np.uint32)
    nreset = 0
    args = np.empty(3, np.int64)
    for s in range(seg_op.shape[0]):
        o = seg_op[s]
        for k in range(seg_ptr[s], seg_ptr[s + 1]):
            if o == INPUT:
                constgrad[k] = True
                gv0[voff[k]] = 1.0
                continue
            if o == CONST or o == PARAM:
                constgrad[k] = True
                continue
            lk = length[k]
            base = voff[k]
            if lk == 0:
                constgrad[k] = o == LINEAR
                continue
            if not want[k]:
                continue
            sk = start[k]
            for i in range(lk):
                posmap[buf[sk + i]] = i
            if o == LINEAR:
                t0, t1 = ia[k], ib[k]
            else:
                args[0], args[1], args[2] = ia[k], ib[k], ic[k]
                t0, t1 = 0, 3
                block = cbase[s] + (k - lo[s]) * n_active[o]
                for i in range(lk):  # a nonlinear node starts from zero
                    reset_idx[nreset] = base + i
                    nreset += 1
            all_const = o == LINEAR
            for t in range(t0, t1):
                if o == LINEAR:
                    r = lin_idx[t]
                else:
                    if not (mask[k] & (1 << t)) or place[o, t] < 0:
                        continue
                    r = args[t]
                lr_len = length[r]
                if lr_len == 0:
                    continue
                same = start[r] == sk and lr_len == lk
                if o == LINEAR and constgrad[r]:
                    w = lin_w[t]  # fold the constant contribution now
                    for u in range(lr_len):
                        d = u if same else posmap[buf[start[r] + u]]
                        gv0[base + d] += w * gv0[voff[r] + u]
                    continue
                all_const = False
                if o == LINEAR:
                    c = ncoef
                    coef[c] = lin_w[t]
                    ncoef += 1
                else:
                    c = block + place[o, t]
                for u in range(lr_len):
                    d = base + (u if same else posmap[buf[start[r] + u]])
                    if o == LINEAR:  # x-dependent entries restart from the constant part
                        reset_idx[nreset] = d
                        nreset += 1
                    dst[nins] = d
                    src[nins] = voff[r] + u
                    cix[nins] = c
                    nins += 1
            if o == LINEAR:
                constgrad[k] = all_const
    reset_idx = reset_idx[:nreset]
    reset_val = np.empty(nreset)
    for i in range(nreset):
        reset_val[i] = gv0[reset_idx[i]]
    return coef[:ncoef], dst[:nins], src[:nins], cix[:nins], reset_idx, reset_val, gv0


@njit(cache=True, nogil=True)
def _reset(gv, reset_idx, reset_val):
    for i in range(reset_idx.shape[0]):
        gv[reset_idx[i]] = reset_val[i]


@njit(cache=True, nogil=True)
def _accumulate(gv, coef, dst, src, cix):
    """The stream: a zero partial or a zero gradient entry contributes nothing, so an
    infinite partial times an exactly zero gradient entry is 0, not NaN (chain rule)."""
    for t in range(dst.shape[0]):
        c = coef[cix[t]]
        if c != 0.0:
            g = gv[src[t]]
            if g != 0.0:
                gv[dst[t]] += c * g


@njit(cache=True)
def _sort_sets(nodes, start, length, buf):
    """Sort the stored index sets of these nodes in place (sets are unordered)."""
    for o in nodes:
        sort_range(buf, start[o], start[o] + length[o])


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
        order = argsort_stable(buf[s : s + length[o]])
        for i in range(order.shape[0]):
            gather[t] = voff[o] + order[i]
            t += 1
    return gather


_NO_X = np.empty(0)
_NO_COEF = np.empty(0)


def _direct_pass(tape: Tape, ranges: tuple, x: np.ndarray, val: np.ndarray, coef, values=True):
    """One pass over the segment spans ``ranges``: with ``values`` first the values the
    partials read, into ``val`` (a guarded tape gets every value and the guard check),
    then the partials into ``coef``'s blocks."""
    if values and tape.guards:
        node_values(tape, x, val)
        values = False
    k = kernels(tape.families)
    k.direct_partials(tape.seg_op, *ranges, *tape.kernel_args()[2:], x, val, coef, values)


class NeededValues:
    """The value pass of a direct sweep: only the spans of the segments holding nodes
    whose value some partial reads (``reads``: bits per opcode, see
    ``_reads_by_opcode``), and whatever those depend on; no partial blocks."""

    def __init__(self, tape: Tape, reads: np.ndarray):
        self.tape = tape
        everyone = np.ones(tape.n_nodes, np.bool_)
        needed = _needed_values(tape.op, tape.a, tape.b, tape.c, tape.lin_idx, reads, everyone)
        nobody = np.zeros(tape.n_nodes, np.bool_)
        self._ranges = _ranges(tape.seg_ptr, tape.seg_op, needed, nobody, N_ACTIVE)[:3]

    @property
    def ranges(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(lo, hi, cbase) per segment, as ``direct_partials`` takes them."""
        return self._ranges

    def __call__(self, x: np.ndarray, val: np.ndarray) -> None:
        _direct_pass(self.tape, self._ranges, x, val, _NO_COEF)


class DirectJacobian:
    """Jacobian values in CSR order of the detected pattern, by sparse accumulation.

    One evaluation: a pass over the spans of the segments that matter, computing the
    values some partial reads and the partials into dense per-segment blocks, then the
    flat accumulation stream.
    """

    def __init__(self, tape: Tape, mask: np.ndarray, sets: tuple[np.ndarray, ...], want=None):
        """``want`` (bool per node) limits the stream to the gradients someone reads."""
        start, length, buf = sets
        if want is None:
            want = np.ones(tape.n_nodes, np.bool_)
        self.tape = tape
        voff, total, self._outputs_first = _layout(tape.op, tape.outputs, length)
        if self._outputs_first:  # each output row's entries in sorted column order
            _sort_sets(tape.outputs, start, length, buf)
        partial = _partial_nodes(tape.seg_ptr, tape.seg_op, length, want)
        needed = _needed_values(tape.op, tape.a, tape.b, tape.c, tape.lin_idx, READS, partial)
        lo, hi, cbase, ndense = _ranges(tape.seg_ptr, tape.seg_op, needed, partial, N_ACTIVE)
        self._ranges = (lo, hi, cbase)
        coef, dst, src, cix, reset_idx, reset_val, gv0 = _plan(
            tape.seg_ptr,
            tape.seg_op,
            tape.a,
            tape.b,
            tape.c,
            tape.lin_idx,
            tape.lin_w,
            mask,
            start,
            length,
            buf,
            tape.n_inputs,
            voff,
            total,
            want,
            lo,
            cbase,
            ndense,
            N_ACTIVE,
            ACTIVE_PLACE,
        )
        self.voff = voff
        self._coef = coef  # template: zero blocks, then the constant linear weights
        self._stream = (dst, src, cix)
        self._reset = (reset_idx, reset_val)
        #: multiply-adds per evaluation (the cost model compares it with colouring)
        self.cost = int(dst.size)
        self.nnz = int(length[tape.outputs].sum())
        if not self._outputs_first:
            self.gather = _output_gather(tape.outputs, start, length, buf, voff)
        # J's values are the head of a fresh copy of the constant parts (the copy is the
        # reset) unless the intermediate gradients would more than double its memory;
        # otherwise each thread keeps one buffer and resets its x-dependent entries
        self._fresh = self._outputs_first and total <= 2 * self.nnz
        self._gv0 = gv0  # never written
        self._work = PerThread(self._new_work)

    def _new_work(self) -> dict:
        """One thread's node values, partial blocks and (made on demand) gradient buffer."""
        return {"val": np.zeros(self.tape.n_nodes), "coef": self._coef.copy(), "gv": None}

    def _sweep(self, work: dict, out: np.ndarray | None) -> np.ndarray:
        """Accumulate into ``out`` if given (a copy of the constant parts), else into the
        thread's kept buffer, reset first."""
        if out is None:
            if work["gv"] is None:
                work["gv"] = self._gv0.copy()
            out = work["gv"]
            _reset(out, *self._reset)
        _accumulate(out, work["coef"], *self._stream)
        return out

    def gradients(self, val: np.ndarray) -> np.ndarray:
        """Every node's sparse gradient (offsets ``voff``), given the node values the
        partials read (this thread's kept buffer; overwritten by its next call)."""
        work = self._work.get()
        _direct_pass(self.tape, self._ranges, _NO_X, val, work["coef"], values=False)
        return self._sweep(work, None)

    def plan(self) -> dict:
        """The arrays one evaluation reads, for callers that run the kernels themselves
        (compiled Ipopt callbacks): segment spans, the partial-block template, the
        stream, the reset, the constant parts ``gv0`` and how the values are read out
        (``gv[:nnz]`` when ``outputs_first``, else ``gv[gather]``). Never written."""
        gather = np.empty(0, np.int64) if self._outputs_first else self.gather
        return {
            "ranges": self._ranges,
            "coef": self._coef,
            "stream": self._stream,
            "reset": self._reset,
            "gv0": self._gv0,
            "gather": gather,
            "outputs_first": self._outputs_first,
            "nnz": self.nnz,
        }

    def values(self, x: np.ndarray) -> np.ndarray:
        """Nonzeros of J(x) in CSR order (``x`` already checked and flat): a new array."""
        work = self._work.get()
        _direct_pass(self.tape, self._ranges, x, work["val"], work["coef"])
        if self._fresh:
            return self._sweep(work, self._gv0.copy())[: self.nnz]
        gv = self._sweep(work, None)
        if self._outputs_first:
            return gv[: self.nnz].copy()
        return gv[self.gather]
