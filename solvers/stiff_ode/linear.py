"""Solvers for the Newton systems ``(I - c J) d = r`` of an implicit step (c = h·γ).

Two strategies with one interface, so the integrator's refresh policy is shared:

* :class:`DirectNewtonSolver` assembles ``W = I - c J`` from the asd sparse Jacobian
  and factorises it with SuperLU (``splu``). The factorisation is reused across Newton
  iterations and steps (a *simplified* Newton method) until the integrator asks for a
  new one.
* :class:`KrylovNewtonSolver` never forms the Newton matrix of the current iterate: it
  applies ``v -> v - c J(y) v`` through asd forward sweeps (JVPs on the traced tape)
  inside GMRES, so each Newton iteration uses the exact Jacobian at the current
  iterate (an inexact Newton method). GMRES is preconditioned by a factorisation of an
  *occasionally* assembled ``I - c' J(y')`` (stale state and step size).

Ordering: the Newton matrix of a grid problem is structurally symmetric, and SuperLU's
minimum degree on ``AᵀA + A`` gives about half the fill of its default COLAMD there
(measured on the 2-D Brusselator at N = 192: 10.4 M vs 23.2 M factor entries, 1.4 s vs
3.9 s), hence ``permc_spec="MMD_AT_PLUS_A"``.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as sla

from .derivatives import AsdDerivatives
from .stats import SolverStats

PERMC_SPEC = "MMD_AT_PLUS_A"


class LinearSolveError(RuntimeError):
    """A Newton system could not be solved to the requested accuracy (GMRES stalled)."""


class _NewtonSolverBase:
    """Shared state: the Jacobian kept for the factorisation and the ``c`` it used."""

    def __init__(self, deriv: AsdDerivatives, stats: SolverStats):
        self.deriv = deriv
        self.stats = stats
        self.J = None
        self.c_factored: float | None = None
        self.n = deriv.n

    def evaluate_jacobian(self, y: np.ndarray) -> None:
        """Evaluate and keep the exact sparse Jacobian at ``y``."""
        with self.stats.timer("jac"):
            self.J = self.deriv.matrix(y)
        self.stats.jac_evals += 1

    def newton_matrix(self, c: float):
        """``I - c J`` (CSC) from the kept Jacobian."""
        return (sp.eye_array(self.n, format="csr") - c * self.J).tocsc()

    def factorize(self, c: float) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def solve(self, r: np.ndarray, y: np.ndarray, c: float) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError


class DirectNewtonSolver(_NewtonSolverBase):
    """``(I - c J) d = r`` by a reused sparse LU factorisation of ``I - c_f J(y_J)``."""

    def factorize(self, c: float) -> None:
        if self.J is None:
            raise RuntimeError("stiff_ode: evaluate the Jacobian before factorising")
        with self.stats.timer("factor"):
            self.lu = sla.splu(self.newton_matrix(c), permc_spec=PERMC_SPEC)
        self.c_factored = c
        self.stats.factorizations += 1

    def solve(self, r: np.ndarray, y: np.ndarray, c: float) -> np.ndarray:
        """Solve with the kept factorisation (``y`` and ``c`` are not used: simplified
        Newton; the integrator refactorises when ``c`` drifts too far)."""
        with self.stats.timer("solve"):
            d = self.lu.solve(r)
        self.stats.linear_solves += 1
        return d


class KrylovNewtonSolver(_NewtonSolverBase):
    """``(I - c J(y)) d = r`` by GMRES with JVP products and a stale preconditioner.

    ``preconditioner``: ``"lu"`` (default) uses a sparse LU of an occasionally assembled
    Newton matrix: it is exact when fresh and degrades gracefully as the state and
    step size move, so GMRES needs a handful of iterations and the factorisation is
    amortised over many steps. ``"ilu"`` uses SuperLU's incomplete LU
    (``drop_tol``): cheaper to build, but on the Brusselator's stiff 2-D diffusion it
    needs tens to hundreds of iterations at N ≥ 96, each costing a JVP (about two
    evaluations of f), so it loses overall there; it is kept for comparison.
    """

    def __init__(
        self,
        deriv: AsdDerivatives,
        stats: SolverStats,
        *,
        preconditioner: str = "lu",
        rtol: float = 1e-3,
        maxiter: int = 40,
        drop_tol: float = 1e-4,
    ):
        super().__init__(deriv, stats)
        if preconditioner not in ("lu", "ilu"):
            raise ValueError(
                f"stiff_ode: preconditioner must be 'lu' or 'ilu', not {preconditioner!r}"
            )
        self.kind = preconditioner
        self.rtol = rtol
        self.maxiter = maxiter
        self.drop_tol = drop_tol
        self.last_iters = 0

    def factorize(self, c: float) -> None:
        if self.J is None:
            raise RuntimeError("stiff_ode: evaluate the Jacobian before factorising")
        with self.stats.timer("factor"):
            W = self.newton_matrix(c)
            if self.kind == "lu":
                fac = sla.splu(W, permc_spec=PERMC_SPEC)
            else:
                fac = sla.spilu(W, drop_tol=self.drop_tol, permc_spec=PERMC_SPEC)
        self.M = sla.LinearOperator((self.n, self.n), matvec=fac.solve, dtype=np.float64)
        self.c_factored = c
        self.stats.factorizations += 1

    def solve(self, r: np.ndarray, y: np.ndarray, c: float) -> np.ndarray:
        """GMRES on the exact Newton matrix at the iterate ``y``; raises
        :class:`LinearSolveError` if it does not reach ``rtol`` in ``maxiter``."""
        stats = self.stats

        def matvec(v):
            with stats.timer("jvp"):
                jv = self.deriv.jvp(y, np.ravel(v))
            stats.jvps += 1
            return np.ravel(v) - c * jv

        A = sla.LinearOperator((self.n, self.n), matvec=matvec, dtype=np.float64)
        count = [0]

        def callback(_):
            count[0] += 1

        with stats.timer("solve"):
            d, info = sla.gmres(
                A,
                r,
                rtol=self.rtol,
                atol=0.0,
                restart=self.maxiter,
                maxiter=1,
                M=self.M,
                callback=callback,
                callback_type="pr_norm",
            )
        self.last_iters = count[0]
        stats.krylov_iters += count[0]
        stats.linear_solves += 1
        if info != 0:
            raise LinearSolveError(
                f"stiff_ode: GMRES did not reach rtol={self.rtol:g} in {self.maxiter} "
                "iterations (preconditioner too stale)"
            )
        return d
