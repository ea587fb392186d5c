"""Engine parity: every audit gives the same figures whatever engine holds the table.

One ``constructor`` fixture, on the model of narwhals' own: each parameter turns a pandas
frame into the data a user would hand over (a frame of an engine, or a file and the engine
that scans it). A test names the engines it runs on (``indirect`` parametrisation) and
compares against the pandas frame, which goes through the same :class:`audit.engines.Table`.
Engines that never load the table whole are also checked for that.
"""
from __future__ import annotations

import json
from collections.abc import Callable

import dask.dataframe as dd
import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pytest
import torch
from pandas.testing import assert_frame_equal

import audit
from audit.engines import Table, open_table
from tests.engines.helpers import recorded_loads

Data = tuple[object, "str | None"]


def _parquet(frame: pd.DataFrame, tmp_path, engine: str) -> Data:
    frame.to_parquet(tmp_path / "t.parquet")
    return tmp_path / "t.parquet", engine


def _csv(frame: pd.DataFrame, tmp_path, engine: str) -> Data:
    frame.to_csv(tmp_path / "t.csv", index=False)
    return tmp_path / "t.csv", engine


def _pyarrow(frame: pd.DataFrame) -> object:
    import pyarrow as pa

    return pa.Table.from_pandas(frame, preserve_index=False)


#: engine name -> (pandas frame, tmp_path) -> (data, engine argument)
CONSTRUCTORS: dict[str, Callable[[pd.DataFrame, object], Data]] = {
    "pandas": lambda f, tmp: (f, None),
    "pyarrow": lambda f, tmp: (_pyarrow(f), None),
    "polars-eager": lambda f, tmp: (pl.from_pandas(f), None),
    "polars-lazy": lambda f, tmp: (pl.from_pandas(f).lazy(), None),
    "duckdb-relation": lambda f, tmp: (duckdb.connect().from_df(f), None),
    "parquet-polars": lambda f, tmp: _parquet(f, tmp, "polars"),
    "parquet-duckdb": lambda f, tmp: _parquet(f, tmp, "duckdb"),
    "csv-polars": lambda f, tmp: _csv(f, tmp, "polars"),
    "csv-duckdb": lambda f, tmp: _csv(f, tmp, "duckdb"),
    "dask": lambda f, tmp: (dd.from_pandas(f, npartitions=3), None),
}
#: engines whose table stays where it is (never loaded whole by an audit)
LAZY = ("polars-lazy", "parquet-duckdb", "dask")
#: engines served as native frames (no file written)
NATIVE_LAZY = ("polars-lazy", "duckdb-relation", "dask")


class Constructor:
    """What the ``constructor`` fixture gives: ``constructor(frame) -> (data, engine)``, ``.table(frame)``."""

    def __init__(self, name: str, tmp_path) -> None:
        self.name, self._tmp_path = name, tmp_path

    def __call__(self, frame: pd.DataFrame) -> Data:
        return CONSTRUCTORS[self.name](frame, self._tmp_path)

    def table(self, frame: pd.DataFrame) -> Table:
        data, engine = self(frame)
        return open_table(data, engine)

    @property
    def is_lazy(self) -> bool:
        return self.name not in ("pandas", "pyarrow", "polars-eager")

    def __repr__(self) -> str:
        return self.name


@pytest.fixture(params=list(CONSTRUCTORS))
def constructor(request, tmp_path) -> Constructor:
    """One engine (all of them unless a test names some with ``indirect=True``)."""
    return Constructor(request.param, tmp_path)


def engines(*names: str):
    """Run a test on these engines only."""
    return pytest.mark.parametrize("constructor", names, indirect=True)


def _json(value) -> str:
    return json.dumps(value, sort_keys=True)


# -- the subject and the fairness auditor ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def fair_frame():
    rng = np.random.default_rng(5)
    n = 4000
    return pd.DataFrame({"y": rng.integers(0, 2, n), "p": rng.integers(0, 2, n),
                         "sex": rng.choice(["F", "M"], n),
                         "race": rng.choice(["a", "b", "c", None], n, p=[0.5, 0.3, 0.19, 0.01]),
                         "x": rng.normal(size=n)})


