"""The tape: a flat SSA list of scalar instructions, stored as a structure of arrays.

Node ``k`` computes one scalar from its argument nodes ``a[k]``, ``b[k]``, ``c[k]``
and float parameters ``p[k]``, ``q[k]`` with opcode ``op[k]`` (see
:mod:`asd.operators.table`). Inputs are nodes ``0..n-1``; runtime parameters
(opcode ``param``) read the entries after them in the input vector but are never
differentiated. A ``linear`` node keeps its terms in CSR-style side arrays:
``lin_idx[a[k]:b[k]]`` with weights ``lin_w[a[k]:b[k]]`` plus the constant ``q[k]``.
Runs of equal opcodes form segments; the kernels dispatch once per segment.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numba import njit

from .operators.families import families_of


@njit(cache=True)
def _segments(op):
    """Start of each run of equal opcodes (plus the end), and the run's opcode."""
    n = op.shape[0]
    count = 0
    for k in range(n):
        if k == 0 or op[k] != op[k - 1]:
            count += 1
    seg_ptr = np.empty(count + 1, np.int64)
    seg_op = np.empty(count, np.int64)
    s = 0
    for k in range(n):
        if k == 0 or op[k] != op[k - 1]:
            seg_ptr[s] = k
            seg_op[s] = op[k]
            s += 1
    seg_ptr[count] = n
    return seg_ptr, seg_op


@dataclass(frozen=True)
class Guard:
    """A value the trace branched on: the tape is valid only where it keeps that value."""

    node: int
    expected: float
    where: str = ""


#: prefix of a guard's ``where`` for the sides of a branch where the function raised
RAISED = "raised: "
#: prefix of a guard's ``where`` for an iteration in the tape that must converge (the
#: node holds 1 where it did); the rest of ``where`` names the iteration
CONVERGED = "converged: "


@dataclass
class Tape:
    """An immutable, picklable recording of one function ``f: R^shape -> R^out_shape``."""

    op: np.ndarray
    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    p: np.ndarray
    q: np.ndarray
    lin_idx: np.ndarray
    lin_w: np.ndarray
    outputs: np.ndarray
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    guards: tuple[Guard, ...] = ()
    output_is_mask: bool = False
    #: runtime parameters (``asd.tracing.params.ParamSpec``): nodes of opcode ``param``
    #: read entries ``n_inputs ..`` of the kernels' input vector; None when there are none
    params: object | None = None
    seg_ptr: np.ndarray = field(init=False, repr=False)
    seg_op: np.ndarray = field(init=False, repr=False)
    #: the operator families the tape uses (a bitmask): its kernels hold only those
    families: int = field(init=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("op", "a", "b", "c", "p", "q", "lin_idx", "lin_w", "outputs"):
            arr = np.ascontiguousarray(getattr(self, name))
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        self.seg_ptr, self.seg_op = _segments(self.op)
        self.families = families_of(self.seg_op)

    @property
    def n_inputs(self) -> int:
        return math.prod(self.input_shape)

    @property
    def n_params(self) -> int:
        """Length of the runtime parameter vector that follows x in the kernels' input."""
        return 0 if self.params is None else self.params.size

    @property
    def n_outputs(self) -> int:
        return int(self.outputs.size)

    @property
    def n_nodes(self) -> int:
        return int(self.op.size)

    def kernel_args(self) -> tuple[np.ndarray, ...]:
        """The arrays every generated kernel takes first."""
        return (
            self.seg_ptr,
            self.seg_op,
            self.a,
            self.b,
            self.c,
            self.p,
            self.q,
            self.lin_idx,
            self.lin_w,
        )

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("seg_ptr", None)
        state.pop("seg_op", None)
        state.pop("families", None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.__post_init__()

    def __repr__(self) -> str:
        return (
            f"Tape(inputs={self.input_shape}, outputs={self.output_shape}, "
            f"nodes={self.n_nodes}, segments={self.seg_op.size}, "
            f"linear_terms={self.lin_idx.size}, guards={len(self.guards)}, "
            f"params={self.n_params})"
        )
