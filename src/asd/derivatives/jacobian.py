"""Prepared sparse Jacobians: trace once, colour once, evaluate by compressed sweeps."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import scipy.sparse as sp

from ..detection import jacobian_pattern
from ..detection.patterns import dependencies, shared_structure
from ..errors import InputError
from ..evaluation.direct import DirectJacobian
from ..evaluation.scratch import check_work_memory
from ..evaluation.workspace import Workspace
from .common import Prepared, check_local
from .common import missing_entries as _missing
from .output import Output, check_format

MODES = ("auto", "direct", "forward", "reverse", "bidirectional")
#: relative cost of one reverse sweep against one forward sweep (per seed)
REVERSE_COST = 1.5
DEFAULT_ORDER = None  # the colouring default: best of all orders, improved
#: "auto" tries a bidirectional colouring only when both one-sided ones need more colours
BIDIRECTIONAL_MIN_COLORS = 8


class SparseJacobian(Prepared):
    """The exact sparse Jacobian of ``fun``, prepared for repeated evaluation.

    Attributes (after preparation): ``pattern`` (boolean CSR), ``mode`` ("direct",
    "forward", "reverse" or "bidirectional", the cheapest by ``costs`` unless requested),
    ``costs`` (estimated multiply-adds per evaluation of each mode considered),
    ``coloring`` and ``ncolors`` (of the colouring used, or the forward one considered
    when direct accumulation won), ``tape``.
    """

    def __init__(
        self,
        fun: Callable,
        x0=None,
        *,
        sparsity: str | sp.sparray | sp.spmatrix = "global",
        order: str | Sequence[str] | None = None,
        mode: str = "auto",
        format: str = "auto",
        args: tuple = (),
        argnums: int | tuple[int, ...] = 0,
        static_argnums=(),
    ):
        if mode not in MODES:
            raise InputError(f"asd: mode must be one of {MODES}, not {mode!r}")
        self.sparsity = sparsity
        self.order = order or DEFAULT_ORDER
        self.requested_mode = mode
        self.format = check_format(format)
        self._init_common(fun, x0, args, argnums, static_argnums)

    # -- preparation -----------------------------------------------------------------
    def _prepare(self, x0) -> SparseJacobian:
        """Trace at ``x0``, detect the pattern and colour it."""
        x0 = np.asarray(x0, dtype=np.float64)
        local = isinstance(self.sparsity, str) and self.sparsity == "local"
        self._local = local
        tape = self._trace(x0, "local" if local else "global")
        if isinstance(self.sparsity, str) and self.sparsity not in ("global", "local"):
            raise InputError("asd: sparsity must be 'global', 'local' or a boolean sparse matrix")
        self._deps = dependencies(tape, x0 if local else None, "local" if local else "global")
        if isinstance(self.sparsity, str):
            pattern = jacobian_pattern(tape, deps=self._deps)
        else:
            pattern = _user_pattern(self.sparsity, tape)
        self.tape = tape
        self.pattern = pattern
        self._workspace = Workspace(tape)
        self._choose_mode()
        self._structure = None
        self._output = Output(self.pattern, self.structure, "Jacobian")
        self._prepared = True
        return self

    def _choose_mode(self) -> None:
        """Pick the cheapest of direct accumulation and column / row colouring.

        Costs are estimated multiply-adds per evaluation: a compressed sweep touches
        every node and linear term once per colour; direct accumulation touches each
        argument's dependency set once per edge (its plan reports that count).
        """
        req = self.requested_mode
        tape = self.tape
        sweep = tape.n_nodes + tape.lin_idx.size
        self.costs: dict[str, float] = {}
        self._direct = None
        colorings = {}
        if req in ("auto", "direct") and isinstance(self.sparsity, str):
            self._direct = DirectJacobian(tape, *self._deps)
            self.costs["direct"] = self._direct.cost + tape.n_nodes
        elif req == "direct":
            raise InputError("asd: mode='direct' needs detected sparsity, not a given pattern")
        from ..coloring import color
        from ..coloring.improve import preparation_budget

        budget = preparation_budget(sweep)

        P = self.pattern
        # a column colouring needs at least as many colours as the densest row has
        # entries (a row colouring: column), so colouring is skipped when even that
        # bound cannot beat direct accumulation
        bound = {
            "forward": np.diff(P.indptr).max(initial=0) * sweep,
            "reverse": np.bincount(P.indices, minlength=P.shape[1]).max(initial=0)
            * sweep
            * REVERSE_COST,
        }
        direct = self.costs.get("direct", np.inf)
        weights = {"forward": 1.0, "reverse": REVERSE_COST}
        for key, problem in (("forward", "column"), ("reverse", "row")):
            if req == key or (req == "auto" and bound[key] < direct):
                colorings[key] = color(P, problem=problem, order=self.order, budget=budget)
                self.costs[key] = colorings[key].ncolors * sweep * weights[key]
        one_sided = min((colorings[k].ncolors for k in colorings), default=0)
        if req == "bidirectional" or (
            req == "auto" and len(colorings) == 2 and one_sided >= BIDIRECTIONAL_MIN_COLORS
        ):
            bi = color(P, problem="bidirectional", order=self._single_order())
            colorings["bidirectional"] = bi
            self.costs["bidirectional"] = (bi.nforward + bi.nreverse * REVERSE_COST) * sweep
        self.mode = min(self.costs, key=self.costs.get)
        if self.mode != "direct":
            self._direct = None
        self.coloring = colorings.get(self.mode, colorings.get("forward"))
        self.ncolors = self.coloring.ncolors if self.coloring is not None else 0
        if self.mode != "direct":
            seeds = (
                self.ncolors
                if self.mode != "bidirectional"
                else max(self.coloring.nforward, self.coloring.nreverse)
            )
            check_work_memory(
                tape.n_nodes + P.shape[0] + P.shape[1],  # sweep, seeds, compressed J
                seeds,
                f"mode={self.mode!r} with {seeds} colours",
                "Use mode='auto' (it weighs direct accumulation and bidirectional colouring) "
                "or mode='direct'.",
            )
        if self.mode in ("forward", "reverse"):
            self._seeds = np.ascontiguousarray(self.coloring.seed_matrix(), dtype=np.float64)
        elif self.mode == "bidirectional":
            self._seeds = tuple(
                np.ascontiguousarray(s, dtype=np.float64) for s in self.coloring.seed_matrix()
            )

    def _single_order(self) -> str:
        """The bidirectional colouring takes one order name: the first of a list."""
        if self.order is None or isinstance(self.order, str):
            return self.order
        return list(self.order)[0]

    # -- evaluation ------------------------------------------------------------------------
    def values(self, *fargs) -> np.ndarray:
        """Nonzeros of J in the fixed order of ``structure()`` (CSR order of the pattern);
        ``fargs``: ``fun``'s positional arguments (or x alone). A new array."""
        x, params = self._inputs(fargs)
        ws = self._workspace
        xf = ws.check(x, params)
        if self._local:
            check_local(self.tape, x, params, self._deps[0], "Jacobian")
        if self.pattern.nnz == 0:
            return np.zeros(0)
        if self.mode == "direct":
            return self._direct.values(xf)
        if self.mode == "forward":
            _, compressed = ws.forward(xf, self._seeds)
        elif self.mode == "reverse":
            _, compressed = ws.reverse(xf, self._seeds)
        else:
            return self._bidirectional_values(xf)
        return self.coloring.decompress_values(compressed)

    def _bidirectional_values(self, x: np.ndarray) -> np.ndarray:
        """Forward sweeps for the column seeds, reverse sweeps for the row seeds, one
        value sweep shared by both."""
        ws = self._workspace
        sc, sr = self._seeds
        m, n = self.pattern.shape
        val = None
        fwd = np.zeros((m, 0))
        rev = np.zeros((0, n))
        if sc.shape[1]:
            val, fwd = ws.forward(x, sc)
        if sr.shape[1]:
            _, rev = ws.reverse(x, sr, val)
        return self.coloring.decompress_values((fwd, rev))

    def __call__(self, *fargs):
        """J at ``fun``'s positional arguments (x alone, or all of them: scipy passes
        ``jac(x, *args)``, solve_ivp ``jac(t, y)`` with ``argnums=1``) in ``format``."""
        values = self.values(*fargs)  # prepares on the first call
        return self._output(values, self.format)

    def structure(self) -> tuple[np.ndarray, np.ndarray]:
        """Row and column indices of the nonzeros, in the order ``values`` uses."""
        if not self._prepared:
            raise InputError("asd: call prepare(x0) (or the Jacobian once) first")
        if self._structure is None:
            self._structure = shared_structure(self.pattern)
        return self._structure

    def bandwidth(self) -> tuple[int, int]:
        """``(lband, uband)`` of the pattern: J[i, j] is structurally zero unless
        ``-lband <= j - i <= uband``. With ``format="banded"`` (packed band storage) it
        is what ``solve_ivp(..., method="LSODA", lband=..., uband=...)`` needs."""
        if not self._prepared:
            raise InputError("asd: call prepare(x0) (or the Jacobian once) first")
        return self._output.bands()

    @property
    def nnz(self) -> int:
        return int(self.pattern.nnz)

    def __repr__(self) -> str:
        if not self._prepared:
            return "SparseJacobian(unprepared)"
        m, n = self.pattern.shape
        return (
            f"SparseJacobian({m}x{n}, nnz={self.nnz}, {self.mode} mode, "
            f"{self.ncolors} colours, format={self.format!r})"
        )


