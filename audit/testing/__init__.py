"""Conformance kit: the contract every auditor, built-in or plugin, must keep.

Use it in a plugin's own test suite::

    from audit.testing import parametrize_with_checks

    @parametrize_with_checks([MyAuditor()])
    def test_my_auditor(auditor, check):
        check(auditor)

Each check builds small seeded subjects (a binary task with a tiny torch model, two
sensitive features, a one-member group) and asserts one rule of the Auditor protocol.
A check the auditor is known to fail is named in ``expected_failed_checks`` with the reason
(as scikit-learn's ``parametrize_with_checks`` does): it runs as a strict xfail.
"""
from __future__ import annotations

import contextlib
import copy
import io
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._api import run_auditors
from .._base import Requirement
from .._results import METRIC_COLUMNS, AuditResult, Status
from ..gate._assertions import assert_passes
from ..subject import AuditSubject

__all__ = ["make_subject", "check_auditor", "all_checks", "parametrize_with_checks", "assert_passes",
           "invalid_value"]


def make_subject(n: int = 400, *, random_state: int = 0, with_model: bool = True,
                 one_member_group: bool = True, with_train_data: bool = True) -> AuditSubject:
    """A small seeded binary-classification subject with a torch model over numeric features.

    Its ``train_data`` (another ``n`` rows from the same distribution) stands for the rows
    the model was trained on.
    """
    import torch

    frame = _table(n, np.random.default_rng(random_state), one_member_group)
    train = _table(n, np.random.default_rng(random_state + 1), False) if with_train_data else None
    model = None
    if with_model:
        torch.manual_seed(random_state)
        model = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))
    return AuditSubject(frame, model=model, target="y", sensitive_features=["sex", "race"],
                        features=["x1", "x2", "is_male"], name="conformance", random_state=random_state,
                        train_data=train)


def _table(n: int, rng: np.random.Generator, one_member_group: bool) -> pd.DataFrame:
    sex = rng.choice(["female", "male"], n)
    race = rng.choice(["a", "b", "c"], n, p=[0.6, 0.3, 0.1])
    if one_member_group:
        race[0] = "d"
    x1 = rng.normal(size=n) + (sex == "male") * 0.5
    x2 = rng.normal(size=n)
    y = (x1 + 0.5 * x2 + rng.normal(scale=0.7, size=n) > 0.3).astype(int)
    return pd.DataFrame({"x1": x1, "x2": x2, "is_male": (sex == "male").astype(float),
                         "sex": sex, "race": race, "y": y})


def _run(auditor: Any, subject: AuditSubject) -> AuditResult:
    return run_auditors(subject, [auditor]).results[0]


def check_has_protocol_attributes(auditor: Any) -> None:
    for attr in ("name", "version", "requires", "run"):
        if not hasattr(auditor, attr):
            raise AssertionError(f"{type(auditor).__name__} has no attribute {attr!r}")
    if not isinstance(auditor.name, str) or not auditor.name:
        raise AssertionError("name must be a non-empty string")
    {Requirement(r) for r in auditor.requires}


def check_returns_one_shape(auditor: Any) -> None:
    result = _run(auditor, make_subject())
    if result.status == Status.ERROR:
        raise AssertionError(f"{auditor.name} crashed on the conformance subject: {result.reason}")
    if tuple(result.metrics.columns) != METRIC_COLUMNS:
        raise AssertionError(f"metrics columns are {tuple(result.metrics.columns)}, expected {METRIC_COLUMNS}")
    if result.auditor != auditor.name:
        raise AssertionError(f"result.auditor {result.auditor!r} differs from auditor.name {auditor.name!r}")


def check_deterministic(auditor: Any) -> None:
    a = _run(copy.deepcopy(auditor), make_subject()).to_dict()
    b = _run(copy.deepcopy(auditor), make_subject()).to_dict()
    if json.dumps(a, sort_keys=True) != json.dumps(b, sort_keys=True):
        raise AssertionError(f"{auditor.name}: two runs with the same seed gave different results")


def check_does_not_mutate_subject(auditor: Any) -> None:
    subject = make_subject()
    before = subject.data.copy(deep=True)
    y_pred = None if subject.y_pred is None else subject.y_pred.copy()
    _run(auditor, subject)
    pd.testing.assert_frame_equal(subject.data, before)
    if y_pred is not None and (subject.y_pred is None or not np.array_equal(subject.y_pred, y_pred)):
        raise AssertionError(f"{auditor.name} changed the subject's predictions")


def check_json_round_trip(auditor: Any) -> None:
    result = _run(auditor, make_subject())
    text = json.dumps(result.to_dict(), allow_nan=False)
    again = AuditResult.from_dict(json.loads(text)).to_dict()
    if json.dumps(again, sort_keys=True) != json.dumps(json.loads(text), sort_keys=True):
        raise AssertionError(f"{auditor.name}: result does not survive a JSON round trip")


def check_html_repr(auditor: Any) -> None:
    html = _run(auditor, make_subject())._repr_html_()
    if not isinstance(html, str) or auditor.name not in html:
        raise AssertionError(f"{auditor.name}: _repr_html_ must return HTML naming the auditor")


def check_no_stdout(auditor: Any) -> None:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        _run(auditor, make_subject())
    if buf.getvalue():
        raise AssertionError(f"{auditor.name} printed to stdout: {buf.getvalue()[:200]!r}; use logging")


