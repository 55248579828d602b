"""Graph colouring of sparsity patterns, with decompression plans.

``color(pattern, problem, order)`` returns a :class:`ColoringResult` holding the
colours, the seed matrix and a precomputed plan that recovers every nonzero from
the compressed matrix with one gather.
"""

from .color import ColoringResult, color

__all__ = ["ColoringResult", "color"]
