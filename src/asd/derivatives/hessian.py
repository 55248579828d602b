"""Prepared sparse Hessians (scalar f) and weighted Hessians Σ vᵢ∇²fᵢ (vector f)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import scipy.sparse as sp

from ..detection import hessian_pattern
from ..detection.patterns import dependencies, shared_structure
from ..errors import InputError
from ..evaluation.hessian_engine import HessianEngine
from ..evaluation.workspace import Workspace
from .common import Prepared, check_local, positional_count
from .common import missing_entries as _missing
from .output import Output, check_format

TRIANGLES = ("full", "lower", "upper")


class SparseHessian(Prepared):
    """Exact sparse Hessian by direct second-order accumulation or star colouring.

    For scalar ``fun``: ``H(*fun_args)`` (scipy ``minimize(hess=...)`` passes
    ``hess(x, *args)``). For vector ``fun``: ``H(x, v, *others)`` = Σ vᵢ ∇²fᵢ, the
    signature of ``scipy.optimize.NonlinearConstraint.hess``, where ``others`` are
    ``fun``'s other positional arguments. ``weighted=True`` asks for the ``H(x, v)``
    form for a scalar ``fun`` too (a scalar NonlinearConstraint).
    """

    def __init__(
        self,
        fun: Callable,
        x0=None,
        *,
        sparsity: str | sp.sparray | sp.spmatrix = "global",
        coloring: str = "star",
        order: str | Sequence[str] | None = None,
        format: str = "auto",
        args: tuple = (),
        weighted: bool | None = None,
        mode: str = "auto",
        argnums: int | tuple[int, ...] = 0,
        static_argnums=(),
    ):
        self.requested_mode = mode
        if coloring != "star":
            raise InputError(f"asd: coloring must be 'star', not {coloring!r}")
        self.sparsity = sparsity
        self.problem = coloring
        self.order = order
        self.format = check_format(format)
        self.weighted = weighted
        self._init_common(fun, x0, args, argnums, static_argnums)

    def _prepare(self, x0) -> SparseHessian:
        x0 = np.asarray(x0, dtype=np.float64)
        local = isinstance(self.sparsity, str) and self.sparsity == "local"
        tape = self._trace(x0, "local" if local else "global")
        deps = None
        if isinstance(self.sparsity, str):
            if self.sparsity not in ("global", "local"):
                raise InputError(
                    "asd: sparsity must be 'global', 'local' or a boolean sparse matrix"
                )
            deps = dependencies(tape, x0 if local else None, self.sparsity)
            pattern = hessian_pattern(tape, deps=deps)
        else:
            pattern = _user_pattern(self.sparsity, tape)
        self.tape = tape
        self.pattern = pattern
        self._local = local
        self._mask = None if deps is None else deps[0]
        self.engine = HessianEngine(
            tape,
            pattern,
            deps,
            mode=self.requested_mode if deps is not None else "colored",
            coloring=self.problem,
            order=self.order,
        )
        self.mode = self.engine.mode
        self._full = self.engine.full_from_lower()
        self._upper = self.engine.upper_order()
        self._workspace = Workspace(tape)
        if self.weighted is None:
            self.weighted = tape.n_outputs != 1
        self._structure = None
        self._output = Output(self.pattern, self.structure, "Hessian")
        self._prepared = True
        return self

    def _split(self, fargs: tuple):
        """``(x, parameter vector, v)`` of a call: ``H(*fun_args)`` or, weighted,
        ``H(x, v, *others)``."""
        if not fargs:
            raise InputError("asd: call the Hessian with the point x")
        if self.weighted is None:  # unprepared: is the argument after x a weight vector?
            count = positional_count(self._fun) if self._fun is not None else None
            # with a tuple argnums, H((x0, x1), v, *others) passes the arguments as a tuple
            grouped = isinstance(self.argnums, tuple) and isinstance(fargs[0], tuple | list)
            extra = len(fargs) > 1 and count is not None and len(fargs) > count
            if grouped or extra:
                if extra or len(fargs) > 1:
                    # an argument more than fun takes: H(x, v, ...), also for a scalar fun
                    # (a scalar constraint's hess in NonlinearConstraint or cyipopt)
                    self.weighted = True
                self._inputs(self._fun_args(fargs[0], fargs[2:]))
            else:
                self._inputs(fargs)
        if not self.weighted:
            return (*self._inputs(fargs), None)
        if len(fargs) < 2:
            raise InputError("asd: this Hessian is weighted: call it as H(x, v)")
        x, params = self._inputs(self._fun_args(fargs[0], fargs[2:]))
        return x, params, fargs[1]

    def _fun_args(self, x, others: tuple) -> tuple:
        """``fun``'s positional arguments: x put at ``argnums`` among the others."""
        if isinstance(self.argnums, tuple):
            if not others and not isinstance(x, tuple | list):
                return (x,)
            pieces = x if isinstance(x, tuple | list) else self.unflatten(x)
            call = list(others)
            for pos, piece in sorted(zip(self.argnums, pieces), key=lambda t: t[0]):
                call.insert(pos, piece)
            return tuple(call)
        if not others:
            return (x,)
        k = self.argnums
        return (*others[:k], x, *others[k:])

    def blocks(self, M) -> list[list]:
        """The per-argument blocks ``[[∂²/∂x0∂x0, ∂²/∂x0∂x1], ...]`` of a Hessian ``M``
        (with a tuple ``argnums``; rows and columns in ``argnums`` order)."""
        ends = np.cumsum([0, *self.arg_sizes])
        spans = list(zip(ends[:-1], ends[1:]))
        M = sp.csr_array(M) if sp.issparse(M) else np.asarray(M)
        return [[M[a:b][:, c:d] for c, d in spans] for a, b in spans]

    def _weights(self, v) -> np.ndarray:
        m = self.tape.n_outputs
        if v is None:
            if m != 1:
                raise InputError(
                    f"asd: f has {m} outputs; pass the weights v (H(x, v) = Σ vᵢ ∇²fᵢ(x))"
                )
            return np.ones(1)
        w = np.asarray(v, dtype=np.float64).ravel()
        if w.size != m:
            raise InputError(f"asd: v has {w.size} entries, f has {m} outputs")
        if not np.isfinite(w).all():
            raise InputError("asd: the weights v contain NaN or inf")
        return w

    def values(self, *fargs, triangle: str = "full") -> np.ndarray:
        """Nonzeros in the order of ``structure(triangle)``; arguments as in ``__call__``."""
        if triangle not in TRIANGLES:
            raise InputError(f"asd: triangle must be one of {TRIANGLES}, not {triangle!r}")
        x, params, v = self._split(fargs)
        xf = self._workspace.check(x, params)
        if self._local:
            check_local(self.tape, x, params, self._mask, "Hessian")
        w = self._weights(v)
        if self.pattern.nnz == 0:
            return np.zeros(0)
        lower = self.engine.lower_values(xf, w)
        if triangle == "full":
            return lower[self._full]
        if triangle == "lower":
            return lower
        return lower[self._upper]

    def __call__(self, *fargs):
        """H(*fun_args) (scalar f) or Σ vᵢ∇²fᵢ as H(x, v, *others) (vector f), in ``format``."""
        values = self.values(*fargs)  # prepares on the first call
        return self._output(values, self.format)

    def structure(self, triangle: str = "full") -> tuple[np.ndarray, np.ndarray]:
        """(rows, cols) of the stored entries; "lower" is what Ipopt's hessianstructure wants."""
        if not self._prepared:
            raise InputError("asd: call prepare(x0) (or the Hessian once) first")
        if triangle == "full":
            if self._structure is None:  # kept: every COO output shares it (read-only)
                self._structure = shared_structure(self.pattern)
            return self._structure
        rows, cols = self.engine.rows, self.engine.cols
        if triangle == "lower":
            return rows, cols
        return cols[self._upper], rows[self._upper]

    @property
    def nnz(self) -> int:
        return int(self.pattern.nnz)

    def __repr__(self) -> str:
        if not self._prepared:
            return "SparseHessian(unprepared)"
        n = self.pattern.shape[0]
        return (
            f"SparseHessian({n}x{n}, nnz={self.nnz}, {self.mode} mode, {self.problem} "
            f"colouring: {self.ncolors} colours, format={self.format!r})"
        )


