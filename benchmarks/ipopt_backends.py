"""Ipopt backends and MUMPS orderings on PGLib AC-OPF cases: which path is fastest.

    python benchmarks/ipopt_backends.py [--cases a,b] [--orders 0,5,7] [--repeat 1]
        [--backends cyipopt,c/wheels,c/casadi] [--option KEY=VALUE ...] [--quiet]

For each case the same prepared ``asd.NLP`` is solved (tol 1e-8, MUMPS) by

- ``cyipopt``: cyipopt-wheels' Ipopt, Python callbacks;
- ``c/wheels``: the same Ipopt library through its C interface, compiled callbacks;
- ``c/casadi``: the Ipopt library inside the casadi wheel (MUMPS with METIS), compiled
  callbacks;

at each ``mumps_pivot_order`` asked for (0 AMD, 5 METIS, 6 QAMD, 7 automatic; METIS
only where MUMPS has it). Reports solve wall time, iterations, time in callbacks and
the rest (Ipopt and MUMPS), and the
process CPU time of the solve (less sensitive to other load on a shared machine; the
smallest CPU time of the repeats is kept, runs taken in turn). Writes
benchmarks/results/ipopt_backends.md and .csv.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _report import (  # noqa: E402
    RESULTS,
    add_quiet_option,
    header,
    markdown_table,
    progress,
    say,
    write_results,
)

from asd.nlp.ipopt_library import candidate_paths  # noqa: E402
from solvers.acopf.model import load_acopf  # noqa: E402

NAME = "ipopt_backends"
CASES = (
    "pglib_opf_case14_ieee",
    "pglib_opf_case118_ieee",
    "pglib_opf_case300_ieee",
    "pglib_opf_case1354_pegase",
    "pglib_opf_case2869_pegase",
)
OPTIONS = {"tol": 1e-8, "print_level": 0, "linear_solver": "mumps"}
COLUMNS = [
    "case",
    "backend",
    "order",
    "solve_s",
    "cpu_s",
    "iterations",
    "s_per_iter",
    "callbacks_s",
    "ipopt_s",
    "objective",
    "status",
]


def configurations() -> list[tuple[str, str | None]]:
    """(label, library path for the C backend or None for cyipopt)."""
    found = dict(candidate_paths())
    out = [("cyipopt", None)]
    if "cyipopt-wheels" in found:
        out.append(("c/wheels", str(found["cyipopt-wheels"])))
    if "casadi" in found:
        out.append(("c/casadi", str(found["casadi"])))
    return out


def run(nlp, label: str, library: str | None, order: int) -> dict:
    opts = dict(OPTIONS, mumps_pivot_order=order)
    if library is None:
        c0, t0 = time.process_time(), time.perf_counter()
        res = nlp.solve(opts, backend="cyipopt")
    else:
        os.environ["ASD_IPOPT_LIBRARY"] = library
        try:
            c0, t0 = time.process_time(), time.perf_counter()
            res = nlp.solve(opts, backend="c")
        finally:
            del os.environ["ASD_IPOPT_LIBRARY"]
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    return {
        "backend": label,
        "order": order,
        "solve_s": float(f"{wall:.3g}"),
        "cpu_s": float(f"{cpu:.3g}"),
        "iterations": int(res.nit),
        "s_per_iter": float(f"{wall / max(res.nit, 1):.3g}"),
        "callbacks_s": float(f"{res.timing['callbacks']:.3g}"),
        "ipopt_s": float(f"{wall - res.timing['callbacks']:.3g}"),
        "objective": float(f"{res.fun:.8g}"),
        "status": int(res.status),
    }


def write(rows: list[dict], cases: list[str], orders: list[int]) -> None:
    text = header("Ipopt backends and MUMPS orderings (AC-OPF)", ("numpy", "scipy", "numba"))
    text += f"- cases: {', '.join(cases)}; orders: {orders}\n"
    text += "- of the repeats (taken in turn), the run with the smallest CPU time is kept\n"
    text += f"- OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}\n\n"
    text += markdown_table(rows, COLUMNS)
    # runs with extra options (diagnostics) never replace the full results
    folder = RESULTS / "quick" if "--option" in sys.argv[1:] else None
    write_results(NAME, text, rows, COLUMNS, folder)


def _option_value(text: str):
    """An option value as Ipopt expects it: int, float or string."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--orders", default="0,5,7")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--backends", default="", help="labels to run (default: all found)")
    ap.add_argument(
        "--option",
        action="append",
        default=[],
        help="extra Ipopt option KEY=VALUE for every run (repeatable), e.g. mumps_print_level=2; "
        "results then go to results/quick/",
    )
    add_quiet_option(ap)
    args = ap.parse_args()
    for item in args.option:
        key, _, value = item.partition("=")
        OPTIONS[key] = _option_value(value)
    cases = [c for c in args.cases.split(",") if c]
    orders = [int(o) for o in args.orders.split(",") if o]
    wanted = {b for b in args.backends.split(",") if b}
    rows: list[dict] = []
    for case in progress(cases, "Ipopt backends", unit="case", label=str):
        nlp = load_acopf(case).nlp()
        runs = [
            (label, library, order)
            for label, library in configurations()
            if not wanted or label in wanted
            for order in orders
            if order != 5 or label == "c/casadi"  # METIS: only casadi's MUMPS has it
        ]
        best: dict = {}
        rounds = runs * args.repeat  # round robin: a load change hits every run alike
        for label, library, order in progress(
            rounds, "solves", unit="solve", label=lambda r: f"{r[0]}, order {r[2]}", leave=False
        ):
            r = run(nlp, label, library, order)
            key = (label, order)
            if key not in best or r["cpu_s"] < best[key]["cpu_s"]:
                best[key] = r
        for key in best:
            rows.append({"case": case, **best[key]})
            say(rows[-1])
        write(rows, cases, orders)


if __name__ == "__main__":
    main()