def _user_pattern(pattern, tape) -> sp.csr_array:
    """A user-supplied pattern, checked against the detected one (it must contain it)."""
    P = sp.csr_array(pattern, dtype=bool, copy=True)  # sorted below: not the user's arrays
    shape = (tape.n_outputs, tape.n_inputs)
    if P.shape != shape:
        raise InputError(f"asd: the given sparsity has shape {P.shape}, the Jacobian is {shape}")
    detected = jacobian_pattern(tape)
    missing = _missing(detected, P)
    if missing.nnz:
        r, c = missing.nonzero()
        raise InputError(
            f"asd: the given sparsity pattern misses {missing.nnz} structural nonzero(s) of "
            f"the Jacobian, e.g. ({r[0]}, {c[0]}); using it would give a wrong matrix."
        )
    P.sort_indices()
    return P


def jacobian(
    fun: Callable,
    x0=None,
    *,
    sparsity="global",
    order=None,
    mode: str = "auto",
    format: str = "auto",
    args: tuple = (),
    argnums: int | tuple[int, ...] = 0,
    static_argnums=(),
) -> SparseJacobian:
    """Prepared sparse Jacobian of ``fun`` with respect to its argument ``argnums``.

    ``J(x)`` or ``J(*fun_args)`` returns the matrix. Float values among the other
    arguments are runtime parameters: ``J(x, p)`` evaluates at this ``p`` with no
    re-trace, and a global pattern holds for every ``p``. ``args``: the other
    arguments used when preparing at ``x0`` or when a call passes x alone. With
    ``x0=None`` it prepares on the first call, so it can be passed straight to scipy:
    ``root(f, x0, jac=asd.jacobian(f))``,
    ``solve_ivp(rhs, span, y0, method="BDF", jac=asd.jacobian(rhs, argnums=1))``.
    ``format``: "auto" (dense ndarray up to 65,536 entries, else an ``AutoCOO`` that
    numpy densifies on request; see :mod:`asd.derivatives.output`), "csr", "csc",
    "coo", "dense" or "banded" (LSODA's packed storage; ``J.bandwidth()``).
    """
    return SparseJacobian(
        fun,
        x0,
        sparsity=sparsity,
        order=order,
        mode=mode,
        format=format,
        args=args,
        argnums=argnums,
        static_argnums=static_argnums,
    )
