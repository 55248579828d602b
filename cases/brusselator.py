"""The 2-D Brusselator reaction–diffusion system: the stiff benchmark of sparse AD.

State ``y`` of length 2N² laid out as (N, N, 2) in C order: ``y[(i*N + j)*2 + k]``
with k = 0 for u and k = 1 for v (``layout="interleaved"``, the default), or as
(2, N, N): all u, then all v, ``y[k*N² + i*N + j]`` (``layout="blocked"``, the layout of
most codes and published benchmarks); on an N×N periodic grid with x_i = iΔx (axis 0),
y_j = jΔx (axis 1), Δx = 1/(N−1):

    du/dt = B + u²v − (A+1)u + α Δu + f(x, y, t)
    dv/dt = A u − u²v + α Δv

with A = 3.4, B = 1, α = 10/Δx² (α·Δ the 5-point periodic Laplacian), forcing
f = 5 inside the disk (x−0.3)² + (y−0.6)² ≤ 0.1² for t ≥ 1.1, and initial state
u = 22(y(1−y))^1.5, v = 27(x(1−x))^1.5.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

A = 3.4
B = 1.0


class Brusselator2D:
    """Right-hand side, initial state and the analytic sparse Jacobian for grid size N."""

    def __init__(self, N: int, layout: str = "interleaved"):
        if N < 3:
            raise ValueError("Brusselator2D needs N >= 3 (distinct periodic neighbours)")
        if layout not in ("interleaved", "blocked"):
            raise ValueError(f"layout must be 'interleaved' or 'blocked', not {layout!r}")
        self.layout = layout
        self.N = int(N)
        self.n = 2 * self.N * self.N
        self.dx = 1.0 / (self.N - 1)
        self.alpha = 10.0 / self.dx**2
        grid = np.arange(self.N) * self.dx
        self.X, self.Y = np.meshgrid(grid, grid, indexing="ij")
        self._disk = ((self.X - 0.3) ** 2 + (self.Y - 0.6) ** 2) <= 0.1**2

    def forcing(self, t: float) -> np.ndarray:
        """The (N, N) forcing at time t: a constant, independent of the state."""
        return np.where(self._disk, 5.0, 0.0) if t >= 1.1 else np.zeros((self.N, self.N))

    def initial_state(self) -> np.ndarray:
        u = 22.0 * (self.Y * (1.0 - self.Y)) ** 1.5
        v = 27.0 * (self.X * (1.0 - self.X)) ** 1.5
        return self._pack(u, v)

    def _pack(self, u, v):
        if self.layout == "blocked":
            return np.concatenate([u.ravel(), v.ravel()])
        return np.stack([u, v], axis=-1).ravel()

    def _unpack(self, y):
        if self.layout == "blocked":
            Y = y.reshape(2, self.N, self.N)
            return Y[0], Y[1]
        Y = y.reshape(self.N, self.N, 2)
        return Y[:, :, 0], Y[:, :, 1]

    def _laplacian(self, w):
        return (
            np.roll(w, 1, axis=0)
            + np.roll(w, -1, axis=0)
            + np.roll(w, 1, axis=1)
            + np.roll(w, -1, axis=1)
            - 4.0 * w
        )

    def rhs(self, t: float, y):
        """dy/dt, vectorised numpy (runs on traced arrays as well)."""
        u, v = self._unpack(y)
        uuv = u * u * v
        du = B + uuv - (A + 1.0) * u + self.alpha * self._laplacian(u) + self.forcing(t)
        dv = A * u - uuv + self.alpha * self._laplacian(v)
        return self._pack(du, dv)

    def f(self, y):
        """The right-hand side at t = 0 as a function of the state only."""
        return self.rhs(0.0, y)

    def _index(self, di: int, dj: int, k: int) -> np.ndarray:
        i, j = np.meshgrid(np.arange(self.N), np.arange(self.N), indexing="ij")
        point = ((i + di) % self.N) * self.N + (j + dj) % self.N
        if self.layout == "blocked":
            return k * self.N * self.N + point
        return point * 2 + k

    def jacobian(self, t: float, y) -> sp.csr_array:
        """The exact Jacobian d(rhs)/dy, written by hand (a test oracle)."""
        u, v = self._unpack(np.asarray(y, dtype=np.float64))
        u, v = u.ravel(), v.ravel()
        a = self.alpha
        rows, cols, vals = [], [], []
        for k, own in ((0, 2 * u * v - (A + 1.0) - 4 * a), (1, -(u * u) - 4 * a)):
            r = self._index(0, 0, k).ravel()
            rows.append(r)
            cols.append(r)
            vals.append(own)
            other = self._index(0, 0, 1 - k).ravel()
            rows.append(r)
            cols.append(other)
            vals.append(u * u if k == 0 else A - 2 * u * v)
            for di, dj in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                rows.append(r)
                cols.append(self._index(di, dj, k).ravel())
                vals.append(np.full(r.size, a))
        J = sp.coo_array(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
            shape=(self.n, self.n),
        )
        return sp.csr_array(J)

    def jacobian_sparsity(self) -> sp.csr_array:
        """Boolean pattern of the Jacobian: 12 N² nonzeros."""
        P = self.jacobian(0.0, np.ones(self.n))
        return sp.csr_array((np.ones(P.nnz, bool), P.indices, P.indptr), shape=P.shape)
