"""Hock & Schittkowski (1981) test problems: objective functions (scalar) and the
equality/inequality constraint functions (vector, written as ``np.array([c1, c2, ...])``
the way a Python transcription of the book's table lists them). Problem numbers are
the book's; formulas from the book."""

import numpy as np

from . import register

POS = (0.5, 2.5)


def obj(k, n, **kw):
    kw.setdefault("domain", POS)
    return register("HS", f"problem {k}, objective", "scalar", n, **kw)


def con(k, n, **kw):
    kw.setdefault("domain", POS)
    return register("HS", f"problem {k}, constraints", "vector", n, **kw)


@obj(1, 2)
def hs001(x):
    return 100.0 * (x[1] - x[0] ** 2) ** 2 + (1.0 - x[0]) ** 2


@obj(3, 2)
def hs003(x):
    return x[1] + 1e-5 * (x[1] - x[0]) ** 2


@obj(4, 2)
def hs004(x):
    return (x[0] + 1.0) ** 3 / 3.0 + x[1]


@obj(5, 2)
def hs005(x):
    return np.sin(x[0] + x[1]) + (x[0] - x[1]) ** 2 - 1.5 * x[0] + 2.5 * x[1] + 1.0


@con(6, 2)
def hs006_c(x):
    return np.array([10.0 * (x[1] - x[0] ** 2)])


@obj(7, 2)
def hs007(x):
    return np.log(1.0 + x[0] ** 2) - x[1]


@con(7, 2)
def hs007_c(x):
    return np.array([(1.0 + x[0] ** 2) ** 2 + x[1] ** 2 - 4.0])


@con(8, 2)
def hs008_c(x):
    return np.array([x[0] ** 2 + x[1] ** 2 - 25.0, x[0] * x[1] - 9.0])


@obj(9, 2)
def hs009(x):
    return np.sin(np.pi * x[0] / 12.0) * np.cos(np.pi * x[1] / 16.0)


@con(10, 2)
def hs010_c(x):
    return np.array([-3.0 * x[0] ** 2 + 2.0 * x[0] * x[1] - x[1] ** 2 + 1.0])


@obj(11, 2)
def hs011(x):
    return (x[0] - 5.0) ** 2 + x[1] ** 2 - 25.0


@obj(12, 2)
def hs012(x):
    return 0.5 * x[0] ** 2 + x[1] ** 2 - x[0] * x[1] - 7.0 * x[0] - 7.0 * x[1]


@con(12, 2)
def hs012_c(x):
    return np.array([25.0 - 4.0 * x[0] ** 2 - x[1] ** 2])


@con(13, 2)
def hs013_c(x):
    return np.array([(1.0 - x[0]) ** 3 - x[1]])


@con(14, 2)
def hs014_c(x):
    return np.array([x[0] - 2.0 * x[1] + 1.0, -(x[0] ** 2) / 4.0 - x[1] ** 2 + 1.0])


@con(15, 2)
def hs015_c(x):
    return np.array([x[0] * x[1] - 1.0, x[0] + x[1] ** 2])


@con(16, 2)
def hs016_c(x):
    return np.array([x[0] + x[1] ** 2, x[0] ** 2 + x[1]])


@obj(18, 2)
def hs018(x):
    return 0.01 * x[0] ** 2 + x[1] ** 2


@obj(19, 2)
def hs019(x):
    return (x[0] - 10.0) ** 3 + (x[1] - 20.0) ** 3


@con(19, 2)
def hs019_c(x):
    return np.array(
        [
            (x[0] - 5.0) ** 2 + (x[1] - 5.0) ** 2 - 100.0,
            -((x[1] - 5.0) ** 2) - (x[0] - 6.0) ** 2 + 82.81,
        ]
    )


@con(20, 2)
def hs020_c(x):
    return np.array([x[0] + x[1] ** 2, x[0] ** 2 + x[1], x[0] ** 2 + x[1] ** 2 - 1.0])


