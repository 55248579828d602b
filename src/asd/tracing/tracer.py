"""TracedArray: runs unmodified numpy code and records it on a tape.

A traced array holds an integer array of node ids with the user-visible shape and
the primal values at the traced point. Numpy dispatches ufuncs and functions to it
through ``__array_ufunc__`` / ``__array_function__``; shape operations act on the id
array directly, arithmetic appends one vectorised block of nodes per call. Sums,
differences and constant scalings are the exception: they stay a pending linear
combination (``PendingLinear``) until an operation needs node ids, then become one
linear node per element.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable

import numpy as np

from ..counters import count
from ..errors import (
    COMPLEX_HINT,
    InputError,
    TracerBoolError,
    TracerBufferError,
    TracerConversionError,
    TracerIndexError,
    UnsupportedAttributeError,
    array_conversion_error,
    caller_name,
)
from ..operators.table import MASK_OPS
from ..tape import Tape
from . import raw
from .params import ParamSpec
from .recorder import Recorder, numpy_value

MODES = ("global", "local")


class TracedArray:
    """An array whose elements are nodes of a tape being recorded."""

    __slots__ = ("rec", "_ids", "val", "_lin")
    __array_priority__ = 1000
    __hash__ = None  # type: ignore[assignment]

    def __new__(cls, rec: Recorder, ids: np.ndarray | None, val: np.ndarray, lin=None):
        # 0-d results are not sequences, so numpy's ``buf[i] = t`` calls ``float(t)``
        # and reports our error instead of a bare "setting an array element" one.
        if cls is TracedArray and raw.ndim(val if ids is None else ids) > 0:
            cls = TracedNdArray
        return object.__new__(cls)

    def __init__(self, rec: Recorder, ids: np.ndarray | None, val: np.ndarray, lin=None):
        self.rec = rec
        self._ids = ids
        self.val = val
        self._lin = lin

    @property
    def ids(self) -> np.ndarray:
        """Node ids; a pending linear combination is recorded on first use."""
        if self._ids is None:
            self._ids = self._lin.record(self.rec, self.val.shape)
            self._lin = None
        return self._ids

    @ids.setter
    def ids(self, ids: np.ndarray) -> None:
        self._ids = ids

    # -- array attributes ------------------------------------------------------
    shape = property(lambda self: self.val.shape)
    ndim = property(lambda self: self.val.ndim)
    size = property(lambda self: self.val.size)
    dtype = property(lambda self: self.val.dtype)
    T = property(lambda self: self.transpose())

    def __repr__(self) -> str:
        return f"TracedArray(shape={self.shape}, dtype={self.dtype}, mode={self.rec.mode!r})"

    # -- numpy protocols ---------------------------------------------------------
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        from .numpy_api import dispatch_ufunc

        if any(type(i) is TraceableBuffer for i in inputs):
            inputs = unwrap(inputs)
        return dispatch_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        from .numpy_api import dispatch_function

        if TraceableBuffer in types:
            args, kwargs = unwrap(args), {k: unwrap(v) for k, v in kwargs.items()}
        return dispatch_function(func, args, kwargs)

    def __array__(self, dtype=None, copy=None):
        # A 0-d object array makes scipy.sparse's ``A @ t`` return NotImplemented, so
        # that ``t.__rmatmul__`` runs. Any request for numbers is a lost dependency, and
        # so is an object array anywhere else: numpy would go on with one opaque element
        # and fail far away (``asarray(t)[1:]``: "too many indices").
        if dtype is not None and np.dtype(dtype) != object:
            raise TracerBufferError()
        frame = sys._getframe(1)  # the Python code that asked numpy for the conversion
        if not frame.f_globals.get("__name__", "").startswith("scipy.sparse"):
            raise array_conversion_error(caller_name(frame))
        out = np.empty((), dtype=object)
        out[()] = self
        return out

    def __getattr__(self, name):
        # only reached for attributes a TracedArray lacks (``.flags``, ``.strides``, ...)
        if name.startswith("__") or name in TracedArray.__slots__:
            raise AttributeError(name)
        raise UnsupportedAttributeError(name, caller_name(sys._getframe(1)))

    # -- conversions that would lose the dependency on x ------------------------------
    def __float__(self):
        raise TracerConversionError("float() or a math-module function")

    def __int__(self):
        raise TracerConversionError("int()")

    def __index__(self):
        raise TracerIndexError(
            "asd: a traced value was used as a Python integer (an index into a list or a "
            "constant array, range(), ...). Traced indices (np.argmax(x), ...) work on "
            "traced arrays: x[i], np.take(x, i), np.take_along_axis(x, i, axis); for a "
            "constant array c write np.take_along_axis(c, i, 0) or select with np.where."
        )

    def __complex__(self):
        raise TracerConversionError("complex()")

    def item(self, *args):
        raise TracerConversionError(".item()")

    def tolist(self):
        raise TracerConversionError(".tolist()")

    def __bool__(self) -> bool:
        if self.ids.size != 1:
            raise ValueError(
                "The truth value of a traced array with more than one element is "
                "ambiguous. Use a.any() or a.all()"
            )
        if self.rec.mode != "local":
            if self.rec.paths is None:
                raise TracerBoolError("a branch on a traced value outside the traced call")
            return self.rec.paths.decide(self)  # every side is traced (paths.py)
        self.rec.guard(self.ids, self.val, "bool()")
        return bool(self.val.ravel()[0])

    # -- indexing (the sequence protocol lives on TracedNdArray) -----------------------
    def _index(self, key) -> TracedArray:
        if self.rec.mode != "local" and _has_traced_integers(key):
            from .order import traced_index  # selection by comparisons (global mode)

            return traced_index(self, key)
        key = _static_key(self.rec, key)
        return TracedArray(self.rec, self.ids[key], self.val[key])

    def _assign(self, key, value) -> None:
        key = _static_key(self.rec, key)
        v = lift(self.rec, value)
        self.ids[key] = v.ids
        if self.val.dtype == np.bool_ and v.val.dtype != np.bool_:
            self.val = self.val.astype(np.float64)
        self.val[key] = v.val

    # -- methods numpy arrays have ----------------------------------------------------
    def reshape(self, *shape, order="C"):
        return np.reshape(self, shape[0] if len(shape) == 1 else shape, order=order)

    def ravel(self, order="C"):
        return np.ravel(self, order=order)

    def flatten(self, order="C"):
        return np.ravel(self, order=order).copy()

    def transpose(self, *axes):
        if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], tuple | list)):
            axes = axes[0]
        return np.transpose(self, axes or None)

    def swapaxes(self, a1, a2):
        return np.swapaxes(self, a1, a2)

    def squeeze(self, axis=None):
        return np.squeeze(self, axis)

    def copy(self, order="C"):
        return TracedArray(self.rec, self.ids.copy(), self.val.copy())

    def astype(self, dtype, copy=True, **kwargs):
        dt = np.dtype(dtype)
        if dt.kind == "f":
            return TracedArray(self.rec, self.ids.copy(), self.val.astype(np.float64))
        if dt.kind == "b" and self.val.dtype == np.bool_:
            return self.copy()
        raise TracerConversionError(
            f"astype({dt}); only float dtypes are traceable (use np.floor / np.trunc "
            "/ np.rint for rounding, which keep the array traced)"
        )

    def sum(self, axis=None, **kw):
        return np.sum(self, axis=axis, **kw)

    def mean(self, axis=None, **kw):
        return np.mean(self, axis=axis, **kw)

    def prod(self, axis=None, **kw):
        return np.prod(self, axis=axis, **kw)

    def max(self, axis=None, **kw):
        return np.max(self, axis=axis, **kw)

    def min(self, axis=None, **kw):
        return np.min(self, axis=axis, **kw)

    def var(self, axis=None, **kw):
        return np.var(self, axis=axis, **kw)

    def std(self, axis=None, **kw):
        return np.std(self, axis=axis, **kw)

    def argmax(self, axis=None, **kw):
        return np.argmax(self, axis=axis, **kw)

    def argmin(self, axis=None, **kw):
        return np.argmin(self, axis=axis, **kw)

    def argsort(self, axis=-1, **kw):
        return np.argsort(self, axis=axis, **kw)

    def sort(self, axis=-1, **kw):  # in place, like numpy
        self._assign(..., np.sort(self, axis=axis, **kw))

    def searchsorted(self, v, side="left", sorter=None):
        return np.searchsorted(self, v, side=side, sorter=sorter)

    def nonzero(self):
        return np.nonzero(self)

    def trace(self, offset=0, axis1=0, axis2=1, **kw):
        return np.trace(self, offset, axis1, axis2, **kw)

    def diagonal(self, offset=0, axis1=0, axis2=1):
        return np.diagonal(self, offset, axis1, axis2)

    def any(self, axis=None, **kw):
        return np.any(self, axis=axis, **kw)

    def all(self, axis=None, **kw):
        return np.all(self, axis=axis, **kw)

    def cumsum(self, axis=None):
        return np.cumsum(self, axis=axis)

    def cumprod(self, axis=None):
        return np.cumprod(self, axis=axis)

    def dot(self, other):
        return np.dot(self, other)

    def take(self, indices, axis=None):
        return np.take(self, indices, axis=axis)

    def clip(self, a_min=None, a_max=None, **kw):
        return np.clip(self, a_min, a_max, **kw)

    def round(self, decimals=0):
        return np.round(self, decimals)

    def __round__(self, ndigits=None):  # round(t): like np.round (zero derivative)
        return np.round(self, ndigits or 0)

    flat = property(lambda self: np.ravel(self))  # x.flat[i] reads and writes, contiguous x

    def conj(self):
        return self

    conjugate = conj
    real = property(lambda self: self)

    # -- operators --------------------------------------------------------------------
    def __add__(self, o):
        return np.add(self, o)

    def __radd__(self, o):
        return np.add(o, self)

    def __sub__(self, o):
        return np.subtract(self, o)

    def __rsub__(self, o):
        return np.subtract(o, self)

    def __mul__(self, o):
        return np.multiply(self, o)

    def __rmul__(self, o):
        return np.multiply(o, self)

    def __truediv__(self, o):
        return np.true_divide(self, o)

    def __rtruediv__(self, o):
        return np.true_divide(o, self)

    def __floordiv__(self, o):
        return np.floor_divide(self, o)

    def __rfloordiv__(self, o):
        return np.floor_divide(o, self)

    def __mod__(self, o):
        return np.remainder(self, o)

    def __rmod__(self, o):
        return np.remainder(o, self)

    def __pow__(self, o):
        return np.power(self, o)

    def __rpow__(self, o):
        return np.power(o, self)

    def __matmul__(self, o):
        return np.matmul(self, o)

    def __rmatmul__(self, o):
        return np.matmul(o, self)

    def __neg__(self):
        return np.negative(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return np.absolute(self)

    def __lt__(self, o):
        return np.less(self, o)

    def __le__(self, o):
        return np.less_equal(self, o)

    def __gt__(self, o):
        return np.greater(self, o)

    def __ge__(self, o):
        return np.greater_equal(self, o)

    def __eq__(self, o):  # type: ignore[override]
        return np.equal(self, o)

    def __ne__(self, o):  # type: ignore[override]
        return np.not_equal(self, o)

    def __and__(self, o):
        return np.logical_and(self, o)

    def __rand__(self, o):
        return np.logical_and(o, self)

    def __or__(self, o):
        return np.logical_or(self, o)

    def __ror__(self, o):
        return np.logical_or(o, self)

    def __xor__(self, o):
        return np.logical_xor(self, o)

    def __invert__(self):
        return np.logical_not(self)

    # -- in-place operators: update this array (and every view sharing its buffers) ----
    def _inplace(self, ufunc, o):
        result = ufunc(self, o)
        if self.ndim == 0:  # numpy's 0-d results are immutable scalars: rebind
            return result
        if result.shape != self.shape:
            raise ValueError(
                f"non-broadcastable output operand with shape {self.shape} doesn't match "
                f"the broadcast shape {result.shape}"
            )
        if self.val.dtype == np.bool_ and result.val.dtype != np.bool_:
            raise TypeError(
                f"Cannot cast ufunc '{ufunc.__name__}' output from dtype('float64') to "
                "dtype('bool') with casting rule 'same_kind'"
            )
        self._assign(..., result)
        return self

    def __iadd__(self, o):
        return self._inplace(np.add, o)

    def __isub__(self, o):
        return self._inplace(np.subtract, o)

    def __imul__(self, o):
        return self._inplace(np.multiply, o)

    def __itruediv__(self, o):
        return self._inplace(np.true_divide, o)

    def __ifloordiv__(self, o):
        return self._inplace(np.floor_divide, o)

    def __imod__(self, o):
        return self._inplace(np.remainder, o)

    def __ipow__(self, o):
        return self._inplace(np.power, o)

    def __imatmul__(self, o):
        return self._inplace(np.matmul, o)

    def __iand__(self, o):
        return self._inplace(np.logical_and, o)

    def __ior__(self, o):
        return self._inplace(np.logical_or, o)

    def __ixor__(self, o):
        return self._inplace(np.logical_xor, o)


class TracedNdArray(TracedArray):
    """A traced array with at least one dimension: indexable and iterable."""

    __slots__ = ()

    def __getitem__(self, key):
        return self._index(key)

    def __setitem__(self, key, value):
        self._assign(key, value)

    def __len__(self) -> int:
        return self.shape[0]

    def __iter__(self):
        for i in range(self.shape[0]):
            yield self._index(i)


# -- helpers shared with the numpy layer -----------------------------------------------


def lift_float(*arrays) -> list[TracedArray]:
    """The arguments as float64 traced arrays of one trace (constants lifted)."""
    rec = find_recorder(list(arrays))
    out = []
    for a in arrays:
        t = lift(rec, a)
        out.append(t.astype(np.float64) if t.val.dtype != np.float64 else t)
    return out


def lift_matrix(a) -> TracedArray:
    """``a`` as a float64 traced stack of matrices (numpy's LinAlgError below two axes)."""
    (t,) = lift_float(a)
    if t.ndim < 2:
        raise np.linalg.LinAlgError(
            f"{t.ndim}-dimensional array given. Array must be at least two-dimensional"
        )
    return t


def lift(rec: Recorder, x) -> TracedArray:
    """A traced view of ``x``: traced arrays pass through, constants become const nodes."""
    if isinstance(x, TracedArray):
        if x.rec is not rec:
            raise InputError("asd: traced arrays from two different traces were mixed")
        return x
    if type(x) is TraceableBuffer:
        return lift(rec, x._resolve())
    if isinstance(x, list | tuple) and find_recorder(x) is not None:
        parts = [lift(rec, e) for e in x]
        return TracedArray(rec, np.stack([t.ids for t in parts]), np.stack([t.val for t in parts]))
    if isinstance(x, np.ndarray) and x.dtype == object:
        parts = [lift(rec, e) for e in x.ravel()]
        shape = x.shape + parts[0].shape
        return TracedArray(
            rec,
            np.stack([t.ids for t in parts]).reshape(shape),
            np.stack([t.val for t in parts]).reshape(shape),
        )
    arr = np.asarray(x)
    if arr.dtype.kind == "c":
        raise InputError(
            f"asd: a complex constant ({arr.dtype}) met a traced array. " + COMPLEX_HINT
        )
    if arr.dtype.kind not in "biuf":
        raise InputError(f"asd: cannot use a value of dtype {arr.dtype} in a traced computation")
    val = arr.copy() if arr.dtype == np.bool_ else arr.astype(np.float64)
    return TracedArray(rec, rec.const(arr.astype(np.float64)), val)


def find_recorder(values) -> Recorder | None:
    """The recorder of the first traced array among ``values`` (searching lists too)."""
    for v in values:
        if isinstance(v, TracedArray):
            return v.rec
        if type(v) is TraceableBuffer and v._root._state is not None:
            return v._root._state.rec
        if isinstance(v, list | tuple):
            r = find_recorder(v)
            if r is not None:
                return r
    return None


class PendingLinear:
    """``Σ wᵢ·xᵢ + bias`` over traced arrays, kept unrecorded while only + - and constant
    scaling act on it, so a chain like ``a + b - 4*c`` becomes one linear node per element
    (never one node per operator). A pending array consumed twice is recorded once."""

    MAX_TERMS = 32
    __slots__ = ("terms", "bias", "used")

    def __init__(self, terms: list, bias):
        self.terms = terms  # (weight, ids) pairs; ids are private copies
        self.bias = bias
        self.used = False

    def record(self, rec: Recorder, shape: tuple) -> np.ndarray:
        n = math.prod(shape)
        idx = raw.empty((n, len(self.terms)), np.int64)
        w = raw.empty((n, len(self.terms)))
        for j, (wj, ij) in enumerate(self.terms):
            idx[:, j] = raw.broadcast(ij, shape).ravel()
            w[:, j] = wj
        bias = raw.broadcast(self.bias, shape).ravel() if raw.ndim(self.bias) else self.bias
        counts = raw.full(n, len(self.terms), np.int64)
        return rec.emit_linear(counts, idx.ravel(), w.ravel(), bias).reshape(shape)


def linear_combination(parts, shift, val: np.ndarray) -> TracedArray:
    """``Σ scale·t + shift`` for ``parts`` of (scalar scale, float traced array), pending.

    A pending operand used for the first time is inlined (its terms scaled); any other
    operand becomes one term.
    """
    rec = parts[0][1].rec
    if any(t.rec is not rec for _, t in parts):
        raise InputError("asd: traced arrays from two different traces were mixed")
    terms, bias = [], shift
    for scale, t in parts:
        lin = t._lin
        if lin is not None and not lin.used:
            lin.used = True
            terms += [(scale * w, i) for w, i in lin.terms]
            bias = bias + scale * lin.bias
        else:
            terms.append((scale, raw.array(t.ids, copy=True)))
    pending = PendingLinear(terms, bias)
    if len(terms) > PendingLinear.MAX_TERMS:  # a long sum: one node per MAX_TERMS terms
        return TracedArray(rec, pending.record(rec, val.shape), val)
    return TracedArray(rec, None, val, pending)


def apply(name: str, *operands: TracedArray, p=0.0, q=0.0) -> TracedArray:
    """Elementwise operator ``name`` on broadcast traced operands."""
    rec = operands[0].rec
    if any(o.rec is not rec for o in operands):
        raise InputError("asd: traced arrays from two different traces were mixed")
    ids = raw.broadcast_arrays([o.ids for o in operands])
    shape = ids[0].shape
    vals = [o.val for o in operands]
    vals += [None] * (3 - len(vals))
    value = numpy_value(name, *vals, p=p, q=q)
    value = raw.broadcast(value, shape)
    if name in MASK_OPS:
        value = value.astype(np.bool_)
    else:
        value = value.astype(np.float64)
    flat = [i.ravel() for i in ids] + [-1] * (3 - len(ids))
    pp = raw.broadcast(p, shape).ravel() if raw.ndim(p) else p
    qq = raw.broadcast(q, shape).ravel() if raw.ndim(q) else q
    new = rec.emit(name, flat[0], flat[1], flat[2], pp, qq).reshape(shape)
    return TracedArray(rec, new, value)  # astype made it a fresh array


def _static_key(rec: Recorder, key):
    """An index that does not depend on x; traced masks are allowed in local mode only."""
    parts = key if isinstance(key, tuple) else (key,)
    if not any(isinstance(k, TracedArray) for k in parts):
        return key
    out = []
    for k in parts:
        if not isinstance(k, TracedArray):
            out.append(k)
            continue
        if k.val.dtype != np.bool_:
            if rec.mode == "local":  # np.argmax(x) and friends: guarded, used as they are
                rec.guard(k.ids, k.val, "traced integer index")
                out.append(k.val.astype(np.int64))
                continue
            raise TracerIndexError(
                "asd: writing at a traced integer index (x[np.argmax(x)] = v) is not "
                "supported in global mode: the written position would depend on x. Write "
                "np.where(np.arange(n) == i, v, x) instead, or trace with sparsity='local'."
            )
        if rec.mode != "local":
            raise TracerIndexError(
                "asd: boolean-mask indexing with a mask that depends on x (x[x > 0]) "
                "changes the output shape with x, so no global pattern exists. Use "
                "np.where(mask, x, 0) to keep the shape, or trace with sparsity='local'."
            )
        rec.guard(k.ids, k.val, "boolean mask index")
        out.append(k.val.copy())
    return tuple(out) if isinstance(key, tuple) else out[0]


def _has_traced_integers(key) -> bool:
    parts = key if isinstance(key, tuple) else (key,)
    return any(isinstance(k, TracedArray) and k.val.dtype != np.bool_ for k in parts)


def _is_array_like(y) -> bool:
    if isinstance(y, TracedArray | bool | int | float | np.number):
        return True
    if isinstance(y, np.ndarray):
        return y.dtype.kind in "biuf" or (y.dtype == object and all(map(_is_array_like, y.flat)))
    if isinstance(y, list | tuple):
        return all(_is_array_like(e) for e in y)
    return False


def as_output(rec: Recorder, y) -> TracedArray:
    """The traced function's result as one traced array, or an error saying what it was."""
    if not _is_array_like(y):
        what = type(y).__name__
        text = repr(y)
        shown = text if len(text) <= 60 else text[:57] + "..."
        hint = " (a missing `return`?)" if y is None else ""
        raise InputError(
            f"asd: the function returned {what} {shown}{hint}; it must return an array "
            "computed from x (or a number, or a list / tuple of equally shaped arrays and "
            "numbers, which is stacked into one array)."
        )
    try:
        return lift(rec, y)
    except ValueError as e:  # ragged lists
        if isinstance(e, InputError):
            raise
        raise InputError(
            f"asd: the function returned a {type(y).__name__} of arrays that cannot be "
            f"stacked into one array ({e}); return one array, or equally shaped parts."
        ) from e


# -- tracing entry point ------------------------------------------------------------------


def _argument_positions(argnums, n_args: int, static_argnums) -> frozenset[int]:
    """Check ``argnums`` (an int or a tuple of ints); the indices into the extra
    arguments of ``static_argnums``. ``n_args``: the number of extra arguments."""
    nums = argnums if isinstance(argnums, tuple | list) else (argnums,)
    total = n_args + len(nums)
    for a in nums:
        if isinstance(a, bool) or not isinstance(a, int | np.integer):
            raise InputError(
                "asd: argnums must be the position (an int) of the argument to "
                f"differentiate, or a tuple of positions, not {argnums!r}"
            )
        if not 0 <= a < total:
            raise InputError(
                f"asd: argnums={argnums!r}, but the function is called with {total} "
                "positional argument(s)"
            )
    if len(set(nums)) != len(nums) or not nums:
        raise InputError(f"asd: argnums={argnums!r} must name distinct arguments")
    static = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums)
    if set(static) & set(nums):
        raise InputError("asd: the differentiated argument cannot be static")
    return frozenset(p - sum(a < p for a in nums) for p in static)


