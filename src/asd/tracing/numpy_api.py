"""Numpy ufuncs and functions on traced arrays.

Elementwise ufuncs map to rows of the operator table; sums and means
(``reductions.py``) and matrix products become n-ary ``linear`` nodes; shape
functions act on the id array only. Anything not listed here raises an error
naming the function.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..errors import (
    COMPLEX_HINT,
    InputError,
    TracerBufferError,
    TracerIndexError,
    UnsupportedFunctionError,
)
from . import raw
from .buffers import TraceableBuffer
from .composed import COMPOSED, COMPOSED_UFUNCS
from .contractions import CONTRACTIONS, dot_nd, inner_nd, matmul_nd
from .linalg import LINALG
from .misc import HINTS as _HINTS
from .misc import MISC, function_name
from .misc import UFUNCS as _MISC_UFUNCS
from .order import ORDER
from .recorder import numpy_value
from .reductions import (
    _accumulate_ufunc,
    _any_all,
    _cum,
    _mean,
    _reduce_ufunc,
    _reducer,
    _std,
    _sum,
    _sum_fn,
    _var,
)
from .special import (
    SPECIAL_FUNCTIONS,
    SPECIAL_UFUNC_HANDLERS,
    special_ufunc,
)
from .tracer import TracedArray, apply, find_recorder, lift, linear_combination

#: ufuncs written as compositions (misc.py, composed.py)
UFUNCS = {**_MISC_UFUNCS, **COMPOSED_UFUNCS}

# ---------------------------------------------------------------------------------------
# ufuncs
# ---------------------------------------------------------------------------------------

_UNARY = {
    np.square: "square",
    np.sqrt: "sqrt",
    np.cbrt: "cbrt",
    np.reciprocal: "recip",
    np.exp: "exp",
    np.exp2: "exp2",
    np.expm1: "expm1",
    np.log: "log",
    np.log2: "log2",
    np.log10: "log10",
    np.log1p: "log1p",
    np.sin: "sin",
    np.cos: "cos",
    np.tan: "tan",
    np.arcsin: "arcsin",
    np.arccos: "arccos",
    np.arctan: "arctan",
    np.sinh: "sinh",
    np.cosh: "cosh",
    np.tanh: "tanh",
    np.arcsinh: "arcsinh",
    np.arccosh: "arccosh",
    np.arctanh: "arctanh",
    np.absolute: "abs",
    np.fabs: "abs",
    np.sign: "sign",
    np.floor: "floor",
    np.ceil: "ceil",
    np.trunc: "trunc",
    np.rint: "rint",
    np.isnan: "isnan",
    np.isinf: "isinf",
    np.isfinite: "isfinite",
    np.logical_not: "logical_not",
}

# binary ufuncs whose constant operands simply become const nodes
_BINARY = {
    np.arctan2: "arctan2",
    np.hypot: "hypot",
    np.fmax: "fmax",
    np.fmin: "fmin",
    np.floor_divide: "floor_divide",
    np.remainder: "mod",
    np.greater: "greater",
    np.greater_equal: "greater_equal",
    np.less: "less",
    np.less_equal: "less_equal",
    np.equal: "equal",
    np.not_equal: "not_equal",
    np.logical_and: "logical_and",
    np.logical_or: "logical_or",
    np.logical_xor: "logical_xor",
    np.bitwise_and: "logical_and",
    np.bitwise_or: "logical_or",
    np.bitwise_xor: "logical_xor",
    np.copysign: "copysign",
}


def _const(x) -> np.ndarray:
    arr = np.asarray(x)
    if arr.dtype.kind == "c":
        raise InputError(
            f"asd: a complex constant ({arr.dtype}) met a traced array. " + COMPLEX_HINT
        )
    if arr.dtype.kind not in "biuf":
        raise InputError(f"asd: cannot combine a traced array with a value of dtype {arr.dtype}")
    return arr.astype(np.float64)


def _is_float(*ts: TracedArray) -> bool:
    return all(t.val.dtype == np.float64 for t in ts)


def _affine(x: TracedArray, scale, shift) -> TracedArray:
    scale, shift = np.asarray(scale, np.float64), np.asarray(shift, np.float64)
    if scale.ndim == 0 and _is_float(x):  # stays a pending linear combination
        val = np.asarray(numpy_value("affine", x.val, p=scale, q=shift), np.float64)
        return linear_combination([(float(scale), x)], shift if shift.ndim else float(shift), val)
    if scale.ndim or shift.ndim:
        shape = raw.broadcast_shapes(x.shape, scale.shape, shift.shape)
        x = TracedArray(x.rec, raw.broadcast(x.ids, shape), raw.broadcast(x.val, shape))
    return apply("affine", x, p=scale, q=shift)


def _is_bool(x) -> bool:
    if isinstance(x, TracedArray):
        return x.val.dtype == np.bool_
    return isinstance(x, bool | np.bool_) or getattr(x, "dtype", None) == np.bool_


def _add(a, b, sign=1.0):
    if _is_bool(a) and _is_bool(b):  # numpy: bool + bool is logical or; bool - bool fails
        if sign < 0:
            raise TypeError(
                "numpy boolean subtract, the `-` operator, is not supported, use the "
                "bitwise_xor, the `^` operator, or the logical_xor function instead."
            )
        return _binary("logical_or", a, b)
    ta, tb = isinstance(a, TracedArray), isinstance(b, TracedArray)
    if ta and tb:
        if _is_float(a, b):
            val = np.asarray(numpy_value("add" if sign > 0 else "sub", a.val, b.val), np.float64)
            return linear_combination([(1.0, a), (sign, b)], 0.0, val)
        return apply("add" if sign > 0 else "sub", a, b)
    if ta:
        return _affine(a, 1.0, sign * _const(b))
    return _affine(b, sign, _const(a))


def _multiply(a, b):
    if _is_bool(a) and _is_bool(b):  # numpy: bool * bool is logical and
        return _binary("logical_and", a, b)
    if isinstance(a, TracedArray) and isinstance(b, TracedArray):
        return apply("mul", a, b)
    t, c = (a, b) if isinstance(a, TracedArray) else (b, a)
    return _affine(t, _const(c), 0.0)


def _divide(a, b):
    if isinstance(a, TracedArray) and isinstance(b, TracedArray):
        return apply("div", a, b)
    if isinstance(a, TracedArray):
        return _affine(a, 1.0 / _const(b), 0.0)
    return _with_param("rdiv", b, _const(a))


def _with_param(name, t: TracedArray, p) -> TracedArray:
    p = np.asarray(p, np.float64)
    if p.ndim:
        shape = raw.broadcast_shapes(t.shape, p.shape)
        t = TracedArray(t.rec, raw.broadcast(t.ids, shape), raw.broadcast(t.val, shape))
    return apply(name, t, p=p)


def _power(a, b):
    if isinstance(a, TracedArray) and isinstance(b, TracedArray):
        return apply("pow", a, b)
    if isinstance(b, TracedArray):
        return _with_param("rpow", b, _const(a))
    e = _const(b)
    if e.ndim == 0:
        if e == 0:
            return lift(a.rec, np.ones(a.shape))
        if e == 1:
            return a.copy()
        if e == 2:
            return apply("square", a)
    return _with_param("powc", a, e)


def _extremum(name, a, b):
    if isinstance(a, TracedArray) and isinstance(b, TracedArray):
        return apply(name, a, b)
    t, c = (a, b) if isinstance(a, TracedArray) else (b, a)
    return _with_param("maxc" if name == "maximum" else "minc", t, _const(c))


def _binary(name, a, b):
    rec = find_recorder([a, b])
    return apply(name, lift(rec, a), lift(rec, b))


def _call_ufunc(ufunc, inputs, kwargs):
    if ufunc is np.add:
        return _add(*inputs)
    if ufunc is np.subtract:
        return _add(*inputs, sign=-1.0)
    if ufunc is np.multiply:
        return _multiply(*inputs)
    if ufunc is np.true_divide:
        return _divide(*inputs)
    if ufunc is np.power or ufunc is np.float_power:
        return _power(*inputs)
    if ufunc is np.maximum or ufunc is np.minimum:
        return _extremum(ufunc.__name__, *inputs)
    if ufunc is np.negative:
        return _affine(inputs[0], -1.0, 0.0)
    if ufunc is np.positive or ufunc is np.conjugate:
        return inputs[0].copy()
    if ufunc is np.deg2rad or ufunc is np.radians:
        return _affine(inputs[0], np.pi / 180.0, 0.0)
    if ufunc is np.rad2deg or ufunc is np.degrees:
        return _affine(inputs[0], 180.0 / np.pi, 0.0)
    if ufunc is np.matmul:
        return matmul(*inputs)
    if ufunc in _UNARY:
        return apply(_UNARY[ufunc], inputs[0])
    if ufunc in _BINARY:
        return _binary(_BINARY[ufunc], *inputs)
    if ufunc in UFUNCS:
        return UFUNCS[ufunc](*inputs, **kwargs)
    if ufunc in SPECIAL_UFUNC_HANDLERS:
        return SPECIAL_UFUNC_HANDLERS[ufunc](*inputs)
    special = special_ufunc(ufunc)
    if special is not None:
        kind, rule = special
        if kind == "unary":
            return apply(rule, inputs[0])
        return _binary(rule, *inputs) if kind == "binary" else rule(*inputs)
    raise UnsupportedFunctionError(function_name(ufunc), _HINTS.get(ufunc.__name__, ""))


def dispatch_ufunc(ufunc, method, inputs, kwargs):
    """Entry point of ``TracedArray.__array_ufunc__``."""
    out = kwargs.pop("out", None)
    if method == "__call__":
        extra = {k: v for k, v in kwargs.items() if v is not None and k not in ("casting",)}
        extra.pop("dtype", None) if extra.get("dtype") in (float, np.float64) else None
        if extra:
            raise UnsupportedFunctionError(
                f"np.{ufunc.__name__} with {sorted(extra)}", "Drop those keyword arguments."
            )
        result = _call_ufunc(ufunc, inputs, kwargs)
    elif method == "reduce":
        result = _reduce_ufunc(ufunc, inputs[0], **kwargs)
    elif method == "accumulate":
        result = _accumulate_ufunc(ufunc, inputs[0], **kwargs)
    elif method == "at":
        return _ufunc_at(ufunc, *inputs)
    else:
        raise UnsupportedFunctionError(f"{function_name(ufunc)}.{method}")
    if out is not None:
        target = out[0] if isinstance(out, tuple) else out
        if isinstance(target, TraceableBuffer):  # np.add(t, 1, out=F) with F = np.zeros(n)
            target[...] = result
            return target
        if not isinstance(target, TracedArray):
            raise TracerBufferError()
        target._assign(..., result)
        return target
    return result


def _ufunc_at(ufunc, target, indices, values=None):
    """``np.add.at`` / ``np.subtract.at``: one linear node per touched position."""
    if ufunc not in (np.add, np.subtract):
        return _ufunc_at_rounds(ufunc, target, indices, values)
    if not isinstance(target, TracedArray):
        raise TracerBufferError()
    rec = target.rec
    pos = np.arange(target.size).reshape(target.shape)[indices]
    v = lift(rec, values)
    np.broadcast_shapes(v.shape, pos.shape)  # numpy's shape check, also when empty
    if pos.size == 0:  # an empty selection: nothing to add
        return None
    vids = np.broadcast_to(v.ids, pos.shape).ravel()
    vval = np.broadcast_to(v.val, pos.shape).ravel()
    pos = pos.ravel()
    flat_ids = target.ids.reshape(-1)
    sign = 1.0 if ufunc is np.add else -1.0
    touched, inverse = np.unique(pos, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    counts = np.bincount(inverse, minlength=touched.size)
    # terms: the old value, then the scattered values, per touched position
    idx = np.empty(touched.size + pos.size, np.int64)
    w = np.empty(idx.size)
    starts = np.concatenate(([0], np.cumsum(counts + 1)[:-1]))
    idx[starts] = flat_ids[touched]
    w[starts] = 1.0
    mask = np.ones(idx.size, bool)
    mask[starts] = False
    idx[mask] = vids[order]
    w[mask] = sign
    new = rec.emit_linear(counts + 1, idx, w)
    new_val = target.val.reshape(-1).astype(np.float64)
    np.add.at(new_val, pos, sign * vval)
    flat_ids_w = target.ids.reshape(-1)
    if not np.shares_memory(flat_ids_w, target.ids):
        raise InputError("asd: np.add.at needs a contiguous traced target array")
    flat_ids_w[touched] = new
    if target.val.dtype != np.float64:
        target.val = target.val.astype(np.float64)
    target.val.reshape(-1)[:] = new_val
    return None


def _ufunc_at_rounds(ufunc, target, indices, values=None):
    """``ufunc.at`` for any traced ufunc (``np.multiply.at``, ``np.maximum.at``,
    ``np.negative.at``, ...): unbuffered, so a position listed k times is updated k times
    in order; round r applies the r-th occurrence of every position as one block."""
    if not isinstance(target, TracedArray):
        raise TracerBufferError()
    rec = target.rec
    pos = np.arange(target.size).reshape(target.shape)[indices]
    pos = np.asarray(pos)
    if ufunc.nin == 2 and values is None:
        raise TypeError(f"second operand needed for ufunc {ufunc.__name__}")
    v = lift(rec, values) if values is not None else None
    if v is not None:
        np.broadcast_shapes(v.shape, pos.shape)
    if pos.size == 0:
        return None
    pos = pos.ravel()
    if v is not None:
        v_full = TracedArray(
            rec, np.broadcast_to(v.ids, pos.shape).copy(), np.broadcast_to(v.val, pos.shape).copy()
        )
    flat = np.ravel(target)
    if not np.shares_memory(flat.ids, target.ids) or not np.shares_memory(flat.val, target.val):
        raise InputError(f"asd: np.{ufunc.__name__}.at needs a contiguous traced target array")
    order = np.argsort(pos, kind="stable")
    sorted_pos = pos[order]
    first = np.searchsorted(sorted_pos, sorted_pos, side="left")
    occurrence = np.empty(pos.size, np.int64)
    occurrence[order] = np.arange(pos.size) - first
    for r in range(int(occurrence.max()) + 1):
        sel = np.nonzero(occurrence == r)[0]
        where_ = pos[sel]
        cur = flat[where_]
        new = ufunc(cur) if v is None else ufunc(cur, v_full[sel])
        flat[where_] = new
    return None


# ---------------------------------------------------------------------------------------
# products (reductions and scans live in reductions.py)
# ---------------------------------------------------------------------------------------


def _const_matmul(A, x: TracedArray) -> TracedArray:
    """Constant (dense or scipy.sparse) 2-D matrix times traced 1-D or 2-D array."""
    rec = x.rec
    vec = x.ndim == 1
    X = x.ids[:, None] if vec else x.ids
    XV = x.val[:, None] if vec else x.val
    if type(A) is not sp.csr_array:  # a user's CSR arrays are shared: never edit them
        A = sp.csr_array(A)
    if A.dtype.kind not in "biuf":
        _const(np.zeros(0, A.dtype))  # the same error as for a dense constant
    if not A.has_canonical_format or not A.data.all():
        A = A.copy()
        A.sum_duplicates()
        A.eliminate_zeros()
    m, k = A.shape
    if X.shape[0] != k:
        raise ValueError(f"matmul: dimension mismatch, ({m},{k}) @ {x.shape}")
    p = X.shape[1]
    counts = A.indptr[1:] - A.indptr[:-1]
    if vec:  # the terms of row i are entries indptr[i]:indptr[i+1], in order
        w = A.data.astype(np.float64)
        new = rec.emit_linear(counts, x.ids[A.indices], w)
        rows = np.repeat(np.arange(m), counts)
        value = np.bincount(rows, w * x.val[A.indices], minlength=m)  # row sums in order
        return TracedArray(rec, new, value)
    out_counts = np.repeat(counts, p)
    total = int(out_counts.sum())
    ends = np.cumsum(out_counts)
    term_start = np.repeat(np.repeat(A.indptr[:-1], p), out_counts)
    t = term_start + np.arange(total) - np.repeat(ends - out_counts, out_counts)
    col = np.repeat(np.tile(np.arange(p), m), out_counts)
    idx = X[A.indices[t], col]
    new = rec.emit_linear(out_counts, idx, A.data[t].astype(np.float64))
    value = np.asarray(A @ XV.astype(np.float64))
    shape = (m,) if vec else (m, p)
    return TracedArray(rec, new.reshape(shape), value.reshape(shape))


def matmul(a, b):
    """``a @ b`` for 1-D and 2-D operands, at least one traced."""
    ta, tb = isinstance(a, TracedArray), isinstance(b, TracedArray)
    if not sp.issparse(a) and not ta:
        a = _const(a)
    if not sp.issparse(b) and not tb:
        b = _const(b)
    for o in (a, b):
        if o.ndim == 0:
            raise ValueError("matmul: Input operand does not have enough dimensions")
        if o.ndim > 2:
            return matmul_nd(a, b)
    if ta and tb:
        return _traced_matmul(a, b)
    if tb:
        if a.ndim == 1:
            return _const_matmul(_row(a), b)[0]
        return _const_matmul(a, b)
    # traced @ constant = (constant.T @ traced.T).T
    if b.ndim == 1:
        return _const_matmul(_row(b), a if a.ndim == 1 else a.T)[0]
    if a.ndim == 1:
        return _const_matmul(b.T, a)
    return _const_matmul(b.T, a.T).T


def _row(v):
    """A 1-D constant vector as a 1 x k matrix."""
    return sp.csr_array(v.reshape(1, -1)) if sp.issparse(v) else v[None, :]


def _traced_matmul(a: TracedArray, b: TracedArray) -> TracedArray:
    va, vb = a.ndim == 1, b.ndim == 1
    A = a[None, :] if va else a
    B = b[:, None] if vb else b
    if A.shape[1] != B.shape[0]:
        raise ValueError(f"matmul: dimension mismatch {a.shape} @ {b.shape}")
    prod = apply("mul", A[:, :, None], B[None, :, :])  # (m, k, p)
    out = _sum(np.moveaxis(prod, 1, 2), axis=2)
    if va:
        out = out[0]
    if vb:
        out = out[..., 0]
    return out


def dot(a, b):
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return np.multiply(a, b)
    if np.ndim(a) <= 2 and np.ndim(b) <= 2:
        return matmul(a, b)
    return dot_nd(a, b)


def inner(a, b):
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return np.multiply(a, b)
    if np.ndim(a) > 2 or np.ndim(b) > 2:
        return inner_nd(a, b)
    if np.ndim(b) == 1:
        return matmul(a, b)
    return matmul(a, np.transpose(b))


def outer(a, b, out=None):
    return np.multiply(np.ravel(a)[:, None], np.ravel(b)[None, :])


# ---------------------------------------------------------------------------------------
# selection
# ---------------------------------------------------------------------------------------


def where(cond, a=None, b=None):
    if a is None and b is None:
        return nonzero(cond)
    rec = find_recorder([cond, a, b])
    ta, tb = lift(rec, a), lift(rec, b)
    if not isinstance(cond, TracedArray):
        c = np.asarray(cond).astype(bool)
        ids = np.where(c, ta.ids, tb.ids)
        val = np.where(c, ta.val, tb.val)
        return TracedArray(rec, ids, val)
    return apply("where", ta, tb, cond)


def nonzero(x):
    x = lift(find_recorder([x]), x)
    if x.rec.mode != "local":
        raise TracerIndexError(
            "asd: np.nonzero / np.where(cond) / np.argwhere of a traced value returns "
            "indices that depend on x, so no global pattern exists. Use np.where(cond, a, b) "
            "or trace with sparsity='local'."
        )
    x.rec.guard(x.ids, x.val, "np.nonzero")
    return np.nonzero(x.val)


def clip(x, a_min=None, a_max=None, out=None, **kw):
    if a_min is None and "min" in kw:
        a_min = kw.pop("min")
    if a_max is None and "max" in kw:
        a_max = kw.pop("max")
    r = x
    if a_min is not None:
        r = np.maximum(r, a_min)
    if a_max is not None:
        r = np.minimum(r, a_max)
    if out is not None:
        out._assign(..., r)
        return out
    return r


def round_(x, decimals=0, out=None):
    if decimals == 0:
        return np.rint(x)
    scale = 10.0**decimals
    return apply("div", np.rint(np.multiply(x, scale)), lift(x.rec, scale))


# ---------------------------------------------------------------------------------------
# shape functions: the same numpy function applied to ids and values
# ---------------------------------------------------------------------------------------


def _structural(func):
    def handler(x, *args, **kwargs):
        x = lift(find_recorder([x]), x)
        return TracedArray(x.rec, func(x.ids, *args, **kwargs), func(x.val, *args, **kwargs))

    return handler


def broadcast_arrays(*args, subok=False):
    """``np.broadcast_arrays``: every argument broadcast to the common shape."""
    rec = find_recorder(list(args))
    parts = [lift(rec, a) for a in args]
    shape = np.broadcast_shapes(*(p.shape for p in parts))
    return tuple(np.broadcast_to(p, shape) for p in parts)


def _joining(func):
    def handler(arrays, *args, **kwargs):
        rec = find_recorder(list(arrays))
        parts = [lift(rec, a) for a in arrays]
        vals = [p.val.astype(np.float64) for p in parts]
        if all(p.val.dtype == np.bool_ for p in parts):
            vals = [p.val for p in parts]
        return TracedArray(
            rec, func([p.ids for p in parts], *args, **kwargs), func(vals, *args, **kwargs)
        )

    return handler


def _splitting(func):
    def handler(x, *args, **kwargs):
        ids = func(x.ids, *args, **kwargs)
        vals = func(x.val, *args, **kwargs)
        return [TracedArray(x.rec, i, v) for i, v in zip(ids, vals)]

    return handler


def concatenate(arrays, axis=0, **kw):
    return _joining(np.concatenate)(arrays, axis=axis, **kw)


def _pad(x, pad_width, mode="constant", **kwargs):
    x = lift(find_recorder([x]), x)
    if mode == "constant":
        cv = kwargs.pop("constant_values", 0.0)
        cvals = np.asarray(cv, np.float64)
        if cvals.ndim:
            raise UnsupportedFunctionError("np.pad with per-axis constant_values")
        node = x.rec.const(cvals)
        ids = np.pad(x.ids, pad_width, mode="constant", constant_values=int(node))
        val = np.pad(x.val.astype(np.float64), pad_width, mode="constant", constant_values=cvals)
        return TracedArray(x.rec, ids, val)
    if mode in ("wrap", "edge", "reflect", "symmetric"):
        return TracedArray(
            x.rec, np.pad(x.ids, pad_width, mode=mode), np.pad(x.val, pad_width, mode=mode)
        )
    raise UnsupportedFunctionError(f"np.pad with mode={mode!r}")


def _constant_like(a, value, shape=None):
    rec = find_recorder([a])
    shape = a.shape if shape is None else shape
    value = np.asarray(value)
    if isinstance(value.item(0) if value.size else 0.0, TracedArray):
        raise InputError("asd: fill value must be a constant")
    ids = np.array(np.broadcast_to(rec.const(value.astype(np.float64)), shape))
    return TracedArray(rec, ids, np.array(np.broadcast_to(value.astype(np.float64), shape)))


def zeros_like(a, dtype=None, order="K", subok=True, shape=None, **kw):
    return _constant_like(a, 0.0, shape)


def ones_like(a, dtype=None, order="K", subok=True, shape=None, **kw):
    return _constant_like(a, 1.0, shape)


def full_like(a, fill_value, dtype=None, order="K", subok=True, shape=None, **kw):
    if isinstance(fill_value, TracedArray):
        return np.broadcast_to(fill_value, a.shape if shape is None else shape).copy()
    return _constant_like(a, fill_value, shape)


def _created(fill):
    """np.zeros(shape, like=x) and friends: a traced buffer of constants."""

    def handler(shape, *args, like=None, **kwargs):
        t = like
        shape = (shape,) if np.ndim(shape) == 0 else tuple(shape)
        value = args[0] if fill is None else fill
        return _constant_like(t, value, shape)

    return handler


def _array_like(obj, *args, like=None, **kwargs):
    rec = find_recorder([like, obj])
    return lift(rec, obj).copy()


def _take(a, indices, axis=None, **kw):
    a = lift(find_recorder([a]), a)
    if isinstance(indices, TracedArray):
        raise TracerIndexError("asd: np.take with traced indices is not supported")
    return TracedArray(
        a.rec, np.take(a.ids, indices, axis=axis), np.take(a.val, indices, axis=axis)
    )


def _diff(a, n=1, axis=-1, prepend=np._NoValue, append=np._NoValue):
    a = lift(find_recorder([a, prepend, append]), a)
    parts = []
    if prepend is not np._NoValue:
        p = np.asarray(prepend) if not isinstance(prepend, TracedArray) else prepend
        shape = list(a.shape)
        shape[axis] = 1
        parts.append(np.broadcast_to(p, shape) if np.ndim(p) == 0 else p)
    parts.append(a)
    if append is not np._NoValue:
        p = np.asarray(append) if not isinstance(append, TracedArray) else append
        shape = list(a.shape)
        shape[axis] = 1
        parts.append(np.broadcast_to(p, shape) if np.ndim(p) == 0 else p)
    if len(parts) > 1:
        a = concatenate(parts, axis=axis)
    for _ in range(n):
        hi = np.take(a, np.arange(1, a.shape[axis]), axis=axis)
        lo = np.take(a, np.arange(0, a.shape[axis] - 1), axis=axis)
        a = apply("sub", hi, lo)
    return a


def _shape(a):
    return np.shape(a.ids if isinstance(a, TracedArray) else a)


def _traced_trace(a, offset=0, axis1=0, axis2=1):
    return np.sum(np.diagonal(a, offset, axis1, axis2), axis=-1)


def _triangle(func):
    def handler(m, k=0):
        m = lift(find_recorder([m]), m)
        mask = func(np.ones(m.shape[-2:], bool), k)
        return where(mask, m, 0.0)

    return handler


HANDLED = {
    # shape
    np.reshape: _structural(np.reshape),
    np.ravel: _structural(np.ravel),
    np.transpose: _structural(np.transpose),
    np.swapaxes: _structural(np.swapaxes),
    np.moveaxis: _structural(np.moveaxis),
    np.squeeze: _structural(np.squeeze),
    np.expand_dims: _structural(np.expand_dims),
    np.broadcast_to: _structural(np.broadcast_to),
    np.broadcast_arrays: broadcast_arrays,
    np.flip: _structural(np.flip),
    np.fliplr: _structural(np.fliplr),
    np.flipud: _structural(np.flipud),
    np.roll: _structural(np.roll),
    np.rot90: _structural(np.rot90),
    np.tile: _structural(np.tile),
    np.repeat: _structural(np.repeat),
    np.atleast_1d: _structural(np.atleast_1d),
    np.atleast_2d: _structural(np.atleast_2d),
    np.atleast_3d: _structural(np.atleast_3d),
    np.diagonal: _structural(np.diagonal),
    np.copy: _structural(np.copy),
    np.take_along_axis: _structural(np.take_along_axis),
    np.take: _take,
    np.pad: _pad,
    np.concatenate: concatenate,
    np.stack: _joining(np.stack),
    np.hstack: _joining(np.hstack),
    np.vstack: _joining(np.vstack),
    np.dstack: _joining(np.dstack),
    np.column_stack: _joining(np.column_stack),
    np.vstack if hasattr(np, "row_stack") else np.vstack: _joining(np.vstack),
    np.split: _splitting(np.split),
    np.array_split: _splitting(np.array_split),
    np.hsplit: _splitting(np.hsplit),
    np.vsplit: _splitting(np.vsplit),
    np.shape: _shape,
    np.ndim: lambda a: a.ndim,
    np.size: lambda a, axis=None: a.size if axis is None else a.shape[axis],
    np.tril: _triangle(np.tril),
    np.triu: _triangle(np.triu),
    # creation
    np.zeros_like: zeros_like,
    np.ones_like: ones_like,
    np.empty_like: zeros_like,
    np.full_like: full_like,
    np.zeros: _created(0.0),
    np.ones: _created(1.0),
    np.empty: _created(0.0),
    np.full: _created(None),
    np.array: _array_like,
    np.asarray: _array_like,
    np.asanyarray: _array_like,
    np.ascontiguousarray: _structural(np.ascontiguousarray),
    # reductions
    np.sum: _sum_fn,
    np.mean: _mean,
    np.var: _var,
    np.std: _std,
    np.prod: _reducer("mul"),
    np.max: _reducer("maximum"),
    np.amax: _reducer("maximum"),
    np.min: _reducer("minimum"),
    np.amin: _reducer("minimum"),
    np.any: _any_all("logical_or"),
    np.all: _any_all("logical_and"),
    np.cumsum: _cum("add"),
    np.cumprod: _cum("mul"),
    np.diff: _diff,
    np.trace: _traced_trace,
    # products
    np.dot: dot,
    np.inner: inner,
    np.outer: outer,
    np.matmul: matmul,
    # selection
    np.where: where,
    np.nonzero: nonzero,
    np.clip: clip,
    np.round: round_,
    np.around: round_,
}


HANDLED.update(CONTRACTIONS)
HANDLED.update(ORDER)
HANDLED.update(MISC)
HANDLED.update(COMPOSED)
HANDLED.update(LINALG)
HANDLED.update(SPECIAL_FUNCTIONS)


def dispatch_function(func, args, kwargs):
    """Entry point of ``TracedArray.__array_function__``."""
    handler = HANDLED.get(func)
    if handler is None:
        name = getattr(func, "__name__", str(func))
        raise UnsupportedFunctionError(function_name(func), _HINTS.get(name, ""))
    return handler(*args, **kwargs)
