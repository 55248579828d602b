"""Turn a MATPOWER case into per-unit arrays for the polar AC-OPF (docs: acopf-model.md).

Follows the PowerModels-style preprocessing rosetta-opf applies before building its model:
per-unit conversion, tap 0 -> 1, split line charging, bus-type repair, status filtering,
angle-difference and thermal-limit fixes, and quadratic cost coefficients scaled to p.u.
Not done: reorienting parallel branches that run opposite to an earlier one (an exact
re-parametrisation, so the optimum is the same; only p_fr/p_to of those arcs swap roles).
Polynomial costs of degree > 2 and non-polynomial costs of active generators are errors.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np

from cases.matpower import MatpowerCase, load_case

__all__ = ["OPFData", "OPFDataError", "prepare_opf_data", "load_opf_data", "ANGLE_PAD"]

#: Angle-difference bound (rad) that replaces missing or |angle| >= 90 deg limits.
ANGLE_PAD = 1.0472

# MATPOWER column indices (0-based)
BUS_I, BUS_TYPE, PD, QD, GS, BS, VM, VA, VMAX, VMIN = 0, 1, 2, 3, 4, 5, 7, 8, 11, 12
GEN_BUS, PG, QG, QMAX, QMIN, GEN_STATUS, PMAX, PMIN = 0, 1, 2, 3, 4, 7, 8, 9
F_BUS, T_BUS, BR_R, BR_X, BR_B, RATE_A = 0, 1, 2, 3, 4, 5
TAP, SHIFT, BR_STATUS, ANGMIN, ANGMAX = 8, 9, 10, 11, 12
PQ, PV, REF, ISOLATED = 1, 2, 3, 4


class OPFDataError(ValueError):
    """Case data the AC-OPF model cannot use (names the case and the component)."""


@dataclass
class OPFData:
    """Active buses, generators and branches of one case, per unit and in radians.

    Components are renumbered 0..k-1 in file order; ``*_ids`` map back (bus numbers for
    buses, 0-based table rows for generators and branches).
    """

    name: str
    base_mva: float
    # buses
    bus_ids: np.ndarray
    vmin: np.ndarray
    vmax: np.ndarray
    pd: np.ndarray  # total active load at the bus
    qd: np.ndarray
    gs: np.ndarray  # total shunt conductance at the bus
    bs: np.ndarray
    ref_buses: np.ndarray  # indices of reference buses
    # generators
    gen_ids: np.ndarray
    gen_bus: np.ndarray
    pmin: np.ndarray
    pmax: np.ndarray
    qmin: np.ndarray
    qmax: np.ndarray
    c2: np.ndarray  # cost c2 pg^2 + c1 pg + c0 in $/h with pg in p.u.
    c1: np.ndarray
    c0: np.ndarray
    # branches
    branch_ids: np.ndarray
    f_bus: np.ndarray
    t_bus: np.ndarray
    r: np.ndarray
    x: np.ndarray
    g: np.ndarray  # series admittance g + jb = 1/(r + jx)
    b: np.ndarray
    g_fr: np.ndarray
    b_fr: np.ndarray
    g_to: np.ndarray
    b_to: np.ndarray
    tap: np.ndarray
    shift: np.ndarray
    rate_a: np.ndarray
    angmin: np.ndarray
    angmax: np.ndarray
    # the case file's operating point, for alternative starts
    vm_file: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))
    va_file: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))
    pg_file: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))
    qg_file: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))
    # what was dropped, for reporting
    inactive_buses: int = 0
    inactive_gens: int = 0
    inactive_branches: int = 0

    @property
    def n_bus(self) -> int:
        return len(self.bus_ids)

    @property
    def n_gen(self) -> int:
        return len(self.gen_ids)

    @property
    def n_branch(self) -> int:
        return len(self.branch_ids)

    @property
    def n_ref(self) -> int:
        return len(self.ref_buses)

    def __repr__(self) -> str:
        return (
            f"OPFData({self.name!r}, buses={self.n_bus}, gens={self.n_gen}, "
            f"branches={self.n_branch}, ref={self.ref_buses.tolist()})"
        )


def load_opf_data(name_or_path: str | os.PathLike[str]) -> OPFData:
    """Find, read and preprocess a case (see :func:`cases.matpower.load_case`)."""
    return prepare_opf_data(load_case(name_or_path))


def _bus_index(case: MatpowerCase, numbers: np.ndarray, what: str) -> np.ndarray:
    """0-based bus rows of MATPOWER bus numbers; an error names unknown numbers."""
    ids = case.bus[:, BUS_I]
    order = np.argsort(ids, kind="stable")
    pos = np.searchsorted(ids[order], numbers)
    pos = np.minimum(pos, len(ids) - 1)
    rows = order[pos]
    bad = ids[rows] != numbers
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise OPFDataError(
            f"{case.name}: {what} row {k + 1} refers to bus {numbers[k]:g}, which is not in mpc.bus"
        )
    return rows


def _check_tables(case: MatpowerCase) -> None:
    if len(case.bus) == 0:
        raise OPFDataError(f"{case.name}: mpc.bus is empty")
    ids = case.bus[:, BUS_I]
    if len(np.unique(ids)) != len(ids):
        dup = ids[np.flatnonzero(np.diff(np.sort(ids)) == 0)[0]]
        raise OPFDataError(f"{case.name}: bus number {dup:g} appears twice in mpc.bus")
    loops = np.flatnonzero(case.branch[:, F_BUS] == case.branch[:, T_BUS])
    if len(loops):
        k = int(loops[0])
        raise OPFDataError(
            f"{case.name}: branch row {k + 1} connects bus {case.branch[k, F_BUS]:g} to itself"
        )
    negative = np.flatnonzero(case.branch[:, RATE_A] < 0)
    if len(negative):
        k = int(negative[0])
        raise OPFDataError(
            f"{case.name}: branch row {k + 1} has a negative rateA "
            f"({case.branch[k, RATE_A]:g}); use 0 for 'no limit'"
        )


def _repair_bus_types(types: np.ndarray, gen_rows: np.ndarray, gen: np.ndarray) -> np.ndarray:
    """Bus types made consistent with the active generators (PV iff a generator is there)."""
    types = types.copy()
    active = gen[:, GEN_STATUS] != 0
    if not active.any():
        return types
    has_gen = np.zeros(len(types), bool)
    has_gen[gen_rows[active]] = True
    types[(types == PQ) & has_gen] = PV
    types[(types == PV) & ~has_gen] = PQ
    types[(types == REF) & ~has_gen] = PQ
    if not (types == REF).any():
        candidates = np.flatnonzero(active)
        largest = candidates[np.argmax(gen[candidates, PMAX])]
        types[gen_rows[largest]] = REF
    return types


def _quadratic_costs(case: MatpowerCase, gens: np.ndarray) -> np.ndarray:
    """(len(gens), 3) array [c2, c1, c0] of p.u. costs; an error for any non-quadratic one."""
    gencost = case.gencost
    if gencost is None or len(gencost) < len(case.gen):
        have = 0 if gencost is None else len(gencost)
        raise OPFDataError(
            f"{case.name}: mpc.gencost has {have} rows for {len(case.gen)} generators; "
            "the AC-OPF objective needs one cost row per generator"
        )
    out = np.zeros((len(gens), 3))
    base = case.base_mva
    for j, k in enumerate(gens):
        row = gencost[k]
        model, ncoef = row[0], row[3]
        where = f"{case.name}: generator row {k + 1} (bus {case.gen[k, GEN_BUS]:g})"
        if model != 2:
            kind = "piecewise-linear (model 1)" if model == 1 else f"model {model:g}"
            raise OPFDataError(
                f"{where} has a {kind} cost; only polynomial costs (gencost model 2) are "
                "supported by this AC-OPF model"
            )
        n = int(ncoef)
        if n != ncoef or n < 0 or 4 + n > len(row):
            raise OPFDataError(f"{where}: gencost n = {ncoef:g} does not match the row length")
        coef = row[4 : 4 + n][::-1]  # now c0, c1, ..., c_{n-1}
        nz = np.flatnonzero(coef)
        degree = int(nz[-1]) if len(nz) else 0
        if degree > 2:
            raise OPFDataError(
                f"{where} has a polynomial cost of degree {degree}; only quadratic costs "
                "are supported"
            )
        scaled = coef[: degree + 1] * base ** np.arange(degree + 1)
        out[j, 2 - np.arange(degree + 1)] = scaled
    return out


def _thermal_limits(
    rate_a: np.ndarray,
    r: np.ndarray,
    x: np.ndarray,
    vmax_f: np.ndarray,
    vmax_t: np.ndarray,
    angmin: np.ndarray,
    angmax: np.ndarray,
) -> np.ndarray:
    """Rating (p.u.) with missing (zero) ones synthesised from |y|, vmax and the angle limit."""
    z2 = r * r + x * x
    y_abs = np.where(z2 > 0, 1.0 / np.sqrt(np.where(z2 > 0, z2, 1.0)), 0.0)
    theta = np.maximum(np.abs(angmin), np.abs(angmax))
    vm = np.maximum(vmax_f, vmax_t)
    synth = y_abs * vm * np.sqrt(vmax_f**2 + vmax_t**2 - 2 * vmax_f * vmax_t * np.cos(theta))
    return np.where(rate_a > 0, rate_a, synth)


def prepare_opf_data(case: MatpowerCase) -> OPFData:
    """Preprocess a MATPOWER case as PowerModels does before rosetta-opf builds its model."""
    _check_tables(case)
    base = case.base_mva
    bus, gen, branch = case.bus, case.gen, case.branch
    gen_rows = _bus_index(case, gen[:, GEN_BUS], "generator")
    f_rows = _bus_index(case, branch[:, F_BUS], "branch")
    t_rows = _bus_index(case, branch[:, T_BUS], "branch")

    types = _repair_bus_types(bus[:, BUS_TYPE].astype(int), gen_rows, gen)
    bus_keep = types != ISOLATED
    new_index = np.cumsum(bus_keep) - 1  # file row -> active bus index
    gen_keep = (gen[:, GEN_STATUS] != 0) & bus_keep[gen_rows]
    br_keep = (branch[:, BR_STATUS] != 0) & bus_keep[f_rows] & bus_keep[t_rows]
    gens = np.flatnonzero(gen_keep)
    brs = np.flatnonzero(br_keep)
    ref = new_index[np.flatnonzero(bus_keep & (types == REF))]

    b_act = bus[bus_keep]
    g_act = gen[gens]
    br = branch[brs]
    f_bus, t_bus = new_index[f_rows[brs]], new_index[t_rows[brs]]
    vmax = b_act[:, VMAX]

    r, x, charging = br[:, BR_R], br[:, BR_X], br[:, BR_B]
    z2 = r * r + x * x
    safe = np.where(z2 > 0, z2, 1.0)
    g = np.where(z2 > 0, r / safe, 0.0)
    b = np.where(z2 > 0, -x / safe, 0.0)
    tap = br[:, TAP].copy()
    tap[tap <= 0] = 1.0  # ratio 0 means "no transformer"
    ncol = branch.shape[1]
    angmin = np.deg2rad(br[:, ANGMIN] if ncol > ANGMIN else np.full(len(br), -360.0))
    angmax = np.deg2rad(br[:, ANGMAX] if ncol > ANGMAX else np.full(len(br), 360.0))
    both_zero = (angmin == 0) & (angmax == 0)
    angmin = np.where((angmin <= -np.pi / 2) | both_zero, -ANGLE_PAD, angmin)
    angmax = np.where((angmax >= np.pi / 2) | both_zero, ANGLE_PAD, angmax)
    rate_a = _thermal_limits(br[:, RATE_A] / base, r, x, vmax[f_bus], vmax[t_bus], angmin, angmax)

    cost = _quadratic_costs(case, gens)
    return OPFData(
        name=case.name,
        base_mva=base,
        bus_ids=b_act[:, BUS_I].astype(np.int64),
        vmin=b_act[:, VMIN].copy(),
        vmax=vmax.copy(),
        pd=b_act[:, PD] / base,
        qd=b_act[:, QD] / base,
        gs=b_act[:, GS] / base,
        bs=b_act[:, BS] / base,
        ref_buses=ref.astype(np.int64),
        gen_ids=gens.astype(np.int64),
        gen_bus=new_index[gen_rows[gens]].astype(np.int64),
        pmin=g_act[:, PMIN] / base,
        pmax=g_act[:, PMAX] / base,
        qmin=g_act[:, QMIN] / base,
        qmax=g_act[:, QMAX] / base,
        c2=cost[:, 0].copy(),
        c1=cost[:, 1].copy(),
        c0=cost[:, 2].copy(),
        branch_ids=brs.astype(np.int64),
        f_bus=f_bus.astype(np.int64),
        t_bus=t_bus.astype(np.int64),
        r=r.copy(),
        x=x.copy(),
        g=g,
        b=b,
        g_fr=np.zeros(len(br)),
        b_fr=charging / 2,
        g_to=np.zeros(len(br)),
        b_to=charging / 2,
        tap=tap,
        shift=np.deg2rad(br[:, SHIFT]),
        rate_a=rate_a,
        angmin=angmin,
        angmax=angmax,
        vm_file=b_act[:, VM].copy(),
        va_file=np.deg2rad(b_act[:, VA]),
        pg_file=g_act[:, PG] / base,
        qg_file=g_act[:, QG] / base,
        inactive_buses=int((~bus_keep).sum()),
        inactive_gens=int(len(gen) - len(gens)),
        inactive_branches=int(len(branch) - len(brs)),
    )
