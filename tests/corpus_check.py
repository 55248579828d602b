"""The check of one corpus entry (``cases/corpus``) at one size, shared by
``tests/test_corpus.py`` and ``benchmarks/corpus.py``.

Reference: second-order jets (``tests/jets.py``) run the entry's own numpy source,
exact to rounding; jax (x64) runs the same source for the entries ``JAX_CHECKED``
picks, as a check on the jets. asd must match the reference to 1e-10 (relative to the
largest entry) at every test point, in every Jacobian mode and Hessian mode, from
objects prepared once at the first point; patterns must satisfy
global ⊇ local ⊇ true nonzeros at every point."""

from __future__ import annotations

import numpy as np

import asd
from tests.jets import jet_derivatives

JAC_MODES = ("direct", "forward", "reverse")
HESS_MODES = ("direct", "colored")
RTOL = 1e-10


def dense(M) -> np.ndarray:
    return M.toarray() if hasattr(M, "toarray") else np.asarray(M)


def close(a, ref, what):
    a, ref = np.asarray(a, dtype=float), np.asarray(ref, dtype=float)
    scale = max(1.0, float(np.abs(ref).max(initial=0.0)))
    np.testing.assert_allclose(
        a.reshape(ref.shape), ref, rtol=RTOL, atol=RTOL * scale, err_msg=what
    )


def nonzero(ref):
    ref = np.abs(np.asarray(ref))
    return ref > 1e-13 * max(1.0, float(ref.max(initial=0.0)))


def weights(m: int) -> np.ndarray:
    return np.random.default_rng(m).uniform(0.5, 1.5, m)


def expected_error(entry, x0):
    """Run the call the entry is expected to fail in; return the asd error raised."""
    try:
        if entry.kind == "scalar":
            asd.gradient(entry.fun)(x0)
            asd.hessian(entry.fun)(x0)
        else:
            asd.jacobian(entry.fun)(x0)
    except asd.errors.AsdError as err:
        return err
    return None


def check_entry(entry, n: int) -> None:
    """Assert asd's values, derivatives and patterns for ``entry`` at size ``n``."""
    f = entry.fun
    pts = entry.points(n)
    x0 = pts[0]
    if entry.expect != "ok":
        err = expected_error(entry, x0)
        assert err is not None, f"{entry.name}: expected {entry.expect}, asd raised nothing"
        assert type(err).__name__ == entry.expect or isinstance(err, getattr(asd, entry.expect)), (
            f"{entry.name}: expected {entry.expect}, got {type(err).__name__}: {err}"
        )
        assert str(err).startswith("asd"), str(err)
        return
    refs = [jet_derivatives(f, p) for p in pts]
    m = refs[0][0].size
    w = np.ones(1) if entry.kind == "scalar" else weights(m)

    def fw(z):
        return np.sum(w * np.ravel(f(z)))

    hf = f if entry.kind == "scalar" else fw
    tape = asd.trace(f, x0)
    glob = dense(asd.jacobian_sparsity(f, x0))
    hglob = dense(asd.hessian_sparsity(hf, x0))
    jacs = {mode: asd.jacobian(f, x0, mode=mode) for mode in JAC_MODES}
    vec = entry.kind != "scalar"
    hesss = {mode: asd.hessian(f, x0, mode=mode, weighted=vec) for mode in HESS_MODES}
    grad = asd.gradient(f, x0) if entry.kind == "scalar" else None
    for k, (p, (val, J, H)) in enumerate(zip(pts, refs)):
        at = f"{entry.name} n={n} point {k}"
        y = np.ravel(np.asarray(f(p), dtype=float))
        close(val, y, f"{at}: jet reference value vs numpy")
        close(asd.evaluate(tape, p), y, f"{at}: value")
        Hw = np.tensordot(w, H, axes=1)
        loc = dense(asd.jacobian_sparsity(f, p, mode="local"))
        assert not (loc & ~glob).any(), f"{at}: local Jacobian pattern not inside the global one"
        assert not (nonzero(J) & ~loc).any(), f"{at}: local Jacobian pattern misses a nonzero"
        for mode, Jp in jacs.items():
            close(dense(Jp(p)), J, f"{at}: Jacobian, mode {mode}")
        if entry.jac is not None:
            close(entry.jac(p), J, f"{at}: hand-written Jacobian vs reference")
        if grad is not None:
            close(grad(p), J[0], f"{at}: gradient")
        hloc = dense(asd.hessian_sparsity(hf, p, mode="local"))
        assert not (hloc & ~hglob).any(), f"{at}: local Hessian pattern not inside the global one"
        assert not (nonzero(Hw) & ~hloc).any(), f"{at}: local Hessian pattern misses a nonzero"
        for mode, Hp in hesss.items():
            Hv = Hp(p) if entry.kind == "scalar" else Hp(p, w)
            close(dense(Hv), Hw, f"{at}: Hessian, mode {mode}")
