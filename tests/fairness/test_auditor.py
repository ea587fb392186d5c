"""FairnessAuditor: findings and details over the engine's figures."""
import numpy as np
import pandas as pd
import pytest

from audit import AuditSubject, Severity, Status
from audit.fairness import FairnessAuditor, group_metrics
from audit.fairness._auditor import wilson_interval


@pytest.fixture(scope="module")
def subject():
    rng = np.random.default_rng(7)
    n = 3000
    sex = rng.choice(["F", "M"], n)
    band = rng.choice(["young", "mid", "old", "rare"], n, p=[0.3, 0.5, 0.195, 0.005])
    y = rng.integers(0, 2, n)
    pred = (rng.random(n) < np.where(sex == "M", 0.5, 0.3)).astype(int)
    frame = pd.DataFrame({"sex": sex, "band": band, "y": y, "p": pred})
    return AuditSubject(frame, target="y", prediction="p", sensitive_features=["sex", "band"], random_state=0)


def test_metrics_are_the_engines(subject):
    result = FairnessAuditor(n_boot=20).run(subject)
    expected = group_metrics(subject.y_true, subject.y_pred, sensitive_features=subject.sensitive_frame,
                             task="binary", n_boot=20, random_state=0, min_group_size=30)
    pd.testing.assert_frame_equal(result.metrics, expected)


def test_findings(subject):
    result = FairnessAuditor(n_boot=50).run(subject)
    codes = [f.code for f in result.findings]
    assert "fairness.small_groups" in codes and "fairness.disparate_impact" in codes
    assert result.status == Status.WARN
    severities = [list(Severity).index(f.severity) for f in result.findings]
    assert severities == sorted(severities, reverse=True), "most severe first"
    small = next(f for f in result.findings if f.code == "fairness.small_groups")
    shown = [g for g in small.evidence["groups"] if not g.get("suppressed")]
    hidden = [g for g in small.evidence["groups"] if g.get("suppressed")]
    assert shown and hidden, "the fixture has small groups of 10-29 people and cells below 10"
    assert all(10 <= g["n"] < 30 and g["selection_rate_ci"][0] <= g["selection_rate_ci"][1] for g in shown)
    assert all(set(g) == {"group", "suppressed"} for g in hidden)
    dp = next(f for f in result.findings if f.code == "fairness.demographic_parity_difference"
              and f.evidence["over"] == ["band"])
    assert dp.evidence["lowest"]["n"] >= 30 and dp.evidence["highest"]["n"] >= 30


def test_calibration_details_with_scores():
    rng = np.random.default_rng(1)
    n = 500
    score = rng.random(n)
    frame = pd.DataFrame({"g": rng.choice(["a", "b"], n), "y": (rng.random(n) < score).astype(int),
                          "s": score, "p": (score > 0.5).astype(int)})
    subject = AuditSubject(frame, target="y", prediction="p", score="s", sensitive_features="g")
    result = FairnessAuditor(n_boot=0, calibration_bins=5).run(subject)
    bins = [b for b in result.details["calibration"] if b["group"] is None]
    assert len(bins) == 5 and sum(b["n"] for b in bins) == n
    assert "expected_calibration_error" in set(result.metrics["metric"])


@pytest.mark.parametrize("rate, n", [(0.0, 16), (1.0, 5), (0.3, 100)])
def test_wilson_interval(rate, n):
    low, high = wilson_interval(rate, n, 0.95)
    z = 1.959963984540054
    centre = (rate + z * z / (2 * n)) / (1 + z * z / n)
    assert low <= rate <= high and 0 <= low < high <= 1
    assert (low + high) / 2 == pytest.approx(centre) or rate in (0.0, 1.0)
    if rate == 0.0:
        assert low == 0.0 and high == pytest.approx(z * z / (n + z * z))


def test_equalized_odds_finding_names_the_rate_it_compares():
    rng = np.random.default_rng(2)
    n = 4000
    g = rng.choice(["a", "b"], n)
    y = rng.integers(0, 2, n)
    # same selection rate overall, but group b's positives are missed: a TPR gap, not a selection gap
    p = np.where(g == "a", y, np.where(y == 1, rng.random(n) < 0.5, rng.random(n) < 0.5)).astype(int)
    subject = AuditSubject(pd.DataFrame({"g": g, "y": y, "p": p}), target="y", prediction="p", sensitive_features="g")
    result = FairnessAuditor(n_boot=0).run(subject)
    eo = next(f for f in result.findings if f.code == "fairness.equalized_odds_difference")
    assert eo.evidence["metric"] in ("true_positive_rate", "false_positive_rate")
    tpr = result.by_group("true_positive_rate").set_index("g")["value"]
    fpr = result.by_group("false_positive_rate").set_index("g")["value"]
    gap = max(abs(tpr["a"] - tpr["b"]), abs(fpr["a"] - fpr["b"]))
    assert eo.evidence["value"] == pytest.approx(gap, rel=1e-3)
    component = tpr if eo.evidence["metric"] == "true_positive_rate" else fpr
    assert eo.evidence["highest"][eo.evidence["metric"]] == pytest.approx(component.max(), rel=1e-3)
