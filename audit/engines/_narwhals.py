"""The narwhals backend: pandas, polars, pyarrow, DuckDB and Spark frames, told apart by narwhals' Implementation."""
from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._positions import locate

__all__ = ["NarwhalsBackend", "COUNT_COLUMN", "ROW_COLUMN", "MAX_CELL_CHARS", "nested_dtype_kind", "pandas_nested_kind"]

#: The row count of each key in a count table.
COUNT_COLUMN = "__rai_audit_count__"
#: A scan position column, numbered by the engine (never returned).
ROW_COLUMN = "__rai_audit_row__"
#: String cells are cut to this many characters before a pattern is matched (a 1 MB cell is still read in part).
MAX_CELL_CHARS = 4096


def _nw() -> Any:
    import narwhals.stable.v2 as nw

    return nw


def match_expr(column: str, pattern: str) -> Any:
    """True where a column's text (cut to MAX_CELL_CHARS, stripped) matches ``pattern`` in full."""
    nw = _nw()
    text = nw.col(column).cast(nw.String).str.slice(0, MAX_CELL_CHARS).str.strip_chars()
    return text.str.contains(f"^(?:{pattern})$") & ~nw.col(column).is_null()


def bin_expr(column: str, edges: Sequence[float]) -> Any:
    """The :func:`~audit.engines._positions.bin_codes` of a column, as a narwhals expression."""
    nw = _nw()
    x = nw.col(column).cast(nw.Float64)
    above = [(x > float(e)).cast(nw.Int64) for e in list(edges)[1:-1]]
    code = nw.sum_horizontal(*above) if above else nw.lit(0, nw.Int64)
    return nw.when(x.is_null() | x.is_nan()).then(nw.lit(-1, nw.Int64)).otherwise(code.cast(nw.Int64))


#: Engine dtype names of columns that hold lists, structs, maps, arrays or bytes (not one scalar a row).
_NESTED_DTYPES = ("List", "Struct", "Array", "Binary", "Object", "Map", "list", "struct", "map", "binary")


def nested_dtype_kind(dtype: str) -> str | None:
    """``list``, ``struct``, ``binary`` ... when an engine's dtype name is a nested one; None otherwise."""
    return next((k.lower() for k in _NESTED_DTYPES if dtype.startswith(k)), None)


def pandas_nested_kind(column: pd.Series) -> str | None:
    """``list``, ``struct`` / ``dict``, ``binary`` ... when a pandas column holds such values; None otherwise."""
    dtype = column.dtype
    if isinstance(dtype, pd.ArrowDtype):
        import pyarrow as pa

        t = dtype.pyarrow_dtype
        for test, kind in ((pa.types.is_list, "list"), (pa.types.is_large_list, "list"),
                           (pa.types.is_fixed_size_list, "list"), (pa.types.is_struct, "struct"),
                           (pa.types.is_map, "map"), (pa.types.is_binary, "binary"),
                           (pa.types.is_large_binary, "binary"), (pa.types.is_fixed_size_binary, "binary")):
            if test(t):
                return kind
        return None
    if not pd.api.types.is_object_dtype(dtype):
        return None
    inferred = pd.api.types.infer_dtype(column, skipna=True)
    if inferred == "bytes":
        return "binary"
    if inferred not in ("mixed", "mixed-integer", "unknown-array"):
        return None
    for value in column:
        if isinstance(value, (bytes, bytearray, memoryview)):
            return "binary"
        if isinstance(value, (list, tuple, np.ndarray, set, frozenset)):
            return "list"
        if isinstance(value, dict):
            return "struct"
    return None


def _is_spark(impl: Any) -> bool:
    return bool(impl.is_pyspark() or impl.is_pyspark_connect())


