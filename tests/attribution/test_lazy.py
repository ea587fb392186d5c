"""The attribution auditor on lazy tables: the pandas path's figures, from sampled rows, engine
aggregates and streamed batches only; the table is never loaded whole."""
from __future__ import annotations

import json
from fractions import Fraction

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pytest
import torch

import audit
from audit.attribution import AttributionAuditor, baseline_row, prepare
from audit.attribution import _analysis as an
from audit.attribution._inputs import _ExactSums
from audit.engines import LazyTable
from tests.attribution.helpers import colour_network, reference
from tests.engines.helpers import LAZY_KINDS, lazy_data, recorded_loads

KINDS = LAZY_KINDS
FAST = dict(max_rows=120, n_boot=10, sanity_rows=40, infidelity_rows=40, n_steps=16, n_samples=5)


def whole_table_loads(monkeypatch, features):
    """Records every LazyTable.to_pandas call that would read all columns or any feature column."""
    return recorded_loads(monkeypatch, lambda columns: columns is None or bool(set(columns) & set(features)))


def _figures(result) -> str:
    return json.dumps(result.to_dict(), sort_keys=True)


def _german_subject(data, **kw) -> audit.AuditSubject:
    net = reference("german-mlp")
    return audit.AuditSubject(data, model=net, target=net.target, sensitive_features=list(net.sensitive_features),
                              name="german", **kw)


AUDITOR = dict(compare_methods=("feature_ablation", "gradient_shap"), **FAST)


@pytest.fixture(scope="module")
def german_expected():
    return _figures(AttributionAuditor(**AUDITOR).run(_german_subject(reference("german-mlp").test_frame())))


@pytest.mark.parametrize("kind", KINDS)
def test_reference_network_on_a_lazy_table_gives_the_pandas_figures(kind, german_expected, tmp_path, monkeypatch):
    """No train_data: the baseline and the GradientShap background come from the audited table itself."""
    net = reference("german-mlp")
    data, engine = lazy_data(net.test_frame(), kind, tmp_path)
    with whole_table_loads(monkeypatch, net.feature_names) as loads:
        subject = _german_subject(data, engine=engine, batch_rows=64)
        result = AttributionAuditor(**AUDITOR).run(subject)
    assert subject.is_lazy and "data" not in subject._loaded
    assert loads == [], "no feature column was read whole"
    assert result.details["baseline"]["source"] == "audited data"
    assert _figures(result) == german_expected


def test_train_data_baseline_on_a_lazy_table(tmp_path, monkeypatch):
    net = reference("german-mlp")
    options = dict(method="feature_ablation", compare_methods=("gradient_shap",), **FAST)
    eager = AttributionAuditor(**options).run(_german_subject(net.test_frame(), train_data=net.train_frame()))
    with whole_table_loads(monkeypatch, net.feature_names) as loads:
        subject = _german_subject(pl.from_pandas(net.test_frame()).lazy(), train_data=net.train_frame())
        lazy = AttributionAuditor(**options).run(subject)
    assert loads == [] and "data" not in subject._loaded
    assert lazy.details["baseline"]["source"] == "train_data"
    assert _figures(lazy) == _figures(eager)


def _mixed_frame(n: int = 900, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n).round(2)
    colour = rng.choice(["red", "green", "blue"], n, p=[0.5, 0.3, 0.2])
    band = rng.choice(["low", "high"], n)
    age = rng.integers(20, 32, n)  # 12 values: binned by the association, grouped by the auditor
    y = ((x + (colour == "red") + (band == "high") * 0.5 + rng.normal(scale=0.5, size=n)) > 0.8).astype(int)
    return pd.DataFrame({"x": x, "z": rng.exponential(size=n).round(3), "colour": colour, "band": band,
                         "age": age, "y": y})


