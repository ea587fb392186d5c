"""Personal data is never echoed (issue 14, item 5): a role column whose values the privacy engine
classifies as a direct identifier is shown by stable pseudonyms (``email#1`` ...) in every output,
with a finding that says why; no raw value reaches report.html, report.json, ``_repr_html_``,
stdout, stderr, the log, the JUnit XML, the Markdown summary or the diff."""
from __future__ import annotations

import json
import logging

import numpy as np
import pandas as pd
import pytest

import audit
from audit import cli
from audit.gate._diff import diff_reports, format_diff
from audit.gate._outputs import github_annotations, junit_xml, markdown_summary
from audit.subject._subject import MSG_PSEUDONYMISED, pseudonyms

N = 240
_FIRST = ["Alice", "Bob", "Carol", "David", "Eve", "Frank"]
_LAST = ["Smith", "Jones", "Miller"]
PII = {
    "email": ("EMAIL_ADDRESS", [f"person{i}@example.com" for i in range(4)]),
    "full_name": ("PERSON", [f"{a} {b}" for a in _FIRST for b in _LAST]),
    "phone": ("PHONE_NUMBER", ["+1 202 555 0143", "+1 202 555 0178", "+44 20 7946 0958", "+1 415 555 0100"]),
    "card": ("CREDIT_CARD", ["4111 1111 1111 1111", "5500 0000 0000 0004", "3400 0000 0000 009",
                             "6011 0000 0000 0004"]),
    "ssn": ("US_SSN", ["536-22-8467", "401-33-2219", "287-65-4321", "512-44-3310"]),
}
_PREFIX = {"email": "email", "full_name": "name", "phone": "phone", "card": "card", "ssn": "ssn"}


def _frame(column: str, values: list[str]) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, N)
    p = np.where(rng.random(N) < 0.8, y, 1 - y)
    weights = np.arange(len(values), 0, -1, dtype=float)
    return pd.DataFrame({column: rng.choice(values, N, p=weights / weights.sum()), "y": y, "p": p,
                         "g": rng.choice(["a", "b"], N)})


def _outputs(report: audit.AuditReport, tmp_path, capsys, caplog) -> dict[str, str]:
    report.save(tmp_path / "r")
    doc = report.to_dict()
    policy = tmp_path / "policy.toml"
    policy.write_text('[[checks]]\nmetric = "fairness.demographic_parity_difference"\nmax = 0.0\n'
                      '[[checks]]\nmetric = "fairness.selection_rate"\nmax = 0.0\n', encoding="utf-8")
    with caplog.at_level(logging.INFO):
        cli.main(["-v", "gate", str(tmp_path / "r"), "--policy", str(policy), "--junit", str(tmp_path / "j.xml"),
                  "--summary", str(tmp_path / "s.md")])
        cli.main(["diff", str(tmp_path / "r"), str(tmp_path / "r"), "--format", "markdown"])
    out, err = capsys.readouterr()
    checks = doc["checks"]
    return {"report.html": (tmp_path / "r" / "report.html").read_text(encoding="utf-8"),
            "report.json": (tmp_path / "r" / "report.json").read_text(encoding="utf-8"),
            "repr_html": report._repr_html_() + report["fairness"]._repr_html_(),
            "stdout": out, "stderr": err, "log": caplog.text,
            "junit": (tmp_path / "j.xml").read_text(encoding="utf-8") + junit_xml(doc, checks),
            "summary": (tmp_path / "s.md").read_text(encoding="utf-8") + markdown_summary(doc, checks, "fail"),
            "annotations": "\n".join(github_annotations(doc, checks)),
            "diff": format_diff(diff_reports(doc, doc), old_name="a", new_name="b")}


ROLES = ["sensitive_features", "quasi_identifiers", "target"]


def _run(frame: pd.DataFrame, column: str, role: str) -> audit.AuditReport:
    kw: dict = {"sensitive_features": ["g"], "target": "y", "prediction": "p"}
    if role == "sensitive_features":
        kw["sensitive_features"] = [column]
    elif role == "quasi_identifiers":
        kw["quasi_identifiers"] = [column]
    else:  # the class labels of target and predictions are personal data (the positive class named raw)
        values = sorted(frame[column].unique())[:2]
        frame = frame.assign(y=np.where(frame["y"] == 1, values[1], values[0]),
                             p=np.where(frame["p"] == 1, values[1], values[0]))
        kw["pos_label"] = values[1]
    return audit.run(frame, auditors=["fairness", "privacy"], checks=[
        {"metric": "fairness.demographic_parity_difference", "max": 0.0}], **kw)


