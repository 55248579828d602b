"""numpy functions written as compositions of traced operations, each with numpy's
arguments and order of operations: ``cross gradient meshgrid ediff1d multi_dot``,
order statistics ``median percentile quantile`` (a sort, then fixed positions),
``cov corrcoef``, the NaN-ignoring reductions, ``nan_to_num piecewise unwrap fix
ldexp``, numpy 2's ``vecdot matvec vecmat cumulative_sum cumulative_prod`` and the
``np.linalg`` aliases of array functions."""

from __future__ import annotations

import numpy as np

try:
    from numpy.lib.array_utils import normalize_axis_index
except ImportError:  # numpy < 2
    from numpy.core.multiarray import normalize_axis_index

from ..errors import UnsupportedFunctionError
from .reductions import axes_last, keepdims_shape
from .tracer import TracedArray, find_recorder, lift, lift_float


def _constant(value, what: str) -> np.ndarray:
    if find_recorder([value]) is not None:
        raise UnsupportedFunctionError(what, "This argument must be a constant (not traced).")
    return np.asarray(value, dtype=np.float64)


# ---------------------------------------------------------------------------------------
# products, differences, grids
# ---------------------------------------------------------------------------------------


def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Cross product of 3-vectors along the axes; a 2-vector has a zero third component,
    and two 2-vectors give the z component only."""
    a, b = lift_float(a, b)
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = np.moveaxis(a, axisa, -1), np.moveaxis(b, axisb, -1)
    if a.shape[-1] not in (2, 3) or b.shape[-1] not in (2, 3):
        raise ValueError("incompatible dimensions for cross product\n(dimension must be 2 or 3)")
    if a.shape[-1] == 2 and b.shape[-1] == 2:
        return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    a, b = (_padded(v) for v in (a, b))
    c = [a[..., k + 1] * b[..., k + 2] - a[..., k + 2] * b[..., k + 1] for k in (0, 1, 2)]
    return np.moveaxis(np.stack(np.broadcast_arrays(*c), axis=-1), -1, axisc)


def _padded(v):
    """A 2- or 3-vector (last axis) as [v0, v1, v2, v0, v1]: cyclic indices k + 1, k + 2."""
    if v.shape[-1] == 2:
        v = np.concatenate([v, lift(v.rec, np.zeros(v.shape[:-1] + (1,)))], axis=-1)
    return np.concatenate([v, v[..., :2]], axis=-1)


def _gradient_1d(f, h, edge_order):
    """numpy's second-order differences of ``f`` along axis 0 (spacing h: scalar or the
    constant coordinates' differences)."""
    n = f.shape[0]
    if n < edge_order + 1:
        raise ValueError(
            "Shape of array too small to calculate a numerical gradient, "
            "at least (edge_order + 1) elements are required."
        )
    shape = (-1,) + (1,) * (f.ndim - 1)
    if np.ndim(h) == 0:
        inner = (f[2:] - f[:-2]) / (2.0 * h)
        if edge_order == 1:
            first, last = (f[1] - f[0]) / h, (f[-1] - f[-2]) / h
        else:
            first = (-1.5 * f[0] + 2.0 * f[1] - 0.5 * f[2]) / h
            last = (0.5 * f[-3] - 2.0 * f[-2] + 1.5 * f[-1]) / h
    else:
        hd, hs = h[:-1], h[1:]
        a = np.reshape(-hs / (hd * (hd + hs)), shape)
        b = np.reshape((hs - hd) / (hd * hs), shape)
        c = np.reshape(hd / (hs * (hd + hs)), shape)
        inner = a * f[:-2] + b * f[1:-1] + c * f[2:]
        if edge_order == 1:
            first, last = (f[1] - f[0]) / h[0], (f[-1] - f[-2]) / h[-1]
        else:
            d1, d2 = h[0], h[1]
            first = (
                -(2.0 * d1 + d2) / (d1 * (d1 + d2)) * f[0]
                + (d1 + d2) / (d1 * d2) * f[1]
                - d1 / (d2 * (d1 + d2)) * f[2]
            )
            d1, d2 = h[-2], h[-1]
            last = (
                d2 / (d1 * (d1 + d2)) * f[-3]
                - (d2 + d1) / (d1 * d2) * f[-2]
                + (2.0 * d2 + d1) / (d2 * (d1 + d2)) * f[-1]
            )
    if n == 2:  # no interior point
        return np.stack([first, last])
    return np.concatenate([np.expand_dims(first, 0), inner, np.expand_dims(last, 0)])


