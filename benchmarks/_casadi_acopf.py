"""The polar AC-OPF of ``solvers/acopf/model.py`` written for CasADi SX, from the same data.

Used by ``hessian_pglib.py`` (Hessian of the Lagrangian) and ``acopf_casadi.py`` (Ipopt
through ``nlpsol``); ``buffer_evaluator`` serves every CasADi timing in the benchmarks.
Every expression mirrors ``ACOPF.objective`` / ``ACOPF.constraints`` block for block,
vectorised over SX column vectors: integer-list indexing for bus lookups, elementwise
products with constant ``DM`` vectors, and constant sparse ``DM`` matrices for the bus
incidence sums. The constraint rows come out in the model's order.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

try:
    import casadi as ca
except ImportError:  # a missing peer is reported by the callers, not faked
    ca = None


def available() -> bool:
    return ca is not None


def _dm(a) -> ca.DM:
    """Constant column vector or sparse matrix as a CasADi DM."""
    if sp.issparse(a):
        return ca.DM(sp.csc_matrix(a))
    return ca.DM(np.asarray(a, dtype=np.float64).reshape(-1, 1))


def _idx(a: np.ndarray) -> list[int]:
    return np.asarray(a, dtype=np.int64).tolist()


def acopf_sx(model):
    """(x, f, g): the SX symbol of all n variables, the objective and the m constraints."""
    v = model.var
    x = ca.SX.sym("x", model.n)
    va, vm = x[v.va], x[v.vm]
    pg, qg = x[v.pg], x[v.qg]

    # objective: sum of c2 pg^2 + c1 pg + c0
    f = ca.dot(_dm(model.c2), pg * pg) + ca.dot(_dm(model.c1), pg) + model.c0

    # power balance at every bus: arc flows out, generation in, loads and shunts
    p_arc = x[v.p_fr.start : v.p_to.stop]
    q_arc = x[v.q_fr.start : v.q_to.stop]
    p_bal = ca.mtimes(_dm(model.A_arc), p_arc) - ca.mtimes(_dm(model.A_gen), pg) + _dm(model.pd)
    q_bal = ca.mtimes(_dm(model.A_arc), q_arc) - ca.mtimes(_dm(model.A_gen), qg) + _dm(model.qd)
    if model.gs_bus.size:
        vgs = vm[_idx(model.gs_bus)]
        p_bal = p_bal + ca.mtimes(_dm(model.A_gs), vgs * vgs)
    if model.bs_bus.size:
        vbs = vm[_idx(model.bs_bus)]
        q_bal = q_bal - ca.mtimes(_dm(model.A_bs), vbs * vbs)

    # Ohm's law on every branch
    fb, tb = _idx(model.f_bus), _idx(model.t_bus)
    vf, vt = vm[fb], vm[tb]
    d = va[fb] - va[tb]
    vv = vf * vt
    C, S = vv * ca.cos(d), vv * ca.sin(d)
    vf2, vt2 = vf * vf, vt * vt
    a_ff, b_ff, k_c, k_s = (_dm(a) for a in (model.a_ff, model.b_ff, model.k_c, model.k_s))
    a_tt, b_tt, m_c, m_s = (_dm(a) for a in (model.a_tt, model.b_tt, model.m_c, model.m_s))
    ohm_p_fr = a_ff * vf2 + k_c * C + k_s * S
    ohm_q_fr = -b_ff * vf2 - k_s * C + k_c * S
    ohm_p_to = a_tt * vt2 + m_c * C - m_s * S
    ohm_q_to = -b_tt * vt2 - m_s * C - m_c * S

    p_fr, p_to, q_fr, q_to = x[v.p_fr], x[v.p_to], x[v.q_fr], x[v.q_to]
    g = ca.vertcat(
        va[_idx(model.ref)],
        p_bal,
        q_bal,
        p_fr - ohm_p_fr,
        q_fr - ohm_q_fr,
        p_to - ohm_p_to,
        q_to - ohm_q_to,
        d,
        p_fr * p_fr + q_fr * q_fr,
        p_to * p_to + q_to * q_to,
    )
    return x, f, g


def lagrangian_hessian(model):
    """CasADi ``Function`` x -> tril(∇²(f + Σ gᵢ)) (all multipliers 1), and its sparsity.

    Returns (function, rows, cols): rows and cols of the stored lower-triangle entries in
    the order the function writes them (column-major, CasADi's own storage order).
    """
    x, f, g = acopf_sx(model)
    lag = f + ca.sum1(g)
    H, _ = ca.hessian(lag, x)
    Hl = ca.tril(H)
    fun = ca.Function("H", [x], [Hl])
    rows, cols = Hl.sparsity().get_triplet()
    return fun, np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)


def buffer_evaluator(fun, n: int, nnz: int):
    """Evaluate a one-input, one-output ``Function`` through its buffer API.

    The returned ``evaluate(x)`` copies x into a fixed input buffer, runs the
    function and returns the (reused) output array, so no Python/CasADi type
    conversion is part of the timed call.
    """
    buf, call = fun.buffer()
    xin = np.zeros(n)
    out = np.zeros(nnz)
    buf.set_arg(0, memoryview(xin))
    buf.set_res(0, memoryview(out))

    def evaluate(x, _keep=(fun, buf)):  # the Function must outlive its buffer
        xin[:] = x
        call()
        return out

    return evaluate


def ipopt_solver(model, options: dict | None = None):
    """``nlpsol("solver", "ipopt", ...)`` for the same program (Ipopt options prefixed)."""
    x, f, g = acopf_sx(model)
    opts = {"print_time": False, "ipopt.print_level": 0, "ipopt.sb": "yes"}
    for k, val in (options or {}).items():
        opts[f"ipopt.{k}"] = val
    return ca.nlpsol("solver", "ipopt", {"x": x, "f": f, "g": g}, opts)
