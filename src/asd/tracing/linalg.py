"""Dense linear algebra on traced arrays, as compositions of table operators.

* ``norm`` (also ``matrix_norm``, ``vector_norm``, ``cond``): vector and matrix norms
  (abs, square, sums along axes, max / min, sqrt, powers); the singular-value norms
  (``ord=2, -2, 'nuc'``) from ``spectral.py`` (also ``svd(compute_uv=False)``,
  ``svdvals``, ``eigvalsh``).
* Traced matrices (``det slogdet inv solve cholesky matrix_power pinv``): Gaussian
  elimination with partial pivoting unrolled into the tape. The pivot row is chosen
  *by comparisons* (the first row of largest ``|a|``, selected with ``where``), so
  the tape is exact and pivots like LAPACK at every x, in global mode as in local
  mode (where the inactive rows drop out of the local pattern). Each elimination
  step is one vectorised block per operation over the whole remaining matrix.
  ``det`` of n <= 3 and ``inv`` of n <= 2 use their explicit formulas (exact at
  singular matrices too). Traced matrices are limited to ``MAX_TRACED`` rows.
* Constant matrices (``solve(K, x)`` with x traced, dense or ``scipy.sparse`` K,
  also ``scipy.linalg.solve``, ``solve_triangular``, ``lu_solve``, ``cho_solve`` and
  ``scipy.sparse.linalg.spsolve``): one linear node
  per output with the weights of K⁻¹ restricted to its structural nonzeros. K⁻¹ is
  computed per weakly connected component of K's graph (a block-diagonal or banded K
  is never densified as a whole), and within a component only entries (i, j) with a
  directed path i -> j in K's graph are kept (a triangular K has a triangular
  inverse).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

try:
    from numpy.lib.array_utils import normalize_axis_index
except ImportError:  # numpy < 2
    from numpy.core.multiarray import normalize_axis_index

import scipy.sparse as sp

from ..errors import InputError, UnsupportedFunctionError
from .factorizations import qr
from .reductions import axes_last, keepdims_shape
from .spectral import eig, eigh, eigvals, eigvalsh, singular_values, svd, svdvals
from .tracer import TracedArray, find_recorder, lift, lift_float, lift_matrix

#: the largest traced matrix (rows) that det / inv / solve / cholesky unroll
MAX_TRACED = 64


def _vector_norm(x, ord, axis, keepdims):
    if isinstance(ord, str):
        raise ValueError(f"Invalid norm order '{ord}' for vectors")
    if ord is None or ord == 2:
        return np.sqrt(np.sum(np.square(x), axis=axis, keepdims=keepdims))
    if ord == np.inf:
        return np.max(np.abs(x), axis=axis, keepdims=keepdims)
    if ord == -np.inf:
        return np.min(np.abs(x), axis=axis, keepdims=keepdims)
    if ord == 0:  # the number of nonzeros: piecewise constant
        return np.sum((x != 0).astype(np.float64), axis=axis, keepdims=keepdims)
    if ord == 1:
        return np.sum(np.abs(x), axis=axis, keepdims=keepdims)
    ord = float(ord)
    s = np.sum(np.abs(x) ** ord, axis=axis, keepdims=keepdims)
    return s ** (1.0 / ord)


def _matrix_norm(x, ord, row, col, keepdims):
    if row == col:
        raise ValueError("Duplicate axes given.")
    if ord == 2 or ord == -2 or ord == "nuc":
        what = f"np.linalg.norm(ord={ord!r})"
        a = np.moveaxis(x, (row, col), (-2, -1))
        if ord == "nuc":
            out = np.sum(singular_values(a, what=what), axis=-1)
        else:
            out = singular_values(a, [0 if ord == 2 else -1], what=what)[..., 0]
    elif ord in (None, "fro", "f"):
        out = np.sqrt(np.sum(np.square(x), axis=(row, col)))
    elif ord in (1, -1):  # extreme column sum: sum over rows, then max / min over columns
        reduce = np.max if ord == 1 else np.min
        out = reduce(np.sum(np.abs(x), axis=row), axis=col - (col > row))
    elif ord in (np.inf, -np.inf):  # extreme row sum
        reduce = np.max if ord == np.inf else np.min
        out = reduce(np.sum(np.abs(x), axis=col), axis=row - (row > col))
    else:
        raise ValueError("Invalid norm order for matrices.")
    if keepdims:
        shape = list(x.shape)
        shape[row] = shape[col] = 1
        out = np.reshape(out, tuple(shape))
    return out


def norm(x, ord=None, axis=None, keepdims=False):
    """``np.linalg.norm(x, ord, axis, keepdims)`` with numpy's semantics."""
    x = lift(find_recorder([x]), x)
    if x.val.dtype != np.float64:
        x = x.astype(np.float64)
    nd = x.ndim
    if axis is None:
        if ord is None or (nd == 2 and ord in ("fro", "f")) or (nd == 1 and ord == 2):
            out = np.sqrt(np.sum(np.square(np.ravel(x))))
            return np.reshape(out, (1,) * nd) if keepdims else out
        if nd == 1:
            return _vector_norm(x, ord, 0, keepdims)
        if nd == 2:
            return _matrix_norm(x, ord, 0, 1, keepdims)
        raise ValueError("Improper number of dimensions to norm.")
    axes = tuple(axis) if isinstance(axis, tuple | list) else (axis,)
    axes = tuple(normalize_axis_index(int(a), nd) for a in axes)
    if len(axes) == 1:
        return _vector_norm(x, ord, axes[0], keepdims)
    if len(axes) == 2:
        return _matrix_norm(x, ord, axes[0], axes[1], keepdims)
    raise ValueError("Improper number of dimensions to norm.")


