"""Polar AC-OPF model: sizes against case_stats.csv, formulas against independent
references, traced-array hygiene, and small end-to-end Ipopt solves against PGLib baselines.

Derivatives here are complex-step test oracles only (exact to rounding for analytic code).
"""

from __future__ import annotations

import csv

import numpy as np
import pytest

from cases import matpower
from cases.matpower import baseline_objective, parse_matpower
from cases.opf_data import OPFData, load_opf_data, prepare_opf_data
from solvers.acopf import build_acopf, load_acopf

SHARED = matpower.SHARED_PGLIB_DIR
WARMUP = SHARED.parents[1] / "cases" / "rosetta" / "opf_warmup.m"
needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(), reason=f"PGLib cases not found at {SHARED} (../shared beside the repo)"
)


def _stats() -> list[dict[str, str]]:
    path = SHARED / "case_stats.csv"
    if not path.is_file():
        return []
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


STATS = _stats()
UP_TO_3000 = [r for r in STATS if int(r["buses"]) <= 3000]

TINY = """function mpc = tiny
mpc.baseMVA = 100;
mpc.bus = [
  1 3 0   0  0  0 1 1 0 1 1 1.1 0.9;
  2 1 50 20  3  0 1 1 0 1 1 1.1 0.9;
  3 2 30 10  0 -4 1 1 0 1 1 1.1 0.9;
];
mpc.gen = [1 0 0 100 -100 1 100 1 200 0; 3 0 0 50 -50 1 100 1 80 10];
mpc.gencost = [2 0 0 3 0.01 20 5; 2 0 0 3 0.02 15 1];
mpc.branch = [
  1 2 0.01 0.1 0.02 150 0 0 0    0  1 -30 30;
  2 3 0.02 0.2 0.04 150 0 0 1.05 4  1 -30 30;
  1 3 0.01 0.2 0.00 150 0 0 0.95 -3 1 -30 30;
];
"""


def tiny() -> OPFData:
    return prepare_opf_data(parse_matpower(TINY, "tiny"))


def complex_step_jacobian(f, x: np.ndarray, h: float = 1e-30) -> np.ndarray:
    """Dense d f / d x by the complex step (test oracle, exact to rounding)."""
    cols = []
    for i in range(len(x)):
        xc = x.astype(complex)
        xc[i] += 1j * h
        cols.append(np.imag(np.atleast_1d(f(xc))) / h)
    return np.array(cols).T


def random_point(model, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, model.n)
    x[model.var.vm] = rng.uniform(0.9, 1.1, model.data.n_bus)
    x[model.var.va] *= 0.3
    return x


# ------------------------------------------------------------------ sizes


@needs_shared
@pytest.mark.parametrize("row", UP_TO_3000, ids=[r["case"] for r in UP_TO_3000])
def test_counts_match_case_stats(row):
    d = load_opf_data(row["file"][:-2])
    model = build_acopf(d)
    pairs = {(min(f, t), max(f, t)) for f, t in zip(d.f_bus.tolist(), d.t_bus.tolist())}
    jac_eq = d.n_ref + 4 * d.n_branch + 2 * d.n_gen + 20 * d.n_branch
    jac_eq += int((d.gs != 0).sum() + (d.bs != 0).sum())
    got = {
        "nvar": model.n,
        "ncon": model.m,
        "buses": d.n_bus,
        "gens_active": d.n_gen,
        "branches_active": d.n_branch,
        "ref_buses": d.n_ref,
        "bus_pairs": len(pairs),
        "inactive_buses": d.inactive_buses,
        "inactive_gens": d.inactive_gens,
        "inactive_branches": d.inactive_branches,
        "jac_nnz_eq": jac_eq,
        "jac_nnz_ineq": 6 * d.n_branch,
    }
    assert got == {k: int(row[k]) for k in got}
    assert model.x0.shape == model.lb.shape == model.ub.shape == (model.n,)
    assert model.cl.shape == model.cu.shape == (model.m,)
    assert np.all(model.lb <= model.ub) and np.all(model.cl <= model.cu)


