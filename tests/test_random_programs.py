"""Random programs (and a few adversarial hand-written ones) against numpy and finite
differences.

Each program (tests/random_programs.py) is a replayable list of instructions, so the
same Python function runs on numpy arrays and on traced arrays. For every program:

* values: a tape traced at x0 and evaluated at other points x equals numpy's own f(x);
* JVP, VJP and HVP equal an independent reference: central differences of the
  numpy function itself (never the engine's sweeps), 5-point stencils for the first
  derivatives and 4-point mixed differences for the Hessian, each at three step
  sizes with two levels of Richardson extrapolation;
* patterns: global and local Jacobian and Hessian patterns contain every entry of the
  reference derivative that is clearly above its noise, at several points, and the
  local pattern at a point lies inside the global one.

A stencil that straddles a kink (abs, max, floor, where, a branch ...) makes the two
Richardson levels disagree; that point is re-drawn and counted, and the number of
re-drawn points is asserted to be small. The tolerances are never loosened.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
import scipy.sparse as sp
from random_programs import Program

import asd
from asd.detection import hessian_pattern, jacobian_pattern

BATCHES, PER_BATCH, POINTS = 40, 50, 3
MAX_ATTEMPTS = 12  # per accepted point

H_FIRST = 1e-3  # largest step of the first-derivative stencils
H_SECOND = 1e-3  # largest step of the second-derivative stencils
TOL_FIRST = 1e-8  # relative to 1 + max|J| (observed errors: ~1e-11)
TOL_SECOND = 1e-5  # relative to 1 + max|H| (observed errors: ~1e-7)
TOL_VALUE = 1e-12


# ---------------------------------------------------------------------------------------
# the independent reference: finite differences of the numpy function
# ---------------------------------------------------------------------------------------


def fd_jacobian(f, x):
    """Jacobian of f (flat output) at flat x, and an estimate of its error.

    D(t) is the 5-point central difference (error O(t^4)); R1 and R2 are one
    Richardson step on (h, h/2) and on (h/2, h/4); the result extrapolates once more,
    and |R1 - R2| bounds the error (large when a stencil crosses a kink).
    """
    h = H_FIRST
    n = x.size
    cols_r1, cols_r2 = [], []
    for i in range(n):
        F = {}
        for s in (h / 4, h / 2, h, 2 * h):
            for sign in (1.0, -1.0):
                z = x.copy()
                z[i] += sign * s
                F[sign * s] = f(z)

        def D(t, F=F):
            return (8.0 * (F[t] - F[-t]) - (F[2 * t] - F[-2 * t])) / (12.0 * t)

        d1, d2, d4 = D(h), D(h / 2), D(h / 4)
        cols_r1.append((16.0 * d2 - d1) / 15.0)
        cols_r2.append((16.0 * d4 - d2) / 15.0)
    r1, r2 = np.array(cols_r1).T, np.array(cols_r2).T
    return (64.0 * r2 - r1) / 63.0, float(np.abs(r1 - r2).max(initial=0.0))


def fd_hessian(g, x):
    """Hessian of the scalar g at flat x, and an estimate of its error (as above)."""
    h = H_SECOND
    n = x.size
    E = np.eye(n)
    g0 = g(x)

    def H(t):
        out = np.empty((n, n))
        for i in range(n):
            out[i, i] = (g(x + 2 * t * E[i]) - 2.0 * g0 + g(x - 2 * t * E[i])) / (4.0 * t * t)
            for j in range(i + 1, n):
                a, b = t * E[i], t * E[j]
                out[i, j] = out[j, i] = (
                    g(x + a + b) - g(x + a - b) - g(x - a + b) + g(x - a - b)
                ) / (4.0 * t * t)
        return out

    h1, h2, h4 = H(h), H(h / 2), H(h / 4)
    r1, r2 = (4.0 * h2 - h1) / 3.0, (4.0 * h4 - h2) / 3.0
    return (16.0 * r2 - r1) / 15.0, float(np.abs(r1 - r2).max(initial=0.0))


@dataclass
class Reference:
    x: np.ndarray  # in the input's shape
    y: np.ndarray  # f(x), flat
    J: np.ndarray
    J_err: float
    H: np.ndarray  # Hessian of w @ f
    H_err: float

    @property
    def J_scale(self) -> float:
        return 1.0 + float(np.abs(self.J).max(initial=0.0))

    @property
    def H_scale(self) -> float:
        return 1.0 + float(np.abs(self.H).max(initial=0.0))

    def J_nonzero(self) -> np.ndarray:
        """Entries clearly above the finite-difference noise."""
        return np.abs(self.J) > max(1e-8 * self.J_scale, 10.0 * self.J_err)

    def H_nonzero(self) -> np.ndarray:
        return np.abs(self.H) > max(1e-6 * self.H_scale, 10.0 * self.H_err)


def reference_at(f, w, x) -> Reference | None:
    """The reference at x, or None if a stencil crosses a kink there."""
    shape = x.shape

    def flat(z):
        return np.ravel(f(z.reshape(shape))).astype(np.float64)

    with np.errstate(all="ignore"):
        y = flat(x.ravel())
        assert np.isfinite(y).all(), f"the generator left a safe domain at x={x.tolist()}"
        J, J_err = fd_jacobian(flat, x.ravel())
        H, H_err = fd_hessian(lambda z: float(w @ flat(z)), x.ravel())
    ref = Reference(x, y, J, J_err, H, H_err)
    smooth = (
        np.isfinite(J).all()
        and np.isfinite(H).all()
        and J_err <= 0.1 * TOL_FIRST * ref.J_scale
        and H_err <= 0.1 * TOL_SECOND * ref.H_scale
    )
    return ref if smooth else None


def smooth_points(f, w, shape, rng, count):
    """``count`` references at random smooth points, and how many draws were rejected."""
    refs, redraws = [], 0
    while len(refs) < count:
        for _ in range(MAX_ATTEMPTS):
            ref = reference_at(f, w, rng.uniform(-1.2, 1.2, size=shape))
            if ref is not None:
                refs.append(ref)
                break
            redraws += 1
        else:
            pytest.fail(f"no smooth point in {MAX_ATTEMPTS} draws")
    return refs, redraws


# ---------------------------------------------------------------------------------------
# checks of one tape / one program
# ---------------------------------------------------------------------------------------


def assert_close(got, want, atol, what):
    err = np.abs(np.asarray(got) - np.asarray(want))
    bad = ~(err <= atol)  # NaN is bad too
    assert not bad.any(), f"{what}: max error {np.max(err):.3g} > {np.max(atol):.3g}"


def check_values(tape, f, x, what):
    with np.errstate(all="ignore"):
        want = np.ravel(f(x))
    got = np.ravel(asd.evaluate(tape, x))
    atol = TOL_VALUE * (1.0 + np.abs(want).max(initial=0.0))
    assert got.shape == want.shape, what
    assert np.allclose(got, want, rtol=TOL_VALUE, atol=atol), (
        f"{what}: value differs from numpy by {np.abs(got - want).max():.3g}"
    )


def check_sweeps(tape, ref: Reference, w, rng, what):
    """JVP, VJP, HVP at ref.x against the finite-difference reference."""
    x = ref.x
    m, n = ref.J.shape
    tol1, tol2 = TOL_FIRST * ref.J_scale, TOL_SECOND * ref.H_scale
    # whole matrices (identity seeds) entrywise, then random blocks
    y, J = asd.jvp(tape, x, np.eye(n))
    assert_close(np.ravel(y), ref.y, TOL_VALUE * (1 + np.abs(ref.y).max()), what + " jvp value")
    assert_close(J, ref.J, tol1, what + " jvp(I) vs FD Jacobian")
    _, JT = asd.vjp(tape, x, np.eye(m))
    assert_close(JT.T, ref.J, tol1, what + " vjp(I) vs FD Jacobian")
    H = asd.hvp(tape, x, w, np.eye(n))
    assert_close(H, ref.H, tol2, what + " hvp(I) vs FD Hessian")

    V = rng.standard_normal((n, 2))
    W = rng.standard_normal((m, 2))
    _, JV = asd.jvp(tape, x, V)
    assert_close(JV, ref.J @ V, tol1 * np.abs(V).sum(axis=0), what + " jvp(V)")
    _, JTW = asd.vjp(tape, x, W)
    assert_close(JTW, ref.J.T @ W, tol1 * np.abs(W).sum(axis=0), what + " vjp(W)")
    HV = asd.hvp(tape, x, w, V)
    assert_close(HV, ref.H @ V, tol2 * np.abs(V).sum(axis=0), what + " hvp(V)")
    # single vectors
    _, jv = asd.jvp(tape, x, V[:, 0])
    assert jv.shape == (m,) and np.allclose(jv, JV[:, 0], rtol=1e-12, atol=1e-12), what
    hv = asd.hvp(tape, x, w, V[:, 0])
    assert hv.shape == (n,) and np.allclose(hv, HV[:, 0], rtol=1e-12, atol=1e-12), what


def check_patterns(ref: Reference, Pl, Hl, Pg, Hg, what):
    """Reference nonzeros inside the local pattern at ref.x, local inside global."""
    nz, hnz = ref.J_nonzero(), ref.H_nonzero()
    Pl, Hl = Pl.toarray(), Hl.toarray()
    assert not (nz & ~Pl).any(), f"{what}: local Jacobian pattern misses {np.argwhere(nz & ~Pl)}"
    assert not (hnz & ~Hl).any(), f"{what}: local Hessian pattern misses {np.argwhere(hnz & ~Hl)}"
    assert (Hl == Hl.T).all(), what
    if Pg is not None:
        Pg, Hg = Pg.toarray(), Hg.toarray()
        assert not (nz & ~Pg).any(), f"{what}: global Jacobian pattern misses a nonzero"
        assert not (hnz & ~Hg).any(), f"{what}: global Hessian pattern misses a nonzero"
        assert not (Pl & ~Pg).any(), f"{what}: local Jacobian pattern not inside global"
        assert not (Hl & ~Hg).any(), f"{what}: local Hessian pattern not inside global"
        assert (Hg == Hg.T).all(), what


def check_program(f, shape, rng, what, *, local_only=False, points=POINTS, at=()):
    """Every check on f at ``points`` random smooth points plus the given points ``at``.

    Returns the number of re-drawn random points.
    """
    x0 = rng.uniform(-1.2, 1.2, size=shape)
    with np.errstate(all="ignore"):
        m = np.ravel(f(x0)).size
    w = rng.standard_normal(m)
    refs, redraws = smooth_points(f, w, shape, rng, points)
    for x in at:
        ref = reference_at(f, w, np.asarray(x, np.float64).reshape(shape))
        assert ref is not None, f"{what}: a given point is not smooth for the reference"
        refs.append(ref)

    if local_only:
        with pytest.raises((asd.TracerBoolError, asd.TracerIndexError)):
            asd.trace(f, x0)
        tape = Pg = Hg = None
    else:
        tape = asd.trace(f, x0)
        Pg, Hg = jacobian_pattern(tape), hessian_pattern(tape)
        assert Pg.shape == (m, x0.size) and Hg.shape == (x0.size, x0.size), what
        check_values(tape, f, x0, what + " (traced point)")
        direct = asd.jacobian(
            f, x0, mode="direct", format="csr"
        )  # direct accumulation, a third engine
        bidi = asd.jacobian(
            f, x0, sparsity=Pg, mode="bidirectional", format="csr"
        )  # both seed kinds

    previous = None
    for k, ref in enumerate(refs):
        here = f"{what} at point {k}"
        local = asd.trace(f, ref.x, mode="local")
        check_values(local, f, ref.x, here + " (local tape)")
        check_sweeps(local, ref, w, rng, here + " (local tape)")
        if tape is not None:
            check_values(tape, f, ref.x, here + " (global tape reused)")
            check_sweeps(tape, ref, w, rng, here + " (global tape)")
            Jd = direct(ref.x).toarray()
            assert_close(Jd, ref.J, TOL_FIRST * ref.J_scale, here + " direct Jacobian vs FD")
            Jb = bidi(ref.x).toarray()
            assert_close(Jb, Jd, 1e-12 * (1 + np.abs(Jd).max()), here + " bidirectional vs direct")
        if previous is not None:  # a local tape reused elsewhere: right, or refuses
            try:
                check_values(previous, f, ref.x, here + " (local tape reused)")
            except asd.BranchChangedError:
                assert previous.guards, here
        previous = local
        Pl = jacobian_pattern(local, ref.x, "local")
        Hl = hessian_pattern(local, ref.x, "local")
        check_patterns(ref, Pl, Hl, Pg, Hg, here)
    return redraws


# ---------------------------------------------------------------------------------------
# the random programs
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("batch", range(BATCHES))
def test_random_programs(batch):
    redraws = 0
    for k in range(PER_BATCH):
        seed = PER_BATCH * batch + k
        rng = np.random.default_rng([20260, seed])
        prog = Program(rng)
        what = f"seed {seed}: {prog!r}"
        redraws += check_program(prog, prog.shape, rng, what, local_only=prog.local_only)
    # kinks are rare on the scale of the stencils: few points may need re-drawing
    assert redraws <= 0.1 * PER_BATCH * POINTS, f"{redraws} points re-drawn in batch {batch}"


def test_generator_covers_every_instruction():
    """The default suite's programs use every instruction the generator knows."""
    from random_programs import BINARY, BRANCHES, FAMILIES, UNARY

    known = set(UNARY) | set(BINARY)
    for family in FAMILIES.values():
        for S in ((3,), (2, 3)):
            known |= set(family(np.random.default_rng(0), S))
    used, local_only, branching, shapes = set(), 0, 0, set()
    for seed in range(BATCHES * PER_BATCH):
        prog = Program(np.random.default_rng([20260, seed]))
        used |= set(prog.description)
        local_only += prog.local_only
        branching += not prog.local_only and bool(BRANCHES & set(prog.description))
        shapes.add(prog.shape)
    assert known <= used, sorted(known - used)
    assert 30 <= local_only <= 0.2 * BATCHES * PER_BATCH  # traced masks
    assert branching >= 30  # Python branches, traced on every path in global mode
    assert {(1,), (7,), (1, 1), (3, 3), (1, 3), (3, 1)} <= shapes


