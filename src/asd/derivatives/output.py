"""What a prepared Jacobian or Hessian returns: the ``format`` options and the "auto" rule.

scipy's consumers disagree on the matrix type they take. MINPACK (``root`` hybr / lm,
``leastsq``), LSODA, SLSQP and ``least_squares(method="lm")`` need a dense array; the
trust-region family of ``minimize`` (dogleg, trust-ncg, trust-krylov, trust-exact)
turns any sparse Hessian into a plain ``csr_array`` and then fails on it; while
``least_squares`` trf / dogbox, BDF, Radau, Newton-CG, trust-constr and cyipopt run
their sparse paths only on a sparse matrix, and are 10-20x slower on a dense one from
n ~ 256 up (measured, ``docs/design.md``). A callable cannot know who calls it, so
``format="auto"`` (the default) decides by size:

* at most :data:`AUTO_DENSE_ENTRIES` entries (m·n ≤ 65,536: 256 x 256) -> a dense
  ``numpy.ndarray``, which every consumer takes and which is as fast as sparse there;
* larger -> an :class:`AutoCOO`, a real ``scipy.sparse.coo_array`` (sparse-aware
  consumers use their sparse paths; cyipopt's ``minimize_ipopt`` its COO path) that
  numpy converts to dense when a dense consumer asks (``np.asarray`` in MINPACK,
  LSODA, SLSQP), unless the dense matrix would exceed :func:`dense_limit` entries,
  where it raises :class:`~asd.errors.DenseTooLargeError` naming the size and what to
  use instead.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np
import scipy.sparse as sp

from ..errors import DenseTooLargeError, InputError

FORMATS = ("auto", "csr", "csc", "coo", "dense", "banded")
#: "auto" returns a dense array up to this many entries (m·n), an AutoCOO above
AUTO_DENSE_ENTRIES = 2**16
#: no dense Jacobian / Hessian above this many entries (512 MB) unless ASD_DENSE_LIMIT says
DENSE_LIMIT = 2**26


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise InputError(f"asd: format must be one of {FORMATS}, not {fmt!r}")
    return fmt


def dense_limit() -> int:
    """Largest dense result in entries: ``ASD_DENSE_LIMIT`` if set, else 2**26."""
    env = os.environ.get("ASD_DENSE_LIMIT")
    if env is None:
        return DENSE_LIMIT
    try:
        return int(float(env))
    except ValueError:
        raise InputError(f"asd: ASD_DENSE_LIMIT must be a number of entries, not {env!r}") from None


def check_dense_size(shape: tuple[int, int], nnz: int, what: str) -> None:
    """Raise :class:`DenseTooLargeError` when a dense ``shape`` matrix is too large."""
    entries = int(shape[0]) * int(shape[1])
    limit = dense_limit()
    if entries > limit:
        raise DenseTooLargeError(
            f"asd: a dense {what} of shape {shape[0]} x {shape[1]} was asked for: "
            f"{entries:,} entries ({entries * 8 / 2**20:,.0f} MiB) for {nnz:,} nonzeros, "
            f"above the limit of {limit:,} entries (ASD_DENSE_LIMIT). A dense solver "
            "(root hybr / lm, LSODA without lband/uband, SLSQP, trust-exact, dogleg, "
            "least_squares lm) is the wrong tool at this size: use a sparse-aware one "
            "(least_squares trf with tr_solver='lsmr', minimize Newton-CG / trust-constr or "
            "hessp=asd.hessp(f) with trust-ncg / trust-krylov, solve_ivp BDF / Radau, "
            "LSODA with format='banded' and lband/uband, cyipopt), and format='csr' to "
            "get the sparse matrix."
        )


class AutoCOO(sp.coo_array):
    """A ``scipy.sparse.coo_array`` that numpy converts to a dense array on request.

    "auto" returns it for large matrices: sparse-aware code sees a sparse array, while
    ``np.asarray(J)`` (what MINPACK, LSODA and SLSQP do with a Jacobian) gives the dense
    matrix instead of a useless 0-d object array, or a :class:`DenseTooLargeError`
    when that matrix would be too large. Entries are in the fixed order of the prepared
    object's ``structure()``, the same at every call (cyipopt relies on that).
    """

    def __array__(self, dtype=None, copy=None):
        if dtype is not None and np.dtype(dtype) == object:
            # an object array of matrices (scipy.sparse.vstack / block_array build one):
            # the matrix is one element, not a dense block of numbers
            out = np.empty((), dtype=object)
            out[()] = self
            return out
        if copy is False:
            raise ValueError("asd: a sparse matrix cannot be viewed as a dense array")
        check_dense_size(self.shape, self.nnz, "matrix (converted by numpy)")
        out = self.toarray()
        return out if dtype is None else out.astype(dtype, copy=False)


def bandwidth(pattern: sp.csr_array) -> tuple[int, int]:
    """``(lband, uband)``: J[i, j] is structurally zero unless -lband <= j - i <= uband."""
    P = sp.coo_array(pattern)
    d = P.col.astype(np.int64) - P.row.astype(np.int64)
    return int(max(-d.min(initial=0), 0)), int(max(d.max(initial=0), 0))


class Output:
    """Builds the returned matrix from the nonzeros in ``pattern``'s CSR order.

    ``structure()`` gives their (rows, cols); it is asked only by the COO and banded
    formats. ``what`` names the matrix in error messages.
    """

    def __init__(self, pattern: sp.csr_array, structure: Callable[[], tuple], what: str):
        self.pattern = pattern
        self.structure = structure
        self.what = what
        self._bands: tuple[int, int] | None = None

    def bands(self) -> tuple[int, int]:
        if self._bands is None:
            self._bands = bandwidth(self.pattern)
        return self._bands

    def __call__(self, values: np.ndarray, fmt: str):
        P = self.pattern
        if fmt == "auto":
            if P.shape[0] * P.shape[1] <= AUTO_DENSE_ENTRIES:
                fmt = "dense"
            else:
                return AutoCOO((values, self.structure()), shape=P.shape)
        if fmt == "coo":
            return sp.coo_array((values, self.structure()), shape=P.shape)
        if fmt == "banded":
            return self._banded(values)
        if fmt == "dense":
            check_dense_size(P.shape, P.nnz, self.what)
        m = sp.csr_array((values, P.indices, P.indptr), shape=P.shape)
        if fmt == "csr":
            return m
        if fmt == "csc":
            return m.tocsc()
        return m.toarray()

    def _banded(self, values: np.ndarray) -> np.ndarray:
        """LAPACK / LSODA packed band storage: ``ab[uband + i - j, j] = J[i, j]``."""
        m, n = self.pattern.shape
        if m != n:
            raise InputError(
                f"asd: format='banded' needs a square matrix, this {self.what} is {m} x {n}"
            )
        lband, uband = self.bands()
        rows, cols = self.structure()
        ab = np.zeros((lband + uband + 1, n))
        ab[uband + rows - cols, cols] = values
        return ab
