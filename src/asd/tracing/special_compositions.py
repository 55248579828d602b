"""scipy.special ufuncs written as compositions of traced numpy operations.

Each function follows scipy's own formula, branch by branch, with ``np.where``. The
branch that is not selected is evaluated at safe arguments (1 or 0 in place of the
entries it does not own), so its value and derivatives stay finite and the zero
weight ``where`` gives it never meets an infinite or NaN partial. Functions whose
formula cancels near a point (``exprel`` at 0) use their Taylor series there, so
the derivatives are exact too.
"""

from __future__ import annotations

import math

import numpy as np

from .tracer import lift_float

#: the largest x with a finite exp(x)
LOG_MAX = math.log(np.finfo(np.float64).max)
#: scipy's exp2 and exp10 are 0 below these
EXP2_MIN = -1024.0
EXP10_MIN = -308.2547155599167
#: |x| below which exprel uses its Taylor series
EXPREL_SERIES = 0.5
#: Taylor coefficients 1/(k + 1)! of exprel, highest power first (|x| <= 0.5: < 1e-17)
_EXPREL_COEFFS = tuple(1.0 / math.factorial(k + 1) for k in range(16, -1, -1))


def _safe(cond, x, fill=1.0):
    """``x`` where ``cond``, ``fill`` elsewhere: the argument of a branch ``cond`` selects."""
    return np.where(cond, x, fill)


def entr(x):
    """-x log x for x > 0, 0 at 0, -inf below (NaN stays NaN)."""
    (x,) = lift_float(x)
    pos = x > 0
    xs = _safe(pos, x)
    val = np.where(pos, -xs * np.log(xs), np.where(x == 0, 0.0, -np.inf))
    return np.where(np.isnan(x), x, val)


def _both_positive_or(x, y, positive, at_zero):
    """``positive`` where x > 0 and y > 0, ``at_zero`` where x == 0 <= y, inf elsewhere
    and NaN where either is NaN (the case split of rel_entr and kl_div)."""
    val = np.where((x > 0) & (y > 0), positive, np.where((x == 0) & (y >= 0), at_zero, np.inf))
    return np.where(np.isnan(x) | np.isnan(y), x + y, val)


def rel_entr(x, y):
    """x log(x / y): with log1p((x - y) / y) for 0.5 < x / y < 2, log(x) - log(y) where
    x / y under- or overflows (scipy's three formulas)."""
    x, y = lift_float(x, y)
    pos = (x > 0) & (y > 0)
    xs, ys = _safe(pos, x), _safe(pos, y)
    ratio = xs / ys
    near = (ratio > 0.5) & (ratio < 2.0)
    normal = (ratio > np.finfo(np.float64).tiny) & (ratio < np.inf)
    x1, y1 = _safe(near, xs), _safe(near, ys)
    x2, y2 = _safe(normal, xs), _safe(normal, ys)
    x3, y3 = _safe(normal, 1.0, xs), _safe(normal, 1.0, ys)
    val = np.where(
        near,
        x1 * np.log1p((x1 - y1) / y1),
        np.where(normal, x2 * np.log(x2 / y2), x3 * (np.log(x3) - np.log(y3))),
    )
    return _both_positive_or(x, y, val, 0.0)


def kl_div(x, y):
    """x log(x / y) - x + y for positive x, y; y at x == 0 <= y; inf elsewhere."""
    x, y = lift_float(x, y)
    pos = (x > 0) & (y > 0)
    xs, ys = _safe(pos, x), _safe(pos, y)
    return _both_positive_or(x, y, xs * np.log(xs / ys) - xs + ys, y)


def huber(delta, r):
    """r²/2 for |r| <= delta, delta (|r| - delta/2) beyond, inf for delta < 0."""
    delta, r = lift_float(delta, r)
    a = np.abs(r)
    val = np.where(a <= delta, 0.5 * r * r, delta * (a - 0.5 * delta))
    return np.where(delta < 0, np.inf, val)


def pseudo_huber(delta, r):
    """delta² (sqrt(1 + (r/delta)²) - 1) as delta² expm1(log1p((r/delta)²) / 2); 0 at
    delta == 0, inf for delta < 0. r == 0 needs no case of its own: the formula gives
    0 there, with the curvature 1 of the exact function."""
    delta, r = lift_float(delta, r)
    pos = delta > 0
    d = _safe(pos, delta)
    v = r / d
    val = d * d * np.expm1(0.5 * np.log1p(v * v))
    val = np.where(pos, val, np.where(delta == 0, 0.0, np.inf))
    return np.where(np.isnan(delta), delta, val)


def _exprel(x):
    """(exp(x) - 1) / x on a traced float array: its Taylor series for |x| <= 0.5
    (no cancellation in the derivatives), 1 at x = 0, inf past exp's overflow."""
    small = np.abs(x) <= EXPREL_SERIES
    xs = _safe(small, x, 0.0)
    series = 0.0 * xs
    for c in _EXPREL_COEFFS:
        series = series * xs + c
    mid = ~small & (x <= LOG_MAX) & (x > -np.inf)
    xm = _safe(mid, x)
    val = np.where(mid, np.expm1(xm) / xm, np.where(x > 0, np.inf, np.where(x < 0, 0.0, x)))
    return np.where(small, series, val)