def check_skips_unmet_requirements(auditor: Any) -> None:
    needs = {Requirement(r) for r in auditor.requires}
    subject = make_subject(with_model=False, with_train_data=False)
    if not needs & {Requirement.MODEL, Requirement.TORCH_MODEL, Requirement.PREDICTIONS, Requirement.SCORES}:
        subject = AuditSubject(subject.data, target="y", name="no sensitive features")
        if Requirement.SENSITIVE_FEATURES not in needs and Requirement.TARGET not in needs:
            return
    result = _run(auditor, subject)
    if result.status != Status.SKIPPED or not result.reason:
        raise AssertionError(f"{auditor.name}: expected status skipped with a reason when its requirements "
                             f"are unmet; got {result.status} ({result.reason})")


def check_params_unchanged(auditor: Any) -> None:
    if not hasattr(auditor, "get_params"):
        return
    params = copy.deepcopy(auditor.get_params())
    _run(auditor, make_subject())
    if auditor.get_params() != params:
        raise AssertionError(f"{auditor.name}: run() changed the auditor's configuration")


#: Values tried, in order, as an option's invalid value: the first that none of its constraints admits.
_INVALID_CANDIDATES: tuple[Any, ...] = (-1, -0.5, 1.5, float("nan"), "\u00abnot an option\u00bb", 3, (), {}, None)


def invalid_value(allowed: Sequence[Any]) -> Any:
    """A value none of ``allowed`` (an option's declared constraints) admits; raises if there is none."""
    from .._base import admits

    for value in _INVALID_CANDIDATES:
        if not any(admits(c, value) for c in allowed):
            return value
    raise AssertionError(f"no candidate value is invalid for constraints {list(allowed)}")


def check_rejects_invalid_options(auditor: Any) -> None:
    """Its own options pass its declared constraints; a value outside each one is one usage error naming it."""
    from .._exceptions import UsageError

    constraints = getattr(auditor, "constraints", None) or {}
    if not constraints:
        return
    auditor.validate_params()
    params = auditor.get_params()
    for option, allowed in constraints.items():
        if option not in params:
            raise AssertionError(f"{auditor.name}: constraint for {option!r}, which is not an option of __init__")
        bad = invalid_value(allowed)
        try:
            built = type(auditor)(**{**params, option: bad})
            built.validate_params()
        except UsageError as exc:
            if repr(option) not in str(exc) and option not in str(exc):
                raise AssertionError(f"{auditor.name}: the error for {option}={bad!r} does not name the option: "
                                     f"{exc}") from None
            continue
        raise AssertionError(f"{auditor.name}: {option}={bad!r} is outside its constraints but was accepted")


def check_engine_parity(auditor: Any) -> None:
    """The same rows as a pandas frame and as a polars LazyFrame give the same result (polars installed)."""
    try:
        import polars as pl
    except ImportError:
        import unittest

        raise unittest.SkipTest("polars is not installed: engine parity not checked") from None
    eager = make_subject()
    lazy = AuditSubject(pl.from_pandas(eager.data).lazy(), model=eager.model, target="y",
                        sensitive_features=["sex", "race"], features=["x1", "x2", "is_male"], name="conformance",
                        random_state=eager.random_state, train_data=eager.train_data)
    a = _run(copy.deepcopy(auditor), eager).to_dict()
    b = _run(copy.deepcopy(auditor), lazy).to_dict()
    for d in (a, b):
        d.pop("details", None)  # engine notes (what ran where) may differ; figures and findings may not
    if json.dumps(a, sort_keys=True) != json.dumps(b, sort_keys=True):
        raise AssertionError(f"{auditor.name}: pandas and polars LazyFrame inputs gave different results")


def all_checks() -> list[Callable[[Any], None]]:
    """Every conformance check, in a stable order."""
    return [check_has_protocol_attributes, check_rejects_invalid_options, check_returns_one_shape,
            check_deterministic, check_does_not_mutate_subject, check_json_round_trip, check_html_repr,
            check_no_stdout, check_skips_unmet_requirements, check_params_unchanged, check_engine_parity]


def check_auditor(auditor: Any, *, expected_failed_checks: Mapping[str, str] | None = None) -> None:
    """Run every conformance check on ``auditor``; raises AssertionError on the first broken rule.

    ``expected_failed_checks`` maps a check's name to the reason it is known to fail; such a
    check must still fail (a fixed auditor should drop the entry).
    """
    expected = dict(expected_failed_checks or {})
    for check in all_checks():
        if check.__name__ not in expected:
            check(auditor)
            continue
        try:
            check(auditor)
        except AssertionError:
            continue
        raise AssertionError(f"{auditor.name}: {check.__name__} is listed as failing "
                             f"({expected[check.__name__]}) but passed; remove it from expected_failed_checks")


def _pairs(auditors: Sequence[Any]) -> Iterator[tuple[Any, Callable[[Any], None]]]:
    for auditor in auditors:
        for check in all_checks():
            yield auditor, check


def parametrize_with_checks(auditors: Sequence[Any], *,
                            expected_failed_checks: Callable[[Any], Mapping[str, str]] | None = None) -> Any:
    """A ``pytest.mark.parametrize`` over (auditor, check) with readable ids.

    ``expected_failed_checks(auditor)`` returns ``{check name: reason}`` for the checks that
    auditor is known to fail; they run as strict xfails (an unexpected pass fails the test).
    """
    import pytest

    params = []
    for auditor, check in _pairs(auditors):
        reason = (expected_failed_checks(auditor) if expected_failed_checks else {}).get(check.__name__)
        marks = [pytest.mark.xfail(strict=True, raises=AssertionError, reason=reason)] if reason else []
        params.append(pytest.param(auditor, check, id=f"{auditor.name}-{check.__name__}", marks=marks))
    return pytest.mark.parametrize(("auditor", "check"), params)
