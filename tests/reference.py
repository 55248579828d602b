"""Independent reference derivatives: central finite differences of plain numpy code."""

import numpy as np


def fd_jacobian(f, x, h=1e-6):
    """Central differences, one column per input."""
    cols = []
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        cols.append((f(x + e) - f(x - e)) / (2 * h))
    return np.array(cols).T


def fd_hessian(f, x, h=1e-4):
    """Four-point second differences of a scalar function."""
    n = x.size
    H = np.zeros((n, n))
    E = np.eye(n) * h
    for i in range(n):
        for j in range(i, n):
            H[i, j] = H[j, i] = (
                f(x + E[i] + E[j]) - f(x + E[i] - E[j]) - f(x - E[i] + E[j]) + f(x - E[i] - E[j])
            ) / (4 * h * h)
    return H
