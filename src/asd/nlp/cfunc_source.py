"""The generated module of compiled Ipopt callbacks: its layout, text and loader.

The callbacks are Numba ``@cfunc``s whose ``user_data`` is the address of a table of
(address, rows, columns) int64 triples, one per slot of ``SLOTS``; ``state`` holds the
error flag, the records of non-finite values and the time and count per callback
(layout below). The module is written next to the generated kernel module (same cache
folder) and named by a hash of its text, the kernel module's name and the source of the
asd loops it imports, so Numba's on-disk cache never serves code compiled against
other kernels or other loops.
"""

from __future__ import annotations

import hashlib
import inspect
import sys
import threading
from types import ModuleType

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
def _nonfinite(out):
    """How many entries of ``out`` are NaN or inf, and the first one's index (-1)."""
    bad = 0
    first = -1
    for i in range(out.shape[0]):
        if not np.isfinite(out[i]):
            bad += 1
            if first < 0:
                first = i
    return bad, first


@njit
def _record(st, code, out):
    """Count the non-finite entries of a value callback's result; keep the first."""
    bad, first = _nonfinite(out)
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
    bad, first = _nonfinite(out)
    if bad and st[ERR] == 0:
        st[ERR] = code
        st[BAD_COUNT] = bad
        st[BAD_INDEX] = first
        st[BAD_VALUE] = out[first]


@njit(inline="always")
def _tape(t):
    """The tape arrays every kernel takes first (read-only as on the Python path)."""
    return (
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


@njit
def _put_x(t, n, x):
    """Copy x into the kernels' input vector (the parameters stay after it)."""
    xin = _arr1(t, S_xin, np.float64)
    for i in range(n):
        xin[i] = x[i]
    return xin


@njit
def _values(t, n, x):
    """Node values at x."""
    val = _arr1(t, S_val, np.float64)
    values(*_tape(t), _put_x(t, n, x), val)
    return val


@njit
def _partials(t, lo, hi, cbase, x, coef, with_values):
    """``direct_partials``; ``with_values`` (0 / 1) becomes a plain runtime bool, as the
    Python path passes it, so the kernel's cached specialisation is reused."""
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
        with_values != 0,
    )


@njit
def _reverse(t, bar):
    adjoint_vector(*_tape(t), _arr1(t, S_val, np.float64), bar)


@njit
def _seed(t, bar, w):
    outputs = _arr1(t, S_outputs, np.int64)
    bar[:] = 0.0
    for i in range(outputs.shape[0]):
        bar[outputs[i]] += w[i]


@njit
def _stream(t, coef, s_gv, s_ridx, s_rval, s_dst, s_src, s_cix):
    """A direct plan's gradients: gv from its start values, then the stream
    ``gv[dst] += coef[c] * gv[src]`` (the arrays in the given slots)."""
    gv = _arr1(t, s_gv, np.float64)
    _reset(gv, _arr1(t, s_ridx, np.uint32), _arr1(t, s_rval, np.float64))
    dst, src = _arr1(t, s_dst, np.uint32), _arr1(t, s_src, np.uint32)
    _accumulate(gv, coef, dst, src, _arr1(t, s_cix, np.uint32))
    return gv


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
    xin = _put_x(t, n, carray(x, (n,)))
    coef = _arr1(t, S_j_coef, np.float64)
    _partials(
        t,
        _arr1(t, S_j_lo, np.int64),
        _arr1(t, S_j_hi, np.int64),
        _arr1(t, S_j_cbase, np.int64),
        xin,
        coef,
        1,
    )
    gv = _stream(t, coef, S_j_gv, S_j_ridx, S_j_rval, S_j_dst, S_j_src, S_j_cix)
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
    xin = _put_x(t, n, x)
    empty = _arr1(t, S_empty, np.float64)
    _partials(
        t,
        _arr1(t, S_hn_lo, np.int64),
        _arr1(t, S_hn_hi, np.int64),
        _arr1(t, S_hn_cbase, np.int64),
        xin,
        empty,
        1,
    )
    coef = _arr1(t, S_hg_coef, np.float64)
    _partials(
        t,
        _arr1(t, S_hg_lo, np.int64),
        _arr1(t, S_hg_hi, np.int64),
        _arr1(t, S_hg_cbase, np.int64),
        empty,
        coef,
        0,
    )
    gv = _stream(t, coef, S_hg_gv, S_hg_ridx, S_hg_rval, S_hg_dst, S_hg_src, S_hg_cix)
    bar = _arr1(t, S_bar, np.float64)
    _seed(t, bar, _arr1(t, S_weights, np.float64))
    _reverse(t, bar)
    hcoef = _arr1(t, S_h_coef, np.float64)
    val = _arr1(t, S_val, np.float64)
    second_coefs(*_tape(t), val, bar, _arr2(t, S_h_slot, np.int32), hcoef)
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
    tp = _tape(t)
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


@njit
def _empty_hessian(t, n, x, out):
    pass


# HESSIAN = the mode's function (set in the generated text)


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
    HESSIAN(t, n, carray(x, (n,)), out)
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


def callback_source(kernel_module: str, hessian: str) -> str:
    """The generated module's text for the kernel module named ``kernel_module`` and
    the Hessian mode ``hessian`` (only that mode's evaluation is compiled)."""
    if hessian not in H_MODES:
        raise ValueError(f"unknown Hessian mode {hessian!r}")
    line = f"HESSIAN = _{hessian}_hessian"
    return _header(kernel_module) + _BODY.replace(
        "# HESSIAN = the mode's function (set in the generated text)", line
    )


_modules: dict[tuple[int, str], ModuleType] = {}
_lock = threading.Lock()


def callbacks(families: int, hessian: str) -> ModuleType:
    """The module of compiled callbacks over the kernels of the operator ``families``
    with the Hessian evaluation of mode ``hessian`` (written and imported once per
    process, family set and mode)."""
    key = (families, hessian)
    module = _modules.get(key)
    if module is None:
        with _lock:
            module = _modules.get(key)
            if module is None:
                module = _modules[key] = _load(families, hessian)
    return module


def _name_and_source(families: int, hessian: str) -> tuple[str, str]:
    from .. import loops
    from ..evaluation import direct, direct_hessian
    from ..operators.codegen import kernels

    src = callback_source(kernels(families).__name__, hessian)
    deps = "".join(inspect.getsource(m) for m in (direct, direct_hessian, loops))
    digest = hashlib.sha256((src + deps).encode()).hexdigest()[:16]
    return f"asd_ipopt_callbacks_{digest}", src


#: (families, Hessian mode) of the solves run in this process
_solved: set[tuple[int, str]] = set()


def worth_compiling(families: int, hessian: str) -> bool:
    """Whether compiled callbacks pay for this solve: their machine code is cached on
    disk already, or a solve of the same kind ran in this process before. A one-off
    solve would spend seconds compiling to save milliseconds of callbacks; a second
    solve compiles them, and later processes load them."""
    key = (families, hessian)
    if key in _solved or key in _modules:
        return True
    _solved.add(key)
    from ..cache import cache_dir

    name, _ = _name_and_source(families, hessian)
    tag = f"py{sys.version_info[0]}{sys.version_info[1]}"
    return any((cache_dir() / "numba" / tag / name).glob("*eval_h*.nbi"))


def _load(families: int, hessian: str) -> ModuleType:
    from ..cache import import_generated

    return import_generated(*_name_and_source(families, hessian))
