"""Moré, Garbow & Hillstrom (1981): the 35 test problems in their residual form
f(x) = (f_1(x), ..., f_m(x)), written the way the paper states them: a residual
vector ``fvec = np.zeros(m)`` filled element by element. Problem numbers are the
paper's; data tables (y_i, u_i) are the paper's. A few problems carry the hand-written
Jacobian from the formulas, checked against asd as well."""

import numpy as np

from . import register


def mgh(number, n, **kw):
    return register("MGH", f"problem {number}", "vector", n, **kw)


def rosenbrock_jac(x):
    return np.array([[-20.0 * x[0], 10.0], [-1.0, 0.0]])


@mgh(1, 2, jac=rosenbrock_jac)
def rosenbrock(x):
    fvec = np.zeros(2)
    fvec[0] = 10.0 * (x[1] - x[0] ** 2)
    fvec[1] = 1.0 - x[0]
    return fvec


@mgh(2, 2)
def freudenstein_roth(x):
    fvec = np.zeros(2)
    fvec[0] = -13.0 + x[0] + ((5.0 - x[1]) * x[1] - 2.0) * x[1]
    fvec[1] = -29.0 + x[0] + ((x[1] + 1.0) * x[1] - 14.0) * x[1]
    return fvec


@mgh(3, 2)
def powell_badly_scaled(x):
    fvec = np.zeros(2)
    fvec[0] = 1e4 * x[0] * x[1] - 1.0
    fvec[1] = np.exp(-x[0]) + np.exp(-x[1]) - 1.0001
    return fvec


@mgh(4, 2)
def brown_badly_scaled(x):
    fvec = np.zeros(3)
    fvec[0] = x[0] - 1e6
    fvec[1] = x[1] - 2e-6
    fvec[2] = x[0] * x[1] - 2.0
    return fvec


@mgh(5, 2)
def beale(x):
    y = np.array([1.5, 2.25, 2.625])
    fvec = np.zeros(3)
    for i in range(3):
        fvec[i] = y[i] - x[0] * (1.0 - x[1] ** (i + 1))
    return fvec


@mgh(6, 2, domain=(-0.5, 0.5))
def jennrich_sampson(x):
    m = 10
    fvec = np.zeros(m)
    for i in range(1, m + 1):
        fvec[i - 1] = 2.0 + 2.0 * i - (np.exp(i * x[0]) + np.exp(i * x[1]))
    return fvec


@mgh(7, 3, domain=(-2.0, 2.0))
def helical_valley(x):
    if x[0] > 0:
        theta = np.arctan(x[1] / x[0]) / (2.0 * np.pi)
    else:
        theta = np.arctan(x[1] / x[0]) / (2.0 * np.pi) + 0.5
    fvec = np.zeros(3)
    fvec[0] = 10.0 * (x[2] - 10.0 * theta)
    fvec[1] = 10.0 * (np.sqrt(x[0] ** 2 + x[1] ** 2) - 1.0)
    fvec[2] = x[2]
    return fvec


BARD_Y = [0.14, 0.18, 0.22, 0.25, 0.29, 0.32, 0.35, 0.39, 0.37, 0.58, 0.73, 0.96, 1.34, 2.10, 4.39]


@mgh(8, 3, domain=(0.5, 2.0))
def bard(x):
    y = np.array(BARD_Y)
    fvec = np.zeros(15)
    for i in range(1, 16):
        u = i
        v = 16 - i
        w = min(u, v)
        fvec[i - 1] = y[i - 1] - (x[0] + u / (v * x[1] + w * x[2]))
    return fvec


GAUSS_Y = [0.0009, 0.0044, 0.0175, 0.0540, 0.1295, 0.2420, 0.3521, 0.3989]


@mgh(9, 3, domain=(0.1, 1.0))
def gaussian(x):
    y = np.array(GAUSS_Y + GAUSS_Y[-2::-1])
    fvec = np.zeros(15)
    for i in range(1, 16):
        t = (8.0 - i) / 2.0
        fvec[i - 1] = x[0] * np.exp(-x[1] * (t - x[2]) ** 2 / 2.0) - y[i - 1]
    return fvec


