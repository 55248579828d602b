"""Pictures of sparsity patterns and colourings: ``asd.spy`` (matplotlib) and
``asd.spy_text`` (characters, for a terminal without matplotlib).

Each nonzero is drawn in the colour of the group that recovers it: its column's colour
for column, star and acyclic colourings, its row's for row colourings. A bidirectional
colouring shows the pattern with its column colours (forward seeds) along the top and
its row colours (reverse seeds) along the left. matplotlib is an optional extra,
imported only here and only when a picture is drawn.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
import scipy.sparse as sp

from .errors import InputError

#: characters of the text picture: colour k is SYMBOLS[k % len(SYMBOLS)]
SYMBOLS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _parts(obj) -> tuple[sp.coo_array, Any, str]:
    """(pattern as COO, colouring result or None, a title) of what can be drawn."""
    from .coloring.result import ColoringResult

    coloring = None
    if isinstance(obj, ColoringResult):
        coloring, pattern = obj, obj.pattern
        title = f"{obj.problem} colouring: {obj.ncolors} colours"
    elif hasattr(obj, "pattern") and hasattr(obj, "tape"):  # a prepared derivative
        pattern = obj.pattern
        coloring = getattr(obj, "coloring", None)
        kind = type(obj).__name__
        mode = getattr(obj, "mode", "")
        title = f"{kind}, {mode} mode, nnz {pattern.nnz}"
        if coloring is not None and mode != "direct":
            title += f", {coloring.ncolors} colours ({coloring.problem})"
        elif mode == "direct":
            coloring = None  # direct accumulation uses no colouring
    elif sp.issparse(obj) or isinstance(obj, np.ndarray):
        pattern, title = obj, f"pattern, nnz {int(np.count_nonzero(_dense_mask(obj)))}"
    else:
        raise InputError(
            f"asd.spy draws a sparse matrix, a boolean array, a prepared derivative or a "
            f"colouring result, not a {type(obj).__name__}"
        )
    coo = sp.coo_array(pattern)
    coo.sum_duplicates()
    keep = coo.data != 0
    return (
        sp.coo_array((coo.data[keep], (coo.row[keep], coo.col[keep])), coo.shape),
        coloring,
        title,
    )


def _dense_mask(obj) -> np.ndarray:
    return obj.toarray() != 0 if sp.issparse(obj) else np.asarray(obj) != 0


def entry_colors(coo: sp.coo_array, coloring) -> np.ndarray:
    """The colour of each nonzero (-1: none), by the group that recovers it."""
    if coloring is None or coloring.colors is None:
        return np.full(coo.nnz, -1)
    if coloring.problem == "row":
        return coloring.colors[coo.row]
    return coloring.colors[coo.col]


def spy_text(obj, width: int = 64, height: int = 32) -> str:
    """A character picture: each cell covers a block of the matrix and shows '.' when
    the block is empty, the colour symbol of its first coloured entry, or '#'."""
    coo, coloring, title = _parts(obj)
    m, n = coo.shape
    rows, cols = max(1, min(height, m)), max(1, min(width, n))
    grid = np.full((rows, cols), ".", dtype="<U1")
    colors = entry_colors(coo, coloring)
    r = (coo.row * rows) // max(m, 1)
    c = (coo.col * cols) // max(n, 1)
    for i, j, k in zip(r[::-1], c[::-1], colors[::-1]):  # the first entry wins
        grid[i, j] = "#" if k < 0 else SYMBOLS[k % len(SYMBOLS)]
    lines = [f"{title} ({m} x {n}; one character per {m / rows:.3g} x {n / cols:.3g} block)"]
    if coloring is not None and coloring.problem == "bidirectional":
        lines.append(f"forward colours {coloring.nforward}, reverse colours {coloring.nreverse}")
    lines += ["".join(row) for row in grid]
    return "\n".join(lines)


def spy(obj, ax=None, *, markersize: float | None = None, title: str | None = None):
    """Draw a pattern, a prepared derivative's pattern or a colouring; returns the
    matplotlib ``Axes``. Without matplotlib, prints :func:`spy_text` and returns None."""
    coo, coloring, default_title = _parts(obj)
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        print(
            "asd.spy: matplotlib is not installed (pip install matplotlib); a text picture:",
            file=sys.stderr,
        )
        print(spy_text(obj))
        return None
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5))
    m, n = coo.shape
    size = markersize if markersize is not None else max(0.5, min(30.0, 2000.0 / max(m, n)))
    colors = entry_colors(coo, coloring)
    cmap = plt.get_cmap("tab20")
    plain = colors < 0
    if plain.any():
        ax.scatter(coo.col[plain], coo.row[plain], s=size, c="0.35", marker="s", linewidths=0)
    if (~plain).any():
        ax.scatter(
            coo.col[~plain],
            coo.row[~plain],
            s=size,
            c=colors[~plain] % 20,
            cmap=cmap,
            vmin=0,
            vmax=19,
            marker="s",
            linewidths=0,
        )
    if coloring is not None and coloring.problem == "bidirectional":
        _seed_strips(ax, coloring, m, n, cmap)
    ax.set_xlim(-0.5 - (0.04 * n if coloring is not None else 0), n - 0.5)
    ax.set_ylim(m - 0.5, -0.5 - (0.04 * m if coloring is not None else 0))
    ax.set_aspect("equal" if 0.2 < m / max(n, 1) < 5 else "auto")
    ax.set_title(title if title is not None else default_title, fontsize=9)
    ax.set_xlabel("column")
    ax.set_ylabel("row")
    return ax


def _seed_strips(ax, coloring, m: int, n: int, cmap) -> None:
    """Column colours along the top, row colours along the left (a bidirectional
    colouring seeds both); unseeded ones are left blank."""
    cc, rc = coloring.column_colors, coloring.row_colors
    j = np.flatnonzero(cc >= 0)
    ax.scatter(
        j,
        np.full(j.size, -0.02 * m - 0.5),
        c=cc[j] % 20,
        cmap=cmap,
        vmin=0,
        vmax=19,
        marker="v",
        s=12,
    )
    i = np.flatnonzero(rc >= 0)
    ax.scatter(
        np.full(i.size, -0.02 * n - 0.5),
        i,
        c=(coloring.nforward + rc[i]) % 20,
        cmap=cmap,
        vmin=0,
        vmax=19,
        marker=">",
        s=12,
    )
