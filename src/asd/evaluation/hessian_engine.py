"""Lower-triangle values of ∇²(wᵀf): direct accumulation or star colouring.

Both Hessian users (``asd.hessian`` and the NLP's Lagrangian) go through this
class; it picks the cheaper evaluation by an estimated operation count.
"""

from __future__ import annotations

import threading

import numpy as np
import scipy.sparse as sp

from ..detection.patterns import csr_structure
from ..errors import InputError
from ..tape import Tape
from .direct_hessian import DirectHessian
from .scratch import check_work_memory
from .workspace import Workspace

HESSIAN_MODES = ("auto", "direct", "colored")

#: guards the colourings computed on first access (module-level: engines pickle)
_COLORING_LOCK = threading.Lock()


class HessianEngine:
    """Evaluates the lower triangle of a symmetric pattern, in CSR order of ``tril``."""

    def __init__(
        self,
        tape: Tape,
        pattern: sp.csr_array,
        deps=None,
        *,
        mode: str = "auto",
        coloring: str = "star",
        order=None,
    ):
        if mode not in HESSIAN_MODES:
            raise InputError(f"asd: Hessian mode must be one of {HESSIAN_MODES}, not {mode!r}")
        from ..coloring import color

        self.tape = tape
        self.n = tape.n_inputs
        self.pattern = pattern
        lower = sp.csr_array(sp.tril(pattern), dtype=bool)
        lower.sort_indices()
        self.lower = lower
        self.rows, self.cols = csr_structure(lower)
        from ..coloring.improve import preparation_budget

        sweep = tape.n_nodes + tape.lin_idx.size
        self._direct = None
        if mode in ("auto", "direct"):
            if deps is None:
                raise InputError("asd: direct Hessian evaluation needs detected sparsity")
            self._direct = DirectHessian(tape, *deps, lower)
        self._quick_args = (pattern, coloring, order or "natural")
        self._coloring = None
        self._sweep = sweep
        self._costs: dict[str, float] = {}
        if self._direct is not None:
            self._costs["direct"] = float(self._direct.cost)
        if mode == "direct" or (mode == "auto" and self._direct.cost <= 3.0 * sweep):
            # direct accumulation costs less than one colour's sweep: no colouring can
            # win, so none is computed unless asked for (``coloring``)
            self.mode = "direct"
            return
        # the improved default colouring only where colouring can still win: a cheap
        # natural-order colouring (and its lower bound) first
        quick = self._quick()
        cheapest = 3.0 * sweep * max(quick.lower_bound, 1)
        if order is not None or (mode == "auto" and self._direct.cost <= cheapest):
            self._coloring = quick
        else:
            self._coloring = color(
                pattern, problem=coloring, order=order, budget=preparation_budget(sweep)
            )
        self._costs["colored"] = 3.0 * sweep * max(self.ncolors, 1)
        self.mode = mode if mode != "auto" else min(self.costs, key=self.costs.get)
        if self.mode == "colored":
            check_work_memory(
                2 * tape.n_nodes + 2 * self.n,  # tangents, their adjoints, seeds, result
                self.ncolors,
                f"the coloured Hessian with {self.ncolors} colours",
                "Use mode='auto' or mode='direct' (direct second-order accumulation).",
            )
            self._direct = None
            self._seeds = np.ascontiguousarray(self.coloring.seed_matrix(), dtype=np.float64)
            self._workspace = Workspace(tape)

    def _quick(self):
        """The natural-order (or the given order's) colouring, not improved."""
        from ..coloring import color

        pattern, problem, order = self._quick_args
        return color(pattern, problem=problem, order=order, improve=False)

    @property
    def coloring(self):
        """The star colouring (computed on first use where direct evaluation won
        without one)."""
        if self._coloring is None:
            with _COLORING_LOCK:
                if self._coloring is None:
                    self._coloring = self._quick()
        return self._coloring

    @property
    def ncolors(self) -> int:
        return self.coloring.ncolors

    @property
    def costs(self) -> dict[str, float]:
        """Estimated multiply-adds per evaluation of each mode."""
        if "colored" not in self._costs:
            self._costs["colored"] = 3.0 * self._sweep * max(self.ncolors, 1)
        return dict(self._costs)

    def lower_values(self, x: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Nonzeros of tril(∇²(wᵀf)(x)) (``x`` checked and flat)."""
        if self.lower.nnz == 0:
            return np.zeros(0)
        if self._direct is not None:
            return self._direct.values(x, weights)
        compressed = self._workspace.hessian(x, weights, self._seeds)
        return self.coloring.decompress_values(compressed, triangle="lower")

    def plan(self) -> dict | None:
        """What one evaluation of ``lower_values`` reads, for compiled callers:
        ``{"mode": "empty"}``, ``{"mode": "direct", **DirectHessian.plan()}`` or, for a
        colouring recovered by one gather, ``{"mode": "colored", "seeds", "gather"}``
        (compressed ``n x ncolors`` block, flat, gathered into the lower triangle);
        None for colourings recovered by substitution (acyclic)."""
        if self.lower.nnz == 0:
            return {"mode": "empty"}
        if self._direct is not None:
            return {"mode": "direct", **self._direct.plan()}
        gather = self.coloring.lower_gather()
        if gather is None:
            return None
        return {"mode": "colored", "seeds": self._seeds, "gather": gather}

    def full_from_lower(self) -> np.ndarray:
        """For each entry of the full pattern (CSR order), its index among the lower ones."""
        P = self.pattern
        r = np.repeat(np.arange(self.n), np.diff(P.indptr))
        c = P.indices
        keys = self.rows * self.n + self.cols
        return np.searchsorted(keys, np.maximum(r, c) * self.n + np.minimum(r, c))

    def upper_order(self) -> np.ndarray:
        """Permutation of the lower entries into CSR order of the upper triangle."""
        return np.lexsort((self.rows, self.cols))
