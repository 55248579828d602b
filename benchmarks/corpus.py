"""Run the corpus of issue #15 (``cases/corpus``) through asd and report the share
handled: every entry at every size, checked like ``tests/test_corpus.py`` (values,
Jacobian or gradient and Hessian in every mode against second-order jets of the same
numpy source, patterns global ⊇ local ⊇ true). Writes ``results/corpus.md`` and
``results/corpus.csv``.

    python benchmarks/corpus.py [--quiet]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path[:0] = [
    str(Path(__file__).resolve().parents[1]),
    str(Path(__file__).resolve().parents[1] / "src"),
]

from benchmarks._report import (  # noqa: E402
    add_quiet_option,
    header,
    markdown_table,
    progress,
    write_results,
)
from cases.corpus import SOURCES, entries  # noqa: E402
from tests.corpus_check import check_entry, expected_error  # noqa: E402


def run_one(e):
    """``(status, reason)`` of one entry over all its sizes."""
    for n in e.sizes:
        if e.expect != "ok":
            err = expected_error(e, e.points(n)[0])
            reason = str(err).splitlines()[0].split(". ")[0] if err else "no error raised"
            return "unhandled", f"{type(err).__name__}: {reason}"
        try:
            check_entry(e, n)
        except AssertionError as err:
            return "wrong", f"n={n}: " + str(err).strip().splitlines()[0]
        except Exception as err:  # noqa: BLE001 - reported, not hidden
            return "error", f"n={n}: {type(err).__name__}: " + str(err).splitlines()[0]
    return "handled", ""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    add_quiet_option(ap)
    ap.parse_args()
    rows = []
    t0 = time.perf_counter()
    for e in progress(entries(), "corpus", unit="function", label=lambda e: e.name):
        t = time.perf_counter()
        status, reason = run_one(e)
        rows.append(
            {
                "name": e.name,
                "source": e.source,
                "ref": e.ref,
                "kind": e.kind,
                "sizes": " ".join(map(str, e.sizes)),
                "status": status,
                "seconds": f"{time.perf_counter() - t:.2f}",
                "reason": reason.replace("|", "/"),
            }
        )
    total = time.perf_counter() - t0
    by_source = []
    for key in SOURCES:
        rs = [r for r in rows if r["source"] == key]
        c = Counter(r["status"] for r in rs)
        by_source.append(
            {
                "source": key,
                "functions": len(rs),
                "handled": c["handled"],
                "share": f"{c['handled'] / max(len(rs), 1):.1%}",
                "unhandled (clear asd error)": c["unhandled"],
                "wrong or crash": c["wrong"] + c["error"],
            }
        )
    handled = sum(r["status"] == "handled" for r in rows)
    rest = [r for r in rows if r["status"] != "handled"]
    text = header("Corpus of third-party numpy functions (issue #15)")
    text += (
        f"- functions: {len(rows)}, handled exactly: {handled} ({handled / len(rows):.1%}); "
        f"checks at 3 points per size, {sum(len(r['sizes'].split()) for r in rows)} "
        f"function-size pairs, {total:.0f} s\n\n"
        "Handled = values, Jacobian (or gradient) in the modes direct / forward / reverse and "
        "Hessian (of w·f for vector functions) in the modes direct / colored equal to "
        "second-order jets of the same numpy source to 1e-10, and global ⊇ local ⊇ true "
        "nonzero patterns, at every point. Sources:\n\n"
        + "".join(f"- {k}: {v}\n" for k, v in SOURCES.items())
        + "\n## Share handled by source\n\n"
        + markdown_table(by_source, list(by_source[0]))
        + "\n## Not handled\n\n"
        + (
            markdown_table(rest, ["name", "source", "ref", "status", "reason"])
            if rest
            else "none\n"
        )
    )
    cols = ["name", "source", "ref", "kind", "sizes", "status", "seconds", "reason"]
    print(write_results("corpus", text, rows, cols))
    print(text)


if __name__ == "__main__":
    main()
