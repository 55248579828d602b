"""Finding and loading an Ipopt shared library that exposes Ipopt's C interface.

Two pip-installable packages ship one: the ``casadi`` wheel (Ipopt with MUMPS built
with METIS) and ``cyipopt-wheels`` (Ipopt with MUMPS without METIS). Both are located
from their installed files (``importlib.util.find_spec`` reads the package folder
without importing the package), so casadi's Python layer is never imported. An
explicit path can be given in ``ASD_IPOPT_LIBRARY``. The library is opened with
``ctypes``; its dependencies (MUMPS, METIS, BLAS, gfortran) resolve through its own
run path (casadi) or are already loaded by cyipopt's extension (cyipopt-wheels).
"""

from __future__ import annotations

import ctypes
import functools
import importlib.util
import mmap
import os
import re
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError

#: where a library may come from, in the order ``find_libraries`` tries them
SOURCES = ("ASD_IPOPT_LIBRARY", "casadi", "cyipopt-wheels")

_c_int = ctypes.c_int
_c_double = ctypes.c_double
_c_void_p = ctypes.c_void_p
_c_char_p = ctypes.c_char_p
_c_bool = ctypes.c_bool
_dbl_p = ctypes.POINTER(ctypes.c_double)


@dataclass(frozen=True)
class IpoptLibrary:
    """An opened Ipopt library: its path, where it came from, version and linear solvers."""

    path: Path
    source: str
    version: str
    #: whether its MUMPS can order with METIS (``mumps_pivot_order=5``)
    metis: bool
    cdll: ctypes.CDLL

    def describe(self) -> str:
        metis = "with METIS" if self.metis else "without METIS"
        return f"Ipopt {self.version} ({self.source}, MUMPS {metis}): {self.path}"


