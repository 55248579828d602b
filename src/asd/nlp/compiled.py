"""Ipopt callbacks compiled by Numba (``@cfunc``): no Python between Ipopt and the kernels.

Ipopt's C interface calls plain C functions with a ``user_data`` pointer. Here that
pointer is the address of a table of (address, length, columns) triples, one per array
an evaluation reads or writes: the tape, the direct Jacobian and Hessian plans (or the
seeds and gather of a coloured Hessian), per-solve work buffers and a ``state`` array
(error flag, non-finite records, time and count per callback). The ``cfunc``s rebuild
the arrays from the table with ``numba.carray`` and call the same generated kernels
and accumulation loops the Python path uses, so values are bit for bit the same.

The callbacks live in a module generated next to the kernel module (``cfunc_source``);
Numba's on-disk cache holds their machine code.

A derivative with a NaN or inf is recorded (first index and value) and stops Ipopt at
its next iteration, like the Python path; a non-finite objective or constraint value is
recorded and handed to Ipopt, which backtracks.
"""

from __future__ import annotations

import numpy as np

from .cfunc_source import (
    BAD_COUNT,
    BAD_INDEX,
    BAD_VALUE,
    CALLBACKS,
    CALLS,
    ERR,
    H_MODES,
    INTS,
    MAX_RECORDS,
    NREC,
    REC,
    SECONDS,
    SLOT,
    SLOTS,
    STATE_SIZE,
    callbacks,
)


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
        self.module = callbacks(tape.families, hp["mode"])
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