@pytest.mark.parametrize("kind", ["polars-lazy", "dask"])
def test_estimator_with_category_codes_on_a_lazy_table(kind, tmp_path, monkeypatch):
    """A scikit-learn pipeline: category codes take the mode over the table, numeric sensitive data is binned."""
    from sklearn.compose import make_column_transformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    frame = _mixed_frame()
    features = ["x", "z", "colour"]
    model = make_pipeline(make_column_transformer((OneHotEncoder(), ["colour"]), remainder="passthrough"),
                          LogisticRegression()).fit(frame[features], frame["y"])
    kw = dict(model=model, target="y", sensitive_features=["band", "age"], features=features)
    options = dict(FAST, min_group_size=10)
    expected = AttributionAuditor(**options).run(audit.AuditSubject(frame, **kw))
    data, engine = lazy_data(frame, kind, tmp_path)
    with whole_table_loads(monkeypatch, features) as loads:
        subject = audit.AuditSubject(data, engine=engine, batch_rows=100, **kw)
        result = AttributionAuditor(**options).run(subject)
    assert loads == [] and "data" not in subject._loaded
    assert result.details["baseline"]["features"]["colour"] == "mode category"
    assert result.details["proxies"], "the association was computed"
    assert _figures(result) == _figures(expected)


def test_torch_module_with_a_given_prediction_column(tmp_path, monkeypatch):
    """Predictions in the table: y_true and y_pred of the local explanations come from the sampled rows."""
    frame = _mixed_frame()
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))
    with torch.no_grad():
        logits = module(torch.tensor(frame[["x", "z"]].to_numpy(dtype=np.float32))).numpy().ravel()
    frame["p"] = (logits > np.median(logits)).astype(int)
    kw = dict(model=module, target="y", prediction="p", sensitive_features=["band"], features=["x", "z"])
    expected = AttributionAuditor(**FAST).run(audit.AuditSubject(frame, **kw))
    frame.to_parquet(tmp_path / "t.parquet")
    with whole_table_loads(monkeypatch, ["x", "z", "y", "p"]) as loads:
        subject = audit.AuditSubject(tmp_path / "t.parquet", engine="polars", **kw)
        result = AttributionAuditor(**FAST).run(subject)
    assert loads == [] and set(subject._loaded) <= {"sensitive"}
    assert result.details["local"] and result.details["local"][0]["case"] == "false negatives"
    assert _figures(result) == _figures(expected)


# -- the pieces: association, quantile edges, exact means --------------------------------------------

def _reference_association(frame: pd.DataFrame, features, sensitive, bins: int = 10) -> dict:
    """The definition: qcut / factorize codes over whole pandas columns, then Cramer's V of their crosstab."""
    codes = {c: an._codes(frame[c], bins) for c in dict.fromkeys([*features, *sensitive])}
    return {(f, s): an.cramers_v(codes[f], codes[s]) for f in features for s in sensitive}


def _awkward_frame(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(40, 1500))
    return pd.DataFrame({
        "x": rng.normal(size=n).round(int(rng.integers(0, 3))),  # many ties when rounded hard
        "i": rng.integers(0, int(rng.integers(3, 30)), n),  # sometimes <= 10 values: factorized, not binned
        "nan": np.where(rng.random(n) < 0.15, np.nan, rng.exponential(size=n).round(1)),
        "steps": rng.choice([0.0, 0.0, 0.0, -0.0, 1.0, 2.5, 3, 4, 5, 6, 7, 8, 9, 10, 11], n),  # duplicate edges
        "cat": rng.choice(["a", "b", "c", None], n),
        "flag": rng.random(n) < 0.3,
        "sex": rng.choice(["F", "M", None], n, p=[0.5, 0.45, 0.05]),
        "age": rng.integers(18, 90, n),
    })


