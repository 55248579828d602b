"""Global-optimization benchmark functions from the survey of Jamil & Yang (2013),
functions 1-99 of its list (the survey's number is the reference), written from the
survey's formulas the way such benchmark collections write them in numpy."""

import numpy as np

from . import register

SC = (3, 6)  # sizes of the scalable functions


def jy(k, n=2, **kw):
    return register("JY", f"function {k}", "scalar", n, **kw)


@jy(1, SC)
def ackley1(x):
    n = len(x)
    return (
        -20.0 * np.exp(-0.02 * np.sqrt(np.sum(x**2) / n))
        - np.exp(np.sum(np.cos(2 * np.pi * x)) / n)
        + 20.0
        + np.e
    )


@jy(2)
def ackley2(x):
    return -200.0 * np.exp(-0.02 * np.sqrt(x[0] ** 2 + x[1] ** 2))


@jy(3)
def ackley3(x):
    return -200.0 * np.exp(-0.02 * np.sqrt(x[0] ** 2 + x[1] ** 2)) + 5.0 * np.exp(
        np.cos(3 * x[0]) + np.sin(3 * x[1])
    )


@jy(4, SC)
def ackley4(x):
    f = 0.0
    for i in range(len(x) - 1):
        f += np.exp(-0.2) * np.sqrt(x[i] ** 2 + x[i + 1] ** 2) + 3.0 * (
            np.cos(2 * x[i]) + np.sin(2 * x[i + 1])
        )
    return f


@jy(5)
def adjiman(x):
    return np.cos(x[0]) * np.sin(x[1]) - x[0] / (x[1] ** 2 + 1.0)


@jy(6, SC)
def alpine1(x):
    return np.sum(np.abs(x * np.sin(x) + 0.1 * x))


@jy(7, SC, domain=(0.5, 8.0))
def alpine2(x):
    return np.prod(np.sqrt(x) * np.sin(x))


@jy(9)
def bartels_conn(x):
    return np.abs(x[0] ** 2 + x[1] ** 2 + x[0] * x[1]) + np.abs(np.sin(x[0])) + np.abs(np.cos(x[1]))


@jy(10)
def beale_scalar(x):
    return (
        (1.5 - x[0] + x[0] * x[1]) ** 2
        + (2.25 - x[0] + x[0] * x[1] ** 2) ** 2
        + (2.625 - x[0] + x[0] * x[1] ** 3) ** 2
    )


@jy(11, domain=(0.5, 5.0))
def biggs_exp2(x):
    f = 0.0
    for i in range(1, 11):
        t = 0.1 * i
        y = np.exp(-t) - 5.0 * np.exp(-10.0 * t)
        f += (np.exp(-t * x[0]) - 5.0 * np.exp(-t * x[1]) - y) ** 2
    return f


@jy(12, 3, domain=(0.5, 5.0))
def biggs_exp3(x):
    t = 0.1 * np.arange(1, 11)
    y = np.exp(-t) - 5.0 * np.exp(-10.0 * t)
    return np.sum((np.exp(-t * x[0]) - x[2] * np.exp(-t * x[1]) - y) ** 2)


@jy(13, 4, domain=(0.5, 5.0))
def biggs_exp4(x):
    t = 0.1 * np.arange(1, 11)
    y = np.exp(-t) - 5.0 * np.exp(-10.0 * t)
    return np.sum((x[2] * np.exp(-t * x[0]) - x[3] * np.exp(-t * x[1]) - y) ** 2)


@jy(14, 5, domain=(0.5, 5.0))
def biggs_exp5(x):
    t = 0.1 * np.arange(1, 12)
    y = np.exp(-t) - 5.0 * np.exp(-10.0 * t) + 3.0 * np.exp(-4.0 * t)
    r = x[2] * np.exp(-t * x[0]) - x[3] * np.exp(-t * x[1]) + 3.0 * np.exp(-t * x[4]) - y
    return np.sum(r**2)


@jy(16)
def bird(x):
    return (
        np.sin(x[0]) * np.exp((1.0 - np.cos(x[1])) ** 2)
        + np.cos(x[1]) * np.exp((1.0 - np.sin(x[0])) ** 2)
        + (x[0] - x[1]) ** 2
    )


@jy(17)
def bohachevsky1(x):
    return (
        x[0] ** 2
        + 2 * x[1] ** 2
        - 0.3 * np.cos(3 * np.pi * x[0])
        - 0.4 * np.cos(4 * np.pi * x[1])
        + 0.7
    )