# ---------------------------------------------------------------------------------------
# adversarial hand-written programs
# ---------------------------------------------------------------------------------------


def _rng(name):
    return np.random.default_rng([7, sum(map(ord, name))])


def local_jacobian(f, x):
    return asd.jacobian_sparsity(f, x, "local").toarray()


def test_products_with_exact_zeros_local_mode():
    def f(x):
        return np.stack([x[0] * x[1], x[1] * x[2] * x[3], np.square(x[3]), x[2] / (2.0 + x[0])])

    x = np.array([1.5, 0.0, -0.5, 0.0])
    check_program(f, (4,), _rng("zeros"), "exact zeros", at=[x])
    # d(x0 x1)/dx0 = x1 = 0, d(x1 x2 x3)/dx1 = x2 x3 = 0, d(x3^2)/dx3 = 0, x2/(2+x0): dx0 = 0
    P = local_jacobian(f, x)
    assert P.tolist() == [
        [False, True, False, False],
        [False, False, False, False],
        [False, False, False, False],
        [True, False, True, False],
    ]
    # the mixed second partials survive the zero first partials
    H = asd.hessian_sparsity(f, x, "local").toarray()
    assert H[0, 1] and H[1, 0] and H[3, 3] and H[0, 2]
    G = asd.jacobian_sparsity(f, x).toarray()
    assert G.sum() == 2 + 3 + 1 + 2


