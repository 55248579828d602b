"""Ipopt through cyipopt, without losing exceptions or NaNs raised in callbacks.

cyipopt drops exceptions raised in some callbacks (the Hessian one among them) and
Ipopt treats a NaN in a derivative as a failed evaluation. Every callback here is
wrapped: the first exception (or non-finite derivative) is stored, Ipopt is asked
to stop at its next iteration, and ``solve`` re-raises it with its traceback.
"""

from __future__ import annotations

import time

import numpy as np
from scipy.optimize import OptimizeResult

from ..errors import AsdError, InputError


class CallbackError(AsdError, RuntimeError):
    """An error raised inside an Ipopt callback, re-raised after Ipopt stopped."""


class NonFiniteError(AsdError, FloatingPointError):
    """A derivative callback produced NaN or inf."""


def _import_cyipopt():
    try:
        import cyipopt
    except ImportError as e:  # pragma: no cover - exercised only without the extra
        raise ImportError(
            "asd: Ipopt support needs cyipopt; install it with `pip install cyipopt-wheels` "
            "(a dependency of asd, bundling Ipopt and MUMPS)."
        ) from e
    return cyipopt


class IpoptAdapter:
    """The cyipopt problem object: forwards to an NLP and guards every callback."""

    def __init__(self, nlp, progress=None):
        self.nlp = nlp
        self.error: BaseException | None = None
        self.nit = 0
        self.progress = progress
        self.nan_values: list[str] = []

    def _guard(self, name: str, fn, *args, derivative: bool = False, fallback=None):
        if self.error is not None:
            return fallback() if fallback else None
        try:
            out = fn(*args)
            arr = np.asarray(out, dtype=float)
            if not np.isfinite(arr).all():
                bad = np.flatnonzero(~np.isfinite(arr.ravel()))
                msg = (
                    f"asd: the {name} callback produced {bad.size} non-finite value(s) "
                    f"(first at index {bad[0]}: {arr.ravel()[bad[0]]})"
                )
                if derivative:
                    raise NonFiniteError(msg + "; Ipopt cannot use it, stopping.")
                self.nan_values.append(msg)
            return out
        except BaseException as e:  # noqa: BLE001 - stored and re-raised after Ipopt stops
            self.error = e
            return fallback() if fallback else None

    def objective(self, x):
        return self._guard("objective", self.nlp.objective, x, fallback=lambda: np.nan)

    def gradient(self, x):
        return self._guard(
            "gradient", self.nlp.gradient, x, derivative=True, fallback=lambda: np.zeros(self.nlp.n)
        )

    def constraints(self, x):
        return self._guard(
            "constraints", self.nlp.constraints, x, fallback=lambda: np.zeros(self.nlp.m)
        )

    def jacobian(self, x):
        return self._guard(
            "jacobian",
            self.nlp.jacobian,
            x,
            derivative=True,
            fallback=lambda: np.zeros(self.nlp.nnz_jacobian()),
        )

    def jacobianstructure(self):
        return self.nlp.jacobianstructure()

    def hessian(self, x, lagrange, obj_factor):
        return self._guard(
            "hessian",
            self.nlp.hessian,
            x,
            lagrange,
            obj_factor,
            derivative=True,
            fallback=lambda: np.zeros(self.nlp.nnz_hessian_lag()),
        )

    def hessianstructure(self):
        return self.nlp.hessianstructure()

    def intermediate(self, alg_mod, iter_count, obj_value, inf_pr, inf_du, mu, *rest):
        self.nit = int(iter_count)
        if self.progress is not None:
            self.progress(iter_count, obj_value, inf_pr, inf_du)
        return self.error is None


def _vector(value, size: int, name: str) -> np.ndarray:
    arr = np.asarray(value, dtype=np.float64).ravel()
    if arr.size != size:
        raise InputError(f"asd: {name} has {arr.size} values, expected {size}")
    if not np.isfinite(arr).all():
        raise InputError(f"asd: {name} contains NaN or inf")
    return arr


def warm_start_point(nlp, warm_start) -> tuple[np.ndarray, dict]:
    """``(x, multipliers)`` of a previous result or mapping, checked against ``nlp``."""
    try:
        parts = {k: warm_start[k] for k in ("x", "mult_g", "mult_x_L", "mult_x_U")}
    except (KeyError, TypeError, IndexError):
        raise InputError(
            "asd: warm_start must be a previous result or a mapping with x, mult_g, "
            "mult_x_L and mult_x_U"
        ) from None
    sizes = {"x": nlp.n, "mult_g": nlp.m, "mult_x_L": nlp.n, "mult_x_U": nlp.n}
    arrays = {k: _vector(v, sizes[k], f"warm_start {k}") for k, v in parts.items()}
    duals = {"lagrange": arrays["mult_g"], "zl": arrays["mult_x_L"], "zu": arrays["mult_x_U"]}
    return arrays["x"], duals


def solve_ipopt(
    nlp, x0=None, options: dict | None = None, progress=None, warm_start=None
) -> OptimizeResult:
    """Run Ipopt on ``nlp``; returns a scipy ``OptimizeResult``.

    ``warm_start`` (a previous result or a mapping with ``x, mult_g, mult_x_L,
    mult_x_U``) gives the primal and dual start and turns on Ipopt's
    ``warm_start_init_point`` unless ``options`` set it.
    """
    duals: dict = {}
    if warm_start is not None:
        if x0 is not None:
            raise InputError("asd: give either x0 or warm_start, not both")
        x0, duals = warm_start_point(nlp, warm_start)
    cyipopt = _import_cyipopt()
    adapter = IpoptAdapter(nlp, progress)
    problem = cyipopt.Problem(
        n=nlp.n, m=nlp.m, problem_obj=adapter, lb=nlp.lb, ub=nlp.ub, cl=nlp.cl, cu=nlp.cu
    )
    opts = {"print_level": 0, "sb": "yes"}
    if duals:
        opts["warm_start_init_point"] = "yes"
    opts.update(options or {})
    for key, value in opts.items():
        problem.add_option(key, value)
    nlp.timings.seconds.clear()
    nlp.timings.calls.clear()
    start = nlp.x0 if x0 is None else _vector(x0, nlp.n, "x0").copy()
    t0 = time.perf_counter()
    x, info = problem.solve(start, **duals)
    wall = time.perf_counter() - t0
    if adapter.error is not None:
        err = adapter.error
        if isinstance(err, AsdError):
            raise err
        raise CallbackError(
            f"asd: {type(err).__name__} raised inside an Ipopt callback: {err}"
        ) from err
    status = int(info["status"])
    callbacks = nlp.timings.total
    return OptimizeResult(
        x=x,
        fun=float(info["obj_val"]),
        success=status in (0, 1),
        status=status,
        message=info["status_msg"].decode()
        if isinstance(info["status_msg"], bytes)
        else str(info["status_msg"]),
        nit=adapter.nit,
        constraints=np.asarray(info["g"]),
        mult_g=np.asarray(info["mult_g"]),
        mult_x_L=np.asarray(info["mult_x_L"]),
        mult_x_U=np.asarray(info["mult_x_U"]),
        nan_values=adapter.nan_values,
        timing={
            "total": wall,
            "callbacks": callbacks,
            "ipopt": wall - callbacks,
            **{f"callback {k}": v for k, v in nlp.timings.seconds.items()},
        },
        ncalls=dict(nlp.timings.calls),
    )
