"""Reductions and scans on traced arrays: sums and means become n-ary ``linear``
nodes, products and extrema balanced trees of table operators, scans chains of them.
Empty reductions follow numpy (the identity, NaN for a mean, an error without one)."""

from __future__ import annotations

import warnings

import numpy as np

try:
    from numpy.lib.array_utils import normalize_axis_tuple
except ImportError:  # numpy < 2
    from numpy.core.numeric import normalize_axis_tuple

from ..errors import UnsupportedFunctionError
from .tracer import TracedArray, apply, find_recorder, lift


def _normalize_axes(axis, ndim):
    """The reduced axes, sorted; numpy's AxisError for an axis out of range or repeated."""
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple | list) else (axis,)
    if not ndim:  # a 0-d array reduces over its only "axis"
        return tuple(0 for _ in axes)
    return tuple(sorted(normalize_axis_tuple(tuple(int(a) for a in axes), ndim)))


def _to_rows(x: TracedArray, axis):
    """Move the reduced axes last: returns (ids (M, K), vals (M, K), kept shape)."""
    axes = _normalize_axes(axis, x.ndim)
    keep = [i for i in range(x.ndim) if i not in axes]
    ids = np.transpose(x.ids, keep + list(axes))
    val = np.transpose(x.val, keep + list(axes))
    out_shape = tuple(x.shape[i] for i in keep)
    k = int(np.prod([x.shape[i] for i in axes], dtype=np.int64))
    m = int(np.prod(out_shape, dtype=np.int64))  # not -1: ambiguous when k == 0
    return ids.reshape(m, k), val.reshape(m, k), out_shape, axes


def axes_last(x: TracedArray, axis) -> tuple[TracedArray, tuple[int, ...]]:
    """``x`` with the axes ``axis`` (all when None) merged into one last axis, and those
    axes (sorted); for functions of a group of axes (norms, order statistics)."""
    ids, val, shape, axes = _to_rows(x, axis)
    k = ids.shape[1]
    return TracedArray(x.rec, ids.reshape(shape + (k,)), val.reshape(shape + (k,))), axes


def keepdims_shape(x, axes):
    """The shape of a reduction of ``x`` over ``axes`` with keepdims."""
    return tuple(1 if i in axes else s for i, s in enumerate(x.shape))


def _sum(x, axis=None, keepdims=False, weight=1.0, initial=np._NoValue):
    x = lift(x.rec, x) if isinstance(x, TracedArray) else x
    ids, val, shape, axes = _to_rows(x, axis)
    m, k = ids.shape
    bias = 0.0 if initial is np._NoValue else float(initial)
    new = x.rec.emit_linear(np.full(m, k), ids, weight, bias)
    value = val.astype(np.float64).sum(axis=1) * weight + bias
    if keepdims:
        shape = keepdims_shape(x, axes)
    return TracedArray(x.rec, new.reshape(shape), value.reshape(shape))


_IDENTITY = {"mul": 1.0, "logical_or": False, "logical_and": True}


def _tree_reduce(name, x, axis=None, keepdims=False, initial=np._NoValue):
    ids, val, shape, axes = _to_rows(x, axis)
    if ids.shape[1] == 0 and initial is np._NoValue:  # an empty reduction: numpy's identity
        if name not in _IDENTITY:
            raise ValueError(f"zero-size array to reduction operation {name} which has no identity")
        fill = np.full(keepdims_shape(x, axes) if keepdims else shape, _IDENTITY[name])
        return lift(x.rec, fill)
    cur = TracedArray(x.rec, ids, val)
    if initial is not np._NoValue:
        cur = np.concatenate([lift(x.rec, np.full((ids.shape[0], 1), float(initial))), cur], axis=1)
    while cur.shape[1] > 1:
        half = cur.shape[1] // 2
        pair = apply(name, cur[:, :half], cur[:, half : 2 * half])
        cur = np.concatenate([pair, cur[:, 2 * half :]], axis=1) if cur.shape[1] % 2 else pair
    out = cur[:, 0]
    if keepdims:
        shape = keepdims_shape(x, axes)
    return out.reshape(shape)


def _scan(name, x, axis=None):
    if axis is None:
        x, axis = np.ravel(x), 0
    x = np.moveaxis(x, axis, 0).copy()
    for i in range(1, x.shape[0]):
        x[i] = apply(name, x[i - 1], x[i])
    return np.moveaxis(x, 0, axis)


def _mean(x, axis=None, keepdims=False, **kw):
    _no_kw("np.mean", kw, ("dtype",))
    axes = _normalize_axes(axis, x.ndim)
    k = int(np.prod([x.shape[i] for i in axes], dtype=np.int64))
    if k == 0:  # numpy: NaN with a warning
        warnings.warn("Mean of empty slice.", RuntimeWarning, stacklevel=3)
        return _sum(x, axis, keepdims, initial=np.nan)
    return _sum(x, axis, keepdims, weight=1.0 / k)


