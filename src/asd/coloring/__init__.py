"""Graph colouring of sparsity patterns, with decompression plans.

``color(pattern, problem, order)`` returns a :class:`ColoringResult` holding the
colours, the seed matrix and a precomputed plan that recovers every nonzero from
the compressed matrix with one gather.
"""

from .check import ColoringError, check_star, check_structurally_orthogonal
from .color import ColoringResult, color

__all__ = [
    "ColoringError",
    "ColoringResult",
    "check_star",
    "check_structurally_orthogonal",
    "color",
]
