"""A lazy table gives the privacy figures of its pandas twin, without leaving its engine."""
from __future__ import annotations

import json
import shutil
import warnings

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pytest
from pandas.testing import assert_frame_equal

import dask.dataframe as dd
from sklearn.linear_model import LogisticRegression

import audit
from audit import AuditSubject, DataError, UsageError
from audit.engines import LazyTable
from audit.engines._lazy import sample_positions
from audit.privacy import PrivacyAuditor, anonymity, messages, scan_frame
from audit.privacy._columns import _PAD_CHARS, _VALUE_TYPES
from audit.privacy._validators import card_ok, iban_ok
from audit.report._views.privacy import _whole_column as _whole_column_cell
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


# -- whole-column confirmation validates candidates --------------------------------------------------------------
def _luhn_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def _iban(account: str, valid: bool) -> str:
    bban = "37040044" + account
    check = 98 - int((bban + "DE00").translate({ord("D"): "13", ord("E"): "14"})) % 97
    return f"DE{(check if valid else check % 97 + 1):02d}{bban}"


@pytest.fixture(scope="module")
def checked():
    """Columns whose pattern matches nearly everywhere while the validators reject part of them.

    ``card``: valid numbers at the sampled rows, 35 % Luhn failures elsewhere, so the sample passes
    and only the whole-column validation refuses the card type (the column is still reported as an
    identifier: unique digit strings). ``iban``: 12 % bad checksums. ``ssn``:
    whitespace of several kinds around the values (each engine strips a different set) and some
    full-width digits (Unicode digits: ``\\d`` in polars and Python, not in DuckDB).
    """
    n = 3_000
    rng = np.random.default_rng(11)
    sampled = set(sample_positions(n, SAMPLE, SEED).tolist())
    cards, ibans, ssns = [], [], []
    pads = ["", " ", "\u00a0", "\u3000", "\t", "\u2003", "\x1c"]
    for i in range(n):
        body = "4" + "".join(rng.choice(list("0123456789"), 14))
        digit = _luhn_digit(body)
        if i not in sampled and rng.random() < 0.35:
            digit = str((int(digit) + 1 + int(rng.integers(0, 9))) % 10)
        cards.append(body + digit)
        ibans.append(_iban(f"{int(rng.integers(0, 10**10)):010d}", valid=rng.random() >= 0.12))
        ssn = f"{int(rng.integers(1, 665)):03d}-{int(rng.integers(1, 99)):02d}-{int(rng.integers(1, 9999)):04d}"
        if rng.random() < 0.04:
            ssn = ssn.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})  # full-width digits
        ssns.append(rng.choice(pads) + ssn + rng.choice(pads))
    frame = pd.DataFrame({"card": cards, "iban": ibans, "ssn": ssns})
    frame.loc[::29, "iban"] = None
    return frame


SAMPLE, SEED, CANDIDATES = 60, 4, 200


def _scan(data, **kw):
    return {p.column: p for p in scan_frame(data, sample_size=SAMPLE, random_state=SEED, **kw)}


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_validated_whole_column_scan_equals_pandas(checked, engine):
    want = [p.to_dict() for p in _scan(checked, candidate_sample=CANDIDATES).values()]
    got = [p.to_dict() for p in _scan(LazyTable(ENGINES[engine](checked), label=engine),
                                      candidate_sample=CANDIDATES).values()]
    assert got == want
    assert {(d["column"], d["entity_type"]) for d in want} == {("card", "IDENTIFIER"), ("iban", "IBAN_CODE"),
                                                               ("ssn", "US_SSN")}


def test_a_column_whose_pattern_matches_but_fails_validation_is_not_reported(checked):
    card = next(p for etype, p, _ in _VALUE_TYPES if etype == "CREDIT_CARD")
    assert checked["card"].str.fullmatch(card).all()  # the pattern alone would confirm it
    assert checked["card"].iloc[sample_positions(len(checked), SAMPLE, SEED)].map(card_ok).all()  # sample passes
    for candidates in (CANDIDATES, 5_000):  # not a card column; its unique digit strings still single people out
        assert _scan(checked, candidate_sample=candidates)["card"].entity_type == "IDENTIFIER"
    low = _scan(checked, min_share=0.5, candidate_sample=5_000)["card"]
    assert low.share == 1.0 and low.share_full == pytest.approx(checked["card"].map(card_ok).mean())


def test_whole_column_share_is_exact_when_every_match_is_validated(checked):
    values = checked["iban"].dropna()
    p = _scan(checked, candidate_sample=5_000)["iban"]
    assert p.n_matched == p.n_checked == len(values) and p.share_full_exact
    assert p.share_full == values.map(iban_ok).sum() / len(values) < 0.95
    assert p.share_full_ci == (p.share_full, p.share_full)


def test_whole_column_share_is_an_estimate_from_seeded_candidates(checked):
    values = checked["iban"].dropna().reset_index(drop=True)
    p = _scan(checked, candidate_sample=CANDIDATES)["iban"]
    assert (p.n_matched, p.n_checked) == (len(values), CANDIDATES) and not p.share_full_exact
    picked = values.iloc[sample_positions(len(values), CANDIDATES, SEED)]
    assert p.share_full == pytest.approx(picked.map(iban_ok).mean())  # every value matches the pattern here
    low, high = p.share_full_ci
    assert low < values.map(iban_ok).mean() < high and high - low < 0.1
    assert p.to_dict()["share_full_ci"] == [round(low, 6), round(high, 6)]


