"""CUTE/CUTEst classical unconstrained problems with published formulas (Bongartz et
al. 1995; formulas as listed by N. Andrei, 2008, and the CUTE SIF file headers), each
written the way a numpy transcription usually reads: slices and sums, or loops over the
terms. Scalable problems are checked at two sizes."""

import numpy as np

from . import register


def cute(ref, n=(4, 8), **kw):
    return register("CUTE", ref, "scalar", n, **kw)


@cute("ARWHEAD")
def arwhead(x):
    return np.sum(-4.0 * x[:-1] + 3.0) + np.sum((x[:-1] ** 2 + x[-1] ** 2) ** 2)


@cute("BDQRTIC", n=(5, 9))
def bdqrtic(x):
    n = len(x)
    f = 0.0
    for i in range(n - 4):
        f += (-4.0 * x[i] + 3.0) ** 2
        f += (
            x[i] ** 2 + 2 * x[i + 1] ** 2 + 3 * x[i + 2] ** 2 + 4 * x[i + 3] ** 2 + 5 * x[-1] ** 2
        ) ** 2
    return f


@cute("BROYDN3D (sum of squares)")
def broydn3d(x):
    xp = np.concatenate([[0.0], x, [0.0]])
    r = (3.0 - 2.0 * xp[1:-1]) * xp[1:-1] - xp[:-2] - 2.0 * xp[2:] + 1.0
    return np.sum(r**2)


@cute("BROYDN7D", domain=(-1.5, 1.5))
def broydn7d(x):
    n = len(x)
    f = np.abs((3.0 - 2.0 * x[0]) * x[0] - 2.0 * x[1] + 1.0) ** (7.0 / 3.0)
    for i in range(1, n - 1):
        f += np.abs((3.0 - 2.0 * x[i]) * x[i] - x[i - 1] - 2.0 * x[i + 1] + 1.0) ** (7.0 / 3.0)
    f += np.abs((3.0 - 2.0 * x[-1]) * x[-1] - x[-2] + 1.0) ** (7.0 / 3.0)
    h = n // 2
    for i in range(h):
        f += np.abs(x[i] + x[i + h]) ** (7.0 / 3.0)
    return f


