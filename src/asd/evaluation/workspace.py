"""Compressed sweeps with preallocated work arrays, for derivatives evaluated many times.

Each calling thread has its own work arrays, so one workspace serves many threads at
once. Seed columns are independent, so a block of seeds can be split between threads (the
kernels release the GIL). ``ASD_THREADS`` sets the thread count (default 1); blocks
smaller than ``MIN_PARALLEL_WORK`` node-seeds always run on one thread.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..tape import Tape
from .scratch import PerThread
from .sweeps import adjoint_sweep, as_input, kernels, node_values

#: node x seed products below which a sweep is not split between threads
MIN_PARALLEL_WORK = 2_000_000
_pools: dict[int, ThreadPoolExecutor] = {}
_pools_lock = threading.Lock()


def default_threads() -> int:
    """Threads for compressed sweeps: ``ASD_THREADS`` if set, else 1."""
    value = os.environ.get("ASD_THREADS", "1")
    try:
        return max(1, int(value))
    except ValueError:
        raise ValueError(f"asd: ASD_THREADS must be a positive integer, not {value!r}") from None


def _pool(n: int) -> ThreadPoolExecutor:
    with _pools_lock:
        if n not in _pools:
            _pools[n] = ThreadPoolExecutor(n, thread_name_prefix="asd")
        return _pools[n]


class Workspace:
    """Runs forward, reverse and Hessian sweeps of one tape with a fixed seed count.

    The node-sized work arrays are allocated once per thread and reused, so a prepared
    derivative costs only the sweeps themselves. Results handed out are views of the
    calling thread's arrays, valid until that thread's next sweep (callers copy or
    consume them); parts computed on pool threads are copied there.
    """

    def __init__(self, tape: Tape, threads: int | None = None):
        self.tape = tape
        self.args = tape.kernel_args()
        self.threads = default_threads() if threads is None else max(1, int(threads))
        self._buffers = PerThread(dict)
        outs = tape.outputs
        # seeding is a plain store when no output node repeats
        self._distinct = outs.size == 0 or np.bincount(outs).max() <= 1

    def _seed_outputs(self, bar: np.ndarray, values: np.ndarray) -> None:
        """``bar`` zeroed, then the output rows set to ``values`` (summed if repeated)."""
        bar.fill(0.0)
        if self._distinct:
            bar[self.tape.outputs] = values
        else:
            np.add.at(bar, self.tape.outputs, values)

    def _chunks(self, c: int) -> list[tuple[int, int, int]]:
        """(part, first, last) seed ranges, one per thread used for a block of c seeds."""
        parts = min(self.threads, c)
        if parts < 2 or self.tape.n_nodes * c < MIN_PARALLEL_WORK:
            return [(0, 0, c)]
        bounds = np.linspace(0, c, parts + 1).round().astype(int)
        return [(i, int(bounds[i]), int(bounds[i + 1])) for i in range(parts)]

    def _run(self, job, chunks) -> list:
        if len(chunks) == 1:
            return [job(*chunks[0])]
        return list(_pool(len(chunks)).map(lambda ch: job(*ch), chunks))

    def _buffer(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """This thread's work array ``name`` of this shape."""
        buffers = self._buffers.get()
        key = (name, shape)
        buf = buffers.get(key)
        if buf is None:
            buf = buffers[key] = np.empty(shape)
        return buf

    def values(self, x: np.ndarray) -> np.ndarray:
        """All node values at ``x`` (``x`` already checked and flat)."""
        return node_values(self.tape, x, self._buffer("val", (self.tape.n_nodes,)))

    def check(self, x, params: np.ndarray | None = None) -> np.ndarray:
        """The kernels' input vector: ``x`` checked and flat, then the parameters."""
        return as_input(self.tape, x, params=params)

    def forward(self, x: np.ndarray, seeds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(node values, J @ seeds)`` with ``seeds`` (n x c) C-contiguous."""
        val = self.values(x)
        chunks = self._chunks(seeds.shape[1])

        def job(part, lo, hi):
            s = seeds if len(chunks) == 1 else np.ascontiguousarray(seeds[:, lo:hi])
            dot = self._buffer(f"dot{part}", (self.tape.n_nodes, hi - lo))
            kernels(self.tape.families).tangents(*self.args, val, s, dot)
            return dot[self.tape.outputs]

        out = self._run(job, chunks)
        return val, out[0] if len(out) == 1 else np.hstack(out)

    def reverse(
        self, x: np.ndarray, cotangents: np.ndarray, val: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(node values, cotangents.T @ J)`` with ``cotangents`` (m x c); result c x n.
        ``val``: node values at x from a sweep already done (skips the value sweep)."""
        if val is None:
            val = self.values(x)
        chunks = self._chunks(cotangents.shape[1])

        def job(part, lo, hi):
            bar = self._buffer(f"bar{part}", (self.tape.n_nodes, hi - lo))
            self._seed_outputs(bar, cotangents[:, lo:hi])
            adjoint_sweep(self.tape, val, bar, self.args)
            g = bar[: self.tape.n_inputs].T
            return g if len(chunks) == 1 else g.copy()  # a pool thread's buffer

        out = self._run(job, chunks)
        return val, out[0] if len(out) == 1 else np.vstack(out)

    def hessian(self, x: np.ndarray, weights: np.ndarray, seeds: np.ndarray) -> np.ndarray:
        """``∇²(weightsᵀ f)(x) @ seeds`` (n x c)."""
        val = self.values(x)
        chunks = self._chunks(seeds.shape[1])

        def job(part, lo, hi):
            s = seeds if len(chunks) == 1 else np.ascontiguousarray(seeds[:, lo:hi])
            dot = self._buffer(f"dot{part}", (self.tape.n_nodes, hi - lo))
            kernels(self.tape.families).tangents(*self.args, val, s, dot)
            bar = self._buffer(f"hbar{part}", (self.tape.n_nodes,))
            self._seed_outputs(bar, weights)
            bdot = self._buffer(f"bdot{part}", (self.tape.n_nodes, hi - lo))
            bdot.fill(0.0)
            kernels(self.tape.families).hvp_reverse(*self.args, val, dot, bar, bdot)
            h = bdot[: self.tape.n_inputs]
            return h if len(chunks) == 1 else h.copy()  # a pool thread's buffer

        out = self._run(job, chunks)
        return out[0] if len(out) == 1 else np.hstack(out)

    def __getstate__(self) -> dict:
        return {"tape": self.tape, "threads": self.threads}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["tape"], state.get("threads"))
