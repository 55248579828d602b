"""Progress of the benchmark scripts (benchmarks/_report.py): shown on stderr with tqdm,
one line per item without it, nothing when silenced; the items and stdout never change."""

import argparse
import os
import sys

import pytest

from benchmarks._report import add_quiet_option, progress, say

ITEMS = ["case14", "case118", "case300"]


def run(**kwargs) -> list:
    return list(progress(ITEMS, "sweep", unit="case", label=lambda c: f"now {c}", **kwargs))


@pytest.fixture(autouse=True)
def shown(monkeypatch):
    """ASD_PROGRESS unset during a test, and as before it afterwards (even when --quiet set it)."""
    monkeypatch.setenv("ASD_PROGRESS", "1")  # records the value to restore
    monkeypatch.delenv("ASD_PROGRESS")


def test_tqdm_bar_on_stderr(capsys):
    pytest.importorskip("tqdm")
    assert run() == ITEMS
    out, err = capsys.readouterr()
    assert out == ""
    assert "sweep" in err and "3/3" in err and "case" in err
    assert "now case14" in err and "now case300" in err  # what is being worked on


def test_lines_without_tqdm(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm raises ImportError
    assert run() == ITEMS
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert [line.split(" [")[0] for line in lines[:3]] == ["sweep 1/3", "sweep 2/3", "sweep 3/3"]
    assert lines[0].endswith("now case14") and lines[2].endswith("now case300")
    assert lines[3].startswith("sweep: 3 done in ")
    assert len(lines) == 4


def test_lines_of_an_iterator_without_length(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    assert list(progress(iter(ITEMS), "sweep")) == ITEMS
    assert capsys.readouterr().err.splitlines()[0].startswith("sweep 1 [")


@pytest.mark.parametrize("tqdm_installed", [True, False])
def test_an_empty_loop_shows_nothing(capsys, monkeypatch, tqdm_installed):
    if not tqdm_installed:
        monkeypatch.setitem(sys.modules, "tqdm", None)
    assert list(progress([], "sweep")) == []
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("tqdm_installed", [True, False])
@pytest.mark.parametrize("off", ["0", "false", "OFF"])
def test_silenced_by_the_environment(capsys, monkeypatch, tqdm_installed, off):
    if not tqdm_installed:
        monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setenv("ASD_PROGRESS", off)
    assert run() == ITEMS
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("tqdm_installed", [True, False])
def test_silenced_by_quiet(capsys, monkeypatch, tqdm_installed):
    if not tqdm_installed:
        monkeypatch.setitem(sys.modules, "tqdm", None)
    assert run(quiet=True) == ITEMS
    assert capsys.readouterr() == ("", "")


def test_quiet_option_sets_the_environment(capsys):
    ap = argparse.ArgumentParser()
    add_quiet_option(ap)
    assert ap.parse_args([]).quiet is False
    assert "ASD_PROGRESS" not in os.environ
    assert ap.parse_args(["--quiet"]).quiet is True
    assert os.environ["ASD_PROGRESS"] == "0"  # child processes inherit it
    assert run() == ITEMS
    assert capsys.readouterr() == ("", "")
    assert ap.parse_args(["-q"]).quiet is True


def test_say_prints_to_stdout_during_a_bar(capsys):
    for c in progress(ITEMS[:1], "sweep"):
        say("row", c)
    out, _ = capsys.readouterr()
    assert out == "row case14\n"