def test_variable_and_constraint_layout():
    model = build_acopf(tiny())
    v, c = model.var, model.con
    assert (model.n, model.m, model.n_eq) == (2 * 3 + 2 * 2 + 4 * 3, 1 + 2 * 3 + 7 * 3, 1 + 6 + 12)
    assert [s.stop - s.start for s in (v.va, v.vm, v.pg, v.qg, v.p_fr, v.p_to, v.q_fr, v.q_to)] == [
        3,
        3,
        2,
        2,
        3,
        3,
        3,
        3,
    ]
    assert v.q_to.stop == model.n and c["thermal_to"].stop == model.m
    assert c["angle"].start == model.n_eq
    x0 = model.x0
    assert np.all(x0[v.vm] == 1) and np.count_nonzero(x0) == 3
    assert np.all(model.initial_point("clamped")[v.pg] == [0, 0.1])
    assert np.all(model.initial_point("file")[v.vm] == 1)
    with pytest.raises(ValueError, match="unknown start"):
        model.initial_point("hot")
    d = model.data
    np.testing.assert_array_equal(model.lb[v.pg], d.pmin)
    np.testing.assert_array_equal(model.ub[v.q_to], d.rate_a)
    assert np.all(model.lb[v.va] == -np.inf) and np.all(model.ub[v.va] == np.inf)
    assert np.all(model.cl[: model.n_eq] == 0) and np.all(model.cu[: model.n_eq] == 0)
    np.testing.assert_array_equal(model.cu[c["thermal_fr"]], d.rate_a**2)
    np.testing.assert_array_equal(model.cl[c["angle"]], d.angmin)


# ------------------------------------------------------------------ formulas


def _reference_flows(d: OPFData, vm, va):
    """Branch power flows from the complex form of PGLib's MODEL.tex."""
    V = vm * np.exp(1j * va)
    Vf, Vt = V[d.f_bus], V[d.t_bus]
    Y = d.g + 1j * d.b
    T = d.tap * np.exp(1j * d.shift)
    s_fr = np.conj(Y + d.g_fr + 1j * d.b_fr) * abs(Vf) ** 2 / abs(T) ** 2
    s_fr -= np.conj(Y) * Vf * np.conj(Vt) / T
    s_to = np.conj(Y + d.g_to + 1j * d.b_to) * abs(Vt) ** 2 - np.conj(Y) * np.conj(
        Vf
    ) * Vt / np.conj(T)
    return s_fr, s_to


def _check_against_loops(model, x):
    d, v, c = model.data, model.var, model.con
    g = model.constraints(x)
    s_fr, s_to = _reference_flows(d, x[v.vm], x[v.va])
    np.testing.assert_allclose(x[v.p_fr] - g[c["p_fr"]], s_fr.real, atol=1e-12)
    np.testing.assert_allclose(x[v.q_fr] - g[c["q_fr"]], s_fr.imag, atol=1e-12)
    np.testing.assert_allclose(x[v.p_to] - g[c["p_to"]], s_to.real, atol=1e-12)
    np.testing.assert_allclose(x[v.q_to] - g[c["q_to"]], s_to.imag, atol=1e-12)
    p_arc, q_arc = x[v.p_fr.start : v.p_to.stop], x[v.q_fr.start : v.q_to.stop]
    arc_bus = np.concatenate([d.f_bus, d.t_bus])
    vm, pg, qg = x[v.vm], x[v.pg], x[v.qg]
    for i in range(d.n_bus):
        gens = d.gen_bus == i
        p = p_arc[arc_bus == i].sum() - pg[gens].sum() + d.pd[i] + d.gs[i] * vm[i] ** 2
        q = q_arc[arc_bus == i].sum() - qg[gens].sum() + d.qd[i] - d.bs[i] * vm[i] ** 2
        assert g[c["p_balance"]][i] == pytest.approx(p, abs=1e-12)
        assert g[c["q_balance"]][i] == pytest.approx(q, abs=1e-12)
    np.testing.assert_array_equal(g[c["ref"]], x[v.va][d.ref_buses])
    np.testing.assert_allclose(g[c["angle"]], x[v.va][d.f_bus] - x[v.va][d.t_bus])
    np.testing.assert_allclose(g[c["thermal_fr"]], x[v.p_fr] ** 2 + x[v.q_fr] ** 2)
    np.testing.assert_allclose(g[c["thermal_to"]], x[v.p_to] ** 2 + x[v.q_to] ** 2)
    cost = sum(d.c2[k] * pg[k] ** 2 + d.c1[k] * pg[k] + d.c0[k] for k in range(d.n_gen))
    assert model.objective(x) == pytest.approx(cost, rel=1e-13)


