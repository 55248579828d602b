"""Evaluation of a tape: values, JVP, VJP and HVP sweeps (Numba)."""

from .sweeps import evaluate, hvp, jvp, vjp

__all__ = ["evaluate", "hvp", "jvp", "vjp"]
