"""Order and index-valued functions on traced arrays.

* ``sort`` is a sorting network (Batcher's odd-even merge sort, any length): each layer
  is one ``minimum`` and one ``maximum`` block over all its comparators along every
  other axis, so values are exact, derivatives those of the permutation taken, the
  global pattern of each output the whole axis, and the local pattern the permutation
  at x (the inactive side of each min / max drops out).
* ``argsort`` runs the same network on (key, index) pairs; ``argmax`` / ``argmin`` are
  the first position equal to the extremum; ``searchsorted`` counts comparisons. Their
  results are traced arrays of integer values with zero derivative (flat operators).
* A traced integer array used as an index (``x[np.argmax(x)]``, ``np.take``,
  ``np.take_along_axis``) selects by comparisons in global mode,
  ``Σ_j where(i == j, x_j, 0)``: exact, and the pattern is the whole axis. In local mode
  the index values are guarded and the index is used as it is.
* Python's ``max(x) min(x) sum(x) sorted(x)`` on a traced array are routed to
  ``np.max np.min np.sum np.sort`` while tracing (the builtins are wrapped like
  ``np.asarray``), so they work in global mode too, without per-element nodes.
* ``nonzero flatnonzero argwhere`` have value-dependent shapes: local mode only.
"""

from __future__ import annotations

import builtins
import functools

import numpy as np

from ..errors import TracerIndexError, UnsupportedFunctionError
from .buffers import tracing
from .reductions import _sum
from .tracer import TracedArray, apply, find_recorder, lift


@functools.lru_cache(maxsize=64)
def network(n: int) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """Layers ``(lo, hi)`` of Batcher's odd-even merge sort for ``n`` keys; the
    comparators of a layer are disjoint and put the smaller key at ``lo``."""
    layers = []
    p = 1
    while p < n:
        k = p
        while k >= 1:
            lo = [
                i + j
                for j in range(k % p, n - k, 2 * k)
                for i in range(min(k, n - j - k))
                if (i + j) // (2 * p) == (i + j + k) // (2 * p)
            ]
            if lo:
                a = np.array(lo, np.int64)
                layers.append((a, a + k))
            k //= 2
        p *= 2
    return tuple(layers)


def _axis_last(x: TracedArray, axis):
    if axis is None:
        return np.ravel(x), -1
    return np.moveaxis(x, axis, -1), axis


def sort(a, axis=-1, kind=None, order=None, **kw):
    if order is not None:
        raise UnsupportedFunctionError("np.sort with order=", "Sort plain float arrays.")
    x = lift(find_recorder([a]), a)
    y, axis = _axis_last(x, axis)
    rec = y.rec
    ids, val = y.ids.copy(), y.val.astype(np.float64)
    for lo, hi in network(y.shape[-1]):
        u = TracedArray(rec, ids[..., lo], val[..., lo])
        v = TracedArray(rec, ids[..., hi], val[..., hi])
        small, large = apply("minimum", u, v), apply("maximum", u, v)
        ids[..., lo], ids[..., hi] = small.ids, large.ids
        val[..., lo], val[..., hi] = small.val, large.val
    out = TracedArray(rec, ids, val)
    return out if axis == -1 else np.moveaxis(out, -1, axis)


def argsort(a, axis=-1, kind=None, order=None, **kw):
    """Indices of a stable sort (ties keep their order, as ``kind="stable"``)."""
    if order is not None:
        raise UnsupportedFunctionError("np.argsort with order=", "Sort plain float arrays.")
    x = lift(find_recorder([a]), a)
    y, axis = _axis_last(x, axis)
    rec = y.rec
    n = y.shape[-1]
    keys = TracedArray(rec, y.ids.copy(), y.val.astype(np.float64))
    idx = lift(rec, np.broadcast_to(np.arange(n, dtype=np.float64), y.shape)).copy()
    for lo, hi in network(n):
        ka, kb = keys[..., lo], keys[..., hi]
        ia, ib = idx[..., lo], idx[..., hi]
        later = apply("logical_and", apply("equal", ka, kb), apply("greater", ia, ib))
        swap = apply("logical_or", apply("greater", ka, kb), later)
        keys[..., lo], keys[..., hi] = apply("minimum", ka, kb), apply("maximum", ka, kb)
        idx[..., lo], idx[..., hi] = apply("where", ib, ia, swap), apply("where", ia, ib, swap)
    return idx if axis == -1 else np.moveaxis(idx, -1, axis)


