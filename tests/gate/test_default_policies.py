"""The shipped policies gate each sensitive feature on its own; intersections only when a check names them."""
from __future__ import annotations

from importlib import resources

import pytest

from audit import AuditResult, Finding, Severity, SpecError, Status
from audit._results import metrics_frame
from audit.gate._checks import MSG_CHECK_FIELD, evaluate_checks, load_policy, parse_checks
from tests.conftest import ROOT

POLICIES = [resources.files("audit") / "policies" / "classification.toml",
            resources.files("audit") / "policies" / "regression.toml", ROOT / "examples" / "policy.toml"]


def _agg(metric, over, value, lo, hi, label=None):
    return {"metric": metric, "group": None, "value": value, "ci_low": lo, "ci_high": hi, "n": 1000, "over": over,
            "label": label}


# main effects within every threshold; the three-way intersection far past them (tiny cells)
ROWS = []
for over in (["sex"], ["race"], ["sex", "race", "age_band"]):
    bad = len(over) > 1
    ROWS += [_agg("demographic_parity_difference", over, 0.7 if bad else 0.05, 0.6 if bad else 0.02, 0.8),
             _agg("equalized_odds_difference", over, 0.9 if bad else 0.06, 0.7 if bad else 0.03, 1.0),
             _agg("disparate_impact_ratio", over, 0.0 if bad else 0.9, 0.0 if bad else 0.85, 0.2 if bad else 0.95),
             _agg("mean_absolute_error_ratio", over, 0.1 if bad else 0.95, 0.05 if bad else 0.9, 0.3 if bad else 1),
             _agg("mean_prediction_ratio", over, 0.1 if bad else 0.95, 0.05 if bad else 0.9, 0.3 if bad else 1)]
RESULT = AuditResult("fairness", "1", Status.PASS, metrics=metrics_frame(ROWS), details={"task": "binary"})
PRIVACY = AuditResult("privacy", "1", Status.PASS, metrics=metrics_frame([{"metric": "pii_columns", "value": 0}]),
                      details={"membership": {"skipped": "no train_data"}})


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.name)
def test_shipped_policies_gate_main_effects_not_intersections(path):
    checks = load_policy(path)
    fairness = [c for c in checks if c.auditor == "fairness"]
    assert fairness and all(c.over == "each" for c in fairness)
    outcomes = evaluate_checks(checks, {"fairness": RESULT, "privacy": PRIVACY})
    assert [o.status for o in outcomes if o.auditor == "fairness"] == [Status.PASS] * len(fairness)
    assert all(len(o.row_over) == 1 for o in outcomes if o.auditor == "fairness")
    assert all(o.status == Status.SKIPPED for o in outcomes if o.auditor == "privacy")


def test_without_over_every_row_counts_and_an_explicit_intersection_is_gated():
    every, each, inter = parse_checks([
        {"metric": "fairness.demographic_parity_difference", "max": 0.1, "bound": "ci"},
        {"metric": "fairness.demographic_parity_difference", "max": 0.1, "bound": "ci", "over": "each"},
        {"metric": "fairness.demographic_parity_difference", "max": 0.1, "bound": "ci",
         "over": ["sex", "race", "age_band"]}])
    a, b, c = evaluate_checks([every, each, inter], {"fairness": RESULT})
    assert a.status == Status.FAIL and a.row_over == ("sex", "race", "age_band")
    assert b.status == Status.PASS and b.row_over in (("sex",), ("race",))
    assert c.status == Status.FAIL and c.row_over == ("sex", "race", "age_band")
    assert b.to_dict()["over"] == "each" and c.to_dict()["over"] == ["sex", "race", "age_band"]


def test_over_must_be_each_or_a_list_of_names():
    with pytest.raises(SpecError) as err:
        parse_checks([{"metric": "fairness.x", "max": 1, "over": 3}])
    assert str(err.value) == MSG_CHECK_FIELD.format(index=1, metric="fairness.x", field="over",
                                                    allowed="'each' or a list of sensitive feature names", got=3)
    # a feature literally called "each" is named in a list
    [check] = parse_checks([{"metric": "fairness.x", "max": 1, "over": ["each"]}])
    assert check.over == ("each",)


# -- B: the class a check is about, and the positive class -----------------------------------------
def test_a_multiclass_check_names_its_class_and_extremes():
    rows = [_agg("demographic_parity_difference", ["race"], 0.3642, 0.3287, 0.40, label=lab)
            for lab in ("Low",)] + [_agg("demographic_parity_difference", ["race"], 0.05, 0.01, 0.08, label="High")]
    for lab, values in (("Low", {"A": 0.2, "B": 0.5642}), ("High", {"A": 0.3, "B": 0.35})):
        rows += [{"metric": "selection_rate", "group": {"race": g}, "value": v, "n": 100, "over": ["race"],
                  "label": lab} for g, v in values.items()]
    result = AuditResult("fairness", "1", Status.PASS, metrics=metrics_frame(rows),
                         details={"task": "multiclass", "min_group_size": 30})
    [check] = parse_checks([{"metric": "fairness.demographic_parity_difference", "max": 0.1, "bound": "ci"}])
    [out] = evaluate_checks([check], {"fairness": result})
    assert out.status == Status.FAIL and out.label == "Low" and out.to_dict()["label"] == "Low"
    assert out.message == (
        "fairness.demographic_parity_difference across race for class 'Low': even its lower confidence bound "
        "0.3287 is above the maximum 0.1 by 0.2287 (229% of the threshold); estimate 0.3642 [CI 0.3287, 0.4], "
        "n = 1,000. Extremes: race=A (selection_rate 0.2, n = 100) to race=B (selection_rate 0.5642, n = 100).")
    [label_check] = parse_checks([{"metric": "fairness.demographic_parity_difference", "max": 0.1, "label": "High"}])
    [passed] = evaluate_checks([label_check], {"fairness": result})
    assert passed.status == Status.PASS and passed.label == "High" and "for class 'High'" in passed.message