def _user_pattern(pattern, tape) -> sp.csr_array:
    P = sp.csr_array(pattern, dtype=bool)
    n = tape.n_inputs
    if P.shape != (n, n):
        raise InputError(f"asd: the given sparsity has shape {P.shape}, the Hessian is {(n, n)}")
    P = sp.csr_array(P + P.T, dtype=bool)
    missing = _missing(hessian_pattern(tape), P)
    if missing.nnz:
        r, c = missing.nonzero()
        raise InputError(
            f"asd: the given sparsity pattern misses {missing.nnz} structural nonzero(s) of "
            f"the Hessian, e.g. ({r[0]}, {c[0]}); using it would give a wrong matrix."
        )
    P.sort_indices()
    return P


def hessian(
    fun: Callable,
    x0=None,
    *,
    sparsity="global",
    coloring: str = "star",
    order=None,
    format: str = "auto",
    args: tuple = (),
    weighted: bool | None = None,
    mode: str = "auto",
    argnums: int | tuple[int, ...] = 0,
    static_argnums=(),
) -> SparseHessian:
    """Prepared sparse Hessian of ``fun`` with respect to its argument ``argnums``;
    ``H(x)``, ``H(*fun_args)`` or, for vector ``fun``, ``H(x, v)`` returns the matrix.
    Float values among the other arguments are runtime parameters, as in
    :func:`asd.jacobian`. ``format`` as in :func:`asd.jacobian`: "auto" gives a dense
    array up to n = 256 (what scipy's trust-region methods need), a sparse ``AutoCOO``
    above."""
    return SparseHessian(
        fun,
        x0,
        sparsity=sparsity,
        coloring=coloring,
        order=order,
        format=format,
        args=args,
        weighted=weighted,
        mode=mode,
        argnums=argnums,
        static_argnums=static_argnums,
    )
