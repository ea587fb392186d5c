"""Reusable policies: a metric the report lacks fails (with the reason) or is skipped, never passes;
a metric no auditor knows is a usage error (exit 4)."""
from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest

import audit
from audit import AuditReport, AuditResult, ExitCode, Finding, Severity, SpecError, Status
from audit._results import metrics_frame
from audit.gate._checks import (
    MSG_AUDITOR_SKIPPED,
    MSG_CHECK_FIELD,
    MSG_METRIC_MISSING,
    MSG_NOT_RUN,
    MSG_SKIPPED_SUFFIX,
    MSG_UNKNOWN_AUDITOR,
    MSG_UNKNOWN_METRIC,
    evaluate_checks,
    parse_checks,
)
from audit.privacy._auditor import SKIP_NO_TRAIN
from tests.conftest import run_cli

SCHEMA = json.loads((resources.files("audit") / "schema" / "report.schema.json").read_text())

PRIVACY = AuditResult("privacy", "1.0", Status.PASS,
                      metrics=metrics_frame([{"metric": "pii_columns", "value": 0, "n": 5}]),
                      details={"membership": {"skipped": SKIP_NO_TRAIN}})
ENERGY_NOTE = ("not a torch model: FLOPs, parameters and compression need a torch nn.Module; "
               "use measure=True to time its predict().")
ENERGY = AuditResult("energy", "1.0", Status.PASS, metrics=metrics_frame([]),
                     findings=(Finding(Severity.INFO, "energy.note", ENERGY_NOTE),))
FAIRNESS = AuditResult("fairness", "1.0", Status.PASS, metrics=metrics_frame([
    {"metric": "demographic_parity_difference", "value": 0.05, "ci_low": 0.01, "ci_high": 0.09, "n": 100,
     "over": ["sex"]}]), details={"task": "binary"})
SKIPPED = AuditResult("attribution", "1.0", Status.SKIPPED, reason="the subject lacks what this auditor requires: "
                                                                    "model")


def _one(check, results):
    [out] = evaluate_checks(parse_checks([check]), results)
    return out


def test_a_metric_the_auditor_could_not_compute_fails_with_its_reason():
    out = _one({"metric": "privacy.membership_advantage", "max": 0.1}, {"privacy": PRIVACY})
    assert out.status == Status.FAIL
    assert out.message == MSG_METRIC_MISSING.format(metric="privacy.membership_advantage", auditor="privacy",
                                                    name="membership_advantage", reason=SKIP_NO_TRAIN)
    assert out.message == ("privacy.membership_advantage: auditor 'privacy' reports no metric "
                           "'membership_advantage': no train_data: membership inference compares training rows "
                           "with held-out rows.")


def test_with_if_missing_skip_it_is_skipped_and_says_so():
    out = _one({"metric": "privacy.membership_advantage", "max": 0.1, "if_missing": "skip"}, {"privacy": PRIVACY})
    assert out.status == Status.SKIPPED
    assert out.message.endswith(MSG_SKIPPED_SUFFIX) and SKIP_NO_TRAIN in out.message
    assert out.to_dict()["status"] == "skipped" and out.to_dict()["if_missing"] == "skip"


def test_energy_without_a_torch_model_gives_its_note_as_the_reason():
    out = _one({"metric": "energy.annual_co2e_kg", "max": 10}, {"energy": ENERGY})
    assert out.status == Status.FAIL
    assert out.message == MSG_METRIC_MISSING.format(metric="energy.annual_co2e_kg", auditor="energy",
                                                    name="annual_co2e_kg", reason=ENERGY_NOTE)


def test_a_score_metric_without_scores_says_it_needs_scores():
    out = _one({"metric": "fairness.roc_auc_score_difference", "max": 0.1}, {"fairness": FAIRNESS})
    assert out.status == Status.FAIL and "it needs scores" in out.message


def test_a_skipped_auditor_fails_or_skips_with_its_reason():
    check = {"metric": "attribution.sensitive_attribution_share", "max": 0.1}
    out = _one(check, {"attribution": SKIPPED})
    assert out.status == Status.FAIL
    assert out.message == MSG_AUDITOR_SKIPPED.format(metric=check["metric"], auditor="attribution",
                                                     reason=SKIPPED.reason)
    out = _one({**check, "if_missing": "skip"}, {"attribution": SKIPPED})
    assert out.status == Status.SKIPPED and out.message == MSG_AUDITOR_SKIPPED.format(
        metric=check["metric"], auditor="attribution", reason=SKIPPED.reason) + MSG_SKIPPED_SUFFIX


