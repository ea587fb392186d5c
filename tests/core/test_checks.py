import math

import pytest

from audit import AuditResult, SpecError, Status
from audit._results import metrics_frame
from audit.gate._checks import MSG_CHECK_BOUND, MSG_CHECK_KEYS, MSG_CHECK_METRIC, evaluate_checks, parse_checks


def _result(rows, status=Status.PASS):
    return AuditResult("fairness", "1", status, metrics=metrics_frame(rows))


ROWS = [
    {"metric": "demographic_parity_difference", "group": None, "value": 0.12, "ci_low": 0.05, "ci_high": 0.2,
     "n": 100, "over": ["sex"]},
    {"metric": "demographic_parity_difference", "group": None, "value": 0.30, "ci_low": 0.25, "ci_high": 0.35,
     "n": 100, "over": ["race"]},
    {"metric": "selection_rate", "group": {"sex": "F"}, "value": 0.4, "ci_low": 0.3, "ci_high": 0.5, "n": 40,
     "over": ["sex"]},
    {"metric": "selection_rate", "group": {"sex": "M"}, "value": 0.6, "ci_low": 0.5, "ci_high": 0.7, "n": 60,
     "over": ["sex"]},
]


def test_every_row_must_pass_without_over():
    [check] = parse_checks([{"metric": "fairness.demographic_parity_difference", "max": 0.2}])
    [out] = evaluate_checks([check], {"fairness": _result(ROWS)})
    assert out.status == Status.FAIL
    assert out.row_over == ("race",)
    assert math.isclose(out.value, 0.30)
    assert "across race" in out.message and "by 0.1" in out.message


def test_over_selects_one_aggregate():
    [check] = parse_checks([{"metric": "fairness.demographic_parity_difference", "max": 0.2, "over": ["sex"]}])
    [out] = evaluate_checks([check], {"fairness": _result(ROWS)})
    assert out.status == Status.PASS


def test_ci_bound_uses_the_favourable_bound():
    # estimate 0.12 > 0.1 fails, but ci_low 0.05 <= 0.1 passes with bound = "ci"
    est, ci = parse_checks([
        {"metric": "fairness.demographic_parity_difference", "max": 0.1, "over": "sex"},
        {"metric": "fairness.demographic_parity_difference", "max": 0.1, "over": "sex", "bound": "ci"},
    ])
    out_est, out_ci = evaluate_checks([est, ci], {"fairness": _result(ROWS)})
    assert out_est.status == Status.FAIL
    assert out_ci.status == Status.PASS and math.isclose(out_ci.value, 0.05)


def test_min_check_with_ci_uses_upper_bound():
    [check] = parse_checks([{"metric": "fairness.selection_rate", "min": 0.55, "bound": "ci"}])
    [out] = evaluate_checks([check], {"fairness": _result(ROWS)})
    assert out.status == Status.FAIL and out.group == {"sex": "F"} and math.isclose(out.value, 0.5)


def test_warn_severity_and_group_filter():
    [check] = parse_checks([{"metric": "fairness.selection_rate", "min": 0.5, "severity": "warn",
                             "group": {"sex": "F"}}])
    [out] = evaluate_checks([check], {"fairness": _result(ROWS)})
    assert out.status == Status.WARN


def test_unknown_metric_suggests_a_name():
    [check] = parse_checks([{"metric": "fairness.demographic_parity_diference", "max": 0.1}])
    with pytest.raises(SpecError, match="did you mean 'fairness'.'demographic_parity_difference'|did you mean"):
        evaluate_checks([check], {"fairness": _result(ROWS)})


def test_missing_or_crashed_auditor_does_not_pass():
    [check] = parse_checks([{"metric": "fairness.demographic_parity_difference", "max": 0.1}])
    [out] = evaluate_checks([check], {})
    assert out.status == Status.FAIL
    crashed = AuditResult("fairness", "1", Status.ERROR, reason="boom")
    [out] = evaluate_checks([check], {"fairness": crashed})
    assert out.status == Status.ERROR and "boom" in out.message


def test_nan_rows_cannot_pass():
    [check] = parse_checks([{"metric": "fairness.x", "max": 0.1}])
    [out] = evaluate_checks([check], {"fairness": _result([{"metric": "x", "value": float("nan")}])})
    assert out.status == Status.FAIL and "undefined" in out.message


@pytest.mark.parametrize("row, message", [
    ({"metric": "fairness.a", "max": 1, "maximum": 2},
     MSG_CHECK_KEYS.format(index=1, keys=["maximum"], allowed=["metric", "max", "min", "severity", "bound", "over",
                                                               "group", "label", "if_missing", "name",
                                                               "description"])),
    ({"metric": "demographic_parity_difference", "max": 1}, MSG_CHECK_METRIC.format(index=1,
                                                                                   metric="demographic_parity_difference")),
    ({"metric": "fairness.a"}, MSG_CHECK_BOUND.format(index=1, metric="fairness.a", got="neither")),
    ({"metric": "fairness.a", "max": 1, "min": 0}, MSG_CHECK_BOUND.format(index=1, metric="fairness.a",
                                                                           got={"max": 1, "min": 0})),
    ({"metric": "fairness.a", "max": "0.1"}, MSG_CHECK_BOUND.format(index=1, metric="fairness.a",
                                                                     got={"max": "0.1"})),
])
def test_bad_checks_say_what_is_wrong(row, message):
    with pytest.raises(SpecError) as err:
        parse_checks([row])
    assert str(err.value) == message


def test_value_picks_the_overall_row_unless_told_otherwise():
    rows = ROWS + [{"metric": "selection_rate", "group": None, "value": 0.5, "n": 100}]
    result = _result(rows)
    assert result.value("selection_rate") == 0.5
    assert result.value("selection_rate", {"sex": "F"}) == 0.4
    assert result.value("demographic_parity_difference", over=["race"]) == 0.30
    with pytest.raises(KeyError, match="found 0"):
        result.value("demographic_parity_difference")  # aggregates exist only per `over`: name one
