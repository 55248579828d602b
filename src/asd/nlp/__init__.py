"""Nonlinear programs with exact sparse derivatives, for Ipopt, PyNumero and scipy."""

from .ipopt import CallbackError, NonFiniteError
from .problem import NLP

__all__ = ["NLP", "CallbackError", "NonFiniteError"]
