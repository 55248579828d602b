"""What the command lines share: one clear line and a non-zero exit for expected
failures (an unknown case, a missing optional package, bad input), tracebacks only
with ``--debug``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path


def prog_name(module: str) -> str:
    """How the user started the command: ``python -m MODULE`` or the console script."""
    argv0 = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    if not argv0 or argv0 in ("__main__.py", "-c", "python", "python3"):
        return f"python -m {module}"
    return argv0


#: exit status for a failure the user can fix (argparse uses 2 for bad arguments too)
USAGE_ERROR = 2


def one_line(error: BaseException) -> str:
    """The error's message on one line (the first line, then the rest joined)."""
    text = str(error).strip() or type(error).__name__
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return "; ".join(lines)


def run(prog: str, body: Callable[[], int], debug: bool) -> int:
    """Run ``body``; expected failures print ``prog: error: ...`` and return 2."""
    if debug:
        return body()
    try:
        return body()
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except ModuleNotFoundError as e:
        print(
            f"{prog}: error: the optional package {e.name!r} is missing; install it with "
            f"`pip install {e.name}` (run with --debug for the traceback)",
            file=sys.stderr,
        )
        return USAGE_ERROR
    except (LookupError, ValueError, OSError, ImportError, RuntimeError) as e:
        print(f"{prog}: error: {one_line(e)} (run with --debug for the traceback)", file=sys.stderr)
        return USAGE_ERROR
