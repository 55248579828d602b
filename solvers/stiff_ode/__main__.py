"""Integrate the 2-D Brusselator with asd Jacobians and print what it cost.

    python -m solvers.stiff_ode --n 64 --t-end 11.5 --method newton --rtol 1e-6

Methods: ``newton`` (BDF2, sparse LU of I - hγJ), ``gmres`` (BDF2, JVP + GMRES),
``bdf`` / ``radau`` (scipy.integrate.solve_ivp with the asd sparse Jacobian).
The forcing switches on at t = 1.1, which every method treats as a breakpoint.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from solvers._cli import prog_name, run

from .driver import METHODS, integrate
from .linear import ORDERINGS, resolve_ordering

#: the Brusselator's forcing switches on here: a discontinuity of rhs in t
FORCING_ON = 1.1


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m solvers.stiff_ode`` and the ``asd-stiff-ode`` script."""
    prog = prog_name("solvers.stiff_ode")
    ap = argparse.ArgumentParser(
        prog=prog, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--n", type=int, default=64, help="grid size N (state size 2 N^2; default 64)")
    ap.add_argument("--t-end", type=float, default=11.5, help="end time (default 11.5)")
    ap.add_argument(
        "--method",
        choices=METHODS,
        default="newton",
        help="BDF2 with sparse LU (newton), BDF2 with JVP + GMRES (gmres), or solve_ivp",
    )
    ap.add_argument("--rtol", type=float, default=1e-6, help="relative tolerance (default 1e-6)")
    ap.add_argument(
        "--atol", type=float, default=None, help="absolute tolerance (default rtol / 100)"
    )
    ap.add_argument(
        "--preconditioner",
        choices=("lu", "ilu"),
        default="lu",
        help="GMRES preconditioner (method gmres only)",
    )
    ap.add_argument(
        "--ordering",
        choices=ORDERINGS,
        default="auto",
        help="fill-reducing ordering of the sparse LU of I - hγJ (methods newton, and gmres "
        "with --preconditioner lu): METIS nested dissection (needs pymetis, the 'ode' "
        "extra), SuperLU's minimum degree on AᵀA+A (mmd) or its COLAMD, or MKL PARDISO "
        "instead of SuperLU (needs the 'pardiso' extra); auto (default) is metis when "
        "pymetis is installed, else mmd",
    )
    ap.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    args = ap.parse_args(argv)
    if args.n < 3:
        ap.error("--n must be at least 3")
    if args.t_end <= 0:
        ap.error("--t-end must be positive")
    if args.rtol <= 0 or (args.atol is not None and args.atol <= 0):
        ap.error("--rtol and --atol must be positive")
    return run(prog, lambda: solve(args), args.debug)


def solve(args: argparse.Namespace) -> int:
    """Integrate and print what it cost."""
    from cases.brusselator import Brusselator2D

    b = Brusselator2D(args.n)
    atol = args.atol if args.atol is not None else args.rtol / 100
    res, prep, deriv = integrate(
        b.rhs,
        b.f,
        (0.0, args.t_end),
        b.initial_state(),
        method=args.method,
        rtol=args.rtol,
        atol=atol,
        breakpoints=[FORCING_ON],
        preconditioner=args.preconditioner,
        ordering=args.ordering,
    )
    print(
        f"Brusselator N={b.N} (n={b.n}), t in [0, {args.t_end:g}], method {args.method}, "
        f"rtol {args.rtol:g}, atol {atol:g}"
    )
    if args.method == "newton" or (args.method == "gmres" and args.preconditioner == "lu"):
        print(f"sparse LU ordering: {resolve_ordering(args.ordering)}")
    print(
        f"asd Jacobian: {deriv.mode} mode, nnz {deriv.jac.nnz}, prepared in {prep:.3f} s "
        "(trace + detect)"
    )
    print(res.stats.summary())
    if args.method in ("bdf", "radau"):
        print("(solve_ivp factorises and solves internally: that time is in 'other')")
    print(f"final t {res.t:g}, ||y||_2 = {np.linalg.norm(res.y):.10g}")
    if not res.success:
        print(f"integration failed: {res.message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