def test_where_with_nan_in_the_inactive_branch():
    def f(x):
        safe = np.where(x > 0, np.sqrt(x), -np.log(-x))  # both branches NaN somewhere
        return np.where(x > 0, np.log(x) * x, x**3) + safe

    x = np.array([0.5, -0.7, 1.1, -0.2])
    check_program(f, (4,), _rng("nan"), "where NaN", at=[x])
    t = asd.trace(f, x)
    _, J = asd.jvp(t, x, np.eye(4))
    H = asd.hvp(t, x, np.ones(4), np.eye(4))
    assert np.isfinite(J).all() and np.isfinite(H).all()
    pos, neg = x > 0, x < 0
    assert np.allclose(np.diag(J)[pos], np.log(x[pos]) + 1 + 0.5 / np.sqrt(x[pos]))
    assert np.allclose(np.diag(J)[neg], 3 * x[neg] ** 2 - 1 / x[neg])


def test_max_ties():
    def f(x):
        return np.concatenate(
            [
                np.maximum(x, x),
                [np.max(np.stack([x, x])), np.min(x), np.max(x[:2])],
                np.fmax(x[:2], x[2:4]),
                np.clip(x, 0.5, 0.5),
            ]
        )

    x = np.array([1.0, 1.0, 1.0, 0.25])
    y, J = asd.jvp(asd.trace(f, x), x, np.eye(4))
    assert np.array_equal(y, f(x))
    # at a tie each side gets half, as central differences do: max(x0 + h, x1) = ...
    assert np.array_equal(J[:4], np.eye(4))  # max(x, x) = x
    assert J[4].sum() == 1.0 and (J[4, :3] > 0).all() and J[4, 3] == 0  # 6-way tie
    assert J[5].tolist() == [0, 0, 0, 1]
    assert J[6].tolist() == [0.5, 0.5, 0, 0]
    assert J[7].tolist() == [0.5, 0, 0.5, 0] and J[8].tolist() == [0, 1, 0, 0]
    assert not J[9:].any()  # clip(x, 0.5, 0.5) is constant
    P = local_jacobian(f, x)
    assert P[6, :2].all() and P[4, :3].all() and P[7, [0, 2]].all()  # tied sides stay
    assert not P[8, 3] and not P[5, :3].any()
    check_program(f, (4,), _rng("ties"), "max ties")


