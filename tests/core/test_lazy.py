"""Lazy tables: a Parquet or CSV file, a polars LazyFrame or a DuckDB relation is audited in
its engine, only the count table comes back, and the results equal the pandas path's."""
import json

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pytest

import audit
from audit import DataError, UsageError
from audit.engines import open_table
from audit._files import MSG_UNREADABLE
from audit.engines._lazy import MSG_UNKNOWN_ENGINE


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(5)
    n = 4000
    return pd.DataFrame({"y": rng.integers(0, 2, n), "p": rng.integers(0, 2, n),
                         "sex": rng.choice(["F", "M"], n),
                         "race": rng.choice(["a", "b", "c", None], n, p=[0.5, 0.3, 0.19, 0.01]),
                         "x": rng.normal(size=n)})


def _metrics(report):
    return json.dumps(report["fairness"].to_dict()["metrics"], sort_keys=True)


def _run(data, **kw):
    return audit.run(data, target="y", prediction="p", sensitive_features=["sex", "race"], auditors=["fairness"],
                     auditor_options={"fairness": {"n_boot": 30}}, **kw)


@pytest.fixture(scope="module")
def expected(frame):
    return _metrics(_run(frame))


@pytest.mark.parametrize("kind", ["parquet-polars", "parquet-duckdb", "csv-polars", "csv-duckdb",
                                  "polars-lazy", "duckdb-relation", "polars-eager", "pyarrow-table"])
def test_lazy_sources_equal_the_pandas_path(tmp_path, frame, expected, kind):
    if kind.startswith("parquet"):
        frame.to_parquet(tmp_path / "d.parquet")
        report = _run(tmp_path / "d.parquet", engine=kind.split("-")[1])
    elif kind.startswith("csv"):
        frame.to_csv(tmp_path / "d.csv", index=False)
        report = _run(tmp_path / "d.csv", engine=kind.split("-")[1])
    elif kind == "polars-lazy":
        report = _run(pl.from_pandas(frame).lazy())
    elif kind == "polars-eager":
        report = _run(pl.from_pandas(frame))
    elif kind == "pyarrow-table":
        import pyarrow as pa

        report = _run(pa.Table.from_pandas(frame, preserve_index=False))
    else:
        report = _run(duckdb.from_df(frame))
    assert _metrics(report) == expected
    assert report.subject["n_rows"] == len(frame)


def test_only_the_count_table_is_loaded(tmp_path, frame):
    frame.to_parquet(tmp_path / "d.parquet")
    subject = audit.AuditSubject(tmp_path / "d.parquet", target="y", prediction="p",
                                 sensitive_features=["sex", "race"], engine="polars")
    audit.run_auditors(subject, audit.build_auditors(["fairness"]))
    assert subject.is_lazy and set(subject._loaded) == set(), "no column was loaded into memory"


def test_lazy_errors(tmp_path, frame):
    frame.assign(p=frame["p"].astype(float).where(frame.index > 2)).to_parquet(tmp_path / "nan.parquet")
    with pytest.raises(DataError, match="column 'p' \\(prediction\\) has 3 missing"):
        audit.AuditSubject(tmp_path / "nan.parquet", target="y", prediction="p", engine="polars")
    frame.to_parquet(tmp_path / "d.parquet")
    with pytest.raises(UsageError, match="column 'gender' given as sensitive_features"):
        audit.AuditSubject(tmp_path / "d.parquet", target="y", prediction="p", sensitive_features="gender",
                           engine="duckdb")
    with pytest.raises(UsageError) as err:
        open_table(tmp_path / "d.parquet", "spark")
    assert str(err.value) == MSG_UNKNOWN_ENGINE.format(engines=["pandas", "polars", "duckdb"], engine="spark")
    (tmp_path / "bad.parquet").write_text("not parquet")
    with pytest.raises(UsageError, match="cannot read .*bad.parquet"):
        audit.AuditSubject(tmp_path / "bad.parquet", target="y", prediction="p", engine="polars")


