"""anonymity(): hand-computed cases, a brute-force groupby oracle, missing values, bad input."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from audit import UsageError
from audit.privacy import anonymity, messages


def _table():
    return pd.DataFrame({"age": [30, 30, 30, 40, 40, 50],
                         "zip": ["A", "A", "A", "B", "B", "C"],
                         "disease": ["flu", "flu", "cold", "flu", "hiv", "flu"],
                         "salary": [3.0, 4.0, 5.0, 6.0, 11.0, 9.0]})


def test_hand_computed():
    a = anonymity(_table(), ["age", "zip"], ["disease", "salary"], risk_threshold=0.4)
    assert (a.k, a.n_classes, a.n_records) == (1, 3, 6)
    assert a.unique_share == pytest.approx(1 / 6)
    assert a.prosecutor_highest_risk == 1.0
    assert a.prosecutor_average_risk == pytest.approx(3 / 6)
    assert a.prosecutor_records_at_risk == pytest.approx(3 / 6)  # classes of 2 (risk .5) and 1 (risk 1)
    assert dict(a.class_size_counts) == {1: 1, 2: 1, 3: 1}
    d = a.sensitive["disease"]
    assert d.l_distinct == 1 and d.distance == "equal"
    assert d.l_entropy == pytest.approx(1.0)
    # class {40,B}: flu .5, hiv .5 vs overall flu 4/6, cold 1/6, hiv 1/6 -> 0.5*(1/6+1/6+1/3) = 1/3;
    # class {50,C}: flu 1 -> 0.5*(1/3+1/6+1/6) = 1/3; class {30,A}: flu 2/3, cold 1/3 -> 0.5*(1/6+1/6) = 1/6
    assert d.t_closeness == pytest.approx(1 / 3)
    s = a.sensitive["salary"]
    assert s.distance == "ordered"
    # values 3,4,5,6,9,11 (m=6), overall 1/6 each; class {50,C} puts all mass on 9 (index 4):
    # cumulative diffs -1/6,-2/6,-3/6,-4/6,+1/6 -> sum 11/6 / 5
    assert s.t_closeness == pytest.approx(11 / 30)


def _oracle(frame, qis, sens):
    g = frame.groupby(qis, dropna=False, observed=True)
    sizes = g.size()
    l_distinct = g[sens].nunique(dropna=False).min()
    ent = g[sens].apply(lambda s: -(s.value_counts(normalize=True, dropna=False)
                                     * np.log(s.value_counts(normalize=True, dropna=False))).sum()).min()
    overall = frame[sens].value_counts(normalize=True, dropna=False)
    t = 0.0
    for _, s in g[sens]:
        p = s.value_counts(normalize=True, dropna=False).reindex(overall.index, fill_value=0.0)
        t = max(t, 0.5 * float((p - overall).abs().sum()))
    return int(sizes.min()), len(sizes), int(l_distinct), math.exp(ent), t


def test_against_groupby_oracle_with_missing_values_and_shuffled_index():
    rng = np.random.default_rng(0)
    n = 3000
    frame = pd.DataFrame({"age": rng.integers(18, 40, n).astype(float), "zip": rng.choice(["a", "b", "c", None], n),
                          "sex": rng.choice(["f", "m"], n), "dx": rng.choice(list("pqrst"), n, p=[.5, .2, .1, .1, .1])})
    frame.loc[rng.choice(n, 50, replace=False), "age"] = np.nan
    frame.index = rng.permutation(n) + 1000
    a = anonymity(frame, ["age", "zip", "sex"], "dx")
    k, classes, l_distinct, l_entropy, t = _oracle(frame, ["age", "zip", "sex"], "dx")
    assert (a.k, a.n_classes) == (k, classes)
    assert a.sensitive["dx"].l_distinct == l_distinct
    assert a.sensitive["dx"].l_entropy == pytest.approx(l_entropy)
    assert a.sensitive["dx"].t_closeness == pytest.approx(t)


def test_missing_value_is_its_own_value():
    frame = pd.DataFrame({"zip": ["1"] * 4 + [None]})
    assert anonymity(frame, ["zip"]).k == 1


def test_bad_input_messages():
    frame = _table()
    with pytest.raises(UsageError) as err:
        anonymity(frame, ["age", "postcode"])
    assert str(err.value) == messages.QI_MISSING.format(missing=["postcode"], available=list(frame.columns))
    with pytest.raises(UsageError) as err:
        anonymity(frame, [])
    assert str(err.value) == messages.QI_EMPTY
    with pytest.raises(UsageError) as err:
        anonymity(frame, ["age"], "nope")
    assert "nope" in str(err.value)
    with pytest.raises(UsageError):
        anonymity(frame, ["age"], risk_threshold=2)
