"""The index page of reports and the Jupyter fragment of one result."""
from __future__ import annotations

import re

from audit import AuditResult
from audit.report import render_index, render_result_html
from tests.report.report_helpers import HOSTILE_A, HOSTILE_B, REMOTE, fairness_result, outline

ENTRIES = [
    {"name": "adult-mlp", "href": "adult-mlp/report.html", "status": "fail", "title": "Adult MLP",
     "summary": "2 checks failed"},
    {"name": "credit-logreg", "href": "credit-logreg/report.html", "status": "pass", "title": "Credit",
     "summary": "all checks passed"},
    {"name": HOSTILE_A, "href": f"x/{HOSTILE_B}", "status": "warn", "title": HOSTILE_B, "summary": HOSTILE_A},
    {"name": "remote", "href": "https://evil.example/r.html", "status": "pass", "title": "t", "summary": ""},
    {"name": "protocol-relative", "href": "//evil.example/r.html", "status": "pass", "title": "t", "summary": ""},
    {"name": "script", "href": " JavaScript:alert(1)", "status": "error", "title": "t", "summary": ""},
    {"name": "absolute", "href": "/etc/report.html", "status": "skipped", "title": "t", "summary": ""},
]


def test_index_links_relative_reports_only():
    page = render_index(ENTRIES)
    assert '<a href="adult-mlp/report.html">adult-mlp</a>' in page
    assert '<a href="credit-logreg/report.html">credit-logreg</a>' in page
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert hrefs == ["adult-mlp/report.html", "credit-logreg/report.html",
                     "x/&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"]
    for name in ("remote", "protocol-relative", "script", "absolute"):
        assert f'<th scope="row">{name}</th>' in page  # listed, but as text
    assert not REMOTE.search(page) and "javascript:" not in page.lower()


def test_index_escapes_and_is_self_contained():
    page = render_index(ENTRIES, title=f"Nightly {HOSTILE_A}")
    assert HOSTILE_A not in page and HOSTILE_B not in page
    assert not re.search(r"<\s*(script|img)", page, re.I)
    assert "<title>Nightly &lt;script&gt;" in page
    assert "7 reports" in page and "1 fail" in page and "3 pass" in page
    assert "Content-Security-Policy" in page and "<style>" in page
    parsed = outline(page)
    assert parsed.errors == [] and parsed.th_without_scope == 0
    assert render_index(ENTRIES) == render_index(ENTRIES)


def test_index_without_entries():
    page = render_index([])
    assert "0 reports" in page and "No reports." in page


def test_result_fragment_is_compact_and_escaped():
    data = fairness_result()
    data["findings"].append({"severity": "warning", "code": "X", "message": HOSTILE_A, "evidence": {}})
    data["reason"] = HOSTILE_B
    result = AuditResult.from_dict(data)
    fragment = render_result_html(result)
    assert fragment.startswith('<div class="rai-audit-result">') and fragment.endswith("</div>")
    assert "<h1" not in fragment and "<html" not in fragment.lower()
    assert "status-fail" in fragment and "Fail</span>" in fragment
    codes = re.findall(r"<code>([A-Z-]+)</code>", fragment)
    assert codes[0] == "FAIR-DPD" and codes[-1] == "FAIR-SMALL"
    assert f"First 20 of {len(data['metrics']):,} metric rows" in fragment
    assert fragment.count("<tr>") == 21  # header and 20 rows
    assert HOSTILE_A not in fragment and HOSTILE_B not in fragment and "&lt;script&gt;" in fragment
    assert outline(fragment).errors == []
    assert result._repr_html_() == fragment


def test_result_fragment_of_a_skipped_result():
    result = AuditResult.from_dict({"auditor": "privacy", "version": "0.1.0", "status": "skipped",
                                    "reason": "no quasi_identifiers", "metrics": [], "findings": []})
    fragment = render_result_html(result)
    assert "Skipped" in fragment and "no quasi_identifiers" in fragment and "<table" not in fragment


def test_index_counts_checks_as_failed_warned_passed():
    checks = [{"status": "fail"}, {"status": "fail"}, {"status": "warn"}]
    page = render_index([{"name": "adult-mlp", "href": "adult-mlp/report.html", "status": "fail", "title": "t",
                          "checks": checks, "summary": "task binary; 16,281 test rows"},
                         {"name": "none", "href": "none/report.html", "status": "warn", "title": "t", "checks": []}])
    assert "checks: 2 failed, 1 warned, 0 passed; task binary; 16,281 test rows" in page
    assert "<td>no checks</td>" in page
    assert "of 3 checks passed" not in page


def test_report_header_counts_checks_as_failed_warned_passed(report_factory):
    from audit.report import render_html

    page = render_html(report_factory("binary"))
    assert "4 checks: 2 failed, 1 warned, 1 passed \u00b7 exit code 1" in page
