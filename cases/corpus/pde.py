"""Residuals of textbook PDE discretisations (second-order finite differences on a
uniform grid, LeVeque 2007), in the element-loop style of a first implementation."""

import numpy as np

from . import register


def pde(name, n, **kw):
    return register("PDE", name, "vector", n, **kw)


@pde("Bratu problem, 1-D, lambda = 1 (LeVeque 2.16)", (5, 12), domain=(0.0, 1.0))
def bratu1d(u):
    n = len(u)
    h = 1.0 / (n + 1)
    lam = 1.0
    F = np.zeros(n)
    for i in range(n):
        ul = u[i - 1] if i > 0 else 0.0
        ur = u[i + 1] if i < n - 1 else 0.0
        F[i] = (ul - 2 * u[i] + ur) / h**2 + lam * np.exp(u[i])
    return F


@pde("Bratu problem, 2-D, lambda = 6, 5-point Laplacian", (9, 16), domain=(0.0, 1.0))
def bratu2d(x):
    m = int(round(np.sqrt(len(x))))
    h = 1.0 / (m + 1)
    U = np.pad(x.reshape(m, m), 1)
    lap = (U[:-2, 1:-1] + U[2:, 1:-1] + U[1:-1, :-2] + U[1:-1, 2:] - 4 * U[1:-1, 1:-1]) / h**2
    return (lap + 6.0 * np.exp(U[1:-1, 1:-1])).ravel()


@pde("viscous Burgers equation, steady residual, nu = 0.1", (5, 12))
def burgers(u):
    n = len(u)
    h = 1.0 / (n + 1)
    nu = 0.1
    up = np.concatenate([[1.0], u, [-1.0]])
    return nu * (up[2:] - 2 * up[1:-1] + up[:-2]) / h**2 - up[1:-1] * (up[2:] - up[:-2]) / (2 * h)


@pde("heat equation, backward Euler step residual with nonlinear conductivity", (5, 12))
def nonlinear_heat(u):
    n = len(u)
    h, dt = 1.0 / (n + 1), 0.01
    u_old = np.linspace(0.0, 1.0, n)
    up = np.pad(u, 1)
    k = 1.0 + up**2
    kf = 0.5 * (k[1:] + k[:-1])
    flux = kf * np.diff(up) / h
    return (u - u_old) / dt - np.diff(flux) / h


@pde("Allen-Cahn equation, steady residual, eps = 0.05, periodic", (6, 12))
def allen_cahn(u):
    n = len(u)
    h = 1.0 / n
    eps = 0.05
    lap = (np.roll(u, 1) - 2 * u + np.roll(u, -1)) / h**2
    return eps**2 * lap + u - u**3


@pde("Gray-Scott reaction-diffusion, 1-D periodic right-hand side", (6, 10), domain=(0.0, 1.0))
def gray_scott(y):
    n = len(y) // 2
    u, v = y[:n], y[n:]
    Du, Dv, F, k = 2e-5, 1e-5, 0.04, 0.06
    h = 1.0 / n
    lu = (np.roll(u, 1) - 2 * u + np.roll(u, -1)) / h**2
    lv = (np.roll(v, 1) - 2 * v + np.roll(v, -1)) / h**2
    uvv = u * v * v
    return np.concatenate([Du * lu - uvv + F * (1 - u), Dv * lv + uvv - (F + k) * v])
