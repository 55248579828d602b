"""What every prepared derivative shares: lazy preparation, argument checks, formats."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..errors import InputError, check_real

FORMATS = ("csr", "csc", "coo", "dense")


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise InputError(f"asd: format must be one of {FORMATS}, not {fmt!r}")
    return fmt


def to_format(values: np.ndarray, csr, fmt: str, structure: Callable[[], tuple]):
    """Sparse matrix (or dense array) from nonzeros given in ``csr``'s order;
    ``structure()`` gives their (rows, cols), asked only for the coo format."""
    m = sp.csr_array((values, csr.indices, csr.indptr), shape=csr.shape)
    if fmt == "csr":
        return m
    if fmt == "csc":
        return m.tocsc()
    if fmt == "coo":
        return sp.coo_array((values, structure()), shape=csr.shape)
    return m.toarray()


def missing_entries(detected: sp.csr_array, given: sp.csr_array) -> sp.csr_array:
    """Entries of ``detected`` that ``given`` lacks (both boolean patterns)."""
    d = sp.csr_array(detected, dtype=np.int8)
    out = sp.csr_array(d - d.multiply(sp.csr_array(given, dtype=np.int8)))
    out.eliminate_zeros()
    return out


def same_args(a: tuple, b: tuple) -> bool:
    """Whether extra arguments equal the ones the tape was traced with."""
    if len(a) != len(b):
        return False
    for u, v in zip(a, b):
        if u is v:
            continue
        try:
            if not np.array_equal(np.asarray(u), np.asarray(v)):
                return False
        except Exception:  # noqa: BLE001 - objects numpy cannot compare: only identity counts
            return False
    return True


class Prepared:
    """Base of the prepared derivatives: traces on first use when no x0 was given."""

    _fun: Callable | None
    _args: tuple

    def _init_common(self, fun: Callable, x0, args: tuple) -> None:
        self._fun = fun
        self._args = tuple(args)
        self._prepared = False
        check_real(x0, "x0")
        if x0 is not None:
            self.prepare(x0)

    def prepare(self, x0) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    def _ensure(self, x, args: tuple) -> None:
        check_real(x)
        if args and not same_args(args, self._args):
            if self._prepared:
                raise InputError(
                    "asd: the extra arguments differ from the ones this derivative was "
                    "traced with; they are baked into the tape as constants. Create a new "
                    "derivative for the new arguments (or make them part of x)."
                )
            self._args = tuple(args)
        if not self._prepared:
            if self._fun is None:
                raise InputError("asd: this derivative was unpickled before it was prepared")
            self.prepare(x)

    def __getstate__(self) -> dict:
        if not self._prepared:
            raise InputError("asd: prepare the derivative (call it once) before pickling it")
        state = dict(self.__dict__)
        state["_fun"] = None
        return state
