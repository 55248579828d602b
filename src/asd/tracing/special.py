"""``scipy.special`` functions and a few numpy functions on traced arrays.

The ``scipy.special`` ufuncs (``erf``, ``gammaln``, ``i0``, ...) are numpy ufuncs, so
they reach asd through ``__array_ufunc__`` and map to rows of the operator table
(``SPECIAL_UFUNCS``), or to compositions of traced operations
(``special_compositions.py``: ``entr rel_entr kl_div huber boxcox exprel powm1``
...). ``scipy.special.logsumexp softmax log_softmax polygamma`` are Python functions
that convert their input first; while tracing, the module attributes are replaced by
the compositions below (``scipy_wrappers``), and an early-bound reference (``from
scipy.special import logsumexp`` before tracing) ends in an asd error that names the
function and the call that works.
"""

from __future__ import annotations

import sys

import numpy as np
import scipy.sparse as sp

from ..errors import InputError, UnsupportedFunctionError
from ..operators.special import CYTHON_FUNCTIONS
from .special_compositions import COMPOSITIONS
from .tracer import TracedArray, apply, find_recorder, lift, lift_float

#: scipy.special ufuncs of one float argument: each is the table operator of its name
SPECIAL_UNARY = CYTHON_FUNCTIONS
#: scipy.special ufuncs of two float arguments -> table operator
SPECIAL_BINARY = ("xlogy", "xlog1py")
_TABLE: dict = {}


def special_ufunc(ufunc) -> tuple[str, object] | None:
    """``("unary" | "binary", operator)`` or ``("call", handler)`` for a scipy.special
    ufunc, else None. scipy.special is only looked at once imported (a function calling
    its ufuncs has imported it), so ``import asd`` does not import it."""
    ss = sys.modules.get("scipy.special")
    if ss is None:
        return None
    if not _TABLE:
        table = {getattr(ss, name): ("unary", name) for name in SPECIAL_UNARY}
        table.update({getattr(ss, name): ("binary", name) for name in SPECIAL_BINARY})
        table[ss._ufuncs._zeta] = ("call", _zeta)
        table.update({getattr(ss, name): ("call", fn) for name, fn in COMPOSITIONS.items()})
        _TABLE.update(table)
    return _TABLE.get(ufunc)


def _float(x) -> TracedArray:
    return lift_float(x)[0]


def polygamma(n, x):
    """ψ⁽ⁿ⁾(x) for constant integer orders n >= 0 (broadcast against x)."""
    if isinstance(n, TracedArray):
        raise InputError(
            "asd: the order n of scipy.special.polygamma(n, x) must be a constant integer"
        )
    n = np.asarray(n)
    if n.dtype.kind == "f" and not np.all(n == np.floor(n)):
        raise InputError("asd: scipy.special.polygamma(n, x) needs integer orders n")
    x = _float(x)
    shape = np.broadcast_shapes(n.shape, x.shape)
    x = TracedArray(x.rec, np.broadcast_to(x.ids, shape), np.broadcast_to(x.val, shape))
    return apply("polygamma", x, p=np.broadcast_to(n.astype(np.float64), shape))


def _zeta(s, q):
    """Hurwitz ζ(s, q) for a constant integer s >= 2 and traced q (the route of
    ``scipy.special.polygamma``): ζ(s, q) = (-1)ˢ ψ⁽ˢ⁻¹⁾(q) / (s - 1)!."""
    if isinstance(s, TracedArray) or not isinstance(q, TracedArray):
        raise UnsupportedFunctionError(
            "scipy.special.zeta with a traced s",
            "Only zeta(s, q) with a constant integer s >= 2 and traced q is traceable.",
        )
    s = np.asarray(s, np.float64)
    if np.any(s != np.floor(s)) or np.any(s < 2):
        raise UnsupportedFunctionError(
            "scipy.special.zeta(s, q) with s not an integer >= 2",
            "Only integer s >= 2 (polygamma orders) are traceable.",
        )
    from scipy.special import factorial

    scale = (-1.0) ** s / factorial(s - 1)
    return polygamma(s - 1, q) * scale


