"""LazyTable: a table handle that answers schema, counts and group-by counts without loading rows."""
from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._exceptions import UsageError
from .._files import MSG_UNREADABLE, MSG_UNSUPPORTED_FORMAT, glob_files, is_glob

__all__ = ["ENGINES", "LazyTable", "open_table", "MSG_UNKNOWN_ENGINE", "MSG_ENGINE_MISSING", "COUNT_COLUMN",
           "sample_positions", "MAX_CELL_CHARS", "bin_codes"]

logger = logging.getLogger("audit.engines")

#: Engines a spec may name for scanning a file.
ENGINES = ("pandas", "polars", "duckdb")
COUNT_COLUMN = "__rai_audit_count__"
_ROW_COLUMN = "__rai_audit_row__"
#: String cells are cut to this many characters before a pattern is matched (a 1 MB cell is still read in part).
MAX_CELL_CHARS = 4096


def sample_positions(n_rows: int, n: int, seed: int) -> np.ndarray:
    """Sorted row positions of a seeded sample of ``n`` rows (all rows when there are no more than ``n``).

    The same positions for every engine, so a table sampled in pandas, polars, DuckDB or
    Dask yields the same rows.
    """
    if n_rows <= n:
        return np.arange(n_rows, dtype=np.int64)
    return np.sort(np.random.default_rng(seed).choice(n_rows, size=n, replace=False)).astype(np.int64)
MSG_UNKNOWN_ENGINE = "engine must be one of {engines}; got {engine!r}."
MSG_ENGINE_MISSING = ("engine {engine!r} needs the {package!r} package, which is not installed; "
                      "`pip install {package}` or choose engine = \"pandas\".")


def _narwhals() -> Any:
    import narwhals.stable.v2 as nw

    return nw


