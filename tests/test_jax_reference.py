"""asd against an independent reference: exact derivatives from JAX (x64, CPU).

Every program of tests/jax_programs.py runs unchanged on numpy arrays, on asd's traced
arrays and on jax.numpy; tests/jax_checks.py compares values, sparsity patterns
(JAX's exact nonzeros ⊆ local ⊆ global), JVP / VJP / HVP, prepared Jacobians in the
five modes, Hessians in the three modes, gradients, NLP Lagrangian Hessians and
pickled objects (which modes run on a program rotates with its seed).

Cost: JAX's reference is one ``jax.jit`` per program and XLA's compilation dominates:
measured on the shared 2-core machine, 0.75 s of CPU per program with a cold JAX
cache and 0.24 s when the persistent cache (``ASD_JAX_CACHE_DIR``, default
~/.cache/asd/jax-reference-v1) already holds the suite's programs; asd's side is
~0.05 s. So the 400 programs here take ~100 s of CPU warm, ~300 s cold
(``ASD_JAX_PER_BATCH`` changes the 20 per batch). Eager JAX compiles every primitive
of a new shape separately (~2 s per program), hence the jit. The long run is
``benchmarks/jax_reference.py``.
"""

from __future__ import annotations

import os

import jax  # noqa: F401 - a test dependency (the test extra): fail loudly if missing
import numpy as np
import pytest
from jax_checks import (
    DEEP_EVERY,
    HESSIAN_MODES,
    JACOBIAN_MODES,
    Mismatch,
    Stats,
    check_seed,
    check_seed_confirmed,
    describe,
    program_of,
)
from jax_programs import FAMILIES, Flags, Program

import asd

BATCHES = 20
PER_BATCH = int(os.environ.get("ASD_JAX_PER_BATCH", "20"))
PROGRAMS = BATCHES * PER_BATCH


@pytest.mark.parametrize("batch", range(BATCHES))
def test_against_jax(batch):
    stats = Stats()
    for k in range(PER_BATCH):
        seed = batch * PER_BATCH + k
        try:
            check_seed_confirmed(seed, Flags(), stats)
        except Exception as e:
            raise AssertionError(f"seed {seed}: {describe(seed)}\n{type(e).__name__}: {e}") from e
    assert stats.programs == PER_BATCH
    # every program ran its value, pattern and sweep checks
    for kind in ("values", "jvp", "vjp", "hvp"):
        assert stats.checks[kind] >= PER_BATCH, kind
    assert stats.checks["jacobian pattern"] == stats.checks["hessian pattern"] == 2 * PER_BATCH


def _program(seed, flags=None) -> Program:
    """The program check_seed builds for ``seed`` (the same draws, without JAX)."""
    return program_of(seed, flags)[0]


def test_suite_covers_the_grammar():
    """The suite's programs use every default instruction, both input ranks, sizes 1 and
    12, deep chains, and every Jacobian and Hessian mode many times."""
    known = set()
    for name, family in FAMILIES.items():
        for n in (1, 4, 6, 12):
            known |= {f"{name}.{op}" for op in family(np.random.default_rng(n), n, Flags())}
    used, shapes, deep = set(), set(), 0
    for seed in range(PROGRAMS):
        prog = _program(seed)
        used |= set(prog.description)
        shapes.add(prog.shape)
        deep += prog.deep
    assert known <= used, sorted(known - used)
    assert {(1,), (12,)} <= shapes and any(len(s) == 2 for s in shapes)
    assert deep >= PROGRAMS // DEEP_EVERY >= 4
    assert all(len(_program(s).instructions) >= 100 for s in range(50, PROGRAMS, DEEP_EVERY))
    jac = [JACOBIAN_MODES[s % 5] for s in range(PROGRAMS)] + [
        JACOBIAN_MODES[(s + 2) % 5] for s in range(PROGRAMS)
    ]
    assert min(jac.count(m) for m in JACOBIAN_MODES) >= PROGRAMS // 5
    hes = [HESSIAN_MODES[(s // 2) % 3] for s in range(PROGRAMS)]
    assert min(hes.count(m) for m in HESSIAN_MODES) >= PROGRAMS // 4


def test_flags_add_the_disabled_constructs():
    """Every flag, when on, adds instructions that the default grammar lacks."""
    for flag in Flags.names():
        on = Flags().enable(flag)
        extra = set()
        for family in FAMILIES.values():
            rng_on, rng_off = np.random.default_rng(3), np.random.default_rng(3)
            extra |= set(family(rng_on, 6, on)) - set(family(rng_off, 6, Flags()))
        assert extra, flag


def test_backends_replay_the_same_program():
    """numpy and JAX give the same values for one program (the grammar is consistent),
    and a program traced by asd evaluates to numpy's values."""
    from jax_checks import jax_backend

    prog = _program(7)
    x = np.linspace(-1.0, 1.0, prog.n).reshape(prog.shape)
    y = prog(x)
    assert np.allclose(np.asarray(prog(x, jax_backend())), y, rtol=1e-13, atol=1e-13)
    assert np.allclose(asd.evaluate(asd.trace(prog, x), x), y, rtol=1e-13, atol=1e-13)


def test_a_wrong_derivative_is_caught(monkeypatch):
    """The harness fails when asd's result is off by a small relative amount."""
    jvp = asd.jvp

    def wrong(tape, x, V):
        y, out = jvp(tape, x, V)
        return y, out * (1.0 + 1e-8)

    def moves(seed):
        prog, _, x1 = program_of(seed)
        tape = asd.trace(prog, x1.reshape(prog.shape))
        return np.abs(asd.jvp(tape, x1, np.ones(prog.n))[1]).max() > 1e-3

    seed = next(s for s in range(100) if s % DEEP_EVERY != DEEP_EVERY // 2 and moves(s))
    monkeypatch.setattr(asd, "jvp", wrong)
    with pytest.raises(Mismatch, match="jvp"):
        check_seed(seed, Flags(), Stats())
