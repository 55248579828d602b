"""Runtime parameters: the arguments of ``f(x, *args)`` other than the one differentiated.

Every floating-point leaf of the extra arguments (a float, a float array, inside
tuples, lists, dicts or named tuples too) is a *runtime parameter*: it is traced as a
tape input that is never differentiated, so a prepared derivative evaluates at the
parameter values of each call with no re-trace. Any other leaf (an int, a bool, an
integer array, a string, an arbitrary object) is *static*: it is baked into the tape,
and a call with a different static value raises instead of returning stale numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InputError


def _is_param(v) -> bool:
    if isinstance(v, bool | np.bool_):
        return False
    if isinstance(v, float | np.floating):
        return True
    return isinstance(v, np.ndarray) and v.dtype.kind == "f"


def _equal(u, v) -> bool:
    """Whether two static leaves are the same (identity, else numpy / Python equality)."""
    if u is v:
        return True
    if type(u) is not type(v):
        return False
    try:
        if isinstance(u, np.ndarray):
            return u.shape == v.shape and bool(np.array_equal(u, v))
        return bool(u == v)
    except Exception:  # noqa: BLE001 - incomparable objects: only identity counts
        return False


def _structure(v, leaves: list, statics: list):
    """A hashable description of ``v``; parameter leaves appended to ``leaves``."""
    if isinstance(v, tuple | list):
        return (type(v), tuple(_structure(e, leaves, statics) for e in v))
    if isinstance(v, dict):
        keys = tuple(v)
        return (dict, keys, tuple(_structure(v[k], leaves, statics) for k in keys))
    if _is_param(v):
        arr = np.asarray(v, dtype=np.float64)
        leaves.append(arr)
        return ("param", arr.shape)
    statics.append(v)
    return ("static", len(statics) - 1)


def _mismatch(what: str) -> InputError:
    return InputError(
        f"asd: {what}, unlike the arguments the function was traced with. Floating-point "
        "values are runtime parameters (any value of the same shape is fine); other values "
        "are static and baked into the tape. Pass the same kinds of values, or prepare a "
        "new derivative."
    )


def _collect(s, v, leaves: list, statics: list) -> None:
    """Walk ``v`` along the traced structure ``s``: parameters to ``leaves`` (checked
    for shape), static values to ``statics``."""
    head = s[0]
    if head == "param":
        arr = np.asarray(v)
        if arr.dtype.kind not in "biuf":
            raise _mismatch(f"a parameter is a {type(v).__name__}")
        if arr.shape != s[1]:
            raise InputError(
                f"asd: a parameter has shape {arr.shape}, but the function was traced with "
                f"shape {s[1]}; prepare a new derivative for the new shape"
            )
        leaves.append(arr.astype(np.float64, copy=False))
    elif head == "static":
        statics.append(v)
    elif head is dict:
        if not isinstance(v, dict) or tuple(v) != s[1]:
            raise _mismatch("a dict argument has other keys")
        for k, c in zip(s[1], s[2]):
            _collect(c, v[k], leaves, statics)
    else:
        if not isinstance(v, tuple | list) or len(v) != len(s[1]):
            raise _mismatch(f"a {head.__name__} argument has another length")
        for c, e in zip(s[1], v):
            _collect(c, e, leaves, statics)


@dataclass(frozen=True)
class ParamSpec:
    """How the extra positional arguments map onto the flat parameter vector.

    ``static``: which extra arguments were declared static whatever their type;
    ``values``: the flat parameter vector at trace time (used when a call passes x only).
    """

    structure: tuple
    statics: tuple
    shapes: tuple[tuple[int, ...], ...]
    values: np.ndarray

    @property
    def size(self) -> int:
        return int(self.values.size)

    @classmethod
    def of(cls, args: tuple, static: frozenset[int] = frozenset()) -> ParamSpec:
        """The spec of ``args``; arguments whose index is in ``static`` are static."""
        leaves: list = []
        statics: list = []
        structure = []
        for i, a in enumerate(args):
            if i in static:
                statics.append(a)
                structure.append(("static", len(statics) - 1))
            else:
                structure.append(_structure(a, leaves, statics))
        values = np.concatenate([leaf.ravel() for leaf in leaves]) if leaves else np.zeros(0)
        values.setflags(write=False)
        return cls(tuple(structure), tuple(statics), tuple(v.shape for v in leaves), values)

    def flatten(self, args: tuple) -> np.ndarray:
        """The parameter vector of ``args``, after checking they fit this spec."""
        if len(args) != len(self.structure):
            raise InputError(
                f"asd: the function was traced with {len(self.structure)} argument(s) besides "
                f"x, this call passes {len(args)}"
            )
        leaves: list = []
        statics: list = []
        for s, a in zip(self.structure, args):
            _collect(s, a, leaves, statics)
        for u, v in zip(self.statics, statics):
            if not _equal(u, v):
                raise InputError(
                    f"asd: a static argument (a {type(u).__name__}) differs from the one the "
                    "function was traced with; static values (ints, bools, integer arrays, "
                    "strings, objects) are baked into the tape. Pass it as a float (array) to "
                    "make it a runtime parameter, or prepare a new derivative."
                )
        if not leaves:
            return self.values
        return np.concatenate([leaf.ravel() for leaf in leaves])

    def unflatten(self, values: np.ndarray) -> tuple:
        """The extra arguments with the flat parameter vector ``values`` in place of the
        traced parameters (the inverse of ``flatten``), static values as they were."""
        values = np.asarray(values, dtype=np.float64).ravel()
        if values.size != self.size:
            raise InputError(
                f"asd: {values.size} parameter values given, the function has {self.size}"
            )
        leaves, at = [], 0
        for shape in self.shapes:
            size = int(np.prod(shape, dtype=np.int64))
            leaf = values[at : at + size].reshape(shape)
            leaves.append(float(leaf) if shape == () else leaf.copy())
            at += size
        return self.rebuild(leaves)

    def rebuild(self, leaves: list) -> tuple:
        """The extra arguments with ``leaves`` (traced arrays) in place of the
        parameters, static values as they were."""
        it = iter(leaves)
        return tuple(_rebuild(s, it, self.statics) for s in self.structure)


def _rebuild(s, leaves, statics):
    head = s[0]
    if head == "param":
        return next(leaves)
    if head == "static":
        return statics[s[1]]
    if head is dict:
        return {k: _rebuild(c, leaves, statics) for k, c in zip(s[1], s[2])}
    children = [_rebuild(c, leaves, statics) for c in s[1]]
    if head is list:
        return children
    if head is tuple:
        return tuple(children)
    return head(*children)  # a named tuple
