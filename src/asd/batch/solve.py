"""``solve_many``: one prepared NLP, many parameter values, in process or on Dask."""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable, Sequence

import numpy as np

from ..errors import InputError
from ..nlp.ipopt import warm_start_point
from .progress import Progress
from .records import COLUMNS, solve_scenario
from .store import ResultStore, import_pyarrow, records_to_table

#: Ipopt options added to warm-started solves: start close to the given point and its
#: multipliers (bounds pushed 1e-6, not 1e-2 / 1e-3) with a small barrier parameter.
#: On case118 with loads within ±20 % these take 10-12 iterations where the same warm
#: start with Ipopt's defaults takes 20-22 and the flat start 27-29.
WARM_OPTIONS = {
    "warm_start_bound_push": 1e-6,
    "warm_start_mult_bound_push": 1e-6,
    "mu_init": 1e-4,
}

#: results are written at least this often (seconds) and every ``FLUSH_RECORDS``
FLUSH_SECONDS = 2.0
FLUSH_RECORDS = 1000


def _parameter_vectors(nlp, params) -> list[np.ndarray]:
    """The flat parameter vector of every scenario, checked on the caller's side."""
    spec = nlp.tape.params
    if isinstance(params, np.ndarray) and params.ndim == 2:
        if params.shape[1] != spec.size:
            raise InputError(
                f"asd.batch: params has {params.shape[1]} columns, the NLP has "
                f"{spec.size} parameters"
            )
        vectors = [np.array(row, dtype=np.float64) for row in params]
    else:
        vectors = []
        for k, item in enumerate(params):
            args = item if isinstance(item, tuple) else (item,)
            try:
                vectors.append(np.array(spec.flatten(args), dtype=np.float64))
            except InputError as e:
                raise InputError(f"asd.batch: scenario {k}: {e}") from None
    for k, v in enumerate(vectors):
        if not np.isfinite(v).all():
            raise InputError(f"asd.batch: the parameters of scenario {k} contain NaN or inf")
    return vectors


def _scenario_ids(ids, count: int) -> np.ndarray:
    if ids is None:
        return np.arange(count, dtype=np.int64)
    arr = np.asarray(ids)
    if arr.shape != (count,) or (arr.size and arr.dtype.kind not in "iu"):
        raise InputError(f"asd.batch: ids must be {count} integers, one per scenario")
    arr = arr.astype(np.int64)
    if np.unique(arr).size != arr.size:
        raise InputError("asd.batch: ids must be distinct")
    return arr


_runs = itertools.count(1)


def _run_id() -> str:
    """A distinct id per run: UTC time to the microsecond, process id, run number."""
    now = time.time()
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now))
    return f"{stamp}.{int(now % 1 * 1e6):06d}Z-{os.getpid()}-{next(_runs)}"


