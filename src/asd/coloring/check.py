"""Checkers: a colouring that fails them would decompress to a wrong matrix.

Each checker tests exactly what decompression needs and raises :class:`ColoringError`
(never warns). Colour ``-1`` means "not seeded" (a neutral colour after postprocessing).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..errors import AsdError
from .decompress import _first_conflict, _lower, _peel, _row_unique
from .graph import canonical, symmetrized_with_mirror


class ColoringError(AsdError, ValueError):
    """A colouring that does not allow exact decompression."""


def _colors(colors, n: int, what: str) -> np.ndarray:
    c = np.ascontiguousarray(colors, dtype=np.int64)
    if c.shape != (n,):
        raise ColoringError(f"asd: {c.size} colours for {n} {what}")
    return c


def _entry(P: sp.csr_array, t: int) -> tuple[int, int]:
    row = int(np.searchsorted(P.indptr, t, side="right") - 1)
    return row, int(P.indices[t])


def check_structurally_orthogonal(pattern, colors, by: str = "column") -> None:
    """No two columns (``by="row"``: rows) of one colour share a row (column); all seeded."""
    if by not in ("column", "row"):
        raise ValueError(f"asd: by must be 'column' or 'row', not {by!r}")
    P = canonical(pattern)
    _orthogonal(canonical(P.T) if by == "row" else P, colors, by)


def _orthogonal(P: sp.csr_array, colors, by: str) -> None:
    """``P`` canonical, already transposed for rows."""
    c = _colors(colors, P.shape[1], by + "s")
    ok = _row_unique(P.indptr, P.indices, c)
    if not ok.all():
        r, j = _entry(P, int(np.flatnonzero(~ok)[0]))
        raise ColoringError(
            f"asd: {by} {j} is unseeded or shares its colour with another {by} meeting it "
            f"at {'column' if by == 'row' else 'row'} {r}: not structurally orthogonal"
        )


def _proper(S: sp.csr_array, c: np.ndarray) -> None:
    t = _first_conflict(S.indptr, S.indices, c)
    if t >= 0:
        i, j = _entry(S, t)
        raise ColoringError(
            f"asd: adjacent vertices {i} and {j} share a colour (not a distance-1 colouring)"
        )


def check_star(pattern, colors) -> None:
    """Symmetric direct recovery (star condition, Coleman and Moré 1984).

    Distance-1, and every nonzero (i, j) of ``pattern + pattern.T`` is the only seeded
    entry of its colour in row i or in row j (equivalently: every path on four vertices
    uses at least three colours).
    """
    _star(*symmetrized_with_mirror(canonical(pattern)), colors)


def _star(S: sp.csr_array, mirror: np.ndarray, colors) -> None:
    """``S`` canonical and symmetric; ``mirror`` its entry transposition."""
    c = _colors(colors, S.shape[0], "vertices")
    _proper(S, c)
    u = _row_unique(S.indptr, S.indices, c)
    ok = u | u[mirror]
    if not ok.all():
        i, j = _entry(S, int(np.flatnonzero(~ok)[0]))
        raise ColoringError(
            f"asd: entry ({i}, {j}) cannot be recovered directly: not a star colouring"
        )


def check_acyclic(pattern, colors) -> None:
    """Symmetric recovery by substitution (acyclic condition).

    Distance-1, and the two-coloured subgraphs are forests: peeling them leaf by leaf
    determines every nonzero. Fails on a two-coloured cycle or an unseeded diagonal.
    """
    _acyclic(*symmetrized_with_mirror(canonical(pattern)), colors)


def _acyclic(S: sp.csr_array, mirror: np.ndarray, colors) -> None:
    """``S`` canonical and symmetric; ``mirror`` its entry transposition."""
    c = _colors(colors, S.shape[0], "vertices")
    _proper(S, c)
    low_of, nlow = lower_index(S, mirror)
    ok = _peel(S.indptr, S.indices, low_of, nlow, c, int(c.max(initial=-1)) + 1, mirror)[0]
    if not ok:
        raise ColoringError(
            "asd: some entries cannot be recovered by substitution: the colouring has a "
            "two-coloured cycle (not acyclic) or an unseeded vertex"
        )


def check_bicoloring(pattern, column_colors, row_colors) -> None:
    """Every nonzero (i, j) is the only seeded entry of its colour in row i (forward
    read ``B[i, c(j)]``) or in column j (reverse read ``C[r(i), j]``)."""
    _bicoloring(canonical(pattern), column_colors, row_colors)


def _bicoloring(P: sp.csr_array, column_colors, row_colors) -> None:
    """``P`` canonical."""
    m, n = P.shape
    cc = _colors(column_colors, n, "columns")
    rc = _colors(row_colors, m, "rows")
    ok = bicolor_reads(P, cc, rc)
    both = ok[0] | ok[1]
    if not both.all():
        i, j = _entry(P, int(np.flatnonzero(~both)[0]))
        raise ColoringError(
            f"asd: entry ({i}, {j}) is read neither forward nor in reverse: not a valid bicolouring"
        )


def bicolor_reads(P: sp.csr_array, cc: np.ndarray, rc: np.ndarray):
    """Per nonzero in CSR order: (forward read exact, reverse read exact)."""
    fwd = _row_unique(P.indptr, P.indices, cc)
    C = sp.csr_array((np.arange(P.nnz, dtype=np.int64), P.indices, P.indptr), shape=P.shape)
    C = C.tocsc()
    C.sort_indices()
    rev_csc = _row_unique(
        np.ascontiguousarray(C.indptr, np.int64), np.ascontiguousarray(C.indices, np.int64), rc
    )
    rev = np.empty(P.nnz, dtype=bool)
    rev[C.data] = rev_csc
    return fwd, rev


def lower_index(S: sp.csr_array, mirror: np.ndarray) -> tuple[np.ndarray, int]:
    """For each entry of a symmetric CSR pattern, its index among ``tril`` entries (CSR order)."""
    low_of, pos = _lower(S.indptr, S.indices, mirror)
    return low_of, pos.size
