"""Ipopt backends: the C interface (compiled or Python callbacks) against cyipopt.

Every backend must give the same solution, multipliers, timings, re-raised callback
exceptions and non-finite stops. The C backend always has a library to load (the
cyipopt-wheels dependency ships one; the test extra adds casadi's, with METIS), so
both backends run everywhere these tests run.
"""

import ctypes
import subprocess
import sys

import numpy as np
import pytest

import asd
from asd.nlp.compiled import CompiledCallbacks, supported
from asd.nlp.ipopt import choose_backend
from asd.nlp.ipopt_library import candidate_paths, find_library
from cases.matpower import baseline_objective
from solvers.acopf import load_acopf
from tests.test_nlp import HS071_F, HS071_X, Boom, chained_rosenbrock, hs071

BACKENDS = ["cyipopt", "c"]


def test_a_c_library_is_found_and_reported():
    lib = find_library()
    assert lib is not None
    assert lib.version.count(".") == 2
    assert {s for s, _ in candidate_paths()} <= {"ASD_IPOPT_LIBRARY", "casadi", "cyipopt-wheels"}
    res = hs071().solve(backend="c", callbacks="compiled")
    info = res.info
    assert info["backend"] == "c" and info["callbacks"] == "compiled"
    assert info["ipopt_version"] == lib.version and info["library"] == str(lib.path)
    assert info["linear_solver"] == "mumps"
    assert info["mumps_pivot_order"] == 0  # the measured default (docs/design.md)
    assert choose_backend("auto")[0] == "c"


