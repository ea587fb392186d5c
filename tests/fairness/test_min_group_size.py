"""Aggregates over groups of at least min_group_size rows, checked against fairlearn."""
import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import MetricFrame, false_positive_rate, selection_rate, true_positive_rate

from audit import UsageError
from audit.fairness import group_metrics, messages


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(3)
    n = 2000
    a = rng.choice(["p", "q"], n, p=[0.5, 0.5])
    b = rng.choice(["u", "v", "w", "tiny"], n, p=[0.45, 0.35, 0.195, 0.005])
    y = rng.integers(0, 2, n)
    yp = (rng.random(n) < 0.3 + 0.2 * (a == "q")).astype(int)
    return y, yp, pd.DataFrame({"a": a, "b": b})


def _agg(frame, metric, over):
    rows = frame[(frame["metric"] == metric) & frame["over"].map(lambda o: o == over)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_small_groups_are_left_out_of_aggregates_only(data):
    y, yp, sf = data
    m = 30
    ours = group_metrics(y, yp, sensitive_features=sf, min_group_size=m)
    everything = group_metrics(y, yp, sensitive_features=sf)
    # per-group rows are unchanged
    def per(f):
        return f[f["group"].notna() & ~f["metric"].str.contains("_difference|_ratio|_group_")]
    pd.testing.assert_frame_equal(per(ours).reset_index(drop=True), per(everything).reset_index(drop=True))
    for over in (["b"], ["a", "b"]):
        mf = MetricFrame(metrics={"sel": selection_rate, "tpr": true_positive_rate, "fpr": false_positive_rate,
                                  "n": lambda t, p: len(t)},
                         y_true=y, y_pred=yp, sensitive_features=sf[over])
        big = mf.by_group[mf.by_group["n"] >= m]
        dp = big["sel"].max() - big["sel"].min()
        eo = max(big["tpr"].max() - big["tpr"].min(), big["fpr"].max() - big["fpr"].min())
        row = _agg(ours, "demographic_parity_difference", over)
        assert row["value"] == pytest.approx(dp, abs=1e-12)
        assert row["n"] == int(big["n"].sum())
        assert _agg(ours, "equalized_odds_difference", over)["value"] == pytest.approx(eo, abs=1e-12)
        overall = mf.overall["sel"]
        assert _agg(ours, "demographic_parity_difference_to_overall", over)["value"] == pytest.approx(
            (big["sel"] - overall).abs().max(), abs=1e-12)
        # with every group compared, the tiny group drives the gap more
        assert _agg(everything, "demographic_parity_difference", over)["n"] == len(y)


def test_intervals_use_the_same_groups(data):
    y, yp, sf = data
    ours = group_metrics(y, yp, sensitive_features=sf, min_group_size=30, n_boot=100, random_state=1)
    row = _agg(ours, "demographic_parity_difference", ["a", "b"])
    assert row["ci_low"] <= row["value"] <= row["ci_high"]


@pytest.mark.parametrize("bad", [-1, 2.5, True, "30"])
def test_bad_min_group_size(data, bad):
    y, yp, sf = data
    with pytest.raises(UsageError) as err:
        group_metrics(y, yp, sensitive_features=sf, min_group_size=bad)
    assert str(err.value) == messages.MIN_GROUP_SIZE.format(min_group_size=bad)
