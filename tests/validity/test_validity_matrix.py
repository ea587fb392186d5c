"""The validity matrix holds: every planted defect found, every clean reference quiet, and the docs agree.

``RAI_AUDIT_WRITE_VALIDITY=1`` rewrites the table in docs/validity.md from this run instead of
comparing it.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.validity import matrix

DOC = Path(__file__).resolve().parents[2] / "docs" / "validity.md"
BEGIN, END = "<!-- validity-matrix:begin -->", "<!-- validity-matrix:end -->"


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return matrix.compute()


def test_every_planted_defect_is_found_and_every_clean_reference_is_quiet(rows):
    wrong = [r for r in rows if r["outcome"] not in ("found", "quiet")]
    assert not wrong, "validity matrix has misses or false alarms:\n" + matrix.render(wrong)


def test_every_auditor_has_a_planted_defect_and_clean_controls(rows):
    for auditor in ("fairness", "attribution", "privacy", "energy"):
        roles = {r["role"] for r in rows if r["auditor"] == auditor}
        assert roles == {"planted", "clean"}, auditor


def test_docs_table_is_the_matrix_of_this_run(rows):
    block = f"{BEGIN}\n{matrix.definitions()}\n\n{matrix.render(rows)}\n{END}"
    text = DOC.read_text(encoding="utf-8")
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    if os.environ.get("RAI_AUDIT_WRITE_VALIDITY") == "1":
        DOC.write_text(head + block + tail, encoding="utf-8")
        text = DOC.read_text(encoding="utf-8")
    assert block in text, ("docs/validity.md is out of date; regenerate it with "
                           "RAI_AUDIT_WRITE_VALIDITY=1 pytest tests/validity")
