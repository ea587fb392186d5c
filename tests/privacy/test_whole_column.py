"""Whole-column confirmation of a PII type: candidates validated, the share estimated with its interval,
and a table that changes under the scan fails closed. (Engine parity: tests/engines/test_parity.py.)"""
from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest

import audit
from audit import AuditSubject, DataError, UsageError
from audit.engines import Table, sample_positions
from audit.privacy import PrivacyAuditor, messages, scan_frame
from audit.privacy._columns import _PAD_CHARS, _VALUE_TYPES
from audit.privacy._validators import card_ok, iban_ok
from audit.report._views.privacy import _whole_column as _whole_column_cell
from tests.privacy.helpers import CANDIDATES, SAMPLE, SEED, checked_frame


@pytest.fixture(scope="module")
def checked():
    return checked_frame()


def _scan(data, **kw):
    return {p.column: p for p in scan_frame(data, sample_size=SAMPLE, random_state=SEED, **kw)}


def test_sample_positions_are_seeded_and_sorted():
    a, b = sample_positions(1000, 50, 1), sample_positions(1000, 50, 1)
    assert (a == b).all() and (np.diff(a) > 0).all() and len(a) == 50
    assert not (a == sample_positions(1000, 50, 2)).all()
    assert sample_positions(10, 50, 1).tolist() == list(range(10))


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
    from importlib import resources

    import jsonschema

    report = audit.run(checked, auditors=[PrivacyAuditor(sample_size=SAMPLE, candidate_sample=CANDIDATES)],
                       random_state=SEED)
    folder = report.save(tmp_path)
    doc = json.loads((folder / "report.json").read_text())
    jsonschema.validate(doc, json.loads((resources.files("audit") / "schema" / "report.schema.json").read_text()))
    html = (folder / "report.html").read_text()
    assert "Share of whole column" in html and "\u2248 " in html


class _LosingTable(Table):
    """A table that changes between the count and the read: one candidate fewer comes back."""

    def take(self, positions, columns=None, *, matching=None):
        return super().take(positions, columns, matching=matching).iloc[1:]


@pytest.mark.parametrize("native", [lambda f: pl.from_pandas(f).lazy(), lambda f: f], ids=["polars-lazy", "pandas"])
def test_candidates_lost_between_reads_fail_closed(checked, native):
    table = _LosingTable(native(checked[["iban"]]), label="changing")
    with pytest.raises(DataError) as err:
        scan_frame(table, sample_size=SAMPLE, random_state=SEED, candidate_sample=CANDIDATES)
    assert str(err.value) == messages.CANDIDATES_LOST.format(column="iban", matched=2_896, got=CANDIDATES - 1,
                                                             asked=CANDIDATES)
