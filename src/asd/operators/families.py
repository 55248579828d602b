"""Operator families: the units in which the generated kernels are compiled.

Compile time grows with the number of operator branches in a kernel, and most
functions use a handful of operators. A tape therefore names the families it uses (a
bitmask), and the kernels it runs hold the branches of those families only: a tape of
``+ * sin`` compiles about a fifth of the table. Each family set is its own generated
module, cached on disk like the full one. ``ASD_KERNEL_FAMILIES=all`` makes every
tape use the module with all families (one compilation serves everything).
"""

from __future__ import annotations

import os

import numpy as np

from .special import CYTHON_FUNCTIONS
from .table import BY_CODE, MASK_OPS, OPCODE

FAMILIES: dict[str, tuple[str, ...]] = {
    "arithmetic": ("affine", "add", "sub", "mul", "div", "rdiv", "recip", "square", "powc"),
    "powers": ("rpow", "pow", "sqrt", "cbrt"),
    "exponential": ("exp", "exp2", "expm1"),
    "logarithmic": ("log", "log2", "log10", "log1p"),
    "trigonometric": ("sin", "cos", "tan"),
    "inverse trigonometric": ("arcsin", "arccos", "arctan", "arctan2", "hypot"),
    "hyperbolic": ("sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh"),
    "piecewise": (
        "abs",
        "maxc",
        "minc",
        "maximum",
        "minimum",
        "fmax",
        "fmin",
        "where",
        "mod",
        "copysign",
        "sign",
        "stop_gradient",
        "floor",
        "ceil",
        "trunc",
        "rint",
        "floor_divide",
    ),
    "logical": tuple(op.name for op in BY_CODE if op is not None and op.name in MASK_OPS),
    # scipy.special's C functions, then the ones written in asd (operators/special.py)
    "special": (*CYTHON_FUNCTIONS, "polygamma", "sinc", "xlogy", "xlog1py"),
}

NAMES: tuple[str, ...] = tuple(FAMILIES)
ALL: int = (1 << len(NAMES)) - 1

#: family bit of each opcode (0 for the structural opcodes, which every kernel has)
BIT_OF_CODE = np.zeros(len(BY_CODE), np.int64)
for _bit, _name in enumerate(NAMES):
    for _op in FAMILIES[_name]:
        BIT_OF_CODE[OPCODE[_op]] = 1 << _bit
_missing = [op.name for op in BY_CODE if op is not None and not BIT_OF_CODE[OPCODE[op.name]]]
if _missing:  # every row of the table belongs to a family
    raise RuntimeError(f"asd: operators without a kernel family: {_missing}")


def families_of(opcodes: np.ndarray) -> int:
    """The family bitmask a tape with these opcodes needs (all of them when
    ``ASD_KERNEL_FAMILIES=all``)."""
    if os.environ.get("ASD_KERNEL_FAMILIES", "").strip().lower() == "all":
        return ALL
    if opcodes.size == 0:
        return 0
    return int(np.bitwise_or.reduce(BIT_OF_CODE[opcodes]))


def codes_in(mask: int) -> frozenset[int]:
    """The opcodes of the families in ``mask``."""
    return frozenset(int(c) for c in np.flatnonzero(BIT_OF_CODE & mask))


def describe(mask: int) -> str:
    """The family names in ``mask``, for messages."""
    if mask == ALL:
        return "all operator families"
    return ", ".join(n for b, n in enumerate(NAMES) if mask >> b & 1) or "structural only"
