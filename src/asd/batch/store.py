"""Batch results on disk: a folder of Parquet part files, written as results arrive.

A Parquet file is readable only once its footer is written, so a run that dies
mid-file would lose everything in it. Records are therefore written in small part
files (``part-<time>-<pid>-<n>.parquet``), each written under a hidden name and
renamed when complete: a killed run loses at most the records it had not yet
flushed, and those scenarios run again on resume. ``_asd_batch.json`` names the
problem's sizes, so a folder is not resumed with another problem by mistake. At the
end of a run the parts are merged (into files of up to ``COMPACT_BYTES``). The folder
is an ordinary Parquet dataset: ``pyarrow.parquet.read_table(path)``,
``pandas.read_parquet(path)``, Spark, DuckDB and Polars read it; :func:`read_results`
also drops superseded records.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np

from ..errors import InputError
from .records import COLUMNS, VECTORS

META = "_asd_batch.json"
FORMAT = 1
#: part files are merged at the end of a run into files of up to this size (bytes)
COMPACT_BYTES = 128 * 2**20


def import_pyarrow():
    """``(pyarrow, pyarrow.parquet)``, or an error naming the extra to install."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as e:
        raise ImportError(
            "asd.batch writes and reads Parquet with pyarrow, which is not installed; "
            'install the batch extra: pip install "asd[batch]" (or pip install pyarrow)'
        ) from e
    return pa, pq


def schema():
    """The Arrow schema of a batch result (the columns of ``records.COLUMNS``)."""
    pa, _ = import_pyarrow()
    types = {
        "scenario": pa.int64(),
        "status": pa.int32(),
        "success": pa.bool_(),
        "objective": pa.float64(),
        "iterations": pa.int32(),
        "solve_time": pa.float64(),
    }
    fields = []
    for name, doc in COLUMNS:
        kind = pa.list_(pa.float64()) if name in VECTORS else types.get(name, pa.string())
        fields.append(pa.field(name, kind, metadata={"doc": doc}))
    return pa.schema(fields)


def _vector_column(pa, values: list):
    """A list<float64> column from arrays (or None) without a Python loop per entry."""
    sizes = np.array([0 if v is None else len(v) for v in values], dtype=np.int32)
    offsets = np.zeros(len(values) + 1, dtype=np.int32)
    np.cumsum(sizes, out=offsets[1:])
    present = [np.asarray(v, dtype=np.float64) for v in values if v is not None]
    flat = np.concatenate(present) if present else np.zeros(0)
    mask = np.array([v is None for v in values], dtype=bool)
    return pa.ListArray.from_arrays(
        pa.array(offsets), pa.array(flat), type=pa.list_(pa.float64()), mask=pa.array(mask)
    )


#: columns written with Parquet's dictionary encoding: the repetitive strings. Floats
#: are not (dictionary pages of distinct doubles cost 4x the write time, and space).
DICTIONARY = ["message", "error", "start", "worker", "run"]


def write_parquet(table, path) -> None:
    """Write one batch table to ``path`` as Parquet (snappy, dictionaries for strings)."""
    _, pq = import_pyarrow()
    pq.write_table(table, path, use_dictionary=DICTIONARY)


def records_to_table(records: list[dict]):
    """A ``pyarrow.Table`` with the batch schema from record dicts."""
    pa, _ = import_pyarrow()
    sch = schema()
    columns = []
    for f in sch:
        values = [r[f.name] for r in records]
        if f.name in VECTORS:
            columns.append(_vector_column(pa, values))
        else:
            columns.append(pa.array(values, type=f.type))
    return pa.Table.from_arrays(columns, schema=sch)


def latest(table):
    """The table with one record per scenario (the last one written), sorted by id."""
    ids = table.column("scenario").to_numpy()
    if ids.size == 0:
        return table
    # the last occurrence of each id: unique over the reversed ids
    _, first_reversed = np.unique(ids[::-1], return_index=True)
    keep = ids.size - 1 - first_reversed
    keep = keep[np.argsort(ids[keep], kind="stable")]
    return table.take(keep)


def read_results(path: str | os.PathLike[str], columns: list[str] | None = None):
    """The results recorded in the folder ``path``: one row per scenario (the latest
    record of each), sorted by scenario id, as a ``pyarrow.Table``.

    ``columns`` reads only those columns (``scenario`` is always read).
    """
    folder = Path(path)
    if not (folder / META).is_file():
        raise InputError(f"asd.batch: {folder} is not a batch result folder (no {META})")
    return ResultStore(folder, None, create=False).read(columns)


