"""Ipopt through its C interface (ctypes), with compiled or Python callbacks.

``CreateIpoptProblem`` takes five evaluation callbacks as C function pointers. When
the NLP evaluates with asd's own kernels (its methods not replaced, no guards) they are
the Numba ``cfunc``s of ``compiled.py``: Ipopt calls machine code directly, with no
Python per callback. Otherwise they are ``ctypes`` callbacks into the same guarded
Python adapter the cyipopt backend uses. The intermediate callback is always Python
(once per iteration): it counts iterations, calls ``progress`` and stops Ipopt after an
error. ``IpoptSolve`` releases the GIL for the whole solve.
"""

from __future__ import annotations

import ctypes
import time

import numpy as np

from ..errors import InputError
from .cfunc_source import worth_compiling
from .compiled import CompiledCallbacks, supported
from .ipopt_library import IpoptLibrary

_dbl_p = ctypes.POINTER(ctypes.c_double)
_int_p = ctypes.POINTER(ctypes.c_int)

EVAL_F = ctypes.CFUNCTYPE(
    ctypes.c_bool, ctypes.c_int, _dbl_p, ctypes.c_bool, _dbl_p, ctypes.c_void_p
)
EVAL_G = ctypes.CFUNCTYPE(
    ctypes.c_bool, ctypes.c_int, _dbl_p, ctypes.c_bool, ctypes.c_int, _dbl_p, ctypes.c_void_p
)
EVAL_JAC = ctypes.CFUNCTYPE(
    ctypes.c_bool,
    ctypes.c_int,
    _dbl_p,
    ctypes.c_bool,
    ctypes.c_int,
    ctypes.c_int,
    _int_p,
    _int_p,
    _dbl_p,
    ctypes.c_void_p,
)
EVAL_H = ctypes.CFUNCTYPE(
    ctypes.c_bool,
    ctypes.c_int,
    _dbl_p,
    ctypes.c_bool,
    ctypes.c_double,
    ctypes.c_int,
    _dbl_p,
    ctypes.c_bool,
    ctypes.c_int,
    _int_p,
    _int_p,
    _dbl_p,
    ctypes.c_void_p,
)
INTERMEDIATE = ctypes.CFUNCTYPE(
    ctypes.c_bool,
    ctypes.c_int,
    ctypes.c_int,
    *([ctypes.c_double] * 8),
    ctypes.c_int,
    ctypes.c_void_p,
)

#: Ipopt's ApplicationReturnStatus values and what they mean
STATUS = {
    0: "Solve_Succeeded: optimal solution found within the tolerances",
    1: "Solved_To_Acceptable_Level: solved to the acceptable tolerances",
    2: "Infeasible_Problem_Detected: the problem seems locally infeasible",
    3: "Search_Direction_Becomes_Too_Small: the search direction became too small",
    4: "Diverging_Iterates: the iterates seem to diverge",
    5: "User_Requested_Stop: stopped by the intermediate callback",
    6: "Feasible_Point_Found: a feasible point was found (square problem)",
    -1: "Maximum_Iterations_Exceeded: maximum number of iterations exceeded",
    -2: "Restoration_Failed: the restoration phase failed",
    -3: "Error_In_Step_Computation: error in the step computation",
    -4: "Maximum_CpuTime_Exceeded: maximum CPU time exceeded",
    -5: "Maximum_WallTime_Exceeded: maximum wall time exceeded",
    -10: "Not_Enough_Degrees_Of_Freedom: fewer degrees of freedom than equalities",
    -11: "Invalid_Problem_Definition: the problem definition is invalid",
    -12: "Invalid_Option: an option is invalid",
    -13: "Invalid_Number_Detected: invalid number in an NLP function or derivative",
    -100: "Unrecoverable_Exception: an unrecoverable exception",
    -101: "NonIpopt_Exception_Thrown: an exception from outside Ipopt",
    -102: "Insufficient_Memory: not enough memory",
    -199: "Internal_Error: an internal Ipopt error",
}


