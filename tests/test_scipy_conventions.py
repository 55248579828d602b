"""asd's prepared objects with their defaults in every scipy entry point that takes them.

Each entry point runs on a small problem (compared with a hand-written derivative and
with scipy's own finite differences) and the sparse-aware ones on a large sparse
problem (n = 10⁴). The "auto" output rule is tested at its threshold.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.integrate import solve_ivp
from scipy.optimize import NonlinearConstraint, least_squares, minimize, root

import asd
from asd.derivatives.output import AUTO_DENSE_ENTRIES

# -- problems with hand-written derivatives -------------------------------------------


def broyden(x):
    """Broyden's tridiagonal system; a root near -0.5 .. -0.7."""
    xp = np.concatenate([x[1:], [0.0]])
    xm = np.concatenate([[0.0], x[:-1]])
    return (3 - 2 * x) * x - xm - 2 * xp + 1


def broyden_jac(x):
    n = x.size
    return sp.diags_array(
        [-np.ones(n - 1), 3 - 4 * x, -2 * np.ones(n - 1)], offsets=[-1, 0, 1]
    ).toarray()


def rosen(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def rosen_grad(x):
    g = np.zeros_like(x)
    d = x[1:] - x[:-1] ** 2
    g[1:] += 200 * d
    g[:-1] += -400 * d * x[:-1] - 2 * (1 - x[:-1])
    return g


def rosen_hess(x):
    n = x.size
    diag = np.zeros(n)
    diag[1:] += 200
    diag[:-1] += -400 * (x[1:] - x[:-1] ** 2) + 800 * x[:-1] ** 2 + 2
    off = -400 * x[:-1]
    return sp.diags_array([off, diag, off], offsets=[-1, 0, 1]).toarray()


def convex(x):
    """A smooth strictly convex function (for dogleg, which needs a positive definite H)."""
    return np.sum(np.exp(x) - 2 * x) + 0.5 * np.sum((x[1:] - x[:-1]) ** 2)


def x0_rosen(n):
    x0 = np.full(n, -1.0)
    x0[::2] = 1.2
    return x0


# -- the "auto" rule -----------------------------------------------------------------------


def test_auto_rule_dense_small_autocoo_large():
    side = int(np.sqrt(AUTO_DENSE_ENTRIES))
    J = asd.jacobian(broyden)
    small = J(-np.ones(side))
    assert type(small) is np.ndarray and small.shape == (side, side)
    big = J.prepare(-np.ones(side + 1))(-np.ones(side + 1))
    assert isinstance(big, sp.coo_array) and isinstance(big, asd.AutoCOO)
    dense = np.asarray(big)  # what MINPACK, LSODA and SLSQP do
    assert type(dense) is np.ndarray
    np.testing.assert_allclose(dense, broyden_jac(-np.ones(side + 1)))
    # the same fixed entry order at every call (cyipopt reads .data against .coords)
    again = J(np.linspace(-1, 1, side + 1))
    np.testing.assert_array_equal(again.row, big.row)
    np.testing.assert_array_equal(again.col, big.col)
    stacked = sp.vstack([big, big])  # object-array coercion keeps matrices whole
    assert stacked.shape == (2 * side + 2, side + 1) and stacked.nnz == 2 * big.nnz
    for fmt, kind in (("csr", sp.csr_array), ("csc", sp.csc_array), ("coo", sp.coo_array)):
        out = asd.jacobian(broyden, format=fmt)(-np.ones(5))
        assert isinstance(out, kind) and not isinstance(out, asd.AutoCOO)
    assert type(asd.jacobian(broyden, format="dense")(-np.ones(side + 1))) is np.ndarray


def test_dense_too_large_names_size_and_alternative(monkeypatch):
    monkeypatch.setenv("ASD_DENSE_LIMIT", "1000")
    J = asd.jacobian(broyden)
    x = -np.ones(300)
    with pytest.raises(asd.DenseTooLargeError, match=r"300 x 300.*90,000 entries.*format='csr'"):
        root(broyden, x, jac=J, method="hybr")
    with pytest.raises(asd.DenseTooLargeError, match="tr_solver='lsmr'"):
        asd.jacobian(broyden, format="dense")(x)
    assert sp.issparse(J(x))  # the sparse matrix itself is fine


def test_attributes_before_preparation_say_what_to_do():
    J = asd.jacobian(broyden)
    with pytest.raises(asd.NotPreparedError, match=r"prepare\(x0\)"):
        J.pattern  # noqa: B018
    assert not hasattr(J, "ncolors")
    assert J.prepare(np.zeros(6)).pattern.nnz == 16

    def rhs(t, y, k):
        return -k * (1 + t) * y**3

    Jt = asd.jacobian(rhs, argnums=1).prepare(0.5, np.ones(3), 2.0)  # fun's own arguments
    np.testing.assert_allclose(Jt(0.5, np.ones(3), 2.0), -9.0 * np.eye(3))


# -- optimize.root ------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["hybr", "lm"])
def test_root_defaults(method):
    x0 = -np.ones(50)
    sol = root(broyden, x0, jac=asd.jacobian(broyden), method=method)
    assert sol.success
    assert np.abs(broyden(sol.x)).max() < 1e-7  # default tolerances
    hand = root(broyden, x0, jac=broyden_jac, method=method)
    fd = root(broyden, x0, method=method)
    np.testing.assert_allclose(sol.x, hand.x, atol=1e-9)
    np.testing.assert_allclose(sol.x, fd.x, atol=1e-6)


@pytest.mark.parametrize("method", ["hybr", "lm"])
def test_root_above_auto_threshold_converts_for_minpack(method):
    x0 = -np.ones(300)  # 90,000 entries: an AutoCOO, turned dense by MINPACK's asarray
    sol = root(broyden, x0, jac=asd.jacobian(broyden), method=method)
    assert sol.success and np.abs(broyden(sol.x)).max() < 1e-7


@pytest.mark.parametrize("method", ["krylov", "df-sane", "anderson"])
def test_root_methods_ignoring_jac_run(method):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # scipy: "does not use the jacobian"
        sol = root(broyden, -np.ones(20), jac=asd.jacobian(broyden), method=method)
    assert sol.success and np.abs(broyden(sol.x)).max() < 1e-5


# -- optimize.least_squares ------------------------------------------------------------------


def exp_fit_problem(groups):
    """y = a exp(b t) + c per group: a block-sparse Jacobian in the parameters."""
    rng = np.random.default_rng(0)
    per = 6
    t = np.tile(np.linspace(0, 1, per), groups)
    g = np.repeat(np.arange(groups), per)
    truth = np.column_stack([1 + rng.random(groups), -1 - rng.random(groups), rng.random(groups)])

    def model(p):
        P = p.reshape(groups, 3)
        return P[g, 0] * np.exp(P[g, 1] * t) + P[g, 2]

    y = model(truth.ravel())

    def residuals(p):
        return model(p) - y

    def jac(p):
        P = p.reshape(groups, 3)
        e = np.exp(P[g, 1] * t)
        rows = np.repeat(np.arange(g.size), 3)
        cols = (3 * g[:, None] + np.arange(3)).ravel()
        vals = np.column_stack([e, P[g, 0] * t * e, np.ones_like(e)]).ravel()
        return sp.csr_array((vals, (rows, cols)), shape=(g.size, 3 * groups))

    return residuals, jac, truth.ravel(), np.tile([1.0, -1.0, 0.5], groups)


@pytest.mark.parametrize(
    "method, options",
    [
        ("trf", {}),
        ("dogbox", {}),
        ("lm", {}),
        ("trf", {"x_scale": "jac"}),
        ("lm", {"x_scale": "jac"}),
        ("trf", {"bounds": (-5.0, 5.0)}),
        ("dogbox", {"bounds": (-5.0, 5.0), "x_scale": "jac"}),
        ("trf", {"tr_solver": "lsmr"}),
    ],
)
def test_least_squares_defaults(method, options):
    r, jac, truth, p0 = exp_fit_problem(4)  # 24 x 12: dense under "auto"
    tol = {"xtol": 1e-14, "ftol": 1e-14, "gtol": 1e-14}
    res = least_squares(r, p0, jac=asd.jacobian(r), method=method, **options, **tol)
    assert np.abs(res.fun).max() < 1e-8
    np.testing.assert_allclose(res.x, truth, atol=1e-6)
    hand = least_squares(r, p0, jac=lambda p: jac(p).toarray(), method=method, **options, **tol)
    fd = least_squares(r, p0, method=method, **options, **tol)
    np.testing.assert_allclose(res.x, hand.x, atol=1e-9)
    np.testing.assert_allclose(res.x, fd.x, atol=1e-6)


def test_least_squares_large_sparse_lsmr():
    r, jac, truth, p0 = exp_fit_problem(3400)  # 20,400 residuals x 10,200 parameters
    J = asd.jacobian(r)
    assert sp.issparse(J(p0))
    assert abs(sp.csr_array(J(p0)) - jac(p0)).max() < 1e-13 * abs(jac(p0)).max()
    res = least_squares(r, p0, jac=J, method="trf", tr_solver="lsmr", x_scale="jac")
    assert np.abs(res.fun).max() < 1e-6
    np.testing.assert_allclose(res.x, truth, atol=1e-4)


# -- optimize.minimize ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method", ["Newton-CG", "trust-ncg", "trust-krylov", "trust-exact", "trust-constr"]
)
def test_minimize_hess_defaults(method):
    x0 = x0_rosen(20)
    res = minimize(rosen, x0, jac=asd.gradient(rosen), hess=asd.hessian(rosen), method=method)
    assert res.success or res.status in (1, 2)
    np.testing.assert_allclose(res.x, 1.0, atol=1e-3)  # default tolerances
    hand = minimize(rosen, x0, jac=rosen_grad, hess=rosen_hess, method=method)
    np.testing.assert_allclose(res.x, hand.x, atol=1e-6)


