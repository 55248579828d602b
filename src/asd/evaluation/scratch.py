"""Work arrays private to each calling thread, so one prepared object can be evaluated
from many threads at once (scipy workers, Dask's threaded scheduler, web services)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from ..errors import InputError, WorkTooLargeError

T = TypeVar("T")


class PerThread(Generic[T]):
    """``get()`` returns this thread's own object, made by ``make()`` on its first use
    there. Pickles as its factory: the arrays are scratch, rebuilt where it is loaded."""

    def __init__(self, make: Callable[[], T]):
        self._make = make
        self._local = threading.local()

    def get(self) -> T:
        try:
            return self._local.value
        except AttributeError:
            value = self._local.value = self._make()
            return value

    def __reduce__(self):
        return (PerThread, (self._make,))


#: share of the available memory one evaluation's dense work arrays may take
MEMORY_SHARE = 0.5


def available_memory() -> int:
    """Bytes of memory an evaluation may count on: what the OS reports available, capped
    by ``ASD_MEMORY_LIMIT`` (bytes, or with a K/M/G suffix) when that is set."""
    try:
        avail = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        avail = 1 << 62
    limit = os.environ.get("ASD_MEMORY_LIMIT")
    if limit:
        units = {"K": 2**10, "M": 2**20, "G": 2**30}
        text = limit.strip().upper().removesuffix("B")
        try:
            value = float(text[:-1]) * units[text[-1]] if text[-1] in units else float(text)
        except ValueError:
            raise InputError(
                f"asd: ASD_MEMORY_LIMIT must be a size like 4G or 500M, not {limit!r}"
            ) from None
        avail = min(avail, int(value))
    return avail


def check_work_memory(rows: int, columns: int, what: str, fix: str, arrays: int = 1) -> None:
    """Raise before allocating ``arrays`` dense float64 blocks of rows x columns when
    they would take more than ``MEMORY_SHARE`` of the available memory."""
    need = 8 * int(rows) * int(columns) * arrays
    avail = available_memory()
    if need > MEMORY_SHARE * avail:
        raise WorkTooLargeError(
            f"asd: {what} needs {arrays} dense work array(s) of {rows:,} x {columns:,} "
            f"({need / 2**30:.1f} GiB), more than half of the {avail / 2**30:.1f} GiB "
            f"available. {fix}"
        )
