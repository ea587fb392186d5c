"""The metric catalogue: which way is better for each metric, and which names each auditor can report."""
from __future__ import annotations

import pytest

from audit._metric_catalog import AUDITOR_METRICS, better_or_worse, can_report, direction, known_names


@pytest.mark.parametrize("metric, expected", [
    ("demographic_parity_difference", "lower"), ("equalized_odds_difference_to_overall", "lower"),
    ("mean_absolute_error_difference", "lower"), ("false_positive_rate", "lower"), ("brier_score_loss", "lower"),
    ("root_mean_squared_error", "lower"), ("membership_advantage", "lower"), ("annual_co2e_kg", "lower"),
    ("demographic_parity_ratio", "higher"), ("disparate_impact_ratio", "higher"),
    ("mean_absolute_error_ratio", "higher"), ("equalized_odds_ratio_to_overall", "higher"),
    ("accuracy_score", "higher"), ("true_positive_rate", "higher"), ("r2_score", "higher"),
    ("k_anonymity", "higher"), ("accuracy_score_group_min", "higher"), ("false_negative_rate_group_max", "lower"),
    ("variant_accuracy_score", "higher"), ("variant_demographic_parity_difference", "lower"),
    ("selection_rate", None), ("base_rate", None), ("count", None), ("share", None), ("mean_prediction", None),
    ("selection_rate_group_min", None), ("output_gap", None), ("selection_rate_difference_to_reference", None),
    ("true_positive_rate_ratio_to_reference", None),
])
def test_direction(metric, expected):
    assert direction(metric) == expected


def test_better_or_worse_follows_the_direction():
    assert better_or_worse("demographic_parity_difference", 0.3, 0.1) == "better"
    assert better_or_worse("demographic_parity_difference", 0.1, 0.3) == "worse"
    assert better_or_worse("disparate_impact_ratio", 0.9, 0.7) == "worse"
    assert better_or_worse("selection_rate", 0.1, 0.3) is None
    assert better_or_worse("accuracy_score", 0.8, None) is None and better_or_worse("accuracy_score", 1, 1) is None


def test_catalogue_knows_generated_names_and_rejects_typos():
    assert can_report("fairness", "roc_auc_score_difference")
    assert can_report("attribution", "feature_ablation_mean_abs_attribution")
    assert can_report("energy", "variant_accuracy_score") and can_report("energy", "annual_co2e_kg")
    assert not can_report("fairness", "demographic_parity_diference")
    assert not can_report("privacy", "membership_advantge")
    assert can_report("myplugin", "x", present=["x"]) and not can_report("myplugin", "y", present=["x"])
    assert "membership_advantage" in known_names("privacy")


def test_every_name_the_fairness_auditor_reports_is_in_the_catalogue(predictions_frame):
    import audit

    names = set()
    for kw, options in (({"score": "y_score"}, {}), ({}, {"reference_group": {"g": "a"}})):
        report = audit.run(predictions_frame, target="y_true", prediction="y_pred", sensitive_features=["g", "h"],
                           auditors=["fairness"], auditor_options={"fairness": {"n_boot": 0, **options}}, **kw)
        names |= set(report["fairness"].metrics["metric"])
    missing = sorted(n for n in names if not can_report("fairness", n) or n not in AUDITOR_METRICS["fairness"])
    assert missing == []
    assert "selection_rate_difference_to_reference" in names
    assert all(direction(n) is not None for n in names if n.endswith(("_difference", "_ratio")))
