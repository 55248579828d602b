"""Jacobian and Hessian sparsity patterns of a tape, global (all x) or local (at x).

Global patterns use each operator's structural first/second-order classes; local
patterns also drop edges whose partial is exactly zero at x by the table's
``local_zero`` rules (inactive side of max/min/where, product with an exact zero).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..counters import count
from ..errors import InputError
from ..evaluation.sweeps import as_input, kernels, node_values
from ..operators.table import BY_CODE
from ..tape import Tape
from . import kernels as dk

#: per opcode, which second partials are structurally nonzero: 1=(a,a), 2=(a,b), 4=(b,b)
SECOND_BITS = np.array(
    [
        0
        if op is None
        else (op.second_partial(0, 0) != "0")
        | (op.second_partial(0, 1) != "0") << 1
        | (op.second_partial(1, 1) != "0") << 2
        for op in BY_CODE
    ],
    dtype=np.int64,
)


def csr_structure(csr) -> tuple[np.ndarray, np.ndarray]:
    """Row and column index of every stored entry of a CSR pattern, in CSR order."""
    rows = np.repeat(np.arange(csr.shape[0], dtype=np.int64), np.diff(csr.indptr))
    return rows, csr.indices.astype(np.int64)


def shared_structure(csr) -> tuple[np.ndarray, np.ndarray]:
    """``csr_structure`` as read-only arrays, to be kept and handed to every COO output
    (a write into a returned matrix's indices raises instead of corrupting the next)."""
    rows, cols = csr_structure(csr)
    rows.setflags(write=False)
    cols.setflags(write=False)
    return rows, cols


def edge_mask(tape: Tape, x=None, mode: str = "global", params=None) -> np.ndarray:
    """Per node, bit i set when the node may depend on its argument i (local: at x and
    the parameter vector ``params``, default the traced one)."""
    if mode not in ("global", "local"):
        raise InputError(f"asd: sparsity mode must be 'global' or 'local', not {mode!r}")
    local = mode == "local"
    if local:
        if x is None:
            raise InputError("asd: local sparsity needs the point x")
        val = node_values(tape, as_input(tape, x, params=params))
    else:
        val = np.zeros(0)
    mask = np.zeros(tape.n_nodes, np.uint8)
    kernels(tape.families).first_order_mask(*tape.kernel_args(), val, local, mask)
    return mask


def _sets(tape: Tape, mask: np.ndarray):
    return dk.dependency_sets(
        tape.seg_ptr, tape.seg_op, tape.a, tape.b, tape.c, tape.lin_idx, mask, tape.n_inputs
    )


def dependencies(tape: Tape, x=None, mode: str = "global", params=None):
    """``(mask, (start, length, buf))``: active edges and every node's input set."""
    count("detection")
    mask = edge_mask(tape, x, mode, params)
    return mask, _sets(tape, mask)


def jacobian_pattern(tape: Tape, x=None, mode: str = "global", deps=None) -> sp.csr_array:
    """Boolean (m x n) pattern of the Jacobian of the tape's outputs."""
    _, (start, length, buf) = deps if deps is not None else dependencies(tape, x, mode)
    indptr, indices = dk.rows_of_sets(tape.outputs, start, length, buf)
    data = np.ones(indices.size, dtype=bool)
    return sp.csr_array((data, indices, indptr), shape=(tape.n_outputs, tape.n_inputs))


def hessian_pattern(
    tape: Tape, x=None, mode: str = "global", weights=None, deps=None
) -> sp.csr_array:
    """Boolean symmetric (n x n) pattern of ∇²(wᵀf), the union over outputs by default.

    ``weights`` (length m) restricts the union to outputs with a nonzero weight.
    """
    mask, (start, length, buf) = deps if deps is not None else dependencies(tape, x, mode)
    roots = tape.outputs
    if weights is not None:
        w = np.broadcast_to(np.asarray(weights, np.float64), (tape.n_outputs,))
        roots = roots[w != 0]
    live = dk.live_through(
        tape.seg_ptr, tape.seg_op, tape.a, tape.b, tape.c, tape.lin_idx, mask, roots
    )
    rows, cols = dk.hessian_pairs(
        tape.seg_ptr,
        tape.seg_op,
        tape.a,
        tape.b,
        tape.c,
        tape.lin_idx,
        mask,
        SECOND_BITS,
        live,
        start,
        length,
        buf,
    )
    n = tape.n_inputs
    keys = np.unique(rows * n + cols)
    r, c = np.divmod(keys, n)
    off = r != c
    rr = np.concatenate([r, c[off]])
    cc = np.concatenate([c, r[off]])
    pattern = sp.csr_array((np.ones(rr.size, bool), (rr, cc)), shape=(n, n))
    pattern.sort_indices()
    return pattern