@con(23, 2)
def hs023_c(x):
    return np.array(
        [
            x[0] + x[1] - 1.0,
            x[0] ** 2 + x[1] ** 2 - 1.0,
            9.0 * x[0] ** 2 + x[1] ** 2 - 9.0,
            x[0] ** 2 - x[1],
            x[1] ** 2 - x[0],
        ]
    )


@obj(24, 2)
def hs024(x):
    return ((x[0] - 3.0) ** 2 - 9.0) * x[1] ** 3 / (27.0 * np.sqrt(3.0))


def hs025_draw(rng, n):
    return np.array([rng.uniform(10, 100), rng.uniform(5, 20), rng.uniform(0.5, 3)])


@obj(25, 3, draw=hs025_draw)
def hs025(x):
    s = 0.0
    for i in range(1, 100):
        u = 25.0 + (-50.0 * np.log(0.01 * i)) ** (2.0 / 3.0)
        s = s + (-0.01 * i + np.exp(-((u - x[1]) ** x[2]) / x[0])) ** 2
    return s


@obj(26, 3)
def hs026(x):
    return (x[0] - x[1]) ** 2 + (x[1] - x[2]) ** 4


@con(26, 3)
def hs026_c(x):
    return np.array([(1.0 + x[1] ** 2) * x[0] + x[2] ** 4 - 3.0])


@obj(27, 3)
def hs027(x):
    return 0.01 * (x[0] - 1.0) ** 2 + (x[1] - x[0] ** 2) ** 2


@obj(28, 3)
def hs028(x):
    return (x[0] + x[1]) ** 2 + (x[1] + x[2]) ** 2


@obj(29, 3)
def hs029(x):
    return -x[0] * x[1] * x[2]


@con(29, 3)
def hs029_c(x):
    return np.array([-(x[0] ** 2) - 2.0 * x[1] ** 2 - 4.0 * x[2] ** 2 + 48.0])


@obj(31, 3)
def hs031(x):
    return 9.0 * x[0] ** 2 + x[1] ** 2 + 9.0 * x[2] ** 2


@obj(32, 3)
def hs032(x):
    return (x[0] + 3.0 * x[1] + x[2]) ** 2 + 4.0 * (x[0] - x[1]) ** 2


@con(32, 3)
def hs032_c(x):
    return np.array([6.0 * x[1] + 4.0 * x[2] - x[0] ** 3 - 3.0, 1.0 - x[0] - x[1] - x[2]])


@obj(33, 3)
def hs033(x):
    return (x[0] - 1.0) * (x[0] - 2.0) * (x[0] - 3.0) + x[2]


@con(33, 3)
def hs033_c(x):
    return np.array([x[2] ** 2 - x[1] ** 2 - x[0] ** 2, x[0] ** 2 + x[1] ** 2 + x[2] ** 2 - 4.0])


@con(34, 3)
def hs034_c(x):
    return np.array([x[1] - np.exp(x[0]), x[2] - np.exp(x[1])])


@obj(35, 3)
def hs035(x):
    return (
        9.0 - 8.0 * x[0] - 6.0 * x[1] - 4.0 * x[2]
        + 2.0 * x[0] ** 2 + 2.0 * x[1] ** 2 + x[2] ** 2 + 2.0 * x[0] * x[1] + 2.0 * x[0] * x[2]
    )  # fmt: skip


@obj(38, 4)
def hs038(x):
    return (
        100.0 * (x[1] - x[0] ** 2) ** 2
        + (1.0 - x[0]) ** 2
        + 90.0 * (x[3] - x[2] ** 2) ** 2
        + (1.0 - x[2]) ** 2
        + 10.1 * ((x[1] - 1.0) ** 2 + (x[3] - 1.0) ** 2)
        + 19.8 * (x[1] - 1.0) * (x[3] - 1.0)
    )


@con(39, 4)
def hs039_c(x):
    return np.array([x[1] - x[0] ** 3 - x[2] ** 2, x[0] ** 2 - x[1] - x[3] ** 2])


