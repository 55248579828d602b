"""One scenario in, one record out: the work a batch does on a worker.

A *record* is a plain dict with the columns of ``COLUMNS``. Every outcome gives one:
an Ipopt status (solved, infeasible, iteration limit, ...) keeps Ipopt's status code,
message and last iterate; an exception raised while solving keeps its type and
message, with no solution. Nothing here imports Dask, so the same code runs in
process (serial batches, reference solves) and on workers.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from scipy.optimize import OptimizeResult

#: (name, what it holds) of every column of a batch result, in table order
COLUMNS = (
    ("scenario", "the scenario's id (int)"),
    (
        "status",
        "Ipopt's return status (0 solved, 1 acceptable, <0 / 2..: failures); "
        "null when an exception ended the solve",
    ),
    ("success", "Ipopt solved it (status 0 or 1)"),
    ("message", "Ipopt's status message, or 'ExceptionType: message'"),
    ("error", "the exception's type name; null for an Ipopt outcome"),
    ("objective", "the objective at the returned point (NaN without one)"),
    ("iterations", "Ipopt iterations (of the solve kept, see 'start')"),
    ("solve_time", "seconds spent on this scenario on its worker, all attempts"),
    ("start", "'warm', 'cold' (the NLP's x0) or 'cold after warm' (a warm start failed)"),
    ("worker", "the worker that solved it ('local' in process)"),
    ("run", "the run that recorded it (time and process id)"),
    ("params", "the flat parameter vector (see asd.NLP.with_args)"),
    ("x", "the primal solution"),
    ("mult_g", "constraint multipliers"),
    ("mult_x_L", "lower-bound multipliers"),
    ("mult_x_U", "upper-bound multipliers"),
)

#: the columns holding vectors
VECTORS = ("params", "x", "mult_g", "mult_x_L", "mult_x_U")


def _attempt(solve: Callable[[], OptimizeResult]) -> tuple[dict, str | None]:
    """Run one solve: its record fields, and the error type (None for an Ipopt
    outcome). Exceptions are caught here and never leave (KeyboardInterrupt does)."""
    try:
        res = solve()
    except Exception as e:  # noqa: BLE001 - recorded with the scenario, never dropped
        text = str(e).strip().splitlines()
        first = text[0] if text else ""
        return {
            "status": None,
            "success": False,
            "message": f"{type(e).__name__}: {first}" if first else type(e).__name__,
            "objective": float("nan"),
            "iterations": None,
            **dict.fromkeys(("x", "mult_g", "mult_x_L", "mult_x_U")),
        }, type(e).__name__
    return {
        "status": int(res.status),
        "success": bool(res.success),
        "message": str(res.message),
        "objective": float(res.fun),
        "iterations": int(res.nit),
        "x": np.asarray(res.x, dtype=np.float64),
        "mult_g": np.asarray(res.mult_g, dtype=np.float64),
        "mult_x_L": np.asarray(res.mult_x_L, dtype=np.float64),
        "mult_x_U": np.asarray(res.mult_x_U, dtype=np.float64),
    }, None


def solve_scenario(
    nlp,
    scenario: int,
    params: np.ndarray,
    options: dict | None = None,
    warm_start=None,
    warm_options: dict | None = None,
    *,
    worker: str = "local",
    run: str = "",
) -> dict:
    """Solve ``nlp`` at the flat parameter vector ``params``; always returns a record.

    With ``warm_start`` (a previous result or a mapping with ``x, mult_g, mult_x_L,
    mult_x_U``) the solve starts there with ``options`` updated by ``warm_options``; if
    that does not succeed, the scenario is solved again from the NLP's own ``x0`` with
    ``options`` alone and that solve is kept (``start = "cold after warm"``), so a
    poor warm start costs time, not the scenario.
    """
    t0 = time.perf_counter()
    params = np.asarray(params, dtype=np.float64)

    def problem():
        return nlp.with_args(*nlp.tape.params.unflatten(params))

    if warm_start is not None:
        warm = {**(options or {}), **(warm_options or {})}
        fields, error = _attempt(lambda: problem().solve(warm, warm_start=warm_start))
        start = "warm"
        if not fields["success"]:
            fields, error = _attempt(lambda: problem().solve(options))
            start = "cold after warm"
    else:
        fields, error = _attempt(lambda: problem().solve(options))
        start = "cold"
    return {
        "scenario": int(scenario),
        **fields,
        "error": error,
        "solve_time": time.perf_counter() - t0,
        "start": start,
        "worker": worker,
        "run": run,
        "params": params,
    }
