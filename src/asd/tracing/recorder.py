"""The recorder: appends vectorised blocks of nodes to a tape under construction."""

from __future__ import annotations

import numpy as np

from ..operators.special import NUMPY_HELPERS
from ..operators.table import BY_CODE, CONST, INPUT, LINEAR, OPCODE, PARAM
from ..passes import optimize
from ..tape import Guard, Tape
from . import raw

# numpy versions of the table's value expressions, used for primal values while tracing
_NUMPY_VALUE = {
    op.name: eval(f"lambda a, b, c, p, q: {op.value}", {"np": np, **NUMPY_HELPERS})  # noqa: S307
    for op in BY_CODE
    if op is not None
}


def numpy_value(name: str, a, b=None, c=None, p=0.0, q=0.0) -> np.ndarray:
    """Primal value of operator ``name`` on numpy arrays, exactly as the table defines it."""
    with np.errstate(all="ignore"):
        return _NUMPY_VALUE[name](a, b, c, p, q)


#: argument blocks of at most this many entries are keyed by all their bytes
SMALL = 16


def _fingerprint(v) -> tuple:
    """A cheap key for an argument block: shape, type and all its bytes when it is small
    (equal keys then mean bitwise equal blocks), else its ends and a few samples."""
    arr = raw.asarray(v)
    if arr.size <= SMALL:
        return (arr.shape, arr.dtype.char, arr.tobytes())
    flat = arr.ravel()
    return (
        arr.shape,
        arr.dtype.char,
        flat[:4].tobytes(),
        flat[-4:].tobytes(),
        flat[:: max(1, flat.size // 8)].tobytes(),
    )


def _owned(v):
    """A private flat copy of an array argument (scalars pass through)."""
    if raw.ndim(v) == 0:
        return v
    return raw.array(v, copy=True).ravel()


def _same(u, v) -> bool:
    """Whether two argument blocks with equal fingerprints are equal."""
    u, v = raw.asarray(u), raw.asarray(v)
    return u.size <= SMALL or bool((u == v).all())


class Recorder:
    """Collects nodes in chunks; ``finish`` concatenates them into a :class:`Tape`."""

    def __init__(self, input_shape: tuple[int, ...], mode: str):
        self.mode = mode
        self.input_shape = tuple(input_shape)
        n = int(np.prod(self.input_shape, dtype=np.int64))
        self.n_inputs = n
        self._chunks: list[tuple] = []
        self._lin_chunks: list[tuple[np.ndarray, np.ndarray]] = []
        self.size = 0
        self.lin_size = 0
        self.guards: list[Guard] = []
        self.paths = None  # the decisions of the current run in global mode (paths.py)
        self._consts: dict[int, int] = {}
        self._blocks: dict[tuple, list] = {}
        ar = np.arange(n, dtype=np.int64)
        self._append(INPUT, ar, -1, -1, 0.0, 0.0)
        self.params = None

    def add_params(self, spec) -> np.ndarray:
        """Node ids of the runtime parameters (``ParamSpec``), right after the inputs:
        they read entries ``n_inputs ..`` of the input vector."""
        if self.size != self.n_inputs:
            raise RuntimeError("parameters are recorded before any operation")
        self.params = spec
        ar = self.n_inputs + np.arange(spec.size, dtype=np.int64)
        return self._append(PARAM, ar, -1, -1, 0.0, 0.0)

    # -- low level ----------------------------------------------------------
    def _append(self, code, a, b, c, p, q) -> np.ndarray:
        a = raw.asarray(a, np.int64).ravel()
        n = a.size
        ids = np.arange(self.size, self.size + n, dtype=np.int64)
        self._chunks.append((code, a, b, c, p, q, n))
        self.size += n
        return ids

    def emit(self, name: str, a, b=-1, c=-1, p=0.0, q=0.0) -> np.ndarray:
        """Append one node per element of ``a`` (all arguments already broadcast).

        A block identical to one recorded before (same operator, arguments and
        parameters, e.g. ``u * u`` written twice) is not recorded again.
        """
        code = OPCODE[name]
        # arguments are often views of a traced array's ids, which a later __setitem__
        # mutates: the tape keeps its own copies
        parts = tuple(_owned(v) for v in (raw.asarray(a, np.int64), b, c, p, q))
        key = (code, *(_fingerprint(v) for v in parts))
        for seen, ids in self._blocks.get(key, ()):
            if all(_same(u, v) for u, v in zip(seen, parts)):
                return ids.copy()
        ids = self._append(code, *parts)
        self._blocks.setdefault(key, []).append((parts, ids))
        return ids.copy()

    def emit_linear(self, counts: np.ndarray, idx: np.ndarray, w, bias=0.0) -> np.ndarray:
        """Append ``len(counts)`` linear nodes; node i sums ``counts[i]`` consecutive terms."""
        counts = raw.asarray(counts, np.int64)
        idx = raw.asarray(idx, np.int64).ravel()
        w = raw.broadcast(raw.asarray(w, np.float64), idx.shape)
        keep = w != 0.0
        if not keep.all():  # a zero weight is no dependency at all
            owner = np.repeat(np.arange(counts.size), counts)
            counts = np.bincount(owner[keep], minlength=counts.size).astype(np.int64)
            idx, w = idx[keep], w[keep]
        ends = self.lin_size + counts.cumsum()
        starts = ends - counts
        self._lin_chunks.append((raw.array(idx, copy=True), raw.array(w, np.float64)))
        self.lin_size += idx.size
        return self._append(LINEAR, starts, ends, -1, 0.0, bias)

    def const(self, values) -> np.ndarray:
        """Node ids holding the given constants (one node per distinct value)."""
        values = np.asarray(values, dtype=np.float64)
        uniq, inverse = np.unique(values.ravel(), return_inverse=True)
        if uniq.size and np.isnan(uniq[-1]):  # np.unique keeps every NaN: fold them
            first = np.searchsorted(np.isnan(uniq), True)
            inverse = np.minimum(inverse, first)
            uniq = uniq[: first + 1]
        keys = uniq.view(np.int64)
        ids = np.empty(uniq.size, np.int64)
        missing = []
        for i, key in enumerate(keys.tolist()):
            node = self._consts.get(key)
            if node is None:
                missing.append(i)
            else:
                ids[i] = node
        if missing:
            missing = np.asarray(missing)
            new = self._append(CONST, np.full(missing.size, -1), -1, -1, uniq[missing], 0.0)
            ids[missing] = new
            self._consts.update(zip(keys[missing].tolist(), new.tolist()))
        return ids[inverse].reshape(values.shape)

    def guard(self, nodes: np.ndarray, expected: np.ndarray, where: str) -> None:
        """Record that the trace relied on these nodes holding these values."""
        for node, value in zip(np.ravel(nodes).tolist(), np.ravel(expected).tolist()):
            self.guards.append(Guard(int(node), float(value), where))

    # -- result -------------------------------------------------------------
    def finish(self, outputs: np.ndarray, output_is_mask: bool = False) -> Tape:
        """Concatenate the chunks into a tape, remove dead code and fuse linear chains."""
        N = self.size
        op = np.empty(N, np.int64)
        cat = {"a": np.empty(N, np.int64), "b": np.empty(N, np.int64), "c": np.empty(N, np.int64)}
        cat["p"], cat["q"] = np.empty(N), np.empty(N)
        k = 0
        for code, a, b, c, p, q, n in self._chunks:  # scalars broadcast into the slices
            op[k : k + n] = code
            for key, val in (("a", a), ("b", b), ("c", c), ("p", p), ("q", q)):
                cat[key][k : k + n] = val.ravel() if raw.ndim(val) else val
            k += n
        cat["op"] = op
        if self._lin_chunks:
            lin_idx = np.concatenate([i for i, _ in self._lin_chunks])
            lin_w = np.concatenate([w for _, w in self._lin_chunks])
        else:
            lin_idx, lin_w = np.zeros(0, np.int64), np.zeros(0)
        outputs = raw.asarray(outputs, np.int64)
        tape = Tape(
            cat["op"],
            cat["a"],
            cat["b"],
            cat["c"],
            cat["p"],
            cat["q"],
            lin_idx,
            lin_w,
            outputs.ravel(),
            self.input_shape,
            tuple(outputs.shape),
            tuple(self.guards),
            output_is_mask,
            self.params,
        )
        return optimize(tape, owned=True)
