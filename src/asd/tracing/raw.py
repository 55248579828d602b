"""numpy's own ``asarray`` / ``array`` / ``broadcast_to`` for asd's bookkeeping arrays.

While a trace runs, ``np.asarray`` and ``np.array`` are replaced for user code
(``patches.py``); asd's node-id and weight arrays never need those checks, and numpy's
``broadcast_to`` itself calls ``np.array``, so the tracer's hot paths use these instead.
"""

from __future__ import annotations

import numpy as np

asarray = getattr(np.asarray, "__wrapped__", np.asarray)
array = getattr(np.array, "__wrapped__", np.array)
empty = getattr(np.empty, "__wrapped__", np.empty)
full = getattr(np.full, "__wrapped__", np.full)


def ndim(v) -> int:
    """``np.ndim`` with a fast path for arrays."""
    t = type(v)
    if t is np.ndarray:
        return v.ndim
    return 0 if t is int or t is float else np.ndim(v)


def broadcast(a, shape: tuple) -> np.ndarray:
    """``np.broadcast_to(a, shape)``; ``a`` itself (as an array) when it has that shape."""
    a = asarray(a)
    return a if a.shape == shape else np.broadcast_to(a, shape)


def broadcast_arrays(arrays: list) -> list:
    """``np.broadcast_arrays``; the arrays themselves when their shapes agree."""
    shape = arrays[0].shape
    if all(a.shape == shape for a in arrays):
        return arrays
    shape = broadcast_shapes(*(a.shape for a in arrays))
    return [broadcast(a, shape) for a in arrays]


def broadcast_shapes(*shapes: tuple) -> tuple:
    """``np.broadcast_shapes`` (which makes arrays with ``np.empty``); the shape itself
    when all agree."""
    if all(s == shapes[0] for s in shapes):
        return tuple(shapes[0])
    return np.broadcast_shapes(*shapes)
