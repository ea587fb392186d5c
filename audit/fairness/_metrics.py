"""Metric definitions from sufficient statistics: one table of specs, generated names.

Each metric is a vectorised function of per-group statistics with a leading replicate
axis, so the same definitions serve point estimates and bootstrap replicates. The edge
cases follow fairlearn 0.15's MetricFrame with scikit-learn metrics:

- an empty group (n = 0) gives NaN for every metric, ``count`` included;
- a rate whose denominator is zero in a non-empty group is 0 (``confusion_matrix(...,
  normalize='true')`` maps 0/0 to 0; ``precision_score``/``f1_score`` use
  ``zero_division`` = 0);
- ``balanced_accuracy_score`` averages the recall of the classes present in y_true;
- ``r2_score`` is NaN below two rows, and 1 (perfect) or 0 for a constant y_true;
- aggregates skip NaN groups as pandas' min/max do; ``ratio`` between groups is
  min / max (0/0 = NaN), ``ratio`` to overall takes each group's ratio to the overall
  value, inverted when above 1, then the minimum.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

__all__ = [
    "Confusion", "RegressionStats", "BINARY_METRICS", "ONE_VS_REST_METRICS", "SCORE_METRICS",
    "REGRESSION_METRICS", "REFERENCE_METRICS_BINARY", "REFERENCE_METRICS_MULTICLASS",
    "COUNT_METRICS", "between_groups", "to_overall", "aggregates",
]


@dataclasses.dataclass(frozen=True)
class Confusion:
    """Binary confusion counts per group, each ``(L, G)``; ``total`` is N per replicate ``(L, 1)``."""

    tn: np.ndarray
    fp: np.ndarray
    fn: np.ndarray
    tp: np.ndarray
    total: np.ndarray

    @classmethod
    def from_tables(cls, tables: np.ndarray, total: np.ndarray) -> Confusion:
        """From ``(L, G, 2, 2)`` tables indexed [y_true, y_pred], 1 = positive."""
        return cls(tn=tables[..., 0, 0], fp=tables[..., 0, 1], fn=tables[..., 1, 0],
                   tp=tables[..., 1, 1], total=total)

    @classmethod
    def one_vs_rest(cls, tables: np.ndarray, label: int, total: np.ndarray) -> Confusion:
        """Class ``label`` against the rest, from ``(L, G, K, K)`` multiclass tables."""
        tp = tables[..., label, label]
        fn = tables[..., label, :].sum(axis=-1) - tp
        fp = tables[..., :, label].sum(axis=-1) - tp
        tn = tables.sum(axis=(-2, -1)) - tp - fn - fp
        return cls(tn=tn, fp=fp, fn=fn, tp=tp, total=total)

    @property
    def n(self) -> np.ndarray:
        return self.tn + self.fp + self.fn + self.tp


def _ratio(numerator: np.ndarray, denominator: np.ndarray, zero_value: float = 0.0) -> np.ndarray:
    """numerator / denominator, ``zero_value`` where the denominator is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = numerator / denominator
    return np.where(denominator > 0, out, zero_value)


def _balanced_accuracy(c: Confusion) -> np.ndarray:
    has_pos = (c.tp + c.fn) > 0
    has_neg = (c.tn + c.fp) > 0
    recall_sum = np.where(has_pos, _ratio(c.tp, c.tp + c.fn), 0.0) \
        + np.where(has_neg, _ratio(c.tn, c.tn + c.fp), 0.0)
    return _ratio(recall_sum, has_pos.astype(np.float64) + has_neg, np.nan)


MetricFunction = Callable[[Confusion], np.ndarray]

#: Binary metrics per group, in report order.
BINARY_METRICS: tuple[tuple[str, MetricFunction], ...] = (
    ("count", lambda c: c.n),
    ("share", lambda c: c.n / c.total),
    ("base_rate", lambda c: _ratio(c.tp + c.fn, c.n)),
    ("selection_rate", lambda c: _ratio(c.tp + c.fp, c.n)),
    ("true_positive_rate", lambda c: _ratio(c.tp, c.tp + c.fn)),
    ("false_positive_rate", lambda c: _ratio(c.fp, c.fp + c.tn)),
    ("true_negative_rate", lambda c: _ratio(c.tn, c.tn + c.fp)),
    ("false_negative_rate", lambda c: _ratio(c.fn, c.tp + c.fn)),
    ("accuracy_score", lambda c: _ratio(c.tp + c.tn, c.n)),
    ("balanced_accuracy_score", _balanced_accuracy),
    ("precision_score", lambda c: _ratio(c.tp, c.tp + c.fp)),
    ("f1_score", lambda c: _ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn)),
)
#: Metrics that are sizes, not rates: no difference/ratio/min/max aggregates.
COUNT_METRICS = ("count", "share")
#: Binary metrics reported per class in one-vs-rest form for a multiclass task.
ONE_VS_REST_METRICS = tuple(spec for spec in BINARY_METRICS if spec[0] not in COUNT_METRICS)
#: Metrics computed from y_score (row-level statistics, not confusion counts).
SCORE_METRICS = ("roc_auc_score", "brier_score_loss", "expected_calibration_error")
REFERENCE_METRICS_BINARY = ("selection_rate", "true_positive_rate", "false_positive_rate",
                            "accuracy_score")
