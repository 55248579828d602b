"""Load scenarios for batches of AC-OPF solves, as OPF dataset generators make them.

Every load (a bus with nonzero active or reactive demand) is scaled by its own factor,
uniform in ``[1 - spread, 1 + spread]``; a bus's active and reactive load share the
factor, so its power factor is kept. Scenario ``k`` draws from
``numpy.random.default_rng([seed, k])``: it depends on the seed and its own id only,
so a run with more scenarios repeats the first ones exactly (and resumes on them).
"""

from __future__ import annotations

import numpy as np

from .model import ACOPF


def load_factors(model: ACOPF, scenario: int, spread: float, seed: int) -> np.ndarray:
    """The per-bus scaling factors of one scenario (1 at buses without load)."""
    loaded = (model.data.pd != 0) | (model.data.qd != 0)
    rng = np.random.default_rng([int(seed), int(scenario)])
    factors = np.ones(model.data.n_bus)
    factors[loaded] = rng.uniform(1.0 - spread, 1.0 + spread, int(loaded.sum()))
    return factors


def load_scenarios(model: ACOPF, count: int, spread: float = 0.2, seed: int = 0) -> list[dict]:
    """Parameter dicts (``model.params``) of scenarios ``0 .. count - 1``.

    ``model`` must have ``pd`` and ``qd`` among its parameters; ``spread`` is in
    ``[0, 1)``, ``seed`` a non-negative integer.
    """
    if not {"pd", "qd"} <= set(model.parameters):
        raise ValueError("load scenarios need a model with pd and qd as parameters")
    if not 0.0 <= spread < 1.0:
        raise ValueError(f"--spread must be in [0, 1), not {spread:g}")
    if count < 1:
        raise ValueError(f"--scenarios must be at least 1, not {count}")
    if seed < 0:
        raise ValueError(f"--seed must be a non-negative integer, not {seed}")
    d = model.data
    out = []
    for k in range(count):
        f = load_factors(model, k, spread, seed)
        out.append(model.params(pd=d.pd * f, qd=d.qd * f))
    return out
