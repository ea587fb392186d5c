"""Bootstrap intervals: seeded, sensible, and distributed like fairlearn's row resampling."""
from __future__ import annotations

import numpy as np
import pandas as pd

from audit.fairness import group_metrics

from ._oracle import binary_metric_functions, by_group_dict, fairlearn_frame


def _data(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    group = rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2])
    y_true = (rng.random(n) < 0.4).astype(int)
    y_pred = np.where(rng.random(n) < 0.75, y_true, 1 - y_true)
    return y_true, y_pred, pd.DataFrame({"g": group})


def _rows(frame, metric, over=("g",)):
    return frame[(frame["metric"] == metric) & frame["over"].map(lambda o: o == list(over))
                 & frame["group"].notna()]


def test_same_seed_same_intervals_other_seed_differs():
    y_true, y_pred, sensitive = _data(1000)
    first = group_metrics(y_true, y_pred, sensitive_features=sensitive, n_boot=30, random_state=7)
    again = group_metrics(y_true, y_pred, sensitive_features=sensitive, n_boot=30, random_state=7)
    other = group_metrics(y_true, y_pred, sensitive_features=sensitive, n_boot=30, random_state=8)
    assert first["ci_low"].to_numpy().tobytes() == again["ci_low"].to_numpy().tobytes()
    assert first["ci_high"].to_numpy().tobytes() == again["ci_high"].to_numpy().tobytes()
    assert not np.array_equal(first["ci_low"].to_numpy(), other["ci_low"].to_numpy(), equal_nan=True)
    assert first["ci_low"].notna().sum() > 0.9 * len(first)


def test_intervals_contain_estimate_and_shrink_with_n():
    widths = []
    for n in (400, 8000):
        y_true, y_pred, sensitive = _data(n, seed=1)
        frame = group_metrics(y_true, y_pred, sensitive_features=sensitive, n_boot=200)
        rates = _rows(frame, "selection_rate")
        assert (rates["ci_low"] <= rates["value"]).all() and (rates["value"] <= rates["ci_high"]).all()
        overall = frame[(frame["metric"] == "accuracy_score") & frame["over"].isna()].iloc[0]
        assert overall["ci_low"] <= overall["value"] <= overall["ci_high"]
        widths.append(float((rates["ci_high"] - rates["ci_low"]).mean()))
    assert widths[1] < widths[0] / 2


def test_cell_bootstrap_agrees_with_fairlearn_row_resampling():
    y_true, y_pred, sensitive = _data(5000, seed=2)
    metrics = {k: v for k, v in binary_metric_functions().items()
               if k in ("selection_rate", "true_positive_rate", "accuracy_score")}
    theirs = fairlearn_frame(metrics, y_true, y_pred, sensitive, n_boot=20,
                             ci_quantiles=[0.025, 0.975], random_state=0)
    ours = group_metrics(y_true, y_pred, sensitive_features=sensitive, n_boot=200)
    for metric in metrics:
        rows = _rows(ours, metric)
        low = by_group_dict(theirs.by_group_ci[0][metric], 1)
        high = by_group_dict(theirs.by_group_ci[1][metric], 1)
        for group, ci_low, ci_high in zip(rows["group"], rows["ci_low"], rows["ci_high"]):
            assert abs(ci_low - low[(group["g"],)]) < 0.03, (metric, group)
            assert abs(ci_high - high[(group["g"],)]) < 0.03, (metric, group)
        overall = ours[(ours["metric"] == metric) & ours["over"].isna()].iloc[0]
        assert abs(overall["ci_low"] - theirs.overall_ci[0][metric]) < 0.03
        assert abs(overall["ci_high"] - theirs.overall_ci[1][metric]) < 0.03
    difference = ours[(ours["metric"] == "selection_rate_difference") & ours["group"].isna()].iloc[0]
    assert abs(difference["ci_high"] - theirs.difference_ci()[1]["selection_rate"]) < 0.03


def test_row_weight_bootstrap_matches_naive_resampling():
    rng = np.random.default_rng(4)
    n = 3000
    y_true = rng.normal(10, 3, n)
    y_pred = y_true + rng.normal(0, 1 + (np.arange(n) % 2), n)
    sensitive = {"parity": np.where(np.arange(n) % 2 == 0, "even", "odd")}
    ours = group_metrics(y_true, y_pred, sensitive_features=sensitive, n_boot=400, random_state=1)
    naive_rng = np.random.default_rng(99)
    errors = np.abs(y_true - y_pred)
    naive = [errors[naive_rng.integers(0, n, n)].mean() for _ in range(400)]
    overall = ours[(ours["metric"] == "mean_absolute_error") & ours["over"].isna()].iloc[0]
    spread = np.std(naive)
    assert abs(overall["ci_low"] - np.percentile(naive, 2.5)) < spread
    assert abs(overall["ci_high"] - np.percentile(naive, 97.5)) < spread


def test_score_metrics_get_intervals_and_nan_estimates_get_nan_intervals():
    rng = np.random.default_rng(5)
    n = 600
    y_score = rng.random(n)
    y_true = (rng.random(n) < y_score).astype(int)
    group = rng.choice(["x", "y"], n)
    y_true[group == "y"] = 1  # a single-class group: AUC undefined
    frame = group_metrics(y_true, (y_score > 0.5).astype(int), sensitive_features={"g": group},
                          y_score=y_score, n_boot=50)
    auc = _rows(frame, "roc_auc_score")
    defined = auc[auc["value"].notna()].iloc[0]
    assert defined["ci_low"] <= defined["value"] <= defined["ci_high"]
    undefined = auc[auc["value"].isna()].iloc[0]
    assert np.isnan(undefined["ci_low"]) and np.isnan(undefined["ci_high"])
    assert frame.loc[frame["metric"] == "expected_calibration_error", "ci_high"].notna().all()


def test_percentile_interval_equals_nanpercentile():
    import warnings

    from audit.fairness._bootstrap import percentile_interval

    rng = np.random.default_rng(0)
    replicates = rng.random((37, 50))
    replicates[rng.random((37, 50)) < 0.3] = np.nan
    replicates[:, 3] = np.nan
    low, high = percentile_interval(replicates, np.zeros(50), 0.9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected_low, expected_high = np.nanpercentile(replicates, [5, 95], axis=0)
    np.testing.assert_allclose(low, expected_low, atol=1e-12, rtol=0)
    np.testing.assert_allclose(high, expected_high, atol=1e-12, rtol=0)
    assert np.isnan(percentile_interval(replicates, np.full(50, np.nan), 0.9)[0]).all()