@obj(40, 4)
def hs040(x):
    return -x[0] * x[1] * x[2] * x[3]


@con(40, 4)
def hs040_c(x):
    return np.array([x[0] ** 3 + x[1] ** 2 - 1.0, x[0] ** 2 * x[3] - x[2], x[3] ** 2 - x[1]])


@obj(41, 4)
def hs041(x):
    return 2.0 - x[0] * x[1] * x[2]


@obj(42, 4)
def hs042(x):
    return (x[0] - 1.0) ** 2 + (x[1] - 2.0) ** 2 + (x[2] - 3.0) ** 2 + (x[3] - 4.0) ** 2


@obj(43, 4)
def hs043(x):
    return (
        x[0] ** 2 + x[1] ** 2 + 2.0 * x[2] ** 2 + x[3] ** 2
        - 5.0 * x[0] - 5.0 * x[1] - 21.0 * x[2] + 7.0 * x[3]
    )  # fmt: skip


@con(43, 4)
def hs043_c(x):
    g = np.zeros(3)
    g[0] = 8 - x[0] ** 2 - x[1] ** 2 - x[2] ** 2 - x[3] ** 2 - x[0] + x[1] - x[2] + x[3]
    g[1] = 10 - x[0] ** 2 - 2 * x[1] ** 2 - x[2] ** 2 - 2 * x[3] ** 2 + x[0] + x[3]
    g[2] = 5 - 2 * x[0] ** 2 - x[1] ** 2 - x[2] ** 2 - 2 * x[0] + x[1] + x[3]
    return g


@obj(44, 4)
def hs044(x):
    return x[0] - x[1] - x[2] - x[0] * x[2] + x[0] * x[3] + x[1] * x[2] - x[1] * x[3]


@obj(45, 5)
def hs045(x):
    return 2.0 - x[0] * x[1] * x[2] * x[3] * x[4] / 120.0


@obj(46, 5)
def hs046(x):
    return (x[0] - x[1]) ** 2 + (x[2] - 1.0) ** 2 + (x[3] - 1.0) ** 4 + (x[4] - 1.0) ** 6


@con(46, 5)
def hs046_c(x):
    return np.array(
        [x[0] ** 2 * x[3] + np.sin(x[3] - x[4]) - 1.0, x[1] + x[2] ** 4 * x[3] ** 2 - 2.0]
    )


@obj(47, 5)
def hs047(x):
    return (x[0] - x[1]) ** 2 + (x[1] - x[2]) ** 3 + (x[2] - x[3]) ** 4 + (x[3] - x[4]) ** 4


@con(47, 5)
def hs047_c(x):
    return np.array(
        [x[0] + x[1] ** 2 + x[2] ** 3 - 3.0, x[1] - x[2] ** 2 + x[3] - 1.0, x[0] * x[4] - 1.0]
    )


@obj(48, 5)
def hs048(x):
    return (x[0] - 1.0) ** 2 + (x[1] - x[2]) ** 2 + (x[3] - x[4]) ** 2


@obj(49, 5)
def hs049(x):
    return (x[0] - x[1]) ** 2 + (x[2] - 1.0) ** 2 + (x[3] - 1.0) ** 4 + (x[4] - 1.0) ** 6


@obj(50, 5)
def hs050(x):
    return (x[0] - x[1]) ** 2 + (x[1] - x[2]) ** 2 + (x[2] - x[3]) ** 4 + (x[3] - x[4]) ** 2


@obj(51, 5)
def hs051(x):
    return (x[0] - x[1]) ** 2 + (x[1] + x[2] - 2.0) ** 2 + (x[3] - 1.0) ** 2 + (x[4] - 1.0) ** 2


@obj(52, 5)
def hs052(x):
    return (4 * x[0] - x[1]) ** 2 + (x[1] + x[2] - 2.0) ** 2 + (x[3] - 1.0) ** 2 + (x[4] - 1) ** 2


@obj(55, 6)
def hs055(x):
    return x[0] + 2.0 * x[1] + 4.0 * x[4] + np.exp(x[0] * x[3])


