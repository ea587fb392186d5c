"""``group_metrics`` and ``calibration_table``: fairness metrics from sufficient statistics."""
from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._exceptions import DataError, UsageError
from .._intervals import wilson_bounds
from .._results import metrics_frame
from . import _messages as msg
from ._bootstrap import cell_replicates, percentile_interval, row_weight_replicates, smoothed_tables
from ._counts import (
    ScoreOrder,
    auc_by_group,
    calibration_bins,
    cell_table,
    group_sums,
    group_tables,
    score_order,
    weighted_cell_tables,
)
from ._groups import Encoding, _columns, encode_sensitive_features, group_index_of, level_key
from ._metrics import (
    BINARY_SPECS,
    ONE_VS_REST_SPECS,
    REFERENCE_METRICS_BINARY,
    REFERENCE_METRICS_MULTICLASS,
    REGRESSION_METRICS,
    Confusion,
    RegressionStats,
    aggregate_sources,
    aggregates,
)
from ._significance import homogeneity_p_value
from ._targets import Targets, as_column, validate_score, validate_targets

__all__ = ["group_metrics", "group_metrics_from_counts", "calibration_table", "ECE_BINS"]

#: Equal-width bins of ``expected_calibration_error``.
ECE_BINS = 10

Key = tuple[str, "str | None"]  # (metric name, class label or None)


@dataclasses.dataclass
class _Plan:
    """Everything :func:`_evaluate` needs, prepared once per call."""

    targets: Targets
    encoding: Encoding
    score: np.ndarray | None
    group_of_row: list[np.ndarray]
    score_orders: list[ScoreOrder]
    bin_of_row: np.ndarray | None
    reference_index: list[np.ndarray | None]
    population_share: list[np.ndarray | None]
    #: per grouping and metric, the groups its aggregates compare (enough support; fixed
    #: by the data, not redrawn per replicate); a metric absent here compares every group
    eligible: list[dict[Key, np.ndarray]] = dataclasses.field(default_factory=list)
    #: rows behind the figures (more than the targets' length when they come with counts)
    n_rows: int = 0
    #: value of a rate whose denominator is 0 (NaN: undefined)
    zero_division: float = np.nan
    #: sample weights per row (None: every row weighs 1); ``cells`` then hold weighted sums
    sample_weight: np.ndarray | None = None
    #: with sample weights: unweighted row counts and sums of squared weights per cell slot
    row_cells: np.ndarray | None = None
    square_cells: np.ndarray | None = None
    #: reference_group="min_metric": per grouping, metric -> the group with the lowest
    #: point value among the compared groups (chosen once, kept in every replicate)
    min_reference: list[dict[Key, int]] | None = None

    @property
    def needs_rows(self) -> bool:
        return self.score is not None or self.targets.task == "regression"


@dataclasses.dataclass
class _GroupingValues:
    """One grouping's figures with a leading replicate axis: per group ``(L, G)``, aggregates ``(L,)``."""

    sizes: np.ndarray
    per_group: dict[Key, np.ndarray]
    aggregate: dict[Key, np.ndarray]


# -- validation of the options -------------------------------------------------------------

def _check_n_boot(n_boot: Any) -> int:
    if isinstance(n_boot, bool) or not isinstance(n_boot, numbers.Integral) or n_boot < 0:
        raise UsageError(msg.N_BOOT.format(n_boot=n_boot))
    return int(n_boot)


def _check_ci(ci: Any) -> float:
    if isinstance(ci, bool) or not isinstance(ci, numbers.Real) or not 0.0 < float(ci) < 1.0:
        raise UsageError(msg.CI_LEVEL.format(ci=ci))
    return float(ci)


#: reference_group value that picks, per metric, the group with the lowest value (Aequitas).
MIN_METRIC = "min_metric"


def _reference_codes(reference_group: Any, encoding: Encoding) -> dict[str, int]:
    if reference_group is None or (isinstance(reference_group, str) and reference_group == MIN_METRIC):
        return {}
    if not isinstance(reference_group, Mapping):
        shown = "another str" if isinstance(reference_group, str) else type(reference_group).__name__
        raise UsageError(msg.REFERENCE_TYPE.format(type_name=shown))
    codes = {}
    for feature, value in reference_group.items():
        name = str(feature)
        if name not in encoding.names:
            raise UsageError(msg.REFERENCE_UNKNOWN_FEATURE.format(feature=feature,
                                                                  known=list(encoding.names)))
        levels = encoding.feature(name).levels
        if level_key(value) not in levels:
            raise UsageError(msg.REFERENCE_UNKNOWN_VALUE.format(feature=name, count=len(levels)))
        codes[name] = levels.index(level_key(value))
    return codes


def _population_shares(population_shares: Any, encoding: Encoding) -> dict[str, np.ndarray]:
    if population_shares is None:
        return {}
    if not isinstance(population_shares, Mapping) or not all(
            isinstance(v, Mapping) for v in population_shares.values()):
        raise UsageError(msg.POPULATION_TYPE.format(type_name=type(population_shares).__name__))
    out = {}
    for feature, shares in population_shares.items():
        name = str(feature)
        if name not in encoding.names:
            raise UsageError(msg.POPULATION_UNKNOWN_FEATURE.format(feature=feature,
                                                                   known=list(encoding.names)))
        levels = encoding.feature(name).levels
        array = np.full(len(levels), np.nan)
        for value, share in shares.items():
            if level_key(value) not in levels:
                raise UsageError(msg.POPULATION_UNKNOWN_VALUE.format(feature=name, count=len(levels)))
            if isinstance(share, bool) or not isinstance(share, numbers.Real) \
                    or not 0.0 < float(share) <= 1.0:
                raise UsageError(msg.POPULATION_BAD_SHARE.format(feature=name, value=value, share=share))
            array[levels.index(level_key(value))] = float(share)
        out[name] = array
    return out


# -- evaluation: statistics -> metrics, for any number of replicates -------------------------