def test_a_binary_check_names_the_positive_class_when_the_subject_says_it():
    finding = Finding(Severity.INFO, "fairness.demographic_parity_difference", "gap",
                      {"over": ["sex"], "lowest": {"group": {"sex": "F"}, "selection_rate": 0.2, "n": 40},
                       "highest": {"group": {"sex": "M"}, "selection_rate": 0.6, "n": 60}})
    result = AuditResult("fairness", "1", Status.PASS, findings=(finding,), metrics=metrics_frame(
        [_agg("demographic_parity_difference", ["sex"], 0.4, 0.3, 0.5)]))
    [check] = parse_checks([{"metric": "fairness.demographic_parity_difference", "max": 0.1}])
    subject = {"task": "binary", "classes": ["approved", "rejected"], "pos_label": "rejected"}
    [out] = evaluate_checks([check], {"fairness": result}, subject=subject)
    assert out.message.startswith("fairness.demographic_parity_difference across sex (positive class 'rejected'): "
                                  "its estimate 0.4 is above")
    assert out.message.endswith("Extremes: sex=F (selection_rate 0.2, n = 40) to sex=M (selection_rate 0.6, n = 60).")
    assert out.label is None
    [old] = evaluate_checks([check], {"fairness": result}, subject={"task": "binary"})  # an old report
    assert old.message.startswith("fairness.demographic_parity_difference across sex: its estimate")
    for classes, pos in (([0, 1], 1), ([False, True], True)):  # the obvious positive class is not repeated
        [plain] = evaluate_checks([check], {"fairness": result},
                                  subject={"task": "binary", "classes": classes, "pos_label": pos})
        assert "positive class" not in plain.message
    [zero] = evaluate_checks([check], {"fairness": result}, subject={"task": "binary", "classes": [0, 1],
                                                                     "pos_label": 0})
    assert "across sex (positive class '0'):" in zero.message


# -- E: undefined values never pass ----------------------------------------------------------------
def test_a_null_aggregate_fails_and_says_it_is_undefined():
    from audit.gate._checks import _WHY_UNDEFINED_AGGREGATE, MSG_OUTCOME_UNDEFINED

    rows = [_agg("equalized_odds_difference", ["sex"], 0.02, 0.01, 0.03),
            _agg("equalized_odds_difference", ["race"], None, None, None)]
    result = AuditResult("fairness", "1", Status.PASS, metrics=metrics_frame(rows))
    [check] = parse_checks([{"metric": "fairness.equalized_odds_difference", "max": 0.1, "over": "each"}])
    [out] = evaluate_checks([check], {"fairness": result})
    assert out.status == Status.FAIL and out.value is None and out.row_over == ("race",)
    assert out.message == MSG_OUTCOME_UNDEFINED.format(metric="fairness.equalized_odds_difference",
                                                       where="across race", why=_WHY_UNDEFINED_AGGREGATE)
    [warn] = parse_checks([{"metric": "fairness.equalized_odds_difference", "max": 0.1, "severity": "warn"}])
    assert evaluate_checks([warn], {"fairness": result})[0].status == Status.WARN
    # a failing defined row is reported as such, before the undefined one
    rows[0]["value"] = 0.5
    [out] = evaluate_checks([check], {"fairness": AuditResult("fairness", "1", Status.PASS,
                                                              metrics=metrics_frame(rows))})
    assert out.status == Status.FAIL and out.row_over == ("sex",) and "above the maximum" in out.message


def test_a_null_group_rate_fails_and_a_json_null_survives_the_round_trip(tmp_path):
    import json

    from audit import AuditReport
    from audit.gate._outputs import junit_xml, markdown_summary

    rows = [{"metric": "true_positive_rate", "group": {"race": "A"}, "value": 0.8, "n": 50, "over": ["race"]},
            {"metric": "true_positive_rate", "group": {"race": "B"}, "value": None, "n": 12, "over": ["race"]}]
    result = AuditResult("fairness", "1", Status.PASS, metrics=metrics_frame(rows))
    [check] = parse_checks([{"metric": "fairness.true_positive_rate", "min": 0.5}])
    report = AuditReport([result], checks=evaluate_checks([check], {"fairness": result}), subject={"n_rows": 62})
    doc = json.loads(report.to_json())
    [c] = doc["checks"]
    assert c["status"] == "fail" and c["value"] is None and c["group"] == {"race": "B"}
    assert "race=B: the value is undefined (null)" in c["message"]
    assert doc["results"][0]["metrics"][1]["value"] is None
    junit = junit_xml(doc, doc["checks"])
    assert "<failure message=" in junit and "undefined (null)" in junit
    summary = markdown_summary(doc, doc["checks"], "fail")
    assert "undefined (null)" in summary and "nan" not in summary.lower()
    html = report.to_html()
    assert "undefined" in html and ">NaN<" not in html
