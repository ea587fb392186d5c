"""Preprocessing: fitted on train only, one-hot mapping kept, JSON round trip."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from audit import DataError, UsageError
from audit.models import TabularPreprocessor, load_dataset
from audit.models._preprocess import MISSING


def _toy():
    train = pd.DataFrame({"colour": ["red", "blue", None, "red"],
                          "size": [1.0, np.nan, 3.0, 5.0]})
    return TabularPreprocessor(["colour"], ["size"]).fit(train), train


def test_encoding_rules():
    pp, train = _toy()
    assert pp.categories["colour"] == sorted(["red", "blue", MISSING])
    assert pp.encoded_names == ["colour=(missing)", "colour=blue", "colour=red", "size"]
    assert pp.feature_groups == {"colour": [0, 1, 2], "size": [3]}
    assert pp.medians["size"] == 3.0
    x = pp.transform(train)
    assert x.dtype == np.float32 and x.shape == (4, 4)
    assert x[:, :3].sum(axis=1).tolist() == [1, 1, 1, 1]
    assert x[1, 3] == pytest.approx((3.0 - pp.means["size"]) / pp.stds["size"])
    assert x[:, 3].mean() == pytest.approx(0.0, abs=1e-6)
    unseen = pp.transform(pd.DataFrame({"colour": ["green"], "size": [2.0]}))
    assert unseen[0, :3].tolist() == [0, 0, 0]


def test_fitted_on_train_only():
    ds = load_dataset("german")
    pp = TabularPreprocessor(ds.categorical, ds.numeric).fit(ds.train)
    assert pp.means["age"] == pytest.approx(ds.train["age"].mean())
    assert pp.means["age"] != pytest.approx(pd.concat([ds.train, ds.test])["age"].mean())
    x = pp.transform(ds.train)
    assert np.allclose(x[:, pp.feature_groups["age"][0]].mean(), 0, atol=1e-5)


def test_json_round_trip(tmp_path):
    ds = load_dataset("adult")
    pp = TabularPreprocessor(ds.categorical, ds.numeric).fit(ds.train)
    back = TabularPreprocessor.from_dict(json.loads(json.dumps(pp.to_dict())))
    assert back.to_dict() == pp.to_dict()
    assert np.array_equal(back.transform(ds.test), pp.transform(ds.test))
    pp.save(tmp_path / "p.json")
    again = TabularPreprocessor.load(tmp_path / "p.json")
    assert again.feature_groups == pp.feature_groups
    groups = sorted(i for idx in pp.feature_groups.values() for i in idx)
    assert groups == list(range(pp.n_encoded)) == list(range(len(pp.encoded_names)))
    assert list(pp.feature_groups) == list(ds.features)


def test_regression_target_scaling_round_trips():
    ds = load_dataset("diabetes")
    pp = TabularPreprocessor(ds.categorical, ds.numeric).fit(ds.train, ds.train["progression"])
    z = pp.scale_target(ds.train["progression"])
    assert z.mean() == pytest.approx(0, abs=1e-9) and z.std() == pytest.approx(1)
    back = TabularPreprocessor.from_dict(json.loads(json.dumps(pp.to_dict())))
    assert np.allclose(back.unscale_target(z), ds.train["progression"])


def test_errors():
    pp, _ = _toy()
    with pytest.raises(DataError, match="size"):
        pp.transform(pd.DataFrame({"colour": ["red"]}))
    with pytest.raises(UsageError, match="not fitted"):
        TabularPreprocessor(["a"], []).transform(pd.DataFrame({"a": ["x"]}))
    with pytest.raises(UsageError, match="both"):
        TabularPreprocessor(["a"], ["a"])
    with pytest.raises(DataError, match="format"):
        TabularPreprocessor.from_dict({"format": "other"})
    with pytest.raises(UsageError, match="target scaling"):
        pp.scale_target([1.0])
