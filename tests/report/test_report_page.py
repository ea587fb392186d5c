"""The report page: structure and reading order, plots, tables, size, determinism."""
from __future__ import annotations

import re

import pytest

from audit.report import _views, render_html
from tests.report.report_helpers import REMOTE, outline


def test_page_is_one_well_formed_document(binary_html):
    assert binary_html.startswith("<!DOCTYPE html>\n<html lang=\"en\">")
    assert binary_html.rstrip().endswith("</html>")
    assert '<meta charset="utf-8">' in binary_html
    assert "Content-Security-Policy" in binary_html and "default-src 'none'" in binary_html
    parsed = outline(binary_html)
    assert parsed.errors == [] and parsed.stack == []


def test_reading_order_verdict_checks_contents_sections_card_environment(binary_html):
    marks = ["<h1>", 'class="verdict', 'id="checks"', 'class="toc"', 'id="auditor-1-fairness"',
             'id="auditor-2-privacy"', 'id="auditor-3-energy"', 'id="auditor-4-acme-drift"', 'id="model-card"',
             'id="environment"', "<footer>"]
    positions = [binary_html.index(m) for m in marks]
    assert positions == sorted(positions)


def test_verdict_says_status_in_words_and_symbol_with_exit_code(binary_html):
    verdict = binary_html[binary_html.index('class="verdict'):binary_html.index("</header>")]
    assert "status-fail" in verdict
    assert "Failed" in verdict and "\u2717" in verdict
    assert "exit code 1" in verdict
    assert "2 failed, 1 warned, 1 passed" in verdict


def test_failed_checks_come_first_and_passed_are_folded(binary_html):
    checks = binary_html[binary_html.index('id="checks"'):binary_html.index('class="toc"')]
    first_table = checks[:checks.index("</table>")]
    statuses = re.findall(r'<tr class="row-(\w+)">', first_table)
    assert statuses == ["fail", "fail", "warn"]
    assert "fairness.demographic_parity_difference over race" in first_table
    assert "lower CI bound 0.140 &gt; 0.1" in first_table
    for header in ("Check", "Bound", "Threshold", "Value", "Group", "Message"):
        assert f'<th scope="col">{header}</th>' in first_table
    folded = checks[checks.index("<details>"):]
    assert "Show 1 passed check" in folded and "accuracy_score_group_min" in folded
    assert "accuracy_score_group_min" not in first_table


def test_headings_descend_one_level_at_a_time_and_tables_are_scoped(binary_html):
    parsed = outline(binary_html)
    assert parsed.headings.count(1) == 1 and parsed.headings[0] == 1
    assert all(b - a <= 1 for a, b in zip(parsed.headings, parsed.headings[1:]))
    assert parsed.th_without_scope == 0


def test_findings_most_severe_first(binary_html):
    section = binary_html[binary_html.index('id="auditor-1-fairness"'):binary_html.index('id="auditor-2-privacy"')]
    codes = re.findall(r"<code>(FAIR-[A-Z]+)</code>", section)
    assert codes == ["FAIR-DPD", "FAIR-EOD", "FAIR-SMALL"]
    assert "High</strong>" in section and "Warning</strong>" in section


def test_skipped_and_error_auditors_show_their_reason(binary_html):
    privacy = binary_html[binary_html.index('id="auditor-2-privacy"'):binary_html.index('id="auditor-3-energy"')]
    assert "Skipped because:" in privacy and "no quasi_identifiers given in [data]" in privacy
    assert "status-skipped" in privacy
    energy = binary_html[binary_html.index('id="auditor-3-energy"'):binary_html.index('id="auditor-4-acme-drift"')]
    assert "Error:" in energy and "RuntimeError: power meter unavailable" in energy


def test_unknown_auditor_gets_the_generic_view(binary_html):
    section = binary_html[binary_html.index('id="auditor-4-acme-drift"'):binary_html.index('id="model-card"')]
    assert "Acme drift" in section and "<h3>Metrics</h3>" in section
    assert '<th scope="row">psi</th>' in section and "0.040" in section
    assert "DRIFT-OK" in section and "<summary>Details</summary>" in section and "train split" in section
    assert "<svg" not in section