def add_options(lib: IpoptLibrary, problem: int, options: dict) -> None:
    """Pass each option with the setter of its type; an option Ipopt refuses (unknown
    name, wrong type, bad value) raises ``InputError`` naming it."""
    for key, value in options.items():
        k = str(key).encode()
        if isinstance(value, bool):
            ok = lib.cdll.AddIpoptStrOption(problem, k, b"yes" if value else b"no")
        elif isinstance(value, (int, np.integer)):
            ok = lib.cdll.AddIpoptIntOption(problem, k, int(value))
        elif isinstance(value, (float, np.floating)):
            ok = lib.cdll.AddIpoptNumOption(problem, k, float(value))
        elif isinstance(value, (str, bytes)):
            v = value if isinstance(value, bytes) else value.encode()
            ok = lib.cdll.AddIpoptStrOption(problem, k, v)
        else:
            raise InputError(f"asd: Ipopt option {key!r} has a value of type {type(value)}")
        if not ok:
            raise InputError(f"asd: Ipopt refused the option {key}={value!r}")


def _python_callbacks(adapter, nlp) -> dict:
    """ctypes callbacks into the guarded Python adapter (copies in, copies out)."""
    n, m = nlp.n, nlp.m
    jr, jc = (np.asarray(a, np.int32) for a in nlp.jacobianstructure())
    hr, hc = (np.asarray(a, np.int32) for a in nlp.hessianstructure())

    def x_of(x):
        return np.ctypeslib.as_array(x, (n,)).copy()

    def eval_f(_n, x, _new, obj, _ud):
        obj[0] = adapter.objective(x_of(x))
        return True

    def eval_g(_n, x, _new, _m, g, _ud):
        if m:
            np.ctypeslib.as_array(g, (m,))[:] = adapter.constraints(x_of(x))
        return True

    def eval_grad_f(_n, x, _new, grad, _ud):
        np.ctypeslib.as_array(grad, (n,))[:] = adapter.gradient(x_of(x))
        return True

    def eval_jac_g(_n, x, _new, _m, nele, irow, jcol, vals, _ud):
        if nele == 0:
            return True
        if not vals:
            np.ctypeslib.as_array(irow, (nele,))[:] = jr
            np.ctypeslib.as_array(jcol, (nele,))[:] = jc
        else:
            np.ctypeslib.as_array(vals, (nele,))[:] = adapter.jacobian(x_of(x))
        return True

    def eval_h(_n, x, _new, sigma, _m, lam, _newl, nele, irow, jcol, vals, _ud):
        if nele == 0:
            return True
        if not vals:
            np.ctypeslib.as_array(irow, (nele,))[:] = hr
            np.ctypeslib.as_array(jcol, (nele,))[:] = hc
        else:
            lagrange = np.ctypeslib.as_array(lam, (m,)).copy() if m else np.zeros(0)
            np.ctypeslib.as_array(vals, (nele,))[:] = adapter.hessian(x_of(x), lagrange, sigma)
        return True

    return {
        "eval_f": EVAL_F(eval_f),
        "eval_g": EVAL_G(eval_g),
        "eval_grad_f": EVAL_F(eval_grad_f),
        "eval_jac_g": EVAL_JAC(eval_jac_g),
        "eval_h": EVAL_H(eval_h),
    }


def _address(cb) -> int:
    return cb if isinstance(cb, int) else ctypes.cast(cb, ctypes.c_void_p).value


