"""Declared option constraints: checked when auditors are built, before any data is read."""
from __future__ import annotations

import math

import pytest

import audit
from audit._base import MSG_BAD_OPTION, BaseAuditor, Interval, OneOf, admits, describe
from audit.testing import check_auditor, check_rejects_invalid_options, invalid_value


def test_a_bad_option_is_one_usage_error_before_the_data_is_read(tmp_path):
    missing = tmp_path / "no-such-file.csv"  # reading it would be a different error
    with pytest.raises(audit.SpecError) as err:
        audit.run(missing, target="y", prediction="p", sensitive_features=["g"], auditors=["fairness"],
                  auditor_options={"fairness": {"ci": 1.5}})
    assert str(err.value) == MSG_BAD_OPTION.format(auditor="fairness", option="ci",
                                                   expected="a finite number in (0, 1)", got="float 1.5")


@pytest.mark.parametrize(("constraint", "good", "bad"), [
    (Interval(int, 0, None), [0, 3, 10**12], [-1, 1.0, True, "3", None]),
    (Interval(float, 0, 1, "neither"), [0.5, 1e-9], [0, 1, math.nan, math.inf, False]),
    (Interval(float, 1, None), [1, 1.2], [0.99]),
    (OneOf(("a", "b")), ["a"], ["c", 1]),
    (bool, [True, False], [0, "true"]),
    (None, [None], [0, ""]),
])
def test_admits(constraint, good, bad):
    assert all(admits(constraint, v) for v in good)
    assert not any(admits(constraint, v) for v in bad)


def test_describe_says_what_is_allowed():
    assert describe([Interval(int, 0, None), None]) == "an integer >= 0 or None"
    assert describe([Interval(float, 0, 1, "right")]) == "a finite number in (0, 1]"
    assert describe([bool]) == "True or False"


class _Toy(BaseAuditor):
    name = "toy"
    version = "1"
    constraints = {"k": [Interval(int, 1, None)]}

    def __init__(self, *, k: int = 2) -> None:
        self.k = k

    def run(self, subject):  # pragma: no cover - the checks below never run it
        raise NotImplementedError


class _Lax(_Toy):
    """Declares a constraint it does not enforce in a way the kit can see (validate_params is a no-op)."""

    def validate_params(self) -> None:
        pass


def test_the_kit_catches_an_auditor_that_accepts_a_declared_bad_value():
    check_rejects_invalid_options(_Toy())
    with pytest.raises(AssertionError, match="outside its constraints but was accepted"):
        check_rejects_invalid_options(_Lax())
    assert invalid_value([Interval(int, 1, None)]) == -1
    assert invalid_value([Interval(float, 0, None), None]) == -1


def test_expected_failed_checks_must_still_fail(monkeypatch):
    from audit import testing

    monkeypatch.setattr(testing, "all_checks", lambda: [testing.check_rejects_invalid_options])
    lax = _Lax()
    check_auditor(lax, expected_failed_checks={"check_rejects_invalid_options": "declared, not enforced"})
    with pytest.raises(AssertionError, match="listed as failing"):
        check_auditor(_Toy(), expected_failed_checks={"check_rejects_invalid_options": "was broken"})
    with pytest.raises(AssertionError):
        check_auditor(lax)
