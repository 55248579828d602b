"""AC-OPF on the PGLib-OPF cases with Ipopt: sizes, colours, iterations, times, objectives.

    python benchmarks/acopf_pglib.py [--max-buses 10000] [--quick] [--cases a,b,c] [--quiet]

Solves every case of ``../shared/cases/pglib`` (typical, ``api/`` and ``sad/`` variants) up
to ``--max-buses`` buses, smallest first, from the flat start with Ipopt + MUMPS and asd
derivatives, and compares the objective with the PGLib-OPF baseline. One line per case is
printed as it finishes (and a progress bar naming the case being solved is shown on stderr;
``--quiet`` or ASD_PROGRESS=0 hides it); the tables are rewritten after every case, so an
interrupted run still leaves its results in benchmarks/results/acopf_pglib.md and .csv.

A case that does not converge, or ends more than 1e-4 (relative) away from the baseline,
is solved once more from the operating point stored in the case file (Vm, Va, Pg, Qg) to
tell a start-point problem from a model or solver problem; both outcomes are reported.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import (  # noqa: E402
    add_quiet_option,
    header,
    markdown_table,
    progress,
    say,
    write_results,
)

from cases.matpower import SHARED_PGLIB_DIR, baseline_objective, read_matpower  # noqa: E402
from solvers.acopf.model import load_acopf  # noqa: E402

NAME = "acopf_pglib"
GOAL = 1e-4  # relative distance to the baseline objective counted as "reached"

COLUMNS = [
    "case",
    "buses",
    "n",
    "m",
    "nnz_J",
    "nnz_H",
    "colours",
    "hessian_mode",
    "iterations",
    "read_s",
    "prepare_s",
    "solve_s",
    "derivative_share",
    "objective",
    "baseline",
    "rel_diff",
    "status",
]

#: Ipopt's ApplicationReturnStatus codes by name.
IPOPT_STATUS = {
    0: "Solve_Succeeded",
    1: "Solved_To_Acceptable_Level",
    2: "Infeasible_Problem_Detected",
    3: "Search_Direction_Becomes_Too_Small",
    4: "Diverging_Iterates",
    5: "User_Requested_Stop",
    6: "Feasible_Point_Found",
    -1: "Maximum_Iterations_Exceeded",
    -2: "Restoration_Failed",
    -3: "Error_In_Step_Computation",
    -4: "Maximum_CpuTime_Exceeded",
    -5: "Maximum_WallTime_Exceeded",
    -10: "Not_Enough_Degrees_Of_Freedom",
    -11: "Invalid_Problem_Definition",
    -12: "Invalid_Option",
    -13: "Invalid_Number_Detected",
    -100: "Unrecoverable_Exception",
    -101: "NonIpopt_Exception_Thrown",
    -102: "Insufficient_Memory",
    -199: "Internal_Error",
}


# -- case list ----------------------------------------------------------------------------


def _stats_buses(folder: Path) -> dict[str, int]:
    """Bus counts from the folder's case_stats.csv, when it has one."""
    path = folder / "case_stats.csv"
    if not path.is_file():
        return {}
    with path.open(newline="") as fh:
        return {r["case"]: int(r["buses"]) for r in csv.DictReader(fh) if r["buses"].isdigit()}


def discover(folder: Path) -> list[tuple[int, str, Path]]:
    """(buses, case name, path) of every case in ``folder`` and its api/ and sad/ variants."""
    files = [p for sub in ("", "api", "sad") for p in sorted((folder / sub).glob("*.m"))]
    known = _stats_buses(folder)
    out = []
    for p in files:
        name = p.name[:-2]
        buses = known.get(name)
        if buses is None:
            buses = len(read_matpower(p).bus)
        out.append((buses, name, p))
    variant = {"": 0, "api": 1, "sad": 2}
    out.sort(key=lambda t: (t[0], t[1].split("__")[0], variant.get(t[2].parent.name, 0)))
    return out


# -- one case -----------------------------------------------------------------------------


def _status_text(status: int) -> str:
    return f"{status} {IPOPT_STATUS.get(status, 'unknown')}"


def _rel(fun: float, base: float | None) -> float:
    if base is None or not math.isfinite(fun):
        return math.nan
    return (fun - base) / abs(base)


