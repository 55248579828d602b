"""The worker plugin that carries the prepared NLP to every Dask worker.

A plugin is kept by the scheduler (as bytes) and set up on every worker that is
running or joins later, a restarted one included, before it runs tasks. So each
worker receives the prepared NLP once, tasks carry only scenario ids and parameter
vectors, no task depends on data held by one worker (the scheduler balances freely),
and no worker death can lose the NLP (scattered data dies with its last holder).
Imported only where ``distributed`` is installed.
"""

from __future__ import annotations

import sys

from distributed.diagnostics.plugin import WorkerPlugin

#: Pythons before 3.11.9 can deadlock in ``sys._current_frames()``, which a Dask
#: worker's statistical profiler calls every 10 ms: it may run the garbage collector
#: while holding the interpreter's thread-list lock, against a thread coming back from
#: C code (CPython gh-106883; dask/distributed#8616). Measured here: a batch hung
#: with every worker idle and one solve thread waiting for the GIL inside Ipopt.
PROFILER_DEADLOCKS = sys.version_info < (3, 11, 9)


def stop_profiler(worker) -> None:
    """Stop ``worker``'s statistical profiler where it can deadlock the process."""
    if PROFILER_DEADLOCKS:
        for key in ("profile", "profile-cycle"):
            callback = worker.periodic_callbacks.pop(key, None)
            if callback is not None:
                callback.stop()


class SharedProblem(WorkerPlugin):
    """Holds ``shared`` (the NLP and the solve settings) on each worker under ``name``;
    the NLP is loaded when the worker unpickles the plugin, tasks read
    ``get_worker().plugins[name].shared``."""

    def __init__(self, name: str, shared: dict):
        self.name = name
        self.shared = shared

    def setup(self, worker) -> None:
        stop_profiler(worker)  # also on workers of a scheduler asd did not start