def exprel(x):
    """(exp(x) - 1) / x, 1 at 0."""
    (x,) = lift_float(x)
    return _exprel(x)


def cosm1(x):
    """cos(x) - 1: -2 sin²(x/2) for |x| <= π/4 (no cancellation), cos(x) - 1 beyond (as
    scipy switches)."""
    (x,) = lift_float(x)
    s = np.sin(0.5 * x)
    return np.where(np.abs(x) <= 0.25 * np.pi, -2.0 * s * s, np.cos(x) - 1.0)


def _boxcox_of_log(lx, lmbda):
    """(exp(λ·lx) - 1) / λ as lx · exprel(λ·lx) (log x at λ = 0, with the exact
    derivatives in λ there), past exp's overflow sign(λ) exp(λ·lx - log|λ|) - 1/λ;
    -1/λ (λ > 0) or -inf where lx = -inf."""
    lx, lmbda = lift_float(lx, lmbda)
    finite = lx > -np.inf
    lf = _safe(finite, lx, 0.0)
    t = lmbda * lf
    big = t >= 709.78
    tm = _safe(big, 0.0, t)
    lb, tb = _safe(big, lmbda), _safe(big, t, 0.0)
    main = lf * _exprel(tm)
    over = np.sign(lb) * np.exp(tb - np.log(np.abs(lb))) - 1.0 / lb
    val = np.where(big, over, main)
    at_zero = np.where(lmbda > 0, -1.0 / _safe(lmbda > 0, lmbda), -np.inf)
    return np.where(finite, val, np.where(np.isnan(lx), lx, at_zero))


def boxcox(x, lmbda):
    """(x^λ - 1) / λ, log x at λ = 0."""
    (x,) = lift_float(x)
    return _boxcox_of_log(np.log(x), lmbda)


def boxcox1p(x, lmbda):
    """((1 + x)^λ - 1) / λ, log1p(x) at λ = 0."""
    (x,) = lift_float(x)
    return _boxcox_of_log(np.log1p(x), lmbda)


def log1p(x):
    """log(1 + x), numpy's rule."""
    return np.log1p(lift_float(x)[0])


def expm1(x):
    """exp(x) - 1, numpy's rule."""
    return np.expm1(lift_float(x)[0])


def cbrt(x):
    """The real cube root, numpy's rule."""
    return np.cbrt(lift_float(x)[0])


def exp2(x):
    """2^x, numpy's rule; 0 below -1024, where scipy flushes the subnormal results."""
    (x,) = lift_float(x)
    return np.where(x < EXP2_MIN, 0.0, np.exp2(_safe(x < EXP2_MIN, 0.0, x)))


def exp10(x):
    """10^x as a power of the constant base 10; 0 below -log10(max double), where scipy
    flushes the subnormal results."""
    (x,) = lift_float(x)
    return np.where(x < EXP10_MIN, 0.0, np.power(10.0, _safe(x < EXP10_MIN, 0.0, x)))


def powm1(x, y):
    """x^y - 1 as scipy (Boost) computes it: expm1(y log|x|) where y (x - 1) or y is
    small and y log|x| < 0.5, else ±|x|^y - 1 (the sign of x^y for x < 0 and odd y);
    0 for y == 0 or x == 1; at x == 0: -1 (y > 0), inf (y < 0); NaN for x < 0 and y not
    an integer."""
    x, y = lift_float(x, y)
    ax = np.abs(x)
    nonzero = ax > 0
    axs = _safe(nonzero & (ax < np.inf), ax)
    ly = y * np.log(axs)
    integer = np.trunc(y) == y
    even = integer & (np.trunc(0.5 * y) == 0.5 * y)
    near = ((np.abs(y * (ax - 1.0)) < 0.5) | (np.abs(y) < 0.2)) & (ly < 0.5)
    use_expm1 = near & (ax < np.inf) & ((x > 0) | ((x < 0) & even))
    small = np.expm1(_safe(use_expm1, ly, 0.0))
    sign = np.where((x < 0) & ~even, -1.0, 1.0)
    axp = _safe(nonzero & ~use_expm1, ax)
    yp = _safe(nonzero & ~use_expm1, y, 0.0)
    large = sign * np.power(axp, yp) - 1.0
    val = np.where(use_expm1, small, large)
    val = np.where((x < 0) & ~integer, np.nan, val)
    val = np.where(x == 0, np.where(y > 0, -1.0, np.where(y < 0, np.inf, y)), val)
    val = np.where(np.isnan(x) | np.isnan(y), x + y, val)
    return np.where((y == 0) | (x == 1), 0.0, val)


#: scipy.special ufunc name -> composition
COMPOSITIONS = {
    "entr": entr,
    "rel_entr": rel_entr,
    "kl_div": kl_div,
    "huber": huber,
    "pseudo_huber": pseudo_huber,
    "boxcox": boxcox,
    "boxcox1p": boxcox1p,
    "exprel": exprel,
    "cosm1": cosm1,
    "log1p": log1p,
    "expm1": expm1,
    "cbrt": cbrt,
    "exp2": exp2,
    "exp10": exp10,
    "powm1": powm1,
}