@jy(18)
def bohachevsky2(x):
    return (
        x[0] ** 2 + 2 * x[1] ** 2 - 0.3 * np.cos(3 * np.pi * x[0]) * np.cos(4 * np.pi * x[1]) + 0.3
    )


@jy(19)
def bohachevsky3(x):
    return x[0] ** 2 + 2 * x[1] ** 2 - 0.3 * np.cos(3 * np.pi * x[0] + 4 * np.pi * x[1]) + 0.3


@jy(20)
def booth(x):
    return (x[0] + 2 * x[1] - 7) ** 2 + (2 * x[0] + x[1] - 5) ** 2


@jy(21, 3, domain=(0.9, 1.2))
def box_betts(x):
    f = 0.0
    for i in range(1, 11):
        g = (
            np.exp(-0.1 * i * x[0])
            - np.exp(-0.1 * i * x[1])
            - (np.exp(-0.1 * i) - np.exp(-1.0 * i)) * x[2]
        )
        f += g**2
    return f


@jy(22, domain=(0.0, 10.0))
def branin_rcos(x):
    return (
        (x[1] - 5.1 * x[0] ** 2 / (4 * np.pi**2) + 5 * x[0] / np.pi - 6) ** 2
        + 10 * (1 - 1 / (8 * np.pi)) * np.cos(x[0])
        + 10
    )


@jy(24)
def brent(x):
    return (x[0] + 10) ** 2 + (x[1] + 10) ** 2 + np.exp(-(x[0] ** 2) - x[1] ** 2)


@jy(25, SC, domain=(-1.0, 1.0))
def brown_jy(x):
    f = 0.0
    for i in range(len(x) - 1):
        f += (x[i] ** 2) ** (x[i + 1] ** 2 + 1) + (x[i + 1] ** 2) ** (x[i] ** 2 + 1)
    return f


@jy(26)
def bukin2(x):
    return 100 * (x[1] - 0.01 * x[0] ** 2 + 1) + 0.01 * (x[0] + 10) ** 2


@jy(28)
def bukin6(x):
    return 100 * np.sqrt(np.abs(x[1] - 0.01 * x[0] ** 2)) + 0.01 * np.abs(x[0] + 10)


@jy(29)
def camel_three_hump(x):
    return 2 * x[0] ** 2 - 1.05 * x[0] ** 4 + x[0] ** 6 / 6 + x[0] * x[1] + x[1] ** 2


@jy(30)
def camel_six_hump(x):
    return (
        (4 - 2.1 * x[0] ** 2 + x[0] ** 4 / 3) * x[0] ** 2
        + x[0] * x[1]
        + (4 * x[1] ** 2 - 4) * x[1] ** 2
    )


@jy(31)
def chichinadze(x):
    return (
        x[0] ** 2
        - 12 * x[0]
        + 11
        + 10 * np.cos(np.pi * x[0] / 2)
        + 8 * np.sin(5 * np.pi * x[0] / 2)
        - (1 / 5) ** 0.5 * np.exp(-0.5 * (x[1] - 0.5) ** 2)
    )


@jy(32, SC)
def chung_reynolds(x):
    return np.sum(x**2) ** 2


@jy(34, 4)
def colville(x):
    return (
        100 * (x[0] - x[1] ** 2) ** 2
        + (1 - x[0]) ** 2
        + 90 * (x[3] - x[2] ** 2) ** 2
        + (1 - x[2]) ** 2
        + 10.1 * ((x[1] - 1) ** 2 + (x[3] - 1) ** 2)
        + 19.8 * (x[1] - 1) * (x[3] - 1)
    )


@jy(36, SC)
def cosine_mixture(x):
    return -0.1 * np.sum(np.cos(5 * np.pi * x)) - np.sum(x**2)


@jy(37)
def cross_in_tray(x):
    a = np.abs(100 - np.sqrt(x[0] ** 2 + x[1] ** 2) / np.pi)
    return -0.0001 * (np.abs(np.sin(x[0]) * np.sin(x[1]) * np.exp(a)) + 1) ** 0.1


@jy(38, SC, domain=(0.3, 1.0))
def csendes(x):
    return np.sum(x**6 * (2 + np.sin(1 / x)))


@jy(39)
def cube(x):
    return 100 * (x[1] - x[0] ** 3) ** 2 + (1 - x[0]) ** 2


@jy(41, SC)
def deb1(x):
    return -np.sum(np.sin(5 * np.pi * x) ** 6) / len(x)


