"""Tracing: run numpy code on traced arrays and record a tape."""

from .tracer import TracedArray, trace

__all__ = ["TracedArray", "trace"]
