"""Value, JVP, VJP and HVP sweeps over a tape, run by the generated Numba kernels.

Every sweep first checks the input (shape, NaN) and the tape's guards, so a tape
traced in local mode is never evaluated on the other side of a branch it took.
"""

from __future__ import annotations

import numpy as np

from ..errors import BranchChangedError, ConvergenceError, InputError, check_real
from ..operators.codegen import kernels
from ..tape import CONVERGED, RAISED, Tape


def as_input(
    tape: Tape, x, *, allow_nan: bool = False, params: np.ndarray | None = None
) -> np.ndarray:
    """The kernels' input vector: ``x`` flat (float64, the tape's input size, checked),
    followed by the runtime parameter vector (``params``, or the traced values)."""
    check_real(x)
    arr = np.asarray(x, dtype=np.float64)
    if arr.size != tape.n_inputs or (arr.shape != tape.input_shape and arr.ndim > 1):
        raise InputError(
            f"asd: x has shape {arr.shape}, but the function was traced with input shape "
            f"{tape.input_shape}"
        )
    arr = np.ascontiguousarray(arr.ravel())
    if not allow_nan and not np.isfinite(arr).all():
        bad = np.flatnonzero(~np.isfinite(arr))
        raise InputError(
            f"asd: x contains {bad.size} non-finite value(s) (first at flat index {bad[0]}: "
            f"{arr[bad[0]]}); derivatives there are undefined. Check the caller's iterate."
        )
    if tape.n_params == 0:
        return arr
    p = tape.params.values if params is None else params
    if not allow_nan and not np.isfinite(p).all():
        raise InputError(
            f"asd: a runtime parameter contains {np.count_nonzero(~np.isfinite(p))} "
            "non-finite value(s); derivatives there are undefined"
        )
    full = np.empty(arr.size + p.size)
    full[: arr.size] = arr
    full[arr.size :] = p
    return full


def parameters(tape: Tape, args: tuple) -> np.ndarray | None:
    """The flat parameter vector of the extra arguments ``args`` (None: the traced ones)."""
    if not args:
        return None
    if tape.params is None:
        raise InputError(
            f"asd: {len(args)} extra argument(s) given, but the tape was traced without any"
        )
    return tape.params.flatten(tuple(args))


