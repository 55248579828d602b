"""Polar AC optimal power flow as plain vectorised numpy (see acopf-model.md)."""

from .model import ACOPF, build_acopf, load_acopf

__all__ = ["ACOPF", "build_acopf", "load_acopf"]