def _arg_extremum(name):
    def handler(a, axis=None, out=None, *, keepdims=False):
        if out is not None:
            raise UnsupportedFunctionError(f"np.{name} with out=")
        x = lift(find_recorder([a]), a)
        y, ax = _axis_last(x, axis)
        n = y.shape[-1]
        if n == 0:
            raise ValueError(f"attempt to get {name} of an empty sequence")
        ext = (np.max if name == "argmax" else np.min)(y, axis=-1, keepdims=True)
        pos = lift(y.rec, np.broadcast_to(np.arange(n, dtype=np.float64), y.shape))
        hit = apply("equal", y, np.broadcast_to(ext, y.shape))
        cand = apply("where", pos, lift(y.rec, np.full(y.shape, float(n))), hit)
        idx = np.min(cand, axis=-1)
        if keepdims:
            shape = [1] * x.ndim if axis is None else list(x.shape)
            if axis is not None:
                shape[axis] = 1
            idx = np.reshape(idx, tuple(shape))
        return idx

    return handler


def searchsorted(a, v, side="left", sorter=None):
    """Positions that keep ``a`` (sorted) sorted: the count of entries below ``v``."""
    rec = find_recorder([a, v])
    a, v = lift(rec, a), lift(rec, v)
    if a.ndim != 1:
        raise ValueError("object too deep for desired array")
    if sorter is not None:
        a = a[np.asarray(sorter)]
    op = "less" if side == "left" else "less_equal"
    below = apply(op, a, v[..., None]) if v.ndim else apply(op, a, v)
    return _sum(below.astype(np.float64), axis=-1)


# -- traced integer indices -----------------------------------------------------------------


def _normalized(idx: TracedArray, k: int) -> TracedArray:
    bad = (idx.val < -k) | (idx.val >= k)
    if np.any(bad):
        raise IndexError(f"index {int(idx.val[bad].ravel()[0])} is out of bounds for size {k}")
    neg = apply("less", idx, lift(idx.rec, 0.0))
    return apply("where", np.add(idx, float(k)), idx, neg)


def _select(xm: TracedArray, idx: TracedArray) -> TracedArray:
    """``xm[..., idx]`` selected by comparisons: ``xm`` (P + (K,)), ``idx`` with shape
    broadcastable against P + I, result P + I (see ``take`` / ``take_along_axis``)."""
    k = xm.shape[-1]
    idx = _normalized(idx, k)
    j = lift(xm.rec, np.arange(k, dtype=np.float64))
    hit = apply("equal", TracedArray(idx.rec, idx.ids[..., None], idx.val[..., None]), j)
    sel = apply("where", xm, lift(xm.rec, 0.0), hit)
    return _sum(sel, axis=-1)


def _local_index(idx: TracedArray) -> np.ndarray:
    idx.rec.guard(idx.ids, idx.val, "traced integer index")
    return idx.val.astype(np.int64)


def take(a, indices, axis=None, **kw):
    rec = find_recorder([a, indices])
    x = lift(rec, a)
    if not isinstance(indices, TracedArray):
        return TracedArray(
            rec, np.take(x.ids, indices, axis=axis), np.take(x.val, indices, axis=axis)
        )
    if rec.mode == "local":
        return take(x, _local_index(indices), axis=axis)
    if axis is None:
        x, axis = np.ravel(x), 0
    axis = axis % x.ndim
    xm = np.moveaxis(x, axis, -1)  # P + (K,), P = pre + post
    p = xm.ndim - 1
    xb = np.reshape(xm, xm.shape[:-1] + (1,) * indices.ndim + xm.shape[-1:])
    out = _select(xb, indices)  # pre + post + I
    # move the I dims to where numpy puts them: after the pre dims
    src = list(range(p, p + indices.ndim))
    return np.moveaxis(out, src, list(range(axis, axis + indices.ndim)))


def take_along_axis(arr, indices, axis):
    rec = find_recorder([arr, indices])
    x = lift(rec, arr)
    if not isinstance(indices, TracedArray):
        return TracedArray(
            rec, np.take_along_axis(x.ids, indices, axis), np.take_along_axis(x.val, indices, axis)
        )
    if rec.mode == "local":
        return take_along_axis(x, _local_index(indices), axis)
    if axis is None:
        x, axis = np.ravel(x), 0
    xm = np.moveaxis(x, axis, -1)  # Q + (K,)
    im = np.moveaxis(indices, axis, -1)  # Q + (L,)
    xb = np.reshape(xm, xm.shape[:-1] + (1, xm.shape[-1]))  # Q + (1, K)
    return np.moveaxis(_select(xb, im), -1, axis)


