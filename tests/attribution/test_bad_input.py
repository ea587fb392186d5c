"""Bad input gets a clear error, asserted verbatim."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import torch

import audit
from audit.attribution import AttributionAuditor, messages


def _frame(n=120, seed=0):
    rng = np.random.default_rng(seed)
    sex = rng.choice(["f", "m"], n)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    return pd.DataFrame({"x1": x1, "x2": x2, "colour": rng.choice(["red", "blue"], n), "sex": sex,
                         "y": (x1 > 0).astype(int), "y_hat": (x1 + x2 > 0).astype(int)})


def _subject(model, frame=None, features=("x1", "x2"), **kw):
    frame = _frame() if frame is None else frame
    return audit.AuditSubject(frame, model=model, target="y", prediction="y_hat", sensitive_features=["sex"],
                              features=list(features), **kw)


def _sklearn():
    from sklearn.compose import make_column_transformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    frame = _frame()
    pipe = make_pipeline(make_column_transformer((OneHotEncoder(), ["colour"]), remainder="passthrough"),
                         LogisticRegression())
    return pipe.fit(frame[["x1", "x2", "colour"]], frame["y"])


def test_gradient_method_on_a_non_differentiable_model_suggests_perturbation_methods():
    subject = _subject(_sklearn(), features=("x1", "x2", "colour"))
    expected = messages.NOT_DIFFERENTIABLE.format(
        method="integrated_gradients", kind="sklearn",
        perturbation="feature_ablation, feature_permutation, shapley_value_sampling")
    with pytest.raises(audit.UsageError, match=re.escape(expected)):
        AttributionAuditor(method="integrated_gradients").run(subject)


def test_sklearn_model_is_explained_by_feature_ablation_through_a_wrapped_forward():
    subject = _subject(_sklearn(), features=("x1", "x2", "colour"))
    result = AttributionAuditor(max_rows=100, n_boot=0).run(subject)
    assert result.details["method"] == "feature_ablation"
    assert result.details["sanity"]["feature_ablation"]["randomisation"]["verdict"] == "not_applicable"
    imp = result.rows("mean_abs_attribution").query("group.isna()", engine="python")
    top = imp.sort_values("value")["label"].iloc[-1]
    assert top == "x1"  # y depends on x1 alone


def test_output_shape_not_matching_the_task():
    model = torch.nn.Linear(2, 3)
    expected = messages.OUTPUT_SHAPE.format(shape=(2, 3), n=2, task="binary",
                                            expected="(2,), (2, 1) logits or (2, 2) class scores")
    with pytest.raises(audit.UsageError, match=re.escape(expected)):
        AttributionAuditor().run(_subject(model))


def test_feature_list_not_matching_the_input_width():
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    expected = messages.INPUT_WIDTH.format(expected=3, got=2, features=["x1", "x2"])
    with pytest.raises(audit.UsageError, match=re.escape(expected)):
        AttributionAuditor().run(_subject(model))


def test_nan_in_features_names_the_column_and_count():
    frame = _frame()
    frame.loc[[3, 7], "x2"] = np.nan
    model = torch.nn.Linear(2, 1)
    expected = messages.NON_FINITE_FEATURES.format(column="x2", count=2, n=120, sample=120, others=[])
    with pytest.raises(audit.DataError, match=re.escape(expected)):
        AttributionAuditor(max_rows=None).run(_subject(model, frame))


def test_unknown_method_and_bad_settings():
    model = torch.nn.Linear(2, 1)
    with pytest.raises(audit.UsageError, match=re.escape(messages.UNKNOWN_METHOD.format(
            method="lime", known=list(audit.attribution.METHODS)))):
        AttributionAuditor(method="lime").run(_subject(model))
    with pytest.raises(audit.UsageError, match=re.escape(messages.BAD_MAX_ROWS.format(value=0))):
        AttributionAuditor(max_rows=0).run(_subject(model))
    with pytest.raises(audit.UsageError, match=re.escape(messages.BAD_BASELINE.format(value="median"))):
        AttributionAuditor(baseline="median").run(_subject(model))


def test_deeplift_refuses_a_model_that_reuses_a_module():
    relu = torch.nn.ReLU()
    model = torch.nn.Sequential(torch.nn.Linear(2, 4), relu, torch.nn.Linear(4, 4), relu, torch.nn.Linear(4, 1))
    expected = messages.DEEPLIFT_MODULE_REUSE.format(module="inner.1", calls=2)
    with pytest.raises(audit.UsageError, match=re.escape(expected)):
        AttributionAuditor(method="deeplift").run(_subject(model))
