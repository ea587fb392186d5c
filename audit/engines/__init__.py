"""Data engines: audit a table where it lives, bringing back only small aggregates.

One :class:`Table` serves pandas, polars (eager and lazy), pyarrow, DuckDB, Dask and
PySpark frames, each through its backend (narwhals, or Dask's own API); CSV and Parquet
paths are scanned lazily (polars when installed, else DuckDB, else pandas reads them
whole). The fairness auditor's sufficient statistics come back as a group-by count table
(counts in :data:`COUNT_COLUMN`), never as rows.
"""
from __future__ import annotations

from ._narwhals import COUNT_COLUMN, MAX_CELL_CHARS
from ._positions import bin_codes, sample_positions
from ._table import ENGINES, LazyTable, Table, open_table

__all__ = ["ENGINES", "COUNT_COLUMN", "MAX_CELL_CHARS", "Table", "LazyTable", "open_table", "sample_positions",
           "bin_codes"]
