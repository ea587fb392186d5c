"""A lazy table gives the privacy figures of its pandas twin, without leaving its engine."""
from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pytest
from pandas.testing import assert_frame_equal

import dask.dataframe as dd
from audit import AuditSubject
from audit.engines import LazyTable
from audit.engines._lazy import sample_positions
from audit.privacy import PrivacyAuditor, anonymity, scan_frame
from tests.privacy.test_auditor import pii_frame

ENGINES = {
    "polars-lazy": lambda f: pl.from_pandas(f).lazy(),
    "duckdb": lambda f: duckdb.connect().from_df(f),
    "dask": lambda f: dd.from_pandas(f, npartitions=3),
}


@pytest.fixture(scope="module")
def frame():
    f = pii_frame(n=300, seed=3)
    f.loc[::17, "zip"] = None  # a missing quasi-identifier value is a value of its own
    f.loc[::23, "email"] = None
    return f


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_sample_is_the_same_rows_in_every_engine(frame, engine):
    table = LazyTable(ENGINES[engine](frame), label=engine)
    got = table.sample(40, 5, ["full_name", "age"])
    want = frame.iloc[sample_positions(len(frame), 40, 5)][["full_name", "age"]].reset_index(drop=True)
    assert got["full_name"].tolist() == want["full_name"].tolist()
    assert got["age"].tolist() == want["age"].tolist()


def test_sample_positions_are_seeded_and_sorted():
    a, b = sample_positions(1000, 50, 1), sample_positions(1000, 50, 1)
    assert (a == b).all() and (np.diff(a) > 0).all() and len(a) == 50
    assert not (a == sample_positions(1000, 50, 2)).all()
    assert sample_positions(10, 50, 1).tolist() == list(range(10))


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_anonymity_from_count_table_equals_pandas(frame, engine):
    want = anonymity(frame, ["age", "zip", "sex"], ["y", "x1"]).to_dict()
    got = anonymity(LazyTable(ENGINES[engine](frame), label=engine), ["age", "zip", "sex"], ["y", "x1"]).to_dict()
    assert got == want


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_column_scan_equals_pandas(frame, engine):
    want = [p.to_dict() for p in scan_frame(frame, sample_size=120, random_state=4)]
    got = [p.to_dict() for p in scan_frame(LazyTable(ENGINES[engine](frame), label=engine), sample_size=120,
                                           random_state=4)]
    assert got == want
    kinds = {d["column"]: d["entity_type"] for d in want}
    assert kinds["email"] == "EMAIL_ADDRESS" and kinds["ssn"] == "US_SSN" and kinds["card_number"] == "CREDIT_CARD"
    email = next(d for d in want if d["column"] == "email")
    assert email["n_values"] == frame["email"].notna().sum() and email["share_full"] == 1.0


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_auditor_on_lazy_subject_matches_pandas_and_loads_no_rows(frame, engine):
    auditor = PrivacyAuditor(sample_size=150)
    roles = dict(target="y", sensitive_features=["sex"], quasi_identifiers=["age", "zip", "sex"])
    want = auditor.run(AuditSubject(frame, **roles))
    subject = AuditSubject(ENGINES[engine](frame), **roles)
    assert subject.is_lazy
    got = auditor.run(subject)
    assert "data" not in subject._loaded
    assert_frame_equal(got.metrics, want.metrics)
    assert got.details == want.details
    assert [f.to_dict() for f in got.findings] == [f.to_dict() for f in want.findings]


def test_lazy_auditor_suggests_quasi_identifiers_without_loading(frame):
    subject = AuditSubject(pl.from_pandas(frame).lazy(), target="y")
    result = PrivacyAuditor().run(subject)
    assert "data" not in subject._loaded
    assert set(result.details["quasi_identifiers"]) >= {"age", "zip", "sex"}
    assert result.details["membership"]["skipped"]