class LazyTable:
    """A narwhals LazyFrame with the few questions an audit asks of it.

    Everything returns small results: the schema, the row count, null counts, distinct
    values of a low-cardinality column, and group-by counts. ``to_pandas(columns)``
    loads only the named columns, for auditors that need rows.
    """

    def __init__(self, native: Any, *, label: str) -> None:
        self.label = label
        self._n_rows: int | None = None
        self._nulls: dict[str, int] | None = None
        # narwhals is moving Dask out of its core (a FutureWarning on every Dask frame), so
        # a Dask frame is served by its own API; everything else goes through narwhals.
        self._dask = native if type(native).__module__.startswith("dask") else None
        if self._dask is None:
            nw = _narwhals()
            frame = nw.from_native(native)
            self._frame = frame.lazy() if hasattr(frame, "lazy") else frame

    @property
    def native(self) -> Any:
        """The engine's own frame (polars LazyFrame, DuckDB relation, Dask or Spark DataFrame, ...)."""
        return self._dask if self._dask is not None else _narwhals().to_native(self._frame)

    @property
    def columns(self) -> list[str]:
        if self._dask is not None:
            return [str(c) for c in self._dask.columns]
        return list(self._frame.collect_schema().names())

    def dtype(self, column: str) -> str:
        if self._dask is not None:
            kind = self._dask[column].dtype.kind
            return "Float64" if kind == "f" else str(self._dask[column].dtype)
        return str(self._frame.collect_schema()[column])

    @property
    def n_rows(self) -> int:
        if self._n_rows is None:
            if self._dask is not None:
                self._n_rows = int(self._dask.shape[0].compute())
            else:
                nw = _narwhals()
                self._n_rows = int(self._frame.select(nw.len()).collect().item())
        return self._n_rows

    def null_counts(self, columns: Sequence[str]) -> dict[str, int]:
        """Missing values per column (NaN counts as missing for float columns).

        The first call counts every column of the table in one pass (one job on Dask or
        Spark) and later calls are answered from that count.
        """
        if not columns:
            return {}
        if self._nulls is None or any(c not in self._nulls for c in columns):
            self._nulls = self._count_nulls(self.columns)
        return {c: self._nulls[c] for c in columns}

    def _count_nulls(self, columns: Sequence[str]) -> dict[str, int]:
        if self._dask is not None:
            counts = self._dask[list(columns)].isna().sum().compute()
            return {c: int(counts[c]) for c in columns}
        nw = _narwhals()
        exprs = []
        for i, c in enumerate(columns):
            expr = nw.col(c).is_null()
            if self.dtype(c).startswith("Float"):
                expr = expr | nw.col(c).is_nan()
            exprs.append(expr.cast(nw.Int64).sum().alias(f"c{i}"))  # aliases safe for any column name
        row = self._frame.select(*exprs).collect().to_pandas().iloc[0]
        return {c: int(row[f"c{i}"]) for i, c in enumerate(columns)}

    def has_fraction(self, column: str) -> bool:
        """Whether a numeric column holds a non-integer value (regression rather than classes)."""
        if not self.dtype(column).startswith("Float"):
            return False
        if self._dask is not None:
            col = self._dask[column]
            return bool(((col - col.round(0)).abs() > 0).any().compute())
        nw = _narwhals()
        col = nw.col(column)
        out = self._frame.select(((col - col.round(0)).abs() > 0).cast(nw.Int64).sum().alias("x")).collect()
        return int(out.item()) > 0

    def distinct(self, column: str, limit: int) -> list[Any]:
        """Up to ``limit`` + 1 distinct values of a column (so a caller can tell 'more than limit')."""
        if self._dask is not None:
            return self._dask[column].drop_duplicates().head(limit + 1, npartitions=-1).tolist()
        values = self._frame.select(column).unique().head(limit + 1).collect().to_pandas()[column]
        return values.tolist()

    def count_table(self, columns: Sequence[str], *, bins: Mapping[str, Sequence[float]] | None = None
                    ) -> pd.DataFrame:
        """Rows per distinct combination of ``columns`` (missing values kept as their own key).

        A column named in ``bins`` is counted by its bin code instead of its value (see
        :func:`bin_codes`: ``-1`` for a missing value, else how many of the edges after the
        first lie below the value), so a numeric column comes back in a few rows.
        """
        bins = dict(bins or {})
        if self._dask is not None:
            return self.count_tables([columns], bins=bins)[0]
        nw = _narwhals()
        frame = self._frame
        if bins:
            frame = frame.with_columns(*(self._bin_expr(c, e).alias(c) for c, e in bins.items()))
        out = (frame.group_by(*columns, drop_null_keys=False)
               .agg(nw.len().alias(COUNT_COLUMN)).collect().to_pandas())
        return out.astype({COUNT_COLUMN: "int64"})

    def count_tables(self, groups: Sequence[Sequence[str]], *, bins: Mapping[str, Sequence[float]] | None = None
                     ) -> list[pd.DataFrame]:
        """:meth:`count_table` for each list of columns in ``groups``; Dask computes them in one pass."""
        bins = dict(bins or {})
        if self._dask is None:
            return [self.count_table(g, bins={c: e for c, e in bins.items() if c in g}) for g in groups]
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

    @staticmethod
    def _bin_expr(column: str, edges: Sequence[float]) -> Any:
        nw = _narwhals()
        x = nw.col(column).cast(nw.Float64)
        above = [(x > float(e)).cast(nw.Int64) for e in list(edges)[1:-1]]
        code = nw.sum_horizontal(*above) if above else nw.lit(0, nw.Int64)
        return nw.when(x.is_null() | x.is_nan()).then(nw.lit(-1, nw.Int64)).otherwise(code.cast(nw.Int64))

    def is_numeric(self, column: str) -> bool:
        """Whether a column holds numbers (integers, floats, decimals; not booleans or text)."""
        if self._dask is not None:
            dtype = self._dask[column].dtype
            return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
        return bool(self._frame.collect_schema()[column].is_numeric())

    def order_statistics(self, column: str, ranks: Sequence[int] | np.ndarray) -> np.ndarray:
        """The values (as float64) at 0-based ``ranks`` of a column's non-missing values sorted ascending.

        What ``np.sort(values)[ranks]`` gives, computed by the engine's sort: exact, not a
        sketch, so quantiles interpolated from these values are the ones numpy computes.
        Missing means null or NaN.
        """
        ranks = np.asarray(ranks, dtype=np.int64)
        wanted = np.unique(ranks)
        if self._dask is not None:
            values = self._dask[column].astype("float64").dropna().to_frame(name="v")
            picked = LazyTable(values.sort_values("v"), label=self.label).take(wanted, ["v"])["v"]
        else:
            nw = _narwhals()
            x = nw.col(column).cast(nw.Float64)
            values = self._frame.select(x.alias("v")).filter(~(nw.col("v").is_null() | nw.col("v").is_nan()))
            if type(self.native).__module__.startswith("pyspark"):
                # a global sort range-partitions the data; rows are then picked by scan position
                picked = LazyTable(values.sort("v").to_native(), label=self.label).take(wanted, ["v"])["v"]
            else:
                numbered = values.with_row_index(_ROW_COLUMN, order_by="v")
                picked = (numbered.filter(nw.col(_ROW_COLUMN).is_in(wanted.tolist())).sort(_ROW_COLUMN)
                          .select("v").collect().to_pandas()["v"])
        found = np.asarray(picked, dtype=np.float64)
        if len(found) != len(wanted):
            raise IndexError(f"rank out of range: {len(found)} of {len(wanted)} ranks found in column {column!r}")
        return found[np.searchsorted(wanted, ranks)]

    def n_unique(self, columns: Sequence[str]) -> dict[str, int]:
        """Distinct non-missing values per column (null and NaN are missing)."""
        if self._dask is not None:
            counts = self._dask[list(columns)].nunique(dropna=True).compute()
            return {c: int(counts[c]) for c in columns}
        nw = _narwhals()
        exprs = []
        for c in columns:
            expr = nw.col(c)
            if self.dtype(c).startswith("Float"):  # NaN and null would count as two values
                expr = expr.fill_nan(None)
            exprs.append(expr.n_unique().alias(c))
        row = self._frame.select(*exprs).collect().to_pandas().iloc[0]
        nulls = self.null_counts(columns)
        return {c: int(row[c]) - (1 if nulls[c] else 0) for c in columns}  # narwhals counts null as a value

    def match_counts(self, column: str, pattern: str) -> tuple[int, int]:
        """(values matching ``pattern`` in full, non-missing values) of a column, counted by the engine.

        Each value is read as text, cut to :data:`MAX_CELL_CHARS` and stripped first. The
        engine's own regex runs the pattern (RE2 or Rust syntax: no look-around).
        """
        if self._dask is not None:
            import dask

            hits, total = dask.compute(self._dask_match(column, pattern).sum(), self._dask[column].count())
            return int(hits), int(total)
        nw = _narwhals()
        out = self._frame.select(self._match_expr(column, pattern).cast(nw.Int64).sum().alias("hits"),
                                 nw.col(column).count().alias("total")).collect().to_pandas().iloc[0]
        return int(out["hits"]), int(out["total"])

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
        if self._dask is not None:
            frame = self._dask
            if matching is not None:
                frame = frame[self._dask_match(*matching)]
            return self._partitioned_rows(positions, names, frame)
        nw = _narwhals()
        frame = self._frame
        if matching is not None:
            frame = frame.filter(self._match_expr(*matching))
        native = frame.to_native()
        module = type(native).__module__
        if isinstance(native, pd.DataFrame):
            return native.iloc[positions[positions < len(native)]].loc[:, names].reset_index(drop=True)
        if module.startswith("pyarrow"):
            return native.take(positions[positions < native.num_rows]).select(names).to_pandas()
        if module.startswith("pyspark"):
            return self._spark_rows(native, positions, names)
        if module.startswith("polars"):
            numbered = nw.from_native(native.lazy().with_row_index(_ROW_COLUMN))
        elif module.startswith("duckdb"):
            numbered = nw.from_native(native.project(f"*, (row_number() OVER ()) - 1 AS {_ROW_COLUMN}"))
        else:
            raise TypeError(f"row sampling is not supported for {module} frames")
        picked = numbered.filter(nw.col(_ROW_COLUMN).is_in(positions.tolist())).sort(_ROW_COLUMN)
        return picked.select(*names).collect().to_pandas().reset_index(drop=True)

    @staticmethod
    def _match_expr(column: str, pattern: str) -> Any:
        nw = _narwhals()
        text = nw.col(column).cast(nw.String).str.slice(0, MAX_CELL_CHARS).str.strip_chars()
        return text.str.contains(f"^(?:{pattern})$") & ~nw.col(column).is_null()

    def _dask_match(self, column: str, pattern: str) -> Any:
        import warnings

        col = self._dask[column]
        text = col.astype(str).str.slice(0, MAX_CELL_CHARS).str.strip()
        with warnings.catch_warnings():  # pandas warns about capture groups it is not asked for
            warnings.simplefilter("ignore", UserWarning)
            return text.str.contains(f"^(?:{pattern})$", regex=True) & ~col.isna()

    @staticmethod
    def _partitioned_rows(positions: np.ndarray, names: list[str], frame: Any) -> pd.DataFrame:
        import dask

        frame = frame[names]
        owner, local = _locate(positions, np.asarray(frame.map_partitions(len).compute(), dtype=np.int64))
        parts = []
        for part in np.unique(owner).tolist():
            parts.append(frame.get_partition(part).map_partitions(lambda p, rows=local[owner == part]: p.iloc[rows],
                                                                     meta=frame._meta))
        if not parts:
            return frame._meta.iloc[:0].reset_index(drop=True)
        return pd.concat(dask.compute(*parts), ignore_index=True)

    @staticmethod
    def _spark_rows(native: Any, positions: np.ndarray, names: list[str]) -> pd.DataFrame:
        """Rows of a Spark frame by scan position: per-partition counts, then ids inside partitions.

        ``monotonically_increasing_id`` is the partition index times 2**33 plus the row's
        place in its partition, so a global position maps to one id once the partition
        sizes are known. Both jobs read the same partitions of the same plan.
        """
        from pyspark.sql import functions as F

        tagged = native.withColumn("__rai_pid__", F.spark_partition_id()).withColumn(
            _ROW_COLUMN, F.monotonically_increasing_id())
        sizes = {int(r[0]): int(r[1]) for r in tagged.groupBy("__rai_pid__").count().collect()}
        parts = sorted(sizes)
        owner, local = _locate(positions, np.array([sizes[p] for p in parts], dtype=np.int64))
        ids = [(parts[o] << 33) + int(row) for o, row in zip(owner.tolist(), local.tolist())]
        if not ids:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in names})
        # a broadcast join on the ids: an IN list of thousands of literals takes seconds to plan
        from pyspark.sql.types import LongType, StructField, StructType

        wanted = native.sparkSession.createDataFrame([(i,) for i in ids],
                                                     StructType([StructField(_ROW_COLUMN, LongType(), False)]))
        rows = tagged.join(F.broadcast(wanted), _ROW_COLUMN).select(_ROW_COLUMN, *names).collect()
        rows.sort(key=lambda r: r[0])
        return pd.DataFrame.from_records([tuple(r)[1:] for r in rows], columns=names)

    def to_pandas(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """Load rows into pandas: only ``columns`` when given."""
        logger.info("loading %s column(s) of %s into memory", "all" if columns is None else len(columns),
                    self.label)
        if self._dask is not None:
            return (self._dask if columns is None else self._dask[list(columns)]).compute().reset_index(drop=True)
        frame = self._frame if columns is None else self._frame.select(*columns)
        return frame.collect().to_pandas()

    def fingerprint(self, columns: Sequence[str]) -> str:
        """sha256 over the schema and the count table of ``columns``: identifies the audited aggregate."""
        h = hashlib.sha256()
        h.update("\x1f".join(f"{c}:{self.dtype(c)}" for c in self.columns).encode())
        counts = self.count_table(columns) if columns else pd.DataFrame({"n": [self.n_rows]})
        counts = counts.sort_values(list(counts.columns), na_position="last").reset_index(drop=True)
        h.update(pd.util.hash_pandas_object(counts.astype(str), index=False).to_numpy().tobytes())
        return "sha256:" + h.hexdigest()


def bin_codes(values: pd.Series, edges: Sequence[float]) -> pd.Series:
    """Bin codes of a numeric column: ``-1`` when missing, else how many of ``edges[1:-1]`` lie below.

    With ``edges`` from :func:`pandas.qcut` (deduplicated), these are qcut's codes for every
    value inside the edges: right-closed bins, the lowest edge included in the first bin.
    """
    x = pd.to_numeric(values, errors="coerce").astype("float64")
    codes = np.zeros(len(x), dtype=np.int64)
    array = x.to_numpy()
    for edge in list(edges)[1:-1]:
        codes += array > float(edge)
    codes[np.isnan(array)] = -1
    return pd.Series(codes, index=values.index, name=values.name)


def _locate(positions: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(partition, place inside it) of each sorted global row position; positions past the end are dropped."""
    bounds = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    positions = positions[positions < bounds[-1]]
    owner = np.searchsorted(bounds, positions, side="right") - 1
    return owner, positions - bounds[owner]


def open_table(source: Any, engine: str | None = None) -> LazyTable:
    """A LazyTable over a path (scanned by ``engine``) or over a native frame of any supported engine."""
    if engine is not None and engine not in ENGINES:
        raise UsageError(MSG_UNKNOWN_ENGINE.format(engines=list(ENGINES), engine=engine))
    if not isinstance(source, (str, os.PathLike)):
        return LazyTable(source, label=type(source).__name__)
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
            return LazyTable(lazy, label=str(path))
        if engine == "duckdb":
            try:
                import duckdb
            except ImportError:
                raise UsageError(MSG_ENGINE_MISSING.format(engine=engine, package="duckdb")) from None
            conn = duckdb.connect()
            relation = conn.read_parquet(str(source)) if is_parquet else conn.read_csv(str(source))
            return LazyTable(relation, label=str(path))
        from .._files import read_table

        return LazyTable(read_table(path), label=str(path))
    except UsageError:
        raise
    except Exception as exc:
        reason = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else 'unreadable'}"
        raise UsageError(MSG_UNREADABLE.format(path=path, reason=reason[:300])) from None
