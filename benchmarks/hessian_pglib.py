"""Hessian of the AC-OPF Lagrangian on PGLib-OPF cases: sparsity, colours, times, CasADi.

    python benchmarks/hessian_pglib.py [--max-buses 3375] [--quick] [--cases a,b,c] [--quiet]

For every typical PGLib-OPF case up to ``--max-buses`` buses (``--quick``: up to 300), the
Hessian of L(x) = f(x) + Σ gᵢ(x) (every multiplier 1) of the polar AC-OPF model
(``solvers/acopf/model.py``) at the flat start x0:

- sizes: n, nnz(H) (full and lower triangle);
- colours: star and acyclic colourings of the pattern by asd, natural order, the best
  of all of asd's orders (the winning order is named) and the default call (best of
  every order, then improved within its budget), with its lower bound;
- detection: trace + Hessian sparsity pattern (``asd.hessian_sparsity``);
- prepared H: lower-triangle values at x0 from a prepared ``asd.hessian`` object, in
  both evaluation modes (direct accumulation and star colouring); the faster is reported;
- one-off H: trace + detect + colour + plan + one evaluation, from the function, in both
  modes; the faster is reported, with the mode ``"auto"`` would pick;
- CasADi SX: the same Lagrangian written symbolically from the same model data
  (``benchmarks/_casadi_acopf.py``), one-off = SX graph + ``hessian`` + ``Function``,
  prepared = one evaluation of tril(H) through the buffer API; its values are checked
  against asd's at x0 (relative 1e-8).

Ratios are CasADi / asd (above 1: asd faster). The published figures of the Julia
pipeline (on a laptop) stand in their own column and never enter a ratio. The tables are
rewritten after every case (benchmarks/results/hessian_pglib.md and .csv).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import _casadi_acopf as cas  # noqa: E402
import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from _report import (  # noqa: E402
    add_quiet_option,
    header,
    markdown_table,
    progress,
    say,
    write_results,
)
from _report import fastest_time as fastest  # noqa: E402

import asd  # noqa: E402
from asd.coloring import ORDERS  # noqa: E402
from cases.matpower import SHARED_PGLIB_DIR  # noqa: E402
from solvers.acopf.model import load_acopf  # noqa: E402

NAME = "hessian_pglib"
REFERENCE_CASES = (
    "pglib_opf_case3_lmbd",
    "pglib_opf_case60_c",
    "pglib_opf_case240_pserc",
    "pglib_opf_case1951_rte",
    "pglib_opf_case2746wp_k",
    "pglib_opf_case3375wp_k",
)
#: Hessian colours of the Julia pipeline as published (laptop); never used in ratios
PUBLISHED_COLOURS = dict(zip(REFERENCE_CASES, (6, 12, 16, 20, 14, 18), strict=True))
TARGET_CASE = "pglib_opf_case3375wp_k"
#: published seconds for TARGET_CASE (Julia, laptop) and our targets there
PUBLISHED_3375 = {"detection": 0.98, "prepared": 0.254, "one-off": 1.71}
TARGETS_3375 = {"detection": 0.1, "prepared": 0.010, "one-off": 0.3}
RTOL = 1e-8

COLUMNS = [
    "case",
    "buses",
    "n",
    "nnz_H",
    "nnz_H_lower",
    "star_natural",
    "star_best",
    "star_best_order",
    "star_default",
    "star_lower_bound",
    "acyclic_natural",
    "acyclic_best",
    "acyclic_best_order",
    "acyclic_default",
    "published (Julia, laptop)",
    "detection_ms",
    "prepared_ms",
    "prepared_mode",
    "prepared_direct_ms",
    "prepared_colored_ms",
    "oneoff_ms",
    "oneoff_mode",
    "oneoff_direct_ms",
    "oneoff_colored_ms",
    "auto_mode",
    "casadi_oneoff_ms",
    "casadi_prepared_ms",
    "casadi/asd prepared",
    "casadi/asd one-off",
    "casadi_rel_diff",
]

MD_COLUMNS = {
    "case": "case",
    "buses": "buses",
    "n": "n",
    "nnz_H": "nnz(H)",
    "nnz_H_lower": "nnz(tril H)",
    "star_natural": "star (natural)",
    "star_best": "star (best)",
    "star_best_order": "star best order",
    "star_default": "star (default)",
    "star_lower_bound": "star lower bound",
    "acyclic_natural": "acyclic (natural)",
    "acyclic_best": "acyclic (best)",
    "acyclic_best_order": "acyclic best order",
    "acyclic_default": "acyclic (default)",
    "published (Julia, laptop)": "published colours (Julia, laptop)",
    "detection_ms": "detection [ms]",
    "prepared_ms": "prepared H [ms]",
    "prepared_mode": "prepared mode",
    "oneoff_ms": "one-off H [ms]",
    "oneoff_mode": "one-off mode",
    "casadi_oneoff_ms": "CasADi one-off [ms]",
    "casadi_prepared_ms": "CasADi H [ms]",
    "casadi/asd prepared": "CasADi/asd prepared",
    "casadi/asd one-off": "CasADi/asd one-off",
}


def buses_of(name: str) -> int:
    return int(re.search(r"case(\d+)", name).group(1))


def select_cases(max_buses: int, names: list[str] | None) -> list[str]:
    if names:
        return names
    found = sorted(p.stem for p in SHARED_PGLIB_DIR.glob("pglib_opf_case*.m"))
    found = [c for c in found if buses_of(c) <= max_buses]
    # the reference cases are typical PGLib cases, so they are in whenever within the limit
    assert all(c in found for c in REFERENCE_CASES if buses_of(c) <= max_buses)
    return sorted(found, key=lambda c: (buses_of(c), c))


def sig(t: float, digits: int = 3) -> float:
    return float(f"{t:.{digits}g}")


def lagrangian(model):
    def L(x):
        return model.objective(x) + np.sum(model.constraints(x))

    return L


def lower_matrix(vals, rows, cols, n) -> sp.csr_array:
    return sp.csr_array((vals, (rows, cols)), shape=(n, n))


def case_row(name: str, repeat: int) -> dict:
    model = load_acopf(name)
    n, x0 = model.n, model.x0
    L = lagrangian(model)
    row = {"case": name, "buses": buses_of(name), "n": n}

    P = asd.hessian_sparsity(L, x0)
    row["nnz_H"] = int(P.nnz)
    row["nnz_H_lower"] = int(sp.tril(P).nnz)
    for problem in ("star", "acyclic"):
        row[f"{problem}_natural"] = asd.color(P, problem=problem, order="natural").ncolors
        best = asd.color(P, problem=problem, order=list(ORDERS))
        row[f"{problem}_best"] = best.ncolors
        row[f"{problem}_best_order"] = best.order
        default = asd.color(P, problem=problem)  # best of every order, improved
        row[f"{problem}_default"] = default.ncolors
        if problem == "star":
            row["star_lower_bound"] = default.lower_bound
    if name in PUBLISHED_COLOURS:
        row["published (Julia, laptop)"] = PUBLISHED_COLOURS[name]

    row["detection_ms"] = sig(1e3 * fastest(lambda: asd.hessian_sparsity(L, x0), repeat))

    prepared = {}
    for mode in ("direct", "colored"):
        H = asd.hessian(L, x0, mode=mode, format="csr")
        lower = H.values(x0, triangle="lower")
        prepared[mode] = (H, lower)
        row[f"prepared_{mode}_ms"] = sig(
            1e3 * fastest(lambda H=H: H.values(x0, triangle="lower"), repeat)
        )
        row[f"oneoff_{mode}_ms"] = sig(
            1e3
            * fastest(
                lambda mode=mode: asd.hessian(L, x0, mode=mode, format="csr").values(
                    x0, triangle="lower"
                ),
                repeat,
            )
        )
    (Hd, ld), (Hc, lc) = prepared["direct"], prepared["colored"]
    rows, cols = Hd.structure("lower")
    A = lower_matrix(ld, rows, cols, n)
    scale = max(abs(A).max(), 1.0)
    assert abs(A - lower_matrix(lc, *Hc.structure("lower"), n)).max() <= RTOL * scale
    row["auto_mode"] = asd.hessian(L, x0, format="csr").mode
    for kind in ("prepared", "oneoff"):
        d, c = row[f"{kind}_direct_ms"], row[f"{kind}_colored_ms"]
        row[f"{kind}_ms"], row[f"{kind}_mode"] = (d, "direct") if d <= c else (c, "colored")

    if cas.available():

        def build():
            return cas.lagrangian_hessian(model)

        t0 = time.perf_counter()
        fun, crow, ccol = build()
        once = time.perf_counter() - t0
        if once < 5.0:  # repeat the symbolic build where it is cheap enough
            once = min(once, fastest(build, repeat=max(1, repeat - 2), min_time=0.0))
        ev = cas.buffer_evaluator(fun, n, crow.size)
        B = lower_matrix(ev(x0).copy(), crow, ccol, n)
        diff = float(abs(A - B).max()) / scale
        assert diff <= RTOL, f"{name}: CasADi and asd Hessians differ by {diff:.2e} (relative)"
        row["casadi_rel_diff"] = f"{diff:.1e}"
        row["casadi_oneoff_ms"] = sig(1e3 * once)
        row["casadi_prepared_ms"] = sig(1e3 * fastest(lambda: ev(x0), repeat))
        row["casadi/asd prepared"] = sig(row["casadi_prepared_ms"] / row["prepared_ms"], 2)
        row["casadi/asd one-off"] = sig(row["casadi_oneoff_ms"] / row["oneoff_ms"], 2)
    else:
        row["casadi_oneoff_ms"] = "casadi not installed"
    return row


def target_table(r: dict) -> tuple[str, list[str]]:
    """The TARGET_CASE figures against our targets and the published ones."""
    lines, verdicts = [], []

    def add(metric, ours, unit_scale, target, published, casadi, extra=""):
        met = ours <= target
        verdicts.append(f"{metric}: {'met' if met else 'NOT met'}")
        lines.append(
            {
                "metric": metric,
                "asd": f"{ours * unit_scale:.4g}{extra}",
                "target": f"≤ {target * unit_scale:.4g}",
                "met": "yes" if met else "no",
                "CasADi": casadi,
                "published (Julia, laptop)": published,
            }
        )

    ca_on = isinstance(r.get("casadi_prepared_ms"), float)
    add(
        "detection [ms]",
        r["detection_ms"] / 1e3,
        1e3,
        TARGETS_3375["detection"],
        f"{PUBLISHED_3375['detection'] * 1e3:g}",
        "",
    )
    add(
        "prepared H [ms]",
        r["prepared_ms"] / 1e3,
        1e3,
        TARGETS_3375["prepared"],
        f"{PUBLISHED_3375['prepared'] * 1e3:g}",
        f"{r['casadi_prepared_ms']}" if ca_on else "missing",
        f" ({r['prepared_mode']})",
    )
    add(
        "one-off H [ms]",
        r["oneoff_ms"] / 1e3,
        1e3,
        TARGETS_3375["one-off"],
        f"{PUBLISHED_3375['one-off'] * 1e3:g}",
        f"{r['casadi_oneoff_ms']}" if ca_on else "missing",
        f" ({r['oneoff_mode']}; auto picks {r['auto_mode']}: "
        f"{r['oneoff_' + r['auto_mode'] + '_ms']} ms)",
    )
    pub = PUBLISHED_COLOURS[TARGET_CASE]
    for label, key in (
        ("star colours, best order", "star_best"),
        ("star colours, natural", "star_natural"),
    ):
        ok = r[key] <= pub
        verdicts.append(f"{label}: {'met' if ok else 'NOT met'}")
        lines.append(
            {
                "metric": label,
                "asd": str(r[key]) + (f" ({r['star_best_order']})" if key == "star_best" else ""),
                "target": f"≤ {pub} (published)",
                "met": "yes" if ok else "no",
                "CasADi": "",
                "published (Julia, laptop)": str(pub),
            }
        )
    cols = ["metric", "asd", "target", "met", "CasADi", "published (Julia, laptop)"]
    return markdown_table(lines, cols), verdicts


def write(rows: list[dict], planned: int, args) -> None:
    text = header(
        "Hessian of the AC-OPF Lagrangian on PGLib-OPF cases, asd and CasADi",
        ("numpy", "scipy", "numba", "casadi"),
    )
    done = {r["case"]: r for r in rows}
    text += f"- cases: {len(rows)} of {planned} planned"
    text += " (run still going or interrupted)\n" if len(rows) < planned else "\n"
    if TARGET_CASE in done:
        table, verdicts = target_table(done[TARGET_CASE])
        text += f"- targets for {TARGET_CASE}: " + "; ".join(verdicts) + "\n"
    refs = [done[c] for c in REFERENCE_CASES if c in done]
    if refs:
        text += "- star colours against the published ones on the reference cases: "
        text += ", ".join(
            f"{r['case'].removeprefix('pglib_opf_')} {r['star_natural']}/{r['star_best']} "
            f"vs {PUBLISHED_COLOURS[r['case']]}"
            for r in refs
        )
        nat = sum(r["star_natural"] <= PUBLISHED_COLOURS[r["case"]] for r in refs)
        bst = sum(r["star_best"] <= PUBLISHED_COLOURS[r["case"]] for r in refs)
        text += (
            f" (asd natural/best order vs published); at most the published count: natural "
            f"order on {nat} of {len(refs)}, best order on {bst} of {len(refs)}\n"
        )
    text += (
        "\n## Setup\n\n"
        "L(x) = f(x) + Σ gᵢ(x), all multipliers 1, for the polar AC-OPF model "
        "(`solvers/acopf/model.py`), at the flat start x0 (va = 0, vm = 1, rest 0). "
        "Fastest of repeated runs (the machine is shared; other load only adds time) in "
        "one warm process (Numba kernels loaded), "
        "OMP_NUM_THREADS=1, one thread. *detection*: trace + Hessian pattern "
        "(`asd.hessian_sparsity`). *prepared H*: lower-triangle values at x0 from a prepared "
        "`asd.hessian` object, the faster of its two modes (`direct` accumulation, `colored` "
        "star colouring, natural order). *one-off H*: `asd.hessian(L, x0, mode=...)` and one "
        "evaluation (trace + detect + colour + plan + evaluate), the faster mode; the CSV also "
        "holds both modes and the mode `auto` picks. Colours: asd's star and acyclic colourings "
        "of the pattern, natural order and best over the orders "
        f"{', '.join(ORDERS)} (ties: the first). CasADi SX: the same Lagrangian built "
        "symbolically from the same model data (`benchmarks/_casadi_acopf.py`); *one-off* = SX "
        "expression graph + `hessian` + `Function` of tril(H) (virtual machine, no code "
        "generation), *H* = one evaluation through the buffer API (no Python conversion); "
        f"its values equal asd's at x0 to {RTOL:g} relative on every case (checked). "
        "Ratios are CasADi / asd: above 1, asd is faster. "
        "*published (Julia, laptop)*: figures of the Julia pipeline as published "
        "(another machine and language), shown for orientation only and never in a ratio.\n"
    )
    if TARGET_CASE in done:
        text += f"\n## {TARGET_CASE}: targets\n\n" + table
    text += "\n## All cases\n\n"
    md_rows = [{MD_COLUMNS[k]: v for k, v in r.items() if k in MD_COLUMNS} for r in rows]
    text += markdown_table(md_rows, list(MD_COLUMNS.values()))
    if args.quick:
        text += "\n(`--quick`: cases up to 300 buses.)\n"
    write_results(NAME, text, rows, COLUMNS)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-buses", type=int, default=3375)
    ap.add_argument("--quick", action="store_true", help="cases up to 300 buses")
    ap.add_argument("--cases", default="", help="comma-separated case names (overrides)")
    ap.add_argument("--repeat", type=int, default=5, help="timed repetitions (median)")
    add_quiet_option(ap)
    args = ap.parse_args()
    max_buses = min(args.max_buses, 300) if args.quick else args.max_buses
    names = [c.strip() for c in args.cases.split(",") if c.strip()] or None
    cases = select_cases(max_buses, names)
    if not cas.available():
        print("casadi is not installed: its columns are reported as missing", flush=True)
    rows: list[dict] = []
    todo = progress(
        cases, "Lagrangian Hessian", unit="case", label=lambda c: f"{c} ({buses_of(c)} buses)"
    )
    for name in todo:
        t0 = time.perf_counter()
        row = case_row(name, args.repeat)
        rows.append(row)
        say(
            f"{name}: n={row['n']} nnz={row['nnz_H']} star {row['star_natural']}/"
            f"{row['star_best']} acyclic {row['acyclic_natural']}/{row['acyclic_best']} "
            f"detect {row['detection_ms']} ms prepared {row['prepared_ms']} ms "
            f"({row['prepared_mode']}) one-off {row['oneoff_ms']} ms ({row['oneoff_mode']}) "
            f"CasADi {row.get('casadi_oneoff_ms')} / {row.get('casadi_prepared_ms')} ms "
            f"[{time.perf_counter() - t0:.1f} s]",
        )
        write(rows, len(cases), args)


if __name__ == "__main__":
    main()