@cute("CHAINWOO")
def chainwoo(x):
    n = len(x)
    f = 1.0
    for j in range(1, n // 2):
        i = 2 * j - 2
        f += (
            100.0 * (x[i + 1] - x[i] ** 2) ** 2
            + (1.0 - x[i]) ** 2
            + 90.0 * (x[i + 3] - x[i + 2] ** 2) ** 2
            + (1.0 - x[i + 2]) ** 2
            + 10.0 * (x[i + 1] + x[i + 3] - 2.0) ** 2
            + 0.1 * (x[i + 1] - x[i + 3]) ** 2
        )
    return f


@cute("CRAGGLVY", domain=(-1.0, 1.0))
def cragglvy(x):
    n = len(x)
    f = 0.0
    for j in range(1, n // 2):
        a, b, c, d = x[2 * j - 2], x[2 * j - 1], x[2 * j], x[2 * j + 1]
        f += (
            (np.exp(a) - b) ** 4
            + 100.0 * (b - c) ** 6
            + (np.tan(c - d) + c - d) ** 4
            + a**8
            + (d - 1.0) ** 2
        )
    return f


DIXMAAN = {
    "A": (1.0, 0.0, 0.125, 0.125, 0, 0, 0, 0),
    "B": (1.0, 0.0625, 0.0625, 0.0625, 0, 0, 0, 0),
    "C": (1.0, 0.125, 0.125, 0.125, 0, 0, 0, 0),
    "D": (1.0, 0.26, 0.26, 0.26, 0, 0, 0, 0),
    "E": (1.0, 0.0, 0.125, 0.125, 1, 0, 0, 1),
    "F": (1.0, 0.0625, 0.0625, 0.0625, 1, 0, 0, 1),
    "G": (1.0, 0.125, 0.125, 0.125, 1, 0, 0, 1),
    "H": (1.0, 0.26, 0.26, 0.26, 1, 0, 0, 1),
    "I": (1.0, 0.0, 0.125, 0.125, 2, 0, 0, 2),
    "J": (1.0, 0.0625, 0.0625, 0.0625, 2, 0, 0, 2),
    "K": (1.0, 0.125, 0.125, 0.125, 2, 0, 0, 2),
    "L": (1.0, 0.26, 0.26, 0.26, 2, 0, 0, 2),
}


def _dixmaan(letter):
    alpha, beta, gamma, delta, k1, k2, k3, k4 = DIXMAAN[letter]

    def dixmaan(x):
        n = len(x)
        m = n // 3
        i = np.arange(1, n + 1) / n
        f = 1.0 + np.sum(alpha * x**2 * i**k1)
        f += np.sum(beta * x[:-1] ** 2 * (x[1:] + x[1:] ** 2) ** 2 * i[:-1] ** k2)
        f += np.sum(gamma * x[: 2 * m] ** 2 * x[m : 3 * m] ** 4 * i[: 2 * m] ** k3)
        f += np.sum(delta * x[:m] * x[2 * m : 3 * m] * i[:m] ** k4)
        return f

    return dixmaan


for _letter in DIXMAAN:
    cute(f"DIXMAAN{_letter}", n=(6, 9), name=f"dixmaan{_letter.lower()}")(_dixmaan(_letter))


@cute("DQDRTIC")
def dqdrtic(x):
    return np.sum(x[:-2] ** 2 + 100.0 * x[1:-1] ** 2 + 100.0 * x[2:] ** 2)


@cute("EDENSCH")
def edensch(x):
    f = 16.0
    for i in range(len(x) - 1):
        f += (x[i] - 2.0) ** 4 + (x[i] * x[i + 1] - 2.0 * x[i + 1]) ** 2 + (x[i + 1] + 1.0) ** 2
    return f


@cute("ENGVAL1")
def engval1(x):
    return np.sum((x[:-1] ** 2 + x[1:] ** 2) ** 2 - 4.0 * x[:-1] + 3.0)


@cute("ENGVAL2", n=3)
def engval2(x):
    x1, x2, x3 = x
    return (
        (x1**2 + x2**2 + x3**2 - 1.0) ** 2
        + (x1**2 + x2**2 + (x3 - 2.0) ** 2 - 1.0) ** 2
        + (x1 + x2 + x3 - 1.0) ** 2
        + (x1 + x2 - x3 + 1.0) ** 2
        + (x1**3 + 3.0 * x2**2 + (5.0 * x3 - x1 + 1.0) ** 2 - 36.0) ** 2
    )


@cute("FLETCBV3")
def fletcbv3(x):
    n = len(x)
    p = 1e-8
    h = 1.0 / (n + 1)
    f = 0.5 * p * (x[0] ** 2 + np.sum((x[:-1] - x[1:]) ** 2) + x[-1] ** 2)
    f -= p * np.sum((h**2 + 2.0) / h**2 * x + np.cos(x) / h**2)
    return f


@cute("FLETCHCR")
def fletchcr(x):
    return np.sum(100.0 * (x[1:] - x[:-1] + 1.0 - x[:-1] ** 2) ** 2)


@cute("FREUROTH")
def freuroth(x):
    f = 0.0
    for i in range(len(x) - 1):
        f += (-13.0 + x[i] + ((5.0 - x[i + 1]) * x[i + 1] - 2.0) * x[i + 1]) ** 2
        f += (-29.0 + x[i] + ((x[i + 1] + 1.0) * x[i + 1] - 14.0) * x[i + 1]) ** 2
    return f


@cute("GENROSE")
def genrose(x):
    return 1.0 + np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (x[1:] - 1.0) ** 2)


@cute("LIARWHD")
def liarwhd(x):
    return np.sum(4.0 * (x**2 - x[0]) ** 2 + (x - 1.0) ** 2)


@cute("NONDIA")
def nondia(x):
    return (x[0] - 1.0) ** 2 + np.sum(100.0 * (x[0] - x[:-1] ** 2) ** 2)


@cute("NONDQUAR")
def nondquar(x):
    n = len(x)
    f = (x[0] - x[1]) ** 2 + (x[n - 2] + x[n - 1]) ** 2
    for i in range(n - 2):
        f += (x[i] + x[i + 1] + x[n - 1]) ** 4
    return f


@cute("POWELLSG")
def powellsg(x):
    f = 0.0
    for i in range(0, len(x), 4):
        f += (x[i] + 10.0 * x[i + 1]) ** 2 + 5.0 * (x[i + 2] - x[i + 3]) ** 2
        f += (x[i + 1] - 2.0 * x[i + 2]) ** 4 + 10.0 * (x[i] - x[i + 3]) ** 4
    return f


@cute("QUARTC")
def quartc(x):
    return np.sum((x - np.arange(1, len(x) + 1)) ** 4)


@cute("SCHMVETT", domain=(0.5, 2.0))
def schmvett(x):
    f = 0.0
    for i in range(len(x) - 2):
        f -= 1.0 / (1.0 + (x[i] - x[i + 1]) ** 2)
        f -= np.sin((np.pi * x[i + 1] + x[i + 2]) / 2.0)
        f -= np.exp(-(((x[i] + x[i + 2]) / x[i + 1] - 2.0) ** 2))
    return f


@cute("SINQUAD")
def sinquad(x):
    n = len(x)
    f = (x[0] - 1.0) ** 4 + (x[n - 1] ** 2 - x[0] ** 2) ** 2
    for i in range(1, n - 1):
        f += (np.sin(x[i] - x[n - 1]) - x[0] ** 2 + x[i] ** 2) ** 2
    return f


@cute("SPARSQUR", n=(5, 10))
def sparsqur(x):
    n = len(x)
    i = np.arange(1, n + 1)
    s = x**2
    for k in (2, 3, 5, 7, 11):
        s = s + x[(k * i - 1) % n] ** 2
    return np.sum(i / 2.0 * s**2)


@cute("SROSENBR")
def srosenbr(x):
    return np.sum(100.0 * (x[1::2] - x[::2] ** 2) ** 2 + (x[::2] - 1.0) ** 2)


@cute("TRIDIA")
def tridia(x):
    i = np.arange(2, len(x) + 1)
    return (x[0] - 1.0) ** 2 + np.sum(i * (2.0 * x[1:] - x[:-1]) ** 2)


@cute("VARDIM")
def vardim(x):
    s = np.sum(np.arange(1, len(x) + 1) * (x - 1.0))
    return np.sum((x - 1.0) ** 2) + s**2 + s**4


@cute("WOODS")
def woods(x):
    f = 0.0
    for i in range(0, len(x), 4):
        a, b, c, d = x[i], x[i + 1], x[i + 2], x[i + 3]
        f += 100.0 * (b - a**2) ** 2 + (1.0 - a) ** 2 + 90.0 * (d - c**2) ** 2 + (1.0 - c) ** 2
        f += 10.0 * (b + d - 2.0) ** 2 + 0.1 * (b - d) ** 2
    return f


@cute("COSINE")
def cosine(x):
    return np.sum(np.cos(-0.5 * x[1:] + x[:-1] ** 2))


@cute("DIXON3DQ")
def dixon3dq(x):
    return (x[0] - 1.0) ** 2 + np.sum((x[1:-1] - x[2:]) ** 2) + (x[-1] - 1.0) ** 2


@cute("EG2")
def eg2(x):
    return np.sum(np.sin(x[0] + x[:-1] ** 2 - 1.0)) + 0.5 * np.sin(x[-1] ** 2)


@cute("INDEF")
def indef(x):
    return np.sum(x) + np.sum(0.5 * np.cos(2.0 * x[1:-1] - x[-1] - x[0]))


@cute("MOREBV (sum of squares)", domain=(-1.0, 1.0))
def morebv(x):
    n = len(x)
    h = 1.0 / (n + 1)
    t = h * np.arange(1, n + 1)
    xp = np.pad(x, 1)
    r = 2.0 * x - xp[:-2] - xp[2:] + 0.5 * h**2 * (x + t + 1.0) ** 3
    return np.dot(r, r)


@cute("NONCVXUN")
def noncvxun(x):
    n = len(x)
    i = np.arange(1, n + 1)
    s = x + x[(2 * i - 1) % n] + x[(3 * i - 1) % n]
    return np.sum(s**2 + 4.0 * np.cos(s))


@cute("PENALTY1 (scalar)")
def penalty1_scalar(x):
    return 1e-5 * np.sum((x - 1.0) ** 2) + (np.sum(x**2) - 0.25) ** 2


@cute("POWER")
def power(x):
    return np.sum((np.arange(1, len(x) + 1) * x) ** 2)


@cute("TOINTGSS")
def tointgss(x):
    n = len(x)
    f = 0.0
    for i in range(n - 2):
        f += (10.0 / (n + 2) + x[i + 2] ** 2) * (
            2.0 - np.exp(-((x[i] - x[i + 1]) ** 2) / (0.1 + x[i + 2] ** 2))
        )
    return f


@cute("TQUARTIC")
def tquartic(x):
    return (x[0] - 1.0) ** 2 + np.sum((x[0] ** 2 - x[1:] ** 2) ** 2)


@cute("EXTROSNB")
def extrosnb(x):
    return (x[0] - 1.0) ** 2 + np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2)


