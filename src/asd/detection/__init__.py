"""Sparsity detection on a tape: Jacobian and Hessian patterns, global or local."""

from __future__ import annotations

from collections.abc import Callable

import scipy.sparse as sp

from ..tracing.tracer import split_inputs, trace
from .patterns import hessian_pattern, jacobian_pattern


def _traced(f: Callable, x, mode: str, args: tuple, argnums, static_argnums):
    """The tape of ``f`` and the flat point a local pattern is taken at (None: global)."""
    tape = trace(f, x, mode, args, argnums=argnums, static_argnums=static_argnums)
    return tape, split_inputs(x, argnums)[0] if mode == "local" else None


def jacobian_sparsity(
    f: Callable,
    x,
    mode: str = "global",
    args: tuple = (),
    *,
    argnums: int | tuple[int, ...] = 0,
    static_argnums=(),
) -> sp.csr_array:
    """Boolean pattern of the Jacobian of ``f`` (outputs flattened x inputs flattened).

    ``mode="global"``: holds for every x and every value of the float arguments in
    ``args`` (runtime parameters). ``mode="local"``: holds at ``x`` and ``args`` only,
    and may be sparser (inactive branches of max/min/where, products with exact zeros).
    ``x`` is positional argument ``argnums`` of ``f``, ``args`` the others; with a
    tuple ``argnums``, ``x`` is a tuple of arrays and the columns are their flattened
    concatenation (see :func:`asd.trace`).
    """
    return jacobian_pattern(*_traced(f, x, mode, args, argnums, static_argnums), mode)


def hessian_sparsity(
    f: Callable,
    x,
    mode: str = "global",
    args: tuple = (),
    *,
    argnums: int | tuple[int, ...] = 0,
    static_argnums=(),
) -> sp.csr_array:
    """Boolean symmetric pattern of the Hessian of ``f`` (union over outputs if vector);
    arguments as in :func:`jacobian_sparsity`."""
    return hessian_pattern(*_traced(f, x, mode, args, argnums, static_argnums), mode)


__all__ = ["hessian_pattern", "hessian_sparsity", "jacobian_pattern", "jacobian_sparsity"]