@jy(42, SC, domain=(0.2, 1.0))
def deb3(x):
    return -np.sum(np.sin(5 * np.pi * (x**0.75 - 0.05)) ** 6) / len(x)


@jy(43)
def deckkers_aarts(x):
    r = x[0] ** 2 + x[1] ** 2
    return 1e5 * x[0] ** 2 + x[1] ** 2 - r**2 + 1e-5 * r**4


@jy(44, 4, domain=(0.5, 2.0))
def devilliers_glasser1(x):
    f = 0.0
    for i in range(1, 25):
        t = 0.1 * (i - 1)
        y = 60.137 * 1.371**t * np.sin(3.112 * t + 1.761)
        f += (x[0] * x[1] ** t * np.sin(x[2] * t + x[3]) - y) ** 2
    return f


@jy(45, 5, domain=(0.5, 2.0))
def devilliers_glasser2(x):
    t = 0.1 * np.arange(16)
    y = 53.81 * 1.27**t * np.tanh(3.012 * t + np.sin(2.13 * t)) * np.cos(np.exp(0.507) * t)
    m = x[0] * x[1] ** t * np.tanh(x[2] * t + np.sin(x[3] * t)) * np.cos(t * np.exp(x[4]))
    return np.sum((m - y) ** 2)


@jy(46, SC)
def dixon_price(x):
    i = np.arange(2, len(x) + 1)
    return (x[0] - 1) ** 2 + np.sum(i * (2 * x[1:] ** 2 - x[:-1]) ** 2)


@jy(47, 5)
def dolan(x):
    return (
        (x[0] + 1.7 * x[1]) * np.sin(x[0])
        - 1.5 * x[2]
        - 0.1 * x[3] * np.cos(x[3] + x[4] - x[0])
        + 0.2 * x[4] ** 2
        - x[1]
        - 1
    )


@jy(48, domain=(1.0, 5.0))
def easom(x):
    return -np.cos(x[0]) * np.cos(x[1]) * np.exp(-((x[0] - np.pi) ** 2) - (x[1] - np.pi) ** 2)


@jy(49)
def el_attar(x):
    return (
        (x[0] ** 2 + x[1] - 10) ** 2
        + (x[0] + x[1] ** 2 - 7) ** 2
        + (x[0] ** 2 + x[1] ** 3 - 1) ** 2
    )


@jy(50)
def egg_crate(x):
    return x[0] ** 2 + x[1] ** 2 + 25 * (np.sin(x[0]) ** 2 + np.sin(x[1]) ** 2)


@jy(51, SC, domain=(-100.0, 100.0))
def egg_holder(x):
    f = 0.0
    for i in range(len(x) - 1):
        f += -(x[i + 1] + 47) * np.sin(np.sqrt(np.abs(x[i + 1] + x[i] / 2 + 47))) - x[i] * np.sin(
            np.sqrt(np.abs(x[i] - (x[i + 1] + 47)))
        )
    return f


@jy(52, SC, domain=(-1.0, 1.0))
def exponential(x):
    return -np.exp(-0.5 * np.sum(x**2))


@jy(53, domain=(0.5, 5.0))
def exp2(x):
    i = np.arange(10)
    return np.sum(
        (np.exp(-i * x[0] / 10) - 5 * np.exp(-i * x[1] / 10) - np.exp(-i / 10) + 5 * np.exp(-i))
        ** 2
    )


@jy(54)
def freudenstein_roth_scalar(x):
    return (x[0] - 13 + ((5 - x[1]) * x[1] - 2) * x[1]) ** 2 + (
        x[0] - 29 + ((x[1] + 1) * x[1] - 14) * x[1]
    ) ** 2


@jy(55, SC, domain=(-1.0, 1.0))
def giunta(x):
    a = 16.0 / 15.0 * x - 1.0
    return 0.6 + np.sum(np.sin(a) + np.sin(a) ** 2 + np.sin(4 * a) / 50)


@jy(56)
def goldstein_price(x):
    a = 1 + (x[0] + x[1] + 1) ** 2 * (
        19 - 14 * x[0] + 3 * x[0] ** 2 - 14 * x[1] + 6 * x[0] * x[1] + 3 * x[1] ** 2
    )
    b = 30 + (2 * x[0] - 3 * x[1]) ** 2 * (
        18 - 32 * x[0] + 12 * x[0] ** 2 + 48 * x[1] - 36 * x[0] * x[1] + 27 * x[1] ** 2
    )
    return a * b


