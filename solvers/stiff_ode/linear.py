"""Solvers for the Newton systems ``(I - c J) d = r`` of an implicit step (c = h·γ).

Two strategies with one interface, so the integrator's refresh policy is shared:

* :class:`DirectNewtonSolver` assembles ``W = I - c J`` from the asd sparse Jacobian
  and factorises it with SuperLU (``splu``) after a fill-reducing ordering
  (:class:`NewtonMatrixLU`). The factorisation is reused across Newton iterations and
  steps (a *simplified* Newton method) until the integrator asks for a new one.
* :class:`KrylovNewtonSolver` never forms the Newton matrix of the current iterate: it
  applies ``v -> v - c J(y) v`` through asd forward sweeps (JVPs on the traced tape)
  inside GMRES, so each Newton iteration uses the exact Jacobian at the current
  iterate (an inexact Newton method). GMRES is preconditioned by a factorisation of an
  *occasionally* assembled ``I - c' J(y')`` (stale state and step size).

Ordering. The pattern of ``W`` is that of the Jacobian plus the diagonal, fixed for an
integration (asd's pattern holds for every state), so the fill-reducing permutation is
computed once, from the structure alone, and every later factorisation only gathers
``J.data`` into the permuted matrix through a precomputed index map (a few ms at
n = 73,728) and factorises it in SuperLU's natural order. ``ordering`` chooses it:

* ``"metis"``: METIS nested dissection (``pymetis``, the ``ode`` extra) of the graph of
  ``W + Wᵀ``, applied symmetrically, factorised with SuperLU's symmetric mode
  (diagonal pivots preferred, threshold 0.1). When every diagonal b×b block of ``W``
  is full (variables stored interleaved per grid point, like the Brusselator's u, v),
  the graph is compressed to those blocks first: a smaller graph to order and bigger
  supernodes.
* ``"mmd"``: SuperLU's minimum degree on ``AᵀA + A``, applied the same way.
* ``"colamd"``: SuperLU's default column ordering (columns only, partial pivoting).
* ``"pardiso"``: MKL PARDISO instead of SuperLU (``pardiso.py``, the ``pardiso`` extra):
  its own METIS ordering and symbolic analysis once per pattern, a numeric
  factorisation per Newton matrix. A factorisation whose pivots PARDISO had to perturb
  is not used: that Newton matrix is factorised by SuperLU (METIS or MMD) instead.
* ``"auto"`` (default): ``"metis"`` when pymetis is importable, else ``"mmd"``.

Measured on the 2-D Brusselator at N = 192 (n = 73,728, W = I - 10⁻³J, one core,
``benchmarks/sparse_lu.py``): factor entries 8.9 M (metis), 10.4 M (mmd), 22.8 M
(colamd); one factorisation 0.54 s, 0.85 s and 1.80 s; the one-time analysis 0.19 s,
0.10 s and 0.12 s; PARDISO 0.17 s per factorisation (its analysis 0.16 s). The Newton
matrix of a grid problem is structurally symmetric, which is why the symmetric orderings
win; docs/design.md says why even the best of them stays above the published figure for
this step, and PARDISO does not.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as sla

from .derivatives import AsdDerivatives
from .stats import SolverStats

#: SuperLU's column ordering for the incomplete LU preconditioner (``spilu``)
PERMC_SPEC = "MMD_AT_PLUS_A"

#: the ``ordering`` choices of :class:`NewtonMatrixLU` and the Newton solvers
ORDERINGS = ("auto", "metis", "mmd", "colamd", "pardiso")

_SUPERLU_SPEC = {"mmd": "MMD_AT_PLUS_A", "colamd": "COLAMD"}
#: SuperLU options for a symmetrically permuted matrix: keep the diagonal as pivot
#: unless it is below 0.1 times the largest entry of its column
_SYMMETRIC = {"diag_pivot_thresh": 0.1, "options": {"SymmetricMode": True}}
#: largest diagonal block size tried when compressing the graph for METIS
_MAX_BLOCK = 8


class LinearSolveError(RuntimeError):
    """A Newton system could not be solved to the requested accuracy (GMRES stalled)."""


def import_pymetis():
    """``pymetis``, or an ImportError that says how to install it."""
    try:
        import pymetis
    except ImportError as exc:
        raise ImportError(
            "stiff_ode: ordering 'metis' needs the optional package pymetis; install it "
            "with `pip install 'asd[ode]'` (or `pip install pymetis`), or choose ordering "
            "'mmd'",
            name="pymetis",
        ) from exc
    return pymetis


def check_ordering(ordering: str) -> None:
    """Raise ValueError unless ``ordering`` is one of :data:`ORDERINGS`."""
    if ordering not in ORDERINGS:
        raise ValueError(f"stiff_ode: ordering must be one of {ORDERINGS}, not {ordering!r}")


def resolve_ordering(ordering: str) -> str:
    """The concrete ordering for ``ordering`` ("auto": metis if pymetis imports, else mmd)."""
    check_ordering(ordering)
    if ordering == "auto":
        try:
            import_pymetis()
        except ImportError:
            return "mmd"
        return "metis"
    if ordering == "metis":
        import_pymetis()
    if ordering == "pardiso":
        from .pardiso import load_mkl

        load_mkl()
    return ordering


def installed_orderings() -> list[str]:
    """The concrete orderings usable on this machine, the one ``"auto"`` picks first:
    metis (with pymetis), mmd, colamd, pardiso (with MKL)."""
    out = ["mmd", "colamd"]
    try:
        import_pymetis()
        out.insert(0, "metis")
    except ImportError:
        pass
    try:
        from .pardiso import load_mkl

        load_mkl()
        out.append("pardiso")
    except ImportError:
        pass
    return out


def _coo_pattern(indptr: np.ndarray, indices: np.ndarray, n: int):
    """Row and column index of every stored entry of a CSR pattern."""
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
    return rows, np.asarray(indices, dtype=np.int64)


def _adjacency(rows: np.ndarray, cols: np.ndarray, n: int) -> sp.csr_array:
    """The graph of ``A + Aᵀ`` without self loops, as a CSR pattern with sorted indices."""
    off = rows != cols
    r, c = rows[off], cols[off]
    ones = np.ones(2 * r.size, dtype=np.int8)
    G = sp.csr_array((ones, (np.concatenate([r, c]), np.concatenate([c, r]))), shape=(n, n))
    G.sum_duplicates()
    return G


def diagonal_block_size(rows: np.ndarray, cols: np.ndarray, n: int) -> int:
    """Largest b ≤ 8 dividing n such that every diagonal b×b block of the pattern
    ``(rows, cols)`` (taken symmetric) is full, else 1."""
    G = _adjacency(rows, cols, n)
    r, c = _coo_pattern(G.indptr, G.indices, n)
    for b in range(_MAX_BLOCK, 1, -1):
        if n % b == 0 and np.count_nonzero(r // b == c // b) == n * (b - 1):
            return b
    return 1


def metis_ordering(rows: np.ndarray, cols: np.ndarray, n: int) -> np.ndarray:
    """METIS nested dissection of the graph of ``A + Aᵀ`` (pattern ``rows, cols``):
    ``perm`` with ``A[perm][:, perm]`` the matrix to factorise. Full diagonal blocks
    (:func:`diagonal_block_size`) are ordered as one vertex each."""
    pymetis = import_pymetis()
    b = diagonal_block_size(rows, cols, n)
    m = n // b
    G = _adjacency(rows // b, cols // b, m)
    if G.nnz == 0:  # no couplings: every order is fill-free
        return np.arange(n)
    dtype = pymetis.zero_copy_dtype()
    adjacency = pymetis.CSRAdjacency(G.indptr.astype(dtype), G.indices.astype(dtype))
    perm, _ = pymetis.nested_dissection(adjacency)
    perm = np.asarray(perm, dtype=np.int64)
    return (perm[:, None] * b + np.arange(b)).ravel()


def superlu_ordering(rows: np.ndarray, cols: np.ndarray, n: int, spec: str) -> np.ndarray:
    """SuperLU's column ordering ``spec`` of the pattern, postordered as SuperLU itself
    does: ``perm`` with ``A[:, perm]`` in SuperLU's factorisation order.

    scipy exposes the ordering only through a factorisation, and it depends on the
    pattern alone; so it is read off an incomplete LU (nearly every entry
    dropped) of a strictly diagonally dominant matrix with the same pattern, which costs
    a small fraction of a full LU and cannot break down.
    """
    diag = np.arange(n, dtype=np.int64)
    degree = np.bincount(np.concatenate([rows, cols]), minlength=n) + 1.0
    values = np.concatenate([np.where(rows == cols, 0.0, 1.0), degree])
    S = sp.csc_array(
        (values, (np.concatenate([rows, diag]), np.concatenate([cols, diag]))), shape=(n, n)
    )
    ilu = sla.spilu(S, drop_tol=1.0, fill_factor=1.0, permc_spec=spec)
    return np.argsort(ilu.perm_c)


class _PermutedLU:
    """A SuperLU factorisation of ``W[p_rows][:, p_cols]`` that solves ``W x = r``."""

    def __init__(self, lu, p_rows: np.ndarray | None, p_cols: np.ndarray):
        self.lu = lu
        self.p_rows = p_rows
        self.p_cols = p_cols

    @property
    def nnz(self) -> int:
        """Entries of the factors L and U (the fill)."""
        return int(self.lu.L.nnz + self.lu.U.nnz)

    def solve(self, r: np.ndarray) -> np.ndarray:
        rhs = r if self.p_rows is None else r[self.p_rows]
        y = self.lu.solve(np.ascontiguousarray(rhs))
        x = np.empty_like(y)
        x[self.p_cols] = y
        return x


class _PardisoLU:
    """A PARDISO factorisation of ``W``; its solves fail once a newer one replaced it."""

    def __init__(self, handle, generation: int):
        self.handle = handle
        self.generation = generation

    @property
    def nnz(self) -> int:
        return self.handle.factor_nnz

    def solve(self, r: np.ndarray) -> np.ndarray:
        return self.handle.solve(r, self.generation)


class NewtonMatrixLU:
    """Sparse LU of ``W = I - c J`` with a fill-reducing ordering computed once per
    pattern of ``J`` (see the module docstring for ``ordering``).

    ``factorize(J, c)`` returns an object whose ``solve(r)`` gives ``W⁻¹ r`` in the
    original order and whose ``nnz`` is the fill. The ordering, the permuted pattern
    and the index map from ``J.data`` into it are recomputed only when the pattern of
    ``J`` changes; ``orderings`` counts how often that happened and ``ordering_time``
    what it cost.
    """

    def __init__(self, ordering: str = "auto"):
        self.ordering = resolve_ordering(ordering)
        self.orderings = 0
        self.ordering_time = 0.0
        self.pardiso_fallbacks = 0  # PARDISO factorisations with perturbed pivots
        self._indptr = self._indices = None

    def needs_analysis(self, J) -> bool:
        """Whether ``J``'s pattern differs from the analysed one (or none was)."""
        J = _canonical_csr(J)
        if self._indptr is None or J.shape[0] != self._n or J.nnz != self._indices.size:
            return True
        return not (
            np.array_equal(J.indptr, self._indptr) and np.array_equal(J.indices, self._indices)
        )

    def analyse(self, J) -> None:
        """Order the pattern of ``I - cJ`` and build the permuted pattern and index map."""
        t0 = time.perf_counter()
        J = _canonical_csr(J)
        n = J.shape[0]
        rows, cols = _coo_pattern(J.indptr, J.indices, n)
        diag = np.arange(n, dtype=np.int64)
        if self.ordering == "metis":
            p = metis_ordering(rows, cols, n)
            p_rows, p_cols = p, p
        elif self.ordering == "mmd":
            p = superlu_ordering(rows, cols, n, _SUPERLU_SPEC["mmd"])
            p_rows, p_cols = p, p
        elif self.ordering == "pardiso":  # PARDISO orders W itself
            p_rows, p_cols = None, diag
        else:
            p_rows, p_cols = None, superlu_ordering(rows, cols, n, _SUPERLU_SPEC["colamd"])
        # positions of W's entries (J's, then the identity's) in the permuted CSC matrix
        r_all = np.concatenate([rows, diag])
        c_all = np.concatenate([cols, diag])
        if p_rows is not None:
            r_all = np.argsort(p_rows)[r_all]
        c_all = np.argsort(p_cols)[c_all]
        key = c_all * n + r_all
        order = np.argsort(key, kind="stable")
        key = key[order]
        first = np.ones(key.size, dtype=bool)
        first[1:] = key[1:] != key[:-1]
        pos = np.cumsum(first) - 1
        ukey = key[first]
        nnz_j = rows.size
        src = order  # index into concat(J.data, identity)
        from_j = src < nnz_j
        jmap = np.full(ukey.size, nnz_j, dtype=np.int64)  # nnz_j: the zero slot
        jmap[pos[from_j]] = src[from_j]
        self._jmap = jmap
        self._diag_pos = pos[~from_j]
        self._w_indices = (ukey % n).astype(np.int32)
        self._w_indptr = np.searchsorted(ukey // n, np.arange(n + 1)).astype(np.int32)
        self._p_rows, self._p_cols = p_rows, p_cols
        self._n = n
        self._indptr, self._indices = J.indptr.copy(), J.indices.copy()
        self._ext = np.zeros(nnz_j + 1)
        self._pardiso = self._fallback = None
        if self.ordering == "pardiso":
            from .pardiso import Pardiso

            self._pardiso = Pardiso(self._w_indptr, self._w_indices, n)
            self._pardiso.analyse(self.permuted_matrix(J, 0.0).data)  # its ordering, once
        self.orderings += 1
        self.ordering_time += time.perf_counter() - t0

    def permuted_matrix(self, J, c: float) -> sp.csc_array:
        """``(I - cJ)`` permuted for factorisation (``J`` of the analysed pattern)."""
        ext = self._ext
        ext[:-1] = J.data
        data = ext[self._jmap]
        data *= -c
        data[self._diag_pos] += 1.0
        return sp.csc_array((data, self._w_indices, self._w_indptr), shape=(self._n, self._n))

    def factorize(self, J, c: float) -> _PermutedLU | _PardisoLU:
        """Factorise ``I - cJ`` (analysing ``J``'s pattern first if it is new)."""
        J = _canonical_csr(J)
        if self.needs_analysis(J):
            self.analyse(J)
        Wp = self.permuted_matrix(J, c)
        if self._pardiso is not None:
            perturbed, generation = self._pardiso.factorize(Wp.data)
            if perturbed == 0:
                return _PardisoLU(self._pardiso, generation)
            self.pardiso_fallbacks += 1  # perturbed pivots: SuperLU factorises this one
            if self._fallback is None:
                self._fallback = NewtonMatrixLU(resolve_ordering("auto"))
            return self._fallback.factorize(J, c)
        if self._p_rows is None:
            lu = sla.splu(Wp, permc_spec="NATURAL")
        else:
            lu = sla.splu(Wp, permc_spec="NATURAL", **_SYMMETRIC)
        return _PermutedLU(lu, self._p_rows, self._p_cols)


def _canonical_csr(J):
    """``J`` as CSR with sorted, unique column indices (asd's matrices already are)."""
    if not (sp.issparse(J) and J.format == "csr"):
        J = sp.csr_array(J)
    if not J.has_canonical_format:
        J = J.copy()
        J.sum_duplicates()
    return J


class _NewtonSolverBase:
    """Shared state: the Jacobian kept for the factorisation and the ``c`` it used."""

    def __init__(self, deriv: AsdDerivatives, stats: SolverStats):
        self.deriv = deriv
        self.stats = stats
        self.J = None
        self.c_factored: float | None = None
        self.n = deriv.n

    def evaluate_jacobian(self, y: np.ndarray) -> None:
        """Evaluate and keep the exact sparse Jacobian at ``y``."""
        with self.stats.timer("jac"):
            self.J = self.deriv.matrix(y)
        self.stats.jac_evals += 1

    def newton_matrix(self, c: float):
        """``I - c J`` (CSC) from the kept Jacobian."""
        return (sp.eye_array(self.n, format="csr") - c * self.J).tocsc()

    def _factor_lu(self, lu: NewtonMatrixLU, c: float) -> _PermutedLU | _PardisoLU:
        """Factorise ``I - cJ`` with ``lu``; a new pattern is ordered first (``order``)."""
        if lu.needs_analysis(self.J):
            with self.stats.timer("order"):
                lu.analyse(self.J)
            self.stats.orderings += 1
        with self.stats.timer("factor"):
            return lu.factorize(self.J, c)

    def factorize(self, c: float) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def solve(self, r: np.ndarray, y: np.ndarray, c: float) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError


class DirectNewtonSolver(_NewtonSolverBase):
    """``(I - c J) d = r`` by a reused sparse LU factorisation of ``I - c_f J(y_J)``.

    ``ordering``: the fill-reducing ordering, one of :data:`ORDERINGS` (see the module
    docstring); it is computed at the first factorisation and reused by every later one.
    """

    def __init__(self, deriv: AsdDerivatives, stats: SolverStats, *, ordering: str = "auto"):
        super().__init__(deriv, stats)
        self.factorizer = NewtonMatrixLU(ordering)
        self.ordering = self.factorizer.ordering
        self.lu: _PermutedLU | _PardisoLU | None = None

    def factorize(self, c: float) -> None:
        if self.J is None:
            raise RuntimeError("stiff_ode: evaluate the Jacobian before factorising")
        self.lu = self._factor_lu(self.factorizer, c)
        self.c_factored = c
        self.stats.factorizations += 1

    def solve(self, r: np.ndarray, y: np.ndarray, c: float) -> np.ndarray:
        """Solve with the kept factorisation (``y`` and ``c`` are not used: simplified
        Newton; the integrator refactorises when ``c`` drifts too far)."""
        with self.stats.timer("solve"):
            d = self.lu.solve(r)
        self.stats.linear_solves += 1
        return d


class KrylovNewtonSolver(_NewtonSolverBase):
    """``(I - c J(y)) d = r`` by GMRES with JVP products and a stale preconditioner.

    ``preconditioner``: ``"lu"`` (default) uses a sparse LU of an occasionally assembled
    Newton matrix: it is exact when fresh and degrades gracefully as the state and
    step size move, so GMRES needs a handful of iterations and the factorisation is
    amortised over many steps. ``"ilu"`` uses SuperLU's incomplete LU
    (``drop_tol``): cheaper to build, but on the Brusselator's stiff 2-D diffusion it
    needs tens to hundreds of iterations at N ≥ 96, each costing a JVP (about two
    evaluations of f), so it loses overall there; it is kept for comparison.
    ``ordering`` is that of the ``"lu"`` preconditioner (see :class:`NewtonMatrixLU`);
    the incomplete LU uses SuperLU's minimum degree on ``AᵀA + A``.
    """

    def __init__(
        self,
        deriv: AsdDerivatives,
        stats: SolverStats,
        *,
        preconditioner: str = "lu",
        rtol: float = 1e-3,
        maxiter: int = 40,
        drop_tol: float = 1e-4,
        ordering: str = "auto",
    ):
        super().__init__(deriv, stats)
        if preconditioner not in ("lu", "ilu"):
            raise ValueError(
                f"stiff_ode: preconditioner must be 'lu' or 'ilu', not {preconditioner!r}"
            )
        self.kind = preconditioner
        check_ordering(ordering)
        self.factorizer = NewtonMatrixLU(ordering) if preconditioner == "lu" else None
        self.rtol = rtol
        self.maxiter = maxiter
        self.drop_tol = drop_tol
        self.last_iters = 0

    def factorize(self, c: float) -> None:
        if self.J is None:
            raise RuntimeError("stiff_ode: evaluate the Jacobian before factorising")
        if self.factorizer is not None:
            fac = self._factor_lu(self.factorizer, c)
        else:
            with self.stats.timer("factor"):
                W = self.newton_matrix(c)
                fac = sla.spilu(W, drop_tol=self.drop_tol, permc_spec=PERMC_SPEC)
        self.M = sla.LinearOperator((self.n, self.n), matvec=fac.solve, dtype=np.float64)
        self.c_factored = c
        self.stats.factorizations += 1

    def solve(self, r: np.ndarray, y: np.ndarray, c: float) -> np.ndarray:
        """GMRES on the exact Newton matrix at the iterate ``y``; raises
        :class:`LinearSolveError` if it does not reach ``rtol`` in ``maxiter``."""
        stats = self.stats

        def matvec(v):
            with stats.timer("jvp"):
                jv = self.deriv.jvp(y, np.ravel(v))
            stats.jvps += 1
            return np.ravel(v) - c * jv

        A = sla.LinearOperator((self.n, self.n), matvec=matvec, dtype=np.float64)
        count = [0]

        def callback(_):
            count[0] += 1

        with stats.timer("solve"):
            d, info = sla.gmres(
                A,
                r,
                rtol=self.rtol,
                atol=0.0,
                restart=self.maxiter,
                maxiter=1,
                M=self.M,
                callback=callback,
                callback_type="pr_norm",
            )
        self.last_iters = count[0]
        stats.krylov_iters += count[0]
        stats.linear_solves += 1
        if info != 0:
            raise LinearSolveError(
                f"stiff_ode: GMRES did not reach rtol={self.rtol:g} in {self.maxiter} "
                "iterations (preconditioner too stale)"
            )
        return d
