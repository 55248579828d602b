"""Prepared Hessian-vector products ∇²f(x)·p: scipy's ``hessp(x, p, *args)``.

For large problems in ``minimize``'s Newton-CG, trust-ncg, trust-krylov and
trust-constr: one forward-over-reverse sweep over the prepared tape per product, no
Hessian pattern, colouring or matrix. Cost: about four evaluations of f.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..errors import InputError, check_real
from .common import Prepared


class HessianVectorProduct(Prepared):
    """``hp(x, p, *others)`` = ∇²f(x) @ p for scalar ``fun``, shaped like x.

    ``others`` are ``fun``'s other positional arguments (x is put at ``argnums``
    among them), so ``minimize(f, x0, args=(a,), hessp=asd.hessp(f))`` works; float
    values among them are runtime parameters, as in :func:`asd.jacobian`.
    """

    def __init__(
        self, fun: Callable, x0=None, *, args: tuple = (), argnums: int = 0, static_argnums=()
    ):
        self._init_common(fun, x0, args, argnums, static_argnums)

    def _prepare(self, x0) -> HessianVectorProduct:
        self._prepare_scalar(x0, "hessp", "for Σ vᵢ∇²fᵢ(x)·p use asd.hvp(tape, x, v, p)")
        self._ones = np.ones(1)
        self._prepared = True
        return self

    def __call__(self, x, p, *others) -> np.ndarray:
        """∇²f(x) @ p at ``fun``'s arguments ``x`` and ``others`` (scipy's ``hessp``)."""
        fargs = (x,) if not others else (*others[: self.argnums], x, *others[self.argnums :])
        x, params = self._inputs(fargs)
        ws = self._workspace
        xf = ws.check(x, params)
        n = self.tape.n_inputs
        check_real(p, "p")
        pv = np.asarray(p, dtype=np.float64)
        if pv.size != n:
            raise InputError(f"asd: p has {pv.size} entries, x has {n}")
        if not np.isfinite(pv).all():
            raise InputError("asd: the direction p contains NaN or inf")
        seeds = np.ascontiguousarray(pv.reshape(n, 1))
        out = ws.hessian(xf, self._ones, seeds)
        return out[:, 0].reshape(self.tape.input_shape).copy()

    def __repr__(self) -> str:
        if not self._prepared:
            return "HessianVectorProduct(unprepared)"
        return f"HessianVectorProduct(n={self.tape.n_inputs}, {self.tape.n_nodes} nodes)"


def hessp(
    fun: Callable, x0=None, *, args: tuple = (), argnums: int = 0, static_argnums=()
) -> HessianVectorProduct:
    """Prepared Hessian-vector product of a scalar ``fun``, called as scipy's
    ``hessp(x, p, *args)``: ``minimize(f, x0, jac=asd.gradient(f), hessp=asd.hessp(f),
    method="trust-krylov")``. Prepares on the first call when ``x0`` is None."""
    return HessianVectorProduct(fun, x0, args=args, argnums=argnums, static_argnums=static_argnums)
