"""``np.linalg.qr`` of traced matrices: LAPACK's Householder QR (geqr2, then org2r for
Q) unrolled into the tape, with LAPACK's sign convention (R_ii = -sign(a_ii)·|column|,
sign(0) = +), so Q and R are numpy's at every x. A column already zero below the
diagonal takes no reflection (tau = 0), selected by comparisons as in LAPACK. Each
step is one vectorised block per operation over the trailing matrix."""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from ..errors import UnsupportedFunctionError
from .tracer import lift, lift_matrix

#: the largest min(m, n) factorised in the tape (O(m n min(m, n)) nodes)
MAX_QR = 64


#: ``(Q, R)`` with numpy's attribute names
QRResult = namedtuple("QRResult", ["Q", "R"])


def _reflector(col):
    """LAPACK's dlarfg for the column ``col``: (beta, tau, w) with H = I - tau w wᵀ,
    w[0] = 1, H col = (beta, 0, ..., 0)."""
    alpha, x = col[0], col[1:]
    xnorm2 = np.sum(x * x)
    flat = xnorm2 == 0.0
    beta = np.where(
        flat, alpha, -np.where(alpha >= 0.0, 1.0, -1.0) * np.sqrt(alpha * alpha + xnorm2)
    )
    tau = np.where(flat, 0.0, (beta - alpha) / np.where(flat, 1.0, beta))
    v = x / np.where(flat, 1.0, alpha - beta)
    return beta, tau, np.concatenate([lift(col.rec, np.ones(1)), v])


def _qr2(a, complete: bool):
    """Q and R of one traced m x n matrix."""
    m, n = a.shape
    k = min(m, n)
    rec = a.rec
    top, rest = [], a  # rows of R done; the trailing (m - i) x n block
    reflectors = []
    for i in range(k):
        beta, tau, w = _reflector(rest[:, i])
        reflectors.append((tau, w))
        trail = rest[:, i + 1 :]
        if trail.shape[1]:
            trail = trail - tau * w[:, None] * (w @ trail)[None, :]
        row = [lift(rec, np.zeros(i)), np.reshape(beta, (1,)), trail[0]]
        top.append(np.concatenate(row))
        rest = np.concatenate([lift(rec, np.zeros((m - i - 1, i + 1))), trail[1:]], axis=1)
    rows = top + ([rest] if complete and m > k else [])
    R = np.concatenate([np.reshape(r, (-1, n)) for r in rows], axis=0)
    cols = m if complete else k
    Q = lift(rec, np.eye(m)[:, :cols])
    for i in range(k - 1, -1, -1):  # Q = H_1 ... H_k I: the last reflector first
        tau, w = reflectors[i]
        block = Q[i:] - tau * w[:, None] * (w @ Q[i:])[None, :]
        Q = np.concatenate([Q[:i], block], axis=0) if i else block
    return Q, R


def qr(a, mode="reduced"):
    """``np.linalg.qr`` (modes 'reduced', 'complete', 'r') of a traced matrix or stack."""
    if mode not in ("reduced", "complete", "r"):
        raise UnsupportedFunctionError(
            f"np.linalg.qr with mode={mode!r}",
            "LAPACK's raw Householder data is not traced: use mode='reduced', 'complete' or 'r'.",
        )
    t = lift_matrix(a)
    if min(t.shape[-2:]) > MAX_QR:
        raise UnsupportedFunctionError(
            f"np.linalg.qr of a traced {t.shape[-2]} x {t.shape[-1]} matrix",
            f"asd unrolls Householder QR into the tape for min(m, n) up to {MAX_QR}.",
        )
    lead = t.shape[:-2]
    parts = [_qr2(t[idx], mode == "complete") for idx in np.ndindex(*lead)] if lead else None
    if parts is None:
        Q, R = _qr2(t, mode == "complete")
    else:
        Q = np.reshape(np.stack([p[0] for p in parts]), lead + parts[0][0].shape)
        R = np.reshape(np.stack([p[1] for p in parts]), lead + parts[0][1].shape)
    return R if mode == "r" else QRResult(Q, R)
