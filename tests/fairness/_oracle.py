"""fairlearn as the test oracle: the same figures through MetricFrame, keyed like ours."""
from __future__ import annotations

import functools
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
import sklearn.metrics as skm
from fairlearn import metrics as flm

__all__ = ["MISSING", "binary_metric_functions", "regression_metric_functions", "our_values",
           "fairlearn_frame", "assert_matches_fairlearn", "by_group_dict"]

#: Sentinel that stands for a missing sensitive value when handing data to fairlearn.
MISSING = "<missing>"


def binary_metric_functions(pos_label=1) -> dict:
    """fairlearn/sklearn functions for our binary metric names (base_rate: plain numpy)."""
    return {
        "count": flm.count,
        "base_rate": lambda y_true, y_pred, sample_weight=None: float(
            np.average(np.asarray(y_true) == pos_label, weights=sample_weight)),
        "selection_rate": functools.partial(flm.selection_rate, pos_label=pos_label),
        "true_positive_rate": functools.partial(flm.true_positive_rate, pos_label=pos_label),
        "false_positive_rate": functools.partial(flm.false_positive_rate, pos_label=pos_label),
        "true_negative_rate": functools.partial(flm.true_negative_rate, pos_label=pos_label),
        "false_negative_rate": functools.partial(flm.false_negative_rate, pos_label=pos_label),
        "accuracy_score": skm.accuracy_score,
        "balanced_accuracy_score": skm.balanced_accuracy_score,
        "precision_score": functools.partial(skm.precision_score, pos_label=pos_label),
        "f1_score": functools.partial(skm.f1_score, pos_label=pos_label),
    }


