"""Python branches on traced values in global mode: every path is traced, then joined.

A global pattern must hold for every x, so an ``if`` on a traced value cannot simply
follow the side taken at the tracing point. Instead the function runs once per path
through its branches: each ``bool()`` on a traced value is a *decision*; the first run
takes the side true at the tracing point and every later run forces a different
prefix of outcomes, until every combination reached has run. The paths' outputs are
then joined with ``where`` nodes on the decisions' conditions, so the tape computes
exactly the side taken at each x, its pattern is the union of the paths' patterns,
and its derivatives are those of the active side (the table's ``where`` gates the
other side, including its inf/NaN).

A side that raises a Python exception (``if x[0] < 0: raise ValueError(...)``) is
recorded as a guard: evaluating the tape where that side is taken raises
:class:`BranchChangedError` with the exception's text. A side that asd cannot trace
raises as usual.
Functions with more than :data:`MAX_PATHS` paths or :data:`MAX_DECISIONS` decisions on
one path (typically a ``while`` loop whose exit depends on x) raise
:class:`TracerBoolError`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..errors import AsdError, InputError, TracerBoolError
from ..tape import RAISED

#: most paths traced for one function
MAX_PATHS = 64
#: most branches on traced values along one path
MAX_DECISIONS = 32


@dataclass
class PathState:
    """The decisions of one run: ``script`` forces the first outcomes."""

    script: tuple[bool, ...]
    conditions: list = field(default_factory=list)  # traced bool scalars
    outcomes: list[bool] = field(default_factory=list)

    def decide(self, t) -> bool:
        """The outcome of ``bool(t)`` on this path (``t``: a traced one-element array)."""
        k = len(self.outcomes)
        if k >= MAX_DECISIONS:
            raise TracerBoolError(
                f"more than {MAX_DECISIONS} branches on traced values along one path "
                "(a loop whose exit depends on x?)"
            )
        cond = (t if t.val.dtype == np.bool_ else t != 0).reshape(())
        outcome = self.script[k] if k < len(self.script) else bool(cond.val)
        self.conditions.append(cond)
        self.outcomes.append(outcome)
        return outcome


@dataclass
class _Path:
    outcomes: tuple[bool, ...]
    conditions: list
    out: object  # TracedArray, or None where the function raised


def trace_paths(rec, run: Callable[[], object]):
    """``run()`` (one call of the user's function, returning its traced output) for
    every path through its branches on traced values, joined into one output."""
    if rec.mode == "local":  # local mode follows the branch at x and guards it
        return run()
    done: list[_Path] = []
    pending: list[tuple[bool, ...]] = [()]
    failure = ""
    while pending:
        script = pending.pop()
        state = PathState(script)
        rec.paths = state
        try:
            out = run()
        except AsdError:
            raise
        except Exception as e:
            if not script:  # the side taken at the tracing point: the user's error
                raise
            out, failure = None, failure or f"{type(e).__name__}: {e}"
        finally:
            rec.paths = None
        outcomes = tuple(state.outcomes)
        if outcomes[: len(script)] != script:
            raise InputError(
                "asd: the function took different branches on two runs with the same "
                "input; asd needs a deterministic function"
            )
        for k in range(len(script), len(outcomes)):
            pending.append(outcomes[:k] + (not outcomes[k],))
        done.append(_Path(outcomes, state.conditions, out))
        if len(done) + len(pending) > MAX_PATHS:
            raise TracerBoolError(
                f"more than {MAX_PATHS} paths through the branches on traced values"
            )
    if len(done) == 1:
        return done[0].out
    out = _join(rec, done, 0, _reference(done))
    if failure:  # 1 where a side that raised is taken: evaluating there raises too
        flags = [_Path(p.outcomes, p.conditions, _const(rec, float(p.out is None))) for p in done]
        raised = _join(rec, flags, 0, flags[0].out)
        rec.guard(raised.ids, np.zeros(1), f"{RAISED}{failure}")
    return out


def _const(rec, value: float, shape=()):
    from .tracer import TracedArray

    return TracedArray(rec, rec.const(np.full(shape, value)), np.full(shape, value))


def _reference(paths: list[_Path]):
    """The output of a path that returned, checked to match every other one."""
    outs = [p.out for p in paths if p.out is not None]
    first = outs[0]
    for o in outs[1:]:
        if o.shape != first.shape:
            raise InputError(
                f"asd: the output's shape depends on a branch on x ({first.shape} on one "
                f"side, {o.shape} on another); every path must return the same shape"
            )
    if any(o.val.dtype == np.bool_ for o in outs):
        raise TracerBoolError("the function returns a mask that depends on a branch on x")
    return first


def _join(rec, paths: list[_Path], depth: int, ref):
    """``where`` over the decision at ``depth`` of paths sharing the outcomes before it."""
    from .numpy_api import where

    if len(paths) == 1:
        out = paths[0].out
        return _const(rec, np.nan, ref.shape) if out is None else out
    if any(len(p.outcomes) <= depth for p in paths):
        raise InputError(
            "asd: the function took different branches on two runs with the same input; "
            "asd needs a deterministic function"
        )
    cond = paths[0].conditions[depth]
    yes = [p for p in paths if p.outcomes[depth]]
    no = [p for p in paths if not p.outcomes[depth]]
    return where(cond, _join(rec, yes, depth + 1, ref), _join(rec, no, depth + 1, ref))
