"""What every prepared derivative shares: lazy preparation, argument checks."""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..detection.patterns import edge_mask
from ..errors import BranchChangedError, InputError, NotPreparedError, check_real
from ..evaluation.workspace import Workspace
from ..tape import Tape
from ..tracing import trace
from ..tracing.tracer import split_inputs


def missing_entries(detected: sp.csr_array, given: sp.csr_array) -> sp.csr_array:
    """Entries of ``detected`` that ``given`` lacks (both boolean patterns)."""
    d = sp.csr_array(detected, dtype=np.int8)
    out = sp.csr_array(d - d.multiply(sp.csr_array(given, dtype=np.int8)))
    out.eliminate_zeros()
    return out


def check_local(tape: Tape, x, params, mask: np.ndarray, what: str) -> None:
    """A local pattern holds at x only if no edge inactive where it was traced became
    active; raise ``BranchChangedError`` otherwise."""
    new = edge_mask(tape, x, "local", params) & ~mask
    if new.any():
        raise BranchChangedError(
            f"asd: this {what} was prepared with sparsity='local', and at this point "
            f"{int(np.count_nonzero(new))} dependency(ies) that were exactly zero where it "
            "was prepared are active (a max/min/where switched side, or a product factor "
            "left zero). The local pattern does not hold here: prepare again at this point, "
            "or use sparsity='global'."
        )


def positional_count(fun: Callable) -> int | None:
    """How many positional arguments ``fun`` takes (None: any number, or unknown)."""
    try:
        sig = inspect.signature(fun)
    except (TypeError, ValueError):
        return None
    count = 0
    for par in sig.parameters.values():
        if par.kind is par.VAR_POSITIONAL:
            return None
        if par.kind in (par.POSITIONAL_ONLY, par.POSITIONAL_OR_KEYWORD):
            count += 1
    return count