def gradient(f, *varargs, axis=None, edge_order=1):
    """``np.gradient`` of a traced ``f`` with constant spacings (scalars or coordinates)."""
    (f,) = lift_float(f)
    if edge_order not in (1, 2):
        raise ValueError("'edge_order' greater than 2 not supported")
    axes = tuple(range(f.ndim)) if axis is None else axis
    axes = axes if isinstance(axes, tuple | list) else (axes,)
    axes = tuple(normalize_axis_index(int(ax), f.ndim) for ax in axes)
    spacing = [_constant(v, "np.gradient's spacing") for v in varargs] or [np.float64(1.0)]
    if len(spacing) == 1 and len(axes) > 1:
        spacing = spacing * len(axes)
    if len(spacing) != len(axes):
        raise TypeError("invalid number of arguments")
    out = []
    for ax, h in zip(axes, spacing):
        if h.ndim == 1:
            if h.size != f.shape[ax]:
                raise ValueError(
                    "when 1d, distances must match the length of the corresponding dimension"
                )
            h = np.diff(h)
            if np.all(h == h[0]):
                h = h[0]
        g = _gradient_1d(np.moveaxis(f, ax, 0), h, edge_order)
        out.append(np.moveaxis(g, 0, ax))
    return out[0] if len(out) == 1 else tuple(out)


def meshgrid(*xi, copy=True, sparse=False, indexing="xy"):
    """Coordinate arrays by broadcasting (traced or constant inputs)."""
    if indexing not in ("xy", "ij"):
        raise ValueError("Valid values for `indexing` are 'xy' and 'ij'.")
    rec = find_recorder(list(xi))
    n = len(xi)
    grids = []
    for i, x in enumerate(xi):
        shape = [1] * n
        shape[i] = -1
        grids.append(np.reshape(lift(rec, x), shape))
    if indexing == "xy" and n > 1:
        grids[0] = np.swapaxes(grids[0], 0, 1)
        grids[1] = np.swapaxes(grids[1], 0, 1)
    if sparse:
        return tuple(grids)
    return np.broadcast_arrays(*grids)


def ediff1d(ary, to_end=None, to_begin=None):
    """Differences of the flattened array, with values put before / after."""
    rec = find_recorder([ary, to_end, to_begin])
    parts = [np.diff(np.ravel(lift(rec, ary)))]
    if to_begin is not None:
        parts.insert(0, np.ravel(lift(rec, to_begin)))
    if to_end is not None:
        parts.append(np.ravel(lift(rec, to_end)))
    return np.concatenate(parts)


def multi_dot(arrays, *, out=None):
    """The chained matrix product, left to right (1-D first / last as numpy)."""
    arrays = list(arrays)
    if len(arrays) < 2:
        raise ValueError("Expecting at least two arrays.")
    result = arrays[0]
    for a in arrays[1:]:
        result = np.dot(result, a)
    return result


def vecdot(x1, x2, /, *, axis=-1, **kw):
    """x1 · x2 along ``axis`` (real arrays)."""
    x1, x2 = lift_float(x1, x2)
    return np.sum(x1 * x2, axis=axis)


def matvec(x1, x2, /, **kw):
    x1, x2 = lift_float(x1, x2)
    return np.sum(x1 * x2[..., None, :], axis=-1)


def vecmat(x1, x2, /, **kw):
    x1, x2 = lift_float(x1, x2)
    return np.sum(x1[..., :, None] * x2, axis=-2)


def _cumulative(op, x, axis, include_initial, initial):
    (x,) = lift_float(x)
    if axis is None:
        if x.ndim > 1:
            raise ValueError("axis must be specified for multi-dimensional arrays")
        axis = 0
    out = op(x, axis=axis)
    if include_initial:
        shape = list(out.shape)
        shape[axis] = 1
        out = np.concatenate([lift(x.rec, np.full(shape, initial)), out], axis=axis)
    return out


def cumulative_sum(x, /, *, axis=None, dtype=None, out=None, include_initial=False):
    return _cumulative(np.cumsum, x, axis, include_initial, 0.0)


def cumulative_prod(x, /, *, axis=None, dtype=None, out=None, include_initial=False):
    return _cumulative(np.cumprod, x, axis, include_initial, 1.0)


# ---------------------------------------------------------------------------------------
# order statistics: a sort (a sorting network in global mode), then fixed positions
# ---------------------------------------------------------------------------------------

_METHODS = ("linear", "lower", "higher", "nearest", "midpoint")


def _sorted_along(a, axis):
    """``a`` (float, traced) sorted along its axes ``axis`` merged into the last one."""
    (a,) = lift_float(a)
    flat, axes = axes_last(a, axis)
    return np.sort(flat, axis=-1), a, axes


