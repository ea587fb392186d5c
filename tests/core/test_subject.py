import numpy as np
import pandas as pd
import pytest

from audit import DataError, UsageError
from audit.subject import AuditSubject
from audit.subject._validation import MSG_DUPLICATE_COLUMNS, MSG_EMPTY_DATA, MSG_NAN_IN_COLUMN


@pytest.fixture
def frame():
    rng = np.random.default_rng(0)
    return pd.DataFrame({"x": rng.normal(size=50), "y": rng.integers(0, 2, 50), "p": rng.integers(0, 2, 50),
                         "sex": rng.choice(["F", "M"], 50)})


def test_predictions_given_as_a_column(frame):
    s = AuditSubject(frame, target="y", prediction="p", sensitive_features="sex")
    assert s.task == "binary" and s.y_pred is not None and s.y_score is None
    assert s.features == ("x",)
    assert s.describe()["data_fingerprint"].startswith("sha256:")


def test_missing_column_suggests_a_close_name(frame):
    with pytest.raises(UsageError, match=r"column 'Sex' given as sensitive_features is not in the data "
                                         r"\(did you mean 'sex'\?\)"):
        AuditSubject(frame, target="y", prediction="p", sensitive_features=["Sex"])


def test_prediction_column_missing_without_model(frame):
    with pytest.raises(UsageError, match="column 'pred' given as prediction"):
        AuditSubject(frame, target="y", prediction="pred", sensitive_features="sex")


def test_nan_in_predictions_is_refused_with_a_count(frame):
    frame = frame.astype({"p": float})
    frame.loc[[3, 7], "p"] = np.nan
    with pytest.raises(DataError) as err:
        AuditSubject(frame, target="y", prediction="p", sensitive_features="sex")
    assert str(err.value) == MSG_NAN_IN_COLUMN.format(column="p", role="prediction", count=2, n=50)


def test_empty_and_duplicate_columns(frame):
    with pytest.raises(DataError) as err:
        AuditSubject(frame.iloc[:0], target="y", prediction="p")
    assert str(err.value) == MSG_EMPTY_DATA
    dup = pd.concat([frame, frame[["x"]]], axis=1)
    with pytest.raises(DataError) as err:
        AuditSubject(dup, target="y", prediction="p")
    assert str(err.value) == MSG_DUPLICATE_COLUMNS.format(names=["x"])


def test_sklearn_and_torch_models_give_predictions_and_scores(frame):
    import torch
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression().fit(frame[["x"]], frame["y"])
    s = AuditSubject(frame, model=clf, target="y", sensitive_features="sex", features=["x"])
    assert np.array_equal(s.y_pred, clf.predict(frame[["x"]]))
    assert np.allclose(s.y_score, clf.predict_proba(frame[["x"]])[:, 1])
    torch.manual_seed(0)
    net = torch.nn.Linear(1, 1)
    s = AuditSubject(frame, model=net, target="y", sensitive_features="sex", features=["x"])
    with torch.no_grad():
        logits = net(torch.tensor(frame[["x"]].to_numpy(np.float32))).numpy().ravel()
    assert np.array_equal(s.y_pred, (logits > 0).astype(int))
    assert np.allclose(s.y_score, 1 / (1 + np.exp(-logits.astype(np.float64))))
    assert s.describe()["model"]["n_parameters"] == 2


def test_torch_model_refuses_text_features(frame):
    import torch

    with pytest.raises(UsageError, match=r"feature column\(s\) \['sex'\] are not numeric"):
        AuditSubject(frame, model=torch.nn.Linear(2, 1), target="y", features=["x", "sex"])


def test_polars_and_arrow_inputs(frame):
    import polars as pl
    import pyarrow as pa

    for data in (pl.from_pandas(frame), pl.from_pandas(frame).lazy(), pa.Table.from_pandas(frame)):
        s = AuditSubject(data, target="y", prediction="p", sensitive_features="sex")
        assert s.n_rows == 50


def test_unreadable_and_unsupported_paths(tmp_path):
    with pytest.raises(UsageError, match="no such file"):
        AuditSubject(tmp_path / "nope.csv", target="y")
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(UsageError, match="unsupported file type"):
        AuditSubject(tmp_path / "x.json", target="y")
    (tmp_path / "bad.parquet").write_text("not parquet")
    with pytest.raises(UsageError, match="cannot read .*bad.parquet"):
        AuditSubject(tmp_path / "bad.parquet", target="y")


def test_train_data_must_have_the_same_columns(frame):
    s = AuditSubject(frame, target="y", prediction="p", sensitive_features="sex", train_data=frame.iloc[:20])
    assert s.has("train_data") and s.describe()["n_train_rows"] == 20
    with pytest.raises(UsageError, match="column 'x' given as a column of train_data"):
        AuditSubject(frame, target="y", prediction="p", sensitive_features="sex", train_data=frame[["y", "sex"]])
