"""AC-OPF end to end with Ipopt: asd's ``NLP`` against CasADi's ``nlpsol``, same model.

    python benchmarks/acopf_casadi.py [--quick] [--cases a,b,c] [--quiet]

For PGLib-OPF cases 14, 118, 300, 1354 and 2869 (``--quick``: 14 and 118) the polar AC-OPF
(``solvers/acopf/model.py``) is solved twice from the same flat start, bounds and options
(tol = 1e-8, MUMPS ordered by AMD, print_level 0):

- asd: ``asd.NLP(objective, x0, lb, ub, constraints, cl, cu).solve(...)`` (the backend
  ``solve`` picks: Ipopt's C interface with compiled callbacks when an Ipopt library is
  installed, else cyipopt; ``res.info`` names it in the report);
- CasADi: ``nlpsol("solver", "ipopt", ...)`` of the same model written with SX
  (``benchmarks/_casadi_acopf.py``), its derivatives built symbolically and evaluated by
  CasADi's virtual machine inside Ipopt.

Build time (asd: trace + detection + colouring + plans; CasADi: SX graph + ``nlpsol``
construction), solve time (wall time of the solve call), total, iterations, objective,
and the ratios CasADi / asd. Writes benchmarks/results/acopf_casadi.md and .csv, rewritten
after every case.
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

import _casadi_acopf as cas  # noqa: E402
from _report import (  # noqa: E402
    add_quiet_option,
    header,
    markdown_table,
    progress,
    say,
    write_results,
)

from cases.matpower import baseline_objective  # noqa: E402
from solvers.acopf.model import load_acopf  # noqa: E402

NAME = "acopf_casadi"
CASES = (
    "pglib_opf_case14_ieee",
    "pglib_opf_case118_ieee",
    "pglib_opf_case300_ieee",
    "pglib_opf_case1354_pegase",
    "pglib_opf_case2869_pegase",
)
QUICK = CASES[:2]
#: the ordering asd sets by default, given to both sides so they run the same options
OPTIONS = {"tol": 1e-8, "print_level": 0, "linear_solver": "mumps", "mumps_pivot_order": 0}
#: what asd's last solve ran on (backend, callbacks, library, ordering), for the report
INFO: dict = {}
#: a case whose first asd + CasADi run takes less than this is run again (fastest kept)
REPEAT_BELOW = 3.0

COLUMNS = [
    "case",
    "n",
    "m",
    "asd_build_s",
    "asd_solve_s",
    "asd_total_s",
    "asd_iterations",
    "asd_s_per_iter",
    "asd_callbacks_s",
    "asd_ipopt_s",
    "asd_objective",
    "asd_status",
    "casadi_build_s",
    "casadi_solve_s",
    "casadi_total_s",
    "casadi_iterations",
    "casadi_s_per_iter",
    "casadi_callbacks_s",
    "casadi_ipopt_s",
    "casadi_objective",
    "casadi_status",
    "baseline",
    "casadi/asd build",
    "casadi/asd solve",
    "casadi/asd total",
    "casadi/asd per iter",
    "casadi/asd callbacks",
    "runs",
]


def sig(t: float, digits: int = 3) -> float:
    return float(f"{t:.{digits}g}")


def run_asd(model) -> dict:
    t0 = time.perf_counter()
    nlp = model.nlp()
    t1 = time.perf_counter()
    res = nlp.solve(dict(OPTIONS))
    t2 = time.perf_counter()
    INFO.update(res.info)
    return {
        "build": t1 - t0,
        "solve": t2 - t1,
        "iterations": int(res.nit),
        "objective": float(res.fun),
        "status": f"{res.status} {'ok' if res.success else 'failed'}",
        "callbacks": float(res.timing["callbacks"]),
    }


def run_casadi(model) -> dict:
    t0 = time.perf_counter()
    solver = cas.ipopt_solver(model, dict(OPTIONS))
    t1 = time.perf_counter()
    sol = solver(x0=model.x0, lbx=model.lb, ubx=model.ub, lbg=model.cl, ubg=model.cu)
    t2 = time.perf_counter()
    stats = solver.stats()
    return {
        "build": t1 - t0,
        "solve": t2 - t1,
        "iterations": int(stats.get("iter_count", -1)),
        "objective": float(sol["f"]),
        "status": f"{stats.get('return_status', '?')} "
        f"{'ok' if stats.get('success', False) else 'failed'}",
        "callbacks": sum(v for k, v in stats.items() if k.startswith("t_wall_nlp_")),
    }


def fastest_run(fn, model, runs: int) -> dict:
    """The run with the smallest total of ``runs`` (iterations are deterministic)."""
    out = None
    for _ in range(runs):
        r = fn(model)
        if out is None or r["build"] + r["solve"] < out["build"] + out["solve"]:
            out = r
    return out


def case_row(name: str) -> dict:
    model = load_acopf(name)
    row = {"case": name, "n": model.n, "m": model.m, "baseline": baseline_objective(name)}
    a = run_asd(model)
    c = run_casadi(model) if cas.available() else None
    runs = 1
    if a["build"] + a["solve"] + (c["build"] + c["solve"] if c else 0.0) < REPEAT_BELOW:
        runs = 3
        a = min(a, fastest_run(run_asd, model, 2), key=lambda r: r["build"] + r["solve"])
        if c:
            c = min(c, fastest_run(run_casadi, model, 2), key=lambda r: r["build"] + r["solve"])
    row["runs"] = runs
    for tag, r in (("asd", a), ("casadi", c)):
        if r is None:
            row[f"{tag}_status"] = "casadi not installed"
            continue
        row[f"{tag}_build_s"] = sig(r["build"])
        row[f"{tag}_solve_s"] = sig(r["solve"])
        row[f"{tag}_total_s"] = sig(r["build"] + r["solve"])
        row[f"{tag}_iterations"] = r["iterations"]
        row[f"{tag}_s_per_iter"] = sig(r["solve"] / max(r["iterations"], 1))
        row[f"{tag}_callbacks_s"] = sig(r["callbacks"])
        row[f"{tag}_ipopt_s"] = sig(r["solve"] - r["callbacks"])
        row[f"{tag}_objective"] = sig(r["objective"], 8)
        row[f"{tag}_status"] = r["status"]
    if c is not None:
        for k in ("build", "solve", "total"):
            row[f"casadi/asd {k}"] = sig(row[f"casadi_{k}_s"] / row[f"asd_{k}_s"], 2)
        row["casadi/asd per iter"] = sig(row["casadi_s_per_iter"] / row["asd_s_per_iter"], 2)
        row["casadi/asd callbacks"] = sig(row["casadi_callbacks_s"] / row["asd_callbacks_s"], 2)
    return row


def solver_versions() -> str:
    if INFO:
        out = (
            f"asd: backend {INFO.get('backend')} ({INFO.get('callbacks')} callbacks), "
            f"Ipopt {INFO.get('ipopt_version')}"
        )
        if INFO.get("library_source"):
            out += f" from the {INFO['library_source']} library"
    else:
        out = "asd: not run"
    if cas.available():
        libs = sorted(Path(cas.ca.__file__).parent.glob("libipopt.so.*.*.*"))
        cv = libs[-1].name.removeprefix("libipopt.so.") if libs else "unknown"
        out += f"; CasADi {cas.ca.__version__}: its bundled Ipopt {cv} with MUMPS"
    else:
        out += "; CasADi: missing (not installed)"
    return out


def mumps_metis() -> str:
    """Whether each side's MUMPS calls METIS (nested-dissection ordering)."""
    side = "with METIS" if INFO.get("metis") else "without METIS"
    out = f"asd's MUMPS {side}"
    if cas.available():
        out += ", CasADi's MUMPS links METIS"
    return out


