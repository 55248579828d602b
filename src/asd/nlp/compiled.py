"""Ipopt callbacks compiled by Numba (``@cfunc``): no Python between Ipopt and the kernels.

Ipopt's C interface calls plain C functions with a ``user_data`` pointer. Here that
pointer is the address of a table of (address, length, columns) triples, one per array
an evaluation reads or writes: the tape, the direct Jacobian and Hessian plans (or the
seeds and gather of a coloured Hessian), per-solve work buffers and a ``state`` array
(error flag, non-finite records, time and count per callback). The ``cfunc``s rebuild
the arrays from the table with ``numba.carray`` and call the same generated kernels
and accumulation loops the Python path uses, so values are bit for bit the same.

The callbacks live in a module generated next to the kernel module (same cache folder)
and named by a hash of its own text, the kernel module's name and the source of the
asd loops it calls; Numba's on-disk cache then holds their machine code, and a change
to any of them gives a new module instead of stale code.

A derivative with a NaN or inf is recorded (first index and value) and stops Ipopt at
its next iteration, like the Python path; a non-finite objective or constraint value is
recorded and handed to Ipopt, which backtracks.
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import os
import sys
import threading
from types import ModuleType

import numpy as np

#: callback codes, as stored in the state array
CALLBACKS = ("objective", "constraints", "gradient", "jacobian", "hessian")

# state array layout
ERR, BAD_COUNT, BAD_INDEX, BAD_VALUE = 0, 1, 2, 3
SECONDS = 4  # + code - 1
CALLS = 9  # + code - 1
NREC = 14
REC = 16  # records of non-finite values / constraints: (code, count, index, value)
MAX_RECORDS = 64
STATE_SIZE = REC + 4 * MAX_RECORDS

#: the table's slots: name -> (dtype, ndim, readonly); readonly matches what the Python
#: path passes, so the kernels' cached specialisations are reused
SLOTS = {
    "seg_ptr": ("int64", 1, False),
    "seg_op": ("int64", 1, False),
    "a": ("int64", 1, True),
    "b": ("int64", 1, True),
    "c": ("int64", 1, True),
    "p": ("float64", 1, True),
    "q": ("float64", 1, True),
    "lin_idx": ("int64", 1, True),
    "lin_w": ("float64", 1, True),
    "outputs": ("int64", 1, True),
    "xin": ("float64", 1, False),
    "val": ("float64", 1, False),
    "bar": ("float64", 1, False),
    "state": ("float64", 1, False),
    "clock": ("int64", 1, False),
    "empty": ("float64", 1, False),
    "weights": ("float64", 1, False),
    "j_rows": ("int32", 1, False),
    "j_cols": ("int32", 1, False),
    "j_lo": ("int64", 1, False),
    "j_hi": ("int64", 1, False),
    "j_cbase": ("int64", 1, False),
    "j_coef": ("float64", 1, False),
    "j_dst": ("uint32", 1, False),
    "j_src": ("uint32", 1, False),
    "j_cix": ("uint32", 1, False),
    "j_ridx": ("uint32", 1, False),
    "j_rval": ("float64", 1, False),
    "j_gv": ("float64", 1, False),
    "j_gather": ("int64", 1, False),
    "h_rows": ("int32", 1, False),
    "h_cols": ("int32", 1, False),
    "hn_lo": ("int64", 1, False),
    "hn_hi": ("int64", 1, False),
    "hn_cbase": ("int64", 1, False),
    "hg_lo": ("int64", 1, False),
    "hg_hi": ("int64", 1, False),
    "hg_cbase": ("int64", 1, False),
    "hg_coef": ("float64", 1, False),
    "hg_dst": ("uint32", 1, False),
    "hg_src": ("uint32", 1, False),
    "hg_cix": ("uint32", 1, False),
    "hg_ridx": ("uint32", 1, False),
    "hg_rval": ("float64", 1, False),
    "hg_gv": ("float64", 1, False),
    "h_slot": ("int32", 2, False),
    "h_coef": ("float64", 1, False),
    "h_pos": ("uint32", 1, False),
    "h_src1": ("uint32", 1, False),
    "h_src2": ("uint32", 1, False),
    "h_hs": ("uint32", 1, False),
    "hc_seeds": ("float64", 2, False),
    "hc_dot": ("float64", 2, False),
    "hc_bdot": ("float64", 2, False),
    "hc_bdot_flat": ("float64", 1, False),
    "hc_gather": ("int64", 1, False),
    # integers: n, m, n_inputs + n_params, jac outputs_first, jac nnz, hessian mode, h nnz
    "ints": ("int64", 1, False),
}
SLOT = {name: i for i, name in enumerate(SLOTS)}
INTS = ("n", "m", "nin", "j_first", "j_nnz", "h_mode", "h_nnz")
H_MODES = {"empty": 0, "direct": 1, "colored": 2}

_BODY = '''
@intrinsic
def _voidptr(typingctx, addr):
    def codegen(context, builder, sig, args):
        return builder.inttoptr(args[0], cgutils.voidptr_t)

    return types.voidptr(addr), codegen


@intrinsic
def _address(typingctx, ptr):
    def codegen(context, builder, sig, args):
        return builder.ptrtoint(args[0], cgutils.intp_t)

    return types.intp(ptr), codegen


@intrinsic
def _readonly(typingctx, arr):
    ro = arr.copy(readonly=True)

    def codegen(context, builder, sig, args):
        return impl_ret_borrowed(context, builder, sig.return_type, args[0])

    return ro(arr), codegen


_clock_gettime = types.ExternalFunction("clock_gettime", types.int32(types.int32, types.voidptr))


@njit(inline="always")
def _arr1(t, s, dtype):
    return carray(_voidptr(t[3 * s]), (t[3 * s + 1],), dtype)


@njit(inline="always")
def _arr2(t, s, dtype):
    return carray(_voidptr(t[3 * s]), (t[3 * s + 1], t[3 * s + 2]), dtype)


@njit(inline="always")
def _table(ud):
    return carray(ud, (3 * NSLOTS,), np.int64)


@njit
def _now(t):
    ts = _arr1(t, S_clock, np.int64)
    if CLOCK < 0:
        return 0.0
    _clock_gettime(CLOCK, _voidptr(_address(ts.ctypes.data)))
    return ts[0] + 1e-9 * ts[1]


@njit
def _done(t, code, t0):
    st = _arr1(t, S_state, np.float64)
    st[SECONDS + code - 1] += _now(t) - t0
    st[CALLS + code - 1] += 1.0


@njit
def _record(st, code, out):
    """Count the non-finite entries of a value callback's result; keep the first."""
    bad = 0
    first = -1
    for i in range(out.shape[0]):
        if not np.isfinite(out[i]):
            bad += 1
            if first < 0:
                first = i
    if bad == 0:
        return
    k = int(st[NREC])
    if k < MAX_RECORDS:
        st[REC + 4 * k] = code
        st[REC + 4 * k + 1] = bad
        st[REC + 4 * k + 2] = first
        st[REC + 4 * k + 3] = out[first]
    st[NREC] = k + 1


