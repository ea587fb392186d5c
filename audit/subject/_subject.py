"""AuditSubject: the model, the data and the columns' roles, validated once at the boundary."""
from __future__ import annotations

import copy
import hashlib
import logging
import os
from collections.abc import Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from .._exceptions import DataError, UsageError
from .._files import glob_files, is_glob
from ..engines import Table, open_table
from ..engines._batches import DEFAULT_BATCH_ROWS, iter_batches, rebatch
from ._adapters import Model, as_model
from ._adapters import same_label as _same_label
from ._messages import (
    MSG_BAD_TASK,
    MSG_LARGE_FILE,
    MSG_MODEL_NEEDS_COLUMNS,
    MSG_NESTED_COLUMN,
    MSG_NO_TARGET_OR_PREDICTION,
    MSG_OUTPUT_NOT_FINITE,
    MSG_POS_LABEL_MULTICLASS,
    MSG_POS_LABEL_NOT_FOUND,
    MSG_POS_LABEL_REGRESSION,
    MSG_POS_LABEL_REQUIRED,
    MSG_PREDICTION_LENGTH,
    MSG_PSEUDONYMISED,
    MSG_TOO_MANY_CLASSES,
)
from ._validation import (
    MSG_EMPTY_DATA,
    MSG_NAN_IN_COLUMN,
    as_column_list,
    check_columns,
    check_finite,
    check_frame,
    check_numeric,
)

__all__ = ["AuditSubject", "TASKS", "MSG_NO_TARGET_OR_PREDICTION", "MSG_BAD_TASK", "MSG_PREDICTION_LENGTH"]

TASKS = ("binary", "multiclass", "regression")
#: A sensitive column missing in more than this share of rows gets a finding.
MISSING_SHARE = 0.05
#: More distinct labels than this in a target is not a classification task we guess.
MAX_CLASSES = 50
#: Files at least this large read into pandas get a warning that an engine would scan them lazily.
LARGE_FILE_BYTES = 1 << 30
logger = logging.getLogger("audit")


