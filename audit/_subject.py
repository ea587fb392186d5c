"""AuditSubject: the model, the data and the columns' roles, validated once at the boundary."""
from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._exceptions import DataError, UsageError
from ._model import ModelAdapter, adapt_model
from ._validation import (MSG_EMPTY_DATA, MSG_NAN_IN_COLUMN, as_column_list, check_columns, check_finite,
                          check_frame, glob_files, is_glob)
from .engines import LazyTable, open_table
from .engines._batches import DEFAULT_BATCH_ROWS, iter_batches, rebatch

__all__ = ["AuditSubject", "TASKS", "MSG_NO_TARGET_OR_PREDICTION", "MSG_BAD_TASK", "MSG_PREDICTION_LENGTH"]

TASKS = ("binary", "multiclass", "regression")
MSG_BAD_TASK = "task must be one of {tasks}; got {task!r}."
MSG_NO_TARGET_OR_PREDICTION = ("prediction column {column!r} is not in the data and no model was given to "
                               "compute it; pass model=... or name an existing prediction column.")
MSG_LARGE_FILE = ("{path!s} holds {size_mb:,.0f} MB on disk and is read whole into pandas; name an engine "
                  "(engine=\"polars\" or \"duckdb\"; in a spec, [data] engine = \"polars\") to scan it lazily.")
#: Files at least this large read into pandas get a warning that an engine would scan them lazily.
LARGE_FILE_BYTES = 1 << 30
logger = logging.getLogger("audit")
MSG_PREDICTION_LENGTH = ("the model returned {got} predictions for {expected} rows; "
                         "a model must return one prediction per row.")


