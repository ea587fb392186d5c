"""LazyTable.take and sample: the same rows from every local engine, also among pattern matches."""
import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from audit.engines import LazyTable, open_table, sample_positions

PATTERN = r"\d{3}-\d{4}"


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(5)
    n = 5_000
    codes = np.where(rng.random(n) < 0.6, [f"{a:03d}-{b:04d}" for a, b in zip(rng.integers(0, 999, n),
                                                                                rng.integers(0, 9999, n))],
                     "none")
    codes = pd.Series(codes, dtype=object)
    codes[rng.random(n) < 0.05] = None
    return pd.DataFrame({"i": np.arange(n), "code": codes, "x": rng.normal(size=n)})


def _tables(frame, tmp_path):
    path = tmp_path / "t.parquet"
    frame.to_parquet(path)
    yield "pandas", LazyTable(frame, label="pandas")
    yield "pyarrow", LazyTable(pa.Table.from_pandas(frame, preserve_index=False), label="pyarrow")
    yield "polars-eager", LazyTable(pl.from_pandas(frame), label="polars")
    yield "polars-scan", open_table(path, "polars")
    yield "duckdb-scan", open_table(path, "duckdb")
    yield "duckdb-relation", LazyTable(duckdb.connect().read_parquet(str(path)), label="duckdb")


def test_take_returns_the_rows_at_the_positions(frame, tmp_path):
    positions = np.array([0, 7, 7, 4_999, 1_234, 10_000])  # unsorted, repeated, one past the end
    for name, table in _tables(frame, tmp_path):
        got = table.take(positions, ["i", "code"])
        assert got["i"].tolist() == [0, 7, 1_234, 4_999], name


def test_sample_is_the_same_in_every_engine(frame, tmp_path):
    want = frame.iloc[sample_positions(len(frame), 300, 9)]["i"].tolist()
    for name, table in _tables(frame, tmp_path):
        assert table.sample(300, 9, ["i"])["i"].tolist() == want, name


def test_take_among_matches_counts_only_matching_rows(frame, tmp_path):
    text = frame["code"].dropna().astype(str).str.strip()
    matches = frame.loc[text[text.str.fullmatch(PATTERN)].index, "i"].to_numpy()
    picks = sample_positions(len(matches), 50, 3)
    for name, table in _tables(frame, tmp_path):
        hits, total = table.match_counts("code", PATTERN)
        assert (hits, total) == (len(matches), int(frame["code"].notna().sum())), name
        got = table.take(picks, ["i", "code"], matching=("code", PATTERN))
        assert got["i"].tolist() == matches[picks].tolist(), name
        assert got["code"].str.fullmatch(PATTERN).all(), name


def test_take_nothing_is_an_empty_frame(frame, tmp_path):
    for name, table in _tables(frame, tmp_path):
        assert len(table.take([], ["i"])) == 0, name
