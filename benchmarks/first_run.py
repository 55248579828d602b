"""First run (empty caches) and cold start (new process, warm caches) of what users run first.

    python benchmarks/first_run.py [--repeat 3] [--skip-main]

Writes benchmarks/results/first_run.md and .csv. Every measurement is a new Python
process. "Empty caches": a fresh ``ASD_CACHE_DIR`` and ``NUMBA_CACHE_DIR`` for that
scenario, so everything asd needs compiles; "warm caches": the same scenario again in
a new process with the caches its first run wrote (the median of ``--repeat`` runs).
Scenarios: the README's first snippet (``jacobian_sparsity``, then a prepared
``asd.jacobian`` and ``asd.hessian`` of a 6-element function), ``asd.jacobian`` of
the Brusselator at N = 48, and the README's main command (``python -m solvers.acopf``,
its default case). The import floor is ``import numpy, scipy.sparse, numba`` in a new
process. "compile" is the time Numba spent compiling in that process (its compile
events, outermost only).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from _report import (  # noqa: E402
    add_quiet_option,
    fresh_python,
    header,
    markdown_table,
    progress,
    write_results,
)

#: prepended to every scenario: a clock from the first line and Numba's compile time
PRELUDE = """
import time, json
_t0 = time.perf_counter()
_steps = {}
import numpy, scipy.sparse, numba
from numba.core import event
_compile = [0.0, 0, None]
class _Timer(event.Listener):
    def on_start(self, ev):
        _compile[1] += 1
        if _compile[1] == 1:
            _compile[2] = time.perf_counter()
    def on_end(self, ev):
        _compile[1] -= 1
        if _compile[1] == 0:
            _compile[0] += time.perf_counter() - _compile[2]
event.register("numba:compile", _Timer())
def _step(name, fn):
    t = time.perf_counter()
    out = fn()
    _steps[name] = time.perf_counter() - t
    return out
_steps["import numpy, scipy.sparse, numba"] = time.perf_counter() - _t0
"""

EPILOGUE = """
_steps["total"] = time.perf_counter() - _t0
print("RESULT" + json.dumps({"steps": _steps, "compile": _compile[0]}))
"""

SCENARIOS = {
    "import floor": "",
    "README snippet": """
_step("import asd", lambda: __import__("asd"))
import asd
import numpy as np
def f(x):
    return x[1:] ** 2 - np.sin(x[:-1]) * x[0]
x = np.random.default_rng(0).random(6)
_step("jacobian_sparsity", lambda: asd.jacobian_sparsity(f, x))
_step("jacobian (prepare + call)", lambda: asd.jacobian(f)(x))
_step("hessian (prepare + call)", lambda: asd.hessian(lambda x: f(x).sum())(x))
""",
    "Brusselator N = 48": """
_step("import asd", lambda: __import__("asd"))
import asd
from cases.brusselator import Brusselator2D
b = Brusselator2D(48)
y = b.initial_state()
_step("first jacobian (prepare + call)", lambda: asd.jacobian(b.f)(y))
""",
    "main command": """
import contextlib, io
from solvers.acopf.__main__ import main
with contextlib.redirect_stdout(io.StringIO()):
    code = _step("python -m solvers.acopf --quiet", lambda: main(["--quiet"]))
assert code == 0, code
""",
}

COLUMNS = ["scenario", "step", "empty caches (s)", "warm caches (s)", "compile, empty (s)"]


def run(scenario: str, cache: Path) -> dict:
    env = {"ASD_CACHE_DIR": str(cache / "asd"), "NUMBA_CACHE_DIR": str(cache / "numba")}
    env["ASD_QUIET"] = "1"
    _, out = fresh_python(PRELUDE + SCENARIOS[scenario] + EPILOGUE, **env)
    line = next(s for s in out.splitlines() if s.startswith("RESULT"))
    return json.loads(line[len("RESULT") :])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="warm runs per scenario (median)")
    ap.add_argument("--skip-main", action="store_true", help="leave out the main command")
    add_quiet_option(ap)
    args = ap.parse_args()
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    names = [s for s in SCENARIOS if not (args.skip_main and s == "main command")]
    rows, summary = [], {}
    runs = [(name, i) for name in names for i in range(1 + args.repeat)]
    cold, warm_runs, cache = None, [], None
    for name, i in progress(runs, "first run", label=lambda r: f"{r[0]}, run {r[1] + 1}"):
        if i == 0:
            cache = Path(tempfile.mkdtemp(prefix="asd-first-run-"))
            cold, warm_runs = run(name, cache), []
            continue
        try:
            warm_runs.append(run(name, cache))
        finally:
            if i == args.repeat:
                shutil.rmtree(cache, ignore_errors=True)
        if i < args.repeat:
            continue
        for step, t in cold["steps"].items():
            ws = sorted(w["steps"][step] for w in warm_runs)
            rows.append(
                {
                    "scenario": name,
                    "step": step,
                    "empty caches (s)": f"{t:.2f}",
                    "warm caches (s)": f"{ws[len(ws) // 2]:.3f}",
                    "compile, empty (s)": f"{cold['compile']:.1f}" if step == "total" else "",
                }
            )
        summary[name] = (cold, warm_runs)

    def warm(name, step):
        ws = sorted(w["steps"][step] for w in summary[name][1])
        return ws[len(ws) // 2]

    readme = summary["README snippet"][0]["steps"]
    three = sum(readme[s] for s in readme if "(" in s or s == "jacobian_sparsity")
    floor = warm("import floor", "total")
    bruss = warm("Brusselator N = 48", "total")
    lines = [
        "## Against the targets",
        "",
        f"- README snippet, empty caches: `jacobian_sparsity` + prepared `jacobian` + "
        f"`hessian` = {three:.1f} s (target ≤ 20 s).",
        f"- Brusselator N = 48, warm caches: import + first Jacobian in a new process "
        f"{bruss:.2f} s, import floor (numpy + scipy.sparse + numba) {floor:.2f} s: "
        f"{bruss - floor:.2f} s above the floor (target ≤ 0.5 s).",
    ]
    if "main command" in summary:
        cold = summary["main command"][0]
        lines.append(
            f"- Main command, empty caches: {cold['steps']['total']:.1f} s in all, of which "
            f"{cold['compile']:.1f} s compiling (target ≤ 30 s of compilation); warm caches "
            f"{warm('main command', 'total'):.1f} s."
        )
    text = (
        header("First run and cold start")
        + "\n"
        + __doc__.split("\n\n", 2)[2]
        + "\n"
        + "\n".join(lines)
        + "\n\n"
        + markdown_table(rows, COLUMNS)
    )
    write_results("first_run", text, rows, COLUMNS)


if __name__ == "__main__":
    main()