class NarwhalsBackend:
    """A narwhals LazyFrame answering the questions of :class:`~audit.engines.Table`.

    One class for every engine narwhals serves; the few questions narwhals does not
    answer the same everywhere (rows by position, streaming) dispatch on the frame's
    ``Implementation``.
    """

    def __init__(self, native: Any) -> None:
        nw = _nw()
        frame = nw.from_native(native)
        self.implementation = frame.implementation
        #: the rows are in this process's memory (pandas, pyarrow, an eager polars frame)
        self.is_local = isinstance(frame, nw.DataFrame)
        self._frame = frame.lazy() if hasattr(frame, "lazy") else frame

    @property
    def native(self) -> Any:
        return _nw().to_native(self._frame)

    @property
    def columns(self) -> list[str]:
        return list(self._frame.collect_schema().names())

    def dtype(self, column: str) -> str:
        return str(self._frame.collect_schema()[column])

    def is_numeric(self, column: str) -> bool:
        return bool(self._frame.collect_schema()[column].is_numeric())

    def nested_kind(self, column: str) -> str | None:
        if self.implementation.is_pandas():  # object columns: look at the values, not the dtype
            return pandas_nested_kind(self.native[column])
        return nested_dtype_kind(self.dtype(column))

    def row_hashes(self) -> tuple[str, bytes] | None:
        """(dtypes text, per-row hashes) of a pandas frame, the in-memory fingerprint; None for other engines."""
        if not self.implementation.is_pandas():
            return None
        data = self.native
        dtypes = "\x1f".join(f"{c}:{t}" for c, t in data.dtypes.astype(str).items())
        try:
            rows = pd.util.hash_pandas_object(data, index=False)
        except (TypeError, UnicodeDecodeError):  # mixed-type or bytes cells: hash their text form
            rows = pd.util.hash_pandas_object(data.map(repr) if hasattr(data, "map") else data.astype(str),
                                              index=False)
        return dtypes, rows.to_numpy().tobytes()

    def n_rows(self) -> int:
        if self.implementation.is_pandas():  # its length, even with no columns
            return len(self.native)
        return int(self._frame.select(_nw().len()).collect().item())

    def count_nulls(self, columns: Sequence[str]) -> dict[str, int]:
        if self.implementation.is_pandas():  # column by column: no frame of flags the size of the table
            native = self.native
            return {c: int(native[c].isna().sum()) for c in columns}
        nw = _nw()
        exprs = []
        for i, c in enumerate(columns):
            expr = nw.col(c).is_null()
            if self.dtype(c).startswith("Float"):
                expr = expr | nw.col(c).is_nan()
            exprs.append(expr.cast(nw.Int64).sum().alias(f"c{i}"))  # aliases safe for any column name
        row = self._frame.select(*exprs).collect().to_pandas().iloc[0]
        return {c: int(row[f"c{i}"]) for i, c in enumerate(columns)}

    def has_fraction(self, column: str) -> bool:
        nw = _nw()
        col = nw.col(column)
        out = self._frame.select(((col - col.round(0)).abs() > 0).cast(nw.Int64).sum().alias("x")).collect()
        return int(out.item()) > 0

    def distinct(self, column: str, limit: int) -> list[Any]:
        values = self._frame.select(column).unique().head(limit + 1).collect().to_pandas()[column]
        return values.tolist()

    def count_tables(self, groups: Sequence[Sequence[str]], bins: Mapping[str, Sequence[float]]
                     ) -> list[pd.DataFrame]:
        nw = _nw()
        out = []
        for group in groups:
            frame = self._frame
            coded = {c: e for c, e in bins.items() if c in group}
            if coded:
                frame = frame.with_columns(*(bin_expr(c, e).alias(c) for c, e in coded.items()))
            counts = (frame.group_by(*group, drop_null_keys=False)
                      .agg(nw.len().alias(COUNT_COLUMN)).collect().to_pandas())
            out.append(counts.astype({COUNT_COLUMN: "int64"}))
        return out

    def n_unique(self, columns: Sequence[str], nulls: Mapping[str, int]) -> dict[str, int]:
        exprs = []
        for c in columns:
            expr = _nw().col(c)
            if self.dtype(c).startswith("Float"):  # NaN and null would count as two values
                expr = expr.fill_nan(None)
            exprs.append(expr.n_unique().alias(c))
        row = self._frame.select(*exprs).collect().to_pandas().iloc[0]
        return {c: int(row[c]) - (1 if nulls[c] else 0) for c in columns}  # narwhals counts null as a value

    def order_statistics(self, column: str, wanted: np.ndarray) -> Any:
        nw = _nw()
        x = nw.col(column).cast(nw.Float64)
        values = self._frame.select(x.alias("v")).filter(~(nw.col("v").is_null() | nw.col("v").is_nan()))
        if _is_spark(self.implementation):
            # a global sort range-partitions the data; rows are then picked by scan position
            return NarwhalsBackend(values.sort("v").to_native()).take(wanted, ["v"], None)["v"]
        numbered = values.with_row_index(ROW_COLUMN, order_by="v")
        return (numbered.filter(nw.col(ROW_COLUMN).is_in(wanted.tolist())).sort(ROW_COLUMN)
                .select("v").collect().to_pandas()["v"])

    def match_counts(self, column: str, pattern: str) -> tuple[int, int]:
        nw = _nw()
        out = self._frame.select(match_expr(column, pattern).cast(nw.Int64).sum().alias("hits"),
                                 nw.col(column).count().alias("total")).collect().to_pandas().iloc[0]
        return int(out["hits"]), int(out["total"])

    def take(self, positions: np.ndarray, names: list[str], matching: tuple[str, str] | None) -> pd.DataFrame:
        nw = _nw()
        frame = self._frame if matching is None else self._frame.filter(match_expr(*matching))
        native = frame.to_native()
        impl = self.implementation
        if impl.is_pandas():
            return native.iloc[positions[positions < len(native)]].loc[:, names].reset_index(drop=True)
        if impl.is_pyarrow():
            return native.take(positions[positions < native.num_rows]).select(names).to_pandas()
        if _is_spark(impl):
            return _spark_rows(native, positions, names)
        if impl.is_polars():
            numbered = nw.from_native(native.lazy().with_row_index(ROW_COLUMN))
        elif impl.is_duckdb():
            numbered = nw.from_native(native.project(f"*, (row_number() OVER ()) - 1 AS {ROW_COLUMN}"))
        else:
            raise TypeError(f"row sampling is not supported for {impl} frames")
        picked = numbered.filter(nw.col(ROW_COLUMN).is_in(positions.tolist())).sort(ROW_COLUMN)
        return picked.select(*names).collect().to_pandas().reset_index(drop=True)

    def to_pandas(self, columns: Sequence[str] | None) -> pd.DataFrame:
        if self.implementation.is_pandas():  # already pandas: the columns as they are, no round trip
            native = self.native
            return native.copy(deep=False) if columns is None else native.loc[:, list(columns)]
        frame = self._frame if columns is None else self._frame.select(*columns)
        return frame.collect().to_pandas()

    def batches(self, columns: list[str], batch_rows: int, n_rows: int) -> Iterator[pd.DataFrame]:
        impl, native = self.implementation, self.native
        if impl.is_polars():
            lazy = native.lazy().select(columns)
            if hasattr(lazy, "collect_batches"):
                for batch in lazy.collect_batches(chunk_size=batch_rows, maintain_order=True):
                    yield batch.to_pandas()
            else:  # older polars: one slice at a time (each a scan that stops early)
                for start in range(0, n_rows, batch_rows):
                    yield lazy.slice(start, batch_rows).collect().to_pandas()
        elif impl.is_duckdb():
            relation = native.select(*columns)
            reader = (relation.to_arrow_reader(batch_rows) if hasattr(relation, "to_arrow_reader")
                      else relation.fetch_record_batch(batch_rows))
            for batch in reader:
                yield batch.to_pandas()
        elif _is_spark(impl):
            rows: list[Any] = []
            for row in native.select(*columns).toLocalIterator(prefetchPartitions=False):
                rows.append(tuple(row))
                if len(rows) == batch_rows:
                    yield pd.DataFrame.from_records(rows, columns=columns)
                    rows = []
            if rows:
                yield pd.DataFrame.from_records(rows, columns=columns)
        else:
            frame = self.to_pandas(columns)
            for start in range(0, len(frame), batch_rows):
                yield frame.iloc[start:start + batch_rows].reset_index(drop=True)


