"""Fixtures for the HTML renderer tests (helpers live in report_helpers.py)."""
from __future__ import annotations

from typing import Any

import pytest

from tests.report.report_helpers import make_report


@pytest.fixture(scope="session")
def binary_report() -> dict[str, Any]:
    return make_report("binary")


@pytest.fixture(scope="session")
def binary_html(binary_report: dict[str, Any]) -> str:
    from audit.report import render_html

    return render_html(binary_report)


@pytest.fixture(scope="session")
def report_factory():
    return make_report
