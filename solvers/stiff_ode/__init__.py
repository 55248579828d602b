"""Stiff ODE integration with asd sparse Jacobians.

* :class:`BDF2` — variable-step BDF2 with error control; its Newton matrix ``I - hγJ``
  is either factorised by sparse LU (:class:`DirectNewtonSolver`) or applied
  matrix-free through asd JVPs inside preconditioned GMRES (:class:`KrylovNewtonSolver`).
* :func:`solve_with_scipy` — ``scipy.integrate.solve_ivp`` (BDF / Radau) with the
  asd Jacobian, finite differences on the pattern, or dense finite differences.
* :func:`integrate` — one call for all four, used by the CLI and the benchmark.

Run ``python -m solvers.stiff_ode --help`` for the Brusselator command line.
"""

from .derivatives import AsdDerivatives, prepare_jacobian
from .driver import METHODS, integrate
from .integrators import BDF2, OdeResult
from .linear import (
    ORDERINGS,
    DirectNewtonSolver,
    KrylovNewtonSolver,
    LinearSolveError,
    NewtonMatrixLU,
)
from .scipy_ivp import solve_with_scipy
from .stats import SolverStats

__all__ = [
    "BDF2",
    "METHODS",
    "ORDERINGS",
    "AsdDerivatives",
    "DirectNewtonSolver",
    "KrylovNewtonSolver",
    "LinearSolveError",
    "NewtonMatrixLU",
    "OdeResult",
    "SolverStats",
    "integrate",
    "prepare_jacobian",
    "solve_with_scipy",
]
