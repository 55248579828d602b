"""Random programs written once, replayed on numpy, on asd's traced arrays and on JAX.

A program is a list of instructions over a pool of flat arrays of length ``n`` (the
input, reshaped to 1-D, is the first entry). Instruction k reads two earlier entries
``a, b`` and appends one new entry of length n; inside, it may go through 2-D / 3-D
views, reductions, products, stacks and writes. Every instruction calls its functions
through a *backend* ``X``: ``X.xp`` is ``numpy`` (plain arrays, and asd's traced arrays,
which speak numpy's protocols) or ``jax.numpy``; writes go through ``X.set`` /
``X.add_at`` (in-place setitem / ``np.add.at`` on numpy, ``.at[].set`` / ``.at[].add``
on JAX) and constant sparse products through ``X.spmm`` (scipy.sparse on numpy, the
same matrix dense on JAX). Constants (matrices, indices, axes, thresholds, offsets)
are drawn once when the program is built, so every backend replays the same program.

Domains are safe for inputs in [-1.2, 1.2] and for any finite pool values: logs and
roots act on ``1 + a²``, inverse trigonometric functions on ``0.9 tanh(a)``, powers
with traced exponents on positive bases. Kinks (abs, max/min, where, clip, max
reductions, matrix 1/inf norms) compare against randomly drawn offsets or noise, so
ties happen with probability zero even when pool entries are exact constants.

Constructs with known asd issues (being fixed elsewhere) are behind ``Flags``, all off
by default; ``Flags(all=True)`` style toggling is done by ``Flags.enable``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np
import scipy.sparse as sp

# ---------------------------------------------------------------------------------------
# backends
# ---------------------------------------------------------------------------------------


class NumpyBackend:
    """numpy functions; writes in place (a fresh copy is made by the instruction)."""

    name = "numpy"
    xp = np

    @staticmethod
    def copy(a):
        return a.copy()

    @staticmethod
    def set(out, idx, v):
        out[idx] = v
        return out

    @staticmethod
    def add_at(out, idx, v):
        np.add.at(out, idx, v)
        return out

    @staticmethod
    def spmm(S, dense, a):
        return S @ a


class JaxBackend:
    """jax.numpy functions; functional updates."""

    name = "jax"

    def __init__(self):
        import jax
        import jax.numpy as jnp

        jax.config.update("jax_enable_x64", True)
        self.xp = jnp

    @staticmethod
    def copy(a):
        return a.copy()

    @staticmethod
    def set(out, idx, v):
        return out.at[idx].set(v)

    @staticmethod
    def add_at(out, idx, v):
        return out.at[idx].add(v)

    def spmm(self, S, dense, a):
        return self.xp.asarray(dense) @ a


NUMPY = NumpyBackend()


@dataclass(frozen=True)
class Flags:
    """Constructs that are off by default (known asd issues, being fixed elsewhere)."""

    #: np.linalg.norm of a matrix with ord=1 / inf / 'fro' and axis tuples (ord=1 / inf
    #: without axis included): unsupported or wrong when traced
    matrix_norm_axes: bool = False
    #: integer exponents 0 and 1 on a raw pool entry, which can be exactly 0
    zero_base_int_pow: bool = False
    #: a constant base 0.0 raised to a traced power
    zero_const_base: bool = False
    #: in-place operators on whole arrays while a view of them is alive
    inplace_live_view: bool = False
    #: arithmetic on two boolean masks (bool + bool)
    bool_add: bool = False
    #: reductions over an empty axis
    empty_axis: bool = False

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    def enable(self, *names: str) -> Flags:
        return replace(self, **{k: True for k in names})


# ---------------------------------------------------------------------------------------
# helpers drawn per instruction
# ---------------------------------------------------------------------------------------


def _divisor_shape(rng, n, ndim):
    """A random shape of ``ndim`` axes with product n."""
    shape = []
    rest = n
    for _ in range(ndim - 1):
        divs = [d for d in range(1, rest + 1) if rest % d == 0]
        d = int(rng.choice(divs))
        shape.append(d)
        rest //= d
    shape.append(rest)
    return tuple(int(s) for s in rng.permutation(shape))


def _view(rng, n):
    return _divisor_shape(rng, n, int(rng.integers(2, 4)))


def _offset(rng):
    return float(rng.uniform(0.05, 0.35) * rng.choice([-1.0, 1.0]))


# ---------------------------------------------------------------------------------------
# families: each maps names to fun(X, a, b) -> flat array of length n
# ---------------------------------------------------------------------------------------


def _unary(rng, n, flags):
    off = _offset(rng)
    return {
        "sin": lambda X, a, b: X.xp.sin(a),
        "cos": lambda X, a, b: X.xp.cos(a),
        "tanh": lambda X, a, b: X.xp.tanh(a),
        "arctan": lambda X, a, b: X.xp.arctan(a),
        "exp": lambda X, a, b: X.xp.exp(X.xp.tanh(a)),
        "log": lambda X, a, b: X.xp.log(1.0 + a * a),
        "log1p": lambda X, a, b: X.xp.log1p(a * a),
        "log2": lambda X, a, b: X.xp.log2(1.5 + X.xp.sin(a)),
        "sqrt": lambda X, a, b: X.xp.sqrt(1.0 + a * a),
        "cbrt": lambda X, a, b: X.xp.cbrt(2.0 + X.xp.tanh(a)),
        "expm1": lambda X, a, b: X.xp.expm1(X.xp.tanh(a)),
        "sinh": lambda X, a, b: X.xp.sinh(X.xp.tanh(a)),
        "cosh": lambda X, a, b: X.xp.cosh(X.xp.tanh(a)),
        "arcsinh": lambda X, a, b: X.xp.arcsinh(a),
        "arccosh": lambda X, a, b: X.xp.arccosh(1.5 + a * a),
        "arcsin": lambda X, a, b: X.xp.arcsin(0.9 * X.xp.tanh(a)),
        "arccos": lambda X, a, b: X.xp.arccos(0.9 * X.xp.tanh(a)),
        "arctanh": lambda X, a, b: X.xp.arctanh(0.9 * X.xp.tanh(a)),
        "tan": lambda X, a, b: X.xp.tan(0.5 * X.xp.tanh(a)),
        "reciprocal": lambda X, a, b: X.xp.reciprocal(1.5 + a * a),
        "negative": lambda X, a, b: -a + X.xp.negative(b) * 0.5,
        "square": lambda X, a, b: X.xp.square(X.xp.tanh(a)) + a,
        "abs": lambda X, a, b: X.xp.abs(a + off),
        "relu": lambda X, a, b: X.xp.maximum(a + off, 0.0),
        "affine": lambda X, a, b: 0.5 - 2.0 * a + b / 3.0,
        "floor": lambda X, a, b: a + X.xp.floor(2.0 * X.xp.tanh(a) + off),
    }


def _power(rng, n, flags):
    off = _offset(rng)
    c = float(rng.uniform(0.5, 3.0))

    def k0(X, a):
        return a + off  # never exactly 0 (zero_base_int_pow adds raw bases)

    ops = {
        "pow2": lambda X, a, b: X.xp.tanh(a) ** 2 + b,
        "pow3": lambda X, a, b: X.xp.tanh(a) ** 3,
        "power3": lambda X, a, b: X.xp.power(X.xp.sin(a), 3) * b,
        "pow_raw2": lambda X, a, b: (a * 0.5) ** 2,
        "pow_neg1": lambda X, a, b: (1.5 + a * a) ** -1,
        "pow_neg2": lambda X, a, b: (2.0 + X.xp.tanh(a)) ** -2,
        "pow_neg3": lambda X, a, b: X.xp.power(1.5 + a * a, -3),
        "pow0": lambda X, a, b: k0(X, a) ** 0 + b,
        "pow1": lambda X, a, b: k0(X, a) ** 1 * b,
        "power01": lambda X, a, b: X.xp.power(k0(X, a), 0) + X.xp.power(k0(X, b), 1),
        "pow_frac": lambda X, a, b: (1.0 + a * a) ** 1.5,
        "pow_negfrac": lambda X, a, b: (1.5 + a * a) ** -0.5,
        "pow_traced": lambda X, a, b: (1.0 + a * a) ** X.xp.tanh(b),
        "power_traced": lambda X, a, b: X.xp.power(1.5 + X.xp.sin(a), X.xp.tanh(b) * 2.0),
        "const_base": lambda X, a, b: c ** X.xp.tanh(a),
    }
    if flags.zero_base_int_pow:  # a pool entry can be exactly 0 (relu, where, constants)
        ops["pow0_raw"] = lambda X, a, b: a**0 + b
        ops["pow1_raw"] = lambda X, a, b: a**1 * b
        ops["power01_raw"] = lambda X, a, b: X.xp.power(a, 0) + X.xp.power(b, 1)
    if flags.zero_const_base:
        ops["zero_base"] = lambda X, a, b: 0.0 ** (1.5 + a * a) + b
    return ops


def _binary(rng, n, flags):
    off = _offset(rng)
    thr = float(rng.uniform(-0.6, 0.6))
    lo = float(rng.uniform(-0.8, 0.2))
    hi = lo + float(rng.uniform(0.2, 1.0))
    ops = {
        "add": lambda X, a, b: X.xp.add(a, b),
        "sub": lambda X, a, b: X.xp.subtract(a, b),
        "mul": lambda X, a, b: X.xp.multiply(a, b),
        "div": lambda X, a, b: a / (1.5 + b * b),
        "divide": lambda X, a, b: X.xp.divide(a + b, 3.0),
        "maximum": lambda X, a, b: X.xp.maximum(a, b + off),
        "minimum": lambda X, a, b: X.xp.minimum(a + off, b),
        "where": lambda X, a, b: X.xp.where(a > b + off, a * b, a - b),
        "where_const": lambda X, a, b: X.xp.where(a > thr, X.xp.sin(b), b * b),
        "where_scalar": lambda X, a, b: X.xp.where(a < thr, 0.0, b),
        "where_logic": lambda X, a, b: X.xp.where((a > thr) & (b < thr + off), a, 2.0 * b),
        "clip": lambda X, a, b: X.xp.clip(a, lo, hi) + b,
        "clip_traced": lambda X, a, b: X.xp.clip(a, b - hi, b + hi),
        "hypot": lambda X, a, b: X.xp.hypot(a, 1.0 + b * b),
        "arctan2": lambda X, a, b: X.xp.arctan2(a, 1.5 + b * b),
        "mask_arith": lambda X, a, b: a * (b > thr) + (a < b + off) * 0.5,
    }
    if flags.bool_add:
        ops["bool_add"] = lambda X, a, b: ((a > thr) + (b > thr)) * a
    return ops


def _reduce(rng, n, flags):
    shape = _view(rng, n)
    nd = len(shape)
    ax = int(rng.integers(0, nd))
    axes = tuple(sorted(int(k) for k in rng.choice(nd, size=2, replace=False)))
    keep = bool(rng.random() < 0.5)
    noise = rng.standard_normal(shape)

    def reduce(op, axis, pre=None, method=False):
        def fun(X, a, b):
            xp = X.xp
            V = xp.reshape(a, shape)
            if pre is not None:
                V = pre(X, V)
            r = (
                getattr(V, op)(axis=axis, keepdims=keep)
                if method
                else getattr(xp, op)(V, axis=axis, keepdims=keep)
            )
            if not keep and axis is not None:
                r = xp.expand_dims(r, axis)
            return xp.reshape(xp.broadcast_to(r, shape), (n,)) * b

        return fun

    def noisy(X, V):
        return V + noise

    def bounded(X, V):
        return 1.0 + 0.4 * X.xp.tanh(V)

    ops = {
        "sum": reduce("sum", ax),
        "sum_method": reduce("sum", ax, method=True),
        "sum_all": reduce("sum", None),
        "sum_axes": reduce("sum", axes),
        "mean": reduce("mean", ax),
        "mean_axes": reduce("mean", axes, method=True),
        "prod": reduce("prod", ax, bounded),
        "prod_all": reduce("prod", None, bounded, method=True),
        "max": reduce("max", ax, noisy),
        "min_all": reduce("min", None, noisy),
        "max_axes": reduce("max", axes, noisy, method=True),
        "min": reduce("min", ax, noisy),
        "cumsum": lambda X, a, b: X.xp.reshape(X.xp.cumsum(X.xp.reshape(a, shape), axis=ax), (n,)),
        "cumsum_flat": lambda X, a, b: X.xp.cumsum(a) - b,
        "cumprod": lambda X, a, b: X.xp.reshape(
            X.xp.cumprod(bounded(X, X.xp.reshape(a, shape)), axis=ax), (n,)
        ),
        "cumprod_method": lambda X, a, b: bounded(X, a).cumprod() * b,
    }
    if flags.empty_axis:
        ops["empty_sum"] = lambda X, a, b: X.xp.sum(X.xp.reshape(a, (n, 1))[:, :0], axis=1) + b
    return ops


def _norm(rng, n, flags):
    r = int(rng.integers(1, 4))
    cols = -(-(n + 1) // r)
    shape = (r, cols) if rng.random() < 0.5 else (cols, r)
    size = r * cols  # > n: a is padded with constants
    noise = rng.standard_normal(shape)
    ax = int(rng.integers(0, 2))
    pad = rng.uniform(0.5, 1.5, size=size - n + 1)

    def matrix(X, a):
        return X.xp.reshape(X.xp.concatenate([a, pad[: size - n]]), shape)

    ops = {
        "norm2": lambda X, a, b: X.xp.linalg.norm(X.xp.concatenate([a, pad[:1]])) * b,
        "norm_fro": lambda X, a, b: X.xp.linalg.norm(matrix(X, a) + noise, "fro") + b,
        "norm_mat": lambda X, a, b: X.xp.linalg.norm(matrix(X, a) + noise) * b,
        "norm_axis": lambda X, a, b: X.xp.reshape(
            X.xp.broadcast_to(
                X.xp.linalg.norm(matrix(X, a) + noise, axis=ax, keepdims=True), shape
            ),
            (size,),
        )[:n],
        "norm_vec1": lambda X, a, b: X.xp.linalg.norm(a + noise.ravel()[:n], 1) + b,
        "norm_vecinf": lambda X, a, b: X.xp.linalg.norm(a + noise.ravel()[:n], np.inf) * b,
        # singular values (Jacobi in the tape for min(shape) > 1)
        "norm_spectral": lambda X, a, b: X.xp.linalg.norm(matrix(X, a) + noise, 2) * b,
        "norm_smallest": lambda X, a, b: X.xp.linalg.norm(matrix(X, a) + noise, -2) + b,
        "norm_nuclear": lambda X, a, b: X.xp.linalg.norm(matrix(X, a) + noise, "nuc") * b,
    }
    if flags.matrix_norm_axes:
        ops["norm_mat1"] = lambda X, a, b: X.xp.linalg.norm(matrix(X, a) + noise, 1) + b
        ops["norm_matinf"] = lambda X, a, b: X.xp.linalg.norm(matrix(X, a) + noise, np.inf) * b
        ops["norm_mat1_axes"] = lambda X, a, b: (
            X.xp.linalg.norm(matrix(X, a) + noise, 1, axis=(0, 1)) + b
        )
        ops["norm_matinf_axes"] = lambda X, a, b: (
            X.xp.linalg.norm(matrix(X, a) + noise, np.inf, axis=(0, 1)) * b
        )
        ops["norm_fro_axes"] = lambda X, a, b: (
            X.xp.linalg.norm(matrix(X, a) + noise, "fro", axis=(1, 0)) + b
        )
    return ops


def _index(rng, n, flags):
    rep = rng.integers(0, n, size=n)  # repeated indices
    at_idx = rng.integers(0, n, size=n + 2)
    at_src = rng.integers(0, n, size=n + 2)
    k = int(rng.integers(1, n + 1))
    uniq = rng.permutation(n)[:k]
    src = rng.integers(0, n, size=k)
    s0 = int(rng.integers(0, n))
    s1 = int(rng.integers(0, n))
    w0 = int(rng.integers(1, n - s0 + 1))
    w1 = int(rng.integers(1, n - s1 + 1))
    p, q = int(rng.integers(0, n)), int(rng.integers(0, n))
    shape = _divisor_shape(rng, n, 2)
    rows = rng.integers(0, shape[0], size=shape[0])
    cols = rng.permutation(shape[1])
    ucols = cols[: int(rng.integers(1, shape[1] + 1))]
    half = (n + 1) // 2

    def set_unique(X, a, b):
        return X.set(X.copy(a), uniq, b[src] * 2.0)

    def set_overlap(X, a, b):
        c = X.set(X.copy(a), slice(s0, s0 + w0), X.xp.sin(b[s0 : s0 + w0]))
        return X.set(c, slice(s1, s1 + w1), c[n - w1 :] * b[:w1])  # reads the first write

    def set_scalar(X, a, b):
        c = X.set(a * 1.0, p, b[q] * a[p] + 1.0)
        return X.set(c, q, c[q] + 0.5 * b[p])

    def set_2d(X, a, b):
        V = X.copy(X.xp.reshape(a, shape))
        W = X.xp.reshape(b, shape)
        V = X.set(V, (slice(1, None), ucols), W[:-1][:, ucols] * V[1:][:, ucols])
        return X.xp.reshape(V, (n,))

    def set_const(X, a, b):
        return X.set(a + b, uniq, 0.25)

    def strided(X, a, b):
        return X.set(X.copy(a), slice(None, None, 2), a[::2] * b[::-1][:half])

    def add_at(X, a, b):
        return X.add_at(X.copy(a), at_idx, X.xp.cos(b[at_src]))

    def add_at_zeros(X, a, b):
        return X.add_at(X.xp.zeros_like(a), at_idx[:k], a[at_src[:k]] * b[at_idx[:k]])

    def fancy_2d(X, a, b):
        V = X.xp.reshape(a, shape)
        return X.xp.reshape(V[rows][:, cols], (n,)) + b

    ops = {
        "fancy": lambda X, a, b: a[rep] * b,
        "take": lambda X, a, b: X.xp.take(a, rep) + b[rep[::-1]],
        "fancy_2d": fancy_2d,
        "set_unique": set_unique,
        "set_overlap": set_overlap,
        "set_scalar": set_scalar,
        "set_2d": set_2d,
        "set_const": set_const,
        "strided": strided,
        "add_at": add_at,
        "add_at_zeros": add_at_zeros,
    }
    if flags.inplace_live_view:

        def inplace_view(X, a, b):
            c = X.copy(a)
            if X.name == "jax":  # no views: the view reads the updated array
                c = (c + b) * 0.5
                return c + c[:k].sum()
            v = c[:k]  # a live view of c
            c += b
            c *= 0.5
            return c + v.sum()

        ops["inplace_view"] = inplace_view
    return ops


def _product(rng, n, flags):
    r, c = _divisor_shape(rng, n, 2)
    A = rng.standard_normal((c, c)) * (rng.random((c, c)) < 0.6)
    B = rng.standard_normal((r, r)) * (rng.random((r, r)) < 0.6)
    S = sp.csr_array(rng.standard_normal((r, r)) * (rng.random((r, r)) < 0.5))
    Sd = S.toarray()
    u = rng.standard_normal(n)

    def view(X, a):
        return X.xp.reshape(a, (r, c))

    def flat(X, M):
        return X.xp.reshape(M, (n,))

    return {
        "dense_right": lambda X, a, b: flat(X, view(X, a) @ A),
        "dense_left": lambda X, a, b: flat(X, X.xp.matmul(B, view(X, a))) + b,
        "sparse_left": lambda X, a, b: flat(X, X.spmm(S, Sd, view(X, a * b))),
        "traced_mm": lambda X, a, b: flat(X, (view(X, a) @ view(X, b).T) @ view(X, a) * 0.5),
        "matvec": lambda X, a, b: flat(X, (view(X, a) @ view(X, b)[0])[:, None] * view(X, a)),
        "dot": lambda X, a, b: a * X.xp.dot(a, b) / n,
        "outer": lambda X, a, b: X.xp.outer(a, b) @ u / n,
        "vecmat": lambda X, a, b: flat(X, X.xp.outer(view(X, b)[:, 0], u[:r] @ view(X, a))),
    }


def _shape(rng, n, flags):
    shape3 = _divisor_shape(rng, n, 3)
    perm = tuple(int(k) for k in rng.permutation(3))
    r, c = _divisor_shape(rng, n, 2)
    k = int(rng.integers(0, n + 1))
    ax = int(rng.integers(0, 3))
    sel = rng.choice(2 * n, size=n, replace=False)
    shift = int(rng.integers(-3, 4))

    def stack(X, a, b):
        V, W = X.xp.reshape(a, shape3), X.xp.reshape(b * b, shape3)
        s = X.xp.stack([V, W], axis=ax)
        return X.xp.reshape(s, (2 * n,))[sel]

    return {
        "concat": lambda X, a, b: X.xp.concatenate([a[k:], b[:k]]),
        "concat_2d": lambda X, a, b: X.xp.reshape(
            X.xp.concatenate([X.xp.reshape(a, (r, c)), X.xp.reshape(b, (r, c))], axis=1), (2 * n,)
        )[sel],
        "stack": stack,
        "transpose": lambda X, a, b: X.xp.reshape(
            X.xp.transpose(X.xp.reshape(a, shape3), perm), (n,)
        ),
        "T": lambda X, a, b: X.xp.reshape(X.xp.reshape(a, (r, c)).T, (n,)) * b,
        "flip": lambda X, a, b: X.xp.flip(a) - b,
        "roll": lambda X, a, b: X.xp.roll(a, shift) + b,
        "const": lambda X, a, b: X.xp.zeros_like(a) + sel[:n] / n,
        "full_like": lambda X, a, b: X.xp.full_like(a, 0.7),
        "ones_like": lambda X, a, b: X.xp.ones_like(b) * 0.3 + a[k % n],
        "times_zero": lambda X, a, b: a * 0.0 + b[-1],
    }


FAMILIES = {
    "unary": _unary,
    "power": _power,
    "binary": _binary,
    "reduce": _reduce,
    "norm": _norm,
    "index": _index,
    "product": _product,
    "shape": _shape,
}
WEIGHTS = np.array([0.2, 0.12, 0.2, 0.12, 0.06, 0.12, 0.08, 0.1])
#: deep chains lean on elementwise instructions (gathers and scatters under JAX's
#: vmap make its reference expensive to compile)
DEEP_WEIGHTS = np.array([0.3, 0.15, 0.3, 0.06, 0.02, 0.04, 0.03, 0.1])


@dataclass(frozen=True)
class Instruction:
    """``pool.append(fun(X, pool[i], pool[j]))``, optionally squashed by tanh."""

    family: str
    name: str
    i: int
    j: int
    fun: object
    squash: bool = False

    def __call__(self, X, pool):
        out = self.fun(X, pool[self.i], pool[self.j])
        return X.xp.tanh(out) if self.squash else out


class Program:
    """A random program on inputs of ``shape``; ``__call__(x, X)`` replays it on X.

    ``deep`` programs chain hundreds of instructions, each squashed by tanh so values
    stay bounded, and mostly read the latest entry so the chain is really deep.
    """

    def __init__(self, rng, flags: Flags | None = None, *, deep=False, n: int | None = None):
        flags = flags or Flags()
        n = n or int(rng.integers(1, 13))
        if n > 1 and rng.random() < 0.3 and n not in (2, 3, 5, 7, 11):
            self.shape = _divisor_shape(rng, n, 2)
        else:
            self.shape = (n,)
        self.n = n
        self.deep = deep
        steps = int(rng.integers(100, 201)) if deep else int(rng.integers(1, 9))
        self.instructions = []
        for k in range(steps):
            size = 1 + k
            if deep and rng.random() < 0.8:
                i = size - 1
            else:
                i = int(rng.integers(0, size))
            j = int(rng.integers(0, size))
            p = DEEP_WEIGHTS if deep else WEIGHTS
            family = str(rng.choice(list(FAMILIES), p=p / p.sum()))
            ops = FAMILIES[family](rng, n, flags)
            name = str(rng.choice(list(ops)))
            self.instructions.append(Instruction(family, name, i, j, ops[name], deep))
        n_out = int(rng.integers(1, 4))
        extra = rng.choice(steps + 1, size=min(n_out, steps + 1), replace=False)
        self.outputs = sorted({steps, *(int(e) for e in extra)})
        self.scalar_out = bool(rng.random() < 0.2)
        self.wout = rng.standard_normal(n)

    @property
    def description(self) -> list[str]:
        return [f"{ins.family}.{ins.name}" for ins in self.instructions]

    def __call__(self, x, X=NUMPY):
        xp = X.xp
        pool = [xp.reshape(x, (self.n,))]
        for ins in self.instructions:
            pool.append(ins(X, pool))
        parts = [pool[k] for k in self.outputs]
        if self.scalar_out:
            parts.append(xp.reshape(xp.sum(pool[-1] * self.wout), (1,)))
        return xp.concatenate(parts)

    def __repr__(self) -> str:
        steps = ", ".join(
            f"{d}({ins.i},{ins.j})" for d, ins in zip(self.description, self.instructions)
        )
        if len(self.instructions) > 12:
            steps = f"{len(self.instructions)} steps: " + steps[:600] + " ..."
        return f"Program(shape={self.shape}, [{steps}], outputs={self.outputs})"
