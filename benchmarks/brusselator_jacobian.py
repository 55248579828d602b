"""The 2-D Brusselator Jacobian end to end: asd against CasADi, asdex (JAX), scipy FD and jacfwd.

Run: python benchmarks/brusselator_jacobian.py [--quick] [--quiet]
Writes benchmarks/results/brusselator_jacobian.md and .csv.

For N = 6 ... 192 (``--quick``: N <= 48), one row per N with

- colours of a column colouring: asd per vertex order and the best of all orders,
  asdex's column colouring and scipy's ``group_columns``;
- asd: detection from the function (trace + detect), colouring, prepared ``J.values(x)``
  and one-off ``asd.jacobian(f, x, format="csr")(x)`` (trace + detect + plan/colour +
  evaluate, CSR out);
- peers, each as a ratio peer / asd (above 1 favours asd):
  CasADi SX (``Function`` of ``jacobian`` through its buffer API: building it is the
  one-off, evaluating it the prepared time), asdex (its detection and colouring, and the
  jitted compressed Jacobian with decompression: first call with compilation is the
  one-off, later calls the prepared time), scipy's finite differences with a sparsity
  pattern (``group_columns`` + ``approx_derivative``; the pattern is handed over for
  free), dense ``jax.jacfwd`` under ``jax.jit`` for N <= 48;
- a published reference figure in its own column, never in a ratio.

A cold start (fresh process: import asd, prepare and evaluate the first J at N = 48, with
Numba's on-disk cache warm) is measured once. A peer that fails to import is reported
missing.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
import time
from pathlib import Path

os.environ.setdefault("JAX_PLATFORMS", "cpu")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from _report import (  # noqa: E402
    add_quiet_option,
    fastest_time,
    fresh_python,
    header,
    markdown_table,
    progress,
    say,
    write_results,
)
from scipy.optimize._numdiff import approx_derivative, group_columns  # noqa: E402

import asd  # noqa: E402
from asd.coloring import ORDERS  # noqa: E402
from cases.brusselator import A, B, Brusselator2D  # noqa: E402

MISSING: dict[str, str] = {}

try:
    from evaluation import ca as _casadi
    from evaluation import casadi_brusselator_jacobian  # CasADi SX + buffer API

    if _casadi is None:
        raise ImportError("casadi not installed")
except ImportError as exc:  # a missing peer is reported, not faked
    casadi_brusselator_jacobian = None
    MISSING["CasADi"] = str(exc)

try:
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
except ImportError as exc:
    jax = jnp = None
    MISSING["jax"] = str(exc)

try:
    import asdex
except ImportError as exc:
    asdex = None
    MISSING["asdex"] = str(exc)

SIZES = [6, 12, 24, 48, 96, 192]
QUICK_SIZES = [6, 12, 24, 48]
DENSE_MAX_N = 48
COLD_N = 48
COLOR_ORDERS = ("natural", "largest_first", "smallest_last", "dsatur")
#: Published figures (Julia SparseConnectivityTracer, "Sparser, Better, Faster, Stronger",
#: on a laptop): Jacobian sparsity detection time in seconds, by N.
PUBLISHED_SCT_DETECTION_S = {192: 0.244}

COLD = textwrap.dedent(
    """
    import time
    t0 = time.perf_counter()
    import asd
    from cases.brusselator import Brusselator2D
    t1 = time.perf_counter()
    b = Brusselator2D({N})
    x = b.initial_state()
    J = asd.jacobian(b.f, x, format="csr")
    M = J(x)
    t2 = time.perf_counter()
    print(t1 - t0, t2 - t1, M.nnz)
    """
)


# -- the same right-hand side in jax.numpy ----------------------------------------------------
def jax_brusselator(N: int):
    """``f(y)`` of ``cases.brusselator`` at t = 0 (forcing off) written with jax.numpy.

    Returns a new function object on every call, so a peer's per-function caches never
    make a one-off measurement look cheaper.
    """
    alpha = Brusselator2D(N).alpha

    def lap(w):
        return (
            jnp.roll(w, 1, axis=0)
            + jnp.roll(w, -1, axis=0)
            + jnp.roll(w, 1, axis=1)
            + jnp.roll(w, -1, axis=1)
            - 4.0 * w
        )

    def f(y):
        Y = y.reshape(N, N, 2)
        u, v = Y[:, :, 0], Y[:, :, 1]
        uuv = u * u * v
        du = B + uuv - (A + 1.0) * u + alpha * lap(u)
        dv = A * u - uuv + alpha * lap(v)
        return jnp.stack([du, dv], axis=-1).ravel()

    return f


# -- helpers ------------------------------------------------------------------------------------
def best_of(fn, repeat: int = 7, min_time: float = 0.05) -> float:
    """Fastest of ``repeat`` samples of the mean time per call (short calls are looped)."""
    return fastest_time(fn, repeat, min_time)


def once_best(fn, repeat: int = 3) -> float:
    """Fastest of ``repeat`` single calls (one-off work, nothing reused between calls)."""
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return min(samples)


def rel_err(M, ref) -> float:
    return float(abs(sp.csr_array(M) - ref).max() / abs(ref).max())


def ms(t: float | None, digits: int = 3) -> str:
    return "" if t is None else f"{t * 1e3:.{digits}f}"


def ratio(peer: float | None, ours: float) -> str:
    if peer is None:
        return ""
    r = peer / ours
    return f"{r:.3g}" if r < 100 else f"{r:.0f}"


def cold_start(N: int) -> tuple[float, float, float]:
    """Fresh interpreter: (process wall time, import asd, prepare + first J)."""
    wall, out = fresh_python(COLD.format(N=N))
    out = out.split()
    return wall, float(out[0]), float(out[1])


# -- one row per N ------------------------------------------------------------------------
def asd_part(b: Brusselator2D, x: np.ndarray, row: dict) -> dict:
    f = b.f
    P = asd.jacobian_sparsity(f, x)
    assert P.nnz == 12 * b.N * b.N
    for o in COLOR_ORDERS:
        row[f"colours {o}"] = asd.color(P, "column", o).ncolors
    row["colours best of all"] = asd.color(P, "column", list(ORDERS)).ncolors
    t_det = best_of(lambda: asd.jacobian_sparsity(f, x), repeat=5)
    t_col = best_of(lambda: asd.color(P, "column", "natural"), repeat=5)
    t_col_all = best_of(lambda: asd.color(P, "column", list(ORDERS)), repeat=5)
    J = asd.jacobian(f, x, format="csr")
    vals = J.values(x)
    ref = J(x)
    assert rel_err(ref, b.jacobian(0.0, x)) <= 1e-12
    t_prep = best_of(lambda: J.values(x))
    Jf = asd.jacobian(f, x, mode="forward", format="csr")
    assert np.allclose(Jf.values(x), vals, rtol=1e-12, atol=1e-12 * abs(vals).max())
    t_prep_fwd = best_of(lambda: Jf.values(x))
    t_oneoff = once_best(lambda: asd.jacobian(f, x, format="csr")(x), repeat=5)
    row.update(
        {
            "asd mode": J.mode,
            "asd detection [ms]": ms(t_det),
            "asd colouring natural [ms]": ms(t_col),
            "asd colouring best of all [ms]": ms(t_col_all),
            "asd prepared J [ms]": ms(t_prep),
            "asd prepared J forward-coloured [ms]": ms(t_prep_fwd),
            "asd one-off J [ms]": ms(t_oneoff, 2),
        }
    )
    return {"P": P, "ref": ref, "det": t_det, "col": t_col, "prep": t_prep, "oneoff": t_oneoff}


def casadi_part(b, x, ours, row) -> None:
    if casadi_brusselator_jacobian is None:
        row["CasADi"] = "missing"
        return
    ev = casadi_brusselator_jacobian(b)
    ev(x)
    t_prep = best_of(lambda: ev(x))

    def build_and_eval():
        casadi_brusselator_jacobian(b)(x)

    t_oneoff = once_best(build_and_eval, repeat=3 if b.N <= 96 else 2)
    row.update(
        {
            "CasADi prepared J [ms]": ms(t_prep),
            "CasADi one-off J [ms]": ms(t_oneoff, 2),
            "CasADi/asd prepared": ratio(t_prep, ours["prep"]),
            "CasADi/asd one-off": ratio(t_oneoff, ours["oneoff"]),
        }
    )


def asdex_part(b, x, ours, row) -> None:
    if asdex is None or jax is None:
        row["asdex"] = "missing"
        return
    N = b.N
    xj = jnp.asarray(x)
    f = jax_brusselator(N)
    assert np.allclose(np.asarray(f(xj)), b.f(x), rtol=1e-13, atol=1e-9)
    S = asdex.jacobian_sparsity(f, xj)
    assert S.nnz == ours["P"].nnz
    C = asdex.jacobian_coloring_from_sparsity(S, mode="fwd")
    row["colours asdex"] = int(C.num_colors)
    # fresh function objects, so detection is not served from a per-function cache
    reps = 3 if N <= 96 else 2
    t_det = once_best(lambda: asdex.jacobian_sparsity(jax_brusselator(N), xj), repeat=reps)
    t_col = best_of(lambda: asdex.jacobian_coloring_from_sparsity(S, mode="fwd"), repeat=5)

    def jitted(fun, coloring):
        comp = asdex.compressed_jacobian_from_coloring(fun, coloring)
        return jax.jit(lambda y: asdex.decompress_data(comp(y), coloring))

    jf = jitted(f, C)
    vals = np.asarray(jf(xj).block_until_ready())
    M = sp.csr_array((vals, (S.rows, S.cols)), shape=ours["ref"].shape)
    err = rel_err(M, ours["ref"])
    assert err <= 1e-10, f"asdex Jacobian differs from asd's: {err:.2e}"
    t_prep = best_of(lambda: jf(xj).block_until_ready())

    first_calls = []

    def oneoff():
        g = jax_brusselator(N)
        Sg = asdex.jacobian_sparsity(g, xj)
        Cg = asdex.jacobian_coloring_from_sparsity(Sg, mode="fwd")
        t0 = time.perf_counter()
        jitted(g, Cg)(xj).block_until_ready()
        first_calls.append(time.perf_counter() - t0)

    t_oneoff = once_best(oneoff, repeat=reps)
    row.update(
        {
            "asdex detection [ms]": ms(t_det, 2),
            "asdex/asd detection": ratio(t_det, ours["det"]),
            "asdex colouring [ms]": ms(t_col),
            "asdex/asd colouring": ratio(t_col, ours["col"]),
            "asdex prepared J [ms]": ms(t_prep),
            "asdex/asd prepared": ratio(t_prep, ours["prep"]),
            "asdex first jitted call [ms]": ms(min(first_calls), 2),
            "asdex one-off J [ms]": ms(t_oneoff, 2),
            "asdex/asd one-off": ratio(t_oneoff, ours["oneoff"]),
            "asdex rel. diff": f"{err:.1e}",
        }
    )


def scipy_part(b, x, ours, row) -> None:
    P = ours["P"]
    groups = group_columns(P)
    row["colours scipy group_columns"] = int(groups.max()) + 1
    t_group = best_of(lambda: group_columns(P), repeat=5)

    def fd():
        return approx_derivative(b.f, x, method="2-point", sparsity=(P, groups))

    err = rel_err(fd(), ours["ref"])
    t_eval = best_of(fd, repeat=5)
    row.update(
        {
            "FD group_columns [ms]": ms(t_group),
            "FD evaluation [ms]": ms(t_eval),
            "FD/asd prepared": ratio(t_eval, ours["prep"]),
            "FD/asd one-off": ratio(t_group + t_eval, ours["oneoff"]),
            "FD rel. error": f"{err:.1e}",
        }
    )


def jacfwd_part(b, x, ours, row) -> None:
    if jax is None:
        row["jacfwd"] = "missing"
        return
    if b.N > DENSE_MAX_N:
        return
    xj = jnp.asarray(x)
    jf = jax.jit(jax.jacfwd(jax_brusselator(b.N)))
    D = np.asarray(jf(xj).block_until_ready())
    err = rel_err(D, ours["ref"])
    assert err <= 1e-10, f"jacfwd Jacobian differs from asd's: {err:.2e}"
    t_prep = best_of(lambda: jf(xj).block_until_ready(), repeat=5)
    t_oneoff = once_best(
        lambda: jax.jit(jax.jacfwd(jax_brusselator(b.N)))(xj).block_until_ready(), repeat=3
    )
    row.update(
        {
            "jacfwd prepared J [ms]": ms(t_prep),
            "jacfwd/asd prepared": ratio(t_prep, ours["prep"]),
            "jacfwd one-off J [ms]": ms(t_oneoff, 2),
            "jacfwd/asd one-off": ratio(t_oneoff, ours["oneoff"]),
        }
    )


def measure(N: int) -> dict:
    b = Brusselator2D(N)
    x = b.initial_state()
    row: dict = {"N": N, "n": b.n}
    ours = asd_part(b, x, row)
    row["nnz"] = ours["P"].nnz
    scipy_part(b, x, ours, row)
    casadi_part(b, x, ours, row)
    asdex_part(b, x, ours, row)
    jacfwd_part(b, x, ours, row)
    pub = PUBLISHED_SCT_DETECTION_S.get(N)
    row["published: Julia SCT detection [ms]"] = "" if pub is None else f"{pub * 1e3:.0f}"
    return row


# -- report -----------------------------------------------------------------------------------
GROUPS = {
    "Colours (column colouring; the densest row has 6 entries, a lower bound)": [
        "N",
        "n",
        "nnz",
        *[f"colours {o}" for o in COLOR_ORDERS],
        "colours best of all",
        "colours asdex",
        "colours scipy group_columns",
    ],
    "asd times": [
        "N",
        "asd mode",
        "asd detection [ms]",
        "asd colouring natural [ms]",
        "asd colouring best of all [ms]",
        "asd prepared J [ms]",
        "asd prepared J forward-coloured [ms]",
        "asd one-off J [ms]",
        "cold start N=48 [s]",
    ],
    "Detection and colouring: peers (ratio peer / asd; published figure not in any ratio)": [
        "N",
        "asdex detection [ms]",
        "asdex/asd detection",
        "published: Julia SCT detection [ms]",
        "asdex colouring [ms]",
        "asdex/asd colouring",
        "FD group_columns [ms]",
    ],
    "Prepared J(x): peers (ratio peer / asd)": [
        "N",
        "CasADi prepared J [ms]",
        "CasADi/asd prepared",
        "asdex prepared J [ms]",
        "asdex/asd prepared",
        "FD evaluation [ms]",
        "FD/asd prepared",
        "jacfwd prepared J [ms]",
        "jacfwd/asd prepared",
    ],
    "One-off J from the function: peers (ratio peer / asd)": [
        "N",
        "CasADi one-off J [ms]",
        "CasADi/asd one-off",
        "asdex first jitted call [ms]",
        "asdex one-off J [ms]",
        "asdex/asd one-off",
        "FD/asd one-off",
        "jacfwd one-off J [ms]",
        "jacfwd/asd one-off",
        "asdex rel. diff",
        "FD rel. error",
    ],
}

NOTES = """
One table (the `.csv` holds every column in one row per N); the Markdown splits its
columns into groups that share N. Times come from one warm process
(Numba compiled, JAX on CPU with 64-bit floats): each is the fastest of several
samples (a shared machine only ever adds time), calls under 50 ms looped.
Ratios are peer / asd: above 1 favours asd.
The evaluation point is `Brusselator2D(N).initial_state()`; every Jacobian is checked
against asd's (asdex and jacfwd to 1e-10 relative; FD shows its truncation error).

