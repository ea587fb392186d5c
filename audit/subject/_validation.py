"""Validation at the boundary: each function checks one thing and returns the converted value.

Messages are module constants so tests can assert them verbatim; each says what was
expected, what was found, and how to fix it.
"""
from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._exceptions import DataError, UsageError
from .._files import read_table
from ._messages import (
    MSG_DUPLICATE_COLUMNS,
    MSG_EMPTY_DATA,
    MSG_LENGTH_MISMATCH,
    MSG_MISSING_COLUMN,
    MSG_NAN_IN_COLUMN,
    MSG_NOT_NUMERIC,
    MSG_ROLE_TYPE,
    MSG_UNSUPPORTED_DATA,
)

__all__ = [
    "MSG_MISSING_COLUMN", "MSG_EMPTY_DATA", "MSG_UNSUPPORTED_DATA",
    "MSG_NAN_IN_COLUMN", "MSG_LENGTH_MISMATCH", "MSG_DUPLICATE_COLUMNS", "MSG_ROLE_TYPE",
    "check_columns", "check_frame", "as_column_list", "check_finite", "check_numeric",
    "MSG_NOT_NUMERIC",
]


def as_column_list(value: Any, role: str) -> tuple[str, ...]:
    """Normalise a column-role argument (None, a name, or a list of names) to a tuple of str."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Iterable) and not isinstance(value, (bytes, dict)):
        out = tuple(value)
        if all(isinstance(v, str) for v in out):
            return out
    raise UsageError(MSG_ROLE_TYPE.format(role=role, type=type(value).__name__))


def check_frame(data: Any) -> pd.DataFrame:
    """Return ``data`` as a pandas DataFrame with unique column names and at least one row."""
    if isinstance(data, (str, os.PathLike)):
        frame = read_table(data)
    elif isinstance(data, pd.DataFrame):
        # the caller's frame is never written: a copy (shallow where pandas copies on write)
        frame = data.copy(deep=int(pd.__version__.split(".")[0]) < 3
                          and getattr(pd.options.mode, "copy_on_write", False) is not True)
    elif type(data).__module__.startswith("polars"):
        frame = data.collect() if hasattr(data, "collect") else data
        frame = frame.to_pandas()
    elif type(data).__module__.startswith("pyarrow"):
        frame = data.to_pandas()
    else:
        raise UsageError(MSG_UNSUPPORTED_DATA.format(type=type(data).__name__))
    dupes = frame.columns[frame.columns.duplicated()].unique().tolist()
    if dupes:
        raise DataError(MSG_DUPLICATE_COLUMNS.format(names=[str(d) for d in dupes]))
    if len(frame) == 0:
        raise DataError(MSG_EMPTY_DATA)
    return frame


def check_columns(frame: pd.DataFrame, columns: Sequence[str], role: str) -> tuple[str, ...]:
    """Return ``columns`` after checking each is in ``frame``; the error suggests a close name."""
    available = [str(c) for c in frame.columns]
    for col in columns:
        if col not in frame.columns:
            close = difflib.get_close_matches(col, available, n=1, cutoff=0.6)
            if not close:
                lowered = {a.lower(): a for a in available}
                close = [lowered[col.lower()]] if col.lower() in lowered else []
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            shown = available if len(available) <= 30 else available[:30] + ["..."]
            raise UsageError(MSG_MISSING_COLUMN.format(column=col, role=role, hint=hint, available=shown))
    return tuple(columns)


def check_finite(values: Any, column: str, role: str) -> np.ndarray:
    """Return ``values`` as an array, refusing missing or non-finite entries with a count."""
    series = pd.Series(values)
    bad = series.isna()
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        bad |= ~np.isfinite(series.to_numpy(dtype="float64", na_value=np.nan))
    count = int(bad.sum())
    if count:
        raise DataError(MSG_NAN_IN_COLUMN.format(column=column, role=role, count=count, n=len(series)))
    return series.to_numpy()


def check_numeric(values: Any, column: str, role: str) -> np.ndarray:
    """``values`` as float64, or a DataError that names no value.

    ``values`` are already checked by :func:`check_finite`. The DataError, when some are not
    numbers, gives a count and the first row position, never a value.
    """
    series = pd.Series(values)
    if pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        return series.to_numpy(dtype="float64")
    converted = pd.to_numeric(series, errors="coerce")
    bad = converted.isna().to_numpy() & series.notna().to_numpy()
    if bad.any():
        raise DataError(MSG_NOT_NUMERIC.format(column=column, role=role, count=int(bad.sum()), n=len(series),
                                               row=int(np.flatnonzero(bad)[0])))
    return converted.to_numpy(dtype="float64")