def _cell(y_true, y_pred, pos_label, true_positive: bool, pred_positive: bool, sample_weight=None) -> float:
    t = np.asarray(y_true) == pos_label
    p = np.asarray(y_pred) == pos_label
    w = np.ones(len(t)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    return float(np.sum(w * ((t == true_positive) & (p == pred_positive))))


def peer_metric_functions(pos_label=1) -> dict:
    """AIF360/Aequitas rates and counts by their published formulas (tn/(tn+fn), ...), with
    fairlearn's zero-denominator convention (0) and optional sample weights."""
    def cell(true_positive, pred_positive):
        return lambda t, p, sample_weight=None: _cell(t, p, pos_label, true_positive, pred_positive, sample_weight)

    def rate(numerator, *denominator):
        def compute(t, p, sample_weight=None):
            den = sum(c(t, p, sample_weight) for c in denominator)
            return numerator(t, p, sample_weight) / den if den else 0.0
        return compute

    tp, fp, tn, fn = cell(True, True), cell(False, True), cell(False, False), cell(True, False)
    return {
        "negative_predictive_value": rate(tn, tn, fn),
        "false_discovery_rate": rate(fp, tp, fp),
        "false_omission_rate": rate(fn, tn, fn),
        "zero_one_loss": skm.zero_one_loss,
        "num_true_positives": tp, "num_false_positives": fp,
        "num_true_negatives": tn, "num_false_negatives": fn,
    }


def regression_metric_functions() -> dict:
    return {
        "count": flm.count,
        "mean_prediction": flm.mean_prediction,
        "mean_target": lambda y_true, y_pred: float(np.mean(y_true)),
        "mean_absolute_error": skm.mean_absolute_error,
        "mean_squared_error": skm.mean_squared_error,
        "root_mean_squared_error": skm.root_mean_squared_error,
        "r2_score": skm.r2_score,
    }


def fairlearn_frame(metrics: dict, y_true, y_pred, sensitive: pd.DataFrame, **kwargs) -> flm.MetricFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return flm.MetricFrame(metrics=metrics, y_true=y_true, y_pred=y_pred,
                               sensitive_features=sensitive, **kwargs)


def _key(index_value, n_features: int) -> tuple:
    values = index_value if n_features > 1 else (index_value,)
    return tuple(str(v) for v in values)


def by_group_dict(series: pd.Series, n_features: int) -> dict[tuple, float]:
    return {_key(k, n_features): float(v) for k, v in series.items()}


def our_values(frame: pd.DataFrame, metric: str, over: Sequence[str] | None,
               label: str | None = None) -> dict[tuple, float] | float:
    """Our per-group values as {group key tuple: value} (missing shown as MISSING), or the
    aggregate value when ``over`` is given and the row has no group, or overall if None."""
    sel = (frame["metric"] == metric) & frame["label"].map(lambda x: x == label)
    if over is None:
        rows = frame[sel & frame["over"].isna()]
        assert len(rows) == 1, (metric, len(rows))
        return float(rows["value"].iloc[0])
    rows = frame[sel & frame["over"].map(lambda o: o is not None and list(o) == list(over))]
    return {tuple(MISSING if g[f] is None else g[f] for f in over): float(v)
            for g, v in zip(rows["group"], rows["value"]) if g is not None}


def our_aggregate(frame: pd.DataFrame, metric: str, over: Sequence[str], label: str | None = None) -> float:
    sel = (frame["metric"] == metric) & frame["label"].map(lambda x: x == label) \
        & frame["group"].isna() & frame["over"].map(lambda o: o is not None and list(o) == list(over))
    rows = frame[sel]
    assert len(rows) == 1, (metric, over, len(rows))
    return float(rows["value"].iloc[0])


def assert_close(ours, theirs, what: str) -> None:
    np.testing.assert_allclose(ours, theirs, atol=1e-9, rtol=0, err_msg=what)


def assert_matches_fairlearn(frame: pd.DataFrame, metrics: dict, y_true, y_pred,
                             sensitive: pd.DataFrame, *, label: str | None = None,
                             groupings: Sequence[Sequence[str]] | None = None,
                             fairness_functions: bool = True, sample_weight=None) -> int:
    """Compare overall, per-group values and aggregates of every grouping; return #checks.

    With ``sample_weight``, fairlearn gets it through ``sample_params`` for every metric but
    ``count`` (which counts rows in both libraries)."""
    sensitive = sensitive.astype(object).where(sensitive.notna(), MISSING).astype(str)
    names = list(sensitive.columns)
    if groupings is None:
        groupings = [[n] for n in names] + ([names] if len(names) > 1 else [])
    checks = 0
    for over in groupings:
        params = {} if sample_weight is None else {"sample_params": {
            name: {"sample_weight": np.asarray(sample_weight)} for name in metrics if name != "count"}}
        mf = fairlearn_frame(metrics, y_true, y_pred, sensitive[list(over)], **params)
        for metric in metrics:
            assert_close(our_values(frame, metric, None, label), float(mf.overall[metric]),
                         f"overall {metric}")
            theirs = by_group_dict(mf.by_group[metric], len(over))
            ours = our_values(frame, metric, over, label)
            assert set(ours) == set(theirs), (metric, over, set(ours) ^ set(theirs))
            keys = sorted(theirs)
            assert_close([ours[k] for k in keys], [theirs[k] for k in keys], f"{metric} by {over}")
            checks += 2
            if metric == "count":
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                expected = {
                    "difference": mf.difference(method="between_groups")[metric],
                    "ratio": mf.ratio(method="between_groups")[metric],
                    "group_min": mf.group_min()[metric], "group_max": mf.group_max()[metric]}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                expected_to_overall = {"difference_to_overall": mf.difference(method="to_overall")[metric],
                                       "ratio_to_overall": mf.ratio(method="to_overall")[metric]}
            defined = int(mf.by_group[metric].notna().sum())
            if not metric.startswith("num_"):
                for kind, value in expected_to_overall.items():
                    if defined < 2:
                        value = np.nan
                    assert_close(our_aggregate(frame, f"{metric}_{kind}", over, label), float(value),
                                 f"{metric}_{kind} by {over}")
                    checks += 1
            for kind, value in expected.items():
                if defined < 2 and kind in ("difference", "ratio"):
                    value = np.nan  # ours: one group is no comparison (fairlearn: 0 and 1)
                assert_close(our_aggregate(frame, f"{metric}_{kind}", over, label), float(value),
                             f"{metric}_{kind} by {over}")
                checks += 1
        if fairness_functions and "selection_rate" in metrics:
            checks += _check_fairness_functions(frame, y_true, y_pred, sensitive[list(over)], over, label,
                                                sample_weight)
    return checks


def _check_fairness_functions(frame, y_true, y_pred, sensitive, over, label, sample_weight=None) -> int:
    checks = 0
    for method, suffix in (("between_groups", ""), ("to_overall", "_to_overall")):
        for name in ("demographic_parity_difference", "demographic_parity_ratio",
                     "equalized_odds_difference", "equalized_odds_ratio",
                     "equal_opportunity_difference", "equal_opportunity_ratio"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                theirs = getattr(flm, name)(y_true, y_pred, sensitive_features=sensitive, method=method,
                                            sample_weight=sample_weight)
            assert_close(our_aggregate(frame, name + suffix, over, label), float(theirs),
                         f"{name}{suffix} by {over}")
            checks += 1
    return checks
