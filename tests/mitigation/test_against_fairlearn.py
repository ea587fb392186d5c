"""Each candidate's figures equal fairlearn's own evaluation of the same fitted mitigator on the same rows (1e-9)."""
from __future__ import annotations

import numpy as np
import pytest
from fairlearn.metrics import demographic_parity_difference, equalized_odds_difference
from fairlearn.postprocessing import ThresholdOptimizer
from fairlearn.reductions import DemographicParity, ExponentiatedGradient, GridSearch
from sklearn.base import clone
from sklearn.metrics import accuracy_score

import audit
from audit.mitigation import reweighing_weights, split_rows
from audit.mitigation._thresholds import group_keys

from .conftest import DP_CHECK

FEATURES = ["x1", "x2", "x3"]


@pytest.fixture(scope="module")
def audited(sklearn_case):
    model, train, test = sklearn_case
    report = audit.run(test, model=model, target="y", sensitive_features=["sex"], features=FEATURES,
                       train_data=train, auditors=["fairness", "mitigation"], checks=DP_CHECK,
                       auditor_options={"fairness": {"n_boot": 0},
                                        "mitigation": {"n_boot": 0, "strengths": [0.05]}}, random_state=0)
    return report, model, train, test


def _figure(entry, metric, over=("sex",)):
    want = None if metric == "accuracy_score" else list(over)
    (f,) = [f for f in entry["metrics"] if f["metric"] == metric and f["over"] == want]
    return f["value"]


def _rows(test):
    y = test["y"].to_numpy()
    return split_rows(group_keys(test, ["sex"]), y, fit_share=0.5, random_state=0)


def _assert_equal_figures(entry, y_true, y_pred, sex):
    assert _figure(entry, "accuracy_score") == pytest.approx(accuracy_score(y_true, y_pred), abs=1e-9)
    assert _figure(entry, "demographic_parity_difference") == pytest.approx(
        demographic_parity_difference(y_true, y_pred, sensitive_features=sex), abs=1e-9)
    assert _figure(entry, "equalized_odds_difference") == pytest.approx(
        equalized_odds_difference(y_true, y_pred, sensitive_features=sex), abs=1e-9)


def _entry(report, name):
    (entry,) = [e for e in report["mitigation"].details["candidates"] if e["name"] == name]
    assert entry["reason"] is None, entry["reason"]
    return entry


def test_the_split_is_seeded_stratified_and_stated(audited):
    report, _, _, test = audited
    fit, ev = _rows(test)
    split = report["mitigation"].details["split"]
    assert (split["n_fit"], split["n_eval"]) == (len(fit), len(ev))
    assert split["stratified_by"] == ["sex", "label"]
    assert not set(fit) & set(ev) and len(fit) + len(ev) == len(test)
    for sex in ("f", "m"):
        for label in (0, 1):
            n = int(((test["sex"] == sex) & (test["y"] == label)).sum())
            assert int(((test["sex"].iloc[fit] == sex) & (test["y"].iloc[fit] == label)).sum()) == n // 2
    assert "stratified by sex x label" in split["message"]


def test_unchanged_model(audited):
    report, model, _, test = audited
    _, ev = _rows(test)
    rows = test.iloc[ev]
    _assert_equal_figures(_entry(report, "unchanged"), rows["y"], model.predict(rows[FEATURES]), rows["sex"])


@pytest.mark.parametrize("constraint", ["demographic_parity"])
def test_threshold_optimizer(audited, constraint):
    report, model, _, test = audited
    fit, ev = _rows(test)
    to = ThresholdOptimizer(estimator=model, constraints=constraint, objective="accuracy_score", prefit=True,
                            predict_method="predict_proba")
    to.fit(test.iloc[fit][FEATURES], test.iloc[fit]["y"], sensitive_features=test.iloc[fit]["sex"])
    rows = test.iloc[ev]
    pred = to.predict(rows[FEATURES], sensitive_features=rows["sex"], random_state=0)
    _assert_equal_figures(_entry(report, f"threshold_optimizer:{constraint}[sex]"), rows["y"], pred, rows["sex"])


def test_reweighing(audited):
    report, model, train, test = audited
    _, ev = _rows(test)
    w = reweighing_weights(group_keys(train, ["sex"]), train["y"].to_numpy())
    refit = clone(model).fit(train[FEATURES], train["y"], sample_weight=w)
    rows = test.iloc[ev]
    _assert_equal_figures(_entry(report, "reweighing"), rows["y"], refit.predict(rows[FEATURES]), rows["sex"])


def test_exponentiated_gradient(audited):
    report, model, train, test = audited
    _, ev = _rows(test)
    eg = ExponentiatedGradient(clone(model), DemographicParity(difference_bound=0.05), max_iter=50)
    eg.fit(train[FEATURES], train["y"], sensitive_features=train["sex"].to_numpy())
    rows = test.iloc[ev]
    pred = eg.predict(rows[FEATURES], random_state=0)
    _assert_equal_figures(_entry(report, "exponentiated_gradient:demographic_parity:0.05"), rows["y"], pred,
                          rows["sex"])


def test_grid_search(audited):
    report, model, train, test = audited
    _, ev = _rows(test)
    gs = GridSearch(clone(model), DemographicParity(), grid_size=11)
    gs.fit(train[FEATURES], train["y"], sensitive_features=train["sex"].to_numpy())
    rows = test.iloc[ev]
    _assert_equal_figures(_entry(report, "grid_search:demographic_parity"), rows["y"], gs.predict(rows[FEATURES]),
                          rows["sex"])


def test_reweighing_weights_make_group_and_label_independent():
    rng = np.random.default_rng(0)
    g = rng.choice(["a", "b", "c"], 900, p=[0.5, 0.3, 0.2])
    y = (rng.random(900) < np.where(g == "a", 0.6, 0.2)).astype(int)
    w = reweighing_weights(g, y)
    for a in "abc":
        for label in (0, 1):
            cell = (g == a) & (y == label)
            assert w[cell].sum() / w.sum() == pytest.approx((g == a).mean() * (y == label).mean(), abs=1e-12)
            assert np.all(w[cell] == ((g == a).mean() * (y == label).mean()) / cell.mean())