# ---------------------------------------------------------------------------------------
# traced matrices: explicit small formulas and pivoted elimination
# ---------------------------------------------------------------------------------------


def _square(a, what: str) -> int:
    """n of the n x n matrices of ``a`` (a traced stack), within ``MAX_TRACED``."""
    if a.shape[-1] != a.shape[-2]:
        raise np.linalg.LinAlgError("Last 2 dimensions of the array must be square")
    n = a.shape[-1]
    if n > MAX_TRACED:
        raise UnsupportedFunctionError(
            f"{what} of a traced {n} x {n} matrix",
            f"asd unrolls Gaussian elimination (O(n³) tape nodes) for traced matrices up to "
            f"{MAX_TRACED} x {MAX_TRACED}. For a larger one, keep the matrix constant "
            "(solve(K, x) with constant K is one sparse linear node), or make the "
            "solution y an unknown of your model with the residual A(x) @ y - b(x) = 0.",
        )
    return n


def _stacked(fn, a, *rest):
    """Apply ``fn`` (on one matrix) to every matrix of a stack (..., n, n)."""
    if a.ndim == 2:
        return fn(a, *rest)
    lead = a.shape[:-2]
    outs = [
        fn(a[idx], *(r[idx] if r is not None else None for r in rest)) for idx in np.ndindex(*lead)
    ]
    if isinstance(outs[0], tuple):
        return tuple(_restack([o[i] for o in outs], lead) for i in range(len(outs[0])))
    return _restack(outs, lead)


def _restack(parts, lead):
    s = np.stack(parts)
    return np.reshape(s, lead + tuple(np.shape(parts[0])))


def _det_small(a):
    n = a.shape[-1]
    if n == 0:
        return lift(a.rec, np.ones(a.shape[:-2]))
    if n == 1:
        return a[..., 0, 0]
    if n == 2:
        return a[..., 0, 0] * a[..., 1, 1] - a[..., 0, 1] * a[..., 1, 0]
    m = [[a[..., i, j] for j in range(3)] for i in range(3)]
    return (
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
        - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
        + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    )


def _eliminate(a, b=None):
    """Gaussian elimination with partial pivoting of the n x n traced ``a`` (and the
    right-hand sides ``b``, n x k): the rows of U, the transformed b, the pivots and the
    permutation's sign (a traced ±1 with zero derivative)."""
    n = a.shape[0]
    m = a if b is None else np.concatenate([a, b], axis=1)
    rows, pivots = [], []
    sign = None
    for _ in range(n):
        col = np.abs(m[:, 0])
        if m.shape[0] > 1:
            hit = col == np.max(col)
            first = hit & (np.cumsum(hit.astype(np.float64)) == 1.0)  # first largest |a|
            top = np.sum(np.where(first[:, None], m, 0.0), axis=0)
            rest = np.where(first[1:, None], m[0][None, :], m[1:])
            flip = np.where(first[0], 1.0, -1.0)
            sign = flip if sign is None else sign * flip
        else:
            top, rest = m[0], None
        rows.append(top)
        pivots.append(top[0])
        if rest is not None:
            factor = rest[:, 0] / top[0]
            m = rest[:, 1:] - factor[:, None] * top[None, 1:]
    if sign is None:
        sign = lift(a.rec, np.float64(1.0))
    return rows, pivots, sign