@pytest.mark.parametrize("seed", range(4))
def test_association_in_the_engine_is_the_pandas_definition(seed):
    """Dask's association is checked through the auditor above."""
    frame = _awkward_frame(seed)
    features, sensitive = ["x", "i", "nan", "steps", "cat", "flag", "age"], ["sex", "age"]
    expected = _reference_association(frame, features, sensitive)
    for table in (frame, LazyTable(pl.from_pandas(frame).lazy(), label="polars"),
                  LazyTable(duckdb.from_df(frame), label="duckdb")):
        assert an.association(table, features, sensitive) == expected  # exactly, not approximately


@pytest.mark.parametrize("seed", range(2))
def test_qcut_edges_are_pandas_edges_bit_for_bit(seed):
    frame = _awkward_frame(seed)
    for column in ("x", "nan", "steps", "age"):
        _, edges = pd.qcut(frame[column].astype(float), 10, duplicates="drop", retbins=True)
        mine = an.qcut_edges(LazyTable(pl.from_pandas(frame).lazy(), label="polars"), column, 10,
                             int(frame[column].notna().sum()))
        edges = np.asarray(edges, dtype=np.float64)
        assert np.array_equal(mine, edges)  # -0.0 and 0.0 tie in a sort, and may come out either way
        assert mine[mine != 0].tobytes() == edges[edges != 0].tobytes()


def test_exact_sums_give_the_correctly_rounded_mean_in_any_batching():
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(size=(500, 3)) * [1, 1e6, 1e-6],
                        [[1e30, -1.0, 3e-39], [-1e30, 1.0, 0.0]]]).astype(np.float32)  # cancellation, a subnormal
    exact = [float(sum(Fraction(float(v)) for v in X[:, j]) / len(X)) for j in range(3)]
    whole, split = _ExactSums(3), _ExactSums(3)
    whole.add(X)
    for start in range(0, len(X), 37):
        split.add(X[start:start + 37])
    assert [whole.mean(j) for j in range(3)] == [split.mean(j) for j in range(3)] == exact
    special = _ExactSums(3)
    special.add(np.array([[np.inf, np.nan, np.nan], [1.0, 1.0, np.nan]], dtype=np.float32))
    # a missing value is left out of its column's mean; a column of missing values has none
    assert special.mean(0) == np.inf and special.mean(1) == 1.0 and np.isnan(special.mean(2))


def test_baseline_from_batches_equals_the_baseline_from_the_frame():
    net, frame = colour_network(False)
    ex = prepare(net.as_model(), frame, net.feature_names, "binary")
    whole, described = baseline_row(ex, frame, "train_mean")
    streamed, _ = baseline_row(ex, (frame.iloc[i:i + 7] for i in range(0, len(frame), 7)), "train_mean")
    assert torch.equal(whole, streamed)
    x = frame["x"].to_numpy(dtype=np.float64)
    scaled = ((x - net.preprocessor.means["x"]) / net.preprocessor.stds["x"]).astype(np.float32).astype(np.float64)
    exact = float(sum(Fraction(float(v)) for v in scaled) / len(scaled))
    assert whole[0, ex.groups["x"][0]].item() == np.float32(exact)
    assert described["features"] == {"colour": "mode category", "x": "mean"}


def test_gradient_shap_is_seeded_and_leaves_numpy_global_state_alone():
    """Captum's GradientShap draws from numpy's global generator; the same seed must give the same figures."""
    from audit.attribution import attribute
    from audit.attribution._methods import MethodSettings

    net, frame = colour_network(False)
    ex = prepare(net.as_model(), frame.iloc[:50], net.feature_names, "binary")
    base, _ = baseline_row(ex, frame, "train_mean")
    background = ex.encode(frame.iloc[:20])
    runs = []
    for outside in (1, 2):
        np.random.seed(outside)
        runs.append(attribute(ex, "gradient_shap", ex.inputs, base, MethodSettings(n_samples=5),
                              background=background).values)
        assert np.random.random() == np.random.RandomState(outside).random()  # global state untouched
    np.testing.assert_array_equal(runs[0], runs[1])
