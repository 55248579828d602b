"""Special functions for the operator table's expressions (``sf_*`` names).

The table's expressions are one text for numpy (while tracing) and Numba (in the
generated kernels). Numba cannot call ``scipy.special``, so each ``sf_*`` name is
defined twice, with the same rule:

* ``NUMPY_HELPERS``: vectorised numpy / ``scipy.special`` functions;
* ``SPECIAL_SOURCE``: scalar Numba functions, written into the kernel module. The
  ``scipy.special`` ones call scipy's own C implementations through
  ``scipy.special.cython_special``: their addresses are registered as LLVM symbols
  when the kernel module is imported, and the kernels call them by symbol name
  (``numba.types.ExternalFunction``), so Numba's on-disk cache stays valid across
  processes (the address is looked up again on every import, never baked in).

``sf_polygamma(n, x)`` (n >= 1) has no C entry point in ``cython_special``: it shifts
x up by the recurrence ψ⁽ⁿ⁾(x) = ψ⁽ⁿ⁾(x + 1) + (-1)ⁿ⁺¹ n! / xⁿ⁺¹ until x >= 20 + n and
sums the asymptotic (Bernoulli) series there; the same code runs under numpy
(``np.vectorize``) and Numba, and matches scipy to ~1e-15 relative (``tests/test_special.py``).
Derivatives that cancel near 0 (``sinc``, the Bessel ``I1``) use their Taylor series
there.
"""

from __future__ import annotations

import ctypes
import importlib
import math

import numpy as np

#: cython_special entry points: the kernel name and scipy's function name
CYTHON_FUNCTIONS = (
    "erf",
    "erfc",
    "gammaln",
    "gamma",
    "erfinv",
    "erfcinv",
    "psi",
    "i0",
    "i1",
    "i0e",
    "i1e",
    "ndtr",
    "ndtri",
    "log_ndtr",
    "expit",
    "log_expit",
    "logit",
)

_DOUBLE_SIGNATURE = b"double (double, int __pyx_skip_dispatch)"


def _scipy_special(name: str):
    """``scipy.special.<name>``, imported on first call (importing scipy.special costs
    ~0.06 s, which a process that never meets a special function should not pay)."""

    def call(*args):
        return getattr(importlib.import_module("scipy.special"), name)(*args)

    call.__name__ = name
    return call


def cython_address(name: str) -> int:
    """The address of the double-precision ``scipy.special.cython_special.<name>``
    (a fused function has one specialisation per type: the one taking a double)."""
    import scipy.special.cython_special as cs

    get_name = ctypes.pythonapi.PyCapsule_GetName
    get_name.restype, get_name.argtypes = ctypes.c_char_p, [ctypes.py_object]
    get_ptr = ctypes.pythonapi.PyCapsule_GetPointer
    get_ptr.restype, get_ptr.argtypes = ctypes.c_void_p, [ctypes.py_object, ctypes.c_char_p]
    capi = cs.__pyx_capi__
    for key in (name, *(f"__pyx_fuse_{i}{name}" for i in range(4))):
        cap = capi.get(key)
        if cap is not None and get_name(cap) == _DOUBLE_SIGNATURE:
            return get_ptr(cap, _DOUBLE_SIGNATURE)
    raise ImportError(f"asd: scipy.special.cython_special has no double {name}")


_BERNOULLI = (
    1.0 / 6.0,
    -1.0 / 30.0,
    1.0 / 42.0,
    -1.0 / 30.0,
    5.0 / 66.0,
    -691.0 / 2730.0,
    7.0 / 6.0,
    -3617.0 / 510.0,
    43867.0 / 798.0,
    -174611.0 / 330.0,
)

