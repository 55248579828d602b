"""Array helpers for Numba code, written as plain loops because they compile fast.

Numba compiles numpy's generic forms on first use, and a few are costly: assigning an
array into a slice (``out[:n] = buf``) takes about 3 s of compilation, ``np.sort``
1.6 s and ``np.argsort`` 1.4–1.9 s, against 0.1–0.3 s for the loops below (2 cores,
Numba 0.68, ``benchmarks/first_run.py``). asd's jitted code uses these instead, so a
first run compiles seconds less. Sorting here is in place (heapsort: no extra memory,
n log n at worst) or a stable merge sort of indices.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def grow(buf, need):
    """``buf``, or a copy at least twice as long when it holds fewer than ``need``."""
    if need <= buf.shape[0]:
        return buf
    size = max(buf.shape[0] * 2, 1)
    while size < need:
        size *= 2
    out = np.empty(size, buf.dtype)
    for i in range(buf.shape[0]):
        out[i] = buf[i]
    return out


@njit(cache=True)
def copy_prefix(dst, src, n):
    """``dst[:n] = src[:n]``."""
    for i in range(n):
        dst[i] = src[i]


@njit(cache=True)
def _sift(a, lo, root, end):
    while True:
        child = 2 * root + 1
        if child >= end:
            return
        if child + 1 < end and a[lo + child] < a[lo + child + 1]:
            child += 1
        if a[lo + root] >= a[lo + child]:
            return
        a[lo + root], a[lo + child] = a[lo + child], a[lo + root]
        root = child


@njit(cache=True)
def sort_range(a, lo, hi):
    """Sort ``a[lo:hi]`` in place (insertion sort when short, heapsort otherwise)."""
    n = hi - lo
    if n <= 32:
        for u in range(lo + 1, hi):
            v = a[u]
            w = u
            while w > lo and a[w - 1] > v:
                a[w] = a[w - 1]
                w -= 1
            a[w] = v
        return
    for root in range(n // 2 - 1, -1, -1):
        _sift(a, lo, root, n)
    for end in range(n - 1, 0, -1):
        a[lo], a[lo + end] = a[lo + end], a[lo]
        _sift(a, lo, 0, end)


@njit(cache=True)
def argsort_stable(keys):
    """Indices that sort ``keys`` ascending, equal keys in their original order
    (bottom-up merge sort)."""
    n = keys.shape[0]
    idx = np.empty(n, np.int64)
    for i in range(n):
        idx[i] = i
    tmp = np.empty(n, np.int64)
    width = 1
    while width < n:
        for lo in range(0, n, 2 * width):
            mid = min(lo + width, n)
            hi = min(lo + 2 * width, n)
            i, j, k = lo, mid, lo
            while i < mid and j < hi:
                if keys[idx[j]] < keys[idx[i]]:
                    tmp[k] = idx[j]
                    j += 1
                else:
                    tmp[k] = idx[i]
                    i += 1
                k += 1
            while i < mid:
                tmp[k] = idx[i]
                i += 1
                k += 1
            while j < hi:
                tmp[k] = idx[j]
                j += 1
                k += 1
        idx, tmp = tmp, idx
        width *= 2
    return idx
