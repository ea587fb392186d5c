"""Data engines: audit a table where it lives, bringing back only small aggregates.

One code path through narwhals serves pandas, polars (eager and lazy), pyarrow, DuckDB,
Dask and PySpark frames; CSV and Parquet paths are scanned lazily (polars when
installed, else DuckDB, else pandas reads them whole). The fairness auditor's sufficient
statistics come back as a group-by count table, never as rows.
"""
from __future__ import annotations

from ._lazy import COUNT_COLUMN, ENGINES, LazyTable, open_table

__all__ = ["COUNT_COLUMN", "ENGINES", "LazyTable", "open_table"]