def _var(x, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kw):
    """``np.var``: the mean of squared deviations (``ddof`` as numpy)."""
    _no_kw("np.var", {"out": out, **kw}, ("mean", "correction"))
    x = lift(find_recorder([x]), x)
    axes = _normalize_axes(axis, x.ndim)
    k = int(np.prod([x.shape[i] for i in axes], dtype=np.int64))
    dev = x - _mean(x, axis, keepdims=True)
    if k - ddof <= 0:
        warnings.warn("Degrees of freedom <= 0 for slice", RuntimeWarning, stacklevel=3)
    return _sum(dev * dev, axis, keepdims, weight=1.0 / (k - ddof) if k > ddof else np.nan)


def _std(x, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kw):
    return np.sqrt(_var(x, axis, dtype, out, ddof, keepdims, **kw))


def _no_kw(name, kw, allowed=()):
    bad = [k for k, v in kw.items() if v is not None and v is not np._NoValue and k not in allowed]
    if bad:
        raise UnsupportedFunctionError(f"{name} with {bad}", "Drop those keyword arguments.")


def _reduce_ufunc(ufunc, x, axis=0, keepdims=False, initial=np._NoValue, **kw):
    kw.pop("dtype", None)
    if kw.get("where", True) is not True or kw.get("out") is not None:
        raise UnsupportedFunctionError(f"np.{ufunc.__name__}.reduce with where=/out=")
    x = lift(find_recorder([x]), x)
    if ufunc is np.add:
        return _sum(x, axis, keepdims, initial=initial)
    if ufunc is np.multiply:
        return _tree_reduce("mul", x, axis, keepdims, initial)
    if ufunc in (np.maximum, np.fmax, np.minimum, np.fmin):
        name = {np.maximum: "maximum", np.fmax: "fmax", np.minimum: "minimum", np.fmin: "fmin"}
        return _tree_reduce(name[ufunc], x, axis, keepdims, initial)
    if ufunc in (np.logical_and, np.logical_or, np.logical_xor):
        return _tree_reduce(ufunc.__name__, lift(x.rec, x != 0), axis, keepdims, initial)
    if ufunc.nin != 2 or ufunc.nout != 1:
        raise UnsupportedFunctionError(f"np.{ufunc.__name__}.reduce")
    return _fold(ufunc, x, axis, keepdims, initial)


def _fold(ufunc, x, axis, keepdims, initial):
    """A left fold ``ufunc(...ufunc(ufunc(x0, x1), x2)..., x_last)`` along one axis (for
    any binary ufunc that traces: subtract, divide, power, hypot, logaddexp, ...)."""
    if axis is None:
        if x.ndim > 1:
            raise ValueError(
                f"reduction operation '{ufunc.__name__}' is not reorderable, so at most "
                "one axis may be specified"
            )
        axis = 0
    if isinstance(axis, tuple | list):
        if len(axis) != 1:
            raise ValueError(
                f"reduction operation '{ufunc.__name__}' is not reorderable, so at most "
                "one axis may be specified"
            )
        axis = axis[0]
    axis = int(axis) % max(x.ndim, 1)
    m = np.moveaxis(x, axis, 0)
    parts = [m[i] for i in range(m.shape[0])]
    if initial is not np._NoValue:
        parts.insert(0, lift(x.rec, np.full(m.shape[1:], float(initial))))
    if not parts:
        raise ValueError(
            f"zero-size array to reduction operation {ufunc.__name__} which has no identity"
        )
    acc = parts[0]
    for p in parts[1:]:
        acc = ufunc(acc, p)
    if keepdims:
        acc = np.expand_dims(acc, axis)
    return acc


def _accumulate_ufunc(ufunc, x, axis=0, dtype=None, out=None, **kw):
    x = lift(find_recorder([x]), x)
    if out is not None:
        raise UnsupportedFunctionError(f"np.{ufunc.__name__}.accumulate with out=")
    if ufunc is np.add:
        return _scan("add", x, axis)
    if ufunc is np.multiply:
        return _scan("mul", x, axis)
    if ufunc in (np.maximum, np.minimum):
        return _scan(ufunc.__name__, x, axis)
    if ufunc.nin != 2 or ufunc.nout != 1:
        raise UnsupportedFunctionError(f"np.{ufunc.__name__}.accumulate")
    m = np.moveaxis(x, axis, 0)
    parts = [m[0]]
    for i in range(1, m.shape[0]):
        parts.append(ufunc(parts[-1], m[i]))
    if not parts[1:]:
        return x.copy()
    return np.moveaxis(np.stack(parts), 0, axis)


def _any_all(name):
    def handler(a, axis=None, keepdims=False, **kw):
        return _tree_reduce(name, lift(find_recorder([a]), np.asarray(a) != 0), axis, keepdims)

    return handler


def _sum_fn(a, axis=None, dtype=None, out=None, keepdims=False, initial=np._NoValue, where=True):
    if out is not None or where is not True:
        raise UnsupportedFunctionError("np.sum with out= or where=")
    return _sum(lift(find_recorder([a]), a), axis, keepdims, initial=initial)


def _reducer(name):
    def handler(a, axis=None, out=None, keepdims=False, initial=np._NoValue, where=True, **kw):
        if out is not None or where is not True:
            raise UnsupportedFunctionError(f"np.{name} with out= or where=")
        return _tree_reduce(name, lift(find_recorder([a]), a), axis, keepdims, initial)

    return handler


def _cum(name):
    def handler(a, axis=None, dtype=None, out=None):
        return _scan(name, lift(find_recorder([a]), a), axis)

    return handler