def test_minimize_dogleg_convex():
    x0 = np.zeros(30)
    res = minimize(convex, x0, jac=asd.gradient(convex), hess=asd.hessian(convex), method="dogleg")
    assert res.success
    assert np.linalg.norm(asd.gradient(convex)(res.x)) < 1e-6
    fd = minimize(convex, x0, method="BFGS")
    np.testing.assert_allclose(res.x, fd.x, atol=1e-4)


@pytest.mark.parametrize("method", ["Newton-CG", "trust-ncg", "trust-krylov", "trust-constr"])
def test_minimize_hessp(method):
    x0 = x0_rosen(20)
    hp = asd.hessp(rosen)
    p = np.linspace(-1, 1, 20)
    np.testing.assert_allclose(hp(x0, p), rosen_hess(x0) @ p, rtol=1e-13)
    res = minimize(rosen, x0, jac=asd.gradient(rosen), hessp=hp, method=method)
    assert res.success or res.status in (1, 2)
    np.testing.assert_allclose(res.x, 1.0, atol=1e-3)
    hand = minimize(rosen, x0, jac=rosen_grad, hessp=lambda x, p: rosen_hess(x) @ p, method=method)
    np.testing.assert_allclose(res.x, hand.x, atol=1e-4)  # rounding steers the iterates


