"""Point estimates equal fairlearn 0.15's MetricFrame (with scikit-learn metrics) to 1e-9.

fairlearn reports a rate with a zero denominator as 0; ``zero_division=0`` reproduces that, so
every comparison here passes it (the default, null for undefined, is tested in test_undefined.py).
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import sklearn.metrics as skm
from sklearn.calibration import calibration_curve
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from audit.fairness import calibration_table, group_metrics

from ._oracle import (
    MISSING,
    assert_close,
    assert_matches_fairlearn,
    binary_metric_functions,
    our_values,
    regression_metric_functions,
)


def synthetic_binary(n: int = 3000, seed: int = 0):
    """Three string sensitive columns with skewed sizes, an empty intersectional cell,
    a group without positives and a group where nobody is selected."""
    rng = np.random.default_rng(seed)
    sex = rng.choice(["F", "M"], n, p=[0.4, 0.6])
    race = rng.choice(["A", "B", "C", "D"], n, p=[0.5, 0.3, 0.15, 0.05])
    age = rng.choice(["<30", "30-50", ">50"], n, p=[0.3, 0.5, 0.2])
    y_true = (rng.random(n) < 0.35).astype(int)
    y_pred = np.where(rng.random(n) < 0.8, y_true, 1 - y_true)
    y_true[race == "D"] = 0                                   # race D: no positives
    y_pred[(race == "C") & (age == ">50")] = 0                # nobody selected in a cell
    keep = ~((sex == "F") & (race == "D") & (age == "<30"))   # an empty intersectional cell
    frame = pd.DataFrame({"sex": sex, "race": race, "age": age})[keep].reset_index(drop=True)
    return y_true[keep], y_pred[keep], frame


def test_synthetic_binary_three_features():
    y_true, y_pred, sensitive = synthetic_binary()
    frame = group_metrics(y_true, y_pred, sensitive_features=sensitive, zero_division=0)
    checks = assert_matches_fairlearn(frame, binary_metric_functions(), y_true, y_pred, sensitive)
    assert checks > 250
    empty = frame[frame["group"].map(lambda g: g == {"sex": "F", "race": "D", "age": "<30"})]
    assert (empty["n"] == 0).all() and empty["value"].isna().all()
    assert our_values(frame, "share", None) == 1.0


def test_breast_cancer_classifier_with_scores():
    data = load_breast_cancer(as_frame=True)
    x, y = data.data, data.target
    train = np.arange(len(y)) % 2 == 0
    model = LogisticRegression(max_iter=5000).fit(x[train], y[train])
    x_test, y_test = x[~train], y[~train].to_numpy()
    y_pred = model.predict(x_test)
    y_score = model.predict_proba(x_test)[:, 1]
    sensitive = pd.DataFrame({
        "radius": pd.cut(x_test["mean radius"], [0, 12, 15, 100], labels=["small", "mid", "large"]),
        "texture": np.where(x_test["mean texture"] > 19, "rough", "smooth")})
    frame = group_metrics(y_test, y_pred, sensitive_features=sensitive, y_score=y_score, zero_division=0)
    assert_matches_fairlearn(frame, binary_metric_functions(), y_test, y_pred, sensitive)
    # Score metrics against sklearn per group, where the group has both classes.
    for over in (["radius"], ["texture"], ["radius", "texture"]):
        keys = sensitive[over].astype(str).apply(tuple, axis=1)
        auc = our_values(frame, "roc_auc_score", over)
        brier = our_values(frame, "brier_score_loss", over)
        for key in keys.unique():
            mask = (keys == key).to_numpy()
            assert_close(brier[key], skm.brier_score_loss(y_test[mask], y_score[mask]), f"brier {key}")
            if len(np.unique(y_test[mask])) == 2:
                assert_close(auc[key], skm.roc_auc_score(y_test[mask], y_score[mask]), f"auc {key}")
            else:
                assert np.isnan(auc[key])
    assert_close(our_values(frame, "roc_auc_score", None), skm.roc_auc_score(y_test, y_score), "auc")


def _naive_ece(y_true, y_score, n_bins=10):
    bins = np.searchsorted(np.linspace(0, 1, n_bins + 1)[1:-1], y_score)
    return sum(np.sum(bins == b) / len(y_true) * abs(y_score[bins == b].mean() - y_true[bins == b].mean())
               for b in range(n_bins) if np.any(bins == b))


def test_expected_calibration_error_and_calibration_table():
    rng = np.random.default_rng(3)
    n = 2000
    y_score = rng.random(n)
    y_score[:20] = 0.1  # scores on a bin edge fall in the lower bin, as in calibration_curve
    y_true = (rng.random(n) < y_score ** 1.5).astype(int)
    group = rng.choice(["a", "b", "c"], n)
    frame = group_metrics(y_true, (y_score > 0.5).astype(int), sensitive_features={"g": group},
                          y_score=y_score, zero_division=0)
    ece = our_values(frame, "expected_calibration_error", ["g"])
    for value in "abc":
        mask = group == value
        assert_close(ece[(value,)], _naive_ece(y_true[mask], y_score[mask]), f"ece {value}")
    assert_close(our_values(frame, "expected_calibration_error", None), _naive_ece(y_true, y_score), "ece")

    table = calibration_table(y_true, y_score, sensitive_features={"g": group}, n_bins=5)
    assert list(table.columns) == ["group", "over", "bin_low", "bin_high", "n", "mean_score",
                                   "fraction_positive"]
    assert len(table) == 5 * 4 and int(table["n"].sum()) == 2 * n
    for value in "abc":
        mask = group == value
        rows = table[table["group"].map(lambda g: g == {"g": value})]
        prob_true, prob_pred = calibration_curve(y_true[mask], y_score[mask], n_bins=5)
        filled = rows[rows["n"] > 0]
        assert_close(filled["fraction_positive"], prob_true, "fraction_positive")
        assert_close(filled["mean_score"], prob_pred, "mean_score")


def test_diabetes_regression():
    x, y = load_diabetes(return_X_y=True, as_frame=True)
    model = LinearRegression().fit(x, y)
    y_pred = model.predict(x)
    sensitive = pd.DataFrame({"sex": np.where(x["sex"] > 0, "s1", "s2"),
                              "age": pd.qcut(x["age"], 3, labels=["young", "middle", "old"])})
    frame = group_metrics(y.to_numpy(), y_pred, sensitive_features=sensitive, zero_division=0)
    assert_matches_fairlearn(frame, regression_metric_functions(), y.to_numpy(), y_pred, sensitive)


def test_regression_r2_edge_cases():
    y_true = np.array([1.0, 1.0, 1.0, 2.0, 3.0, 5.0, 4.5])
    y_pred = np.array([1.0, 1.0, 1.0, 2.5, 3.0, 4.0, 4.5])
    group = ["const_exact", "const_exact", "const_exact", "mixed", "mixed", "mixed", "single"]
    sensitive = pd.DataFrame({"g": group})
    frame = group_metrics(y_true, y_pred, sensitive_features=sensitive, task="regression", zero_division=0)
    assert_matches_fairlearn(frame, regression_metric_functions(), y_true, y_pred, sensitive)
    r2 = our_values(frame, "r2_score", ["g"])
    assert r2[("const_exact",)] == 1.0 and np.isnan(r2[("single",)])


def test_iris_multiclass_one_vs_rest():
    x, y = load_iris(return_X_y=True, as_frame=True)
    model = DecisionTreeClassifier(max_depth=2, random_state=0).fit(x, y)
    y_pred = model.predict(x)
    y_true = y.to_numpy()
    sensitive = pd.DataFrame({"sepal": np.where(x["sepal length (cm)"] > 5.8, "long", "short"),
                              "width": np.where(x["sepal width (cm)"] > 3.0, "wide", "narrow")})
    frame = group_metrics(y_true, y_pred, sensitive_features=sensitive, zero_division=0)
    metrics = binary_metric_functions()
    for cls in np.unique(y_true):
        binary_true, binary_pred = (y_true == cls).astype(int), (y_pred == cls).astype(int)
        one_vs_rest = {k: v for k, v in metrics.items() if k != "count"}
        assert_matches_fairlearn(frame, one_vs_rest, binary_true, binary_pred, sensitive,
                                 label=str(cls), fairness_functions=cls == 1)
    assert_matches_fairlearn(frame, {"count": metrics["count"], "accuracy_score": skm.accuracy_score},
                             y_true, y_pred, sensitive)


def test_single_class_group_one_group_and_string_labels():
    y_true = np.array(["yes", "yes", "yes", "no", "yes", "no", "no", "yes"])
    y_pred = np.array(["yes", "no", "yes", "no", "no", "yes", "no", "yes"])
    sensitive = pd.DataFrame({"g": ["only_yes"] * 3 + ["mixed"] * 5})
    frame = group_metrics(y_true, y_pred, sensitive_features=sensitive, pos_label="yes", zero_division=0)
    assert_matches_fairlearn(frame, binary_metric_functions("yes"), y_true, y_pred, sensitive,
                             fairness_functions=False)
    one = group_metrics(
        y_true, y_pred, sensitive_features=pd.DataFrame({"g": ["x"] * 8}), pos_label="yes", zero_division=0
    )
    assert_matches_fairlearn(one, binary_metric_functions("yes"), y_true, y_pred,
                             pd.DataFrame({"g": ["x"] * 8}), fairness_functions=False)
    # one group is no comparison: undefined, where fairlearn reports 0 ("perfect parity")
    assert np.isnan(our_aggregate_value(one, "selection_rate_difference"))


def our_aggregate_value(frame, metric):
    return float(frame.loc[(frame["metric"] == metric) & frame["group"].isna()
                           & frame["over"].notna(), "value"].iloc[0])


def test_missing_sensitive_value_is_its_own_group():
    y_true, y_pred, sensitive = synthetic_binary(800, seed=5)
    sensitive = sensitive.copy()
    sensitive.loc[::17, "race"] = None
    sensitive.loc[::23, "sex"] = np.nan
    frame = group_metrics(y_true, y_pred, sensitive_features=sensitive, zero_division=0)
    assert_matches_fairlearn(frame, binary_metric_functions(), y_true, y_pred, sensitive,
                             fairness_functions=False)
    race_groups = [g["race"] for g in frame.loc[frame["over"].map(lambda o: o == ["race"])
                                                & frame["group"].notna(), "group"]]
    assert race_groups[-1] is None and MISSING not in race_groups


def test_categorical_order_is_kept():
    sensitive = pd.Series(pd.Categorical(["lo", "hi", "mid", "hi"], categories=["lo", "mid", "hi", "unused"]),
                          name="level")
    frame = group_metrics([0, 1, 1, 0], [0, 1, 0, 0], sensitive_features=sensitive, zero_division=0)
    counts = frame[(frame["metric"] == "count") & frame["group"].notna()]
    assert [g["level"] for g in counts["group"]] == ["lo", "mid", "hi"]


def test_reference_group_and_representation():
    y_true, y_pred, sensitive = synthetic_binary(2000, seed=2)
    frame = group_metrics(y_true, y_pred, sensitive_features=sensitive, reference_group={"race": "A"},
                          population_shares={"sex": {"F": 0.5, "M": 0.5}}, zero_division=0)
    rates = our_values(frame, "selection_rate", ["race"])
    diffs = our_values(frame, "selection_rate_difference_to_reference", ["race"])
    ratios = our_values(frame, "selection_rate_ratio_to_reference", ["race"])
    for key in rates:
        assert_close(diffs[key], rates[key] - rates[("A",)], "difference to reference")
        assert_close(ratios[key], rates[key] / rates[("A",)], "ratio to reference")
    cells = our_values(frame, "true_positive_rate", ["sex", "race", "age"])
    cell_diffs = our_values(frame, "true_positive_rate_difference_to_reference", ["sex", "race", "age"])
    key = ("M", "B", "30-50")
    assert_close(cell_diffs[key], cells[key] - cells[("M", "A", "30-50")], "stratified reference")
    assert our_values(frame, "selection_rate_difference_to_reference", ["sex"]) == {}
    shares = our_values(frame, "share", ["sex"])
    representation = our_values(frame, "representation_ratio", ["sex"])
    assert_close(representation[("F",)], shares[("F",)] / 0.5, "representation_ratio")
    disparate = our_aggregate(frame, "disparate_impact_ratio", ["race"])
    assert_close(disparate, min(rates.values()) / max(rates.values()), "disparate_impact_ratio")


def our_aggregate(frame, metric, over):
    from ._oracle import our_aggregate as aggregate
    return aggregate(frame, metric, over)


def test_output_shape_and_order():
    y_true, y_pred, sensitive = synthetic_binary(500, seed=4)
    frame = group_metrics(y_true, y_pred, sensitive_features=sensitive, zero_division=0)
    from audit._results import METRIC_COLUMNS
    assert tuple(frame.columns) == METRIC_COLUMNS
    overs = [None if o is None else tuple(o) for o in frame["over"]]
    first = [o for i, o in enumerate(overs) if o not in overs[:i]]
    assert first == [None, ("sex",), ("race",), ("age",), ("sex", "race", "age")]
    # without a bootstrap only binomial rates have (score) intervals
    from audit.fairness._metrics import BINARY_SPECS
    binomial = frame["metric"].isin([s.name for s in BINARY_SPECS if s.numerator is not None])
    assert frame.loc[~binomial, "ci_low"].isna().all() and frame.loc[~binomial, "ci_high"].isna().all()
    nulls = group_metrics(y_true, y_pred, sensitive_features=sensitive)  # undefined rates are NaN
    binomial = nulls["metric"].isin([s.name for s in BINARY_SPECS if s.numerator is not None])
    assert nulls.loc[binomial & nulls["value"].notna(), "ci_high"].notna().all()
    assert nulls.loc[binomial & nulls["value"].isna(), "ci_high"].isna().all()
    race = frame[(frame["metric"] == "count") & frame["over"].map(lambda o: o == ["race"])]
    assert [g["race"] for g in race["group"]] == ["A", "B", "C", "D"]
    assert int(race["n"].sum()) == len(y_true)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        group_metrics(y_true, y_pred, sensitive_features=sensitive, n_boot=5, zero_division=0)


def test_many_levels_without_intersection_uses_observed_cells():
    rng = np.random.default_rng(6)
    n = 3000
    sensitive = pd.DataFrame({"a": rng.integers(0, 1100, n), "b": rng.integers(0, 1100, n)})
    y_true = rng.integers(0, 2, n)
    y_pred = rng.integers(0, 2, n)
    frame = group_metrics(y_true, y_pred, sensitive_features=sensitive, intersections=False, zero_division=0)
    for feature in ("a", "b"):
        expected = pd.Series(y_pred).groupby(sensitive[feature]).mean()
        ours = our_values(frame, "selection_rate", [feature])
        assert_close([ours[(str(k),)] for k in expected.index], expected.to_numpy(), feature)
    assert not frame["over"].map(lambda o: o == ["a", "b"]).any()
