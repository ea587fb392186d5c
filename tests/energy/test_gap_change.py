"""Paired gap changes of a compressed variant: points equal the fairness engine's, intervals a row bootstrap's."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from audit.energy._gap_change import gap_changes
from audit.fairness import group_metrics

BINARY = ("demographic_parity_difference", "equalized_odds_difference")


def _one(y, original, variant, groups, **options):
    """The gap changes of a single variant."""
    return gap_changes(y, original, {"variant": variant}, groups, **options)["variant"]


def _data(task: str, n: int = 3000, seed: int = 0):
    rng = np.random.default_rng(seed)
    groups = pd.DataFrame({"sex": rng.choice(["F", "M"], n, p=[0.3, 0.7]),
                           "band": rng.choice(["a", "b", "c", "tiny"], n, p=[0.4, 0.35, 0.245, 0.005])})
    groups.loc[rng.random(n) < 0.02, "band"] = None  # missing values form their own group
    if task == "regression":
        y = rng.normal(50, 10, n)
        first = y + rng.normal(0, 3, n)
        second = first + np.where(groups["sex"] == "F", rng.normal(1.5, 2, n), rng.normal(0, 1, n))
        return y, first, second, groups
    k = 2 if task == "binary" else 5
    y = rng.integers(0, k, n)
    first = np.where(rng.random(n) < 0.8, y, rng.integers(0, k, n))
    worse = (groups["sex"] == "F").to_numpy() & (rng.random(n) < 0.3)
    second = np.where(worse, rng.integers(0, k, n), first)
    return y, first, second, groups


def _engine_gap(y, pred, groups, metric, task, min_group_size):
    frame = group_metrics(y, pred, sensitive_features=groups, task=task, intersections=False,
                          min_group_size=min_group_size)
    rows = frame[(frame["metric"] == metric) & frame["label"].isna()]
    return {r.over[0]: r.value for r in rows.itertuples(index=False)}


@pytest.mark.parametrize("task,metrics", [("binary", BINARY), ("multiclass", ("accuracy_score_difference",)),
                                          ("regression", ("mean_absolute_error_difference",))])
@pytest.mark.parametrize("min_group_size", [0, 30])
def test_points_equal_the_fairness_engine(task, metrics, min_group_size):
    y, first, second, groups = _data(task)
    changes = _one(y, first, second, groups, task=task, metrics=metrics, min_group_size=min_group_size,
                          n_boot=0)
    assert {(c.metric, c.over) for c in changes} == {(m, f) for m in metrics for f in groups.columns}
    for c in changes:
        before = _engine_gap(y, first, groups, c.metric, task, min_group_size)[c.over]
        after = _engine_gap(y, second, groups, c.metric, task, min_group_size)[c.over]
        assert c.original == pytest.approx(before, abs=1e-12)
        assert c.variant == pytest.approx(after, abs=1e-12)
        assert c.change == pytest.approx(after - before, abs=1e-12)
        assert math.isnan(c.ci_low) and math.isnan(c.ci_high)


def test_min_group_size_leaves_the_tiny_group_out():
    y, first, second, groups = _data("multiclass")
    kept = {c.over: c for c in _one(y, first, second, groups, task="multiclass",
                                           metrics=("accuracy_score_difference",), min_group_size=30, n_boot=0)}
    everyone = {c.over: c for c in _one(y, first, second, groups, task="multiclass",
                                               metrics=("accuracy_score_difference",), n_boot=0)}
    # the 15-row band moves the unfiltered gaps; left out, it does not count
    assert (kept["band"].original, kept["band"].variant) != (everyone["band"].original, everyone["band"].variant)
    assert kept["sex"] == everyone["sex"]


@pytest.mark.parametrize("task,metric", [("binary", "equalized_odds_difference"),
                                         ("multiclass", "accuracy_score_difference"),
                                         ("regression", "mean_absolute_error_difference")])
def test_interval_agrees_with_a_paired_row_bootstrap(task, metric):
    """The sufficient-statistics interval is what resampling the rows of both predictions together gives."""
    y, first, second, groups = _data(task, n=4000, seed=1)
    groups = groups[["sex"]]
    (change,) = _one(y, first, second, groups, task=task, metrics=(metric,), n_boot=2000, random_state=3)
    rng = np.random.default_rng(11)
    draws = []
    for _ in range(400):
        i = rng.integers(0, len(y), len(y))
        g = groups.iloc[i].reset_index(drop=True)
        (row,) = _one(y[i], first[i], second[i], g, task=task, metrics=(metric,), n_boot=0)
        draws.append(row.change)
    low, high = np.percentile(draws, [2.5, 97.5])
    width = high - low
    assert change.ci_low < change.change < change.ci_high
    assert change.ci_low == pytest.approx(low, abs=0.15 * width)
    assert change.ci_high == pytest.approx(high, abs=0.15 * width)
    assert change.ci_low > 0  # the variant is built to hurt group F


def test_identical_predictions_change_nothing_with_certainty():
    y, first, _, groups = _data("binary")
    for c in _one(y, first, first, groups, task="binary", metrics=BINARY, n_boot=200):
        assert c.change == 0.0 and c.ci_low == 0.0 and c.ci_high == 0.0


def test_seeded_and_metrics_of_other_tasks_skipped():
    y, first, second, groups = _data("binary")
    a = _one(y, first, second, groups, task="binary", metrics=BINARY + ("accuracy_score_difference",),
                    random_state=5)
    b = _one(y, first, second, groups, task="binary", metrics=BINARY, random_state=5)
    assert a == b
    assert a != _one(y, first, second, groups, task="binary", metrics=BINARY, random_state=6)


def test_variants_share_one_encoding_and_do_not_affect_each_other():
    y, first, second, groups = _data("binary")
    third = np.where(np.arange(len(y)) % 7 == 0, 1 - first, first)
    both = gap_changes(y, first, {"b": second, "c": third}, groups, task="binary", metrics=BINARY, random_state=2)
    assert both["b"] == _one(y, first, second, groups, task="binary", metrics=BINARY, random_state=2)
    assert both["c"] == _one(y, first, third, groups, task="binary", metrics=BINARY, random_state=2)
