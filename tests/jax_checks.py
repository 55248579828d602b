"""asd against JAX (x64, CPU, eager) on one random program of tests/jax_programs.py.

``check_seed(seed, flags, stats)`` builds the program of ``seed`` and compares, at a
random point x1 (the global objects are prepared at another point x0):

* values: numpy f(x1) = JAX f(x1) (the grammar's own consistency) and asd's tape;
* patterns: nonzeros of JAX's Jacobian / Hessian of wᵀf ⊆ local pattern at x1 ⊆
  global pattern (``asd.jacobian_sparsity`` / ``asd.hessian_sparsity``);
* sweeps on the global tape: ``asd.jvp`` against ``jax.jvp``, ``asd.vjp`` against
  ``jax.vjp``, ``asd.jvp`` with identity seeds against the JAX Jacobian, ``asd.hvp``
  against the JAX Hessian times V;
* prepared derivatives: ``asd.jacobian`` in two of the five modes (rotated by seed,
  with global, local or user-given sparsity), ``asd.hessian`` in one of three modes
  (weighted vector form or scalar wᵀf, global or local), ``asd.gradient`` of wᵀf;
* ``asd.NLP`` (every NLP_EVERY-th seed): the program as objective wᵀf, a second program
  as constraints; Lagrangian Hessian lower triangle, gradient, constraint Jacobian,
  objective and constraint values against JAX;
* pickling: pickled and unpickled Jacobian, Hessian, gradient and tape give
  bit-identical results.

JAX's Jacobian alternates between ``jacfwd`` and ``jacrev`` by seed; the Hessian is
``jax.hessian`` (forward over reverse). Tolerance: |asd - jax| <= TOL * (1 + max|jax|)
over each compared array (TOL = 1e-10; observed errors are ~1e-13 and below).
"""

from __future__ import annotations

import os
import pickle
import time
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from jax_programs import NUMPY, Flags, JaxBackend, Program

import asd

SEED_BASE = 20261129
TOL = 1e-10
DEEP_EVERY = 100  # seeds 50, 150, 250, ... are deep chains
NLP_EVERY = 4
PICKLE_EVERY = 3
MAX_VALUE = 1e6  # programs whose values leave this range at x1 are re-drawn
JACOBIAN_MODES = ("direct", "forward", "reverse", "bidirectional", "auto")
HESSIAN_MODES = ("auto", "direct", "colored")

# XLA's CPU compiler dominates the JAX side (one compilation per program). Do not
# lower its optimisation level to save time: with "--xla_backend_optimization_level=0
# --xla_llvm_disable_expensive_passes=true" jitted Jacobians of some programs here
# (a max of |a + c| after a norm along an axis) came out NaN where eager JAX is finite.

_JAX = None


def jax_backend():
    """The JAX backend; compiled references persist in ASD_JAX_CACHE_DIR (default
    ~/.cache/asd/jax-reference-v1) so a second run of the same seeds skips XLA."""
    global _JAX
    if _JAX is None:
        import jax

        _JAX = JaxBackend()
        folder = os.environ.get(
            "ASD_JAX_CACHE_DIR",
            os.path.join(os.path.expanduser("~"), ".cache", "asd", "jax-reference"),
        )
        if folder:
            jax.config.update("jax_compilation_cache_dir", folder)
            jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
            jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    return _JAX


class Mismatch(AssertionError):
    """asd disagrees with JAX; ``kind`` names the check."""

    def __init__(self, kind: str, message: str):
        super().__init__(f"{kind}: {message}")
        self.kind = kind


@dataclass
class Stats:
    checks: Counter = field(default_factory=Counter)
    worst: dict = field(default_factory=dict)  # kind -> largest relative error seen
    redrawn: int = 0
    deep: int = 0
    programs: int = 0


def close(kind, got, want, stats: Stats, what=""):
    """|got - want| <= TOL (1 + max|want|), NaN in got fails."""
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    stats.checks[kind] += 1
    if got.shape != want.shape:
        raise Mismatch(kind, f"{what} shape {got.shape} != {want.shape}")
    scale = 1.0 + float(np.abs(want).max(initial=0.0))
    err = float(np.abs(got - want).max(initial=0.0)) if got.size else 0.0
    if not np.isfinite(got).all():
        bad = np.argwhere(~np.isfinite(got))[0].tolist()
        raise Mismatch(kind, f"{what} non-finite value at {bad} (jax: {want[tuple(bad)]:.6g})")
    rel = err / scale
    stats.worst[kind] = max(stats.worst.get(kind, 0.0), rel)
    if not rel <= TOL:
        at = np.unravel_index(np.argmax(np.abs(got - want)), got.shape)
        raise Mismatch(
            kind,
            f"{what} max error {err:.3g} (relative {rel:.3g}) at {list(map(int, at))}: "
            f"asd {got[at]:.12g}, jax {want[at]:.12g}",
        )