def split_inputs(x, argnums) -> tuple[np.ndarray, list[tuple[int, ...]] | None]:
    """``(x as one float array, shapes of the parts or None)``: with a tuple ``argnums``,
    ``x`` is a tuple of arrays (one per entry) flattened and concatenated in that order."""
    if not isinstance(argnums, tuple | list):
        return x, None
    if not isinstance(x, tuple | list) or len(x) != len(argnums):
        raise InputError(
            f"asd: with argnums={tuple(argnums)!r}, pass x as a tuple of {len(argnums)} "
            "arrays, one per differentiated argument, in argnums order"
        )
    parts = [np.asarray(p) for p in x]
    for p in parts:
        if p.dtype.kind not in "biuf":
            raise InputError(f"asd: the input must be a real float array, got dtype {p.dtype}")
    flat = np.concatenate([p.astype(np.float64).ravel() for p in parts])
    return flat, [p.shape for p in parts]


def trace(
    f: Callable,
    x,
    mode: str = "global",
    args: tuple = (),
    *,
    argnums: int | tuple[int, ...] = 0,
    static_argnums=(),
) -> Tape:
    """Run ``f`` once on a traced copy of ``x`` and return its tape.

    ``x`` is ``f``'s positional argument number ``argnums``; ``args`` are the others, in
    order. Their floating-point values (floats, float arrays, also inside tuples, lists
    and dicts) are traced as runtime parameters: evaluated at each call's values, never
    differentiated. Other values, and the arguments at ``static_argnums``, are static:
    baked into the tape. ``mode="global"``: the tape and its sparsity hold for every x
    and parameter value (Python branches on traced values: every side is traced and
    joined, ``paths.py``); ``mode="local"``: the branch taken at x is recorded as a
    guard.

    With a tuple ``argnums=(i, j, ...)`` (JAX's convention), ``x`` is a tuple of arrays,
    one per listed argument; the tape's input is their concatenation
    ``np.concatenate([np.ravel(a) for a in x])``, so derivatives come as one block
    matrix with the columns of each argument in ``argnums`` order.
    """
    if mode not in MODES:
        raise InputError(f"asd: mode must be 'global' or 'local', not {mode!r}")
    count("trace")
    args = tuple(args)
    static = _argument_positions(argnums, len(args), static_argnums)
    x, shapes = split_inputs(x, argnums)
    x = np.asarray(x)
    if x.dtype.kind not in "biuf":
        raise InputError(f"asd: the input must be a real float array, got dtype {x.dtype}")
    x = x.astype(np.float64)
    spec = ParamSpec.of(args, static) if args else None
    for attempt in (0, 1):
        unpatched = unpatched_modules()
        rec = Recorder(x.shape, mode)
        try:
            with numpy_accepts_tracers():
                out = trace_paths(rec, _runner(f, x, rec, spec, args, argnums, shapes))
            break
        except TracerBufferError:
            # f imported scipy.special while tracing, too late for its replacements
            if attempt or not [m for m in unpatched if m in sys.modules]:
                raise
    return rec.finish(out.ids, output_is_mask=out.val.dtype == np.bool_)