def solve_case(path: Path, options: dict, start: str = "flat") -> tuple[dict, object, object]:
    """Build and solve one case; returns its table row, the model and the NLP."""
    name = path.name[:-2]
    t0 = time.perf_counter()
    model = load_acopf(path)
    t_read = time.perf_counter() - t0
    nlp = model.nlp()
    res = nlp.solve(options, x0=model.initial_point(start))
    t = res.timing
    base = baseline_objective(name)
    row = {
        "case": name,
        "buses": model.data.n_bus,
        "n": nlp.n,
        "m": nlp.m,
        "nnz_J": nlp.nnz_jacobian(),
        "nnz_H": nlp.nnz_hessian_lag(),
        "colours": nlp.hessian_ncolors,
        "hessian_mode": nlp.hessian_engine.mode,
        "iterations": res.nit,
        "read_s": t_read,
        "prepare_s": sum(nlp.preparation.values()),
        "solve_s": t["total"],
        "derivative_share": t["callbacks"] / t["total"] if t["total"] else math.nan,
        "objective": res.fun,
        "baseline": base,
        "rel_diff": _rel(res.fun, base),
        "status": _status_text(res.status),
        "success": bool(res.success),
    }
    return row, model, nlp


def reached(row: dict) -> bool:
    return bool(row.get("success")) and abs(row.get("rel_diff", math.nan)) <= GOAL


def retry_from_file(path: Path, options: dict) -> str:
    """Outcome of the same solve started from the case file's operating point."""
    try:
        row, _, _ = solve_case(path, options, start="file")
    except Exception as exc:  # noqa: BLE001 - reported, the run goes on
        return f"from the case file's point: {type(exc).__name__}: {exc}"
    return (
        f"from the case file's point: status {row['status']}, {row['iterations']} "
        f"iterations, objective {row['objective']:.6g}, relative difference "
        f"{row['rel_diff']:+.1e}"
    )


# -- report -------------------------------------------------------------------------------


def _fmt(row: dict) -> dict:
    out = dict(row)
    for k in ("read_s", "prepare_s", "solve_s"):
        if isinstance(row.get(k), float):
            out[k] = f"{row[k]:.3f}"
    if isinstance(row.get("derivative_share"), float):
        out["derivative_share"] = f"{row['derivative_share']:.0%}"
    if isinstance(row.get("objective"), float):
        out["objective"] = f"{row['objective']:.6g}"
    out["baseline"] = "" if row.get("baseline") is None else f"{row['baseline']:.5g}"
    if isinstance(row.get("rel_diff"), float) and math.isfinite(row["rel_diff"]):
        out["rel_diff"] = f"{row['rel_diff']:+.1e}"
    return out


def summary(rows: list[dict], notes: dict[str, str], planned: int) -> str:
    ok = [r for r in rows if reached(r)]
    converged = [r for r in rows if r.get("success")]
    bad = [r for r in rows if not reached(r)]
    lines = [
        "## Summary\n",
        f"- cases solved: {len(rows)}"
        + (f" of {planned} planned (run still going or interrupted)" if len(rows) < planned else "")
        + f"; Ipopt converged (status 0 or 1) on {len(converged)}",
        f"- within {GOAL:g} relative of the PGLib baseline: {len(ok)} of {len(rows)}",
    ]
    if bad:
        lines.append(f"- not converged or missed {GOAL:g}: {len(bad)}\n")
        for r in bad:
            rd = r.get("rel_diff")
            rd = f"{rd:+.1e}" if isinstance(rd, float) and math.isfinite(rd) else "n/a"
            text = f"  - `{r['case']}`: status {r['status']}, relative difference {rd}"
            if r["case"] in notes:
                text += f"; {notes[r['case']]}"
            lines.append(text)
    else:
        lines.append(f"- every case converged and is within {GOAL:g} of its baseline")
    timed = sorted((r for r in rows if isinstance(r.get("solve_s"), float)), key=_total)
    if timed:
        slow = ", ".join(
            f"`{r['case']}` {r['prepare_s']:.2f} + {r['solve_s']:.2f} s" for r in timed[-5:][::-1]
        )
        lines.append(f"- slowest (prepare + Ipopt): {slow}")
    return "\n".join(lines) + "\n"


def _total(r: dict) -> float:
    return r.get("prepare_s", 0.0) + r.get("solve_s", 0.0)


def _solver_version() -> str:
    try:
        import cyipopt
    except ImportError:
        return "cyipopt not installed"
    ipopt = ".".join(map(str, getattr(cyipopt, "IPOPT_VERSION", ()))) or "unknown"
    return f"cyipopt {cyipopt.__version__}, Ipopt {ipopt} with MUMPS"


