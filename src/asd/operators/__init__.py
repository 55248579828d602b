"""The operator table and the kernels generated from it."""

from .table import BY_CODE, CONST, INPUT, LINEAR, MASK_OPS, OPCODE, OPS, PARAM, Op, op

__all__ = [
    "BY_CODE",
    "CONST",
    "INPUT",
    "LINEAR",
    "MASK_OPS",
    "OPCODE",
    "OPS",
    "PARAM",
    "Op",
    "op",
]