- *asd detection*: `asd.jacobian_sparsity(f, x)` from the numpy function (trace + detect).
  *colouring*: `asd.color(P, "column", order)`, checker on; *best of all*: every order in
  `asd.coloring.ORDERS`, fewest colours kept. *prepared J*: `J.values(x)` of
  `J = asd.jacobian(f, x, format="csr")` (mode chosen by cost: `direct` accumulation, no colouring);
  *forward-coloured*: the same with `mode="forward"` (compressed JVPs, natural order).
  *one-off*: `asd.jacobian(f, x, format="csr")(x)` — trace, detect, plan, evaluate, CSR out.
- *CasADi SX*: `Function("J", [x], [jacobian(F, x)])` evaluated through its buffer API
  (no Python conversion); one-off = building the symbolic expression and the Function, plus
  one evaluation.
- *asdex*: the same right-hand side in jax.numpy; detection `asdex.jacobian_sparsity`
  (a fresh function object each time), colouring `jacobian_coloring_from_sparsity(mode="fwd")`,
  prepared = `jax.jit` of `compressed_jacobian_from_coloring` + `decompress_data` (nonzero
  values, like `J.values`), one-off = detection + colouring + first jitted call (tracing and
  XLA compilation included; the first call alone is listed too).
- *FD*: scipy's `approx_derivative(method="2-point", sparsity=(P, group_columns(P)))`;
  its one-off is `group_columns` + one evaluation with the pattern given for free (no
  detection), its prepared time one evaluation with the groups ready.
