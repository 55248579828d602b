"""Random numpy programs that run unchanged on numpy arrays and on traced arrays.

A program is a replayable list of instructions over a pool of arrays that all have
the input's shape ``S`` (1-D with n <= 7, or 2-D up to 3 x 3). Instruction k reads
one or two earlier pool entries and appends a new entry of shape ``S``; inside, it
may go through other shapes (reductions, stacks, products, splits). Constants
(matrices, indices, masks, axes, shifts) are drawn once when the program is built,
so replaying the program is deterministic: the *same* Python function runs on plain
numpy arrays and on traced arrays.

Domains are kept safe (log(1 + a²), arcsin(0.9 tanh a), division by 1.5 + b²,
arccosh(1.5 + a²), ...) so numpy's values and every derivative stay finite for
inputs in [-1.2, 1.2]. Piecewise-constant functions (floor, rint, mod, ...) act on
tanh(a), so a pool entry with large values does not pack their jumps densely.

Every supported family appears: elementwise ufuncs and operators, piecewise ops
(abs, max/min, where, clip, floor, ...), comparisons and logic, reductions with axis
and keepdims, scans, products with constant dense / scipy.sparse / traced matrices,
shape functions, basic / fancy / masked indexing, setitem, np.add.at, creation
helpers and scalar-style loops. A few instructions branch on traced values (``if``,
a traced boolean mask): programs that contain one are *local-only*, and tracing them
in global mode must fail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.linalg as sl
import scipy.sparse as sp
import scipy.sparse.linalg as spl
import scipy.special as ss

from asd.tracing.paths import MAX_PATHS

# ---------------------------------------------------------------------------------------
# elementwise instructions: one or two pool entries, safe domains
# ---------------------------------------------------------------------------------------

UNARY: dict[str, Callable] = {
    "sin": np.sin,
    "cos": np.cos,
    "tanh": np.tanh,
    "arctan": np.arctan,
    "exp": lambda a: np.exp(np.tanh(a)),
    "log": lambda a: np.log(1.0 + a * a),
    "sqrt": lambda a: np.sqrt(1.0 + a * a),
    "cbrt": lambda a: np.cbrt(2.0 + np.tanh(a)),
    "square": np.square,
    "abs": np.abs,
    "abs_builtin": lambda a: abs(a) * a,
    "fabs": np.fabs,
    "sinh": lambda a: np.sinh(np.tanh(a)),
    "cosh": lambda a: np.cosh(np.tanh(a)),
    "arcsinh": np.arcsinh,
    "arccosh": lambda a: np.arccosh(1.5 + a * a),
    "expm1": lambda a: np.expm1(np.tanh(a)),
    "log1p": lambda a: np.log1p(a * a),
    "log2": lambda a: np.log2(1.0 + a * a),
    "log10": lambda a: np.log10(1.0 + a * a),
    "exp2": lambda a: np.exp2(np.tanh(a)),
    "reciprocal": lambda a: np.reciprocal(1.5 + a * a),
    "tan": lambda a: np.tan(0.5 * np.tanh(a)),
    "arcsin": lambda a: np.arcsin(0.9 * np.tanh(a)),
    "arccos": lambda a: np.arccos(0.9 * np.tanh(a)),
    "arctanh": lambda a: np.arctanh(0.9 * np.tanh(a)),
    "negative": np.negative,
    "neg_op": lambda a: -a + (+a) * 0.5,
    "cube": lambda a: np.tanh(a) ** 3,
    "pow_int": lambda a: np.tanh(a) ** 2 - np.tanh(a) ** 1 + a**0,
    "pow_const": lambda a: (1.0 + a * a) ** 1.5,
    "pow_neg": lambda a: (1.5 + a * a) ** -0.5,
    "rpow": lambda a: 2.0 ** np.tanh(a),
    "float_power": lambda a: np.float_power(1.0 + a * a, 0.75),
    "sign": lambda a: np.sign(a) * a,
    "floor": lambda a: a + np.floor(2.0 * np.tanh(a)),
    "ceil": lambda a: a * np.ceil(np.tanh(a)),
    "trunc": lambda a: a - np.trunc(2.0 * np.tanh(a)),
    "rint": lambda a: a + np.rint(3 * np.tanh(a)),
    "round": lambda a: a * np.round(np.tanh(a), 1),
    "clip": lambda a: np.clip(a, -0.3, 0.4),
    "clip_method": lambda a: a.clip(-0.5, None) + a.clip(None, 0.2),
    "relu": lambda a: np.maximum(a, 0.0),
    "minc": lambda a: np.minimum(0.25, a),
    "deg": lambda a: np.deg2rad(a) * 30.0,
    "rad": lambda a: np.degrees(a) / 60.0,
    "astype": lambda a: a.astype(float) * 1.5,
    "copy": lambda a: np.copy(a) - a.copy() * 0.5,
    "scalar_mix": lambda a: 0.5 - a * 2.0 + 1.0 / (2.0 + np.tanh(a)),
    "isfinite": lambda a: np.where(np.isfinite(a) & ~np.isnan(a), a, 0.0),
}

BINARY: dict[str, Callable] = {
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "add_op": lambda a, b: a + b - 0.5 * a,
    "div": lambda a, b: a / (1.5 + b * b),
    "div_op": lambda a, b: (a + b) / 3.0,
    "rdiv": lambda a, b: 2.0 / (1.5 + b * b) + a,
    "maximum": np.maximum,
    "minimum": np.minimum,
    "fmax": np.fmax,
    "fmin": np.fmin,
    "hypot": lambda a, b: np.hypot(a, 1.0 + b * b),
    "arctan2": lambda a, b: np.arctan2(a, 1.5 + b * b),
    "arctan2_q": lambda a, b: np.arctan2(1.0 + a * a, b),
    "pow": lambda a, b: (1.0 + a * a) ** np.tanh(b),
    "where_traced": lambda a, b: np.where(a > b, a * b, a - b),
    "where_ge": lambda a, b: np.where(a >= 0.1, np.sin(b), b * b),
    "where_logic": lambda a, b: np.where((a > 0) & (b < 0.5) | ~(a < -1), a, 2 * b),
    "where_xor": lambda a, b: np.where(np.logical_xor(a <= 0, b != 0.3), a, b),
    "where_eq": lambda a, b: np.where((a == b) | np.logical_not(a > 2.0), a + b, b),
    "where_scalar": lambda a, b: np.where(a < 0.2, 0.0, b),
    "floordiv": lambda a, b: a * (np.tanh(b) // 0.5),
    "floordiv_traced": lambda a, b: b * ((np.tanh(a) + 2.0) // (1.5 + b * b)),
    "mod": lambda a, b: np.mod(np.tanh(a), 0.7) + b,
    "mod_op": lambda a, b: (np.tanh(a) % 0.45) * b,
    "const_mul": lambda a, b: a * np.linspace(-1, 1, a.size).reshape(a.shape) + b,
    "bool_arith": lambda a, b: a * (b > 0) + (a < b) * 0.5,
}


# ---------------------------------------------------------------------------------------
# instructions with constants drawn once per program
# ---------------------------------------------------------------------------------------


def _reduce_ops(rng, S):
    ax = int(rng.integers(0, len(S)))
    ones = np.ones(S)

    def back(r):
        """A reduction along ``ax`` without keepdims, broadcast back to S."""
        return np.expand_dims(r, ax) * ones

    return {
        "sum": lambda a, b: np.sum(a, axis=ax, keepdims=True) * ones,
        "sum_all": lambda a, b: a.sum() + b,
        "sum_method": lambda a, b: back(a.sum(axis=ax)),
        "mean": lambda a, b: a.mean(axis=ax, keepdims=True) * ones,
        "mean_fn": lambda a, b: back(np.mean(a, axis=ax)) + np.mean(b),
        "prod": lambda a, b: np.prod(np.tanh(a) + 1.5, axis=ax, keepdims=True) * ones,
        "prod_all": lambda a, b: (0.5 + 0.3 * np.tanh(a)).prod() * b,
        "max": lambda a, b: np.max(a, axis=ax, keepdims=True) * ones,
        "amax": lambda a, b: back(np.amax(a * b, axis=ax)),
        "max_all": lambda a, b: a.max() - b,
        "min": lambda a, b: a.min(axis=ax, keepdims=True) + ones,
        "min_all": lambda a, b: np.min(a) * b,
        "cumsum": lambda a, b: np.cumsum(a, axis=ax),
        "cumsum_flat": lambda a, b: a.cumsum().reshape(S) - b,
        "cumprod": lambda a, b: np.cumprod(1.0 + 0.4 * np.tanh(a), axis=ax),
        "diff": lambda a, b: np.diff(a, axis=ax, prepend=0.5),
        "diff_append": lambda a, b: np.diff(a, axis=ax, append=np.take(b, [-1], axis=ax)),
        "diff2": lambda a, b: np.take(
            np.diff(np.concatenate([a, b, a], axis=ax), n=2, axis=ax), np.arange(S[ax]), axis=ax
        ),
        # a norm is not differentiable at 0, and a pool entry can be 0 on a whole region
        # (relu, a * 0, ...): padding with constants keeps it away from 0
        "norm": lambda a, b: np.linalg.norm(np.stack([a, np.ones_like(a)])) * ones,
        "norm_axis": lambda a, b: back(
            np.linalg.norm(np.concatenate([a, np.full_like(a, 0.5)], axis=ax), axis=ax)
        ),
        "norm_1": lambda a, b: np.linalg.norm(a.ravel(), 1) + b,
        "norm_inf": lambda a, b: np.linalg.norm(a.ravel(), np.inf) * b,
        "norm_p": lambda a, b: np.linalg.norm(1.0 + a.ravel() ** 2, 3) + b,
        # compositions (tracing/composed.py)
        "median": lambda a, b: np.median(a, axis=ax, keepdims=True) * ones,
        "quantile": lambda a, b: back(np.quantile(a + b, 0.3, axis=ax)),
        "percentile_all": lambda a, b: np.percentile(a, 65.0) * b,
        "gradient": lambda a, b: np.gradient(np.concatenate([a, b], axis=ax), axis=ax)[
            tuple(slice(0, s) for s in S)
        ],
        "nanmax": lambda a, b: back(
            np.nanmax(np.concatenate([np.where(b > 0.8, np.nan, a), b], axis=ax), axis=ax)
        ),
        "nanvar": lambda a, b: np.nanvar(np.stack([a, b, a * b])) * ones,
        "cov": lambda a, b: np.cov(np.ravel(a), np.ravel(b), bias=True)[0, 1] + a,
    }


def _shape_ops(rng, S):
    ax = int(rng.integers(0, len(S)))
    shift = int(rng.integers(-2, 3))
    n = int(np.prod(S))
    square = len(S) == 2 and S[0] == S[1]
    perm = rng.permutation(n)

    def transpose(a, b):
        if square:
            return a.T * 0.5 + np.transpose(b) + np.swapaxes(a, 0, 1)
        if len(S) == 2:
            return a.T.T + np.transpose(np.transpose(b))
        return a.T + b

    def squeeze(a, b):
        e = np.expand_dims(a, 0)
        return np.squeeze(e, axis=0) + b[None].squeeze(axis=0) * 2.0

    def stack3(a, b):
        if len(S) == 1:
            m = np.vstack([a, b])  # (2, n)
            c = np.column_stack([a, b])  # (n, 2)
            return m[0] * c[:, 1] + np.hstack([b, a])[:n]
        m = np.vstack([a, b])  # (2r, c)
        c = np.hstack([a, b])  # (r, 2c)
        return m[: S[0]] * c[:, S[1] :] + np.column_stack([a, b])[:, : S[1]]

    def broadcast(a, b):
        row = a.take([0], axis=ax)  # length 1 along ax
        return np.broadcast_to(row, S) * b

    def flatten(a, b):
        return a.flatten()[perm].reshape(S) + b.ravel().reshape(S)

    return {
        "roll": lambda a, b: np.roll(a, shift, axis=ax),
        "roll_flat": lambda a, b: np.roll(a, shift) + b,
        "flip": lambda a, b: np.flip(a, axis=ax) * b,
        "reshape": lambda a, b: a.ravel()[::-1].reshape(S) - b.T.T,
        "transpose": transpose,
        "squeeze": squeeze,
        "concat": lambda a, b: np.take(
            np.concatenate([a, b], axis=ax), np.arange(S[ax]) * 2 % (2 * S[ax]), axis=ax
        ),
        "pad": lambda a, b: (
            np.pad(a, 1, mode="constant", constant_values=0.25)[tuple(slice(1, 1 + s) for s in S)]
            + np.pad(b, 1, mode="wrap")[tuple(slice(0, s) for s in S)]
        ),
        "pad_edge": lambda a, b: (
            np.pad(a, (2, 0), mode="edge")[tuple(slice(0, s) for s in S)]
            * np.pad(b, 1, mode="reflect")[tuple(slice(1, 1 + s) for s in S)]
        ),
        "stack": lambda a, b: np.stack([a, b * b], axis=0).sum(axis=0),
        "stack_last": lambda a, b: np.stack([a, b], axis=-1).max(axis=-1),
        "stack3": stack3,
        "split": lambda a, b: (
            np.array_split(np.concatenate([a, b], axis=0), 2)[0]
            * np.split(np.concatenate([b, a], axis=0), 2)[1]
        ),
        "broadcast": broadcast,
        "flatten": flatten,
        "ones_like": lambda a, b: np.ones_like(a) * 0.3 + np.zeros_like(b) + a,
        "full_like": lambda a, b: np.full_like(a, 0.7) * b - a,
        "empty_like": lambda a, b: _fill(np.empty_like(a), a, b),
    }


def _fill(buf, a, b):
    buf[...] = a * b
    return buf


def _index_ops(rng, S):
    n = int(np.prod(S))
    perm = rng.permutation(S[0])
    half = perm[: max(1, S[0] // 2)]
    flat_idx = rng.integers(0, n, size=n + 2)
    src_idx = rng.integers(0, n, size=n + 2)
    mask = rng.random(S) < 0.5
    take_idx = rng.integers(0, n, size=n)
    pos = tuple(int(rng.integers(0, s)) for s in S)

    def setitem(a, b):
        c = a.copy()
        c[half] = b[half] * 2.0
        return c

    def set_mask(a, b):
        c = a.copy()
        c[mask] = np.sin(b[mask])
        return c

    def set_scalar(a, b):
        c = a * 1.0
        c[pos] = b[pos] * a[pos] + 1.0
        c[pos] += 0.5 * b[pos]
        return c

    def set_const(a, b):
        c = a + b
        c[half] = 0.25
        return c

    def add_at(a, b):
        c = a.ravel().copy()
        np.add.at(c, flat_idx, b.ravel()[src_idx])
        return c.reshape(S)

    def subtract_at(a, b):
        c = a.flatten()
        np.subtract.at(c, flat_idx[:3], np.cos(b.ravel()[src_idx[:3]]))
        return c.reshape(S)

    def basic(a, b):
        c = np.zeros_like(a)
        c[1:] = a[:-1] * b[1:]
        c[0] = b[-1]
        return c

    def strided(a, b):
        c = a.copy()
        c[::2] = a[::2] * b[::-2][: len(a[::2])]
        return c

    def iadd(a, b):
        c = a.copy()
        c[-1:] += b[:1]
        c *= 0.5
        return c

    return {
        "fancy": lambda a, b: a[perm] + b,
        "take": lambda a, b: np.take(a, take_idx).reshape(S) * b,
        "setitem": setitem,
        "set_mask": set_mask,
        "set_scalar": set_scalar,
        "set_const": set_const,
        "add_at": add_at,
        "subtract_at": subtract_at,
        "mask": lambda a, b: np.where(mask, a, b * 0.5),
        "mask_select": lambda a, b: a * 0 + np.sum(a[mask] * b[mask]),
        "basic": basic,
        "strided": strided,
        "iadd": iadd,
    }


def _product_ops(rng, S):
    r, c = S[0], S[-1]
    A = rng.standard_normal((c, c)) * (rng.random((c, c)) < 0.6)
    B = rng.standard_normal((r, r)) * (rng.random((r, r)) < 0.6)
    As = sp.csr_array(rng.standard_normal((r, r)) * (rng.random((r, r)) < 0.5))
    u = rng.standard_normal(r)
    twod = len(S) == 2

    def traced(a, b):
        if twod:
            return (a @ b.T) @ a * 0.5 if S[0] == S[1] else (a @ b.T) @ a
        return a * np.dot(a, b)

    def vec(a, b):
        if twod:  # vector @ matrix and matrix @ vector, traced on both sides
            return np.outer(b[:, 0], u @ a) + (a @ b[0])[:, None] * 0.5
        return (u @ np.outer(a, b)) * 0.2

    return {
        "dense_right": lambda a, b: a @ A,
        "dense_left": lambda a, b: B @ a,
        "matmul_fn": lambda a, b: np.matmul(B, a) + np.matmul(a, A),
        "sparse_left": lambda a, b: As @ a,
        "sparse_mixed": lambda a, b: As @ (a * b) - sp.csr_array(B) @ b,
        "traced": traced,
        "vec": vec,
        "dot": lambda a, b: (
            np.outer(a.ravel(), b.ravel()).sum(axis=1).reshape(S) + np.inner(a.ravel(), b.ravel())
        ),
        "dot_const": lambda a, b: (
            a * np.dot(u, a.reshape(r, -1)).sum() + np.inner(b.ravel(), b.ravel())
        ),
    }


def _loop_ops(rng, S):
    n = int(np.prod(S))
    order = rng.permutation(n)

    def loop(a, b):
        a, b = a.ravel(), b.ravel()
        out = np.zeros_like(a)
        for k in range(n):
            out[k] = a[k] * b[n - 1 - k] + np.sin(a[k])
        return out.reshape(S)

    def recurrence(a, b):
        a, b = a.ravel(), b.ravel()
        out = np.empty_like(a)
        out[0] = a[0]
        for k in range(1, n):
            out[k] = 0.5 * out[k - 1] * np.tanh(b[k]) + a[order[k]]
        return out.reshape(S)

    def elements(a, b):
        if len(S) == 1:
            return a * b[0] + b[-1] * 0.5
        out = a.copy()
        for i in range(S[0]):
            for j in range(S[1]):
                out[i, j] = a[i, j] * b[S[0] - 1 - i, j] - a[0, 0]
        return out

    def rows(a, b):
        parts = [np.sin(row) * b[0] for row in a]  # iteration over the first axis
        return np.stack(parts)

    return {"loop": loop, "recurrence": recurrence, "elements": elements, "rows": rows}


def _local_only_ops(rng, S):
    """Instructions that branch on traced values (global mode traces both sides) and
    traced boolean masks (local mode only)."""
    thr = float(rng.uniform(-0.5, 0.5))

    def branch(a, b):
        if a.sum() > thr:
            return a * b
        return np.sin(a) - b

    def scalar_branch(a, b):
        a0 = a.ravel()[0]
        if a0 < thr:
            return a + b * a0
        return a * 2.0

    def traced_mask(a, b):
        c = a.copy()
        m = a > b
        c[m] = a[m] * b[m]
        return c

    return {
        "branch": branch,
        "scalar_branch": scalar_branch,
        "traced_mask": traced_mask,
        "traced_mask_sum": lambda a, b: b + np.sum(a[a > thr]),
    }


def _misc_ops(rng, S):
    """Views, augmented assignment, ``out=``, accumulate/reduce methods, more shapes."""
    n = int(np.prod(S))
    rep = rng.integers(0, S[0], size=S[0] + 1)  # repeated indices
    src = rng.integers(0, S[0], size=S[0] + 1)
    ax = int(rng.integers(0, len(S)))
    twod = len(S) == 2

    def view_write(a, b):
        c = a.copy()
        v = c[1:]  # a view: writing through it changes c
        v[...] = v * b[: len(v)]
        return c

    def repeated_iadd(a, b):
        c = a * 1.0
        c[rep] += b[src]  # buffered: the last write of a repeated index wins
        return c

    def out_arg(a, b):
        c = np.zeros_like(a)
        np.multiply(a, np.cos(b), out=c)
        return c

    def accumulate(a, b):
        return np.maximum.accumulate(a, axis=ax) + np.add.accumulate(b, axis=ax) * 0.5

    def reduce_methods(a, b):
        r = np.add.reduce(a, axis=ax, keepdims=True) * np.multiply.reduce(
            1.0 + 0.3 * np.tanh(b), axis=ax, keepdims=True
        )
        return r + np.maximum.reduce(a, axis=ax, keepdims=True) * a

    def initial(a, b):
        return np.sum(a, initial=0.5) * b + np.max(a, initial=0.2) - np.min(b, initial=-0.1)

    def broadcast_outer(a, b):
        if twod:
            col, row = a[:, :1], b[:1, :]  # (r, 1) x (1, c)
            return col * row + a[..., 0:1] - b[None, 0, :]
        return a[:, None][:, 0] * b[None, :][0] + a[None][0]

    def multi_fancy(a, b):
        if twod:
            i = rng_rows
            j = rng_cols
            c = a.copy()
            c[i, j] = b[j % S[0], i % S[1]] * a[i, j]
            return c
        return a[[0, -1]].sum() + b

    rng_rows = rng.integers(0, S[0], size=3)
    rng_cols = rng.integers(0, S[-1], size=3)

    def tiles(a, b):
        if twod:
            t = np.tile(a, (1, 2))[:, : S[1]] + np.repeat(b, 2, axis=0)[::2]
            return t + np.rot90(np.rot90(a)) + np.moveaxis(b, 0, 1).T
        return np.tile(a, 2)[:n] + np.repeat(b, 2)[::2] + np.fliplr(np.atleast_2d(a))[0]

    def triangles(a, b):
        if twod and S[0] == S[1]:
            return np.tril(a) * 2.0 + np.triu(b, 1) + np.trace(a) + np.diagonal(b)[None, :]
        return a + np.atleast_2d(b)[0]

    def scalars(a, b):
        s = a.sum()  # a 0-d traced value
        t = np.sin(s) * 2.0 + s / 3.0 - 1.0
        return b * t + (t**2) * np.ones_like(a)

    def dot_mixed(a, b):
        if twod:
            v = np.dot(a, b[0]) + np.inner(a, b)[:, 0]  # (r,)
            return a * v[:, None]
        return a * np.dot(a, b) + np.inner(a, b)

    def where_broadcast(a, b):
        return np.where(a > 0.1, b, 0.5) + np.where(b < 0.2, 1.0, a) * np.where(True, a, b)

    def int_pow(a, b):
        return np.power(1.0 + b * b, np.arange(n).reshape(S) % 3) + a ** np.float64(3.0)

    def norm_keepdims(a, b):
        p = np.concatenate([a, np.ones_like(a)], axis=ax)
        return np.linalg.norm(p, axis=ax, keepdims=True) * b

    return {
        "view_write": view_write,
        "repeated_iadd": repeated_iadd,
        "out_arg": out_arg,
        "accumulate": accumulate,
        "reduce_methods": reduce_methods,
        "initial": initial,
        "broadcast_outer": broadcast_outer,
        "multi_fancy": multi_fancy,
        "tiles": tiles,
        "triangles": triangles,
        "scalars": scalars,
        "dot_mixed": dot_mixed,
        "where_broadcast": where_broadcast,
        "int_pow": int_pow,
        "norm_keepdims": norm_keepdims,
    }


def _special_ops(rng, S):
    """scipy.special and friends on safe domains; ufunc methods."""
    n = int(np.prod(S))
    grid = np.sort(rng.uniform(-1.5, 1.5, size=5))
    vals = rng.standard_normal(5)
    kern = rng.standard_normal(int(rng.integers(1, 4)))
    idx = rng.integers(0, n, size=n + 2)
    ax = int(rng.integers(0, len(S)))

    def conv(a, b):
        c = np.convolve(a.ravel(), kern, mode="same")[:n] if n >= kern.size else a.ravel()
        return c.reshape(S) + np.convolve(a.ravel(), b.ravel())[:n].reshape(S)

    def at_methods(a, b):
        c = a.ravel().copy()
        np.multiply.at(c, idx, 1.0 + 0.3 * np.tanh(b.ravel()[idx % n]))
        np.maximum.at(c, idx[::-1], b.ravel()[idx])
        return c.reshape(S)

    return {
        "erf": lambda a, b: 0.5 * (ss.erf(a) + ss.erfc(b)),
        "erfinv": lambda a, b: ss.erfinv(0.9 * np.tanh(a)) + ss.erfcinv(1.0 + 0.9 * np.tanh(b)),
        "expit": lambda a, b: ss.expit(a) * ss.log_expit(b) + ss.logit(0.5 + 0.45 * np.tanh(a)),
        "gamma": lambda a, b: ss.gammaln(1.5 + a * a) + ss.digamma(1.0 + b * b),
        "polygamma": lambda a, b: ss.polygamma(1, 1.0 + a * a) * ss.polygamma(2, 2.0 + b * b),
        "bessel": lambda a, b: ss.i0(a) + ss.i1(b) * ss.i0e(1.0 + a * a) - ss.i1e(b),
        "ndtr": lambda a, b: ss.ndtr(a) + ss.ndtri(0.5 + 0.45 * np.tanh(b)) * ss.log_ndtr(a),
        "xlogy": lambda a, b: ss.xlogy(a, 1.0 + b * b) + ss.xlog1py(b, a * a),
        "sinc": lambda a, b: np.sinc(a) * b + np.copysign(a, 1.0 + b * b),
        "logsumexp": lambda a, b: ss.logsumexp(a, axis=ax, keepdims=True) + ss.softmax(b, axis=ax),
        "log_softmax": lambda a, b: ss.log_softmax(a) * b + np.logaddexp(a, b),
        "interp": lambda a, b: np.interp(a, grid, vals) * b + np.heaviside(a, 0.5),
        "convolve": conv,
        "at_methods": at_methods,
        "accumulate_sub": lambda a, b: np.subtract.accumulate(a, axis=ax) * b,
    }


def _linalg_ops(rng, S):
    """Traced and constant linear algebra on well-conditioned matrices."""
    n = int(np.prod(S))
    K = rng.standard_normal((S[0], S[0])) * (rng.random((S[0], S[0])) < 0.5) + 3.0 * np.eye(S[0])
    square = len(S) == 2 and S[0] == S[1]

    def matrix(a, b):
        """An n-by-n diagonally dominant traced matrix."""
        if square:
            return np.tanh(a) / S[0] + 2.0 * np.eye(S[0]) + 0.1 * np.tanh(b)
        v, w = a.ravel(), b.ravel()
        return np.diag(2.0 + np.tanh(v)) + 0.1 * np.tanh(np.outer(w, v))

    def rhs(b):
        return b if square else b.ravel()

    def back(y):
        return np.reshape(y, S) if np.size(y) == n else np.reshape(y, ()) * np.ones(S)

    return {
        "solve": lambda a, b: back(np.linalg.solve(matrix(a, b), rhs(b))),
        "det": lambda a, b: back(np.linalg.det(matrix(a, b))) * a,
        "slogdet": lambda a, b: back(np.linalg.slogdet(matrix(b, a))[1]) + a,
        "inv": lambda a, b: back(np.linalg.inv(matrix(a, b)) @ rhs(a)),
        "cholesky": lambda a, b: back(np.linalg.cholesky(matrix(a, b) @ matrix(a, b).T) @ rhs(b)),
        "matrix_power": lambda a, b: back(np.linalg.matrix_power(matrix(a, b), 2) @ rhs(a)),
        "norm_spectral": lambda a, b: back(np.linalg.norm(matrix(a, b), 2)) * a,
        "norm_nuclear": lambda a, b: back(np.linalg.norm(matrix(b, a), "nuc")) + b,
        "svdvals": lambda a, b: back(np.sum(np.linalg.svdvals(matrix(a, b)) ** 2)) * b,
        "eigvalsh": lambda a, b: back(np.linalg.eigvalsh(matrix(a, b) + matrix(b, a).T)[-1]) * a,
        "const_solve": lambda a, b: np.linalg.solve(K, a) + sl.solve(K, b * b),
        "sparse_solve": lambda a, b: np.reshape(spl.spsolve(sp.csc_array(K), a * b), S),
    }


FAMILIES = {
    "special": _special_ops,
    "linalg": _linalg_ops,
    "reduce": _reduce_ops,
    "shape": _shape_ops,
    "index": _index_ops,
    "product": _product_ops,
    "loop": _loop_ops,
    "misc": _misc_ops,
    "local": _local_only_ops,
}

#: probability of each kind of instruction
KINDS = (
    "unary",
    "binary",
    "reduce",
    "shape",
    "index",
    "product",
    "loop",
    "misc",
    "special",
    "linalg",
    "local",
)
WEIGHTS = np.array([0.2, 0.19, 0.1, 0.1, 0.1, 0.08, 0.04, 0.07, 0.06, 0.02, 0.04])

#: instructions with a traced boolean mask: no global pattern exists
LOCAL_ONLY = frozenset({"traced_mask", "traced_mask_sum"})
#: instructions with a Python branch on a traced value (global mode traces every path)
BRANCHES = frozenset({"branch", "scalar_branch"})
assert LOCAL_ONLY | BRANCHES == set(_local_only_ops(np.random.default_rng(0), (2,)))


@dataclass(frozen=True)
class Instruction:
    """``pool.append(fun(pool[i], pool[j]))``."""

    name: str
    i: int
    j: int
    fun: Callable

    def __call__(self, pool):
        return self.fun(pool[self.i], pool[self.j])


def _draw_instruction(rng, S, pool_size, allow_local) -> Instruction:
    i, j = (int(k) for k in rng.integers(0, pool_size, size=2))
    weights = WEIGHTS.copy()
    if not allow_local:
        weights[-1] = 0.0
    kind = str(rng.choice(KINDS, p=weights / weights.sum()))
    if kind == "unary":
        name = str(rng.choice(list(UNARY)))
        f = UNARY[name]
        return Instruction(name, i, j, lambda a, b, f=f: f(a))
    if kind == "binary":
        name = str(rng.choice(list(BINARY)))
        return Instruction(name, i, j, BINARY[name])
    ops = FAMILIES[kind](rng, S)
    name = str(rng.choice(list(ops)))
    return Instruction(name, i, j, ops[name])


class Program:
    """A random program on inputs of shape ``shape``; ``__call__`` replays it."""

    def __init__(self, rng: np.random.Generator, steps: int | None = None):
        if rng.random() < 0.5:
            self.shape = (int(rng.integers(1, 8)),)
        else:
            self.shape = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
        self.size = int(np.prod(self.shape))
        allow_local = rng.random() < 0.25
        n_steps = steps or int(rng.integers(2, 9))
        self.instructions = [
            _draw_instruction(rng, self.shape, 1 + k, allow_local) for k in range(n_steps)
        ]
        # the output: ravel/concatenate of the last few pool entries (always the last)
        n_out = int(rng.integers(1, 4))
        extra = rng.choice(n_steps, size=min(n_out, n_steps), replace=False) + 1
        self.outputs = sorted({n_steps, *(int(e) for e in extra)})
        self.description = [ins.name for ins in self.instructions]
        branches = sum(name in BRANCHES for name in self.description)
        self.local_only = any(name in LOCAL_ONLY for name in self.description) or (
            2**branches > MAX_PATHS
        )

    def __call__(self, x):
        pool = [x]
        for ins in self.instructions:
            pool.append(ins(pool))
        return np.concatenate([np.ravel(pool[k]) for k in self.outputs])

    def __repr__(self) -> str:
        steps = ", ".join(f"{ins.name}({ins.i},{ins.j})" for ins in self.instructions)
        return f"Program(shape={self.shape}, [{steps}], outputs={self.outputs})"
