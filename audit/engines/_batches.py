"""Streaming a lazy table in row batches, for work that needs rows but not all at once.

Model inference over a table larger than memory reads the feature columns in batches
and keeps only each batch's predictions. Every backend uses its own streaming reader:
polars ``collect_batches``, DuckDB's Arrow reader, Dask partitions, Spark's local
iterator; pandas and pyarrow frames are sliced.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import pandas as pd

from ._table import Table

__all__ = ["iter_batches", "rebatch", "DEFAULT_BATCH_ROWS"]

DEFAULT_BATCH_ROWS = 65_536


def iter_batches(table: Table, columns: Sequence[str], batch_rows: int = DEFAULT_BATCH_ROWS
                 ) -> Iterator[pd.DataFrame]:
    """Yield pandas frames of ``columns``, at most ``batch_rows`` rows each, in the table's row order."""
    yield from table.batches(columns, batch_rows)


def rebatch(batches: Iterable[pd.DataFrame], batch_rows: int) -> Iterator[pd.DataFrame]:
    """The same rows in frames of exactly ``batch_rows`` rows (the last may be shorter).

    Engines cut their streams where they like (polars chunks, Dask partitions, DuckDB
    vectors); cut again at fixed row counts, the rows of every batch are the same whatever
    the engine, so a computation done batch by batch (a model's forward pass) gives the same
    numbers everywhere.
    """
    if batch_rows < 1:
        raise ValueError("batch_rows must be at least 1")
    pending: list[pd.DataFrame] = []
    held = 0
    for batch in batches:
        start = 0
        while start < len(batch):
            take = min(batch_rows - held, len(batch) - start)
            pending.append(batch.iloc[start:start + take])
            held += take
            start += take
            if held == batch_rows:
                yield pd.concat(pending, ignore_index=True) if len(pending) > 1 else pending[0].reset_index(drop=True)
                pending, held = [], 0
    if held:
        yield pd.concat(pending, ignore_index=True) if len(pending) > 1 else pending[0].reset_index(drop=True)