def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False):
    """``scipy.special.logsumexp``: m + log Σ b exp(a - m) with m the traced maximum (the
    result does not depend on m, so its derivatives are exact)."""
    a = _float(a)
    m = np.max(a, axis=axis, keepdims=True)
    e = np.exp(a - m)
    if b is not None:
        e = e * b
    s = np.sum(e, axis=axis, keepdims=True)
    if return_sign:
        out = np.log(np.abs(s)) + m
        sign = np.sign(s)
        if not keepdims:
            out, sign = _squeeze(out, a, axis), _squeeze(sign, a, axis)
        return out, sign
    out = np.log(s) + m
    return out if keepdims else _squeeze(out, a, axis)


def _squeeze(r, a, axis):
    if axis is None:
        return np.reshape(r, ())
    return np.squeeze(r, axis=axis)


def softmax(x, axis=None):
    x = _float(x)
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(x, axis=None):
    x = _float(x)
    z = x - np.max(x, axis=axis, keepdims=True)
    return z - np.log(np.sum(np.exp(z), axis=axis, keepdims=True))


def _traced_or(original, replacement):
    def inner(*args, **kwargs):
        if find_recorder(list(args) + list(kwargs.values())) is None:
            return original(*args, **kwargs)
        from .buffers import unwrap  # np.zeros buffers holding traced values

        return replacement(*unwrap(args), **{k: unwrap(v) for k, v in kwargs.items()})

    inner.__wrapped__ = original
    inner.__name__ = getattr(original, "__name__", "wrapper")
    return inner


#: scipy.special attributes replaced while tracing
SCIPY_FUNCTIONS = {
    "logsumexp": logsumexp,
    "softmax": softmax,
    "log_softmax": log_softmax,
    "polygamma": polygamma,
}


def scipy_wrappers() -> list[tuple[object, str, object]]:
    """(module, attribute, wrapper) for every function replaced while tracing
    (scipy.special's only once it is imported: see ``special_ufunc``)."""
    ss = sys.modules.get("scipy.special")
    out = []
    if ss is not None:
        out = [(ss, n, _traced_or(getattr(ss, n), fn)) for n, fn in SCIPY_FUNCTIONS.items()]
    from .linalg import scipy_linalg_wrappers

    return out + scipy_linalg_wrappers(_traced_or)


# ---------------------------------------------------------------------------------------
# numpy functions
# ---------------------------------------------------------------------------------------


def sinc(x):
    return apply("sinc", _float(x))


def i0(x):
    return apply("i0", _float(x))


def heaviside(x, h0):
    """0 below 0, ``h0`` at 0, 1 above (NaN stays NaN): zero derivative in x."""
    rec = find_recorder([x, h0])
    x, h0 = lift(rec, x), lift(rec, h0)
    step = np.where(x > 0, 1.0, np.where(x == 0, h0, 0.0))
    return np.where(np.isnan(x), x, step)


def nansum(a, axis=None, dtype=None, out=None, keepdims=False, **kw):
    a = _float(a)
    return np.sum(np.where(np.isnan(a), 0.0, a), axis=axis, keepdims=keepdims)


def nanmean(a, axis=None, dtype=None, out=None, keepdims=False, **kw):
    a = _float(a)
    count = np.sum((~np.isnan(a)).astype(np.float64), axis=axis, keepdims=keepdims)
    return nansum(a, axis=axis, keepdims=keepdims) / count


def _conv_matrix(k: np.ndarray, n: int) -> sp.csr_array:
    """The (n + len(k) - 1) x n matrix of the full convolution with constant ``k``."""
    m = k.size
    rows = (np.arange(n)[None, :] + np.arange(m)[:, None]).ravel()
    cols = np.broadcast_to(np.arange(n)[None, :], (m, n)).ravel()
    vals = np.broadcast_to(k[:, None], (m, n)).ravel()
    return sp.csr_array((vals, (rows, cols)), shape=(n + m - 1, n))


