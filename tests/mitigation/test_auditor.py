"""When the mitigation auditor runs, what it says when it does not, bad input, apply() and the CLI file."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import audit
from audit import UsageError
from audit.mitigation import MitigationAuditor, apply
from audit.mitigation import _auditor as ma
from audit.mitigation import _candidates as mc
from audit.mitigation._thresholds import CONSTRAINTS, MSG_UNKNOWN_CONSTRAINT

from .conftest import DP_CHECK, biased_table

FEATURES = ["x1", "x2", "x3"]
FAST = {"n_boot": 20, "reductions": False}


def _run(case, auditors=("fairness", "mitigation"), checks=DP_CHECK, options=None, **kw):
    model, train, test = case
    opts = {"fairness": {"n_boot": 20}} if auditors is None or "fairness" in auditors else {}
    if auditors is None or "mitigation" in auditors:
        opts["mitigation"] = {**FAST, **(options or {})}
    return audit.run(test, model=model, target="y", sensitive_features=["sex"], features=FEATURES, train_data=train,
                     auditors=None if auditors is None else list(auditors), checks=checks, auditor_options=opts,
                     random_state=0, **kw)


def test_named_it_runs_and_names_the_accepted_candidate_with_the_caveat(sklearn_case):
    result = _run(sklearn_case)["mitigation"]
    d = result.details
    assert result.status.value in ("pass", "warn")
    names = [e["name"] for e in d["candidates"]]
    assert names[0] == "unchanged" and "threshold_optimizer:demographic_parity[sex]" in names and "reweighing" in names
    assert d["candidates"][0]["passes"] is False  # the biased model fails DPD <= 0.1
    assert d["accepted"]["name"] in names and d["accepted"]["name"] != "unchanged"
    assert d["caveat"] == ma.MSG_CAVEAT.format(n=d["split"]["n_eval"])
    assert any(e["pareto_front"] for e in d["candidates"] if e.get("metrics"))
    accepted = [f for f in result.findings if f.code == "mitigation.accepted"]
    assert accepted and "decision for people" in accepted[0].message
    rows = result.metrics
    assert set(rows["metric"]) >= {"candidate_accuracy_score", "candidate_demographic_parity_difference",
                                   "candidate_equalized_odds_difference"}
    assert rows["ci_low"].notna().any()  # intervals from the engine's bootstrap


def test_default_run_with_passing_checks_says_no_fix_needed(sklearn_case):
    report = _run(sklearn_case, auditors=None, checks=[{"metric": "fairness.demographic_parity_difference",
                                                        "max": 0.9, "over": ["sex"]}])
    result = report["mitigation"]
    assert result.status.value == "skipped"
    assert result.reason == ma.MSG_NOT_NEEDED.format(passed=1)


def test_default_run_with_a_failing_check_builds_candidates(sklearn_case):
    result = _run(sklearn_case, auditors=None)["mitigation"]
    assert result.status.value in ("pass", "warn")
    assert result.details["failed_checks"] == ["fairness.demographic_parity_difference"]


def test_default_run_without_fairness_checks_is_not_assessed(sklearn_case):
    result = _run(sklearn_case, auditors=None, checks=None)["mitigation"]
    assert (result.status.value, result.reason) == ("skipped", ma.MSG_NO_FAIRNESS_CHECKS)


def test_failing_mode_without_the_fairness_auditor_is_not_assessed(sklearn_case):
    result = _run(sklearn_case, auditors=["mitigation"], options={"when": "failing"})["mitigation"]
    assert (result.status.value, result.reason) == ("skipped", ma.MSG_NO_FAIRNESS_RUN)


def test_named_without_checks_judges_by_the_default_policy(sklearn_case):
    result = _run(sklearn_case, checks=None)["mitigation"]
    assert result.details["policy_note"]
    assert {c["metric"] for e in result.details["candidates"] if e.get("checks") for c in e["checks"]} == {
        "fairness.demographic_parity_difference", "fairness.equalized_odds_difference",
        "fairness.disparate_impact_ratio"}


def test_no_scores_skips_the_threshold_candidates_with_the_reason(sklearn_case):
    model, train, test = sklearn_case
    frame = test.assign(pred=model.predict(test[FEATURES]))
    report = audit.run(frame, target="y", prediction="pred", sensitive_features=["sex"],
                       auditors=["fairness", "mitigation"], checks=DP_CHECK,
                       auditor_options={"mitigation": FAST, "fairness": {"n_boot": 0}})
    d = report["mitigation"].details
    reasons = {e["name"]: e["reason"] for e in d["candidates"]}
    assert reasons["threshold_optimizer:demographic_parity[sex]"] == mc.MSG_NO_SCORES
    assert reasons["unchanged"] is None
    assert d["accepted"] is None
    assert any(f.code == "mitigation.none_accepted" for f in report["mitigation"].findings)


def test_a_model_that_cannot_be_refitted_says_why(sklearn_case):
    model, train, test = sklearn_case

    def scores(X):  # a plain callable: probabilities out, nothing to refit
        return model.predict_proba(np.asarray(X))

    wrapped = audit.Model(scores, feature_names=FEATURES, classes=[0, 1], task="binary")
    report = audit.run(test, model=wrapped, target="y", sensitive_features=["sex"], train_data=train,
                       auditors=["fairness", "mitigation"], checks=DP_CHECK,
                       auditor_options={"mitigation": {"n_boot": 0}, "fairness": {"n_boot": 0}})
    d = report["mitigation"].details
    (rw,) = [e for e in d["candidates"] if e["name"] == "reweighing"]
    assert rw["reason"] == mc.MSG_NOT_REFITTABLE.format(kind="callable", cls="function", method="reweighing")
    assert d["accepted"] is not None  # the thresholds still post-process its scores


def test_without_train_data_refits_are_skipped(sklearn_case):
    model, _, test = sklearn_case
    report = audit.run(test, model=model, target="y", sensitive_features=["sex"], features=FEATURES,
                       auditors=["fairness", "mitigation"], checks=DP_CHECK,
                       auditor_options={"mitigation": {"n_boot": 0}, "fairness": {"n_boot": 0}})
    reasons = {e["name"]: e["reason"] for e in report["mitigation"].details["candidates"]}
    assert reasons["reweighing"] == mc.MSG_NO_TRAIN_DATA.format(method="reweighing")
    assert reasons["grid_search:demographic_parity"] == mc.MSG_NO_TRAIN_DATA.format(method="grid_search")


def test_time_budget_skips_what_it_cannot_start(sklearn_case):
    result = _run(sklearn_case, options={"reductions": True, "time_budget_s": 0.0})["mitigation"]
    reasons = [e["reason"] for e in result.details["candidates"] if e["method"] != "unchanged"
               and e["method"] != "threshold_optimizer"]
    assert reasons and all(r.startswith("the time budget of 0 s for refitted candidates was spent") for r in reasons)


def test_unknown_constraint_is_one_usage_error(sklearn_case):
    with pytest.raises(UsageError) as err:
        _run(sklearn_case, options={"fairness_constraints": ["equal_happiness"]})
    assert str(err.value) == MSG_UNKNOWN_CONSTRAINT.format(constraint="equal_happiness", known=list(CONSTRAINTS))


def test_bad_options_are_usage_errors(sklearn_case):
    from audit._base import MSG_BAD_OPTION

    with pytest.raises(UsageError) as err:
        _run(sklearn_case, options={"when": "sometimes"})
    assert str(err.value) == MSG_BAD_OPTION.format(auditor="mitigation", option="when",
                                                   expected="one of 'failing', 'always'", got="str 'sometimes'")
    with pytest.raises(UsageError, match="option 'fit_share' must be a finite number in \\(0, 1\\)"):
        _run(sklearn_case, options={"fit_share": 1.0})
    with pytest.raises(UsageError) as err:
        _run(sklearn_case, options={"over": ["age"]})
    assert str(err.value) == ma.MSG_UNKNOWN_OVER.format(unknown=["age"], known=["sex"])


def test_a_gated_metric_with_no_constraint_is_said(sklearn_case):
    checks = [*DP_CHECK, {"metric": "fairness.precision_score_difference", "max": 0.5, "over": ["sex"]}]
    result = _run(sklearn_case, checks=checks)["mitigation"]
    notes = [f.message for f in result.findings if f.code == "mitigation.note"]
    assert ma.MSG_NO_CONSTRAINT.format(metric="fairness.precision_score_difference", known=list(CONSTRAINTS)) in notes


def test_regression_is_skipped_with_the_reason():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"y": rng.normal(size=200), "p": rng.normal(size=200), "g": rng.choice(["a", "b"], 200)})
    report = audit.run(frame, target="y", prediction="p", sensitive_features=["g"], auditors=["mitigation"])
    assert report["mitigation"].reason == ma.MSG_NOT_BINARY.format(task="regression")


def test_apply_gives_the_candidates_predictions(sklearn_case):
    model, train, test = sklearn_case
    report = _run(sklearn_case)
    result = report["mitigation"]
    name = result.details["accepted"]["name"]
    fresh = biased_table(300, 9)
    by_report = apply(report, fresh, random_state=1)
    assert set(np.unique(by_report)) <= {0, 1} and len(by_report) == 300
    np.testing.assert_array_equal(by_report, result.fitted[name].predict(fresh, random_state=1))
    to = result.fitted["threshold_optimizer:demographic_parity[sex]"]
    scores = model.predict_proba(fresh[FEATURES])[:, 1]
    np.testing.assert_array_equal(apply(result, fresh, candidate=to.name, random_state=2),
                                  to.fitted.predict(scores, fresh["sex"].to_numpy(dtype=object), random_state=2))
    with pytest.raises(UsageError, match="no fitted candidate is called 'nope'"):
        apply(result, fresh, candidate="nope")
    with pytest.raises(UsageError, match="no threshold exists for them"):
        apply(result, fresh.assign(sex="x"), candidate=to.name)
    with pytest.raises(UsageError, match="read back from report.json"):
        apply(audit.AuditReport.from_dict(json.loads(report.to_json())), fresh)


def test_report_is_deterministic_and_reads_back(sklearn_case):
    a, b = _run(sklearn_case), _run(sklearn_case)
    assert a.to_json() == b.to_json()
    back = audit.AuditReport.from_dict(json.loads(a.to_json()))
    assert back["mitigation"].details["accepted"] == a["mitigation"].details["accepted"]


def test_html_draws_the_pareto_view_and_escapes_group_values(sklearn_case):
    model, train, test = sklearn_case
    hostile = "<script>alert(1)</script>"
    frame = test.assign(sex=test["sex"].replace({"f": hostile}))
    report = audit.run(frame, model=model, target="y", sensitive_features=["sex"], features=FEATURES,
                       auditors=["fairness", "mitigation"], checks=DP_CHECK,
                       auditor_options={"mitigation": FAST, "fairness": {"n_boot": 0}})
    html = report.to_html()
    assert 'id="' in html and "-pareto-title" in html and "Candidates" in html
    assert hostile not in html


def test_cli_writes_the_chosen_thresholds_beside_the_report(sklearn_case, tmp_path):
    from audit.cli import THRESHOLDS_FILE, save_report

    report = _run(sklearn_case, options={"reweighing": False})
    save_report(report, tmp_path)
    doc = json.loads((tmp_path / THRESHOLDS_FILE).read_text(encoding="utf-8"))
    assert doc["candidate"] == report["mitigation"].details["accepted"]["name"]
    assert {g["group"] for g in doc["groups"]} == {"f", "m"}
    model, _, test = sklearn_case
    scores = model.predict_proba(test[FEATURES])[:, 1]
    np.testing.assert_array_equal(apply(doc, scores=scores, groups=list(test["sex"]), random_state=0),
                                  apply(report, test, random_state=0))
    passing = _run(sklearn_case, auditors=None, checks=[{"metric": "fairness.demographic_parity_difference",
                                                         "max": 0.9, "over": ["sex"]}])
    save_report(passing, tmp_path)
    assert not (tmp_path / THRESHOLDS_FILE).exists()  # never a stale file beside a new report


def test_default_options_are_stored_unchanged():
    assert MitigationAuditor().get_params()["when"] == "failing"
    assert MitigationAuditor.on_request == {"when": "always"}


def test_candidate_rows_are_known_to_the_catalogue_with_their_direction():
    from audit._metric_catalog import can_report, direction

    assert audit.mitigation.apply is apply  # import audit is enough
    assert direction("candidate_accuracy_score") == "higher"
    assert direction("candidate_equalized_odds_difference") == "lower"
    assert can_report("mitigation", "candidate_demographic_parity_difference")
    assert not can_report("mitigation", "candidate_nonsense")


def test_rai_audit_run_writes_the_thresholds_and_says_where(tmp_path):
    from tests.conftest import ROOT, run_cli

    spec = tmp_path / "spec.toml"
    spec.write_text('[data]\nreference = "german-mlp"\ntarget = "credit_risk"\nsensitive_features = ["sex"]\n'
                    '[model]\nreference = "german-mlp"\n[auditors]\nenabled = ["fairness", "mitigation"]\n'
                    '[auditors.fairness]\nn_boot = 0\n[auditors.mitigation]\nn_boot = 0\nreweighing = false\n'
                    '[[checks]]\nmetric = "fairness.demographic_parity_difference"\nmax = 0.5\nover = ["sex"]\n',
                    encoding="utf-8")
    out = tmp_path / "out"
    r = run_cli("run", spec, "--out", out, "--models", ROOT / "models")
    assert r.returncode == 0, r.stdout + r.stderr
    assert (out / "mitigation_thresholds.json").is_file()
    assert f"mitigation thresholds: {out / 'mitigation_thresholds.json'}" in r.stdout
