"""Metric definitions from sufficient statistics: one table of specs, generated names.

Each metric is a vectorised function of per-group statistics with a leading replicate
axis, so the same definitions serve point estimates and bootstrap replicates. The edge
cases follow fairlearn 0.15's MetricFrame with scikit-learn metrics, except where a figure
is undefined:

- an empty group (n = 0) gives NaN for every metric, ``count`` included;
- a rate whose denominator is zero in a non-empty group (TPR of a group without positives,
  precision of a group with nothing predicted positive) is undefined: NaN, never 0. With
  ``zero_division=0`` it is 0, exactly fairlearn's convention (``confusion_matrix(...,
  normalize='true')`` maps 0/0 to 0; ``precision_score``/``f1_score`` use
  ``zero_division`` = 0);
- ``balanced_accuracy_score`` averages the recall of the classes present in y_true;
- ``r2_score`` is NaN below two rows, and 1 (perfect) or 0 for a constant y_true;
- aggregates skip NaN groups as pandas' min/max do; ``ratio`` between groups is
  min / max (0/0 = NaN), ``ratio`` to overall takes each group's ratio to the overall
  value, inverted when above 1, then the minimum. A difference or ratio needs two defined
  groups: over one it is NaN (fairlearn gives 0 and 1, "perfect parity").
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

__all__ = [
    "Confusion", "RegressionStats", "BINARY_METRICS", "ONE_VS_REST_METRICS", "SCORE_METRICS",
    "REGRESSION_METRICS", "REFERENCE_METRICS_BINARY", "REFERENCE_METRICS_MULTICLASS",
    "COUNT_METRICS", "BINARY_SPECS", "ONE_VS_REST_SPECS", "BinarySpec", "between_groups", "to_overall",
    "aggregates", "aggregate_sources",
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


def _ratio(numerator: np.ndarray, denominator: np.ndarray, zero_value: float = np.nan) -> np.ndarray:
    """Numerator / denominator, ``zero_value`` where the denominator is 0 (default NaN: undefined)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = numerator / denominator
    return np.where(denominator > 0, out, zero_value)


def _balanced_accuracy(c: Confusion, zero_division: float) -> np.ndarray:
    has_pos = (c.tp + c.fn) > 0
    has_neg = (c.tn + c.fp) > 0
    recall_sum = np.where(has_pos, _ratio(c.tp, c.tp + c.fn, 0.0), 0.0) \
        + np.where(has_neg, _ratio(c.tn, c.tn + c.fp, 0.0), 0.0)
    return _ratio(recall_sum, has_pos.astype(np.float64) + has_neg, np.nan)


MetricFunction = Callable[[Confusion, float], np.ndarray]
CountFunction = Callable[[Confusion], np.ndarray]


@dataclasses.dataclass(frozen=True)
class BinarySpec:
    """One per-group metric of confusion counts.

    ``support`` is what the figure is estimated from (a rate's denominator: positives for
    TPR/FNR, negatives for FPR/TNR, predicted positives for precision); a group enters
    the metric's aggregates only with at least ``min_group_size`` of it. A binomial rate
    also has a ``numerator``, so its interval is a score interval of numerator/support.
    """

    name: str
    value: MetricFunction
    support: CountFunction
    numerator: CountFunction | None = None


def _rate(name: str, numerator: CountFunction, denominator: CountFunction) -> BinarySpec:
    return BinarySpec(name, lambda c, z: _ratio(numerator(c), denominator(c), z), denominator, numerator)


def _positives(c: Confusion) -> np.ndarray:
    return c.tp + c.fn


def _negatives(c: Confusion) -> np.ndarray:
    return c.tn + c.fp


def _predicted_positives(c: Confusion) -> np.ndarray:
    return c.tp + c.fp


def _predicted_negatives(c: Confusion) -> np.ndarray:
    return c.tn + c.fn


def _size(c: Confusion) -> np.ndarray:
    return c.n


#: Binary metrics per group, in report order. ``zero_division`` (NaN by default) is the
#: value of a rate whose denominator is 0 in a non-empty group.
BINARY_SPECS: tuple[BinarySpec, ...] = (
    BinarySpec("count", lambda c, z: c.n, _size),
    BinarySpec("share", lambda c, z: c.n / c.total, _size),
    _rate("base_rate", _positives, _size),
    _rate("selection_rate", _predicted_positives, _size),
    _rate("true_positive_rate", lambda c: c.tp, _positives),
    _rate("false_positive_rate", lambda c: c.fp, _negatives),
    _rate("true_negative_rate", lambda c: c.tn, _negatives),
    _rate("false_negative_rate", lambda c: c.fn, _positives),
    _rate("accuracy_score", lambda c: c.tp + c.tn, _size),
    BinarySpec("balanced_accuracy_score", _balanced_accuracy,
               lambda c: np.minimum(_positives(c), _negatives(c))),
    _rate("precision_score", lambda c: c.tp, _predicted_positives),
    BinarySpec("f1_score", lambda c, z: _ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn, z),
               lambda c: c.tp + c.fp + c.fn),
    # AIF360's names (fairlearn has none for these)
    _rate("negative_predictive_value", lambda c: c.tn, _predicted_negatives),
    _rate("false_discovery_rate", lambda c: c.fp, _predicted_positives),
    _rate("false_omission_rate", lambda c: c.fn, _predicted_negatives),
    # scikit-learn's name; AIF360's error_rate is the same figure
    _rate("zero_one_loss", lambda c: c.fp + c.fn, _size),
    BinarySpec("num_true_positives", lambda c, z: c.tp, _size),
    BinarySpec("num_false_positives", lambda c, z: c.fp, _size),
    BinarySpec("num_true_negatives", lambda c, z: c.tn, _size),
    BinarySpec("num_false_negatives", lambda c, z: c.fn, _size),
)
#: (name, function) pairs, the metric functions of :data:`BINARY_SPECS`.
BINARY_METRICS: tuple[tuple[str, MetricFunction], ...] = tuple((s.name, s.value) for s in BINARY_SPECS)
#: Metrics that are sizes, not rates: no difference/ratio/min/max aggregates.
COUNT_METRICS = ("count", "share")
#: Raw confusion counts: between-group aggregates, but no comparison with the overall count.
CONFUSION_COUNTS = ("num_true_positives", "num_false_positives", "num_true_negatives", "num_false_negatives")
#: Binary metrics reported per class in one-vs-rest form for a multiclass task.
ONE_VS_REST_SPECS = tuple(spec for spec in BINARY_SPECS if spec.name not in COUNT_METRICS)
ONE_VS_REST_METRICS = tuple((s.name, s.value) for s in ONE_VS_REST_SPECS)
#: Metrics computed from y_score (row-level statistics, not confusion counts).
SCORE_METRICS = ("roc_auc_score", "brier_score_loss", "expected_calibration_error", "log_loss")
#: Rates compared with a reference group (Aequitas' disparities: ppr is ours' share, pprev the selection rate).
REFERENCE_METRICS_BINARY = ("selection_rate", "true_positive_rate", "false_positive_rate",
                            "accuracy_score", "true_negative_rate", "false_negative_rate", "precision_score",
                            "negative_predictive_value", "false_discovery_rate", "false_omission_rate",
                            "zero_one_loss")