def test_scalar_style_loops():
    def f(x):
        n = x.shape[0]
        out = np.zeros_like(x)
        acc = x[0] * 0.0
        for i in range(n):
            acc = acc * 0.5 + x[i] ** 2
            out[i] = acc if i % 2 else np.sin(x[i]) * x[n - 1 - i]
        return out

    check_program(f, (6,), _rng("loops"), "scalar loops")
    P = asd.jacobian_sparsity(f, np.ones(6)).toarray()
    assert P[0].tolist() == [True, False, False, False, False, True]
    assert P[5].tolist() == [True] * 6  # the accumulator sees every x[i]


def test_add_at_with_repeated_indices():
    idx = np.array([0, 2, 2, 2, 4, 0, 1])

    def f(x):
        c = np.zeros_like(x)
        np.add.at(c, idx, x[idx[::-1]] ** 2)
        d = x.copy()
        np.add.at(d, [3, 3], c[:2])
        return np.concatenate([c, d])

    x = np.linspace(-1, 1, 5)
    y = asd.evaluate(asd.trace(f, x), x)
    assert np.allclose(y, f(x), rtol=1e-14)
    src = idx[::-1]
    assert np.isclose(y[2], sum(x[src[k]] ** 2 for k in range(7) if idx[k] == 2))  # 3 terms
    check_program(f, (5,), _rng("addat"), "add.at")