def _fair_metrics(report) -> str:
    return _json(report["fairness"].to_dict()["metrics"])


def _fair_run(data, **kw):
    return audit.run(data, target="y", prediction="p", sensitive_features=["sex", "race"], auditors=["fairness"],
                     auditor_options={"fairness": {"n_boot": 30}}, **kw)


@pytest.fixture(scope="module")
def fair_expected(fair_frame):
    return _fair_metrics(_fair_run(fair_frame))


@engines("parquet-polars", "parquet-duckdb", "csv-polars", "csv-duckdb", "polars-lazy", "duckdb-relation",
         "polars-eager", "pyarrow")
def test_fairness_equals_the_pandas_figures(constructor, fair_frame, fair_expected):
    data, engine = constructor(fair_frame)
    report = _fair_run(data, engine=engine)
    assert _fair_metrics(report) == fair_expected
    assert report.subject["n_rows"] == len(fair_frame)


@engines("parquet-polars")
def test_only_the_count_table_is_loaded(constructor, fair_frame):
    data, engine = constructor(fair_frame)
    subject = audit.AuditSubject(data, target="y", prediction="p", sensitive_features=["sex", "race"], engine=engine)
    audit.run_auditors(subject, audit.build_auditors(["fairness"]))
    assert subject.is_lazy and set(subject._loaded) == set(), "no column was loaded into memory"


