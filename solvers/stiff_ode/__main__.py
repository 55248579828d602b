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

from .driver import METHODS, integrate

#: the Brusselator's forcing switches on here: a discontinuity of rhs in t
FORCING_ON = 1.1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m solvers.stiff_ode",
        description="2-D Brusselator with asd sparse Jacobians.",
    )
    ap.add_argument("--n", type=int, default=64, help="grid size N (state size 2 N^2)")
    ap.add_argument("--t-end", type=float, default=11.5)
    ap.add_argument("--method", choices=METHODS, default="newton")
    ap.add_argument("--rtol", type=float, default=1e-6)
    ap.add_argument("--atol", type=float, default=None, help="default: rtol / 100")
    ap.add_argument(
        "--preconditioner",
        choices=("lu", "ilu"),
        default="lu",
        help="GMRES preconditioner (method gmres only)",
    )
    args = ap.parse_args(argv)
    if args.n < 3:
        ap.error("--n must be at least 3")
    if args.t_end <= 0:
        ap.error("--t-end must be positive")
    try:
        from cases.brusselator import Brusselator2D
    except ModuleNotFoundError as exc:
        print(f"error: the Brusselator case is not available ({exc})", file=sys.stderr)
        return 2
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
    )
    print(
        f"Brusselator N={b.N} (n={b.n}), t in [0, {args.t_end:g}], method {args.method}, "
        f"rtol {args.rtol:g}, atol {atol:g}"
    )
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
