"""Solving scenarios on Dask (``distributed``): ship once, feed the workers, lose nothing.

The prepared NLP, the warm start and the options go to every worker once, in a
worker plugin (``plugin.py``: also to workers that join or restart later); each task
then carries only scenario ids and parameter vectors. Tasks are chunks of scenarios,
submitted a few per worker thread at a time: the first chunks hold one scenario,
later ones as many as fill about ``TARGET_SECONDS`` of measured solve time, more on
clusters so large that the scheduler would see more than ``MAX_TASK_RATE`` tasks a
second (so the per-task cost of the scheduler is paid rarely on fast solves, and
slow solves still balance), and chunks shrink towards the end so the workers finish
together.

A worker that dies has its running and queued tasks rescheduled by the scheduler.
When tasks were on too many dying workers (``KilledWorker``, after
``distributed.scheduler.allowed-failures``), the scheduler cannot tell the scenario
that kills its worker from the ones queued beside it, so each of their scenarios runs
again alone, with nothing else in flight: one that still kills its worker is
recorded as failed with the reason, the others are solved. A task lost or failed for
another reason is resubmitted (``RETRIES`` times) before its scenarios are recorded
as failed.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

import numpy as np

from .records import solve_scenario

#: solve time one task should take once the solve time is known (seconds) ...
TARGET_SECONDS = 0.5
#: ... or longer on large clusters, so the scheduler sees at most this many tasks per
#: second (a Dask scheduler handles a few thousand; the driver also gathers each one)
MAX_TASK_RATE = 200.0
#: largest chunk of scenarios in one task
MAX_CHUNK = 64
#: tasks in flight per worker thread (one running, one queued)
IN_FLIGHT = 2
#: resubmissions of a scenario whose task was lost or failed outside its solve
RETRIES = 2


def import_distributed():
    """The ``distributed`` module, or an error naming the extra to install."""
    try:
        import distributed
    except ImportError as e:
        raise ImportError(
            "asd.batch runs on Dask's distributed scheduler, which is not installed; "
            'install the batch extra: pip install "asd[batch]" (or pip install distributed), '
            "or solve in process with client=None and workers=None"
        ) from e
    return distributed


def open_client(client, workers: int | None):
    """``(client, close)`` for a Client, a scheduler address or ``workers`` local
    worker processes; ``close()`` shuts down only what was opened here."""
    distributed = import_distributed()
    if isinstance(client, distributed.Client):
        return client, lambda: None
    if isinstance(client, str):
        try:
            opened = distributed.Client(client, timeout="30s")
        except (OSError, TimeoutError) as e:
            raise OSError(f"asd.batch: cannot reach the Dask scheduler at {client}: {e}") from e
        return opened, opened.close
    if client is not None:
        raise TypeError(
            f"asd.batch: client must be a distributed.Client or a scheduler address, "
            f"not {type(client).__name__}"
        )
    import dask

    from .plugin import PROFILER_DEADLOCKS

    with dask.config.set({"distributed.worker.profile.enabled": not PROFILER_DEADLOCKS}):
        cluster = distributed.LocalCluster(
            n_workers=int(workers),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": ":0"},  # HTTP endpoints: any free port
        )
    opened = distributed.Client(cluster)

    def close():
        opened.close()
        cluster.close()

    return opened, close


def _solve_chunk(name: str, chunk: list[tuple[int, np.ndarray]]) -> list[dict]:
    """The task: solve a chunk of scenarios with the NLP this worker's plugin holds."""
    from distributed import get_worker

    worker = get_worker()
    shared = worker.plugins[name].shared
    nlp, kw = shared["nlp"], shared["solve"]
    return [solve_scenario(nlp, sid, p, worker=worker.address, **kw) for sid, p in chunk]


def _error_of(fut, result) -> BaseException:
    """The exception of a task that did not finish (``as_completed`` hands an erred
    task's ``(type, exception, traceback)``, a cancelled task's exception)."""
    if isinstance(result, tuple) and len(result) == 3 and isinstance(result[1], BaseException):
        return result[1]
    if isinstance(result, BaseException):
        return result
    return RuntimeError(f"the task ended in state {fut.status!r}")