class AuditSubject:
    """What is audited: a model (or given predictions), a table, and column roles.

    Parameters
    ----------
    data : pandas/polars frame, pyarrow Table, or a path to a CSV or Parquet file.
    model : torch ``nn.Module``, scikit-learn style estimator, reference network, or None
        when the table already holds predictions.
    target, prediction, score : column names. When a model is given and ``prediction``
        is None, predictions (and positive-class scores, if the model gives them) are
        computed once here.
    sensitive_features, quasi_identifiers, features : column names (``features``
        defaults to every column that has no other role).
    task : "binary", "multiclass" or "regression"; inferred from the target when None.
    name : a label for reports.
    train_data : optional, the rows the model was trained on, with the same columns
        (membership-inference risk, attribution baselines, data minimisation).
    engine : "polars" or "duckdb" scan a CSV/Parquet path lazily ("pandas" reads it whole);
        lazy and remote frames (polars LazyFrame, DuckDB, Dask, Spark) stay lazy anyway.
        With a model, predictions are then computed in streamed batches of
        ``batch_rows`` rows, holding one batch of features at a time.
    """

    def __init__(self, data: Any, *, model: Any = None, target: str | None = None,
                 prediction: str | None = None, score: str | None = None,
                 sensitive_features: str | Sequence[str] | None = None,
                 quasi_identifiers: str | Sequence[str] | None = None,
                 features: str | Sequence[str] | None = None,
                 task: str | None = None, name: str | None = None, random_state: int = 0,
                 train_data: Any = None, engine: str | None = None,
                 batch_rows: int = DEFAULT_BATCH_ROWS) -> None:
        self.name = name
        self.random_state = int(random_state)
        self.model: ModelAdapter | None = adapt_model(model)
        self.batch_rows = int(batch_rows)
        self._loaded: dict[str, Any] = {}
        self.table: LazyTable | None = None
        if _stays_lazy(data, engine):
            self.table = open_table(data, engine)
            frame: Any = self.table
            if self.table.n_rows == 0:
                raise DataError(MSG_EMPTY_DATA)
        else:
            _warn_if_large(data)
            frame = check_frame(data)
            self._loaded["data"] = frame

        self.target = check_columns(frame, as_column_list(target, "target"), "target")[0] if target else None
        self.score_column = check_columns(frame, as_column_list(score, "score"), "score")[0] if score else None
        self.sensitive_features = check_columns(
            frame, as_column_list(sensitive_features, "sensitive_features"), "sensitive_features")
        self.quasi_identifiers = check_columns(
            frame, as_column_list(quasi_identifiers, "quasi_identifiers"), "quasi_identifiers")
        if prediction is not None and (self.model is None or prediction in frame.columns):
            if prediction not in frame.columns and self.model is None:
                check_columns(frame, [prediction], "prediction")
            self.prediction_column: str | None = prediction
        else:
            self.prediction_column = None
        roles = {self.target, self.prediction_column, self.score_column}
        if features is None:
            self.features = tuple(str(c) for c in frame.columns
                                  if c not in roles and c not in self.sensitive_features
                                  and c not in self.quasi_identifiers)
            if self.model is not None and self.model.kind == "reference":
                self.features = tuple(self.model.model.feature_names)
        else:
            self.features = check_columns(frame, as_column_list(features, "features"), "features")

        self.train_data: pd.DataFrame | None = None
        if train_data is not None:
            train = check_frame(train_data)
            needed = [c for c in (*self.features, *self.sensitive_features, self.target) if c is not None]
            check_columns(train, needed, "a column of train_data (it must have the data's columns)")
            self.train_data = train
        if self.table is not None:
            self._check_lazy_roles()
            self.task = (self.model.model.task if self.model is not None and self.model.kind == "reference"
                         else self._resolve_lazy_task(task))
            if self.model is not None and self.prediction_column is None and self.task is not None:
                self._stream_predictions(batch_rows)
        else:
            self._loaded["y_true"] = (check_finite(frame[self.target], self.target, "target")
                                      if self.target else None)
            self.task = self._resolve_task(task)
            self._loaded["y_pred"], self._loaded["y_score"] = self._predictions()

    # -- rows, loaded on first use when the table is lazy --------------------------------------
    @property
    def is_lazy(self) -> bool:
        """Whether the rows stay in their engine (a scanned file, a lazy or remote frame)."""
        return self.table is not None

    def _column(self, key: str, column: str | None) -> Any:
        if key not in self._loaded:
            if column is None or self.table is None:
                return None
            self._loaded[key] = self.table.to_pandas([column])[column].to_numpy()
        return self._loaded[key]

    @property
    def data(self) -> pd.DataFrame:
        """The table as pandas (a lazy table is loaded whole on first use)."""
        if "data" not in self._loaded:
            self._loaded["data"] = self.table.to_pandas()  # type: ignore[union-attr]
        return self._loaded["data"]

    @property
    def y_true(self) -> np.ndarray | None:
        return self._column("y_true", self.target)

    @property
    def y_pred(self) -> np.ndarray | None:
        return self._column("y_pred", self.prediction_column)

    @property
    def y_score(self) -> np.ndarray | None:
        values = self._column("y_score", self.score_column)
        return None if values is None else np.asarray(values, dtype=np.float64)

    def count_table(self, columns: Sequence[str]) -> pd.DataFrame:
        """Rows per distinct combination of ``columns``, computed where the data lives.

        The row count is in column ``audit.engines.COUNT_COLUMN``. For an in-memory
        frame this is a pandas group-by.
        """
        return self.table_view(columns).count_table(columns)

    def table_view(self, columns: Sequence[str] | None = None) -> LazyTable:
        """The rows as a :class:`~audit.engines.LazyTable`, to ask aggregates of.

        A lazy subject's own table (every column); for an in-memory frame, a view of
        ``columns`` (all when None), so one piece of aggregate code serves both.
        """
        if self.table is not None:
            return self.table
        return LazyTable(self.data if columns is None else self.data.loc[:, list(columns)], label="data")

    def rows(self, positions: Sequence[int] | np.ndarray, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """The rows at 0-based ``positions``, only ``columns``, as pandas indexed 0..k-1, in table order.

        Only those rows leave a lazy table (:meth:`LazyTable.take`); the same positions give
        the same rows in every engine and in pandas (repeated positions give one row).
        """
        positions = np.unique(np.asarray(positions, dtype=np.int64))
        names = list(self.table.columns if self.table is not None else self.data.columns) if columns is None \
            else list(columns)
        if self.table is not None:
            return self.table.take(positions, names)
        return self.data.iloc[positions].loc[:, names].reset_index(drop=True)

    def batches(self, columns: Sequence[str], batch_rows: int | None = None) -> Iterator[pd.DataFrame]:
        """Every row, ``columns`` only, in frames of exactly ``batch_rows`` rows (the last shorter), in order.

        Fixed batch boundaries make batch-by-batch work (a forward pass) give the same
        numbers for a lazy table as for the same rows in pandas. Defaults to the subject's
        ``batch_rows``.
        """
        size = self.batch_rows if batch_rows is None else int(batch_rows)
        if self.table is not None:
            yield from rebatch(iter_batches(self.table, list(columns), size), size)
            return
        frame = self.data
        for start in range(0, len(frame), size):
            yield frame.iloc[start:start + size].loc[:, list(columns)].reset_index(drop=True)

    def values_at(self, role: str, positions: Sequence[int] | np.ndarray) -> np.ndarray | None:
        """``y_true``, ``y_pred`` or ``y_score`` at row positions (in table order, as :meth:`rows`), None when absent.

        Values already in memory (an in-memory table, predictions streamed from a model) are
        indexed; otherwise only those rows of the role's column are read.
        """
        column = {"y_true": self.target, "y_pred": self.prediction_column, "y_score": self.score_column}[role]
        positions = np.unique(np.asarray(positions, dtype=np.int64))
        if self.table is None or role in self._loaded or column is None:
            values = getattr(self, role)
            return None if values is None else np.asarray(values)[positions]
        values = self.table.take(positions, [column])[column].to_numpy()
        return np.asarray(values, dtype=np.float64) if role == "y_score" else values

    def _stream_predictions(self, batch_rows: int) -> None:
        """Predict batch by batch; keep predictions, scores, target and sensitive columns only.

        Reading the target and sensitive columns in the same batches keeps them aligned
        with the predictions whatever the engine's row order; the batches are cut at fixed
        rows, so every engine feeds the model the same batches.
        """
        assert self.table is not None and self.model is not None  # noqa: S101 - internal invariant
        keep = [c for c in dict.fromkeys([*self.sensitive_features, self.target]) if c is not None]
        inputs = list(self.features)
        preds, scores, kept = [], [], []
        for batch in rebatch(iter_batches(self.table, list(dict.fromkeys([*inputs, *keep])), batch_rows), batch_rows):
            preds.append(np.asarray(self.model.predict(batch, inputs, self.task)))
            score = self.model.score(batch, inputs, self.task)
            if score is not None:
                scores.append(score)
            kept.append(_compact(batch.loc[:, keep]))
        y_pred = np.concatenate(preds)
        if len(y_pred) != self.table.n_rows:
            raise DataError(MSG_PREDICTION_LENGTH.format(got=len(y_pred), expected=self.table.n_rows))
        check_finite(y_pred, "<model output>", "prediction")
        frame = _concat_compact(kept, keep)
        self._loaded["y_pred"] = y_pred
        self._loaded["y_score"] = np.concatenate(scores) if scores else None
        if self.target is not None:
            self._loaded["y_true"] = frame[self.target].to_numpy()
        self._loaded["sensitive"] = frame.loc[:, list(self.sensitive_features)]

    def _check_lazy_roles(self) -> None:
        assert self.table is not None  # noqa: S101 - internal invariant, not user input
        roles = [(c, r) for c, r in ((self.target, "target"), (self.prediction_column, "prediction"),
                                     (self.score_column, "score")) if c is not None]
        nulls = self.table.null_counts([c for c, _ in roles])
        for column, role in roles:
            if nulls[column]:
                raise DataError(MSG_NAN_IN_COLUMN.format(column=column, role=role, count=nulls[column],
                                                         n=self.table.n_rows))

    def _resolve_lazy_task(self, task: str | None) -> str | None:
        if task is not None:
            if task not in TASKS:
                raise UsageError(MSG_BAD_TASK.format(tasks=list(TASKS), task=task))
            return task
        column = self.target or self.prediction_column
        if column is None:
            return None
        assert self.table is not None  # noqa: S101 - internal invariant
        if self.table.has_fraction(column):
            return "regression"
        return "binary" if len(self.table.distinct(column, 2)) <= 2 else "multiclass"

    # -- construction helpers ----------------------------------------------------------------
    def _resolve_task(self, task: str | None) -> str | None:
        if task is not None:
            if task not in TASKS:
                raise UsageError(MSG_BAD_TASK.format(tasks=list(TASKS), task=task))
            return task
        if self.model is not None and self.model.kind == "reference":
            return self.model.model.task
        source = self.y_true
        if source is None and self.prediction_column is not None:
            source = self.data[self.prediction_column].to_numpy()
        if source is None:
            return None
        return infer_task(source)

    def _predictions(self) -> tuple[np.ndarray | None, np.ndarray | None]:
        n = len(self.data)
        y_pred = y_score = None
        if self.prediction_column is not None:
            y_pred = check_finite(self.data[self.prediction_column], self.prediction_column, "prediction")
        elif self.model is not None and self.task is not None:
            y_pred = np.asarray(self.model.predict(self.data, self.features, self.task))
            if len(y_pred) != n:
                raise DataError(MSG_PREDICTION_LENGTH.format(got=len(y_pred), expected=n))
            check_finite(y_pred, "<model output>", "prediction")
        if self.score_column is not None:
            y_score = check_finite(self.data[self.score_column], self.score_column, "score").astype(np.float64)
        elif self.model is not None and self.task == "binary" and self.prediction_column is None:
            y_score = self.model.score(self.data, self.features, self.task)
        return y_pred, y_score

    # -- views -----------------------------------------------------------------------------
    @property
    def n_rows(self) -> int:
        return self.table.n_rows if self.table is not None else len(self.data)

    @property
    def sensitive_frame(self) -> pd.DataFrame:
        if self.table is not None and ("sensitive" in self._loaded or "data" not in self._loaded):
            if "sensitive" not in self._loaded:
                # streamed and kept compact: text columns as categoricals, a few bytes a row
                columns = list(self.sensitive_features)
                batches = [_compact(b) for b in iter_batches(self.table, columns, self.batch_rows)]
                self._loaded["sensitive"] = (_concat_compact(batches, columns) if batches
                                             else self.table.to_pandas(columns))
            return self._loaded["sensitive"]
        return self.data.loc[:, list(self.sensitive_features)]

    def has(self, requirement: str) -> bool:
        """Whether this subject can satisfy one auditor requirement (see ``Requirement``)."""
        from ._auditor import Requirement

        req = Requirement(requirement)
        return {
            Requirement.TARGET: self.target is not None,
            Requirement.PREDICTIONS: self.prediction_column is not None or self._loaded.get("y_pred") is not None,
            Requirement.SCORES: self.score_column is not None or self._loaded.get("y_score") is not None,
            Requirement.SENSITIVE_FEATURES: bool(self.sensitive_features),
            Requirement.QUASI_IDENTIFIERS: bool(self.quasi_identifiers),
            Requirement.MODEL: self.model is not None,
            Requirement.TORCH_MODEL: self.model is not None and self.model.torch_module() is not None,
            Requirement.TRAIN_DATA: self.train_data is not None,
        }[req]

    def fingerprint(self) -> str:
        """sha256 over the data's column names, dtypes and row hashes: identifies the table, reveals nothing.

        A lazy table is fingerprinted by its schema and the count table of its role columns,
        which identifies the audited aggregate without a pass over every column.
        """
        if self.table is not None:
            roles = [c for c in (*self.sensitive_features, self.target, self.prediction_column) if c]
            return self.table.fingerprint(roles)
        h = hashlib.sha256()
        h.update("\x1f".join(f"{c}:{t}" for c, t in self.data.dtypes.astype(str).items()).encode())
        try:
            rows = pd.util.hash_pandas_object(self.data, index=False)
        except (TypeError, UnicodeDecodeError):  # mixed-type or bytes cells: hash their text form
            rows = pd.util.hash_pandas_object(self.data.map(repr) if hasattr(self.data, "map")
                                              else self.data.astype(str), index=False)
        h.update(rows.to_numpy().tobytes())
        return "sha256:" + h.hexdigest()

    def describe(self) -> dict[str, Any]:
        """JSON-able description for report.json (roles and sizes, never values)."""
        return {
            "name": self.name,
            "n_rows": int(self.n_rows),
            "n_train_rows": None if self.train_data is None else int(len(self.train_data)),
            "task": self.task,
            "target": self.target,
            "prediction": self.prediction_column or ("<model>" if self.model is not None else None),
            "score": self.score_column or ("<model>" if self._loaded.get("y_score") is not None else None),
            "sensitive_features": list(self.sensitive_features),
            "quasi_identifiers": list(self.quasi_identifiers),
            "features": list(self.features),
            "model": self.model.describe() if self.model is not None else None,
            "data_fingerprint": self.fingerprint(),
        }

    def __repr__(self) -> str:
        return (f"AuditSubject(name={self.name!r}, n_rows={self.n_rows}, task={self.task!r}, "
                f"target={self.target!r}, sensitive_features={list(self.sensitive_features)!r}, "
                f"model={None if self.model is None else self.model.kind!r})")


def _stays_lazy(data: Any, engine: str | None) -> bool:
    """Lazy when an engine other than pandas is named, or the frame is lazy or remote by nature."""
    if engine is not None:
        return engine != "pandas"
    module = type(data).__module__
    return (module.startswith("polars") and hasattr(data, "collect")) or module.startswith(
        ("duckdb", "dask", "pyspark", "narwhals"))


def _compact(batch: pd.DataFrame) -> pd.DataFrame:
    """Text columns as categoricals: a few bytes a row instead of a Python string per row."""
    text = [c for c in batch.columns if batch[c].dtype == object or pd.api.types.is_string_dtype(batch[c])]
    return batch.astype({c: "category" for c in text}) if text else batch


def _concat_compact(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    """Concatenate batches, keeping categorical columns categorical with their levels in sorted order.

    Sorted levels (by value, or by shown text for a mix of types) are the order the
    eager path's group encoding uses, so groups come out in the same order.
    """
    from pandas.api.types import union_categoricals

    out: dict[str, Any] = {}
    for c in columns:
        parts = [f[c] for f in frames]
        if parts and all(isinstance(p.dtype, pd.CategoricalDtype) for p in parts):
            merged = union_categoricals(parts, ignore_order=True)
            levels = list(merged.categories)
            try:
                levels = sorted(levels)
            except TypeError:
                levels = sorted(levels, key=str)
            out[c] = pd.Categorical(merged, categories=levels)
        else:
            out[c] = pd.concat(parts, ignore_index=True)
    return pd.DataFrame(out, columns=columns)


def _warn_if_large(data: Any) -> None:
    if not isinstance(data, (str, os.PathLike)):
        return
    from pathlib import Path

    path = Path(data)
    files = ([f for f in path.rglob("*") if f.is_file()] if path.is_dir()
             else glob_files(path) if is_glob(path)
             else [path] if path.is_file() else [])
    size = sum(f.stat().st_size for f in files)
    if size >= LARGE_FILE_BYTES:
        logger.warning(MSG_LARGE_FILE.format(path=path, size_mb=size / 1e6))


def infer_task(values: Any) -> str:
    """'regression' for non-integer floats, 'binary' for at most two classes, else 'multiclass'."""
    arr = np.asarray(values)
    if arr.dtype.kind == "f" and not np.all(np.mod(arr, 1) == 0):
        return "regression"
    return "binary" if len(pd.unique(arr)) <= 2 else "multiclass"
