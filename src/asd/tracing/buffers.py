"""Buffers made by numpy constructors while tracing (``F = np.zeros(m); F[i] = ...``).

During a trace, ``np.zeros np.ones np.empty np.full`` (and their ``*_like`` forms on
constants, ``np.array`` / ``np.asarray`` of constant lists) called from user code return
a :class:`TraceableBuffer` when the result is a float64 array: a plain ndarray
subclass that behaves exactly like numpy (its ufunc and function results are plain
ndarrays) until a traced value is written into it. That write makes the buffer's
*root* (the array owning the memory) traced: from then on the root holds a
``TracedArray`` (the old contents as constants), and the buffer, and every view of it
made before or after (``row = J[i]``, ``F.T``, ``F[2:]``), forwards every operation to
the traced array at the same positions. Because a float64 root and its int64 id array
have the same item size and layout, a view's traced counterpart is the id array seen
through the view's own byte offset and strides. Integer, bool and other dtypes are
never wrapped.
"""

from __future__ import annotations

import sys
import threading

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .tracer import TracedArray, find_recorder, lift

_STATE = threading.local()  # depth > 0 while this thread traces


def tracing() -> bool:
    return getattr(_STATE, "depth", 0) > 0


class TraceableBuffer(np.ndarray):
    """A float ndarray that turns traced when a traced value is written into it."""

    def __array_finalize__(self, obj):
        root = getattr(obj, "_root", None)
        if root is not None and _shares(self, root):
            self._root = root
        else:
            self._root = self
        self._state = None  # meaningful on roots only

    # -- state -------------------------------------------------------------------------
    def _traced(self) -> TracedArray | None:
        """This buffer as a traced array, or None while it holds only numbers."""
        root = self._root
        st = root._state
        if st is None or self is root:
            return st
        if self.dtype != np.float64:
            raise TypeError("asd: a traced buffer was viewed with another dtype")
        off = self.__array_interface__["data"][0] - root.__array_interface__["data"][0]
        ids = as_strided(st.ids.ravel(order="K")[off // 8 :], self.shape, self.strides)
        val = as_strided(st.val.ravel(order="K")[off // 8 :], self.shape, self.strides)
        return TracedArray(st.rec, ids, val)

    def _resolve(self):
        """The traced array, or a plain ndarray view of the numbers."""
        t = self._traced()
        return self.view(np.ndarray) if t is None else t

    def _become_traced(self, rec) -> None:
        root = self._root
        if root._state is not None:
            return
        plain = root.view(np.ndarray)
        ids = np.empty_like(plain, dtype=np.int64)
        ids[...] = rec.const(plain)
        val = np.empty_like(plain)
        val[...] = plain
        root._state = TracedArray(rec, ids, val)

    # -- indexing ----------------------------------------------------------------------
    def __getitem__(self, key):
        t = self._traced()
        if t is not None:
            return t[key]
        rec = find_recorder(key if isinstance(key, tuple) else (key,))
        if rec is not None:  # a traced mask or index into numbers
            return lift(rec, self.view(np.ndarray))[key]
        return super().__getitem__(key)

    def __setitem__(self, key, value):
        t = self._traced()
        if t is None:
            rec = find_recorder([value, *(key if isinstance(key, tuple) else (key,))])
            if rec is None:
                return super().__setitem__(key, value)
            self._become_traced(rec)
            t = self._traced()
        t._assign(key, value)

    # -- numpy protocols -----------------------------------------------------------------
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        args = [unwrap(i) for i in inputs]
        out = kwargs.pop("out", None)
        traced = find_recorder(args)
        if method == "at" and traced is not None and type(inputs[0]) is TraceableBuffer:
            inputs[0]._become_traced(traced)
            args[0] = inputs[0]._traced()
        if out is None:
            return getattr(ufunc, method)(*args, **kwargs)
        outs = out if isinstance(out, tuple) else (out,)
        if traced is None and not any(_is_traced(o) for o in outs):
            kwargs["out"] = tuple(unwrap(o) for o in outs)
            getattr(ufunc, method)(*args, **kwargs)
            return out[0] if isinstance(out, tuple) and len(out) == 1 else out
        result = getattr(ufunc, method)(*args, **kwargs)
        target = outs[0]
        target[...] = result
        return target

    def __array_function__(self, func, types, args, kwargs):
        result = func(*unwrap(args), **{k: unwrap(v) for k, v in kwargs.items()})
        if type(result) is np.ndarray and _shares(result, self._root):
            view = result.view(TraceableBuffer)  # np.reshape(F, ...): still a view of F
            view._root = self._root
            return view
        return result


def _shares(a, b) -> bool:
    return np.may_share_memory(a.view(np.ndarray), b.view(np.ndarray))


def _is_traced(v) -> bool:
    return type(v) is TraceableBuffer and v._root._state is not None


def unwrap(v):
    """Buffers inside arguments: their traced array, or a plain ndarray view."""
    t = type(v)
    if t is TraceableBuffer:
        return v._resolve()
    if t is list or t is tuple:
        return t(unwrap(e) for e in v)
    return v


def _forward(name):
    base = getattr(np.ndarray, name)

    def method(self, *args, **kwargs):
        t = self._traced()
        if t is None:
            return base(self, *args, **kwargs)
        return getattr(t, name)(*args, **kwargs)

    method.__name__ = name
    return method


for _name in (
    "copy flatten ravel astype sum mean prod max min any all cumsum cumprod dot take clip "
    "round std var argmax argmin argsort sort nonzero trace repeat item tolist fill "
    "searchsorted ptp compress __float__ __int__ __complex__ __bool__ __index__ __iter__ "
    "__repr__ __str__ __reduce__ __deepcopy__ __copy__ __contains__ tobytes"
).split():
    if hasattr(np.ndarray, _name):
        setattr(TraceableBuffer, _name, _forward(_name))


# -- constructors patched while tracing ---------------------------------------------------


_LIBRARIES = ("asd.", "numpy", "scipy")


def as_buffer(arr, source=None, depth: int = 2):
    """``arr`` as a traceable buffer when it is a new float64 array made by user code
    (the frame ``depth`` levels up; asd's and numpy's own arrays stay plain)."""
    if (
        type(arr) is np.ndarray
        and arr.dtype == np.float64
        and arr.ndim > 0
        and (arr.flags.c_contiguous or arr.flags.f_contiguous)
        and tracing()
        and (source is None or not np.may_share_memory(arr, source))
        and not sys._getframe(depth).f_globals.get("__name__", "").startswith(_LIBRARIES)
    ):
        return arr.view(TraceableBuffer)
    return arr


def wrap_constructor(orig):
    def inner(*args, **kwargs):
        out = orig(*args, **kwargs)
        if kwargs.get("like") is not None:
            return out
        return as_buffer(out, args[0] if orig.__name__.endswith("_like") and args else None)

    inner.__wrapped__ = orig
    inner.__name__ = orig.__name__
    inner.__doc__ = orig.__doc__
    return inner


CONSTRUCTORS = (
    "zeros",
    "ones",
    "empty",
    "full",
    "zeros_like",
    "ones_like",
    "empty_like",
    "full_like",
)