@con(56, 7)
def hs056_c(x):
    s = np.sin(x[3:]) ** 2
    return np.array(
        [
            x[0] - 4.2 * s[0],
            x[1] - 4.2 * s[1],
            x[2] - 4.2 * s[2],
            x[0] + 2.0 * x[1] + 2.0 * x[2] - 7.2 * s[3],
        ]
    )


@obj(60, 3)
def hs060(x):
    return (x[0] - 1.0) ** 2 + (x[0] - x[1]) ** 2 + (x[1] - x[2]) ** 4


@con(60, 3)
def hs060_c(x):
    return np.array([x[0] * (1.0 + x[1] ** 2) + x[2] ** 4 - 4.0 - 3.0 * np.sqrt(2.0)])


@obj(61, 3)
def hs061(x):
    return 4 * x[0] ** 2 + 2 * x[1] ** 2 + 2 * x[2] ** 2 - 33 * x[0] + 16 * x[1] - 24 * x[2]


@con(61, 3)
def hs061_c(x):
    return np.array([3.0 * x[0] - 2.0 * x[1] ** 2 - 7.0, 4.0 * x[0] - x[2] ** 2 - 11.0])


@obj(62, 3)
def hs062(x):
    b3 = x[2] + 0.03
    b2 = b3 + x[1]
    b1 = b2 + x[0]
    c1 = b1 / (0.09 * x[0] + x[1] + x[2] + 0.03)
    c2 = b2 / (0.07 * x[1] + x[2] + 0.03)
    c3 = b3 / (0.13 * x[2] + 0.03)
    return -32.174 * (255.0 * np.log(c1) + 280.0 * np.log(c2) + 290.0 * np.log(c3))


@obj(63, 3)
def hs063(x):
    return 1000.0 - x[0] ** 2 - 2.0 * x[1] ** 2 - x[2] ** 2 - x[0] * x[1] - x[0] * x[2]


@obj(64, 3)
def hs064(x):
    return (
        5.0 * x[0] + 50000.0 / x[0] + 20.0 * x[1] + 72000.0 / x[1] + 10.0 * x[2] + 144000.0 / x[2]
    )


@con(64, 3)
def hs064_c(x):
    return np.array([1.0 - 4.0 / x[0] - 32.0 / x[1] - 120.0 / x[2]])


@obj(65, 3)
def hs065(x):
    return (x[0] - x[1]) ** 2 + (x[0] + x[1] - 10.0) ** 2 / 9.0 + (x[2] - 5.0) ** 2


@obj(71, 4)
def hs071(x):
    return x[0] * x[3] * (x[0] + x[1] + x[2]) + x[2]


@con(71, 4)
def hs071_c(x):
    return np.array([np.prod(x) - 25.0, np.sum(x**2) - 40.0])


@con(72, 4)
def hs072_c(x):
    return np.array(
        [
            0.0401 - 4.0 / x[0] - 2.25 / x[1] - 1.0 / x[2] - 0.25 / x[3],
            0.010085 - 0.16 / x[0] - 0.36 / x[1] - 0.64 / x[2] - 0.64 / x[3],
        ]
    )


@obj(77, 5)
def hs077(x):
    return (
        (x[0] - 1.0) ** 2
        + (x[0] - x[1]) ** 2
        + (x[2] - 1.0) ** 2
        + (x[3] - 1.0) ** 4
        + (x[4] - 1.0) ** 6
    )


@con(77, 5)
def hs077_c(x):
    return np.array(
        [
            x[0] ** 2 * x[3] + np.sin(x[3] - x[4]) - 2.0 * np.sqrt(2.0),
            x[1] + x[2] ** 4 * x[3] ** 2 - 8.0 - np.sqrt(2.0),
        ]
    )


@obj(78, 5)
def hs078(x):
    return np.prod(x)


@con(78, 5)
def hs078_c(x):
    return np.array(
        [np.sum(x**2) - 10.0, x[1] * x[2] - 5.0 * x[3] * x[4], x[0] ** 3 + x[1] ** 3 + 1.0]
    )


