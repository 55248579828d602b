"""Batch AC-OPF solves on Dask: acceptance checks, throughput for 1, 2 and 4 worker
processes, the per-scenario overhead beyond the solve, and an estimate for 100 workers.

    python benchmarks/batch.py [--quick] [--cases case118,case1354] [--scenarios 64,16]
                               [--workers 1,2,4] [--check case14,case118] [--check-scenarios 64]

Defaults: case118 with 64 scenarios, case1354 with 24.

Check: ``python -m solvers.acopf CASE --scenarios 64 --workers 2 --out ...`` for each
``--check`` case; every scenario must be recorded and each objective must equal a
separate serial solve of the same scenario (its own ``nlp.solve`` from the flat start)
to 1e-6 relative.

Scaling: per case, the scenarios are solved in this process (``solve_many`` without
Dask: the solves alone), then on a fresh ``LocalCluster`` of W single-threaded worker
processes for each W. On each cluster every worker first loads the NLP and runs two
Ipopt iterations on a warm-up scenario (the Numba kernels load from the disk cache);
the timed batch follows (its NLP shipping, in the worker plugin, included).
Throughput is scenarios per wall-clock second of the timed batch.
Writes benchmarks/results/batch.md and batch.csv (``--quick``: results/quick/).
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import header, markdown_table, write_results  # noqa: E402

import asd  # noqa: E402
from asd.batch.cluster import MAX_CHUNK, MAX_TASK_RATE, TARGET_SECONDS  # noqa: E402
from asd.batch.store import records_to_table, write_parquet  # noqa: E402
from solvers.acopf import load_acopf  # noqa: E402
from solvers.acopf.scenarios import load_scenarios  # noqa: E402

NAME = "batch"
#: network bandwidth assumed for the 100-worker estimate (bytes per second, 10 Gbit/s)
BANDWIDTH = 1.25e9
OPTIONS = {"tol": 1e-8}
COLUMNS = [
    "case",
    "workers",
    "scenarios",
    "wall_s",
    "per_second",
    "speedup",
    "mean_solve_s",
    "solve_slowdown",
    "overhead_s",
    "startup_s",
    "warmup_s",
    "max_rel_diff",
    "worker_preparations",
]


def full_name(short: str) -> str:
    names = {
        "case5": "pglib_opf_case5_pjm",
        "case14": "pglib_opf_case14_ieee",
        "case118": "pglib_opf_case118_ieee",
        "case1354": "pglib_opf_case1354_pegase",
    }
    return names.get(short, short)


def loadavg() -> str:
    return "/".join(f"{v:.2f}" for v in os.getloadavg())


# ---------------------------------------------------------------- acceptance check


def check_case(case: str, count: int) -> dict:
    """The command line on 2 workers, against separate serial solves."""
    from solvers.acopf.__main__ import main

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "results.parquet"
        t0 = time.perf_counter()
        code = main(
            [case, "--scenarios", str(count), "--workers", "2", "--out", str(out), "--quiet"]
        )
        wall = time.perf_counter() - t0
        table = asd.batch.read_results(out)
    model = load_acopf(case, parameters=("pd", "qd"))
    nlp = model.nlp()
    ref = np.array([nlp.solve(OPTIONS, args=(p,)).fun for p in load_scenarios(model, count)])
    obj = table.column("objective").to_numpy()
    return {
        "case": case,
        "exit": code,
        "recorded": table.num_rows,
        "solved": int(sum(table.column("success").to_pylist())),
        "max_rel_diff": float(np.max(np.abs(obj - ref) / np.abs(ref))),
        "wall_s": wall,
    }


# ---------------------------------------------------------------- overheads


def overheads(nlp, nominal, scenarios, serial_table) -> dict:
    """Costs per worker (NLP shipping) and per scenario (parameters, record, driver)."""
    blob = pickle.dumps(nlp)
    t0 = time.perf_counter()
    for _ in range(3):
        pickle.dumps(nlp)
    dumps = (time.perf_counter() - t0) / 3
    t0 = time.perf_counter()
    for _ in range(3):
        pickle.loads(blob)
    loads = (time.perf_counter() - t0) / 3
    spec = nlp.tape.params
    flat = [spec.flatten((p,)) for p in scenarios]
    t0 = time.perf_counter()
    for v in flat:
        nlp.with_args(*spec.unflatten(v))
    with_args = (time.perf_counter() - t0) / len(flat)
    records = []
    for row in serial_table.to_pylist():
        for k in ("params", "x", "mult_g", "mult_x_L", "mult_x_U"):
            row[k] = None if row[k] is None else np.asarray(row[k])
        records.append(row)
    t0 = time.perf_counter()
    sizes = [len(pickle.dumps(r)) for r in records]
    for r in records:
        pickle.loads(pickle.dumps(r))
    record_pickle = (time.perf_counter() - t0) / len(records)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        write_parquet(records_to_table(records), Path(tmp) / "p.parquet")
        driver = (time.perf_counter() - t0) / len(records)
    return {
        "nlp_bytes": len(blob),
        "nlp_dumps_s": dumps,
        "nlp_loads_s": loads,
        "with_args_s": with_args,
        "record_bytes": int(np.mean(sizes)),
        "record_pickle_s": record_pickle,
        "driver_per_record_s": driver,
    }


def noop(i):
    return i


def warm_up(blob: bytes, params: np.ndarray) -> None:
    """On each worker: load the NLP and solve once, so the kernels are loaded before the
    timed batch (nothing is traced: the counters show it)."""
    nlp = pickle.loads(blob)
    nlp.with_args(*nlp.tape.params.unflatten(params)).solve({**OPTIONS, "max_iter": 2})


def scheduler_round_trip(client, tasks: int = 400) -> float:
    """Seconds per no-op task, submitted all at once and gathered (scheduler + comms)."""
    client.gather([client.submit(noop, i, pure=False) for i in range(20)])
    t0 = time.perf_counter()
    client.gather([client.submit(noop, i, pure=False) for i in range(tasks)])
    return (time.perf_counter() - t0) / tasks


# ---------------------------------------------------------------- scaling


def scale_case(case: str, count: int, workers: list[int]) -> tuple[list[dict], dict]:
    from distributed import Client, LocalCluster

    model = load_acopf(case, parameters=("pd", "qd"))
    t0 = time.perf_counter()
    nlp = model.nlp()
    prepare = time.perf_counter() - t0
    nominal = nlp.solve(OPTIONS)
    scenarios = load_scenarios(model, count, seed=0)
    warmup = load_scenarios(model, 1, seed=1)
    kw = {"options": OPTIONS, "warm_start": nominal}
    print(f"{case}: n = {nlp.n}, m = {nlp.m}, prepared in {prepare:.2f} s", flush=True)

    t0 = time.perf_counter()
    serial = asd.batch.solve_many(nlp, scenarios, **kw)
    serial_wall = time.perf_counter() - t0
    ref = serial.column("objective").to_numpy()
    solve = float(np.mean(serial.column("solve_time").to_numpy()))
    rows = [
        {
            "case": case,
            "workers": "in process",
            "scenarios": count,
            "wall_s": f"{serial_wall:.2f}",
            "per_second": f"{count / serial_wall:.2f}",
            "speedup": "",
            "mean_solve_s": f"{solve:.4f}",
            "solve_slowdown": "1.00",
            "overhead_s": f"{serial_wall / count - solve:.4f}",
            "startup_s": "",
            "warmup_s": "",
            "max_rel_diff": "0",
            "worker_preparations": "",
        }
    ]
    print(f"  in process: {count / serial_wall:.2f} per second", flush=True)
    extra = {"round_trip_s": None}
    base = None
    for w in workers:
        t0 = time.perf_counter()
        cluster = LocalCluster(
            n_workers=w,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": ":0"},
        )
        client = Client(cluster)
        startup = time.perf_counter() - t0
        try:
            t0 = time.perf_counter()
            client.run(warm_up, pickle.dumps(nlp), nlp.tape.params.flatten((warmup[0],)))
            warm = time.perf_counter() - t0
            t0 = time.perf_counter()
            table = asd.batch.solve_many(nlp, scenarios, client=client, **kw)
            wall = time.perf_counter() - t0
            counts = client.run(asd.preparation_counts)
            preps = sum(sum(c.values()) for c in counts.values())
            if w == 2:
                extra["round_trip_s"] = scheduler_round_trip(client)
        finally:
            client.close()
            cluster.close()
        obj = table.column("objective").to_numpy()
        mean = float(np.mean(table.column("solve_time").to_numpy()))
        rate = count / wall
        base = rate if base is None else base
        rows.append(
            {
                "case": case,
                "workers": w,
                "scenarios": count,
                "wall_s": f"{wall:.2f}",
                "per_second": f"{rate:.2f}",
                "speedup": f"{rate / base:.2f}",
                "mean_solve_s": f"{mean:.4f}",
                "solve_slowdown": f"{mean / solve:.2f}",
                "overhead_s": f"{w * wall / count - mean:.4f}",
                "startup_s": f"{startup:.2f}",
                "warmup_s": f"{warm:.2f}",
                "max_rel_diff": f"{np.max(np.abs(obj - ref) / np.abs(ref)):.1e}",
                "worker_preparations": preps,
            }
        )
        print(f"  {w} workers: {rate:.2f} per second ({rate / base:.2f}x)", flush=True)
    extra.update(overheads(nlp, nominal, scenarios, serial))
    extra["solve_s"] = solve
    return rows, extra


def estimate(case: str, rows: list[dict], extra: dict) -> str:
    """Throughput of 100 workers from the measured per-scenario costs."""
    solve = extra["solve_s"]
    one = next(r for r in rows if r["workers"] == 1)
    worker_overhead = max(float(one["overhead_s"]), 0.0)
    per_worker = 1.0 / (solve + worker_overhead)
    driver = extra["driver_per_record_s"] + extra["record_pickle_s"]
    target = max(TARGET_SECONDS, 100 / MAX_TASK_RATE)
    chunk = max(1, min(MAX_CHUNK, int(np.ceil(target / solve))))
    sched = extra["round_trip_s"] or 1e-3
    limits = {
        "workers": 100 * per_worker,
        "driver (records in, Parquet out)": 1.0 / driver,
        f"scheduler (tasks of {chunk} scenarios)": chunk / sched,
    }
    bound = min(limits, key=limits.get)
    parts = "; ".join(f"{k}: {v:,.0f} per second" for k, v in limits.items())
    ship = 100 * extra["nlp_bytes"] / BANDWIDTH
    return (
        f"- {case}: solve {solve * 1e3:.1f} ms + worker-side overhead "
        f"{worker_overhead * 1e3:.1f} ms per scenario (1 worker), so one worker gives "
        f"{per_worker:.2f} per second. Limits for 100 workers: {parts}. Estimate: "
        f"{limits[bound]:,.0f} per second, bound by the {bound.split(' (')[0]}. Once per "
        f"run the scheduler sends the NLP to each worker: 100 x "
        f"{extra['nlp_bytes'] / 1e6:.1f} MB, about {ship:.1f} s at 10 Gbit/s.\n"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small smoke run")
    ap.add_argument("--cases", default="case118,case1354")
    ap.add_argument("--scenarios", default="64,24", help="scenarios per case, in order")
    ap.add_argument("--workers", default="1,2,4")
    ap.add_argument("--check", default="case14,case118", help="cases of the acceptance check")
    ap.add_argument("--check-scenarios", type=int, default=64)
    args = ap.parse_args()
    if args.quick:
        args.cases, args.scenarios, args.workers = "case14", "8", "1,2"
        args.check, args.check_scenarios = "case5", 8
    cases = [full_name(c) for c in args.cases.split(",") if c]
    counts = [int(k) for k in args.scenarios.split(",")]
    workers = [int(w) for w in args.workers.split(",")]
    loads = [f"start {loadavg()}"]

    checks = []
    for c in [full_name(c) for c in args.check.split(",") if c]:
        checks.append(check_case(c, args.check_scenarios))
        print(f"check {c}: {checks[-1]}", flush=True)
    rows, estimates, extras = [], [], {}
    for case, count in zip(cases, counts):
        r, extra = scale_case(case, count, workers)
        rows += r
        extras[case] = extra
        if 1 in workers:
            estimates.append(estimate(case, r, extra))
    loads.append(f"end {loadavg()}")

    text = header("Batch AC-OPF solves on Dask", ("numpy", "scipy", "numba", "distributed"))
    text += (
        f"- load average (1/5/15 min): {', '.join(loads)} (the later figures include this "
        "run's own worker processes)\n"
    )
    text += "\n## Acceptance check\n\n"
    text += (
        f"`python -m solvers.acopf CASE --scenarios {args.check_scenarios} --workers 2 --out "
        "...`, then each scenario solved separately in this process from the flat start.\n\n"
    )
    for c in checks:
        text += (
            f"- {c['case']}: exit {c['exit']}, {c['recorded']} of {args.check_scenarios} "
            f"recorded, {c['solved']} solved, largest relative objective difference to the "
            f"serial solves {c['max_rel_diff']:.1e} (goal 1e-6); command {c['wall_s']:.1f} s "
            "including cluster start\n"
        )
    text += "\n## Throughput\n\n"
    text += (
        "Warm start from the solution at the case's own loads (`asd.batch.WARM_OPTIONS`), "
        "loads within ±20 %. `per_second`: scenarios per wall-clock second of the timed "
        "batch; `speedup` against 1 worker; `mean_solve_s`: time per scenario inside the "
        "worker (with_args + Ipopt); `solve_slowdown`: mean_solve_s against the in-process "
        "solves: near 1 when every worker had a core to itself, W / 2 or more when other "
        "jobs or too many workers shared the 2 cores (then the speedup measures the CPU "
        "share, not asd or Dask); `overhead_s`: W × wall / scenarios − mean_solve_s, the "
        "worker time per scenario not spent solving (scheduling, shipping, idle at the end, "
        "contention with the driver and scheduler on the same 2 cores); `startup_s`: "
        "LocalCluster start; `warmup_s`: two Ipopt iterations on every worker before the "
        "timed batch (NLP loaded, kernels imported from the disk cache); `max_rel_diff`: "
        "objectives against the in-process run; `worker_preparations`: traces + detections + "
        "colourings counted on the workers (must be 0).\n\n"
    )
    text += markdown_table(rows, COLUMNS)
    text += "\n## Overheads measured in process\n\n"
    keys = [
        ("nlp_bytes", "pickled NLP (bytes, sent once per worker)", "{:,}"),
        ("nlp_dumps_s", "pickling the NLP (s, once per run)", "{:.4f}"),
        ("nlp_loads_s", "loading it on a worker (s, once per worker)", "{:.4f}"),
        ("with_args_s", "with_args per scenario (s)", "{:.6f}"),
        ("record_bytes", "one record pickled (bytes, worker to driver)", "{:,}"),
        ("record_pickle_s", "pickling + loading one record (s)", "{:.6f}"),
        ("driver_per_record_s", "driver: record to Arrow + Parquet write (s per record)", "{:.6f}"),
        ("round_trip_s", "scheduler: one no-op task, 400 in flight, 2 workers (s)", "{:.6f}"),
        ("solve_s", "mean warm-started solve, in process (s)", "{:.4f}"),
    ]
    head = "| quantity | " + " | ".join(extras) + " |\n|---|" + "---|" * len(extras) + "\n"
    text += head
    for key, label, fmt in keys:
        vals = [fmt.format(e[key]) if e.get(key) is not None else "" for e in extras.values()]
        text += f"| {label} | " + " | ".join(vals) + " |\n"
    text += "\n## Estimate for 100 workers\n\n" + "".join(estimates)
    text += (
        "\nHow the estimate is made: each worker receives the NLP once (its size above, "
        "loaded in milliseconds), so shipping does not grow with the scenarios; 100 workers "
        "solve 100 / (solve + worker-side overhead) scenarios per second; per scenario the "
        "driver unpickles one record (the solution vectors) and writes it to Parquet, which "
        "bounds the rate at 1 / (those costs); the scheduler handles one task per chunk "
        "(chunks fill about 0.5 s of solve time, so the per-task cost is shared by the "
        "chunk), bounding it at chunk size / (seconds per no-op task). The smallest of the "
        "three is the estimate. The per-task and per-record costs were measured here, where "
        "the driver, the scheduler and the workers share 2 cores with other jobs; on a "
        "cluster they run on their own cores.\n"
    )
    all_rows = [{**r} for r in rows]
    md = write_results(NAME, text, all_rows, COLUMNS)
    print(f"wrote {md}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