@pytest.mark.parametrize("method", ["SLSQP", "L-BFGS-B", "BFGS"])
def test_minimize_gradient_methods(method):
    x0 = np.zeros(10)
    res = minimize(rosen, x0, jac=asd.gradient(rosen), method=method, options={"maxiter": 1000})
    assert res.success
    hand = minimize(rosen, x0, jac=rosen_grad, method=method, options={"maxiter": 1000})
    fd = minimize(rosen, x0, method=method, options={"maxiter": 1000})
    np.testing.assert_allclose(res.x, hand.x, atol=1e-8)
    assert res.fun < 1e-6 and fd.fun < 1e-4


def test_minimize_large_sparse_hessian_and_hessp():
    n = 10_000
    x0 = np.linspace(-1, 1, n)
    H = asd.hessian(convex)
    assert isinstance(H(x0), asd.AutoCOO)  # sparse: Newton-CG runs its sparse path
    g = asd.gradient(convex)
    for kw in ({"hess": H, "method": "Newton-CG"}, {"hessp": asd.hessp(convex)}):
        for method in ("Newton-CG", "trust-krylov", "trust-constr") if "hessp" in kw else ["x"]:
            options = {**kw, "method": kw.get("method", method)}
            res = minimize(convex, x0, jac=g, **options)
            assert res.success or res.status in (1, 2)
            np.testing.assert_allclose(res.x, np.log(2.0), atol=1e-4)  # the minimiser


# -- constraints ----------------------------------------------------------------------


def sum_sq(x):
    return np.sum(x**2)


def chain(x):
    return x[:-1] * x[1:] - 0.5


def ring(x):
    return np.atleast_1d(np.sum(x[:-1] * x[1:])) - 1.0