@njit
def _check(st, code, out):
    """A derivative: the first one with NaN / inf sets the error and stops Ipopt."""
    bad = 0
    first = -1
    for i in range(out.shape[0]):
        if not np.isfinite(out[i]):
            bad += 1
            if first < 0:
                first = i
    if bad and st[ERR] == 0:
        st[ERR] = code
        st[BAD_COUNT] = bad
        st[BAD_INDEX] = first
        st[BAD_VALUE] = out[first]


@njit
def _values(t, n, x):
    """Node values at x (the parameters stay where they were put, after x)."""
    xin = _arr1(t, S_xin, np.float64)
    for i in range(n):
        xin[i] = x[i]
    val = _arr1(t, S_val, np.float64)
    values(
        _arr1(t, S_seg_ptr, np.int64),
        _arr1(t, S_seg_op, np.int64),
        _readonly(_arr1(t, S_a, np.int64)),
        _readonly(_arr1(t, S_b, np.int64)),
        _readonly(_arr1(t, S_c, np.int64)),
        _readonly(_arr1(t, S_p, np.float64)),
        _readonly(_arr1(t, S_q, np.float64)),
        _readonly(_arr1(t, S_lin_idx, np.int64)),
        _readonly(_arr1(t, S_lin_w, np.float64)),
        xin,
        val,
    )
    return val


