"""The same problem through ``scipy.integrate.solve_ivp`` (BDF or Radau) with the asd
sparse Jacobian, timed with the same split as the in-house integrator where scipy
lets us see it: f and J are wrapped; factorisations and solves happen inside scipy
and show up as "other".

Integration restarts at each breakpoint (solve_ivp has no notion of a discontinuity
in t), exactly like :class:`solvers.stiff_ode.integrators.BDF2` does.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np
from scipy.integrate import solve_ivp

from .integrators import OdeResult
from .stats import SolverStats


def solve_with_scipy(
    rhs: Callable,
    t_span: tuple[float, float],
    y0,
    *,
    method: str = "BDF",
    jac: Callable | None = None,
    jac_sparsity=None,
    rtol: float = 1e-6,
    atol: float = 1e-8,
    breakpoints: Sequence[float] = (),
) -> OdeResult:
    """Integrate with solve_ivp; ``jac(y)`` (asd, state only) or ``jac_sparsity`` (scipy
    finite differences grouped by the pattern) or neither (dense finite differences).

    ``stats.steps`` counts accepted steps (``len(sol.t) - 1`` per segment), ``f_evals``
    scipy's nfev (including finite-difference evaluations), ``jac_evals`` its njev and
    ``factorizations`` its nlu.
    """
    if method not in ("BDF", "Radau"):
        raise ValueError(f"stiff_ode: method must be 'BDF' or 'Radau', not {method!r}")
    stats = SolverStats()

    def fun(t, y):
        with stats.timer("f"):
            return rhs(t, y)

    kwargs = {}
    if jac is not None:

        def jac_t(t, y):
            with stats.timer("jac"):
                return jac(y)

        kwargs["jac"] = jac_t
    elif jac_sparsity is not None:
        kwargs["jac_sparsity"] = jac_sparsity
    t0, t_end = map(float, t_span)
    ends = sorted({float(b) for b in breakpoints if t0 < b < t_end} | {t_end})
    y = np.array(y0, dtype=np.float64).ravel()
    t = t0
    start = time.perf_counter()
    success, message = True, "reached t_end"
    for te in ends:
        sol = solve_ivp(fun, (t, te), y, method=method, rtol=rtol, atol=atol, **kwargs)
        stats.steps += len(sol.t) - 1
        stats.f_evals += sol.nfev
        stats.jac_evals += sol.njev
        stats.factorizations += sol.nlu
        y, t = sol.y[:, -1].copy(), float(sol.t[-1])
        if not sol.success:
            success, message = False, sol.message
            break
    stats.wall = time.perf_counter() - start
    return OdeResult(t=t, y=y, stats=stats, success=success, message=message)