MEYER_Y = [34780, 28610, 23650, 19630, 16370, 13720, 11540, 9744, 8261, 7030, 6005, 5147, 4427]
MEYER_Y += [3820, 3307, 2872]


def meyer_draw(rng, n):
    return np.array([rng.uniform(0.005, 0.05), rng.uniform(4000, 7000), rng.uniform(250, 400)])


@mgh(10, 3, draw=meyer_draw)
def meyer(x):
    y = np.array(MEYER_Y, dtype=float)
    fvec = np.zeros(16)
    for i in range(1, 17):
        t = 45.0 + 5.0 * i
        fvec[i - 1] = x[0] * np.exp(x[1] / (t + x[2])) - y[i - 1]
    return fvec


def gulf_draw(rng, n):
    return np.array([rng.uniform(5, 50), rng.uniform(30, 40), rng.uniform(0.5, 2.0)])


@mgh(11, 3, draw=gulf_draw)
def gulf(x):
    m = 10
    fvec = np.zeros(m)
    for i in range(1, m + 1):
        t = i / 100.0
        y = 25.0 + (-50.0 * np.log(t)) ** (2.0 / 3.0)
        fvec[i - 1] = np.exp(-(np.abs(y - x[1]) ** x[2]) / x[0]) - t
    return fvec


@mgh(12, 3)
def box3d(x):
    m = 10
    fvec = np.zeros(m)
    for i in range(1, m + 1):
        t = 0.1 * i
        fvec[i - 1] = np.exp(-t * x[0]) - np.exp(-t * x[1]) - x[2] * (np.exp(-t) - np.exp(-10 * t))
    return fvec


def powell_singular_jac(x):
    J = np.zeros((4, 4))
    J[0, 0], J[0, 1] = 1.0, 10.0
    J[1, 2], J[1, 3] = np.sqrt(5.0), -np.sqrt(5.0)
    J[2, 1], J[2, 2] = 2 * (x[1] - 2 * x[2]), -4 * (x[1] - 2 * x[2])
    J[3, 0], J[3, 3] = 2 * np.sqrt(10.0) * (x[0] - x[3]), -2 * np.sqrt(10.0) * (x[0] - x[3])
    return J


@mgh(13, 4, jac=powell_singular_jac)
def powell_singular(x):
    fvec = np.zeros(4)
    fvec[0] = x[0] + 10.0 * x[1]
    fvec[1] = np.sqrt(5.0) * (x[2] - x[3])
    fvec[2] = (x[1] - 2.0 * x[2]) ** 2
    fvec[3] = np.sqrt(10.0) * (x[0] - x[3]) ** 2
    return fvec


def wood_jac(x):
    J = np.zeros((6, 4))
    J[0, 0], J[0, 1] = -20.0 * x[0], 10.0
    J[1, 0] = -1.0
    J[2, 2], J[2, 3] = -2.0 * np.sqrt(90.0) * x[2], np.sqrt(90.0)
    J[3, 2] = -1.0
    J[4, 1] = J[4, 3] = np.sqrt(10.0)
    J[5, 1], J[5, 3] = 1 / np.sqrt(10.0), -1 / np.sqrt(10.0)
    return J


@mgh(14, 4, jac=wood_jac)
def wood(x):
    fvec = np.zeros(6)
    fvec[0] = 10.0 * (x[1] - x[0] ** 2)
    fvec[1] = 1.0 - x[0]
    fvec[2] = np.sqrt(90.0) * (x[3] - x[2] ** 2)
    fvec[3] = 1.0 - x[2]
    fvec[4] = np.sqrt(10.0) * (x[1] + x[3] - 2.0)
    fvec[5] = (x[1] - x[3]) / np.sqrt(10.0)
    return fvec