@engines("parquet-polars", "parquet-duckdb", "polars-lazy", "dask")
def test_models_predict_in_streamed_batches(constructor, fair_frame):
    from sklearn.linear_model import LogisticRegression

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(1, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    clf = LogisticRegression().fit(fair_frame[["x"]], fair_frame["y"])
    for model in (net, clf):
        eager = audit.AuditSubject(fair_frame, model=model, target="y", sensitive_features=["sex", "race"],
                                   features=["x"])
        data, engine = constructor(fair_frame)
        lazy = audit.AuditSubject(data, model=model, target="y", sensitive_features=["sex", "race"],
                                  features=["x"], engine=engine, batch_rows=700)
        assert lazy.is_lazy and "data" not in lazy._loaded
        np.testing.assert_array_equal(lazy.y_pred, eager.y_pred)
        np.testing.assert_allclose(lazy.y_score, eager.y_score, rtol=0, atol=1e-12)
        a = audit.run_auditors(eager, audit.build_auditors(["fairness"]))["fairness"].to_dict()["metrics"]
        b = audit.run_auditors(lazy, audit.build_auditors(["fairness"]))["fairness"].to_dict()["metrics"]
        assert a == b
        assert "data" not in lazy._loaded, "the fairness audit did not load the table"


@engines("parquet-duckdb")
def test_reference_network_streams_over_a_parquet_file(constructor):
    from audit.models import load_reference

    net = load_reference("german-mlp")
    test = net.test_frame()
    eager = audit.AuditSubject(test, model=net, target=net.target, sensitive_features=list(net.sensitive_features))
    data, engine = constructor(test)
    lazy = audit.AuditSubject(data, model=net, target=net.target, sensitive_features=list(net.sensitive_features),
                              engine=engine, batch_rows=64)
    np.testing.assert_array_equal(lazy.y_pred, eager.y_pred)
    np.testing.assert_allclose(lazy.y_score, eager.y_score, rtol=0, atol=1e-12)
    # text columns are kept as categoricals (bytes a row, not a string a row), groups in the same order
    assert all(isinstance(t, pd.CategoricalDtype) for t in lazy.sensitive_frame.dtypes
               if not pd.api.types.is_numeric_dtype(t))
    options = {"n_boot": 20}
    a = audit.run_auditors(eager, audit.build_auditors(["fairness"], {"fairness": options}))["fairness"].to_dict()
    b = audit.run_auditors(lazy, audit.build_auditors(["fairness"], {"fairness": options}))["fairness"].to_dict()
    assert _json(a) == _json(b)


@pytest.mark.parametrize("engine", [None, "pandas", "polars", "duckdb"])
def test_a_parquet_folder_or_glob_is_one_table(tmp_path, fair_frame, fair_expected, engine):
    folder = tmp_path / "dataset"
    folder.mkdir()
    for i, start in enumerate(range(0, len(fair_frame), 1500)):
        fair_frame.iloc[start:start + 1500].to_parquet(folder / f"part-{i}.parquet")
    for source in (folder, folder / "part-*.parquet"):
        report = _fair_run(source, engine=engine)
        assert _fair_metrics(report) == fair_expected, source
        assert report.subject["n_rows"] == len(fair_frame)


@engines("polars-lazy")
def test_a_lazy_table_with_no_label_or_prediction_is_still_audited(constructor, fair_frame):
    data, engine = constructor(fair_frame)
    report = audit.run(data, quasi_identifiers=["sex", "race"], auditors=["privacy"], engine=engine)
    assert report["privacy"].value("k_anonymity", over=["sex", "race"]) == int(
        fair_frame.groupby(["sex", "race"], dropna=False).size().min())


@engines("parquet-polars", "parquet-duckdb", "dask")
def test_a_score_column_gives_the_pandas_figures_with_compact_groups(constructor, fair_frame):
    scored = fair_frame.assign(s=1 / (1 + np.exp(-fair_frame["x"])))
    options = dict(target="y", prediction="p", score="s", sensitive_features=["sex", "race"],
                   auditors=["fairness"], auditor_options={"fairness": {"n_boot": 20}})
    want = audit.run(scored, **options)["fairness"].to_dict()
    data, engine = constructor(scored)
    subject = audit.AuditSubject(data, target="y", prediction="p", score="s", sensitive_features=["sex", "race"],
                                 engine=engine, batch_rows=999)
    got = audit.run_auditors(subject, audit.build_auditors(["fairness"], {"fairness": {"n_boot": 20}}))
    assert _json(got["fairness"].to_dict()) == _json(want)
    assert "data" not in subject._loaded
    assert all(isinstance(t, pd.CategoricalDtype) for t in subject.sensitive_frame.dtypes)


# -- the attribution auditor: sampled rows, engine aggregates and streamed batches only ---------------------------
ATTRIBUTION_FAST = dict(max_rows=120, n_boot=10, sanity_rows=40, infidelity_rows=40, n_steps=16, n_samples=5)
ATTRIBUTION = dict(compare_methods=("feature_ablation", "gradient_shap"), **ATTRIBUTION_FAST)


def whole_table_loads(monkeypatch, features):
    """Records every Table.to_pandas call that would read all columns or any feature column."""
    return recorded_loads(monkeypatch, lambda columns: columns is None or bool(set(columns) & set(features)))


def _german_subject(data, **kw) -> audit.AuditSubject:
    from tests.attribution.helpers import reference

    net = reference("german-mlp")
    return audit.AuditSubject(data, model=net, target=net.target, sensitive_features=list(net.sensitive_features),
                              name="german", **kw)


@pytest.fixture(scope="module")
def german_expected():
    from audit.attribution import AttributionAuditor
    from tests.attribution.helpers import reference

    return _json(AttributionAuditor(**ATTRIBUTION).run(_german_subject(reference("german-mlp").test_frame()))
                 .to_dict())


@engines(*LAZY)
def test_attribution_of_a_reference_network_gives_the_pandas_figures(constructor, german_expected, monkeypatch):
    """No train_data: the baseline and the GradientShap background come from the audited table itself."""
    from audit.attribution import AttributionAuditor
    from tests.attribution.helpers import reference

    net = reference("german-mlp")
    data, engine = constructor(net.test_frame())
    with whole_table_loads(monkeypatch, net.feature_names) as loads:
        subject = _german_subject(data, engine=engine, batch_rows=64)
        result = AttributionAuditor(**ATTRIBUTION).run(subject)
    assert subject.is_lazy and "data" not in subject._loaded
    assert loads == [], "no feature column was read whole"
    assert result.details["baseline"]["source"] == "audited data"
    assert _json(result.to_dict()) == german_expected


@engines("polars-lazy")
def test_attribution_train_data_baseline(constructor, monkeypatch):
    from audit.attribution import AttributionAuditor
    from tests.attribution.helpers import reference

    net = reference("german-mlp")
    options = dict(method="feature_ablation", compare_methods=("gradient_shap",), **ATTRIBUTION_FAST)
    eager = AttributionAuditor(**options).run(_german_subject(net.test_frame(), train_data=net.train_frame()))
    data, engine = constructor(net.test_frame())
    with whole_table_loads(monkeypatch, net.feature_names) as loads:
        subject = _german_subject(data, engine=engine, train_data=net.train_frame())
        lazy = AttributionAuditor(**options).run(subject)
    assert loads == [] and "data" not in subject._loaded
    assert lazy.details["baseline"]["source"] == "train_data"
    assert _json(lazy.to_dict()) == _json(eager.to_dict())


def _mixed_frame(n: int = 900, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n).round(2)
    colour = rng.choice(["red", "green", "blue"], n, p=[0.5, 0.3, 0.2])
    band = rng.choice(["low", "high"], n)
    age = rng.integers(20, 32, n)  # 12 values: binned by the association, grouped by the auditor
    y = ((x + (colour == "red") + (band == "high") * 0.5 + rng.normal(scale=0.5, size=n)) > 0.8).astype(int)
    return pd.DataFrame({"x": x, "z": rng.exponential(size=n).round(3), "colour": colour, "band": band,
                         "age": age, "y": y})


@engines("polars-lazy", "dask")
def test_attribution_of_an_estimator_with_category_codes(constructor, monkeypatch):
    """A scikit-learn pipeline: category codes take the mode over the table, numeric sensitive data is binned."""
    from sklearn.compose import make_column_transformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    from audit.attribution import AttributionAuditor

    frame = _mixed_frame()
    features = ["x", "z", "colour"]
    model = make_pipeline(make_column_transformer((OneHotEncoder(), ["colour"]), remainder="passthrough"),
                          LogisticRegression()).fit(frame[features], frame["y"])
    kw = dict(model=model, target="y", sensitive_features=["band", "age"], features=features)
    options = dict(ATTRIBUTION_FAST, min_group_size=10)
    expected = AttributionAuditor(**options).run(audit.AuditSubject(frame, **kw))
    data, engine = constructor(frame)
    with whole_table_loads(monkeypatch, features) as loads:
        subject = audit.AuditSubject(data, engine=engine, batch_rows=100, **kw)
        result = AttributionAuditor(**options).run(subject)
    assert loads == [] and "data" not in subject._loaded
    assert result.details["baseline"]["features"]["colour"] == "mode category"
    assert result.details["proxies"], "the association was computed"
    assert _json(result.to_dict()) == _json(expected.to_dict())


@engines("parquet-polars")
def test_attribution_of_a_torch_module_with_a_given_prediction_column(constructor, monkeypatch):
    """Predictions in the table: y_true and y_pred of the local explanations come from the sampled rows."""
    from audit.attribution import AttributionAuditor

    frame = _mixed_frame()
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))
    with torch.no_grad():
        logits = module(torch.tensor(frame[["x", "z"]].to_numpy(dtype=np.float32))).numpy().ravel()
    frame["p"] = (logits > np.median(logits)).astype(int)
    kw = dict(model=module, target="y", prediction="p", sensitive_features=["band"], features=["x", "z"])
    expected = AttributionAuditor(**ATTRIBUTION_FAST).run(audit.AuditSubject(frame, **kw))
    data, engine = constructor(frame)
    with whole_table_loads(monkeypatch, ["x", "z", "y", "p"]) as loads:
        subject = audit.AuditSubject(data, engine=engine, **kw)
        result = AttributionAuditor(**ATTRIBUTION_FAST).run(subject)
    assert loads == [] and set(subject._loaded) <= {"sensitive"}
    assert result.details["local"] and result.details["local"][0]["case"] == "false negatives"
    assert _json(result.to_dict()) == _json(expected.to_dict())