# scalar code shared by numpy (np.vectorize) and Numba: only math and plain floats
_SCALAR_SOURCE = '''
def sf_polygamma(n, x):
    """ψ⁽ⁿ⁾(x) for integer n >= 0 (n = 0: digamma)."""
    m = int(n)
    if m == 0:
        return sf_psi(x)
    if m < 0 or m != n or x != x:
        return math.nan
    if x <= 0.0 and x == math.floor(x):
        return math.inf if m % 2 == 1 else math.nan
    fact = 1.0
    for i in range(2, m + 1):
        fact *= i
    shift = 0.0
    z = x
    lim = 20.0 + m
    while z < lim:
        shift += 1.0 / z ** (m + 1)
        z += 1.0
    # asymptotic series at z: (m-1)!/z^m + m!/(2 z^(m+1)) + Σ B_2k (2k+m-1)!/((2k)! z^(2k+m))
    zi2 = 1.0 / (z * z)
    total = fact / m / z**m + fact / (2.0 * z ** (m + 1))
    coef = fact / m / z**m  # (2k+m-1)! / ((2k)! z^(2k+m)) at k = 0
    for k in range(1, 11):
        # from (2k+m-3)!/(2k-2)! z^-(2k+m-2) to (2k+m-1)!/(2k)! z^-(2k+m)
        coef *= (2.0 * k + m - 2.0) * (2.0 * k + m - 1.0) / ((2.0 * k - 1.0) * 2.0 * k) * zi2
        total += BERNOULLI[k - 1] * coef
    total += fact * shift
    return total if m % 2 == 1 else -total


def sf_sinc_t1(t):
    """d/dt (sin t / t)."""
    if abs(t) < 1.0:
        s = 0.0
        tt = t * t
        for k in range(12, 0, -1):
            s = s * tt + (-1.0) ** k * (2.0 * k) / math.gamma(2.0 * k + 2.0)
        return s * t
    return (t * math.cos(t) - math.sin(t)) / (t * t)


def sf_sinc_t2(t):
    """d²/dt² (sin t / t)."""
    if abs(t) < 1.0:
        s = 0.0
        tt = t * t
        for k in range(12, 0, -1):
            s = s * tt + (-1.0) ** k * (2.0 * k) * (2.0 * k - 1.0) / math.gamma(2.0 * k + 2.0)
        return s
    return -math.sin(t) / t - 2.0 * math.cos(t) / (t * t) + 2.0 * math.sin(t) / (t * t * t)


def sf_i1_series2(x):
    """I1''(x) by its Taylor series (|x| < 2)."""
    h = 0.5 * x
    s = 0.0
    for k in range(16, 0, -1):
        m = 2.0 * k + 1.0
        s += m * (m - 1.0) / 4.0 * h ** (2 * k - 1) / (math.gamma(k + 1.0) * math.gamma(k + 2.0))
    return s


def sf_i1_d(x):
    """I1'(x) = I0(x) - I1(x) / x."""
    if x == 0.0:
        return 0.5
    return sf_i0(x) - sf_i1(x) / x


def sf_i1e_d(x):
    """exp(-|x|) I1'(x)."""
    if x == 0.0:
        return 0.5
    return sf_i0e(x) - sf_i1e(x) / x


def sf_i1_dd(x):
    """I1''(x) = I1 - I0 / x + 2 I1 / x²."""
    if abs(x) < 2.0:
        return sf_i1_series2(x)
    return sf_i1(x) - sf_i0(x) / x + 2.0 * sf_i1(x) / (x * x)


def sf_i1e_dd(x):
    """exp(-|x|) I1''(x)."""
    if abs(x) < 2.0:
        return sf_i1_series2(x) * math.exp(-abs(x))
    return sf_i1e(x) - sf_i0e(x) / x + 2.0 * sf_i1e(x) / (x * x)


def sf_log_ndtr_cf(t):
    """C(t) = t + 2/(t + 3/(t + 4/(t + ...))) for t >= 8: the Mills-ratio continued
    fraction, so that log Φ'(-t) = t + 1/C(t) and -t + log Φ'(-t) = 1/C(t) need no
    cancellation in the far left tail."""
    c = t
    for k in range(60, 1, -1):
        c = t + k / c
    return c


def sf_log_ndtr_d(a, v):
    """d/da log Φ(a) = φ(a) / Φ(a)."""
    if a < -8.0:
        return -a + 1.0 / sf_log_ndtr_cf(-a)
    return 0.3989422804014327 * math.exp(-0.5 * a * a - v)


def sf_log_ndtr_dd(a, v):
    """d²/da² log Φ(a) = -d (a + d)."""
    if a < -8.0:
        c = sf_log_ndtr_cf(-a)
        return -(-a + 1.0 / c) / c
    d = 0.3989422804014327 * math.exp(-0.5 * a * a - v)
    return -d * (a + d)


def sf_xlogy(x, y):
    if x == 0.0 and y == y:
        return 0.0
    return x * math.log(y) if y > 0.0 else (x * -math.inf if y == 0.0 else math.nan)


def sf_xlog1py(x, y):
    if x == 0.0 and y == y:
        return 0.0
    return x * math.log1p(y) if y > -1.0 else (x * -math.inf if y == -1.0 else math.nan)
'''

