"""Checkers: a colouring that fails them would decompress to a wrong matrix."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..errors import AsdError


class ColoringError(AsdError, ValueError):
    """A colouring that does not allow exact decompression."""


def check_structurally_orthogonal(pattern, colors: np.ndarray, by: str = "column") -> None:
    """No two columns (rows) of one colour share a row (column)."""
    P = sp.csr_array(pattern, dtype=bool)
    if by == "row":
        P = sp.csr_array(P.T)
    n = P.shape[1]
    if colors.shape != (n,):
        raise ColoringError(f"asd: {colors.size} colours for {n} {by}s")
    rows = np.repeat(np.arange(P.shape[0]), np.diff(P.indptr))
    keys = rows * (int(colors.max(initial=0)) + 1) + colors[P.indices]
    _, counts = np.unique(keys, return_counts=True)
    if (counts > 1).any():
        raise ColoringError(f"asd: two {by}s of one colour overlap: not structurally orthogonal")


def check_star(pattern, colors: np.ndarray) -> None:
    """Distance-1 colouring in which every path on four vertices uses three colours.

    Checked through what decompression needs: every nonzero (i, j) is the only entry
    of its colour in row i or in row j.
    """
    S = sp.csr_array(pattern, dtype=bool)
    S = sp.csr_array(S + S.T, dtype=bool)
    S.sort_indices()
    n = S.shape[0]
    rows = np.repeat(np.arange(n), np.diff(S.indptr))
    cols = S.indices
    off = rows != cols
    if (colors[rows[off]] == colors[cols[off]]).any():
        raise ColoringError("asd: adjacent vertices share a colour (not a distance-1 colouring)")
    nc = int(colors.max(initial=0)) + 1
    key = rows * nc + colors[cols]
    uniq, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    alone = counts[inverse] == 1  # (i, j) is the only entry of colour c(j) in row i
    swapped = np.searchsorted(
        rows * n + cols, cols * n + rows
    )  # position of (j, i); S is symmetric with sorted rows
    ok = alone | alone[swapped]
    if not ok.all():
        t = np.flatnonzero(~ok)[0]
        raise ColoringError(
            f"asd: entry ({rows[t]}, {cols[t]}) cannot be recovered: the colouring is not a star "
            "colouring"
        )
