"""A fitted tabular preprocessor: one-hot for categorical, standardisation for numeric.

Fitted on the training split only, serialised to JSON and rebuilt without refitting, so a
reference network's inputs are reproducible from its folder alone. ``feature_groups``
maps each original feature to the encoded column indices it produced, so auditors can
report attributions per original feature.
"""
from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._exceptions import DataError, UsageError
from ._messages import (
    MSG_FEATURE_ALL_MISSING,
    MSG_FEATURE_NOT_NUMERIC,
    MSG_FEATURE_TWICE,
    MSG_FEATURES_MISSING,
    MSG_FIT_EMPTY,
    MSG_NO_TARGET_SCALING,
    MSG_NO_TARGET_SCALING_FIT,
    MSG_PREPROCESSOR_FORMAT,
    MSG_PREPROCESSOR_INCONSISTENT,
    MSG_PREPROCESSOR_KEY,
    MSG_PREPROCESSOR_NOT_FITTED,
    MSG_PREPROCESSOR_STD,
    MSG_PREPROCESSOR_UNREADABLE,
)

__all__ = ["MISSING", "TabularPreprocessor"]

#: Category that stands for a missing categorical value (NaN/None) seen in training.
MISSING = "(missing)"
_FORMAT = "rai-audit.tabular-preprocessor/1"


def _category_values(column: pd.Series) -> np.ndarray:
    """Categorical values as strings, missing ones replaced by :data:`MISSING`."""
    values = column.to_numpy(dtype=object, na_value=None)
    missing = pd.isna(values)
    out = np.array([MISSING if m else str(v) for v, m in zip(values, missing, strict=True)], dtype=object)
    return out