class Prepared:
    """Base of the prepared derivatives: traces on first use when no x0 was given.

    A call passes ``fun``'s positional arguments: the differentiated one is number
    ``argnums``; the float values among the others are runtime parameters (evaluated
    at each call's values), the rest static (checked against the traced ones). A call
    with x alone uses the arguments given at construction (``args``).
    Preparation runs once, under a lock, so concurrent first calls are safe.
    """

    _fun: Callable | None
    _args: tuple

    def _init_common(
        self, fun: Callable, x0, args: tuple, argnums: int | tuple[int, ...] = 0, static_argnums=()
    ) -> None:
        if not callable(fun):
            raise InputError(f"asd: expected a function to differentiate, got {type(fun).__name__}")
        self._fun = fun
        self._args = tuple(args)
        self.argnums = tuple(argnums) if isinstance(argnums, tuple | list) else argnums
        #: with a tuple ``argnums``: the shapes of the differentiated arguments
        self.arg_shapes: list[tuple[int, ...]] | None = None
        self.static_argnums = static_argnums
        self._prepared = False
        self._lock = threading.Lock()
        if isinstance(self.argnums, tuple) and x0 is not None:
            x0 = self._flat(x0)
        check_real(x0, "x0")
        if x0 is not None:
            self._prepare(x0)

    # -- several differentiated arguments (a tuple ``argnums``) ----------------------------
    def _flat(self, parts) -> np.ndarray:
        """The differentiated arguments flattened and concatenated (shapes checked)."""
        for p in parts if isinstance(parts, tuple | list) else ():
            check_real(p)
        flat, shapes = split_inputs(parts, self.argnums)
        if self.arg_shapes is None:
            self.arg_shapes = shapes
        elif shapes != self.arg_shapes:
            raise InputError(
                f"asd: the differentiated arguments have shapes {shapes}, but this derivative "
                f"was prepared for {self.arg_shapes}"
            )
        return flat

    @property
    def arg_sizes(self) -> list[int]:
        """Sizes of the differentiated arguments (one entry for an int ``argnums``)."""
        if self.arg_shapes is None:
            if not self._prepared:
                raise InputError("asd: call the derivative once (or give x0) first")
            return [self.tape.n_inputs]
        return [int(np.prod(s, dtype=np.int64)) for s in self.arg_shapes]

    def unflatten(self, z) -> tuple[np.ndarray, ...]:
        """The flat input vector ``z`` as the tuple of differentiated arguments."""
        z = np.asarray(z)
        if self.arg_shapes is None:
            return (z,)
        ends = np.cumsum(self.arg_sizes)
        if z.size != ends[-1]:
            raise InputError(f"asd: expected {ends[-1]} values (all arguments), got {z.size}")
        return tuple(
            part.reshape(shape)
            for part, shape in zip(np.split(z.ravel(), ends[:-1]), self.arg_shapes)
        )

    def blocks(self, M) -> list:
        """The per-argument column blocks ``[∂f/∂x0, ∂f/∂x1, ...]`` of a result ``M`` of
        this derivative (with a tuple ``argnums``; columns in ``argnums`` order)."""
        ends = np.cumsum([0, *self.arg_sizes])
        if sp.issparse(M):
            M = sp.csc_array(M)
            return [sp.csr_array(M[:, a:b]) for a, b in zip(ends[:-1], ends[1:])]
        M = np.asarray(M)
        return [M[..., a:b] for a, b in zip(ends[:-1], ends[1:])]

    #: attributes that exist once prepared (read earlier: NotPreparedError, not a bare
    #: AttributeError)
    _PREPARED_ATTRS = frozenset(
        ("pattern", "mode", "costs", "coloring", "ncolors", "tape", "nnz", "engine")
    )

    def __getattr__(self, name: str):
        engine = self.__dict__.get("engine")
        if name in ("coloring", "ncolors", "costs") and engine is not None:
            return getattr(engine, name)  # a Hessian's: computed when first asked for
        if name in self._PREPARED_ATTRS and not self.__dict__.get("_prepared", False):
            kind = type(self).__name__
            raise NotPreparedError(
                f"asd: {kind}.{name} is known once the derivative is prepared, and this one "
                "was made without a point. Prepare it first: obj.prepare(x0) (or "
                "obj.prepare(*fun_args) for a function with other arguments), call it once, "
                "or pass x0 when making it (asd.jacobian(f, x0))."
            )
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def prepare(self, *fargs) -> Any:
        """Trace, detect and colour at ``fun``'s positional arguments (or x alone, with
        the ``args`` given at construction); returns the object, so attributes such as
        ``pattern`` can be read before the first evaluation."""
        if not fargs:
            raise InputError("asd: prepare needs the point x (and the function's other arguments)")
        x, others = self._split_call(fargs)
        check_real(x)
        with self._lock:
            if others is not None:
                self._args = tuple(others)
            self._prepare(x)
        return self

    def _prepare(self, x0) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    def _split_call(self, fargs: tuple) -> tuple[Any, tuple | None]:
        """``(x, the other arguments or None)`` of ``fun``'s positional arguments."""
        if isinstance(self.argnums, tuple):
            return self._tuple_inputs(fargs)
        if len(fargs) == 1:
            return fargs[0], None
        k = self.argnums
        if k >= len(fargs):
            raise InputError(f"asd: argnums={k}, but the call passes only {len(fargs)} argument(s)")
        return fargs[k], fargs[:k] + fargs[k + 1 :]

    def _trace(self, x0, mode: str = "global") -> Tape:
        """The tape of ``fun`` at ``x0`` and the construction-time (or first call's) args."""
        return trace(
            self._fun,
            self.unflatten(x0) if isinstance(self.argnums, tuple) else x0,
            mode,
            self._args,
            argnums=self.argnums,
            static_argnums=self.static_argnums,
        )

    def _prepare_scalar(self, x0, what: str, instead: str) -> None:
        """Trace a scalar ``fun`` at ``x0`` and set up its workspace (gradients and
        Hessian-vector products); a vector ``fun`` is an error naming ``instead``."""
        tape = self._trace(np.asarray(x0, dtype=np.float64))
        if tape.n_outputs != 1:
            raise InputError(
                f"asd: {what} needs a scalar function, this one has {tape.n_outputs} "
                f"outputs; {instead}"
            )
        self.tape = tape
        self._workspace = Workspace(tape)

    def _inputs(self, fargs: tuple) -> tuple[Any, np.ndarray | None]:
        """``(x, parameter vector or None)`` of a call with ``fun``'s positional
        arguments, preparing at this x on the first call."""
        if not fargs:
            raise InputError("asd: call with the point x (and the function's other arguments)")
        x, others = self._split_call(fargs)
        check_real(x)
        if not self._prepared:
            with self._lock:
                if not self._prepared:
                    if self._fun is None:
                        raise InputError(
                            "asd: this derivative was unpickled before it was prepared"
                        )
                    if others is not None:
                        self._args = tuple(others)
                    self._prepare(x)
        if others is None:
            return x, None
        spec = self.tape.params
        if spec is None:
            raise InputError(
                f"asd: {len(others)} argument(s) besides x were passed, but the function was "
                "prepared without any"
            )
        return x, spec.flatten(tuple(others))

    def _tuple_inputs(self, fargs: tuple):
        ks = self.argnums
        if len(fargs) == 1 and len(ks) > 1:  # the flat concatenation, construction args
            if self.arg_shapes is None:
                raise InputError(
                    f"asd: with argnums={ks}, call with all of the function's positional "
                    "arguments first (or give x0 as a tuple of arrays); later calls may pass "
                    "the flat concatenation of the differentiated ones alone"
                )
            x = np.asarray(fargs[0])
            if x.size != sum(self.arg_sizes):
                raise InputError(
                    f"asd: a single argument must be the {sum(self.arg_sizes)} values of the "
                    f"differentiated arguments {ks} concatenated; got {x.size}"
                )
            return x.ravel(), None
        if max(ks) >= len(fargs):
            raise InputError(
                f"asd: argnums={ks}, but the call passes only {len(fargs)} argument(s)"
            )
        others = tuple(a for i, a in enumerate(fargs) if i not in ks)
        return self._flat([fargs[k] for k in ks]), others or None

    def __getstate__(self) -> dict:
        if not self._prepared:
            raise InputError("asd: prepare the derivative (call it once) before pickling it")
        state = dict(self.__dict__)
        state["_fun"] = None
        state.pop("_lock", None)
        if "_structure" in state:
            state["_structure"] = None  # rebuilt read-only on first use (pickle drops the flag)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()
