"""How much preparation this process has done: traces, sparsity detections, colourings.

Preparation (trace, detection, colouring) is meant to happen once per problem; a
prepared object that is pickled and loaded elsewhere (a Dask worker, a process pool)
only evaluates. These counters make that checkable: each step adds one when it runs,
and :func:`preparation_counts` reads them (``asd.batch`` reports them per worker).
"""

from __future__ import annotations

import threading

#: the steps counted: ``trace`` (a function recorded into a tape), ``detection`` (a
#: dependency-set pass over a tape, the start of every sparsity pattern) and
#: ``coloring`` (a call of ``asd.color``, also made by prepared Jacobians and Hessians)
KINDS = ("trace", "detection", "coloring")

_counts = dict.fromkeys(KINDS, 0)
_lock = threading.Lock()


def count(kind: str) -> None:
    """Add one to ``kind`` (one of :data:`KINDS`)."""
    with _lock:
        _counts[kind] += 1


def preparation_counts() -> dict[str, int]:
    """How many traces, detections and colourings this process has run so far.

    Returns
    -------
    dict
        ``{"trace": int, "detection": int, "coloring": int}``, a copy (later
        preparation does not change it).

    Examples
    --------
    >>> import numpy as np, asd
    >>> before = asd.preparation_counts()["trace"]
    >>> J = asd.jacobian(np.sin, np.ones(3))
    >>> asd.preparation_counts()["trace"] - before
    1
    """
    with _lock:
        return dict(_counts)
