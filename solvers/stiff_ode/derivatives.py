"""The right-hand side's derivatives from asd: the sparse Jacobian and JVPs.

The integrators differentiate ``f(y)``, a function of the state only, and evaluate the
right-hand side as ``rhs(t, y)``. That is exact when the time dependence of ``rhs`` is
additive (a forcing term independent of ``y``), as in the Brusselator: ``∂rhs/∂y``
then does not depend on ``t``. The tape is traced once at ``y0``; with asd's global
sparsity the pattern and the tape hold for every state.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import asd


def prepare_jacobian(f: Callable, y0: np.ndarray, mode: str = "auto") -> asd.SparseJacobian:
    """``asd.jacobian(f, y0, mode=mode)``, falling back to mode "direct" while the
    colouring engine (``asd.coloring``) is not installed: direct accumulation needs no
    colouring and gives the same exact matrix."""
    try:
        return asd.jacobian(f, y0, mode=mode, format="csr")
    except ModuleNotFoundError as exc:
        if mode != "auto" or "asd.coloring" not in str(exc):
            raise
        return asd.jacobian(f, y0, mode="direct", format="csr")


class AsdDerivatives:
    """``J(y)`` as a CSR matrix and ``J(y) @ V`` by forward sweeps, for one ``f``.

    ``f`` must map a flat state of length n to a flat derivative of length n (or any
    array of n values, which is flattened).
    """

    def __init__(self, f: Callable, y0, mode: str = "auto"):
        y0 = np.asarray(y0, dtype=np.float64)
        self.jac = prepare_jacobian(f, y0, mode)
        self.tape = self.jac.tape
        if self.tape.n_outputs != self.tape.n_inputs:
            raise ValueError(
                f"stiff_ode: f maps {self.tape.n_inputs} states to {self.tape.n_outputs} "
                "values; an ODE right-hand side must be square"
            )
        self.n = self.tape.n_inputs

    @property
    def mode(self) -> str:
        return self.jac.mode

    @property
    def pattern(self):
        return self.jac.pattern

    def matrix(self, y):
        """The exact sparse Jacobian at ``y`` (scipy CSR)."""
        return self.jac(y)

    def jvp(self, y, v) -> np.ndarray:
        """``J(y) @ v`` for one vector or an n x k block, flat."""
        _, jv = asd.jvp(self.tape, y, v)
        return np.asarray(jv).reshape(np.shape(v))