def _regression_stats(plan: _Plan, index: int, weights: np.ndarray | None,
                      total: np.ndarray) -> RegressionStats:
    group = plan.group_of_row[index]
    size = plan.encoding.groupings[index].size
    y_true, y_pred = plan.targets.true_value, plan.targets.pred_value
    if y_true is None or y_pred is None:
        raise RuntimeError("regression statistics need the targets' numeric values")
    error = y_true - y_pred
    n = group_sums(group, size, None, weights)
    sum_true = group_sums(group, size, y_true, weights)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_true = sum_true / n
    deviation = y_true[None, :] - np.nan_to_num(mean_true)[:, group]
    sum_sq_deviation = group_sums(group, size, deviation * deviation, weights)
    scale = np.abs(np.nan_to_num(mean_true)) + np.finfo(np.float64).tiny
    tolerance = n * (n * 4 * np.finfo(np.float64).eps * scale) ** 2
    return RegressionStats(
        n=n, sum_true=sum_true, sum_pred=group_sums(group, size, y_pred, weights),
        sum_abs_error=group_sums(group, size, np.abs(error), weights),
        sum_sq_error=group_sums(group, size, error * error, weights),
        sum_sq_deviation=sum_sq_deviation, constant_true=sum_sq_deviation <= tolerance, total=total)


def _score_metrics(plan: _Plan, index: int, weights: np.ndarray | None) -> dict[Key, np.ndarray]:
    group = plan.group_of_row[index]
    size = plan.encoding.groupings[index].size
    positive = plan.targets.true_code.astype(np.float64)
    score, bin_of_row = plan.score, plan.bin_of_row
    if score is None or bin_of_row is None:
        raise RuntimeError("score metrics need the scores and their calibration bins")
    n = group_sums(group, size, None, weights)
    binned = group * ECE_BINS + bin_of_row
    bin_score = group_sums(binned, size * ECE_BINS, score, weights).reshape(-1, size, ECE_BINS)
    bin_positive = group_sums(binned, size * ECE_BINS, positive, weights).reshape(-1, size, ECE_BINS)
    with np.errstate(divide="ignore", invalid="ignore"):
        brier = group_sums(group, size, (score - positive) ** 2, weights) / n
        ece = np.abs(bin_score - bin_positive).sum(axis=-1) / n
        log_loss = group_sums(group, size, _row_log_loss(score, positive), weights) / n
    return {("roc_auc_score", None): auc_by_group(plan.score_orders[index], weights),
            ("brier_score_loss", None): brier, ("expected_calibration_error", None): ece,
            ("log_loss", None): log_loss}


def _row_log_loss(score: np.ndarray, positive: np.ndarray) -> np.ndarray:
    """Per-row cross-entropy, scores clipped to [eps, 1 - eps] as scikit-learn's ``log_loss``."""
    eps = np.finfo(score.dtype).eps
    clipped = np.clip(score, eps, 1 - eps)
    return -(positive * np.log(clipped) + (1.0 - positive) * np.log1p(-clipped))


def _per_group(plan: _Plan, index: int, tables: np.ndarray, weights: np.ndarray | None,
               total: np.ndarray) -> dict[Key, np.ndarray]:
    targets = plan.targets
    z = plan.zero_division
    if targets.task == "binary":
        confusion = Confusion.from_tables(tables, total)
        values: dict[Key, np.ndarray] = {(spec.name, None): spec.value(confusion, z) for spec in BINARY_SPECS}
        if plan.score is not None:
            values.update(_score_metrics(plan, index, weights))
        return values
    if targets.task == "multiclass":
        n = tables.sum(axis=(-2, -1))
        with np.errstate(divide="ignore", invalid="ignore"):
            values = {("count", None): n, ("share", None): n / total,
                      ("accuracy_score", None): np.trace(tables, axis1=-2, axis2=-1) / n}
        for code, label in enumerate(targets.classes):
            confusion = Confusion.one_vs_rest(tables, code, total)
            for spec in ONE_VS_REST_SPECS:
                values[(spec.name, str(label))] = spec.value(confusion, z)
        return values
    stats = _regression_stats(plan, index, weights, total)
    return {(name, None): function(stats) for name, function in REGRESSION_METRICS}


def _labels(plan: _Plan) -> list[str | None]:
    return [None] + [str(c) for c in plan.targets.classes] if plan.targets.task == "multiclass" else [None]


def _reference_metrics(plan: _Plan, label: str | None) -> tuple[str, ...]:
    task = plan.targets.task
    if task == "binary":
        return REFERENCE_METRICS_BINARY
    if task == "multiclass":
        return ("accuracy_score",) if label is None else REFERENCE_METRICS_MULTICLASS
    return tuple(name for name, _ in REGRESSION_METRICS if name not in ("count", "share"))


def _evaluate(plan: _Plan, cells: np.ndarray, weights: np.ndarray | None) -> list[_GroupingValues]:
    """All figures of every grouping from per-cell tables ``(L, C, K, K)`` (and row weights)."""
    total = cells.sum(axis=(1, 2, 3))[:, None]
    results: list[_GroupingValues] = []
    overall: dict[Key, np.ndarray] = {}
    for index, grouping in enumerate(plan.encoding.groupings):
        tables = group_tables(cells, grouping.group_of_cell, grouping.size,
                              is_identity=grouping.is_identity)
        sizes = tables.sum(axis=(-2, -1))
        values = _per_group(plan, index, tables, weights, total)
        empty = sizes == 0
        values = {key: np.where(empty, np.nan, value) for key, value in values.items()}
        if index == 0:
            overall = {key: value[:, 0] for key, value in values.items()}
            results.append(_GroupingValues(sizes, values, {}))
            continue
        aggregate: dict[Key, np.ndarray] = {}
        eligible = plan.eligible[index] if plan.eligible else {}
        for label in _labels(plan):
            mine = {name: value if (name, lab) not in eligible else
                    np.where(eligible[(name, lab)], value, np.nan)
                    for (name, lab), value in values.items() if lab == label}
            theirs = {name: value for (name, lab), value in overall.items() if lab == label}
            fairness = plan.targets.task != "regression" and "selection_rate" in mine
            for name, value in aggregates(mine, theirs, fairness=fairness).items():
                aggregate[(name, label)] = value
        reference = plan.reference_index[index]
        chosen = plan.min_reference[index] if plan.min_reference is not None else None
        if reference is not None or chosen is not None:
            for label in _labels(plan):
                for name in _reference_metrics(plan, label):
                    value = values[(name, label)]
                    if reference is not None:
                        base = value[:, reference]
                    elif chosen is not None and chosen.get((name, label), -1) >= 0:
                        base = np.repeat(value[:, [chosen[(name, label)]]], value.shape[1], axis=1)
                    else:
                        base = np.full_like(value, np.nan)
                    with np.errstate(divide="ignore", invalid="ignore"):
                        ratio = np.where(base != 0, value / base, np.nan)
                    values[(f"{name}_difference_to_reference", label)] = value - base
                    values[(f"{name}_ratio_to_reference", label)] = ratio
                if reference is not None and (label is not None or plan.targets.task == "binary"):
                    # AIF360's average (absolute) odds difference, group - reference
                    tpr = values[("true_positive_rate_difference_to_reference", label)]
                    fpr = values[("false_positive_rate_difference_to_reference", label)]
                    values[("average_odds_difference", label)] = (tpr + fpr) / 2
                    values[("average_abs_odds_difference", label)] = (np.abs(tpr) + np.abs(fpr)) / 2
        population = plan.population_share[index]
        if population is not None:
            values[("representation_ratio", None)] = values[("share", None)] / population
        results.append(_GroupingValues(sizes, values, aggregate))
    return results


