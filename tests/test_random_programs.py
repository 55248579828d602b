"""2,000 random programs: values against numpy, derivatives against finite differences,
patterns against the nonzeros of the finite-difference derivatives.

The reference never uses the engine's own sweeps: derivatives come from central
differences of the numpy program with one Richardson step. A stencil that straddles
a kink (abs, max, floor, where...) shows up as disagreement between two step sizes;
that point is re-drawn (and counted), the assertions themselves are never relaxed.
"""

import numpy as np
import pytest
from random_programs import Program

import asd
from asd.detection import hessian_pattern, jacobian_pattern

BATCHES, PER_BATCH = 40, 50


def central(f, x, h):
    n = x.size
    cols = []
    for i in range(n):
        e = np.zeros(n)
        e[i] = h
        cols.append((f(x + e) - f(x - e)) / (2 * h))
    return np.array(cols).T


def fd_jacobian(f, x, h=1e-5):
    """Richardson-extrapolated central differences and an error estimate."""
    d1, d2 = central(f, x, h), central(f, x, h / 2)
    return (4 * d2 - d1) / 3, np.abs(d2 - d1).max()


def fd_hessian(g, x, h=1e-4):
    n = x.size
    E = np.eye(n)

    def second(hh):
        H = np.zeros((n, n))
        for i in range(n):
            for j in range(i, n):
                a, b = E[i] * hh, E[j] * hh
                H[i, j] = H[j, i] = (g(x + a + b) - g(x + a - b) - g(x - a + b) + g(x - a - b)) / (
                    4 * hh * hh
                )
        return H

    h1, h2 = second(h), second(h / 2)
    return (4 * h2 - h1) / 3, np.abs(h2 - h1).max()


def smooth_point(prog, rng, w):
    """A point where the finite differences are consistent (no kink within a step)."""
    for attempt in range(6):
        x = rng.uniform(-1.2, 1.2, size=prog.shape)
        with np.errstate(all="ignore"):
            J, errJ = fd_jacobian(lambda z: prog(z.reshape(prog.shape)), x.ravel())
            H, errH = fd_hessian(lambda z: w @ prog(z.reshape(prog.shape)), x.ravel())
        if (
            np.isfinite(J).all()
            and np.isfinite(H).all()
            and errJ <= 1e-4 * (1 + np.abs(J).max())
            and errH <= 1e-2 * (1 + np.abs(H).max())
        ):
            return x, J, H, attempt
    pytest.fail(f"no smooth point found for program {prog.description}")


@pytest.mark.parametrize("batch", range(BATCHES))
def test_random_programs(batch):
    redraws = 0
    for k in range(PER_BATCH):
        rng = np.random.default_rng(1000 * batch + k)
        prog = Program(rng)
        x0 = rng.uniform(-1.2, 1.2, size=prog.shape)
        with np.errstate(all="ignore"):
            m = prog(x0).size
        w = rng.standard_normal(m)
        what = f"program {1000 * batch + k}: {prog.description} on {prog.shape}"
        tape = asd.trace(prog, x0)

        x, J, H, tries = smooth_point(prog, rng, w)
        redraws += tries
        n = x.size
        # values: the tape replays numpy's own result at a new point
        assert np.allclose(asd.evaluate(tape, x), prog(x), rtol=1e-11, atol=1e-11), what
        scale = 1 + np.abs(J).max()
        # JVP, VJP and HVP against the independent references
        V = rng.standard_normal((n, 2))
        _, JV = asd.jvp(tape, x, V)
        assert np.allclose(JV, J @ V, atol=2e-6 * scale * (1 + np.abs(V).max())), what
        W = rng.standard_normal((m, 2))
        _, JTW = asd.vjp(tape, x, W)
        assert np.allclose(JTW, J.T @ W, atol=2e-6 * scale * (1 + np.abs(W).max())), what
        HV = asd.hvp(tape, x, w, V)
        hscale = 1 + np.abs(H).max()
        assert np.allclose(HV, H @ V, atol=2e-3 * hscale * (1 + np.abs(V).max())), what
        # direct accumulation engines agree with the sweeps
        Jd = asd.jacobian(prog, x0, mode="direct")(x).toarray()
        assert np.allclose(Jd, J, atol=2e-6 * scale), what
        # patterns: global and local contain every clearly nonzero reference entry
        Pg = jacobian_pattern(tape).toarray()
        local_tape = asd.trace(prog, x, mode="local")
        Pl = jacobian_pattern(local_tape, x, "local").toarray()
        nz = np.abs(J) > 1e-6 * scale
        assert not (nz & ~Pl).any(), what + " (local Jacobian pattern misses a nonzero)"
        assert not (Pl & ~Pg).any(), what + " (local pattern not inside global)"
        Hg = hessian_pattern(tape).toarray()
        Hl = hessian_pattern(local_tape, x, "local").toarray()
        hnz = np.abs(H) > 1e-3 * hscale
        assert not (hnz & ~Hl).any(), what + " (local Hessian pattern misses a nonzero)"
        assert not (Hl & ~Hg).any(), what + " (local Hessian pattern not inside global)"
    assert redraws <= PER_BATCH // 5, f"{redraws} points re-drawn in batch {batch}"