def solve_c(
    nlp,
    lib: IpoptLibrary,
    x0=None,
    options: dict | None = None,
    progress=None,
    callbacks: str = "auto",
    duals: dict | None = None,
) -> tuple[dict, object]:
    """Run Ipopt from ``lib`` on ``nlp``. ``callbacks``: "auto" (compiled when the NLP
    allows it and they pay: cached already, or a repeated solve), "compiled" or
    "python". Returns the raw outcome (for ``result``) and the
    adapter that guarded Python callbacks (None when compiled)."""
    from .ipopt import IpoptAdapter

    if callbacks not in ("auto", "compiled", "python"):
        raise InputError(
            f"asd: callbacks must be 'auto', 'compiled' or 'python', not {callbacks!r}"
        )
    why = supported(nlp)
    if callbacks == "compiled" and why is not None:
        raise InputError(f"asd: compiled Ipopt callbacks cannot be used: {why}")
    if callbacks == "auto" and why is None:
        mode = nlp.hessian_engine.plan()["mode"]
        if not worth_compiling(nlp.tape.families, mode):
            why = "a first solve of its kind whose compiled callbacks are not cached yet"
    use_compiled = callbacks != "python" and why is None

    adapter = IpoptAdapter(nlp, progress)
    compiled = CompiledCallbacks(nlp) if use_compiled else None
    if compiled is not None:
        cbs = dict(compiled.addresses)
        user_data = compiled.user_data
    else:
        cbs = _python_callbacks(adapter, nlp)
        user_data = None

    def intermediate(alg_mod, iter_count, obj, inf_pr, inf_du, *_rest):
        if compiled is not None and compiled.state[0] != 0:
            return False
        return adapter.intermediate(alg_mod, iter_count, obj, inf_pr, inf_du, *_rest[:-1])

    inter = INTERMEDIATE(intermediate)
    f64 = np.float64
    lb, ub = np.ascontiguousarray(nlp.lb, f64), np.ascontiguousarray(nlp.ub, f64)
    cl, cu = np.ascontiguousarray(nlp.cl, f64), np.ascontiguousarray(nlp.cu, f64)

    def ptr(a):
        return a.ctypes.data_as(_dbl_p)

    lib_ = lib.cdll
    problem = lib_.CreateIpoptProblem(
        nlp.n,
        ptr(lb),
        ptr(ub),
        nlp.m,
        ptr(cl),
        ptr(cu),
        nlp.nnz_jacobian(),
        nlp.nnz_hessian_lag(),
        0,
        *(_address(cbs[k]) for k in ("eval_f", "eval_g", "eval_grad_f", "eval_jac_g", "eval_h")),
    )
    if not problem:
        raise RuntimeError("asd: Ipopt's CreateIpoptProblem failed")
    try:
        add_options(lib, problem, options or {})
        lib_.SetIntermediateCallback(problem, ctypes.cast(inter, ctypes.c_void_p))
        start = nlp.x0 if x0 is None else np.asarray(x0, dtype=f64).ravel()
        if start.size != nlp.n:
            raise InputError(f"asd: x0 has {start.size} entries, the problem has {nlp.n}")
        x = np.array(start, dtype=f64)
        g = np.zeros(nlp.m)
        obj = np.zeros(1)
        duals = duals or {}  # a warm start's multipliers, read by Ipopt as a start
        mult_g = np.array(duals.get("lagrange", np.zeros(nlp.m)), dtype=f64)
        mult_xl = np.array(duals.get("zl", np.zeros(nlp.n)), dtype=f64)
        mult_xu = np.array(duals.get("zu", np.zeros(nlp.n)), dtype=f64)
        nlp.timings.seconds.clear()
        nlp.timings.calls.clear()
        t0 = time.perf_counter()
        status = lib_.IpoptSolve(
            problem, ptr(x), ptr(g), ptr(obj), ptr(mult_g), ptr(mult_xl), ptr(mult_xu), user_data
        )
        wall = time.perf_counter() - t0
    finally:
        lib_.FreeIpoptProblem(problem)
    if compiled is not None:
        bad = compiled.error()
        if bad is not None:
            from .ipopt import NonFiniteError

            adapter.error = NonFiniteError(bad[1])
        adapter.nan_values.extend(compiled.nan_values())
        seconds, calls = compiled.timings()
        nlp.timings.seconds.update(seconds)
        nlp.timings.calls.update(calls)
    outcome = {
        "x": x,
        "status": int(status),
        "message": STATUS.get(int(status), f"unknown Ipopt status {status}"),
        "obj_val": float(obj[0]),
        "g": g,
        "mult_g": mult_g,
        "mult_x_L": mult_xl,
        "mult_x_U": mult_xu,
        "wall": wall,
        "callbacks": "compiled" if compiled is not None else "python",
        "python_callbacks_reason": why,
    }
    return outcome, adapter