# -- support and score intervals: from the point counts only ------------------------------------

def _supports(plan: _Plan, tables: np.ndarray) -> tuple[dict[Key, np.ndarray], dict[Key, tuple]]:
    """Per metric, its support per group ``(G,)`` and, for binomial rates, (numerator, denominator).

    ``tables`` are one grouping's point tables ``(1, G, K, K)``.
    """
    total = tables.sum(axis=(1, 2, 3))[:, None]
    support: dict[Key, np.ndarray] = {}
    binomial: dict[Key, tuple[np.ndarray, np.ndarray]] = {}

    def add(specs: Sequence[Any], confusion: Confusion, label: str | None) -> None:
        for spec in specs:
            support[(spec.name, label)] = spec.support(confusion)[0]
            if spec.numerator is not None:
                binomial[(spec.name, label)] = (spec.numerator(confusion)[0], spec.support(confusion)[0])

    task = plan.targets.task
    n = tables.sum(axis=(-2, -1))[0]
    if task == "binary":
        confusion = Confusion.from_tables(tables, total)
        add(BINARY_SPECS, confusion, None)
        if plan.score is not None:
            both = np.minimum(confusion.tp + confusion.fn, confusion.tn + confusion.fp)[0]
            support.update({("roc_auc_score", None): both, ("brier_score_loss", None): n,
                            ("expected_calibration_error", None): n, ("log_loss", None): n})
    elif task == "multiclass":
        support.update({("count", None): n, ("share", None): n, ("accuracy_score", None): n})
        binomial[("accuracy_score", None)] = (np.trace(tables, axis1=-2, axis2=-1)[0], n)
        for code, label in enumerate(plan.targets.classes):
            add(ONE_VS_REST_SPECS, Confusion.one_vs_rest(tables, code, total), str(label))
    else:
        support.update({(name, None): n for name, _ in REGRESSION_METRICS})
    return support, binomial


# -- output ------------------------------------------------------------------------------------

def _rows(plan: _Plan, point: list[_GroupingValues], low: list[_GroupingValues] | None,
          high: list[_GroupingValues] | None, score: list[dict[Key, tuple]]) -> pd.DataFrame:
    """Tidy rows: overall first, then each grouping's groups (level order) then its aggregates.

    A binomial rate's interval is its score interval (``score``); other figures take the
    bootstrap's (NaN without one).
    """
    columns: dict[str, list[Any]] = {c: [] for c in ("metric", "group", "value", "ci_low",
                                                      "ci_high", "n", "over", "label")}
    def add(names: Sequence[Key], values: Sequence[Any], lows: Sequence[Any], highs: Sequence[Any],
            group: dict | None, over: tuple[str, ...] | None, n: int) -> None:
        for (name, label), value, lo, hi in zip(names, values, lows, highs, strict=True):
            columns["metric"].append(name)
            columns["group"].append(None if group is None else dict(group))
            columns["value"].append(value)
            columns["ci_low"].append(lo)
            columns["ci_high"].append(hi)
            columns["n"].append(n)
            columns["over"].append(None if over is None else list(over))
            columns["label"].append(label)

    for index, grouping in enumerate(plan.encoding.groupings):
        mine = point[index]
        names = list(mine.per_group)
        stacked = np.stack([mine.per_group[k][0] for k in names], axis=1)  # (G, M)
        nan = np.full(stacked.shape[0], np.nan)
        bounds = []
        for side, boot in ((0, low), (1, high)):
            columns_ = []
            for k in names:
                if k in score[index]:
                    bound = score[index][k][side]
                    columns_.append(np.where(np.isnan(mine.per_group[k][0]), np.nan, bound))
                else:
                    columns_.append(nan if boot is None else boot[index].per_group.get(k, nan))
            bounds.append(np.stack(columns_, axis=1))
        stacked_low, stacked_high = bounds
        sizes = mine.sizes[0].astype(np.int64)
        for g, group_key in enumerate(grouping.keys):
            over = None if index == 0 else grouping.features
            add(names, stacked[g], stacked_low[g], stacked_high[g], group_key, over, int(sizes[g]))
        if mine.aggregate:
            agg_names = list(mine.aggregate)
            values = np.array([mine.aggregate[k][0] for k in agg_names])
            lows = np.full(len(agg_names), np.nan) if low is None else \
                np.array([low[index].aggregate.get(k, np.nan) for k in agg_names])
            highs = np.full(len(agg_names), np.nan) if high is None else \
                np.array([high[index].aggregate.get(k, np.nan) for k in agg_names])
            eligible = plan.eligible[index] if plan.eligible else {}
            for key, value, lo, hi in zip(agg_names, values, lows, highs, strict=True):
                name, label = key
                compared = np.zeros(len(sizes), dtype=bool)
                for source in aggregate_sources(name):
                    source_value = mine.per_group.get((source, label))
                    if source_value is None:
                        continue
                    compared |= ~np.isnan(source_value[0]) & eligible.get((source, label), True)
                add([key], [value], [lo], [hi], None, grouping.features, int(sizes[compared].sum()))
    # object columns keep None as None (pandas would turn it into NaN in a str column)
    return metrics_frame(pd.DataFrame({name: pd.Series(values, dtype=object)
                                       if name in ("group", "over", "label") else values
                                       for name, values in columns.items()}))


