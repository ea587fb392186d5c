"""Properties that hold for any data: invariances, ranges, counts that add up."""
from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.fairness import group_metrics

RATE_METRICS = ("selection_rate", "true_positive_rate", "false_positive_rate", "accuracy_score",
                "balanced_accuracy_score", "precision_score", "f1_score")


@st.composite
def tables(draw):
    n = draw(st.integers(1, 60))
    labels = st.lists(st.integers(0, 1), min_size=n, max_size=n)
    y_true, y_pred = np.array(draw(labels)), np.array(draw(labels))
    sex = draw(st.lists(st.sampled_from(["F", "M"]), min_size=n, max_size=n))
    race = draw(st.lists(st.sampled_from(["a", "b", "c", None]), min_size=n, max_size=n))
    return y_true, y_pred, pd.DataFrame({"sex": sex, "race": race})


def _keyed(frame):
    return {(row.metric, None if row.over is None else tuple(row.over),
             None if row.group is None else tuple(sorted(row.group.items()))): row.value
            for row in frame.itertuples()}


@settings(max_examples=25, deadline=None)
@given(tables(), st.randoms(use_true_random=False))
def test_invariant_to_row_order_and_group_names(data, random):
    y_true, y_pred, sensitive = data
    frame = group_metrics(y_true, y_pred, sensitive_features=sensitive, pos_label=1)
    order = np.arange(len(y_true))
    random.shuffle(order)
    shuffled = group_metrics(y_true[order], y_pred[order], sensitive_features=sensitive.iloc[order],
                             pos_label=1)
    expected, got = _keyed(frame), _keyed(shuffled)
    assert expected.keys() == got.keys()
    np.testing.assert_allclose([got[k] for k in expected], list(expected.values()), atol=1e-12)

    renaming = {"a": "zeta", "b": "alpha", "c": "mid"}
    renamed = sensitive.assign(race=sensitive["race"].map(lambda v: renaming.get(v)))
    renamed_frame = _keyed(group_metrics(y_true, y_pred, sensitive_features=renamed, pos_label=1))
    back = {v: k for k, v in renaming.items()}
    restored = {(m, o, None if g is None else tuple((f, back.get(v, v) if f == "race" else v) for f, v in g)): x
                for (m, o, g), x in renamed_frame.items()}
    assert restored.keys() == expected.keys()
    np.testing.assert_allclose([restored[k] for k in expected], list(expected.values()), atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(tables())
def test_ranges_and_counts(data):
    y_true, y_pred, sensitive = data
    frame = group_metrics(y_true, y_pred, sensitive_features=sensitive, pos_label=1)
    aggregates = frame[frame["group"].isna() & frame["over"].notna()]
    for metric in RATE_METRICS:
        difference = aggregates.loc[aggregates["metric"] == f"{metric}_difference", "value"].dropna()
        ratio = aggregates.loc[aggregates["metric"] == f"{metric}_ratio", "value"].dropna()
        assert (difference >= 0).all()
        assert ((ratio >= 0) & (ratio <= 1)).all()
    for name in ("demographic_parity", "equalized_odds", "equal_opportunity"):
        assert (aggregates.loc[aggregates["metric"] == f"{name}_difference", "value"].dropna() >= 0).all()
        ratio = aggregates.loc[aggregates["metric"].str.startswith(f"{name}_ratio"), "value"].dropna()
        assert ((ratio >= 0) & (ratio <= 1)).all()
    counts = frame[(frame["metric"] == "count") & frame["group"].notna()]
    for over, rows in counts.groupby(counts["over"].map(tuple)):
        assert rows["value"].sum() == len(y_true)
        assert int(rows["n"].sum()) == len(y_true)
    shares = frame[(frame["metric"] == "share") & frame["over"].map(lambda o: o == ["sex"])]
    assert abs(shares["value"].sum() - 1.0) < 1e-12