def _back_substitute(rows, n):
    """Solve U x = y from the eliminated rows (row i: U[i, i:], then y_i)."""
    xs = [None] * n
    for i in range(n - 1, -1, -1):
        r = rows[i]  # length (n - i) + k
        y = r[n - i :]
        if i < n - 1:
            below = np.stack(xs[i + 1 :])  # (n - i - 1, k)
            y = y - r[1 : n - i] @ below
        xs[i] = y / r[0]
    return np.stack(xs)


def _solve_traced(a, b):
    """a (n, n) traced, b (n, k)."""
    n = a.shape[0]
    if n <= 2:
        return _inv_traced(a) @ b
    rows, _, _ = _eliminate(a, b)
    return _back_substitute(rows, n)


def _inv_traced(a):
    n = a.shape[0]
    if n == 1:
        return np.reshape(1.0 / a[0, 0], (1, 1))
    if n == 2:
        d = a[0, 0] * a[1, 1] - a[0, 1] * a[1, 0]
        adj = np.stack([np.stack([a[1, 1], -a[0, 1]]), np.stack([-a[1, 0], a[0, 0]])])
        return adj / d
    return _solve_traced(a, lift(a.rec, np.eye(n)))


def det(a):
    a = lift_matrix(a)
    n = _square(a, "np.linalg.det")
    if n <= 3:
        return _det_small(a)

    def one(m):
        _, piv, sign = _eliminate(m)
        return sign * np.prod(np.stack(piv))

    return _stacked(one, a)


def slogdet(a):
    a = lift_matrix(a)
    n = _square(a, "np.linalg.slogdet")
    if n <= 3:
        d = _det_small(a)
        return _SlogdetResult(np.sign(d), np.log(np.abs(d)))

    def one(m):
        _, piv, sign = _eliminate(m)
        p = np.stack(piv)
        return sign * np.prod(np.sign(p)), np.sum(np.log(np.abs(p)))

    s, l = _stacked(one, a)
    return _SlogdetResult(s, l)


#: ``(sign, logabsdet)`` with numpy's attribute names
_SlogdetResult = namedtuple("SlogdetResult", ["sign", "logabsdet"])


def inv(a):
    a = lift_matrix(a)
    _square(a, "np.linalg.inv")
    return _stacked(_inv_traced, a)


def solve(a, b):
    """``np.linalg.solve``: elimination for a traced ``a``; a constant ``a`` becomes a
    sparse linear node (``constant_solve``)."""
    if not isinstance(a, TracedArray):
        return constant_solve(a, b)
    a = lift_matrix(a)
    n = _square(a, "np.linalg.solve")
    b = lift(a.rec, b)
    b = b.astype(np.float64) if b.val.dtype != np.float64 else b
    vec = b.ndim == 1
    if vec:
        if b.shape[0] != n:
            raise ValueError(f"solve: b has {b.shape[0]} rows, a is {n} x {n}")
        if a.ndim > 2:
            b = np.broadcast_to(b, a.shape[:-1])[..., None]
        else:
            b = b[:, None]
    elif b.shape[-2] != n:
        raise ValueError(f"solve: b has {b.shape[-2]} rows, a is {n} x {n}")
    if a.ndim > 2 or b.ndim > 2:
        shape = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        a = np.broadcast_to(a, shape + a.shape[-2:])
        b = np.broadcast_to(b, shape + b.shape[-2:])
    x = _stacked(_solve_traced, a, b)
    return x[..., 0] if vec else x