@njit
def _partials(t, lo, hi, cbase, x, coef, with_values):
    direct_partials(
        _arr1(t, S_seg_op, np.int64),
        lo,
        hi,
        cbase,
        _readonly(_arr1(t, S_a, np.int64)),
        _readonly(_arr1(t, S_b, np.int64)),
        _readonly(_arr1(t, S_c, np.int64)),
        _readonly(_arr1(t, S_p, np.float64)),
        _readonly(_arr1(t, S_q, np.float64)),
        _readonly(_arr1(t, S_lin_idx, np.int64)),
        _readonly(_arr1(t, S_lin_w, np.float64)),
        x,
        _arr1(t, S_val, np.float64),
        coef,
        with_values,
    )


@njit
def _reverse(t, bar):
    adjoint_vector(
        _arr1(t, S_seg_ptr, np.int64),
        _arr1(t, S_seg_op, np.int64),
        _readonly(_arr1(t, S_a, np.int64)),
        _readonly(_arr1(t, S_b, np.int64)),
        _readonly(_arr1(t, S_c, np.int64)),
        _readonly(_arr1(t, S_p, np.float64)),
        _readonly(_arr1(t, S_q, np.float64)),
        _readonly(_arr1(t, S_lin_idx, np.int64)),
        _readonly(_arr1(t, S_lin_w, np.float64)),
        _arr1(t, S_val, np.float64),
        bar,
    )


@njit
def _seed(t, bar, w):
    outputs = _arr1(t, S_outputs, np.int64)
    bar[:] = 0.0
    for i in range(outputs.shape[0]):
        bar[outputs[i]] += w[i]


@njit
def _copy_structure(t, s_rows, s_cols, nele, irow, jcol):
    rows = _arr1(t, s_rows, np.int32)
    cols = _arr1(t, s_cols, np.int32)
    ir = carray(irow, (nele,))
    jc = carray(jcol, (nele,))
    for i in range(nele):
        ir[i] = rows[i]
        jc[i] = cols[i]


SIG_F = types.int32(
    types.int32, types.CPointer(types.float64), types.uint8, types.CPointer(types.float64),
    types.voidptr,
)
SIG_G = types.int32(
    types.int32, types.CPointer(types.float64), types.uint8, types.int32,
    types.CPointer(types.float64), types.voidptr,
)
SIG_JAC = types.int32(
    types.int32, types.CPointer(types.float64), types.uint8, types.int32, types.int32,
    types.CPointer(types.int32), types.CPointer(types.int32), types.CPointer(types.float64),
    types.voidptr,
)
SIG_H = types.int32(
    types.int32, types.CPointer(types.float64), types.uint8, types.float64, types.int32,
    types.CPointer(types.float64), types.uint8, types.int32, types.CPointer(types.int32),
    types.CPointer(types.int32), types.CPointer(types.float64), types.voidptr,
)


@cfunc(SIG_F, cache=True)
def eval_f(n, x, new_x, obj, ud):
    t = _table(ud)
    t0 = _now(t)
    st = _arr1(t, S_state, np.float64)
    if st[ERR] != 0:
        obj[0] = np.nan
        return 1
    val = _values(t, n, carray(x, (n,)))
    out = carray(obj, (1,))
    out[0] = val[_arr1(t, S_outputs, np.int64)[0]]
    _record(st, 1, out)
    _done(t, 1, t0)
    return 1


@cfunc(SIG_G, cache=True)
def eval_g(n, x, new_x, m, g, ud):
    t = _table(ud)
    t0 = _now(t)
    st = _arr1(t, S_state, np.float64)
    out = carray(g, (m,))
    if st[ERR] != 0:
        out[:] = 0.0
        return 1
    val = _values(t, n, carray(x, (n,)))
    outputs = _arr1(t, S_outputs, np.int64)
    for i in range(m):
        out[i] = val[outputs[i + 1]]
    _record(st, 2, out)
    _done(t, 2, t0)
    return 1


