"""Every error names the argument, the expectation, what was got and the fix (verbatim)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from audit._exceptions import DataError, UsageError
from audit.fairness import calibration_table, group_metrics
from audit.fairness import messages as msg

Y = [0, 1, 1, 0]
SF = {"g": ["a", "a", "b", "b"]}


def _raises(error, message, **kwargs):
    arguments = {"y_true": Y, "y_pred": Y, "sensitive_features": SF}
    arguments.update(kwargs)
    y_true, y_pred = arguments.pop("y_true"), arguments.pop("y_pred")
    with pytest.raises(error) as caught:
        group_metrics(y_true, y_pred, **arguments)
    assert str(caught.value) == message


def test_lengths_and_empty():
    _raises(DataError, msg.LENGTH_MISMATCH.format(name="y_pred", got=3, expected=4), y_pred=[0, 1, 1])
    _raises(DataError, msg.LENGTH_MISMATCH.format(name="sensitive feature 'g'", got=2, expected=4),
            sensitive_features={"g": ["a", "b"]})
    _raises(DataError, msg.LENGTH_MISMATCH.format(name="y_score", got=2, expected=4), y_score=[0.1, 0.2])
    _raises(DataError, msg.EMPTY_INPUT, y_true=[], y_pred=[], sensitive_features={"g": []})


def test_non_finite_values():
    _raises(DataError, msg.NON_FINITE.format(name="y_pred", count=1, row=2), y_pred=[0, 1, np.nan, 0])
    _raises(DataError, msg.NON_FINITE.format(name="y_true", count=2, row=0),
            y_true=pd.Series([None, "a", None, "b"]), y_pred=["a", "a", "b", "b"])
    _raises(DataError, msg.NON_FINITE.format(name="y_score", count=1, row=3),
            y_score=[0.1, 0.2, 0.3, np.inf])


def test_tasks_and_classes():
    _raises(UsageError, msg.UNKNOWN_TASK.format(task="ranking"), task="ranking")
    _raises(DataError, msg.TOO_MANY_CLASSES_BINARY.format(count=3, classes="0, 1, 2"),
            y_pred=[0, 1, 2, 0], task="binary")
    _raises(DataError, msg.POS_LABEL_NOT_FOUND.format(pos_label="yes", classes="0, 1"), pos_label="yes")
    _raises(DataError, msg.POS_LABEL_AMBIGUOUS.format(label="no"), y_true=["no"] * 4, y_pred=["no"] * 4)
    _raises(UsageError, msg.POS_LABEL_NOT_BINARY.format(pos_label=1, task="multiclass"),
            y_pred=[0, 1, 2, 0], pos_label=1)
    _raises(DataError, msg.REGRESSION_NOT_NUMERIC.format(name="y_true", dtype="object"),
            y_true=["a", "b", "a", "b"], task="regression")
    _raises(DataError, msg.MIXED_LABEL_TYPES.format(types="int64 and object"), y_pred=["a", "b", "a", "b"])
    _raises(UsageError, msg.SCORE_TASK.format(task="multiclass"), y_pred=[0, 1, 2, 0], y_score=[0.5] * 4)
    _raises(DataError, msg.SCORE_RANGE.format(low=-1.0, high=2.0), y_score=[-1.0, 0.5, 2.0, 0.1])
    _raises(DataError, msg.SCORE_NOT_NUMERIC.format(dtype="object"), y_score=["a", "b", "c", "d"])
    _raises(DataError, msg.NOT_ONE_DIMENSIONAL.format(name="y_pred", shape=(4, 2)),
            y_pred=np.zeros((4, 2)))


def test_sensitive_features():
    _raises(UsageError, msg.SENSITIVE_TYPE.format(type_name="int"), sensitive_features=3)
    _raises(DataError, msg.SENSITIVE_NDIM.format(shape=(4, 1, 1)), sensitive_features=np.zeros((4, 1, 1)))
    _raises(DataError, msg.NO_SENSITIVE.format(got="dict with 0 columns"), sensitive_features={})
    _raises(UsageError, msg.DUPLICATE_FEATURE.format(name="g"),
            sensitive_features=pd.DataFrame([["a", "b"]] * 4, columns=["g", "g"]))
    many = {f"f{i}": np.arange(4) for i in range(11)}
    _raises(UsageError, msg.TOO_MANY_INTERSECTIONS.format(features=list(many), count=4 ** 11,
                                                          limit=1 << 20), sensitive_features=many)


def test_reference_and_population():
    _raises(UsageError, msg.REFERENCE_TYPE.format(type_name="another str"), reference_group="a")
    _raises(UsageError, msg.REFERENCE_UNKNOWN_FEATURE.format(feature="race", known=["g"]),
            reference_group={"race": "a"})
    _raises(UsageError, msg.REFERENCE_UNKNOWN_VALUE.format(feature="g", count=2),
            reference_group={"g": "z"})
    _raises(UsageError, msg.POPULATION_TYPE.format(type_name="list"), population_shares=[0.5])
    _raises(UsageError, msg.POPULATION_UNKNOWN_FEATURE.format(feature="sex", known=["g"]),
            population_shares={"sex": {"a": 0.5}})
    _raises(UsageError, msg.POPULATION_UNKNOWN_VALUE.format(feature="g", count=2),
            population_shares={"g": {"z": 0.5}})
    _raises(UsageError, msg.POPULATION_BAD_SHARE.format(feature="g", value="a", share=1.5),
            population_shares={"g": {"a": 1.5}})


def test_bootstrap_options():
    _raises(UsageError, msg.N_BOOT.format(n_boot=-1), n_boot=-1)
    _raises(UsageError, msg.N_BOOT.format(n_boot=2.5), n_boot=2.5)
    _raises(UsageError, msg.CI_LEVEL.format(ci=1.0), ci=1.0)
    _raises(UsageError, msg.CI_LEVEL.format(ci=0), ci=0)


def test_calibration_table_errors():
    with pytest.raises(UsageError) as caught:
        calibration_table(Y, [0.1] * 4, sensitive_features=SF, n_bins=0)
    assert str(caught.value) == msg.N_BINS.format(n_bins=0)
    with pytest.raises(DataError) as caught:
        calibration_table([0, 1, 2, 0], [0.1] * 4, sensitive_features=SF)
    assert str(caught.value) == msg.CALIBRATION_NOT_BINARY.format(count=3, classes="0, 1, 2")