def convolve(a, v, mode="full"):
    """``np.convolve``: a linear node per output with a constant operand; with both
    traced, the products of all pairs summed along the anti-diagonals."""
    rec = find_recorder([a, v])
    if np.ndim(a) != 1 or np.ndim(v) != 1:
        raise ValueError("object too deep for desired array")
    n, m = np.shape(a)[0], np.shape(v)[0]
    if n == 0 or m == 0:
        raise ValueError("v cannot be empty" if m == 0 else "a cannot be empty")
    ta, tv = isinstance(a, TracedArray), isinstance(v, TracedArray)
    if ta and tv:
        prod = apply("mul", lift(rec, a)[:, None], lift(rec, v)[None, :])  # (n, m)
        size = n + m - 1
        k = (np.arange(n)[:, None] + np.arange(m)[None, :]).ravel()
        order = np.argsort(k, kind="stable")
        counts = np.bincount(k, minlength=size)
        ids = rec.emit_linear(counts, prod.ids.ravel()[order], 1.0)
        full = TracedArray(rec, ids, np.convolve(a.val, v.val))
    elif ta:
        full = _conv_matrix(np.asarray(v, np.float64), n) @ _float(a)
    else:
        full = _conv_matrix(np.asarray(a, np.float64), m) @ _float(v)
    if mode == "full":
        return full
    lo, hi = min(n, m), max(n, m)
    if mode == "same":
        start = (lo - 1) // 2
        return full[start : start + hi]
    if mode == "valid":
        return full[lo - 1 : hi]
    raise ValueError(f"mode must be one of 'full', 'same', or 'valid' (got {mode!r})")


def interp(x, xp, fp, left=None, right=None, period=None):
    """``np.interp`` with constant, increasing ``xp``: fp[0] + Σ_j slope_j ·
    (clip(x, xp_j, xp_{j+1}) - xp_j), exact piecewise linear (x and fp may be traced)."""
    if isinstance(xp, TracedArray):
        raise UnsupportedFunctionError(
            "np.interp with traced xp", "The grid xp must be constant; x and fp may be traced."
        )
    if period is not None:
        raise UnsupportedFunctionError("np.interp with period=", "Wrap x with np.mod first.")
    xp = np.asarray(xp, np.float64)
    if xp.ndim != 1 or np.ndim(fp) != 1 or xp.size != np.shape(fp)[0]:
        raise ValueError("fp and xp are not of the same length.")
    if xp.size == 0:
        raise ValueError("array of sample points is empty")
    if np.any(np.diff(xp) <= 0):
        raise InputError("asd: np.interp needs a strictly increasing constant grid xp")
    rec = find_recorder([x, fp])
    xt = x if isinstance(x, TracedArray) else np.asarray(x, np.float64)
    f = fp if isinstance(fp, TracedArray) else np.asarray(fp, np.float64)
    xe = xt[..., None] if np.ndim(xt) else xt
    out = f[0] + 0.0 * xe[..., 0] if np.ndim(xt) else f[0] + 0.0 * xt
    if xp.size > 1:
        slope = (f[1:] - f[:-1]) / np.diff(xp)
        seg = np.clip(xe, xp[:-1], xp[1:]) - xp[:-1]
        out = out + np.sum(slope * seg, axis=-1)
    if left is not None:
        out = np.where(xt < xp[0], left, out)
    if right is not None:
        out = np.where(xt > xp[-1], right, out)
    return lift(rec, out) if not isinstance(out, TracedArray) else out


SPECIAL_FUNCTIONS = {
    np.sinc: sinc,
    np.i0: i0,
    np.nansum: nansum,
    np.nanmean: nanmean,
    np.convolve: convolve,
    np.interp: interp,
}

SPECIAL_UFUNC_HANDLERS = {np.heaviside: heaviside}
