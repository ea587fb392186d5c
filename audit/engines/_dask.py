"""The Dask backend: Dask's own API, since narwhals is moving Dask out of its core."""
from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._narwhals import COUNT_COLUMN, MAX_CELL_CHARS, nested_dtype_kind
from ._positions import bin_codes, locate

__all__ = ["DaskBackend", "is_dask"]


def is_dask(native: Any) -> bool:
    """Whether a frame is a Dask frame (served by :class:`DaskBackend`, not narwhals)."""
    return type(native).__module__.startswith("dask")


class DaskBackend:
    """A Dask DataFrame answering the questions of :class:`~audit.engines.Table`; several count tables in one pass."""

    is_local = False

    def __init__(self, native: Any) -> None:
        self._dask = native

    @property
    def native(self) -> Any:
        return self._dask

    @property
    def columns(self) -> list[str]:
        return [str(c) for c in self._dask.columns]

    def dtype(self, column: str) -> str:
        kind = self._dask[column].dtype.kind
        return "Float64" if kind == "f" else str(self._dask[column].dtype)

    def is_numeric(self, column: str) -> bool:
        dtype = self._dask[column].dtype
        return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)

    def nested_kind(self, column: str) -> str | None:
        return nested_dtype_kind(self.dtype(column))

    def row_hashes(self) -> None:
        return None

    def n_rows(self) -> int:
        return int(self._dask.shape[0].compute())

    def count_nulls(self, columns: Sequence[str]) -> dict[str, int]:
        counts = self._dask[list(columns)].isna().sum().compute()
        return {c: int(counts[c]) for c in columns}

    def has_fraction(self, column: str) -> bool:
        col = self._dask[column]
        return bool(((col - col.round(0)).abs() > 0).any().compute())

    def distinct(self, column: str, limit: int) -> list[Any]:
        return self._dask[column].drop_duplicates().head(limit + 1, npartitions=-1).tolist()

    def count_tables(self, groups: Sequence[Sequence[str]], bins: Mapping[str, Sequence[float]]
                     ) -> list[pd.DataFrame]:
        import dask

        pending = []
        for group in groups:
            frame = self._dask[list(group)]
            coded = {c: frame[c].map_partitions(bin_codes, list(e), meta=(c, "int64"))
                     for c, e in bins.items() if c in group}
            if coded:
                frame = frame.assign(**coded)
            pending.append(frame.groupby(list(group), dropna=False).size())
        return [sizes.rename(COUNT_COLUMN).reset_index().astype({COUNT_COLUMN: "int64"})
                for sizes in dask.compute(*pending)]

    def n_unique(self, columns: Sequence[str], nulls: Mapping[str, int]) -> dict[str, int]:
        counts = self._dask[list(columns)].nunique(dropna=True).compute()
        return {c: int(counts[c]) for c in columns}

    def order_statistics(self, column: str, wanted: np.ndarray) -> Any:
        values = self._dask[column].astype("float64").dropna().to_frame(name="v")
        return DaskBackend(values.sort_values("v")).take(wanted, ["v"], None)["v"]

    def _match(self, column: str, pattern: str) -> Any:
        col = self._dask[column]
        text = col.astype(str).str.slice(0, MAX_CELL_CHARS).str.strip()
        with warnings.catch_warnings():  # pandas warns about capture groups it is not asked for
            warnings.simplefilter("ignore", UserWarning)
            return text.str.contains(f"^(?:{pattern})$", regex=True) & ~col.isna()

    def match_counts(self, column: str, pattern: str) -> tuple[int, int]:
        import dask

        hits, total = dask.compute(self._match(column, pattern).sum(), self._dask[column].count())
        return int(hits), int(total)

    def take(self, positions: np.ndarray, names: list[str], matching: tuple[str, str] | None) -> pd.DataFrame:
        """Rows by position: partition lengths first, then a pick inside each partition that holds some."""
        import dask

        frame = self._dask if matching is None else self._dask[self._match(*matching)]
        frame = frame[names]
        owner, local = locate(positions, np.asarray(frame.map_partitions(len).compute(), dtype=np.int64))
        parts = []
        for part in np.unique(owner).tolist():
            parts.append(frame.get_partition(part).map_partitions(lambda p, rows=local[owner == part]: p.iloc[rows],
                                                                     meta=frame._meta))
        if not parts:
            return frame._meta.iloc[:0].reset_index(drop=True)
        return pd.concat(dask.compute(*parts), ignore_index=True)

    def to_pandas(self, columns: Sequence[str] | None) -> pd.DataFrame:
        return (self._dask if columns is None else self._dask[list(columns)]).compute().reset_index(drop=True)

    def batches(self, columns: list[str], batch_rows: int, n_rows: int) -> Iterator[pd.DataFrame]:
        frame = self._dask[columns]
        for i in range(frame.npartitions):
            part = frame.get_partition(i).compute()
            for start in range(0, len(part), batch_rows):
                yield part.iloc[start:start + batch_rows].reset_index(drop=True)
