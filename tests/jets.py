"""Second-order forward-mode jets: an independent reference for plain numpy code.

A :class:`Jet` carries a value, its gradient and its Hessian with respect to the n
inputs; arithmetic and the elementary functions apply the chain rule exactly (value,
first and second derivatives in floating point, no truncation error). numpy's object
arrays hold jets, and numpy's ufuncs call the jet's method of the same name on each
element, so the very numpy source of a corpus function runs on jets once its global
name ``np`` is bound to :data:`np_jets`: numpy itself, except that the float buffer
constructors (``np.zeros(m)``, ``np.empty``, ``np.ones``, ``np.full``, ``*_like``,
``np.array`` of numbers) return object arrays of constant jets, so element writes
``fvec[i] = ...`` store jets. Nothing here shares code with asd, and jax (x64) checks
these references on part of the corpus (``tests/test_corpus.py``)."""

from __future__ import annotations

import math
import types

import numpy as np


class Jet:
    __slots__ = ("v", "g", "H")
    n = 0  # number of inputs of the current evaluation

    def __init__(self, v, g=None, H=None):
        self.v = float(v)
        self.g = np.zeros(Jet.n) if g is None else g
        self.H = np.zeros((Jet.n, Jet.n)) if H is None else H

    def _chain(self, f0, f1, f2):
        """f(self) from f, f', f'' at self.v."""
        return Jet(f0, f1 * self.g, f1 * self.H + f2 * np.outer(self.g, self.g))

    # -- arithmetic ----------------------------------------------------------------------
    def __add__(self, o):
        if isinstance(o, np.ndarray):
            return NotImplemented
        if isinstance(o, Jet):
            return Jet(self.v + o.v, self.g + o.g, self.H + o.H)
        return Jet(self.v + o, self.g, self.H)

    __radd__ = __add__

    def __neg__(self):
        return Jet(-self.v, -self.g, -self.H)

    def __pos__(self):
        return self

    def __sub__(self, o):
        return self + (-o)

    def __rsub__(self, o):
        return (-self) + o

    def __mul__(self, o):
        if isinstance(o, np.ndarray):
            return NotImplemented
        if isinstance(o, Jet):
            gg = np.outer(self.g, o.g)
            return Jet(
                self.v * o.v, self.g * o.v + o.g * self.v, self.H * o.v + o.H * self.v + gg + gg.T
            )
        return Jet(self.v * o, self.g * o, self.H * o)

    __rmul__ = __mul__

    def reciprocal(self):
        v = self.v
        return self._chain(1.0 / v, -1.0 / v**2, 2.0 / v**3)

    def __truediv__(self, o):
        if isinstance(o, np.ndarray):
            return NotImplemented
        if isinstance(o, Jet):
            return self * o.reciprocal()
        return self * (1.0 / o)

    def __rtruediv__(self, o):
        if isinstance(o, np.ndarray):
            return NotImplemented
        return self.reciprocal() * o

    def __pow__(self, p):
        if isinstance(p, np.ndarray):
            return NotImplemented
        if isinstance(p, Jet):
            return (p * self.log()).exp()
        p = float(p)
        if p == 0.0:
            return Jet(1.0)
        v = self.v
        d2 = p * (p - 1) * v ** (p - 2) if p not in (1.0,) else 0.0
        return self._chain(v**p, p * v ** (p - 1), d2)

    def __rpow__(self, c):
        return (self * math.log(c)).exp()

    def square(self):
        return self * self

    def __abs__(self):
        return self if self.v >= 0 else -self

    absolute = __abs__

    def sign(self):
        return Jet(np.sign(self.v))

    def floor(self):
        return Jet(math.floor(self.v))

    def ceil(self):
        return Jet(math.ceil(self.v))

    __floor__ = floor
    __ceil__ = ceil

    def rint(self):
        return Jet(np.rint(self.v))

    # comparisons compare values (np.maximum, sort, where on object arrays use them)
    def _val(o):
        return o.v if isinstance(o, Jet) else o

    def __lt__(self, o):
        return self.v < Jet._val(o)

    def __le__(self, o):
        return self.v <= Jet._val(o)

    def __gt__(self, o):
        return self.v > Jet._val(o)

    def __ge__(self, o):
        return self.v >= Jet._val(o)

    def __eq__(self, o):
        return self.v == Jet._val(o)

    def __ne__(self, o):
        return self.v != Jet._val(o)

    __hash__ = None

    def __bool__(self):
        return self.v != 0.0

    # -- elementary functions --------------------------------------------------------------
    def exp(self):
        e = math.exp(self.v)
        return self._chain(e, e, e)

    def expm1(self):
        e = math.exp(self.v)
        return self._chain(math.expm1(self.v), e, e)

    def exp2(self):
        return (self * math.log(2.0)).exp()

    def log(self):
        v = self.v
        return self._chain(math.log(v), 1 / v, -1 / v**2)

    def log1p(self):
        v = 1.0 + self.v
        return self._chain(math.log1p(self.v), 1 / v, -1 / v**2)

    def log10(self):
        return self.log() * (1 / math.log(10.0))

    def log2(self):
        return self.log() * (1 / math.log(2.0))

    def sqrt(self):
        s = math.sqrt(self.v)
        return self._chain(s, 0.5 / s, -0.25 / (s * self.v))

    def cbrt(self):
        c = np.cbrt(self.v)
        return self._chain(c, c / (3 * self.v), -2 * c / (9 * self.v**2))

    def sin(self):
        s, c = math.sin(self.v), math.cos(self.v)
        return self._chain(s, c, -s)

    def cos(self):
        s, c = math.sin(self.v), math.cos(self.v)
        return self._chain(c, -s, -c)

    def tan(self):
        t = math.tan(self.v)
        d = 1 + t * t
        return self._chain(t, d, 2 * t * d)

    def arcsin(self):
        v = self.v
        r = 1 - v * v
        return self._chain(math.asin(v), r**-0.5, v * r**-1.5)

    def arccos(self):
        v = self.v
        r = 1 - v * v
        return self._chain(math.acos(v), -(r**-0.5), -v * r**-1.5)

    def arctan(self):
        v = self.v
        r = 1 + v * v
        return self._chain(math.atan(v), 1 / r, -2 * v / r**2)

    def sinh(self):
        return self._chain(math.sinh(self.v), math.cosh(self.v), math.sinh(self.v))

    def cosh(self):
        return self._chain(math.cosh(self.v), math.sinh(self.v), math.cosh(self.v))

    def tanh(self):
        t = math.tanh(self.v)
        d = 1 - t * t
        return self._chain(t, d, -2 * t * d)

    def arcsinh(self):
        v = self.v
        r = 1 + v * v
        return self._chain(math.asinh(v), r**-0.5, -v * r**-1.5)

    def arctanh(self):
        v = self.v
        r = 1 - v * v
        return self._chain(math.atanh(v), 1 / r, 2 * v / r**2)

    def arctan2(self, o):
        x = o if isinstance(o, Jet) else Jet(o)
        y = self
        r = (x * x + y * y).reciprocal()
        # atan2 value from the values, derivatives of atan(y/x) (same partials)
        d = (x * y.g_only() - y * x.g_only()) * r
        return Jet(math.atan2(y.v, x.v), d.g, d.H)

    def g_only(self):
        """A jet whose value is zero and whose derivatives are this jet's: to form
        x·dy - y·dx style first differentials with their second derivatives."""
        return Jet(0.0, self.g, self.H)

    def hypot(self, o):
        return (self * self + o * o).sqrt()


