"""Significance: chi-square tests of "no difference" per aggregate, Benjamini-Hochberg across findings."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency

from audit import AuditSubject, Severity
from audit.fairness import FairnessAuditor, group_metrics
from audit.fairness._significance import benjamini_hochberg, chi2_sf, homogeneity_p_value


def _aggregate(frame, metric, over):
    rows = frame[(frame["metric"] == metric) & frame["group"].isna() & frame["over"].map(lambda o: o == over)]
    assert len(rows) == 1, (metric, over, len(rows))
    return rows.iloc[0]


@pytest.mark.parametrize("df", [1, 2, 3, 4, 7, 8, 59, 60, 499, 2000])
def test_chi_square_survival_matches_scipy(df):
    from scipy.special import chdtrc

    for x in [*np.geomspace(1e-6, 4 * df + 200, 60), df - 0.5, float(df), df + 0.5]:
        expected = float(chdtrc(df, x))
        assert chi2_sf(df, float(x)) == pytest.approx(expected, rel=1e-10, abs=1e-300), (df, x)
    assert chi2_sf(df, 0.0) == 1.0 and chi2_sf(df, float("inf")) == 0.0 and np.isnan(chi2_sf(df, float("nan")))


def test_p_value_is_pearson_chi_square_on_the_count_table():
    rng = np.random.default_rng(20)
    n = 3000
    g = rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2])
    y = rng.integers(0, 2, n)
    p = (rng.random(n) < np.select([g == "a", g == "b"], [0.30, 0.36], 0.33)).astype(int)
    frame = group_metrics(y, p, sensitive_features={"g": g})
    table = pd.crosstab(g, p).to_numpy().T
    expected = chi2_contingency(table, correction=False).pvalue
    assert _aggregate(frame, "selection_rate_difference_p_value", ["g"])["value"] == pytest.approx(expected, rel=1e-9)
    assert _aggregate(frame, "demographic_parity_difference_p_value", ["g"])["value"] == pytest.approx(
        expected, rel=1e-9)
    positives = y == 1
    tpr = chi2_contingency(pd.crosstab(g[positives], p[positives]).to_numpy().T, correction=False).pvalue
    fpr = chi2_contingency(pd.crosstab(g[~positives], p[~positives]).to_numpy().T, correction=False).pvalue
    assert _aggregate(frame, "equal_opportunity_difference_p_value", ["g"])["value"] == pytest.approx(tpr, rel=1e-9)
    assert _aggregate(frame, "equalized_odds_difference_p_value", ["g"])["value"] == pytest.approx(
        min(1.0, 2 * min(tpr, fpr)), rel=1e-9)
    # the p-value row counts the rows it tests
    assert _aggregate(frame, "true_positive_rate_difference_p_value", ["g"])["n"] == n


def test_homogeneity_edge_cases():
    assert np.isnan(homogeneity_p_value(np.array([3.0]), np.array([10.0]), np.array([True])))
    assert homogeneity_p_value(np.array([0.0, 0.0]), np.array([10.0, 20.0]), np.array([True, True])) == 1.0
    # a group left out of the comparison is left out of the test
    tested = homogeneity_p_value(np.array([1.0, 9.0, 5.0]), np.array([10.0, 10.0, 10.0]),
                                 np.array([True, False, True]))
    assert tested == pytest.approx(chi2_contingency([[1, 5], [9, 5]], correction=False).pvalue)


def test_benjamini_hochberg_is_the_step_up_rule():
    p = np.array([0.01, 0.04, 0.03, np.nan, 0.2, 0.005])
    q = benjamini_hochberg(p)
    m = 5  # NaN does not count
    ordered = np.sort(p[~np.isnan(p)])
    raw = ordered * m / np.arange(1, m + 1)
    expected_sorted = np.minimum.accumulate(raw[::-1])[::-1]
    assert np.isnan(q[3])
    np.testing.assert_allclose(np.sort(q[~np.isnan(q)]), expected_sorted)
    assert q[5] == pytest.approx(0.025) and q[4] == pytest.approx(0.2)


def _subject(n, seed, disparity):
    rng = np.random.default_rng(seed)
    a = rng.choice([f"a{i}" for i in range(10)], n)
    b = rng.choice([f"b{i}" for i in range(20)], n)  # 200 intersectional cells
    y = rng.integers(0, 2, n)
    rate = 0.4 - disparity * (a == "a0")
    p = (rng.random(n) < rate).astype(int)
    return AuditSubject(pd.DataFrame({"a": a, "b": b, "y": y, "p": p}), target="y", prediction="p",
                        sensitive_features=["a", "b"])


def test_two_hundred_cells_under_the_null_do_not_warn_by_chance():
    result = FairnessAuditor(n_boot=0, min_group_size=30).run(_subject(12000, 21, disparity=0.0))
    impact = [f for f in result.findings if f.code == "fairness.disparate_impact"]
    intersection = [f for f in impact if f.evidence["over"] == ["a", "b"]]
    # among 200 cells of ~60 people some selection rate is below 0.8 of the highest by chance ...
    assert intersection and intersection[0].evidence["value"] < 0.8
    # ... but the rates do not differ significantly, so it is no warning
    assert all(f.severity == Severity.INFO and f.evidence["significant"] is False for f in impact)
    tests = result.details["significance"]["tests"]
    assert tests and not any(t["significant"] for t in tests)


def test_a_real_disparity_survives_fdr_control():
    result = FairnessAuditor(n_boot=0, min_group_size=30).run(_subject(12000, 22, disparity=0.25))
    warned = [f for f in result.findings if f.code == "fairness.disparate_impact" and f.severity == Severity.WARNING]
    assert any(f.evidence["over"] == ["a"] and f.evidence["significant"] for f in warned)
    test = next(t for t in result.details["significance"]["tests"]
                if t["metric"] == "demographic_parity_difference" and t["over"] == ["a"])
    assert test["significant"] and test["q_value"] <= 0.05


def test_bootstrap_p_value_for_metrics_without_a_chi_square_test():
    rng = np.random.default_rng(23)
    n = 4000
    g = rng.choice(["a", "b"], n)
    y_true = rng.normal(size=n)
    noisy = y_true + rng.normal(scale=np.where(g == "a", 1.0, 1.6), size=n)  # b's errors are larger
    unequal = group_metrics(y_true, noisy, sensitive_features={"g": g}, n_boot=200, random_state=0)
    assert _aggregate(unequal, "mean_absolute_error_difference_p_value", ["g"])["value"] < 0.01
    # under the null the p-values are about uniform: few of 20 data sets fall below 0.05
    null = []
    for seed in range(20):
        r = np.random.default_rng(100 + seed)
        truth = r.normal(size=1000)
        frame = group_metrics(truth, truth + r.normal(size=1000), sensitive_features={"g": r.choice(["a", "b"], 1000)},
                              n_boot=200, random_state=seed)
        null.append(_aggregate(frame, "mean_absolute_error_difference_p_value", ["g"])["value"])
    assert sum(p < 0.05 for p in null) <= 3 and max(null) > 0.5
    # classification: F1 has no chi-square test, so it gets the bootstrap's; without replicates none
    y, p, sf = rng.integers(0, 2, n), rng.integers(0, 2, n), {"g": g}
    with_boot = group_metrics(y, p, sensitive_features=sf, n_boot=100)
    assert 0.0 < _aggregate(with_boot, "f1_score_difference_p_value", ["g"])["value"] <= 1.0
    assert not (group_metrics(y, p, sensitive_features=sf)["metric"] == "f1_score_difference_p_value").any()


@pytest.mark.parametrize("bad", [0, 1, -0.1, "0.05", True])
def test_bad_fdr(bad):
    from audit import UsageError
    from audit.fairness import messages

    with pytest.raises(UsageError) as err:
        FairnessAuditor(fdr=bad).run(_subject(200, 1, 0.0))
    assert str(err.value) == messages.FDR.format(fdr=bad)