class AuditSubject:
    """What is audited: a model (or given predictions), a table, and column roles.

    Parameters
    ----------
    data : pandas/polars frame, pyarrow Table, or a path to a CSV or Parquet file.
    model : an :class:`audit.Model`, or a bare model wrapped in one (torch ``nn.Module``, Keras 3
        on the torch backend, scikit-learn estimator or Pipeline, callable, reference network),
        or None when the table already holds predictions.
    target, prediction, score : column names. When a model is given and ``prediction``
        is None, predictions (and positive-class scores, if the model gives them) are
        computed once here.
    sensitive_features, quasi_identifiers, features : column names. ``features`` defaults to
        the columns the model was fitted on (``feature_names_in_`` of the model or its
        preprocess, or ``audit.Model(feature_names=...)``), sensitive ones included; without
        such a record, every column that has no other role.
    task : "binary", "multiclass" or "regression"; otherwise declared by the model, or inferred
        from the target and the predictions together (fractions in either mean regression).
    pos_label : the positive class of a binary task; 1 (or True) by default when the labels
        are 0/1 or booleans, required otherwise.
    sample_weight : a column of non-negative weights, one a row.
    name : a label for reports.
    train_data : optional, the rows the model was trained on, with the same columns
        (membership-inference risk, attribution baselines, data minimisation).
    engine : "polars" or "duckdb" scan a CSV/Parquet path lazily ("pandas" reads it whole);
        lazy and remote frames (polars LazyFrame, DuckDB, Dask, Spark) stay lazy anyway.
        With a model, predictions are then computed in streamed batches of
        ``batch_rows`` rows, holding one batch of features at a time.
    """

    #: What the inputs are: ``"table"`` (rows of feature columns) or ``"image"`` (:class:`ImageSubject`).
    modality = "table"

    def __init__(self, data: Any, *, model: Any = None, target: str | None = None,
                 prediction: str | None = None, score: str | None = None,
                 sensitive_features: str | Sequence[str] | None = None,
                 quasi_identifiers: str | Sequence[str] | None = None,
                 features: str | Sequence[str] | None = None,
                 task: str | None = None, name: str | None = None, random_state: int = 0,
                 train_data: Any = None, engine: str | None = None,
                 batch_rows: int = DEFAULT_BATCH_ROWS, pos_label: Any = None,
                 sample_weight: str | None = None) -> None:
        self.name = name
        self.random_state = int(random_state)
        #: Set by the run: the checks the audit gates, and the results of the auditors that ran before.
        self.policy: tuple[Any, ...] = ()
        self.earlier_results: Mapping[str, Any] = MappingProxyType({})
        self.model: Model | None = as_model(model)
        self.batch_rows = int(batch_rows)
        self._loaded: dict[str, Any] = {}
        if task is not None and task not in TASKS:
            raise UsageError(MSG_BAD_TASK.format(tasks=list(TASKS), task=task))
        if _stays_lazy(data, engine):
            #: the rows, wherever they live: an engine's frame, or the in-memory pandas frame
            self.table: Table = open_table(data, engine)
            frame: Any = self.table
            if self.table.n_rows == 0:
                raise DataError(MSG_EMPTY_DATA)
        else:
            _warn_if_large(data)
            frame = check_frame(data)
            self._hold(frame)

        self.target = check_columns(frame, as_column_list(target, "target"), "target")[0] if target else None
        self.score_column = check_columns(frame, as_column_list(score, "score"), "score")[0] if score else None
        self.sample_weight_column = (check_columns(frame, as_column_list(sample_weight, "sample_weight"),
                                                   "sample_weight")[0] if sample_weight else None)
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
        self.features = self._resolve_features(frame, features)
        self._check_role_types()
        #: column -> the kind of personal data its values were found to be (their values are pseudonyms)
        self.pseudonymised: dict[str, str] = {}
        self._label_pseudonyms: dict[Any, str] = {}
        self.pseudonymised_pii: tuple[Any, ...] = ()
        if self.table.is_local:  # values in memory are rewritten; an engine's table is read as it is
            frame = self._pseudonymise(frame, random_state)
            self._hold(frame)

        self.train_data: pd.DataFrame | None = None
        if train_data is not None:
            train = check_frame(train_data)
            needed = [c for c in (*self.features, *self.sensitive_features, self.target) if c is not None]
            check_columns(train, needed, "a column of train_data (it must have the data's columns)")
            self.train_data = train
        declared = task or (self.model.declared_task() if self.model is not None else None)
        self._pos_label_given = pos_label if pos_label is not None else (
            self.model.pos_label if self.model is not None else None)
        if self._pos_label_given is not None and self._label_pseudonyms:  # a raw label names its pseudonym
            self._pos_label_given = self._label_pseudonyms.get(self._pos_label_given, self._pos_label_given)
        if self.table.is_local:  # rows in memory: role columns checked and predictions made on the whole frame
            self._loaded["y_true"] = (check_finite(frame[self.target], self.target, "target")
                                      if self.target else None)
            self.task = declared or self._torch_task()
            self._loaded["y_pred"], self._loaded["y_score"] = self._predictions()
            if self.task is None:
                self.task = infer_task(self.y_true, self.y_pred)
            if self._loaded["y_score"] is None and self.task == "binary":
                self._loaded["y_score"] = self._model_scores()
        else:  # rows in an engine: it counts the missing values, and predictions stream in batches
            self._check_lazy_roles()
            self.task = declared or self._torch_task()
            if self.model is not None and self.prediction_column is None and (
                    self.task is not None or not self.model.decodes_with_task):
                self._stream_predictions(batch_rows)
            if self.task is None:
                self.task = self._resolve_lazy_task()
        self.classes, self.pos_label = self._resolve_labels()

    def _hold(self, frame: pd.DataFrame) -> None:
        """Hold an in-memory frame: as the loaded data, and as the Table every question is asked of."""
        self._loaded["data"] = frame
        self.table = Table(frame, label="data")

    # -- rows, loaded on first use when the table is lazy --------------------------------------
    @property
    def is_lazy(self) -> bool:
        """Whether the rows stay in their engine (a scanned file, a lazy or remote frame): ``not table.is_local``."""
        return not self.table.is_local

    def _column(self, key: str, column: str | None) -> Any:
        if key not in self._loaded:
            if column is None:
                return None
            self._loaded[key] = self.table.to_pandas([column])[column].to_numpy()
        return self._loaded[key]

    @property
    def data(self) -> pd.DataFrame:
        """The table as pandas (a lazy table is loaded whole on first use)."""
        if "data" not in self._loaded:
            self._loaded["data"] = self.table.to_pandas()
        return self._loaded["data"]

    @property
    def y_true(self) -> np.ndarray | None:
        return self._column("y_true", self.target)

    @property
    def y_pred(self) -> np.ndarray | None:
        return self._column("y_pred", self.prediction_column)

    @property
    def sample_weight(self) -> np.ndarray | None:
        """The sample weights (float64, one a row) when a ``sample_weight`` column is named, else None."""
        if self.sample_weight_column is None:
            return None
        if self._loaded.get("sample_weight") is None:
            values = self.table.to_pandas([self.sample_weight_column])[self.sample_weight_column]
            self._loaded["sample_weight"] = check_numeric(
                check_finite(values, self.sample_weight_column, "sample_weight"), self.sample_weight_column,
                "sample_weight")
        return self._loaded["sample_weight"]

    @property
    def y_score(self) -> np.ndarray | None:
        values = self._column("y_score", self.score_column)
        return None if values is None else np.asarray(values, dtype=np.float64)

    def count_table(self, columns: Sequence[str]) -> pd.DataFrame:
        """Rows per distinct combination of ``columns``, computed where the data lives.

        The row count is in column ``audit.engines.COUNT_COLUMN``. For an in-memory
        frame this is a pandas group-by.
        """
        return self.table.count_table(columns)

    def table_view(self, columns: Sequence[str] | None = None) -> Table:
        """The subject's :class:`~audit.engines.Table`, to ask aggregates of.

        ``columns`` is accepted for callers that name what they will ask about; the table holds
        every column.
        """
        return self.table

    def rows(self, positions: Sequence[int] | np.ndarray, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """The rows at 0-based ``positions``, only ``columns``, as pandas indexed 0..k-1, in table order.

        Only those rows leave a lazy table (:meth:`audit.engines.Table.take`); the same positions give
        the same rows in every engine and in pandas (repeated positions give one row).
        """
        positions = np.unique(np.asarray(positions, dtype=np.int64))
        return self.table.take(positions, None if columns is None else list(columns))

    def batches(self, columns: Sequence[str], batch_rows: int | None = None) -> Iterator[pd.DataFrame]:
        """Every row, ``columns`` only, in frames of exactly ``batch_rows`` rows (the last shorter), in order.

        Fixed batch boundaries make batch-by-batch work (a forward pass) give the same
        numbers for a lazy table as for the same rows in pandas. Defaults to the subject's
        ``batch_rows``.
        """
        size = self.batch_rows if batch_rows is None else int(batch_rows)
        yield from rebatch(iter_batches(self.table, list(columns), size), size)

    def values_at(self, role: str, positions: Sequence[int] | np.ndarray) -> np.ndarray | None:
        """``y_true``, ``y_pred`` or ``y_score`` at row positions (in table order, as :meth:`rows`), None when absent.

        Values already in memory (an in-memory table, predictions streamed from a model) are
        indexed; otherwise only those rows of the role's column are read.
        """
        column = {"y_true": self.target, "y_pred": self.prediction_column, "y_score": self.score_column}[role]
        positions = np.unique(np.asarray(positions, dtype=np.int64))
        if role in self._loaded or column is None:
            values = getattr(self, role)
            return None if values is None else np.asarray(values)[positions]
        values = self.table.take(positions, [column])[column].to_numpy()
        return np.asarray(values, dtype=np.float64) if role == "y_score" else values

    def _stream_predictions(self, batch_rows: int) -> None:  # noqa: C901
        """Predict batch by batch; keep predictions, scores, target and sensitive columns only.

        Reading the target and sensitive columns in the same batches keeps them aligned
        with the predictions whatever the engine's row order; the batches are cut at fixed
        rows, so every engine feeds the model the same batches.
        """
        assert self.model is not None  # noqa: S101 - internal invariant
        keep = [c for c in dict.fromkeys([*self.sensitive_features, self.target]) if c is not None]
        inputs = list(self.features)
        preds, scores, kept = [], [], []
        pos_label = self._score_pos_label()
        for batch in rebatch(iter_batches(self.table, list(dict.fromkeys([*inputs, *keep])), batch_rows), batch_rows):
            preds.append(np.asarray(self.model.predict(batch, inputs, self.task)))
            score = self.model.score(batch, inputs, self.task, pos_label)
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

    def _role_columns(self) -> list[tuple[str, str]]:
        roles = [(self.target, "target"), (self.prediction_column, "prediction"), (self.score_column, "score"),
                 (self.sample_weight_column, "sample_weight")]
        roles += [(c, "sensitive_features") for c in self.sensitive_features]
        roles += [(c, "quasi_identifiers") for c in self.quasi_identifiers]
        return [(c, r) for c, r in roles if c is not None]

    def _check_role_types(self) -> None:
        """Reject list, struct, map, array and binary columns in a role.

        Such a column is a usage error naming it: one value per row is what every auditor groups and
        counts by. Cheap: dtypes first, values only for object columns.
        """
        for column, role in self._role_columns():
            kind = self.table.nested_kind(column)
            if kind:
                raise UsageError(MSG_NESTED_COLUMN.format(column=column, role=role, kind=kind))

    def _pseudonymise(self, frame: pd.DataFrame, random_state: int) -> pd.DataFrame:
        """Pseudonymise the direct identifiers held in role columns.

        The values of every role column the privacy engine classifies as a direct identifier
        (e-mail, name, phone, card, SSN, IBAN, identifier) are replaced by stable pseudonyms (``email#1`` for the
        largest group, ties broken by a hash of the value), so no auditor, output or message sees them.

        Sensitive features and quasi-identifiers always; the target and prediction columns when no model
        predicts (a model's own outputs would not match the pseudonyms). A column the model reads is left
        as it is. Only text columns are scanned, on the classifier's seeded row sample: cheap without PII.
        """
        roles: list[str] = [*self.sensitive_features, *self.quasi_identifiers]
        labels = [c for c in (self.target, self.prediction_column) if c is not None]
        if self.model is None:
            roles += labels
        model_inputs = set(self.features) if self.model is not None else set()
        candidates = [c for c in dict.fromkeys(roles) if c not in model_inputs and c in frame.columns
                      and (frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c].dtype))]
        if not candidates:
            return frame
        from ..privacy._columns import scan_frame

        found = {}
        scans = []
        for pii in scan_frame(frame, columns=candidates, random_state=random_state):
            if pii.direct and pii.kind in ("values", "identifier") and pii.column not in found:
                found[pii.column] = pii.entity_type
                scans.append(pii)
        if not found:
            return frame
        # the target and prediction share one mapping (their labels must still match each other)
        shared = [c for c in labels if c in found] if self.model is None else []
        if shared:
            for c in labels:
                found.setdefault(c, found[shared[0]])
        columns: dict[str, pd.Series] = {}
        groups = [shared] if shared else []
        groups += [[c] for c in found if c not in shared]
        for group in groups:
            prefix = _PSEUDONYM_PREFIX.get(found[group[0]], "value")
            values = pd.concat([frame[c] for c in group], ignore_index=True)
            mapping = pseudonyms(values, prefix)
            for c in group:
                columns[c] = frame[c].map(mapping).astype(object).where(frame[c].notna(), None)
            if group is shared:
                self._label_pseudonyms = mapping
        self.pseudonymised = {c: found[c] for c in columns}
        self.pseudonymised_pii = tuple(scans)  # the classifier's word on the raw values (masked examples only)
        return frame.assign(**columns)

    def _check_lazy_roles(self) -> None:
        roles = [(c, r) for c, r in ((self.target, "target"), (self.prediction_column, "prediction"),
                                     (self.score_column, "score")) if c is not None]
        nulls = self.table.null_counts([c for c, _ in roles])
        for column, role in roles:
            if nulls[column]:
                raise DataError(MSG_NAN_IN_COLUMN.format(column=column, role=role, count=nulls[column],
                                                         n=self.table.n_rows))

    def _resolve_lazy_task(self) -> str | None:
        """Task of a lazy table from its target and predictions, asked of the engine in bounded form."""
        y_pred = self._loaded.get("y_pred")
        if y_pred is not None and _has_fraction(y_pred):
            return "regression"
        column = self.target or self.prediction_column
        if column is None:
            return None if y_pred is None else infer_task(y_pred)
        if self.table.has_fraction(column):
            return "regression"
        if self.prediction_column is not None and self.prediction_column != column \
                and self.table.has_fraction(self.prediction_column):
            return "regression"
        labels = self._target_labels()
        if labels is None:
            labels = list(self.table.distinct(column, MAX_CLASSES + 1))
        return _task_from_labels(labels, column)

    # -- construction helpers ----------------------------------------------------------------
    def _resolve_features(self, frame: Any, features: Any) -> tuple[str, ...]:
        """The model's input columns: given, those the model was fitted on, or every column without a role."""
        if features is not None:
            return check_columns(frame, as_column_list(features, "features"), "features")
        needed = self.model.input_columns() if self.model is not None else None
        if needed is not None and self.model is not None:
            missing = [c for c in needed if c not in frame.columns]
            if missing:
                raise UsageError(MSG_MODEL_NEEDS_COLUMNS.format(model=self.model.kind, missing=missing,
                                                                n=len(needed)))
            return tuple(needed)
        roles = {self.target, self.prediction_column, self.score_column, self.sample_weight_column}
        return tuple(str(c) for c in frame.columns if c not in roles and c not in self.sensitive_features
                     and c not in self.quasi_identifiers)

    def _target_labels(self) -> list[Any] | None:
        """The target's distinct labels, at most enough to tell the task (None without a target)."""
        if self.target is None:
            return None
        y = self._loaded.get("y_true")  # in memory already (an in-memory table, or streamed beside predictions)
        return _bounded_labels(y) if y is not None else list(self.table.distinct(self.target, MAX_CLASSES + 1))

    def _target_has_fraction(self) -> bool:
        if self.target is None:
            return False
        y = self._loaded.get("y_true")
        return _has_fraction(np.asarray(y)) if y is not None else bool(self.table.has_fraction(self.target))

    def _torch_task(self) -> str | None:
        """A torch module's (or callable's) task from its output width and the target's labels."""
        if self.model is None or not self.model.backend.has_raw_output or self.prediction_column is not None:
            return None
        probe = self.rows(np.arange(min(2, self.n_rows)), list(self.features))
        width = self.model.output_width(probe)
        if width is None:
            return None
        if width >= 3:
            return "multiclass"
        if width == 2:
            return "binary"
        if self.target is None:
            return None
        if self._target_has_fraction():
            return "regression"
        return "binary" if len(self._target_labels() or []) <= 2 else "regression"

    def _score_pos_label(self) -> Any:
        """The positive class scores are taken for, before the labels are final (binary tasks)."""
        if self.task != "binary":
            return None
        if self._pos_label_given is not None:
            return self._pos_label_given
        labels = None if self._target_has_fraction() else self._target_labels()
        if self.model is not None:
            labels = [*(labels or []), *(self.model.model_classes() or [])]
        return _default_positive(labels or [])

    def _predictions(self) -> tuple[np.ndarray | None, np.ndarray | None]:
        n = len(self.data)
        y_pred = y_score = None
        if self.prediction_column is not None:
            y_pred = check_finite(self.data[self.prediction_column], self.prediction_column, "prediction")
        elif self.model is not None and (self.task is not None or not self.model.decodes_with_task):
            y_pred = np.asarray(self.model.predict(self.data, self.features, self.task))
            if len(y_pred) != n:
                raise DataError(MSG_PREDICTION_LENGTH.format(got=len(y_pred), expected=n))
            check_finite(y_pred, "<model output>", "prediction")
        if self.score_column is not None:
            y_score = check_numeric(check_finite(self.data[self.score_column], self.score_column, "score"),
                                    self.score_column, "score")
        elif self.model is not None and self.task == "binary" and self.prediction_column is None:
            y_score = self.model.score(self.data, self.features, self.task, self._score_pos_label())
            _check_output(y_score, self.data, self.features)
        return y_pred, y_score

    def _model_scores(self) -> np.ndarray | None:
        if self.model is None or self.prediction_column is not None or self.score_column is not None:
            return None
        return self.model.score(self.data, self.features, self.task, self._score_pos_label())

    def _resolve_labels(self) -> tuple[list[Any] | None, Any]:
        """The classes (sorted labels of target, predictions and the model) and the positive class.

        Target and predictions are checked together as the fairness engine reads them (label
        types that mix, more than two labels for a binary task), so that bad labels are one
        usage error here rather than a failure of every auditor later.
        """
        classes, positive = self._labels()
        y_true, y_pred = self._loaded.get("y_true"), self._loaded.get("y_pred")
        if self.task in ("binary", "multiclass") and y_true is not None and y_pred is not None:
            from ..fairness._targets import validate_targets

            validate_targets(y_true, y_pred, task=self.task, pos_label=positive)
        return classes, positive

    def _labels(self) -> tuple[list[Any] | None, Any]:
        if self.task not in ("binary", "multiclass"):
            if self._pos_label_given is not None and self.task == "regression":
                raise UsageError(MSG_POS_LABEL_REGRESSION.format(pos_label=self._pos_label_given))
            return None, None
        labels: list[Any] = []
        for values in (self._loaded.get("y_true"), self._loaded.get("y_pred")):
            if values is not None:
                labels.extend(_bounded_labels(values, limit=None))
        if self._loaded.get("y_true") is None and self.target is not None:
            labels.extend(self._target_labels() or [])
        if self.model is not None and self.model.model_classes() is not None:
            labels.extend(self.model.model_classes() or [])
        classes = _sorted_unique(labels)
        if self.task == "multiclass":
            if self._pos_label_given is not None:
                raise UsageError(MSG_POS_LABEL_MULTICLASS.format(pos_label=self._pos_label_given))
            return classes, None
        given = self._pos_label_given
        if given is not None:
            if classes and not any(_same_label(c, given) for c in classes):
                raise UsageError(MSG_POS_LABEL_NOT_FOUND.format(pos_label=given, classes=_shown(classes)))
            hits = [c for c in classes if _same_label(c, given)]
            return classes, (hits[0] if hits else given)
        own = self._loaded.get("y_true") if self._loaded.get("y_true") is not None else self._loaded.get("y_pred")
        positive = _default_positive(_bounded_labels(own, limit=None) if own is not None else classes)
        if positive is None:
            raise UsageError(MSG_POS_LABEL_REQUIRED.format(column=self.target or self.prediction_column,
                                                           classes=_shown(classes)))
        return classes, positive

    # -- views -----------------------------------------------------------------------------
    @property
    def n_rows(self) -> int:
        return self.table.n_rows

    @property
    def sensitive_frame(self) -> pd.DataFrame:
        """The sensitive columns as pandas: from the rows in memory, else streamed once and kept compact."""
        if "sensitive" in self._loaded:
            return self._loaded["sensitive"]
        if "data" in self._loaded:
            return self.data.loc[:, list(self.sensitive_features)]
        # streamed and kept compact: text columns as categoricals, a few bytes a row
        columns = list(self.sensitive_features)
        batches = [_compact(b) for b in iter_batches(self.table, columns, self.batch_rows)]
        self._loaded["sensitive"] = _concat_compact(batches, columns) if batches else self.table.to_pandas(columns)
        return self._loaded["sensitive"]

    def has(self, requirement: str) -> bool:
        """Whether this subject can satisfy one auditor requirement (see ``Requirement``)."""
        from .._base import Requirement

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

    # -- isolation: what an auditor gets, and what it may not change ---------------------------
    def isolated(self) -> AuditSubject:
        """A view of this subject for one auditor: its frames and arrays cannot change this subject.

        Frames are shallow copies (pandas' copy-on-write keeps a write on the view from
        reaching the original), arrays are read-only views, so a write to one raises. What
        the auditor loads for the first time is kept for the next one (:meth:`adopt`).
        """
        view = copy.copy(self)
        view._loaded = {k: _read_only(v) for k, v in self._loaded.items()}
        if "data" in view._loaded and self.table.is_local:  # the view's table holds the view's frame
            view.table = Table(view._loaded["data"], label=self.table.label)
        view.train_data = None if self.train_data is None else _read_only(self.train_data)
        return view

    def modified_in(self, view: AuditSubject) -> list[str]:
        """What ``view`` (from :meth:`isolated`) changed of this subject's roles, data and arrays."""
        changed = [name for name in _ROLE_ATTRIBUTES if getattr(view, name) != getattr(self, name)]
        for key, original in self._loaded.items():
            if not _same_content(view._loaded.get(key), original):
                changed.append(f"its {key}")
        if self.train_data is not None and not _same_content(view.train_data, self.train_data):
            changed.append("its train_data")
        return changed

    def adopt(self, view: AuditSubject) -> None:
        """Keep what ``view`` loaded for the first time (a lazy table's columns), for later auditors."""
        for key, value in view._loaded.items():
            if key not in self._loaded:
                self._loaded[key] = value

    def input_findings(self) -> list[Any]:
        """What looks wrong in the input though it can be audited: said, never silently accepted.

        Label sets of target and predictions that differ (Adult's ``<=50K`` against ``<=50K.``),
        a sensitive column with more than :data:`MISSING_SHARE` missing, probabilities in a
        prediction column, a target with one class. Counts and column names only.
        """
        from .._results import Finding, Severity

        out: list[Finding] = []
        n = self.n_rows
        for column, entity in self.pseudonymised.items():
            role = ("sensitive_features" if column in self.sensitive_features else "quasi_identifiers"
                    if column in self.quasi_identifiers else "target" if column == self.target else "prediction")
            prefix = _PSEUDONYM_PREFIX.get(entity, "value")
            distinct = int(self.data[column].nunique(dropna=True))
            out.append(Finding(Severity.INFO, "input.pseudonymised",
                               MSG_PSEUDONYMISED.format(column=column, role=role, entity=entity, n=distinct,
                                                        prefix=prefix),
                               {"column": column, "role": role, "entity_type": entity, "distinct": distinct}))
        if self.sensitive_features:
            nulls = self.table.null_counts(list(self.sensitive_features))
            for column, count in nulls.items():
                if n and count / n > MISSING_SHARE:
                    out.append(Finding(Severity.WARNING, "input.sensitive_missing",
                                       f"sensitive column {column!r} is missing in {count:,} of {n:,} rows "
                                       f"({count / n:.1%}): those rows form a group of their own (shown as "
                                       "missing); find out why before reading its rates.",
                                       {"column": column, "missing": int(count), "n": int(n)}))
        y_true, y_pred = self._loaded.get("y_true"), self._loaded.get("y_pred")
        if self.task in ("binary", "multiclass") and y_true is not None and y_pred is not None:
            true_labels = _sorted_unique(_bounded_labels(y_true, limit=None))
            pred_labels = _sorted_unique(_bounded_labels(y_pred, limit=None))
            unknown = [p for p in pred_labels if not any(_same_label(p, t) for t in true_labels)]
            never = [t for t in true_labels if not any(_same_label(t, p) for p in pred_labels)]
            if unknown:
                out.append(Finding(Severity.WARNING, "input.label_mismatch",
                                   f"the predictions hold {len(unknown)} label(s) the target {self.target!r} never "
                                   f"has, and the target has {len(never)} the predictions "
                                   "never give: check that both use the same labels (a trailing '.' or a "
                                   "different encoding).",
                                   {"predicted_not_in_target": len(unknown), "target_never_predicted": len(never)}))
            elif never:
                out.append(Finding(Severity.WARNING, "input.label_never_predicted",
                                   f"{len(never)} of the target's {len(true_labels)} labels are never predicted: "
                                   "check that target and predictions use the same labels (a trailing '.' or "
                                   "a different encoding), or that the model can predict every class.",
                                   {"target_never_predicted": len(never)}))
            if len(true_labels) == 1:
                out.append(Finding(Severity.WARNING, "input.one_class",
                                   f"the target {self.target!r} has one class in all {n:,} rows: rates that need "
                                   "both classes (true and false positive rates, AUC) are undefined.", {"n": int(n)}))
        if (self.task == "regression" and self.prediction_column is not None and y_true is not None
                and y_pred is not None and len(_bounded_labels(y_true, limit=3)) <= 2):
            values = np.asarray(y_pred, dtype=np.float64)
            if values.size and values.min() >= 0 and values.max() <= 1 and _has_fraction(values):
                out.append(Finding(Severity.WARNING, "input.probabilities_as_predictions",
                                   f"prediction column {self.prediction_column!r} holds fractions between 0 and 1 "
                                   f"while the target has two labels: if these are probabilities, pass them as "
                                   "score=... with a thresholded prediction column; they are audited as a "
                                   "regression now.", {"column": self.prediction_column}))
        return out

    def fingerprint(self) -> str:
        """sha256 that identifies the table and reveals nothing (:meth:`audit.engines.Table.fingerprint`).

        An in-memory frame by its column names, dtypes and row hashes; a table in an engine by
        its schema and the count table of its role columns.
        """
        roles = [c for c in (*self.sensitive_features, self.target, self.prediction_column) if c]
        return self.table.fingerprint(roles)

    def describe(self) -> dict[str, Any]:
        """JSON-able description for report.json (roles and sizes, never values)."""
        return {
            "name": self.name,
            "modality": self.modality,
            "n_rows": int(self.n_rows),
            "n_train_rows": None if self.train_data is None else int(len(self.train_data)),
            "task": self.task,
            "classes": None if self.classes is None else [_jsonable_label(c) for c in self.classes],
            "pos_label": _jsonable_label(self.pos_label),
            "target": self.target,
            "prediction": self.prediction_column or ("<model>" if self.model is not None else None),
            "score": self.score_column or ("<model>" if self._loaded.get("y_score") is not None else None),
            "sensitive_features": list(self.sensitive_features),
            "quasi_identifiers": list(self.quasi_identifiers),
            "sample_weight": self.sample_weight_column,
            "features": list(self.features),
            "model": self.model.describe() if self.model is not None else None,
            "data_fingerprint": self.fingerprint(),
            **({"pseudonymised": dict(self.pseudonymised)} if self.pseudonymised else {}),
        }

    def __repr__(self) -> str:
        return (f"AuditSubject(name={self.name!r}, n_rows={self.n_rows}, task={self.task!r}, "
                f"target={self.target!r}, sensitive_features={list(self.sensitive_features)!r}, "
                f"model={None if self.model is None else self.model.kind!r})")