def inside(kind, small, big, stats: Stats, what):
    """Boolean arrays: every True of ``small`` is True in ``big``."""
    stats.checks[kind] += 1
    missing = np.argwhere(small & ~big)
    if missing.size:
        raise Mismatch(kind, f"{what} misses {len(missing)} entries, e.g. {missing[0].tolist()}")


def draw_program(rng, flags: Flags, stats: Stats, x1, n=None, deep=False):
    """A program whose numpy values at x1 are finite and moderate (re-drawn otherwise)."""
    for _ in range(50):
        prog = Program(rng, flags, deep=deep, n=n if n is not None else x1.size)
        with np.errstate(all="ignore"):
            y = prog(x1.reshape(prog.shape))
        if np.isfinite(y).all() and np.abs(y).max(initial=0.0) < MAX_VALUE:
            return prog
        stats.redrawn += 1
    raise RuntimeError("no safe program in 50 draws")


def jax_reference(prog, x1, w, v, forward: bool, cons=None, lam=None, jit=True) -> dict:
    """JAX's f(x1), Jacobian (m x n), Hessian of wᵀf, JVP with v, VJP with w, all from
    one ``jax.jit`` (eager JAX compiles every primitive of a new shape separately, which
    is several times slower than one compilation of the whole reference); with ``cons``
    also the constraint program's values, Jacobian and Hessian of lamᵀcons."""
    import jax
    import jax.numpy as jnp

    X = jax_backend()
    shape = x1.shape

    def f(x):
        return prog(x, X)

    def reference(x):
        J = (jax.jacfwd if forward else jax.jacrev)(f)(x)
        H = jax.hessian(lambda z: jnp.dot(w, f(z)))(x)
        y, jv = jax.jvp(f, (x,), (jnp.asarray(v.reshape(shape)),))
        _, pullback = jax.vjp(f, x)
        out = {"y": y, "J": J, "H": H, "jv": jv, "vj": pullback(jnp.asarray(w))[0]}
        if cons is not None:

            def g(z):
                return cons(z, X)

            out["gy"] = g(x)
            out["Jc"] = jax.jacrev(g)(x)
            out["Hc"] = jax.hessian(lambda z: jnp.dot(lam, g(z)))(x)
        return out

    run = jax.jit(reference) if jit else reference
    out = {k: np.asarray(a) for k, a in run(jnp.asarray(x1)).items()}
    for k, a in out.items():
        if not np.isfinite(a).all():  # the grammar keeps every derivative finite
            raise Mismatch("jax reference", f"JAX's {k} is not finite")
    n, m = x1.size, out["y"].size
    out["J"] = out["J"].reshape(m, n)
    out["H"] = out["H"].reshape(n, n)
    out["vj"] = out["vj"].ravel()
    if cons is not None:
        out["Jc"] = out["Jc"].reshape(-1, n)
        out["Hc"] = out["Hc"].reshape(n, n)
    return out


def merge(into: Stats, part: Stats) -> None:
    """Add the counters of ``part`` to ``into``."""
    into.checks.update(part.checks)
    for k, v in part.worst.items():
        into.worst[k] = max(into.worst.get(k, 0.0), v)
    into.redrawn += part.redrawn
    into.deep += part.deep
    into.programs += part.programs


def check_seed_confirmed(
    seed: int, flags: Flags, stats: Stats, timings: Counter | None = None
) -> str | None:
    """``check_seed`` against one jitted JAX reference; a mismatch is re-checked against
    JAX run eagerly (every primitive on its own: slow, but no whole-program XLA
    compilation). If asd agrees with eager JAX everywhere, the jitted reference was
    wrong (XLA miscompiled it): returns the first mismatch's message instead of raising.
    Only the counters of the run that decides are kept."""
    first = Stats()
    try:
        check_seed(seed, flags, first, timings)
    except Mismatch as e:
        second = Stats()
        check_seed(seed, flags, second, timings, jit=False)  # raises if asd is wrong
        merge(stats, second)
        return str(e)
    merge(stats, first)
    return None


