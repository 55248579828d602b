"""Tracing, detection and evaluation of two revisions of asd side by side, in one run.

    python benchmarks/revisions.py [--before REV] [--after REV] [--rounds 7] [--fixed-malloc]
                                   [--quick]

The problems of ``detection.py`` and ``evaluation.py`` (Brusselator Jacobians,
extended and chained Rosenbrock Hessians), timed with each revision's ``src/``
(exported with ``git archive``; the ``cases`` package of this tree for both). Every
round runs one fresh process per revision, in alternating order, each timing every
quantity (fastest of a few calls); the table gives the median over rounds and the
ratio after / before (above 1: the later revision is slower). Each revision first
compiles its kernels into its own Numba cache, outside the timings. Prepared
derivatives are timed both as ``values(x)`` (the numbers, no output object) and as
a call with ``format="csr"`` (same output type in every revision).
``--fixed-malloc`` runs both with glibc's mmap and trim thresholds fixed at 1 GiB
(``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TRIM_THRESHOLD_``): by default glibc adapts them
to the process's history, so a process that loaded more compiled code can pay page
faults on every large temporary array, which shows as a difference between revisions
that is not in their code.
Writes benchmarks/results/revisions.md and .csv (``--fixed-malloc``: revisions_malloc;
``--quick``: results/quick/).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import ROOT, header, markdown_table, progress, write_results  # noqa: E402

NAME = "revisions"
#: the last commit before the numpy-coverage work of issue #15 (buffers, contractions,
#: order functions, corpus)
BEFORE = "01e9e3d"

#: one process's measurements: printed as JSON (``SIZES`` is filled in)
WORKER = r"""
import json, sys, time
import numpy as np
import asd
from asd.detection import hessian_pattern, jacobian_pattern
from cases.brusselator import Brusselator2D

SIZES = {sizes}

def fastest(fn, k):
    best = float("inf")
    for _ in range(k):
        t0 = time.perf_counter(); fn(); best = min(best, time.perf_counter() - t0)
    return best * 1e3

def extended(x):
    a, c = x[0::2], x[1::2]
    return np.sum(100.0 * (c - a**2) ** 2 + (1.0 - a) ** 2)

def chained(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)

out = {{}}
for N in SIZES["brusselator"]:
    b = Brusselator2D(N)
    x = b.initial_state() + 0.1
    key = f"Brusselator N={{N}}"
    tape = asd.trace(b.f, x)
    J = asd.jacobian(b.f, x, format="csr")
    J(x)
    out[key + ": trace"] = fastest(lambda: asd.trace(b.f, x), 5)
    out[key + ": Jacobian detection"] = fastest(lambda: jacobian_pattern(tape), 5)
    out[key + ": Hessian detection"] = fastest(lambda: hessian_pattern(tape), 5)
    out[key + ": prepared J values"] = fastest(lambda: J.values(x), 20)
    out[key + ": prepared J csr"] = fastest(lambda: J(x), 20)
    out[key + ": one-off J"] = fastest(lambda: asd.jacobian(b.f, x, format="csr")(x), 3)
for n in SIZES["rosenbrock"]:
    x = np.linspace(-1.0, 1.5, n)
    for name, f in (("extended", extended), ("chained", chained)):
        key = f"{{name}} Rosenbrock n={{n}}"
        H = asd.hessian(f, x, format="csr")
        H(x)
        out[key + ": trace"] = fastest(lambda: asd.trace(f, x), 5)
        out[key + ": prepared H values"] = fastest(lambda: H.values(x), 20)
        out[key + ": prepared H csr"] = fastest(lambda: H(x), 20)
        out[key + ": one-off H"] = fastest(lambda: asd.hessian(f, x, format="csr")(x), 3)
