"""A nonlinear program with exact sparse derivatives from one tape.

``NLP(objective, x0, lb, ub, constraints, cl, cu)`` traces ``[f(x), g(x)]`` once. The
constraint Jacobian, the objective gradient and the Hessian of the Lagrangian
``σ∇²f + Σλᵢ∇²gᵢ`` (one weighted sweep) all come from that tape, with fixed
structures, ready for Ipopt (cyipopt), PyNumero-style drivers and scipy.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, NonlinearConstraint, OptimizeResult, minimize

from ..detection import hessian_pattern, jacobian_pattern
from ..detection.patterns import dependencies
from ..errors import InputError, check_real
from ..evaluation.direct import DirectJacobian
from ..evaluation.hessian_engine import HessianEngine
from ..evaluation.workspace import Workspace
from ..tracing import trace
from .ipopt import solve_ipopt
from .pynumero import PyNumeroMethods


def _bounds(v, size: int, default: float, name: str) -> np.ndarray:
    if v is None:
        return np.full(size, default)
    arr = np.broadcast_to(np.asarray(v, dtype=np.float64), (size,)).copy()
    if np.isnan(arr).any():
        raise InputError(f"asd: {name} contains NaN; use ±np.inf for a missing bound")
    return arr


@dataclass
class Timings:
    """Wall time spent in each kind of callback, and how often it ran."""

    seconds: dict = field(default_factory=dict)
    calls: dict = field(default_factory=dict)

    def add(self, name: str, dt: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + dt
        self.calls[name] = self.calls.get(name, 0) + 1

    @property
    def total(self) -> float:
        return sum(self.seconds.values())


class NLP(PyNumeroMethods):
    """min f(x) s.t. cl ≤ g(x) ≤ cu, lb ≤ x ≤ ub, with exact sparse derivatives.

    ``objective(x, *args) -> float`` and ``constraints(x, *args) -> (m,)`` are plain
    numpy functions. Preparation (trace, detection, colouring) happens once, here. The
    float values in ``args`` (loads, prices, limits, ...) are runtime parameters:
    ``solve(args=...)`` or ``with_args(...)`` evaluate the same prepared problem at
    other values with no re-trace; the patterns hold for every parameter value.
    """

    def __init__(
        self,
        objective: Callable,
        x0,
        lb=None,
        ub=None,
        constraints: Callable | None = None,
        cl=None,
        cu=None,
        *,
        hessian_coloring: str = "star",
        hessian_mode: str = "auto",
        order: str | None = None,
        args: tuple = (),
    ):
        t0 = time.perf_counter()
        check_real(x0, "x0")
        x0 = np.asarray(x0, dtype=np.float64).ravel()
        if not np.isfinite(x0).all():
            raise InputError("asd: x0 contains NaN or inf")
        self.n = x0.size
        self._objective, self._constraints = objective, constraints

        def combined(x, *args):
            f = objective(x, *args)
            if np.ndim(f) != 0 and np.size(f) != 1:
                raise InputError(
                    f"asd: the objective must return a scalar, got shape {np.shape(f)}"
                )
            parts = [np.reshape(f, (1,))]
            if constraints is not None:
                parts.append(np.ravel(constraints(x, *args)))
            return np.concatenate(parts)

        self.args = tuple(args)
        self.tape = trace(combined, x0, "global", self.args)
        self._params = None  # the traced parameter values
        self.m = self.tape.n_outputs - 1
        self.x0 = x0
        self.lb = _bounds(lb, self.n, -np.inf, "lb")
        self.ub = _bounds(ub, self.n, np.inf, "ub")
        self.cl = _bounds(cl, self.m, -np.inf, "cl")
        self.cu = _bounds(cu, self.m, np.inf, "cu")
        if (self.lb > self.ub).any() or (self.cl > self.cu).any():
            raise InputError("asd: a lower bound exceeds its upper bound")
        t1 = time.perf_counter()

        # constraint Jacobian: the same nodes, outputs 1..m only
        self._con_tape = replace(self.tape, outputs=self.tape.outputs[1:], output_shape=(self.m,))
        deps = dependencies(self._con_tape)
        self.jacobian_pattern = jacobian_pattern(self._con_tape, deps=deps)
        self._jac = DirectJacobian(self._con_tape, *deps)
        jr = np.repeat(np.arange(self.m), np.diff(self.jacobian_pattern.indptr))
        self._jac_structure = (jr.astype(np.int64), self.jacobian_pattern.indices.astype(np.int64))
        t2 = time.perf_counter()

        # Hessian of the Lagrangian: union over objective and constraints, lower triangle
        deps = dependencies(self.tape)
        self.hessian_pattern = hessian_pattern(self.tape, deps=deps)
        t3 = time.perf_counter()
        self.hessian_engine = HessianEngine(
            self.tape,
            self.hessian_pattern,
            deps,
            mode=hessian_mode,
            coloring=hessian_coloring,
            order=order,
        )
        self._hess_structure = (self.hessian_engine.rows, self.hessian_engine.cols)
        self._ws = Workspace(self.tape)
        self._grad_seed = np.zeros((self.m + 1, 1))
        self._grad_seed[0, 0] = 1.0
        t4 = time.perf_counter()
        self.preparation = {
            "trace": t1 - t0,
            "jacobian detection": t2 - t1,
            "hessian detection": t3 - t2,
            "coloring and plans": t4 - t3,
        }
        self.timings = Timings()
        # PyNumero-style state
        self._x = x0.copy()
        self._duals = np.zeros(self.m)
        self._obj_factor = 1.0

    # -- sizes and structures -------------------------------------------------------
    @property
    def hessian_coloring(self):
        """The star colouring of the Lagrangian Hessian (computed on first use where
        direct evaluation won without one)."""
        return self.hessian_engine.coloring

    @property
    def hessian_ncolors(self) -> int:
        return int(self.hessian_coloring.ncolors)

    def jacobianstructure(self) -> tuple[np.ndarray, np.ndarray]:
        return self._jac_structure

    def hessianstructure(self) -> tuple[np.ndarray, np.ndarray]:
        return self._hess_structure

    # -- evaluations (cyipopt callback names) -----------------------------------------
    def _timed(self, name: str, fn, *a):
        t0 = time.perf_counter()
        try:
            return fn(*a)
        finally:
            self.timings.add(name, time.perf_counter() - t0)

    # -- runtime parameters ----------------------------------------------------------
    def with_args(self, *args) -> NLP:
        """The same prepared problem at other values of the extra arguments: a light
        copy sharing the tape, patterns, colourings and plans (no re-trace), with its
        own parameters, timings and iterate, so copies can be solved concurrently."""
        if self.tape.params is None:
            raise InputError("asd: this NLP was built without args; it has no parameters")
        params = self.tape.params.flatten(tuple(args))
        if not np.isfinite(params).all():
            raise InputError("asd: the parameter values contain NaN or inf")
        other = copy.copy(self)
        other.args = tuple(args)
        other._params = params
        other.timings = Timings()
        other._x = self.x0.copy()
        other._duals = np.zeros(self.m)
        return other

    def _check(self, x) -> np.ndarray:
        """The kernels' input: x checked, then this problem's parameter vector."""
        return self._ws.check(x, self._params)

    def _values(self, x) -> np.ndarray:
        return self._ws.values(self._check(x))

    def objective(self, x) -> float:
        return self._timed("objective", lambda: float(self._values(x)[self.tape.outputs[0]]))

    def constraints(self, x) -> np.ndarray:
        return self._timed("constraints", lambda: self._values(x)[self.tape.outputs[1:]].copy())

    def gradient(self, x) -> np.ndarray:
        def run():
            _, g = self._ws.reverse(self._check(x), self._grad_seed)
            return g[0].copy()

        return self._timed("gradient", run)

    def jacobian(self, x) -> np.ndarray:
        """Constraint Jacobian nonzeros in the order of ``jacobianstructure()``."""
        return self._timed("jacobian", lambda: self._jac.values(self._check(x)))

    def hessian(self, x, lagrange, obj_factor) -> np.ndarray:
        """Lower-triangle nonzeros of σ∇²f + Σλᵢ∇²gᵢ, in the order of ``hessianstructure()``."""

        def run():
            w = np.empty(self.m + 1)
            w[0] = obj_factor
            w[1:] = lagrange
            if not np.isfinite(w).all():
                raise InputError("asd: the Lagrange multipliers or σ contain NaN / inf")
            return self.hessian_engine.lower_values(self._check(x), w)

        return self._timed("hessian", run)

    # -- matrices for scipy -----------------------------------------------------------
    def jacobian_matrix(self, x) -> sp.csr_array:
        P = self.jacobian_pattern
        return sp.csr_array((self.jacobian(x), P.indices, P.indptr), shape=P.shape)

    def hessian_matrix(self, x, lagrange, obj_factor=1.0) -> sp.csr_array:
        r, c = self._hess_structure
        vals = self.hessian(x, lagrange, obj_factor)
        low = sp.coo_array((vals, (r, c)), shape=(self.n, self.n))
        diag = sp.coo_array((vals[r == c], (r[r == c], c[r == c])), shape=(self.n, self.n))
        return sp.csr_array(low + low.T - diag)

    # -- solvers ------------------------------------------------------------------------
    def solve(
        self,
        options: dict | None = None,
        x0=None,
        progress=None,
        args: tuple | None = None,
        *,
        backend: str = "auto",
        callbacks: str = "auto",
        warm_start=None,
    ) -> OptimizeResult:
        """Solve with Ipopt; ``options`` are Ipopt options (``tol``, ``print_level``).

        ``backend``: ``"c"`` runs Ipopt through its C interface from an installed
        shared library (``ASD_IPOPT_LIBRARY``, else casadi's wheel, whose MUMPS 5.8 has
        METIS, else the cyipopt wheel's own) with callbacks compiled by Numba;
        ``"cyipopt"`` runs cyipopt's Ipopt with Python callbacks; ``"auto"`` (default)
        takes ``"c"`` whenever a library is found, else ``"cyipopt"``. ``callbacks``
        (C backend): ``"compiled"``, ``"python"`` or ``"auto"``: compiled where they pay
        (their machine code is cached already, or a solve of the same kind ran in this
        process before) and no evaluation method was replaced. Unless given,
        ``mumps_pivot_order`` is 0 (AMD, chosen by measurement: docs/design.md).

        ``x0`` starts from another primal point; ``warm_start`` (a previous result, or a
        mapping with ``x, mult_g, mult_x_L, mult_x_U``) starts from its primal and dual
        point with Ipopt's ``warm_start_init_point`` (``x0`` then must be None); ``args``
        solves at other values of the extra arguments (see ``with_args``). Returns a
        ``scipy.optimize.OptimizeResult`` with ``x, fun, success, status, message,
        nit``, the multipliers ``mult_g, mult_x_L, mult_x_U``, ``timing``, ``ncalls``
        and ``info`` (backend, callbacks, Ipopt version, library, linear solver,
        ordering). An exception raised inside any callback is re-raised here; a NaN or
        inf in a derivative raises ``NonFiniteError``.
        """
        kw = dict(backend=backend, callbacks=callbacks, warm_start=warm_start)
        if args is not None:
            return self.with_args(*args).solve(options, x0, progress, **kw)
        return solve_ipopt(self, x0, options, progress, **kw)

    def __getstate__(self) -> dict:
        """Everything prepared, without the user's functions: evaluation needs only the
        tape and the plans, so a loaded copy (another process, a Dask worker) needs
        neither the functions' module nor a re-trace."""
        state = dict(self.__dict__)
        state["_objective"] = state["_constraints"] = None
        return state

    def scipy_arguments(self) -> dict:
        """Keyword arguments for ``scipy.optimize.minimize(method="trust-constr")``."""
        zeros = np.zeros(self.m)
        kwargs = {
            "fun": self.objective,
            "x0": self.x0.copy(),
            "jac": self.gradient,
            "hess": lambda x: self.hessian_matrix(x, zeros, 1.0),
            "bounds": Bounds(self.lb, self.ub),
        }
        if self.m:
            kwargs["constraints"] = [
                NonlinearConstraint(
                    self.constraints,
                    self.cl,
                    self.cu,
                    jac=self.jacobian_matrix,
                    hess=lambda x, v: self.hessian_matrix(x, v, 0.0),
                )
            ]
        return kwargs

    def minimize(self, method: str = "trust-constr", **options) -> OptimizeResult:
        """Solve with ``scipy.optimize.minimize`` using the exact sparse derivatives."""
        if method != "trust-constr":
            raise InputError("asd: NLP.minimize supports method='trust-constr'")
        return minimize(method=method, **self.scipy_arguments(), options=options or None)

    def __repr__(self) -> str:
        return (
            f"NLP(n={self.n}, m={self.m}, nnz(J)={self.nnz_jacobian()}, "
            f"nnz(H, lower)={self.nnz_hessian_lag()}, Hessian colours={self.hessian_ncolors})"
        )