def _reference_association(frame: pd.DataFrame, features, sensitive, bins: int = 10) -> dict:
    """The definition: qcut / factorize codes over whole pandas columns, then Cramer's V of their crosstab."""
    from audit.attribution import _analysis as an

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
@engines("pandas", "polars-lazy", "duckdb-relation")
def test_association_in_the_engine_is_the_pandas_definition(constructor, seed):
    """Dask's association is checked through the auditor above."""
    from audit.attribution import _analysis as an

    frame = _awkward_frame(seed)
    features, sensitive = ["x", "i", "nan", "steps", "cat", "flag", "age"], ["sex", "age"]
    expected = _reference_association(frame, features, sensitive)
    assert an.association(constructor.table(frame), features, sensitive) == expected  # exactly, not approximately


@pytest.mark.parametrize("seed", range(2))
@engines("polars-lazy")
def test_qcut_edges_are_pandas_edges_bit_for_bit(constructor, seed):
    from audit.attribution import _analysis as an

    frame = _awkward_frame(seed)
    for column in ("x", "nan", "steps", "age"):
        _, edges = pd.qcut(frame[column].astype(float), 10, duplicates="drop", retbins=True)
        mine = an.qcut_edges(constructor.table(frame), column, 10, int(frame[column].notna().sum()))
        edges = np.asarray(edges, dtype=np.float64)
        assert np.array_equal(mine, edges)  # -0.0 and 0.0 tie in a sort, and may come out either way
        assert mine[mine != 0].tobytes() == edges[edges != 0].tobytes()


