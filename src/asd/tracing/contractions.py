"""Contractions on traced arrays: ``einsum`` (any subscripts: traces, diagonals, batch
dimensions, ellipsis, implicit output), ``tensordot vdot kron diag diagflat``, ``matmul``
and ``dot`` on stacks. Each is one vectorised composition of table operators: the
traced operands are aligned on the full index space (a repeated index within one
operand is a diagonal: structural), multiplied elementwise (``mul`` nodes, one block
per traced operand beyond the first), and summed over the contracted indices with the
product of the constant operands as weights (one n-ary ``linear`` node per output
element; zero weights are no dependency). Values come from numpy's own ``einsum``.
"""

from __future__ import annotations

import math
import string

import numpy as np

from ..errors import UnsupportedFunctionError
from .tracer import TracedArray, apply, find_recorder, lift

_einsum = np.einsum  # numpy's own, for values and structure


def _parse(subscripts: str, shapes: list[tuple]) -> tuple[list[str], str]:
    subs = subscripts.replace(" ", "")
    ins, out = subs.split("->") if "->" in subs else (subs, None)
    terms = ins.split(",")
    if len(terms) != len(shapes):
        raise ValueError(f"einsum: {len(terms)} operand subscript(s) for {len(shapes)} operand(s)")
    used = set(subs) - set(".,->")
    pool = [c for c in string.ascii_letters if c not in used]
    n_ell = max(
        [len(s) - len(t.replace("...", "")) for t, s in zip(terms, shapes) if "..." in t] or [0]
    )
    ell = "".join(pool[:n_ell])
    full_terms = []
    for t, s in zip(terms, shapes):
        if "..." in t:
            k = len(s) - len(t.replace("...", ""))
            t = t.replace("...", ell[n_ell - k :] if k else "")
        if len(t) != len(s):
            raise ValueError(
                f"einsum: operand subscripts '{t}' do not match an operand of shape {s}"
            )
        full_terms.append(t)
    if out is None:
        counts = {}
        for t in full_terms:
            for c in t:
                counts[c] = counts.get(c, 0) + 1
        out = ell + "".join(sorted(c for c, k in counts.items() if k == 1 and c not in ell))
    else:
        out = out.replace("...", ell)
    return full_terms, out


def _interleaved(args):
    """``einsum(op0, sub0, op1, sub1, ..., [subout])`` as a subscript string."""
    ops, subs = list(args[0::2]), list(args[1::2])
    out = None
    if len(ops) > len(subs):  # the last operand is the output sublist
        out = ops.pop()

    def letters(sub):
        return "".join("..." if s is Ellipsis else string.ascii_letters[int(s)] for s in sub)

    text = ",".join(letters(s) for s in subs)
    if out is not None:
        text += "->" + letters(out)
    return text, ops


def einsum(*operands, out=None, optimize=False, dtype=None, **kwargs):
    if out is not None:
        raise UnsupportedFunctionError("np.einsum with out=", "Assign the result instead.")
    if isinstance(operands[0], str):
        subscripts, ops = operands[0], list(operands[1:])
    else:
        subscripts, ops = _interleaved(operands)
    rec = find_recorder(ops)
    ops = [o if isinstance(o, TracedArray) else np.asarray(o) for o in ops]
    for o in ops:
        if not isinstance(o, TracedArray) and o.dtype.kind not in "biuf":
            lift(rec, o)  # asd's error for complex / object constants
    terms, out_term = _parse(subscripts, [o.shape for o in ops])
    # sizes of every index, checking numpy's broadcasting rule
    sizes: dict[str, int] = {}
    for t, o in zip(terms, ops):
        for c, s in zip(t, o.shape):
            prev = sizes.get(c)
            if prev is None or prev == 1:
                sizes[c] = s
            elif s not in (1, prev):
                raise ValueError(
                    f"einsum: operands could not be broadcast together: index '{c}' has "
                    f"sizes {prev} and {s}"
                )
    for c in out_term:
        if c not in sizes:
            raise ValueError(f"einsum: output subscript '{c}' does not appear in the input")
    contracted = [c for c in sizes if c not in out_term]
    order = list(out_term) + contracted
    full_shape = tuple(sizes[c] for c in order)
    value = _einsum(
        ",".join(terms) + "->" + out_term,
        *[o.val.astype(np.float64) if isinstance(o, TracedArray) else o for o in ops],
    ).astype(np.float64)

    def aligned(arr, term):
        # diagonal of repeated indices (structural), then axes in the full order
        uniq = "".join(dict.fromkeys(term))
        if uniq != term:
            arr = _einsum(f"{term}->{uniq}", arr)
        srt = sorted(uniq, key=order.index)
        arr = np.transpose(arr, [uniq.index(c) for c in srt])
        return arr.reshape(tuple(arr.shape[srt.index(c)] if c in srt else 1 for c in order))

    weight = np.ones(())
    traced = []
    for t, o in zip(terms, ops):
        if isinstance(o, TracedArray):
            traced.append(TracedArray(rec, aligned(o.ids, t), aligned(o.val, t)))
        else:
            weight = weight * aligned(o.astype(np.float64), t)
    prod = traced[0]
    for t in traced[1:]:
        prod = apply("mul", prod, t)
    out_shape = full_shape[: len(out_term)]
    m, k = math.prod(out_shape), math.prod(full_shape[len(out_term) :])
    if k == 1 and weight.ndim == 0 and weight == 1.0:  # no sum, no constant: structural
        ids = np.array(np.broadcast_to(prod.ids, full_shape)).reshape(out_shape)
        return TracedArray(rec, ids, value.reshape(out_shape))
    ids = np.broadcast_to(prod.ids, full_shape).reshape(m, k)
    w = np.broadcast_to(weight, full_shape).reshape(m, k)
    new = rec.emit_linear(np.full(m, k), ids.ravel(), w.ravel())
    return TracedArray(rec, new.reshape(out_shape), value.reshape(out_shape))


