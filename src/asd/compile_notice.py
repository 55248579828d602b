"""One line on stderr when asd's Numba code compiles for long (first use only).

A first call compiles asd's kernels and caches them on disk; later processes load
them. A silent minute looks like a hang, so once asd's own compilations in this
process add up to ``ASD_COMPILE_NOTICE_AFTER`` seconds (default 2) one line says what
is compiling and that it happens once. ``ASD_QUIET=1`` (or ``quiet()``) hides it.
"""

from __future__ import annotations

import os
import sys
import threading
import time

from numba.core import event

_state = threading.local()
_lock = threading.Lock()
_spent = 0.0  # seconds of asd compilation finished in this process
_printed = False
_quiet = False
_timer: threading.Timer | None = None


def quiet(on: bool = True) -> None:
    """Hide (``on=True``) or show the compile notice for this process."""
    global _quiet
    _quiet = on


def _silenced() -> bool:
    return _quiet or os.environ.get("ASD_QUIET", "").strip() not in ("", "0")


def _threshold() -> float:
    try:
        return float(os.environ.get("ASD_COMPILE_NOTICE_AFTER", "2"))
    except ValueError:
        return 2.0


def _what(dispatcher) -> str | None:
    """What is compiling, or None for a function that is not asd's."""
    func = getattr(dispatcher, "py_func", None)
    module = getattr(func, "__module__", "") or ""
    if module.startswith("asd_kernels_"):
        families = getattr(sys.modules.get(module), "FAMILIES", "")
        return f"the {func.__name__} kernel for {families or 'its operators'}"
    if module.startswith("asd_"):  # another generated module (compiled callbacks)
        return f"{func.__name__} of {module}"
    if module == "asd" or module.startswith("asd."):
        return f"{module}.{func.__name__}"
    return None


def _say(what: str) -> None:
    global _printed
    with _lock:
        if _printed or _silenced():
            return
        _printed = True
    print(
        f"asd: first use, compiling Numba code ({what} and more); this happens once, "
        "later runs load it from the on-disk cache (ASD_QUIET=1 hides this line)",
        file=sys.stderr,
        flush=True,
    )


class _Listener(event.Listener):
    """Times the outermost compilations of asd's functions (their callees included)
    and runs the notice timer while one is under way."""

    def on_start(self, ev) -> None:
        global _timer
        depth = getattr(_state, "depth", 0)
        _state.depth = depth + 1
        if depth:
            return
        what = _what(ev.data.get("dispatcher"))
        _state.start = time.perf_counter() if what is not None else None
        if what is not None and not _printed:
            _timer = threading.Timer(max(0.0, _threshold() - _spent), _say, (what,))
            _timer.daemon = True
            _timer.start()

    def on_end(self, ev) -> None:
        global _spent
        _state.depth = getattr(_state, "depth", 1) - 1
        start = getattr(_state, "start", None)
        if _state.depth or start is None:
            return
        _state.start = None
        with _lock:
            _spent += time.perf_counter() - start
        if _timer is not None:
            _timer.cancel()


def install() -> None:
    """Listen to Numba's compile events (once per process)."""
    if not getattr(install, "done", False):
        event.register("numba:compile", _Listener())
        install.done = True