KO_Y = [0.1957, 0.1947, 0.1735, 0.1600, 0.0844, 0.0627, 0.0456, 0.0342, 0.0323, 0.0235, 0.0246]
KO_U = [4.0, 2.0, 1.0, 0.5, 0.25, 0.167, 0.125, 0.1, 0.0833, 0.0714, 0.0625]


@mgh(15, 4, domain=(0.1, 1.0))
def kowalik_osborne(x):
    y, u = np.array(KO_Y), np.array(KO_U)
    fvec = np.zeros(11)
    for i in range(11):
        fvec[i] = y[i] - x[0] * (u[i] ** 2 + u[i] * x[1]) / (u[i] ** 2 + u[i] * x[2] + x[3])
    return fvec


@mgh(16, 4)
def brown_dennis(x):
    m = 20
    fvec = np.zeros(m)
    for i in range(1, m + 1):
        t = i / 5.0
        fvec[i - 1] = (x[0] + t * x[1] - np.exp(t)) ** 2 + (
            x[2] + x[3] * np.sin(t) - np.cos(t)
        ) ** 2
    return fvec


OSB1_Y = [0.844, 0.908, 0.932, 0.936, 0.925, 0.908, 0.881, 0.850, 0.818, 0.784, 0.751, 0.718]
OSB1_Y += [0.685, 0.658, 0.628, 0.603, 0.580, 0.558, 0.538, 0.522, 0.506, 0.490, 0.478, 0.467]
OSB1_Y += [0.457, 0.448, 0.438, 0.431, 0.424, 0.420, 0.414, 0.411, 0.406]


def osborne1_draw(rng, n):
    return np.array([0.5, 1.5, -1.0, 0.01, 0.02]) * rng.uniform(0.8, 1.2, 5)


@mgh(17, 5, draw=osborne1_draw)
def osborne1(x):
    y = np.array(OSB1_Y)
    fvec = np.zeros(33)
    for i in range(1, 34):
        t = 10.0 * (i - 1)
        fvec[i - 1] = y[i - 1] - (x[0] + x[1] * np.exp(-t * x[3]) + x[2] * np.exp(-t * x[4]))
    return fvec


@mgh(18, 6, domain=(0.5, 3.0))
def biggs_exp6(x):
    m = 13
    fvec = np.zeros(m)
    for i in range(1, m + 1):
        t = 0.1 * i
        y = np.exp(-t) - 5.0 * np.exp(-10.0 * t) + 3.0 * np.exp(-4.0 * t)
        fvec[i - 1] = (
            x[2] * np.exp(-t * x[0]) - x[3] * np.exp(-t * x[1]) + x[5] * np.exp(-t * x[4]) - y
        )
    return fvec


@mgh(19, 11, domain=(0.3, 3.0))
def osborne2(x):
    # the 65 data values y_i of the paper are not reproduced: y_i = 0.5 (the
    # derivatives do not depend on them)
    m = 65
    fvec = np.zeros(m)
    for i in range(1, m + 1):
        t = (i - 1) / 10.0
        fvec[i - 1] = 0.5 - (
            x[0] * np.exp(-t * x[4])
            + x[1] * np.exp(-((t - x[8]) ** 2) * x[5])
            + x[2] * np.exp(-((t - x[9]) ** 2) * x[6])
            + x[3] * np.exp(-((t - x[10]) ** 2) * x[7])
        )
    return fvec


@mgh(20, (3, 6), domain=(-1.0, 1.0))
def watson(x):
    n = x.size
    fvec = np.zeros(31)
    for i in range(1, 30):
        t = i / 29.0
        s1 = 0.0
        for j in range(2, n + 1):
            s1 = s1 + (j - 1) * x[j - 1] * t ** (j - 2)
        s2 = 0.0
        for j in range(1, n + 1):
            s2 = s2 + x[j - 1] * t ** (j - 1)
        fvec[i - 1] = s1 - s2**2 - 1.0
    fvec[29] = x[0]
    fvec[30] = x[1] - x[0] ** 2 - 1.0
    return fvec