def test_finding_the_library_does_not_import_casadi():
    code = (
        "import sys; from asd.nlp.ipopt_library import find_library; find_library(); "
        "assert 'casadi' not in sys.modules, 'casadi imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


@pytest.mark.parametrize("backend", BACKENDS)
def test_hs071_on_each_backend(backend):
    res = hs071().solve({"tol": 1e-10}, backend=backend)
    assert res.success, res.message
    assert res.info["backend"] == backend
    assert res.fun == pytest.approx(HS071_F, rel=1e-8)
    assert np.allclose(res.x, HS071_X, atol=1e-6)
    assert res.nit > 0
    assert set(res.ncalls) == {"objective", "constraints", "gradient", "jacobian", "hessian"}
    assert res.timing["callbacks"] > 0
    assert res.timing["total"] >= res.timing["callbacks"]


def test_backends_agree_on_hs071_multipliers():
    opts = {"tol": 1e-10, "mumps_pivot_order": 0}
    ref = hs071().solve(opts, backend="cyipopt")
    for callbacks in ("compiled", "python"):
        res = hs071().solve(opts, backend="c", callbacks=callbacks)
        assert res.info["callbacks"] == callbacks
        assert res.nit == ref.nit
        assert np.allclose(res.x, ref.x, rtol=1e-9, atol=1e-12)
        for key in ("mult_g", "mult_x_L", "mult_x_U", "constraints"):
            assert np.allclose(res[key], ref[key], rtol=1e-7, atol=1e-9), key


def _call(cb, signature, *args):
    return ctypes.CFUNCTYPE(*signature)(cb.address)(*args)


def _compiled_values(nlp, x, lam, sigma):
    """Call the compiled callbacks directly on x: (f, g, grad, jac, hess)."""
    cc = CompiledCallbacks(nlp)
    mod, ud = cc.module, ctypes.c_void_p(cc.user_data)
    dp = ctypes.POINTER(ctypes.c_double)
    ip = ctypes.POINTER(ctypes.c_int)
    c_int, c_dbl, c_u8 = ctypes.c_int32, ctypes.c_double, ctypes.c_uint8
    x = np.ascontiguousarray(x, np.float64)
    n, m = nlp.n, nlp.m
    f, g, grad = np.zeros(1), np.zeros(m), np.zeros(n)
    jac, hess = np.zeros(nlp.nnz_jacobian()), np.zeros(nlp.nnz_hessian_lag())
    lam = np.ascontiguousarray(lam, np.float64)

    def p(a):
        return a.ctypes.data_as(dp)

    _call(mod.eval_f, (c_int, c_int, dp, c_u8, dp, ctypes.c_void_p), n, p(x), 1, p(f), ud)
    sig_g = (c_int, c_int, dp, c_u8, c_int, dp, ctypes.c_void_p)
    _call(mod.eval_g, sig_g, n, p(x), 1, m, p(g), ud)
    sig_grad = (c_int, c_int, dp, c_u8, dp, ctypes.c_void_p)
    _call(mod.eval_grad_f, sig_grad, n, p(x), 1, p(grad), ud)
    sig_j = (c_int, c_int, dp, c_u8, c_int, c_int, ip, ip, dp, ctypes.c_void_p)
    _call(mod.eval_jac_g, sig_j, n, p(x), 1, m, jac.size, None, None, p(jac), ud)
    sig_h = (c_int, c_int, dp, c_u8, c_dbl, c_int, dp, c_u8, c_int, ip, ip, dp, ctypes.c_void_p)
    _call(mod.eval_h, sig_h, n, p(x), 1, sigma, m, p(lam), 1, hess.size, None, None, p(hess), ud)
    assert cc.error() is None
    return f[0], g, grad, jac, hess


def _python_values(nlp, x, lam, sigma):
    return (
        nlp.objective(x),
        nlp.constraints(x),
        nlp.gradient(x),
        nlp.jacobian(x),
        nlp.hessian(x, lam, sigma),
    )


def _param_objective(x, p):
    return np.sum(p[0] * (x[1:] - x[:-1] ** 2) ** 2 + (p[1] - x[:-1]) ** 2)


def _param_constraints(x, p):
    return np.array([np.sum(x**2) - p[2], x[0] * x[-1]])


@pytest.mark.parametrize("mode", ["direct", "colored"])
def test_compiled_callbacks_equal_the_python_evaluations_bit_for_bit(mode):
    nlp = asd.NLP(
        _param_objective,
        np.full(12, 0.5),
        constraints=_param_constraints,
        cl=[-np.inf, -1.0],
        cu=[4.0, 1.0],
        hessian_mode=mode,
        args=(np.array([100.0, 1.0, 3.0]),),
    )
    assert nlp.hessian_engine.mode == mode
    assert supported(nlp) is None
    other = nlp.with_args(np.array([7.0, 0.3, 2.0]))  # parameters reach the table
    rng = np.random.default_rng(0)
    for problem in (nlp, other):
        x = rng.uniform(-1, 1, 12)
        lam = np.array([0.7, -1.3])
        got = _compiled_values(problem, x, lam, 0.5)
        want = _python_values(problem, x, lam, 0.5)
        for a, b in zip(got, want):
            assert np.array_equal(a, b)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("where", ["objective", "gradient", "constraints", "jacobian", "hessian"])
def test_callback_exceptions_reach_the_caller_on_each_backend(backend, where):
    nlp = hs071()
    original = getattr(nlp, where)
    calls = {"n": 0}

    def failing(*args):
        calls["n"] += 1
        if calls["n"] >= 2:
            raise Boom(f"from {where}")
        return original(*args)

    setattr(nlp, where, failing)
    assert supported(nlp) is not None  # a replaced method is Python: compiled is refused
    with pytest.raises(asd.CallbackError, match=f"from {where}") as info:
        nlp.solve(backend=backend)
    assert isinstance(info.value.__cause__, Boom)
    assert info.value.__cause__.__traceback__ is not None
    if backend == "c":
        with pytest.raises(asd.InputError, match="replaced"):
            nlp.solve(backend="c", callbacks="compiled")


@pytest.mark.parametrize("backend", BACKENDS)
def test_nan_in_a_derivative_stops_each_backend(backend):
    def objective(x):
        return np.sum(x**2) + np.log(x[0] + 1.0)  # infinite gradient at x0

    nlp = asd.NLP(objective, [-1.0, 0.5], lb=-2.0, ub=2.0)
    with pytest.raises(asd.NonFiniteError, match="gradient callback produced 1 non-finite"):
        nlp.solve(backend=backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_progress_and_rosenbrock_on_each_backend(backend):
    nlp = asd.NLP(chained_rosenbrock, np.full(200, 0.5), hessian_mode="colored")
    seen = []
    res = nlp.solve({"tol": 1e-10}, progress=lambda it, *rest: seen.append(it), backend=backend)
    assert res.success
    assert np.allclose(res.x, 1.0, atol=1e-6)
    assert seen[0] == 0 and seen[-1] == res.nit
    assert nlp.timings.calls["hessian"] == res.ncalls["hessian"] > 0


def test_bad_choices_are_input_errors():
    with pytest.raises(asd.InputError, match="backend must be one of"):
        hs071().solve(backend="fortran")
    for backend in BACKENDS:
        with pytest.raises(asd.InputError, match="callbacks must be"):
            hs071().solve(backend=backend, callbacks="jit")
    with pytest.raises(asd.InputError, match="refused the option no_such_option"):
        hs071().solve({"no_such_option": 1}, backend="c")
    with pytest.raises(asd.InputError, match="need backend='c'"):
        hs071().solve(backend="cyipopt", callbacks="compiled")


@pytest.mark.parametrize("name", ["case5_pjm", "case14_ieee", "case118_ieee"])
def test_pglib_cases_agree_across_backends(name):
    model = load_acopf(f"pglib_opf_{name}")
    nlp = model.nlp()
    opts = {"tol": 1e-8, "mumps_pivot_order": 0}
    ref = nlp.solve(opts, backend="cyipopt")
    res = nlp.solve(opts, backend="c", callbacks="compiled")
    assert res.info["callbacks"] == "compiled"
    for r in (ref, res):
        assert r.status == 0, r.message
        assert r.fun == pytest.approx(baseline_objective(f"pglib_opf_{name}"), rel=1e-4)
    assert res.fun == pytest.approx(ref.fun, rel=1e-9)
    assert np.allclose(res.x, ref.x, rtol=1e-5, atol=1e-6)
    scale = max(1.0, np.abs(ref.mult_g).max())
    assert np.abs(res.mult_g - ref.mult_g).max() < 1e-4 * scale


def test_non_finite_values_are_recorded_alike_by_compiled_and_python_callbacks():
    def objective(x):  # NaN where a trial step puts x0 below -0.5
        return np.sum(x**2) + np.sqrt(x[0] + 0.5)

    nlp = asd.NLP(objective, [3.0, 1.0], lb=-10.0, ub=10.0)
    compiled = nlp.solve(backend="c", callbacks="compiled")
    python = nlp.solve(backend="c", callbacks="python")
    assert compiled.nan_values, "the trial steps should have met NaN values"
    assert compiled.nan_values == python.nan_values
    assert compiled.nan_values[0].startswith("asd: the objective callback produced 1 non-finite")
    assert (compiled.status, compiled.nit) == (python.status, python.nit)
    assert np.array_equal(compiled.x, python.x)


def test_acyclic_hessians_fall_back_to_python_callbacks():
    nlp = asd.NLP(
        chained_rosenbrock, np.full(50, 0.5), hessian_mode="colored", hessian_coloring="acyclic"
    )
    assert "acyclic" in supported(nlp)
    res = nlp.solve({"tol": 1e-10}, backend="c")
    assert res.info["callbacks"] == "python"
    assert np.allclose(res.x, 1.0, atol=1e-6)


def test_compiled_callbacks_with_repeated_and_linear_outputs():
    def objective(x):
        return x[0] * x[1] + np.exp(x[2]) * x[3]

    def constraints(x):
        p = x[0] * x[1]
        return np.stack([p, p, x[2] + 1.0, np.sum(x), p * x[3]])  # a repeated output node

    nlp = asd.NLP(objective, np.full(4, 0.3), constraints=constraints)
    assert not nlp._jac.plan()["outputs_first"]  # the gathered read-out
    x = np.array([0.4, -1.2, 0.7, 2.0])
    lam = np.array([1.0, -2.0, 0.5, 3.0, -0.25])
    got = _compiled_values(nlp, x, lam, 1.5)
    want = _python_values(nlp, x, lam, 1.5)
    for a, b in zip(got, want):
        assert np.array_equal(a, b)


def test_auto_callbacks_compile_from_the_second_solve_of_a_kind(monkeypatch, tmp_path):
    """A one-off solve does not compile callbacks (Python ones run), unless they are
    cached; the next solve of the same kind compiles them."""
    from asd.nlp import cfunc_source

    monkeypatch.setattr(cfunc_source, "_solved", set())
    monkeypatch.setattr(cfunc_source, "_modules", {})
    monkeypatch.setenv("ASD_CACHE_DIR", str(tmp_path))  # nothing compiled there yet
    nlp = hs071()
    first = nlp.solve(backend="c")
    assert first.info["callbacks"] == "python"
    assert "first solve" in first.info["python_callbacks_reason"]
    second = nlp.solve(backend="c")
    assert second.info["callbacks"] == "compiled"
    assert second.fun == pytest.approx(first.fun, rel=1e-10)