#: The pseudonym of a value of each kind of personal data: ``email#1``, ``name#2`` ...
_PSEUDONYM_PREFIX = {"EMAIL_ADDRESS": "email", "PERSON": "name", "PHONE_NUMBER": "phone", "CREDIT_CARD": "card",
                     "US_SSN": "ssn", "IBAN_CODE": "iban", "IDENTIFIER": "id"}


def pseudonyms(values: pd.Series, prefix: str) -> dict[Any, str]:
    """Stable pseudonyms ``value -> prefix#k``.

    k = 1 for the most frequent value; ties are ordered by a hash of the value, so the numbering is
    stable across runs and row orders and does not follow the values' own order.
    """
    counts = values.dropna().value_counts(sort=False)
    keyed = sorted(counts.items(), key=lambda kv: (-int(kv[1]), hashlib.sha256(repr(kv[0]).encode()).hexdigest()))
    return {value: f"{prefix}#{i}" for i, (value, _) in enumerate(keyed, start=1)}


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


def infer_task(y_true: Any, y_pred: Any = None) -> str | None:
    """Task from the target AND the predictions: fractions in either mean regression.

    Never enumerates float predictions as classes: only the target's (or, with no target, the
    predictions') distinct labels are counted, and more than :data:`MAX_CLASSES` is a usage
    error that says ``task="regression"``.
    """
    arrays = [np.asarray(a) for a in (y_true, y_pred) if a is not None]
    if not arrays:
        return None
    if any(_has_fraction(a) for a in arrays):
        return "regression"
    return _task_from_labels(_bounded_labels(arrays[0]), None)


