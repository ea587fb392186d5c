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

__all__ = ["importance", "bootstrap_means", "rank_correlation", "group_masks", "decompose_gap",
           "cramers_v", "association", "top_features"]


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
    out = []
    cols = list(sensitive.columns)
    values = {c: sensitive[c].astype(object).where(sensitive[c].notna(), None).map(
        lambda v: None if v is None else str(v)).to_numpy() for c in cols}
    for c in cols:
        for v in sorted(set(values[c]), key=lambda x: (x is None, x or "")):
            out.append(((c,), {c: v}, values[c] == v))
    if intersections and len(cols) > 1:
        keys = pd.Series(list(zip(*(values[c] for c in cols))))
        for key in sorted(set(keys), key=lambda t: tuple((x is None, x or "") for x in t)):
            mask = (keys == key).to_numpy()
            if mask.sum() >= max(min_group_size, 1):
                out.append((tuple(cols), dict(zip(cols, key)), mask))
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
    """Categories of a feature as integer codes; numeric features in quantile bins."""
    if pd.api.types.is_numeric_dtype(series.dtype) and series.nunique(dropna=True) > bins:
        binned = pd.qcut(series.astype(float), q=bins, duplicates="drop")
        return binned.cat.codes.to_numpy()
    return pd.factorize(series.astype(object).where(series.notna(), "\x00missing"), sort=True)[0]


def cramers_v(x: np.ndarray, y: np.ndarray) -> float:
    """Bias-corrected Cramer's V (Bergsma 2013) of two code vectors: 0 none, 1 determined."""
    table = pd.crosstab(x, y).to_numpy(dtype=float)
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


def association(frame: pd.DataFrame, features: Sequence[str], sensitive: Sequence[str],
                bins: int = 10) -> dict[tuple[str, str], float]:
    """Cramer's V between each feature (numeric ones in quantile bins) and each sensitive attribute."""
    out: dict[tuple[str, str], float] = {}
    sens_codes = {s: _codes(frame[s], bins) for s in sensitive}
    for f in features:
        fc = _codes(frame[f], bins)
        for s in sensitive:
            out[(f, s)] = cramers_v(fc, sens_codes[s])
    return out


def top_features(row: np.ndarray, names: Sequence[str], k: int) -> list[dict[str, Any]]:
    """The ``k`` features with the largest |attribution| in one row: names and values only."""
    order = np.argsort(-np.abs(row), kind="stable")[:k]
    return [{"feature": names[i], "attribution": float(row[i])} for i in order]
