"""Test-session settings.

Every tape here runs the kernel module with all operator families: the suite's random
programs use hundreds of operator combinations, and one module compiled once serves
them all (``ASD_KERNEL_FAMILIES=per-family`` runs the suite with the per-family
modules users get by default; tests/test_kernel_families.py checks those agree).
Before the first test, ``tests/warmup.py`` compiles that module's kernels in two
processes at once (``ASD_TEST_WARMUP=0`` skips it).
"""

import os
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("ASD_KERNEL_FAMILIES", "all")
ROOT = Path(__file__).resolve().parents[1]


def pytest_sessionstart(session):
    if hasattr(session.config, "workerinput") or os.environ.get("ASD_TEST_WARMUP") == "0":
        return  # an xdist worker: the controller warmed the caches
    env = {**os.environ, "ASD_QUIET": "1"}
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT / "src"), str(ROOT), env.get("PYTHONPATH")) if p
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.warmup", str(k)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in (0, 1)
    ]
    for p in procs:
        _, err = p.communicate()
        if p.returncode != 0:  # the tests compile for themselves, and report any failure
            print(f"tests/warmup.py failed (the tests will compile on their own):\n{err[-2000:]}")