def traced_index(x: TracedArray, key):
    """``x[key]`` where ``key`` holds one traced integer array, otherwise ints and slices."""
    parts = key if isinstance(key, tuple) else (key,)
    traced = [i for i, k in enumerate(parts) if isinstance(k, TracedArray)]
    simple = all(isinstance(k, TracedArray | slice | int | np.integer) for k in parts)
    if len(traced) != 1 or not simple:
        raise TracerIndexError(
            "asd: indexing with a traced integer array is supported alone or with integers "
            "and slices (x[i], A[k, i], A[:, i]); use np.take / np.take_along_axis for "
            "other cases, or trace with sparsity='local'."
        )
    p = traced[0]
    idx = parts[p]
    if x.rec.mode == "local":
        return x[tuple(_local_index(idx) if i == p else k for i, k in enumerate(parts))]
    rest = tuple(slice(None) if i == p else k for i, k in enumerate(parts))
    y = x[rest]
    axis = p - sum(isinstance(k, int | np.integer) for k in parts[:p])
    out = take(y, idx, axis=axis)
    probe = tuple(idx.val.astype(np.int64) if i == p else k for i, k in enumerate(parts))
    expected = x.val[probe].shape
    if out.shape != expected:  # numpy moves the index dims first when ints are apart
        out = np.moveaxis(out, list(range(axis, axis + idx.ndim)), list(range(idx.ndim)))
    return out


# -- value-dependent shapes ------------------------------------------------------------------


def _local_only(name):
    def handler(a, *args, **kwargs):
        x = lift(find_recorder([a]), a)
        if x.rec.mode != "local":
            raise TracerIndexError(
                f"asd: np.{name} of a traced value returns indices whose number depends on x, "
                "so no global pattern exists. Use np.where(cond, a, b) to keep the shape, or "
                "trace with sparsity='local' (the result is then guarded)."
            )
        x.rec.guard(x.ids, x.val, f"np.{name}")
        return getattr(np, name)(x.val, *args, **kwargs)

    return handler


# -- Python builtins while tracing -------------------------------------------------------------


def _traced_items(args):
    items = args[0] if len(args) == 1 else args
    if isinstance(items, TracedArray):
        return items if items.ndim == 1 else None
    if isinstance(items, list | tuple) and items and find_recorder(items) is not None:
        if all(np.ndim(i) == 0 for i in items):
            return items
    return None


def _builtin_extremum(orig, reduce):
    def inner(*args, **kwargs):
        if tracing() and kwargs.get("key") is None and args:
            items = _traced_items(args)
            if items is not None:
                kwargs.pop("key", None)
                if len(items) == 0:
                    if "default" in kwargs:
                        return kwargs["default"]
                    return orig(*args, **kwargs)
                if isinstance(items, TracedArray):
                    return reduce.reduce(items, axis=0)
                return functools.reduce(reduce, items)
        return orig(*args, **kwargs)

    inner.__wrapped__ = orig
    return inner


def _builtin_sum(orig):
    def inner(iterable, /, start=0):
        if tracing() and isinstance(iterable, TracedArray) and iterable.ndim and len(iterable):
            total = np.sum(iterable, axis=0)
            return total if isinstance(start, int) and start == 0 else total + start
        return orig(iterable, start)

    inner.__wrapped__ = orig
    return inner


def _builtin_sorted(orig):
    def inner(iterable, /, *, key=None, reverse=False):
        if key is None and isinstance(iterable, TracedArray) and iterable.ndim == 1:
            s = sort(iterable)
            return list(s[::-1] if reverse else s)
        return orig(iterable, key=key, reverse=reverse)

    inner.__wrapped__ = orig
    return inner


def builtin_wrappers() -> dict:
    """The builtins replaced while tracing, by name."""
    return {
        "max": _builtin_extremum(builtins.max, np.maximum),
        "min": _builtin_extremum(builtins.min, np.minimum),
        "sum": _builtin_sum(builtins.sum),
        "sorted": _builtin_sorted(builtins.sorted),
    }


ORDER = {
    np.sort: sort,
    np.argsort: argsort,
    np.argmax: _arg_extremum("argmax"),
    np.argmin: _arg_extremum("argmin"),
    np.searchsorted: searchsorted,
    np.take: take,
    np.take_along_axis: take_along_axis,
    np.nonzero: _local_only("nonzero"),
    np.flatnonzero: _local_only("flatnonzero"),
    np.argwhere: _local_only("argwhere"),
}