#: Attributes that say what the subject is; an auditor changing one is an auditor error.
_ROLE_ATTRIBUTES = ("target", "prediction_column", "score_column", "sample_weight_column", "sensitive_features",
                    "quasi_identifiers", "features", "task", "classes", "pos_label", "random_state", "name")


def _read_only(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        view = value.view()
        view.flags.writeable = False
        return view
    if isinstance(value, pd.DataFrame):
        return value.copy(deep=not _COPY_ON_WRITE)
    return value


def _same_content(view: Any, original: Any) -> bool:
    """The view still holds the original's data: the same buffers (a frame block by block)."""
    if view is original:
        return True
    if isinstance(original, np.ndarray):
        return isinstance(view, np.ndarray) and _buffer_key(view) == _buffer_key(original)
    if isinstance(original, pd.DataFrame):
        if not isinstance(view, pd.DataFrame) or list(view.columns) != list(original.columns) \
                or len(view) != len(original) or not view.dtypes.equals(original.dtypes):
            return False
        mine, theirs = _block_keys(view), _block_keys(original)
        if None in mine or None in theirs or not _COPY_ON_WRITE:
            return bool(view.equals(original))
        return mine == theirs
    return True


def _buffer_key(values: Any) -> Any:
    """Where an array's data lives (pointer, shape, strides), to tell a shared buffer from a written copy."""
    if isinstance(values, np.ndarray):
        return values.__array_interface__["data"][0], values.shape, values.strides
    if hasattr(values, "_pa_array"):
        return "arrow", id(values._pa_array)
    if hasattr(values, "_codes"):
        return "codes", _buffer_key(values._codes)
    if hasattr(values, "_data") and hasattr(values, "_mask"):
        return "masked", _buffer_key(values._data), _buffer_key(values._mask)
    if hasattr(values, "_ndarray"):
        return _buffer_key(values._ndarray)
    return None


def _block_keys(frame: pd.DataFrame) -> list[Any]:
    try:
        blocks = frame._mgr.blocks
    except AttributeError:
        return [None]
    return sorted(((tuple(b.mgr_locs.as_array.tolist()), _buffer_key(b.values)) for b in blocks), key=str) \
        if all(_buffer_key(b.values) is not None for b in blocks) else [None]


def _copy_on_write() -> bool:
    major = int(pd.__version__.split(".")[0])
    return major >= 3 or bool(getattr(pd.options.mode, "copy_on_write", False) is True)


_COPY_ON_WRITE = _copy_on_write()


def _check_output(scores: np.ndarray | None, frame: pd.DataFrame, features: Sequence[str]) -> None:
    """A model's scores must be finite: name how many rows are not, and the inputs with missing values."""
    if scores is None:
        return
    bad = int((~np.isfinite(np.asarray(scores, dtype=np.float64))).sum())
    if bad:
        holes = [c for c in features if c in frame.columns and bool(frame[c].isna().any())]
        raise DataError(MSG_OUTPUT_NOT_FINITE.format(count=bad, n=len(scores), columns=holes or "none"))


def _jsonable_label(value: Any) -> Any:
    value = value.item() if isinstance(value, np.generic) else value
    return value if value is None or isinstance(value, (bool, int, float, str)) else str(value)


def _has_fraction(values: np.ndarray) -> bool:
    values = np.asarray(values)
    if values.dtype.kind == "f":
        finite = values[np.isfinite(values)]
        return bool(np.any(finite != np.round(finite)))
    if values.dtype.kind == "O":
        return any(isinstance(v, float) and np.isfinite(v) and v != round(v) for v in values[:100_000])
    return False


def _bounded_labels(values: Any, limit: int | None = MAX_CLASSES + 1) -> list[Any]:
    """The distinct labels of ``values``, at most ``limit`` of them (enough to tell the task)."""
    arr = np.asarray(values)
    try:
        uniq = pd.unique(arr.ravel())
    except TypeError:
        uniq = pd.unique(pd.Series(arr.ravel(), dtype=object))
    out = [v.item() if isinstance(v, np.generic) else v for v in uniq]
    return out if limit is None else out[:limit]


def _task_from_labels(labels: Sequence[Any], column: str | None) -> str:
    if len(labels) > MAX_CLASSES:
        raise UsageError(MSG_TOO_MANY_CLASSES.format(column=column or "the target", limit=MAX_CLASSES))
    return "binary" if len(labels) <= 2 else "multiclass"


def _sorted_unique(labels: Sequence[Any]) -> list[Any]:
    out: list[Any] = []
    for v in labels:
        if not any(_same_label(v, u) for u in out):
            out.append(v)
    try:
        return sorted(out)
    except TypeError:
        return sorted(out, key=lambda v: (type(v).__name__, str(v)))


def _default_positive(labels: Sequence[Any]) -> Any:
    """1 (or True) when the labels are {0, 1} or booleans; None when they need a pos_label."""
    values = _sorted_unique(list(labels))
    if not values:
        return None
    if all(isinstance(v, (bool, np.bool_)) for v in values):
        return True
    if all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, str) for v in values) \
            and all(v in (0, 1) for v in values):
        return 1
    return None


def _shown(classes: Sequence[Any], limit: int = 5) -> str:
    shown = ", ".join(repr(c) for c in list(classes)[:limit])
    return shown + (f", ... ({len(classes)} in all)" if len(classes) > limit else "")
