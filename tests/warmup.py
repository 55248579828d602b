"""Compile the test suite's shared Numba code in two processes at once, before the tests.

The suite runs every tape on the kernel module with all operator families; its nine
kernels take minutes to compile on an empty cache, one at a time in a single process.
``tests/conftest.py`` runs the two parts below side by side (one per core) before the
first test, so the tests then load the kernels from the cache. Each part calls the
public API on small functions, so the kernels compile for exactly the argument types
the tests use.

    python -m tests.warmup 0   # or 1
"""

from __future__ import annotations

import sys

import numpy as np


def _f(x):
    return np.concatenate([x[1:] * np.sin(x[:-1]), [np.exp(x[0]) * x[-1] ** 3]])


def part(k: int) -> None:
    """Part 0: direct Jacobian and Hessian kernels; part 1: the sweeps and detection."""
    import asd

    x = np.linspace(0.1, 0.9, 5)
    if k == 0:
        asd.jacobian(_f, mode="direct")(x)
        asd.hessian(lambda x: _f(x).sum(), mode="direct")(x)
    else:
        tape = asd.trace(_f, x)
        asd.evaluate(tape, x)
        asd.jvp(tape, x, np.eye(5)[:, :2])
        asd.vjp(tape, x, np.eye(5)[:, :2])
        asd.hvp(tape, x, np.ones(5), np.eye(5)[:, :2])
        asd.jacobian_sparsity(_f, x)
        asd.hessian(lambda x: _f(x).sum(), mode="colored")(x)


if __name__ == "__main__":
    part(int(sys.argv[1]))