def _intervals(plan: _Plan, point: list[_GroupingValues], cells: np.ndarray, n_boot: int,
               ci: float, random_state: Any,
               skip: list[dict[Key, Any]]) -> tuple[list[_GroupingValues], list[_GroupingValues]]:
    rng = np.random.default_rng(random_state)
    n_rows = plan.n_rows
    if plan.needs_rows:
        targets = plan.targets
        chunks = []
        for weights in row_weight_replicates(n_rows, n_boot, rng):
            if plan.sample_weight is not None:
                weights = weights * plan.sample_weight[None, :]
            tables = weighted_cell_tables(plan.encoding.cell_of_row, plan.encoding.n_cells, targets.true_code,
                                          targets.pred_code, targets.n_classes, weights)
            if targets.task != "regression":  # confusion counts get the Jeffreys pseudo-counts
                tables, weights = smoothed_tables(tables, cells, weights, rng, plan.square_cells)
            else:
                scale = cells.sum() / weights.sum(axis=1)
                tables, weights = tables * scale[:, None, None, None], weights * scale[:, None]
            chunks.append(_evaluate(plan, tables, weights))
    else:
        chunks = [_evaluate(plan, draw, None) for draw in cell_replicates(cells, n_boot, rng, plan.square_cells)]
    lows, highs = [], []
    for index, mine in enumerate(point):
        # point-only figures (people counts, effective sample sizes) and binomial rates (score
        # intervals) need no bootstrap interval; the rest go through one sort per grouping
        per_keys = [key for key in mine.per_group if key in chunks[0][index].per_group
                    and key not in skip[index] and not (plan.row_cells is not None and key == ("count", None))]
        agg_keys = [key for key in mine.aggregate if key in chunks[0][index].aggregate]
        replicates = np.concatenate(
            [np.concatenate([chunk[index].per_group[key] for chunk in chunks]) for key in per_keys]
            + [np.concatenate([chunk[index].aggregate[key] for chunk in chunks])[:, None] for key in agg_keys],
            axis=1) if per_keys or agg_keys else np.empty((n_boot, 0))
        estimate = np.concatenate([mine.per_group[key][0] for key in per_keys]
                                  + [mine.aggregate[key] for key in agg_keys]) if per_keys or agg_keys \
            else np.empty(0)
        low, high = percentile_interval(replicates, estimate, ci)
        size = len(mine.sizes[0])
        per_low, per_high, agg_low, agg_high = {}, {}, {}, {}
        for i, key in enumerate(per_keys):
            per_low[key], per_high[key] = low[i * size:(i + 1) * size], high[i * size:(i + 1) * size]
        offset = len(per_keys) * size
        for i, key in enumerate(agg_keys):
            agg_low[key], agg_high[key] = low[offset + i], high[offset + i]
        lows.append(_GroupingValues(mine.sizes, per_low, agg_low))
        highs.append(_GroupingValues(mine.sizes, per_high, agg_high))
        if index > 0:
            _bootstrap_p_values(plan, index, mine, chunks)
    return lows, highs


def _bootstrap_p_values(plan: _Plan, index: int, mine: _GroupingValues, chunks: list) -> None:
    """``<metric>_difference_p_value`` for the metrics without a chi-square test, from the bootstrap.

    Under "no difference" the gap max - min of the groups' values is the gap of their
    sampling errors alone; the replicates of ``theta*_g - theta_g`` (centred on each
    group's estimate) give that null distribution, and the p-value is
    (1 + #{null gap >= observed gap}) / (1 + replicates).
    """
    eligible = plan.eligible[index] if plan.eligible else {}
    for (name, label), value in list(mine.per_group.items()):
        observed = mine.aggregate.get((f"{name}_difference", label))
        if observed is None or (f"{name}_difference_p_value", label) in mine.aggregate \
                or name.startswith("num_") or (name, label) not in chunks[0][index].per_group:
            continue
        compared = ~np.isnan(value[0]) & eligible.get((name, label), True)
        if compared.sum() < 2 or np.isnan(observed[0]):
            p = np.nan
        else:
            replicates = np.concatenate([chunk[index].per_group[(name, label)] for chunk in chunks])[:, compared]
            centred = replicates - value[0][compared]
            valid = (~np.isnan(centred)).sum(axis=1) >= 2
            with np.errstate(invalid="ignore"):
                gap = np.fmax.reduce(centred, axis=1) - np.fmin.reduce(centred, axis=1)
            gap = gap[valid]
            p = (1.0 + float((gap >= observed[0] - 1e-12).sum())) / (1.0 + len(gap)) if len(gap) else np.nan
        mine.aggregate[(f"{name}_difference_p_value", label)] = np.array([p])


