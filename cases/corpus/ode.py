"""Right-hand sides y' = f(y) of classic stiff and non-stiff ODE test problems
(Hairer & Wanner, Solving ODEs II, Ch. IV.10; formulas and constants as in the
Bari/CWI IVP test set), written as the test-set descriptions state them: a derivative
vector ``dy = np.zeros(n)`` filled component by component."""

import numpy as np

from . import register


def ode(name, n, **kw):
    return register("HW", name, "ode", n, **kw)


@ode("ROBER (Robertson chemical reaction)", 3, domain=(0.01, 1.0))
def robertson(y):
    dy = np.zeros(3)
    dy[0] = -0.04 * y[0] + 1e4 * y[1] * y[2]
    dy[1] = 0.04 * y[0] - 1e4 * y[1] * y[2] - 3e7 * y[1] ** 2
    dy[2] = 3e7 * y[1] ** 2
    return dy


@ode("VDPOL (van der Pol, eps = 1e-3)", 2)
def van_der_pol(y):
    eps = 1e-3
    dy = np.zeros(2)
    dy[0] = y[1]
    dy[1] = ((1 - y[0] ** 2) * y[1] - y[0]) / eps
    return dy


@ode("HIRES (plant physiology)", 8, domain=(0.0, 1.0))
def hires(y):
    dy = np.zeros(8)
    dy[0] = -1.71 * y[0] + 0.43 * y[1] + 8.32 * y[2] + 0.0007
    dy[1] = 1.71 * y[0] - 8.75 * y[1]
    dy[2] = -10.03 * y[2] + 0.43 * y[3] + 0.035 * y[4]
    dy[3] = 8.32 * y[1] + 1.71 * y[2] - 1.12 * y[3]
    dy[4] = -1.745 * y[4] + 0.43 * y[5] + 0.43 * y[6]
    dy[5] = -280.0 * y[5] * y[7] + 0.69 * y[3] + 1.71 * y[4] - 0.43 * y[5] + 0.69 * y[6]
    dy[6] = 280.0 * y[5] * y[7] - 1.81 * y[6]
    dy[7] = -dy[6]
    return dy


@ode("OREGO (Oregonator)", 3, domain=(1.0, 100.0))
def oregonator(y):
    s, w, q = 77.27, 0.161, 8.375e-6
    dy = np.zeros(3)
    dy[0] = s * (y[1] + y[0] * (1 - q * y[0] - y[1]))
    dy[1] = (y[2] - (1 + y[0]) * y[1]) / s
    dy[2] = w * (y[0] - y[2])
    return dy


@ode("E5 (chemical pyrolysis)", 4, domain=(0.0, 1e-3))
def e5(y):
    A, B, C, M = 7.89e-10, 1.1e7, 1.13e3, 1e6
    dy = np.zeros(4)
    dy[0] = -A * y[0] - B * y[0] * y[2]
    dy[1] = A * y[0] - M * C * y[1] * y[2]
    dy[3] = A * y[0] - B * y[0] * y[2] - M * C * y[1] * y[2] + C * y[3]
    dy[2] = dy[1] - dy[3]
    return dy


@ode("BRUSS (1-D Brusselator, Hairer-Wanner II.10 / IV.10)", (4, 10), domain=(0.5, 3.0))
def brusselator_1d(y):
    # y = (u_1, v_1, ..., u_N, v_N), alpha = 1/50, A = 1, B = 3, u = 1, v = 3 at the ends
    N = len(y) // 2
    alpha = 0.02
    c = alpha * (N + 1) ** 2
    u = y[0::2]
    v = y[1::2]
    dy = np.zeros(2 * N)
    for i in range(N):
        ul = u[i - 1] if i > 0 else 1.0
        ur = u[i + 1] if i < N - 1 else 1.0
        vl = v[i - 1] if i > 0 else 3.0
        vr = v[i + 1] if i < N - 1 else 3.0
        dy[2 * i] = 1 + u[i] ** 2 * v[i] - 4 * u[i] + c * (ul - 2 * u[i] + ur)
        dy[2 * i + 1] = 3 * u[i] - u[i] ** 2 * v[i] + c * (vl - 2 * v[i] + vr)
    return dy


@ode("Lorenz system (non-stiff)", 3, domain=(-10.0, 10.0))
def lorenz(y):
    s, r, b = 10.0, 28.0, 8.0 / 3.0
    return np.array([s * (y[1] - y[0]), y[0] * (r - y[2]) - y[1], y[0] * y[1] - b * y[2]])


@ode("Arenstorf orbit (Hairer, Norsett, Wanner I, II.0)", 4, domain=(-1.0, 1.0))
def arenstorf(y):
    mu = 0.012277471
    mp = 1 - mu
    d1 = ((y[0] + mu) ** 2 + y[1] ** 2) ** 1.5
    d2 = ((y[0] - mp) ** 2 + y[1] ** 2) ** 1.5
    dy = np.zeros(4)
    dy[0] = y[2]
    dy[1] = y[3]
    dy[2] = y[0] + 2 * y[3] - mp * (y[0] + mu) / d1 - mu * (y[0] - mp) / d2
    dy[3] = y[1] - 2 * y[2] - mp * y[1] / d1 - mu * y[1] / d2
    return dy


@ode("PLEI (Pleiades, 7 bodies, positions only: accelerations)", 14, domain=(-3.0, 3.0))
def pleiades_acc(y):
    x, yy = y[:7], y[7:]
    acc = np.zeros(14)
    for i in range(7):
        for j in range(7):
            if j != i:
                r3 = ((x[i] - x[j]) ** 2 + (yy[i] - yy[j]) ** 2) ** 1.5
                acc[i] += (j + 1) * (x[j] - x[i]) / r3
                acc[7 + i] += (j + 1) * (yy[j] - yy[i]) / r3
    return acc
