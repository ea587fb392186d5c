"""Validate y_true, y_pred and y_score at the boundary and encode the labels once."""
from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from .._exceptions import DataError, UsageError
from . import _messages as msg

__all__ = ["TASKS", "Targets", "as_column", "validate_targets", "validate_score"]

TASKS = ("binary", "multiclass", "regression")
_SHOWN_CLASSES = 10


@dataclasses.dataclass(frozen=True)
class Targets:
    """Validated labels.

    For classification ``true_code``/``pred_code`` index ``classes`` (binary: 1 = the
    positive class, 0 = the other); for regression they are all zero and
    ``true_value``/``pred_value`` hold the numbers.
    """

    task: str
    classes: tuple[Any, ...]
    pos_label: Any
    true_code: np.ndarray
    pred_code: np.ndarray
    true_value: np.ndarray | None = None
    pred_value: np.ndarray | None = None

    @property
    def n_classes(self) -> int:
        """Side of the per-cell confusion table (1 for regression)."""
        return 1 if self.task == "regression" else (2 if self.task == "binary" else len(self.classes))


def as_column(values: Any, name: str) -> np.ndarray:
    """Return ``values`` as a 1-D numpy array; pandas missing values become NaN or None."""
    if isinstance(values, pd.DataFrame) and values.shape[1] == 1:
        values = values.iloc[:, 0]
    if isinstance(values, (pd.Series, pd.Index)):
        dtype = values.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            array = values.astype(object).to_numpy()
        elif pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype) \
                and isinstance(dtype, pd.api.extensions.ExtensionDtype):
            array = values.to_numpy(dtype=np.float64, na_value=np.nan) if values.hasnans \
                else values.to_numpy(dtype=dtype.numpy_dtype)
        elif isinstance(dtype, pd.api.extensions.ExtensionDtype):
            array = values.to_numpy(dtype=object, na_value=None)
        else:
            array = values.to_numpy()
    else:
        array = np.asarray(values)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise DataError(msg.NOT_ONE_DIMENSIONAL.format(name=name, shape=array.shape))
    if array.dtype.kind in "US":
        array = array.astype(object)
    return array


def _check_finite(array: np.ndarray, name: str) -> None:
    if array.dtype.kind in "fc":
        bad = ~np.isfinite(array)
    elif array.dtype.kind == "O":
        bad = _object_non_finite(array)
    else:
        return
    if bad.any():
        raise DataError(msg.NON_FINITE.format(name=name, count=int(bad.sum()),
                                              row=int(np.flatnonzero(bad)[0])))


def _object_non_finite(array: np.ndarray) -> np.ndarray:
    bad = np.asarray(pd.isna(array), dtype=bool)
    if pd.api.types.infer_dtype(array, skipna=True) in ("string", "integer", "boolean", "bytes"):
        return bad
    numeric = np.fromiter((isinstance(v, (float, np.floating)) for v in array), bool, len(array))
    if numeric.any():
        bad[numeric] |= ~np.isfinite(array[numeric].astype(np.float64))
    return bad


def _is_numeric(array: np.ndarray) -> bool:
    return array.dtype.kind in "biuf"


def _shown(classes: Any) -> str:
    classes = list(classes)
    text = ", ".join(repr(c.item() if isinstance(c, np.generic) else c)
                     for c in classes[:_SHOWN_CLASSES])
    return text + (f", ... ({len(classes)} in all)" if len(classes) > _SHOWN_CLASSES else "")


def _has_fraction(array: np.ndarray) -> bool:
    return array.dtype.kind == "f" and bool(np.any(array != np.round(array)))