def cholesky(a, upper=False):
    """The Cholesky factor, column by column (one block per operation and column)."""
    a = lift_matrix(a)
    n = _square(a, "np.linalg.cholesky")
    np.linalg.cholesky(a.val)  # numpy's error if a is not positive definite at x

    def one(m):
        cols = []
        for j in range(n):
            if j:
                prev = np.stack(cols, axis=1)  # (n, j): L[:, :j]
                s = m[j:, j] - prev[j:] @ prev[j]
            else:
                s = m[j:, j]
            d = np.sqrt(s[0])
            col = s[1:] / d
            parts = [lift(m.rec, np.zeros(j))] if j else []
            cols.append(np.concatenate([*parts, np.reshape(d, (1,)), col]))
        L = np.stack(cols, axis=1)
        return L.T if upper else L

    return _stacked(one, a)


def matrix_power(a, n):
    a = lift_matrix(a)
    size = _square(a, "np.linalg.matrix_power")
    if not isinstance(n, int | np.integer):
        raise TypeError("exponent must be an integer")
    if n == 0:
        return lift(a.rec, np.broadcast_to(np.eye(size), a.shape).copy())
    if n < 0:
        a, n = inv(a), -n
    result, base = None, a
    while n:
        if n & 1:
            result = base if result is None else np.matmul(result, base)
        n >>= 1
        if n:
            base = np.matmul(base, base)
    return result


def pinv(a, rcond=None, hermitian=False, **kw):
    """Pseudo-inverse of a traced full-rank matrix: (AᵀA)⁻¹Aᵀ (tall) or Aᵀ(AAᵀ)⁻¹ (wide),
    differentiable where the rank is full (the rank must be full at x)."""
    a = lift_matrix(a)
    m, n = a.shape[-2:]
    ranks = np.linalg.matrix_rank(a.val)
    if np.any(ranks < min(m, n)):
        raise UnsupportedFunctionError(
            "np.linalg.pinv of a rank-deficient traced matrix",
            "The pseudo-inverse is differentiable only where the rank is constant; asd "
            "traces it for matrices of full rank at x (then it is (AᵀA)⁻¹Aᵀ or Aᵀ(AAᵀ)⁻¹). "
            "Remove the dependent rows / columns, or regularise: solve(AᵀA + λI, Aᵀ).",
        )
    at = np.swapaxes(a, -1, -2)
    if m >= n:
        return solve(np.matmul(at, a), at)
    return np.swapaxes(solve(np.matmul(a, at), a), -1, -2)


# ---------------------------------------------------------------------------------------
# constant matrices: K⁻¹ restricted to its structural nonzeros
# ---------------------------------------------------------------------------------------


def constant_inverse(K) -> sp.csr_array:
    """K⁻¹ (sparse), computed per weakly connected component of K's graph and kept only
    where a directed path i -> j exists in K's graph (zero-free diagonal), else the
    component's dense block."""
    K = (
        sp.csr_array(K, dtype=np.float64, copy=True)  # made canonical below: not the user's
        if sp.issparse(K)
        else sp.csr_array(np.asarray(K, np.float64))
    )
    n = K.shape[0]
    if K.ndim != 2 or K.shape[1] != n:
        raise np.linalg.LinAlgError("Last 2 dimensions of the array must be square")
    K.sum_duplicates()
    K.eliminate_zeros()
    if not np.all(np.isfinite(K.data)):
        raise InputError("asd: the constant matrix of a solve has non-finite entries")
    from scipy.sparse import csgraph  # imports scipy.linalg: only when needed

    ncomp, labels = csgraph.connected_components(K, directed=True, connection="weak")
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(ncomp + 1))
    rows, cols, vals = [], [], []
    for c in range(ncomp):
        idx = order[bounds[c] : bounds[c + 1]]
        block = K[idx][:, idx]
        dense = block.toarray()
        try:
            binv = np.linalg.inv(dense)
        except np.linalg.LinAlgError as e:
            raise np.linalg.LinAlgError(
                "asd: the constant matrix of a solve is singular (a diagonal block of "
                f"size {idx.size} has no inverse)"
            ) from e
        if np.all(dense.diagonal() != 0):
            reach = np.isfinite(csgraph.shortest_path(block, unweighted=True, directed=True))
        else:
            reach = np.ones(dense.shape, bool)
        r, q = np.nonzero(reach)
        rows.append(idx[r])
        cols.append(idx[q])
        vals.append(binv[r, q])
    out = sp.csr_array(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n)
    )
    return out


