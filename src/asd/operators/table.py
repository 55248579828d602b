"""The operator table: every scalar instruction of the tape, with its value and derivatives.

This is the only place where a derivative rule is written. Each rule is a small
expression over the argument values ``a``, ``b``, ``c``, the node's own value ``v``
and the node's float parameters ``p``, ``q``. The same expression text serves both
numpy (vectorised, while tracing) and Numba (scalar, inside the generated kernels),
and the sparsity classes used by the detectors are read off the same rows:

* a first partial written ``"0"`` means the argument never influences the node;
* ``global_zero`` gives parameter-only conditions under which a partial is zero
  for every x (``affine`` with ``p == 0``);
* ``local_zero`` gives value conditions under which a partial is zero at the
  current point (``mul``: ``da`` vanishes when ``b == 0``);
* a second partial written ``"0"`` contributes nothing to Hessian detection.

A product whose factor may be exactly zero where the other is infinite (``p * (p - 1)
* a ** (p - 2)`` at ``p == 1, a == 0``; ``v * log(p)`` at ``p == 0``) is written
``zmul(x, y)``: zero wins, as the exact derivative of such a term is zero there.
``zmul`` exists both as a numpy function (below) and as a Numba function in the
generated kernels (``ZMUL_SOURCE``).

Four structural opcodes have no expression: ``input``, ``const`` (value ``p``),
``linear`` (an n-ary weighted sum ``q + sum_k w_k * x[i_k]`` with its terms stored in
the tape's side arrays) and ``param`` (a runtime parameter: its value is read from the
input vector like an input's, but nothing is differentiated with respect to it, so
for derivatives it is a constant); the kernels treat them directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

ARG_NAMES = ("a", "b", "c")
NAME_PATTERN = re.compile(r"\b([abcvpq])\b")


@dataclass(frozen=True)
class Op:
    """One scalar operator: its arity, value and derivative expressions."""

    name: str
    arity: int
    value: str
    first: tuple[str, ...] = ()
    second: dict[tuple[int, int], str] = field(default_factory=dict)
    global_zero: tuple[str | None, ...] = ()
    local_zero: tuple[str | None, ...] = ()

    def first_partial(self, i: int) -> str:
        return self.first[i] if i < len(self.first) else "0"

    def second_partial(self, i: int, j: int) -> str:
        i, j = min(i, j), max(i, j)
        return self.second.get((i, j), "0")

    def global_zero_cond(self, i: int) -> str | None:
        return self.global_zero[i] if i < len(self.global_zero) else None

    def local_zero_cond(self, i: int) -> str | None:
        return self.local_zero[i] if i < len(self.local_zero) else None

    @property
    def is_linear(self) -> bool:
        return all(self.second_partial(i, j) == "0" for i in range(3) for j in range(3))

    def affine_form(self) -> tuple[tuple[str, ...], str] | None:
        """``(weights, bias)`` expressions in p, q if the value is ``bias + sum w_i arg_i``."""
        parts = tuple(self.first_partial(i) for i in range(self.arity))
        used = set(NAME_PATTERN.findall(" ".join(parts)))
        if not self.is_linear or "0" in parts or used - {"p", "q"}:
            return None
        bias = NAME_PATTERN.sub(lambda m: "0.0" if m.group(1) in "abc" else m.group(1), self.value)
        return parts, bias


def zmul(x, y):
    """``x * y`` where a zero factor wins over an infinite (or NaN) other factor."""
    with np.errstate(invalid="ignore"):
        return np.where((np.asarray(x) == 0) | (np.asarray(y) == 0), 0.0, np.multiply(x, y))


#: the scalar ``zmul`` of the generated kernels (the same rule as the numpy one)
ZMUL_SOURCE = """
@njit(cache=True, inline="always")
def zmul(x, y):
    if x == 0.0 or y == 0.0:
        return 0.0
    return x * y
