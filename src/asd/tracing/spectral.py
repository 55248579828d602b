"""Singular values and symmetric eigenvalues of traced matrices, exact in value, first
and second derivative.

* Values: the one-sided Jacobi iteration (Hestenes) is recorded in the tape on a copy of
  A whose derivative is cut (``stop_gradient``), so the tape itself computes the right
  singular vectors V at every x. Each round rotates n/2 disjoint column pairs at once
  (round-robin order), one vectorised block per operation.
* Derivatives: with C = A V (derivative through A only) and B = CᵀC, B is diagonal at x
  and holds the squared singular values. A sum of singular values with weights w,
  ``F = Σ w_i σ_i``, then has the expansion around the diagonal

      F = Σ_i w_i sqrt(B_ii) + Σ_{i<k} B_ik² · (w_i f'(λ_i) - w_k f'(λ_k)) / (λ_i - λ_k)

  (f = sqrt, λ = diag B, the quotient is w · (f'(λ_i) - f'(λ_k)) / (λ_i - λ_k) in closed
  form where w_i = w_k). The coefficients multiply B_ik², which vanishes to second order
  at x, so they are taken as values only; F then has the exact value, gradient and
  Hessian at x. The σ_i (descending, as ``np.linalg.svd``) are such sums: w selects one
  position. At a tie (σ equal at x, to rounding: ``TIE``) the derivatives are those of
  the mean of the tied values, as ``maximum``'s at a tie; that mean is smooth there.
  The value is always the j-th σ itself.
* Symmetric eigenvalues: the same with B = VᵀSV, V from the iteration on S + cI (c twice
  the largest absolute row sum: positive definite, so its right singular vectors are
  eigenvectors of S) and f the identity (no term within a cluster).
* Convergence: the tape has the sweeps the traced point needs, at least 2⌈log2 n⌉ + 1
  (what graded matrices of condition up to 1e12 needed), plus ``EXTRA_SWEEPS``, each
  of which squares the off-diagonal once the iteration converges. A guard raises
  ``ConvergenceError`` where the off-diagonal of B is above ``TOL`` of its largest
  diagonal entry.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import InputError, UnsupportedFunctionError
from ..tape import CONVERGED
from .tracer import TracedArray, apply, lift, lift_matrix

#: the largest min(m, n) whose singular values (or n: eigenvalues) are traced (tape nodes
#: grow as n³·sweeps)
MAX_SPECTRAL = 32
#: largest off-diagonal of B (relative to its largest diagonal entry) accepted as converged
TOL = 1e-12
#: singular values whose squares differ by at most TIE·eps·max(m, n)·σ_max² count as
#: tied (their singular vectors are not determined in floating point; the measured
#: spread of exactly tied values is at most 2.5 eps·max(m, n)·σ_max²)
TIE = 16
#: sweeps recorded beyond the first one converged at the traced point
EXTRA_SWEEPS = 2
#: a traced point needing more sweeps than this is refused
MAX_SWEEPS = 40


def _stop(t: TracedArray) -> TracedArray:
    return apply("stop_gradient", t)


def round_robin(n: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The n - 1 (n even) or n (n odd) rounds of disjoint pairs (p, q) covering every
    pair once (the circle method)."""
    m = n + n % 2
    players = list(range(m))
    rounds = []
    for _ in range(m - 1):
        pairs = [(players[i], players[m - 1 - i]) for i in range(m // 2)]
        pairs = [(min(p, q), max(p, q)) for p, q in pairs if p < n and q < n]
        if pairs:
            rounds.append(tuple(np.array(side, np.int64) for side in zip(*pairs)))
        players = [players[0], players[-1], *players[1:-1]]
    return rounds


def _rotate(w, v, p, q, rest, order):
    """One round: rotate the column pairs (p, q) of w to orthogonality, and v alike
    (``rest``: a column without a pair, odd n; ``order`` puts the columns back)."""
    wp, wq = w[..., p], w[..., q]
    alpha = np.sum(wp * wp, axis=-2)
    beta = np.sum(wq * wq, axis=-2)
    gamma = np.sum(wp * wq, axis=-2)
    flat = gamma == 0.0
    zeta = (beta - alpha) / (2.0 * np.where(flat, 1.0, gamma))
    # the smaller root of t² + 2ζt - 1 = 0: |rotation angle| <= π/4
    t = np.where(flat, 0.0, np.where(zeta >= 0.0, 1.0, -1.0) / (np.abs(zeta) + np.hypot(1.0, zeta)))
    c = 1.0 / np.sqrt(1.0 + t * t)
    s = (c * t)[..., None, :]
    c = c[..., None, :]

    def turn(x):
        xp, xq = x[..., p], x[..., q]
        return np.concatenate([c * xp - s * xq, s * xp + c * xq, x[..., rest]], axis=-1)[..., order]

    return turn(w), turn(v)


def _off_diagonal(w: np.ndarray) -> float:
    """max |w_iᵀ w_k| (i != k) relative to max |w_i|² over a stack of matrices."""
    g = np.matmul(np.swapaxes(w, -1, -2), w)
    d = np.diagonal(g, axis1=-2, axis2=-1)
    off = np.abs(g - d[..., None] * np.eye(g.shape[-1]))
    scale = np.max(d, axis=-1)
    ratio = np.max(off, axis=(-2, -1)) / np.where(scale > 0, scale, 1.0)
    return float(np.max(ratio)) if ratio.size else 0.0


def _right_vectors(a: TracedArray, what: str) -> TracedArray:
    """V of A (..., m, n), m >= n, from the Jacobi sweeps recorded on ``a`` (whose
    derivative is cut): the columns of A V are orthogonal at every x."""
    n = a.shape[-1]
    if not np.all(np.isfinite(a.val)):
        raise InputError(
            f"asd: {what} of a matrix with NaN / inf entries at the traced point: its "
            "singular values (and derivatives) are undefined there. Trace at a finite x."
        )
    v = lift(a.rec, np.broadcast_to(np.eye(n), a.shape[:-2] + (n, n)).copy())
    rounds = []
    for p, q in round_robin(n):
        rest = np.setdiff1d(np.arange(n), np.r_[p, q])
        rounds.append((p, q, rest, np.argsort(np.r_[p, q, rest])))
    base = 2 * math.ceil(math.log2(max(n, 2))) + 1  # graded matrices (cond <= 1e12) need that
    w, sweeps, done = a, 0, None
    while done is None or sweeps < max(done, base) + EXTRA_SWEEPS:
        for p, q, rest, order in rounds:
            w, v = _rotate(w, v, p, q, rest, order)
        sweeps += 1
        if done is None and _off_diagonal(w.val) <= TOL:
            done = sweeps
        if sweeps > MAX_SWEEPS:
            raise UnsupportedFunctionError(
                what,
                f"The Jacobi iteration for the singular values did not converge in "
                f"{MAX_SWEEPS} sweeps at the traced point (extreme scaling).",
            )
    return v


def _ones(mask):
    return np.where(mask, 1.0, 0.0)


def _selection(lam, positions, tie):
    """For the j-th largest λ (positions[j]), values only: ``at`` (..., J, n) averages the
    entries equal to it (its value), ``w`` averages its cluster, the entries joined to it
    by gaps of at most ``tie`` (indistinguishable in floating point)."""
    higher = lam[..., None, :] > lam[..., :, None]  # [i, k]: λ_k > λ_i
    above = np.sum(_ones(higher), axis=-1)
    upto = np.sum(_ones(lam[..., None, :] >= lam[..., :, None]), axis=-1)
    j = np.asarray(positions, np.float64)[:, None]
    at = _ones((above[..., None, :] <= j) & (j < upto[..., None, :]))
    at = at / np.sum(at, axis=-1, keepdims=True)
    below = np.max(np.where(higher, lam[..., :, None], -np.inf), axis=-2)  # next lower λ
    opens = (lam - below) > tie  # a gap of more than tie below λ_k
    cluster = np.sum(_ones(higher & opens[..., None, :]), axis=-1)  # gaps above λ_i
    target = np.sum(at * cluster[..., None, :], axis=-1, keepdims=True)
    w = _ones(cluster[..., None, :] == target)
    return at, w / np.sum(w, axis=-1, keepdims=True)


def _limit(n: int, what: str, shape: str) -> None:
    if n > MAX_SPECTRAL:
        raise UnsupportedFunctionError(
            f"{what} of a traced {shape} matrix",
            f"asd records a Jacobi iteration in the tape (O(n³) nodes per sweep) for "
            f"min(m, n) up to {MAX_SPECTRAL}. For a larger matrix, use ord='fro' "
            "(||A||_2 <= ||A||_F), ord=1 or np.inf, or make the extreme singular value or "
            "eigenvalue an unknown of your model (A v = σ u, Aᵀu = σ v; S v = λ v).",
        )


def _converged(a, off, scale, what) -> None:
    """Guard: the off-diagonal of B within ``TOL`` of its scale at every evaluation."""
    if off.shape[-1]:
        ok = np.all(np.abs(off) <= TOL * scale)
        a.rec.guard(ok.ids, np.ones(1), f"{CONVERGED}the Jacobi iteration of {what}")


def _expansion(d, o, lam, positions, tie, sqrt: bool) -> TracedArray:
    """The values at ``positions`` (j-th largest) of f(λ) (f = sqrt: singular values from
    λ = σ²; else eigenvalues), with the derivatives of the cluster mean's second-order
    expansion in ``d`` = diag B and ``o`` = B_ik (i < k); see the module notes."""
    n = lam.shape[-1]
    i, k = np.triu_indices(n, 1)
    at, w = _selection(lam, positions, tie)  # (..., J, n)
    f = np.sqrt(lam) if sqrt else lam
    value = np.sum(at * f[..., None, :], axis=-1)  # the j-th largest
    smooth = np.sum(w * (np.sqrt(d) if sqrt else d)[..., None, :], axis=-1)  # its mean ...
    if not i.size:
        return value + (smooth - _stop(smooth))
    wi, wk = w[..., i], w[..., k]
    same = wi == wk
    gap = np.where(same, 1.0, (lam[..., i] - lam[..., k])[..., None, :])
    if sqrt:  # w f'(λ) = w / 2σ; within a cluster the divided difference of f'
        positive = f > 0.0
        safe = np.where(positive, f, 1.0)
        fprime = np.where(positive[..., None, :], w / (2.0 * safe[..., None, :]), 0.0)
        si, sk = safe[..., i], safe[..., k]
        inner = np.where(positive[..., i] & positive[..., k], -0.5 / (si * sk * (si + sk)), 0.0)
        coef = np.where(same, inner[..., None, :] * wi, (fprime[..., i] - fprime[..., k]) / gap)
    else:  # f' = 1: nothing within a cluster
        coef = (wi - wk) / gap
    smooth = smooth + np.sum(coef * np.square(o)[..., None, :], axis=-1)  # ... to second order
    return value + (smooth - _stop(smooth))  # the value, the derivatives of smooth


def _tie(scale, size: int):
    return TIE * np.finfo(np.float64).eps * size * scale


def singular_values(a: TracedArray, positions=None, what="np.linalg.svd") -> TracedArray:
    """σ (descending) of the traced stack ``a`` (..., m, n) at ``positions`` (all when
    None), exact in value, gradient and Hessian; see the module notes."""
    rows, cols = a.shape[-2:]
    if rows < cols:
        a = np.swapaxes(a, -1, -2)
    m, n = a.shape[-2:]
    if n == 0:
        raise np.linalg.LinAlgError("Arrays cannot be empty")
    _limit(n, what, f"{rows} x {cols}")
    positions = list(range(n)) if positions is None else [p % n for p in positions]
    v = _right_vectors(_stop(a), what)
    c = np.matmul(a, v)  # derivative through a only
    i, k = np.triu_indices(n, 1)
    d = np.sum(c * c, axis=-2)  # B = CᵀC: B_ii = σ_i²
    o = np.sum(c[..., i] * c[..., k], axis=-2)  # B_ik, i < k: 0 at x
    lam = _stop(d)
    scale = np.max(lam, axis=-1, keepdims=True)
    _converged(a, _stop(o), scale, what)
    return _expansion(d, o, lam, positions, _tie(scale, max(m, n)), sqrt=True)


def symmetric_eigenvalues(a: TracedArray, lower: bool, what: str) -> TracedArray:
    """Eigenvalues (ascending, as ``np.linalg.eigvalsh``) of the symmetric matrices whose
    lower (``lower``) or upper triangle ``a`` (..., n, n) holds. V comes from the Jacobi
    iteration on S + cI, c twice the largest absolute row sum (positive definite, so its
    right singular vectors are the eigenvectors of S); B = VᵀSV."""
    n = a.shape[-1]
    if a.shape[-2] != n:
        raise np.linalg.LinAlgError("Last 2 dimensions of the array must be square")
    if n == 0:
        raise np.linalg.LinAlgError("Arrays cannot be empty")
    _limit(n, what, f"{n} x {n}")
    half = np.tril(a, -1) if lower else np.triu(a, 1)
    s = half + np.swapaxes(half, -1, -2) + np.diagonal(a, axis1=-2, axis2=-1)[..., None] * np.eye(n)
    frozen = _stop(s)
    shift = 2.0 * np.max(np.sum(np.abs(frozen), axis=-1), axis=-1, keepdims=True)
    v = _right_vectors(frozen + shift[..., None] * np.eye(n), what)
    sv = np.matmul(s, v)  # derivative through s only
    i, k = np.triu_indices(n, 1)
    d = np.sum(v * sv, axis=-2)  # B_ii = v_iᵀ S v_i
    o = np.sum(v[..., i] * sv[..., k], axis=-2)  # B_ik, i < k: 0 at x
    lam = _stop(d)
    scale = np.max(np.abs(lam), axis=-1, keepdims=True)
    _converged(a, _stop(o), scale, what)
    return _expansion(d, o, lam, list(range(n - 1, -1, -1)), _tie(scale, n), sqrt=False)


def svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    """``np.linalg.svd(a, compute_uv=False)``: the singular values (descending)."""
    if compute_uv:
        raise UnsupportedFunctionError(
            "np.linalg.svd with compute_uv=True",
            "Singular vectors are not differentiable where singular values repeat, and "
            "asd traces the singular values only: np.linalg.svd(a, compute_uv=False) or "
            "np.linalg.svdvals(a); norms of a matrix: np.linalg.norm(a, 2 / -2 / 'nuc').",
        )
    return singular_values(lift_matrix(a))


def svdvals(x):
    """``np.linalg.svdvals``: the singular values (descending)."""
    return singular_values(lift_matrix(x), what="np.linalg.svdvals")


def eigvalsh(a, UPLO="L"):
    """``np.linalg.eigvalsh``: eigenvalues (ascending) of the symmetric matrix held in
    the lower (``UPLO='L'``) or upper triangle."""
    if UPLO not in ("L", "U"):
        raise ValueError("UPLO argument must be 'L' or 'U'")
    return symmetric_eigenvalues(lift_matrix(a), UPLO == "L", "np.linalg.eigvalsh")


def eigh(a, UPLO="L"):
    raise UnsupportedFunctionError(
        "np.linalg.eigh",
        "Eigenvectors are not differentiable where eigenvalues repeat, and asd traces "
        "the eigenvalues only: np.linalg.eigvalsh(a) (also for norms: np.linalg.norm).",
    )


def _complex_eigenvalues(name: str):
    def refuse(*args, **kwargs):
        raise UnsupportedFunctionError(
            name,
            "Eigenvalues of a non-symmetric matrix are complex in general. For a symmetric "
            "matrix use np.linalg.eigvalsh(a); for the size of a matrix, the singular "
            "values (np.linalg.svdvals, np.linalg.norm(a, 2)).",
        )

    return refuse


eig = _complex_eigenvalues("np.linalg.eig")
eigvals = _complex_eigenvalues("np.linalg.eigvals")