REFERENCE_METRICS_MULTICLASS = REFERENCE_METRICS_BINARY[:3] + REFERENCE_METRICS_BINARY[4:]


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


def _compared(values: np.ndarray) -> np.ndarray:
    """Per replicate, whether at least two groups have a defined value: a comparison needs two."""
    return (~np.isnan(values)).sum(axis=-1) >= 2


def between_groups(values: np.ndarray) -> dict[str, np.ndarray]:
    """Fairlearn's ``method='between_groups'`` aggregates of ``(L, G)`` values, each ``(L,)``.

    NaN groups (undefined or left out) are skipped; difference and ratio are NaN unless at
    least two groups are defined (one group is no evidence of parity).
    """
    low, high = _nan_min(values), _nan_max(values)
    two = _compared(values)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = low / high
    return {"difference": np.where(two, high - low, np.nan), "ratio": np.where(two, ratio, np.nan),
            "group_min": low, "group_max": high}


def to_overall(values: np.ndarray, overall: np.ndarray) -> dict[str, np.ndarray]:
    """Fairlearn's ``method='to_overall'`` difference and ratio; ``overall`` is ``(L,)``.

    NaN unless at least two groups are defined, as :func:`between_groups`.
    """
    reference = overall[..., None]
    two = _compared(values)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = values / reference
        ratios = np.where(ratios > 1, 1.0 / ratios, ratios)
    return {"difference": np.where(two, _nan_max(np.abs(values - reference)), np.nan),
            "ratio": np.where(two, _nan_min(ratios), np.nan)}


def aggregates(per_group: dict[str, np.ndarray], overall: dict[str, np.ndarray], *,
               fairness: bool) -> dict[str, np.ndarray]:
    """Aggregate rows of one grouping (and one class label), in report order.

    With ``fairness`` (classification), first fairlearn's demographic parity, equalized
    odds and equal opportunity difference/ratio between groups and to overall, and
    ``disparate_impact_ratio``; then ``<metric>_difference/_ratio/_group_min/_group_max``
    for every per-group metric except counts, and ``<metric>_difference_to_overall`` /
    ``<metric>_ratio_to_overall`` for every rate.
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
            # fairlearn's max([tpr, fpr]) / min([tpr, fpr]); undefined when either part is
            # (fairlearn's Python max keeps or drops a NaN depending on its position).
            out["demographic_parity_difference" + suffix] = sel["difference"]
            out["demographic_parity_ratio" + suffix] = sel["ratio"]
            out["equalized_odds_difference" + suffix] = np.maximum(fpr["difference"], tpr["difference"])
            out["equalized_odds_ratio" + suffix] = np.minimum(fpr["ratio"], tpr["ratio"])
            out["equal_opportunity_difference" + suffix] = tpr["difference"]
            out["equal_opportunity_ratio" + suffix] = tpr["ratio"]
        out["disparate_impact_ratio"] = sel_b["ratio"]
    for name, values in per_group.items():
        if name in COUNT_METRICS:
            continue
        for kind, value in between_groups(values).items():
            out[f"{name}_{kind}"] = value
        if name not in CONFUSION_COUNTS and name in overall:
            for kind, value in to_overall(values, overall[name]).items():
                out[f"{name}_{kind}_to_overall"] = value
    return out


#: The per-group metrics behind each fairness definition (by name prefix).
_DEFINITION_SOURCES = (
    ("demographic_parity_", ("selection_rate",)),
    ("disparate_impact_ratio", ("selection_rate",)),
    ("equalized_odds_", ("true_positive_rate", "false_positive_rate")),
    ("equal_opportunity_", ("true_positive_rate",)),
)
_AGGREGATE_SUFFIXES = ("_difference_p_value", "_difference_to_overall", "_ratio_to_overall", "_difference", "_ratio",
                       "_group_min", "_group_max")


def aggregate_sources(name: str) -> tuple[str, ...]:
    """The per-group metrics an aggregate row compares (its ``n`` counts their groups' rows)."""
    for prefix, sources in _DEFINITION_SOURCES:
        if name.startswith(prefix):
            return sources
    for suffix in _AGGREGATE_SUFFIXES:
        if name.endswith(suffix):
            return (name[: -len(suffix)],)
    return ()
