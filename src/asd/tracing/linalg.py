"""``np.linalg.norm`` on traced arrays: vector and matrix norms as compositions of
table operators (abs, square, sums along axes, max / min, sqrt, powers)."""

from __future__ import annotations

import numpy as np

try:
    from numpy.lib.array_utils import normalize_axis_index
except ImportError:  # numpy < 2
    from numpy.core.multiarray import normalize_axis_index

from ..errors import UnsupportedFunctionError
from .tracer import find_recorder, lift

_SVD_HINT = (
    "The {what} norm needs singular values, which asd cannot trace. Use ord='fro' "
    "(a bound: ||M||_2 <= ||M||_F, and the nuclear norm is at most sqrt(rank) * ||M||_F), "
    "ord=1 or ord=np.inf, or an explicit formula for your matrix."
)


def _vector_norm(x, ord, axis, keepdims):
    if isinstance(ord, str):
        raise ValueError(f"Invalid norm order '{ord}' for vectors")
    if ord is None or ord == 2:
        return np.sqrt(np.sum(np.square(x), axis=axis, keepdims=keepdims))
    if ord == np.inf:
        return np.max(np.abs(x), axis=axis, keepdims=keepdims)
    if ord == -np.inf:
        return np.min(np.abs(x), axis=axis, keepdims=keepdims)
    if ord == 0:  # the number of nonzeros: piecewise constant
        return np.sum((x != 0).astype(np.float64), axis=axis, keepdims=keepdims)
    if ord == 1:
        return np.sum(np.abs(x), axis=axis, keepdims=keepdims)
    ord = float(ord)
    s = np.sum(np.abs(x) ** ord, axis=axis, keepdims=keepdims)
    return s ** (1.0 / ord)


def _matrix_norm(x, ord, row, col, keepdims):
    if row == col:
        raise ValueError("Duplicate axes given.")
    if ord == 2 or ord == -2 or ord == "nuc":
        what = {2: "spectral (ord=2)", -2: "smallest singular value (ord=-2)"}
        raise UnsupportedFunctionError(
            f"np.linalg.norm with ord={ord!r} on a matrix",
            _SVD_HINT.format(what=what.get(ord, "nuclear (ord='nuc')")),
        )
    if ord in (None, "fro", "f"):
        out = np.sqrt(np.sum(np.square(x), axis=(row, col)))
    elif ord in (1, -1):  # extreme column sum: sum over rows, then max / min over columns
        reduce = np.max if ord == 1 else np.min
        out = reduce(np.sum(np.abs(x), axis=row), axis=col - (col > row))
    elif ord in (np.inf, -np.inf):  # extreme row sum
        reduce = np.max if ord == np.inf else np.min
        out = reduce(np.sum(np.abs(x), axis=col), axis=row - (row > col))
    else:
        raise ValueError("Invalid norm order for matrices.")
    if keepdims:
        shape = list(x.shape)
        shape[row] = shape[col] = 1
        out = np.reshape(out, tuple(shape))
    return out


def norm(x, ord=None, axis=None, keepdims=False):
    """``np.linalg.norm(x, ord, axis, keepdims)`` with numpy's semantics."""
    x = lift(find_recorder([x]), x)
    if x.val.dtype != np.float64:
        x = x.astype(np.float64)
    nd = x.ndim
    if axis is None:
        if ord is None or (nd == 2 and ord in ("fro", "f")) or (nd == 1 and ord == 2):
            out = np.sqrt(np.sum(np.square(np.ravel(x))))
            return np.reshape(out, (1,) * nd) if keepdims else out
        if nd == 1:
            return _vector_norm(x, ord, 0, keepdims)
        if nd == 2:
            return _matrix_norm(x, ord, 0, 1, keepdims)
        raise ValueError("Improper number of dimensions to norm.")
    axes = tuple(axis) if isinstance(axis, tuple | list) else (axis,)
    axes = tuple(normalize_axis_index(int(a), nd) for a in axes)
    if len(axes) == 1:
        return _vector_norm(x, ord, axes[0], keepdims)
    if len(axes) == 2:
        return _matrix_norm(x, ord, axes[0], axes[1], keepdims)
    raise ValueError("Improper number of dimensions to norm.")
