"""The Brusselator's Newton matrix: how fast SuperLU factorises it, and other sparse LUs.

Run: python benchmarks/sparse_lu.py [--n 192] [--repeat 5] [--quiet]
Writes benchmarks/results/sparse_lu.md and .csv.

W = I - hJ (h = 1e-3) from asd's Jacobian of the 2-D Brusselator at its initial state,
on one core (the BLAS and MKL thread counts are set to 1 before numpy loads). Per
solver: the one-time analysis (ordering, symbolic factorisation where the library has
one), the numeric factorisation of a matrix with that pattern (what every Newton step
pays), one solve, the entries of the factors and the factorisation's flops, and so its
rate in GFLOP/s, set against dense matrix products and a dense LU with the same BLAS.

SuperLU (scipy) runs with each ordering of ``solvers.stiff_ode.NewtonMatrixLU``. Peers,
each measured only when it imports (none is a dependency of asd): MKL PARDISO
(``pypardiso``, which brings the ``mkl`` wheels: about 280 MB to download), UMFPACK
(``cvxopt.umfpack``, SuiteSparse 4.4 with OpenBLAS) and MUMPS (``casadi.Linsol``).
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import scipy.linalg as sla_dense  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from _report import (  # noqa: E402
    add_quiet_option,
    fastest_time,
    header,
    markdown_table,
    say,
    write_results,
)

from cases.brusselator import Brusselator2D  # noqa: E402
from solvers.stiff_ode import AsdDerivatives, NewtonMatrixLU  # noqa: E402
from solvers.stiff_ode.linear import installed_orderings  # noqa: E402

H = 1e-3


def lu_flops(L, U) -> float:
    """Flops of the LU that produced ``L`` (unit diagonal stored) and ``U``: per pivot k,
    l_k divisions and 2 l_k u_k multiply-adds (l_k, u_k: entries below / right of it)."""
    lk = np.diff(sp.csc_array(L).indptr) - 1
    uk = np.diff(sp.csr_array(U).indptr) - 1
    return float(np.sum(lk + 2.0 * lk * uk))


def superlu_rows(J, r, repeat):
    rows = []
    for o in [o for o in installed_orderings() if o != "pardiso"]:  # PARDISO: its own row
        lu = NewtonMatrixLU(o)
        analysis = fastest_time(lambda lu=lu: lu.analyse(J), repeat=min(repeat, 3))
        fac = lu.factorize(J, H)
        numeric = fastest_time(lambda lu=lu: lu.factorize(J, H), repeat=repeat)
        solve = fastest_time(lambda fac=fac: fac.solve(r), repeat=repeat)
        flops = lu_flops(fac.lu.L, fac.lu.U)
        rows.append(row(f"SuperLU ({o})", analysis, numeric, solve, fac.nnz, flops))
    return rows


def pardiso_row(W, r, repeat):
    try:
        import pypardiso
    except Exception as exc:  # noqa: BLE001 - a peer that does not load is reported
        return missing("MKL PARDISO (pypardiso)", exc)
    A = sp.csr_matrix(W)
    A.sort_indices()
    solver = pypardiso.PyPardisoSolver()
    solver.set_iparm(19, -1)  # report the factorisation's MFLOP in iparm(19)

    def phase(p):
        solver.set_phase(p)
        return solver._call_pardiso(A, np.zeros((A.shape[0], 1)))

    analysis = fastest_time(lambda: phase(11), repeat=min(repeat, 3))
    numeric = fastest_time(lambda: phase(22), repeat=repeat)
    solver.set_phase(33)
    solve = fastest_time(lambda: solver._call_pardiso(A, r.reshape(-1, 1)), repeat=repeat)
    x = solver._call_pardiso(A, r.reshape(-1, 1)).ravel()
    check(W, x, r)
    nnz, mflop = int(solver.iparm[17]), float(solver.iparm[18])
    return row("MKL PARDISO (pypardiso, its METIS)", analysis, numeric, solve, nnz, mflop * 1e6)


def umfpack_row(W, r, repeat):
    try:
        import cvxopt
        import cvxopt.umfpack as umfpack
    except Exception as exc:  # noqa: BLE001
        return missing("UMFPACK (cvxopt)", exc)
    C = sp.coo_array(W)
    A = cvxopt.spmatrix(C.data.tolist(), C.row.tolist(), C.col.tolist(), C.shape)
    analysis = fastest_time(lambda: umfpack.symbolic(A), repeat=min(repeat, 3))
    Fs = umfpack.symbolic(A)
    numeric = fastest_time(lambda: umfpack.numeric(A, Fs), repeat=repeat)
    Fn = umfpack.numeric(A, Fs)

    def solve():
        B = cvxopt.matrix(r.copy())
        umfpack.solve(A, Fn, B)
        return np.array(B).ravel()

    check(W, solve(), r)
    solve_time = fastest_time(solve, repeat=repeat)
    return row("UMFPACK (cvxopt, its own ordering)", analysis, numeric, solve_time)


def mumps_row(W, r, repeat):
    try:
        import casadi as ca
    except Exception as exc:  # noqa: BLE001
        return missing("MUMPS (casadi)", exc)
    W = sp.csc_array(W)
    n = W.shape[0]
    pattern = ca.Sparsity(n, n, W.indptr.tolist(), W.indices.tolist())
    A = ca.DM(pattern, W.data.tolist())
    ls = ca.Linsol("ls", "mumps", pattern)
    # sfact does nothing here (MUMPS analyses inside nfact), and solve(A, b) from Python
    # factorises again before it solves: only the factorisation is timed
    numeric = fastest_time(lambda: ls.nfact(A), repeat=repeat)
    check(W, np.array(ls.solve(A, ca.DM(r))).ravel(), r)
    return row("MUMPS 5.8 (casadi, its own ordering; analysis included)", None, numeric, None)


def check(W, x, r) -> None:
    res = np.linalg.norm(W @ x - r) / np.linalg.norm(r)
    if not res <= 1e-10:
        raise RuntimeError(f"relative residual {res:.1e}")


def row(name, analysis, numeric, solve, nnz=None, flops=None) -> dict:
    out = {
        "solver": name,
        "analysis [s]": "" if analysis is None else f"{analysis:.3f}",
        "numeric factorisation [s]": f"{numeric:.3f}",
        "solve [s]": "" if solve is None else f"{solve:.4f}",
        "factor entries [M]": f"{nnz / 1e6:.2f}" if nnz else "",
        "flops [G]": f"{flops / 1e9:.2f}" if flops else "",
        "GFLOP/s": f"{flops / numeric / 1e9:.1f}" if flops else "",
    }
    say(out)
    return out


def missing(name, exc) -> dict:
    return {"solver": name, "analysis [s]": f"not measured ({type(exc).__name__}: {exc})"}


def dense_rates(repeat) -> dict:
    rng = np.random.default_rng(0)
    out = {}
    for m in (500, 2000):
        A, B = rng.random((m, m)), rng.random((m, m))
        out[f"dgemm {m}"] = 2.0 * m**3 / fastest_time(lambda A=A, B=B: A @ B, repeat) / 1e9
        out[f"dense LU {m}"] = (
            2.0 / 3.0 * m**3 / fastest_time(lambda A=A: sla_dense.lu_factor(A), repeat) / 1e9
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=192, help="grid size N (default 192)")
    ap.add_argument("--repeat", type=int, default=5, help="samples per time (default 5)")
    add_quiet_option(ap)
    args = ap.parse_args()
    b = Brusselator2D(args.n)
    x = b.initial_state()
    d = AsdDerivatives(b.f, x)
    J = d.matrix(x)
    W = (sp.eye_array(b.n, format="csr") - H * J).tocsc()
    r = H * b.f(x)
    t0 = time.perf_counter()
    rows = superlu_rows(J, r, args.repeat)
    rows += [f(W, r, args.repeat) for f in (pardiso_row, umfpack_row, mumps_row)]
    dense = dense_rates(args.repeat)
    cols = [
        "solver", "analysis [s]", "numeric factorisation [s]", "solve [s]",
        "factor entries [M]", "flops [G]", "GFLOP/s",
    ]  # fmt: skip
    text = header(
        f"Sparse LU of the Brusselator's Newton matrix, N = {args.n}",
        packages=("numpy", "scipy", "pymetis", "pypardiso", "mkl", "cvxopt", "casadi"),
    )
    text += (
        f"\nW = I - hJ, h = {H:g}, n = {b.n}, {W.nnz} entries, from asd's Jacobian at the "
        "initial state. One core: OPENBLAS_NUM_THREADS = MKL_NUM_THREADS = 1. Fastest of "
        f"{args.repeat} samples each. *analysis* is paid once per pattern (SuperLU: the "
        "ordering and the index map of `NewtonMatrixLU`; the others: their symbolic "
        "phase); *numeric factorisation* is what every Newton step pays (SuperLU: "
        "gathering J's values into the permuted matrix and `splu`); *flops* count the "
        "factorisation's divisions and multiply-adds from the factors' pattern (SuperLU) "
        "or as the library reports them (PARDISO: iparm(19)).\n\n"
    )
    text += markdown_table(rows, cols)
    text += (
        "\nUMFPACK and MUMPS report no flop count through these interfaces; casadi's "
        "`Linsol` runs MUMPS's analysis inside each numeric factorisation and factorises "
        "again in every `solve` call, so its solve alone is not measured.\n"
    )
    text += (
        "\nDense kernels with the same numpy / scipy BLAS on this machine (one core), "
        "GFLOP/s: "
        + ", ".join(f"{k} {v:.1f}" for k, v in dense.items())
        + f".\n\nTotal {time.perf_counter() - t0:.0f} s.\n"
    )
    path = write_results("sparse_lu", text, rows, cols)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
