"""The entry point names the class; the auditor keeps the conformance contract."""
from __future__ import annotations

import importlib
import sys
from pathlib import Path

from audit.attribution import AttributionAuditor
from audit.testing import parametrize_with_checks

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[2]


def test_pyproject_entry_point_names_the_auditor():
    data = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    target = data["project"]["entry-points"]["audit.auditors"]["attribution"]
    module, _, attr = target.partition(":")
    assert getattr(importlib.import_module(module), attr) is AttributionAuditor
    assert AttributionAuditor.name == "attribution"


@parametrize_with_checks([AttributionAuditor()])
def test_conformance(auditor, check):
    check(auditor)
