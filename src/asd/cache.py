"""Where asd keeps compiled code: one folder, shared by every install of the same source.

Numba files a function's cache under the folder of its source file, so two installs
of asd (two virtual environments, an editable clone and a wheel) would compile
everything twice. asd's own functions are filed instead under the cache folder
(``ASD_CACHE_DIR``, default ``~/.cache/asd``) by module name, and their freshness is
the hash of the source text, so a cache written from one location serves another.
The generated kernel modules live in the same folder.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import tempfile
from pathlib import Path
from types import ModuleType

_dir: Path | None = None


def cache_dir() -> Path:
    """The writable folder for asd's generated modules and compiled code."""
    global _dir
    if _dir is not None and os.environ.get("ASD_CACHE_DIR", "") in ("", str(_dir)):
        return _dir
    env = os.environ.get("ASD_CACHE_DIR")
    candidates = [Path(env)] if env else []
    candidates.append(Path.home() / ".cache" / "asd")
    candidates.append(Path(tempfile.gettempdir()) / "asd-cache")
    for c in candidates:
        try:
            c.mkdir(parents=True, exist_ok=True)
            probe = c / f".write-test-{os.getpid()}"
            probe.write_text("")
            probe.unlink()
            _dir = c
            return c
        except OSError:
            continue
    raise OSError("asd: no writable cache folder; set ASD_CACHE_DIR to one")


def import_generated(name: str, src: str) -> ModuleType:
    """Write the generated module ``name`` (its text ``src``) into the cache folder,
    once and atomically, and import it; the name carries a hash of what it depends on."""
    if name in sys.modules:
        return sys.modules[name]
    path = cache_dir() / f"{name}.py"
    if not path.exists() or path.read_text() != src:
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(src)
        os.replace(tmp, path)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _source_hash(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


try:  # Numba's cache machinery (CacheImpl is spelled _CacheImpl before Numba 0.61)
    from numba.core import caching as _caching

    _CacheImpl = getattr(_caching, "CacheImpl", None) or getattr(_caching, "_CacheImpl", None)
    _CacheLocator = _caching._CacheLocator
except (ImportError, AttributeError):  # another layout: Numba's default folders still work
    _CacheImpl = _CacheLocator = None


if _CacheLocator is not None:

    class AsdCacheLocator(_CacheLocator):
        """Numba cache locator for asd's functions and its generated modules: by module
        name under the cache folder, fresh while the source text is unchanged (wherever
        it is installed)."""

        def __init__(self, py_func, py_file: str):
            self._py_file = py_file
            self._lineno = py_func.__code__.co_firstlineno
            tag = f"py{sys.version_info[0]}{sys.version_info[1]}"
            self._path = str(cache_dir() / "numba" / tag / py_func.__module__)

        def get_cache_path(self) -> str:
            return self._path

        def get_source_stamp(self) -> str:
            return _source_hash(self._py_file)

        def get_disambiguator(self) -> str:
            return str(self._lineno)

        @classmethod
        def from_function(cls, py_func, py_file):
            module = getattr(py_func, "__module__", "") or ""
            generated = os.path.dirname(os.path.abspath(py_file)) == os.path.abspath(cache_dir())
            if not ((module.startswith("asd.") or generated) and os.path.exists(py_file)):
                return None
            try:
                self = cls(py_func, py_file)
                self.ensure_cache_path()
            except OSError:
                return None  # Numba's own locators take over
            return self


def install() -> None:
    """Put asd's locator first (before asd's jitted functions are defined)."""
    if _CacheImpl is None:
        return
    classes = _CacheImpl._locator_classes
    if not any(c.__name__ == "AsdCacheLocator" for c in classes):
        classes.insert(0, AsdCacheLocator)


install()
