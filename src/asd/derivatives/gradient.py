"""Prepared gradients of scalar functions by one reverse sweep."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .common import Prepared


class Gradient(Prepared):
    """``g(x)`` = ∇f(x) for scalar ``fun``, shaped like x; ``value_and_grad(x)`` gives both."""

    def __init__(
        self,
        fun: Callable,
        x0=None,
        *,
        args: tuple = (),
        argnums: int | tuple[int, ...] = 0,
        static_argnums=(),
    ):
        self._init_common(fun, x0, args, argnums, static_argnums)

    def _prepare(self, x0) -> Gradient:
        self._prepare_scalar(x0, "gradient", "use asd.jacobian")
        self._ones = np.ones((1, 1))
        self._prepared = True
        return self

    def value_and_grad(self, *fargs) -> tuple[float, np.ndarray]:
        """``(f, ∇f)`` at ``fun``'s positional arguments (or x alone)."""
        x, params = self._inputs(fargs)
        ws = self._workspace
        val, g = ws.reverse(ws.check(x, params), self._ones)
        shape = self.tape.input_shape
        return float(val[self.tape.outputs[0]]), g[0].reshape(shape).copy()

    def blocks(self, g) -> tuple[np.ndarray, ...]:
        """A gradient as one array per differentiated argument (a tuple ``argnums``),
        each with its argument's shape."""
        return self.unflatten(g)

    def __call__(self, *fargs) -> np.ndarray:
        return self.value_and_grad(*fargs)[1]


def gradient(
    fun: Callable,
    x0=None,
    *,
    args: tuple = (),
    argnums: int | tuple[int, ...] = 0,
    static_argnums=(),
) -> Gradient:
    """Prepared reverse-mode gradient of a scalar ``fun`` with respect to its argument
    ``argnums`` (usable as scipy's ``jac``); other float arguments are runtime
    parameters, as in :func:`asd.jacobian`."""
    return Gradient(fun, x0, args=args, argnums=argnums, static_argnums=static_argnums)
