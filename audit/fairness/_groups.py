"""Encode sensitive features once into integer codes, cells and groupings.

A *cell* is one combination of the sensitive features' levels. Every grouping the
engine reports (overall, each feature on its own, the full intersection) is a map from
cells to groups, so per-group counts are sums of per-cell counts and the rows are
scanned only once.
"""
from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._exceptions import DataError, UsageError
from . import _messages as msg

__all__ = ["Feature", "Grouping", "Encoding", "encode_sensitive_features", "group_index_of", "level_key",
           "MAX_INTERSECTION_GROUPS"]

#: Largest cartesian product of levels the intersection grouping may have; each group is a
#: reported row, so beyond this the output itself would be unusable.
MAX_INTERSECTION_GROUPS = 1 << 20


@dataclasses.dataclass(frozen=True)
class Feature:
    """One sensitive column: its name, its levels as shown (str, None = missing), row codes."""

    name: str
    levels: tuple[str | None, ...]
    codes: np.ndarray


@dataclasses.dataclass(frozen=True)
class Grouping:
    """A partition of the rows: ``features`` (empty for overall), one group per level combo.

    ``group_of_cell`` maps each cell to its group; ``level_codes`` holds, per group, the
    level index of each feature of the grouping (shape ``(size, len(features))``).
    """

    features: tuple[str, ...]
    shape: tuple[int, ...]
    group_of_cell: np.ndarray
    level_codes: np.ndarray
    keys: tuple[dict[str, str | None] | None, ...]
    is_identity: bool = False

    @property
    def size(self) -> int:
        return len(self.keys)


@dataclasses.dataclass(frozen=True)
class Encoding:
    """All sensitive features of one call, encoded once."""

    features: tuple[Feature, ...]
    cell_of_row: np.ndarray
    n_cells: int
    groupings: tuple[Grouping, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.features)

    def feature(self, name: str) -> Feature:
        return self.features[self.names.index(name)]


