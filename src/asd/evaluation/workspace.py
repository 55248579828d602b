"""Compressed sweeps with preallocated work arrays, for derivatives evaluated many times."""

from __future__ import annotations

import numpy as np

from ..tape import Tape
from .sweeps import as_input, kernels, node_values


class Workspace:
    """Runs forward, reverse and Hessian sweeps of one tape with a fixed seed count.

    The node-sized work arrays are allocated once and reused, so a prepared
    derivative costs only the sweeps themselves.
    """

    def __init__(self, tape: Tape):
        self.tape = tape
        self.args = tape.kernel_args()
        self._buffers: dict[tuple, np.ndarray] = {}

    def _buffer(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        key = (name, shape)
        buf = self._buffers.get(key)
        if buf is None:
            buf = self._buffers[key] = np.empty(shape)
        return buf

    def values(self, x: np.ndarray) -> np.ndarray:
        """All node values at ``x`` (``x`` already checked and flat)."""
        return node_values(self.tape, x, self._buffer("val", (self.tape.n_nodes,)))

    def check(self, x) -> np.ndarray:
        return as_input(self.tape, x)

    def forward(self, x: np.ndarray, seeds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(node values, J @ seeds)`` with ``seeds`` (n x c) C-contiguous."""
        val = self.values(x)
        dot = self._buffer("dot", (self.tape.n_nodes, seeds.shape[1]))
        kernels().tangents(*self.args, val, seeds, dot)
        return val, dot[self.tape.outputs]

    def reverse(self, x: np.ndarray, cotangents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(node values, cotangents.T @ J)`` with ``cotangents`` (m x c); result c x n."""
        val = self.values(x)
        bar = self._buffer("bar", (self.tape.n_nodes, cotangents.shape[1]))
        bar.fill(0.0)
        np.add.at(bar, self.tape.outputs, cotangents)
        kernels().adjoints(*self.args, val, bar)
        return val, bar[: self.tape.n_inputs].T

    def hessian(self, x: np.ndarray, weights: np.ndarray, seeds: np.ndarray) -> np.ndarray:
        """``∇²(weightsᵀ f)(x) @ seeds`` (n x c)."""
        val = self.values(x)
        c = seeds.shape[1]
        dot = self._buffer("dot", (self.tape.n_nodes, c))
        kernels().tangents(*self.args, val, seeds, dot)
        bar = self._buffer("hbar", (self.tape.n_nodes,))
        bar.fill(0.0)
        np.add.at(bar, self.tape.outputs, weights)
        bdot = self._buffer("bdot", (self.tape.n_nodes, c))
        bdot.fill(0.0)
        kernels().hvp_reverse(*self.args, val, dot, bar, bdot)
        return bdot[: self.tape.n_inputs]

    def __getstate__(self) -> dict:
        return {"tape": self.tape}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["tape"])
