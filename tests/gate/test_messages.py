"""Per-check messages say what failed, for which group, by how much; baseline messages from what to what."""
from __future__ import annotations

from audit import AuditResult, Finding, Severity, Status
from audit._results import metrics_frame
from audit.gate._baseline import MSG_NO_REGRESSION, MSG_REGRESSION, regression_checks
from audit.gate._checks import MSG_OUTCOME_FAIL, MSG_OUTCOME_PASS, evaluate_checks, parse_checks

ROWS = [
    {"metric": "selection_rate", "group": {"sex": "F"}, "value": 0.2, "ci_low": 0.1, "ci_high": 0.3, "n": 40,
     "over": ["sex"]},
    {"metric": "selection_rate", "group": {"sex": "M"}, "value": 0.6, "ci_low": 0.55, "ci_high": 0.65, "n": 1200,
     "over": ["sex"]},
    {"metric": "demographic_parity_difference", "group": None, "value": 0.4, "ci_low": 0.3, "ci_high": 0.5,
     "n": 1240, "over": ["sex"]},
]
FINDING = Finding(Severity.INFO, "fairness.demographic_parity_difference", "gap",
                  {"over": ["sex"], "lowest": {"group": {"sex": "F"}, "selection_rate": 0.2, "n": 40},
                   "highest": {"group": {"sex": "M"}, "selection_rate": 0.6, "n": 1200}})


def _result(rows=ROWS, findings=(FINDING,)):
    return AuditResult("fairness", "1", Status.PASS, metrics=metrics_frame(rows), findings=tuple(findings))


def _one(check, result=None):
    [out] = evaluate_checks(parse_checks([check]), {"fairness": result or _result()})
    return out


def test_a_failing_group_names_the_group_the_bound_and_the_excess():
    out = _one({"metric": "fairness.selection_rate", "min": 0.5, "bound": "ci"})
    assert out.status == Status.FAIL and out.group == {"sex": "F"}
    assert out.message == MSG_OUTCOME_FAIL.format(
        metric="fairness.selection_rate", where="sex=F", basis="even its upper confidence bound", value="0.3",
        direction="below", op="minimum", threshold="0.5", excess="0.2", relative="40% of the threshold",
        estimate="0.2", interval=" [CI 0.1, 0.3]", n="40", extremes="")


def test_a_failing_aggregate_names_the_groups_at_the_extremes():
    out = _one({"metric": "fairness.demographic_parity_difference", "max": 0.1})
    assert out.message == (
        "fairness.demographic_parity_difference across sex: its estimate 0.4 is above the maximum 0.1 by 0.3 "
        "(300% of the threshold); estimate 0.4 [CI 0.3, 0.5], n = 1,240. "
        "Extremes: sex=F (selection_rate 0.2, n = 40) to sex=M (selection_rate 0.6, n = 1,200).")


def test_a_warned_check_without_interval_says_the_estimate_was_used():
    rows = [dict(ROWS[2], ci_low=None, ci_high=None)]
    out = _one({"metric": "fairness.demographic_parity_difference", "max": 0.1, "bound": "ci", "severity": "warn"},
               _result(rows, ()))
    assert out.status == Status.WARN
    assert "its estimate (no interval available) 0.4 is above the maximum 0.1" in out.message
    assert "Extremes" not in out.message


def test_a_passing_check_says_how_much_room_is_left():
    out = _one({"metric": "fairness.demographic_parity_difference", "max": 0.5, "bound": "ci"})
    assert out.status == Status.PASS
    assert out.message == MSG_OUTCOME_PASS.format(
        metric="fairness.demographic_parity_difference", where="across sex",
        basis="even its lower confidence bound", value="0.3", op="maximum", threshold="0.5", margin="0.2")


def _shifted(delta_f):
    rows = [dict(r) for r in ROWS]
    rows[0]["value"] += delta_f
    return _result(rows)


def test_baseline_regression_needs_both_tolerances_exceeded():
    checks = parse_checks([{"metric": "fairness.selection_rate", "min": 0.0}])
    old = {"fairness": _result()}
    # 0.2 -> 0.17: 0.03 beyond abs 0.01 but within 20% relative (0.04): not a regression
    [ok] = regression_checks(checks, {"fairness": _shifted(-0.03)}, old, abs_tol=0.01, rel_tol=0.2)
    assert ok.status == Status.PASS
    assert ok.message == MSG_NO_REGRESSION.format(metric="fairness.selection_rate", change="-0.03",
                                                  where="sex=F", old="0.2", new="0.17", allowed="0.04")
    # 0.2 -> 0.15: beyond both
    [bad] = regression_checks(checks, {"fairness": _shifted(-0.05)}, old, abs_tol=0.01, rel_tol=0.2)
    assert bad.status == Status.FAIL and bad.group == {"sex": "F"}
    assert bad.message == MSG_REGRESSION.format(
        metric="fairness.selection_rate", where="sex=F", direction="fell", old="0.2", new="0.15",
        change="-0.05", relative="-25%", allowed="0.04", abs_tol="0.01", rel_tol=0.2)
    assert bad.name == "no regression vs baseline: fairness.selection_rate"
    # an improvement never fails, however large
    [better] = regression_checks(checks, {"fairness": _shifted(+0.3)}, old, abs_tol=0.0, rel_tol=0.0)
    assert better.status == Status.PASS