#: Two person names as the labels of a column called ``y`` are not a names column to the classifier
#: (no name hint, two distinct values): it cannot tell them from class names, so they are not pseudonymised.
_CASES = [(c, r) for c in PII for r in ROLES if (c, r) != ("full_name", "target")]


@pytest.mark.parametrize(("column", "role"), _CASES)
def test_no_raw_personal_value_reaches_any_output(tmp_path, capsys, caplog, column, role) -> None:
    entity, values = PII[column]
    frame = _frame(column, values)
    report = _run(frame, column, role)
    shown = column if role in ("sensitive_features", "quasi_identifiers") else "y"
    if role == "target":
        assert report.subject["pos_label"].startswith(_PREFIX[column] + "#")
    outputs = _outputs(report, tmp_path, capsys, caplog)
    for sink, text in outputs.items():
        for value in values:
            for form in {value, value.replace(" ", ""), json.dumps(value)[1:-1]}:
                assert form not in text, (sink, form)
    assert report.subject["pseudonymised"][shown] == entity
    notes = [f for f in report["fairness"].findings if f.code == "input.pseudonymised"]
    assert notes and notes[0].evidence["column"] == shown
    if role == "sensitive_features":
        groups = {g[column] for g in report["fairness"].metrics["group"] if g and column in g}
        assert groups == {f"{_PREFIX[column]}#{i}" for i in range(1, len(values) + 1)}
        assert notes[0].message == MSG_PSEUDONYMISED.format(column=column, role=role, entity=entity, n=len(values),
                                                            prefix=_PREFIX[column])


def test_pseudonyms_are_ordered_by_group_size_and_do_not_depend_on_row_order() -> None:
    values = pd.Series(["b@x.org"] * 3 + ["a@x.org"] * 5 + ["c@x.org"] * 3)
    mapping = pseudonyms(values, "email")
    assert mapping["a@x.org"] == "email#1"
    assert {mapping["b@x.org"], mapping["c@x.org"]} == {"email#2", "email#3"}
    assert pseudonyms(values.sample(frac=1, random_state=3), "email") == mapping


def test_a_table_without_personal_data_is_left_as_it_is() -> None:
    frame = _frame("g2", ["w", "x", "y", "z"])
    report = audit.run(frame, target="y", prediction="p", sensitive_features=["g2"], auditors=["fairness"])
    assert "pseudonymised" not in report.subject
    assert {g["g2"] for g in report["fairness"].metrics["group"] if g and "g2" in g} == {"w", "x", "y", "z"}


def test_a_bad_score_cell_is_counted_never_quoted() -> None:
    from audit._exceptions import DataError
    from audit.subject._validation import MSG_NOT_NUMERIC

    frame = _frame("g2", ["w", "x", "y", "z"]).assign(s=[0.3] * (N - 1) + ["jane.doe@example.com"])
    with pytest.raises(DataError) as err:
        audit.run(frame, target="y", prediction="p", score="s", sensitive_features=["g2"], auditors=["fairness"])
    assert str(err.value) == MSG_NOT_NUMERIC.format(column="s", role="score", count=1, n=N, row=N - 1)


def test_an_unknown_reference_group_lists_no_values() -> None:
    from audit._exceptions import UsageError

    entity, values = PII["email"]
    frame = _frame("email", values)
    with pytest.raises(UsageError) as err:
        audit.run(frame, target="y", prediction="p", sensitive_features=["email"], auditors=["fairness"],
                  auditor_options={"fairness": {"reference_group": {"email": "nobody"}}})
    assert "4 distinct values, not listed" in str(err.value) and not any(v in str(err.value) for v in values)


def test_the_privacy_auditor_still_reports_a_pseudonymised_column_as_personal_data() -> None:
    entity, values = PII["email"]
    report = audit.run(_frame("email", values), target="y", prediction="p", sensitive_features=["email"],
                       auditors=["privacy"])
    codes = {f.code for f in report["privacy"].findings}
    assert f"privacy.pii.{entity.lower()}" in codes
    assert not any(v in json.dumps(report.to_dict()) for v in values)