REFERENCE_METRICS_MULTICLASS = ("selection_rate", "true_positive_rate", "false_positive_rate")


@dataclasses.dataclass(frozen=True)
class RegressionStats:
    """Per-group weighted sums, each ``(L, G)``; ``total`` is N per replicate ``(L, 1)``."""

    n: np.ndarray
    sum_true: np.ndarray
    sum_pred: np.ndarray
    sum_abs_error: np.ndarray
    sum_sq_error: np.ndarray
    sum_sq_deviation: np.ndarray  # sum of (y_true - group mean of y_true)^2
    constant_true: np.ndarray     # y_true constant within the group
    total: np.ndarray


def _r2(s: RegressionStats) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = 1.0 - s.sum_sq_error / s.sum_sq_deviation
    r2 = np.where(s.constant_true, np.where(s.sum_sq_error == 0, 1.0, 0.0), r2)
    return np.where(s.n >= 2, r2, np.nan)


RegressionFunction = Callable[[RegressionStats], np.ndarray]

#: Regression metrics per group, in report order.
REGRESSION_METRICS: tuple[tuple[str, RegressionFunction], ...] = (
    ("count", lambda s: s.n),
    ("share", lambda s: s.n / s.total),
    ("mean_prediction", lambda s: _ratio(s.sum_pred, s.n, np.nan)),
    ("mean_target", lambda s: _ratio(s.sum_true, s.n, np.nan)),
    ("mean_absolute_error", lambda s: _ratio(s.sum_abs_error, s.n, np.nan)),
    ("mean_squared_error", lambda s: _ratio(s.sum_sq_error, s.n, np.nan)),
    ("root_mean_squared_error", lambda s: np.sqrt(_ratio(s.sum_sq_error, s.n, np.nan))),
    ("r2_score", _r2),
)


def _nan_min(values: np.ndarray) -> np.ndarray:
    return np.fmin.reduce(values, axis=-1)


def _nan_max(values: np.ndarray) -> np.ndarray:
    return np.fmax.reduce(values, axis=-1)


def between_groups(values: np.ndarray) -> dict[str, np.ndarray]:
    """fairlearn's ``method='between_groups'`` aggregates of ``(L, G)`` values, each ``(L,)``."""
    low, high = _nan_min(values), _nan_max(values)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = low / high
    return {"difference": high - low, "ratio": ratio, "group_min": low, "group_max": high}


def to_overall(values: np.ndarray, overall: np.ndarray) -> dict[str, np.ndarray]:
    """fairlearn's ``method='to_overall'`` difference and ratio; ``overall`` is ``(L,)``."""
    reference = overall[..., None]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = values / reference
        ratios = np.where(ratios > 1, 1.0 / ratios, ratios)
    return {"difference": _nan_max(np.abs(values - reference)), "ratio": _nan_min(ratios)}


def aggregates(per_group: dict[str, np.ndarray], overall: dict[str, np.ndarray], *,
               fairness: bool) -> dict[str, np.ndarray]:
    """Aggregate rows of one grouping (and one class label), in report order.

    With ``fairness`` (classification), first fairlearn's demographic parity, equalized
    odds and equal opportunity difference/ratio between groups and to overall, and
    ``disparate_impact_ratio``; then ``<metric>_difference/_ratio/_group_min/_group_max``
    for every per-group metric except counts.
    """
    out: dict[str, np.ndarray] = {}
    if fairness:
        sel_b = between_groups(per_group["selection_rate"])
        tpr_b = between_groups(per_group["true_positive_rate"])
        fpr_b = between_groups(per_group["false_positive_rate"])
        sel_o = to_overall(per_group["selection_rate"], overall["selection_rate"])
        tpr_o = to_overall(per_group["true_positive_rate"], overall["true_positive_rate"])
        fpr_o = to_overall(per_group["false_positive_rate"], overall["false_positive_rate"])
        for suffix, sel, tpr, fpr in (("", sel_b, tpr_b, fpr_b), ("_to_overall", sel_o, tpr_o, fpr_o)):
            # fairlearn takes Python's max([tpr, fpr]) / min([tpr, fpr]); kept NaN-for-NaN alike.
            out["demographic_parity_difference" + suffix] = sel["difference"]
            out["demographic_parity_ratio" + suffix] = sel["ratio"]
            out["equalized_odds_difference" + suffix] = np.where(
                fpr["difference"] > tpr["difference"], fpr["difference"], tpr["difference"])
            out["equalized_odds_ratio" + suffix] = np.where(
                fpr["ratio"] < tpr["ratio"], fpr["ratio"], tpr["ratio"])
            out["equal_opportunity_difference" + suffix] = tpr["difference"]
            out["equal_opportunity_ratio" + suffix] = tpr["ratio"]
        out["disparate_impact_ratio"] = sel_b["ratio"]
    for name, values in per_group.items():
        if name in COUNT_METRICS:
            continue
        for kind, value in between_groups(values).items():
            out[f"{name}_{kind}"] = value
    return out
