"""Suspicious input becomes a finding with counts, never silence (and never raw values of a column)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import audit


def _frame(n: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    return pd.DataFrame({"y": y, "p": np.where(rng.random(n) < 0.8, y, 1 - y), "g": rng.choice(["a", "b"], n)})


def _codes(report: audit.AuditReport) -> dict[str, audit.Finding]:
    return {f.code: f for f in report["fairness"].findings}


def test_label_sets_that_differ_are_named_with_counts() -> None:
    frame = _frame()  # Adult's classic: the test file's labels end in a full stop
    dot = np.arange(len(frame)) % 2 == 0
    frame["y"] = np.where(frame["y"] == 1, ">50K", "<=50K")
    frame.loc[dot, "y"] = frame.loc[dot, "y"] + "."
    frame["p"] = np.where(frame["p"] == 1, ">50K", "<=50K")
    report = audit.run(frame, target="y", prediction="p", sensitive_features="g", auditors=["fairness"])
    assert report.subject["task"] == "multiclass"
    finding = _codes(report)["input.label_never_predicted"]
    assert finding.evidence == {"target_never_predicted": 2}
    frame["p"] = frame["p"].str.lower()
    finding = _codes(audit.run(frame, target="y", prediction="p", sensitive_features="g",
                               auditors=["fairness"]))["input.label_mismatch"]
    assert finding.severity == audit.Severity.WARNING
    assert finding.evidence == {"predicted_not_in_target": 2, "target_never_predicted": 4}


def test_a_sensitive_column_with_many_missing_values_is_a_finding() -> None:
    frame = _frame()
    frame.loc[frame.index[:40], "g"] = None
    report = audit.run(frame, target="y", prediction="p", sensitive_features="g", auditors=["fairness"])
    finding = _codes(report)["input.sensitive_missing"]
    assert finding.message.startswith("sensitive column 'g' is missing in 40 of 400 rows (10.0%)")
    few = _frame()
    few.loc[few.index[:4], "g"] = None
    assert "input.sensitive_missing" not in _codes(audit.run(few, target="y", prediction="p", sensitive_features="g",
                                                             auditors=["fairness"]))


def test_a_target_with_one_class_is_a_finding() -> None:
    frame = _frame().assign(y=1)
    report = audit.run(frame, target="y", prediction="p", sensitive_features="g", auditors=["fairness"])
    assert "input.one_class" in _codes(report)


def test_probabilities_in_a_prediction_column_are_a_finding() -> None:
    frame = _frame()
    frame["p"] = np.clip(frame["p"] * 0.7 + 0.15, 0, 1)
    report = audit.run(frame, target="y", prediction="p", sensitive_features="g", auditors=["fairness"])
    assert report.subject["task"] == "regression"
    assert "input.probabilities_as_predictions" in _codes(report)


@pytest.mark.parametrize("labels", [(0, 1), (False, True)])
def test_zero_one_and_boolean_labels_need_no_pos_label(labels) -> None:
    frame = _frame()
    frame["y"] = np.where(frame["y"] == 1, labels[1], labels[0])
    frame["p"] = np.where(frame["p"] == 1, labels[1], labels[0])
    report = audit.run(frame, target="y", prediction="p", sensitive_features="g", auditors=["fairness"])
    assert report.subject["pos_label"] == labels[1] and report.subject["classes"] == list(labels)