@jy(57, SC, domain=(-10.0, 10.0))
def griewank(x):
    i = np.arange(1, len(x) + 1)
    return 1 + np.sum(x**2) / 4000 - np.prod(np.cos(x / np.sqrt(i)))


@jy(59)
def hansen(x):
    a = 0.0
    b = 0.0
    for i in range(5):
        a += (i + 1) * np.cos(i * x[0] + i + 1)
        b += (i + 1) * np.cos((i + 2) * x[1] + i + 1)
    return a * b


HART3_A = [[3.0, 10, 30], [0.1, 10, 35], [3.0, 10, 30], [0.1, 10, 35]]
HART3_P = [[0.3689, 0.1170, 0.2673], [0.4699, 0.4387, 0.7470], [0.1091, 0.8732, 0.5547]]
HART3_P += [[0.03815, 0.5743, 0.8828]]
HART_C = [1.0, 1.2, 3.0, 3.2]


@jy(60, 3, domain=(0.0, 1.0))
def hartman3(x):
    A, P, c = np.array(HART3_A), np.array(HART3_P), np.array(HART_C)
    return -np.sum(c * np.exp(-np.sum(A * (x - P) ** 2, axis=1)))


HART6_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8]]
HART6_A += [[17, 8, 0.05, 10, 0.1, 14]]
HART6_P = [[0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886]]
HART6_P += [[0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991]]
HART6_P += [[0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650]]
HART6_P += [[0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381]]


@jy(61, 6, domain=(0.0, 1.0))
def hartman6(x):
    f = 0.0
    for i in range(4):
        s = 0.0
        for j in range(6):
            s += HART6_A[i][j] * (x[j] - HART6_P[i][j]) ** 2
        f -= HART_C[i] * np.exp(-s)
    return f


@jy(63)
def himmelblau(x):
    return (x[0] ** 2 + x[1] - 11) ** 2 + (x[0] + x[1] ** 2 - 7) ** 2


@jy(64, domain=(0.5, 5.0))
def hosaki(x):
    p = 1 - 8 * x[0] + 7 * x[0] ** 2 - 7 / 3 * x[0] ** 3 + 1 / 4 * x[0] ** 4
    return p * x[1] ** 2 * np.exp(-x[1])


@jy(66, domain=(0.5, 5.0))
def keane(x):
    return np.sin(x[0] - x[1]) ** 2 * np.sin(x[0] + x[1]) ** 2 / np.sqrt(x[0] ** 2 + x[1] ** 2)


@jy(68)
def matyas(x):
    return 0.26 * (x[0] ** 2 + x[1] ** 2) - 0.48 * x[0] * x[1]


@jy(70, 4, domain=(-1.0, 1.0))
def miele_cantrell(x):
    return (
        (np.exp(-x[0]) - x[1]) ** 4
        + 100 * (x[1] - x[2]) ** 6
        + np.tan(x[2] - x[3]) ** 4
        + x[0] ** 8
    )


@jy(71, SC, domain=(0.0, 1.0))
def mishra1(x):
    n = len(x)
    g = n - np.sum(x[:-1])
    return (1 + g) ** g


@jy(72, SC, domain=(0.0, 1.0))
def mishra2(x):
    n = len(x)
    g = n - np.sum(0.5 * (x[:-1] + x[1:]))
    return (1 + g) ** g


@jy(73)
def mishra3(x):
    return np.abs(np.cos(np.sqrt(np.abs(x[0] ** 2 + x[1])))) ** 0.5 + 0.01 * (x[0] + x[1])


@jy(74)
def mishra4(x):
    return np.abs(np.sin(np.sqrt(np.abs(x[0] ** 2 + x[1])))) ** 0.5 + 0.01 * (x[0] + x[1])


@jy(75)
def mishra5(x):
    a = np.sin((np.cos(x[0]) + np.cos(x[1])) ** 2) ** 2
    b = np.cos((np.sin(x[0]) + np.sin(x[1])) ** 2) ** 2
    return (a + b + x[0]) ** 2 + 0.01 * (x[0] + x[1])


@jy(76, domain=(1.0, 3.0))
def mishra6(x):
    a = np.sin((np.cos(x[0]) + np.cos(x[1])) ** 2) ** 2
    b = np.cos((np.sin(x[0]) + np.sin(x[1])) ** 2) ** 2
    return -np.log((a - b + x[0]) ** 2) + 0.1 * ((x[0] - 1) ** 2 + (x[1] - 1) ** 2)


