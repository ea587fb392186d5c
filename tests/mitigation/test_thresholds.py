"""The fast group thresholds equal fairlearn's ThresholdOptimizer on the same rows."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fairlearn.postprocessing import ThresholdOptimizer

from audit import UsageError
from audit.mitigation import ScoreSweeps, apply, fit_thresholds, thresholds_from_dict
from audit.mitigation import _thresholds as th
from audit.models._mitigated import _score_column

CONSTRAINTS = ("demographic_parity", "equalized_odds", "true_positive_rate_parity", "false_positive_rate_parity")


def _data(n: int, seed: int, rounded: bool, groups: int = 3):
    rng = np.random.default_rng(seed)
    g = rng.choice(list("abcde")[:groups], n)
    y = (rng.random(n) < np.where(g == "a", 0.45, 0.25)).astype(int)
    s = np.clip(rng.normal(0.3 + 0.3 * y + 0.1 * (g == "a"), 0.2), 0, 1)
    return (np.round(s, 2) if rounded else s), y, g


def _fairlearn(s, y, g, constraint, objective="accuracy_score"):
    return ThresholdOptimizer(estimator=_score_column(), constraints=constraint, objective=objective, prefit=True,
                              predict_method="predict").fit(s.reshape(-1, 1), y, sensitive_features=g)


@pytest.mark.parametrize("constraint", CONSTRAINTS)
@pytest.mark.parametrize("rounded", [False, True], ids=["distinct-scores", "tied-scores"])
@pytest.mark.parametrize("seed", [0, 1])
def test_probabilities_and_labels_equal_fairlearn(constraint, rounded, seed):
    s, y, g = _data(1500, seed, rounded)
    theirs = _fairlearn(s, y, g, constraint)
    ours = fit_thresholds(s, y, g, constraint=constraint)
    p_theirs = theirs._pmf_predict(s.reshape(-1, 1), sensitive_features=g)[:, 1]
    np.testing.assert_array_equal(ours.probability(s, g), p_theirs)
    for rs in (0, 7):
        np.testing.assert_array_equal(ours.predict(s, g, random_state=rs),
                                      theirs.predict(s.reshape(-1, 1), sensitive_features=g, random_state=rs))


@pytest.mark.parametrize("objective", ["balanced_accuracy_score", "selection_rate", "true_positive_rate"])
def test_other_objectives_equal_fairlearn(objective):
    s, y, g = _data(1200, 3, False)
    theirs = _fairlearn(s, y, g, "demographic_parity", objective)
    ours = fit_thresholds(s, y, g, constraint="demographic_parity", objective=objective)
    np.testing.assert_array_equal(ours.probability(s, g),
                                  theirs._pmf_predict(s.reshape(-1, 1), sensitive_features=g)[:, 1])


def test_two_sensitive_columns_group_by_their_intersection_as_fairlearn():
    s, y, g = _data(2000, 4, False, groups=2)
    h = np.random.default_rng(5).choice(["x", "y"], len(s))
    frame = pd.DataFrame({"g": g, "h": h})
    theirs = _fairlearn(s, y, frame, "equalized_odds")
    ours = fit_thresholds(s, y, frame, constraint="equalized_odds")
    assert set(ours.rules) == {("a", "x"), ("a", "y"), ("b", "x"), ("b", "y")}
    np.testing.assert_array_equal(ours.probability(s, frame),
                                  theirs._pmf_predict(s.reshape(-1, 1), sensitive_features=frame)[:, 1])


def test_one_sweep_serves_every_constraint():
    s, y, g = _data(1000, 6, True)
    sweeps = ScoreSweeps.of(s, y, g)
    for c in CONSTRAINTS:
        assert sweeps.fit(c) == fit_thresholds(s, y, g, constraint=c)


def test_the_exact_chain_finishes_what_pruning_leaves(monkeypatch):
    s, y, g = _data(3000, 8, False)
    expected = fit_thresholds(s, y, g, constraint="demographic_parity")
    monkeypatch.setattr(th, "_PRUNE_PASSES", 1)
    assert fit_thresholds(s, y, g, constraint="demographic_parity") == expected


def test_unknown_constraint_is_one_usage_error_naming_fairlearns():
    s, y, g = _data(100, 0, False)
    with pytest.raises(UsageError) as err:
        fit_thresholds(s, y, g, constraint="equal_happiness")
    assert str(err.value) == th.MSG_UNKNOWN_CONSTRAINT.format(constraint="equal_happiness", known=list(th.CONSTRAINTS))


def test_objective_not_allowed_with_equalized_odds():
    s, y, g = _data(100, 0, False)
    with pytest.raises(UsageError) as err:
        fit_thresholds(s, y, g, constraint="equalized_odds", objective="selection_rate")
    assert str(err.value) == th.MSG_UNKNOWN_OBJECTIVE.format(objective="selection_rate", constraint="equalized_odds",
                                                             allowed=list(th.OBJECTIVES["equalized_odds"]))


def test_group_with_one_label_is_a_data_error_naming_it():
    from audit import DataError

    s, y, g = _data(300, 0, False)
    y = np.where(g == "b", 1, y)
    with pytest.raises(DataError) as err:
        fit_thresholds(s, y, g)
    n_b = int((g == "b").sum())
    assert str(err.value) == th.MSG_DEGENERATE_GROUP.format(group="b", positives=n_b, negatives=0)


def test_group_unseen_when_fitting_is_a_usage_error_not_a_silent_zero():
    s, y, g = _data(300, 0, False, groups=2)
    fitted = fit_thresholds(s, y, g)
    with pytest.raises(UsageError) as err:
        fitted.predict(s[:5], np.array(["a", "z", "z", "b", "a"], dtype=object))
    assert str(err.value) == th.MSG_UNSEEN_GROUP.format(count=2, groups=["z"])


def test_bad_labels_and_lengths():
    s, y, g = _data(50, 0, False)
    with pytest.raises(UsageError, match="labels must be 0/1"):
        fit_thresholds(s, np.where(y == 1, 2, 0), g)
    with pytest.raises(UsageError) as err:
        fit_thresholds(s, y[:-1], g)
    assert str(err.value) == th.MSG_LENGTHS.format(scores=50, labels=49, groups=50)


def test_thresholds_json_round_trip_gives_the_same_predictions():
    import json

    s, y, g = _data(800, 9, False)
    fitted = fit_thresholds(s, y, g, constraint="equalized_odds")
    doc = json.loads(json.dumps(fitted.to_dict(), allow_nan=False))
    assert thresholds_from_dict(doc) == fitted
    np.testing.assert_array_equal(apply(doc, scores=s, groups=list(g), random_state=3),
                                  fitted.predict(s, g, random_state=3))
