"""Work counters and an exclusive time split for the stiff integrators.

Timers are *exclusive*: time spent in a nested section (say, the JVPs inside a GMRES
solve) is charged to the inner section only, so the split always adds up to at most
the wall time and no cost is counted twice.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field

#: the sections the integrators charge time to, in report order
SECTIONS = ("f", "jac", "jvp", "order", "factor", "solve")


@dataclass
class SolverStats:
    """What an integration did and where its time went."""

    steps: int = 0
    rejected: int = 0
    newton_iters: int = 0
    newton_failures: int = 0
    f_evals: int = 0
    jac_evals: int = 0
    factorizations: int = 0
    orderings: int = 0
    linear_solves: int = 0
    jvps: int = 0
    krylov_iters: int = 0
    wall: float = 0.0
    times: dict = field(default_factory=lambda: dict.fromkeys(SECTIONS, 0.0))
    _stack: list = field(default_factory=list, repr=False)

    @contextmanager
    def timer(self, section: str):
        """Charge the enclosed block's time, minus nested sections, to ``section``."""
        t0 = time.perf_counter()
        self._stack.append(0.0)
        try:
            yield
        finally:
            elapsed = time.perf_counter() - t0
            nested = self._stack.pop()
            self.times[section] = self.times.get(section, 0.0) + elapsed - nested
            if self._stack:
                self._stack[-1] += elapsed

    @property
    def other(self) -> float:
        """Wall time not charged to any section (step control, vector arithmetic)."""
        return max(0.0, self.wall - sum(self.times.values()))

    def summary(self) -> str:
        """A few human-readable lines (used by the CLI)."""
        lines = [
            f"steps {self.steps} (rejected {self.rejected}), Newton iterations "
            f"{self.newton_iters} (failed solves {self.newton_failures}), f evaluations "
            f"{self.f_evals}",
            f"Jacobian evaluations {self.jac_evals}, orderings {self.orderings}, "
            f"factorisations {self.factorizations}, "
            f"linear solves {self.linear_solves}, JVPs {self.jvps}, Krylov iterations "
            f"{self.krylov_iters}",
        ]
        split = ", ".join(f"{k} {v:.3f}" for k, v in self.times.items())
        lines.append(f"time [s]: total {self.wall:.3f} = {split}, other {self.other:.3f}")
        return "\n".join(lines)