class ResultStore:
    """The part files of one result folder; ``add`` records, ``flush`` writes a part.

    ``meta`` (the problem's sizes) is written on creation and compared on reopening.
    """

    def __init__(self, path, meta: dict | None, *, create: bool = True):
        self.pa, self.pq = import_pyarrow()
        self.path = Path(path)
        if self.path.exists() and not self.path.is_dir():
            raise InputError(
                f"asd.batch: {self.path} is a file; out names a folder of Parquet parts "
                "(created if missing), e.g. results.parquet"
            )
        meta_file = self.path / META
        if meta_file.is_file():
            try:
                saved = json.loads(meta_file.read_text())
            except ValueError as e:
                raise InputError(f"asd.batch: {meta_file} is not valid JSON: {e}") from None
            if meta is not None and saved != {"format": FORMAT, **meta}:
                raise InputError(
                    f"asd.batch: {self.path} holds results of another problem "
                    f"({_describe(saved)}; this one: {_describe(meta)}); "
                    "use another out folder"
                )
        elif create:
            if self.path.is_dir() and any(self.path.iterdir()):
                raise InputError(
                    f"asd.batch: {self.path} is a folder that is not empty and holds no "
                    f"{META}; use a new or empty folder for the results"
                )
            self.path.mkdir(parents=True, exist_ok=True)
            _atomic_write(meta_file, json.dumps({"format": FORMAT, **(meta or {})}).encode())
        self.pending: list[dict] = []
        self._stamp = f"{time.time_ns():020d}-{os.getpid()}"
        self._seq = 0

    def parts(self) -> list[Path]:
        """The complete part files, oldest first."""
        return sorted(p for p in self.path.glob("part-*.parquet") if p.is_file())

    def read(self, columns: list[str] | None = None):
        """One row per scenario (the latest record), sorted by id."""
        files = self.parts()
        cols = None if columns is None else ["scenario", *[c for c in columns if c != "scenario"]]
        if cols is not None:
            order = [name for name, _ in COLUMNS]
            cols = sorted(set(cols), key=order.index)
        if not files:
            sch = schema()
            empty = self.pa.Table.from_batches([], schema=sch)
            return empty if cols is None else empty.select(cols)
        tables = [self.pq.read_table(f, columns=cols, schema=None) for f in files]
        return latest(self.pa.concat_tables(tables))

    def add(self, record: dict) -> None:
        self.pending.append(record)

    def flush(self) -> None:
        """Write the pending records as one part file (atomically)."""
        if not self.pending:
            return
        table = records_to_table(self.pending)
        self._write(table)
        self.pending = []

    def _write(self, table) -> Path:
        self._seq += 1
        target = self.path / f"part-{self._stamp}-{self._seq:06d}.parquet"
        tmp = self.path / f".{target.name}.tmp"
        write_parquet(table, tmp)
        os.replace(tmp, target)
        return target

    def iter_parts(self, columns: list[str]):
        """Each part file's ``columns`` (and ``scenario``), oldest first: memory for one
        part at a time."""
        cols = ["scenario", *[c for c in columns if c != "scenario"]]
        for f in self.parts():
            yield self.pq.read_table(f, columns=cols)

    def compact(self) -> None:
        """Merge runs of consecutive small part files into files of up to
        ``COMPACT_BYTES`` (one file for most runs), keeping the record order: a merged
        file takes the name, hence the place, of the first file of its run."""
        self.flush()
        groups, size = [[]], 0
        for f in self.parts():
            n = f.stat().st_size
            if groups[-1] and size + n > COMPACT_BYTES:
                groups.append([])
                size = 0
            groups[-1].append(f)
            size += n
        for group in groups:
            if len(group) < 2:
                continue
            merged = self.pa.concat_tables([self.pq.read_table(f) for f in group])
            tmp = self.path / f".{group[0].name}.tmp"
            write_parquet(merged, tmp)
            os.replace(tmp, group[0])
            for f in group[1:]:  # a crash here leaves duplicates, which readers drop
                f.unlink(missing_ok=True)


def _describe(meta: dict) -> str:
    return ", ".join(f"{k} = {v}" for k, v in meta.items() if k != "format")


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