def _package_folder(name: str) -> Path | None:
    """The installed folder of package ``name``, found without importing it."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _library_names() -> tuple[str, ...]:
    if sys.platform == "darwin":
        return ("libipopt*.dylib",)
    if sys.platform == "win32":
        return ("ipopt*.dll", "libipopt*.dll")
    return ("libipopt.so*", "libipopt-*.so*")


def _pick(folder: Path) -> Path | None:
    """The Ipopt library file in ``folder`` (the most specific name: the real file)."""
    if not folder.is_dir():
        return None
    found = [p for pat in _library_names() for p in folder.glob(pat) if p.is_file()]
    found = [p for p in found if "sipopt" not in p.name]
    return max(found, key=lambda p: len(p.name)) if found else None


def candidate_paths() -> list[tuple[str, Path]]:
    """(source, path) of every Ipopt library found, best first (METIS builds first)."""
    out: list[tuple[str, Path]] = []
    explicit = os.environ.get("ASD_IPOPT_LIBRARY")
    if explicit:
        p = Path(explicit)
        if not p.is_file():
            raise InputError(f"asd: ASD_IPOPT_LIBRARY names {explicit!r}, which is not a file")
        out.append(("ASD_IPOPT_LIBRARY", p))
    casadi = _package_folder("casadi")
    if casadi is not None and (p := _pick(casadi)) is not None:
        out.append(("casadi", p))
    cyipopt = _package_folder("cyipopt")
    if cyipopt is not None and (p := _pick(cyipopt.parent / "cyipopt_wheels.libs")) is not None:
        out.append(("cyipopt-wheels", p))
    return out


def _file_has(path: Path, needle: bytes) -> bool:
    try:
        with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            return mm.find(needle) >= 0
    except (OSError, ValueError):
        return False


@functools.cache
def _links_metis(path: Path) -> bool:
    """Whether the MUMPS next to this Ipopt library calls METIS's nested dissection
    (its file read once per process)."""
    folder = path.parent
    mumps = [p for p in folder.glob("*mumps*") if p.is_file() and ".la" not in p.suffixes]
    return any(_file_has(p, b"metis_nodend") or _file_has(p, b"METIS_NodeND") for p in mumps)


def _version(cdll: ctypes.CDLL, path: Path) -> str:
    get = getattr(cdll, "GetIpoptVersion", None)
    if get is not None:
        major, minor, release = _c_int(), _c_int(), _c_int()
        get.restype = None
        get.argtypes = [ctypes.POINTER(_c_int)] * 3
        get(ctypes.byref(major), ctypes.byref(minor), ctypes.byref(release))
        return f"{major.value}.{minor.value}.{release.value}"
    m = re.search(r"(\d+\.\d+\.\d+)", path.name)
    return m.group(1) if m else "unknown"


def _declare(cdll: ctypes.CDLL) -> None:
    """Prototypes of the C interface functions used (callbacks passed as addresses)."""
    cdll.CreateIpoptProblem.restype = _c_void_p
    cdll.CreateIpoptProblem.argtypes = [
        _c_int,
        _dbl_p,
        _dbl_p,
        _c_int,
        _dbl_p,
        _dbl_p,
        _c_int,
        _c_int,
        _c_int,
        *([_c_void_p] * 5),
    ]
    cdll.FreeIpoptProblem.restype = None
    cdll.FreeIpoptProblem.argtypes = [_c_void_p]
    cdll.AddIpoptStrOption.restype = _c_bool
    cdll.AddIpoptStrOption.argtypes = [_c_void_p, _c_char_p, _c_char_p]
    cdll.AddIpoptNumOption.restype = _c_bool
    cdll.AddIpoptNumOption.argtypes = [_c_void_p, _c_char_p, _c_double]
    cdll.AddIpoptIntOption.restype = _c_bool
    cdll.AddIpoptIntOption.argtypes = [_c_void_p, _c_char_p, _c_int]
    cdll.SetIntermediateCallback.restype = _c_bool
    cdll.SetIntermediateCallback.argtypes = [_c_void_p, _c_void_p]
    cdll.IpoptSolve.restype = _c_int
    cdll.IpoptSolve.argtypes = [_c_void_p, *([_dbl_p] * 6), _c_void_p]


_opened: dict[Path, IpoptLibrary] = {}
_lock = threading.Lock()


def open_library(source: str, path: Path) -> IpoptLibrary:
    """Open (once per process) the Ipopt library at ``path``."""
    path = Path(path).resolve()
    with _lock:
        if path in _opened:
            return _opened[path]
        if source == "cyipopt-wheels" or path.parent.name == "cyipopt_wheels.libs":
            try:
                import cyipopt  # noqa: F401 - loads MUMPS, BLAS and gfortran the library needs
            except ImportError as e:
                raise OSError(f"asd: {path} needs cyipopt's libraries: {e}") from e
        try:
            cdll = ctypes.CDLL(str(path))
        except OSError as e:
            raise OSError(f"asd: could not open the Ipopt library {path}: {e}") from e
        missing = [
            name
            for name in ("CreateIpoptProblem", "IpoptSolve", "SetIntermediateCallback")
            if not hasattr(cdll, name)
        ]
        if missing:
            raise OSError(f"asd: {path} lacks Ipopt's C interface ({', '.join(missing)})")
        _declare(cdll)
        lib = IpoptLibrary(path, source, _version(cdll, path), _links_metis(path), cdll)
        _opened[path] = lib
        return lib


_found: dict[tuple[str | None, bool], IpoptLibrary | None] = {}


def find_library(prefer_metis: bool = True) -> IpoptLibrary | None:
    """The first Ipopt library that opens (METIS builds first when ``prefer_metis``),
    or None when none is installed. The answer is kept per ``ASD_IPOPT_LIBRARY`` value,
    so a solve does not search the package folders again."""
    key = (os.environ.get("ASD_IPOPT_LIBRARY"), prefer_metis)
    if key in _found:
        return _found[key]
    found = candidate_paths()
    if prefer_metis:
        # an explicit path always comes first; then METIS builds before the others
        head = [c for c in found if c[0] == "ASD_IPOPT_LIBRARY"]
        rest = [c for c in found if c[0] != "ASD_IPOPT_LIBRARY"]
        rest.sort(key=lambda c: not _links_metis(c[1].resolve()))
        found = head + rest
    lib = None
    for source, path in found:
        try:
            lib = open_library(source, path)
            break
        except OSError:
            if source == "ASD_IPOPT_LIBRARY":
                raise
    _found[key] = lib
    return lib
