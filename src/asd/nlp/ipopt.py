"""Running Ipopt: the backend choice, the cyipopt backend and the common result.

cyipopt drops exceptions raised in some callbacks (the Hessian one among them) and
Ipopt treats a NaN in a derivative as a failed evaluation. Every Python callback is
wrapped (``IpoptAdapter``, used by cyipopt and by the C backend's Python callbacks):
the first exception (or non-finite derivative) is stored, Ipopt is asked to stop at its
next iteration, and ``solve`` re-raises it with its traceback. The C backend's compiled
callbacks record the same in their state array (``ipopt_c.py``, ``compiled.py``).
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


#: backends ``solve`` accepts
BACKENDS = ("auto", "c", "cyipopt")
#: callback kinds ``solve`` accepts (compiled ones need the C backend)
CALLBACK_KINDS = ("auto", "compiled", "python")


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


def _cyipopt_version() -> str:
    cyipopt = _import_cyipopt()
    return ".".join(map(str, getattr(cyipopt, "IPOPT_VERSION", ()))) or "unknown"


def solve_cyipopt(nlp, adapter: IpoptAdapter, x0, options: dict, duals: dict) -> dict:
    """Run cyipopt's Ipopt (from the multipliers ``duals`` when given: ``lagrange, zl,
    zu``); the raw outcome in the form ``result`` reads."""
    cyipopt = _import_cyipopt()
    problem = cyipopt.Problem(
        n=nlp.n, m=nlp.m, problem_obj=adapter, lb=nlp.lb, ub=nlp.ub, cl=nlp.cl, cu=nlp.cu
    )
    for key, value in options.items():
        problem.add_option(key, value)
    nlp.timings.seconds.clear()
    nlp.timings.calls.clear()
    start = nlp.x0 if x0 is None else _vector(x0, nlp.n, "x0").copy()
    t0 = time.perf_counter()
    x, info = problem.solve(start, **duals)
    wall = time.perf_counter() - t0
    msg = info["status_msg"]
    return {
        "x": x,
        "status": int(info["status"]),
        "message": msg.decode() if isinstance(msg, bytes) else str(msg),
        "obj_val": float(info["obj_val"]),
        "g": np.asarray(info["g"]),
        "mult_g": np.asarray(info["mult_g"]),
        "mult_x_L": np.asarray(info["mult_x_L"]),
        "mult_x_U": np.asarray(info["mult_x_U"]),
        "wall": wall,
        "callbacks": "python",
    }


def default_options(metis: bool) -> dict:
    """Linear-solver options asd sets unless given, chosen by measurement
    (docs/design.md, ``benchmarks/ipopt_backends.py``): MUMPS ordered by AMD. Without
    METIS it beats Ipopt's automatic choice by 1.2-1.9x on PGLib cases; with METIS
    (casadi's MUMPS 5.8) AMD, METIS and the automatic choice are within ~10 % of each
    other, AMD fastest or tied on every case measured on the reference machine."""
    return {"mumps_pivot_order": 0}


def choose_backend(backend: str = "auto"):
    """(backend, library): "c" with the first Ipopt library found that has the C
    interface (a METIS build first: casadi's, then cyipopt-wheels' own), else
    "cyipopt" (library None). The C backend with cyipopt-wheels' library runs the same
    Ipopt as cyipopt with compiled callbacks, so it is never slower (docs/design.md)."""
    from .ipopt_library import find_library

    if backend not in BACKENDS:
        raise InputError(f"asd: backend must be one of {BACKENDS}, not {backend!r}")
    if backend == "cyipopt":
        return "cyipopt", None
    lib = find_library(prefer_metis=True)
    if lib is None:
        if backend == "c":
            raise ImportError(
                "asd: backend='c' needs an Ipopt shared library with its C interface: "
                "`pip install casadi` brings one (with METIS), or set ASD_IPOPT_LIBRARY"
            )
        return "cyipopt", None
    return "c", lib


def solve_ipopt(
    nlp,
    x0=None,
    options: dict | None = None,
    progress=None,
    backend: str = "auto",
    callbacks: str = "auto",
    warm_start=None,
) -> OptimizeResult:
    """Run Ipopt on ``nlp``; returns a scipy ``OptimizeResult``.

    ``warm_start`` (a previous result or a mapping with ``x, mult_g, mult_x_L,
    mult_x_U``) gives the primal and dual start and turns on Ipopt's
    ``warm_start_init_point`` unless ``options`` set it.
    """
    if callbacks not in CALLBACK_KINDS:
        raise InputError(f"asd: callbacks must be one of {CALLBACK_KINDS}, not {callbacks!r}")
    duals: dict = {}
    if warm_start is not None:
        if x0 is not None:
            raise InputError("asd: give either x0 or warm_start, not both")
        x0, duals = warm_start_point(nlp, warm_start)
    elif x0 is not None:
        x0 = _vector(x0, nlp.n, "x0")
    name, lib = choose_backend(backend)
    opts = {"print_level": 0, "sb": "yes"}
    if duals:
        opts["warm_start_init_point"] = "yes"
    linear_solver = str((options or {}).get("linear_solver", "mumps"))
    if linear_solver == "mumps":
        opts.update(default_options(lib.metis if lib is not None else False))
    opts.update(options or {})
    if name == "c":
        from .ipopt_c import solve_c

        out, adapter = solve_c(nlp, lib, x0, opts, progress, callbacks, duals)
        info = {
            "backend": "c",
            "ipopt_version": lib.version,
            "library": str(lib.path),
            "library_source": lib.source,
            "metis": lib.metis,
        }
    else:
        if callbacks == "compiled":
            raise InputError("asd: compiled callbacks need backend='c' (cyipopt calls Python)")
        adapter = IpoptAdapter(nlp, progress)
        out = solve_cyipopt(nlp, adapter, x0, opts, duals)
        info = {"backend": "cyipopt", "ipopt_version": _cyipopt_version(), "metis": False}
    info["callbacks"] = out["callbacks"]
    if out.get("python_callbacks_reason"):
        info["python_callbacks_reason"] = out["python_callbacks_reason"]
    info["linear_solver"] = linear_solver
    if linear_solver == "mumps":
        info["mumps_pivot_order"] = opts.get("mumps_pivot_order", 7)
    return result(nlp, adapter, out, info)


def result(nlp, adapter: IpoptAdapter, out: dict, info: dict) -> OptimizeResult:
    """The ``OptimizeResult`` of a finished solve, or the callback error re-raised."""
    if adapter.error is not None:
        err = adapter.error
        if isinstance(err, AsdError):
            raise err
        raise CallbackError(
            f"asd: {type(err).__name__} raised inside an Ipopt callback: {err}"
        ) from err
    status = out["status"]
    wall = out["wall"]
    callbacks = nlp.timings.total
    return OptimizeResult(
        x=out["x"],
        fun=out["obj_val"],
        success=status in (0, 1),
        status=status,
        message=out["message"],
        nit=adapter.nit,
        constraints=out["g"],
        mult_g=out["mult_g"],
        mult_x_L=out["mult_x_L"],
        mult_x_U=out["mult_x_U"],
        nan_values=adapter.nan_values,
        timing={
            "total": wall,
            "callbacks": callbacks,
            "ipopt": wall - callbacks,
            **{f"callback {k}": v for k, v in nlp.timings.seconds.items()},
        },
        ncalls=dict(nlp.timings.calls),
        info=info,
    )