@pytest.mark.parametrize("kind", ["parquet-polars", "parquet-duckdb", "polars-lazy", "dask"])
def test_models_predict_in_streamed_batches(tmp_path, frame, kind):
    import torch
    from sklearn.linear_model import LogisticRegression

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(1, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    clf = LogisticRegression().fit(frame[["x"]], frame["y"])
    frame.to_parquet(tmp_path / "d.parquet")
    for model in (net, clf):
        eager = audit.AuditSubject(frame, model=model, target="y", sensitive_features=["sex", "race"],
                                   features=["x"])
        if kind.startswith("parquet"):
            data, engine = tmp_path / "d.parquet", kind.split("-")[1]
        elif kind == "polars-lazy":
            data, engine = pl.from_pandas(frame).lazy(), None
        else:
            import dask.dataframe as dd

            data, engine = dd.from_pandas(frame, npartitions=3), None
        lazy = audit.AuditSubject(data, model=model, target="y", sensitive_features=["sex", "race"],
                                  features=["x"], engine=engine, batch_rows=700)
        assert lazy.is_lazy and "data" not in lazy._loaded
        np.testing.assert_array_equal(lazy.y_pred, eager.y_pred)
        np.testing.assert_allclose(lazy.y_score, eager.y_score, rtol=0, atol=1e-12)
        a = audit.run_auditors(eager, audit.build_auditors(["fairness"]))["fairness"].to_dict()["metrics"]
        b = audit.run_auditors(lazy, audit.build_auditors(["fairness"]))["fairness"].to_dict()["metrics"]
        assert a == b
        assert "data" not in lazy._loaded, "the fairness audit did not load the table"


def test_reference_network_streams_over_a_parquet_file(tmp_path):
    from audit.models import load_reference

    net = load_reference("german-mlp")
    test = net.test_frame()
    test.to_parquet(tmp_path / "german.parquet")
    eager = audit.AuditSubject(test, model=net, target=net.target, sensitive_features=list(net.sensitive_features))
    lazy = audit.AuditSubject(tmp_path / "german.parquet", model=net, target=net.target,
                              sensitive_features=list(net.sensitive_features), engine="duckdb", batch_rows=64)
    np.testing.assert_array_equal(lazy.y_pred, eager.y_pred)
    np.testing.assert_allclose(lazy.y_score, eager.y_score, rtol=0, atol=1e-12)
    # text columns are kept as categoricals (bytes a row, not a string a row), groups in the same order
    assert all(isinstance(t, pd.CategoricalDtype) for t in lazy.sensitive_frame.dtypes
               if not pd.api.types.is_numeric_dtype(t))
    options = {"n_boot": 20}
    a = audit.run_auditors(eager, audit.build_auditors(["fairness"], {"fairness": options}))["fairness"].to_dict()
    b = audit.run_auditors(lazy, audit.build_auditors(["fairness"], {"fairness": options}))["fairness"].to_dict()
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


@pytest.mark.parametrize("engine", [None, "pandas", "polars", "duckdb"])
def test_a_parquet_folder_or_glob_is_one_table(tmp_path, frame, expected, engine):
    folder = tmp_path / "dataset"
    folder.mkdir()
    for i, start in enumerate(range(0, len(frame), 1500)):
        frame.iloc[start:start + 1500].to_parquet(folder / f"part-{i}.parquet")
    for source in (folder, folder / "part-*.parquet"):
        report = _run(source, engine=engine)
        assert _metrics(report) == expected, source
        assert report.subject["n_rows"] == len(frame)


@pytest.mark.parametrize("engine", [None, "polars", "duckdb"])
def test_a_glob_that_matches_nothing_says_so(tmp_path, engine):
    with pytest.raises(audit.UsageError) as err:
        audit.AuditSubject(tmp_path / "none-*.parquet", target="y", prediction="p", engine=engine)
    assert str(err.value) == MSG_UNREADABLE.format(path=tmp_path / "none-*.parquet",
                                                   reason="no file matches this pattern")


def test_a_large_file_read_whole_gets_a_hint(tmp_path, frame, monkeypatch, caplog):
    import audit.subject._subject as subject_module

    frame.to_parquet(tmp_path / "d.parquet")
    monkeypatch.setattr(subject_module, "LARGE_FILE_BYTES", 1)
    with caplog.at_level("WARNING", logger="audit"):
        audit.AuditSubject(tmp_path / "d.parquet", target="y", prediction="p")
    size = (tmp_path / "d.parquet").stat().st_size
    assert caplog.messages == [subject_module.MSG_LARGE_FILE.format(path=tmp_path / "d.parquet", size_mb=size / 1e6)]
    caplog.clear()
    with caplog.at_level("WARNING", logger="audit"):
        audit.AuditSubject(tmp_path / "d.parquet", target="y", prediction="p", engine="polars")
    assert caplog.messages == []


def test_a_lazy_table_with_no_label_or_prediction_is_still_audited(frame):
    report = audit.run(pl.from_pandas(frame).lazy(), quasi_identifiers=["sex", "race"], auditors=["privacy"])
    assert report["privacy"].value("k_anonymity", over=["sex", "race"]) == int(
        frame.groupby(["sex", "race"], dropna=False).size().min())


@pytest.mark.parametrize("kind", ["parquet-polars", "parquet-duckdb", "dask"])
def test_a_score_column_gives_the_pandas_figures_with_compact_groups(tmp_path, frame, kind):
    scored = frame.assign(s=1 / (1 + np.exp(-frame["x"])))
    options = dict(target="y", prediction="p", score="s", sensitive_features=["sex", "race"],
                   auditors=["fairness"], auditor_options={"fairness": {"n_boot": 20}})
    want = audit.run(scored, **options)["fairness"].to_dict()
    if kind.startswith("parquet"):
        scored.to_parquet(tmp_path / "d.parquet")
        subject = audit.AuditSubject(tmp_path / "d.parquet", target="y", prediction="p", score="s",
                                     sensitive_features=["sex", "race"], engine=kind.split("-")[1], batch_rows=999)
    else:
        import dask.dataframe as dd

        subject = audit.AuditSubject(dd.from_pandas(scored, npartitions=3), target="y", prediction="p", score="s",
                                     sensitive_features=["sex", "race"], batch_rows=999)
    got = audit.run_auditors(subject, audit.build_auditors(["fairness"], {"fairness": {"n_boot": 20}}))
    assert json.dumps(got["fairness"].to_dict(), sort_keys=True) == json.dumps(want, sort_keys=True)
    assert "data" not in subject._loaded
    assert all(isinstance(t, pd.CategoricalDtype) for t in subject.sensitive_frame.dtypes)