@cute("HILBERTA", n=(4, 6))
def hilberta(x):
    n = len(x)
    i = np.arange(1, n + 1)
    H = 1.0 / (i[:, None] + i[None, :] - 1.0)
    return 0.5 * x @ H @ x


@cute("DENSCHNA", n=2)
def denschna(x):
    return x[0] ** 4 + (x[0] + x[1]) ** 2 + (-1.0 + np.exp(x[1])) ** 2


@cute("DENSCHNB", n=2)
def denschnb(x):
    return (x[0] - 2.0) ** 2 + (x[0] - 2.0) ** 2 * x[1] ** 2 + (x[1] + 1.0) ** 2


@cute("DENSCHNC", n=2)
def denschnc(x):
    return (-2.0 + x[0] ** 2 + x[1] ** 2) ** 2 + (-2.0 + np.exp(x[0] - 1.0) + x[1] ** 3) ** 2


@cute("DENSCHNF", n=2)
def denschnf(x):
    return (2.0 * (x[0] + x[1]) ** 2 + (x[0] - x[1]) ** 2 - 8.0) ** 2 + (
        5.0 * x[0] ** 2 + (x[1] - 3.0) ** 2 - 9.0
    ) ** 2


@cute("HIMMELBH", n=2)
def himmelbh(x):
    return -3.0 * x[0] - 2.0 * x[1] + 2.0 + x[0] ** 3 + x[1] ** 2


@cute("DIXMAANA-like quadratic DIAGONAL (DQRTIC)")
def dqrtic(x):
    f = 0.0
    for i in range(len(x)):
        f = f + (x[i] - (i + 1.0)) ** 4
    return f