def solve_many(
    nlp,
    params: Sequence | np.ndarray,
    *,
    ids: Sequence[int] | None = None,
    options: dict | None = None,
    warm_start=None,
    warm_options: dict | None = None,
    client=None,
    workers: int | None = None,
    out: str | os.PathLike[str] | None = None,
    rerun_failed: bool = False,
    chunk_size: int | None = None,
    progress: bool | Callable[[int, int, int], None] = False,
    columns: Sequence[str] | None = None,
):
    """Solve a parametric ``asd.NLP`` at many parameter values; one record each.

    The NLP is prepared once (its trace, patterns, colourings and plans); every
    scenario is ``nlp.with_args(*args).solve(...)`` with no re-trace, in this process
    or on Dask workers that each receive the prepared NLP once.

    Parameters
    ----------
    nlp : asd.NLP
        Built with ``args=`` (its runtime parameters).
    params : sequence or 2-D array
        One item per scenario: the extra-argument tuple for ``nlp.with_args`` (an item
        that is not a tuple is the single extra argument), or rows of flat parameter
        vectors (``nlp.tape.params.flatten(args)`` order).
    ids : sequence of int, optional
        Distinct scenario ids (default ``0 .. len(params) - 1``).
    options : dict, optional
        Ipopt options for every solve (``tol``, ``max_iter``, ...).
    warm_start : OptimizeResult or mapping, optional
        A primal-dual start for every scenario (``x, mult_g, mult_x_L, mult_x_U``, e.g.
        ``nlp.solve()`` at nominal values), used with ``options`` updated by
        ``warm_options`` (default :data:`WARM_OPTIONS`). A warm-started solve that
        fails is repeated from ``nlp.x0`` with ``options``; the record says which.
    client : distributed.Client or str, optional
        Solve on this Dask client, or on the scheduler at this address.
    workers : int, optional
        Solve on a new ``LocalCluster`` of this many single-threaded worker processes
        (closed at the end). With neither ``client`` nor ``workers``, scenarios are
        solved here, one after another (Dask is then not needed).
    out : path, optional
        A folder of Parquet files the records are written to as they arrive (created
        if missing). If it holds records of earlier runs, their scenarios are not
        solved again (they must have the same parameter values); see ``rerun_failed``.
    rerun_failed : bool
        Solve again the recorded scenarios that did not succeed (the new record
        supersedes the old one).
    chunk_size : int, optional
        Scenarios per Dask task; default adaptive (see ``asd.batch.cluster``).
    progress : bool or callable
        ``True``: a tqdm bar with done / failed / remaining; a callable is called as
        ``progress(done, failed, remaining)`` after each record.
    columns : sequence of str, optional
        The columns of the returned table (``scenario`` always), e.g. the scalar ones
        for a large run written to ``out``, whose solution vectors may not fit in
        memory at once (default: all).

    Returns
    -------
    pyarrow.Table
        One row per requested scenario, sorted by id, with the columns of
        ``asd.batch.COLUMNS`` (scenario, status, success, message, error, objective,
        iterations, solve_time, start, worker, run, params, x, mult_g, mult_x_L,
        mult_x_U). Every scenario has a row, failures included. The schema metadata
        ``b"run"`` is this run's id (the ``run`` column of the records it made).

    Raises
    ------
    InputError
        An NLP without parameters, parameters of the wrong size or non-finite, ids not
        distinct, an ``out`` folder of another problem or with other parameter values
        for the same ids.
    ImportError
        ``pyarrow`` (always), ``distributed`` (with ``client`` or ``workers``) or
        ``tqdm`` (with ``progress=True``) missing: install the ``batch`` extra.
    """
    pa, _ = import_pyarrow()
    if getattr(getattr(nlp, "tape", None), "params", None) is None:
        raise InputError(
            "asd.batch: the NLP has no runtime parameters; build it with args=(...) (the "
            "values its objective and constraints take besides x)"
        )
    vectors = _parameter_vectors(nlp, params)
    sids = _scenario_ids(ids, len(vectors))
    if client is not None and workers is not None:
        raise InputError("asd.batch: give either client (or a scheduler address) or workers")
    if workers is not None and (not isinstance(workers, int | np.integer) or workers < 1):
        raise InputError(f"asd.batch: workers must be a positive integer, not {workers!r}")
    if client is not None and not isinstance(client, str) and not hasattr(client, "submit"):
        raise InputError(
            "asd.batch: client must be a distributed.Client or a scheduler address, not "
            f"{type(client).__name__}"
        )
    if chunk_size is not None and int(chunk_size) < 1:
        raise InputError(f"asd.batch: chunk_size must be at least 1, not {chunk_size}")
    names = [name for name, _ in COLUMNS]
    if columns is not None:
        unknown = [c for c in columns if c not in names]
        if unknown:
            raise InputError(
                f"asd.batch: unknown column(s) {', '.join(map(str, unknown))}; the columns "
                f"are {', '.join(names)}"
            )
        columns = [c for c in names if c == "scenario" or c in columns]
    start = None
    if warm_start is not None:
        x, duals = warm_start_point(nlp, warm_start)
        start = {"x": x, "mult_g": duals["lagrange"], "mult_x_L": duals["zl"],
                 "mult_x_U": duals["zu"]}  # fmt: skip
    run = _run_id()
    solve_kwargs = {
        "options": dict(options or {}),
        "warm_start": start,
        "warm_options": dict(WARM_OPTIONS if warm_options is None else warm_options),
        "run": run,
    }

    store, records, done_ids, failed = None, [], set(), 0
    if out is not None:
        meta = {"n": nlp.n, "m": nlp.m, "n_params": nlp.tape.params.size}
        store = ResultStore(out, meta)
        done_ids, failed = _recorded(store, sids, vectors, rerun_failed)
    todo = [(int(s), v) for s, v in zip(sids, vectors) if int(s) not in done_ids]
    bar = Progress(progress, len(sids), len(sids) - len(todo), failed)
    last_flush = time.monotonic()

    def on_record(rec: dict) -> None:
        nonlocal last_flush
        if store is None:
            records.append(rec)
        else:
            store.add(rec)
            now = time.monotonic()
            if len(store.pending) >= FLUSH_RECORDS or now - last_flush >= FLUSH_SECONDS:
                store.flush()
                last_flush = now
        bar.record(rec["success"])

    try:
        if not todo:
            pass
        elif client is None and workers is None:
            for sid, vec in todo:
                on_record(solve_scenario(nlp, sid, vec, **solve_kwargs))
        else:
            from .cluster import open_client, solve_on_dask

            dask_client, close = open_client(client, workers)
            try:
                solve_on_dask(dask_client, nlp, todo, solve_kwargs, on_record, chunk_size)
            finally:
                close()
    finally:
        bar.close()
        if store is not None:
            store.flush()
    if store is None:
        table = records_to_table(sorted(records, key=lambda r: r["scenario"]))
        table = table if columns is None else table.select(columns)
    else:
        store.compact()
        table = store.read(columns)
        table = table.filter(pa.array(np.isin(table.column("scenario").to_numpy(), sids)))
    return table.replace_schema_metadata({**(table.schema.metadata or {}), b"run": run.encode()})


def _recorded(store: ResultStore, sids, vectors, rerun_failed: bool) -> tuple[set, int]:
    """Ids already recorded (to skip) and how many of them failed; checks that their
    recorded parameters are the requested ones. Reads one part file at a time."""
    position = {int(s): k for k, s in enumerate(sids)}
    latest_ok: dict[int, bool] = {}
    for part in store.iter_parts(["params", "success"]):
        params = part.column("params")
        for i, (sid, ok) in enumerate(
            zip(part.column("scenario").to_pylist(), part.column("success").to_pylist())
        ):
            k = position.get(sid)
            if k is None:
                continue
            recorded = np.asarray(params[i].as_py(), dtype=np.float64)
            if not np.array_equal(recorded, vectors[k]):
                raise InputError(
                    f"asd.batch: {store.path} holds scenario {sid} with other parameter "
                    "values than this run's; use another out folder, or request the same "
                    "scenarios"
                )
            latest_ok[sid] = bool(ok)  # later parts supersede earlier ones
    skip = {sid for sid, ok in latest_ok.items() if ok or not rerun_failed}
    failed = sum(not latest_ok[sid] for sid in skip)
    return skip, failed
