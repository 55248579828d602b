"""Jamil & Yang (2013), functions 100-175 of the survey's list (the survey's number is
the reference), written from the survey's formulas."""

import numpy as np

from . import register

SC = (3, 6)


def jy(k, n=2, **kw):
    return register("JY", f"function {k}", "scalar", n, **kw)


@jy(100)
def rotated_ellipse(x):
    return 7 * x[0] ** 2 - 6 * np.sqrt(3) * x[0] * x[1] + 13 * x[1] ** 2


@jy(101)
def rotated_ellipse2(x):
    return x[0] ** 2 - x[0] * x[1] + x[1] ** 2


@jy(102, domain=(0.5, 2.0))
def rump(x):
    return (
        (333.75 - x[0] ** 2) * x[1] ** 6
        + x[0] ** 2 * (11 * x[0] ** 2 * x[1] ** 2 - 121 * x[1] ** 4 - 2)
        + 5.5 * x[1] ** 8
        + x[0] / (2 * x[1])
    )


@jy(103, SC)
def salomon(x):
    r = np.sqrt(np.sum(x**2))
    return 1 - np.cos(2 * np.pi * r) + 0.1 * r


@jy(104, SC)
def sargan(x):
    n = len(x)
    f = 0.0
    for i in range(n):
        s = 0.0
        for j in range(n):
            if j != i:
                s += x[i] * x[j]
        f += n * (x[i] ** 2 + 0.4 * s)
    return f


@jy(105)
def schaffer1(x):
    r = x[0] ** 2 + x[1] ** 2
    return 0.5 + (np.sin(r) ** 2 - 0.5) / (1 + 0.001 * r) ** 2


@jy(106)
def schaffer2(x):
    return (
        0.5
        + (np.sin(x[0] ** 2 - x[1] ** 2) ** 2 - 0.5) / (1 + 0.001 * (x[0] ** 2 + x[1] ** 2)) ** 2
    )


@jy(107)
def schaffer3(x):
    num = np.sin(np.cos(np.abs(x[0] ** 2 - x[1] ** 2))) ** 2 - 0.5
    return 0.5 + num / (1 + 0.001 * (x[0] ** 2 + x[1] ** 2)) ** 2


@jy(108)
def schaffer4(x):
    num = np.cos(np.sin(x[0] ** 2 - x[1] ** 2)) ** 2 - 0.5
    return 0.5 + num / (1 + 0.001 * (x[0] ** 2 + x[1] ** 2)) ** 2


@jy(109, 3, domain=(0.5, 2.0))
def schmidt_vetters(x):
    return (
        1 / (1 + (x[0] - x[1]) ** 2)
        + np.sin((np.pi * x[1] + x[2]) / 2)
        + np.exp(((x[0] + x[1]) / x[1] - 2) ** 2)
    )


@jy(110, SC)
def schumer_steiglitz(x):
    return np.sum(x**4)


@jy(111, SC)
def schwefel(x):
    return np.sum(x**2) ** np.sqrt(np.pi)


@jy(112, SC)
def schwefel_1_2(x):
    return np.sum(np.cumsum(x) ** 2)


@jy(113, SC)
def schwefel_2_4(x):
    return np.sum((x - 1) ** 2 + (x[0] - x**2) ** 2)


@jy(114)
def schwefel_2_6(x):
    return np.max([np.abs(x[0] + 2 * x[1] - 7), np.abs(2 * x[0] + x[1] - 5)])


@jy(115, SC)
def schwefel_2_20(x):
    return np.sum(np.abs(x))


@jy(116, SC)
def schwefel_2_21(x):
    return np.max(np.abs(x))


@jy(117, SC)
def schwefel_2_22(x):
    return np.sum(np.abs(x)) + np.prod(np.abs(x))


@jy(118, SC)
def schwefel_2_23(x):
    return np.sum(x**10)


@jy(119, SC)
def schwefel_2_25(x):
    return np.sum((x[1:] - 1) ** 2 + (x[0] - x[1:] ** 2) ** 2)


@jy(120, SC, domain=(1.0, 400.0))
def schwefel_2_26(x):
    return -np.sum(x * np.sin(np.sqrt(np.abs(x)))) / len(x)


@jy(121, domain=(0.0, 10.0))
def schwefel_2_36(x):
    return -x[0] * x[1] * (72 - 2 * x[0] - 2 * x[1])