def test_nonlinear_constraint_trust_constr():
    n = 12
    for con in (chain, ring):  # a vector and a scalar constraint, weighted hess H(x, v)
        c = NonlinearConstraint(con, 0.0, np.inf, jac=asd.jacobian(con), hess=asd.hessian(con))
        res = minimize(
            sum_sq,
            np.full(n, 1.0),
            jac=asd.gradient(sum_sq),
            hess=asd.hessian(sum_sq),
            constraints=[c],
            method="trust-constr",
            options={"gtol": 1e-10, "xtol": 1e-12, "maxiter": 3000},
        )
        assert res.status in (1, 2)
        fd = minimize(
            sum_sq,
            np.full(n, 1.0),
            constraints=[{"type": "ineq", "fun": con}],
            method="SLSQP",
            options={"ftol": 1e-12, "maxiter": 500},
        )
        assert res.fun == pytest.approx(fd.fun, rel=1e-5)


def test_slsqp_constraint_dicts_with_asd_jacobians():
    n = 12
    cons = [
        {"type": "ineq", "fun": chain, "jac": asd.jacobian(chain)},
        {"type": "eq", "fun": lambda x: np.atleast_1d(x.sum() - n), "jac": lambda x: np.ones(n)},
    ]
    res = minimize(
        sum_sq, np.full(n, 0.5), jac=asd.gradient(sum_sq), constraints=cons, method="SLSQP"
    )
    assert res.success
    np.testing.assert_allclose(res.x, 1.0, atol=1e-6)


# -- integrate.solve_ivp ------------------------------------------------------------------


def heat(t, y, k):
    """Stiff, time-dependent reaction-diffusion with fixed zero ends."""
    lap = np.concatenate([[0.0], y[:-1]]) - 2 * y + np.concatenate([y[1:], [0.0]])
    return (1 + t) * 400.0 * lap - k * (2 + np.sin(10 * t)) * y**3


def heat_jac(t, y, k):
    n = y.size
    d = -2 * (1 + t) * 400.0 - 3 * k * (2 + np.sin(10 * t)) * y**2
    o = (1 + t) * 400.0 * np.ones(n - 1)
    return sp.diags_array([o, d, o], offsets=[-1, 0, 1]).toarray()


@pytest.mark.parametrize("method", ["BDF", "Radau", "LSODA"])
def test_solve_ivp_time_dependent_jac(method):
    y0 = np.sin(np.linspace(0, np.pi, 40)) + 1
    kw = {"args": (5.0,), "rtol": 1e-8, "atol": 1e-10, "method": method}
    sol = solve_ivp(heat, (0, 0.5), y0, jac=asd.jacobian(heat, argnums=1), **kw)
    hand = solve_ivp(heat, (0, 0.5), y0, jac=heat_jac, **kw)
    assert sol.success and sol.njev > 0
    assert sol.njev == hand.njev and sol.nfev == hand.nfev
    np.testing.assert_allclose(sol.y[:, -1], hand.y[:, -1], rtol=1e-9, atol=1e-12)
    fd = solve_ivp(heat, (0, 0.5), y0, **kw)
    np.testing.assert_allclose(sol.y[:, -1], fd.y[:, -1], rtol=1e-6, atol=1e-8)


def test_lsoda_banded():
    y0 = np.sin(np.linspace(0, np.pi, 40)) + 1
    J = asd.jacobian(heat, argnums=1, format="banded").prepare(0.0, y0, 5.0)
    lband, uband = J.bandwidth()
    assert (lband, uband) == (1, 1)
    packed = J(0.3, y0, 5.0)
    dense = heat_jac(0.3, y0, 5.0)
    for i, j in [(0, 0), (3, 4), (4, 3), (39, 39)]:
        assert packed[uband + i - j, j] == pytest.approx(dense[i, j], rel=1e-14)
    kw = {"args": (5.0,), "rtol": 1e-8, "atol": 1e-10, "method": "LSODA"}
    sol = solve_ivp(heat, (0, 0.5), y0, jac=J, lband=lband, uband=uband, **kw)
    ref = solve_ivp(heat, (0, 0.5), y0, jac=heat_jac, **kw)
    assert sol.success and sol.njev > 0
    np.testing.assert_allclose(sol.y[:, -1], ref.y[:, -1], rtol=1e-6, atol=1e-8)


def test_jac_sparsity_for_finite_differences():
    y0 = np.sin(np.linspace(0, np.pi, 40)) + 1
    P = asd.jacobian_sparsity(heat, y0, args=(0.0, 5.0), argnums=1)
    assert P.nnz == 3 * 40 - 2
    kw = {"args": (5.0,), "rtol": 1e-8, "atol": 1e-10, "method": "BDF"}
    sol = solve_ivp(heat, (0, 0.5), y0, jac_sparsity=P, **kw)
    ref = solve_ivp(heat, (0, 0.5), y0, jac=heat_jac, **kw)
    np.testing.assert_allclose(sol.y[:, -1], ref.y[:, -1], rtol=1e-6, atol=1e-8)