def group_metrics(y_true: Any, y_pred: Any, *, sensitive_features: Any, y_score: Any = None,
                  task: str | None = None, pos_label: Any = None, intersections: bool = True,
                  reference_group: Mapping[str, Any] | str | None = None,
                  population_shares: Mapping[str, Mapping[Any, float]] | None = None,
                  n_boot: int = 0, ci: float = 0.95, random_state: Any = 0,
                  min_group_size: int = 0, zero_division: float | None = None,
                  sample_weight: Any = None, control_features: Any = None) -> pd.DataFrame:
    """Per-group metrics, fairness aggregates and bootstrap intervals as one tidy frame.

    Groups are encoded once; one ``np.bincount`` gives a (cell x y_true x y_pred) count
    table, and every rate, difference, ratio and interval is derived from it. Point
    estimates equal fairlearn 0.15's ``MetricFrame`` with scikit-learn metrics (same
    edge-case conventions; see :mod:`audit.fairness._metrics`), except that
    ``roc_auc_score`` is NaN for a group with a single class, where scikit-learn raises.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,)
        Labels (binary, multiclass) or numbers (regression).
    sensitive_features : DataFrame, dict of columns, Series, or 1-D/2-D array
        One column per sensitive feature. Unnamed columns are called
        ``sensitive_feature_0``, ``sensitive_feature_1``, ...; names are shown as str.
        Missing values form their own group (shown as None), listed last.
    y_score : array-like of shape (n,), optional
        Probability of the positive class (binary only), for ``roc_auc_score``,
        ``brier_score_loss`` and ``expected_calibration_error`` (10 equal-width bins).
    task : {"binary", "multiclass", "regression"}, optional
        Inferred when None: regression when y_true or y_pred is float with a non-integer
        value, binary when the classes number at most two, else multiclass.
    pos_label : optional
        Positive class (binary). Default 1 if present, else the larger class.
    intersections : bool
        With two or more features, also report the full intersection, empty cells
        included (n = 0, value NaN), as fairlearn does.
    reference_group : dict feature -> value, or "min_metric", optional
        Adds ``<metric>_difference_to_reference`` (group - reference) and
        ``<metric>_ratio_to_reference`` (NaN where the reference value is 0) per group,
        for every grouping containing all the named features. In a grouping with more
        features, each group is compared with the group that has the reference values on
        the named features and its own values on the others (e.g. White women aged 30-40
        for Black women aged 30-40). A named reference also adds AIF360's
        ``average_odds_difference`` ((TPR gap + FPR gap) / 2) and
        ``average_abs_odds_difference`` ((|TPR gap| + |FPR gap|) / 2) per group.
        ``"min_metric"`` (Aequitas' option) compares, per metric and grouping, with the
        group that has the lowest value among the compared groups (chosen from the data,
        kept in every bootstrap replicate).
    population_shares : dict feature -> {value: share}, optional
        Adds ``representation_ratio`` = share of the group in the data / population
        share, in the single-feature groupings named (NaN for values not given).
    n_boot : int
        Bootstrap replicates for the intervals of everything that is not a binomial rate
        (aggregates, F1, balanced accuracy, AUC, regression errors; 0: NaN bounds). A
        binomial rate of a group (selection rate, TPR, FPR, precision, ...) always gets
        the Wilson score interval of its own numerator and denominator, which stays wide
        at 0 and 1 and at small n. A replicate is a Bayesian bootstrap of the count table,
        ``N * Dirichlet(counts + 1/2)`` with the Jeffreys 1/2 in every slot of a non-empty
        cell, so a gap decided by a rate observed at 0 of 3 does not collapse to a point;
        with row-level metrics (y_score, regression) the rows get Exp(1) weights and the
        sufficient statistics are weighted bincount sums, chunked to bound memory (see
        :mod:`audit.fairness._bootstrap`). Intervals ignore NaN replicates and are NaN
        where the estimate is NaN.
    ci : float
        Interval level in (0, 1).
    random_state : seed for ``numpy.random.default_rng``.
    min_group_size : int
        Aggregates (differences, ratios, group min/max, the fairness definitions) of a
        metric compare only groups with at least this many rows in that metric's own
        denominator: positives for TPR/FNR, negatives for FPR/TNR, predicted positives
        for precision, rows for selection rate and accuracy (a 33-row group with 3
        positives does not enter a TPR gap at 30). Smaller groups are still reported per
        group. The choice of groups is fixed by the data, not redrawn per bootstrap
        replicate, and an aggregate row's ``n`` counts the rows of the groups it compares
        (where the rate is defined).
        ``to_overall`` aggregates still compare against the overall value of all rows.
        0 (default) compares every non-empty group, exactly as fairlearn does; a tiny
        group's rate is 0 or 1 by chance, so without a floor the gap between groups
        mostly measures the smallest group's noise.
    sample_weight : array-like of shape (n,), optional
        Non-negative weight per row. Every metric and aggregate is then the weighted
        figure, equal to fairlearn's ``MetricFrame(..., sample_params={"sample_weight":
        w})`` with scikit-learn's weighted metrics; the count table holds weight sums.
        ``count`` and ``n`` stay numbers of rows (people), which also decide
        ``min_group_size``; each group adds ``effective_sample_size`` (Kish's
        (sum w)^2 / sum w^2), the n of its rates' Wilson intervals; the bootstrap weights
        each row by w times an Exp(1) draw (on the count table: a moment-matched Gamma).
    control_features : DataFrame, dict of columns, Series or array, optional
        fairlearn's control features: every figure is computed within each stratum (each
        combination of the control features' levels, missing as its own level), so
        aggregates compare groups only within a stratum. Every row's ``group`` then starts
        with the stratum's values: the stratum's overall rows have ``over`` None, its
        aggregate rows ``group`` = the stratum. A control feature needs at least two
        levels and a name that is not a sensitive feature's.
    zero_division : None (default), 0 or 1
        The value of a rate whose denominator is 0 in a non-empty group (TPR of a group
        without positives, precision of a group with nothing predicted positive). None:
        undefined, NaN, and left out of every aggregate. 0 reproduces fairlearn's and
        scikit-learn's convention exactly.

    Returns
    -------
    pandas.DataFrame with columns ``audit._results.METRIC_COLUMNS``: overall rows
    (group None, over None), then per grouping (each feature in the given order, then the
    intersection) the per-group rows, groups in level order, then the aggregate rows
    (group None, ``over`` = the grouping's features, n = the rows of the groups compared).
    """
    n_boot, ci, min_group_size = _check_options(n_boot, ci, min_group_size)
    zero = _check_zero_division(zero_division)
    if control_features is not None:
        return _by_stratum(y_true, y_pred, control_features, dict(
            sensitive_features=sensitive_features, y_score=y_score, task=task, pos_label=pos_label,
            intersections=intersections, reference_group=reference_group, population_shares=population_shares,
            n_boot=n_boot, ci=ci, random_state=random_state, min_group_size=min_group_size,
            zero_division=zero_division, sample_weight=sample_weight))
    targets = validate_targets(y_true, y_pred, task=task, pos_label=pos_label)
    n_rows = len(targets.true_code)
    score = None if y_score is None else validate_score(y_score, n_rows, targets.task)
    encoding = encode_sensitive_features(sensitive_features, n_rows, intersections=intersections)
    if score is not None or targets.task == "regression":
        targets, encoding, score, sample_weight = _canonical_rows(targets, encoding, score, sample_weight)
    plan = _make_plan(targets, encoding, score, reference_group, population_shares, n_rows)
    plan.zero_division = zero
    cells = cell_table(encoding.cell_of_row, encoding.n_cells, targets.true_code,
                       targets.pred_code, targets.n_classes)
    if sample_weight is not None:
        weights = _check_weights(sample_weight, n_rows, "sample_weight")
        plan.sample_weight = weights
        plan.row_cells = cells
        cells = weighted_cell_tables(encoding.cell_of_row, encoding.n_cells, targets.true_code,
                                     targets.pred_code, targets.n_classes, weights[None, :])
        plan.square_cells = weighted_cell_tables(encoding.cell_of_row, encoding.n_cells, targets.true_code,
                                                 targets.pred_code, targets.n_classes, (weights * weights)[None, :])
    return _compute(plan, cells, n_boot=n_boot, ci=ci, random_state=random_state,
                    min_group_size=min_group_size)


