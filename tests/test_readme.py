"""Every ```python block of the README runs as written, each in a fresh namespace.

A block is what a new user copies: it must import what it uses and define every
name. Blocks run from the repository root (the README's `cases` imports), with
matplotlib on its non-interactive backend in case a block plots.
"""

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BLOCKS = re.findall(r"^```python\n(.*?)^```", (ROOT / "README.md").read_text(), re.S | re.M)


def test_readme_has_python_blocks():
    assert len(BLOCKS) >= 6


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_block_runs(index, monkeypatch):
    os.environ.setdefault("MPLBACKEND", "Agg")
    monkeypatch.chdir(ROOT)
    code = compile(BLOCKS[index], f"README.md python block {index + 1}", "exec")
    exec(code, {"__name__": f"readme_block_{index + 1}"})