def _spark_rows(native: Any, positions: np.ndarray, names: list[str]) -> pd.DataFrame:
    """Rows of a Spark frame by scan position: per-partition counts, then ids inside partitions.

    ``monotonically_increasing_id`` is the partition index times 2**33 plus the row's
    place in its partition, so a global position maps to one id once the partition
    sizes are known. Both jobs read the same partitions of the same plan.
    """
    from pyspark.sql import functions as F

    tagged = native.withColumn("__rai_pid__", F.spark_partition_id()).withColumn(
        ROW_COLUMN, F.monotonically_increasing_id())
    sizes = {int(r[0]): int(r[1]) for r in tagged.groupBy("__rai_pid__").count().collect()}
    parts = sorted(sizes)
    owner, local = locate(positions, np.array([sizes[p] for p in parts], dtype=np.int64))
    ids = [(parts[o] << 33) + int(row) for o, row in zip(owner.tolist(), local.tolist(), strict=True)]
    if not ids:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in names})
    # a broadcast join on the ids: an IN list of thousands of literals takes seconds to plan
    from pyspark.sql.types import LongType, StructField, StructType

    wanted = native.sparkSession.createDataFrame([(i,) for i in ids],
                                                 StructType([StructField(ROW_COLUMN, LongType(), False)]))
    rows = tagged.join(F.broadcast(wanted), ROW_COLUMN).select(ROW_COLUMN, *names).collect()
    rows.sort(key=lambda r: r[0])
    return pd.DataFrame.from_records([tuple(r)[1:] for r in rows], columns=names)