def test_tiny_case_with_taps_shifts_and_shunts_matches_loop_references():
    model = build_acopf(tiny())
    for seed in range(3):
        _check_against_loops(model, random_point(model, seed))


@needs_shared
@pytest.mark.skipif(not WARMUP.is_file(), reason=f"{WARMUP} not found")
def test_rosetta_warmup_case_matches_loop_references():
    model = build_acopf(load_opf_data(WARMUP))
    assert (model.n, model.m) == (32, 37)  # published by rosetta-opf
    _check_against_loops(model, random_point(model, 4))


@needs_shared
@pytest.mark.parametrize("name", ["pglib_opf_case3_lmbd", "pglib_opf_case14_ieee"])
def test_jacobian_structure_matches_case_stats(name):
    row = next(r for r in STATS if r["case"] == name)
    model = build_acopf(load_opf_data(name))
    J = complex_step_jacobian(model.constraints, random_point(model))
    assert np.count_nonzero(J[: model.n_eq]) == int(row["jac_nnz_eq"])
    assert np.count_nonzero(J[model.n_eq :]) == int(row["jac_nnz_ineq"])


class _Strict(np.ndarray):
    """An array that refuses what a tracer cannot do: Python scalars and truth values.

    Elements and reductions stay 0-d ``_Strict`` arrays, so ``float(x[0])``,
    ``float(x.sum())`` and ``if x[0] > 0`` all fail.
    """

    def __array_wrap__(self, obj, context=None, return_scalar=False):
        return super().__array_wrap__(obj, context, False)

    def __array_function__(self, func, types, args, kwargs):
        out = super().__array_function__(func, types, args, kwargs)
        return np.asarray(out).view(_Strict) if isinstance(out, np.generic) else out

    def __getitem__(self, key):
        out = super().__getitem__(key)
        return out if isinstance(out, np.ndarray) else np.asarray(out).view(_Strict)

    def _refuse(self, *args):
        raise AssertionError("model code converted a variable-dependent value to Python")

    __float__ = __int__ = __bool__ = __index__ = __complex__ = item = tolist = _refuse


def test_strict_array_catches_scalar_conversions():
    strict = np.arange(3.0).view(_Strict)
    for bad in (
        lambda: float(strict[0]),
        lambda: float(strict.sum()),
        lambda: 1 if strict[1] > 0 else 0,
        lambda: float(np.dot(strict, strict)),
    ):
        with pytest.raises(AssertionError, match="converted"):
            bad()


def test_model_functions_stay_in_array_operations():
    model = build_acopf(tiny())
    x = random_point(model)
    strict = x.view(_Strict)
    np.testing.assert_array_equal(np.asarray(model.constraints(strict)), model.constraints(x))
    assert np.asarray(model.objective(strict)) == model.objective(x)


# ------------------------------------------------------------------ solves


def _solve(model):
    cyipopt = pytest.importorskip("cyipopt")
    x = random_point(model)
    rows, cols = np.nonzero(complex_step_jacobian(model.constraints, x))

    class Oracle:
        def objective(self, x):
            return model.objective(x)

        def gradient(self, x):
            return complex_step_jacobian(model.objective, x)[0]

        def constraints(self, x):
            return model.constraints(x)

        def jacobianstructure(self):
            return rows, cols

        def jacobian(self, x):
            return complex_step_jacobian(model.constraints, x)[rows, cols]

    problem = cyipopt.Problem(
        n=model.n,
        m=model.m,
        problem_obj=Oracle(),
        lb=model.lb,
        ub=model.ub,
        cl=model.cl,
        cu=model.cu,
    )
    for key, value in (("hessian_approximation", "limited-memory"), ("print_level", 0)):
        problem.add_option(key, value)
    problem.add_option("sb", "yes")
    return problem.solve(model.x0)


@needs_shared
@pytest.mark.parametrize("name", ["case3_lmbd", "case5_pjm", "case14_ieee"])
def test_small_cases_reach_the_pglib_baseline(name):
    model = load_acopf(name)
    x, info = _solve(model)
    assert info["status"] == 0, info["status_msg"]
    assert model.violation(x) < 1e-6
    assert info["obj_val"] == pytest.approx(baseline_objective(name), rel=1e-4)
