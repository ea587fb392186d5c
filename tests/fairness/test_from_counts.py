"""group_metrics_from_counts gives exactly group_metrics' frame from a group-by count table."""
import numpy as np
import pandas as pd
import pytest

from audit import DataError, UsageError
from audit.fairness import group_metrics, group_metrics_from_counts, messages


@pytest.fixture(scope="module")
def table():
    rng = np.random.default_rng(11)
    n = 5000
    return pd.DataFrame({
        "sex": rng.choice(["F", "M"], n), "race": rng.choice(["a", "b", "c", None], n, p=[0.5, 0.3, 0.19, 0.01]),
        "y": rng.integers(0, 2, n), "p": rng.integers(0, 2, n), "k": rng.integers(0, 3, n),
        "q": rng.integers(0, 3, n)})


def counts_of(frame, cols):
    return frame.groupby(cols, dropna=False, sort=False).size().rename("n").reset_index()


@pytest.mark.parametrize("pred, kwargs", [
    ("p", {}), ("p", {"n_boot": 50, "random_state": 3, "min_group_size": 30}),
    ("k", {"n_boot": 20}), ("p", {"reference_group": {"sex": "F"}})])
def test_same_frame_as_rows(table, pred, kwargs):
    target = "y" if pred == "p" else "q"
    rows = group_metrics(table[target], table[pred], sensitive_features=table[["sex", "race"]], **kwargs)
    counts = counts_of(table, ["sex", "race", target, pred]).sample(frac=1.0, random_state=0)
    ours = group_metrics_from_counts(counts, target=target, prediction=pred, sensitive_features=["sex", "race"],
                                     count="n", **kwargs)
    pd.testing.assert_frame_equal(ours, rows)


def test_count_table_errors(table):
    counts = counts_of(table, ["sex", "y", "p"])
    with pytest.raises(UsageError) as err:
        group_metrics_from_counts(counts, target="y", prediction="p", sensitive_features=["race"], count="n")
    assert str(err.value) == messages.COUNTS_MISSING_COLUMNS.format(missing=["race"], columns=list(counts.columns))
    bad = counts.assign(n=counts["n"].astype(float))
    with pytest.raises(DataError) as err:
        group_metrics_from_counts(bad, target="y", prediction="p", sensitive_features=["sex"], count="n")
    assert str(err.value) == messages.COUNTS_BAD.format(column="n", dtype=np.dtype("float64"))
    reg = pd.DataFrame({"s": ["a", "b"], "y": [0.5, 1.5], "p": [0.2, 1.1], "n": [3, 4]})
    with pytest.raises(UsageError) as err:
        group_metrics_from_counts(reg, target="y", prediction="p", sensitive_features=["s"], count="n")
    assert str(err.value) == messages.COUNTS_REGRESSION