def _keep(out, a, axes, keepdims, lead=0):
    """``out`` with the reduced axes of ``a`` back as length 1 (keepdims), after ``lead``
    leading axes (the quantiles')."""
    return np.reshape(out, out.shape[:lead] + keepdims_shape(a, axes)) if keepdims else out


def _quantile(a, q, axis, method, keepdims, what):
    if method not in _METHODS:
        raise UnsupportedFunctionError(
            f"{what} with method={method!r}", f"Traceable methods: {', '.join(_METHODS)}."
        )
    q = _constant(q, f"{what}'s q")
    if np.any((q < 0) | (q > 1)) or np.any(np.isnan(q)):
        raise ValueError("Quantiles must be in the range [0, 1]")
    s, a, axes = _sorted_along(a, axis)
    n = s.shape[-1]
    virtual = (n - 1) * q
    lo = np.floor(virtual).astype(np.int64)
    hi = np.minimum(lo + 1, n - 1)
    gamma = virtual - lo
    if method == "lower":
        hi, gamma = lo, np.zeros_like(gamma)
    elif method == "higher":
        lo = hi = np.ceil(virtual).astype(np.int64)
    elif method == "nearest":
        lo = hi = np.around(virtual).astype(np.int64)
    elif method == "midpoint":
        gamma = np.where(virtual % 1 == 0, 0.0, 0.5)
    a_lo = np.moveaxis(np.take(s, np.ravel(lo), axis=-1), -1, 0)
    a_hi = np.moveaxis(np.take(s, np.ravel(hi), axis=-1), -1, 0)
    g = np.reshape(np.ravel(gamma), (-1,) + (1,) * (a_lo.ndim - 1))
    diff = a_hi - a_lo
    out = np.where(g >= 0.5, a_hi - diff * (1.0 - g), a_lo + diff * g)  # numpy's _lerp
    out = np.reshape(out, q.shape + out.shape[1:])
    return _keep(out, a, axes, keepdims, lead=q.ndim)


def quantile(
    a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, **kw
):
    return _quantile(a, q, axis, method, keepdims, "np.quantile")


def percentile(
    a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, **kw
):
    return _quantile(
        a,
        np.true_divide(_constant(q, "np.percentile's q"), 100),
        axis,
        method,
        keepdims,
        "np.percentile",
    )