@cfunc(SIG_F, cache=True)
def eval_grad_f(n, x, new_x, grad, ud):
    t = _table(ud)
    t0 = _now(t)
    st = _arr1(t, S_state, np.float64)
    out = carray(grad, (n,))
    if st[ERR] != 0:
        out[:] = 0.0
        return 1
    _values(t, n, carray(x, (n,)))
    bar = _arr1(t, S_bar, np.float64)
    w = _arr1(t, S_weights, np.float64)
    w[:] = 0.0
    w[0] = 1.0
    _seed(t, bar, w)
    _reverse(t, bar)
    for i in range(n):
        out[i] = bar[i]
    _check(st, 3, out)
    _done(t, 3, t0)
    return 1


@cfunc(SIG_JAC, cache=True)
def eval_jac_g(n, x, new_x, m, nele, irow, jcol, vals, ud):
    t = _table(ud)
    if _address(vals) == 0:
        _copy_structure(t, S_j_rows, S_j_cols, nele, irow, jcol)
        return 1
    t0 = _now(t)
    st = _arr1(t, S_state, np.float64)
    out = carray(vals, (nele,))
    if st[ERR] != 0:
        out[:] = 0.0
        return 1
    xin = _arr1(t, S_xin, np.float64)
    xs = carray(x, (n,))
    for i in range(n):
        xin[i] = xs[i]
    coef = _arr1(t, S_j_coef, np.float64)
    _partials(
        t,
        _arr1(t, S_j_lo, np.int64),
        _arr1(t, S_j_hi, np.int64),
        _arr1(t, S_j_cbase, np.int64),
        xin,
        coef,
        True,
    )
    gv = _arr1(t, S_j_gv, np.float64)
    _reset(gv, _arr1(t, S_j_ridx, np.uint32), _arr1(t, S_j_rval, np.float64))
    _accumulate(
        gv,
        coef,
        _arr1(t, S_j_dst, np.uint32),
        _arr1(t, S_j_src, np.uint32),
        _arr1(t, S_j_cix, np.uint32),
    )
    ints = _arr1(t, S_ints, np.int64)
    if ints[3]:
        for i in range(nele):
            out[i] = gv[i]
    else:
        gather = _arr1(t, S_j_gather, np.int64)
        for i in range(nele):
            out[i] = gv[gather[i]]
    _check(st, 4, out)
    _done(t, 4, t0)
    return 1


@njit
def _direct_hessian(t, n, x, out):
    xin = _arr1(t, S_xin, np.float64)
    for i in range(n):
        xin[i] = x[i]
    empty = _arr1(t, S_empty, np.float64)
    _partials(
        t,
        _arr1(t, S_hn_lo, np.int64),
        _arr1(t, S_hn_hi, np.int64),
        _arr1(t, S_hn_cbase, np.int64),
        xin,
        empty,
        True,
    )
    coef = _arr1(t, S_hg_coef, np.float64)
    _partials(
        t,
        _arr1(t, S_hg_lo, np.int64),
        _arr1(t, S_hg_hi, np.int64),
        _arr1(t, S_hg_cbase, np.int64),
        empty,
        coef,
        False,
    )
    gv = _arr1(t, S_hg_gv, np.float64)
    _reset(gv, _arr1(t, S_hg_ridx, np.uint32), _arr1(t, S_hg_rval, np.float64))
    _accumulate(
        gv,
        coef,
        _arr1(t, S_hg_dst, np.uint32),
        _arr1(t, S_hg_src, np.uint32),
        _arr1(t, S_hg_cix, np.uint32),
    )
    bar = _arr1(t, S_bar, np.float64)
    _seed(t, bar, _arr1(t, S_weights, np.float64))
    _reverse(t, bar)
    hcoef = _arr1(t, S_h_coef, np.float64)
    second_coefs(
        _arr1(t, S_seg_ptr, np.int64),
        _arr1(t, S_seg_op, np.int64),
        _readonly(_arr1(t, S_a, np.int64)),
        _readonly(_arr1(t, S_b, np.int64)),
        _readonly(_arr1(t, S_c, np.int64)),
        _readonly(_arr1(t, S_p, np.float64)),
        _readonly(_arr1(t, S_q, np.float64)),
        _readonly(_arr1(t, S_lin_idx, np.int64)),
        _readonly(_arr1(t, S_lin_w, np.float64)),
        _arr1(t, S_val, np.float64),
        bar,
        _arr2(t, S_h_slot, np.int32),
        hcoef,
    )
    _accumulate_hessian(
        out,
        hcoef,
        gv,
        _arr1(t, S_h_pos, np.uint32),
        _arr1(t, S_h_src1, np.uint32),
        _arr1(t, S_h_src2, np.uint32),
        _arr1(t, S_h_hs, np.uint32),
    )