# -- the energy auditor: one streamed pass of fixed-size batches holding only predictions -------------------------
CPU = "Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz"
BATCH = 64  # several batches, cut where no engine would cut them


@pytest.fixture
def feature_loads(monkeypatch):
    """Records every Table.to_pandas call (None: the whole table)."""
    with recorded_loads(monkeypatch) as seen:
        yield seen


@pytest.mark.parametrize("name", ["german-mlp", "diabetes-mlp"])
@engines(*LAZY)
def test_energy_of_a_reference_network_gives_the_pandas_report(constructor, name, feature_loads):
    from audit.energy import EnergyAuditor
    from audit.models import load_reference

    net = load_reference(name)
    kw = dict(model=net, target=net.target, sensitive_features=list(net.sensitive_features), batch_rows=BATCH)
    expected = EnergyAuditor(cpu_model=CPU).run(audit.AuditSubject(net.test_frame(), **kw))
    data, engine = constructor(net.test_frame())
    subject = audit.AuditSubject(data, engine=engine, **kw)
    result = EnergyAuditor(cpu_model=CPU).run(subject)
    assert subject.is_lazy and "data" not in subject._loaded
    assert all(c is not None and not set(c) & set(net.feature_names) for c in feature_loads), feature_loads
    assert [e["variant"] for e in result.details["compression"]] == ["original", "int8_dynamic", "pruned_50",
                                                                     "pruned_80"]
    assert _json(result.to_dict()) == _json(expected.to_dict())


def _torch_frame(n: int = 500) -> tuple[torch.nn.Module, pd.DataFrame]:
    rng = np.random.default_rng(4)
    frame = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n), "c": rng.normal(size=n),
                          "group": rng.choice(["u", "v"], n)})
    frame["y"] = (frame["a"] + 0.5 * frame["b"] + (frame["group"] == "u") > 0.3).astype(int)
    torch.manual_seed(1)
    module = torch.nn.Sequential(torch.nn.Linear(3, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))
    return module, frame


@engines("parquet-polars")
def test_energy_of_a_torch_module(constructor, feature_loads):
    from audit.energy import EnergyAuditor

    module, frame = _torch_frame()
    kw = dict(model=module, target="y", sensitive_features=["group"], features=["a", "b", "c"], batch_rows=BATCH)
    expected = EnergyAuditor(cpu_model=CPU).run(audit.AuditSubject(frame, **kw))
    data, engine = constructor(frame)
    subject = audit.AuditSubject(data, engine=engine, **kw)
    result = EnergyAuditor(cpu_model=CPU).run(subject)
    assert "data" not in subject._loaded and all(c is not None and "a" not in c for c in feature_loads)
    assert _json(result.to_dict()) == _json(expected.to_dict())


