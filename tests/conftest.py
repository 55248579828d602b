"""Test-session settings.

Every tape here runs the kernel module with all operator families: the suite's random
programs use hundreds of operator combinations, and one module compiled once serves
them all (``ASD_KERNEL_FAMILIES=per-family`` runs the suite with the per-family
modules users get by default; tests/test_kernel_families.py checks those agree).
Before the first test, ``tests/warmup.py`` compiles that module's kernels in two
processes at once (``ASD_TEST_WARMUP=0`` skips it). One small Dask cluster serves
every batch test.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

os.environ.setdefault("ASD_KERNEL_FAMILIES", "all")
ROOT = Path(__file__).resolve().parents[1]


def pytest_sessionstart(session):
    if hasattr(session.config, "workerinput") or os.environ.get("ASD_TEST_WARMUP") == "0":
        return  # an xdist worker: the controller warmed the caches
    env = {**os.environ, "ASD_QUIET": "1"}
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT / "src"), str(ROOT), env.get("PYTHONPATH")) if p
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.warmup", str(k)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in (0, 1)
    ]
    for p in procs:
        _, err = p.communicate()
        if p.returncode != 0:  # the tests compile for themselves, and report any failure
            print(f"tests/warmup.py failed (the tests will compile on their own):\n{err[-2000:]}")


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
