"""Sparsity detection on the 2-D Brusselator: tape size, trace, detection, cold start.

Run: python benchmarks/detection.py [--quick] [--quiet]
Writes benchmarks/results/detection.md and .csv.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _report import (  # noqa: E402
    add_quiet_option,
    best_time,
    fresh_python,
    header,
    markdown_table,
    progress,
    say,
    write_results,
)

import asd  # noqa: E402
from asd.detection import hessian_pattern, jacobian_pattern  # noqa: E402
from cases.brusselator import Brusselator2D  # noqa: E402

COLD = textwrap.dedent(
    """
    import time
    t0 = time.perf_counter()
    import numpy as np
    import asd
    from asd.detection import jacobian_pattern
    from cases.brusselator import Brusselator2D
    t1 = time.perf_counter()
    b = Brusselator2D({N})
    x = b.initial_state()
    P = jacobian_pattern(asd.trace(b.f, x))
    t2 = time.perf_counter()
    print(t1 - t0, t2 - t1, P.nnz)
    """
)


def cold_start(N: int) -> tuple[float, float, float]:
    """Fresh interpreter: (process wall time, import time, trace + detect time)."""
    wall, out = fresh_python(COLD.format(N=N))
    out = out.split()
    return wall, float(out[0]), float(out[1])


def import_floor() -> float:
    """Wall time of a process that only imports asd's dependencies (numpy, scipy, numba)."""
    runs = sorted(fresh_python("import numpy, scipy.sparse, numba")[0] for _ in range(3))
    return runs[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="small sizes only (CI smoke run)")
    add_quiet_option(ap)
    args = ap.parse_args()
    sizes = [6, 12, 24] if args.quick else [6, 12, 24, 48, 96, 192]
    cold_start(6)  # make sure the Numba cache is warm before measuring
    rows = []
    for N in progress(sizes, "detection", unit="size", label=lambda N: f"N={N}"):
        b = Brusselator2D(N)
        x = b.initial_state()
        tape = asd.trace(b.f, x)
        P = jacobian_pattern(tape)
        assert P.nnz == 12 * N * N, "the Brusselator pattern must have 12 N^2 nonzeros"
        t_trace = best_time(lambda b=b, x=x: asd.trace(b.f, x))
        t_detect = best_time(lambda tape=tape: jacobian_pattern(tape))
        t_hess = best_time(lambda tape=tape: hessian_pattern(tape))
        t_f = best_time(lambda b=b, x=x: b.f(x))
        wall, t_imp, t_first = cold_start(N)
        rows.append(
            {
                "N": N,
                "n": 2 * N * N,
                "nnz(J)": P.nnz,
                "tape nodes": tape.n_nodes,
                "linear terms": tape.lin_idx.size,
                "f(x) [ms]": f"{t_f * 1e3:.3f}",
                "trace [ms]": f"{t_trace * 1e3:.2f}",
                "Jacobian detection [ms]": f"{t_detect * 1e3:.2f}",
                "trace + detect [ms]": f"{(t_trace + t_detect) * 1e3:.2f}",
                "Hessian detection [ms]": f"{t_hess * 1e3:.2f}",
                "cold start [s]": f"{wall:.2f}",
                "cold: import [s]": f"{t_imp:.2f}",
                "cold: trace+detect [s]": f"{t_first:.3f}",
            }
        )
        say(rows[-1])
    cols = list(rows[0])
    text = header("Sparsity detection: 2-D Brusselator Jacobian")
    text += (
        "\nTimes are medians of repeated runs in one warm process (Numba compiled), except "
        "*cold start*: a fresh `python -c` process that imports asd, traces and detects "
        "(Numba's on-disk cache already warm; the one-time compilation is not included). "
        "`f(x)` is one numpy evaluation of the right-hand side for scale.\n\n"
    )
    text += markdown_table(rows, cols)
    floor = import_floor()
    text += (
        f"\nFor scale: a process that only imports numpy, scipy.sparse and numba takes "
        f"{floor:.2f} s on this machine.\n"
    )
    big = rows[-1]
    if big["N"] == 192:
        text += (
            "\nTargets at N = 192 (issue #2): detection ≤ 50 ms → "
            f"{big['Jacobian detection [ms]']} ms; trace + detect ≤ 150 ms → "
            f"{big['trace + detect [ms]']} ms; cold start ≤ 0.5 s → {big['cold start [s]']} s "
            f"(import {big['cold: import [s]']} s).\n"
        )
    path = write_results("detection", text, rows, cols)
    print(f"wrote {path}")


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"total {time.perf_counter() - start:.1f} s")