- *jacfwd*: dense `jax.jit(jax.jacfwd(f))`, N <= 48 only (the dense matrix grows as n^2).
- *published*: Julia SparseConnectivityTracer, Jacobian sparsity detection, from the
  paper "Sparser, Better, Faster, Stronger" (measured on a laptop, not on this machine):
  the N = 192 figure this project already cites; no other published figure is listed,
  and none enters a ratio.
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="N <= 48 only")
    add_quiet_option(ap)
    args = ap.parse_args()
    sizes = QUICK_SIZES if args.quick else SIZES
    load0 = os.getloadavg()[0]  # the machine is shared: record how busy it was
    # the first fresh process makes sure Numba's on-disk cache is warm before measuring
    runs = progress(
        range(4),
        "cold start, fresh process",
        unit="run",
        label=lambda k: f"N={COLD_N}" + (" (cache warm-up)" if k == 0 else ""),
    )
    colds = [cold_start(COLD_N) for _ in runs]
    wall, t_imp, t_first = sorted(colds[1:])[1]
    rows = []
    for N in progress(sizes, "Brusselator Jacobian", unit="size", label=lambda N: f"N={N}"):
        t0 = time.perf_counter()
        rows.append(measure(N))
        say(f"N={N} done in {time.perf_counter() - t0:.1f} s", rows[-1])
    for r in rows:
        if r["N"] == COLD_N:
            r["cold start N=48 [s]"] = f"{wall:.2f}"

    text = header(
        "2-D Brusselator Jacobian: asd against CasADi, asdex, scipy FD and jacfwd",
        ("numpy", "scipy", "numba", "casadi", "jax", "jaxlib", "asdex"),
    )
    if MISSING:
        text += "- missing peers: " + "; ".join(f"{k} ({v})" for k, v in MISSING.items()) + "\n"
    text += f"- load average (1 min) before / after: {load0:.2f} / {os.getloadavg()[0]:.2f}\n"
    text += textwrap.dedent(NOTES)
    text += (
        f"\n**Cold start** (N = {COLD_N}, a fresh `python -c` process: import asd, "
        f"`asd.jacobian(f, x)`, first `J(x)`; Numba's on-disk kernel cache warm, so no "
        f"compilation; median of 3 runs): {wall:.2f} s wall, of which import asd {t_imp:.2f} s "
        f"and prepare + first J {t_first:.2f} s (the rest is interpreter start-up).\n"
    )
    for title, cols in GROUPS.items():
        present = [c for c in cols if any(c in r for r in rows)]
        text += f"\n## {title}\n\n" + markdown_table(rows, present)
    columns = list(dict.fromkeys(c for cols in GROUPS.values() for c in cols))
    columns += [c for r in rows for c in r if c not in columns]
    columns = list(dict.fromkeys(columns))
    path = write_results("brusselator_jacobian", text, rows, columns)
    print(f"wrote {path}")


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"total {time.perf_counter() - start:.1f} s")
