"""A variable-step BDF2 integrator with error control and a lazy Newton matrix.

Method (what it computes and why)
---------------------------------
Second-order BDF with variable steps. With ``ω = h_n / h_{n-1}`` the step from
``t_n`` to ``t_{n+1} = t_n + h_n`` solves

    y_{n+1} - a1 y_n + a2 y_{n-1} = h_n γ f(t_{n+1}, y_{n+1}),
    a1 = (1+ω)²/(1+2ω),  a2 = ω²/(1+2ω),  γ = (1+ω)/(1+2ω),

which is A-stable at ω = 1 and zero-stable for ω < 1 + √2 (step growth is capped at 2).
The first step, and the first step after each breakpoint (a discontinuity in t, like
the Brusselator's forcing switching on), is backward Euler (a1 = 1, a2 = 0, γ = 1).

Error estimate (Milne's device). The predictor is the quadratic through
``(t_{n-1}, y_{n-1})``, ``(t_n, y_n)`` with slope ``y'_n`` at ``t_n``; its error and
BDF2's are both ``C h³ y'''`` with C = -(1+ω)/(6ω) and (1+ω)²/(6ω(1+2ω)), so

    err ≈ (1+ω)/(2+3ω) · (y_{n+1} - y_pred)

(for backward Euler with the explicit Euler predictor: err ≈ (y_{n+1} - y_pred)/2).
``y'_n`` comes from the BDF formula itself, ``(y_n - ψ)/(hγ)``, so it costs no extra
evaluation of f. Steps are accepted when the RMS norm of err weighted by
``atol + rtol·|y|`` is ≤ 1; the next step is ``h·clip(0.9·err^(-1/(p+1)), 0.2, 2)``,
kept unchanged when the factor is in [1, 1.2) so the Newton matrix can be reused.

Newton iteration and refresh policy. Each step solves ``G(y) = y - ψ - hγ f(t, y) = 0``
with the Newton matrix ``I - cJ`` (c = hγ) supplied by a solver from
:mod:`solvers.stiff_ode.linear`. The matrix is refactorised only when

* ``c`` moved by more than ``refactor_threshold`` (relative) from the factorised value,
* a Newton iteration failed (diverged, would not converge in ``newton_maxiter``, or
  GMRES stalled): first the Jacobian is re-evaluated at y_n if it is older than this
  step, then the factorisation is refreshed at the current c, and only then is h halved,
* convergence was slow (contraction rate > ``slow_rate``, or GMRES needing many
  iterations): after one slow step the matrix is refactorised at the next step; the
  Jacobian is re-evaluated only when convergence stays slow for a second step.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .linear import LinearSolveError
from .stats import SolverStats

EPS = np.finfo(float).eps


@dataclass
class OdeResult:
    """Final time and state of an integration, and its statistics."""

    t: float
    y: np.ndarray
    stats: SolverStats
    success: bool
    message: str


def _rms(v: np.ndarray) -> float:
    return float(np.sqrt(np.mean(v * v))) if v.size else 0.0


class BDF2:
    """Variable-step BDF2 for ``y' = rhs(t, y)`` using a Newton solver from ``linear``.

    ``solver`` provides ``evaluate_jacobian(y)``, ``factorize(c)``, ``solve(r, y, c)``
    and ``c_factored``; its :class:`SolverStats` is the one this integrator fills.
    """

    def __init__(
        self,
        rhs: Callable,
        solver,
        *,
        rtol: float = 1e-6,
        atol: float = 1e-8,
        refactor_threshold: float = 0.2,
        newton_maxiter: int = 4,
        slow_rate: float = 0.3,
        krylov_slow: int = 10,
        max_steps: int = 200_000,
    ):
        if rtol <= 0 or atol < 0:
            raise ValueError(f"stiff_ode: need rtol > 0 and atol >= 0, got {rtol}, {atol}")
        self.rhs = rhs
        self.solver = solver
        self.stats: SolverStats = solver.stats
        self.rtol, self.atol = float(rtol), float(atol)
        self.refactor_threshold = refactor_threshold
        self.newton_maxiter = newton_maxiter
        self.slow_rate = slow_rate
        self.krylov_slow = krylov_slow
        self.max_steps = max_steps
        # Newton stopping tolerance in the weighted norm (well below the error test)
        self.newton_tol = max(10 * EPS / self.rtol, min(0.03, self.rtol**0.5))

    # -- pieces -----------------------------------------------------------------------
    def _f(self, t: float, y: np.ndarray) -> np.ndarray:
        with self.stats.timer("f"):
            out = np.asarray(self.rhs(t, y), dtype=np.float64).ravel()
        self.stats.f_evals += 1
        return out

    def _initial_step(self, t: float, y: np.ndarray, yp: np.ndarray, span: float) -> float:
        w = self.atol + self.rtol * np.abs(y)
        d0, d1 = _rms(y / w), _rms(yp / w)
        h = 1e-6 if (d0 < 1e-5 or d1 < 1e-5) else 0.01 * d0 / d1
        return min(h, span)

    def _newton(self, t1, psi, c, pred, w):
        """Iterate from ``pred``; returns (converged, y, iterations, last rate)."""
        y = pred.copy()
        prev = None
        rate = None
        for k in range(self.newton_maxiter):
            G = y - psi - c * self._f(t1, y)
            try:
                d = self.solver.solve(-G, y, c)
            except LinearSolveError:
                return False, y, k + 1, rate
            self.stats.newton_iters += 1
            y += d
            dn = _rms(d / w)
            if dn == 0.0:
                return True, y, k + 1, rate
            if prev is None:
                eta = max(self._rate_prev, EPS) ** 0.8
                if eta * dn <= self.newton_tol:
                    return True, y, k + 1, rate
            else:
                rate = dn / prev
                if rate >= 0.9:
                    return False, y, k + 1, rate
                remaining = self.newton_maxiter - k - 1
                if rate / (1 - rate) * dn <= self.newton_tol:
                    return True, y, k + 1, rate
                if rate**remaining / (1 - rate) * dn > self.newton_tol:
                    return False, y, k + 1, rate
            prev = dn
        return False, y, self.newton_maxiter, rate

    # -- driver -----------------------------------------------------------------------
    def integrate(
        self,
        t_span: tuple[float, float],
        y0,
        *,
        breakpoints: Sequence[float] = (),
        h0: float | None = None,
    ) -> OdeResult:
        """Integrate from ``t_span[0]`` to ``t_span[1]``, restarting at breakpoints."""
        start = time.perf_counter()
        stats = self.stats
        t0, t_end = map(float, t_span)
        if not t_end > t0:
            raise ValueError(f"stiff_ode: need t_end > t0, got {t_span}")
        y = np.array(y0, dtype=np.float64).ravel()
        ends = sorted({float(b) for b in breakpoints if t0 < b < t_end} | {t_end})
        solver = self.solver
        solver.evaluate_jacobian(y)
        jac_current = True
        t = t0
        h = h0
        self._rate_prev = 1.0
        slow_streak = 0
        message = "reached t_end"
        success = True
        for te in ends:
            yp = self._f(t, y)
            order, y_prev, h_prev = 1, None, None
            if h is None:
                h = self._initial_step(t, y, yp, te - t0)
            while t < te:
                if stats.steps + stats.rejected >= self.max_steps:
                    message, success = f"stopped after {self.max_steps} steps", False
                    break
                h = min(h, te - t)
                if te - (t + h) < 1e-12 * max(1.0, abs(te)):
                    h = te - t
                rejected_here = False
                while True:
                    if h < 1e-14 * max(1.0, abs(t)):
                        raise RuntimeError(f"stiff_ode: step size underflow at t = {t:g}")
                    if order == 1:
                        a1, a2, gam, errc = 1.0, 0.0, 1.0, 0.5
                        pred = y + h * yp
                        psi = y
                    else:
                        om = h / h_prev
                        a1 = (1 + om) ** 2 / (1 + 2 * om)
                        a2 = om**2 / (1 + 2 * om)
                        gam = (1 + om) / (1 + 2 * om)
                        errc = (1 + om) / (2 + 3 * om)
                        curv = (y_prev - y + h_prev * yp) / h_prev**2
                        pred = y + h * yp + (h * h) * curv
                        psi = a1 * y - a2 * y_prev
                    c = h * gam
                    cf = solver.c_factored
                    if cf is None or abs(c / cf - 1.0) > self.refactor_threshold:
                        solver.factorize(c)
                    w = self.atol + self.rtol * np.abs(y)
                    ok, y_new, iters, rate = self._newton(t + h, psi, c, pred, w)
                    if not ok:
                        stats.newton_failures += 1
                        if not jac_current:
                            solver.evaluate_jacobian(y)
                            jac_current = True
                            solver.factorize(c)
                        elif solver.c_factored != c:
                            solver.factorize(c)
                        else:
                            h *= 0.5
                            stats.rejected += 1
                            rejected_here = True
                        continue
                    wt = self.atol + self.rtol * np.maximum(np.abs(y), np.abs(y_new))
                    err = _rms(errc * (y_new - pred) / wt)
                    if err > 1.0:
                        h *= max(0.2, 0.9 * err ** (-1.0 / (order + 1)))
                        stats.rejected += 1
                        rejected_here = True
                        continue
                    break
                # accepted
                stats.steps += 1
                if rate is not None:
                    self._rate_prev = rate
                slow = (rate is not None and rate > self.slow_rate) or iters >= self.newton_maxiter
                slow = slow or getattr(solver, "last_iters", 0) > self.krylov_slow
                yp_new = (y_new - psi) / c
                y_prev, y, yp = y, y_new, yp_new
                t = te if te - (t + h) < 1e-12 * max(1.0, abs(te)) else t + h
                jac_current = False
                slow_streak = slow_streak + 1 if slow else 0
                if slow_streak >= 2:
                    solver.evaluate_jacobian(y)
                    jac_current = True
                    solver.c_factored = None  # refactorise at the next step's c
                    slow_streak = 0
                elif slow_streak == 1:
                    solver.c_factored = None
                fac = 2.0 if err == 0 else min(2.0, max(0.2, 0.9 * err ** (-1.0 / (order + 1))))
                if rejected_here:
                    fac = min(1.0, fac)
                if 1.0 <= fac < 1.2:
                    fac = 1.0
                h_prev, h = h, h * fac
                order = 2
            if not success:
                break
        stats.wall = time.perf_counter() - start
        return OdeResult(t=t, y=y, stats=stats, success=success, message=message)
