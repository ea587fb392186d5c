"""Undefined is null: a rate with a zero denominator is NaN, never 0, and enters no aggregate."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import MetricFrame, false_positive_rate, selection_rate, true_positive_rate

from audit import UsageError
from audit.fairness import group_metrics, messages


def _value(frame, metric, group=None, over=None):
    rows = frame[(frame["metric"] == metric)
                 & frame["group"].map(lambda g: g == group)
                 & frame["over"].map(lambda o: o == over)]
    assert len(rows) == 1, (metric, group, over, len(rows))
    return rows.iloc[0]


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(11)
    n = 3000
    g = rng.choice(["a", "b", "c", "d"], n, p=[0.5, 0.3, 0.15, 0.05])
    h = rng.choice(["x", "y"], n)
    y = (rng.random(n) < 0.4).astype(int)
    p = np.where(rng.random(n) < 0.8, y, 1 - y)
    y[g == "d"] = 0                    # group d: no positives, TPR and FNR undefined
    p[g == "c"] = 0                    # group c: nothing predicted positive, precision undefined
    return y, p, pd.DataFrame({"g": g, "h": h})


def test_zero_denominator_is_nan_with_nan_interval(data):
    y, p, sf = data
    frame = group_metrics(y, p, sensitive_features=sf, n_boot=20)
    for metric in ("true_positive_rate", "false_negative_rate"):
        row = _value(frame, metric, {"g": "d"}, ["g"])
        assert np.isnan(row["value"]) and np.isnan(row["ci_low"]) and np.isnan(row["ci_high"])
    assert np.isnan(_value(frame, "precision_score", {"g": "c"}, ["g"])["value"])
    # defined rates of the same groups are unaffected
    assert _value(frame, "false_positive_rate", {"g": "d"}, ["g"])["value"] > 0
    assert _value(frame, "selection_rate", {"g": "c"}, ["g"])["value"] == 0.0
    # fairlearn's convention on request
    zero = group_metrics(y, p, sensitive_features=sf, zero_division=0)
    assert _value(zero, "true_positive_rate", {"g": "d"}, ["g"])["value"] == 0.0
    assert _value(zero, "precision_score", {"g": "c"}, ["g"])["value"] == 0.0


def test_aggregates_are_over_the_groups_where_the_rate_is_defined(data):
    y, p, sf = data
    frame = group_metrics(y, p, sensitive_features=sf)
    mf = MetricFrame(metrics={"tpr": true_positive_rate, "fpr": false_positive_rate, "sel": selection_rate},
                     y_true=y, y_pred=p, sensitive_features=sf["g"])
    defined = mf.by_group.drop(index="d")  # fairlearn says TPR 0 for d; it is undefined
    tpr_gap = defined["tpr"].max() - defined["tpr"].min()
    fpr_gap = mf.by_group["fpr"].max() - mf.by_group["fpr"].min()
    assert _value(frame, "true_positive_rate_difference", None, ["g"])["value"] == pytest.approx(tpr_gap, abs=1e-12)
    assert _value(frame, "equal_opportunity_difference", None, ["g"])["value"] == pytest.approx(tpr_gap, abs=1e-12)
    assert _value(frame, "equalized_odds_difference", None, ["g"])["value"] == pytest.approx(
        max(tpr_gap, fpr_gap), abs=1e-12)
    assert _value(frame, "true_positive_rate_group_min", None, ["g"])["value"] == pytest.approx(
        defined["tpr"].min(), abs=1e-12)
    # n counts the rows of the groups the aggregate compares: d's rows are not in the TPR gap
    assert _value(frame, "true_positive_rate_difference", None, ["g"])["n"] == int((sf["g"] != "d").sum())
    assert _value(frame, "selection_rate_difference", None, ["g"])["n"] == len(y)


def test_single_defined_group_gives_undefined_aggregates():
    y = np.array([1, 0, 1, 1, 0, 0, 0, 0])
    p = np.array([1, 0, 0, 1, 1, 0, 0, 1])
    g = np.array(["a"] * 4 + ["b"] * 4)  # b has no positives: TPR is defined in a only
    frame = group_metrics(y, p, sensitive_features={"g": g})
    for metric in ("true_positive_rate_difference", "true_positive_rate_ratio", "equal_opportunity_difference",
                   "equal_opportunity_ratio", "equalized_odds_difference", "equal_opportunity_difference_to_overall"):
        assert np.isnan(_value(frame, metric, None, ["g"])["value"]), metric
    assert _value(frame, "true_positive_rate_group_min", None, ["g"])["value"] == pytest.approx(2 / 3)
    assert not np.isnan(_value(frame, "demographic_parity_difference", None, ["g"])["value"])


def test_empty_intersection_cell_keeps_n_zero_and_null_rates():
    sf = pd.DataFrame({"a": ["p", "p", "q", "q", "q"], "b": ["u", "v", "u", "u", "u"]})
    frame = group_metrics([1, 0, 1, 0, 1], [1, 1, 0, 0, 1], sensitive_features=sf)
    cell = frame[frame["group"].map(lambda g: g == {"a": "q", "b": "v"})]
    assert len(cell) and (cell["n"] == 0).all() and cell["value"].isna().all()


@pytest.mark.parametrize("bad", [0.5, -1, "0", True, [0]])
def test_bad_zero_division(data, bad):
    y, p, sf = data
    with pytest.raises(UsageError) as err:
        group_metrics(y, p, sensitive_features=sf, zero_division=bad)
    assert str(err.value) == messages.ZERO_DIVISION.format(zero_division=bad)