@jy(77, SC)
def mishra7(x):
    return (np.prod(x) - np.prod(np.arange(1.0, len(x) + 1))) ** 2


@jy(78)
def mishra8(x):
    a = (
        x[0] ** 10 - 20 * x[0] ** 9 + 180 * x[0] ** 8 - 960 * x[0] ** 7 + 3360 * x[0] ** 6
        - 8064 * x[0] ** 5 + 13340 * x[0] ** 4 - 15360 * x[0] ** 3 + 11520 * x[0] ** 2
        - 5120 * x[0] + 2624
    )  # fmt: skip
    b = x[1] ** 4 + 12 * x[1] ** 3 + 54 * x[1] ** 2 + 108 * x[1] + 81
    return 0.001 * (np.abs(a) * np.abs(b)) ** 2


@jy(81, SC)
def mishra11(x):
    n = len(x)
    return (np.mean(np.abs(x)) - np.prod(np.abs(x)) ** (1.0 / n)) ** 2


@jy(82)
def parsopoulos(x):
    return np.cos(x[0]) ** 2 + np.sin(x[1]) ** 2


@jy(83)
def pen_holder(x):
    a = np.abs(1 - np.sqrt(x[0] ** 2 + x[1] ** 2) / np.pi)
    return -np.exp(-1.0 / np.abs(np.cos(x[0]) * np.cos(x[1]) * np.exp(a)))


@jy(84, SC)
def pathological(x):
    a, b = x[:-1], x[1:]
    num = np.sin(np.sqrt(100 * a**2 + b**2)) ** 2 - 0.5
    den = 1 + 0.001 * (a**2 - 2 * a * b + b**2) ** 2
    return np.sum(0.5 + num / den)


@jy(86, SC)
def pinter(x):
    n = len(x)
    xm = np.roll(x, 1)
    xp = np.roll(x, -1)
    i = np.arange(1, n + 1)
    A = xm * np.sin(x) + np.sin(xp)
    B = xm**2 - 2 * x + 3 * xp - np.cos(x) + 1
    return np.sum(i * x**2) + np.sum(20 * i * np.sin(A) ** 2) + np.sum(i * np.log10(1 + i * B**2))


@jy(87)
def periodic(x):
    return 1 + np.sin(x[0]) ** 2 + np.sin(x[1]) ** 2 - 0.1 * np.exp(-(x[0] ** 2 + x[1] ** 2))


@jy(89, SC, domain=(-1.0, 1.0))
def powell_sum(x):
    f = 0.0
    for i in range(len(x)):
        f += np.abs(x[i]) ** (i + 2)
    return f


@jy(90, domain=(-10.0, 10.0))
def price1(x):
    return (np.abs(x[0]) - 5) ** 2 + (np.abs(x[1]) - 5) ** 2


@jy(92)
def price3(x):
    return 100 * (x[1] - x[0] ** 2) ** 2 + 6 * (6.4 * (x[1] - 0.5) ** 2 - x[0] - 0.6) ** 2


@jy(93)
def price4(x):
    return (2 * x[0] ** 3 * x[1] - x[1] ** 3) ** 2 + (6 * x[0] - x[1] ** 2 + x[1]) ** 2


@jy(94, SC)
def qing(x):
    return np.sum((x**2 - np.arange(1, len(x) + 1)) ** 2)


@jy(95)
def quadratic(x):
    return (
        -3803.84 - 138.08 * x[0] - 232.92 * x[1]
        + 128.08 * x[0] ** 2 + 203.64 * x[1] ** 2 + 182.25 * x[0] * x[1]
    )  # fmt: skip


@jy(96, SC)
def quintic(x):
    return np.sum(np.abs(x**5 - 3 * x**4 + 4 * x**3 + 2 * x**2 - 10 * x - 4))


@jy(97, SC)
def rana(x):
    f = 0.0
    for i in range(len(x) - 1):
        t1 = np.sqrt(np.abs(x[i + 1] + x[i] + 1))
        t2 = np.sqrt(np.abs(x[i + 1] - x[i] + 1))
        f += x[i] * np.sin(t2) * np.cos(t1) + (x[i + 1] + 1) * np.cos(t2) * np.sin(t1)
    return f


@jy(98, SC)
def rastrigin(x):
    return 10 * len(x) + np.sum(x**2 - 10 * np.cos(2 * np.pi * x))
