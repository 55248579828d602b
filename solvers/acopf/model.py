"""The polar AC optimal power flow (acopf-model.md sections 3-6) as vectorised numpy.

``objective`` and ``constraints`` use only ufuncs, integer-array indexing, constant sparse
matrix products and ``np.concatenate``, so they run unchanged on asd's traced arrays.

A model may take some of its data as runtime parameters (``PARAMETERS``: loads, cost
coefficients, branch limits): ``objective(x, p)`` and ``constraints(x, p)`` read them
from the dict ``p``, so one prepared ``asd.NLP`` solves the model at any of their
values without a re-trace (``model.params(pd=...)`` builds ``p``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

import asd
from cases.opf_data import OPFData, load_opf_data

__all__ = ["ACOPF", "PARAMETERS", "build_acopf", "load_acopf"]

#: data a model can take as runtime parameters: active and reactive load per bus
#: (p.u.), quadratic and linear cost coefficients per generator, branch ratings (p.u.)
PARAMETERS = ("pd", "qd", "c2", "c1", "rate_a")


def _incidence(rows: np.ndarray, n_rows: int, values: np.ndarray | None = None) -> sp.csr_array:
    """Constant (n_rows x len(rows)) matrix with entry ``values[k]`` at (rows[k], k)."""
    k = len(rows)
    vals = np.ones(k) if values is None else np.asarray(values, dtype=np.float64)
    return sp.csr_array((vals, (rows, np.arange(k))), shape=(n_rows, k))


@dataclass(frozen=True)
class _Slices:
    """Where each variable block lives in x: va, vm | pg, qg | p_fr, p_to | q_fr, q_to."""

    va: slice
    vm: slice
    pg: slice
    qg: slice
    p_fr: slice
    p_to: slice
    q_fr: slice
    q_to: slice


class ACOPF:
    """Polar AC-OPF: min cost(pg) s.t. cl <= constraints(x) <= cu, lb <= x <= ub.

    Variables (n = 2|N| + 2|G| + 4|E|): va, vm, pg, qg, p (from arcs then to arcs), q
    (likewise). Constraint rows (m = |R| + 2|N| + 7|E|): reference angles, active and
    reactive balance, p_fr, q_fr, p_to, q_to flow definitions (the equalities), then
    angle differences and from/to thermal limits (the inequalities).

    ``parameters`` (a subset of ``PARAMETERS``) are read from the functions' second
    argument instead of being constants. With ``rate_a`` among them the thermal rows
    read ``p² + q² - rate_a² <= 0`` and the flow variables lose their own bounds
    ±rate_a (which the thermal rows imply), since bounds cannot be parameters.
    """

    def __init__(self, data: OPFData, parameters=()):
        unknown = sorted(set(parameters) - set(PARAMETERS))
        if unknown:
            raise ValueError(
                f"unknown AC-OPF parameter(s) {', '.join(unknown)}: choose from "
                f"{', '.join(PARAMETERS)}"
            )
        self.parameters = tuple(k for k in PARAMETERS if k in parameters)
        self.data = data
        nb, ng, ne, nr = data.n_bus, data.n_gen, data.n_branch, data.n_ref
        self.n = 2 * nb + 2 * ng + 4 * ne
        self.m = nr + 2 * nb + 7 * ne
        self.n_eq = nr + 2 * nb + 4 * ne

        off = np.cumsum([0, nb, nb, ng, ng, ne, ne, ne, ne])
        names = ("va", "vm", "pg", "qg", "p_fr", "p_to", "q_fr", "q_to")
        self.var = _Slices(**{k: slice(off[i], off[i + 1]) for i, k in enumerate(names)})
        coff = np.cumsum([0, nr, nb, nb, ne, ne, ne, ne, ne, ne, ne])
        cnames = ("ref", "p_balance", "q_balance", "p_fr", "q_fr", "p_to", "q_to")
        cnames += ("angle", "thermal_fr", "thermal_to")
        #: constraint row blocks by name
        self.con = {k: slice(coff[i], coff[i + 1]) for i, k in enumerate(cnames)}

        self._setup_constants(data)
        self._setup_bounds(data)

    # ------------------------------------------------------------------ constants
    def _setup_constants(self, d: OPFData) -> None:
        nb = d.n_bus
        self.f_bus, self.t_bus, self.ref = d.f_bus, d.t_bus, d.ref_buses
        self.gen_bus = d.gen_bus
        # sum of arc flows (from arcs then to arcs) and generation into each bus
        self.A_arc = _incidence(np.concatenate([d.f_bus, d.t_bus]), nb)
        self.A_gen = _incidence(d.gen_bus, nb)
        # shunts only where present, so the Jacobian has no structural zeros for them
        self.gs_bus = np.flatnonzero(d.gs)
        self.bs_bus = np.flatnonzero(d.bs)
        self.A_gs = _incidence(self.gs_bus, nb, d.gs[self.gs_bus])
        self.A_bs = _incidence(self.bs_bus, nb, d.bs[self.bs_bus])
        self.pd, self.qd = d.pd, d.qd
        # branch flow coefficients (acopf-model.md section 5, item 4)
        tau2 = d.tap**2
        tr, ti = d.tap * np.cos(d.shift), d.tap * np.sin(d.shift)
        g, b = d.g, d.b
        self.a_ff = (g + d.g_fr) / tau2
        self.b_ff = (b + d.b_fr) / tau2
        self.k_c = (-g * tr + b * ti) / tau2
        self.k_s = (-b * tr - g * ti) / tau2
        self.a_tt = g + d.g_to
        self.b_tt = b + d.b_to
        self.m_c = (-g * tr - b * ti) / tau2
        self.m_s = (-b * tr + g * ti) / tau2
        self.c2, self.c1, self.c0 = d.c2, d.c1, float(d.c0.sum())

    def _setup_bounds(self, d: OPFData) -> None:
        v, inf = self.var, np.inf
        lb, ub = np.full(self.n, -inf), np.full(self.n, inf)
        lb[v.vm], ub[v.vm] = d.vmin, d.vmax
        lb[v.pg], ub[v.pg] = d.pmin, d.pmax
        lb[v.qg], ub[v.qg] = d.qmin, d.qmax
        if "rate_a" not in self.parameters:
            for s in (v.p_fr, v.p_to, v.q_fr, v.q_to):
                lb[s], ub[s] = -d.rate_a, d.rate_a
        self.lb, self.ub = lb, ub
        cl, cu = np.zeros(self.m), np.zeros(self.m)
        c = self.con
        cl[c["angle"]], cu[c["angle"]] = d.angmin, d.angmax
        for k in ("thermal_fr", "thermal_to"):
            cl[c[k]] = -inf
            cu[c[k]] = 0.0 if "rate_a" in self.parameters else d.rate_a**2
        self.cl, self.cu = cl, cu

    # ------------------------------------------------------------------ start
    @property
    def x0(self) -> np.ndarray:
        """Flat start of rosetta-opf: va = 0, vm = 1, everything else 0."""
        return self.initial_point("flat")

    def initial_point(self, kind: str = "flat") -> np.ndarray:
        """Start point: "flat" (vm = 1, rest 0), "clamped" (flat projected on the
        bounds, what Ipopt.jl does for JuMP), or "file" (the case's Vm, Va, Pg, Qg)."""
        v, d = self.var, self.data
        x = np.zeros(self.n)
        if kind in ("flat", "clamped"):
            x[v.vm] = 1.0
            if kind == "clamped":
                x = np.clip(x, self.lb, self.ub)
        elif kind == "file":
            x[v.va], x[v.vm], x[v.pg], x[v.qg] = d.va_file, d.vm_file, d.pg_file, d.qg_file
        else:
            raise ValueError(f"unknown start {kind!r}: use 'flat', 'clamped' or 'file'")
        return x

    # ------------------------------------------------------------------ parameters
    def params(self, **values) -> dict:
        """The parameter dict for ``objective`` / ``constraints``: every name in
        ``self.parameters``, at the given value or the case's own one."""
        unknown = sorted(set(values) - set(self.parameters))
        if unknown:
            have = ", ".join(self.parameters) or "none"
            raise ValueError(
                f"{', '.join(unknown)} is not a parameter of this model (its parameters: "
                f"{have}); build it with ACOPF(data, parameters=...)"
            )
        out = {}
        for k in self.parameters:
            nominal = self._nominal(k)
            value = values.get(k)
            arr = nominal.copy() if value is None else np.asarray(value, dtype=np.float64)
            if arr.shape != nominal.shape:
                raise ValueError(f"parameter {k} has shape {arr.shape}, expected {nominal.shape}")
            if not np.isfinite(arr).all():
                raise ValueError(f"parameter {k} contains NaN or inf")
            out[k] = arr
        return out

    def _nominal(self, name: str) -> np.ndarray:
        return getattr(self.data, name) if name == "rate_a" else getattr(self, name)

    def _get(self, p: dict | None, name: str):
        return p[name] if p is not None and name in self.parameters else self._nominal(name)

    # ------------------------------------------------------------------ functions
    def objective(self, x, p: dict | None = None):
        """Generation cost in $/h: sum of c2 pg^2 + c1 pg + c0 (c2, c1 from ``p`` when
        they are parameters)."""
        pg = x[self.var.pg]
        return np.dot(self._get(p, "c2"), pg * pg) + np.dot(self._get(p, "c1"), pg) + self.c0

    def branch_flows(self, x):
        """(p_fr, q_fr, p_to, q_to) given by Ohm's law at the voltages in x."""
        v = self.var
        va, vm = x[v.va], x[v.vm]
        vf, vt = vm[self.f_bus], vm[self.t_bus]
        d = va[self.f_bus] - va[self.t_bus]
        vv = vf * vt
        C, S = vv * np.cos(d), vv * np.sin(d)
        vf2, vt2 = vf * vf, vt * vt
        p_fr = self.a_ff * vf2 + self.k_c * C + self.k_s * S
        q_fr = -self.b_ff * vf2 - self.k_s * C + self.k_c * S
        p_to = self.a_tt * vt2 + self.m_c * C - self.m_s * S
        q_to = -self.b_tt * vt2 - self.m_s * C - self.m_c * S
        return p_fr, q_fr, p_to, q_to

    def constraints(self, x, p: dict | None = None):
        """All m constraint rows (bounds in cl, cu); equalities first. Loads and
        ratings come from ``p`` when they are parameters."""
        v = self.var
        va, vm = x[v.va], x[v.vm]
        p_arc = x[v.p_fr.start : v.p_to.stop]
        q_arc = x[v.q_fr.start : v.q_to.stop]
        p_fr, p_to, q_fr, q_to = x[v.p_fr], x[v.p_to], x[v.q_fr], x[v.q_to]
        vm2_gs = vm[self.gs_bus] * vm[self.gs_bus]
        vm2_bs = vm[self.bs_bus] * vm[self.bs_bus]
        pd, qd = self._get(p, "pd"), self._get(p, "qd")
        p_bal = self.A_arc @ p_arc - self.A_gen @ x[v.pg] + pd + self.A_gs @ vm2_gs
        q_bal = self.A_arc @ q_arc - self.A_gen @ x[v.qg] + qd - self.A_bs @ vm2_bs
        ohm_p_fr, ohm_q_fr, ohm_p_to, ohm_q_to = self.branch_flows(x)
        thermal_fr = p_fr * p_fr + q_fr * q_fr
        thermal_to = p_to * p_to + q_to * q_to
        if "rate_a" in self.parameters:
            rate = self._get(p, "rate_a")
            rate2 = rate * rate
            thermal_fr, thermal_to = thermal_fr - rate2, thermal_to - rate2
        return np.concatenate(
            [
                va[self.ref],
                p_bal,
                q_bal,
                p_fr - ohm_p_fr,
                q_fr - ohm_q_fr,
                p_to - ohm_p_to,
                q_to - ohm_q_to,
                va[self.f_bus] - va[self.t_bus],
                thermal_fr,
                thermal_to,
            ]
        )

    # ------------------------------------------------------------------ checks
    def violation(self, x: np.ndarray, p: dict | None = None) -> float:
        """Largest bound or constraint violation at x (for reporting solutions)."""
        g = np.asarray(self.constraints(x, p))
        parts = [self.lb - x, x - self.ub, self.cl - g, g - self.cu]
        return float(max(0.0, *(np.max(p, initial=0.0) for p in parts)))

    def nlp(self, **options) -> asd.NLP:
        """The model as an ``asd.NLP`` (trace, detection and colouring happen here);
        ``options`` go to ``asd.NLP`` (e.g. ``hessian_mode``). A model with parameters
        gives a parametric NLP, prepared at the case's own values (``args=(p,)``):
        ``nlp.solve(args=(model.params(pd=...),))`` solves at others."""
        if self.parameters:
            options.setdefault("args", (self.params(),))
        return asd.NLP(
            self.objective,
            self.x0,
            lb=self.lb,
            ub=self.ub,
            constraints=self.constraints,
            cl=self.cl,
            cu=self.cu,
            **options,
        )

    def __repr__(self) -> str:
        return f"ACOPF({self.data.name!r}, n={self.n}, m={self.m}, n_eq={self.n_eq})"


def build_acopf(data: OPFData, parameters=()) -> ACOPF:
    """The polar AC-OPF model of preprocessed case data."""
    return ACOPF(data, parameters)


def load_acopf(name_or_path: str | os.PathLike[str], parameters=()) -> ACOPF:
    """The AC-OPF model of a case given by name or path (see :func:`cases.matpower.load_case`);
    ``parameters`` as in :class:`ACOPF`."""
    return ACOPF(load_opf_data(name_or_path), parameters)