def level_key(value: Any) -> str | None:
    """How a user-given level is matched against the encoded levels (str, None = missing)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    return str(value)


def _columns(sensitive_features: Any, n_rows: int) -> list[tuple[str, Any]]:
    """Split ``sensitive_features`` into named 1-D columns and check their lengths."""
    if isinstance(sensitive_features, pd.DataFrame):
        columns = [(str(name), sensitive_features.iloc[:, i])
                   for i, name in enumerate(sensitive_features.columns)]
    elif isinstance(sensitive_features, Mapping):
        columns = [(str(name), values) for name, values in sensitive_features.items()]
    elif isinstance(sensitive_features, pd.Series):
        name = sensitive_features.name
        columns = [("sensitive_feature_0" if name is None else str(name), sensitive_features)]
    elif isinstance(sensitive_features, (np.ndarray, list, tuple, pd.Index)):
        array = np.asarray(sensitive_features, dtype=object) \
            if not isinstance(sensitive_features, np.ndarray) else sensitive_features
        if array.ndim == 1:
            columns = [("sensitive_feature_0", array)]
        elif array.ndim == 2:
            columns = [(f"sensitive_feature_{i}", array[:, i]) for i in range(array.shape[1])]
        else:
            raise DataError(msg.SENSITIVE_NDIM.format(shape=array.shape))
    else:
        raise UsageError(msg.SENSITIVE_TYPE.format(type_name=type(sensitive_features).__name__))
    if not columns:
        raise DataError(msg.NO_SENSITIVE.format(got=type(sensitive_features).__name__ + " with 0 columns"))
    seen: set[str] = set()
    checked = []
    for name, values in columns:
        if name in seen:
            raise UsageError(msg.DUPLICATE_FEATURE.format(name=name))
        seen.add(name)
        if not isinstance(values, (pd.Series, np.ndarray)):
            values = np.asarray(values, dtype=object)
        if values.ndim != 1:
            raise DataError(msg.NOT_ONE_DIMENSIONAL.format(name=f"sensitive feature {name!r}",
                                                           shape=values.shape))
        if len(values) != n_rows:
            raise DataError(msg.LENGTH_MISMATCH.format(name=f"sensitive feature {name!r}",
                                                       got=len(values), expected=n_rows))
        checked.append((name, values))
    return checked


def _encode_column(name: str, values: pd.Series | np.ndarray) -> Feature:
    """Codes 0..L-1 in level order: categorical order if categorical, else sorted; missing last."""
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy().astype(np.int64)
        categories = list(values.cat.categories)
        present = np.bincount(codes[codes >= 0], minlength=len(categories)) > 0
        remap = np.cumsum(present) - 1
        codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
        uniques = [c for c, keep in zip(categories, present, strict=True) if keep]
    else:
        if isinstance(values, np.ndarray) and values.dtype.kind in "US":
            values = values.astype(object)
        try:
            codes, uniques_index = pd.factorize(values, sort=True, use_na_sentinel=True)
            uniques = list(uniques_index)
        except TypeError:  # unorderable mix of types: order by the shown string instead
            codes, uniques_index = pd.factorize(values, sort=False, use_na_sentinel=True)
            order = sorted(range(len(uniques_index)), key=lambda i: str(uniques_index[i]))
            rank = np.empty(len(order), dtype=np.int64)
            rank[order] = np.arange(len(order))
            codes = np.where(codes >= 0, rank[np.maximum(codes, 0)], -1)
            uniques = [uniques_index[i] for i in order]
        codes = np.asarray(codes, dtype=np.int64)
    levels: list[str | None] = [str(u) for u in uniques]
    if (codes < 0).any():
        codes = np.where(codes < 0, len(levels), codes)
        levels.append(None)
    return Feature(name=name, levels=tuple(levels), codes=codes)


def encode_sensitive_features(sensitive_features: Any, n_rows: int, *,
                              intersections: bool = True) -> Encoding:
    """Validate and encode ``sensitive_features`` into features, cells and groupings.

    Groupings: overall, each feature on its own in the given order, and (two or more
    features, ``intersections=True``) the full cartesian product of all of them,
    empty combinations included.
    """
    features = tuple(_encode_column(name, values)
                     for name, values in _columns(sensitive_features, n_rows))
    shape = tuple(len(f.levels) for f in features)
    product = int(np.prod(shape, dtype=np.float64))
    with_intersection = intersections and len(features) >= 2
    if with_intersection and product > MAX_INTERSECTION_GROUPS:
        raise UsageError(msg.TOO_MANY_INTERSECTIONS.format(
            features=[f.name for f in features], count=product, limit=MAX_INTERSECTION_GROUPS))

    dense = product <= MAX_INTERSECTION_GROUPS
    if dense:
        # Dense cells: every combination of levels is a cell, the cell id is the ravelled index.
        cell_of_row = np.ravel_multi_index([f.codes for f in features], shape) \
            if len(features) > 1 else features[0].codes
        n_cells = product
        cell_levels = np.stack(np.unravel_index(np.arange(product), shape), axis=1)
    else:
        # Too many combinations to enumerate: number only the combinations that occur.
        strides = np.cumprod((1,) + shape[:0:-1], dtype=np.int64)[::-1]
        joint = sum(f.codes * s for f, s in zip(features, strides, strict=True))
        cell_of_row, cell_joint = pd.factorize(joint)
        cell_of_row = np.asarray(cell_of_row, dtype=np.int64)
        n_cells = len(cell_joint)
        cell_levels = np.stack([(np.asarray(cell_joint) // s) % size
                                for s, size in zip(strides, shape, strict=True)], axis=1)

    groupings = [Grouping(features=(), shape=(1,), group_of_cell=np.zeros(n_cells, np.int64),
                          level_codes=np.zeros((1, 0), np.int64), keys=(None,))]
    for index, feature in enumerate(features):
        groupings.append(Grouping(
            features=(feature.name,), shape=(len(feature.levels),),
            group_of_cell=cell_levels[:, index].astype(np.int64),
            level_codes=np.arange(len(feature.levels))[:, None],
            keys=tuple({feature.name: level} for level in feature.levels),
            is_identity=dense and len(features) == 1))
    if with_intersection:
        names = [f.name for f in features]
        keys = tuple(dict(zip(names, combo, strict=True))
                     for combo in itertools.product(*(f.levels for f in features)))
        groupings.append(Grouping(
            features=tuple(names), shape=shape, group_of_cell=np.arange(n_cells, dtype=np.int64),
            level_codes=cell_levels, keys=keys, is_identity=True))
    return Encoding(features=features, cell_of_row=np.asarray(cell_of_row, dtype=np.int64),
                    n_cells=n_cells, groupings=tuple(groupings))


def group_index_of(grouping: Grouping, codes: Sequence[int] | np.ndarray) -> np.ndarray:
    """Group index within ``grouping`` of rows of per-feature level codes (shape (m, k))."""
    codes = np.asarray(codes, dtype=np.int64)
    if not grouping.features:
        return np.zeros(len(codes), dtype=np.int64)
    return np.ravel_multi_index(tuple(codes.T), grouping.shape)