def constant_solve(K, b):
    """``solve(K, b)`` with constant K and traced b: a linear node per output."""
    from .numpy_api import _const_matmul

    rec = find_recorder([b])
    if rec is None:
        raise InputError("asd: constant_solve needs a traced right-hand side")
    if not sp.issparse(K):
        K = np.asarray(K)
        if K.ndim > 2:  # a stack of constant matrices
            b = lift(rec, b)
            vec = b.ndim == 1
            bb = b[..., None] if vec else b
            shape = np.broadcast_shapes(K.shape[:-2], bb.shape[:-2])
            K = np.broadcast_to(K, shape + K.shape[-2:])
            bb = np.broadcast_to(bb, shape + bb.shape[-2:])
            outs = [constant_solve(K[i], bb[i]) for i in np.ndindex(*shape)]
            x = np.reshape(np.stack(outs), shape + bb.shape[-2:])
            return x[..., 0] if vec else x
    Kinv = constant_inverse(K)
    b = lift(rec, b)
    b = b.astype(np.float64) if b.val.dtype != np.float64 else b
    n = Kinv.shape[0]
    if b.shape[0] != n:
        raise ValueError(f"solve: b has {b.shape[0]} rows, the matrix is {n} x {n}")
    if b.ndim > 2:
        raise ValueError("solve: b must be 1-D or 2-D for a 2-D matrix")
    return _const_matmul(Kinv, b)


# ---------------------------------------------------------------------------------------
# scipy.linalg and scipy.sparse.linalg while tracing
# ---------------------------------------------------------------------------------------


def _scipy_solve(
    a,
    b,
    lower=False,
    overwrite_a=False,
    overwrite_b=False,
    check_finite=True,
    assume_a=None,
    transposed=False,
):
    if transposed:
        a = np.swapaxes(a, -1, -2) if isinstance(a, TracedArray) else np.asarray(a).T
    return solve(a, b)


def _scipy_cholesky(a, lower=False, overwrite_a=False, check_finite=True):
    return cholesky(a, upper=not lower)


def _spsolve(A, b, permc_spec=None, use_umfpack=True):
    if isinstance(A, TracedArray):
        return solve(A, b)
    b = lift(find_recorder([b]), b)
    x = constant_solve(A, b)
    return x[:, 0] if b.ndim == 2 and b.shape[1] == 1 else x


def _constant_factor(m, what: str) -> np.ndarray:
    """The constant factor of a scipy.linalg solve as a float array (a traced one has no
    rule: the factorisation it came from is not traced either)."""
    if isinstance(m, TracedArray):
        raise UnsupportedFunctionError(
            f"{what} with a traced matrix",
            "Only a constant matrix with a traced right-hand side is traceable here; for "
            "a traced matrix call np.linalg.solve(A, b) on A itself (elimination unrolled "
            "into the tape).",
        )
    return np.asarray(m, np.float64)


def _transposed(K: np.ndarray, trans) -> np.ndarray:
    """K for trans 0 / 'N', Kᵀ for 1 / 'T' and 2 / 'C' (real matrices)."""
    codes = {0: 0, 1: 1, 2: 2, "N": 0, "T": 1, "C": 2, "n": 0, "t": 1, "c": 2}
    if trans not in codes:
        raise ValueError("incorrect value for trans")
    return np.swapaxes(K, -1, -2) if codes[trans] else K


def _solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False, **kw):
    """``scipy.linalg.solve_triangular`` with constant ``a``: the triangle it reads (unit
    diagonal if asked), transposed for trans = 1, 2, as one sparse linear node per output."""
    a = _constant_factor(a, "scipy.linalg.solve_triangular")
    K = np.tril(a) if lower else np.triu(a)
    if unit_diagonal:
        n = K.shape[-1]
        K[..., np.arange(n), np.arange(n)] = 1.0
    return constant_solve(_transposed(K, trans), b)


def _lu_matrix(lu: np.ndarray, piv) -> np.ndarray:
    """P L U from ``scipy.linalg.lu_factor``'s output: LAPACK's pivots are row swaps
    applied in sequence (row i with row piv[i]) to the matrix, giving L U."""
    n = lu.shape[0]
    L = np.tril(lu, -1) + np.eye(n)
    LU = L @ np.triu(lu)
    perm = np.arange(n)
    for i, p in enumerate(np.asarray(piv, np.int64)):
        perm[i], perm[p] = perm[p], perm[i]
    A = np.empty_like(LU)
    A[perm] = LU  # row i of L U is row perm[i] of the factored matrix
    return A