def check_seed(
    seed: int, flags: Flags, stats: Stats, timings: Counter | None = None, jit: bool = True
):
    """Every check of one seed; raises Mismatch (or asd's own error) on the first failure.

    ``timings`` (if given) accumulates seconds spent in JAX and in asd; ``jit=False``
    runs the JAX reference eagerly."""
    t_start = time.perf_counter()
    prog, rng, x1 = program_of(seed, flags, stats)
    n = x1.size
    stats.programs += 1
    stats.deep += prog.deep
    shape = prog.shape
    x0 = rng.uniform(-1.2, 1.2, size=shape)
    x1 = x1.reshape(shape)
    with np.errstate(all="ignore"):
        y_np = prog(x1)
    m = y_np.size
    w = rng.standard_normal(m)
    v = rng.standard_normal(n)
    cons = lam = None
    if seed % NLP_EVERY == 0:
        cons = draw_program(rng, flags, stats, x1.ravel(), n=n)
        with np.errstate(all="ignore"):
            lam = rng.standard_normal(cons(x1.ravel()).size)
    ref = jax_reference(prog, x1, w, v, seed % 2 == 0, cons, lam, jit=jit)
    t_jax = time.perf_counter()
    y, J, H = ref["y"], ref["J"], ref["H"]

    # --- values ----------------------------------------------------------------------
    close("values numpy vs jax (grammar)", y_np, y, stats)
    tape = asd.trace(prog, x0)
    close("values", asd.evaluate(tape, x1), y, stats, "tape traced at x0")

    # --- patterns --------------------------------------------------------------------
    Jnz, Hnz = J != 0, H != 0
    Pg = asd.jacobian_sparsity(prog, x0).toarray()
    Pl = asd.jacobian_sparsity(prog, x1, "local").toarray()
    Hg = asd.hessian_sparsity(prog, x0).toarray()
    Hl = asd.hessian_sparsity(prog, x1, "local").toarray()
    inside("jacobian pattern", Jnz, Pl, stats, "local Jacobian pattern vs jax nonzeros")
    inside("jacobian pattern", Pl, Pg, stats, "global Jacobian pattern vs local")
    inside("hessian pattern", Hnz, Hl, stats, "local Hessian pattern vs jax nonzeros")
    inside("hessian pattern", Hl, Hg, stats, "global Hessian pattern vs local")

    # --- sweeps on the global tape ------------------------------------------------------
    close("jvp", asd.jvp(tape, x1, v)[1], ref["jv"], stats, "asd.jvp vs jax.jvp")
    close("vjp", asd.vjp(tape, x1, w)[1], ref["vj"], stats, "asd.vjp vs jax.vjp")
    close("jvp", asd.jvp(tape, x1, np.eye(n))[1], J, stats, "asd.jvp(I) vs jax Jacobian")
    V = rng.standard_normal((n, 2))
    close("hvp", asd.hvp(tape, x1, w, V), H @ V, stats, "asd.hvp vs jax Hessian @ V")

    # --- prepared Jacobians -------------------------------------------------------------
    prepared = []
    for k, mode in enumerate((JACOBIAN_MODES[seed % 5], JACOBIAN_MODES[(seed + 2) % 5])):
        sparsity, at = "global", x0
        if k == 1 and seed % 3 == 0:
            sparsity, at = "local", x1
        elif k == 1 and seed % 3 == 1 and mode != "direct":
            sparsity = sp.csr_array(Pg)
        Jp = asd.jacobian(prog, at, mode=mode, sparsity=sparsity, format="csr")
        name = sparsity if isinstance(sparsity, str) else "given"
        close(f"jacobian {mode}", Jp(x1).toarray(), J, stats, f"{name} sparsity, {Jp.mode}")
        prepared.append(Jp)

    # --- prepared Hessians and gradient ------------------------------------------------
    hmode = HESSIAN_MODES[(seed // 2) % 3]
    hsparsity, at = ("local", x1) if seed % 4 == 1 else ("global", x0)
    if seed % 2:
        Hp = asd.hessian(prog, at, mode=hmode, sparsity=hsparsity, weighted=True, format="csr")
        Hx = Hp(x1, w).toarray()
    else:
        Hp = asd.hessian(lambda x: w @ prog(x), at, mode=hmode, sparsity=hsparsity, format="csr")
        Hx = Hp(x1).toarray()
    close(f"hessian {hmode}", Hx, H, stats, f"{hsparsity} sparsity, {Hp.mode}")
    prepared.append(Hp)
    if seed % 4 == 2:
        g = asd.gradient(lambda x: w @ prog(x), x0)
        close("gradient", g(x1).ravel(), J.T @ w, stats, "asd.gradient of w @ f")
        prepared.append(g)

    if cons is not None:
        check_nlp(prog, cons, lam, rng, stats, x0.ravel(), x1.ravel(), w, ref)
    if seed % PICKLE_EVERY == 0:
        check_pickle(prepared, tape, x1, w, stats)
    if timings is not None:
        timings["jax"] += t_jax - t_start
        timings["asd"] += time.perf_counter() - t_jax
    return prog


def check_nlp(prog, cons, lam, rng, stats, x0, x1, w, ref):
    """NLP with objective w @ prog and a second random program as constraints."""
    n = x0.size
    J, H, gy, Jc = ref["J"], ref["H"], ref["gy"], ref["Jc"]
    sigma = float(rng.uniform(0.5, 2.0))
    HL = sigma * H + ref["Hc"]

    def objective(x):
        return w @ prog(x)

    nlp = asd.NLP(objective, x0, constraints=cons, hessian_mode=HESSIAN_MODES[rng.integers(3)])
    close("nlp values", nlp.objective(x1), w @ ref["y"], stats, "objective")
    close("nlp values", nlp.constraints(x1), gy, stats, "constraints")
    close("nlp gradient", nlp.gradient(x1), J.T @ w, stats)
    r, c = nlp.jacobianstructure()
    Ja = np.zeros((gy.size, n))
    np.add.at(Ja, (r, c), nlp.jacobian(x1))
    covered = np.zeros((gy.size, n), bool)
    covered[r, c] = True
    inside("nlp jacobian pattern", Jc != 0, covered, stats, "constraint Jacobian structure")
    close("nlp jacobian", Ja, Jc, stats, "constraint Jacobian")
    r, c = nlp.hessianstructure()
    stats.checks["nlp hessian structure"] += 1
    if (r < c).any():
        raise Mismatch("nlp hessian structure", "an entry above the diagonal")
    L = np.zeros((n, n))
    np.add.at(L, (r, c), nlp.hessian(x1, lam, sigma))
    covered = np.zeros((n, n), bool)
    covered[r, c] = True
    inside("nlp hessian pattern", np.tril(HL) != 0, covered, stats, "Lagrangian Hessian structure")
    close("nlp lagrangian hessian", L, np.tril(HL), stats, "σ∇²f + Σλᵢ∇²gᵢ, lower triangle")


def check_pickle(prepared, tape, x1, w, stats):
    """Unpickled prepared derivatives and tape reproduce the originals bit for bit."""

    def same(kind, a, b):
        stats.checks["pickle"] += 1
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape or not np.array_equal(a, b, equal_nan=True):
            raise Mismatch("pickle", f"{kind} differs after pickling")

    for obj in prepared:
        clone = pickle.loads(pickle.dumps(obj))
        if isinstance(obj, asd.SparseJacobian):
            same("jacobian", clone.values(x1), obj.values(x1))
        elif isinstance(obj, asd.SparseHessian):
            args = (w,) if obj.weighted else ()
            same("hessian", clone.values(x1, *args), obj.values(x1, *args))
        else:
            same("gradient", clone(x1), obj(x1))
    t2 = pickle.loads(pickle.dumps(tape))
    same("tape evaluate", asd.evaluate(t2, x1), asd.evaluate(tape, x1))
    same("tape vjp", asd.vjp(t2, x1, w)[1], asd.vjp(tape, x1, w)[1])


def program_of(seed: int, flags: Flags | None = None, stats: Stats | None = None):
    """The program of ``seed``, the generator (for the draws after it) and the point x1."""
    rng = np.random.default_rng([SEED_BASE, seed])
    n = int(rng.integers(1, 13))
    x1 = rng.uniform(-1.2, 1.2, size=n)
    deep = seed % DEEP_EVERY == DEEP_EVERY // 2
    return draw_program(rng, flags or Flags(), stats or Stats(), x1, deep=deep), rng, x1


def describe(seed: int, flags: Flags | None = None) -> str:
    """The program of ``seed`` (for failure messages)."""
    return repr(program_of(seed, flags)[0])


__all__ = ["NUMPY", "Flags", "Mismatch", "Stats", "check_seed", "describe"]