print("RESULT " + json.dumps(out))
"""


def export(rev: str, into: Path) -> str:
    """``rev``'s ``src/`` under ``into``; returns the full commit id."""
    commit = subprocess.check_output(["git", "rev-parse", rev], cwd=ROOT, text=True).strip()
    archive = into / "src.tar"
    subprocess.run(["git", "archive", "-o", str(archive), commit, "src"], cwd=ROOT, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return commit


#: glibc thresholds that do not adapt to the process's history (``--fixed-malloc``)
FIXED_MALLOC = {"MALLOC_MMAP_THRESHOLD_": str(2**30), "MALLOC_TRIM_THRESHOLD_": str(2**30)}


def run(tree: Path, sizes: dict, fixed_malloc: bool = False) -> dict[str, float]:
    """One process of ``WORKER`` on the revision exported to ``tree``."""
    env = dict(os.environ, **(FIXED_MALLOC if fixed_malloc else {}))
    env["PYTHONPATH"] = os.pathsep.join([str(tree / "src"), str(ROOT)])
    env["NUMBA_CACHE_DIR"] = str(tree / "numba")
    env["ASD_CACHE_DIR"] = str(tree / "asd")
    env["ASD_QUIET"] = "1"
    proc = subprocess.run(
        [sys.executable, "-c", WORKER.format(sizes=sizes)],
        env=env,
        cwd=tree,
        capture_output=True,
        text=True,
    )
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise RuntimeError(f"revision at {tree} failed:\n{proc.stderr[-3000:]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", default=BEFORE)
    ap.add_argument("--after", default="HEAD")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument(
        "--fixed-malloc", action="store_true", help="fix glibc's mmap / trim thresholds"
    )
    ap.add_argument("--quick", action="store_true", help="small sizes, 2 rounds")
    ap.add_argument("--quiet", action="store_true", help="no progress display")
    args = ap.parse_args()
    sizes = (
        {"brusselator": [12], "rosenbrock": [1000]}
        if args.quick
        else {"brusselator": [48, 96], "rosenbrock": [10_000, 100_000]}
    )
    rounds = 2 if args.quick else args.rounds
    with tempfile.TemporaryDirectory() as tmp:
        trees, commits = {}, {}
        for label, rev in (("before", args.before), ("after", args.after)):
            trees[label] = Path(tmp) / label
            trees[label].mkdir()
            commits[label] = export(rev, trees[label])
        for label in progress(("before", "after"), "compiling", quiet=args.quiet):
            run(trees[label], sizes)  # fills each revision's Numba cache
        samples: dict[str, dict[str, list[float]]] = {"before": {}, "after": {}}
        for r in progress(range(rounds), "rounds", quiet=args.quiet):
            order = ("before", "after") if r % 2 == 0 else ("after", "before")
            for label in order:
                for key, ms in run(trees[label], sizes, args.fixed_malloc).items():
                    samples[label].setdefault(key, []).append(ms)
    rows = []
    for key in samples["after"]:
        b = statistics.median(samples["before"][key])
        a = statistics.median(samples["after"][key])
        problem, quantity = key.split(": ")
        rows.append(
            {
                "problem": problem,
                "quantity": quantity,
                "before [ms]": f"{b:.3f}",
                "after [ms]": f"{a:.3f}",
                "after / before": f"{a / b:.2f}",
            }
        )
    columns = ["problem", "quantity", "before [ms]", "after [ms]", "after / before"]
    text = header("Two revisions side by side: tracing, detection, evaluation")
    text += (
        f"\n- before: `{commits['before'][:10]}` ({args.before}), after: "
        f"`{commits['after'][:10]}` ({args.after})\n- {rounds} rounds, each one fresh "
        "process per revision in alternating order; medians over rounds of the fastest "
        "of a few calls per process\n"
        + (
            "- glibc's mmap and trim thresholds fixed at 1 GiB in both (`--fixed-malloc`)\n"
            if args.fixed_malloc
            else ""
        )
        + "\n"
    )
    text += markdown_table(rows, columns)
    path = write_results(NAME + ("_malloc" if args.fixed_malloc else ""), text, rows, columns)
    print(text)
    print(f"written to {path}")


if __name__ == "__main__":
    main()
