"""control_features: figures within strata, as fairlearn's MetricFrame(control_features=...)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from fairlearn.metrics import MetricFrame

from audit import UsageError
from audit.fairness import group_metrics, messages

from ._oracle import assert_close, binary_metric_functions
from .test_against_fairlearn import synthetic_binary


def _rows(frame, metric, over):
    return frame[(frame["metric"] == metric) & frame["over"].map(lambda o: o == over)]


def test_control_features_equal_fairlearn():
    y_true, y_pred, sensitive = synthetic_binary(3000, seed=30)
    control = sensitive[["age"]]
    frame = group_metrics(y_true, y_pred, sensitive_features=sensitive[["sex", "race"]],
                          control_features=control, zero_division=0)
    metrics = {k: v for k, v in binary_metric_functions().items() if k != "count"}
    checks = 0
    for over in (["sex"], ["race"], ["sex", "race"]):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mf = MetricFrame(metrics=metrics, y_true=y_true, y_pred=y_pred, sensitive_features=sensitive[over],
                             control_features=control)
            aggregates = {"difference": mf.difference(), "ratio": mf.ratio(), "group_min": mf.group_min(),
                          "group_max": mf.group_max()}
        for metric in metrics:
            ours = {tuple(g[f] for f in ["age", *over]): v for g, v in
                    zip(_rows(frame, metric, over)["group"], _rows(frame, metric, over)["value"])
                    if len(g) == 1 + len(over)}
            for key, value in mf.by_group[metric].items():
                if np.isnan(value):
                    continue  # a combination absent from its stratum: fairlearn's NaN row, not ours
                assert_close(ours[tuple(str(k) for k in key)], value, f"{metric} {key}")
                checks += 1
            for kind, table in aggregates.items():
                for level, value in table[metric].items():
                    row = frame[(frame["metric"] == f"{metric}_{kind}") & frame["over"].map(lambda o: o == over)
                                & frame["group"].map(lambda g, lv=level: g == {"age": str(lv)})]
                    assert len(row) == 1
                    assert_close(row["value"].iloc[0], value, f"{metric}_{kind} {over} {level}")
                    checks += 1
    assert checks > 300
    # the stratum's overall rows
    overall = frame[(frame["metric"] == "selection_rate") & frame["over"].isna()]
    assert sorted(g["age"] for g in overall["group"]) == sorted(["<30", "30-50", ">50"]) and len(overall) == 3


def test_the_whole_table_fixes_the_positive_class():
    y_true = np.array(["yes", "no", "no", "no", "yes", "no"])
    y_pred = np.array(["yes", "no", "yes", "no", "no", "no"])
    frame = group_metrics(y_true, y_pred, sensitive_features={"g": list("ababab")},
                          control_features={"c": ["p", "p", "p", "q", "q", "q"]}, pos_label="yes")
    sel = frame[(frame["metric"] == "selection_rate") & frame["over"].isna()]
    assert list(sel["value"]) == pytest.approx([2 / 3, 0.0])


def test_bad_control_features():
    y = np.array([0, 1, 0, 1])
    with pytest.raises(UsageError) as err:
        group_metrics(y, y, sensitive_features={"g": list("abab")}, control_features={"c": ["x"] * 4})
    assert str(err.value) == messages.CONTROL_ONE_LEVEL.format(feature="c")
    with pytest.raises(UsageError) as err:
        group_metrics(y, y, sensitive_features={"g": list("abab")}, control_features={"g": list("xxyy")})
    assert str(err.value) == messages.CONTROL_IS_SENSITIVE.format(feature="g")
