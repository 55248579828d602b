"""Kernels compiled per operator family, the shared on-disk cache and the compile notice."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import special

import asd
from asd import compile_notice
from asd.operators import families as fam
from asd.operators.codegen import kernel_source, kernels
from asd.operators.table import BY_CODE, OPCODE
from tests.derivcheck import dense

SRC = Path(asd.__file__).resolve().parents[1]


def f(x):
    return x[1:] ** 2 - np.sin(x[:-1]) * x[0]


def g(x):
    return np.exp(x) * np.log(x) + x[::-1] / x


@pytest.fixture
def per_family(monkeypatch):
    """The default users get: each tape runs the module of its own families."""
    monkeypatch.delenv("ASD_KERNEL_FAMILIES", raising=False)
    return monkeypatch


def test_every_operator_has_exactly_one_family():
    names = [name for members in fam.FAMILIES.values() for name in members]
    assert len(names) == len(set(names))
    assert set(names) == {op.name for op in BY_CODE if op is not None}
    for name in names:
        assert bin(int(fam.BIT_OF_CODE[OPCODE[name]])).count("1") == 1


def test_tape_names_only_the_families_it_uses(per_family):
    tape = asd.trace(f, np.ones(6))
    used = {BY_CODE[c].name for c in np.unique(tape.seg_op) if BY_CODE[c] is not None}
    want = 0
    for name in used:
        want |= int(fam.BIT_OF_CODE[OPCODE[name]])
    assert tape.families == want
    assert fam.describe(tape.families) == "arithmetic, trigonometric"


def test_module_holds_the_branches_of_its_families_only():
    mask = 1 << fam.NAMES.index("trigonometric")
    src = kernel_source(mask)
    assert "# sin" in src and "# cos" in src
    assert "# exp" not in src and "# erf" not in src and "# mul" not in src
    full = kernel_source(fam.ALL)
    assert all(f"# {op.name}\n" in full for op in BY_CODE if op is not None)
    assert kernels(mask) is kernels(mask)
    assert kernels(mask) is not kernels(fam.ALL)


def test_tape_needs_no_family_beyond_its_own_module(per_family):
    """A pickled tape, an output subset (dataclasses.replace) and a fused tape recompute
    their families from their opcodes, so no branch they run is ever missing."""
    import pickle
    from dataclasses import replace

    tape = asd.trace(
        lambda x: np.where(x > 0.5, np.tanh(x), np.hypot(x, 2.0)) + special.erf(x),
        np.linspace(0.1, 0.9, 4),
    )
    back = pickle.loads(pickle.dumps(tape))
    assert back.families == tape.families
    sub = replace(tape, outputs=tape.outputs[:2], output_shape=(2,))
    assert sub.families == tape.families
    codes = fam.codes_in(tape.families)
    assert {int(c) for c in np.unique(tape.seg_op) if BY_CODE[c] is not None} <= codes


@pytest.mark.parametrize("fun", [f, g])
def test_family_kernels_agree_with_the_all_family_kernels(fun, per_family):
    x = np.linspace(0.2, 0.8, 6)
    assert asd.trace(fun, x).families != fam.ALL
    J = dense(asd.jacobian(fun)(x))
    H = dense(asd.hessian(lambda x: fun(x).sum())(x))
    per_family.setenv("ASD_KERNEL_FAMILIES", "all")
    assert asd.trace(fun, x).families == fam.ALL
    np.testing.assert_array_equal(dense(asd.jacobian(fun)(x)), J)
    np.testing.assert_array_equal(dense(asd.hessian(lambda x: fun(x).sum())(x)), H)


def test_notice_says_once_and_respects_quiet(capsys, monkeypatch):
    monkeypatch.setattr(compile_notice, "_printed", False)
    monkeypatch.setattr(compile_notice, "_quiet", True)
    compile_notice._say("x")
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(compile_notice, "_quiet", False)
    monkeypatch.delenv("ASD_QUIET", raising=False)
    compile_notice._say("the values kernel")
    compile_notice._say("again")
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "the values kernel" in err and "once" in err


PROBE = """
import json, sys, time
from numba.core import event
count = [0]
class L(event.Listener):
    def on_start(self, ev):
        count[0] += 1
    def on_end(self, ev):
        pass
event.register("numba:compile", L())
import numpy as np
import asd
assert asd.__file__.startswith(sys.argv[1]), asd.__file__
tape = asd.trace(lambda x: np.sin(x[1:]) * x[:-1], np.ones(5))
y = asd.evaluate(tape, np.arange(5.0))
print("RESULT" + json.dumps({"compilations": count[0], "y": list(y)}))
"""


def test_cache_written_by_one_install_serves_another(tmp_path):
    """Two copies of the package at different paths share one cache folder: the
    second compiles nothing. The first, on an empty cache, says it compiles."""
    results = []
    for where in ("first", "second"):
        root = tmp_path / where
        shutil.copytree(SRC / "asd", root / "asd", ignore=shutil.ignore_patterns("__pycache__"))
        env = {
            **os.environ,
            "PYTHONPATH": str(root),
            "ASD_CACHE_DIR": str(tmp_path / "cache"),
            "NUMBA_CACHE_DIR": str(tmp_path / "numba-default"),
            "ASD_COMPILE_NOTICE_AFTER": "0",
        }
        env.pop("ASD_QUIET", None)
        env.pop("ASD_KERNEL_FAMILIES", None)
        proc = subprocess.run(
            [sys.executable, "-c", PROBE, str(root)],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
        )
        assert proc.returncode == 0, proc.stderr
        line = next(s for s in proc.stdout.splitlines() if s.startswith("RESULT"))
        results.append((json.loads(line[6:]), proc.stderr))
    (first, err1), (second, err2) = results
    assert first["compilations"] > 0 and "asd: first use, compiling" in err1
    assert second["compilations"] == 0, err2
    assert "compiling" not in err2
    np.testing.assert_array_equal(first["y"], second["y"])
    assert not (tmp_path / "numba-default").exists() or not any(
        (tmp_path / "numba-default").rglob("*.nbi")
    )