@engines("polars-lazy", "pandas")
def test_streamed_predictions_are_the_variants_predictions_on_fixed_batches(constructor):
    """One pass gives every variant's predictions for every row in table order, batch for batch the
    pandas rows' (dynamic int8 quantisation scales activations per batch, so the cut matters)."""
    from audit.energy._auditor import _predict_all
    from audit.energy._compress import build_variants

    module, frame = _torch_frame()
    data, engine = constructor(frame)
    subject = audit.AuditSubject(data, engine=engine, model=module, target="y", features=["a", "b", "c"],
                                 batch_rows=BATCH)
    variants = build_variants(module, (0.5,), True, 0.25, "test")

    def encode(f):
        return torch.from_numpy(np.array(f.loc[:, ["a", "b", "c"]].to_numpy(dtype=np.float32), copy=True))

    def decode(out):
        return (out.reshape(-1) > 0).astype(np.int64)

    got = _predict_all(subject, variants, encode, decode)
    assert set(got) == {"original", "int8_dynamic", "pruned_50"}
    for v in variants:
        with torch.no_grad():
            expected = np.concatenate([decode(v.module(encode(frame.iloc[i:i + BATCH])).numpy())
                                       for i in range(0, len(frame), BATCH)])
        np.testing.assert_array_equal(got[v.name], expected)


# -- the privacy auditor: a seeded sample, match counts and count tables ----------------------------------------
@pytest.fixture(scope="module")
def pii_table():
    from tests.privacy.test_auditor import pii_frame

    f = pii_frame(n=300, seed=3)
    f.loc[::17, "zip"] = None  # a missing quasi-identifier value is a value of its own
    f.loc[::23, "email"] = None
    return f


@engines("pandas", *NATIVE_LAZY)
def test_sample_is_the_same_rows_in_every_engine(constructor, pii_table):
    from audit.engines import sample_positions

    got = constructor.table(pii_table).sample(40, 5, ["full_name", "age"])
    want = pii_table.iloc[sample_positions(len(pii_table), 40, 5)][["full_name", "age"]].reset_index(drop=True)
    assert got["full_name"].tolist() == want["full_name"].tolist()
    assert got["age"].tolist() == want["age"].tolist()


@engines(*NATIVE_LAZY)
def test_anonymity_from_count_table_equals_pandas(constructor, pii_table):
    from audit.privacy import anonymity

    want = anonymity(pii_table, ["age", "zip", "sex"], ["y", "x1"]).to_dict()
    got = anonymity(constructor.table(pii_table), ["age", "zip", "sex"], ["y", "x1"]).to_dict()
    assert got == want


@engines(*NATIVE_LAZY)
def test_column_scan_equals_pandas(constructor, pii_table):
    from audit.privacy import scan_frame

    want = [p.to_dict() for p in scan_frame(pii_table, sample_size=120, random_state=4)]
    got = [p.to_dict() for p in scan_frame(constructor.table(pii_table), sample_size=120, random_state=4)]
    assert got == want
    kinds = {d["column"]: d["entity_type"] for d in want}
    assert kinds["email"] == "EMAIL_ADDRESS" and kinds["ssn"] == "US_SSN" and kinds["card_number"] == "CREDIT_CARD"
    email = next(d for d in want if d["column"] == "email")
    assert email["n_values"] == pii_table["email"].notna().sum() and email["share_full"] == 1.0


@engines(*NATIVE_LAZY)
def test_privacy_of_a_lazy_subject_matches_pandas_and_loads_no_rows(constructor, pii_table):
    from audit.privacy import PrivacyAuditor

    auditor = PrivacyAuditor(sample_size=150)
    roles = dict(target="y", sensitive_features=["sex"], quasi_identifiers=["age", "zip", "sex"])
    want = auditor.run(audit.AuditSubject(pii_table, **roles))
    data, engine = constructor(pii_table)
    subject = audit.AuditSubject(data, engine=engine, **roles)
    assert subject.is_lazy
    got = auditor.run(subject)
    assert "data" not in subject._loaded
    assert_frame_equal(got.metrics, want.metrics)
    assert got.details == want.details
    assert [f.to_dict() for f in got.findings] == [f.to_dict() for f in want.findings]