def _runner(f, x, rec, spec, args, argnums, shapes) -> Callable[[], TracedArray]:
    """``f`` run once on fresh traced arguments (it may write into them), per path."""
    param_ids = rec.add_params(spec) if args else None

    def call() -> TracedArray:
        xt = TracedArray(rec, np.arange(x.size, dtype=np.int64).reshape(x.shape), x.copy())
        full = list(args)
        if args:
            leaves, at = [], 0
            for shape in spec.shapes:
                size = math.prod(shape)
                vals = spec.values[at : at + size].reshape(shape).copy()
                leaves.append(TracedArray(rec, param_ids[at : at + size].reshape(shape), vals))
                at += size
            full = list(spec.rebuild(leaves))
        if shapes is None:
            full.insert(argnums, xt)
        else:
            pieces, at = {}, 0
            for pos, shape in zip(argnums, shapes):
                size = math.prod(shape)
                pieces[pos] = TracedArray(
                    rec,
                    xt.ids[at : at + size].reshape(shape),
                    x[at : at + size].reshape(shape).copy(),
                )
                at += size
            for pos in sorted(pieces):
                full.insert(pos, pieces[pos])
        return as_output(rec, f(*full))

    return call


from . import numpy_api as _numpy_api  # noqa: E402, F401  (its table keys numpy's own functions)
from .buffers import TraceableBuffer, unwrap  # noqa: E402  (buffers imports this module)
from .patches import numpy_accepts_tracers, unpatched_modules  # noqa: E402
from .paths import trace_paths  # noqa: E402
