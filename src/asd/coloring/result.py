"""The colouring result: colours, seed matrices and a precomputed decompression plan."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .decompress import _substitute

SYMMETRIC = ("star", "acyclic")


def _groups(colors: np.ndarray, ncolors: int) -> list[np.ndarray]:
    order = np.argsort(colors, kind="stable")
    sizes = np.bincount(colors[colors >= 0], minlength=ncolors)
    start = int((colors < 0).sum())
    bounds = start + np.concatenate([[0], np.cumsum(sizes)])
    return [order[bounds[c] : bounds[c + 1]] for c in range(ncolors)]


def _seeds(colors: np.ndarray, ncolors: int) -> np.ndarray:
    S = np.zeros((colors.size, ncolors))
    seeded = np.flatnonzero(colors >= 0)
    S[seeded, colors[seeded]] = 1.0
    return S


class ColoringResult:
    """Colours of a sparsity pattern and the plan that decompresses compressed matrices.

    Conventions: column, star and acyclic problems compress ``B = A @ S`` (m x ncolors),
    row problems ``C = S.T @ A`` (ncolors x n), bidirectional ones take ``(B, C)`` with
    ``B = A @ Sc`` and ``C = Sr.T @ A``. Colour ``-1`` marks a vertex that is never seeded
    (postprocessing found its colour unnecessary). ``pattern`` is the canonical boolean
    CSR structure (symmetrised for star and acyclic problems); ``decompress_values``
    returns nonzeros in its CSR order.

    Attributes: ``problem``, ``order`` (the order that produced it), ``colors`` (per
    column, or per row for "row"; ``None`` for "bidirectional"), ``column_colors`` and
    ``row_colors`` (bidirectional), ``ncolors`` (forward + reverse for bidirectional),
    ``lower_bound`` (no colouring of this problem needs fewer colours: the largest row or
    column, a greedy clique; equal to ``ncolors`` when the colouring is optimal).
    """

    def __init__(
        self,
        problem: str,
        pattern: sp.csr_array,
        order: str,
        *,
        colors: np.ndarray | None = None,
        column_colors: np.ndarray | None = None,
        row_colors: np.ndarray | None = None,
        plan: dict,
        lower_bound: int = 0,
    ) -> None:
        self.problem = problem
        self.pattern = pattern
        self.order = order
        self.colors = colors
        self.column_colors = column_colors
        self.row_colors = row_colors
        self._plan = plan
        if problem == "bidirectional":
            self.nforward = int(column_colors.max(initial=-1)) + 1
            self.nreverse = int(row_colors.max(initial=-1)) + 1
            self.ncolors = self.nforward + self.nreverse
        else:
            self.ncolors = int(colors.max(initial=-1)) + 1
        self.lower_bound = min(int(lower_bound), self.ncolors)
        self._structure: tuple[np.ndarray, np.ndarray] | None = None

    def __repr__(self) -> str:
        return (
            f"ColoringResult(problem={self.problem!r}, order={self.order!r}, "
            f"shape={self.pattern.shape}, nnz={self.pattern.nnz}, ncolors={self.ncolors}, "
            f"lower_bound={self.lower_bound})"
        )

    # -- colours and seeds -----------------------------------------------------------------
    @property
    def groups(self) -> list[np.ndarray]:
        """Index arrays per colour (bidirectional: forward column groups, then row groups)."""
        if self.problem == "bidirectional":
            return _groups(self.column_colors, self.nforward) + _groups(
                self.row_colors, self.nreverse
            )
        return _groups(self.colors, self.ncolors)

    def seed_matrix(self) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """0/1 seeds: n x ncolors (row problem: m x ncolors; bidirectional: ``(Sc, Sr)``)."""
        if self.problem == "bidirectional":
            return _seeds(self.column_colors, self.nforward), _seeds(self.row_colors, self.nreverse)
        return _seeds(self.colors, self.ncolors)

    def compressed_shape(self) -> tuple[int, int] | tuple[tuple[int, int], tuple[int, int]]:
        """Shape ``decompress`` expects (bidirectional: shapes of B and C)."""
        m, n = self.pattern.shape
        if self.problem == "row":
            return (self.ncolors, n)
        if self.problem == "bidirectional":
            return (m, self.nforward), (self.nreverse, n)
        return (m, self.ncolors)

    # -- decompression -----------------------------------------------------------------------
    def structure(self, triangle: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(rows, cols) of the nonzeros in the order ``decompress_values`` returns them."""
        if self._structure is None:  # built on first use
            P = self.pattern
            rows = np.repeat(np.arange(P.shape[0], dtype=np.int64), np.diff(P.indptr))
            self._structure = (rows, np.asarray(P.indices, dtype=np.int64))
        rows, cols = self._structure
        if triangle is None:
            return rows, cols
        self._need_lower(triangle)
        low = rows >= cols
        return rows[low], cols[low]

    def _need_lower(self, triangle: str) -> None:
        if triangle != "lower":
            raise ValueError(f"asd: triangle must be None or 'lower', not {triangle!r}")
        if self.problem not in SYMMETRIC:
            raise ValueError("asd: triangle='lower' needs a symmetric (star/acyclic) colouring")

    def lower_gather(self) -> np.ndarray | None:
        """For a symmetric colouring recovered directly, the flat positions in the
        compressed matrix of the lower-triangle nonzeros (CSR order of ``tril``);
        None when recovery needs substitution (acyclic) or the problem is not symmetric."""
        if self.problem not in SYMMETRIC or "src_lower" not in self._plan:
            return None
        return self._plan["src_lower"]

    def _flat(self, compressed, shape) -> np.ndarray:
        a = np.asarray(compressed)
        if a.shape != shape:
            raise ValueError(f"asd: compressed matrix has shape {a.shape}, expected {shape}")
        return np.ascontiguousarray(a, dtype=np.float64).reshape(-1)

    def decompress_values(
        self, compressed, out: np.ndarray | None = None, *, triangle: str | None = None
    ) -> np.ndarray:
        """Nonzeros of the matrix in CSR order of the pattern (or of ``tril``), from the
        compressed matrix: one gather (direct) or one substitution sweep (acyclic)."""
        plan = self._plan
        if triangle is not None:
            self._need_lower(triangle)
        if self.problem == "bidirectional":
            B, C = compressed
            shapes = self.compressed_shape()
            fb, fc = self._flat(B, shapes[0]), self._flat(C, shapes[1])
            if out is None:
                out = np.empty(self.pattern.nnz)
            out[plan["fwd"]] = fb[plan["fwd_src"]]
            out[plan["rev"]] = fc[plan["rev_src"]]
            return out
        flat = self._flat(compressed, self.compressed_shape())
        if "src" in plan:  # direct
            src = plan["src"] if triangle is None else plan["src_lower"]
            if out is None:
                return flat[src]
            return np.take(flat, src, out=out)
        nlow = plan["nlow"]
        low = out if (triangle is not None and out is not None) else np.empty(nlow)
        _substitute(flat, plan["target"], plan["step_src"], plan["dep_ptr"], plan["deps"], low)
        if triangle is not None:
            return low
        if out is None:
            return low[plan["low_of"]]
        return np.take(low, plan["low_of"], out=out)

    def decompress(self, compressed) -> sp.csr_array:
        """The matrix as a CSR array with exactly the pattern's structure."""
        P = self.pattern
        return sp.csr_array(
            (self.decompress_values(compressed), P.indices.copy(), P.indptr.copy()), shape=P.shape
        )
