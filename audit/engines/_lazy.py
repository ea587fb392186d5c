"""LazyTable: a table handle that answers schema, counts and group-by counts without loading rows."""
from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .._exceptions import UsageError
from .._validation import MSG_UNREADABLE, MSG_UNSUPPORTED_FORMAT

__all__ = ["ENGINES", "LazyTable", "open_table", "MSG_UNKNOWN_ENGINE", "MSG_ENGINE_MISSING", "COUNT_COLUMN"]

logger = logging.getLogger("audit.engines")

#: Engines a spec may name for scanning a file.
ENGINES = ("pandas", "polars", "duckdb")
COUNT_COLUMN = "__rai_audit_count__"
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
        """Missing values per column (NaN counts as missing for float columns)."""
        if self._dask is not None:
            counts = self._dask[list(columns)].isna().sum().compute()
            return {c: int(counts[c]) for c in columns}
        nw = _narwhals()
        exprs = []
        for c in columns:
            expr = nw.col(c).is_null()
            if self.dtype(c).startswith("Float"):
                expr = expr | nw.col(c).is_nan()
            exprs.append(expr.cast(nw.Int64).sum().alias(c))
        row = self._frame.select(*exprs).collect().to_pandas().iloc[0]
        return {c: int(row[c]) for c in columns}

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

    def count_table(self, columns: Sequence[str]) -> pd.DataFrame:
        """Rows per distinct combination of ``columns`` (missing values kept as their own key)."""
        if self._dask is not None:
            sizes = self._dask.groupby(list(columns), dropna=False).size().compute()
            return sizes.rename(COUNT_COLUMN).reset_index().astype({COUNT_COLUMN: "int64"})
        nw = _narwhals()
        out = (self._frame.group_by(*columns, drop_null_keys=False)
               .agg(nw.len().alias(COUNT_COLUMN)).collect().to_pandas())
        return out.astype({COUNT_COLUMN: "int64"})

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


def open_table(source: Any, engine: str | None = None) -> LazyTable:
    """A LazyTable over a path (scanned by ``engine``) or over a native frame of any supported engine."""
    if engine is not None and engine not in ENGINES:
        raise UsageError(MSG_UNKNOWN_ENGINE.format(engines=list(ENGINES), engine=engine))
    if not isinstance(source, (str, os.PathLike)):
        return LazyTable(source, label=type(source).__name__)
    path = Path(source)
    name = path.name.lower()
    if not path.exists():
        raise UsageError(MSG_UNREADABLE.format(path=path, reason="no such file"))
    is_parquet = name.endswith((".parquet", ".pq")) or path.is_dir()
    if not is_parquet and not name.endswith((".csv", ".csv.gz")):
        raise UsageError(MSG_UNSUPPORTED_FORMAT.format(path=path, suffix="".join(path.suffixes) or path.name))
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
            relation = conn.read_parquet(str(path)) if is_parquet else conn.read_csv(str(path))
            return LazyTable(relation, label=str(path))
        from .._validation import read_table

        return LazyTable(read_table(path), label=str(path))
    except UsageError:
        raise
    except Exception as exc:
        reason = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else 'unreadable'}"
        raise UsageError(MSG_UNREADABLE.format(path=path, reason=reason[:300])) from None