SHEKEL_A = [[4, 4, 4, 4], [1, 1, 1, 1], [8, 8, 8, 8], [6, 6, 6, 6], [3, 7, 3, 7]]
SHEKEL_A += [[2, 9, 2, 9], [5, 5, 3, 3], [8, 1, 8, 1], [6, 2, 6, 2], [7, 3.6, 7, 3.6]]
SHEKEL_C = [0.1, 0.2, 0.2, 0.4, 0.4, 0.6, 0.3, 0.7, 0.5, 0.5]


def _shekel(m):
    def shekel(x):
        A = np.array(SHEKEL_A[:m], dtype=float)
        c = np.array(SHEKEL_C[:m])
        return -np.sum(1.0 / (np.sum((x - A) ** 2, axis=1) + c))

    return shekel


for _k, _m in ((125, 5), (126, 7), (124, 10)):
    jy(_k, 4, domain=(0.0, 10.0), name=f"shekel{_m}")(_shekel(_m))


@jy(133)
def shubert(x):
    j = np.arange(1, 6)
    return np.prod([np.sum(j * np.cos((j + 1) * x[i] + j)) for i in range(len(x))])


@jy(134, SC)
def shubert3(x):
    f = 0.0
    for i in range(len(x)):
        for j in range(1, 6):
            f += j * np.sin((j + 1) * x[i] + j)
    return f


@jy(135, SC)
def shubert4(x):
    j = np.arange(1, 6)
    return np.sum(j[None, :] * np.cos((j[None, :] + 1) * x[:, None] + j[None, :]))


@jy(136)
def schaffer_f6(x):
    r = x[0] ** 2 + x[1] ** 2
    return 0.5 + (np.sin(np.sqrt(r)) ** 2 - 0.5) / (1 + 0.001 * r) ** 2


@jy(137, SC)
def sphere(x):
    return np.sum(x**2)


@jy(138, SC, domain=(-5.0, 5.0))
def step(x):
    return np.sum(np.floor(x + 0.5) ** 2)


@jy(140, SC, domain=(-5.0, 5.0))
def stepint(x):
    return 25 + np.sum(np.floor(x))


@jy(141, SC)
def stretched_v_sine_wave(x):
    r = x[:-1] ** 2 + x[1:] ** 2
    return np.sum(r**0.25 * (np.sin(50 * r**0.1) ** 2 + 0.1))


@jy(142, SC)
def sum_squares(x):
    return np.sum(np.arange(1, len(x) + 1) * x**2)


@jy(144, SC)
def styblinski_tang(x):
    return 0.5 * np.sum(x**4 - 16 * x**2 + 5 * x)


@jy(146, domain=(-10.0, 10.0))
def table_holder1(x):
    return -np.abs(
        np.cos(x[0]) * np.cos(x[1]) * np.exp(np.abs(1 - np.sqrt(x[0] ** 2 + x[1] ** 2) / np.pi))
    )


@jy(149)
def testtube_holder(x):
    return -4 * np.abs(
        np.sin(x[0]) * np.cos(x[1]) * np.exp(np.abs(np.cos((x[0] ** 2 + x[1] ** 2) / 200)))
    )


@jy(150)
def trecanni(x):
    return x[0] ** 4 + 4 * x[0] ** 3 + 4 * x[0] ** 2 + x[1] ** 2


@jy(151)
def trefethen(x):
    return (
        0.25 * x[0] ** 2
        + 0.25 * x[1] ** 2
        + np.exp(np.sin(50 * x[0]))
        - np.sin(10 * x[0] + 10 * x[1])
        + np.sin(60 * np.exp(x[1]))
        + np.sin(70 * np.sin(x[0]))
        + np.sin(np.sin(80 * x[1]))
    )


@jy(152, 6)
def trid6(x):
    return np.sum((x - 1) ** 2) - np.sum(x[1:] * x[:-1])


@jy(154, SC)
def trigonometric1(x):
    n = len(x)
    i = np.arange(1, n + 1)
    return np.sum((n - np.sum(np.cos(x)) + i * (1 - np.cos(x) - np.sin(x))) ** 2)


