"""asd against JAX (x64, CPU) on random programs: a long run of the differential test.

Run: python benchmarks/jax_reference.py --programs 10000 [--seed S] [--jobs J] [--quick]
      [--enable FLAG ...] [--quiet]
Writes benchmarks/results/jax_reference.md and .csv (results/quick/ with --quick).

The run is resumable: every finished chunk of 50 seeds is appended to
benchmarks/results/jax_reference_chunks.jsonl (with its flags and its counters), and a
later run with the same flags skips those chunks and reports over all of them; so a
run of many hours can be spread over several sittings (``--fresh`` starts over). A
progress bar on stderr names the chunk being checked and the failures so far
(``--quiet`` or ASD_PROGRESS=0 hides it).

Each program of tests/jax_programs.py runs on numpy, on asd's traced arrays and on
jax.numpy; tests/jax_checks.py compares values, sparsity patterns, JVP / VJP / HVP,
prepared Jacobians (all five modes, rotated), Hessians (three modes), gradients, NLP
Lagrangian Hessians and pickled objects. Failures are recorded with their seed and a
one-line reason; ``--enable`` turns on constructs that are off by default (known asd
issues, see ``tests/jax_programs.Flags``).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))

import numpy as np  # noqa: E402
from _report import add_quiet_option, header, markdown_table, progress, write_results  # noqa: E402
from jax_checks import TOL, Stats, check_seed_confirmed, program_of  # noqa: E402
from jax_programs import FAMILIES, Flags  # noqa: E402

NAME = "jax_reference"
LEDGER = ROOT / "benchmarks" / "results" / f"{NAME}_chunks.jsonl"
CHUNK = 50


def load_ledger(enable: list[str]) -> dict[tuple[int, int], dict]:
    """Finished chunks of earlier runs with the same flags, by (start, stop)."""
    done = {}
    if LEDGER.is_file():
        for line in LEDGER.read_text().splitlines():
            entry = json.loads(line)
            if sorted(entry["flags"]) == sorted(enable):
                done[tuple(entry["chunk"])] = entry["result"]
    return done


def record(chunk: tuple, enable: list[str], result: dict) -> None:
    """Append one finished chunk to the ledger (one JSON line, written at once)."""
    LEDGER.parent.mkdir(parents=True, exist_ok=True)
    entry = {"chunk": list(chunk[:2]), "flags": sorted(enable), "result": result}
    with LEDGER.open("a") as fh:
        fh.write(json.dumps(entry) + "\n")


def default_names() -> set[str]:
    """Instruction names of the default grammar."""
    names = set()
    for family, make in FAMILIES.items():
        for n in range(1, 13):
            names |= {f"{family}.{op}" for op in make(np.random.default_rng(n), n, Flags())}
    return names


def run_chunk(args) -> dict:
    """Run seeds [start, stop) in this process; return plain counters."""
    start, stop, names = args
    flags = Flags().enable(*names)
    stats, timings = Stats(), Counter()
    failures, miscompiled = [], []
    t0 = time.perf_counter()
    for seed in range(start, stop):
        try:
            note = check_seed_confirmed(seed, flags, stats, timings)
            if note is not None:
                miscompiled.append((seed, " ".join(note.split())[:200]))
        except Exception as e:  # noqa: BLE001 - every failure is recorded, with its seed
            reason = " ".join(str(e).split())[:240]
            if names:  # which flagged (off by default) instructions the program holds
                used = set(program_of(seed, flags)[0].description) - default_names()
                reason = f"[{', '.join(sorted(used)) or 'no flagged instruction'}] {reason}"
            failures.append((seed, type(e).__name__, reason))
    return {
        "wall": time.perf_counter() - t0,
        "checks": dict(stats.checks),
        "worst": stats.worst,
        "programs": stats.programs,
        "deep": stats.deep,
        "redrawn": stats.redrawn,
        "timings": dict(timings),
        "failures": failures,
        "miscompiled": miscompiled,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--programs", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=0, help="first seed")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes")
    ap.add_argument("--quick", action="store_true", help="200 programs (smoke run)")
    ap.add_argument("--enable", nargs="*", default=[], choices=Flags.names())
    ap.add_argument("--fresh", action="store_true", help="ignore the chunks of earlier runs")
    add_quiet_option(ap)
    args = ap.parse_args()
    count = 200 if args.quick else args.programs
    seeds = range(args.seed, args.seed + count)
    jobs = max(1, args.jobs)
    chunks = [
        (s, min(s + CHUNK, seeds.stop), args.enable) for s in range(seeds.start, seeds.stop, CHUNK)
    ]
    keep = not args.quick and not args.fresh
    done = load_ledger(args.enable) if keep else {}
    results = [done[c[:2]] for c in chunks if c[:2] in done]
    todo = [c for c in chunks if c[:2] not in done]
    wall = 0.0
    if results:
        print(f"{len(results)} chunks done in earlier runs; {len(todo)} to go", flush=True)
    t0 = time.perf_counter()

    def finished(chunk, r):
        results.append(r)
        if keep:
            record(chunk, args.enable, r)
        if len(results) < len(chunks):  # a partial summary survives an interruption
            report(args, count, jobs, results, wall + time.perf_counter() - t0, partial=True)

    def label(chunk) -> str:  # the chunk now checked, and the failures of those finished
        failed = sum(len(r["failures"]) for r in results)
        return f"seeds {chunk[0]}-{chunk[1] - 1}, {failed} failures so far"

    bar = progress(todo, f"JAX reference ({CHUNK} programs a chunk)", unit="chunk", label=label)
    if jobs == 1:
        for c in bar:
            finished(c, run_chunk(c))
    else:
        with mp.get_context("spawn").Pool(jobs) as pool:
            for c, r in zip(bar, pool.imap(run_chunk, todo)):
                finished(c, r)
    path, text = report(args, count, jobs, results, wall + time.perf_counter() - t0)
    print(text)
    print(f"wrote {path}")


def report(args, count, jobs, results, wall, partial=False):
    """Write the summary of ``results`` (chunk dictionaries)."""
    checks, worst, timings = Counter(), {}, Counter()
    failures = []
    programs = deep = redrawn = 0
    for r in results:
        checks.update(r["checks"])
        timings.update(r["timings"])
        for k, v in r["worst"].items():
            worst[k] = max(worst.get(k, 0.0), v)
        failures += [tuple(f) for f in r["failures"]]  # lists when read from the ledger
        programs += r["programs"]
        deep += r["deep"]
        redrawn += r["redrawn"]
    failures.sort()
    miscompiled = sorted(tuple(m) for r in results for m in r.get("miscompiled", []))
    chunk_time = sum(r.get("wall", 0.0) for r in results)

    rows = [
        {"check": k, "count": v, "worst relative error": f"{worst[k]:.2g}" if k in worst else ""}
        for k, v in sorted(checks.items())
    ]
    kinds = Counter(
        (r.split("] ", 1)[1] if r.startswith("[") else r).split(":")[0][:60] for _, _, r in failures
    )
    text = header("asd against JAX on random programs", ("numpy", "scipy", "numba", "jax"))
    text += (
        f"\nPrograms: {count} seeds ({args.seed} … {args.seed + count - 1}), {programs} checked "
        f"to the end or to their first failure, {deep} of them deep chains (100-200 "
        f"instructions); {redrawn} generated programs re-drawn because their values left "
        f"±1e6. Enabled flags: {', '.join(args.enable) or 'none'}.\n\n"
        f"Time: {chunk_time:.0f} s summed over chunks (processes and sittings of a resumed "
        f"run; this sitting: {wall:.0f} s wall with {jobs} process(es)), "
        f"{chunk_time / max(programs, 1):.2f} s per program; "
        f"summed over processes, JAX (trace, compile, run) took {timings['jax']:.0f} s and asd "
        f"(trace, detect, colour, evaluate, every check) {timings['asd']:.0f} s.\n\n"
        f"Tolerance: |asd - jax| <= {TOL:g} (1 + max|jax|) over each compared array; patterns "
        "must contain every exact nonzero of JAX's Jacobian / Hessian of wᵀf.\n\n"
        f"## Checks ({sum(checks.values())} in all)\n\n"
        + markdown_table(rows, ["check", "count", "worst relative error"])
        + f"\n## Failures: {len(failures)}\n\n"
    )
    if failures:
        text += "By check: " + ", ".join(f"{k} ({v})" for k, v in kinds.most_common()) + "\n\n"
        text += markdown_table(
            [{"seed": s, "error": e, "reason": r.replace("|", "/")} for s, e, r in failures[:300]],
            ["seed", "error", "reason"],
        )
        if len(failures) > 300:
            text += f"\n... and {len(failures) - 300} more (all in the csv).\n"
    text += (
        f"\n## Jitted JAX references contradicted by eager JAX: {len(miscompiled)}\n\n"
        "A mismatch is checked again against JAX run eagerly (each primitive alone, no "
        "whole-program XLA compilation). These programs failed against the jitted reference "
        "and passed every check against the eager one, so the jitted reference was wrong "
        "(their counts above come from the eager run).\n\n"
    )
    if miscompiled:
        text += markdown_table(
            [{"seed": s, "jitted reference said": r.replace("|", "/")} for s, r in miscompiled],
            ["seed", "jitted reference said"],
        )
    if partial:
        text = text.replace(
            "\nPrograms:", f"\n**Partial: {programs} of {count} programs so far.**\n\nPrograms:", 1
        )
    path = write_results(
        NAME,
        text,
        [{"seed": s, "error": e, "reason": r} for s, e, r in failures],
        ["seed", "error", "reason"],
    )
    return path, text


if __name__ == "__main__":
    main()
