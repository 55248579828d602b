"""MKL PARDISO through its C entry points (``pardisoinit``, ``pardiso``) for the Newton
matrix: the symbolic analysis (METIS nested dissection, phase 11) once per pattern, a
numeric factorisation (phase 22) per Newton matrix, solves (phase 33).

The library comes from the ``mkl`` wheel (the ``pardiso`` extra, about 280 MB, x86-64
only); nothing else of it is used. The matrix is handed over as the CSR arrays of Wᵀ
(the CSC arrays of W, 0-based) with the transposed solve, so the analysis depends on the
pattern alone (no value-based matching or scaling). A factorisation with perturbed
pivots (PARDISO's static pivoting) is reported, never used silently: the caller falls
back to SuperLU for it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
import threading
from pathlib import Path

import numpy as np

_INT = ctypes.c_int32  # MKL_INT of mkl_rt's default LP64 interface
_P_INT = ctypes.POINTER(_INT)
_P_DBL = ctypes.POINTER(ctypes.c_double)

#: real, non-symmetric matrix
MTYPE = 11
#: iparm entries set (0-based positions of the manual's iparm(k + 1))
_IPARM = {
    1: 2,  # iparm(2): METIS nested dissection
    9: 13,  # iparm(10): pivot perturbation 1e-13
    10: 0,  # iparm(11): no scaling (the analysis stays structural)
    12: 0,  # iparm(13): no weighted matching (likewise)
    11: 2,  # iparm(12): solve with the transpose (we pass W's CSC arrays as Wᵀ's CSR)
    34: 1,  # iparm(35): zero-based indices
}
_PERTURBED = 13  # iparm(14): number of perturbed pivots of the last factorisation


def _library_paths() -> list[str]:
    found = ctypes.util.find_library("mkl_rt")
    paths = [found] if found else []
    for folder in {Path(sys.prefix) / "lib", Path(sys.base_prefix) / "lib"}:
        paths += sorted(str(p) for p in folder.glob("libmkl_rt*"))
    return paths


_LIB = None
_LIB_LOCK = threading.Lock()


def load_mkl():
    """MKL's runtime library (``mkl_rt``) with ``pardiso`` typed, or an ImportError that
    says how to install it."""
    global _LIB
    with _LIB_LOCK:
        if _LIB is not None:
            return _LIB
        for path in _library_paths():
            try:
                lib = ctypes.CDLL(path)
                lib.pardiso, lib.pardisoinit  # noqa: B018 - both must be exported
            except (OSError, AttributeError):
                continue
            lib.pardiso.restype = None
            lib.pardiso.argtypes = [ctypes.c_void_p] + [_P_INT] * 5 + [_P_DBL, _P_INT, _P_INT]
            lib.pardiso.argtypes += [_P_INT] * 4 + [_P_DBL, _P_DBL, _P_INT]
            lib.pardisoinit.restype = None
            lib.pardisoinit.argtypes = [ctypes.c_void_p, _P_INT, _P_INT]
            _LIB = lib
            return lib
    raise ImportError(
        "stiff_ode: ordering 'pardiso' needs MKL's runtime library; install it with "
        "`pip install 'asd[pardiso]'` (the `mkl` wheel, x86-64), or choose ordering 'metis'",
        name="mkl",
    )


class PardisoError(RuntimeError):
    """PARDISO returned an error code."""


class Pardiso:
    """One PARDISO handle for matrices of one pattern (given as CSC arrays of W)."""

    def __init__(self, indptr: np.ndarray, indices: np.ndarray, n: int):
        self.lib = load_mkl()
        self.n = n
        self.indptr = np.ascontiguousarray(indptr, np.int32)
        self.indices = np.ascontiguousarray(indices, np.int32)
        self.pt = np.zeros(64, np.int64)  # PARDISO's internal handle (64 pointers)
        self.iparm = np.zeros(64, np.int32)
        self.lib.pardisoinit(self.pt.ctypes.data, _byref(MTYPE), _ptr(self.iparm))
        for k, v in _IPARM.items():
            self.iparm[k] = v
        self.lock = threading.Lock()
        self.generation = 0  # number of the factorisation the handle holds
        self._analysed = False
        self._data = np.zeros(self.indices.size)

    def _call(self, phase: int, data: np.ndarray, b=None, x=None) -> None:
        """One PARDISO call; ``b`` and ``x`` are (n,) or column-major (n, k)."""
        error = _INT(0)
        dummy = np.zeros(1)
        self.lib.pardiso(
            self.pt.ctypes.data,
            _byref(1),
            _byref(1),
            _byref(MTYPE),
            _byref(phase),
            _byref(self.n),
            data.ctypes.data_as(_P_DBL),
            _ptr(self.indptr),
            _ptr(self.indices),
            _ptr(np.zeros(1, np.int32)),
            _byref(1 if b is None or b.ndim == 1 else b.shape[1]),
            _ptr(self.iparm),
            _byref(0),
            (dummy if b is None else b).ctypes.data_as(_P_DBL),
            (dummy if x is None else x).ctypes.data_as(_P_DBL),
            ctypes.byref(error),
        )
        if error.value != 0:
            raise PardisoError(f"stiff_ode: MKL PARDISO phase {phase} failed (error {error.value})")

    def analyse(self, data: np.ndarray) -> None:
        """The symbolic analysis (ordering, symbolic factorisation) of the pattern; with
        scaling and matching off it does not depend on ``data``."""
        with self.lock:
            self._data = np.ascontiguousarray(data, np.float64)
            self._call(11, self._data)
            self._analysed = True

    def factorize(self, data: np.ndarray) -> tuple[int, int]:
        """Numeric factorisation of the matrix with these values (CSC order), analysing
        first if that was not done. Returns (perturbed pivots, generation)."""
        if not self._analysed:
            self.analyse(data)
        with self.lock:
            self._data = np.ascontiguousarray(data, np.float64)
            self._call(22, self._data)
            self.generation += 1
            return int(self.iparm[_PERTURBED]), self.generation

    def solve(self, r: np.ndarray, generation: int) -> np.ndarray:
        """``W⁻¹ r`` with factorisation ``generation`` (an error if a newer one replaced it)."""
        with self.lock:
            if generation != self.generation:
                raise PardisoError(
                    "stiff_ode: this PARDISO factorisation was replaced by a newer one"
                )
            b = np.asfortranarray(r, np.float64)  # one right-hand side per column
            x = np.empty_like(b, order="F")
            self._call(33, self._data, b, x)
            return np.ascontiguousarray(x)

    @property
    def factor_nnz(self) -> int:
        """Entries of the factors (iparm(18))."""
        return int(self.iparm[17])

    def __del__(self):
        try:
            if self._analysed:
                self._call(-1, self._data)
        except Exception:  # noqa: BLE001, S110 - nothing to do at interpreter exit
            pass


def _byref(v: int):
    return ctypes.byref(_INT(v))


def _ptr(a: np.ndarray):
    return a.ctypes.data_as(_P_INT)