def group_metrics_from_counts(counts: pd.DataFrame, *, target: str, prediction: str,
                              sensitive_features: Sequence[str], count: str, task: str | None = None,
                              pos_label: Any = None, intersections: bool = True,
                              reference_group: Mapping[str, Any] | None = None,
                              population_shares: Mapping[str, Mapping[Any, float]] | None = None,
                              n_boot: int = 0, ci: float = 0.95, random_state: Any = 0,
                              min_group_size: int = 0, zero_division: float | None = None,
                              sample_weight: str | None = None,
                              sample_weight_squares: str | None = None) -> pd.DataFrame:
    """:func:`group_metrics` from a count table instead of rows: what an engine's group-by returns.

    ``counts`` holds one row per distinct (sensitive features..., target, prediction)
    combination and, in column ``count``, how many rows of the full table have it. The
    figures, intervals and row order are exactly those :func:`group_metrics` gives on the
    full table (same seed, same draws), because every count-based metric and the cell
    bootstrap only need this table. Classification only: regression errors, AUC and
    calibration need the rows themselves.

    With sample weights, ``sample_weight`` names the column of each combination's sum of
    weights and ``sample_weight_squares`` that of its sum of squared weights (for the
    effective sample sizes and the weighted bootstrap): the figures then equal
    :func:`group_metrics` with ``sample_weight`` on the full table.
    """
    n_boot, ci, min_group_size = _check_options(n_boot, ci, min_group_size)
    zero = _check_zero_division(zero_division)
    weight_columns = [c for c in (sample_weight, sample_weight_squares) if c is not None]
    if (sample_weight is None) != (sample_weight_squares is None):
        raise UsageError(msg.COUNTS_WEIGHT_COLUMNS)
    missing = [c for c in (target, prediction, count, *sensitive_features, *weight_columns)
               if c not in counts.columns]
    if missing:
        raise UsageError(msg.COUNTS_MISSING_COLUMNS.format(missing=missing, columns=list(counts.columns)))
    weights = counts[count].to_numpy()
    if len(weights) == 0 or not np.issubdtype(weights.dtype, np.integer) or (weights < 0).any():
        raise DataError(msg.COUNTS_BAD.format(column=count, dtype=weights.dtype))
    targets = validate_targets(counts[target].to_numpy(), counts[prediction].to_numpy(), task=task,
                               pos_label=pos_label)
    if targets.task == "regression":
        raise UsageError(msg.COUNTS_REGRESSION)
    encoding = encode_sensitive_features(counts.loc[:, list(sensitive_features)], len(counts),
                                         intersections=intersections)
    plan = _make_plan(targets, encoding, None, reference_group, population_shares, int(weights.sum()))
    plan.zero_division = zero
    cells = weighted_cell_tables(encoding.cell_of_row, encoding.n_cells, targets.true_code,
                                 targets.pred_code, targets.n_classes,
                                 weights.astype(np.float64)[None, :])
    if sample_weight is not None and sample_weight_squares is not None:
        sums = _check_weights(counts[sample_weight], len(counts), sample_weight)
        squares = _check_weights(counts[sample_weight_squares], len(counts), sample_weight_squares)
        plan.row_cells = cells

        def table(values: np.ndarray) -> np.ndarray:
            return weighted_cell_tables(encoding.cell_of_row, encoding.n_cells, targets.true_code,
                                        targets.pred_code, targets.n_classes, values[None, :])

        cells, plan.square_cells = table(sums), table(squares)
    return _compute(plan, cells, n_boot=n_boot, ci=ci, random_state=random_state,
                    min_group_size=min_group_size)


def _by_stratum(y_true: Any, y_pred: Any, control_features: Any, options: dict[str, Any]) -> pd.DataFrame:
    """:func:`group_metrics` within each stratum of the control features, rows tagged with it."""
    targets = validate_targets(y_true, y_pred, task=options["task"], pos_label=options["pos_label"])
    n_rows = len(targets.true_code)
    control = encode_sensitive_features(control_features, n_rows, intersections=True)
    sensitive = dict(_columns(options["sensitive_features"], n_rows))
    for feature in control.features:
        if len(feature.levels) < 2:
            raise UsageError(msg.CONTROL_ONE_LEVEL.format(feature=feature.name))
        if feature.name in sensitive:
            raise UsageError(msg.CONTROL_IS_SENSITIVE.format(feature=feature.name))
    stratum = control.groupings[-1]
    stratum_of_row = stratum.group_of_cell[control.cell_of_row]
    columns = {"y_true": as_column(y_true, "y_true"), "y_pred": as_column(y_pred, "y_pred")}
    for name in ("y_score", "sample_weight"):
        if options[name] is not None:
            columns[name] = as_column(options[name], name)
            if len(columns[name]) != n_rows:
                raise DataError(msg.LENGTH_MISMATCH.format(name=name, got=len(columns[name]), expected=n_rows))
    # the task and positive class of the whole table, so every stratum reads the labels alike
    fixed = {**options, "task": targets.task,
             "pos_label": targets.pos_label if targets.task == "binary" else None}
    parts = []
    for code, key in enumerate(stratum.keys):
        rows = np.flatnonzero(stratum_of_row == code)
        if len(rows) == 0:
            continue
        subset = {name: values[rows] for name, values in columns.items()}
        call = {**fixed, "sensitive_features": {name: (values.iloc[rows] if isinstance(values, pd.Series)
                                                       else values[rows]) for name, values in sensitive.items()},
                "y_score": subset.get("y_score"), "sample_weight": subset.get("sample_weight")}
        frame = group_metrics(subset["y_true"], subset["y_pred"], **call)
        stratum_key = key or {}  # a control grouping always has a key (None is the overall row's)
        frame["group"] = pd.Series([dict(stratum_key) if g is None else {**stratum_key, **g} for g in frame["group"]],
                                   dtype=object, index=frame.index)
        parts.append(frame)
    return metrics_frame(pd.concat(parts, ignore_index=True))


def _check_weights(sample_weight: Any, n_rows: int, name: str) -> np.ndarray:
    """Finite, non-negative weights, one per row, not all zero; messages name no value."""
    weights = as_column(sample_weight, name)
    if len(weights) != n_rows:
        raise DataError(msg.LENGTH_MISMATCH.format(name=name, got=len(weights), expected=n_rows))
    if not np.issubdtype(weights.dtype, np.number) or np.issubdtype(weights.dtype, np.complexfloating) \
            or weights.dtype == np.bool_:
        raise DataError(msg.WEIGHT_NOT_NUMERIC.format(name=name, dtype=weights.dtype))
    weights = weights.astype(np.float64)
    bad = ~np.isfinite(weights)
    if bad.any():
        raise DataError(msg.WEIGHT_NOT_FINITE.format(name=name, count=int(bad.sum())))
    negative = weights < 0
    if negative.any():
        raise DataError(msg.WEIGHT_NEGATIVE.format(name=name, count=int(negative.sum())))
    if not (weights > 0).any():
        raise DataError(msg.WEIGHT_ALL_ZERO.format(name=name))
    return weights