@jy(155, SC)
def trigonometric2(x):
    return 1 + np.sum(
        8 * np.sin(7 * (x - 0.9) ** 2) ** 2
        + 6 * np.sin(14 * (x[0] - 0.9) ** 2) ** 2
        + (x - 0.9) ** 2
    )


@jy(156, domain=(-10.0, 10.0))
def tripod(x):
    p1 = np.where(x[0] >= 0, 1.0, 0.0)
    p2 = np.where(x[1] >= 0, 1.0, 0.0)
    return p2 * (1 + p1) + np.abs(x[0] + 50 * p2 * (1 - 2 * p1)) + np.abs(x[1] + 50 * (1 - 2 * p2))


@jy(157)
def ursem1(x):
    return -np.sin(2 * x[0] - 0.5 * np.pi) - 3 * np.cos(x[1]) - 0.5 * x[0]


@jy(159)
def ursem4(x):
    return -3 * np.sin(0.5 * np.pi * x[0] + 0.5 * np.pi) * (2 - np.sqrt(x[0] ** 2 + x[1] ** 2)) / 4


@jy(160)
def ursem_waves(x):
    return (
        -0.9 * x[0] ** 2
        + (x[1] ** 2 - 4.5 * x[1] ** 2) * x[0] * x[1]
        + 4.7 * np.cos(3 * x[0] - x[1] ** 2 * (2 + x[0])) * np.sin(2.5 * np.pi * x[0])
    )


@jy(161, domain=(-10.0, 10.0))
def venter_sobieski(x):
    return (
        x[0] ** 2 - 100 * np.cos(x[0]) ** 2 - 100 * np.cos(x[0] ** 2 / 30)
        + x[1] ** 2 - 100 * np.cos(x[1]) ** 2 - 100 * np.cos(x[1] ** 2 / 30)
    )  # fmt: skip


@jy(162)
def wayburn_seader1(x):
    return (x[0] ** 6 + x[1] ** 4 - 17) ** 2 + (2 * x[0] + x[1] - 4) ** 2


@jy(163)
def wayburn_seader2(x):
    return (1.613 - 4 * (x[0] - 0.3125) ** 2 - 4 * (x[1] - 1.625) ** 2) ** 2 + (x[1] - 1) ** 2


@jy(164)
def wayburn_seader3(x):
    return (
        2 * x[0] ** 3 / 3 - 8 * x[0] ** 2 + 33 * x[0] - x[0] * x[1] + 5
        + ((x[0] - 4) ** 2 + (x[1] - 5) ** 2 - 4) ** 2
    )  # fmt: skip


@jy(165, SC)
def wavy(x):
    return 1 - np.mean(np.cos(10 * x) * np.exp(-(x**2) / 2))


@jy(167, SC)
def whitley(x):
    xi = x[:, None]
    xj = x[None, :]
    t = 100 * (xi**2 - xj) ** 2 + (1 - xj) ** 2
    return np.sum(t**2 / 4000 - np.cos(t) + 1)


@jy(168, 3, domain=(0.5, 2.0))
def wolfe(x):
    return 4 / 3 * (x[0] ** 2 + x[1] ** 2 - x[0] * x[1]) ** 0.75 + x[2]


@jy(170, SC)
def xin_she_yang2(x):
    return np.sum(np.abs(x)) * np.exp(-np.sum(np.sin(x**2)))


@jy(171, SC)
def xin_she_yang3(x):
    beta, m = 15.0, 5
    return np.exp(-np.sum((x / beta) ** (2 * m))) - 2 * np.exp(-np.sum(x**2)) * np.prod(
        np.cos(x) ** 2
    )


@jy(172, SC)
def xin_she_yang4(x):
    return (np.sum(np.sin(x) ** 2) - np.exp(-np.sum(x**2))) * np.exp(
        -np.sum(np.sin(np.sqrt(np.abs(x))) ** 2)
    )


@jy(173, SC)
def zakharov(x):
    s = np.sum(0.5 * np.arange(1, len(x) + 1) * x)
    return np.sum(x**2) + s**2 + s**4


@jy(174)
def zettl(x):
    return (x[0] ** 2 + x[1] ** 2 - 2 * x[0]) ** 2 + 0.25 * x[0]


@jy(175)
def zirilli(x):
    return 0.25 * x[0] ** 4 - 0.5 * x[0] ** 2 + 0.1 * x[0] + 0.5 * x[1] ** 2