@njit
def _colored_hessian(t, n, x, out):
    val = _values(t, n, x)
    tp = (
        _arr1(t, S_seg_ptr, np.int64),
        _arr1(t, S_seg_op, np.int64),
        _readonly(_arr1(t, S_a, np.int64)),
        _readonly(_arr1(t, S_b, np.int64)),
        _readonly(_arr1(t, S_c, np.int64)),
        _readonly(_arr1(t, S_p, np.float64)),
        _readonly(_arr1(t, S_q, np.float64)),
        _readonly(_arr1(t, S_lin_idx, np.int64)),
        _readonly(_arr1(t, S_lin_w, np.float64)),
    )
    dot = _arr2(t, S_hc_dot, np.float64)
    tangents(*tp, val, _arr2(t, S_hc_seeds, np.float64), dot)
    bar = _arr1(t, S_bar, np.float64)
    _seed(t, bar, _arr1(t, S_weights, np.float64))
    bdot = _arr2(t, S_hc_bdot, np.float64)
    bdot[:] = 0.0
    hvp_reverse(*tp, val, dot, bar, bdot)
    flat = _arr1(t, S_hc_bdot_flat, np.float64)
    gather = _arr1(t, S_hc_gather, np.int64)
    for i in range(out.shape[0]):
        out[i] = flat[gather[i]]


@cfunc(SIG_H, cache=True)
def eval_h(n, x, new_x, obj_factor, m, lam, new_lam, nele, irow, jcol, vals, ud):
    t = _table(ud)
    if _address(vals) == 0:
        _copy_structure(t, S_h_rows, S_h_cols, nele, irow, jcol)
        return 1
    t0 = _now(t)
    st = _arr1(t, S_state, np.float64)
    out = carray(vals, (nele,))
    if st[ERR] != 0:
        out[:] = 0.0
        return 1
    w = _arr1(t, S_weights, np.float64)
    w[0] = obj_factor
    lm = carray(lam, (m,))
    for i in range(m):
        w[i + 1] = lm[i]
    for i in range(m + 1):
        if not np.isfinite(w[i]):
            if st[ERR] == 0:
                st[ERR] = 5
                st[BAD_COUNT] = 0
                st[BAD_INDEX] = -1
                st[BAD_VALUE] = w[i]
            out[:] = 0.0
            return 1
    mode = _arr1(t, S_ints, np.int64)[5]
    if mode == 1:
        _direct_hessian(t, n, carray(x, (n,)), out)
    elif mode == 2:
        _colored_hessian(t, n, carray(x, (n,)), out)
    _check(st, 5, out)
    _done(t, 5, t0)
    return 1
'''


def _header(kernel_module: str) -> str:
    clock = {"linux": 1, "darwin": 6}.get(sys.platform, -1)
    consts = "\n".join(f"S_{name} = {i}" for i, name in enumerate(SLOTS))
    return f'''"""Generated by asd.nlp.compiled: Ipopt callbacks as Numba cfuncs."""

import numpy as np
from numba import carray, cfunc, njit, types
from numba.core import cgutils
from numba.core.imputils import impl_ret_borrowed
from numba.extending import intrinsic

from asd.evaluation.direct import _accumulate, _reset
from asd.evaluation.direct_hessian import _accumulate_hessian
from {kernel_module} import (
    adjoint_vector,
    direct_partials,
    hvp_reverse,
    second_coefs,
    tangents,
    values,
)

