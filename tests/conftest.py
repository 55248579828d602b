"""Fixtures shared by test modules: one small Dask cluster for every batch test."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def dask_client():
    """A ``LocalCluster`` of two single-threaded worker processes and its client, made
    on first use and shared (a cluster of processes takes seconds to start).

    ``allowed-failures = 0``: a task whose worker dies is given up at once
    (``KilledWorker``), so the batch code's own recovery runs and crash tests stay short.
    """
    distributed = pytest.importorskip("distributed")
    import dask

    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        cluster = distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": ":0"},  # its HTTP endpoints: any free port
        )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()
