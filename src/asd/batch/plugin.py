"""The worker plugin that carries the prepared NLP to every Dask worker.

A plugin is kept by the scheduler (as bytes) and set up on every worker that is
running or joins later, a restarted one included, before it runs tasks. So each
worker receives the prepared NLP once, tasks carry only scenario ids and parameter
vectors, no task depends on data held by one worker (the scheduler balances freely),
and no worker death can lose the NLP (scattered data dies with its last holder).
Imported only where ``distributed`` is installed.
"""

from __future__ import annotations

from distributed.diagnostics.plugin import WorkerPlugin


class SharedProblem(WorkerPlugin):
    """Holds ``shared`` (the NLP and the solve settings) on each worker under ``name``;
    the NLP is loaded when the worker unpickles the plugin, tasks read
    ``get_worker().plugins[name].shared``."""

    def __init__(self, name: str, shared: dict):
        self.name = name
        self.shared = shared