def test_an_auditor_that_did_not_run_fails_or_skips():
    check = {"metric": "privacy.k_anonymity", "min": 5}
    assert _one(check, {}).message == MSG_NOT_RUN.format(metric="privacy.k_anonymity", auditor="privacy")
    assert _one(check, {}).status == Status.FAIL
    assert _one({**check, "if_missing": "skip"}, {}).status == Status.SKIPPED


def test_a_crashed_auditor_is_an_error_even_with_skip():
    crashed = AuditResult("privacy", "1", Status.ERROR, reason="boom")
    out = _one({"metric": "privacy.k_anonymity", "min": 5, "if_missing": "skip"}, {"privacy": crashed})
    assert out.status == Status.ERROR and "boom" in out.message


def test_a_metric_no_auditor_reports_is_a_usage_error_with_a_suggestion():
    for results in ({"privacy": PRIVACY}, {}):
        with pytest.raises(SpecError) as err:
            _one({"metric": "privacy.membership_advantge", "max": 0.1, "if_missing": "skip"}, results)
        assert str(err.value) == MSG_UNKNOWN_METRIC.format(
            index=1, auditor="privacy", metric="membership_advantge",
            hint=" (did you mean 'privacy.membership_advantage'?)")


def test_an_unknown_auditor_is_a_usage_error():
    with pytest.raises(SpecError) as err:
        _one({"metric": "fairnes.demographic_parity_difference", "max": 0.1}, {"fairness": FAIRNESS})
    text = str(err.value)
    assert text.startswith("check #1 (fairnes.demographic_parity_difference): no auditor is called 'fairnes'; "
                           "known auditors: [")
    assert "'attribution', 'counterfactual', 'energy', 'fairness', 'mitigation', 'privacy'" in text
    assert text.endswith("] (did you mean 'fairness.demographic_parity_difference'?).")
    assert MSG_UNKNOWN_AUDITOR.startswith("check #{index} ({metric}): no auditor is called {auditor!r}")


def test_if_missing_values_are_validated():
    with pytest.raises(SpecError) as err:
        parse_checks([{"metric": "privacy.k_anonymity", "min": 5, "if_missing": "ignore"}])
    assert str(err.value) == MSG_CHECK_FIELD.format(index=1, metric="privacy.k_anonymity", field="if_missing",
                                                    allowed=["fail", "skip"], got="ignore")


def test_a_skipped_check_is_not_a_failure_nor_a_pass_in_the_report():
    checks = parse_checks([{"metric": "privacy.membership_advantage", "max": 0.1, "if_missing": "skip"},
                           {"metric": "fairness.demographic_parity_difference", "max": 0.1, "over": "each"}])
    outcomes = evaluate_checks(checks, {"privacy": PRIVACY, "fairness": FAIRNESS})
    report = AuditReport([PRIVACY, FAIRNESS], checks=outcomes, subject={"n_rows": 100, "task": "binary",
                                                                         "target": "y", "sensitive_features": []})
    assert report.status == "pass" and report.exit_code == ExitCode.OK
    assert report.failed_checks == [] and [c["status"] for c in report.skipped_checks] == ["skipped"]
    doc = json.loads(report.to_json())
    jsonschema.validate(doc, SCHEMA)
    assert [c["status"] for c in doc["checks"]] == ["skipped", "pass"]
    assert doc["checks"][1]["over"] == "each" and doc["checks"][1]["label"] is None


def test_assert_passes_skips_and_fails_as_the_gate_does():
    report = AuditReport([PRIVACY], subject={"n_rows": 1})
    [out] = audit.assert_passes(report, [{"metric": "privacy.membership_advantage", "max": 0.1, "if_missing": "skip"}])
    assert out.status == Status.SKIPPED
    with pytest.raises(AssertionError) as err:
        audit.assert_passes(report, [{"metric": "privacy.membership_advantage", "max": 0.1}])
    assert SKIP_NO_TRAIN in str(err.value)


