"""Sparsity patterns of the colouring benchmark (``benchmarks/coloring.py``) and its tests.

Each function returns a boolean ``scipy.sparse.csr_array``; ``benchmark_set`` lists the
patterns with the problems they are coloured for, so the tests check the default
colouring over exactly what the benchmark reports.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from cases.brusselator import Brusselator2D


def brusselator(N: int, layout: str = "interleaved") -> sp.csr_array:
    """2-D Brusselator Jacobian pattern on an N x N periodic grid (12 N² nonzeros)."""
    return Brusselator2D(N, layout).jacobian_sparsity()


def powerflow_like(n: int, seed: int = 0) -> sp.csr_array:
    """Symmetric pattern resembling a power-flow Hessian: full diagonal, buses coupled to
    a few near neighbours (a sparse mesh) and a few random far ones; ~5-15 per row."""
    rng = np.random.default_rng(seed)
    k_near = rng.integers(1, 4, n)
    rows = [np.repeat(np.arange(n), k_near)]
    cols = [(rows[0] + rng.integers(1, 30, rows[0].size)) % n]
    far = rng.random(n) < 0.3
    rows.append(np.flatnonzero(far))
    cols.append(rng.integers(0, n, far.sum()))
    r = np.concatenate(rows + [np.arange(n)])
    c = np.concatenate(cols + [np.arange(n)])
    # each bus carries two variables (angle, magnitude) coupled with each other
    r2 = np.concatenate([2 * r, 2 * r, 2 * r + 1, 2 * r + 1])
    c2 = np.concatenate([2 * c, 2 * c + 1, 2 * c, 2 * c + 1])
    P = sp.csr_array((np.ones(r2.size, bool), (r2, c2)), shape=(2 * n, 2 * n))
    return sp.csr_array(P + P.T, dtype=bool)


def banded(n: int, half: int) -> sp.csr_array:
    """Symmetric band: ``rho = 2 * half`` off-diagonal bands. Optimal colours: column
    ``2 half + 1``; acyclic ``half + 1`` (a clique); star ``2 half + 1`` (theory)."""
    offsets = list(range(-half, half + 1))
    return sp.csr_array(
        sp.diags_array([np.ones(n - abs(k)) for k in offsets], offsets=offsets), dtype=bool
    )


def random_rect(m: int, n: int, per_row: int, seed: int = 0) -> sp.csr_array:
    """``per_row`` uniformly random columns in every row (duplicates merged)."""
    rng = np.random.default_rng(seed)
    r = np.repeat(np.arange(m), per_row)
    c = rng.integers(0, n, r.size)
    return sp.csr_array((np.ones(r.size, bool), (r, c)), shape=(m, n))


def random_symmetric(n: int, per_row: int, seed: int = 0) -> sp.csr_array:
    """Random symmetric pattern with a full diagonal."""
    P = random_rect(n, n, per_row, seed)
    return sp.csr_array(P + P.T + sp.eye_array(n, dtype=bool), dtype=bool)


def arrow_plus_random(n: int, seed: int = 0) -> sp.csr_array:
    """Random sparse rows plus a few dense rows and columns (a bidirectional case)."""
    P = random_rect(n, n, 4, seed).tolil()
    P[:3, :] = True
    P[:, :3] = True
    return sp.csr_array(P)


def benchmark_set(quick: bool = False) -> list[tuple[str, sp.csr_array, tuple[str, ...]]]:
    """``(name, pattern, problems)`` of the synthetic benchmark patterns (PGLib cases,
    which need their data files, are added by the benchmark itself)."""
    out = []
    sizes = (6, 12, 32, 48) if quick else (6, 12, 24, 32, 48, 96, 192)
    for N in sizes:
        for layout in ("interleaved", "blocked"):
            out.append((f"brusselator N={N} {layout}", brusselator(N, layout), ("column",)))
    for n in (500,) if quick else (5_000, 50_000):
        P = powerflow_like(n)
        out.append((f"powerflow-like n={P.shape[0]}", P, ("star", "acyclic", "column")))
    for n, half in ((2_000, 2), (2_000, 5)) if quick else ((20_000, 2), (20_000, 5), (20_000, 10)):
        out.append((f"banded n={n} half={half}", banded(n, half), ("star", "acyclic", "column")))
    rects = ((400, 200, 5),) if quick else ((2_000, 1_000, 5), (40_000, 20_000, 6))
    for m, n, k in rects:
        out.append((f"random {m}x{n} {k}/row", random_rect(m, n, k), ("column", "row")))
    for n in (300,) if quick else (3_000,):
        out.append((f"random symmetric n={n}", random_symmetric(n, 3), ("star", "acyclic")))
    n = 500 if quick else 10_000
    out.append((f"dense rows+cols n={n}", arrow_plus_random(n), ("bidirectional",)))
    return out