def test_traced_matmul_traced():
    def f(X):
        return np.concatenate([(X @ X).ravel(), X.T @ np.sin(X[:, 0]), [X[0] @ X[:, 1]]])

    check_program(f, (3, 3), _rng("mm"), "traced @ traced")
    P = asd.jacobian_sparsity(f, np.ones((3, 3))).toarray()
    # (X @ X)[0, 0] = sum_k X[0, k] X[k, 0]
    assert np.flatnonzero(P[0]).tolist() == [0, 1, 2, 3, 6]


def test_sparse_constant_matmul_traced():
    A = sp.csr_array(np.array([[2.0, 0, 0, -1], [0, 0, 0, 0], [0, 3, 0, 0]]))
    M = sp.csc_array(np.array([[0.0, 1.0], [1.0, 0.0]]))

    def f(x):
        X = x.reshape(4, 2)
        return np.concatenate([(A @ X).ravel(), A @ np.tanh(x[:4]), (X @ M).ravel() * x])

    check_program(f, (8,), _rng("sparse"), "sparse @ traced")
    P = asd.jacobian_sparsity(f, np.ones(8)).toarray()
    assert not P[2:4].any() and not P[7].any()  # an empty row of A: no dependency
    assert np.flatnonzero(P[0]).tolist() == [0, 6]


