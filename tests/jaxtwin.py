"""Run plain ``import numpy as np`` source on jax, to get independent reference
derivatives of the very code users write.

:func:`twin` rebinds the global name ``np`` of a function (and of every function of
its module it calls) to :data:`jnp_shim`, a namespace forwarding to ``jax.numpy``. jax
arrays are immutable, so the numpy buffer constructors (``np.zeros``, ``np.empty``,
``np.ones``, ``np.full``, their ``*_like`` forms, ``np.array``, ``np.copy``) return a
:class:`Buf` instead: a small mutable box holding a jax array, whose element writes
``fvec[i] = v`` and in-place operators become functional ``.at[i].set`` updates. The
numpy source itself is not changed, so the reference is the same program evaluated by
another differentiation system (jax's, float64)."""

from __future__ import annotations

import operator
import types

import jax
import jax.numpy as jnp
import numpy as np

jax.config.update("jax_enable_x64", True)


def _u(v):
    """Unwrap buffers (also inside tuples and lists) to jax arrays."""
    if isinstance(v, Buf):
        return v.a
    if isinstance(v, tuple):
        return tuple(_u(e) for e in v)
    if isinstance(v, list):
        return [_u(e) for e in v]
    return v


class Buf:
    """A mutable float array for jax: ``b[k] = v`` replaces ``b.a`` by ``b.a.at[k].set(v)``."""

    __array_priority__ = 1000

    def __init__(self, a):
        self.a = jnp.asarray(a)

    def __getitem__(self, k):
        return self.a[_u(k)]

    def __setitem__(self, k, v):
        self.a = self.a.at[_u(k)].set(_u(v))

    def __len__(self):
        return len(self.a)

    def __iter__(self):
        return iter(self.a)

    shape = property(lambda s: s.a.shape)
    ndim = property(lambda s: s.a.ndim)
    size = property(lambda s: s.a.size)
    dtype = property(lambda s: s.a.dtype)
    T = property(lambda s: s.a.T)

    def __getattr__(self, name):  # sum, reshape, copy, ... of the jax array
        return getattr(self.a, name)


def _binary(op):
    return lambda s, o: op(s.a, _u(o)), lambda s, o: op(_u(o), s.a)


for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul"):
    _op = getattr(operator, _name)
    _f, _r = _binary(_op)
    setattr(Buf, f"__{_name}__", _f)
    setattr(Buf, f"__r{_name}__", _r)

    def _inplace(s, o, _op=_op):
        s.a = _op(s.a, _u(o))
        return s

    setattr(Buf, f"__i{_name}__", _inplace)
for _name in ("lt", "le", "gt", "ge", "eq", "ne"):
    setattr(Buf, f"__{_name}__", (lambda op: lambda s, o: op(s.a, _u(o)))(getattr(operator, _name)))
Buf.__neg__ = lambda s: -s.a
Buf.__pos__ = lambda s: s.a
Buf.__abs__ = lambda s: abs(s.a)
Buf.__hash__ = None

_BUFFERS = {"zeros", "ones", "empty", "full", "zeros_like", "ones_like", "empty_like"}
_BUFFERS |= {"full_like", "array", "copy"}


class _Namespace:
    """``np`` for the twin: jax.numpy with buffer constructors returning :class:`Buf`."""

    def __init__(self, mod):
        self._mod = mod

    def __getattr__(self, name):
        obj = getattr(self._mod, name)
        if isinstance(obj, types.ModuleType):
            return _Namespace(obj)
        if not callable(obj) or isinstance(obj, type):
            return obj
        if name == "empty":
            obj = jnp.zeros
        elif name == "empty_like":
            obj = jnp.zeros_like

        def call(*args, **kw):
            out = obj(*_u(args), **{k: _u(v) for k, v in kw.items()})
            if name in _BUFFERS and jnp.issubdtype(out.dtype, jnp.floating):
                return Buf(out)
            return out

        return call


jnp_shim = _Namespace(jnp)


def twin(fun):
    """``fun`` with ``np`` bound to :data:`jnp_shim` (also in the functions of its module it
    calls); its result unwrapped to a jax array."""
    g = dict(fun.__globals__)
    g["np"] = jnp_shim
    for k, v in list(g.items()):
        if isinstance(v, types.FunctionType) and v.__module__ == fun.__module__:
            g[k] = types.FunctionType(v.__code__, g, v.__name__, v.__defaults__, v.__closure__)
    f = types.FunctionType(fun.__code__, g, fun.__name__, fun.__defaults__, fun.__closure__)

    def run(x):
        return jnp.asarray(_u(f(x)), dtype=jnp.float64)

    return run


def references(fun, kind, points, weights):
    """Values, Jacobians (gradients for scalar ``kind``) and Hessians of ``weights · f`` at
    ``points``, from jax (float64, eager evaluation)."""
    f = twin(fun)
    w = jnp.asarray(weights)
    if kind == "scalar":
        jac = jax.grad(f)
        hess = jax.hessian(f)
    else:
        jac = jax.jacfwd(lambda z: jnp.ravel(f(z)))
        hess = jax.hessian(lambda z: jnp.sum(w * jnp.ravel(f(z))))

    out = []
    for x in points:
        xj = jnp.asarray(x)
        out.append((np.asarray(f(xj)), np.asarray(jac(xj)), np.asarray(hess(xj))))
    return out
