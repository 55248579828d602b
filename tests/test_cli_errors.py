"""Both command lines: one clear line and a non-zero exit for expected failures, from
any directory; --help documents every option; --debug shows the traceback."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize("module", ["solvers.acopf", "solvers.stiff_ode"])
def test_help_documents_every_option(module, tmp_path):
    out = run("-m", module, "--help", cwd=tmp_path)
    assert out.returncode == 0
    options = {"--debug"} | (
        {"--solver", "--tol", "--quiet", "--scenarios", "--spread", "--seed", "--workers"}
        | {"--scheduler", "--out", "--rerun-failed"}
        if module == "solvers.acopf"
        else {"--n", "--t-end", "--method", "--rtol", "--atol", "--preconditioner"}
    )
    text = out.stdout
    for opt in options:
        assert opt in text
    # every option line carries a help text (argparse prints it after the option)
    assert "default" in text


def test_unknown_case_is_one_line_without_traceback(tmp_path):
    out = run("-m", "solvers.acopf", "no_such_case_xyz", cwd=tmp_path)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert "error: no MATPOWER case 'no_such_case_xyz'" in lines[0]
    assert "Traceback" not in out.stderr


def test_debug_shows_the_traceback(tmp_path):
    out = run("-m", "solvers.acopf", "no_such_case_xyz", "--debug", cwd=tmp_path)
    assert out.returncode != 0
    assert "Traceback" in out.stderr and "CaseNotFoundError" in out.stderr


def test_bad_arguments_exit_non_zero(tmp_path):
    out = run("-m", "solvers.stiff_ode", "--n", "2", cwd=tmp_path)
    assert out.returncode == 2 and "--n must be at least 3" in out.stderr
    out = run("-m", "solvers.acopf", "--solver", "newton", cwd=tmp_path)
    assert out.returncode == 2 and "invalid choice" in out.stderr


def test_stiff_ode_runs_from_another_directory(tmp_path):
    out = run("-m", "solvers.stiff_ode", "--n", "8", "--t-end", "0.5", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "Brusselator N=8" in out.stdout
