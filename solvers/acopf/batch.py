"""The batch mode of ``python -m solvers.acopf``: K load scenarios of one case on Dask.

The case is prepared once here (trace, detection, colouring) with its loads as
runtime parameters, solved once at its own loads for a warm start, then every
scenario is solved by ``asd.batch.solve_many``: on a ``LocalCluster`` of ``--workers``
processes (default: one per core), on the scheduler at ``--scheduler``, or in this
process with ``--workers 0``. Results go to the Parquet folder ``--out`` as they
arrive; a rerun with the same ``--out`` skips the scenarios already there.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

import asd
from cases.matpower import find_case

from .model import load_acopf
from .scenarios import load_scenarios


def default_workers() -> int:
    """One worker process per core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def check_arguments(args: argparse.Namespace) -> None:
    """Errors for option combinations the batch mode cannot run."""
    if args.solver != "ipopt":
        raise ValueError("--scenarios solves with Ipopt; drop --solver trust-constr")
    if args.scheduler is not None and args.workers is not None:
        raise ValueError("give either --workers (a local cluster) or --scheduler, not both")
    if args.workers is not None and args.workers < 0:
        raise ValueError(f"--workers must be 0 (solve in this process) or more, not {args.workers}")


def run_batch(args: argparse.Namespace) -> int:
    """Prepare the case, solve its scenarios, print a summary."""
    check_arguments(args)
    t0 = time.perf_counter()
    path = find_case(args.case)
    model = load_acopf(path, parameters=("pd", "qd"))
    nlp = model.nlp()
    scenarios = load_scenarios(model, args.scenarios, args.spread, args.seed)
    t_prep = time.perf_counter() - t0
    print(f"case {args.case} ({path}): n = {nlp.n} variables, m = {nlp.m} constraints")
    print(
        f"{args.scenarios} scenarios: every load scaled by its own factor in "
        f"[{1 - args.spread:g}, {1 + args.spread:g}], seed {args.seed}; "
        f"read, build and draw {t_prep:.2f} s"
    )
    options = {"tol": args.tol}
    t0 = time.perf_counter()
    nominal = nlp.solve(options)
    warm = nominal if nominal.success else None
    print(
        f"nominal loads: status {nominal.status}, objective {nominal.fun:.6f}, "
        f"{nominal.nit} iterations, {time.perf_counter() - t0:.2f} s"
        + ("; warm start for every scenario" if warm else "; scenarios start cold")
    )
    if args.scheduler is not None:
        where = {"client": args.scheduler}
        place = f"on the Dask scheduler at {args.scheduler}"
    else:
        workers = default_workers() if args.workers is None else args.workers
        where = {"workers": workers} if workers > 0 else {}
        place = "in this process"
        if workers:
            place = f"on a local cluster of {workers} worker processes"
    print(f"solving {place}" + (f", results in {args.out}" if args.out else ""))
    sys.stdout.flush()
    t0 = time.perf_counter()
    table = asd.batch.solve_many(
        nlp,
        scenarios,
        options=options,
        warm_start=warm,
        out=args.out,
        rerun_failed=args.rerun_failed,
        progress=not args.quiet,
        columns=["success", "message", "objective", "iterations", "run"],
        **where,
    )
    wall = time.perf_counter() - t0
    summarize(table, wall, args)
    return 0


def summarize(table, wall: float, args: argparse.Namespace) -> None:
    """Counts by outcome, objective range, this run's throughput."""
    this_run = table.schema.metadata[b"run"].decode()
    new = sum(r == this_run for r in table.column("run").to_pylist())
    ok = np.asarray(table.column("success").to_pylist(), dtype=bool)
    print(
        f"{table.num_rows} scenarios recorded: {int(ok.sum())} solved, "
        f"{int((~ok).sum())} failed; {new} solved in this run in {wall:.2f} s"
        + (f" ({new / wall:.2f} per second)" if new and wall > 0 else "")
    )
    if (~ok).any():
        messages = [m for m, good in zip(table.column("message").to_pylist(), ok) if not good]
        counts: dict[str, int] = {}
        for m in messages:
            counts[m] = counts.get(m, 0) + 1
        for m, c in sorted(counts.items(), key=lambda kv: -kv[1])[:5]:
            print(f"  {c} x {m}")
    if ok.any():
        obj = np.asarray(table.column("objective").to_pylist())[ok]
        its = np.asarray(table.column("iterations").to_pylist())[ok]
        print(
            f"objective min {obj.min():.6f}, mean {obj.mean():.6f}, max {obj.max():.6f}; "
            f"iterations mean {its.mean():.1f}"
        )
    if args.out:
        print(f"results: {args.out} (read with asd.batch.read_results or any Parquet reader)")
    else:
        print("results not saved: pass --out FOLDER to keep them")