def test_dead_branches():
    def f(x):
        unused = np.exp(x) * x[::-1]  # computed, never used
        _ = unused.sum()
        masked = np.where(np.array([True, False, True]), x, np.sin(x[::-1]))  # constant mask
        gone = x * 0.0 + 0.0 * np.cos(x)  # zero weights: no dependency at all
        b = np.where(x > 5.0, np.exp(x[::-1]), x)  # dead at every sampled point (local)
        return masked + gone + b**2

    check_program(f, (3,), _rng("dead"), "dead branches")
    x = np.array([0.3, -0.4, 0.9])
    G = asd.jacobian_sparsity(f, x).toarray()
    L = local_jacobian(f, x)
    assert G.tolist() == [[True, False, True], [False, True, False], [True, False, True]]
    assert L.tolist() == np.eye(3, dtype=bool).tolist()  # exp(x[::-1]) is inactive here


def test_local_branches_and_traced_masks():
    def f(x):
        if x.sum() > 0:  # a traced branch: local mode only
            y = x * x[0]
        else:
            y = np.sin(x)
        c = x.copy()
        c[x > 0.2] = 0.5 * x[x > 0.2] ** 2  # traced boolean mask
        return np.concatenate([y, c, [np.sum(x[x < 0])]])

    redraws = check_program(f, (5,), _rng("branches"), "local branches", local_only=True)
    assert redraws <= 2
    x = np.array([0.5, -0.1, 0.3, 0.4, -0.6])
    tape = asd.trace(f, x, mode="local")
    assert tape.guards
    with pytest.raises(asd.BranchChangedError):
        asd.evaluate(tape, -x)


def test_empty_selections_sum_to_constants():
    """Regression: np.sum of an empty traced selection crashed (reshape(-1, 0))."""
    none = np.zeros(4, bool)

    def f(x):
        X = x.reshape(2, 2)
        return x * np.sum(x[none]) + np.repeat(np.sum(X[:, :0], axis=1), 2) + np.sum(x[:0]) + x**2

    check_program(f, (4,), _rng("empty"), "empty sums")
    assert asd.jacobian_sparsity(f, np.ones(4)).toarray().tolist() == np.eye(4, dtype=bool).tolist()


def test_take_method():
    """Regression: ``a.take(...)`` (the ndarray method) raised AttributeError when traced."""

    def f(x):
        X = x.reshape(2, 3)
        return np.concatenate([X.take([2, 0], axis=1).ravel(), x.take([4, 4, 1]) ** 2])

    check_program(f, (6,), _rng("take"), "take method")
    P = asd.jacobian_sparsity(f, np.ones(6)).toarray()
    assert [np.flatnonzero(r).tolist() for r in P] == [[2], [0], [5], [3], [4], [4], [1]]