def _check_zero_division(zero_division: Any) -> float:
    """None or NaN: undefined rates are NaN; 0 or 1: that value, as scikit-learn's ``zero_division``."""
    if zero_division is None:
        return np.nan
    if not isinstance(zero_division, bool) and isinstance(zero_division, numbers.Real) and (
            np.isnan(float(zero_division)) or float(zero_division) in (0.0, 1.0)):
        return float(zero_division)
    raise UsageError(msg.ZERO_DIVISION.format(zero_division=zero_division))


def _check_options(n_boot: Any, ci: Any, min_group_size: Any) -> tuple[int, float, int]:
    if isinstance(min_group_size, bool) or not isinstance(min_group_size, numbers.Integral) \
            or min_group_size < 0:
        raise UsageError(msg.MIN_GROUP_SIZE.format(min_group_size=min_group_size))
    return _check_n_boot(n_boot), _check_ci(ci), int(min_group_size)


def _canonical_rows(targets: Targets, encoding: Encoding, score: np.ndarray | None,
                    sample_weight: Any) -> tuple[Targets, Encoding, np.ndarray | None, Any]:
    """The rows in one order fixed by their values, so the row bootstrap does not follow the table's order.

    The row-weight bootstrap draws one weight per row position, and the weighted sums add
    rows in position order: sorting rows by (cell, labels, values, score, weight) first makes
    every figure the same, bit for bit, whatever order the table came in. Rows equal in
    every key are interchangeable, so how ties fall does not matter.
    """
    keys = [encoding.cell_of_row, targets.true_code, targets.pred_code]
    if targets.true_value is not None:
        keys += [np.asarray(targets.true_value, dtype=np.float64), np.asarray(targets.pred_value, dtype=np.float64)]
    if score is not None:
        keys.append(np.asarray(score, dtype=np.float64))
    weights = None
    if sample_weight is not None:
        weights = np.asarray(sample_weight)
        if weights.ndim == 1 and len(weights) == len(encoding.cell_of_row) and weights.dtype.kind in "biuf":
            keys.append(weights.astype(np.float64))
        else:
            weights = None  # left for the weight checks to refuse, unpermuted
    order = np.lexsort(keys[::-1])
    targets = dataclasses.replace(
        targets, true_code=targets.true_code[order], pred_code=targets.pred_code[order],
        true_value=None if targets.true_value is None else np.asarray(targets.true_value)[order],
        pred_value=None if targets.pred_value is None else np.asarray(targets.pred_value)[order])
    encoding = dataclasses.replace(encoding, cell_of_row=encoding.cell_of_row[order],
                                   features=tuple(dataclasses.replace(f, codes=np.asarray(f.codes)[order])
                                                  for f in encoding.features))
    return (targets, encoding, None if score is None else score[order],
            sample_weight if weights is None else weights[order])


def _make_plan(targets: Targets, encoding: Encoding, score: np.ndarray | None, reference_group: Any,
               population_shares: Any, n_rows: int) -> _Plan:
    """Everything the evaluation needs that does not depend on the (resampled) counts."""
    reference = _reference_codes(reference_group, encoding)
    population = _population_shares(population_shares, encoding)
    needs_rows = score is not None or targets.task == "regression"
    group_of_row = [grouping.group_of_cell[encoding.cell_of_row]
                    for grouping in encoding.groupings] if needs_rows else []
    reference_index: list[np.ndarray | None] = []
    population_share: list[np.ndarray | None] = []
    for grouping in encoding.groupings:
        if reference and grouping.features and set(reference) <= set(grouping.features):
            codes = grouping.level_codes.copy()
            for name, code in reference.items():
                codes[:, grouping.features.index(name)] = code
            reference_index.append(group_index_of(grouping, codes))
        else:
            reference_index.append(None)
        single = grouping.features[0] if len(grouping.features) == 1 else None
        population_share.append(population.get(single) if single is not None else None)
    return _Plan(
        targets=targets, encoding=encoding, score=score, group_of_row=group_of_row,
        score_orders=[] if score is None else [
            score_order(group, grouping.size, score, targets.true_code)
            for group, grouping in zip(group_of_row, encoding.groupings, strict=True)],
        bin_of_row=None if score is None else calibration_bins(score, ECE_BINS)[0],
        reference_index=reference_index, population_share=population_share, n_rows=n_rows,
        min_reference=[] if isinstance(reference_group, str) and reference_group == MIN_METRIC else None)