def test_padding_and_unicode_digits_read_alike(checked):
    p = _scan(checked)["ssn"]
    stripped = checked["ssn"].str.strip()
    assert p.n_matched == stripped.str.fullmatch(r"[0-9]{3}-[0-9]{2}-[0-9]{4}").sum() < len(checked)
    assert set(_PAD_CHARS) == {chr(c) for c in range(0x110000) if chr(c).isspace()}


@pytest.mark.parametrize("name", ["sample_size", "candidate_sample"])
@pytest.mark.parametrize("value", [0, -3, 2.5, True, "10"])
def test_counts_must_be_whole_numbers(checked, name, value):
    with pytest.raises(UsageError) as err:
        scan_frame(checked, **{name: value})
    assert str(err.value) == messages.BAD_COUNT.format(name=name, value=value)


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_membership_groups_do_not_load_a_lazy_table(engine):
    test, train = pii_frame(n=300, seed=3), pii_frame(n=300, seed=4)
    model = LogisticRegression().fit(train[["x1", "x2"]], train["y"])
    roles = dict(model=model, target="y", sensitive_features=["sex"], features=["x1", "x2"], train_data=train,
                 quasi_identifiers=["age", "zip", "sex"])
    auditor = PrivacyAuditor(sample_size=150, min_group_size=20)
    want = auditor.run(AuditSubject(test, **roles))
    subject = AuditSubject(ENGINES[engine](test), **roles)
    got = auditor.run(subject)
    assert "data" not in subject._loaded
    assert want.details["membership"]["by_group"], "the per-group attack ran"
    assert_frame_equal(got.metrics, want.metrics)
    assert got.details == want.details


@pytest.fixture(scope="session")
def spark():
    """A local[2] session (the one tests/engines uses, when it already runs): Spark's Java regex and trim."""
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
    want = [p.to_dict() for p in _scan(checked, candidate_sample=CANDIDATES).values()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # pyspark on pandas 3: "not yet fully supported"
        native = spark.createDataFrame(checked.astype(object).where(checked.notna(), None))
        assert native.rdd.getNumPartitions() > 1, "candidates cross partition bounds"
        got = [p.to_dict() for p in _scan(LazyTable(native, label="spark"), candidate_sample=CANDIDATES).values()]
    assert got == want


def test_auditor_reports_the_whole_column_estimate_with_its_interval(checked):
    values = checked["iban"].dropna().reset_index(drop=True)
    estimate = values.iloc[sample_positions(len(values), CANDIDATES, SEED)].map(iban_ok).mean()
    exact = values.map(iban_ok).mean()
    subject = AuditSubject(checked, random_state=SEED)
    result = PrivacyAuditor(sample_size=SAMPLE, candidate_sample=CANDIDATES).run(subject)
    row = result.metrics[(result.metrics["metric"] == "pii_share_full") & (result.metrics["label"] == "IBAN_CODE")]
    assert len(row) == 1 and row["ci_low"].iloc[0] < row["value"].iloc[0] < row["ci_high"].iloc[0]
    message = next(f for f in result.findings if f.code == "privacy.pii.iban_code").message
    assert f"; about {estimate:.1%} of all 2,896 values validate (95% interval " in message
    assert "2,896 match its pattern, a seeded 200 of them were validated)." in message
    entry = next(p for p in result.details["pii"] if p["column"] == "iban")
    assert _whole_column_cell(entry).startswith(f"\u2248 {estimate:.3f} (")
    result = PrivacyAuditor(sample_size=SAMPLE, candidate_sample=5_000).run(subject)
    message = next(f for f in result.findings if f.code == "privacy.pii.iban_code").message
    assert message.endswith(f"; {exact:.1%} of all 2,896 values validate.")
    assert _whole_column_cell(next(p for p in result.details["pii"] if p["column"] == "iban")) == f"{exact:.3f}"


def test_report_with_an_estimated_share_fits_the_schema(checked, tmp_path):
    import jsonschema
    from importlib import resources

    report = audit.run(checked, auditors=[PrivacyAuditor(sample_size=SAMPLE, candidate_sample=CANDIDATES)],
                       random_state=SEED)
    folder = report.save(tmp_path)
    doc = json.loads((folder / "report.json").read_text())
    jsonschema.validate(doc, json.loads((resources.files("audit") / "schema" / "report.schema.json").read_text()))
    html = (folder / "report.html").read_text()
    assert "Share of whole column" in html and "\u2248 " in html


class _LosingTable(LazyTable):
    """A table that changes between the count and the read: one candidate fewer comes back."""

    def take(self, positions, columns=None, *, matching=None):
        return super().take(positions, columns, matching=matching).iloc[1:]


def test_candidates_lost_between_reads_fail_closed(checked):
    table = _LosingTable(pl.from_pandas(checked[["iban"]]).lazy(), label="changing")
    with pytest.raises(DataError) as err:
        scan_frame(table, sample_size=SAMPLE, random_state=SEED, candidate_sample=CANDIDATES)
    assert str(err.value) == messages.CANDIDATES_LOST.format(column="iban", matched=2_896, got=CANDIDATES - 1,
                                                             asked=CANDIDATES)