@engines("polars-lazy")
def test_privacy_suggests_quasi_identifiers_without_loading(constructor, pii_table):
    from audit.privacy import PrivacyAuditor

    data, engine = constructor(pii_table)
    subject = audit.AuditSubject(data, engine=engine, target="y")
    result = PrivacyAuditor().run(subject)
    assert "data" not in subject._loaded
    assert set(result.details["quasi_identifiers"]) >= {"age", "zip", "sex"}
    assert result.details["membership"]["skipped"]


@pytest.fixture(scope="module")
def checked():
    from tests.privacy.helpers import checked_frame

    return checked_frame()


def _scan(data, **kw):
    from audit.privacy import scan_frame
    from tests.privacy.helpers import SAMPLE, SEED

    return {p.column: p for p in scan_frame(data, sample_size=SAMPLE, random_state=SEED, **kw)}


@engines(*NATIVE_LAZY)
def test_validated_whole_column_scan_equals_pandas(constructor, checked):
    from tests.privacy.helpers import CANDIDATES

    want = [p.to_dict() for p in _scan(checked, candidate_sample=CANDIDATES).values()]
    got = [p.to_dict() for p in _scan(constructor.table(checked), candidate_sample=CANDIDATES).values()]
    assert got == want
    assert {(d["column"], d["entity_type"]) for d in want} == {("card", "IDENTIFIER"), ("iban", "IBAN_CODE"),
                                                               ("ssn", "US_SSN")}


@engines(*NATIVE_LAZY)
def test_membership_groups_do_not_load_a_lazy_table(constructor):
    from sklearn.linear_model import LogisticRegression

    from audit.privacy import PrivacyAuditor
    from tests.privacy.test_auditor import pii_frame

    test, train = pii_frame(n=300, seed=3), pii_frame(n=300, seed=4)
    model = LogisticRegression().fit(train[["x1", "x2"]], train["y"])
    roles = dict(model=model, target="y", sensitive_features=["sex"], features=["x1", "x2"], train_data=train,
                 quasi_identifiers=["age", "zip", "sex"])
    auditor = PrivacyAuditor(sample_size=150, min_group_size=20)
    want = auditor.run(audit.AuditSubject(test, **roles))
    data, engine = constructor(test)
    subject = audit.AuditSubject(data, engine=engine, **roles)
    got = auditor.run(subject)
    assert "data" not in subject._loaded
    assert want.details["membership"]["by_group"], "the per-group attack ran"
    assert_frame_equal(got.metrics, want.metrics)
    assert got.details == want.details


@pytest.fixture(scope="session")
def spark():
    """A local[2] session (the one tests/engines uses, when it already runs): Spark's Java regex and trim."""
    import shutil
    import warnings

    if shutil.which("java") is None:
        pytest.fail("PySpark needs Java on PATH (Java 17 is on this project's machines)")
    from pyspark.sql import SparkSession

    started = SparkSession.getActiveSession() is None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        session = (SparkSession.builder.master("local[2]").appName("rai-audit-tests")
                   .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
                   .config("spark.driver.memory", "1g").getOrCreate())
    yield session
    if started:
        session.stop()


@pytest.mark.slow
def test_spark_scan_equals_pandas(spark, checked):
    import warnings

    from tests.privacy.helpers import CANDIDATES

    want = [p.to_dict() for p in _scan(checked, candidate_sample=CANDIDATES).values()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # pyspark on pandas 3: "not yet fully supported"
        native = spark.createDataFrame(checked.astype(object).where(checked.notna(), None))
        assert native.rdd.getNumPartitions() > 1, "candidates cross partition bounds"
        got = [p.to_dict() for p in _scan(Table(native, label="spark"), candidate_sample=CANDIDATES).values()]
    assert got == want


def test_the_pandas_backend_is_local_and_the_engines_are_not(constructor, fair_frame):
    """The one capability the fairness auditor asks (its in-memory bincount), answered by the backend."""
    local = constructor.name in ("pandas", "pyarrow", "polars-eager")
    assert constructor.table(fair_frame).is_local == local
    data, engine = constructor(fair_frame)
    subject = audit.AuditSubject(data, target="y", prediction="p", engine=engine)
    assert subject.table.is_local == local and subject.is_lazy == (not local)