def _effective(numerator: np.ndarray, denominator: np.ndarray,
               squares: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A weighted proportion as (successes, trials) on its effective sample size (Kish)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = np.where(squares > 0, denominator * denominator / squares, 0.0)
        rate = np.where(denominator > 0, numerator / denominator, 0.0)
    return rate * n_eff, n_eff


def _weighted_sizes(plan: _Plan, point: list[_GroupingValues]) -> None:
    """With sample weights, each group's effective sample size.

    ``count`` and ``n`` are people (rows), and each group reports its ``effective_sample_size``;
    the weighted metrics stay as computed.
    """
    row_cells, square_cells = plan.row_cells, plan.square_cells
    if row_cells is None or square_cells is None:
        raise RuntimeError("effective sample sizes need the unweighted and squared-weight cell tables")
    for grouping, mine in zip(plan.encoding.groupings, point, strict=True):
        rows = group_tables(row_cells, grouping.group_of_cell, grouping.size,
                            is_identity=grouping.is_identity).sum(axis=(-2, -1))
        weight = mine.sizes
        squares = group_tables(square_cells, grouping.group_of_cell, grouping.size,
                               is_identity=grouping.is_identity).sum(axis=(-2, -1))
        with np.errstate(divide="ignore", invalid="ignore"):
            n_eff = np.where(squares > 0, weight * weight / squares, np.nan)
        mine.sizes = rows
        mine.per_group[("count", None)] = np.where(rows > 0, rows, np.nan)
        mine.per_group[("effective_sample_size", None)] = np.where(rows > 0, n_eff, np.nan)


def _add_p_values(plan: _Plan, point: list[_GroupingValues], binomial: list[dict[Key, tuple]]) -> None:
    """Append each grouping's chi-square p-values of "no difference" to its aggregates.

    ``<rate>_difference_p_value`` for every binomial rate (the test of its difference and
    ratio alike), and the fairness definitions' ``demographic_parity_difference_p_value``,
    ``equal_opportunity_difference_p_value`` and ``equalized_odds_difference_p_value``
    (Bonferroni of the TPR and FPR tests). The groups tested are those the aggregates compare.
    """
    for index, mine in enumerate(point):
        if index == 0:
            continue
        eligible = plan.eligible[index] if plan.eligible else {}
        p_values: dict[Key, float] = {}
        for key, (successes, trials) in binomial[index].items():
            defined = ~np.isnan(mine.per_group[key][0]) & eligible.get(key, True)
            p_values[key] = homogeneity_p_value(successes, trials, defined)
        for (name, label), p in p_values.items():
            mine.aggregate[(f"{name}_difference_p_value", label)] = np.array([p])
        for label in _labels(plan):
            sel = p_values.get(("selection_rate", label))
            tpr = p_values.get(("true_positive_rate", label))
            fpr = p_values.get(("false_positive_rate", label))
            if sel is None or tpr is None or fpr is None:
                continue
            mine.aggregate[("demographic_parity_difference_p_value", label)] = np.array([sel])
            mine.aggregate[("equal_opportunity_difference_p_value", label)] = np.array([tpr])
            both = np.nan if np.isnan(tpr) or np.isnan(fpr) else min(1.0, 2 * min(tpr, fpr))
            mine.aggregate[("equalized_odds_difference_p_value", label)] = np.array([both])


def _lowest_groups(plan: _Plan, point: list[_GroupingValues]) -> list[dict[Key, int]]:
    """Per grouping and reference metric, the compared group with the lowest point value (-1: none)."""
    out: list[dict[Key, int]] = []
    for index, mine in enumerate(point):
        chosen: dict[Key, int] = {}
        eligible = plan.eligible[index] if plan.eligible else {}
        for label in _labels(plan):
            for name in _reference_metrics(plan, label):
                value = mine.per_group[(name, label)][0]
                value = np.where(eligible.get((name, label), True), value, np.nan)
                chosen[(name, label)] = -1 if np.isnan(value).all() else int(np.nanargmin(value))
        out.append(chosen)
    return out


def _compute(plan: _Plan, cells: np.ndarray, *, n_boot: int, ci: float, random_state: Any,
             min_group_size: int) -> pd.DataFrame:
    score_intervals: list[dict[Key, tuple]] = []
    score_intervals_input: list[dict[Key, tuple]] = []  # (successes, trials) of each binomial rate
    plan.eligible = []
    min_metric = plan.min_reference is not None
    plan.min_reference = None
    for grouping in plan.encoding.groupings:
        def tables_of(table: np.ndarray, grouping: Any = grouping) -> np.ndarray:
            return group_tables(table, grouping.group_of_cell, grouping.size, is_identity=grouping.is_identity)

        tables = tables_of(cells)
        if plan.row_cells is None or plan.square_cells is None:
            support, binomial = _supports(plan, tables)
        else:
            # people decide eligibility; a weighted rate's interval uses the effective sample
            # size (sum w)^2 / sum w^2 of its denominator
            support, _ = _supports(plan, tables_of(plan.row_cells))
            _, binomial = _supports(plan, tables)
            _, squares = _supports(plan, tables_of(plan.square_cells))
            binomial = {key: _effective(num, den, squares[key][1]) for key, (num, den) in binomial.items()}
        # a group is compared on a metric only with enough of that metric's own denominator
        plan.eligible.append({key: value >= max(min_group_size, 0) for key, value in support.items()}
                             if min_group_size > 0 else {})
        score_intervals.append({key: wilson_bounds(num, den, ci) for key, (num, den) in binomial.items()})
        score_intervals_input.append(binomial)
    point_weights = None if plan.sample_weight is None else plan.sample_weight[None, :]
    if min_metric:
        plan.min_reference = _lowest_groups(plan, _evaluate(plan, cells, point_weights))
    point = _evaluate(plan, cells, point_weights)
    if plan.row_cells is not None:
        _weighted_sizes(plan, point)
    if plan.targets.task != "regression":
        _add_p_values(plan, point, score_intervals_input)
    low = high = None
    if n_boot > 0:
        low, high = _intervals(plan, point, cells, n_boot, ci, random_state, score_intervals)
    return _rows(plan, point, low, high, score_intervals)


def calibration_table(y_true: Any, y_score: Any, *, sensitive_features: Any, n_bins: int = 10,
                      pos_label: Any = None) -> pd.DataFrame:
    """Reliability table per group: equal-width score bins with their observed positive rate.

    Bins are those of :func:`sklearn.calibration.calibration_curve` with
    ``strategy='uniform'`` (a score on an inner edge falls in the lower bin); empty bins
    are kept with n = 0 and NaN means, so every group has ``n_bins`` rows.

    Returns
    -------
    pandas.DataFrame with columns ``group`` (dict feature -> value; None overall),
    ``over`` (the grouping's features; None overall), ``bin_low``, ``bin_high``, ``n``,
    ``mean_score``, ``fraction_positive``; overall first, then the groupings of
    :func:`group_metrics` (each feature, then the intersection).
    """
    if isinstance(n_bins, bool) or not isinstance(n_bins, numbers.Integral) or n_bins < 1:
        raise UsageError(msg.N_BINS.format(n_bins=n_bins))
    targets = validate_targets(y_true, y_true, task=None, pos_label=pos_label)
    if targets.task != "binary":
        classes = np.unique(as_column(y_true, "y_true"))
        raise DataError(msg.CALIBRATION_NOT_BINARY.format(
            count=len(classes), classes=", ".join(repr(c) for c in classes[:10].tolist())))
    n_rows = len(targets.true_code)
    score = validate_score(y_score, n_rows, "binary")
    encoding = encode_sensitive_features(sensitive_features, n_rows)
    bins, edges = calibration_bins(score, int(n_bins))
    positive = targets.true_code.astype(np.float64)
    parts = []
    for grouping in encoding.groupings:
        index = grouping.group_of_cell[encoding.cell_of_row] * n_bins + bins
        size = grouping.size * n_bins
        n = group_sums(index, size, None, None)[0]
        with np.errstate(divide="ignore", invalid="ignore"):
            mean_score = group_sums(index, size, score, None)[0] / n
            fraction = group_sums(index, size, positive, None)[0] / n
        over = list(grouping.features) if grouping.features else None
        parts.append(pd.DataFrame({
            "group": [None if key is None else dict(key) for key in grouping.keys for _ in range(n_bins)],
            "over": [None if over is None else list(over) for _ in range(size)],
            "bin_low": np.tile(edges[:-1], grouping.size),
            "bin_high": np.tile(edges[1:], grouping.size),
            "n": n.astype(np.int64), "mean_score": mean_score, "fraction_positive": fraction}))
    return pd.concat(parts, ignore_index=True)
