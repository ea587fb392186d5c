"""Real engines, no mocks: a Dask distributed LocalCluster (2 worker processes) and a PySpark
local[2] session audit the same table as pandas and give identical fairness figures.

Start-up cost (Spark about 5-10 s, Dask about 1-2 s) is paid once per session.
"""
import json
import shutil
import warnings

import numpy as np
import pandas as pd
import pytest

import audit

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    rng = np.random.default_rng(21)
    n = 20_000
    frame = pd.DataFrame({"y": rng.integers(0, 2, n), "p": rng.integers(0, 2, n),
                          "sex": rng.choice(["F", "M"], n),
                          "race": rng.choice(["a", "b", "c", None], n, p=[0.5, 0.3, 0.19, 0.01]),
                          "age": rng.choice(["<30", "30-50", "50+"], n)})
    path = tmp_path_factory.mktemp("engines") / "t.parquet"
    frame.to_parquet(path)
    return frame, path


def _figures(data):
    report = audit.run(data, target="y", prediction="p", sensitive_features=["sex", "race", "age"],
                       auditors=["fairness"], auditor_options={"fairness": {"n_boot": 50}}, random_state=4)
    return report, json.dumps(report["fairness"].to_dict()["metrics"], sort_keys=True)


@pytest.fixture(scope="module")
def expected(table):
    return _figures(table[0])[1]


@pytest.fixture(scope="session")
def dask_client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.fixture(scope="session")
def spark():
    if shutil.which("java") is None:
        pytest.fail("PySpark needs Java on PATH (Java 17 is on this project's machines)")
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("rai-audit-tests")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
               .config("spark.driver.memory", "1g").getOrCreate())
    yield session
    session.stop()


def test_dask_cluster_matches_pandas(dask_client, table, expected):
    import dask.dataframe as dd

    frame = dd.read_parquet(str(table[1]))
    report, figures = _figures(frame)
    assert dask_client.scheduler_info()["workers"], "the cluster has workers"
    assert figures == expected
    assert report.subject["n_rows"] == len(table[0])


def test_spark_matches_pandas(spark, table, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # pyspark 4.3 on pandas 3: "not yet fully supported"
        report, figures = _figures(spark.read.parquet(str(table[1])))
    assert figures == expected
    assert report.subject["n_rows"] == len(table[0])


PHONE = r"\d{3}-\d{4}"


@pytest.fixture(scope="module")
def coded(table):
    frame = table[0].copy()
    rng = np.random.default_rng(8)
    codes = pd.Series([f"{a:03d}-{b:04d}" for a, b in zip(rng.integers(0, 999, len(frame)),
                                                           rng.integers(0, 9999, len(frame)))], dtype=object)
    codes[rng.random(len(frame)) < 0.3] = "n/a"
    codes[rng.random(len(frame)) < 0.02] = None
    frame["code"] = codes
    frame["i"] = np.arange(len(frame))
    text = frame["code"].dropna().str.strip()
    matches = frame.loc[text[text.str.fullmatch(PHONE)].index, "i"].to_numpy()
    return frame, matches


def _check_rows(table, frame, matches):
    from audit.engines import sample_positions

    want = frame["i"].to_numpy()[sample_positions(len(frame), 500, 2)].tolist()
    assert table.sample(500, 2, ["i"])["i"].astype(int).tolist() == want
    assert table.match_counts("code", PHONE) == (len(matches), int(frame["code"].notna().sum()))
    picks = sample_positions(len(matches), 200, 6)
    got = table.take(picks, ["i", "code"], matching=("code", PHONE))
    assert got["i"].astype(int).tolist() == matches[picks].tolist()


def test_dask_samples_the_same_rows_as_pandas(dask_client, coded):
    import dask.dataframe as dd

    from audit.engines import LazyTable

    frame, matches = coded
    native = dd.from_pandas(frame, npartitions=4)
    _check_rows(LazyTable(native, label="dask"), frame, matches)


def test_spark_samples_the_same_rows_as_pandas(spark, coded, tmp_path):
    from audit.engines import LazyTable

    frame, matches = coded
    path = tmp_path / "coded.parquet"
    frame.to_parquet(path, row_group_size=3_000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        native = spark.read.option("mergeSchema", "false").parquet(str(path))
        in_memory = spark.createDataFrame(frame.astype({"code": object}))
    assert in_memory.rdd.getNumPartitions() > 1, "several partitions, so positions cross partition bounds"
    for source in (native, in_memory):
        _check_rows(LazyTable(source, label="spark"), frame, matches)


def _privacy(data):
    report = audit.run(data, target="y", sensitive_features=["sex"], quasi_identifiers=["age", "zip", "sex"],
                       auditors=["privacy"], random_state=3)
    return json.dumps(report["privacy"].to_dict(), sort_keys=True)


@pytest.fixture(scope="module")
def people():
    from tests.privacy.test_auditor import pii_frame

    frame = pii_frame(n=600, seed=2)
    expected = _privacy(frame)
    for found in ("privacy.pii.credit_card", "privacy.pii.email_address", "k_anonymity", "t_closeness"):
        assert found in expected, "the pandas twin finds PII and computes the class counts"
    return frame, expected


def test_dask_cluster_privacy_matches_pandas(dask_client, people):
    import dask.dataframe as dd

    frame, expected = people
    assert _privacy(dd.from_pandas(frame, npartitions=4)) == expected


def test_spark_privacy_matches_pandas(spark, people):
    frame, expected = people
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        got = _privacy(spark.createDataFrame(frame))
    assert got == expected


def test_spark_streams_a_models_predictions(spark):
    from audit.models import load_reference

    net = load_reference("german-mlp")
    test = net.test_frame()
    eager = audit.AuditSubject(test, model=net, target=net.target, sensitive_features=list(net.sensitive_features))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        native = spark.createDataFrame(test)
        lazy = audit.AuditSubject(native, model=net, target=net.target,
                                  sensitive_features=list(net.sensitive_features), batch_rows=64)
        assert lazy.is_lazy and native.rdd.getNumPartitions() > 1
        np.testing.assert_array_equal(lazy.y_pred, eager.y_pred)
        np.testing.assert_allclose(lazy.y_score, eager.y_score, rtol=0, atol=1e-12)
        a = audit.run_auditors(eager, audit.build_auditors(["fairness"], {"fairness": {"n_boot": 20}}))
        b = audit.run_auditors(lazy, audit.build_auditors(["fairness"], {"fairness": {"n_boot": 20}}))
    assert json.dumps(a["fairness"].to_dict(), sort_keys=True) == json.dumps(b["fairness"].to_dict(), sort_keys=True)