@obj(79, 5)
def hs079(x):
    return (
        (x[0] - 1.0) ** 2
        + (x[0] - x[1]) ** 2
        + (x[1] - x[2]) ** 2
        + (x[2] - x[3]) ** 4
        + (x[3] - x[4]) ** 4
    )


@obj(80, 5, domain=(-1.0, 1.0))
def hs080(x):
    return np.exp(x[0] * x[1] * x[2] * x[3] * x[4])


@obj(81, 5, domain=(-1.0, 1.0))
def hs081(x):
    return np.exp(np.prod(x)) - 0.5 * (x[0] ** 3 + x[1] ** 3 + 1.0) ** 2


@obj(100, 7)
def hs100(x):
    return (
        (x[0] - 10.0) ** 2 + 5.0 * (x[1] - 12.0) ** 2 + x[2] ** 4 + 3.0 * (x[3] - 11.0) ** 2
        + 10.0 * x[4] ** 6 + 7.0 * x[5] ** 2 + x[6] ** 4
        - 4.0 * x[5] * x[6] - 10.0 * x[5] - 8.0 * x[6]
    )  # fmt: skip


@con(100, 7)
def hs100_c(x):
    g = np.zeros(4)
    g[0] = 127 - 2 * x[0] ** 2 - 3 * x[1] ** 4 - x[2] - 4 * x[3] ** 2 - 5 * x[4]
    g[1] = 282 - 7 * x[0] - 3 * x[1] - 10 * x[2] ** 2 - x[3] + x[4]
    g[2] = 196 - 23 * x[0] - x[1] ** 2 - 6 * x[5] ** 2 + 8 * x[6]
    g[3] = -4 * x[0] ** 2 - x[1] ** 2 + 3 * x[0] * x[1] - 2 * x[2] ** 2 - 5 * x[5] + 11 * x[6]
    return g


@obj(110, 10, domain=(2.5, 9.5))
def hs110(x):
    s = 0.0
    for i in range(10):
        s += np.log(x[i] - 2.0) ** 2 + np.log(10.0 - x[i]) ** 2
    return s - np.prod(x) ** 0.2


@obj(113, 10)
def hs113(x):
    return (
        x[0] ** 2 + x[1] ** 2 + x[0] * x[1] - 14 * x[0] - 16 * x[1] + (x[2] - 10) ** 2
        + 4 * (x[3] - 5) ** 2 + (x[4] - 3) ** 2 + 2 * (x[5] - 1) ** 2 + 5 * x[6] ** 2
        + 7 * (x[7] - 11) ** 2 + 2 * (x[8] - 10) ** 2 + (x[9] - 7) ** 2 + 45
    )  # fmt: skip


@con(113, 10)
def hs113_c(x):
    g = np.zeros(8)
    g[0] = 105 - 4 * x[0] - 5 * x[1] + 3 * x[6] - 9 * x[7]
    g[1] = -10 * x[0] + 8 * x[1] + 17 * x[6] - 2 * x[7]
    g[2] = 8 * x[0] - 2 * x[1] - 5 * x[8] + 2 * x[9] + 12
    g[3] = -3 * (x[0] - 2) ** 2 - 4 * (x[1] - 3) ** 2 - 2 * x[2] ** 2 + 7 * x[3] + 120
    g[4] = -5 * x[0] ** 2 - 8 * x[1] - (x[2] - 6) ** 2 + 2 * x[3] + 40
    g[5] = -0.5 * (x[0] - 8) ** 2 - 2 * (x[1] - 4) ** 2 - 3 * x[4] ** 2 + x[5] + 30
    g[6] = -(x[0] ** 2) - 2 * (x[1] - 2) ** 2 + 2 * x[0] * x[1] - 14 * x[4] + 6 * x[5]
    g[7] = 3 * x[0] - 6 * x[1] - 12 * (x[8] - 8) ** 2 + 7 * x[9]
    return g