def test_solve_ivp_large_sparse_bdf():
    n = 10_000
    y0 = np.sin(np.linspace(0, np.pi, n)) + 1
    J = asd.jacobian(heat, argnums=1)
    assert isinstance(J(0.0, y0, 5.0), asd.AutoCOO)
    kw = {"args": (5.0,), "rtol": 1e-6, "atol": 1e-8, "method": "BDF"}
    sol = solve_ivp(heat, (0, 0.01), y0, jac=J, **kw)
    ref = solve_ivp(
        heat, (0, 0.01), y0, jac=lambda t, y, k: sp.csr_array(heat_jac_sparse(t, y, k)), **kw
    )
    assert sol.success
    np.testing.assert_allclose(sol.y[:, -1], ref.y[:, -1], rtol=1e-8, atol=1e-10)


def heat_jac_sparse(t, y, k):
    n = y.size
    d = -2 * (1 + t) * 400.0 - 3 * k * (2 + np.sin(10 * t)) * y**2
    o = (1 + t) * 400.0 * np.ones(n - 1)
    return sp.diags_array([o, d, o], offsets=[-1, 0, 1])


# -- cyipopt's scipy interface ------------------------------------------------------------


def hs071_objective(x):
    return x[0] * x[3] * np.sum(x[:3]) + x[2]


def hs071_product(x):
    return np.prod(x) - 25.0


def hs071_sphere(x):
    return np.sum(x**2) - 40.0


@pytest.mark.parametrize("fmt", [None, "coo"])
def test_minimize_ipopt_hs071(fmt):
    from cyipopt import minimize_ipopt

    kw = {} if fmt is None else {"format": fmt}
    cons = [
        {
            "type": "ineq",
            "fun": hs071_product,
            "jac": asd.jacobian(hs071_product, **kw),
            "hess": asd.hessian(hs071_product, **kw),
        },
        {
            "type": "eq",
            "fun": hs071_sphere,
            "jac": asd.jacobian(hs071_sphere, **kw),
            "hess": asd.hessian(hs071_sphere, **kw),
        },
    ]
    res = minimize_ipopt(
        hs071_objective,
        np.array([1.0, 5.0, 5.0, 1.0]),
        jac=asd.gradient(hs071_objective),
        hess=asd.hessian(hs071_objective, **kw),
        constraints=cons,
        bounds=[(1.0, 5.0)] * 4,
        options={"print_level": 0, "tol": 1e-9},
    )
    assert res.success
    assert res.fun == pytest.approx(17.0140173, abs=1e-7)
    np.testing.assert_allclose(res.x, [1.0, 4.74299964, 3.82114998, 1.37940829], atol=1e-6)


def test_minimize_ipopt_large_sparse():
    from cyipopt import minimize_ipopt

    n = 10_000
    H = asd.hessian(rosen)
    x0 = x0_rosen(n)
    assert isinstance(H(x0), sp.coo_array)  # cyipopt's sparse (COO + hess_tril) path
    cons = [{"type": "ineq", "fun": chain, "jac": asd.jacobian(chain), "hess": asd.hessian(chain)}]
    res = minimize_ipopt(
        rosen,
        np.full(n, 1.2),
        jac=asd.gradient(rosen),
        hess=H,
        constraints=cons,
        bounds=[(0.0, 2.0)] * n,
        options={"print_level": 0, "tol": 1e-9},
    )
    assert res.success
    np.testing.assert_allclose(res.x, 1.0, atol=1e-6)


def test_coo_outputs_share_read_only_indices():
    """The default large output (an ``AutoCOO``) reuses one read-only (rows, cols) pair:
    a write into a returned matrix's indices raises instead of changing later results,
    also after pickling."""
    import pickle

    n = 3000

    def f(x):
        return np.sum((x[1:] - x[:-1] ** 2) ** 2)

    x = np.linspace(-1.0, 1.0, n)
    for D in (asd.hessian(f), asd.jacobian(lambda x: x[1:] * x[:-1])):
        first, second = D(x), D(x)
        assert first.row is second.row and not first.row.flags.writeable
        with pytest.raises(ValueError, match="read-only"):
            first.col[0] = 1
        again = pickle.loads(pickle.dumps(D))(x)
        assert not again.row.flags.writeable
        np.testing.assert_array_equal(again.toarray(), second.toarray())
