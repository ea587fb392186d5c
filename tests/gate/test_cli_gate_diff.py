"""`rai-audit diff` and the gate's GitHub annotations, as a CI job runs them."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

import audit
from audit import ExitCode
from audit.gate._diff import diff_reports, format_diff
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
    r = cli("diff", old, new, "--limit", "0")  # every change (the engine reports many aggregates per rate)
    assert r.returncode == ExitCode.OK, r.stderr
    lines = r.stdout.splitlines()
    header = next(i for i, x in enumerate(lines) if x.startswith("kind"))
    assert lines[header].split() == ["kind", "what", "where", "old", "new", "change", "direction"]
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


def test_diff_sorts_gated_then_worse_then_neutral_then_better_by_size_and_honours_min_change(two_reports):
    old, new, _ = two_reports
    a, b = audit.AuditReport.load(old).to_dict(), audit.AuditReport.load(new).to_dict()
    d = diff_reports(a, b)
    tiers = {"worse": 2, None: 3, "better": 4}
    metric = [c for c in d.changes if c.kind == "metric"]
    order = [(0 if c.gated else tiers[c.direction]) for c in metric]
    assert order == sorted(order) and {"worse", "better"} <= {c.direction for c in metric}
    for tier in set(order):
        sizes = [abs(c.delta) for c, t in zip(metric, order) if t == tier and c.delta is not None]
        assert sizes == sorted(sizes, reverse=True)
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


def test_diff_flags_the_regression_the_gate_flags_first(two_reports, tmp_path):
    old, new, _ = two_reports
    # the new report's own check (demographic parity <= 0.3) flags the rise across g as the gate would
    a, b = audit.AuditReport.load(old).to_dict(), audit.AuditReport.load(new).to_dict()
    d = diff_reports(a, b)
    first = next(c for c in d.changes if c.kind == "metric")
    assert d.changes[0] is first and first.gated and first.direction == "worse"
    assert "fairness.demographic_parity_difference" in first.names and first.where == "across g"
    assert [c for c in d.changes if c.gated] == [first]
    # with --policy, that policy's checks decide: a max on selection_rate makes the rise for g=c the gate's
    (tmp_path / "p.toml").write_text('[[checks]]\nmetric = "fairness.selection_rate"\nmax = 0.9\n')
    gate = cli("gate", new, "--policy", tmp_path / "p.toml", "--baseline", old)
    assert "check FAIL: fairness.selection_rate g=c rose from" in gate.stdout
    r = cli("diff", old, new, "--policy", tmp_path / "p.toml", "--limit", "3")
    assert r.returncode == ExitCode.OK, r.stderr
    body = [x for x in r.stdout.splitlines() if x.startswith(("metric", "status", "check"))]
    assert body[0].split()[:3] == ["metric", "fairness.selection_rate", "g=c"]
    assert body[0].endswith("worse: gated regression")
    assert "1 gated regression," in r.stdout


def test_duplicates_fold_and_undefined_is_not_absent():
    from audit.gate._diff import UNDEFINED

    def doc(values, status="pass"):
        metrics = [{"metric": m, "group": None, "over": ["race"], "label": None, "value": v} for m, v in values.items()]
        return {"status": status, "results": [{"auditor": "fairness", "status": "pass", "metrics": metrics}],
                "checks": []}

    same = ("equal_opportunity_difference", "equalized_odds_difference", "true_positive_rate_difference")
    old = doc({**{m: 0.3083 for m in same}, "accuracy_score_group_min": 0.8, "selection_rate_ratio": 0.5,
               "true_positive_rate_group_min": 0.4})
    new = doc({**{m: 0.1789 for m in same}, "accuracy_score_group_min": 0.7, "selection_rate_ratio": 0.9,
               "true_positive_rate_group_min": None})
    d = diff_reports(old, new)
    rows = [(c.name, c.direction) for c in d.changes]
    assert rows == [("fairness.accuracy_score_group_min", "worse"),
                    ("fairness.true_positive_rate_group_min", None),
                    ("fairness.selection_rate_ratio", "better"),
                    (", ".join(f"fairness.{m}" for m in same), "better")]
    assert d.changes[1].new is UNDEFINED and d.changes[1].old == 0.4
    text = format_diff(d, old_name="a", new_name="b")
    assert "undefined" in text and "nan" not in text.lower().replace("undefined", "")
    unchanged = diff_reports(doc({"f1_score_ratio": None}), doc({"f1_score_ratio": None}))
    assert unchanged.changes == () and unchanged.n_unchanged == 1


def test_diff_neutralises_hostile_text():
    hostile = "x\x1b[31m|<b>\nnew"
    metrics = lambda v: [{"metric": "selection_rate", "group": {"g": hostile}, "over": ["g"], "value": v}]  # noqa: E731
    old = {"status": "pass", "results": [{"auditor": "fairness", "status": "pass", "metrics": metrics(0.1)}]}
    new = {"status": "pass", "results": [{"auditor": "fairness", "status": "pass", "metrics": metrics(0.2)}]}
    d = diff_reports(old, new)
    text = format_diff(d, old_name="a", new_name="b")
    assert "\x1b" not in text and "\\x1b[31m" in text and "x\\x1b[31m|<b> new" in text
    md = format_diff(d, old_name="a", new_name="b", fmt="markdown")
    assert "\x1b" not in md and "\\|&lt;b&gt;" in md and "<b>" not in md
