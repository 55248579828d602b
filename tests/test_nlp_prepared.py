"""A prepared NLP travels and restarts: preparation counters, pickling without the
user's functions (a fresh process evaluates with no re-trace), primal-dual warm starts."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import asd

ROOT = Path(__file__).resolve().parents[1]


def test_preparation_counts_count_each_step():
    before = asd.preparation_counts()
    assert set(before) == {"trace", "detection", "coloring"}
    pattern = asd.jacobian_sparsity(lambda x: x[1:] * x[:-1], np.ones(5))
    asd.color(pattern)
    after = asd.preparation_counts()
    assert after["trace"] == before["trace"] + 1
    assert after["detection"] == before["detection"] + 1
    assert after["coloring"] == before["coloring"] + 1
    after["trace"] += 100  # a copy: the counters do not change
    assert asd.preparation_counts()["trace"] == before["trace"] + 1


def _parametric_nlp(scale: float) -> asd.NLP:
    """An NLP whose functions are closures (no module can import them by name)."""

    def objective(x, p):
        return scale * np.sum((x - p) ** 2) + np.sum(x[1:] * x[:-1])

    def constraints(x, p):
        return x[1:] ** 2 + x[:-1] - p[1:]

    return asd.NLP(
        objective, np.ones(4), constraints=constraints, cl=-1.0, cu=5.0, args=(np.ones(4),)
    )


LOAD = np.array([2.0, 0.5, 1.0, 3.0])
OPTS = {"tol": 1e-10}


def test_nlp_pickles_without_its_functions(tmp_path):
    nlp = _parametric_nlp(1.5)
    ref = nlp.solve(OPTS, args=(LOAD,))
    blob = tmp_path / "nlp.pickle"
    blob.write_bytes(pickle.dumps(nlp))
    script = f"""
import pickle, numpy as np, asd
nlp = pickle.loads(open({str(blob)!r}, "rb").read())
res = nlp.solve({OPTS!r}, args=(np.array({LOAD.tolist()!r}),))
print(repr(res.fun), res.nit, asd.preparation_counts())
"""
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**__import__("os").environ, "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}"},
        check=True,
    ).stdout.split(maxsplit=2)
    assert float(out[0]) == ref.fun and int(out[1]) == ref.nit
    assert out[2].strip() == "{'trace': 0, 'detection': 0, 'coloring': 0}"


def test_pickled_nlp_keeps_bounds_and_structures():
    nlp = _parametric_nlp(1.0)
    other = pickle.loads(pickle.dumps(nlp))
    assert other._objective is None and other._constraints is None
    for name in ("x0", "lb", "ub", "cl", "cu"):
        assert np.array_equal(getattr(other, name), getattr(nlp, name))
    x = np.linspace(0.2, 1.1, 4)
    assert np.array_equal(other.jacobian(x), nlp.jacobian(x))
    lam = np.linspace(-1, 1, nlp.m)
    assert np.array_equal(other.hessian(x, lam, 0.7), nlp.hessian(x, lam, 0.7))
    assert other.jacobianstructure()[1].tolist() == nlp.jacobianstructure()[1].tolist()


def test_warm_start_from_a_nearby_solution():
    nlp = _parametric_nlp(1.0)
    base = nlp.solve(OPTS, args=(LOAD,))
    near = LOAD * 1.05
    cold = nlp.solve(OPTS, args=(near,))
    warm = nlp.solve(
        {
            **OPTS,
            "warm_start_bound_push": 1e-8,
            "warm_start_mult_bound_push": 1e-8,
            "mu_init": 1e-6,
        },
        args=(near,),
        warm_start=base,
    )
    assert cold.success and warm.success
    assert warm.fun == pytest.approx(cold.fun, rel=1e-9)
    np.testing.assert_allclose(warm.x, cold.x, rtol=1e-7, atol=1e-9)
    assert warm.nit < cold.nit
    # a mapping works as well as a result
    parts = {k: base[k] for k in ("x", "mult_g", "mult_x_L", "mult_x_U")}
    again = nlp.solve(OPTS, args=(near,), warm_start=parts)
    assert again.fun == pytest.approx(cold.fun, rel=1e-9)


def test_warm_start_errors():
    nlp = _parametric_nlp(1.0)
    res = nlp.solve(OPTS)
    with pytest.raises(asd.InputError, match="either x0 or warm_start"):
        nlp.solve(x0=res.x, warm_start=res)
    with pytest.raises(asd.InputError, match="mapping with x, mult_g"):
        nlp.solve(warm_start=res.x)
    short = {**{k: res[k] for k in ("x", "mult_x_L", "mult_x_U")}, "mult_g": np.zeros(2)}
    with pytest.raises(asd.InputError, match="warm_start mult_g has 2 values, expected 3"):
        nlp.solve(warm_start=short)
    with pytest.raises(asd.InputError, match="x0 contains NaN"):
        nlp.solve(x0=[np.nan, 1, 1, 1])
    with pytest.raises(asd.InputError, match="x0 has 3 values, expected 4"):
        nlp.solve(x0=[1.0, 1, 1])
