"""`rai-audit diff` and the gate's GitHub annotations, as a CI job runs them."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

import audit
from audit import ExitCode
from audit._diff import diff_reports, format_diff
from tests.conftest import ROOT

pytestmark = pytest.mark.slow
POLICY = '[[checks]]\nmetric = "fairness.selection_rate"\nmin = 0.9\n'


def cli(*args, **env):
    base = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    return subprocess.run([sys.executable, "-m", "audit", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, env={**base, "CI": "true", **env})


@pytest.fixture(scope="module")
def two_reports(tmp_path_factory, predictions_frame):
    d = tmp_path_factory.mktemp("diff")
    worse = predictions_frame.copy()
    worse.loc[worse["g"] == "c", "y_pred"] = 1
    kw = dict(target="y_true", prediction="y_pred", sensitive_features=["g"], auditors=["fairness"],
              auditor_options={"fairness": {"n_boot": 0}},
              checks=[{"metric": "fairness.demographic_parity_difference", "max": 0.3}])
    audit.run(predictions_frame, **kw).save(d / "old")
    audit.run(worse, **kw).save(d / "new")
    (d / "policy.toml").write_text(POLICY)
    return d / "old" / "report.json", d / "new" / "report.json", d / "policy.toml"


def test_diff_of_a_report_with_itself_is_empty(two_reports):
    old, _, _ = two_reports
    r = cli("diff", old, old)
    assert r.returncode == ExitCode.OK, r.stderr
    assert ": 0 changes;" in r.stdout and "kind" not in r.stdout


def test_diff_lists_what_changed_largest_first_and_exits_0(two_reports):
    old, new, _ = two_reports
    r = cli("diff", old, new)
    assert r.returncode == ExitCode.OK, r.stderr
    lines = r.stdout.splitlines()
    header = next(i for i, x in enumerate(lines) if x.startswith("kind"))
    assert lines[header].split() == ["kind", "what", "where", "old", "new", "change"]
    body = lines[header + 2:]
    assert any(x.split()[:2] == ["metric", "fairness.selection_rate"] and "g=c" in x for x in body)
    assert any(x.split()[:3] == ["status", "verdict", "overall"] and x.split()[4] == "fail" for x in body)
    assert any(x.startswith("check") and "fairness.demographic_parity_difference ≤ 0.3" in x for x in body)


def test_diff_in_markdown_and_limited(two_reports):
    old, new, _ = two_reports
    r = cli("diff", old, new, "--format", "markdown", "--limit", "2")
    assert r.returncode == ExitCode.OK
    rows = [x for x in r.stdout.splitlines() if x.startswith("| ") and not x.startswith("| kind")]
    assert len(rows) == 2 and "more changes not shown" in r.stdout


def test_diff_sorts_metric_changes_by_size_and_honours_min_change(two_reports):
    old, new, _ = two_reports
    a, b = audit.AuditReport.load(old).to_dict(), audit.AuditReport.load(new).to_dict()
    d = diff_reports(a, b)
    metric = [c for c in d.changes if c.kind == "metric" and c.delta is not None]
    assert [abs(c.delta) for c in metric] == sorted((abs(c.delta) for c in metric), reverse=True)
    loose = diff_reports(a, b, min_change=1e9)  # above any change, confusion counts included
    assert all(c.kind != "metric" or c.delta is None for c in loose.changes)
    assert loose.n_unchanged > d.n_unchanged
    assert "0 changes" in format_diff(diff_reports(a, a), old_name="a", new_name="a")


def test_diff_usage_errors_exit_4(two_reports, tmp_path):
    old, _, _ = two_reports
    r = cli("diff", old, tmp_path / "missing.json")
    assert r.returncode == ExitCode.USAGE_ERROR and "missing.json" in r.stderr
    assert cli("diff", old, old, "--limit", "-1").returncode == ExitCode.USAGE_ERROR


def test_gate_annotates_only_under_github_actions(two_reports):
    _, new, policy = two_reports
    plain = cli("gate", new, "--policy", policy)
    assert plain.returncode == ExitCode.CHECKS_FAILED and "::error" not in plain.stdout
    gh = cli("gate", new, "--policy", policy, GITHUB_ACTIONS="true")
    assert gh.returncode == ExitCode.CHECKS_FAILED
    errors = [x for x in gh.stdout.splitlines() if x.startswith("::error ")]
    assert len(errors) == 1 and errors[0].startswith("::error title=rai-audit%3A fairness.selection_rate ≥ 0.9::")
    assert "g=" in errors[0]  # names the group


def test_gate_junit_and_summary_files(two_reports, tmp_path):
    old, new, policy = two_reports
    r = cli("gate", new, "--policy", policy, "--baseline", old, "--junit", tmp_path / "j.xml",
            "--summary", tmp_path / "s.md")
    assert r.returncode == ExitCode.CHECKS_FAILED
    import xml.etree.ElementTree as ET

    [suite] = ET.parse(tmp_path / "j.xml").getroot()
    names = [c.get("name") for c in suite]
    assert "fairness.selection_rate ≥ 0.9" in names
    assert "no regression vs baseline: fairness.selection_rate" in names
    assert "❌ rai-audit: FAIL" in (tmp_path / "s.md").read_text(encoding="utf-8")
