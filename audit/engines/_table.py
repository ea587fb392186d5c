"""Table: the questions an audit asks of a table (schema, counts, group-by counts, picked rows), any engine."""
from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._exceptions import UsageError
from .._files import MSG_UNREADABLE, MSG_UNSUPPORTED_FORMAT, glob_files, is_glob
from ._dask import DaskBackend, is_dask
from ._narwhals import NarwhalsBackend
from ._positions import sample_positions

__all__ = ["ENGINES", "Table", "LazyTable", "open_table", "MSG_UNKNOWN_ENGINE", "MSG_ENGINE_MISSING"]

logger = logging.getLogger("audit.engines")

#: Engines a spec may name for scanning a file.
ENGINES = ("pandas", "polars", "duckdb")
MSG_UNKNOWN_ENGINE = "engine must be one of {engines}; got {engine!r}."
MSG_ENGINE_MISSING = ("engine {engine!r} needs the {package!r} package, which is not installed; "
                      "`pip install {package}` or choose engine = \"pandas\".")


class Table:
    """A table in any engine (pandas, polars, pyarrow, DuckDB, Dask, Spark) with the few questions an audit asks.

    Everything returns small results: the schema, the row count, null counts, distinct
    values of a low-cardinality column, group-by counts and rows picked by position.
    ``to_pandas(columns)`` loads only the named columns, for auditors that need rows.
    The engine's own work is done by a backend (narwhals, or Dask's API for Dask).
    """

    def __init__(self, native: Any, *, label: str) -> None:
        self.label = label
        self._n_rows: int | None = None
        self._nulls: dict[str, int] | None = None
        self._backend: NarwhalsBackend | DaskBackend = (DaskBackend(native) if is_dask(native)
                                                        else NarwhalsBackend(native))

    @property
    def native(self) -> Any:
        """The engine's own frame (pandas DataFrame, polars LazyFrame, DuckDB relation, Dask or Spark frame, ...)."""
        return self._backend.native

    @property
    def is_local(self) -> bool:
        """Whether the rows are already in this process's memory (pandas, pyarrow, an eager polars frame)."""
        return self._backend.is_local

    @property
    def columns(self) -> list[str]:
        return self._backend.columns

    def dtype(self, column: str) -> str:
        return self._backend.dtype(column)

    def is_numeric(self, column: str) -> bool:
        """Whether a column holds numbers (integers, floats, decimals; not booleans or text)."""
        return self._backend.is_numeric(column)

    def nested_kind(self, column: str) -> str | None:
        """``list``, ``struct``, ``map``, ``binary`` ... when a column holds nested values (not one scalar a row)."""
        return self._backend.nested_kind(column)

    @property
    def n_rows(self) -> int:
        if self._n_rows is None:
            self._n_rows = self._backend.n_rows()
        return self._n_rows

    def null_counts(self, columns: Sequence[str]) -> dict[str, int]:
        """Missing values per column (NaN counts as missing for float columns).

        The first call counts every column of the table in one pass (one job on Dask or
        Spark) and later calls are answered from that count.
        """
        if not columns:
            return {}
        if self._nulls is None or any(c not in self._nulls for c in columns):
            self._nulls = self._backend.count_nulls(self.columns)
        return {c: self._nulls[c] for c in columns}

    def has_fraction(self, column: str) -> bool:
        """Whether a numeric column holds a non-integer value (regression rather than classes)."""
        if not self.dtype(column).startswith("Float"):
            return False
        return self._backend.has_fraction(column)

    def distinct(self, column: str, limit: int) -> list[Any]:
        """Up to ``limit`` + 1 distinct values of a column (so a caller can tell 'more than limit')."""
        return self._backend.distinct(column, limit)

    def count_table(self, columns: Sequence[str], *, bins: Mapping[str, Sequence[float]] | None = None
                    ) -> pd.DataFrame:
        """Rows per distinct combination of ``columns`` (missing values kept as their own key).

        The count is in column :data:`COUNT_COLUMN`. A column named in ``bins`` is counted by
        its bin code instead of its value (see :func:`bin_codes`: ``-1`` for a missing value,
        else how many of the edges after the first lie below the value), so a numeric column
        comes back in a few rows.
        """
        return self.count_tables([columns], bins=bins)[0]

    def count_tables(self, groups: Sequence[Sequence[str]], *, bins: Mapping[str, Sequence[float]] | None = None
                     ) -> list[pd.DataFrame]:
        """:meth:`count_table` for each list of columns in ``groups``; Dask computes them in one pass."""
        return self._backend.count_tables([list(g) for g in groups], dict(bins or {}))

    def order_statistics(self, column: str, ranks: Sequence[int] | np.ndarray) -> np.ndarray:
        """The values (as float64) at 0-based ``ranks`` of a column's non-missing values sorted ascending.

        What ``np.sort(values)[ranks]`` gives, computed by the engine's sort: exact, not a
        sketch, so quantiles interpolated from these values are the ones numpy computes.
        Missing means null or NaN.
        """
        ranks = np.asarray(ranks, dtype=np.int64)
        wanted = np.unique(ranks)
        found = np.asarray(self._backend.order_statistics(column, wanted), dtype=np.float64)
        if len(found) != len(wanted):
            raise IndexError(f"rank out of range: {len(found)} of {len(wanted)} ranks found in column {column!r}")
        return found[np.searchsorted(wanted, ranks)]

    def n_unique(self, columns: Sequence[str]) -> dict[str, int]:
        """Distinct non-missing values per column (null and NaN are missing)."""
        return self._backend.n_unique(list(columns), self.null_counts(columns))

    def match_counts(self, column: str, pattern: str) -> tuple[int, int]:
        """(values matching ``pattern`` in full, non-missing values) of a column, counted by the engine.

        Each value is read as text, cut to :data:`MAX_CELL_CHARS` and stripped first. The
        engine's own regex runs the pattern (RE2 or Rust syntax: no look-around).
        """
        return self._backend.match_counts(column, pattern)

    def sample(self, n: int, seed: int, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """The rows at :func:`sample_positions` (``n`` of them, seeded) as pandas, in table order."""
        positions = sample_positions(self.n_rows, n, seed)
        if len(positions) == self.n_rows:
            return self.to_pandas(None if columns is None else list(columns))
        return self.take(positions, columns)

    def take(self, positions: Sequence[int] | np.ndarray, columns: Sequence[str] | None = None, *,
             matching: tuple[str, str] | None = None) -> pd.DataFrame:
        """The rows at ``positions`` (0-based, in the engine's scan order) as pandas, in table order.

        With ``matching=(column, pattern)`` the positions count only the rows whose value in
        ``column`` matches ``pattern`` in full (as :meth:`match_counts` reads it), so
        ``take(sample_positions(hits, k, seed), matching=...)`` draws a seeded sample of the
        matching rows. Only the picked rows leave the engine: polars and DuckDB number the
        rows as they scan them, Dask and Spark count rows per partition and pick inside the
        partitions that hold them; every engine returns the same rows for the same table.
        """
        positions = np.unique(np.asarray(positions, dtype=np.int64))
        names = list(self.columns if columns is None else columns)
        if len(positions) and (positions[0] < 0):
            raise ValueError("row positions must be non-negative")
        return self._backend.take(positions, names, matching)

    def to_pandas(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """Load rows into pandas: only ``columns`` when given."""
        if not self.is_local:
            logger.info("loading %s column(s) of %s into memory", "all" if columns is None else len(columns),
                        self.label)
        return self._backend.to_pandas(None if columns is None else list(columns))

    def batches(self, columns: Sequence[str], batch_rows: int) -> Iterator[pd.DataFrame]:
        """Pandas frames of ``columns``, at most ``batch_rows`` rows each, in row order, from the engine's stream."""
        return self._backend.batches(list(columns), batch_rows, self.n_rows)

    def fingerprint(self, columns: Sequence[str]) -> str:
        """sha256 that identifies the table and reveals nothing.

        A pandas frame: its column names, dtypes and row hashes (the formula baselines were
        saved with). Any other engine: its schema and the count table of ``columns``, which
        identifies the audited aggregate without a pass over every column.
        """
        h = hashlib.sha256()
        rows = self._backend.row_hashes()
        if rows is not None:
            h.update(rows[0].encode())
            h.update(rows[1])
            return "sha256:" + h.hexdigest()
        h.update("\x1f".join(f"{c}:{self.dtype(c)}" for c in self.columns).encode())
        counts = self.count_table(columns) if columns else pd.DataFrame({"n": [self.n_rows]})
        counts = counts.sort_values(list(counts.columns), na_position="last").reset_index(drop=True)
        h.update(pd.util.hash_pandas_object(counts.astype(str), index=False).to_numpy().tobytes())
        return "sha256:" + h.hexdigest()


#: The earlier name, kept for a release.
LazyTable = Table


def open_table(source: Any, engine: str | None = None) -> Table:
    """A Table over a path (scanned by ``engine``) or over a native frame of any supported engine."""
    if engine is not None and engine not in ENGINES:
        raise UsageError(MSG_UNKNOWN_ENGINE.format(engines=list(ENGINES), engine=engine))
    if not isinstance(source, (str, os.PathLike)):
        return Table(source, label=type(source).__name__)
    path = Path(source)
    name = path.name.lower()
    pattern = is_glob(path)
    if pattern and not glob_files(path):
        raise UsageError(MSG_UNREADABLE.format(path=path, reason="no file matches this pattern"))
    if not pattern and not path.exists():
        raise UsageError(MSG_UNREADABLE.format(path=path, reason="no such file"))
    is_parquet = name.endswith((".parquet", ".pq")) or path.is_dir()
    if not is_parquet and not name.endswith((".csv", ".csv.gz")):
        raise UsageError(MSG_UNSUPPORTED_FORMAT.format(path=path, suffix="".join(path.suffixes) or path.name))
    from .._files import check_csv_header, check_data_path

    for one in glob_files(path) if pattern else [path]:
        check_data_path(one)  # a FIFO, a device, a looping or escaping folder: a usage error before scanning
        if not is_parquet:
            check_csv_header(one)
    if path.is_dir() and engine == "duckdb":
        source = path / "**" / "*.parquet"  # a dataset folder: every Parquet file below it
    engine = engine or "polars"
    try:
        if engine == "polars":
            try:
                import polars as pl
            except ImportError:
                raise UsageError(MSG_ENGINE_MISSING.format(engine=engine, package="polars")) from None
            lazy = pl.scan_parquet(path) if is_parquet else pl.scan_csv(path)
            lazy.collect_schema()  # fail here, naming the path, if the file is not what it claims
            return Table(lazy, label=str(path))
        if engine == "duckdb":
            try:
                import duckdb
            except ImportError:
                raise UsageError(MSG_ENGINE_MISSING.format(engine=engine, package="duckdb")) from None
            conn = duckdb.connect()
            relation = conn.read_parquet(str(source)) if is_parquet else conn.read_csv(str(source))
            return Table(relation, label=str(path))
        from .._files import read_table

        return Table(read_table(path), label=str(path))
    except UsageError:
        raise
    except Exception as exc:
        reason = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else 'unreadable'}"
        raise UsageError(MSG_UNREADABLE.format(path=path, reason=reason[:300])) from None
