"""Random numpy programs that run unchanged on numpy arrays and on traced arrays.

A program is a list of steps over a pool of arrays of one shape S; each step reads
pool entries and appends a new one. Domains are kept safe (log(1 + a²), division by
1.5 + b², ...) so values and derivatives are finite. Every supported family of
operations appears: elementwise ufuncs, piecewise ops, reductions, products with
constant dense / sparse and traced matrices, shape functions, indexing, setitem,
np.add.at and scalar-style loops.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

UNARY = {
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
    "cube": lambda a: a**3,
    "pow_const": lambda a: (1.0 + a * a) ** 1.5,
    "rpow": lambda a: 2.0 ** np.tanh(a),
    "sign": lambda a: np.sign(a) * a,
    "floor": lambda a: a + np.floor(a),
    "ceil": lambda a: a * np.ceil(a),
    "trunc": lambda a: a - np.trunc(a),
    "rint": lambda a: a + np.rint(3 * a),
    "round": lambda a: a * np.round(a, 1),
    "clip": lambda a: np.clip(a, -0.3, 0.4),
    "deg": lambda a: np.deg2rad(a) * 30.0,
}

BINARY = {
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "div": lambda a, b: a / (1.5 + b * b),
    "rdiv": lambda a, b: 2.0 / (1.5 + b * b) + a,
    "maximum": np.maximum,
    "minimum": np.minimum,
    "fmax": np.fmax,
    "fmin": np.fmin,
    "hypot": lambda a, b: np.hypot(a, 1.0 + b * b),
    "arctan2": lambda a, b: np.arctan2(a, 1.5 + b * b),
    "pow": lambda a, b: (1.0 + a * a) ** np.tanh(b),
    "where_traced": lambda a, b: np.where(a > b, a * b, a - b),
    "where_logic": lambda a, b: np.where((a > 0) & (b < 0.5) | ~(a < -1), a, 2 * b),
    "floordiv": lambda a, b: a * (b // 0.5),
    "mod": lambda a, b: np.mod(a, 0.7) + b,
    "const_mul": lambda a, b: a * np.linspace(-1, 1, a.size).reshape(a.shape) + b,
}


class Program:
    """A random program on inputs of shape ``shape``; ``__call__`` runs it."""

    def __init__(self, rng: np.random.Generator, steps: int | None = None):
        self.rng = rng
        if rng.random() < 0.5:
            self.shape = (int(rng.integers(2, 7)),)
        else:
            self.shape = (int(rng.integers(2, 4)), int(rng.integers(2, 4)))
        self.size = int(np.prod(self.shape))
        self.steps = []
        n_steps = steps or int(rng.integers(2, 7))
        for _ in range(n_steps):
            self.steps.append(self._draw())
        self.n_out = int(rng.integers(1, 4))
        self.description = [s[0] for s in self.steps]

    def _pick(self, k: int) -> list[int]:
        return [int(i) for i in self.rng.integers(0, 1 + len(self.steps), size=k)]

    def _draw(self):
        rng, S = self.rng, self.shape
        kind = rng.choice(
            ["unary", "binary", "reduce", "shape", "index", "product", "loop"],
            p=[0.28, 0.28, 0.1, 0.1, 0.1, 0.1, 0.04],
        )
        i, j = self._pick(2)
        if kind == "unary":
            name = str(rng.choice(list(UNARY)))
            return (name, lambda p, f=UNARY[name]: f(p[i]))
        if kind == "binary":
            name = str(rng.choice(list(BINARY)))
            return (name, lambda p, f=BINARY[name]: f(p[i], p[j]))
        if kind == "reduce":
            axis = int(rng.integers(0, len(S)))
            ones = np.ones(S)
            name = str(rng.choice(["sum", "mean", "prod", "max", "min", "cumsum", "diff", "norm"]))
            funs = {
                "sum": lambda a: np.sum(a, axis=axis, keepdims=True) * ones,
                "mean": lambda a: a.mean(axis=axis, keepdims=True) * ones,
                "prod": lambda a: np.prod(np.tanh(a) + 1.5, axis=axis, keepdims=True) * ones,
                "max": lambda a: np.max(a, axis=axis, keepdims=True) * ones,
                "min": lambda a: a.min(axis=axis, keepdims=True) + ones,
                "cumsum": lambda a: np.cumsum(a, axis=axis),
                "diff": lambda a: np.diff(a, axis=axis, prepend=0.5),
                "norm": lambda a: np.linalg.norm(a) * ones,
            }
            return (name, lambda p, f=funs[name]: f(p[i]))
        if kind == "shape":
            axis = int(rng.integers(0, len(S)))
            shift = int(rng.integers(-2, 3))
            name = str(rng.choice(["roll", "flip", "reshape", "concat", "pad", "stack", "split"]))
            funs = {
                "roll": lambda a, b: np.roll(a, shift, axis=axis),
                "flip": lambda a, b: np.flip(a, axis=axis) * b,
                "reshape": lambda a, b: a.ravel()[::-1].reshape(S) - b.T.T,
                "concat": lambda a, b: np.take(
                    np.concatenate([a, b], axis=axis),
                    np.arange(S[axis]) * 2 % (2 * S[axis]),
                    axis=axis,
                ),
                "pad": lambda a, b: (
                    np.pad(a, 1, mode="constant", constant_values=0.25)[
                        tuple(slice(1, 1 + s) for s in S)
                    ]
                    + np.pad(b, 1, mode="wrap")[tuple(slice(0, s) for s in S)]
                ),
                "stack": lambda a, b: np.stack([a, b * b], axis=0).sum(axis=0),
                "split": lambda a, b: (
                    np.array_split(np.concatenate([a, b], axis=0), 2)[0]
                    * np.split(np.concatenate([b, a], axis=0), 2)[1]
                ),
            }
            return (name, lambda p, f=funs[name]: f(p[i], p[j]))
        if kind == "index":
            perm = rng.permutation(S[0])
            flat_idx = rng.integers(0, self.size, size=self.size + 2)
            src_idx = rng.integers(0, self.size, size=self.size + 2)
            mask = rng.random(S) < 0.5
            name = str(rng.choice(["fancy", "setitem", "add_at", "mask", "basic"]))

            def setitem(a, b):
                c = a.copy()
                c[perm[: max(1, S[0] // 2)]] = b[perm[: max(1, S[0] // 2)]] * 2.0
                return c

            def add_at(a, b):
                c = a.ravel().copy()
                np.add.at(c, flat_idx, b.ravel()[src_idx])
                return c.reshape(S)

            def basic(a, b):
                c = np.zeros_like(a)
                c[1:] = a[:-1] * b[1:]
                c[0] = b[-1]
                return c

            funs = {
                "fancy": lambda a, b: a[perm] + b,
                "setitem": setitem,
                "add_at": add_at,
                "mask": lambda a, b: np.where(mask, a, b * 0.5),
                "basic": basic,
            }
            return (name, lambda p, f=funs[name]: f(p[i], p[j]))
        if kind == "product":
            n0 = S[-1]
            A = rng.standard_normal((n0, n0)) * (rng.random((n0, n0)) < 0.6)
            As = sp.csr_array(rng.standard_normal((S[0], S[0])) * (rng.random((S[0], S[0])) < 0.5))
            name = str(rng.choice(["dense_right", "dense_left", "sparse_left", "traced", "dot"]))
            funs = {
                "dense_right": lambda a, b: a @ A,
                "dense_left": lambda a, b: (A @ a.T).T if len(S) == 2 else A @ a,
                "sparse_left": lambda a, b: As @ a,
                "traced": lambda a, b: (a @ b.T) @ a if len(S) == 2 else a * np.dot(a, b),
                "dot": lambda a, b: (
                    np.outer(a.ravel(), b.ravel()).sum(axis=1).reshape(S)
                    + np.inner(a.ravel(), b.ravel())
                ),
            }
            return (name, lambda p, f=funs[name]: f(p[i], p[j]))

        def loop(p):
            a, b = p[i].ravel(), p[j].ravel()
            out = np.zeros_like(a)
            for k in range(a.size):
                out[k] = a[k] * b[a.size - 1 - k] + np.sin(a[k])
            return out.reshape(S)

        return ("loop", loop)

    def __call__(self, x):
        pool = [x]
        for _, step in self.steps:
            pool.append(step(pool))
        return np.concatenate([np.ravel(v) for v in pool[-self.n_out :]])
