"""The AC-OPF command line solves small PGLib cases to their baseline objective."""

import re

import pytest

from cases.matpower import SHARED_PGLIB_DIR
from solvers.acopf.__main__ import main

pytestmark = pytest.mark.skipif(
    not SHARED_PGLIB_DIR.is_dir(), reason="../shared/cases/pglib is not beside the repository"
)


@pytest.mark.parametrize("case", ["pglib_opf_case5_pjm", "pglib_opf_case14_ieee"])
def test_cli_reaches_the_baseline(case, capsys):
    assert main([case, "--quiet"]) == 0
    out = capsys.readouterr().out
    diff = float(re.search(r"relative difference ([-+0-9.e]+)", out).group(1))
    assert abs(diff) < 1e-4
    assert "Hessian:" in out and "nnz(J)" in out
