"""Errors raised while tracing or evaluating, each naming the problem and its fix."""

from __future__ import annotations

import numpy as np


class AsdError(Exception):
    """Base class of every error asd raises on purpose."""


class UnsupportedFunctionError(AsdError, TypeError):
    """A numpy function or ufunc that asd cannot trace."""

    def __init__(self, name: str, hint: str = ""):
        msg = (
            f"asd cannot trace the function '{name}' on a traced array. "
            + (hint + " " if hint else "")
            + "Rewrite that step with supported numpy operations (elementwise ufuncs, "
            "indexing, reshaping, sums, matmul with constant matrices, np.where, ...)."
        )
        super().__init__(msg)


class TracerBoolError(AsdError, TypeError):
    """Python control flow on traced values that asd cannot follow in global mode."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"asd: {reason}. In global sparsity mode asd traces every path through the "
            "`if`, `while`, `and`/`or` and `bool()` on values that depend on x and joins "
            "them, which needs a bounded number of paths with one output shape. Either "
            "write the branch with np.where(cond, a, b) / np.maximum / np.clip, or trace "
            "in local mode (sparsity='local': the pattern then holds at the given x and "
            "the branch taken there is checked at every later evaluation)."
        )


class TracerConversionError(AsdError, TypeError):
    """A traced value converted to a plain Python or numpy number."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"asd: a traced value was converted to a plain number ({what}). "
            "This loses the dependency on x. Typical causes and fixes: float(t) or int(t) "
            "-> keep the array; math.exp(t), math.sin(t), ... -> np.exp(t), np.sin(t); "
            "writing into a plain numpy array -> create the buffer inside the traced "
            "function with np.zeros(m) / np.empty(m) / np.full(m, v) called through the "
            "np module (those become traced when a traced value is written), or with "
            "np.zeros_like(x); arrays made before tracing, by integer dtypes or by "
            "constructors imported by name (`from numpy import zeros`) stay plain."
        )


class TracerBufferError(AsdError, TypeError):
    """Traced values written into a plain numpy array."""

    def __init__(self, msg: str | None = None) -> None:
        super().__init__(
            msg
            or "asd: traced values were written into a plain numpy array. A plain array can "
            "only hold numbers, so the dependency on x would be lost. Buffers made inside "
            "the traced function by np.zeros(m), np.empty(m), np.ones, np.full, np.array("
            "[...]) (float dtype, called through the np module) take traced values; this "
            "one was made before tracing, has an integer dtype, or comes from a constructor "
            "imported by name (`from numpy import zeros`). Create it inside the function as "
            "np.zeros(m) (or np.zeros_like(x)), or build the result with np.concatenate / "
            "np.stack."
        )


class UnsupportedAttributeError(UnsupportedFunctionError, AttributeError):
    """Code expecting a plain numpy array asked a traced array for a numpy-only attribute."""

    def __init__(self, name: str, caller: str) -> None:
        Exception.__init__(
            self,
            f"asd: {caller} asked a traced array for the attribute '{name}', which only "
            "plain numpy arrays have: that code expects numbers, not a traced array (a "
            "library function such as scipy.linalg.expm that asd cannot trace). Write "
            "that step with numpy operations on the traced array instead.",
        )


def caller_name(frame) -> str:
    """``module.function`` of ``frame``, and of the first caller outside numpy's and
    scipy's private helpers when that is another function (the one to rewrite)."""

    def name(f):
        return f"{f.f_globals.get('__name__', '?')}.{f.f_code.co_name}"

    first, outer = name(frame), frame
    while outer is not None and outer.f_globals.get("__name__", "").startswith(
        ("numpy", "scipy._lib", "asd.")
    ):
        outer = outer.f_back
    if outer is None or outer is frame:
        return first
    return f"{first} (called from {name(outer)})"


#: formulas for library functions that convert their input (named in the error)
LIBRARY_FORMULAS = {
    "logsumexp": "for scipy.special.logsumexp(x): m = np.max(x); m + np.log(np.sum(np.exp(x - m)))",
    "expm": "for scipy.linalg.expm: a truncated series or a Padé formula written with @",
    "rosen": "for rosen: np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)",
}


def array_conversion_error(caller: str) -> TracerBufferError:
    """A traced array handed to numpy's array conversion outside asd's dispatch."""
    known = [text for key, text in LIBRARY_FORMULAS.items() if key in caller]
    if known:
        return TracerBufferError(
            f"asd: a traced array was converted to a plain numpy array by {caller}, which "
            "asd cannot trace (the dependency on x would be lost). Write the formula with "
            f"numpy operations on the traced array instead: {known[0]}."
        )
    if not caller.startswith(("numpy", "scipy")):  # converted by C code called from Python
        return TracerBufferError(
            f"asd: a traced array was converted to a plain numpy array in {caller}, "
            "which loses the dependency on x. Two usual causes: a list or tuple holding "
            "traced values given to a numpy ufunc (np.exp([t0, t1])), which numpy "
            "converts element by element: make the list one array first, "
            "np.exp(np.array([t0, t1])); or a numpy function imported by name before "
            "tracing (`from numpy import asarray`): call it through the module, "
            "np.asarray(x)."
        )
    return TracerBufferError(
        f"asd: a traced array was converted to a plain numpy array by {caller}. "
        "That loses the dependency on x (numpy would hold one opaque object). This happens "
        "in library functions that convert their input (scipy.optimize.rosen, "
        "scipy.linalg.expm, scipy.special.polygamma, ...: asd cannot trace them) and with "
        "numpy functions imported by name before tracing (`from numpy import asarray`). "
        "Fix: call numpy through the module (np.asarray(x), np.array(x)), and write the "
        "library function's formula with numpy operations on the traced array (for "
        "rosen: np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2))."
    )


class TracerIndexError(AsdError, IndexError):
    """Indexing with traced integers or a data-dependent boolean mask in global mode."""


class BranchChangedError(AsdError, ValueError):
    """A tape traced in local mode evaluated where one of its branches goes the other way."""


class ConvergenceError(AsdError, np.linalg.LinAlgError):
    """An iteration recorded in the tape (singular values, eigenvalues) did not converge at
    this x."""


class InputError(AsdError, ValueError):
    """Bad input: wrong shape, NaN, wrong type."""


class DenseTooLargeError(AsdError, MemoryError):
    """A dense Jacobian or Hessian was asked for that would be too large to hold."""


class NotPreparedError(AsdError, AttributeError):
    """An attribute of a prepared derivative read before it was prepared."""


class WorkTooLargeError(AsdError, MemoryError):
    """An evaluation whose work arrays would not fit in memory, refused before allocating."""


COMPLEX_HINT = (
    "asd differentiates real functions of real arrays only: split a complex quantity "
    "into its real and imaginary parts (two real arrays, e.g. x = np.concatenate([re, im])) "
    "and write the arithmetic on them."
)


def check_real(x, what: str = "x") -> None:
    """Raise :class:`InputError` for complex input (numpy would drop the imaginary part)."""
    import numpy as np

    if np.iscomplexobj(x):
        raise InputError(f"asd: {what} is complex ({np.asarray(x).dtype}). " + COMPLEX_HINT)