def node_values(tape: Tape, x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Values of every node at ``x`` (flat float64); checks the tape's guards."""
    val = np.empty(tape.n_nodes) if out is None else out
    kernels(tape.families).values(*tape.kernel_args(), x, val)
    if tape.guards:
        _check_guards(tape, val)
    return val


def _check_guards(tape: Tape, val: np.ndarray) -> None:
    nodes = np.fromiter((g.node for g in tape.guards), np.int64, len(tape.guards))
    expected = np.fromiter((g.expected for g in tape.guards), np.float64, len(tape.guards))
    got = val[nodes]
    bad = np.flatnonzero(~((got == expected) | (np.isnan(got) & np.isnan(expected))))
    if bad.size:
        g = tape.guards[bad[0]]
        if g.where.startswith(CONVERGED):
            raise ConvergenceError(
                f"asd: {g.where[len(CONVERGED) :]} did not converge at this x within the "
                "iterations recorded in the tape (their number follows the traced point), so "
                "its derivatives would not be exact. Trace again at this x (asd.trace, or a "
                "new asd.jacobian / asd.hessian prepared at it): the tape then records the "
                "sweeps this x needs."
            )
        if g.where.startswith(RAISED):
            raise BranchChangedError(
                "asd: the function raises at this x: while tracing, the side of its "
                f"branches taken here raised {g.where[len(RAISED) :]}"
            )
        raise BranchChangedError(
            f"asd: this tape was traced in local mode and relied on a {g.where} that "
            f"evaluated to {g.expected:g} at the traced point; at this x it is {got[bad[0]]:g}. "
            "The recorded branch (and its sparsity) does not hold here: trace again at "
            "this x, or write the branch with np.where so a global trace is possible."
        )


def _outputs(tape: Tape, val: np.ndarray) -> np.ndarray:
    return val[tape.outputs].reshape(tape.output_shape)


def _block(V: np.ndarray, rows: int, vec: bool) -> np.ndarray:
    """``V`` as ``rows`` x k; with no rows, k cannot be inferred (-1): it is V's last axis."""
    if rows == 0:
        return V.reshape(0, 1 if vec else V.shape[-1])
    return V.reshape(rows, -1)


def evaluate(tape: Tape, x, args: tuple = ()) -> np.ndarray:
    """``f(x, *args)`` from the tape (``args``: the extra arguments, default the traced ones)."""
    x = as_input(tape, x, allow_nan=True, params=parameters(tape, args))
    out = _outputs(tape, node_values(tape, x))
    return out.astype(bool) if tape.output_is_mask else out


def jvp(tape: Tape, x, V, args: tuple = ()) -> tuple[np.ndarray, np.ndarray]:
    """``(f(x), J(x) @ V)`` for a block of tangents ``V`` (n x k, or n)."""
    x = as_input(tape, x, params=parameters(tape, args))
    check_real(V, "V")
    V = np.asarray(V, np.float64)
    vec = V.ndim == 1
    V2 = np.ascontiguousarray(_block(V, tape.n_inputs, vec))
    val = node_values(tape, x)
    dot = np.empty((tape.n_nodes, V2.shape[1]))
    kernels(tape.families).tangents(*tape.kernel_args(), val, V2, dot)
    out = dot[tape.outputs]
    return _outputs(tape, val), (out[:, 0] if vec else out)


def adjoint_sweep(tape: Tape, val: np.ndarray, bar: np.ndarray, args: tuple = ()) -> None:
    """Reverse sweep into ``bar`` (nodes x K, outputs seeded); a single column runs the
    kernel without the column loop. ``args``: the tape's kernel arrays, if at hand."""
    args = args or tape.kernel_args()
    if bar.shape[1] == 1:
        kernels(tape.families).adjoint_vector(*args, val, bar.reshape(-1))
    else:
        kernels(tape.families).adjoints(*args, val, bar)


def vjp(tape: Tape, x, W, args: tuple = ()) -> tuple[np.ndarray, np.ndarray]:
    """``(f(x), J(x).T @ W)`` for a block of cotangents ``W`` (m x k, or m)."""
    x = as_input(tape, x, params=parameters(tape, args))
    check_real(W, "W")
    W = np.asarray(W, np.float64)
    vec = W.ndim <= 1 and W.size == tape.n_outputs
    W2 = _block(W, tape.n_outputs, W.ndim <= 1)
    val = node_values(tape, x)
    bar = np.zeros((tape.n_nodes, W2.shape[1]))
    np.add.at(bar, tape.outputs, W2)
    adjoint_sweep(tape, val, bar)
    g = bar[: tape.n_inputs]
    return _outputs(tape, val), (g[:, 0] if vec else g)


def hvp(tape: Tape, x, w, V, args: tuple = ()) -> np.ndarray:
    """``∇²(wᵀf)(x) @ V`` by forward-over-reverse, for tangents ``V`` (n x k, or n)."""
    x = as_input(tape, x, params=parameters(tape, args))
    check_real(V, "V")
    V = np.asarray(V, np.float64)
    vec = V.ndim == 1
    V2 = np.ascontiguousarray(_block(V, tape.n_inputs, vec))
    check_real(w, "w")
    w = np.broadcast_to(np.asarray(w, np.float64), (tape.n_outputs,))
    val = node_values(tape, x)
    dot = np.empty((tape.n_nodes, V2.shape[1]))
    args = tape.kernel_args()
    kernels(tape.families).tangents(*args, val, V2, dot)
    bar = np.zeros(tape.n_nodes)
    np.add.at(bar, tape.outputs, w)
    bdot = np.zeros_like(dot)
    kernels(tape.families).hvp_reverse(*args, val, dot, bar, bdot)
    h = bdot[: tape.n_inputs]
    return h[:, 0] if vec else h
