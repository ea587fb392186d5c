"""The peer metrics: fairlearn's to_overall for every rate, AIF360's and Aequitas' rates, counts,
odds differences and reference groups, log loss; each against the peer's definition."""
from __future__ import annotations

import numpy as np
import pytest
import sklearn.metrics as skm

from audit.fairness import group_metrics

from ._oracle import assert_close, assert_matches_fairlearn, our_values, peer_metric_functions
from .test_against_fairlearn import synthetic_binary


def test_peer_rates_and_counts_match_their_formulas_through_metricframe():
    y_true, y_pred, sensitive = synthetic_binary(2500, seed=8)
    frame = group_metrics(y_true, y_pred, sensitive_features=sensitive, zero_division=0)
    checks = assert_matches_fairlearn(frame, peer_metric_functions(), y_true, y_pred, sensitive,
                                      fairness_functions=False)
    assert checks > 200


def test_peer_rates_are_null_where_undefined():
    y_true = np.array([0, 0, 1, 1, 0, 1])
    y_pred = np.array([1, 1, 1, 0, 0, 0])  # group a: nothing predicted negative
    frame = group_metrics(y_true, y_pred, sensitive_features={"g": ["a", "a", "a", "b", "b", "b"]})
    npv = our_values(frame, "negative_predictive_value", ["g"])
    assert np.isnan(npv[("a",)]) and npv[("b",)] == pytest.approx(1 / 3)
    assert np.isnan(our_values(frame, "false_omission_rate", ["g"])[("a",)])
    assert our_values(frame, "false_discovery_rate", ["g"])[("a",)] == pytest.approx(2 / 3)
    assert np.isnan(our_values(frame, "false_discovery_rate", ["g"])[("b",)])  # nothing predicted positive


def _rates(y_true, y_pred, mask):
    t, p = y_true[mask], y_pred[mask]
    return (np.mean(p[t == 1] == 1), np.mean(p[t == 0] == 1))


def test_average_odds_difference_is_aif360s():
    y_true, y_pred, sensitive = synthetic_binary(3000, seed=9)
    frame = group_metrics(y_true, y_pred, sensitive_features=sensitive, reference_group={"sex": "M"})
    aod = our_values(frame, "average_odds_difference", ["sex"])
    aaod = our_values(frame, "average_abs_odds_difference", ["sex"])
    tpr_u, fpr_u = _rates(y_true, y_pred, (sensitive["sex"] == "F").to_numpy())
    tpr_p, fpr_p = _rates(y_true, y_pred, (sensitive["sex"] == "M").to_numpy())
    # AIF360: 0.5 * ((FPR_unpriv - FPR_priv) + (TPR_unpriv - TPR_priv)), and with absolute values
    assert_close(aod[("F",)], 0.5 * ((fpr_u - fpr_p) + (tpr_u - tpr_p)), "average_odds_difference")
    assert_close(aaod[("F",)], 0.5 * (abs(fpr_u - fpr_p) + abs(tpr_u - tpr_p)), "average_abs_odds_difference")
    assert aod[("M",)] == 0.0 and aaod[("M",)] == 0.0


def test_min_metric_reference_is_aequitas_disparity():
    y_true, y_pred, sensitive = synthetic_binary(3000, seed=10)
    frame = group_metrics(y_true, y_pred, sensitive_features=sensitive, reference_group="min_metric",
                          min_group_size=30)
    for metric in ("false_positive_rate", "precision_score", "false_omission_rate"):
        values = our_values(frame, metric, ["race"])
        counts = our_values(frame, "count", ["race"])
        lowest = min(v for k, v in values.items() if not np.isnan(v) and counts[k] >= 30)
        ratios = our_values(frame, f"{metric}_ratio_to_reference", ["race"])
        diffs = our_values(frame, f"{metric}_difference_to_reference", ["race"])
        for key, value in values.items():
            # Aequitas: disparity = group metric / reference group metric
            assert_close(ratios[key], value / lowest if lowest else np.nan, f"{metric} ratio {key}")
            assert_close(diffs[key], value - lowest, f"{metric} difference {key}")
    with_intervals = group_metrics(y_true, y_pred, sensitive_features=sensitive, reference_group="min_metric",
                                   n_boot=30)
    rows = with_intervals[with_intervals["metric"] == "selection_rate_ratio_to_reference"]
    assert rows["ci_low"].notna().any()


def test_log_loss_is_scikit_learns_per_group():
    rng = np.random.default_rng(12)
    n = 1500
    y_score = rng.random(n)
    y_score[:5] = [0.0, 1.0, 0.0, 1.0, 0.5]  # clipped to [eps, 1 - eps], as scikit-learn does
    y_true = (rng.random(n) < y_score).astype(int)
    group = rng.choice(["a", "b", "c"], n)
    frame = group_metrics(y_true, (y_score > 0.5).astype(int), sensitive_features={"g": group}, y_score=y_score)
    ours = our_values(frame, "log_loss", ["g"])
    for value in "abc":
        mask = group == value
        assert_close(ours[(value,)], skm.log_loss(y_true[mask], y_score[mask], labels=[0, 1]), f"log_loss {value}")
    assert_close(our_values(frame, "log_loss", None), skm.log_loss(y_true, y_score), "log_loss overall")
    assert "log_loss_difference_to_overall" in set(frame["metric"])
