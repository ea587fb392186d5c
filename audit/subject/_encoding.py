"""From a fitted preprocessing step back to the original columns: which encoded columns each one made.

A model behind a ``ColumnTransformer`` sees one-hot blocks, scaled numbers and missing-value
indicators; a reviewer asks about ``sex`` and ``age``. :func:`column_groups` reads the map
from the fitted transformer itself (``ColumnTransformer.output_indices_``, a ``Pipeline``'s
steps in order, a ``OneHotEncoder``'s categories, a ``SimpleImputer``'s indicator), so
attributions of gradient methods, which come per encoded column, are summed per original
column. A transformer whose outputs mix several inputs (PCA, polynomial features) has no
such map: that is a usage error that says so.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._exceptions import UsageError
from ._messages import (
    MSG_UNCOVERED,
    MSG_UNMAPPABLE,
)

__all__ = ["column_groups", "MSG_UNMAPPABLE", "MSG_UNCOVERED"]


#: Steps that map each input column to exactly one output column, in order.
_ELEMENTWISE = ("StandardScaler", "MinMaxScaler", "MaxAbsScaler", "RobustScaler", "Normalizer",
                "PowerTransformer", "QuantileTransformer", "OrdinalEncoder", "Binarizer",
                "TargetEncoder")


def column_groups(transformer: Any, columns: Sequence[str], n_out: int) -> dict[str, list[int]]:
    """Each original column -> the indices of the encoded columns it produced (``n_out`` in all).

    Every encoded column belongs to exactly one original column; an original column may
    produce none (``remainder="drop"``).
    """
    columns = [str(c) for c in columns]
    per_input = _index_map(transformer, columns)
    groups = {c: sorted(per_input[i]) for i, c in enumerate(columns)}
    seen = sorted(j for cols in groups.values() for j in cols)
    if seen != list(range(n_out)):
        missing = sorted(set(range(n_out)) - set(seen))
        raise UsageError(MSG_UNCOVERED.format(n_out=n_out, covered=len(set(seen)), missing=missing[:10]))
    return groups


def _name(step: Any) -> str:
    return type(step).__name__


def _index_map(step: Any, names: list[str]) -> list[set[int]]:
    """For each input column of ``step`` (named ``names``), the set of its output indices."""
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import FeatureUnion, Pipeline

    n_in = len(names)
    if step is None or (isinstance(step, str) and step == "passthrough"):
        return [{i} for i in range(n_in)]
    if isinstance(step, str) and step == "drop":
        return [set() for _ in range(n_in)]
    if isinstance(step, Pipeline):
        current = [{i} for i in range(n_in)]
        step_names = list(names)
        for _, inner in step.steps:
            inner_map = _index_map(inner, step_names)
            current = [set().union(*(inner_map[j] for j in s)) if s else set() for s in current]
            step_names = _output_names(inner, step_names, inner_map)
        return current
    if isinstance(step, ColumnTransformer):
        out: list[set[int]] = [set() for _ in range(n_in)]
        for name, inner, cols in step.transformers_:
            indices = _select(step, name, cols, names)
            if not indices:
                continue
            sl = step.output_indices_.get(name, slice(0, 0))
            inner_map = _index_map(inner, [names[i] for i in indices])
            for local, i in enumerate(indices):
                out[i] |= {sl.start + j for j in inner_map[local]}
        return out
    if isinstance(step, FeatureUnion):
        out = [set() for _ in range(n_in)]
        offset = 0
        for _, inner in step.transformer_list:
            inner_map = _index_map(inner, list(names))
            for i in range(n_in):
                out[i] |= {offset + j for j in inner_map[i]}
            offset += len(_output_names(inner, list(names), inner_map))
        return out
    kind = _name(step)
    if kind == "OneHotEncoder":
        widths = getattr(step, "_n_features_outs", None)
        if widths is None:
            widths = [len(c) for c in step.categories_]
        return _blocks(widths)
    if kind == "KBinsDiscretizer":
        widths = [int(b) for b in step.n_bins_] if step.encode != "ordinal" else [1] * n_in
        return _blocks(widths)
    if kind == "SimpleImputer":
        return _imputer_map(step, n_in)
    if kind == "FunctionTransformer" and step.func is None:
        return [{i} for i in range(n_in)]
    if kind in _ELEMENTWISE:
        return [{i} for i in range(n_in)]
    out_names = _feature_names_out(step, names)
    if out_names is not None:
        if list(out_names) == list(names):
            return [{i} for i in range(n_in)]
        if n_in == 1:
            return [set(range(len(out_names)))]
        walked = _walk_prefixes(out_names, names)
        if walked is not None:
            return walked
    if n_in == 1 and out_names is None:
        raise UsageError(MSG_UNMAPPABLE.format(step=kind, n_in=n_in, n_out="an unknown number of columns"))
    raise UsageError(MSG_UNMAPPABLE.format(step=kind, n_in=n_in,
                                           n_out=len(out_names) if out_names is not None else "unknown"))


def _blocks(widths: Sequence[int]) -> list[set[int]]:
    out, start = [], 0
    for w in widths:
        out.append(set(range(start, start + int(w))))
        start += int(w)
    return out


def _imputer_map(step: Any, n_in: int) -> list[set[int]]:
    stats = np.asarray(getattr(step, "statistics_", np.zeros(n_in)))
    keep_empty = bool(getattr(step, "keep_empty_features", False))
    kept = [i for i in range(n_in)
            if keep_empty or not (stats.dtype.kind == "f" and np.isnan(stats[i]))]
    out: list[set[int]] = [set() for _ in range(n_in)]
    for j, i in enumerate(kept):
        out[i].add(j)
    indicator = getattr(step, "indicator_", None)
    if indicator is not None:
        for k, i in enumerate(indicator.features_):
            out[int(i)].add(len(kept) + k)
    return out


def _select(ct: Any, name: str, cols: Any, names: list[str]) -> list[int]:
    """Input indices a ColumnTransformer entry reads, from the fitted entry."""
    resolved = getattr(ct, "_transformer_to_input_indices", {}).get(name)
    if resolved is not None:
        return [int(i) for i in resolved]
    if isinstance(cols, slice):
        return list(range(len(names)))[cols]
    values = list(np.atleast_1d(cols))
    if not values:
        return []
    if isinstance(values[0], (bool, np.bool_)):
        return [i for i, v in enumerate(values) if v]
    if isinstance(values[0], (int, np.integer)):
        return [int(v) for v in values]
    return [names.index(str(v)) for v in values]


def _feature_names_out(step: Any, names: list[str]) -> list[str] | None:
    if not hasattr(step, "get_feature_names_out"):
        return None
    try:
        return [str(n) for n in step.get_feature_names_out(names)]
    except Exception:  # noqa: BLE001 - a step that cannot name its outputs just has no name map
        try:
            return [str(n) for n in step.get_feature_names_out()]
        except Exception:  # noqa: BLE001
            return None


def _output_names(step: Any, names: list[str], index_map: list[set[int]]) -> list[str]:
    out = _feature_names_out(step, names)
    if out is not None:
        return out
    width = max((j for s in index_map for j in s), default=-1) + 1
    return [f"x{j}" for j in range(width)]


def _walk_prefixes(out_names: Sequence[str], names: list[str]) -> list[set[int]] | None:
    """Outputs named ``<input>_<something>`` in input order (scikit-learn's naming), or None."""
    out: list[set[int]] = [set() for _ in names]
    i = 0
    for j, o in enumerate(out_names):
        while i < len(names) and not (o == names[i] or o.startswith(f"{names[i]}_")):
            i += 1
        if i == len(names):
            return None
        out[i].add(j)
    return out
