"""Prepared and one-off sparse derivatives, side by side with CasADi and scipy.

Run: python benchmarks/evaluation.py [--quick] [--quiet]
Writes benchmarks/results/evaluation.md and .csv.

- Brusselator Jacobian (N = 48, 96, 192): asd prepared J(x) against CasADi SX
  (``Function`` of ``jacobian``, evaluated through its buffer API, so no Python
  conversion is timed) and against one numpy evaluation of f(x); one-off exact J
  (trace + detect + colour + evaluate) against scipy's finite differences with
  ``jac_sparsity`` (grouping + evaluation).
- Rosenbrock Hessians (extended and chained, n = 10^4, 10^5): asd prepared H(x)
  against CasADi SX ``hessian``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np  # noqa: E402
from _casadi_acopf import buffer_evaluator  # noqa: E402
from _report import (  # noqa: E402
    add_quiet_option,
    best_time,
    header,
    interleaved_times,
    markdown_table,
    progress,
    say,
    write_results,
)
from scipy.optimize._numdiff import approx_derivative  # noqa: E402

import asd  # noqa: E402
from cases.brusselator import A, B, Brusselator2D  # noqa: E402

try:
    import casadi as ca
except ImportError:  # a missing peer is reported, not faked
    ca = None


def casadi_brusselator_jacobian(b: Brusselator2D):
    """CasADi SX Jacobian of the same right-hand side, and a buffer evaluator."""
    N, n = b.N, b.n
    x = ca.SX.sym("x", n)
    u, v = x[0::2], x[1::2]
    grid = np.arange(N * N).reshape(N, N)

    def nb(di, dj):
        return np.roll(grid, (-di, -dj), axis=(0, 1)).ravel().tolist()

    def lap(w):
        return w[nb(1, 0)] + w[nb(-1, 0)] + w[nb(0, 1)] + w[nb(0, -1)] - 4 * w

    uuv = u * u * v
    du = B + uuv - (A + 1.0) * u + b.alpha * lap(u)
    dv = A * u - uuv + b.alpha * lap(v)
    perm = np.empty(n, dtype=int)
    perm[0::2] = np.arange(N * N)
    perm[1::2] = N * N + np.arange(N * N)
    F = ca.vertcat(du, dv)[perm.tolist()]
    J = ca.jacobian(F, x)
    return buffer_evaluator(ca.Function("J", [x], [J]), n, J.nnz())


def casadi_hessian(kind: str, n: int):
    x = ca.SX.sym("x", n)
    if kind == "extended":
        a, c = x[0::2], x[1::2]
        f = ca.sum1(100.0 * (c - a**2) ** 2 + (1.0 - a) ** 2)
    else:
        f = ca.sum1(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)
    H, _ = ca.hessian(f, x)
    return buffer_evaluator(ca.Function("H", [x], [H]), n, H.nnz())


def extended_rosenbrock(x):
    a, c = x[0::2], x[1::2]
    return np.sum(100.0 * (c - a**2) ** 2 + (1.0 - a) ** 2)


def chained_rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def jacobian_rows(sizes) -> list[dict]:
    rows = []
    for N in progress(sizes, "Brusselator Jacobian", unit="size", label=lambda N: f"N={N}"):
        b = Brusselator2D(N)
        x = b.initial_state() + 0.1
        J = asd.jacobian(b.f, x, format="csr")
        ref = b.jacobian(0.0, x)
        assert abs(J(x) - ref).max() <= 1e-12 * abs(ref).max()
        pattern = b.jacobian_sparsity()
        cj = None
        if ca is not None:
            t0 = time.perf_counter()
            cj = casadi_brusselator_jacobian(b)
            t_build = time.perf_counter() - t0
        prepared = {"asd": lambda J=J, x=x: J.values(x), "f": lambda b=b, x=x: b.f(x)}
        if cj is not None:
            prepared["casadi"] = lambda cj=cj, x=x: cj(x)
        t = interleaved_times(prepared)
        t_prep, t_f = t["asd"], t["f"]
        one_off = interleaved_times(
            {
                "asd": lambda b=b, x=x: asd.jacobian(b.f, x, format="csr")(x),
                "fd": lambda b=b, x=x, p=pattern: approx_derivative(
                    b.f, x, method="2-point", sparsity=p
                ),
            },
            repeat=5,
            min_time=0.0,
        )
        t_oneoff, t_fd = one_off["asd"], one_off["fd"]
        fd = approx_derivative(b.f, x, method="2-point", sparsity=pattern)
        fd_err = abs(sp_csr(fd) - ref).max() / abs(ref).max()
        row = {
            "N": N,
            "n": b.n,
            "nnz": J.nnz,
            "asd mode": J.mode,
            "f(x) [ms]": f"{t_f * 1e3:.3f}",
            "asd prepared J [ms]": f"{t_prep * 1e3:.3f}",
            "J / f(x)": f"{t_prep / t_f:.2f}",
            "asd one-off J [ms]": f"{t_oneoff * 1e3:.1f}",
            "scipy FD+sparsity [ms]": f"{t_fd * 1e3:.1f}",
            "FD / asd one-off": f"{t_fd / t_oneoff:.2f}",
            "FD rel. error": f"{fd_err:.1e}",
        }
        if cj is not None:
            t_ca = t["casadi"]
            row["CasADi build [s]"] = f"{t_build:.2f}"
            row["CasADi J [ms]"] = f"{t_ca * 1e3:.3f}"
            row["asd / CasADi"] = f"{t_prep / t_ca:.2f}"
        else:
            row["CasADi J [ms]"] = "casadi not installed"
        rows.append(row)
        say(row)
    return rows


def sp_csr(M):
    import scipy.sparse as sp

    return sp.csr_array(M)


def hessian_rows(sizes) -> list[dict]:
    rows = []
    runs = [
        (kind, fun, n)
        for kind, fun in (("extended", extended_rosenbrock), ("chained", chained_rosenbrock))
        for n in sizes
    ]
    for kind, fun, n in progress(
        runs, "Rosenbrock Hessians", unit="case", label=lambda r: f"{r[0]}, n={r[2]}"
    ):
        x = np.random.default_rng(n).random(n)
        H = asd.hessian(fun, x, format="csr")
        ch = None
        if ca is not None:
            t0 = time.perf_counter()
            ch = casadi_hessian(kind, n)
            t_build = time.perf_counter() - t0
        prepared = {"asd": lambda H=H, x=x: H.values(x)}
        if ch is not None:
            prepared["casadi"] = lambda ch=ch, x=x: ch(x)
        t = interleaved_times(prepared)
        t_prep = t["asd"]
        t_oneoff = best_time(lambda fun=fun, x=x: asd.hessian(fun, x, format="csr")(x), repeat=3)
        row = {
            "function": f"{kind} Rosenbrock",
            "n": n,
            "nnz": H.nnz,
            "colours": H.ncolors,
            "asd mode": H.mode,
            "asd prepared H [ms]": f"{t_prep * 1e3:.3f}",
            "asd one-off H [ms]": f"{t_oneoff * 1e3:.1f}",
        }
        if ch is not None:
            t_ca = t["casadi"]
            row["CasADi build [s]"] = f"{t_build:.2f}"
            row["CasADi H [ms]"] = f"{t_ca * 1e3:.3f}"
            row["asd / CasADi"] = f"{t_prep / t_ca:.2f}"
        else:
            row["CasADi H [ms]"] = "casadi not installed"
        rows.append(row)
        say(row)
    return rows


def thread_rows(quick: bool) -> list[dict]:
    """Compressed sweeps on one thread and on two (seed columns split between them)."""
    from asd.evaluation import workspace

    N = 48 if quick else 192
    b = Brusselator2D(N)
    x = b.initial_state() + 0.1
    n = 1000 if quick else 100_000
    xr = np.random.default_rng(n).random(n)
    cases = [
        (
            f"Brusselator J, N = {N}, forward colouring",
            lambda: asd.jacobian(b.f, x, mode="forward", format="csr"),
            x,
        ),
        (
            f"chained Rosenbrock H, n = {n}, star colouring",
            lambda: asd.hessian(chained_rosenbrock, xr, mode="colored", format="csr"),
            xr,
        ),
    ]
    rows = []
    for label, make, point in progress(cases, "two threads", unit="case", label=lambda c: c[0]):
        D = make()
        times = {}
        for threads in (1, 2):
            owner = getattr(D, "engine", D)  # a Hessian's sweeps run in its engine
            owner._workspace = workspace.Workspace(D.tape, threads)
            D.values(point)
            times[threads] = best_time(lambda D=D, p=point: D.values(p))
        rows.append(
            {
                "sweep": label,
                "colours": D.ncolors,
                "1 thread [ms]": f"{times[1] * 1e3:.3f}",
                "2 threads [ms]": f"{times[2] * 1e3:.3f}",
                "speed-up": f"{times[1] / times[2]:.2f}",
            }
        )
        say(rows[-1])
    return rows


def caller_rows(quick: bool) -> list[dict]:
    """One prepared object evaluated by one caller thread and by two at once (each thread
    its own points and work arrays): throughput, and bit-identity with sequential calls."""
    from concurrent.futures import ThreadPoolExecutor

    N = 48 if quick else 192
    b = Brusselator2D(N)
    pts = [b.initial_state() + 0.1 * k for k in range(4)]
    n = 1000 if quick else 100_000
    rng = np.random.default_rng(n)
    pts_r = [rng.random(n) for _ in range(4)]
    cases = [
        (f"Brusselator J, N = {N}, direct", asd.jacobian(b.f, pts[0], format="csr"), pts),
        (
            f"Brusselator J, N = {N}, forward colouring",
            asd.jacobian(b.f, pts[0], mode="forward", format="csr"),
            pts,
        ),
        (
            f"chained Rosenbrock H, n = {n}",
            asd.hessian(chained_rosenbrock, pts_r[0], format="csr"),
            pts_r,
        ),
    ]
    rows = []
    calls = 8 if quick else 40
    for label, D, xs in progress(cases, "two callers", unit="case", label=lambda c: c[0]):
        reference = [D.values(x) for x in xs]

        def batch(k: int, D=D, xs=xs, reference=reference) -> bool:
            return all(
                np.array_equal(D.values(xs[(k + i) % len(xs)]), reference[(k + i) % len(xs)])
                for i in range(calls)
            )

        with ThreadPoolExecutor(2) as pool:

            def two(pool=pool, batch=batch) -> bool:
                return all(pool.map(batch, (0, 1)))

            t = interleaved_times({"one": lambda: batch(0), "two": two}, repeat=5)
            one_t, two_t = t["one"], t["two"]
            same = batch(0) and two()
        rows.append(
            {
                "object": label,
                "1 caller [calls/s]": f"{calls / one_t:.0f}",
                "2 callers [calls/s]": f"{2 * calls / two_t:.0f}",
                "throughput ratio": f"{2 * one_t / two_t:.2f}",
                "bit-identical": "yes" if same else "NO",
            }
        )
        say(rows[-1])
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="small sizes only (CI smoke run)")
    add_quiet_option(ap)
    args = ap.parse_args()
    jac = jacobian_rows([12, 24] if args.quick else [48, 96, 192])
    hes = hessian_rows([1000] if args.quick else [10_000, 100_000])
    thr = thread_rows(args.quick)
    con = caller_rows(args.quick)
    text = header("Prepared and one-off sparse derivatives", ("numpy", "scipy", "numba", "casadi"))
    text += (
        "\nMedians of repeated runs, one process, Numba compiled; quantities compared in one "
        "row (asd, f(x), CasADi; asd one-off, FD) are sampled in alternating rounds so a load "
        "change on the machine affects them alike. *prepared*: the derivative "
        "object exists, one evaluation is timed. *one-off*: trace + detect + colour or "
        "plan + evaluate. CasADi is timed through its buffer API (no Python conversion); its "
        "symbolic build time is listed separately. Ratios below 1 favour asd.\n\n"
        "## Brusselator Jacobian\n\n"
    )
    text += markdown_table(jac, list(dict.fromkeys(k for r in jac for k in r)))
    text += "\n## Rosenbrock Hessians\n\n"
    text += markdown_table(hes, list(dict.fromkeys(k for r in hes for k in r)))
    text += (
        "\n## Two threads\n\nThe seed columns of a compressed sweep split between two threads "
        "(`ASD_THREADS=2`; kernels release the GIL); same derivative object, same point.\n\n"
    )
    text += markdown_table(thr, list(dict.fromkeys(k for r in thr for k in r)))
    text += (
        "\n## Concurrent callers\n\nOne prepared object called from one thread, then from "
        "two threads at once (each thread has its own work arrays; the kernels release the "
        "GIL): evaluations per second, and whether every result equals the sequential one "
        "bit for bit.\n\n"
    )
    text += markdown_table(con, list(dict.fromkeys(k for r in con for k in r)))
    cols = list(dict.fromkeys(k for r in jac + hes + thr + con for k in r))
    path = write_results("evaluation", text, jac + hes + thr + con, cols)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