def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """The middle of the sorted values (the mean of the two middle ones for even n)."""
    s, a, axes = _sorted_along(a, axis)
    n = s.shape[-1]
    if n % 2:
        out = np.take(s, n // 2, axis=-1)
    else:
        out = np.mean(np.take(s, [n // 2 - 1, n // 2], axis=-1), axis=-1)
    return _keep(out, a, axes, keepdims)


# ---------------------------------------------------------------------------------------
# covariance and correlation
# ---------------------------------------------------------------------------------------


def cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None, *, dtype=None):
    """numpy's covariance (constant weights) of traced observations."""
    (m,) = lift_float(m)
    if m.ndim > 2:
        raise ValueError("m has more than 2 dimensions")
    X = np.atleast_2d(m)
    if not rowvar and X.shape[0] != 1:
        X = X.T
    if y is not None:
        (y,) = lift_float(y)
        y = np.atleast_2d(y)
        if not rowvar and y.shape[0] != 1:
            y = y.T
        X = np.concatenate([X, lift(X.rec, y)], axis=0)
    if ddof is None:
        ddof = 0 if bias else 1
    w = None
    if fweights is not None:
        w = _constant(fweights, "np.cov's fweights")
    if aweights is not None:
        aw = _constant(aweights, "np.cov's aweights")
        w = aw if w is None else w * aw
    if w is None:
        avg = np.mean(X, axis=1)
        fact = X.shape[1] - ddof
        d = X - avg[:, None]
        c = np.dot(d, d.T) / fact
    else:
        w_sum = np.sum(w)
        avg = np.sum(X * w, axis=1) / w_sum
        if ddof == 0:
            fact = w_sum
        elif aweights is None:
            fact = w_sum - ddof
        else:
            fact = w_sum - ddof * np.sum(w * aw) / w_sum
        d = X - avg[:, None]
        c = np.dot(d * w, d.T) / fact
    return c[0, 0] if c.shape == (1, 1) else c


def corrcoef(x, y=None, rowvar=True, *, dtype=None, **kw):
    """Pearson correlation coefficients: the covariance over the standard deviations."""
    c = cov(x, y, rowvar)
    if c.ndim == 0:
        return c / c
    s = np.sqrt(np.diagonal(c))
    c = c / s[:, None]
    c = c / s[None, :]
    return np.clip(c, -1.0, 1.0)


# ---------------------------------------------------------------------------------------
# NaN handling, piecewise functions, phases, exponents
# ---------------------------------------------------------------------------------------


def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    (x,) = lift_float(x)
    big = np.finfo(np.float64).max
    posinf = big if posinf is None else posinf
    neginf = -big if neginf is None else neginf
    out = np.where(np.isnan(x), nan, x)
    out = np.where(x == np.inf, posinf, out)
    return np.where(x == -np.inf, neginf, out)


def _nan_extreme(reduce, fill):
    def extreme(a, axis=None, out=None, keepdims=False, **kw):
        (a,) = lift_float(a)
        nan = np.isnan(a)
        r = reduce(np.where(nan, fill, a), axis=axis, keepdims=keepdims)
        return np.where(np.all(nan, axis=axis, keepdims=keepdims), np.nan, r)

    return extreme


nanmax = _nan_extreme(np.max, -np.inf)
nanmin = _nan_extreme(np.min, np.inf)


def nanprod(a, axis=None, dtype=None, out=None, keepdims=False, **kw):
    (a,) = lift_float(a)
    return np.prod(np.where(np.isnan(a), 1.0, a), axis=axis, keepdims=keepdims)


def nanvar(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kw):
    (a,) = lift_float(a)
    ok = ~np.isnan(a)
    count = np.sum(np.where(ok, 1.0, 0.0), axis=axis, keepdims=True)
    vals = np.where(ok, a, 0.0)
    mean = np.sum(vals, axis=axis, keepdims=True) / count
    dev = np.where(ok, vals - mean, 0.0)
    var = np.sum(dev * dev, axis=axis, keepdims=True) / (count - ddof)
    return var if keepdims else np.squeeze(var, axis=axis)


def nanstd(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kw):
    return np.sqrt(nanvar(a, axis=axis, ddof=ddof, keepdims=keepdims))


def piecewise(x, condlist, funclist, *args, **kw):
    """Every function on the whole x, chosen per element by the conditions (a later
    condition wins, as in numpy; one extra function is the otherwise case)."""
    (x,) = lift_float(x)
    if isinstance(condlist, np.ndarray | TracedArray) and condlist.ndim == x.ndim:
        condlist = [condlist]
    condlist = list(condlist)
    if len(funclist) == len(condlist) + 1:
        none = ~np.any(np.stack([lift(x.rec, c) for c in condlist]), axis=0)
        condlist.append(none)
    if len(funclist) != len(condlist):
        raise ValueError(
            f"with {len(condlist)} condition(s), either {len(condlist)} or "
            f"{len(condlist) + 1} functions are expected"
        )
    out = lift(x.rec, np.zeros(x.shape))
    for cond, fn in zip(condlist, funclist):
        value = fn(x, *args, **kw) if callable(fn) else fn
        out = np.where(cond, value, out)
    return out


def unwrap(p, discont=None, axis=-1, *, period=2 * np.pi):
    """numpy's phase unwrapping: the corrections are piecewise constant."""
    (p,) = lift_float(p)
    dd = np.diff(p, axis=axis)
    discont = period / 2 if discont is None else discont
    half = period / 2
    ddmod = np.mod(dd + half, period) - half
    ddmod = np.where((ddmod == -half) & (dd > 0), half, ddmod)
    correct = np.where(np.abs(dd) < discont, 0.0, ddmod - dd)
    axis = normalize_axis_index(axis, p.ndim)
    shape = list(p.shape)
    shape[axis] = 1
    zero = lift(p.rec, np.zeros(shape))
    return p + np.concatenate([zero, np.cumsum(correct, axis=axis)], axis=axis)


def fix(x, out=None):
    return np.trunc(x)


def ldexp(x1, x2, /, **kw):
    """x1 · 2**x2 for constant integer exponents."""
    x2 = np.asarray(_constant(x2, "np.ldexp's exponent"))
    if np.any(x2 != np.floor(x2)):
        raise TypeError("np.ldexp needs integer exponents")
    (x1,) = lift_float(x1)
    return x1 * np.ldexp(1.0, x2.astype(np.int64))


# ---------------------------------------------------------------------------------------
# least squares
# ---------------------------------------------------------------------------------------


def lstsq(a, b, rcond=None):
    """``np.linalg.lstsq``: a constant ``a`` is the constant linear map numpy applies to
    ``b``; a traced ``a`` must have full rank at x (its pseudo-inverse, as np.linalg.pinv)."""
    from .linalg import pinv
    from .spectral import singular_values

    rec = find_recorder([a, b])
    b = lift(rec, b)
    b = b.astype(np.float64) if b.val.dtype != np.float64 else b
    if isinstance(a, TracedArray):
        (a,) = lift_float(a)
        x = np.dot(pinv(a), b)
        m, n = a.shape
        rank = min(m, n)
        sv = singular_values(a, what="np.linalg.lstsq")
    else:
        A = np.asarray(a, dtype=np.float64)
        m, n = A.shape
        P, _, rank, sv = np.linalg.lstsq(A, np.eye(m), rcond=rcond)
        x = np.dot(P, b)
    if rank == n and m > n:
        r = np.dot(a, x) - b
        residuals = np.reshape(np.sum(r * r, axis=0), (-1,))
    else:
        residuals = np.zeros(0)
    return x, residuals, rank, sv


def polyfit(x, y, deg, rcond=None, full=False, w=None, cov=False):
    """``np.polyfit`` with constant abscissae and weights: numpy's scaled least squares,
    a constant linear map of the traced ``y``."""
    if full or cov:
        raise UnsupportedFunctionError(
            "np.polyfit with full=True or cov=True",
            "Call it with the defaults (the coefficients), and np.polyval for residuals.",
        )
    x = _constant(x, "np.polyfit's x")
    (y,) = lift_float(y)
    lhs = np.vander(x, int(deg) + 1)
    rhs = y
    if w is not None:
        w = _constant(w, "np.polyfit's w")
        lhs = lhs * w[:, None]
        rhs = rhs * (w if y.ndim == 1 else w[:, None])
    rcond = len(x) * np.finfo(np.float64).eps if rcond is None else rcond
    scale = np.sqrt((lhs * lhs).sum(axis=0))
    P = np.linalg.lstsq(lhs / scale, np.eye(len(x)), rcond=rcond)[0]
    c = np.dot(P, rhs)
    return c / (scale if c.ndim == 1 else scale[:, None])


# ---------------------------------------------------------------------------------------
# registration
# ---------------------------------------------------------------------------------------

COMPOSED = {
    np.cross: cross,
    np.gradient: gradient,
    np.meshgrid: meshgrid,
    np.ediff1d: ediff1d,
    np.linalg.multi_dot: multi_dot,
    np.median: median,
    np.percentile: percentile,
    np.quantile: quantile,
    np.cov: cov,
    np.corrcoef: corrcoef,
    np.nan_to_num: nan_to_num,
    np.nanmax: nanmax,
    np.nanmin: nanmin,
    np.nanprod: nanprod,
    np.nanvar: nanvar,
    np.nanstd: nanstd,
    np.piecewise: piecewise,
    np.unwrap: unwrap,
    np.fix: fix,
    np.linalg.lstsq: lstsq,
    np.polyfit: polyfit,
}
for _name, _fn in (
    ("cumulative_sum", cumulative_sum),
    ("cumulative_prod", cumulative_prod),
):
    if hasattr(np, _name):
        COMPOSED[getattr(np, _name)] = _fn
#: numpy 2's np.linalg array-API aliases -> the numpy function asd traces
LINALG_ALIASES = {
    "outer": lambda x1, x2, /: np.outer(x1, x2),
    "trace": lambda x, /, *, offset=0, dtype=None: np.trace(x, offset, axis1=-2, axis2=-1),
    "diagonal": lambda x, /, *, offset=0: np.diagonal(x, offset, axis1=-2, axis2=-1),
    "matmul": lambda x1, x2, /: np.matmul(x1, x2),
    "tensordot": lambda x1, x2, /, *, axes=2: np.tensordot(x1, x2, axes=axes),
    "vecdot": vecdot,
    "cross": lambda x1, x2, /, *, axis=-1: cross(x1, x2, axis=axis),
    "matrix_transpose": lambda x, /: np.swapaxes(x, -1, -2),
}
for _name, _fn in LINALG_ALIASES.items():
    if hasattr(np.linalg, _name):
        COMPOSED[getattr(np.linalg, _name)] = _fn
#: ufuncs (numpy 2's vecdot / matvec / vecmat are generalised ufuncs) written here
COMPOSED_UFUNCS = {np.ldexp: ldexp}
for _name, _fn in (("vecdot", vecdot), ("matvec", matvec), ("vecmat", vecmat)):
    if hasattr(np, _name):
        COMPOSED_UFUNCS[getattr(np, _name)] = _fn
