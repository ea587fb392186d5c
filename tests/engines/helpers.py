"""The same rows through the lazy engines: shared by the auditors' lazy-table tests."""
from __future__ import annotations

import contextlib

import dask
import dask.dataframe as dd
import pandas as pd
import polars as pl

from audit.engines import LazyTable

LAZY_KINDS = ("polars-lazy", "parquet-duckdb", "dask")


def lazy_data(frame: pd.DataFrame, kind: str, tmp_path) -> tuple[object, str | None]:
    """(data, engine): a polars LazyFrame, a Parquet file scanned by DuckDB, or a 3-partition Dask frame."""
    if kind == "polars-lazy":
        return pl.from_pandas(frame).lazy(), None
    if kind == "parquet-duckdb":
        frame.to_parquet(tmp_path / "t.parquet")
        return tmp_path / "t.parquet", "duckdb"
    return dd.from_pandas(frame, npartitions=3), None


@contextlib.contextmanager
def recorded_loads(monkeypatch, keep=lambda columns: True):
    """Record the ``columns`` of every ``LazyTable.to_pandas`` call ``keep`` selects (None = the whole table).

    Dask runs on its synchronous scheduler meanwhile, so calls made inside tasks are seen too.
    """
    seen: list = []
    original = LazyTable.to_pandas

    def spy(self, columns=None):
        if keep(columns):
            seen.append(columns)
        return original(self, columns)

    monkeypatch.setattr(LazyTable, "to_pandas", spy)
    with dask.config.set(scheduler="sync"):
        yield seen
