"""Shared helpers for benchmark scripts: timing, progress on stderr and results files that
name their command."""

from __future__ import annotations

import argparse
import csv
import os
import platform
import shlex
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import TypeVar

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parents[1]

T = TypeVar("T")

#: Values of ASD_PROGRESS that silence the progress display.
PROGRESS_OFF = ("0", "false", "no", "off")


# -- progress -----------------------------------------------------------------------------


def progress_enabled(quiet: bool = False) -> bool:
    """Whether progress is shown: yes unless ``quiet`` or ASD_PROGRESS is 0 / false / no / off."""
    return not quiet and os.environ.get("ASD_PROGRESS", "1").strip().lower() not in PROGRESS_OFF


def progress(
    iterable: Iterable[T],
    desc: str,
    total: int | None = None,
    unit: str = "it",
    label: Callable[[T], str] | None = None,
    quiet: bool = False,
    leave: bool = True,
) -> Iterator[T]:
    """The items of ``iterable``, with progress shown on stderr while they are worked on.

    ``desc`` says what the loop does, ``label(item)`` which item is being worked on (a case
    name, a size); ``total`` defaults to ``len(iterable)``. With tqdm installed this is a
    tqdm bar (the label as its postfix); without it, one line per item on stderr
    (``desc k/total [elapsed] label``) and a closing line; ``leave=False`` clears a tqdm
    bar when its loop ends (an inner loop). Nothing is shown when ``quiet``
    or ASD_PROGRESS=0 (``--quiet`` of every benchmark sets it). Standard output and the
    results files are never touched; print result lines with :func:`say`.
    """
    if not progress_enabled(quiet):
        yield from iterable
        return
    if total is None:
        try:
            total = len(iterable)  # type: ignore[arg-type]
        except TypeError:
            total = None
    if total == 0:  # nothing to do, nothing to show
        yield from iterable
        return
    try:
        from tqdm import tqdm
    except ImportError:
        tqdm = None
    if tqdm is not None:
        with tqdm(iterable, desc=desc, total=total, unit=unit, leave=leave, file=sys.stderr) as bar:
            for item in bar:
                if label is not None:
                    bar.set_postfix_str(label(item))
                yield item
        return
    t0 = time.perf_counter()
    of = f"/{total}" if total is not None else ""
    k = 0
    for k, item in enumerate(iterable, 1):
        text = f" {label(item)}" if label is not None else ""
        print(
            f"{desc} {k}{of} [{time.perf_counter() - t0:.0f} s]{text}", file=sys.stderr, flush=True
        )
        yield item
    print(f"{desc}: {k} done in {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)


def say(*values: object) -> None:
    """``print(*values)`` to standard output, flushed, without breaking a progress bar."""
    tqdm = sys.modules.get("tqdm")
    if tqdm is not None and getattr(tqdm.tqdm, "_instances", None):
        tqdm.tqdm.write(" ".join(map(str, values)), file=sys.stdout)
        sys.stdout.flush()
    else:
        print(*values, flush=True)


class _Quiet(argparse.Action):
    """``--quiet``: sets ASD_PROGRESS=0, so this process and its children show no progress."""

    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, nargs=0, default=False, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        os.environ["ASD_PROGRESS"] = "0"
        setattr(namespace, self.dest, True)


def add_quiet_option(parser: argparse.ArgumentParser) -> None:
    """Give a benchmark's command line ``-q`` / ``--quiet``: no progress on stderr."""
    parser.add_argument(
        "-q",
        "--quiet",
        action=_Quiet,
        help="show no progress on stderr (the same as the environment variable ASD_PROGRESS=0)",
    )


# -- timing -------------------------------------------------------------------------------


def _loops(fn: Callable[[], object], min_time: float) -> int:
    """How many calls one sample loops so that it lasts about ``min_time`` (fn warmed)."""
    fn()
    t0 = time.perf_counter()
    fn()
    return max(1, int(min_time / max(time.perf_counter() - t0, 1e-9)))


def _sample(fn: Callable[[], object], loops: int) -> float:
    """Mean time per call over ``loops`` calls."""
    t0 = time.perf_counter()
    for _ in range(loops):
        fn()
    return (time.perf_counter() - t0) / loops


def _median(samples: list[float]) -> float:
    return sorted(samples)[len(samples) // 2]


def _per_call_samples(fn: Callable[[], object], repeat: int, min_time: float) -> list[float]:
    """``repeat`` samples of the mean time per call; short calls are looped to ``min_time``."""
    loops = _loops(fn, min_time)
    return [_sample(fn, loops) for _ in range(repeat)]


def best_time(fn: Callable[[], object], repeat: int = 5, min_time: float = 0.05) -> float:
    """Median over ``repeat`` runs of the mean time per call (looping short calls)."""
    return _median(_per_call_samples(fn, repeat, min_time))


def fastest_time(fn: Callable[[], object], repeat: int = 5, min_time: float = 0.05) -> float:
    """Smallest over ``repeat`` runs of the mean time per call (looping short calls).

    The minimum rather than the median: on a shared machine other load only ever adds
    time, so the fastest sample is the least disturbed one.
    """
    return min(_per_call_samples(fn, repeat, min_time))


def interleaved_times(
    fns: dict[str, Callable[[], object]], repeat: int = 7, min_time: float = 0.05
) -> dict[str, float]:
    """Median time per call of each function, sampled in alternating rounds.

    Each round takes one sample of every function in turn, so a load change on a
    shared machine shifts all of them alike and their ratios stay fair.
    """
    loops = {name: _loops(fn, min_time) for name, fn in fns.items()}
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            samples[name].append(_sample(fn, loops[name]))
    return {name: _median(s) for name, s in samples.items()}


def fresh_python(code: str, **env: str) -> tuple[float, str]:
    """Run ``python -c code`` in a new interpreter at the repository root (``src`` and the
    root importable, ``env`` added): its wall time and standard output."""
    environ = {**os.environ, "PYTHONPATH": f"{ROOT}:{ROOT / 'src'}", **env}
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, env=environ
    )
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"fresh process failed:\n{proc.stderr[-2000:]}")
    return wall, proc.stdout


def versions(*packages: str) -> str:
    out = [f"python {platform.python_version()}"]
    for p in packages:
        try:
            out.append(f"{p} {metadata.version(p)}")
        except metadata.PackageNotFoundError:
            out.append(f"{p} (not installed)")
    return ", ".join(out)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def header(title: str, packages: tuple[str, ...] = ("numpy", "scipy", "numba")) -> str:
    script = os.path.relpath(sys.argv[0], RESULTS.parents[1])
    cmd = "python " + " ".join(shlex.quote(a) for a in [script, *sys.argv[1:]])
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"# {title}\n\n"
        f"- command: `{cmd}`\n"
        f"- date: {now}\n"
        f"- versions: {versions(*packages)}\n"
        f"- machine: {machine()}\n"
    )


def markdown_table(rows: list[dict], columns: list[str]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for r in rows:
        lines.append("| " + " | ".join(str(r.get(c, "")) for c in columns) + " |")
    return "\n".join(lines) + "\n"


def write_results(
    name: str, text: str, rows: list[dict], columns: list[str], folder: Path | None = None
) -> Path:
    """Write ``name``.md and .csv to ``folder``; by default ``results/``, or
    ``results/quick/`` for a ``--quick`` smoke run, so it never replaces the full results."""
    if folder is None:
        folder = RESULTS / "quick" if "--quick" in sys.argv[1:] else RESULTS
    folder.mkdir(parents=True, exist_ok=True)
    md = folder / f"{name}.md"
    md.write_text(text)
    with open(folder / f"{name}.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    return md
