"""Module attributes replaced while a trace runs, so user code needs no rewrite.

- ``np.asarray`` / ``np.array`` keep a traced array (or a list holding traced values)
  traced; ``np.zeros ones empty full`` and their ``*_like`` forms return buffers that
  turn traced when a traced value is written (``buffers.py``).
- numpy functions that take one array and never look inside a list
  (``np.max([t0, t1])``, ``np.prod([... for i in ...])``): a list or tuple holding
  traced values becomes one traced array first, as numpy would make it an array.
- Python's ``max min sum sorted`` (``order.py``) and the scipy functions that convert
  their input (``special.py``).

Every replacement passes calls without traced values to the original, so other
threads (which see the same module attributes) are unaffected.
"""

from __future__ import annotations

import builtins
import contextlib
import sys
import threading

import numpy as np

from .buffers import _STATE as _BUFFER_STATE
from .buffers import CONSTRUCTORS, TraceableBuffer, as_buffer, wrap_constructor
from .tracer import TracedArray, find_recorder, lift

_PATCH_LOCK = threading.RLock()

#: numpy functions whose array arguments may be lists holding traced values
LIST_ARGUMENTS = (
    "sum prod max min amax amin mean std var average ptp cumsum cumprod nansum nanmean "
    "sort argsort argmax argmin all any diff clip round around dot vdot inner outer "
    "trace diag diagonal ravel transpose squeeze linalg.norm"
).split()


def _lifting_lists(orig):
    """``orig`` with list / tuple positional arguments holding traced values lifted."""

    def inner(*args, **kwargs):
        seqs = [i for i, a in enumerate(args) if type(a) is list or type(a) is tuple]
        if seqs:
            rec = find_recorder([args[i] for i in seqs])
            if rec is not None:
                args = list(args)
                for i in seqs:
                    if find_recorder([args[i]]) is not None:
                        args[i] = lift(rec, args[i])
        return orig(*args, **kwargs)

    inner.__wrapped__ = orig
    inner.__name__ = orig.__name__
    inner.__doc__ = orig.__doc__
    return inner


def _keeping_traced(orig, copy_default):
    """``np.asarray`` / ``np.array`` that keep traced values traced. (``np.asanyarray``
    stays as it is: scipy.sparse relies on it to hand ``A @ t`` to ``t.__rmatmul__``, see
    ``TracedArray.__array__``.)"""

    def inner(obj, *args, **kwargs):
        if type(obj) is TraceableBuffer and obj._root._state is not None:
            obj = obj._traced()
            return obj.copy() if copy_default and kwargs.get("copy") is not False else obj
        rec = find_recorder([obj]) if isinstance(obj, TracedArray | list | tuple) else None
        if rec is None:
            out = orig(obj, *args, **kwargs)
            return out if out is obj else as_buffer(out, obj)
        t = lift(rec, obj)
        return t.copy() if copy_default and t is obj else t

    inner.__wrapped__ = orig
    return inner


def _replacements() -> list[tuple[object, str, object]]:
    """``(module, name, replacement)`` for every attribute replaced while tracing."""
    from .order import builtin_wrappers
    from .special import scipy_wrappers

    out = [(builtins, name, fn) for name, fn in builtin_wrappers().items()]
    out += scipy_wrappers()  # scipy.special.logsumexp, scipy.linalg.solve, ...
    out.append((np, "asarray", _keeping_traced(np.asarray, False)))
    out.append((np, "array", _keeping_traced(np.array, True)))
    out += [(np, name, wrap_constructor(getattr(np, name))) for name in CONSTRUCTORS]
    for path in LIST_ARGUMENTS:
        mod, name = (np.linalg, path[7:]) if path.startswith("linalg.") else (np, path)
        out.append((mod, name, _lifting_lists(getattr(mod, name))))
    return out


#: modules whose replacements are installed only when they are already imported
LAZY_MODULES = ("scipy.special",)


def unpatched_modules() -> list[str]:
    """The modules of ``LAZY_MODULES`` not imported yet: a trace that imports one (``import
    scipy`` then ``scipy.special.logsumexp(x)``) is run again with its replacements."""
    return [name for name in LAZY_MODULES if name not in sys.modules]


#: (scipy.special module or None, replacements, the attributes they wrap) of the last trace
_LAST: tuple | None = None


def _current_replacements() -> tuple[list, list]:
    """``_replacements()`` and the attributes they replace; the previous trace's wrappers
    when they wrap exactly today's attributes (building them costs ~0.05 ms)."""
    global _LAST
    special = sys.modules.get("scipy.special")
    if _LAST is not None and _LAST[0] is special:
        replacements, originals = _LAST[1], _LAST[2]
        if all(getattr(m, n) is o for (m, n, _), o in zip(replacements, originals)):
            return replacements, originals
    replacements = _replacements()
    originals = [getattr(mod, name) for mod, name, _ in replacements]
    _LAST = (special, replacements, originals)
    return replacements, originals


@contextlib.contextmanager
def numpy_accepts_tracers():
    """Replace the attributes above for the duration of a trace."""
    with _PATCH_LOCK:
        replacements, originals = _current_replacements()
        for mod, name, fn in replacements:
            setattr(mod, name, fn)
        _BUFFER_STATE.depth = getattr(_BUFFER_STATE, "depth", 0) + 1
        try:
            yield
        finally:
            _BUFFER_STATE.depth -= 1
            for (mod, name, _), fn in zip(replacements, originals):
                setattr(mod, name, fn)
