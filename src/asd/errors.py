"""Errors raised while tracing or evaluating, each naming the problem and its fix."""

from __future__ import annotations


class AsdError(Exception):
    """Base class of every error asd raises on purpose."""


class UnsupportedFunctionError(AsdError, TypeError):
    """A numpy function or ufunc that asd cannot trace."""

    def __init__(self, name: str, hint: str = ""):
        msg = (
            f"asd cannot trace numpy function '{name}' on a traced array. "
            + (hint + " " if hint else "")
            + "Rewrite that step with supported numpy operations (elementwise ufuncs, "
            "indexing, reshaping, sums, matmul with constant matrices, np.where, ...)."
        )
        super().__init__(msg)


class TracerBoolError(AsdError, TypeError):
    """Python control flow on a traced value in global mode."""

    def __init__(self) -> None:
        super().__init__(
            "asd: the truth value of a traced array is unknown in global sparsity mode "
            "(an `if`, `while`, `and`/`or` or `bool()` on a value that depends on x). "
            "A global pattern must hold for every x, so a branch cannot be taken. "
            "Either write the branch with np.where(cond, a, b) / np.maximum / np.clip, or "
            "trace in local mode (sparsity='local', the pattern then holds at the given x "
            "and the branch taken there is checked at every later evaluation)."
        )


class TracerConversionError(AsdError, TypeError):
    """A traced value converted to a plain Python or numpy number."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"asd: a traced value was converted to a plain number ({what}). "
            "This loses the dependency on x. Typical causes and fixes: float(t) or int(t) "
            "-> keep the array; math.exp(t), math.sin(t), ... -> np.exp(t), np.sin(t); "
            "writing into a buffer made with np.zeros(n) / np.empty(n) -> create it with "
            "np.zeros_like(x) (or np.zeros(n, like=x)) so it can hold traced values."
        )


class TracerBufferError(AsdError, TypeError):
    """Traced values written into a plain numpy array."""

    def __init__(self) -> None:
        super().__init__(
            "asd: traced values were written into a plain numpy array (for example one "
            "made by np.zeros(n) or np.empty(n)). A plain array can only hold numbers, so "
            "the dependency on x would be lost. Create the buffer from the input instead: "
            "np.zeros_like(x), np.empty_like(x), np.full_like(x, v), or build the result "
            "with np.concatenate / np.stack."
        )


class TracerIndexError(AsdError, IndexError):
    """Indexing with traced integers or a data-dependent boolean mask in global mode."""


class BranchChangedError(AsdError, ValueError):
    """A tape traced in local mode evaluated where one of its branches goes the other way."""


class InputError(AsdError, ValueError):
    """Bad input: wrong shape, NaN, wrong type."""


class WorkTooLargeError(AsdError, MemoryError):
    """An evaluation whose work arrays would not fit in memory, refused before allocating."""