def validate_targets(y_true: Any, y_pred: Any, *, task: str | None,
                     pos_label: Any = None) -> Targets:
    """Check lengths, finiteness and classes; infer the task; encode labels to codes.

    ``task=None`` infers: "regression" when y_true or y_pred is float with a non-integer
    value, "binary" when the classes of both together number at most two, else
    "multiclass". The positive class defaults to 1 if it occurs, else to the larger of
    the two classes (as scikit-learn does for {-1, 1} or {0, 1}); a single class other
    than 1 needs an explicit ``pos_label``.
    """
    if task is not None and task not in TASKS:
        raise UsageError(msg.UNKNOWN_TASK.format(task=task))
    true = as_column(y_true, "y_true")
    if len(true) == 0:
        raise DataError(msg.EMPTY_INPUT)
    pred = as_column(y_pred, "y_pred")
    if len(pred) != len(true):
        raise DataError(msg.LENGTH_MISMATCH.format(name="y_pred", got=len(pred), expected=len(true)))
    _check_finite(true, "y_true")
    _check_finite(pred, "y_pred")

    if task is None:
        if _is_numeric(true) and _is_numeric(pred) and (_has_fraction(true) or _has_fraction(pred)):
            task = "regression"
    if task == "regression":
        for name, array in (("y_true", true), ("y_pred", pred)):
            if not _is_numeric(array):
                raise DataError(msg.REGRESSION_NOT_NUMERIC.format(name=name, dtype=array.dtype))
        if pos_label is not None:
            raise UsageError(msg.POS_LABEL_NOT_BINARY.format(pos_label=pos_label, task=task))
        zeros = np.zeros(len(true), dtype=np.int64)
        return Targets(task="regression", classes=(), pos_label=None, true_code=zeros,
                       pred_code=zeros, true_value=true.astype(np.float64),
                       pred_value=pred.astype(np.float64))

    if _is_numeric(true) != _is_numeric(pred):
        raise DataError(msg.MIXED_LABEL_TYPES.format(types=f"{true.dtype} and {pred.dtype}"))
    try:
        classes_index = pd.Index(np.unique(np.concatenate([true, pred])))
    except TypeError:
        kinds = sorted({type(v).__name__ for v in np.concatenate([true, pred])})
        raise DataError(msg.MIXED_LABEL_TYPES.format(types=", ".join(kinds))) from None
    classes = tuple(classes_index)

    if task is None:
        task = "binary" if len(classes) <= 2 else "multiclass"
    if task == "multiclass":
        if pos_label is not None:
            raise UsageError(msg.POS_LABEL_NOT_BINARY.format(pos_label=pos_label, task=task))
        return Targets(task="multiclass", classes=classes, pos_label=None,
                       true_code=classes_index.get_indexer(true).astype(np.int64),
                       pred_code=classes_index.get_indexer(pred).astype(np.int64))

    if len(classes) > 2:
        raise DataError(msg.TOO_MANY_CLASSES_BINARY.format(count=len(classes), classes=_shown(classes)))
    if pos_label is None:
        ones = [c for c in classes if _equals_one(c)]
        if ones:
            pos_label = ones[0]
        elif len(classes) == 2:
            pos_label = classes[-1]
        else:
            raise DataError(msg.POS_LABEL_AMBIGUOUS.format(label=_plain(classes[0])))
    elif not any(_same(c, pos_label) for c in classes) and len(classes) == 2:
        raise DataError(msg.POS_LABEL_NOT_FOUND.format(pos_label=pos_label, classes=_shown(classes)))
    positive = [c for c in classes if _same(c, pos_label)]
    negatives = [c for c in classes if not _same(c, pos_label)]
    return Targets(task="binary", classes=tuple(negatives + (positive or [pos_label])),
                   pos_label=_plain(positive[0]) if positive else pos_label,
                   true_code=_is_label(true, pos_label), pred_code=_is_label(pred, pos_label))


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _equals_one(value: Any) -> bool:
    return not isinstance(value, (str, bytes)) and _same(value, 1)


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def _is_label(array: np.ndarray, label: Any) -> np.ndarray:
    try:
        equal = np.asarray(array == label)
    except (TypeError, ValueError):
        equal = np.zeros(0)
    if equal.shape != array.shape:
        equal = np.fromiter((_same(v, label) for v in array), bool, len(array))
    return equal.astype(np.int64)


def validate_score(y_score: Any, n_rows: int, task: str) -> np.ndarray:
    """Check ``y_score``: binary task, numeric, finite, one per row, probabilities in [0, 1]."""
    if task != "binary":
        raise UsageError(msg.SCORE_TASK.format(task=task))
    score = as_column(y_score, "y_score")
    if len(score) != n_rows:
        raise DataError(msg.LENGTH_MISMATCH.format(name="y_score", got=len(score), expected=n_rows))
    if not _is_numeric(score):
        raise DataError(msg.SCORE_NOT_NUMERIC.format(dtype=score.dtype))
    score = score.astype(np.float64)
    _check_finite(score, "y_score")
    low, high = float(score.min()), float(score.max())
    if low < 0.0 or high > 1.0:
        raise DataError(msg.SCORE_RANGE.format(low=low, high=high))
    return score