NSLOTS = {len(SLOTS)}
{consts}
ERR, BAD_COUNT, BAD_INDEX, BAD_VALUE = {ERR}, {BAD_COUNT}, {BAD_INDEX}, {BAD_VALUE}
SECONDS, CALLS, NREC, REC, MAX_RECORDS = {SECONDS}, {CALLS}, {NREC}, {REC}, {MAX_RECORDS}
CLOCK = {clock}
'''


def callback_source(kernel_module: str) -> str:
    """The generated module's text for the kernel module named ``kernel_module``."""
    return _header(kernel_module) + _BODY


_module: ModuleType | None = None
_lock = threading.Lock()


def callbacks() -> ModuleType:
    """The module of compiled callbacks (written and imported once per process)."""
    global _module
    if _module is not None:
        return _module
    with _lock:
        if _module is None:
            _module = _load()
    return _module


def _load() -> ModuleType:
    from ..evaluation import direct, direct_hessian
    from ..operators.codegen import _cache_dir, kernels

    kmod = kernels()
    src = callback_source(kmod.__name__)
    deps = inspect.getsource(direct) + inspect.getsource(direct_hessian)
    digest = hashlib.sha256((src + deps).encode()).hexdigest()[:16]
    name = f"asd_ipopt_callbacks_{digest}"
    if name in sys.modules:
        return sys.modules[name]
    path = _cache_dir() / f"{name}.py"
    if not path.exists() or path.read_text() != src:
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(src)
        os.replace(tmp, path)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def supported(nlp) -> str | None:
    """Why ``nlp`` cannot use compiled callbacks (a sentence), or None when it can."""
    from .problem import NLP

    for name in CALLBACKS:
        if name in vars(nlp) or getattr(type(nlp), name) is not getattr(NLP, name):
            return f"its {name} method is replaced (the replacement is Python)"
    if nlp.tape.guards:
        return "its tape has guards (local mode)"
    if nlp.hessian_engine.plan() is None:
        return "its Hessian colouring is recovered by substitution (acyclic)"
    return None


class CompiledCallbacks:
    """The table and buffers of one solve: ``user_data`` for the cfuncs, the callbacks'
    addresses, and after the solve the errors, records and timings they left."""

    def __init__(self, nlp):
        self.module = callbacks()
        self.n, self.m = nlp.n, nlp.m
        tape = nlp.tape
        arrays: dict[str, np.ndarray] = {}
        for name in ("seg_ptr", "seg_op", "a", "b", "c", "p", "q", "lin_idx", "lin_w", "outputs"):
            arrays[name] = getattr(tape, name)
        xin = np.empty(tape.n_inputs + tape.n_params)
        if tape.n_params:
            xin[tape.n_inputs :] = tape.params.values if nlp._params is None else nlp._params
        arrays["xin"] = xin
        arrays["val"] = np.zeros(tape.n_nodes)
        arrays["bar"] = np.zeros(tape.n_nodes)
        self.state = arrays["state"] = np.zeros(STATE_SIZE)
        arrays["clock"] = np.zeros(2, np.int64)
        arrays["empty"] = np.empty(0)
        arrays["weights"] = np.zeros(self.m + 1)
        jr, jc = nlp.jacobianstructure()
        arrays["j_rows"], arrays["j_cols"] = jr.astype(np.int32), jc.astype(np.int32)
        jp = nlp._jac.plan()
        self._direct_jacobian("j", jp, arrays)
        hr, hc = nlp.hessianstructure()
        arrays["h_rows"], arrays["h_cols"] = hr.astype(np.int32), hc.astype(np.int32)
        hp = nlp.hessian_engine.plan()
        if hp["mode"] == "direct":
            arrays["hn_lo"], arrays["hn_hi"], arrays["hn_cbase"] = hp["needed"]
            self._direct_jacobian("hg", hp["grad"], arrays)
            arrays["h_slot"] = hp["hslot"]
            arrays["h_coef"] = np.zeros(hp["nslot"])
            for key, arr in zip(("h_pos", "h_src1", "h_src2", "h_hs"), hp["stream"]):
                arrays[key] = arr
        elif hp["mode"] == "colored":
            seeds = hp["seeds"]
            arrays["hc_seeds"] = seeds
            arrays["hc_dot"] = np.zeros((tape.n_nodes, seeds.shape[1]))
            arrays["hc_bdot"] = np.zeros((tape.n_nodes, seeds.shape[1]))
            arrays["hc_bdot_flat"] = arrays["hc_bdot"].reshape(-1)
            arrays["hc_gather"] = hp["gather"]
        ints = {
            "n": self.n,
            "m": self.m,
            "nin": xin.size,
            "j_first": int(jp["outputs_first"]),
            "j_nnz": jp["nnz"],
            "h_mode": H_MODES[hp["mode"]],
            "h_nnz": hr.size,
        }
        arrays["ints"] = np.array([ints[k] for k in INTS], np.int64)
        self.table, self._keep = _table(arrays)
        mod = self.module
        self.addresses = {
            "eval_f": mod.eval_f.address,
            "eval_g": mod.eval_g.address,
            "eval_grad_f": mod.eval_grad_f.address,
            "eval_jac_g": mod.eval_jac_g.address,
            "eval_h": mod.eval_h.address,
        }

    @staticmethod
    def _direct_jacobian(prefix: str, plan: dict, arrays: dict) -> None:
        arrays[f"{prefix}_lo"], arrays[f"{prefix}_hi"], arrays[f"{prefix}_cbase"] = plan["ranges"]
        arrays[f"{prefix}_coef"] = plan["coef"].copy()
        dst, src, cix = plan["stream"]
        arrays[f"{prefix}_dst"], arrays[f"{prefix}_src"], arrays[f"{prefix}_cix"] = dst, src, cix
        arrays[f"{prefix}_ridx"], arrays[f"{prefix}_rval"] = plan["reset"]
        arrays[f"{prefix}_gv"] = plan["gv0"].copy()
        if prefix == "j":
            arrays["j_gather"] = plan["gather"]

    @property
    def user_data(self) -> int:
        return int(self.table.ctypes.data)

    def error(self) -> tuple[str, str] | None:
        """(callback name, message) of the first non-finite derivative, or None."""
        st = self.state
        code = int(st[ERR])
        if code == 0:
            return None
        name = CALLBACKS[code - 1]
        if st[BAD_INDEX] < 0:
            return name, "asd: the Lagrange multipliers or σ contain NaN / inf"
        return name, (
            f"asd: the {name} callback produced {int(st[BAD_COUNT])} non-finite value(s) "
            f"(first at index {int(st[BAD_INDEX])}: {st[BAD_VALUE]}); Ipopt cannot use it, "
            "stopping."
        )

    def nan_values(self) -> list[str]:
        """One message per objective / constraint evaluation that was not finite."""
        st = self.state
        out = []
        for k in range(min(int(st[NREC]), MAX_RECORDS)):
            code, bad, first, value = st[REC + 4 * k : REC + 4 * k + 4]
            out.append(
                f"asd: the {CALLBACKS[int(code) - 1]} callback produced {int(bad)} "
                f"non-finite value(s) (first at index {int(first)}: {value})"
            )
        if int(st[NREC]) > MAX_RECORDS:
            out.append(f"asd: ... {int(st[NREC]) - MAX_RECORDS} more such evaluations")
        return out

    def timings(self) -> tuple[dict, dict]:
        """(seconds, calls) per callback that ran."""
        st = self.state
        seconds, calls = {}, {}
        for i, name in enumerate(CALLBACKS):
            if st[CALLS + i] > 0:
                seconds[name] = float(st[SECONDS + i])
                calls[name] = int(st[CALLS + i])
        return seconds, calls


def _table(arrays: dict[str, np.ndarray]) -> tuple[np.ndarray, list]:
    """The (address, rows, columns) table in slot order; arrays converted to each slot's
    dtype and C order (the converted copies are kept alive with the table)."""
    table = np.zeros(3 * len(SLOTS), np.int64)
    keep = []
    for name, (dtype, ndim, _) in SLOTS.items():
        arr = arrays.get(name)
        if arr is None:
            arr = np.zeros((0,) * ndim, dtype)
        if arr.dtype != np.dtype(dtype) or not arr.flags.c_contiguous or arr.ndim != ndim:
            if arr.ndim != ndim:
                raise ValueError(f"asd: compiled callback slot {name} needs {ndim}-d")
            arr = np.ascontiguousarray(arr, dtype=dtype)
        keep.append(arr)
        i = SLOT[name]
        table[3 * i] = arr.ctypes.data
        table[3 * i + 1] = arr.shape[0]
        table[3 * i + 2] = arr.shape[1] if ndim == 2 else 0
    return table, keep
