"""Graph views of a sparsity pattern, as int64 index arrays the Numba kernels share.

A *two-level* view lists the neighbours of vertex v as ``idx2[ptr2[r]:ptr2[r + 1]]`` for
every ``r`` in ``idx1[ptr1[v]:ptr1[v + 1]]``: columns through their rows (CSC then CSR) give
the distance-2 neighbours of a column, and an adjacency graph with an identity second
level gives plain neighbours, so one set of order kernels serves every problem.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from numba import njit

from ..errors import InputError


class TwoLevel(NamedTuple):
    """Neighbours of v: ``idx2[ptr2[r]:ptr2[r+1]]`` for ``r`` in ``idx1[ptr1[v]:ptr1[v+1]]``."""

    ptr1: np.ndarray
    idx1: np.ndarray
    ptr2: np.ndarray
    idx2: np.ndarray

    @property
    def n(self) -> int:
        return self.ptr1.shape[0] - 1


class Adjacency(NamedTuple):
    """Symmetric graph without self loops; ``eid[t]`` numbers the undirected edge of ``adj[t]``."""

    ptr: np.ndarray
    adj: np.ndarray
    eid: np.ndarray
    nedges: int

    @property
    def n(self) -> int:
        return self.ptr.shape[0] - 1

    def two_level(self) -> TwoLevel:
        """The same graph as a two-level view (identity second level)."""
        n = self.n
        ident = np.arange(n + 1, dtype=np.int64)
        return TwoLevel(self.ptr, self.adj, ident, ident[:n])


def _i64(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.int64)


def canonical(pattern) -> sp.csr_array:
    """Boolean CSR copy of ``pattern``: sorted, no duplicates, no stored zeros.

    The structure is the set of nonzero (True) entries; the caller's arrays are never touched.
    """
    if sp.issparse(pattern):
        P = sp.csr_array(pattern, copy=True)
    else:
        a = np.asarray(pattern)
        if a.ndim != 2:
            raise InputError(f"asd: a sparsity pattern must be 2-D, not {a.ndim}-D")
        P = sp.csr_array(a)
    P.sum_duplicates()
    P.eliminate_zeros()
    return sp.csr_array(
        (np.ones(P.nnz, dtype=bool), _i64(P.indices), _i64(P.indptr)), shape=P.shape
    )


def symmetrized_with_mirror(P: sp.csr_array) -> tuple[sp.csr_array, np.ndarray]:
    """Structure of ``P + P.T`` for a canonical square ``P`` (``P`` itself if symmetric)
    and, per stored entry (i, j) of it, the position of (j, i)."""
    if P.shape[0] != P.shape[1]:
        raise InputError(f"asd: a symmetric colouring needs a square pattern, not {P.shape}")
    from .decompress import _mirror, _mirror_ok  # (kernels live with the plans)

    mirror, symmetric = _mirror_ok(P.indptr, P.indices)
    if symmetric:
        return P, mirror
    S = canonical(P + P.T)
    return S, _mirror(S.indptr, S.indices)


def bipartite(P: sp.csr_array, by: str = "column") -> TwoLevel:
    """Columns (``by="column"``) or rows through the other side: partial distance-2 view."""
    C = P.tocsc()
    C.sort_indices()
    csr = (_i64(P.indptr), _i64(P.indices))
    csc = (_i64(C.indptr), _i64(C.indices))
    if by == "column":
        return TwoLevel(*csc, *csr)
    return TwoLevel(*csr, *csc)


@njit(cache=True)
def _adjacency(indptr, indices):
    """Drop the diagonal of a sorted symmetric CSR and number each undirected edge once."""
    n = indptr.shape[0] - 1
    ptr = np.zeros(n + 1, np.int64)
    for i in range(n):
        d = 0
        for t in range(indptr[i], indptr[i + 1]):
            if indices[t] != i:
                d += 1
        ptr[i + 1] = ptr[i] + d
    adj = np.empty(ptr[n], np.int64)
    eid = np.empty(ptr[n], np.int64)
    ne = 0
    for i in range(n):
        s = ptr[i]
        for t in range(indptr[i], indptr[i + 1]):
            j = indices[t]
            if j == i:
                continue
            adj[s] = j
            if j > i:
                eid[s] = ne
                ne += 1
            else:  # (j, i) was numbered in row j: find i there (rows are sorted)
                lo = ptr[j]
                hi = ptr[j + 1]
                while lo < hi:
                    mid = (lo + hi) // 2
                    if adj[mid] < i:
                        lo = mid + 1
                    else:
                        hi = mid
                eid[s] = eid[lo]
            s += 1
    return ptr, adj, eid, ne


def adjacency(S: sp.csr_array) -> Adjacency:
    """Adjacency graph of a canonical symmetric pattern (diagonal dropped)."""
    ptr, adj, eid, ne = _adjacency(_i64(S.indptr), _i64(S.indices))
    return Adjacency(ptr, adj, eid, int(ne))


def augmented(P: sp.csr_array) -> sp.csr_array:
    """Symmetric pattern ``[[0, P.T], [P, 0]]``: columns are vertices ``0..n-1``, rows ``n..``."""
    m, n = P.shape
    Z = sp.csr_array(sp.block_array([[None, P.T], [P, None]], format="csr", dtype=bool))
    if Z.shape != (m + n, m + n):  # block_array drops empty blocks' sizes only if both are None
        raise AssertionError("augmented pattern has the wrong shape")
    return canonical(Z)
