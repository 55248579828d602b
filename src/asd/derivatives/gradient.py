"""Prepared gradients of scalar functions by one reverse sweep."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..errors import InputError
from ..evaluation.workspace import Workspace
from ..tracing import trace
from .common import Prepared


class Gradient(Prepared):
    """``g(x)`` = ∇f(x) for scalar ``fun``, shaped like x; ``value_and_grad(x)`` gives both."""

    def __init__(self, fun: Callable, x0=None, *, args: tuple = ()):
        self._init_common(fun, x0, args)

    def prepare(self, x0) -> Gradient:
        tape = trace(self._fun, np.asarray(x0, dtype=np.float64), "global", self._args)
        if tape.n_outputs != 1:
            raise InputError(
                f"asd: gradient needs a scalar function, this one has {tape.n_outputs} "
                "outputs; use asd.jacobian"
            )
        self.tape = tape
        self._workspace = Workspace(tape)
        self._ones = np.ones((1, 1))
        self._prepared = True
        return self

    def value_and_grad(self, x, *args) -> tuple[float, np.ndarray]:
        self._ensure(x, args)
        ws = self._workspace
        val, g = ws.reverse(ws.check(x), self._ones)
        shape = self.tape.input_shape
        return float(val[self.tape.outputs[0]]), g[0].reshape(shape).copy()

    def __call__(self, x, *args) -> np.ndarray:
        return self.value_and_grad(x, *args)[1]


def gradient(fun: Callable, x0=None, *, args: tuple = ()) -> Gradient:
    """Prepared reverse-mode gradient of a scalar ``fun`` (usable as scipy's ``jac``)."""
    return Gradient(fun, x0, args=args)
