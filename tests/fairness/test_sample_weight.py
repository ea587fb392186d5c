"""Sample weights: every metric and aggregate equals fairlearn's with sample_params."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from audit import DataError, UsageError
from audit.fairness import group_metrics, group_metrics_from_counts, messages

from ._oracle import assert_close, assert_matches_fairlearn, binary_metric_functions, our_values, peer_metric_functions
from .test_against_fairlearn import synthetic_binary


def _weights(n, seed=0):
    rng = np.random.default_rng(seed)
    w = rng.gamma(2.0, 1.5, n)
    w[::37] = 0.0  # rows that count for nothing
    return w


def test_weighted_metrics_equal_fairlearn_with_sample_params():
    y_true, y_pred, sensitive = synthetic_binary(2500, seed=13)
    w = _weights(len(y_true))
    frame = group_metrics(y_true, y_pred, sensitive_features=sensitive, sample_weight=w, zero_division=0)
    checks = assert_matches_fairlearn(frame, binary_metric_functions(), y_true, y_pred, sensitive, sample_weight=w)
    checks += assert_matches_fairlearn(frame, peer_metric_functions(), y_true, y_pred, sensitive, sample_weight=w,
                                       fairness_functions=False)
    assert checks > 400
    # count and n are people; each group reports its effective sample size
    sizes = our_values(frame, "count", ["race"])
    assert sizes[("A",)] == float((sensitive["race"] == "A").sum())
    ess = our_values(frame, "effective_sample_size", ["race"])
    mask = (sensitive["race"] == "A").to_numpy()
    assert_close(ess[("A",)], w[mask].sum() ** 2 / (w[mask] ** 2).sum(), "effective sample size")


def test_weighted_scores_and_regression_equal_scikit_learn():
    import sklearn.metrics as skm
    rng = np.random.default_rng(14)
    n = 1200
    y_score = rng.random(n)
    y_true = (rng.random(n) < y_score).astype(int)
    g = rng.choice(["a", "b"], n)
    w = _weights(n, 1)
    frame = group_metrics(y_true, (y_score > 0.5).astype(int), sensitive_features={"g": g}, y_score=y_score,
                          sample_weight=w)
    for value in "ab":
        m = g == value
        assert_close(our_values(frame, "roc_auc_score", ["g"])[(value,)],
                     skm.roc_auc_score(y_true[m], y_score[m], sample_weight=w[m]), "weighted auc")
        assert_close(our_values(frame, "brier_score_loss", ["g"])[(value,)],
                     skm.brier_score_loss(y_true[m], y_score[m], sample_weight=w[m]), "weighted brier")
        assert_close(our_values(frame, "log_loss", ["g"])[(value,)],
                     skm.log_loss(y_true[m], y_score[m], sample_weight=w[m]), "weighted log loss")
    y = rng.normal(size=n)
    pred = y + rng.normal(scale=0.5, size=n)
    reg = group_metrics(y, pred, sensitive_features={"g": g}, sample_weight=w)
    for value in "ab":
        m = g == value
        assert_close(our_values(reg, "mean_absolute_error", ["g"])[(value,)],
                     skm.mean_absolute_error(y[m], pred[m], sample_weight=w[m]), "weighted mae")
        assert_close(our_values(reg, "r2_score", ["g"])[(value,)],
                     skm.r2_score(y[m], pred[m], sample_weight=w[m]), "weighted r2")


def test_constant_weights_change_only_the_weighted_counts():
    y_true, y_pred, sensitive = synthetic_binary(1500, seed=15)
    plain = group_metrics(y_true, y_pred, sensitive_features=sensitive, n_boot=40, random_state=3)
    doubled = group_metrics(y_true, y_pred, sensitive_features=sensitive, n_boot=40, random_state=3,
                            sample_weight=np.full(len(y_true), 2.0))
    doubled = doubled[doubled["metric"] != "effective_sample_size"].reset_index(drop=True)
    assert list(doubled["metric"]) == list(plain["metric"])
    # confusion counts are weighted sums (as fairlearn's with sample_params): doubled
    counts = doubled["metric"].str.startswith("num_") | (doubled["metric"] == "count")  # count: people, no interval
    np.testing.assert_allclose(doubled.loc[doubled["metric"] == "num_true_positives", "value"],
                               2 * plain.loc[plain["metric"] == "num_true_positives", "value"])
    doubled, plain = doubled[~counts].reset_index(drop=True), plain[~counts].reset_index(drop=True)
    for column in ("value", "ci_low", "ci_high"):
        np.testing.assert_allclose(doubled[column], plain[column], rtol=1e-9, atol=1e-12, err_msg=column)
    assert (doubled["n"] == plain["n"]).all()


def test_weighted_intervals_widen_with_unequal_weights():
    rng = np.random.default_rng(16)
    n = 4000
    y = rng.integers(0, 2, n)
    p = np.where(rng.random(n) < 0.8, y, 1 - y)
    g = rng.choice(["a", "b"], n)
    uneven = np.where(rng.random(n) < 0.1, 20.0, 1.0)
    flat = group_metrics(y, p, sensitive_features={"g": g}, n_boot=200)
    heavy = group_metrics(y, p, sensitive_features={"g": g}, n_boot=200, sample_weight=uneven)

    def width(frame, metric):
        row = frame[(frame["metric"] == metric) & frame["group"].isna() & frame["over"].notna()].iloc[0]
        return row["ci_high"] - row["ci_low"]

    for metric in ("demographic_parity_difference", "accuracy_score_difference"):
        assert width(heavy, metric) > 1.5 * width(flat, metric), metric
    rate = lambda f: f[(f["metric"] == "selection_rate") & f["group"].notna()].iloc[0]  # noqa: E731
    assert rate(heavy)["ci_high"] - rate(heavy)["ci_low"] > 1.5 * (rate(flat)["ci_high"] - rate(flat)["ci_low"])


def test_weighted_count_table_equals_rows():
    y_true, y_pred, sensitive = synthetic_binary(2000, seed=17)
    w = _weights(len(y_true), 2)
    rows = group_metrics(y_true, y_pred, sensitive_features=sensitive, sample_weight=w, n_boot=30, random_state=1)
    table = sensitive.assign(y=y_true, p=y_pred, w=w, w2=w * w).groupby(
        ["sex", "race", "age", "y", "p"], observed=True).agg(count=("w", "size"), w=("w", "sum"), w2=("w2", "sum"))
    counts = group_metrics_from_counts(table.reset_index(), target="y", prediction="p",
                                       sensitive_features=["sex", "race", "age"], count="count",
                                       sample_weight="w", sample_weight_squares="w2", n_boot=30, random_state=1)
    for column in ("value", "ci_low", "ci_high"):
        np.testing.assert_allclose(counts[column], rows[column], rtol=1e-9, atol=1e-12, err_msg=column)


@pytest.mark.parametrize("weights, message", [
    (lambda n: np.r_[-1.0, np.ones(n - 1)], messages.WEIGHT_NEGATIVE.format(name="sample_weight", count=1)),
    (lambda n: np.r_[np.nan, np.nan, np.ones(n - 2)],
     messages.WEIGHT_NOT_FINITE.format(name="sample_weight", count=2)),
    (lambda n: np.zeros(n), messages.WEIGHT_ALL_ZERO.format(name="sample_weight")),
    (lambda n: np.array(["1"] * n), messages.WEIGHT_NOT_NUMERIC.format(name="sample_weight", dtype="object")),
    (lambda n: np.ones(n - 1), messages.LENGTH_MISMATCH.format(name="sample_weight", got=5, expected=6)),
])
def test_bad_weights(weights, message):
    y = np.array([0, 1, 0, 1, 1, 0])
    with pytest.raises(DataError) as err:
        group_metrics(y, y, sensitive_features={"g": list("aabbab")}, sample_weight=weights(6))
    assert str(err.value) == message


def test_count_table_needs_both_weight_columns():
    table = pd.DataFrame({"g": ["a", "b"], "y": [0, 1], "p": [0, 1], "count": [3, 4], "w": [1.0, 2.0]})
    with pytest.raises(UsageError) as err:
        group_metrics_from_counts(table, target="y", prediction="p", sensitive_features=["g"], count="count",
                                  sample_weight="w")
    assert str(err.value) == messages.COUNTS_WEIGHT_COLUMNS


def test_auditor_passes_the_subjects_weights_through():
    from audit import AuditSubject
    from audit.fairness import FairnessAuditor

    y_true, y_pred, sensitive = synthetic_binary(1500, seed=18)
    w = _weights(len(y_true), 3)
    subject = AuditSubject(sensitive.assign(y=y_true, p=y_pred, w=w), target="y", prediction="p",
                           sensitive_features=["sex", "race"], sample_weight="w")
    assert np.array_equal(subject.sample_weight, w)
    result = FairnessAuditor(n_boot=20).run(subject)
    expected = group_metrics(y_true, y_pred, sensitive_features=subject.sensitive_frame, task="binary", n_boot=20,
                             random_state=subject.random_state, min_group_size=30, sample_weight=w)
    pd.testing.assert_frame_equal(result.metrics, expected)
    assert result.details["weighted"] is True