"""

INPUT, CONST, LINEAR, PARAM = 0, 1, 2, 3
STRUCTURAL = ("input", "const", "linear", "param")


def _unary(name, value, d, dd, global_zero=None, local_zero=None):
    second = {} if dd == "0" else {(0, 0): dd}
    return Op(name, 1, value, (d,), second, (global_zero,), (local_zero,))


def _flat(name, value, arity=1):
    """A piecewise-constant operator: zero derivative everywhere it exists."""
    return Op(name, arity, value, ("0",) * arity)


LN2 = "0.6931471805599453"
LN10 = "2.302585092994046"
PI = "3.141592653589793"
TWO_PI = "6.283185307179586"
PI_2 = "1.5707963267948966"
TWO_SQRTPI = "1.1283791670955126"  # 2 / sqrt(pi)
SQRTPI_2 = "0.886226925452758"  # sqrt(pi) / 2
SQRT2PI = "2.5066282746310002"
INV_SQRT2PI = "0.3989422804014327"

OPS: tuple[Op, ...] = (
    # --- linear and affine -------------------------------------------------
    _unary("affine", "p * a + q", "p", "0", global_zero="p == 0"),
    Op("add", 2, "a + b", ("1.0", "1.0")),
    Op("sub", 2, "a - b", ("1.0", "-1.0")),
    # --- products and quotients --------------------------------------------
    Op(
        "mul",
        2,
        "a * b",
        ("b", "a"),
        {(0, 1): "1.0"},
        local_zero=("b == 0", "a == 0"),
    ),
    Op(
        "div",
        2,
        "a / b",
        ("1.0 / b", "-v / b"),
        {(0, 1): "-1.0 / (b * b)", (1, 1): "2.0 * v / (b * b)"},
        local_zero=(None, "a == 0"),
    ),
    _unary("rdiv", "p / a", "-v / a", "2.0 * v / (a * a)", global_zero="p == 0"),
    _unary("recip", "1.0 / a", "-v * v", "2.0 * v * v * v"),
    _unary("square", "a * a", "2.0 * a", "2.0", local_zero="a == 0"),
    # --- powers --------------------------------------------------------------
    _unary(
        "powc",
        "np.power(a, p)",
        "zmul(p, np.power(a, p - 1.0))",
        "zmul(p * (p - 1.0), np.power(a, p - 2.0))",
        global_zero="p == 0",
    ),
    _unary(
        "rpow",
        "np.power(p, a)",
        "zmul(v, np.log(p))",
        "zmul(v, np.log(p) * np.log(p))",
        global_zero="p == 1",
    ),
    Op(
        "pow",
        2,
        "np.power(a, b)",
        ("zmul(b, np.power(a, b - 1.0))", "zmul(v, np.log(a + (a == 0)))"),
        {
            (0, 0): "zmul(b * (b - 1.0), np.power(a, b - 2.0))",
            (0, 1): "zmul(np.power(a, b - 1.0), 1.0 + zmul(b, np.log(a + (a == 0))))",
            (1, 1): "zmul(v, np.log(a + (a == 0)) * np.log(a + (a == 0)))",
        },
        local_zero=("b == 0", None),
    ),
    _unary("sqrt", "np.sqrt(a)", "0.5 / v", "-0.25 / (a * v)"),
    _unary("cbrt", "np.cbrt(a)", "1.0 / (3.0 * v * v)", "-2.0 / (9.0 * a * v * v)"),
    # --- exponentials and logarithms --------------------------------------------
    _unary("exp", "np.exp(a)", "v", "v"),
    _unary("exp2", "np.exp2(a)", f"v * {LN2}", f"v * {LN2} * {LN2}"),
    _unary("expm1", "np.expm1(a)", "v + 1.0", "v + 1.0"),
    _unary("log", "np.log(a)", "1.0 / a", "-1.0 / (a * a)"),
    _unary("log2", "np.log2(a)", f"1.0 / (a * {LN2})", f"-1.0 / (a * a * {LN2})"),
    _unary("log10", "np.log10(a)", f"1.0 / (a * {LN10})", f"-1.0 / (a * a * {LN10})"),
    _unary("log1p", "np.log1p(a)", "1.0 / (1.0 + a)", "-1.0 / ((1.0 + a) * (1.0 + a))"),
    # --- trigonometric and hyperbolic ---------------------------------------------
    _unary("sin", "np.sin(a)", "np.cos(a)", "-v"),
    _unary("cos", "np.cos(a)", "-np.sin(a)", "-v"),
    _unary("tan", "np.tan(a)", "1.0 + v * v", "2.0 * v * (1.0 + v * v)"),
    _unary(
        "arcsin", "np.arcsin(a)", "1.0 / np.sqrt(1.0 - a * a)", "a / np.power(1.0 - a * a, 1.5)"
    ),
    _unary(
        "arccos",
        "np.arccos(a)",
        "-1.0 / np.sqrt(1.0 - a * a)",
        "-a / np.power(1.0 - a * a, 1.5)",
    ),
    _unary(
        "arctan",
        "np.arctan(a)",
        "1.0 / (1.0 + a * a)",
        "-2.0 * a / ((1.0 + a * a) * (1.0 + a * a))",
    ),
    _unary("sinh", "np.sinh(a)", "np.cosh(a)", "v"),
    _unary("cosh", "np.cosh(a)", "np.sinh(a)", "v"),
    _unary("tanh", "np.tanh(a)", "1.0 - v * v", "-2.0 * v * (1.0 - v * v)"),
    _unary(
        "arcsinh", "np.arcsinh(a)", "1.0 / np.sqrt(a * a + 1.0)", "-a / np.power(a * a + 1.0, 1.5)"
    ),
    _unary(
        "arccosh", "np.arccosh(a)", "1.0 / np.sqrt(a * a - 1.0)", "-a / np.power(a * a - 1.0, 1.5)"
    ),
    _unary(
        "arctanh",
        "np.arctanh(a)",
        "1.0 / (1.0 - a * a)",
        "2.0 * a / ((1.0 - a * a) * (1.0 - a * a))",
    ),
    Op(
        "arctan2",
        2,
        "np.arctan2(a, b)",
        ("b / (a * a + b * b)", "-a / (a * a + b * b)"),
        {
            (0, 0): "-2.0 * a * b / ((a * a + b * b) * (a * a + b * b))",
            (0, 1): "(a * a - b * b) / ((a * a + b * b) * (a * a + b * b))",
            (1, 1): "2.0 * a * b / ((a * a + b * b) * (a * a + b * b))",
        },
    ),
    Op(
        "hypot",
        2,
        "np.hypot(a, b)",
        # at a == b == 0 (a kink, like abs at 0) the derivatives are taken as zero
        ("a / (v + (v == 0))", "b / (v + (v == 0))"),
        {
            (0, 0): "b * b / (v * v * v + (v == 0))",
            (0, 1): "-a * b / (v * v * v + (v == 0))",
            (1, 1): "a * a / (v * v * v + (v == 0))",
        },
    ),
    # --- piecewise linear: one side active ------------------------------------------
    _unary("abs", "np.abs(a)", "np.sign(a)", "0"),
    _unary(
        "maxc",
        "np.maximum(a, p)",
        "(a > p) + 0.5 * (a == p) + (a != a)",
        "0",
        local_zero="a < p",
    ),
    _unary(
        "minc",
        "np.minimum(a, p)",
        "(a < p) + 0.5 * (a == p) + (a != a)",
        "0",
        local_zero="a > p",
    ),
    Op(
        "maximum",
        2,
        "np.maximum(a, b)",
        ("(a > b) + 0.5 * (a == b) + (a != a)", "(b > a) + 0.5 * (a == b) + (b != b)"),
        local_zero=("a < b", "b < a"),
    ),
    Op(
        "minimum",
        2,
        "np.minimum(a, b)",
        ("(a < b) + 0.5 * (a == b) + (a != a)", "(b < a) + 0.5 * (a == b) + (b != b)"),
        local_zero=("a > b", "b > a"),
    ),
    Op(
        "fmax",
        2,
        "np.fmax(a, b)",
        ("(a > b) + 0.5 * (a == b) + (b != b)", "(b > a) + 0.5 * (a == b) + (a != a)"),
        local_zero=("a < b", "b < a"),
    ),
    Op(
        "fmin",
        2,
        "np.fmin(a, b)",
        ("(a < b) + 0.5 * (a == b) + (b != b)", "(b < a) + 0.5 * (a == b) + (a != a)"),
        local_zero=("a > b", "b > a"),
    ),
    Op(
        "where",
        3,
        "np.where(c != 0, a, b)",
        ("(c != 0) * 1.0", "(c == 0) * 1.0", "0"),
        local_zero=("c == 0", "c != 0", None),
    ),
    Op("mod", 2, "np.mod(a, b)", ("1.0", "-np.floor_divide(a, b)")),
    # --- special functions (sf_* helpers: operators/special.py) ----------------------
    _unary(
        "erf",
        "sf_erf(a)",
        f"{TWO_SQRTPI} * np.exp(-a * a)",
        f"-2.0 * {TWO_SQRTPI} * a * np.exp(-a * a)",
    ),
    _unary(
        "erfc",
        "sf_erfc(a)",
        f"-{TWO_SQRTPI} * np.exp(-a * a)",
        f"2.0 * {TWO_SQRTPI} * a * np.exp(-a * a)",
    ),
    # erfinv' = sqrt(pi)/2 exp(v²); erfinv'' = 2 v erfinv'² = (pi/2) v exp(2 v²)
    _unary(
        "erfinv", "sf_erfinv(a)", f"{SQRTPI_2} * np.exp(v * v)", f"{PI_2} * v * np.exp(2.0 * v * v)"
    ),
    _unary(
        "erfcinv",
        "sf_erfcinv(a)",
        f"-{SQRTPI_2} * np.exp(v * v)",
        f"{PI_2} * v * np.exp(2.0 * v * v)",
    ),
    # expit' = expit(a) expit(-a) (no 1 - v cancellation), expit'' = expit' (expit(-a) - v)
    _unary("expit", "sf_expit(a)", "v * sf_expit(-a)", "v * sf_expit(-a) * (sf_expit(-a) - v)"),
    _unary("log_expit", "sf_log_expit(a)", "sf_expit(-a)", "-sf_expit(a) * sf_expit(-a)"),
    _unary(
        "logit",
        "sf_logit(a)",
        "1.0 / (a * (1.0 - a))",
        "(2.0 * a - 1.0) / (a * a * (1.0 - a) * (1.0 - a))",
    ),
    _unary("gammaln", "sf_gammaln(a)", "sf_psi(a)", "sf_polygamma(1.0, a)"),
    # Γ' = Γ ψ, Γ'' = Γ (ψ² + ψ')
    _unary(
        "gamma",
        "sf_gamma(a)",
        "v * sf_psi(a)",
        "v * (sf_psi(a) * sf_psi(a) + sf_polygamma(1.0, a))",
    ),
    _unary("psi", "sf_psi(a)", "sf_polygamma(1.0, a)", "sf_polygamma(2.0, a)"),
    _unary(
        "polygamma", "sf_polygamma(p, a)", "sf_polygamma(p + 1.0, a)", "sf_polygamma(p + 2.0, a)"
    ),
    _unary("i0", "sf_i0(a)", "sf_i1(a)", "sf_i1_d(a)"),
    _unary("i1", "sf_i1(a)", "sf_i1_d(a)", "sf_i1_dd(a)"),
    _unary(
        "i0e",
        "sf_i0e(a)",
        "sf_i1e(a) - np.sign(a) * v",
        "sf_i1e_d(a) - 2.0 * np.sign(a) * sf_i1e(a) + v",
    ),
    _unary(
        "i1e",
        "sf_i1e(a)",
        "sf_i1e_d(a) - np.sign(a) * v",
        "sf_i1e_dd(a) - 2.0 * np.sign(a) * sf_i1e_d(a) + v",
    ),
    _unary(
        "ndtr",
        "sf_ndtr(a)",
        f"{INV_SQRT2PI} * np.exp(-0.5 * a * a)",
        f"-a * {INV_SQRT2PI} * np.exp(-0.5 * a * a)",
    ),
    _unary(
        "ndtri", "sf_ndtri(a)", f"{SQRT2PI} * np.exp(0.5 * v * v)", f"{TWO_PI} * v * np.exp(v * v)"
    ),
    # log_ndtr' = φ(a) / Φ(a), log_ndtr'' = -d (a + d); a continued fraction for a < -8
    _unary("log_ndtr", "sf_log_ndtr(a)", "sf_log_ndtr_d(a, v)", "sf_log_ndtr_dd(a, v)"),
    # sinc(a) = sin(pi a) / (pi a); its derivatives by series near 0 (no cancellation)
    _unary(
        "sinc", "sf_sinc(a)", f"{PI} * sf_sinc_t1({PI} * a)", f"{PI} * {PI} * sf_sinc_t2({PI} * a)"
    ),
    Op(
        "xlogy",
        2,
        "sf_xlogy(a, b)",
        ("np.log(b)", "a / b"),
        {(0, 1): "1.0 / b", (1, 1): "-a / (b * b)"},
        local_zero=(None, "a == 0"),
    ),
    Op(
        "xlog1py",
        2,
        "sf_xlog1py(a, b)",
        ("np.log1p(b)", "a / (1.0 + b)"),
        {(0, 1): "1.0 / (1.0 + b)", (1, 1): "-a / ((1.0 + b) * (1.0 + b))"},
        local_zero=(None, "a == 0"),
    ),
    # |a| with the sign of b: kinks at a == 0, piecewise constant in b
    Op("copysign", 2, "np.copysign(a, b)", ("np.copysign(1.0, a) * np.copysign(1.0, b)", "0")),
    # --- zero derivative: rounding, signs, comparisons, logic ------------------------
    _flat("sign", "np.sign(a)"),
    # a's value with its derivative cut: the iterations whose derivatives an exact formula
    # supplies (singular values, eigenvalues: tracing/spectral.py); not reachable from user code
    _flat("stop_gradient", "a"),
    _flat("floor", "np.floor(a)"),
    _flat("ceil", "np.ceil(a)"),
    _flat("trunc", "np.trunc(a)"),
    _flat("rint", "np.rint(a)"),
    _flat("isnan", "np.isnan(a)"),
    _flat("isinf", "np.isinf(a)"),
    _flat("isfinite", "np.isfinite(a)"),
    _flat("logical_not", "np.logical_not(a)"),
    _flat("floor_divide", "np.floor_divide(a, b)", 2),
    _flat("greater", "a > b", 2),
    _flat("greater_equal", "a >= b", 2),
    _flat("less", "a < b", 2),
    _flat("less_equal", "a <= b", 2),
    _flat("equal", "a == b", 2),
    _flat("not_equal", "a != b", 2),
    _flat("logical_and", "np.logical_and(a, b)", 2),
    _flat("logical_or", "np.logical_or(a, b)", 2),
    _flat("logical_xor", "np.logical_xor(a, b)", 2),
)

#: opcode of each named operator; structural opcodes come first
OPCODE: dict[str, int] = {name: i for i, name in enumerate(STRUCTURAL)}
OPCODE.update({op.name: i + len(STRUCTURAL) for i, op in enumerate(OPS)})

#: operator row by opcode (None for the structural ones)
BY_CODE: tuple[Op | None, ...] = (None,) * len(STRUCTURAL) + OPS

#: names of operators whose value is a boolean mask
MASK_OPS = frozenset(
    {
        "isnan",
        "isinf",
        "isfinite",
        "logical_not",
        "greater",
        "greater_equal",
        "less",
        "less_equal",
        "equal",
        "not_equal",
        "logical_and",
        "logical_or",
        "logical_xor",
    }
)


def op(name: str) -> Op:
    """The table row of operator ``name``."""
    return BY_CODE[OPCODE[name]]