def test_fairness_section_has_its_plots_and_tables(binary_html):
    section = binary_html[binary_html.index('id="auditor-1-fairness"'):binary_html.index('id="auditor-2-privacy"')]
    svgs = re.findall(r"<svg\b[^>]*>", section)
    assert len(svgs) == 3  # group rates, disparities, calibration
    assert all('role="img"' in s and "aria-labelledby" in s for s in svgs)
    assert len(re.findall(r"<title id=", section)) == 3
    assert "<figcaption>" in section
    for grouping in ("Groups by race,", "Groups by sex,", "Groups by race \u00d7 sex,"):
        assert grouping in section
    assert "Aggregate disparities between groups" in section
    assert "\u2264 0.100 (ci bound)" in section and "\u2265 0.800 (estimate)" in section
    assert "(fail)" not in section  # a check's severity is never printed as if it were the row's outcome
    assert "<h3>Calibration</h3>" in section
    assert "Whole population" in section
    assert "could not be drawn" not in section


def _disparity_rows(html):
    """{(metric, over): "value threshold outcome"} from the disparity table, tags stripped."""
    section = html[html.index("Aggregate disparities between groups"):]
    body = section[:section.index("</table>")]
    out = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = [
            " ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        ]
        if cells:
            out[(cells[0], cells[1])] = " ".join(cells[2:])
    return out


def test_disparity_rows_show_their_own_outcome_and_the_threshold_apart(binary_html):
    rows = _disparity_rows(binary_html)
    # accuracy_score_group_min 0.79 against min 0.7 (a fail-severity check): this row passes
    assert rows[("accuracy_score_group_min", "sex")].endswith("\u2265 0.700 (estimate) \u2713 Pass")
    # equalized_odds_difference 0.13 against max 0.1, a warn-only check: the row warns
    assert rows[("equalized_odds_difference", "sex")].endswith(
        "\u2264 0.100 (estimate, warn only) \u26a0\ufe0e Warning"
    )
    # demographic parity over race: even the lower bound 0.14 is above 0.1; over sex it is not gated
    assert rows[("demographic_parity_difference", "race")].endswith("\u2264 0.100 (ci bound) \u2717 Fail")
    assert rows[("demographic_parity_difference", "sex")].endswith("\u2014 not gated")


def test_a_null_aggregate_renders_undefined_and_never_passes(report_factory):
    from audit.report import render_html

    report = report_factory("binary")
    for r in report["results"][0]["metrics"]:
        if r["metric"] == "accuracy_score_group_min" and r["over"] == ["sex"]:
            r.update(value=None, ci_low=None, ci_high=None)
        if r["metric"] == "selection_rate" and r["group"] == {"sex": "Female"}:
            r.update(value=None, ci_low=None, ci_high=None)
    html = render_html(report)
    rows = _disparity_rows(html)
    assert rows[("accuracy_score_group_min", "sex")] == "undefined \u2265 0.700 (estimate) \u2717 Fail undefined"
    section = html[html.index("Groups by sex,"):]
    table = section[:section.index("</table>")]
    female = next(r for r in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S) if "Female" in r)
    assert "undefined" in female and "NaN" not in female


def test_group_table_is_sorted_worst_first(binary_html):
    section = binary_html[binary_html.index("Groups by race,"):]
    table = section[:section.index("</table>")]
    rows = re.findall(r'<th scope="row">race=(\w+)</th><td class="num">[\d,]+</td><td class="num">([\d.]+)', table)
    overall = 0.31
    gaps = [abs(float(v) - overall) for _, v in rows]
    assert len(rows) == 4 and gaps == sorted(gaps, reverse=True)


