"""Small numpy functions written as compositions of supported operations:
``ptp polyval average trapezoid linspace logaddexp logaddexp2 select``, and the
names and hints of unsupported functions (``function_name``)."""

from __future__ import annotations

import sys

import numpy as np

from .tracer import TracedArray, find_recorder, lift


def ptp(a, axis=None, out=None, keepdims=False):
    return np.max(a, axis=axis, keepdims=keepdims) - np.min(a, axis=axis, keepdims=keepdims)


def polyval(p, x):
    """Horner's rule, ``p`` highest power first (either may be traced)."""
    if isinstance(p, np.poly1d):
        p = p.coeffs
    rec = find_recorder([p, x])
    coeffs = p if isinstance(p, TracedArray) else np.asarray(p, dtype=np.float64)
    y = np.zeros_like(x) if not isinstance(x, TracedArray) else x * 0.0
    for i in range(len(coeffs)):
        y = y * x + coeffs[i]
    return lift(rec, y) if not isinstance(y, TracedArray) else y


def average(a, axis=None, weights=None, returned=False, *, keepdims=False):
    if weights is None:
        avg = np.mean(a, axis=axis, keepdims=keepdims)
        scl = np.asarray(np.size(a) / max(np.size(avg), 1), dtype=np.float64)
    else:
        w = weights if isinstance(weights, TracedArray) else np.asarray(weights, np.float64)
        if np.ndim(w) == 1 and np.ndim(a) > 1 and axis is not None:
            shape = [1] * np.ndim(a)
            shape[axis] = -1
            w = np.reshape(w, shape)
        scl = np.sum(np.broadcast_to(w, np.shape(a)), axis=axis, keepdims=keepdims)
        avg = np.sum(np.multiply(a, w), axis=axis, keepdims=keepdims) / scl
    if returned:
        return avg, np.broadcast_to(scl, np.shape(avg))
    return avg


def trapezoid(y, x=None, dx=1.0, axis=-1):
    y = np.moveaxis(y, axis, -1)
    if x is None:
        d = dx
    else:
        d = np.diff(x, axis=-1 if np.ndim(x) == 1 else axis)
        if np.ndim(d) > 1:
            d = np.moveaxis(d, axis, -1)
    return np.sum(d * (y[..., 1:] + y[..., :-1]) / 2.0, axis=-1)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    div = (num - 1) if endpoint else num
    t = np.arange(num, dtype=np.float64) / div if div > 0 else np.zeros(num)
    if endpoint and num > 1:
        t[-1] = 1.0
    s, e = np.asarray(start) if not isinstance(start, TracedArray) else start, stop
    shape = (num,) + (1,) * np.ndim(s)
    out = s + (e - s) * t.reshape(shape)  # start + (stop - start) * t, broadcast
    if axis != 0:
        out = np.moveaxis(out, 0, axis)
    if retstep:
        return out, (e - s) / div if div > 0 else np.nan
    return out


def logaddexp(a, b, **kw):
    """``log(exp(a) + exp(b))`` without overflow: ``max(a, b) + log1p(exp(-|a - b|))``."""
    return np.maximum(a, b) + np.log1p(np.exp(-np.abs(np.subtract(a, b))))


def logaddexp2(a, b, **kw):
    return np.maximum(a, b) + np.log1p(np.exp2(-np.abs(np.subtract(a, b)))) / np.log(2.0)


def select(condlist, choicelist, default=0):
    out = default
    for cond, choice in zip(reversed(list(condlist)), reversed(list(choicelist))):
        out = np.where(cond, choice, out)
    rec = find_recorder([out])
    return lift(rec, out) if not isinstance(out, TracedArray) else out


#: hints for functions without a rule, by name
HINTS = {
    "allclose": "It returns a Python bool that depends on x.",
    "isclose": "Compare with np.abs(a - b) <= tol instead.",
    "unique": (
        "np.unique returns as many values as x has distinct ones, so the output shape "
        "depends on x; use np.sort(x) (same shape) or compute unique values of constants."
    ),
    "correlate": "np.correlate(a, v) is np.convolve(a, v[::-1]) (traceable).",
    "fft": "asd differentiates real functions only: write the DFT with real matrices "
    "C = np.cos(2*np.pi*np.outer(k, k)/n), S = np.sin(...) and use C @ x, S @ x.",
    "rfft": "asd differentiates real functions only: write the DFT with real cos / sin "
    "matrices (C @ x, S @ x).",
    "vectorize": "Write the function with array operations (no per-element Python call).",
    "apply_along_axis": "Use the axis= argument of the reduction, or broadcasting.",
    "histogram": "Counts are piecewise constant; compute them from constants.",
    "beta": "Write it from gamma: scipy.special.gamma(a) * gamma(b) / gamma(a + b) (exact "
    "while a + b < 171), or np.exp(betaln(a, b)) written from gammaln.",
    "betaln": "Write it from gammaln: gammaln(a) + gammaln(b) - gammaln(a + b) (exact "
    "derivatives; the value loses digits to cancellation when a + b is large).",
    "binom": "Write it from gamma: gamma(n + 1) / (gamma(k + 1) * gamma(n - k + 1)) for "
    "n < 170, or np.exp(gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)).",
}


MISC = {
    np.ptp: ptp,
    np.polyval: polyval,
    np.average: average,
    np.linspace: linspace,
    np.select: select,
}
if hasattr(np, "trapezoid"):
    MISC[np.trapezoid] = trapezoid

UFUNCS = {np.logaddexp: logaddexp, np.logaddexp2: logaddexp2}

#: private scipy.special ufuncs behind public Python functions: the name users call
PRIVATE_UFUNCS = {"_lambertw": "lambertw", "_riemann_zeta": "zeta", "_zeta": "zeta"}


def function_name(func) -> str:
    """How users call ``func``: ``np.fft.fft``, ``np.linalg.eig``, ``scipy.special.erf``."""
    name = getattr(func, "__name__", str(func))
    if isinstance(func, np.ufunc):
        if getattr(np, name, None) is func:
            return f"np.{name}"
        mod = sys.modules.get("scipy.special")
        if mod is not None and getattr(mod, name, None) is func:
            return f"scipy.special.{name}"
        if name in PRIVATE_UFUNCS:
            return f"scipy.special.{PRIVATE_UFUNCS[name]}"
        return name
    module = getattr(func, "__module__", None) or "numpy"
    for sub in ("linalg", "fft", "random", "polynomial", "ma", "lib.stride_tricks"):
        if module.startswith(f"numpy.{sub}") or module.startswith(f"numpy.lib._{sub}"):
            return f"np.{sub}.{name}"
    if module.startswith("numpy"):
        return f"np.{name}"
    return f"{module}.{name}"