def _const(a):
    out = np.empty(np.shape(a), dtype=object)
    flat = out.reshape(-1)
    for k, v in enumerate(np.asarray(a, dtype=float).reshape(-1)):
        flat[k] = Jet(v)
    return out


_BUFFERS = {"zeros", "ones", "empty", "full", "zeros_like", "ones_like", "empty_like"}
_BUFFERS |= {"full_like", "array", "copy", "asarray"}


class _Namespace:
    def __init__(self, mod):
        self._mod = mod

    def __getattr__(self, name):
        obj = getattr(self._mod, name)
        if isinstance(obj, types.ModuleType):
            return _Namespace(obj)
        if name not in _BUFFERS:
            return obj
        base = {"empty": np.zeros, "empty_like": np.zeros_like}.get(name, obj)

        def call(*args, **kw):
            out = base(*args, **kw)
            if isinstance(out, np.ndarray) and out.dtype.kind == "f":
                return _const(out)
            return out

        return call


np_jets = _Namespace(np)


def with_np(fun, namespace):
    """``fun`` with its global ``np`` (and that of the functions of its module it calls)
    bound to ``namespace``."""
    g = dict(fun.__globals__)
    g["np"] = namespace
    for k, v in list(g.items()):
        if isinstance(v, types.FunctionType) and v.__module__ == fun.__module__:
            g[k] = types.FunctionType(v.__code__, g, v.__name__, v.__defaults__, v.__closure__)
    return types.FunctionType(fun.__code__, g, fun.__name__, fun.__defaults__, fun.__closure__)


def jet_derivatives(fun, x):
    """Values (m,), Jacobian (m, n) and Hessians (m, n, n) of ``fun`` at ``x`` (1-D)."""
    x = np.asarray(x, dtype=float)
    n = x.size
    Jet.n = n
    X = np.empty(n, dtype=object)
    for i in range(n):
        X[i] = Jet(x[i], np.eye(n)[i])
    y = with_np(fun, np_jets)(X)
    flat = np.asarray(y, dtype=object).reshape(-1)
    m = flat.size
    val, J, H = np.zeros(m), np.zeros((m, n)), np.zeros((m, n, n))
    for k, e in enumerate(flat):
        if isinstance(e, Jet):
            val[k], J[k], H[k] = e.v, e.g, e.H
        else:
            val[k] = float(e)
    return val, J, H