def tensordot(a, b, axes=2):
    na, nb = np.ndim(a), np.ndim(b)
    if isinstance(axes, int | np.integer):
        ax_a, ax_b = list(range(na - int(axes), na)), list(range(int(axes)))
    else:
        ax_a, ax_b = axes
        ax_a = [ax_a] if isinstance(ax_a, int | np.integer) else list(ax_a)
        ax_b = [ax_b] if isinstance(ax_b, int | np.integer) else list(ax_b)
    if len(ax_a) != len(ax_b):
        raise ValueError("tensordot: shape-mismatch for sum")
    ax_a, ax_b = [int(i) % na for i in ax_a], [int(i) % nb for i in ax_b]
    letters = iter(string.ascii_letters)
    ta = [next(letters) for _ in range(na)]
    tb = [next(letters) for _ in range(nb)]
    for i, j in zip(ax_a, ax_b):
        tb[j] = ta[i]
    out = [c for i, c in enumerate(ta) if i not in ax_a] + [
        c for j, c in enumerate(tb) if j not in ax_b
    ]
    return einsum(f"{''.join(ta)},{''.join(tb)}->{''.join(out)}", a, b)


def vdot(a, b):
    return einsum("i,i->", np.ravel(a), np.ravel(b))


def kron(a, b):
    nd = max(np.ndim(a), np.ndim(b))
    a = np.reshape(a, (1,) * (nd - np.ndim(a)) + np.shape(a))
    b = np.reshape(b, (1,) * (nd - np.ndim(b)) + np.shape(b))
    la, lb = string.ascii_letters[:nd], string.ascii_letters[nd : 2 * nd]
    out = "".join(x + y for x, y in zip(la, lb))
    shape = tuple(sa * sb for sa, sb in zip(np.shape(a), np.shape(b)))
    return np.reshape(einsum(f"{la},{lb}->{out}", a, b), shape)


def diag(v, k=0):
    v = lift(find_recorder([v]), v)
    if v.ndim == 2:
        return np.diagonal(v, k)
    if v.ndim != 1:
        raise ValueError("Input must be 1- or 2-d.")
    ids = np.diag(v.ids + 1, k) - 1  # -1 off the diagonal
    ids[ids < 0] = v.rec.const(0.0)
    return TracedArray(v.rec, ids, np.diag(v.val.astype(np.float64), k))


def diagflat(v, k=0):
    return diag(np.ravel(v), k)


def matmul_nd(a, b):
    """``a @ b`` where an operand has ndim > 2: a batched contraction."""
    va, vb = np.ndim(a) == 1, np.ndim(b) == 1
    out = einsum(
        "...ij,...jk->...ik",
        np.reshape(a, (1, -1)) if va else a,
        np.reshape(b, (-1, 1)) if vb else b,
    )
    if va:
        out = out[..., 0, :]
    if vb:
        out = out[..., 0]
    return out


def dot_nd(a, b):
    """``np.dot`` with an operand of ndim > 2: sum over a's last and b's second-to-last
    axis."""
    return tensordot(a, b, axes=([-1], [-2 if np.ndim(b) > 1 else 0]))


def inner_nd(a, b):
    return tensordot(a, b, axes=([-1], [-1]))


CONTRACTIONS = {
    np.einsum: einsum,
    np.tensordot: tensordot,
    np.vdot: vdot,
    np.kron: kron,
    np.diag: diag,
    np.diagflat: diagflat,
}
