"""One entry point for the four ways of integrating ``y' = rhs(t, y)`` with asd."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np

from .derivatives import AsdDerivatives
from .integrators import BDF2, OdeResult
from .linear import DirectNewtonSolver, KrylovNewtonSolver, resolve_ordering
from .scipy_ivp import solve_with_scipy
from .stats import SolverStats

#: ``newton``: BDF2 + sparse LU; ``gmres``: BDF2 + JVP/GMRES; ``bdf``/``radau``: solve_ivp
METHODS = ("newton", "gmres", "bdf", "radau")


def integrate(
    rhs: Callable,
    f: Callable,
    t_span: tuple[float, float],
    y0,
    *,
    method: str = "newton",
    rtol: float = 1e-6,
    atol: float = 1e-8,
    breakpoints: Sequence[float] = (),
    jac_mode: str = "auto",
    preconditioner: str = "lu",
    ordering: str = "auto",
) -> tuple[OdeResult, float, AsdDerivatives]:
    """Prepare the asd Jacobian of ``f`` (the y-dependence of ``rhs``) at ``y0`` and
    integrate. Returns (result, preparation time in s, the derivatives object).

    ``ordering`` is the fill-reducing ordering of the sparse LU of ``I - hγJ`` (method
    ``newton``, and ``gmres`` with the ``lu`` preconditioner): one of
    :data:`~solvers.stiff_ode.linear.ORDERINGS`; solve_ivp orders its own LU."""
    if method not in METHODS:
        raise ValueError(f"stiff_ode: method must be one of {METHODS}, not {method!r}")
    resolve_ordering(ordering)  # an unknown ordering or missing pymetis fails before tracing
    y0 = np.asarray(y0, dtype=np.float64).ravel()
    t0 = time.perf_counter()
    deriv = AsdDerivatives(f, y0, mode=jac_mode)
    prep = time.perf_counter() - t0
    if method in ("bdf", "radau"):
        res = solve_with_scipy(
            rhs,
            t_span,
            y0,
            method=method.upper() if method == "bdf" else "Radau",
            jac=deriv.matrix,
            rtol=rtol,
            atol=atol,
            breakpoints=breakpoints,
        )
        return res, prep, deriv
    stats = SolverStats()
    if method == "newton":
        solver = DirectNewtonSolver(deriv, stats, ordering=ordering)
    else:
        solver = KrylovNewtonSolver(deriv, stats, preconditioner=preconditioner, ordering=ordering)
    res = BDF2(rhs, solver, rtol=rtol, atol=atol).integrate(t_span, y0, breakpoints=breakpoints)
    return res, prep, deriv
