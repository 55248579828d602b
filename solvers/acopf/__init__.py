"""Polar AC optimal power flow as plain vectorised numpy (see acopf-model.md)."""

from .model import ACOPF, PARAMETERS, build_acopf, load_acopf

__all__ = ["ACOPF", "PARAMETERS", "build_acopf", "load_acopf"]