class TabularPreprocessor:
    """One-hot categorical features and standardise numeric ones, with the mapping kept.

    Numeric: missing values take the training median, then ``(x - mean) / std`` with the
    training mean and standard deviation (after imputation; a constant column gets
    std 1). Categorical: one column per category seen in training, missing values are
    their own category, a category unseen in training encodes as all zeros. Encoded
    columns are ordered as ``categorical`` then ``numeric``, in the order given.
    For regression, the target's training mean and std are kept to standardise it.
    """

    def __init__(self, categorical: Sequence[str] = (), numeric: Sequence[str] = ()) -> None:
        overlap = set(categorical) & set(numeric)
        if overlap:
            raise UsageError(MSG_FEATURE_TWICE.format(columns=sorted(overlap)))
        self.categorical: list[str] = list(categorical)
        self.numeric: list[str] = list(numeric)
        self.categories: dict[str, list[str]] = {}
        self.medians: dict[str, float] = {}
        self.means: dict[str, float] = {}
        self.stds: dict[str, float] = {}
        self.target_scaling: dict[str, float] | None = None
        self._fitted = False

    # ------------------------------------------------------------------ fit / transform
    @property
    def features(self) -> list[str]:
        """Original feature names, in encoding order."""
        return self.categorical + self.numeric

    def _check_columns(self, frame: pd.DataFrame) -> None:
        missing = [c for c in self.features if c not in frame.columns]
        if missing:
            raise DataError(MSG_FEATURES_MISSING.format(missing=missing, features=self.features,
                                                        columns=list(frame.columns)))

    def fit(self, frame: pd.DataFrame, target: pd.Series | None = None) -> TabularPreprocessor:
        """Learn categories, medians, means and stds from ``frame`` (the training split)."""
        self._check_columns(frame)
        if len(frame) == 0:
            raise DataError(MSG_FIT_EMPTY)
        for col in self.categorical:
            self.categories[col] = sorted(set(_category_values(frame[col])))
        for col in self.numeric:
            values = pd.to_numeric(frame[col], errors="raise").to_numpy(dtype=float)
            if np.isnan(values).all():
                raise DataError(MSG_FEATURE_ALL_MISSING.format(column=col))
            median = float(np.nanmedian(values))
            filled = np.where(np.isnan(values), median, values)
            std = float(filled.std())
            self.medians[col] = median
            self.means[col] = float(filled.mean())
            self.stds[col] = std if std > 0 else 1.0
        if target is not None:
            y = np.asarray(target, dtype=float)
            std = float(y.std())
            self.target_scaling = {"mean": float(y.mean()), "std": std if std > 0 else 1.0}
        self._fitted = True
        return self

    def _require_fitted(self) -> None:
        if not self._fitted:
            raise UsageError(MSG_PREPROCESSOR_NOT_FITTED)

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        """Encode ``frame`` into a float32 matrix of ``n_encoded`` columns."""
        self._require_fitted()
        self._check_columns(frame)
        n = len(frame)
        out = np.zeros((n, self.n_encoded), dtype=np.float32)
        start = 0
        for col in self.categorical:
            cats = self.categories[col]
            index = {c: i for i, c in enumerate(cats)}
            codes = np.array([index.get(v, -1) for v in _category_values(frame[col])],
                             dtype=np.int64)
            rows = np.flatnonzero(codes >= 0)
            out[rows, start + codes[rows]] = 1.0
            start += len(cats)
        for col in self.numeric:
            try:
                values = pd.to_numeric(frame[col], errors="raise").to_numpy(dtype=float)
            except (TypeError, ValueError) as exc:
                raise DataError(MSG_FEATURE_NOT_NUMERIC.format(column=col, error=exc)) from exc
            values = np.where(np.isnan(values), self.medians[col], values)
            out[:, start] = (values - self.means[col]) / self.stds[col]
            start += 1
        return out

    def fit_transform(self, frame: pd.DataFrame, target: pd.Series | None = None) -> np.ndarray:
        """Fit on ``frame`` and encode it."""
        return self.fit(frame, target).transform(frame)

    def scale_target(self, y: Any) -> np.ndarray:
        """Standardise a regression target with the training mean and std."""
        if self.target_scaling is None:
            raise UsageError(MSG_NO_TARGET_SCALING_FIT)
        scaling = self.target_scaling
        return (np.asarray(y, dtype=float) - scaling["mean"]) / scaling["std"]

    def unscale_target(self, z: Any) -> np.ndarray:
        """Map standardised predictions back to the target's original units."""
        if self.target_scaling is None:
            raise UsageError(MSG_NO_TARGET_SCALING)
        return np.asarray(z, dtype=float) * self.target_scaling["std"] + self.target_scaling["mean"]

    # ------------------------------------------------------------------ mapping
    @property
    def n_encoded(self) -> int:
        """Number of encoded columns."""
        self._require_fitted()
        return sum(len(self.categories[c]) for c in self.categorical) + len(self.numeric)

    @property
    def encoded_names(self) -> list[str]:
        """Encoded column names: ``feature=category`` for one-hot columns, else the name."""
        self._require_fitted()
        names = [f"{c}={v}" for c in self.categorical for v in self.categories[c]]
        return names + list(self.numeric)

    @property
    def feature_groups(self) -> dict[str, list[int]]:
        """Original feature -> indices of the encoded columns it produced."""
        self._require_fitted()
        groups: dict[str, list[int]] = {}
        start = 0
        for col in self.categorical:
            width = len(self.categories[col])
            groups[col] = list(range(start, start + width))
            start += width
        for col in self.numeric:
            groups[col] = [start]
            start += 1
        return groups

    # ------------------------------------------------------------------ serialisation
    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description from which :meth:`from_dict` rebuilds this object."""
        self._require_fitted()
        return {
            "format": _FORMAT,
            "categorical": {c: self.categories[c] for c in self.categorical},
            "numeric": {c: {"median": self.medians[c], "mean": self.means[c],
                            "std": self.stds[c]} for c in self.numeric},
            "categorical_order": self.categorical,
            "numeric_order": self.numeric,
            "target_scaling": self.target_scaling,
            "encoded_names": self.encoded_names,
            "feature_groups": self.feature_groups,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TabularPreprocessor:
        """Rebuild a fitted preprocessor from :meth:`to_dict` output, without refitting."""
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            got = data.get("format") if isinstance(data, dict) else type(data).__name__
            raise DataError(MSG_PREPROCESSOR_FORMAT.format(expected=_FORMAT, got=got))
        try:
            self = cls(data["categorical_order"], data["numeric_order"])
            self.categories = {c: [str(v) for v in data["categorical"][c]]
                               for c in self.categorical}
            for c in self.numeric:
                stats = data["numeric"][c]
                self.medians[c] = float(stats["median"])
                self.means[c] = float(stats["mean"])
                self.stds[c] = float(stats["std"])
                if not (math.isfinite(self.stds[c]) and self.stds[c] > 0):
                    raise DataError(MSG_PREPROCESSOR_STD.format(column=c, got=self.stds[c]))
            ts = data.get("target_scaling")
            self.target_scaling = None if ts is None else {"mean": float(ts["mean"]),
                                                           "std": float(ts["std"])}
        except KeyError as exc:
            raise DataError(MSG_PREPROCESSOR_KEY.format(key=exc)) from exc
        self._fitted = True
        if "encoded_names" in data and data["encoded_names"] != self.encoded_names:
            raise DataError(MSG_PREPROCESSOR_INCONSISTENT)
        return self

    def save(self, path: str | Path) -> None:
        """Write the JSON description to ``path`` (sorted keys, stable bytes)."""
        Path(path).write_text(json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n",
                              encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> TabularPreprocessor:
        """Read a description written by :meth:`save`."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise DataError(MSG_PREPROCESSOR_UNREADABLE.format(path=path, error=exc)) from exc
        return cls.from_dict(data)

    def __repr__(self) -> str:
        state = f"{self.n_encoded} encoded columns" if self._fitted else "not fitted"
        return (f"TabularPreprocessor({len(self.categorical)} categorical, "
                f"{len(self.numeric)} numeric, {state})")