def _failure(sid: int, params: np.ndarray, error: BaseException, run: str) -> dict:
    """The record of a scenario whose task could not run to the end."""
    name = type(error).__name__
    text = " ".join(str(error).split()) or name
    if name == "KilledWorker":
        text = f"every worker that tried to solve this scenario died ({text})"
    return {
        "scenario": int(sid),
        "status": None,
        "success": False,
        "message": f"{name}: {text}",
        "error": name,
        "objective": float("nan"),
        "iterations": None,
        "solve_time": float("nan"),
        "start": "",
        "worker": "",
        "run": run,
        "params": params,
        **dict.fromkeys(("x", "mult_g", "mult_x_L", "mult_x_U")),
    }


def solve_on_dask(
    client,
    nlp,
    todo: list[tuple[int, np.ndarray]],
    solve_kwargs: dict,
    on_record: Callable[[dict], None],
    chunk_size: int | None = None,
) -> None:
    """Solve every ``(id, params)`` of ``todo`` on ``client``'s workers; hand each
    record to ``on_record`` as it arrives (in the calling thread)."""
    distributed = import_distributed()
    from .plugin import SharedProblem

    name = f"asd-batch-{solve_kwargs.get('run', '')}"
    client.register_plugin(SharedProblem(name, {"nlp": nlp, "solve": solve_kwargs}), name=name)
    queue = deque(todo)
    retry: deque = deque()  # (scenario, attempts) of lost tasks, one task each
    suspects: deque = deque()  # scenarios of tasks whose workers died
    in_flight: dict = {}
    isolated = None  # a suspect running alone
    solved, seconds = 0, 0.0
    done = distributed.as_completed(with_results=True, raise_errors=False)

    threads = {"count": 1, "at": -1.0}

    def slots() -> int:  # the cluster may grow or shrink: asked again every second
        now = time.monotonic()
        if now - threads["at"] > 1.0:
            threads["count"] = max(1, sum(client.nthreads().values()))
            threads["at"] = now
        return IN_FLIGHT * threads["count"]

    def next_size() -> int:
        if chunk_size is not None:
            return chunk_size
        if solved == 0:
            return 1
        target = max(TARGET_SECONDS, threads["count"] / MAX_TASK_RATE)
        size = math.ceil(target / max(seconds / solved, 1e-6))
        tail = math.ceil(len(queue) / slots())  # finish together
        return max(1, min(size, MAX_CHUNK, tail))

    def submit(chunk: list, attempts: int = 0):
        fut = client.submit(_solve_chunk, name, chunk, pure=False)
        in_flight[fut] = (chunk, attempts)
        done.add(fut)
        return fut

    def fill() -> None:
        nonlocal isolated
        if isolated is not None:
            return
        if suspects:  # run alone, once the others are done: its death is its own
            if not in_flight:
                isolated = submit([suspects.popleft()])
            return
        n = slots()
        while (queue or retry) and len(in_flight) < n:
            if retry:
                item, attempts = retry.popleft()
                submit([item], attempts)
            else:
                submit([queue.popleft() for _ in range(min(next_size(), len(queue)))])

    try:
        fill()
        for fut, result in done:
            chunk, attempts = in_flight.pop(fut)
            alone = fut is isolated
            isolated = None if alone else isolated
            if fut.status == "finished" and isinstance(result, list):
                for rec in result:
                    solved += 1
                    seconds += rec["solve_time"]
                    on_record(rec)
            else:
                error = _error_of(fut, result)
                killed = type(error).__name__ == "KilledWorker"
                if killed and not alone:
                    suspects.extend(chunk)
                elif not killed and len(chunk) > 1:
                    retry.extend((item, 0) for item in chunk)
                elif not killed and attempts < RETRIES:
                    retry.append((chunk[0], attempts + 1))
                else:
                    sid, params = chunk[0]
                    on_record(_failure(sid, params, error, solve_kwargs.get("run", "")))
            fut.release()
            fill()
    finally:
        if in_flight:
            client.cancel(list(in_flight))
        try:
            client.unregister_worker_plugin(name)
        except Exception:  # noqa: BLE001 - the cluster may be gone; nothing to clean then
            pass