def test_audit_run_applies_if_missing(predictions_frame):
    kw = dict(target="y_true", prediction="y_pred", sensitive_features=["g"], auditors=["fairness", "privacy"],
              auditor_options={"fairness": {"n_boot": 0}})
    check = {"metric": "privacy.membership_advantage", "max": 0.1}
    report = audit.run(predictions_frame, checks=[check], **kw)
    assert report.exit_code == ExitCode.CHECKS_FAILED
    [c] = report.failed_checks
    assert c["message"] == MSG_METRIC_MISSING.format(metric=check["metric"], auditor="privacy",
                                                     name="membership_advantage", reason=SKIP_NO_TRAIN)
    report = audit.run(predictions_frame, checks=[{**check, "if_missing": "skip"}], **kw)
    assert report.exit_code == ExitCode.OK and report.checks[0].status == Status.SKIPPED


# -- the CLI: gate and run ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    d = tmp_path_factory.mktemp("if_missing")
    AuditReport([PRIVACY, FAIRNESS], subject={"n_rows": 100}, title="reuse").save(d / "r")
    return d


def _policy(d, name, body):
    (d / name).write_text(body)
    return d / name


def test_gate_fails_on_a_missing_metric_and_says_why(saved):
    policy = _policy(saved, "fail.toml", '[[checks]]\nmetric = "privacy.membership_advantage"\nmax = 0.1\n')
    r = run_cli("gate", saved / "r" / "report.json", "--policy", policy, "--junit", saved / "j1.xml")
    assert r.returncode == ExitCode.CHECKS_FAILED, r.stderr
    assert "check FAIL: privacy.membership_advantage: auditor 'privacy' reports no metric" in r.stdout
    assert SKIP_NO_TRAIN in r.stdout
    assert "<failure" in (saved / "j1.xml").read_text()


def test_gate_skips_with_if_missing_skip(saved):
    policy = _policy(saved, "skip.toml", '[[checks]]\nmetric = "privacy.membership_advantage"\nmax = 0.1\n'
                                         'if_missing = "skip"\n\n[[checks]]\n'
                                         'metric = "fairness.demographic_parity_difference"\nmax = 0.1\n')
    r = run_cli("gate", saved / "r" / "report.json", "--policy", policy, "--junit", saved / "j2.xml",
                "--summary", saved / "s.md")
    assert r.returncode == ExitCode.OK, r.stdout + r.stderr
    assert "checks: 0 failed, 0 warned, 1 passed, 1 skipped" in r.stdout
    assert "check SKIPPED: privacy.membership_advantage" in r.stdout
    junit = (saved / "j2.xml").read_text()
    assert 'skipped="1"' in junit and "<skipped message=" in junit and "<failure" not in junit
    assert "| skipped | privacy.membership_advantage ≤ 0.1 |" in (saved / "s.md").read_text()


def test_gate_exits_4_on_a_metric_no_auditor_knows(saved):
    policy = _policy(saved, "bad.toml", '[[checks]]\nmetric = "privacy.membership_advntage"\nmax = 0.1\n'
                                        'if_missing = "skip"\n')
    r = run_cli("gate", saved / "r" / "report.json", "--policy", policy)
    assert r.returncode == ExitCode.USAGE_ERROR
    assert "did you mean 'privacy.membership_advantage'?" in r.stderr
    policy = _policy(saved, "bad2.toml", '[[checks]]\nmetric = "privacy.k_anonymity"\nmin = 5\n'
                                         'if_missing = "maybe"\n')
    r = run_cli("gate", saved / "r" / "report.json", "--policy", policy)
    assert r.returncode == ExitCode.USAGE_ERROR and "if_missing must be one of ['fail', 'skip']" in r.stderr


