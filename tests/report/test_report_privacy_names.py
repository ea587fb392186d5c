"""The privacy section says how names, places and groups were looked for: rules only, or which NER."""
from __future__ import annotations

import html as html_lib

import pandas as pd

import audit
from audit.report import render_html
from audit.report._views.privacy import MSG_NAMES_RULES_ONLY, MSG_NAMES_WITH_NER
from tests.report.report_helpers import HOSTILE_A, HOSTILE_B, make_report


def _with_privacy(details: dict) -> dict:
    report = make_report("binary")
    report["results"][1] = {"auditor": "privacy", "version": "1.0", "status": "pass", "reason": None,
                            "params": {}, "metrics": [], "findings": [], "details": details}
    return report


def test_message_constants_verbatim():
    assert MSG_NAMES_RULES_ONLY == (
        "Names were found by rules only: a title or a cue word before them ('Mr', 'Dr', 'Dear', 'Frau', 'Sr.', "
        "...). Most names written without one are missed. Places (LOCATION), nationalities and religious or "
        "political groups (NRP) and organisations (ORGANIZATION) were not assessed. To assess them, give the "
        "privacy auditor a statistical NER: ner = \"spacy:<pipeline>\" (pip install 'rai-audit[ner]').")
    assert MSG_NAMES_WITH_NER == (
        "Names (PERSON), places (LOCATION), nationalities and groups (NRP) and organisations (ORGANIZATION) were "
        "looked for with the rules and the statistical NER of the {backend} pipeline {pipeline}{version}. A "
        "statistical NER misses some names and finds some that are not; the shares above are what it found.")


def test_rules_only_run_says_so_in_the_html():
    frame = pd.DataFrame({"notes": ["Spoke with Olivia Brown about the refund."] * 40, "y": [0, 1] * 20})
    report = audit.run(frame, target="y", auditors=["privacy"])
    result = report["privacy"]
    assert result.details["ner"] is None
    assert result.details["not_assessed"] == ["LOCATION", "NRP", "ORGANIZATION"]
    page = render_html(report.to_dict())
    assert html_lib.escape(MSG_NAMES_RULES_ONLY, quote=True) in page


def test_with_ner_the_pipeline_is_named_and_escaped():
    ner = {"backend": "spacy", "pipeline": f"en_core{HOSTILE_A}", "version": HOSTILE_B}
    page = render_html(_with_privacy({"pii": [], "ner": ner, "not_assessed": []}))
    expected = MSG_NAMES_WITH_NER.format(backend="spacy", pipeline=f"en_core{HOSTILE_A}", version=f" {HOSTILE_B}")
    assert html_lib.escape(expected, quote=True) in page
    assert HOSTILE_A not in page and HOSTILE_B not in page
    assert html_lib.escape(MSG_NAMES_RULES_ONLY, quote=True) not in page


def test_unknown_version_and_old_reports():
    page = render_html(_with_privacy({"pii": [], "ner": {"backend": "spacy", "pipeline": "en_core_web_lg",
                                                         "version": None}}))
    assert html_lib.escape(MSG_NAMES_WITH_NER.format(backend="spacy", pipeline="en_core_web_lg", version=""),
                           quote=True) in page
    # a report written before the record existed: no claim either way
    page = render_html(_with_privacy({"pii": []}))
    assert "statistical NER" not in page