def write(rows: list[dict], planned: int, quick: bool) -> None:
    text = header("AC-OPF end to end: asd NLP vs CasADi nlpsol", ("numpy", "scipy", "numba"))
    text += f"- solvers: {solver_versions()}\n"
    text += f"- linear solver: {mumps_metis()}\n"
    text += f"- OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}\n"
    text += f"- cases: {len(rows)} of {planned} planned"
    text += " (run still going or interrupted)\n" if len(rows) < planned else "\n"
    opts = ", ".join(f"{k}={v}" for k, v in OPTIONS.items())
    text += (
        "\n## Setup\n\n"
        "Polar AC-OPF (`solvers/acopf/model.py`), flat start (va = 0, vm = 1, rest 0), the same "
        f"bounds and Ipopt options on both sides ({opts}). asd: `asd.NLP(...)` then "
        "`.solve(...)` (backend and callbacks above; Hessian of the Lagrangian by "
        "asd's direct or coloured evaluation). CasADi: the same model written with SX "
        "(`benchmarks/_casadi_acopf.py`, checked against asd's Hessian in "
        "`hessian_pglib.py`), `nlpsol('solver', 'ipopt', ...)`, derivatives generated "
        "symbolically and run by CasADi's SX virtual machine inside Ipopt (no code "
        "generation, no Python in the loop). *build*: asd's trace + detection + colouring + "
        "plans; CasADi's SX graph + `nlpsol` construction. *solve*: wall time of the solve "
        "call. The two Ipopt builds may differ (versions above), so iteration counts can differ; "
        "*per iter* compares solve time per iteration. *callbacks*: the part of the solve "
        "spent evaluating f, g and their derivatives (asd: timed inside its callbacks, "
        "`res.timing`; CasADi: the sum of its `t_wall_nlp_*` statistics); the "
        "rest of the solve is Ipopt itself, mostly its MUMPS linear solves. Ratios are "
        "CasADi / asd (above 1: asd faster). Cases whose first pair of runs took less than "
        f"{REPEAT_BELOW:g} s are run 3 times, the fastest total kept (`runs`); the machine "
        "is shared, other load only adds time.\n\n"
    )
    md_cols = [
        "case",
        "n",
        "m",
        "asd_build_s",
        "asd_solve_s",
        "asd_total_s",
        "asd_iterations",
        "casadi_build_s",
        "casadi_solve_s",
        "casadi_total_s",
        "casadi_iterations",
        "casadi/asd build",
        "casadi/asd solve",
        "casadi/asd total",
        "casadi/asd per iter",
    ]
    text += "## Times\n\n" + markdown_table(rows, md_cols)
    split_cols = ["case", "asd_callbacks_s", "casadi_callbacks_s", "casadi/asd callbacks"]
    split_cols += ["asd_ipopt_s", "casadi_ipopt_s"]
    text += "\n## Where the solve time goes\n\n" + markdown_table(rows, split_cols)
    obj_cols = ["case", "asd_objective", "casadi_objective", "baseline"]
    obj_cols += ["asd_status", "casadi_status", "runs"]
    text += "\n## Objectives and status\n\n" + markdown_table(rows, obj_cols)
    if quick:
        text += "\n(`--quick`: cases 14 and 118 only.)\n"
    write_results(NAME, text, rows, COLUMNS)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="cases 14 and 118 only")
    ap.add_argument("--cases", default="", help="comma-separated case names (overrides)")
    add_quiet_option(ap)
    args = ap.parse_args()
    cases = [c.strip() for c in args.cases.split(",") if c.strip()] or (
        QUICK if args.quick else CASES
    )
    if not cas.available():
        print("casadi is not installed: its columns are reported as missing", flush=True)
    rows: list[dict] = []
    for name in progress(cases, "AC-OPF asd / CasADi", unit="case", label=str):
        row = case_row(name)
        rows.append(row)
        say({k: row.get(k) for k in COLUMNS})
        write(rows, len(cases), args.quick)


if __name__ == "__main__":
    main()