def test_run_applies_if_missing_from_the_spec(tmp_path, predictions_frame):
    predictions_frame.to_csv(tmp_path / "p.csv", index=False)
    base = (f'[data]\npath = "{(tmp_path / "p.csv").as_posix()}"\ntarget = "y_true"\nprediction = "y_pred"\n'
            'sensitive_features = ["g"]\n\n[auditors]\nenabled = ["fairness"]\n\n[auditors.fairness]\nn_boot = 0\n\n'
            '[[checks]]\nmetric = "privacy.membership_advantage"\nmax = 0.1\n')
    (tmp_path / "fail.toml").write_text(base)
    (tmp_path / "skip.toml").write_text(base + 'if_missing = "skip"\n')
    r = run_cli("run", tmp_path / "fail.toml", "--out", tmp_path / "o1")
    assert r.returncode == ExitCode.CHECKS_FAILED, r.stderr
    assert MSG_NOT_RUN.format(metric="privacy.membership_advantage", auditor="privacy") in r.stdout
    r = run_cli("run", tmp_path / "skip.toml", "--out", tmp_path / "o2")
    assert r.returncode == ExitCode.OK, r.stdout + r.stderr
    doc = json.loads((tmp_path / "o2" / "report.json").read_text())
    jsonschema.validate(doc, SCHEMA)
    assert doc["checks"][0]["status"] == "skipped"
    assert "Skipped" in (tmp_path / "o2" / "report.html").read_text()


def test_check_counts_read_failed_warned_passed():
    from audit.gate._rule import format_check_counts

    assert format_check_counts([{"status": s} for s in ("fail", "warn", "fail")]) == "2 failed, 1 warned, 0 passed"
    assert format_check_counts([{"status": s} for s in ("pass", "skipped", "error")]) == \
        "0 failed, 1 could not be evaluated, 0 warned, 1 passed, 1 skipped"
    assert format_check_counts([]) == "0 failed, 0 warned, 0 passed"


def test_audit_run_refuses_an_unknown_metric_before_auditing(predictions_frame, monkeypatch):
    from audit.fairness import FairnessAuditor

    def boom(self, subject):  # the check is refused before any auditor runs
        raise AssertionError("an auditor ran")

    monkeypatch.setattr(FairnessAuditor, "run", boom)
    for check, text in (({"metric": "privacy.membership_advantge", "max": 0.1},
                         "did you mean 'privacy.membership_advantage'?"),
                        ({"metric": "fairnes.demographic_parity_difference", "max": 0.1},
                         "no auditor is called 'fairnes'")):
        with pytest.raises(SpecError, match=text):
            audit.run(predictions_frame, target="y_true", prediction="y_pred", sensitive_features=["g"],
                      auditors=["fairness"], checks=[check])


def test_gate_output_neutralises_control_characters(tmp_path):
    hostile = "F\x1b[2J\x1b]0;pwned\x07\u202e"
    rows = [{"metric": "selection_rate", "group": {"sex": hostile}, "value": 0.1, "n": 50, "over": ["sex"]}]
    AuditReport([AuditResult("fairness", "1", Status.PASS, metrics=metrics_frame(rows))],
                subject={"n_rows": 50}, title="t\x1b[31m").save(tmp_path / "r")
    (tmp_path / "p.toml").write_text('[[checks]]\nmetric = "fairness.selection_rate"\nmin = 0.5\n')
    r = run_cli("gate", tmp_path / "r" / "report.json", "--policy", tmp_path / "p.toml")
    assert r.returncode == ExitCode.CHECKS_FAILED
    assert "\x1b" not in r.stdout and "\x07" not in r.stdout and "\u202e" not in r.stdout
    assert "sex=F\\x1b[2J\\x1b]0;pwned\\x07\\u202e" in r.stdout and "rai-audit: FAIL: t\\x1b[31m" in r.stdout


@pytest.mark.parametrize("metric, reason", [
    ("fairness.representation_ratio", "it needs the population's shares (the fairness auditor's population_shares "
                                      "option)."),
    ("fairness.mean_absolute_error_ratio", "it is reported for regression tasks; this task is binary."),
    ("privacy.k_anonymity", "no quasi-identifier columns were named or recognised."),
])
def test_missing_metrics_say_what_they_need(metric, reason):
    privacy = AuditResult("privacy", "1.0", Status.PASS, metrics=metrics_frame([{"metric": "pii_columns", "value": 0}]),
                          details={"anonymity_skipped": "no quasi-identifier columns were named or recognised."})
    auditor, name = metric.split(".")
    out = _one({"metric": metric, "min": 0.8}, {"fairness": FAIRNESS, "privacy": privacy})
    assert out.message == MSG_METRIC_MISSING.format(metric=metric, auditor=auditor, name=name, reason=reason)