@mgh(21, (2, 8))
def extended_rosenbrock(x):
    n = x.size
    fvec = np.zeros(n)
    for i in range(n // 2):
        fvec[2 * i] = 10.0 * (x[2 * i + 1] - x[2 * i] ** 2)
        fvec[2 * i + 1] = 1.0 - x[2 * i]
    return fvec


@mgh(22, (4, 8))
def extended_powell_singular(x):
    n = x.size
    fvec = np.zeros(n)
    for i in range(0, n, 4):
        fvec[i] = x[i] + 10.0 * x[i + 1]
        fvec[i + 1] = np.sqrt(5.0) * (x[i + 2] - x[i + 3])
        fvec[i + 2] = (x[i + 1] - 2.0 * x[i + 2]) ** 2
        fvec[i + 3] = np.sqrt(10.0) * (x[i] - x[i + 3]) ** 2
    return fvec


def penalty1_jac(x):
    n = x.size
    J = np.zeros((n + 1, n))
    J[:n] = np.sqrt(1e-5) * np.eye(n)
    J[n] = 2.0 * x
    return J


@mgh(23, (4, 10), jac=penalty1_jac)
def penalty1(x):
    n = x.size
    fvec = np.zeros(n + 1)
    for i in range(n):
        fvec[i] = np.sqrt(1e-5) * (x[i] - 1.0)
    fvec[n] = np.sum(x**2) - 0.25
    return fvec


@mgh(24, (4, 10), domain=(-1.0, 1.0))
def penalty2(x):
    n = x.size
    a = np.sqrt(1e-5)
    fvec = np.zeros(2 * n)
    fvec[0] = x[0] - 0.2
    for i in range(2, n + 1):
        y = np.exp(i / 10.0) + np.exp((i - 1) / 10.0)
        fvec[i - 1] = a * (np.exp(x[i - 1] / 10.0) + np.exp(x[i - 2] / 10.0) - y)
    for i in range(n + 1, 2 * n):
        fvec[i - 1] = a * (np.exp(x[i - n] / 10.0) - np.exp(-1.0 / 10.0))
    s = 0.0
    for j in range(1, n + 1):
        s += (n - j + 1) * x[j - 1] ** 2
    fvec[2 * n - 1] = s - 1.0
    return fvec


@mgh(25, (3, 10))
def variably_dimensioned(x):
    n = x.size
    fvec = np.zeros(n + 2)
    for i in range(n):
        fvec[i] = x[i] - 1.0
    s = np.sum(np.arange(1, n + 1) * (x - 1.0))
    fvec[n] = s
    fvec[n + 1] = s**2
    return fvec


def trigonometric_jac(x):
    n = x.size
    J = np.tile(np.sin(x), (n, 1))
    J[np.arange(n), np.arange(n)] += np.arange(1, n + 1) * np.sin(x) - np.cos(x)
    return J


@mgh(26, (3, 10), jac=trigonometric_jac)
def trigonometric(x):
    n = x.size
    fvec = np.zeros(n)
    s = np.sum(np.cos(x))
    for i in range(n):
        fvec[i] = n - s + (i + 1) * (1.0 - np.cos(x[i])) - np.sin(x[i])
    return fvec


def brown_almost_linear_jac(x):
    n = x.size
    J = np.ones((n, n)) + np.eye(n)
    J[n - 1] = [np.prod(np.delete(x, j)) for j in range(n)]
    return J


@mgh(27, (3, 10), domain=(0.5, 1.5), jac=brown_almost_linear_jac)
def brown_almost_linear(x):
    n = x.size
    fvec = np.zeros(n)
    s = np.sum(x)
    for i in range(n - 1):
        fvec[i] = x[i] + s - (n + 1)
    fvec[n - 1] = np.prod(x) - 1.0
    return fvec


def discrete_bv_jac(x):
    n = x.size
    h = 1.0 / (n + 1)
    t = h * np.arange(1, n + 1)
    J = -np.eye(n, k=1) - np.eye(n, k=-1)
    J += np.diag(2.0 + 1.5 * h**2 * (x + t + 1.0) ** 2)
    return J


@mgh(28, (3, 10), domain=(-1.0, 1.0), jac=discrete_bv_jac)
def discrete_boundary_value(x):
    n = x.size
    h = 1.0 / (n + 1)
    fvec = np.zeros(n)
    for i in range(n):
        t = (i + 1) * h
        left = x[i - 1] if i > 0 else 0.0
        right = x[i + 1] if i < n - 1 else 0.0
        fvec[i] = 2.0 * x[i] - left - right + h**2 * (x[i] + t + 1.0) ** 3 / 2.0
    return fvec


@mgh(29, (3, 10), domain=(-1.0, 1.0))
def discrete_integral_equation(x):
    n = x.size
    h = 1.0 / (n + 1)
    t = h * np.arange(1, n + 1)
    fvec = np.zeros(n)
    for i in range(n):
        s1 = 0.0
        for j in range(i + 1):
            s1 = s1 + t[j] * (x[j] + t[j] + 1.0) ** 3
        s2 = 0.0
        for j in range(i + 1, n):
            s2 = s2 + (1.0 - t[j]) * (x[j] + t[j] + 1.0) ** 3
        fvec[i] = x[i] + h * ((1.0 - t[i]) * s1 + t[i] * s2) / 2.0
    return fvec


def broyden_tridiagonal_jac(x):
    n = x.size
    return np.diag(3.0 - 4.0 * x) - np.eye(n, k=-1) - 2.0 * np.eye(n, k=1)


@mgh(30, (3, 10), jac=broyden_tridiagonal_jac)
def broyden_tridiagonal(x):
    n = x.size
    fvec = np.zeros(n)
    for i in range(n):
        fvec[i] = (3.0 - 2.0 * x[i]) * x[i] + 1.0
        if i > 0:
            fvec[i] -= x[i - 1]
        if i < n - 1:
            fvec[i] -= 2.0 * x[i + 1]
    return fvec


@mgh(31, (3, 10))
def broyden_banded(x):
    n = x.size
    ml, mu = 5, 1
    fvec = np.zeros(n)
    for i in range(n):
        s = 0.0
        for j in range(max(0, i - ml), min(n, i + mu + 1)):
            if j != i:
                s = s + x[j] * (1.0 + x[j])
        fvec[i] = x[i] * (2.0 + 5.0 * x[i] ** 2) + 1.0 - s
    return fvec


@mgh(32, (3, 10))
def linear_full_rank(x):
    n = x.size
    m = n + 5
    s = np.sum(x)
    fvec = np.zeros(m)
    for i in range(n):
        fvec[i] = x[i] - 2.0 / m * s - 1.0
    for i in range(n, m):
        fvec[i] = -2.0 / m * s - 1.0
    return fvec


@mgh(33, (3, 10))
def linear_rank1(x):
    n = x.size
    m = n + 5
    s = 0.0
    for j in range(n):
        s += (j + 1) * x[j]
    fvec = np.zeros(m)
    for i in range(m):
        fvec[i] = (i + 1) * s - 1.0
    return fvec


@mgh(34, (3, 10))
def linear_rank1_zero(x):
    n = x.size
    m = n + 5
    s = 0.0
    for j in range(1, n - 1):
        s += (j + 1) * x[j]
    fvec = np.zeros(m)
    fvec[0] = -1.0
    for i in range(1, m - 1):
        fvec[i] = i * s - 1.0
    fvec[m - 1] = -1.0
    return fvec


@mgh(35, (3, 8), domain=(0.0, 1.0))
def chebyquad(x):
    n = x.size
    m = n
    fvec = np.zeros(m)
    for j in range(n):
        t1 = 1.0
        t2 = 2.0 * x[j] - 1.0
        t = 2.0 * t2
        for i in range(m):
            fvec[i] += t2
            th = t * t2 - t1
            t1 = t2
            t2 = th
    for i in range(1, m + 1):
        fvec[i - 1] = fvec[i - 1] / n
        if i % 2 == 0:
            fvec[i - 1] += 1.0 / (i * i - 1)
    return fvec