def test_model_card_and_environment(binary_html):
    card = binary_html[binary_html.index('id="model-card"'):binary_html.index('id="environment"')]
    assert "<h3>Model details</h3>" in card and "A two-layer MLP trained on Adult." in card
    assert "Mitigation strategy" in card and "Audit per group." in card and "MIT" in card
    env = binary_html[binary_html.index('id="environment"'):]
    for text in ("3.11.7", "Random seed", "sha256:3f2a9c", "fairlearn", "0.13.0", "income", "race, sex",
                 "torch \u00b7 MLP \u00b7 12,801 parameters"):
        assert text in env


def test_no_external_reference_of_any_kind(binary_html, report_factory):
    for html in (binary_html, render_html(report_factory("regression")), render_html(report_factory("multiclass"))):
        assert not REMOTE.search(html)
        assert "@import" not in html and not re.search(r"url\(\s*['\"]?\s*(https?:)?//", html)
        assert "<script" not in html.lower() and "<link" not in html.lower() and "<img" not in html.lower()
        assert not re.search(r"""\b(src|href)\s*=\s*["']?\s*(data|javascript):""", html, re.I)


def test_same_report_same_bytes(binary_report, binary_html, report_factory):
    assert render_html(binary_report) == binary_html
    assert render_html(report_factory("binary")) == binary_html


def test_svg_ids_are_unique_on_the_page(binary_html):
    ids = re.findall(r'\sid="([^"]+)"', binary_html)
    assert len(ids) == len(set(ids))


def test_regression_report_renders_error_per_group(report_factory):
    html = render_html(report_factory("regression"))
    section = html[html.index('id="auditor-1-fairness"'):html.index('id="auditor-2-privacy"')]
    assert "Mean absolute error by group" in section
    assert "highest mean absolute error first" in section
    assert len(re.findall(r"<svg\b", section)) == 2  # no calibration for regression
    assert "mean absolute error \u00b7 race" in section or "mean_absolute_error_difference" in section
    assert "could not be drawn" not in section and "\u2264 1 (estimate)</td>" in section


def test_multiclass_report_renders_classes(report_factory):
    html = render_html(report_factory("multiclass"))
    section = html[html.index('id="auditor-1-fairness"'):html.index('id="auditor-2-privacy"')]
    assert "Accuracy score by group" in section
    assert "selection_rate [class A]" in section and "selection_rate [class C]" in section
    assert '<th scope="col">Class</th>' in section
    assert "could not be drawn" not in section and len(re.findall(r"<svg\b", section)) == 2


def test_small_groups_are_flagged_in_words(report_factory):
    report = report_factory("binary", sizes={"Other": 12, "Other, Female": 7})
    html = render_html(report)
    assert "small group (n &lt; 50)" in html
    assert "2 group(s) have fewer than 50 rows" in html
    assert "small group" in html[html.index("<svg"):html.index("</svg>")]  # legend entry for hollow markers


def test_500_intersectional_groups_stay_small_and_fold(report_factory):
    features = {"region": [f"region {i:02d}" for i in range(25)], "age_band": [f"age {i:02d}" for i in range(20)]}
    html = render_html(report_factory("binary", features=features))
    assert len(html.encode()) < 2_000_000
    assert "Show all 500 groups by region \u00d7 age_band" in html
    assert "first 10 of 500" in html
    assert "groups not drawn" in html  # the intersection panel shows the extremes only
    assert not REMOTE.search(html)


def test_60_intersectional_groups_well_under_budget(report_factory):
    features = {"region": [f"r{i}" for i in range(12)], "sex": ["F", "M", "X", "U", "N"]}
    html = render_html(report_factory("binary", features=features))
    assert len(html.encode()) < 600_000


def test_minimal_report_renders():
    report = {"schema_version": "1.0", "tool": {"name": "rai-audit", "version": "0.1.0"}, "title": "t",
              "status": "pass", "exit_code": 0,
              "subject": {"n_rows": 0, "task": None, "target": None, "sensitive_features": []},
              "environment": {}, "results": [], "checks": []}
    html = render_html(report)
    assert "Passed" in html and "No checks were configured" in html
    assert outline(html).errors == []