def write(
    rows: list[dict], notes: dict[str, str], planned: int, options: dict, out: Path | None
) -> Path:
    opts = ", ".join(f"{k}={v}" for k, v in options.items())
    threads = os.environ.get("OMP_NUM_THREADS", "unset")
    load = "/".join(f"{v:.1f}" for v in os.getloadavg())
    text = (
        header("AC-OPF on PGLib-OPF cases with Ipopt")
        + f"- solver: {_solver_version()}; OMP_NUM_THREADS={threads}\n"
        + f"- load average (1/5/15 min) when this file was written: {load} "
        "(other processes share the machine: wall times include their contention)\n\n"
        + summary(rows, notes, planned)
        + "\n## Setup\n\n"
        f"Polar AC-OPF (`solvers/acopf/model.py`), flat start (va = 0, vm = 1, rest 0), "
        f"Ipopt with MUMPS, options: {opts}. `prepare_s` is asd's trace + sparsity "
        "detection + colouring (`nlp.preparation`), `read_s` reading and preprocessing the "
        "case file, `solve_s` Ipopt's wall time; `derivative_share` is the part of it spent "
        "in the function and derivative callbacks. `nnz_H` counts the lower triangle of the "
        "Lagrangian Hessian, `colours` its star colouring. `rel_diff` is (objective - "
        "baseline) / |baseline| against the PGLib-OPF v23.07 AC objective (5 significant "
        "digits). Status is Ipopt's return code.\n\n"
        + markdown_table([_fmt(r) for r in rows], COLUMNS)
    )
    return write_results(NAME, text, rows, COLUMNS, folder=out)


# -- main ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-buses", type=int, default=10000)
    ap.add_argument("--quick", action="store_true", help="cases of at most 300 buses only")
    ap.add_argument("--cases", default="", help="comma-separated case names (default: all)")
    ap.add_argument("--tol", type=float, default=1e-8)
    ap.add_argument("--max-iter", type=int, default=3000)
    ap.add_argument("--max-wall-time", type=float, default=1800.0, help="per case, seconds")
    ap.add_argument("--no-retry", action="store_true", help="no second solve of failures")
    ap.add_argument("--dir", type=Path, default=SHARED_PGLIB_DIR, help="folder of cases")
    ap.add_argument(
        "--out", type=Path, default=None, help="folder for the results (default benchmarks/results)"
    )
    add_quiet_option(ap)
    args = ap.parse_args(argv)

    if not args.dir.is_dir():
        print(f"no case folder {args.dir}", file=sys.stderr)
        return 2
    max_buses = min(args.max_buses, 300) if args.quick else args.max_buses
    todo = [t for t in discover(args.dir) if t[0] <= max_buses]
    if args.cases:
        wanted = {c.strip().removesuffix(".m") for c in args.cases.split(",") if c.strip()}
        wanted |= {"pglib_opf_" + w for w in wanted if not w.startswith("pglib_opf_")}
        todo = [t for t in todo if t[1] in wanted]
    options = {
        "tol": args.tol,
        "print_level": 0,
        "max_iter": args.max_iter,
        "max_wall_time": args.max_wall_time,
    }
    print(f"{len(todo)} cases, up to {max_buses} buses; Ipopt options {options}", flush=True)

    # load the compiled kernels once, so the first case's times do not include it
    warm = min(discover(args.dir))[2]
    solve_case(warm, {**options, "max_iter": 1})

    rows: list[dict] = []
    notes: dict[str, str] = {}
    t_run = time.perf_counter()
    cases = progress(todo, "PGLib AC-OPF", unit="case", label=lambda t: f"{t[1]} ({t[0]} buses)")
    for k, (buses, name, path) in enumerate(cases, 1):
        try:
            row, _, _ = solve_case(path, options)
        except Exception as exc:  # noqa: BLE001 - one broken case must not stop the run
            traceback.print_exc()
            row = {"case": name, "buses": buses, "status": f"error {type(exc).__name__}"}
            notes[name] = f"{type(exc).__name__}: {exc}"
        if not reached(row) and not args.no_retry and "n" in row:
            notes[name] = retry_from_file(path, options)
        rows.append(row)
        f = _fmt(row)
        say(
            f"[{k}/{len(todo)} {time.perf_counter() - t_run:7.0f} s] {name} ({buses} buses): "
            f"{f.get('status')}, {f.get('iterations', '-')} it, prepare {f.get('prepare_s', '-')}"
            f" s, solve {f.get('solve_s', '-')} s, obj {f.get('objective', '-')}, "
            f"rel {f.get('rel_diff', '-')}" + (f" | {notes[name]}" if name in notes else ""),
        )
        write(rows, notes, len(todo), options, args.out)
    path = write(rows, notes, len(todo), options, args.out)
    print(summary(rows, notes, len(todo)))
    print(f"wrote {path} and {path.with_suffix('.csv')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