def _lu_solve(lu_and_piv, b, trans=0, **kw):
    """``scipy.linalg.lu_solve`` with a constant factorisation: A = P L U rebuilt."""
    lu, piv = lu_and_piv
    lu = _constant_factor(lu, "scipy.linalg.lu_solve")
    return constant_solve(_transposed(_lu_matrix(lu, piv), trans), b)


def _cho_solve(c_and_lower, b, **kw):
    """``scipy.linalg.cho_solve`` with a constant factor: L Lᵀ or Uᵀ U from the triangle
    cho_factor wrote (the other one holds leftovers and is ignored)."""
    c, lower = c_and_lower
    c = _constant_factor(c, "scipy.linalg.cho_solve")
    F = np.tril(c) if lower else np.triu(c)
    Ft = np.swapaxes(F, -1, -2)
    return constant_solve(F @ Ft if lower else Ft @ F, b)


def _matrix_function(name: str):
    def refuse(*args, **kwargs):
        raise UnsupportedFunctionError(
            f"scipy.linalg.{name}",
            "A matrix function of a traced matrix has no rule. Spectral sums of a "
            "symmetric S trace (np.trace(expm(S)) = np.sum(np.exp(np.linalg.eigvalsh(S)))); "
            "exp(tA) y in a model is the ODE y' = A y; or write a truncated series with "
            "matrix products.",
        )

    return refuse


def scipy_linalg_wrappers(traced_or):
    import scipy.linalg as sl
    import scipy.sparse.linalg as spl

    out = []
    for mod, name, fn in (
        (sl, "solve", _scipy_solve),
        (sl, "inv", lambda a, *args, **kw: inv(a)),
        (sl, "det", lambda a, *args, **kw: det(a)),
        (sl, "cholesky", _scipy_cholesky),
        (sl, "pinv", lambda a, *args, **kw: pinv(a)),
        (sl, "solve_triangular", _solve_triangular),
        (sl, "lu_solve", _lu_solve),
        (sl, "cho_solve", _cho_solve),
        (spl, "spsolve", _spsolve),
        *((sl, name, _matrix_function(name)) for name in ("expm", "logm", "sqrtm", "funm")),
    ):
        out.append((mod, name, traced_or(getattr(mod, name), fn)))
    return out


def matrix_norm(x, /, *, keepdims=False, ord="fro"):
    """``np.linalg.matrix_norm``: the norm of the last two axes."""
    return norm(x, ord=ord, axis=(-2, -1), keepdims=keepdims)


def vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
    """``np.linalg.vector_norm``: over all axes (None), one axis, or several as one."""
    (x,) = lift_float(x)
    flat, axes = axes_last(x, axis)
    out = _vector_norm(flat, ord, -1, False)
    return np.reshape(out, keepdims_shape(x, axes)) if keepdims else out


def cond(x, p=None):
    """``np.linalg.cond``: σ_max / σ_min (p = None, 2, -2), else ||x||_p ||x⁻¹||_p."""
    x = lift_matrix(x)
    if p is None or p == 2 or p == -2:
        s = singular_values(x, [0, -1], what="np.linalg.cond")
        big, small = s[..., 0], s[..., 1]
        return small / big if p == -2 else big / small
    _square(x, "np.linalg.cond")
    return norm(x, p, axis=(-2, -1)) * norm(inv(x), p, axis=(-2, -1))


LINALG = {
    np.linalg.norm: norm,
    np.linalg.matrix_norm: matrix_norm,
    np.linalg.vector_norm: vector_norm,
    np.linalg.cond: cond,
    np.linalg.svd: svd,
    np.linalg.svdvals: svdvals,
    np.linalg.eigvalsh: eigvalsh,
    np.linalg.qr: qr,
    np.linalg.eigh: eigh,
    np.linalg.eig: eig,
    np.linalg.eigvals: eigvals,
    np.linalg.det: det,
    np.linalg.slogdet: slogdet,
    np.linalg.inv: inv,
    np.linalg.solve: solve,
    np.linalg.cholesky: cholesky,
    np.linalg.matrix_power: matrix_power,
    np.linalg.pinv: pinv,
}
