"""Graph colouring of sparsity patterns, with precomputed decompression plans.

``color(pattern, problem, order)`` returns a :class:`ColoringResult` with the colours,
the seed matrices and a plan that recovers every nonzero from the compressed matrix in
one gather (column, row, star, bidirectional) or one substitution sweep (acyclic).
Works on any ``scipy.sparse`` pattern; the kernels are Numba-compiled and cached.
"""

from .api import PROBLEMS, color
from .check import (
    ColoringError,
    check_acyclic,
    check_bicoloring,
    check_star,
    check_structurally_orthogonal,
)
from .orders import ORDERS
from .result import ColoringResult

__all__ = [
    "ORDERS",
    "PROBLEMS",
    "ColoringError",
    "ColoringResult",
    "check_acyclic",
    "check_bicoloring",
    "check_star",
    "check_structurally_orthogonal",
    "color",
]
