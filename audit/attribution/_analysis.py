"""From attributions to audit figures: importance, per-group importance, gap decomposition, proxies.

All functions take per-feature attributions (``n x F``, one column per original feature) and
plain arrays; they never see the model.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..engines import COUNT_COLUMN, Table

__all__ = ["importance", "bootstrap_means", "rank_correlation", "group_masks", "decompose_gap",
           "cramers_v", "cramers_v_table", "qcut_edges", "association", "top_features"]


def importance(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean signed and mean absolute attribution per feature."""
    if len(values) == 0:
        nan = np.full(values.shape[1], np.nan)
        return nan, nan
    return values.mean(axis=0), np.abs(values).mean(axis=0)


def bootstrap_means(values: np.ndarray, weights: np.ndarray | None, ci: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile intervals of per-column means under row-resampling weights (``B x n``)."""
    if weights is None or len(values) < 2:
        nan = np.full(values.shape[1], np.nan)
        return nan, nan
    totals = weights.sum(axis=1, keepdims=True)
    totals[totals == 0] = np.nan
    means = (weights @ values) / totals
    alpha = (1 - ci) / 2
    return np.nanquantile(means, alpha, axis=0), np.nanquantile(means, 1 - alpha, axis=0)


def rank_correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's rank correlation of two vectors (NaN when either is constant)."""
    ra = pd.Series(a).rank().to_numpy()
    rb = pd.Series(b).rank().to_numpy()
    if np.std(ra) == 0 or np.std(rb) == 0:
        return math.nan
    return float(np.corrcoef(ra, rb)[0, 1])


def group_masks(sensitive: pd.DataFrame, *, intersections: bool, min_group_size: int
                ) -> list[tuple[tuple[str, ...], dict[str, Any], np.ndarray]]:
    """(over, group, row mask) for each value of each sensitive feature, then each intersection.

    Intersectional groups smaller than ``min_group_size`` are left out (there can be hundreds).
    A missing value is its own group (``None``).
    """
    out: list[tuple[tuple[str, ...], dict[str, Any], np.ndarray]] = []
    cols = list(sensitive.columns)
    values = {c: sensitive[c].astype(object).where(sensitive[c].notna(), None).map(
        lambda v: None if v is None else str(v)).to_numpy() for c in cols}
    for c in cols:
        for v in sorted(set(values[c]), key=lambda x: (x is None, x or "")):
            out.append(((c,), {c: v}, values[c] == v))
    if intersections and len(cols) > 1:
        keys = pd.Series(list(zip(*(values[c] for c in cols), strict=True)))
        for key in sorted(set(keys), key=lambda t: tuple((x is None, x or "") for x in t)):
            mask = (keys == key).to_numpy()
            if mask.sum() >= max(min_group_size, 1):
                out.append((tuple(cols), dict(zip(cols, key, strict=True)), mask))
    return out


def decompose_gap(values: np.ndarray, output: np.ndarray, low: np.ndarray, high: np.ndarray
                  ) -> dict[str, Any]:
    """Split mean f(high group) - mean f(low group) into per-feature parts.

    With one shared baseline, f(x) = f(b) + sum_i a_i(x) + delta(x) for every row, so the gap
    in mean output equals the sum over features of the gap in mean attribution, plus the gap
    in mean completeness error: that last part is the residual, exactly zero for a complete
    method and the completeness error of IntegratedGradients' quadrature otherwise.
    """
    gap = float(output[high].mean() - output[low].mean())
    contributions = values[high].mean(axis=0) - values[low].mean(axis=0)
    return {"gap": gap, "contributions": contributions,
            "residual": gap - float(contributions.sum()),
            "low_mean": float(output[low].mean()), "high_mean": float(output[high].mean())}


def _codes(series: pd.Series, bins: int) -> np.ndarray:
    """Categories of a feature as integer codes; numeric features in quantile bins.

    The definition :func:`association` computes in the engine; kept to check it against.
    """
    if pd.api.types.is_numeric_dtype(series.dtype) and series.nunique(dropna=True) > bins:
        binned = pd.qcut(series.astype(float), q=bins, duplicates="drop")
        return binned.cat.codes.to_numpy()
    return _factorize(series)


def _factorize(series: pd.Series) -> np.ndarray:
    """Codes of the sorted distinct values, missing as one more value.

    A column and its distinct values get the same codes, so a count table's keys are coded as
    the rows would be.
    """
    return pd.factorize(series.astype(object).where(series.notna(), "\x00missing"), sort=True)[0]


def cramers_v(x: np.ndarray, y: np.ndarray) -> float:
    """Bias-corrected Cramer's V (Bergsma 2013) of two code vectors: 0 none, 1 determined."""
    return cramers_v_table(pd.crosstab(x, y).to_numpy(dtype=float))


def cramers_v_table(table: np.ndarray) -> float:
    """Bias-corrected Cramer's V of a contingency table (rows and columns in sorted code order)."""
    table = np.asarray(table, dtype=float)
    n = table.sum()
    r, k = table.shape
    if n < 2 or r < 2 or k < 2:
        return 0.0
    expected = table.sum(axis=1, keepdims=True) @ table.sum(axis=0, keepdims=True) / n
    chi2 = float(((table - expected) ** 2 / expected).sum())
    phi2 = max(0.0, chi2 / n - (k - 1) * (r - 1) / (n - 1))
    rc = r - (r - 1) ** 2 / (n - 1)
    kc = k - (k - 1) ** 2 / (n - 1)
    denom = min(kc - 1, rc - 1)
    return float(math.sqrt(phi2 / denom)) if denom > 0 else 0.0


def qcut_edges(table: Table, column: str, bins: int, n: int) -> np.ndarray:
    """The bin edges ``pd.qcut(values, bins, duplicates="drop")`` uses, from order statistics.

    pandas takes numpy's linear-interpolation quantiles of the non-missing values at
    slightly nudged levels; only the two order statistics beside each virtual index enter
    them. Those few values come from the engine's sort, and the interpolation below is
    numpy's, operation for operation, so the edges are pandas' edges (bit for bit, but for
    the sign of a zero: -0.0 and 0.0 tie in a sort).
    """
    levels = np.linspace(0, 1, bins + 1)
    np.putmask(levels, bins * levels != np.arange(bins + 1), np.nextafter(levels, 1))  # as pandas.qcut
    virtual = (n - 1) * levels  # numpy's "linear" method
    previous = np.floor(virtual)
    following = previous + 1
    above = virtual >= n - 1
    previous[above] = -1
    following[above] = -1
    previous_i = previous.astype(np.int64)
    following_i = following.astype(np.int64)
    gamma = np.asarray(virtual - previous_i, dtype=np.float64)
    values = table.order_statistics(column, np.concatenate([np.where(previous_i < 0, n - 1, previous_i),
                                                            np.where(following_i < 0, n - 1, following_i)]))
    a, b = values[: len(levels)], values[len(levels):]
    diff = b - a
    edges = np.add(a, diff * gamma)
    np.subtract(b, diff * (1 - gamma), out=edges, where=gamma >= 0.5)
    unique = np.asarray(pd.unique(edges), dtype=np.float64)
    return unique if len(unique) < len(edges) and len(edges) != 2 else edges  # duplicates="drop"


def association(source: pd.DataFrame | Table, features: Sequence[str], sensitive: Sequence[str],
                bins: int = 10, *, pairs: Sequence[tuple[str, str]] | None = None
                ) -> dict[tuple[str, str], float]:
    """Cramer's V between each feature (numeric ones in quantile bins) and each sensitive attribute.

    Computed where the rows live: the engine sorts each binned column for its quantile edges
    and counts rows per (code of the feature, code of the attribute); only those counts come
    back. The figures are those of :func:`_codes` and :func:`cramers_v` over the whole
    columns: the same edges, the same codes, the same contingency table in the same order.
    ``pairs`` limits the work to those (feature, attribute) pairs.
    """
    table = source if isinstance(source, Table) else Table(source, label="data")
    wanted = [(f, s) for f in features for s in sensitive] if pairs is None else list(pairs)
    columns = list(dict.fromkeys(c for pair in wanted for c in pair))
    numeric = [c for c in columns if table.is_numeric(c)]
    distinct = table.n_unique(numeric) if numeric else {}
    nulls = table.null_counts(numeric) if numeric else {}
    edges = {c: qcut_edges(table, c, bins, table.n_rows - nulls[c]) for c in numeric if distinct[c] > bins}
    groups = [list(dict.fromkeys(pair)) for pair in wanted]
    counts = table.count_tables(groups, bins={c: e.tolist() for c, e in edges.items()})
    return {(f, s): cramers_v_table(_contingency(c, f, s, edges)) for (f, s), c in zip(wanted, counts, strict=True)}


def _contingency(counts: pd.DataFrame, f: str, s: str, edges: Mapping[str, np.ndarray]) -> np.ndarray:
    """The matrix ``pd.crosstab`` of the codes of ``f`` and ``s`` gives, from their count table."""
    codes = {c: (counts[c].to_numpy(dtype=np.int64) if c in edges else _factorize(counts[c].reset_index(drop=True)))
             for c in (f, s)}
    rows, row_of = np.unique(codes[f], return_inverse=True)
    cols, col_of = np.unique(codes[s], return_inverse=True)
    matrix = np.zeros((len(rows), len(cols)), dtype=float)
    np.add.at(matrix, (row_of, col_of), counts[COUNT_COLUMN].to_numpy(dtype=float))
    return matrix


def top_features(row: np.ndarray, names: Sequence[str], k: int) -> list[dict[str, Any]]:
    """The ``k`` features with the largest |attribution| in one row: names and values only."""
    order = np.argsort(-np.abs(row), kind="stable")[:k]
    return [{"feature": names[i], "attribution": float(row[i])} for i in order]
