"""Figures for the benchmark results: coloured sparsity patterns and time against size.

Run: python benchmarks/plots.py
Writes PNGs to benchmarks/results/:

- ``brusselator_pattern_N6.png``, ``brusselator_pattern_N12.png``: the Brusselator
  Jacobian pattern, each nonzero coloured by the colour of its column
  (``asd.color(P, "column", "natural")``);
- ``acopf_case14_hessian_star.png``: the Hessian-of-the-Lagrangian pattern of
  pglib_opf_case14_ieee, each nonzero coloured by its column's star colour;
- ``brusselator_jacobian_times.png``: detection, prepared and one-off Jacobian time
  against problem size, log-log, asd and its peers, read from
  ``benchmarks/results/brusselator_jacobian.csv`` (nothing is re-measured here).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402

import asd  # noqa: E402
from cases.brusselator import Brusselator2D  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
CSV = RESULTS / "brusselator_jacobian.csv"


# -- coloured patterns ------------------------------------------------------------------------
def palette(k: int) -> list:
    """``k`` distinguishable colours (tab10, then tab20 for more)."""
    cmap = plt.get_cmap("tab10" if k <= 10 else "tab20")
    return [cmap(i % cmap.N) for i in range(k)]


def _draw(ax, rows, cols, colors, pal, k, size, lim) -> None:
    """Squares at the nonzeros, one scatter per colour (grey for -1), inside ``lim``."""
    m, n = lim
    inside = (rows < m) & (cols < n)
    for c in range(-1, k):
        sel = inside & (colors[cols] == c)
        if not sel.any():
            continue
        ax.scatter(
            cols[sel],
            rows[sel],
            s=size,
            marker="s",
            linewidths=0,
            color="0.6" if c < 0 else pal[c],
            label="unseeded" if c < 0 else f"colour {c}",
        )
    ax.set_xlim(-0.5, n - 0.5)
    ax.set_ylim(m - 0.5, -0.5)
    ax.set_aspect("equal")


def plot_coloured_pattern(
    P,
    colors,
    title: str,
    path: Path,
    note: str = "",
    labels: tuple[str, str] = ("column j (input)", "row i (output)"),
    legend_title: str = "column colour",
    zoom: int | None = None,
) -> None:
    """Scatter every nonzero (i, j) of ``P`` in the colour of column j (-1: grey, unseeded).

    ``zoom``: also draw the leading ``zoom`` x ``zoom`` block, enlarged, on the right.
    """
    P = sp.coo_array(P)
    rows, cols = P.row, P.col
    colors = np.asarray(colors)
    k = int(colors.max()) + 1
    pal = palette(k)
    m, n = P.shape
    panels = [(m, n, "whole matrix")]
    if zoom:
        panels.append((zoom, zoom, f"leading {zoom} x {zoom} block, enlarged"))
    fig, axes = plt.subplots(1, len(panels), figsize=(7.8 + 6.2 * (len(panels) - 1), 7.0))
    axes = np.atleast_1d(axes)
    for ax, (pm, pn, sub) in zip(axes, panels):
        # marker area so that neighbouring cells just touch at this figure size
        cell = 5.2 * 72 / max(pm, pn)
        size = max(cell**2, 0.6)
        _draw(ax, rows, cols, colors, pal, k, size, (pm, pn))
        ax.set_xlabel(labels[0])
        ax.set_ylabel(labels[1])
        if zoom:
            ax.set_title(sub, fontsize=10)
    axes[-1].legend(
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=8,
        markerscale=1.0,
        title=legend_title,
        title_fontsize=8,
        frameon=False,
    )
    fig.suptitle(title, fontsize=11)
    if note:
        fig.text(0.01, 0.012, note, fontsize=8, color="0.3")
    fig.tight_layout(rect=(0, 0.025, 1, 1))
    fig.savefig(path, dpi=130)
    plt.close(fig)
    print(f"wrote {path}")


def brusselator_patterns() -> None:
    for N in (6, 12):
        b = Brusselator2D(N)
        P = asd.jacobian_sparsity(b.f, b.initial_state())
        res = asd.color(P, "column", "natural")
        plot_coloured_pattern(
            P,
            res.colors,
            f"2-D Brusselator Jacobian, N = {N} (n = {b.n}, nnz = {P.nnz}):\n"
            f"{res.ncolors} column colours, asd.color(P, 'column', 'natural')",
            RESULTS / f"brusselator_pattern_N{N}.png",
            "Each nonzero J[i, j] is drawn in the colour of column j; columns of one colour "
            "share no row, so one JVP per colour recovers J.",
        )


def acopf_pattern() -> None:
    from solvers.acopf.model import load_acopf

    name = "pglib_opf_case14_ieee"
    try:
        m = load_acopf(name)
    except Exception as exc:  # noqa: BLE001 - the case file may be absent on this machine
        print(f"skipped the {name} Hessian plot: {exc}")
        return
    H = asd.hessian_sparsity(lambda x: m.objective(x) + m.constraints(x).sum(), m.x0)
    res = asd.color(H, "star", "natural")
    # the coupled block: every variable up to the last one with an off-diagonal entry
    Hc = sp.coo_array(H)
    off = Hc.row != Hc.col
    zoom = int(max(Hc.row[off].max(), Hc.col[off].max())) + 1 if off.any() else None
    note = "Each nonzero H[i, j] is drawn in the star colour of column j."
    unseeded = np.flatnonzero(res.colors < 0)
    if unseeded.size:
        empty = np.count_nonzero(np.diff(sp.csc_array(H).indptr)[unseeded] == 0)
        note += (
            f" {unseeded.size} columns are left unseeded (no entry is read through them; "
            f"{empty} of them are empty)."
        )
    plot_coloured_pattern(
        H,
        res.colors,
        f"Hessian of the Lagrangian, {name} (n = {H.shape[0]}, nnz = {H.nnz}): "
        f"{res.ncolors} star colours, asd.color(H, 'star', 'natural')",
        RESULTS / "acopf_case14_hessian_star.png",
        note,
        labels=("column j (variable)", "row i (variable)"),
        legend_title="star colour",
        zoom=zoom if zoom and zoom < H.shape[0] // 2 else None,
    )


# -- time against size ------------------------------------------------------------------------
# (label, csv column or a function of the row, style); times in ms
def _fd_oneoff(r):
    a, b = r.get("FD group_columns [ms]"), r.get("FD evaluation [ms]")
    return float(a) + float(b) if a and b else None


SERIES = {
    "Sparsity detection (from the function)": [
        ("asd", "asd detection [ms]", dict(color="C0", marker="o", lw=2.2)),
        ("asdex (JAX)", "asdex detection [ms]", dict(color="C2", marker="^")),
    ],
    "Prepared J(x) (one evaluation, derivative object ready)": [
        ("asd (direct mode)", "asd prepared J [ms]", dict(color="C0", marker="o", lw=2.2)),
        (
            "asd (forward, coloured)",
            "asd prepared J forward-coloured [ms]",
            dict(color="C0", marker="o", ls="--", mfc="none"),
        ),
        ("CasADi SX (buffer API)", "CasADi prepared J [ms]", dict(color="C1", marker="s")),
        ("asdex (JAX, jitted)", "asdex prepared J [ms]", dict(color="C2", marker="^")),
        ("scipy FD + sparsity", "FD evaluation [ms]", dict(color="C3", marker="v")),
        ("jax.jacfwd dense (jitted)", "jacfwd prepared J [ms]", dict(color="C4", marker="D")),
    ],
    "One-off J (from the function to values)": [
        ("asd", "asd one-off J [ms]", dict(color="C0", marker="o", lw=2.2)),
        ("CasADi SX (build + eval)", "CasADi one-off J [ms]", dict(color="C1", marker="s")),
        ("asdex (detect + colour + jit)", "asdex one-off J [ms]", dict(color="C2", marker="^")),
        ("scipy FD (pattern given)", _fd_oneoff, dict(color="C3", marker="v")),
        ("jax.jacfwd dense (jit + eval)", "jacfwd one-off J [ms]", dict(color="C4", marker="D")),
    ],
}
PUBLISHED_COLUMN = "published: Julia SCT detection [ms]"


def _value(r, key):
    if callable(key):
        return key(r)
    v = r.get(key, "")
    try:
        return float(v)
    except ValueError:
        return None


def time_plot() -> None:
    if not CSV.exists():
        print(f"skipped the time plot: {CSV} is missing (run benchmarks/brusselator_jacobian.py)")
        return
    with open(CSV, newline="") as fh:
        rows = list(csv.DictReader(fh))
    n = np.array([float(r["n"]) for r in rows])
    Ns = [int(r["N"]) for r in rows]
    fig, axes = plt.subplots(1, 3, figsize=(17, 7.0), sharey=True)
    for ax, (title, series) in zip(axes, SERIES.items()):
        for label, key, style in series:
            pts = [(n[i], _value(r, key)) for i, r in enumerate(rows)]
            pts = [(a, b) for a, b in pts if b is not None]
            if not pts:
                continue
            xs, ys = zip(*pts)
            ax.plot(xs, ys, label=label, ms=6, **{"lw": 1.4, **style})
        if title.startswith("Sparsity"):
            pub = [(n[i], _value(r, PUBLISHED_COLUMN)) for i, r in enumerate(rows)]
            pub = [(a, b) for a, b in pub if b is not None]
            if pub:
                xs, ys = zip(*pub)
                ax.scatter(
                    xs,
                    ys,
                    marker="*",
                    s=180,
                    color="k",
                    zorder=5,
                    label="Julia SparseConnectivityTracer\n(published, laptop; not re-run)",
                )
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(title, fontsize=11)
        ax.set_xlabel("problem size n = 2N² (inputs = outputs)")
        ax.grid(True, which="major", alpha=0.4)
        ax.grid(True, which="minor", alpha=0.12)
        ax.legend(fontsize=8.5, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2)
        top = ax.secondary_xaxis("top")
        top.set_xticks(n, [f"N={v}" for v in Ns], fontsize=7)
        top.minorticks_off()
    axes[0].set_ylabel("time [ms] (fastest of several samples, log scale)")
    fig.suptitle(
        "2-D Brusselator Jacobian: time against size, asd and peers "
        "(from benchmarks/results/brusselator_jacobian.csv)",
        fontsize=12,
    )
    fig.tight_layout()
    path = RESULTS / "brusselator_jacobian_times.png"
    fig.savefig(path, dpi=120)
    plt.close(fig)
    print(f"wrote {path}")


def main() -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    brusselator_patterns()
    acopf_pattern()
    time_plot()


if __name__ == "__main__":
    main()