_SCALAR_NAMES = (
    "sf_polygamma",
    "sf_sinc_t1",
    "sf_sinc_t2",
    "sf_i1_series2",
    "sf_i1_d",
    "sf_i1e_d",
    "sf_i1_dd",
    "sf_i1e_dd",
    "sf_xlogy",
    "sf_xlog1py",
    "sf_log_ndtr_cf",
    "sf_log_ndtr_d",
    "sf_log_ndtr_dd",
)


def _scalar(f):
    """``f`` of one float, returning a Python float."""
    return lambda x: float(f(x))


def _python_scalars() -> dict:
    ns = {
        "math": math,
        "BERNOULLI": _BERNOULLI,
        "sf_psi": _scalar(_scipy_special("psi")),
        "sf_i0": _scalar(_scipy_special("i0")),
        "sf_i1": _scalar(_scipy_special("i1")),
        "sf_i0e": _scalar(_scipy_special("i0e")),
        "sf_i1e": _scalar(_scipy_special("i1e")),
    }
    exec(_SCALAR_SOURCE, ns)  # noqa: S102
    return ns


def _vectorised():
    ns = _python_scalars()
    out = {}
    for name in _SCALAR_NAMES:
        out[name] = np.vectorize(ns[name], otypes=[np.float64])
    return out


def _sinc(x):
    with np.errstate(all="ignore"):
        t = np.pi * np.asarray(x, np.float64)
        return np.where(t == 0.0, 1.0, np.sin(t) / np.where(t == 0.0, 1.0, t))


#: the numpy definitions of every ``sf_*`` name (used while tracing)
NUMPY_HELPERS = {
    "sf_sinc": _sinc,
    **{f"sf_{name}": _scipy_special(name) for name in CYTHON_FUNCTIONS},
    **_vectorised(),
}

_EXTERNAL = "\n".join(
    f'llvm.add_symbol("asd_sf_{name}", cython_address("{name}"))\n'
    f'_ext_{name} = types.ExternalFunction("asd_sf_{name}", _SIG)\n\n\n'
    f'@njit(cache=True, inline="always")\n'
    f"def sf_{name}(x):\n"
    f"    return _ext_{name}(x, 0)\n\n"
    for name in CYTHON_FUNCTIONS
)

_JIT_SCALARS = _SCALAR_SOURCE.replace("\ndef ", "\n@njit(cache=True)\ndef ")

#: the Numba definitions, written into the generated kernel module
SPECIAL_SOURCE = f"""
import math

import llvmlite.binding as llvm
from numba import types

from asd.operators.special import _BERNOULLI, cython_address

BERNOULLI = _BERNOULLI
_SIG = types.float64(types.float64, types.intc)

{_EXTERNAL}

@njit(cache=True, inline="always")
def sf_sinc(x):
    if x == 0.0:
        return 1.0
    t = math.pi * x
    return math.sin(t) / t

{_JIT_SCALARS}
"""