def test_a_broken_view_falls_back_to_the_generic_one(monkeypatch, binary_report):
    def broken(result, ctx):
        raise ValueError("bad <rows>")

    monkeypatch.setitem(_views.VIEWS, "fairness", broken)
    html = render_html(binary_report)
    section = html[html.index('id="auditor-1-fairness"'):html.index('id="auditor-2-privacy"')]
    assert "could not be drawn" in section and "ValueError: bad &lt;rows&gt;" in section
    assert "<h3>Metrics</h3>" in section and "Show all" in section


@pytest.mark.parametrize("value,text", [(None, "\u2014"), (3, "3"), (12345.0, "12,345"), (0.12345, "0.123"),
                                        (1234.56, "1,234.6"), (0.0000123, "1.23e-05"), (float("nan"), "NaN")])
def test_number_format(value, text):
    from audit.report._html import fmt_num

    assert fmt_num(value) == text


def test_odd_values_render_without_falling_back(report_factory):
    report = report_factory("binary")
    rows = report["results"][0]["metrics"]
    rows[0]["n"] = float("nan")
    rows[1]["value"] = None
    rows[2]["ci_low"], rows[2]["ci_high"] = None, float("inf")
    rows.append({"metric": "selection_rate", "group": {"race": None}, "value": 0.5, "ci_low": None,
                 "ci_high": None, "n": 60, "over": ["race"], "label": None})
    report["results"][0]["details"]["min_group_size"] = float("nan")
    report["results"][0]["details"]["calibration"].append({"group": None, "over": None, "mean_score": None})
    html = render_html(report)
    assert "could not be drawn" not in html
    assert "race=(missing)" in html and "(missing)" in html[html.index("<svg"):html.index("</svg>")]


def test_interval_bounds_keep_the_value_format():
    from audit.report._html import fmt_ci

    assert fmt_ci(0.17, 0.0, 0.383) == "0.170 [0.000, 0.383]"
    assert fmt_ci(0.95, 0.9, 1.0) == "0.950 [0.900, 1.000]"
    assert fmt_ci(40.0) == "40" and fmt_ci(0.5, None, None) == "0.500"


def test_same_bytes_across_processes_and_hash_seeds(binary_html):
    import hashlib
    import os
    import subprocess
    import sys
    from pathlib import Path

    here = Path(__file__).resolve().parent
    root = here.parents[1]
    code = (
        "import hashlib, sys; from tests.report.report_helpers import make_report; "
        "from audit.report import render_html; "
        "sys.stdout.write(hashlib.sha256(render_html(make_report()).encode()).hexdigest())"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), str(here)]), "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout == hashlib.sha256(binary_html.encode()).hexdigest()


def test_checks_table_names_the_class_and_lists_skipped_checks_apart(report_factory):
    from audit.report import render_html

    report = report_factory("multiclass")
    report["checks"] = [
        {
            "metric": "fairness.demographic_parity_difference",
            "op": "max",
            "threshold": 0.1,
            "bound": "ci",
            "severity": "fail",
            "over": "each",
            "value": 0.33,
            "group": None,
            "label": "Low",
            "status": "fail",
            "message": "fairness.demographic_parity_difference across race for class 'Low': ...",
        },
        {
            "metric": "privacy.membership_advantage",
            "op": "max",
            "threshold": 0.1,
            "bound": "estimate",
            "severity": "fail",
            "over": None,
            "value": None,
            "group": None,
            "label": None,
            "status": "skipped",
            "if_missing": "skip",
            "message": 'privacy.membership_advantage: ... Skipped (if_missing = "skip"), not passed.',
        },
    ]
    html = render_html(report)
    checks = html[html.index('id="checks"'):html.index("</section>", html.index('id="checks"'))]
    assert "fairness.demographic_parity_difference over each feature" in checks and "<td>class Low</td>" in checks
    assert "Skipped checks" in checks and "passed check" not in checks
    assert "1 failed, 0 warned, 0 passed, 1 skipped" in html
