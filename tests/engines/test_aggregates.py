"""Aggregates the attribution and energy auditors ask of a table, and the AuditSubject views over
them: the same answers from pandas, polars, DuckDB and Dask."""
import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
import polars as pl
import pytest

import audit
from audit.engines import COUNT_COLUMN, LazyTable, bin_codes, open_table
from audit.engines._batches import iter_batches, rebatch


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(9)
    n = 1_000
    x = rng.normal(size=n).round(1)
    x[rng.random(n) < 0.05] = np.nan
    return pd.DataFrame({"x": x, "i": rng.integers(0, 50, n), "s": rng.choice(["a", "b", None], n),
                         "flag": rng.random(n) < 0.5, "y": rng.integers(0, 2, n)})


def _tables(frame, tmp_path):
    frame.to_parquet(tmp_path / "t.parquet")
    yield LazyTable(frame, label="pandas")
    yield LazyTable(pl.from_pandas(frame).lazy(), label="polars")
    yield open_table(tmp_path / "t.parquet", "duckdb")
    yield LazyTable(dd.from_pandas(frame, npartitions=3), label="dask")


def test_order_statistics_are_the_sorted_values(frame, tmp_path):
    ranks = np.array([0, 5, 5, 499, 948, 3])
    for column in ("x", "i"):
        values = np.sort(frame[column].dropna().to_numpy(dtype=float))
        with dask.config.set(scheduler="sync"):
            for table in _tables(frame, tmp_path):
                np.testing.assert_array_equal(table.order_statistics(column, ranks), values[ranks])
                with pytest.raises(IndexError, match="rank out of range"):
                    table.order_statistics(column, [len(values)])


def test_binned_count_tables_count_qcut_codes(frame, tmp_path):
    edges = [-3.0, -0.5, 0.0, 0.5, 3.0]
    codes = bin_codes(frame["x"], edges)
    _, cut_edges = pd.qcut(frame["x"], 4, retbins=True)
    assert (bin_codes(frame["x"], cut_edges).to_numpy() == pd.qcut(frame["x"], 4).cat.codes.to_numpy()).all()
    expected = pd.DataFrame({"x": codes, "s": frame["s"]}).groupby(["x", "s"], dropna=False).size()
    with dask.config.set(scheduler="sync"):
        for table in _tables(frame, tmp_path):
            got, again = table.count_tables([["x", "s"], ["x"]], bins={"x": edges})
            assert _keyed(got.set_index(["x", "s"])[COUNT_COLUMN]) == _keyed(expected), table.label
            assert again[COUNT_COLUMN].sum() == len(frame) and set(again["x"]) == {-1, 0, 1, 2, 3}


def _keyed(counts: pd.Series) -> dict:
    return {(int(x), None if pd.isna(s) else s): int(n) for (x, s), n in counts.items()}


def test_is_numeric_and_n_unique(frame, tmp_path):
    both = pl.DataFrame({"z": [1.0, float("nan"), None, 2.0]}, strict=False).lazy()  # NaN and null: one missing
    assert LazyTable(both, label="polars").n_unique(["z"]) == {"z": 2}
    with dask.config.set(scheduler="sync"):
        for table in _tables(frame, tmp_path):
            assert [table.is_numeric(c) for c in ("x", "i", "s", "flag")] == [True, True, False, False]
            assert table.n_unique(["x", "s"]) == {"x": frame["x"].nunique(), "s": 2}


def test_rebatch_cuts_at_fixed_rows():
    parts = [pd.DataFrame({"v": range(a, b)}) for a, b in ((0, 3), (3, 3), (3, 10), (10, 11))]
    out = list(rebatch(parts, 4))
    assert [len(b) for b in out] == [4, 4, 3]
    assert [b["v"].tolist() for b in out] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10]]
    assert all(list(b.index) == list(range(len(b))) for b in out)
    table = LazyTable(dd.from_pandas(pd.DataFrame({"v": range(100)}), npartitions=7), label="dask")
    with dask.config.set(scheduler="sync"):
        assert [len(b) for b in rebatch(iter_batches(table, ["v"], 30), 30)] == [30, 30, 30, 10]


@pytest.mark.parametrize("kind", ["pandas", "polars", "duckdb", "dask"])
def test_subject_rows_batches_and_values_at(frame, tmp_path, kind):
    frame.to_parquet(tmp_path / "t.parquet")
    data, engine = {"pandas": (frame, None), "polars": (pl.from_pandas(frame).lazy(), None),
                    "duckdb": (tmp_path / "t.parquet", "duckdb"),
                    "dask": (dd.from_pandas(frame, npartitions=3), None)}[kind]
    with dask.config.set(scheduler="sync"):
        subject = audit.AuditSubject(data, target="y", sensitive_features="s", engine=engine,
                                     batch_rows=300)
        assert subject.is_lazy == (kind != "pandas")
        rows = subject.rows([999, 3, 3, 0], ["x", "s"])
        expected = frame.iloc[[0, 3, 999]].loc[:, ["x", "s"]].reset_index(drop=True)
        pd.testing.assert_frame_equal(rows, expected, check_dtype=False)
        batches = list(subject.batches(["i"]))
        assert [len(b) for b in batches] == [300, 300, 300, 100]
        assert pd.concat(batches, ignore_index=True)["i"].tolist() == frame["i"].tolist()
        assert subject.values_at("y_true", [5, 1]).tolist() == frame["y"].iloc[[1, 5]].tolist()
        assert subject.values_at("y_score", [1]) is None and subject.values_at("y_pred", [1]) is None
        assert subject.table_view(["x"]).count_table(["x"])[COUNT_COLUMN].sum() == len(frame)
        assert "data" not in subject._loaded or kind == "pandas"
