"""A corpus of third-party numpy functions for checking asd (issue #15).

Every function is written here from its published mathematical definition, in the
plain numpy style its source uses (loops over terms, ``fvec = np.zeros(m)`` buffers
with element writes, fancy indexing, reductions); no code is copied from other
projects. Each entry records the source it comes from (:data:`SOURCES` plus a
problem number or name), its kind, the input sizes it is checked at, how to draw
test points in its domain, and what asd is expected to do with it.

``expect`` is ``"ok"`` (exact derivatives) or the name of the asd error class the
function is expected to raise (a clear, documented limitation); ``xfail`` holds the
one-line description of a known asd bug (wrong result or unrelated crash), checked
as a strict xfail so the entry turns into a failure when the bug is fixed.
"""

from __future__ import annotations

import importlib
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

SOURCES = {
    "MGH": "J. J. Moré, B. S. Garbow, K. E. Hillstrom, Testing unconstrained optimization "
    "software, ACM Trans. Math. Software 7(1), 17-41, 1981",
    "HS": "W. Hock, K. Schittkowski, Test Examples for Nonlinear Programming Codes, "
    "Lecture Notes in Economics and Mathematical Systems 187, Springer, 1981",
    "CUTE": "I. Bongartz, A. R. Conn, N. Gould, Ph. L. Toint, CUTE: constrained and "
    "unconstrained testing environment, ACM TOMS 21(1), 123-160, 1995 (problem formulas as "
    "published with CUTE/CUTEst SIF files and in N. Andrei, An unconstrained optimization "
    "test functions collection, AMO 10(1), 147-161, 2008)",
    "JY": "M. Jamil, X.-S. Yang, A literature survey of benchmark functions for global "
    "optimization problems, Int. J. Math. Modelling & Num. Optimisation 4(2), 150-194, 2013",
    "HW": "E. Hairer, G. Wanner, Solving Ordinary Differential Equations II: Stiff and "
    "Differential-Algebraic Problems, Springer, 2nd ed. 1996 (test problems, Ch. IV.10), "
    "and the Bari/CWI IVP test set (F. Mazzia, C. Magherini) for their formulas",
    "PDE": "standard finite-difference discretisations of textbook PDEs (R. J. LeVeque, "
    "Finite Difference Methods for Ordinary and Partial Differential Equations, SIAM 2007)",
}

KINDS = ("scalar", "vector", "ode")


@dataclass
class Entry:
    name: str
    fun: Callable
    source: str  # key of SOURCES
    ref: str  # problem number or name within the source
    kind: str  # "scalar", "vector" (residuals, constraints) or "ode" (right-hand side)
    sizes: tuple[int, ...]
    domain: tuple[float, float] = (-2.0, 2.0)
    draw: Callable | None = None  # draw(rng, n) -> one test point
    expect: str = "ok"  # "ok" or the asd error class name expected
    xfail: str | None = None  # a known asd bug (one line), checked as strict xfail
    jac: Callable | None = None  # optional hand-written Jacobian jac(x)
    module: str = field(default="")

    @property
    def citation(self) -> str:
        return f"{SOURCES[self.source]}, {self.ref}"

    def points(self, n: int, k: int = 3) -> list[np.ndarray]:
        """``k`` test points of size ``n`` in the function's domain (seeded by name)."""
        rng = np.random.default_rng(zlib.crc32(f"{self.name}/{n}".encode()))
        if self.draw is not None:
            return [np.asarray(self.draw(rng, n), dtype=np.float64) for _ in range(k)]
        lo, hi = self.domain
        return [rng.uniform(lo, hi, n) for _ in range(k)]


REGISTRY: dict[str, Entry] = {}
MODULES = ("mgh", "hs", "cute", "jamil_yang", "jamil_yang2", "ode", "pde")


def register(source, ref, kind, n, **kw):
    """Decorator adding a function to the corpus; ``n`` is one size or a tuple of sizes."""
    if kind not in KINDS:
        raise ValueError(kind)
    sizes = tuple(n) if isinstance(n, tuple | list) else (n,)

    def deco(fun):
        name = kw.pop("name", None) or fun.__name__
        if name in REGISTRY:
            raise ValueError(f"duplicate corpus entry {name}")
        REGISTRY[name] = Entry(name, fun, source, ref, kind, sizes, module=fun.__module__, **kw)
        return fun

    return deco


def entries() -> list[Entry]:
    """All corpus entries (importing every corpus module once)."""
    for m in MODULES:
        importlib.import_module(f"{__name__}.{m}")
    return list(REGISTRY.values())
